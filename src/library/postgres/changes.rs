//! The faces' change counter on the shared database: a one-row table a statement trigger on
//! `faces` bumps, so a desk polling it reads one row, not the library.

use super::Database;
use crate::error::Result;

impl Database {
    pub fn faces_version(&self) -> Result<i64> {
        self.run(move |c| async move {
            let row = c
                .query_one("SELECT faces FROM library_changes WHERE id = 1", &[])
                .await?;
            Ok(row.try_get(0)?)
        })
    }
}
