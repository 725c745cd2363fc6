//! The phone side: the H5 page `h5_link` opens, and the plain-HTTP actions it drives.
//!
//! `GET  /h5/?accessKeyId=rehearsal&sessionToken=…&configId=…` → the page.
//! `GET  /h5/api/session?sessionToken=…` → the session's state (200 even once expired).
//! `POST /h5/api/step {sessionToken, step}` with `step` one of `camera`, `nod`, `blink`, in that
//! order (plus `fail` / `retry` for the "Verification failed" path). 200 with the new state;
//! 404 unknown token; 410 "Session expired" (past the TTL or superseded by a refresh);
//! 409 out of order or already completed; 400 bad body.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::service::{step_name, Service};
use super::session::Step;
use super::store::{SessionSnapshot, SessionState};
use super::wall_clock;

const PAGE: &str = include_str!("h5.html");

pub async fn page() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        PAGE,
    )
}

#[derive(Serialize)]
pub struct SessionView {
    object: &'static str,
    group_id: String,
    state: SessionState,
    steps_done: &'static [&'static str],
    next_step: Option<&'static str>,
    completed: bool,
    expired: bool,
    /// Wall clock, for display.
    expires_at: String,
    /// What the countdown uses: immune to a phone whose clock is off.
    expires_in_ms: u64,
    message: &'static str,
}

impl SessionView {
    fn new(s: SessionSnapshot) -> Self {
        let live = matches!(s.state, SessionState::InProgress | SessionState::Failed);
        let message = match s.state {
            SessionState::InProgress => match s.progress.next_step() {
                Some(Step::Camera) => "Allow camera",
                Some(Step::Nod) => "please nod",
                _ => "please blink",
            },
            SessionState::Failed => "Verification failed",
            SessionState::Completed => "Verification completed. You can close this page now.",
            SessionState::Expired | SessionState::Superseded => "Session expired",
        };
        SessionView {
            object: "h5.session",
            group_id: s.group_id,
            state: s.state,
            steps_done: s.progress.steps_done(),
            next_step: if live {
                s.progress.next_step().map(step_name)
            } else {
                None
            },
            completed: s.state == SessionState::Completed,
            expired: matches!(s.state, SessionState::Expired | SessionState::Superseded),
            expires_at: wall_clock::rfc3339_millis(SystemTime::now() + s.remaining),
            expires_in_ms: s.remaining.as_millis() as u64,
            message,
        }
    }
}

#[derive(Deserialize)]
pub struct SessionQuery {
    #[serde(rename = "sessionToken")]
    session_token: Option<String>,
}

pub async fn session(
    State(svc): State<Arc<Service>>,
    Query(q): Query<SessionQuery>,
) -> Result<Json<SessionView>, ApiError> {
    let token = q
        .session_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::invalid_field("sessionToken", "sessionToken is required"))?;
    let snapshot = svc.session(&token).ok_or_else(|| {
        ApiError::not_found("Not found: this verification link is not recognised")
    })?;
    Ok(Json(SessionView::new(snapshot)))
}

#[derive(Deserialize)]
struct StepRequest {
    #[serde(rename = "sessionToken")]
    session_token: String,
    step: String,
}

pub async fn step(
    State(svc): State<Arc<Service>>,
    body: Bytes,
) -> Result<Json<SessionView>, ApiError> {
    let request: StepRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "Invalid request body")
            .with("code", "INVALID_REQUEST_BODY")
            .with(
                "detail",
                format!(
                    "expected {{\"sessionToken\": \"…\", \"step\": \"camera|nod|blink\"}}: {e}"
                ),
            )
    })?;
    let step = Step::parse(&request.step).ok_or_else(|| {
        ApiError::invalid_field(
            "step",
            format!("step must be one of {}", Step::ALL.join(", ")),
        )
    })?;
    let snapshot = svc.apply_step(&request.session_token, step)?;
    Ok(Json(SessionView::new(snapshot)))
}
