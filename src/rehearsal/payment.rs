//! The gate every paid endpoint passes, and the settlement it reports after success.
//!
//! Today the only rail is BlockRun's account rail: `Authorization: Bearer <key>` (the gateway also
//! takes `x-api-key`), drawing on prepaid credit. The x402 rail will plug in here: `authorize` is
//! where a missing or bad `PAYMENT-SIGNATURE` turns into a 402 challenge, and `settle` is where
//! the verified authorization is executed. Handlers call `authorize` after validating the body
//! (400 is "pre-payment" in the doc) and `settle` only once the enrollment succeeded (425, 422
//! and 502 never settle).

use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::ids;

/// The network Rehearsal's pretend settlements name. Not `base`: nothing here is real money.
pub const SETTLEMENT_NETWORK: &str = "base-sepolia";

/// A USD price in micro-dollars, written the way BlockRun writes it (`"0.010000"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price {
    pub micros: u64,
}

impl Price {
    /// RealFace enrollment: $0.01 (the doc's comparison table).
    pub const REALFACE: Price = Price { micros: 10_000 };
    /// Virtual Portrait enrollment: $0.50 (the doc's comparison table).
    pub const PORTRAIT: Price = Price { micros: 500_000 };

    pub fn body(self) -> PriceBody {
        PriceBody {
            amount: format!("{}.{:06}", self.micros / 1_000_000, self.micros % 1_000_000),
            currency: "USD",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PriceBody {
    pub amount: String,
    pub currency: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Settlement {
    pub success: bool,
    pub tx_hash: String,
    pub network: &'static str,
}

/// Who pays for one call, decided before any work is done.
#[derive(Debug)]
pub struct Authorization {
    pub wallet: String,
    pub price: Price,
}

impl Authorization {
    /// Charges the call. Only after the enrollment succeeded.
    pub fn settle(self) -> Settlement {
        let settlement = Settlement {
            success: true,
            tx_hash: ids::tx_hash(),
            network: SETTLEMENT_NETWORK,
        };
        tracing::info!(
            wallet = %self.wallet,
            amount = %self.price.body().amount,
            tx_hash = %settlement.tx_hash,
            "rehearsal: settled (pretend)"
        );
        settlement
    }
}

pub struct PaymentGate {
    key_digest: [u8; 32],
    key_owner: String,
}

impl std::fmt::Debug for PaymentGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentGate")
            .field("key_owner", &self.key_owner)
            .finish_non_exhaustive()
    }
}

impl PaymentGate {
    pub fn new(api_key: &str, key_owner: String) -> Self {
        PaymentGate {
            key_digest: Sha256::digest(api_key.as_bytes()).into(),
            key_owner,
        }
    }

    pub fn authorize(&self, headers: &HeaderMap, price: Price) -> Result<Authorization, ApiError> {
        let presented = match presented_key(headers) {
            Presented::Missing => {
                return Err(unauthorized(
                    "Missing API key: send `Authorization: Bearer <api key>`",
                    "MISSING_API_KEY",
                ))
            }
            Presented::Malformed => {
                return Err(unauthorized(
                    "Invalid API key: the Authorization header must be `Bearer <api key>`",
                    "INVALID_API_KEY",
                ))
            }
            Presented::Key(key) => key,
        };
        // Comparing digests keeps the comparison time independent of where the keys differ.
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let differing = digest
            .iter()
            .zip(self.key_digest.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if differing != 0 {
            return Err(unauthorized("Invalid API key", "INVALID_API_KEY"));
        }
        Ok(Authorization {
            wallet: self.key_owner.clone(),
            price,
        })
    }
}

enum Presented {
    Missing,
    Malformed,
    Key(String),
}

fn presented_key(headers: &HeaderMap) -> Presented {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let value = value.to_str().unwrap_or_default().trim();
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        let key = rest.trim();
        return if scheme.eq_ignore_ascii_case("bearer") && !key.is_empty() {
            Presented::Key(key.to_owned())
        } else {
            Presented::Malformed
        };
    }
    match headers
        .get("x-api-key")
        .map(|v| v.to_str().unwrap_or_default().trim())
    {
        None => Presented::Missing,
        Some("") => Presented::Malformed,
        Some(key) => Presented::Key(key.to_owned()),
    }
}

fn unauthorized(message: &str, code: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, message)
        .with("code", code)
        .header(WWW_AUTHENTICATE, "Bearer realm=\"rehearsal\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_format_like_blockrun() {
        assert_eq!(Price::REALFACE.body().amount, "0.010000");
        assert_eq!(Price::PORTRAIT.body().amount, "0.500000");
        assert_eq!(Price { micros: 1_000_000 }.body().amount, "1.000000");
    }

    #[test]
    fn checks_the_key() {
        let gate = PaymentGate::new("brk_secret", "0xabc".into());
        let mut h = HeaderMap::new();
        let missing = gate.authorize(&h, Price::REALFACE).unwrap_err();
        assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
        h.insert(AUTHORIZATION, "Bearer brk_wrong".parse().unwrap());
        assert!(gate.authorize(&h, Price::REALFACE).is_err());
        h.insert(AUTHORIZATION, "Basic Zm9vOmJhcg==".parse().unwrap());
        assert!(gate.authorize(&h, Price::REALFACE).is_err());
        h.insert(AUTHORIZATION, "bearer  brk_secret ".parse().unwrap());
        assert_eq!(gate.authorize(&h, Price::REALFACE).unwrap().wallet, "0xabc");
        let mut h = HeaderMap::new();
        h.insert("x-api-key", "brk_secret".parse().unwrap());
        assert!(gate.authorize(&h, Price::REALFACE).is_ok());
    }
}
