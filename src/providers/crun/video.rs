//! Crun's Seedance API (research §4.4): `POST /CreateTask {model, input{prompt,
//! reference_images:["asset://…"], reference_videos?, reference_audios?, resolution, aspect_ratio,
//! duration, audio}}` → `data.task_id`,
//! then `GET /TaskInfo?task_id=` → `data.status` (`pending|running|success|failed`, any case) and
//! `data.result.media_urls[0]`.
//!
//! Every answer is Crun's `{code, message, data}` envelope, opened by the asset client's
//! [`crun::open_envelope`]: the body's `code` wins over the HTTP status, so a 200 carrying
//! `{"code":402}` is a refusal. Only the words differ: these are about videos.

use reqwest::Method;
use serde_json::{json, Value};

use crate::error::{Error, ProviderReason, Result};
use crate::providers::crun;
use crate::providers::endpoint::{truncate, Answer, Endpoint};
use crate::video::{plain_id, RemoteState, RemoteStatus, Submitted, VideoSpec};

fn require_key(ep: &Endpoint) -> Result<()> {
    if ep.has_api_key() {
        return Ok(());
    }
    Err(Error::NotConfigured {
        provider: ep.kind,
        what: "add the Crun API key in Settings.".into(),
    })
}

fn asset_urls(ids: &[String]) -> Vec<String> {
    ids.iter().map(|id| format!("asset://{id}")).collect()
}

/// The request body, as Crun's reference-to-video page shows it. The clip lists go only when
/// there are clips, so a face-only job is the body Crun documents for one image.
pub(crate) fn body(spec: &VideoSpec) -> Value {
    let mut input = json!({
        "prompt": spec.prompt,
        "reference_images": [format!("asset://{}", spec.face_asset_id)],
        "resolution": spec.resolution,
        "aspect_ratio": spec.aspect_ratio,
        "duration": spec.duration_seconds,
        // Silent with a face alone; with a voice clip, sound is what the clip is for.
        "audio": !spec.reference_audios.is_empty(),
    });
    if !spec.reference_videos.is_empty() {
        input["reference_videos"] = json!(asset_urls(&spec.reference_videos));
    }
    if !spec.reference_audios.is_empty() {
        input["reference_audios"] = json!(asset_urls(&spec.reference_audios));
    }
    json!({ "model": spec.model, "input": input })
}

pub(crate) async fn submit(ep: &Endpoint, spec: &VideoSpec) -> Result<Submitted> {
    require_key(ep)?;
    let body = body(spec);
    let answer = ep.send(Method::POST, "CreateTask", Some(&body)).await?;
    let data = read(ep, &answer, true)?;
    let id = data
        .get("task_id")
        .or(data.get("taskId"))
        .and_then(Value::as_str)
        .filter(|id| plain_id(id))
        .ok_or_else(|| ep.undecodable(&format!("no task_id in {}", answer.text)))?;
    Ok(Submitted {
        remote_id: id.to_string(),
        poll_url: None,
        price_usd: None,
    })
}

pub(crate) async fn poll(ep: &Endpoint, task_id: &str) -> Result<RemoteStatus> {
    require_key(ep)?;
    if !plain_id(task_id) {
        return Err(ep.undecodable(&format!("a task id we cannot use: {task_id}")));
    }
    let path = format!(
        "TaskInfo?task_id={}",
        url::form_urlencoded::byte_serialize(task_id.as_bytes()).collect::<String>()
    );
    let answer = ep.send(Method::GET, &path, None).await?;
    let data = read(ep, &answer, false)?;
    let word = data.get("status").and_then(Value::as_str).unwrap_or("");
    let result = data.get("result").filter(|r| r.is_object());
    let url = result
        .and_then(|r| r.get("media_urls"))
        .and_then(Value::as_array)
        .and_then(|urls| urls.iter().find_map(Value::as_str))
        .filter(|u| !u.trim().is_empty());
    let state = match (status_word(word), url) {
        (Some(Phase::Queued), _) => RemoteState::Queued,
        (Some(Phase::Running), _) => RemoteState::Running,
        (Some(Phase::Succeeded), Some(u)) => RemoteState::Completed { url: u.to_string() },
        // Finished without its address yet: ask again.
        (Some(Phase::Succeeded), None) => RemoteState::Running,
        (Some(Phase::Failed), _) => RemoteState::Failed {
            reason: result
                .and_then(|r| r.get("message"))
                .and_then(Value::as_str)
                .or(data.get("message").and_then(Value::as_str))
                .unwrap_or_default()
                .to_string(),
            // Crun documents no refund rule; `credits` says what the task cost, when present.
            charged: data.get("credits").and_then(Value::as_f64).map(|c| c > 0.0),
        },
        (None, _) => {
            return Err(ep.undecodable(&format!(
                "an unknown task status {word:?} in {}",
                answer.text
            )))
        }
    };
    Ok(RemoteStatus {
        state,
        progress: crate::video::percent(data.get("progress")),
        settlement_tx: None,
        price_usd: None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// `pending|running|success|failed`, compared without case (one client mocks `SUCCESS`).
pub(crate) fn status_word(word: &str) -> Option<Phase> {
    match word.trim().to_ascii_lowercase().as_str() {
        "pending" | "queued" | "waiting" | "submitted" => Some(Phase::Queued),
        "running" | "processing" | "in_progress" => Some(Phase::Running),
        "success" | "succeeded" | "completed" => Some(Phase::Succeeded),
        "failed" | "failure" | "error" | "cancelled" | "canceled" => Some(Phase::Failed),
        _ => None,
    }
}

/// `data` of a successful envelope (see [`crun::open_envelope`]), or the refusal in words about
/// videos.
fn read(ep: &Endpoint, answer: &Answer, submitting: bool) -> Result<Value> {
    crun::open_envelope(ep, answer)?
        .map_err(|refused| refusal(ep, refused.code, refused.body.as_ref(), answer, submitting))
}

/// Seed 004's code list, in words about videos.
fn refusal(
    ep: &Endpoint,
    code: u16,
    body: Option<&Value>,
    answer: &Answer,
    submitting: bool,
) -> Error {
    let p = ep.kind;
    let (message, fields) = crun::what_crun_said(body);
    let fields: Vec<String> = fields.iter().map(|(f, m)| format!("{f}: {m}")).collect();
    let said = match (message.is_empty(), fields.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!(" (Crun said: {})", truncate(message)),
        (_, false) => format!(" (Crun said: {})", truncate(&fields.join("; "))),
    };
    let nothing = if submitting {
        " Nothing was billed."
    } else {
        ""
    };
    let (reason, text) = match code {
        429 => {
            return Error::RateLimited {
                provider: p,
                retry_after_seconds: answer.retry_after_seconds(),
            }
        }
        401 | 403 => (
            ProviderReason::Unauthorized,
            format!("Crun refused the API key. Check the key in Settings.{said}{nothing}"),
        ),
        402 => (
            ProviderReason::Other,
            format!("Crun says the account does not have enough credits for this video. Top up at crun.ai, then try again.{said}{nothing}"),
        ),
        404 => (
            ProviderReason::NotFound,
            format!("Crun does not know this task.{said}"),
        ),
        400 | 422 => (
            ProviderReason::BadRequest,
            format!("Crun refused the video request{said}.{nothing} Check the face, the prompt and the options, then try again."),
        ),
        455 => (
            ProviderReason::UpstreamFailed,
            format!("Crun is down for maintenance.{nothing} Try again later.{said}"),
        ),
        501 => (
            ProviderReason::UpstreamFailed,
            format!("Crun's generation failed.{said} Try again."),
        ),
        505 => (
            ProviderReason::Other,
            format!("Crun has this feature switched off for the account. Ask Crun support to enable Seedance with real-person assets.{said}{nothing}"),
        ),
        500..=599 => (
            ProviderReason::UpstreamFailed,
            format!("Crun had a server error ({code}).{nothing} It is asked again shortly.{said}"),
        ),
        other => (
            ProviderReason::Other,
            format!("Crun answered {other}{said}.{nothing} Try again in a moment."),
        ),
    };
    Error::Provider {
        provider: p,
        status: code,
        reason,
        message: text,
    }
}
