//! A scripted provider for unit tests of the driver under paused tokio time, where real HTTP
//! cannot run. End-to-end tests use Rehearsal instead.

use std::collections::VecDeque;
use std::sync::Mutex;

use super::{EnrollmentReceipt, LivenessLink, LivenessStatus, Paid, ProviderKind};
use crate::error::{Error, Result};

#[derive(Default)]
pub struct Script {
    /// Answers for successive status calls; when empty, the group stays pending.
    pub statuses: Mutex<VecDeque<Result<LivenessStatus>>>,
    pub status_calls: Mutex<Vec<tokio::time::Instant>>,
    pub inits: Mutex<u32>,
    pub enrolls: Mutex<u32>,
}

impl std::fmt::Debug for Script {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Script")
    }
}

impl Script {
    pub fn init(&self) -> Result<LivenessLink> {
        let mut n = self.inits.lock().unwrap();
        *n += 1;
        Ok(LivenessLink {
            group_id: "legacy_rf_42".into(),
            token: None,
            h5_link: format!("http://127.0.0.1:1/h5/?sessionToken=t{n}&configId=legacy_rf_42"),
            expires_in_seconds: 120,
        })
    }

    pub fn status(&self) -> Result<LivenessStatus> {
        self.status_calls
            .lock()
            .unwrap()
            .push(tokio::time::Instant::now());
        self.statuses
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Ok(LivenessStatus::Pending))
    }

    /// Answers like the account rail: no payment step.
    pub fn enroll(
        &self,
        name: &str,
        image_url: &str,
        _payment: Option<&crate::payment::SignedPayment>,
    ) -> Result<Paid<EnrollmentReceipt>> {
        *self.enrolls.lock().unwrap() += 1;
        Ok(Paid::Done(EnrollmentReceipt {
            asset_id: "ta_00000000000000000000000000000001".into(),
            group_id: Some("legacy_rf_42".into()),
            name: name.into(),
            image_url: image_url.into(),
            created_at: "2026-11-23T00:00:00.000Z".into(),
            price_usd: Some("0.010000".into()),
            tx_hash: None,
        }))
    }

    pub fn rate_limited(seconds: u64) -> Result<LivenessStatus> {
        Err(Error::RateLimited {
            provider: ProviderKind::Rehearsal,
            retry_after_seconds: Some(seconds),
        })
    }
}
