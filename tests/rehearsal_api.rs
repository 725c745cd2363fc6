//! Rehearsal over real HTTP on loopback: every rule of the BlockRun RealFace API it plays.

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use alloy::signers::local::PrivateKeySigner;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use common::{assert_documented_fields, PhotoHost, TEST_API_KEY};
use likeness::payment::{
    fresh_nonce, parse_settlement, quote_challenge, sign, Network, PaymentQuote, SignedPayment,
    X402Version,
};
use rehearsal::{
    ChallengeShape, RehearsalConfig, RehearsalServer, FACE_MISMATCH_MARKER, REHEARSAL_TREASURY,
    UPSTREAM_ERROR_MARKER,
};
use reqwest::header::{HeaderMap, AUTHORIZATION, RETRY_AFTER};
use reqwest::StatusCode;
use serde_json::{json, Value};

// ---------------------------------------------------------------- rig

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn error(&self) -> &str {
        self.body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no `error` string in {} body {}", self.status, self.body))
    }

    fn expect(self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        self.body
    }

    fn retry_after(&self) -> u64 {
        self.headers
            .get(RETRY_AFTER)
            .expect("Retry-After header")
            .to_str()
            .unwrap()
            .parse()
            .expect("Retry-After in whole seconds")
    }
}

async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("request reaches Rehearsal");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{status}: body is not JSON: {text:?}"));
    Reply {
        status,
        headers,
        body,
    }
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
        let mut config = common::rehearsal_config(&photos);
        tweak(&mut config);
        let server = common::start_rehearsal_with(config).await;
        Rig {
            photos,
            server,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        self.server
            .base_url()
            .join(path.trim_start_matches('/'))
            .unwrap()
            .to_string()
    }

    async fn get(&self, path: &str) -> Reply {
        send(self.http.get(self.url(path))).await
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        send(self.http.post(self.url(path)).json(&body)).await
    }

    async fn post_raw(&self, path: &str, body: &'static str) -> Reply {
        send(
            self.http
                .post(self.url(path))
                .header("content-type", "application/json")
                .body(body),
        )
        .await
    }

    /// A paid call with the right key.
    async fn post_paid(&self, path: &str, body: Value) -> Reply {
        send(
            self.http
                .post(self.url(path))
                .bearer_auth(TEST_API_KEY)
                .json(&body),
        )
        .await
    }

    async fn init(&self, name: &str) -> Value {
        self.post("/v1/realface/init", json!({ "name": name }))
            .await
            .expect(StatusCode::OK)
    }

    async fn status(&self, group_id: &str) -> Value {
        self.get(&format!("/v1/realface/status?groupId={group_id}"))
            .await
            .expect(StatusCode::OK)
    }

    async fn step(&self, token: &str, step: &str) -> Reply {
        self.post(
            "/h5/api/step",
            json!({ "sessionToken": token, "step": step }),
        )
        .await
    }

    /// A group whose liveness is done.
    async fn active_group(&self) -> String {
        let init = self.init("Spokesperson").await;
        let group_id = init["group_id"].as_str().unwrap().to_owned();
        self.server.complete_liveness(&group_id).await.unwrap();
        group_id
    }

    /// Shuts the server down, waits `down_for`, and starts a new one (on a new port) with the same
    /// photo host and the test configuration as `tweak` adjusts it.
    async fn restart(self, down_for: Duration, tweak: impl FnOnce(&mut RehearsalConfig)) -> Rig {
        let Rig {
            photos,
            server,
            http,
        } = self;
        server.shutdown().await;
        tokio::time::sleep(down_for).await;
        let mut config = common::rehearsal_config(&photos);
        tweak(&mut config);
        let server = common::start_rehearsal_with(config).await;
        Rig {
            photos,
            server,
            http,
        }
    }

    async fn session_view(&self, token: &str) -> Value {
        self.get(&format!("/h5/api/session?sessionToken={token}"))
            .await
            .expect(StatusCode::OK)
    }

    async fn enroll(&self, group_id: &str, image_path: &str) -> Reply {
        self.post_paid(
            "/v1/realface/enroll",
            json!({
                "name": "Spokesperson — Q3 campaign",
                "image_url": self.photos.url(image_path),
                "group_id": group_id,
            }),
        )
        .await
    }
}

fn token_of(init: &Value) -> String {
    let link = url::Url::parse(init["h5_link"].as_str().unwrap()).unwrap();
    link.query_pairs()
        .find(|(k, _)| k == "sessionToken")
        .map(|(_, v)| v.into_owned())
        .expect("sessionToken in h5_link")
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_asset_id(s: &str) -> bool {
    s.strip_prefix("ta_").is_some_and(|h| is_lower_hex(h, 32))
}

fn is_tx_hash(s: &str) -> bool {
    s.strip_prefix("0x").is_some_and(|h| is_lower_hex(h, 64))
}

fn is_group_id(s: &str) -> bool {
    s.strip_prefix("legacy_rf_")
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// `2026-05-24T16:19:00.000Z`
fn is_rfc3339_millis_z(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

// ---------------------------------------------------------------- init

#[tokio::test]
async fn init_answers_the_doc_shape_with_a_working_h5_link() {
    let rig = Rig::new().await;
    let init = rig.init("Spokesperson — Q3 campaign").await;

    assert_eq!(init["object"], "realface.init");
    let group_id = init["group_id"].as_str().unwrap();
    assert!(is_group_id(group_id), "{group_id}");
    assert_eq!(init["status"], "pending_validation");
    assert_eq!(init["expires_in_seconds"], 120);
    assert!(!init["next_steps"].as_object().unwrap().is_empty());
    assert!(init.get("refreshed").is_none());

    let link = init["h5_link"].as_str().unwrap();
    let port = rig.server.local_addr().port();
    assert!(
        link.starts_with(&format!("http://127.0.0.1:{port}/h5/?")),
        "{link}"
    );
    assert!(link.contains('&'));
    let parsed = url::Url::parse(link).unwrap();
    let query: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    assert_eq!(query[0], ("accessKeyId".into(), "rehearsal".into()));
    assert_eq!(query[1].0, "sessionToken");
    assert!(query[1].1.len() >= 32);
    assert_eq!(query[2], ("configId".into(), group_id.into()));

    // The link opens Rehearsal's own phone page, with no external resources.
    let page = rig.http.get(link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    for text in [
        "Allow camera",
        "please nod",
        "please blink",
        "Verification completed.",
        "You can close this page now.",
        "Session expired",
        "Verification failed",
        "/h5/api/step",
    ] {
        assert!(html.contains(text), "page lacks {text:?}");
    }
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));

    let status = rig.status(group_id).await;
    assert_eq!(
        status,
        json!({
            "object": "realface.status",
            "group_id": group_id,
            "status": "pending_validation",
            "asset_count": 0,
            "ready_to_finalize": false,
        })
    );
}

#[tokio::test]
async fn init_name_must_be_1_to_64_characters() {
    let rig = Rig::new().await;
    for bad in [
        json!({ "name": "" }),
        json!({ "name": "   " }),
        json!({ "name": "ü".repeat(65) }),
        json!({ "name": "a".repeat(65) }),
        json!({ "name": 7 }),
        json!({}),
    ] {
        let reply = rig.post("/v1/realface/init", bad.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        only_words(&reply);
        assert!(reply.error().contains("name"), "{bad}: {}", reply.error());
    }
    // 64 characters, 128 bytes: counted in characters.
    let init = rig.init(&"ü".repeat(64)).await;
    assert!(is_group_id(init["group_id"].as_str().unwrap()));
    rig.init(&"a".repeat(64)).await;
    rig.init("X").await;

    for raw in ["{not json", "[\"name\"]", ""] {
        let reply = rig.post_raw("/v1/realface/init", raw).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{raw:?}");
        assert!(
            reply.error().starts_with("Invalid request body"),
            "{raw:?}: {}",
            reply.error()
        );
        only_words(&reply);
    }
}

#[tokio::test]
async fn eleventh_init_in_an_hour_is_429_with_retry_after() {
    let rig = Rig::new().await;
    let mut first = None;
    for i in 0..10 {
        let init = rig.init(&format!("Person {i}")).await;
        first.get_or_insert(init);
    }
    let reply = rig
        .post("/v1/realface/init", json!({ "name": "Person 11" }))
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after = reply.retry_after();
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    assert_eq!(reply.error(), "Rate limit exceeded");
    only_words(&reply);

    // Still limited on the next try; the doc's way out is the refresh path, which is not counted.
    assert_eq!(
        rig.post("/v1/realface/init", json!({ "name": "Person 12" }))
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let group_id = first.unwrap()["group_id"].clone();
    let refreshed = rig
        .post(
            "/v1/realface/init",
            json!({ "name": "Person 0", "groupId": group_id }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(refreshed["group_id"], group_id);
}

#[tokio::test]
async fn init_limit_is_configurable() {
    let rig = Rig::with(|c| c.init_limit_per_hour = 2).await;
    rig.init("a").await;
    rig.init("b").await;
    let reply = rig.post("/v1/realface/init", json!({ "name": "c" })).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.retry_after() > 3590);
}

// ---------------------------------------------------------------- status

#[tokio::test]
async fn twenty_first_status_in_an_hour_is_429() {
    let rig = Rig::new().await;
    let group_id = rig.init("Spokesperson").await["group_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..20 {
        rig.status(&group_id).await;
    }
    let reply = rig
        .get(&format!("/v1/realface/status?groupId={group_id}"))
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.retry_after() > 0);
    assert_eq!(reply.error(), "Rate limit exceeded");
}

#[tokio::test]
async fn status_shares_its_bucket_with_the_wallet_listings() {
    let rig = Rig::new().await;
    let group_id = rig.init("Spokesperson").await["group_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let owner = rig.server.key_owner().to_owned();
    for _ in 0..12 {
        rig.status(&group_id).await;
    }
    for _ in 0..4 {
        rig.get(&format!("/v1/wallet/{owner}/realfaces"))
            .await
            .expect(StatusCode::OK);
        rig.get(&format!("/v1/wallet/{owner}/portraits"))
            .await
            .expect(StatusCode::OK);
    }
    for path in [
        format!("/v1/realface/status?groupId={group_id}"),
        format!("/v1/wallet/{owner}/realfaces"),
        format!("/v1/wallet/{owner}/portraits"),
    ] {
        let reply = rig.get(&path).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
        assert!(reply.retry_after() > 0);
    }
    // Init has its own bucket.
    rig.init("Someone else").await;
}

#[tokio::test]
async fn status_needs_a_well_formed_known_group() {
    let rig = Rig::new().await;
    let missing = rig.get("/v1/realface/status").await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    only_words(&missing);
    assert!(missing.error().contains("groupId"), "{}", missing.error());
    let empty = rig.get("/v1/realface/status?groupId=").await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let malformed = rig.get("/v1/realface/status?groupId=tg_123").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(
        malformed.error().contains("groupId"),
        "{}",
        malformed.error()
    );
    let unknown = rig.get("/v1/realface/status?groupId=legacy_rf_1").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.error(), "Asset group not found: legacy_rf_1");
}

// ---------------------------------------------------------------- refresh

#[tokio::test]
async fn refresh_keeps_the_group_and_replaces_the_token() {
    let rig = Rig::new().await;
    let init = rig.init("Spokesperson").await;
    let group_id = init["group_id"].as_str().unwrap();
    let old_token = token_of(&init);
    assert_eq!(rig.step(&old_token, "camera").await.status, StatusCode::OK);

    let refreshed = rig
        .post(
            "/v1/realface/init",
            json!({ "name": "Spokesperson", "groupId": group_id }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(refreshed["object"], "realface.init");
    assert_eq!(refreshed["group_id"], group_id);
    assert_eq!(refreshed["refreshed"], true);
    assert_eq!(refreshed["status"], "pending_validation");
    assert_eq!(refreshed["expires_in_seconds"], 120);
    assert!(refreshed.get("next_steps").is_none());
    let new_token = token_of(&refreshed);
    assert_ne!(new_token, old_token);

    // The superseded token answers like an expired one.
    let old = rig.step(&old_token, "nod").await;
    assert_eq!(old.status, StatusCode::GONE);
    assert_eq!(old.error(), "Session expired");
    assert_eq!(old.body["code"], "SESSION_SUPERSEDED");
    let old_view = rig
        .get(&format!("/h5/api/session?sessionToken={old_token}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(old_view["state"], "superseded");
    assert_eq!(old_view["expired"], true);

    // The new token starts from the beginning.
    assert_eq!(
        rig.step(&new_token, "nod").await.status,
        StatusCode::CONFLICT
    );
    for step in ["camera", "nod", "blink"] {
        rig.step(&new_token, step).await.expect(StatusCode::OK);
    }
    assert_eq!(rig.status(group_id).await["status"], "active");

    // Refreshing an active group keeps it active.
    let again = rig
        .post(
            "/v1/realface/init",
            json!({ "name": "Spokesperson", "groupId": group_id }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(again["status"], "active");
    assert_eq!(rig.status(group_id).await["status"], "active");
}

#[tokio::test]
async fn refresh_of_an_unknown_or_malformed_group_is_refused() {
    let rig = Rig::new().await;
    let unknown = rig
        .post(
            "/v1/realface/init",
            json!({ "name": "x", "groupId": "legacy_rf_1" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.error().contains("legacy_rf_1"));
    let malformed = rig
        .post(
            "/v1/realface/init",
            json!({ "name": "x", "groupId": "group-123" }),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(
        malformed.error().contains("groupId"),
        "{}",
        malformed.error()
    );
    let wrong_type = rig
        .post("/v1/realface/init", json!({ "name": "x", "groupId": 5 }))
        .await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------- the phone

#[tokio::test]
async fn phone_steps_in_order_activate_the_group() {
    let rig = Rig::new().await;
    let init = rig.init("Spokesperson").await;
    let group_id = init["group_id"].as_str().unwrap();
    let token = token_of(&init);

    let view = rig
        .get(&format!("/h5/api/session?sessionToken={token}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(view["group_id"], group_id);
    assert_eq!(view["state"], "in_progress");
    assert_eq!(view["next_step"], "camera");
    assert_eq!(view["steps_done"], json!([]));
    assert_eq!(view["expired"], false);
    let left = view["expires_in_ms"].as_u64().unwrap();
    assert!(left > 100_000 && left <= 120_000, "{left}");
    assert!(is_rfc3339_millis_z(view["expires_at"].as_str().unwrap()));

    let early = rig.step(&token, "nod").await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(early.body["expected_step"], "camera");

    let camera = rig.step(&token, "camera").await.expect(StatusCode::OK);
    assert_eq!(camera["next_step"], "nod");
    assert_eq!(camera["message"], "please nod");
    assert_eq!(rig.step(&token, "blink").await.status, StatusCode::CONFLICT);
    let nod = rig.step(&token, "nod").await.expect(StatusCode::OK);
    assert_eq!(nod["steps_done"], json!(["camera", "nod"]));
    assert_eq!(nod["message"], "please blink");
    assert_eq!(rig.status(group_id).await["status"], "pending_validation");

    let blink = rig.step(&token, "blink").await.expect(StatusCode::OK);
    assert_eq!(blink["completed"], true);
    assert_eq!(blink["state"], "completed");
    assert_eq!(
        blink["message"],
        "Verification completed. You can close this page now."
    );
    let status = rig.status(group_id).await;
    assert_eq!(status["status"], "active");
    assert_eq!(status["ready_to_finalize"], true);

    let after = rig.step(&token, "blink").await;
    assert_eq!(after.status, StatusCode::CONFLICT);
    assert_eq!(after.error(), "Verification already completed");

    assert_eq!(
        rig.step("0123456789abcdef", "camera").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        rig.get("/h5/api/session?sessionToken=nope").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        rig.step(&token, "smile").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        rig.post("/h5/api/step", json!({ "step": "camera" }))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn an_expired_session_is_gone_until_refreshed() {
    let rig = Rig::with(|c| c.session_ttl = Duration::from_secs(1)).await;
    let init = rig.init("Spokesperson").await;
    assert_eq!(init["expires_in_seconds"], 1);
    let group_id = init["group_id"].as_str().unwrap();
    let token = token_of(&init);
    rig.step(&token, "camera").await.expect(StatusCode::OK);

    tokio::time::sleep(Duration::from_millis(1200)).await;
    let late = rig.step(&token, "nod").await;
    assert_eq!(late.status, StatusCode::GONE);
    assert_eq!(late.error(), "Session expired");
    assert_eq!(late.body["code"], "SESSION_EXPIRED");
    let view = rig
        .get(&format!("/h5/api/session?sessionToken={token}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(view["expired"], true);
    assert_eq!(view["state"], "expired");
    assert_eq!(view["expires_in_ms"], 0);
    assert_eq!(view["next_step"], Value::Null);
    assert_eq!(rig.status(group_id).await["status"], "pending_validation");
    let helper = rig.server.complete_liveness(group_id).await;
    assert_eq!(helper, Err("Session expired".to_owned()));

    rig.post(
        "/v1/realface/init",
        json!({ "name": "Spokesperson", "groupId": group_id }),
    )
    .await
    .expect(StatusCode::OK);
    rig.server.complete_liveness(group_id).await.unwrap();
    assert_eq!(rig.status(group_id).await["status"], "active");
}

#[tokio::test]
async fn verification_failed_can_be_retried_in_session() {
    let rig = Rig::new().await;
    let init = rig.init("Spokesperson").await;
    let token = token_of(&init);
    assert_eq!(
        rig.step(&token, "fail").await.status,
        StatusCode::CONFLICT,
        "nothing to fail before the camera"
    );
    rig.step(&token, "camera").await.expect(StatusCode::OK);
    rig.step(&token, "nod").await.expect(StatusCode::OK);
    let failed = rig.step(&token, "fail").await.expect(StatusCode::OK);
    assert_eq!(failed["state"], "failed");
    assert_eq!(failed["message"], "Verification failed");
    assert_eq!(failed["next_step"], "retry");
    assert_eq!(rig.step(&token, "blink").await.status, StatusCode::CONFLICT);
    let retry = rig.step(&token, "retry").await.expect(StatusCode::OK);
    assert_eq!(retry["next_step"], "nod");
    rig.step(&token, "nod").await.expect(StatusCode::OK);
    rig.step(&token, "blink").await.expect(StatusCode::OK);
    assert_eq!(
        rig.status(init["group_id"].as_str().unwrap()).await["status"],
        "active"
    );
}

#[tokio::test]
async fn complete_liveness_plays_the_phone() {
    let rig = Rig::new().await;
    let init = rig.init("Spokesperson").await;
    let group_id = init["group_id"].as_str().unwrap();
    let token = token_of(&init);
    // Picks up from wherever the phone left off.
    rig.step(&token, "camera").await.expect(StatusCode::OK);
    rig.server.complete_liveness(group_id).await.unwrap();
    assert_eq!(rig.status(group_id).await["ready_to_finalize"], true);
    let view = rig
        .get(&format!("/h5/api/session?sessionToken={token}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(view["steps_done"], json!(["camera", "nod", "blink"]));
    // Idempotent once active.
    rig.server.complete_liveness(group_id).await.unwrap();
    let unknown = rig.server.complete_liveness("legacy_rf_1").await;
    assert!(unknown.unwrap_err().contains("not found"));
}

// ---------------------------------------------------------------- enroll

#[tokio::test]
async fn enroll_needs_a_key_or_a_payment() {
    let rig = Rig::new().await;
    let group_id = rig.active_group().await;
    let body = json!({
        "name": "Spokesperson",
        "image_url": rig.photos.url("face.jpg"),
        "group_id": group_id,
    });
    let url = rig.url("/v1/realface/enroll");

    // Neither: the x402 challenge (see the x402 section below for its content).
    let missing = send(rig.http.post(&url).json(&body)).await;
    assert_eq!(missing.status, StatusCode::PAYMENT_REQUIRED);
    assert!(missing.headers.contains_key("payment-required"));

    // A key that is presented but wrong is still 401.
    for auth in [
        "Bearer brk_wrong_key",
        "Bearer ",
        "Basic YnJrOnNlY3JldA==",
        TEST_API_KEY,
    ] {
        let wrong = send(rig.http.post(&url).header(AUTHORIZATION, auth).json(&body)).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{auth}");
        only_words(&wrong);
        assert!(!wrong.error().contains(TEST_API_KEY));
    }
    let portrait = send(
        rig.http
            .post(rig.url("/v1/portrait/enroll"))
            .bearer_auth("brk_wrong_key")
            .json(&json!({ "name": "Mascot", "image_url": rig.photos.url("face.png") })),
    )
    .await;
    assert_eq!(portrait.status, StatusCode::UNAUTHORIZED);

    // Refused before any work: the photo was never fetched and nothing was enrolled.
    assert_eq!(rig.photos.hits("/face.jpg"), 0);
    assert_eq!(rig.photos.hits("/face.png"), 0);
    assert_eq!(rig.status(&group_id).await["asset_count"], 0);

    // The gateway also takes `x-api-key`.
    let ok = send(
        rig.http
            .post(&url)
            .header("x-api-key", TEST_API_KEY)
            .json(&body),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
}

#[tokio::test]
async fn enroll_refuses_bad_image_urls() {
    let rig = Rig::new().await;
    let group_id = rig.active_group().await;
    let port = rig.photos.port();
    let cases = [
        (format!("http://localhost:{port}/face.jpg"), "https"),
        ("ftp://example.com/face.jpg".to_owned(), "https"),
        ("not a url".to_owned(), "URL"),
        (rig.photos.url("not-an-image.jpg"), "not point to an image"),
        (rig.photos.url("missing.jpg"), "404"),
        (rig.photos.url("huge.jpg"), "10 MB"),
        (rig.photos.url("huge-chunked.jpg"), "10 MB"),
        // "≤ 10 MB" is 10,000,000 bytes: one more is refused (it was under 10 MiB).
        (
            rig.photos.url("padded-10000001.jpg"),
            "larger than 10 MB (10000000 bytes)",
        ),
        (rig.photos.url("face.gif"), "GIF"),
        (rig.photos.url("truncated.jpg"), "decoded"),
        (
            format!("https://127.0.0.1:{}/face.jpg", common::unused_port()),
            "fetched",
        ),
    ];
    for (image_url, says) in cases {
        let reply = rig
            .post_paid(
                "/v1/realface/enroll",
                json!({ "name": "Spokesperson", "image_url": image_url, "group_id": group_id }),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{image_url}: {}",
            reply.body
        );
        only_words(&reply);
        assert!(
            reply.error().contains(says),
            "{image_url}: {:?} should mention {says:?}",
            reply.error()
        );
    }
    // The plain-http URL was refused without a fetch; the others were really fetched.
    assert_eq!(rig.photos.hits("/face.jpg"), 0);
    for path in [
        "/not-an-image.jpg",
        "/missing.jpg",
        "/huge.jpg",
        "/huge-chunked.jpg",
        "/padded-10000001.jpg",
        "/face.gif",
    ] {
        assert_eq!(rig.photos.hits(path), 1, "{path}");
    }
    assert_eq!(rig.status(&group_id).await["asset_count"], 0);
    // Exactly at the cap is accepted.
    let at_cap = rig
        .post_paid(
            "/v1/realface/enroll",
            json!({ "name": "Spokesperson", "image_url": rig.photos.url("padded-10000000.jpg"), "group_id": group_id }),
        )
        .await;
    assert_eq!(at_cap.status, StatusCode::OK, "{}", at_cap.body);
}

#[tokio::test]
async fn enroll_validates_its_body() {
    let rig = Rig::new().await;
    let group_id = rig.active_group().await;
    let image_url = rig.photos.url("face.jpg");
    let cases = [
        (
            json!({ "image_url": image_url, "group_id": group_id }),
            "name",
        ),
        (
            json!({ "name": "", "image_url": image_url, "group_id": group_id }),
            "name",
        ),
        (
            json!({ "name": "é".repeat(65), "image_url": image_url, "group_id": group_id }),
            "name",
        ),
        (json!({ "name": "x", "group_id": group_id }), "image_url"),
        (
            json!({ "name": "x", "image_url": 42, "group_id": group_id }),
            "image_url",
        ),
        (json!({ "name": "x", "image_url": image_url }), "group_id"),
        (
            json!({ "name": "x", "image_url": image_url, "group_id": "legacy_rf_x1" }),
            "group_id",
        ),
        (
            json!({ "name": "x", "image_url": image_url, "groupId": group_id }),
            "group_id",
        ),
    ];
    for (body, field) in cases {
        let reply = rig.post_paid("/v1/realface/enroll", body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        only_words(&reply);
        assert!(reply.error().contains(field), "{body}: {}", reply.error());
    }
    let raw = send(
        rig.http
            .post(rig.url("/v1/realface/enroll"))
            .bearer_auth(TEST_API_KEY)
            .body("name=x"),
    )
    .await;
    assert_eq!(raw.status, StatusCode::BAD_REQUEST);

    // 64 characters is fine.
    let ok = rig
        .post_paid(
            "/v1/realface/enroll",
            json!({ "name": "é".repeat(64), "image_url": image_url, "group_id": group_id }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(ok["name"], "é".repeat(64));

    let unknown = rig.enroll("legacy_rf_1", "face.jpg").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.error(), "Asset group not found: legacy_rf_1");
}

#[tokio::test]
async fn enroll_is_too_early_while_liveness_is_pending() {
    let rig = Rig::new().await;
    let group_id = rig.init("Spokesperson").await["group_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = rig.enroll(&group_id, "face.jpg").await;
    assert_eq!(reply.status, StatusCode::TOO_EARLY);
    only_words(&reply);
    assert_eq!(rig.photos.hits("/face.jpg"), 0);

    rig.server.complete_liveness(&group_id).await.unwrap();
    rig.enroll(&group_id, "face.jpg")
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn markers_script_the_upstream_failures() {
    let rig = Rig::new().await;
    let group_id = rig.active_group().await;

    let mismatch_path = format!("people/{FACE_MISMATCH_MARKER}.jpg");
    let mismatch = rig.enroll(&group_id, &mismatch_path).await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    only_words(&mismatch);
    assert!(mismatch.error().contains("Face-match failed"));
    assert_eq!(
        rig.photos.hits(&format!("/{mismatch_path}")),
        1,
        "fetched first"
    );

    let upstream = rig
        .enroll(&group_id, &format!("{UPSTREAM_ERROR_MARKER}/face.png"))
        .await;
    assert_eq!(upstream.status, StatusCode::BAD_GATEWAY);
    only_words(&upstream);

    let both = rig
        .enroll(
            &group_id,
            &format!("{FACE_MISMATCH_MARKER}-{UPSTREAM_ERROR_MARKER}.jpg"),
        )
        .await;
    assert_eq!(both.status, StatusCode::BAD_GATEWAY);

    // A marker does not excuse a bad image: the fetch checks come first.
    let http = rig
        .post_paid(
            "/v1/realface/enroll",
            json!({
                "name": "x",
                "image_url": format!("http://localhost/{FACE_MISMATCH_MARKER}.jpg"),
                "group_id": group_id,
            }),
        )
        .await;
    assert_eq!(http.status, StatusCode::BAD_REQUEST);

    // None of these settled.
    assert_eq!(rig.status(&group_id).await["asset_count"], 0);
    let owner = rig.server.key_owner().to_owned();
    let listed = rig
        .get(&format!("/v1/wallet/{owner}/realfaces"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["count"], 0);
}

#[tokio::test]
async fn enroll_answers_the_doc_shape() {
    let rig = Rig::new().await;
    let group_id = rig.active_group().await;
    let reply = rig.enroll(&group_id, "face.jpg").await;
    let asset = reply.expect(StatusCode::OK);

    assert_eq!(
        keys(&asset),
        [
            "asset_id",
            "byteplus_asset_id",
            "created_at",
            "group_id",
            "image_url",
            "name",
            "object",
            "price",
            "settlement",
            "usage"
        ]
    );
    assert_eq!(asset["object"], "realface");
    let asset_id = asset["asset_id"].as_str().unwrap();
    assert!(is_asset_id(asset_id), "{asset_id}");
    assert_eq!(asset["group_id"], group_id);
    let byteplus = asset["byteplus_asset_id"].as_str().unwrap();
    let parts: Vec<&str> = byteplus.splitn(3, '-').collect();
    assert_eq!(parts[0], "asset");
    assert!(
        parts[1].len() == 14 && parts[1].bytes().all(|b| b.is_ascii_digit()),
        "{byteplus}"
    );
    assert!(!parts[2].is_empty());
    assert_eq!(asset["name"], "Spokesperson — Q3 campaign");
    assert_eq!(asset["image_url"], rig.photos.url("face.jpg"));
    assert!(is_rfc3339_millis_z(asset["created_at"].as_str().unwrap()));
    assert_eq!(
        asset["usage"]["compatible_models"],
        json!(["bytedance/seedance-2.0", "bytedance/seedance-2.0-fast"])
    );
    assert_eq!(
        asset["usage"]["how_to_use"],
        format!(
            "Pass \"real_face_asset_id\": \"{asset_id}\" on a Seedance video generation request."
        )
    );
    assert_eq!(
        asset["price"],
        json!({ "amount": "0.010000", "currency": "USD" })
    );
    assert_eq!(asset["settlement"]["success"], true);
    assert_eq!(asset["settlement"]["network"], "base-sepolia");
    assert!(is_tx_hash(asset["settlement"]["tx_hash"].as_str().unwrap()));
    assert_eq!(rig.photos.hits("/face.jpg"), 1);

    let status = rig.status(&group_id).await;
    assert_eq!(status["asset_count"], 1);
    assert_eq!(status["status"], "active");

    // More photos of the same verified person: each is a new asset on the group.
    let mut ids = vec![asset_id.to_owned()];
    for path in ["face.png", "face.webp", "wrong-type.png"] {
        let more = rig.enroll(&group_id, path).await.expect(StatusCode::OK);
        ids.push(more["asset_id"].as_str().unwrap().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    assert_eq!(rig.status(&group_id).await["asset_count"], 4);
}

#[tokio::test]
async fn portrait_enroll_answers_the_doc_shape() {
    let rig = Rig::new().await;
    let reply = rig
        .post_paid(
            "/v1/portrait/enroll",
            json!({ "name": "Mascot", "image_url": rig.photos.url("face.png") }),
        )
        .await;
    let portrait = reply.expect(StatusCode::OK);
    assert_eq!(portrait["object"], "virtual_portrait");
    assert!(is_asset_id(portrait["asset_id"].as_str().unwrap()));
    assert!(portrait["group_id"].as_str().unwrap().starts_with("tg_"));
    assert_eq!(portrait["name"], "Mascot");
    assert_eq!(portrait["image_url"], rig.photos.url("face.png"));
    assert_eq!(portrait["source_image_url"], rig.photos.url("face.png"));
    assert_eq!(portrait["mirrored"], false);
    assert!(is_rfc3339_millis_z(
        portrait["created_at"].as_str().unwrap()
    ));
    assert_eq!(
        portrait["usage"]["compatible_models"],
        json!(["bytedance/seedance-2.0", "bytedance/seedance-2.0-fast"])
    );
    assert_eq!(
        portrait["price"],
        json!({ "amount": "0.010000", "currency": "USD" })
    );
    assert_eq!(portrait["settlement"]["success"], true);
    assert!(is_tx_hash(
        portrait["settlement"]["tx_hash"].as_str().unwrap()
    ));
    assert_eq!(rig.photos.hits("/face.png"), 1);

    // No face match for portraits: that marker changes nothing; the upstream one is a 502.
    rig.post_paid(
        "/v1/portrait/enroll",
        json!({ "name": "Mascot 2", "image_url": rig.photos.url(&format!("{FACE_MISMATCH_MARKER}.jpg")) }),
    )
    .await
    .expect(StatusCode::OK);
    let upstream = rig
        .post_paid(
            "/v1/portrait/enroll",
            json!({ "name": "Mascot 3", "image_url": rig.photos.url(&format!("{UPSTREAM_ERROR_MARKER}.jpg")) }),
        )
        .await;
    assert_eq!(upstream.status, StatusCode::BAD_GATEWAY);
    for (body, field) in [
        (
            json!({ "name": "Mascot", "image_url": "http://example.com/a.jpg" }),
            "image_url",
        ),
        (
            json!({ "name": "Mascot", "image_url": rig.photos.url("not-an-image.jpg") }),
            "image_url",
        ),
        (json!({ "image_url": rig.photos.url("face.png") }), "name"),
    ] {
        let reply = rig.post_paid("/v1/portrait/enroll", body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        only_words(&reply);
        assert!(reply.error().contains(field), "{body}: {}", reply.error());
    }
}

// ---------------------------------------------------------------- wallet listings

#[tokio::test]
async fn wallet_listings_show_the_key_owners_assets() {
    let rig = Rig::new().await;
    let owner = rig.server.key_owner().to_owned();
    let group_id = rig.active_group().await;
    let first = rig
        .enroll(&group_id, "face.jpg")
        .await
        .expect(StatusCode::OK);
    let second = rig
        .enroll(&group_id, "face.webp")
        .await
        .expect(StatusCode::OK);
    let portrait = rig
        .post_paid(
            "/v1/portrait/enroll",
            json!({ "name": "Mascot", "image_url": rig.photos.url("face.png") }),
        )
        .await
        .expect(StatusCode::OK);

    let list = rig
        .get(&format!("/v1/wallet/{owner}/realfaces"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(keys(&list), ["count", "realfaces", "wallet"]);
    assert_eq!(list["wallet"], owner);
    assert_eq!(list["count"], 2);
    let items = list["realfaces"].as_array().unwrap();
    for (item, enrolled) in items.iter().zip([&first, &second]) {
        assert_eq!(
            item,
            &json!({
                "assetId": enrolled["asset_id"],
                "groupId": enrolled["group_id"],
                "name": enrolled["name"],
                "imageUrl": enrolled["image_url"],
                "createdAt": enrolled["created_at"],
                "enrollmentTxHash": enrolled["settlement"]["tx_hash"],
                "byteplusAssetId": enrolled["byteplus_asset_id"],
            })
        );
    }

    let portraits = rig
        .get(&format!("/v1/wallet/{owner}/portraits"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(keys(&portraits), ["count", "portraits", "wallet"]);
    assert_eq!(portraits["count"], 1);
    assert_eq!(
        portraits["portraits"][0],
        json!({
            "assetId": portrait["asset_id"],
            "groupId": portrait["group_id"],
            "name": "Mascot",
            "imageUrl": portrait["image_url"],
            "createdAt": portrait["created_at"],
            "enrollmentTxHash": portrait["settlement"]["tx_hash"],
        })
    );

    // EVM addresses match without regard to case; the listing echoes the address asked for.
    let upper = format!("0x{}", owner[2..].to_uppercase());
    let shouted = rig
        .get(&format!("/v1/wallet/{upper}/realfaces"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(shouted["count"], 2);
    assert_eq!(shouted["wallet"], upper);

    let stranger = "0xCC8c44AD3dc2A58D841c3EB26131E49b22665EF8";
    let empty = rig
        .get(&format!("/v1/wallet/{stranger}/realfaces"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        empty,
        json!({ "wallet": stranger, "realfaces": [], "count": 0 })
    );

    for bad in [
        "0x123",
        "hello-wallet",
        "0xZZ8c44AD3dc2A58D841c3EB26131E49b22665EF8",
    ] {
        for kind in ["realfaces", "portraits"] {
            let reply = rig.get(&format!("/v1/wallet/{bad}/{kind}")).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}/{kind}");
            assert!(!reply.error().is_empty());
        }
    }
}

// ---------------------------------------------------------------- the server itself

#[tokio::test]
async fn config_defaults_and_key_owner() {
    let config = RehearsalConfig::new("127.0.0.1:0".parse().unwrap(), "192.168.1.20", "brk_abc");
    assert_eq!(config.init_limit_per_hour, 10);
    assert_eq!(config.status_limit_per_hour, 20);
    assert_eq!(config.session_ttl, Duration::from_secs(120));
    assert_eq!(config.state_file, None, "memory only by default");
    assert_eq!(config.x402_version, X402Version::V2);
    assert_eq!(config.pay_to, REHEARSAL_TREASURY);
    assert_eq!(
        REHEARSAL_TREASURY.to_checksum(None).to_lowercase(),
        "0x52454845415253414c0000000000000000000402"
    );
    assert_eq!(config.realface_price_atomic, 10_000);
    // The live portrait price, not seed 000's $0.50, which was never charged (research §1.4).
    assert_eq!(config.portrait_price_atomic, 10_000);
    assert!(!config
        .faults
        .drop_connection_after_settle_once
        .load(Ordering::SeqCst));
    assert!(!config.faults.upstream_error_once.load(Ordering::SeqCst));
    let owner = config.key_owner.clone();
    assert!(
        owner
            .strip_prefix("0x")
            .is_some_and(|h| is_lower_hex(h, 40)),
        "{owner}"
    );
    let again = RehearsalConfig::new("127.0.0.1:0".parse().unwrap(), "x", "brk_abc");
    assert_eq!(again.key_owner, owner);
    let other = RehearsalConfig::new("127.0.0.1:0".parse().unwrap(), "x", "brk_abd");
    assert_ne!(other.key_owner, owner);
    assert!(!format!("{config:?}").contains("brk_abc"));

    let server = RehearsalServer::start(config).await.unwrap();
    assert_eq!(server.key_owner(), owner);
    // h5_link carries the public host, not the bind address.
    let init = send(
        reqwest::Client::new()
            .post(server.base_url().join("v1/realface/init").unwrap())
            .json(&json!({ "name": "x" })),
    )
    .await
    .expect(StatusCode::OK);
    let port = server.local_addr().port();
    assert!(init["h5_link"].as_str().unwrap().starts_with(&format!(
        "http://192.168.1.20:{port}/h5/?accessKeyId=rehearsal&sessionToken="
    )));
    server.shutdown().await;
}

#[tokio::test]
async fn base_url_unknown_paths_and_shutdown() {
    let rig = Rig::new().await;
    let base = rig.server.base_url();
    assert_eq!(
        base.as_str(),
        format!("http://{}/", rig.server.local_addr())
    );

    let wrong_host = rig
        .post("/api/v1/realface/init", json!({ "name": "x" }))
        .await;
    assert_eq!(wrong_host.status, StatusCode::NOT_FOUND);
    assert_eq!(wrong_host.body["code"], "wrong_host");
    let unknown = rig.get("/v1/nothing-here").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.error().contains("/v1/nothing-here"));

    let Rig { server, http, .. } = rig;
    let url = base.join("v1/realface/status?groupId=legacy_rf_1").unwrap();
    assert!(http.get(url.clone()).send().await.is_ok());
    tokio::time::timeout(Duration::from_secs(15), server.shutdown())
        .await
        .expect("graceful shutdown finishes");
    let fresh = reqwest::Client::new();
    assert!(
        fresh.get(url).send().await.is_err(),
        "still serving after shutdown"
    );
}

// ---------------------------------------------------------------- state file

/// `<tempdir>/rehearsal/state.json`: the directory does not exist until the first save.
fn state_path(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("rehearsal").join("state.json")
}

fn file_names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn without_a_state_file_a_restart_forgets() {
    let rig = Rig::new().await;
    let group_id = rig.init("Spokesperson").await["group_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rig = rig.restart(Duration::ZERO, |_| {}).await;
    let reply = rig
        .get(&format!("/v1/realface/status?groupId={group_id}"))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_restart_mid_liveness_keeps_the_group_and_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_path(&dir);
    let durable = |c: &mut RehearsalConfig| c.state_file = Some(state.clone());

    let rig = Rig::with(durable).await;
    let init = rig.init("Spokesperson").await;
    let group_id = init["group_id"].as_str().unwrap().to_owned();
    let token = token_of(&init);
    rig.step(&token, "camera").await.expect(StatusCode::OK);

    let rig = rig.restart(Duration::ZERO, durable).await;
    let status = rig.status(&group_id).await;
    assert_eq!(status["status"], "pending_validation");
    assert_eq!(status["asset_count"], 0);
    assert_eq!(status["ready_to_finalize"], false);
    let view = rig.session_view(&token).await;
    assert_eq!(view["group_id"], group_id.as_str());
    assert_eq!(view["state"], "in_progress");
    assert_eq!(view["steps_done"], json!(["camera"]));
    assert_eq!(view["next_step"], "nod");
    let left = view["expires_in_ms"].as_u64().unwrap();
    assert!((60_000..=120_000).contains(&left), "{left}");

    // The phone carries on where it was.
    rig.step(&token, "nod").await.expect(StatusCode::OK);
    let done = rig.step(&token, "blink").await.expect(StatusCode::OK);
    assert_eq!(done["completed"], true);
    let status = rig.status(&group_id).await;
    assert_eq!(status["status"], "active");
    assert_eq!(status["ready_to_finalize"], true);

    // Group numbers carry on too, and activation is saved.
    let other = rig.init("Someone else").await;
    assert_ne!(other["group_id"], group_id.as_str());
    let rig = rig.restart(Duration::ZERO, durable).await;
    assert_eq!(rig.status(&group_id).await["status"], "active");
    assert_eq!(
        rig.status(other["group_id"].as_str().unwrap()).await["status"],
        "pending_validation"
    );

    // One JSON file, replaced by rename: no temporary files left behind.
    assert_eq!(file_names(state.parent().unwrap()), ["state.json"]);
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["version"], 1);
    let session = saved["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["token"] == token.as_str())
        .expect("the session is saved");
    assert!(session["expires_at_ms"].as_i64().unwrap() > 1_700_000_000_000);
    assert_eq!(session["progress"], "completed");
    rig.server.shutdown().await;
}

#[tokio::test]
async fn a_token_that_expired_while_down_is_gone_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_path(&dir);
    let durable = |c: &mut RehearsalConfig| {
        c.state_file = Some(state.clone());
        c.session_ttl = Duration::from_secs(1);
    };

    let rig = Rig::with(durable).await;
    let init = rig.init("Spokesperson").await;
    let group_id = init["group_id"].as_str().unwrap().to_owned();
    let token = token_of(&init);
    rig.step(&token, "camera").await.expect(StatusCode::OK);

    let rig = rig.restart(Duration::from_millis(1200), durable).await;
    let late = rig.step(&token, "nod").await;
    assert_eq!(late.status, StatusCode::GONE);
    assert_eq!(late.error(), "Session expired");
    assert_eq!(late.body["code"], "SESSION_EXPIRED");
    let view = rig.session_view(&token).await;
    assert_eq!(view["state"], "expired");
    assert_eq!(view["expires_in_ms"], 0);
    assert_eq!(rig.status(&group_id).await["status"], "pending_validation");
    assert_eq!(
        rig.server.complete_liveness(&group_id).await,
        Err("Session expired".to_owned())
    );

    // The refresh path still works on the remembered group.
    let refreshed = rig
        .post(
            "/v1/realface/init",
            json!({ "name": "Spokesperson", "groupId": group_id }),
        )
        .await
        .expect(StatusCode::OK);
    let fresh = token_of(&refreshed);
    for step in ["camera", "nod", "blink"] {
        rig.step(&fresh, step).await.expect(StatusCode::OK);
    }
    assert_eq!(rig.status(&group_id).await["status"], "active");
}

#[tokio::test]
async fn enrolled_assets_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_path(&dir);
    let durable = |c: &mut RehearsalConfig| c.state_file = Some(state.clone());

    let rig = Rig::with(durable).await;
    let owner = rig.server.key_owner().to_owned();
    let group_id = rig.active_group().await;
    let enrolled = rig
        .enroll(&group_id, "face.jpg")
        .await
        .expect(StatusCode::OK);
    rig.post_paid(
        "/v1/portrait/enroll",
        json!({ "name": "Mascot", "image_url": rig.photos.url("face.png") }),
    )
    .await
    .expect(StatusCode::OK);
    let realfaces_before = rig
        .get(&format!("/v1/wallet/{owner}/realfaces"))
        .await
        .expect(StatusCode::OK);
    let portraits_before = rig
        .get(&format!("/v1/wallet/{owner}/portraits"))
        .await
        .expect(StatusCode::OK);

    let rig = rig.restart(Duration::ZERO, durable).await;
    assert_eq!(rig.server.key_owner(), owner);
    let realfaces = rig
        .get(&format!("/v1/wallet/{owner}/realfaces"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(realfaces, realfaces_before);
    assert_eq!(realfaces["count"], 1);
    assert_eq!(realfaces["realfaces"][0]["assetId"], enrolled["asset_id"]);
    let portraits = rig
        .get(&format!("/v1/wallet/{owner}/portraits"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(portraits, portraits_before);
    assert_eq!(portraits["count"], 1);

    let status = rig.status(&group_id).await;
    assert_eq!(status["status"], "active");
    assert_eq!(status["asset_count"], 1);
    // The active group takes more enrollments after the restart.
    rig.enroll(&group_id, "face.webp")
        .await
        .expect(StatusCode::OK);
    assert_eq!(rig.status(&group_id).await["asset_count"], 2);
}

#[tokio::test]
async fn rate_limit_budgets_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_path(&dir);
    let durable = |c: &mut RehearsalConfig| {
        c.state_file = Some(state.clone());
        c.init_limit_per_hour = 2;
        c.status_limit_per_hour = 2;
    };

    let rig = Rig::with(durable).await;
    let group_id = rig.init("a").await["group_id"].as_str().unwrap().to_owned();
    rig.init("b").await;
    rig.status(&group_id).await;
    rig.status(&group_id).await;

    let rig = rig.restart(Duration::ZERO, durable).await;
    let third = rig.post("/v1/realface/init", json!({ "name": "c" })).await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(third.retry_after() > 3500, "{}", third.retry_after());
    let lookup = rig
        .get(&format!("/v1/realface/status?groupId={group_id}"))
        .await;
    assert_eq!(lookup.status, StatusCode::TOO_MANY_REQUESTS);
    // The refresh path is still not counted.
    rig.post(
        "/v1/realface/init",
        json!({ "name": "a", "groupId": group_id }),
    )
    .await
    .expect(StatusCode::OK);

    // A memory-only Rehearsal, for contrast, starts with full budgets.
    let rig = rig
        .restart(Duration::ZERO, |c| c.init_limit_per_hour = 2)
        .await;
    rig.init("d").await;
}

#[tokio::test]
async fn a_corrupt_state_file_is_moved_aside_and_rehearsal_starts_empty() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let garbage = br#"{"version": 1, "groups": [{"id": "legacy_rf_1""#;
    std::fs::write(&state, garbage).unwrap();
    let durable = |c: &mut RehearsalConfig| c.state_file = Some(state.clone());

    let rig = Rig::with(durable).await;
    let names = file_names(dir.path());
    assert_eq!(names.len(), 1, "{names:?}");
    let suffix = names[0]
        .strip_prefix("state.json.corrupt-")
        .unwrap_or_else(|| panic!("moved aside as {}", names[0]));
    assert!(
        !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()),
        "{suffix}"
    );
    assert_eq!(std::fs::read(dir.path().join(&names[0])).unwrap(), garbage);

    // Empty, and working: the first change writes a good file that the next start reads.
    let unknown = rig.get("/v1/realface/status?groupId=legacy_rf_1").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let group_id = rig.active_group().await;
    let rig = rig.restart(Duration::ZERO, durable).await;
    assert_eq!(rig.status(&group_id).await["status"], "active");
    assert_eq!(file_names(dir.path()).len(), 2);
}

// ---------------------------------------------------------------- x402 on Base Sepolia

/// Hardhat / anvil test account #0: a public key, test money only.
const PAYER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// Hardhat / anvil test account #1.
const OTHER_ADDRESS: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const BASE_SEPOLIA_USDC: &str = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
const REALFACE: &str = "/v1/realface/enroll";
const PORTRAIT: &str = "/v1/portrait/enroll";
/// What a facilitator answers for an authorization whose nonce was already used.
const NONCE_USED: &str = "invalid_exact_evm_nonce_already_used";

fn payer() -> PrivateKeySigner {
    PAYER_KEY.parse().unwrap()
}

fn payer_address() -> String {
    payer().address().to_checksum(None)
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The quote a client would confirm for this 402.
fn quote_of(reply: &Reply) -> PaymentQuote {
    assert_eq!(reply.status, StatusCode::PAYMENT_REQUIRED, "{}", reply.body);
    quote_challenge(&reply.headers, &serde_json::to_vec(&reply.body).unwrap())
        .expect("a payable challenge")
}

fn signed(quote: &PaymentQuote) -> SignedPayment {
    sign(quote, &payer(), now_unix(), fresh_nonce()).unwrap()
}

fn decode_b64_json(value: &str) -> Value {
    serde_json::from_slice(&B64.decode(value).unwrap()).unwrap()
}

fn encode_b64_json(value: &Value) -> String {
    B64.encode(serde_json::to_vec(value).unwrap())
}

/// The payment header with its decoded payload edited (and not re-signed).
fn tampered(payment: &SignedPayment, edit: impl FnOnce(&mut Value)) -> String {
    let mut payload = decode_b64_json(&payment.header_value);
    edit(&mut payload);
    encode_b64_json(&payload)
}

/// A quote for a v2 challenge whose offer was edited: what a client tricked into other terms signs.
fn edited_quote(probe: &Reply, edit: impl FnOnce(&mut Value)) -> PaymentQuote {
    let header = probe.headers["payment-required"].to_str().unwrap();
    let mut required = decode_b64_json(header);
    edit(&mut required["accepts"][0]);
    let mut headers = HeaderMap::new();
    headers.insert(
        "payment-required",
        encode_b64_json(&required).parse().unwrap(),
    );
    quote_challenge(&headers, b"{}").unwrap()
}

fn settlement_of(reply: &Reply) -> likeness::payment::Settlement {
    parse_settlement(&reply.headers)
        .expect("a well-formed settlement header")
        .expect("a settlement header")
}

fn x402_rig(version: X402Version) -> impl FnOnce(&mut RehearsalConfig) {
    move |c: &mut RehearsalConfig| c.x402_version = version
}

impl Rig {
    fn realface_body(&self, group_id: &str, image_path: &str) -> Value {
        json!({
            "name": "Spokesperson — Q3 campaign",
            "image_url": self.photos.url(image_path),
            "group_id": group_id,
        })
    }

    fn portrait_body(&self, image_path: &str) -> Value {
        json!({ "name": "Mascot", "image_url": self.photos.url(image_path) })
    }

    /// No key, no payment.
    async fn unpaid(&self, path: &str, body: &Value) -> Reply {
        send(self.http.post(self.url(path)).json(body)).await
    }

    async fn quote(&self, path: &str, body: &Value) -> PaymentQuote {
        quote_of(&self.unpaid(path, body).await)
    }

    async fn paid_with(&self, path: &str, body: &Value, name: &str, value: &str) -> Reply {
        send(
            self.http
                .post(self.url(path))
                .header(name, value)
                .json(body),
        )
        .await
    }

    async fn paid(&self, path: &str, body: &Value, payment: &SignedPayment) -> Reply {
        let (name, value) = payment.header();
        self.paid_with(path, body, name, value).await
    }

    async fn asset_count(&self, group_id: &str) -> Value {
        self.status(group_id).await["asset_count"].clone()
    }
}

/// A refusal in the only shape the seeds let a client count on: its status and
/// `{"error": "<words>"}`. No code, field, hint or settlement flag a client could come to
/// depend on: seed 000's table gives statuses only.
fn only_words(reply: &Reply) {
    let keys: Vec<&String> = reply
        .body
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["error"], "{}", reply.body);
    assert!(!reply.error().trim().is_empty(), "{}", reply.body);
}

/// A 402 that refused a payment: fresh challenge, reason code, nothing settled.
fn assert_refused(reply: &Reply, code: &str) {
    assert_eq!(reply.status, StatusCode::PAYMENT_REQUIRED, "{}", reply.body);
    assert_eq!(reply.body["error"], code, "{}", reply.body);
    assert!(
        reply.body["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}",
        reply.body
    );
    let challenge = decode_b64_json(reply.headers["payment-required"].to_str().unwrap());
    assert_eq!(challenge["error"], code);
    assert!(!reply.headers.contains_key("payment-response"));
    quote_of(reply);
}

#[tokio::test]
async fn x402_challenges_carry_the_doc_prices_on_base_sepolia() {
    let rig = Rig::new().await;
    let group_id = rig.active_group().await;

    let probe = rig
        .unpaid(REALFACE, &rig.realface_body(&group_id, "face.jpg"))
        .await;
    assert_eq!(probe.status, StatusCode::PAYMENT_REQUIRED);
    let required = decode_b64_json(probe.headers["payment-required"].to_str().unwrap());
    assert_eq!(required["x402Version"], 2);
    assert_eq!(required["error"], "PAYMENT-SIGNATURE header is required");
    assert_eq!(required["resource"]["url"], rig.url(REALFACE));
    assert!(required["resource"]["description"]
        .as_str()
        .unwrap()
        .contains("RealFace enrollment"));
    assert_eq!(
        required["accepts"],
        json!([{
            "scheme": "exact",
            "network": "eip155:84532",
            "amount": "10000",
            "asset": BASE_SEPOLIA_USDC,
            "payTo": REHEARSAL_TREASURY.to_checksum(None),
            "maxTimeoutSeconds": 300,
            "extra": { "name": "USDC", "version": "2" },
        }])
    );
    // The body carries the same object, plus a message in words.
    assert_eq!(probe.body["accepts"], required["accepts"]);
    assert!(probe.body["message"]
        .as_str()
        .unwrap()
        .contains("0.01 USDC"));
    let quote = quote_of(&probe);
    assert_eq!(quote.x402_version(), X402Version::V2);
    assert_eq!(quote.network(), Network::BaseSepolia);
    assert_eq!(quote.chain_id(), 84532);
    assert_eq!(quote.amount_atomic(), 10_000);
    assert_eq!(quote.amount_usdc(), "0.01");
    assert_eq!(quote.pay_to(), REHEARSAL_TREASURY);
    assert_eq!(quote.resource(), Some(rig.url(REALFACE).as_str()));

    let portrait = rig.quote(PORTRAIT, &rig.portrait_body("face.png")).await;
    assert_eq!(portrait.amount_atomic(), 10_000);
    assert_eq!(portrait.amount_usdc(), "0.01");
    assert_eq!(portrait.network(), Network::BaseSepolia);
    assert!(portrait
        .description()
        .unwrap()
        .contains("Virtual Portrait enrollment"));

    // The payment comes before the group checks (seed 000's table: 400, then 402, then 425):
    // unpaid, a pending or unknown group gets the same probe as an active one.
    let pending = rig.init("Later").await["group_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for group in [pending.as_str(), "legacy_rf_1"] {
        let unpaid = rig
            .unpaid(REALFACE, &rig.realface_body(group, "face.jpg"))
            .await;
        assert_eq!(quote_of(&unpaid).amount_atomic(), 10_000, "{group}");
        assert_eq!(unpaid.body["error"], "PAYMENT-SIGNATURE header is required");
    }
    // Nothing was fetched or settled by asking.
    assert_eq!(rig.photos.hits("/face.jpg"), 0);
    assert_eq!(rig.photos.hits("/face.png"), 0);
    assert_eq!(rig.server.settlements(), 0);

    // v1: everything in the body, legacy network name.
    let rig = Rig::with(x402_rig(X402Version::V1)).await;
    let group_id = rig.active_group().await;
    let probe = rig
        .unpaid(REALFACE, &rig.realface_body(&group_id, "face.jpg"))
        .await;
    assert_eq!(probe.status, StatusCode::PAYMENT_REQUIRED);
    assert!(!probe.headers.contains_key("payment-required"));
    assert_eq!(probe.body["x402Version"], 1);
    assert_eq!(probe.body["error"], "X-PAYMENT header is required");
    let offer = &probe.body["accepts"][0];
    assert_eq!(offer["network"], "base-sepolia");
    assert_eq!(offer["maxAmountRequired"], "10000");
    assert_eq!(offer["asset"], BASE_SEPOLIA_USDC);
    assert_eq!(offer["payTo"], REHEARSAL_TREASURY.to_checksum(None));
    assert_eq!(offer["resource"], rig.url(REALFACE));
    let quote = quote_of(&probe);
    assert_eq!(quote.x402_version(), X402Version::V1);
    assert_eq!(quote.network(), Network::BaseSepolia);
    assert_eq!(quote.amount_atomic(), 10_000);
    let portrait = rig.quote(PORTRAIT, &rig.portrait_body("face.png")).await;
    assert_eq!(portrait.amount_atomic(), 10_000);
}

#[tokio::test]
async fn each_challenge_shape_puts_the_challenge_in_one_place_only() {
    const HEADERS: [&str; 3] = ["payment-required", "x-payment-required", "x-payment"];
    for (shape, header, body_has) in [
        (
            ChallengeShape::PaymentRequiredHeader,
            Some("payment-required"),
            None,
        ),
        (
            ChallengeShape::XPaymentRequiredHeader,
            Some("x-payment-required"),
            None,
        ),
        (ChallengeShape::XPaymentHeader, Some("x-payment"), None),
        (ChallengeShape::X402Body, None, Some("x402Version")),
        (ChallengeShape::AcceptsBody, None, Some("accepts")),
        (ChallengeShape::NestedX402Body, None, Some("x402")),
    ] {
        let rig = Rig::with(|c: &mut RehearsalConfig| c.challenge_shape = shape).await;
        let probe = rig.unpaid(PORTRAIT, &rig.portrait_body("face.png")).await;
        assert_eq!(probe.status, StatusCode::PAYMENT_REQUIRED, "{shape:?}");
        for name in HEADERS {
            assert_eq!(
                probe.headers.contains_key(name),
                header == Some(name),
                "{shape:?}: {name}"
            );
        }
        let body = probe.body.as_object().unwrap();
        let carries = ["x402Version", "accepts", "x402"].map(|k| body.contains_key(k));
        match body_has {
            None => assert_eq!(carries, [false; 3], "{shape:?}: {}", probe.body),
            Some("accepts") => assert_eq!(carries, [false, true, false], "{}", probe.body),
            Some("x402") => assert_eq!(carries, [false, false, true], "{}", probe.body),
            Some(_) => assert_eq!(carries, [true, true, false], "{}", probe.body),
        }
        let quote = quote_of(&probe);
        assert_eq!(quote.amount_atomic(), 10_000, "{shape:?}");
        assert_eq!(quote.x402_version(), X402Version::V2, "{shape:?}");
    }
}

#[tokio::test]
async fn a_correct_payment_enrolls_settles_once_and_is_never_accepted_again() {
    // The portrait at BlockRun's current $0.011, so the two endpoints' prices differ.
    let rig = Rig::with(|c: &mut RehearsalConfig| c.portrait_price_atomic = 11_000).await;
    let group_id = rig.active_group().await;
    let body = rig.realface_body(&group_id, "face.jpg");
    let payment = signed(&rig.quote(REALFACE, &body).await);
    assert_eq!(payment.header_name, "PAYMENT-SIGNATURE");

    let reply = rig.paid(REALFACE, &body, &payment).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(rig.server.settlements(), 1);
    let receipt = settlement_of(&reply);
    assert_eq!(receipt.version, X402Version::V2);
    assert!(receipt.success);
    assert_eq!(receipt.network.as_deref(), Some("eip155:84532"));
    assert_eq!(receipt.payer.as_deref(), Some(payer_address().as_str()));
    let tx = receipt.transaction.clone().unwrap();
    assert!(is_tx_hash(&tx), "{tx}");
    let asset = &reply.body;
    assert_eq!(asset["object"], "realface");
    assert!(is_asset_id(asset["asset_id"].as_str().unwrap()));
    assert_eq!(
        asset["settlement"],
        json!({ "success": true, "tx_hash": tx, "network": "eip155:84532" })
    );
    assert_eq!(
        asset["price"],
        json!({ "amount": "0.010000", "currency": "USD" })
    );
    assert_eq!(rig.asset_count(&group_id).await, 1);
    assert_eq!(rig.photos.hits("/face.jpg"), 1);

    // The enrollment belongs to the payer.
    let listed = rig
        .get(&format!("/v1/wallet/{}/realfaces", payer_address()))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["realfaces"][0]["assetId"], asset["asset_id"]);
    assert_eq!(listed["realfaces"][0]["enrollmentTxHash"], tx);

    // The same header for the same request: the nonce is spent, so it is refused as a real
    // facilitator refuses it. No second settlement, no work, no second asset.
    assert_refused(&rig.paid(REALFACE, &body, &payment).await, NONCE_USED);
    assert_eq!(rig.server.settlements(), 1);
    assert_eq!(rig.asset_count(&group_id).await, 1);
    assert_eq!(rig.photos.hits("/face.jpg"), 1);

    // The same header for another request: spent too.
    let mut other = body.clone();
    other["name"] = json!("Another name");
    assert_refused(&rig.paid(REALFACE, &other, &payment).await, NONCE_USED);
    // A new signature with the same nonce, even for the same request: spent too.
    let quote = rig.quote(REALFACE, &body).await;
    let nonce: [u8; 32] = hex::decode(payment.nonce_hex.trim_start_matches("0x"))
        .unwrap()
        .try_into()
        .unwrap();
    let resigned = sign(&quote, &payer(), now_unix() - 5, nonce).unwrap();
    assert_ne!(resigned.header_value, payment.header_value);
    assert_refused(&rig.paid(REALFACE, &body, &resigned).await, NONCE_USED);
    assert_eq!(rig.server.settlements(), 1);
    assert_eq!(rig.asset_count(&group_id).await, 1);

    // Another payment is another settlement, on either endpoint.
    let portrait_body = rig.portrait_body("face.png");
    let portrait_payment = signed(&rig.quote(PORTRAIT, &portrait_body).await);
    let portrait = rig.paid(PORTRAIT, &portrait_body, &portrait_payment).await;
    assert_eq!(portrait.status, StatusCode::OK, "{}", portrait.body);
    assert_eq!(
        portrait.body["price"],
        json!({ "amount": "0.011000", "currency": "USD" })
    );
    assert_eq!(
        settlement_of(&portrait).transaction.as_deref(),
        portrait.body["settlement"]["tx_hash"].as_str()
    );
    assert_eq!(rig.server.settlements(), 2);
    // A RealFace payment does not pay for a portrait (wrong amount).
    let cross = rig.paid(PORTRAIT, &portrait_body, &signed(&quote)).await;
    assert_refused(&cross, "invalid_exact_evm_payload_authorization_value");
    assert_eq!(rig.server.settlements(), 2);
}

#[tokio::test]
async fn v1_payments_use_x_payment_and_x_payment_response() {
    let rig = Rig::with(x402_rig(X402Version::V1)).await;
    let group_id = rig.active_group().await;
    let body = rig.realface_body(&group_id, "face.jpg");
    let payment = signed(&rig.quote(REALFACE, &body).await);
    assert_eq!(payment.header_name, "X-PAYMENT");

    let reply = rig.paid(REALFACE, &body, &payment).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.headers.contains_key("x-payment-response"));
    assert!(!reply.headers.contains_key("payment-response"));
    let receipt = settlement_of(&reply);
    assert_eq!(receipt.version, X402Version::V1);
    assert_eq!(receipt.network.as_deref(), Some("base-sepolia"));
    assert_eq!(receipt.payer.as_deref(), Some(payer_address().as_str()));
    assert_eq!(reply.body["settlement"]["network"], "base-sepolia");
    assert_eq!(
        receipt.transaction.as_deref(),
        reply.body["settlement"]["tx_hash"].as_str()
    );
    assert_eq!(rig.server.settlements(), 1);

    // Either header name is read; the payload must still be v1.
    let portrait_body = rig.portrait_body("face.png");
    let portrait = signed(&rig.quote(PORTRAIT, &portrait_body).await);
    let reply = rig
        .paid_with(
            PORTRAIT,
            &portrait_body,
            "PAYMENT-SIGNATURE",
            &portrait.header_value,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(rig.server.settlements(), 2);
    let v2_payload = tampered(&signed(&rig.quote(PORTRAIT, &portrait_body).await), |p| {
        p["x402Version"] = json!(2)
    });
    let refused = rig
        .paid_with(PORTRAIT, &portrait_body, "X-PAYMENT", &v2_payload)
        .await;
    assert_eq!(refused.status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(refused.body["x402Version"], 1);
    assert_eq!(refused.body["error"], "invalid_x402_version");
    assert_eq!(rig.server.settlements(), 2);
}

#[tokio::test]
async fn bad_payments_are_402_and_never_settle() {
    let rig = Rig::new().await;
    let group_id = rig.active_group().await;
    let body = rig.realface_body(&group_id, "face.jpg");
    let probe = rig.unpaid(REALFACE, &body).await;
    let quote = quote_of(&probe);
    let good = signed(&quote);

    let wrong_amount = signed(&edited_quote(&probe, |offer| {
        offer["amount"] = json!("5000")
    }));
    let wrong_payee = signed(&edited_quote(&probe, |offer| {
        offer["payTo"] = json!(OTHER_ADDRESS)
    }));
    let expired = sign(&quote, &payer(), now_unix() - 3600, fresh_nonce()).unwrap();
    let not_yet = sign(&quote, &payer(), now_unix() + 3600, fresh_nonce()).unwrap();
    let tampered_value = tampered(&good, |p| {
        let before = p["payload"]["authorization"]["validBefore"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap();
        p["payload"]["authorization"]["validBefore"] = json!((before + 60).to_string());
    });
    let someone_elses = tampered(&good, |p| {
        p["payload"]["authorization"]["from"] = json!(OTHER_ADDRESS)
    });
    let cases = [
        (
            wrong_amount.header_value.clone(),
            "invalid_exact_evm_payload_authorization_value",
        ),
        (
            wrong_payee.header_value.clone(),
            "invalid_exact_evm_payload_recipient_mismatch",
        ),
        (
            expired.header_value.clone(),
            "invalid_exact_evm_payload_authorization_valid_before",
        ),
        (
            not_yet.header_value.clone(),
            "invalid_exact_evm_payload_authorization_valid_after",
        ),
        (tampered_value, "invalid_exact_evm_payload_signature"),
        (someone_elses, "invalid_exact_evm_payload_signature"),
        ("not base64 at all!".to_owned(), "invalid_payload"),
        (
            encode_b64_json(&json!({ "x402Version": 2 })),
            "invalid_payload",
        ),
    ];
    for (header, code) in &cases {
        let reply = rig
            .paid_with(REALFACE, &body, "PAYMENT-SIGNATURE", header)
            .await;
        assert_refused(&reply, code);
    }
    // Verification comes before any work.
    assert_eq!(rig.photos.hits("/face.jpg"), 0);
    assert_eq!(rig.server.settlements(), 0);
    assert_eq!(rig.asset_count(&group_id).await, 0);

    // A wrong key next to a payment does not stop the payment; the good one still works.
    let reply = send(
        rig.http
            .post(rig.url(REALFACE))
            .bearer_auth("brk_wrong_key")
            .header("PAYMENT-SIGNATURE", &good.header_value)
            .json(&body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(rig.server.settlements(), 1);
}

#[tokio::test]
async fn unsettled_attempts_leave_the_nonce_usable() {
    let rig = Rig::new().await;
    let active = rig.active_group().await;
    let realface_quote = rig
        .quote(REALFACE, &rig.realface_body(&active, "face.jpg"))
        .await;

    // 425: the group is pending. The payment is verified (it is checked before the group) but
    // not settled; once the phone is done, the very same header succeeds.
    let pending = rig.init("Spokesperson").await["group_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = rig.realface_body(&pending, "face.jpg");
    let payment = signed(&realface_quote);
    let early = rig.paid(REALFACE, &body, &payment).await;
    assert_eq!(early.status, StatusCode::TOO_EARLY);
    only_words(&early);
    assert!(!early.headers.contains_key("payment-response"));
    assert_eq!(rig.server.settlements(), 0);
    rig.server.complete_liveness(&pending).await.unwrap();
    let ok = rig.paid(REALFACE, &body, &payment).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(rig.server.settlements(), 1);

    // 422 (face mismatch) and 502 (upload failed) and 400 (bad photo) after verification: the
    // nonce goes back to void, and the same header pays once the cause is fixed.
    for (broken, status) in [
        (
            format!("people/{FACE_MISMATCH_MARKER}.jpg"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("{UPSTREAM_ERROR_MARKER}/face.jpg"),
            StatusCode::BAD_GATEWAY,
        ),
        ("missing.jpg".to_owned(), StatusCode::BAD_REQUEST),
    ] {
        let settled_before = rig.server.settlements();
        let payment = signed(&realface_quote);
        let failed = rig
            .paid(REALFACE, &rig.realface_body(&active, &broken), &payment)
            .await;
        assert_eq!(failed.status, status, "{broken}: {}", failed.body);
        assert!(!failed.headers.contains_key("payment-response"));
        assert_eq!(rig.server.settlements(), settled_before, "{broken}");
        // The same failing request again: verified again and fails again (not
        // invalid_exact_evm_nonce_already_used).
        let failed_again = rig
            .paid(REALFACE, &rig.realface_body(&active, &broken), &payment)
            .await;
        assert_eq!(failed_again.status, status, "{broken}");

        let fixed = rig.realface_body(&active, "face.png");
        let ok = rig.paid(REALFACE, &fixed, &payment).await;
        assert_eq!(ok.status, StatusCode::OK, "{broken}: {}", ok.body);
        assert_eq!(rig.server.settlements(), settled_before + 1, "{broken}");
        // And now it is spent.
        assert_refused(
            &rig.paid(REALFACE, &rig.realface_body(&active, &broken), &payment)
                .await,
            NONCE_USED,
        );
    }
    assert_eq!(rig.server.settlements(), 4);
    assert_eq!(rig.asset_count(&active).await, 3);
}

#[tokio::test]
async fn a_pending_group_is_the_probe_unpaid_and_425_only_once_paid() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_path(&dir);
    let rig = Rig::with(|c| c.state_file = Some(state.clone())).await;
    let pending = rig.init("Spokesperson").await["group_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = rig.realface_body(&pending, "face.jpg");

    // No payment: the 402 probe, not the group's 425.
    let probe = rig.unpaid(REALFACE, &body).await;
    let quote = quote_of(&probe);
    // A payment that fails verification: 402 with its reason, still not the 425.
    let wrong_amount = signed(&edited_quote(&probe, |offer| {
        offer["amount"] = json!("5000")
    }));
    assert_refused(
        &rig.paid(REALFACE, &body, &wrong_amount).await,
        "invalid_exact_evm_payload_authorization_value",
    );

    // A valid payment: verified, then the group is pending, so 425 and the nonce goes void.
    let payment = signed(&quote);
    let early = rig.paid(REALFACE, &body, &payment).await;
    assert_eq!(early.status, StatusCode::TOO_EARLY, "{}", early.body);
    only_words(&early);
    assert!(!early.headers.contains_key("payment-response"));
    assert_eq!(rig.server.settlements(), 0);
    assert_eq!(rig.photos.hits("/face.jpg"), 0);
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let payments = saved["payments"].as_array().unwrap();
    assert_eq!(payments.len(), 1, "{saved}");
    assert_eq!(payments[0]["nonce"], payment.nonce_hex.to_ascii_lowercase());
    assert_eq!(payments[0]["state"], "void");

    // An unknown group, paid: 404, nothing settled.
    let lost = signed(&quote);
    let unknown = rig
        .paid(
            REALFACE,
            &rig.realface_body("legacy_rf_1", "face.jpg"),
            &lost,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    assert_eq!(rig.server.settlements(), 0);

    // Once the phone is done, the very same header pays, once.
    rig.server.complete_liveness(&pending).await.unwrap();
    let ok = rig.paid(REALFACE, &body, &payment).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(rig.server.settlements(), 1);
    assert_refused(&rig.paid(REALFACE, &body, &payment).await, NONCE_USED);
    assert_eq!(rig.server.settlements(), 1);
    assert_eq!(rig.asset_count(&pending).await, 1);
}

#[tokio::test]
async fn upstream_error_once_is_a_502_then_the_resend_succeeds() {
    let rig = Rig::new().await;
    let body = rig.portrait_body("face.png");
    let payment = signed(&rig.quote(PORTRAIT, &body).await);

    rig.server.faults().upstream_error_on_next_enroll();
    let failed = rig.paid(PORTRAIT, &body, &payment).await;
    assert_eq!(failed.status, StatusCode::BAD_GATEWAY);
    only_words(&failed);
    assert_eq!(rig.server.settlements(), 0);
    assert!(!rig
        .server
        .faults()
        .upstream_error_once
        .load(Ordering::SeqCst));

    let ok = rig.paid(PORTRAIT, &body, &payment).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(rig.server.settlements(), 1);
    assert_eq!(rig.photos.hits("/face.png"), 2);

    // It applies to the key rail too (which never settles).
    rig.server
        .faults()
        .upstream_error_once
        .store(true, Ordering::SeqCst);
    let keyed = rig.post_paid(PORTRAIT, body.clone()).await;
    assert_eq!(keyed.status, StatusCode::BAD_GATEWAY);
    rig.post_paid(PORTRAIT, body).await.expect(StatusCode::OK);
    assert_eq!(rig.server.settlements(), 1);
}

#[tokio::test]
async fn a_connection_dropped_after_settling_refuses_the_resend() {
    let rig = Rig::new().await;
    let group_id = rig.active_group().await;
    let body = rig.realface_body(&group_id, "face.jpg");
    let payment = signed(&rig.quote(REALFACE, &body).await);

    rig.server.faults().drop_connection_after_next_settle();
    // A fresh connection, so nothing below can quietly retry on another one.
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let (name, value) = payment.header();
    let lost = fresh
        .post(rig.url(REALFACE))
        .header(name, value)
        .json(&body)
        .send()
        .await;
    let error = lost.expect_err("the connection is cut instead of answered");
    // Reset by the server (not a timeout): no status, no body.
    assert!(
        error.is_request() && !error.is_timeout() && !error.is_status(),
        "{error:?}"
    );
    assert_eq!(rig.server.settlements(), 1, "it settled before the cut");
    assert!(!rig
        .server
        .faults()
        .drop_connection_after_settle_once
        .load(Ordering::SeqCst));

    // The client re-sends the same header: the nonce settled, so it is refused (a real seller
    // does not answer a spent authorization twice), and nothing settles again.
    let resent = rig.paid(REALFACE, &body, &payment).await;
    assert_refused(&resent, NONCE_USED);
    assert_eq!(rig.server.settlements(), 1);
    // What the client reconciles with: the one asset enrolled when it settled, in the wallet's
    // listing and the group's count.
    assert_eq!(rig.asset_count(&group_id).await, 1);
    let listed = rig
        .get(&format!("/v1/wallet/{}/realfaces", payer_address()))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed["count"], 1);
    assert!(is_asset_id(
        listed["realfaces"][0]["assetId"].as_str().unwrap()
    ));
    assert!(is_tx_hash(
        listed["realfaces"][0]["enrollmentTxHash"].as_str().unwrap()
    ));
    // And again: still refused, still one settlement.
    assert_refused(&rig.paid(REALFACE, &body, &payment).await, NONCE_USED);
    assert_eq!(rig.server.settlements(), 1);
}

#[tokio::test]
async fn a_nonce_in_flight_is_refused_until_its_request_ends() {
    let rig = std::sync::Arc::new(Rig::new().await);
    let body = rig.portrait_body("held.jpg");
    let payment = signed(&rig.quote(PORTRAIT, &body).await);

    let first = {
        let (rig, body, payment) = (rig.clone(), body.clone(), payment.clone());
        tokio::spawn(async move { rig.paid(PORTRAIT, &body, &payment).await })
    };
    tokio::time::timeout(Duration::from_secs(10), async {
        while rig.photos.hits("/held.jpg") == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the first request reaches the photo");

    assert_refused(&rig.paid(PORTRAIT, &body, &payment).await, NONCE_USED);
    assert_eq!(rig.photos.hits("/held.jpg"), 1, "refused before the fetch");

    rig.photos.release_held();
    let first = first.await.unwrap();
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(rig.server.settlements(), 1);
    // Settled now: the identical re-send is refused too, and fetches nothing.
    assert_refused(&rig.paid(PORTRAIT, &body, &payment).await, NONCE_USED);
    assert_eq!(rig.photos.hits("/held.jpg"), 1);
    assert_eq!(rig.server.settlements(), 1);
}

#[tokio::test]
async fn the_key_rail_still_works_and_never_settles() {
    let rig = Rig::new().await;
    let group_id = rig.active_group().await;
    let body = rig.realface_body(&group_id, "face.jpg");
    let keyed = rig.post_paid(REALFACE, body.clone()).await;
    assert_eq!(keyed.status, StatusCode::OK, "{}", keyed.body);
    assert!(parse_settlement(&keyed.headers).unwrap().is_none());
    assert_eq!(keyed.body["settlement"]["network"], "base-sepolia");
    let portrait = rig.post_paid(PORTRAIT, rig.portrait_body("face.png")).await;
    assert_eq!(portrait.status, StatusCode::OK);
    assert_eq!(rig.server.settlements(), 0);

    // A valid key wins over a payment header, which stays unspent.
    let payment = signed(&rig.quote(REALFACE, &body).await);
    let (name, value) = payment.header();
    let both = send(
        rig.http
            .post(rig.url(REALFACE))
            .bearer_auth(TEST_API_KEY)
            .header(name, value)
            .json(&body),
    )
    .await;
    assert_eq!(both.status, StatusCode::OK);
    assert!(parse_settlement(&both.headers).unwrap().is_none());
    assert_eq!(rig.server.settlements(), 0);
    rig.paid(REALFACE, &body, &payment)
        .await
        .expect(StatusCode::OK);
    assert_eq!(rig.server.settlements(), 1);
    assert_eq!(rig.asset_count(&group_id).await, 3);
}

#[tokio::test]
async fn settled_payments_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_path(&dir);
    let durable = |c: &mut RehearsalConfig| c.state_file = Some(state.clone());

    let rig = Rig::with(durable).await;
    let group_id = rig.active_group().await;
    let body = rig.realface_body(&group_id, "face.jpg");
    let quote = rig.quote(REALFACE, &body).await;
    let payment = signed(&quote);
    let settled = rig.paid(REALFACE, &body, &payment).await;
    assert_eq!(settled.status, StatusCode::OK, "{}", settled.body);
    // A payment that failed (void) is kept too, and stays usable.
    let void_body = rig.realface_body(&group_id, &format!("{UPSTREAM_ERROR_MARKER}.jpg"));
    let void = signed(&quote);
    assert_eq!(
        rig.paid(REALFACE, &void_body, &void).await.status,
        StatusCode::BAD_GATEWAY
    );
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    let states: Vec<&str> = saved["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 2);
    assert!(
        states.contains(&"settled") && states.contains(&"void"),
        "{states:?}"
    );

    let rig = rig.restart(Duration::ZERO, durable).await;
    assert_eq!(rig.server.settlements(), 1);
    // A restart forgets no spent nonce: the identical re-send is refused, as is any other use.
    assert_refused(&rig.paid(REALFACE, &body, &payment).await, NONCE_USED);
    assert_eq!(rig.server.settlements(), 1);
    let mut other = body.clone();
    other["name"] = json!("Someone else");
    assert_refused(&rig.paid(REALFACE, &other, &payment).await, NONCE_USED);
    // The void one pays now.
    rig.paid(REALFACE, &body, &void)
        .await
        .expect(StatusCode::OK);
    assert_eq!(rig.server.settlements(), 2);
    assert_eq!(rig.asset_count(&group_id).await, 2);
}

// ---------------------------------------------------------------- the JarvisClaw personality

fn token_from_link(link: &str) -> String {
    url::Url::parse(link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "sessionToken")
        .unwrap()
        .1
        .into_owned()
}

async fn jc_status(rig: &Rig, group: &str) -> Value {
    rig.get(&format!("/v1/marketplace/realface/status?groupId={group}"))
        .await
        .expect(StatusCode::OK)
}

#[tokio::test]
async fn jarvisclaw_seed_shape_walks_pending_in_progress_completed() {
    let rig = Rig::with(|c| c.jarvisclaw_shape = provider_api::JarvisClawShape::Seed).await;
    let init = rig
        .post(
            "/v1/marketplace/realface/init",
            json!({ "name": "John Doe", "redirect_url": "https://studio.example/done" }),
        )
        .await
        .expect(StatusCode::OK);
    let group = init["group_id"].as_str().unwrap().to_owned();
    assert!(group.starts_with("grp_"), "{init}");
    assert_eq!(init["name"], "John Doe");
    assert_eq!(init["status"], "pending");
    assert!(
        is_rfc3339_millis_z(init["expires_at"].as_str().unwrap()),
        "{init}"
    );
    let link = init["verification_url"].as_str().unwrap();
    assert!(
        init.get("h5_link").is_none(),
        "the seed's shape only: {init}"
    );
    // qr_code_url is a PNG of the same link.
    let png = rig
        .http
        .get(init["qr_code_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG"));

    assert_eq!(jc_status(&rig, &group).await["status"], "pending");
    let token = token_from_link(link);
    rig.step(&token, "camera").await.expect(StatusCode::OK);
    assert_eq!(jc_status(&rig, &group).await["status"], "in_progress");
    rig.step(&token, "nod").await.expect(StatusCode::OK);
    rig.step(&token, "blink").await.expect(StatusCode::OK);
    let done = jc_status(&rig, &group).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["group_id"], group.as_str());
    assert!(done["liveness_score"].as_f64().unwrap() > 0.9, "{done}");

    let enrolled = rig
        .post_paid(
            "/v1/marketplace/realface/enroll",
            json!({ "name": "John Doe", "image_url": rig.photos.url("/face.jpg"), "group_id": group }),
        )
        .await
        .expect(StatusCode::OK);
    assert!(
        is_asset_id(enrolled["asset_id"].as_str().unwrap()),
        "{enrolled}"
    );
    assert_eq!(enrolled["liveness_verified"], true);
    assert_eq!(enrolled["group_id"], group.as_str());
    let portrait = rig
        .post_paid(
            "/v1/marketplace/portrait/enroll",
            json!({ "name": "Cyber Knight", "image_url": rig.photos.url("/face.png") }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(portrait["liveness_verified"], false);
    assert!(portrait.get("group_id").is_none(), "{portrait}");
}

#[tokio::test]
async fn jarvisclaw_live_shape_and_the_doc_error_table() {
    let rig = Rig::with(|c| c.session_ttl = Duration::from_millis(600)).await;
    let init = rig
        .post(
            "/v1/marketplace/realface/init",
            json!({ "name": "John Doe" }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(init["object"], "realface.init");
    assert_eq!(init["status"], "pending_validation");
    let group = init["group_id"].as_str().unwrap().to_owned();
    assert!(is_group_id(&group));
    assert!(init["h5_link"].as_str().unwrap().contains("sessionToken="));

    let enroll = |group: &str| {
        rig.post_paid(
            "/v1/marketplace/realface/enroll",
            json!({ "name": "John Doe", "image_url": rig.photos.url("/face.jpg"), "group_id": group }),
        )
    };
    let r = enroll(&group).await;
    assert_eq!(r.status, StatusCode::TOO_EARLY);
    // The doc's table names a code per status but shows no body: Rehearsal sends words only,
    // so a client cannot come to depend on where a code would sit.
    only_words(&r);
    let r = enroll("legacy_rf_999999999").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    only_words(&r);
    let r = rig
        .post_paid(
            "/v1/marketplace/portrait/enroll",
            json!({ "name": "X", "image_url": "http://localhost/x.jpg" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    only_words(&r);
    assert!(r.error().contains("https"), "{}", r.body);

    tokio::time::sleep(Duration::from_millis(800)).await;
    let s = rig
        .get(&format!("/v1/marketplace/realface/status?groupId={group}"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(s["object"], "realface.status");
    assert_eq!(s["status"], "expired");
    assert!(s.get("ready_to_finalize").is_none(), "{s}");
    let r = enroll(&group).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    only_words(&r);
    assert!(r.error().contains("expired"), "{}", r.body);

    // No refresh: a groupId on init is ignored and a new group is made.
    let again = rig
        .post(
            "/v1/marketplace/realface/init",
            json!({ "name": "John Doe", "groupId": group }),
        )
        .await
        .expect(StatusCode::OK);
    assert_ne!(again["group_id"], group.as_str());
    let mismatch = rig.active_group().await;
    let r = rig
        .post_paid(
            "/v1/marketplace/realface/enroll",
            json!({
                "name": "Spokesperson",
                "image_url": rig.photos.url(&format!("/{FACE_MISMATCH_MARKER}.jpg")),
                "group_id": mismatch,
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    only_words(&r);
}

#[tokio::test]
async fn jarvisclaw_enrollments_take_the_payment_before_the_group() {
    const JC_REALFACE: &str = "/v1/marketplace/realface/enroll";
    const JC_PORTRAIT: &str = "/v1/marketplace/portrait/enroll";
    let rig = Rig::with(|c| c.session_ttl = Duration::from_millis(600)).await;
    let init =
        |name: &'static str| rig.post("/v1/marketplace/realface/init", json!({ "name": name }));
    let pending = init("John Doe").await.expect(StatusCode::OK)["group_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = |group: &str| json!({ "name": "John Doe", "image_url": rig.photos.url("/face.jpg"), "group_id": group });

    // Unpaid: the x402 probe, whatever the group (pending, unknown), on both enrollments.
    let probe = rig.unpaid(JC_REALFACE, &body(&pending)).await;
    let quote = quote_of(&probe);
    assert_eq!(quote.amount_atomic(), 10_000);
    assert_eq!(
        quote_of(&rig.unpaid(JC_REALFACE, &body("legacy_rf_999999999")).await).amount_atomic(),
        10_000
    );
    let portrait = json!({ "name": "Cyber Knight", "image_url": rig.photos.url("/face.png") });
    assert_eq!(
        quote_of(&rig.unpaid(JC_PORTRAIT, &portrait).await).amount_atomic(),
        10_000
    );

    // Paid, on a pending group: the doc's 425, nothing settled.
    let payment = signed(&quote);
    let early = rig.paid(JC_REALFACE, &body(&pending), &payment).await;
    assert_eq!(early.status, StatusCode::TOO_EARLY, "{}", early.body);
    only_words(&early);
    assert_eq!(rig.server.settlements(), 0);

    // The link ran out: unpaid is still the probe; paid, the doc's 400 session_expired.
    tokio::time::sleep(Duration::from_millis(800)).await;
    quote_of(&rig.unpaid(JC_REALFACE, &body(&pending)).await);
    let expired = rig.paid(JC_REALFACE, &body(&pending), &payment).await;
    assert_eq!(expired.status, StatusCode::BAD_REQUEST, "{}", expired.body);
    only_words(&expired);
    assert_eq!(rig.server.settlements(), 0);

    // Seed 001: the enroll `name` must match the init's. Another name, paid, is a 400 in words
    // and settles nothing.
    let active = init("John Doe").await.expect(StatusCode::OK)["group_id"]
        .as_str()
        .unwrap()
        .to_owned();
    rig.server.complete_liveness(&active).await.unwrap();
    let mut renamed = body(&active);
    renamed["name"] = json!("Jane Doe");
    let refused = rig.paid(JC_REALFACE, &renamed, &payment).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    only_words(&refused);
    assert!(
        refused.error().contains("must match") && refused.error().contains("John Doe"),
        "{}",
        refused.body
    );
    assert_eq!(rig.server.settlements(), 0);

    // None of these consumed the nonce: the same header enrolls on an active group, once.
    let ok = rig.paid(JC_REALFACE, &body(&active), &payment).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["object"], "realface.enroll");
    assert_eq!(rig.server.settlements(), 1);
    let again = rig.paid(JC_REALFACE, &body(&active), &payment).await;
    assert_refused(&again, NONCE_USED);
    assert_eq!(rig.server.settlements(), 1);
}

#[tokio::test]
async fn jarvisclaw_rate_limit_is_the_doc_status_with_retry_after() {
    let rig = Rig::with(|c| c.init_limit_per_hour = 1).await;
    rig.post("/v1/marketplace/realface/init", json!({ "name": "A" }))
        .await
        .expect(StatusCode::OK);
    let r = rig
        .post("/v1/marketplace/realface/init", json!({ "name": "B" }))
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    only_words(&r);
    assert!(r.retry_after() > 0);
    assert_eq!(rig.server.call_counts().rate_limited, 1);
}

// ---------------------------------------------------------------- the documented examples

/// Every answer the seeds show an example of (seed 000 for BlockRun, seed 001 for JarvisClaw's
/// own shape) comes back from Rehearsal with the example's fields: none missing, none invented.
#[tokio::test]
async fn blockrun_answers_have_the_fields_of_the_documented_examples() {
    let rig = Rig::new().await;
    let init = rig.init("Spokesperson — Q3 campaign").await;
    assert_documented_fields(&init, "blockrun/init");
    let group_id = init["group_id"].as_str().unwrap().to_owned();
    assert_documented_fields(&rig.status(&group_id).await, "blockrun/status.pending");
    let refreshed = rig
        .post(
            "/v1/realface/init",
            json!({ "name": "Spokesperson — Q3 campaign", "groupId": group_id }),
        )
        .await
        .expect(StatusCode::OK);
    assert_documented_fields(&refreshed, "blockrun/init.refresh");
    rig.server.complete_liveness(&group_id).await.unwrap();
    assert_documented_fields(&rig.status(&group_id).await, "blockrun/status.active");

    let enrolled = rig
        .enroll(&group_id, "face.jpg")
        .await
        .expect(StatusCode::OK);
    assert_documented_fields(&enrolled, "blockrun/enroll");
    let portrait = rig
        .post_paid(
            "/v1/portrait/enroll",
            json!({ "name": "Cyber Knight", "image_url": rig.photos.url("face.png") }),
        )
        .await
        .expect(StatusCode::OK);
    assert_documented_fields(&portrait, "blockrun/portrait");

    let owner = rig.server.key_owner().to_owned();
    for (list, example) in [
        ("realfaces", "blockrun/wallet.realfaces"),
        ("portraits", "blockrun/wallet.portraits"),
    ] {
        let listed = rig
            .get(&format!("/v1/wallet/{owner}/{list}"))
            .await
            .expect(StatusCode::OK);
        assert_documented_fields(&listed, example);
    }
}

#[tokio::test]
async fn jarvisclaw_seed_answers_have_the_fields_of_the_documented_examples() {
    let rig = Rig::with(|c| c.jarvisclaw_shape = provider_api::JarvisClawShape::Seed).await;
    let init = rig
        .post(
            "/v1/marketplace/realface/init",
            json!({ "name": "John Doe" }),
        )
        .await
        .expect(StatusCode::OK);
    assert_documented_fields(&init, "jarvisclaw/init.seed");
    let group = init["group_id"].as_str().unwrap().to_owned();
    assert_documented_fields(
        &jc_status(&rig, &group).await,
        "jarvisclaw/status.seed.pending",
    );
    let token = token_from_link(init["verification_url"].as_str().unwrap());
    rig.step(&token, "camera").await.expect(StatusCode::OK);
    assert_documented_fields(
        &jc_status(&rig, &group).await,
        "jarvisclaw/status.seed.in_progress",
    );
    rig.step(&token, "nod").await.expect(StatusCode::OK);
    rig.step(&token, "blink").await.expect(StatusCode::OK);
    assert_documented_fields(
        &jc_status(&rig, &group).await,
        "jarvisclaw/status.seed.completed",
    );
    let enrolled = rig
        .post_paid(
            "/v1/marketplace/realface/enroll",
            json!({ "name": "John Doe", "image_url": rig.photos.url("/face.jpg"), "group_id": group }),
        )
        .await
        .expect(StatusCode::OK);
    assert_documented_fields(&enrolled, "jarvisclaw/enroll.seed");
    let portrait = rig
        .post_paid(
            "/v1/marketplace/portrait/enroll",
            json!({ "name": "Cyber Knight", "image_url": rig.photos.url("/face.png") }),
        )
        .await
        .expect(StatusCode::OK);
    assert_documented_fields(&portrait, "jarvisclaw/portrait.seed");
}

// ---------------------------------------------------------------- the test network's node

#[tokio::test]
async fn the_test_network_answers_a_balance_read_and_nothing_it_does_not_play() {
    let rig = Rig::new().await;
    let rpc = |body: Value| rig.post("/rpc", body);
    let chain = rpc(json!({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        chain,
        json!({"jsonrpc": "2.0", "id": 1, "result": "0x14a34"})
    );

    let owner = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        .parse()
        .unwrap();
    let read = likeness::payment::chain::balance_request(2, Network::BaseSepolia, owner);
    let balance = rpc(read.clone()).await.expect(StatusCode::OK);
    assert_eq!(
        likeness::payment::chain::parse_balance(balance["result"].as_str().unwrap()),
        Ok(20_000_000)
    );

    // The same call to another contract: no code there, so no return data.
    let mut elsewhere = read.clone();
    elsewhere["params"][0]["to"] = json!("0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913");
    assert_eq!(rpc(elsewhere).await.expect(StatusCode::OK)["result"], "0x");
    let unknown = rpc(
        json!({"jsonrpc": "2.0", "id": 3, "method": "eth_sendRawTransaction", "params": ["0x00"]}),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let batch = rpc(json!([read])).await.expect(StatusCode::OK);
    assert_eq!(batch["error"]["code"], -32600, "no batches: {batch}");
    let no_version = rpc(json!({"id": 4, "method": "eth_chainId"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(no_version["error"]["code"], -32600);
}
