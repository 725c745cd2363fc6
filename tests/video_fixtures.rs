//! Every documented video answer under `tests/fixtures/video/<provider>/` is served over HTTP
//! to the real video client, and what it makes of it is checked, along with what it sent. A
//! fixture without a check fails the suite. Then the lapsed-payment path (a mid-poll `402
//! payment_expired`) is played by a scripted gateway, which Rehearsal cannot be made to do
//! quickly.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alloy::signers::local::PrivateKeySigner;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use likeness::error::{Error, ErrorCode};
use likeness::flow::{Studio, StudioConfig};
use likeness::library::{Face, FaceKind, Library, PaymentStatus};
use likeness::media::AssetType;
use likeness::payment::{self, Network, Requirement, X402Version};
use likeness::providers::{
    anyfast, blockrun, crun, jarvisclaw, AssetStatus, Paid, Provider, ProviderKind,
};
use likeness::secrets::Secret;
use likeness::video::{
    self, JobState, PollAnswer, RemoteState, RemoteStatus, SeedanceTier, VideoPollPolicy,
    VideoRequest, VideoSpec, CLAIMABLE_MS,
};

const HARDHAT_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    uri: String,
    headers: HeaderMap,
    body: serde_json::Value,
}

/// Answers every request with the armed fixture; remembers what was asked.
#[derive(Clone, Default)]
struct Armed {
    answer: Arc<Mutex<(u16, Vec<u8>)>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Armed {
    fn arm(&self, status: u16, body: impl Into<Vec<u8>>) {
        *self.answer.lock().unwrap() = (status, body.into());
    }

    fn arm_fixture(&self, status: u16, provider: &str, name: &str, checked: &Checked) {
        checked.lock().unwrap().insert(format!("{provider}/{name}"));
        let body = std::fs::read(dir(provider).join(name)).unwrap();
        self.arm(status, body);
    }

    fn last(&self) -> Seen {
        self.seen
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("a request")
    }
}

type Checked = Arc<Mutex<BTreeSet<String>>>;

async fn start() -> (Armed, url::Url) {
    let armed = Armed::default();
    let state = armed.clone();
    let app = Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: axum::body::Bytes| {
            let state = state.clone();
            async move {
                state.seen.lock().unwrap().push(Seen {
                    method,
                    uri: uri.to_string(),
                    headers,
                    body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
                });
                let (status, body) = state.answer.lock().unwrap().clone();
                (
                    StatusCode::from_u16(status).unwrap(),
                    [("content-type", "application/json")],
                    body,
                )
                    .into_response()
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (armed, format!("http://{addr}/").parse().unwrap())
}

fn dir(provider: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/video")
        .join(provider)
}

fn spec(face: &str, model: &str) -> VideoSpec {
    VideoSpec {
        face_asset_id: face.into(),
        prompt: "she smiles and waves".into(),
        model: model.into(),
        tier: SeedanceTier::Fast,
        duration_seconds: 5,
        resolution: "720p".into(),
        aspect_ratio: "16:9".into(),
        reference_videos: Vec::new(),
        reference_audios: Vec::new(),
    }
}

fn status(answer: PollAnswer) -> RemoteStatus {
    match answer {
        PollAnswer::Status(s) => s,
        PollAnswer::PaymentExpired(_) => panic!("no payment was asked for"),
    }
}

fn key() -> Option<Secret> {
    Some(Secret::new("test-key"))
}

#[tokio::test]
async fn every_video_fixture_is_read_as_documented() {
    let checked: Checked = Arc::default();
    blockrun_fixtures(&checked).await;
    jarvisclaw_fixtures(&checked).await;
    anyfast_fixtures(&checked).await;
    crun_fixtures(&checked).await;
    let checked = checked.lock().unwrap().clone();
    for provider in ["blockrun", "jarvisclaw", "anyfast", "crun"] {
        for entry in std::fs::read_dir(dir(provider)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let key = format!("{provider}/{name}");
            assert!(checked.contains(&key), "fixture {key} has no check");
        }
    }
}

async fn blockrun_fixtures(checked: &Checked) {
    let (armed, base) = start().await;
    let http = reqwest::Client::new();
    let wallet_rail = Provider::BlockRun(blockrun::Client::new(
        ProviderKind::BlockRun,
        base.join("api/").unwrap(),
        http.clone(),
        None,
    ));
    let key_rail = Provider::BlockRun(blockrun::Client::new(
        ProviderKind::BlockRun,
        base.clone(),
        http.clone(),
        key(),
    ));
    let s = spec(
        "ta_f85b20b9394e47be9502d819bee7929c",
        "bytedance/seedance-2.0-fast",
    );

    // Without payment: the 402 is the price, and nothing else.
    let price = Requirement::new(Network::BaseSepolia, rehearsal::REHEARSAL_TREASURY, 786_480)
        .challenge(X402Version::V1, "X-PAYMENT header is required");
    armed.arm(402, price.body.clone());
    let Paid::PaymentRequired(quote) = video::submit(&wallet_rail, &s, None).await.unwrap() else {
        panic!("a price first");
    };
    assert_eq!(quote.amount_atomic(), 786_480);
    let sent = armed.last();
    assert_eq!(sent.method, Method::POST);
    assert_eq!(sent.uri, "/api/v1/videos/generations");
    assert_eq!(sent.body["real_face_asset_id"], s.face_asset_id);
    assert_eq!(sent.body["generate_audio"], false);
    assert_eq!(sent.body["duration_seconds"], 5);
    for excluded in ["image_url", "reference_image_urls", "last_frame_url"] {
        assert!(
            sent.body.get(excluded).is_none(),
            "{excluded} never goes with the face"
        );
    }

    // With payment: verified, a job to poll.
    let signer: PrivateKeySigner = HARDHAT_KEY.parse().unwrap();
    let signed = payment::sign(&quote, &signer, 1_779_640_000, [7; 32]).unwrap();
    armed.arm_fixture(202, "blockrun", "submit.verified.json", checked);
    let Paid::Done(job) = video::submit(&wallet_rail, &s, Some(&signed))
        .await
        .unwrap()
    else {
        panic!("accepted");
    };
    assert_eq!(job.remote_id, "bytedance:video_8f2c61b0a4d94e3e");
    assert_eq!(job.price_usd.as_deref(), Some("0.786480"));
    let poll_url = job.poll_url.clone().unwrap();
    assert!(armed.last().headers.contains_key("x-payment"));

    let poll = |answer: &str, code: u16| {
        armed.arm_fixture(code, "blockrun", answer, checked);
    };
    poll("poll.queued.json", 202);
    let st = status(
        video::poll(&wallet_rail, &job.remote_id, Some(&poll_url), Some(&signed))
            .await
            .unwrap(),
    );
    assert_eq!(st.state, RemoteState::Queued);
    let asked = armed.last();
    assert_eq!(asked.method, Method::GET);
    assert_eq!(
        asked.uri,
        "/api/v1/videos/generations/bytedance:video_8f2c61b0a4d94e3e?model=bytedance%2Fseedance-2.0-fast&duration=5",
        "the poll address verbatim, on the wallet rail's /api root"
    );
    assert_eq!(
        asked.headers.get("x-payment").unwrap(),
        signed.header_value.as_str(),
        "the same payment, re-sent"
    );
    poll("poll.in_progress.json", 202);
    let st = status(
        video::poll(&wallet_rail, &job.remote_id, Some(&poll_url), Some(&signed))
            .await
            .unwrap(),
    );
    assert_eq!((st.state, st.progress), (RemoteState::Running, Some(42)));
    poll("poll.completed.json", 200);
    let st = status(
        video::poll(&wallet_rail, &job.remote_id, Some(&poll_url), Some(&signed))
            .await
            .unwrap(),
    );
    assert_eq!(
        st.state,
        RemoteState::Completed {
            url: "https://blockrun.ai/api/media/video/bytedance-video_8f2c61b0a4d94e3e.mp4".into()
        }
    );
    assert!(st.settlement_tx.unwrap().starts_with("0x3b9f"));
    poll("poll.completed.already_settled.json", 200);
    let st = status(
        video::poll(&wallet_rail, &job.remote_id, Some(&poll_url), Some(&signed))
            .await
            .unwrap(),
    );
    assert!(matches!(st.state, RemoteState::Completed { .. }));
    poll("poll.failed.json", 200);
    let st = status(
        video::poll(&wallet_rail, &job.remote_id, Some(&poll_url), Some(&signed))
            .await
            .unwrap(),
    );
    let RemoteState::Failed { reason, charged } = st.state else {
        panic!("failed");
    };
    assert_eq!(charged, Some(false));
    assert!(!video::is_moderation(&reason), "{reason}");
    poll("poll.failed.moderation.json", 200);
    let st = status(
        video::poll(&wallet_rail, &job.remote_id, Some(&poll_url), Some(&signed))
            .await
            .unwrap(),
    );
    let RemoteState::Failed { reason, charged } = st.state else {
        panic!("failed");
    };
    assert!(video::is_moderation(&reason), "{reason}");
    assert_eq!(charged, Some(false));
    poll("error.504.json", 504);
    let e = video::poll(&wallet_rail, &job.remote_id, Some(&poll_url), Some(&signed))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::UpstreamFailed, "a 504 is passing: {e}");
    poll("error.404.json", 404);
    let e = video::poll(&wallet_rail, &job.remote_id, Some(&poll_url), Some(&signed))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no longer knows this job"), "{e}");

    // The key rail: account billing, `/api` stripped from the poll address.
    armed.arm_fixture(202, "blockrun", "submit.account.json", checked);
    let Paid::Done(job) = video::submit(&key_rail, &s, None).await.unwrap() else {
        panic!("accepted on the account");
    };
    assert_eq!(
        armed.last().headers.get("authorization").unwrap(),
        "Bearer test-key"
    );
    armed.arm_fixture(202, "blockrun", "poll.in_progress.json", checked);
    video::poll(&key_rail, &job.remote_id, job.poll_url.as_deref(), None)
        .await
        .unwrap();
    let asked = armed.last();
    assert!(
        asked
            .uri
            .starts_with("/v1/videos/generations/bytedance:video_0c7d19e2b35a4f88?model="),
        "{}",
        asked.uri
    );
    armed.arm_fixture(400, "blockrun", "error.400.resolution.json", checked);
    let e = video::submit(&key_rail, &s, None).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ProviderRefused);
    assert!(
        e.to_string().contains("resolution") && e.to_string().contains("Nothing was charged"),
        "{e}"
    );
    // A poll address on another host is never asked (the payment would go with it).
    let e = video::poll(
        &wallet_rail,
        &job.remote_id,
        Some("https://elsewhere.example/v1/videos/generations/x"),
        Some(&signed),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e}");
}

async fn jarvisclaw_fixtures(checked: &Checked) {
    let (armed, base) = start().await;
    let jc = Provider::JarvisClaw(jarvisclaw::Client::new(
        ProviderKind::JarvisClaw,
        base,
        reqwest::Client::new(),
        key(),
        None,
    ));
    let s = spec("ta_1", "bytedance/seedance-2.0-fast");
    armed.arm_fixture(202, "jarvisclaw", "submit.verified.json", checked);
    let Paid::Done(job) = video::submit(&jc, &s, None).await.unwrap() else {
        panic!("accepted");
    };
    assert_eq!(armed.last().uri, "/v1/videos/generations");
    armed.arm_fixture(202, "jarvisclaw", "poll.in_progress.json", checked);
    let st = status(
        video::poll(&jc, &job.remote_id, job.poll_url.as_deref(), None)
            .await
            .unwrap(),
    );
    assert_eq!((st.state, st.progress), (RemoteState::Running, Some(60)));
    assert_eq!(
        armed.last().uri,
        "/v1/videos/generations/bytedance:video_5d0e9b7a21c34f19?model=bytedance%2Fseedance-2.0-fast&sig=4f1c9a0b7e2d3c55",
        "the signed poll address kept as given"
    );
    armed.arm_fixture(200, "jarvisclaw", "poll.completed.json", checked);
    let st = status(
        video::poll(&jc, &job.remote_id, job.poll_url.as_deref(), None)
            .await
            .unwrap(),
    );
    assert!(
        matches!(st.state, RemoteState::Completed { ref url } if url.starts_with("https://cdn.jarvisclaw.ai/"))
    );
    assert_eq!(st.price_usd.as_deref(), Some("1.19"));
}

async fn anyfast_fixtures(checked: &Checked) {
    let (armed, base) = start().await;
    let af = Provider::Anyfast(anyfast::Client::new(
        ProviderKind::Anyfast,
        base,
        reqwest::Client::new(),
        key(),
    ));
    let s = spec("asset-20260702221642-5czvq", "seedance-fast");
    armed.arm_fixture(200, "anyfast", "create.json", checked);
    let Paid::Done(job) = video::submit(&af, &s, None).await.unwrap() else {
        panic!("accepted");
    };
    assert_eq!(job.remote_id, "cgt-20260702231500-7xk2p");
    let sent = armed.last();
    assert_eq!(sent.uri, "/v1/video/generations");
    assert_eq!(sent.body["content"][0]["type"], "text");
    assert_eq!(
        sent.body["content"][1],
        serde_json::json!({"type": "image_url", "image_url": {"url": "asset://asset-20260702221642-5czvq"}, "role": "reference_image"})
    );
    assert_eq!(sent.body["ratio"], "16:9");
    assert_eq!(sent.body["duration"], 5);
    assert_eq!(sent.body["resolution"], "720p");

    let ask = |name: &str| armed.arm_fixture(200, "anyfast", name, checked);
    ask("query.not_start.json");
    let st = video::poll(&af, &job.remote_id, None, None).await.unwrap();
    assert_eq!(status(st).state, RemoteState::Queued);
    assert_eq!(
        armed.last().uri,
        "/v1/video/generations/cgt-20260702231500-7xk2p"
    );
    ask("query.in_progress.json");
    let st = status(video::poll(&af, &job.remote_id, None, None).await.unwrap());
    assert_eq!((st.state, st.progress), (RemoteState::Running, Some(50)));
    ask("query.success.json");
    let st = status(video::poll(&af, &job.remote_id, None, None).await.unwrap());
    assert!(
        matches!(st.state, RemoteState::Completed { ref url } if url.contains("cgt-20260702231500-7xk2p.mp4"))
    );
    ask("query.succeeded.lowercase.json");
    let st = status(
        video::poll(&af, "asyntask_01J1Z8K4W2", None, None)
            .await
            .unwrap(),
    );
    assert!(
        matches!(st.state, RemoteState::Completed { ref url } if url.ends_with("asyntask_01J1Z8K4W2.mp4")),
        "{st:?}"
    );
    ask("query.failure.json");
    let st = status(video::poll(&af, &job.remote_id, None, None).await.unwrap());
    let RemoteState::Failed { reason, charged } = st.state else {
        panic!("failed");
    };
    assert!(video::is_moderation(&reason));
    assert_eq!(charged, Some(false), "Anyfast refunds failed tasks");
    armed.arm_fixture(401, "anyfast", "error.401.json", checked);
    let e = video::submit(&af, &s, None).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Unauthorized, "{e}");
}

async fn crun_fixtures(checked: &Checked) {
    let (armed, base) = start().await;
    let cr = Provider::Crun(crun::Client::new(
        ProviderKind::Crun,
        base.join("api/v1/client/job/").unwrap(),
        reqwest::Client::new(),
        key(),
        None,
    ));
    let s = spec(
        "asset-20260702221642-5czvq",
        "bytedance/seedance2-0-fast-r2v",
    );
    armed.arm_fixture(200, "crun", "create.json", checked);
    let Paid::Done(job) = video::submit(&cr, &s, None).await.unwrap() else {
        panic!("accepted");
    };
    let sent = armed.last();
    assert_eq!(sent.uri, "/api/v1/client/job/CreateTask");
    assert_eq!(sent.headers.get("x-api-key").unwrap(), "test-key");
    assert_eq!(sent.body["model"], "bytedance/seedance2-0-fast-r2v");
    assert_eq!(
        sent.body["input"]["reference_images"],
        serde_json::json!(["asset://asset-20260702221642-5czvq"])
    );
    assert_eq!(sent.body["input"]["aspect_ratio"], "16:9");
    assert_eq!(sent.body["input"]["duration"], 5);
    let ask = |name: &str| armed.arm_fixture(200, "crun", name, checked);
    ask("taskinfo.pending.json");
    let st = status(video::poll(&cr, &job.remote_id, None, None).await.unwrap());
    assert_eq!(st.state, RemoteState::Queued);
    assert_eq!(
        armed.last().uri,
        "/api/v1/client/job/TaskInfo?task_id=f3a9c2e1-7b4d-4c8e-9a1f-2d3e4b5c6a7d"
    );
    ask("taskinfo.running.json");
    let st = status(video::poll(&cr, &job.remote_id, None, None).await.unwrap());
    assert_eq!(st.state, RemoteState::Running, "any case");
    ask("taskinfo.success.json");
    let st = status(video::poll(&cr, &job.remote_id, None, None).await.unwrap());
    assert!(matches!(st.state, RemoteState::Completed { ref url } if url.ends_with("output.mp4")));
    ask("taskinfo.failed.json");
    let st = status(video::poll(&cr, &job.remote_id, None, None).await.unwrap());
    let RemoteState::Failed { reason, charged } = st.state else {
        panic!("failed");
    };
    assert!(reason.contains("reference image"), "{reason}");
    assert_eq!(charged, Some(false), "no credits were taken");
    // A refusal inside an HTTP 200.
    ask("error.200-402.json");
    let e = video::submit(&cr, &s, None).await.unwrap_err();
    assert!(e.to_string().contains("enough credits"), "{e}");
}

/// A BlockRun-shaped gateway whose first poll says the job's payment lapsed.
#[derive(Default)]
struct Gateway {
    submit_header: Mutex<Option<String>>,
    poll_headers: Mutex<Vec<String>>,
    /// The atomic price asked on the lapsed poll.
    relapse_price: Mutex<u128>,
    addr: Mutex<String>,
}

const PRICE: u128 = 786_480;

async fn start_gateway(gw: Arc<Gateway>) -> url::Url {
    let state = gw.clone();
    let app = Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap| {
            let gw = state.clone();
            async move {
                let header = headers
                    .get("payment-signature")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let challenge = |amount: u128, error: &str| {
                    let c = Requirement::new(
                        Network::BaseSepolia,
                        rehearsal::REHEARSAL_TREASURY,
                        amount,
                    )
                    .challenge(X402Version::V2, error);
                    let (name, value) = c.header.unwrap();
                    (StatusCode::PAYMENT_REQUIRED, [(name, value)], c.body).into_response()
                };
                let path = uri.path().to_string();
                if method == Method::POST && path == "/v1/videos/generations" {
                    let Some(h) = header else {
                        return challenge(PRICE, "PAYMENT-SIGNATURE header is required");
                    };
                    *gw.submit_header.lock().unwrap() = Some(h);
                    let body = std::fs::read(dir("blockrun").join("submit.verified.json")).unwrap();
                    return (StatusCode::ACCEPTED, [("content-type", "application/json")], body)
                        .into_response();
                }
                if path.starts_with("/api/v1/videos/generations/") {
                    let h = header.unwrap_or_default();
                    gw.poll_headers.lock().unwrap().push(h.clone());
                    if Some(&h) == gw.submit_header.lock().unwrap().as_ref() {
                        let price = *gw.relapse_price.lock().unwrap();
                        return challenge(price, "payment_expired");
                    }
                    let addr = gw.addr.lock().unwrap().clone();
                    let body = serde_json::json!({
                        "id": "bytedance:video_8f2c61b0a4d94e3e",
                        "status": "completed",
                        "data": [{"url": format!("http://{addr}/media/clip.mp4")}],
                        "payment": {"status": "settled", "tx_hash": "0xabc123", "network": "base-sepolia"},
                    });
                    return axum::Json(body).into_response();
                }
                if path == "/media/clip.mp4" {
                    let clip = std::fs::read(
                        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                            .join("tests/fixtures/media/ok-3s-25fps.mp4"),
                    )
                    .unwrap();
                    return ([("content-type", "video/mp4")], clip).into_response();
                }
                (StatusCode::NOT_FOUND, "not found").into_response()
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    *gw.addr.lock().unwrap() = addr.to_string();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/").parse().unwrap()
}

async fn lapsed_payment_studio(
    relapse_price: u128,
) -> (Arc<Gateway>, Arc<Studio>, tempfile::TempDir) {
    let gw = Arc::new(Gateway::default());
    *gw.relapse_price.lock().unwrap() = relapse_price;
    let base = start_gateway(gw.clone()).await;
    let provider = Provider::BlockRun(blockrun::Client::new(
        ProviderKind::Rehearsal,
        base,
        reqwest::Client::new(),
        None,
    ));
    let library = Arc::new(Library::open_in_memory().unwrap());
    library
        .save_face(&Face {
            asset_id: "ta_f85b20b9394e47be9502d819bee7929c".into(),
            provider: ProviderKind::Rehearsal,
            kind: FaceKind::RealFace,
            name: "Ada".into(),
            image_url: "https://example.com/ada.jpg".into(),
            thumbnail: None,
            group_id: Some("legacy_rf_1".into()),
            enrolled_at_ms: 1,
            price_usd: None,
            tx_hash: None,
            photo_override: None,
            asset_type: AssetType::Image,
            status: AssetStatus::Active,
            status_message: None,
            consent: None,
            revoked: None,
            tags: Vec::new(),
        })
        .unwrap();
    let media = tempfile::tempdir().unwrap();
    let config = StudioConfig {
        wallet: Some(HARDHAT_KEY.parse().unwrap()),
        media_dir: Some(media.path().to_path_buf()),
        video_poll: VideoPollPolicy {
            first_after_ms: 50,
            min_gap_ms: 50,
            max_gap_ms: 100,
            polls_per_hour: 10_000,
            claimable_ms: CLAIMABLE_MS,
        },
        ..StudioConfig::for_provider(&provider)
    };
    let studio = Studio::new(library, provider, reqwest::Client::new(), config);
    (gw, studio, media)
}

async fn run_job(studio: &Arc<Studio>) -> likeness::video::VideoJob {
    let job = studio
        .quote_video(&VideoRequest {
            face_asset_id: "ta_f85b20b9394e47be9502d819bee7929c".into(),
            prompt: "she waves".into(),
            ..VideoRequest::default()
        })
        .await
        .unwrap();
    studio.confirm_video(&job.id, false).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let j = studio.video_job(&job.id).unwrap();
        if j.state.is_final() {
            return j;
        }
        assert!(tokio::time::Instant::now() < deadline, "stuck: {j:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_lapsed_payment_is_re_signed_once_for_the_same_price_and_wallet() {
    let (gw, studio, _media) = lapsed_payment_studio(PRICE).await;
    let done = run_job(&studio).await;
    assert_eq!(done.state, JobState::Completed, "{:?}", done.error);
    let rows = studio
        .library()
        .payments_for(&format!("video:{}", done.id))
        .unwrap();
    assert_eq!(rows.len(), 2, "the first authorization and its replacement");
    assert_eq!(rows[0].status, PaymentStatus::Rejected);
    assert_eq!(rows[1].status, PaymentStatus::Settled);
    assert_eq!(rows[1].settlement_tx.as_deref(), Some("0xabc123"));
    assert_eq!(rows[0].amount_atomic, rows[1].amount_atomic);
    assert_eq!(done.payment_id.as_deref(), Some(rows[1].id.as_str()));
    let polls = gw.poll_headers.lock().unwrap().clone();
    assert_eq!(polls.len(), 2, "{polls:?}");
    assert_eq!(
        Some(&polls[0]),
        gw.submit_header.lock().unwrap().as_ref(),
        "polls re-send the submit's payment"
    );
    assert_eq!(polls[1], rows[1].header_value, "then the re-signed one");
    assert!(std::path::Path::new(done.local_path.as_deref().unwrap()).is_file());
}

#[tokio::test]
async fn a_lapsed_payment_at_another_price_is_not_signed() {
    let (_gw, studio, _media) = lapsed_payment_studio(PRICE * 3).await;
    let done = run_job(&studio).await;
    assert_eq!(done.state, JobState::Failed);
    assert_eq!(done.charged, Some(false));
    let words = done.error.unwrap();
    assert!(words.contains("different payment"), "{words}");
    let rows = studio
        .library()
        .payments_for(&format!("video:{}", done.id))
        .unwrap();
    assert_eq!(rows.len(), 1, "nothing more was signed");
    assert_eq!(rows[0].status, PaymentStatus::NotCharged);
}
