//! What producers call a face and how they label it: the display name (renamed at will) and
//! its tags or projects ("Northwind spring", "stunt double"), searched like the name.
//!
//! Both belong to the person, not to one file: every face filed under one provider's group
//! (a BytePlus person's photos, videos and voice clips) takes the new name and tags together,
//! as the Library shows that person as one tile. The consent record is history and is never
//! touched: the name the talent typed stays what they typed.

use rusqlite::{params, OptionalExtension};

use super::Library;
use crate::error::{Error, Result};

/// The longest tag: a label that fits on a tile, not a note.
pub const MAX_TAG_CHARS: usize = 40;
/// The most tags one face carries.
pub const MAX_TAGS: usize = 12;

/// Tags as the producer typed them, made the one way they are kept: trimmed, blanks dropped,
/// a tag repeated in another case kept once (its first spelling), in the order given.
/// Refused, with what to change, when one is too long or they are too many.
pub fn normalize_tags<S: AsRef<str>>(raw: &[S]) -> Result<Vec<String>> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw {
        // Inner runs of spaces (and any line break, which separates tags in the column) are
        // one space: "Spring  2026" and "Spring 2026" are one label.
        let tag = tag
            .as_ref()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if tag.is_empty() {
            continue;
        }
        if tag.chars().any(char::is_control) {
            return Err(Error::invalid(
                "tags",
                format!(
                    "The tag {tag:?} has a control character in it. Type it again as plain text."
                ),
            ));
        }
        let n = tag.chars().count();
        if n > MAX_TAG_CHARS {
            return Err(Error::invalid(
                "tags",
                format!(
                    "The tag \"{tag}\" is {n} characters; keep each tag to {MAX_TAG_CHARS} or fewer."
                ),
            ));
        }
        let lower = tag.to_lowercase();
        if tags.iter().any(|t| t.to_lowercase() == lower) {
            continue;
        }
        tags.push(tag);
    }
    if tags.len() > MAX_TAGS {
        return Err(Error::invalid(
            "tags",
            format!(
                "That is {} tags; a face takes at most {MAX_TAGS}. Remove some.",
                tags.len()
            ),
        ));
    }
    Ok(tags)
}

/// The column's form: one tag a line ('' when none). A tag never holds a line break.
pub(super) fn tags_column(tags: &[String]) -> String {
    tags.join("\n")
}

pub(super) fn tags_from_column(column: &str) -> Vec<String> {
    if column.is_empty() {
        return Vec::new();
    }
    column.split('\n').map(str::to_string).collect()
}

impl Library {
    /// Renames a face, and every file of its person (one provider's group), in the library
    /// only: providers keep the name they were given. The consent record is left as it was.
    /// Returns the face as filed now.
    pub fn rename_face(&self, asset_id: &str, name: &str) -> Result<super::Face> {
        let name = crate::flow::validate_name(name)?;
        if let Some(db) = self.shared() {
            db.rename_face(asset_id, &name)?;
            return self.face(asset_id);
        }
        let (provider, group) = self.person_of(asset_id)?;
        self.conn().execute(
            "UPDATE faces SET name = ?3
             WHERE asset_id = ?1 OR (?4 <> '' AND provider = ?2 AND group_id = ?4)",
            params![asset_id, provider, name, group],
        )?;
        self.face(asset_id)
    }

    /// Sets a face's tags (and its person's, as [`Library::rename_face`]), replacing the ones
    /// it had; see [`normalize_tags`] for what is kept. Returns the face as filed now.
    pub fn set_face_tags<S: AsRef<str>>(&self, asset_id: &str, tags: &[S]) -> Result<super::Face> {
        let tags = normalize_tags(tags)?;
        if let Some(db) = self.shared() {
            db.set_face_tags(asset_id, &tags_column(&tags))?;
            return self.face(asset_id);
        }
        let (provider, group) = self.person_of(asset_id)?;
        self.conn().execute(
            "UPDATE faces SET tags = ?3
             WHERE asset_id = ?1 OR (?4 <> '' AND provider = ?2 AND group_id = ?4)",
            params![asset_id, provider, tags_column(&tags), group],
        )?;
        self.face(asset_id)
    }

    /// A filed face's provider and group ('' when it has none).
    fn person_of(&self, asset_id: &str) -> Result<(String, String)> {
        self.conn()
            .query_row(
                "SELECT provider, TRIM(COALESCE(group_id, '')) FROM faces WHERE asset_id = ?1",
                [asset_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "No asset {asset_id} in the library. Run `likeness faces` to list them."
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_deduplicated_in_any_case_and_kept_in_order() {
        let tags = normalize_tags(&[
            "  Northwind  spring ",
            "",
            "stunt",
            "NORTHWIND SPRING",
            "Zoë",
            "zoË",
        ])
        .unwrap();
        assert_eq!(tags, ["Northwind spring", "stunt", "Zoë"]);
        assert_eq!(tags_from_column(&tags_column(&tags)), tags);
        assert!(tags_from_column("").is_empty());
        assert!(normalize_tags::<&str>(&[]).unwrap().is_empty());
    }

    #[test]
    fn too_long_too_many_and_control_characters_are_refused_by_field() {
        let long = "x".repeat(MAX_TAG_CHARS + 1);
        let e = normalize_tags(&[long.as_str()]).unwrap_err();
        assert!(matches!(e, Error::Invalid { field: "tags", .. }), "{e:?}");
        assert!(e.to_string().contains("41 characters"), "{e}");
        assert!(
            normalize_tags(&["é".repeat(MAX_TAG_CHARS)]).is_ok(),
            "characters, not bytes"
        );

        let many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
        let e = normalize_tags(&many).unwrap_err();
        assert!(e.to_string().contains("at most 12"), "{e}");
        // Twelve after de-duplication is fine.
        let mut twelve: Vec<String> = (0..MAX_TAGS).map(|i| format!("t{i}")).collect();
        twelve.push("T0".into());
        assert_eq!(normalize_tags(&twelve).unwrap().len(), MAX_TAGS);

        let e = normalize_tags(&["bell\u{7}"]).unwrap_err();
        assert!(matches!(e, Error::Invalid { field: "tags", .. }), "{e:?}");
        // A line break inside a tag is a space, never a second tag.
        assert_eq!(normalize_tags(&["a\nb"]).unwrap(), ["a b"]);
    }
}
