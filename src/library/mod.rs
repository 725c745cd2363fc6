//! The studio's library: liveness sessions (so a restart resumes them), enrolled faces, the
//! payment ledger, video jobs and the log of rate-limited provider calls (so a restart cannot
//! overspend an hourly budget).
//!
//! One API, two places: the desk's own SQLite file (the default, nothing to set up), or the
//! studio's shared PostgreSQL database, where several desks share one library, one ledger and
//! one daily cap (`postgres`). Every method answers the same way on both; `tests/library.rs`
//! runs one suite against each.

pub(crate) mod account_charges;
mod calls;
mod changes;
mod consent;
mod faces;
mod jobs;
mod payments;
mod postgres;
mod receipt;
mod release;
mod schema;
mod sessions;
mod studio_database;
mod tags;

pub use account_charges::{AccountCharge, ChargeKind};
pub use calls::CallKind;
pub use changes::{watch_changes, LibraryChange, CHANGE_POLL};
pub use consent::{
    liveness_ref, split_liveness_ref, ConsentPayment, ConsentRecord, NO_CONSENT_RECORD,
    NO_CONSENT_RECORD_YET, NO_LIVENESS,
};
pub use faces::{filter, Face, FaceFilter, FaceKind, FaceSummary, SyncReport};
use faces::{kind_str, parse_kind};
pub use jobs::JobLease;
pub use payments::{payments_csv, usdc_decimal, PaymentRecord, PaymentStatus};
pub use postgres::{CopyReport, StudioCaps};
pub use receipt::{pdf_page_count, receipts_pdf, render_receipt, ReceiptInput};
pub use release::{
    add_months, check_usable, sha256_hex, validate_typed_name, ReleaseTemplate, Revocation,
    TalentConsent,
};
use sessions::consent_from_column;
pub use sessions::{DeskSession, LivenessSession};
pub use studio_database::{open_library, LibraryStatus, StudioDatabase};
pub use tags::{normalize_tags, MAX_TAGS, MAX_TAG_CHARS};
use tags::{tags_column, tags_from_column};

use std::path::Path;
use std::sync::Mutex;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::providers::ProviderKind;

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
}

pub(super) fn parse_provider(s: String) -> rusqlite::Result<ProviderKind> {
    ProviderKind::parse(&s).ok_or_else(|| bad_value(1, s))
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
            talent_consent: None,
            operator: "Grace".into(),
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
