//! The enrollment flow end to end against Rehearsal over loopback: the Studio driver, the
//! BlockRun client, the library and the photo checks, with a real HTTPS photo host.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{PhotoHost, StartAgreed, TEST_API_KEY};
use likeness::error::ErrorCode;
use likeness::flow::poll::PollPolicy;
use likeness::flow::{EnrollOutcome, SessionState, SessionView, Studio, StudioConfig};
use likeness::http::{self, TrustRoots};
use likeness::library::{CallKind, FaceKind, Library};
use likeness::providers::{blockrun, Provider, ProviderKind};
use likeness::secrets::Secret;
use rehearsal::{RehearsalServer, FACE_MISMATCH_MARKER};
use tokio::sync::broadcast;

struct Bench {
    photos: PhotoHost,
    rehearsal: RehearsalServer,
    library: Arc<Library>,
}

impl Bench {
    async fn new(ttl: Duration) -> Bench {
        let photos = PhotoHost::start().await;
        let mut config = common::rehearsal_config(&photos);
        config.session_ttl = ttl;
        let rehearsal = common::start_rehearsal_with(config).await;
        Bench {
            photos,
            rehearsal,
            library: Arc::new(Library::open_in_memory().unwrap()),
        }
    }

    /// A studio whose schedule is compressed so a test takes seconds, not minutes.
    fn studio(&self, window_ms: i64) -> Arc<Studio> {
        let http = http::client(&TrustRoots(vec![self.photos.root_cert_der()])).unwrap();
        let client = blockrun::Client::new(
            ProviderKind::Rehearsal,
            self.rehearsal.base_url(),
            http.clone(),
            Some(Secret::new(TEST_API_KEY)),
        );
        let provider = Provider::BlockRun(client);
        let config = StudioConfig {
            policy: PollPolicy {
                budget_per_hour: 20,
                reserve: 3,
                min_interval_ms: 200,
                // The talent's minute, compressed with the link's lifetime.
                first_check_after_ms: window_ms / 4,
            },
            ..StudioConfig::for_provider(&provider)
        };
        Studio::new(Arc::clone(&self.library), provider, http, config)
    }
}

/// The account rail enrolls at once, with no price to confirm.
fn enrolled(outcome: EnrollOutcome) -> likeness::library::Face {
    match outcome {
        EnrollOutcome::Enrolled { face } => *face,
        EnrollOutcome::PaymentRequired { .. } => {
            panic!("the API-key rail must not ask for a payment")
        }
    }
}

async fn until(
    rx: &mut broadcast::Receiver<SessionView>,
    id: &str,
    state: SessionState,
) -> SessionView {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let v = rx.recv().await.unwrap();
            if v.session.id == id && v.session.state == state {
                return v;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("session never reached {state:?}"))
}

#[tokio::test]
async fn a_session_from_start_to_library() {
    let bench = Bench::new(Duration::from_secs(120)).await;
    let studio = bench.studio(120_000);
    let view = studio
        .start_agreed(
            "  Ada Lovelace ",
            Some(&bench.photos.url("/face.jpg")),
            false,
        )
        .await
        .unwrap();
    let s = &view.session;
    assert_eq!(s.talent_name, "Ada Lovelace", "the name is trimmed");
    assert_eq!(s.state, SessionState::AwaitingScan);
    assert!(s.group_id.starts_with("legacy_rf_"), "{}", s.group_id);
    assert!(
        s.h5_link.contains("sessionToken=") && s.h5_link.contains('&'),
        "{}",
        s.h5_link
    );
    assert!(view.qr_svg.as_deref().is_some_and(|q| q.contains("<svg")));

    // Enroll before the phone check is refused by us, not sent.
    let e = studio
        .enroll_session(&s.id, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);

    bench
        .rehearsal
        .complete_liveness(&s.group_id)
        .await
        .unwrap();
    let checked = studio.check_now(&s.id).await.unwrap();
    assert_eq!(checked.session.state, SessionState::Verified);

    let face = enrolled(
        studio
            .enroll_session(&s.id, None, None, None)
            .await
            .unwrap(),
    );
    assert!(
        face.asset_id.starts_with("ta_") && face.asset_id.len() == 35,
        "{}",
        face.asset_id
    );
    assert_eq!(face.kind, FaceKind::RealFace);
    assert_eq!(face.group_id.as_deref(), Some(s.group_id.as_str()));
    assert!(face
        .thumbnail
        .as_deref()
        .is_some_and(|t| t.starts_with("data:image/jpeg;base64,")));
    assert_eq!(bench.library.faces().unwrap(), vec![face.clone()]);
    assert_eq!(
        bench.library.session(&s.id).unwrap().asset_id.as_deref(),
        Some(face.asset_id.as_str())
    );

    // Never twice.
    let e = studio
        .enroll_session(&s.id, None, None, None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("already enrolled"), "{e}");
    assert_eq!(bench.library.faces().unwrap().len(), 1);
}

#[tokio::test]
async fn automatic_polling_notices_the_phone_and_a_mismatch_can_retry_with_another_photo() {
    let bench = Bench::new(Duration::from_secs(120)).await;
    // A 3 s window: about 9 checks spread over it, 330 ms apart.
    let studio = bench.studio(3_000);
    let mut rx = studio.subscribe();
    let mismatch = bench.photos.url(&format!("/{FACE_MISMATCH_MARKER}.jpg"));
    let view = studio
        .start_agreed("Ada", Some(&mismatch), false)
        .await
        .unwrap();
    let id = view.session.id.clone();
    bench
        .rehearsal
        .complete_liveness(&view.session.group_id)
        .await
        .unwrap();
    until(&mut rx, &id, SessionState::Verified).await;

    let e = studio
        .enroll_session(&id, None, None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::FaceMismatch);
    assert!(e.to_string().contains("Nothing was charged"), "{e}");
    assert_eq!(
        bench.library.session(&id).unwrap().state,
        SessionState::Verified,
        "retry stays possible"
    );
    assert!(bench.library.faces().unwrap().is_empty());

    let face = enrolled(
        studio
            .enroll_session(&id, None, Some(&bench.photos.url("/face.png")), None)
            .await
            .unwrap(),
    );
    assert!(face.image_url.ends_with("/face.png"));
}

#[tokio::test]
async fn an_expired_link_offers_a_fresh_qr_on_the_same_group() {
    let bench = Bench::new(Duration::from_secs(2)).await;
    let studio = bench.studio(2_000);
    let mut rx = studio.subscribe();
    let view = studio
        .start_agreed("Ada", Some(&bench.photos.url("/face.jpg")), false)
        .await
        .unwrap();
    let id = view.session.id.clone();
    let expired = until(&mut rx, &id, SessionState::Expired).await;
    assert!(expired.qr_svg.is_none());

    let fresh = studio.refresh_session(&id).await.unwrap();
    assert_eq!(fresh.session.state, SessionState::AwaitingScan);
    assert_eq!(
        fresh.session.group_id, view.session.group_id,
        "the refresh path keeps the group"
    );
    assert_ne!(fresh.session.h5_link, view.session.h5_link);
    bench
        .rehearsal
        .complete_liveness(&fresh.session.group_id)
        .await
        .unwrap();
    until(&mut rx, &id, SessionState::Verified).await;
}

#[tokio::test]
async fn a_restarted_studio_resumes_the_waiting_session() {
    let bench = Bench::new(Duration::from_secs(120)).await;
    let first = bench.studio(3_000);
    let view = first
        .start_agreed("Ada", Some(&bench.photos.url("/face.jpg")), false)
        .await
        .unwrap();
    first.stop();
    drop(first);

    let second = bench.studio(3_000);
    let mut rx = second.subscribe();
    let resumed = second.resume_open_sessions().unwrap();
    assert_eq!(resumed.len(), 1);
    assert_eq!(resumed[0].session.group_id, view.session.group_id);
    bench
        .rehearsal
        .complete_liveness(&view.session.group_id)
        .await
        .unwrap();
    until(&mut rx, &view.session.id, SessionState::Verified).await;
}

#[tokio::test]
async fn bad_photos_are_refused_before_any_provider_call() {
    let bench = Bench::new(Duration::from_secs(120)).await;
    let studio = bench.studio(120_000);
    for (path, needle) in [
        ("/missing.jpg", "404"),
        ("/not-an-image.jpg", "not a JPG, PNG or WEBP"),
        ("/huge.jpg", "10 MB"),
        ("/huge-chunked.jpg", "10 MB"),
        ("/face.gif", "JPG, PNG or WEBP photos only"),
        ("/truncated.jpg", "damaged"),
    ] {
        let e = studio
            .start_agreed("Ada", Some(&bench.photos.url(path)), false)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{path}: {e}");
        assert!(e.to_string().contains(needle), "{path}: {e}");
    }
    let e = studio
        .start_agreed("Ada", Some("http://localhost/face.jpg"), false)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("https://"), "{e}");
    let e = studio
        .start_agreed(&"é".repeat(65), Some(&bench.photos.url("/face.jpg")), false)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at most 64"), "{e}");
    assert!(studio
        .start_agreed(&"é".repeat(64), Some(&bench.photos.url("/face.jpg")), false)
        .await
        .is_ok());
    let now_ms = likeness::clock::Clock::new().now_ms();
    let inits = bench
        .library
        .calls_in_last_hour(&studio.provider().budget_key(), CallKind::Init, now_ms)
        .unwrap();
    assert_eq!(inits.len(), 1, "only the valid form reached the provider");
}

#[tokio::test]
async fn a_virtual_portrait_needs_no_liveness() {
    let bench = Bench::new(Duration::from_secs(120)).await;
    let studio = bench.studio(120_000);
    let face = studio
        .enroll_portrait("Robo Host", &bench.photos.url("/face.webp"), false, |_| {
            false
        })
        .await
        .unwrap();
    assert_eq!(face.kind, FaceKind::Portrait);
    assert!(face.asset_id.starts_with("ta_"));
    assert_eq!(bench.library.faces().unwrap().len(), 1);
}

#[tokio::test]
async fn a_failed_face_check_blocks_until_the_operator_overrides_it_and_is_recorded() {
    let bench = Bench::new(Duration::from_secs(120)).await;
    let studio = bench.studio(120_000);
    let two = bench.photos.url("/two-faces.jpg");
    let e = studio
        .start_agreed("Ada", Some(&two), false)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    assert!(e.to_string().contains("Use this photo anyway"), "{e}");
    assert_eq!(
        bench.rehearsal.call_counts().inits,
        0,
        "a refused photo never reaches the provider"
    );

    let mut rx = studio.subscribe();
    let view = studio.start_agreed("Ada", Some(&two), true).await.unwrap();
    assert_eq!(view.session.photo_override.as_deref(), Some("face_count"));
    bench
        .rehearsal
        .complete_liveness(&view.session.group_id)
        .await
        .unwrap();
    studio.check_now(&view.session.id).await.unwrap();
    until(&mut rx, &view.session.id, SessionState::Verified).await;
    let face = enrolled(
        studio
            .enroll_session(&view.session.id, None, None, None)
            .await
            .unwrap(),
    );
    assert_eq!(
        face.photo_override.as_deref(),
        Some("face_count"),
        "the override is on the face's record"
    );
    assert_eq!(
        bench.library.faces().unwrap()[0].photo_override.as_deref(),
        Some("face_count")
    );

    // A portrait with the same photo is refused too, and goes through only when overridden.
    let e = studio
        .enroll_portrait("Duo", &two, false, |_| false)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("face"), "{e}");
    let portrait = studio
        .enroll_portrait("Duo", &two, true, |_| false)
        .await
        .unwrap();
    assert_eq!(portrait.photo_override.as_deref(), Some("face_count"));
}
