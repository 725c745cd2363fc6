//! What a video will likely cost and how long it usually takes, shown while the producer picks
//! options and before the provider is asked (the price asked then is the one paid). The price
//! is the provider's documented metering (`provider_api::metering`); the time is this studio's
//! own record once it has one, else the provider's documented figure.

use serde::Serialize;

use super::{JobState, SeedanceTier, VideoJob, VideoOptions, VideoRequest};
use crate::error::Result;

/// Past videos needed before the studio's own record replaces the provider's figure.
const OWN_RECORD_AFTER: usize = 3;
/// The newest videos the studio's figure is taken from.
const OWN_RECORD_OF: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VideoEstimate {
    /// About what the provider will ask, in dollars rounded up to the cent ("0.83"), where its
    /// docs give a price.
    pub price_usd: Option<String>,
    /// How long a video usually takes, in words: "usually about 2 min (your last 5 videos)".
    pub usually: Option<String>,
}

impl VideoOptions {
    /// The estimate for `req` as far as it is filled in; the options it names must be offered
    /// (a model, a length), the rest (face, prompt) may still be empty.
    pub fn estimate(&self, req: &VideoRequest, past: &[VideoJob]) -> Result<VideoEstimate> {
        let model = self.model(req.model.as_deref().unwrap_or(&self.default_model))?;
        let seconds = self.offered_duration(req.duration_seconds)?;
        let resolution = req
            .resolution
            .as_deref()
            .unwrap_or(&model.default_resolution);
        let fast = model.tier == SeedanceTier::Fast;
        let price_usd = self
            .api
            .estimated_video_price(fast, resolution, seconds)
            .map(|p| cents_up(p.atomic));
        Ok(VideoEstimate {
            price_usd,
            usually: self.usually(model.tier, past),
        })
    }

    fn usually(&self, tier: SeedanceTier, past: &[VideoJob]) -> Option<String> {
        let mut took: Vec<i64> = past
            .iter()
            .filter(|j| j.provider == self.provider && j.state == JobState::Completed)
            .filter(|j| SeedanceTier::of_model(&j.model) == tier)
            .filter_map(|j| Some(j.completed_at_ms? - j.submitted_at_ms?))
            .filter(|ms| *ms > 0)
            .take(OWN_RECORD_OF)
            .collect();
        if took.len() >= OWN_RECORD_AFTER {
            took.sort_unstable();
            let median = took[took.len() / 2];
            return Some(format!(
                "usually {} (your last {} videos here)",
                minutes(median),
                took.len()
            ));
        }
        let (low, high) = self.api.typical_video_seconds()?;
        Some(format!(
            "usually {}–{} min ({}'s figure)",
            low.div_ceil(60),
            high.div_ceil(60),
            self.api.label()
        ))
    }
}

/// "under a minute", "about 1 min", "about 4 min".
fn minutes(ms: i64) -> String {
    match (ms + 30_000) / 60_000 {
        0 => "under a minute".into(),
        n => format!("about {n} min"),
    }
}

/// An estimate in whole cents, rounded up: "0.83" for 825 804 atomic units.
fn cents_up(atomic: u64) -> String {
    let cents = atomic.div_ceil(10_000);
    format!("{}.{:02}", cents / 100, cents % 100)
}
