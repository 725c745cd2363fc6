//! The settlement header: the server's receipt that the authorization was (or was not) executed.
//!
//! It is optional on purpose: servers may answer 200 without it (no settlement yet, or a handler
//! that did not succeed), so its absence is `Ok(None)`, never an error. When present it is base64
//! JSON `{success, transaction, network, payer, errorReason?}`; the legacy Python server writes
//! explicit nulls, and v2 failures carry `"transaction": ""`, so every field but `success` is
//! optional and empty strings count as absent. v2's `PAYMENT-RESPONSE` is read first, then v1's
//! `X-PAYMENT-RESPONSE`, as the TypeScript client does.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    decode_header_json, encode_header_json, HeaderSource, X402Version, PAYMENT_RESPONSE_HEADER,
    X_PAYMENT_RESPONSE_HEADER,
};

/// A decoded settlement header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Settlement {
    /// Which header carried it: v2 `PAYMENT-RESPONSE` or v1 `X-PAYMENT-RESPONSE`.
    pub version: X402Version,
    pub success: bool,
    /// The transaction hash, when the server reports one.
    pub transaction: Option<String>,
    /// As the server names it (`base`, `eip155:8453`, …); reported, not checked.
    pub network: Option<String>,
    pub payer: Option<String>,
    /// The server's failure reason, verbatim (codes differ between implementations).
    pub error_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettlementError {
    #[error("The server's {header} header is malformed: {reason}. The payment may still have been made; check the payer's wallet.")]
    Malformed {
        header: &'static str,
        reason: String,
    },
}

/// Reads the settlement header of a response, if there is one.
pub fn parse_settlement<H>(headers: &H) -> Result<Option<Settlement>, SettlementError>
where
    H: HeaderSource + ?Sized,
{
    let found = [
        (PAYMENT_RESPONSE_HEADER, X402Version::V2),
        (X_PAYMENT_RESPONSE_HEADER, X402Version::V1),
    ]
    .into_iter()
    .find_map(|(name, version)| headers.header(name).map(|v| (name, version, v)));
    let Some((header, version, value)) = found else {
        return Ok(None);
    };
    let malformed = |reason: String| SettlementError::Malformed { header, reason };
    let Value::Object(obj) = decode_header_json(&value).map_err(malformed)? else {
        return Err(malformed("it is not a JSON object".into()));
    };
    let success = obj
        .get("success")
        .and_then(Value::as_bool)
        .ok_or_else(|| malformed("success is missing".into()))?;
    let text = |key: &str| match obj.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let settlement = Settlement {
        version,
        success,
        transaction: text("transaction"),
        network: text("network"),
        payer: text("payer"),
        error_reason: text("errorReason"),
    };
    tracing::info!(
        header,
        success,
        transaction = settlement.transaction.as_deref().unwrap_or(""),
        error_reason = settlement.error_reason.as_deref().unwrap_or(""),
        "x402: settlement header"
    );
    Ok(Some(settlement))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireSettlement<'a> {
    success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payer: Option<&'a str>,
    transaction: &'a str,
    network: &'a str,
}

impl Settlement {
    /// The header to send (for Rehearsal): `(name, base64 JSON)`. `transaction` is written as
    /// `""` when absent, as the reference servers do on failure.
    pub fn to_header(&self) -> (&'static str, String) {
        let wire = WireSettlement {
            success: self.success,
            error_reason: self.error_reason.as_deref(),
            payer: self.payer.as_deref(),
            transaction: self.transaction.as_deref().unwrap_or(""),
            network: self.network.as_deref().unwrap_or(""),
        };
        (self.version.settlement_header(), encode_header_json(&wire))
    }
}
