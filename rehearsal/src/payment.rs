//! The gate every paid endpoint passes, and the settlement it reports after success.
//!
//! Two rails, as BlockRun has them:
//!
//! - **Account rail**: `Authorization: Bearer <key>` (the gateway also takes `x-api-key`), drawing
//!   on prepaid credit. A valid key always wins, even next to a payment header, and is never an
//!   x402 settlement. A key that is presented but wrong, with no payment header beside it, is
//!   `401` (a client on the key rail wants to hear about its key, not to be asked to sign).
//! - **x402 rail**, on Base Sepolia (test USDC, nobody pays real money): no key and no payment
//!   header is `402` with the challenge for the endpoint's price; a payment header
//!   (`PAYMENT-SIGNATURE` in v2, `X-PAYMENT` in v1; either name is read, the payload must be in
//!   the configured version) is verified for real by [`x402::verify`] (EIP-712 signer,
//!   scheme, network, asset, exact amount, payee, time window) and checked against the nonce
//!   ledger (see the `ledger` module). A refusal is `402` with a fresh challenge whose `error` is
//!   a reason code (`invalid_exact_evm_payload_signature`,
//!   `invalid_exact_evm_nonce_already_used`, …). Where the challenge goes is the
//!   [`ChallengeShape`]: each place a document names, one at a time.
//!
//! Handlers pick the rail ([`PaymentGate::rail`]) right after validating the body, then
//! [`charge`] (the 402 probe and verification), then check the group, and [`finish`] only once
//! the enrollment succeeded, in the order of seed 000's error table (400 → 402 → 425 / 422 /
//! 502): nothing about a group is told to a caller that has not paid. 425, 422 and 502 never
//! settle, and the in-flight nonce goes back to void when the request ends any other way (even
//! when the client hangs up mid-request).
//!
//! A settled nonce is spent, so re-sending the header that settled is refused like any other
//! use of it (`402 invalid_exact_evm_nonce_already_used`), as a real facilitator refuses it: no
//! seed promises the original 200 again, and a client that counted on it would pay twice
//! against a real seller.

use std::sync::Arc;
use std::time::SystemTime;

use alloy::primitives::{address, Address};
use axum::http::header::{AUTHORIZATION, HOST, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use x402::{
    self as x402, Network, Requirement, VerifiedPayment, X402Version, PAYMENT_REQUIRED_HEADER,
    PAYMENT_SIGNATURE_HEADER, X_PAYMENT_HEADER, X_PAYMENT_REQUIRED_HEADER,
};

use super::conn::Peer;
use super::error::ApiError;
use super::ids;
use super::ledger::{Attempt, LedgerKey, Refusal};
use super::service::Service;
use super::wall_clock;

/// The network Rehearsal takes payments on: Base Sepolia, chain 84532, USDC
/// `0x036CbD53842c5426634e7929541eC2318f3dCF7e`. Never `base`: nothing here is real money.
pub const NETWORK: Network = Network::BaseSepolia;

/// The network the account rail's pretend receipts name.
pub const SETTLEMENT_NETWORK: &str = "base-sepolia";

/// Rehearsal's treasury, the default `payTo`: the bytes of "REHEARSAL" in ASCII
/// (`52 45 48 45 41 52 53 41 4c`) followed by zeros and `0402`. Nobody holds its key, and
/// Rehearsal never submits anything on chain anyway: a signed authorization to it can only ever
/// move Base Sepolia test USDC, and only if someone else submits it before it expires.
pub const TREASURY: Address = address!("52454845415253414c0000000000000000000402");

/// A USDC price in atomic units (6 decimals, so also micro-dollars), written the way BlockRun
/// writes it (`"0.010000"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price {
    pub atomic: u128,
}

impl Price {
    pub fn body(self) -> PriceBody {
        PriceBody {
            amount: format!("{}.{:06}", self.atomic / 1_000_000, self.atomic % 1_000_000),
            currency: "USD",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PriceBody {
    pub amount: String,
    pub currency: &'static str,
}

/// The body's `settlement` object.
#[derive(Debug, Clone, Serialize)]
pub struct Settlement {
    pub success: bool,
    pub tx_hash: String,
    pub network: &'static str,
}

/// What a paid endpoint sells, for the challenge and the ledger.
#[derive(Debug, Clone)]
pub struct PaidCall {
    /// The route, e.g. `/v1/realface/enroll`.
    pub endpoint: &'static str,
    pub price: Price,
    /// What the payment buys, in the challenge's `description`.
    pub description: &'static str,
    /// The request URL, in the challenge's `resource`.
    pub resource: String,
}

impl PaidCall {
    pub fn new(
        endpoint: &'static str,
        price: Price,
        description: &'static str,
        headers: &HeaderMap,
        fallback_host: &str,
    ) -> Self {
        PaidCall {
            endpoint,
            price,
            description,
            resource: format!("http://{}{endpoint}", request_host(headers, fallback_host)),
        }
    }
}

impl PaidCall {
    /// The same sale offered at another URL of this host (a video job's poll URL, query
    /// included): the challenge's `resource` names what the client asked for.
    pub fn at_path(
        mut self,
        headers: &HeaderMap,
        fallback_host: &str,
        path_and_query: &str,
    ) -> Self {
        self.resource = format!(
            "http://{}{path_and_query}",
            request_host(headers, fallback_host)
        );
        self
    }
}

/// The `Host` the client used, if it is a plausible `host[:port]`.
fn request_host(headers: &HeaderMap, fallback: &str) -> String {
    headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::trim)
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or(fallback)
        .to_owned()
}

/// How a paid call will be paid for, decided from its headers.
#[derive(Debug)]
pub enum Rail {
    /// A valid API key: the enrollment belongs to the key's owner.
    Key { wallet: String },
    /// x402, with the payment header if one came.
    X402 { header: Option<String> },
}

/// Where a 402 puts its challenge. The same `PaymentRequired` object (offers, `error`,
/// `resource`) in every shape; only its place differs, and in each shape it is in that place
/// alone, so a client that reads only some places fails the shapes it skips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChallengeShape {
    /// The configured version's own transport: v2 the `PAYMENT-REQUIRED` header with the same
    /// object (and a `message` in words) as the body; v1 the body.
    #[default]
    Standard,
    /// The x402 v2 reference server: the `PAYMENT-REQUIRED` header, and `{}` as the body.
    PaymentRequiredHeader,
    /// BlockRun's API docs: the `X-Payment-Required` header (base64); the body only words.
    XPaymentRequiredHeader,
    /// Seed 000's "x402 challenge headers" next to `X-Payment`: an `X-Payment` header (base64)
    /// on the 402; the body only words.
    XPaymentHeader,
    /// x402 v1's transport whatever the version: the object as the body, no header.
    X402Body,
    /// What BlockRun's SDK also reads: the body with `accepts` but no `x402Version` (the
    /// offers' amount field says the version), no header.
    AcceptsBody,
    /// The other body BlockRun's SDK reads: `{"error": words, "x402": <the object>}`.
    NestedX402Body,
}

impl ChallengeShape {
    pub const ALL: [ChallengeShape; 7] = [
        ChallengeShape::Standard,
        ChallengeShape::PaymentRequiredHeader,
        ChallengeShape::XPaymentRequiredHeader,
        ChallengeShape::XPaymentHeader,
        ChallengeShape::X402Body,
        ChallengeShape::AcceptsBody,
        ChallengeShape::NestedX402Body,
    ];
}

pub struct PaymentGate {
    key_digest: [u8; 32],
    key_owner: String,
    version: X402Version,
    pay_to: Address,
    /// What each challenge offers as `maxTimeoutSeconds`.
    window_seconds: u64,
    shape: ChallengeShape,
}

impl std::fmt::Debug for PaymentGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentGate")
            .field("key_owner", &self.key_owner)
            .field("version", &self.version)
            .field("pay_to", &self.pay_to)
            .finish_non_exhaustive()
    }
}

impl PaymentGate {
    pub fn new(api_key: &str, key_owner: String, version: X402Version, pay_to: Address) -> Self {
        PaymentGate {
            key_digest: Sha256::digest(api_key.as_bytes()).into(),
            key_owner,
            version,
            pay_to,
            window_seconds: 300,
            shape: ChallengeShape::Standard,
        }
    }

    /// Every challenge this gate sends goes in `shape`.
    pub fn with_shape(mut self, shape: ChallengeShape) -> Self {
        self.shape = shape;
        self
    }

    /// Authorizations this gate asks for can be collected for `window` (whole seconds, at least 1).
    pub fn with_window(mut self, window: std::time::Duration) -> Self {
        self.window_seconds = window.as_secs().max(1);
        self
    }

    pub fn version(&self) -> X402Version {
        self.version
    }

    /// The rail, or `401` for a wrong or malformed key that came without a payment header.
    pub fn rail(&self, headers: &HeaderMap) -> Result<Rail, ApiError> {
        let payment = payment_header(headers, self.version);
        let refused = match presented_key(headers) {
            Presented::Missing => None,
            Presented::Key(key) if self.key_matches(&key) => {
                return Ok(Rail::Key {
                    wallet: self.key_owner.clone(),
                })
            }
            Presented::Key(_) => Some(unauthorized("Invalid API key")),
            Presented::Malformed => Some(unauthorized(
                "Invalid API key: the Authorization header must be `Bearer <api key>`",
            )),
        };
        match (refused, payment) {
            (Some(refusal), None) => Err(refusal),
            (_, header) => Ok(Rail::X402 { header }),
        }
    }

    fn key_matches(&self, presented: &str) -> bool {
        // Comparing digests keeps the comparison time independent of where the keys differ.
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest
            .iter()
            .zip(self.key_digest.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }

    pub fn requirement(&self, call: &PaidCall) -> Requirement {
        Requirement::new(NETWORK, self.pay_to, call.price.atomic)
            .with_resource(call.resource.clone(), call.description)
            .with_max_timeout_seconds(self.window_seconds)
    }

    /// `402` with the challenge for `call`: v2 in the `PAYMENT-REQUIRED` header and the same
    /// object as the JSON body, v1 in the body. `error` is the x402 reason (free text for the
    /// first probe, a code after a refusal); `message` says it in words.
    pub fn challenge(&self, call: &PaidCall, error: &str, message: &str) -> ApiError {
        let requirement = self.requirement(call);
        let required = match requirement.payment_required(self.version, error) {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let encoded = || x402::encode_header_json(&required);
        let words = || {
            let mut body = Map::new();
            body.insert("error".into(), Value::String(message.to_owned()));
            body
        };
        let (header, body) = match (self.shape, self.version) {
            (ChallengeShape::Standard, X402Version::V1) | (ChallengeShape::X402Body, _) => {
                (None, required.clone())
            }
            (ChallengeShape::Standard, X402Version::V2) => {
                let mut body = required.clone();
                body.insert("message".into(), Value::String(message.to_owned()));
                (Some((PAYMENT_REQUIRED_HEADER, encoded())), body)
            }
            (ChallengeShape::PaymentRequiredHeader, _) => {
                (Some((PAYMENT_REQUIRED_HEADER, encoded())), Map::new())
            }
            (ChallengeShape::XPaymentRequiredHeader, _) => {
                (Some((X_PAYMENT_REQUIRED_HEADER, encoded())), words())
            }
            (ChallengeShape::XPaymentHeader, _) => (Some((X_PAYMENT_HEADER, encoded())), words()),
            (ChallengeShape::AcceptsBody, _) => {
                let mut body = required.clone();
                body.remove("x402Version");
                (None, body)
            }
            (ChallengeShape::NestedX402Body, _) => {
                let mut body = words();
                body.insert("x402".into(), Value::Object(required.clone()));
                (None, body)
            }
        };
        let mut reply = ApiError::with_body(StatusCode::PAYMENT_REQUIRED, body);
        if let Some((name, value)) = header {
            if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
                reply = reply.header(name, value);
            }
        }
        reply
    }

    /// The first `402` for `call`: the challenge, with the missing header named.
    pub fn payment_required(&self, call: &PaidCall) -> ApiError {
        self.probe(call)
    }

    fn probe(&self, call: &PaidCall) -> ApiError {
        let header = self.version.payment_header();
        self.challenge(
            call,
            &format!("{header} header is required"),
            &format!(
                "Payment required: {} USDC on {} for {}. Sign the offer and send it again with {header}, or use an API key.",
                x402::format_usdc(call.price.atomic),
                NETWORK.label(),
                call.endpoint
            ),
        )
    }
}

/// The payment header: the configured version's name first, then the other one.
fn payment_header(headers: &HeaderMap, version: X402Version) -> Option<String> {
    let names = match version {
        X402Version::V2 => [PAYMENT_SIGNATURE_HEADER, X_PAYMENT_HEADER],
        X402Version::V1 => [X_PAYMENT_HEADER, PAYMENT_SIGNATURE_HEADER],
    };
    names.iter().find_map(|name| {
        headers
            .get(*name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_owned())
    })
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

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, message)
        .header(WWW_AUTHENTICATE, "Bearer realm=\"rehearsal\"")
}

fn now_text() -> String {
    wall_clock::rfc3339_millis(SystemTime::now())
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The reason a facilitator gives for an authorization whose nonce was already used, and the
/// one Rehearsal gives for a nonce that is settled, in flight, or held by a video job.
pub const NONCE_ALREADY_USED: &str = "invalid_exact_evm_nonce_already_used";

fn nonce_used(gate: &PaymentGate, call: &PaidCall, why: &str) -> ApiError {
    gate.challenge(
        call,
        NONCE_ALREADY_USED,
        &format!(
            "This authorization's nonce {why}. It will not be accepted again: if an earlier request with it may have succeeded, check the wallet's listing before signing a new payment (fresh nonce)."
        ),
    )
}

/// A call that may go ahead, and who pays for it.
pub enum Charge {
    Key { wallet: String },
    X402(Box<InFlight>),
}

/// A verified x402 payment whose nonce is in flight. Dropped without [`finish`] (any error,
/// or the client hanging up), it voids the nonce: nothing was settled.
pub struct InFlight {
    svc: Arc<Service>,
    key: LedgerKey,
    payment: VerifiedPayment,
    done: bool,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if !self.done {
            self.svc.void_payment(&self.key);
            tracing::info!(nonce = %self.payment.nonce_hex, "rehearsal: payment not settled; nonce void");
        }
    }
}

impl Charge {
    /// Who the enrollment belongs to: the key's owner or the payer.
    pub fn wallet(&self) -> String {
        match self {
            Charge::Key { wallet } => wallet.clone(),
            Charge::X402(f) => f.payment.payer.clone(),
        }
    }

    /// The receipt the body will carry: a fresh transaction hash on this rail's network.
    pub fn settlement(&self) -> Settlement {
        let network = match self {
            Charge::Key { .. } => SETTLEMENT_NETWORK,
            Charge::X402(f) => NETWORK.wire_name(f.payment.version),
        };
        Settlement {
            success: true,
            tx_hash: ids::tx_hash(),
            network,
        }
    }
}

/// After the group checks: the `402` probe, verification, and the nonce going in flight.
pub fn charge(svc: &Arc<Service>, rail: Rail, call: &PaidCall) -> Result<Charge, ApiError> {
    let gate = &svc.gate;
    let header = match rail {
        Rail::Key { wallet } => return Ok(Charge::Key { wallet }),
        Rail::X402 { header: None } => return Err(gate.probe(call)),
        Rail::X402 { header: Some(h) } => h,
    };
    let requirement = gate.requirement(call);
    let payment = x402::verify(&header, gate.version, &requirement, now_unix())
        .map_err(|e| gate.challenge(call, e.code(), &e.to_string()))?;
    check_funds(svc, call, &payment)?;
    let attempt = Attempt {
        payer: payment.payer.clone(),
        nonce: payment.nonce_hex.clone(),
        version: payment.version,
        endpoint: call.endpoint.to_owned(),
        amount_atomic: payment.value.clone(),
        now: now_text(),
    };
    let key = svc.begin_payment(attempt).map_err(|refusal| {
        tracing::info!(nonce = %payment.nonce_hex, ?refusal, "rehearsal: nonce refused");
        nonce_used(
            gate,
            call,
            match refusal {
                Refusal::Settled => "was already settled",
                Refusal::InFlight => "is in use by a request still being served",
            },
        )
    })?;
    tracing::info!(payer = %payment.payer, nonce = %payment.nonce_hex, endpoint = call.endpoint, "rehearsal: payment in flight");
    Ok(Charge::X402(Box::new(InFlight {
        svc: svc.clone(),
        key,
        payment,
        done: false,
    })))
}

/// An enrollment that succeeded: records it (and, on x402, settles the nonce in the same save),
/// and builds the 200. With `drop_connection_after_settle_once` armed, settles and then cuts the
/// connection instead of answering.
pub fn finish(
    svc: &Service,
    charge: Charge,
    asset: super::service::Asset,
    settlement: &Settlement,
    body: Value,
    peer: &Peer,
) -> Result<Response, ApiError> {
    let mut flight = match charge {
        Charge::Key { .. } => {
            svc.record_asset(asset, None)?;
            tracing::info!(tx_hash = %settlement.tx_hash, "rehearsal: charged to the account (pretend)");
            return Ok(Json(body).into_response());
        }
        Charge::X402(flight) => flight,
    };
    let settled = super::ledger::SettledPayment {
        transaction: settlement.tx_hash.clone(),
        network: settlement.network.to_owned(),
        settled_at: now_text(),
    };
    svc.record_asset(asset, Some((&flight.key, settled)))?;
    flight.done = true;
    tracing::info!(
        payer = %flight.payment.payer,
        nonce = %flight.payment.nonce_hex,
        amount = %flight.payment.value,
        tx_hash = %settlement.tx_hash,
        settlements = svc.settlements(),
        "rehearsal: settled (recorded, no chain)"
    );
    let lost = body
        .get("image_url")
        .and_then(Value::as_str)
        .is_some_and(|u| u.contains(super::LOST_ANSWER_MARKER));
    if svc.faults.take_drop_connection_after_settle() || lost {
        peer.cut();
    }
    let mut response = Json(body).into_response();
    if let Some((name, value)) = settlement_header(
        flight.payment.version,
        &settlement.tx_hash,
        settlement.network,
        &flight.payment.payer,
    ) {
        response.headers_mut().insert(name, value);
    }
    Ok(response)
}

/// A payment checked for `call` without putting its nonce in flight: what a Seedance job's
/// submit does. The authorization is held by the job and settled later, on its first completed
/// poll ([`settlement_header`] then carries the receipt). A refusal is `402` with a fresh
/// challenge and the reason code.
pub fn verify_only(
    gate: &PaymentGate,
    header: &str,
    call: &PaidCall,
) -> Result<VerifiedPayment, ApiError> {
    let requirement = gate.requirement(call);
    x402::verify(header, gate.version, &requirement, now_unix())
        .map_err(|e| gate.challenge(call, e.code(), &e.to_string()))
}

/// A facilitator simulates the transfer before it accepts an authorization: one that moves more
/// than the payer holds is refused, `402 insufficient_funds`, and nothing is consumed.
pub fn check_funds(
    svc: &Service,
    call: &PaidCall,
    payment: &VerifiedPayment,
) -> Result<(), ApiError> {
    let holds = svc.balance_of(&payment.payer);
    let moves = payment.value.parse::<u128>().unwrap_or(u128::MAX);
    if moves <= holds {
        return Ok(());
    }
    tracing::info!(payer = %payment.payer, %holds, %moves, "rehearsal: insufficient funds");
    Err(svc.gate.challenge(
        call,
        "insufficient_funds",
        "The paying wallet does not hold enough USDC for this payment.",
    ))
}

/// `402 invalid_exact_evm_nonce_already_used` for `call`, `why` in words.
pub fn nonce_refused(gate: &PaymentGate, call: &PaidCall, why: &str) -> ApiError {
    nonce_used(gate, call, why)
}

/// Who signed a payment header, whatever it pays for and whenever: `authorization.from` if the
/// EIP-712 signature over the authorization, on Rehearsal's network, recovers to it.
///
/// A video job's polls prove the paying wallet this way: the SDKs re-send the submit's header,
/// whose window may have closed by then and which must not be spent twice, so only the signer
/// is compared. A signature made for another chain or token recovers to another address.
pub fn signer_of(header: &str) -> Option<Address> {
    use x402::challenge::{parse_address, parse_atomic_amount};
    let root = x402::decode_header_json(header).ok()?;
    let payload = root.get("payload")?.as_object()?;
    let auth = payload.get("authorization")?.as_object()?;
    let text = |key: &str| auth.get(key).and_then(Value::as_str);
    let whole = |key: &str| {
        text(key)
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse::<u64>().ok())
    };
    let nonce: [u8; 32] = hex::decode(text("nonce")?.strip_prefix("0x")?)
        .ok()?
        .try_into()
        .ok()?;
    let authorization = x402::Authorization {
        from: parse_address(text("from")?)?,
        to: parse_address(text("to")?)?,
        value: parse_atomic_amount(text("value")?).ok()?,
        valid_after: whole("validAfter")?,
        valid_before: whole("validBefore")?,
        nonce: alloy::primitives::B256::from(nonce),
    };
    let signature = payload.get("signature")?.as_str()?.strip_prefix("0x")?;
    let bytes = hex::decode(signature).ok()?;
    if bytes.len() != 65 {
        return None;
    }
    let signature = alloy::primitives::Signature::from_raw(&bytes).ok()?;
    let recovered = signature
        .recover_address_from_prehash(&x402::signing_hash(NETWORK, &authorization))
        .ok()?;
    (recovered == authorization.from).then_some(recovered)
}

/// The settlement header (`PAYMENT-RESPONSE` in v2, `X-PAYMENT-RESPONSE` in v1) on the answer
/// that settled a payment: an enrollment's 200, a video job's first completed poll (and its
/// later polls, which report the same settlement).
pub fn settlement_header(
    version: X402Version,
    transaction: &str,
    network: &str,
    payer: &str,
) -> Option<(HeaderName, HeaderValue)> {
    let receipt = x402::Settlement {
        version,
        success: true,
        transaction: Some(transaction.to_owned()),
        network: Some(network.to_owned()),
        payer: Some(payer.to_owned()),
        error_reason: None,
    };
    let (name, value) = receipt.to_header();
    Some((
        HeaderName::from_bytes(name.as_bytes()).ok()?,
        HeaderValue::from_str(&value).ok()?,
    ))
}

/// Seconds since the Unix epoch, the clock payment windows are read on.
pub fn unix_now() -> u64 {
    now_unix()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> PaymentGate {
        PaymentGate::new("brk_secret", "0xabc".into(), X402Version::V2, TREASURY)
    }

    #[test]
    fn prices_format_like_blockrun() {
        let realface = Price {
            atomic: super::super::DEFAULT_REALFACE_PRICE_ATOMIC,
        };
        let portrait = Price {
            atomic: super::super::DEFAULT_PORTRAIT_PRICE_ATOMIC,
        };
        assert_eq!(realface.body().amount, "0.010000");
        assert_eq!(portrait.body().amount, "0.010000");
        assert_eq!(Price { atomic: 1_000_000 }.body().amount, "1.000000");
    }

    #[test]
    fn the_treasury_spells_rehearsal() {
        assert_eq!(&TREASURY.as_slice()[..9], b"REHEARSAL");
        assert!(!TREASURY.is_zero());
    }

    #[test]
    fn picks_the_rail() {
        let gate = gate();
        let mut h = HeaderMap::new();
        assert!(matches!(gate.rail(&h), Ok(Rail::X402 { header: None })));
        h.insert(AUTHORIZATION, "Bearer brk_wrong".parse().unwrap());
        assert_eq!(
            gate.rail(&h).unwrap_err().status(),
            StatusCode::UNAUTHORIZED
        );
        h.insert(AUTHORIZATION, "Basic Zm9vOmJhcg==".parse().unwrap());
        assert!(gate.rail(&h).is_err());
        // A wrong key next to a payment: the payment decides.
        h.insert("x-payment", " abc ".parse().unwrap());
        assert!(matches!(gate.rail(&h), Ok(Rail::X402 { header: Some(v) }) if v == "abc"));
        h.insert("payment-signature", "v2".parse().unwrap());
        assert!(matches!(gate.rail(&h), Ok(Rail::X402 { header: Some(v) }) if v == "v2"));
        // A valid key wins over any payment.
        h.insert(AUTHORIZATION, "bearer  brk_secret ".parse().unwrap());
        assert!(matches!(gate.rail(&h), Ok(Rail::Key { wallet }) if wallet == "0xabc"));
        let mut h = HeaderMap::new();
        h.insert("x-api-key", "brk_secret".parse().unwrap());
        assert!(matches!(gate.rail(&h), Ok(Rail::Key { .. })));
    }

    #[test]
    fn signer_of_recovers_the_payer_whatever_the_window() {
        use alloy::signers::local::PrivateKeySigner;
        let signer: PrivateKeySigner =
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
                .parse()
                .unwrap();
        let gate = gate();
        let call = PaidCall::new(
            "/v1/videos/generations",
            Price { atomic: 786_480 },
            "test",
            &HeaderMap::new(),
            "127.0.0.1:1",
        );
        let required = gate.requirement(&call).challenge(X402Version::V2, "x");
        let (_, value) = required.header.unwrap();
        let quote =
            x402::quote_challenge(&[("PAYMENT-REQUIRED", value.as_str())][..], b"{}").unwrap();
        // Signed long ago: expired for verification, still the same wallet.
        let old = x402::sign(&quote, &signer, 1_000_000, x402::fresh_nonce()).unwrap();
        assert_eq!(signer_of(&old.header_value), Some(signer.address()));
        assert!(verify_only(&gate, &old.header_value, &call).is_err());
        let fresh = x402::sign(&quote, &signer, now_unix(), x402::fresh_nonce()).unwrap();
        assert_eq!(
            verify_only(&gate, &fresh.header_value, &call)
                .unwrap()
                .payer,
            signer.address().to_checksum(None)
        );
        assert_eq!(signer_of("bm90IGpzb24="), None);
        // A payload whose `from` is not the signer.
        let mut payload = x402::decode_header_json(&old.header_value).unwrap();
        payload["payload"]["authorization"]["from"] =
            Value::String("0x70997970C51812dc3A010C7d01b50e0d17dc79C8".into());
        let forged = x402::encode_header_json(&payload);
        assert_eq!(signer_of(&forged), None);
        let (name, _) =
            settlement_header(X402Version::V2, "0x01", "eip155:84532", "0xabc").unwrap();
        assert_eq!(name.as_str(), "payment-response");
    }

    #[test]
    fn v1_reads_x_payment_first() {
        let gate = PaymentGate::new("k", "0xabc".into(), X402Version::V1, TREASURY);
        let mut h = HeaderMap::new();
        h.insert("payment-signature", "v2".parse().unwrap());
        h.insert("x-payment", "v1".parse().unwrap());
        assert!(matches!(gate.rail(&h), Ok(Rail::X402 { header: Some(v) }) if v == "v1"));
    }
}
