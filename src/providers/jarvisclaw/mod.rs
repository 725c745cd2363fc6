//! JarvisClaw's RealFace and Virtual Portrait marketplace (seed 001; research §2).
//!
//! The seed shows JarvisClaw's first shape (`verification_url`, `expires_at`, `pending` /
//! `in_progress` / `completed`, `liveness_score`); the live API answers in BlockRun's shape
//! (`h5_link`, `pending_validation` / `active`, `expires_in_seconds`). Both are read, unknown
//! fields are ignored, and a missing required field is an error that quotes the body.
//! There is no documented refresh: a fresh QR is a new `init`, which yields a new group.

mod wire;

use reqwest::Method;
use serde_json::json;

use super::blockrun::{field_label, query_value};
use super::endpoint::{decode, lenient_receipt, truncate, Answer, Endpoint, KeyHeader};
use super::{EnrollmentReceipt, LivenessLink, LivenessStatus, Paid, ProviderKind};
use crate::error::{Error, ProviderReason, Result};
use crate::payment::SignedPayment;
use crate::secrets::Secret;

/// The API root; paths are `/v1/marketplace/<service>/…` under it.
pub const BASE_URL: &str = "https://api.jarvisclaw.ai";

#[derive(Clone, Debug)]
pub struct Client {
    endpoint: Endpoint,
    /// Where the talent's phone goes after the check (`redirect_url` on init), if set.
    redirect_url: Option<String>,
}

impl Client {
    pub fn new(
        kind: ProviderKind,
        base: url::Url,
        http: reqwest::Client,
        api_key: Option<Secret>,
        redirect_url: Option<String>,
    ) -> Self {
        Client {
            endpoint: Endpoint::new(kind, base, http, api_key, KeyHeader::Bearer),
            redirect_url,
        }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    pub(crate) async fn init(&self, name: &str) -> Result<LivenessLink> {
        let mut body = json!({ "name": name });
        if let Some(r) = &self.redirect_url {
            body["redirect_url"] = json!(r);
        }
        let answer = self
            .endpoint
            .send(Method::POST, "v1/marketplace/realface/init", Some(&body))
            .await?;
        let r: wire::InitResponse = self.read(&answer)?;
        let now_ms = crate::clock::Clock::new().now_ms();
        let link = r
            .into_link(now_ms)
            .map_err(|missing| self.missing(missing))?;
        Ok(link)
    }

    pub(crate) async fn status(&self, group_id: &str) -> Result<LivenessStatus> {
        let path = format!(
            "v1/marketplace/realface/status?groupId={}",
            query_value(group_id)
        );
        let answer = self.endpoint.send(Method::GET, &path, None).await?;
        let r: wire::StatusResponse = self.read(&answer)?;
        if let Some(score) = r.liveness_score {
            tracing::info!(group = %group_id, score, "JarvisClaw liveness score");
        }
        r.liveness_status().ok_or_else(|| {
            self.endpoint
                .undecodable(&format!("unknown status in {}", answer.text))
        })
    }

    /// How many faces the group holds, where the status answer says (`asset_count`).
    pub(crate) async fn asset_count(&self, group_id: &str) -> Result<Option<u32>> {
        let path = format!(
            "v1/marketplace/realface/status?groupId={}",
            query_value(group_id)
        );
        let answer = self.endpoint.send(Method::GET, &path, None).await?;
        let r: wire::StatusResponse = self.read(&answer)?;
        Ok(r.asset_count)
    }

    pub(crate) async fn enroll(
        &self,
        name: &str,
        image_url: &str,
        group_id: &str,
        payment: Option<&SignedPayment>,
    ) -> Result<Paid<EnrollmentReceipt>> {
        let body = json!({ "name": name, "image_url": image_url, "group_id": group_id });
        self.paid("v1/marketplace/realface/enroll", &body, payment)
            .await
    }

    pub(crate) async fn enroll_portrait(
        &self,
        name: &str,
        image_url: &str,
        payment: Option<&SignedPayment>,
    ) -> Result<Paid<EnrollmentReceipt>> {
        let body = json!({ "name": name, "image_url": image_url });
        self.paid("v1/marketplace/portrait/enroll", &body, payment)
            .await
    }

    async fn paid(
        &self,
        path: &str,
        body: &serde_json::Value,
        payment: Option<&SignedPayment>,
    ) -> Result<Paid<EnrollmentReceipt>> {
        let paid = self.endpoint.send_paid(path, body, payment).await?;
        // The doc's answers may leave out what was sent: take it from the request.
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
                group_id: r.group_id.or_else(|| sent(body, "group_id")),
                name: r.name.or_else(|| sent(body, "name")).unwrap_or_default(),
                image_url: r
                    .image_url
                    .or_else(|| sent(body, "image_url"))
                    .unwrap_or_default(),
                created_at: r
                    .created_at
                    .unwrap_or_else(|| crate::clock::rfc3339(crate::clock::Clock::new().now_ms())),
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

    fn missing(&self, what: wire::Missing) -> Error {
        self.endpoint.undecodable(&format!(
            "missing field {}; the answer was {}",
            what.field, what.body
        ))
    }

    /// The doc's error table (425 `liveness_incomplete`, 422 `face_match_failed`, 429
    /// `rate_limited`, 400 `invalid_image_url`, 400 `session_expired`, 404 `group_not_found`).
    ///
    /// The status decides, and whether anything was charged follows from it alone: the doc
    /// shows no error body, so where its code would sit is a guess. A code found where a server
    /// would plausibly put it (`error` as the bare code, or `code`) only sharpens a 400: the
    /// words, and an expired link offered as a fresh QR. Without one, a 400 says both ways out.
    fn refusal(&self, answer: &Answer) -> Error {
        let body = serde_json::from_str::<wire::ErrorBody>(&answer.text).ok();
        let code = body.as_ref().and_then(|b| b.code()).unwrap_or_default();
        // A server's own words are quoted, never at any length: a hostile answer cannot fill the screen.
        let said = body
            .as_ref()
            .and_then(|b| b.message())
            .map(|s| truncate(&s));
        let said_suffix = said
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let p = self.endpoint.kind;
        let status = answer.status.as_u16();
        let (reason, message) = match (code.as_str(), status) {
            ("rate_limited", _) | (_, 429) => {
                return Error::RateLimited {
                    provider: p,
                    retry_after_seconds: answer.retry_after_seconds(),
                }
            }
            ("liveness_incomplete", _) | (_, 425) => (
                ProviderReason::NotReady,
                format!("The talent has not finished the phone check yet. Nothing was charged. Let them finish the nod and blink, then try again.{said_suffix}"),
            ),
            ("face_match_failed", _) | (_, 422) => (
                ProviderReason::FaceMismatch,
                format!("The photo does not match the person who did the phone check. Nothing was charged. Try a clearer, front-facing photo of the same person.{said_suffix}"),
            ),
            ("session_expired", _) => (
                ProviderReason::SessionExpired,
                format!("The phone check expired (links last 120 s) before enrollment. Nothing was charged. Generate a fresh QR and have the talent scan it again.{said_suffix}"),
            ),
            ("invalid_image_url", _) => (
                ProviderReason::BadRequest,
                format!("{p} could not use the face photo link: it must be a public https:// link that opens the photo itself (no http, no localhost). Nothing was charged.{said_suffix}"),
            ),
            ("group_not_found", _) | (_, 404) => (
                ProviderReason::NotFound,
                format!("{p} does not know this liveness session. Start a new session.{said_suffix}"),
            ),
            (_, 400) => (
                ProviderReason::BadRequest,
                match body.as_ref().and_then(|b| b.field.clone()) {
                    Some(f) => format!("{p} refused the {}{said_suffix}. Fix it and try again. Nothing was charged.", field_label(&f)),
                    None => format!("{p} refused the request{said_suffix}. Nothing was charged. If the phone check's link ran out, start a new session for a fresh QR; otherwise check the face photo link (a public https:// link to the photo itself)."),
                },
            ),
            (_, 401 | 403) => (
                ProviderReason::Unauthorized,
                format!("{p} refused the API key{said_suffix}. Check the sk-… key in Settings."),
            ),
            (_, 502) => (
                ProviderReason::UpstreamFailed,
                format!("{p}'s upstream service failed. Nothing was charged; try again.{said_suffix}"),
            ),
            // As for BlockRun, whose API it mirrors: a paid call's server error is re-worded by
            // the flow, which knows whether a payment went with it.
            (_, code @ 500..=599) => (
                ProviderReason::Other,
                format!("{p} had an error on its side ({code}){said_suffix}. Nothing was charged; try again in a moment."),
            ),
            (_, code) => (
                ProviderReason::Other,
                format!("{p} answered {code}{said_suffix}. Try again in a moment."),
            ),
        };
        Error::Provider {
            provider: p,
            status,
            reason,
            message,
        }
    }
}

fn sent(body: &serde_json::Value, field: &str) -> Option<String> {
    body.get(field).and_then(|v| v.as_str()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::new(
            ProviderKind::JarvisClaw,
            url::Url::parse("https://api.jarvisclaw.ai/v1/marketplace/").unwrap(),
            reqwest::Client::new(),
            None,
            None,
        )
    }

    fn answer(status: u16, text: &str) -> Answer {
        Answer {
            status: reqwest::StatusCode::from_u16(status).unwrap(),
            headers: reqwest::header::HeaderMap::new(),
            text: text.into(),
        }
    }

    #[test]
    fn a_server_error_says_so_in_words_and_keeps_its_status() {
        let e = client().refusal(&answer(503, r#"{"error":"maintenance"}"#));
        let text = e.to_string();
        assert!(
            text.contains("had an error on its side (503)") && text.contains("try again"),
            "{text}"
        );
        // The flow reads the status to tell a paid call's unknown outcome from a refusal.
        assert!(matches!(e, Error::Provider { status: 503, .. }), "{e:?}");
        let other = client().refusal(&answer(418, "{}")).to_string();
        assert!(other.contains("answered 418"), "{other}");
    }
}
