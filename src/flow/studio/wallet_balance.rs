//! The studio wallet's balance, for the price panels ("From: studio wallet, $19.99 → $19.98")
//! and the session form's warning before a talent is called over.

use serde::Serialize;
use x402::Network;

use super::Studio;
use crate::balance::BalanceReading;
use crate::error::{Error, Result};
use crate::flow::checkout::PayeeRecord;
use crate::providers::ProviderKind;

impl Studio {
    /// The studio wallet's USDC on `network` (a shown price's), or on the network this provider
    /// is paid on. No wallet (the API-key rail) is a reading too.
    pub async fn wallet_balance(&self, network: Option<Network>) -> BalanceReading {
        let Some(owner) = self.checkout.wallet().map(|w| w.address()) else {
            return BalanceReading::NoWallet;
        };
        let network = network.unwrap_or_else(|| self.payment_network());
        let node = self.config.chain_nodes.for_network(network);
        crate::balance::read(&self.http, node, network, owner, &self.clock).await
    }

    /// Who a shown price pays, named from the ledger.
    pub fn payee(&self, provider: ProviderKind, address: &str) -> Result<PayeeRecord> {
        self.checkout.payee(provider, address)
    }

    /// Rehearsal pays in test money; the real sellers document Base.
    fn payment_network(&self) -> Network {
        match self.provider().kind() {
            ProviderKind::Rehearsal => Network::BaseSepolia,
            _ => Network::Base,
        }
    }
}

/// Whether the studio wallet can pay for one enrollment now, said on the session form before
/// the talent is called over (never a block: the price asked at Pay is what counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(
    tag = "state",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum EnrollmentFunds {
    /// Billed to the provider's account (an API key), no documented price, or no wallet yet
    /// (Start says so itself): nothing to say here.
    NotFromWallet,
    /// The wallet holds the documented price and the caps let it be paid.
    Enough {
        price_atomic: String,
        balance_atomic: String,
    },
    /// The wallet holds less than the documented price.
    Short {
        price_atomic: String,
        balance_atomic: String,
    },
    /// A cap refuses the price today.
    OverLimit { price_atomic: String, cap: SpendCap },
    /// The balance could not be read (why, in words); the provider checks it at Pay.
    Unknown {
        price_atomic: String,
        reason: String,
    },
}

/// Which of Settings' caps a price passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SpendCap {
    PerPayment,
    Daily,
}

impl Studio {
    /// One enrollment's documented price against the wallet and the caps.
    pub async fn enrollment_funds(&self) -> Result<EnrollmentFunds> {
        let provider = self.provider();
        let keyed = provider.endpoint().is_some_and(|e| e.has_api_key());
        let price = provider
            .api()
            .ok()
            .and_then(|api| api.documented_enrollment_price_atomic());
        let (Some(price), false, Some(_)) = (price, keyed, self.checkout.wallet()) else {
            return Ok(EnrollmentFunds::NotFromWallet);
        };
        let price_atomic = price.to_string();
        match self.checkout.check_amount(u128::from(price)) {
            Ok(()) => {}
            Err(Error::Invalid {
                field: "per_payment_cap",
                ..
            }) => {
                return Ok(EnrollmentFunds::OverLimit {
                    price_atomic,
                    cap: SpendCap::PerPayment,
                })
            }
            Err(Error::Invalid {
                field: "daily_cap", ..
            }) => {
                return Ok(EnrollmentFunds::OverLimit {
                    price_atomic,
                    cap: SpendCap::Daily,
                })
            }
            Err(e) => return Err(e),
        }
        Ok(match self.wallet_balance(None).await {
            BalanceReading::NoWallet => EnrollmentFunds::NotFromWallet,
            BalanceReading::Unknown { reason, .. } => EnrollmentFunds::Unknown {
                price_atomic,
                reason,
            },
            BalanceReading::Known { atomic, .. } => {
                let held = atomic.parse::<u128>().unwrap_or(0);
                if held < u128::from(price) {
                    EnrollmentFunds::Short {
                        price_atomic,
                        balance_atomic: atomic,
                    }
                } else {
                    EnrollmentFunds::Enough {
                        price_atomic,
                        balance_atomic: atomic,
                    }
                }
            }
        })
    }
}
