//! A cheap way for a desk to learn that the library changed elsewhere, so the window re-lists
//! only then: one small read, polled (on the shared database, another desk enrolled a face; on
//! a desk's file, the CLI or another window did).

use super::Library;
use crate::error::Result;

impl Library {
    /// A number that changes whenever faces were filed, changed or removed by another
    /// connection (on the shared database, by any desk, this one included). Compare it with the
    /// last one seen; when it differs, list again.
    pub fn faces_version(&self) -> Result<i64> {
        if let Some(db) = self.shared() {
            return db.faces_version();
        }
        // SQLite's own counter: it moves when another connection commits to the file.
        Ok(self
            .conn()
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }
}
