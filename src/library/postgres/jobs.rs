//! Video jobs on the shared database: every desk shows every job, and the desk holding a
//! job's lease polls it.

use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::sessions::provider;
use super::{unknown, Answer, Database};
use crate::error::{Error, Result};
use crate::library::JobLease;
use crate::video::{JobState, VideoBilling, VideoJob};

const COLUMNS: &str = "SELECT id, provider, face_asset_id, model, prompt, duration_seconds,
    resolution, aspect_ratio, state, remote_id, poll_url, price_usd, payment_id, charged,
    result_url, local_path, error, created_at_ms, submitted_at_ms, completed_at_ms, updated_at_ms,
    reference_videos, reference_audios, operator FROM video_jobs";

const INSERT: &str = "INSERT INTO video_jobs (id, provider, face_asset_id, model, prompt,
        duration_seconds, resolution, aspect_ratio, state, remote_id, poll_url, price_usd,
        payment_id, charged, result_url, local_path, error, created_at_ms, submitted_at_ms,
        completed_at_ms, updated_at_ms, reference_videos, reference_audios, desk, operator)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
        $20, $21, $22, $23, $24, $25)";

fn from_row(r: &Row) -> Answer<VideoJob> {
    let state: String = r.try_get(8)?;
    let duration: i64 = r.try_get(5)?;
    let ids = |i: usize| -> Answer<Vec<String>> {
        let column: String = r.try_get(i)?;
        Ok(column
            .split(',')
            .filter(|id| !id.is_empty())
            .map(str::to_string)
            .collect())
    };
    let mut job = VideoJob {
        id: r.try_get(0)?,
        provider: provider(r, 1)?,
        face_asset_id: r.try_get(2)?,
        model: r.try_get(3)?,
        prompt: r.try_get(4)?,
        duration_seconds: u32::try_from(duration)
            .map_err(|_| unknown("video_jobs.duration_seconds", &duration.to_string()))?,
        resolution: r.try_get(6)?,
        aspect_ratio: r.try_get(7)?,
        state: JobState::parse(&state).ok_or_else(|| unknown("video_jobs.state", &state))?,
        remote_id: r.try_get(9)?,
        poll_url: r.try_get(10)?,
        price_usd: r.try_get(11)?,
        payment_id: r.try_get(12)?,
        charged: r.try_get(13)?,
        result_url: r.try_get(14)?,
        local_path: r.try_get(15)?,
        error: r.try_get(16)?,
        created_at_ms: r.try_get(17)?,
        submitted_at_ms: r.try_get(18)?,
        completed_at_ms: r.try_get(19)?,
        updated_at_ms: r.try_get(20)?,
        reference_videos: ids(21)?,
        reference_audios: ids(22)?,
        operator: r.try_get(23)?,
        ..VideoJob::placeholder()
    };
    // Only x402 jobs carry a ledger row.
    if job.payment_id.is_some() {
        job.billing = VideoBilling::Wallet;
    }
    Ok(job)
}

struct Columns {
    j: VideoJob,
    provider: &'static str,
    state: &'static str,
    duration: i64,
    videos: String,
    audios: String,
    desk: String,
}

impl Columns {
    fn new(j: &VideoJob, desk: &str) -> Self {
        Columns {
            provider: j.provider.as_str(),
            state: j.state.as_str(),
            duration: i64::from(j.duration_seconds),
            videos: j.reference_videos.join(","),
            audios: j.reference_audios.join(","),
            j: j.clone(),
            desk: desk.to_string(),
        }
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 25] {
        let j = &self.j;
        [
            &j.id,
            &self.provider,
            &j.face_asset_id,
            &j.model,
            &j.prompt,
            &self.duration,
            &j.resolution,
            &j.aspect_ratio,
            &self.state,
            &j.remote_id,
            &j.poll_url,
            &j.price_usd,
            &j.payment_id,
            &j.charged,
            &j.result_url,
            &j.local_path,
            &j.error,
            &j.created_at_ms,
            &j.submitted_at_ms,
            &j.completed_at_ms,
            &j.updated_at_ms,
            &self.videos,
            &self.audios,
            &self.desk,
            &j.operator,
        ]
    }
}

impl Database {
    pub fn save_job(&self, j: &VideoJob) -> Result<()> {
        let cols = Columns::new(j, &self.desk);
        self.run(move |c| async move {
            c.execute(
                &format!(
                    "{INSERT} ON CONFLICT (id) DO UPDATE SET state = $9, remote_id = $10,
                         poll_url = $11, price_usd = $12, payment_id = $13, charged = $14,
                         result_url = $15, local_path = $16, error = $17, submitted_at_ms = $19,
                         completed_at_ms = $20, updated_at_ms = $21"
                ),
                &cols.params(),
            )
            .await?;
            Ok(())
        })
    }

    /// Files a job moved in from a desk's file, unless its id is there.
    pub fn import_job(&self, j: &VideoJob) -> Result<bool> {
        let cols = Columns::new(j, &self.desk);
        self.run(move |c| async move {
            let n = c
                .execute(
                    &format!("{INSERT} ON CONFLICT (id) DO NOTHING"),
                    &cols.params(),
                )
                .await?;
            Ok(n > 0)
        })
    }

    pub fn job(&self, id: &str) -> Result<VideoJob> {
        let id = id.to_string();
        self.run(move |c| async move {
            match c
                .query_opt(&format!("{COLUMNS} WHERE id = $1"), &[&id])
                .await?
            {
                Some(r) => from_row(&r),
                None => Err(Error::NotFound(format!(
                    "No video job {id}. The Jobs list (or `likeness video status`) shows them."
                ))
                .into()),
            }
        })
    }

    pub fn jobs(&self) -> Result<Vec<VideoJob>> {
        self.query_jobs("ORDER BY created_at_ms DESC, seq DESC")
    }

    pub fn open_jobs(&self) -> Result<Vec<VideoJob>> {
        self.query_jobs(
            "WHERE state IN ('awaiting_confirmation', 'submitting', 'queued', 'running',
                 'downloading')
             ORDER BY created_at_ms, seq",
        )
    }

    fn query_jobs(&self, tail: &'static str) -> Result<Vec<VideoJob>> {
        self.run(move |c| async move {
            let rows = c.query(&format!("{COLUMNS} {tail}"), &[]).await?;
            rows.iter().map(from_row).collect()
        })
    }

    pub fn lease_job(&self, id: &str, now_ms: i64, lease_ms: i64) -> Result<JobLease> {
        let id = id.to_string();
        let desk = self.desk.clone();
        self.run(move |c| async move {
            let taken = c
                .execute(
                    "UPDATE video_jobs SET lease_desk = $2, lease_until_ms = $3 + $4
                     WHERE id = $1
                       AND (lease_desk IS NULL OR lease_desk = $2 OR lease_until_ms <= $3)",
                    &[&id, &desk, &now_ms, &lease_ms],
                )
                .await?;
            if taken > 0 {
                return Ok(JobLease::Ours);
            }
            let row = c
                .query_opt(
                    "SELECT lease_desk, lease_until_ms FROM video_jobs WHERE id = $1",
                    &[&id],
                )
                .await?;
            match row {
                Some(r) => Ok(JobLease::Theirs {
                    desk: r.try_get::<_, Option<String>>(0)?.unwrap_or_default(),
                    until_ms: r.try_get::<_, Option<i64>>(1)?.unwrap_or_default(),
                }),
                None => Err(Error::NotFound(format!(
                    "No video job {id}. The Jobs list (or `likeness video status`) shows them."
                ))
                .into()),
            }
        })
    }

    pub fn owns_job(&self, id: &str) -> Result<bool> {
        let id = id.to_string();
        let desk = self.desk.clone();
        self.run(move |c| async move {
            let row = c
                .query_opt(
                    "SELECT desk = $2 FROM video_jobs WHERE id = $1",
                    &[&id, &desk],
                )
                .await?;
            Ok(row.map(|r| r.get(0)).unwrap_or(false))
        })
    }

    pub fn release_job(&self, id: &str) -> Result<()> {
        let id = id.to_string();
        let desk = self.desk.clone();
        self.run(move |c| async move {
            c.execute(
                "UPDATE video_jobs SET lease_desk = NULL, lease_until_ms = NULL
                 WHERE id = $1 AND lease_desk = $2",
                &[&id, &desk],
            )
            .await?;
            Ok(())
        })
    }
}
