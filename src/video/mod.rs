//! Seedance 2.0 video jobs with a face from the library: what each provider offers, the checks
//! made before any request, the job and its states, and one client per wire format (research
//! §1.6, §2.4, §3.4, §4.4, §5.2).
//!
//! Face ids never cross providers: BlockRun and JarvisClaw take a `ta_…` face as
//! `real_face_asset_id`; Anyfast and Crun take an active `asset-…` photo of a verified person as
//! `asset://<id>`. Rehearsal plays one of the four APIs and takes that API's faces.
//!
//! On Anyfast and Crun a job may also take the person's video and voice clips from the same
//! group, where the model documents them (see the `reference` module).
//!
//! The wire modules are private; [`submit`] and [`poll`] are the only way in, and they speak in
//! [`Submitted`] and [`PollAnswer`].

pub mod download;
mod estimate;
mod job;
mod notice;
mod reference;
pub mod schedule;

pub use estimate::VideoEstimate;
pub use job::{JobState, VideoJob};
pub use notice::{VideoNotice, VideoNotices};
pub use reference::{ClipCatalog, ClipLimits, MAX_REFERENCE_AUDIOS, MAX_REFERENCE_VIDEOS};
pub use schedule::{next_poll, VideoPollPlan, VideoPollPolicy};

use provider_api::{LivenessKind, ProviderApi};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::library::{FaceKind, FaceSummary};
use crate::media::AssetType;
use crate::payment::{PaymentQuote, SignedPayment};
use crate::providers::{AssetStatus, Paid, Provider, ProviderKind};

/// Every provider documents 4–15 s for Seedance 2.0 and 2.0 fast.
pub const MIN_DURATION_S: u32 = 4;
pub const MAX_DURATION_S: u32 = 15;
pub const DEFAULT_DURATION_S: u32 = 5;
/// Crun's documented prompt limit, the only one published; the others are held to it too so a
/// prompt written for one provider works on all.
pub const MAX_PROMPT_CHARS: usize = 5000;
/// How long the longest-keeping providers keep a job claimable (BlockRun and JarvisClaw: 48 h);
/// [`VideoCatalog::claimable_ms`] is each API's own figure.
pub const CLAIMABLE_MS: i64 = 48 * 3_600_000;
/// Anyfast's and Crun's result URLs last 24 h (research §3.4, §5.2): nothing is polled or
/// promised past that.
pub const RESULT_URL_MS: i64 = 24 * 3_600_000;
/// The largest finished video downloaded: a 15 s 1080p clip is tens of MB, so 1 GB is a
/// runaway server, not a video.
pub const MAX_VIDEO_BYTES: u64 = 1 << 30;

/// What each API documents for Seedance video, on the one [`ProviderApi`] enum.
pub trait VideoCatalog: Copy {
    fn api(self) -> ProviderApi;

    /// The tier a form starts on: fast (cheaper) where the provider documents faces on it;
    /// on Crun the 2.0 r2v model, the one whose page documents uploaded assets (the 2.0-fast
    /// r2v page has its "Custom Uploaded Assets" section commented out, research §4.4).
    fn default_tier(self) -> SeedanceTier {
        match self.api() {
            ProviderApi::Crun => SeedanceTier::Standard,
            _ => SeedanceTier::Fast,
        }
    }

    /// What the form says beside a model, where the provider's page decides the default.
    fn model_note(self, tier: SeedanceTier) -> Option<&'static str> {
        match (self.api(), tier) {
            (ProviderApi::Crun, SeedanceTier::Standard) => Some(
                "The default on Crun: its reference-to-video page documents uploaded faces for Seedance 2.0.",
            ),
            (ProviderApi::Crun, SeedanceTier::Fast) => Some(
                "Crun's page does not confirm uploaded faces on 2.0 fast; choose it only if Crun has confirmed it for your account.",
            ),
            _ => None,
        }
    }

    /// How long a job can still be claimed (polled, its video fetched) after it was accepted.
    fn claimable_ms(self) -> i64 {
        match self.api() {
            ProviderApi::BlockRun | ProviderApi::JarvisClaw => CLAIMABLE_MS,
            ProviderApi::Anyfast | ProviderApi::Crun => RESULT_URL_MS,
        }
    }

    /// Whether faces are `ta_…` ids (`real_face_asset_id`) rather than `asset-…` ids.
    fn takes_ta_faces(self) -> bool {
        self.api().capabilities().liveness == LivenessKind::TaFace
    }

    /// The provider's own model id for a tier.
    fn model_id(self, tier: SeedanceTier) -> &'static str {
        match (self.api(), tier) {
            (ProviderApi::BlockRun | ProviderApi::JarvisClaw, SeedanceTier::Standard) => {
                "bytedance/seedance-2.0"
            }
            (ProviderApi::BlockRun | ProviderApi::JarvisClaw, SeedanceTier::Fast) => {
                "bytedance/seedance-2.0-fast"
            }
            (ProviderApi::Anyfast, SeedanceTier::Standard) => "seedance",
            (ProviderApi::Anyfast, SeedanceTier::Fast) => "seedance-fast",
            // Reference-to-video: the model that takes `reference_images` (the face).
            (ProviderApi::Crun, SeedanceTier::Standard) => "bytedance/seedance2-0-r2v",
            (ProviderApi::Crun, SeedanceTier::Fast) => "bytedance/seedance2-0-fast-r2v",
        }
    }

    /// The documented resolutions of a tier.
    fn resolutions(self, tier: SeedanceTier) -> &'static [&'static str] {
        match (self.api(), tier) {
            // BlockRun also lists 4K on 2.0; not for face-conditioned jobs in any doc, so not
            // offered.
            (ProviderApi::Crun, _) => &["720p"],
            (_, SeedanceTier::Standard) => &["480p", "720p", "1080p"],
            (_, SeedanceTier::Fast) => &["480p", "720p"],
        }
    }

    /// The documented aspect ratios, in the doc's order.
    fn ratios(self) -> &'static [&'static str] {
        match self.api() {
            ProviderApi::BlockRun | ProviderApi::JarvisClaw => {
                &["adaptive", "16:9", "9:16", "1:1", "4:3", "3:4", "21:9"]
            }
            ProviderApi::Anyfast => &["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"],
            ProviderApi::Crun => &["16:9", "auto"],
        }
    }

    /// Whether a library face can be used with this API on `provider`, and if not, why (in
    /// words). `face` is `None` when the id is not in the library at all.
    fn face_refusal(
        self,
        provider: ProviderKind,
        asset_id: &str,
        face: Option<&FaceSummary>,
    ) -> Option<Error> {
        let refuse = |message: String| Some(Error::invalid("face", message));
        let Some(face) = face else {
            return refuse(format!(
                "There is no face {asset_id} in the library. Pick one from the list (`likeness faces`), or sync the library from {provider} first."
            ));
        };
        if face.provider != provider {
            return refuse(format!(
                "{asset_id} ({}) was enrolled with {}; face ids never cross providers. Select {} in Settings to use it, or pick a face enrolled with {provider}.",
                face.name, face.provider, face.provider
            ));
        }
        if self.takes_ta_faces() {
            if face.kind == FaceKind::Asset || !asset_id.starts_with("ta_") {
                return refuse(format!(
                    "{asset_id} is a BytePlus asset; {} takes faces enrolled as ta_… ids. Pick a face enrolled with it.",
                    self.api().label()
                ));
            }
            return None;
        }
        if face.kind != FaceKind::Asset || !asset_id.starts_with("asset-") {
            return refuse(format!(
                "{asset_id} is a ta_… face; {} takes an asset-… photo of a verified person's group. Pick one of those.",
                self.api().label()
            ));
        }
        if face.asset_type != AssetType::Image {
            return refuse(format!(
                "{asset_id} is a {} of {}; the face given to Seedance here must be a photo. Pick {}'s photo.",
                face.asset_type.as_str(),
                face.name,
                face.name
            ));
        }
        match face.status {
            AssetStatus::Active => None,
            AssetStatus::Processing => refuse(format!(
                "{} is still processing {asset_id}; it can be used once it is active. Check it again in a moment.",
                self.api().label()
            )),
            AssetStatus::Failed => refuse(format!(
                "{asset_id} failed at {} ({}). Pick another photo of {}.",
                self.api().label(),
                face.status_message.as_deref().unwrap_or("no reason given"),
                face.name
            )),
        }
    }
}

impl VideoCatalog for ProviderApi {
    fn api(self) -> ProviderApi {
        self
    }
}

/// Seedance 2.0 (ByteDance's "Pro") or 2.0 fast, whatever the provider calls them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
pub enum SeedanceTier {
    #[serde(rename = "seedance-2.0")]
    Standard,
    #[serde(rename = "seedance-2.0-fast")]
    Fast,
}

impl SeedanceTier {
    pub const ALL: [SeedanceTier; 2] = [SeedanceTier::Standard, SeedanceTier::Fast];

    /// The provider-neutral name the CLI accepts: `seedance-2.0`, `seedance-2.0-fast`.
    pub fn alias(self) -> &'static str {
        match self {
            SeedanceTier::Standard => "seedance-2.0",
            SeedanceTier::Fast => "seedance-2.0-fast",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SeedanceTier::Standard => "Seedance 2.0",
            SeedanceTier::Fast => "Seedance 2.0 fast",
        }
    }

    /// The tier of a provider's own model id: every provider names the fast one with "fast".
    pub fn of_model(model: &str) -> Self {
        if model.to_ascii_lowercase().contains("fast") {
            SeedanceTier::Fast
        } else {
            SeedanceTier::Standard
        }
    }
}

/// Who pays for a job: the studio wallet over x402 (a price is quoted and confirmed), or the
/// provider account behind the API key (billed by the provider).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, specta::Type,
)]
#[serde(rename_all = "lowercase")]
pub enum VideoBilling {
    Wallet,
    #[default]
    Account,
}

/// One model as the provider names it, with the resolutions it takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VideoModelOption {
    /// The provider's own id, sent as is.
    pub id: String,
    pub label: String,
    pub tier: SeedanceTier,
    pub resolutions: Vec<String>,
    pub default_resolution: String,
    /// Why this model is (or is not) the default here, where the provider's docs make it matter.
    pub note: Option<String>,
    /// How many of the person's videos and voice clips it takes beside the face (0: none).
    pub max_reference_videos: u32,
    pub max_reference_audios: u32,
    /// What the form says about clips on this model (their price, or why there are none).
    pub clips_note: Option<String>,
}

/// Everything a video form may offer for the selected provider, and nothing else.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VideoOptions {
    pub provider: ProviderKind,
    pub api: ProviderApi,
    pub billing: VideoBilling,
    pub models: Vec<VideoModelOption>,
    pub default_model: String,
    pub durations: Vec<u32>,
    pub default_duration: u32,
    pub ratios: Vec<String>,
    pub default_ratio: String,
    pub max_prompt_chars: u32,
    /// The library's faces usable here (this provider, this API's kind of id, active photos).
    pub faces: Vec<FaceSummary>,
    /// The library's active video and voice clips of verified persons on this provider; those
    /// in the chosen face's group can go with it, on a model that takes them.
    pub clips: Vec<FaceSummary>,
}

/// What the operator asked for. Unset fields take the options' defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VideoRequest {
    pub face_asset_id: String,
    pub prompt: String,
    /// `seedance-2.0` / `seedance-2.0-fast`, or the provider's own id.
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub duration_seconds: Option<u32>,
    #[serde(default)]
    pub resolution: Option<String>,
    #[serde(default)]
    pub aspect_ratio: Option<String>,
    /// Video assets of the face's group to give Seedance as reference videos.
    #[serde(default)]
    pub reference_videos: Vec<String>,
    /// Voice (audio) assets of the face's group to give Seedance as reference audio.
    #[serde(default)]
    pub reference_audios: Vec<String>,
}

/// A request checked against the options: exactly what is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoSpec {
    pub face_asset_id: String,
    pub prompt: String,
    /// The provider's own model id.
    pub model: String,
    pub tier: SeedanceTier,
    pub duration_seconds: u32,
    pub resolution: String,
    pub aspect_ratio: String,
    /// Asset ids, sent as `asset://<id>` in the API's reference-video slot.
    pub reference_videos: Vec<String>,
    /// Asset ids, sent as `asset://<id>` in the API's reference-audio slot.
    pub reference_audios: Vec<String>,
}

impl VideoOptions {
    /// The documented options of `api` (no faces: the studio adds the library's).
    pub fn for_api(provider: ProviderKind, api: ProviderApi, billing: VideoBilling) -> Self {
        let models = SeedanceTier::ALL
            .into_iter()
            .map(|tier| VideoModelOption {
                id: api.model_id(tier).to_string(),
                label: tier.label().to_string(),
                tier,
                resolutions: api
                    .resolutions(tier)
                    .iter()
                    .map(|r| r.to_string())
                    .collect(),
                default_resolution: "720p".to_string(),
                note: api.model_note(tier).map(str::to_string),
                max_reference_videos: api.clip_limits(tier).videos,
                max_reference_audios: api.clip_limits(tier).audios,
                clips_note: api.clips_note(tier).map(str::to_string),
            })
            .collect();
        VideoOptions {
            provider,
            api,
            billing,
            models,
            default_model: api.model_id(api.default_tier()).to_string(),
            durations: (MIN_DURATION_S..=MAX_DURATION_S).collect(),
            default_duration: DEFAULT_DURATION_S,
            ratios: api.ratios().iter().map(|r| r.to_string()).collect(),
            default_ratio: "16:9".to_string(),
            max_prompt_chars: MAX_PROMPT_CHARS as u32,
            faces: Vec::new(),
            clips: Vec::new(),
        }
    }

    /// The model named by `input`: the provider's own id or the neutral alias, any case.
    pub fn model(&self, input: &str) -> Result<&VideoModelOption> {
        let wanted = input.trim().to_ascii_lowercase();
        self.models
            .iter()
            .find(|m| m.id.eq_ignore_ascii_case(&wanted) || m.tier.alias() == wanted)
            .ok_or_else(|| {
                let known: Vec<String> = self
                    .models
                    .iter()
                    .map(|m| format!("{} ({})", m.tier.alias(), m.id))
                    .collect();
                Error::invalid(
                    "model",
                    format!(
                        "{} offers no model {input:?} for faces. Choose {}.",
                        self.api.label(),
                        known.join(" or ")
                    ),
                )
            })
    }

    /// The length asked for (or the default), if the API offers it.
    pub(crate) fn offered_duration(&self, asked: Option<u32>) -> Result<u32> {
        let api = self.api.label();
        let duration = asked.unwrap_or(self.default_duration);
        if !self.durations.contains(&duration) {
            return Err(Error::invalid(
                "duration",
                format!(
                    "{api} makes videos of {MIN_DURATION_S} to {MAX_DURATION_S} seconds; {duration} s is not offered. Choose a whole number of seconds in that range."
                ),
            ));
        }
        Ok(duration)
    }

    /// Checks a request against the documented values (and the face and clips against the API),
    /// before anything is sent. `face` is the library's entry for the requested id, if any;
    /// `clips` the library's entries for the requested clip ids (those it has).
    pub fn check(
        &self,
        req: &VideoRequest,
        face: Option<&FaceSummary>,
        clips: &[FaceSummary],
    ) -> Result<VideoSpec> {
        let api = self.api.label();
        let face_id = req.face_asset_id.trim();
        if face_id.is_empty() {
            return Err(Error::invalid(
                "face",
                "Pick a face from the library for the video.",
            ));
        }
        if let Some(e) = self.api.face_refusal(self.provider, face_id, face) {
            return Err(e);
        }
        // `face_refusal` refuses an id the library lacks, so the entry is there.
        let face = face.ok_or_else(|| Error::Internal("a face passed without its entry".into()))?;
        let prompt = req.prompt.trim();
        if prompt.is_empty() {
            return Err(Error::invalid(
                "prompt",
                "Describe the video in the prompt (what the person does, the setting, the light).",
            ));
        }
        let chars = prompt.chars().count();
        if chars > MAX_PROMPT_CHARS {
            return Err(Error::invalid(
                "prompt",
                format!("The prompt is {chars} characters; at most {MAX_PROMPT_CHARS} are taken. Shorten it."),
            ));
        }
        let model = self.model(req.model.as_deref().unwrap_or(&self.default_model))?;
        let duration = self.offered_duration(req.duration_seconds)?;
        let resolution = req
            .resolution
            .as_deref()
            .map(|r| r.trim().to_ascii_lowercase())
            .unwrap_or_else(|| model.default_resolution.clone());
        if !model.resolutions.contains(&resolution) {
            return Err(Error::invalid(
                "resolution",
                format!(
                    "{} at {api} does not offer {resolution}. Choose {}.",
                    model.label,
                    or_list(&model.resolutions)
                ),
            ));
        }
        let ratio = req
            .aspect_ratio
            .as_deref()
            .map(|r| r.trim().to_ascii_lowercase())
            .unwrap_or_else(|| self.default_ratio.clone());
        if !self.ratios.contains(&ratio) {
            return Err(Error::invalid(
                "ratio",
                format!(
                    "{api} does not offer the aspect ratio {ratio}. Choose {}.",
                    or_list(&self.ratios)
                ),
            ));
        }
        let clips = reference::ClipCheck {
            api: self.api,
            provider: self.provider,
            model,
            face,
            clips,
        };
        let reference_videos = clips.checked(AssetType::Video, &req.reference_videos)?;
        let reference_audios = clips.checked(AssetType::Audio, &req.reference_audios)?;
        Ok(VideoSpec {
            face_asset_id: face_id.to_string(),
            prompt: prompt.to_string(),
            model: model.id.clone(),
            tier: model.tier,
            duration_seconds: duration,
            resolution,
            aspect_ratio: ratio,
            reference_videos,
            reference_audios,
        })
    }
}

/// "480p, 720p or 1080p".
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A submitted job, as the provider acknowledged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub remote_id: String,
    pub poll_url: Option<String>,
    pub price_usd: Option<String>,
}

/// Where the provider says a job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteState {
    Queued,
    Running,
    Completed {
        url: String,
    },
    Failed {
        /// What the provider said, verbatim (shortened).
        reason: String,
        /// Whether the provider says it charged (`None`: it does not say).
        charged: Option<bool>,
    },
}

/// One poll's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteStatus {
    pub state: RemoteState,
    pub progress: Option<u8>,
    /// The x402 settlement's transaction, when the completed poll settled.
    pub settlement_tx: Option<String>,
    /// The price the provider states with the answer.
    pub price_usd: Option<String>,
}

/// What a poll led to.
#[derive(Debug, Clone)]
pub enum PollAnswer {
    Status(RemoteStatus),
    /// The job's x402 authorization lapsed before the job finished; the provider asks for a
    /// fresh one (for the same job and price).
    PaymentExpired(Box<PaymentQuote>),
}

fn endpoint(provider: &Provider) -> Result<&crate::providers::endpoint::Endpoint> {
    provider
        .endpoint()
        .ok_or_else(|| Error::Internal("this provider makes no videos".into()))
}

/// Sends a checked job. On x402 without `payment` the answer is the provider's price.
pub async fn submit(
    provider: &Provider,
    spec: &VideoSpec,
    payment: Option<&SignedPayment>,
) -> Result<Paid<Submitted>> {
    let ep = endpoint(provider)?;
    match provider.api()? {
        ProviderApi::BlockRun | ProviderApi::JarvisClaw => {
            crate::providers::blockrun::video::submit(ep, spec, payment).await
        }
        ProviderApi::Anyfast => crate::providers::anyfast::video::submit(ep, spec)
            .await
            .map(Paid::Done),
        ProviderApi::Crun => crate::providers::crun::video::submit(ep, spec)
            .await
            .map(Paid::Done),
    }
}

/// Asks once where a job stands. BlockRun and JarvisClaw want the job's payment header again
/// (the same wallet) on the x402 rail.
pub async fn poll(
    provider: &Provider,
    remote_id: &str,
    poll_url: Option<&str>,
    payment: Option<&SignedPayment>,
) -> Result<PollAnswer> {
    let ep = endpoint(provider)?;
    match provider.api()? {
        api @ (ProviderApi::BlockRun | ProviderApi::JarvisClaw) => {
            crate::providers::blockrun::video::poll(ep, api, remote_id, poll_url, payment).await
        }
        ProviderApi::Anyfast => crate::providers::anyfast::video::poll(ep, remote_id)
            .await
            .map(PollAnswer::Status),
        ProviderApi::Crun => crate::providers::crun::video::poll(ep, remote_id)
            .await
            .map(PollAnswer::Status),
    }
}

/// Whether a failure is the provider's output moderation turning down the finished video
/// (copyright, "sensitive information"): upstream does that after generating, now and then.
pub fn is_moderation(reason: &str) -> bool {
    let r = reason.to_ascii_lowercase();
    [
        "moderation",
        "sensitive",
        "copyright",
        "content policy",
        "policy violation",
        "inappropriate",
        "nsfw",
    ]
    .iter()
    .any(|w| r.contains(w))
}

/// A failed job in words: what happened, what to do, and whether it cost anything.
pub fn failure_words(provider: &str, reason: &str, money: &str) -> String {
    let said = if reason.trim().is_empty() {
        String::new()
    } else {
        format!(" ({})", crate::providers::endpoint::truncate(reason.trim()))
    };
    if is_moderation(reason) {
        format!(
            "{provider}'s output check turned down the finished video{said}. {money} Change the prompt (no brands, famous people or sensitive content) and try again."
        )
    } else {
        format!(
            "{provider} could not make this video{said}. {money} Try again, or change the prompt."
        )
    }
}

/// A dollar amount as providers write it (`"0.786480"`, `"0.79"`, `"1"`), exactly, without
/// trailing zeros beyond the cents: `"0.78648"`, `"0.79"`, `"1.00"`. Anything else is kept as
/// given.
pub fn tidy_usd(amount: &str) -> String {
    let a = amount.trim();
    let (whole, frac) = a.split_once('.').unwrap_or((a, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return a.to_string();
    }
    let frac = frac.trim_end_matches('0');
    format!("{whole}.{frac:0<2}")
}

/// A job id the provider gave, checked before it is put in a path or a query: plain tokens
/// only (`bytedance:video_…`, `cgt-…`, `asyntask_…`).
pub(crate) fn plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.'))
}

/// `"50%"`, `50`, `"50"`, `0.5`: a percentage.
pub(crate) fn percent(v: Option<&serde_json::Value>) -> Option<u8> {
    let n = match v? {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().trim_end_matches('%').trim().parse().ok()?,
        _ => return None,
    };
    let n = if n > 0.0 && n < 1.0 { n * 100.0 } else { n };
    Some(n.clamp(0.0, 100.0).round() as u8)
}

/// The text of an error value: a string, or an object's `message`.
pub(crate) fn error_text(v: Option<&serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Object(o) => o
            .get("message")
            .or(o.get("Message"))
            .and_then(|m| m.as_str())
            .filter(|m| !m.trim().is_empty())
            .map(str::to_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
