//! Seedance 2.0 video generation, in all four personalities: the jobs, their price, their
//! timeline, and the clip they deliver.
//!
//! A job is decided when it is submitted: its timeline (queued for the first quarter of
//! [`super::RehearsalConfig::video_delay`], then in progress, then finished) and its fate
//! (a clip, or a failure scripted by [`super::VIDEO_FAIL_MARKER`],
//! [`super::MODERATION_MARKER`] or [`super::Faults::video_fail_once`]). What a poll shows
//! depends on the wall clock alone, so a restarted Rehearsal answers polls on the original
//! schedule, and no background task runs.
//!
//! Every finished clip is the same real MP4 ([`CLIP`]: 3 s, 24 fps, 320×240), served at
//! `GET /media/<job id>.mp4` with `Range` support so a `<video>` element can seek. A
//! BlockRun/JarvisClaw clip is only served once a completed poll has handed out its URL (and,
//! on x402, settled), as the real mirror URL is only learnt that way; an Anyfast or Crun clip
//! as soon as the task succeeded.
//!
//! The wire forms are in the submodules: `blockrun` (BlockRun and JarvisClaw,
//! `/v1/videos/generations`), `anyfast` (`/v1/video/generations`) and `crun`
//! (`CreateTask` / `TaskInfo`).

pub mod anyfast;
mod assets;
pub mod blockrun;
pub mod crun;

pub use assets::{asset_ref, AssetRefusal, References};

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use provider_api::ProviderApi;
use x402::X402Version;

use super::error::ApiError;
use super::ids;
use super::service::Service;
use super::{MODERATION_MARKER, VIDEO_FAIL_MARKER};

/// The clip every successful job delivers (tests/fixtures/media/talent-3s.mp4: H.264, 3.000 s,
/// 24 fps, 320×240, `+faststart`).
pub const CLIP: &[u8] = include_bytes!("../../tests/fixtures/media/talent-3s.mp4");
/// [`CLIP`]'s true length, what `data[].duration_seconds` reports.
pub const CLIP_SECONDS: u32 = 3;
/// How long a job can be polled after it was made (BlockRun: "claimable ~48 h"); older ones
/// answer `404` "job expired".
pub const JOB_TTL: Duration = Duration::from_secs(48 * 3600);
/// Jobs are forgotten this long after they expired, so the state file does not grow forever.
const FORGET_AFTER: Duration = Duration::from_secs(30 * 24 * 3600);

/// Why a generation failed, for [`super::VIDEO_FAIL_MARKER`] and the fault.
pub const GENERATION_FAILED: &str = "Seedance generation failed (upstream error)";
/// Why a finished clip was withheld, for [`super::MODERATION_MARKER`].
pub const MODERATION_FAILED: &str =
    "The generated video was blocked by output moderation (sensitive content)";

/// Which model family a job runs on: it decides the price per token and the resolutions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Seedance 2.0 ("Pro"): 480p, 720p, 1080p.
    Standard,
    /// Seedance 2.0 fast: 480p, 720p.
    Fast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    P480,
    P720,
    P1080,
}

impl Resolution {
    pub fn parse(s: &str) -> Option<Resolution> {
        Some(match s {
            "480p" => Resolution::P480,
            "720p" => Resolution::P720,
            "1080p" => Resolution::P1080,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::P480 => "480p",
            Resolution::P720 => "720p",
            Resolution::P1080 => "1080p",
        }
    }

    /// Fast stops at 720p.
    pub fn offered_on(self, tier: Tier) -> bool {
        tier == Tier::Standard || self != Resolution::P1080
    }
}

impl Tier {
    /// What the resolution refusal lists.
    pub fn resolutions(self) -> &'static str {
        match self {
            Tier::Standard => "480p, 720p or 1080p",
            Tier::Fast => "480p or 720p",
        }
    }
}

/// What a clip costs, as BlockRun meters it (the shared metering, `provider_api::metering`).
pub type Quote = provider_api::metering::MeteredPrice;

/// The price of `seconds` of `resolution` on `tier`, as the docs give it. 5 s of fast 720p:
/// 108 450 tokens, $0.825804.
pub fn quote(tier: Tier, resolution: Resolution, seconds: u32) -> Quote {
    provider_api::metering::blockrun_price(tier == Tier::Fast, resolution.as_str(), seconds)
        .expect("every Rehearsal resolution is metered")
}

/// BlockRun's and JarvisClaw's jobs: polled under `/v1/videos/generations/{id}`.
pub fn is_gateway(api: ProviderApi) -> bool {
    matches!(api, ProviderApi::BlockRun | ProviderApi::JarvisClaw)
}

/// How a job ends, decided at submit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Fate {
    Clip,
    Failed { reason: String },
}

/// The x402 authorization a job was submitted with: verified then, settled on the first
/// completed poll (or replaced by a newer one from the same payer if it expired first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldPayment {
    /// `authorization.from`, checksummed: the only wallet that may poll the job.
    pub payer: String,
    /// `0x` + 64 lowercase hex.
    pub nonce: String,
    pub version: X402Version,
    pub amount_atomic: String,
    pub valid_before: u64,
}

/// Who pays for a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rail", rename_all = "snake_case")]
pub enum Billing {
    /// An API key's account (BlockRun's key rail; every Anyfast and Crun job).
    Account,
    X402 {
        payment: HeldPayment,
    },
}

/// The first completed poll of a BlockRun/JarvisClaw job: what it settled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivered {
    pub at_ms: i64,
    /// `0x` + 64 hex: the settlement (x402) or the account's pretend receipt.
    pub tx_hash: String,
    pub network: String,
    /// An x402 settlement (counted, with the settlement header), not an account charge.
    pub x402: bool,
}

/// One job. Also the state file's form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoJob {
    pub id: String,
    pub api: ProviderApi,
    /// As the client named it (`bytedance/seedance-2.0-fast`, `seedance-fast`, …).
    pub model: String,
    pub tier: Tier,
    pub prompt: String,
    pub duration_seconds: u32,
    pub resolution: String,
    pub aspect_ratio: String,
    pub generate_audio: bool,
    /// The `ta_…` faces (BlockRun/JarvisClaw) or image `asset-…` ids it was conditioned on.
    #[serde(default)]
    pub references: Vec<String>,
    /// The video `asset-…` ids given as reference videos (Anyfast, Crun).
    #[serde(default)]
    pub reference_videos: Vec<String>,
    /// The audio `asset-…` ids given as reference audio (Anyfast, Crun).
    #[serde(default)]
    pub reference_audios: Vec<String>,
    /// Crun's `param`: the request as it came.
    #[serde(default)]
    pub param: Value,
    /// Crun's `callback_url`, if one was given (recorded, not called).
    #[serde(default)]
    pub callback_url: Option<String>,
    /// The payer (x402), the key's wallet (BlockRun key rail) or the Anyfast/Crun account.
    pub owner: String,
    pub billing: Billing,
    pub tokens: u64,
    pub price_atomic: u64,
    pub created_at_ms: i64,
    /// When the job shows its end (a clip or a failure).
    pub done_at_ms: i64,
    pub fate: Fate,
    pub request_id: String,
    #[serde(default)]
    pub delivered: Option<Delivered>,
}

/// What a job was given, by slot, for tests to assert what arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoMedia {
    /// The face: `ta_…`, or image `asset-…` ids.
    pub images: Vec<String>,
    pub videos: Vec<String>,
    pub audios: Vec<String>,
    pub generate_audio: bool,
}

impl VideoJob {
    pub fn media(&self) -> VideoMedia {
        VideoMedia {
            images: self.references.clone(),
            videos: self.reference_videos.clone(),
            audios: self.reference_audios.clone(),
            generate_audio: self.generate_audio,
        }
    }
}

/// What a poll sees at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Queued,
    Running { progress: u8, elapsed_seconds: u64 },
    Succeeded,
    Failed(String),
}

impl VideoJob {
    pub fn phase(&self, now: i64) -> Phase {
        if now >= self.done_at_ms {
            return match &self.fate {
                Fate::Clip => Phase::Succeeded,
                Fate::Failed { reason } => Phase::Failed(reason.clone()),
            };
        }
        let span = (self.done_at_ms - self.created_at_ms).max(1);
        let elapsed = (now - self.created_at_ms).max(0);
        if elapsed.saturating_mul(4) < span {
            return Phase::Queued;
        }
        Phase::Running {
            progress: u8::try_from((elapsed.saturating_mul(100) / span).min(99)).unwrap_or(99),
            elapsed_seconds: u64::try_from(elapsed / 1000).unwrap_or(0),
        }
    }

    pub fn expired(&self, now: i64) -> bool {
        now >= self.created_at_ms.saturating_add(millis(JOB_TTL))
    }

    pub fn created_unix(&self) -> i64 {
        self.created_at_ms.div_euclid(1000)
    }

    /// The x402 authorization this job holds, while it may still settle: not delivered, and
    /// not (visibly) failed.
    pub fn held_payment(&self, now: i64) -> Option<&HeldPayment> {
        let Billing::X402 { payment } = &self.billing else {
            return None;
        };
        let failed = matches!(self.fate, Fate::Failed { .. }) && now >= self.done_at_ms;
        (self.delivered.is_none() && !failed).then_some(payment)
    }

    /// Whether `/media/<id>.mp4` serves the clip now.
    pub fn clip_available(&self, now: i64) -> bool {
        !self.expired(now)
            && self.phase(now) == Phase::Succeeded
            && (!is_gateway(self.api) || self.delivered.is_some())
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The failure a prompt or an armed fault scripts, if any, and how far into the delay it
/// shows: a generation failure halfway (the job ran, then broke), a moderation block only once
/// the clip was made.
pub fn scripted_fate(prompt: &str, fault_armed: bool) -> (Fate, Option<u32>) {
    if prompt.contains(VIDEO_FAIL_MARKER) || fault_armed {
        return (
            Fate::Failed {
                reason: GENERATION_FAILED.to_owned(),
            },
            Some(2),
        );
    }
    if prompt.contains(MODERATION_MARKER) {
        return (
            Fate::Failed {
                reason: MODERATION_FAILED.to_owned(),
            },
            None,
        );
    }
    (Fate::Clip, None)
}

/// A job about to be made; the service stamps its id, times and fate.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub api: ProviderApi,
    pub model: String,
    pub tier: Tier,
    pub prompt: String,
    pub duration_seconds: u32,
    pub resolution: Resolution,
    pub aspect_ratio: String,
    pub generate_audio: bool,
    pub references: Vec<String>,
    pub reference_videos: Vec<String>,
    pub reference_audios: Vec<String>,
    pub param: Value,
    pub callback_url: Option<String>,
    pub owner: String,
    pub billing: Billing,
}

/// Every job, of every personality.
#[derive(Debug, Default)]
pub struct VideoJobs {
    jobs: HashMap<String, VideoJob>,
}

impl VideoJobs {
    pub fn get(&self, id: &str) -> Option<&VideoJob> {
        self.jobs.get(id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut VideoJob> {
        self.jobs.get_mut(id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.jobs.contains_key(id)
    }

    /// Adds a job, forgetting those long expired.
    pub fn insert(&mut self, job: VideoJob, now: i64) {
        let forget = millis(JOB_TTL).saturating_add(millis(FORGET_AFTER));
        self.jobs
            .retain(|_, j| now < j.created_at_ms.saturating_add(forget));
        self.jobs.insert(job.id.clone(), job);
    }

    /// The job still holding `(payer, nonce)`, if one does.
    pub fn holder(&self, payer: &str, nonce: &str, now: i64) -> Option<&VideoJob> {
        self.jobs.values().find(|j| {
            j.held_payment(now).is_some_and(|p| {
                p.payer.eq_ignore_ascii_case(payer) && p.nonce.eq_ignore_ascii_case(nonce)
            })
        })
    }

    /// Ends the wait of every unfinished job now (tests and end-to-end runs).
    pub fn finish_now(&mut self, now: i64) -> usize {
        let mut changed = 0;
        for job in self.jobs.values_mut() {
            if job.done_at_ms > now {
                job.done_at_ms = now;
                changed += 1;
            }
        }
        changed
    }

    /// Oldest first.
    pub fn saved(&self) -> Vec<VideoJob> {
        let mut jobs: Vec<VideoJob> = self.jobs.values().cloned().collect();
        jobs.sort_by(|a, b| (a.created_at_ms, &a.id).cmp(&(b.created_at_ms, &b.id)));
        jobs
    }

    /// Refuses duplicate ids and jobs that end before they start.
    pub fn restore(saved: Vec<VideoJob>) -> Result<VideoJobs, String> {
        let mut jobs = HashMap::with_capacity(saved.len());
        for job in saved {
            if job.id.is_empty() || (is_gateway(job.api) && !ids::is_video_job_id(&job.id)) {
                return Err(format!("malformed video job id {:?}", job.id));
            }
            if job.done_at_ms < job.created_at_ms {
                return Err(format!("video job {} ends before it starts", job.id));
            }
            if let Some(dup) = jobs.insert(job.id.clone(), job) {
                return Err(format!("video job {} appears twice", dup.id));
            }
        }
        Ok(VideoJobs { jobs })
    }
}

/// `http://<public host>:<port>/media/<id>.mp4`: where a clip is downloaded.
pub fn clip_url(svc: &Service, id: &str) -> String {
    format!("http://{}/media/{id}.mp4", svc.authority())
}

/// A JSON whole number within `range`, or `None` (absent is the caller's business).
pub fn whole_in(value: &Value, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
    value.as_i64().filter(|n| range.contains(n))
}

/// The upstream model a Seedance tier runs as.
pub fn upstream_model(tier: Tier) -> &'static str {
    match tier {
        Tier::Standard => "dreamina-seedance-2-0-260128",
        Tier::Fast => "dreamina-seedance-2-0-fast-260128",
    }
}

// ---------------------------------------------------------------- the clip

/// `GET /media/<job id>.mp4` (any query, e.g. `?source=upstream`): the clip, `206` for a
/// single `Range: bytes=…`, `416` for one past the end, `404` for a job without one.
pub async fn media(
    State(svc): State<Arc<Service>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(id) = file.strip_suffix(".mp4") else {
        return ApiError::not_found("Not found: no such media").into_response();
    };
    if !svc.video_clip_available(id) {
        return ApiError::not_found(format!("Not found: no video for {id}"))
            .with("code", "MEDIA_NOT_FOUND")
            .into_response();
    }
    let total = CLIP.len();
    let range = headers
        .get(RANGE)
        .and_then(|v| v.to_str().ok())
        .map(|v| byte_range(v, total));
    let (status, start, end) = match range {
        None | Some(RangeAsked::Ignored) => (StatusCode::OK, 0, total),
        Some(RangeAsked::Unsatisfiable) => {
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(CONTENT_RANGE, format!("bytes */{total}"))],
            )
                .into_response();
        }
        Some(RangeAsked::Bytes { start, end }) => (StatusCode::PARTIAL_CONTENT, start, end),
    };
    svc.count_video_download();
    tracing::debug!(%id, start, end, "rehearsal: video clip served");
    let mut response = Response::new(Body::from(&CLIP[start..end]));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
    h.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(CONTENT_LENGTH, HeaderValue::from(end - start));
    if status == StatusCode::PARTIAL_CONTENT {
        if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{}/{total}", end - 1)) {
            h.insert(CONTENT_RANGE, v);
        }
    }
    response
}

/// What a `Range` header asks of a `total`-byte body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeAsked {
    /// Malformed, another unit, or several ranges: the whole body (RFC 9110 lets a server
    /// ignore a range it will not serve).
    Ignored,
    Unsatisfiable,
    /// `start..end`, end exclusive.
    Bytes {
        start: usize,
        end: usize,
    },
}

fn byte_range(header: &str, total: usize) -> RangeAsked {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return RangeAsked::Ignored;
    };
    if spec.contains(',') {
        return RangeAsked::Ignored;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAsked::Ignored;
    };
    let number = |s: &str| -> Option<usize> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match (first.trim(), last.trim()) {
        ("", suffix) => match number(suffix) {
            None => RangeAsked::Ignored,
            Some(0) => RangeAsked::Unsatisfiable,
            Some(n) => RangeAsked::Bytes {
                start: total.saturating_sub(n),
                end: total,
            },
        },
        (from, to) => {
            let Some(start) = number(from) else {
                return RangeAsked::Ignored;
            };
            let end = match to {
                "" => total,
                to => match number(to) {
                    Some(last) if last >= start => last.saturating_add(1).min(total),
                    _ => return RangeAsked::Ignored,
                },
            };
            if start >= total {
                RangeAsked::Unsatisfiable
            } else {
                RangeAsked::Bytes { start, end }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_follow_blockrun_metering() {
        let fast = quote(Tier::Fast, Resolution::P720, 5);
        assert_eq!(fast.tokens, 108_450);
        assert_eq!(fast.atomic, 825_804); // $0.825804 ≈ the docs' $0.83
        let pro = quote(Tier::Standard, Resolution::P720, 5);
        assert_eq!(pro.atomic, 1_135_480); // 108 450 × 9.9715 × 1.05 = 1 135 479.6 → up
        assert_eq!(quote(Tier::Fast, Resolution::P480, 4).tokens, 43_380);
        // 1080p × 2.25 on an odd duration leaves half a token: rounded up.
        let big = quote(Tier::Standard, Resolution::P1080, 5);
        assert_eq!(big.tokens, 244_013);
        assert_eq!(big.atomic, 2_554_830); // 244 012.5 × 9.9715 × 1.05 = 2 554 829.2 → up
    }

    #[test]
    fn resolutions_per_tier() {
        assert!(Resolution::P1080.offered_on(Tier::Standard));
        assert!(!Resolution::P1080.offered_on(Tier::Fast));
        assert!(Resolution::P480.offered_on(Tier::Fast));
        assert_eq!(Resolution::parse("4K"), None);
    }

    fn job(created: i64, done: i64, fate: Fate) -> VideoJob {
        VideoJob {
            id: "bytedance:video_000000000000000000000001".into(),
            api: ProviderApi::BlockRun,
            model: "bytedance/seedance-2.0-fast".into(),
            tier: Tier::Fast,
            prompt: "waves".into(),
            duration_seconds: 5,
            resolution: "720p".into(),
            aspect_ratio: "adaptive".into(),
            generate_audio: false,
            references: Vec::new(),
            reference_videos: Vec::new(),
            reference_audios: Vec::new(),
            param: Value::Null,
            callback_url: None,
            owner: "0xabc".into(),
            billing: Billing::Account,
            tokens: 1,
            price_atomic: 1,
            created_at_ms: created,
            done_at_ms: done,
            fate,
            request_id: "00".into(),
            delivered: None,
        }
    }

    #[test]
    fn a_job_is_queued_then_running_then_done() {
        let j = job(1_000, 21_000, Fate::Clip);
        assert_eq!(j.phase(1_000), Phase::Queued);
        assert_eq!(j.phase(5_999), Phase::Queued);
        assert_eq!(
            j.phase(6_000),
            Phase::Running {
                progress: 25,
                elapsed_seconds: 5
            }
        );
        assert_eq!(
            j.phase(20_999),
            Phase::Running {
                progress: 99,
                elapsed_seconds: 19
            }
        );
        assert_eq!(j.phase(21_000), Phase::Succeeded);
        let failed = job(0, 10, Fate::Failed { reason: "x".into() });
        assert_eq!(failed.phase(10), Phase::Failed("x".into()));
        assert!(!j.expired(1_000 + millis(JOB_TTL) - 1));
        assert!(j.expired(1_000 + millis(JOB_TTL)));
    }

    #[test]
    fn gateway_clips_wait_for_their_first_completed_poll() {
        let mut j = job(0, 10, Fate::Clip);
        assert!(!j.clip_available(5));
        assert!(!j.clip_available(10));
        j.delivered = Some(Delivered {
            at_ms: 10,
            tx_hash: "0x".into(),
            network: "base-sepolia".into(),
            x402: false,
        });
        assert!(j.clip_available(10));
        j.api = ProviderApi::Anyfast;
        j.delivered = None;
        assert!(j.clip_available(10));
        assert!(!j.clip_available(millis(JOB_TTL)));
    }

    #[test]
    fn scripted_fates() {
        assert_eq!(scripted_fate("a dancer", false), (Fate::Clip, None));
        let (fate, _) = scripted_fate("x rehearsal-moderation y", false);
        assert_eq!(
            fate,
            Fate::Failed {
                reason: MODERATION_FAILED.into()
            }
        );
        assert!(matches!(
            scripted_fate("fine", true),
            (Fate::Failed { .. }, Some(2))
        ));
        assert!(matches!(
            scripted_fate("rehearsal-video-fail rehearsal-moderation", false),
            (Fate::Failed { reason }, Some(2)) if reason == GENERATION_FAILED
        ));
    }

    #[test]
    fn ranges() {
        let t = 100;
        assert_eq!(
            byte_range("bytes=0-9", t),
            RangeAsked::Bytes { start: 0, end: 10 }
        );
        assert_eq!(
            byte_range("bytes=90-", t),
            RangeAsked::Bytes {
                start: 90,
                end: 100
            }
        );
        assert_eq!(
            byte_range("bytes=-10", t),
            RangeAsked::Bytes {
                start: 90,
                end: 100
            }
        );
        assert_eq!(
            byte_range("bytes=-1000", t),
            RangeAsked::Bytes { start: 0, end: 100 }
        );
        assert_eq!(
            byte_range("bytes=50-5000", t),
            RangeAsked::Bytes {
                start: 50,
                end: 100
            }
        );
        assert_eq!(byte_range("bytes=100-", t), RangeAsked::Unsatisfiable);
        assert_eq!(byte_range("bytes=-0", t), RangeAsked::Unsatisfiable);
        assert_eq!(byte_range("bytes=9-0", t), RangeAsked::Ignored);
        assert_eq!(byte_range("bytes=0-1,5-6", t), RangeAsked::Ignored);
        assert_eq!(byte_range("items=0-1", t), RangeAsked::Ignored);
        assert_eq!(byte_range("bytes=x-1", t), RangeAsked::Ignored);
    }

    #[test]
    fn the_clip_is_an_mp4() {
        assert_eq!(&CLIP[4..8], b"ftyp");
        assert_eq!(CLIP.len(), 24_788);
    }

    #[test]
    fn jobs_round_trip_and_refuse_nonsense() {
        let mut jobs = VideoJobs::default();
        jobs.insert(job(0, 10, Fate::Clip), 0);
        let saved = jobs.saved();
        let json = serde_json::to_value(&saved).unwrap();
        assert_eq!(json[0]["fate"]["result"], "clip");
        assert_eq!(json[0]["billing"]["rail"], "account");
        let back: Vec<VideoJob> = serde_json::from_value(json).unwrap();
        assert_eq!(VideoJobs::restore(back).unwrap().saved(), saved);
        let mut twice = saved.clone();
        twice.push(saved[0].clone());
        assert!(VideoJobs::restore(twice).is_err());
        let mut backwards = saved.clone();
        backwards[0].done_at_ms = -1;
        assert!(VideoJobs::restore(backwards).is_err());
        let mut malformed = saved;
        malformed[0].id = "video_1".into();
        assert!(VideoJobs::restore(malformed).is_err());
    }
}
