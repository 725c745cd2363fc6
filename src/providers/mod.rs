//! Providers: one module each, wire types private, domain types shared.
//!
//! Rehearsal speaks BlockRun's API (and JarvisClaw's, as a second personality), so it is served
//! by those clients pointed at the built-in server. A new provider joins [`ProviderKind`] and
//! [`Provider`]; a missing `match` arm is then a compile error everywhere a provider is used.

pub mod anyfast;
pub mod blockrun;
pub mod byteplus;
pub mod crun;
pub mod endpoint;
pub mod jarvisclaw;
#[cfg(test)]
pub mod scripted;

use provider_api::ProviderApi;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::media::AssetType;
pub use byteplus::{AssetStatus, AssetUpload, RemoteAsset};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// The built-in local server: real flow, real phone, nothing to pay.
    #[default]
    Rehearsal,
    /// BlockRun RealFace: x402 with the studio wallet, or a `brk_…` key.
    #[serde(rename = "blockrun")]
    BlockRun,
    /// JarvisClaw marketplace: a `sk-…` key, or x402.
    #[serde(rename = "jarvisclaw")]
    JarvisClaw,
    /// Anyfast: BytePlus LivenessFace groups and `asset-…` ids, a Byteplus-Direct key.
    #[serde(rename = "anyfast")]
    Anyfast,
    /// Crun: BytePlus (Volcengine) validation and `asset-…` ids, an `x-api-key`.
    #[serde(rename = "crun")]
    Crun,
}

impl ProviderKind {
    pub fn label(self) -> &'static str {
        match self {
            ProviderKind::Rehearsal => "Rehearsal",
            ProviderKind::BlockRun => "BlockRun",
            ProviderKind::JarvisClaw => "JarvisClaw",
            ProviderKind::Anyfast => "Anyfast",
            ProviderKind::Crun => "Crun",
        }
    }

    /// The name used in settings, the CLI and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Rehearsal => "rehearsal",
            ProviderKind::BlockRun => "blockrun",
            ProviderKind::JarvisClaw => "jarvisclaw",
            ProviderKind::Anyfast => "anyfast",
            ProviderKind::Crun => "crun",
        }
    }

    pub const ALL: [ProviderKind; 5] = [
        ProviderKind::Rehearsal,
        ProviderKind::BlockRun,
        ProviderKind::JarvisClaw,
        ProviderKind::Anyfast,
        ProviderKind::Crun,
    ];

    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The provider's documented hourly budget for status checks, per client address.
    pub fn status_checks_per_hour(self) -> u32 {
        match self {
            // BlockRun's doc: "rate-limited (same bucket as wallet reconciliation, 20/hour/IP)".
            // JarvisClaw documents no figure, but its live API is BlockRun's behind a proxy.
            ProviderKind::Rehearsal | ProviderKind::BlockRun | ProviderKind::JarvisClaw => 20,
            // Neither documents an hourly limit (upstream counts 100 GetAsset calls a second
            // per account); one check every 10 s on average stays polite on a shared network.
            ProviderKind::Anyfast | ProviderKind::Crun => 360,
        }
    }

    /// The provider's documented hourly budget for new liveness links.
    pub fn inits_per_hour(self) -> u32 {
        match self {
            // Both docs: "10 init calls / hour / IP".
            ProviderKind::Rehearsal | ProviderKind::BlockRun | ProviderKind::JarvisClaw => 10,
            // No documented limit; a session each minute covers any studio day.
            ProviderKind::Anyfast | ProviderKind::Crun => 60,
        }
    }

    /// Shape check for a provider's group id, so a typo is caught before a request.
    pub fn valid_group_id(self, id: &str) -> bool {
        match self {
            ProviderKind::Rehearsal | ProviderKind::BlockRun => id
                .strip_prefix("legacy_rf_")
                .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())),
            // `legacy_rf_8137` live, `grp_a1b2c3d4` in the seed, `group-20260702221642-5czvq`
            // on BytePlus: any plain token.
            ProviderKind::JarvisClaw | ProviderKind::Anyfast | ProviderKind::Crun => {
                !id.is_empty()
                    && id.len() <= 128
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            }
        }
    }
}

impl std::fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A liveness link as the provider issued it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivenessLink {
    /// Empty on BytePlus providers, whose group exists only once the phone check passed.
    pub group_id: String,
    /// BytePlus's `BytedToken`: what the result is asked with (single-use once it succeeds).
    pub token: Option<String>,
    /// The link exactly as given (JSON `\u0026` already decoded by the parser).
    pub h5_link: String,
    pub expires_in_seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LivenessStatus {
    Pending,
    Active,
    /// The link ran out (JarvisClaw says so; BlockRun only stays pending).
    Expired,
    /// The phone check failed and this link is spent (JarvisClaw).
    Failed,
}

/// A status check's answer: the status, and on BytePlus providers the group the check created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivenessCheck {
    pub status: LivenessStatus,
    pub group_id: Option<String>,
}

impl LivenessCheck {
    pub fn pending() -> Self {
        LivenessCheck {
            status: LivenessStatus::Pending,
            group_id: None,
        }
    }
}

impl From<LivenessStatus> for LivenessCheck {
    fn from(status: LivenessStatus) -> Self {
        LivenessCheck {
            status,
            group_id: None,
        }
    }
}

/// A face the provider lists for a wallet (BlockRun's `/v1/wallet/<address>/…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFace {
    pub kind: RemoteFaceKind,
    pub asset_id: String,
    pub group_id: Option<String>,
    pub name: String,
    pub image_url: String,
    pub created_at: Option<String>,
    pub tx_hash: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteFaceKind {
    RealFace,
    Portrait,
}

/// What a paid enrollment returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentReceipt {
    pub asset_id: String,
    pub group_id: Option<String>,
    pub name: String,
    pub image_url: String,
    pub created_at: String,
    pub price_usd: Option<String>,
    pub tx_hash: Option<String>,
}

/// The answer to a paid call: done, or the provider's price to show the operator first.
#[derive(Debug, Clone)]
pub enum Paid<T> {
    Done(T),
    PaymentRequired(Box<crate::payment::PaymentQuote>),
}

impl<T> Paid<T> {
    /// Turns what was delivered into something else; a price passes through untouched.
    pub fn try_map<U>(self, f: impl FnOnce(T) -> Result<U>) -> Result<Paid<U>> {
        match self {
            Paid::Done(t) => f(t).map(Paid::Done),
            Paid::PaymentRequired(q) => Ok(Paid::PaymentRequired(q)),
        }
    }
}

/// The configured provider, dispatched by `match`.
#[derive(Debug, Clone)]
pub enum Provider {
    /// BlockRun, or Rehearsal in its BlockRun personality.
    BlockRun(blockrun::Client),
    /// JarvisClaw, or Rehearsal in its JarvisClaw personality.
    JarvisClaw(jarvisclaw::Client),
    /// Anyfast, or Rehearsal in its Anyfast personality.
    Anyfast(anyfast::Client),
    /// Crun, or Rehearsal in its Crun personality.
    Crun(crun::Client),
    /// An in-memory double for the driver's paused-time unit tests.
    #[cfg(test)]
    Scripted(std::sync::Arc<scripted::Script>),
}

impl Provider {
    pub fn kind(&self) -> ProviderKind {
        match self {
            Provider::BlockRun(c) => c.endpoint().kind,
            Provider::JarvisClaw(c) => c.endpoint().kind,
            Provider::Anyfast(c) => c.endpoint().kind,
            Provider::Crun(c) => c.endpoint().kind,
            #[cfg(test)]
            Provider::Scripted(_) => ProviderKind::Rehearsal,
        }
    }

    /// The vendor API this client speaks (Rehearsal plays one of them).
    pub fn api(&self) -> Result<ProviderApi> {
        match self {
            Provider::BlockRun(_) => Ok(ProviderApi::BlockRun),
            Provider::JarvisClaw(_) => Ok(ProviderApi::JarvisClaw),
            Provider::Anyfast(_) => Ok(ProviderApi::Anyfast),
            Provider::Crun(_) => Ok(ProviderApi::Crun),
            #[cfg(test)]
            Provider::Scripted(_) => Err(Error::Internal(
                "the scripted test provider speaks no vendor API".into(),
            )),
        }
    }

    /// The API root and its HTTP mechanics, for calls beyond enrollment (Seedance video jobs).
    pub fn endpoint(&self) -> Option<&endpoint::Endpoint> {
        match self {
            Provider::BlockRun(c) => Some(c.endpoint()),
            Provider::JarvisClaw(c) => Some(c.endpoint()),
            Provider::Anyfast(c) => Some(c.endpoint()),
            Provider::Crun(c) => Some(c.endpoint()),
            #[cfg(test)]
            Provider::Scripted(_) => None,
        }
    }

    /// The key the hourly budgets are counted under: the API host (limits are per client IP
    /// at a host, and parallel sessions share them). The BytePlus APIs keep their own count,
    /// so rehearsing them on Rehearsal's host does not eat BlockRun's budget.
    pub fn budget_key(&self) -> String {
        match self {
            Provider::BlockRun(c) => c.endpoint().budget_key(),
            Provider::JarvisClaw(c) => c.endpoint().budget_key(),
            Provider::Anyfast(c) => format!("{}#anyfast", c.endpoint().budget_key()),
            Provider::Crun(c) => format!("{}#crun", c.endpoint().budget_key()),
            #[cfg(test)]
            Provider::Scripted(_) => "scripted".into(),
        }
    }

    /// The hourly status budget of the API this client speaks (Rehearsal's follow the API it
    /// plays).
    pub fn status_checks_per_hour(&self) -> u32 {
        match self {
            Provider::Anyfast(_) => ProviderKind::Anyfast.status_checks_per_hour(),
            Provider::Crun(_) => ProviderKind::Crun.status_checks_per_hour(),
            _ => self.kind().status_checks_per_hour(),
        }
    }

    /// The hourly budget for new links of the API this client speaks.
    pub fn inits_per_hour(&self) -> u32 {
        match self {
            Provider::Anyfast(_) => ProviderKind::Anyfast.inits_per_hour(),
            Provider::Crun(_) => ProviderKind::Crun.inits_per_hour(),
            _ => self.kind().inits_per_hour(),
        }
    }

    /// Whether an expired link can be refreshed on the same group, rather than a new session.
    pub fn refreshes_in_place(&self) -> bool {
        match self {
            Provider::BlockRun(_) => true,
            Provider::JarvisClaw(_) | Provider::Anyfast(_) | Provider::Crun(_) => false,
            #[cfg(test)]
            Provider::Scripted(_) => true,
        }
    }

    /// Whether the provider keeps a verified person as a group that collects image, video and
    /// audio assets (BytePlus), rather than enrolling one `ta_…` face per payment.
    pub fn holds_assets(&self) -> bool {
        matches!(self, Provider::Anyfast(_) | Provider::Crun(_))
    }

    /// Whether the phone's page is sent back to a callback address when the check ends.
    pub fn calls_back(&self) -> bool {
        self.holds_assets()
    }

    /// A new liveness link. `callback_url` is where BytePlus sends the phone when the check
    /// ends; the `ta_…` providers have no such thing and ignore it.
    pub async fn init_session(
        &self,
        name: &str,
        callback_url: Option<&str>,
    ) -> Result<LivenessLink> {
        match self {
            Provider::BlockRun(c) => c.init(name, None).await,
            Provider::JarvisClaw(c) => c.init(name).await,
            Provider::Anyfast(c) => c.init(callback_url).await,
            Provider::Crun(c) => c.init(callback_url).await,
            #[cfg(test)]
            Provider::Scripted(s) => s.init(),
        }
    }

    /// A fresh link: on the same group where the provider can (BlockRun's `{name, groupId}`),
    /// otherwise a new init, whose group replaces the old one.
    pub async fn refresh_session(
        &self,
        name: &str,
        group_id: &str,
        callback_url: Option<&str>,
    ) -> Result<LivenessLink> {
        match self {
            Provider::BlockRun(c) => c.init(name, Some(group_id)).await,
            Provider::JarvisClaw(c) => c.init(name).await,
            Provider::Anyfast(c) => c.init(callback_url).await,
            Provider::Crun(c) => c.init(callback_url).await,
            #[cfg(test)]
            Provider::Scripted(s) => s.init(),
        }
    }

    /// One status check: by group (`ta_…` providers) or by BytedToken (BytePlus, whose answer
    /// carries the new group id exactly once).
    pub async fn session_status(
        &self,
        group_id: &str,
        token: Option<&str>,
    ) -> Result<LivenessCheck> {
        match self {
            Provider::BlockRun(c) => c.status(group_id).await.map(Into::into),
            Provider::JarvisClaw(c) => c.status(group_id).await.map(Into::into),
            Provider::Anyfast(c) => c.result(token.ok_or_else(no_token)?).await,
            Provider::Crun(c) => c.result(token.ok_or_else(no_token)?).await,
            #[cfg(test)]
            Provider::Scripted(s) => s.status().map(Into::into),
        }
    }

    /// Uploads a file into a verified person's group (BytePlus providers only).
    pub async fn create_asset(&self, upload: AssetUpload<'_>) -> Result<String> {
        match self {
            Provider::Anyfast(c) => c.create_asset(upload).await,
            Provider::Crun(c) => c.create_asset(upload).await,
            _ => Err(self.no_assets()),
        }
    }

    pub async fn asset(&self, asset_id: &str) -> Result<RemoteAsset> {
        match self {
            Provider::Anyfast(c) => c.asset(asset_id).await,
            Provider::Crun(c) => c.asset(asset_id).await,
            _ => Err(self.no_assets()),
        }
    }

    /// An upload of this group under `name` the provider already holds, where it can tell
    /// (Anyfast's listing); `None` where it cannot (Crun keeps no list).
    pub async fn find_asset(&self, group_id: &str, name: &str) -> Result<Option<RemoteAsset>> {
        match self {
            Provider::Anyfast(c) => c.find_in_group(group_id, name).await,
            _ => Ok(None),
        }
    }

    /// The provider's asset listing (Anyfast). Crun keeps none: "Crun does not store asset
    /// IDs on your behalf".
    pub async fn list_assets(&self) -> Result<Vec<RemoteAsset>> {
        match self {
            Provider::Anyfast(c) => c.list_assets().await,
            Provider::Crun(c) => Err(Error::NotConfigured {
                provider: c.endpoint().kind,
                what: "Crun keeps no list of assets; the library keeps the ones uploaded from this studio.".into(),
            }),
            _ => Err(self.no_assets()),
        }
    }

    /// Shape check for a group id of this provider (Rehearsal's follow the API it plays).
    pub fn valid_group_id(&self, id: &str) -> bool {
        match self {
            Provider::Anyfast(_) => ProviderKind::Anyfast.valid_group_id(id),
            Provider::Crun(_) => ProviderKind::Crun.valid_group_id(id),
            Provider::JarvisClaw(_) => ProviderKind::JarvisClaw.valid_group_id(id),
            _ => self.kind().valid_group_id(id),
        }
    }

    /// Why this provider cannot take assets, in words.
    pub fn no_assets(&self) -> Error {
        Error::invalid(
            "provider",
            format!(
                "{} enrolls one face per payment and has no asset groups. Choose Anyfast or Crun in Settings to add videos, voice clips or more photos.",
                self.kind()
            ),
        )
    }

    /// The file types a verified person's group takes.
    pub fn asset_types(&self) -> &'static [AssetType] {
        if self.holds_assets() {
            &[AssetType::Image, AssetType::Video, AssetType::Audio]
        } else {
            &[AssetType::Image]
        }
    }

    pub async fn enroll(
        &self,
        name: &str,
        image_url: &str,
        group_id: &str,
        payment: Option<&crate::payment::SignedPayment>,
    ) -> Result<Paid<EnrollmentReceipt>> {
        match self {
            Provider::BlockRun(c) => c.enroll(name, image_url, group_id, payment).await,
            Provider::JarvisClaw(c) => c.enroll(name, image_url, group_id, payment).await,
            Provider::Anyfast(_) | Provider::Crun(_) => Err(Error::Internal(
                "BytePlus enrollment uploads an asset; the studio calls create_asset".into(),
            )),
            #[cfg(test)]
            Provider::Scripted(s) => s.enroll(name, image_url, payment),
        }
    }

    pub async fn enroll_portrait(
        &self,
        name: &str,
        image_url: &str,
        payment: Option<&crate::payment::SignedPayment>,
    ) -> Result<Paid<EnrollmentReceipt>> {
        match self {
            Provider::BlockRun(c) => c.enroll_portrait(name, image_url, payment).await,
            Provider::JarvisClaw(c) => c.enroll_portrait(name, image_url, payment).await,
            Provider::Anyfast(_) | Provider::Crun(_) => Err(Error::invalid(
                "provider",
                format!(
                    "{} has no virtual portraits (AI characters). Use BlockRun or JarvisClaw for those.",
                    self.kind()
                ),
            )),
            #[cfg(test)]
            Provider::Scripted(s) => s.enroll(name, image_url, payment),
        }
    }

    /// The faces the provider holds for `wallet`, to merge into the library. Each listing call
    /// counts against the status budget (BlockRun shares the bucket).
    pub async fn list_faces(&self, wallet: &str) -> Result<Vec<RemoteFace>> {
        match self {
            Provider::BlockRun(c) => c.list_faces(wallet).await,
            Provider::Anyfast(_) | Provider::Crun(_) => Err(Error::Internal(
                "BytePlus providers list assets, not faces".into(),
            )),
            Provider::JarvisClaw(c) => Err(crate::error::Error::NotConfigured {
                provider: c.endpoint().kind,
                what: "JarvisClaw has no face listing; the library keeps the faces enrolled from this studio.".into(),
            }),
            #[cfg(test)]
            Provider::Scripted(_) => Ok(Vec::new()),
        }
    }

    /// How many faces a liveness group holds, where the provider's status says and no listing
    /// could name them (JarvisClaw): one budgeted status call. `None` where it cannot tell.
    pub async fn group_asset_count(&self, group_id: &str) -> Result<Option<u32>> {
        match self {
            Provider::JarvisClaw(c) => c.asset_count(group_id).await,
            _ => Ok(None),
        }
    }

    /// One of the wallet's listings (one budgeted call), where a lost enrollment's face would
    /// be. Empty where the provider keeps none.
    pub async fn list_faces_of(
        &self,
        wallet: &str,
        kind: RemoteFaceKind,
    ) -> Result<Vec<RemoteFace>> {
        match self {
            Provider::BlockRun(c) => c.list_of(wallet, kind).await,
            _ => Ok(Vec::new()),
        }
    }

    /// How many budgeted calls [`Self::list_faces`] makes.
    pub fn listing_calls(&self) -> usize {
        match self {
            Provider::BlockRun(_) => 2,
            _ => 0,
        }
    }
}

fn no_token() -> Error {
    Error::Internal("a BytePlus session without its BytedToken".into())
}
