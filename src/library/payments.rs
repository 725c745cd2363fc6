//! The payment ledger: every signed authorization, what it bought, and how it ended.
//!
//! Rows are written when a payment is signed, before the request leaves, so a retry after a
//! timeout or a crash finds the same signed header (same nonce) and re-sends it.

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

use super::{parse_provider, Library};
use crate::error::{DatabaseProblem, Error, Result};
use crate::providers::ProviderKind;
use crate::spend::{self, SpendCaps};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Signed and stored; the request may or may not have reached the provider.
    Signed,
    /// The provider accepted and settled it.
    Settled,
    /// The provider answered without charging (425, 422, 502): the authorization is void.
    NotCharged,
    /// The provider refused the authorization itself (invalid or expired).
    Rejected,
}

impl PaymentStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Signed => "signed",
            PaymentStatus::Settled => "settled",
            PaymentStatus::NotCharged => "not_charged",
            PaymentStatus::Rejected => "rejected",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        [
            PaymentStatus::Signed,
            PaymentStatus::Settled,
            PaymentStatus::NotCharged,
            PaymentStatus::Rejected,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    /// Whether the money may have left, for the daily cap: only refusals are known not to.
    pub fn may_have_spent(self) -> bool {
        matches!(self, PaymentStatus::Signed | PaymentStatus::Settled)
    }
}

/// One row of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRecord {
    pub id: String,
    pub provider: ProviderKind,
    /// What the payment buys, e.g. `realface:ses_…` — the key a retry looks the row up by.
    pub purpose: String,
    /// USDC in atomic units (6 decimals), as the challenge stated it.
    pub amount_atomic: String,
    pub payee: String,
    pub network: String,
    pub asset_contract: String,
    pub nonce: String,
    pub header_name: String,
    /// The signed header, byte-identical on every retry. Not a key: it authorizes exactly this
    /// one transfer, once.
    #[serde(skip)]
    pub header_value: String,
    pub status: PaymentStatus,
    pub settlement_tx: Option<String>,
    pub asset_id: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// Who confirmed it (Settings → Operator name); '' for a payment from before operators were
    /// kept.
    #[serde(default)]
    pub operator: String,
}

const COLUMNS: &str = "SELECT id, provider, purpose, amount_atomic, payee, network, asset_contract, nonce,
    header_name, header_value, status, settlement_tx, asset_id, created_at_ms, updated_at_ms, operator FROM payments";

fn from_row(r: &Row<'_>) -> rusqlite::Result<PaymentRecord> {
    let status: String = r.get(10)?;
    Ok(PaymentRecord {
        id: r.get(0)?,
        provider: parse_provider(r.get(1)?)?,
        purpose: r.get(2)?,
        amount_atomic: r.get(3)?,
        payee: r.get(4)?,
        network: r.get(5)?,
        asset_contract: r.get(6)?,
        nonce: r.get(7)?,
        header_name: r.get(8)?,
        header_value: r.get(9)?,
        status: PaymentStatus::parse(&status)
            .ok_or_else(|| super::bad_value(10, status.clone()))?,
        settlement_tx: r.get(11)?,
        asset_id: r.get(12)?,
        created_at_ms: r.get(13)?,
        updated_at_ms: r.get(14)?,
        operator: r.get(15)?,
    })
}

fn insert(conn: &rusqlite::Connection, p: &PaymentRecord) -> Result<()> {
    let done = conn.execute(
        "INSERT INTO payments (id, provider, purpose, amount_atomic, payee, network, asset_contract, nonce,
                               header_name, header_value, status, settlement_tx, asset_id, created_at_ms,
                               updated_at_ms, operator)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        params![
            p.id,
            p.provider.as_str(),
            p.purpose,
            p.amount_atomic,
            p.payee,
            p.network,
            p.asset_contract,
            p.nonce,
            p.header_name,
            p.header_value,
            p.status.as_str(),
            p.settlement_tx,
            p.asset_id,
            p.created_at_ms,
            p.updated_at_ms,
            p.operator,
        ],
    );
    match done {
        Ok(_) => Ok(()),
        Err(e) if e.to_string().contains("payments.purpose") => Err(Error::database(
            DatabaseProblem::Conflict,
            format!(
                "A payment for this ({}) is already under way. Nothing more was signed; wait \
                 for it to finish, then look again.",
                p.purpose
            ),
        )),
        Err(e) => Err(e.into()),
    }
}

impl Library {
    /// Stores a freshly signed payment. Fails if its nonce was ever stored before.
    pub fn record_payment(&self, p: &PaymentRecord) -> Result<()> {
        if let Some(db) = self.shared() {
            return db.record_payment(p);
        }
        insert(&self.conn(), p)
    }

    /// Checks `amount` against the caps and the day's ledger since `since_ms`, and files the
    /// row, as one transaction: two desks (or the app and the CLI on one file) paying at the
    /// same instant take turns, so together they cannot pass the daily cap. On the shared
    /// database the studio's caps apply where set, else `desk_caps`.
    pub fn record_payment_within_caps(
        &self,
        p: &PaymentRecord,
        desk_caps: SpendCaps,
        since_ms: i64,
    ) -> Result<()> {
        if let Some(db) = self.shared() {
            return db.record_payment_within_caps(p, desk_caps, since_ms);
        }
        let amount: u128 = p.amount_atomic.parse().map_err(|_| {
            Error::Internal(format!(
                "payment amount {:?} is not a number",
                p.amount_atomic
            ))
        })?;
        let mut conn = self.conn();
        // IMMEDIATE takes the file's write lock before reading the day's total.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut spent: u128 = 0;
        {
            let mut stmt = tx.prepare(
                "SELECT id, amount_atomic FROM payments
                 WHERE created_at_ms >= ?1 AND status IN ('signed', 'settled')",
            )?;
            let rows = stmt.query_map([since_ms], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            for row in rows {
                let (id, a) = row?;
                spent += a.parse::<u128>().map_err(|_| {
                    Error::Storage(format!("payment {id} has a malformed amount {a:?}"))
                })?;
            }
        }
        spend::check(desk_caps, amount, spent)?;
        insert(&tx, p)?;
        tx.commit()?;
        Ok(())
    }

    pub fn update_payment(
        &self,
        id: &str,
        status: PaymentStatus,
        settlement_tx: Option<&str>,
        asset_id: Option<&str>,
        now_ms: i64,
    ) -> Result<()> {
        if let Some(db) = self.shared() {
            return db.update_payment(id, status, settlement_tx, asset_id, now_ms);
        }
        let n = self.conn().execute(
            "UPDATE payments SET status = ?2, settlement_tx = COALESCE(?3, settlement_tx),
                 asset_id = COALESCE(?4, asset_id), updated_at_ms = ?5 WHERE id = ?1",
            params![id, status.as_str(), settlement_tx, asset_id, now_ms],
        )?;
        if n == 0 {
            return Err(Error::NotFound(format!("No payment with id {id}.")));
        }
        Ok(())
    }

    /// The newest payment for `purpose` that may still be in flight (signed, outcome unknown):
    /// the one a retry must re-send.
    pub fn pending_payment(&self, purpose: &str) -> Result<Option<PaymentRecord>> {
        if let Some(db) = self.shared() {
            return db.pending_payment(purpose);
        }
        Ok(self
            .conn()
            .query_row(
                &format!("{COLUMNS} WHERE purpose = ?1 AND status = 'signed' ORDER BY created_at_ms DESC LIMIT 1"),
                [purpose],
                from_row,
            )
            .optional()?)
    }

    pub fn payment(&self, id: &str) -> Result<PaymentRecord> {
        if let Some(db) = self.shared() {
            return db.payment(id);
        }
        self.conn()
            .query_row(&format!("{COLUMNS} WHERE id = ?1"), [id], from_row)
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("No payment with id {id}.")))
    }

    /// Every payment made for `purpose`, oldest first (a video job's first authorization and
    /// any re-signed after it lapsed).
    pub fn payments_for(&self, purpose: &str) -> Result<Vec<PaymentRecord>> {
        if let Some(db) = self.shared() {
            return db.payments_for(purpose);
        }
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "{COLUMNS} WHERE purpose = ?1 ORDER BY created_at_ms, rowid"
        ))?;
        let rows = stmt.query_map([purpose], from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Newest first.
    pub fn payments(&self) -> Result<Vec<PaymentRecord>> {
        if let Some(db) = self.shared() {
            return db.payments();
        }
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "{COLUMNS} ORDER BY created_at_ms DESC, rowid DESC"
        ))?;
        let rows = stmt.query_map([], from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Atomic USDC units that may have left since `since_ms` (for the daily cap).
    pub fn spent_since(&self, since_ms: i64) -> Result<u128> {
        if let Some(db) = self.shared() {
            return db.spent_since(since_ms);
        }
        let mut total: u128 = 0;
        for p in self.payments()? {
            if p.created_at_ms >= since_ms && p.status.may_have_spent() {
                total += p.amount_atomic.parse::<u128>().map_err(|_| {
                    Error::Storage(format!(
                        "payment {} has a malformed amount {:?}",
                        p.id, p.amount_atomic
                    ))
                })?;
            }
        }
        Ok(total)
    }
}

/// Atomic USDC (6 decimals) as a dollar string: `10000` → `0.010000`.
pub fn usdc_decimal(atomic: &str) -> String {
    let digits = atomic.trim_start_matches('0');
    let padded = format!("{digits:0>7}");
    let (whole, frac) = padded.split_at(padded.len() - 6);
    format!("{whole}.{frac}")
}

/// The ledger as CSV for accounting, one row per payment, RFC 4180 quoting.
pub fn payments_csv(rows: &[PaymentRecord]) -> String {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }
    let mut out = String::from(
        "created_at,provider,purpose,amount_usdc,amount_atomic,payee,network,asset_contract,nonce,status,settlement_tx,asset_id,operator\r\n",
    );
    for p in rows {
        let cells = [
            crate::clock::rfc3339(p.created_at_ms),
            p.provider.label().to_string(),
            p.purpose.clone(),
            usdc_decimal(&p.amount_atomic),
            p.amount_atomic.clone(),
            p.payee.clone(),
            p.network.clone(),
            p.asset_contract.clone(),
            p.nonce.clone(),
            p.status.as_str().to_string(),
            p.settlement_tx.clone().unwrap_or_default(),
            p.asset_id.clone().unwrap_or_default(),
            p.operator.clone(),
        ];
        out.push_str(&cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(
        id: &str,
        nonce: &str,
        amount: &str,
        status: PaymentStatus,
        at: i64,
    ) -> PaymentRecord {
        PaymentRecord {
            id: id.into(),
            provider: ProviderKind::Rehearsal,
            purpose: "realface:ses_1".into(),
            amount_atomic: amount.into(),
            payee: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C".into(),
            network: "base-sepolia".into(),
            asset_contract: "0x036CbD53842c5426634e7929541eC2318f3dCF7e".into(),
            nonce: nonce.into(),
            header_name: "PAYMENT-SIGNATURE".into(),
            header_value: "eyJ4NDAy".into(),
            status,
            settlement_tx: None,
            asset_id: None,
            created_at_ms: at,
            updated_at_ms: at,
            operator: "Grace".into(),
        }
    }

    #[test]
    fn usdc_amounts_and_csv() {
        assert_eq!(usdc_decimal("10000"), "0.010000");
        assert_eq!(usdc_decimal("2000000"), "2.000000");
        assert_eq!(usdc_decimal("0"), "0.000000");
        assert_eq!(usdc_decimal("123456789"), "123.456789");
        let mut r = record("a", "0x1", "10000", PaymentStatus::Settled, 0);
        r.purpose = "portrait:\"Robo, the host\"".into();
        let csv = payments_csv(&[r]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert!(lines[0].starts_with("created_at,provider,purpose,amount_usdc"));
        assert!(
            lines[1].contains(",\"portrait:\"\"Robo, the host\"\"\",0.010000,10000,"),
            "{}",
            lines[1]
        );
        assert!(lines[1].starts_with("1970-01-01T00:00:00.000Z,Rehearsal,"));
        assert!(lines[0].ends_with(",asset_id,operator"), "{}", lines[0]);
        assert!(
            lines[1].ends_with(",Grace"),
            "who confirmed it: {}",
            lines[1]
        );
    }
}
