//! Whether the talent's phone is seen to reach the liveness page. Only where the page is this
//! studio's own (Rehearsal) can the app know the moment it opens; a provider's own page says
//! nothing until its callback or status does, so the window says "waiting for the provider
//! to report" there rather than implying the phone failed.

use serde::Serialize;
use tokio::sync::broadcast;

/// What the window says about the phone while the QR is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PhoneSignal {
    /// A phone opened the page at this time (epoch ms).
    Opened {
        #[serde(rename = "atMs")]
        at_ms: i64,
    },
    /// The page is ours and no phone has opened it yet.
    NotYet,
    /// The page is the provider's: the first sign of life is its callback or status.
    ProviderReports,
}

/// Sightings of this studio's own pages (implemented by the stage over Rehearsal).
pub trait PhoneWatch: Send + Sync + std::fmt::Debug {
    /// When a phone first opened the liveness page `h5_link` leads to.
    fn opened_at_ms(&self, h5_link: &str) -> Option<i64>;
    /// Announces each first opening of any page (a liveness page or the Phone test).
    fn subscribe(&self) -> broadcast::Receiver<()>;
    /// The Phone test page for `nonce`.
    fn test_link(&self, nonce: &str) -> Option<url::Url>;
    /// When a phone first opened the Phone test page for `nonce`.
    fn test_opened_at_ms(&self, nonce: &str) -> Option<i64>;
}

/// The signal for a session whose QR leads to `h5_link`.
pub fn signal(watch: Option<&dyn PhoneWatch>, h5_link: &str) -> PhoneSignal {
    match watch {
        None => PhoneSignal::ProviderReports,
        Some(w) => match w.opened_at_ms(h5_link) {
            Some(at_ms) => PhoneSignal::Opened { at_ms },
            None => PhoneSignal::NotYet,
        },
    }
}
