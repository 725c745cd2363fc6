//! Rehearsal's Anyfast and Crun personalities over real HTTP on loopback: the BytePlus
//! "LivenessFace" flow (BytedToken → phone → GroupId once → assets processed to Active) in both
//! wire forms, with the accounts, the callback redirect, the business codes and the state file.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::http::{StatusCode as AxumStatus, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use common::{assert_documented_fields, PhotoHost};
use rehearsal::{
    BytePlusCounts, Faults, RehearsalConfig, RehearsalServer, AIGC_KEY_PREFIX, FACE_MISMATCH_MARKER,
};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use serde_json::{json, Value};

const KEY: &str = "rehearsal-byteplus-account-a";
const KEY_B: &str = "rehearsal-byteplus-account-b";
const DELAY: Duration = Duration::from_millis(200);

fn aigc_key() -> String {
    format!("{AIGC_KEY_PREFIX}studio")
}

// ---------------------------------------------------------------- a plain-http media host

/// Serves the media fixtures over plain http (processing accepts http as well as https):
/// `/talent.mp4`, `/tone.wav`, `/tone.mp3`, `/face.jpg`, `/page.html`; anything else is 404.
struct MediaHost {
    addr: std::net::SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

fn fixture(name: &str) -> Bytes {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/media")
        .join(name);
    Bytes::from(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

async fn serve_media(uri: Uri) -> Response {
    let (content_type, bytes) = match uri.path() {
        "/talent.mp4" => ("video/mp4", fixture("talent-3s.mp4")),
        "/tone.wav" => ("audio/wav", fixture("tone-3s.wav")),
        "/tone.mp3" => ("audio/mpeg", fixture("tone-3s-cbr.mp3")),
        "/face.jpg" => ("image/jpeg", Bytes::from_static(common::face_jpeg())),
        "/page.html" => (
            "text/html",
            Bytes::from_static(b"<!doctype html><p>Sign in to view.</p>"),
        ),
        _ => return (AxumStatus::NOT_FOUND, "not found").into_response(),
    };
    ([(CONTENT_TYPE, content_type)], bytes).into_response()
}

impl MediaHost {
    async fn start() -> MediaHost {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().fallback(serve_media);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        MediaHost { addr, task }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }
}

impl Drop for MediaHost {
    fn drop(&mut self) {
        self.task.abort();
    }
}

// ---------------------------------------------------------------- rig

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
    body: Value,
}

impl Reply {
    fn expect(self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "body: {}", self.text);
        self.body
    }
}

async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("request reaches Rehearsal");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        text,
        body,
    }
}

struct Rig {
    photos: PhotoHost,
    media: MediaHost,
    server: RehearsalServer,
    http: reqwest::Client,
}

fn config(photos: &PhotoHost) -> RehearsalConfig {
    let mut config = RehearsalConfig::new("127.0.0.1:0".parse().unwrap(), "127.0.0.1", KEY);
    config.image_client = photos.client();
    config.extra_api_keys = vec![KEY_B.to_owned()];
    config.asset_processing_delay = DELAY;
    config
}

impl Rig {
    async fn new() -> Rig {
        Rig::with(|_| {}).await
    }

    async fn with(tweak: impl FnOnce(&mut RehearsalConfig)) -> Rig {
        let photos = PhotoHost::start().await;
        let mut config = config(&photos);
        tweak(&mut config);
        Rig {
            server: RehearsalServer::start(config).await.unwrap(),
            photos,
            media: MediaHost::start().await,
            http: reqwest::Client::new(),
        }
    }

    /// Shuts the server down and starts a new one (on a new port) with the same hosts.
    async fn restart(self, tweak: impl FnOnce(&mut RehearsalConfig)) -> Rig {
        let Rig {
            photos,
            media,
            server,
            http,
        } = self;
        server.shutdown().await;
        let mut config = config(&photos);
        tweak(&mut config);
        Rig {
            server: RehearsalServer::start(config).await.unwrap(),
            photos,
            media,
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

    fn port(&self) -> u16 {
        self.server.local_addr().port()
    }

    // -------- Anyfast

    async fn anyfast(&self, action: &str, key: Option<&str>, body: Value) -> Reply {
        let mut request = self
            .http
            .post(self.url(&format!("/volc/asset/{action}")))
            .json(&body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        send(request).await
    }

    async fn anyfast_session(&self, key: &str, callback: Option<&str>) -> Value {
        let body = match callback {
            Some(c) => json!({ "CallbackURL": c }),
            None => json!({}),
        };
        self.anyfast("CreateVisualValidateSession", Some(key), body)
            .await
            .expect(StatusCode::OK)
    }

    async fn anyfast_result(&self, key: &str, token: &str) -> Reply {
        self.anyfast(
            "GetVisualValidateResult",
            Some(key),
            json!({ "BytedToken": token }),
        )
        .await
    }

    /// A LivenessFace group of `key`'s account, its token spent.
    async fn anyfast_group(&self, key: &str) -> String {
        let token = str_of(&self.anyfast_session(key, None).await, "BytedToken");
        self.server.complete_liveness_token(&token).await.unwrap();
        let result = self
            .anyfast_result(key, &token)
            .await
            .expect(StatusCode::OK);
        str_of(&result, "GroupId")
    }

    async fn create_asset(&self, key: &str, group_id: &str, asset_type: &str, url: &str) -> Reply {
        let model = match asset_type {
            "Video" => "volc-asset-video",
            "Audio" => "volc-asset-audio",
            _ => "volc-asset",
        };
        self.anyfast(
            "CreateAsset",
            Some(key),
            json!({
                "model": model,
                "GroupId": group_id,
                "Name": format!("talent-{}", asset_type.to_lowercase()),
                "AssetType": asset_type,
                "URL": url,
            }),
        )
        .await
    }

    async fn get_asset(&self, key: &str, id: &str) -> Reply {
        self.anyfast("GetAsset", Some(key), json!({ "Id": id }))
            .await
    }

    /// GetAsset until it leaves `Processing`.
    async fn anyfast_settled(&self, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let asset = self.get_asset(KEY, id).await.expect(StatusCode::OK);
            if asset["Status"] != "Processing" {
                return asset;
            }
            assert!(Instant::now() < deadline, "{id} still processing");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    async fn list(&self, key: &str, body: Value) -> Reply {
        self.anyfast("ListAssets", Some(key), body).await
    }

    // -------- Crun

    async fn crun_post(&self, path: &str, key: Option<&str>, body: Value) -> Reply {
        let mut request = self
            .http
            .post(self.url(&format!("/api/v1/client/job/{path}")))
            .json(&body);
        if let Some(key) = key {
            request = request.header("X-API-KEY", key);
        }
        send(request).await
    }

    async fn crun_get(&self, path_and_query: &str, key: Option<&str>) -> Reply {
        let mut request = self
            .http
            .get(self.url(&format!("/api/v1/client/job/{path_and_query}")));
        if let Some(key) = key {
            request = request.header("x-api-key", key);
        }
        send(request).await
    }

    async fn crun_session(&self, callback: Option<&str>) -> Value {
        let body = match callback {
            Some(c) => json!({ "callback_url": c }),
            None => json!({}),
        };
        let reply = self
            .crun_post("visual-validate-session", Some(KEY), body)
            .await
            .expect(StatusCode::OK);
        assert_eq!(reply["code"], 200, "{reply}");
        reply["data"].clone()
    }

    async fn crun_result(&self, token: &str) -> Value {
        self.crun_get(
            &format!("visual-validate-result?byted_token={token}"),
            Some(KEY),
        )
        .await
        .expect(StatusCode::OK)
    }

    async fn crun_settled(&self, id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let info = self
                .crun_get(&format!("asset-info?asset_id={id}"), Some(KEY))
                .await
                .expect(StatusCode::OK);
            assert_eq!(info["code"], 200, "{info}");
            if info["data"]["Status"] != "Processing" {
                return info["data"].clone();
            }
            assert!(Instant::now() < deadline, "{id} still processing");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    // -------- the phone

    async fn step(&self, token: &str, step: &str) -> Value {
        send(
            self.http
                .post(self.url("/h5/api/step"))
                .json(&json!({ "sessionToken": token, "step": step })),
        )
        .await
        .expect(StatusCode::OK)
    }

    async fn view(&self, token: &str) -> Value {
        send(
            self.http
                .get(self.url(&format!("/h5/api/session?sessionToken={token}"))),
        )
        .await
        .expect(StatusCode::OK)
    }
}

fn str_of(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string {key} in {v}"))
        .to_owned()
}

fn keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

fn is_byted_token(s: &str) -> bool {
    s.len() == 34
        && s[..14].bytes().all(|b| b.is_ascii_digit())
        && s[14..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

fn is_stamped_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == 20
            && rest[..14].bytes().all(|b| b.is_ascii_digit())
            && &rest[14..15] == "-"
            && rest[15..]
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    })
}

fn is_rfc3339_z(s: &str) -> bool {
    s.len() == "2026-07-02T22:15:26Z".len()
        && s.ends_with('Z')
        && s.as_bytes()[10] == b'T'
        && s[..4].bytes().all(|b| b.is_ascii_digit())
}

fn query_of(link: &str) -> Vec<(String, String)> {
    url::Url::parse(link)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn anyfast_error(code: &str, message: &str) -> Value {
    json!({ "error": { "code": code, "message": message, "type": "volc_asset_error" } })
}

fn anyfast_unauthorized() -> Value {
    json!({ "error": { "code": "Unauthorized", "message": "Invalid token.", "type": "new_api_error" } })
}

fn redirect(callback: &str, token: &str, passed: bool) -> String {
    let (result, algorithm) = if passed { (10000, 0) } else { (10001, 1) };
    format!("{callback}bytedToken={token}&resultCode={result}&algorithmBaseRespCode={algorithm}&verify_type=real_time")
}

// ---------------------------------------------------------------- Anyfast: liveness

#[tokio::test]
async fn anyfast_session_escapes_its_link_and_opens_the_phone_page() {
    let rig = Rig::new().await;
    let reply = rig
        .anyfast(
            "CreateVisualValidateSession",
            Some(KEY),
            json!({ "CallbackURL": "https://studio.example/cb?run=7&take=2" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    // Anyfast's Go gateway escapes `&` in every string; the raw text proves it happened.
    assert!(reply.text.contains("\\u0026pl="), "{}", reply.text);
    assert!(reply.text.contains("\\u0026configId=rehearsal-anyfast"));
    assert!(!reply.text.contains('&'), "{}", reply.text);
    let body = reply.body;
    assert_eq!(keys(&body), ["BytedToken", "CallbackURL", "H5Link"]);
    let token = str_of(&body, "BytedToken");
    assert!(is_byted_token(&token), "{token}");
    assert_eq!(
        body["CallbackURL"],
        "https://studio.example/cb?run=7&take=2"
    );
    let link = str_of(&body, "H5Link");
    let prefix = format!("http://127.0.0.1:{}/h5/?bytedToken={token}&pl=", rig.port());
    assert!(link.starts_with(&prefix), "{link}");
    let query = query_of(&link);
    assert_eq!(query.len(), 3);
    assert_eq!(query[1].0, "pl");
    assert!(query[1].1.len() == 16 && query[1].1.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(query[2], ("configId".into(), "rehearsal-anyfast".into()));

    let page = rig.http.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("please nod") && html.contains("bytedToken"));

    let bare = rig.anyfast_session(KEY, None).await;
    assert_eq!(bare["CallbackURL"], "");
    assert_ne!(bare["BytedToken"], body["BytedToken"]);
    let view = rig.view(bare["BytedToken"].as_str().unwrap()).await;
    assert_eq!(view["state"], "in_progress");
    assert_eq!(view["next_step"], "camera");
    assert_eq!(view["callback_redirect"], Value::Null);
    let left = view["expires_in_ms"].as_u64().unwrap();
    assert!(left > 100_000 && left <= 120_000, "{left}");
}

#[tokio::test]
async fn anyfast_result_is_the_group_once_then_spent() {
    let rig = Rig::new().await;
    let token = str_of(&rig.anyfast_session(KEY, None).await, "BytedToken");

    let spent = anyfast_error(
        "InvalidParameter.BytedToken",
        "BytedToken is invalid or has already been used.",
    );
    // Another account does not know this token.
    let foreign = rig.anyfast_result(KEY_B, &token).await;
    assert_eq!(foreign.status, StatusCode::BAD_REQUEST);
    assert_eq!(foreign.body, spent);

    // The phone: camera, nod, blink through the page's own API.
    assert_eq!(rig.step(&token, "camera").await["next_step"], "nod");
    assert_eq!(rig.step(&token, "nod").await["next_step"], "blink");
    let done = rig.step(&token, "blink").await;
    assert_eq!(done["completed"], true);
    let group_id = str_of(&done, "group_id");
    assert!(is_stamped_id(&group_id, "group-"), "{group_id}");

    let first = rig.anyfast_result(KEY, &token).await.expect(StatusCode::OK);
    assert_eq!(
        first,
        json!({ "GroupId": group_id, "GroupType": "LivenessFace" })
    );
    let second = rig.anyfast_result(KEY, &token).await;
    assert_eq!(second.status, StatusCode::BAD_REQUEST);
    assert_eq!(second.body, spent);
    let unknown = rig
        .anyfast_result(KEY, "2026070222152680501D985EA34A3BE3D8")
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.body, spent);
    let missing = rig
        .anyfast("GetVisualValidateResult", Some(KEY), json!({}))
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.body["error"]["code"], "InvalidParameter");
    assert!(missing.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("BytedToken"));

    assert_eq!(
        rig.server.byteplus_counts(),
        BytePlusCounts {
            sessions_created: 1,
            result_queries: 4,
            ..BytePlusCounts::default()
        }
    );
}

/// Seed 003 reads the result "after verification is complete"; upstream's token is "usable
/// once". A read before the phone finished gets the documented empty GroupId and spends the
/// token: once the phone finishes, the group is there but this token can no longer read it.
#[tokio::test]
async fn an_early_read_spends_the_token_on_both_personalities() {
    let rig = Rig::new().await;
    let spent = anyfast_error(
        "InvalidParameter.BytedToken",
        "BytedToken is invalid or has already been used.",
    );
    let token = str_of(&rig.anyfast_session(KEY, None).await, "BytedToken");
    let early = rig.anyfast_result(KEY, &token).await.expect(StatusCode::OK);
    assert_eq!(
        early,
        json!({ "GroupId": "" }),
        "the doc's \"GroupId is empty\""
    );
    rig.server.complete_liveness_token(&token).await.unwrap();
    let late = rig.anyfast_result(KEY, &token).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert_eq!(late.body, spent, "the early read cost this QR");

    let crun = str_of(&rig.crun_session(None).await, "BytedToken");
    let early = rig.crun_result(&crun).await;
    assert_eq!(
        early,
        json!({
            "code": 422,
            "message": "byted_token validation has not passed",
            "data": null,
            "errors": [{ "field": "byted_token", "message": "validation has not passed" }],
        }),
        "Crun documents no not-ready answer: an early read is refused"
    );
    rig.server.complete_liveness_token(&crun).await.unwrap();
    assert_eq!(
        rig.crun_result(&crun).await["message"],
        "byted_token is invalid or has already been used"
    );
}

/// Every documented callback is an absolute https URL. An empty or malformed one is refused in
/// each personality's error shape; plain http (the studio's LAN receiver) is taken unless the
/// https-only switch plays a provider that takes nothing else.
#[tokio::test]
async fn callback_addresses_are_checked_in_each_wire_form() {
    let rig = Rig::new().await;
    for bad in ["", "   ", "studio/cb", "ftp://studio.example/cb"] {
        let reply = rig
            .anyfast(
                "CreateVisualValidateSession",
                Some(KEY),
                json!({ "CallbackURL": bad }),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad:?}: {}",
            reply.text
        );
        assert_eq!(reply.body["error"]["code"], "InvalidParameter");
        assert!(
            reply.body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("The parameter CallbackURL "),
            "{}",
            reply.text
        );
        let reply = rig
            .crun_post(
                "visual-validate-session",
                Some(KEY),
                json!({ "callback_url": bad }),
            )
            .await
            .expect(StatusCode::OK);
        assert_eq!(reply["code"], 422, "{bad:?}: {reply}");
        assert_eq!(reply["errors"][0]["field"], "callback_url");
    }
    assert_eq!(rig.server.byteplus_counts().sessions_created, 0);

    let lan = "http://192.168.1.20:8403/liveness/done?session=ses_1";
    assert_eq!(
        rig.anyfast_session(KEY, Some(lan)).await["CallbackURL"],
        lan
    );
    assert_eq!(rig.crun_session(Some(lan)).await["CallbackURL"], lan);

    rig.server.faults().refuse_plain_http_callbacks(true);
    let reply = rig
        .anyfast(
            "CreateVisualValidateSession",
            Some(KEY),
            json!({ "CallbackURL": lan }),
        )
        .await;
    assert_eq!(
        reply.body,
        anyfast_error(
            "InvalidParameter",
            "The parameter CallbackURL must be an https URL."
        )
    );
    let reply = rig
        .crun_post(
            "visual-validate-session",
            Some(KEY),
            json!({ "callback_url": lan }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(reply["errors"][0]["message"], "must be an https URL");
    rig.anyfast_session(KEY, Some("https://studio.example/cb"))
        .await;
    assert_eq!(rig.server.byteplus_counts().sessions_created, 3);
}

#[tokio::test]
async fn a_failed_phone_redirects_with_10001_and_a_passed_one_with_10000() {
    let rig = Rig::new().await;
    let callback = "https://studio.example/cb?run=7";
    let token = str_of(
        &rig.anyfast_session(KEY, Some(callback)).await,
        "BytedToken",
    );
    rig.step(&token, "camera").await;
    let failed = rig.step(&token, "fail").await;
    assert_eq!(failed["state"], "failed");
    assert_eq!(
        failed["callback_redirect"],
        redirect("https://studio.example/cb?run=7&", &token, false)
    );
    assert_eq!(
        rig.view(&token).await["callback_redirect"],
        failed["callback_redirect"]
    );
    // "Try again" in the same session, then through.
    rig.step(&token, "retry").await;
    assert_eq!(rig.view(&token).await["callback_redirect"], Value::Null);
    rig.step(&token, "nod").await;
    let passed = rig.step(&token, "blink").await;
    assert_eq!(
        passed["callback_redirect"],
        redirect("https://studio.example/cb?run=7&", &token, true)
    );
    rig.anyfast_result(KEY, &token).await.expect(StatusCode::OK);

    // The helpers play the same phone; a callback without a query gets `?`.
    let crun = rig.crun_session(Some("https://studio.example/done")).await;
    let crun_token = str_of(&crun, "BytedToken");
    rig.server.fail_liveness_token(&crun_token).await.unwrap();
    assert_eq!(
        rig.view(&crun_token).await["callback_redirect"],
        redirect("https://studio.example/done?", &crun_token, false)
    );
    rig.server
        .complete_liveness_token(&crun_token)
        .await
        .unwrap();
    assert_eq!(
        rig.view(&crun_token).await["callback_redirect"],
        redirect("https://studio.example/done?", &crun_token, true)
    );
    assert!(rig.server.fail_liveness_token(&crun_token).await.is_err());
    assert!(rig.server.complete_liveness_token("nope").await.is_err());
}

// ---------------------------------------------------------------- Anyfast: assets

#[tokio::test]
async fn anyfast_assets_go_from_processing_to_active() {
    let rig = Rig::new().await;
    let group_id = rig.anyfast_group(KEY).await;

    let created = Instant::now();
    let reply = rig
        .create_asset(KEY, &group_id, "Image", &rig.photos.url("/face.jpg"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(keys(&reply), ["Id"]);
    let id = str_of(&reply, "Id");
    assert!(is_stamped_id(&id, "asset-"), "{id}");

    let processing = rig.get_asset(KEY, &id).await.expect(StatusCode::OK);
    if created.elapsed() < DELAY {
        assert_eq!(processing["Status"], "Processing");
    }
    assert_eq!(
        keys(&processing),
        [
            "AssetType",
            "CreateTime",
            "GroupId",
            "Id",
            "Name",
            "ProjectName",
            "Status",
            "URL",
            "UpdateTime"
        ]
    );
    assert_eq!(processing["GroupId"], group_id.as_str());
    assert_eq!(processing["AssetType"], "Image");
    assert_eq!(processing["Name"], "talent-image");
    assert_eq!(processing["URL"], rig.photos.url("/face.jpg"));
    assert_eq!(processing["ProjectName"], "default");
    assert!(is_rfc3339_z(processing["CreateTime"].as_str().unwrap()));

    let active = rig.anyfast_settled(&id).await;
    assert!(created.elapsed() >= DELAY, "active before the delay");
    assert_eq!(active["Status"], "Active", "{active}");
    assert!(active.get("Error").is_none());
    assert!(active["UpdateTime"].as_str().unwrap() >= active["CreateTime"].as_str().unwrap());
    assert_eq!(rig.photos.hits("/face.jpg"), 1);

    for (asset_type, url) in [
        ("Video", rig.media.url("/talent.mp4")),
        ("Audio", rig.media.url("/tone.wav")),
        ("Audio", rig.media.url("/tone.mp3")),
        ("Image", rig.media.url("/face.jpg")),
    ] {
        let id = str_of(
            &rig.create_asset(KEY, &group_id, asset_type, &url)
                .await
                .expect(StatusCode::OK),
            "Id",
        );
        let settled = rig.anyfast_settled(&id).await;
        assert_eq!(settled["Status"], "Active", "{asset_type} {url}: {settled}");
        assert_eq!(settled["AssetType"], asset_type);
    }
    let counts = rig.server.byteplus_counts();
    assert_eq!(counts.assets_created, 5);
    assert!(counts.asset_reads >= 6);
}

#[tokio::test]
async fn anyfast_assets_fail_on_a_face_mismatch_or_a_wrong_file() {
    let rig = Rig::new().await;
    let group_id = rig.anyfast_group(KEY).await;
    let failed = |code: &str, message: &str| json!({ "Code": code, "Message": message });

    let marker = rig.photos.url(&format!("/{FACE_MISMATCH_MARKER}.jpg"));
    let id = str_of(
        &rig.create_asset(KEY, &group_id, "Image", &marker)
            .await
            .expect(StatusCode::OK),
        "Id",
    );
    let settled = rig.anyfast_settled(&id).await;
    assert_eq!(settled["Status"], "Failed");
    assert_eq!(
        settled["Error"],
        failed("FaceMismatch", "Face consistency verification failed.")
    );

    for (asset_type, url, says) in [
        ("Video", rig.photos.url("/face.jpg"), "not a video"),
        ("Audio", rig.media.url("/talent.mp4"), "not audio"),
        ("Image", rig.photos.url("/not-an-image.jpg"), "not an image"),
        ("Image", rig.media.url("/page.html"), "not an image"),
        ("Video", rig.media.url("/missing.mp4"), "HTTP 404"),
    ] {
        let id = str_of(
            &rig.create_asset(KEY, &group_id, asset_type, &url)
                .await
                .expect(StatusCode::OK),
            "Id",
        );
        let settled = rig.anyfast_settled(&id).await;
        assert_eq!(settled["Status"], "Failed", "{url}");
        assert_eq!(settled["Error"]["Code"], "InvalidFile", "{url}");
        let message = settled["Error"]["Message"].as_str().unwrap();
        assert!(message.contains(says), "{url}: {message}");
    }
}

#[tokio::test]
async fn anyfast_create_asset_validates_its_body_and_the_account() {
    let rig = Rig::new().await;
    let group_id = rig.anyfast_group(KEY).await;
    let url = rig.photos.url("/face.jpg");
    let good = json!({
        "model": "volc-asset",
        "GroupId": group_id,
        "Name": "portrait-front",
        "AssetType": "Image",
        "URL": url,
    });
    let edited = |edit: &dyn Fn(&mut Value)| {
        let mut body = good.clone();
        edit(&mut body);
        body
    };
    for (what, body, names) in [
        (
            "video model for an image",
            edited(&|b| b["model"] = json!("volc-asset-video")),
            "model",
        ),
        (
            "image model for audio",
            edited(&|b| b["AssetType"] = json!("Audio")),
            "model",
        ),
        (
            "no model",
            edited(&|b| {
                b.as_object_mut().unwrap().remove("model");
            }),
            "model",
        ),
        (
            "no group",
            edited(&|b| {
                b.as_object_mut().unwrap().remove("GroupId");
            }),
            "GroupId",
        ),
        (
            "no name",
            edited(&|b| {
                b.as_object_mut().unwrap().remove("Name");
            }),
            "Name",
        ),
        (
            "no URL",
            edited(&|b| {
                b.as_object_mut().unwrap().remove("URL");
            }),
            "URL",
        ),
        (
            "another type",
            edited(&|b| b["AssetType"] = json!("Gif")),
            "AssetType",
        ),
        (
            "ftp URL",
            edited(&|b| b["URL"] = json!("ftp://example.com/a.jpg")),
            "URL",
        ),
        (
            // Anyfast documents a data URI; bare base64 is neither that nor a link.
            "bare base64",
            edited(&|b| b["URL"] = json!("iVBORw0KGgo=")),
            "URL",
        ),
        (
            "a data URI of another type",
            edited(&|b| b["URL"] = json!("data:video/mp4;base64,AAAA")),
            "URL",
        ),
        (
            "a data URI that does not decode",
            edited(&|b| b["URL"] = json!("data:image/png;base64,A?==")),
            "URL",
        ),
    ] {
        let reply = rig.anyfast("CreateAsset", Some(KEY), body).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{what}: {}",
            reply.text
        );
        assert_eq!(reply.body["error"]["code"], "InvalidParameter", "{what}");
        assert_eq!(reply.body["error"]["type"], "volc_asset_error", "{what}");
        let message = reply.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(names), "{what}: {message}");
    }
    let bad_json = send(
        rig.http
            .post(rig.url("/volc/asset/CreateAsset"))
            .bearer_auth(KEY)
            .header("content-type", "application/json")
            .body("{ not json"),
    )
    .await;
    assert_eq!(bad_json.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_json.body["error"]["code"], "InvalidParameter");

    // Key B is another account: A's group does not exist for it.
    let foreign = rig.anyfast("CreateAsset", Some(KEY_B), good.clone()).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(
        foreign.body,
        anyfast_error("NotFound", &format!("asset group {group_id} not found"))
    );
    let unknown = rig
        .anyfast(
            "CreateAsset",
            Some(KEY),
            edited(&|b| b["GroupId"] = json!("group-20260702221642-5czvq")),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        unknown.body["error"]["message"],
        "asset group group-20260702221642-5czvq not found"
    );

    let id = str_of(
        &rig.anyfast("CreateAsset", Some(KEY), good)
            .await
            .expect(StatusCode::OK),
        "Id",
    );
    let hidden = rig.get_asset(KEY_B, &id).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(
        hidden.body,
        anyfast_error("NotFound", &format!("asset {id} not found"))
    );
    rig.get_asset(KEY, &id).await.expect(StatusCode::OK);
}

#[tokio::test]
async fn anyfast_refuses_aigc_keys_and_strangers() {
    let rig = Rig::new().await;
    let aigc = aigc_key();
    let group_type = anyfast_error(
        "InvalidParameter.GroupType",
        "GroupType must be one of [AIGC]",
    );
    let session = rig
        .anyfast(
            "CreateVisualValidateSession",
            Some(&aigc),
            json!({ "CallbackURL": "https://studio.example/cb" }),
        )
        .await;
    assert_eq!(session.status, StatusCode::BAD_REQUEST);
    assert_eq!(session.body, group_type);

    let group_id = rig.anyfast_group(KEY).await;
    let asset = rig
        .create_asset(&aigc, &group_id, "Image", &rig.photos.url("/face.jpg"))
        .await;
    assert_eq!(asset.status, StatusCode::BAD_REQUEST);
    assert_eq!(asset.body, group_type);
    // An AIGC key is still a valid account: it lists (nothing).
    let list = rig.list(&aigc, json!({})).await.expect(StatusCode::OK);
    assert_eq!(list["TotalCount"], 0);

    for action in [
        "CreateVisualValidateSession",
        "GetVisualValidateResult",
        "CreateAsset",
        "GetAsset",
        "ListAssets",
    ] {
        for key in [None, Some("sk-wrong")] {
            let reply = rig.anyfast(action, key, json!({})).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{action} {key:?}");
            assert_eq!(reply.body, anyfast_unauthorized(), "{action} {key:?}");
        }
    }
    let basic = send(
        rig.http
            .post(rig.url("/volc/asset/ListAssets"))
            .basic_auth(KEY, None::<&str>)
            .json(&json!({})),
    )
    .await;
    assert_eq!(basic.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn anyfast_list_assets_filters_and_pages() {
    let rig = Rig::new().await;
    let first = rig.anyfast_group(KEY).await;
    let second = rig.anyfast_group(KEY).await;
    let url = rig.photos.url("/face.jpg");
    let mut ids = Vec::new();
    for group in [&first, &first, &second, &first] {
        let reply = rig
            .create_asset(KEY, group, "Image", &url)
            .await
            .expect(StatusCode::OK);
        ids.push(str_of(&reply, "Id"));
    }
    let voice = rig
        .create_asset(KEY, &second, "Audio", &rig.media.url("/tone.wav"))
        .await
        .expect(StatusCode::OK);
    ids.push(str_of(&voice, "Id"));
    let other = rig.anyfast_group(KEY_B).await;
    rig.create_asset(KEY_B, &other, "Image", &url)
        .await
        .expect(StatusCode::OK);

    let all = rig
        .list(KEY, json!({ "model": "volc-asset" }))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        keys(&all),
        ["Items", "PageNumber", "PageSize", "TotalCount"]
    );
    assert_eq!(
        (all["PageNumber"].clone(), all["PageSize"].clone()),
        (json!(1), json!(10))
    );
    assert_eq!(all["TotalCount"], 5);
    let listed: Vec<&str> = all["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["Id"].as_str().unwrap())
        .collect();
    let newest_first: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    assert_eq!(listed, newest_first);
    assert_eq!(
        keys(&all["Items"][0]),
        keys(&rig.get_asset(KEY, &ids[0]).await.body)
    );

    let in_first = rig
        .list(
            KEY,
            json!({ "Filter": { "GroupIds": [first], "GroupType": "LivenessFace" } }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(in_first["TotalCount"], 3);
    let page_two = rig
        .list(
            KEY,
            json!({ "PageNumber": 2, "PageSize": 2, "Filter": { "GroupIds": [first] } }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(page_two["TotalCount"], 3);
    assert_eq!(page_two["PageNumber"], 2);
    assert_eq!(page_two["PageSize"], 2);
    assert_eq!(page_two["Items"].as_array().unwrap().len(), 1);
    assert_eq!(page_two["Items"][0]["Id"], ids[0].as_str());

    let voices = rig
        .list(KEY, json!({ "Filter": { "Name": "audio" } }))
        .await
        .expect(StatusCode::OK);
    assert_eq!(voices["TotalCount"], 1);
    assert_eq!(voices["Items"][0]["Id"], ids[4].as_str());

    for id in &ids {
        rig.anyfast_settled(id).await;
    }
    let active = rig
        .list(KEY, json!({ "Filter": { "Statuses": ["Active"] } }))
        .await
        .expect(StatusCode::OK);
    assert_eq!(active["TotalCount"], 5);
    let failed = rig
        .list(
            KEY,
            json!({ "Filter": { "Statuses": ["Failed", "Processing"] } }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(failed["TotalCount"], 0);
    let theirs = rig.list(KEY_B, json!({})).await.expect(StatusCode::OK);
    assert_eq!(theirs["TotalCount"], 1);

    for body in [
        json!({ "PageSize": 101 }),
        json!({ "PageSize": 0 }),
        json!({ "PageNumber": 0 }),
        json!({ "PageSize": "ten" }),
        json!({ "Filter": { "Statuses": ["Done"] } }),
        json!({ "Filter": { "GroupIds": "group-x" } }),
    ] {
        let reply = rig.list(KEY, body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.body["error"]["code"], "InvalidParameter", "{body}");
    }
    let too_big = rig.list(KEY, json!({ "PageSize": 101 })).await;
    assert!(too_big.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("PageSize"));
    rig.list(KEY, json!({ "PageSize": 100 }))
        .await
        .expect(StatusCode::OK);
}

// ---------------------------------------------------------------- Crun

#[tokio::test]
async fn crun_liveness_answers_in_its_envelope() {
    let rig = Rig::new().await;
    let reply = rig
        .crun_post(
            "visual-validate-session",
            Some(KEY),
            json!({ "callback_url": "https://studio.example/cb" }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(keys(&reply), ["code", "data", "message"]);
    assert_eq!(
        (reply["code"].clone(), reply["message"].clone()),
        (json!(200), json!("success"))
    );
    let data = &reply["data"];
    assert_eq!(keys(data), ["BytedToken", "CallbackURL", "H5Link"]);
    let token = str_of(data, "BytedToken");
    assert!(is_byted_token(&token));
    assert_eq!(data["CallbackURL"], "https://studio.example/cb");
    assert_eq!(
        data["H5Link"],
        format!(
            "http://127.0.0.1:{}/h5/?bytedToken={token}&configId=rehearsal-crun&lng=zh",
            rig.port()
        )
    );
    let html = rig
        .http
        .get(data["H5Link"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<html lang=\"zh\">"),
        "Crun's link opens in Chinese"
    );

    for step in ["camera", "nod", "blink"] {
        rig.step(&token, step).await;
    }
    let first = rig.crun_result(&token).await;
    assert_eq!(first["code"], 200);
    let group_id = str_of(&first["data"], "GroupId");
    assert!(is_stamped_id(&group_id, "group-"));
    let spent = json!({
        "code": 422,
        "message": "byted_token is invalid or has already been used",
        "data": null,
        "errors": [{ "field": "byted_token", "message": "invalid or already used" }],
    });
    assert_eq!(rig.crun_result(&token).await, spent);
    assert_eq!(
        rig.crun_result("2026070222152680501D985EA34A3BE3D8").await,
        spent
    );
    let no_token = rig
        .crun_get("visual-validate-result", Some(KEY))
        .await
        .expect(StatusCode::OK);
    assert_eq!(no_token["code"], 422);
    assert_eq!(no_token["errors"][0]["field"], "byted_token");

    // Without a callback the session still works; CallbackURL is empty.
    assert_eq!(rig.crun_session(None).await["CallbackURL"], "");
}

#[tokio::test]
async fn crun_assets_process_in_and_out_of_groups() {
    let rig = Rig::new().await;
    let token = str_of(&rig.crun_session(None).await, "BytedToken");
    rig.server.complete_liveness_token(&token).await.unwrap();
    let group_id = str_of(&rig.crun_result(&token).await["data"], "GroupId");

    let upload = |body: Value| rig.crun_post("asset-upload", Some(KEY), body);
    let reply = upload(json!({
        "name": "talent-front",
        "asset_type": "Image",
        "asset_url": rig.photos.url("/face.jpg"),
        "group_id": group_id,
    }))
    .await
    .expect(StatusCode::OK);
    assert_eq!(reply["code"], 200);
    assert_eq!(keys(&reply["data"]), ["AssetId"]);
    let id = str_of(&reply["data"], "AssetId");
    assert!(is_stamped_id(&id, "asset-"));
    let info = rig
        .crun_get(&format!("asset-info?asset_id={id}"), Some(KEY))
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        keys(&info["data"]),
        [
            "AssetId",
            "AssetType",
            "CreateTime",
            "Name",
            "Status",
            "UpdateTime"
        ]
    );
    assert_eq!(info["data"]["Name"], "talent-front");
    let active = rig.crun_settled(&id).await;
    assert_eq!(active["Status"], "Active", "{active}");
    assert!(is_rfc3339_z(active["UpdateTime"].as_str().unwrap()));

    let video = upload(json!({
        "asset_type": "Video",
        "asset_url": rig.media.url("/talent.mp4"),
        "group_id": group_id,
    }))
    .await
    .expect(StatusCode::OK);
    let video = rig
        .crun_settled(video["data"]["AssetId"].as_str().unwrap())
        .await;
    assert_eq!(
        (video["Status"].clone(), video["Name"].clone()),
        (json!("Active"), json!(""))
    );

    let mismatch = upload(json!({
        "name": "someone-else",
        "asset_type": "Image",
        "asset_url": rig.photos.url(&format!("/{FACE_MISMATCH_MARKER}.png")),
        "group_id": group_id,
    }))
    .await
    .expect(StatusCode::OK);
    let mismatch = rig
        .crun_settled(mismatch["data"]["AssetId"].as_str().unwrap())
        .await;
    assert_eq!(mismatch["Status"], "Failed");
    assert_eq!(
        mismatch["Error"],
        json!({ "Code": "FaceMismatch", "Message": "Face consistency verification failed." })
    );

    // No group: an AIGC asset, allowed, and there is no person to match.
    let loose = upload(json!({
        "asset_type": "Audio",
        "asset_url": rig.media.url("/tone.mp3"),
    }))
    .await
    .expect(StatusCode::OK);
    let loose = rig
        .crun_settled(loose["data"]["AssetId"].as_str().unwrap())
        .await;
    assert_eq!(loose["Status"], "Active");

    let wrong = upload(json!({
        "asset_type": "Audio",
        "asset_url": rig.photos.url("/face.jpg"),
        "group_id": group_id,
    }))
    .await
    .expect(StatusCode::OK);
    let wrong = rig
        .crun_settled(wrong["data"]["AssetId"].as_str().unwrap())
        .await;
    assert_eq!(wrong["Status"], "Failed");
    assert_eq!(wrong["Error"]["Code"], "InvalidFile");

    // Validation: 422 naming the field, still HTTP 200.
    for (body, field) in [
        (
            json!({ "asset_url": rig.photos.url("/face.jpg") }),
            "asset_type",
        ),
        (
            json!({ "asset_type": "Photo", "asset_url": rig.photos.url("/face.jpg") }),
            "asset_type",
        ),
        (json!({ "asset_type": "Image" }), "asset_url"),
        (
            json!({ "asset_type": "Image", "asset_url": "file:///etc/passwd" }),
            "asset_url",
        ),
        (
            json!({ "asset_type": "Image", "asset_url": rig.photos.url("/face.jpg"), "name": 7 }),
            "name",
        ),
    ] {
        let reply = upload(body.clone()).await.expect(StatusCode::OK);
        assert_eq!(reply["code"], 422, "{body}");
        assert_eq!(reply["data"], Value::Null);
        assert_eq!(reply["errors"][0]["field"], field, "{body}");
    }
    let foreign = rig
        .crun_post(
            "asset-upload",
            Some(KEY_B),
            json!({ "asset_type": "Image", "asset_url": rig.photos.url("/face.jpg"), "group_id": group_id }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        foreign,
        json!({ "code": 404, "message": format!("asset group {group_id} not found"), "data": null })
    );
    let hidden = rig
        .crun_get(&format!("asset-info?asset_id={id}"), Some(KEY_B))
        .await
        .expect(StatusCode::OK);
    assert_eq!(hidden["code"], 404);
    assert_eq!(hidden["data"], Value::Null);
}

#[tokio::test]
async fn crun_answers_errors_with_http_200() {
    let rig = Rig::new().await;
    let unauthorized =
        json!({ "code": 401, "message": "Unauthorized: invalid API key", "data": null });
    for key in [None, Some("sk-wrong")] {
        let reply = rig
            .crun_post("visual-validate-session", key, json!({}))
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, unauthorized);
        let reply = rig.crun_get("asset-info?asset_id=asset-x", key).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, unauthorized);
    }

    for (code, message) in [
        (402, "Insufficient Credits"),
        (429, "Rate Limited"),
        (455, "Service Unavailable: system maintenance"),
        (500, "Server Error"),
        (501, "Generation Failed"),
        (505, "Feature Disabled"),
    ] {
        rig.server.faults().crun_code_on_next_call(code);
        let reply = rig
            .crun_post("visual-validate-session", Some(KEY), json!({}))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{code}");
        assert_eq!(
            reply.body,
            json!({ "code": code, "message": message, "data": null })
        );
        let retry_after = reply.headers.get(RETRY_AFTER).map(|v| v.to_str().unwrap());
        assert_eq!(retry_after, (code == 429).then_some("30"), "{code}");
        // One shot: the next call is served.
        let next = rig
            .crun_post("visual-validate-session", Some(KEY), json!({}))
            .await
            .expect(StatusCode::OK);
        assert_eq!(next["code"], 200, "{code}");
    }
    // Any Crun call takes it, a GET too; Anyfast does not.
    rig.server.faults().crun_code_on_next_call(402);
    rig.anyfast_session(KEY, None).await;
    let info = rig
        .crun_get("asset-info?asset_id=asset-x", Some(KEY))
        .await
        .expect(StatusCode::OK);
    assert_eq!(info["code"], 402);
}

// ---------------------------------------------------------------- the page

#[tokio::test]
async fn the_phone_page_speaks_the_links_language() {
    let rig = Rig::new().await;
    let token = str_of(&rig.crun_session(None).await, "BytedToken");
    let page = |lng: Option<&str>| {
        let mut path = format!("/h5/?bytedToken={token}&configId=rehearsal-crun");
        if let Some(lng) = lng {
            path.push_str("&lng=");
            path.push_str(lng);
        }
        let url = rig.url(&path);
        let http = rig.http.clone();
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let zh = page(Some("zh")).await;
    assert!(zh.contains("<html lang=\"zh\">"));
    assert!(zh.contains("请点头") && zh.contains("验证完成") && zh.contains("允许使用相机"));
    assert!(!zh.contains("please nod"));
    let hant = page(Some("zh-Hant")).await;
    assert!(hant.contains("<html lang=\"zh-Hant\">"));
    assert!(hant.contains("請點頭") && hant.contains("驗證完成"));
    for lng in [Some("en"), None, Some("fr")] {
        let en = page(lng).await;
        assert!(en.contains("<html lang=\"en\">"), "{lng:?}");
        assert!(en.contains("please nod") && en.contains("Verification completed."));
        assert!(!en.contains("{{"), "{lng:?}");
    }
    // The page and its API read the BytedToken under either name.
    let view = send(
        rig.http
            .get(rig.url(&format!("/h5/api/session?bytedToken={token}"))),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(view["next_step"], "camera");
    let step = send(
        rig.http
            .post(rig.url("/h5/api/step"))
            .json(&json!({ "bytedToken": token, "step": "camera" })),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(step["next_step"], "nod");
}

// ---------------------------------------------------------------- the state file

fn state_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("rehearsal").join("state.json")
}

#[tokio::test]
async fn tokens_groups_and_processing_assets_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_path(&dir);
    let slow = Duration::from_millis(1_500);
    let durable = |c: &mut RehearsalConfig| {
        c.state_file = Some(state.clone());
        c.asset_processing_delay = slow;
    };

    let rig = Rig::with(durable).await;
    let spent = str_of(&rig.anyfast_session(KEY, None).await, "BytedToken");
    rig.server.complete_liveness_token(&spent).await.unwrap();
    let group_id = str_of(
        &rig.anyfast_result(KEY, &spent).await.expect(StatusCode::OK),
        "GroupId",
    );
    let waiting = str_of(&rig.crun_session(None).await, "BytedToken");
    rig.step(&waiting, "camera").await;
    let created = Instant::now();
    let id = str_of(
        &rig.create_asset(KEY, &group_id, "Video", &rig.media.url("/talent.mp4"))
            .await
            .expect(StatusCode::OK),
        "Id",
    );
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(saved.contains(&id) && saved.contains(&group_id));
    assert!(!saved.contains(KEY), "the state file holds no API key");

    let rig = rig.restart(durable).await;
    let asset = rig.get_asset(KEY, &id).await.expect(StatusCode::OK);
    if created.elapsed() < slow {
        assert_eq!(asset["Status"], "Processing");
    }
    let active = rig.anyfast_settled(&id).await;
    assert!(created.elapsed() >= slow, "turned before its delay");
    assert_eq!(active["Status"], "Active", "{active}");
    assert_eq!(active["GroupId"], group_id.as_str());

    // A spent token stays spent; an unfinished one resumes where the phone left it.
    let again = rig.anyfast_result(KEY, &spent).await;
    assert_eq!(again.body["error"]["code"], "InvalidParameter.BytedToken");
    assert_eq!(rig.view(&waiting).await["next_step"], "nod");
    rig.step(&waiting, "nod").await;
    rig.step(&waiting, "blink").await;
    assert!(is_stamped_id(
        rig.crun_result(&waiting).await["data"]["GroupId"]
            .as_str()
            .unwrap(),
        "group-"
    ));
    // The group still belongs to its account.
    let foreign = rig
        .create_asset(KEY_B, &group_id, "Image", &rig.photos.url("/face.jpg"))
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    rig.create_asset(KEY, &group_id, "Image", &rig.photos.url("/face.jpg"))
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn without_a_state_file_a_restart_forgets_tokens_and_assets() {
    let rig = Rig::new().await;
    let group_id = rig.anyfast_group(KEY).await;
    let id = str_of(
        &rig.create_asset(KEY, &group_id, "Image", &rig.photos.url("/face.jpg"))
            .await
            .expect(StatusCode::OK),
        "Id",
    );
    let rig = rig.restart(|_| {}).await;
    assert_eq!(rig.get_asset(KEY, &id).await.status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- configuration

#[tokio::test]
async fn config_defaults() {
    let config = RehearsalConfig::new("127.0.0.1:0".parse().unwrap(), "127.0.0.1", KEY);
    assert!(config.extra_api_keys.is_empty());
    assert_eq!(config.asset_processing_delay, Duration::from_secs(3));
    let faults = Faults::default();
    faults.crun_code_on_next_call(455);
    assert_eq!(
        faults
            .clone()
            .crun_code_once
            .load(std::sync::atomic::Ordering::SeqCst),
        455
    );
    let mut with_keys = config.clone();
    with_keys.extra_api_keys = vec![KEY_B.to_owned()];
    let debug = format!("{with_keys:?}");
    assert!(!debug.contains(KEY) && !debug.contains(KEY_B), "{debug}");
}

// ---------------------------------------------------------------- the documented examples

/// Every answer seeds 003 (Anyfast) and 004 (Crun) show an example of comes back from Rehearsal
/// with the example's fields: none missing, none invented.
#[tokio::test]
async fn answers_have_the_fields_of_the_documented_examples() {
    let rig = Rig::new().await;
    let session = rig
        .anyfast_session(KEY, Some("https://example.com/callback"))
        .await;
    assert_documented_fields(&session, "anyfast/session.create");
    let token = str_of(&session, "BytedToken");
    rig.server.complete_liveness_token(&token).await.unwrap();
    let result = rig.anyfast_result(KEY, &token).await.expect(StatusCode::OK);
    assert_documented_fields(&result, "anyfast/result.done");
    let group_id = str_of(&result, "GroupId");
    let created = rig
        .create_asset(KEY, &group_id, "Image", &rig.photos.url("/face.jpg"))
        .await
        .expect(StatusCode::OK);
    assert_documented_fields(&created, "anyfast/asset.create");
    let active = rig.anyfast_settled(&str_of(&created, "Id")).await;
    assert_eq!(active["Status"], "Active", "{active}");
    assert_documented_fields(&active, "anyfast/asset.active");
    let listed = rig
        .list(KEY, json!({ "Filter": { "GroupIds": [group_id] } }))
        .await
        .expect(StatusCode::OK);
    assert_documented_fields(&listed, "anyfast/list");

    let session = rig
        .crun_post(
            "visual-validate-session",
            Some(KEY),
            json!({ "callback_url": "https://example.com/callback/seedance-visual-validation" }),
        )
        .await
        .expect(StatusCode::OK);
    assert_documented_fields(&session, "crun/session.create");
    let token = str_of(&session["data"], "BytedToken");
    rig.server.complete_liveness_token(&token).await.unwrap();
    let result = rig.crun_result(&token).await;
    assert_documented_fields(&result, "crun/result.done");
    let uploaded = rig
        .crun_post(
            "asset-upload",
            Some(KEY),
            json!({
                "name": "Ada",
                "asset_type": "Video",
                "asset_url": rig.media.url("/talent.mp4"),
                "group_id": str_of(&result["data"], "GroupId"),
            }),
        )
        .await
        .expect(StatusCode::OK);
    assert_documented_fields(&uploaded, "crun/asset.upload");
    let id = str_of(&uploaded["data"], "AssetId");
    let active = rig.crun_settled(&id).await;
    assert_eq!(active["Status"], "Active", "{active}");
    let info = rig
        .crun_get(&format!("asset-info?asset_id={id}"), Some(KEY))
        .await
        .expect(StatusCode::OK);
    assert_documented_fields(&info, "crun/asset.info.active");
}
