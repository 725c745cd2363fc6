//! Virtual portraits in two steps, as the window runs them, against Rehearsal: the price is shown
//! and nothing is signed; Pay settles exactly once and files the face; Decline signs nothing;
//! a price that changed between the quote and Pay is refused with a new quote; the key rail.

mod common;

use std::sync::Arc;

use alloy::signers::local::PrivateKeySigner;
use common::{PhotoHost, TEST_API_KEY};
use likeness::error::ErrorCode;
use likeness::flow::poll::PollPolicy;
use likeness::flow::{PortraitOutcome, Studio, StudioConfig};
use likeness::http::{self, TrustRoots};
use likeness::library::{ConsentPayment, Face, FaceKind, Library, PaymentStatus};
use likeness::providers::{blockrun, Provider, ProviderKind};
use likeness::secrets::Secret;
use rehearsal::RehearsalServer;

const HARDHAT_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

struct Bench {
    photos: PhotoHost,
    rehearsal: RehearsalServer,
    library: Arc<Library>,
    _dir: tempfile::TempDir,
}

impl Bench {
    async fn new() -> Bench {
        let photos = PhotoHost::start().await;
        let rehearsal = common::start_rehearsal(&photos).await;
        let dir = tempfile::tempdir().unwrap();
        let library = Arc::new(Library::open(&dir.path().join("likeness.sqlite3")).unwrap());
        Bench {
            photos,
            rehearsal,
            library,
            _dir: dir,
        }
    }

    fn http(&self) -> reqwest::Client {
        http::client(&TrustRoots(vec![self.photos.root_cert_der()])).unwrap()
    }

    fn blockrun(&self, rehearsal: &RehearsalServer, key: bool) -> Provider {
        let key = key.then(|| Secret::new(TEST_API_KEY));
        Provider::BlockRun(blockrun::Client::new(
            ProviderKind::Rehearsal,
            rehearsal.base_url(),
            self.http(),
            key,
        ))
    }

    fn studio(&self, key: bool) -> Arc<Studio> {
        let provider = self.blockrun(&self.rehearsal, key);
        let config = StudioConfig {
            policy: PollPolicy {
                budget_per_hour: 360,
                reserve: 3,
                min_interval_ms: 100,
                first_check_after_ms: 100,
            },
            wallet: Some(HARDHAT_KEY.parse::<PrivateKeySigner>().unwrap()),
            ..StudioConfig::for_provider(&provider)
        };
        Studio::new(Arc::clone(&self.library), provider, self.http(), config)
    }

    fn photo(&self) -> String {
        self.photos.url("/face.webp")
    }
}

fn enrolled(outcome: PortraitOutcome) -> Face {
    match outcome {
        PortraitOutcome::Enrolled { face } => *face,
        PortraitOutcome::PriceChanged { quote } => panic!("price changed: {:?}", quote.notice),
    }
}

#[tokio::test]
async fn the_price_is_shown_then_pay_settles_once_and_files_the_portrait() {
    let bench = Bench::new().await;
    let studio = bench.studio(false);

    let shown = studio
        .quote_portrait("  Robo Host ", &bench.photo(), false)
        .await
        .unwrap();
    let quote = shown.quote.as_ref().expect("x402 names its price");
    assert_eq!(quote.amount_usdc(), "0.01");
    assert!(quote.network().label().starts_with("Base Sepolia"));
    assert_eq!(shown.name, "Robo Host");
    assert!(!shown.payee_changed, "nothing was paid before");
    assert!(shown.buys.contains("no liveness"), "{}", shown.buys);
    assert_eq!(
        bench.rehearsal.settlements(),
        0,
        "nothing signed before Pay"
    );
    assert!(bench.library.payments().unwrap().is_empty());
    assert!(bench.library.faces().unwrap().is_empty());

    let face = enrolled(studio.confirm_portrait(&shown.id, false).await.unwrap());
    assert_eq!(bench.rehearsal.settlements(), 1);
    assert_eq!(face.kind, FaceKind::Portrait);
    assert!(face.asset_id.starts_with("ta_"), "{}", face.asset_id);
    let filed = bench.library.face(&face.asset_id).unwrap();
    assert_eq!(filed.kind, FaceKind::Portrait);
    assert_eq!(filed.name, "Robo Host");
    let consent = filed.consent.expect("a consent record");
    assert_eq!(
        consent.liveness_ref, None,
        "an AI character has no liveness"
    );
    let Some(ConsentPayment::X402 { tx_hash, .. }) = consent.payment else {
        panic!("paid by x402: {:?}", consent.payment)
    };
    assert!(tx_hash.is_some_and(|t| t.starts_with("0x")));
    let payments = bench.library.payments().unwrap();
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0].status, PaymentStatus::Settled);
    assert_eq!(payments[0].amount_atomic, "10000");

    // The quote is spent: a second press cannot pay again.
    let again = studio.confirm_portrait(&shown.id, false).await.unwrap_err();
    assert_eq!(again.code(), ErrorCode::InvalidInput);
    assert_eq!(bench.rehearsal.settlements(), 1);
}

#[tokio::test]
async fn decline_signs_nothing_and_forgets_the_price() {
    let bench = Bench::new().await;
    let studio = bench.studio(false);
    let shown = studio
        .quote_portrait("Robo", &bench.photo(), false)
        .await
        .unwrap();
    studio.decline_portrait(&shown.id).unwrap();
    let err = studio.confirm_portrait(&shown.id, false).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("Get the price again"), "{err}");
    assert_eq!(bench.rehearsal.settlements(), 0);
    assert!(bench.library.payments().unwrap().is_empty());
    assert!(bench.library.faces().unwrap().is_empty());
}

#[tokio::test]
async fn a_price_changed_after_it_was_shown_is_refused_with_a_new_quote() {
    let bench = Bench::new().await;
    let studio = bench.studio(false);
    let shown = studio
        .quote_portrait("Robo", &bench.photo(), false)
        .await
        .unwrap();

    // The provider now asks $0.75: the same API, a different price.
    let mut config = common::rehearsal_config(&bench.photos);
    config.portrait_price_atomic = 750_000;
    let dearer = common::start_rehearsal_with(config).await;
    studio.set_provider(bench.blockrun(&dearer, false));

    let outcome = studio.confirm_portrait(&shown.id, false).await.unwrap();
    let PortraitOutcome::PriceChanged { quote: renewed } = outcome else {
        panic!("a changed price must not be paid")
    };
    let notice = renewed.notice.clone().unwrap();
    assert!(
        notice.contains("$0.75")
            && notice.contains("$0.01")
            && notice.contains("Nothing was signed"),
        "{notice}"
    );
    assert_eq!(renewed.quote.as_ref().unwrap().amount_atomic(), 750_000);
    assert_ne!(renewed.id, shown.id);
    assert_eq!(dearer.settlements() + bench.rehearsal.settlements(), 0);
    assert!(
        bench.library.payments().unwrap().is_empty(),
        "nothing signed"
    );

    // The new price, confirmed, is paid once.
    let face = enrolled(studio.confirm_portrait(&renewed.id, false).await.unwrap());
    assert!(face.asset_id.starts_with("ta_"));
    assert_eq!(dearer.settlements(), 1);
    assert_eq!(bench.library.payments().unwrap()[0].amount_atomic, "750000");
}

#[tokio::test]
async fn a_new_payee_needs_its_own_confirmation() {
    let bench = Bench::new().await;
    let studio = bench.studio(false);
    let first = studio
        .quote_portrait("Robo", &bench.photo(), false)
        .await
        .unwrap();
    enrolled(studio.confirm_portrait(&first.id, false).await.unwrap());

    let mut config = common::rehearsal_config(&bench.photos);
    config.pay_to = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
        .parse()
        .unwrap();
    let moved = common::start_rehearsal_with(config).await;
    studio.set_provider(bench.blockrun(&moved, false));
    let shown = studio
        .quote_portrait("Robo Two", &bench.photos.url("/face.png"), false)
        .await
        .unwrap();
    assert!(shown.payee_changed);
    let err = studio.confirm_portrait(&shown.id, false).await.unwrap_err();
    assert!(err.to_string().contains("confirm again"), "{err}");
    assert_eq!(moved.settlements(), 0);
    enrolled(studio.confirm_portrait(&shown.id, true).await.unwrap());
    assert_eq!(moved.settlements(), 1);
}

#[tokio::test]
async fn the_key_rail_bills_the_account_and_signs_nothing() {
    let bench = Bench::new().await;
    let studio = bench.studio(true);
    let shown = studio
        .quote_portrait("Robo", &bench.photo(), false)
        .await
        .unwrap();
    assert!(shown.quote.is_none());
    assert!(
        shown.buys.contains("billed to your rehearsal account")
            || shown.buys.contains("billed to your Rehearsal account"),
        "{}",
        shown.buys
    );
    assert!(
        bench.library.faces().unwrap().is_empty(),
        "quoting enrolls nothing"
    );
    let face = enrolled(studio.confirm_portrait(&shown.id, false).await.unwrap());
    assert_eq!(face.kind, FaceKind::Portrait);
    assert!(face.asset_id.starts_with("ta_"));
    assert!(matches!(
        face.consent.and_then(|c| c.payment),
        Some(ConsentPayment::Account { .. })
    ));
    assert_eq!(bench.rehearsal.settlements(), 0);
    assert!(bench.library.payments().unwrap().is_empty());
}

#[tokio::test]
async fn a_bad_name_or_photo_is_refused_before_any_price() {
    let bench = Bench::new().await;
    let studio = bench.studio(false);
    let err = studio
        .quote_portrait("   ", &bench.photo(), false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let err = studio
        .quote_portrait("Robo", &bench.photos.url("/missing.jpg"), false)
        .await
        .unwrap_err();
    assert!(!err.to_string().is_empty());
    assert_eq!(bench.rehearsal.settlements(), 0);
    assert!(bench.library.payments().unwrap().is_empty());
}
