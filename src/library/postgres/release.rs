//! The studio's release templates on the shared database: one sequence of versions for every
//! desk, so a release saved at one desk is the one every desk shows next.

use tokio_postgres::Row;

use super::{Answer, Database};
use crate::error::{DatabaseProblem, Error, Result};
use crate::library::ReleaseTemplate;

fn from_row(r: &Row) -> Answer<ReleaseTemplate> {
    Ok(ReleaseTemplate {
        version: r.try_get::<_, i32>(0)?.max(0) as u32,
        production: r.try_get(1)?,
        uses: r.try_get(2)?,
        term_months: r.try_get::<_, i32>(3)?.max(0) as u32,
        territory: r.try_get(4)?,
        free_text: r.try_get(5)?,
        saved_at_ms: r.try_get(6)?,
    })
}

impl Database {
    pub fn release_templates(&self) -> Result<Vec<ReleaseTemplate>> {
        self.run(move |c| async move {
            let rows = c
                .query(
                    "SELECT version, production, uses, term_months, territory, free_text, saved_at_ms
                     FROM release_templates ORDER BY version DESC",
                    &[],
                )
                .await?;
            rows.iter().map(from_row).collect()
        })
    }

    /// Files `t` under its version. Two desks saving at once both ask for the same next
    /// version; the second is told to look again rather than overwrite the first.
    pub fn insert_release_template(&self, t: &ReleaseTemplate) -> Result<ReleaseTemplate> {
        let written = self.write_release_template(t, "ON CONFLICT (version) DO NOTHING")?;
        if written {
            return Ok(t.clone());
        }
        Err(Error::database(
            DatabaseProblem::Conflict,
            format!(
                "Another desk saved release version {} a moment ago. Reopen Settings to see it, \
                 then save your changes again.",
                t.version
            ),
        ))
    }

    /// Files a version moved in from a desk's file, unless that version is there.
    pub fn import_release_template(&self, t: &ReleaseTemplate) -> Result<bool> {
        self.write_release_template(t, "ON CONFLICT (version) DO NOTHING")
    }

    fn write_release_template(
        &self,
        t: &ReleaseTemplate,
        on_conflict: &'static str,
    ) -> Result<bool> {
        let t = t.clone();
        let desk = self.desk.clone();
        self.run(move |c| async move {
            let n = c
                .execute(
                    &format!(
                        "INSERT INTO release_templates (version, production, uses, term_months,
                             territory, free_text, saved_at_ms, desk)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) {on_conflict}"
                    ),
                    &[
                        &(t.version as i32),
                        &t.production,
                        &t.uses,
                        &(t.term_months as i32),
                        &t.territory,
                        &t.free_text,
                        &t.saved_at_ms,
                        &desk,
                    ],
                )
                .await?;
            Ok(n > 0)
        })
    }
}
