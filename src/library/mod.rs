//! The studio's SQLite file: liveness sessions (so a restart resumes them), enrolled faces, and
//! the log of rate-limited provider calls (so a restart cannot overspend an hourly budget).

mod payments;
mod schema;

pub use payments::{payments_csv, usdc_decimal, PaymentRecord, PaymentStatus};

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::flow::SessionState;
use crate::media::AssetType;
use crate::providers::{AssetStatus, ProviderKind, RemoteAsset};

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum FaceKind {
    /// A real person, enrolled after a liveness check.
    RealFace,
    /// An AI character, enrolled without liveness.
    Portrait,
    /// A file in a BytePlus group of a person verified on the phone (`asset-…`): a photo, a
    /// video or a voice clip, used in Seedance as `asset://<id>`.
    Asset,
}

/// An enrolled face in the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Face {
    pub asset_id: String,
    pub provider: ProviderKind,
    pub kind: FaceKind,
    pub name: String,
    pub image_url: String,
    pub thumbnail: Option<String>,
    pub group_id: Option<String>,
    pub enrolled_at_ms: i64,
    pub price_usd: Option<String>,
    pub tx_hash: Option<String>,
    /// The photo checks the operator overrode at enrollment (comma-separated ids), if any.
    pub photo_override: Option<String>,
    /// What the file is: `ta_…` faces are always images.
    pub asset_type: AssetType,
    /// Where the provider stands with it: `ta_…` faces are active once enrolled.
    pub status: AssetStatus,
    /// Why a failed asset failed, in plain words.
    pub status_message: Option<String>,
}

/// A filed face's provider, name, photo link, group and payment, as a sync compares them.
type KnownFace = (String, String, String, Option<String>, Option<String>);

/// What a library sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub added: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// Ids the provider listed that the library files under another provider.
    pub conflicts: u32,
}

/// Which hourly budget a provider call counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Init,
    Status,
}

impl CallKind {
    fn as_str(self) -> &'static str {
        match self {
            CallKind::Init => "init",
            CallKind::Status => "status",
        }
    }
}

/// The SQLite file's name inside the data folder.
pub const FILE_NAME: &str = "likeness.sqlite3";

/// The app's data folder (`$XDG_DATA_HOME/studio.likeness.app`), shared with the CLI so both see
/// one library. The Tauri shell resolves the same folder through its path API.
pub fn default_data_dir() -> std::path::PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"))
        })
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    base.join(APP_IDENTIFIER)
}

/// Must match `identifier` in src-tauri/tauri.conf.json.
pub const APP_IDENTIFIER: &str = "studio.likeness.app";

pub struct Library {
    conn: Mutex<Connection>,
}

impl Library {
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Storage(format!("cannot create {}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path)?;
        // WAL keeps the CLI and the app from blocking each other on one file.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Self::with(conn)
    }

    pub fn open_in_memory() -> Result<Self> {
        Self::with(Connection::open_in_memory()?)
    }

    fn with(conn: Connection) -> Result<Self> {
        schema::migrate(&conn)?;
        Ok(Library {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().expect("library connection poisoned")
    }

    pub fn save_session(&self, s: &LivenessSession) -> Result<()> {
        self.conn().execute(
            "INSERT INTO sessions (id, provider, group_id, talent_name, image_url, h5_link, expires_at_ms,
                                   state, asset_id, created_at_ms, updated_at_ms, link_issued_at_ms,
                                   photo_override, liveness_token)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT(id) DO UPDATE SET group_id = ?3, talent_name = ?4, image_url = ?5, h5_link = ?6, expires_at_ms = ?7, state = ?8,
                                           asset_id = ?9, updated_at_ms = ?11, link_issued_at_ms = ?12,
                                           photo_override = ?13, liveness_token = ?14",
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
            ],
        )?;
        Ok(())
    }

    pub fn session(&self, id: &str) -> Result<LivenessSession> {
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
    /// verified and not yet enrolled. Newest first.
    pub fn open_sessions(&self) -> Result<Vec<LivenessSession>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "{SESSION_COLUMNS} WHERE state IN ('awaiting_scan', 'expired', 'verified', 'awaiting_payment', 'enrolling')
             ORDER BY created_at_ms DESC"
        ))?;
        let rows = stmt.query_map([], session_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn save_face(&self, f: &Face) -> Result<()> {
        self.conn().execute(
            "INSERT INTO faces (asset_id, provider, kind, name, image_url, thumbnail, group_id, enrolled_at_ms,
                                price_usd, tx_hash, photo_override, asset_type, status, status_message)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
             ON CONFLICT(asset_id) DO UPDATE SET name = ?4, image_url = ?5,
                 thumbnail = COALESCE(?6, faces.thumbnail), group_id = COALESCE(?7, faces.group_id),
                 price_usd = COALESCE(?9, faces.price_usd), tx_hash = COALESCE(?10, faces.tx_hash),
                 photo_override = COALESCE(?11, faces.photo_override), status = ?13, status_message = ?14",
            params![
                f.asset_id,
                f.provider.as_str(),
                kind_str(f.kind),
                f.name,
                f.image_url,
                f.thumbnail,
                f.group_id,
                f.enrolled_at_ms,
                f.price_usd,
                f.tx_hash,
                f.photo_override,
                f.asset_type.as_str(),
                f.status.as_str(),
                f.status_message,
            ],
        )?;
        Ok(())
    }

    /// Records where the provider stands with an asset. `false` when the id is not filed.
    pub fn update_asset_status(
        &self,
        asset_id: &str,
        status: AssetStatus,
        message: Option<&str>,
    ) -> Result<bool> {
        let n = self.conn().execute(
            "UPDATE faces SET status = ?2, status_message = ?3 WHERE asset_id = ?1",
            params![asset_id, status.as_str(), message],
        )?;
        Ok(n > 0)
    }

    pub fn face(&self, asset_id: &str) -> Result<Face> {
        self.query_faces("WHERE asset_id = ?1", params![asset_id])?
            .pop()
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "No asset {asset_id} in the library. Run `likeness faces` to list them."
                ))
            })
    }

    /// Assets the provider is still processing, oldest first, so a restart resumes watching
    /// them.
    pub fn processing_assets(&self) -> Result<Vec<Face>> {
        let mut v = self.query_faces("WHERE status = 'processing'", params![])?;
        v.reverse();
        Ok(v)
    }

    /// The assets filed under one person's group, newest first.
    pub fn group_assets(&self, provider: ProviderKind, group_id: &str) -> Result<Vec<Face>> {
        self.query_faces(
            "WHERE provider = ?1 AND group_id = ?2",
            params![provider.as_str(), group_id],
        )
    }

    /// Merges a BytePlus provider's asset listing by asset id: new ones are added under the
    /// name of the person already filed with that group (else the asset's own name), known ones
    /// take the provider's status. Ids never cross providers.
    pub fn merge_remote_assets(
        &self,
        provider: ProviderKind,
        remote: &[RemoteAsset],
        now_ms: i64,
    ) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for a in remote {
            let existing: Option<(String, String, Option<String>)> = tx
                .query_row(
                    "SELECT provider, status, status_message FROM faces WHERE asset_id = ?1",
                    [&a.asset_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            match existing {
                None => {
                    let person: Option<String> = match &a.group_id {
                        Some(g) => tx
                            .query_row(
                                "SELECT name FROM faces WHERE provider = ?1 AND group_id = ?2
                                 ORDER BY enrolled_at_ms LIMIT 1",
                                params![provider.as_str(), g],
                                |r| r.get(0),
                            )
                            .optional()?,
                        None => None,
                    };
                    let enrolled_at_ms = a
                        .created_at
                        .as_deref()
                        .and_then(crate::clock::parse_rfc3339)
                        .unwrap_or(now_ms);
                    tx.execute(
                        "INSERT INTO faces (asset_id, provider, kind, name, image_url, thumbnail, group_id,
                                            enrolled_at_ms, asset_type, status, status_message)
                         VALUES (?1, ?2, 'asset', ?3, ?4, NULL, ?5, ?6, ?7, ?8, ?9)",
                        params![
                            a.asset_id,
                            provider.as_str(),
                            person.unwrap_or_else(|| {
                                crate::providers::byteplus::person_name(&a.name).to_string()
                            }),
                            a.url.clone().unwrap_or_default(),
                            a.group_id,
                            enrolled_at_ms,
                            a.asset_type.as_str(),
                            a.status.as_str(),
                            a.problem,
                        ],
                    )?;
                    report.added += 1;
                }
                Some((p, ..)) if p != provider.as_str() => report.conflicts += 1,
                Some((_, status, message)) => {
                    if status == a.status.as_str() && message == a.problem {
                        report.unchanged += 1;
                        continue;
                    }
                    tx.execute(
                        "UPDATE faces SET status = ?2, status_message = ?3 WHERE asset_id = ?1",
                        params![a.asset_id, a.status.as_str(), a.problem],
                    )?;
                    report.updated += 1;
                }
            }
        }
        tx.commit()?;
        Ok(report)
    }

    /// Merges a provider's listing into the library by asset id: new ids are added, known ones
    /// take the provider's name and fill gaps, and local-only fields (the thumbnail made at
    /// enrollment, the price paid) are kept. Ids never cross providers: an id already filed
    /// under another provider is left alone and counted as a conflict.
    pub fn merge_remote_faces(
        &self,
        provider: ProviderKind,
        remote: &[crate::providers::RemoteFace],
        now_ms: i64,
    ) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for f in remote {
            let existing: Option<KnownFace> = tx
                .query_row(
                    "SELECT provider, name, image_url, group_id, tx_hash FROM faces WHERE asset_id = ?1",
                    [&f.asset_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let kind = match f.kind {
                crate::providers::RemoteFaceKind::RealFace => FaceKind::RealFace,
                crate::providers::RemoteFaceKind::Portrait => FaceKind::Portrait,
            };
            match existing {
                None => {
                    let enrolled_at_ms = f
                        .created_at
                        .as_deref()
                        .and_then(crate::clock::parse_rfc3339)
                        .unwrap_or(now_ms);
                    tx.execute(
                        "INSERT INTO faces (asset_id, provider, kind, name, image_url, thumbnail, group_id,
                                            enrolled_at_ms, price_usd, tx_hash)
                         VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7, NULL, ?8)",
                        params![
                            f.asset_id,
                            provider.as_str(),
                            kind_str(kind),
                            f.name,
                            f.image_url,
                            f.group_id,
                            enrolled_at_ms,
                            f.tx_hash,
                        ],
                    )?;
                    report.added += 1;
                }
                Some((p, ..)) if p != provider.as_str() => report.conflicts += 1,
                Some((_, name, image_url, group_id, tx_hash)) => {
                    let same = name == f.name
                        && (f.image_url.is_empty() || image_url == f.image_url)
                        && (f.group_id.is_none() || group_id == f.group_id)
                        && (f.tx_hash.is_none() || tx_hash.is_some());
                    if same {
                        report.unchanged += 1;
                        continue;
                    }
                    tx.execute(
                        "UPDATE faces SET name = ?2,
                             image_url = CASE WHEN ?3 = '' THEN image_url ELSE ?3 END,
                             group_id = COALESCE(?4, group_id), tx_hash = COALESCE(tx_hash, ?5)
                         WHERE asset_id = ?1",
                        params![f.asset_id, f.name, f.image_url, f.group_id, f.tx_hash],
                    )?;
                    report.updated += 1;
                }
            }
        }
        tx.commit()?;
        Ok(report)
    }

    /// Newest first.
    pub fn faces(&self) -> Result<Vec<Face>> {
        self.query_faces("", params![])
    }

    fn query_faces(&self, filter: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Face>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT asset_id, provider, kind, name, image_url, thumbnail, group_id, enrolled_at_ms, price_usd, tx_hash,
                    photo_override, asset_type, status, status_message
             FROM faces {filter} ORDER BY enrolled_at_ms DESC, rowid DESC"
        ))?;
        let rows = stmt.query_map(args, |r| {
            let asset_type: String = r.get(11)?;
            let status: String = r.get(12)?;
            Ok(Face {
                asset_id: r.get(0)?,
                provider: parse_provider(r.get::<_, String>(1)?)?,
                kind: parse_kind(&r.get::<_, String>(2)?),
                name: r.get(3)?,
                image_url: r.get(4)?,
                thumbnail: r.get(5)?,
                group_id: r.get(6)?,
                enrolled_at_ms: r.get::<_, i64>(7)?,
                price_usd: r.get(8)?,
                tx_hash: r.get(9)?,
                photo_override: r.get(10)?,
                asset_type: AssetType::parse(&asset_type)
                    .ok_or_else(|| bad_value(11, asset_type.clone()))?,
                status: AssetStatus::parse(&status).ok_or_else(|| bad_value(12, status.clone()))?,
                status_message: r.get(13)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Logs one budgeted call. `budget_key` is the provider host the budget belongs to
    /// ([`crate::providers::Provider::budget_key`]); the column keeps its old name.
    pub fn record_call(&self, budget_key: &str, kind: CallKind, at_ms: i64) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO provider_calls (provider, kind, at_ms) VALUES (?1, ?2, ?3)",
            params![budget_key, kind.as_str(), at_ms],
        )?;
        // Anything older than a day can never count against an hourly budget again.
        conn.execute(
            "DELETE FROM provider_calls WHERE at_ms < ?1",
            [at_ms - 86_400_000],
        )?;
        Ok(())
    }

    /// Call times within the hour before `now_ms`, oldest first.
    pub fn calls_in_last_hour(
        &self,
        budget_key: &str,
        kind: CallKind,
        now_ms: i64,
    ) -> Result<Vec<i64>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT at_ms FROM provider_calls WHERE provider = ?1 AND kind = ?2 AND at_ms > ?3 ORDER BY at_ms",
        )?;
        let rows = stmt.query_map(
            params![budget_key, kind.as_str(), now_ms - 3_600_000],
            |r| r.get(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

const SESSION_COLUMNS: &str =
    "SELECT id, provider, group_id, talent_name, image_url, h5_link, expires_at_ms, state,
    asset_id, created_at_ms, updated_at_ms, link_issued_at_ms, photo_override, liveness_token FROM sessions";

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
    })
}

pub(super) fn parse_provider(s: String) -> rusqlite::Result<ProviderKind> {
    ProviderKind::parse(&s).ok_or_else(|| bad_value(1, s))
}

fn kind_str(k: FaceKind) -> &'static str {
    match k {
        FaceKind::RealFace => "real_face",
        FaceKind::Portrait => "portrait",
        FaceKind::Asset => "asset",
    }
}

fn parse_kind(s: &str) -> FaceKind {
    match s {
        "portrait" => FaceKind::Portrait,
        "asset" => FaceKind::Asset,
        _ => FaceKind::RealFace,
    }
}

pub(super) fn bad_value(col: usize, value: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        col,
        rusqlite::types::Type::Text,
        format!("unknown value {value:?}").into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str, state: SessionState, created: i64) -> LivenessSession {
        LivenessSession {
            id: id.into(),
            provider: ProviderKind::Rehearsal,
            group_id: "legacy_rf_1".into(),
            talent_name: "Ada".into(),
            image_url: "https://x/a.jpg".into(),
            h5_link: "http://h/?a=1&b=2".into(),
            expires_at_ms: 120_000,
            link_issued_at_ms: 0,
            state,
            asset_id: None,
            created_at_ms: created,
            updated_at_ms: created,
            photo_override: None,
            liveness_token: None,
        }
    }

    #[test]
    fn sessions_round_trip_and_only_open_ones_are_listed() {
        let lib = Library::open_in_memory().unwrap();
        lib.save_session(&session("a", SessionState::AwaitingScan, 1))
            .unwrap();
        lib.save_session(&session("b", SessionState::Enrolled, 2))
            .unwrap();
        lib.save_session(&session("c", SessionState::Expired, 3))
            .unwrap();
        assert_eq!(
            lib.session("a").unwrap(),
            session("a", SessionState::AwaitingScan, 1)
        );
        let open: Vec<_> = lib
            .open_sessions()
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(open, ["c", "a"]);
        let mut a = lib.session("a").unwrap();
        a.state = SessionState::Verified;
        a.h5_link = "http://h/new".into();
        lib.save_session(&a).unwrap();
        assert_eq!(lib.session("a").unwrap().h5_link, "http://h/new");
        assert!(matches!(lib.session("zzz"), Err(Error::NotFound(_))));
    }

    #[test]
    fn faces_merge_by_asset_id_keeping_local_fields() {
        let lib = Library::open_in_memory().unwrap();
        let mut f = Face {
            asset_id: "ta_1".into(),
            provider: ProviderKind::Rehearsal,
            kind: FaceKind::RealFace,
            name: "Ada".into(),
            image_url: "https://x/a.jpg".into(),
            thumbnail: Some("data:image/jpeg;base64,AA==".into()),
            group_id: Some("legacy_rf_1".into()),
            enrolled_at_ms: 5,
            price_usd: Some("0.010000".into()),
            tx_hash: None,
            photo_override: Some("face_count".into()),
            asset_type: AssetType::Image,
            status: AssetStatus::Active,
            status_message: None,
        };
        lib.save_face(&f).unwrap();
        f.thumbnail = None;
        f.photo_override = None;
        f.name = "Ada L.".into();
        lib.save_face(&f).unwrap();
        let faces = lib.faces().unwrap();
        assert_eq!(faces.len(), 1);
        assert_eq!(faces[0].name, "Ada L.");
        assert!(
            faces[0].thumbnail.is_some(),
            "a sync without a thumbnail must keep the local one"
        );
        assert_eq!(
            faces[0].photo_override.as_deref(),
            Some("face_count"),
            "the override stays on the face's record"
        );
    }

    #[test]
    fn call_log_counts_only_the_last_hour() {
        let lib = Library::open_in_memory().unwrap();
        let p = "127.0.0.1:8402";
        lib.record_call("blockrun.ai", CallKind::Status, 3_600_500)
            .unwrap();
        for t in [0, 1_000_000, 3_000_000, 3_700_000] {
            lib.record_call(p, CallKind::Status, t).unwrap();
        }
        lib.record_call(p, CallKind::Init, 3_650_000).unwrap();
        assert_eq!(
            lib.calls_in_last_hour(p, CallKind::Status, 3_700_000)
                .unwrap(),
            [1_000_000, 3_000_000, 3_700_000]
        );
        assert_eq!(
            lib.calls_in_last_hour(p, CallKind::Init, 3_700_000)
                .unwrap(),
            [3_650_000]
        );
    }

    #[test]
    fn reopening_a_file_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/likeness.sqlite3");
        Library::open(&path)
            .unwrap()
            .save_session(&session("a", SessionState::AwaitingScan, 1))
            .unwrap();
        let again = Library::open(&path).unwrap();
        assert_eq!(
            again.session("a").unwrap().state,
            SessionState::AwaitingScan
        );
    }
}
