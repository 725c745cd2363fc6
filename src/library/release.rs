//! The release the talent reads and agrees to before their QR appears: the studio's template
//! (production, uses, term, territory, free text), versioned so a record can name the one it was
//! made under, and what the talent gave ([`TalentConsent`]: the exact text, its sha256, the name
//! they typed, when, and when it ends). A face may later be revoked ([`Revocation`]); a revoked
//! face, or one past its consent's end, is refused for generation.
//!
//! The templates live in the library (both backends), so every desk of a studio on the shared
//! database reads the same release, and old versions stay for the records that name them.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Library;
use crate::error::{ConsentProblem, Error, Result};

/// The longest a production name, a territory or a typed name may be.
pub const MAX_SHORT_CHARS: usize = 120;
/// The longest the uses or the free text may be.
pub const MAX_LONG_CHARS: usize = 4000;
/// The longest a term may run: 100 years.
pub const MAX_TERM_MONTHS: u32 = 1200;

/// One version of the studio's release. Version 0 is the built-in default, used until the
/// studio saves its own; saving a changed template makes the next version and keeps the old.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseTemplate {
    pub version: u32,
    /// The production (or studio) the likeness is released to.
    pub production: String,
    /// What the likeness may be used for.
    pub uses: String,
    /// How long the release runs from the day the talent agrees, in months.
    pub term_months: u32,
    /// Where it may be used.
    pub territory: String,
    /// Anything else the studio's release says, in its own words.
    pub free_text: String,
    /// When this version was saved; 0 for the built-in default.
    pub saved_at_ms: i64,
}

impl Default for ReleaseTemplate {
    fn default() -> Self {
        ReleaseTemplate {
            version: 0,
            production: "This studio's productions".into(),
            uses: "Generating video of my likeness (face and, where recorded, voice) with AI \
                   video models, for the production named above, and showing that video in it."
                .into(),
            term_months: 24,
            territory: "Worldwide".into(),
            free_text: "I can ask the studio to revoke this release at any time; from then on \
                        no new video of my likeness is made. Video already made stays as it is."
                .into(),
            saved_at_ms: 0,
        }
    }
}

impl ReleaseTemplate {
    /// The exact text the talent reads, and whose sha256 their consent keeps. It holds no date
    /// or name, so every talent shown one version sees the same bytes.
    pub fn text(&self) -> String {
        let months = match self.term_months {
            1 => "1 month".to_string(),
            m if m % 12 == 0 && m >= 12 => match m / 12 {
                1 => "1 year".to_string(),
                y => format!("{y} years"),
            },
            m => format!("{m} months"),
        };
        let mut t = format!(
            "Release of likeness (version {version})\n\
             Production: {production}\n\
             Uses: {uses}\n\
             Term: {months} from the day I agree\n\
             Territory: {territory}\n",
            version = self.version,
            production = self.production.trim(),
            uses = self.uses.trim(),
            territory = self.territory.trim(),
        );
        if !self.free_text.trim().is_empty() {
            t.push_str(self.free_text.trim());
            t.push('\n');
        }
        t.push_str(
            "By typing my name and pressing “I agree”, I release my likeness for these uses, \
             for this term, in this territory.",
        );
        t
    }

    /// The fields, checked: what to fix, by field, when one is empty or too long.
    pub fn validate(&self) -> Result<()> {
        short("release_production", "production", &self.production)?;
        long("release_uses", "uses", &self.uses, true)?;
        short("release_territory", "territory", &self.territory)?;
        long("release_free_text", "free text", &self.free_text, false)?;
        if !(1..=MAX_TERM_MONTHS).contains(&self.term_months) {
            return Err(Error::invalid(
                "release_term_months",
                format!("The term is in months: pick 1 to {MAX_TERM_MONTHS}."),
            ));
        }
        Ok(())
    }

    /// Whether `other` says the same thing (its version and save time aside).
    fn same_terms(&self, other: &ReleaseTemplate) -> bool {
        self.production.trim() == other.production.trim()
            && self.uses.trim() == other.uses.trim()
            && self.term_months == other.term_months
            && self.territory.trim() == other.territory.trim()
            && self.free_text.trim() == other.free_text.trim()
    }

    /// The consent a talent gives to this version at `agreed_at_ms`.
    pub fn agreed(&self, typed_name: &str, agreed_at_ms: i64) -> Result<TalentConsent> {
        let typed_name = validate_typed_name(typed_name)?;
        let text = self.text();
        Ok(TalentConsent {
            template_version: self.version,
            release_sha256: sha256_hex(&text),
            release_text: text,
            typed_name,
            agreed_at_ms,
            ends_at_ms: add_months(agreed_at_ms, self.term_months),
        })
    }
}

fn short(field: &'static str, what: &str, v: &str) -> Result<()> {
    let n = v.trim().chars().count();
    if n == 0 {
        return Err(Error::invalid(field, format!("Type the release's {what}.")));
    }
    if n > MAX_SHORT_CHARS {
        return Err(Error::invalid(
            field,
            format!("The {what} is {n} characters; keep it to {MAX_SHORT_CHARS} or fewer."),
        ));
    }
    Ok(())
}

fn long(field: &'static str, what: &str, v: &str, required: bool) -> Result<()> {
    let n = v.trim().chars().count();
    if required && n == 0 {
        return Err(Error::invalid(field, format!("Type the release's {what}.")));
    }
    if n > MAX_LONG_CHARS {
        return Err(Error::invalid(
            field,
            format!("The {what} is {n} characters; keep it to {MAX_LONG_CHARS} or fewer."),
        ));
    }
    Ok(())
}

/// The name the talent typed under the release: on one line, not empty.
pub fn validate_typed_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    let n = name.chars().count();
    if n == 0 {
        return Err(Error::invalid(
            "typed_name",
            "Type your name to agree to the release.",
        ));
    }
    if n > MAX_SHORT_CHARS {
        return Err(Error::invalid(
            "typed_name",
            format!("The name is {n} characters; keep it to {MAX_SHORT_CHARS} or fewer."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid("typed_name", "Type your name on one line."));
    }
    Ok(name.to_string())
}

/// Lowercase hex sha256 of the text's UTF-8 bytes.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The same time of day `months` calendar months later (UTC), the day clamped to the month's
/// last: agreed on 31 January with a 1-month term, it ends on 28 (or 29) February.
pub fn add_months(ms: i64, months: u32) -> i64 {
    let day_ms = 86_400_000;
    let days = ms.div_euclid(day_ms);
    let in_day = ms.rem_euclid(day_ms);
    let (y, m, d) = crate::clock::civil_from_days(days);
    let total = y * 12 + (m as i64 - 1) + months as i64;
    let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let last = {
        let (fy, fm) = if nm == 12 { (ny + 1, 1) } else { (ny, nm + 1) };
        crate::clock::days_from_civil(fy, fm, 1) - crate::clock::days_from_civil(ny, nm, 1)
    };
    let nd = (d as i64).min(last) as u32;
    crate::clock::days_from_civil(ny, nm, nd) * day_ms + in_day
}

/// What the talent agreed to, on the talent's own screen, before their QR appeared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TalentConsent {
    /// The template version the text was made from (0: the built-in default).
    pub template_version: u32,
    /// The exact text shown.
    pub release_text: String,
    /// sha256 (lowercase hex) of `release_text`'s UTF-8 bytes.
    pub release_sha256: String,
    /// The name the talent typed.
    pub typed_name: String,
    pub agreed_at_ms: i64,
    /// When the release's term ends; from then the face acts as revoked.
    pub ends_at_ms: i64,
}

/// A face withdrawn from use: when, and why in the operator's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Revocation {
    pub at_ms: i64,
    pub reason: String,
}

/// The longest revocation reason kept.
pub const MAX_REASON_CHARS: usize = 500;

/// Whether a face may still be used for new video at `now_ms`: refused once revoked, or once
/// the release it was enrolled under has ended. Faces without a release (from before releases
/// were kept, or enrolled elsewhere) are not refused.
pub fn check_usable(
    name: &str,
    revoked: Option<&Revocation>,
    release: Option<&TalentConsent>,
    now_ms: i64,
) -> Result<()> {
    if let Some(r) = revoked {
        let why = if r.reason.trim().is_empty() {
            String::new()
        } else {
            format!(" (reason: {})", r.reason.trim())
        };
        return Err(Error::Consent {
            problem: ConsentProblem::Revoked,
            message: format!(
                "{name}'s consent was revoked on {}{why}. No new video of this face can be made.",
                crate::clock::rfc3339(r.at_ms).get(..10).unwrap_or_default()
            ),
        });
    }
    if let Some(c) = release.filter(|c| now_ms >= c.ends_at_ms) {
        return Err(Error::Consent {
            problem: ConsentProblem::Expired,
            message: format!(
                "{name}'s release ended on {}. No new video of this face can be made; ask them to agree to a new release and enroll again.",
                crate::clock::rfc3339(c.ends_at_ms)
                    .get(..10)
                    .unwrap_or_default()
            ),
        });
    }
    Ok(())
}

impl Library {
    /// The release in force: the newest saved version, else the built-in default (version 0).
    pub fn release_template(&self) -> Result<ReleaseTemplate> {
        Ok(self
            .release_templates()?
            .into_iter()
            .next()
            .unwrap_or_default())
    }

    /// Every saved version, newest first (the built-in default is not among them).
    pub fn release_templates(&self) -> Result<Vec<ReleaseTemplate>> {
        if let Some(db) = self.shared() {
            return db.release_templates();
        }
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT version, production, uses, term_months, territory, free_text, saved_at_ms
             FROM release_templates ORDER BY version DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ReleaseTemplate {
                version: r.get(0)?,
                production: r.get(1)?,
                uses: r.get(2)?,
                term_months: r.get(3)?,
                territory: r.get(4)?,
                free_text: r.get(5)?,
                saved_at_ms: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// One saved version, for a record that names it.
    pub fn release_version(&self, version: u32) -> Result<ReleaseTemplate> {
        if version == 0 {
            return Ok(ReleaseTemplate::default());
        }
        self.release_templates()?
            .into_iter()
            .find(|t| t.version == version)
            .ok_or_else(|| Error::NotFound(format!("No release version {version} was saved.")))
    }

    /// Saves `t` as the next version when it says something new; the same terms again keep the
    /// version in force. The version and save time given are ignored.
    pub fn save_release_template(
        &self,
        t: &ReleaseTemplate,
        now_ms: i64,
    ) -> Result<ReleaseTemplate> {
        t.validate()?;
        let current = self.release_template()?;
        if current.same_terms(t) {
            return Ok(current);
        }
        let saved = ReleaseTemplate {
            version: current.version + 1,
            production: t.production.trim().to_string(),
            uses: t.uses.trim().to_string(),
            term_months: t.term_months,
            territory: t.territory.trim().to_string(),
            free_text: t.free_text.trim().to_string(),
            saved_at_ms: now_ms,
        };
        if let Some(db) = self.shared() {
            return db.insert_release_template(&saved);
        }
        self.conn().execute(
            "INSERT INTO release_templates (version, production, uses, term_months, territory, free_text, saved_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                saved.version,
                saved.production,
                saved.uses,
                saved.term_months,
                saved.territory,
                saved.free_text,
                saved.saved_at_ms
            ],
        )?;
        Ok(saved)
    }

    /// Revokes a filed face: kept with its record, never undone. A face already revoked keeps
    /// its first revocation. Returns the face as filed now.
    pub fn revoke_face(&self, asset_id: &str, reason: &str, now_ms: i64) -> Result<super::Face> {
        let reason = reason.trim();
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(Error::invalid(
                "reason",
                format!("Keep the reason to {MAX_REASON_CHARS} characters or fewer."),
            ));
        }
        if let Some(db) = self.shared() {
            db.revoke_face(asset_id, reason, now_ms)?;
            return self.face(asset_id);
        }
        let found: Option<i64> = self
            .conn()
            .query_row("SELECT 1 FROM faces WHERE asset_id = ?1", [asset_id], |r| {
                r.get(0)
            })
            .optional()?;
        if found.is_none() {
            return Err(Error::NotFound(format!(
                "No asset {asset_id} in the library. Run `likeness faces` to list them."
            )));
        }
        self.conn().execute(
            "UPDATE faces SET revoked_at_ms = ?2, revoked_reason = ?3
             WHERE asset_id = ?1 AND revoked_at_ms IS NULL",
            params![asset_id, now_ms, reason],
        )?;
        self.face(asset_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_valid_and_its_text_names_every_term() {
        let t = ReleaseTemplate::default();
        t.validate().unwrap();
        let text = t.text();
        for part in [
            "version 0",
            "Production: This studio's productions",
            "Term: 2 years from the day I agree",
            "Territory: Worldwide",
            "revoke",
            "“I agree”",
        ] {
            assert!(text.contains(part), "{part:?} in {text}");
        }
        assert_eq!(sha256_hex(&text).len(), 64);
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn bad_fields_are_refused_by_field() {
        let cases: [(&str, ReleaseTemplate); 4] = [
            (
                "release_production",
                ReleaseTemplate {
                    production: " ".into(),
                    ..Default::default()
                },
            ),
            (
                "release_uses",
                ReleaseTemplate {
                    uses: "".into(),
                    ..Default::default()
                },
            ),
            (
                "release_term_months",
                ReleaseTemplate {
                    term_months: 0,
                    ..Default::default()
                },
            ),
            (
                "release_territory",
                ReleaseTemplate {
                    territory: "x".repeat(121),
                    ..Default::default()
                },
            ),
        ];
        for (field, t) in cases {
            match t.validate() {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        assert!(validate_typed_name("  ").is_err());
        assert!(validate_typed_name("Ada\nLovelace").is_err());
        assert_eq!(
            validate_typed_name(" Ada Lovelace ").unwrap(),
            "Ada Lovelace"
        );
    }

    #[test]
    fn terms_end_on_the_same_day_months_later_clamped_to_the_month() {
        // 2026-01-31T10:00:00Z + 1 month = 2026-02-28T10:00:00Z.
        let jan31 = crate::clock::parse_rfc3339("2026-01-31T10:00:00Z").unwrap();
        assert_eq!(
            crate::clock::rfc3339(add_months(jan31, 1)),
            crate::clock::rfc3339(crate::clock::parse_rfc3339("2026-02-28T10:00:00Z").unwrap())
        );
        let d = crate::clock::parse_rfc3339("2026-12-07T14:00:00Z").unwrap();
        assert_eq!(
            add_months(d, 24),
            crate::clock::parse_rfc3339("2028-12-07T14:00:00Z").unwrap()
        );
        let c = ReleaseTemplate::default().agreed("Ada", d).unwrap();
        assert_eq!(c.ends_at_ms, add_months(d, 24));
        assert_eq!(c.release_sha256, sha256_hex(&c.release_text));
    }

    #[test]
    fn revoked_or_ended_faces_are_refused_with_their_own_code() {
        let c = ReleaseTemplate::default().agreed("Ada", 0).unwrap();
        assert!(check_usable("Ada", None, Some(&c), c.ends_at_ms - 1).is_ok());
        assert!(
            check_usable("Ada", None, None, i64::MAX).is_ok(),
            "no release: still works"
        );
        let ended = check_usable("Ada", None, Some(&c), c.ends_at_ms).unwrap_err();
        assert_eq!(ended.code(), crate::error::ErrorCode::ConsentExpired);
        let r = Revocation {
            at_ms: 0,
            reason: "asked by her agent".into(),
        };
        let revoked = check_usable("Ada", Some(&r), Some(&c), 1).unwrap_err();
        assert_eq!(revoked.code(), crate::error::ErrorCode::ConsentRevoked);
        assert!(
            revoked.to_string().contains("asked by her agent"),
            "{revoked}"
        );
    }
}
