//! The two `ta_…` providers end to end against Rehearsal's personalities: JarvisClaw in both of
//! its documented shapes, BlockRun's library sync, and the hourly budgets held over a studio
//! hour of back-to-back and side-by-side enrollments, counted by Rehearsal itself.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{PhotoHost, StartAgreed, TEST_API_KEY};
use likeness::error::ErrorCode;
use likeness::flow::poll::PollPolicy;
use likeness::flow::{EnrollOutcome, SessionState, SessionView, Studio, StudioConfig};
use likeness::http::{self, TrustRoots};
use likeness::library::{FaceKind, Library};
use likeness::providers::{blockrun, jarvisclaw, Provider, ProviderKind};
use likeness::secrets::Secret;
use provider_api::JarvisClawShape;
use rehearsal::RehearsalServer;
use tokio::sync::broadcast;

struct Bench {
    photos: PhotoHost,
    rehearsal: RehearsalServer,
    library: Arc<Library>,
}

/// A compressed studio hour: links live `ttl`, the first check comes a quarter in.
fn policy(ttl: Duration) -> PollPolicy {
    PollPolicy {
        budget_per_hour: 20,
        reserve: 3,
        min_interval_ms: 100,
        first_check_after_ms: ttl.as_millis() as i64 / 4,
    }
}

impl Bench {
    async fn new(ttl: Duration, shape: JarvisClawShape) -> Bench {
        let photos = PhotoHost::start().await;
        let mut config = common::rehearsal_config(&photos);
        config.session_ttl = ttl;
        config.jarvisclaw_shape = shape;
        let rehearsal = common::start_rehearsal_with(config).await;
        Bench {
            photos,
            rehearsal,
            library: Arc::new(Library::open_in_memory().unwrap()),
        }
    }

    fn studio(&self, provider: Provider, ttl: Duration) -> Arc<Studio> {
        let http = self.http();
        let config = StudioConfig {
            policy: policy(ttl),
            ..StudioConfig::for_provider(&provider)
        };
        Studio::new(Arc::clone(&self.library), provider, http, config)
    }

    fn http(&self) -> reqwest::Client {
        http::client(&TrustRoots(vec![self.photos.root_cert_der()])).unwrap()
    }

    fn jarvisclaw(&self, ttl: Duration) -> Arc<Studio> {
        let client = jarvisclaw::Client::new(
            ProviderKind::Rehearsal,
            self.rehearsal.base_url(),
            self.http(),
            Some(Secret::new(TEST_API_KEY)),
            Some("https://studio.example/thanks".into()),
        );
        self.studio(Provider::JarvisClaw(client), ttl)
    }

    /// JarvisClaw paid from the studio wallet (x402), no key.
    fn jarvisclaw_x402(&self, ttl: Duration) -> Arc<Studio> {
        let client = jarvisclaw::Client::new(
            ProviderKind::Rehearsal,
            self.rehearsal.base_url(),
            self.http(),
            None,
            None,
        );
        let provider = Provider::JarvisClaw(client);
        let config = StudioConfig {
            policy: policy(ttl),
            wallet: Some(
                "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
                    .parse()
                    .unwrap(),
            ),
            ..StudioConfig::for_provider(&provider)
        };
        Studio::new(Arc::clone(&self.library), provider, self.http(), config)
    }

    fn blockrun(&self, ttl: Duration) -> Arc<Studio> {
        let client = blockrun::Client::new(
            ProviderKind::Rehearsal,
            self.rehearsal.base_url(),
            self.http(),
            Some(Secret::new(TEST_API_KEY)),
        );
        self.studio(Provider::BlockRun(client), ttl)
    }
}

async fn until(
    rx: &mut broadcast::Receiver<SessionView>,
    id: &str,
    state: SessionState,
) -> SessionView {
    loop {
        let v = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .unwrap_or_else(|_| panic!("{id} never reached {state:?}"))
            .unwrap();
        if v.session.id == id && v.session.state == state {
            return v;
        }
    }
}

fn enrolled(outcome: EnrollOutcome) -> likeness::library::Face {
    match outcome {
        EnrollOutcome::Enrolled { face } => *face,
        EnrollOutcome::PaymentRequired { .. } => panic!("the key rail never asks for a price"),
    }
}

async fn jarvisclaw_enrolls_in(shape: JarvisClawShape) {
    let ttl = Duration::from_secs(4);
    let bench = Bench::new(ttl, shape).await;
    let studio = bench.jarvisclaw(ttl);
    let mut rx = studio.subscribe();
    let view = studio
        .start_agreed("Ada", Some(&bench.photos.url("/face.jpg")), false)
        .await
        .unwrap();
    let group = view.session.group_id.clone();
    match shape {
        JarvisClawShape::Seed => assert!(group.starts_with("grp_"), "{group}"),
        JarvisClawShape::Live => assert!(group.starts_with("legacy_rf_"), "{group}"),
    }
    assert!(
        view.session.h5_link.contains("sessionToken=") && view.session.h5_link.contains('&'),
        "the QR carries the provider's link as given: {}",
        view.session.h5_link
    );
    let left = view.session.expires_at_ms - view.session.link_issued_at_ms;
    assert!((3_000..=4_000).contains(&left), "link lifetime {left} ms");
    let rehearsal_group = group.replace("grp_", "legacy_rf_");
    bench
        .rehearsal
        .complete_liveness(&rehearsal_group)
        .await
        .unwrap();
    until(&mut rx, &view.session.id, SessionState::Verified).await;
    // Seed 001: the enroll name "must match init name". Another name is refused before
    // anything is sent, in words that say the way out; the same name (as typed) goes through.
    let renamed = studio
        .enroll_session(&view.session.id, Some("Grace"), None, None)
        .await
        .unwrap_err();
    assert_eq!(renamed.code(), ErrorCode::InvalidInput, "{renamed}");
    assert_eq!(renamed.field(), Some("name"));
    let text = renamed.to_string();
    assert!(
        text.contains("the name given when the QR was made (\"Ada\")")
            && text.contains("Start a new session"),
        "{text}"
    );
    let face = enrolled(
        studio
            .enroll_session(&view.session.id, Some(" Ada "), None, None)
            .await
            .unwrap(),
    );
    assert_eq!(face.name, "Ada");
    assert!(face.asset_id.starts_with("ta_"), "{}", face.asset_id);
    assert_eq!(face.kind, FaceKind::RealFace);
    assert_eq!(face.group_id.as_deref(), Some(group.as_str()));

    let portrait = studio
        .enroll_portrait("Robo Host", &bench.photos.url("/face.webp"), false, |_| {
            false
        })
        .await
        .unwrap();
    assert_eq!(portrait.kind, FaceKind::Portrait);
    assert!(portrait.asset_id.starts_with("ta_"));
}

#[tokio::test]
async fn jarvisclaw_live_shape_enrolls_end_to_end() {
    jarvisclaw_enrolls_in(JarvisClawShape::Live).await;
}

#[tokio::test]
async fn jarvisclaw_seed_shape_enrolls_end_to_end() {
    jarvisclaw_enrolls_in(JarvisClawShape::Seed).await;
}

#[tokio::test]
async fn jarvisclaw_expired_link_gets_a_fresh_qr_from_a_new_init() {
    for shape in [JarvisClawShape::Seed, JarvisClawShape::Live] {
        let ttl = Duration::from_millis(1_200);
        let bench = Bench::new(ttl, shape).await;
        let studio = bench.jarvisclaw(ttl);
        let mut rx = studio.subscribe();
        let view = studio.start_agreed("Ada", None, false).await.unwrap();
        let expired = until(&mut rx, &view.session.id, SessionState::Expired).await;
        assert!(expired.qr_svg.is_none());
        let fresh = studio.refresh_session(&view.session.id).await.unwrap();
        assert_eq!(fresh.session.state, SessionState::AwaitingScan);
        assert_ne!(
            fresh.session.group_id, view.session.group_id,
            "no refresh on JarvisClaw: a new init, a new group ({shape:?})"
        );
        assert_eq!(
            bench.rehearsal.call_counts().inits,
            2,
            "both links were new groups"
        );
        bench
            .rehearsal
            .complete_liveness(&fresh.session.group_id.replace("grp_", "legacy_rf_"))
            .await
            .unwrap();
        until(&mut rx, &view.session.id, SessionState::Verified).await;
    }
}

#[tokio::test]
async fn jarvisclaw_guidance_follows_the_doc_error_table() {
    let ttl = Duration::from_secs(10);
    let bench = Bench::new(ttl, JarvisClawShape::Seed).await;
    let studio = bench.jarvisclaw(ttl);
    // 425 liveness_incomplete, asked for on purpose: the operator's Enroll is refused while
    // the talent has not finished, and nothing is charged.
    let view = studio
        .start_agreed("Ada", Some(&bench.photos.url("/face.jpg")), false)
        .await
        .unwrap();
    let provider = studio.provider();
    let e = provider
        .enroll(
            "Ada",
            &bench.photos.url("/face.jpg"),
            &view.session.group_id,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotReady, "{e}");
    assert!(e.to_string().contains("Nothing was charged"), "{e}");
    // 404 group_not_found
    let e = provider
        .enroll("Ada", &bench.photos.url("/face.jpg"), "grp_999999", None)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("does not know this liveness session"),
        "{e}"
    );
    // 400 invalid_image_url
    let e = provider
        .enroll_portrait("Ada", &bench.photos.url("/missing.jpg"), None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("public https:// link"), "{e}");
    // 422 face_match_failed
    bench
        .rehearsal
        .complete_liveness(&view.session.group_id.replace("grp_", "legacy_rf_"))
        .await
        .unwrap();
    let mismatch = bench
        .photos
        .url(&format!("/{}.jpg", rehearsal::FACE_MISMATCH_MARKER));
    let e = provider
        .enroll("Ada", &mismatch, &view.session.group_id, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::FaceMismatch, "{e}");
}

#[tokio::test]
async fn jarvisclaw_session_expired_on_enroll_is_read_from_its_status_alone() {
    let ttl = Duration::from_millis(800);
    let bench = Bench::new(ttl, JarvisClawShape::Live).await;
    let studio = bench.jarvisclaw(ttl);
    let view = studio.start_agreed("Ada", None, false).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let e = studio
        .provider()
        .enroll(
            "Ada",
            &bench.photos.url("/face.jpg"),
            &view.session.group_id,
            None,
        )
        .await
        .unwrap_err();
    // Rehearsal names no code (the doc shows no body): the 400 alone says uncharged, and the
    // words give both ways out, quoting the server's own.
    assert_eq!(e.code(), ErrorCode::ProviderRefused, "{e}");
    let text = e.to_string();
    assert!(text.contains("Nothing was charged"), "{text}");
    assert!(text.contains("fresh QR"), "{text}");
    assert!(text.contains("Liveness session expired"), "{text}");
}

#[tokio::test]
async fn a_studio_hour_of_ten_back_to_back_enrollments_stays_within_the_limits() {
    // The hour compressed: 3 s links, the first check at 0.75 s. Rehearsal counts every call
    // in one real hour window, so staying under its limits here is the real constraint.
    let ttl = Duration::from_secs(3);
    let bench = Bench::new(ttl, JarvisClawShape::Live).await;
    let studio = bench.blockrun(ttl);
    let mut rx = studio.subscribe();
    for k in 0..10u64 {
        let view = studio
            .start_agreed(
                &format!("Talent {k}"),
                Some(&bench.photos.url("/face.jpg")),
                false,
            )
            .await
            .unwrap();
        // Talents take between half the first wait and most of the link to finish.
        let finishes_after = Duration::from_millis([400, 1_000, 1_700, 2_400][(k % 4) as usize]);
        tokio::time::sleep(finishes_after).await;
        bench
            .rehearsal
            .complete_liveness(&view.session.group_id)
            .await
            .unwrap();
        until(&mut rx, &view.session.id, SessionState::Verified).await;
        enrolled(
            studio
                .enroll_session(&view.session.id, None, None, None)
                .await
                .unwrap(),
        );
    }
    let counts = bench.rehearsal.call_counts();
    assert_eq!(counts.rate_limited, 0, "{counts:?}");
    assert_eq!(counts.inits, 10, "{counts:?}");
    assert!(
        counts.lookups <= 17,
        "the reserve stays for check now: {counts:?}"
    );
    assert_eq!(bench.library.faces().unwrap().len(), 10);
    let budget = studio.call_budget().unwrap();
    assert_eq!(budget.new_links_left, 0);
    assert!(budget.new_links_free_at_ms.is_some(), "{budget:?}");
    assert_eq!(u64::from(budget.status_checks_left), 20 - counts.lookups);
    // The eleventh link of the hour is refused here, not by the provider.
    let e = studio
        .start_agreed("Eleven", None, false)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::RateLimited, "{e}");
    assert_eq!(bench.rehearsal.call_counts().inits, 10);
}

#[tokio::test]
async fn two_talents_side_by_side_share_one_budget() {
    let ttl = Duration::from_secs(3);
    let bench = Bench::new(ttl, JarvisClawShape::Live).await;
    let studio = bench.blockrun(ttl);
    let mut rx = studio.subscribe();
    let a = studio.start_agreed("Ada", None, false).await.unwrap();
    let b = studio.start_agreed("Grace", None, false).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    bench
        .rehearsal
        .complete_liveness(&a.session.group_id)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    bench
        .rehearsal
        .complete_liveness(&b.session.group_id)
        .await
        .unwrap();
    let mut seen = std::collections::HashSet::new();
    while seen.len() < 2 {
        let v = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("both talents verified")
            .unwrap();
        if v.session.state == SessionState::Verified {
            seen.insert(v.session.id.clone());
        }
    }
    let counts = bench.rehearsal.call_counts();
    let budget = studio.call_budget().unwrap();
    assert_eq!(
        u64::from(20 - budget.status_checks_left),
        counts.lookups,
        "both sessions draw on one budget, as Rehearsal counted"
    );
    assert_eq!(budget.new_links_left, 8);
}

#[tokio::test]
async fn library_sync_merges_the_wallet_listing_by_asset_id() {
    let ttl = Duration::from_secs(10);
    let bench = Bench::new(ttl, JarvisClawShape::Live).await;
    let studio = bench.blockrun(ttl);
    // Enrolled here: the library has its thumbnail.
    let portrait = studio
        .enroll_portrait("Robo Host", &bench.photos.url("/face.webp"), false, |_| {
            false
        })
        .await
        .unwrap();
    assert!(portrait.thumbnail.is_some());
    // Enrolled elsewhere (another studio machine on the same account): straight through the
    // provider, so this library never saw it.
    let remote = studio
        .provider()
        .enroll_portrait("Cyber Knight", &bench.photos.url("/face.png"), None)
        .await
        .unwrap();
    let likeness::providers::Paid::Done(remote) = remote else {
        panic!("key rail")
    };
    let owner = bench.rehearsal.key_owner().to_string();
    let report = studio.sync_faces(Some(&owner)).await.unwrap();
    assert_eq!(report.conflicts, 0);
    let faces = bench.library.faces().unwrap();
    assert_eq!(faces.len(), 2, "{faces:?}");
    let synced = faces
        .iter()
        .find(|f| f.asset_id == remote.asset_id)
        .unwrap();
    assert_eq!(synced.name, "Cyber Knight");
    assert_eq!(synced.kind, FaceKind::Portrait);
    let mine = faces
        .iter()
        .find(|f| f.asset_id == portrait.asset_id)
        .unwrap();
    assert_eq!(mine.thumbnail, portrait.thumbnail, "local thumbnail kept");
    // A second sync adds nothing and duplicates nothing.
    let again = studio.sync_faces(Some(&owner)).await.unwrap();
    assert_eq!((again.added, again.updated), (0, 0), "{again:?}");
    assert_eq!(again.unchanged, 2);
    assert_eq!(bench.library.faces().unwrap().len(), 2);
    // The two listing calls came out of the status budget.
    assert_eq!(bench.rehearsal.call_counts().lookups, 4);
    assert_eq!(studio.call_budget().unwrap().status_checks_left, 16);
}

/// JarvisClaw on x402 has no wallet listing: when the answer to a settled enrollment is lost, the
/// group's status (`asset_count`, the live API's BlockRun shape) says it was enrolled. The payment
/// is recorded as settled and the operator told the id went with the answer; the operator's
/// later presses (up to three) never sign a second payment.
#[tokio::test]
async fn jarvisclaw_lost_answer_is_known_paid_by_the_group_count_and_never_paid_again() {
    let ttl = Duration::from_secs(30);
    let bench = Bench::new(ttl, JarvisClawShape::Live).await;
    let studio = bench.jarvisclaw_x402(ttl);
    let photo = bench.photos.url("/face.jpg?rehearsal-lost-answer");
    let view = studio
        .start_agreed("Ada", Some(&photo), false)
        .await
        .unwrap();
    let id = view.session.id.clone();
    bench
        .rehearsal
        .complete_liveness(&view.session.group_id)
        .await
        .unwrap();
    studio.check_now(&id).await.unwrap();
    match studio.enroll_session(&id, None, None, None).await.unwrap() {
        EnrollOutcome::PaymentRequired { .. } => {}
        EnrollOutcome::Enrolled { .. } => panic!("x402 shows the price first"),
    }
    let e = studio.confirm_payment(&id, false).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::PaymentUnresolved, "{e}");
    let words = e.to_string();
    assert!(words.contains("the payment went through"), "{words}");
    assert!(words.contains("Nothing more will be signed"), "{words}");
    assert_eq!(bench.rehearsal.settlements(), 1);
    for _ in 0..3 {
        let again = studio
            .enroll_session(&id, None, None, None)
            .await
            .unwrap_err();
        assert_eq!(again.code(), ErrorCode::PaymentUnresolved, "{again}");
    }
    let rows = bench.library.payments().unwrap();
    assert_eq!(rows.len(), 1, "never signed again: {rows:?}");
    assert_eq!(rows[0].status, likeness::library::PaymentStatus::Settled);
    assert_eq!(bench.rehearsal.settlements(), 1);
}

/// A JarvisClaw portrait has nothing to look it up in (no listing, no group): a lost answer can
/// never be proven uncharged, so the payment stays signed for good and is never signed again;
/// the operator's retries re-send the same one (refused as used) and hear the way out.
#[tokio::test]
async fn jarvisclaw_portrait_lost_answer_is_never_signed_again() {
    let ttl = Duration::from_secs(30);
    let bench = Bench::new(ttl, JarvisClawShape::Live).await;
    let studio = bench.jarvisclaw_x402(ttl);
    let photo = bench.photos.url("/face.jpg?rehearsal-lost-answer");
    for press in 0..3 {
        let e = studio
            .enroll_portrait("Robo", &photo, false, |_| press == 0)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::PaymentUnresolved, "{e}");
        let words = e.to_string();
        assert!(words.contains("keeps no list"), "{words}");
        assert!(words.contains("under another name"), "{words}");
    }
    let rows = bench.library.payments().unwrap();
    assert_eq!(rows.len(), 1, "signed once: {rows:?}");
    assert_eq!(rows[0].status, likeness::library::PaymentStatus::Signed);
    assert_eq!(bench.rehearsal.settlements(), 1);
}
