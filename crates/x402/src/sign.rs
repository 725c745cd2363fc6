//! Signing: an EIP-3009 `TransferWithAuthorization` for exactly the quoted amount, as a header.
//!
//! The authorization is filled the way the reference clients fill it (TypeScript `eip3009.ts`,
//! Python `exact/v1/client.py`, x402-rs `sign_erc3009_authorization`): `from` = our address,
//! `to` = the payee, `value` = the exact amount, `validAfter = now − 600` (clock skew),
//! `validBefore = now + maxTimeoutSeconds`, a random 32-byte nonce. The EIP-712 domain's chain id
//! and verifying contract come from the pinned [`Network`] table, never from the server.
//!
//! Time and the nonce are parameters so a signature is a pure function of its inputs: tests pin
//! it, and the caller decides when "now" is. The result, [`SignedPayment`], is a ledger record:
//! it holds the finished header value, so a network retry re-sends the same bytes instead of
//! signing a second authorization.

use std::borrow::Cow;

use alloy::primitives::{Address, Signature, B256, U256};
use alloy::signers::local::PrivateKeySigner;
use alloy::signers::SignerSync;
use alloy::sol;
use alloy::sol_types::{Eip712Domain, SolStruct};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{encode_header_json, Network, PaymentQuote, X402Version, VALID_AFTER_SKEW_SECONDS};

sol! {
    /// EIP-3009, as USDC implements it. Typehash
    /// `0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267`.
    #[derive(Debug)]
    struct TransferWithAuthorization {
        address from;
        address to;
        uint256 value;
        uint256 validAfter;
        uint256 validBefore;
        bytes32 nonce;
    }
}

/// The signed fields of a transfer authorization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authorization {
    pub from: Address,
    pub to: Address,
    /// USDC atomic units.
    pub value: u128,
    pub valid_after: u64,
    pub valid_before: u64,
    pub nonce: B256,
}

impl Authorization {
    fn message(&self) -> TransferWithAuthorization {
        TransferWithAuthorization {
            from: self.from,
            to: self.to,
            value: U256::from(self.value),
            validAfter: U256::from(self.valid_after),
            validBefore: U256::from(self.valid_before),
            nonce: self.nonce,
        }
    }
}

/// USDC's EIP-712 domain on a pinned network.
fn domain(network: Network) -> Eip712Domain {
    Eip712Domain::new(
        Some(Cow::Borrowed(network.usdc_eip712_name())),
        Some(Cow::Borrowed(network.usdc_eip712_version())),
        Some(U256::from(network.chain_id())),
        Some(network.usdc()),
        None,
    )
}

/// The EIP-712 digest that is signed (and recovered from, when verifying).
pub fn signing_hash(network: Network, authorization: &Authorization) -> B256 {
    authorization
        .message()
        .eip712_signing_hash(&domain(network))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    #[error("The wallet could not sign the payment ({0}). Nothing was sent.")]
    Signer(String),
}

/// Signs one authorization with USDC's domain on `network`. The signature is 65 bytes `r‖s‖v`
/// with v = 27/28 via [`Signature::as_bytes`], as viem and eth-account emit it.
pub fn sign_authorization(
    signer: &PrivateKeySigner,
    network: Network,
    authorization: &Authorization,
) -> Result<Signature, SignError> {
    signer
        .sign_hash_sync(&signing_hash(network, authorization))
        .map_err(|e| SignError::Signer(e.to_string()))
}

/// 32 bytes from the operating system's random source, for [`sign()`]'s `nonce`.
pub fn fresh_nonce() -> [u8; 32] {
    let mut nonce = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    nonce
}

/// A signed payment, ready to send and to record. Re-send `header_value` as is on a retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SignedPayment {
    pub version: X402Version,
    pub network: Network,
    /// `X-PAYMENT` (v1) or `PAYMENT-SIGNATURE` (v2).
    pub header_name: String,
    /// base64 JSON payment payload.
    pub header_value: String,
    /// `0x` + 64 hex: the EIP-3009 nonce, unique per authorization.
    pub nonce_hex: String,
    /// The payer, checksummed.
    pub from: String,
    /// The payee, checksummed.
    pub to: String,
    /// USDC atomic units, decimal.
    pub value: String,
    pub valid_after: u64,
    pub valid_before: u64,
    /// `0x` + 130 hex.
    pub signature_hex: String,
}

impl SignedPayment {
    /// `(name, value)` for the request.
    pub fn header(&self) -> (&str, &str) {
        (&self.header_name, &self.header_value)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireAuthorization {
    pub from: String,
    pub to: String,
    pub value: String,
    pub valid_after: String,
    pub valid_before: String,
    pub nonce: String,
}

#[derive(Serialize)]
struct WireExactPayload<'a> {
    signature: &'a str,
    authorization: &'a WireAuthorization,
}

/// v1 `PaymentPayload` (spec §5.2), field order as the spec shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PayloadV1<'a> {
    x402_version: u64,
    scheme: &'a str,
    network: &'a str,
    payload: WireExactPayload<'a>,
}

/// v2 `PaymentPayload`: `accepted` is the offer verbatim (servers match it by deep equality);
/// `resource` and `extensions` are echoed when the challenge had them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PayloadV2<'a> {
    x402_version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a Value>,
    accepted: &'a Value,
    payload: WireExactPayload<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<&'a Value>,
}

/// Signs the quoted payment: `validAfter = now − 600`, `validBefore = now + maxTimeoutSeconds`,
/// the given nonce, exactly the quoted amount to the quoted payee.
pub fn sign(
    quote: &PaymentQuote,
    signer: &PrivateKeySigner,
    now_unix: u64,
    nonce: [u8; 32],
) -> Result<SignedPayment, SignError> {
    let terms = &quote.terms;
    let network = quote.network();
    let version = quote.x402_version();
    let authorization = Authorization {
        from: signer.address(),
        to: terms.pay_to,
        value: terms.amount,
        valid_after: now_unix.saturating_sub(VALID_AFTER_SKEW_SECONDS),
        valid_before: now_unix.saturating_add(quote.max_timeout_seconds()),
        nonce: B256::from(nonce),
    };
    let signature = sign_authorization(signer, network, &authorization)?;
    let signature_hex = format!("0x{}", hex::encode(signature.as_bytes()));
    let wire = WireAuthorization {
        from: authorization.from.to_checksum(None),
        to: authorization.to.to_checksum(None),
        value: authorization.value.to_string(),
        valid_after: authorization.valid_after.to_string(),
        valid_before: authorization.valid_before.to_string(),
        nonce: format!("0x{}", hex::encode(authorization.nonce)),
    };
    let payload = WireExactPayload {
        signature: &signature_hex,
        authorization: &wire,
    };
    let header_value = match version {
        X402Version::V1 => encode_header_json(&PayloadV1 {
            x402_version: 1,
            scheme: super::SCHEME_EXACT,
            network: &terms.network_wire,
            payload,
        }),
        X402Version::V2 => encode_header_json(&PayloadV2 {
            x402_version: 2,
            resource: terms.resource_echo.as_ref(),
            accepted: quote.offered(),
            payload,
            extensions: terms.extensions_echo.as_ref(),
        }),
    };
    tracing::info!(
        version = ?version,
        network = %network,
        from = %wire.from,
        to = %wire.to,
        value = %wire.value,
        valid_before = authorization.valid_before,
        nonce = %wire.nonce,
        "x402: payment signed"
    );
    Ok(SignedPayment {
        version,
        network,
        header_name: version.payment_header().to_owned(),
        header_value,
        nonce_hex: wire.nonce,
        from: wire.from,
        to: wire.to,
        value: wire.value,
        valid_after: authorization.valid_after,
        valid_before: authorization.valid_before,
        signature_hex,
    })
}
