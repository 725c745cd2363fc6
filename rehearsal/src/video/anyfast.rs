//! Anyfast's Seedance API: `POST /v1/video/generations` with ModelArk's `content[]` body and
//! `GET /v1/video/generations/{task_id}`, `Authorization: Bearer <key>`, errors and escaping as
//! the rest of Anyfast (see the `anyfast` module).
//!
//! A task belongs to the key's account, and so must every `asset://asset-…` it references (an
//! asset of the same kind as its slot, `Active`, all of one group): another account's task or
//! asset is "not found". At most 9 images, 3 videos (`video_url`, `reference_video`) and 3
//! audios (`audio_url`, `reference_audio`), as Anyfast's guide says. The account pays (no x402).

use provider_api::ProviderApi;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::super::anyfast::{self as wire, is_http_url, Refused, Reply};
use super::super::byteplus::AssetType;
use super::super::service::Service;
use super::{
    asset_ref, clip_url, upstream_model, whole_in, AssetRefusal, Billing, NewJob, Phase,
    References, Resolution, Tier, VideoJob,
};

type Shared = State<Arc<Service>>;

const RATIOS: [&str; 7] = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"];
const PROMPT_MAX_CHARS: usize = 5000;
const MAX_IMAGES: usize = 9;
const MAX_VIDEOS: usize = 3;
const MAX_AUDIOS: usize = 3;

/// One `content[]` media item: its slot decides the asset kind it may name.
struct Slot {
    key: &'static str,
    asset_type: AssetType,
    roles: &'static [&'static str],
    max: usize,
}

const SLOTS: [Slot; 3] = [
    Slot {
        key: "image_url",
        asset_type: AssetType::Image,
        roles: &["reference_image", "first_frame", "last_frame"],
        max: MAX_IMAGES,
    },
    Slot {
        key: "video_url",
        asset_type: AssetType::Video,
        roles: &["reference_video"],
        max: MAX_VIDEOS,
    },
    Slot {
        key: "audio_url",
        asset_type: AssetType::Audio,
        roles: &["reference_audio"],
        max: MAX_AUDIOS,
    },
];

fn bool_field(body: &Map<String, Value>, field: &str) -> Result<Option<bool>, Refused> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(wire::invalid(format!(
            "The parameter {field} must be a boolean."
        ))),
    }
}

/// What `content[]` held: the prompt and the assets it references, by slot.
struct Content {
    prompt: String,
    assets: References,
}

fn content(svc: &Service, owner: &str, body: &Map<String, Value>) -> Result<Content, Refused> {
    let items = match body.get("content") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => {
            return Err(wire::invalid(
                "The parameter content is required: a list of text and media items.",
            ))
        }
    };
    let mut prompt: Option<String> = None;
    let mut assets = References::default();
    let mut counts = [0usize; 3];
    let (mut frames, mut references) = (false, false);
    for (i, item) in items.iter().enumerate() {
        let Some(item) = item.as_object() else {
            return Err(wire::invalid(format!(
                "The parameter content[{i}] must be an object."
            )));
        };
        let kind = wire::required(item, "type")?;
        if kind == "text" {
            let text = wire::required(item, "text")?;
            if prompt.is_some() {
                return Err(wire::invalid(
                    "The parameter content may hold only one text item.",
                ));
            }
            if text.chars().count() > PROMPT_MAX_CHARS {
                return Err(wire::invalid(format!(
                    "The parameter content[{i}].text must be at most {PROMPT_MAX_CHARS} characters."
                )));
            }
            prompt = Some(text.to_owned());
            continue;
        }
        let Some((n, slot)) = SLOTS.iter().enumerate().find(|(_, s)| s.key == kind) else {
            return Err(wire::invalid(format!(
                "The parameter content[{i}].type must be text, image_url, video_url or audio_url."
            )));
        };
        counts[n] += 1;
        if counts[n] > slot.max {
            return Err(wire::invalid(format!(
                "The parameter content may hold at most {} {} items.",
                slot.max, slot.key
            )));
        }
        let url = item
            .get(slot.key)
            .and_then(Value::as_object)
            .and_then(|o| o.get("url"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                wire::invalid(format!(
                    "The parameter content[{i}].{}.url is required.",
                    slot.key
                ))
            })?;
        let role = wire::optional(item, "role")?.unwrap_or(slot.roles[0]);
        if !slot.roles.contains(&role) {
            return Err(wire::invalid(format!(
                "The parameter content[{i}].role must be one of {} for {}.",
                slot.roles.join(", "),
                slot.key
            )));
        }
        if role.ends_with("_frame") {
            frames = true;
        } else {
            references = true;
        }
        match asset_ref(url) {
            Some(id) => assets
                .take(svc, owner, id, slot.asset_type)
                .map_err(|refusal| asset_refused(&refusal, id, slot.asset_type))?,
            None if is_http_url(url)
                || (slot.asset_type == AssetType::Image && url.starts_with("data:image/")) => {}
            None => {
                return Err(wire::invalid(format!(
                "The parameter content[{i}].{}.url must be an http(s) URL or asset://<asset id>.",
                slot.key
            )))
            }
        }
    }
    if frames && references {
        return Err(wire::invalid(
            "The parameter content cannot mix first_frame/last_frame images with reference media.",
        ));
    }
    if prompt.is_none() && counts[0] + counts[1] == 0 {
        return Err(wire::invalid(
            "The parameter content needs a text item or an image or video.",
        ));
    }
    Ok(Content {
        prompt: prompt.unwrap_or_default(),
        assets,
    })
}

fn asset_refused(refusal: &AssetRefusal, id: &str, wanted: AssetType) -> Refused {
    let message = refusal.message(id, wanted);
    match refusal {
        AssetRefusal::NotFound => wire::error(StatusCode::NOT_FOUND, "NotFound", message),
        _ => wire::invalid(message),
    }
}

/// `POST /v1/video/generations`.
pub async fn create(State(svc): Shared, headers: HeaderMap, body: Bytes) -> Response {
    created(&svc, &headers, &body).unwrap_or_else(|refused| *refused)
}

fn created(svc: &Service, headers: &HeaderMap, body: &Bytes) -> Reply {
    let account = wire::account(svc, headers)?;
    let body = wire::object(body)?;
    let model = wire::required(&body, "model")?;
    let tier = match model {
        "seedance" => Tier::Standard,
        "seedance-fast" => Tier::Fast,
        other => {
            return Err(wire::invalid(format!(
                "The parameter model must be seedance or seedance-fast (got {other})."
            )))
        }
    };
    let resolution = match wire::optional(&body, "resolution")? {
        None => Resolution::P720,
        Some(r) => Resolution::parse(r)
            .filter(|r| r.offered_on(tier))
            .ok_or_else(|| {
                wire::invalid(format!(
                    "The parameter resolution must be {} for {model} (got {r}).",
                    tier.resolutions()
                ))
            })?,
    };
    let ratio = match wire::optional(&body, "ratio")? {
        None => "adaptive",
        Some(r) => RATIOS.iter().find(|x| **x == r).copied().ok_or_else(|| {
            wire::invalid(format!(
                "The parameter ratio must be one of {} (got {r}).",
                RATIOS.join(", ")
            ))
        })?,
    };
    let duration = match body.get("duration") {
        None | Some(Value::Null) => 5,
        Some(v) => whole_in(v, 4..=15)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                wire::invalid("The parameter duration must be a whole number from 4 to 15.")
            })?,
    };
    let generate_audio = bool_field(&body, "generate_audio")?.unwrap_or(true);
    bool_field(&body, "watermark")?;
    let content = content(svc, &account.owner, &body)?;
    let job = svc
        .create_video_job(NewJob {
            api: ProviderApi::Anyfast,
            model: model.to_owned(),
            tier,
            prompt: content.prompt,
            duration_seconds: duration,
            resolution,
            aspect_ratio: ratio.to_owned(),
            generate_audio,
            references: content.assets.images,
            reference_videos: content.assets.videos,
            reference_audios: content.assets.audios,
            param: Value::Null,
            callback_url: None,
            owner: account.owner,
            billing: Billing::Account,
        })
        .map_err(|_| {
            wire::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "the task could not be created",
            )
        })?;
    Ok(wire::reply(
        StatusCode::OK,
        json!({
            "id": job.id,
            "task_id": job.id,
            "object": "video",
            "model": job.model,
            "status": "",
            "progress": 0,
            "created_at": job.created_unix(),
        }),
    ))
}

/// `GET /v1/video/generations/{task_id}`.
pub async fn query(
    State(svc): Shared,
    Path(task_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    queried(&svc, &task_id, &headers).unwrap_or_else(|refused| *refused)
}

fn queried(svc: &Service, task_id: &str, headers: &HeaderMap) -> Reply {
    let account = wire::account(svc, headers)?;
    let now = svc.now_ms();
    let job = svc
        .video_job(task_id)
        .filter(|j| j.api == ProviderApi::Anyfast && j.owner == account.owner)
        .ok_or_else(|| {
            wire::error(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!("task {task_id} not found"),
            )
        })?;
    svc.count_video_poll();
    if job.expired(now) {
        return Err(wire::error(
            StatusCode::NOT_FOUND,
            "NotFound",
            "job expired",
        ));
    }
    Ok(wire::reply(StatusCode::OK, task_json(svc, &job, now)))
}

fn task_json(svc: &Service, job: &VideoJob, now: i64) -> Value {
    let phase = job.phase(now);
    // The first half of the queue shows as not started yet, as Anyfast's own scheduler does.
    let not_started =
        (now - job.created_at_ms).saturating_mul(8) < (job.done_at_ms - job.created_at_ms);
    let (status, inner, progress) = match &phase {
        Phase::Queued if not_started => ("NOT_START", "queued", 0),
        Phase::Queued => ("QUEUED", "queued", 0),
        Phase::Running { progress, .. } => ("IN_PROGRESS", "running", *progress),
        Phase::Succeeded => ("SUCCESS", "succeeded", 100),
        Phase::Failed(_) => ("FAILURE", "failed", 100),
    };
    let url = match phase {
        Phase::Succeeded => clip_url(svc, &job.id),
        _ => String::new(),
    };
    let fail_reason = match &phase {
        Phase::Failed(reason) => reason.clone(),
        _ => String::new(),
    };
    let mut inner_data = json!({
        "id": job.id,
        "model": upstream_model(job.tier),
        "status": inner,
        "content": { "video_url": url },
    });
    if phase == Phase::Succeeded {
        inner_data["usage"] = json!({
            "completion_tokens": job.tokens,
            "total_tokens": job.tokens,
        });
    }
    json!({
        "code": "success",
        "data": {
            "task_id": job.id,
            "action": "video_generation",
            "status": status,
            "result_url": url,
            "fail_reason": fail_reason,
            "progress": format!("{progress}%"),
            "data": inner_data,
        },
    })
}
