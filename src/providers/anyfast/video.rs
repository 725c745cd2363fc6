//! Anyfast's Seedance API (research §3.4, the BytePlus task API of §5.2 behind new-api):
//! `POST /v1/video/generations` with a `content[]` list (the prompt, then the face as
//! `asset://<id>` in the `reference_image` role, then any of the person's clips as `video_url` /
//! `audio_url` items in the `reference_video` / `reference_audio` roles) → `{id, task_id}`; then
//! `GET /v1/video/generations/{task_id}` → `{code, data:{status, result_url, fail_reason,
//! progress, data:{content:{video_url}, status}}}`. Failures are refunded.

use reqwest::Method;
use serde_json::{json, Value};

use crate::error::{Error, ProviderReason, Result};
use crate::providers::endpoint::{truncate, Answer, Endpoint};
use crate::video::{
    error_text, percent, plain_id, RemoteState, RemoteStatus, Submitted, VideoSpec,
};

const PATH: &str = "v1/video/generations";

fn require_key(ep: &Endpoint) -> Result<()> {
    if ep.has_api_key() {
        return Ok(());
    }
    Err(Error::NotConfigured {
        provider: ep.kind,
        what: "add an Anyfast API key from the Byteplus-Direct group in Settings.".into(),
    })
}

/// One `content[]` media item: `{"type": "<kind>", "<kind>": {"url": "asset://<id>"}, "role"}`.
fn asset_item(kind: &str, id: &str, role: &str) -> Value {
    json!({ "type": kind, kind: { "url": format!("asset://{id}") }, "role": role })
}

/// The request body, as Anyfast's guide shows it.
pub(crate) fn body(spec: &VideoSpec) -> Value {
    let mut content = vec![
        json!({ "type": "text", "text": spec.prompt }),
        asset_item("image_url", &spec.face_asset_id, "reference_image"),
    ];
    content.extend(
        spec.reference_videos
            .iter()
            .map(|id| asset_item("video_url", id, "reference_video")),
    );
    content.extend(
        spec.reference_audios
            .iter()
            .map(|id| asset_item("audio_url", id, "reference_audio")),
    );
    json!({
        "model": spec.model,
        "content": content,
        "resolution": spec.resolution,
        "ratio": spec.aspect_ratio,
        "duration": spec.duration_seconds,
        // As on BlockRun, a face-conditioned clip is made without sound, unless a voice clip
        // was given: a reference audio only shapes the soundtrack, so silence would waste it.
        "generate_audio": !spec.reference_audios.is_empty(),
        "watermark": false,
    })
}

pub(crate) async fn submit(ep: &Endpoint, spec: &VideoSpec) -> Result<Submitted> {
    require_key(ep)?;
    let body = body(spec);
    let answer = ep.send(Method::POST, PATH, Some(&body)).await?;
    let v = read(ep, &answer, true)?;
    let data = payload(&v);
    let id = ["task_id", "id"]
        .iter()
        .find_map(|k| data.get(*k).and_then(Value::as_str))
        .filter(|id| plain_id(id))
        .ok_or_else(|| ep.undecodable(&format!("no task id in {}", answer.text)))?;
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
    let answer = ep
        .send(Method::GET, &format!("{PATH}/{task_id}"), None)
        .await?;
    let v = read(ep, &answer, false)?;
    let data = payload(&v);
    // Upstream's own record, passed through under `data.data` with its own vocabulary.
    let inner = data.get("data").filter(|d| d.is_object());
    let outer = data.get("status").and_then(Value::as_str).unwrap_or("");
    let inner_word = inner
        .and_then(|d| d.get("status"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let phase = match (status_word(outer), status_word(inner_word)) {
        // The outer status may lag upstream's final word, or be one this client does not know.
        (Some(o), Some(i)) if !o.is_final() && i.is_final() => i,
        (Some(o), _) => o,
        (None, Some(i)) => i,
        (None, None) => {
            return Err(ep.undecodable(&format!(
                "an unknown task status {outer:?} in {}",
                answer.text
            )))
        }
    };
    let url = data
        .get("result_url")
        .and_then(Value::as_str)
        .or(inner
            .and_then(|d| d.pointer("/content/video_url"))
            .and_then(Value::as_str))
        .filter(|u| !u.trim().is_empty());
    let state = match (phase, url) {
        (Phase::Queued, _) => RemoteState::Queued,
        (Phase::Running, _) => RemoteState::Running,
        (Phase::Succeeded, Some(u)) => RemoteState::Completed { url: u.to_string() },
        // Finished without its address yet: the record can lag the result; ask again.
        (Phase::Succeeded, None) => RemoteState::Running,
        (Phase::Failed, _) => RemoteState::Failed {
            reason: data
                .get("fail_reason")
                .and_then(Value::as_str)
                .filter(|r| !r.trim().is_empty())
                .map(str::to_string)
                .or_else(|| inner.and_then(|d| error_text(d.get("error"))))
                .unwrap_or_default(),
            // Anyfast refunds failed tasks.
            charged: Some(false),
        },
    };
    Ok(RemoteStatus {
        state,
        progress: percent(data.get("progress")),
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

impl Phase {
    fn is_final(self) -> bool {
        matches!(self, Phase::Succeeded | Phase::Failed)
    }
}

/// Both documented vocabularies in any case: Anyfast's `NOT_START` / `QUEUED` / `IN_PROGRESS` /
/// `SUCCESS` / `FAILURE` and upstream's `queued` / `running` / `succeeded` / `failed` /
/// `cancelled`. The empty status of a task just created is queued.
pub(crate) fn status_word(word: &str) -> Option<Phase> {
    match word.trim().to_ascii_lowercase().as_str() {
        "" | "not_start" | "not_started" | "submitted" | "queued" | "pending" => {
            Some(Phase::Queued)
        }
        "in_progress" | "running" | "processing" => Some(Phase::Running),
        "success" | "succeeded" | "completed" => Some(Phase::Succeeded),
        "failure" | "failed" | "cancelled" | "canceled" | "expired" => Some(Phase::Failed),
        _ => None,
    }
}

/// The task's fields: under `data` in a `{code, data}` envelope, or at the root.
fn payload(v: &Value) -> &Value {
    v.get("data").filter(|d| d.is_object()).unwrap_or(v)
}

/// The answer's JSON when it succeeded; a refusal in words otherwise (new-api's
/// `{"error":{"message","code"}}`, or an envelope whose `code` is not `success`).
fn read(ep: &Endpoint, answer: &Answer, submitting: bool) -> Result<Value> {
    let v: Option<Value> = serde_json::from_str(&answer.text).ok();
    if answer.status.is_success() {
        let v = v.ok_or_else(|| ep.undecodable(&answer.text))?;
        let code_fails = match v.get("code") {
            Some(Value::String(c)) => !c.eq_ignore_ascii_case("success") && !c.is_empty(),
            Some(Value::Number(n)) => n.as_u64().is_some_and(|n| n != 0 && n != 200),
            _ => false,
        };
        if !code_fails && v.get("error").is_none_or(Value::is_null) {
            return Ok(v);
        }
        return Err(refusal(
            ep,
            answer.status.as_u16(),
            Some(&v),
            answer,
            submitting,
        ));
    }
    Err(refusal(
        ep,
        answer.status.as_u16(),
        v.as_ref(),
        answer,
        submitting,
    ))
}

fn refusal(
    ep: &Endpoint,
    status: u16,
    body: Option<&Value>,
    answer: &Answer,
    submitting: bool,
) -> Error {
    let p = ep.kind;
    let said = body
        .and_then(|v| error_text(v.get("error")).or_else(|| error_text(v.get("message"))))
        .map(|s| format!(" (Anyfast said: {})", truncate(&s)))
        .unwrap_or_default();
    let nothing = if submitting {
        " Nothing was billed."
    } else {
        ""
    };
    let lower = said.to_ascii_lowercase();
    let (reason, message) = if lower.contains("asset") && lower.contains("not found") {
        (
            ProviderReason::NotFound,
            format!("Anyfast cannot find this face for this key (assets belong to the key that uploaded them). Use the key the face was uploaded with.{said}{nothing}"),
        )
    } else {
        match status {
            429 => {
                return Error::RateLimited {
                    provider: p,
                    retry_after_seconds: answer.retry_after_seconds(),
                }
            }
            401 | 403 => (
                ProviderReason::Unauthorized,
                format!("Anyfast refused the API key. Check the key in Settings; it must come from the Byteplus-Direct group.{said}{nothing}"),
            ),
            402 => (
                ProviderReason::Other,
                format!("Anyfast says the account is out of credit. Top it up on anyfast.ai, then try again.{said}{nothing}"),
            ),
            404 => (
                ProviderReason::NotFound,
                format!("Anyfast does not know this task; results are kept 24 hours.{said}"),
            ),
            400 | 422 => (
                ProviderReason::BadRequest,
                format!("Anyfast refused the video request{said}.{nothing} Check the face, the prompt and the options, then try again."),
            ),
            500..=599 => (
                ProviderReason::UpstreamFailed,
                format!("Anyfast or BytePlus failed ({status}).{said}{nothing} It is asked again shortly."),
            ),
            _ => (
                ProviderReason::Other,
                format!("Anyfast answered {status}{said}.{nothing} Try again in a moment."),
            ),
        }
    };
    Error::Provider {
        provider: p,
        status,
        reason,
        message,
    }
}
