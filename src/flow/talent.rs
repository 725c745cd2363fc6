//! What the talent's own screen shows and may do. It faces the person being enrolled, so it
//! carries their name, the QR, the link's deadline (the same `expires_at_ms` the operator's
//! countdown runs from), the release to agree to and where the check stands — never a price, a
//! payee, the call budget or anything of the wallet. Its "I agree" is the only one that counts:
//! an agreement from any other window is refused here, before the studio hears of it.

use serde::Serialize;

use super::{ReleaseOffer, SessionState, SessionView};
use crate::error::{Error, Result};

/// The label of the talent's window (Tauri), named in its capability.
pub const TALENT_WINDOW: &str = "talent";

/// Refuses an agreement that did not come from the talent's own window.
pub fn from_talent_screen(window_label: &str) -> Result<()> {
    if window_label == TALENT_WINDOW {
        return Ok(());
    }
    Err(Error::invalid(
        "typed_name",
        "Only the talent can agree, on the talent's screen: press “Show to talent” (or F) and let them read the release, type their name and press “I agree” there.",
    ))
}

/// Where the talent's check stands, in the words their screen uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum TalentStage {
    /// Read the release, type your name, agree.
    Release,
    /// Agreed; the QR is on its way.
    Agreed,
    /// Scan, then nod and blink.
    Scan,
    /// The QR ran out; the operator can ask for a fresh one.
    Expired,
    /// Done: the check passed.
    Verified,
    /// The session was stopped.
    Stopped,
}

/// The talent's screen for one session.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct TalentView {
    pub session_id: String,
    pub talent_name: String,
    pub stage: TalentStage,
    /// The QR while it can be scanned.
    pub qr_svg: Option<String>,
    /// The link's deadline: the operator's countdown runs from the same instant.
    pub expires_at_ms: i64,
    /// The release, while it waits for the talent's agreement.
    pub release: Option<ReleaseOffer>,
    /// The name the talent typed, once they agreed.
    pub agreed_as: Option<String>,
    /// What went wrong on the phone check, in plain words (never a price or a payment).
    pub problem: Option<String>,
    /// Whether the talent's phone is seen to have opened the QR's page.
    pub phone: super::phone::PhoneSignal,
}

impl From<&SessionView> for TalentView {
    fn from(v: &SessionView) -> Self {
        use SessionState as S;
        let s = &v.session;
        let stage = match s.state {
            S::AwaitingConsent => TalentStage::Release,
            S::Consented => TalentStage::Agreed,
            S::AwaitingScan => TalentStage::Scan,
            S::Expired => TalentStage::Expired,
            S::Verified | S::AwaitingPayment | S::Enrolling | S::Enrolled => TalentStage::Verified,
            S::Cancelled => TalentStage::Stopped,
        };
        // Only the phone check's own troubles reach the talent; money matters stay with the
        // operator.
        let problem = v
            .notice
            .as_ref()
            .filter(|n| {
                matches!(
                    n.code,
                    crate::error::ErrorCode::LivenessFailed
                        | crate::error::ErrorCode::SessionExpired
                )
            })
            .map(|n| n.message.clone());
        TalentView {
            session_id: s.id.clone(),
            talent_name: s.talent_name.clone(),
            stage,
            qr_svg: v.qr_svg.clone().filter(|_| stage == TalentStage::Scan),
            expires_at_ms: s.expires_at_ms,
            release: v.release.clone().filter(|_| stage == TalentStage::Release),
            agreed_as: s.talent_consent.as_ref().map(|c| c.typed_name.clone()),
            problem,
            phone: v.phone,
        }
    }
}

impl super::Studio {
    /// The talent's screen for session `id`.
    pub fn talent_view(&self, id: &str) -> Result<TalentView> {
        Ok(TalentView::from(&self.session_view(id)?))
    }

    /// The talent's "I agree" from the window labelled `window_label`: refused from any window
    /// but theirs, then given as [`super::Studio::give_consent`].
    pub async fn talent_agrees(
        self: &std::sync::Arc<Self>,
        window_label: &str,
        id: &str,
        typed_name: &str,
        release_sha256: &str,
    ) -> Result<TalentView> {
        from_talent_screen(window_label)?;
        let view = self.give_consent(id, typed_name, release_sha256).await?;
        Ok(TalentView::from(&view))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{CommandError, ErrorCode};
    use crate::library::LivenessSession;
    use crate::payment::PaymentQuote;
    use crate::providers::ProviderKind;

    fn view(state: SessionState) -> SessionView {
        SessionView {
            session: LivenessSession {
                id: "ses_1".into(),
                provider: ProviderKind::Rehearsal,
                group_id: "g".into(),
                talent_name: "Ada".into(),
                image_url: String::new(),
                h5_link: "http://h/".into(),
                expires_at_ms: 120_000,
                link_issued_at_ms: 0,
                state,
                asset_id: None,
                created_at_ms: 0,
                updated_at_ms: 0,
                photo_override: None,
                liveness_token: None,
                talent_consent: None,
                operator: String::new(),
            },
            qr_svg: Some("<svg/>".into()),
            next_check_at_ms: None,
            notice: Some(CommandError {
                code: ErrorCode::PaymentRefused,
                message: "0.01 USDC to 0xabc".into(),
                field: None,
                retry_after_seconds: None,
                detail: None,
            }),
            quote: None::<PaymentQuote>,
            payee_changed: true,
            budget: None,
            asset: None,
            release: None,
            phone: crate::flow::phone::PhoneSignal::NotYet,
        }
    }

    #[test]
    fn only_the_talent_window_agrees() {
        assert!(from_talent_screen(TALENT_WINDOW).is_ok());
        for label in ["main", "Talent", "talent ", ""] {
            assert_eq!(
                from_talent_screen(label).unwrap_err().field(),
                Some("typed_name"),
                "{label:?}"
            );
        }
    }

    #[test]
    fn the_talent_sees_their_stage_and_the_same_deadline_and_never_money() {
        let t = TalentView::from(&view(SessionState::AwaitingScan));
        assert_eq!(t.stage, TalentStage::Scan);
        assert_eq!(t.expires_at_ms, 120_000, "the operator's deadline");
        assert!(t.qr_svg.is_some());
        assert_eq!(t.problem, None, "a payment notice stays with the operator");
        let json = serde_json::to_string(&t).unwrap();
        for money in ["USDC", "0xabc", "payee", "quote", "budget", "price"] {
            assert!(!json.contains(money), "{money} in {json}");
        }
        for (state, stage) in [
            (SessionState::AwaitingConsent, TalentStage::Release),
            (SessionState::Consented, TalentStage::Agreed),
            (SessionState::Expired, TalentStage::Expired),
            (SessionState::AwaitingPayment, TalentStage::Verified),
            (SessionState::Cancelled, TalentStage::Stopped),
        ] {
            let t = TalentView::from(&view(state));
            assert_eq!(t.stage, stage, "{state:?}");
            assert_eq!(t.qr_svg, None, "no QR to scan when {state:?}");
        }
    }
}
