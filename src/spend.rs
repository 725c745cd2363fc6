//! The spend guard: a paid step is refused before anything is signed when it would pass the
//! operator's per-payment or daily cap. Enforced in the core, so no UI path can skip it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::library::usdc_decimal;
use crate::video::tidy_usd;

/// Caps in atomic USDC units (6 decimals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendCaps {
    pub per_payment_atomic: u128,
    pub daily_atomic: u128,
}

impl Default for SpendCaps {
    /// $2 a payment, $20 a day.
    fn default() -> Self {
        SpendCaps {
            per_payment_atomic: 2_000_000,
            daily_atomic: 20_000_000,
        }
    }
}

/// Refuses `amount_atomic` when it passes a cap, given what may already have left today.
pub fn check(caps: SpendCaps, amount_atomic: u128, spent_today_atomic: u128) -> Result<()> {
    // Cents always, the sixth decimal only when it matters ("2.00", "20.000001"), where the
    // ledger keeps all six: as video prices are shown.
    let usd = |a: u128| tidy_usd(&usdc_decimal(&a.to_string()));
    if amount_atomic == 0 {
        return Err(Error::invalid(
            "amount",
            "The provider asked for a payment of $0; nothing was signed.",
        ));
    }
    if amount_atomic > caps.per_payment_atomic {
        return Err(Error::invalid(
            "per_payment_cap",
            format!(
                "This step costs ${}, above the ${} per-payment cap. Nothing was signed. Raise the cap in Settings if this price is expected.",
                usd(amount_atomic),
                usd(caps.per_payment_atomic)
            ),
        ));
    }
    let after = spent_today_atomic.saturating_add(amount_atomic);
    if after > caps.daily_atomic {
        return Err(Error::invalid(
            "daily_cap",
            format!(
                "Paying ${} would bring today's spending to ${}, above the ${} daily cap. Nothing was signed.",
                usd(amount_atomic),
                usd(after),
                usd(caps.daily_atomic)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_two_and_twenty_dollars() {
        let caps = SpendCaps::default();
        assert!(
            check(caps, 2_000_000, 0).is_ok(),
            "exactly the cap is allowed"
        );
        let e = check(caps, 2_000_001, 0).unwrap_err();
        assert!(
            e.to_string().contains("above the $2.00 per-payment cap"),
            "{e}"
        );
        assert!(check(caps, 1_000_000, 19_000_000).is_ok());
        let e = check(caps, 1_000_001, 19_000_000).unwrap_err();
        assert!(
            e.to_string().contains("$20.000001") && e.to_string().contains("daily cap"),
            "{e}"
        );
        assert!(check(caps, 0, 0).is_err());
    }

    #[test]
    fn amounts_read_as_dollars_and_cents() {
        assert_eq!(tidy_usd("2.000000"), "2.00");
        assert_eq!(tidy_usd("0.500000"), "0.50");
        assert_eq!(tidy_usd("20.000001"), "20.000001");
        assert_eq!(tidy_usd("0.012300"), "0.0123");
        assert_eq!(tidy_usd("7"), "7.00");
    }
}
