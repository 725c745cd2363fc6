//! Moving a desk's SQLite library into the shared database (`likeness library migrate`):
//! rows keep their ids, anything already there is left as it is, so a second run copies
//! nothing.

use serde::Serialize;

use super::Database;
use crate::error::Result;
use crate::library::Library;

/// What one table's copy did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub struct CopyReport {
    pub table: &'static str,
    pub copied: u64,
    pub already_there: u64,
}

impl CopyReport {
    fn count(&mut self, copied: bool) {
        if copied {
            self.copied += 1;
        } else {
            self.already_there += 1;
        }
    }
}

impl Database {
    /// Copies `from`'s faces (with their consent records), payments, video jobs, open
    /// sessions and release versions, oldest first so the shared list keeps the desk's order.
    pub fn copy_from(&self, from: &Library) -> Result<Vec<CopyReport>> {
        let mut faces = CopyReport {
            table: "faces",
            ..CopyReport::default()
        };
        for f in from.faces()?.iter().rev() {
            faces.count(self.import_face(f)?);
        }
        let mut payments = CopyReport {
            table: "payments",
            ..CopyReport::default()
        };
        for p in from.payments()?.iter().rev() {
            payments.count(self.import_payment(p)?);
        }
        let mut jobs = CopyReport {
            table: "video_jobs",
            ..CopyReport::default()
        };
        for j in from.jobs()?.iter().rev() {
            jobs.count(self.import_job(j)?);
        }
        let mut sessions = CopyReport {
            table: "sessions",
            ..CopyReport::default()
        };
        for s in from.open_sessions()?.iter().rev() {
            sessions.count(self.import_session(s)?);
        }
        let mut releases = CopyReport {
            table: "release_templates",
            ..CopyReport::default()
        };
        for t in from.release_templates()?.iter().rev() {
            releases.count(self.import_release_template(t)?);
        }
        Ok(vec![faces, payments, jobs, sessions, releases])
    }
}
