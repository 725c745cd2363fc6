//! BlockRun's Seedance API (research §1.6), which JarvisClaw serves in the same shape (§2.4):
//! `POST /v1/videos/generations` → 202 `{id, poll_url, price, payment_status}`, then
//! `GET {poll_url}` with the same payment (or the key) until `completed` → `data[0].url`.
//! Settlement happens on the first completed poll; a failed job is not charged.

use provider_api::ProviderApi;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{Error, ProviderReason, Result};
use crate::payment::{self, SignedPayment};
use crate::providers::endpoint::{decode, truncate, Answer, Endpoint};
use crate::providers::Paid;
use crate::video::VideoSpec;
use crate::video::{
    error_text, percent, plain_id, PollAnswer, RemoteState, RemoteStatus, Submitted,
};

const PATH: &str = "v1/videos/generations";

#[derive(Debug, Deserialize)]
struct SubmitBody {
    id: String,
    #[serde(default)]
    poll_url: Option<String>,
    #[serde(default)]
    price: Option<Price>,
}

#[derive(Debug, Deserialize)]
struct Price {
    amount: String,
}

pub(crate) async fn submit(
    ep: &Endpoint,
    spec: &VideoSpec,
    payment: Option<&SignedPayment>,
) -> Result<Paid<Submitted>> {
    // The face goes alone: `real_face_asset_id` excludes `image_url`, `last_frame_url` and
    // reference images, and the doc turns audio off for face-conditioned jobs.
    let body = json!({
        "model": spec.model,
        "prompt": spec.prompt,
        "real_face_asset_id": spec.face_asset_id,
        "duration_seconds": spec.duration_seconds,
        "resolution": spec.resolution,
        "aspect_ratio": spec.aspect_ratio,
        "generate_audio": false,
    });
    let paid = ep.send_paid(PATH, &body, payment).await?;
    paid.try_map(|delivered| {
        let answer = &delivered.answer;
        if !answer.status.is_success() {
            return Err(refusal(ep, answer, true));
        }
        let r: SubmitBody = decode(ep, &answer.text)?;
        if !plain_id(&r.id) {
            return Err(ep.undecodable(&format!("a job id we cannot use: {}", answer.text)));
        }
        Ok(Submitted {
            remote_id: r.id,
            poll_url: r.poll_url.filter(|p| !p.trim().is_empty()),
            price_usd: r.price.map(|p| p.amount),
        })
    })
}

pub(crate) async fn poll(
    ep: &Endpoint,
    api: ProviderApi,
    remote_id: &str,
    poll_url: Option<&str>,
    payment: Option<&SignedPayment>,
) -> Result<PollAnswer> {
    let url = match poll_url.filter(|p| !p.trim().is_empty()) {
        Some(p) => {
            // `poll_url` is minted as `/api/v1/…`; the key rail serves `/v1/…` at its root and
            // answers `wrong_host` to `/api/v1` (research §1.1).
            let strip_api = api == ProviderApi::BlockRun && ep.has_api_key();
            resolve_poll_url(ep.base_url(), p, strip_api)
                .map_err(|why| ep.undecodable(&format!("{why}: {p}")))?
        }
        None if plain_id(remote_id) => ep.resolve(&format!("{PATH}/{remote_id}"))?,
        None => return Err(ep.undecodable(&format!("a job id we cannot use: {remote_id}"))),
    };
    let answer = ep.get_at(&url, payment).await?;
    match answer.status.as_u16() {
        402 => return payment_needed(ep, &answer, payment.is_some()),
        200..=299 => {}
        _ => return Err(refusal(ep, &answer, false)),
    }
    let v: Value = serde_json::from_str(&answer.text).map_err(|_| ep.undecodable(&answer.text))?;
    let word = v
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let state = match word.as_str() {
        "queued" | "pending" | "submitted" | "not_start" => RemoteState::Queued,
        // A 202 without a status is a job still waiting.
        "" if answer.status.as_u16() == 202 => RemoteState::Queued,
        "in_progress" | "processing" | "running" | "generating" => RemoteState::Running,
        "completed" | "succeeded" | "success" => {
            let url = v
                .pointer("/data/0/url")
                .or(v.pointer("/data/0/source_url"))
                .and_then(Value::as_str)
                .filter(|u| !u.trim().is_empty());
            match url {
                Some(u) => RemoteState::Completed { url: u.to_string() },
                None => {
                    return Err(ep.undecodable(&format!(
                        "a completed job without data[0].url: {}",
                        answer.text
                    )))
                }
            }
        }
        "failed" | "failure" | "error" | "cancelled" | "canceled" => RemoteState::Failed {
            reason: error_text(v.get("error"))
                .or_else(|| error_text(v.get("message")))
                .unwrap_or_default(),
            // The doc: a failed job is never charged; the body says `not_charged` to confirm.
            charged: Some(said_charged(&v).unwrap_or(false)),
        },
        _ => {
            return Err(ep.undecodable(&format!(
                "an unknown job status {word:?} in {}",
                answer.text
            )))
        }
    };
    let header_tx = payment::parse_settlement(&answer.headers)
        .ok()
        .flatten()
        .and_then(|s| s.transaction);
    Ok(PollAnswer::Status(RemoteStatus {
        state,
        progress: percent(v.get("progress")),
        settlement_tx: v
            .pointer("/payment/tx_hash")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .or(header_tx),
        price_usd: v
            .pointer("/price/amount")
            .and_then(Value::as_str)
            .map(str::to_string),
    }))
}

/// `payment_status` / `payment.status`: `not_charged` → false, `settled` → true.
fn said_charged(v: &Value) -> Option<bool> {
    let word = v
        .get("payment_status")
        .or(v.pointer("/payment/status"))
        .and_then(Value::as_str)?
        .to_ascii_lowercase();
    match word.as_str() {
        "not_charged" | "refunded" | "void" => Some(false),
        "settled" | "already_settled" | "charged" => Some(true),
        _ => None,
    }
}

/// A 402 while polling. On the wallet rail it means the job's authorization lapsed
/// (`payment_expired`: the provider wants a fresh one for the same job) or was refused; on the
/// key rail that the account ran dry.
fn payment_needed(ep: &Endpoint, answer: &Answer, paid: bool) -> Result<PollAnswer> {
    let p = ep.kind;
    if ep.has_api_key() {
        return Err(Error::Provider {
            provider: p,
            status: 402,
            reason: ProviderReason::Other,
            message: format!("{p} says the account is out of credit, so it will not hand over the video. Top it up; the job keeps being asked about."),
        });
    }
    let body_error = serde_json::from_str::<Value>(&answer.text)
        .ok()
        .and_then(|v| {
            error_text(v.get("error")).or_else(|| {
                v.pointer("/error/code")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
        });
    let challenge = payment::parse_challenge(&answer.headers, answer.text.as_bytes());
    let said = challenge
        .as_ref()
        .ok()
        .and_then(|c| c.error.clone())
        .or(body_error)
        .unwrap_or_default();
    if paid && said.to_ascii_lowercase().contains("expired") {
        let quote = challenge?.quote()?;
        return Ok(PollAnswer::PaymentExpired(Box::new(quote)));
    }
    Err(Error::PaymentRejected {
        provider: p,
        reason: if said.is_empty() {
            "it asked for a payment from the wallet that paid for this job".into()
        } else {
            truncate(&said)
        },
    })
}

/// A refusal in words. `before_payment`: on submit, a refusal means nothing was charged.
fn refusal(ep: &Endpoint, answer: &Answer, before_payment: bool) -> Error {
    let p = ep.kind;
    let body: Option<Value> = serde_json::from_str(&answer.text).ok();
    let said = body
        .as_ref()
        .and_then(|v| error_text(v.get("error")).or_else(|| error_text(v.get("message"))));
    let field = body
        .as_ref()
        .and_then(|v| v.get("field"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let said = said
        .map(|s| format!(" ({})", truncate(&s)))
        .unwrap_or_default();
    let nothing = if before_payment {
        " Nothing was charged."
    } else {
        ""
    };
    let status = answer.status.as_u16();
    let (reason, message) = match status {
        429 => {
            return Error::RateLimited {
                provider: p,
                retry_after_seconds: answer.retry_after_seconds(),
            }
        }
        400 | 422 => (
            ProviderReason::BadRequest,
            match field {
                Some(f) => format!("{p} refused the video's {}{said}.{nothing} Change it and try again.", field_words(&f)),
                None => format!("{p} refused the video request{said}.{nothing} Check the face, the prompt and the options, then try again."),
            },
        ),
        401 | 403 => (
            ProviderReason::Unauthorized,
            format!("{p} refused the API key{said}. Check the key in Settings.{nothing}"),
        ),
        404 => (
            ProviderReason::NotFound,
            if before_payment {
                format!("{p} does not offer this video endpoint{said}. Nothing was charged.")
            } else {
                format!("{p} no longer knows this job{said}; jobs are kept 48 hours.")
            },
        ),
        500..=599 => (
            ProviderReason::UpstreamFailed,
            format!("{p} or its upstream failed ({status}){said}.{nothing} It is asked again shortly."),
        ),
        _ => (
            ProviderReason::Other,
            format!("{p} answered {status}{said}.{nothing} Try again in a moment."),
        ),
    };
    Error::Provider {
        provider: p,
        status,
        reason,
        message,
    }
}

fn field_words(f: &str) -> String {
    match f {
        "real_face_asset_id" => "face".into(),
        "duration_seconds" => "length".into(),
        "aspect_ratio" => "aspect ratio".into(),
        "model" | "prompt" | "resolution" => f.into(),
        other => format!("field {other}"),
    }
}

/// The address to poll: the provider's `poll_url` kept verbatim (its query carries the model,
/// duration or signature), on the API's own origin. A root-relative one is placed under the API
/// root unless it already starts with the root's path (`/api/v1/…` under `…/api/`).
pub(crate) fn resolve_poll_url(
    base: &url::Url,
    poll_url: &str,
    strip_api: bool,
) -> std::result::Result<url::Url, &'static str> {
    let p = poll_url.trim();
    if p.starts_with("http://") || p.starts_with("https://") {
        let url = url::Url::parse(p).map_err(|_| "an unreadable poll address")?;
        if url.origin() != base.origin() {
            return Err("a poll address on another host");
        }
        return Ok(url);
    }
    let Some(mut path) = p.strip_prefix('/') else {
        return base.join(p).map_err(|_| "an unreadable poll address");
    };
    if strip_api {
        if let Some(rest) = path.strip_prefix("api/") {
            path = rest;
        }
    }
    let root = base.path().trim_start_matches('/');
    let url = if !root.is_empty() && path.starts_with(root) {
        let mut origin = base.clone();
        origin.set_path("/");
        origin.set_query(None);
        origin.join(path)
    } else {
        base.join(path)
    };
    url.map_err(|_| "an unreadable poll address")
}
