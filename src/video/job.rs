//! A video job as stored and shown: its state, what it was asked for, and what it cost in
//! words.

use serde::{Deserialize, Serialize};

use super::{SeedanceTier, VideoBilling, VideoSpec};
use crate::payment::PaymentQuote;
use crate::providers::ProviderKind;

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
    /// The person's video and voice clips given beside the face (asset ids).
    pub reference_videos: Vec<String>,
    pub reference_audios: Vec<String>,
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
    /// Who asked for it (Settings → Operator name); '' for a job from before operators were kept.
    pub operator: String,

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
            reference_videos: spec.reference_videos.clone(),
            reference_audios: spec.reference_audios.clone(),
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
            operator: String::new(),
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
            reference_videos: Vec::new(),
            reference_audios: Vec::new(),
        };
        VideoJob::new(String::new(), ProviderKind::Rehearsal, &spec, 0)
    }

    /// The request this job was made from, to send it.
    pub fn spec(&self) -> VideoSpec {
        VideoSpec {
            face_asset_id: self.face_asset_id.clone(),
            prompt: self.prompt.clone(),
            model: self.model.clone(),
            tier: SeedanceTier::of_model(&self.model),
            duration_seconds: self.duration_seconds,
            resolution: self.resolution.clone(),
            aspect_ratio: self.aspect_ratio.clone(),
            reference_videos: self.reference_videos.clone(),
            reference_audios: self.reference_audios.clone(),
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
