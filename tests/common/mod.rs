//! Helpers shared by the integration tests: an HTTPS photo host on loopback and a Rehearsal that
//! trusts it.
#![allow(dead_code)]

pub mod s3;

use std::collections::HashMap;
use std::io::Cursor;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use image::{ImageFormat, RgbImage};
use rehearsal::{RehearsalConfig, RehearsalServer, FACE_MISMATCH_MARKER, UPSTREAM_ERROR_MARKER};

/// The API key every test Rehearsal is configured with.
pub const TEST_API_KEY: &str = "brk_rehearsal_test_key";

/// Size of `/huge.jpg` and `/huge-chunked.jpg`.
pub const HUGE_BYTES: usize = 50 * 1024 * 1024;

/// An HTTPS server on `127.0.0.1` with a self-signed certificate for `localhost` and `127.0.0.1`,
/// serving face photos and the broken cases an enroll must refuse:
///
/// - `/face.jpg`, `/face.png`, `/face.webp`: a real 400×500 picture of a face-like drawing;
///   `/face.gif`: the same as GIF (a format BlockRun refuses);
/// - any path containing a Rehearsal marker: the face (PNG if the path ends in `.png`, else JPEG);
/// - `/not-an-image.jpg`: HTML served as `text/html`; `/wrong-type.png`: JPEG bytes labelled PNG;
/// - `/truncated.jpg`: the first half of the JPEG; `/missing.jpg` (and anything unknown): 404;
/// - `/huge.jpg`: 50 MB of JPEG-looking bytes with a Content-Length; `/huge-chunked.jpg`: the same
///   streamed without one; `/slow.jpg`: the face after 30 s;
/// - `/padded-<bytes>.jpg`: the face JPEG grown to exactly `<bytes>` with comment segments
///   (still a valid JPEG), for the size cap's edge;
/// - `/media/<file>`: a file from tests/fixtures/media (MP4, MOV, MP3, WAV);
/// - `/held.jpg`: the face JPEG once [`PhotoHost::release_held`] lets it go (one release per
///   request; a release with nobody waiting is kept for the next one).
pub struct PhotoHost {
    addr: SocketAddr,
    cert_der: Vec<u8>,
    cert_pem: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    held: Arc<tokio::sync::Notify>,
    handle: axum_server::Handle<SocketAddr>,
}

impl PhotoHost {
    pub async fn start() -> PhotoHost {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let certified = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .expect("self-signed certificate");
        let cert_der = certified.cert.der().to_vec();
        let cert_pem = certified.cert.pem();
        let key_der = certified.signing_key.serialize_der();
        let tls = axum_server::tls_rustls::RustlsConfig::from_der(vec![cert_der.clone()], key_der)
            .await
            .expect("rustls server config");

        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let counter = hits.clone();
        let held: Arc<tokio::sync::Notify> = Arc::default();
        let gate = held.clone();
        let app = Router::new().fallback(move |uri: Uri| {
            let counter = counter.clone();
            let gate = gate.clone();
            async move {
                *counter
                    .lock()
                    .unwrap()
                    .entry(uri.path().to_owned())
                    .or_default() += 1;
                if uri.path() == "/held.jpg" {
                    gate.notified().await;
                    return image_response("image/jpeg", face_jpeg());
                }
                serve(uri.path()).await
            }
        });

        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind photo host");
        let addr = listener.local_addr().expect("photo host address");
        let handle = axum_server::Handle::new();
        let server = axum_server::tls_rustls::from_tcp_rustls(listener, tls)
            .expect("photo host listener")
            .handle(handle.clone());
        tokio::spawn(async move {
            let _ = server.serve(app.into_make_service()).await;
        });

        PhotoHost {
            addr,
            cert_der,
            cert_pem,
            hits,
            held,
            handle,
        }
    }

    /// Lets one request for `/held.jpg` (waiting now or the next to come) through.
    pub fn release_held(&self) {
        self.held.notify_one();
    }

    /// `https://localhost:<port>/<path>`.
    pub fn url(&self, path: &str) -> String {
        format!(
            "https://localhost:{}/{}",
            self.addr.port(),
            path.trim_start_matches('/')
        )
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn root_cert_der(&self) -> Vec<u8> {
        self.cert_der.clone()
    }

    pub fn root_cert_pem(&self) -> String {
        self.cert_pem.clone()
    }

    /// For processes that read `SSL_CERT_FILE`.
    pub fn write_ca_pem(&self, path: impl AsRef<Path>) {
        std::fs::write(path, &self.cert_pem).expect("write CA PEM");
    }

    /// A client that trusts this host's certificate.
    pub fn client(&self) -> reqwest::Client {
        let cert = reqwest::Certificate::from_der(&self.cert_der).expect("certificate");
        reqwest::Client::builder()
            .use_rustls_tls()
            .add_root_certificate(cert)
            .build()
            .expect("reqwest client")
    }

    /// How many requests reached `path` (e.g. `/face.jpg`).
    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

impl Drop for PhotoHost {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

async fn serve(path: &str) -> Response {
    if path.contains(FACE_MISMATCH_MARKER) || path.contains(UPSTREAM_ERROR_MARKER) {
        return if path.ends_with(".png") {
            image_response("image/png", face_png())
        } else {
            image_response("image/jpeg", face_jpeg())
        };
    }
    if let Some(name) = path.strip_prefix("/media/") {
        return media(name);
    }
    if let Some(size) = path
        .strip_prefix("/padded-")
        .and_then(|p| p.strip_suffix(".jpg"))
        .and_then(|n| n.parse::<usize>().ok())
    {
        return (
            [(CONTENT_TYPE, "image/jpeg")],
            padded_jpeg(face_jpeg(), size),
        )
            .into_response();
    }
    match path {
        "/face.jpg" => image_response("image/jpeg", face_jpeg()),
        "/face.png" => image_response("image/png", face_png()),
        "/face.webp" => image_response("image/webp", face_webp()),
        "/face.gif" => image_response("image/gif", face_gif()),
        "/two-faces.jpg" => image_response("image/jpeg", two_faces_jpeg()),
        "/wrong-type.png" => image_response("image/png", face_jpeg()),
        "/truncated.jpg" => {
            let jpeg = face_jpeg();
            image_response("image/jpeg", &jpeg[..jpeg.len() / 2])
        }
        "/not-an-image.jpg" => (
            [(CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!doctype html><html><body><h1>Photo gallery</h1><p>Sign in to view.</p></body></html>",
        )
            .into_response(),
        "/huge.jpg" => huge(true),
        "/huge-chunked.jpg" => huge(false),
        "/slow.jpg" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            image_response("image/jpeg", face_jpeg())
        }
        _ => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// A file from tests/fixtures/media (videos and voice clips for BytePlus assets).
fn media(name: &str) -> Response {
    if name.contains('/') || name.contains("..") {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/media")
        .join(name);
    let content_type = match path.extension().and_then(|e| e.to_str()) {
        Some("mp4") => "video/mp4",
        Some("mov") => "video/quicktime",
        Some("mp3") => "audio/mpeg",
        Some("wav") => "audio/wav",
        _ => "application/octet-stream",
    };
    match std::fs::read(&path) {
        Ok(bytes) => ([(CONTENT_TYPE, content_type)], bytes).into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

fn image_response(content_type: &'static str, bytes: &'static [u8]) -> Response {
    ([(CONTENT_TYPE, content_type)], Bytes::from_static(bytes)).into_response()
}

/// 50 MB that starts like a JPEG, streamed from one shared 1 MiB block of zeros.
fn huge(with_length: bool) -> Response {
    static BLOCK: [u8; 1 << 20] = [0; 1 << 20];
    const HEADER: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    let blocks = (HUGE_BYTES - HEADER.len()) / BLOCK.len();
    let tail = HUGE_BYTES - HEADER.len() - blocks * BLOCK.len();
    let chunks = std::iter::once(Bytes::from_static(HEADER))
        .chain(std::iter::repeat_n(Bytes::from_static(&BLOCK), blocks))
        .chain(std::iter::once(Bytes::from_static(&BLOCK[..tail])))
        .map(Ok::<_, std::io::Error>);
    let body = Body::from_stream(futures_util::stream::iter(chunks));
    let mut response = ([(CONTENT_TYPE, "image/jpeg")], body).into_response();
    if with_length {
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HUGE_BYTES.to_string().parse().unwrap());
    }
    response
}

/// A real portrait (scikit-image's NASA astronaut photo, public domain; see
/// tests/fixtures/photos/README.md): the photo checks look for a real face, so a drawing would
/// be refused before any provider saw it.
pub fn face_image() -> RgbImage {
    static IMG: OnceLock<RgbImage> = OnceLock::new();
    IMG.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/photos/astronaut.jpg"
        );
        image::open(path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .to_rgb8()
    })
    .clone()
}

fn encoded(format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(face_image())
        .write_to(&mut out, format)
        .expect("encode face image");
    out.into_inner()
}

/// Two people side by side: passes every provider limit, fails the face count.
pub fn two_faces_jpeg() -> &'static [u8] {
    static IMG: OnceLock<Vec<u8>> = OnceLock::new();
    IMG.get_or_init(|| {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/photos/two_faces.jpg"
        ))
        .expect("two_faces.jpg fixture")
    })
}

/// `jpeg` grown to exactly `size` bytes by comment segments (`FF FE`) right after its start
/// marker: decoders skip them, so it is the same picture in a file of the size asked for.
pub fn padded_jpeg(jpeg: &[u8], size: usize) -> Vec<u8> {
    const MAX_SEGMENT: usize = 2 + 65_535;
    let mut left = size
        .checked_sub(jpeg.len())
        .expect("padding only grows a file");
    assert!(
        left == 0 || left >= 4,
        "a comment segment takes 4 bytes at least"
    );
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&jpeg[..2]);
    while left > 0 {
        let mut segment = left.min(MAX_SEGMENT);
        if (1..4).contains(&(left - segment)) {
            segment = left - 4;
        }
        let length = (segment - 2) as u16;
        out.extend_from_slice(&[0xFF, 0xFE]);
        out.extend_from_slice(&length.to_be_bytes());
        out.resize(out.len() + segment - 4, b' ');
        left -= segment;
    }
    out.extend_from_slice(&jpeg[2..]);
    assert_eq!(out.len(), size);
    out
}

pub fn face_jpeg() -> &'static [u8] {
    static IMG: OnceLock<Vec<u8>> = OnceLock::new();
    IMG.get_or_init(|| encoded(ImageFormat::Jpeg))
}

pub fn face_png() -> &'static [u8] {
    static IMG: OnceLock<Vec<u8>> = OnceLock::new();
    IMG.get_or_init(|| encoded(ImageFormat::Png))
}

pub fn face_webp() -> &'static [u8] {
    static IMG: OnceLock<Vec<u8>> = OnceLock::new();
    IMG.get_or_init(|| encoded(ImageFormat::WebP))
}

pub fn face_gif() -> &'static [u8] {
    static IMG: OnceLock<Vec<u8>> = OnceLock::new();
    IMG.get_or_init(|| encoded(ImageFormat::Gif))
}

/// Rehearsal's test configuration: loopback, [`TEST_API_KEY`], fetching through `photo_host`.
pub fn rehearsal_config(photo_host: &PhotoHost) -> RehearsalConfig {
    let mut config =
        RehearsalConfig::new("127.0.0.1:0".parse().unwrap(), "127.0.0.1", TEST_API_KEY);
    config.image_client = photo_host.client();
    config
}

pub async fn start_rehearsal(photo_host: &PhotoHost) -> RehearsalServer {
    start_rehearsal_with(rehearsal_config(photo_host)).await
}

pub async fn start_rehearsal_with(config: RehearsalConfig) -> RehearsalServer {
    RehearsalServer::start(config)
        .await
        .expect("start Rehearsal")
}

/// A loopback port nothing listens on (bound, then released).
pub fn unused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// Words that mean the operator is reading a transport or parser error, not a sentence.
pub const JARGON: [&str; 12] = [
    "reqwest",
    "hyper",
    "os error",
    "error sending request",
    "error decoding",
    "EOF while",
    "at line",
    "tcp",
    "ConnectionAborted",
    "connection reset",
    "panicked",
    "Internal",
];

/// The fault drills' fourth invariant: `words` are plain (no [`JARGON`], never the same
/// sentence twice) and say what to do next (one of `next_steps`).
pub fn assert_plain(words: &str, next_steps: &[&str]) {
    // Shown with --nocapture: the quotes in docs/RELIABILITY.md come from here.
    eprintln!("operator sees: {words}");
    let first = words.split(". ").next().unwrap_or_default();
    assert_eq!(
        words.matches(first).count(),
        1,
        "the same sentence twice: {words}"
    );
    for j in JARGON {
        assert!(
            !words.to_lowercase().contains(&j.to_lowercase()),
            "jargon {j:?} in what the operator sees: {words}"
        );
    }
    assert!(
        next_steps.iter().any(|n| words.contains(n)),
        "no next step ({next_steps:?}) in what the operator sees: {words}"
    );
}

/// Every path to a value in a JSON answer (`data.GroupId`, `Items[].Status`), so an answer can be
/// held to a documented example field for field, whatever the values. Array items merge under
/// `[]`; an empty array or object is a leaf, and so is a path in `opaque` (the docs elide it).
pub fn key_paths(v: &serde_json::Value, opaque: &[&str]) -> std::collections::BTreeSet<String> {
    fn walk(
        v: &serde_json::Value,
        at: String,
        opaque: &[&str],
        out: &mut std::collections::BTreeSet<String>,
    ) {
        match v {
            _ if opaque.contains(&at.as_str()) => {
                out.insert(at);
            }
            serde_json::Value::Object(map) if !map.is_empty() => {
                for (k, child) in map {
                    let path = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    walk(child, path, opaque, out);
                }
            }
            serde_json::Value::Array(items) if !items.is_empty() => {
                for item in items {
                    walk(item, format!("{at}[]"), opaque, out);
                }
            }
            _ => {
                out.insert(at);
            }
        }
    }
    let mut out = std::collections::BTreeSet::new();
    walk(v, String::new(), opaque, &mut out);
    out
}

/// A documented example answer, `tests/fixtures/<provider>/<name>.json` (copied from the seeds).
pub fn documented_example(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Holds a Rehearsal answer to the fields of the documented example: none missing, none
/// invented. Values are the caller's to check. BlockRun's docs show `next_steps` as `{ ... }`, so
/// what is inside it is nobody's contract.
pub fn assert_documented_fields(answer: &serde_json::Value, example: &str) {
    const ELIDED: &[&str] = &["next_steps"];
    let documented = key_paths(&documented_example(example), ELIDED);
    let sent = key_paths(answer, ELIDED);
    let missing: Vec<_> = documented.difference(&sent).collect();
    let invented: Vec<_> = sent.difference(&documented).collect();
    assert!(
        missing.is_empty() && invented.is_empty(),
        "{example}: missing {missing:?}, not documented {invented:?}\nanswer: {answer}"
    );
}

/// Opens a session and has the talent agree to the release in force under their own name, as
/// the talent view does: every flow test past the consent step starts here. The consent step
/// itself is tested in tests/library_consent.rs.
#[allow(async_fn_in_trait)]
pub trait StartAgreed {
    async fn start_agreed(
        &self,
        name: &str,
        image_url: Option<&str>,
        photo_override: bool,
    ) -> likeness::error::Result<likeness::flow::SessionView>;
}

impl StartAgreed for Arc<likeness::flow::Studio> {
    async fn start_agreed(
        &self,
        name: &str,
        image_url: Option<&str>,
        photo_override: bool,
    ) -> likeness::error::Result<likeness::flow::SessionView> {
        let view = self.start_session(name, image_url, photo_override).await?;
        let release = view
            .release
            .clone()
            .expect("a new session offers the release");
        self.give_consent(&view.session.id, name, &release.sha256)
            .await
    }
}
