//! A video job after it was sent: polled within the host's budget until the provider makes it,
//! fails it, or lets it lapse; downloaded at once when made; picked up again after a restart.
//! Polls re-send the job's own payment header (the provider binds the job to the wallet that
//! paid), and settlement is recorded on the poll that finds the video made.
//!
//! On the studio's shared database one desk polls each job: the one holding its lease, renewed
//! before every poll. The other desks read the job's row every few seconds and show what the
//! polling desk found; one of them takes over once the lease lapses (that desk stopped).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::video::{lost_submission, passing, payer, purpose, step, MAX_RESIGNS, POLL_BACKOFF_MS};
use super::Studio;
use crate::error::{Error, ProviderReason, Result};
use crate::flow::JobEvent;
use crate::library::{CallKind, JobLease, PaymentRecord, PaymentStatus};
use crate::payment::PaymentQuote;
use crate::providers::{Provider, ProviderKind};
use crate::video::{
    self, download, JobState, PollAnswer, RemoteState, RemoteStatus, VideoBilling, VideoCatalog,
    VideoJob, VideoPollPlan,
};

/// How long a desk's claim to poll a job lasts unless renewed (it is, before every poll): a
/// desk that stopped is replaced within this.
const JOB_LEASE_MS: i64 = 120_000;
/// How often a desk that does not poll a job reads its row again to show what the polling desk
/// found.
const WATCH_ELSEWHERE: Duration = Duration::from_secs(2);

impl Studio {
    /// Asks the provider once about a job now (`likeness video status`), within the host's
    /// hourly budget; a finished video is downloaded at once.
    pub async fn poll_job(self: &Arc<Self>, id: &str) -> Result<VideoJob> {
        let job = self.library.job(id)?;
        if job.state == JobState::Downloading {
            return self.download_job(id).await;
        }
        if !job.state.at_provider() {
            return Ok(self.job_view(job));
        }
        let provider = self.provider_for_job(&job)?;
        let now = self.clock.now_ms();
        let calls =
            self.library
                .calls_in_last_hour(&provider.budget_key(), CallKind::VideoPoll, now)?;
        if calls.len() >= self.config.video_poll.polls_per_hour as usize {
            let frees = calls[calls.len() - self.config.video_poll.polls_per_hour as usize]
                + crate::flow::poll::HOUR_MS;
            return Err(Error::RateLimited {
                provider: provider.kind(),
                retry_after_seconds: Some(((frees - now) / 1000).max(1) as u64),
            });
        }
        let job = self.poll_once(&provider, id).await?;
        let submitted = job.submitted_at_ms.unwrap_or(job.created_at_ms);
        let claimable = self.claimable_ms(&provider);
        if job.state.at_provider() && now >= submitted + claimable {
            return Ok(self.expire(job, claimable));
        }
        if job.state == JobState::Downloading {
            // The outcome is on the job either way; a failed download is retried by hand.
            return Ok(self
                .download_job(id)
                .await
                .unwrap_or_else(|_| self.job_view(self.library.job(id).unwrap_or(job))));
        }
        Ok(job)
    }

    /// Downloads a finished video into the media folder (again, if the first try failed or the
    /// file is gone). The provider is not asked again, so nothing is made or charged again.
    pub async fn download_job(self: &Arc<Self>, id: &str) -> Result<VideoJob> {
        let dir = self.config.media_dir.clone();
        self.download_job_into(id, dir.as_deref()).await
    }

    async fn download_job_into(self: &Arc<Self>, id: &str, dir: Option<&Path>) -> Result<VideoJob> {
        let job = self.library.job(id)?;
        match job.state {
            JobState::Downloading => {}
            JobState::Completed
                if job
                    .local_path
                    .as_deref()
                    .is_some_and(|p| Path::new(p).is_file()) =>
            {
                return Ok(self.job_view(job))
            }
            JobState::Completed if job.result_url.is_some() => {}
            s => {
                return Err(Error::invalid(
                    "job",
                    format!(
                        "This job is {}; there is no finished video to download.",
                        s.label()
                    ),
                ))
            }
        }
        let _busy = self.busy(id, "This video is already downloading.")?;
        let Some(dir) = dir else {
            let e = Error::invalid(
                "media_dir",
                "No folder for finished videos is set, so the video was not downloaded. It stays at the provider; nothing more is charged.",
            );
            let mut current = self.library.job(id)?;
            current.error = Some(e.to_string());
            self.save_job_and_send(&mut current)?;
            return Err(e);
        };
        let url = job
            .result_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .ok_or_else(|| Error::Internal(format!("job {id} finished without an address")))?;
        let rehearsal = job.provider == ProviderKind::Rehearsal;
        let result =
            download::fetch(&self.http, &url, rehearsal, dir, id, video::MAX_VIDEO_BYTES).await;
        let mut current = self.library.job(id)?;
        match result {
            Ok(path) => {
                current.local_path = Some(path.display().to_string());
                step(&mut current, JobEvent::Saved);
                current.error = None;
                self.save_job_and_send(&mut current)?;
                tracing::info!(job = %id, path = %path.display(), "video saved");
                Ok(self.job_view(current))
            }
            Err(e) => {
                tracing::warn!(job = %id, error = %e, "video download failed");
                current.error = Some(format!(
                    "{e} Press Download to try again: the video is made, and fetching it again costs nothing."
                ));
                self.save_job_and_send(&mut current)?;
                Err(e)
            }
        }
    }

    /// After a restart: jobs at the provider are polled again, finished ones downloaded, a
    /// submission whose answer was lost re-sent with its own signed payment, and prices shown
    /// but never confirmed closed (they lived in memory; nothing was signed).
    pub fn resume_jobs(self: &Arc<Self>) -> Result<Vec<VideoJob>> {
        let mut out = Vec::new();
        for mut job in self.library.open_jobs()? {
            let Ok(provider) = self.provider_for_job(&job) else {
                // Another provider's job waits until that provider is selected again.
                out.push(self.job_view(job));
                continue;
            };
            let quoted = self.checkout.held(&purpose(&job.id)).is_some();
            // A price or a payment another desk's memory holds is that desk's to settle (on the
            // shared database); the jobs at the provider are followed under the lease.
            if matches!(
                job.state,
                JobState::AwaitingConfirmation | JobState::Submitting
            ) && !self.library.owns_job(&job.id)?
            {
                out.push(self.job_view(job));
                continue;
            }
            match job.state {
                JobState::AwaitingConfirmation
                    if !quoted && self.video_billing(&provider) == VideoBilling::Wallet =>
                {
                    step(&mut job, JobEvent::Declined);
                    job.charged = Some(false);
                    job.completed_at_ms = Some(self.clock.now_ms());
                    job.error = Some(
                        "The price was shown but not confirmed before the app closed. Nothing was signed or charged."
                            .into(),
                    );
                    self.save_job_and_send(&mut job)?;
                }
                JobState::Submitting if job.payment_id.is_some() => {
                    let studio = Arc::clone(self);
                    let id = job.id.clone();
                    tokio::spawn(async move {
                        if let Err(e) = studio.confirm_video(&id, false).await {
                            tracing::warn!(job = %id, error = %e, "re-sending the job's payment failed");
                        }
                    });
                }
                JobState::Submitting if job.error.is_none() => {
                    job.error = Some(lost_submission(job.provider));
                    self.save_job_and_send(&mut job)?;
                }
                JobState::Queued | JobState::Running => self.watch_job(&job.id),
                JobState::Downloading => {
                    let studio = Arc::clone(self);
                    let id = job.id.clone();
                    tokio::spawn(async move {
                        let _ = studio.download_job(&id).await;
                    });
                }
                _ => {}
            }
            out.push(self.job_view(job));
        }
        Ok(out)
    }

    /// Polls a job in the background until it is made (then downloads it), fails or expires.
    pub fn watch_job(self: &Arc<Self>, id: &str) {
        let cancel = CancellationToken::new();
        let generation: u64 = rand::random();
        if let Some((_, previous)) = self
            .job_watches
            .lock()
            .expect("job watch map poisoned")
            .insert(id.to_string(), (generation, cancel.clone()))
        {
            previous.cancel();
        }
        let studio = Arc::clone(self);
        let id = id.to_string();
        tokio::spawn(async move {
            studio.follow_job(&id, &cancel).await;
            let mut watches = studio.job_watches.lock().expect("job watch map poisoned");
            if watches.get(&id).is_some_and(|(g, _)| *g == generation) {
                watches.remove(&id);
            }
            tracing::debug!(job = %id, "job watch ended");
        });
    }

    async fn follow_job(self: &Arc<Self>, id: &str, cancel: &CancellationToken) {
        let mut polls_made: u32 = 0;
        let mut last_poll: Option<i64> = None;
        let mut not_before: Option<i64> = None;
        let mut notice: Option<String> = None;
        let mut shown_from_elsewhere = false;
        loop {
            let Ok(job) = self.library.job(id) else {
                return;
            };
            let downloading = job.state == JobState::Downloading;
            if !downloading && !job.state.at_provider() {
                if shown_from_elsewhere {
                    // Settled by the desk that polled it: show the result here too.
                    let _ = self.job_updates.send(self.job_view(job));
                }
                return;
            }
            let now = self.clock.now_ms();
            if let Some(view) = self.polled_elsewhere(job.clone(), now) {
                shown_from_elsewhere = true;
                let _ = self.job_updates.send(view);
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(WATCH_ELSEWHERE) => {}
                }
                continue;
            }
            if downloading {
                let _ = self.download_job(id).await;
                return;
            }
            let Ok(provider) = self.provider_for_job(&job) else {
                return;
            };
            let calls = match self.library.calls_in_last_hour(
                &provider.budget_key(),
                CallKind::VideoPoll,
                now,
            ) {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the call log; the job watch stops");
                    return;
                }
            };
            let submitted = job.submitted_at_ms.unwrap_or(job.created_at_ms);
            let claimable = self.claimable_ms(&provider);
            let at = match video::next_poll(
                video::VideoPollPolicy {
                    claimable_ms: claimable,
                    ..self.config.video_poll
                },
                submitted,
                now,
                polls_made,
                last_poll,
                &calls,
                not_before,
            ) {
                VideoPollPlan::Expire => {
                    self.expire(job, claimable);
                    return;
                }
                VideoPollPlan::PollAt(at) => at,
            };
            let mut view = self.job_view(job);
            view.next_check_at_ms = Some(at);
            view.notice = notice.clone();
            let _ = self.job_updates.send(view);
            let sleep = Duration::from_millis((at - now).max(0) as u64);
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(sleep) => {}
            }
            // The lease may have lapsed during a long wait, and another desk taken the job.
            let Ok(current) = self.library.job(id) else {
                return;
            };
            if self
                .polled_elsewhere(current, self.clock.now_ms())
                .is_some()
            {
                continue;
            }
            last_poll = Some(self.clock.now_ms());
            polls_made += 1;
            match self.poll_once(&provider, id).await {
                Ok(_) => {
                    not_before = None;
                    notice = None;
                }
                Err(e) if passing(&e) => {
                    tracing::warn!(job = %id, error = %e, "video poll failed; asking again later");
                    let wait_ms = match &e {
                        Error::RateLimited {
                            retry_after_seconds: Some(s),
                            ..
                        } => *s as i64 * 1000,
                        _ => POLL_BACKOFF_MS,
                    };
                    not_before = Some(self.clock.now_ms() + wait_ms);
                    notice = Some(e.to_string());
                }
                Err(e) => {
                    // Not something waiting fixes (a refused key, an unknown job): say so on
                    // the job and stop; `video status` or a restart asks again.
                    tracing::warn!(job = %id, error = %e, detail = ?e.detail(), "video poll refused; the watch stops");
                    if let Ok(mut current) = self.library.job(id) {
                        if current.state.at_provider() {
                            current.error = Some(e.to_string());
                            let _ = self.save_job_and_send(&mut current);
                        }
                    }
                    return;
                }
            }
        }
    }

    /// Takes or renews this desk's lease on polling `job`; when another desk holds it, the job
    /// as this desk shows it instead (that desk's progress, and who polls). A database that
    /// does not answer is left to the poll itself to report.
    fn polled_elsewhere(&self, job: VideoJob, now: i64) -> Option<VideoJob> {
        match self.library.lease_job(&job.id, now, JOB_LEASE_MS) {
            Ok(JobLease::Ours) => None,
            Ok(JobLease::Theirs { desk, .. }) => {
                let mut view = self.job_view(job);
                view.notice = Some(format!(
                    "{desk} is checking this video with the provider; this desk shows what it finds."
                ));
                Some(view)
            }
            Err(e) => {
                tracing::warn!(job = %job.id, error = %e, "could not take the job's lease");
                None
            }
        }
    }

    /// One poll, counted against the host's budget, and what it found applied to the job.
    async fn poll_once(self: &Arc<Self>, provider: &Provider, id: &str) -> Result<VideoJob> {
        let mut job = self.library.job(id)?;
        let now = self.clock.now_ms();
        self.library
            .record_call(&provider.budget_key(), CallKind::VideoPoll, now)?;
        let remote_id = job
            .remote_id
            .clone()
            .ok_or_else(|| Error::Internal(format!("job {id} was never accepted")))?;
        let record = match &job.payment_id {
            Some(pid) => Some(self.library.payment(pid)?),
            None => None,
        };
        let ticket = match &job.payment_id {
            Some(pid) => Some(self.checkout.ticket(pid)?),
            None => None,
        };
        let answer = video::poll(
            provider,
            &remote_id,
            job.poll_url.as_deref(),
            ticket.as_ref().map(|t| &t.signed),
        )
        .await;
        match answer {
            Ok(PollAnswer::Status(status)) => self.apply_status(&mut job, status),
            Ok(PollAnswer::PaymentExpired(quote)) => {
                let record = record.ok_or_else(|| {
                    Error::Internal("a payment lapsed on a job that has none".into())
                })?;
                self.resign(provider, &mut job, record, *quote)?;
                Ok(self.job_view(job))
            }
            Err(
                e @ Error::Provider {
                    reason: ProviderReason::NotFound,
                    ..
                },
            ) => {
                // The provider no longer has it: nothing more will come.
                let mut current = self.library.job(id)?;
                step(&mut current, JobEvent::Failed);
                current.completed_at_ms = Some(self.clock.now_ms());
                let money = self.job_view(current.clone()).money_words();
                current.error = Some(format!("{e} {money}"));
                self.save_job_and_send(&mut current)?;
                Ok(self.job_view(current))
            }
            Err(e) => Err(e),
        }
    }

    /// Applies a poll's answer to the stored job (re-read: another poll may have got there).
    fn apply_status(&self, job: &mut VideoJob, status: RemoteStatus) -> Result<VideoJob> {
        let mut current = self.library.job(&job.id)?;
        if !current.state.at_provider() {
            *job = current;
            return Ok(self.job_view(job.clone()));
        }
        if current.price_usd.is_none() {
            current.price_usd = status.price_usd.as_deref().map(video::tidy_usd);
        }
        let now = self.clock.now_ms();
        let label = current.provider.label();
        match status.state {
            RemoteState::Queued | RemoteState::Running => {
                let event = if status.state == RemoteState::Queued {
                    JobEvent::StillQueued
                } else {
                    JobEvent::Generating
                };
                let before = current.state;
                step(&mut current, event);
                if before != current.state || current.error.is_some() {
                    current.error = None;
                    current.updated_at_ms = now;
                    self.library.save_job(&current)?;
                }
            }
            RemoteState::Completed { url } => {
                current.result_url = Some(url);
                current.charged = Some(true);
                current.completed_at_ms = Some(now);
                step(&mut current, JobEvent::Made);
                current.error = None;
                if let Some(pid) = &current.payment_id {
                    self.checkout.mark(
                        pid,
                        PaymentStatus::Settled,
                        status.settlement_tx.as_deref(),
                        current.remote_id.as_deref(),
                    )?;
                }
                current.updated_at_ms = now;
                self.library.save_job(&current)?;
                tracing::info!(job = %current.id, "video made; downloading");
            }
            RemoteState::Failed { reason, charged } => {
                current.charged = charged;
                if let Some(pid) = &current.payment_id {
                    let outcome = match charged {
                        Some(false) => Some(PaymentStatus::NotCharged),
                        Some(true) => Some(PaymentStatus::Settled),
                        None => None,
                    };
                    if let Some(o) = outcome {
                        self.checkout
                            .mark(pid, o, status.settlement_tx.as_deref(), None)?;
                    }
                }
                step(&mut current, JobEvent::Failed);
                current.completed_at_ms = Some(now);
                let money = self.job_view(current.clone()).money_words();
                current.error = Some(video::failure_words(label, &reason, &money));
                current.updated_at_ms = now;
                self.library.save_job(&current)?;
                tracing::info!(job = %current.id, %reason, "video failed");
            }
        }
        let mut view = self.job_view(current);
        view.progress = status.progress;
        let _ = self.job_updates.send(view.clone());
        *job = view.clone();
        Ok(view)
    }

    /// The job's authorization lapsed before the video was made: sign the same price for the
    /// same payee with the same wallet (the operator confirmed this job), at most twice.
    fn resign(
        &self,
        provider: &Provider,
        job: &mut VideoJob,
        old: PaymentRecord,
        quote: PaymentQuote,
    ) -> Result<()> {
        let now = self.clock.now_ms();
        let rejected = self
            .library
            .payments_for(&purpose(&job.id))?
            .iter()
            .filter(|p| p.status == PaymentStatus::Rejected)
            .count();
        let same_terms = quote.amount_atomic().to_string() == old.amount_atomic
            && old
                .payee
                .eq_ignore_ascii_case(&quote.pay_to().to_checksum(None));
        let refusal = if rejected >= MAX_RESIGNS {
            Some(format!(
                "{} let this job's payment lapse three times before the video was ready, so the studio stopped signing. Nothing was charged. Make the video again.",
                job.provider
            ))
        } else if !same_terms {
            Some(format!(
                "{} asked for a different payment ({} USDC to {}) to finish this job than the one confirmed. Nothing more was signed, and nothing was charged. Make the video again to see the new price.",
                job.provider,
                quote.amount_usdc(),
                quote.pay_to()
            ))
        } else {
            None
        };
        if let Some(words) = refusal {
            self.checkout
                .mark(&old.id, PaymentStatus::NotCharged, None, None)?;
            let mut current = self.library.job(&job.id)?;
            step(&mut current, JobEvent::Failed);
            current.charged = Some(false);
            current.completed_at_ms = Some(now);
            current.error = Some(words);
            self.save_job_and_send(&mut current)?;
            *job = current;
            return Ok(());
        }
        let wallet = self.checkout.paying_wallet(provider.kind())?;
        // The provider binds a job to the wallet that paid for it; another would be refused.
        if let Some(from) = payer(&old) {
            if !from.eq_ignore_ascii_case(&wallet.address().to_checksum(None)) {
                return Err(Error::invalid(
                    "wallet",
                    format!("This job was paid from the wallet {from}, which is not the one paying now. Switch back to it to finish the job."),
                ));
            }
        }
        // The old authorization is void (the provider said it lapsed); it is marked so before
        // the new one is signed, so the daily total counts the job once.
        self.checkout
            .mark(&old.id, PaymentStatus::Rejected, None, None)?;
        let ticket = self
            .checkout
            .sign(provider.kind(), &purpose(&job.id), &quote, &wallet)?;
        let mut current = self.library.job(&job.id)?;
        current.payment_id = Some(ticket.record_id);
        self.save_job_and_send(&mut current)?;
        tracing::info!(job = %current.id, "job payment lapsed; the same price re-signed");
        *job = current;
        Ok(())
    }

    /// How long `provider`'s jobs can be claimed: its API's own figure (Anyfast's and Crun's
    /// result URLs last 24 h), never past the configured policy.
    fn claimable_ms(&self, provider: &Provider) -> i64 {
        provider
            .api()
            .map(VideoCatalog::claimable_ms)
            .unwrap_or(video::CLAIMABLE_MS)
            .min(self.config.video_poll.claimable_ms)
    }

    /// Not made within the `claimable_ms` the provider keeps it.
    fn expire(&self, mut job: VideoJob, claimable_ms: i64) -> VideoJob {
        let now = self.clock.now_ms();
        if let Some(pid) = &job.payment_id {
            // x402 settles only on a poll that finds the video made, which never came.
            job.charged = Some(false);
            if let Err(e) = self
                .checkout
                .mark(pid, PaymentStatus::NotCharged, None, None)
            {
                tracing::warn!(error = %e, "could not update the ledger");
            }
        }
        step(&mut job, JobEvent::TimedOut);
        job.completed_at_ms = Some(now);
        let money = self.job_view(job.clone()).money_words();
        job.error = Some(format!(
            "{} did not finish this video within {} hours, after which a job can no longer be claimed. {money} Make it again.",
            job.provider,
            (claimable_ms / 3_600_000).max(1)
        ));
        if let Err(e) = self.save_job_and_send(&mut job) {
            tracing::warn!(error = %e, "could not save the job");
        }
        self.job_view(job)
    }
}
