//! Seedance video jobs with a library face, up to the provider taking them: quote → the operator
//! confirms → (x402: the checkout signs, writes the ledger row, then sends) → accepted. A lost
//! answer is never signed again while its authorization can be collected; once it lapsed the
//! price is shown again. What follows (polling, download, restarts) is in [`super::job_watch`].
//!
//! Money: on x402 the provider only verifies the payment when the job is sent and settles it on
//! the first poll that finds the video made, so a failed or never-finished job costs nothing.
use provider_api::ProviderApi;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use super::Studio;
use crate::error::{Error, ProviderReason, Result};
use crate::flow::checkout::{self, Reconciled, Sent, Ticket};
use crate::flow::{next, JobEvent};
use crate::library::PaymentRecord;
use crate::providers::{Paid, Provider, ProviderKind};
use crate::video::{
    self, download, ClipCatalog, JobState, SeedanceTier, Submitted, VideoBilling, VideoCatalog,
    VideoJob, VideoOptions, VideoRequest,
};

/// Fresh authorizations signed for one job after the provider said the first had lapsed
/// (BlockRun's SDK does the same, at most twice).
pub(super) const MAX_RESIGNS: usize = 2;
/// The back-off after a poll that failed without a `Retry-After`.
pub(super) const POLL_BACKOFF_MS: i64 = 15_000;

/// The ledger's purpose for a job's payment.
pub(super) fn purpose(job_id: &str) -> String {
    format!("video:{job_id}")
}

/// Marks an id as busy for as long as it lives, so a double press never sends twice.
pub(super) struct Busy<'a> {
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
pub(super) fn step(job: &mut VideoJob, event: JobEvent) -> bool {
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

pub(super) fn transport(e: &Error) -> bool {
    matches!(e, Error::Network { .. } | Error::Timeout { .. })
}

/// Whether a failed poll is worth repeating: the network, a rate limit, a provider hiccup.
pub(super) fn passing(e: &Error) -> bool {
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
    pub(super) fn video_billing(&self, provider: &Provider) -> VideoBilling {
        match (provider.api(), provider.endpoint()) {
            (Ok(ProviderApi::BlockRun | ProviderApi::JarvisClaw), Some(ep))
                if !ep.has_api_key() =>
            {
                VideoBilling::Wallet
            }
            _ => VideoBilling::Account,
        }
    }

    /// What a video form may offer on the selected provider: its models, lengths, resolutions
    /// and ratios as documented, and the library's faces and clips usable with it.
    pub fn video_options(&self) -> Result<VideoOptions> {
        let mut options = self.documented_video_options()?;
        let (api, kind) = (options.api, options.provider);
        for f in self.library.face_summaries()? {
            if api.face_refusal(kind, &f.asset_id, Some(&f)).is_none() {
                options.faces.push(f);
            } else if api.offers_clip(kind, &f) {
                options.clips.push(f);
            }
        }
        Ok(options)
    }

    /// The selected provider's documented models, lengths, resolutions and ratios, and who
    /// pays: the options before the library's faces are added.
    fn documented_video_options(&self) -> Result<VideoOptions> {
        let provider = self.provider();
        Ok(VideoOptions::for_api(
            provider.kind(),
            provider.api()?,
            self.video_billing(&provider),
        ))
    }

    /// What `request` will likely cost and take, as far as it is filled in: the form shows it
    /// while options change, before anything is asked of the provider.
    pub fn estimate_video(&self, request: &VideoRequest) -> Result<crate::video::VideoEstimate> {
        // The options without the library's faces: an estimate per keystroke reads no faces.
        let options = self.documented_video_options()?;
        options.estimate(request, &self.library.jobs()?)
    }

    /// Checks a request and shows what it costs: on x402 the provider's price (nothing is
    /// signed), on an account the word that the account is billed. The job waits in
    /// `awaiting_confirmation` for [`Self::confirm_video`] or [`Self::decline_video`].
    pub async fn quote_video(self: &Arc<Self>, request: &VideoRequest) -> Result<VideoJob> {
        let provider = self.provider();
        let options = self.video_options()?;
        self.check_consent(
            std::iter::once(&request.face_asset_id)
                .chain(&request.reference_videos)
                .chain(&request.reference_audios),
        )?;
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
        job.operator = self.config.operator.clone();
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
        // Revoked (or ended) between the price and the go-ahead: nothing is signed or sent.
        self.check_consent(std::iter::once(&job.face_asset_id))?;
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

    /// Refuses a video of a face (or a person's clip) whose consent was revoked or has ended.
    /// Ids not in the library are left to the request's own checks.
    fn check_consent<'a>(&self, ids: impl Iterator<Item = &'a String>) -> Result<()> {
        let now = self.clock.now_ms();
        for id in ids {
            if let Ok(f) = self.library.face(id.trim()) {
                f.check_usable(now)?;
            }
        }
        Ok(())
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
    pub(super) fn provider_for_job(&self, job: &VideoJob) -> Result<Provider> {
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
        let api = provider.api()?;
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

    pub(super) fn busy(&self, id: &str, message: &'static str) -> Result<Busy<'_>> {
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

    pub(super) fn save_job_and_send(&self, job: &mut VideoJob) -> Result<()> {
        job.updated_at_ms = self.clock.now_ms();
        self.library.save_job(job)?;
        let _ = self.job_updates.send(self.job_view(job.clone()));
        Ok(())
    }

    /// The stored job with what the window shows beside it.
    pub(super) fn job_view(&self, mut job: VideoJob) -> VideoJob {
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

    /// The name "Save to…" offers: whose face, then the job's id ("Ada Lovelace vid_….mp4"),
    /// without the characters file systems refuse.
    pub fn video_file_name(&self, id: &str) -> Result<String> {
        let job = self.video_job(id)?;
        let face: String = job
            .face_name
            .unwrap_or_default()
            .chars()
            .filter(|c| {
                !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
                    && !c.is_control()
            })
            .collect();
        Ok(match face.trim() {
            "" => format!("{}.mp4", job.id),
            face => format!("{face} {}.mp4", job.id),
        })
    }

    /// Copies a finished video where the operator chose ("Save to…"), and says where it went.
    pub async fn save_video_to(&self, id: &str, to: &Path) -> Result<String> {
        let job = self.library.job(id)?;
        let Some(from) = job.local_path.filter(|p| Path::new(p).is_file()) else {
            return Err(Error::invalid(
                "video",
                "This video is not on this computer yet: wait until it plays here (or press Download on its row), then save it.",
            ));
        };
        let to = match to.extension() {
            Some(_) => to.to_path_buf(),
            // The dialog confirmed overwriting the name typed, not this one.
            None if to.with_extension("mp4").exists() => {
                return Err(Error::invalid(
                    "destination",
                    format!(
                        "{} already exists. Choose another name; nothing was overwritten.",
                        to.with_extension("mp4").display()
                    ),
                ))
            }
            None => to.with_extension("mp4"),
        };
        Ok(download::save_copy(Path::new(&from), &to)
            .await?
            .display()
            .to_string())
    }

    /// Where a job's file goes when it is saved into `dir` (the CLI's `--out`).
    pub fn job_file_in(dir: &Path, job_id: &str) -> PathBuf {
        download::file_for(dir, job_id)
    }
}

/// What an account job whose submission's answer was lost means for the operator.
pub(super) fn lost_submission(provider: ProviderKind) -> String {
    format!(
        "The answer to this job's submission was lost, so {provider} may or may not have started it, and a second submission would be billed again. Check {provider}'s dashboard, then decline this job to clear it."
    )
}

/// The wallet that signed a stored payment (`payload.authorization.from`).
pub(super) fn payer(record: &PaymentRecord) -> Option<String> {
    let v = crate::payment::decode_header_json(&record.header_value).ok()?;
    v.pointer("/payload/authorization/from")
        .and_then(|f| f.as_str())
        .map(str::to_string)
}
