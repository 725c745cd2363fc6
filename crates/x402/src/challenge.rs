//! The client's first half: read a 402, pick the one offer we are willing to pay, and describe it.
//!
//! Why so strict: the challenge is written by the party being paid. Every field that moves money
//! (network, token, amount, payee, how long the authorization lives) is checked against the
//! pinned table or a plain rule before a [`PaymentQuote`] exists, and anything odd becomes a
//! [`PaymentRefusal`] that says what happened and that nothing was signed. A quote is therefore
//! proof that the offer is payable; it is what the operator confirms, and [`super::sign()`]
//! signs exactly what the quote shows (its fields are private so nobody can edit one in between).
//!
//! Where the challenge is: every place a document names, read in this order, the first one
//! present deciding (a malformed one is refused, not skipped):
//!
//! 1. the `PAYMENT-REQUIRED` header (x402 v2, research/x402.md §3);
//! 2. the `X-Payment-Required` header (BlockRun's API docs; research §1.1);
//! 3. an `X-Payment` header on the 402 (seed 000: "402 Payment Required with x402 challenge
//!    headers", next to `X-Payment`);
//! 4. the body: an object with a top-level `x402Version` (x402 v1), or with `accepts`, or
//!    with an `x402` object holding the challenge (what BlockRun's SDK reads).
//!
//! A header value is base64 JSON, or plain JSON where a server wrote it so (base64 never starts
//! with `{`). The object's own `x402Version` decides the payload shape; without one (BlockRun's
//! SDK does not ask for it), the offers say it: `amount` is v2, `maxAmountRequired` v1.

use alloy::primitives::Address;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{
    decode_header_json, format_usdc, HeaderSource, JsonValue, Network, X402Version,
    MAX_TIMEOUT_SECONDS, PAYMENT_REQUIRED_HEADER, SCHEME_EXACT, X_PAYMENT_HEADER,
    X_PAYMENT_REQUIRED_HEADER,
};

/// Why a 402 will not be paid. Every message ends by saying nothing was signed, because that is
/// the first thing an operator wants to know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaymentRefusal {
    #[error("The server asked for payment, but not in a way this app understands (no PAYMENT-REQUIRED, X-Payment-Required or X-Payment header, and no x402 JSON body). Nothing was signed.")]
    NotX402,
    #[error("The server's payment request is malformed: {reason}. Nothing was signed.")]
    MalformedChallenge { reason: String },
    #[error("The server asks for x402 version {version}; this app speaks versions 1 and 2. Nothing was signed.")]
    UnsupportedVersion { version: String },
    #[error("The server asked for payment but offered no way to pay. Nothing was signed.")]
    NoOffers,
    #[error("The server asks for the \"{scheme}\" payment scheme; this app only pays with \"exact\". Nothing was signed.")]
    UnsupportedScheme { scheme: String },
    #[error("The server asks for payment on network \"{network}\"; this app only pays on Base (base, eip155:8453) and Base Sepolia (base-sepolia, eip155:84532). Nothing was signed.")]
    UnknownNetwork { network: String },
    #[error("The server asks for token {asset} on {network}, which is not USDC there (USDC is {expected}). Nothing was signed.")]
    UnknownAsset {
        asset: String,
        network: Network,
        expected: String,
    },
    #[error("The server's price \"{amount}\" is not a positive whole number of USDC units. Nothing was signed.")]
    InvalidAmount { amount: String },
    #[error(
        "The server's payment request does not say who to pay (no payTo). Nothing was signed."
    )]
    MissingPayee,
    #[error("The server's payee \"{pay_to}\" is not a valid address. Nothing was signed.")]
    InvalidPayee { pay_to: String },
    #[error("The server asks for a payment window of {seconds} seconds; this app signs windows of 1 to {max} seconds. Nothing was signed.", max = super::MAX_TIMEOUT_SECONDS)]
    InvalidTimeout { seconds: String },
    #[error("The server asks for a \"{method}\" transfer; this app only signs USDC transfer authorizations (EIP-3009). Nothing was signed.")]
    UnsupportedTransferMethod { method: String },
    #[error("The server names the USDC signing domain \"{name}\" version \"{version}\", but USDC on {network} is \"{expected_name}\" version \"{expected_version}\"; a signature for it would be worthless. Nothing was signed.")]
    TokenDomainMismatch {
        network: Network,
        name: String,
        version: String,
        expected_name: &'static str,
        expected_version: &'static str,
    },
    #[error(
        "None of the server's {count} payment options is acceptable: {reasons} Nothing was signed."
    )]
    NoAcceptableOffer { count: usize, reasons: String },
}

fn malformed(reason: impl Into<String>) -> PaymentRefusal {
    PaymentRefusal::MalformedChallenge {
        reason: reason.into(),
    }
}

/// A decoded 402: everything the server offered, not yet judged.
#[derive(Debug, Clone, PartialEq)]
pub struct Challenge {
    pub version: X402Version,
    /// Where it came from: the `PAYMENT-REQUIRED` header (true) or the body.
    pub from_header: bool,
    /// The server's free-text `error` ("X-PAYMENT header is required", a facilitator reason…).
    pub error: Option<String>,
    /// v2's top-level `resource` object, kept verbatim to echo in the payment.
    pub resource: Option<Value>,
    /// The offers, verbatim. v2 must echo the chosen one byte-for-byte in meaning.
    pub accepts: Vec<Value>,
    /// v2's `extensions`, kept verbatim to echo.
    pub extensions: Option<Value>,
}

/// Reads a 402 response. `headers` is checked first for `PAYMENT-REQUIRED` (v2); otherwise `body`
/// must be an x402 JSON object (v1). Pass the raw body bytes; HTML paywalls become [`NotX402`].
///
/// [`NotX402`]: PaymentRefusal::NotX402
pub fn parse_challenge<H>(headers: &H, body: &[u8]) -> Result<Challenge, PaymentRefusal>
where
    H: HeaderSource + ?Sized,
{
    let result = parse_challenge_inner(headers, body);
    if let Err(refusal) = &result {
        tracing::info!(%refusal, "x402: challenge refused");
    }
    result
}

/// The challenge headers, in the order they are read (see the module docs).
pub const CHALLENGE_HEADERS: [&str; 3] = [
    PAYMENT_REQUIRED_HEADER,
    X_PAYMENT_REQUIRED_HEADER,
    X_PAYMENT_HEADER,
];

fn parse_challenge_inner<H>(headers: &H, body: &[u8]) -> Result<Challenge, PaymentRefusal>
where
    H: HeaderSource + ?Sized,
{
    for name in CHALLENGE_HEADERS {
        if let Some(header) = headers.header(name) {
            let value = decode_challenge_header(&header)
                .map_err(|e| malformed(format!("the {name} header is {e}")))?;
            return challenge_from_object(value, true);
        }
    }
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(body) else {
        return Err(PaymentRefusal::NotX402);
    };
    if map.contains_key("x402Version") || map.contains_key("accepts") {
        return challenge_from_object(Value::Object(map), false);
    }
    match map.remove("x402") {
        Some(inner @ Value::Object(_)) => challenge_from_object(inner, false),
        _ => Err(PaymentRefusal::NotX402),
    }
}

/// base64 JSON, or the JSON itself where a server sent it bare.
fn decode_challenge_header(value: &str) -> Result<Value, String> {
    let trimmed = value.trim();
    if trimmed.starts_with('{') {
        return serde_json::from_str(trimmed).map_err(|e| format!("not JSON ({e})"));
    }
    decode_header_json(trimmed)
}

fn challenge_from_object(value: Value, from_header: bool) -> Result<Challenge, PaymentRefusal> {
    let Value::Object(mut map) = value else {
        return Err(malformed("the payment request is not a JSON object"));
    };
    let version = match map.get("x402Version") {
        Some(Value::Number(n)) => {
            n.as_u64()
                .and_then(X402Version::from_number)
                .ok_or_else(|| PaymentRefusal::UnsupportedVersion {
                    version: n.to_string(),
                })?
        }
        Some(other) => {
            return Err(PaymentRefusal::UnsupportedVersion {
                version: other.to_string(),
            })
        }
        None => version_from_offers(&map).ok_or_else(|| malformed("x402Version is missing"))?,
    };
    let error = match map.remove("error") {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let accepts = match map.remove("accepts") {
        Some(Value::Array(a)) if a.is_empty() => return Err(PaymentRefusal::NoOffers),
        Some(Value::Array(a)) => a,
        Some(Value::Null) | None => return Err(PaymentRefusal::NoOffers),
        Some(_) => return Err(malformed("accepts is not a list")),
    };
    let resource = map.remove("resource").filter(|v| !v.is_null());
    let extensions = map.remove("extensions").filter(|v| !v.is_null());
    Ok(Challenge {
        version,
        from_header,
        error,
        resource,
        accepts,
        extensions,
    })
}

/// Without `x402Version`, the first offer's amount field says the version (v2 `amount`, v1
/// `maxAmountRequired`), as BlockRun's SDK reads it.
fn version_from_offers(map: &Map<String, Value>) -> Option<X402Version> {
    let first = map.get("accepts")?.as_array()?.first()?.as_object()?;
    match (
        first.contains_key("amount"),
        first.contains_key("maxAmountRequired"),
    ) {
        (true, false) => Some(X402Version::V2),
        (false, true) => Some(X402Version::V1),
        _ => None,
    }
}

/// [`parse_challenge`] then [`Challenge::quote`]: the usual client path.
pub fn quote_challenge<H>(headers: &H, body: &[u8]) -> Result<PaymentQuote, PaymentRefusal>
where
    H: HeaderSource + ?Sized,
{
    parse_challenge(headers, body)?.quote()
}

/// What the operator is asked to confirm, and the only thing [`super::sign()`] signs.
///
/// Serialised for the UI (camelCase). The amount is given twice: atomic units as the exact
/// string that will be signed, and USDC as a decimal string for display.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PaymentQuote {
    x402_version: X402Version,
    network: Network,
    network_label: String,
    testnet: bool,
    chain_id: u64,
    /// The USDC contract, checksummed.
    asset: String,
    /// Who gets the money, checksummed.
    pay_to: String,
    amount_atomic: String,
    amount_usdc: String,
    max_timeout_seconds: u64,
    /// The URL the payment buys.
    resource: Option<String>,
    description: Option<String>,
    mime_type: Option<String>,
    /// The server's `error` text from the 402, if any.
    server_message: Option<String>,
    /// The chosen offer exactly as the server sent it (v2 echoes it as `accepted`).
    #[specta(type = JsonValue)]
    offered: Value,
    #[serde(skip)]
    pub(crate) terms: Terms,
}

/// The typed values behind a quote: what signing and the v2 echo use.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Terms {
    /// The network as the offer spelled it: v1 payloads repeat it.
    pub network_wire: String,
    pub asset: Address,
    pub pay_to: Address,
    pub amount: u128,
    pub token_name: &'static str,
    pub token_version: &'static str,
    pub resource_echo: Option<Value>,
    pub extensions_echo: Option<Value>,
}

impl PaymentQuote {
    pub fn x402_version(&self) -> X402Version {
        self.x402_version
    }
    pub fn network(&self) -> Network {
        self.network
    }
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }
    pub fn asset(&self) -> Address {
        self.terms.asset
    }
    pub fn pay_to(&self) -> Address {
        self.terms.pay_to
    }
    /// The exact amount that will be signed, in USDC atomic units (6 decimals).
    pub fn amount_atomic(&self) -> u128 {
        self.terms.amount
    }
    /// The amount in USDC as a decimal string ("0.01").
    pub fn amount_usdc(&self) -> &str {
        &self.amount_usdc
    }
    pub fn max_timeout_seconds(&self) -> u64 {
        self.max_timeout_seconds
    }
    pub fn resource(&self) -> Option<&str> {
        self.resource.as_deref()
    }
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    pub fn mime_type(&self) -> Option<&str> {
        self.mime_type.as_deref()
    }
    pub fn server_message(&self) -> Option<&str> {
        self.server_message.as_deref()
    }
    /// The offer as the server sent it.
    pub fn offered(&self) -> &Value {
        &self.offered
    }
}

impl Challenge {
    /// The first offer we would pay, as a quote. When every offer is refused, a single offer's
    /// refusal is returned as is; several become [`PaymentRefusal::NoAcceptableOffer`].
    pub fn quote(&self) -> Result<PaymentQuote, PaymentRefusal> {
        let mut refusals = Vec::new();
        for offer in &self.accepts {
            match self.quote_offer(offer) {
                Ok(quote) => {
                    tracing::debug!(
                        version = ?quote.x402_version,
                        network = %quote.network,
                        amount = %quote.amount_atomic,
                        pay_to = %quote.pay_to,
                        "x402: offer accepted"
                    );
                    return Ok(quote);
                }
                Err(refusal) => {
                    tracing::debug!(%refusal, "x402: offer refused");
                    refusals.push(refusal);
                }
            }
        }
        let refusal = match refusals.len() {
            0 => PaymentRefusal::NoOffers,
            1 => refusals.remove(0),
            count => PaymentRefusal::NoAcceptableOffer {
                count,
                reasons: refusals
                    .iter()
                    .map(|r| r.to_string().replace(" Nothing was signed.", ""))
                    .collect::<Vec<_>>()
                    .join(" "),
            },
        };
        tracing::info!(%refusal, "x402: challenge refused");
        Err(refusal)
    }

    fn quote_offer(&self, offer: &Value) -> Result<PaymentQuote, PaymentRefusal> {
        let Value::Object(obj) = offer else {
            return Err(malformed("a payment option is not a JSON object"));
        };
        let terms = check_offer(obj, self.version)?;
        let (network, max_timeout_seconds, offer_terms) = terms;

        let (resource, description, mime_type) = match self.version {
            X402Version::V1 => (
                text(obj, "resource"),
                text(obj, "description"),
                text(obj, "mimeType"),
            ),
            X402Version::V2 => match &self.resource {
                Some(Value::Object(r)) => {
                    (text(r, "url"), text(r, "description"), text(r, "mimeType"))
                }
                _ => (None, None, None),
            },
        };
        let (resource_echo, extensions_echo) = match self.version {
            X402Version::V1 => (None, None),
            X402Version::V2 => (self.resource.clone(), self.extensions.clone()),
        };

        Ok(PaymentQuote {
            x402_version: self.version,
            network,
            network_label: network.label().to_owned(),
            testnet: network.is_testnet(),
            chain_id: network.chain_id(),
            asset: offer_terms.asset.to_checksum(None),
            pay_to: offer_terms.pay_to.to_checksum(None),
            amount_atomic: offer_terms.amount.to_string(),
            amount_usdc: format_usdc(offer_terms.amount),
            max_timeout_seconds,
            resource,
            description,
            mime_type,
            server_message: self.error.clone(),
            offered: offer.clone(),
            terms: Terms {
                resource_echo,
                extensions_echo,
                ..offer_terms
            },
        })
    }
}

/// A non-empty string field, for display.
fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The checks, in the order an operator would care about them.
fn check_offer(
    obj: &Map<String, Value>,
    version: X402Version,
) -> Result<(Network, u64, Terms), PaymentRefusal> {
    let scheme = required_str(obj, "scheme")?;
    if scheme != SCHEME_EXACT {
        return Err(PaymentRefusal::UnsupportedScheme {
            scheme: scheme.to_owned(),
        });
    }

    let network_wire = required_str(obj, "network")?;
    let network =
        Network::from_wire(network_wire).ok_or_else(|| PaymentRefusal::UnknownNetwork {
            network: network_wire.to_owned(),
        })?;

    let asset_text = required_str(obj, "asset")?;
    let asset = parse_address(asset_text)
        .filter(|a| *a == network.usdc())
        .ok_or_else(|| PaymentRefusal::UnknownAsset {
            asset: asset_text.to_owned(),
            network,
            expected: network.usdc().to_checksum(None),
        })?;

    let amount_key = match version {
        X402Version::V1 => "maxAmountRequired",
        X402Version::V2 => "amount",
    };
    let amount = match obj.get(amount_key) {
        None | Some(Value::Null) => return Err(malformed(format!("{amount_key} is missing"))),
        Some(Value::String(s)) => parse_atomic_amount(s),
        Some(other) => Err(other.to_string()),
    }
    .map_err(|amount| PaymentRefusal::InvalidAmount { amount })?;

    let pay_to = match obj.get("payTo") {
        None | Some(Value::Null) => return Err(PaymentRefusal::MissingPayee),
        Some(Value::String(s)) if s.trim().is_empty() => return Err(PaymentRefusal::MissingPayee),
        Some(Value::String(s)) => parse_address(s)
            .filter(|a| !a.is_zero())
            .ok_or_else(|| PaymentRefusal::InvalidPayee { pay_to: s.clone() })?,
        Some(other) => {
            return Err(PaymentRefusal::InvalidPayee {
                pay_to: other.to_string(),
            })
        }
    };

    let max_timeout_seconds = match obj.get("maxTimeoutSeconds") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) if is_digits(s) => s.parse().ok(),
        _ => None,
    }
    .filter(|s| (1..=MAX_TIMEOUT_SECONDS).contains(s))
    .ok_or_else(|| PaymentRefusal::InvalidTimeout {
        seconds: obj
            .get("maxTimeoutSeconds")
            .map_or_else(|| "(none)".to_owned(), json_text),
    })?;

    let (token_name, token_version) = check_extra(obj.get("extra"), network)?;

    Ok((
        network,
        max_timeout_seconds,
        Terms {
            network_wire: network_wire.to_owned(),
            asset,
            pay_to,
            amount,
            token_name,
            token_version,
            resource_echo: None,
            extensions_echo: None,
        },
    ))
}

/// `extra` carries the token's EIP-712 name and version. They must agree with the pinned table:
/// a signature over another domain could never be settled. When absent, the table is used (as
/// the Python reference does), since the asset is already known to be pinned USDC.
fn check_extra(
    extra: Option<&Value>,
    network: Network,
) -> Result<(&'static str, &'static str), PaymentRefusal> {
    let expected_name = network.usdc_eip712_name();
    let expected_version = network.usdc_eip712_version();
    let extra = match extra {
        None | Some(Value::Null) => return Ok((expected_name, expected_version)),
        Some(Value::Object(e)) => e,
        Some(_) => return Err(malformed("extra is not a JSON object")),
    };
    match extra.get("assetTransferMethod") {
        None | Some(Value::Null) => {}
        Some(Value::String(m)) if m == "eip3009" => {}
        Some(other) => {
            return Err(PaymentRefusal::UnsupportedTransferMethod {
                method: json_text(other),
            })
        }
    }
    let name = extra.get("name").map(json_text);
    let version = extra.get("version").map(json_text);
    let name_ok = name.as_deref().is_none_or(|n| n == expected_name);
    let version_ok = version.as_deref().is_none_or(|v| v == expected_version);
    if name_ok && version_ok {
        Ok((expected_name, expected_version))
    } else {
        Err(PaymentRefusal::TokenDomainMismatch {
            network,
            name: name.unwrap_or_default(),
            version: version.unwrap_or_default(),
            expected_name,
            expected_version,
        })
    }
}

fn required_str<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a str, PaymentRefusal> {
    match obj.get(key) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(malformed(format!("{key} is missing"))),
        Some(_) => Err(malformed(format!("{key} is not a string"))),
    }
}

/// A string as itself, anything else as JSON text (for messages).
fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A positive integer in canonical decimal (no sign, no leading zeros, no decimals) that fits
/// in u128. Err carries the offending text for the message.
pub fn parse_atomic_amount(s: &str) -> Result<u128, String> {
    if !is_digits(s) || s.starts_with('0') {
        return Err(s.to_owned());
    }
    s.parse::<u128>().map_err(|_| s.to_owned())
}

/// `0x` + 40 hex digits, any case (checksums are not enforced: servers send lowercase too).
pub fn parse_address(s: &str) -> Option<Address> {
    let hex = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))?;
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    s.parse().ok()
}
