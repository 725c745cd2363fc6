//! Rehearsal: a local server speaking the BlockRun RealFace API.
//!
//! It is the test double behind every end-to-end test and the "rehearse without spending" mode of
//! the app, so it follows BlockRun's RealFace and Virtual Portrait docs to the letter, playing the
//! API-key rail (`Authorization: Bearer <key>`, no x402 yet):
//!
//! - `POST /v1/realface/init` `{name}` or `{name, groupId}` (refresh), free, 10 new groups/hour/IP.
//! - `GET /v1/realface/status?groupId=…`, free, 20/hour/IP in a bucket shared with the listings.
//! - `POST /v1/realface/enroll` `{name, image_url, group_id}`, $0.01; `POST /v1/portrait/enroll`
//!   `{name, image_url}`, $0.50. Both really fetch and decode `image_url` (https, JPG/PNG/WEBP,
//!   ≤10 MB). [`FACE_MISMATCH_MARKER`] and [`UPSTREAM_ERROR_MARKER`] in the URL script the
//!   upstream failures.
//! - `GET /v1/wallet/<address>/realfaces` and `/portraits`. Key-rail enrollments belong to
//!   [`RehearsalConfig::key_owner`].
//! - The phone side: `h5_link` opens Rehearsal's own page under `/h5/`, driven by
//!   `POST /h5/api/step` (see the `h5` module), and [`RehearsalServer::complete_liveness`] does
//!   the same from code.
//!
//! State lives in memory unless [`RehearsalConfig::state_file`] is set. Then groups, H5 session
//! tokens (with their wall-clock expiry), enrolled assets and the hourly rate-limit windows are
//! saved to that JSON file after every change and restored at [`RehearsalServer::start`], so a
//! restarted Rehearsal still knows them, as a real provider would (see the `persist` module).

mod api;
mod error;
mod h5;
mod ids;
mod payment;
mod persist;
mod photo;
mod rate_limit;
mod service;
mod session;
mod store;
mod wall_clock;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use service::{Service, ServiceSettings};

/// An `image_url` containing this gets `422` "face-match failed" from `/v1/realface/enroll`, after
/// the photo was fetched and checked (so the URL must still serve a valid image). Virtual
/// Portraits have no face match and ignore it.
pub const FACE_MISMATCH_MARKER: &str = "rehearsal-face-mismatch";
/// An `image_url` containing this gets `502` "upload to inference partner failed" from either
/// enroll endpoint, after the photo was fetched and checked. It wins over the face-mismatch marker.
pub const UPSTREAM_ERROR_MARKER: &str = "rehearsal-upstream-error";

pub const DEFAULT_INIT_LIMIT_PER_HOUR: u32 = 10;
pub const DEFAULT_STATUS_LIMIT_PER_HOUR: u32 = 20;
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(120);

#[derive(Clone)]
pub struct RehearsalConfig {
    /// `127.0.0.1:0` in tests; `0.0.0.0:<port>` in the app so phones on the LAN reach the H5 page.
    pub bind: SocketAddr,
    /// Host written into `h5_link`: the LAN IP in the app, `127.0.0.1` in tests.
    pub public_host: String,
    pub api_key: String,
    /// `0x…` wallet that API-key enrollments belong to (what the wallet listings show them under).
    pub key_owner: String,
    pub init_limit_per_hour: u32,
    /// Shared by `/v1/realface/status` and both wallet listings.
    pub status_limit_per_hour: u32,
    /// Lifetime of each H5 session token.
    pub session_ttl: Duration,
    /// Fetches `image_url` on enroll.
    pub image_client: reqwest::Client,
    /// Where to keep state across restarts; `None` (the default) keeps it in memory only.
    ///
    /// Read at [`RehearsalServer::start`]: a missing file is an empty state; an unreadable or
    /// corrupt one is logged, moved aside to `<name>.corrupt-<unix seconds>` and Rehearsal starts
    /// empty. Rewritten atomically (temporary file in the same directory, then rename) after
    /// every change. Its directory is created if missing.
    pub state_file: Option<PathBuf>,
}

impl std::fmt::Debug for RehearsalConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RehearsalConfig")
            .field("bind", &self.bind)
            .field("public_host", &self.public_host)
            .field("api_key", &"<redacted>")
            .field("key_owner", &self.key_owner)
            .field("init_limit_per_hour", &self.init_limit_per_hour)
            .field("status_limit_per_hour", &self.status_limit_per_hour)
            .field("session_ttl", &self.session_ttl)
            .field("state_file", &self.state_file)
            .finish_non_exhaustive()
    }
}

impl RehearsalConfig {
    /// The doc's defaults: 10 inits and 20 lookups per hour per IP, 120 s sessions, memory only.
    /// `key_owner` is `0x` + the first 40 hex of sha256(api_key), so the same key always owns the
    /// same wallet.
    pub fn new(
        bind: SocketAddr,
        public_host: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Self {
        let api_key = api_key.into();
        RehearsalConfig {
            bind,
            public_host: public_host.into(),
            key_owner: ids::key_owner(&api_key),
            api_key,
            init_limit_per_hour: DEFAULT_INIT_LIMIT_PER_HOUR,
            status_limit_per_hour: DEFAULT_STATUS_LIMIT_PER_HOUR,
            session_ttl: DEFAULT_SESSION_TTL,
            image_client: default_image_client(),
            state_file: None,
        }
    }
}

fn default_image_client() -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("likeness-rehearsal/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// A running Rehearsal. Dropping it stops the server too; [`RehearsalServer::shutdown`] also waits.
pub struct RehearsalServer {
    local_addr: SocketAddr,
    base_url: url::Url,
    service: Arc<Service>,
    stop: CancellationToken,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl std::fmt::Debug for RehearsalServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RehearsalServer")
            .field("local_addr", &self.local_addr)
            .field("key_owner", &self.service.key_owner)
            .finish_non_exhaustive()
    }
}

fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/v1/realface/init", post(api::init))
        .route("/v1/realface/status", get(api::status))
        .route("/v1/realface/enroll", post(api::enroll_realface))
        .route("/v1/portrait/enroll", post(api::enroll_portrait))
        .route("/v1/wallet/{address}/realfaces", get(api::wallet_realfaces))
        .route("/v1/wallet/{address}/portraits", get(api::wallet_portraits))
        .route("/h5", get(h5::page))
        .route("/h5/", get(h5::page))
        .route("/h5/api/session", get(h5::session))
        .route("/h5/api/step", post(h5::step))
        .fallback(api::fallback)
        .with_state(service)
}

impl RehearsalServer {
    /// Binds and serves. With [`RehearsalConfig::state_file`], first restores the saved state
    /// (never failing on it: see the field).
    pub async fn start(config: RehearsalConfig) -> std::io::Result<RehearsalServer> {
        let listener = tokio::net::TcpListener::bind(config.bind).await?;
        let local_addr = listener.local_addr()?;
        let service = Arc::new(Service::new(ServiceSettings {
            public_host: config.public_host,
            port: local_addr.port(),
            api_key: config.api_key,
            key_owner: config.key_owner,
            init_limit_per_hour: config.init_limit_per_hour,
            status_limit_per_hour: config.status_limit_per_hour,
            session_ttl: config.session_ttl,
            image_client: config.image_client,
            state_file: config.state_file,
        }));
        // A wildcard bind is reachable from this machine on loopback.
        let client_ip = match local_addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let base_url = url::Url::parse(&format!(
            "http://{}/",
            SocketAddr::new(client_ip, local_addr.port())
        ))
        .map_err(std::io::Error::other)?;

        let stop = CancellationToken::new();
        let app = router(service.clone());
        let serve = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stop.clone().cancelled_owned());
        let task = tokio::spawn(async move { serve.await });
        tracing::info!(%local_addr, public_host = %service.public_host, key_owner = %service.key_owner, "rehearsal: listening");

        Ok(RehearsalServer {
            local_addr,
            base_url,
            service,
            stop,
            task: Some(task),
        })
    }

    /// `http://<ip>:<port>/`; API paths are `/v1/...` under it.
    pub fn base_url(&self) -> url::Url {
        self.base_url.clone()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn key_owner(&self) -> &str {
        &self.service.key_owner
    }

    /// Plays the phone for `group_id`'s current H5 session (camera, nod, blink) through the same
    /// code as `POST /h5/api/step`. `Ok` if the group is, or becomes, active; `Err` with the
    /// phone's message otherwise (unknown group, "Session expired", …).
    pub async fn complete_liveness(&self, group_id: &str) -> Result<(), String> {
        self.service.complete_liveness(group_id)
    }

    /// Stops accepting connections and waits (up to 10 s) for in-flight requests to finish.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        if let Some(mut task) = self.task.take() {
            match tokio::time::timeout(Duration::from_secs(10), &mut task).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => tracing::warn!(error = %e, "rehearsal: server error at shutdown"),
                Ok(Err(e)) => tracing::warn!(error = %e, "rehearsal: server task failed"),
                Err(_) => {
                    tracing::warn!("rehearsal: connections still open after 10 s; aborting");
                    task.abort();
                }
            }
        }
        tracing::info!(local_addr = %self.local_addr, "rehearsal: stopped");
    }
}

impl Drop for RehearsalServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
