//! Downloading the photo: https only, the provider's size cap, a connect and a total timeout,
//! few redirects, and a body that must be as long as the server said.

use std::time::Duration;

use futures_util::StreamExt;
use serde::Serialize;

use super::PhotoLimits;
use crate::error::{Error, Result};
use crate::http::{TrustRoots, USER_AGENT};

pub const MAX_REDIRECTS: usize = 3;
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Progress is reported at most this often (in bytes), plus once at the start and the end.
const PROGRESS_STEP: usize = 128 * 1024;

/// How far a download has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct FetchProgress {
    pub received_bytes: u32,
    /// From the server's Content-Length, when it sent one.
    pub total_bytes: Option<u32>,
}

#[derive(Debug)]
enum RedirectRefused {
    TooMany,
    NotHttps,
}

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedirectRefused::TooMany => write!(f, "more than {MAX_REDIRECTS} redirects"),
            RedirectRefused::NotHttps => write!(f, "a redirect away from https"),
        }
    }
}

impl std::error::Error for RedirectRefused {}

/// The client for photo downloads: at most [`MAX_REDIRECTS`] redirects, each to https, and a
/// connect timeout. `roots` adds certificate authorities (tests); production passes none.
pub fn client(roots: &TrustRoots) -> Result<reqwest::Client> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(RedirectRefused::TooMany)
        } else if attempt.url().scheme() != "https" {
            attempt.error(RedirectRefused::NotHttps)
        } else {
            attempt.follow()
        }
    });
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .user_agent(USER_AGENT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(policy);
    for der in &roots.0 {
        let cert = reqwest::Certificate::from_der(der)
            .map_err(|e| Error::Internal(format!("bad trusted certificate: {e}")))?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build()
        .map_err(|e| Error::Internal(format!("could not build the HTTP client: {e}")))
}

fn unreachable(detail: impl std::fmt::Display) -> Error {
    Error::invalid(
        "image_url",
        format!("The photo could not be downloaded ({detail}). Check the link opens in a browser, then try again."),
    )
}

pub(super) async fn fetch(
    http: &reqwest::Client,
    url: &url::Url,
    limits: &PhotoLimits,
    progress: Option<&(dyn Fn(FetchProgress) + Send + Sync)>,
) -> Result<Vec<u8>> {
    let secs = limits.fetch_timeout.as_secs();
    let deadline = tokio::time::Instant::now() + limits.fetch_timeout;
    let response = tokio::time::timeout_at(deadline, http.get(url.clone()).send())
        .await
        .map_err(|_| unreachable(format!("no answer in {secs} seconds")))?
        .map_err(|e| transport_error(&e))?;
    // A client without our redirect policy may have followed one to plain http.
    if response.url().scheme() != "https" {
        return Err(insecure_redirect());
    }
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Err(Error::invalid(
            "image_url",
            "The photo link leads to a 'not found' page (404). Copy the link again from the page that shows the photo.",
        ));
    }
    if !status.is_success() {
        return Err(unreachable(format!("the server answered {status}")));
    }
    let expected = response.content_length();
    if expected.is_some_and(|n| n > limits.max_bytes) {
        return Err(too_big(limits, expected));
    }
    let report = |received: usize| {
        if let Some(p) = progress {
            p(FetchProgress {
                received_bytes: received as u32,
                total_bytes: expected.map(|n| n as u32),
            });
        }
    };
    report(0);
    let mut body = Vec::with_capacity(expected.unwrap_or(0) as usize);
    let mut reported = 0;
    let mut stream = response.bytes_stream();
    loop {
        let next = tokio::time::timeout_at(deadline, stream.next())
            .await
            .map_err(|_| unreachable(format!("the download took longer than {secs} seconds")))?;
        match next {
            None => break,
            Some(Err(e)) => {
                return Err(match expected {
                    Some(n) if (body.len() as u64) < n => cut_short(body.len(), n),
                    _ => transport_error(&e),
                })
            }
            Some(Ok(chunk)) => {
                if body.len() as u64 + chunk.len() as u64 > limits.max_bytes {
                    return Err(too_big(limits, None));
                }
                body.extend_from_slice(&chunk);
                if body.len() - reported >= PROGRESS_STEP {
                    reported = body.len();
                    report(reported);
                }
            }
        }
    }
    if let Some(n) = expected.filter(|&n| (body.len() as u64) < n) {
        return Err(cut_short(body.len(), n));
    }
    if reported != body.len() {
        report(body.len());
    }
    Ok(body)
}

fn transport_error(e: &reqwest::Error) -> Error {
    // The cause chain says what went wrong: our redirect policy, or TLS trust.
    let mut cause: Option<&dyn std::error::Error> = Some(e);
    while let Some(c) = cause {
        match c.downcast_ref::<RedirectRefused>() {
            Some(RedirectRefused::TooMany) => return too_many_redirects(),
            Some(RedirectRefused::NotHttps) => return insecure_redirect(),
            None => {}
        }
        if c.to_string().to_ascii_lowercase().contains("certificate") {
            return unreachable("the site's security certificate is not trusted");
        }
        cause = c.source();
    }
    if e.is_redirect() {
        too_many_redirects()
    } else if e.is_timeout() {
        unreachable("no answer in time")
    } else if e.is_connect() {
        unreachable("the server could not be reached")
    } else {
        unreachable("the connection failed")
    }
}

fn too_many_redirects() -> Error {
    Error::invalid(
        "image_url",
        format!("The photo link forwards to another address more than {MAX_REDIRECTS} times. Open it in a browser and copy the final address of the photo itself."),
    )
}

fn insecure_redirect() -> Error {
    Error::invalid(
        "image_url",
        "The photo link forwards to a plain http:// address, which providers refuse. Use a link that stays on https://.",
    )
}

fn cut_short(got: usize, expected: u64) -> Error {
    Error::invalid(
        "image_url",
        format!(
            "The download was cut short: the server sent {got} of the {expected} bytes it announced, so the photo is incomplete. Try again, or use another copy of the photo."
        ),
    )
}

fn too_big(limits: &PhotoLimits, len: Option<u64>) -> Error {
    let size = len
        .map(|n| format!(" (this one is {:.1} MB)", n as f64 / 1e6))
        .unwrap_or_default();
    Error::invalid(
        "image_url",
        format!(
            "The photo is larger than the {} {} accepts{size}. Use a smaller {} photo.",
            limits.max_size_text(),
            limits.provider,
            limits.formats_text()
        ),
    )
}
