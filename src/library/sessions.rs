//! Liveness sessions: written at every step so a restart (or, on the shared database, another
//! desk) resumes them.

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::{bad_value, parse_provider, Library};
use crate::error::{Error, Result};
use crate::flow::SessionState;
use crate::providers::ProviderKind;

/// One liveness session and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LivenessSession {
    pub id: String,
    pub provider: ProviderKind,
    pub group_id: String,
    pub talent_name: String,
    pub image_url: String,
    pub h5_link: String,
    pub expires_at_ms: i64,
    /// When the current link was issued; with `expires_at_ms` it gives the link's lifetime.
    pub link_issued_at_ms: i64,
    pub state: SessionState,
    pub asset_id: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// The photo checks the operator overrode for this session's photo (comma-separated ids).
    pub photo_override: Option<String>,
    /// BytePlus's `BytedToken`, which the result is asked with until the group exists.
    #[serde(default)]
    pub liveness_token: Option<String>,
    /// The release the talent agreed to on their own screen; no QR is issued without it.
    /// Filed with the face at enroll.
    #[serde(default)]
    pub talent_consent: Option<super::TalentConsent>,
    /// Who runs it (Settings → Operator name; the desk that took it over writes its own); ''
    /// for a session from before operators were kept.
    #[serde(default)]
    pub operator: String,
}

impl LivenessSession {
    /// `talent_consent` as the `sessions.talent_consent` column keeps it (JSON).
    pub(super) fn consent_column(&self) -> Option<String> {
        self.talent_consent
            .as_ref()
            .map(|c| serde_json::to_string(c).expect("a consent serializes"))
    }
}

/// The `sessions.talent_consent` column back; unreadable JSON reads as no consent, which only
/// ever stops a session (no QR without one), never lets one through.
pub(super) fn consent_from_column(raw: Option<String>) -> Option<super::TalentConsent> {
    raw.and_then(|j| serde_json::from_str(&j).ok())
}

/// An open session and the desk that owns it (on the shared database).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct DeskSession {
    pub desk: String,
    pub session: LivenessSession,
}

impl Library {
    pub fn save_session(&self, s: &LivenessSession) -> Result<()> {
        if let Some(db) = self.shared() {
            return db.save_session(s);
        }
        self.conn().execute(
            "INSERT INTO sessions (id, provider, group_id, talent_name, image_url, h5_link, expires_at_ms,
                                   state, asset_id, created_at_ms, updated_at_ms, link_issued_at_ms,
                                   photo_override, liveness_token, talent_consent, operator)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
             ON CONFLICT(id) DO UPDATE SET group_id = ?3, talent_name = ?4, image_url = ?5, h5_link = ?6, expires_at_ms = ?7, state = ?8,
                                           asset_id = ?9, updated_at_ms = ?11, link_issued_at_ms = ?12,
                                           photo_override = ?13, liveness_token = ?14, talent_consent = ?15,
                                           operator = ?16",
            params![
                s.id,
                s.provider.as_str(),
                s.group_id,
                s.talent_name,
                s.image_url,
                s.h5_link,
                s.expires_at_ms,
                s.state.as_str(),
                s.asset_id,
                s.created_at_ms,
                s.updated_at_ms,
                s.link_issued_at_ms,
                s.photo_override,
                s.liveness_token,
                s.consent_column(),
                s.operator,
            ],
        )?;
        Ok(())
    }

    pub fn session(&self, id: &str) -> Result<LivenessSession> {
        if let Some(db) = self.shared() {
            return db.session(id);
        }
        self.conn()
            .query_row(
                &format!("{SESSION_COLUMNS} WHERE id = ?1"),
                [id],
                session_from_row,
            )
            .optional()?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "No session with id {id}. Run `likeness sessions` to list them."
                ))
            })
    }

    /// Sessions that still need the operator: waiting for a scan, expired but refreshable, or
    /// verified and not yet enrolled. Newest first. On the shared database, this desk's only:
    /// the ones this desk follows (see [`Library::other_desks_sessions`]).
    pub fn open_sessions(&self) -> Result<Vec<LivenessSession>> {
        if let Some(db) = self.shared() {
            return db.open_sessions();
        }
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "{SESSION_COLUMNS} WHERE state IN ('awaiting_consent', 'consented', 'awaiting_scan', 'expired', 'verified', 'awaiting_payment', 'enrolling')
             ORDER BY created_at_ms DESC"
        ))?;
        let rows = stmt.query_map([], session_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The other desks' open sessions ("Desk 2: Ada, waiting"), newest first. A desk file has
    /// none.
    pub fn other_desks_sessions(&self) -> Result<Vec<DeskSession>> {
        match self.shared() {
            Some(db) => db.other_desks_sessions(),
            None => Ok(Vec::new()),
        }
    }

    /// Makes this desk the owner of a session another desk opened (after a crash, say), so this
    /// desk follows it from now on and the other no longer may. Returns the desk that owned it.
    /// Only on the operator's word: two desks never follow one session. A desk file has one
    /// desk, which owns every session already. `operator` (when named) runs it from here, and
    /// its row says so.
    pub fn take_over_session(&self, id: &str, operator: &str, now_ms: i64) -> Result<String> {
        if let Some(db) = self.shared() {
            return db.take_over_session(id, operator, now_ms);
        }
        self.session(id)?;
        self.conn().execute(
            "UPDATE sessions SET operator = ?2 WHERE id = ?1 AND ?2 <> ''",
            params![id, operator],
        )?;
        Ok(self.desk().unwrap_or("this desk").to_string())
    }
}

const SESSION_COLUMNS: &str =
    "SELECT id, provider, group_id, talent_name, image_url, h5_link, expires_at_ms, state,
    asset_id, created_at_ms, updated_at_ms, link_issued_at_ms, photo_override, liveness_token,
    talent_consent, operator FROM sessions";

fn session_from_row(r: &Row<'_>) -> rusqlite::Result<LivenessSession> {
    let state: String = r.get(7)?;
    Ok(LivenessSession {
        id: r.get(0)?,
        provider: parse_provider(r.get::<_, String>(1)?)?,
        group_id: r.get(2)?,
        talent_name: r.get(3)?,
        image_url: r.get(4)?,
        h5_link: r.get(5)?,
        expires_at_ms: r.get(6)?,
        link_issued_at_ms: r.get(11)?,
        state: SessionState::parse(&state).ok_or_else(|| bad_value(7, state.clone()))?,
        asset_id: r.get(8)?,
        created_at_ms: r.get(9)?,
        updated_at_ms: r.get(10)?,
        photo_override: r.get(12)?,
        liveness_token: r.get(13)?,
        talent_consent: consent_from_column(r.get(14)?),
        operator: r.get(15)?,
    })
}
