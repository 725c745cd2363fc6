//! The studio's spending caps, kept in the shared database so every desk pays under the same
//! ones (`likeness caps set`, Settings).

use super::payments::effective;
use super::Database;
use crate::error::Result;
use crate::spend::SpendCaps;

/// The caps row as stored: `None` where the studio has not set one (each desk's own applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudioCaps {
    pub per_payment_atomic: Option<u128>,
    pub daily_atomic: Option<u128>,
}

impl StudioCaps {
    /// What a desk whose own caps are `desk` pays under.
    pub fn over(self, desk: SpendCaps) -> SpendCaps {
        SpendCaps {
            per_payment_atomic: self.per_payment_atomic.unwrap_or(desk.per_payment_atomic),
            daily_atomic: self.daily_atomic.unwrap_or(desk.daily_atomic),
        }
    }
}

impl Database {
    pub fn studio_caps(&self) -> Result<StudioCaps> {
        self.run(move |c| async move {
            let r = c
                .query_one(
                    "SELECT per_payment_atomic::text, daily_atomic::text FROM studio_caps
                     WHERE id = 1",
                    &[],
                )
                .await?;
            let per: Option<String> = r.try_get(0)?;
            let daily: Option<String> = r.try_get(1)?;
            let known = effective(SpendCaps::default(), per.clone(), daily.clone())?;
            Ok(StudioCaps {
                per_payment_atomic: per.map(|_| known.per_payment_atomic),
                daily_atomic: daily.map(|_| known.daily_atomic),
            })
        })
    }

    /// Sets the caps every desk pays under; `None` leaves that cap as it is.
    pub fn set_studio_caps(
        &self,
        per_payment_atomic: Option<u128>,
        daily_atomic: Option<u128>,
        now_ms: i64,
    ) -> Result<StudioCaps> {
        let per = per_payment_atomic.map(|v| v.to_string());
        let daily = daily_atomic.map(|v| v.to_string());
        let desk = self.desk.clone();
        self.run(move |c| async move {
            c.execute(
                "UPDATE studio_caps SET
                     per_payment_atomic = COALESCE($1::text::numeric, per_payment_atomic),
                     daily_atomic = COALESCE($2::text::numeric, daily_atomic),
                     updated_at_ms = $3, desk = $4
                 WHERE id = 1",
                &[&per, &daily, &now_ms, &desk],
            )
            .await?;
            Ok(())
        })?;
        self.studio_caps()
    }
}
