//! Rehearsal's JarvisClaw personality: `/v1/marketplace/realface/*` and
//! `/v1/marketplace/portrait/enroll`, in either of JarvisClaw's documented shapes.
//!
//! The flow underneath is the BlockRun one (the live JarvisClaw API proxies it), so groups, H5
//! sessions, payments and faults are shared; only the paths, prices and bodies differ:
//!
//! - [`JarvisClawShape::Live`] (the current doc): BlockRun's bodies with JarvisClaw's objects
//!   (`realface.enroll`, `portrait.enroll`), statuses `pending_validation` / `active` /
//!   `expired` / `failed`, and no `ready_to_finalize`.
//! - [`JarvisClawShape::Seed`] (seed 001): `verification_url`, `qr_code_url`, `expires_at`,
//!   group ids `grp_<digits>`, statuses `pending` / `in_progress` / `completed` / `expired` /
//!   `failed` with `liveness_score`, and `liveness_verified` on enrollments.
//!
//! Errors: the doc's table gives each refusal's status and a code (425 `liveness_incomplete`,
//! 422 `face_match_failed`, 429 `rate_limited`, 400 `invalid_image_url`, 400 `session_expired`
//! when enrolling on a group whose link ran out unfinished, 404 `group_not_found`) but shows no
//! body, so where a code would sit is unknown. Rehearsal takes the strict reading: the statuses,
//! and BlockRun's `{"error": "<words>"}` (the API it proxies) with no code at all, so a client
//! decides on the status alone. Both enrollments cost $0.01 (the realface price). There is no
//! refresh: a `groupId` on init is ignored and a new group is made.
//!
//! The realface enroll's `name` must be the init's ("must match init name", seed 001): another
//! is a 400, checked with the group (after the payment), so it voids the nonce.
//!
//! The enrollments check in BlockRun's order (400 body → 402 payment → group), so the group's
//! errors (404, 425, 400 `session_expired`) reach only a caller that has paid, and void its
//! nonce.

use provider_api::JarvisClawShape;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::api::{self, PaidRoute};
use super::conn::Peer;
use super::service::Service;
use super::store::{GroupStatus, SessionState};
use super::wall_clock;

type Shared = State<Arc<Service>>;

const REALFACE_ENROLL: &str = "/v1/marketplace/realface/enroll";
const PORTRAIT_ENROLL: &str = "/v1/marketplace/portrait/enroll";
const REALFACE_DESCRIPTION: &str =
    "JarvisClaw RealFace enrollment (Rehearsal: Base Sepolia test USDC)";
const PORTRAIT_DESCRIPTION: &str =
    "JarvisClaw Virtual Portrait enrollment (Rehearsal: Base Sepolia test USDC)";
const BODY_LIMIT: usize = 1 << 20;

/// `legacy_rf_8137` ↔ `grp_8137` in the seed shape; the live shape uses BlockRun's ids.
fn outward(shape: JarvisClawShape, group_id: &str) -> String {
    match (shape, group_id.strip_prefix("legacy_rf_")) {
        (JarvisClawShape::Seed, Some(n)) => format!("grp_{n}"),
        _ => group_id.to_owned(),
    }
}

fn inward(group_id: &str) -> String {
    match group_id.strip_prefix("grp_") {
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            format!("legacy_rf_{n}")
        }
        _ => group_id.to_owned(),
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({ "error": message.into() }))).into_response()
}

/// Rewrites a JSON body, keeping status and headers (the settlement header, `Retry-After`).
async fn reshape(response: Response, f: impl FnOnce(Map<String, Value>) -> Value) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    let original: Map<String, Value> = serde_json::from_slice(&bytes).unwrap_or_default();
    let body = serde_json::to_vec(&f(original)).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(body))
}

fn s(map: &Map<String, Value>, key: &str) -> Value {
    map.get(key).cloned().unwrap_or(Value::Null)
}

/// `POST /v1/marketplace/realface/init {name, redirect_url?, webhook_url?}`.
pub async fn init(svc: Shared, peer: ConnectInfo<Peer>, body: Bytes) -> Response {
    let shape = svc.jarvisclaw_shape;
    let mut fields = match api::object_of(&body) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    for url_field in ["redirect_url", "webhook_url"] {
        match api::string_field(&fields, url_field) {
            Ok(Some(u)) if !url::Url::parse(u).is_ok_and(|u| u.scheme() == "https") => {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("{url_field} must be an https URL"),
                )
            }
            Ok(_) => {}
            Err(e) => return e.into_response(),
        }
    }
    // No refresh on JarvisClaw: every init is a new group.
    fields.remove("groupId");
    let name = fields.get("name").cloned().unwrap_or(Value::Null);
    let inner = Bytes::from(serde_json::to_vec(&json!({ "name": name })).unwrap_or_default());
    let started = SystemTime::now();
    let response = match api::init(svc.clone(), peer, inner).await {
        Ok(json) => json.into_response(),
        Err(e) => return e.into_response(),
    };
    let public = svc.authority();
    reshape(response, |r| {
        let group_id = r.get("group_id").and_then(Value::as_str).unwrap_or("");
        let expires_in = r
            .get("expires_in_seconds")
            .and_then(Value::as_u64)
            .unwrap_or(120);
        match shape {
            JarvisClawShape::Live => json!({
                "object": "realface.init",
                "group_id": group_id,
                "h5_link": s(&r, "h5_link"),
                "status": "pending_validation",
                "expires_in_seconds": expires_in,
                "next_steps": {
                    "poll": format!("GET /v1/marketplace/realface/status?groupId={group_id}"),
                    "enroll": "POST /v1/marketplace/realface/enroll {name, image_url, group_id}",
                    "if_expired": "POST /v1/marketplace/realface/init again",
                },
            }),
            JarvisClawShape::Seed => {
                let outward_id = outward(shape, group_id);
                let expires_at = started + std::time::Duration::from_secs(expires_in);
                json!({
                    "group_id": outward_id,
                    "name": name,
                    "verification_url": s(&r, "h5_link"),
                    "qr_code_url": format!("http://{public}/h5/qr/{outward_id}.png"),
                    "expires_at": wall_clock::rfc3339_millis(expires_at),
                    "status": "pending",
                })
            }
        }
    })
    .await
}

/// `GET /v1/marketplace/realface/status?groupId=…`.
pub async fn status(
    svc: Shared,
    peer: ConnectInfo<Peer>,
    Query(mut query): Query<HashMap<String, String>>,
) -> Response {
    let shape = svc.jarvisclaw_shape;
    let asked = query.get("groupId").cloned().unwrap_or_default();
    let group_id = inward(&asked);
    query.insert("groupId".into(), group_id.clone());
    let response = match api::status(svc.clone(), peer, Query(query)).await {
        Ok(json) => json.into_response(),
        Err(e) => return e.into_response(),
    };
    let phase = svc.group_phase(&group_id);
    // Seed 001's status example carries the init's name beside the group.
    let name = svc.store().group(&group_id).and_then(|g| g.name.clone());
    reshape(response, |r| {
        let status = match phase {
            Some((GroupStatus::Active, _)) => match shape {
                JarvisClawShape::Live => "active",
                JarvisClawShape::Seed => "completed",
            },
            Some((_, Some(SessionState::Expired | SessionState::Superseded))) => "expired",
            Some((_, Some(SessionState::Failed))) => "failed",
            Some((_, Some(SessionState::InProgress))) if shape == JarvisClawShape::Seed => {
                // The store lock is released before the session is read (it locks again).
                let token = svc
                    .store()
                    .group(&group_id)
                    .map(|g| g.current_token.clone());
                let started = token
                    .and_then(|t| svc.session(&t))
                    .is_some_and(|s| !s.progress.steps_done().is_empty());
                if started {
                    "in_progress"
                } else {
                    "pending"
                }
            }
            _ => match shape {
                JarvisClawShape::Live => "pending_validation",
                JarvisClawShape::Seed => "pending",
            },
        };
        match shape {
            JarvisClawShape::Live => json!({
                "object": "realface.status",
                "group_id": s(&r, "group_id"),
                "status": status,
                "asset_count": r.get("asset_count").cloned().unwrap_or(json!(0)),
            }),
            JarvisClawShape::Seed => {
                let mut out = json!({
                    "group_id": outward(shape, &group_id),
                    "name": name,
                    "status": status,
                });
                if status == "completed" {
                    out["liveness_score"] = json!(0.98);
                }
                out
            }
        }
    })
    .await
}

/// `POST /v1/marketplace/realface/enroll {name, image_url, group_id}`, $0.01.
pub async fn enroll_realface(
    State(svc): Shared,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let shape = svc.jarvisclaw_shape;
    let mut fields = match api::object_of(&body) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    if let Some(g) = fields.get("group_id").and_then(Value::as_str) {
        let inner = inward(g);
        fields.insert("group_id".into(), Value::String(inner));
    }
    let inner = Bytes::from(serde_json::to_vec(&fields).unwrap_or_default());
    let route = PaidRoute {
        path: REALFACE_ENROLL,
        price: svc.realface_price,
        description: REALFACE_DESCRIPTION,
        expired_session_is_400: true,
        name_must_match_init: true,
    };
    let response = match api::realface_enrollment(&svc, &peer, &headers, &inner, route).await {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => return r,
        Err(e) => return e.into_response(),
    };
    reshape(response, |r| match shape {
        JarvisClawShape::Live => json!({
            "object": "realface.enroll",
            "asset_id": s(&r, "asset_id"),
            "name": s(&r, "name"),
            "group_id": s(&r, "group_id"),
        }),
        JarvisClawShape::Seed => json!({
            "asset_id": s(&r, "asset_id"),
            "name": s(&r, "name"),
            "group_id": outward(shape, r.get("group_id").and_then(Value::as_str).unwrap_or("")),
            "liveness_verified": true,
            "created_at": s(&r, "created_at"),
        }),
    })
    .await
}

/// `POST /v1/marketplace/portrait/enroll {name, image_url}`, $0.01.
pub async fn enroll_portrait(
    State(svc): Shared,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let shape = svc.jarvisclaw_shape;
    let route = PaidRoute {
        path: PORTRAIT_ENROLL,
        price: svc.realface_price,
        description: PORTRAIT_DESCRIPTION,
        expired_session_is_400: false,
        name_must_match_init: false,
    };
    let response = match api::portrait_enrollment(&svc, &peer, &headers, &body, route).await {
        Ok(r) if r.status().is_success() => r,
        Ok(r) => return r,
        Err(e) => return e.into_response(),
    };
    reshape(response, |r| match shape {
        JarvisClawShape::Live => json!({
            "object": "portrait.enroll",
            "asset_id": s(&r, "asset_id"),
            "name": s(&r, "name"),
        }),
        JarvisClawShape::Seed => json!({
            "asset_id": s(&r, "asset_id"),
            "name": s(&r, "name"),
            "liveness_verified": false,
            "created_at": s(&r, "created_at"),
        }),
    })
    .await
}

/// `GET /h5/qr/<group>.png`: the seed's `qr_code_url`, a PNG of the group's current link.
pub async fn qr_png(
    State(svc): Shared,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    let Some(group) = file.strip_suffix(".png") else {
        return error(StatusCode::NOT_FOUND, "Not found: no such QR");
    };
    let group_id = inward(group);
    let Some(token) = svc
        .store()
        .group(&group_id)
        .map(|g| g.current_token.clone())
    else {
        return error(StatusCode::NOT_FOUND, "Asset group not found");
    };
    match crate::qr::png(&api::h5_link(&svc, &token, &group_id)) {
        Ok(bytes) => ([(header::CONTENT_TYPE, "image/png")], bytes).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}
