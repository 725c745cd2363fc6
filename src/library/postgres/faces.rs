//! Faces and their consent records on the shared database: every desk sees every face.

use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::sessions::provider;
use super::{unknown, Answer, Database};
use crate::error::{Error, Result};
use crate::library::{
    kind_str, liveness_ref, parse_kind, tags_column, tags_from_column, ConsentPayment,
    ConsentRecord, Face, FaceKind, FaceSummary, Revocation, SyncReport, TalentConsent,
};
use crate::media::AssetType;
use crate::providers::{AssetStatus, ProviderKind, RemoteAsset, RemoteFace, RemoteFaceKind};

const COLUMNS: &str = "SELECT asset_id, provider, kind, name, image_url, thumbnail, group_id,
    enrolled_at_ms, price_usd, tx_hash, photo_override, asset_type, status, status_message,
    consent_operator, consent_at_ms, liveness_ref, photo_sha256, payment_ref,
    release_version, release_text, release_sha256, typed_name, agreed_at_ms, consent_ends_at_ms,
    revoked_at_ms, revoked_reason, hosted_deleted_at_ms, tags FROM faces";

/// What a new face is filed with; `ON CONFLICT` says what an existing one keeps.
const INSERT: &str = "INSERT INTO faces (asset_id, provider, kind, name, image_url, thumbnail,
        group_id, enrolled_at_ms, price_usd, tx_hash, photo_override, asset_type, status,
        status_message, consent_operator, consent_at_ms, liveness_ref, photo_sha256, payment_ref, desk,
        release_version, release_text, release_sha256, typed_name, agreed_at_ms, consent_ends_at_ms,
        revoked_at_ms, revoked_reason, hosted_deleted_at_ms, tags)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
        $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)";

fn asset_type(r: &Row, i: usize) -> Answer<AssetType> {
    let s: String = r.try_get(i)?;
    AssetType::parse(&s).ok_or_else(|| unknown("faces.asset_type", &s))
}

fn status(r: &Row, i: usize) -> Answer<AssetStatus> {
    let s: String = r.try_get(i)?;
    AssetStatus::parse(&s).ok_or_else(|| unknown("faces.status", &s))
}

fn from_row(r: &Row) -> Answer<Face> {
    let tx_hash: Option<String> = r.try_get(9)?;
    let consent = match r.try_get::<_, Option<i64>>(15)? {
        None => None,
        Some(recorded_at_ms) => Some(ConsentRecord {
            operator: r.try_get::<_, Option<String>>(14)?.unwrap_or_default(),
            recorded_at_ms,
            liveness_ref: r.try_get(16)?,
            file_sha256: r.try_get(17)?,
            payment: r
                .try_get::<_, Option<String>>(18)?
                .and_then(|p| ConsentPayment::from_column(&p, tx_hash.clone())),
            hosted_copy_deleted_at_ms: r.try_get(27)?,
            release: match r.try_get::<_, Option<i64>>(23)? {
                None => None,
                Some(agreed_at_ms) => Some(TalentConsent {
                    template_version: r.try_get::<_, i32>(19)?.max(0) as u32,
                    release_text: r.try_get(20)?,
                    release_sha256: r.try_get(21)?,
                    typed_name: r.try_get(22)?,
                    agreed_at_ms,
                    ends_at_ms: r.try_get(24)?,
                }),
            },
        }),
    };
    let revoked = match r.try_get::<_, Option<i64>>(25)? {
        None => None,
        Some(at_ms) => Some(Revocation {
            at_ms,
            reason: r.try_get::<_, Option<String>>(26)?.unwrap_or_default(),
        }),
    };
    Ok(Face {
        asset_id: r.try_get(0)?,
        provider: provider(r, 1)?,
        kind: parse_kind(&r.try_get::<_, String>(2)?),
        name: r.try_get(3)?,
        image_url: r.try_get(4)?,
        thumbnail: r.try_get(5)?,
        group_id: r.try_get(6)?,
        enrolled_at_ms: r.try_get(7)?,
        price_usd: r.try_get(8)?,
        tx_hash,
        photo_override: r.try_get(10)?,
        asset_type: asset_type(r, 11)?,
        status: status(r, 12)?,
        status_message: r.try_get(13)?,
        consent,
        revoked,
        tags: tags_from_column(r.try_get(28)?),
    })
}

/// A face's columns in `INSERT`'s order, owned so the parameter list can borrow them.
struct Columns {
    face: Face,
    provider: &'static str,
    kind: &'static str,
    asset_type: &'static str,
    status: &'static str,
    operator: Option<String>,
    consent_at_ms: Option<i64>,
    liveness_ref: Option<String>,
    file_sha256: Option<String>,
    payment_ref: Option<String>,
    desk: String,
    release_version: Option<i32>,
    release_text: Option<String>,
    release_sha256: Option<String>,
    typed_name: Option<String>,
    agreed_at_ms: Option<i64>,
    ends_at_ms: Option<i64>,
    revoked_at_ms: Option<i64>,
    revoked_reason: Option<String>,
    hosted_deleted_at_ms: Option<i64>,
    tags: String,
}

impl Columns {
    fn new(f: &Face, desk: &str) -> Self {
        let c = f.consent.as_ref();
        Columns {
            provider: f.provider.as_str(),
            kind: kind_str(f.kind),
            asset_type: f.asset_type.as_str(),
            status: f.status.as_str(),
            operator: c.map(|c| c.operator.clone()),
            consent_at_ms: c.map(|c| c.recorded_at_ms),
            liveness_ref: c.and_then(|c| c.liveness_ref.clone()),
            file_sha256: c.and_then(|c| c.file_sha256.clone()),
            payment_ref: c
                .and_then(|c| c.payment.as_ref())
                .map(ConsentPayment::to_column),
            release_version: f.release().map(|r| r.template_version as i32),
            release_text: f.release().map(|r| r.release_text.clone()),
            release_sha256: f.release().map(|r| r.release_sha256.clone()),
            typed_name: f.release().map(|r| r.typed_name.clone()),
            agreed_at_ms: f.release().map(|r| r.agreed_at_ms),
            ends_at_ms: f.release().map(|r| r.ends_at_ms),
            revoked_at_ms: f.revoked.as_ref().map(|r| r.at_ms),
            revoked_reason: f.revoked.as_ref().map(|r| r.reason.clone()),
            hosted_deleted_at_ms: c.and_then(|c| c.hosted_copy_deleted_at_ms),
            tags: tags_column(&f.tags),
            face: f.clone(),
            desk: desk.to_string(),
        }
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 30] {
        let f = &self.face;
        [
            &f.asset_id,
            &self.provider,
            &self.kind,
            &f.name,
            &f.image_url,
            &f.thumbnail,
            &f.group_id,
            &f.enrolled_at_ms,
            &f.price_usd,
            &f.tx_hash,
            &f.photo_override,
            &self.asset_type,
            &self.status,
            &f.status_message,
            &self.operator,
            &self.consent_at_ms,
            &self.liveness_ref,
            &self.file_sha256,
            &self.payment_ref,
            &self.desk,
            &self.release_version,
            &self.release_text,
            &self.release_sha256,
            &self.typed_name,
            &self.agreed_at_ms,
            &self.ends_at_ms,
            &self.revoked_at_ms,
            &self.revoked_reason,
            &self.hosted_deleted_at_ms,
            &self.tags,
        ]
    }
}

async fn query_faces(
    c: &impl GenericClient,
    tail: &str,
    args: &[&(dyn ToSql + Sync)],
) -> Answer<Vec<Face>> {
    let rows = c
        .query(
            &format!("{COLUMNS} {tail} ORDER BY enrolled_at_ms DESC, seq DESC"),
            args,
        )
        .await?;
    rows.iter().map(from_row).collect()
}

fn not_filed(asset_id: &str) -> Error {
    Error::NotFound(format!(
        "No asset {asset_id} in the library. Run `likeness faces` to list them."
    ))
}

impl Database {
    /// As [`crate::library::Library::save_face`]: a filed face keeps its consent record.
    pub fn save_face(&self, f: &Face) -> Result<()> {
        let cols = Columns::new(f, &self.desk);
        self.run(move |c| async move {
            c.execute(
                &format!(
                    "{INSERT} ON CONFLICT (asset_id) DO UPDATE SET name = $4, image_url = $5,
                     thumbnail = COALESCE($6, faces.thumbnail), group_id = COALESCE($7, faces.group_id),
                     price_usd = COALESCE($9, faces.price_usd), tx_hash = COALESCE($10, faces.tx_hash),
                     photo_override = COALESCE($11, faces.photo_override), status = $13,
                     status_message = $14,
                     consent_operator = COALESCE(faces.consent_operator, $15),
                     consent_at_ms = COALESCE(faces.consent_at_ms, $16),
                     liveness_ref = COALESCE(faces.liveness_ref, $17),
                     photo_sha256 = COALESCE(faces.photo_sha256, $18),
                     payment_ref = COALESCE(faces.payment_ref, $19),
                     release_version = CASE WHEN faces.agreed_at_ms IS NULL THEN $21 ELSE faces.release_version END,
                     release_text = CASE WHEN faces.agreed_at_ms IS NULL THEN $22 ELSE faces.release_text END,
                     release_sha256 = CASE WHEN faces.agreed_at_ms IS NULL THEN $23 ELSE faces.release_sha256 END,
                     typed_name = CASE WHEN faces.agreed_at_ms IS NULL THEN $24 ELSE faces.typed_name END,
                     consent_ends_at_ms = CASE WHEN faces.agreed_at_ms IS NULL THEN $26 ELSE faces.consent_ends_at_ms END,
                     agreed_at_ms = COALESCE(faces.agreed_at_ms, $25),
                     revoked_at_ms = COALESCE(faces.revoked_at_ms, $27),
                     revoked_reason = CASE WHEN faces.revoked_at_ms IS NULL THEN $28 ELSE faces.revoked_reason END,
                     hosted_deleted_at_ms = COALESCE(faces.hosted_deleted_at_ms, $29)"
                ),
                &cols.params(),
            )
            .await?;
            Ok(())
        })
    }

    /// Files a face only if its id is not filed yet (a library moved in from a desk's file).
    pub fn import_face(&self, f: &Face) -> Result<bool> {
        let cols = Columns::new(f, &self.desk);
        self.run(move |c| async move {
            let n = c
                .execute(
                    &format!("{INSERT} ON CONFLICT (asset_id) DO NOTHING"),
                    &cols.params(),
                )
                .await?;
            Ok(n > 0)
        })
    }

    pub fn update_asset_status(
        &self,
        asset_id: &str,
        status: AssetStatus,
        message: Option<&str>,
    ) -> Result<bool> {
        let id = asset_id.to_string();
        let message = message.map(str::to_string);
        self.run(move |c| async move {
            let n = c
                .execute(
                    "UPDATE faces SET status = $2, status_message = $3 WHERE asset_id = $1",
                    &[&id, &status.as_str(), &message],
                )
                .await?;
            Ok(n > 0)
        })
    }

    pub fn face(&self, asset_id: &str) -> Result<Face> {
        let id = asset_id.to_string();
        self.run(move |c| async move {
            query_faces(&c, "WHERE asset_id = $1", &[&id])
                .await?
                .pop()
                .ok_or_else(|| not_filed(&id).into())
        })
    }

    pub fn processing_assets(&self) -> Result<Vec<Face>> {
        self.run(move |c| async move {
            let mut v = query_faces(&c, "WHERE status = 'processing'", &[]).await?;
            v.reverse();
            Ok(v)
        })
    }

    pub fn group_assets(&self, provider: ProviderKind, group_id: &str) -> Result<Vec<Face>> {
        let group = group_id.to_string();
        self.run(move |c| async move {
            query_faces(
                &c,
                "WHERE provider = $1 AND group_id = $2",
                &[&provider.as_str(), &group],
            )
            .await
        })
    }

    pub fn faces(&self) -> Result<Vec<Face>> {
        self.run(move |c| async move { query_faces(&c, "", &[]).await })
    }

    /// The library list, newest first, without previews: served from the `faces_list` index
    /// alone (an index-only scan; `has_thumbnail` is the stored column schema version 5 adds).
    pub fn face_summaries(&self) -> Result<Vec<FaceSummary>> {
        self.run(move |c| async move {
            let st = c
                .prepare_cached(
                    "SELECT asset_id, provider, kind, name, group_id, enrolled_at_ms, asset_type,
                         status, status_message, has_thumbnail, consent_at_ms IS NOT NULL,
                         consent_ends_at_ms, revoked_at_ms, tags
                     FROM faces ORDER BY enrolled_at_ms DESC, seq DESC",
                )
                .await?;
            let rows = c.query(&st, &[]).await?;
            rows.iter()
                .map(|r| {
                    Ok(FaceSummary {
                        asset_id: r.try_get(0)?,
                        provider: provider(r, 1)?,
                        kind: parse_kind(&r.try_get::<_, String>(2)?),
                        name: r.try_get(3)?,
                        group_id: r.try_get(4)?,
                        enrolled_at_ms: r.try_get(5)?,
                        asset_type: asset_type(r, 6)?,
                        status: status(r, 7)?,
                        status_message: r.try_get(8)?,
                        has_thumbnail: r.try_get(9)?,
                        has_consent: r.try_get(10)?,
                        consent_ends_at_ms: r.try_get(11)?,
                        revoked_at_ms: r.try_get(12)?,
                        tags: tags_from_column(r.try_get(13)?),
                    })
                })
                .collect()
        })
    }

    /// As [`crate::library::Library::revoke_face`]: the first revocation is kept.
    pub fn revoke_face(&self, asset_id: &str, reason: &str, now_ms: i64) -> Result<()> {
        let id = asset_id.to_string();
        let reason = reason.to_string();
        self.run(move |c| async move {
            let found = c
                .query_opt("SELECT 1 FROM faces WHERE asset_id = $1", &[&id])
                .await?;
            if found.is_none() {
                return Err(not_filed(&id).into());
            }
            c.execute(
                "UPDATE faces SET revoked_at_ms = $2, revoked_reason = $3
                 WHERE asset_id = $1 AND revoked_at_ms IS NULL",
                &[&id, &now_ms, &reason],
            )
            .await?;
            Ok(())
        })
    }

    pub fn face_thumbnail(&self, asset_id: &str) -> Result<Option<String>> {
        let id = asset_id.to_string();
        self.run(move |c| async move {
            let row = c
                .query_opt("SELECT thumbnail FROM faces WHERE asset_id = $1", &[&id])
                .await?;
            match row {
                Some(r) => Ok(r.try_get(0)?),
                None => Err(not_filed(&id).into()),
            }
        })
    }

    pub fn merge_remote_assets(
        &self,
        provider: ProviderKind,
        remote: &[RemoteAsset],
        now_ms: i64,
    ) -> Result<SyncReport> {
        let remote = remote.to_vec();
        let desk = self.desk.clone();
        self.run(move |mut c| async move {
            let mut report = SyncReport::default();
            let tx = c.transaction().await?;
            for a in &remote {
                let existing = tx
                    .query_opt(
                        "SELECT provider, status, status_message FROM faces WHERE asset_id = $1
                         FOR UPDATE",
                        &[&a.asset_id],
                    )
                    .await?;
                match existing {
                    None => {
                        let person: Option<String> = match &a.group_id {
                            Some(g) => tx
                                .query_opt(
                                    "SELECT name FROM faces WHERE provider = $1 AND group_id = $2
                                     ORDER BY enrolled_at_ms LIMIT 1",
                                    &[&provider.as_str(), g],
                                )
                                .await?
                                .map(|r| r.get(0)),
                            None => None,
                        };
                        let enrolled_at_ms = a
                            .created_at
                            .as_deref()
                            .and_then(crate::clock::parse_rfc3339)
                            .unwrap_or(now_ms);
                        let name = person.unwrap_or_else(|| {
                            crate::providers::byteplus::person_name(&a.name).to_string()
                        });
                        // Another desk may file it between the look and the insert.
                        let n = tx
                            .execute(
                                "INSERT INTO faces (asset_id, provider, kind, name, image_url,
                                     thumbnail, group_id, enrolled_at_ms, asset_type, status,
                                     status_message, desk)
                                 VALUES ($1, $2, 'asset', $3, $4, NULL, $5, $6, $7, $8, $9, $10)
                                 ON CONFLICT (asset_id) DO NOTHING",
                                &[
                                    &a.asset_id,
                                    &provider.as_str(),
                                    &name,
                                    &a.url.clone().unwrap_or_default(),
                                    &a.group_id,
                                    &enrolled_at_ms,
                                    &a.asset_type.as_str(),
                                    &a.status.as_str(),
                                    &a.problem,
                                    &desk,
                                ],
                            )
                            .await?;
                        if n > 0 {
                            report.added += 1;
                        } else {
                            report.unchanged += 1;
                        }
                    }
                    Some(r) => {
                        let p: String = r.try_get(0)?;
                        let status: String = r.try_get(1)?;
                        let message: Option<String> = r.try_get(2)?;
                        if p != provider.as_str() {
                            report.conflicts += 1;
                        } else if status == a.status.as_str() && message == a.problem {
                            report.unchanged += 1;
                        } else {
                            tx.execute(
                                "UPDATE faces SET status = $2, status_message = $3
                                 WHERE asset_id = $1",
                                &[&a.asset_id, &a.status.as_str(), &a.problem],
                            )
                            .await?;
                            report.updated += 1;
                        }
                    }
                }
            }
            tx.commit().await?;
            Ok(report)
        })
    }

    pub fn merge_remote_faces(
        &self,
        provider: ProviderKind,
        remote: &[RemoteFace],
        now_ms: i64,
    ) -> Result<SyncReport> {
        let remote = remote.to_vec();
        let desk = self.desk.clone();
        self.run(move |mut c| async move {
            let mut report = SyncReport::default();
            let tx = c.transaction().await?;
            for f in &remote {
                let existing = tx
                    .query_opt(
                        "SELECT provider, name, image_url, group_id, tx_hash FROM faces
                         WHERE asset_id = $1 FOR UPDATE",
                        &[&f.asset_id],
                    )
                    .await?;
                let kind = match f.kind {
                    RemoteFaceKind::RealFace => FaceKind::RealFace,
                    RemoteFaceKind::Portrait => FaceKind::Portrait,
                };
                match existing {
                    None => {
                        let enrolled_at_ms = f
                            .created_at
                            .as_deref()
                            .and_then(crate::clock::parse_rfc3339)
                            .unwrap_or(now_ms);
                        let n = tx
                            .execute(
                                "INSERT INTO faces (asset_id, provider, kind, name, image_url,
                                     thumbnail, group_id, enrolled_at_ms, price_usd, tx_hash, desk)
                                 VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, NULL, $8, $9)
                                 ON CONFLICT (asset_id) DO NOTHING",
                                &[
                                    &f.asset_id,
                                    &provider.as_str(),
                                    &kind_str(kind),
                                    &f.name,
                                    &f.image_url,
                                    &f.group_id,
                                    &enrolled_at_ms,
                                    &f.tx_hash,
                                    &desk,
                                ],
                            )
                            .await?;
                        if n > 0 {
                            report.added += 1;
                        } else {
                            report.unchanged += 1;
                        }
                    }
                    Some(r) => {
                        let p: String = r.try_get(0)?;
                        let name: String = r.try_get(1)?;
                        let image_url: String = r.try_get(2)?;
                        let group_id: Option<String> = r.try_get(3)?;
                        let tx_hash: Option<String> = r.try_get(4)?;
                        if p != provider.as_str() {
                            report.conflicts += 1;
                            continue;
                        }
                        // The studio's name for a face (typed at enrollment, or a rename in the drawer)
                        // is the library's: a listing fills a name only where there is none.
                        let same = (!name.is_empty() || name == f.name)
                            && (f.image_url.is_empty() || image_url == f.image_url)
                            && (f.group_id.is_none() || group_id == f.group_id)
                            && (f.tx_hash.is_none() || tx_hash.is_some());
                        if same {
                            report.unchanged += 1;
                            continue;
                        }
                        tx.execute(
                            "UPDATE faces SET name = CASE WHEN name = '' THEN $2 ELSE name END,
                                 image_url = CASE WHEN $3 = '' THEN image_url ELSE $3 END,
                                 group_id = COALESCE($4, group_id), tx_hash = COALESCE(tx_hash, $5)
                             WHERE asset_id = $1",
                            &[&f.asset_id, &f.name, &f.image_url, &f.group_id, &f.tx_hash],
                        )
                        .await?;
                        report.updated += 1;
                    }
                }
            }
            tx.commit().await?;
            Ok(report)
        })
    }

    /// As [`crate::library::Library::payment_for`].
    pub fn payment_for(
        &self,
        asset_id: &str,
        provider: ProviderKind,
        tx_hash: Option<&str>,
    ) -> Result<ConsentPayment> {
        let id = asset_id.to_string();
        let tx_hash = tx_hash.map(str::to_string);
        self.run(move |c| async move {
            let settled = c
                .query_opt(
                    "SELECT id, settlement_tx FROM payments WHERE asset_id = $1 AND status = 'settled'
                     ORDER BY updated_at_ms DESC, seq DESC LIMIT 1",
                    &[&id],
                )
                .await?;
            Ok(match settled {
                Some(r) => ConsentPayment::X402 {
                    ledger_id: r.try_get(0)?,
                    tx_hash: r.try_get::<_, Option<String>>(1)?.or(tx_hash),
                },
                None => ConsentPayment::Account { provider },
            })
        })
    }

    /// As [`crate::library::Library::group_liveness_ref`].
    pub fn group_liveness_ref(
        &self,
        provider: ProviderKind,
        group_id: &str,
    ) -> Result<Option<String>> {
        let group = group_id.to_string();
        self.run(move |c| async move {
            let filed = c
                .query_opt(
                    "SELECT liveness_ref FROM faces
                     WHERE provider = $1 AND group_id = $2 AND liveness_ref IS NOT NULL
                     ORDER BY enrolled_at_ms, seq LIMIT 1",
                    &[&provider.as_str(), &group],
                )
                .await?;
            if let Some(r) = filed {
                return Ok(Some(r.try_get(0)?));
            }
            let session = c
                .query_opt(
                    "SELECT id FROM sessions
                     WHERE provider = $1 AND group_id = $2
                       AND state IN ('verified', 'awaiting_payment', 'enrolling', 'enrolled')
                     ORDER BY updated_at_ms DESC LIMIT 1",
                    &[&provider.as_str(), &group],
                )
                .await?;
            Ok(session.map(|r| liveness_ref(&r.get::<_, String>(0), &group)))
        })
    }
}
