//! Anyfast and Crun end to end against Rehearsal's personalities: a session asked about by its
//! BytedToken only on the phone's return through the LAN callback receiver or the operator's
//! word (the token works once, so no timer reads it), the group kept the moment it arrives, the first photo uploaded at Enroll and watched until
//! active, then a video, a voice clip and a mismatched photo added to the same person without a
//! new phone check.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{PhotoHost, StartAgreed, TEST_API_KEY};
use likeness::error::ErrorCode;
use likeness::flow::poll::PollPolicy;
use likeness::flow::{EnrollOutcome, SessionState, SessionView, Studio, StudioConfig};
use likeness::http::{self, TrustRoots};
use likeness::library::{Face, FaceKind, Library};
use likeness::media::AssetType;
use likeness::providers::{anyfast, crun, AssetStatus, Provider, ProviderKind};
use likeness::secrets::Secret;
use rehearsal::RehearsalServer;
use tokio::sync::broadcast;

const TTL: Duration = Duration::from_secs(20);

struct Bench {
    photos: PhotoHost,
    rehearsal: RehearsalServer,
    library: Arc<Library>,
}

impl Bench {
    async fn new() -> Bench {
        let photos = PhotoHost::start().await;
        let mut config = common::rehearsal_config(&photos);
        config.session_ttl = TTL;
        config.asset_processing_delay = Duration::from_millis(300);
        let rehearsal = common::start_rehearsal_with(config).await;
        Bench {
            photos,
            rehearsal,
            library: Arc::new(Library::open_in_memory().unwrap()),
        }
    }

    fn http(&self) -> reqwest::Client {
        http::client(&TrustRoots(vec![self.photos.root_cert_der()])).unwrap()
    }

    fn provider(&self, kind: ProviderKind) -> Provider {
        let key = Some(Secret::new(TEST_API_KEY));
        let base = self.rehearsal.base_url();
        match kind {
            ProviderKind::Anyfast => Provider::Anyfast(anyfast::Client::new(
                ProviderKind::Rehearsal,
                base,
                self.http(),
                key,
            )),
            _ => Provider::Crun(crun::Client::new(
                ProviderKind::Rehearsal,
                base.join("api/v1/client/job/").unwrap(),
                self.http(),
                key,
                Some("en".into()),
            )),
        }
    }

    /// A studio whose first scheduled check is far away, so only the callback can be quick.
    async fn studio(&self, kind: ProviderKind) -> Arc<Studio> {
        let provider = self.provider(kind);
        let config = StudioConfig {
            policy: PollPolicy {
                budget_per_hour: 360,
                reserve: 3,
                min_interval_ms: 100,
                first_check_after_ms: 15_000,
            },
            ..StudioConfig::for_provider(&provider)
        };
        let studio = Studio::new(Arc::clone(&self.library), provider, self.http(), config);
        studio
            .serve_callbacks("127.0.0.1:0".parse().unwrap(), "127.0.0.1")
            .await
            .unwrap();
        studio
    }
}

async fn until(
    rx: &mut broadcast::Receiver<SessionView>,
    id: &str,
    state: SessionState,
    within: Duration,
) -> SessionView {
    loop {
        let v = tokio::time::timeout(within, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("{id} did not reach {state:?} within {within:?}"))
            .unwrap();
        if v.session.id == id && v.session.state == state {
            return v;
        }
    }
}

async fn settled(rx: &mut broadcast::Receiver<Face>, asset_id: &str) -> Face {
    loop {
        let f = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .unwrap_or_else(|_| panic!("{asset_id} never left processing"))
            .unwrap();
        if f.asset_id == asset_id && f.status != AssetStatus::Processing {
            return f;
        }
    }
}

/// What the talent's phone does: the H5 steps, then the redirect to the callback address.
async fn phone_finishes(bench: &Bench, view: &SessionView, passed: bool) -> String {
    let token = view.session.liveness_token.clone().expect("a BytedToken");
    if passed {
        bench
            .rehearsal
            .complete_liveness_token(&token)
            .await
            .unwrap();
    } else {
        bench.rehearsal.fail_liveness_token(&token).await.unwrap();
    }
    let session: serde_json::Value = reqwest::get(format!(
        "{}h5/api/session?sessionToken={token}",
        bench.rehearsal.base_url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let redirect = session["callback_redirect"]
        .as_str()
        .unwrap_or_else(|| panic!("Rehearsal sends the phone back: {session}"))
        .to_string();
    assert!(
        redirect.contains(&format!("bytedToken={token}")),
        "{redirect}"
    );
    let page = reqwest::get(&redirect).await.unwrap();
    assert!(page.status().is_success(), "{redirect}");
    page.text().await.unwrap()
}

async fn enrolls_a_person_and_collects_assets(kind: ProviderKind) {
    let bench = Bench::new().await;
    let studio = bench.studio(kind).await;
    let mut rx = studio.subscribe();
    let mut assets = studio.subscribe_assets();

    let view = studio
        .start_agreed("Ada", Some(&bench.photos.url("/face.jpg")), false)
        .await
        .unwrap();
    assert_eq!(view.session.group_id, "", "no group before the phone check");
    let budget = view.budget.clone().unwrap();
    assert_eq!(
        (budget.new_links_per_hour, budget.status_checks_per_hour),
        (60, 360),
        "the BytePlus API's own budget, counted apart from BlockRun's on the same host"
    );
    assert!(budget.host.ends_with(if kind == ProviderKind::Anyfast {
        "#anyfast"
    } else {
        "#crun"
    }));
    let token = view.session.liveness_token.clone().unwrap();
    assert!(
        view.session.h5_link.contains(&token),
        "{}",
        view.session.h5_link
    );
    assert!(!view.session.h5_link.contains("\\u0026"));
    if kind == ProviderKind::Crun {
        assert!(
            view.session.h5_link.ends_with("lng=en") && !view.session.h5_link.contains("lng=zh"),
            "Crun's page in English: {}",
            view.session.h5_link
        );
    }

    let started = std::time::Instant::now();
    let page = phone_finishes(&bench, &view, true).await;
    assert!(page.contains("hand the phone back"), "{page}");
    let verified = until(
        &mut rx,
        &view.session.id,
        SessionState::Verified,
        Duration::from_secs(5),
    )
    .await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "the callback, not the 15 s schedule, found it ({took:?})"
    );
    let group = verified.session.group_id.clone();
    assert!(group.starts_with("group-"), "{group}");
    assert_eq!(
        bench.library.session(&view.session.id).unwrap().group_id,
        group,
        "the group is on disk the moment it arrived"
    );
    // The token worked once: asking again is refused, so the saved group is the only copy.
    let again = studio
        .provider()
        .session_status("", Some(&token))
        .await
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::SessionExpired, "{again}");

    let EnrollOutcome::Enrolled { face } = studio
        .enroll_session(&view.session.id, None, None, None)
        .await
        .unwrap()
    else {
        panic!("the key rail never asks for a price");
    };
    assert_eq!(face.kind, FaceKind::Asset);
    assert_eq!(face.status, AssetStatus::Processing);
    assert!(face.asset_id.starts_with("asset-"), "{}", face.asset_id);
    assert!(face.thumbnail.is_some(), "the photo's preview is kept");
    let first = settled(&mut assets, &face.asset_id).await;
    assert_eq!(first.status, AssetStatus::Active, "{first:?}");

    // More of the same person, without a new phone check.
    let video = studio
        .add_asset(
            &group,
            AssetType::Video,
            &bench.photos.url("/media/talent-3s.mp4"),
            None,
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        (video.name.as_str(), video.asset_type),
        ("Ada", AssetType::Video)
    );
    assert_eq!(
        settled(&mut assets, &video.asset_id).await.status,
        AssetStatus::Active
    );
    let voice = studio
        .add_asset(
            &group,
            AssetType::Audio,
            &bench.photos.url("/media/tone-3s.wav"),
            None,
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        settled(&mut assets, &voice.asset_id).await.status,
        AssetStatus::Active
    );
    let stranger = studio
        .add_asset(
            &group,
            AssetType::Image,
            &bench.photos.url("/rehearsal-face-mismatch.jpg"),
            None,
            false,
        )
        .await
        .unwrap();
    let refused = settled(&mut assets, &stranger.asset_id).await;
    assert_eq!(refused.status, AssetStatus::Failed);
    assert!(
        refused
            .status_message
            .as_deref()
            .unwrap_or_default()
            .contains("does not match the person verified"),
        "{refused:?}"
    );

    // A file outside the provider's limits never leaves the studio.
    let e = studio
        .add_asset(
            &group,
            AssetType::Video,
            &bench.photos.url("/media/long-20s.mp4"),
            None,
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    assert!(e.to_string().contains("15"), "{e}");
    // The same file twice is refused before the provider bills a second upload.
    let e = studio
        .add_asset(
            &group,
            AssetType::Video,
            &bench.photos.url("/media/talent-3s.mp4"),
            None,
            false,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("already in Ada's group"), "{e}");

    let person = bench
        .library
        .group_assets(ProviderKind::Rehearsal, &group)
        .unwrap();
    assert_eq!(person.len(), 4, "one person, four assets");
    assert!(person.iter().all(|f| f.name == "Ada"));

    if kind == ProviderKind::Anyfast {
        // Another studio that lost the answer to this upload (a crash before it was filed)
        // tries again: Anyfast's listing finds it, and nothing is uploaded or billed twice.
        let created = bench.rehearsal.byteplus_counts().assets_created;
        let other = Studio::new(
            Arc::new(Library::open_in_memory().unwrap()),
            bench.provider(kind),
            bench.http(),
            StudioConfig::for_provider(&bench.provider(kind)),
        );
        let again = other
            .add_asset(
                &group,
                AssetType::Video,
                &bench.photos.url("/media/talent-3s.mp4"),
                Some("Ada"),
                false,
            )
            .await
            .unwrap();
        assert_eq!(again.asset_id, video.asset_id, "the same upload, found");
        assert_eq!(
            bench.rehearsal.byteplus_counts().assets_created,
            created,
            "no second upload"
        );
        other.stop();

        let report = studio.sync_faces(None).await.unwrap();
        assert_eq!(
            (report.added, report.conflicts),
            (0, 0),
            "the listing holds only what the studio filed: {report:?}"
        );
    } else {
        let e = studio.sync_faces(None).await.unwrap_err();
        assert!(e.to_string().contains("keeps no list"), "{e}");
    }
    studio.stop();
}

#[tokio::test]
async fn anyfast_enrolls_a_person_and_collects_assets() {
    enrolls_a_person_and_collects_assets(ProviderKind::Anyfast).await;
}

#[tokio::test]
async fn crun_enrolls_a_person_and_collects_assets() {
    enrolls_a_person_and_collects_assets(ProviderKind::Crun).await;
}

#[tokio::test]
async fn a_failed_phone_check_ends_the_link_and_a_fresh_qr_opens_a_new_session() {
    let bench = Bench::new().await;
    let studio = bench.studio(ProviderKind::Crun).await;
    let mut rx = studio.subscribe();
    let view = studio
        .start_agreed("Bo", Some(&bench.photos.url("/face.jpg")), false)
        .await
        .unwrap();
    let page = phone_finishes(&bench, &view, false).await;
    assert!(page.contains("did not pass"), "{page}");
    let expired = until(
        &mut rx,
        &view.session.id,
        SessionState::Expired,
        Duration::from_secs(5),
    )
    .await;
    let notice = expired.notice.expect("the operator is told why");
    assert!(notice.message.contains("Generate a fresh QR"), "{notice:?}");
    assert_eq!(
        notice.code,
        ErrorCode::LivenessFailed,
        "a failed check is not told as a QR that ran out of time: {notice:?}"
    );

    let fresh = studio.refresh_session(&view.session.id).await.unwrap();
    assert_ne!(
        fresh.session.liveness_token, view.session.liveness_token,
        "no refresh exists: a new validation session"
    );
    phone_finishes(&bench, &fresh, true).await;
    let v = until(
        &mut rx,
        &view.session.id,
        SessionState::Verified,
        Duration::from_secs(5),
    )
    .await;
    assert!(v.session.group_id.starts_with("group-"));
    studio.stop();
}

/// A studio with no LAN receiver whose schedule would check half a second in: on BytePlus no
/// timer reads the one-time token, however eager the schedule.
async fn studio_without_callback(bench: &Bench, kind: ProviderKind) -> Arc<Studio> {
    let provider = bench.provider(kind);
    let config = StudioConfig {
        policy: PollPolicy {
            budget_per_hour: 360,
            reserve: 3,
            min_interval_ms: 100,
            first_check_after_ms: 500,
        },
        ..StudioConfig::for_provider(&provider)
    };
    Studio::new(Arc::clone(&bench.library), provider, bench.http(), config)
}

#[tokio::test]
async fn no_timer_reads_the_token_and_the_operators_word_finds_the_group() {
    for kind in [ProviderKind::Anyfast, ProviderKind::Crun] {
        let bench = Bench::new().await;
        let studio = studio_without_callback(&bench, kind).await;
        let view = studio.start_agreed("Cy", None, false).await.unwrap();
        assert_eq!(view.next_check_at_ms, None, "no automatic check is planned");
        let token = view.session.liveness_token.clone().unwrap();
        bench
            .rehearsal
            .complete_liveness_token(&token)
            .await
            .unwrap();
        // Six times the schedule's first wait.
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            bench.rehearsal.byteplus_counts().result_queries,
            0,
            "{kind:?}: the result is read on the callback or the operator's word, never on a timer"
        );
        assert_eq!(
            studio.session_view(&view.session.id).unwrap().session.state,
            SessionState::AwaitingScan
        );
        let checked = studio.check_now(&view.session.id).await.unwrap();
        assert_eq!(checked.session.state, SessionState::Verified, "{kind:?}");
        assert!(checked.session.group_id.starts_with("group-"));
        assert_eq!(bench.rehearsal.byteplus_counts().result_queries, 1);
        studio.stop();
    }
}

#[tokio::test]
async fn an_early_check_now_costs_the_qr_and_says_so() {
    for kind in [ProviderKind::Anyfast, ProviderKind::Crun] {
        let bench = Bench::new().await;
        let studio = bench.studio(kind).await;
        let view = studio
            .start_agreed("Ed", Some(&bench.photos.url("/face.jpg")), false)
            .await
            .unwrap();
        // Pressed while the talent is still nodding: the read spends the token.
        let early = studio.check_now(&view.session.id).await.unwrap();
        assert_eq!(early.session.state, SessionState::Expired, "{kind:?}");
        assert!(
            early.qr_svg.is_none(),
            "a QR that can no longer be read is not shown"
        );
        let notice = early.notice.expect("the operator is told");
        assert_eq!(notice.code, ErrorCode::SessionExpired, "{notice:?}");
        assert!(
            notice.message.contains("can no longer be read")
                && notice.message.contains("Generate a fresh QR"),
            "{notice:?}"
        );
        // The talent finishes and the phone comes back: the token is spent, the words stay.
        phone_finishes(&bench, &view, true).await;
        let after = studio.session_view(&view.session.id).unwrap();
        assert_ne!(after.session.state, SessionState::Verified, "{kind:?}");
        let again = studio.check_now(&view.session.id).await.unwrap();
        assert!(
            again
                .notice
                .is_some_and(|n| n.message.contains("Generate a fresh QR")),
            "{kind:?}"
        );
        // A fresh QR is a new check, read once on the phone's return.
        let mut rx = studio.subscribe();
        let fresh = studio.refresh_session(&view.session.id).await.unwrap();
        phone_finishes(&bench, &fresh, true).await;
        until(
            &mut rx,
            &view.session.id,
            SessionState::Verified,
            Duration::from_secs(5),
        )
        .await;
        studio.stop();
    }
}

#[tokio::test]
async fn a_callback_whose_query_was_dropped_is_matched_by_its_token() {
    let bench = Bench::new().await;
    let studio = bench.studio(ProviderKind::Anyfast).await;
    let mut rx = studio.subscribe();
    let view = studio.start_agreed("Fay", None, false).await.unwrap();
    let token = view.session.liveness_token.clone().unwrap();
    bench
        .rehearsal
        .complete_liveness_token(&token)
        .await
        .unwrap();
    let receiver = studio_callback_base(&bench, &view).await;
    // The provider kept the path but replaced the query with its own parameters.
    let page = reqwest::get(format!(
        "{receiver}?bytedToken={token}&resultCode=10000&algorithmBaseRespCode=0&verify_type=real_time"
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(page.contains("hand the phone back"), "{page}");
    until(
        &mut rx,
        &view.session.id,
        SessionState::Verified,
        Duration::from_secs(5),
    )
    .await;
    // A token no open session holds matches nothing.
    let page = reqwest::get(format!("{receiver}?bytedToken=nope&resultCode=10000"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Hand the phone back"), "{page}");
    studio.stop();
}

/// The LAN receiver's address without its query, as the provider was given it.
async fn studio_callback_base(bench: &Bench, view: &SessionView) -> String {
    let token = view.session.liveness_token.clone().unwrap();
    let session: serde_json::Value = reqwest::get(format!(
        "{}h5/api/session?sessionToken={token}",
        bench.rehearsal.base_url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let redirect = session["callback_redirect"].as_str().unwrap().to_string();
    redirect.split_once('?').unwrap().0.to_string()
}

#[tokio::test]
async fn a_failed_check_names_the_sub_code() {
    let bench = Bench::new().await;
    let studio = bench.studio(ProviderKind::Anyfast).await;
    let mut rx = studio.subscribe();
    let view = studio.start_agreed("Gus", None, false).await.unwrap();
    phone_finishes(&bench, &view, false).await;
    let expired = until(
        &mut rx,
        &view.session.id,
        SessionState::Expired,
        Duration::from_secs(5),
    )
    .await;
    let notice = expired.notice.unwrap();
    assert!(
        notice.message.contains("code 10001, sub-code 1"),
        "algorithmBaseRespCode is read: {notice:?}"
    );
    studio.stop();
}

#[tokio::test]
async fn a_provider_that_refuses_the_lan_address_gets_the_session_without_it() {
    for kind in [ProviderKind::Anyfast, ProviderKind::Crun] {
        let bench = Bench::new().await;
        bench.rehearsal.faults().refuse_plain_http_callbacks(true);
        let studio = bench.studio(kind).await;
        let view = studio
            .start_agreed("Hal", Some(&bench.photos.url("/face.jpg")), false)
            .await
            .unwrap();
        assert_eq!(view.session.state, SessionState::AwaitingScan, "{kind:?}");
        let notice = view.notice.clone().expect("the operator is told");
        assert!(
            notice.message.contains("will not report here")
                && notice.message.contains("Talent finished — check now"),
            "{notice:?}"
        );
        assert_eq!(
            bench.rehearsal.byteplus_counts().sessions_created,
            1,
            "one session, opened without the LAN address"
        );
        let token = view.session.liveness_token.clone().unwrap();
        bench
            .rehearsal
            .complete_liveness_token(&token)
            .await
            .unwrap();
        let checked = studio.check_now(&view.session.id).await.unwrap();
        assert_eq!(checked.session.state, SessionState::Verified, "{kind:?}");
        studio.stop();
    }
}

#[tokio::test]
async fn an_asset_still_processing_at_a_restart_is_watched_again() {
    let bench = Bench::new().await;
    let studio = bench.studio(ProviderKind::Anyfast).await;
    let mut rx = studio.subscribe();
    let view = studio
        .start_agreed("Di", Some(&bench.photos.url("/face.jpg")), false)
        .await
        .unwrap();
    phone_finishes(&bench, &view, true).await;
    until(
        &mut rx,
        &view.session.id,
        SessionState::Verified,
        Duration::from_secs(5),
    )
    .await;
    let EnrollOutcome::Enrolled { face } = studio
        .enroll_session(&view.session.id, None, None, None)
        .await
        .unwrap()
    else {
        panic!("no price on the key rail");
    };
    // The app stops before the provider has finished processing.
    studio.stop();
    drop(studio);
    assert_eq!(
        bench.library.face(&face.asset_id).unwrap().status,
        AssetStatus::Processing
    );
    let again = bench.studio(ProviderKind::Anyfast).await;
    let mut assets = again.subscribe_assets();
    again.resume_open_sessions().unwrap();
    assert_eq!(
        settled(&mut assets, &face.asset_id).await.status,
        AssetStatus::Active
    );
    again.stop();
}

/// A person's clip as filed after its upload: the link it came from and the fingerprint of the
/// bytes that were checked and sent.
fn filed_clip(asset_id: &str, link: String, uploaded_sha256: String) -> Face {
    Face {
        asset_id: asset_id.into(),
        provider: ProviderKind::Rehearsal,
        kind: FaceKind::Asset,
        name: "Ada".into(),
        image_url: link,
        thumbnail: None,
        group_id: Some("group-20260702221642-5czvq".into()),
        enrolled_at_ms: 1_000,
        price_usd: None,
        tx_hash: None,
        photo_override: None,
        asset_type: AssetType::Video,
        status: AssetStatus::Active,
        status_message: None,
        consent: Some(likeness::library::ConsentRecord {
            operator: "Grace".into(),
            recorded_at_ms: 1_000,
            liveness_ref: None,
            file_sha256: Some(uploaded_sha256),
            payment: None,
            hosted_copy_deleted_at_ms: None,
            release: None,
        }),
        revoked: None,
        tags: Vec::new(),
    }
}

#[tokio::test]
async fn a_clip_plays_from_a_copy_fetched_once_and_only_if_it_is_the_file_uploaded() {
    use sha2::Digest;
    let bench = Bench::new().await;
    let media = tempfile::tempdir().unwrap();
    let provider = bench.provider(ProviderKind::Anyfast);
    let config = StudioConfig {
        media_dir: Some(media.path().join("media")),
        ..StudioConfig::for_provider(&provider)
    };
    let studio = Studio::new(Arc::clone(&bench.library), provider, bench.http(), config);
    let bytes = std::fs::read("tests/fixtures/media/talent-3s.mp4").unwrap();
    let sha = hex::encode(sha2::Sha256::digest(&bytes));

    let link = bench.photos.url("/media/talent-3s.mp4");
    bench
        .library
        .save_face(&filed_clip("asset-1", link, sha.clone()))
        .unwrap();
    let path = studio.clip_copy("asset-1").await.unwrap();
    assert!(path.ends_with("clip-asset-1.mp4"), "{path}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the file uploaded");
    let fetched = bench.photos.hits("/media/talent-3s.mp4");
    assert_eq!(studio.clip_copy("asset-1").await.unwrap(), path);
    assert_eq!(
        bench.photos.hits("/media/talent-3s.mp4"),
        fetched,
        "kept: played again without fetching"
    );

    // A link that now serves another file is not played as the talent's clip, nor kept.
    let other = bench.photos.url("/media/ok-3s-25fps.mp4");
    bench
        .library
        .save_face(&filed_clip("asset-2", other, sha))
        .unwrap();
    let e = studio.clip_copy("asset-2").await.unwrap_err();
    assert!(
        e.to_string().contains("changed since it was uploaded"),
        "{e}"
    );
    let kept: Vec<_> = std::fs::read_dir(media.path().join("media"))
        .unwrap()
        .map(|f| f.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(kept, vec!["clip-asset-1.mp4".to_string()]);
}
