//! Properties of the enrollment flow under random sequences of events.
//!
//! Two levels: the pure transition function [`next`] over thousands of random event sequences
//! (with restarts modelled as writing the state to the library's text form and reading it
//! back), and the real [`Studio`] on x402 against Rehearsal, driven by random operator actions,
//! faults, crashes (the call's future dropped at a random moment, as when the app dies) and
//! restarts (a new studio over the same library). The promise checked after every step: a
//! payment that was signed is never lost. It is in the ledger, settled with its face in the
//! library, or still pending so that Enroll re-sends it, and never paid twice.

mod common;

use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use alloy::signers::local::PrivateKeySigner;
use common::{PhotoHost, StartAgreed};
use likeness::flow::poll::PollPolicy;
use likeness::flow::{next, Event, SessionState, Studio, StudioConfig};
use likeness::http::{self, TrustRoots};
use likeness::library::{Library, PaymentStatus};
use likeness::payment::X402Version;
use likeness::providers::{blockrun, Provider, ProviderKind};
use likeness::spend::SpendCaps;
use proptest::prelude::*;
use rehearsal::RehearsalServer;

const HARDHAT_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

const EVENTS: [Event; 15] = [
    Event::LinkIssued,
    Event::StillPending,
    Event::ScanCompleted,
    Event::LinkExpired,
    Event::EnrollStarted,
    Event::QuoteShown,
    Event::QuoteDeclined,
    Event::PaymentSigned,
    Event::EnrollSucceeded,
    Event::EnrollFailed,
    Event::OutcomeUnknown,
    Event::Recovered,
    Event::EnrollNotReady,
    Event::Interrupted,
    Event::Cancelled,
];

/// One step of the pure machine's life: an event, or the app restarting.
#[derive(Debug, Clone, Copy)]
enum Step {
    Event(Event),
    Restart,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        9 => proptest::sample::select(EVENTS.to_vec()).prop_map(Step::Event),
        1 => Just(Step::Restart),
    ]
}

/// A restart: the state as the library stores it (its text form), read back.
fn reload(s: SessionState) -> SessionState {
    let stored = s.as_str();
    let json = serde_json::to_string(&s).unwrap();
    let from_json: SessionState = serde_json::from_str(&json).unwrap();
    assert_eq!(from_json, s, "serde round trip of {s:?}");
    SessionState::parse(stored).unwrap_or_else(|| panic!("{stored:?} reads back"))
}

/// Whether some sequence of events leads from `s` to `Enrolled` (breadth-first over the
/// machine itself).
fn can_still_enroll(s: SessionState) -> bool {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([s]);
    while let Some(s) = queue.pop_front() {
        if s == SessionState::Enrolled {
            return true;
        }
        if !seen.insert(s.as_str()) {
            continue;
        }
        queue.extend(EVENTS.iter().filter_map(|&e| next(s, e)));
    }
    false
}

/// `flow::next` is the only writer of session and job states: no code in the flow or the CLI
/// sets one to a chosen value (the one place a state is assigned takes it from `next`).
#[test]
fn only_the_state_machine_writes_states() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offences = Vec::new();
    let mut dirs = vec![root.join("flow"), root.join("cli")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
                if compact.contains(".state=SessionState::")
                    || compact.contains(".state=JobState::")
                {
                    offences.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "states written outside flow::next:\n{}",
        offences.join("\n")
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Every run from a fresh QR: the paid call is the only way into the library, a call in
    /// flight cannot be dropped or doubled, and restarts change nothing.
    #[test]
    fn the_pure_machine_keeps_its_promises(steps in proptest::collection::vec(step(), 0..60)) {
        let mut s = SessionState::AwaitingScan;
        let mut enroll_calls = 0u32;
        for step in steps {
            let event = match step {
                Step::Restart => {
                    s = reload(s);
                    continue;
                }
                Step::Event(e) => e,
            };
            let before = s;
            let after = next(before, event);

            if before.is_terminal() {
                prop_assert_eq!(after, None, "{:?} ignores {:?}", before, event);
            }
            if before == SessionState::Enrolling {
                // The paid call is in flight: only its outcome applies. No cancel can orphan
                // the payment and no second call (a second payment) can start.
                let outcome = matches!(
                    event,
                    Event::EnrollSucceeded
                        | Event::EnrollFailed
                        | Event::EnrollNotReady
                        | Event::OutcomeUnknown
                        | Event::Recovered
                        | Event::QuoteShown
                        | Event::QuoteDeclined
                        | Event::Interrupted
                );
                prop_assert_eq!(after.is_some(), outcome, "{:?} while enrolling", event);
            }
            if matches!(event, Event::EnrollStarted | Event::PaymentSigned) && after.is_some() {
                prop_assert!(
                    matches!(before, SessionState::Verified | SessionState::AwaitingPayment),
                    "a paid call starts only after the phone check, from {:?}", before
                );
                enroll_calls += 1;
            }
            if event == Event::PaymentSigned && after.is_some() {
                prop_assert_eq!(before, SessionState::AwaitingPayment, "signed only on a price shown");
            }
            if after == Some(SessionState::Enrolled) {
                prop_assert_eq!(before, SessionState::Enrolling);
                prop_assert!(
                    matches!(event, Event::EnrollSucceeded | Event::Recovered),
                    "enrolled by an answer or by reconciling, not by {:?}", event
                );
            }
            if after == Some(SessionState::Cancelled) {
                prop_assert_ne!(before, SessionState::Enrolling);
            }
            s = after.unwrap_or(before);

            if !s.is_terminal() {
                // Expired, declined, failed: each is a state to go on from, never a dead end.
                prop_assert!(can_still_enroll(s), "{:?} can still lead to a face", s);
            }
            if s == SessionState::Enrolled {
                prop_assert!(enroll_calls >= 1, "enrolled without a paid call");
            }
        }
    }

    /// From any state at all (a library written by an older build, a restart mid-way), the
    /// same rules hold for any one event, and a reload never changes a state.
    #[test]
    fn every_state_and_event(s in proptest::sample::select(SessionState::ALL.to_vec()),
                             e in proptest::sample::select(EVENTS.to_vec())) {
        prop_assert_eq!(reload(s), s);
        match next(s, e) {
            Some(SessionState::Enrolled) => {
                prop_assert_eq!(s, SessionState::Enrolling);
                prop_assert!(matches!(e, Event::EnrollSucceeded | Event::Recovered), "{:?}", e);
            }
            Some(SessionState::Enrolling) => prop_assert!(matches!(s, SessionState::Verified | SessionState::AwaitingPayment)),
            Some(_) | None => {}
        }
        if s == SessionState::Expired {
            prop_assert_eq!(next(s, Event::LinkIssued), Some(SessionState::AwaitingScan), "expired is refreshable");
        }
    }
}

/// What the operator and the world can do to a paid enrollment.
#[derive(Debug, Clone, Copy)]
enum Action {
    /// Enroll: a price, or a re-send of the payment already signed.
    Enroll,
    /// Pay, confirming a changed payee too.
    Confirm,
    Decline,
    /// Pay, and the app dies after this many milliseconds of the call (its future dropped).
    CrashDuringConfirm(u64),
    /// Enroll, and the app dies after this many milliseconds.
    CrashDuringEnroll(u64),
    /// A new studio over the same library, as after closing the app.
    Restart,
    /// Rehearsal settles the next payment, then resets the connection.
    DropAfterSettle,
    /// Rehearsal answers the next enrollment 502, uncharged.
    UpstreamError,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => Just(Action::Enroll),
        3 => Just(Action::Confirm),
        1 => Just(Action::Decline),
        2 => (0u64..400).prop_map(Action::CrashDuringConfirm),
        1 => (0u64..400).prop_map(Action::CrashDuringEnroll),
        2 => Just(Action::Restart),
        1 => Just(Action::DropAfterSettle),
        1 => Just(Action::UpstreamError),
    ]
}

struct World {
    photos: PhotoHost,
    rehearsal: RehearsalServer,
    library: Arc<Library>,
    studio: Arc<Studio>,
    _dir: tempfile::TempDir,
}

impl World {
    async fn new() -> World {
        let photos = PhotoHost::start().await;
        let mut config = common::rehearsal_config(&photos);
        config.x402_version = X402Version::V2;
        let rehearsal = common::start_rehearsal_with(config).await;
        let dir = tempfile::tempdir().unwrap();
        let library = Arc::new(Library::open(&dir.path().join("likeness.sqlite3")).unwrap());
        let studio = studio(&photos, &rehearsal, &library);
        World {
            photos,
            rehearsal,
            library,
            studio,
            _dir: dir,
        }
    }

    fn restart(&mut self) {
        self.studio.stop();
        self.studio = studio(&self.photos, &self.rehearsal, &self.library);
        self.studio.resume_open_sessions().unwrap();
    }

    /// A session whose talent finished the phone check.
    async fn verified(&self) -> String {
        let v = self
            .studio
            .start_agreed("Ada", Some(&self.photos.url("/face.jpg")), false)
            .await
            .unwrap();
        self.rehearsal
            .complete_liveness(&v.session.group_id)
            .await
            .unwrap();
        let checked = self.studio.check_now(&v.session.id).await.unwrap();
        assert_eq!(checked.session.state, SessionState::Verified);
        v.session.id
    }

    /// The promise, checked against the library and Rehearsal's own count of settlements.
    fn check(&self, id: &str, history: &[Action]) {
        let purpose = format!("realface:{id}");
        let ledger = self.library.payments().unwrap();
        let session = self.library.session(id).unwrap();
        let faces = self.library.faces().unwrap();
        let settled: Vec<_> = ledger
            .iter()
            .filter(|p| p.status == PaymentStatus::Settled)
            .collect();
        let signed: Vec<_> = ledger
            .iter()
            .filter(|p| p.status == PaymentStatus::Signed)
            .collect();
        let on_chain = self.rehearsal.settlements();

        assert!(
            settled.len() <= 1,
            "never paid twice: {settled:?} after {history:?}"
        );
        for p in &settled {
            assert_eq!(p.purpose, purpose);
            let asset = p.asset_id.as_deref().unwrap_or_else(|| {
                panic!("a settled payment names its face: {p:?} after {history:?}")
            });
            assert!(
                faces.iter().any(|f| f.asset_id == asset),
                "the face a settled payment bought is in the library, after {history:?}"
            );
            assert_eq!(session.state, SessionState::Enrolled, "after {history:?}");
        }
        assert!(
            signed.len() <= 1,
            "one pending authorization at a time: {signed:?} after {history:?}"
        );
        if let Some(p) = signed.first() {
            // Signed, outcome unknown: Enroll must find it and re-send it as is.
            let pending = self.library.pending_payment(&purpose).unwrap();
            assert_eq!(
                pending.map(|r| r.id),
                Some(p.id.clone()),
                "after {history:?}"
            );
            assert!(
                matches!(
                    session.state,
                    SessionState::Verified
                        | SessionState::AwaitingPayment
                        | SessionState::Enrolling
                ),
                "a pending payment's session can still enroll: {:?} after {history:?}",
                session.state
            );
        }
        assert!(
            on_chain as usize <= settled.len() + signed.len(),
            "every payment that settled is in the ledger, settled or pending: \
             {on_chain} settlements, ledger {ledger:?}, after {history:?}"
        );
        if session.state == SessionState::Enrolled {
            assert_eq!(
                settled.len(),
                1,
                "a face enrolled on x402 was paid for once"
            );
            assert_eq!(on_chain, 1, "after {history:?}");
        }
    }
}

fn studio(photos: &PhotoHost, rehearsal: &RehearsalServer, library: &Arc<Library>) -> Arc<Studio> {
    let http = http::client(&TrustRoots(vec![photos.root_cert_der()])).unwrap();
    let provider = Provider::BlockRun(blockrun::Client::new(
        ProviderKind::Rehearsal,
        rehearsal.base_url(),
        http.clone(),
        None,
    ));
    let config = StudioConfig {
        policy: PollPolicy {
            budget_per_hour: 20,
            reserve: 3,
            min_interval_ms: 200,
            first_check_after_ms: 200,
        },
        caps: SpendCaps::default(),
        wallet: Some(HARDHAT_KEY.parse::<PrivateKeySigner>().unwrap()),
        ..StudioConfig::for_provider(&provider)
    };
    Studio::new(Arc::clone(library), provider, http, config)
}

async fn run(actions: Vec<Action>) {
    let mut world = World::new().await;
    let id = world.verified().await;
    let mut history = Vec::new();
    for action in actions {
        history.push(action);
        // Results are not asserted here: refusals ("no price waiting") are fine. The promise
        // is about what is left behind, checked after every step.
        match action {
            Action::Enroll => {
                let _ = world.studio.enroll_session(&id, None, None, None).await;
            }
            Action::Confirm => {
                let _ = world.studio.confirm_payment(&id, true).await;
            }
            Action::Decline => {
                let _ = world.studio.decline_payment(&id);
            }
            Action::CrashDuringConfirm(ms) => {
                let call = world.studio.confirm_payment(&id, true);
                let _ = tokio::time::timeout(Duration::from_millis(ms), call).await;
                world.restart();
            }
            Action::CrashDuringEnroll(ms) => {
                let call = world.studio.enroll_session(&id, None, None, None);
                let _ = tokio::time::timeout(Duration::from_millis(ms), call).await;
                world.restart();
            }
            Action::Restart => world.restart(),
            Action::DropAfterSettle => world
                .rehearsal
                .faults()
                .drop_connection_after_settle_once
                .store(true, std::sync::atomic::Ordering::SeqCst),
            Action::UpstreamError => world
                .rehearsal
                .faults()
                .upstream_error_once
                .store(true, std::sync::atomic::Ordering::SeqCst),
        }
        world.check(&id, &history);
    }

    // Whatever happened, the operator can finish: Enroll and Pay until the face is in, and it
    // is paid exactly once.
    world.restart();
    for _ in 0..6 {
        if world.library.session(&id).unwrap().state == SessionState::Enrolled {
            break;
        }
        let _ = world.studio.enroll_session(&id, None, None, None).await;
        world.check(&id, &history);
        if world.library.session(&id).unwrap().state == SessionState::AwaitingPayment {
            let _ = world.studio.confirm_payment(&id, true).await;
            world.check(&id, &history);
        }
    }
    assert_eq!(
        world.library.session(&id).unwrap().state,
        SessionState::Enrolled,
        "the operator can always finish, after {history:?}"
    );
    assert_eq!(world.rehearsal.settlements(), 1, "after {history:?}");
    world.studio.stop();
}

proptest! {
    // Each case starts Rehearsal and a photo host and runs a real phone check: few, but real.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_signed_payment_is_never_lost_or_doubled(
        actions in proptest::collection::vec(action(), 1..10)
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(run(actions));
    }
}
