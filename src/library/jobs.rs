//! Seedance video jobs (`video_jobs`, migration 5). A job is written before it is sent and after
//! every change, so a restart finds its remote id, poll address and payment and picks it up.
//! Its reference clips (migration 8) are comma-separated asset ids, which never hold a comma.

use rusqlite::{params, OptionalExtension, Row};

use super::{bad_value, parse_provider, Library};
use crate::error::{Error, Result};
use crate::video::{JobState, VideoJob};

const COLUMNS: &str = "SELECT id, provider, face_asset_id, model, prompt, duration_seconds, resolution,
    aspect_ratio, state, remote_id, poll_url, price_usd, payment_id, charged, result_url, local_path,
    error, created_at_ms, submitted_at_ms, completed_at_ms, updated_at_ms, reference_videos,
    reference_audios, operator FROM video_jobs";

fn ids_column(ids: &[String]) -> String {
    ids.join(",")
}

fn ids_of(column: String) -> Vec<String> {
    column
        .split(',')
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .collect()
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<VideoJob> {
    let state: String = r.get(8)?;
    let state = JobState::parse(&state).ok_or_else(|| bad_value(8, state.clone()))?;
    let mut job = VideoJob {
        id: r.get(0)?,
        provider: parse_provider(r.get(1)?)?,
        face_asset_id: r.get(2)?,
        model: r.get(3)?,
        prompt: r.get(4)?,
        duration_seconds: r.get(5)?,
        resolution: r.get(6)?,
        aspect_ratio: r.get(7)?,
        state,
        remote_id: r.get(9)?,
        poll_url: r.get(10)?,
        price_usd: r.get(11)?,
        payment_id: r.get(12)?,
        charged: r.get(13)?,
        result_url: r.get(14)?,
        local_path: r.get(15)?,
        error: r.get(16)?,
        created_at_ms: r.get(17)?,
        submitted_at_ms: r.get(18)?,
        completed_at_ms: r.get(19)?,
        updated_at_ms: r.get(20)?,
        reference_videos: ids_of(r.get(21)?),
        reference_audios: ids_of(r.get(22)?),
        operator: r.get(23)?,
        ..VideoJob::placeholder()
    };
    // Only x402 jobs carry a ledger row.
    if job.payment_id.is_some() {
        job.billing = crate::video::VideoBilling::Wallet;
    }
    Ok(job)
}

impl Library {
    /// Writes a job (new or changed).
    pub fn save_job(&self, j: &VideoJob) -> Result<()> {
        if let Some(db) = self.shared() {
            return db.save_job(j);
        }
        self.conn().execute(
            "INSERT INTO video_jobs (id, provider, face_asset_id, model, prompt, duration_seconds, resolution,
                                     aspect_ratio, state, remote_id, poll_url, price_usd, payment_id, charged,
                                     result_url, local_path, error, created_at_ms, submitted_at_ms,
                                     completed_at_ms, updated_at_ms, reference_videos, reference_audios, operator)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                     ?22, ?23, ?24)
             ON CONFLICT(id) DO UPDATE SET state = ?9, remote_id = ?10, poll_url = ?11, price_usd = ?12,
                 payment_id = ?13, charged = ?14, result_url = ?15, local_path = ?16, error = ?17,
                 submitted_at_ms = ?19, completed_at_ms = ?20, updated_at_ms = ?21",
            params![
                j.id,
                j.provider.as_str(),
                j.face_asset_id,
                j.model,
                j.prompt,
                j.duration_seconds,
                j.resolution,
                j.aspect_ratio,
                j.state.as_str(),
                j.remote_id,
                j.poll_url,
                j.price_usd,
                j.payment_id,
                j.charged,
                j.result_url,
                j.local_path,
                j.error,
                j.created_at_ms,
                j.submitted_at_ms,
                j.completed_at_ms,
                j.updated_at_ms,
                ids_column(&j.reference_videos),
                ids_column(&j.reference_audios),
                j.operator,
            ],
        )?;
        Ok(())
    }

    pub fn job(&self, id: &str) -> Result<VideoJob> {
        if let Some(db) = self.shared() {
            return db.job(id);
        }
        self.conn()
            .query_row(&format!("{COLUMNS} WHERE id = ?1"), [id], from_row)
            .optional()?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "No video job {id}. The Jobs list (or `likeness video status`) shows them."
                ))
            })
    }

    /// Every job, newest first.
    pub fn jobs(&self) -> Result<Vec<VideoJob>> {
        if let Some(db) = self.shared() {
            return db.jobs();
        }
        self.query_jobs("ORDER BY created_at_ms DESC, rowid DESC", params![])
    }

    /// Jobs not yet settled one way or the other (waiting for the operator, being sent, at the
    /// provider, or coming down), oldest first: what a restart picks up.
    pub fn open_jobs(&self) -> Result<Vec<VideoJob>> {
        if let Some(db) = self.shared() {
            return db.open_jobs();
        }
        self.query_jobs(
            "WHERE state IN ('awaiting_confirmation', 'submitting', 'queued', 'running', 'downloading')
             ORDER BY created_at_ms, rowid",
            params![],
        )
    }

    fn query_jobs(&self, tail: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<VideoJob>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("{COLUMNS} {tail}"))?;
        let rows = stmt.query_map(args, from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Takes or renews the lease on polling job `id` for `lease_ms`: one desk polls each job,
    /// and when its lease lapses (the desk stopped or crashed) the next desk to ask takes it.
    /// A desk file has one desk, which always holds it.
    pub fn lease_job(&self, id: &str, now_ms: i64, lease_ms: i64) -> Result<JobLease> {
        if let Some(db) = self.shared() {
            return db.lease_job(id, now_ms, lease_ms);
        }
        self.job(id)?;
        Ok(JobLease::Ours)
    }

    /// Whether this desk made job `id` (on a desk file, every job is this desk's). Only the
    /// desk that made a job settles what lived in its memory: a price shown and not yet
    /// confirmed, a payment being sent.
    pub fn owns_job(&self, id: &str) -> Result<bool> {
        match self.shared() {
            Some(db) => db.owns_job(id),
            None => Ok(true),
        }
    }

    /// Lets go of the lease on job `id` (it is settled, or this desk is closing), so another
    /// desk need not wait for it to lapse.
    pub fn release_job(&self, id: &str) -> Result<()> {
        match self.shared() {
            Some(db) => db.release_job(id),
            None => Ok(()),
        }
    }
}

/// Who polls a video job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobLease {
    /// This desk: poll it, and renew the lease before `lease_ms` runs out.
    Ours,
    /// Another desk, until `until_ms`: show its result, and ask again after that.
    Theirs { desk: String, until_ms: i64 },
}
