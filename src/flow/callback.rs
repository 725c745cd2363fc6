//! The LAN callback receiver: where BytePlus sends the talent's phone when the H5 check ends
//! (`CallbackURL` / `callback_url`, with `bytedToken`, `resultCode`, `algorithmBaseRespCode`
//! and `verify_type`). A passing code is the one moment the result is read on its own (the
//! BytedToken works once); it tells the talent to hand the phone back. A phone off the studio
//! network never arrives here: the operator's "Talent finished — check now" reads it then.
//! A provider that drops the `session` query still sends `bytedToken`, which finds the session.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Weak};

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use tokio_util::sync::CancellationToken;

use super::Studio;

/// The path the phone is sent to; the session id rides in the query.
pub const PATH: &str = "/liveness/done";

pub struct CallbackServer {
    local_addr: SocketAddr,
    base: url::Url,
    stop: CancellationToken,
}

impl std::fmt::Debug for CallbackServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackServer")
            .field("local_addr", &self.local_addr)
            .finish()
    }
}

impl CallbackServer {
    /// Binds `bind` and serves until [`Self::stop`]. `public_host` is how phones reach this
    /// machine (its LAN address).
    pub(super) async fn start(
        studio: Weak<Studio>,
        bind: SocketAddr,
        public_host: &str,
    ) -> std::io::Result<CallbackServer> {
        let listener = bind_retrying(bind).await?;
        let local_addr = listener.local_addr()?;
        let base = receiver_base(public_host, local_addr.port()).map_err(std::io::Error::other)?;
        let stop = CancellationToken::new();
        let app = Router::new()
            .route(PATH, get(done))
            .with_state(Arc::new(studio));
        let serve =
            axum::serve(listener, app).with_graceful_shutdown(stop.clone().cancelled_owned());
        tokio::spawn(async move {
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "callback receiver stopped with an error");
            }
        });
        tracing::info!(%local_addr, %base, "LAN callback receiver listening");
        Ok(CallbackServer {
            local_addr,
            base,
            stop,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The callback address for one session.
    pub fn url_for(&self, session_id: &str) -> String {
        session_url(&self.base, session_id)
    }

    pub fn stop(&self) {
        self.stop.cancel();
    }
}

/// Where a receiver on `public_host:port` takes phones: the one address form that sessions
/// carry, whether the receiver runs in this process or in the desk's app.
pub fn receiver_base(public_host: &str, port: u16) -> Result<url::Url, url::ParseError> {
    let host = if public_host.contains(':') && !public_host.starts_with('[') {
        format!("[{public_host}]")
    } else {
        public_host.to_string()
    };
    url::Url::parse(&format!("http://{host}:{port}{PATH}"))
}

/// `base` with the session's id in the query.
pub fn session_url(base: &url::Url, session_id: &str) -> String {
    let mut url = base.clone();
    url.query_pairs_mut().append_pair("session", session_id);
    url.to_string()
}

impl Drop for CallbackServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// The port may still be held for a moment by the receiver of a provider switch just made, so a
/// busy port is tried again briefly before another is taken: sessions already out carry the
/// old address.
async fn bind_retrying(bind: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    for _ in 0..20 {
        match tokio::net::TcpListener::bind(bind).await {
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            other => return other,
        }
    }
    tracing::warn!(port = bind.port(), "callback port busy; using a free one");
    let mut any = bind;
    any.set_port(0);
    tokio::net::TcpListener::bind(any).await
}

async fn done(
    State(studio): State<Arc<Weak<Studio>>>,
    Query(q): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    let session = q.get("session").cloned().unwrap_or_default();
    let code = q.get("resultCode").map(String::as_str);
    let token = q.get("bytedToken").map(String::as_str);
    let verdict = super::studio_assets::PhoneVerdict {
        result_code: code,
        sub_code: q.get("algorithmBaseRespCode").map(String::as_str),
        verify_type: q.get("verify_type").map(String::as_str),
    };
    let outcome = match studio.upgrade() {
        Some(studio) => studio.on_callback(&session, token, verdict).await,
        None => Err(crate::error::Error::Internal(
            "the studio has stopped".into(),
        )),
    };
    let (title, line) = match (&outcome, code == Some(super::studio_assets::PASSED)) {
        (Ok(_), true) => (
            "Done",
            "Thank you. The check is complete: please hand the phone back.",
        ),
        (Ok(_), false) => (
            "Not quite",
            "The check did not pass. Please hand the phone back; the operator will show a fresh code.",
        ),
        (Err(e), _) => {
            tracing::warn!(session = %session, error = %e, "callback not matched to a session");
            (
                "Hand the phone back",
                "Please hand the phone back to the operator.",
            )
        }
    };
    (
        [(header::CACHE_CONTROL, "no-store")],
        Html(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{title}</title>\
             <style>body{{font:20px/1.4 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f4f1ea;color:#1d1b16}}main{{max-width:22rem;padding:2rem;text-align:center}}h1{{font-size:2rem;margin:0 0 .5rem}}</style></head>\
             <body><main><h1 id=\"title\">{title}</h1><p id=\"line\">{line}</p></main></body></html>"
        )),
    )
}
