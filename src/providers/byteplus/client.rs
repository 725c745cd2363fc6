//! One client for BytePlus LivenessFace as its resellers sell it: a phone check that yields a
//! group, then files uploaded into that group. Anyfast and Crun run the same four calls and
//! differ only in their dialect: where each call goes and how its body is spelled, how answers
//! are wrapped, what "not ready" looks like, and their own words for a refusal.

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::wire::{self, AssetCreated, AssetInfo, ValidateResult, ValidateSession};
use super::{clean_link, AssetUpload, RemoteAsset};
use crate::error::{Error, Result};
use crate::providers::endpoint::{Answer, Endpoint};
use crate::providers::{LivenessCheck, LivenessLink, LivenessStatus};

/// One call on the wire.
pub struct Request {
    pub method: Method,
    pub path: String,
    pub body: Option<Value>,
}

/// How one reseller speaks BytePlus.
pub trait Dialect: Clone + std::fmt::Debug + Send + Sync {
    /// What to add in Settings when no key is stored.
    const KEY_HINT: &'static str;
    /// The H5 link's lifetime.
    const LINK_SECONDS: u64;

    fn session(&self, callback_url: Option<&str>) -> Request;
    fn result(&self, token: &str) -> Request;
    fn upload(&self, upload: &AssetUpload<'_>) -> Request;
    fn asset(&self, asset_id: &str) -> Request;
    /// The answer's fields when it succeeded; otherwise the refusal in the reseller's words.
    fn open(&self, endpoint: &Endpoint, answer: &Answer) -> Result<Value>;
    /// A result query answered "the check is not finished yet" rather than refused.
    fn not_ready(&self, answer: &Answer) -> bool;
    /// The link the phone opens, as this reseller wants it shown.
    fn link(&self, h5_link: &str) -> String {
        clean_link(h5_link)
    }
}

#[derive(Clone, Debug)]
pub struct Client<D> {
    endpoint: Endpoint,
    dialect: D,
}

impl<D: Dialect> Client<D> {
    pub(in crate::providers) fn with_dialect(endpoint: Endpoint, dialect: D) -> Self {
        Client { endpoint, dialect }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    async fn answer(&self, request: Request) -> Result<Answer> {
        if !self.endpoint.has_api_key() {
            return Err(Error::NotConfigured {
                provider: self.endpoint.kind,
                what: D::KEY_HINT.into(),
            });
        }
        self.endpoint
            .send(request.method, &request.path, request.body.as_ref())
            .await
    }

    pub(in crate::providers) async fn call(&self, request: Request) -> Result<Value> {
        let answer = self.answer(request).await?;
        self.dialect.open(&self.endpoint, &answer)
    }

    pub(in crate::providers) fn typed<T: DeserializeOwned>(&self, v: &Value) -> Result<T> {
        wire::read(v).map_err(|why| self.unreadable(&why, v))
    }

    pub(in crate::providers) fn unreadable(&self, what: &str, v: &Value) -> Error {
        self.endpoint
            .undecodable(&format!("{what}; the answer was {v}"))
    }

    pub(crate) async fn init(&self, callback_url: Option<&str>) -> Result<LivenessLink> {
        let v = self.call(self.dialect.session(callback_url)).await?;
        let session: ValidateSession = self.typed(&v)?;
        let token = Some(session.byted_token).filter(|t| !t.is_empty());
        let token = token.ok_or_else(|| self.unreadable("empty BytedToken", &v))?;
        let link = Some(session.h5_link).filter(|l| !l.is_empty());
        let link = link.ok_or_else(|| self.unreadable("empty H5Link", &v))?;
        Ok(LivenessLink {
            group_id: String::new(),
            token: Some(token),
            h5_link: self.dialect.link(&link),
            expires_in_seconds: D::LINK_SECONDS,
        })
    }

    /// The check's group, read with its one-time BytedToken: an empty `GroupId` or "not ready"
    /// is still pending. The token works once after success, so the caller keeps the group id
    /// the moment it arrives.
    pub(crate) async fn result(&self, token: &str) -> Result<LivenessCheck> {
        let answer = self.answer(self.dialect.result(token)).await?;
        if self.dialect.not_ready(&answer) {
            return Ok(LivenessCheck::pending());
        }
        let v = self.dialect.open(&self.endpoint, &answer)?;
        let result: ValidateResult = self.typed(&v)?;
        let group = result.group_id.trim();
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
        let v = self.call(self.dialect.upload(&upload)).await?;
        let created: AssetCreated = self.typed(&v)?;
        Some(created.id)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| self.unreadable("empty asset id", &v))
    }

    pub(crate) async fn asset(&self, asset_id: &str) -> Result<RemoteAsset> {
        let v = self.call(self.dialect.asset(asset_id)).await?;
        let info: AssetInfo = self.typed(&v)?;
        info.into_remote().map_err(|why| self.unreadable(&why, &v))
    }
}
