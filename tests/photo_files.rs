//! Photos from files: a session started from a file on Rehearsal (which serves the photo
//! itself), on Anyfast (the bytes inline as a data URI, no hosting), on Crun (hosted in a real
//! S3-compatible bucket and deleted once processed), and refused before anything is opened or
//! paid when a link-only provider has no hosting.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::s3::{S3Server, TlsFront};
use common::{PhotoHost, StartAgreed, TEST_API_KEY};
use likeness::error::ErrorCode;
use likeness::flow::poll::PollPolicy;
use likeness::flow::{EnrollOutcome, SessionState, Studio, StudioConfig};
use likeness::hosting::{self, HostedPhoto};
use likeness::http::{self, TrustRoots};
use likeness::library::{CallKind, Face, FaceKind, Library};
use likeness::media::AssetType;
use likeness::photo::sha256_hex;
use likeness::providers::{anyfast, blockrun, crun, AssetStatus, Provider, ProviderKind};
use likeness::secrets::Secret;
use rehearsal::RehearsalServer;

struct Bench {
    photos: PhotoHost,
    rehearsal: RehearsalServer,
    library: Arc<Library>,
    dir: tempfile::TempDir,
}

/// Rehearsal's shelf as the app wires it (src/stage.rs), remembering every link it lent.
struct Shelf {
    inner: rehearsal::PhotoShelf,
    lent: Mutex<Vec<url::Url>>,
}

impl hosting::PhotoShelf for Shelf {
    fn lend(&self, bytes: Vec<u8>, content_type: &str, lifetime: Duration) -> HostedPhoto {
        let sha256 = sha256_hex(&bytes);
        let (url, object) = self.inner.lend(bytes, content_type, lifetime);
        self.lent.lock().unwrap().push(url.clone());
        HostedPhoto {
            url,
            object,
            expires_at: std::time::SystemTime::now() + lifetime,
            sha256,
        }
    }

    fn withdraw(&self, object: &str) {
        self.inner.withdraw(object);
    }
}

impl Bench {
    async fn new() -> Bench {
        Bench::trusting(None).await
    }

    /// A bench whose Rehearsal also trusts `front`'s certificate (a bucket behind https).
    async fn trusting(front: Option<&TlsFront>) -> Bench {
        let photos = PhotoHost::start().await;
        let mut config = common::rehearsal_config(&photos);
        if let Some(front) = front {
            config.image_client = reqwest::Client::builder()
                .use_rustls_tls()
                .add_root_certificate(
                    reqwest::Certificate::from_der(&photos.root_cert_der()).unwrap(),
                )
                .add_root_certificate(reqwest::Certificate::from_der(&front.cert_der).unwrap())
                .build()
                .unwrap();
        }
        config.asset_processing_delay = Duration::from_millis(200);
        let rehearsal = common::start_rehearsal_with(config).await;
        Bench {
            photos,
            rehearsal,
            library: Arc::new(Library::open_in_memory().unwrap()),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn http(&self) -> reqwest::Client {
        http::client(&TrustRoots(vec![self.photos.root_cert_der()])).unwrap()
    }

    /// The talent's photo as a file on this computer.
    fn photo_file(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, common::face_jpeg()).unwrap();
        path
    }

    fn provider(&self, api: &str) -> Provider {
        let key = Some(Secret::new(TEST_API_KEY));
        let base = self.rehearsal.base_url();
        match api {
            "blockrun" => Provider::BlockRun(blockrun::Client::new(
                ProviderKind::Rehearsal,
                base,
                self.http(),
                key,
            )),
            "anyfast" => Provider::Anyfast(anyfast::Client::new(
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

    fn studio(
        &self,
        provider: Provider,
        shelf: Option<Arc<Shelf>>,
        bucket: Option<hosting::S3Hosting>,
    ) -> Arc<Studio> {
        self.studio_paying(provider, shelf, bucket, None)
    }

    fn studio_paying(
        &self,
        provider: Provider,
        shelf: Option<Arc<Shelf>>,
        bucket: Option<hosting::S3Hosting>,
        wallet: Option<alloy::signers::local::PrivateKeySigner>,
    ) -> Arc<Studio> {
        let config = StudioConfig {
            wallet,
            policy: PollPolicy {
                budget_per_hour: 360,
                reserve: 3,
                min_interval_ms: 100,
                // Nothing is read on a timer: the test says when the phone is done.
                first_check_after_ms: 600_000,
            },
            rehearsal_shelf: shelf.map(|s| hosting::PhotoHost::Shelf(s)),
            photo_hosting: bucket.map(hosting::PhotoHost::Bucket),
            ..StudioConfig::for_provider(&provider)
        };
        Studio::new(Arc::clone(&self.library), provider, self.http(), config)
    }

    fn shelf(&self) -> Arc<Shelf> {
        Arc::new(Shelf {
            inner: self.rehearsal.photo_shelf(),
            lent: Mutex::default(),
        })
    }
}

fn enrolled(outcome: EnrollOutcome) -> Face {
    match outcome {
        EnrollOutcome::Enrolled { face } => *face,
        EnrollOutcome::PaymentRequired { .. } => panic!("the key rail never asks for a price"),
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The face's record after the studio settled it (an asset's hosted copy goes once processed).
async fn filed_when(library: &Library, asset_id: &str, done: impl Fn(&Face) -> bool) -> Face {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let face = library.face(asset_id).unwrap();
        if done(&face) {
            return face;
        }
        assert!(Instant::now() < deadline, "never settled: {face:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn rehearsal_serves_a_photo_file_itself_and_withdraws_it_once_enrolled() {
    let bench = Bench::new().await;
    let shelf = bench.shelf();
    let studio = bench.studio(bench.provider("blockrun"), Some(Arc::clone(&shelf)), None);
    let file = bench.photo_file("ada.jpg");
    let started = Instant::now();
    let view = studio
        .start_agreed("Ada", Some(path_str(&file)), false)
        .await
        .unwrap();
    assert_eq!(
        view.session.image_url,
        path_str(&file),
        "the session keeps the file"
    );
    bench
        .rehearsal
        .complete_liveness(&view.session.group_id)
        .await
        .unwrap();
    studio.check_now(&view.session.id).await.unwrap();
    let face = enrolled(
        studio
            .enroll_session(&view.session.id, None, None, None)
            .await
            .unwrap(),
    );
    eprintln!(
        "file → enrolled on Rehearsal in {:?} ({} bytes)",
        started.elapsed(),
        common::face_jpeg().len()
    );
    assert_eq!(face.kind, FaceKind::RealFace);
    assert_eq!(face.image_url, path_str(&file), "not the dead hosted link");
    let consent = face.consent.clone().unwrap();
    assert_eq!(
        consent.file_sha256.as_deref(),
        Some(sha256_hex(common::face_jpeg()).as_str()),
        "the sha256 of the exact bytes Rehearsal was served"
    );
    assert!(consent.hosted_copy_deleted_at_ms.is_some(), "{consent:?}");
    assert_eq!(
        bench.library.face(&face.asset_id).unwrap(),
        face,
        "as filed"
    );
    // Served once for the call, then withdrawn: its link answers 404 like a lapsed one.
    let lent = shelf.lent.lock().unwrap().clone();
    assert_eq!(lent.len(), 1, "{lent:?}");
    assert!(lent[0].path().starts_with("/hosted/"), "{}", lent[0]);
    assert_eq!(reqwest::get(lent[0].clone()).await.unwrap().status(), 404);
    assert!(shelf.inner.is_empty());
    // Its consent receipt says when the copy went.
    let receipt = bench.library.consent_receipt(&face.asset_id).unwrap();
    assert!(receipt.contains("Hosted copy deleted"), "{receipt}");
}

/// On x402 the price is shown first: the copy served for that unpaid call is withdrawn with the
/// answer, and the paid call gets a fresh one, withdrawn in turn.
#[tokio::test]
async fn a_paid_enrollment_from_a_file_serves_a_fresh_copy_for_the_paid_call() {
    const HARDHAT_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    let bench = Bench::new().await;
    let shelf = bench.shelf();
    let provider = Provider::BlockRun(blockrun::Client::new(
        ProviderKind::Rehearsal,
        bench.rehearsal.base_url(),
        bench.http(),
        None,
    ));
    let studio = bench.studio_paying(
        provider,
        Some(Arc::clone(&shelf)),
        None,
        Some(HARDHAT_KEY.parse().unwrap()),
    );
    let file = bench.photo_file("ada.jpg");
    let view = studio
        .start_agreed("Ada", Some(path_str(&file)), false)
        .await
        .unwrap();
    bench
        .rehearsal
        .complete_liveness(&view.session.group_id)
        .await
        .unwrap();
    studio.check_now(&view.session.id).await.unwrap();
    let quoted = studio
        .enroll_session(&view.session.id, None, None, None)
        .await
        .unwrap();
    assert!(matches!(quoted, EnrollOutcome::PaymentRequired { .. }));
    assert!(
        shelf.inner.is_empty(),
        "nothing left up while the price waits"
    );
    let face = studio
        .confirm_payment(&view.session.id, false)
        .await
        .unwrap();
    let lent = shelf.lent.lock().unwrap().clone();
    assert_eq!(lent.len(), 2, "one copy per call: {lent:?}");
    assert_ne!(lent[0], lent[1], "a fresh, unguessable name each time");
    assert!(shelf.inner.is_empty());
    let consent = face.consent.unwrap();
    assert_eq!(consent.file_sha256, Some(sha256_hex(common::face_jpeg())));
    assert!(consent.hosted_copy_deleted_at_ms.is_some());
    assert!(
        face.tx_hash.is_some(),
        "paid once, on chain (Rehearsal's test network)"
    );
}

#[tokio::test]
async fn a_file_with_nowhere_to_host_it_is_refused_before_anything_is_opened_or_paid() {
    let bench = Bench::new().await;
    let provider = bench.provider("blockrun");
    let budget_key = provider.budget_key();
    // Rehearsal as an outside server: no shelf, and no bucket set.
    let studio = bench.studio(provider, None, None);
    let file = bench.photo_file("ada.jpg");
    let e = studio
        .start_session("Ada", Some(path_str(&file)), false)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::HostingMissing, "{e:?}");
    let message = e.to_string();
    assert!(message.contains("Settings → Photo hosting"), "{message}");
    assert!(message.contains("Nothing was paid"), "{message}");
    assert!(
        studio.open_sessions().unwrap().is_empty(),
        "no session opened"
    );
    let now = likeness::clock::Clock::new().now_ms();
    assert!(
        bench
            .library
            .calls_in_last_hour(&budget_key, CallKind::Init, now)
            .unwrap()
            .is_empty(),
        "no link was asked for"
    );

    // A session started from a link cannot switch to a file at Enroll either.
    let view = studio
        .start_agreed("Ada", Some(&bench.photos.url("/face.jpg")), false)
        .await
        .unwrap();
    bench
        .rehearsal
        .complete_liveness(&view.session.group_id)
        .await
        .unwrap();
    studio.check_now(&view.session.id).await.unwrap();
    let e = studio
        .enroll_session(&view.session.id, None, Some(path_str(&file)), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::HostingMissing, "{e:?}");
    let after = bench.library.session(&view.session.id).unwrap();
    assert_eq!(after.state, SessionState::Verified, "still ready to enroll");
    assert!(
        bench.library.faces().unwrap().is_empty(),
        "nothing enrolled"
    );

    // And an AI character from a file, before its price is asked.
    let e = studio
        .quote_portrait("Nova", path_str(&file), false)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::HostingMissing, "{e:?}");
}

/// A BytePlus session verified by the phone, read once by the operator's word.
async fn verified_byteplus(bench: &Bench, studio: &Arc<Studio>, image: &str) -> String {
    let view = studio
        .start_agreed("Ada", Some(image), false)
        .await
        .unwrap();
    let token = view.session.liveness_token.clone().unwrap();
    bench
        .rehearsal
        .complete_liveness_token(&token)
        .await
        .unwrap();
    let checked = studio.check_now(&view.session.id).await.unwrap();
    assert_eq!(checked.session.state, SessionState::Verified, "{checked:?}");
    view.session.id
}

#[tokio::test]
async fn anyfast_takes_a_photo_file_inline_with_no_hosting_set() {
    let bench = Bench::new().await;
    let studio = bench.studio(bench.provider("anyfast"), None, None);
    let file = bench.photo_file("ada.jpg");
    let id = verified_byteplus(&bench, &studio, path_str(&file)).await;
    let face = enrolled(studio.enroll_session(&id, None, None, None).await.unwrap());
    assert_eq!(face.status, AssetStatus::Processing);
    let face = filed_when(&bench.library, &face.asset_id, |f| {
        f.status != AssetStatus::Processing
    })
    .await;
    assert_eq!(
        face.status,
        AssetStatus::Active,
        "Rehearsal as Anyfast decoded the data URI and checked the face: {face:?}"
    );
    let consent = face.consent.unwrap();
    assert_eq!(
        consent.file_sha256,
        Some(sha256_hex(common::face_jpeg())),
        "the sha256 of the bytes sent inline"
    );
    assert_eq!(
        consent.hosted_copy_deleted_at_ms, None,
        "nothing was hosted"
    );
    assert_eq!(face.image_url, path_str(&file));

    // "Add photo, video or voice clip" takes a file too, into the same person's group.
    let group = bench.library.session(&id).unwrap().group_id;
    let side = bench.dir.path().join("ada-side.png");
    std::fs::write(&side, common::face_png()).unwrap();
    let added = studio
        .add_asset(&group, AssetType::Image, path_str(&side), None, false)
        .await
        .unwrap();
    let added = filed_when(&bench.library, &added.asset_id, |f| {
        f.status != AssetStatus::Processing
    })
    .await;
    assert_eq!(added.status, AssetStatus::Active, "{added:?}");
    assert_eq!(added.name, "Ada");
    assert_eq!(
        added.consent.unwrap().file_sha256,
        Some(sha256_hex(common::face_png()))
    );
    // The same file twice is refused before anything is sent.
    let again = studio
        .add_asset(&group, AssetType::Image, path_str(&side), None, false)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("already in"), "{again}");
}

#[tokio::test]
async fn crun_fetches_a_photo_file_from_the_bucket_and_the_object_is_deleted_once_processed() {
    let s3 = S3Server::start();
    let bench = Bench::new().await;
    let studio = bench.studio(bench.provider("crun"), None, Some(s3.hosting()));
    let file = bench.photo_file("ada.jpg");
    let id = verified_byteplus(&bench, &studio, path_str(&file)).await;
    let started = Instant::now();
    let face = enrolled(studio.enroll_session(&id, None, None, None).await.unwrap());
    let uploaded = started.elapsed();
    assert_eq!(
        s3.stored_files().len(),
        1,
        "kept while Crun processes the asset (it fetches the link then)"
    );
    let face = filed_when(&bench.library, &face.asset_id, |f| {
        f.consent
            .as_ref()
            .is_some_and(|c| c.hosted_copy_deleted_at_ms.is_some())
    })
    .await;
    eprintln!(
        "Crun from a file: hosted and uploaded in {uploaded:?}, deleted after processing at {:?}",
        started.elapsed()
    );
    assert_eq!(
        face.status,
        AssetStatus::Active,
        "Rehearsal as Crun fetched the presigned link: {face:?}"
    );
    assert!(s3.stored_files().is_empty(), "{:?}", s3.stored_files());
    let consent = face.consent.unwrap();
    assert_eq!(consent.file_sha256, Some(sha256_hex(common::face_jpeg())));
    assert!(consent.hosted_copy_deleted_at_ms.unwrap() >= face.enrolled_at_ms);
}

/// BlockRun fetches only https links: Rehearsal as BlockRun fetches the presigned link from the
/// bucket (s3s-fs behind an https front), the face is filed, and the object is gone.
#[tokio::test]
async fn blockrun_fetches_a_photo_file_from_the_bucket_and_the_object_is_gone_after_enroll() {
    let s3 = S3Server::start();
    let front = TlsFront::start(s3.addr).await;
    let bench = Bench::trusting(Some(&front)).await;
    let studio = bench.studio(bench.provider("blockrun"), None, Some(front.hosting()));
    let file = bench.photo_file("dropped.jpg");
    let view = studio
        .start_agreed("Ada", Some(path_str(&file)), false)
        .await
        .unwrap();
    bench
        .rehearsal
        .complete_liveness(&view.session.group_id)
        .await
        .unwrap();
    studio.check_now(&view.session.id).await.unwrap();
    let started = Instant::now();
    let face = enrolled(
        studio
            .enroll_session(&view.session.id, None, None, None)
            .await
            .unwrap(),
    );
    eprintln!(
        "BlockRun from a file via the bucket: upload, presign, provider fetch, enroll and delete in {:?}",
        started.elapsed()
    );
    assert!(face.asset_id.starts_with("ta_"), "{}", face.asset_id);
    assert!(s3.stored_files().is_empty(), "{:?}", s3.stored_files());
    let filed = bench.library.face(&face.asset_id).unwrap();
    let consent = filed.consent.unwrap();
    assert_eq!(consent.file_sha256, Some(sha256_hex(common::face_jpeg())));
    assert!(consent.hosted_copy_deleted_at_ms.is_some());
    assert_eq!(filed.image_url, path_str(&file));
}

#[tokio::test]
async fn hosting_a_photo_in_the_bucket_takes_milliseconds() {
    let s3 = S3Server::start();
    let host = hosting::PhotoHost::Bucket(s3.hosting());
    let bytes = common::face_jpeg().to_vec();
    let http = reqwest::Client::new();
    // The first upload also lists the bucket once (keys and bucket checked).
    let mut timings = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let hosted = host.put(bytes.clone(), "image/jpeg").await.unwrap();
        let put = t.elapsed();
        let got = http.get(hosted.url.clone()).send().await.unwrap();
        assert_eq!(got.status(), 200);
        assert_eq!(got.bytes().await.unwrap().as_ref(), &bytes[..]);
        let fetched = t.elapsed();
        host.remove(&hosted).await.unwrap();
        timings.push((put, fetched, t.elapsed()));
        assert_eq!(hosted.sha256, sha256_hex(&bytes));
    }
    assert!(s3.stored_files().is_empty());
    eprintln!(
        "{} bytes: upload+presign / +fetch / +delete per photo: {timings:?}",
        bytes.len()
    );
}

/// "Try it with your phone": the built-in sample portrait is a photo file that passes every
/// check and starts a rehearsal; a real provider refuses it in words.
#[tokio::test]
async fn the_sample_portrait_starts_a_rehearsal_and_only_a_rehearsal() {
    let bench = Bench::new().await;
    let studio = bench.studio(bench.provider("blockrun"), Some(bench.shelf()), None);
    let dir = tempfile::tempdir().unwrap();
    let path = studio.sample_photo(dir.path()).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        likeness::photo::SAMPLE_PORTRAIT,
        "{path}"
    );
    assert_eq!(
        studio.sample_photo(dir.path()).unwrap(),
        path,
        "kept once, by its bytes"
    );
    let view = studio
        .start_agreed("Sample talent", Some(&path), false)
        .await
        .unwrap();
    assert!(
        !view.session.h5_link.is_empty(),
        "the QR is issued: {view:?}"
    );

    let real = blockrun::Client::new(
        ProviderKind::BlockRun,
        bench.rehearsal.base_url(),
        bench.http(),
        Some(Secret::new(TEST_API_KEY)),
    );
    let studio = bench.studio(Provider::BlockRun(real), None, None);
    let e = studio.sample_photo(dir.path()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("the talent's own photo"), "{e}");
}
