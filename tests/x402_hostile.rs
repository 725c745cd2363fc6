//! Hostile 402 challenges, through the studio flow the app uses: a small server speaks
//! BlockRun's RealFace API honestly up to the enroll call, then answers it with a challenge
//! written to take more money, or money elsewhere, than the operator agreed to. Each one must be
//! refused before anything is signed: no payment header reaches the server, the ledger stays
//! empty, the session goes back to verified, and the operator reads what was wrong in words.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use alloy::signers::local::PrivateKeySigner;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use common::{PhotoHost, StartAgreed};
use likeness::error::{CommandError, ErrorCode};
use likeness::flow::poll::PollPolicy;
use likeness::flow::{EnrollOutcome, SessionState, Studio, StudioConfig};
use likeness::http::{self, TrustRoots};
use likeness::library::{Library, PaymentRecord, PaymentStatus};
use likeness::payment;
use likeness::providers::{blockrun, Provider, ProviderKind};
use likeness::spend::SpendCaps;
use serde_json::{json, Value};

const HARDHAT_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const USDC_BASE_SEPOLIA: &str = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
const PAYEE: &str = "0x209693Bc6afc0C5328bA36FaF03C514EF312287C";
const OTHER_PAYEE: &str = "0x9999999999999999999999999999999999999999";

/// What the enroll call answers without a payment.
#[derive(Clone)]
enum Challenge {
    /// v2: the offer in a base64 `PAYMENT-REQUIRED` header.
    V2(Value),
    /// v1: the offer in the 402's JSON body.
    V1(Value),
    /// A `PAYMENT-REQUIRED` header with exactly this text.
    RawHeader(String),
}

/// A 10,000-unit (0.01 USDC) v2 offer on Base Sepolia: payable as is.
fn honest_v2_offer() -> Value {
    json!({
        "scheme": "exact",
        "network": "eip155:84532",
        "amount": "10000",
        "asset": USDC_BASE_SEPOLIA,
        "payTo": PAYEE,
        "maxTimeoutSeconds": 300,
        "extra": {"name": "USDC", "version": "2"}
    })
}

fn honest_v1_offer() -> Value {
    json!({
        "scheme": "exact",
        "network": "base-sepolia",
        "maxAmountRequired": "10000",
        "resource": "http://127.0.0.1/v1/realface/enroll",
        "description": "RealFace enrollment",
        "mimeType": "application/json",
        "asset": USDC_BASE_SEPOLIA,
        "payTo": PAYEE,
        "maxTimeoutSeconds": 300,
        "extra": {"name": "USDC", "version": "2"}
    })
}

fn with(mut offer: Value, key: &str, value: Value) -> Value {
    offer[key] = value;
    offer
}

#[derive(Clone)]
struct Server {
    challenge: Arc<Mutex<Challenge>>,
    /// Requests that carried `X-PAYMENT` or `PAYMENT-SIGNATURE`, on any route.
    payments_seen: Arc<AtomicUsize>,
    enroll_calls: Arc<AtomicUsize>,
}

impl Server {
    async fn start(challenge: Challenge) -> (Server, url::Url) {
        let server = Server {
            challenge: Arc::new(Mutex::new(challenge)),
            payments_seen: Arc::default(),
            enroll_calls: Arc::default(),
        };
        let state = server.clone();
        let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
            let state = state.clone();
            async move { state.answer(uri.path(), &headers) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (server, format!("http://{addr}/").parse().unwrap())
    }

    fn answer(&self, path: &str, headers: &HeaderMap) -> Response {
        let paid = headers.contains_key(payment::X_PAYMENT_HEADER)
            || headers.contains_key(payment::PAYMENT_SIGNATURE_HEADER);
        if paid {
            self.payments_seen.fetch_add(1, Ordering::SeqCst);
        }
        match path {
            "/v1/realface/init" => axum::Json(json!({
                "group_id": "legacy_rf_4242",
                "h5_link": "https://kyc.example.com/h5?session=4242",
                "expires_in_seconds": 120
            }))
            .into_response(),
            "/v1/realface/status" => {
                axum::Json(json!({"status": "active", "ready_to_finalize": true})).into_response()
            }
            "/v1/realface/enroll" => {
                self.enroll_calls.fetch_add(1, Ordering::SeqCst);
                if paid {
                    // Only the payee-change case gets this far, after the second confirmation.
                    return axum::Json(json!({
                        "asset_id": "ta_0123456789abcdef0123456789abcdef",
                        "group_id": "legacy_rf_4242",
                        "name": "Ada",
                        "image_url": "https://localhost/face.jpg",
                        "created_at": "2026-11-30T12:00:00Z"
                    }))
                    .into_response();
                }
                self.challenge_response()
            }
            _ => (StatusCode::NOT_FOUND, "not found").into_response(),
        }
    }

    fn challenge_response(&self) -> Response {
        let error = "Payment required";
        match self.challenge.lock().unwrap().clone() {
            Challenge::V2(offer) => {
                let required = json!({
                    "x402Version": 2,
                    "error": error,
                    "resource": {"url": "http://127.0.0.1/v1/realface/enroll", "description": "RealFace enrollment", "mimeType": "application/json"},
                    "accepts": [offer]
                });
                let header = base64::engine::general_purpose::STANDARD
                    .encode(serde_json::to_vec(&required).unwrap());
                (
                    StatusCode::PAYMENT_REQUIRED,
                    [(payment::PAYMENT_REQUIRED_HEADER, header)],
                    axum::Json(json!({})),
                )
                    .into_response()
            }
            Challenge::V1(offer) => (
                StatusCode::PAYMENT_REQUIRED,
                axum::Json(json!({"x402Version": 1, "error": error, "accepts": [offer]})),
            )
                .into_response(),
            Challenge::RawHeader(text) => (
                StatusCode::PAYMENT_REQUIRED,
                [(payment::PAYMENT_REQUIRED_HEADER, text)],
                "",
            )
                .into_response(),
        }
    }

    fn payments_seen(&self) -> usize {
        self.payments_seen.load(Ordering::SeqCst)
    }
}

struct Bench {
    _photos: PhotoHost,
    photo_url: String,
    server: Server,
    studio: Arc<Studio>,
    library: Arc<Library>,
    _dir: tempfile::TempDir,
}

impl Bench {
    async fn new(challenge: Challenge) -> Bench {
        let photos = PhotoHost::start().await;
        let (server, base) = Server::start(challenge).await;
        let dir = tempfile::tempdir().unwrap();
        let library = Arc::new(Library::open(&dir.path().join("likeness.sqlite3")).unwrap());
        let http = http::client(&TrustRoots(vec![photos.root_cert_der()])).unwrap();
        let provider = Provider::BlockRun(blockrun::Client::new(
            ProviderKind::BlockRun,
            base,
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
        let studio = Studio::new(Arc::clone(&library), provider, http, config);
        Bench {
            photo_url: photos.url("/face.jpg"),
            _photos: photos,
            server,
            studio,
            library,
            _dir: dir,
        }
    }

    /// A session whose talent finished the phone check, as the operator sees it before Enroll.
    async fn verified(&self) -> String {
        let v = self
            .studio
            .start_agreed("Ada", Some(&self.photo_url), false)
            .await
            .unwrap();
        let checked = self.studio.check_now(&v.session.id).await.unwrap();
        assert_eq!(checked.session.state, SessionState::Verified);
        v.session.id
    }

    /// Presses Enroll and expects a refusal: what the call returned and what the window was
    /// sent for the session, both as the operator would read them.
    async fn refused(&self) -> (CommandError, CommandError) {
        let id = self.verified().await;
        let mut updates = self.studio.subscribe();
        let e = match self.studio.enroll_session(&id, None, None, None).await {
            Err(e) => e,
            Ok(EnrollOutcome::PaymentRequired { view }) => panic!(
                "a hostile challenge reached the operator as a price: {:?}",
                view.quote
            ),
            Ok(EnrollOutcome::Enrolled { .. }) => panic!("enrolled without paying"),
        };
        let mut notice = None;
        while let Ok(view) = updates.try_recv() {
            if view.session.id == id {
                notice = view.notice.or(notice);
            }
        }
        let notice = notice.expect("the session's window is told why");

        assert_eq!(
            self.server.enroll_calls.load(Ordering::SeqCst),
            1,
            "one unpaid enroll call fetched the challenge"
        );
        assert_eq!(self.server.payments_seen(), 0, "nothing was signed or sent");
        assert!(
            self.library.payments().unwrap().is_empty(),
            "nothing reaches the ledger"
        );
        assert_eq!(
            self.library.session(&id).unwrap().state,
            SessionState::Verified,
            "the session is left as it was: verified, ready for another try"
        );
        assert!(self.library.faces().unwrap().is_empty());
        (CommandError::from(&e), notice)
    }
}

fn assert_says(shown: &CommandError, words: &[&str]) {
    for w in words {
        assert!(
            shown.message.contains(w),
            "the operator should read {w:?} in: {}",
            shown.message
        );
    }
    assert!(
        shown.message.contains("Nothing was signed")
            || shown.message.contains("nothing was signed"),
        "the operator is told nothing was signed: {}",
        shown.message
    );
}

/// Both what the call returned and the session's notice, with the payment-refused code.
fn assert_refused(pair: (CommandError, CommandError), words: &[&str]) {
    let (returned, notice) = pair;
    assert_eq!(
        returned.code,
        ErrorCode::PaymentRefused,
        "{}",
        returned.message
    );
    assert_says(&returned, words);
    assert_eq!(
        returned.message, notice.message,
        "the window shows the same reason"
    );
}

#[tokio::test]
async fn a_huge_amount_is_refused_by_the_cap() {
    // 1,000,000 USDC: a well-formed offer, but far above the $2 per-payment cap.
    let offer = with(honest_v2_offer(), "amount", json!("1000000000000"));
    let bench = Bench::new(Challenge::V2(offer)).await;
    let (returned, notice) = bench.refused().await;
    assert_eq!(returned.code, ErrorCode::InvalidInput);
    assert_eq!(returned.field.as_deref(), Some("per_payment_cap"));
    assert_says(
        &returned,
        &["costs $1000000.", "above the $2.00 per-payment cap"],
    );
    assert_eq!(returned.message, notice.message);
}

#[tokio::test]
async fn an_amount_beyond_any_number_is_refused() {
    let amount = "9".repeat(60);
    let offer = with(honest_v1_offer(), "maxAmountRequired", json!(amount));
    let bench = Bench::new(Challenge::V1(offer)).await;
    assert_refused(
        bench.refused().await,
        &[&amount, "is not a positive whole number of USDC units"],
    );
}

#[tokio::test]
async fn a_foreign_chain_is_refused() {
    // Ethereum mainnet, by its CAIP-2 id.
    let offer = with(honest_v2_offer(), "network", json!("eip155:1"));
    let bench = Bench::new(Challenge::V2(offer)).await;
    assert_refused(
        bench.refused().await,
        &["network \"eip155:1\"", "only pays on Base"],
    );
}

#[tokio::test]
async fn an_unknown_v1_network_is_refused() {
    let offer = with(honest_v1_offer(), "network", json!("ethereum"));
    let bench = Bench::new(Challenge::V1(offer)).await;
    assert_refused(
        bench.refused().await,
        &["network \"ethereum\"", "only pays on Base"],
    );
}

#[tokio::test]
async fn a_fake_usdc_contract_is_refused() {
    let fake = "0x1111111111111111111111111111111111111111";
    let offer = with(honest_v2_offer(), "asset", json!(fake));
    let bench = Bench::new(Challenge::V2(offer)).await;
    assert_refused(
        bench.refused().await,
        &[fake, "which is not USDC there", USDC_BASE_SEPOLIA],
    );
}

#[tokio::test]
async fn a_forged_token_name_is_refused() {
    // The right contract under another EIP-712 domain: a signature nobody could settle.
    let offer = with(
        honest_v2_offer(),
        "extra",
        json!({"name": "Tether USD", "version": "2"}),
    );
    let bench = Bench::new(Challenge::V2(offer)).await;
    let (returned, _) = bench.refused().await;
    assert_eq!(returned.code, ErrorCode::PaymentRefused);
    assert_says(&returned, &["Tether USD"]);
}

#[tokio::test]
async fn an_expired_window_is_refused() {
    // A zero-second authorization could never be settled in time; a month-long one is a blank
    // cheque. Challenges carry only the window's length: validBefore is the client's to set.
    for seconds in [json!(0), json!(2_592_000)] {
        let offer = with(honest_v2_offer(), "maxTimeoutSeconds", seconds.clone());
        let bench = Bench::new(Challenge::V2(offer)).await;
        assert_refused(
            bench.refused().await,
            &[
                &format!("payment window of {seconds} seconds"),
                "signs windows of 1 to 3600 seconds",
            ],
        );
    }
}

#[tokio::test]
async fn a_scheme_other_than_exact_is_refused() {
    let offer = with(honest_v2_offer(), "scheme", json!("upto"));
    let bench = Bench::new(Challenge::V2(offer)).await;
    assert_refused(
        bench.refused().await,
        &["\"upto\" payment scheme", "only pays with \"exact\""],
    );
}

#[tokio::test]
async fn a_malformed_header_is_refused() {
    let bench = Bench::new(Challenge::RawHeader("not base64 at all!".into())).await;
    assert_refused(
        bench.refused().await,
        &["payment request is malformed", "not standard base64"],
    );
}

#[tokio::test]
async fn an_oversized_header_is_refused() {
    // 48 KiB of base64 whose JSON is a single endless string: decodes, but is no challenge.
    let json = format!("\"{}\"", "A".repeat(36 * 1024));
    let header = base64::engine::general_purpose::STANDARD.encode(json);
    assert!(header.len() > 48 * 1024);
    let bench = Bench::new(Challenge::RawHeader(header)).await;
    assert_refused(
        bench.refused().await,
        &["payment request is malformed", "not a JSON object"],
    );
}

#[tokio::test]
async fn a_changed_payee_needs_a_second_confirmation() {
    let offer = with(honest_v2_offer(), "payTo", json!(OTHER_PAYEE));
    let bench = Bench::new(Challenge::V2(offer)).await;
    // This studio paid BlockRun's usual address before.
    let earlier = PaymentRecord {
        id: "pay_earlier".into(),
        provider: ProviderKind::BlockRun,
        purpose: "realface:ses_earlier".into(),
        amount_atomic: "10000".into(),
        payee: PAYEE.into(),
        network: "Base Sepolia (testnet)".into(),
        asset_contract: USDC_BASE_SEPOLIA.into(),
        nonce: "0x01".into(),
        header_name: payment::PAYMENT_SIGNATURE_HEADER.into(),
        header_value: "earlier".into(),
        status: PaymentStatus::Settled,
        settlement_tx: Some(format!("0x{}", "ab".repeat(32))),
        asset_id: Some("ta_earlier".into()),
        created_at_ms: 1,
        updated_at_ms: 1,
        operator: String::new(),
    };
    bench.library.record_payment(&earlier).unwrap();

    let id = bench.verified().await;
    let view = match bench
        .studio
        .enroll_session(&id, None, None, None)
        .await
        .unwrap()
    {
        EnrollOutcome::PaymentRequired { view } => view,
        EnrollOutcome::Enrolled { .. } => panic!("the wallet rail asks the operator first"),
    };
    assert!(view.payee_changed, "the window is told to ask twice");
    assert_eq!(
        view.quote.as_ref().unwrap().pay_to().to_string(),
        OTHER_PAYEE
            .parse::<alloy::primitives::Address>()
            .unwrap()
            .to_string()
    );

    // The first Pay alone is not enough.
    let e = bench.studio.confirm_payment(&id, false).await.unwrap_err();
    let shown = CommandError::from(&e);
    assert_eq!(shown.field.as_deref(), Some("payee"));
    assert!(
        shown.message.contains(
            &OTHER_PAYEE
                .parse::<alloy::primitives::Address>()
                .unwrap()
                .to_string()
        ) && shown
            .message
            .contains("not to the address BlockRun was paid before")
            && shown.message.contains("confirm again"),
        "{}",
        shown.message
    );
    assert_eq!(
        bench.server.payments_seen(),
        0,
        "nothing was signed or sent"
    );
    assert_eq!(
        bench.library.payments().unwrap().len(),
        1,
        "only the earlier payment is in the ledger"
    );
    assert_eq!(
        bench.library.session(&id).unwrap().state,
        SessionState::AwaitingPayment,
        "the price still waits for the operator"
    );

    // The second confirmation pays the new address, once.
    let face = bench.studio.confirm_payment(&id, true).await.unwrap();
    assert_eq!(face.asset_id, "ta_0123456789abcdef0123456789abcdef");
    assert_eq!(bench.server.payments_seen(), 1);
    let ledger = bench.library.payments().unwrap();
    assert_eq!(ledger.len(), 2);
    let new = ledger.iter().find(|p| p.id != "pay_earlier").unwrap();
    assert!(new.payee.eq_ignore_ascii_case(OTHER_PAYEE));
    assert_eq!(new.amount_atomic, "10000");
}

#[tokio::test]
async fn a_header_too_big_to_read_is_refused() {
    // 1 MiB: past what the HTTP client reads of a response's headers at all.
    let header = "A".repeat(1024 * 1024);
    let bench = Bench::new(Challenge::RawHeader(header)).await;
    let (returned, notice) = bench.refused().await;
    // The client gives up reading before any challenge exists, so there is nothing to judge or
    // sign; the words say the answer could not be read, not that the network is down.
    assert_eq!(
        returned.code,
        ErrorCode::UnexpectedResponse,
        "{}",
        returned.message
    );
    // Why it could not be read is the technical part, behind "Copy details".
    let detail = returned.detail.clone().unwrap_or_default();
    assert!(detail.contains("headers were too large"), "{detail}");
    assert!(
        returned.message.contains("BlockRun"),
        "{}",
        returned.message
    );
    assert_eq!(returned.message, notice.message);
}
