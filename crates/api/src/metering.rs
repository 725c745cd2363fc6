//! Seedance's price and time as the providers' docs state them, for the estimate a producer
//! sees while choosing options (the price asked in the 402 is what is paid) and for the price
//! Rehearsal quotes, so the two never drift.
//!
//! BlockRun meters tokens (its video docs, 2026-08 reprice): 21,690 tokens per second of 720p,
//! ×0.5 at 480p and ×2.25 at 1080p, at $7.252 per million tokens on Seedance 2.0 fast and
//! $9.9715 on 2.0, plus its 5 % margin, which its own examples include (fast 5 s ≈ $0.83, 15 s
//! ≈ $2.48; 2.0 5 s ≈ $1.14). JarvisClaw's live API is BlockRun's behind a proxy. Anyfast and Crun bill
//! their accounts in credits with no public price per clip.

use crate::ProviderApi;

/// BlockRun's margin on the metered cost, in percent.
const MARGIN_PERCENT: u128 = 105;

/// Tokens per second of 720p video.
pub const TOKENS_PER_SECOND_720P: u128 = 21_690;

/// A price as BlockRun meters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeteredPrice {
    /// `21 690 × seconds × factor`, rounded up.
    pub tokens: u64,
    /// USDC atomic units (6 decimals): `tokens × rate × 1.05 / 10⁶` dollars, rounded up.
    pub atomic: u64,
}

/// The token factor in quarters (480p ×0.5, 720p ×1, 1080p ×2.25), so the price stays exact;
/// `None` for a resolution the docs give no factor for.
pub fn resolution_quarters(resolution: &str) -> Option<u128> {
    match resolution {
        "480p" => Some(2),
        "720p" => Some(4),
        "1080p" => Some(9),
        _ => None,
    }
}

/// USD per million tokens as a fraction: $7.252 (fast), $9.9715 (2.0).
fn rate(fast: bool) -> (u128, u128) {
    if fast {
        (7_252, 1_000)
    } else {
        (99_715, 10_000)
    }
}

/// `seconds` of `resolution` on Seedance 2.0 (`fast`: 2.0 fast), as BlockRun meters it. 5 s of
/// fast 720p: 108 450 tokens, $0.825804.
pub fn blockrun_price(fast: bool, resolution: &str, seconds: u32) -> Option<MeteredPrice> {
    let quarters = TOKENS_PER_SECOND_720P * u128::from(seconds) * resolution_quarters(resolution)?;
    let (num, den) = rate(fast);
    Some(MeteredPrice {
        tokens: u64::try_from(quarters.div_ceil(4)).unwrap_or(u64::MAX),
        atomic: u64::try_from((quarters * num * MARGIN_PERCENT).div_ceil(4 * den * 100))
            .unwrap_or(u64::MAX),
    })
}

impl ProviderApi {
    /// What a video costs before the provider is asked, where its docs give a price.
    pub fn estimated_video_price(
        self,
        fast: bool,
        resolution: &str,
        seconds: u32,
    ) -> Option<MeteredPrice> {
        match self {
            ProviderApi::BlockRun | ProviderApi::JarvisClaw => {
                blockrun_price(fast, resolution, seconds)
            }
            ProviderApi::Anyfast | ProviderApi::Crun => None,
        }
    }

    /// One enrollment (a real face or a portrait) as the docs price it now, for the warning
    /// before a session: $0.011 on BlockRun since its 2026-07 repricing (the seeds' $0.01 is
    /// older; research §1.3), the higher figure, so a wallet it covers can pay either. JarvisClaw's
    /// live API is BlockRun's. The 402 names the price actually paid. Anyfast and Crun bill
    /// their accounts.
    pub fn documented_enrollment_price_atomic(self) -> Option<u64> {
        match self {
            ProviderApi::BlockRun | ProviderApi::JarvisClaw => Some(11_000),
            ProviderApi::Anyfast | ProviderApi::Crun => None,
        }
    }

    /// How long a video usually takes from submit to ready, in seconds, where the docs say:
    /// BlockRun's "60–180 s typical" (its SDKs), which JarvisClaw's proxy shares.
    pub fn typical_video_seconds(self) -> Option<(u32, u32)> {
        match self {
            ProviderApi::BlockRun | ProviderApi::JarvisClaw => Some((60, 180)),
            ProviderApi::Anyfast | ProviderApi::Crun => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_figures_come_out() {
        // Research §1.6: fast 5 s ≈ $0.83, 15 s ≈ $2.48; 2.0 5 s ≈ $1.14.
        let five_fast = blockrun_price(true, "720p", 5).unwrap();
        assert_eq!(
            five_fast,
            MeteredPrice {
                tokens: 108_450,
                atomic: 825_804
            }
        );
        assert_eq!(blockrun_price(true, "720p", 15).unwrap().atomic, 2_477_411);
        assert_eq!(blockrun_price(false, "720p", 5).unwrap().atomic, 1_135_480);
        assert_eq!(blockrun_price(true, "480p", 5).unwrap().tokens, 54_225);
        assert_eq!(blockrun_price(false, "1080p", 4).unwrap().tokens, 195_210);
        assert_eq!(blockrun_price(true, "4K", 5), None);
        assert_eq!(
            ProviderApi::Crun.estimated_video_price(true, "720p", 5),
            None
        );
        assert_eq!(
            ProviderApi::JarvisClaw.typical_video_seconds(),
            Some((60, 180))
        );
    }
}
