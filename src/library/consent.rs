//! The consent record kept with every face this studio enrolls: who ran the session, when, the
//! liveness session or group the person was verified in, the sha256 of the exact photo (or
//! file) bytes that were fetched and checked, and what paid — the x402 ledger row and its
//! transaction, or the provider account behind the studio's API key (never the key itself).
//!
//! Faces filled in from a provider's listing were enrolled elsewhere and have no record here.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::Library;
use crate::error::Result;
use crate::providers::ProviderKind;

/// What a receipt and the library say for a face without a record.
pub const NO_CONSENT_RECORD: &str = "Enrolled elsewhere; no consent record in this studio.";
/// …for a face enrolled here before consent records were kept (it has a local preview).
pub const NO_CONSENT_RECORD_YET: &str =
    "Enrolled in this studio before consent records were kept; no consent record.";
/// What a portrait's record says instead of a liveness session.
pub const NO_LIVENESS: &str = "AI character — no liveness";

/// One face's consent record, made when it was enrolled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ConsentRecord {
    /// Who ran the session (Settings → Operator name); empty when no name was set.
    pub operator: String,
    /// When the record was made: the moment the provider accepted the face or file.
    pub recorded_at_ms: i64,
    /// The liveness session and group the person was verified in (`ses_… / group …`). `None`
    /// for an AI character, which has no liveness check.
    pub liveness_ref: Option<String>,
    /// sha256 (lowercase hex) of the photo or file bytes the studio fetched and checked.
    pub file_sha256: Option<String>,
    /// What paid for the enrollment or upload.
    pub payment: Option<ConsentPayment>,
    /// When the copy of a local photo hosted for the provider (the studio's bucket, or
    /// Rehearsal's own shelf) was deleted. `None` when the provider fetched the operator's own
    /// link or took the bytes inline (Anyfast), so no copy was left anywhere.
    #[serde(default)]
    pub hosted_copy_deleted_at_ms: Option<i64>,
    /// The release the talent read and agreed to before their QR appeared. `None` for faces
    /// enrolled before releases were kept, and for AI characters.
    #[serde(default)]
    pub release: Option<super::TalentConsent>,
}

/// What paid. Never holds a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "rail", rename_all = "snake_case")]
pub enum ConsentPayment {
    /// x402 from the studio wallet: the payment ledger's row and the settlement transaction.
    X402 {
        #[serde(rename = "ledgerId")]
        ledger_id: String,
        #[serde(rename = "txHash")]
        tx_hash: Option<String>,
    },
    /// Billed to the provider account behind the studio's API key.
    Account { provider: ProviderKind },
}

impl ConsentPayment {
    /// How the `payment_ref` column keeps it: `x402:<ledger id>` or `account:<provider>`. The
    /// transaction hash lives in the face's own `tx_hash` column.
    pub(super) fn to_column(&self) -> String {
        match self {
            ConsentPayment::X402 { ledger_id, .. } => format!("x402:{ledger_id}"),
            ConsentPayment::Account { provider } => format!("account:{}", provider.as_str()),
        }
    }

    pub(super) fn from_column(raw: &str, tx_hash: Option<String>) -> Option<Self> {
        let (rail, rest) = raw.split_once(':')?;
        match rail {
            "x402" if !rest.is_empty() => Some(ConsentPayment::X402 {
                ledger_id: rest.to_string(),
                tx_hash,
            }),
            "account" => {
                ProviderKind::parse(rest).map(|provider| ConsentPayment::Account { provider })
            }
            _ => None,
        }
    }

    /// One line in plain words: "x402, transaction 0x… (payment ledger pay_…)" or
    /// "API key (Anyfast) account".
    pub fn describe(&self) -> String {
        match self {
            ConsentPayment::X402 { ledger_id, tx_hash } => match tx_hash {
                Some(tx) => format!("x402, transaction {tx} (payment ledger {ledger_id})"),
                None => format!("x402 (payment ledger {ledger_id}; no transaction hash given)"),
            },
            ConsentPayment::Account { provider } => {
                format!("API key ({}) account", provider.label())
            }
        }
    }
}

/// `ses_… / group …`: the session the person was verified in, and their group.
pub fn liveness_ref(session_id: &str, group_id: &str) -> String {
    if group_id.is_empty() {
        session_id.to_string()
    } else {
        format!("{session_id} / group {group_id}")
    }
}

/// The session id and group id back out of a [`liveness_ref`].
pub fn split_liveness_ref(r: &str) -> (Option<&str>, Option<&str>) {
    let (session, group) = match r.split_once(" / ") {
        Some((s, g)) => (s, g.strip_prefix("group ").unwrap_or(g)),
        None if r.starts_with("group ") => ("", &r["group ".len()..]),
        None => (r, ""),
    };
    fn some(s: &str) -> Option<&str> {
        Some(s.trim()).filter(|s| !s.is_empty())
    }
    (some(session), some(group))
}

impl Library {
    /// How an asset the studio just enrolled was paid: the settled x402 payment the ledger
    /// files under its id, else the provider account (the API-key rail, and BytePlus uploads).
    pub fn payment_for(
        &self,
        asset_id: &str,
        provider: ProviderKind,
        tx_hash: Option<&str>,
    ) -> Result<ConsentPayment> {
        if let Some(db) = self.shared() {
            return db.payment_for(asset_id, provider, tx_hash);
        }
        let settled: Option<(String, Option<String>)> = self
            .conn()
            .query_row(
                "SELECT id, settlement_tx FROM payments WHERE asset_id = ?1 AND status = 'settled'
                 ORDER BY updated_at_ms DESC, rowid DESC LIMIT 1",
                [asset_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match settled {
            Some((ledger_id, settlement_tx)) => ConsentPayment::X402 {
                ledger_id,
                tx_hash: settlement_tx.or_else(|| tx_hash.map(str::to_string)),
            },
            None => ConsentPayment::Account { provider },
        })
    }

    /// The liveness session a person's group was verified in, for files added to the group
    /// later: the reference kept with the group's first recorded file, else the session that
    /// opened the group. `None` when this studio never saw the check (a synced group).
    pub fn group_liveness_ref(
        &self,
        provider: ProviderKind,
        group_id: &str,
    ) -> Result<Option<String>> {
        if let Some(db) = self.shared() {
            return db.group_liveness_ref(provider, group_id);
        }
        let conn = self.conn();
        let filed: Option<String> = conn
            .query_row(
                "SELECT liveness_ref FROM faces
                 WHERE provider = ?1 AND group_id = ?2 AND liveness_ref IS NOT NULL
                 ORDER BY enrolled_at_ms, rowid LIMIT 1",
                params![provider.as_str(), group_id],
                |r| r.get(0),
            )
            .optional()?;
        if filed.is_some() {
            return Ok(filed);
        }
        let session: Option<String> = conn
            .query_row(
                "SELECT id FROM sessions
                 WHERE provider = ?1 AND group_id = ?2 AND state IN ('verified', 'awaiting_payment', 'enrolling', 'enrolled')
                 ORDER BY updated_at_ms DESC LIMIT 1",
                params![provider.as_str(), group_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(session.map(|s| liveness_ref(&s, group_id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_refs_round_trip_and_never_hold_a_key() {
        let x = ConsentPayment::X402 {
            ledger_id: "pay_01".into(),
            tx_hash: Some("0xabc".into()),
        };
        assert_eq!(x.to_column(), "x402:pay_01");
        assert_eq!(
            ConsentPayment::from_column("x402:pay_01", Some("0xabc".into())),
            Some(x.clone())
        );
        let a = ConsentPayment::Account {
            provider: ProviderKind::Anyfast,
        };
        assert_eq!(a.to_column(), "account:anyfast");
        assert_eq!(
            ConsentPayment::from_column("account:anyfast", None),
            Some(a.clone())
        );
        assert_eq!(a.describe(), "API key (Anyfast) account");
        assert_eq!(
            x.describe(),
            "x402, transaction 0xabc (payment ledger pay_01)"
        );
        for bad in ["", "x402:", "account:nobody", "key:brk_secret"] {
            assert_eq!(ConsentPayment::from_column(bad, None), None, "{bad:?}");
        }
        assert_eq!(
            serde_json::to_value(&x).unwrap(),
            serde_json::json!({"rail": "x402", "ledgerId": "pay_01", "txHash": "0xabc"})
        );
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::json!({"rail": "account", "provider": "anyfast"})
        );
    }

    #[test]
    fn liveness_refs_split_back() {
        let r = liveness_ref("ses_1", "legacy_rf_9");
        assert_eq!(r, "ses_1 / group legacy_rf_9");
        assert_eq!(split_liveness_ref(&r), (Some("ses_1"), Some("legacy_rf_9")));
        assert_eq!(split_liveness_ref("ses_2"), (Some("ses_2"), None));
        assert_eq!(split_liveness_ref("group g-1"), (None, Some("g-1")));
    }
}
