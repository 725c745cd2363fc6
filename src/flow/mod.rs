//! The enrollment flow: a pure state machine ([`next`]), a pure poll schedule ([`poll`]), and the
//! async driver ([`Studio`]) that runs effects, owns deadlines and reports every change.

pub mod callback;
pub(crate) mod checkout;
pub mod phone;
pub mod poll;
mod studio;
pub mod talent;

pub use checkout::PayeeRecord;
pub(crate) use studio::assets as studio_assets;
pub use studio::{
    AssetFileCheck, CallBudget, EnrollOutcome, EnrollmentFunds, PhoneTest, PortraitOutcome,
    PortraitQuote, ReleaseOffer, SessionView, SpendCap, Studio, StudioConfig, PHONE_TEST_WAIT,
};
// The library's rename takes the same rule as enrollment: one rule for a face's name.
pub use studio::{validate_name, MAX_NAME_CHARS};

use serde::{Deserialize, Serialize};

/// Where a liveness session stands. Pending, expired and mismatched are states, not errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// The talent reads the release on their own screen (the talent view) and has not agreed
    /// yet. No link is issued, so there is no QR to scan.
    AwaitingConsent,
    /// The talent agreed; the first link is being issued (or was refused, and the operator can
    /// ask for it again).
    Consented,
    /// The QR is live; the talent has not finished the phone check.
    AwaitingScan,
    /// The link's 120 s ran out before the check finished; a fresh QR continues the same group.
    Expired,
    /// The talent finished; the operator can enroll.
    Verified,
    /// The provider named its price; nothing is signed until the operator confirms.
    AwaitingPayment,
    /// The paid enroll call is in flight.
    Enrolling,
    Enrolled,
    Cancelled,
}

impl SessionState {
    /// Every state, for parsing and for the tests that must cover them all.
    pub const ALL: [SessionState; 9] = [
        SessionState::AwaitingConsent,
        SessionState::Consented,
        SessionState::AwaitingScan,
        SessionState::Expired,
        SessionState::Verified,
        SessionState::AwaitingPayment,
        SessionState::Enrolling,
        SessionState::Enrolled,
        SessionState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::AwaitingConsent => "awaiting_consent",
            SessionState::Consented => "consented",
            SessionState::AwaitingScan => "awaiting_scan",
            SessionState::Expired => "expired",
            SessionState::Verified => "verified",
            SessionState::AwaitingPayment => "awaiting_payment",
            SessionState::Enrolling => "enrolling",
            SessionState::Enrolled => "enrolled",
            SessionState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, SessionState::Enrolled | SessionState::Cancelled)
    }
}

/// A state that only [`next`] may change: the one writer of session and job states, so every
/// transition the flow makes is one the tables below allow, and the property tests can walk them.
pub trait Transitions: Copy + PartialEq {
    type Event: Copy;
    fn step(self, event: Self::Event) -> Option<Self>;
}

/// The transition function. `None` means the event does not apply in this state and must be
/// ignored (for example a late poll answer arriving after the operator cancelled).
pub fn next<S: Transitions>(state: S, event: S::Event) -> Option<S> {
    state.step(event)
}

/// Something that happened to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The talent agreed to the release on their own screen (never the operator's).
    ConsentGiven,
    /// A new or refreshed H5 link was issued for the group.
    LinkIssued,
    /// A status check found the group still pending.
    StillPending,
    /// A status check found the group active.
    ScanCompleted,
    /// The link's deadline passed with the group still pending.
    LinkExpired,
    /// The enroll call leaves: the price probe, an account's enroll, or a re-send of the
    /// payment signed earlier.
    EnrollStarted,
    /// The provider named its price; it waits for the operator.
    QuoteShown,
    /// The operator declined the price, or it was refused before signing (a cap): nothing signed.
    QuoteDeclined,
    /// The operator confirmed; the payment is signed and on its way.
    PaymentSigned,
    EnrollSucceeded,
    /// The enroll call failed without charging (mismatch, upstream, network before acting); the
    /// group stays verified so the operator can retry, possibly with another photo.
    EnrollFailed,
    /// The paid call may have settled and its answer was lost: back to verified, where Enroll
    /// re-sends the same payment or reconciles; never a second signature while it can settle.
    OutcomeUnknown,
    /// Reconciliation found the enrollment at the provider: the lost answer's face is filed.
    Recovered,
    /// The provider says the group is not active after all (425).
    EnrollNotReady,
    /// The process that held a price or an enroll in flight stopped; a fresh one starts over.
    Interrupted,
    Cancelled,
}

impl Transitions for SessionState {
    type Event = Event;

    fn step(self, event: Event) -> Option<SessionState> {
        use Event as E;
        use SessionState as S;
        match (self, event) {
            (S::Enrolled | S::Cancelled, _) => None,
            (S::Enrolling, E::Cancelled) => None,
            (_, E::Cancelled) => Some(S::Cancelled),
            (S::AwaitingConsent, E::ConsentGiven) => Some(S::Consented),
            // The first link only once the talent agreed: no QR, so no scan and no enroll,
            // without their consent.
            (S::Consented | S::AwaitingScan | S::Expired, E::LinkIssued) => Some(S::AwaitingScan),
            (S::AwaitingScan, E::StillPending) => Some(S::AwaitingScan),
            (S::AwaitingScan | S::Expired, E::ScanCompleted) => Some(S::Verified),
            (S::AwaitingScan, E::LinkExpired) => Some(S::Expired),
            (S::Verified | S::AwaitingPayment, E::EnrollStarted) => Some(S::Enrolling),
            (S::Enrolling | S::AwaitingPayment, E::QuoteShown) => Some(S::AwaitingPayment),
            (S::Enrolling | S::AwaitingPayment, E::QuoteDeclined) => Some(S::Verified),
            (S::AwaitingPayment, E::PaymentSigned) => Some(S::Enrolling),
            (S::Enrolling, E::EnrollSucceeded) => Some(S::Enrolled),
            (S::Enrolling, E::EnrollFailed | E::OutcomeUnknown) => Some(S::Verified),
            (S::Enrolling, E::Recovered) => Some(S::Enrolled),
            (S::Enrolling, E::EnrollNotReady) => Some(S::Expired),
            (S::Enrolling | S::AwaitingPayment, E::Interrupted) => Some(S::Verified),
            _ => None,
        }
    }
}

/// Something that happened to a video job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobEvent {
    /// The operator confirmed (or confirms again to re-send the payment signed earlier).
    Confirmed,
    /// The provider took the job.
    Accepted,
    /// A poll found it waiting in the provider's queue.
    StillQueued,
    /// A poll found it being generated.
    Generating,
    /// A poll found the video made: it is downloaded next.
    Made,
    /// The file is on disk.
    Saved,
    /// The provider failed it, refused it, or no longer has it.
    Failed,
    /// The operator declined the price, or cleared a submission whose answer was lost.
    Declined,
    /// Not made within the time the provider keeps a job.
    TimedOut,
    /// Its payment lapsed uncollected with the outcome unknown: the price is shown again.
    Requoted,
}

impl Transitions for crate::video::JobState {
    type Event = JobEvent;

    fn step(self, event: JobEvent) -> Option<Self> {
        use crate::video::JobState as J;
        use JobEvent as E;
        match (self, event) {
            (J::AwaitingConfirmation | J::Submitting, E::Confirmed) => Some(J::Submitting),
            // A provider that takes a job without asking to be paid accepts it at the quote.
            (J::AwaitingConfirmation | J::Submitting, E::Accepted) => Some(J::Queued),
            (J::Queued | J::Running, E::StillQueued) => Some(J::Queued),
            (J::Queued | J::Running, E::Generating) => Some(J::Running),
            (J::Queued | J::Running, E::Made) => Some(J::Downloading),
            (J::Downloading | J::Completed, E::Saved) => Some(J::Completed),
            (J::AwaitingConfirmation | J::Submitting | J::Queued | J::Running, E::Failed) => {
                Some(J::Failed)
            }
            (J::AwaitingConfirmation | J::Submitting, E::Declined) => Some(J::Failed),
            (J::Queued | J::Running, E::TimedOut) => Some(J::Expired),
            (J::Submitting, E::Requoted) => Some(J::AwaitingConfirmation),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Event as E;
    use SessionState as S;

    #[test]
    fn happy_path() {
        let mut s = S::AwaitingScan;
        for e in [
            E::StillPending,
            E::StillPending,
            E::ScanCompleted,
            E::EnrollStarted,
            E::EnrollSucceeded,
        ] {
            s = next(s, e).unwrap_or_else(|| panic!("{e:?} must apply in {s:?}"));
        }
        assert_eq!(s, S::Enrolled);
    }

    #[test]
    fn no_qr_scan_or_enroll_before_the_talent_agrees() {
        for e in [
            E::LinkIssued,
            E::StillPending,
            E::ScanCompleted,
            E::LinkExpired,
            E::EnrollStarted,
            E::QuoteShown,
            E::PaymentSigned,
            E::EnrollSucceeded,
            E::Recovered,
        ] {
            assert_eq!(next(S::AwaitingConsent, e), None, "{e:?} before consent");
        }
        let s = next(S::AwaitingConsent, E::ConsentGiven).unwrap();
        assert_eq!(s, S::Consented);
        assert_eq!(next(s, E::ScanCompleted), None, "no scan before a QR");
        assert_eq!(next(s, E::EnrollStarted), None);
        assert_eq!(next(s, E::LinkIssued), Some(S::AwaitingScan));
        assert_eq!(next(S::AwaitingConsent, E::Cancelled), Some(S::Cancelled));
        // Consent is given once: no state but the first takes it.
        for st in SessionState::ALL {
            if st != S::AwaitingConsent {
                assert_eq!(next(st, E::ConsentGiven), None, "{st:?}");
            }
        }
    }

    #[test]
    fn expiry_then_fresh_qr_continues_the_same_session() {
        let s = next(S::AwaitingScan, E::LinkExpired).unwrap();
        assert_eq!(s, S::Expired);
        assert_eq!(
            next(s, E::StillPending),
            None,
            "no polling once the link is dead"
        );
        assert_eq!(next(s, E::LinkIssued), Some(S::AwaitingScan));
        // A last check right after the deadline may still find the talent finished.
        assert_eq!(next(s, E::ScanCompleted), Some(S::Verified));
    }

    #[test]
    fn failed_enroll_goes_back_to_verified_and_can_retry() {
        let s = next(S::Enrolling, E::EnrollFailed).unwrap();
        assert_eq!(s, S::Verified);
        assert_eq!(next(s, E::EnrollStarted), Some(S::Enrolling));
        assert_eq!(next(S::Enrolling, E::EnrollNotReady), Some(S::Expired));
    }

    #[test]
    fn terminal_states_ignore_everything() {
        for e in [
            E::LinkIssued,
            E::ScanCompleted,
            E::EnrollStarted,
            E::Cancelled,
            E::LinkExpired,
        ] {
            assert_eq!(next(S::Enrolled, e), None);
            assert_eq!(next(S::Cancelled, e), None);
        }
    }

    #[test]
    fn cannot_cancel_mid_payment_or_enroll_twice() {
        assert_eq!(
            next(S::Enrolling, E::Cancelled),
            None,
            "an in-flight enroll must finish first"
        );
        assert_eq!(
            next(S::Enrolling, E::EnrollStarted),
            None,
            "never two enroll calls at once"
        );
        assert_eq!(
            next(S::AwaitingScan, E::EnrollStarted),
            None,
            "no enroll before the phone check"
        );
        assert_eq!(next(S::Verified, E::Cancelled), Some(S::Cancelled));
    }

    /// Every job state against every job event: the table's promises about money and endings.
    #[test]
    fn the_job_table_keeps_its_promises() {
        use crate::video::JobState as J;
        use JobEvent as JE;
        const EVENTS: [JE; 10] = [
            JE::Confirmed,
            JE::Accepted,
            JE::StillQueued,
            JE::Generating,
            JE::Made,
            JE::Saved,
            JE::Failed,
            JE::Declined,
            JE::TimedOut,
            JE::Requoted,
        ];
        for s in J::ALL {
            for e in EVENTS {
                let after = next(s, e);
                if matches!(s, J::Failed | J::Expired) {
                    assert_eq!(after, None, "{s:?} is final; {e:?} must not apply");
                }
                if after == Some(J::Downloading) {
                    // A video is only fetched once the provider says it is made.
                    assert_eq!(e, JE::Made, "{s:?} --{e:?}--> downloading");
                    assert!(s.at_provider(), "made from {s:?}");
                }
                if after == Some(J::AwaitingConfirmation) {
                    // Back to a price only from a submission whose payment lapsed uncollected.
                    assert_eq!((s, e), (J::Submitting, JE::Requoted));
                }
                if e == JE::Declined && after.is_some() {
                    // Nothing at the provider is ever declined away: it is polled to its end.
                    assert!(!s.at_provider(), "declined from {s:?}");
                }
                if after == Some(J::Queued) && !s.at_provider() {
                    assert_eq!(e, JE::Accepted, "queued from {s:?} only when accepted");
                }
            }
        }
        // The paid path, end to end.
        let mut s = J::AwaitingConfirmation;
        for e in [
            JE::Confirmed,
            JE::Accepted,
            JE::Generating,
            JE::Made,
            JE::Saved,
        ] {
            s = next(s, e).unwrap_or_else(|| panic!("{e:?} must apply in {s:?}"));
        }
        assert_eq!(s, J::Completed);
        assert_eq!(
            next(J::Completed, JE::Saved),
            Some(J::Completed),
            "a re-download"
        );
    }

    #[test]
    fn state_names_round_trip() {
        for s in SessionState::ALL {
            assert_eq!(SessionState::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
