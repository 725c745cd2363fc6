//! Rehearsal's Seedance 2.0 video generation over real HTTP on loopback, in all four
//! personalities: validation before payment, x402 verified at submit and settled once on the
//! first completed poll, the key rail, scripted failures that charge nothing, the real MP4 with
//! byte ranges, Anyfast's and Crun's task APIs with their asset rules, and a restart.

mod common;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use alloy::signers::local::PrivateKeySigner;
use common::{PhotoHost, TEST_API_KEY};
use likeness::payment::{
    fresh_nonce, parse_settlement, quote_challenge, sign, PaymentQuote, SignedPayment,
};
use provider_api::ProviderApi;
use rehearsal::{
    RehearsalConfig, RehearsalServer, VideoCounts, MODERATION_MARKER, VIDEO_FAIL_MARKER,
};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Hardhat / anvil test account #0: a public key, test money only.
const PAYER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// Hardhat / anvil test account #1.
const OTHER_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
/// A second Anyfast/Crun account.
const KEY_B: &str = "rehearsal-video-account-b";
const SUBMIT: &str = "/v1/videos/generations";
const FAST: &str = "bytedance/seedance-2.0-fast";
const FAST_5S_720P_ATOMIC: u128 = 825_804;
const DELAY: Duration = Duration::from_millis(300);
const PROCESSING: Duration = Duration::from_millis(400);

fn clip() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media/talent-3s.mp4"))
        .expect("talent-3s.mp4 fixture")
}

fn payer() -> PrivateKeySigner {
    PAYER_KEY.parse().unwrap()
}

fn other_wallet() -> PrivateKeySigner {
    OTHER_KEY.parse().unwrap()
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

// ---------------------------------------------------------------- rig

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn expect(self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        self.body
    }
}

async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("request reaches Rehearsal");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        headers,
        body,
    }
}

/// The quote a client would confirm for this 402.
fn quote_of(reply: &Reply) -> PaymentQuote {
    assert_eq!(reply.status, StatusCode::PAYMENT_REQUIRED, "{}", reply.body);
    quote_challenge(&reply.headers, &serde_json::to_vec(&reply.body).unwrap())
        .expect("a payable challenge")
}

fn signed_by(quote: &PaymentQuote, wallet: &PrivateKeySigner) -> SignedPayment {
    sign(quote, wallet, now_unix(), fresh_nonce()).unwrap()
}

/// The challenge's first offer, decoded from `PAYMENT-REQUIRED` (v2).
fn challenge_of(reply: &Reply) -> Value {
    use base64::Engine as _;
    let header = reply.headers["payment-required"].to_str().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(header)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// What a facilitator answers for an authorization whose nonce was already used.
const NONCE_USED: &str = "invalid_exact_evm_nonce_already_used";

/// A poll refused for coming from another wallet than the job's: `403` with Rehearsal's plain
/// JSON error, and no x402 challenge inviting that wallet to pay.
fn assert_forbidden(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(reply.body["code"], "PAYER_MISMATCH", "{}", reply.body);
    assert!(
        reply.body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{}",
        reply.body
    );
    assert!(reply.body.get("accepts").is_none(), "{}", reply.body);
    assert!(!reply.headers.contains_key("payment-required"));
    assert!(!reply.headers.contains_key("payment-response"));
}

fn base_config(photos: &PhotoHost) -> RehearsalConfig {
    let mut config = common::rehearsal_config(photos);
    config.video_delay = DELAY;
    config.asset_processing_delay = PROCESSING;
    config.extra_api_keys = vec![KEY_B.to_owned()];
    config
}

struct Rig {
    photos: PhotoHost,
    server: RehearsalServer,
    http: reqwest::Client,
}

impl Rig {
    async fn new() -> Rig {
        Rig::with(|_| {}).await
    }

    async fn with(tweak: impl FnOnce(&mut RehearsalConfig)) -> Rig {
        let photos = PhotoHost::start().await;
        let mut config = base_config(&photos);
        tweak(&mut config);
        let server = common::start_rehearsal_with(config).await;
        Rig {
            photos,
            server,
            http: reqwest::Client::new(),
        }
    }

    /// Shuts the server down and starts another (on a new port) as `tweak` configures it.
    async fn restart(self, tweak: impl FnOnce(&mut RehearsalConfig)) -> Rig {
        let Rig {
            photos,
            server,
            http,
        } = self;
        server.shutdown().await;
        let mut config = base_config(&photos);
        tweak(&mut config);
        let server = common::start_rehearsal_with(config).await;
        Rig {
            photos,
            server,
            http,
        }
    }

    fn url(&self, path: &str) -> String {
        self.server
            .base_url()
            .join(path.trim_start_matches('/'))
            .unwrap()
            .to_string()
    }

    fn counts(&self) -> VideoCounts {
        self.server.video_counts()
    }

    async fn unpaid(&self, body: &Value) -> Reply {
        send(self.http.post(self.url(SUBMIT)).json(body)).await
    }

    async fn paid(&self, body: &Value, payment: &SignedPayment) -> Reply {
        let (name, value) = payment.header();
        send(
            self.http
                .post(self.url(SUBMIT))
                .header(name, value)
                .json(body),
        )
        .await
    }

    async fn keyed(&self, body: &Value) -> Reply {
        send(
            self.http
                .post(self.url(SUBMIT))
                .bearer_auth(TEST_API_KEY)
                .json(body),
        )
        .await
    }

    /// 402, then signed by `wallet`, then the 202's body and the payment that made it.
    async fn submit_x402(&self, body: &Value, wallet: &PrivateKeySigner) -> (Value, SignedPayment) {
        let quote = quote_of(&self.unpaid(body).await);
        let payment = signed_by(&quote, wallet);
        let job = self.paid(body, &payment).await.expect(StatusCode::ACCEPTED);
        (job, payment)
    }

    async fn poll_with(&self, path: &str, payment: Option<&SignedPayment>) -> Reply {
        let mut request = self.http.get(self.url(path));
        if let Some(p) = payment {
            let (name, value) = p.header();
            request = request.header(name, value);
        }
        send(request).await
    }

    async fn poll_keyed(&self, path: &str) -> Reply {
        send(
            self.http
                .get(self.url(path))
                .header("x-api-key", TEST_API_KEY),
        )
        .await
    }

    /// A RealFace `ta_…` enrolled on the key rail.
    async fn enroll_face(&self) -> String {
        let init = send(
            self.http
                .post(self.url("/v1/realface/init"))
                .json(&json!({ "name": "Talent" })),
        )
        .await
        .expect(StatusCode::OK);
        let group_id = init["group_id"].as_str().unwrap().to_owned();
        self.server.complete_liveness(&group_id).await.unwrap();
        let enrolled = send(
            self.http
                .post(self.url("/v1/realface/enroll"))
                .bearer_auth(TEST_API_KEY)
                .json(&json!({
                    "name": "Talent",
                    "image_url": self.photos.url("face.jpg"),
                    "group_id": group_id,
                })),
        )
        .await
        .expect(StatusCode::OK);
        enrolled["asset_id"].as_str().unwrap().to_owned()
    }

    async fn download(&self, url: &str, range: Option<&str>) -> reqwest::Response {
        let mut request = self.http.get(url);
        if let Some(r) = range {
            request = request.header("range", r);
        }
        request.send().await.expect("media request")
    }

    // -------- Anyfast and Crun

    async fn anyfast_post(&self, path: &str, key: &str, body: Value) -> Reply {
        send(self.http.post(self.url(path)).bearer_auth(key).json(&body)).await
    }

    async fn anyfast_poll(&self, task_id: &str, key: &str) -> Reply {
        send(
            self.http
                .get(self.url(&format!("/v1/video/generations/{task_id}")))
                .bearer_auth(key),
        )
        .await
    }

    async fn crun_create(&self, key: &str, body: Value) -> Value {
        send(
            self.http
                .post(self.url("/api/v1/client/job/CreateTask"))
                .header("x-api-key", key)
                .json(&body),
        )
        .await
        .expect(StatusCode::OK)
    }

    async fn crun_info(&self, key: &str, task_id: &str) -> Value {
        send(
            self.http
                .get(self.url(&format!("/api/v1/client/job/TaskInfo?task_id={task_id}")))
                .header("x-api-key", key),
        )
        .await
        .expect(StatusCode::OK)
    }

    /// A new LivenessFace group of `key`'s account, its person verified.
    async fn group(&self, key: &str) -> String {
        let session = self
            .anyfast_post("/volc/asset/CreateVisualValidateSession", key, json!({}))
            .await
            .expect(StatusCode::OK);
        let token = session["BytedToken"].as_str().unwrap().to_owned();
        self.server.complete_liveness_token(&token).await.unwrap();
        let result = self
            .anyfast_post(
                "/volc/asset/GetVisualValidateResult",
                key,
                json!({ "BytedToken": token }),
            )
            .await
            .expect(StatusCode::OK);
        result["GroupId"].as_str().unwrap().to_owned()
    }

    /// An `Active` asset of `kind` (`Image`, `Video`, `Audio`) in `group`, from a fixture.
    async fn active_asset(&self, key: &str, group: &str, kind: &str, file: &str) -> String {
        let model = match kind {
            "Video" => "volc-asset-video",
            "Audio" => "volc-asset-audio",
            _ => "volc-asset",
        };
        let asset = self
            .anyfast_post(
                "/volc/asset/CreateAsset",
                key,
                json!({
                    "model": model,
                    "GroupId": group,
                    "Name": "Ada",
                    "AssetType": kind,
                    "URL": self.photos.url(file),
                }),
            )
            .await
            .expect(StatusCode::OK);
        let id = asset["Id"].as_str().unwrap().to_owned();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let view = self
                .anyfast_post("/volc/asset/GetAsset", key, json!({ "Id": id }))
                .await
                .expect(StatusCode::OK);
            if view["Status"] == "Active" {
                return id;
            }
            assert_eq!(view["Status"], "Processing", "{view}");
            assert!(Instant::now() < deadline, "{id} still processing");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// A verified person with a photo, a video and a voice clip, all `Active`.
    async fn person(&self, key: &str) -> Person {
        let group = self.group(key).await;
        Person {
            face: self.active_asset(key, &group, "Image", "/face.jpg").await,
            video: self
                .active_asset(key, &group, "Video", "/media/talent-3s.mp4")
                .await,
            voice: self
                .active_asset(key, &group, "Audio", "/media/tone-3s.wav")
                .await,
        }
    }

    /// An image asset of `key`'s account in a LivenessFace group, made through Anyfast; `Active`
    /// once `wait` is set, else straight after the upload (still `Processing`).
    async fn image_asset(&self, key: &str, wait: bool) -> String {
        let session = self
            .anyfast_post("/volc/asset/CreateVisualValidateSession", key, json!({}))
            .await
            .expect(StatusCode::OK);
        let token = session["BytedToken"].as_str().unwrap().to_owned();
        self.server.complete_liveness_token(&token).await.unwrap();
        let result = self
            .anyfast_post(
                "/volc/asset/GetVisualValidateResult",
                key,
                json!({ "BytedToken": token }),
            )
            .await
            .expect(StatusCode::OK);
        let asset = self
            .anyfast_post(
                "/volc/asset/CreateAsset",
                key,
                json!({
                    "model": "volc-asset",
                    "GroupId": result["GroupId"],
                    "Name": "front",
                    "AssetType": "Image",
                    "URL": self.photos.url("face.jpg"),
                }),
            )
            .await
            .expect(StatusCode::OK);
        let id = asset["Id"].as_str().unwrap().to_owned();
        if wait {
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                let view = self
                    .anyfast_post("/volc/asset/GetAsset", key, json!({ "Id": id }))
                    .await
                    .expect(StatusCode::OK);
                if view["Status"] == "Active" {
                    break;
                }
                assert_eq!(view["Status"], "Processing", "{view}");
                assert!(Instant::now() < deadline, "{id} still processing");
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
        id
    }
}

struct Person {
    face: String,
    video: String,
    voice: String,
}

fn fast_body(prompt: &str) -> Value {
    json!({ "model": FAST, "prompt": prompt })
}

fn assert_hex(s: &str, len: usize) {
    assert_eq!(s.len(), len, "{s}");
    assert!(
        s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{s}"
    );
}

fn poll_path(job: &Value) -> String {
    job["poll_url"].as_str().unwrap().to_owned()
}

// ---------------------------------------------------------------- BlockRun

#[tokio::test]
async fn requests_are_validated_before_any_payment() {
    let rig = Rig::new().await;
    let face = rig.enroll_face().await;

    let cases = [
        (
            json!({ "model": FAST, "prompt": "x", "resolution": "1080p" }),
            "resolution",
            "1080p",
        ),
        (
            json!({ "model": FAST, "prompt": "x", "real_face_asset_id": face, "image_url": "https://example.com/a.jpg" }),
            "image_url",
            "cannot be combined with image_url",
        ),
        (
            json!({ "model": FAST, "prompt": "x", "real_face_asset_id": face, "reference_image_urls": ["https://example.com/a.jpg"] }),
            "reference_image_urls",
            "reference_image_urls",
        ),
        (
            json!({ "model": FAST, "prompt": "x", "real_face_asset_id": "ta_0123456789abcdef" }),
            "real_face_asset_id",
            "unknown real_face_asset_id",
        ),
        (
            json!({ "model": FAST, "prompt": "x", "real_face_asset_id": "asset-20260702223855-bdv2r" }),
            "real_face_asset_id",
            "ta_",
        ),
        (
            json!({ "model": FAST, "prompt": "x", "duration_seconds": 16 }),
            "duration_seconds",
            "4 to 15",
        ),
        (
            json!({ "model": FAST, "prompt": "x", "duration_seconds": 3 }),
            "duration_seconds",
            "4 to 15",
        ),
        (
            json!({ "model": "bytedance/seedance-2.0-mini", "prompt": "x" }),
            "model",
            "unsupported model",
        ),
        (json!({ "model": FAST, "prompt": "" }), "prompt", "prompt"),
        (
            json!({ "model": FAST, "prompt": "x".repeat(5001) }),
            "prompt",
            "5000",
        ),
        (
            json!({ "model": FAST, "prompt": "x", "aspect_ratio": "2:1" }),
            "aspect_ratio",
            "aspect_ratio",
        ),
        (json!({ "prompt": "x" }), "model", "model"),
    ];
    for (body, field, says) in cases {
        // Unpaid, keyed and with a (nonsense) payment header: all 400, nothing charged.
        for reply in [
            rig.unpaid(&body).await,
            rig.keyed(&body).await,
            send(
                rig.http
                    .post(rig.url(SUBMIT))
                    .header("PAYMENT-SIGNATURE", "e30=")
                    .json(&body),
            )
            .await,
        ] {
            let error = reply.expect(StatusCode::BAD_REQUEST);
            assert_eq!(error["field"], field, "{body}: {error}");
            assert!(
                error["error"].as_str().unwrap().contains(says),
                "{body}: {error}"
            );
        }
    }
    // 1080p is fine on 2.0, and a face with no conflicting field passes to the payment.
    let pro = json!({ "model": "bytedance/seedance-2.0", "prompt": "x", "resolution": "1080p" });
    assert_eq!(rig.unpaid(&pro).await.status, StatusCode::PAYMENT_REQUIRED);
    let with_face = json!({ "model": FAST, "prompt": "waves", "real_face_asset_id": face });
    assert_eq!(
        rig.unpaid(&with_face).await.status,
        StatusCode::PAYMENT_REQUIRED
    );
    // A wrong key without a payment is 401, after validation.
    let wrong_key = send(
        rig.http
            .post(rig.url(SUBMIT))
            .bearer_auth("brk_wrong")
            .json(&fast_body("x")),
    )
    .await;
    assert_eq!(wrong_key.status, StatusCode::UNAUTHORIZED);
    assert_eq!(rig.counts().submitted, 0);
    assert_eq!(rig.server.settlements(), 0);
}

#[tokio::test]
async fn the_402_quotes_the_metered_price() {
    let rig = Rig::new().await;
    let probe = rig.unpaid(&fast_body("a dancer")).await;
    let quote = quote_of(&probe);
    assert_eq!(quote.amount_atomic(), FAST_5S_720P_ATOMIC);
    let required = challenge_of(&probe);
    assert_eq!(required["x402Version"], 2);
    assert_eq!(required["resource"]["url"], rig.url(SUBMIT));
    assert_eq!(
        required["resource"]["description"],
        "Seedance video (Rehearsal: Base Sepolia test USDC)"
    );
    assert_eq!(required["accepts"][0]["network"], "eip155:84532");

    // 2.0 at 1080p for 10 s: 21 690 × 10 × 2.25 tokens at $9.9715/M plus the 5 % margin, rounded up.
    let pro = json!({ "model": "bytedance/seedance-2.0", "prompt": "x", "resolution": "1080p", "duration_seconds": 10 });
    assert_eq!(quote_of(&rig.unpaid(&pro).await).amount_atomic(), 5_109_659);
    let small =
        json!({ "model": FAST, "prompt": "x", "resolution": "480p", "duration_seconds": 4 });
    assert_eq!(quote_of(&rig.unpaid(&small).await).amount_atomic(), 330_322);
}

#[tokio::test]
async fn an_x402_job_is_queued_then_in_progress_then_completed_and_settles_once() {
    let delay = Duration::from_millis(1600);
    let rig = Rig::with(|c| c.video_delay = delay).await;
    let face = rig.enroll_face().await;
    let body = json!({
        "model": FAST,
        "prompt": "she smiles warmly and waves at the camera in soft studio light",
        "real_face_asset_id": face,
    });
    let started = Instant::now();
    let (job, payment) = rig.submit_x402(&body, &payer()).await;
    // The job was made between `started` and now: "not yet" checks count from `started`,
    // "by now" waits from `submitted`.
    let submitted = Instant::now();

    let id = job["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("bytedance:video_"), "{id}");
    assert_hex(&id["bytedance:video_".len()..], 24);
    assert_eq!(job["object"], "video.generation.job");
    assert_eq!(job["status"], "queued");
    assert_eq!(job["model"], FAST);
    assert_eq!(job["duration_seconds"], 5);
    assert_eq!(
        job["price"],
        json!({ "amount": "0.825804", "currency": "USD" })
    );
    assert_eq!(job["payment_status"], "verified");
    assert!(job["created"].as_u64().unwrap().abs_diff(now_unix()) <= 2);
    assert_eq!(
        job["poll_url"],
        format!("/api/v1/videos/generations/{id}?model={FAST}&duration=5")
    );
    assert_eq!(rig.server.settlements(), 0, "verified, not settled");

    let poll = poll_path(&job);
    let queued = rig.poll_with(&poll, Some(&payment)).await;
    if started.elapsed() < delay / 4 {
        assert_eq!(
            queued.expect(StatusCode::ACCEPTED),
            json!({ "id": id, "object": "video.generation.job", "status": "queued" })
        );
    }

    tokio::time::sleep((delay / 2).saturating_sub(submitted.elapsed())).await;
    let running = rig.poll_with(&poll, Some(&payment)).await;
    if started.elapsed() < delay {
        let running = running.expect(StatusCode::ACCEPTED);
        assert_eq!(running["status"], "in_progress", "{running}");
        let progress = running["progress"].as_u64().unwrap();
        assert!((25..=99).contains(&progress), "{running}");
        assert!(running["elapsed_seconds"].as_u64().is_some(), "{running}");
    }
    assert_eq!(rig.server.settlements(), 0);

    tokio::time::sleep(delay.saturating_sub(submitted.elapsed()) + Duration::from_millis(50)).await;
    let done = rig.poll_with(&poll, Some(&payment)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let settlement = parse_settlement(&done.headers)
        .unwrap()
        .expect("PAYMENT-RESPONSE");
    let body = done.body;
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["status"], "completed");
    assert_eq!(body["model"], FAST);
    assert_eq!(body["duration_seconds"], 5);
    let port = rig.server.local_addr().port();
    let media = format!("http://127.0.0.1:{port}/media/{id}.mp4");
    assert_eq!(body["data"][0]["url"], media.as_str());
    assert_eq!(
        body["data"][0]["source_url"],
        format!("{media}?source=upstream")
    );
    assert_eq!(body["data"][0]["duration_seconds"], 3);
    assert_eq!(body["data"][0]["backed_up"], true);
    assert_hex(body["data"][0]["request_id"].as_str().unwrap(), 32);
    assert_eq!(body["payment"]["status"], "settled");
    assert_eq!(body["payment"]["network"], "eip155:84532");
    let tx = body["payment"]["tx_hash"].as_str().unwrap();
    assert_hex(&tx[2..], 64);
    assert_eq!(body["usage"]["total_tokens"], 108_450);
    assert!(settlement.success);
    assert_eq!(settlement.transaction.as_deref(), Some(tx));
    assert_eq!(settlement.network.as_deref(), Some("eip155:84532"));
    assert_eq!(
        settlement.payer.as_deref(),
        Some(payer().address().to_checksum(None).as_str())
    );
    assert_eq!(rig.server.settlements(), 1);

    // Later polls, on either path: the same answer, already settled, never settled again.
    for path in [poll.clone(), format!("/v1/videos/generations/{id}")] {
        let again = rig
            .poll_with(&path, Some(&payment))
            .await
            .expect(StatusCode::OK);
        assert_eq!(again["payment"]["status"], "already_settled");
        assert_eq!(again["payment"]["tx_hash"], tx);
        assert_eq!(again["data"], body["data"]);
    }
    assert_eq!(rig.server.settlements(), 1);
    let counts = rig.counts();
    assert_eq!(counts.submitted, 1);
    assert_eq!(counts.settlements, 1);
    assert!(counts.polls >= 3, "{counts:?}");

    // The held nonce settled: the same header cannot start another job, for this body or
    // another.
    for body in [fast_body("a dancer"), fast_body("another clip")] {
        let reused = rig.paid(&body, &payment).await;
        assert_eq!(reused.status, StatusCode::PAYMENT_REQUIRED);
        assert_eq!(reused.body["error"], NONCE_USED);
    }
    assert_eq!(rig.counts().submitted, 1);
    assert_eq!(rig.server.settlements(), 1);
}

#[tokio::test]
async fn polls_need_the_paying_wallet() {
    let rig = Rig::new().await;
    let (job, payment) = rig.submit_x402(&fast_body("a dancer"), &payer()).await;
    let id = job["id"].as_str().unwrap();
    let poll = poll_path(&job);

    // No payment: the challenge for the same price, for the poll URL.
    let bare = rig.poll_with(&poll, None).await;
    assert_eq!(quote_of(&bare).amount_atomic(), FAST_5S_720P_ATOMIC);
    assert_eq!(challenge_of(&bare)["resource"]["url"], rig.url(&poll));

    // Another wallet's valid signature, even for the right price: forbidden, not a challenge
    // (the job is not theirs to pay for or to see).
    let other = signed_by(&quote_of(&bare), &other_wallet());
    let foreign = rig.poll_with(&poll, Some(&other)).await;
    assert_forbidden(&foreign);
    // The key does not stand in for the wallet.
    assert_eq!(
        rig.poll_keyed(&poll).await.status,
        StatusCode::PAYMENT_REQUIRED
    );

    // Any signature of the paying wallet will do (here a fresh one, unused).
    let fresh = signed_by(&quote_of(&bare), &payer());
    assert_eq!(
        rig.poll_with(&poll, Some(&fresh)).await.status,
        StatusCode::ACCEPTED
    );
    rig.server.finish_videos_now();
    assert_forbidden(&rig.poll_with(&poll, Some(&other)).await);
    assert_eq!(
        rig.server.settlements(),
        0,
        "a refused poll settles nothing"
    );
    let done = rig
        .poll_with(&poll, Some(&payment))
        .await
        .expect(StatusCode::OK);
    assert_eq!(done["payment"]["status"], "settled");
    assert_eq!(rig.server.settlements(), 1);

    let unknown = rig
        .poll_with(
            "/api/v1/videos/generations/bytedance:video_000000000000000000000000",
            Some(&payment),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        rig.poll_with(&format!("/v1/videos/generations/{id}x"), Some(&payment))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_key_rail_never_touches_x402() {
    let rig = Rig::new().await;
    let job = rig
        .keyed(&fast_body("a dancer"))
        .await
        .expect(StatusCode::ACCEPTED);
    assert_eq!(job["payment_status"], "account");
    assert_eq!(job["price"]["amount"], "0.825804");
    let poll = poll_path(&job);

    assert_eq!(rig.poll_keyed(&poll).await.status, StatusCode::ACCEPTED);
    assert_eq!(
        rig.poll_with(&poll, None).await.status,
        StatusCode::PAYMENT_REQUIRED
    );
    let wrong = send(rig.http.get(rig.url(&poll)).bearer_auth("brk_wrong")).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    rig.server.finish_videos_now();
    let done = rig.poll_keyed(&poll).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(parse_settlement(&done.headers).unwrap().is_none());
    assert_eq!(done.body["status"], "completed");
    assert_eq!(done.body["payment"]["status"], "settled");
    let again = send(rig.http.get(rig.url(&poll)).bearer_auth(TEST_API_KEY))
        .await
        .expect(StatusCode::OK);
    assert_eq!(again["payment"]["status"], "already_settled");
    assert_eq!(rig.server.settlements(), 0);
    assert_eq!(rig.counts().settlements, 0);
}

#[tokio::test]
async fn scripted_failures_are_never_charged() {
    let delay = Duration::from_millis(1000);
    let rig = Rig::with(|c| c.video_delay = delay).await;
    let (broken, broken_pay) = rig
        .submit_x402(
            &fast_body(&format!("a dancer {VIDEO_FAIL_MARKER}")),
            &payer(),
        )
        .await;
    // Each job was made before its submit returned: waits count from these instants.
    let broken_at = Instant::now();
    let (blocked, blocked_pay) = rig
        .submit_x402(
            &fast_body(&format!("a dancer {MODERATION_MARKER}")),
            &payer(),
        )
        .await;
    let blocked_at = Instant::now();

    // Generation fails halfway; moderation only blocks the finished clip.
    tokio::time::sleep((delay * 3 / 5).saturating_sub(broken_at.elapsed())).await;
    let failed = rig
        .poll_with(&poll_path(&broken), Some(&broken_pay))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        failed,
        json!({
            "id": broken["id"],
            "object": "video.generation.job",
            "status": "failed",
            "error": "Seedance generation failed (upstream error)",
            "payment_status": "not_charged",
        })
    );
    let pending = rig
        .poll_with(&poll_path(&blocked), Some(&blocked_pay))
        .await;
    if blocked_at.elapsed() < delay.saturating_sub(Duration::from_millis(100)) {
        let status = pending.expect(StatusCode::ACCEPTED)["status"].clone();
        assert!(status == "queued" || status == "in_progress", "{status}");
    }

    tokio::time::sleep(delay.saturating_sub(blocked_at.elapsed()) + Duration::from_millis(50))
        .await;
    let moderated = rig
        .poll_with(&poll_path(&blocked), Some(&blocked_pay))
        .await
        .expect(StatusCode::OK);
    assert_eq!(moderated["status"], "failed");
    assert_eq!(
        moderated["error"],
        "The generated video was blocked by output moderation (sensitive content)"
    );
    assert_eq!(moderated["payment_status"], "not_charged");

    // The fault fails the next job whatever its prompt, once.
    rig.server.faults().fail_next_video();
    let faulted = rig
        .keyed(&fast_body("fine"))
        .await
        .expect(StatusCode::ACCEPTED);
    let fine = rig
        .keyed(&fast_body("fine"))
        .await
        .expect(StatusCode::ACCEPTED);
    rig.server.finish_videos_now();
    let faulted = rig
        .poll_keyed(&poll_path(&faulted))
        .await
        .expect(StatusCode::OK);
    assert_eq!(faulted["status"], "failed");
    assert!(faulted["error"]
        .as_str()
        .unwrap()
        .contains("generation failed"));
    assert_eq!(
        rig.poll_keyed(&poll_path(&fine))
            .await
            .expect(StatusCode::OK)["status"],
        "completed"
    );

    // Polled again and again: never settled, and no clip.
    for _ in 0..2 {
        rig.poll_with(&poll_path(&broken), Some(&broken_pay)).await;
        rig.poll_with(&poll_path(&blocked), Some(&blocked_pay))
            .await;
    }
    assert_eq!(rig.server.settlements(), 0);
    assert_eq!(rig.counts().settlements, 0);
    let port = rig.server.local_addr().port();
    let media = format!(
        "http://127.0.0.1:{port}/media/{}.mp4",
        blocked["id"].as_str().unwrap()
    );
    assert_eq!(
        rig.download(&media, None).await.status(),
        StatusCode::NOT_FOUND
    );
    // A failed job's authorization was never spent: it may pay for another job.
    rig.paid(&fast_body("second try"), &broken_pay)
        .await
        .expect(StatusCode::ACCEPTED);
}

#[tokio::test]
async fn an_expired_authorization_is_replaced_by_a_new_one_from_the_same_wallet() {
    let rig = Rig::new().await;
    let body = fast_body("a dancer");
    let quote = quote_of(&rig.unpaid(&body).await);
    // Valid for 2 more seconds (the window is 300 s from the signing time).
    let short = sign(&quote, &payer(), now_unix() - 298, fresh_nonce()).unwrap();
    let job = rig.paid(&body, &short).await.expect(StatusCode::ACCEPTED);
    let poll = poll_path(&job);
    tokio::time::sleep(Duration::from_millis(3200)).await;

    let expired = rig.poll_with(&poll, Some(&short)).await;
    assert_eq!(
        expired.status,
        StatusCode::PAYMENT_REQUIRED,
        "{}",
        expired.body
    );
    assert_eq!(expired.body["error"], "payment_expired");
    assert_eq!(challenge_of(&expired)["error"], "payment_expired");
    assert_eq!(rig.server.settlements(), 0);

    // Another wallet's new payment does not take the job over.
    let other = signed_by(&quote_of(&expired), &other_wallet());
    assert_forbidden(&rig.poll_with(&poll, Some(&other)).await);
    assert_eq!(rig.server.settlements(), 0);

    let renewed = signed_by(&quote_of(&expired), &payer());
    let done = rig.poll_with(&poll, Some(&renewed)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["payment"]["status"], "settled");
    let settlement = parse_settlement(&done.headers).unwrap().unwrap();
    assert_eq!(
        settlement.transaction.as_deref(),
        done.body["payment"]["tx_hash"].as_str()
    );
    assert_eq!(rig.server.settlements(), 1);
    // The old header still proves the wallet; nothing settles again.
    let again = rig
        .poll_with(&poll, Some(&short))
        .await
        .expect(StatusCode::OK);
    assert_eq!(again["payment"]["status"], "already_settled");
    assert_eq!(rig.server.settlements(), 1);
}

#[tokio::test]
async fn a_held_nonce_pays_for_nothing_else_not_even_the_same_submit() {
    let rig = Rig::new().await;
    let body = fast_body("a dancer");
    let (job, payment) = rig.submit_x402(&body, &payer()).await;
    // The very same submit again: the seller has that authorization in use, so it is refused
    // like any other use of its nonce, and no second job is made.
    let again = rig.paid(&body, &payment).await;
    assert_eq!(again.status, StatusCode::PAYMENT_REQUIRED, "{}", again.body);
    assert_eq!(again.body["error"], NONCE_USED);
    assert_eq!(challenge_of(&again)["error"], NONCE_USED);
    assert_eq!(rig.counts().submitted, 1);
    let other = rig.paid(&fast_body("another"), &payment).await;
    assert_eq!(other.status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(other.body["error"], NONCE_USED);
    assert_eq!(rig.counts().submitted, 1);

    // An enrollment signed with the nonce the job holds is refused too.
    let init = send(
        rig.http
            .post(rig.url("/v1/realface/init"))
            .json(&json!({ "name": "Talent" })),
    )
    .await
    .expect(StatusCode::OK);
    let group_id = init["group_id"].as_str().unwrap();
    rig.server.complete_liveness(group_id).await.unwrap();
    let enroll =
        json!({ "name": "Talent", "image_url": rig.photos.url("face.jpg"), "group_id": group_id });
    let probe = send(rig.http.post(rig.url("/v1/realface/enroll")).json(&enroll)).await;
    let mut nonce = [0u8; 32];
    hex::decode_to_slice(&payment.nonce_hex[2..], &mut nonce).unwrap();
    let same_nonce = sign(&quote_of(&probe), &payer(), now_unix(), nonce).unwrap();
    let (name, value) = same_nonce.header();
    let refused = send(
        rig.http
            .post(rig.url("/v1/realface/enroll"))
            .header(name, value)
            .json(&enroll),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::PAYMENT_REQUIRED,
        "{}",
        refused.body
    );
    assert_eq!(refused.body["error"], NONCE_USED);
    assert_eq!(rig.server.settlements(), 0);

    // The job itself is untouched: its wallet polls it to the end, and it settles once.
    rig.server.finish_videos_now();
    let done = rig
        .poll_with(&poll_path(&job), Some(&payment))
        .await
        .expect(StatusCode::OK);
    assert_eq!(done["payment"]["status"], "settled");
    assert_eq!(rig.server.settlements(), 1);
}

#[tokio::test]
async fn the_clip_is_the_fixture_with_byte_ranges() {
    let rig = Rig::new().await;
    let job = rig
        .keyed(&fast_body("a dancer"))
        .await
        .expect(StatusCode::ACCEPTED);
    let id = job["id"].as_str().unwrap();
    let port = rig.server.local_addr().port();
    let media = format!("http://127.0.0.1:{port}/media/{id}.mp4");
    rig.server.finish_videos_now();
    // Finished, but its URL not yet handed out by a completed poll: not served.
    assert_eq!(
        rig.download(&media, None).await.status(),
        StatusCode::NOT_FOUND
    );
    let done = rig
        .poll_keyed(&poll_path(&job))
        .await
        .expect(StatusCode::OK);
    assert_eq!(done["data"][0]["url"], media.as_str());

    let expected = clip();
    let full = rig.download(&media, None).await;
    assert_eq!(full.status(), StatusCode::OK);
    assert_eq!(full.headers()["content-type"], "video/mp4");
    assert_eq!(full.headers()["accept-ranges"], "bytes");
    assert_eq!(
        full.headers()["content-length"],
        expected.len().to_string().as_str()
    );
    assert_eq!(full.bytes().await.unwrap().as_ref(), expected.as_slice());

    let part = rig.download(&media, Some("bytes=0-99")).await;
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 0-99/{}", expected.len()).as_str()
    );
    assert_eq!(part.headers()["content-length"], "100");
    assert_eq!(part.bytes().await.unwrap().as_ref(), &expected[..100]);
    let tail = rig.download(&media, Some("bytes=24000-")).await;
    assert_eq!(tail.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail.bytes().await.unwrap().as_ref(), &expected[24_000..]);
    let beyond = rig.download(&media, Some("bytes=999999-")).await;
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    let upstream = rig
        .download(&format!("{media}?source=upstream"), None)
        .await;
    assert_eq!(
        upstream.bytes().await.unwrap().as_ref(),
        expected.as_slice()
    );
    for unknown in [
        format!("http://127.0.0.1:{port}/media/bytedance:video_000000000000000000000000.mp4"),
        format!("http://127.0.0.1:{port}/media/{id}.mov"),
    ] {
        assert_eq!(
            rig.download(&unknown, None).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(rig.counts().downloads, 4);
}

#[tokio::test]
async fn jarvisclaw_hands_out_its_own_poll_url() {
    let rig = Rig::with(|c| c.video_gateway = ProviderApi::JarvisClaw).await;
    let (job, payment) = rig.submit_x402(&fast_body("a dancer"), &payer()).await;
    let id = job["id"].as_str().unwrap();
    let poll = poll_path(&job);
    let prefix = format!("/v1/videos/generations/{id}?model={FAST}&sig=");
    assert!(poll.starts_with(&prefix), "{poll}");
    assert_hex(&poll[prefix.len()..], 16);
    // Another wallet's signature: 403 here too.
    let other = signed_by(
        &quote_of(&rig.unpaid(&fast_body("a dancer")).await),
        &other_wallet(),
    );
    assert_forbidden(&rig.poll_with(&poll, Some(&other)).await);
    rig.server.finish_videos_now();
    assert_forbidden(&rig.poll_with(&poll, Some(&other)).await);
    assert_eq!(rig.server.settlements(), 0);
    let done = rig
        .poll_with(&poll, Some(&payment))
        .await
        .expect(StatusCode::OK);
    assert_eq!(done["status"], "completed");
    assert_eq!(done["price"]["amount"], "0.825804");
    assert_eq!(rig.server.settlements(), 1);
}

// ---------------------------------------------------------------- Anyfast

#[tokio::test]
async fn anyfast_tasks_take_the_accounts_active_assets() {
    let rig = Rig::new().await;
    let active = rig.image_asset(TEST_API_KEY, true).await;
    let foreign = rig.image_asset(KEY_B, true).await;
    let body = |asset: &str| {
        json!({
            "model": "seedance-fast",
            "content": [
                { "type": "text", "text": "@image1 smiles and waves" },
                { "type": "image_url", "image_url": { "url": format!("asset://{asset}") }, "role": "reference_image" },
            ],
            "resolution": "720p",
            "ratio": "16:9",
            "duration": 5,
            "generate_audio": true,
            "watermark": false,
        })
    };
    const CREATE: &str = "/v1/video/generations";

    // Still processing: uploaded just now (processing takes PROCESSING).
    let processing = rig.image_asset(TEST_API_KEY, false).await;
    let not_active = rig
        .anyfast_post(CREATE, TEST_API_KEY, body(&processing))
        .await
        .expect(StatusCode::BAD_REQUEST);
    assert!(
        not_active["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("asset {processing} is not active yet")),
        "{not_active}"
    );
    let other = rig
        .anyfast_post(CREATE, TEST_API_KEY, body(&foreign))
        .await
        .expect(StatusCode::NOT_FOUND);
    assert_eq!(
        other["error"]["message"],
        format!("asset {foreign} not found")
    );
    assert!(other["error"]["code"].is_string() && other["error"]["type"].is_string());
    for (edit, says) in [
        (json!({ "model": "seedance-pro" }), "model"),
        (json!({ "resolution": "1080p" }), "resolution"),
        (json!({ "ratio": "2:1" }), "ratio"),
        (json!({ "duration": 16 }), "duration"),
        (json!({ "content": [] }), "content"),
    ] {
        let mut b = body(&active);
        for (k, v) in edit.as_object().unwrap() {
            b[k] = v.clone();
        }
        let refused = rig
            .anyfast_post(CREATE, TEST_API_KEY, b)
            .await
            .expect(StatusCode::BAD_REQUEST);
        assert!(
            refused["error"]["message"].as_str().unwrap().contains(says),
            "{refused}"
        );
    }
    let unauthorized = rig.anyfast_post(CREATE, "nope", body(&active)).await;
    assert_eq!(unauthorized.status, StatusCode::UNAUTHORIZED);
    assert_eq!(rig.counts().submitted, 0);

    let task = rig
        .anyfast_post(CREATE, TEST_API_KEY, body(&active))
        .await
        .expect(StatusCode::OK);
    let id = task["id"].as_str().unwrap().to_owned();
    let (stamp, tail) = id
        .strip_prefix("cgt-")
        .and_then(|r| r.split_once('-'))
        .unwrap_or_else(|| panic!("{id}"));
    assert!(
        stamp.len() == 14 && stamp.bytes().all(|b| b.is_ascii_digit()),
        "{id}"
    );
    assert!(
        tail.len() == 5 && tail.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{id}"
    );
    assert_eq!(task["task_id"], id.as_str());
    assert_eq!(task["object"], "video");
    assert_eq!(task["model"], "seedance-fast");
    assert_eq!(task["status"], "");
    assert_eq!(task["progress"], 0);
    assert!(task["created_at"].as_u64().unwrap().abs_diff(now_unix()) <= 2);

    let early = rig
        .anyfast_poll(&id, TEST_API_KEY)
        .await
        .expect(StatusCode::OK);
    assert_eq!(early["code"], "success");
    let status = early["data"]["status"].as_str().unwrap();
    assert!(
        ["NOT_START", "QUEUED", "IN_PROGRESS"].contains(&status),
        "{early}"
    );
    assert_eq!(early["data"]["result_url"], "");
    assert_eq!(early["data"]["task_id"], id.as_str());
    assert_eq!(early["data"]["action"], "video_generation");
    assert_eq!(
        rig.anyfast_poll(&id, KEY_B).await.status,
        StatusCode::NOT_FOUND,
        "another account's task"
    );
    assert_eq!(
        rig.anyfast_poll("cgt-20260702221526-zzzzz", TEST_API_KEY)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    rig.server.finish_videos_now();
    let done = rig
        .anyfast_poll(&id, TEST_API_KEY)
        .await
        .expect(StatusCode::OK);
    let port = rig.server.local_addr().port();
    let media = format!("http://127.0.0.1:{port}/media/{id}.mp4");
    assert_eq!(done["data"]["status"], "SUCCESS");
    assert_eq!(done["data"]["result_url"], media.as_str());
    assert_eq!(done["data"]["fail_reason"], "");
    assert_eq!(done["data"]["progress"], "100%");
    assert_eq!(done["data"]["data"]["content"]["video_url"], media.as_str());
    assert_eq!(done["data"]["data"]["status"], "succeeded");
    let bytes = rig.download(&media, None).await.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), clip().as_slice());

    // Moderation fails a finished task.
    let mut blocked = body(&active);
    blocked["content"][0]["text"] = json!(format!("waves {MODERATION_MARKER}"));
    let blocked = rig
        .anyfast_post(CREATE, TEST_API_KEY, blocked)
        .await
        .expect(StatusCode::OK);
    rig.server.finish_videos_now();
    let failed = rig
        .anyfast_poll(blocked["id"].as_str().unwrap(), TEST_API_KEY)
        .await
        .expect(StatusCode::OK);
    assert_eq!(failed["data"]["status"], "FAILURE");
    assert_eq!(failed["data"]["result_url"], "");
    assert_eq!(
        failed["data"]["fail_reason"],
        "The generated video was blocked by output moderation (sensitive content)"
    );
    assert_eq!(failed["data"]["data"]["status"], "failed");
    assert_eq!(rig.server.settlements(), 0);
}

// ---------------------------------------------------------------- Crun

#[tokio::test]
async fn crun_tasks_in_the_envelope() {
    let rig = Rig::new().await;
    let active = rig.image_asset(TEST_API_KEY, true).await;
    let foreign = rig.image_asset(KEY_B, true).await;
    let body = |model: &str, images: Value| {
        json!({
            "model": model,
            "input": {
                "prompt": "@image1 smiles and waves",
                "reference_images": images,
                "resolution": "720p",
                "aspect_ratio": "16:9",
                "duration": 5,
                "audio": true,
            },
        })
    };
    const R2V: &str = "bytedance/seedance2-0-fast-r2v";

    let processing = rig.image_asset(TEST_API_KEY, false).await;
    let not_active = rig
        .crun_create(
            TEST_API_KEY,
            body(R2V, json!([format!("asset://{processing}")])),
        )
        .await;
    assert_eq!(not_active["code"], 422, "{not_active}");
    assert_eq!(not_active["errors"][0]["field"], "input.reference_images");
    assert!(not_active["message"]
        .as_str()
        .unwrap()
        .contains("is not active yet"));
    let other = rig
        .crun_create(
            TEST_API_KEY,
            body(R2V, json!([format!("asset://{foreign}")])),
        )
        .await;
    assert_eq!(other["code"], 404, "{other}");
    assert_eq!(other["message"], format!("asset {foreign} not found"));
    for bad in [
        body(
            "bytedance/seedance2-0-t2v",
            json!([format!("asset://{active}")]),
        ),
        body(R2V, json!([])),
        json!({ "model": R2V }),
        json!({ "model": "bytedance/seedance2-0-i2v", "input": { "prompt": "x", "reference_images": [format!("asset://{active}")] } }),
        json!({ "model": R2V, "input": { "prompt": "x", "reference_images": [format!("asset://{active}")], "duration": 16 } }),
    ] {
        let refused = rig.crun_create(TEST_API_KEY, bad.clone()).await;
        assert_eq!(refused["code"], 422, "{bad}: {refused}");
        assert!(refused["errors"][0]["field"].is_string(), "{refused}");
    }
    let unauthorized = rig.crun_create("nope", body(R2V, json!([]))).await;
    assert_eq!(unauthorized["code"], 401);

    let created = rig
        .crun_create(
            TEST_API_KEY,
            body(R2V, json!([format!("asset://{active}")])),
        )
        .await;
    assert_eq!(created["code"], 200, "{created}");
    let task_id = created["data"]["task_id"].as_str().unwrap().to_owned();
    let parts: Vec<usize> = task_id.split('-').map(str::len).collect();
    assert_eq!(parts, [8, 4, 4, 4, 12], "{task_id}");

    let early = rig.crun_info(TEST_API_KEY, &task_id).await;
    assert_eq!(early["code"], 200);
    let data = &early["data"];
    assert!(
        ["pending", "running"].contains(&data["status"].as_str().unwrap()),
        "{early}"
    );
    assert_eq!(data["result"], Value::Null);
    assert_eq!(data["provider"], "bytedance");
    assert_eq!(data["param"]["input"]["prompt"], "@image1 smiles and waves");
    assert_eq!(rig.crun_info(KEY_B, &task_id).await["code"], 404);

    rig.server.finish_videos_now();
    let done = rig.crun_info(TEST_API_KEY, &task_id).await;
    let data = &done["data"];
    let port = rig.server.local_addr().port();
    assert_eq!(data["status"], "success", "{done}");
    assert_eq!(
        data["result"],
        json!({
            "code": 200,
            "message": "success",
            "media_urls": [format!("http://127.0.0.1:{port}/media/{task_id}.mp4")],
        })
    );
    assert_eq!(data["duration_s"], 3);
    assert!(data["complete_at"].is_string() && data["create_at"].is_string());
    assert_eq!(data["credits"], 83);
    assert!(data["model_version"].is_string());

    // i2v with img_urls, and a generation failure.
    let failing = json!({
        "model": "bytedance/seedance2-0-i2v",
        "input": { "prompt": format!("x {VIDEO_FAIL_MARKER}"), "img_urls": [format!("asset://{active}")] },
    });
    let failing = rig.crun_create(TEST_API_KEY, failing).await;
    assert_eq!(failing["code"], 200, "{failing}");
    rig.server.finish_videos_now();
    let failed = rig
        .crun_info(TEST_API_KEY, failing["data"]["task_id"].as_str().unwrap())
        .await;
    assert_eq!(failed["data"]["status"], "failed");
    assert_eq!(failed["data"]["result"]["code"], 501);
    assert_eq!(failed["data"]["result"]["media_urls"], json!([]));
    assert!(failed["data"]["result"]["message"]
        .as_str()
        .unwrap()
        .contains("generation failed"));
    assert_eq!(
        rig.counts().polls,
        3,
        "another account's lookup is not a poll"
    );
}

#[tokio::test]
async fn reference_clips_go_in_their_documented_slots_of_one_persons_group() {
    let rig = Rig::new().await;
    let ada = rig.person(TEST_API_KEY).await;
    let bea = rig.person(TEST_API_KEY).await;
    let foreign = rig.person(KEY_B).await;
    let asset = |id: &str| format!("asset://{id}");
    let item = |kind: &str, id: &str, role: &str| json!({ "type": kind, kind: { "url": asset(id) }, "role": role });
    let anyfast = |media: Vec<Value>| {
        let mut content = vec![
            json!({ "type": "text", "text": "@image1 says hello in @audio1's voice" }),
            item("image_url", &ada.face, "reference_image"),
        ];
        content.extend(media);
        json!({ "model": "seedance-fast", "content": content, "duration": 5, "generate_audio": true })
    };
    const CREATE: &str = "/v1/video/generations";

    let task = rig
        .anyfast_post(
            CREATE,
            TEST_API_KEY,
            anyfast(vec![
                item("video_url", &ada.video, "reference_video"),
                item("audio_url", &ada.voice, "reference_audio"),
            ]),
        )
        .await
        .expect(StatusCode::OK);
    let got = rig
        .server
        .video_media(task["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(got.images, [ada.face.as_str()]);
    assert_eq!(got.videos, [ada.video.as_str()]);
    assert_eq!(got.audios, [ada.voice.as_str()]);
    assert!(got.generate_audio);

    let refused = |reply: Reply, status: StatusCode, says: &str| {
        let v = reply.expect(status);
        let message = v["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(says), "{says}: {v}");
    };
    // Another person's clip, a video in the audio slot, four videos, an unknown id, another key's.
    refused(
        rig.anyfast_post(
            CREATE,
            TEST_API_KEY,
            anyfast(vec![item("video_url", &bea.video, "reference_video")]),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "another asset group",
    );
    refused(
        rig.anyfast_post(
            CREATE,
            TEST_API_KEY,
            anyfast(vec![item("audio_url", &ada.video, "reference_audio")]),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "is a Video, not an Audio",
    );
    let four = vec![item("video_url", &ada.video, "reference_video"); 4];
    refused(
        rig.anyfast_post(CREATE, TEST_API_KEY, anyfast(four)).await,
        StatusCode::BAD_REQUEST,
        "at most 3 video_url",
    );
    refused(
        rig.anyfast_post(
            CREATE,
            TEST_API_KEY,
            anyfast(vec![item(
                "video_url",
                "asset-20260702223855-zzzzz",
                "reference_video",
            )]),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not found",
    );
    refused(
        rig.anyfast_post(
            CREATE,
            TEST_API_KEY,
            anyfast(vec![item("audio_url", &foreign.voice, "reference_audio")]),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not found",
    );
    refused(
        rig.anyfast_post(
            CREATE,
            TEST_API_KEY,
            anyfast(vec![item("video_url", &ada.video, "reference_audio")]),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "role",
    );

    // Crun: lists of asset:// strings beside reference_images.
    let crun = |videos: Vec<&str>, audios: Vec<&str>| {
        json!({
            "model": "bytedance/seedance2-0-r2v",
            "input": {
                "prompt": "@image1 says hello",
                "reference_images": [asset(&ada.face)],
                "reference_videos": videos.iter().map(|v| asset(v)).collect::<Vec<_>>(),
                "reference_audios": audios.iter().map(|a| asset(a)).collect::<Vec<_>>(),
                "audio": true,
            },
        })
    };
    let created = rig
        .crun_create(TEST_API_KEY, crun(vec![&ada.video], vec![&ada.voice]))
        .await;
    assert_eq!(created["code"], 200, "{created}");
    let got = rig
        .server
        .video_media(created["data"]["task_id"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        (got.images, got.videos, got.audios),
        (
            vec![ada.face.clone()],
            vec![ada.video.clone()],
            vec![ada.voice.clone()]
        )
    );
    for (videos, audios, code, field) in [
        (
            vec![bea.video.as_str()],
            vec![],
            422,
            "input.reference_videos",
        ),
        (
            vec![],
            vec![ada.video.as_str()],
            422,
            "input.reference_audios",
        ),
        (
            vec![ada.video.as_str(); 4],
            vec![],
            422,
            "input.reference_videos",
        ),
        (vec![], vec![foreign.voice.as_str()], 404, ""),
    ] {
        let refused = rig.crun_create(TEST_API_KEY, crun(videos, audios)).await;
        assert_eq!(refused["code"], code, "{refused}");
        if code == 422 {
            assert_eq!(refused["errors"][0]["field"], field, "{refused}");
        }
    }
    assert_eq!(rig.counts().submitted, 2, "refusals make no job");
}

// ---------------------------------------------------------------- persistence

#[tokio::test]
async fn a_job_made_before_a_restart_completes_and_settles_once_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let durable = {
        let state = state.clone();
        move |c: &mut RehearsalConfig| c.state_file = Some(state.clone())
    };
    let rig = Rig::with(durable.clone()).await;
    let (job, payment) = rig.submit_x402(&fast_body("a dancer"), &payer()).await;
    let keyed = rig
        .keyed(&fast_body("a dancer"))
        .await
        .expect(StatusCode::ACCEPTED);
    let id = job["id"].as_str().unwrap().to_owned();
    let poll = poll_path(&job);

    // Still queued when the server goes away.
    let rig = rig.restart(durable.clone()).await;
    tokio::time::sleep(DELAY + Duration::from_millis(50)).await;
    let done = rig.poll_with(&poll, Some(&payment)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["payment"]["status"], "settled");
    let port = rig.server.local_addr().port();
    assert_eq!(
        done.body["data"][0]["url"],
        format!("http://127.0.0.1:{port}/media/{id}.mp4")
    );
    assert_eq!(rig.server.settlements(), 1);
    assert_eq!(rig.counts().settlements, 1);
    assert_eq!(
        rig.poll_keyed(&poll_path(&keyed))
            .await
            .expect(StatusCode::OK)["status"],
        "completed"
    );

    // And again after another restart: the same settlement, not a second one.
    let rig = rig.restart(durable.clone()).await;
    let again = rig
        .poll_with(&poll, Some(&payment))
        .await
        .expect(StatusCode::OK);
    assert_eq!(again["payment"]["status"], "already_settled");
    assert_eq!(again["payment"]["tx_hash"], done.body["payment"]["tx_hash"]);
    assert_eq!(rig.server.settlements(), 1);
    assert_eq!(rig.counts().settlements, 0);
    let port = rig.server.local_addr().port();
    let media = format!("http://127.0.0.1:{port}/media/{id}.mp4");
    assert_eq!(rig.download(&media, None).await.status(), StatusCode::OK);

    // Two days later the job is gone: "job expired".
    rig.server.shutdown().await;
    let mut saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let two_days_ms = 49 * 3600 * 1000_i64;
    for job in saved["videos"].as_array_mut().unwrap() {
        for field in ["created_at_ms", "done_at_ms"] {
            job[field] = json!(job[field].as_i64().unwrap() - two_days_ms);
        }
    }
    std::fs::write(&state, serde_json::to_vec(&saved).unwrap()).unwrap();
    let photos = PhotoHost::start().await;
    let mut config = base_config(&photos);
    durable(&mut config);
    let server = common::start_rehearsal_with(config).await;
    let rig = Rig {
        photos,
        server,
        http: reqwest::Client::new(),
    };
    let expired = rig.poll_with(&poll, Some(&payment)).await;
    assert_eq!(expired.status, StatusCode::NOT_FOUND);
    assert_eq!(expired.body["error"], "job expired");
    let port = rig.server.local_addr().port();
    let media = format!("http://127.0.0.1:{port}/media/{id}.mp4");
    assert_eq!(
        rig.download(&media, None).await.status(),
        StatusCode::NOT_FOUND
    );
}
