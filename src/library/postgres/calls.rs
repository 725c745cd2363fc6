//! The provider call log on the shared database: desks behind one public address spend one
//! hourly budget. A desk on another network (its own public address, its own budget) says so
//! with a network name, and counts only its network's calls.

use super::Database;
use crate::error::Result;
use crate::library::CallKind;

impl Database {
    pub fn record_call(&self, budget_key: &str, kind: CallKind, at_ms: i64) -> Result<()> {
        let key = budget_key.to_string();
        let desk = self.desk.clone();
        let network = self.network.clone();
        self.run(move |c| async move {
            c.execute(
                "INSERT INTO provider_calls (provider, kind, at_ms, desk, network)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&key, &kind.as_str(), &at_ms, &desk, &network],
            )
            .await?;
            // Anything older than a day can never count against an hourly budget again.
            c.execute(
                "DELETE FROM provider_calls WHERE at_ms < $1",
                &[&(at_ms - 86_400_000)],
            )
            .await?;
            Ok(())
        })
    }

    pub fn calls_in_last_hour(
        &self,
        budget_key: &str,
        kind: CallKind,
        now_ms: i64,
    ) -> Result<Vec<i64>> {
        let key = budget_key.to_string();
        let network = self.network.clone();
        self.run(move |c| async move {
            let rows = c
                .query(
                    "SELECT at_ms FROM provider_calls WHERE network = $4 AND provider = $1
                     AND kind = $2 AND at_ms > $3 ORDER BY at_ms",
                    &[&key, &kind.as_str(), &(now_ms - 3_600_000), &network],
                )
                .await?;
            Ok(rows.iter().map(|r| r.get(0)).collect())
        })
    }
}
