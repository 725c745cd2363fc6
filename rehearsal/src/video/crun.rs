//! Crun's Seedance API: `POST /api/v1/client/job/CreateTask` and `GET
//! /api/v1/client/job/TaskInfo?task_id=…`, `x-api-key`, every answer HTTP 200 with the verdict
//! in the envelope (see the `crun` module; the armed business-code fault applies here too).
//!
//! Real-person assets go in as `"asset://asset-…"` strings (`reference_images`,
//! `reference_videos`, `reference_audios` on the r2v models, `img_urls` on i2v) and must be the
//! key's own `Active` assets of the right kind, all of one group. Crun's page gives no counts;
//! the model's own (9 images, 3 videos, 3 audios, as Anyfast documents them) hold. A
//! `callback_url` is recorded with the task but not called: a desktop client cannot receive it,
//! so it polls `TaskInfo`.

use provider_api::ProviderApi;
use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::super::anyfast::is_http_url;
use super::super::byteplus::{self, AssetType};
use super::super::crun::{self as wire, Refused, Reply};
use super::super::service::Service;
use super::{
    asset_ref, clip_url, whole_in, AssetRefusal, Billing, NewJob, Phase, References, Resolution,
    Tier, VideoJob, CLIP_SECONDS,
};

type Shared = State<Arc<Service>>;

const PROMPT_MAX_CHARS: usize = 5000;
const ASPECT_RATIOS: [&str; 7] = ["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "auto"];

/// How a Crun model takes its images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Reference-to-video: `reference_images` (and `reference_videos`, `reference_audios`).
    R2v,
    /// Image-to-video: `img_urls` (first frame, optionally last).
    I2v,
}

const MODELS: [(&str, Tier, Mode); 3] = [
    ("bytedance/seedance2-0-r2v", Tier::Standard, Mode::R2v),
    ("bytedance/seedance2-0-fast-r2v", Tier::Fast, Mode::R2v),
    ("bytedance/seedance2-0-i2v", Tier::Standard, Mode::I2v),
];

/// A media list of `input`: which mode takes it, the asset kind it holds, how many.
struct List {
    field: &'static str,
    mode: Mode,
    asset_type: AssetType,
    max: usize,
}

const LISTS: [List; 4] = [
    List {
        field: "reference_images",
        mode: Mode::R2v,
        asset_type: AssetType::Image,
        max: 9,
    },
    List {
        field: "reference_videos",
        mode: Mode::R2v,
        asset_type: AssetType::Video,
        max: 3,
    },
    List {
        field: "reference_audios",
        mode: Mode::R2v,
        asset_type: AssetType::Audio,
        max: 3,
    },
    List {
        field: "img_urls",
        mode: Mode::I2v,
        asset_type: AssetType::Image,
        max: 2,
    },
];

/// Crun bills in credits: one per cent of the metered price, rounded up.
fn credits(job: &VideoJob) -> u64 {
    job.price_atomic.div_ceil(10_000)
}

/// The model Crun reports running (it runs on Volcengine Ark).
fn model_version(tier: Tier) -> &'static str {
    match tier {
        Tier::Standard => "doubao-seedance-2-0-260128",
        Tier::Fast => "doubao-seedance-2-0-fast-260128",
    }
}

fn input_bool(input: &Map<String, Value>, field: &str) -> Result<Option<bool>, Refused> {
    match input.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(wire::invalid(
            &format!("input.{field}"),
            "must be a boolean",
        )),
    }
}

fn input_string<'a>(
    input: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, Refused> {
    match input.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(wire::invalid(&format!("input.{field}"), "must be a string")),
    }
}

fn asset_refused(refusal: &AssetRefusal, field: &str, id: &str, wanted: AssetType) -> Refused {
    match refusal {
        AssetRefusal::NotFound => wire::business(404, refusal.message(id, wanted)),
        _ => wire::invalid(&format!("input.{field}"), &refusal.message(id, wanted)),
    }
}

/// `POST /api/v1/client/job/CreateTask {model, callback_url?, input}`.
pub async fn create_task(State(svc): Shared, headers: HeaderMap, body: Bytes) -> Response {
    create(&svc, &headers, &body).unwrap_or_else(|refused| *refused)
}

fn create(svc: &Service, headers: &HeaderMap, body: &Bytes) -> Reply {
    let account = wire::admit(svc, headers)?;
    let body = wire::object(body)?;
    let model = wire::required(&body, "model")?;
    let (model, tier, mode) = MODELS
        .iter()
        .find(|(m, _, _)| *m == model)
        .copied()
        .ok_or_else(|| {
            let names: Vec<&str> = MODELS.iter().map(|(m, _, _)| *m).collect();
            wire::invalid("model", &format!("must be one of {}", names.join(", ")))
        })?;
    let callback_url = wire::optional(&body, "callback_url")?;
    if callback_url.is_some_and(|u| !is_http_url(u)) {
        return Err(wire::invalid(
            "callback_url",
            "must be an http or https URL",
        ));
    }
    let input = match body.get("input") {
        Some(Value::Object(input)) => input,
        None | Some(Value::Null) => return Err(wire::invalid("input", "is required")),
        Some(_) => return Err(wire::invalid("input", "must be an object")),
    };

    let prompt = input_string(input, "prompt")?
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| wire::invalid("input.prompt", "is required"))?;
    if prompt.chars().count() > PROMPT_MAX_CHARS {
        return Err(wire::invalid(
            "input.prompt",
            &format!("must be at most {PROMPT_MAX_CHARS} characters"),
        ));
    }
    let resolution = match input_string(input, "resolution")? {
        None => Resolution::P720,
        Some(r) => Resolution::parse(r)
            .filter(|r| r.offered_on(tier))
            .ok_or_else(|| {
                wire::invalid(
                    "input.resolution",
                    &format!("must be {} for {model}", tier.resolutions()),
                )
            })?,
    };
    let aspect_ratio = match input_string(input, "aspect_ratio")? {
        None => "16:9",
        Some(a) => ASPECT_RATIOS
            .iter()
            .find(|x| **x == a)
            .copied()
            .ok_or_else(|| {
                wire::invalid(
                    "input.aspect_ratio",
                    &format!("must be one of {}", ASPECT_RATIOS.join(", ")),
                )
            })?,
    };
    let duration = match input.get("duration") {
        None | Some(Value::Null) => 5,
        Some(v) => whole_in(v, 4..=15)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                wire::invalid("input.duration", "must be a whole number from 4 to 15")
            })?,
    };
    let audio = input_bool(input, "audio")?.unwrap_or(true);
    input_bool(input, "return_last_frame")?;

    // The media lists: the model's own, each item an asset:// reference or an http(s) URL.
    let mut assets = References::default();
    let mut visual = 0;
    for list in &LISTS {
        let field = list.field;
        let items = match input.get(field) {
            None | Some(Value::Null) => continue,
            Some(_) if list.mode != mode => {
                return Err(wire::invalid(
                    &format!("input.{field}"),
                    &format!("is not accepted by {model}"),
                ))
            }
            Some(Value::Array(items)) if items.len() <= list.max => items,
            Some(_) => {
                return Err(wire::invalid(
                    &format!("input.{field}"),
                    &format!("must be a list of at most {} URLs", list.max),
                ))
            }
        };
        for item in items {
            let Some(url) = item.as_str() else {
                return Err(wire::invalid(
                    &format!("input.{field}"),
                    "must hold URL strings",
                ));
            };
            match asset_ref(url) {
                Some(id) => assets
                    .take(svc, &account.owner, id, list.asset_type)
                    .map_err(|r| asset_refused(&r, field, id, list.asset_type))?,
                None if is_http_url(url) => {}
                None => {
                    return Err(wire::invalid(
                        &format!("input.{field}"),
                        "must hold http(s) URLs or asset://<asset id>",
                    ))
                }
            }
        }
        if list.asset_type != AssetType::Audio {
            visual += items.len();
        }
    }
    if visual == 0 {
        let field = match mode {
            Mode::R2v => "input.reference_images",
            Mode::I2v => "input.img_urls",
        };
        return Err(wire::invalid(field, "needs at least one image or video"));
    }

    let job = svc
        .create_video_job(NewJob {
            api: ProviderApi::Crun,
            model: model.to_owned(),
            tier,
            prompt: prompt.to_owned(),
            duration_seconds: duration,
            resolution,
            aspect_ratio: aspect_ratio.to_owned(),
            generate_audio: audio,
            references: assets.images,
            reference_videos: assets.videos,
            reference_audios: assets.audios,
            param: Value::Object(body.clone()),
            callback_url: callback_url.map(str::to_owned),
            owner: account.owner,
            billing: Billing::Account,
        })
        .map_err(|_| wire::business(500, "Server Error"))?;
    if let Some(url) = &job.callback_url {
        tracing::info!(id = %job.id, %url, "rehearsal: Crun callback_url recorded (not called)");
    }
    Ok(wire::ok(json!({ "task_id": job.id })))
}

/// `GET /api/v1/client/job/TaskInfo?task_id=…`.
pub async fn task_info(
    State(svc): Shared,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    info(&svc, &headers, &query).unwrap_or_else(|refused| *refused)
}

fn info(svc: &Service, headers: &HeaderMap, query: &HashMap<String, String>) -> Reply {
    let account = wire::admit(svc, headers)?;
    let task_id = wire::query_param(query, "task_id")?;
    let now = svc.now_ms();
    let job = svc
        .video_job(task_id)
        .filter(|j| j.api == ProviderApi::Crun && j.owner == account.owner)
        .ok_or_else(|| wire::business(404, format!("task {task_id} not found")))?;
    svc.count_video_poll();
    if job.expired(now) {
        return Err(wire::business(404, "job expired"));
    }
    Ok(wire::ok(task_json(svc, &job, now)))
}

fn task_json(svc: &Service, job: &VideoJob, now: i64) -> Value {
    let phase = job.phase(now);
    let status = match phase {
        Phase::Queued => "pending",
        Phase::Running { .. } => "running",
        Phase::Succeeded => "success",
        Phase::Failed(_) => "failed",
    };
    let result = match &phase {
        Phase::Succeeded => json!({
            "code": 200,
            "message": "success",
            "media_urls": [clip_url(svc, &job.id)],
        }),
        Phase::Failed(reason) => json!({ "code": 501, "message": reason, "media_urls": [] }),
        Phase::Queued | Phase::Running { .. } => Value::Null,
    };
    let done = matches!(phase, Phase::Succeeded | Phase::Failed(_));
    json!({
        "task_id": job.id,
        "provider": "bytedance",
        "model_version": model_version(job.tier),
        "status": status,
        "param": job.param,
        "create_at": byteplus::rfc3339(job.created_at_ms),
        "result": result,
        "duration_s": (phase == Phase::Succeeded).then_some(CLIP_SECONDS),
        "complete_at": done.then(|| byteplus::rfc3339(job.done_at_ms)),
        // A failed generation is refunded, as Crun's 501 is.
        "credits": if matches!(phase, Phase::Failed(_)) { 0 } else { credits(job) },
    })
}

#[cfg(test)]
mod tests {
    use super::super::{quote as price, Resolution, Tier};

    #[test]
    fn credits_are_cents_rounded_up() {
        let q = price(Tier::Fast, Resolution::P720, 5);
        assert_eq!(q.atomic.div_ceil(10_000), 83);
    }
}
