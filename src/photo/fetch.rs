//! Downloading the photo (and, through [`crate::media`], a video or audio file): https only,
//! the provider's size cap, a connect and a total timeout, few redirects, and a body that must
//! be as long as the server said.

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

/// What is being downloaded: its cap, its time, and the words its errors use. The photo's
/// come from [`Download::photo`]; the media check builds its own.
pub(crate) struct Download {
    /// The input the errors point at: "image_url", "url".
    pub field: &'static str,
    /// What the file is called in messages: "photo", "video", "audio file".
    pub what: &'static str,
    /// The largest body accepted (inclusive): one byte more and the download stops.
    pub max_bytes: u64,
    /// The whole download, connect to last byte.
    pub timeout: Duration,
    /// What follows "is larger than" when the file is too big: "the 10 MB BlockRun accepts".
    pub cap: String,
    /// The advice after that: "Use a smaller JPG, PNG or WEBP photo."
    pub advice: String,
}

impl Download {
    pub(crate) fn photo(limits: &PhotoLimits) -> Self {
        Download {
            field: "image_url",
            what: "photo",
            max_bytes: limits.max_bytes,
            timeout: limits.fetch_timeout,
            cap: format!("the {} {} accepts", limits.max_size_text(), limits.provider),
            advice: format!("Use a smaller {} photo.", limits.formats_text()),
        }
    }

    fn unreachable(&self, detail: impl std::fmt::Display) -> Error {
        Error::invalid(
            self.field,
            format!(
                "The {} could not be downloaded ({detail}). Check the link opens in a browser, then try again.",
                self.what
            ),
        )
    }
}

pub(crate) async fn fetch(
    http: &reqwest::Client,
    url: &url::Url,
    download: &Download,
    progress: Option<&(dyn Fn(FetchProgress) + Send + Sync)>,
) -> Result<Vec<u8>> {
    let d = download;
    let secs = d.timeout.as_secs();
    let deadline = tokio::time::Instant::now() + d.timeout;
    let response = tokio::time::timeout_at(deadline, http.get(url.clone()).send())
        .await
        .map_err(|_| d.unreachable(format!("no answer in {secs} seconds")))?
        .map_err(|e| transport_error(d, &e))?;
    // A client without our redirect policy may have followed one to plain http.
    if response.url().scheme() != "https" {
        return Err(insecure_redirect(d));
    }
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Err(Error::invalid(
            d.field,
            format!(
                "The {what} link leads to a 'not found' page (404). Copy the link again from the page that shows the {what}.",
                what = d.what
            ),
        ));
    }
    if !status.is_success() {
        return Err(d.unreachable(format!("the server answered {status}")));
    }
    let expected = response.content_length();
    if expected.is_some_and(|n| n > d.max_bytes) {
        return Err(too_big(d, expected));
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
            .map_err(|_| d.unreachable(format!("the download took longer than {secs} seconds")))?;
        match next {
            None => break,
            Some(Err(e)) => {
                return Err(match expected {
                    Some(n) if (body.len() as u64) < n => cut_short(d, body.len(), n),
                    _ => transport_error(d, &e),
                })
            }
            Some(Ok(chunk)) => {
                if body.len() as u64 + chunk.len() as u64 > d.max_bytes {
                    return Err(too_big(d, None));
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
        return Err(cut_short(d, body.len(), n));
    }
    if reported != body.len() {
        report(body.len());
    }
    Ok(body)
}

fn transport_error(d: &Download, e: &reqwest::Error) -> Error {
    // The cause chain says what went wrong: our redirect policy, or TLS trust.
    let mut cause: Option<&dyn std::error::Error> = Some(e);
    while let Some(c) = cause {
        match c.downcast_ref::<RedirectRefused>() {
            Some(RedirectRefused::TooMany) => return too_many_redirects(d),
            Some(RedirectRefused::NotHttps) => return insecure_redirect(d),
            None => {}
        }
        if c.to_string().to_ascii_lowercase().contains("certificate") {
            return d.unreachable("the site's security certificate is not trusted");
        }
        cause = c.source();
    }
    if e.is_redirect() {
        too_many_redirects(d)
    } else if e.is_timeout() {
        d.unreachable("no answer in time")
    } else if e.is_connect() {
        d.unreachable("the server could not be reached")
    } else {
        d.unreachable("the connection failed")
    }
}

fn too_many_redirects(d: &Download) -> Error {
    Error::invalid(
        d.field,
        format!(
            "The {what} link forwards to another address more than {MAX_REDIRECTS} times. Open it in a browser and copy the final address of the {what} itself.",
            what = d.what
        ),
    )
}

fn insecure_redirect(d: &Download) -> Error {
    Error::invalid(
        d.field,
        format!(
            "The {} link forwards to a plain http:// address, which providers refuse. Use a link that stays on https://.",
            d.what
        ),
    )
}

fn cut_short(d: &Download, got: usize, expected: u64) -> Error {
    Error::invalid(
        d.field,
        format!(
            "The download was cut short: the server sent {got} of the {expected} bytes it announced, so the {what} is incomplete. Try again, or use another copy of the {what}.",
            what = d.what
        ),
    )
}

fn too_big(d: &Download, len: Option<u64>) -> Error {
    let size = len
        .map(|n| {
            format!(
                " (this one is {})",
                super::limits::size_over_cap(n, d.max_bytes)
            )
        })
        .unwrap_or_default();
    Error::invalid(
        d.field,
        format!(
            "The {} is larger than {}{size}. {}",
            d.what, d.cap, d.advice
        ),
    )
}
