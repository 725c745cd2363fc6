//! What the handlers share: settings, the in-memory store, the rate limits and the payment gate.

use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use axum::http::header::RETRY_AFTER;
use axum::http::StatusCode;

use super::error::ApiError;
use super::payment::PaymentGate;
use super::rate_limit::{self, Decision, SlidingWindow};
use super::session::{Step, StepRefusal};
use super::store::{GroupStatus, SessionSnapshot, StepFailure, Store};
use super::wall_clock;

pub struct Service {
    pub public_host: String,
    pub port: u16,
    pub key_owner: String,
    pub session_ttl: Duration,
    pub image_client: reqwest::Client,
    pub gate: PaymentGate,
    store: Mutex<Store>,
    /// `POST /v1/realface/init` that create a group.
    init_limit: Mutex<SlidingWindow>,
    /// `GET /v1/realface/status` and the wallet listings: one bucket, as the doc says.
    lookup_limit: Mutex<SlidingWindow>,
}

pub struct ServiceSettings {
    pub public_host: String,
    pub port: u16,
    pub api_key: String,
    pub key_owner: String,
    pub init_limit_per_hour: u32,
    pub status_limit_per_hour: u32,
    pub session_ttl: Duration,
    pub image_client: reqwest::Client,
}

#[derive(Debug, Clone, Copy)]
pub enum Bucket {
    Init,
    Lookup,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section leaves the data consistent, so a panic elsewhere does not poison it.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Service {
    pub fn new(s: ServiceSettings) -> Self {
        Service {
            gate: PaymentGate::new(&s.api_key, s.key_owner.clone()),
            public_host: s.public_host,
            port: s.port,
            key_owner: s.key_owner,
            session_ttl: s.session_ttl,
            image_client: s.image_client,
            store: Mutex::new(Store::default()),
            init_limit: Mutex::new(SlidingWindow::new(s.init_limit_per_hour, rate_limit::HOUR)),
            lookup_limit: Mutex::new(SlidingWindow::new(
                s.status_limit_per_hour,
                rate_limit::HOUR,
            )),
        }
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// Counts one call against `bucket`, or answers 429 with `Retry-After`.
    pub fn rate_limit(&self, bucket: Bucket, ip: IpAddr) -> Result<(), ApiError> {
        let window = match bucket {
            Bucket::Init => &self.init_limit,
            Bucket::Lookup => &self.lookup_limit,
        };
        let mut window = lock(window);
        match window.hit(ip, Instant::now()) {
            Decision::Allowed { .. } => Ok(()),
            Decision::Limited { retry_after } => {
                let secs = rate_limit::retry_after_secs(retry_after);
                let reset_ms = wall_clock::unix_ms(SystemTime::now() + retry_after);
                tracing::info!(%ip, ?bucket, retry_after_secs = secs, "rehearsal: rate limited");
                Err(
                    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded")
                        .with("code", "RATE_LIMITED")
                        .with("retryAfterSeconds", secs)
                        .header(RETRY_AFTER, secs)
                        .header("x-ratelimit-limit".parse().expect("static"), window.limit())
                        .header("x-ratelimit-remaining".parse().expect("static"), 0)
                        .header("x-ratelimit-reset".parse().expect("static"), reset_ms),
                )
            }
        }
    }

    /// One phone action, the single path both `POST /h5/api/step` and `complete_liveness` take.
    pub fn apply_step(&self, token: &str, step: Step) -> Result<SessionSnapshot, ApiError> {
        let result = self.store().apply_step(token, step, Instant::now());
        match result {
            Ok(snapshot) => {
                tracing::info!(group_id = %snapshot.group_id, ?step, progress = ?snapshot.progress, "rehearsal: H5 step");
                Ok(snapshot)
            }
            Err(StepFailure::UnknownToken) => Err(ApiError::not_found(
                "Not found: this verification link is not recognised",
            )
            .with("code", "SESSION_NOT_FOUND")),
            Err(StepFailure::Refused(StepRefusal::Expired)) => {
                Err(ApiError::new(StatusCode::GONE, "Session expired")
                    .with("code", "SESSION_EXPIRED")
                    .with(
                        "hint",
                        "The 120-second session ran out. Ask the operator for a fresh QR code.",
                    ))
            }
            Err(StepFailure::Refused(StepRefusal::Superseded)) => {
                Err(ApiError::new(StatusCode::GONE, "Session expired")
                    .with("code", "SESSION_SUPERSEDED")
                    .with(
                        "hint",
                        "A newer QR code was issued for this person. Scan the new one.",
                    ))
            }
            Err(StepFailure::Refused(StepRefusal::OutOfOrder { expected, got })) => {
                let message = match expected {
                    None => "Verification already completed".to_owned(),
                    Some(e) => format!(
                        "Step `{}` is out of order: the session is waiting for `{}`",
                        step_name(got),
                        step_name(e)
                    ),
                };
                Err(ApiError::new(StatusCode::CONFLICT, message)
                    .with("code", "STEP_OUT_OF_ORDER")
                    .with("expected_step", expected.map(step_name))
                    .with("step", step_name(got)))
            }
        }
    }

    /// Does what the phone does for the group's current session: camera, nod, blink.
    pub fn complete_liveness(&self, group_id: &str) -> Result<(), String> {
        let token = {
            let store = self.store();
            let group = store
                .group(group_id)
                .ok_or_else(|| format!("Asset group not found: {group_id}"))?;
            if group.status == GroupStatus::Active {
                return Ok(());
            }
            group.current_token.clone()
        };
        loop {
            let snapshot = self
                .store()
                .session(&token, Instant::now())
                .ok_or_else(|| format!("no H5 session for {group_id}"))?;
            let Some(step) = snapshot.progress.next_step() else {
                return Ok(());
            };
            self.apply_step(&token, step)
                .map_err(|e| e.message().to_owned())?;
        }
    }
}

pub fn step_name(step: Step) -> &'static str {
    match step {
        Step::Camera => "camera",
        Step::Nod => "nod",
        Step::Blink => "blink",
        Step::Fail => "fail",
        Step::Retry => "retry",
    }
}
