//! BytePlus groups (Anyfast, Crun): the verified person's first photo goes in at Enroll, and
//! more photos, videos and voice clips can be added later from the library without a new phone
//! check. Each upload is checked against the provider's limits first, and watched until the
//! provider has processed it.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::{EnrollOutcome, Studio};
use crate::error::{Error, Result};
use crate::flow::{next, Event, SessionState};
use crate::library::{
    liveness_ref, ConsentPayment, ConsentRecord, Face, FaceKind, LivenessSession,
};
use crate::media::{self, AssetType};
use crate::photo;
use crate::providers::{AssetStatus, AssetUpload, Provider, RemoteAsset};

/// Waits between asset status checks: quick at first (Rehearsal and small photos finish in
/// seconds), then every 15 s. Upstream allows 100 GetAsset calls a second, so this is courtesy.
const ASSET_CHECK_GAPS_S: [u64; 6] = [2, 3, 5, 5, 10, 10];
const ASSET_CHECK_GAP_S: u64 = 15;
/// After this long the watch stops; "Check again" in the library asks once more.
const ASSET_WATCH_LIMIT: Duration = Duration::from_secs(20 * 60);

/// A file checked before upload: a photo by the photo checks, a video or clip by the media ones.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum AssetFileCheck {
    Photo(photo::PhotoCheck),
    Media(media::MediaCheck),
}

/// A file ready to upload: its preview, the overridden checks, its sha256, and a photo's check.
type VettedFile = (
    Option<String>,
    Option<String>,
    String,
    Option<photo::PhotoCheck>,
);

impl Studio {
    pub fn subscribe_assets(&self) -> tokio::sync::broadcast::Receiver<Face> {
        self.asset_updates.subscribe()
    }

    /// Keeps the group BytePlus created for a session the moment its id arrives: the token it
    /// came with works only once.
    pub(super) fn keep_group(&self, session: &LivenessSession, group: &str) -> Result<()> {
        let mut current = self.library.session(&session.id)?;
        if current.h5_link != session.h5_link || current.group_id == group {
            return Ok(());
        }
        current.group_id = group.to_string();
        current.updated_at_ms = self.clock.now_ms();
        self.library.save_session(&current)?;
        tracing::info!(session = %current.id, group, "liveness group kept");
        Ok(())
    }

    /// Fetches and checks a file for a group against the provider's limits, without uploading.
    pub async fn check_asset_file(
        &self,
        asset_type: AssetType,
        url: &str,
    ) -> Result<AssetFileCheck> {
        match media::MediaLimits::byteplus(asset_type) {
            None => Ok(AssetFileCheck::Photo(
                photo::PhotoSource::parse(url)?
                    .examine(&self.http, &photo::PhotoLimits::byteplus())
                    .await?,
            )),
            Some(limits) => Ok(AssetFileCheck::Media(
                media::examine(&self.http, url, asset_type, &limits).await?,
            )),
        }
    }

    /// The checked file, or the reason it cannot go: a failed provider limit always stops it;
    /// a failed face check stops it unless the operator overrode. Returns the preview, the
    /// overridden checks, the sha256 of the bytes that were checked, and a photo's check (what
    /// is handed to the provider).
    async fn vetted_file(
        &self,
        asset_type: AssetType,
        url: &str,
        overridden: bool,
    ) -> Result<VettedFile> {
        match self.check_asset_file(asset_type, url).await? {
            AssetFileCheck::Photo(_) => {
                let (p, o) = self.vetted_photo(url, overridden).await?;
                Ok((
                    Some(p.thumbnail.clone()).filter(|t| !t.is_empty()),
                    o,
                    p.sha256.clone(),
                    Some(p),
                ))
            }
            AssetFileCheck::Media(m) => match m.refusal() {
                Some(item) => Err(Error::invalid("url", item.message.clone())),
                None => Ok((None, None, m.sha256, None)),
            },
        }
    }

    /// The consent record of a file uploaded into a person's group: billed to the provider
    /// account (BytePlus has no x402), verified in the session that opened the group.
    fn asset_consent(
        &self,
        provider: &Provider,
        liveness: Option<String>,
        sha256: String,
        release: Option<crate::library::TalentConsent>,
    ) -> ConsentRecord {
        ConsentRecord {
            operator: self.config.operator.clone(),
            recorded_at_ms: self.clock.now_ms(),
            liveness_ref: liveness,
            file_sha256: Some(sha256),
            payment: Some(ConsentPayment::Account {
                provider: provider.kind(),
            }),
            hosted_copy_deleted_at_ms: None,
            release,
        }
    }

    /// Enroll on a BytePlus provider: the session's photo becomes the first asset of the
    /// verified person's group. The group stays whatever happens to the upload.
    pub(super) async fn enroll_into_group(
        self: &Arc<Self>,
        provider: &Provider,
        mut session: LivenessSession,
        photo: photo::PhotoCheck,
    ) -> Result<EnrollOutcome> {
        if session.group_id.is_empty() {
            return Err(Error::invalid(
                "session",
                "The provider has not given this talent's group yet. Check the session again.",
            ));
        }
        let handover = self.hand_over(provider, &photo).await?;
        self.step(&mut session, Event::EnrollStarted)?;
        self.persist_and_send(&mut session, None)?;
        let upload = AssetUpload {
            group_id: &session.group_id,
            name: &session.talent_name,
            asset_type: AssetType::Image,
            url: &handover.url,
        };
        let uploaded = self.upload(provider, upload, &session.image_url).await;
        let deleted = match &uploaded {
            Ok(asset_id) if handover.is_hosted() => {
                self.hold_until_processed(asset_id, handover);
                None
            }
            _ => self.take_back(handover).await,
        };
        match uploaded {
            Ok(asset_id) => {
                let mut consent = self.asset_consent(
                    provider,
                    Some(liveness_ref(&session.id, &session.group_id)),
                    photo.sha256,
                    session.talent_consent.clone(),
                );
                consent.hosted_copy_deleted_at_ms = deleted;
                let face = Face {
                    asset_id: asset_id.clone(),
                    provider: session.provider,
                    kind: FaceKind::Asset,
                    name: session.talent_name.clone(),
                    image_url: session.image_url.clone(),
                    thumbnail: Some(photo.thumbnail).filter(|t| !t.is_empty()),
                    group_id: Some(session.group_id.clone()),
                    enrolled_at_ms: self.clock.now_ms(),
                    price_usd: None,
                    tx_hash: None,
                    photo_override: session.photo_override.clone(),
                    asset_type: AssetType::Image,
                    status: AssetStatus::Processing,
                    status_message: None,
                    consent: Some(consent),
                    revoked: None,
                    tags: Vec::new(),
                };
                self.library.save_face(&face)?;
                session.state =
                    next(session.state, Event::EnrollSucceeded).unwrap_or(SessionState::Enrolled);
                session.asset_id = Some(asset_id);
                self.persist_and_send(&mut session, None)?;
                tracing::info!(session = %session.id, asset = %face.asset_id, "first asset uploaded");
                self.watch_asset(face.asset_id.clone());
                Ok(EnrollOutcome::Enrolled {
                    face: Box::new(face),
                })
            }
            Err(e) => Err(self.enroll_failed(session, e)),
        }
    }

    /// A copy hosted for an upload the provider fetches while it processes it: kept until the
    /// asset is processed (see [`Self::watch_asset`]).
    fn hold_until_processed(&self, asset_id: &str, handover: super::handover::Handover) {
        self.hosted_while_processing
            .lock()
            .expect("hosted map poisoned")
            .insert(asset_id.to_string(), handover);
    }

    /// The asset is processed (or no longer watched): its hosted copy, if any, is deleted and
    /// the deletion goes on its consent record.
    async fn release_hosted(&self, asset_id: &str) {
        let held = self
            .hosted_while_processing
            .lock()
            .expect("hosted map poisoned")
            .remove(asset_id);
        let Some(handover) = held else { return };
        let Some(at) = self.take_back(handover).await else {
            return;
        };
        let recorded = self.library.face(asset_id).and_then(|mut face| {
            if let Some(c) = face.consent.as_mut() {
                c.hosted_copy_deleted_at_ms = Some(at);
            }
            self.library.save_face(&face)
        });
        if let Err(e) = recorded {
            tracing::warn!(asset = asset_id, error = %e, "could not record the hosted copy's deletion");
        }
    }

    /// One CreateAsset, never two at once for the same file and group. `source` is the file as
    /// the operator gave it (its link or path), which names the upload; `upload.url` is what
    /// the provider is sent.
    async fn upload(
        &self,
        provider: &Provider,
        upload: AssetUpload<'_>,
        source: &str,
    ) -> Result<String> {
        let key = (upload.group_id.to_string(), source.to_string());
        if !self
            .uploads
            .lock()
            .expect("upload set poisoned")
            .insert(key.clone())
        {
            return Err(Error::invalid(
                "url",
                "This file is already being uploaded to this group; wait for it to finish.",
            ));
        }
        // The asset's name at the provider carries a tag of the file, so a studio that lost an
        // upload's answer (a crash, a dropped connection) finds it in the listing instead of
        // paying for it again.
        let tagged = upload_name(upload.name, upload.asset_type, source);
        let upload = AssetUpload {
            name: &tagged,
            ..upload
        };
        let result = match provider.find_asset(upload.group_id, &tagged).await {
            Ok(Some(found)) => {
                tracing::info!(asset = %found.asset_id, "the provider already has this upload; not sending it again");
                Ok(found.asset_id)
            }
            Ok(None) => provider.create_asset(upload).await,
            Err(e) => Err(e),
        };
        self.uploads
            .lock()
            .expect("upload set poisoned")
            .remove(&key);
        // Only a provider with a listing can be synced; Crun keeps none, so its dashboard is
        // the one place to look.
        let look_first = if matches!(provider, Provider::Crun(_)) {
            "check the asset in Crun's dashboard before trying again"
        } else {
            "sync the library before trying again"
        };
        result.map_err(|e| match e {
            Error::Network {
                provider: kind,
                detail,
            } => Error::Network {
                provider: kind,
                detail: format!(
                    "{detail}. The upload may or may not have reached {kind}; {look_first}, so it is not uploaded twice"
                ),
            },
            other => other,
        })
    }

    /// Adds a file to a verified person's group: a photo, a video or a voice clip, checked
    /// against the provider's limits first. `name` defaults to the person already filed with
    /// the group.
    pub async fn add_asset(
        self: &Arc<Self>,
        group_id: &str,
        asset_type: AssetType,
        url: &str,
        name: Option<&str>,
        photo_override: bool,
    ) -> Result<Face> {
        let provider = self.provider();
        if !provider.holds_assets() {
            return Err(provider.no_assets());
        }
        let group_id = group_id.trim();
        if !provider.valid_group_id(group_id) {
            return Err(Error::invalid(
                "group",
                format!("{group_id:?} is not a group id (they look like group-20260702221642-5czvq). Copy it from the library."),
            ));
        }
        // Photos may be files (hosted or inline for the upload); videos and clips are links.
        let url = match asset_type {
            AssetType::Image => photo::PhotoSource::parse(url).map(|s| s.stored()),
            _ => photo::validate_url(url).map(|u| u.to_string()),
        }
        .map_err(|e| Error::invalid("url", e.to_string()))?;
        let filed = self.library.group_assets(provider.kind(), group_id)?;
        if let Some(dup) = filed
            .iter()
            .find(|f| f.image_url == url && f.status != AssetStatus::Failed)
        {
            return Err(Error::invalid(
                "url",
                format!(
                    "This file is already in {}'s group as {} ({}). Give another file.",
                    dup.name,
                    dup.asset_id,
                    dup.status.as_str()
                ),
            ));
        }
        let person = match name.map(super::validate_name).transpose()? {
            Some(n) => n,
            None => match filed.first() {
                Some(f) => f.name.clone(),
                None => {
                    return Err(Error::invalid(
                        "name",
                        "This group is not in the library yet: give the talent's name (--name) so the asset is filed under it.",
                    ))
                }
            },
        };
        let (thumbnail, photo_override, sha256, checked) =
            self.vetted_file(asset_type, &url, photo_override).await?;
        let liveness = self.library.group_liveness_ref(provider.kind(), group_id)?;
        let handover = match &checked {
            Some(p) => Some(self.hand_over(&provider, p).await?),
            None => None,
        };
        let uploaded = self
            .upload(
                &provider,
                AssetUpload {
                    group_id,
                    name: &person,
                    asset_type,
                    url: handover.as_ref().map_or(url.as_str(), |h| h.url.as_str()),
                },
                &url,
            )
            .await;
        let deleted = match (handover, &uploaded) {
            (Some(h), Ok(asset_id)) if h.is_hosted() => {
                self.hold_until_processed(asset_id, h);
                None
            }
            (Some(h), _) => self.take_back(h).await,
            (None, _) => None,
        };
        let asset_id = uploaded?;
        // A file added later is covered by the release the person gave when the group opened.
        let release = filed.iter().rev().find_map(|f| f.release().cloned());
        let mut consent = self.asset_consent(&provider, liveness, sha256, release);
        consent.hosted_copy_deleted_at_ms = deleted;
        let face = Face {
            asset_id,
            provider: provider.kind(),
            kind: FaceKind::Asset,
            name: person,
            image_url: url,
            thumbnail,
            group_id: Some(group_id.to_string()),
            enrolled_at_ms: self.clock.now_ms(),
            price_usd: None,
            tx_hash: None,
            photo_override,
            asset_type,
            status: AssetStatus::Processing,
            status_message: None,
            consent: Some(consent),
            revoked: None,
            // The person's labels cover the new file too.
            tags: filed.first().map(|f| f.tags.clone()).unwrap_or_default(),
        };
        self.library.save_face(&face)?;
        let _ = self.asset_updates.send(face.clone());
        tracing::info!(asset = %face.asset_id, group = group_id, kind = asset_type.as_str(), "asset uploaded");
        self.watch_asset(face.asset_id.clone());
        Ok(face)
    }

    /// Asks the provider once where an asset stands, and files the answer.
    pub async fn check_asset(&self, asset_id: &str) -> Result<Face> {
        let face = self.library.face(asset_id)?;
        let provider = self.provider();
        if face.provider != provider.kind() || !provider.holds_assets() {
            return Err(Error::invalid(
                "provider",
                format!(
                    "This asset belongs to {}; switch to it in Settings to check it.",
                    face.provider
                ),
            ));
        }
        let remote = provider.asset(asset_id).await?;
        self.file_status(face, &remote)
    }

    fn file_status(&self, mut face: Face, remote: &RemoteAsset) -> Result<Face> {
        let (status, problem) = settled_status(&face, remote, self.clock.now_ms());
        if face.status == status && face.status_message == problem {
            return Ok(face);
        }
        face.status = status;
        face.status_message = problem;
        self.library.update_asset_status(
            &face.asset_id,
            face.status,
            face.status_message.as_deref(),
        )?;
        tracing::info!(asset = %face.asset_id, status = face.status.as_str(), "asset status changed");
        let _ = self.asset_updates.send(face.clone());
        Ok(face)
    }

    /// Polls an asset until the provider has processed it (or the watch limit passes).
    pub(super) fn watch_asset(self: &Arc<Self>, asset_id: String) {
        let cancel = CancellationToken::new();
        if let Some(previous) = self
            .asset_watches
            .lock()
            .expect("asset watch map poisoned")
            .insert(asset_id.clone(), cancel.clone())
        {
            previous.cancel();
        }
        let studio = Arc::clone(self);
        tokio::spawn(async move {
            let started = tokio::time::Instant::now();
            let mut n = 0;
            loop {
                let gap = ASSET_CHECK_GAPS_S
                    .get(n)
                    .copied()
                    .unwrap_or(ASSET_CHECK_GAP_S);
                n += 1;
                tokio::select! {
                    _ = cancel.cancelled() => {
                        studio.release_hosted(&asset_id).await;
                        return;
                    }
                    _ = tokio::time::sleep(Duration::from_secs(gap)) => {}
                }
                match studio.check_asset(&asset_id).await {
                    Ok(face) if face.status != AssetStatus::Processing => break,
                    Ok(_) => {}
                    Err(Error::NotFound(_)) => break,
                    Err(e) => tracing::warn!(asset = %asset_id, error = %e, "asset check failed"),
                }
                if started.elapsed() > ASSET_WATCH_LIMIT {
                    tracing::info!(asset = %asset_id, "still processing; the watch stops here");
                    break;
                }
            }
            studio.release_hosted(&asset_id).await;
            studio
                .asset_watches
                .lock()
                .expect("asset watch map poisoned")
                .remove(&asset_id);
        });
    }

    /// After a restart: watch again every asset of this provider still processing.
    pub(super) fn resume_assets(self: &Arc<Self>) -> Result<()> {
        let provider = self.provider();
        if !provider.holds_assets() {
            return Ok(());
        }
        for face in self.library.processing_assets()? {
            if face.provider == provider.kind() {
                self.watch_asset(face.asset_id);
            }
        }
        Ok(())
    }

    /// The phone's page came back through the LAN callback. `10000` means the check passed:
    /// the result is read now, once (seed 004: "When resultCode is 10000, call …"). Anything
    /// else ends this link (BytePlus: "create a new validation session"), with the sub-code
    /// (`algorithmBaseRespCode`) in the words. `session_id` may be empty when the provider
    /// dropped the address's own query: the session is then the one holding `token`.
    pub async fn on_callback(
        self: &Arc<Self>,
        session_id: &str,
        token: Option<&str>,
        verdict: PhoneVerdict<'_>,
    ) -> Result<bool> {
        let result_code = verdict.result_code;
        let session = match (session_id, token) {
            ("", Some(t)) if !t.is_empty() => self
                .library
                .open_sessions()?
                .into_iter()
                .find(|s| s.liveness_token.as_deref() == Some(t))
                .ok_or_else(|| {
                    Error::NotFound("No open session holds this page's token.".into())
                })?,
            _ => self.library.session(session_id)?,
        };
        let session_id = session.id.as_str();
        tracing::info!(
            session = %session.id,
            result_code = result_code.unwrap_or(""),
            sub_code = verdict.sub_code.unwrap_or(""),
            verify_type = verdict.verify_type.unwrap_or(""),
            "the phone came back through the LAN callback"
        );
        // BytePlus sends the phone back with the session's BytedToken. Without it, a session id
        // seen on the studio Wi-Fi would be enough to end someone's QR.
        if let Some(ours) = session.liveness_token.as_deref() {
            match token {
                Some(given) if given == ours => {}
                Some(_) => {
                    return Err(Error::NotFound(
                        "This page belongs to an older QR code of the session.".into(),
                    ))
                }
                None => {
                    return Err(Error::NotFound(
                        "This page did not come from the session's QR code.".into(),
                    ))
                }
            }
        }
        let passed = result_code == Some(PASSED);
        if !matches!(
            session.state,
            SessionState::AwaitingScan | SessionState::Expired
        ) {
            return Ok(passed);
        }
        if passed {
            tracing::info!(session = %session.id, "phone reported the check passed");
            self.check_now(session_id).await?;
        } else {
            let code = match verdict.sub_code.filter(|c| !c.is_empty() && *c != "0") {
                Some(sub) => format!("{}, sub-code {sub}", result_code.unwrap_or("none")),
                None => result_code.unwrap_or("none").to_string(),
            };
            let notice = super::phone_check_failed(Some(&code));
            if let Some(w) = self
                .watches
                .lock()
                .expect("watch map poisoned")
                .remove(session_id)
            {
                w.cancel.cancel();
            }
            self.apply(session, Event::LinkExpired, Some(notice));
        }
        Ok(passed)
    }
}

/// What to file for `remote`: its own status, except that an `Inactive` asset with no error
/// (Anyfast) is waited for only [`crate::providers::byteplus::INACTIVE_WAIT_MS`] from its
/// upload, then filed as failed with the words to act on, instead of processing for ever.
fn settled_status(face: &Face, remote: &RemoteAsset, now_ms: i64) -> (AssetStatus, Option<String>) {
    use crate::providers::byteplus::{inactive_too_long, INACTIVE_WAIT_MS};
    if remote.inactive && now_ms - face.enrolled_at_ms >= INACTIVE_WAIT_MS {
        return (AssetStatus::Failed, Some(inactive_too_long(&face.asset_id)));
    }
    (remote.status, remote.problem.clone())
}

/// "Ada · 3f2a9c01": the person, and a tag of what was uploaded.
fn upload_name(person: &str, asset_type: AssetType, url: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{}|{url}", asset_type.as_str()));
    format!("{person} · {}", &hex::encode(digest)[..8])
}

/// BytePlus's `resultCode` for a check that passed.
pub const PASSED: &str = "10000";

/// The documented parameters the phone brings back to the callback (seed 004).
#[derive(Debug, Clone, Copy, Default)]
pub struct PhoneVerdict<'a> {
    /// `resultCode`: `10000` passed.
    pub result_code: Option<&'a str>,
    /// `algorithmBaseRespCode`: the service's sub-code, for when the check did not pass.
    pub sub_code: Option<&'a str>,
    /// `verify_type`: `real_time` today; kept in the log only, since nothing depends on it.
    pub verify_type: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::FaceKind;
    use crate::providers::byteplus::INACTIVE_WAIT_MS;

    fn uploaded_at(ms: i64) -> Face {
        Face {
            asset_id: "asset-20260702224010-k2m9q".into(),
            provider: crate::providers::ProviderKind::Anyfast,
            kind: FaceKind::Asset,
            name: "Ada".into(),
            image_url: "https://example.com/clip.mp4".into(),
            thumbnail: None,
            group_id: Some("group-20260702221642-5czvq".into()),
            enrolled_at_ms: ms,
            price_usd: None,
            tx_hash: None,
            photo_override: None,
            asset_type: AssetType::Video,
            status: AssetStatus::Processing,
            status_message: None,
            consent: None,
            revoked: None,
            tags: Vec::new(),
        }
    }

    fn remote(status: AssetStatus, inactive: bool) -> RemoteAsset {
        RemoteAsset {
            asset_id: "asset-20260702224010-k2m9q".into(),
            group_id: None,
            name: "Ada".into(),
            asset_type: AssetType::Video,
            url: None,
            status,
            problem: None,
            created_at: None,
            inactive,
        }
    }

    #[test]
    fn an_inactive_asset_without_an_error_is_waited_for_then_failed_in_words() {
        let face = uploaded_at(0);
        let inactive = remote(AssetStatus::Processing, true);
        assert_eq!(
            settled_status(&face, &inactive, INACTIVE_WAIT_MS - 1),
            (AssetStatus::Processing, None)
        );
        let (status, words) = settled_status(&face, &inactive, INACTIVE_WAIT_MS);
        assert_eq!(status, AssetStatus::Failed);
        let words = words.unwrap();
        assert!(
            words.contains("Inactive") && words.contains("Upload it again"),
            "{words}"
        );
        // Upstream's own Processing is not bounded here: the asset watch's limit covers it.
        assert_eq!(
            settled_status(
                &face,
                &remote(AssetStatus::Processing, false),
                INACTIVE_WAIT_MS * 3
            ),
            (AssetStatus::Processing, None)
        );
    }
}
