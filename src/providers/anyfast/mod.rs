//! Anyfast: BytePlus LivenessFace through `https://www.anyfast.ai/volc/asset/…` (seeds 002/003,
//! research §3). `Authorization: Bearer` with a key from the **Byteplus-Direct** group.
//!
//! Bodies are flat (no envelope) but are read through [`byteplus::payload`], so a proxy that
//! passes upstream's `Result` through still works. Errors come in new-api's
//! `{"error":{"code","message"}}` or upstream's `ResponseMetadata.Error`; the doc's
//! troubleshooting table becomes the guidance below.

use reqwest::Method;
use serde_json::{json, Value};

use super::byteplus::client::{Dialect, Request};
use super::byteplus::wire::AssetPage;
use super::byteplus::{self, AssetUpload, RemoteAsset};
use super::endpoint::{Answer, Endpoint, KeyHeader};
use super::ProviderKind;
use crate::error::{Error, ProviderReason, Result};
use crate::media::AssetType;
use crate::secrets::Secret;

/// Its Seedance video jobs (`crate::video` chooses the wire module by the API in play).
pub(crate) mod video;

pub const BASE_URL: &str = "https://www.anyfast.ai";
/// The H5 link's documented lifetime (upstream; Anyfast does not restate it).
pub const LINK_SECONDS: u64 = 120;
/// ListAssets pages hold at most 100.
const PAGE_SIZE: u64 = 100;
/// A library larger than this many pages is cut short rather than walked forever.
const MAX_PAGES: u64 = 100;

/// Anyfast's dialect of BytePlus: `POST volc/asset/<Action>` with PascalCase bodies, flat answers.
#[derive(Clone, Debug)]
pub struct Anyfast;

pub type Client = byteplus::Client<Anyfast>;

/// The `model` CreateAsset wants for each type.
fn model_for(t: AssetType) -> &'static str {
    match t {
        AssetType::Image => "volc-asset",
        AssetType::Video => "volc-asset-video",
        AssetType::Audio => "volc-asset-audio",
    }
}

fn post(action: &str, body: Value) -> Request {
    Request {
        method: Method::POST,
        path: format!("volc/asset/{action}"),
        body: Some(body),
    }
}

impl Dialect for Anyfast {
    const KEY_HINT: &'static str =
        "add an Anyfast API key from the Byteplus-Direct group in Settings.";
    const LINK_SECONDS: u64 = LINK_SECONDS;

    fn session(&self, callback_url: Option<&str>) -> Request {
        let body = match callback_url {
            Some(c) => json!({ "CallbackURL": c }),
            None => json!({}),
        };
        post("CreateVisualValidateSession", body)
    }

    fn result(&self, token: &str) -> Request {
        post("GetVisualValidateResult", json!({ "BytedToken": token }))
    }

    fn upload(&self, upload: &AssetUpload<'_>) -> Request {
        post(
            "CreateAsset",
            json!({
                "model": model_for(upload.asset_type),
                "GroupId": upload.group_id,
                "Name": upload.name,
                "AssetType": upload.asset_type.label(),
                "URL": upload.url,
            }),
        )
    }

    fn asset(&self, asset_id: &str) -> Request {
        post("GetAsset", json!({ "Id": asset_id }))
    }

    /// The answer's fields (flat, or inside upstream's `Result` when a proxy passes BytePlus's
    /// own answer through); an upstream error inside an HTTP 200 is a refusal too.
    fn open(&self, endpoint: &Endpoint, answer: &Answer) -> Result<Value> {
        let v: Option<Value> = serde_json::from_str(&answer.text).ok();
        if answer.status.is_success() {
            let v = v.ok_or_else(|| endpoint.undecodable(&answer.text))?;
            if let Some((code, message)) = byteplus::upstream_error(&v) {
                return Err(refusal(
                    endpoint,
                    answer.status.as_u16(),
                    &code,
                    &message,
                    answer,
                ));
            }
            return Ok(byteplus::payload(&v).clone());
        }
        let (code, message) = v.as_ref().map(byteplus::error_parts).unwrap_or_default();
        Err(refusal(
            endpoint,
            answer.status.as_u16(),
            &code,
            &message,
            answer,
        ))
    }

    /// Upstream's `ValidateNotReady`, in a 200 or an error status.
    fn not_ready(&self, answer: &Answer) -> bool {
        let Ok(v) = serde_json::from_str::<Value>(&answer.text) else {
            return false;
        };
        let (code, message) = if answer.status.is_success() {
            byteplus::upstream_error(&v).unwrap_or_default()
        } else {
            byteplus::error_parts(&v)
        };
        byteplus::says_not_ready(&code, &message)
    }
}

impl Client {
    pub fn new(
        kind: ProviderKind,
        base: url::Url,
        http: reqwest::Client,
        api_key: Option<Secret>,
    ) -> Self {
        Client::with_dialect(
            Endpoint::new(kind, base, http, api_key, KeyHeader::Bearer),
            Anyfast,
        )
    }

    /// Every LivenessFace asset this key holds, page by page (free calls per the doc).
    pub(crate) async fn list_assets(&self) -> Result<Vec<RemoteAsset>> {
        let mut out = Vec::new();
        for page in 1..=MAX_PAGES {
            let body = json!({
                "model": "volc-asset",
                "PageNumber": page,
                "PageSize": PAGE_SIZE,
                "Filter": { "GroupType": "LivenessFace" },
            });
            let v = self.call(post("ListAssets", body)).await?;
            let page: AssetPage = self.typed(&v)?;
            let empty = page.items.is_empty();
            for item in page.items {
                out.push(
                    item.into_remote()
                        .map_err(|why| self.unreadable(&why, &v))?,
                );
            }
            if empty || out.len() as u64 >= page.total_count {
                break;
            }
        }
        Ok(out)
    }

    /// An asset of `group_id` uploaded under exactly `name` that has not failed: how a studio
    /// that lost an upload's answer finds out whether it went through before paying again.
    pub(crate) async fn find_in_group(
        &self,
        group_id: &str,
        name: &str,
    ) -> Result<Option<RemoteAsset>> {
        let body = json!({
            "model": "volc-asset",
            "PageNumber": 1,
            "PageSize": PAGE_SIZE,
            "Filter": { "GroupIds": [group_id], "Name": name },
        });
        let v = self.call(post("ListAssets", body)).await?;
        let page: AssetPage = self.typed(&v)?;
        for item in page.items {
            let a = item
                .into_remote()
                .map_err(|why| self.unreadable(&why, &v))?;
            if a.name == name && a.status != byteplus::AssetStatus::Failed {
                return Ok(Some(a));
            }
        }
        Ok(None)
    }
}

/// The seed's troubleshooting table first, then the HTTP status.
fn refusal(endpoint: &Endpoint, status: u16, code: &str, message: &str, answer: &Answer) -> Error {
    let p = endpoint.kind;
    let said = if message.is_empty() {
        String::new()
    } else {
        // Quoted, never at any length: a hostile answer cannot fill the screen.
        format!(" (Anyfast said: {})", super::endpoint::truncate(message))
    };
    let lower = message.to_ascii_lowercase();
    let (reason, text) = if message.contains("GroupType must be one of") {
        (
            ProviderReason::Unauthorized,
            format!("This Anyfast key belongs to the regular AIGC group, which cannot run real-person checks. Create a key in the Byteplus-Direct group on anyfast.ai and paste it in Settings.{said}"),
        )
    } else if lower.contains("asset group") && lower.contains("not found") {
        (
            ProviderReason::NotFound,
            format!("This talent's group was made with a different Anyfast key (groups belong to the key that created them). Switch back to that key, or verify the talent again with this one.{said}"),
        )
    } else if code.starts_with("InvalidParameter.BytedToken")
        || (lower.contains("bytedtoken") && (lower.contains("used") || lower.contains("invalid")))
    {
        (
            ProviderReason::SessionExpired,
            format!("This phone check can no longer be read (its token works once and lasts 30 minutes). Generate a fresh QR and have the talent scan it again.{said}"),
        )
    } else if lower.contains("callbackurl") {
        (
            ProviderReason::BadRequest,
            format!("Anyfast would not take the callback address for the phone check.{said}"),
        )
    } else if lower.contains("facemismatch") || code == "FaceMismatch" {
        (
            ProviderReason::FaceMismatch,
            format!("The face does not match the person verified on the phone. Upload a clearer, front-facing file of the same person.{said}"),
        )
    } else {
        match status {
                429 => {
                    return Error::RateLimited {
                        provider: p,
                        retry_after_seconds: answer.retry_after_seconds(),
                    }
                }
                401 | 403 => (
                    ProviderReason::Unauthorized,
                    format!("Anyfast refused the API key. Check the key in Settings; it must come from the Byteplus-Direct group.{said}"),
                ),
                402 => (
                    ProviderReason::Other,
                    format!("Anyfast says the account is out of credit. Nothing was uploaded. Top it up on anyfast.ai, then try again.{said}"),
                ),
                404 => (
                    ProviderReason::NotFound,
                    format!("Anyfast does not know this id. Check it, or sync the library.{said}"),
                ),
                400 | 422 => (
                    ProviderReason::BadRequest,
                    format!("Anyfast refused the request{said}. Fix what it names and try again."),
                ),
                500..=599 => (
                    ProviderReason::UpstreamFailed,
                    format!("Anyfast or BytePlus failed ({status}). Try again in a moment.{said}"),
                ),
                _ => (
                    ProviderReason::Other,
                    format!("Anyfast answered {status}{said}. Try again in a moment."),
                ),
            }
    };
    Error::Provider {
        provider: p,
        status,
        reason,
        message: text,
    }
}
