//! The x402 nonce ledger: one record per EIP-3009 authorization Rehearsal has seen.
//!
//! On chain, `transferWithAuthorization` consumes `(from, nonce)` when it executes and never
//! before, so the ledger plays the token contract's `authorizationState`, as a real facilitator
//! reads it before it settles. Each record is in one of three states:
//!
//! - `in_flight`: a request carrying it passed verification and is being served. Any other
//!   request with the same nonce is refused (`invalid_exact_evm_nonce_already_used`) until it
//!   ends.
//! - `settled`: the enrollment succeeded and the authorization was executed (recorded). The nonce
//!   is spent for good: anything carrying it again, even the identical header for the identical
//!   request, is refused. A client that lost the answer reconciles (wallet listing, group
//!   status); the seller does not answer twice.
//! - `void`: the request ended without settling (425, 422, 502, a bad photo, a dropped client).
//!   Nothing was consumed, so the nonce may be presented again, by the same header or another.
//!
//! Records are saved in the state file (`payments`); one found `in_flight` at start-up belonged
//! to a process that died mid-request without settling, and comes back `void`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use x402::X402Version;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonceState {
    InFlight,
    Settled,
    Void,
}

/// The pretend execution of a settled authorization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettledPayment {
    /// `0x` + 64 hex: the pretend transaction.
    pub transaction: String,
    /// As the settlement header and body name it (`eip155:84532` in v2, `base-sepolia` in v1).
    pub network: String,
    pub settled_at: String,
}

/// One authorization, as the state file keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentRecord {
    /// `authorization.from`, checksummed.
    pub payer: String,
    /// `0x` + 64 lowercase hex.
    pub nonce: String,
    pub state: NonceState,
    /// The protocol version of the last attempt.
    pub version: X402Version,
    /// The path it paid for, e.g. `/v1/realface/enroll`.
    pub endpoint: String,
    pub amount_atomic: String,
    /// Requests that got past verification with this nonce.
    pub attempts: u32,
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled: Option<SettledPayment>,
}

/// `(payer, nonce)`, both lowercase: EIP-3009 nonces are unique per authorizer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LedgerKey {
    payer: String,
    nonce: String,
}

impl LedgerKey {
    pub fn new(payer: &str, nonce: &str) -> Self {
        LedgerKey {
            payer: payer.to_ascii_lowercase(),
            nonce: nonce.to_ascii_lowercase(),
        }
    }

    fn of(record: &PaymentRecord) -> Self {
        LedgerKey::new(&record.payer, &record.nonce)
    }
}

/// A verified payment about to be served.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub payer: String,
    pub nonce: String,
    pub version: X402Version,
    pub endpoint: String,
    pub amount_atomic: String,
    pub now: String,
}

/// Why a nonce cannot be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Spent by an earlier settlement.
    Settled,
    /// Another request carrying it is being served.
    InFlight,
}

#[derive(Debug, Default)]
pub struct Ledger {
    records: HashMap<LedgerKey, PaymentRecord>,
}

impl Ledger {
    /// Marks a verified payment in flight, unless its nonce is spent or busy.
    pub fn begin(&mut self, attempt: Attempt) -> Result<LedgerKey, Refusal> {
        let key = LedgerKey::new(&attempt.payer, &attempt.nonce);
        let attempts = match self.records.get(&key) {
            Some(r) if r.state == NonceState::Settled => return Err(Refusal::Settled),
            Some(r) if r.state == NonceState::InFlight => return Err(Refusal::InFlight),
            Some(r) => r.attempts,
            None => 0,
        };
        self.records.insert(
            key.clone(),
            PaymentRecord {
                payer: attempt.payer,
                nonce: attempt.nonce.to_ascii_lowercase(),
                state: NonceState::InFlight,
                version: attempt.version,
                endpoint: attempt.endpoint,
                amount_atomic: attempt.amount_atomic,
                attempts: attempts.saturating_add(1),
                updated_at: attempt.now,
                settled: None,
            },
        );
        Ok(key)
    }

    /// An in-flight payment that ended without settling: its nonce is free again.
    /// `false` if it was not in flight (nothing changed).
    pub fn void(&mut self, key: &LedgerKey, now: String) -> bool {
        match self.records.get_mut(key) {
            Some(r) if r.state == NonceState::InFlight => {
                r.state = NonceState::Void;
                r.updated_at = now;
                true
            }
            _ => false,
        }
    }

    /// Settles an in-flight payment, once. `false` (and nothing changed) if it was not in flight.
    pub fn settle(&mut self, key: &LedgerKey, settled: SettledPayment) -> bool {
        match self.records.get_mut(key) {
            Some(r) if r.state == NonceState::InFlight => {
                r.state = NonceState::Settled;
                r.updated_at = settled.settled_at.clone();
                r.settled = Some(settled);
                true
            }
            _ => false,
        }
    }

    /// How many authorizations were executed: one per settled nonce, ever.
    pub fn settlements(&self) -> u64 {
        self.records
            .values()
            .filter(|r| r.state == NonceState::Settled)
            .count() as u64
    }

    /// What `payer`'s settled authorizations moved, in atomic units: what left their wallet.
    pub fn settled_by(&self, payer: &str) -> u128 {
        let payer = payer.to_ascii_lowercase();
        self.records
            .iter()
            .filter(|(k, r)| k.payer == payer && r.state == NonceState::Settled)
            .map(|(_, r)| r.amount_atomic.parse::<u128>().unwrap_or(0))
            .sum()
    }

    pub fn record(&self, key: &LedgerKey) -> Option<&PaymentRecord> {
        self.records.get(key)
    }

    /// Every record, in a stable order (payer, then nonce).
    pub fn saved(&self) -> Vec<PaymentRecord> {
        let mut records: Vec<(&LedgerKey, &PaymentRecord)> = self.records.iter().collect();
        records.sort_by(|a, b| a.0.cmp(b.0));
        records.into_iter().map(|(_, r)| r.clone()).collect()
    }

    /// The ledger [`Ledger::saved`] described; `in_flight` comes back `void`. Refuses duplicates,
    /// malformed nonces and settled records without their settlement.
    pub fn restore(saved: Vec<PaymentRecord>) -> Result<Ledger, String> {
        let mut records = HashMap::with_capacity(saved.len());
        for mut record in saved {
            let hex = record.nonce.strip_prefix("0x").unwrap_or_default();
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("malformed payment nonce {:?}", record.nonce));
            }
            match (record.state, &record.settled) {
                (NonceState::Settled, None) => {
                    return Err(format!(
                        "payment {} is settled without a settlement",
                        record.nonce
                    ))
                }
                (NonceState::InFlight, _) => {
                    tracing::info!(nonce = %record.nonce, "rehearsal: payment was in flight at the last stop; now void");
                    record.state = NonceState::Void;
                    record.settled = None;
                }
                _ => {}
            }
            if let Some(dup) = records.insert(LedgerKey::of(&record), record) {
                return Err(format!("payment {} appears twice", dup.nonce));
            }
        }
        Ok(Ledger { records })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONCE: &str = "0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    fn attempt(endpoint: &str) -> Attempt {
        Attempt {
            payer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".into(),
            nonce: NONCE.into(),
            version: X402Version::V2,
            endpoint: endpoint.into(),
            amount_atomic: "10000".into(),
            now: "2026-05-24T16:19:00.000Z".into(),
        }
    }

    fn settled() -> SettledPayment {
        SettledPayment {
            transaction: format!("0x{}", "ab".repeat(32)),
            network: "eip155:84532".into(),
            settled_at: "2026-05-24T16:19:01.000Z".into(),
        }
    }

    #[test]
    fn a_nonce_is_busy_in_flight_free_when_void_and_spent_when_settled() {
        const REALFACE: &str = "/v1/realface/enroll";
        let mut ledger = Ledger::default();
        let key = ledger.begin(attempt(REALFACE)).unwrap();
        assert_eq!(ledger.begin(attempt(REALFACE)), Err(Refusal::InFlight));
        assert_eq!(
            ledger.begin(attempt("/v1/portrait/enroll")),
            Err(Refusal::InFlight)
        );
        assert_eq!(ledger.settlements(), 0);

        assert!(ledger.void(&key, "later".into()));
        assert!(!ledger.void(&key, "later".into()), "void twice is a no-op");
        assert!(!ledger.settle(&key, settled()), "only in-flight settles");
        assert_eq!(ledger.record(&key).unwrap().state, NonceState::Void);

        // Void: the nonce may go again.
        let again = ledger.begin(attempt(REALFACE)).unwrap();
        assert_eq!(again, key);
        assert_eq!(ledger.record(&key).unwrap().attempts, 2);
        assert!(ledger.settle(&key, settled()));
        assert!(!ledger.settle(&key, settled()), "settles once");
        assert_eq!(ledger.settlements(), 1);

        // Settled: spent for every request, the one it paid for included.
        assert_eq!(ledger.begin(attempt(REALFACE)), Err(Refusal::Settled));
        assert_eq!(
            ledger.begin(attempt("/v1/portrait/enroll")),
            Err(Refusal::Settled)
        );
        assert!(
            !ledger.void(&key, "x".into()),
            "a settled nonce never goes void"
        );
        assert_eq!(ledger.settlements(), 1);
    }

    #[test]
    fn nonces_are_per_payer_and_case_blind() {
        let mut ledger = Ledger::default();
        ledger.begin(attempt("/v1/realface/enroll")).unwrap();
        let mut lower = attempt("/v1/portrait/enroll");
        lower.nonce = NONCE.to_ascii_lowercase();
        lower.payer = lower.payer.to_ascii_lowercase();
        assert_eq!(ledger.begin(lower), Err(Refusal::InFlight));
        let mut other_payer = attempt("/v1/realface/enroll");
        other_payer.payer = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8".into();
        assert!(ledger.begin(other_payer).is_ok());
    }

    #[test]
    fn restores_in_flight_as_void_and_refuses_nonsense() {
        let mut ledger = Ledger::default();
        let settled_key = ledger.begin(attempt("/v1/realface/enroll")).unwrap();
        ledger.settle(&settled_key, settled());
        let mut busy = attempt("/v1/portrait/enroll");
        busy.nonce = format!("0x{}", "b".repeat(64));
        let busy_key = ledger.begin(busy).unwrap();

        let saved = ledger.saved();
        let json = serde_json::to_value(&saved).unwrap();
        assert!(json
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["state"] == "in_flight"));
        let back = Ledger::restore(serde_json::from_value(json).unwrap()).unwrap();
        assert_eq!(back.settlements(), 1);
        assert_eq!(back.record(&busy_key).unwrap().state, NonceState::Void);
        assert_eq!(back.record(&settled_key), ledger.record(&settled_key));

        let mut dup = saved.clone();
        dup.push(saved[0].clone());
        assert!(Ledger::restore(dup).is_err());
        let mut bad = saved.clone();
        bad[0].nonce = "0x12".into();
        assert!(Ledger::restore(bad).is_err());
        let mut hollow = saved;
        for r in &mut hollow {
            r.settled = None;
        }
        assert!(Ledger::restore(hollow).is_err());
    }
}
