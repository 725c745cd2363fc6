//! Rehearsal's Anyfast personality: BytePlus's real-human asset library as Anyfast proxies it
//! under `/volc/asset/…` (seed 003; the shared model is in the `byteplus` module).
//!
//! Flat JSON bodies with BytePlus's field names, `Authorization: Bearer <key>`. Errors are
//! `{"error": {"code", "message", "type"}}`: `volc_asset_error` for the asset API's own,
//! `new_api_error` for the gateway's 401. Bodies are written as Anyfast's Go gateway writes
//! them, with `&`, `<` and `>` inside strings escaped (`\u0026`…), which is why the H5 link a
//! client reads must be JSON-decoded, never scraped from the text.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::byteplus::{
    self, AssetStatus, AssetType, AssetView, GroupKind, ListFilter, NewAsset, ValidateResult,
    GROUP_TYPE,
};
use super::ids;
use super::service::{Account, Service};

type Shared = State<Arc<Service>>;
/// Boxed: a `Response` is too large to be carried in every `Result`.
pub(super) type Refused = Box<Response>;
pub(super) type Reply = Result<Response, Refused>;

const ERROR_TYPE: &str = "volc_asset_error";
const CONFIG_ID: &str = "rehearsal-anyfast";
const DEFAULT_PAGE_SIZE: u64 = 10;
const MAX_PAGE_SIZE: u64 = 100;

/// JSON text as Go's `encoding/json` writes it: `&`, `<`, `>` escaped. They can only occur
/// inside strings, so replacing them in the whole text is exact.
fn go_json(value: &Value) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('&', "\\u0026")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
}

pub(super) fn reply(status: StatusCode, value: Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, "application/json; charset=utf-8")],
        go_json(&value),
    )
        .into_response()
}

pub(super) fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Refused {
    Box::new(reply(
        status,
        json!({ "error": { "code": code, "message": message.into(), "type": ERROR_TYPE } }),
    ))
}

pub(super) fn invalid(message: impl Into<String>) -> Refused {
    error(StatusCode::BAD_REQUEST, "InvalidParameter", message)
}

fn aigc_only() -> Refused {
    error(
        StatusCode::BAD_REQUEST,
        "InvalidParameter.GroupType",
        "GroupType must be one of [AIGC]",
    )
}

pub(super) fn account(svc: &Service, headers: &HeaderMap) -> Result<Account, Refused> {
    let key = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim());
    key.and_then(|k| svc.accounts.account(k)).ok_or_else(|| {
        Box::new(reply(
            StatusCode::UNAUTHORIZED,
            json!({ "error": { "code": "Unauthorized", "message": "Invalid token.", "type": "new_api_error" } }),
        ))
    })
}

/// The body as an object; an empty body is an empty object (every field is then missing).
pub(super) fn object(body: &Bytes) -> Result<Map<String, Value>, Refused> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid("The request body must be a JSON object.")),
        Err(e) => Err(invalid(format!("The request body is not valid JSON: {e}"))),
    }
}

pub(super) fn optional<'a>(
    body: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, Refused> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(format!("The parameter {field} must be a string."))),
    }
}

pub(super) fn required<'a>(body: &'a Map<String, Value>, field: &str) -> Result<&'a str, Refused> {
    optional(body, field)?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| invalid(format!("The parameter {field} is required.")))
}

fn h5_link(svc: &Service, token: &str) -> String {
    format!(
        "http://{}/h5/?bytedToken={token}&pl={}&configId={CONFIG_ID}",
        svc.authority(),
        ids::h5_pl()
    )
}

fn asset_json(v: &AssetView) -> Value {
    let mut out = json!({
        "Id": v.id,
        "Name": v.name,
        "URL": v.url,
        "AssetType": v.asset_type.as_str(),
        "GroupId": v.group_id.as_deref().unwrap_or(""),
        "Status": v.status.as_str(),
        "ProjectName": "default",
        "CreateTime": byteplus::rfc3339(v.created_at_ms),
        "UpdateTime": byteplus::rfc3339(v.updated_at_ms),
    });
    if let Some(e) = &v.error {
        out["Error"] = json!({ "Code": e.code, "Message": e.message });
    }
    out
}

/// `POST /volc/asset/CreateVisualValidateSession {CallbackURL?}`: a callback, when given, must
/// be an http(s) URL.
pub async fn create_visual_validate_session(
    State(svc): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    create_session(&svc, &headers, &body).unwrap_or_else(|refused| *refused)
}

fn create_session(svc: &Service, headers: &HeaderMap, body: &Bytes) -> Reply {
    let account = account(svc, headers)?;
    let body = object(body)?;
    if account.aigc {
        return Err(aigc_only());
    }
    let callback = optional(&body, "CallbackURL")?;
    if let Some(problem) =
        callback.and_then(|c| byteplus::callback_problem(c, svc.faults.https_callbacks_only()))
    {
        return Err(invalid(format!("The parameter CallbackURL {problem}.")));
    }
    let callback = callback.unwrap_or("");
    let session = svc.create_validate_session(&account.owner, callback);
    Ok(reply(
        StatusCode::OK,
        json!({
            "BytedToken": session.token(),
            "CallbackURL": callback,
            "H5Link": h5_link(svc, session.token()),
        }),
    ))
}

/// `POST /volc/asset/GetVisualValidateResult {BytedToken}`.
pub async fn get_visual_validate_result(
    State(svc): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    validate_result(&svc, &headers, &body).unwrap_or_else(|refused| *refused)
}

fn validate_result(svc: &Service, headers: &HeaderMap, body: &Bytes) -> Reply {
    let account = account(svc, headers)?;
    let body = object(body)?;
    let token = required(&body, "BytedToken")?;
    match svc.validate_result(&account.owner, token) {
        ValidateResult::Ready(group_id) => Ok(reply(
            StatusCode::OK,
            json!({ "GroupId": group_id, "GroupType": GROUP_TYPE }),
        )),
        // The doc's own not-finished answer ("GroupId is empty"); the query spent the token
        // all the same.
        ValidateResult::NotReady => Ok(reply(StatusCode::OK, json!({ "GroupId": "" }))),
        ValidateResult::Invalid => Err(error(
            StatusCode::BAD_REQUEST,
            "InvalidParameter.BytedToken",
            "BytedToken is invalid or has already been used.",
        )),
    }
}

/// `POST /volc/asset/CreateAsset {model, GroupId, Name, AssetType, URL}`.
pub async fn create_asset(State(svc): Shared, headers: HeaderMap, body: Bytes) -> Response {
    new_asset(&svc, &headers, &body).unwrap_or_else(|refused| *refused)
}

fn new_asset(svc: &Arc<Service>, headers: &HeaderMap, body: &Bytes) -> Reply {
    let account = account(svc, headers)?;
    let body = object(body)?;
    let group_id = required(&body, "GroupId")?;
    let name = required(&body, "Name")?;
    let asset_type = AssetType::parse(required(&body, "AssetType")?).ok_or_else(|| {
        invalid(format!(
            "The parameter AssetType must be one of {}.",
            AssetType::NAMES
        ))
    })?;
    let url = required(&body, "URL")?;
    if !is_http_url(url) {
        // Anyfast documents a Data URI here too (`data:image/png;base64,…`): taken exactly in
        // that form, of the asset's own type, with base64 that decodes.
        match data_uri(url) {
            Some(Ok((mime, _))) if mime.starts_with(asset_type.mime_family()) => {}
            Some(Ok((mime, _))) => {
                return Err(invalid(format!(
                    "The parameter URL is a data URI of type {mime}, which is not a {} file.",
                    asset_type.as_str()
                )))
            }
            Some(Err(problem)) => {
                return Err(invalid(format!("The parameter URL is not a valid data URI: {problem}.")))
            }
            None => {
                return Err(invalid(
                    "The parameter URL must be an http or https URL, or a data URI (data:<type>;base64,<data>).",
                ))
            }
        }
    }
    let model = required(&body, "model")?;
    if model != asset_type.anyfast_model() {
        return Err(invalid(format!(
            "The parameter model must be {} for AssetType {} (got {model}).",
            asset_type.anyfast_model(),
            asset_type.as_str()
        )));
    }
    if account.aigc {
        return Err(aigc_only());
    }
    let created = svc.create_liveness_asset(NewAsset {
        owner: account.owner,
        name: name.to_owned(),
        url: url.to_owned(),
        asset_type,
        group_id: Some(group_id.to_owned()),
    });
    match created {
        Some(asset) => Ok(reply(StatusCode::OK, json!({ "Id": asset.id }))),
        None => Err(error(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("asset group {group_id} not found"),
        )),
    }
}

/// A `data:<type>;base64,<data>` URI's type and bytes; `None` when `raw` is no data URI at all.
/// Only the base64 form is taken (the one Anyfast shows), with a `type/subtype` and standard
/// padded base64.
pub(super) fn data_uri(raw: &str) -> Option<Result<(String, Vec<u8>), String>> {
    use base64::Engine;
    let rest = raw.strip_prefix("data:")?;
    let Some((head, data)) = rest.split_once(',') else {
        return Some(Err("it has no comma before the data".into()));
    };
    let Some(mime) = head.strip_suffix(";base64") else {
        return Some(Err(
            "only base64 data URIs are taken (data:<type>;base64,…)".into(),
        ));
    };
    let valid_mime = mime.split_once('/').is_some_and(|(t, s)| {
        !t.is_empty() && !s.is_empty() && !mime.contains(';') && mime.is_ascii()
    });
    if !valid_mime {
        return Some(Err(format!("“{mime}” is not a media type")));
    }
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map(|bytes| (mime.to_ascii_lowercase(), bytes))
            .map_err(|_| "its data is not base64".to_string()),
    )
}

pub(super) fn is_http_url(raw: &str) -> bool {
    url::Url::parse(raw).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

/// `POST /volc/asset/GetAsset {Id}`.
pub async fn get_asset(State(svc): Shared, headers: HeaderMap, body: Bytes) -> Response {
    one_asset(&svc, &headers, &body).unwrap_or_else(|refused| *refused)
}

fn one_asset(svc: &Service, headers: &HeaderMap, body: &Bytes) -> Reply {
    let account = account(svc, headers)?;
    let body = object(body)?;
    let id = required(&body, "Id")?;
    let asset = svc.liveness_asset(&account.owner, id).ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("asset {id} not found"),
        )
    })?;
    Ok(reply(StatusCode::OK, asset_json(&asset)))
}

/// `POST /volc/asset/ListAssets {model?, PageNumber?, PageSize?, Filter?}`.
pub async fn list_assets(State(svc): Shared, headers: HeaderMap, body: Bytes) -> Response {
    listing(&svc, &headers, &body).unwrap_or_else(|refused| *refused)
}

fn listing(svc: &Service, headers: &HeaderMap, body: &Bytes) -> Reply {
    let account = account(svc, headers)?;
    let body = object(body)?;
    optional(&body, "model")?;
    let page_number = whole(&body, "PageNumber")?.unwrap_or(1);
    if page_number < 1 {
        return Err(invalid("The parameter PageNumber must be 1 or more."));
    }
    let page_size = whole(&body, "PageSize")?.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        return Err(invalid(format!(
            "The parameter PageSize must be between 1 and {MAX_PAGE_SIZE}."
        )));
    }
    let filter = match body.get("Filter") {
        None | Some(Value::Null) => ListFilter::default(),
        Some(Value::Object(f)) => list_filter(f)?,
        Some(_) => return Err(invalid("The parameter Filter must be an object.")),
    };
    let all = svc.list_liveness_assets(&account.owner, &filter);
    let skip = (page_number - 1).saturating_mul(page_size);
    let items: Vec<Value> = all
        .iter()
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(page_size as usize)
        .map(asset_json)
        .collect();
    Ok(reply(
        StatusCode::OK,
        json!({
            "PageNumber": page_number,
            "PageSize": page_size,
            "TotalCount": all.len(),
            "Items": items,
        }),
    ))
}

fn whole(body: &Map<String, Value>, field: &str) -> Result<Option<u64>, Refused> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| invalid(format!("The parameter {field} must be a whole number."))),
    }
}

fn strings(filter: &Map<String, Value>, field: &str) -> Result<Option<Vec<String>>, Refused> {
    let refused = || {
        invalid(format!(
            "The parameter Filter.{field} must be a list of strings."
        ))
    };
    match filter.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(refused))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(refused()),
    }
}

fn list_filter(f: &Map<String, Value>) -> Result<ListFilter, Refused> {
    let group_kind = match optional(f, "GroupType")? {
        None => None,
        Some(GROUP_TYPE) => Some(GroupKind::LivenessFace),
        Some("AIGC") => Some(GroupKind::Aigc),
        Some(_) => {
            return Err(invalid(
                "The parameter Filter.GroupType must be one of LivenessFace, AIGC.",
            ))
        }
    };
    let statuses = strings(f, "Statuses")?
        .map(|names| {
            names
                .iter()
                .map(|n| AssetStatus::parse(n))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    invalid(format!(
                        "The parameter Filter.Statuses must hold only {}.",
                        AssetStatus::NAMES
                    ))
                })
        })
        .transpose()?;
    Ok(ListFilter {
        group_ids: strings(f, "GroupIds")?,
        group_kind,
        name: optional(f, "Name")?
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
        statuses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_json_escapes_html_characters_in_strings() {
        let text = go_json(&json!({ "H5Link": "http://h/?a=1&b=<2>" }));
        assert_eq!(text, r#"{"H5Link":"http://h/?a=1\u0026b=\u003c2\u003e"}"#);
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["H5Link"], "http://h/?a=1&b=<2>");
    }

    #[test]
    fn http_urls_only() {
        assert!(is_http_url("https://example.com/a.jpg"));
        assert!(is_http_url("http://192.168.1.20:8000/a.mp4"));
        assert!(!is_http_url("ftp://example.com/a.jpg"));
        assert!(!is_http_url("data:image/png;base64,AAAA"));
        assert!(!is_http_url("example.com/a.jpg"));
    }

    #[test]
    fn data_uris_only_in_their_documented_base64_form() {
        let (mime, bytes) = data_uri("data:image/png;base64,AAEC").unwrap().unwrap();
        assert_eq!(
            (mime.as_str(), bytes.as_slice()),
            ("image/png", &[0u8, 1, 2][..])
        );
        assert!(data_uri("https://x/a.png").is_none());
        assert!(
            data_uri("data:image/png,AAEC").unwrap().is_err(),
            "not base64"
        );
        assert!(data_uri("data:;base64,AAEC").unwrap().is_err(), "no type");
        assert!(data_uri("data:image/png;base64,A?==").unwrap().is_err());
        assert!(
            data_uri("data:image/png;base64").unwrap().is_err(),
            "no comma"
        );
    }
}
