//! Fault drills: network and server faults injected by Rehearsal's fault plan into the studio
//! flow exactly as the app drives it (the Studio driver on the x402 wallet rail, the core's own
//! HTTP client with its 30 s timeout, a SQLite library on disk, Rehearsal keeping its state in a
//! file so it can be restarted on the same port mid-session).
//!
//! Every drill ends by asserting the four invariants (see [`Bench::assert_invariants`] and
//! [`common::assert_plain`]):
//!
//! 1. no session or face is lost: each one made is still in the library's SQLite file, read
//!    through a fresh connection;
//! 2. the settlements per enrollment are exactly 1, or exactly 0 when it failed
//!    ([`RehearsalServer::settlements`]);
//! 3. no job is paid twice: at most one settled ledger row per enrollment or video job, and
//!    Rehearsal's settlement count agrees;
//! 4. the operator sees a plain-words state and a next step: the error the command returns, the
//!    notice on the broadcast session view or the job's notice, with no transport or parser
//!    jargon.
//!
//! The delays past the client timeout are real: the core's client gives up after 30 s and
//! does not let a caller shorten it, so those two drills take about 31 s each.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use alloy::signers::local::PrivateKeySigner;
use common::{assert_plain, PhotoHost, StartAgreed};
use likeness::error::{CommandError, Error, ErrorCode};
use likeness::flow::poll::PollPolicy;
use likeness::flow::{EnrollOutcome, SessionState, SessionView, Studio, StudioConfig};
use likeness::http::{self, TrustRoots};
use likeness::library::{CallKind, Face, Library, PaymentStatus};
use likeness::providers::{blockrun, Provider, ProviderKind};
use likeness::video::{JobState, VideoJob, VideoPollPolicy, VideoRequest, CLAIMABLE_MS};
use rehearsal::{Fault, FaultRoute, RehearsalConfig, RehearsalServer};
use tokio::sync::broadcast;

const HARDHAT_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const PROMPT: &str = "she smiles warmly and waves at the camera in soft studio light";
/// Past the core client's 30 s timeout (src/http.rs).
const PAST_THE_TIMEOUT_MS: u64 = 35_000;

/// Quick polls for short Rehearsal jobs; a failed poll still backs off the flow's own 15 s.
const FAST_POLLS: VideoPollPolicy = VideoPollPolicy {
    first_after_ms: 100,
    min_gap_ms: 100,
    max_gap_ms: 300,
    polls_per_hour: 10_000,
    claimable_ms: CLAIMABLE_MS,
};

struct Bench {
    photos: PhotoHost,
    server: Option<RehearsalServer>,
    port: u16,
    video_delay: Duration,
    /// How long a signed authorization can be collected (Rehearsal's `maxTimeoutSeconds`).
    payment_window: Duration,
    library: Arc<Library>,
    dir: tempfile::TempDir,
}

impl Bench {
    async fn new() -> Bench {
        Bench::with_video_delay(Duration::from_millis(300)).await
    }

    async fn with_video_delay(video_delay: Duration) -> Bench {
        Bench::with(video_delay, Duration::from_secs(300)).await
    }

    async fn with(video_delay: Duration, payment_window: Duration) -> Bench {
        let photos = PhotoHost::start().await;
        let dir = tempfile::tempdir().unwrap();
        let library = Arc::new(Library::open(&dir.path().join("likeness.sqlite3")).unwrap());
        let mut bench = Bench {
            photos,
            server: None,
            port: 0,
            video_delay,
            payment_window,
            library,
            dir,
        };
        bench.start().await;
        bench
    }

    fn config(&self) -> RehearsalConfig {
        let mut config = common::rehearsal_config(&self.photos);
        config.bind = format!("127.0.0.1:{}", self.port).parse().unwrap();
        config.state_file = Some(self.dir.path().join("rehearsal").join("state.json"));
        config.video_delay = self.video_delay;
        config.payment_window = self.payment_window;
        config
    }

    /// Starts Rehearsal on its port (a new one the first time) with its state file.
    async fn start(&mut self) {
        let server = common::start_rehearsal_with(self.config()).await;
        self.port = server.local_addr().port();
        self.server = Some(server);
    }

    /// Stops Rehearsal (waiting for in-flight requests); its state stays in the file.
    async fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
    }

    fn server(&self) -> &RehearsalServer {
        self.server.as_ref().expect("Rehearsal is running")
    }

    fn arm(&self, route: FaultRoute, fault: Fault, times: u32) {
        self.server().faults().arm(route, fault, times);
    }

    fn base_url(&self) -> url::Url {
        url::Url::parse(&format!("http://127.0.0.1:{}/", self.port)).unwrap()
    }

    /// The studio as the app builds it on Rehearsal: the core's HTTP client, the wallet rail.
    /// Automatic status checks start a minute in, so the drills' manual checks are the only ones.
    fn studio(&self) -> Arc<Studio> {
        let http = http::client(&TrustRoots(vec![self.photos.root_cert_der()])).unwrap();
        let client =
            blockrun::Client::new(ProviderKind::Rehearsal, self.base_url(), http.clone(), None);
        let provider = Provider::BlockRun(client);
        let config = StudioConfig {
            policy: PollPolicy {
                budget_per_hour: 20,
                reserve: 3,
                min_interval_ms: 200,
                first_check_after_ms: 60_000,
            },
            wallet: Some(HARDHAT_KEY.parse::<PrivateKeySigner>().unwrap()),
            media_dir: Some(self.dir.path().join("media")),
            video_poll: FAST_POLLS,
            rehearsal_phone_origin: Some(self.base_url()),
            ..StudioConfig::for_provider(&provider)
        };
        Studio::new(Arc::clone(&self.library), provider, http, config)
    }

    fn photo(&self) -> String {
        self.photos.url("/face.jpg")
    }

    /// Spends the status budget the wallet listing shares, in calls that age out of the hour
    /// after `frees_in`: reconciling is refused until then, as on a busy day.
    fn exhaust_listing_budget(&self, frees_in: Duration) {
        let key = format!("127.0.0.1:{}", self.port);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let at = now - 3_600_000 + frees_in.as_millis() as i64;
        let used = self
            .library
            .calls_in_last_hour(&key, CallKind::Status, now)
            .unwrap()
            .len();
        for _ in used..20 {
            self.library
                .record_call(&key, CallKind::Status, at)
                .unwrap();
        }
    }

    async fn start_session(&self, studio: &Arc<Studio>) -> SessionView {
        studio
            .start_agreed("Ada", Some(&self.photo()), false)
            .await
            .unwrap()
    }

    /// The talent nods and blinks; the operator presses "check now".
    async fn verify(&self, studio: &Arc<Studio>, view: &SessionView) {
        self.server()
            .complete_liveness(&view.session.group_id)
            .await
            .unwrap();
        let checked = studio.check_now(&view.session.id).await.unwrap();
        assert_eq!(checked.session.state, SessionState::Verified);
    }

    /// A session the talent has finished.
    async fn verified(&self, studio: &Arc<Studio>) -> String {
        let view = self.start_session(studio).await;
        self.verify(studio, &view).await;
        view.session.id
    }

    /// Enroll (the price is shown) and Pay, with no fault in the way.
    async fn enroll_and_pay(&self, studio: &Arc<Studio>, id: &str) -> Face {
        quoted(studio.enroll_session(id, None, None, None).await.unwrap());
        studio.confirm_payment(id, false).await.unwrap()
    }

    /// Invariants 1–3. `sessions` and `faces` must all still be in the library file (and no
    /// face twice); Rehearsal settled exactly `settlements` payments; no purpose (an
    /// enrollment or a video job) has more than one settled ledger row, and the settled rows
    /// add up to Rehearsal's count.
    fn assert_invariants(&self, sessions: &[&str], faces: &[&str], settlements: u64) {
        let fresh = Library::open(&self.dir.path().join("likeness.sqlite3")).unwrap();
        for id in sessions {
            fresh
                .session(id)
                .unwrap_or_else(|e| panic!("session {id} lost: {e}"));
        }
        let stored: Vec<String> = fresh
            .faces()
            .unwrap()
            .into_iter()
            .map(|f| f.asset_id)
            .collect();
        for id in faces {
            assert_eq!(
                stored.iter().filter(|s| s == id).count(),
                1,
                "face {id} lost or filed twice: {stored:?}"
            );
        }
        assert_eq!(stored.len(), faces.len(), "faces: {stored:?}");
        assert_eq!(self.server().settlements(), settlements, "settlements");
        let mut settled: HashMap<String, u64> = HashMap::new();
        for p in fresh.payments().unwrap() {
            if p.status == PaymentStatus::Settled {
                *settled.entry(p.purpose).or_default() += 1;
            }
        }
        assert!(
            settled.values().all(|&n| n == 1),
            "something was paid twice: {settled:?}"
        );
        assert_eq!(settled.values().sum::<u64>(), settlements, "{settled:?}");
    }
}

fn quoted(outcome: EnrollOutcome) -> SessionView {
    match outcome {
        EnrollOutcome::PaymentRequired { view } => *view,
        EnrollOutcome::Enrolled { .. } => panic!("the wallet rail asks the operator first"),
    }
}

fn enrolled(outcome: EnrollOutcome) -> Face {
    match outcome {
        EnrollOutcome::Enrolled { face } => *face,
        EnrollOutcome::PaymentRequired { .. } => {
            panic!("the payment signed earlier must be re-sent, not a new price asked")
        }
    }
}

/// What the window shows for a failed command: the `{code, message}` it receives.
fn shown(e: &Error) -> CommandError {
    CommandError::from(e)
}

/// The latest notice broadcast for session `id` (what the session card shows).
fn last_notice(rx: &mut broadcast::Receiver<SessionView>, id: &str) -> Option<CommandError> {
    let mut last = None;
    while let Ok(v) = rx.try_recv() {
        if v.session.id == id {
            last = v.notice;
        }
    }
    last
}

fn stored_state(bench: &Bench, id: &str) -> SessionState {
    bench.library.session(id).unwrap().state
}

/// After a paid call failed with its outcome unknown: the session is back to Verified with the
/// words on its card, the one signed payment is kept for the re-send, and nothing settled twice.
fn assert_payment_kept_for_resend(bench: &Bench, id: &str) {
    assert_eq!(stored_state(bench, id), SessionState::Verified);
    let rows = bench
        .library
        .payments_for(&format!("realface:{id}"))
        .unwrap();
    assert_eq!(rows.len(), 1, "one signature");
    assert_eq!(
        rows[0].status,
        PaymentStatus::Signed,
        "outcome unknown: kept to re-send"
    );
}

// ------------------------------------------------------------------ session init

#[tokio::test]
async fn init_dropped_before_acting_says_try_again_and_the_next_start_works() {
    let bench = Bench::new().await;
    let studio = bench.studio();
    bench.arm(FaultRoute::Init, Fault::DropBeforeActing, 1);
    let e = studio
        .start_agreed("Ada", Some(&bench.photo()), false)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Network);
    assert_plain(&shown(&e).message, &["try again"]);
    assert_eq!(
        bench.server().call_counts().inits,
        0,
        "the server did nothing"
    );
    // The talent's agreement is kept; "Generate the QR" carries the same session on.
    let open = bench.library.open_sessions().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].state, SessionState::Consented);
    assert!(open[0].talent_consent.is_some());
    assert!(open[0].h5_link.is_empty(), "no link was issued");
    let again = studio.refresh_session(&open[0].id).await.unwrap();
    assert_eq!(again.session.state, SessionState::AwaitingScan);
    assert_eq!(again.session.talent_consent, open[0].talent_consent);
    studio.cancel_session(&open[0].id).unwrap();

    let id = bench.verified(&studio).await;
    let face = bench.enroll_and_pay(&studio, &id).await;
    assert_eq!(bench.server().faults().fired(FaultRoute::Init), 1);
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

// ------------------------------------------------------------------ the paid enrollment

#[tokio::test]
async fn enroll_dropped_before_acting_keeps_the_one_signature_and_pays_once() {
    let bench = Bench::new().await;
    let studio = bench.studio();
    let mut rx = studio.subscribe();
    let id = bench.verified(&studio).await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    // The first send and both re-sends of the same header.
    bench.arm(FaultRoute::Enroll, Fault::DropBeforeActing, 3);
    let e = studio.confirm_payment(&id, false).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::PaymentUnresolved);
    let words = shown(&e).message;
    assert_plain(&words, &["Press Enroll again to re-send the same one"]);
    assert!(words.contains("Could not reach Rehearsal"), "{words}");
    assert_eq!(last_notice(&mut rx, &id).map(|n| n.message), Some(words));
    assert_eq!(bench.server().settlements(), 0);
    assert_payment_kept_for_resend(&bench, &id);

    let face = enrolled(studio.enroll_session(&id, None, None, None).await.unwrap());
    assert_eq!(bench.server().faults().fired(FaultRoute::Enroll), 3);
    assert_eq!(
        bench.library.payments().unwrap().len(),
        1,
        "never re-signed"
    );
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

/// The seller settles and the answer is lost (the connection closes). A real seller refuses the
/// re-sent header (`invalid_exact_evm_nonce_already_used`), so before the checkout the studio
/// signed a second payment and paid twice. Now the wallet's listing is asked, the face is
/// found there and filed with the one payment, and the operator's later presses change nothing.
#[tokio::test]
async fn enroll_answer_lost_after_settling_is_found_by_reconciling_and_paid_once() {
    let bench = Bench::new().await;
    let studio = bench.studio();
    let mut rx = studio.subscribe();
    let id = bench.verified(&studio).await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    bench.arm(FaultRoute::Enroll, Fault::DropAfterActing, 1);
    let face = studio.confirm_payment(&id, false).await.unwrap();
    let notice = last_notice(&mut rx, &id).expect("the operator is told what happened");
    assert_eq!(notice.code, ErrorCode::PaymentFound);
    assert_plain(&notice.message, &["It is in the library, paid once"]);
    assert!(
        notice.message.contains("Found: it was enrolled"),
        "{}",
        notice.message
    );
    assert!(
        notice.message.contains(&face.asset_id),
        "{}",
        notice.message
    );
    assert_eq!(
        bench.server().settlements(),
        1,
        "settled on the first send, never again"
    );
    let rows = bench
        .library
        .payments_for(&format!("realface:{id}"))
        .unwrap();
    assert_eq!(rows.len(), 1, "one signature");
    assert_eq!(rows[0].status, PaymentStatus::Settled);
    assert_eq!(rows[0].asset_id.as_deref(), Some(face.asset_id.as_str()));
    // The operator presses Enroll again, up to three times: nothing is signed or paid.
    for _ in 0..3 {
        let e = studio
            .enroll_session(&id, None, None, None)
            .await
            .unwrap_err();
        assert_plain(&shown(&e).message, &["it is in the library"]);
    }
    let view = studio.session_view(&id).unwrap();
    assert_eq!(view.session.state, SessionState::Enrolled);
    assert_eq!(view.asset.map(|a| a.asset_id), Some(face.asset_id.clone()));
    assert_eq!(bench.library.payments().unwrap().len(), 1);
    // One status check ("check now") and one listing call to reconcile, out of the 20/hour.
    assert_eq!(
        bench.server().call_counts().lookups,
        2,
        "reconciling spent one listing call"
    );
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

/// The answer is lost after settling, and the listing cannot be asked yet (the hour's status
/// budget is spent): the payment stays unresolved, nothing more is signed, and the operator's
/// retry, once the budget frees, re-sends the same header, is refused as used, and finds the
/// face.
#[tokio::test]
async fn enroll_answer_lost_while_the_listing_is_out_of_budget_is_found_on_a_retry() {
    let bench = Bench::new().await;
    let studio = bench.studio();
    let id = bench.verified(&studio).await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    bench.arm(FaultRoute::Enroll, Fault::DropAfterActing, 1);
    bench.exhaust_listing_budget(Duration::from_secs(3));
    let e = studio.confirm_payment(&id, false).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::PaymentUnresolved);
    let words = shown(&e).message;
    assert_plain(&words, &["Press Enroll again to check again"]);
    assert!(words.contains("rate-limiting"), "{words}");
    assert_eq!(bench.server().settlements(), 1);
    assert_payment_kept_for_resend(&bench, &id);
    let mut presses = 1;
    let face = loop {
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        presses += 1;
        match studio.enroll_session(&id, None, None, None).await {
            Ok(outcome) => break enrolled(outcome),
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::PaymentUnresolved, "{e}");
                assert!(presses < 4, "still not found after three retries: {e}");
            }
        }
    };
    eprintln!("found after {presses} presses");
    // The check now, and one listing call: the refused reconciliations never left the studio.
    assert_eq!(bench.server().call_counts().lookups, 2);
    assert_eq!(
        bench.library.payments().unwrap().len(),
        1,
        "never re-signed"
    );
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

/// The seller settles only after the upstream face match, so a paid call's answer can be slow.
/// Past the free calls' 30 s clock it is waited for, not taken for lost.
#[tokio::test]
async fn enroll_answered_slowly_is_waited_for_not_resent_and_pays_once() {
    let bench = Bench::new().await;
    let studio = bench.studio();
    let id = bench.verified(&studio).await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    bench.arm(
        FaultRoute::Enroll,
        Fault::DelayAnswer {
            delay_ms: PAST_THE_TIMEOUT_MS,
        },
        1,
    );
    let started = std::time::Instant::now();
    let face = studio.confirm_payment(&id, false).await.unwrap();
    eprintln!("delay drill: Pay took {} s", started.elapsed().as_secs());
    assert!(started.elapsed() >= Duration::from_millis(PAST_THE_TIMEOUT_MS));
    assert_eq!(bench.server().faults().fired(FaultRoute::Enroll), 1);
    assert_eq!(
        bench.library.payments().unwrap().len(),
        1,
        "the slow answer was waited for with the one signature"
    );
    let view = studio.session_view(&id).unwrap();
    assert_eq!(view.session.state, SessionState::Enrolled);
    assert!(view.notice.is_none());
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

#[tokio::test]
async fn enroll_5xx_burst_keeps_the_signature_and_the_fourth_press_pays_once() {
    let bench = Bench::new().await;
    let studio = bench.studio();
    let id = bench.verified(&studio).await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    bench.arm(FaultRoute::Enroll, Fault::ServerError { status: 503 }, 3);
    let e = studio.confirm_payment(&id, false).await.unwrap_err();
    let words = shown(&e).message;
    assert_plain(&words, &["Press Enroll again to re-send the same one"]);
    assert!(words.contains("error on its side (503)"), "{words}");
    assert_payment_kept_for_resend(&bench, &id);
    for _ in 0..2 {
        let e = studio
            .enroll_session(&id, None, None, None)
            .await
            .unwrap_err();
        assert_plain(
            &shown(&e).message,
            &["Press Enroll again to re-send the same one"],
        );
        assert_payment_kept_for_resend(&bench, &id);
    }
    assert_eq!(bench.server().settlements(), 0);
    let face = enrolled(studio.enroll_session(&id, None, None, None).await.unwrap());
    assert_eq!(bench.server().faults().fired(FaultRoute::Enroll), 3);
    // The check now, and one listing call for each of the three unresolved presses.
    assert_eq!(bench.server().call_counts().lookups, 4);
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

/// The server settled and its answer cannot be read whole. Before, the studio said "Nothing was
/// charged" and the next Enroll paid a second time; then it re-sent the header, which a real
/// seller refuses. Now a success is a success: the asset id is taken as written (or, cut before
/// it, found in the wallet's listing), and the face is filed at once with the one payment.
async fn unreadable_answer_after_settling(fault: Fault) {
    let bench = Bench::new().await;
    let studio = bench.studio();
    let id = bench.verified(&studio).await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    bench.arm(FaultRoute::Enroll, fault, 1);
    let face = studio.confirm_payment(&id, false).await.unwrap();
    assert!(face.asset_id.starts_with("ta_"), "{}", face.asset_id);
    assert_eq!(bench.server().settlements(), 1);
    let rows = bench
        .library
        .payments_for(&format!("realface:{id}"))
        .unwrap();
    assert_eq!(rows.len(), 1, "never re-signed");
    assert_eq!(rows[0].status, PaymentStatus::Settled);
    assert_eq!(
        studio.session_view(&id).unwrap().session.state,
        SessionState::Enrolled
    );
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

#[tokio::test]
async fn enroll_malformed_json_after_settling_files_the_face_paid_once() {
    unreadable_answer_after_settling(Fault::MalformedJson).await;
}

#[tokio::test]
async fn enroll_truncated_json_after_settling_files_the_face_paid_once() {
    unreadable_answer_after_settling(Fault::TruncatedJson).await;
}

#[tokio::test]
async fn enroll_429_storm_with_retry_after_says_how_long_and_pays_once() {
    let bench = Bench::new().await;
    let studio = bench.studio();
    let mut rx = studio.subscribe();
    let id = bench.verified(&studio).await;
    bench.arm(
        FaultRoute::Enroll,
        Fault::RateLimited {
            retry_after_seconds: Some(2),
        },
        4,
    );
    // Enroll (asking the price) meets the storm; the window says how long to wait.
    for _ in 0..4 {
        let e = studio
            .enroll_session(&id, None, None, None)
            .await
            .unwrap_err();
        let said = shown(&e);
        assert_eq!(said.code, ErrorCode::RateLimited);
        assert_eq!(said.retry_after_seconds, Some(2));
        assert_plain(&said.message, &["Wait 2 seconds, then try again."]);
        assert_eq!(last_notice(&mut rx, &id), Some(said));
        assert_eq!(stored_state(&bench, &id), SessionState::Verified);
    }
    assert!(
        bench.library.payments().unwrap().is_empty(),
        "nothing signed"
    );
    let face = bench.enroll_and_pay(&studio, &id).await;
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

#[tokio::test]
async fn enroll_429_storm_without_retry_after_on_the_payment_is_not_charged_and_pays_once() {
    let bench = Bench::new().await;
    let studio = bench.studio();
    let id = bench.verified(&studio).await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    bench.arm(
        FaultRoute::Enroll,
        Fault::RateLimited {
            retry_after_seconds: None,
        },
        3,
    );
    let e = studio.confirm_payment(&id, false).await.unwrap_err();
    let said = shown(&e);
    assert_eq!(said.retry_after_seconds, None);
    assert_plain(&said.message, &["Wait a minute, then try again."]);
    // A 429 is a refusal before any work: that signature is void, and Enroll asks again.
    assert_eq!(
        bench.library.payments().unwrap()[0].status,
        PaymentStatus::NotCharged
    );
    for _ in 0..2 {
        let e = studio
            .enroll_session(&id, None, None, None)
            .await
            .unwrap_err();
        assert_plain(&shown(&e).message, &["Wait a minute, then try again."]);
    }
    let face = bench.enroll_and_pay(&studio, &id).await;
    assert_eq!(bench.server().faults().fired(FaultRoute::Enroll), 3);
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

// ------------------------------------------------------------------ the status poll

#[tokio::test]
async fn status_answered_past_the_client_timeout_says_try_again() {
    let bench = Bench::new().await;
    let studio = bench.studio();
    let view = bench.start_session(&studio).await;
    let id = view.session.id.clone();
    bench
        .server()
        .complete_liveness(&view.session.group_id)
        .await
        .unwrap();
    bench.arm(
        FaultRoute::Status,
        Fault::DelayAnswer {
            delay_ms: PAST_THE_TIMEOUT_MS,
        },
        1,
    );
    let e = studio.check_now(&id).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Timeout);
    assert_plain(&shown(&e).message, &["Try again in a moment."]);
    assert_eq!(stored_state(&bench, &id), SessionState::AwaitingScan);

    let checked = studio.check_now(&id).await.unwrap();
    assert_eq!(checked.session.state, SessionState::Verified);
    let face = bench.enroll_and_pay(&studio, &id).await;
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

#[tokio::test]
async fn status_5xx_burst_and_truncated_answers_keep_the_session_waiting() {
    let bench = Bench::new().await;
    let studio = bench.studio();
    let view = bench.start_session(&studio).await;
    let id = view.session.id.clone();
    bench
        .server()
        .complete_liveness(&view.session.group_id)
        .await
        .unwrap();
    bench.arm(FaultRoute::Status, Fault::ServerError { status: 500 }, 3);
    bench.arm(FaultRoute::Status, Fault::TruncatedJson, 1);
    bench.arm(FaultRoute::Status, Fault::MalformedJson, 1);
    for _ in 0..3 {
        let e = studio.check_now(&id).await.unwrap_err();
        let words = shown(&e).message;
        assert_plain(&words, &["try again in a moment"]);
        assert!(words.contains("error on its side (500)"), "{words}");
        assert_eq!(stored_state(&bench, &id), SessionState::AwaitingScan);
    }
    for needle in ["cut short", "not valid JSON"] {
        let e = studio.check_now(&id).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnexpectedResponse);
        let shown = shown(&e);
        assert_plain(&shown.message, &["Try again in a moment"]);
        // What was wrong with the answer is the technical part, behind "Copy details".
        let detail = shown.detail.unwrap_or_default();
        assert!(detail.contains(needle), "{detail}");
    }
    assert_eq!(bench.server().faults().fired(FaultRoute::Status), 5);
    let checked = studio.check_now(&id).await.unwrap();
    assert_eq!(checked.session.state, SessionState::Verified);
    let face = bench.enroll_and_pay(&studio, &id).await;
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

#[tokio::test]
async fn status_429_storm_says_how_long_to_wait_and_the_session_survives() {
    let bench = Bench::new().await;
    let studio = bench.studio();
    let view = bench.start_session(&studio).await;
    let id = view.session.id.clone();
    bench
        .server()
        .complete_liveness(&view.session.group_id)
        .await
        .unwrap();
    bench.arm(
        FaultRoute::Status,
        Fault::RateLimited {
            retry_after_seconds: Some(600),
        },
        2,
    );
    bench.arm(
        FaultRoute::Status,
        Fault::RateLimited {
            retry_after_seconds: None,
        },
        2,
    );
    for expected in [
        "Wait about 10 minutes, then try again.",
        "Wait about 10 minutes, then try again.",
        "Wait a minute, then try again.",
        "Wait a minute, then try again.",
    ] {
        let e = studio.check_now(&id).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::RateLimited);
        assert_plain(&shown(&e).message, &[expected]);
        assert_eq!(stored_state(&bench, &id), SessionState::AwaitingScan);
    }
    let checked = studio.check_now(&id).await.unwrap();
    assert_eq!(checked.session.state, SessionState::Verified);
    let face = bench.enroll_and_pay(&studio, &id).await;
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

// ------------------------------------------------------------------ video jobs

/// A paid portrait (one settlement) to make videos with, and a job quoted and confirmed.
async fn confirmed_job(bench: &Bench, studio: &Arc<Studio>) -> (Face, VideoJob) {
    let face = studio
        .enroll_portrait("Robo", &bench.photo(), false, |_| true)
        .await
        .unwrap();
    let quoted = studio
        .quote_video(&VideoRequest {
            face_asset_id: face.asset_id.clone(),
            prompt: PROMPT.into(),
            ..VideoRequest::default()
        })
        .await
        .unwrap();
    let queued = studio.confirm_video(&quoted.id, false).await.unwrap();
    assert_eq!(queued.state, JobState::Queued);
    (face, queued)
}

/// Follows the broadcast job views until `done`, keeping every notice shown on the way.
async fn follow(
    rx: &mut broadcast::Receiver<VideoJob>,
    id: &str,
    done: impl Fn(&VideoJob) -> bool,
) -> (VideoJob, Vec<String>) {
    let mut notices = Vec::new();
    let job = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            match rx.recv().await {
                Ok(j) if j.id == id => {
                    if let Some(n) = &j.notice {
                        if notices.last() != Some(n) {
                            notices.push(n.clone());
                        }
                    }
                    if done(&j) {
                        return j;
                    }
                }
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("job updates closed: {e}"),
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("job {id} never got there; notices: {notices:?}"));
    (job, notices)
}

fn assert_delivered_once(bench: &Bench, studio: &Studio, job: &VideoJob) {
    let stored = studio.video_job(&job.id).unwrap();
    assert_eq!(stored.state, JobState::Completed, "{:?}", stored.error);
    assert_eq!(stored.charged, Some(true));
    assert!(stored
        .charge_note
        .as_deref()
        .is_some_and(|n| n.starts_with("This was charged: $")));
    assert!(stored
        .local_path
        .as_deref()
        .is_some_and(|p| std::path::Path::new(p).exists()));
    assert_eq!(
        bench.server().video_counts().settlements,
        1,
        "the job settled once"
    );
    let rows = bench
        .library
        .payments_for(&format!("video:{}", job.id))
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, PaymentStatus::Settled);
}

/// The seller takes the job (holding its authorization) and the answer is lost, three times
/// over: the re-sends are refused as used and lost too. There is no job id to look up, and an
/// unpolled job is never charged, so the studio signs nothing new while the authorization can
/// still be collected; once it lapsed, confirming shows the price again, and the video is made
/// and paid once.
#[tokio::test]
async fn video_submit_answer_lost_waits_out_the_authorization_then_pays_once() {
    let window = Duration::from_secs(4);
    let bench = Bench::with(Duration::from_millis(300), window).await;
    let studio = bench.studio();
    let face = studio
        .enroll_portrait("Robo", &bench.photo(), false, |_| true)
        .await
        .unwrap();
    let quoted = studio
        .quote_video(&VideoRequest {
            face_asset_id: face.asset_id.clone(),
            prompt: PROMPT.into(),
            ..VideoRequest::default()
        })
        .await
        .unwrap();
    let mut rx = studio.subscribe_jobs();
    bench.arm(FaultRoute::VideoSubmit, Fault::DropAfterActing, 3);
    let signed_at = std::time::Instant::now();
    let e = studio.confirm_video(&quoted.id, false).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::PaymentUnresolved);
    assert_plain(
        &shown(&e).message,
        &["Confirming again re-sends the same one"],
    );
    let waiting = studio.video_job(&quoted.id).unwrap();
    assert_eq!(waiting.state, JobState::Submitting);
    assert_plain(
        waiting.error.as_deref().unwrap(),
        &["Confirming again re-sends the same one"],
    );
    assert_eq!(
        bench.server().video_counts().submitted,
        1,
        "the re-sends made no job"
    );

    // While it can still be collected, confirming again signs nothing new.
    let again = studio.confirm_video(&quoted.id, false).await.unwrap_err();
    assert_eq!(again.code(), ErrorCode::PaymentUnresolved, "{again}");
    assert_eq!(
        bench
            .library
            .payments_for(&format!("video:{}", quoted.id))
            .unwrap()
            .len(),
        1,
        "never re-signed while it can be collected"
    );

    tokio::time::sleep((window + Duration::from_secs(2)).saturating_sub(signed_at.elapsed())).await;
    let requoted = studio.confirm_video(&quoted.id, false).await.unwrap();
    assert_eq!(requoted.state, JobState::AwaitingConfirmation);
    assert!(requoted.quote.is_some(), "the price is shown again");
    assert_plain(
        requoted.error.as_deref().unwrap(),
        &["confirm to make the video"],
    );
    let queued = studio.confirm_video(&quoted.id, false).await.unwrap();
    assert_eq!(queued.state, JobState::Queued);
    let (job, _) = follow(&mut rx, &quoted.id, |j| j.state.is_final()).await;
    let stored = studio.video_job(&job.id).unwrap();
    assert_eq!(stored.state, JobState::Completed, "{:?}", stored.error);
    assert_eq!(stored.charged, Some(true));
    assert_eq!(
        bench.server().video_counts().submitted,
        2,
        "the lost one and the paid one"
    );
    assert_eq!(
        bench.server().video_counts().settlements,
        1,
        "the lost job was never charged"
    );
    let rows = bench
        .library
        .payments_for(&format!("video:{}", job.id))
        .unwrap();
    let statuses: Vec<PaymentStatus> = rows.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [PaymentStatus::NotCharged, PaymentStatus::Settled]
    );
    bench.assert_invariants(&[], &[&face.asset_id], 2);
}

/// A portrait's answer is lost after settling while the listing is out of budget; the
/// operator enrolls the same name and photo again (up to three times) and the portrait is
/// found in the wallet's portrait listing, paid once.
#[tokio::test]
async fn portrait_answer_lost_after_settling_is_found_on_a_retry_and_paid_once() {
    let bench = Bench::new().await;
    let studio = bench.studio();
    // Only the settling answer is lost: the price probe before it goes through.
    bench
        .server()
        .faults()
        .drop_connection_after_settle_once
        .store(true, std::sync::atomic::Ordering::SeqCst);
    bench.exhaust_listing_budget(Duration::from_secs(3));
    let e = studio
        .enroll_portrait("Robo", &bench.photo(), false, |_| true)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PaymentUnresolved);
    assert_plain(
        &shown(&e).message,
        &["Enroll the same name and photo again to re-send the same one"],
    );
    assert_eq!(bench.server().settlements(), 1);
    let mut presses = 1;
    let face = loop {
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        presses += 1;
        match studio
            .enroll_portrait("Robo", &bench.photo(), false, |_| {
                panic!("no new price while a payment is unresolved")
            })
            .await
        {
            Ok(face) => break face,
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::PaymentUnresolved, "{e}");
                assert!(presses < 4, "still not found after three retries: {e}");
            }
        }
    };
    eprintln!("portrait found after {presses} presses");
    let rows = bench.library.payments().unwrap();
    assert_eq!(rows.len(), 1, "never re-signed");
    assert_eq!(rows[0].status, PaymentStatus::Settled);
    assert_eq!(rows[0].asset_id.as_deref(), Some(face.asset_id.as_str()));
    bench.assert_invariants(&[], &[&face.asset_id], 1);
}

/// The poll that finds the video made settles it, and its answer is lost or spoiled; the watch
/// asks again after its back-off and the later poll says `already_settled`.
async fn completing_poll_spoiled(fault: Fault) -> Vec<String> {
    let bench = Bench::new().await;
    let studio = bench.studio();
    let mut rx = studio.subscribe_jobs();
    let (face, queued) = confirmed_job(&bench, &studio).await;
    // Armed before any poll ran (the test runtime is single-threaded and nothing was awaited
    // since the confirm), and the video is made at once: the poll that settles is spoiled.
    bench.server().faults().arm(FaultRoute::VideoPoll, fault, 1);
    bench.server().finish_videos_now();
    let (job, notices) = follow(&mut rx, &queued.id, |j| j.state.is_final()).await;
    assert_eq!(bench.server().faults().fired(FaultRoute::VideoPoll), 1);
    assert!(!notices.is_empty(), "the failed poll is shown on the job");
    for n in &notices {
        assert_plain(n, &["try again", "Try again", "asked again shortly"]);
    }
    assert_delivered_once(&bench, &studio, &job);
    bench.assert_invariants(&[], &[&face.asset_id], 2);
    notices
}

#[tokio::test]
async fn video_poll_dropped_after_settling_settles_once() {
    let notices = completing_poll_spoiled(Fault::DropAfterActing).await;
    assert!(
        notices[0].contains("Could not reach Rehearsal"),
        "{notices:?}"
    );
}

#[tokio::test]
async fn video_poll_malformed_after_settling_settles_once() {
    let notices = completing_poll_spoiled(Fault::MalformedJson).await;
    assert!(notices[0].contains("could not read"), "{notices:?}");
}

#[tokio::test]
async fn video_poll_5xx_burst_keeps_following_the_job() {
    let bench = Bench::new().await;
    let studio = bench.studio();
    let mut rx = studio.subscribe_jobs();
    let (face, queued) = confirmed_job(&bench, &studio).await;
    bench
        .server()
        .faults()
        .arm(FaultRoute::VideoPoll, Fault::ServerError { status: 503 }, 1);
    bench.server().faults().arm(
        FaultRoute::VideoPoll,
        Fault::RateLimited {
            retry_after_seconds: Some(1),
        },
        2,
    );
    bench.server().finish_videos_now();
    let (job, notices) = follow(&mut rx, &queued.id, |j| j.state.is_final()).await;
    assert_eq!(bench.server().faults().fired(FaultRoute::VideoPoll), 3);
    assert!(notices.iter().any(|n| n.contains("(503)")), "{notices:?}");
    assert!(
        notices
            .iter()
            .any(|n| n.contains("rate-limiting") && n.contains("Wait 1 second,")),
        "{notices:?}"
    );
    for n in &notices {
        assert_plain(n, &["asked again shortly", "then try again"]);
    }
    assert_delivered_once(&bench, &studio, &job);
    bench.assert_invariants(&[], &[&face.asset_id], 2);
}

// ------------------------------------------------------------------ Rehearsal restarting

#[tokio::test]
async fn rehearsal_restarting_while_awaiting_scan_keeps_the_session() {
    let mut bench = Bench::new().await;
    let studio = bench.studio();
    let view = bench.start_session(&studio).await;
    let id = view.session.id.clone();
    bench.stop().await;

    let e = studio.check_now(&id).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Network);
    assert_plain(&shown(&e).message, &["try again"]);
    assert_eq!(stored_state(&bench, &id), SessionState::AwaitingScan);

    bench.start().await;
    // The restarted Rehearsal still knows the group and its link: the talent scans the same QR.
    bench.verify(&studio, &view).await;
    let face = bench.enroll_and_pay(&studio, &id).await;
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

#[tokio::test]
async fn rehearsal_back_on_another_port_moves_the_waiting_qr_there() {
    let mut bench = Bench::new().await;
    let studio = bench.studio();
    let view = bench.start_session(&studio).await;
    let id = view.session.id.clone();
    let old_port = bench.port;
    bench.stop().await;
    drop(studio);

    // The next launch finds the port taken: Rehearsal listens on a free one, its state kept.
    let squatter = std::net::TcpListener::bind(("127.0.0.1", old_port)).unwrap();
    bench.port = 0;
    bench.start().await;
    let studio = bench.studio();
    let resumed = studio.resume_open_sessions().unwrap();
    assert_eq!(resumed.len(), 1);
    let link = resumed[0].session.h5_link.clone();
    assert_eq!(
        link,
        view.session.h5_link.replace(
            &format!("127.0.0.1:{old_port}/"),
            &format!("127.0.0.1:{}/", bench.port)
        ),
        "the QR names the new port, the tokens as issued"
    );
    assert!(resumed[0].qr_svg.is_some(), "a QR to scan");
    let fresh = Library::open(&bench.dir.path().join("likeness.sqlite3")).unwrap();
    assert_eq!(
        fresh.session(&id).unwrap().h5_link,
        link,
        "kept in the library"
    );

    // The talent's phone opens the page at the moved link and finishes there.
    let page = reqwest::get(&link).await.unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    bench.verify(&studio, &resumed[0]).await;
    let face = bench.enroll_and_pay(&studio, &id).await;
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
    drop(squatter);
}

#[tokio::test]
async fn rehearsal_restarting_after_verified_keeps_the_session_and_pays_once() {
    let mut bench = Bench::new().await;
    let studio = bench.studio();
    let mut rx = studio.subscribe();
    let id = bench.verified(&studio).await;
    bench.stop().await;

    let e = studio
        .enroll_session(&id, None, None, None)
        .await
        .unwrap_err();
    let words = shown(&e).message;
    assert_plain(&words, &["try again"]);
    assert_eq!(last_notice(&mut rx, &id).map(|n| n.message), Some(words));
    assert_eq!(stored_state(&bench, &id), SessionState::Verified);
    assert!(
        bench.library.payments().unwrap().is_empty(),
        "nothing signed"
    );

    bench.start().await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    // And once more between the price and Pay: the restarted server takes the payment.
    bench.stop().await;
    bench.start().await;
    let face = studio.confirm_payment(&id, false).await.unwrap();
    bench.assert_invariants(&[&id], &[&face.asset_id], 1);
}

#[tokio::test]
async fn rehearsal_restarting_during_video_polling_settles_the_job_once() {
    let mut bench = Bench::with_video_delay(Duration::from_secs(60)).await;
    let studio = bench.studio();
    let mut rx = studio.subscribe_jobs();
    let (face, queued) = confirmed_job(&bench, &studio).await;
    follow(&mut rx, &queued.id, |j| j.state == JobState::Queued).await;
    bench.stop().await;
    let (down, _) = follow(&mut rx, &queued.id, |j| j.notice.is_some()).await;
    let words = down.notice.unwrap();
    assert_plain(&words, &["try again"]);
    assert!(words.contains("Could not reach Rehearsal"), "{words}");
    assert!(down.state.at_provider(), "{:?}", down.state);
    assert_eq!(
        down.charge_note.as_deref(),
        Some("Nothing is charged until the video is delivered; a failed video costs nothing.")
    );

    bench.start().await;
    bench.server().finish_videos_now();
    let (job, _) = follow(&mut rx, &queued.id, |j| j.state.is_final()).await;
    assert_delivered_once(&bench, &studio, &job);
    bench.assert_invariants(&[], &[&face.asset_id], 2);
}
