//! The log of rate-limited provider calls, so a restart (or another desk behind the same public
//! address, on the shared database) cannot overspend an hourly budget.

use rusqlite::params;

use super::{Library, Store};
use crate::error::Result;

/// Which hourly budget a provider call counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Init,
    Status,
    /// A poll of a Seedance video job (one budget per host, shared by every job).
    VideoPoll,
}

impl CallKind {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            CallKind::Init => "init",
            CallKind::Status => "status",
            CallKind::VideoPoll => "video_poll",
        }
    }
}

impl Library {
    /// Says this desk is not behind the studio's public address: its provider calls count
    /// against `network`'s hourly budget, not the one the studio's desks share. An empty name
    /// is the studio's network. A desk file has a budget of its own already.
    pub fn on_network(mut self, network: &str) -> Self {
        if let Store::Shared(db) = &mut self.store {
            db.set_network(network);
        }
        self
    }

    /// Logs one budgeted call. `budget_key` is the provider host the budget belongs to
    /// ([`crate::providers::Provider::budget_key`]); the column keeps its old name.
    pub fn record_call(&self, budget_key: &str, kind: CallKind, at_ms: i64) -> Result<()> {
        if let Some(db) = self.shared() {
            return db.record_call(budget_key, kind, at_ms);
        }
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
        if let Some(db) = self.shared() {
            return db.calls_in_last_hour(budget_key, kind, now_ms);
        }
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
