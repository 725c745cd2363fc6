//! Anyfast: BytePlus LivenessFace through `https://www.anyfast.ai/volc/asset/…` (seeds 002/003,
//! research §3). `Authorization: Bearer` with a key from the **Byteplus-Direct** group.
//!
//! Bodies are flat (no envelope) but are read through [`byteplus::payload`], so a proxy that
//! passes upstream's `Result` through still works. Errors come in new-api's
//! `{"error":{"code","message"}}` or upstream's `ResponseMetadata.Error`; the doc's
//! troubleshooting table becomes the guidance below.

use reqwest::Method;
use serde_json::{json, Value};

use super::byteplus::{self, AssetUpload, RemoteAsset};
use super::endpoint::{Answer, Endpoint, KeyHeader};
use super::{LivenessCheck, LivenessLink, LivenessStatus, ProviderKind};
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

#[derive(Clone, Debug)]
pub struct Client {
    endpoint: Endpoint,
}

/// The `model` CreateAsset wants for each type.
fn model_for(t: AssetType) -> &'static str {
    match t {
        AssetType::Image => "volc-asset",
        AssetType::Video => "volc-asset-video",
        AssetType::Audio => "volc-asset-audio",
    }
}

impl Client {
    pub fn new(
        kind: ProviderKind,
        base: url::Url,
        http: reqwest::Client,
        api_key: Option<Secret>,
    ) -> Self {
        Client {
            endpoint: Endpoint::new(kind, base, http, api_key, KeyHeader::Bearer),
        }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    fn require_key(&self) -> Result<()> {
        if self.endpoint.has_api_key() {
            return Ok(());
        }
        Err(Error::NotConfigured {
            provider: self.endpoint.kind,
            what: "add an Anyfast API key from the Byteplus-Direct group in Settings.".into(),
        })
    }

    async fn call(&self, path: &str, body: Value) -> Result<Value> {
        self.require_key()?;
        let answer = self.endpoint.send(Method::POST, path, Some(&body)).await?;
        self.read(&answer)
    }

    pub(crate) async fn init(&self, callback_url: Option<&str>) -> Result<LivenessLink> {
        let body = match callback_url {
            Some(c) => json!({ "CallbackURL": c }),
            None => json!({}),
        };
        let v = self
            .call("volc/asset/CreateVisualValidateSession", body)
            .await?;
        let p = byteplus::payload(&v);
        let token = byteplus::field(p, &["BytedToken", "byted_token"])
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.missing("BytedToken", &v))?;
        let link = byteplus::field(p, &["H5Link", "h5_link"])
            .filter(|l| !l.is_empty())
            .ok_or_else(|| self.missing("H5Link", &v))?;
        Ok(LivenessLink {
            group_id: String::new(),
            token: Some(token.to_string()),
            h5_link: byteplus::clean_link(link),
            expires_in_seconds: LINK_SECONDS,
        })
    }

    /// `GetVisualValidateResult`: an empty `GroupId` or "not ready" is still pending. The token
    /// works once after success, so the caller must keep the group id the moment it arrives.
    pub(crate) async fn result(&self, token: &str) -> Result<LivenessCheck> {
        self.require_key()?;
        let body = json!({ "BytedToken": token });
        let answer = self
            .endpoint
            .send(
                Method::POST,
                "volc/asset/GetVisualValidateResult",
                Some(&body),
            )
            .await?;
        let parsed: Option<Value> = serde_json::from_str(&answer.text).ok();
        if let Some(v) = &parsed {
            let (code, message) = if answer.status.is_success() {
                byteplus::upstream_error(v).unwrap_or_default()
            } else {
                byteplus::error_parts(v)
            };
            if byteplus::says_not_ready(&code, &message) {
                return Ok(LivenessCheck::pending());
            }
        }
        let v = self.read(&answer)?;
        let group = byteplus::field(byteplus::payload(&v), &["GroupId", "group_id"])
            .unwrap_or_default()
            .trim();
        Ok(if group.is_empty() {
            LivenessCheck::pending()
        } else {
            LivenessCheck {
                status: LivenessStatus::Active,
                group_id: Some(group.to_string()),
            }
        })
    }

    pub(crate) async fn create_asset(&self, upload: AssetUpload<'_>) -> Result<String> {
        let body = json!({
            "model": model_for(upload.asset_type),
            "GroupId": upload.group_id,
            "Name": upload.name,
            "AssetType": upload.asset_type.label(),
            "URL": upload.url,
        });
        let v = self.call("volc/asset/CreateAsset", body).await?;
        byteplus::field(byteplus::payload(&v), &["Id", "AssetId", "asset_id"])
            .filter(|id| !id.is_empty())
            .map(str::to_string)
            .ok_or_else(|| self.missing("Id", &v))
    }

    pub(crate) async fn asset(&self, asset_id: &str) -> Result<RemoteAsset> {
        let v = self
            .call("volc/asset/GetAsset", json!({ "Id": asset_id }))
            .await?;
        byteplus::read_asset(byteplus::payload(&v)).map_err(|f| self.missing(f, &v))
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
            let v = self.call("volc/asset/ListAssets", body).await?;
            let p = byteplus::payload(&v);
            let items = p
                .get("Items")
                .or(p.get("items"))
                .and_then(Value::as_array)
                .ok_or_else(|| self.missing("Items", &v))?;
            for item in items {
                out.push(byteplus::read_asset(item).map_err(|f| self.missing(f, &v))?);
            }
            let total = p.get("TotalCount").and_then(Value::as_u64).unwrap_or(0);
            if items.is_empty() || out.len() as u64 >= total {
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
        let v = self.call("volc/asset/ListAssets", body).await?;
        let p = byteplus::payload(&v);
        let items = p
            .get("Items")
            .or(p.get("items"))
            .and_then(Value::as_array)
            .ok_or_else(|| self.missing("Items", &v))?;
        for item in items {
            let a = byteplus::read_asset(item).map_err(|f| self.missing(f, &v))?;
            if a.name == name && a.status != byteplus::AssetStatus::Failed {
                return Ok(Some(a));
            }
        }
        Ok(None)
    }

    fn missing(&self, field: &str, v: &Value) -> Error {
        self.endpoint
            .undecodable(&format!("missing field {field}; the answer was {v}"))
    }

    /// The answer's JSON when it succeeded; otherwise the refusal in words. An upstream error
    /// inside an HTTP 200 is a refusal too.
    fn read(&self, answer: &Answer) -> Result<Value> {
        let v: Option<Value> = serde_json::from_str(&answer.text).ok();
        if answer.status.is_success() {
            let v = v.ok_or_else(|| self.endpoint.undecodable(&answer.text))?;
            if let Some((code, message)) = byteplus::upstream_error(&v) {
                return Err(self.refusal(answer.status.as_u16(), &code, &message, answer));
            }
            return Ok(v);
        }
        let (code, message) = v.as_ref().map(byteplus::error_parts).unwrap_or_default();
        Err(self.refusal(answer.status.as_u16(), &code, &message, answer))
    }

    /// The seed's troubleshooting table first, then the HTTP status.
    fn refusal(&self, status: u16, code: &str, message: &str, answer: &Answer) -> Error {
        let p = self.endpoint.kind;
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
            || (lower.contains("bytedtoken")
                && (lower.contains("used") || lower.contains("invalid")))
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
}
