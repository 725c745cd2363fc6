//! The secret scan: the studio wallet's key and every provider's API key go in through the real
//! IPC commands, a whole day's work runs through IPC (the built-in Rehearsal paid with x402, a
//! photo enrolled and a video made and downloaded; then a separate Rehearsal playing BlockRun
//! paid by the studio wallet and by key, Anyfast's group and asset, JarvisClaw and Crun refusing
//! a key), and then every IPC answer, every log line (TRACE, every crate), the SQLite files, the
//! settings store and every other file the app wrote are searched for the secrets' bytes in
//! every encoding that could leak. None may be found, and every secret must still be in the
//! secret store, so the scan is not vacuous.
//!
//! `secrets_never_leave_the_keyring_memory_store` runs everywhere with the in-memory store;
//! `secrets_never_leave_the_keyring_secret_service` repeats it against the real OS keyring and
//! is run by scripts/test-all inside `dbus-run-session` with gnome-keyring unlocked.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use likeness::http::TrustRoots;
use likeness::library::{Library, FILE_NAME};
use likeness::providers::ProviderKind;
use likeness::secrets::{KeyringStore, MemoryStore, SecretName, SecretStore};
use likeness::settings::Settings;
use likeness::stage::StageOptions;
use likeness_studio_lib::AppState;
use rehearsal::{RehearsalConfig, RehearsalServer};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};

// ---------------------------------------------------------------------------------------------
// The scanner

/// One way a secret could be written down.
struct Needle {
    what: String,
    bytes: Vec<u8>,
    /// Hex is matched in any letter case (a key printed with `{:X}` or checksummed).
    any_case: bool,
}

/// Every encoding of one secret worth searching for.
struct Secret {
    name: &'static str,
    needles: Vec<Needle>,
}

impl Secret {
    /// A 32-byte private key: hex with and without `0x` in any case, the raw bytes, its first
    /// 12 bytes in hex (a truncated print is still a leak), and base64 of both the raw bytes and
    /// the hex text, standard and URL-safe, at every alignment inside a longer base64 blob.
    fn private_key(name: &'static str, key: &[u8; 32]) -> Secret {
        let hex = hex_lower(key);
        let mut needles = vec![
            needle("hex", hex.as_bytes(), true),
            needle("0x hex", format!("0x{hex}").as_bytes(), true),
            needle("raw bytes", key, false),
            needle("hex prefix (12 bytes)", &hex.as_bytes()[..24], true),
        ];
        needles.extend(base64_needles("raw bytes", key));
        needles.extend(base64_needles("hex text", hex.as_bytes()));
        needles.extend(base64_needles("0x hex text", format!("0x{hex}").as_bytes()));
        Secret { name, needles }
    }

    /// An API key: the text itself, its hex, and base64 (a Basic auth header, a JSON blob).
    fn api_key(name: &'static str, key: &str) -> Secret {
        let mut needles = vec![
            needle("text", key.as_bytes(), false),
            needle(
                "hex of the text",
                hex_lower(key.as_bytes()).as_bytes(),
                true,
            ),
        ];
        needles.extend(base64_needles("text", key.as_bytes()));
        Secret { name, needles }
    }
}

fn needle(what: &str, bytes: &[u8], any_case: bool) -> Needle {
    Needle {
        what: what.into(),
        bytes: bytes.to_vec(),
        any_case,
    }
}

/// Base64 of `secret` as it appears when it starts 0, 1 or 2 bytes into what is encoded: the
/// characters that depend only on the secret (those touched by the bytes around it are cut).
fn base64_needles(what: &str, secret: &[u8]) -> Vec<Needle> {
    let mut out = Vec::new();
    for (alphabet_name, alphabet) in [
        ("base64", STANDARD_ALPHABET),
        ("base64url", URL_SAFE_ALPHABET),
    ] {
        for offset in 0..3usize {
            let mut framed = vec![0xA5u8; offset];
            framed.extend_from_slice(secret);
            framed.extend_from_slice(&[0x5A, 0x5A, 0x5A]);
            let encoded = base64(&framed, alphabet);
            // Characters before `skip` mix prefix bits in; after `keep` they mix suffix bits in.
            let skip = (offset * 8).div_ceil(6);
            let keep = ((offset + secret.len()) * 8) / 6;
            out.push(needle(
                &format!("{alphabet_name} of the {what} at offset {offset}"),
                &encoded.as_bytes()[skip..keep],
                false,
            ));
        }
    }
    out
}

const STANDARD_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Which secrets, in which encodings, `haystack` contains.
fn findings(haystack: &[u8], secrets: &[Secret]) -> Vec<String> {
    let exact = latin1(haystack);
    let folded = latin1(&haystack.to_ascii_lowercase());
    let mut found = Vec::new();
    for secret in secrets {
        for n in &secret.needles {
            let hit = if n.any_case {
                folded.contains(&latin1(&n.bytes.to_ascii_lowercase()))
            } else {
                exact.contains(&latin1(&n.bytes))
            };
            if hit {
                found.push(format!("{} as {}", secret.name, n.what));
            }
        }
    }
    found
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && latin1(haystack).contains(&latin1(needle))
}

/// Bytes as text, one char per byte: a byte string matches exactly where its text does, and the
/// search runs on std's optimized `str::contains` (megabytes of TRACE logs, hundreds of needles).
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Every regular file under `root`, recursively (missing roots are empty).
fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if path.is_file() {
            out.push(path);
        }
    }
    out
}

/// Random bytes without a dependency: std's per-process random hash keys.
fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    for chunk in out.chunks_mut(8) {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos(),
        );
        let v = h.finish().to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
    out
}

/// The scanner finds what it looks for: each encoding of a planted key and API key is reported
/// from a file on disk, inside text, JSON and a longer base64 blob, and a clean file is clean.
#[test]
fn the_scanner_finds_a_planted_secret_in_every_encoding() {
    let key: [u8; 32] = random_bytes();
    let api = format!("brk_{}", hex_lower(&random_bytes::<16>()));
    let secrets = [
        Secret::private_key("wallet key", &key),
        Secret::api_key("api key", &api),
    ];
    let dir = tempfile::tempdir().unwrap();
    let hex = hex_lower(&key);
    let mut raw = b"SQLite format 3\0".to_vec();
    raw.extend_from_slice(&key);
    let mut blob = b"prefix".to_vec();
    blob.extend_from_slice(api.as_bytes());
    blob.extend_from_slice(b"suffix");
    let plants: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "lower.log",
            format!("key={hex} ok").into_bytes(),
            "wallet key as hex",
        ),
        (
            "upper.log",
            format!("KEY=0X{}", hex.to_uppercase()).into_bytes(),
            "wallet key as 0x hex",
        ),
        ("raw.db", raw, "wallet key as raw bytes"),
        (
            "truncated.log",
            format!("signer 0x{}…", &hex[..24]).into_bytes(),
            "wallet key as hex prefix (12 bytes)",
        ),
        (
            "b64.json",
            format!("{{\"k\":\"{}\"}}", base64(&key, STANDARD_ALPHABET)).into_bytes(),
            "wallet key as base64 of the raw bytes at offset 0",
        ),
        (
            "b64-1.txt",
            base64(&[&[7u8][..], &key[..], &[1, 2]].concat(), URL_SAFE_ALPHABET).into_bytes(),
            "wallet key as base64url of the raw bytes at offset 1",
        ),
        (
            "b64-2.txt",
            base64(&[&[7u8, 8][..], &key[..]].concat(), STANDARD_ALPHABET).into_bytes(),
            "wallet key as base64 of the raw bytes at offset 2",
        ),
        (
            "api.json",
            json!({"auth": format!("Bearer {api}")})
                .to_string()
                .into_bytes(),
            "api key as text",
        ),
        (
            "basic.txt",
            format!(
                "Authorization: Basic {}",
                base64(format!("user:{api}").as_bytes(), STANDARD_ALPHABET)
            )
            .into_bytes(),
            "api key as base64 of the text at offset 2",
        ),
        (
            "api-blob.b64",
            base64(&blob, STANDARD_ALPHABET).into_bytes(),
            "api key as base64 of the text at offset 0",
        ),
    ];
    for (name, bytes, expected) in &plants {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let found = findings(&std::fs::read(&path).unwrap(), &secrets);
        assert!(
            found.iter().any(|f| f == expected),
            "{name}: expected {expected:?}, found {found:?}"
        );
    }
    assert_eq!(files_under(dir.path()).len(), plants.len());
    let clean = format!(
        "key={} address=0x{}",
        hex_lower(&random_bytes::<32>()),
        &hex[30..]
    );
    assert_eq!(findings(clean.as_bytes(), &secrets), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// Logs, folders and the HTTPS photo host

/// Every log line of the process, as the app's own subscriber would write it, at TRACE for every
/// crate (and `log` records bridged in), kept for the scan.
fn log_buffer() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer: Arc<Mutex<Vec<u8>>> = Arc::default();
        let sink = Arc::clone(&buffer);
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || LogSink(Arc::clone(&sink)))
            .try_init()
            .expect("the only subscriber in this test binary");
        buffer
    })
    .clone()
}

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Where the XDG folders of this test process point, so the app's data, config and cache
/// folders (and the settings store) land in a scratch folder that is scanned whole.
fn xdg_root() -> PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root =
            std::env::temp_dir().join(format!("likeness-secret-scan-{}", std::process::id()));
        for (var, sub) in [
            ("XDG_DATA_HOME", "data"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_CACHE_HOME", "cache"),
            ("XDG_STATE_HOME", "state"),
        ] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
            std::env::set_var(var, root.join(sub));
        }
        root
    })
    .clone()
}

/// An HTTPS server on loopback with a self-signed certificate, serving the face photo (a real
/// portrait from the core's fixtures) and the fixture media files.
struct PhotoHost {
    addr: SocketAddr,
    cert_der: Vec<u8>,
    handle: axum_server::Handle<SocketAddr>,
}

impl PhotoHost {
    fn start() -> PhotoHost {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let certified = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .unwrap();
        let cert_der = certified.cert.der().to_vec();
        let key_der = certified.signing_key.serialize_der();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let fixtures = fixtures.clone();
            async move {
                use axum::http::{header::CONTENT_TYPE, StatusCode};
                use axum::response::IntoResponse;
                let (file, kind) = match uri.path() {
                    "/face.jpg" => (fixtures.join("photos/astronaut.jpg"), "image/jpeg"),
                    "/clip.mp4" => (fixtures.join("media/ok-3s-25fps.mp4"), "video/mp4"),
                    _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
                };
                ([(CONTENT_TYPE, kind)], std::fs::read(file).unwrap()).into_response()
            }
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = axum_server::Handle::new();
        let served = handle.clone();
        let der = cert_der.clone();
        tauri::async_runtime::block_on(async move {
            let tls = axum_server::tls_rustls::RustlsConfig::from_der(vec![der], key_der)
                .await
                .unwrap();
            let server = axum_server::tls_rustls::from_tcp_rustls(listener, tls)
                .unwrap()
                .handle(served);
            tauri::async_runtime::spawn(async move {
                let _ = server.serve(app.into_make_service()).await;
            });
        });
        PhotoHost {
            addr,
            cert_der,
            handle,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.addr.port())
    }
}

impl Drop for PhotoHost {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------------------------------------
// The app, driven through IPC

struct Studio {
    app: tauri::App<MockRuntime>,
    window: tauri::WebviewWindow<MockRuntime>,
    /// Every answer, success or error, exactly as serialized for the window.
    answers: Vec<String>,
}

impl Studio {
    fn start(identifier: &str, secrets: Arc<dyn SecretStore>, photos: &PhotoHost) -> Studio {
        let mut context = mock_context(noop_assets());
        context.config_mut().identifier = identifier.into();
        let builder = likeness_studio_lib::specta_builder!(MockRuntime);
        let app = mock_builder()
            .plugin(tauri_plugin_store::Builder::default().build())
            .invoke_handler(builder.invoke_handler())
            .build(context)
            .expect("mock app");
        // What AppState::boot does, with this test's secret store and photo host's certificate.
        let data_dir = app.path().app_data_dir().unwrap();
        std::fs::create_dir_all(&data_dir).unwrap();
        let port = unused_port();
        let settings = Settings {
            rehearsal_host: Some("127.0.0.1".into()),
            rehearsal_port: port,
            callback_port: unused_port(),
            operator_name: "Secret Scan".into(),
            ..Settings::default()
        };
        let state = tauri::async_runtime::block_on(AppState::start(
            Arc::new(Library::open(&data_dir.join(FILE_NAME)).unwrap()),
            secrets,
            settings,
            StageOptions {
                trust: TrustRoots(vec![photos.cert_der.clone()]),
                data_dir: Some(data_dir),
                ..StageOptions::default()
            },
        ))
        .expect("app state");
        app.manage(state);
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Studio {
            app,
            window,
            answers: Vec::new(),
        }
    }

    fn call(&mut self, cmd: &str, args: Value) -> Result<Value, Value> {
        let window = self.window.clone();
        self.call_from(&window, cmd, args)
    }

    fn call_from(
        &mut self,
        window: &tauri::WebviewWindow<MockRuntime>,
        cmd: &str,
        args: Value,
    ) -> Result<Value, Value> {
        let answer = get_ipc_response(
            window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: tauri::test::INVOKE_KEY.to_string(),
            },
        )
        .map(|b| b.deserialize::<Value>().unwrap());
        self.answers.push(format!(
            "{cmd}: {}",
            serde_json::to_string(&answer).unwrap()
        ));
        answer
    }

    fn ok(&mut self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn settings(&mut self, change: impl FnOnce(&mut Value)) -> Value {
        let mut settings = self.ok("get_settings", json!({}));
        change(&mut settings);
        self.ok("update_settings", json!({ "settings": settings }))
    }

    fn state(&self) -> tauri::State<'_, AppState> {
        self.app.state::<AppState>()
    }

    /// Asks `cmd` every 200 ms until `done` holds (or panics after `within`).
    fn until(
        &mut self,
        cmd: &str,
        args: Value,
        within: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let started = Instant::now();
        loop {
            let v = self.ok(cmd, args.clone());
            if done(&v) {
                return v;
            }
            assert!(started.elapsed() < within, "{cmd} never got there: {v}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Photo check, QR, the talent's phone, the check: a verified session's id.
    fn verified_session(&mut self, photos: &PhotoHost, name: &str) -> String {
        let photo = photos.url("/face.jpg");
        self.ok("check_photo", json!({ "imageUrl": photo }));
        let view = self.ok(
            "start_session",
            json!({ "name": name, "imageUrl": photo, "photoOverride": true }),
        );
        let id = view["session"]["id"].as_str().unwrap().to_string();
        // The talent agrees on their own window; then the QR's link is issued.
        let sha = view["release"]["sha256"].as_str().unwrap().to_string();
        self.ok("open_talent_view", json!({ "id": id }));
        let talent = self
            .app
            .get_webview_window("talent")
            .expect("the talent's window");
        let agreed = self.call_from(
            &talent,
            "agree_to_release",
            json!({ "typedName": name, "releaseSha256": sha }),
        );
        assert_eq!(agreed.unwrap()["stage"], "scan");
        let open = self.ok("list_open_sessions", json!({}));
        let link = open
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["session"]["id"] == id.as_str())
            .map(|v| v["session"]["h5Link"].as_str().unwrap().to_string())
            .unwrap();
        phone_completes(&link);
        let view = self.until(
            "check_session",
            json!({ "id": id }),
            Duration::from_secs(10),
            |v| v["session"]["state"] == "verified",
        );
        assert_eq!(view["session"]["state"], "verified");
        id
    }

    /// Enroll, and pay when a price is named: the filed face.
    fn enroll(&mut self, id: &str) -> Value {
        let outcome = self.ok("enroll_session", json!({ "id": id }));
        match outcome["outcome"].as_str() {
            Some("enrolled") => outcome["face"].clone(),
            Some("payment_required") => {
                assert!(outcome["view"]["quote"]["payTo"].is_string(), "{outcome}");
                match self.call(
                    "confirm_payment",
                    json!({ "id": id, "payeeChangeConfirmed": false }),
                ) {
                    Ok(face) => face,
                    Err(e) if e["code"] == "confirmation_needed" => self.ok(
                        "confirm_payment",
                        json!({ "id": id, "payeeChangeConfirmed": true }),
                    ),
                    Err(e) => panic!("confirm_payment: {e}"),
                }
            }
            _ => panic!("enroll_session: {outcome}"),
        }
    }
}

/// Plays the talent's phone: the calls the Rehearsal page's buttons make.
fn phone_completes(link: &str) {
    let url = reqwest::Url::parse(link).unwrap();
    let token = url
        .query_pairs()
        .find(|(k, _)| k == "sessionToken" || k == "bytedToken")
        .unwrap_or_else(|| panic!("no token in {link}"))
        .1
        .to_string();
    let step_url = url.join("/h5/api/step").unwrap();
    tauri::async_runtime::block_on(async move {
        let client = reqwest::Client::new();
        for step in ["camera", "nod", "blink"] {
            let r = client
                .post(step_url.clone())
                .json(&json!({ "sessionToken": token, "step": step }))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{step}: {}", r.status());
        }
    });
}

/// The keys this run uses, fresh each time so no fixture can contain them by chance.
struct Keys {
    wallet: [u8; 32],
    rehearsal: String,
    blockrun: String,
    jarvisclaw: String,
    anyfast: String,
    crun: String,
    /// The photo bucket's access key id and secret (Settings → Photo hosting).
    hosting_id: String,
    hosting_secret: String,
}

impl Keys {
    fn new() -> Keys {
        let token = |prefix: &str| format!("{prefix}{}", hex_lower(&random_bytes::<20>()));
        Keys {
            wallet: random_bytes(),
            rehearsal: token("rh_"),
            blockrun: token("brk_"),
            jarvisclaw: token("sk-"),
            anyfast: token("af-"),
            crun: token("crun_"),
            hosting_id: token("AKID"),
            hosting_secret: token("s3s_"),
        }
    }

    fn wallet_hex(&self) -> String {
        format!("0x{}", hex_lower(&self.wallet))
    }

    fn api_keys(&self) -> [(ProviderKind, &str); 5] {
        [
            (ProviderKind::Rehearsal, &self.rehearsal),
            (ProviderKind::BlockRun, &self.blockrun),
            (ProviderKind::JarvisClaw, &self.jarvisclaw),
            (ProviderKind::Anyfast, &self.anyfast),
            (ProviderKind::Crun, &self.crun),
        ]
    }
}

/// The whole flow, then the scan. `secrets` is the store the app keeps its secrets in.
fn run_and_scan(identifier: &str, secrets: Arc<dyn SecretStore>) {
    let logs = log_buffer();
    let root = xdg_root();
    let photos = PhotoHost::start();
    let keys = Keys::new();
    let mut studio = Studio::start(identifier, Arc::clone(&secrets), &photos);

    // The secrets go in the way the operator puts them in.
    let imported = studio.ok("import_wallet", json!({ "privateKey": keys.wallet_hex() }));
    let studio_address = imported["address"].as_str().unwrap().to_string();
    for (provider, key) in keys.api_keys() {
        studio.ok("set_api_key", json!({ "provider": provider, "key": key }));
    }
    // The photo bucket's keys, and its Check against a store that is not there (its refusal
    // must not quote them either).
    studio.ok(
        "save_photo_hosting",
        json!({
            "hosting": { "endpoint": "http://127.0.0.1:9", "region": "", "bucket": "casting", "prefix": "likeness/" },
            "accessKeyId": keys.hosting_id,
            "secretAccessKey": keys.hosting_secret,
        }),
    );
    studio
        .call("check_photo_hosting", json!({}))
        .expect_err("nothing listens there");
    // A malformed paste that is almost the key is refused without being quoted.
    let almost = format!("{}zz", &keys.wallet_hex()[..64]);
    studio
        .call("import_wallet", json!({ "privateKey": almost }))
        .expect_err("a malformed key is refused");

    // 1. The built-in Rehearsal (BlockRun's API), x402 with Rehearsal's own wallet: a face, its
    // records, and a video made and downloaded.
    let stage = studio.ok("get_stage", json!({}));
    assert_eq!(stage["provider"], "rehearsal", "{stage}");
    let id = studio.verified_session(&photos, "Ada Secret");
    let face = studio.enroll(&id);
    let asset_id = face["assetId"].as_str().unwrap().to_string();
    assert!(asset_id.starts_with("ta_"), "{face}");
    assert!(face["txHash"].is_string(), "paid with x402: {face}");
    studio.ok("list_faces", json!({}));
    studio.ok("get_face", json!({ "assetId": asset_id }));
    studio.ok("face_thumbnail", json!({ "assetId": asset_id }));
    studio.ok("export_receipt", json!({ "assetId": asset_id }));
    studio.ok("list_payments", json!({}));
    let csv_path = studio.ok("export_payments_csv", json!({}));
    studio.ok("sync_faces", json!({}));
    studio.ok("list_open_sessions", json!({}));
    studio.ok("get_wallet", json!({}));
    studio.ok("video_options", json!({}));
    let job = studio.ok(
        "quote_video",
        json!({ "request": { "faceAssetId": asset_id, "prompt": "A slow smile at the camera" } }),
    );
    let job_id = job["id"].as_str().unwrap().to_string();
    assert_eq!(job["state"], "awaiting_confirmation", "{job}");
    match studio.call(
        "confirm_video",
        json!({ "jobId": job_id, "payeeChangeConfirmed": false }),
    ) {
        Ok(_) => {}
        Err(e) if e["code"] == "confirmation_needed" => {
            studio.ok(
                "confirm_video",
                json!({ "jobId": job_id, "payeeChangeConfirmed": true }),
            );
        }
        Err(e) => panic!("confirm_video: {e}"),
    }
    studio
        .state()
        .running
        .try_read()
        .expect("no restart in flight")
        .stage
        .rehearsal()
        .expect("Rehearsal runs in-process")
        .finish_videos_now();
    let jobs = studio.until("list_jobs", json!({}), Duration::from_secs(60), |jobs| {
        jobs.as_array()
            .unwrap()
            .iter()
            .any(|j| j["id"] == job_id.as_str() && j["state"] == "completed")
    });
    let done = jobs
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == job_id.as_str())
        .unwrap();
    let video = PathBuf::from(done["localPath"].as_str().unwrap());
    assert!(video.is_file(), "downloaded: {done}");

    // 1b. The same Rehearsal on its key rail.
    studio.settings(|s| s["paymentMethod"] = json!("api_key"));
    let id = studio.verified_session(&photos, "Ben Secret");
    let face = studio.enroll(&id);
    assert!(
        face["assetId"].as_str().unwrap().starts_with("ta_"),
        "{face}"
    );

    // 2. A separate Rehearsal playing the real providers, each reached with its own key (or the
    // studio wallet), as a studio on the real services would be.
    let mut outside =
        RehearsalConfig::new("127.0.0.1:0".parse().unwrap(), "127.0.0.1", &keys.blockrun);
    outside.image_client =
        likeness::http::client(&TrustRoots(vec![photos.cert_der.clone()])).unwrap();
    outside.extra_api_keys = vec![keys.anyfast.clone(), keys.crun.clone()];
    outside.asset_processing_delay = Duration::from_millis(200);
    let outside = tauri::async_runtime::block_on(RehearsalServer::start(outside)).unwrap();
    let base = outside.base_url().to_string();

    // BlockRun, paid by the studio wallet: the imported key signs a real EIP-712 authorization.
    let stage = studio.settings(|s| {
        s["provider"] = json!("blockrun");
        s["baseUrl"] = json!(base);
        s["paymentMethod"] = json!("wallet");
    });
    assert_eq!(
        stage["wallet"]["address"],
        studio_address.as_str(),
        "{stage}"
    );
    let id = studio.verified_session(&photos, "Cleo Secret");
    let face = studio.enroll(&id);
    assert!(face["txHash"].is_string(), "the studio wallet paid: {face}");

    // BlockRun on its key rail: the brk_ key goes out as the account's key.
    studio.settings(|s| s["paymentMethod"] = json!("api_key"));
    let id = studio.verified_session(&photos, "Dev Secret");
    studio.enroll(&id);

    // Anyfast: a group made with the Anyfast key, the photo uploaded as its first asset.
    studio.settings(|s| s["provider"] = json!("anyfast"));
    let id = studio.verified_session(&photos, "Eve Secret");
    let asset = studio.enroll(&id);
    let asset_id = asset["assetId"].as_str().unwrap().to_string();
    assert!(asset_id.starts_with("asset-"), "{asset}");
    studio.until(
        "check_asset",
        json!({ "assetId": asset_id }),
        Duration::from_secs(30),
        |f| f["status"] != "processing",
    );

    // Crun, with its own key; JarvisClaw, whose key this server does not know (its free calls
    // pass, the paid enroll is refused): the refusal must not quote the key either.
    studio.settings(|s| {
        s["provider"] = json!("crun");
        s["baseUrl"] = json!(format!("{base}api/v1/client/job/"));
    });
    let photo = photos.url("/face.jpg");
    studio.ok(
        "start_session",
        json!({ "name": "Fay Secret", "imageUrl": photo, "photoOverride": true }),
    );
    studio.settings(|s| {
        s["provider"] = json!("jarvisclaw");
        s["baseUrl"] = json!(base);
        s["paymentMethod"] = json!("api_key");
    });
    let id = studio.verified_session(&photos, "Gus Secret");
    let refused = studio
        .call("enroll_session", json!({ "id": id }))
        .expect_err("an unknown key is refused");
    assert_eq!(refused["code"], "unauthorized", "{refused}");
    studio.ok("get_stage", json!({}));
    studio.ok("get_settings", json!({}));

    // The one door out: the key is shown only on a confirmed export (not scanned: it is meant to
    // carry the key). It proves the keyring holds the imported key.
    let exported = studio
        .call("export_wallet", json!({ "confirmed": true }))
        .expect("export");
    studio.answers.pop();
    assert_eq!(exported, json!(keys.wallet_hex()));

    // Every secret is in the store, so finding none elsewhere means something.
    let store = secrets.as_ref();
    assert_eq!(
        store.get(SecretName::WalletKey).unwrap().unwrap().expose(),
        keys.wallet_hex()
    );
    for (provider, key) in keys.api_keys() {
        assert_eq!(
            store
                .get(SecretName::ApiKey(provider))
                .unwrap()
                .unwrap()
                .expose(),
            key,
            "{provider:?}"
        );
    }
    for (name, key) in [
        (SecretName::HostingAccessKeyId, &keys.hosting_id),
        (SecretName::HostingSecretKey, &keys.hosting_secret),
    ] {
        assert_eq!(
            store.get(name).unwrap().unwrap().expose(),
            key.as_str(),
            "{name:?}"
        );
    }
    let rehearsal_wallet = store
        .get(SecretName::RehearsalWalletKey)
        .unwrap()
        .expect("Rehearsal's wallet was made on first launch");
    let rehearsal_wallet: [u8; 32] = decode_hex(rehearsal_wallet.expose()).try_into().unwrap();

    tauri::async_runtime::block_on(outside.shutdown());
    drop(studio.window);
    let answers = std::mem::take(&mut studio.answers);
    drop(studio.app);

    let mut scanned = vec![
        Secret::private_key("the studio wallet key", &keys.wallet),
        Secret::private_key("Rehearsal's wallet key", &rehearsal_wallet),
        Secret::api_key("the photo bucket's access key id", &keys.hosting_id),
        Secret::api_key("the photo bucket's secret", &keys.hosting_secret),
    ];
    for (provider, key) in keys.api_keys() {
        scanned.push(Secret::api_key(
            match provider {
                ProviderKind::Rehearsal => "the Rehearsal API key",
                ProviderKind::BlockRun => "the BlockRun API key",
                ProviderKind::JarvisClaw => "the JarvisClaw API key",
                ProviderKind::Anyfast => "the Anyfast API key",
                ProviderKind::Crun => "the Crun API key",
            },
            key,
        ));
    }

    let mut leaks = Vec::new();
    assert!(
        answers.len() > 40,
        "the flow ran: {} answers",
        answers.len()
    );
    for answer in &answers {
        for f in findings(answer.as_bytes(), &scanned) {
            leaks.push(format!("IPC answer {answer:.80}…: {f}"));
        }
    }
    let log_text = logs.lock().unwrap().clone();
    assert!(
        contains(&log_text, b"stage ready") && contains(&log_text, b"TRACE"),
        "the app's logs were captured at TRACE"
    );
    for f in findings(&log_text, &scanned) {
        leaks.push(format!("logs: {f}"));
    }
    let files = files_under(&root);
    let data_dir = root.join("data").join(identifier);
    for expected in [
        data_dir.join(FILE_NAME),
        data_dir.join("settings.json"),
        video.clone(),
        PathBuf::from(csv_path.as_str().unwrap()),
    ] {
        assert!(
            files.contains(&expected),
            "{} was written and scanned",
            expected.display()
        );
    }
    let mut extra = vec![PathBuf::from(csv_path.as_str().unwrap())];
    extra.retain(|p| !p.starts_with(&root));
    for file in files.iter().chain(&extra) {
        for f in findings(&std::fs::read(file).unwrap(), &scanned) {
            leaks.push(format!("{}: {f}", file.display()));
        }
    }
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));

    for dir in ["data", "config", "cache", "state"] {
        let _ = std::fs::remove_dir_all(root.join(dir).join(identifier));
        // Empty once the other variant (if running) is done too; until then these fail.
        let _ = std::fs::remove_dir(root.join(dir));
    }
    let _ = std::fs::remove_dir(&root);
}

fn decode_hex(text: &str) -> Vec<u8> {
    let digits = text.trim_start_matches("0x");
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn secrets_never_leave_the_keyring_memory_store() {
    run_and_scan(
        "studio.likeness.secret-scan-memory",
        Arc::new(MemoryStore::default()),
    );
}

#[test]
#[ignore = "needs a Secret Service; run by scripts/test-all inside dbus-run-session"]
fn secrets_never_leave_the_keyring_secret_service() {
    let service = format!("likeness-studio-test-secret-scan-{}", std::process::id());
    let store = Arc::new(KeyringStore::new(service.clone()));
    run_and_scan("studio.likeness.secret-scan-keyring", store.clone());
    // The keyring held them for real: a second handle on the same service reads them back.
    let again = KeyringStore::new(service);
    assert!(again.get(SecretName::WalletKey).unwrap().is_some());
    let mut names = vec![SecretName::WalletKey, SecretName::RehearsalWalletKey];
    names.extend(
        [
            ProviderKind::Rehearsal,
            ProviderKind::BlockRun,
            ProviderKind::JarvisClaw,
            ProviderKind::Anyfast,
            ProviderKind::Crun,
        ]
        .map(SecretName::ApiKey),
    );
    for name in names {
        store.delete(name).unwrap();
    }
}
