//! BlockRun's Seedance API, which JarvisClaw serves in the same shapes at the same path:
//! `POST /v1/videos/generations`, polled at `GET /api/v1/videos/generations/{id}` (BlockRun's
//! `poll_url`) or `GET /v1/videos/generations/{id}` (JarvisClaw's, and BlockRun's key host).
//!
//! x402 here is verify-now, settle-later: the submit's payment is verified and held by the job;
//! the first poll that finds the job completed settles it, exactly once. Polls prove the wallet
//! with any payment header that wallet signed (the SDKs re-send the submit's), so the held
//! authorization's nonce is never spent by a poll; a header signed by another wallet is `403`,
//! as the job is not theirs to see. A failed job, or one never polled to the end, is never
//! charged.
//!
//! The held authorization is in use from the submit on: another submit carrying its nonce, the
//! very same header included, is `402 invalid_exact_evm_nonce_already_used` and makes no job.

use provider_api::ProviderApi;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::super::api;
use super::super::error::ApiError;
use super::super::ids;
use super::super::ledger::Refusal;
use super::super::payment::{self, PaidCall, Price, Rail};
use super::super::service::{DeliverRefusal, Service};
use super::{
    clip_url, quote, Billing, HeldPayment, NewJob, Phase, Resolution, Tier, VideoJob, CLIP_SECONDS,
};

type Shared = State<Arc<Service>>;

pub const SUBMIT_PATH: &str = "/v1/videos/generations";
const DESCRIPTION: &str = "Seedance video (Rehearsal: Base Sepolia test USDC)";
const OBJECT: &str = "video.generation.job";
const PROMPT_MAX_CHARS: usize = 5000;
const DEFAULT_SECONDS: u32 = 5;
const ASPECT_RATIOS: [&str; 7] = ["adaptive", "16:9", "9:16", "1:1", "4:3", "3:4", "21:9"];
const MODELS: [(&str, Tier); 2] = [
    ("bytedance/seedance-2.0", Tier::Standard),
    ("bytedance/seedance-2.0-fast", Tier::Fast),
];
/// What a face-conditioned call may not carry beside `real_face_asset_id`.
const FACE_EXCLUSIVE: [&str; 3] = ["image_url", "last_frame_url", "reference_image_urls"];
const MAX_REFERENCE_IMAGES: usize = 9;

/// A submit that passed validation.
#[derive(Debug)]
struct Request {
    model: &'static str,
    tier: Tier,
    prompt: String,
    real_face_asset_id: Option<String>,
    duration_seconds: u32,
    resolution: Resolution,
    aspect_ratio: &'static str,
    generate_audio: bool,
}

fn is_face_asset_id(s: &str) -> bool {
    s.strip_prefix("ta_")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn optional_bool(body: &Map<String, Value>, field: &str) -> Result<Option<bool>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::invalid_field(
            field,
            format!("{field} must be true or false"),
        )),
    }
}

fn present(body: &Map<String, Value>, field: &str) -> bool {
    !matches!(body.get(field), None | Some(Value::Null))
}

/// Every rule that answers 400 before anything is paid.
fn checked(svc: &Service, body: &Map<String, Value>) -> Result<Request, ApiError> {
    let asked = api::required_string(body, "model")?;
    let (model, tier) = MODELS
        .iter()
        .find(|(m, _)| *m == asked)
        .copied()
        .ok_or_else(|| {
            ApiError::invalid_field(
                "model",
                format!(
                    "unsupported model {asked:?}: use bytedance/seedance-2.0 or bytedance/seedance-2.0-fast"
                ),
            )
            .with("code", "UNSUPPORTED_MODEL")
        })?;

    let prompt = api::required_string(body, "prompt")?;
    let chars = prompt.chars().count();
    if prompt.trim().is_empty() || chars > PROMPT_MAX_CHARS {
        return Err(ApiError::invalid_field(
            "prompt",
            format!("prompt must be 1-{PROMPT_MAX_CHARS} characters (got {chars})"),
        ));
    }

    let duration_seconds = match body.get("duration_seconds") {
        None | Some(Value::Null) => DEFAULT_SECONDS,
        Some(v) => super::whole_in(v, 4..=15)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "duration_seconds",
                    format!("duration_seconds must be a whole number from 4 to 15 (got {v})"),
                )
            })?,
    };

    let resolution = match api::optional_string(body, "resolution")? {
        None => Resolution::P720,
        Some(r) => Resolution::parse(r)
            .filter(|r| r.offered_on(tier))
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "resolution",
                    format!(
                        "resolution {r:?} is not available on {model}: use {}",
                        tier.resolutions()
                    ),
                )
                .with("code", "UNSUPPORTED_RESOLUTION")
            })?,
    };

    let aspect_ratio = match api::optional_string(body, "aspect_ratio")? {
        None => "adaptive",
        Some(a) => ASPECT_RATIOS
            .iter()
            .find(|r| **r == a)
            .copied()
            .ok_or_else(|| {
                ApiError::invalid_field(
                    "aspect_ratio",
                    format!(
                        "aspect_ratio must be one of {} (got {a:?})",
                        ASPECT_RATIOS.join(", ")
                    ),
                )
            })?,
    };

    for field in ["image_url", "last_frame_url"] {
        api::optional_string(body, field)?;
    }
    match body.get("reference_image_urls") {
        None | Some(Value::Null) => {}
        Some(Value::Array(urls))
            if urls.len() <= MAX_REFERENCE_IMAGES && urls.iter().all(Value::is_string) => {}
        Some(_) => {
            return Err(ApiError::invalid_field(
                "reference_image_urls",
                format!(
                    "reference_image_urls must be a list of at most {MAX_REFERENCE_IMAGES} URLs"
                ),
            ))
        }
    }
    optional_bool(body, "watermark")?;
    match body.get("seed") {
        None | Some(Value::Null) => {}
        Some(v) if super::whole_in(v, -1..=i64::from(u32::MAX)).is_some() => {}
        Some(v) => {
            return Err(ApiError::invalid_field(
                "seed",
                format!("seed must be a whole number from -1 to 4294967295 (got {v})"),
            ))
        }
    }

    let real_face_asset_id = match api::optional_string(body, "real_face_asset_id")? {
        None => None,
        Some(id) => {
            if !is_face_asset_id(id) {
                return Err(ApiError::invalid_field(
                    "real_face_asset_id",
                    "real_face_asset_id must look like 'ta_<letters and digits>'",
                ));
            }
            if let Some(conflict) = FACE_EXCLUSIVE.iter().find(|f| present(body, f)) {
                return Err(ApiError::invalid_field(
                    conflict,
                    format!("real_face_asset_id cannot be combined with {conflict}: the enrolled face is the reference"),
                )
                .with("code", "CONFLICTING_FIELDS"));
            }
            if !svc.knows_face_asset(id) {
                return Err(ApiError::invalid_field(
                    "real_face_asset_id",
                    format!("unknown real_face_asset_id {id}: enroll it first (RealFace or Virtual Portrait)"),
                )
                .with("code", "UNKNOWN_ASSET"));
            }
            Some(id.to_owned())
        }
    };
    // The doc's default: sound for text-to-video, none when conditioned on a face.
    let generate_audio =
        optional_bool(body, "generate_audio")?.unwrap_or(real_face_asset_id.is_none());

    Ok(Request {
        model,
        tier,
        prompt: prompt.to_owned(),
        real_face_asset_id,
        duration_seconds,
        resolution,
        aspect_ratio,
        generate_audio,
    })
}

fn price_of(job: &VideoJob) -> Price {
    Price {
        atomic: u128::from(job.price_atomic),
    }
}

/// `POST /v1/videos/generations`.
///
/// Order: body (400) → API key (401) → payment (402, also for a nonce a job holds or that
/// settled) → `202` with the queued job. An x402 payment is verified and held, not settled.
pub async fn submit(State(svc): Shared, headers: HeaderMap, body: Bytes) -> Response {
    submitted(&svc, &headers, &body).unwrap_or_else(IntoResponse::into_response)
}

fn submitted(svc: &Service, headers: &HeaderMap, body: &Bytes) -> Result<Response, ApiError> {
    let fields = api::parse_object(body)?;
    let request = checked(svc, &fields)?;
    let rail = svc.gate.rail(headers)?;
    let quote = quote(request.tier, request.resolution, request.duration_seconds);
    let call = PaidCall::new(
        SUBMIT_PATH,
        Price {
            atomic: u128::from(quote.atomic),
        },
        DESCRIPTION,
        headers,
        &svc.authority(),
    );
    let (owner, billing) = match rail {
        Rail::Key { wallet } => (wallet, Billing::Account),
        Rail::X402 { header: None } => return Err(svc.gate.payment_required(&call)),
        Rail::X402 {
            header: Some(header),
        } => {
            let verified = payment::verify_only(&svc.gate, &header, &call)?;
            payment::check_funds(svc, &call, &verified)?;
            let held = HeldPayment {
                payer: verified.payer.clone(),
                nonce: verified.nonce_hex.clone(),
                version: verified.version,
                amount_atomic: verified.value.clone(),
                valid_before: verified.valid_before,
            };
            (verified.payer, Billing::X402 { payment: held })
        }
    };
    // Only the two gateways serve this path; a BytePlus setting plays BlockRun's here.
    let api = match svc.video_gateway {
        ProviderApi::JarvisClaw => ProviderApi::JarvisClaw,
        _ => ProviderApi::BlockRun,
    };
    let job = svc
        .create_video_job(NewJob {
            api,
            model: request.model.to_owned(),
            tier: request.tier,
            prompt: request.prompt,
            duration_seconds: request.duration_seconds,
            resolution: request.resolution,
            aspect_ratio: request.aspect_ratio.to_owned(),
            generate_audio: request.generate_audio,
            references: request.real_face_asset_id.into_iter().collect(),
            reference_videos: Vec::new(),
            reference_audios: Vec::new(),
            param: Value::Null,
            callback_url: None,
            owner,
            billing,
        })
        .map_err(|refusal| {
            payment::nonce_refused(
                &svc.gate,
                &call,
                match refusal {
                    Refusal::Settled => "was already settled",
                    Refusal::InFlight => {
                        "is held by a video job (this one or another) or a request still being served"
                    }
                },
            )
        })?;
    Ok((StatusCode::ACCEPTED, Json(submit_body(&job))).into_response())
}

fn poll_url(job: &VideoJob) -> String {
    match job.api {
        ProviderApi::JarvisClaw => format!(
            "/v1/videos/generations/{}?model={}&sig={}",
            job.id,
            job.model,
            ids::jarvisclaw_poll_sig(&job.id)
        ),
        _ => format!(
            "/api/v1/videos/generations/{}?model={}&duration={}",
            job.id, job.model, job.duration_seconds
        ),
    }
}

fn submit_body(job: &VideoJob) -> Value {
    json!({
        "id": job.id,
        "object": OBJECT,
        "status": "queued",
        "model": job.model,
        "duration_seconds": job.duration_seconds,
        "price": price_of(job).body(),
        "payment_status": match job.billing {
            Billing::Account => "account",
            Billing::X402 { .. } => "verified",
        },
        "created": job.created_unix(),
        "poll_url": poll_url(job),
    })
}

/// The completed answer; `payment_status` is `settled` on the poll that settled it and
/// `already_settled` after.
fn completed_body(svc: &Service, job: &VideoJob, payment_status: &str) -> Value {
    let url = clip_url(svc, &job.id);
    let mut body = json!({
        "id": job.id,
        "object": OBJECT,
        "status": "completed",
        "model": job.model,
        "duration_seconds": job.duration_seconds,
        "data": [{
            "url": url,
            "source_url": format!("{url}?source=upstream"),
            "duration_seconds": CLIP_SECONDS,
            "request_id": job.request_id,
            "backed_up": true,
        }],
        "payment": {
            "status": payment_status,
            "tx_hash": job.delivered.as_ref().map(|d| d.tx_hash.as_str()),
            "network": job.delivered.as_ref().map(|d| d.network.as_str()),
        },
        "usage": { "total_tokens": job.tokens },
    });
    if job.api == ProviderApi::JarvisClaw {
        // JarvisClaw's doc lists the price on the completed job too.
        body["price"] = json!(price_of(job).body());
    }
    body
}

fn job_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Video job not found: {id}"))
        .with("code", "JOB_NOT_FOUND")
        .with("id", id)
}

/// `GET /api/v1/videos/generations/{id}` and `GET /v1/videos/generations/{id}` (any query).
///
/// Order: job (404, "job expired" after 48 h) → API key (401) → the submit's wallet or key
/// (402 without one, 403 for another wallet's signature) → `202` queued / in progress, `200`
/// failed, or `200` completed (the first one settles; `402 payment_expired` if the held
/// authorization ran out and no newer one came).
pub async fn poll(
    State(svc): Shared,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    polled(&svc, &id, &headers, &uri).unwrap_or_else(IntoResponse::into_response)
}

fn polled(svc: &Service, id: &str, headers: &HeaderMap, uri: &Uri) -> Result<Response, ApiError> {
    let now = svc.now_ms();
    let job = svc
        .video_job(id)
        .filter(|j| super::is_gateway(j.api))
        .ok_or_else(|| job_not_found(id))?;
    svc.count_video_poll();
    if job.expired(now) {
        return Err(ApiError::not_found("job expired")
            .with("code", "JOB_EXPIRED")
            .with("id", id));
    }
    let host = svc.authority();
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let call = PaidCall::new(SUBMIT_PATH, price_of(&job), DESCRIPTION, headers, &host)
        .at_path(headers, &host, &path);
    let rail = svc.gate.rail(headers)?;
    let poll_header = authorized(svc, &job, rail, &call)?;

    let status = |body: Value| -> Result<Response, ApiError> {
        Ok((StatusCode::ACCEPTED, Json(body)).into_response())
    };
    match job.phase(now) {
        Phase::Queued => status(json!({ "id": job.id, "object": OBJECT, "status": "queued" })),
        Phase::Running {
            progress,
            elapsed_seconds,
        } => status(json!({
            "id": job.id,
            "object": OBJECT,
            "status": "in_progress",
            "progress": progress,
            "elapsed_seconds": elapsed_seconds,
        })),
        Phase::Failed(reason) => Ok(Json(json!({
            "id": job.id,
            "object": OBJECT,
            "status": "failed",
            "error": reason,
            "payment_status": "not_charged",
        }))
        .into_response()),
        Phase::Succeeded => completed(svc, &job, poll_header, &call),
    }
}

/// The poll's proof of who is asking: the key for a key job; for an x402 job, a payment
/// header signed by the submit's wallet (returned, in case it must be settled instead).
///
/// A valid signature from another wallet proves who is asking, and it is not the job's payer:
/// `403`, not a `402` that would invite that wallet to pay for someone else's job.
fn authorized(
    svc: &Service,
    job: &VideoJob,
    rail: Rail,
    call: &PaidCall,
) -> Result<Option<String>, ApiError> {
    match (&job.billing, rail) {
        (Billing::Account, Rail::Key { .. }) => Ok(None),
        (
            Billing::X402 { payment: held },
            Rail::X402 {
                header: Some(header),
            },
        ) => match payment::signer_of(&header) {
            Some(signer) if signer.to_checksum(None).eq_ignore_ascii_case(&held.payer) => {
                Ok(Some(header))
            }
            Some(_) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "This job was paid for by another wallet. Only the wallet that submitted it may poll it.",
            )
            .with("code", "PAYER_MISMATCH")
            .with("id", job.id.as_str())),
            None => Err(svc.gate.challenge(
                call,
                "invalid_exact_evm_payload_signature",
                "The payment header carries no valid signature. Poll with a payment signed by the wallet that submitted the job (re-sending the submit's header is enough).",
            )),
        },
        _ => Err(svc.gate.payment_required(call)),
    }
}

/// A completed job's answer; the first one settles.
fn completed(
    svc: &Service,
    job: &VideoJob,
    poll_header: Option<String>,
    call: &PaidCall,
) -> Result<Response, ApiError> {
    let fresh = match (&job.billing, &job.delivered) {
        (Billing::X402 { payment: held }, None) if held.valid_before <= payment::unix_now() => {
            Some(replacement(svc, held, poll_header.as_deref(), call)?)
        }
        _ => None,
    };
    let (job, first) = svc
        .deliver_video(&job.id, fresh)
        .map_err(|refusal| match refusal {
            DeliverRefusal::UnknownJob => job_not_found(&job.id),
            DeliverRefusal::Nonce(_) => payment::nonce_refused(
                &svc.gate,
                call,
                "was already settled or is held by another job",
            ),
        })?;
    let body = completed_body(svc, &job, if first { "settled" } else { "already_settled" });
    let mut response = Json(body).into_response();
    if let (Some(delivered), Billing::X402 { payment: paid }) = (&job.delivered, &job.billing) {
        if let Some((name, value)) = payment::settlement_header(
            paid.version,
            &delivered.tx_hash,
            &delivered.network,
            &paid.payer,
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    Ok(response)
}

/// The held authorization expired before the clip was ready: a newly signed payment from the
/// same wallet for the job's price on this poll replaces it, or the poll is `402
/// payment_expired` with a fresh challenge.
fn replacement(
    svc: &Service,
    held: &HeldPayment,
    header: Option<&str>,
    call: &PaidCall,
) -> Result<HeldPayment, ApiError> {
    let expired = || {
        svc.gate.challenge(
            call,
            "payment_expired",
            "The payment signed at submit expired before the video was ready. Sign a new payment for the same price from the same wallet and poll again with it.",
        )
    };
    let header = header.ok_or_else(expired)?;
    let verified = payment::verify_only(&svc.gate, header, call).map_err(|_| expired())?;
    if !verified.payer.eq_ignore_ascii_case(&held.payer) {
        return Err(expired());
    }
    tracing::info!(payer = %verified.payer, nonce = %verified.nonce_hex, "rehearsal: video payment re-signed after expiry");
    Ok(HeldPayment {
        payer: verified.payer,
        nonce: verified.nonce_hex,
        version: verified.version,
        amount_atomic: verified.value,
        valid_before: verified.valid_before,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn face_asset_ids() {
        assert!(is_face_asset_id("ta_f85b20b9394e47be9502d819bee7929c"));
        assert!(is_face_asset_id("ta_Abc1"));
        assert!(!is_face_asset_id("ta_"));
        assert!(!is_face_asset_id("ta_abc-1"));
        assert!(!is_face_asset_id("asset-20260702223855-bdv2r"));
    }
}
