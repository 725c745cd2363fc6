//! The provider accounts' charges on the shared database: the same two reads as the desk's file
//! (src/library/account_charges.rs), every desk's steps together.

use tokio_postgres::Row;

use super::sessions::provider;
use super::{unknown, Answer, Database};
use crate::error::Result;
use crate::library::account_charges::{
    face_charge_kind, newest_first, AccountCharge, ChargeKind, FACE_CHARGES, JOB_CHARGES,
};
use crate::library::parse_kind;
use crate::media::AssetType;

fn face_row(r: &Row) -> Answer<AccountCharge> {
    let asset_type: String = r.try_get(3)?;
    let asset_type =
        AssetType::parse(&asset_type).ok_or_else(|| unknown("faces.asset_type", &asset_type))?;
    Ok(AccountCharge {
        at_ms: r.try_get(0)?,
        provider: provider(r, 1)?,
        kind: face_charge_kind(parse_kind(&r.try_get::<_, String>(2)?), Some(asset_type)),
        name: r.try_get(4)?,
        reported_usd: r.try_get(5)?,
        reference: r.try_get(6)?,
        operator: r.try_get(7)?,
    })
}

fn job_row(r: &Row) -> Answer<AccountCharge> {
    Ok(AccountCharge {
        at_ms: r.try_get(0)?,
        provider: provider(r, 1)?,
        kind: ChargeKind::Video,
        reported_usd: r.try_get(2)?,
        reference: r.try_get(3)?,
        name: r.try_get(4)?,
        operator: r.try_get(5)?,
    })
}

impl Database {
    pub fn account_charges(&self) -> Result<Vec<AccountCharge>> {
        self.run(move |c| async move {
            let mut all = c
                .query(FACE_CHARGES, &[])
                .await?
                .iter()
                .map(face_row)
                .collect::<Answer<Vec<_>>>()?;
            for r in c.query(JOB_CHARGES, &[]).await? {
                all.push(job_row(&r)?);
            }
            Ok(newest_first(all))
        })
    }
}
