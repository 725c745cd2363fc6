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

/// What another desk (or window) changed: the window re-lists the library when
/// `faces_version` moves, and shows the other desks' open sessions as they are.
#[derive(Debug, Clone, PartialEq, serde::Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LibraryChange {
    pub faces_version: i64,
    pub other_desks: Vec<super::DeskSession>,
}

/// How often a desk looks: the bound is a face seen at the other desk within 2 s.
pub const CHANGE_POLL: std::time::Duration = std::time::Duration::from_millis(1000);

/// Polls `library` every `every` and calls `on_change` with each new state (the first at once),
/// until `on_change` answers `false`. A failed read is logged and tried again next time.
pub async fn watch_changes(
    library: std::sync::Arc<Library>,
    every: std::time::Duration,
    mut on_change: impl FnMut(LibraryChange) -> bool + Send,
) {
    let mut last: Option<LibraryChange> = None;
    loop {
        let read = library
            .faces_version()
            .and_then(|v| Ok((v, library.other_desks_sessions()?)));
        match read {
            Ok((faces_version, other_desks)) => {
                let now = LibraryChange {
                    faces_version,
                    other_desks,
                };
                if last.as_ref() != Some(&now) {
                    if !on_change(now.clone()) {
                        return;
                    }
                    last = Some(now);
                }
            }
            Err(e) => tracing::debug!(error = %e, "could not read the library's changes"),
        }
        tokio::time::sleep(every).await;
    }
}
