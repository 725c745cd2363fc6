//! The video and audio checks against real files made with ffmpeg (tests/fixtures/media,
//! README.md there gives each file's command and what ffprobe says about it), and the download
//! rules against a local HTTPS server.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::StreamExt as _;
use likeness::error::ErrorCode;
use likeness::http::TrustRoots;
use likeness::media::{
    self, AssetType, MediaCheck, MediaCheckId, MediaCheckItem, MediaContainer, MediaLimits,
    ProbeError,
};
use likeness::photo::{self, Verdict};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/media/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn limits(t: AssetType) -> MediaLimits {
    MediaLimits::byteplus(t).unwrap()
}

fn examine(name: &str, t: AssetType) -> MediaCheck {
    media::examine_bytes(
        &format!("https://media.example/{name}"),
        &fixture(name),
        t,
        &limits(t),
    )
}

fn item(c: &MediaCheck, id: MediaCheckId) -> &MediaCheckItem {
    c.checks
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no {id:?} check in {:#?}", c.checks))
}

/// What ffprobe 5.1 reports (README.md): container, seconds, fps, size as shown.
type Expected = (
    &'static str,
    MediaContainer,
    f64,
    Option<f32>,
    Option<(u32, u32)>,
);

const FFPROBE: &[Expected] = &[
    (
        "ok-3s-25fps.mp4",
        MediaContainer::Mp4,
        3.0,
        Some(25.0),
        Some((240, 320)),
    ),
    (
        "ok-3s-25fps-faststart.mp4",
        MediaContainer::Mp4,
        3.0,
        Some(25.0),
        Some((240, 320)),
    ),
    (
        "ok-3s-25fps.mov",
        MediaContainer::Mov,
        3.0,
        Some(25.0),
        Some((240, 320)),
    ),
    (
        "long-20s.mp4",
        MediaContainer::Mp4,
        20.0,
        Some(25.0),
        Some((64, 96)),
    ),
    (
        "short-1s.mp4",
        MediaContainer::Mp4,
        1.0,
        Some(25.0),
        Some((240, 320)),
    ),
    (
        "slow-15fps.mp4",
        MediaContainer::Mp4,
        3.0,
        Some(15.0),
        Some((240, 320)),
    ),
    // Stored 320 × 80 with a 90° display matrix (ffprobe: rotation=90).
    (
        "rotated-90-4to1.mp4",
        MediaContainer::Mp4,
        3.0,
        Some(25.0),
        Some((80, 320)),
    ),
    (
        "fragmented-3s.mp4",
        MediaContainer::Mp4,
        3.0,
        Some(25.0),
        Some((240, 320)),
    ),
    (
        "talent-3s.mp4",
        MediaContainer::Mp4,
        3.0,
        Some(24.0),
        Some((320, 240)),
    ),
    ("tone-3s.m4a", MediaContainer::Mp4, 3.0, None, None),
    ("tone-3s-cbr.mp3", MediaContainer::Mp3, 3.168, None, None),
    ("tone-3s-vbr.mp3", MediaContainer::Mp3, 3.056327, None, None),
    ("long-20s.mp3", MediaContainer::Mp3, 20.16, None, None),
    ("tone-3s.wav", MediaContainer::Wav, 3.0, None, None),
];

#[test]
fn every_fixture_reads_as_ffprobe_reports_it() {
    for &(name, container, seconds, fps, size) in FFPROBE {
        let info = media::probe(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(info.container, container, "{name}");
        let ms = (seconds * 1000.0).round() as i64;
        assert!(
            (info.duration_ms as i64 - ms).abs() <= 50,
            "{name}: {} ms, ffprobe {ms} ms",
            info.duration_ms
        );
        match (info.fps, fps) {
            (Some(got), Some(want)) => assert!((got - want).abs() <= 0.5, "{name}: {got} fps"),
            (got, want) => assert_eq!(got, want, "{name}"),
        }
        assert_eq!(
            info.width_px.zip(info.height_px),
            size,
            "{name}: picture size as shown"
        );
    }
}

#[test]
fn good_videos_pass_every_check() {
    for (name, format) in [
        ("ok-3s-25fps.mp4", "MP4"),
        ("ok-3s-25fps-faststart.mp4", "MP4"),
        ("ok-3s-25fps.mov", "MOV (QuickTime)"),
        ("fragmented-3s.mp4", "MP4"),
        ("talent-3s.mp4", "MP4"),
    ] {
        let c = examine(name, AssetType::Video);
        assert_eq!(c.verdict(), Verdict::Pass, "{name}: {:#?}", c.checks);
        assert!(!c.has_failures() && c.refusal().is_none());
        let ids: Vec<MediaCheckId> = c.checks.iter().map(|i| i.id).collect();
        assert_eq!(
            ids,
            [
                MediaCheckId::Format,
                MediaCheckId::FileSize,
                MediaCheckId::Integrity,
                MediaCheckId::Duration,
                MediaCheckId::FrameRate,
                MediaCheckId::AspectRatio,
            ],
            "{name}"
        );
        assert_eq!(item(&c, MediaCheckId::Format).message, format);
        assert_eq!(item(&c, MediaCheckId::Duration).message, "3.0 s");
        assert_eq!(c.provider, "BytePlus");
        assert_eq!(c.size_bytes, fixture(name).len() as u64);
    }
    let talent = examine("talent-3s.mp4", AssetType::Video);
    assert_eq!(item(&talent, MediaCheckId::FrameRate).message, "24 fps");
    assert_eq!(
        item(&talent, MediaCheckId::AspectRatio).message,
        "320 × 240 px (1.33 : 1)"
    );
    assert_eq!(
        (
            talent.container,
            talent.duration_ms,
            talent.width_px,
            talent.height_px
        ),
        (Some(MediaContainer::Mp4), Some(3000), Some(320), Some(240))
    );
}

#[test]
fn good_audio_passes_every_check() {
    for (name, format, duration) in [
        ("tone-3s-cbr.mp3", "MP3", "3.2 s"),
        ("tone-3s-vbr.mp3", "MP3", "3.1 s"),
        ("tone-3s.wav", "WAV", "3.0 s"),
    ] {
        let c = examine(name, AssetType::Audio);
        assert_eq!(c.verdict(), Verdict::Pass, "{name}: {:#?}", c.checks);
        let ids: Vec<MediaCheckId> = c.checks.iter().map(|i| i.id).collect();
        assert_eq!(
            ids,
            [
                MediaCheckId::Format,
                MediaCheckId::FileSize,
                MediaCheckId::Integrity,
                MediaCheckId::Duration,
            ],
            "{name}: no frame rate or shape for sound"
        );
        assert_eq!(item(&c, MediaCheckId::Format).message, format);
        assert_eq!(item(&c, MediaCheckId::Duration).message, duration);
        assert_eq!((c.fps, c.width_px), (None, None));
    }
}

/// The one failed check, which must also be the refusal.
fn only_failure(c: &MediaCheck) -> &MediaCheckItem {
    let failed: Vec<&MediaCheckItem> = c
        .checks
        .iter()
        .filter(|i| i.verdict == Verdict::Fail)
        .collect();
    assert_eq!(failed.len(), 1, "{:#?}", c.checks);
    assert_eq!(c.refusal().map(|i| i.id), Some(failed[0].id));
    failed[0]
}

#[test]
fn too_long_and_too_short_fail_on_duration_naming_the_limit() {
    let long = examine("long-20s.mp4", AssetType::Video);
    let f = only_failure(&long);
    assert_eq!(f.id, MediaCheckId::Duration);
    assert_eq!(
        f.message,
        "The video is 20.0 s long; BytePlus takes 2–15 s. Trim it to 15 s or less."
    );
    let short = examine("short-1s.mp4", AssetType::Video);
    let f = only_failure(&short);
    assert_eq!(f.id, MediaCheckId::Duration);
    assert_eq!(
        f.message,
        "The video is only 1.0 s long; BytePlus takes 2–15 s. Use a longer clip, at least 2 s."
    );
    let long_mp3 = examine("long-20s.mp3", AssetType::Audio);
    let f = only_failure(&long_mp3);
    assert_eq!(f.id, MediaCheckId::Duration);
    assert_eq!(
        f.message,
        "The audio is 20.2 s long; BytePlus takes 2–15 s. Trim it to 15 s or less."
    );
    assert_eq!(long_mp3.duration_ms, Some(20_160));
}

#[test]
fn a_slow_clip_fails_on_frame_rate() {
    let c = examine("slow-15fps.mp4", AssetType::Video);
    let f = only_failure(&c);
    assert_eq!(f.id, MediaCheckId::FrameRate);
    assert_eq!(
        f.message,
        "The clip runs at 15 fps; BytePlus needs 24–60 fps. Export it at 25 or 30 fps."
    );
    assert_eq!(c.fps, Some(15.0));
}

#[test]
fn the_shape_is_judged_as_shown_after_the_display_matrix() {
    // Stored 320 × 80 (4 : 1, "too wide"); turned a quarter it shows 80 × 320 (1 : 4, "too
    // tall"). Saying "tall" proves the matrix was applied.
    let c = examine("rotated-90-4to1.mp4", AssetType::Video);
    let f = only_failure(&c);
    assert_eq!(f.id, MediaCheckId::AspectRatio);
    assert_eq!(
        f.message,
        "The picture is too tall and narrow (80 × 320 px as shown, 0.25 : 1 width to height); BytePlus takes 0.4 to 2.5. Crop it to a less narrow frame, such as 9:16 or 3:4."
    );
    assert_eq!((c.width_px, c.height_px), (Some(80), Some(320)));
}

#[test]
fn the_wrong_kind_of_file_fails_once_on_format() {
    let mp3_as_video = examine("tone-3s-cbr.mp3", AssetType::Video);
    let f = only_failure(&mp3_as_video);
    assert_eq!(f.id, MediaCheckId::Format);
    assert_eq!(
        f.message,
        "This is an MP3 file, but a video was chosen. Pick Audio, or give a video link."
    );
    // Only the format and the size: a length judged against the wrong limits would mislead.
    assert_eq!(mp3_as_video.checks.len(), 2);
    assert_eq!(mp3_as_video.container, Some(MediaContainer::Mp3));

    let mp4_as_audio = examine("ok-3s-25fps.mp4", AssetType::Audio);
    assert_eq!(
        only_failure(&mp4_as_audio).message,
        "This is an MP4 file, but audio was chosen. Pick Video, or give an audio link."
    );
    let wav_as_video = examine("tone-3s.wav", AssetType::Video);
    assert_eq!(
        only_failure(&wav_as_video).message,
        "This is a WAV file, but a video was chosen. Pick Audio, or give a video link."
    );

    // An MP4 box with sound only (M4A) is neither.
    let m4a_video = examine("tone-3s.m4a", AssetType::Video);
    let f = only_failure(&m4a_video);
    assert_eq!(f.id, MediaCheckId::Format);
    assert!(
        f.message
            .starts_with("This MP4 file holds sound only, no picture."),
        "{}",
        f.message
    );
    let m4a_audio = examine("tone-3s.m4a", AssetType::Audio);
    assert_eq!(
        only_failure(&m4a_audio).message,
        "This is sound in an MP4 box (an M4A file); BytePlus takes MP3 or WAV audio only. Convert it to MP3 and use that."
    );

    // A photo given as a video.
    let jpeg = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/photos/astronaut.jpg"
    ))
    .unwrap();
    let c = media::examine_bytes(
        "https://x/a.mp4",
        &jpeg,
        AssetType::Video,
        &limits(AssetType::Video),
    );
    assert_eq!(c.container, None);
    assert_eq!(
        only_failure(&c).message,
        "This is a JPEG image, but a video was chosen. Pick Image, or give a video link."
    );
}

#[test]
fn pages_garbage_and_empty_files_fail_without_an_error() {
    let video = limits(AssetType::Video);
    let page = media::examine_bytes(
        "https://x/watch",
        b"<!DOCTYPE html><html><body>player</body></html>",
        AssetType::Video,
        &video,
    );
    let f = only_failure(&page);
    assert_eq!(f.id, MediaCheckId::Format);
    assert_eq!(
        f.message,
        "That link leads to a web page, not the video itself. Open it, copy the address of the video (it usually ends in .mp4 or .mov), and paste that."
    );
    let garbage = media::examine_bytes(
        "https://x/g",
        &[7u8; 3000],
        AssetType::Audio,
        &limits(AssetType::Audio),
    );
    assert_eq!(
        only_failure(&garbage).message,
        "This file is not a video or audio file we can read. Give a link to an MP3 or WAV audio file."
    );
    let empty = media::examine_bytes("https://x/e", &[], AssetType::Video, &video);
    let f = only_failure(&empty);
    assert_eq!(f.id, MediaCheckId::Integrity);
    assert!(
        f.message.starts_with("The file is empty (0 bytes)."),
        "{}",
        f.message
    );
    assert_eq!(media::probe(&[]), Err(ProbeError::Empty));
}

#[test]
fn a_cut_short_video_is_recognised_then_refused_as_incomplete() {
    for name in [
        "ok-3s-25fps.mp4",
        "ok-3s-25fps-faststart.mp4",
        "tone-3s.wav",
    ] {
        let whole = fixture(name);
        let part = &whole[..whole.len() * 6 / 10];
        assert_eq!(media::probe(part), Err(ProbeError::Truncated), "{name}");
        let t = if name.ends_with(".wav") {
            AssetType::Audio
        } else {
            AssetType::Video
        };
        let c = media::examine_bytes("https://x/cut", part, t, &limits(t));
        assert_eq!(
            item(&c, MediaCheckId::Format).verdict,
            Verdict::Pass,
            "{name}"
        );
        let f = only_failure(&c);
        assert_eq!(f.id, MediaCheckId::Integrity);
        assert_eq!(
            f.message,
            "The file is cut short (it stops part-way), so BytePlus cannot use it. Download or export it again, and use the whole file."
        );
        assert_eq!(c.duration_ms, None);
    }
}

#[test]
fn the_check_serialises_in_camel_case_with_stable_ids() {
    let c = examine("slow-15fps.mp4", AssetType::Video);
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["assetType"], "video");
    assert_eq!(json["container"], "mp4");
    assert_eq!(json["durationMs"], 3000);
    assert_eq!(json["widthPx"], 240);
    assert_eq!(json["sizeBytes"], c.size_bytes);
    let rate = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "frame_rate")
        .unwrap();
    assert_eq!(rate["verdict"], "fail");
    assert_eq!(rate["label"], "Frame rate");
}

// --- fetching, against a local HTTPS server ---------------------------------------------

struct Host {
    addr: SocketAddr,
    cert_der: Vec<u8>,
    handle: axum_server::Handle<SocketAddr>,
    /// Bytes `/endless.mp4` has handed to the connection so far.
    streamed: Arc<AtomicUsize>,
}

impl Drop for Host {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

fn file(content_type: &'static str, name: &str) -> Response {
    ([(CONTENT_TYPE, content_type)], fixture(name)).into_response()
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
        let streamed = Arc::new(AtomicUsize::new(0));
        let counter = streamed.clone();
        let app = Router::new()
            .route(
                "/ok.mp4",
                get(|| async { file("video/mp4", "ok-3s-25fps.mp4") }),
            )
            .route(
                "/long.mp3",
                get(|| async { file("audio/mpeg", "long-20s.mp3") }),
            )
            .route(
                "/hop/{n}",
                get(|Path(n): Path<u32>| async move {
                    let next = if n <= 1 {
                        "/ok.mp4".to_string()
                    } else {
                        format!("/hop/{}", n - 1)
                    };
                    (StatusCode::FOUND, [(LOCATION, next)]).into_response()
                }),
            )
            .route(
                "/huge.mp4",
                get(|| async {
                    // Announces 60 MB and never sends a byte: only the header can refuse it.
                    let mut r = (
                        [(CONTENT_TYPE, "video/mp4")],
                        Body::from_stream(futures_util::stream::pending::<
                            Result<Bytes, std::io::Error>,
                        >()),
                    )
                        .into_response();
                    r.headers_mut()
                        .insert(CONTENT_LENGTH, "60000000".parse().unwrap());
                    r
                }),
            )
            .route(
                "/endless.mp4",
                get(move || {
                    let counter = counter.clone();
                    async move {
                        // No Content-Length and no end: the cap must stop the download.
                        let head = Bytes::from(fixture("ok-3s-25fps.mp4"));
                        let block = Bytes::from(vec![0u8; 64 * 1024]);
                        let chunks = futures_util::stream::iter(
                            std::iter::once(head).chain(std::iter::repeat(block)),
                        )
                        .map(move |b| {
                            counter.fetch_add(b.len(), Ordering::SeqCst);
                            Ok::<_, std::io::Error>(b)
                        });
                        ([(CONTENT_TYPE, "video/mp4")], Body::from_stream(chunks)).into_response()
                    }
                }),
            )
            .route(
                "/short.mp4",
                get(|| async {
                    // Announces the whole file, sends 60% of it, and ends.
                    let bytes = fixture("ok-3s-25fps.mp4");
                    let whole = bytes.len();
                    let part = Bytes::from(bytes[..whole * 6 / 10].to_vec());
                    let rest = futures_util::stream::once(async {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        Ok::<_, std::io::Error>(Bytes::new())
                    });
                    let body = Body::from_stream(futures_util::StreamExt::chain(
                        futures_util::stream::iter([Ok::<_, std::io::Error>(part)]),
                        rest,
                    ));
                    let mut r = ([(CONTENT_TYPE, "video/mp4")], body).into_response();
                    r.headers_mut()
                        .insert(CONTENT_LENGTH, whole.to_string().parse().unwrap());
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
            streamed,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.addr.port())
    }

    fn client(&self) -> reqwest::Client {
        photo::client(&TrustRoots(vec![self.cert_der.clone()])).unwrap()
    }
}

#[tokio::test]
async fn fetches_over_https_and_checks_the_file() {
    let host = Host::start().await;
    let http = host.client();
    let video = limits(AssetType::Video);
    let c = media::examine(&http, &host.url("/ok.mp4"), AssetType::Video, &video)
        .await
        .unwrap();
    assert_eq!(c.verdict(), Verdict::Pass, "{:#?}", c.checks);
    assert_eq!(c.url, host.url("/ok.mp4"));
    assert_eq!(c.size_bytes, fixture("ok-3s-25fps.mp4").len() as u64);
    // Three redirects are followed (the link as given is kept), a fourth is refused.
    let c = media::examine(&http, &host.url("/hop/3"), AssetType::Video, &video)
        .await
        .unwrap();
    assert_eq!((c.url, c.duration_ms), (host.url("/hop/3"), Some(3000)));
    let e = media::examine(&http, &host.url("/hop/4"), AssetType::Video, &video)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("The video link forwards to another address more than 3 times"),
        "{e}"
    );
    // A file that fails a limit is a checklist, not an error.
    let audio = limits(AssetType::Audio);
    let c = media::examine(&http, &host.url("/long.mp3"), AssetType::Audio, &audio)
        .await
        .unwrap();
    assert_eq!(c.refusal().unwrap().id, MediaCheckId::Duration);
}

#[tokio::test]
async fn an_oversize_file_is_refused_from_its_content_length_without_downloading() {
    let host = Host::start().await;
    let started = Instant::now();
    let e = media::examine(
        &host.client(),
        &host.url("/huge.mp4"),
        AssetType::Video,
        &limits(AssetType::Video),
    )
    .await
    .unwrap_err();
    // The body never comes: only the header could have refused it, and at once.
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert_eq!(e.field(), Some("url"));
    assert_eq!(
        e.to_string(),
        "The video is larger than the 50 MB BytePlus accepts (this one is 60.0 MB). Trim it, or export it at a lower quality."
    );
}

#[tokio::test]
async fn an_endless_download_stops_one_byte_past_the_cap() {
    let host = Host::start().await;
    let tight = MediaLimits {
        max_bytes: 100_000,
        ..limits(AssetType::Video)
    };
    let e = media::examine(
        &host.client(),
        &host.url("/endless.mp4"),
        AssetType::Video,
        &tight,
    )
    .await
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "The video is larger than the 0.1 MB BytePlus accepts. Trim it, or export it at a lower quality."
    );
    // Whatever the socket buffers held, nowhere near an endless amount was sent.
    let sent = host.streamed.load(Ordering::SeqCst);
    assert!(sent < 16 * 1024 * 1024, "{sent} bytes streamed");
}

#[tokio::test]
async fn links_and_downloads_that_go_wrong_say_so_in_the_files_words() {
    let host = Host::start().await;
    let http = host.client();
    let video = limits(AssetType::Video);
    let e = media::examine(&http, "http://localhost:1/a.mp4", AssetType::Video, &video)
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("url"));
    assert!(
        e.to_string()
            .starts_with("The video link must start with https://"),
        "{e}"
    );
    let e = media::examine(&http, "  ", AssetType::Audio, &limits(AssetType::Audio))
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "Paste the link to the audio file.");
    let e = media::examine(&http, &host.url("/nope.mp4"), AssetType::Video, &video)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "The video link leads to a 'not found' page (404). Copy the link again from the page that shows the video."
    );
    let e = media::examine(&http, &host.url("/short.mp4"), AssetType::Video, &video)
        .await
        .unwrap_err();
    assert!(
        e.to_string().starts_with("The download was cut short")
            && e.to_string().contains("so the video is incomplete"),
        "{e}"
    );
}

#[test]
#[ignore = "prints what the parser reads: cargo test --test media_checks -- --ignored --nocapture"]
fn figures_table() {
    for &(name, ..) in FFPROBE {
        let bytes = fixture(name);
        let info = media::probe(&bytes).unwrap();
        let t = if info.container.asset_type() == AssetType::Audio {
            AssetType::Audio
        } else {
            AssetType::Video
        };
        let c = media::examine_bytes(name, &bytes, t, &limits(t));
        let verdicts: Vec<String> = c
            .checks
            .iter()
            .map(|i| format!("{}={}", i.id.as_str(), i.verdict.as_str()))
            .collect();
        eprintln!(
            "{name:28} {:?} {:6} ms {:>6} fps {:?} [{}]",
            info.container,
            info.duration_ms,
            info.fps.map_or("-".to_string(), |f| format!("{f:.3}")),
            info.width_px.zip(info.height_px),
            verdicts.join(" ")
        );
    }
}
