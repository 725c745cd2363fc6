//! Rehearsal's Crun personality: BytePlus's real-human asset library as Crun exposes it under
//! `/api/v1/client/job/…` (seed 004; the shared model is in the `byteplus` module).
//!
//! `x-api-key: <key>`; every answer is HTTP 200 with the verdict in the envelope
//! `{"code": <business code>, "message", "data"}`, the way Crun answers even its errors, so a
//! client that trusts the HTTP status alone is caught out here as it would be there. Validation
//! failures are code 422 with `errors: [{field, message}]`. [`super::Faults::crun_code_once`]
//! plays the documented business codes a real account meets (credits, rate limits,
//! maintenance…).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::anyfast::is_http_url;
use super::byteplus::{self, AssetType, AssetView, NewAsset, ValidateResult};
use super::service::{Account, Service};

type Shared = State<Arc<Service>>;
/// Boxed: a `Response` is too large to be carried in every `Result`.
pub(super) type Refused = Box<Response>;
pub(super) type Reply = Result<Response, Refused>;

const CONFIG_ID: &str = "rehearsal-crun";
/// Crun's H5 links default to Chinese.
const LNG: &str = "zh";
/// What a 429 asks the client to wait, in seconds.
const RETRY_AFTER_SECS: u32 = 30;

pub(super) fn ok(data: Value) -> Response {
    Json(json!({ "code": 200, "message": "success", "data": data })).into_response()
}

/// A business error: HTTP 200, the code in the body.
pub(super) fn business(code: u16, message: impl Into<String>) -> Refused {
    Box::new(Json(json!({ "code": code, "message": message.into(), "data": null })).into_response())
}

/// Code 422 about one field: `message` is "<field> <problem>".
pub(super) fn invalid(field: &str, problem: &str) -> Refused {
    Box::new(
        Json(json!({
            "code": 422,
            "message": format!("{field} {problem}"),
            "data": null,
            "errors": [{ "field": field, "message": problem }],
        }))
        .into_response(),
    )
}

/// The seed's texts for the business codes.
fn code_message(code: u16) -> &'static str {
    match code {
        401 => "Unauthorized: invalid API key",
        402 => "Insufficient Credits",
        404 => "Not Found",
        422 => "Validation Error",
        429 => "Rate Limited",
        455 => "Service Unavailable: system maintenance",
        500 => "Server Error",
        501 => "Generation Failed",
        505 => "Feature Disabled",
        _ => "Error",
    }
}

/// What every call does first: the armed business code, if any, then the key.
pub(super) fn admit(svc: &Service, headers: &HeaderMap) -> Result<Account, Refused> {
    if let Some(code) = svc.faults.take_crun_code() {
        tracing::info!(code, "rehearsal: Crun business code (fault injection)");
        let mut response = business(code, code_message(code));
        if code == 429 {
            response
                .headers_mut()
                .insert(RETRY_AFTER, RETRY_AFTER_SECS.into());
        }
        return Err(response);
    }
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .and_then(|k| svc.accounts.account(k.trim()))
        .ok_or_else(|| business(401, code_message(401)))
}

/// The body as an object; an empty body is an empty object.
pub(super) fn object(body: &Bytes) -> Result<Map<String, Value>, Refused> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid("body", "must be a JSON object")),
        Err(_) => Err(invalid("body", "must be valid JSON")),
    }
}

/// A string field; empty counts as absent.
pub(super) fn optional<'a>(
    body: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, Refused> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.trim().is_empty())),
        Some(_) => Err(invalid(field, "must be a string")),
    }
}

pub(super) fn required<'a>(body: &'a Map<String, Value>, field: &str) -> Result<&'a str, Refused> {
    optional(body, field)?.ok_or_else(|| invalid(field, "is required"))
}

pub(super) fn query_param<'a>(
    query: &'a HashMap<String, String>,
    field: &str,
) -> Result<&'a str, Refused> {
    query
        .get(field)
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| invalid(field, "is required"))
}

/// `POST /api/v1/client/job/visual-validate-session {callback_url?}`.
pub async fn visual_validate_session(
    State(svc): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    create_session(&svc, &headers, &body).unwrap_or_else(|refused| *refused)
}

fn create_session(svc: &Service, headers: &HeaderMap, body: &Bytes) -> Reply {
    let account = admit(svc, headers)?;
    let body = object(body)?;
    // `optional` reads an empty string as absent; an empty callback is refused, not dropped.
    if let Some(Value::String(raw)) = body.get("callback_url") {
        if let Some(problem) = byteplus::callback_problem(raw, svc.faults.https_callbacks_only()) {
            return Err(invalid("callback_url", problem));
        }
    }
    let callback = optional(&body, "callback_url")?.unwrap_or("");
    let session = svc.create_validate_session(&account.owner, callback);
    let token = session.token();
    let link = format!(
        "http://{}/h5/?bytedToken={token}&configId={CONFIG_ID}&lng={LNG}",
        svc.authority(),
    );
    Ok(ok(json!({
        "BytedToken": token,
        "H5Link": link,
        "CallbackURL": callback,
    })))
}

/// `GET /api/v1/client/job/visual-validate-result?byted_token=…`.
pub async fn visual_validate_result(
    State(svc): Shared,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    validate_result(&svc, &headers, &query).unwrap_or_else(|refused| *refused)
}

fn validate_result(svc: &Service, headers: &HeaderMap, query: &HashMap<String, String>) -> Reply {
    let account = admit(svc, headers)?;
    let token = query_param(query, "byted_token")?;
    match svc.validate_result(&account.owner, token) {
        ValidateResult::Ready(group_id) => Ok(ok(json!({ "GroupId": group_id }))),
        // Crun documents no not-ready answer (its flow reads only after `resultCode=10000`),
        // so a read before is refused, and it spent the token.
        ValidateResult::NotReady => Err(Box::new(
            Json(json!({
                "code": 422,
                "message": "byted_token validation has not passed",
                "data": null,
                "errors": [{ "field": "byted_token", "message": "validation has not passed" }],
            }))
            .into_response(),
        )),
        ValidateResult::Invalid => Err(Box::new(
            Json(json!({
                "code": 422,
                "message": "byted_token is invalid or has already been used",
                "data": null,
                "errors": [{ "field": "byted_token", "message": "invalid or already used" }],
            }))
            .into_response(),
        )),
    }
}

/// `POST /api/v1/client/job/asset-upload {name?, asset_type, asset_url, group_id?}`.
pub async fn asset_upload(State(svc): Shared, headers: HeaderMap, body: Bytes) -> Response {
    upload(&svc, &headers, &body).unwrap_or_else(|refused| *refused)
}

fn upload(svc: &Arc<Service>, headers: &HeaderMap, body: &Bytes) -> Reply {
    let account = admit(svc, headers)?;
    let body = object(body)?;
    let name = optional(&body, "name")?.unwrap_or("");
    let asset_type = AssetType::parse(required(&body, "asset_type")?).ok_or_else(|| {
        invalid(
            "asset_type",
            &format!("must be one of {}", AssetType::NAMES),
        )
    })?;
    let url = required(&body, "asset_url")?;
    if !is_http_url(url) {
        return Err(invalid("asset_url", "must be an http or https URL"));
    }
    let group_id = optional(&body, "group_id")?;
    let created = svc.create_liveness_asset(NewAsset {
        owner: account.owner,
        name: name.to_owned(),
        url: url.to_owned(),
        asset_type,
        group_id: group_id.map(str::to_owned),
    });
    match (created, group_id) {
        (Some(asset), _) => Ok(ok(json!({ "AssetId": asset.id }))),
        (None, group_id) => Err(business(
            404,
            format!("asset group {} not found", group_id.unwrap_or_default()),
        )),
    }
}

/// `GET /api/v1/client/job/asset-info?asset_id=…`.
pub async fn asset_info(
    State(svc): Shared,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    info(&svc, &headers, &query).unwrap_or_else(|refused| *refused)
}

fn info(svc: &Service, headers: &HeaderMap, query: &HashMap<String, String>) -> Reply {
    let account = admit(svc, headers)?;
    let id = query_param(query, "asset_id")?;
    let asset = svc
        .liveness_asset(&account.owner, id)
        .ok_or_else(|| business(404, format!("asset {id} not found")))?;
    Ok(ok(asset_json(&asset)))
}

fn asset_json(v: &AssetView) -> Value {
    let mut out = json!({
        "AssetId": v.id,
        "Name": v.name,
        "AssetType": v.asset_type.as_str(),
        "Status": v.status.as_str(),
        "CreateTime": byteplus::rfc3339(v.created_at_ms),
        "UpdateTime": byteplus::rfc3339(v.updated_at_ms),
    });
    if let Some(e) = &v.error {
        out["Error"] = json!({ "Code": e.code, "Message": e.message });
    }
    out
}
