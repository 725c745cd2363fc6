//! Reference clips: a verified person's video and voice assets (`asset-…` of type Video or
//! Audio, in the same BytePlus group as the face) given to Seedance beside the face.
//!
//! Only what the providers document is offered (research §3.3–3.4, §4.4):
//! - Anyfast: `content[]` items `{"type":"video_url","video_url":{"url":"asset://…"},
//!   "role":"reference_video"}` and the `audio_url` / `reference_audio` pair; at most 3 of
//!   each (Anyfast's Seedance 2.0 guide), on both models.
//! - Crun: `input.reference_videos` / `input.reference_audios`, lists of `"asset://…"` strings,
//!   on the 2.0 reference-to-video model. Crun's page gives no count, so the model's own limit
//!   (3 and 3, as Anyfast documents it) holds; its 2.0-fast page has the uploaded-assets section
//!   commented out, so nothing is offered there.
//! - BlockRun and JarvisClaw: BlockRun's `reference_videos` / `reference_audios` take public
//!   URLs, not group assets, and their faces are `ta_…` ids without groups: nothing offered.

use crate::error::{Error, Result};
use crate::library::{FaceKind, FaceSummary};
use crate::media::AssetType;
use crate::providers::AssetStatus;
use provider_api::ProviderApi;

use crate::providers::ProviderKind;

use super::{SeedanceTier, VideoCatalog, VideoModelOption};

/// The most of each kind the upstream model takes (Anyfast's guide: ≤3 videos, ≤3 audios).
pub const MAX_REFERENCE_VIDEOS: u32 = 3;
pub const MAX_REFERENCE_AUDIOS: u32 = 3;

/// How many reference clips of each kind a model takes; `0` means none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClipLimits {
    pub videos: u32,
    pub audios: u32,
}

impl ClipLimits {
    const NONE: ClipLimits = ClipLimits {
        videos: 0,
        audios: 0,
    };
    const UPSTREAM: ClipLimits = ClipLimits {
        videos: MAX_REFERENCE_VIDEOS,
        audios: MAX_REFERENCE_AUDIOS,
    };

    pub fn of(self, asset_type: AssetType) -> u32 {
        match asset_type {
            AssetType::Video => self.videos,
            AssetType::Audio => self.audios,
            AssetType::Image => 0,
        }
    }
}

/// The reference clips each API documents, on the one [`ProviderApi`] enum.
pub trait ClipCatalog: VideoCatalog {
    /// The reference clips a model documents for group assets.
    fn clip_limits(self, tier: SeedanceTier) -> ClipLimits {
        match (self.api(), tier) {
            (ProviderApi::Anyfast, _) | (ProviderApi::Crun, SeedanceTier::Standard) => {
                ClipLimits::UPSTREAM
            }
            _ => ClipLimits::NONE,
        }
    }

    /// What the form says beside the clips (or their absence) for a model, where it matters.
    fn clips_note(self, tier: SeedanceTier) -> Option<&'static str> {
        match (self.api(), tier) {
            (ProviderApi::Anyfast | ProviderApi::Crun, _) if self.clip_limits(tier).videos > 0 => Some(
                "The provider does not publish what reference clips add to the price; BlockRun, reselling the same model, charges about twice as much per reference video and 30% more per voice clip, so expect a higher bill.",
            ),
            (ProviderApi::Crun, SeedanceTier::Fast) => Some(
                "Crun's 2.0 fast page does not document uploaded clips; choose Seedance 2.0 to use the person's videos and voice clips.",
            ),
            _ => None,
        }
    }

    /// Whether a library entry is a clip this API can be given: an active video or voice
    /// asset of this provider. Which ones go with a face is decided by its group.
    fn offers_clip(self, provider: ProviderKind, clip: &FaceSummary) -> bool {
        !self.takes_ta_faces()
            && clip.provider == provider
            && clip.kind == FaceKind::Asset
            && matches!(clip.asset_type, AssetType::Video | AssetType::Audio)
            && clip.status == AssetStatus::Active
            && clip.group_id.is_some()
    }
}

impl ClipCatalog for ProviderApi {}

/// What one clip is called in messages.
fn noun(asset_type: AssetType) -> &'static str {
    match asset_type {
        AssetType::Video => "video",
        AssetType::Audio => "voice clip",
        AssetType::Image => "photo",
    }
}

fn refuse(message: String) -> Error {
    Error::invalid("clips", message)
}

/// What a request's clips are checked against: the model chosen, the face, and the library's
/// entries for the requested ids (those it has).
pub(super) struct ClipCheck<'a> {
    pub api: ProviderApi,
    pub provider: ProviderKind,
    pub model: &'a VideoModelOption,
    pub face: &'a FaceSummary,
    pub clips: &'a [FaceSummary],
}

impl ClipCheck<'_> {
    /// The clip ids of one kind, checked: each in the library, of this provider, of that kind,
    /// active, in the face's group, given once, and no more than the model takes.
    pub(super) fn checked(&self, wanted: AssetType, ids: &[String]) -> Result<Vec<String>> {
        let (api, provider, face) = (self.api, self.provider, self.face);
        let ids: Vec<String> = ids
            .iter()
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty())
            .collect();
        if ids.is_empty() {
            return Ok(ids);
        }
        let what = noun(wanted);
        let max = api.clip_limits(self.model.tier).of(wanted);
        let label = api.label();
        if max == 0 {
            let why = match api {
                ProviderApi::Crun => api.clips_note(self.model.tier),
                _ => None,
            }
            .unwrap_or("Leave the clips out.");
            return Err(refuse(format!(
                "{} at {label} takes no reference {what}s of a person's group. {why}",
                self.model.label
            )));
        }
        if ids.len() > max as usize {
            return Err(refuse(format!(
            "{} reference {what}s were picked; {label} takes at most {max} per video. Leave {} out.",
            ids.len(),
            ids.len() - max as usize
        )));
        }
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                return Err(refuse(format!(
                    "{id} is picked twice; give each {what} once."
                )));
            }
            let Some(clip) = self.clips.iter().find(|c| &c.asset_id == id) else {
                return Err(refuse(format!(
                "There is no clip {id} in the library. Pick {what}s from the face's group (`likeness faces` lists them), or sync the library from {provider} first."
            )));
            };
            if clip.provider != provider || clip.kind != FaceKind::Asset {
                return Err(refuse(format!(
                "{id} was not uploaded to a {provider} group; asset ids never cross providers. Pick {what}s from {}'s group with {provider}.",
                face.name
            )));
            }
            if clip.asset_type != wanted {
                let instead = match clip.asset_type {
                    AssetType::Video => "Give it as a reference video instead.",
                    AssetType::Audio => "Give it as a voice clip instead.",
                    AssetType::Image => "Photos go as the face, not as clips.",
                };
                return Err(refuse(format!(
                    "{id} is a {}, not a {what}. {instead}",
                    noun(clip.asset_type)
                )));
            }
            if clip.group_id.is_none() || clip.group_id != face.group_id {
                return Err(refuse(format!(
                "{id} is in {}'s group ({}), not in the group of the face {} ({}); Seedance is given one verified person's files at a time. Pick {what}s from {}'s group.",
                clip.name,
                clip.group_id.as_deref().unwrap_or("no group"),
                face.name,
                face.group_id.as_deref().unwrap_or("no group"),
                face.name
            )));
            }
            match clip.status {
            AssetStatus::Active => {}
            AssetStatus::Processing => {
                return Err(refuse(format!(
                    "{label} is still processing the {what} {id}; it can be used once it is active. Check it again in a moment, or leave it out."
                )))
            }
            AssetStatus::Failed => {
                return Err(refuse(format!(
                    "The {what} {id} failed at {label} ({}). Leave it out, or upload another.",
                    clip.status_message.as_deref().unwrap_or("no reason given")
                )))
            }
        }
        }
        Ok(ids)
    }
}
