//! Faces in the library: what is filed (with its consent record and any revocation), the list
//! the window shows, the search over it, and the merges of providers' listings.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::consent::{ConsentPayment, ConsentRecord};
use super::release::{Revocation, TalentConsent};
use super::{bad_value, parse_provider, Library};
use crate::error::{Error, Result};
use crate::media::AssetType;
use crate::providers::{AssetStatus, ProviderKind, RemoteAsset};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum FaceKind {
    /// A real person, enrolled after a liveness check.
    RealFace,
    /// An AI character, enrolled without liveness.
    Portrait,
    /// A file in a BytePlus group of a person verified on the phone (`asset-…`): a photo, a
    /// video or a voice clip, used in Seedance as `asset://<id>`.
    Asset,
}

/// An enrolled face in the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Face {
    pub asset_id: String,
    pub provider: ProviderKind,
    pub kind: FaceKind,
    pub name: String,
    pub image_url: String,
    pub thumbnail: Option<String>,
    pub group_id: Option<String>,
    pub enrolled_at_ms: i64,
    pub price_usd: Option<String>,
    pub tx_hash: Option<String>,
    /// The photo checks the operator overrode at enrollment (comma-separated ids), if any.
    pub photo_override: Option<String>,
    /// What the file is: `ta_…` faces are always images.
    pub asset_type: AssetType,
    /// Where the provider stands with it: `ta_…` faces are active once enrolled.
    pub status: AssetStatus,
    /// Why a failed asset failed, in plain words.
    pub status_message: Option<String>,
    /// Who ran the session, when, the liveness session, the photo's sha256 and what paid.
    /// `None` for faces enrolled elsewhere (filled in from a provider's listing).
    #[serde(default)]
    pub consent: Option<ConsentRecord>,
    /// Withdrawn from use: no new video of it is made.
    #[serde(default)]
    pub revoked: Option<Revocation>,
    /// The producers' labels (tags, projects), shared by the person's files; see
    /// `Library::set_face_tags`.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl Face {
    /// The release the talent agreed to at enrollment, if one was kept.
    pub fn release(&self) -> Option<&TalentConsent> {
        self.consent.as_ref().and_then(|c| c.release.as_ref())
    }

    /// Refused (revoked, or its release ended) for new video at `now_ms`.
    pub fn check_usable(&self, now_ms: i64) -> Result<()> {
        super::release::check_usable(&self.name, self.revoked.as_ref(), self.release(), now_ms)
    }
}

impl FaceKind {
    /// The name used in the database and the CLI (`real_face`, `portrait`, `asset`).
    pub fn as_str(self) -> &'static str {
        kind_str(self)
    }

    pub fn parse(s: &str) -> Option<Self> {
        [FaceKind::RealFace, FaceKind::Portrait, FaceKind::Asset]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One row of the library list: what the list shows and filters on, without the preview image
/// (fetched per visible row with `face_thumbnail`) or the consent details (`get_face`), so
/// 10,000 rows list in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FaceSummary {
    pub asset_id: String,
    pub provider: ProviderKind,
    pub kind: FaceKind,
    pub name: String,
    pub group_id: Option<String>,
    pub enrolled_at_ms: i64,
    pub asset_type: AssetType,
    pub status: AssetStatus,
    pub status_message: Option<String>,
    /// A preview was made at enrollment: ask for it with `face_thumbnail`.
    pub has_thumbnail: bool,
    /// The face has a consent record in this studio (faces enrolled elsewhere do not).
    pub has_consent: bool,
    /// When the release the talent agreed to ends (none kept: `None`).
    pub consent_ends_at_ms: Option<i64>,
    /// When the face was revoked, if it was.
    pub revoked_at_ms: Option<i64>,
    /// The producers' labels, searched like the name.
    pub tags: Vec<String>,
}

impl FaceSummary {
    /// Revoked, or past its release's end: shown struck through, refused for new video.
    pub fn withdrawn(&self, now_ms: i64) -> bool {
        self.revoked_at_ms.is_some() || self.consent_ends_at_ms.is_some_and(|e| now_ms >= e)
    }
}

impl From<&Face> for FaceSummary {
    fn from(f: &Face) -> Self {
        FaceSummary {
            asset_id: f.asset_id.clone(),
            provider: f.provider,
            kind: f.kind,
            name: f.name.clone(),
            group_id: f.group_id.clone(),
            enrolled_at_ms: f.enrolled_at_ms,
            asset_type: f.asset_type,
            status: f.status,
            status_message: f.status_message.clone(),
            has_thumbnail: f.thumbnail.as_deref().is_some_and(|t| !t.is_empty()),
            has_consent: f.consent.is_some(),
            consent_ends_at_ms: f.release().map(|c| c.ends_at_ms),
            revoked_at_ms: f.revoked.as_ref().map(|r| r.at_ms),
            tags: f.tags.clone(),
        }
    }
}

/// The library's search: part of a name, an asset id, a group id or a tag (case and surrounding
/// spaces do not matter), and optionally one provider and one kind. The same rule as the
/// window's search box.
#[derive(Debug, Clone, Default)]
pub struct FaceFilter {
    query: String,
    ascii: bool,
    provider: Option<ProviderKind>,
    kind: Option<FaceKind>,
}

impl FaceFilter {
    pub fn new(query: &str, provider: Option<ProviderKind>, kind: Option<FaceKind>) -> Self {
        let query = query.trim().to_lowercase();
        FaceFilter {
            ascii: query.is_ascii(),
            query,
            provider,
            kind,
        }
    }

    fn text_matches(&self, text: &str) -> bool {
        let q = self.query.as_bytes();
        if self.ascii && text.is_ascii() {
            // No allocation per row: this runs on every keystroke over the whole library.
            return text
                .as_bytes()
                .windows(q.len())
                .any(|w| w.eq_ignore_ascii_case(q));
        }
        text.to_lowercase().contains(&self.query)
    }

    fn matches_parts(
        &self,
        provider: ProviderKind,
        kind: FaceKind,
        name: &str,
        asset_id: &str,
        group_id: Option<&str>,
        tags: &[String],
    ) -> bool {
        if self.provider.is_some_and(|p| p != provider) || self.kind.is_some_and(|k| k != kind) {
            return false;
        }
        self.query.is_empty()
            || self.text_matches(name)
            || self.text_matches(asset_id)
            || group_id.is_some_and(|g| self.text_matches(g))
            || tags.iter().any(|t| self.text_matches(t))
    }

    pub fn matches(&self, f: &FaceSummary) -> bool {
        self.matches_parts(
            f.provider,
            f.kind,
            &f.name,
            &f.asset_id,
            f.group_id.as_deref(),
            &f.tags,
        )
    }

    pub fn matches_face(&self, f: &Face) -> bool {
        self.matches_parts(
            f.provider,
            f.kind,
            &f.name,
            &f.asset_id,
            f.group_id.as_deref(),
            &f.tags,
        )
    }
}

/// The rows matching a search (see [`FaceFilter`]), in the order given.
pub fn filter<'a>(
    faces: &'a [FaceSummary],
    query: &str,
    provider: Option<ProviderKind>,
    kind: Option<FaceKind>,
) -> Vec<&'a FaceSummary> {
    let f = FaceFilter::new(query, provider, kind);
    faces.iter().filter(|s| f.matches(s)).collect()
}

/// A filed face's provider, name, photo link, group and payment, as a sync compares them.
type KnownFace = (String, String, String, Option<String>, Option<String>);

/// What a library sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub added: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// Ids the provider listed that the library files under another provider.
    pub conflicts: u32,
}

impl Library {
    /// Files a face. A face already filed keeps its consent record: the record made at
    /// enrollment is never rewritten by a later save or sync. Its tags are kept too: they
    /// change only through `set_face_tags` (an enrollment or a sync knows none).
    pub fn save_face(&self, f: &Face) -> Result<()> {
        if let Some(db) = self.shared() {
            return db.save_face(f);
        }
        let consent = f.consent.as_ref();
        let release = f.release();
        self.conn().execute(
            "INSERT INTO faces (asset_id, provider, kind, name, image_url, thumbnail, group_id, enrolled_at_ms,
                                price_usd, tx_hash, photo_override, asset_type, status, status_message,
                                consent_operator, consent_at_ms, liveness_ref, photo_sha256, payment_ref,
                                release_version, release_text, release_sha256, typed_name, agreed_at_ms,
                                consent_ends_at_ms, revoked_at_ms, revoked_reason, hosted_deleted_at_ms, tags)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
                     ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)
             ON CONFLICT(asset_id) DO UPDATE SET name = ?4, image_url = ?5,
                 thumbnail = COALESCE(?6, faces.thumbnail), group_id = COALESCE(?7, faces.group_id),
                 price_usd = COALESCE(?9, faces.price_usd), tx_hash = COALESCE(?10, faces.tx_hash),
                 photo_override = COALESCE(?11, faces.photo_override), status = ?13, status_message = ?14,
                 consent_operator = COALESCE(faces.consent_operator, ?15),
                 consent_at_ms = COALESCE(faces.consent_at_ms, ?16),
                 liveness_ref = COALESCE(faces.liveness_ref, ?17),
                 photo_sha256 = COALESCE(faces.photo_sha256, ?18),
                 payment_ref = COALESCE(faces.payment_ref, ?19),
                 release_version = CASE WHEN faces.agreed_at_ms IS NULL THEN ?20 ELSE faces.release_version END,
                 release_text = CASE WHEN faces.agreed_at_ms IS NULL THEN ?21 ELSE faces.release_text END,
                 release_sha256 = CASE WHEN faces.agreed_at_ms IS NULL THEN ?22 ELSE faces.release_sha256 END,
                 typed_name = CASE WHEN faces.agreed_at_ms IS NULL THEN ?23 ELSE faces.typed_name END,
                 consent_ends_at_ms = CASE WHEN faces.agreed_at_ms IS NULL THEN ?25 ELSE faces.consent_ends_at_ms END,
                 agreed_at_ms = COALESCE(faces.agreed_at_ms, ?24),
                 revoked_at_ms = COALESCE(faces.revoked_at_ms, ?26),
                 revoked_reason = CASE WHEN faces.revoked_at_ms IS NULL THEN ?27 ELSE faces.revoked_reason END,
                 hosted_deleted_at_ms = COALESCE(faces.hosted_deleted_at_ms, ?28)",
            params![
                f.asset_id,
                f.provider.as_str(),
                kind_str(f.kind),
                f.name,
                f.image_url,
                f.thumbnail,
                f.group_id,
                f.enrolled_at_ms,
                f.price_usd,
                f.tx_hash,
                f.photo_override,
                f.asset_type.as_str(),
                f.status.as_str(),
                f.status_message,
                consent.map(|c| c.operator.as_str()),
                consent.map(|c| c.recorded_at_ms),
                consent.and_then(|c| c.liveness_ref.as_deref()),
                consent.and_then(|c| c.file_sha256.as_deref()),
                consent.and_then(|c| c.payment.as_ref()).map(ConsentPayment::to_column),
                release.map(|r| r.template_version),
                release.map(|r| r.release_text.as_str()),
                release.map(|r| r.release_sha256.as_str()),
                release.map(|r| r.typed_name.as_str()),
                release.map(|r| r.agreed_at_ms),
                release.map(|r| r.ends_at_ms),
                f.revoked.as_ref().map(|r| r.at_ms),
                f.revoked.as_ref().map(|r| r.reason.as_str()),
                consent.and_then(|c| c.hosted_copy_deleted_at_ms),
                super::tags_column(&f.tags),
            ],
        )?;
        Ok(())
    }

    /// Records where the provider stands with an asset. `false` when the id is not filed.
    pub fn update_asset_status(
        &self,
        asset_id: &str,
        status: AssetStatus,
        message: Option<&str>,
    ) -> Result<bool> {
        if let Some(db) = self.shared() {
            return db.update_asset_status(asset_id, status, message);
        }
        let n = self.conn().execute(
            "UPDATE faces SET status = ?2, status_message = ?3 WHERE asset_id = ?1",
            params![asset_id, status.as_str(), message],
        )?;
        Ok(n > 0)
    }

    pub fn face(&self, asset_id: &str) -> Result<Face> {
        if let Some(db) = self.shared() {
            return db.face(asset_id);
        }
        self.query_faces("WHERE asset_id = ?1", params![asset_id])?
            .pop()
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "No asset {asset_id} in the library. Run `likeness faces` to list them."
                ))
            })
    }

    /// Assets the provider is still processing, oldest first, so a restart resumes watching
    /// them.
    pub fn processing_assets(&self) -> Result<Vec<Face>> {
        if let Some(db) = self.shared() {
            return db.processing_assets();
        }
        let mut v = self.query_faces("WHERE status = 'processing'", params![])?;
        v.reverse();
        Ok(v)
    }

    /// The assets filed under one person's group, newest first.
    pub fn group_assets(&self, provider: ProviderKind, group_id: &str) -> Result<Vec<Face>> {
        if let Some(db) = self.shared() {
            return db.group_assets(provider, group_id);
        }
        self.query_faces(
            "WHERE provider = ?1 AND group_id = ?2",
            params![provider.as_str(), group_id],
        )
    }

    /// Merges a BytePlus provider's asset listing by asset id: new ones are added under the
    /// name of the person already filed with that group (else the asset's own name), known ones
    /// take the provider's status. Ids never cross providers.
    pub fn merge_remote_assets(
        &self,
        provider: ProviderKind,
        remote: &[RemoteAsset],
        now_ms: i64,
    ) -> Result<SyncReport> {
        if let Some(db) = self.shared() {
            return db.merge_remote_assets(provider, remote, now_ms);
        }
        let mut report = SyncReport::default();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for a in remote {
            let existing: Option<(String, String, Option<String>)> = tx
                .query_row(
                    "SELECT provider, status, status_message FROM faces WHERE asset_id = ?1",
                    [&a.asset_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            match existing {
                None => {
                    let person: Option<String> = match &a.group_id {
                        Some(g) => tx
                            .query_row(
                                "SELECT name FROM faces WHERE provider = ?1 AND group_id = ?2
                                 ORDER BY enrolled_at_ms LIMIT 1",
                                params![provider.as_str(), g],
                                |r| r.get(0),
                            )
                            .optional()?,
                        None => None,
                    };
                    let enrolled_at_ms = a
                        .created_at
                        .as_deref()
                        .and_then(crate::clock::parse_rfc3339)
                        .unwrap_or(now_ms);
                    tx.execute(
                        "INSERT INTO faces (asset_id, provider, kind, name, image_url, thumbnail, group_id,
                                            enrolled_at_ms, asset_type, status, status_message)
                         VALUES (?1, ?2, 'asset', ?3, ?4, NULL, ?5, ?6, ?7, ?8, ?9)",
                        params![
                            a.asset_id,
                            provider.as_str(),
                            person.unwrap_or_else(|| {
                                crate::providers::byteplus::person_name(&a.name).to_string()
                            }),
                            a.url.clone().unwrap_or_default(),
                            a.group_id,
                            enrolled_at_ms,
                            a.asset_type.as_str(),
                            a.status.as_str(),
                            a.problem,
                        ],
                    )?;
                    report.added += 1;
                }
                Some((p, ..)) if p != provider.as_str() => report.conflicts += 1,
                Some((_, status, message)) => {
                    if status == a.status.as_str() && message == a.problem {
                        report.unchanged += 1;
                        continue;
                    }
                    tx.execute(
                        "UPDATE faces SET status = ?2, status_message = ?3 WHERE asset_id = ?1",
                        params![a.asset_id, a.status.as_str(), a.problem],
                    )?;
                    report.updated += 1;
                }
            }
        }
        tx.commit()?;
        Ok(report)
    }

    /// Merges a provider's listing into the library by asset id: new ids are added, known ones
    /// take the provider's name and fill gaps, and local-only fields (the thumbnail made at
    /// enrollment, the price paid) are kept. Ids never cross providers: an id already filed
    /// under another provider is left alone and counted as a conflict.
    pub fn merge_remote_faces(
        &self,
        provider: ProviderKind,
        remote: &[crate::providers::RemoteFace],
        now_ms: i64,
    ) -> Result<SyncReport> {
        if let Some(db) = self.shared() {
            return db.merge_remote_faces(provider, remote, now_ms);
        }
        let mut report = SyncReport::default();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for f in remote {
            let existing: Option<KnownFace> = tx
                .query_row(
                    "SELECT provider, name, image_url, group_id, tx_hash FROM faces WHERE asset_id = ?1",
                    [&f.asset_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let kind = match f.kind {
                crate::providers::RemoteFaceKind::RealFace => FaceKind::RealFace,
                crate::providers::RemoteFaceKind::Portrait => FaceKind::Portrait,
            };
            match existing {
                None => {
                    let enrolled_at_ms = f
                        .created_at
                        .as_deref()
                        .and_then(crate::clock::parse_rfc3339)
                        .unwrap_or(now_ms);
                    tx.execute(
                        "INSERT INTO faces (asset_id, provider, kind, name, image_url, thumbnail, group_id,
                                            enrolled_at_ms, price_usd, tx_hash)
                         VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7, NULL, ?8)",
                        params![
                            f.asset_id,
                            provider.as_str(),
                            kind_str(kind),
                            f.name,
                            f.image_url,
                            f.group_id,
                            enrolled_at_ms,
                            f.tx_hash,
                        ],
                    )?;
                    report.added += 1;
                }
                Some((p, ..)) if p != provider.as_str() => report.conflicts += 1,
                Some((_, name, image_url, group_id, tx_hash)) => {
                    // The studio's name for a face (typed at enrollment, or a rename in the drawer)
                    // is the library's: a listing fills a name only where there is none.
                    let same = (!name.is_empty() || name == f.name)
                        && (f.image_url.is_empty() || image_url == f.image_url)
                        && (f.group_id.is_none() || group_id == f.group_id)
                        && (f.tx_hash.is_none() || tx_hash.is_some());
                    if same {
                        report.unchanged += 1;
                        continue;
                    }
                    tx.execute(
                        "UPDATE faces SET name = CASE WHEN name = '' THEN ?2 ELSE name END,
                             image_url = CASE WHEN ?3 = '' THEN image_url ELSE ?3 END,
                             group_id = COALESCE(?4, group_id), tx_hash = COALESCE(tx_hash, ?5)
                         WHERE asset_id = ?1",
                        params![f.asset_id, f.name, f.image_url, f.group_id, f.tx_hash],
                    )?;
                    report.updated += 1;
                }
            }
        }
        tx.commit()?;
        Ok(report)
    }

    /// Newest first.
    pub fn faces(&self) -> Result<Vec<Face>> {
        if let Some(db) = self.shared() {
            return db.faces();
        }
        self.query_faces("", params![])
    }

    fn query_faces(&self, filter: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<Face>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT asset_id, provider, kind, name, image_url, thumbnail, group_id, enrolled_at_ms, price_usd, tx_hash,
                    photo_override, asset_type, status, status_message,
                    consent_operator, consent_at_ms, liveness_ref, photo_sha256, payment_ref,
                    release_version, release_text, release_sha256, typed_name, agreed_at_ms,
                    consent_ends_at_ms, revoked_at_ms, revoked_reason, hosted_deleted_at_ms, tags
             FROM faces {filter} ORDER BY enrolled_at_ms DESC, rowid DESC"
        ))?;
        let rows = stmt.query_map(args, |r| {
            let asset_type: String = r.get(11)?;
            let status: String = r.get(12)?;
            let tx_hash: Option<String> = r.get(9)?;
            let consent = match r.get::<_, Option<i64>>(15)? {
                None => None,
                Some(recorded_at_ms) => Some(ConsentRecord {
                    operator: r.get::<_, Option<String>>(14)?.unwrap_or_default(),
                    recorded_at_ms,
                    liveness_ref: r.get(16)?,
                    file_sha256: r.get(17)?,
                    payment: r
                        .get::<_, Option<String>>(18)?
                        .and_then(|p| ConsentPayment::from_column(&p, tx_hash.clone())),
                    release: match r.get::<_, Option<i64>>(23)? {
                        None => None,
                        Some(agreed_at_ms) => Some(TalentConsent {
                            template_version: r.get(19)?,
                            release_text: r.get(20)?,
                            release_sha256: r.get(21)?,
                            typed_name: r.get(22)?,
                            agreed_at_ms,
                            ends_at_ms: r.get(24)?,
                        }),
                    },
                    hosted_copy_deleted_at_ms: r.get(27)?,
                }),
            };
            let revoked = match r.get::<_, Option<i64>>(25)? {
                None => None,
                Some(at_ms) => Some(Revocation {
                    at_ms,
                    reason: r.get::<_, Option<String>>(26)?.unwrap_or_default(),
                }),
            };
            Ok(Face {
                asset_id: r.get(0)?,
                provider: parse_provider(r.get::<_, String>(1)?)?,
                kind: parse_kind(&r.get::<_, String>(2)?),
                name: r.get(3)?,
                image_url: r.get(4)?,
                thumbnail: r.get(5)?,
                group_id: r.get(6)?,
                enrolled_at_ms: r.get::<_, i64>(7)?,
                price_usd: r.get(8)?,
                tx_hash,
                photo_override: r.get(10)?,
                asset_type: AssetType::parse(&asset_type)
                    .ok_or_else(|| bad_value(11, asset_type.clone()))?,
                status: AssetStatus::parse(&status).ok_or_else(|| bad_value(12, status.clone()))?,
                status_message: r.get(13)?,
                consent,
                revoked,
                tags: super::tags_from_column(&r.get::<_, String>(28)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The library list, newest first: one query, no previews (see [`FaceSummary`]).
    pub fn face_summaries(&self) -> Result<Vec<FaceSummary>> {
        if let Some(db) = self.shared() {
            return db.face_summaries();
        }
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT asset_id, provider, kind, name, group_id, enrolled_at_ms, asset_type, status,
                    status_message, thumbnail IS NOT NULL, consent_at_ms IS NOT NULL,
                    consent_ends_at_ms, revoked_at_ms, tags
             FROM faces ORDER BY enrolled_at_ms DESC, rowid DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            let asset_type: String = r.get(6)?;
            let status: String = r.get(7)?;
            Ok(FaceSummary {
                asset_id: r.get(0)?,
                provider: parse_provider(r.get::<_, String>(1)?)?,
                kind: parse_kind(&r.get::<_, String>(2)?),
                name: r.get(3)?,
                group_id: r.get(4)?,
                enrolled_at_ms: r.get(5)?,
                asset_type: AssetType::parse(&asset_type)
                    .ok_or_else(|| bad_value(6, asset_type.clone()))?,
                status: AssetStatus::parse(&status).ok_or_else(|| bad_value(7, status.clone()))?,
                status_message: r.get(8)?,
                has_thumbnail: r.get(9)?,
                has_consent: r.get(10)?,
                consent_ends_at_ms: r.get(11)?,
                revoked_at_ms: r.get(12)?,
                tags: super::tags_from_column(&r.get::<_, String>(13)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// A face's preview (a `data:image/jpeg;base64,…` URL), for the list row that shows it.
    /// `None` when the face has none; an error when the id is not filed.
    pub fn face_thumbnail(&self, asset_id: &str) -> Result<Option<String>> {
        if let Some(db) = self.shared() {
            return db.face_thumbnail(asset_id);
        }
        self.conn()
            .query_row(
                "SELECT thumbnail FROM faces WHERE asset_id = ?1",
                [asset_id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "No asset {asset_id} in the library. Run `likeness faces` to list them."
                ))
            })
    }
}

pub(super) fn kind_str(k: FaceKind) -> &'static str {
    match k {
        FaceKind::RealFace => "real_face",
        FaceKind::Portrait => "portrait",
        FaceKind::Asset => "asset",
    }
}

pub(super) fn parse_kind(s: &str) -> FaceKind {
    match s {
        "portrait" => FaceKind::Portrait,
        "asset" => FaceKind::Asset,
        _ => FaceKind::RealFace,
    }
}
