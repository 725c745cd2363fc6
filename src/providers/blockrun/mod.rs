//! The BlockRun RealFace API (seed 000): init/refresh, status, enroll, portrait enroll.
//!
//! Rehearsal serves this same API locally, so this client is exercised end to end in tests.
//! Paid calls use the account rail (`Authorization: Bearer <key>`) when a key is set, and x402
//! with the studio wallet otherwise.

mod wire;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::json;

use super::{EnrollmentReceipt, LivenessLink, LivenessStatus, Paid, ProviderKind};
use crate::error::{Error, ProviderReason, Result};
use crate::payment::{self, SignedPayment};
use crate::secrets::Secret;

#[derive(Clone)]
pub struct Client {
    kind: ProviderKind,
    base: url::Url,
    http: reqwest::Client,
    api_key: Option<Secret>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("kind", &self.kind)
            .field("base", &self.base.as_str())
            .finish()
    }
}

impl Client {
    /// `base` is the API root under which `/v1/...` lives.
    pub fn new(
        kind: ProviderKind,
        base: url::Url,
        http: reqwest::Client,
        api_key: Option<Secret>,
    ) -> Self {
        let mut base = base;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Client {
            kind,
            base,
            http,
            api_key,
        }
    }

    pub fn base_url(&self) -> &url::Url {
        &self.base
    }

    pub(crate) async fn init(&self, name: &str, group_id: Option<&str>) -> Result<LivenessLink> {
        // The refresh form spells the group id in camelCase, unlike enroll (doc, step 1).
        let body = match group_id {
            Some(g) => json!({ "name": name, "groupId": g }),
            None => json!({ "name": name }),
        };
        let r: wire::InitResponse = self
            .call(Method::POST, "v1/realface/init", Some(body))
            .await?;
        Ok(LivenessLink {
            group_id: r.group_id,
            h5_link: r.h5_link,
            expires_in_seconds: r.expires_in_seconds,
        })
    }

    pub(crate) async fn status(&self, group_id: &str) -> Result<LivenessStatus> {
        let mut path = String::from("v1/realface/status?groupId=");
        path.push_str(
            &url::form_urlencoded::byte_serialize(group_id.as_bytes()).collect::<String>(),
        );
        let r: wire::StatusResponse = self.call(Method::GET, &path, None).await?;
        match r.status.as_str() {
            "active" if r.ready_to_finalize => Ok(LivenessStatus::Active),
            "active" | "pending_validation" => Ok(LivenessStatus::Pending),
            other => Err(Error::Decode {
                provider: self.kind,
                body: format!("unknown status {other:?}"),
            }),
        }
    }

    pub(crate) async fn enroll(
        &self,
        name: &str,
        image_url: &str,
        group_id: &str,
        payment: Option<&SignedPayment>,
    ) -> Result<Paid<EnrollmentReceipt>> {
        let body = json!({ "name": name, "image_url": image_url, "group_id": group_id });
        self.call_paid("v1/realface/enroll", body, payment).await
    }

    pub(crate) async fn enroll_portrait(
        &self,
        name: &str,
        image_url: &str,
        payment: Option<&SignedPayment>,
    ) -> Result<Paid<EnrollmentReceipt>> {
        let body = json!({ "name": name, "image_url": image_url });
        self.call_paid("v1/portrait/enroll", body, payment).await
    }

    /// A paid call. With an API key the account rail pays and a 402 means "out of credit";
    /// without one the first call returns the x402 quote, and the call is repeated with the
    /// operator-approved signed payment.
    async fn call_paid(
        &self,
        path: &str,
        body: serde_json::Value,
        payment: Option<&SignedPayment>,
    ) -> Result<Paid<EnrollmentReceipt>> {
        let url = self
            .base
            .join(path)
            .map_err(|e| Error::Internal(format!("bad provider path {path}: {e}")))?;
        let mut req = self.http.post(url).json(&body);
        if let Some(key) = &self.api_key {
            req = req.bearer_auth(key.expose());
        }
        if let Some(p) = payment {
            let (name, value) = p.header();
            req = req.header(name, value);
        }
        let response = req.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.map_err(|e| self.transport(e))?;
        if status == StatusCode::PAYMENT_REQUIRED {
            if self.api_key.is_some() {
                return Err(Error::Provider {
                    provider: self.kind,
                    status: 402,
                    reason: ProviderReason::Other,
                    message: format!(
                        "{} says the account is out of credit. Top it up, then try again.",
                        self.kind
                    ),
                });
            }
            let challenge = payment::parse_challenge(&headers, text.as_bytes())?;
            if payment.is_some() {
                return Err(Error::PaymentRejected {
                    provider: self.kind,
                    reason: challenge.error.unwrap_or_else(|| "no reason given".into()),
                });
            }
            return Ok(Paid::PaymentRequired(Box::new(challenge.quote()?)));
        }
        if !status.is_success() {
            let retry_after = headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            return Err(self.refusal(status, retry_after, &text));
        }
        let r: wire::EnrollResponse = serde_json::from_str(&text).map_err(|_| Error::Decode {
            provider: self.kind,
            body: truncate(&text),
        })?;
        // A settlement header that cannot be read does not undo a delivered asset.
        let settlement = payment::parse_settlement(&headers).ok().flatten();
        let mut receipt = receipt(r);
        if receipt.tx_hash.is_none() {
            receipt.tx_hash = settlement.as_ref().and_then(|s| s.transaction.clone());
        }
        Ok(Paid::Done(receipt))
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<T> {
        let url = self
            .base
            .join(path)
            .map_err(|e| Error::Internal(format!("bad provider path {path}: {e}")))?;
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let response = req.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let text = response.text().await.map_err(|e| self.transport(e))?;
        if !status.is_success() {
            return Err(self.refusal(status, retry_after, &text));
        }
        serde_json::from_str(&text).map_err(|_| Error::Decode {
            provider: self.kind,
            body: truncate(&text),
        })
    }

    fn transport(&self, e: reqwest::Error) -> Error {
        if e.is_timeout() {
            Error::Timeout {
                provider: self.kind,
            }
        } else {
            Error::Network {
                provider: self.kind,
                detail: if e.is_connect() {
                    "connection refused or no route".into()
                } else {
                    "connection failed".into()
                },
            }
        }
    }

    /// Turns a refusal into guidance from the doc's error table, with the payment state in each.
    fn refusal(&self, status: StatusCode, retry_after: Option<u64>, body: &str) -> Error {
        let said = serde_json::from_str::<wire::ErrorBody>(body)
            .ok()
            .and_then(|b| b.text());
        let said_suffix = said
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let p = self.kind;
        let (reason, message) = match status.as_u16() {
            429 => return Error::RateLimited { provider: p, retry_after_seconds: retry_after },
            400 => (
                ProviderReason::BadRequest,
                format!("{p} refused the request{said_suffix}. Fix the field it names and try again."),
            ),
            401 | 403 => (
                ProviderReason::Unauthorized,
                format!("{p} refused the API key{said_suffix}. Check the key in Settings."),
            ),
            404 => (ProviderReason::NotFound, format!("{p} does not know that session{said_suffix}. Start a new one.")),
            425 => (
                ProviderReason::NotReady,
                format!("The talent has not finished the phone check yet. Nothing was charged.{said_suffix}"),
            ),
            422 => (
                ProviderReason::FaceMismatch,
                format!(
                    "The photo does not match the live face. Nothing was charged. Try a clearer, front-facing photo of the same person.{said_suffix}"
                ),
            ),
            502 => (
                ProviderReason::UpstreamFailed,
                format!("{p}'s upstream service failed. Nothing was charged; try again.{said_suffix}"),
            ),
            code => (ProviderReason::Other, format!("{p} answered {code}{said_suffix}. Try again in a moment.")),
        };
        Error::Provider {
            provider: p,
            status: status.as_u16(),
            reason,
            message,
        }
    }
}

fn receipt(r: wire::EnrollResponse) -> EnrollmentReceipt {
    EnrollmentReceipt {
        asset_id: r.asset_id,
        group_id: r.group_id,
        name: r.name,
        image_url: r.image_url,
        created_at: r.created_at,
        price_usd: r.price.map(|p| p.amount),
        tx_hash: r.settlement.and_then(|s| s.tx_hash),
    }
}

fn truncate(body: &str) -> String {
    const MAX: usize = 300;
    match body.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &body[..i]),
        None => body.to_string(),
    }
}
