//! Paid enrollment over x402 against Rehearsal on the test network: the operator confirms a
//! quote, the payment is signed once and recorded before it leaves, and faults never make it
//! settle twice.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use alloy::signers::local::PrivateKeySigner;
use common::{PhotoHost, StartAgreed};
use likeness::balance::{BalanceReading, ChainNodes};
use likeness::error::ErrorCode;
use likeness::flow::poll::PollPolicy;
use likeness::flow::{EnrollOutcome, SessionState, SessionView, Studio, StudioConfig};
use likeness::http::{self, TrustRoots};
use likeness::library::{Library, PaymentRecord, PaymentStatus};
use likeness::payment::{self, X402Version};
use likeness::providers::{blockrun, Provider, ProviderKind};
use likeness::spend::SpendCaps;
use rehearsal::{ChallengeShape, RehearsalServer};

const HARDHAT_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

struct Bench {
    photos: PhotoHost,
    rehearsal: RehearsalServer,
    library: Arc<Library>,
    _dir: tempfile::TempDir,
}

impl Bench {
    async fn new(version: X402Version) -> Bench {
        Bench::shaped(version, ChallengeShape::Standard).await
    }

    async fn shaped(version: X402Version, shape: ChallengeShape) -> Bench {
        Bench::configured(|config| {
            config.x402_version = version;
            config.challenge_shape = shape;
        })
        .await
    }

    async fn configured(set: impl FnOnce(&mut rehearsal::RehearsalConfig)) -> Bench {
        let photos = PhotoHost::start().await;
        let dir = tempfile::tempdir().unwrap();
        let mut config = common::rehearsal_config(&photos);
        set(&mut config);
        let rehearsal = common::start_rehearsal_with(config).await;
        let library = Arc::new(Library::open(&dir.path().join("likeness.sqlite3")).unwrap());
        Bench {
            photos,
            rehearsal,
            library,
            _dir: dir,
        }
    }

    /// A studio on the wallet rail: no API key, the Hardhat test key signs.
    fn studio(&self, caps: SpendCaps) -> Arc<Studio> {
        let http = http::client(&TrustRoots(vec![self.photos.root_cert_der()])).unwrap();
        let client = blockrun::Client::new(
            ProviderKind::Rehearsal,
            self.rehearsal.base_url(),
            http.clone(),
            None,
        );
        let provider = Provider::BlockRun(client);
        let config = StudioConfig {
            policy: PollPolicy {
                budget_per_hour: 20,
                reserve: 3,
                min_interval_ms: 200,
                first_check_after_ms: 200,
            },
            caps,
            wallet: Some(HARDHAT_KEY.parse::<PrivateKeySigner>().unwrap()),
            chain_nodes: ChainNodes {
                base_sepolia: self.rehearsal.base_url().join("rpc").unwrap(),
                ..ChainNodes::default()
            },
            ..StudioConfig::for_provider(&provider)
        };
        Studio::new(Arc::clone(&self.library), provider, http, config)
    }

    /// A session the talent has finished, ready to enroll.
    async fn verified(&self, studio: &Arc<Studio>) -> String {
        let v = studio
            .start_agreed("Ada", Some(&self.photos.url("/face.jpg")), false)
            .await
            .unwrap();
        self.rehearsal
            .complete_liveness(&v.session.group_id)
            .await
            .unwrap();
        assert_eq!(
            studio.check_now(&v.session.id).await.unwrap().session.state,
            SessionState::Verified
        );
        v.session.id
    }
}

fn quoted(outcome: EnrollOutcome) -> SessionView {
    match outcome {
        EnrollOutcome::PaymentRequired { view } => *view,
        EnrollOutcome::Enrolled { .. } => panic!("the wallet rail must ask the operator first"),
    }
}

#[tokio::test]
async fn the_operator_confirms_a_quote_and_it_settles_once_v2() {
    paid_enrollment(X402Version::V2).await;
}

#[tokio::test]
async fn the_operator_confirms_a_quote_and_it_settles_once_v1() {
    paid_enrollment(X402Version::V1).await;
}

#[tokio::test]
async fn every_documented_402_shape_is_read_and_paid_once() {
    // Each place a document puts the challenge, alone (Rehearsal's setting), in both versions:
    // a client that skipped one would fail here, not at a real seller.
    for shape in ChallengeShape::ALL {
        for version in [X402Version::V1, X402Version::V2] {
            paid_enrollment_in(version, shape).await;
        }
    }
}

async fn paid_enrollment(version: X402Version) {
    paid_enrollment_in(version, ChallengeShape::Standard).await;
}

async fn paid_enrollment_in(version: X402Version, shape: ChallengeShape) {
    let bench = Bench::shaped(version, shape).await;
    let studio = bench.studio(SpendCaps::default());
    let id = bench.verified(&studio).await;

    let view = quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    assert_eq!(view.session.state, SessionState::AwaitingPayment);
    let quote = view.quote.expect("the price is shown");
    assert_eq!(
        quote.amount_usdc(),
        "0.01",
        "the doc's price, from the challenge"
    );
    assert!(quote.network().is_testnet());
    assert!(!view.payee_changed, "the first payment to this provider");
    assert_eq!(
        bench.rehearsal.settlements(),
        0,
        "nothing is paid before the operator confirms"
    );
    assert!(
        bench.library.payments().unwrap().is_empty(),
        "nothing is signed before the operator confirms"
    );

    let face = studio.confirm_payment(&id, false).await.unwrap();
    assert!(face.asset_id.starts_with("ta_"));
    assert_eq!(bench.rehearsal.settlements(), 1);
    let ledger = bench.library.payments().unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].status, PaymentStatus::Settled);
    assert_eq!(ledger[0].amount_atomic, "10000");
    assert_eq!(ledger[0].asset_id.as_deref(), Some(face.asset_id.as_str()));
    assert!(ledger[0]
        .settlement_tx
        .as_deref()
        .is_some_and(|t| t.starts_with("0x") && t.len() == 66));
    assert_eq!(ledger[0].header_name, version.payment_header());
    assert_eq!(
        bench.library.session(&id).unwrap().state,
        SessionState::Enrolled
    );
}

#[tokio::test]
async fn declining_signs_nothing() {
    let bench = Bench::new(X402Version::V2).await;
    let studio = bench.studio(SpendCaps::default());
    let id = bench.verified(&studio).await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    let view = studio.decline_payment(&id).unwrap();
    assert_eq!(view.session.state, SessionState::Verified);
    let e = studio.confirm_payment(&id, false).await.unwrap_err();
    assert_eq!(
        e.code(),
        ErrorCode::InvalidInput,
        "no quote is waiting after a decline"
    );
    assert!(bench.library.payments().unwrap().is_empty());
    assert_eq!(bench.rehearsal.settlements(), 0);
}

#[tokio::test]
async fn a_price_above_the_cap_is_refused_before_signing() {
    let bench = Bench::new(X402Version::V2).await;
    let studio = bench.studio(SpendCaps {
        per_payment_atomic: 5_000,
        daily_atomic: 20_000_000,
    });
    let id = bench.verified(&studio).await;
    let e = studio
        .enroll_session(&id, None, None, None)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("per-payment cap") && e.to_string().contains("Nothing was signed"),
        "{e}"
    );
    assert_eq!(
        bench.library.session(&id).unwrap().state,
        SessionState::Verified
    );
    assert!(bench.library.payments().unwrap().is_empty());
}

#[tokio::test]
async fn a_dropped_connection_after_settling_resends_the_same_payment() {
    let bench = Bench::new(X402Version::V2).await;
    let studio = bench.studio(SpendCaps::default());
    let id = bench.verified(&studio).await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    bench
        .rehearsal
        .faults()
        .drop_connection_after_settle_once
        .store(true, Ordering::SeqCst);
    let face = studio.confirm_payment(&id, false).await.unwrap();
    assert_eq!(
        bench.rehearsal.settlements(),
        1,
        "the re-sent header must not settle again"
    );
    let ledger = bench.library.payments().unwrap();
    assert_eq!(ledger.len(), 1, "one signature, re-sent");
    assert_eq!(ledger[0].asset_id.as_deref(), Some(face.asset_id.as_str()));
}

#[tokio::test]
async fn an_upstream_failure_is_not_charged_and_a_retry_pays_once() {
    let bench = Bench::new(X402Version::V2).await;
    let studio = bench.studio(SpendCaps::default());
    let id = bench.verified(&studio).await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    bench
        .rehearsal
        .faults()
        .upstream_error_once
        .store(true, Ordering::SeqCst);
    let e = studio.confirm_payment(&id, false).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::UpstreamFailed);
    assert_eq!(bench.rehearsal.settlements(), 0);
    assert_eq!(
        bench.library.payments().unwrap()[0].status,
        PaymentStatus::NotCharged
    );
    assert_eq!(
        bench.library.session(&id).unwrap().state,
        SessionState::Verified
    );

    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    studio.confirm_payment(&id, false).await.unwrap();
    assert_eq!(bench.rehearsal.settlements(), 1);
}

#[tokio::test]
async fn a_restart_between_signing_and_the_answer_pays_once() {
    let bench = Bench::new(X402Version::V2).await;
    let studio = bench.studio(SpendCaps::default());
    let id = bench.verified(&studio).await;
    let view = quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    let quote = view.quote.unwrap();

    // What confirm_payment does up to the crash: sign, write the ledger, send — and the app dies
    // before the answer arrives (the request reached Rehearsal and settled).
    let wallet: PrivateKeySigner = HARDHAT_KEY.parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let signed = payment::sign(&quote, &wallet, now, payment::fresh_nonce()).unwrap();
    bench
        .library
        .record_payment(&PaymentRecord {
            id: "pay_crash".into(),
            provider: ProviderKind::Rehearsal,
            purpose: format!("realface:{id}"),
            amount_atomic: signed.value.clone(),
            payee: signed.to.clone(),
            network: quote.network().label().into(),
            asset_contract: quote.asset().to_string(),
            nonce: signed.nonce_hex.clone(),
            header_name: signed.header_name.clone(),
            header_value: signed.header_value.clone(),
            status: PaymentStatus::Signed,
            settlement_tx: None,
            asset_id: None,
            created_at_ms: 0,
            updated_at_ms: 0,
            operator: String::new(),
        })
        .unwrap();
    let session = bench.library.session(&id).unwrap();
    let lost = reqwest::Client::builder()
        .build()
        .unwrap()
        .post(bench.rehearsal.base_url().join("v1/realface/enroll").unwrap())
        .header(signed.header_name.as_str(), signed.header_value.as_str())
        .json(&serde_json::json!({"name": session.talent_name, "image_url": session.image_url, "group_id": session.group_id}))
        .send()
        .await
        .unwrap();
    assert!(lost.status().is_success(), "{}", lost.status());
    assert_eq!(bench.rehearsal.settlements(), 1);
    studio.stop();
    drop(studio);

    // The app comes back, and the operator presses Enroll again.
    let studio = bench.studio(SpendCaps::default());
    studio.resume_open_sessions().unwrap();
    let outcome = studio.enroll_session(&id, None, None, None).await.unwrap();
    let EnrollOutcome::Enrolled { face } = outcome else {
        panic!("the payment signed before the crash must be re-sent, not a new quote asked");
    };
    assert_eq!(bench.rehearsal.settlements(), 1, "exactly one settlement");
    let ledger = bench.library.payments().unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].status, PaymentStatus::Settled);
    assert_eq!(ledger[0].asset_id.as_deref(), Some(face.asset_id.as_str()));
}

#[tokio::test]
async fn a_new_payee_needs_a_second_confirmation() {
    let bench = Bench::new(X402Version::V2).await;
    let studio = bench.studio(SpendCaps::default());
    bench
        .library
        .record_payment(&PaymentRecord {
            id: "pay_old".into(),
            provider: ProviderKind::Rehearsal,
            purpose: "realface:ses_old".into(),
            amount_atomic: "10000".into(),
            payee: "0x1111111111111111111111111111111111111111".into(),
            network: "Base Sepolia".into(),
            asset_contract: "0x036CbD53842c5426634e7929541eC2318f3dCF7e".into(),
            nonce: "0x01".into(),
            header_name: "PAYMENT-SIGNATURE".into(),
            header_value: "x".into(),
            status: PaymentStatus::Settled,
            settlement_tx: None,
            asset_id: None,
            created_at_ms: 0,
            updated_at_ms: 0,
            operator: String::new(),
        })
        .unwrap();
    let id = bench.verified(&studio).await;
    let view = quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    assert!(view.payee_changed);
    // The panel names the payee from the ledger: never paid at this address, last paid elsewhere.
    let pay_to = view.quote.as_ref().unwrap().pay_to().to_string();
    let new_payee = studio.payee(ProviderKind::Rehearsal, &pay_to).unwrap();
    assert_eq!((new_payee.times_paid, new_payee.changed), (0, true));
    let old = studio
        .payee(
            ProviderKind::Rehearsal,
            "0x1111111111111111111111111111111111111111",
        )
        .unwrap();
    assert_eq!(
        (old.times_paid, old.last_paid_ms, old.changed),
        (1, Some(0), false)
    );
    let e = studio.confirm_payment(&id, false).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ConfirmationNeeded);
    assert_eq!(bench.rehearsal.settlements(), 0);
    studio.confirm_payment(&id, true).await.unwrap();
    assert_eq!(bench.rehearsal.settlements(), 1);
    // Once paid, it is the known payee, matched whatever the address's letter case.
    let known = studio
        .payee(ProviderKind::Rehearsal, &pay_to.to_lowercase())
        .unwrap();
    assert_eq!((known.times_paid, known.changed), (1, false));
}

#[tokio::test]
async fn a_restart_while_a_price_is_shown_forgets_the_price_and_signs_nothing() {
    let bench = Bench::new(X402Version::V2).await;
    let studio = bench.studio(SpendCaps::default());
    let id = bench.verified(&studio).await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    studio.stop();
    drop(studio);
    let studio = bench.studio(SpendCaps::default());
    let resumed = studio.resume_open_sessions().unwrap();
    assert_eq!(resumed[0].session.state, SessionState::Verified);
    assert!(resumed[0].quote.is_none());
    assert!(
        studio.confirm_payment(&id, false).await.is_err(),
        "an old price cannot be paid"
    );
    let view = quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    assert!(view.quote.is_some(), "Enroll asks for a fresh price");
    assert!(bench.library.payments().unwrap().is_empty());
    assert_eq!(bench.rehearsal.settlements(), 0);
}

#[tokio::test]
async fn a_virtual_portrait_is_paid_only_when_approved() {
    let bench = Bench::new(X402Version::V2).await;
    let studio = bench.studio(SpendCaps::default());
    let url = bench.photos.url("/face.webp");

    let mut shown = None;
    let e = studio
        .enroll_portrait("Robo Host", &url, false, |q| {
            shown = Some(q.amount_usdc().to_string());
            false
        })
        .await
        .unwrap_err();
    assert_eq!(
        shown.as_deref(),
        Some("0.01"),
        "the portrait price from the challenge is shown"
    );
    assert!(e.to_string().contains("nothing was signed"), "{e}");
    assert!(bench.library.payments().unwrap().is_empty());
    assert_eq!(bench.rehearsal.settlements(), 0);

    let face = studio
        .enroll_portrait("Robo Host", &url, false, |_| true)
        .await
        .unwrap();
    assert!(face.asset_id.starts_with("ta_"));
    assert_eq!(bench.rehearsal.settlements(), 1);
    let ledger = bench.library.payments().unwrap();
    assert_eq!(
        (ledger[0].status, ledger[0].amount_atomic.as_str()),
        (PaymentStatus::Settled, "10000")
    );
    assert_eq!(bench.library.faces().unwrap().len(), 1);
}

#[tokio::test]
async fn a_portrait_over_the_cap_is_refused_before_the_operator_is_asked() {
    let bench = Bench::new(X402Version::V1).await;
    // Half a cent: under the portrait's $0.01.
    let studio = bench.studio(SpendCaps {
        per_payment_atomic: 5_000,
        daily_atomic: 20_000_000,
    });
    let e = studio
        .enroll_portrait("Robo Host", &bench.photos.url("/face.webp"), false, |_| {
            panic!("must not ask")
        })
        .await
        .unwrap_err();
    assert!(e.to_string().contains("per-payment cap"), "{e}");
    assert_eq!(bench.rehearsal.settlements(), 0);
}

fn known_atomic(reading: &BalanceReading) -> &str {
    match reading {
        BalanceReading::Known {
            atomic, network, ..
        } => {
            assert_eq!(*network, payment::Network::BaseSepolia, "test money");
            atomic
        }
        other => panic!("the balance should be known: {other:?}"),
    }
}

#[tokio::test]
async fn the_wallet_balance_is_read_from_the_test_network_and_falls_by_what_settled() {
    let bench = Bench::new(X402Version::V2).await;
    let studio = bench.studio(SpendCaps::default());
    let before = studio.wallet_balance(None).await;
    assert_eq!(
        known_atomic(&before),
        "20000000",
        "Rehearsal's 20 test USDC"
    );

    let id = bench.verified(&studio).await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    assert_eq!(
        known_atomic(&studio.wallet_balance(None).await),
        "20000000",
        "a price shown moves nothing"
    );
    studio.confirm_payment(&id, false).await.unwrap();
    assert_eq!(
        known_atomic(&studio.wallet_balance(None).await),
        "19990000",
        "$0.01 left at settlement"
    );

    // A node for another chain is never believed: Rehearsal's node asked for Base mainnet.
    let wrong = studio.wallet_balance(Some(payment::Network::Base)).await;
    let BalanceReading::Unknown { reason, .. } = wrong else {
        panic!("mainnet's node here is not Rehearsal's: {wrong:?}");
    };
    assert!(reason.contains("https://mainnet.base.org"), "{reason}");
}

#[tokio::test]
async fn a_node_on_another_chain_is_not_believed() {
    let bench = Bench::new(X402Version::V2).await;
    let http = http::client(&TrustRoots(vec![])).unwrap();
    let rehearsal_node = bench.rehearsal.base_url().join("rpc").unwrap();
    let owner = HARDHAT_KEY.parse::<PrivateKeySigner>().unwrap().address();
    let clock = likeness::clock::Clock::new();
    let reading = likeness::balance::read(
        &http,
        &rehearsal_node,
        payment::Network::Base,
        owner,
        &clock,
    )
    .await;
    let BalanceReading::Unknown { reason, .. } = reading else {
        panic!("Base Sepolia's node answered for Base: {reading:?}");
    };
    assert!(
        reason.contains("chain 84532, not Base's chain 8453"),
        "{reason}"
    );
}

#[tokio::test]
async fn without_the_funds_the_payment_is_refused_in_words_and_nothing_settles() {
    // A facilitator simulates the transfer: $0.005 of test USDC cannot pay $0.01.
    let bench = Bench::configured(|c| c.test_funds_atomic = 5_000).await;
    let studio = bench.studio(SpendCaps::default());
    assert_eq!(known_atomic(&studio.wallet_balance(None).await), "5000");
    let id = bench.verified(&studio).await;
    quoted(studio.enroll_session(&id, None, None, None).await.unwrap());
    let err = studio.confirm_payment(&id, false).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::PaymentRejected, "{err}");
    let words = err.to_string();
    assert!(words.contains("does not hold enough USDC"), "{words}");
    assert!(words.contains("Nothing was charged"), "{words}");
    assert_eq!(bench.rehearsal.settlements(), 0);
    let ledger = bench.library.payments().unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].status, PaymentStatus::Rejected);
}

#[tokio::test]
async fn the_session_form_hears_whether_the_wallet_can_pay_an_enrollment() {
    use likeness::flow::EnrollmentFunds;
    // BlockRun's documented price now ($0.011), against Rehearsal's 20 test USDC.
    let bench = Bench::new(X402Version::V2).await;
    let funds = bench
        .studio(SpendCaps::default())
        .enrollment_funds()
        .await
        .unwrap();
    assert_eq!(
        funds,
        EnrollmentFunds::Enough {
            price_atomic: "11000".into(),
            balance_atomic: "20000000".into()
        }
    );
    // A daily limit the price would pass: the cap's own sentence, before any price is shown.
    let capped = bench.studio(SpendCaps {
        per_payment_atomic: 2_000_000,
        daily_atomic: 10_000,
    });
    assert_eq!(
        capped.enrollment_funds().await.unwrap(),
        EnrollmentFunds::OverLimit {
            price_atomic: "11000".into(),
            cap: likeness::flow::SpendCap::Daily
        }
    );
    // $0.005 in the wallet cannot pay it.
    let poor = Bench::configured(|c| c.test_funds_atomic = 5_000).await;
    let funds = poor
        .studio(SpendCaps::default())
        .enrollment_funds()
        .await
        .unwrap();
    assert_eq!(
        funds,
        EnrollmentFunds::Short {
            price_atomic: "11000".into(),
            balance_atomic: "5000".into()
        }
    );
    assert_eq!(poor.rehearsal.settlements(), 0, "asking pays nothing");
}
