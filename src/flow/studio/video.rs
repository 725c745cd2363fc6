//! Seedance video jobs with a library face: quote → the operator confirms → (x402: sign, write
//! the ledger row, then send) → poll within budget until the video is made → download it at
//! once into the media folder. Jobs are stored at every step, so a restart picks them up; every
//! change is broadcast on `job_updates`.
//!
//! Money: on x402 the provider only verifies the payment when the job is sent and settles it on
//! the first poll that finds the video made, so a failed or never-finished job costs nothing.
//! Polls re-send the job's own payment header (the provider binds the job to the wallet that
//! paid); if it lapses mid-job, the same price is re-signed by the same wallet, at most twice.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::Studio;
use crate::error::{Error, ProviderReason, Result};
use crate::flow::checkout::{self, Reconciled, Sent, Ticket};
use crate::flow::{next, JobEvent};
use crate::library::{CallKind, PaymentRecord, PaymentStatus};
use crate::payment::PaymentQuote;
use crate::providers::{Paid, Provider, ProviderKind};
use crate::video::{
    self, download, JobState, PollAnswer, RemoteState, RemoteStatus, SeedanceTier, Submitted,
    VideoApi, VideoBilling, VideoJob, VideoOptions, VideoPollPlan, VideoRequest,
};

/// Fresh authorizations signed for one job after the provider said the first had lapsed
/// (BlockRun's SDK does the same, at most twice).
const MAX_RESIGNS: usize = 2;
/// The back-off after a poll that failed without a `Retry-After`.
const POLL_BACKOFF_MS: i64 = 15_000;

/// The ledger's purpose for a job's payment.
fn purpose(job_id: &str) -> String {
    format!("video:{job_id}")
}

/// Marks an id as busy for as long as it lives, so a double press never sends twice.
struct Busy<'a> {
    set: &'a Mutex<HashSet<String>>,
    id: String,
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.set.lock().expect("busy set poisoned").remove(&self.id);
    }
}

/// Applies `event` to a job through the state machine; an event that does not apply leaves it
/// as it is (a late answer after the operator moved on) and says so.
fn step(job: &mut VideoJob, event: JobEvent) -> bool {
    match next(job.state, event) {
        Some(state) => {
            job.state = state;
            true
        }
        None => {
            tracing::debug!(job = %job.id, ?event, state = job.state.as_str(), "event ignored");
            false
        }
    }
}

fn transport(e: &Error) -> bool {
    matches!(e, Error::Network { .. } | Error::Timeout { .. })
}

/// Whether a failed poll is worth repeating: the network, a rate limit, a provider hiccup.
fn passing(e: &Error) -> bool {
    transport(e)
        || matches!(
            e,
            Error::RateLimited { .. }
                | Error::Decode { .. }
                | Error::Provider {
                    reason: ProviderReason::UpstreamFailed,
                    ..
                }
        )
}

impl Studio {
    pub fn subscribe_jobs(&self) -> broadcast::Receiver<VideoJob> {
        self.job_updates.subscribe()
    }

    /// How the selected provider's jobs are paid.
    fn video_billing(&self, provider: &Provider) -> VideoBilling {
        match (VideoApi::of(provider), provider.endpoint()) {
            (Ok(VideoApi::BlockRun | VideoApi::JarvisClaw), Some(ep)) if !ep.has_api_key() => {
                VideoBilling::Wallet
            }
            _ => VideoBilling::Account,
        }
    }

    /// What a video form may offer on the selected provider: its models, lengths, resolutions
    /// and ratios as documented, and the library's faces and clips usable with it.
    pub fn video_options(&self) -> Result<VideoOptions> {
        let provider = self.provider();
        let api = VideoApi::of(&provider)?;
        let kind = provider.kind();
        let mut options = VideoOptions::for_api(kind, api, self.video_billing(&provider));
        for f in self.library.face_summaries()? {
            if api.face_refusal(kind, &f.asset_id, Some(&f)).is_none() {
                options.faces.push(f);
            } else if api.offers_clip(kind, &f) {
                options.clips.push(f);
            }
        }
        Ok(options)
    }

    /// Checks a request and shows what it costs: on x402 the provider's price (nothing is
    /// signed), on an account the word that the account is billed. The job waits in
    /// `awaiting_confirmation` for [`Self::confirm_video`] or [`Self::decline_video`].
    pub async fn quote_video(self: &Arc<Self>, request: &VideoRequest) -> Result<VideoJob> {
        let provider = self.provider();
        let options = self.video_options()?;
        let face = self
            .library
            .face(request.face_asset_id.trim())
            .ok()
            .map(|f| crate::library::FaceSummary::from(&f));
        let clips: Vec<_> = request
            .reference_videos
            .iter()
            .chain(&request.reference_audios)
            .filter_map(|id| self.library.face(id.trim()).ok())
            .map(|f| crate::library::FaceSummary::from(&f))
            .collect();
        let spec = options.check(request, face.as_ref(), &clips)?;
        let now = self.clock.now_ms();
        let id = format!("vid_{}", hex::encode(rand::random::<[u8; 8]>()));
        let mut job = VideoJob::new(id, provider.kind(), &spec, now);
        if options.billing == VideoBilling::Account {
            self.save_job_and_send(&mut job)?;
            tracing::info!(job = %job.id, "video job waiting for the operator (account)");
            return Ok(self.job_view(job));
        }
        match video::submit(&provider, &spec, None).await? {
            Paid::PaymentRequired(quote) => {
                let held = self
                    .checkout
                    .hold(provider.kind(), &purpose(&job.id), *quote)?;
                job.price_usd = Some(video::tidy_usd(held.quote.amount_usdc()));
                self.save_job_and_send(&mut job)?;
                tracing::info!(job = %job.id, price = ?job.price_usd, "video price shown");
                Ok(self.job_view(job))
            }
            Paid::Done(submitted) => {
                // The provider took it without asking to be paid.
                self.accepted(&mut job, submitted)?;
                self.watch_job(&job.id);
                Ok(self.job_view(job))
            }
        }
    }

    /// The operator's go-ahead. x402: sign the quoted price, write it to the ledger, then send
    /// (a lost connection re-sends the same header). Account: send, billed to the account.
    /// A job left `submitting` (the answer was lost) is re-sent with its own signed payment.
    pub async fn confirm_video(
        self: &Arc<Self>,
        id: &str,
        payee_change_confirmed: bool,
    ) -> Result<VideoJob> {
        let _busy = self.busy(id, "This job is already being sent; wait for it.")?;
        let mut job = self.library.job(id)?;
        let provider = self.provider_for_job(&job)?;
        match job.state {
            JobState::AwaitingConfirmation => {}
            JobState::Submitting => return self.resend(&provider, job).await,
            s => {
                return Err(Error::invalid(
                    "job",
                    format!("This job is {}; there is nothing to confirm.", s.label()),
                ))
            }
        }
        if self.video_billing(&provider) == VideoBilling::Account {
            step(&mut job, JobEvent::Confirmed);
            job.error = None;
            self.save_job_and_send(&mut job)?;
            return self.send_job(&provider, job, None).await;
        }
        let ticket = self.checkout.sign_held(
            job.provider,
            &purpose(id),
            payee_change_confirmed,
            "The price shown for this job is no longer held (the app restarted, or the settings changed). Make the video again to see a fresh price; nothing was signed.",
        )?;
        job.payment_id = Some(ticket.record_id.clone());
        step(&mut job, JobEvent::Confirmed);
        job.error = None;
        self.save_job_and_send(&mut job)?;
        self.send_job(&provider, job, Some(ticket)).await
    }

    /// The operator said no to the price: nothing is signed, and the job is closed as declined.
    /// A job whose submission's answer was lost on an account can be cleared the same way.
    pub fn decline_video(&self, id: &str) -> Result<VideoJob> {
        let mut job = self.library.job(id)?;
        let quoted = self.checkout.release(&purpose(id));
        match job.state {
            JobState::AwaitingConfirmation => {
                job.charged = Some(false);
                job.error = Some(
                    if quoted {
                        "Declined: nothing was signed or charged."
                    } else {
                        "Declined: nothing was sent or charged."
                    }
                    .into(),
                );
            }
            JobState::Submitting if job.payment_id.is_none() => {
                job.error = Some(format!(
                    "Cleared after the answer to its submission was lost. Check {}'s dashboard for whether it ran and was billed.",
                    job.provider
                ));
            }
            JobState::Submitting => {
                return Err(Error::invalid(
                    "job",
                    "This job's payment is signed and may have reached the provider. Confirm again to re-send the same payment; it cannot be charged twice.",
                ))
            }
            s => {
                return Err(Error::invalid(
                    "job",
                    format!(
                        "This job is {}; only a job waiting for confirmation can be declined.",
                        s.label()
                    ),
                ))
            }
        }
        step(&mut job, JobEvent::Declined);
        job.completed_at_ms = Some(self.clock.now_ms());
        self.save_job_and_send(&mut job)?;
        Ok(self.job_view(job))
    }

    /// Every job, newest first, with status, time taken and price.
    pub fn list_jobs(&self) -> Result<Vec<VideoJob>> {
        Ok(self
            .library
            .jobs()?
            .into_iter()
            .map(|j| self.job_view(j))
            .collect())
    }

    pub fn video_job(&self, id: &str) -> Result<VideoJob> {
        Ok(self.job_view(self.library.job(id)?))
    }

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
        loop {
            let Ok(job) = self.library.job(id) else {
                return;
            };
            if job.state == JobState::Downloading {
                let _ = self.download_job(id).await;
                return;
            }
            if !job.state.at_provider() {
                return;
            }
            let Ok(provider) = self.provider_for_job(&job) else {
                return;
            };
            let now = self.clock.now_ms();
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
                    tracing::warn!(job = %id, error = %e, "video poll refused; the watch stops");
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
        VideoApi::of(provider)
            .map(VideoApi::claimable_ms)
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

    /// A job left `submitting`: re-sent with its own signed payment on x402; never re-sent on
    /// an account, where a second submission would be billed again.
    async fn resend(self: &Arc<Self>, provider: &Provider, mut job: VideoJob) -> Result<VideoJob> {
        if let Some(ticket) = self.checkout.unresolved(&purpose(&job.id))? {
            tracing::info!(job = %job.id, "re-sending the payment signed earlier");
            return self.send_job(provider, job, Some(ticket)).await;
        }
        if job.payment_id.is_some() {
            step(&mut job, JobEvent::Failed);
            job.charged = Some(false);
            job.completed_at_ms = Some(self.clock.now_ms());
            job.error = Some(
                "The payment for this job was refused earlier. Nothing was charged. Make the video again."
                    .into(),
            );
            self.save_job_and_send(&mut job)?;
            return Ok(self.job_view(job));
        }
        Err(Error::invalid("job", lost_submission(job.provider)))
    }

    /// Sends a job. On x402 the checkout sends its signed payment (the same header again after
    /// a dropped connection) and, when the outcome is unknown, never signs again while the
    /// authorization can still be collected: the job waits, and once it lapsed unused a fresh
    /// price is shown to confirm. Accepted → `queued` and watched.
    async fn send_job(
        self: &Arc<Self>,
        provider: &Provider,
        mut job: VideoJob,
        paid: Option<Ticket>,
    ) -> Result<VideoJob> {
        let spec = job.spec();
        let Some(mut ticket) = paid else {
            return match self.submit_on_account(provider, &spec).await {
                Ok(submitted) => {
                    self.accepted(&mut job, submitted)?;
                    self.watch_job(&job.id);
                    Ok(self.job_view(job))
                }
                Err(e) if transport(&e) => {
                    let next = lost_submission(job.provider);
                    job.error = Some(format!("{e} {next}"));
                    self.save_job_and_send(&mut job)?;
                    Err(super::unreachable_then(provider.kind(), e, &next))
                }
                Err(e) => Err(self.refused(job, e)),
            };
        };
        let sent = self
            .checkout
            .send(&mut ticket, |signed| {
                let (provider, spec) = (provider.clone(), spec.clone());
                async move { video::submit(&provider, &spec, Some(&signed)).await }
            })
            .await;
        let cause = match sent {
            Sent::Delivered(submitted) => {
                self.accepted(&mut job, submitted)?;
                self.watch_job(&job.id);
                return Ok(self.job_view(job));
            }
            Sent::Refused(e) => return Err(self.refused(job, e)),
            Sent::Unknown(e) => e,
        };
        // A job is known by the id its lost answer carried: there is nothing to look it up by.
        // Unpolled, it is never charged (x402 video settles on the poll that finds it made).
        let nothing: Option<std::future::Ready<Result<Option<video::Submitted>>>> = None;
        let kind = provider.kind();
        match self
            .checkout
            .reconcile(&ticket, nothing, |s: &video::Submitted| {
                (s.remote_id.clone(), None)
            })
            .await?
        {
            Reconciled::Found(submitted) => {
                self.accepted(&mut job, submitted)?;
                self.watch_job(&job.id);
                Ok(self.job_view(job))
            }
            Reconciled::NotYet { until_ms } => {
                let e = checkout::unresolved(
                    kind,
                    &cause,
                    until_ms,
                    self.clock.now_ms(),
                    "Confirming again re-sends the same one: it cannot be charged twice. Once it can no longer be collected, confirming shows the price again.",
                );
                job.error = Some(e.to_string());
                self.save_job_and_send(&mut job)?;
                Err(e)
            }
            Reconciled::Lapsed => self.requote(provider, job).await,
        }
    }

    /// A job whose payment lapsed uncollected: nothing was charged, so the price is asked for
    /// again and shown; the operator confirms before anything new is signed.
    async fn requote(self: &Arc<Self>, provider: &Provider, mut job: VideoJob) -> Result<VideoJob> {
        let spec = job.spec();
        match video::submit(provider, &spec, None).await? {
            Paid::PaymentRequired(quote) => {
                let held = self
                    .checkout
                    .hold(provider.kind(), &purpose(&job.id), *quote)?;
                job.price_usd = Some(video::tidy_usd(held.quote.amount_usdc()));
                job.payment_id = None;
                step(&mut job, JobEvent::Requoted);
                job.error = Some(format!(
                    "The first payment was not collected before it lapsed, and {} shows no job for it: nothing was charged. This is the price again; confirm to make the video.",
                    job.provider
                ));
                self.save_job_and_send(&mut job)?;
                tracing::info!(job = %job.id, "job payment lapsed uncollected; price shown again");
                Ok(self.job_view(job))
            }
            Paid::Done(submitted) => {
                self.accepted(&mut job, submitted)?;
                self.watch_job(&job.id);
                Ok(self.job_view(job))
            }
        }
    }

    /// A submission refused for good: the job fails, and nothing was charged.
    fn refused(&self, mut job: VideoJob, e: Error) -> Error {
        step(&mut job, JobEvent::Failed);
        job.charged = Some(false);
        job.completed_at_ms = Some(self.clock.now_ms());
        let said = e.to_string();
        job.error = Some(if said.contains("Nothing was") {
            said
        } else {
            format!("{said} Nothing was charged.")
        });
        if let Err(save) = self.save_job_and_send(&mut job) {
            tracing::warn!(error = %save, "could not save the job");
        }
        e
    }

    /// One submission billed to the account, never repeated: a second could be billed again.
    async fn submit_on_account(
        &self,
        provider: &Provider,
        spec: &video::VideoSpec,
    ) -> Result<Submitted> {
        match video::submit(provider, spec, None).await? {
            Paid::Done(s) => Ok(s),
            Paid::PaymentRequired(_) => Err(Error::Internal(
                "the provider asked to pay for a job billed to the account".into(),
            )),
        }
    }

    /// The provider took the job: keep its id and poll address before anything else.
    fn accepted(&self, job: &mut VideoJob, s: Submitted) -> Result<()> {
        job.remote_id = Some(s.remote_id);
        job.poll_url = s.poll_url;
        if let Some(p) = s.price_usd {
            job.price_usd = Some(video::tidy_usd(&p));
        }
        step(job, JobEvent::Accepted);
        job.submitted_at_ms = Some(self.clock.now_ms());
        job.error = None;
        self.save_job_and_send(job)?;
        tracing::info!(job = %job.id, remote = ?job.remote_id, "video job accepted");
        Ok(())
    }

    /// The selected provider, if it is the one (and the API) the job was made with.
    fn provider_for_job(&self, job: &VideoJob) -> Result<Provider> {
        let provider = self.provider();
        if provider.kind() != job.provider {
            return Err(Error::invalid(
                "provider",
                format!(
                    "This job belongs to {}, but {} is selected. Switch back in Settings to follow it.",
                    job.provider,
                    provider.kind()
                ),
            ));
        }
        let api = VideoApi::of(&provider)?;
        if SeedanceTier::ALL
            .into_iter()
            .all(|t| api.model_id(t) != job.model)
        {
            return Err(Error::invalid(
                "provider",
                format!(
                    "This job was made through another API than the {} one selected now. Switch back in Settings to follow it.",
                    api.label()
                ),
            ));
        }
        Ok(provider)
    }

    fn busy(&self, id: &str, message: &'static str) -> Result<Busy<'_>> {
        if !self
            .video_busy
            .lock()
            .expect("busy set poisoned")
            .insert(id.to_string())
        {
            return Err(Error::invalid("job", message));
        }
        Ok(Busy {
            set: &self.video_busy,
            id: id.to_string(),
        })
    }

    fn save_job_and_send(&self, job: &mut VideoJob) -> Result<()> {
        job.updated_at_ms = self.clock.now_ms();
        self.library.save_job(job)?;
        let _ = self.job_updates.send(self.job_view(job.clone()));
        Ok(())
    }

    /// The stored job with what the window shows beside it.
    fn job_view(&self, mut job: VideoJob) -> VideoJob {
        let pending = self.checkout.held(&purpose(&job.id));
        job.billing = if job.payment_id.is_some() || pending.is_some() {
            VideoBilling::Wallet
        } else {
            let provider = self.provider();
            if provider.kind() == job.provider {
                self.video_billing(&provider)
            } else {
                VideoBilling::Account
            }
        };
        if let (JobState::AwaitingConfirmation, Some(p)) = (job.state, pending) {
            job.quote = Some(p.quote);
            job.payee_changed = p.payee_changed;
        }
        job.face_name = self.library.face(&job.face_asset_id).ok().map(|f| f.name);
        job.elapsed_ms = job.elapsed_at(self.clock.now_ms());
        job.charge_note = Some(job.money_words());
        job
    }

    /// Stops polling every job (the provider is switching, or the app is closing).
    pub(super) fn stop_job_watches(&self) {
        for (_, (_, c)) in self
            .job_watches
            .lock()
            .expect("job watch map poisoned")
            .drain()
        {
            c.cancel();
        }
    }

    /// Where a job's file goes when it is saved into `dir` (the CLI's `--out`).
    pub fn job_file_in(dir: &Path, job_id: &str) -> PathBuf {
        download::file_for(dir, job_id)
    }
}

/// What an account job whose submission's answer was lost means for the operator.
fn lost_submission(provider: ProviderKind) -> String {
    format!(
        "The answer to this job's submission was lost, so {provider} may or may not have started it, and a second submission would be billed again. Check {provider}'s dashboard, then decline this job to clear it."
    )
}

/// The wallet that signed a stored payment (`payload.authorization.from`).
fn payer(record: &PaymentRecord) -> Option<String> {
    let v = crate::payment::decode_header_json(&record.header_value).ok()?;
    v.pointer("/payload/authorization/from")
        .and_then(|f| f.as_str())
        .map(str::to_string)
}
