//! The fault plan: network and server failures armed per route, for the fault drills.
//!
//! A [`Fault`] is armed on a [`FaultRoute`] for a number of requests ([`super::Faults::arm`]). Every
//! request passes [`inject`] first; one that matches an armed route is served the fault instead
//! of (or around) the real handler, and the plan's count for that route goes down by one. With
//! nothing armed, [`inject`] hands the request straight to the handler, so Rehearsal answers as
//! the docs say.
//!
//! What "acting" means is the handler's own work: creating a group, counting a status check,
//! settling a payment, holding a video job's authorization, settling it on the completing poll.
//! [`Fault::DropBeforeActing`], [`Fault::ServerError`] and [`Fault::RateLimited`] never run the
//! handler; the others run it and then spoil the answer, the case where the server did its part
//! and the client cannot tell.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::conn::Peer;
use super::service::Service;

/// Where a fault is injected: one endpoint as every personality spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultRoute {
    /// A new liveness link: `POST /v1/realface/init` (and JarvisClaw's), Anyfast's
    /// `CreateVisualValidateSession`, Crun's `visual-validate-session`.
    Init,
    /// The status poll: `GET /v1/realface/status` (and JarvisClaw's), Anyfast's
    /// `GetVisualValidateResult`, Crun's `visual-validate-result`.
    Status,
    /// The paid real-face enrollment: `POST /v1/realface/enroll` (and JarvisClaw's); the first
    /// asset upload on Anyfast (`CreateAsset`) and Crun (`asset-upload`).
    Enroll,
    /// `POST /v1/portrait/enroll` (and JarvisClaw's).
    PortraitEnroll,
    /// A video job's submit: `POST /v1/videos/generations`, Anyfast's `/v1/video/generations`,
    /// Crun's `CreateTask`.
    VideoSubmit,
    /// A video job's poll: `GET /v1/videos/generations/{id}`, `/api/v1/videos/generations/{id}`,
    /// Anyfast's `/v1/video/generations/{id}`, Crun's `TaskInfo`.
    VideoPoll,
    /// The finished clip, `GET /media/{file}`.
    Media,
}

impl FaultRoute {
    /// The route a request is on, if it is one a fault can target. The phone's `/h5/` page is
    /// never one: the drills break the studio's connection, not the talent's.
    pub fn of(method: &Method, path: &str) -> Option<FaultRoute> {
        let post = method == Method::POST;
        let get = method == Method::GET;
        let path = path.trim_end_matches('/');
        let route = match path {
            "/v1/realface/init"
            | "/v1/marketplace/realface/init"
            | "/volc/asset/CreateVisualValidateSession"
            | "/api/v1/client/job/visual-validate-session"
                if post =>
            {
                FaultRoute::Init
            }
            "/v1/realface/status" | "/v1/marketplace/realface/status" if get => FaultRoute::Status,
            "/api/v1/client/job/visual-validate-result" if get => FaultRoute::Status,
            "/volc/asset/GetVisualValidateResult" if post => FaultRoute::Status,
            "/v1/realface/enroll"
            | "/v1/marketplace/realface/enroll"
            | "/volc/asset/CreateAsset"
            | "/api/v1/client/job/asset-upload"
                if post =>
            {
                FaultRoute::Enroll
            }
            "/v1/portrait/enroll" | "/v1/marketplace/portrait/enroll" if post => {
                FaultRoute::PortraitEnroll
            }
            "/v1/videos/generations"
            | "/v1/video/generations"
            | "/api/v1/client/job/CreateTask"
                if post =>
            {
                FaultRoute::VideoSubmit
            }
            "/api/v1/client/job/TaskInfo" if get => FaultRoute::VideoPoll,
            p if get
                && (p.starts_with("/v1/videos/generations/")
                    || p.starts_with("/api/v1/videos/generations/")
                    || p.starts_with("/v1/video/generations/")) =>
            {
                FaultRoute::VideoPoll
            }
            p if get && p.starts_with("/media/") => FaultRoute::Media,
            _ => return None,
        };
        Some(route)
    }
}

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The connection is reset before the handler runs: the server did nothing, and the client
    /// sees a connection error.
    DropBeforeActing,
    /// The handler runs (and settles, creates, counts), then the connection is reset instead of
    /// answered: the client sees a connection error and not one byte.
    DropAfterActing,
    /// The handler runs, then its answer is held this long (past the client's timeout).
    DelayAnswer { delay_ms: u64 },
    /// This status (a 5xx) with `{"error": "…"}`, without running the handler.
    ServerError { status: u16 },
    /// The handler runs, then its body is sent with a syntax error (a stray comma after the
    /// opening brace), status and headers kept.
    MalformedJson,
    /// The handler runs, then only the first half of its body is sent (a valid prefix, with a
    /// `Content-Length` that matches it).
    TruncatedJson,
    /// `429` without running the handler, with `Retry-After: <seconds>` when given.
    RateLimited { retry_after_seconds: Option<u64> },
}

#[derive(Debug, Clone)]
struct Armed {
    route: FaultRoute,
    fault: Fault,
    times_left: u32,
}

/// The armed faults and how often each route's fired. Shared by the copies of a
/// [`super::Faults`]'s clone only as a snapshot (see there).
#[derive(Debug, Default)]
pub(super) struct FaultPlan {
    armed: Mutex<Vec<Armed>>,
    fired: Mutex<HashMap<FaultRoute, u32>>,
}

impl Clone for FaultPlan {
    fn clone(&self) -> Self {
        FaultPlan {
            armed: Mutex::new(lock(&self.armed).clone()),
            fired: Mutex::new(lock(&self.fired).clone()),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FaultPlan {
    /// Adds `fault` on `route` for the next `times` matching requests, after any already armed
    /// there (they fire in the order armed).
    pub(super) fn arm(&self, route: FaultRoute, fault: Fault, times: u32) {
        if times == 0 {
            return;
        }
        lock(&self.armed).push(Armed {
            route,
            fault,
            times_left: times,
        });
    }

    pub(super) fn disarm_all(&self) {
        lock(&self.armed).clear();
    }

    pub(super) fn armed_on(&self, route: FaultRoute) -> u32 {
        lock(&self.armed)
            .iter()
            .filter(|a| a.route == route)
            .map(|a| a.times_left)
            .sum()
    }

    pub(super) fn fired(&self, route: FaultRoute) -> u32 {
        lock(&self.fired).get(&route).copied().unwrap_or(0)
    }

    /// The fault this request gets, if one is armed on its route; it is spent.
    fn take(&self, route: FaultRoute) -> Option<Fault> {
        let mut armed = lock(&self.armed);
        let i = armed.iter().position(|a| a.route == route)?;
        let fault = armed[i].fault;
        armed[i].times_left -= 1;
        if armed[i].times_left == 0 {
            armed.remove(i);
        }
        drop(armed);
        *lock(&self.fired).entry(route).or_default() += 1;
        Some(fault)
    }
}

/// Bodies are read whole to spoil them; Rehearsal's own answers are small, and the clip is a few
/// hundred kilobytes.
const BODY_LIMIT_BYTES: usize = 64 * 1024 * 1024;

/// The middleware every request passes: serves an armed fault, or the handler untouched.
pub(super) async fn inject(State(svc): State<Arc<Service>>, req: Request, next: Next) -> Response {
    let Some(route) = FaultRoute::of(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let Some(fault) = svc.faults.plan.take(route) else {
        return next.run(req).await;
    };
    let peer = req
        .extensions()
        .get::<ConnectInfo<Peer>>()
        .map(|c| c.0.clone());
    tracing::info!(?route, ?fault, path = %req.uri().path(), "rehearsal: injecting a fault");
    match fault {
        Fault::DropBeforeActing => {
            cut(peer.as_ref());
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Fault::DropAfterActing => {
            let answer = next.run(req).await;
            // The body is read first so a streamed handler has finished its work.
            let _ = to_bytes(answer.into_body(), BODY_LIMIT_BYTES).await;
            cut(peer.as_ref());
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Fault::DelayAnswer { delay_ms } => {
            let answer = next.run(req).await;
            let (parts, body) = answer.into_parts();
            let bytes = to_bytes(body, BODY_LIMIT_BYTES).await.unwrap_or_default();
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            Response::from_parts(parts, Body::from(bytes))
        }
        Fault::ServerError { status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut answer = (
                status,
                axum::Json(json!({
                    "error": "Service temporarily unavailable",
                    "code": "rehearsal_fault",
                })),
            )
                .into_response();
            answer
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            answer
        }
        Fault::RateLimited {
            retry_after_seconds,
        } => {
            let mut answer = (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(json!({ "error": "Too many requests" })),
            )
                .into_response();
            if let Some(s) = retry_after_seconds {
                answer
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(s));
            }
            answer
        }
        Fault::MalformedJson | Fault::TruncatedJson => {
            let answer = next.run(req).await;
            let (mut parts, body) = answer.into_parts();
            let bytes = to_bytes(body, BODY_LIMIT_BYTES).await.unwrap_or_default();
            let spoiled = if fault == Fault::MalformedJson {
                malformed(&bytes)
            } else {
                bytes[..bytes.len() / 2].to_vec()
            };
            parts
                .headers
                .insert(CONTENT_LENGTH, HeaderValue::from(spoiled.len()));
            Response::from_parts(parts, Body::from(spoiled))
        }
    }
}

fn cut(peer: Option<&Peer>) {
    match peer {
        Some(p) => p.cut(),
        None => tracing::warn!("rehearsal: no connection to cut (served without ConnectInfo)"),
    }
}

/// `{"a":1}` → `{,"a":1}`: still looks like JSON, and no parser takes it.
fn malformed(bytes: &[u8]) -> Vec<u8> {
    match bytes.iter().position(|&b| b == b'{') {
        Some(i) => {
            let mut out = bytes[..=i].to_vec();
            out.push(b',');
            out.extend_from_slice(&bytes[i + 1..]);
            out
        }
        None => [b",".as_slice(), bytes].concat(),
    }
}

/// Fault switches, flipped at run time through [`RehearsalServer::faults`]. Each fires once and
/// disarms itself (see the module docs).
#[derive(Debug, Default)]
pub struct Faults {
    /// Settle the next x402 enrollment, then reset its connection without answering.
    pub drop_connection_after_settle_once: AtomicBool,
    /// Answer the next enrollment that reaches the upload with `502`, without settling.
    pub upstream_error_once: AtomicBool,
    /// Non-zero: the next Crun call answers HTTP 200 with this business code in its body (402,
    /// 429 with `Retry-After: 30`, 455, 500, 501, 505, with the doc's message). 0 is off.
    pub crun_code_once: AtomicU16,
    /// The next video job (any personality) fails with "generation failed", uncharged.
    pub video_fail_once: AtomicBool,
    /// Anyfast and Crun refuse every callback address that is not https, as a provider could
    /// (every documented example is one); off, they take http too, so the studio's LAN
    /// receiver can be rehearsed.
    pub https_callbacks_only: AtomicBool,
    /// Network and server faults armed per route ([`Faults::arm`]).
    plan: FaultPlan,
}

impl Clone for Faults {
    /// A copy of the switches' current positions (not shared with the original).
    fn clone(&self) -> Self {
        Faults {
            drop_connection_after_settle_once: AtomicBool::new(
                self.drop_connection_after_settle_once
                    .load(Ordering::SeqCst),
            ),
            upstream_error_once: AtomicBool::new(self.upstream_error_once.load(Ordering::SeqCst)),
            crun_code_once: AtomicU16::new(self.crun_code_once.load(Ordering::SeqCst)),
            video_fail_once: AtomicBool::new(self.video_fail_once.load(Ordering::SeqCst)),
            https_callbacks_only: AtomicBool::new(self.https_callbacks_only.load(Ordering::SeqCst)),
            plan: self.plan.clone(),
        }
    }
}

impl Faults {
    /// Arms [`Faults::drop_connection_after_settle_once`].
    pub fn drop_connection_after_next_settle(&self) {
        self.drop_connection_after_settle_once
            .store(true, Ordering::SeqCst);
    }

    /// Arms [`Faults::upstream_error_once`].
    pub fn upstream_error_on_next_enroll(&self) {
        self.upstream_error_once.store(true, Ordering::SeqCst);
    }

    /// Arms [`Faults::crun_code_once`] with `code` (0 disarms it).
    pub fn crun_code_on_next_call(&self, code: u16) {
        self.crun_code_once.store(code, Ordering::SeqCst);
    }

    /// Arms [`Faults::video_fail_once`].
    pub fn fail_next_video(&self) {
        self.video_fail_once.store(true, Ordering::SeqCst);
    }

    /// Serves `fault` to the next `times` requests on `route` (after any armed there before).
    /// See [`Fault`] for what each does and whether the server acts first.
    pub fn arm(&self, route: FaultRoute, fault: Fault, times: u32) {
        self.plan.arm(route, fault, times);
    }

    /// How many requests on `route` were served a fault so far.
    pub fn fired(&self, route: FaultRoute) -> u32 {
        self.plan.fired(route)
    }

    /// How many more requests on `route` will be served a fault.
    pub fn armed_on(&self, route: FaultRoute) -> u32 {
        self.plan.armed_on(route)
    }

    /// Disarms every fault armed with [`Faults::arm`] (the switches above stay as they are).
    pub fn disarm_all(&self) {
        self.plan.disarm_all();
    }

    pub(crate) fn take_video_fail(&self) -> bool {
        self.video_fail_once.swap(false, Ordering::SeqCst)
    }

    /// Switches [`Faults::https_callbacks_only`].
    pub fn refuse_plain_http_callbacks(&self, on: bool) {
        self.https_callbacks_only.store(on, Ordering::SeqCst);
    }

    pub(crate) fn https_callbacks_only(&self) -> bool {
        self.https_callbacks_only.load(Ordering::SeqCst)
    }

    pub(crate) fn take_crun_code(&self) -> Option<u16> {
        Some(self.crun_code_once.swap(0, Ordering::SeqCst)).filter(|&c| c != 0)
    }

    pub(crate) fn take_drop_connection_after_settle(&self) -> bool {
        self.drop_connection_after_settle_once
            .swap(false, Ordering::SeqCst)
    }

    pub(crate) fn take_upstream_error(&self) -> bool {
        self.upstream_error_once.swap(false, Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_cover_every_personality_and_skip_the_phone_page() {
        let post = Method::POST;
        let get = Method::GET;
        assert_eq!(
            FaultRoute::of(&post, "/v1/realface/init"),
            Some(FaultRoute::Init)
        );
        assert_eq!(
            FaultRoute::of(&post, "/volc/asset/CreateVisualValidateSession"),
            Some(FaultRoute::Init)
        );
        assert_eq!(
            FaultRoute::of(&get, "/v1/realface/init"),
            None,
            "method matters"
        );
        assert_eq!(
            FaultRoute::of(&get, "/v1/marketplace/realface/status"),
            Some(FaultRoute::Status)
        );
        assert_eq!(
            FaultRoute::of(&post, "/v1/realface/enroll"),
            Some(FaultRoute::Enroll)
        );
        assert_eq!(
            FaultRoute::of(&get, "/api/v1/videos/generations/bytedance:video_1"),
            Some(FaultRoute::VideoPoll)
        );
        assert_eq!(
            FaultRoute::of(&get, "/api/v1/client/job/TaskInfo"),
            Some(FaultRoute::VideoPoll)
        );
        assert_eq!(
            FaultRoute::of(&post, "/v1/videos/generations"),
            Some(FaultRoute::VideoSubmit)
        );
        assert_eq!(
            FaultRoute::of(&get, "/media/x.mp4"),
            Some(FaultRoute::Media)
        );
        assert_eq!(FaultRoute::of(&post, "/h5/api/step"), None);
        assert_eq!(FaultRoute::of(&get, "/h5/"), None);
    }

    #[test]
    fn faults_fire_in_order_and_are_counted() {
        let plan = FaultPlan::default();
        plan.arm(FaultRoute::Status, Fault::ServerError { status: 503 }, 2);
        plan.arm(
            FaultRoute::Status,
            Fault::RateLimited {
                retry_after_seconds: None,
            },
            1,
        );
        plan.arm(FaultRoute::Enroll, Fault::DropBeforeActing, 0);
        assert_eq!(plan.armed_on(FaultRoute::Status), 3);
        assert_eq!(
            plan.armed_on(FaultRoute::Enroll),
            0,
            "zero times arms nothing"
        );
        assert_eq!(plan.take(FaultRoute::Init), None);
        assert_eq!(
            plan.take(FaultRoute::Status),
            Some(Fault::ServerError { status: 503 })
        );
        assert_eq!(
            plan.take(FaultRoute::Status),
            Some(Fault::ServerError { status: 503 })
        );
        assert!(matches!(
            plan.take(FaultRoute::Status),
            Some(Fault::RateLimited { .. })
        ));
        assert_eq!(plan.take(FaultRoute::Status), None);
        assert_eq!(plan.fired(FaultRoute::Status), 3);
        assert_eq!(plan.fired(FaultRoute::Init), 0);
    }

    #[test]
    fn malformed_bodies_do_not_parse_and_truncated_ones_are_a_prefix() {
        let body = br#"{"asset_id":"ta_1","name":"Ada"}"#;
        let bad = malformed(body);
        assert!(serde_json::from_slice::<serde_json::Value>(&bad).is_err());
        assert_eq!(bad.len(), body.len() + 1);
        assert!(serde_json::from_slice::<serde_json::Value>(&body[..body.len() / 2]).is_err());
    }
}
