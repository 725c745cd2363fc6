//! Crun: BytePlus (Volcengine) visual validation through
//! `https://api.crun.ai/api/v1/client/job/…` (seed 004, research §4), header `x-api-key`.
//!
//! Every answer is an envelope `{"code","message","data"}`, and **an HTTP 200 whose body `code`
//! is not 200 is an error**: Crun reports 401, 402, 422, 455, 505… that way as often as with
//! the HTTP status. Both are read the same.

use reqwest::Method;
use serde_json::{json, Value};

use super::blockrun::query_value;
use super::byteplus::client::{Dialect, Request};
use super::byteplus::{self, AssetUpload};
use super::endpoint::{Answer, Endpoint, KeyHeader};
use super::ProviderKind;
use crate::error::{Error, ProviderReason, Result};
use crate::secrets::Secret;

/// Its Seedance video jobs (`crate::video` chooses the wire module by the API in play).
pub(crate) mod video;

pub const BASE_URL: &str = "https://api.crun.ai/api/v1/client/job";
/// "The H5 validation link is valid for 120 seconds."
pub const LINK_SECONDS: u64 = 120;
/// The H5 page's languages, as Crun documents them for `lng`.
pub const LANGUAGES: [&str; 3] = ["en", "zh", "zh-Hant"];

/// Crun's dialect of BytePlus: snake_case bodies under `/api/v1/client/job/`, answers in the
/// `{code, message, data}` envelope, and the phone page in the studio's language.
#[derive(Clone, Debug)]
pub struct Crun {
    /// The H5 page's language (`lng`); Crun defaults to Chinese, studios here mostly need English.
    language: String,
}

pub type Client = byteplus::Client<Crun>;

impl Client {
    pub fn new(
        kind: ProviderKind,
        base: url::Url,
        http: reqwest::Client,
        api_key: Option<Secret>,
        language: Option<String>,
    ) -> Self {
        let language = language
            .filter(|l| LANGUAGES.contains(&l.as_str()))
            .unwrap_or_else(|| "en".into());
        Client::with_dialect(
            Endpoint::new(kind, base, http, api_key, KeyHeader::XApiKey),
            Crun { language },
        )
    }
}

impl Dialect for Crun {
    const KEY_HINT: &'static str = "add the Crun API key in Settings.";
    const LINK_SECONDS: u64 = LINK_SECONDS;

    fn session(&self, callback_url: Option<&str>) -> Request {
        let body = match callback_url {
            Some(c) => json!({ "callback_url": c }),
            None => json!({}),
        };
        Request {
            method: Method::POST,
            path: "visual-validate-session".into(),
            body: Some(body),
        }
    }

    fn result(&self, token: &str) -> Request {
        Request {
            method: Method::GET,
            path: format!("visual-validate-result?byted_token={}", query_value(token)),
            body: None,
        }
    }

    fn upload(&self, upload: &AssetUpload<'_>) -> Request {
        Request {
            method: Method::POST,
            path: "asset-upload".into(),
            body: Some(json!({
                "name": upload.name,
                "asset_type": upload.asset_type.label(),
                "asset_url": upload.url,
                "group_id": upload.group_id,
            })),
        }
    }

    fn asset(&self, asset_id: &str) -> Request {
        Request {
            method: Method::GET,
            path: format!("asset-info?asset_id={}", query_value(asset_id)),
            body: None,
        }
    }

    /// `data` of a successful envelope, or the refusal in words (see [`open_envelope`]).
    fn open(&self, endpoint: &Endpoint, answer: &Answer) -> Result<Value> {
        open_envelope(endpoint, answer)?
            .map_err(|refused| refusal(endpoint, refused.code, refused.body.as_ref(), answer))
    }

    /// A refusal whose words say the check is not finished (Crun documents none; a proxy of
    /// upstream may pass `ValidateNotReady` through).
    fn not_ready(&self, answer: &Answer) -> bool {
        let body: Option<Value> = serde_json::from_str(&answer.text).ok();
        let (message, fields) = what_crun_said(body.as_ref());
        byteplus::says_not_ready("", message)
            || fields.iter().any(|(_, m)| byteplus::says_not_ready("", m))
    }

    fn link(&self, h5_link: &str) -> String {
        with_language(&byteplus::clean_link(h5_link), &self.language)
    }
}

/// Seed 004's code list, in words.
fn refusal(endpoint: &Endpoint, code: u16, body: Option<&Value>, answer: &Answer) -> Error {
    let p = endpoint.kind;
    let (message, fields) = what_crun_said(body);
    let fields: Vec<String> = fields
        .iter()
        .map(|(f, m)| format!("{}: {m}", field_words(f)))
        .collect();
    let said = match (message.is_empty(), fields.is_empty()) {
        (true, true) => String::new(),
        // Quoted, never at any length: a hostile answer cannot fill the screen.
        (false, true) => format!(" (Crun said: {})", super::endpoint::truncate(message)),
        (_, false) => format!(
            " (Crun said: {})",
            super::endpoint::truncate(&fields.join("; "))
        ),
    };
    let lower = message.to_ascii_lowercase();
    let (reason, text) = match code {
        429 => {
            return Error::RateLimited {
                provider: p,
                retry_after_seconds: answer.retry_after_seconds(),
            }
        }
        _ if lower.contains("asset group") && lower.contains("not found") => (
            ProviderReason::NotFound,
            format!("This talent's group was made with a different Crun key (groups belong to the account that created them). Switch back to that key, or verify the talent again.{said}"),
        ),
        _ if lower.contains("callback_url") || fields.iter().any(|f| f.starts_with("callback address")) => (
            ProviderReason::BadRequest,
            format!("Crun would not take the callback address for the phone check.{said}"),
        ),
        _ if lower.contains("byted_token") || lower.contains("bytedtoken") => (
            ProviderReason::SessionExpired,
            format!("This phone check can no longer be read (its token works once). Generate a fresh QR and have the talent scan it again.{said}"),
        ),
        401 | 403 => (
            ProviderReason::Unauthorized,
            format!("Crun refused the API key. Check the key in Settings.{said}"),
        ),
        402 => (
            ProviderReason::Other,
            format!("Crun says the account does not have enough credits. Nothing was uploaded. Top up at crun.ai, then try again.{said}"),
        ),
        404 => (
            ProviderReason::NotFound,
            format!("Crun does not know this id. Check it and try again.{said}"),
        ),
        422 | 400 => (
            ProviderReason::BadRequest,
            format!("Crun refused the request{said}. Fix what it names and try again."),
        ),
        455 => (
            ProviderReason::UpstreamFailed,
            format!("Crun is down for maintenance. Nothing was done; try again later.{said}"),
        ),
        501 => (
            ProviderReason::UpstreamFailed,
            format!("Crun's processing failed. Try again, or try another file.{said}"),
        ),
        505 => (
            ProviderReason::Other,
            format!("Crun has this feature switched off for the account. Ask Crun support to enable real-person assets.{said}"),
        ),
        500..=599 => (
            ProviderReason::UpstreamFailed,
            format!("Crun had a server error ({code}). Try again in a moment.{said}"),
        ),
        other => (
            ProviderReason::Other,
            format!("Crun answered {other}{said}. Try again in a moment."),
        ),
    };
    Error::Provider {
        provider: p,
        status: code,
        reason,
        message: text,
    }
}

/// A Crun answer that is not a success: the code that counts, and the body to quote.
pub(crate) struct Refused {
    pub code: u16,
    pub body: Option<Value>,
}

/// Opens Crun's `{code, message, data}` envelope: `data` when both the HTTP status and the
/// body's `code` say success. **The body's `code` wins over the HTTP status**: a 200 with
/// `{"code":402}` is out of credit; a body that says 200 on an HTTP failure takes the HTTP
/// status. The outer error is only for a success whose body cannot be read. Shared by the asset
/// and the video clients, which word refusals about their own calls.
pub(crate) fn open_envelope(
    endpoint: &Endpoint,
    answer: &Answer,
) -> Result<std::result::Result<Value, Refused>> {
    let body: Option<Value> = serde_json::from_str(&answer.text).ok();
    let body_code = body.as_ref().and_then(|v| v.get("code")).and_then(|c| {
        c.as_u64()
            .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
    });
    let code = match (body_code, answer.status.is_success()) {
        (Some(200) | None, true) => {
            let v = body.ok_or_else(|| endpoint.undecodable(&answer.text))?;
            return Ok(Ok(v.get("data").cloned().unwrap_or(Value::Null)));
        }
        (Some(200) | None, false) => answer.status.as_u16(),
        (Some(c), _) => c as u16,
    };
    Ok(Err(Refused { code, body }))
}

/// Crun's `message` and its `errors[]` as `(field, message)` pairs, from a refusal's body.
pub(crate) fn what_crun_said(body: Option<&Value>) -> (&str, Vec<(&str, &str)>) {
    let message = body
        .and_then(|b| b.get("message").or(b.get("msg")))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let fields = body
        .and_then(|b| b.get("errors"))
        .and_then(Value::as_array)
        .map(|errs| {
            errs.iter()
                .filter_map(|e| {
                    let f = e.get("field").and_then(Value::as_str)?;
                    let m = e
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("invalid");
                    Some((f, m))
                })
                .collect()
        })
        .unwrap_or_default();
    (message, fields)
}

/// The operator's words for Crun's field names.
fn field_words(f: &str) -> &str {
    match f {
        "asset_url" => "file link",
        "asset_type" => "asset type",
        "group_id" => "talent's group",
        "byted_token" => "phone check token",
        "callback_url" => "callback address",
        other => other,
    }
}

/// The link with `lng` set to `language`, replacing Crun's default `zh`. The rest of the query
/// is kept byte for byte: BytePlus links carry signed tokens a re-encoding could break.
pub fn with_language(link: &str, language: &str) -> String {
    let (head, fragment) = match link.split_once('#') {
        Some((h, f)) => (h, Some(f)),
        None => (link, None),
    };
    let (path, query) = head.split_once('?').unwrap_or((head, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && *p != "lng" && !p.starts_with("lng="))
        .collect();
    let lng = format!("lng={language}");
    pairs.push(&lng);
    let mut out = format!("{path}?{}", pairs.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_language_replaces_crun_default() {
        assert_eq!(
            with_language(
                "https://visual.volcengine.com/validate?a=1&bytedToken=T&lng=zh",
                "en"
            ),
            "https://visual.volcengine.com/validate?a=1&bytedToken=T&lng=en"
        );
        assert_eq!(
            with_language("https://x/validate?bytedToken=T", "zh-Hant"),
            "https://x/validate?bytedToken=T&lng=zh-Hant"
        );
    }
}
