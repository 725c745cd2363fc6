//! Liveness sessions on the shared database. Each row carries the desk that opened it.

use tokio_postgres::Row;

use super::{unknown, Answer, Database};
use crate::error::{Error, Result};
use crate::flow::SessionState;
use crate::library::LivenessSession;
use crate::providers::ProviderKind;

const COLUMNS: &str =
    "SELECT id, provider, group_id, talent_name, image_url, h5_link, expires_at_ms,
    state, asset_id, created_at_ms, updated_at_ms, link_issued_at_ms, photo_override, liveness_token
    FROM sessions";

pub(super) fn provider(r: &Row, i: usize) -> Answer<ProviderKind> {
    let s: String = r.try_get(i)?;
    ProviderKind::parse(&s).ok_or_else(|| unknown("provider", &s))
}

fn from_row(r: &Row) -> Answer<LivenessSession> {
    let state: String = r.try_get(7)?;
    Ok(LivenessSession {
        id: r.try_get(0)?,
        provider: provider(r, 1)?,
        group_id: r.try_get(2)?,
        talent_name: r.try_get(3)?,
        image_url: r.try_get(4)?,
        h5_link: r.try_get(5)?,
        expires_at_ms: r.try_get(6)?,
        state: SessionState::parse(&state).ok_or_else(|| unknown("sessions.state", &state))?,
        asset_id: r.try_get(8)?,
        created_at_ms: r.try_get(9)?,
        updated_at_ms: r.try_get(10)?,
        link_issued_at_ms: r.try_get(11)?,
        photo_override: r.try_get(12)?,
        liveness_token: r.try_get(13)?,
    })
}

impl Database {
    pub fn save_session(&self, s: &LivenessSession) -> Result<()> {
        self.write_session(
            s,
            "ON CONFLICT (id) DO UPDATE SET group_id = $3, talent_name = $4, image_url = $5,
                 h5_link = $6, expires_at_ms = $7, state = $8, asset_id = $9, updated_at_ms = $11,
                 link_issued_at_ms = $12, photo_override = $13, liveness_token = $14",
        )
        .map(drop)
    }

    /// Files a session moved in from a desk's file, unless its id is there.
    pub fn import_session(&self, s: &LivenessSession) -> Result<bool> {
        self.write_session(s, "ON CONFLICT (id) DO NOTHING")
    }

    fn write_session(&self, s: &LivenessSession, on_conflict: &'static str) -> Result<bool> {
        let s = s.clone();
        let desk = self.desk.clone();
        self.run(move |c| async move {
            let n = c
                .execute(
                    &format!(
                        "INSERT INTO sessions (id, provider, group_id, talent_name, image_url,
                             h5_link, expires_at_ms, state, asset_id, created_at_ms, updated_at_ms,
                             link_issued_at_ms, photo_override, liveness_token, desk)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                         {on_conflict}"
                    ),
                    &[
                        &s.id,
                        &s.provider.as_str(),
                        &s.group_id,
                        &s.talent_name,
                        &s.image_url,
                        &s.h5_link,
                        &s.expires_at_ms,
                        &s.state.as_str(),
                        &s.asset_id,
                        &s.created_at_ms,
                        &s.updated_at_ms,
                        &s.link_issued_at_ms,
                        &s.photo_override,
                        &s.liveness_token,
                        &desk,
                    ],
                )
                .await?;
            Ok(n > 0)
        })
    }

    pub fn session(&self, id: &str) -> Result<LivenessSession> {
        let id = id.to_string();
        self.run(move |c| async move {
            let row = c
                .query_opt(&format!("{COLUMNS} WHERE id = $1"), &[&id])
                .await?;
            match row {
                Some(r) => from_row(&r),
                None => Err(Error::NotFound(format!(
                    "No session with id {id}. Run `likeness sessions` to list them."
                ))
                .into()),
            }
        })
    }

    pub fn open_sessions(&self) -> Result<Vec<LivenessSession>> {
        self.run(move |c| async move {
            let rows = c
                .query(
                    &format!(
                        "{COLUMNS} WHERE state IN ('awaiting_scan', 'expired', 'verified',
                             'awaiting_payment', 'enrolling')
                         ORDER BY created_at_ms DESC"
                    ),
                    &[],
                )
                .await?;
            rows.iter().map(from_row).collect()
        })
    }
}
