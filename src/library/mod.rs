//! The studio's library: liveness sessions (so a restart resumes them), enrolled faces, the
//! payment ledger, video jobs and the log of rate-limited provider calls (so a restart cannot
//! overspend an hourly budget).
//!
//! One API, two places: the desk's own SQLite file (the default, nothing to set up), or the
//! studio's shared PostgreSQL database, where several desks share one library, one ledger and
//! one daily cap (`postgres`). Every method answers the same way on both; `tests/library.rs`
//! runs one suite against each.

mod calls;
mod changes;
mod consent;
mod jobs;
mod payments;
mod postgres;
mod receipt;
mod schema;
mod sessions;
mod studio_database;

pub use calls::CallKind;
pub use changes::{watch_changes, LibraryChange, CHANGE_POLL};
pub use consent::{
    liveness_ref, split_liveness_ref, ConsentPayment, ConsentRecord, NO_CONSENT_RECORD,
    NO_CONSENT_RECORD_YET, NO_LIVENESS,
};
pub use jobs::JobLease;
pub use payments::{payments_csv, usdc_decimal, PaymentRecord, PaymentStatus};
pub use postgres::{CopyReport, StudioCaps};
pub use receipt::{render_receipt, ReceiptInput};
pub use sessions::{DeskSession, LivenessSession};
pub use studio_database::{open_library, LibraryStatus, StudioDatabase};

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::media::AssetType;
use crate::providers::{AssetStatus, ProviderKind, RemoteAsset};

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
    /// Who ran the session, when, the liveness session, the photo's sha256 and what paid.
    /// `None` for faces enrolled elsewhere (filled in from a provider's listing).
    #[serde(default)]
    pub consent: Option<ConsentRecord>,
}

impl FaceKind {
    /// The name used in the database and the CLI (`real_face`, `portrait`, `asset`).
    pub fn as_str(self) -> &'static str {
        kind_str(self)
    }

    pub fn parse(s: &str) -> Option<Self> {
        [FaceKind::RealFace, FaceKind::Portrait, FaceKind::Asset]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One row of the library list: what the list shows and filters on, without the preview image
/// (fetched per visible row with `face_thumbnail`) or the consent details (`get_face`), so
/// 10,000 rows list in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FaceSummary {
    pub asset_id: String,
    pub provider: ProviderKind,
    pub kind: FaceKind,
    pub name: String,
    pub group_id: Option<String>,
    pub enrolled_at_ms: i64,
    pub asset_type: AssetType,
    pub status: AssetStatus,
    pub status_message: Option<String>,
    /// A preview was made at enrollment: ask for it with `face_thumbnail`.
    pub has_thumbnail: bool,
    /// The face has a consent record in this studio (faces enrolled elsewhere do not).
    pub has_consent: bool,
}

impl From<&Face> for FaceSummary {
    fn from(f: &Face) -> Self {
        FaceSummary {
            asset_id: f.asset_id.clone(),
            provider: f.provider,
            kind: f.kind,
            name: f.name.clone(),
            group_id: f.group_id.clone(),
            enrolled_at_ms: f.enrolled_at_ms,
            asset_type: f.asset_type,
            status: f.status,
            status_message: f.status_message.clone(),
            has_thumbnail: f.thumbnail.as_deref().is_some_and(|t| !t.is_empty()),
            has_consent: f.consent.is_some(),
        }
    }
}

/// The library's search: part of a name, an asset id or a group id (case and surrounding
/// spaces do not matter), and optionally one provider and one kind. The same rule as the
/// window's search box.
#[derive(Debug, Clone, Default)]
pub struct FaceFilter {
    query: String,
    ascii: bool,
    provider: Option<ProviderKind>,
    kind: Option<FaceKind>,
}

impl FaceFilter {
    pub fn new(query: &str, provider: Option<ProviderKind>, kind: Option<FaceKind>) -> Self {
        let query = query.trim().to_lowercase();
        FaceFilter {
            ascii: query.is_ascii(),
            query,
            provider,
            kind,
        }
    }

    fn text_matches(&self, text: &str) -> bool {
        let q = self.query.as_bytes();
        if self.ascii && text.is_ascii() {
            // No allocation per row: this runs on every keystroke over the whole library.
            return text
                .as_bytes()
                .windows(q.len())
                .any(|w| w.eq_ignore_ascii_case(q));
        }
        text.to_lowercase().contains(&self.query)
    }

    fn matches_parts(
        &self,
        provider: ProviderKind,
        kind: FaceKind,
        name: &str,
        asset_id: &str,
        group_id: Option<&str>,
    ) -> bool {
        if self.provider.is_some_and(|p| p != provider) || self.kind.is_some_and(|k| k != kind) {
            return false;
        }
        self.query.is_empty()
            || self.text_matches(name)
            || self.text_matches(asset_id)
            || group_id.is_some_and(|g| self.text_matches(g))
    }

    pub fn matches(&self, f: &FaceSummary) -> bool {
        self.matches_parts(
            f.provider,
            f.kind,
            &f.name,
            &f.asset_id,
            f.group_id.as_deref(),
        )
    }

    pub fn matches_face(&self, f: &Face) -> bool {
        self.matches_parts(
            f.provider,
            f.kind,
            &f.name,
            &f.asset_id,
            f.group_id.as_deref(),
        )
    }
}

/// The rows matching a search (see [`FaceFilter`]), in the order given.
pub fn filter<'a>(
    faces: &'a [FaceSummary],
    query: &str,
    provider: Option<ProviderKind>,
    kind: Option<FaceKind>,
) -> Vec<&'a FaceSummary> {
    let f = FaceFilter::new(query, provider, kind);
    faces.iter().filter(|s| f.matches(s)).collect()
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

/// How much of the file SQLite may map (it maps only what exists).
const MMAP_BYTES: i64 = 1 << 30;

pub struct Library {
    store: Store,
}

/// Where the rows live.
enum Store {
    /// The desk's own SQLite file.
    File(Mutex<Connection>),
    /// The studio's shared PostgreSQL database.
    Shared(Box<postgres::Database>),
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
        // Previews make a large file whose rows spill onto overflow pages; reading them mapped
        // instead of through read() calls keeps a 10,000-face list well inside a frame budget.
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        Self::with(conn)
    }

    pub fn open_in_memory() -> Result<Self> {
        Self::with(Connection::open_in_memory()?)
    }

    fn with(conn: Connection) -> Result<Self> {
        schema::migrate(&conn)?;
        Ok(Library {
            store: Store::File(Mutex::new(conn)),
        })
    }

    /// The studio's shared database at `url` (`postgres://user@host:5432/studio`), migrated to
    /// this app's schema; refused when it is newer than this app. `password` is used when the
    /// URL carries none; `desk` is written on every row this desk files.
    pub fn connect(url: &str, password: Option<&str>, desk: &str) -> Result<Self> {
        Ok(Library {
            store: Store::Shared(Box::new(postgres::Database::connect(url, password, desk)?)),
        })
    }

    /// Whether this library is the studio's shared database.
    pub fn is_shared(&self) -> bool {
        self.shared().is_some()
    }

    /// `user@host:port/db` of the shared database, or `None` for the desk's file.
    pub fn shared_target(&self) -> Option<&str> {
        self.shared().map(postgres::Database::target)
    }

    /// The desk name this desk writes on shared rows (`None` on a desk's own file).
    pub fn desk(&self) -> Option<&str> {
        self.shared().map(postgres::Database::desk)
    }

    fn shared(&self) -> Option<&postgres::Database> {
        match &self.store {
            Store::Shared(db) => Some(db),
            Store::File(_) => None,
        }
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        match &self.store {
            Store::File(conn) => conn.lock().expect("library connection poisoned"),
            // Every method answers from the shared database before it asks for a file.
            Store::Shared(_) => unreachable!("the SQLite connection of a shared library"),
        }
    }

    /// The studio's caps on the shared database; `None` on a desk's file, where the desk's
    /// Settings are the caps.
    pub fn studio_caps(&self) -> Result<Option<StudioCaps>> {
        self.shared()
            .map(postgres::Database::studio_caps)
            .transpose()
    }

    /// Sets the studio's caps on the shared database (`None` keeps one as it is). On a desk's
    /// file there is nothing to set here: the caps are the desk's Settings.
    pub fn set_studio_caps(
        &self,
        per_payment_atomic: Option<u128>,
        daily_atomic: Option<u128>,
        now_ms: i64,
    ) -> Result<StudioCaps> {
        match self.shared() {
            Some(db) => db.set_studio_caps(per_payment_atomic, daily_atomic, now_ms),
            None => Err(Error::invalid(
                "caps",
                "This desk keeps its library in its own file, so its caps are in Settings (or \
                 settings.json). Studio caps need the shared database: pass --database-url.",
            )),
        }
    }

    /// The caps a payment is checked against: the studio's where it set them, else `desk`.
    pub fn caps_over(&self, desk: crate::spend::SpendCaps) -> Result<crate::spend::SpendCaps> {
        Ok(match self.studio_caps()? {
            Some(studio) => studio.over(desk),
            None => desk,
        })
    }

    /// Copies this library's faces, consent records, payments, video jobs and open sessions
    /// into the shared database `to`, keeping ids; what is already there is left alone.
    pub fn copy_into(&self, to: &Library) -> Result<Vec<CopyReport>> {
        match to.shared() {
            Some(db) => db.copy_from(self),
            None => Err(Error::invalid(
                "to",
                "A library moves into the studio's shared database: give a postgres:// address.",
            )),
        }
    }

    /// Files a face. A face already filed keeps its consent record: the record made at
    /// enrollment is never rewritten by a later save or sync.
    pub fn save_face(&self, f: &Face) -> Result<()> {
        if let Some(db) = self.shared() {
            return db.save_face(f);
        }
        let consent = f.consent.as_ref();
        self.conn().execute(
            "INSERT INTO faces (asset_id, provider, kind, name, image_url, thumbnail, group_id, enrolled_at_ms,
                                price_usd, tx_hash, photo_override, asset_type, status, status_message,
                                consent_operator, consent_at_ms, liveness_ref, photo_sha256, payment_ref,
                                hosted_deleted_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
             ON CONFLICT(asset_id) DO UPDATE SET name = ?4, image_url = ?5,
                 thumbnail = COALESCE(?6, faces.thumbnail), group_id = COALESCE(?7, faces.group_id),
                 price_usd = COALESCE(?9, faces.price_usd), tx_hash = COALESCE(?10, faces.tx_hash),
                 photo_override = COALESCE(?11, faces.photo_override), status = ?13, status_message = ?14,
                 consent_operator = COALESCE(faces.consent_operator, ?15),
                 consent_at_ms = COALESCE(faces.consent_at_ms, ?16),
                 liveness_ref = COALESCE(faces.liveness_ref, ?17),
                 photo_sha256 = COALESCE(faces.photo_sha256, ?18),
                 payment_ref = COALESCE(faces.payment_ref, ?19),
                 hosted_deleted_at_ms = COALESCE(faces.hosted_deleted_at_ms, ?20)",
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
                consent.map(|c| c.operator.as_str()),
                consent.map(|c| c.recorded_at_ms),
                consent.and_then(|c| c.liveness_ref.as_deref()),
                consent.and_then(|c| c.file_sha256.as_deref()),
                consent.and_then(|c| c.payment.as_ref()).map(ConsentPayment::to_column),
                consent.and_then(|c| c.hosted_copy_deleted_at_ms),
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
        if let Some(db) = self.shared() {
            return db.update_asset_status(asset_id, status, message);
        }
        let n = self.conn().execute(
            "UPDATE faces SET status = ?2, status_message = ?3 WHERE asset_id = ?1",
            params![asset_id, status.as_str(), message],
        )?;
        Ok(n > 0)
    }

    pub fn face(&self, asset_id: &str) -> Result<Face> {
        if let Some(db) = self.shared() {
            return db.face(asset_id);
        }
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
        if let Some(db) = self.shared() {
            return db.processing_assets();
        }
        let mut v = self.query_faces("WHERE status = 'processing'", params![])?;
        v.reverse();
        Ok(v)
    }

    /// The assets filed under one person's group, newest first.
    pub fn group_assets(&self, provider: ProviderKind, group_id: &str) -> Result<Vec<Face>> {
        if let Some(db) = self.shared() {
            return db.group_assets(provider, group_id);
        }
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
        if let Some(db) = self.shared() {
            return db.merge_remote_assets(provider, remote, now_ms);
        }
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
        if let Some(db) = self.shared() {
            return db.merge_remote_faces(provider, remote, now_ms);
        }
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
        if let Some(db) = self.shared() {
            return db.faces();
        }
        self.query_faces("", params![])
    }

    fn query_faces(&self, filter: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Face>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT asset_id, provider, kind, name, image_url, thumbnail, group_id, enrolled_at_ms, price_usd, tx_hash,
                    photo_override, asset_type, status, status_message,
                    consent_operator, consent_at_ms, liveness_ref, photo_sha256, payment_ref,
                    hosted_deleted_at_ms
             FROM faces {filter} ORDER BY enrolled_at_ms DESC, rowid DESC"
        ))?;
        let rows = stmt.query_map(args, |r| {
            let asset_type: String = r.get(11)?;
            let status: String = r.get(12)?;
            let tx_hash: Option<String> = r.get(9)?;
            let consent = match r.get::<_, Option<i64>>(15)? {
                None => None,
                Some(recorded_at_ms) => Some(ConsentRecord {
                    operator: r.get::<_, Option<String>>(14)?.unwrap_or_default(),
                    recorded_at_ms,
                    liveness_ref: r.get(16)?,
                    file_sha256: r.get(17)?,
                    payment: r
                        .get::<_, Option<String>>(18)?
                        .and_then(|p| ConsentPayment::from_column(&p, tx_hash.clone())),
                    hosted_copy_deleted_at_ms: r.get(19)?,
                }),
            };
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
                tx_hash,
                photo_override: r.get(10)?,
                asset_type: AssetType::parse(&asset_type)
                    .ok_or_else(|| bad_value(11, asset_type.clone()))?,
                status: AssetStatus::parse(&status).ok_or_else(|| bad_value(12, status.clone()))?,
                status_message: r.get(13)?,
                consent,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The library list, newest first: one query, no previews (see [`FaceSummary`]).
    pub fn face_summaries(&self) -> Result<Vec<FaceSummary>> {
        if let Some(db) = self.shared() {
            return db.face_summaries();
        }
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT asset_id, provider, kind, name, group_id, enrolled_at_ms, asset_type, status,
                    status_message, thumbnail IS NOT NULL, consent_at_ms IS NOT NULL
             FROM faces ORDER BY enrolled_at_ms DESC, rowid DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            let asset_type: String = r.get(6)?;
            let status: String = r.get(7)?;
            Ok(FaceSummary {
                asset_id: r.get(0)?,
                provider: parse_provider(r.get::<_, String>(1)?)?,
                kind: parse_kind(&r.get::<_, String>(2)?),
                name: r.get(3)?,
                group_id: r.get(4)?,
                enrolled_at_ms: r.get(5)?,
                asset_type: AssetType::parse(&asset_type)
                    .ok_or_else(|| bad_value(6, asset_type.clone()))?,
                status: AssetStatus::parse(&status).ok_or_else(|| bad_value(7, status.clone()))?,
                status_message: r.get(8)?,
                has_thumbnail: r.get(9)?,
                has_consent: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// A face's preview (a `data:image/jpeg;base64,…` URL), for the list row that shows it.
    /// `None` when the face has none; an error when the id is not filed.
    pub fn face_thumbnail(&self, asset_id: &str) -> Result<Option<String>> {
        if let Some(db) = self.shared() {
            return db.face_thumbnail(asset_id);
        }
        self.conn()
            .query_row(
                "SELECT thumbnail FROM faces WHERE asset_id = ?1",
                [asset_id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "No asset {asset_id} in the library. Run `likeness faces` to list them."
                ))
            })
    }
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
    use crate::flow::SessionState;

    #[test]
    fn reopening_a_file_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/likeness.sqlite3");
        let session = LivenessSession {
            id: "a".into(),
            provider: ProviderKind::Rehearsal,
            group_id: "legacy_rf_1".into(),
            talent_name: "Ada".into(),
            image_url: "https://x/a.jpg".into(),
            h5_link: "http://h/?a=1".into(),
            expires_at_ms: 120_000,
            link_issued_at_ms: 0,
            state: SessionState::AwaitingScan,
            asset_id: None,
            created_at_ms: 1,
            updated_at_ms: 1,
            photo_override: None,
            liveness_token: None,
        };
        Library::open(&path)
            .unwrap()
            .save_session(&session)
            .unwrap();
        let again = Library::open(&path).unwrap();
        assert_eq!(
            again.session("a").unwrap().state,
            SessionState::AwaitingScan
        );
    }
}
