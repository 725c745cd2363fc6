//! The service's Seedance video jobs: made once per authorization, polled, delivered.

use super::*;

/// Seedance video jobs (see the `video` module).
impl Service {
    /// Epoch milliseconds on the service's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Makes a job (saved) and answers it. Refuses an authorization that is spent, in flight,
    /// or held by a job: a resubmit of the very header that made a job is refused too, since
    /// the seller has that authorization in use and makes no second job for it.
    pub fn create_video_job(&self, new: NewJob) -> Result<VideoJob, Refusal> {
        let now = self.clock.now_ms();
        let job = {
            let mut store = self.store();
            if let Billing::X402 { payment } = &new.billing {
                if let Some(holder) = store.videos().holder(&payment.payer, &payment.nonce, now) {
                    tracing::info!(id = %holder.id, "rehearsal: video submit with a nonce a job holds; refused");
                    return Err(Refusal::InFlight);
                }
                let key = LedgerKey::new(&payment.payer, &payment.nonce);
                match lock(&self.ledger).record(&key).map(|r| r.state) {
                    Some(NonceState::Settled) => return Err(Refusal::Settled),
                    Some(NonceState::InFlight) => return Err(Refusal::InFlight),
                    Some(NonceState::Void) | None => {}
                }
            }
            let (fate, divisor) = video::scripted_fate(&new.prompt, self.faults.take_video_fail());
            let delay = wall_clock::millis_ceil(self.video_delay);
            let done_at_ms = now.saturating_add(match divisor {
                Some(d) => delay / i64::from(d),
                None => delay,
            });
            let id = loop {
                let id = match new.api {
                    ProviderApi::BlockRun | ProviderApi::JarvisClaw => ids::video_job_id(),
                    ProviderApi::Anyfast => ids::anyfast_task_id(SystemTime::now()),
                    ProviderApi::Crun => ids::crun_task_id(),
                };
                if !store.videos().contains(&id) {
                    break id;
                }
            };
            let quote = video::quote(new.tier, new.resolution, new.duration_seconds);
            let job = VideoJob {
                id,
                api: new.api,
                model: new.model,
                tier: new.tier,
                prompt: new.prompt,
                duration_seconds: new.duration_seconds,
                resolution: new.resolution.as_str().to_owned(),
                aspect_ratio: new.aspect_ratio,
                generate_audio: new.generate_audio,
                references: new.references,
                reference_videos: new.reference_videos,
                reference_audios: new.reference_audios,
                param: new.param,
                callback_url: new.callback_url,
                owner: new.owner,
                billing: new.billing,
                tokens: quote.tokens,
                price_atomic: quote.atomic,
                created_at_ms: now,
                done_at_ms,
                fate,
                request_id: ids::video_request_id(),
                delivered: None,
            };
            store.videos_mut().insert(job.clone(), now);
            job
        };
        self.save();
        bump(&self.video_counts.submitted);
        tracing::info!(
            id = %job.id,
            api = ?job.api,
            model = %job.model,
            duration_seconds = job.duration_seconds,
            fate = ?job.fate,
            "rehearsal: video job submitted"
        );
        Ok(job)
    }

    /// A job as it stands (not counted as a poll).
    pub fn video_job(&self, id: &str) -> Option<VideoJob> {
        self.store().videos().get(id).cloned()
    }

    pub fn count_video_poll(&self) {
        bump(&self.video_counts.polls);
    }

    pub fn count_video_download(&self) {
        bump(&self.video_counts.downloads);
    }

    /// Whether `/media/<id>.mp4` serves the clip now.
    pub fn video_clip_available(&self, id: &str) -> bool {
        let now = self.clock.now_ms();
        self.store()
            .videos()
            .get(id)
            .is_some_and(|j| j.clip_available(now))
    }

    /// The first completed poll of a BlockRun/JarvisClaw job, once: settles its authorization
    /// (`fresh`, a newer one from the same payer, instead of the held one when given) in the
    /// same save that marks it delivered. Later calls answer the delivery made then, with
    /// `false`: the job's own polls, not the nonce, are what stays answerable.
    pub fn deliver_video(
        &self,
        id: &str,
        fresh: Option<HeldPayment>,
    ) -> Result<(VideoJob, bool), DeliverRefusal> {
        let now = self.clock.now_ms();
        let job = {
            let mut store = self.store();
            if let Some(f) = &fresh {
                let other = store
                    .videos()
                    .holder(&f.payer, &f.nonce, now)
                    .is_some_and(|j| j.id != id);
                if other {
                    return Err(DeliverRefusal::Nonce(Refusal::InFlight));
                }
            }
            let job = store
                .videos_mut()
                .get_mut(id)
                .ok_or(DeliverRefusal::UnknownJob)?;
            if job.delivered.is_some() {
                return Ok((job.clone(), false));
            }
            let at = wall_clock::rfc3339_millis(SystemTime::now());
            match (&job.billing, fresh) {
                (Billing::Account, _) => {
                    job.delivered = Some(Delivered {
                        at_ms: now,
                        tx_hash: ids::tx_hash(),
                        network: SETTLEMENT_NETWORK.to_owned(),
                        x402: false,
                    });
                }
                (Billing::X402 { payment: held }, fresh) => {
                    let payment = fresh.unwrap_or_else(|| held.clone());
                    let mut ledger = lock(&self.ledger);
                    let key = ledger
                        .begin(Attempt {
                            payer: payment.payer.clone(),
                            nonce: payment.nonce.clone(),
                            version: payment.version,
                            endpoint: video::blockrun::SUBMIT_PATH.to_owned(),
                            amount_atomic: payment.amount_atomic.clone(),
                            now: at.clone(),
                        })
                        .map_err(DeliverRefusal::Nonce)?;
                    let delivered = Delivered {
                        at_ms: now,
                        tx_hash: ids::tx_hash(),
                        network: NETWORK.wire_name(payment.version).to_owned(),
                        x402: true,
                    };
                    job.billing = Billing::X402 { payment };
                    job.delivered = Some(delivered.clone());
                    ledger.settle(
                        &key,
                        SettledPayment {
                            transaction: delivered.tx_hash,
                            network: delivered.network,
                            settled_at: at,
                        },
                    );
                }
            }
            job.clone()
        };
        self.save();
        let x402 = job.delivered.as_ref().is_some_and(|d| d.x402);
        if x402 {
            bump(&self.video_counts.settlements);
        }
        tracing::info!(
            id = %job.id,
            x402,
            tx_hash = ?job.delivered.as_ref().map(|d| &d.tx_hash),
            settlements = self.settlements(),
            "rehearsal: video delivered and settled (recorded, no chain)"
        );
        Ok((job, true))
    }

    /// Ends the wait of every unfinished job now.
    pub fn finish_videos_now(&self) {
        let changed = self.store().videos_mut().finish_now(self.clock.now_ms());
        if changed > 0 {
            self.save();
            tracing::info!(changed, "rehearsal: video jobs finished early");
        }
    }

    pub fn video_counts(&self) -> VideoCounts {
        use std::sync::atomic::Ordering::SeqCst;
        let c = &self.video_counts;
        VideoCounts {
            submitted: c.submitted.load(SeqCst),
            polls: c.polls.load(SeqCst),
            settlements: c.settlements.load(SeqCst),
            downloads: c.downloads.load(SeqCst),
        }
    }

    /// Whether `ta_…` is an enrolled RealFace or Virtual Portrait.
    pub fn knows_face_asset(&self, asset_id: &str) -> bool {
        self.store().has_face_asset(asset_id)
    }

    /// `owner`'s BytePlus asset as it stands, without counting a read (a generation checking
    /// its references is not a GetAsset).
    pub fn peek_liveness_asset(&self, owner: &str, id: &str) -> Option<AssetView> {
        let now = self.clock.now_ms();
        self.store()
            .liveness()
            .asset(id, owner)
            .map(|a| a.view(now))
    }
}
