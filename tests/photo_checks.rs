//! The photo checks against the labelled set in tests/fixtures/photos (README.md there says
//! where each photo comes from), and the download rules against a local HTTPS server.

use std::io::Cursor;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use likeness::http::TrustRoots;
mod common;

use likeness::photo::{
    self, CheckId, FetchProgress, PhotoCheck, PhotoFormat, PhotoLimits, Verdict,
};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/photos/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn examine(name: &str, limits: &PhotoLimits) -> PhotoCheck {
    photo::examine_bytes(
        &format!("https://photos.example/{name}"),
        &fixture(name),
        limits,
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn item(c: &PhotoCheck, id: CheckId) -> &photo::PhotoCheckItem {
    c.checks
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no {id:?} check in {:#?}", c.checks))
}

/// What a photo should get: `Ok` never fails, `Soft` warns at least, `Bad` fails.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Label {
    Ok,
    Soft,
    Bad,
}

/// The labelled set: (file, label with BlockRun's limits, label with BytePlus's limits).
const LABELS: &[(&str, Label, Label)] = &[
    ("astronaut.jpg", Label::Ok, Label::Ok),
    ("astronaut.webp", Label::Ok, Label::Ok),
    ("astronaut.gif", Label::Bad, Label::Ok),
    ("good_1200.jpg", Label::Ok, Label::Ok),
    ("good_crop.jpg", Label::Ok, Label::Ok),
    ("good_dark.jpg", Label::Ok, Label::Ok),
    ("good_q50.jpg", Label::Ok, Label::Ok),
    ("exif_rotated.jpg", Label::Ok, Label::Ok),
    ("wide.jpg", Label::Ok, Label::Bad),
    ("camera.jpg", Label::Soft, Label::Soft),
    ("blur_soft.jpg", Label::Soft, Label::Soft),
    ("blur_heavy.jpg", Label::Bad, Label::Bad),
    ("two_faces.jpg", Label::Bad, Label::Bad),
    ("two_people.jpg", Label::Bad, Label::Bad),
    ("group.jpg", Label::Bad, Label::Bad),
    ("cat.jpg", Label::Bad, Label::Bad),
    ("coffee.jpg", Label::Bad, Label::Bad),
    ("rocket.jpg", Label::Bad, Label::Bad),
    ("sideways.jpg", Label::Bad, Label::Bad),
    ("small_face.jpg", Label::Bad, Label::Bad),
    ("tiny.jpg", Label::Bad, Label::Bad),
    ("truncated.jpg", Label::Bad, Label::Bad),
    ("heic_named.jpg", Label::Bad, Label::Soft),
];

/// (false passes, false fails, mismatches): a false pass is a Bad photo that did not fail (or a
/// Soft one that passed clean); a false fail is an Ok photo that failed (or a Soft one).
fn score(
    limits: &PhotoLimits,
    pick: fn(&(&str, Label, Label)) -> Label,
) -> (usize, usize, Vec<String>) {
    let (mut false_pass, mut false_fail, mut wrong) = (0, 0, Vec::new());
    for row in LABELS {
        let c = examine(row.0, limits);
        let v = c.verdict();
        let label = pick(row);
        let (fp, ff) = match label {
            Label::Ok => (false, v == Verdict::Fail),
            Label::Soft => (v == Verdict::Pass, v == Verdict::Fail),
            Label::Bad => (v != Verdict::Fail, false),
        };
        if fp || ff {
            wrong.push(format!("{} ({label:?}) got {v:?}: {:?}", row.0, c.checks));
        }
        false_pass += fp as usize;
        false_fail += ff as usize;
    }
    (false_pass, false_fail, wrong)
}

#[test]
fn labelled_set_with_blockrun_limits_has_no_false_pass_or_fail() {
    let (fp, ff, wrong) = score(&PhotoLimits::blockrun(), |r| r.1);
    assert_eq!((fp, ff), (0, 0), "{wrong:#?}");
}

#[test]
fn labelled_set_with_byteplus_limits_has_no_false_pass_or_fail() {
    let (fp, ff, wrong) = score(&PhotoLimits::byteplus(), |r| r.2);
    assert_eq!((fp, ff), (0, 0), "{wrong:#?}");
}

#[test]
fn one_clear_face_passes_every_check_with_a_preview() {
    let c = examine("good_1200.jpg", &PhotoLimits::blockrun());
    assert_eq!(c.verdict(), Verdict::Pass, "{:#?}", c.checks);
    assert!(!c.has_failures());
    assert_eq!(c.faces.len(), 1);
    assert_eq!(item(&c, CheckId::FaceCount).message, "One face found.");
    let thumb = base64::engine::general_purpose::STANDARD
        .decode(c.thumbnail.strip_prefix("data:image/jpeg;base64,").unwrap())
        .unwrap();
    let t = image::load_from_memory(&thumb).unwrap();
    assert_eq!((t.width(), t.height()), (256, 256));
}

#[test]
fn two_faces_fail_with_advice_to_crop_and_can_be_overridden() {
    for name in ["two_faces.jpg", "two_people.jpg"] {
        let c = examine(name, &PhotoLimits::blockrun());
        let faces = item(&c, CheckId::FaceCount);
        assert_eq!(faces.verdict, Verdict::Fail);
        assert_eq!(
            faces.message,
            "Two faces found: crop the photo to the talent alone."
        );
        assert!(faces.overridable);
        assert!(c.can_override() && c.refusal().is_none());
        assert_eq!(c.failed_ids(), vec![CheckId::FaceCount]);
    }
    let group = examine("group.jpg", &PhotoLimits::blockrun());
    assert_eq!(item(&group, CheckId::FaceCount).verdict, Verdict::Fail);
    assert!(group.faces.len() >= 5, "{}", group.faces.len());
}

#[test]
fn a_cat_and_photos_without_a_face_fail() {
    for name in ["cat.jpg", "coffee.jpg", "rocket.jpg"] {
        let c = examine(name, &PhotoLimits::blockrun());
        let faces = item(&c, CheckId::FaceCount);
        assert_eq!(faces.verdict, Verdict::Fail, "{name}");
        assert!(
            faces.message.starts_with("No face found."),
            "{name}: {}",
            faces.message
        );
        assert!(c.faces.is_empty());
        // Nothing to measure, so no face size or sharpness lines.
        assert!(!c.checks.iter().any(|i| i.id == CheckId::Sharpness));
    }
}

#[test]
fn blur_warns_when_soft_and_fails_when_heavy() {
    let soft = examine("blur_soft.jpg", &PhotoLimits::blockrun());
    assert_eq!(item(&soft, CheckId::Sharpness).verdict, Verdict::Warn);
    assert!(item(&soft, CheckId::Sharpness).message.contains("soft"));
    let heavy = examine("blur_heavy.jpg", &PhotoLimits::blockrun());
    let s = item(&heavy, CheckId::Sharpness);
    assert_eq!(s.verdict, Verdict::Fail);
    assert!(
        s.message.contains("blurry") && s.message.contains("in-focus"),
        "{}",
        s.message
    );
    let sharp = examine("astronaut.jpg", &PhotoLimits::blockrun());
    assert_eq!(item(&sharp, CheckId::Sharpness).verdict, Verdict::Pass);
}

#[test]
fn heic_named_jpg_is_reported_as_heic() {
    let blockrun = examine("heic_named.jpg", &PhotoLimits::blockrun());
    assert_eq!(blockrun.format, PhotoFormat::Heic);
    let format = item(&blockrun, CheckId::Format);
    assert_eq!(format.verdict, Verdict::Fail);
    assert!(!format.overridable);
    assert!(
        format
            .message
            .contains("This is a HEIC photo (its name says JPEG, but the file inside is HEIC)"),
        "{}",
        format.message
    );
    assert!(!blockrun.can_override());
    // The strict call (what Studio uses) refuses it with the same words.
    let e = photo::inspect(
        "https://photos.example/heic_named.jpg",
        &fixture("heic_named.jpg"),
    )
    .unwrap_err();
    assert!(e.to_string().contains("HEIC"), "{e}");

    // BytePlus takes HEIC; the face cannot be looked at here, which is said, not hidden.
    let byteplus = examine("heic_named.jpg", &PhotoLimits::byteplus());
    assert_eq!(item(&byteplus, CheckId::Format).verdict, Verdict::Pass);
    assert_eq!((byteplus.width_px, byteplus.height_px), (512, 512));
    let faces = item(&byteplus, CheckId::FaceCount);
    assert_eq!(faces.verdict, Verdict::Warn);
    assert!(
        faces.message.contains("Convert it to JPG"),
        "{}",
        faces.message
    );
    assert!(byteplus.thumbnail.is_empty());
}

#[test]
fn a_truncated_jpeg_is_damaged_and_refused() {
    let c = examine("truncated.jpg", &PhotoLimits::blockrun());
    let integrity = item(&c, CheckId::Integrity);
    assert_eq!(integrity.verdict, Verdict::Fail);
    assert!(integrity.message.contains("damaged or incomplete"));
    assert!(c.thumbnail.is_empty(), "no preview of half a face");
    let e = photo::inspect("https://x/t.jpg", &fixture("truncated.jpg")).unwrap_err();
    assert!(e.to_string().contains("damaged"), "{e}");
}

#[test]
fn too_small_photos_fail_on_pixels_or_face_size() {
    let byteplus = examine("tiny.jpg", &PhotoLimits::byteplus());
    let dims = item(&byteplus, CheckId::Dimensions);
    assert_eq!(dims.verdict, Verdict::Fail);
    assert!(
        dims.message.contains("only 200 × 200 px") && dims.message.contains("at least 300 px"),
        "{}",
        dims.message
    );
    // BlockRun documents no pixel minimum; the face is still too small to match.
    let blockrun = examine("tiny.jpg", &PhotoLimits::blockrun());
    assert_eq!(item(&blockrun, CheckId::Dimensions).verdict, Verdict::Pass);
    let size = item(&blockrun, CheckId::FaceSize);
    assert_eq!(size.verdict, Verdict::Fail);
    assert!(size.message.contains("too small") && size.message.contains("closer photo"));
}

#[test]
fn a_bad_aspect_ratio_fails_where_documented() {
    let c = examine("wide.jpg", &PhotoLimits::byteplus());
    let shape = item(&c, CheckId::AspectRatio);
    assert_eq!(shape.verdict, Verdict::Fail);
    assert!(
        shape.message.contains("too wide (3.00 : 1") && shape.message.contains("0.4 to 2.5"),
        "{}",
        shape.message
    );
    assert!(c.refusal().unwrap().message.contains("too wide"));
    let blockrun = examine("wide.jpg", &PhotoLimits::blockrun());
    assert!(!blockrun.checks.iter().any(|i| i.id == CheckId::AspectRatio));
}

#[test]
fn too_many_pixels_and_too_many_bytes_fail() {
    // A flat 6100 × 2500 PNG: small in bytes, too many pixels for BytePlus.
    let img = image::RgbImage::from_pixel(6100, 2500, image::Rgb([90, 100, 110]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let c = photo::examine_bytes("https://x/big.png", &png, &PhotoLimits::byteplus()).unwrap();
    let dims = item(&c, CheckId::Dimensions);
    assert_eq!(dims.verdict, Verdict::Fail);
    assert!(dims.message.contains("at most 6000 px"), "{}", dims.message);

    let tight = PhotoLimits {
        max_bytes: 50_000,
        ..PhotoLimits::blockrun()
    };
    let c = examine("astronaut.jpg", &tight);
    let size = item(&c, CheckId::FileSize);
    assert_eq!(size.verdict, Verdict::Fail);
    assert!(
        size.message.contains("The file is 85 KB"),
        "{}",
        size.message
    );
}

#[test]
fn the_10_mb_cap_is_ten_million_bytes_not_10_mib() {
    // "≤ 10 MB" read strictly: the same photo at exactly 10,000,000 bytes passes, one byte more
    // fails (read as 10 MiB, both would pass, and BlockRun could refuse the second).
    let face = fixture("astronaut.jpg");
    let limits = PhotoLimits::blockrun();
    let at_cap = common::padded_jpeg(&face, 10_000_000);
    let c = photo::examine_bytes("https://x/at-cap.jpg", &at_cap, &limits).unwrap();
    assert_eq!(item(&c, CheckId::FileSize).verdict, Verdict::Pass);
    assert_eq!(c.faces.len(), 1, "still the same picture: {:#?}", c.checks);

    let over = common::padded_jpeg(&face, 10_000_001);
    let c = photo::examine_bytes("https://x/over.jpg", &over, &limits).unwrap();
    let size = item(&c, CheckId::FileSize);
    assert_eq!(size.verdict, Verdict::Fail);
    assert!(
        size.message
            .contains("The file is 10,000,001 bytes; BlockRun accepts up to 10 MB."),
        "{}",
        size.message
    );
}

#[test]
fn exif_orientation_is_applied_before_any_analysis() {
    // Stored 512 × 400 (turned a quarter), tagged "turn right to show": 400 × 512 upright.
    let c = examine("exif_rotated.jpg", &PhotoLimits::blockrun());
    assert_eq!((c.width_px, c.height_px), (400, 512));
    assert_eq!(c.faces.len(), 1, "{:#?}", c.checks);
    assert_eq!(c.verdict(), Verdict::Pass, "{:#?}", c.checks);
    // The face is in the upper half of the upright photo, near the middle.
    let f = c.faces[0];
    assert!(
        f.y + f.height < 0.5 && (0.2..0.8).contains(&(f.x + f.width / 2.0)),
        "{f:?}"
    );
    let thumb = base64::engine::general_purpose::STANDARD
        .decode(c.thumbnail.strip_prefix("data:image/jpeg;base64,").unwrap())
        .unwrap();
    let t = image::load_from_memory(&thumb).unwrap();
    assert_eq!(
        (t.width(), t.height()),
        (200, 256),
        "the preview is upright"
    );

    // The same pixels with no tag are sideways, and the advice says so.
    let sideways = examine("sideways.jpg", &PhotoLimits::blockrun());
    let faces = item(&sideways, CheckId::FaceCount);
    assert_eq!(faces.verdict, Verdict::Fail);
    assert!(faces.message.contains("sideways"), "{}", faces.message);
}

#[test]
fn dimensions_come_from_the_header_without_decoding() {
    let jpeg = fixture("good_1200.jpg");
    assert_eq!(
        photo::sniff(&jpeg).unwrap(),
        (PhotoFormat::Jpeg, 1200, 1200)
    );
    assert_eq!(
        photo::sniff(&fixture("heic_named.jpg")).unwrap().0,
        PhotoFormat::Heic
    );
    // The header is enough: the first 2 KB of a JPEG give its size.
    assert_eq!(photo::sniff(&jpeg[..2048]).unwrap().1, 1200);
}

// --- fetching, against a local HTTPS server ---------------------------------------------

struct Host {
    addr: SocketAddr,
    cert_der: Vec<u8>,
    handle: axum_server::Handle<SocketAddr>,
}

impl Drop for Host {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

impl Host {
    async fn start() -> Host {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let cert_der = certified.cert.der().to_vec();
        let tls = axum_server::tls_rustls::RustlsConfig::from_der(
            vec![cert_der.clone()],
            certified.signing_key.serialize_der(),
        )
        .await
        .unwrap();
        let app = Router::new()
            .route(
                "/face.jpg",
                get(|| async { jpeg(fixture("good_1200.jpg")) }),
            )
            .route(
                "/hop/{n}",
                get(|Path(n): Path<u32>| async move {
                    let next = if n <= 1 {
                        "/face.jpg".to_string()
                    } else {
                        format!("/hop/{}", n - 1)
                    };
                    (StatusCode::FOUND, [(LOCATION, next)]).into_response()
                }),
            )
            .route(
                "/to-http",
                get(|| async {
                    (StatusCode::FOUND, [(LOCATION, "http://localhost/face.jpg")]).into_response()
                }),
            )
            .route(
                "/short.jpg",
                get(|| async {
                    // Announces the whole file, sends 60% of it, and ends.
                    let bytes = fixture("good_1200.jpg");
                    let whole = bytes.len();
                    let part = Bytes::from(bytes[..whole * 6 / 10].to_vec());
                    // The first part goes out before the body ends early.
                    let rest = futures_util::stream::once(async {
                        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                        Ok::<_, std::io::Error>(Bytes::new())
                    });
                    let body = Body::from_stream(futures_util::StreamExt::chain(
                        futures_util::stream::iter([Ok::<_, std::io::Error>(part)]),
                        rest,
                    ));
                    let mut r = ([(CONTENT_TYPE, "image/jpeg")], body).into_response();
                    r.headers_mut()
                        .insert(CONTENT_LENGTH, whole.to_string().parse().unwrap());
                    r
                }),
            )
            .route(
                "/huge.jpg",
                get(|| async {
                    let mut r = (
                        [(CONTENT_TYPE, "image/jpeg")],
                        Body::from_stream(futures_util::stream::pending::<
                            Result<Bytes, std::io::Error>,
                        >()),
                    )
                        .into_response();
                    r.headers_mut().insert(
                        CONTENT_LENGTH,
                        (12 * 1024 * 1024).to_string().parse().unwrap(),
                    );
                    r
                }),
            );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = axum_server::Handle::new();
        let server = axum_server::tls_rustls::from_tcp_rustls(listener, tls)
            .unwrap()
            .handle(handle.clone());
        tokio::spawn(async move {
            let _ = server.serve(app.into_make_service()).await;
        });
        Host {
            addr,
            cert_der,
            handle,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.addr.port())
    }

    fn client(&self) -> reqwest::Client {
        photo::client(&TrustRoots(vec![self.cert_der.clone()])).unwrap()
    }
}

fn jpeg(bytes: Vec<u8>) -> Response {
    ([(CONTENT_TYPE, "image/jpeg")], bytes).into_response()
}

#[tokio::test]
async fn fetches_over_https_with_progress_and_checks_the_photo() {
    let host = Host::start().await;
    let seen: Arc<Mutex<Vec<FetchProgress>>> = Arc::default();
    let log = seen.clone();
    let on_progress = move |p: FetchProgress| log.lock().unwrap().push(p);
    let c = photo::examine(
        &host.client(),
        &host.url("/face.jpg"),
        &PhotoLimits::blockrun(),
        Some(&on_progress),
    )
    .await
    .unwrap();
    assert_eq!(c.verdict(), Verdict::Pass, "{:#?}", c.checks);
    assert!(c.thumbnail.starts_with("data:image/jpeg;base64,"));
    let seen = seen.lock().unwrap();
    let size = fixture("good_1200.jpg").len() as u32;
    assert_eq!(seen.first().unwrap().received_bytes, 0);
    assert_eq!(
        *seen.last().unwrap(),
        FetchProgress {
            received_bytes: size,
            total_bytes: Some(size)
        }
    );
    assert!(seen.len() >= 3, "{seen:?}");
    assert!(seen
        .windows(2)
        .all(|w| w[0].received_bytes < w[1].received_bytes));
}

#[tokio::test]
async fn plain_http_is_refused_before_any_request() {
    let e = photo::check(&reqwest::Client::new(), "http://localhost:1/face.jpg")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("must start with https://"), "{e}");
}

#[tokio::test]
async fn three_redirects_are_followed_and_a_fourth_is_refused() {
    let host = Host::start().await;
    let http = host.client();
    let ok = photo::check(&http, &host.url("/hop/3")).await.unwrap();
    assert_eq!(
        ok.url,
        host.url("/hop/3"),
        "the link as given is what is kept"
    );
    let e = photo::check(&http, &host.url("/hop/4")).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("forwards to another address more than 3 times"),
        "{e}"
    );
    let e = photo::check(&http, &host.url("/to-http"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("plain http://"), "{e}");
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_is_refused() {
    let host = Host::start().await;
    let e = photo::check(&host.client(), &host.url("/short.jpg"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("The download was cut short"), "{e}");
}

#[tokio::test]
async fn the_providers_size_cap_applies_before_downloading() {
    let host = Host::start().await;
    let e = photo::check(&host.client(), &host.url("/huge.jpg"))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("larger than the 10 MB BlockRun accepts"),
        "{e}"
    );
    // 12 MB is under BytePlus's 30 MB, so the download starts (and this one never ends).
    let slow = PhotoLimits {
        fetch_timeout: std::time::Duration::from_millis(300),
        ..PhotoLimits::byteplus()
    };
    let e = photo::check_for(&host.client(), &host.url("/huge.jpg"), &slow)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("took longer than"), "{e}");
}

#[tokio::test]
async fn a_missing_photo_says_404() {
    let host = Host::start().await;
    let e = photo::check(&host.client(), &host.url("/nope.jpg"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("404"), "{e}");
}

#[test]
#[ignore = "prints the calibration table: cargo test --release --test photo_checks -- --ignored --nocapture"]
fn calibration_table() {
    for limits in [PhotoLimits::blockrun(), PhotoLimits::byteplus()] {
        eprintln!("== {} limits", limits.provider);
        for (name, ..) in LABELS {
            let t = std::time::Instant::now();
            let c = examine(name, &limits);
            let faces: Vec<String> = c
                .faces
                .iter()
                .map(|f| {
                    format!(
                        "w{:.0}% sharp {:.0} score {:.1}",
                        f.width * 100.0,
                        f.sharpness,
                        f.score
                    )
                })
                .collect();
            let verdicts: Vec<String> = c
                .checks
                .iter()
                .map(|i| format!("{}={}", i.id.as_str(), i.verdict.as_str()))
                .collect();
            eprintln!(
                "{name:18} {:4} ms {:5} {} [{}]",
                t.elapsed().as_millis(),
                c.verdict().as_str(),
                verdicts.join(" "),
                faces.join("; ")
            );
        }
    }
}
