//! The server's half, for Rehearsal: issue a challenge, then check the payment that answers it.
//!
//! Rehearsal verifies payments for real (only settlement is pretend), so a client bug shows up
//! there before it costs money at BlockRun. The checks are the facilitator's, minus the chain:
//! scheme, network, asset, **exact** amount, payee, the time window (`validAfter <= now <
//! validBefore`) and the EIP-712 signature, recovered with alloy and compared with
//! `authorization.from`. Balance, `authorizationState` and nonce reuse need state or a chain, so
//! they are the caller's: [`VerifiedPayment`] returns the nonce for that.
//!
//! The domain used to recover is the pinned one for the *expected* network: a payment signed for
//! any other chain or contract recovers to a different address and fails as a signer mismatch.

use alloy::primitives::{Address, Signature, B256};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::challenge::{parse_address, parse_atomic_amount};
use super::sign::{signing_hash, Authorization, WireAuthorization};
use super::{
    decode_header_json, encode_header_json, Network, X402Version, PAYMENT_REQUIRED_HEADER,
    SCHEME_EXACT,
};

/// What a paid endpoint charges: one offer, in either version's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub network: Network,
    pub pay_to: Address,
    /// USDC atomic units (6 decimals): 10 000 = $0.01.
    pub amount_atomic: u128,
    pub max_timeout_seconds: u64,
    /// The URL being sold.
    pub resource: String,
    pub description: String,
    pub mime_type: String,
}

/// A challenge ready to send with a 402: v1 puts everything in the body; v2 puts it in the
/// `PAYMENT-REQUIRED` header and, like the TypeScript reference server, sends `{}` as the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltChallenge {
    pub version: X402Version,
    pub header: Option<(&'static str, String)>,
    /// JSON, `Content-Type: application/json`.
    pub body: Vec<u8>,
}

impl Requirement {
    /// 300 s window (BlockRun's server default), no resource text.
    pub fn new(network: Network, pay_to: Address, amount_atomic: u128) -> Self {
        Requirement {
            network,
            pay_to,
            amount_atomic,
            max_timeout_seconds: 300,
            resource: String::new(),
            description: String::new(),
            mime_type: "application/json".to_owned(),
        }
    }

    pub fn with_resource(mut self, url: impl Into<String>, description: impl Into<String>) -> Self {
        self.resource = url.into();
        self.description = description.into();
        self
    }

    pub fn with_max_timeout_seconds(mut self, seconds: u64) -> Self {
        self.max_timeout_seconds = seconds;
        self
    }

    /// The `PaymentRequirements` object as this version writes it.
    pub fn offer(&self, version: X402Version) -> Value {
        let extra = json!({
            "name": self.network.usdc_eip712_name(),
            "version": self.network.usdc_eip712_version(),
        });
        let network = self.network.wire_name(version);
        let asset = self.network.usdc().to_checksum(None);
        let pay_to = self.pay_to.to_checksum(None);
        let amount = self.amount_atomic.to_string();
        match version {
            X402Version::V1 => json!({
                "scheme": SCHEME_EXACT,
                "network": network,
                "maxAmountRequired": amount,
                "resource": self.resource,
                "description": self.description,
                "mimeType": self.mime_type,
                "payTo": pay_to,
                "maxTimeoutSeconds": self.max_timeout_seconds,
                "asset": asset,
                "extra": extra,
            }),
            X402Version::V2 => json!({
                "scheme": SCHEME_EXACT,
                "network": network,
                "amount": amount,
                "asset": asset,
                "payTo": pay_to,
                "maxTimeoutSeconds": self.max_timeout_seconds,
                "extra": extra,
            }),
        }
    }

    /// The whole `PaymentRequired` object. `error` is the free text clients show.
    pub fn payment_required(&self, version: X402Version, error: &str) -> Value {
        match version {
            X402Version::V1 => json!({
                "x402Version": 1,
                "error": error,
                "accepts": [self.offer(version)],
            }),
            X402Version::V2 => json!({
                "x402Version": 2,
                "error": error,
                "resource": {
                    "url": self.resource,
                    "description": self.description,
                    "mimeType": self.mime_type,
                },
                "accepts": [self.offer(version)],
            }),
        }
    }

    /// The 402 to send.
    pub fn challenge(&self, version: X402Version, error: &str) -> BuiltChallenge {
        let required = self.payment_required(version, error);
        match version {
            X402Version::V1 => BuiltChallenge {
                version,
                header: None,
                body: serde_json::to_vec(&required).unwrap_or_default(),
            },
            X402Version::V2 => BuiltChallenge {
                version,
                header: Some((PAYMENT_REQUIRED_HEADER, encode_header_json(&required))),
                body: b"{}".to_vec(),
            },
        }
    }
}

/// Why a payment header was not accepted. Messages are for the server log and the 402's `error`
/// text; [`VerifyError::code`] gives a facilitator-style reason code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    #[error("The payment header is malformed: {0}.")]
    Malformed(String),
    #[error("The payment is for x402 version {got}, but version {expected} was asked for.")]
    VersionMismatch { expected: u64, got: String },
    #[error("The payment uses scheme \"{0}\"; only \"exact\" is accepted.")]
    WrongScheme(String),
    #[error("The payment is for network \"{got}\", but {expected} was asked for.")]
    WrongNetwork { expected: Network, got: String },
    #[error("The payment is in token {got}, but USDC ({expected}) was asked for.")]
    WrongAsset { expected: String, got: String },
    #[error("The payment is for {got} USDC units, but exactly {expected} were asked for.")]
    WrongAmount { expected: String, got: String },
    #[error("The payment goes to {got}, but {expected} was asked for.")]
    WrongPayee { expected: String, got: String },
    #[error("The payment is not valid before {valid_after} (now {now}).")]
    NotYetValid { valid_after: u64, now: u64 },
    #[error("The payment expired at {valid_before} (now {now}).")]
    Expired { valid_before: u64, now: u64 },
    #[error("The payment signature is invalid: {0}.")]
    BadSignature(String),
    #[error("The payment is signed by {recovered}, not by its payer {from}.")]
    SignerMismatch { recovered: String, from: String },
}

impl VerifyError {
    /// A reason code in the style of the Python facilitator (`invalid_exact_evm_payload_*`).
    /// Codes are not stable across x402 implementations; clients map them by prefix at most.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Malformed(_) => "invalid_payload",
            VerifyError::VersionMismatch { .. } => "invalid_x402_version",
            VerifyError::WrongScheme(_) => "unsupported_scheme",
            VerifyError::WrongNetwork { .. } => "invalid_network",
            VerifyError::WrongAsset { .. } => "invalid_exact_evm_payload_asset_mismatch",
            VerifyError::WrongAmount { .. } => "invalid_exact_evm_payload_authorization_value",
            VerifyError::WrongPayee { .. } => "invalid_exact_evm_payload_recipient_mismatch",
            VerifyError::NotYetValid { .. } => {
                "invalid_exact_evm_payload_authorization_valid_after"
            }
            VerifyError::Expired { .. } => "invalid_exact_evm_payload_authorization_valid_before",
            VerifyError::BadSignature(_) | VerifyError::SignerMismatch { .. } => {
                "invalid_exact_evm_payload_signature"
            }
        }
    }
}

/// A seller's refusal code in words an operator can act on, matched loosely (codes differ between
/// x402 implementations); `None` for a code with no known meaning.
pub fn refusal_words(code: &str) -> Option<&'static str> {
    let code = code.to_ascii_lowercase();
    let has = |part: &str| code.contains(part);
    Some(if has("insufficient") {
        "the studio wallet does not hold enough USDC for it"
    } else if has("already_used") || has("nonce") {
        "it was already used"
    } else if has("valid_before") || has("expired") {
        "its signature expired before it was used"
    } else if has("valid_after") {
        "its signature is not valid yet (check this computer's clock)"
    } else if has("signature") {
        "its signature could not be checked"
    } else if has("value") || has("amount") || has("recipient") || has("asset") {
        "it does not match the price asked"
    } else if has("network") {
        "it is for another network"
    } else {
        return None;
    })
}

/// A payment that passed every stateless check. Record the nonce: a second payment with the
/// same `(payer, nonce)` must be refused (on chain it would fail to settle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedPayment {
    pub version: X402Version,
    pub network: Network,
    /// The recovered signer, equal to `authorization.from`, checksummed.
    pub payer: String,
    pub pay_to: String,
    pub value: String,
    pub valid_after: u64,
    pub valid_before: u64,
    /// `0x` + 64 lowercase hex.
    pub nonce_hex: String,
    pub signature_hex: String,
    #[serde(skip)]
    pub authorization: Authorization,
}

impl VerifiedPayment {
    pub fn nonce(&self) -> B256 {
        self.authorization.nonce
    }
    pub fn payer_address(&self) -> Address {
        self.authorization.from
    }
}

/// Checks one payment header (`X-PAYMENT` for v1, `PAYMENT-SIGNATURE` for v2) against what was
/// asked for, at `now_unix`.
pub fn verify(
    header_value: &str,
    version: X402Version,
    expected: &Requirement,
    now_unix: u64,
) -> Result<VerifiedPayment, VerifyError> {
    let result = verify_inner(header_value, version, expected, now_unix);
    match &result {
        Ok(p) => tracing::info!(
            payer = %p.payer, value = %p.value, nonce = %p.nonce_hex, "x402: payment verified"
        ),
        Err(e) => tracing::info!(reason = e.code(), error = %e, "x402: payment rejected"),
    }
    result
}

fn verify_inner(
    header_value: &str,
    version: X402Version,
    expected: &Requirement,
    now_unix: u64,
) -> Result<VerifiedPayment, VerifyError> {
    let Value::Object(root) = decode_header_json(header_value).map_err(VerifyError::Malformed)?
    else {
        return Err(VerifyError::Malformed(
            "the payload is not a JSON object".into(),
        ));
    };
    match root.get("x402Version").and_then(Value::as_u64) {
        Some(n) if n == version.number() => {}
        _ => {
            return Err(VerifyError::VersionMismatch {
                expected: version.number(),
                got: root
                    .get("x402Version")
                    .map_or_else(|| "(none)".to_owned(), Value::to_string),
            })
        }
    }

    let expected_pay_to = expected.pay_to.to_checksum(None);
    let expected_amount = expected.amount_atomic.to_string();

    // Where scheme and network live: top level (v1) or the echoed offer (v2).
    let terms = match version {
        X402Version::V1 => &root,
        X402Version::V2 => match root.get("accepted") {
            Some(Value::Object(a)) => a,
            _ => return Err(VerifyError::Malformed("accepted is missing".into())),
        },
    };
    let scheme = field(terms, "scheme")?;
    if scheme != SCHEME_EXACT {
        return Err(VerifyError::WrongScheme(scheme.to_owned()));
    }
    let network = field(terms, "network")?;
    if Network::from_wire(network) != Some(expected.network) {
        return Err(VerifyError::WrongNetwork {
            expected: expected.network,
            got: network.to_owned(),
        });
    }
    if version == X402Version::V2 {
        let asset = field(terms, "asset")?;
        if parse_address(asset) != Some(expected.network.usdc()) {
            return Err(VerifyError::WrongAsset {
                expected: expected.network.usdc().to_checksum(None),
                got: asset.to_owned(),
            });
        }
        let amount = field(terms, "amount")?;
        if parse_atomic_amount(amount) != Ok(expected.amount_atomic) {
            return Err(VerifyError::WrongAmount {
                expected: expected_amount,
                got: amount.to_owned(),
            });
        }
        let pay_to = field(terms, "payTo")?;
        if parse_address(pay_to) != Some(expected.pay_to) {
            return Err(VerifyError::WrongPayee {
                expected: expected_pay_to,
                got: pay_to.to_owned(),
            });
        }
    }

    let payload = match root.get("payload") {
        Some(Value::Object(p)) => p,
        _ => return Err(VerifyError::Malformed("payload is missing".into())),
    };
    let signature_text = field(payload, "signature")?;
    let wire: WireAuthorization = payload
        .get("authorization")
        .cloned()
        .ok_or_else(|| VerifyError::Malformed("authorization is missing".into()))
        .and_then(|a| {
            serde_json::from_value(a)
                .map_err(|e| VerifyError::Malformed(format!("authorization: {e}")))
        })?;

    let bad = |what: &str, text: &str| VerifyError::Malformed(format!("{what} \"{text}\""));
    let from = parse_address(&wire.from).ok_or_else(|| bad("authorization.from", &wire.from))?;
    let to = parse_address(&wire.to).ok_or_else(|| bad("authorization.to", &wire.to))?;
    if to != expected.pay_to {
        return Err(VerifyError::WrongPayee {
            expected: expected_pay_to,
            got: wire.to,
        });
    }
    let value = match parse_atomic_amount(&wire.value) {
        Ok(v) if v == expected.amount_atomic => v,
        _ => {
            return Err(VerifyError::WrongAmount {
                expected: expected_amount,
                got: wire.value,
            })
        }
    };
    let valid_after = parse_time(&wire.valid_after)
        .ok_or_else(|| bad("authorization.validAfter", &wire.valid_after))?;
    let valid_before = parse_time(&wire.valid_before)
        .ok_or_else(|| bad("authorization.validBefore", &wire.valid_before))?;
    let nonce = parse_nonce(&wire.nonce).ok_or_else(|| bad("authorization.nonce", &wire.nonce))?;
    if valid_after > now_unix {
        return Err(VerifyError::NotYetValid {
            valid_after,
            now: now_unix,
        });
    }
    if now_unix >= valid_before {
        return Err(VerifyError::Expired {
            valid_before,
            now: now_unix,
        });
    }

    let authorization = Authorization {
        from,
        to,
        value,
        valid_after,
        valid_before,
        nonce,
    };
    let signature = parse_signature(signature_text)?;
    let recovered = signature
        .recover_address_from_prehash(&signing_hash(expected.network, &authorization))
        .map_err(|e| VerifyError::BadSignature(e.to_string()))?;
    if recovered != from {
        return Err(VerifyError::SignerMismatch {
            recovered: recovered.to_checksum(None),
            from: from.to_checksum(None),
        });
    }

    Ok(VerifiedPayment {
        version,
        network: expected.network,
        payer: from.to_checksum(None),
        pay_to: to.to_checksum(None),
        value: value.to_string(),
        valid_after,
        valid_before,
        nonce_hex: format!("0x{}", hex::encode(nonce)),
        signature_hex: signature_text.to_ascii_lowercase(),
        authorization,
    })
}

fn field<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, VerifyError> {
    obj.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| VerifyError::Malformed(format!("{key} is missing or not a string")))
}

/// A decimal string, as every reference client sends times.
fn parse_time(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_hex(s: &str) -> Option<Vec<u8>> {
    hex::decode(s.strip_prefix("0x")?).ok()
}

fn parse_nonce(s: &str) -> Option<B256> {
    let bytes: [u8; 32] = parse_hex(s)?.try_into().ok()?;
    Some(B256::from(bytes))
}

/// 65 bytes `r‖s‖v`. `v` may be 27/28 or 0/1; `s` must be in the low half, as USDC's on-chain
/// `ECRecover` demands, so a malleated signature is refused here rather than at settlement.
fn parse_signature(s: &str) -> Result<Signature, VerifyError> {
    let bytes = parse_hex(s)
        .ok_or_else(|| VerifyError::BadSignature("it is not 0x-prefixed hex".into()))?;
    if bytes.len() != 65 {
        return Err(VerifyError::BadSignature(format!(
            "it is {} bytes, not 65",
            bytes.len()
        )));
    }
    if !matches!(bytes[64], 0 | 1 | 27 | 28) {
        return Err(VerifyError::BadSignature(format!(
            "v = {} (expected 27 or 28)",
            bytes[64]
        )));
    }
    let signature =
        Signature::from_raw(&bytes).map_err(|e| VerifyError::BadSignature(e.to_string()))?;
    if signature.normalize_s().is_some() {
        return Err(VerifyError::BadSignature(
            "s is in the upper half (malleable)".into(),
        ));
    }
    Ok(signature)
}
