//! A session waiting for the talent: its poll loop within the hourly budget, the status check
//! it makes, and the transitions a check leads to.

use super::*;

impl Studio {
    /// One status call, counted against the budget, with the resulting transition saved. A
    /// phone check the provider reports as failed comes with its notice: the link is spent like
    /// an expired one, but the operator must hear that the check did not pass, not that time ran
    /// out.
    pub(super) async fn check_status(
        &self,
        provider: &Provider,
        session: LivenessSession,
    ) -> Result<(LivenessSession, Option<CommandError>)> {
        let now = self.clock.now_ms();
        self.library
            .record_call(&provider.budget_key(), CallKind::Status, now)?;
        let one_time = provider.holds_assets();
        let check = match provider
            .session_status(&session.group_id, session.liveness_token.as_deref())
            .await
        {
            Ok(c) => c,
            // The BytedToken is spent (read before, lost with an answer, or past its 30
            // minutes): this QR is over, and the words say so instead of failing the call.
            Err(Error::Provider {
                reason: crate::error::ProviderReason::SessionExpired,
                status,
                message,
                provider: kind,
            }) if one_time => {
                let e = Error::Provider {
                    provider: kind,
                    status,
                    reason: crate::error::ProviderReason::SessionExpired,
                    message,
                };
                tracing::info!(session = %session.id, error = %e, "the BytedToken can no longer be read");
                let notice = CommandError::from(&e);
                return self.settle_read(&session, Event::LinkExpired, Some(notice));
            }
            Err(e) => return Err(e),
        };
        if let Some(group) = &check.group_id {
            // BytePlus answers with the group once; keep it before anything else can fail.
            self.keep_group(&session, group)?;
        }
        let status = check.status;
        let event = match status {
            LivenessStatus::Active => Event::ScanCompleted,
            // A BytePlus read without a group spent the token all the same: never read again.
            LivenessStatus::Pending if one_time => Event::LinkExpired,
            LivenessStatus::Pending if now >= session.expires_at_ms => Event::LinkExpired,
            LivenessStatus::Pending => Event::StillPending,
            // The provider says this link is spent: a fresh QR is the way on.
            LivenessStatus::Expired | LivenessStatus::Failed => Event::LinkExpired,
        };
        let failed = if status == LivenessStatus::Failed {
            tracing::info!(session = %session.id, "the provider reports the phone check failed");
            Some(phone_check_failed(None))
        } else if one_time && status == LivenessStatus::Pending {
            tracing::info!(session = %session.id, "the result was read before the phone check finished");
            Some(read_too_early())
        } else {
            None
        };
        self.settle_read(&session, event, failed)
    }

    /// Saves what a status check found, unless the operator cancelled or refreshed while it was
    /// in flight, and hands back the session as stored with the words for the operator.
    fn settle_read(
        &self,
        session: &LivenessSession,
        event: Event,
        failed: Option<CommandError>,
    ) -> Result<(LivenessSession, Option<CommandError>)> {
        // Re-read: the operator may have cancelled or refreshed while the call was in flight.
        let mut current = self.library.session(&session.id)?;
        if current.h5_link != session.h5_link {
            return Ok((current, None));
        }
        if let Some(state) = next(current.state, event) {
            if state != current.state {
                current.state = state;
                current.updated_at_ms = self.clock.now_ms();
                self.library.save_session(&current)?;
                tracing::info!(session = %current.id, state = state.as_str(), "session state changed");
            }
        }
        Ok((current, failed))
    }

    pub(super) fn watch(self: &Arc<Self>, session: LivenessSession, notice: Option<CommandError>) {
        let cancel = CancellationToken::new();
        let check_now = Arc::new(Notify::new());
        let previous = self.watches.lock().expect("watch map poisoned").insert(
            session.id.clone(),
            Watch {
                cancel: cancel.clone(),
                check_now: check_now.clone(),
            },
        );
        if let Some(p) = previous {
            p.cancel.cancel();
        }
        let studio = Arc::clone(self);
        tokio::spawn(async move {
            let id = session.id.clone();
            studio
                .poll_until_settled(session, cancel, check_now, notice)
                .await;
            tracing::debug!(session = %id, "watch ended");
        });
    }

    async fn poll_until_settled(
        &self,
        session: LivenessSession,
        cancel: CancellationToken,
        check_now: Arc<Notify>,
        notice: Option<CommandError>,
    ) {
        if self.provider_for(&session).is_ok_and(|p| p.holds_assets()) {
            return self
                .wait_for_the_word(session, cancel, check_now, notice)
                .await;
        }
        self.poll_on_schedule(session, cancel, check_now, notice)
            .await;
    }

    /// BytePlus (Anyfast, Crun): the BytedToken is read once, so nothing here reads it. The
    /// seeds read the result after the check is done ("When resultCode is 10000…"): the LAN
    /// callback or the operator's "Talent finished — check now" does. This only owns the
    /// deadline: at it, the QR is over, still unread.
    async fn wait_for_the_word(
        &self,
        mut session: LivenessSession,
        cancel: CancellationToken,
        check_now: Arc<Notify>,
        notice: Option<CommandError>,
    ) {
        loop {
            if session.state != SessionState::AwaitingScan {
                return;
            }
            let now = self.clock.now_ms();
            let expires = session.expires_at_ms;
            let _ = self
                .updates
                .send(self.view(session.clone(), notice.clone()));
            let sleep_ms = (expires - now).max(0) as u64;
            tokio::select! {
                _ = cancel.cancelled() => return,
                // A check was made (check now, the callback); its outcome is already sent.
                _ = check_now.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_millis(sleep_ms)) => {}
            }
            session = match self.library.session(&session.id) {
                Ok(s) => s,
                Err(_) => return,
            };
            if session.state == SessionState::AwaitingScan && self.clock.now_ms() >= expires {
                self.apply(session, Event::LinkExpired, Some(ran_out_unread()));
                return;
            }
        }
    }

    /// BlockRun, JarvisClaw: status checks on [`poll::plan`]'s schedule, within the budget.
    async fn poll_on_schedule(
        &self,
        mut session: LivenessSession,
        cancel: CancellationToken,
        check_now: Arc<Notify>,
        mut notice: Option<CommandError>,
    ) {
        let mut last_check: Option<i64> = None;
        let mut checks_made: u32 = 0;
        let mut not_before: Option<i64> = None;
        loop {
            if session.state != SessionState::AwaitingScan {
                return;
            }
            let provider = match self.provider_for(&session) {
                Ok(p) => p,
                Err(_) => return,
            };
            let now = self.clock.now_ms();
            let expires = session.expires_at_ms;
            let calls =
                match self
                    .library
                    .calls_in_last_hour(&provider.budget_key(), CallKind::Status, now)
                {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read the call log; polling stops");
                        return;
                    }
                };
            let plan = poll::plan(
                self.config.policy,
                now,
                poll::LinkWindow {
                    issued_at_ms: session.link_issued_at_ms,
                    expires_at_ms: expires,
                },
                &calls,
                last_check,
                checks_made,
                self.links_left(&provider, now),
            );
            let mut at = plan.at_ms();
            if let Some(nb) = not_before {
                at = at.max(nb);
            }
            let out_of_budget = matches!(plan, PollPlan::BudgetFreesAt(_)) || at > expires;
            if out_of_budget && now >= expires {
                // Past the deadline with no check left: the link is dead either way.
                self.apply(session, Event::LinkExpired, None);
                return;
            }
            let wake = if out_of_budget { at.min(expires) } else { at };
            let view = SessionView {
                next_check_at_ms: Some(wake),
                ..self.view(session.clone(), notice.clone())
            };
            let _ = self.updates.send(view);
            let sleep_ms = (wake - now).max(0) as u64;
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = check_now.notified() => {
                    last_check = Some(self.clock.now_ms());
                    checks_made += 1;
                    session = match self.library.session(&session.id) { Ok(s) => s, Err(_) => return };
                    continue;
                }
                _ = tokio::time::sleep(std::time::Duration::from_millis(sleep_ms)) => {}
            }
            if out_of_budget {
                // Woke at the deadline without budget for a check.
                if self.clock.now_ms() >= expires {
                    self.apply(session, Event::LinkExpired, None);
                    return;
                }
                continue;
            }
            last_check = Some(self.clock.now_ms());
            checks_made += 1;
            match self.check_status(&provider, session.clone()).await {
                Ok((s, failed)) => {
                    notice = None;
                    not_before = None;
                    let changed = s.state != session.state;
                    session = s;
                    if changed || session.state != SessionState::AwaitingScan {
                        let _ = self.updates.send(self.view(session.clone(), failed));
                    }
                }
                Err(e) => {
                    tracing::warn!(session = %session.id, error = %e, "status check failed");
                    not_before = match &e {
                        Error::RateLimited {
                            retry_after_seconds,
                            ..
                        } => Some(
                            self.clock.now_ms() + retry_after_seconds.unwrap_or(60) as i64 * 1000,
                        ),
                        // Transport trouble: back off to at least 15 s so a flaky Wi-Fi does not
                        // burn the budget.
                        _ => Some(self.clock.now_ms() + 15_000),
                    };
                    notice = Some(CommandError::from(&e));
                    if self.clock.now_ms() >= expires {
                        self.apply(session, Event::LinkExpired, notice.clone());
                        return;
                    }
                }
            }
        }
    }
}
