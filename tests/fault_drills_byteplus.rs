//! Fault drills on the BytePlus providers (Anyfast and Crun, played by Rehearsal): the drills in
//! `fault_drills.rs` run on the x402 path; these break the calls that only these two make, where
//! the dangers differ. A BytedToken works once, so an answer lost after the provider read it
//! loses the group; the first photo is uploaded, not paid, and only Anyfast can list what was
//! uploaded. Each drill asserts that nothing is lost or uploaded twice behind the operator's
//! back, and that the words shown are plain and name the next step
//! ([`common::assert_plain`]).

mod common;

use std::sync::Arc;

use common::{assert_plain, PhotoHost, StartAgreed, TEST_API_KEY};
use likeness::error::{CommandError, Error, ErrorCode};
use likeness::flow::poll::PollPolicy;
use likeness::flow::{EnrollOutcome, SessionState, SessionView, Studio, StudioConfig};
use likeness::http::{self, TrustRoots};
use likeness::library::{Face, Library};
use likeness::providers::{anyfast, crun, Provider, ProviderKind};
use likeness::secrets::Secret;
use rehearsal::{Fault, FaultRoute, RehearsalServer};

struct Bench {
    kind: ProviderKind,
    photos: PhotoHost,
    rehearsal: RehearsalServer,
    library: Arc<Library>,
    studio: Arc<Studio>,
    _dir: tempfile::TempDir,
}

impl Bench {
    /// A studio on Rehearsal playing `kind` over the key rail, as the app builds it, with a
    /// SQLite library on disk. Automatic checks start a minute in: the drills' own checks are
    /// the only ones.
    async fn new(kind: ProviderKind) -> Bench {
        let photos = PhotoHost::start().await;
        let rehearsal = common::start_rehearsal_with(common::rehearsal_config(&photos)).await;
        let dir = tempfile::tempdir().unwrap();
        let library = Arc::new(Library::open(&dir.path().join("likeness.sqlite3")).unwrap());
        let http = http::client(&TrustRoots(vec![photos.root_cert_der()])).unwrap();
        let key = Some(Secret::new(TEST_API_KEY));
        let base = rehearsal.base_url();
        let provider = match kind {
            ProviderKind::Anyfast => Provider::Anyfast(anyfast::Client::new(
                ProviderKind::Rehearsal,
                base,
                http.clone(),
                key,
            )),
            _ => Provider::Crun(crun::Client::new(
                ProviderKind::Rehearsal,
                base.join("api/v1/client/job/").unwrap(),
                http.clone(),
                key,
                Some("en".into()),
            )),
        };
        let config = StudioConfig {
            policy: PollPolicy {
                budget_per_hour: 360,
                reserve: 3,
                min_interval_ms: 100,
                first_check_after_ms: 60_000,
            },
            ..StudioConfig::for_provider(&provider)
        };
        let studio = Studio::new(Arc::clone(&library), provider, http, config);
        Bench {
            kind,
            photos,
            rehearsal,
            library,
            studio,
            _dir: dir,
        }
    }

    fn name(&self) -> &'static str {
        if self.kind == ProviderKind::Anyfast {
            "Anyfast"
        } else {
            "Crun"
        }
    }

    async fn start_session(&self) -> SessionView {
        self.studio
            .start_agreed("Ada", Some(&self.photos.url("/face.jpg")), false)
            .await
            .unwrap()
    }

    /// The talent nods and blinks on the phone of `view`'s link.
    async fn phone_passes(&self, view: &SessionView) {
        let token = view.session.liveness_token.clone().expect("a BytedToken");
        self.rehearsal
            .complete_liveness_token(&token)
            .await
            .unwrap();
    }

    /// A session the talent has finished and the studio has seen verified.
    async fn verified(&self) -> String {
        let view = self.start_session().await;
        self.phone_passes(&view).await;
        let checked = self.studio.check_now(&view.session.id).await.unwrap();
        assert_eq!(checked.session.state, SessionState::Verified);
        view.session.id
    }

    /// Enroll on the key rail: the first photo is uploaded at once, no price asked.
    async fn enroll(&self, id: &str) -> Face {
        match self
            .studio
            .enroll_session(id, None, None, None)
            .await
            .unwrap()
        {
            EnrollOutcome::Enrolled { face } => *face,
            EnrollOutcome::PaymentRequired { .. } => panic!("the key rail never asks for a price"),
        }
    }

    fn state(&self, id: &str) -> SessionState {
        self.library.session(id).unwrap().state
    }

    fn arm(&self, route: FaultRoute, fault: Fault, times: u32) {
        self.rehearsal.faults().arm(route, fault, times);
    }

    fn assets_created(&self) -> u64 {
        self.rehearsal.byteplus_counts().assets_created
    }

    /// Invariant: the session and exactly `faces` are in the library file, read through a
    /// fresh connection, and no asset was filed twice.
    fn assert_kept(&self, session: &str, faces: &[&str]) {
        let fresh = Library::open(&self._dir.path().join("likeness.sqlite3")).unwrap();
        fresh
            .session(session)
            .unwrap_or_else(|e| panic!("session {session} lost: {e}"));
        let stored: Vec<String> = fresh
            .faces()
            .unwrap()
            .into_iter()
            .map(|f| f.asset_id)
            .collect();
        let mut want: Vec<String> = faces.iter().map(|s| s.to_string()).collect();
        let mut got = stored.clone();
        want.sort();
        got.sort();
        assert_eq!(got, want, "faces in the library");
    }
}

fn shown(e: &Error) -> CommandError {
    CommandError::from(e)
}

// ------------------------------------------------------------------ the first photo's upload

#[tokio::test]
async fn anyfast_upload_answer_lost_the_retry_finds_it_in_the_listing() {
    let bench = Bench::new(ProviderKind::Anyfast).await;
    let id = bench.verified().await;
    bench.arm(FaultRoute::Enroll, Fault::DropAfterActing, 1);

    let e = bench
        .studio
        .enroll_session(&id, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Network, "{e}");
    assert_plain(
        &shown(&e).message,
        &["sync the library before trying again"],
    );
    assert_eq!(bench.rehearsal.faults().fired(FaultRoute::Enroll), 1);
    assert_eq!(bench.assets_created(), 1, "Anyfast made the asset");
    assert_eq!(bench.state(&id), SessionState::Verified);

    // Enroll again: the tagged name is found in Anyfast's listing, nothing is uploaded twice.
    let face = bench.enroll(&id).await;
    assert_eq!(bench.assets_created(), 1, "no second upload");
    assert!(bench.rehearsal.byteplus_counts().asset_lists >= 1);
    assert_eq!(bench.state(&id), SessionState::Enrolled);
    bench.assert_kept(&id, &[&face.asset_id]);
}

#[tokio::test]
async fn crun_upload_answer_lost_says_to_check_crun_first_not_to_sync() {
    let bench = Bench::new(ProviderKind::Crun).await;
    let id = bench.verified().await;
    bench.arm(FaultRoute::Enroll, Fault::DropAfterActing, 1);

    let e = bench
        .studio
        .enroll_session(&id, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Network, "{e}");
    let words = shown(&e).message;
    // Crun keeps no list, so "sync the library" would send the operator to a button that
    // cannot find it.
    assert_plain(&words, &["check the asset in Crun's dashboard"]);
    assert!(!words.contains("sync"), "{words}");
    assert_eq!(bench.assets_created(), 1, "Crun made the asset");
    let session = bench.library.session(&id).unwrap();
    assert_eq!(session.state, SessionState::Verified);
    assert_eq!(
        bench.library.faces().unwrap().len(),
        0,
        "nothing filed unseen"
    );
    bench.assert_kept(&id, &[]);
}

#[tokio::test]
async fn upload_refused_with_a_server_error_uploads_once_on_the_retry() {
    for kind in [ProviderKind::Anyfast, ProviderKind::Crun] {
        let bench = Bench::new(kind).await;
        let id = bench.verified().await;
        bench.arm(FaultRoute::Enroll, Fault::ServerError { status: 503 }, 1);

        let e = bench
            .studio
            .enroll_session(&id, None, None, None)
            .await
            .unwrap_err();
        assert_plain(&shown(&e).message, &["try again", "Try again"]);
        assert_eq!(bench.assets_created(), 0, "{}: nothing made", bench.name());

        let face = bench.enroll(&id).await;
        assert_eq!(bench.assets_created(), 1, "{}: one upload", bench.name());
        bench.assert_kept(&id, &[&face.asset_id]);
    }
}

// ------------------------------------------------------------------ the result query

#[tokio::test]
async fn result_query_5xx_burst_keeps_the_session_waiting_and_the_token_unspent() {
    for kind in [ProviderKind::Anyfast, ProviderKind::Crun] {
        let bench = Bench::new(kind).await;
        let view = bench.start_session().await;
        let id = view.session.id.clone();
        bench.phone_passes(&view).await;
        bench.arm(FaultRoute::Status, Fault::ServerError { status: 502 }, 2);

        for _ in 0..2 {
            let e = bench.studio.check_now(&id).await.unwrap_err();
            assert_plain(&shown(&e).message, &["try again", "Try again"]);
            assert_eq!(
                bench.state(&id),
                SessionState::AwaitingScan,
                "{}: still waiting, the same QR",
                bench.name()
            );
        }
        // The refused queries never reached the token: the third one reads the group.
        let checked = bench.studio.check_now(&id).await.unwrap();
        assert_eq!(checked.session.state, SessionState::Verified);
        assert!(!checked.session.group_id.is_empty());
        let face = bench.enroll(&id).await;
        bench.assert_kept(&id, &[&face.asset_id]);
    }
}

#[tokio::test]
async fn result_answer_lost_after_the_token_was_read_asks_for_a_fresh_qr_and_recovers() {
    for kind in [ProviderKind::Anyfast, ProviderKind::Crun] {
        let bench = Bench::new(kind).await;
        let view = bench.start_session().await;
        let id = view.session.id.clone();
        bench.phone_passes(&view).await;
        // The provider reads the token (it works once) and the answer with the group is lost.
        bench.arm(FaultRoute::Status, Fault::DropAfterActing, 1);

        let e = bench.studio.check_now(&id).await.unwrap_err();
        assert_plain(&shown(&e).message, &["try again", "Try again"]);
        // Asking again is refused by the provider: the group went with the lost answer. The
        // operator is told to start the phone check over, not that anything broke.
        let again = bench.studio.check_now(&id).await;
        let words = match again {
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::SessionExpired, "{e}");
                shown(&e).message
            }
            Ok(v) => {
                v.notice
                    .unwrap_or_else(|| panic!("{}: no words for a spent token", bench.name()))
                    .message
            }
        };
        assert_plain(&words, &["fresh QR"]);
        assert_ne!(bench.state(&id), SessionState::Verified);

        // "Generate fresh QR": a new token, the talent scans again, and it enrolls once.
        let fresh = bench.studio.refresh_session(&id).await.unwrap();
        assert_ne!(fresh.session.liveness_token, view.session.liveness_token);
        assert_eq!(fresh.session.state, SessionState::AwaitingScan);
        bench.phone_passes(&fresh).await;
        let checked = bench.studio.check_now(&id).await.unwrap();
        assert_eq!(checked.session.state, SessionState::Verified);
        let face = bench.enroll(&id).await;
        assert_eq!(bench.assets_created(), 1, "{}", bench.name());
        bench.assert_kept(&id, &[&face.asset_id]);
    }
}
