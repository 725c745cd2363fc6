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
    reference_audios FROM video_jobs";

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
        self.conn().execute(
            "INSERT INTO video_jobs (id, provider, face_asset_id, model, prompt, duration_seconds, resolution,
                                     aspect_ratio, state, remote_id, poll_url, price_usd, payment_id, charged,
                                     result_url, local_path, error, created_at_ms, submitted_at_ms,
                                     completed_at_ms, updated_at_ms, reference_videos, reference_audios)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
                     ?22, ?23)
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
            ],
        )?;
        Ok(())
    }

    pub fn job(&self, id: &str) -> Result<VideoJob> {
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
        self.query_jobs("ORDER BY created_at_ms DESC, rowid DESC", params![])
    }

    /// Jobs not yet settled one way or the other (waiting for the operator, being sent, at the
    /// provider, or coming down), oldest first: what a restart picks up.
    pub fn open_jobs(&self) -> Result<Vec<VideoJob>> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::ProviderKind;
    use crate::video::{SeedanceTier, VideoSpec};

    fn job(id: &str, at: i64) -> VideoJob {
        let spec = VideoSpec {
            face_asset_id: "ta_1".into(),
            prompt: "waves".into(),
            model: "bytedance/seedance-2.0-fast".into(),
            tier: SeedanceTier::Fast,
            duration_seconds: 5,
            resolution: "720p".into(),
            aspect_ratio: "16:9".into(),
            reference_videos: Vec::new(),
            reference_audios: Vec::new(),
        };
        VideoJob::new(id.into(), ProviderKind::Rehearsal, &spec, at)
    }

    #[test]
    fn jobs_round_trip_and_open_ones_are_listed_oldest_first() {
        let lib = Library::open_in_memory().unwrap();
        let mut a = job("vid_a", 1);
        a.reference_videos = vec!["asset-v1".into(), "asset-v2".into()];
        a.reference_audios = vec!["asset-a1".into()];
        lib.save_job(&a).unwrap();
        lib.save_job(&job("vid_b", 2)).unwrap();
        let mut c = job("vid_c", 3);
        c.state = JobState::Completed;
        lib.save_job(&c).unwrap();
        a.state = JobState::Queued;
        a.remote_id = Some("bytedance:video_1".into());
        a.poll_url = Some("/api/v1/videos/generations/bytedance:video_1?model=m".into());
        a.payment_id = Some("pay_1".into());
        a.charged = Some(false);
        a.submitted_at_ms = Some(5);
        lib.save_job(&a).unwrap();
        let back = lib.job("vid_a").unwrap();
        assert_eq!(back.state, JobState::Queued);
        assert_eq!(back.poll_url, a.poll_url);
        assert_eq!(back.charged, Some(false));
        assert_eq!(back.reference_videos, ["asset-v1", "asset-v2"]);
        assert_eq!(back.reference_audios, ["asset-a1"]);
        assert!(lib.job("vid_b").unwrap().reference_videos.is_empty());
        assert_eq!(back.billing, crate::video::VideoBilling::Wallet);
        let open: Vec<String> = lib.open_jobs().unwrap().into_iter().map(|j| j.id).collect();
        assert_eq!(open, ["vid_a", "vid_b"]);
        let all: Vec<String> = lib.jobs().unwrap().into_iter().map(|j| j.id).collect();
        assert_eq!(all, ["vid_c", "vid_b", "vid_a"]);
        assert!(matches!(lib.job("vid_zzz"), Err(Error::NotFound(_))));
    }
}
