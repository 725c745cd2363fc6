//! x402 payments, without the network: parse a 402, decide whether it is payable, sign, verify.
//!
//! x402 turns an HTTP 402 into a USDC payment: the server lists what it accepts, the client signs
//! an EIP-3009 `TransferWithAuthorization` (an EIP-712 message) for exactly that amount and sends
//! the request again with the signature in a header; a facilitator later submits it on chain.
//! Both sides of that exchange live in this one module because the app pays BlockRun for real
//! and its Rehearsal server has to check those same payments for real: one implementation of the
//! wire format, tested against itself and against the published vectors, cannot drift apart.
//!
//! Why it is pure (no I/O, no clock, no randomness inside): every step is a function of its
//! inputs, so the flow driver can show the [`PaymentQuote`] and wait for the operator's
//! confirmation before anything is signed, can store the [`SignedPayment`] and re-send the same
//! bytes on a network retry instead of signing twice, and tests can pin every signature.
//!
//! Why a pinned table ([`Network`]): the challenge comes from the server we are about to pay, so
//! nothing that decides *where money goes or on which chain* is taken from it unchecked. Only
//! Base and Base Sepolia USDC are accepted, and the EIP-712 domain (chain id, verifying contract)
//! always comes from the table, never from the challenge.
//!
//! Both protocol versions are spoken (see `/work/shared/research/x402.md`):
//! - **v1**: the 402 body is `{x402Version:1, accepts:[…]}`; the client sends `X-PAYMENT`; the
//!   server answers with `X-PAYMENT-RESPONSE`.
//! - **v2**: the 402 carries a base64 `PAYMENT-REQUIRED` header; the client sends
//!   `PAYMENT-SIGNATURE` echoing the chosen offer verbatim as `accepted`; the server answers with
//!   `PAYMENT-RESPONSE`.
//!
//! Layout: [`challenge`] (parse and choose, client side), [`mod@sign`] (EIP-3009 signing and the
//! header), [`mod@verify`] (the server side: build a challenge, check a header), [`settlement`]
//! (the settlement header both ways).

pub mod chain;
pub mod challenge;
pub mod settlement;
pub mod sign;
pub mod verify;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use alloy::primitives::{address, Address};
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

pub use challenge::{parse_challenge, quote_challenge, Challenge, PaymentQuote, PaymentRefusal};
pub use settlement::{parse_settlement, Settlement, SettlementError};
pub use sign::{
    fresh_nonce, sign, sign_authorization, signing_hash, Authorization, SignError, SignedPayment,
};
pub use verify::{
    refusal_words, verify, BuiltChallenge, Requirement, VerifiedPayment, VerifyError,
};

/// v2: the 402's challenge header (base64 JSON `PaymentRequired`).
pub const PAYMENT_REQUIRED_HEADER: &str = "PAYMENT-REQUIRED";
/// v2: the client's payment header.
pub const PAYMENT_SIGNATURE_HEADER: &str = "PAYMENT-SIGNATURE";
/// v2: the server's settlement header.
pub const PAYMENT_RESPONSE_HEADER: &str = "PAYMENT-RESPONSE";
/// v1: the client's payment header. Seed 000 also names it among the 402's "x402 challenge
/// headers", so on a 402 it is read as a challenge too.
pub const X_PAYMENT_HEADER: &str = "X-PAYMENT";
/// BlockRun's docs' name for the challenge header (the same value as `PAYMENT-REQUIRED`).
pub const X_PAYMENT_REQUIRED_HEADER: &str = "X-PAYMENT-REQUIRED";
/// v1: the server's settlement header.
pub const X_PAYMENT_RESPONSE_HEADER: &str = "X-PAYMENT-RESPONSE";

/// The only scheme spoken: pay exactly the stated amount.
pub const SCHEME_EXACT: &str = "exact";

/// The longest authorization window we agree to sign (seconds). The payee can submit an
/// authorization at any time until `validBefore`, so a server asking for days is asking for a
/// long-lived blank cheque; BlockRun's SDK asks for 600 s, the spec examples for 60 s.
pub const MAX_TIMEOUT_SECONDS: u64 = 3600;

/// How far back `validAfter` is dated, as the reference clients do, so a payee whose clock runs
/// behind ours still sees the authorization as valid.
pub const VALID_AFTER_SKEW_SECONDS: u64 = 600;

/// USDC has 6 decimals on both pinned networks.
pub const USDC_DECIMALS: u32 = 6;

/// The protocol version a challenge was offered in; it decides header names and payload shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum X402Version {
    V1,
    V2,
}

impl X402Version {
    /// The `x402Version` number on the wire.
    pub fn number(self) -> u64 {
        match self {
            X402Version::V1 => 1,
            X402Version::V2 => 2,
        }
    }

    pub fn from_number(n: u64) -> Option<Self> {
        match n {
            1 => Some(X402Version::V1),
            2 => Some(X402Version::V2),
            _ => None,
        }
    }

    /// The header the client puts its signed payment in.
    pub fn payment_header(self) -> &'static str {
        match self {
            X402Version::V1 => X_PAYMENT_HEADER,
            X402Version::V2 => PAYMENT_SIGNATURE_HEADER,
        }
    }

    /// The header the server puts its settlement result in.
    pub fn settlement_header(self) -> &'static str {
        match self {
            X402Version::V1 => X_PAYMENT_RESPONSE_HEADER,
            X402Version::V2 => PAYMENT_RESPONSE_HEADER,
        }
    }
}

/// The pinned networks: the only places this app will send money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum Network {
    /// Base mainnet, chain 8453: real money.
    Base,
    /// Base Sepolia, chain 84532: test money.
    BaseSepolia,
}

const USDC_BASE: Address = address!("833589fCD6eDb6E08f4c7C32D4f71b54bdA02913");
const USDC_BASE_SEPOLIA: Address = address!("036CbD53842c5426634e7929541eC2318f3dCF7e");

impl Network {
    pub const ALL: [Network; 2] = [Network::Base, Network::BaseSepolia];

    /// Accepts the v1 name (`base`) and the v2 CAIP-2 id (`eip155:8453`) in either version:
    /// servers mix them up and both name the same chain.
    pub fn from_wire(name: &str) -> Option<Self> {
        match name {
            "base" | "eip155:8453" => Some(Network::Base),
            "base-sepolia" | "eip155:84532" => Some(Network::BaseSepolia),
            _ => None,
        }
    }

    pub fn chain_id(self) -> u64 {
        match self {
            Network::Base => 8453,
            Network::BaseSepolia => 84532,
        }
    }

    /// The USDC contract: the only asset, and the EIP-712 `verifyingContract`.
    pub fn usdc(self) -> Address {
        match self {
            Network::Base => USDC_BASE,
            Network::BaseSepolia => USDC_BASE_SEPOLIA,
        }
    }

    /// The token's EIP-712 domain name. It differs between the chains ("USD Coin" on Base,
    /// "USDC" on Base Sepolia), which is why servers send it in `extra`.
    pub fn usdc_eip712_name(self) -> &'static str {
        match self {
            Network::Base => "USD Coin",
            Network::BaseSepolia => "USDC",
        }
    }

    pub fn usdc_eip712_version(self) -> &'static str {
        "2"
    }

    /// The v1 network name.
    pub fn v1_name(self) -> &'static str {
        match self {
            Network::Base => "base",
            Network::BaseSepolia => "base-sepolia",
        }
    }

    /// The CAIP-2 id used by v2.
    pub fn caip2(self) -> &'static str {
        match self {
            Network::Base => "eip155:8453",
            Network::BaseSepolia => "eip155:84532",
        }
    }

    /// How this version names the network on the wire.
    pub fn wire_name(self, version: X402Version) -> &'static str {
        match version {
            X402Version::V1 => self.v1_name(),
            X402Version::V2 => self.caip2(),
        }
    }

    pub fn is_testnet(self) -> bool {
        matches!(self, Network::BaseSepolia)
    }

    /// For people: "Base", "Base Sepolia (testnet)".
    pub fn label(self) -> &'static str {
        match self {
            Network::Base => "Base",
            Network::BaseSepolia => "Base Sepolia (testnet)",
        }
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Where headers come from. Implemented for `http::HeaderMap` (what both reqwest and axum hand
/// out), for lists of `(name, value)` pairs and for any `Fn(&str) -> Option<String>`.
/// Lookups are case-insensitive, as HTTP header names are (hyper sends them lowercase).
pub trait HeaderSource {
    fn header(&self, name: &str) -> Option<String>;
}

impl<F> HeaderSource for F
where
    F: Fn(&str) -> Option<String>,
{
    fn header(&self, name: &str) -> Option<String> {
        self(name)
    }
}

impl HeaderSource for http::HeaderMap {
    fn header(&self, name: &str) -> Option<String> {
        // Lossy rather than `to_str`: a non-ASCII value must fail as malformed, not vanish.
        self.get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }
}

impl HeaderSource for [(String, String)] {
    fn header(&self, name: &str) -> Option<String> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

impl HeaderSource for Vec<(String, String)> {
    fn header(&self, name: &str) -> Option<String> {
        self.as_slice().header(name)
    }
}

impl HeaderSource for [(&str, &str)] {
    fn header(&self, name: &str) -> Option<String> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| (*v).to_owned())
    }
}

/// The TypeScript shape of an arbitrary JSON value, for fields that carry server JSON verbatim
/// (`#[specta(type = JsonValue)]` over a `serde_json::Value`). specta only knows
/// `serde_json::Value` behind its `serde_json` feature, which this crate does not enable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(untagged)]
pub enum JsonValue {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<JsonValue>),
    Object(BTreeMap<String, JsonValue>),
}

/// Decoding accepts missing padding: the TypeScript reference decodes leniently, and a peer
/// that drops `=` has still said something unambiguous. Encoding always pads.
const B64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// base64 (standard alphabet, padded) of compact JSON: every x402 header value.
pub fn encode_header_json(value: &impl Serialize) -> String {
    // Serialising plain data (strings, numbers, `Value`) into a Vec cannot fail.
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    STANDARD.encode(bytes)
}

/// The inverse of [`encode_header_json`]; the error says which step failed, for messages.
pub fn decode_header_json(value: &str) -> Result<serde_json::Value, String> {
    let bytes = B64_LENIENT
        .decode(value.trim())
        .map_err(|e| format!("not standard base64 ({e})"))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("not JSON after base64 decoding ({e})"))
}

/// `10000` atomic units → `"0.01"`: exact, no float, trailing zeros dropped.
pub fn format_usdc(atomic: u128) -> String {
    let unit = 10u128.pow(USDC_DECIMALS);
    let whole = atomic / unit;
    let frac = atomic % unit;
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:0width$}", width = USDC_DECIMALS as usize);
    format!("{whole}.{}", frac.trim_end_matches('0'))
}
