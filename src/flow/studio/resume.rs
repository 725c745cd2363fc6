//! After a restart: the sessions left open come back as they were, polling where a scan is
//! awaited, and a price or an enroll that lived in a stopped process is settled in words.

use std::sync::Arc;

use super::*;

impl Studio {
    /// After a restart: resume polling sessions that await a scan (expired ones become
    /// `Expired` at once and offer a fresh QR), and settle interrupted enrolls.
    pub fn resume_open_sessions(self: &Arc<Self>) -> Result<Vec<SessionView>> {
        self.resume_assets()?;
        if let Err(e) = self.resume_jobs() {
            tracing::warn!(error = %e, "could not resume the video jobs");
        }
        let kind = self.provider().kind();
        let mut views = vec![];
        for s in self.library.open_sessions()? {
            if s.provider != kind {
                views.push(self.view(s, None));
                continue;
            }
            let s = self.move_rehearsal_link(s)?;
            if s.state == SessionState::AwaitingScan {
                self.watch(s.clone(), None);
            }
            views.push(self.recover(s)?);
        }
        Ok(views)
    }

    /// One session as a fresh process finds it: a price or an enroll that lived in a process
    /// that has stopped is settled as at the app's launch. The CLI runs every step in a new
    /// process, so its `enroll` calls this first; without it, a session left `Enrolling` by a
    /// killed run stayed "already in progress" for good.
    pub fn resume_session(&self, id: &str) -> Result<SessionView> {
        let session = self.library.session(id)?;
        if session.provider != self.provider().kind() {
            return Ok(self.view(session, None));
        }
        let session = self.move_rehearsal_link(session)?;
        self.recover(session)
    }

    /// Rehearsal keeps its sessions across restarts (its state file), but not always its
    /// address: with 8402 busy it takes a free port. A QR still waiting for its scan would
    /// point the talent's phone at a dead port, so its link follows Rehearsal to where it
    /// listens now; the path and tokens, which name the session, stay as issued. Links of
    /// real providers are theirs and never touched.
    pub(super) fn move_rehearsal_link(&self, mut s: LivenessSession) -> Result<LivenessSession> {
        let Some(origin) = &self.config.rehearsal_phone_origin else {
            return Ok(s);
        };
        if s.provider != ProviderKind::Rehearsal || s.state != SessionState::AwaitingScan {
            return Ok(s);
        }
        if let Some(moved) = moved_link(&s.h5_link, origin) {
            tracing::info!(session = %s.id, to = %origin, "Rehearsal moved; the QR follows it");
            s.h5_link = moved;
            self.persist_and_send(&mut s, None)?;
        }
        Ok(s)
    }

    pub(super) fn recover(&self, mut s: LivenessSession) -> Result<SessionView> {
        match s.state {
            SessionState::AwaitingPayment
                if !self
                    .quotes
                    .lock()
                    .expect("quote map poisoned")
                    .contains_key(&s.id) =>
            {
                // The quote lived in memory and nothing was signed: ask for a fresh price.
                self.step(&mut s, Event::Interrupted)?;
                self.persist_and_send(&mut s, None)?;
                Ok(self.view(s, None))
            }
            SessionState::Enrolling => {
                // The app stopped mid-call: the provider may or may not have enrolled. Nothing
                // is re-sent automatically; Enroll re-sends the payment already signed (the
                // ledger keeps it), so it cannot be charged twice.
                self.step(&mut s, Event::Interrupted)?;
                let provider = self.provider();
                let message = if matches!(provider, Provider::Crun(_)) {
                    "The app stopped while uploading the photo. Crun keeps no list of uploads: check the asset in Crun's dashboard before pressing Enroll again, so it is not billed twice."
                } else if provider.holds_assets() {
                    "The app stopped while uploading the photo. Press Enroll to finish: the provider's listing is checked first, so it is never uploaded twice."
                } else {
                    "The app stopped while enrolling. Press Enroll to finish: a payment already signed is re-sent or found at the provider, never paid twice."
                };
                let notice = CommandError {
                    code: ErrorCode::Internal,
                    message: message.into(),
                    field: None,
                    retry_after_seconds: None,
                    detail: None,
                };
                self.persist_and_send(&mut s, Some(notice.clone()))?;
                Ok(self.view(s, Some(notice)))
            }
            _ => Ok(self.view(s, None)),
        }
    }

    pub(super) fn provider_for(&self, session: &LivenessSession) -> Result<Provider> {
        let provider = self.provider();
        if provider.kind() != session.provider {
            return Err(Error::invalid(
                "provider",
                format!(
                    "This session belongs to {}, but {} is selected. Switch back in Settings to continue it.",
                    session.provider,
                    provider.kind()
                ),
            ));
        }
        Ok(provider)
    }
}
