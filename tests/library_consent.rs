//! The consent record end to end against Rehearsal: a real face paid over x402, one paid from
//! the API key's account, an AI character, and a BytePlus person with a video added later. Each
//! face's record names the operator, the liveness session, the sha256 of the exact bytes the
//! studio checked and what paid; its receipt is a self-contained page with all of it escaped.

mod common;

use std::sync::Arc;
use std::time::Duration;

use alloy::signers::local::PrivateKeySigner;
use common::{PhotoHost, StartAgreed, TEST_API_KEY};
use likeness::flow::poll::PollPolicy;
use likeness::flow::{EnrollOutcome, SessionState, Studio, StudioConfig};
use likeness::http::{self, TrustRoots};
use likeness::library::{
    self, ConsentPayment, ConsentRecord, Face, FaceKind, Library, NO_CONSENT_RECORD,
};
use likeness::media::AssetType;
use likeness::photo::sha256_hex;
use likeness::providers::{anyfast, blockrun, Provider, ProviderKind, RemoteFace, RemoteFaceKind};
use likeness::secrets::Secret;
use likeness::spend::SpendCaps;
use rehearsal::RehearsalServer;

const HARDHAT_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const OPERATOR: &str = "Grace <i>Hopper</i>";
const HOSTILE: &str = "Ada <script>alert(1)</script>";

struct Bench {
    photos: PhotoHost,
    rehearsal: RehearsalServer,
    library: Arc<Library>,
}

enum Rail {
    X402,
    Key,
}

impl Bench {
    async fn new() -> Bench {
        let photos = PhotoHost::start().await;
        let mut config = common::rehearsal_config(&photos);
        config.asset_processing_delay = Duration::from_millis(200);
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

    fn config(&self, provider: &Provider, wallet: Option<PrivateKeySigner>) -> StudioConfig {
        StudioConfig {
            policy: PollPolicy {
                budget_per_hour: 360,
                reserve: 3,
                min_interval_ms: 100,
                first_check_after_ms: 60_000,
            },
            caps: SpendCaps::default(),
            wallet,
            operator: OPERATOR.into(),
            ..StudioConfig::for_provider(provider)
        }
    }

    /// BlockRun's API on Rehearsal, paid from the test wallet or from the key's account.
    fn blockrun(&self, rail: Rail) -> Arc<Studio> {
        let key = matches!(rail, Rail::Key).then(|| Secret::new(TEST_API_KEY));
        let provider = Provider::BlockRun(blockrun::Client::new(
            ProviderKind::Rehearsal,
            self.rehearsal.base_url(),
            self.http(),
            key,
        ));
        let wallet = matches!(rail, Rail::X402).then(|| HARDHAT_KEY.parse().unwrap());
        let config = self.config(&provider, wallet);
        Studio::new(Arc::clone(&self.library), provider, self.http(), config)
    }

    fn anyfast(&self) -> Arc<Studio> {
        let provider = Provider::Anyfast(anyfast::Client::new(
            ProviderKind::Rehearsal,
            self.rehearsal.base_url(),
            self.http(),
            Some(Secret::new(TEST_API_KEY)),
        ));
        let config = self.config(&provider, None);
        Studio::new(Arc::clone(&self.library), provider, self.http(), config)
    }

    /// A session the talent has finished on the phone: its id and group.
    async fn verified(&self, studio: &Arc<Studio>, name: &str, photo: &str) -> (String, String) {
        let v = studio
            .start_agreed(name, Some(&self.photos.url(photo)), false)
            .await
            .unwrap();
        self.rehearsal
            .complete_liveness(&v.session.group_id)
            .await
            .unwrap();
        let checked = studio.check_now(&v.session.id).await.unwrap();
        assert_eq!(checked.session.state, SessionState::Verified);
        (v.session.id, checked.session.group_id)
    }
}

/// What every receipt must be: one page, nothing to load or run, the hostile bits escaped.
fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!doctype html>"), "{html}");
    assert!(html.contains("Likeness Studio — consent record"));
    for banned in [
        "<script", "src=", "href=", "url(", "@import", "<link", "<img", "<iframe",
    ] {
        assert!(!html.to_lowercase().contains(banned), "{banned} in {html}");
    }
    // Links appear as text only; none is an attribute anything would fetch.
    for (i, _) in html.match_indices("http") {
        let before = &html[..i];
        assert!(
            !before.ends_with('"') && !before.ends_with('\'') && !before.ends_with('('),
            "a link used as a resource at {i}: {}",
            &html[i.saturating_sub(40)..(i + 40).min(html.len())]
        );
    }
}

fn consent_of(face: &Face) -> &ConsentRecord {
    face.consent
        .as_ref()
        .unwrap_or_else(|| panic!("no consent record on {face:?}"))
}

#[tokio::test]
async fn an_x402_enrollment_records_the_ledger_row_the_transaction_and_the_photo_bytes() {
    let bench = Bench::new().await;
    let studio = bench.blockrun(Rail::X402);
    let (id, group) = bench.verified(&studio, HOSTILE, "/face.jpg").await;
    let EnrollOutcome::PaymentRequired { .. } =
        studio.enroll_session(&id, None, None, None).await.unwrap()
    else {
        panic!("the wallet rail shows the price first");
    };
    let face = studio.confirm_payment(&id, false).await.unwrap();

    let ledger = bench.library.payments().unwrap();
    assert_eq!(ledger.len(), 1);
    let tx = face.tx_hash.clone().expect("x402 settles on chain");
    let c = consent_of(&face);
    assert_eq!(c.operator, OPERATOR);
    assert_eq!(
        (
            ledger[0].operator.as_str(),
            bench.library.session(&id).unwrap().operator.as_str()
        ),
        (OPERATOR, OPERATOR),
        "the operator is on the session's row and the ledger's"
    );
    assert_eq!(
        c.liveness_ref.as_deref(),
        Some(format!("{id} / group {group}").as_str())
    );
    assert_eq!(
        c.file_sha256.as_deref(),
        Some(sha256_hex(common::face_jpeg()).as_str()),
        "the sha256 of the exact bytes the photo host served"
    );
    assert_eq!(
        c.payment,
        Some(ConsentPayment::X402 {
            ledger_id: ledger[0].id.clone(),
            tx_hash: Some(tx.clone()),
        })
    );
    assert!((c.recorded_at_ms - face.enrolled_at_ms).abs() < 1000);
    assert_eq!(
        bench.library.face(&face.asset_id).unwrap(),
        face,
        "the record is filed as returned"
    );

    let html = bench.library.consent_receipt(&face.asset_id).unwrap();
    assert_self_contained(&html);
    assert!(
        html.contains("Ada &lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("Grace &lt;i&gt;Hopper&lt;/i&gt;"));
    assert!(html.contains(&sha256_hex(common::face_jpeg())));
    assert!(html.contains(&tx));
    assert!(html.contains(&format!("https://sepolia.basescan.org/tx/{tx}")));
    assert!(html.contains(&ledger[0].id));
    assert!(html.contains("0.010000 USDC on Base Sepolia (testnet)"));
    assert!(html.contains(&format!("{id} / group {group}")));
    assert!(
        html.contains("The person named above completed a live face check on their own phone on")
    );
    assert!(html.contains("Signature of the operator"));
    assert!(!html.contains(HARDHAT_KEY.trim_start_matches("0x")));
}

#[tokio::test]
async fn the_key_rail_records_the_account_and_never_the_key_and_a_portrait_has_no_liveness() {
    let bench = Bench::new().await;
    let studio = bench.blockrun(Rail::Key);
    let (id, _) = bench.verified(&studio, "Ada Lovelace", "/face.png").await;
    let EnrollOutcome::Enrolled { face } =
        studio.enroll_session(&id, None, None, None).await.unwrap()
    else {
        panic!("the key rail enrolls at once");
    };
    let c = consent_of(&face);
    assert_eq!(
        c.payment,
        Some(ConsentPayment::Account {
            provider: ProviderKind::Rehearsal
        })
    );
    assert_eq!(c.file_sha256, Some(sha256_hex(common::face_png())));
    assert!(c.liveness_ref.as_deref().unwrap().starts_with(&id));
    let html = bench.library.consent_receipt(&face.asset_id).unwrap();
    assert_self_contained(&html);
    assert!(html.contains("API key (Rehearsal) account"));
    assert!(
        !html.contains(TEST_API_KEY),
        "the key itself is never written"
    );
    assert!(
        bench.library.payments().unwrap().is_empty(),
        "nothing signed"
    );

    let portrait = studio
        .enroll_portrait("Robo Host", &bench.photos.url("/face.webp"), false, |_| {
            panic!("the key rail shows no price")
        })
        .await
        .unwrap();
    let c = consent_of(&portrait);
    assert_eq!(
        c.liveness_ref, None,
        "an AI character has no liveness check"
    );
    assert_eq!(c.file_sha256, Some(sha256_hex(common::face_webp())));
    assert_eq!(c.operator, OPERATOR);
    let html = bench.library.consent_receipt(&portrait.asset_id).unwrap();
    assert_self_contained(&html);
    assert!(html.contains("No liveness: AI-generated character."));
    assert!(html.contains("AI character — no liveness"));
    assert!(!html.contains("live face check on their own phone"));

    // The list shows both without previews, and the search narrows it.
    let rows = bench.library.face_summaries().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.has_consent && r.has_thumbnail));
    let portraits = library::filter(&rows, "", None, Some(FaceKind::Portrait));
    assert_eq!(portraits.len(), 1);
    assert_eq!(portraits[0].asset_id, portrait.asset_id);
    assert_eq!(library::filter(&rows, "  LOVELACE ", None, None).len(), 1);
    assert!(bench
        .library
        .face_thumbnail(&portrait.asset_id)
        .unwrap()
        .unwrap()
        .starts_with("data:image/jpeg;base64,"));
}

#[tokio::test]
async fn byteplus_assets_carry_the_group_session_and_their_own_file_digest() {
    let bench = Bench::new().await;
    let studio = bench.anyfast();
    let v = studio
        .start_agreed("Ada", Some(&bench.photos.url("/face.jpg")), false)
        .await
        .unwrap();
    let token = v.session.liveness_token.clone().unwrap();
    bench
        .rehearsal
        .complete_liveness_token(&token)
        .await
        .unwrap();
    let checked = studio.check_now(&v.session.id).await.unwrap();
    assert_eq!(checked.session.state, SessionState::Verified);
    let group = checked.session.group_id.clone();
    let EnrollOutcome::Enrolled { face } = studio
        .enroll_session(&v.session.id, None, None, None)
        .await
        .unwrap()
    else {
        panic!("BytePlus bills the account");
    };
    let first = consent_of(&face).clone();
    let session_ref = format!("{} / group {group}", v.session.id);
    assert_eq!(first.liveness_ref.as_deref(), Some(session_ref.as_str()));
    assert_eq!(first.file_sha256, Some(sha256_hex(common::face_jpeg())));
    assert_eq!(
        first.payment,
        Some(ConsentPayment::Account {
            provider: ProviderKind::Rehearsal
        })
    );

    let clip = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/media/talent-3s.mp4"
    ))
    .unwrap();
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
    let c = consent_of(&video);
    assert_eq!(
        c.liveness_ref.as_deref(),
        Some(session_ref.as_str()),
        "added later, it carries the session that verified the person"
    );
    assert_eq!(
        c.file_sha256,
        Some(sha256_hex(&clip)),
        "the video's own bytes"
    );
    let html = bench.library.consent_receipt(&video.asset_id).unwrap();
    assert_self_contained(&html);
    assert!(html.contains("BytePlus asset (video)"));
    assert!(html.contains("File sha256"));
    assert!(html.contains(&sha256_hex(&clip)));
    assert!(html.contains("This video was added to their group"));

    // Processing updates and a provider sync never rewrite the record.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let _ = studio.check_asset(&video.asset_id).await.unwrap();
    let mut again = video.clone();
    again.consent = None;
    bench.library.save_face(&again).unwrap();
    assert_eq!(
        bench.library.face(&video.asset_id).unwrap().consent,
        video.consent
    );
    studio.stop();
}

#[tokio::test]
async fn a_synced_face_says_it_was_enrolled_elsewhere() {
    let library = Library::open_in_memory().unwrap();
    let remote = RemoteFace {
        kind: RemoteFaceKind::RealFace,
        asset_id: "ta_synced000000000000000000000000".into(),
        group_id: Some("legacy_rf_9".into()),
        name: "Elsewhere".into(),
        image_url: "https://example.com/e.jpg".into(),
        created_at: Some("2026-07-02T10:00:00Z".into()),
        tx_hash: None,
    };
    library
        .merge_remote_faces(ProviderKind::BlockRun, std::slice::from_ref(&remote), 0)
        .unwrap();
    let face = library.face(&remote.asset_id).unwrap();
    assert_eq!(face.consent, None);
    let rows = library.face_summaries().unwrap();
    assert!(!rows[0].has_consent && !rows[0].has_thumbnail);
    let html = library.consent_receipt(&remote.asset_id).unwrap();
    assert_self_contained(&html);
    assert!(html.contains(NO_CONSENT_RECORD), "{html}");
    assert!(!html.to_lowercase().contains("signature"));
    assert!(library.consent_receipt("ta_nope").is_err());
}

fn filed(asset_id: &str, name: &str, provider: ProviderKind, kind: FaceKind) -> Face {
    Face {
        asset_id: asset_id.into(),
        provider,
        kind,
        name: name.into(),
        image_url: format!("https://photos.example/{asset_id}.jpg"),
        thumbnail: None,
        group_id: (kind != FaceKind::Portrait).then(|| format!("legacy_rf_{asset_id}")),
        enrolled_at_ms: 1_782_991_391_000,
        price_usd: None,
        tx_hash: None,
        photo_override: None,
        asset_type: AssetType::Image,
        status: likeness::providers::AssetStatus::Active,
        status_message: None,
        consent: Some(ConsentRecord {
            operator: "Grace".into(),
            recorded_at_ms: 1_782_991_391_000,
            liveness_ref: (kind != FaceKind::Portrait)
                .then(|| format!("ses_1 / group g_{asset_id}")),
            file_sha256: Some("cd".repeat(32)),
            payment: Some(ConsentPayment::Account { provider }),
            hosted_copy_deleted_at_ms: None,
            release: None,
        }),
        revoked: None,
        tags: Vec::new(),
    }
}

#[test]
fn the_cli_searches_the_library_and_writes_a_receipt() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let library = Library::open(&data.path().join(library::FILE_NAME)).unwrap();
    for f in [
        filed(
            "ta_ada",
            "Ada Lovelace",
            ProviderKind::BlockRun,
            FaceKind::RealFace,
        ),
        filed(
            "ta_robo",
            "Robo Ada",
            ProviderKind::BlockRun,
            FaceKind::Portrait,
        ),
        filed(
            "ta_grace",
            "Grace Hopper",
            ProviderKind::JarvisClaw,
            FaceKind::RealFace,
        ),
    ] {
        library.save_face(&f).unwrap();
    }
    drop(library);
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_likeness"))
            .current_dir(work.path())
            .arg("--data-dir")
            .arg(data.path())
            .args(args)
            .env("LIKENESS_KEYRING_SERVICE", "likeness-consent-test-unused")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--json", "faces"];
        all.extend_from_slice(args);
        let line: serde_json::Value = serde_json::from_str(run(&all).trim()).unwrap();
        line["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["assetId"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&[]).len(), 3);
    assert_eq!(ids(&["--search", "ADA"]), ["ta_robo", "ta_ada"]);
    assert_eq!(ids(&["--search", "ada", "--kind", "real_face"]), ["ta_ada"]);
    assert_eq!(ids(&["--only-provider", "jarvisclaw"]), ["ta_grace"]);
    assert!(ids(&["--search", "nobody"]).is_empty());
    assert!(run(&["faces", "--search", "nobody"]).contains("No face in the library matches"));
    let listed: serde_json::Value =
        serde_json::from_str(run(&["--json", "faces", "--search", "grace"]).trim()).unwrap();
    assert_eq!(
        listed["result"][0]["consent"]["payment"],
        serde_json::json!({"rail": "account", "provider": "jarvisclaw"})
    );

    // The receipt: the default name in the current folder, or where --out says.
    let printed = run(&["faces", "receipt", "--id", "ta_ada"]);
    assert_eq!(printed.trim(), "ta_ada-consent.html");
    let html = std::fs::read_to_string(work.path().join("ta_ada-consent.html")).unwrap();
    assert_self_contained(&html);
    assert!(html.contains("Ada Lovelace") && html.contains(&"cd".repeat(32)));
    let out = work.path().join("receipts/robo.html");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let answer: serde_json::Value = serde_json::from_str(
        run(&[
            "--json",
            "faces",
            "receipt",
            "--id",
            "ta_robo",
            "--out",
            out.to_str().unwrap(),
        ])
        .trim(),
    )
    .unwrap();
    assert_eq!(answer["result"]["path"], out.to_str().unwrap());
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("No liveness: AI-generated character."));

    // Bad flags and unknown ids are refused in plain words.
    for (args, needle) in [
        (
            &["faces", "--kind", "robot"][..],
            "use real_face, portrait or asset",
        ),
        (
            &["faces", "--only-provider", "nope"][..],
            "Unknown provider",
        ),
        (
            &["faces", "receipt", "--id", "ta_missing"][..],
            "No asset ta_missing",
        ),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_likeness"))
            .current_dir(work.path())
            .arg("--data-dir")
            .arg(data.path())
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

/// The talent's consent from the start of a session to a revoked face: no QR, scan or enroll
/// before the talent agrees; the record keeps the exact text, its hash and version, the typed
/// name, the time and the end; the receipt (HTML and PDF) shows it; a revoked face is refused
/// for video with its own code.
#[tokio::test]
async fn the_talent_agrees_before_the_qr_and_a_revoked_face_makes_no_video() {
    let bench = Bench::new().await;
    let studio = bench.blockrun(Rail::Key);
    let release = bench
        .library
        .save_release_template(
            &library::ReleaseTemplate {
                production: "Northwind Pictures — “Harbour Lights”".into(),
                term_months: 12,
                territory: "United Kingdom".into(),
                ..library::ReleaseTemplate::default()
            },
            1,
        )
        .unwrap();
    let opened = studio
        .start_session("Ada", Some(&bench.photos.url("/face.jpg")), false)
        .await
        .unwrap();
    let id = opened.session.id.clone();
    assert_eq!(opened.session.state, SessionState::AwaitingConsent);
    assert!(opened.qr_svg.is_none(), "no QR before the talent agrees");
    assert!(opened.session.h5_link.is_empty(), "no link was asked for");
    let offer = opened.release.clone().expect("the release is offered");
    assert_eq!(offer.version, release.version);
    assert_eq!(offer.text, release.text());
    assert_eq!(offer.sha256, sha256_hex(release.text().as_bytes()));
    // Nothing moves the session on but the talent's own agreement.
    assert!(studio.refresh_session(&id).await.is_err(), "no QR");
    assert!(studio.enroll_session(&id, None, None, None).await.is_err());
    assert_eq!(
        studio.check_now(&id).await.unwrap().session.state,
        SessionState::AwaitingConsent
    );
    let wrong = studio
        .give_consent(&id, "Ada Lovelace", &"0".repeat(64))
        .await
        .unwrap_err();
    assert_eq!(wrong.field(), Some("release"), "{wrong}");
    let blank = studio
        .give_consent(&id, "  ", &offer.sha256)
        .await
        .unwrap_err();
    assert_eq!(blank.field(), Some("typed_name"), "{blank}");
    assert_eq!(
        bench.library.session(&id).unwrap().state,
        SessionState::AwaitingConsent,
        "a refused agreement records nothing"
    );

    let agreed = studio
        .give_consent(&id, " Ada Lovelace ", &offer.sha256)
        .await
        .unwrap();
    assert_eq!(agreed.session.state, SessionState::AwaitingScan);
    assert!(
        agreed.qr_svg.is_some(),
        "the QR appears once the talent agreed"
    );
    assert!(
        studio
            .give_consent(&id, "Ada", &offer.sha256)
            .await
            .is_err(),
        "agreed once"
    );
    bench
        .rehearsal
        .complete_liveness(&agreed.session.group_id)
        .await
        .unwrap();
    assert_eq!(
        studio.check_now(&id).await.unwrap().session.state,
        SessionState::Verified
    );
    let EnrollOutcome::Enrolled { face } =
        studio.enroll_session(&id, None, None, None).await.unwrap()
    else {
        panic!("the key's account enrolls at once");
    };
    let given = consent_of(&face)
        .release
        .clone()
        .expect("the release is kept");
    assert_eq!(given.template_version, release.version);
    assert_eq!(given.release_text, release.text());
    assert_eq!(given.release_sha256, offer.sha256);
    assert_eq!(given.typed_name, "Ada Lovelace");
    assert!((given.agreed_at_ms - face.enrolled_at_ms).abs() < 60_000);
    assert_eq!(
        given.ends_at_ms,
        library::add_months(given.agreed_at_ms, 12),
        "the end date is the term from the day the talent agreed"
    );
    assert_eq!(bench.library.face(&face.asset_id).unwrap(), *face);

    let html = bench.library.consent_receipt(&face.asset_id).unwrap();
    assert_self_contained(&html);
    for part in [
        "Release text as the talent was shown it",
        "Territory: United Kingdom",
        "Ada Lovelace",
        &given.release_sha256,
    ] {
        assert!(html.contains(part), "{part:?} in the receipt");
    }
    let pdf = bench.library.consent_receipt_pdf(&face.asset_id).unwrap();
    // Left for a look (pdftoppm): target/tmp/consent-receipt.pdf.
    std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("consent-receipt.pdf"),
        &pdf,
    )
    .unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    assert_eq!(library::pdf_page_count(&pdf), Some(1));
    for line in [
        "Territory: United Kingdom",
        "Term: 1 year from the day I agree",
    ] {
        assert!(
            pdf.windows(line.len()).any(|w| w == line.as_bytes()),
            "{line:?} in the PDF"
        );
    }
    // A line with a character past ASCII (the quotes) is written as a hex string.
    let hex: Vec<u8> = hex::encode_upper("Production: Northwind Pictures").into_bytes();
    assert!(
        pdf.windows(hex.len()).any(|w| w == hex.as_slice()),
        "the production, in the PDF"
    );

    // Revoked: Generate says why, with the code the UI switches on; the receipt says so.
    bench
        .library
        .revoke_face(&face.asset_id, "Asked by her agent", 2)
        .unwrap();
    let request = likeness::video::VideoRequest {
        face_asset_id: face.asset_id.clone(),
        prompt: "A slow pan across the harbour at dusk".into(),
        ..likeness::video::VideoRequest::default()
    };
    let refused = studio.quote_video(&request).await.unwrap_err();
    assert_eq!(
        refused.code(),
        likeness::error::ErrorCode::ConsentRevoked,
        "{refused}"
    );
    assert!(
        refused.to_string().contains("Asked by her agent"),
        "{refused}"
    );
    assert!(
        bench.library.jobs().unwrap().is_empty(),
        "no job, nothing sent"
    );
    let html = bench.library.consent_receipt(&face.asset_id).unwrap();
    assert!(html.contains("REVOKED on"), "{html}");
    assert!(html.contains("Asked by her agent"));
}

/// A day's receipts in one PDF: one record per page run, the release text of each.
#[tokio::test]
async fn a_days_receipts_are_one_pdf() {
    let bench = Bench::new().await;
    let studio = bench.blockrun(Rail::Key);
    let mut ids = Vec::new();
    for name in ["Ada", "Grace", "Hedy"] {
        let (id, _) = bench.verified(&studio, name, "/face.jpg").await;
        let EnrollOutcome::Enrolled { face } =
            studio.enroll_session(&id, None, None, None).await.unwrap()
        else {
            panic!("enrolled at once on the key's account");
        };
        ids.push(face.asset_id.clone());
    }
    let face = bench.library.face(&ids[0]).unwrap();
    let today = &likeness::clock::rfc3339(face.enrolled_at_ms)[..10];
    // The local day may differ from the UTC one near midnight: take whichever holds them all.
    let day = [today.to_string()]
        .into_iter()
        .chain([-1i64, 1].iter().map(|d| {
            likeness::clock::rfc3339(face.enrolled_at_ms + d * 86_400_000)[..10].to_string()
        }))
        .find(|d| bench.library.day_receipts_pdf(d).is_ok_and(|(_, n)| n == 3))
        .expect("a day holds the three faces");
    let (pdf, records) = bench.library.day_receipts_pdf(&day).unwrap();
    assert_eq!(records, 3);
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(library::pdf_page_count(&pdf), Some(3), "a page each");
    for name in ["Ada", "Grace", "Hedy"] {
        assert!(pdf.windows(name.len()).any(|w| w == name.as_bytes()));
    }
    assert!(matches!(
        bench.library.day_receipts_pdf("1999-01-01"),
        Err(likeness::error::Error::NotFound(_))
    ));
    assert_eq!(
        bench
            .library
            .day_receipts_pdf("yesterday")
            .unwrap_err()
            .field(),
        Some("day")
    );
}
