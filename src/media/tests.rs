//! Hand-built files for the edge cases the fixtures do not reach, and hostile input: probing
//! must refuse, never panic or trust a count. The figures from real files are in
//! tests/media_checks.rs.

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/media/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const FIXTURES: &[&str] = &[
    "ok-3s-25fps.mp4",
    "ok-3s-25fps-faststart.mp4",
    "ok-3s-25fps.mov",
    "long-20s.mp4",
    "short-1s.mp4",
    "slow-15fps.mp4",
    "rotated-90-4to1.mp4",
    "fragmented-3s.mp4",
    "talent-3s.mp4",
    "tone-3s.m4a",
    "tone-3s-cbr.mp3",
    "tone-3s-vbr.mp3",
    "long-20s.mp3",
    "tone-3s.wav",
];

/// A box: size, type, body.
fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

fn be32(v: u32) -> [u8; 4] {
    v.to_be_bytes()
}

/// `mvhd`/`mdhd` version 0 or 1 with a timescale and duration (the rest zero).
fn time_header(kind: &[u8; 4], version: u8, scale: u32, duration: u64, tail: usize) -> Vec<u8> {
    let mut b = vec![version, 0, 0, 0];
    if version == 0 {
        b.extend_from_slice(&[0; 8]);
        b.extend_from_slice(&be32(scale));
        b.extend_from_slice(&be32(duration as u32));
    } else {
        b.extend_from_slice(&[0; 16]);
        b.extend_from_slice(&be32(scale));
        b.extend_from_slice(&duration.to_be_bytes());
    }
    b.extend_from_slice(&vec![0; tail]);
    bx(kind, &b)
}

const IDENTITY: [i32; 9] = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x4000_0000];
const TURN_270: [i32; 9] = [0, -0x10000, 0, 0x10000, 0, 0, 0, 0, 0x4000_0000];

fn tkhd(version: u8, id: u32, matrix: [i32; 9], w: u32, h: u32) -> Vec<u8> {
    let mut b = vec![version, 0, 0, 3];
    if version == 0 {
        b.extend_from_slice(&[0; 8]);
        b.extend_from_slice(&be32(id));
        b.extend_from_slice(&[0; 8]);
    } else {
        b.extend_from_slice(&[0; 16]);
        b.extend_from_slice(&be32(id));
        b.extend_from_slice(&[0; 12]);
    }
    b.extend_from_slice(&[0; 16]);
    for m in matrix {
        b.extend_from_slice(&m.to_be_bytes());
    }
    b.extend_from_slice(&be32(w << 16));
    b.extend_from_slice(&be32(h << 16));
    bx(b"tkhd", &b)
}

fn hdlr(handler: &[u8; 4]) -> Vec<u8> {
    let mut b = vec![0; 8];
    b.extend_from_slice(handler);
    b.extend_from_slice(&[0; 13]);
    bx(b"hdlr", &b)
}

fn stts(entries: &[(u32, u32)]) -> Vec<u8> {
    let mut b = vec![0; 4];
    b.extend_from_slice(&be32(entries.len() as u32));
    for (n, d) in entries {
        b.extend_from_slice(&be32(*n));
        b.extend_from_slice(&be32(*d));
    }
    bx(b"stts", &b)
}

/// A 'vide' or 'soun' track: `frames` samples of `delta` in a `scale` timescale.
fn trak(
    handler: &[u8; 4],
    tkhd_box: Vec<u8>,
    scale: u32,
    frames: u32,
    delta: u32,
    version: u8,
) -> Vec<u8> {
    let stbl = bx(b"stbl", &stts(&[(frames, delta)]));
    let minf = bx(b"minf", &stbl);
    let mdia = bx(
        b"mdia",
        &cat(&[
            time_header(b"mdhd", version, scale, u64::from(frames * delta), 4),
            hdlr(handler),
            minf,
        ]),
    );
    bx(b"trak", &cat(&[tkhd_box, mdia]))
}

fn ftyp(brand: &[u8; 4]) -> Vec<u8> {
    let mut b = brand.to_vec();
    b.extend_from_slice(&[0, 0, 2, 0]);
    b.extend_from_slice(b"isomiso2mp41");
    bx(b"ftyp", &b)
}

/// 3 s at 25 fps, 640 × 360, moov after mdat (as ffmpeg writes by default).
fn small_mp4(version: u8) -> Vec<u8> {
    let moov = bx(
        b"moov",
        &cat(&[
            time_header(b"mvhd", version, 1000, 3000, 80),
            trak(
                b"vide",
                tkhd(version, 1, IDENTITY, 640, 360),
                12800,
                75,
                512,
                version,
            ),
            trak(
                b"soun",
                tkhd(version, 2, IDENTITY, 0, 0),
                48000,
                141,
                1024,
                version,
            ),
        ]),
    );
    cat(&[ftyp(b"isom"), bx(b"mdat", &[0x55; 300]), moov])
}

#[test]
fn asset_types_parse_and_name_themselves() {
    for t in [AssetType::Image, AssetType::Video, AssetType::Audio] {
        assert_eq!(AssetType::parse(t.as_str()), Some(t));
        assert_eq!(AssetType::parse(&format!("  {}\n", t.label())), Some(t));
        assert_eq!(
            serde_json::to_value(t).unwrap(),
            serde_json::json!(t.as_str())
        );
        assert_eq!(
            serde_json::from_value::<AssetType>(serde_json::json!(t.as_str())).unwrap(),
            t
        );
    }
    assert_eq!(AssetType::parse("VIDEO"), Some(AssetType::Video));
    assert_eq!(AssetType::Audio.label(), "Audio");
    assert_eq!(AssetType::parse("movie"), None);
    assert_eq!(AssetType::parse(""), None);
    assert_eq!(
        serde_json::to_value(MediaContainer::Mov).unwrap(),
        serde_json::json!("mov")
    );
    for id in [
        MediaCheckId::Format,
        MediaCheckId::FileSize,
        MediaCheckId::Duration,
        MediaCheckId::FrameRate,
        MediaCheckId::AspectRatio,
        MediaCheckId::Integrity,
    ] {
        assert_eq!(
            serde_json::to_value(id).unwrap(),
            serde_json::json!(id.as_str())
        );
    }
}

#[test]
fn byteplus_limits_are_the_documented_ones() {
    assert_eq!(MediaLimits::byteplus(AssetType::Image), None);
    let v = MediaLimits::byteplus(AssetType::Video).unwrap();
    assert_eq!(v.provider, "BytePlus");
    assert_eq!(v.max_bytes, 50_000_000);
    assert_eq!((v.min_duration_ms, v.max_duration_ms), (2_000, 15_000));
    assert_eq!((v.min_fps, v.max_fps), (Some(24.0), Some(60.0)));
    assert_eq!((v.min_ratio, v.max_ratio), (Some(0.4), Some(2.5)));
    assert_eq!(v.containers_text(), "MP4 or MOV");
    assert_eq!(v.max_size_text(), "50 MB");
    let a = MediaLimits::byteplus(AssetType::Audio).unwrap();
    assert_eq!(a.max_bytes, 15_000_000);
    assert_eq!((a.min_duration_ms, a.max_duration_ms), (2_000, 15_000));
    assert_eq!((a.min_fps, a.min_ratio), (None, None));
    assert_eq!(a.containers_text(), "MP3 or WAV");
    assert_eq!(a.max_size_text(), "15 MB");
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["maxBytes"], 15_000_000);
    assert_eq!(json["containers"], serde_json::json!(["mp3", "wav"]));
}

#[test]
fn version_0_and_1_headers_read_the_same() {
    for version in [0, 1] {
        let info = probe(&small_mp4(version)).unwrap();
        assert_eq!(
            info,
            MediaInfo {
                container: MediaContainer::Mp4,
                duration_ms: 3000,
                fps: Some(25.0),
                width_px: Some(640),
                height_px: Some(360),
            },
            "version {version}"
        );
    }
}

#[test]
fn size_0_and_size_1_boxes_are_followed() {
    let mp4 = small_mp4(0);
    let ftyp_len = 28;
    let mdat_len = 308;
    let (head, rest) = mp4.split_at(ftyp_len);
    let (mdat, moov) = rest.split_at(mdat_len);
    // A 64-bit "largesize" mdat.
    let mut large = head.to_vec();
    large.extend_from_slice(&be32(1));
    large.extend_from_slice(b"mdat");
    large.extend_from_slice(&((mdat_len as u64) + 8).to_be_bytes());
    large.extend_from_slice(&mdat[8..]);
    large.extend_from_slice(moov);
    assert_eq!(probe(&large).unwrap().duration_ms, 3000);
    // A size-0 mdat runs to the end of the file, after a moov that came first.
    let mut to_end = head.to_vec();
    to_end.extend_from_slice(moov);
    to_end.extend_from_slice(&be32(0));
    to_end.extend_from_slice(b"mdat");
    to_end.extend_from_slice(&[0x55; 1000]);
    assert_eq!(probe(&to_end).unwrap().fps, Some(25.0));
    // Zero padding after the last box is tolerated, and so is junk that is no box at all.
    let mut padded = mp4.clone();
    padded.extend_from_slice(&[0; 5]);
    assert!(probe(&padded).is_ok());
    let mut junk = mp4.clone();
    junk.extend_from_slice(b"\x12\x34\x56\x78\x9a\xbc\xde\xf0 trailing bytes");
    assert_eq!(probe(&junk).unwrap().duration_ms, 3000);
    // But a real box running past the end is a cut-short file, even after the moov.
    let mut cut_box = mp4.clone();
    cut_box.extend_from_slice(&be32(5000));
    cut_box.extend_from_slice(b"free");
    cut_box.extend_from_slice(&[0; 100]);
    assert_eq!(probe(&cut_box), Err(ProbeError::Truncated));
    // And junk before the index is not forgiven: the index never came.
    let mut early = mp4[..336].to_vec();
    early.extend_from_slice(b"\x12\x34\x56\x78\x9a\xbc\xde\xf0");
    assert_eq!(probe(&early), Err(ProbeError::Truncated));
    // A largesize smaller than its own header, and a 32-bit size under 8, are impossible.
    let mut tiny = head.to_vec();
    tiny.extend_from_slice(&be32(1));
    tiny.extend_from_slice(b"mdat");
    tiny.extend_from_slice(&8u64.to_be_bytes());
    assert!(matches!(probe(&tiny), Err(ProbeError::Damaged(_))));
    let mut four = head.to_vec();
    four.extend_from_slice(&be32(4));
    four.extend_from_slice(b"mdat");
    assert!(matches!(probe(&four), Err(ProbeError::Damaged(_))));
    // A largesize past the end of the file: cut short.
    let mut huge = head.to_vec();
    huge.extend_from_slice(&be32(1));
    huge.extend_from_slice(b"mdat");
    huge.extend_from_slice(&u64::MAX.to_be_bytes());
    assert_eq!(probe(&huge), Err(ProbeError::Truncated));
}

#[test]
fn a_cut_short_file_is_truncated_wherever_it_is_cut() {
    let mp4 = small_mp4(0);
    for cut in 1..mp4.len() {
        let r = probe(&mp4[..cut]);
        assert!(r.is_err(), "cut at {cut}: {r:?}");
    }
    // Inside the moov (the index written last): cut short, not "no index".
    assert_eq!(probe(&mp4[..mp4.len() - 10]), Err(ProbeError::Truncated));
    // Right after the mdat: the index never came.
    assert!(matches!(probe(&mp4[..336]), Err(ProbeError::Damaged(m)) if m.contains("no index")));
}

#[test]
fn huge_counts_are_refused_against_the_bytes_not_trusted() {
    // An stts claiming four billion entries in a 24-byte box.
    let lying = stts(&[(75, 512)]);
    let mut lying = lying.clone();
    lying[12..16].copy_from_slice(&be32(u32::MAX));
    let stbl = bx(b"stbl", &lying);
    let mdia = bx(
        b"mdia",
        &cat(&[
            time_header(b"mdhd", 0, 12800, 38400, 4),
            hdlr(b"vide"),
            bx(b"minf", &stbl),
        ]),
    );
    let moov = bx(
        b"moov",
        &cat(&[
            time_header(b"mvhd", 0, 1000, 3000, 80),
            bx(b"trak", &cat(&[tkhd(0, 1, IDENTITY, 64, 64), mdia])),
        ]),
    );
    let file = cat(&[ftyp(b"isom"), moov]);
    let t = std::time::Instant::now();
    assert!(matches!(probe(&file), Err(ProbeError::Damaged(m)) if m.contains("frame table")));
    assert!(t.elapsed() < std::time::Duration::from_secs(1));

    // A fragment run of four billion samples, each with a duration: refused by its length.
    let mut trun = vec![0, 0, 1, 0];
    trun.extend_from_slice(&be32(u32::MAX));
    trun.extend_from_slice(&be32(512));
    let frag = fragmented(&bx(b"trun", &trun));
    assert!(matches!(probe(&frag), Err(ProbeError::Damaged(m)) if m.contains("fragment")));
    // Without per-sample fields the count costs nothing to believe: it is just a number.
    let mut trun = vec![0, 0, 0, 0];
    trun.extend_from_slice(&be32(u32::MAX));
    let frag = fragmented(&bx(b"trun", &trun));
    let info = probe(&frag).unwrap();
    assert!(info.duration_ms > 1_000_000_000, "{info:?}");
}

/// An empty-moov fragmented file whose one fragment holds `trun` for track 1 (default sample
/// duration 512 in a 12800 timescale, from `trex`).
fn fragmented(trun: &[u8]) -> Vec<u8> {
    let mut trex = vec![0; 4];
    trex.extend_from_slice(&be32(1));
    trex.extend_from_slice(&be32(1));
    trex.extend_from_slice(&be32(512));
    trex.extend_from_slice(&[0; 8]);
    let moov = bx(
        b"moov",
        &cat(&[
            time_header(b"mvhd", 0, 1000, 0, 80),
            trak(b"vide", tkhd(0, 1, IDENTITY, 320, 240), 12800, 0, 0, 0),
            bx(b"mvex", &bx(b"trex", &trex)),
        ]),
    );
    let mut tfhd = vec![0, 2, 0, 0];
    tfhd.extend_from_slice(&be32(1));
    let traf = bx(b"traf", &cat(&[bx(b"tfhd", &tfhd), trun.to_vec()]));
    cat(&[
        ftyp(b"iso5"),
        moov,
        bx(b"moof", &traf),
        bx(b"mdat", &[0; 64]),
    ])
}

#[test]
fn fragments_add_up_with_trex_defaults_or_per_sample_durations() {
    let mut trun = vec![0, 0, 0, 0];
    trun.extend_from_slice(&be32(75));
    let info = probe(&fragmented(&bx(b"trun", &trun))).unwrap();
    assert_eq!((info.duration_ms, info.fps), (3000, Some(25.0)));
    // Per-sample durations (flag 0x100) of 1024 ticks: 12.5 fps over 6 s.
    let mut trun = vec![0, 0, 1, 0];
    trun.extend_from_slice(&be32(75));
    for _ in 0..75 {
        trun.extend_from_slice(&be32(1024));
    }
    let info = probe(&fragmented(&bx(b"trun", &trun))).unwrap();
    assert_eq!((info.duration_ms, info.fps), (6000, Some(12.5)));
}

#[test]
fn the_display_matrix_swaps_width_and_height_for_a_quarter_turn() {
    let moov = bx(
        b"moov",
        &cat(&[
            time_header(b"mvhd", 0, 600, 1800, 80),
            trak(b"vide", tkhd(0, 1, TURN_270, 1920, 1080), 600, 90, 20, 0),
        ]),
    );
    let info = probe(&cat(&[ftyp(b"qt  "), moov])).unwrap();
    assert_eq!(info.container, MediaContainer::Mov);
    assert_eq!((info.width_px, info.height_px), (Some(1080), Some(1920)));
    assert_eq!((info.duration_ms, info.fps), (3000, Some(30.0)));
}

#[test]
fn the_coded_size_stands_in_for_a_track_header_without_one() {
    let mut entry = vec![0; 6 + 2 + 16];
    entry.extend_from_slice(&720u16.to_be_bytes());
    entry.extend_from_slice(&1280u16.to_be_bytes());
    entry.extend_from_slice(&[0; 50]);
    let mut stsd = vec![0, 0, 0, 0];
    stsd.extend_from_slice(&be32(1));
    stsd.extend_from_slice(&bx(b"avc1", &entry));
    let stbl = bx(b"stbl", &cat(&[bx(b"stsd", &stsd), stts(&[(50, 1)])]));
    let mdia = bx(
        b"mdia",
        &cat(&[
            time_header(b"mdhd", 0, 25, 50, 4),
            hdlr(b"vide"),
            bx(b"minf", &stbl),
        ]),
    );
    let moov = bx(
        b"moov",
        &cat(&[
            time_header(b"mvhd", 0, 1000, 2000, 80),
            bx(b"trak", &cat(&[tkhd(0, 1, IDENTITY, 0, 0), mdia])),
        ]),
    );
    let info = probe(&cat(&[ftyp(b"mp42"), moov])).unwrap();
    assert_eq!((info.width_px, info.height_px), (Some(720), Some(1280)));
}

#[test]
fn old_quicktime_without_ftyp_is_mov_and_image_brands_are_images() {
    let mp4 = small_mp4(0);
    let without_ftyp = &mp4[28..];
    assert_eq!(probe(without_ftyp).unwrap().container, MediaContainer::Mov);
    let mov = fixture("ok-3s-25fps.mov");
    assert_eq!(probe(&mov[20..]).unwrap().container, MediaContainer::Mov);

    let mut heic = small_mp4(0);
    heic[8..12].copy_from_slice(b"heic");
    assert_eq!(
        probe(&heic),
        Err(ProbeError::Unsupported {
            what: "a HEIC image",
            kind: Some(AssetType::Image)
        })
    );
}

#[test]
fn impossible_headers_are_damaged() {
    let base = small_mp4(0);
    let mvhd_at = base.windows(4).position(|w| w == b"mvhd").expect("mvhd") + 4;
    let mut zero_scale = base.clone();
    zero_scale[mvhd_at + 12..mvhd_at + 16].copy_from_slice(&[0; 4]);
    assert!(matches!(probe(&zero_scale), Err(ProbeError::Damaged(m)) if m.contains("clock")));
    let mut version = base.clone();
    version[mvhd_at] = 7;
    assert!(matches!(probe(&version), Err(ProbeError::Damaged(m)) if m.contains("version")));
    // A track box that says it is bigger than the moov it sits in.
    let trak_at = base.windows(4).position(|w| w == b"trak").unwrap() - 4;
    let mut overrun = base.clone();
    overrun[trak_at..trak_at + 4].copy_from_slice(&be32(100_000));
    assert!(
        matches!(probe(&overrun), Err(ProbeError::Damaged(m)) if m.contains("runs past")),
        "{:?}",
        probe(&overrun)
    );
    let no_tracks = cat(&[
        ftyp(b"isom"),
        bx(b"moov", &time_header(b"mvhd", 0, 1000, 3000, 80)),
    ]);
    assert!(matches!(probe(&no_tracks), Err(ProbeError::Damaged(m)) if m.contains("no tracks")));
}

#[test]
fn empty_garbage_and_other_formats_are_named_not_guessed() {
    assert_eq!(probe(&[]), Err(ProbeError::Empty));
    assert_eq!(probe(b"x"), Err(ProbeError::NotMedia));
    assert_eq!(probe(&[0; 4096]), Err(ProbeError::NotMedia));
    assert_eq!(probe(&[0xFF; 4096]), Err(ProbeError::NotMedia));
    let named = |b: &[u8]| match probe(b) {
        Err(ProbeError::Unsupported { what, kind }) => (what, kind),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        named(b"\x1A\x45\xDF\xA3\x01\x00\x00\x00"),
        ("a WebM or MKV video", Some(AssetType::Video))
    );
    assert_eq!(
        named(b"fLaC\0\0\0\x22"),
        ("a FLAC audio file", Some(AssetType::Audio))
    );
    assert_eq!(
        named(b"\xFF\xD8\xFF\xE0\0\x10JFIF"),
        ("a JPEG image", Some(AssetType::Image))
    );
    assert_eq!(
        named(b"\xEF\xBB\xBF  <!doctype html><html>"),
        ("a web page", None)
    );
    assert_eq!(
        named(b"RIFF\0\0\0\0AVI LIST"),
        ("an AVI video", Some(AssetType::Video))
    );
    // ID3 in front of FLAC is still FLAC.
    let mut id3_flac = b"ID3\x04\0\0\0\0\0\x02\0\0".to_vec();
    id3_flac.extend_from_slice(b"fLaC\0\0\0\x22");
    assert_eq!(named(&id3_flac).0, "a FLAC audio file");
    // An ID3 tag with nothing playable after it.
    let mut id3_only = b"ID3\x04\0\0\0\0\0\x02\0\0".to_vec();
    id3_only.extend_from_slice(&[0x20; 500]);
    assert!(matches!(probe(&id3_only), Err(ProbeError::Damaged(m)) if m.contains("MP3 tag")));
}

/// A fixed-seed generator: the same "random" bytes every run, no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Lcg(7);
    let limits = MediaLimits::byteplus(AssetType::Video).unwrap();
    for len in (0..2000).step_by(7) {
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _ = probe(&bytes);
        let _ = examine_bytes("https://x/r", &bytes, AssetType::Video, &limits);
        // The same behind each magic number, so every parser gets garbage to chew on.
        for magic in [
            &b"\0\0\0\x18ftypisom"[..],
            b"\0\0\0\x08moov",
            b"RIFF\xff\xff\xff\xffWAVE",
            b"ID3\x04\0\0\0\0\0\0",
            b"\xFF\xFB\x90\x00",
        ] {
            let mut b = magic.to_vec();
            b.extend_from_slice(&bytes);
            let _ = probe(&b);
        }
    }
}

#[test]
fn every_fixture_cut_short_or_with_flipped_bytes_never_panics() {
    let video = MediaLimits::byteplus(AssetType::Video).unwrap();
    let audio = MediaLimits::byteplus(AssetType::Audio).unwrap();
    let mut rng = Lcg(2024);
    for name in FIXTURES {
        let whole = fixture(name);
        assert!(probe(&whole).is_ok(), "{name}: {:?}", probe(&whole));
        let len = whole.len();
        // Every header byte, then every 37th byte.
        let cuts = (0..len.min(512)).chain((512..len).step_by(37));
        for cut in cuts {
            let part = &whole[..cut];
            let r = probe(part);
            // MP4, MOV and WAV know their own length: a cut one is never taken as whole.
            let self_sized = !name.ends_with(".mp3");
            assert!(!(self_sized && r.is_ok()), "{name} cut at {cut}: {r:?}");
        }
        for _ in 0..400 {
            let mut bent = whole.clone();
            for _ in 0..1 + rng.next() % 4 {
                let at = (rng.next() as usize) % len;
                bent[at] ^= 1 << (rng.next() % 8);
            }
            // A flip somewhere in the first 2 KB (where the headers are), often.
            let at = (rng.next() as usize) % len.min(2048);
            bent[at] = rng.next() as u8;
            let _ = probe(&bent);
            let _ = examine_bytes("https://x/f", &bent, AssetType::Video, &video);
            let _ = examine_bytes("https://x/f", &bent, AssetType::Audio, &audio);
        }
        // Box and chunk sizes set to the extremes.
        for at in (0..len.min(4096)).step_by(4) {
            for v in [0u32, 1, 7, 8, u32::MAX, u32::MAX - 7, 0x8000_0000] {
                let mut bent = whole.clone();
                let end = (at + 4).min(len);
                bent[at..end].copy_from_slice(&v.to_be_bytes()[..end - at]);
                let _ = probe(&bent);
            }
        }
    }
}
