//! A face's display name and tags on the shared database: as on a desk's file
//! (src/library/tags.rs), the whole person takes them, and the change counter tells the other
//! desks (the `faces_changed` trigger).

use super::Database;
use crate::error::{Error, Result};

/// Sets one text column on a face and on every file of its person (one provider's group), in
/// one statement. `column` is one of this file's own names, never the caller's text.
const PERSON_UPDATE: &str = "UPDATE faces SET {column} = $2
    WHERE asset_id = $1
       OR (provider, group_id) IN (SELECT provider, group_id FROM faces
                                   WHERE asset_id = $1 AND TRIM(COALESCE(group_id, '')) <> '')";

impl Database {
    /// As [`crate::library::Library::rename_face`] (the name is already checked).
    pub fn rename_face(&self, asset_id: &str, name: &str) -> Result<()> {
        self.set_person_text(asset_id, "name", name)
    }

    /// As [`crate::library::Library::set_face_tags`] (`tags` in the column's form).
    pub fn set_face_tags(&self, asset_id: &str, tags: &str) -> Result<()> {
        self.set_person_text(asset_id, "tags", tags)
    }

    fn set_person_text(&self, asset_id: &str, column: &'static str, value: &str) -> Result<()> {
        let id = asset_id.to_string();
        let value = value.to_string();
        let sql = PERSON_UPDATE.replace("{column}", column);
        self.run(move |c| async move {
            let n = c.execute(&sql, &[&id, &value]).await?;
            if n == 0 {
                return Err(Error::NotFound(format!(
                    "No asset {id} in the library. Run `likeness faces` to list them."
                ))
                .into());
            }
            Ok(())
        })
    }
}
