//! The checkout: the one path every paid step takes (a real face's enrollment, a portrait, a
//! video job), with the one ledger behind it.
//!
//! quote held → the operator confirms (a new payee twice) → caps checked again → signed and
//! written to the ledger before the request leaves → sent, the same header re-sent after a
//! transport failure → the outcome recorded.
//!
//! The rule for an unknown outcome: an x402 authorization may settle at any time until its
//! `validBefore`, so once a send may have settled (a lost answer, a timeout, a 5xx after sending,
//! an unreadable 200, a 402 on a re-send of the same header) no second signature follows while
//! it can still settle. A real seller refuses a re-sent nonce it already settled
//! (`invalid_exact_evm_nonce_already_used`), so re-sending cannot be the way to learn the
//! outcome either: the checkout **reconciles**, asking the provider where the paid thing would
//! be (the wallet's listings, a job's status). Found: it is filed with the original payment.
//! Not found and the authorization lapsed: it can no longer settle, so it is void and a fresh
//! price may be confirmed. Not found and still live: the operator hears when to try again.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alloy::signers::local::PrivateKeySigner;

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::library::{Library, PaymentRecord, PaymentStatus};
use crate::payment::{self, PaymentQuote, SignedPayment};
use crate::providers::{Paid, ProviderKind};
use crate::spend::{self, SpendCaps};

const DAY_MS: i64 = 86_400_000;
/// Re-sends of one signed payment after a dropped connection or timeout.
const TRANSPORT_RETRIES: u32 = 2;

/// A price shown to the operator and not yet confirmed. Held in memory only: after a restart a
/// fresh price is asked for, so nothing is ever signed against a quote nobody saw.
#[derive(Debug, Clone)]
pub(crate) struct HeldQuote {
    pub quote: PaymentQuote,
    /// The payee differs from the one this provider was paid before: confirm twice.
    pub payee_changed: bool,
}

/// A signed payment on its way: its ledger row, the header, and whether this very header has
/// left before (then a refusal of it may mean it was already used, not that it was bad).
#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    pub record_id: String,
    pub signed: SignedPayment,
    pub sent_before: bool,
}

impl Ticket {
    /// Until when the seller may still settle it (ms since the epoch).
    pub fn valid_until_ms(&self) -> i64 {
        self.signed.valid_before as i64 * 1000
    }
}

/// What sending a signed payment led to.
#[derive(Debug)]
pub(crate) enum Sent<T> {
    Delivered(T),
    /// A definite refusal: nothing was charged, and the ledger says so.
    Refused(Error),
    /// It may have settled; the ledger row stays `signed`. Reconcile, never re-sign.
    Unknown(Error),
}

/// What reconciling an unknown outcome found.
#[derive(Debug)]
pub(crate) enum Reconciled<T> {
    /// It went through: the ledger row is settled with what was found.
    Found(T),
    /// Not found, and the authorization can still settle until `until_ms`.
    NotYet { until_ms: i64 },
    /// Not found, and the authorization lapsed: void in the ledger; a fresh price may be
    /// confirmed.
    Lapsed,
}

pub(crate) struct Checkout {
    library: Arc<Library>,
    clock: Clock,
    caps: SpendCaps,
    wallet: Option<PrivateKeySigner>,
    /// Who confirms, written on every ledger row.
    operator: String,
    /// Prices shown, by the ledger purpose they would pay for.
    held: Mutex<HashMap<String, HeldQuote>>,
}

impl Checkout {
    pub fn new(
        library: Arc<Library>,
        clock: Clock,
        caps: SpendCaps,
        wallet: Option<PrivateKeySigner>,
        operator: String,
    ) -> Self {
        Checkout {
            library,
            clock,
            caps,
            wallet,
            operator,
            held: Mutex::new(HashMap::new()),
        }
    }

    pub fn wallet(&self) -> Option<&PrivateKeySigner> {
        self.wallet.as_ref()
    }

    /// The wallet that signs, or the plain words that there is none.
    pub fn paying_wallet(&self, provider: ProviderKind) -> Result<PrivateKeySigner> {
        self.wallet.clone().ok_or_else(|| Error::NotConfigured {
            provider,
            what: "create or import a wallet to pay with".into(),
        })
    }

    /// Checks a provider's price against the caps and the last payee, and holds it for the
    /// operator under `purpose`. Nothing is signed.
    pub fn hold(
        &self,
        provider: ProviderKind,
        purpose: &str,
        quote: PaymentQuote,
    ) -> Result<HeldQuote> {
        self.check_caps(&quote)?;
        let held = HeldQuote {
            payee_changed: self.payee_changed(provider, &quote)?,
            quote,
        };
        self.held
            .lock()
            .expect("held quotes poisoned")
            .insert(purpose.to_string(), held.clone());
        Ok(held)
    }

    pub fn held(&self, purpose: &str) -> Option<HeldQuote> {
        self.held
            .lock()
            .expect("held quotes poisoned")
            .get(purpose)
            .cloned()
    }

    /// The operator said no (or the price is gone with its session): nothing is signed.
    pub fn release(&self, purpose: &str) -> bool {
        self.held
            .lock()
            .expect("held quotes poisoned")
            .remove(purpose)
            .is_some()
    }

    /// The operator's Pay on the held price: the second confirmation for a new payee, the caps
    /// again (other steps may have paid since), then signed and written to the ledger. The held
    /// price is taken, so a second press cannot sign twice.
    pub fn sign_held(
        &self,
        provider: ProviderKind,
        purpose: &str,
        payee_change_confirmed: bool,
        missing: &str,
    ) -> Result<Ticket> {
        let held = self
            .held(purpose)
            .ok_or_else(|| Error::invalid("quote", missing.to_string()))?;
        if held.payee_changed && !payee_change_confirmed {
            return Err(payee_not_confirmed(provider, &held.quote));
        }
        let wallet = self.paying_wallet(provider)?;
        self.check_caps(&held.quote)?;
        self.release(purpose);
        self.sign(provider, purpose, &held.quote, &wallet)
    }

    /// Signs `quote` and writes it to the ledger before anything is sent: whatever happens
    /// next, a retry finds this very header.
    pub fn sign(
        &self,
        provider: ProviderKind,
        purpose: &str,
        quote: &PaymentQuote,
        wallet: &PrivateKeySigner,
    ) -> Result<Ticket> {
        let now = self.clock.now_ms();
        let signed = payment::sign(quote, wallet, (now / 1000) as u64, payment::fresh_nonce())
            .map_err(|e| Error::Internal(format!("could not sign the payment: {e}")))?;
        let record = PaymentRecord {
            id: format!("pay_{}", hex::encode(rand::random::<[u8; 8]>())),
            provider,
            purpose: purpose.to_string(),
            amount_atomic: signed.value.clone(),
            payee: signed.to.clone(),
            network: quote.network().label().to_string(),
            asset_contract: quote.asset().to_string(),
            nonce: signed.nonce_hex.clone(),
            header_name: signed.header_name.clone(),
            header_value: signed.header_value.clone(),
            status: PaymentStatus::Signed,
            settlement_tx: None,
            asset_id: None,
            created_at_ms: now,
            updated_at_ms: now,
            operator: self.operator.clone(),
        };
        // The caps once more, in the same transaction as the ledger row: another desk on the
        // shared database (or the CLI on this file) may have paid since the operator's Pay.
        self.library
            .record_payment_within_caps(&record, self.caps, now - DAY_MS)?;
        tracing::info!(payment = %record.id, amount = %record.amount_atomic, %purpose, "payment signed and recorded");
        Ok(Ticket {
            record_id: record.id,
            signed,
            sent_before: false,
        })
    }

    /// The payment signed earlier for `purpose` whose outcome is unknown, if any: the only one a
    /// retry may send.
    pub fn unresolved(&self, purpose: &str) -> Result<Option<Ticket>> {
        self.library
            .pending_payment(purpose)?
            .map(|p| ticket_from_record(&p))
            .transpose()
    }

    /// The settled payment for `purpose`, if it was paid already.
    pub fn settled_for(&self, purpose: &str) -> Result<Option<PaymentRecord>> {
        Ok(self
            .library
            .payments_for(purpose)?
            .into_iter()
            .find(|p| p.status == PaymentStatus::Settled))
    }

    /// The ledger row behind a payment id as a ticket (a job's polls re-send its header).
    pub fn ticket(&self, record_id: &str) -> Result<Ticket> {
        ticket_from_record(&self.library.payment(record_id)?)
    }

    /// Sends `ticket` through `send`, re-sending the same header after a dropped connection or
    /// a timeout, and records what is known of the outcome.
    pub async fn send<T, F, Fut>(&self, ticket: &mut Ticket, mut send: F) -> Sent<T>
    where
        F: FnMut(SignedPayment) -> Fut,
        Fut: Future<Output = Result<Paid<T>>>,
    {
        let mut retries = 0;
        let (e, resent) = loop {
            let answer = send(ticket.signed.clone()).await;
            let resent = ticket.sent_before;
            ticket.sent_before = true;
            match answer {
                Ok(Paid::Done(t)) => return Sent::Delivered(t),
                Ok(Paid::PaymentRequired(_)) => {
                    break (
                        Error::Internal(
                            "the provider asked to pay while a payment was attached".into(),
                        ),
                        resent,
                    )
                }
                Err(e @ (Error::Network { .. } | Error::Timeout { .. }))
                    if retries < TRANSPORT_RETRIES =>
                {
                    retries += 1;
                    tracing::warn!(error = %e, attempt = retries, "re-sending the same signed payment");
                    tokio::time::sleep(Duration::from_millis(500 * retries as u64)).await;
                }
                Err(e) => break (e, resent),
            }
        };
        if outcome_unknown(&e, resent) {
            tracing::warn!(payment = %ticket.record_id, error = %e, "the payment may have settled; reconcile before anything else");
            return Sent::Unknown(e);
        }
        let status = if matches!(e, Error::PaymentRejected { .. }) {
            PaymentStatus::Rejected
        } else {
            PaymentStatus::NotCharged
        };
        if let Err(save) =
            self.library
                .update_payment(&ticket.record_id, status, None, None, self.clock.now_ms())
        {
            return Sent::Unknown(save);
        }
        Sent::Refused(e)
    }

    /// The payment went through and bought `asset_id`.
    pub fn settled(
        &self,
        ticket: &Ticket,
        tx_hash: Option<&str>,
        asset_id: Option<&str>,
    ) -> Result<()> {
        self.library.update_payment(
            &ticket.record_id,
            PaymentStatus::Settled,
            tx_hash,
            asset_id,
            self.clock.now_ms(),
        )
    }

    /// How a payment ended, as a later answer told (a job's poll settling it, failing it, or
    /// saying its authorization lapsed).
    pub fn mark(
        &self,
        record_id: &str,
        status: PaymentStatus,
        tx_hash: Option<&str>,
        asset_id: Option<&str>,
    ) -> Result<()> {
        self.library
            .update_payment(record_id, status, tx_hash, asset_id, self.clock.now_ms())
    }

    /// After an unknown outcome: `found` asks the provider where the paid thing would be
    /// (`None` where the API has nothing to ask). `asset_of` names what was found for the ledger.
    pub async fn reconcile<T, Fut>(
        &self,
        ticket: &Ticket,
        found: Option<Fut>,
        asset_of: impl Fn(&T) -> (String, Option<String>),
    ) -> Result<Reconciled<T>>
    where
        Fut: Future<Output = Result<Option<T>>>,
    {
        if let Some(found) = found {
            if let Some(t) = found.await? {
                let (asset, tx) = asset_of(&t);
                self.settled(ticket, tx.as_deref(), Some(&asset))?;
                tracing::info!(payment = %ticket.record_id, %asset, "reconciled: the lost answer's purchase was found");
                return Ok(Reconciled::Found(t));
            }
        }
        let until_ms = ticket.valid_until_ms();
        if self.clock.now_ms() < until_ms {
            return Ok(Reconciled::NotYet { until_ms });
        }
        self.mark(&ticket.record_id, PaymentStatus::NotCharged, None, None)?;
        tracing::info!(payment = %ticket.record_id, "reconciled: not found and lapsed; void");
        Ok(Reconciled::Lapsed)
    }

    fn check_caps(&self, quote: &PaymentQuote) -> Result<()> {
        self.check_amount(quote.amount_atomic())
    }

    /// Whether the caps let `amount_atomic` be paid now, given what may have left today: the
    /// same check a shown price passes, asked before one is.
    pub fn check_amount(&self, amount_atomic: u128) -> Result<()> {
        let now = self.clock.now_ms();
        spend::check(
            self.library.caps_over(self.caps)?,
            amount_atomic,
            self.library.spent_since(now - DAY_MS)?,
        )
    }

    fn payee_changed(&self, provider: ProviderKind, quote: &PaymentQuote) -> Result<bool> {
        Ok(self.payee(provider, &quote.pay_to().to_string())?.changed)
    }

    /// Who `address` is to this studio, from the ledger: how often `provider` was paid there,
    /// and whether it was last paid somewhere else.
    pub fn payee(&self, provider: ProviderKind, address: &str) -> Result<PayeeRecord> {
        let settled: Vec<PaymentRecord> = self
            .library
            .payments()?
            .into_iter()
            .filter(|p| p.provider == provider && p.status == PaymentStatus::Settled)
            .collect();
        let here: Vec<&PaymentRecord> = settled
            .iter()
            .filter(|p| p.payee.eq_ignore_ascii_case(address))
            .collect();
        Ok(PayeeRecord {
            provider,
            address: address.to_string(),
            times_paid: u32::try_from(here.len()).unwrap_or(u32::MAX),
            last_paid_ms: here.iter().map(|p| p.created_at_ms).max(),
            // The newest settled payment is the one the operator last saw go through.
            changed: settled
                .first()
                .is_some_and(|p| !p.payee.eq_ignore_ascii_case(address)),
        })
    }
}

/// Who a price asks to be paid, as the confirm panel names it ("To: BlockRun, paid here 3
/// times before"): the address alone means nothing to a producer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PayeeRecord {
    pub provider: ProviderKind,
    pub address: String,
    /// Settled payments to this provider at this address.
    pub times_paid: u32,
    pub last_paid_ms: Option<i64>,
    /// The provider was last paid at another address: the operator confirms twice.
    pub changed: bool,
}

/// Whether a failed send may have settled. A refusal of a header that had left before may be
/// the seller saying it already used it; a transport failure, a server error other than the 502
/// the docs say never settles, and an answer we could not read all may come after settling.
pub(crate) fn outcome_unknown(e: &Error, resent: bool) -> bool {
    match e {
        Error::Network { .. } | Error::Timeout { .. } | Error::Decode { .. } => true,
        Error::Provider { status, .. } => (500..=599).contains(status) && *status != 502,
        Error::PaymentRejected { reason, .. } => resent || reason.contains("already_used"),
        _ => false,
    }
}

/// When an authorization can settle no more, in the operator's words (UTC, to the minute).
pub(crate) fn until_words(until_ms: i64, now_ms: i64) -> String {
    let minutes = ((until_ms - now_ms).max(0) + 59_999) / 60_000;
    let at = crate::clock::rfc3339(until_ms);
    let hhmm = at.get(11..16).unwrap_or("");
    match minutes {
        0 | 1 => format!("{hhmm} UTC (in about a minute)"),
        m => format!("{hhmm} UTC (in about {m} minutes)"),
    }
}

/// Pay pressed once on a price whose payee differs from the one this provider was paid before:
/// the operator must look at the address and confirm a second time.
pub(crate) fn payee_not_confirmed(provider: ProviderKind, quote: &PaymentQuote) -> Error {
    Error::invalid(
        "payee",
        format!(
            "This payment goes to {}, not to the address {provider} was paid before. Check it, then confirm again.",
            quote.pay_to()
        ),
    )
}

/// The words for an outcome still unknown after reconciling: what happened, that nothing more
/// was signed, and when trying again can tell.
pub(crate) fn unresolved(
    provider: ProviderKind,
    cause: &Error,
    until_ms: i64,
    now_ms: i64,
    retry: &str,
) -> Error {
    let what = what_happened(provider, cause);
    Error::PaymentUnresolved {
        provider,
        message: format!(
            "{what}, so it is not known yet whether the payment went through, and {provider} does not show it yet. It was signed once and nothing more was signed. {retry} No new payment is signed before {}, when this one can no longer be collected.",
            until_words(until_ms, now_ms)
        ),
        retry_after_seconds: Some(((until_ms - now_ms).max(1000) / 1000) as u64),
    }
}

/// What made the outcome unknown, as the opening of a sentence.
fn what_happened(provider: ProviderKind, cause: &Error) -> String {
    match cause {
        Error::Network { detail, .. } => format!("Could not reach {provider} ({detail})"),
        Error::Timeout { .. } => format!("{provider} did not answer in time"),
        Error::Provider { status, .. } => format!("{provider} had an error on its side ({status})"),
        Error::PaymentRejected { .. } => format!("{provider} says this payment was already used"),
        _ => format!("{provider}'s answer could not be read"),
    }
}

/// An unknown outcome where the provider keeps nothing to check it against (no listing, no
/// count): the payment stays as signed for good, since no lapse can prove it uncharged.
pub(crate) fn unverifiable(provider: ProviderKind, cause: &Error, next: &str) -> Error {
    Error::PaymentUnresolved {
        provider,
        message: format!(
            "{}, so it is not known whether the payment went through, and {provider} keeps no list the app can check. It was signed once, and nothing more will be signed for it. {next}",
            what_happened(provider, cause)
        ),
        retry_after_seconds: None,
    }
}

/// An unknown outcome that could not be checked (the listing failed or is out of budget): the
/// payment stays as signed, and nothing more is signed.
pub(crate) fn unchecked(
    provider: ProviderKind,
    cause: &Error,
    check: &Error,
    retry: &str,
) -> Error {
    let retry_after_seconds = match check {
        Error::RateLimited {
            retry_after_seconds,
            ..
        } => *retry_after_seconds,
        _ => None,
    };
    let what = what_happened(provider, cause);
    Error::PaymentUnresolved {
        provider,
        message: format!(
            "{what}, so it is not known yet whether the payment went through, and checking {provider}'s list failed: {}. It was signed once and nothing more was signed. {retry}",
            check.to_string().trim_end_matches('.')
        ),
        retry_after_seconds,
    }
}

/// The ledger row as a ticket, with its authorization window read back from the signed header.
fn ticket_from_record(p: &PaymentRecord) -> Result<Ticket> {
    let version = if p
        .header_name
        .eq_ignore_ascii_case(payment::X_PAYMENT_HEADER)
    {
        payment::X402Version::V1
    } else {
        payment::X402Version::V2
    };
    let network = payment::Network::from_wire(&p.network)
        .or_else(|| {
            payment::Network::ALL
                .into_iter()
                .find(|n| n.label() == p.network)
        })
        .ok_or_else(|| {
            Error::Storage(format!(
                "payment {} has an unknown network {:?}",
                p.id, p.network
            ))
        })?;
    let payload = payment::decode_header_json(&p.header_value).unwrap_or_default();
    // EIP-3009 fields are decimal strings in the header; a number is read too.
    let field = |name: &str| payload.pointer(&format!("/payload/authorization/{name}"));
    let auth = |name: &str| {
        field(name)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let number = |name: &str| {
        field(name)
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
            .unwrap_or(0)
    };
    Ok(Ticket {
        record_id: p.id.clone(),
        signed: SignedPayment {
            version,
            network,
            header_name: p.header_name.clone(),
            header_value: p.header_value.clone(),
            nonce_hex: p.nonce.clone(),
            from: auth("from"),
            to: p.payee.clone(),
            value: p.amount_atomic.clone(),
            valid_after: number("validAfter"),
            // Unreadable: treated as live for the longest window we ever sign, so nothing is
            // re-signed early.
            valid_before: match number("validBefore") {
                0 => (p.created_at_ms / 1000) as u64 + payment::MAX_TIMEOUT_SECONDS,
                v => v,
            },
            signature_hex: String::new(),
        },
        sent_before: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(reason: &str) -> Error {
        Error::PaymentRejected {
            provider: ProviderKind::BlockRun,
            reason: reason.into(),
        }
    }

    #[test]
    fn a_refused_header_that_had_left_before_may_have_settled() {
        assert!(!outcome_unknown(
            &rejected("invalid_exact_evm_payload_signature"),
            false
        ));
        assert!(outcome_unknown(
            &rejected("invalid_exact_evm_payload_signature"),
            true
        ));
        assert!(outcome_unknown(
            &rejected("invalid_exact_evm_nonce_already_used"),
            false
        ));
    }

    #[test]
    fn server_errors_other_than_502_and_unreadable_answers_are_unknown() {
        let p = |status| Error::Provider {
            provider: ProviderKind::BlockRun,
            status,
            reason: crate::error::ProviderReason::Other,
            message: String::new(),
        };
        assert!(outcome_unknown(&p(503), false));
        assert!(outcome_unknown(&p(500), false));
        assert!(!outcome_unknown(&p(502), true));
        assert!(!outcome_unknown(&p(422), true));
        assert!(!outcome_unknown(&p(425), true));
        assert!(outcome_unknown(
            &Error::Decode {
                provider: ProviderKind::BlockRun,
                body: String::new()
            },
            false
        ));
    }

    #[test]
    fn until_words_name_the_minute_and_how_long() {
        let now = crate::clock::parse_rfc3339("2026-12-07T10:00:00Z").unwrap();
        assert_eq!(
            until_words(now + 300_000, now),
            "10:05 UTC (in about 5 minutes)"
        );
        assert_eq!(
            until_words(now + 10_000, now),
            "10:00 UTC (in about a minute)"
        );
    }
}
