//! Providers: one module each, wire types private, domain types shared.
//!
//! Rehearsal speaks BlockRun's API, so it is served by the BlockRun client pointed at the
//! built-in server. Later providers join [`ProviderKind`] and [`Provider`]; a missing `match` arm
//! is then a compile error everywhere a provider is used.

pub mod blockrun;
#[cfg(test)]
pub mod scripted;

use serde::{Deserialize, Serialize};

use crate::error::Result;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// The built-in local server: real flow, real phone, nothing to pay.
    #[default]
    Rehearsal,
}

impl ProviderKind {
    pub fn label(self) -> &'static str {
        match self {
            ProviderKind::Rehearsal => "Rehearsal",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "rehearsal" => Some(ProviderKind::Rehearsal),
            _ => None,
        }
    }

    /// The provider's documented hourly budget for status checks, per client address.
    pub fn status_checks_per_hour(self) -> u32 {
        match self {
            // BlockRun's doc: "rate-limited (same bucket as wallet reconciliation, 20/hour/IP)".
            ProviderKind::Rehearsal => 20,
        }
    }

    /// The provider's documented hourly budget for new liveness links.
    pub fn inits_per_hour(self) -> u32 {
        match self {
            ProviderKind::Rehearsal => 10,
        }
    }

    /// Shape check for a provider's group id, so a typo is caught before a request.
    pub fn valid_group_id(self, id: &str) -> bool {
        match self {
            ProviderKind::Rehearsal => id
                .strip_prefix("legacy_rf_")
                .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())),
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
    pub group_id: String,
    /// The link exactly as given (JSON `\u0026` already decoded by the parser).
    pub h5_link: String,
    pub expires_in_seconds: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LivenessStatus {
    Pending,
    Active,
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

/// The configured provider, dispatched by `match`.
#[derive(Debug, Clone)]
pub enum Provider {
    Rehearsal(blockrun::Client),
    /// An in-memory double for the driver's paused-time unit tests.
    #[cfg(test)]
    Scripted(std::sync::Arc<scripted::Script>),
}

impl Provider {
    pub fn kind(&self) -> ProviderKind {
        match self {
            Provider::Rehearsal(_) => ProviderKind::Rehearsal,
            #[cfg(test)]
            Provider::Scripted(_) => ProviderKind::Rehearsal,
        }
    }

    pub async fn init_session(&self, name: &str) -> Result<LivenessLink> {
        match self {
            Provider::Rehearsal(c) => c.init(name, None).await,
            #[cfg(test)]
            Provider::Scripted(s) => s.init(),
        }
    }

    pub async fn refresh_session(&self, name: &str, group_id: &str) -> Result<LivenessLink> {
        match self {
            Provider::Rehearsal(c) => c.init(name, Some(group_id)).await,
            #[cfg(test)]
            Provider::Scripted(s) => s.init(),
        }
    }

    pub async fn session_status(&self, group_id: &str) -> Result<LivenessStatus> {
        match self {
            Provider::Rehearsal(c) => c.status(group_id).await,
            #[cfg(test)]
            Provider::Scripted(s) => s.status(),
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
            Provider::Rehearsal(c) => c.enroll(name, image_url, group_id, payment).await,
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
            Provider::Rehearsal(c) => c.enroll_portrait(name, image_url, payment).await,
            #[cfg(test)]
            Provider::Scripted(s) => s.enroll(name, image_url, payment),
        }
    }
}
