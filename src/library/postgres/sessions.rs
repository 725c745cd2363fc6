//! Liveness sessions on the shared database. Each row carries the desk that owns it: only
//! that desk writes it (and so polls it), every desk sees it, and another desk takes it over
//! only when the operator says so (a desk that crashed leaves its sessions waiting).

use tokio_postgres::Row;

use super::{unknown, Answer, Database};
use crate::error::{DatabaseProblem, Error, Result};
use crate::flow::SessionState;
use crate::library::consent_from_column;
use crate::library::{DeskSession, LivenessSession};
use crate::providers::ProviderKind;

const COLUMNS: &str =
    "SELECT id, provider, group_id, talent_name, image_url, h5_link, expires_at_ms,
    state, asset_id, created_at_ms, updated_at_ms, link_issued_at_ms, photo_override, liveness_token,
    talent_consent, operator FROM sessions";

const COLUMNS_WITH_DESK: &str =
    "SELECT id, provider, group_id, talent_name, image_url, h5_link, expires_at_ms,
    state, asset_id, created_at_ms, updated_at_ms, link_issued_at_ms, photo_override, liveness_token,
    talent_consent, operator, desk FROM sessions";

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
        talent_consent: consent_from_column(r.try_get(14)?),
        operator: r.try_get(15)?,
    })
}

impl Database {
    /// Files this desk's session. A session another desk owns (it took it over) is not
    /// written: this desk is told so, in words, and stops following it.
    pub fn save_session(&self, s: &LivenessSession) -> Result<()> {
        let written = self.write_session(
            s,
            "ON CONFLICT (id) DO UPDATE SET group_id = $3, talent_name = $4, image_url = $5,
                 h5_link = $6, expires_at_ms = $7, state = $8, asset_id = $9, updated_at_ms = $11,
                 link_issued_at_ms = $12, photo_override = $13, liveness_token = $14,
                 talent_consent = $16, operator = $17
             WHERE sessions.desk = $15",
        )?;
        if written {
            return Ok(());
        }
        let owner = self.session_owner(&s.id)?;
        Err(Error::database(
            DatabaseProblem::Conflict,
            format!(
                "{owner} took over {}'s session; this desk ({}) no longer follows it. Nothing \
                 was changed.",
                s.talent_name, self.desk
            ),
        ))
    }

    fn session_owner(&self, id: &str) -> Result<String> {
        let id = id.to_string();
        self.run(move |c| async move {
            let row = c
                .query_opt("SELECT desk FROM sessions WHERE id = $1", &[&id])
                .await?;
            Ok(row.map(|r| r.get(0)).unwrap_or_default())
        })
    }

    /// Makes this desk (and `operator`, when named) the session's owner, whoever owned it;
    /// returns the desk that did.
    pub fn take_over_session(&self, id: &str, operator: &str, now_ms: i64) -> Result<String> {
        let id = id.to_string();
        let desk = self.desk.clone();
        let operator = operator.to_string();
        self.run(move |c| async move {
            let row = c
                .query_opt(
                    "UPDATE sessions s SET desk = $2, updated_at_ms = $3,
                         operator = COALESCE(NULLIF($4, ''), s.operator)
                     FROM (SELECT id, desk FROM sessions WHERE id = $1 FOR UPDATE) before
                     WHERE s.id = before.id
                     RETURNING before.desk",
                    &[&id, &desk, &now_ms, &operator],
                )
                .await?;
            match row {
                Some(r) => Ok(r.get(0)),
                None => Err(Error::NotFound(format!(
                    "No session with id {id}. Run `likeness sessions --all-desks` to list them."
                ))
                .into()),
            }
        })
    }

    /// Files a session moved in from a desk's file, unless its id is there.
    pub fn import_session(&self, s: &LivenessSession) -> Result<bool> {
        self.write_session(s, "ON CONFLICT (id) DO NOTHING")
    }

    fn write_session(&self, s: &LivenessSession, on_conflict: &'static str) -> Result<bool> {
        let consent = s.consent_column();
        let s = s.clone();
        let desk = self.desk.clone();
        self.run(move |c| async move {
            let n = c
                .execute(
                    &format!(
                        "INSERT INTO sessions (id, provider, group_id, talent_name, image_url,
                             h5_link, expires_at_ms, state, asset_id, created_at_ms, updated_at_ms,
                             link_issued_at_ms, photo_override, liveness_token, desk, talent_consent,
                             operator)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                             $17)
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
                        &consent,
                        &s.operator,
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

    /// This desk's sessions that still need the operator, newest first.
    pub fn open_sessions(&self) -> Result<Vec<LivenessSession>> {
        Ok(self
            .open_sessions_where("desk = $1")?
            .into_iter()
            .map(|d| d.session)
            .collect())
    }

    /// The other desks' open sessions, newest first, each with the desk that owns it.
    pub fn other_desks_sessions(&self) -> Result<Vec<DeskSession>> {
        self.open_sessions_where("desk <> $1")
    }

    fn open_sessions_where(&self, desk_filter: &'static str) -> Result<Vec<DeskSession>> {
        let desk = self.desk.clone();
        self.run(move |c| async move {
            let rows = c
                .query(
                    &format!(
                        "{COLUMNS_WITH_DESK} WHERE state IN ('awaiting_consent', 'consented', 'awaiting_scan', 'expired', 'verified',
                             'awaiting_payment', 'enrolling') AND {desk_filter}
                         ORDER BY created_at_ms DESC"
                    ),
                    &[&desk],
                )
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(DeskSession {
                        session: from_row(r)?,
                        desk: r.try_get(16)?,
                    })
                })
                .collect()
        })
    }
}
