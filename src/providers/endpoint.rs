//! One provider API root and the HTTP mechanics every provider shares: auth, the x402 round trip,
//! `Retry-After`, and transport failures in plain words. What a refusal *means* stays with each
//! provider module, which turns an [`Answer`] into guidance from its own doc's error table.

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use super::{Paid, ProviderKind};
use crate::error::{Error, ProviderReason, Result};
use crate::payment::{self, SignedPayment};
use crate::secrets::Secret;

/// How the API key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyHeader {
    /// `Authorization: Bearer <key>` (BlockRun, JarvisClaw, Anyfast).
    Bearer,
    /// `x-api-key: <key>` (Crun).
    XApiKey,
}

#[derive(Clone)]
pub struct Endpoint {
    pub kind: ProviderKind,
    base: url::Url,
    http: reqwest::Client,
    api_key: Option<Secret>,
    key_header: KeyHeader,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("kind", &self.kind)
            .field("base", &self.base.as_str())
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// A provider's answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    /// `Retry-After` in seconds (the delta form; providers here do not send dates).
    pub fn retry_after_seconds(&self) -> Option<u64> {
        self.headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    }
}

/// A paid call's answer, before its body is read.
#[derive(Debug)]
pub struct Delivered {
    pub answer: Answer,
    /// The x402 settlement's transaction, when the answer's header carries one. A header that
    /// cannot be read does not undo a delivered asset, so it is simply not there.
    pub settlement_tx: Option<String>,
}

impl Endpoint {
    /// `base` is the API root under which the provider's paths live.
    pub fn new(
        kind: ProviderKind,
        base: url::Url,
        http: reqwest::Client,
        api_key: Option<Secret>,
        key_header: KeyHeader,
    ) -> Self {
        let mut base = base;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        Endpoint {
            kind,
            base,
            http,
            api_key,
            key_header,
        }
    }

    pub fn base_url(&self) -> &url::Url {
        &self.base
    }

    pub fn has_api_key(&self) -> bool {
        self.api_key.is_some()
    }

    /// The hourly budgets are per client address at the provider's host, so calls are counted
    /// per host: two providers on one host share a budget, one provider on two hosts does not.
    pub fn budget_key(&self) -> String {
        let host = self.base.host_str().unwrap_or("unknown");
        match self.base.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        }
    }

    fn url(&self, path: &str) -> Result<url::Url> {
        self.base
            .join(path)
            .map_err(|e| Error::Internal(format!("bad provider path {path}: {e}")))
    }

    fn authorised(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match (&self.api_key, self.key_header) {
            (Some(key), KeyHeader::Bearer) => req.bearer_auth(key.expose()),
            (Some(key), KeyHeader::XApiKey) => req.header("x-api-key", key.expose()),
            (None, _) => req,
        }
    }

    /// A free call, answered whole whatever its status.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Answer> {
        let mut req = self.authorised(self.http.request(method, self.url(path)?));
        if let Some(b) = body {
            req = req.json(b);
        }
        self.read(req).await
    }

    /// A paid call. With an API key the account rail pays and a 402 means "out of credit";
    /// without one the first call returns the x402 quote, and the call is repeated with the
    /// operator-approved signed payment.
    pub async fn send_paid(
        &self,
        path: &str,
        body: &serde_json::Value,
        payment: Option<&SignedPayment>,
    ) -> Result<Paid<Delivered>> {
        let mut req = self.authorised(self.http.post(self.url(path)?).json(body));
        if let Some(p) = payment {
            let (name, value) = p.header();
            // The seller settles only after the upstream face match (seed 000): a slow answer
            // is the work being done, not a lost one, so a paid call gets its own long clock.
            req = req.header(name, value).timeout(PAID_CALL_TIMEOUT);
        }
        let answer = self.read(req).await?;
        if answer.status != StatusCode::PAYMENT_REQUIRED {
            let settlement_tx = payment::parse_settlement(&answer.headers)
                .ok()
                .flatten()
                .and_then(|s| s.transaction);
            return Ok(Paid::Done(Delivered {
                answer,
                settlement_tx,
            }));
        }
        if self.api_key.is_some() {
            return Err(Error::Provider {
                provider: self.kind,
                status: 402,
                reason: ProviderReason::Other,
                message: format!(
                    "{} says the account is out of credit. Nothing was charged. Top it up, then try again.",
                    self.kind
                ),
            });
        }
        let challenge = payment::parse_challenge(&answer.headers, answer.text.as_bytes())?;
        if payment.is_some() {
            return Err(Error::PaymentRejected {
                provider: self.kind,
                reason: challenge.error.unwrap_or_else(|| "no reason given".into()),
            });
        }
        Ok(Paid::PaymentRequired(Box::new(challenge.quote()?)))
    }

    /// `path` under the API root, or a root-relative or absolute address the provider handed
    /// out, as a full URL.
    pub fn resolve(&self, path: &str) -> Result<url::Url> {
        self.url(path)
    }

    /// Whether `url` is on this API's origin (scheme, host and port): the only place the key or
    /// a payment header may be sent.
    pub fn same_origin(&self, url: &url::Url) -> bool {
        url.origin() == self.base.origin()
    }

    /// A GET at an address the provider handed out (a job's poll URL), with the key and, when
    /// given, a payment header re-sent as is. Refused off the API's origin, so neither the key
    /// nor the payment ever reaches another host.
    pub async fn get_at(&self, url: &url::Url, payment: Option<&SignedPayment>) -> Result<Answer> {
        if !self.same_origin(url) {
            return Err(Error::Decode {
                provider: self.kind,
                body: format!(
                    "the provider pointed at {url}, which is not its own address; nothing was sent there"
                ),
            });
        }
        let mut req = self.authorised(self.http.get(url.clone()));
        if let Some(p) = payment {
            let (name, value) = p.header();
            req = req.header(name, value);
        }
        self.read(req).await
    }

    async fn read(&self, req: reqwest::RequestBuilder) -> Result<Answer> {
        let response = req.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.map_err(|e| self.transport(e))?;
        Ok(Answer {
            status,
            headers,
            text,
        })
    }

    fn transport(&self, e: reqwest::Error) -> Error {
        if let Some(what) = unreadable_head(&e) {
            // The server was reached and answered, just not in HTTP we can read (headers past
            // the client's limit, a garbled status line): "could not reach" would send the
            // operator to check a network that works.
            return Error::Decode {
                provider: self.kind,
                body: what.into(),
            };
        }
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

    /// A body we could not read, quoted (shortened) so the operator can report it.
    pub fn undecodable(&self, body: &str) -> Error {
        Error::Decode {
            provider: self.kind,
            body: truncate(body),
        }
    }
}

/// What was wrong with an answer whose status line or headers could not be parsed, found in
/// the error's chain (hyper's parse errors: "message head is too large", "invalid HTTP …").
fn unreadable_head(e: &reqwest::Error) -> Option<&'static str> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        let text = err.to_string();
        if text.contains("message head is too large") {
            return Some("its headers were too large to read");
        }
        if text.contains("invalid HTTP") || text.contains("invalid header") {
            return Some("it was not valid HTTP");
        }
        source = err.source();
    }
    None
}

/// `price` in an enrollment's body, as both `ta_…` providers write it.
#[derive(Debug, serde::Deserialize)]
pub struct PriceBody {
    pub amount: String,
}

/// `settlement` in an enrollment's body.
#[derive(Debug, serde::Deserialize)]
pub struct SettlementBody {
    #[serde(default)]
    pub tx_hash: Option<String>,
}

/// How long a paid call may take: the seller answers after the upstream face match, which
/// BlockRun's own tools wait out rather than time.
pub const PAID_CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(180);

/// The `ta_…` asset id in a success whose body could not be read whole (cut short, a stray
/// comma): the enrollment happened and was paid, so the id is taken as written rather than the
/// success being read as a failure. `None` when no such id is there.
fn asset_id_in(text: &str) -> Option<String> {
    let start = text.find("\"ta_")? + 1;
    let id: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (id.len() > "ta_".len() + 3).then_some(id)
}

/// Reads a JSON body into `T`, or says which body could not be read.
pub fn decode<T: serde::de::DeserializeOwned>(endpoint: &Endpoint, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        tracing::debug!(error = %e, provider = %endpoint.kind, "undecodable provider answer");
        // serde names the missing or mistyped field ("missing field `group_id`"); a body that
        // is not JSON at all is said in words, not in the parser's.
        let reason = if e.is_eof() {
            "cut short".to_string()
        } else if e.is_syntax() {
            "not valid JSON".to_string()
        } else {
            let said = e.to_string();
            said.split(" at line ")
                .next()
                .unwrap_or_default()
                .to_string()
        };
        Error::Decode {
            provider: endpoint.kind,
            body: format!("{reason}; the answer was {}", truncate(text)),
        }
    })
}

pub fn truncate(body: &str) -> String {
    const MAX: usize = 300;
    match body.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &body[..i]),
        None => body.to_string(),
    }
}

/// A paid success whose body could not be read whole: the asset id as written, the rest from
/// the request. The raw answer goes to the log, to report.
pub fn lenient_receipt(
    delivered: &Delivered,
    body: &serde_json::Value,
) -> Option<super::EnrollmentReceipt> {
    let asset_id = asset_id_in(&delivered.answer.text)?;
    tracing::warn!(answer = %truncate(&delivered.answer.text), %asset_id, "a paid success could not be read whole; its asset id is taken as written");
    let sent = |k: &str| body.get(k).and_then(|v| v.as_str()).map(str::to_string);
    Some(super::EnrollmentReceipt {
        asset_id,
        group_id: sent("group_id"),
        name: sent("name").unwrap_or_default(),
        image_url: sent("image_url").unwrap_or_default(),
        created_at: crate::clock::rfc3339(crate::clock::Clock::new().now_ms()),
        price_usd: None,
        tx_hash: delivered.settlement_tx.clone(),
    })
}

#[cfg(test)]
mod lenient_tests {
    use super::asset_id_in;

    #[test]
    fn the_asset_id_of_a_cut_or_malformed_success_is_taken_as_written() {
        assert_eq!(
            asset_id_in(r#"{"object":"realface","asset_id":"ta_f85b20b9394e47be95"#).as_deref(),
            Some("ta_f85b20b9394e47be95")
        );
        assert_eq!(
            asset_id_in(r#"{"asset_id":"ta_4cc9ab19,", ,}"#).as_deref(),
            Some("ta_4cc9ab19")
        );
        assert_eq!(asset_id_in(r#"{"asset_id":"ta_"#), None);
        assert_eq!(asset_id_in("<html>bad gateway</html>"), None);
    }
}
