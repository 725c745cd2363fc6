//! What the provider accounts were billed for: steps paid with the studio's API key leave no
//! ledger row (nothing was signed), so Payments lists them from what the library filed: faces
//! enrolled or uploaded on an account (their consent record says `account:<provider>`), and
//! video jobs sent without a wallet payment and not known to be free.

use rusqlite::Row;
use serde::Serialize;

use super::{parse_kind, parse_provider, FaceKind, Library};
use crate::error::Result;
use crate::media::AssetType;
use crate::providers::ProviderKind;

/// What an account was billed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ChargeKind {
    /// A real face or an AI character enrolled, or a photo filed in a person's group.
    Face,
    VideoClip,
    VoiceClip,
    Video,
}

/// One billed step, as Payments shows it beside the wallet's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AccountCharge {
    pub at_ms: i64,
    pub provider: ProviderKind,
    pub kind: ChargeKind,
    /// The person or character it was for.
    pub name: String,
    /// The price the provider reported, in dollars, when it did; else "billed to your account".
    pub reported_usd: Option<String>,
    /// The face's asset id or the job's id.
    pub reference: String,
    /// Who ran it ('' from before operators were kept).
    pub operator: String,
}

pub(super) const FACE_CHARGES: &str = "SELECT enrolled_at_ms, provider, kind, asset_type, name,
    price_usd, asset_id, COALESCE(consent_operator, '') FROM faces
    WHERE payment_ref LIKE 'account:%'";

pub(super) const JOB_CHARGES: &str = "SELECT j.submitted_at_ms, j.provider, j.price_usd, j.id,
    COALESCE(f.name, j.face_asset_id), j.operator FROM video_jobs j
    LEFT JOIN faces f ON f.asset_id = j.face_asset_id
    WHERE j.payment_id IS NULL AND j.submitted_at_ms IS NOT NULL
      AND (j.charged IS NULL OR j.charged)";

/// The charge kind of a face row.
pub(super) fn face_charge_kind(kind: FaceKind, asset_type: Option<AssetType>) -> ChargeKind {
    match (kind, asset_type) {
        (FaceKind::Asset, Some(AssetType::Video)) => ChargeKind::VideoClip,
        (FaceKind::Asset, Some(AssetType::Audio)) => ChargeKind::VoiceClip,
        _ => ChargeKind::Face,
    }
}

/// Newest first, faces and jobs together.
pub(super) fn newest_first(mut all: Vec<AccountCharge>) -> Vec<AccountCharge> {
    all.sort_by(|a, b| {
        b.at_ms
            .cmp(&a.at_ms)
            .then_with(|| b.reference.cmp(&a.reference))
    });
    all
}

fn face_row(r: &Row<'_>) -> rusqlite::Result<AccountCharge> {
    let asset_type: String = r.get(3)?;
    Ok(AccountCharge {
        at_ms: r.get(0)?,
        provider: parse_provider(r.get(1)?)?,
        kind: face_charge_kind(
            parse_kind(&r.get::<_, String>(2)?),
            AssetType::parse(&asset_type),
        ),
        name: r.get(4)?,
        reported_usd: r.get(5)?,
        reference: r.get(6)?,
        operator: r.get(7)?,
    })
}

fn job_row(r: &Row<'_>) -> rusqlite::Result<AccountCharge> {
    Ok(AccountCharge {
        at_ms: r.get(0)?,
        provider: parse_provider(r.get(1)?)?,
        kind: ChargeKind::Video,
        reported_usd: r.get(2)?,
        reference: r.get(3)?,
        name: r.get(4)?,
        operator: r.get(5)?,
    })
}

impl Library {
    /// Every step billed to a provider account, newest first.
    pub fn account_charges(&self) -> Result<Vec<AccountCharge>> {
        if let Some(db) = self.shared() {
            return db.account_charges();
        }
        let conn = self.conn();
        let mut all = conn
            .prepare(FACE_CHARGES)?
            .query_map([], face_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        all.extend(
            conn.prepare(JOB_CHARGES)?
                .query_map([], job_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        );
        Ok(newest_first(all))
    }
}
