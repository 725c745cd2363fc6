//! A real face's enrollment: the price shown, the operator's Pay, and the paid call through
//! the checkout. A lost answer is reconciled with the wallet's listing (BlockRun) or the group's
//! count (JarvisClaw), never signed again while the first payment can be collected.

use std::sync::Arc;

use super::checkout::{self, Reconciled, Sent};
use super::{describe, validate_name, EnrollOutcome, PendingQuote, SessionView, Studio};
use crate::error::{CommandError, Error, ErrorCode, Result};
use crate::flow::{next, Event, SessionState};
use crate::library::{liveness_ref, CallKind, ConsentRecord, Face, FaceKind, LivenessSession};
use crate::photo;
use crate::providers::{EnrollmentReceipt, Paid, Provider, ProviderKind, RemoteFaceKind};

/// The ledger's purpose for a real face's enrollment.
pub(super) fn realface_purpose(session_id: &str) -> String {
    format!("realface:{session_id}")
}

impl Studio {
    /// The operator's go-ahead: enroll the verified face and add it to the library. `name` and
    /// `image_url` replace the session's own when given (another photo after a mismatch).
    ///
    /// On the account rail this enrolls at once. On x402 it asks the provider for its price and
    /// stops at [`SessionState::AwaitingPayment`]: nothing is signed until [`Self::confirm_payment`].
    /// A payment signed earlier whose outcome is unknown (the app stopped, the connection
    /// dropped) is re-sent as is, so the same enrollment is never paid twice.
    pub async fn enroll_session(
        self: &Arc<Self>,
        id: &str,
        name: Option<&str>,
        image_url: Option<&str>,
        photo_override: Option<bool>,
    ) -> Result<EnrollOutcome> {
        let mut session = self.library.session(id)?;
        if let Some(n) = name {
            let n = validate_name(n)?;
            // JarvisClaw's enroll `name` "must match init name" (seed 001): refused here, before
            // a price is asked or anything signed, rather than by a paid call.
            let jarvisclaw = matches!(self.provider_for(&session)?, Provider::JarvisClaw(_));
            if jarvisclaw && n != session.talent_name {
                return Err(Error::invalid(
                    "name",
                    format!(
                        "JarvisClaw enrolls the face under the name given when the QR was made (\"{}\"). Start a new session to use another name.",
                        session.talent_name
                    ),
                ));
            }
            session.talent_name = n;
        }
        if let Some(u) = image_url {
            session.image_url = photo::PhotoSource::parse(u)?.stored();
        }
        if session.image_url.is_empty() {
            return Err(Error::invalid(
                "image_url",
                "Give the face photo to enroll with: a file or a link (--image).",
            ));
        }
        if !matches!(
            session.state,
            SessionState::Verified | SessionState::AwaitingPayment
        ) {
            return Err(match session.state {
                SessionState::Enrolled => Error::invalid(
                    "session",
                    "This face is already enrolled; it is in the library.",
                ),
                SessionState::Enrolling => {
                    Error::invalid("session", "Enrollment is already in progress.")
                }
                s => Error::invalid(
                    "session",
                    format!(
                        "The talent has not finished the phone check yet (the session is {}).",
                        describe(s)
                    ),
                ),
            });
        }
        let provider = self.provider_for(&session)?;
        // Re-check the photo right before the paid call: links go stale, and a bad photo must
        // never reach a paid endpoint. The override given at start stands unless a new word
        // comes with this call (another photo after a mismatch).
        let overridden = photo_override.unwrap_or(session.photo_override.is_some());
        let (photo, photo_override) = self.vetted_photo(&session.image_url, overridden).await?;
        session.photo_override = photo_override;
        // A file with nowhere to host it stops here, before a price is asked or anything paid.
        self.hosting_for(&provider, photo.file_bytes.is_some())?;
        if provider.holds_assets() {
            return self.enroll_into_group(&provider, session, photo).await;
        }
        let purpose = realface_purpose(&session.id);
        if let Some(paid) = self.checkout.settled_for(&purpose)? {
            // Paid, and the face could not be filed (its id was lost with the answer): never
            // a second payment for the same session.
            return Err(paid_but_id_lost(session.provider, &session.group_id, &paid));
        }
        if let Some(ticket) = self.checkout.unresolved(&purpose)? {
            tracing::info!(session = %session.id, "re-sending the payment signed earlier");
            let handover = self.hand_over(&provider, &photo).await?;
            self.step(&mut session, Event::EnrollStarted)?;
            let face = self
                .pay_and_enroll(&provider, session, photo, ticket, handover)
                .await?;
            return Ok(EnrollOutcome::Enrolled {
                face: Box::new(face),
            });
        }
        let handover = self.hand_over(&provider, &photo).await?;
        self.step(&mut session, Event::EnrollStarted)?;
        self.persist_and_send(&mut session, None)?;
        let answer = provider
            .enroll(&session.talent_name, &handover.url, &session.group_id, None)
            .await;
        // Answered, whatever it said: a price is confirmed with a fresh copy, so none is left.
        let deleted = self.take_back(handover).await;
        match answer {
            Ok(Paid::Done(receipt)) => {
                let face = self.finish_enroll(
                    session,
                    receipt,
                    photo,
                    Event::EnrollSucceeded,
                    None,
                    deleted,
                )?;
                Ok(EnrollOutcome::Enrolled {
                    face: Box::new(face),
                })
            }
            Ok(Paid::PaymentRequired(quote)) => {
                if let Err(e) = self.checkout.hold(provider.kind(), &purpose, *quote) {
                    self.step(&mut session, Event::QuoteDeclined)?;
                    self.persist_and_send(&mut session, Some(CommandError::from(&e)))?;
                    return Err(e);
                }
                self.quotes
                    .lock()
                    .expect("quote map poisoned")
                    .insert(session.id.clone(), PendingQuote { photo });
                self.step(&mut session, Event::QuoteShown)?;
                self.persist_and_send(&mut session, None)?;
                Ok(EnrollOutcome::PaymentRequired {
                    view: Box::new(self.view(session, None)),
                })
            }
            Err(e) => Err(self.enroll_failed(session, e)),
        }
    }

    /// The operator confirmed the quote: the checkout signs it and writes it to the ledger,
    /// then it is sent. `payee_change_confirmed` is the second confirmation asked when the
    /// payee differs from the one this provider was paid before.
    pub async fn confirm_payment(
        self: &Arc<Self>,
        id: &str,
        payee_change_confirmed: bool,
    ) -> Result<Face> {
        let mut session = self.library.session(id)?;
        let pending = self
            .quotes
            .lock()
            .expect("quote map poisoned")
            .get(id)
            .cloned();
        const NO_PRICE: &str =
            "There is no price waiting for confirmation on this session; press Enroll first.";
        let (SessionState::AwaitingPayment, Some(pending)) = (session.state, pending) else {
            return Err(Error::invalid("session", NO_PRICE));
        };
        let provider = self.provider_for(&session)?;
        // Hosted before signing: a bucket that fails costs nothing.
        let handover = self.hand_over(&provider, &pending.photo).await?;
        let ticket = self.checkout.sign_held(
            provider.kind(),
            &realface_purpose(id),
            payee_change_confirmed,
            NO_PRICE,
        );
        let ticket = match ticket {
            Ok(t) => t,
            Err(e) => {
                self.take_back(handover).await;
                return Err(e);
            }
        };
        self.quotes.lock().expect("quote map poisoned").remove(id);
        self.step(&mut session, Event::PaymentSigned)?;
        self.pay_and_enroll(&provider, session, pending.photo, ticket, handover)
            .await
    }

    /// The operator declined the price: nothing is signed and the session stays verified.
    pub fn decline_payment(&self, id: &str) -> Result<SessionView> {
        let mut session = self.library.session(id)?;
        self.quotes.lock().expect("quote map poisoned").remove(id);
        self.checkout.release(&realface_purpose(id));
        if next(session.state, Event::QuoteDeclined).is_some()
            && session.state == SessionState::AwaitingPayment
        {
            self.step(&mut session, Event::QuoteDeclined)?;
            self.persist_and_send(&mut session, None)?;
        }
        Ok(self.view(session, None))
    }

    /// Applies `event` through the state machine, or refuses a transition it does not allow.
    pub(super) fn step(&self, session: &mut LivenessSession, event: Event) -> Result<()> {
        match next(session.state, event) {
            Some(state) => {
                session.state = state;
                Ok(())
            }
            None => Err(Error::Internal(format!(
                "{event:?} does not apply to a session that is {}",
                session.state.as_str()
            ))),
        }
    }

    /// Sends the signed enrollment (the same header again after a transport failure). When the
    /// outcome is unknown, the checkout reconciles with the wallet's listing instead of signing
    /// again: a face found there is filed with this payment.
    async fn pay_and_enroll(
        self: &Arc<Self>,
        provider: &Provider,
        mut session: LivenessSession,
        photo: photo::PhotoCheck,
        mut ticket: super::checkout::Ticket,
        handover: super::handover::Handover,
    ) -> Result<Face> {
        self.persist_and_send(&mut session, None)?;
        let (name, url, group) = (
            session.talent_name.clone(),
            handover.url.clone(),
            session.group_id.clone(),
        );
        let sent = self
            .checkout
            .send(&mut ticket, |signed| {
                let (provider, name, url, group) =
                    (provider.clone(), name.clone(), url.clone(), group.clone());
                async move { provider.enroll(&name, &url, &group, Some(&signed)).await }
            })
            .await;
        // The provider fetched the photo during the call (or never will now): delete the copy.
        let deleted = self.take_back(handover).await;
        let cause = match sent {
            Sent::Delivered(receipt) => {
                self.checkout.settled(
                    &ticket,
                    receipt.tx_hash.as_deref(),
                    Some(&receipt.asset_id),
                )?;
                return self.finish_enroll(
                    session,
                    receipt,
                    photo,
                    Event::EnrollSucceeded,
                    None,
                    deleted,
                );
            }
            Sent::Refused(e) => return Err(self.enroll_failed(session, e)),
            Sent::Unknown(e) => e,
        };
        let kind = provider.kind();
        // Whether anything at the provider can tell if it went through: without that, a lapse
        // proves nothing, and the payment is never taken for uncharged.
        let mut can_tell = provider.listing_calls() > 0;
        if let Some(count) = self.group_count(provider, &session.group_id) {
            match count.await {
                // Enrolled, and no listing can name the id the lost answer carried.
                Ok(Some(n)) if n > 0 => {
                    self.checkout.mark(
                        &ticket.record_id,
                        crate::library::PaymentStatus::Settled,
                        None,
                        None,
                    )?;
                    let record = self.library.payment(&ticket.record_id)?;
                    let e = paid_but_id_lost(kind, &session.group_id, &record);
                    return Err(self.outcome_unknown(session, e));
                }
                Ok(Some(_)) => can_tell = true,
                Ok(None) => {}
                Err(check) => return Err(self.check_failed(session, kind, &cause, &check)),
            }
        }
        if !can_tell {
            let e = checkout::unverifiable(
                kind,
                &cause,
                "Press Enroll again to re-send the same one (it cannot be charged twice), or check the provider's dashboard: if the face is not there, start a new session for the talent.",
            );
            return Err(self.outcome_unknown(session, e));
        }
        let finder = self.finder(provider, RemoteFaceKind::RealFace);
        let found = finder.map(|f| {
            let session = session.clone();
            async move {
                let faces = f.await?;
                Ok(faces
                    .into_iter()
                    .find(|r| r.group_id.as_deref() == Some(session.group_id.as_str()))
                    .map(|r| receipt_from(r, &session.talent_name)))
            }
        });
        let reconciled = self
            .checkout
            .reconcile(&ticket, found, |r: &EnrollmentReceipt| {
                (r.asset_id.clone(), r.tx_hash.clone())
            })
            .await;
        match reconciled {
            Ok(Reconciled::Found(receipt)) => {
                let notice = CommandError {
                    code: ErrorCode::PaymentFound,
                    message: format!(
                        "Found: it was enrolled. The answer from {kind} was lost, but {kind} lists this face as {}. It is in the library, paid once.",
                        receipt.asset_id
                    ),
                    field: None,
                    retry_after_seconds: None,
                    detail: None,
                };
                self.finish_enroll(
                    session,
                    receipt,
                    photo,
                    Event::Recovered,
                    Some(notice),
                    deleted,
                )
            }
            Ok(Reconciled::NotYet { until_ms }) => {
                let e = checkout::unresolved(
                    kind,
                    &cause,
                    until_ms,
                    self.clock.now_ms(),
                    "Press Enroll again to re-send the same one: it cannot be charged twice, and a face that went through is found.",
                );
                Err(self.outcome_unknown(session, e))
            }
            Ok(Reconciled::Lapsed) => Err(self.outcome_unknown(
                session,
                lapsed(kind, "Press Enroll to see the price again."),
            )),
            Err(check) => Err(self.check_failed(session, kind, &cause, &check)),
        }
    }

    /// The listing where a lost answer's face would be, as a future, where the provider has one
    /// for the paying wallet. One listing call, out of the status budget (BlockRun counts both
    /// in one bucket).
    pub(super) fn finder(
        &self,
        provider: &Provider,
        kind: RemoteFaceKind,
    ) -> Option<impl std::future::Future<Output = Result<Vec<crate::providers::RemoteFace>>>> {
        if provider.listing_calls() == 0 {
            return None;
        }
        let wallet = self.checkout.wallet()?.address().to_checksum(None);
        let budget = self.spend_calls(
            provider,
            CallKind::Status,
            self.config.policy.budget_per_hour,
            1,
        );
        let provider = provider.clone();
        Some(async move {
            budget?;
            provider.list_faces_of(&wallet, kind).await
        })
    }

    /// Where no listing names faces but the group's status counts them (JarvisClaw): one status
    /// call from the hourly budget.
    fn group_count(
        &self,
        provider: &Provider,
        group_id: &str,
    ) -> Option<impl std::future::Future<Output = Result<Option<u32>>>> {
        if provider.listing_calls() > 0 || !matches!(provider, Provider::JarvisClaw(_)) {
            return None;
        }
        let budget = self.spend_calls(
            provider,
            CallKind::Status,
            self.config.policy.budget_per_hour,
            1,
        );
        let (provider, group) = (provider.clone(), group_id.to_string());
        Some(async move {
            budget?;
            provider.group_asset_count(&group).await
        })
    }

    /// Reconciling could not ask the provider (`check`): the payment stays as signed.
    fn check_failed(
        &self,
        session: LivenessSession,
        kind: ProviderKind,
        cause: &Error,
        check: &Error,
    ) -> Error {
        let e = checkout::unchecked(
            kind,
            cause,
            check,
            "Press Enroll again to check again; nothing more will be signed.",
        );
        self.outcome_unknown(session, e)
    }

    fn outcome_unknown(&self, mut session: LivenessSession, e: Error) -> Error {
        if let Some(state) = next(session.state, Event::OutcomeUnknown) {
            session.state = state;
        }
        if let Err(save) = self.persist_and_send(&mut session, Some(CommandError::from(&e))) {
            tracing::warn!(error = %save, "could not save the session");
        }
        e
    }

    pub(super) fn finish_enroll(
        &self,
        mut session: LivenessSession,
        receipt: EnrollmentReceipt,
        photo: photo::PhotoCheck,
        event: Event,
        notice: Option<CommandError>,
        hosted_copy_deleted_at_ms: Option<i64>,
    ) -> Result<Face> {
        self.step(&mut session, event)?;
        session.asset_id = Some(receipt.asset_id.clone());
        let now = self.clock.now_ms();
        let payment = self.library.payment_for(
            &receipt.asset_id,
            session.provider,
            receipt.tx_hash.as_deref(),
        )?;
        let consent = ConsentRecord {
            operator: self.config.operator.clone(),
            recorded_at_ms: now,
            liveness_ref: Some(liveness_ref(&session.id, &session.group_id)),
            file_sha256: Some(photo.sha256),
            payment: Some(payment),
            hosted_copy_deleted_at_ms,
            release: session.talent_consent.clone(),
        };
        let from_file = photo.file_bytes.is_some();
        let mut face = face_from(
            &session,
            receipt,
            FaceKind::RealFace,
            Some(photo.thumbnail).filter(|t| !t.is_empty()),
            now,
            Some(consent),
        );
        if from_file {
            // The provider echoes the hosted copy's link, dead once deleted: the face keeps
            // the file the operator gave.
            face.image_url = session.image_url.clone();
        }
        self.library.save_face(&face)?;
        self.persist_and_send(&mut session, notice)?;
        tracing::info!(session = %session.id, asset = %face.asset_id, "face enrolled");
        Ok(face)
    }

    pub(super) fn enroll_failed(&self, mut session: LivenessSession, e: Error) -> Error {
        let event = if matches!(e.code(), ErrorCode::NotReady | ErrorCode::SessionExpired) {
            Event::EnrollNotReady
        } else {
            Event::EnrollFailed
        };
        if let Some(state) = next(session.state, event) {
            session.state = state;
        }
        if let Err(save) = self.persist_and_send(&mut session, Some(CommandError::from(&e))) {
            tracing::warn!(error = %save, "could not save the session");
        }
        e
    }
}

fn face_from(
    session: &LivenessSession,
    r: EnrollmentReceipt,
    kind: FaceKind,
    thumbnail: Option<String>,
    now_ms: i64,
    consent: Option<ConsentRecord>,
) -> Face {
    Face {
        asset_id: r.asset_id,
        provider: session.provider,
        kind,
        name: r.name,
        image_url: r.image_url,
        thumbnail,
        group_id: r.group_id.or_else(|| Some(session.group_id.clone())),
        enrolled_at_ms: now_ms,
        price_usd: r.price_usd,
        tx_hash: r.tx_hash,
        photo_override: session.photo_override.clone(),
        asset_type: crate::media::AssetType::Image,
        status: crate::providers::AssetStatus::Active,
        status_message: None,
        consent,
        revoked: None,
        tags: Vec::new(),
    }
}

/// A face or portrait found in the wallet's listing, as the enroll answer that was lost would
/// have said it.
pub(super) fn receipt_from(r: crate::providers::RemoteFace, name: &str) -> EnrollmentReceipt {
    EnrollmentReceipt {
        asset_id: r.asset_id,
        group_id: r.group_id,
        name: if r.name.is_empty() {
            name.to_string()
        } else {
            r.name
        },
        image_url: r.image_url,
        created_at: r.created_at.unwrap_or_default(),
        price_usd: None,
        tx_hash: r.tx_hash,
    }
}

/// The session's enrollment was paid and the provider holds the face, but its id went with the
/// lost answer and no listing can give it back.
fn paid_but_id_lost(
    provider: crate::providers::ProviderKind,
    group_id: &str,
    paid: &crate::library::PaymentRecord,
) -> Error {
    Error::PaymentUnresolved {
        provider,
        message: format!(
            "{provider} shows this talent's face enrolled in group {group_id}, so the payment went through (ledger {}, paid once). Its asset id was in the answer that was lost, and {provider} has no list to read it back from: ask {provider}'s support for the asset of group {group_id}. Nothing more will be signed for this session.",
            paid.id
        ),
        retry_after_seconds: None,
    }
}

/// An unknown outcome, not found at the provider, whose authorization lapsed: it can never be
/// collected now, so nothing was charged and a fresh price may be confirmed.
pub(super) fn lapsed(provider: crate::providers::ProviderKind, next: &str) -> Error {
    Error::PaymentRejected {
        provider,
        reason: format!(
            "it was not collected before it lapsed, and {provider} does not show the purchase. {next}"
        ),
    }
}
