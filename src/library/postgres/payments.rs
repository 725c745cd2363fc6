//! The payment ledger on the shared database. The cap check and the ledger row are one
//! transaction under the studio's caps row lock, so desks paying at the same instant take
//! turns and cannot together pass the daily cap.

use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::sessions::provider;
use super::{unknown, Answer, Database, Fail};
use crate::error::{DatabaseProblem, Error, Result};
use crate::library::{PaymentRecord, PaymentStatus};
use crate::spend::{self, SpendCaps};

const COLUMNS: &str = "SELECT id, provider, purpose, amount_atomic::text, payee, network,
    asset_contract, nonce, header_name, header_value, status, settlement_tx, asset_id,
    created_at_ms, updated_at_ms, operator FROM payments";

const INSERT: &str = "INSERT INTO payments (id, provider, purpose, amount_atomic, payee, network,
        asset_contract, nonce, header_name, header_value, status, settlement_tx, asset_id,
        created_at_ms, updated_at_ms, desk, operator)
    VALUES ($1, $2, $3, $4::text::numeric, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
        $17)";

fn from_row(r: &Row) -> Answer<PaymentRecord> {
    let status: String = r.try_get(10)?;
    Ok(PaymentRecord {
        id: r.try_get(0)?,
        provider: provider(r, 1)?,
        purpose: r.try_get(2)?,
        amount_atomic: r.try_get(3)?,
        payee: r.try_get(4)?,
        network: r.try_get(5)?,
        asset_contract: r.try_get(6)?,
        nonce: r.try_get(7)?,
        header_name: r.try_get(8)?,
        header_value: r.try_get(9)?,
        status: PaymentStatus::parse(&status).ok_or_else(|| unknown("payments.status", &status))?,
        settlement_tx: r.try_get(11)?,
        asset_id: r.try_get(12)?,
        created_at_ms: r.try_get(13)?,
        updated_at_ms: r.try_get(14)?,
        operator: r.try_get(15)?,
    })
}

/// The row's columns, owned so the parameter list can borrow them.
struct Columns {
    p: PaymentRecord,
    provider: &'static str,
    status: &'static str,
    desk: String,
}

impl Columns {
    fn new(p: &PaymentRecord, desk: &str) -> Self {
        Columns {
            provider: p.provider.as_str(),
            status: p.status.as_str(),
            p: p.clone(),
            desk: desk.to_string(),
        }
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 17] {
        let p = &self.p;
        [
            &p.id,
            &self.provider,
            &p.purpose,
            &p.amount_atomic,
            &p.payee,
            &p.network,
            &p.asset_contract,
            &p.nonce,
            &p.header_name,
            &p.header_value,
            &self.status,
            &p.settlement_tx,
            &p.asset_id,
            &p.created_at_ms,
            &p.updated_at_ms,
            &self.desk,
            &p.operator,
        ]
    }
}

/// A second payment in flight for one purpose: another desk is paying for it.
fn paid_elsewhere(e: tokio_postgres::Error, purpose: &str) -> Fail {
    let in_flight = e
        .as_db_error()
        .is_some_and(|d| d.constraint() == Some("payments_one_in_flight"));
    if in_flight {
        return Error::database(
            DatabaseProblem::Conflict,
            format!(
                "A payment for this ({purpose}) is already under way, from this desk or another. \
                 Nothing more was signed; wait for it to finish, then look again."
            ),
        )
        .into();
    }
    e.into()
}

async fn spent_since(c: &impl GenericClient, since_ms: i64) -> Answer<u128> {
    let total: String = c
        .query_one(
            "SELECT COALESCE(SUM(amount_atomic), 0)::text FROM payments
             WHERE created_at_ms >= $1 AND status IN ('signed', 'settled')",
            &[&since_ms],
        )
        .await?
        .try_get(0)?;
    total
        .parse()
        .map_err(|_| unknown("the day's payment total", &total))
}

/// The studio's caps where they are set, else this desk's.
pub(super) fn effective(
    desk_caps: SpendCaps,
    per_payment: Option<String>,
    daily: Option<String>,
) -> Answer<SpendCaps> {
    let parse = |v: Option<String>, fallback: u128| -> Answer<u128> {
        match v {
            Some(s) => s.parse().map_err(|_| unknown("studio_caps", &s)),
            None => Ok(fallback),
        }
    };
    Ok(SpendCaps {
        per_payment_atomic: parse(per_payment, desk_caps.per_payment_atomic)?,
        daily_atomic: parse(daily, desk_caps.daily_atomic)?,
    })
}

impl Database {
    pub fn record_payment(&self, p: &PaymentRecord) -> Result<()> {
        let cols = Columns::new(p, &self.desk);
        self.run(move |c| async move {
            c.execute(INSERT, &cols.params())
                .await
                .map_err(|e| paid_elsewhere(e, &cols.p.purpose))?;
            Ok(())
        })
    }

    /// Checks the caps against the day's ledger and files the row, in one transaction that
    /// holds the studio's caps row: two desks cannot both see room for one more payment.
    pub fn record_payment_within_caps(
        &self,
        p: &PaymentRecord,
        desk_caps: SpendCaps,
        since_ms: i64,
    ) -> Result<()> {
        let cols = Columns::new(p, &self.desk);
        let amount: u128 = p.amount_atomic.parse().map_err(|_| {
            Error::Internal(format!(
                "payment amount {:?} is not a number",
                p.amount_atomic
            ))
        })?;
        self.run(move |mut c| async move {
            let tx = c.transaction().await?;
            let caps = tx
                .query_one(
                    "SELECT per_payment_atomic::text, daily_atomic::text FROM studio_caps
                     WHERE id = 1 FOR UPDATE",
                    &[],
                )
                .await?;
            let caps = effective(desk_caps, caps.try_get(0)?, caps.try_get(1)?)?;
            spend::check(caps, amount, spent_since(&tx, since_ms).await?)?;
            tx.execute(INSERT, &cols.params())
                .await
                .map_err(|e| paid_elsewhere(e, &cols.p.purpose))?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Files a ledger row moved in from a desk's file, unless its id (or nonce) is there.
    pub fn import_payment(&self, p: &PaymentRecord) -> Result<bool> {
        let cols = Columns::new(p, &self.desk);
        self.run(move |c| async move {
            let n = c
                .execute(&format!("{INSERT} ON CONFLICT DO NOTHING"), &cols.params())
                .await?;
            Ok(n > 0)
        })
    }

    pub fn update_payment(
        &self,
        id: &str,
        status: PaymentStatus,
        settlement_tx: Option<&str>,
        asset_id: Option<&str>,
        now_ms: i64,
    ) -> Result<()> {
        let id = id.to_string();
        let tx_hash = settlement_tx.map(str::to_string);
        let asset = asset_id.map(str::to_string);
        self.run(move |c| async move {
            let n = c
                .execute(
                    "UPDATE payments SET status = $2, settlement_tx = COALESCE($3, settlement_tx),
                         asset_id = COALESCE($4, asset_id), updated_at_ms = $5 WHERE id = $1",
                    &[&id, &status.as_str(), &tx_hash, &asset, &now_ms],
                )
                .await?;
            if n == 0 {
                return Err(Error::NotFound(format!("No payment with id {id}.")).into());
            }
            Ok(())
        })
    }

    pub fn pending_payment(&self, purpose: &str) -> Result<Option<PaymentRecord>> {
        let purpose = purpose.to_string();
        self.run(move |c| async move {
            let row = c
                .query_opt(
                    &format!(
                        "{COLUMNS} WHERE purpose = $1 AND status = 'signed'
                         ORDER BY created_at_ms DESC LIMIT 1"
                    ),
                    &[&purpose],
                )
                .await?;
            row.as_ref().map(from_row).transpose()
        })
    }

    pub fn payment(&self, id: &str) -> Result<PaymentRecord> {
        let id = id.to_string();
        self.run(move |c| async move {
            match c
                .query_opt(&format!("{COLUMNS} WHERE id = $1"), &[&id])
                .await?
            {
                Some(r) => from_row(&r),
                None => Err(Error::NotFound(format!("No payment with id {id}.")).into()),
            }
        })
    }

    pub fn payments_for(&self, purpose: &str) -> Result<Vec<PaymentRecord>> {
        let purpose = purpose.to_string();
        self.run(move |c| async move {
            let rows = c
                .query(
                    &format!("{COLUMNS} WHERE purpose = $1 ORDER BY created_at_ms, seq"),
                    &[&purpose],
                )
                .await?;
            rows.iter().map(from_row).collect()
        })
    }

    pub fn payments(&self) -> Result<Vec<PaymentRecord>> {
        self.run(move |c| async move {
            let rows = c
                .query(
                    &format!("{COLUMNS} ORDER BY created_at_ms DESC, seq DESC"),
                    &[],
                )
                .await?;
            rows.iter().map(from_row).collect()
        })
    }

    pub fn spent_since(&self, since_ms: i64) -> Result<u128> {
        self.run(move |c| async move { spent_since(&c, since_ms).await })
    }
}
