//! Seedance 2.0 video jobs with a face from the library: what each provider offers, the checks
//! made before any request, the job and its states, and one client per wire format (research
//! §1.6, §2.4, §3.4, §4.4, §5.2).
//!
//! Face ids never cross providers: BlockRun and JarvisClaw take a `ta_…` face as
//! `real_face_asset_id`; Anyfast and Crun take an active `asset-…` photo of a verified person as
//! `asset://<id>`. Rehearsal plays one of the four APIs and takes that API's faces.
//!
//! The wire modules are private; [`submit`] and [`poll`] are the only way in, and they speak in
//! [`Submitted`] and [`PollAnswer`].

mod anyfast;
mod blockrun;
mod crun;
pub mod download;
pub mod schedule;

pub use schedule::{next_poll, VideoPollPlan, VideoPollPolicy};

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
/// [`VideoApi::claimable_ms`] is each API's own figure.
pub const CLAIMABLE_MS: i64 = 48 * 3_600_000;
/// Anyfast's and Crun's result URLs last 24 h (research §3.4, §5.2): nothing is polled or
/// promised past that.
pub const RESULT_URL_MS: i64 = 24 * 3_600_000;
/// The largest finished video downloaded: a 15 s 1080p clip is tens of MB, so 1 GB is a
/// runaway server, not a video.
pub const MAX_VIDEO_BYTES: u64 = 1 << 30;

/// Which video API a provider speaks (Rehearsal plays one of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum VideoApi {
    #[serde(rename = "blockrun")]
    BlockRun,
    #[serde(rename = "jarvisclaw")]
    JarvisClaw,
    Anyfast,
    Crun,
}

impl VideoApi {
    /// The API the configured provider client speaks.
    pub fn of(provider: &Provider) -> Result<Self> {
        match provider {
            Provider::BlockRun(_) => Ok(VideoApi::BlockRun),
            Provider::JarvisClaw(_) => Ok(VideoApi::JarvisClaw),
            Provider::Anyfast(_) => Ok(VideoApi::Anyfast),
            Provider::Crun(_) => Ok(VideoApi::Crun),
            #[cfg(test)]
            Provider::Scripted(_) => Err(Error::Internal(
                "the scripted test provider makes no videos".into(),
            )),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            VideoApi::BlockRun => "BlockRun",
            VideoApi::JarvisClaw => "JarvisClaw",
            VideoApi::Anyfast => "Anyfast",
            VideoApi::Crun => "Crun",
        }
    }

    /// The tier a form starts on: fast (cheaper) where the provider documents faces on it;
    /// on Crun the 2.0 r2v model, the one whose page documents uploaded assets (the 2.0-fast
    /// r2v page has its "Custom Uploaded Assets" section commented out, research §4.4).
    pub fn default_tier(self) -> SeedanceTier {
        match self {
            VideoApi::Crun => SeedanceTier::Standard,
            _ => SeedanceTier::Fast,
        }
    }

    /// What the form says beside a model, where the provider's page decides the default.
    pub fn model_note(self, tier: SeedanceTier) -> Option<&'static str> {
        match (self, tier) {
            (VideoApi::Crun, SeedanceTier::Standard) => Some(
                "The default on Crun: its reference-to-video page documents uploaded faces for Seedance 2.0.",
            ),
            (VideoApi::Crun, SeedanceTier::Fast) => Some(
                "Crun's page does not confirm uploaded faces on 2.0 fast; choose it only if Crun has confirmed it for your account.",
            ),
            _ => None,
        }
    }

    /// How long a job can still be claimed (polled, its video fetched) after it was accepted.
    pub fn claimable_ms(self) -> i64 {
        match self {
            VideoApi::BlockRun | VideoApi::JarvisClaw => CLAIMABLE_MS,
            VideoApi::Anyfast | VideoApi::Crun => RESULT_URL_MS,
        }
    }

    /// Whether faces are `ta_…` ids (`real_face_asset_id`) rather than `asset-…` ids.
    pub fn takes_ta_faces(self) -> bool {
        matches!(self, VideoApi::BlockRun | VideoApi::JarvisClaw)
    }

    /// The provider's own model id for a tier.
    pub fn model_id(self, tier: SeedanceTier) -> &'static str {
        match (self, tier) {
            (VideoApi::BlockRun | VideoApi::JarvisClaw, SeedanceTier::Standard) => {
                "bytedance/seedance-2.0"
            }
            (VideoApi::BlockRun | VideoApi::JarvisClaw, SeedanceTier::Fast) => {
                "bytedance/seedance-2.0-fast"
            }
            (VideoApi::Anyfast, SeedanceTier::Standard) => "seedance",
            (VideoApi::Anyfast, SeedanceTier::Fast) => "seedance-fast",
            // Reference-to-video: the model that takes `reference_images` (the face).
            (VideoApi::Crun, SeedanceTier::Standard) => "bytedance/seedance2-0-r2v",
            (VideoApi::Crun, SeedanceTier::Fast) => "bytedance/seedance2-0-fast-r2v",
        }
    }

    /// The documented resolutions of a tier.
    pub fn resolutions(self, tier: SeedanceTier) -> &'static [&'static str] {
        match (self, tier) {
            // BlockRun also lists 4K on 2.0; not for face-conditioned jobs in any doc, so not
            // offered.
            (VideoApi::Crun, _) => &["720p"],
            (_, SeedanceTier::Standard) => &["480p", "720p", "1080p"],
            (_, SeedanceTier::Fast) => &["480p", "720p"],
        }
    }

    /// The documented aspect ratios, in the doc's order.
    pub fn ratios(self) -> &'static [&'static str] {
        match self {
            VideoApi::BlockRun | VideoApi::JarvisClaw => {
                &["adaptive", "16:9", "9:16", "1:1", "4:3", "3:4", "21:9"]
            }
            VideoApi::Anyfast => &["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"],
            VideoApi::Crun => &["16:9", "auto"],
        }
    }

    /// Whether a library face can be used with this API on `provider`, and if not, why (in
    /// words). `face` is `None` when the id is not in the library at all.
    pub fn face_refusal(
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
                    self.label()
                ));
            }
            return None;
        }
        if face.kind != FaceKind::Asset || !asset_id.starts_with("asset-") {
            return refuse(format!(
                "{asset_id} is a ta_… face; {} takes an asset-… photo of a verified person's group. Pick one of those.",
                self.label()
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
                self.label()
            )),
            AssetStatus::Failed => refuse(format!(
                "{asset_id} failed at {} ({}). Pick another photo of {}.",
                self.label(),
                face.status_message.as_deref().unwrap_or("no reason given"),
                face.name
            )),
        }
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
}

/// Everything a video form may offer for the selected provider, and nothing else.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VideoOptions {
    pub provider: ProviderKind,
    pub api: VideoApi,
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
}

impl VideoOptions {
    /// The documented options of `api` (no faces: the studio adds the library's).
    pub fn for_api(provider: ProviderKind, api: VideoApi, billing: VideoBilling) -> Self {
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

    /// Checks a request against the documented values (and the face against the API), before
    /// anything is sent. `face` is the library's entry for the requested id, if any.
    pub fn check(&self, req: &VideoRequest, face: Option<&FaceSummary>) -> Result<VideoSpec> {
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
        let duration = req.duration_seconds.unwrap_or(self.default_duration);
        if !self.durations.contains(&duration) {
            return Err(Error::invalid(
                "duration",
                format!(
                    "{api} makes videos of {MIN_DURATION_S} to {MAX_DURATION_S} seconds; {duration} s is not offered. Choose a whole number of seconds in that range."
                ),
            ));
        }
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
        Ok(VideoSpec {
            face_asset_id: face_id.to_string(),
            prompt: prompt.to_string(),
            model: model.id.clone(),
            tier: model.tier,
            duration_seconds: duration,
            resolution,
            aspect_ratio: ratio,
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

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// The price (or, on an account, the billing) is shown; nothing is signed or sent.
    AwaitingConfirmation,
    /// The confirmed job is being sent (or was, and the answer was lost).
    Submitting,
    /// The provider accepted it and has not started.
    Queued,
    /// The provider is generating it.
    Running,
    /// The provider finished; the file is coming down (or failed to, and can be retried).
    Downloading,
    /// The video is on disk.
    Completed,
    Failed,
    /// Not finished within the time the provider keeps a job (48 h, or 24 h on Anyfast and Crun).
    Expired,
}

impl JobState {
    pub const ALL: [JobState; 8] = [
        JobState::AwaitingConfirmation,
        JobState::Submitting,
        JobState::Queued,
        JobState::Running,
        JobState::Downloading,
        JobState::Completed,
        JobState::Failed,
        JobState::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::AwaitingConfirmation => "awaiting_confirmation",
            JobState::Submitting => "submitting",
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Downloading => "downloading",
            JobState::Completed => "completed",
            JobState::Failed => "failed",
            JobState::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            JobState::AwaitingConfirmation => "waiting for your confirmation",
            JobState::Submitting => "submitting",
            JobState::Queued => "queued",
            JobState::Running => "generating",
            JobState::Downloading => "downloading",
            JobState::Completed => "done",
            JobState::Failed => "failed",
            JobState::Expired => "expired",
        }
    }

    /// The provider holds it and it has not finished.
    pub fn at_provider(self) -> bool {
        matches!(self, JobState::Queued | JobState::Running)
    }

    /// Nothing more will happen to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Completed | JobState::Failed | JobState::Expired
        )
    }
}

/// One video job, as stored (`video_jobs`) plus what the window shows with it.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VideoJob {
    pub id: String,
    pub provider: ProviderKind,
    pub face_asset_id: String,
    /// The provider's own model id.
    pub model: String,
    pub prompt: String,
    pub duration_seconds: u32,
    pub resolution: String,
    pub aspect_ratio: String,
    pub state: JobState,
    /// The provider's job or task id.
    pub remote_id: Option<String>,
    /// Where the provider said to ask about it (BlockRun, JarvisClaw), verbatim.
    pub poll_url: Option<String>,
    /// USD, as quoted or as the provider stated it.
    pub price_usd: Option<String>,
    /// The x402 ledger row paying for it (the latest, after a re-signed authorization).
    pub payment_id: Option<String>,
    /// Whether money was spent: `None` while unknown.
    pub charged: Option<bool>,
    /// The finished video at the provider.
    pub result_url: Option<String>,
    /// The finished video on this machine.
    pub local_path: Option<String>,
    /// What went wrong, in words, with whether it was charged.
    pub error: Option<String>,
    pub created_at_ms: i64,
    pub submitted_at_ms: Option<i64>,
    pub completed_at_ms: Option<i64>,
    pub updated_at_ms: i64,

    // What follows is not stored: the studio fills it in for the window.
    pub billing: VideoBilling,
    /// The price to confirm, while the job waits for the operator (x402).
    pub quote: Option<PaymentQuote>,
    /// The payee differs from the one this provider was paid before: confirm twice.
    pub payee_changed: bool,
    /// The face's name in the library.
    pub face_name: Option<String>,
    /// The provider's progress, in percent, when it reports one.
    pub progress: Option<u8>,
    /// When the studio will next ask the provider, while it polls.
    pub next_check_at_ms: Option<i64>,
    /// Since it was submitted (or created), until it completed (or now).
    pub elapsed_ms: i64,
    /// Whether and what it cost, in words.
    pub charge_note: Option<String>,
    /// The latest trouble asking about it (a dropped connection, a rate limit); the studio
    /// keeps asking.
    pub notice: Option<String>,
}

impl VideoJob {
    /// A job for a checked request, waiting for the operator.
    pub fn new(id: String, provider: ProviderKind, spec: &VideoSpec, now_ms: i64) -> Self {
        VideoJob {
            id,
            provider,
            face_asset_id: spec.face_asset_id.clone(),
            model: spec.model.clone(),
            prompt: spec.prompt.clone(),
            duration_seconds: spec.duration_seconds,
            resolution: spec.resolution.clone(),
            aspect_ratio: spec.aspect_ratio.clone(),
            state: JobState::AwaitingConfirmation,
            remote_id: None,
            poll_url: None,
            price_usd: None,
            payment_id: None,
            charged: None,
            result_url: None,
            local_path: None,
            error: None,
            created_at_ms: now_ms,
            submitted_at_ms: None,
            completed_at_ms: None,
            updated_at_ms: now_ms,
            billing: VideoBilling::default(),
            quote: None,
            payee_changed: false,
            face_name: None,
            progress: None,
            next_check_at_ms: None,
            elapsed_ms: 0,
            charge_note: None,
            notice: None,
        }
    }

    /// An empty job, for the library to fill from a row.
    pub(crate) fn placeholder() -> Self {
        let spec = VideoSpec {
            face_asset_id: String::new(),
            prompt: String::new(),
            model: String::new(),
            tier: SeedanceTier::Fast,
            duration_seconds: 0,
            resolution: String::new(),
            aspect_ratio: String::new(),
        };
        VideoJob::new(String::new(), ProviderKind::Rehearsal, &spec, 0)
    }

    /// The request this job was made from, to send it.
    pub fn spec(&self) -> VideoSpec {
        VideoSpec {
            face_asset_id: self.face_asset_id.clone(),
            prompt: self.prompt.clone(),
            model: self.model.clone(),
            tier: if self.model.contains("fast") {
                SeedanceTier::Fast
            } else {
                SeedanceTier::Standard
            },
            duration_seconds: self.duration_seconds,
            resolution: self.resolution.clone(),
            aspect_ratio: self.aspect_ratio.clone(),
        }
    }

    /// How long it has taken so far (or took).
    pub fn elapsed_at(&self, now_ms: i64) -> i64 {
        let start = self.submitted_at_ms.unwrap_or(self.created_at_ms);
        let end = self.completed_at_ms.unwrap_or(now_ms);
        (end - start).max(0)
    }

    /// Whether and what it cost, in words.
    pub fn money_words(&self) -> String {
        let account = self.provider.label();
        match (self.charged, self.billing) {
            (Some(false), _) => "Nothing was charged.".into(),
            (Some(true), _) => match &self.price_usd {
                Some(p) => format!("This was charged: ${p}."),
                None => format!("This was billed to the {account} account."),
            },
            (None, VideoBilling::Wallet) => match self.state {
                JobState::AwaitingConfirmation => match &self.price_usd {
                    Some(p) => format!("Nothing is signed until you confirm the price of ${p}."),
                    None => "Nothing is signed until you confirm the price.".into(),
                },
                JobState::Submitting | JobState::Queued | JobState::Running => {
                    "Nothing is charged until the video is delivered; a failed video costs nothing."
                        .into()
                }
                _ => "Whether this was charged is not known; the Payments list keeps the signed payment.".into(),
            },
            (None, VideoBilling::Account) => match self.state {
                JobState::AwaitingConfirmation => format!(
                    "Submitting it bills the {account} account (the provider sets the price)."
                ),
                JobState::Submitting | JobState::Queued | JobState::Running => {
                    format!("Billed to the {account} account by the provider.")
                }
                _ => format!(
                    "Whether the {account} account was billed is not known; check its dashboard."
                ),
            },
        }
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
    match VideoApi::of(provider)? {
        VideoApi::BlockRun | VideoApi::JarvisClaw => blockrun::submit(ep, spec, payment).await,
        VideoApi::Anyfast => anyfast::submit(ep, spec).await.map(Paid::Done),
        VideoApi::Crun => crun::submit(ep, spec).await.map(Paid::Done),
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
    match VideoApi::of(provider)? {
        api @ (VideoApi::BlockRun | VideoApi::JarvisClaw) => {
            blockrun::poll(ep, api, remote_id, poll_url, payment).await
        }
        VideoApi::Anyfast => anyfast::poll(ep, remote_id).await.map(PollAnswer::Status),
        VideoApi::Crun => crun::poll(ep, remote_id).await.map(PollAnswer::Status),
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
fn plain_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.'))
}

/// `"50%"`, `50`, `"50"`, `0.5`: a percentage.
fn percent(v: Option<&serde_json::Value>) -> Option<u8> {
    let n = match v? {
        serde_json::Value::Number(n) => n.as_f64()?,
        serde_json::Value::String(s) => s.trim().trim_end_matches('%').trim().parse().ok()?,
        _ => return None,
    };
    let n = if n > 0.0 && n < 1.0 { n * 100.0 } else { n };
    Some(n.clamp(0.0, 100.0).round() as u8)
}

/// The text of an error value: a string, or an object's `message`.
fn error_text(v: Option<&serde_json::Value>) -> Option<String> {
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
