//! Rehearsal over real HTTP on loopback: every rule of the BlockRun RealFace API it plays.

mod common;

use std::time::Duration;

use common::{PhotoHost, TEST_API_KEY};
use likeness::rehearsal::{
    RehearsalConfig, RehearsalServer, FACE_MISMATCH_MARKER, UPSTREAM_ERROR_MARKER,
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
        assert_eq!(reply.body["field"], "name", "{bad}");
        assert!(!reply.error().is_empty());
    }
    // 64 characters, 128 bytes: counted in characters.
    let init = rig.init(&"ü".repeat(64)).await;
    assert!(is_group_id(init["group_id"].as_str().unwrap()));
    rig.init(&"a".repeat(64)).await;
    rig.init("X").await;

    for raw in ["{not json", "[\"name\"]", ""] {
        let reply = rig.post_raw("/v1/realface/init", raw).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{raw:?}");
        assert_eq!(reply.error(), "Invalid request body");
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
    assert_eq!(reply.body["retryAfterSeconds"], retry_after);

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
    assert_eq!(missing.body["field"], "groupId");
    let empty = rig.get("/v1/realface/status?groupId=").await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let malformed = rig.get("/v1/realface/status?groupId=tg_123").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.body["field"], "groupId");
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
    assert_eq!(malformed.body["field"], "groupId");
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
async fn enroll_needs_the_api_key() {
    let rig = Rig::new().await;
    let group_id = rig.active_group().await;
    let body = json!({
        "name": "Spokesperson",
        "image_url": rig.photos.url("face.jpg"),
        "group_id": group_id,
    });
    let url = rig.url("/v1/realface/enroll");

    let missing = send(rig.http.post(&url).json(&body)).await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.body["code"], "MISSING_API_KEY");
    assert!(!missing.error().is_empty());
    assert!(missing.headers.contains_key("www-authenticate"));

    for auth in [
        "Bearer brk_wrong_key",
        "Bearer ",
        "Basic YnJrOnNlY3JldA==",
        TEST_API_KEY,
    ] {
        let wrong = send(rig.http.post(&url).header(AUTHORIZATION, auth).json(&body)).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{auth}");
        assert_eq!(wrong.body["code"], "INVALID_API_KEY");
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
        assert_eq!(reply.body["field"], "image_url", "{image_url}");
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
        "/face.gif",
    ] {
        assert_eq!(rig.photos.hits(path), 1, "{path}");
    }
    assert_eq!(rig.status(&group_id).await["asset_count"], 0);
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
        assert_eq!(reply.body["field"], field, "{body}");
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
    assert_eq!(reply.body["group_status"], "pending_validation");
    assert!(reply.body["hint"].is_string());
    assert!(!reply.error().is_empty());
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
    assert_eq!(mismatch.body["code"], "FACE_MISMATCH");
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
    assert_eq!(upstream.body["code"], "UPSTREAM_ERROR");

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
        json!({ "amount": "0.500000", "currency": "USD" })
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
        assert_eq!(reply.body["field"], field);
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
