//! The BlockRun RealFace API (seed 000; research §1): init/refresh, status, enroll, portrait
//! enroll, and the wallet listings.
//!
//! Rehearsal serves this same API locally, so this client is exercised end to end in tests.
//! Paid calls use the account rail (`Authorization: Bearer brk_…` at `https://api.blockrun.ai`)
//! when a key is set, and x402 with the studio wallet (`https://blockrun.ai/api`) otherwise.

mod wire;

use reqwest::Method;
use serde_json::json;

use super::endpoint::{decode, lenient_receipt, truncate, Answer, Endpoint, KeyHeader};
use super::{
    EnrollmentReceipt, LivenessLink, LivenessStatus, Paid, ProviderKind, RemoteFace, RemoteFaceKind,
};
use crate::error::{Error, ProviderReason, Result};
use crate::payment::SignedPayment;
use crate::secrets::Secret;

/// Its Seedance video jobs (`crate::video` chooses the wire module by the API in play).
pub(crate) mod video;

/// The x402 rail's API root.
pub const WALLET_BASE_URL: &str = "https://blockrun.ai/api";
/// The account rail's API root (`/v1/...` at the root; `/api/v1` there answers `wrong_host`).
pub const KEY_BASE_URL: &str = "https://api.blockrun.ai";

#[derive(Clone, Debug)]
pub struct Client {
    endpoint: Endpoint,
}

impl Client {
    /// `base` is the API root under which `/v1/...` lives.
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

    pub(crate) async fn init(&self, name: &str, group_id: Option<&str>) -> Result<LivenessLink> {
        // The refresh form spells the group id in camelCase, unlike enroll (doc, step 1).
        let body = match group_id {
            Some(g) => json!({ "name": name, "groupId": g }),
            None => json!({ "name": name }),
        };
        let answer = self
            .endpoint
            .send(Method::POST, "v1/realface/init", Some(&body))
            .await?;
        let r: wire::InitResponse = self.read(&answer)?;
        Ok(LivenessLink {
            group_id: r.group_id,
            token: None,
            h5_link: r.h5_link,
            expires_in_seconds: r.expires_in_seconds,
        })
    }

    pub(crate) async fn status(&self, group_id: &str) -> Result<LivenessStatus> {
        let path = format!("v1/realface/status?groupId={}", query_value(group_id));
        let answer = self.endpoint.send(Method::GET, &path, None).await?;
        let r: wire::StatusResponse = self.read(&answer)?;
        match r.status.as_str() {
            "active" if r.ready_to_finalize.unwrap_or(true) => Ok(LivenessStatus::Active),
            "active" | "pending_validation" => Ok(LivenessStatus::Pending),
            // Only in JarvisClaw's copy of the doc, but harmless to understand here.
            "expired" => Ok(LivenessStatus::Expired),
            "failed" => Ok(LivenessStatus::Failed),
            other => Err(self
                .endpoint
                .undecodable(&format!("unknown status {other:?} in {}", answer.text))),
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
        self.paid("v1/realface/enroll", &body, payment).await
    }

    pub(crate) async fn enroll_portrait(
        &self,
        name: &str,
        image_url: &str,
        payment: Option<&SignedPayment>,
    ) -> Result<Paid<EnrollmentReceipt>> {
        let body = json!({ "name": name, "image_url": image_url });
        self.paid("v1/portrait/enroll", &body, payment).await
    }

    /// Both wallet listings (free, in the status calls' 20/hour bucket: two calls).
    pub(crate) async fn list_faces(&self, wallet: &str) -> Result<Vec<RemoteFace>> {
        let mut faces = self.list_of(wallet, RemoteFaceKind::RealFace).await?;
        faces.extend(self.list_of(wallet, RemoteFaceKind::Portrait).await?);
        Ok(faces)
    }

    /// One wallet listing: `/realfaces` or `/portraits` (one call).
    pub(crate) async fn list_of(
        &self,
        wallet: &str,
        kind: RemoteFaceKind,
    ) -> Result<Vec<RemoteFace>> {
        let (list, items) = match kind {
            RemoteFaceKind::RealFace => ("realfaces", true),
            RemoteFaceKind::Portrait => ("portraits", false),
        };
        let path = format!("v1/wallet/{}/{list}", query_value(wallet));
        let answer = self.endpoint.send(Method::GET, &path, None).await?;
        Ok(if items {
            let list: wire::RealFaceList = self.read(&answer)?;
            list.realfaces
                .into_iter()
                .map(|f| f.into_remote(kind))
                .collect()
        } else {
            let list: wire::PortraitList = self.read(&answer)?;
            list.portraits
                .into_iter()
                .map(|f| f.into_remote(kind))
                .collect()
        })
    }

    async fn paid(
        &self,
        path: &str,
        body: &serde_json::Value,
        payment: Option<&SignedPayment>,
    ) -> Result<Paid<EnrollmentReceipt>> {
        let paid = self.endpoint.send_paid(path, body, payment).await?;
        paid.try_map(|delivered| {
            let r: wire::EnrollResponse = match self.read(&delivered.answer) {
                Ok(r) => r,
                Err(e @ Error::Decode { .. }) if delivered.answer.status.is_success() => {
                    return lenient_receipt(&delivered, body).ok_or(e)
                }
                Err(e) => return Err(e),
            };
            Ok(EnrollmentReceipt {
                asset_id: r.asset_id,
                group_id: r.group_id,
                name: r.name,
                image_url: r.image_url,
                created_at: r.created_at,
                price_usd: r.price.map(|p| p.amount),
                tx_hash: r
                    .settlement
                    .and_then(|s| s.tx_hash)
                    .or(delivered.settlement_tx),
            })
        })
    }

    fn read<T: serde::de::DeserializeOwned>(&self, answer: &Answer) -> Result<T> {
        if !answer.status.is_success() {
            return Err(self.refusal(answer));
        }
        decode(&self.endpoint, &answer.text)
    }

    /// Turns a refusal into guidance from the doc's error table, with the payment state in each.
    fn refusal(&self, answer: &Answer) -> Error {
        let said = serde_json::from_str::<wire::ErrorBody>(&answer.text).ok();
        let field = said.as_ref().and_then(|b| b.field.clone());
        // A server's own words are quoted, never at any length: a hostile answer cannot fill the screen.
        let said = said.and_then(|b| b.text()).map(|s| truncate(&s));
        let said_suffix = said
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let p = self.endpoint.kind;
        let (reason, message) = match answer.status.as_u16() {
            429 => {
                return Error::RateLimited {
                    provider: p,
                    retry_after_seconds: answer.retry_after_seconds(),
                }
            }
            400 => (
                ProviderReason::BadRequest,
                match field {
                    Some(f) => format!(
                        "{p} refused the {}{said_suffix}. Fix it and try again. Nothing was charged.",
                        field_label(&f)
                    ),
                    None => format!(
                        "{p} refused the request{said_suffix}. Fix the field it names and try again. Nothing was charged."
                    ),
                },
            ),
            401 | 403 => (
                ProviderReason::Unauthorized,
                format!("{p} refused the API key{said_suffix}. Check the key in Settings."),
            ),
            404 => (
                ProviderReason::NotFound,
                format!("{p} does not know that liveness session{said_suffix}. Start a new one."),
            ),
            425 => (
                ProviderReason::NotReady,
                format!("The talent has not finished the phone check yet. Nothing was charged. Let them finish the nod and blink, then try again.{said_suffix}"),
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
            // A paid call's server error is re-worded by the flow, which knows whether a
            // payment went with it.
            code @ 500..=599 => (
                ProviderReason::Other,
                format!("{p} had an error on its side ({code}){said_suffix}. Nothing was charged; try again in a moment."),
            ),
            code => (
                ProviderReason::Other,
                format!("{p} answered {code}{said_suffix}. Try again in a moment."),
            ),
        };
        Error::Provider {
            provider: p,
            status: answer.status.as_u16(),
            reason,
            message,
        }
    }
}

/// The doc's field names, in words an operator knows from the form.
pub(super) fn field_label(field: &str) -> String {
    match field {
        "name" => "talent name".into(),
        "image_url" => "face photo link".into(),
        "group_id" | "groupId" => "liveness session id".into(),
        other => format!("field {other}"),
    }
}

pub(super) fn query_value(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}
