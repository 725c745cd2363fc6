//! Every documented response under `tests/fixtures/<provider>/` is served over HTTP to the real
//! client, and what the client makes of it is checked. A fixture without a check fails the
//! suite, so the fixtures and the parsers cannot drift apart.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use likeness::error::{Error, ErrorCode};
use likeness::media::AssetType;
use likeness::providers::{
    anyfast, blockrun, crun, jarvisclaw, AssetStatus, AssetUpload, LivenessStatus, Paid, Provider,
    ProviderKind, RemoteFaceKind,
};
use likeness::secrets::Secret;

/// Answers every request with the armed fixture; remembers the paths asked for.
#[derive(Clone, Default)]
struct Armed {
    answer: Arc<Mutex<(u16, String)>>,
    paths: Arc<Mutex<Vec<String>>>,
}

async fn start() -> (Armed, url::Url) {
    let armed = Armed::default();
    let state = armed.clone();
    let app = Router::new().fallback(move |uri: axum::http::Uri| {
        let state = state.clone();
        async move {
            state.paths.lock().unwrap().push(uri.to_string());
            let (status, body) = state.answer.lock().unwrap().clone();
            let mut response: Response = (
                StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                body,
            )
                .into_response();
            if status == 429 {
                response
                    .headers_mut()
                    .insert("retry-after", HeaderValue::from_static("1200"));
            }
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (armed, format!("http://{addr}/").parse().unwrap())
}

fn dir(provider: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(provider)
}

fn fixture(provider: &str, file: &str) -> String {
    std::fs::read_to_string(dir(provider).join(file))
        .unwrap_or_else(|e| panic!("{provider}/{file}: {e}"))
}

fn all_files(provider: &str) -> BTreeSet<String> {
    std::fs::read_dir(dir(provider))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect()
}

struct Case {
    armed: Armed,
    provider: Provider,
    name: &'static str,
    checked: BTreeSet<String>,
}

impl Case {
    async fn new(name: &'static str) -> Case {
        let (armed, base) = start().await;
        let http = reqwest::Client::new();
        let key = Some(Secret::new("sk-fixture"));
        let provider = match name {
            "blockrun" => Provider::BlockRun(blockrun::Client::new(
                ProviderKind::BlockRun,
                base,
                http,
                key,
            )),
            "anyfast" => {
                Provider::Anyfast(anyfast::Client::new(ProviderKind::Anyfast, base, http, key))
            }
            "crun" => Provider::Crun(crun::Client::new(ProviderKind::Crun, base, http, key, None)),
            _ => Provider::JarvisClaw(jarvisclaw::Client::new(
                ProviderKind::JarvisClaw,
                base,
                http,
                key,
                None,
            )),
        };
        Case {
            armed,
            provider,
            name,
            checked: BTreeSet::new(),
        }
    }

    fn arm(&mut self, status: u16, file: &str) {
        *self.armed.answer.lock().unwrap() = (status, fixture(self.name, file));
        self.checked.insert(file.to_string());
    }

    fn last_path(&self) -> String {
        self.armed.paths.lock().unwrap().last().cloned().unwrap()
    }

    fn all_checked(&self) {
        assert_eq!(
            self.checked,
            all_files(self.name),
            "every {} fixture has a check",
            self.name
        );
    }

    async fn status(&mut self, file: &str) -> LivenessStatus {
        self.arm(200, file);
        self.provider
            .session_status("grp_a1b2c3d4", None)
            .await
            .unwrap()
            .status
    }

    async fn enroll_error(&mut self, status: u16, file: &str) -> Error {
        self.arm(status, file);
        self.provider
            .enroll("John Doe", "https://example.com/p.jpg", "legacy_rf_1", None)
            .await
            .unwrap_err()
    }
}

fn done<T>(paid: Paid<T>) -> T {
    match paid {
        Paid::Done(t) => t,
        Paid::PaymentRequired(_) => panic!("the key rail never gets a price"),
    }
}

#[tokio::test]
async fn blockrun_fixtures_parse_as_documented() {
    let mut c = Case::new("blockrun").await;

    c.arm(200, "init.json");
    let link = c.provider.init_session("Spokesperson", None).await.unwrap();
    assert_eq!(c.last_path(), "/v1/realface/init");
    assert_eq!(link.group_id, "legacy_rf_8137");
    assert_eq!(
        link.h5_link,
        "https://kyc.byteintl.com/?accessKeyId=AKLTdoc&sessionToken=st-2f9c&configId=cfg-77",
        "\\u0026 decoded, nothing else touched"
    );
    assert_eq!(link.expires_in_seconds, 120);

    c.arm(200, "init.refresh.json");
    let fresh = c
        .provider
        .refresh_session("Spokesperson", "legacy_rf_8137", None)
        .await
        .unwrap();
    assert_eq!(fresh.group_id, "legacy_rf_8137");
    assert!(fresh.h5_link.contains("&sessionToken=st-9a01&"));

    assert_eq!(
        c.status("status.pending.json").await,
        LivenessStatus::Pending
    );
    assert!(c.last_path().starts_with("/v1/realface/status?groupId="));
    assert_eq!(c.status("status.active.json").await, LivenessStatus::Active);

    c.arm(200, "enroll.json");
    let r = done(
        c.provider
            .enroll(
                "S",
                "https://example.com/person.jpg",
                "legacy_rf_8137",
                None,
            )
            .await
            .unwrap(),
    );
    assert_eq!(r.asset_id, "ta_f85b20b9394e47be9502d819bee7929c");
    assert_eq!(r.group_id.as_deref(), Some("legacy_rf_8137"));
    assert_eq!(r.price_usd.as_deref(), Some("1.000000"));
    assert!(r.tx_hash.unwrap().starts_with("0x5f2c"));

    c.arm(200, "portrait.json");
    let r = done(
        c.provider
            .enroll_portrait("Cyber Knight", "https://example.com/character.png", None)
            .await
            .unwrap(),
    );
    assert_eq!(r.asset_id, "ta_0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    assert_eq!(c.last_path(), "/v1/portrait/enroll");

    // The listing makes two calls; each gets the armed body, so check each file on its own.
    c.arm(200, "wallet.realfaces.json");
    let e = c.provider.list_faces("0xCC8c").await.unwrap_err();
    let detail = e.detail().unwrap_or_default();
    assert!(
        detail.contains("missing field `portraits`"),
        "the second call reads the portraits list: {detail}"
    );
    c.arm(200, "wallet.portraits.json");
    let e = c.provider.list_faces("0xCC8c").await.unwrap_err();
    let detail = e.detail().unwrap_or_default();
    assert!(detail.contains("missing field `realfaces`"), "{detail}");
    // Both lists at once, as a real server answers them.
    let both = format!(
        "{{\"realfaces\":{},\"portraits\":{}}}",
        serde_json::from_str::<serde_json::Value>(&fixture("blockrun", "wallet.realfaces.json"))
            .unwrap()["realfaces"],
        serde_json::from_str::<serde_json::Value>(&fixture("blockrun", "wallet.portraits.json"))
            .unwrap()["portraits"]
    );
    *c.armed.answer.lock().unwrap() = (200, both);
    let faces = c.provider.list_faces("0xCC8c").await.unwrap();
    assert_eq!(
        faces.len(),
        2,
        "one RealFace from the first call, one portrait from the second"
    );
    let real = faces
        .iter()
        .find(|f| f.kind == RemoteFaceKind::RealFace)
        .unwrap();
    assert_eq!(real.asset_id, "ta_f85b20b9394e47be9502d819bee7929c");
    assert_eq!(
        real.tx_hash, None,
        "the doc's placeholder 0x… is not a hash"
    );
    assert!(faces
        .iter()
        .any(|f| f.kind == RemoteFaceKind::Portrait && f.tx_hash.as_deref() == Some("0x77")));

    let e = c.enroll_error(400, "error.400.json").await;
    assert_eq!(e.code(), ErrorCode::ProviderRefused);
    assert!(e.to_string().contains("Nothing was charged"), "{e}");
    assert!(
        e.to_string().contains("must be an https:// URL"),
        "quoted: {e}"
    );
    let e = c.enroll_error(425, "error.425.json").await;
    assert_eq!(e.code(), ErrorCode::NotReady);
    assert!(e.to_string().contains("Nothing was charged"), "{e}");
    let e = c.enroll_error(422, "error.422.json").await;
    assert_eq!(e.code(), ErrorCode::FaceMismatch);
    assert!(e.to_string().contains("front-facing"), "{e}");
    let e = c.enroll_error(429, "error.429.json").await;
    assert!(
        matches!(
            e,
            Error::RateLimited {
                retry_after_seconds: Some(1200),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("about 20 minutes"), "{e}");
    let e = c.enroll_error(502, "error.502.json").await;
    assert_eq!(e.code(), ErrorCode::UpstreamFailed);
    assert!(
        e.to_string().contains("Nothing was charged; try again"),
        "{e}"
    );

    // Seed 000's table gives statuses and nothing of the body: the status alone decides, so an
    // empty body means what a worded one does.
    for (status, code) in [
        (400, ErrorCode::ProviderRefused),
        (404, ErrorCode::ProviderRefused),
        (422, ErrorCode::FaceMismatch),
        (425, ErrorCode::NotReady),
        (429, ErrorCode::RateLimited),
        (502, ErrorCode::UpstreamFailed),
    ] {
        let e = c.enroll_error(status, "error.empty.json").await;
        assert_eq!(e.code(), code, "{status}: {e}");
    }

    c.all_checked();
}

#[tokio::test]
async fn jarvisclaw_fixtures_parse_in_both_shapes() {
    let mut c = Case::new("jarvisclaw").await;

    c.arm(200, "init.seed.json");
    let link = c.provider.init_session("John Doe", None).await.unwrap();
    assert_eq!(c.last_path(), "/v1/marketplace/realface/init");
    assert_eq!(link.group_id, "grp_a1b2c3d4");
    assert_eq!(
        link.h5_link,
        "https://verify.jarvisclaw.ai/liveness/grp_a1b2c3d4?lang=en&t=9f2"
    );
    assert!(
        (1..=120).contains(&link.expires_in_seconds),
        "expires_at is read and clamped: {}",
        link.expires_in_seconds
    );

    c.arm(200, "init.live.json");
    let link = c.provider.init_session("John Doe", None).await.unwrap();
    assert_eq!(link.group_id, "legacy_rf_15458");
    assert!(link.h5_link.contains("&sessionToken=st-jc&"));
    assert_eq!(link.expires_in_seconds, 120);

    c.arm(200, "init.missing-link.json");
    let e = c.provider.init_session("John Doe", None).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnexpectedResponse);
    // The sentence stays plain; what was missing and the answer itself go behind "Copy details".
    let said = likeness::error::CommandError::from(&e);
    assert!(!said.message.contains("grp_a1b2c3d4"), "{}", said.message);
    assert!(
        !said.message.contains('{'),
        "no raw JSON in the sentence: {}",
        said.message
    );
    let detail = said.detail.expect("the raw answer is kept as the detail");
    assert!(detail.contains("h5_link or verification_url"), "{detail}");
    assert!(
        detail.contains("grp_a1b2c3d4"),
        "the body is quoted: {detail}"
    );

    for (file, want) in [
        ("status.seed.pending.json", LivenessStatus::Pending),
        ("status.seed.in_progress.json", LivenessStatus::Pending),
        ("status.seed.completed.json", LivenessStatus::Active),
        ("status.seed.expired.json", LivenessStatus::Expired),
        ("status.seed.failed.json", LivenessStatus::Failed),
        (
            "status.live.pending_validation.json",
            LivenessStatus::Pending,
        ),
        ("status.live.active.json", LivenessStatus::Active),
        ("status.live.expired.json", LivenessStatus::Expired),
        ("status.live.failed.json", LivenessStatus::Failed),
    ] {
        assert_eq!(c.status(file).await, want, "{file}");
    }
    assert!(c
        .last_path()
        .starts_with("/v1/marketplace/realface/status?groupId="));

    for (file, asset) in [
        ("enroll.seed.json", "ta_rf_xyz789"),
        ("enroll.live.json", "ta_5c1e9d0f2a3b4c5d6e7f8091a2b3c4d5"),
    ] {
        c.arm(200, file);
        let r = done(
            c.provider
                .enroll(
                    "John Doe",
                    "https://example.com/p.jpg",
                    "grp_a1b2c3d4",
                    None,
                )
                .await
                .unwrap(),
        );
        assert_eq!(r.asset_id, asset, "{file}");
        assert_eq!(r.image_url, "https://example.com/p.jpg", "{file}");
        assert!(r.group_id.is_some(), "{file}");
    }
    assert_eq!(c.last_path(), "/v1/marketplace/realface/enroll");
    for (file, asset) in [
        ("portrait.seed.json", "ta_pt_def456"),
        ("portrait.live.json", "ta_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"),
    ] {
        c.arm(200, file);
        let r = done(
            c.provider
                .enroll_portrait("Cyber Knight", "https://example.com/c.png", None)
                .await
                .unwrap(),
        );
        assert_eq!(r.asset_id, asset, "{file}");
        assert_eq!(r.name, "Cyber Knight");
    }
    assert_eq!(c.last_path(), "/v1/marketplace/portrait/enroll");

    for (status, file, code, words) in [
        (
            425,
            "error.425.liveness_incomplete.json",
            ErrorCode::NotReady,
            "not finished",
        ),
        (
            422,
            "error.422.face_match_failed.json",
            ErrorCode::FaceMismatch,
            "does not match",
        ),
        (
            429,
            "error.429.rate_limited.json",
            ErrorCode::RateLimited,
            "20 minutes",
        ),
        (
            400,
            "error.400.invalid_image_url.json",
            ErrorCode::ProviderRefused,
            "public https://",
        ),
        (
            400,
            "error.400.session_expired.json",
            ErrorCode::SessionExpired,
            "fresh QR",
        ),
        (
            404,
            "error.404.group_not_found.json",
            ErrorCode::ProviderRefused,
            "Start a new session",
        ),
    ] {
        let e = c.enroll_error(status, file).await;
        assert_eq!(e.code(), code, "{file}: {e}");
        assert!(e.to_string().contains(words), "{file}: {e}");
    }
    // The doc shows no body: without a code the status decides alone, and a 400 gives both
    // ways out in words (what Rehearsal sends).
    let e = c.enroll_error(400, "error.400.words.json").await;
    assert_eq!(e.code(), ErrorCode::ProviderRefused, "{e}");
    assert!(
        e.to_string().contains("fresh QR") && e.to_string().contains("photo link"),
        "{e}"
    );
    for (status, code) in [
        (400, ErrorCode::ProviderRefused),
        (404, ErrorCode::ProviderRefused),
        (422, ErrorCode::FaceMismatch),
        (425, ErrorCode::NotReady),
        (429, ErrorCode::RateLimited),
        (502, ErrorCode::UpstreamFailed),
    ] {
        let e = c.enroll_error(status, "error.empty.json").await;
        assert_eq!(e.code(), code, "{status}: {e}");
    }

    c.all_checked();
}

impl Case {
    async fn result(&mut self, status: u16, file: &str) -> likeness::providers::LivenessCheck {
        self.arm(status, file);
        self.provider
            .session_status("", Some("2026070222152680501D985EA34A3BE3D8"))
            .await
            .unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    async fn result_error(&mut self, status: u16, file: &str) -> Error {
        self.arm(status, file);
        self.provider
            .session_status("", Some("2026070222152680501D985EA34A3BE3D8"))
            .await
            .unwrap_err()
    }

    async fn asset(&mut self, file: &str) -> likeness::providers::RemoteAsset {
        self.arm(200, file);
        self.provider
            .asset("asset-20260702223855-bdv2r")
            .await
            .unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    async fn upload_error(&mut self, status: u16, file: &str) -> Error {
        self.arm(status, file);
        self.provider
            .create_asset(UPLOAD)
            .await
            .expect_err("an error answer")
    }
}

const UPLOAD: AssetUpload<'static> = AssetUpload {
    group_id: "group-20260702221642-5czvq",
    name: "Ada",
    asset_type: AssetType::Video,
    url: "https://example.com/clip.mp4",
};

fn group_of(check: &likeness::providers::LivenessCheck) -> Option<&str> {
    check.group_id.as_deref()
}

#[tokio::test]
async fn anyfast_fixtures_parse_as_documented() {
    let mut c = Case::new("anyfast").await;

    c.arm(200, "session.create.json");
    let link = c
        .provider
        .init_session(
            "Ada",
            Some("http://192.168.1.20:8403/liveness/done?session=ses_1"),
        )
        .await
        .unwrap();
    assert_eq!(c.last_path(), "/volc/asset/CreateVisualValidateSession");
    assert_eq!(
        link.token.as_deref(),
        Some("2026070222152680501D985EA34A3BE3D8")
    );
    assert_eq!(
        link.group_id, "",
        "the group exists only after the phone check"
    );
    assert_eq!(
        link.h5_link,
        "https://www.byteplus.com/en/liveness-face-manage/authorization?pl=eyJ0b2tlbiI6IjEyMyJ9&configId=cfg-7f3a&bytedToken=2026070222152680501D985EA34A3BE3D8",
        "\\u0026 becomes & and nothing else changes"
    );
    assert_eq!(link.expires_in_seconds, 120);

    c.arm(200, "session.create.upstream.json");
    let link = c.provider.init_session("Ada", None).await.unwrap();
    assert_eq!(
        link.h5_link,
        "https://kyc.byteintl.com/?accessKeyId=AKLT4f2a&secretAccessKey=SK%2Bab%3D%3D&sessionToken=STS2eyJ&configId=7a1b&bytedToken=20260702221526AB01D985EA34A3BE3D8F",
        "upstream's Result envelope is read, and percent-escapes are left alone"
    );

    for (status, file) in [
        (200, "result.pending.empty.json"),
        (400, "result.pending.not_ready.json"),
        (200, "result.pending.upstream.json"),
    ] {
        let r = c.result(status, file).await;
        assert_eq!(r.status, LivenessStatus::Pending, "{file}");
        assert_eq!(group_of(&r), None, "{file}");
    }
    assert_eq!(c.last_path(), "/volc/asset/GetVisualValidateResult");
    let r = c.result(200, "result.done.json").await;
    assert_eq!(r.status, LivenessStatus::Active);
    assert_eq!(group_of(&r), Some("group-20260702221642-5czvq"));
    let e = c.result_error(400, "result.used.json").await;
    assert_eq!(e.code(), ErrorCode::SessionExpired, "{e}");
    assert!(e.to_string().contains("fresh QR"), "{e}");

    c.arm(200, "asset.create.json");
    let id = c.provider.create_asset(UPLOAD).await.unwrap();
    assert_eq!(id, "asset-20260702223855-bdv2r");
    assert_eq!(c.last_path(), "/volc/asset/CreateAsset");

    let a = c.asset("asset.processing.json").await;
    assert_eq!(a.status, AssetStatus::Processing);
    assert_eq!(a.group_id.as_deref(), Some("group-20260702221642-5czvq"));
    let a = c.asset("asset.active.json").await;
    assert_eq!(
        (a.status, a.asset_type),
        (AssetStatus::Active, AssetType::Image)
    );
    let a = c.asset("asset.inactive.json").await;
    assert_eq!(
        (a.status, a.asset_type),
        (AssetStatus::Processing, AssetType::Video),
        "Anyfast's Inactive without an error is not ready yet"
    );
    let a = c.asset("asset.failed.face_mismatch.json").await;
    assert_eq!(a.status, AssetStatus::Failed);
    let why = a.problem.unwrap();
    assert!(why.contains("does not match the person verified"), "{why}");
    assert_eq!(c.last_path(), "/volc/asset/GetAsset");

    c.arm(200, "list.json");
    let listed = c.provider.list_assets().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1].asset_type, AssetType::Audio);
    assert_eq!(listed[1].status, AssetStatus::Processing);
    assert_eq!(c.last_path(), "/volc/asset/ListAssets");

    let e = c.upload_error(400, "error.400.group_type.json").await;
    assert_eq!(e.code(), ErrorCode::Unauthorized);
    assert!(e.to_string().contains("Byteplus-Direct"), "{e}");
    let e = c.upload_error(404, "error.404.group_not_found.json").await;
    assert_eq!(e.code(), ErrorCode::ProviderRefused);
    assert!(e.to_string().contains("different Anyfast key"), "{e}");
    let e = c.upload_error(401, "error.401.json").await;
    assert_eq!(e.code(), ErrorCode::Unauthorized);
    let e = c.upload_error(429, "error.429.json").await;
    assert!(
        matches!(
            e,
            Error::RateLimited {
                retry_after_seconds: Some(1200),
                ..
            }
        ),
        "{e:?}"
    );
    let e = c.upload_error(500, "error.500.json").await;
    assert_eq!(e.code(), ErrorCode::UpstreamFailed);

    c.all_checked();
}

#[tokio::test]
async fn crun_fixtures_parse_as_documented_and_a_200_can_be_an_error() {
    let mut c = Case::new("crun").await;

    c.arm(200, "session.create.json");
    let link = c
        .provider
        .init_session(
            "Ada",
            Some("http://192.168.1.20:8403/liveness/done?session=ses_1"),
        )
        .await
        .unwrap();
    assert_eq!(c.last_path(), "/visual-validate-session");
    assert_eq!(
        link.token.as_deref(),
        Some("2026070222152680501D985EA34A3BE3D8")
    );
    assert_eq!(
        link.h5_link,
        "https://visual.volcengine.com/validate?accessKeyId=AKLT4f2a&bytedToken=2026070222152680501D985EA34A3BE3D8&lng=en",
        "the page language defaults to English instead of Crun's zh"
    );

    let r = c.result(200, "result.pending.json").await;
    assert_eq!(r.status, LivenessStatus::Pending);
    assert_eq!(
        c.last_path(),
        "/visual-validate-result?byted_token=2026070222152680501D985EA34A3BE3D8"
    );
    let r = c.result(200, "result.done.json").await;
    assert_eq!(group_of(&r), Some("group-20260702221642-5czvq"));
    let e = c.result_error(200, "result.used.200-422.json").await;
    assert_eq!(e.code(), ErrorCode::SessionExpired, "{e}");

    c.arm(200, "asset.upload.json");
    assert_eq!(
        c.provider.create_asset(UPLOAD).await.unwrap(),
        "asset-20260702223855-bdv2r"
    );
    assert_eq!(c.last_path(), "/asset-upload");
    assert_eq!(
        c.asset("asset.info.processing.json").await.status,
        AssetStatus::Processing
    );
    assert_eq!(
        c.last_path(),
        "/asset-info?asset_id=asset-20260702223855-bdv2r"
    );
    let a = c.asset("asset.info.active.json").await;
    assert_eq!(
        (a.status, a.asset_type),
        (AssetStatus::Active, AssetType::Video)
    );
    let a = c.asset("asset.info.failed.json").await;
    assert_eq!(a.status, AssetStatus::Failed);
    assert!(a.problem.unwrap().contains("Try another file"));

    // Seed 004: the business code rides in the body, often with HTTP 200.
    for (status, file, code, words) in [
        (
            200,
            "error.200-401.json",
            ErrorCode::Unauthorized,
            "refused the API key",
        ),
        (
            200,
            "error.200-402.json",
            ErrorCode::ProviderRefused,
            "enough credits",
        ),
        (
            422,
            "error.422.json",
            ErrorCode::ProviderRefused,
            "file link: must be a public URL",
        ),
        (
            200,
            "error.200-455.json",
            ErrorCode::UpstreamFailed,
            "maintenance",
        ),
        (
            200,
            "error.200-501.json",
            ErrorCode::UpstreamFailed,
            "processing failed",
        ),
        (
            200,
            "error.200-505.json",
            ErrorCode::ProviderRefused,
            "switched off",
        ),
        (
            500,
            "error.500.json",
            ErrorCode::UpstreamFailed,
            "server error",
        ),
        (
            502,
            "error.502-body-ok.json",
            ErrorCode::UpstreamFailed,
            "(502)",
        ),
    ] {
        let e = c.upload_error(status, file).await;
        assert_eq!(e.code(), code, "{file}: {e}");
        assert!(e.to_string().contains(words), "{file}: {e}");
    }
    let e = c.upload_error(429, "error.429.json").await;
    assert!(matches!(e, Error::RateLimited { .. }), "{e:?}");

    c.all_checked();
}
