//! The phone seen to connect: each first opening of this studio's phone page re-sends the views
//! of the sessions waiting for a scan, so the operator's and the talent's views say "Phone
//! connected" within a moment; and the Phone test, which proves a phone reaches this machine
//! before any talent is in the room.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;

use super::Studio;
use crate::error::{Error, Result};
use crate::flow::phone::PhoneSignal;
use crate::flow::SessionState;

/// Settings → Phone test: a QR for a phone to open.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PhoneTest {
    pub nonce: String,
    pub link: String,
    pub qr_svg: String,
}

/// How long a Phone test waits for a phone before it says none came.
pub const PHONE_TEST_WAIT: Duration = Duration::from_secs(180);

impl Studio {
    /// Starts re-sending views on sightings; does nothing where the page is the provider's.
    pub fn watch_phones(self: &Arc<Self>) {
        let Some(watch) = self.config.phone_watch.clone() else {
            return;
        };
        let mut seen = watch.subscribe();
        let studio = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                match seen.recv().await {
                    Ok(()) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                }
                let Some(studio) = studio.upgrade() else {
                    return;
                };
                studio.announce_phones();
            }
        });
    }

    fn announce_phones(&self) {
        let open = match self.library.open_sessions() {
            Ok(open) => open,
            Err(e) => {
                tracing::warn!(error = %e, "could not list sessions to announce a phone");
                return;
            }
        };
        for session in open {
            if session.state != SessionState::AwaitingScan {
                continue;
            }
            let view = self.view(session, None);
            if matches!(view.phone, PhoneSignal::Opened { .. }) {
                let _ = self.updates.send(view);
            }
        }
    }

    /// A fresh Phone test: the page's link and its QR.
    pub fn start_phone_test(&self) -> Result<PhoneTest> {
        let watch = self.phone_watch()?;
        let nonce = hex::encode(rand::random::<[u8; 12]>());
        let link = watch.test_link(&nonce).ok_or_else(|| {
            Error::Internal("Rehearsal has no address for phones this run".into())
        })?;
        let qr_svg = crate::qr::svg(link.as_str())?;
        Ok(PhoneTest {
            nonce,
            link: link.to_string(),
            qr_svg,
        })
    }

    /// Waits until a phone opens the Phone test for `nonce` (its time, epoch ms), or `None`
    /// after `within`.
    pub async fn phone_test_opened(&self, nonce: &str, within: Duration) -> Result<Option<i64>> {
        let watch = self.phone_watch()?;
        let mut seen = watch.subscribe();
        let wait = async {
            loop {
                if let Some(at) = watch.test_opened_at_ms(nonce) {
                    return Some(at);
                }
                if let Err(RecvError::Closed) = seen.recv().await {
                    return watch.test_opened_at_ms(nonce);
                }
            }
        };
        Ok(tokio::time::timeout(within, wait).await.unwrap_or(None))
    }

    fn phone_watch(&self) -> Result<Arc<dyn crate::flow::phone::PhoneWatch>> {
        self.config.phone_watch.clone().ok_or_else(|| {
            Error::invalid(
                "provider",
                "The phone test works on Rehearsal, whose phone page is this computer's. A provider's page is on the provider's own servers, which phones reach over the internet.",
            )
        })
    }
}
