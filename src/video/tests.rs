use super::*;
use crate::providers::ProviderKind;
use provider_api::ProviderApi;

fn face(id: &str, provider: ProviderKind, kind: FaceKind) -> FaceSummary {
    FaceSummary {
        asset_id: id.into(),
        provider,
        kind,
        name: "Ada".into(),
        group_id: None,
        enrolled_at_ms: 0,
        asset_type: AssetType::Image,
        status: AssetStatus::Active,
        status_message: None,
        has_thumbnail: false,
        has_consent: false,
        consent_ends_at_ms: None,
        revoked_at_ms: None,
        tags: Vec::new(),
    }
}

fn request(face: &str) -> VideoRequest {
    VideoRequest {
        face_asset_id: face.into(),
        prompt: "she smiles and waves in soft studio light".into(),
        ..VideoRequest::default()
    }
}

fn options(api: ProviderApi, kind: ProviderKind) -> VideoOptions {
    VideoOptions::for_api(kind, api, VideoBilling::Wallet)
}

#[test]
fn each_provider_offers_exactly_its_documented_values() {
    let br = options(ProviderApi::BlockRun, ProviderKind::BlockRun);
    let ids: Vec<&str> = br.models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        ["bytedance/seedance-2.0", "bytedance/seedance-2.0-fast"]
    );
    assert_eq!(br.models[0].resolutions, ["480p", "720p", "1080p"]);
    assert_eq!(br.models[1].resolutions, ["480p", "720p"]);
    assert_eq!(
        br.ratios,
        ["adaptive", "16:9", "9:16", "1:1", "4:3", "3:4", "21:9"]
    );
    assert_eq!(br.durations, (4..=15).collect::<Vec<u32>>());
    assert_eq!(br.default_model, "bytedance/seedance-2.0-fast");

    let af = options(ProviderApi::Anyfast, ProviderKind::Anyfast);
    let ids: Vec<&str> = af.models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["seedance", "seedance-fast"]);
    assert_eq!(af.models[0].resolutions, ["480p", "720p", "1080p"]);
    assert_eq!(af.models[1].resolutions, ["480p", "720p"]);
    assert_eq!(
        af.ratios,
        ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"]
    );

    let cr = options(ProviderApi::Crun, ProviderKind::Crun);
    let ids: Vec<&str> = cr.models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "bytedance/seedance2-0-r2v",
            "bytedance/seedance2-0-fast-r2v"
        ]
    );
    assert!(cr.models.iter().all(|m| m.resolutions == ["720p"]));
    assert_eq!(cr.ratios, ["16:9", "auto"]);

    let jc = options(ProviderApi::JarvisClaw, ProviderKind::JarvisClaw);
    assert_eq!(jc.models, br.models);
}

#[test]
fn a_request_is_checked_before_anything_is_sent() {
    let o = options(ProviderApi::BlockRun, ProviderKind::BlockRun);
    let f = face("ta_1", ProviderKind::BlockRun, FaceKind::RealFace);
    let spec = o.check(&request("ta_1"), Some(&f), &[]).unwrap();
    assert_eq!(spec.model, "bytedance/seedance-2.0-fast");
    assert_eq!(
        (spec.duration_seconds, spec.resolution.as_str()),
        (5, "720p")
    );

    let mut r = request("ta_1");
    r.model = Some("seedance-2.0".into());
    r.resolution = Some("1080P".into());
    r.aspect_ratio = Some("9:16".into());
    r.duration_seconds = Some(15);
    let spec = o.check(&r, Some(&f), &[]).unwrap();
    assert_eq!(spec.model, "bytedance/seedance-2.0");
    assert_eq!(spec.resolution, "1080p");
    assert_eq!(spec.tier, SeedanceTier::Standard);

    let refused = |r: VideoRequest| o.check(&r, Some(&f), &[]).unwrap_err();
    let mut r = request("ta_1");
    r.resolution = Some("1080p".into());
    let e = refused(r);
    assert_eq!(e.field(), Some("resolution"));
    assert!(e.to_string().contains("480p or 720p"), "{e}");
    let mut r = request("ta_1");
    r.duration_seconds = Some(16);
    assert!(refused(r).to_string().contains("4 to 15 seconds"));
    let mut r = request("ta_1");
    r.duration_seconds = Some(3);
    assert_eq!(refused(r).field(), Some("duration"));
    let mut r = request("ta_1");
    r.aspect_ratio = Some("auto".into());
    assert_eq!(refused(r).field(), Some("ratio"));
    let mut r = request("ta_1");
    r.model = Some("seedance-fast".into());
    assert_eq!(refused(r).field(), Some("model"));
    let mut r = request("ta_1");
    r.prompt = "   ".into();
    assert_eq!(refused(r).field(), Some("prompt"));
    let mut r = request("ta_1");
    r.prompt = "x".repeat(MAX_PROMPT_CHARS + 1);
    assert_eq!(refused(r).field(), Some("prompt"));

    // The provider's own ids work too.
    let a = options(ProviderApi::Anyfast, ProviderKind::Anyfast);
    let g = face("asset-2026-x", ProviderKind::Anyfast, FaceKind::Asset);
    let mut r = request("asset-2026-x");
    r.model = Some("seedance".into());
    r.resolution = Some("1080p".into());
    assert_eq!(a.check(&r, Some(&g), &[]).unwrap().model, "seedance");
    let c = options(ProviderApi::Crun, ProviderKind::Crun);
    let g = face("asset-2026-x", ProviderKind::Crun, FaceKind::Asset);
    let mut r = request("asset-2026-x");
    r.resolution = Some("480p".into());
    assert_eq!(
        c.check(&r, Some(&g), &[]).unwrap_err().field(),
        Some("resolution")
    );
}

#[test]
fn face_ids_never_cross_providers_or_apis() {
    let br = ProviderApi::BlockRun;
    let ta = face("ta_1", ProviderKind::Rehearsal, FaceKind::RealFace);
    assert!(br
        .face_refusal(ProviderKind::Rehearsal, "ta_1", Some(&ta))
        .is_none());
    // Filed under another provider.
    let e = br
        .face_refusal(ProviderKind::BlockRun, "ta_1", Some(&ta))
        .unwrap();
    assert!(e.to_string().contains("never cross providers"), "{e}");
    // Not in the library.
    assert!(br
        .face_refusal(ProviderKind::BlockRun, "ta_9", None)
        .is_some());
    // Rehearsal playing Anyfast takes asset- photos only.
    let e = ProviderApi::Anyfast
        .face_refusal(ProviderKind::Rehearsal, "ta_1", Some(&ta))
        .unwrap();
    assert!(e.to_string().contains("asset-"), "{e}");
    let mut asset = face("asset-1", ProviderKind::Rehearsal, FaceKind::Asset);
    assert!(br
        .face_refusal(ProviderKind::Rehearsal, "asset-1", Some(&asset))
        .is_some());
    assert!(ProviderApi::Crun
        .face_refusal(ProviderKind::Rehearsal, "asset-1", Some(&asset))
        .is_none());
    asset.status = AssetStatus::Processing;
    assert!(ProviderApi::Crun
        .face_refusal(ProviderKind::Rehearsal, "asset-1", Some(&asset))
        .unwrap()
        .to_string()
        .contains("still processing"));
    asset.status = AssetStatus::Active;
    asset.asset_type = AssetType::Video;
    assert!(ProviderApi::Crun
        .face_refusal(ProviderKind::Rehearsal, "asset-1", Some(&asset))
        .unwrap()
        .to_string()
        .contains("must be a photo"));
}

#[test]
fn anyfast_reads_both_status_vocabularies_in_any_case() {
    use crate::providers::anyfast::video::{status_word, Phase};
    for (w, p) in [
        ("", Phase::Queued),
        ("NOT_START", Phase::Queued),
        ("QUEUED", Phase::Queued),
        ("queued", Phase::Queued),
        ("IN_PROGRESS", Phase::Running),
        ("running", Phase::Running),
        ("SUCCESS", Phase::Succeeded),
        ("succeeded", Phase::Succeeded),
        ("FAILURE", Phase::Failed),
        ("failed", Phase::Failed),
        ("cancelled", Phase::Failed),
    ] {
        assert_eq!(status_word(w), Some(p), "{w}");
    }
    assert_eq!(status_word("DELETED?"), None);
}

#[test]
fn crun_reads_its_statuses_in_any_case() {
    use crate::providers::crun::video::{status_word, Phase};
    for (w, p) in [
        ("pending", Phase::Queued),
        ("RUNNING", Phase::Running),
        ("success", Phase::Succeeded),
        ("SUCCESS", Phase::Succeeded),
        ("Failed", Phase::Failed),
    ] {
        assert_eq!(status_word(w), Some(p), "{w}");
    }
    assert_eq!(status_word(""), None);
}

#[test]
fn poll_addresses_stay_on_the_api_and_lose_api_on_the_key_rail() {
    use crate::providers::blockrun::video::resolve_poll_url;
    let wallet: url::Url = "https://blockrun.ai/api/".parse().unwrap();
    let key: url::Url = "https://api.blockrun.ai/".parse().unwrap();
    let poll = "/api/v1/videos/generations/bytedance:video_ab?model=bytedance%2Fseedance-2.0-fast&duration=5";
    assert_eq!(
        resolve_poll_url(&wallet, poll, false).unwrap().as_str(),
        "https://blockrun.ai/api/v1/videos/generations/bytedance:video_ab?model=bytedance%2Fseedance-2.0-fast&duration=5"
    );
    assert_eq!(
        resolve_poll_url(&key, poll, true).unwrap().as_str(),
        "https://api.blockrun.ai/v1/videos/generations/bytedance:video_ab?model=bytedance%2Fseedance-2.0-fast&duration=5"
    );
    let jc: url::Url = "https://api.jarvisclaw.ai/".parse().unwrap();
    assert_eq!(
        resolve_poll_url(&jc, "/v1/videos/generations/x?model=m&sig=s", false)
            .unwrap()
            .as_str(),
        "https://api.jarvisclaw.ai/v1/videos/generations/x?model=m&sig=s"
    );
    let local: url::Url = "http://127.0.0.1:8402/".parse().unwrap();
    assert_eq!(
        resolve_poll_url(&local, poll, false).unwrap().path(),
        "/api/v1/videos/generations/bytedance:video_ab"
    );
    assert_eq!(
        resolve_poll_url(
            &jc,
            "https://api.jarvisclaw.ai/v1/videos/generations/x",
            false
        )
        .unwrap()
        .path(),
        "/v1/videos/generations/x"
    );
    assert!(resolve_poll_url(&jc, "https://evil.example/v1/x", false).is_err());
}

#[test]
fn progress_is_read_in_every_spelling() {
    use serde_json::json;
    assert_eq!(percent(Some(&json!("50%"))), Some(50));
    assert_eq!(percent(Some(&json!(75))), Some(75));
    assert_eq!(percent(Some(&json!(0.25))), Some(25));
    assert_eq!(percent(Some(&json!("soon"))), None);
    assert_eq!(percent(None), None);
}

#[test]
fn failures_say_what_happened_and_what_it_cost() {
    assert!(is_moderation(
        "Output video may contain sensitive information (OutputVideoSensitiveContentDetected)"
    ));
    assert!(is_moderation(
        "rehearsal-moderation: output moderation rejected the video"
    ));
    assert!(!is_moderation("upstream timeout"));
    let w = failure_words(
        "BlockRun",
        "output moderation rejected it",
        "Nothing was charged.",
    );
    assert!(w.contains("output check turned down") && w.contains("Nothing was charged."));
    let w = failure_words("Anyfast", "upstream timeout", "Nothing was charged.");
    assert!(w.starts_with("Anyfast could not make this video (upstream timeout)."));

    let spec = VideoSpec {
        face_asset_id: "ta_1".into(),
        prompt: "p".into(),
        model: "bytedance/seedance-2.0-fast".into(),
        tier: SeedanceTier::Fast,
        duration_seconds: 5,
        resolution: "720p".into(),
        aspect_ratio: "16:9".into(),
        reference_videos: Vec::new(),
        reference_audios: Vec::new(),
    };
    let mut job = VideoJob::new("vid_1".into(), ProviderKind::BlockRun, &spec, 0);
    job.billing = VideoBilling::Wallet;
    job.price_usd = Some("0.79".into());
    assert!(job.money_words().contains("confirm the price of $0.79"));
    job.state = JobState::Running;
    assert!(job.money_words().contains("a failed video costs nothing"));
    job.charged = Some(true);
    assert_eq!(job.money_words(), "This was charged: $0.79.");
    job.charged = Some(false);
    assert_eq!(job.money_words(), "Nothing was charged.");
    let mut acct = VideoJob::new("vid_2".into(), ProviderKind::Anyfast, &spec, 0);
    acct.charged = Some(true);
    assert_eq!(
        acct.money_words(),
        "This was billed to the Anyfast account."
    );
    assert_eq!(job.spec(), spec);
}

#[test]
fn job_states_round_trip_their_names() {
    for s in JobState::ALL {
        assert_eq!(JobState::parse(s.as_str()), Some(s));
    }
    assert!(JobState::Queued.at_provider() && JobState::Running.at_provider());
    assert!(!JobState::Downloading.at_provider());
    assert!(JobState::Expired.is_final());
}

#[test]
fn only_https_or_a_local_rehearsal_is_downloaded() {
    let u = |s: &str| url::Url::parse(s).unwrap();
    assert!(download::allowed(&u("https://blockrun.ai/api/media/x.mp4"), false).is_ok());
    assert!(download::allowed(&u("http://blockrun.ai/media/x.mp4"), false).is_err());
    assert!(download::allowed(&u("http://127.0.0.1:8402/media/x.mp4"), false).is_err());
    assert!(download::allowed(&u("http://127.0.0.1:8402/media/x.mp4"), true).is_ok());
    assert!(download::allowed(&u("http://192.168.1.20:8402/media/x.mp4"), true).is_ok());
    assert!(download::allowed(&u("http://localhost:8402/media/x.mp4"), true).is_ok());
    assert!(download::allowed(&u("http://example.com/x.mp4"), true).is_err());
    assert!(download::allowed(&u("file:///etc/passwd"), true).is_err());
}

#[test]
fn a_large_file_is_probed_from_its_index_alone() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/media");
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "ok-3s-25fps.mp4",
        "ok-3s-25fps-faststart.mp4",
        "ok-3s-25fps.mov",
    ] {
        let bytes = std::fs::read(fixtures.join(name)).unwrap();
        let whole = crate::media::probe(&bytes).unwrap();
        // Padded past the first megabyte with media data the probe never needs.
        let mut big = bytes.clone();
        let pad = 3 << 20;
        big.extend_from_slice(&((pad + 8) as u32).to_be_bytes());
        big.extend_from_slice(b"mdat");
        big.extend(std::iter::repeat_n(0u8, pad));
        let path = dir.path().join(name);
        std::fs::write(&path, &big).unwrap();
        let read = download::probe_file(&path).unwrap();
        assert_eq!(read, whole, "{name}");
        // Cut short inside the index-less tail: the probe says so.
        std::fs::write(&path, &big[..big.len() - 10]).unwrap();
        assert!(matches!(
            download::probe_file(&path),
            Err(download::ProbeFile::Media(_))
        ));
    }
    let page = dir.path().join("page.mp4");
    std::fs::write(&page, b"<!doctype html><html>nope</html>").unwrap();
    assert!(matches!(
        download::probe_file(&page),
        Err(download::ProbeFile::Media(_))
    ));
}

#[test]
fn prices_are_shown_exactly_to_at_least_the_cent() {
    assert_eq!(tidy_usd("0.786480"), "0.78648");
    assert_eq!(tidy_usd("0.79"), "0.79");
    assert_eq!(tidy_usd("0.5"), "0.50");
    assert_eq!(tidy_usd("1"), "1.00");
    assert_eq!(tidy_usd("2.000000"), "2.00");
    assert_eq!(tidy_usd("about 1"), "about 1");
}

#[test]
fn anyfast_and_crun_jobs_are_claimable_24_hours_the_others_48() {
    use crate::video::{next_poll, VideoPollPlan, VideoPollPolicy};
    const H: i64 = 3_600_000;
    for (api, hours) in [
        (ProviderApi::BlockRun, 48),
        (ProviderApi::JarvisClaw, 48),
        (ProviderApi::Anyfast, 24),
        (ProviderApi::Crun, 24),
    ] {
        assert_eq!(api.claimable_ms(), hours * H, "{api:?}");
        let policy = VideoPollPolicy {
            claimable_ms: api.claimable_ms(),
            ..VideoPollPolicy::standard()
        };
        let plan = next_poll(policy, 0, 25 * H, 10, Some(25 * H - 1), &[], None);
        assert_eq!(
            plan == VideoPollPlan::Expire,
            hours == 24,
            "{api:?}: polled past its result URLs' life"
        );
    }
}

#[test]
fn crun_starts_on_the_model_whose_asset_support_is_documented() {
    let crun = options(ProviderApi::Crun, ProviderKind::Crun);
    assert_eq!(crun.default_model, "bytedance/seedance2-0-r2v");
    let anyfast = options(ProviderApi::Anyfast, ProviderKind::Anyfast);
    assert_eq!(anyfast.default_model, "seedance-fast");
    // The form says why beside each Crun model; elsewhere the docs leave nothing to explain.
    let note = |o: &VideoOptions, id: &str| {
        o.models
            .iter()
            .find(|m| m.id == id)
            .and_then(|m| m.note.clone())
    };
    assert!(note(&crun, "bytedance/seedance2-0-r2v").is_some_and(|n| n.contains("documents")));
    assert!(note(&crun, "bytedance/seedance2-0-fast-r2v")
        .is_some_and(|n| n.contains("does not confirm")));
    assert!(anyfast.models.iter().all(|m| m.note.is_none()));
}

fn clip(id: &str, provider: ProviderKind, asset_type: AssetType, group: &str) -> FaceSummary {
    FaceSummary {
        asset_type,
        group_id: Some(group.into()),
        ..face(id, provider, FaceKind::Asset)
    }
}

#[test]
fn clips_are_offered_only_where_documented() {
    let limits = |api: ProviderApi, tier| {
        let l = api.clip_limits(tier);
        (l.videos, l.audios)
    };
    assert_eq!(limits(ProviderApi::Anyfast, SeedanceTier::Fast), (3, 3));
    assert_eq!(limits(ProviderApi::Anyfast, SeedanceTier::Standard), (3, 3));
    assert_eq!(limits(ProviderApi::Crun, SeedanceTier::Standard), (3, 3));
    // Crun's 2.0-fast page has its uploaded-assets section commented out.
    assert_eq!(limits(ProviderApi::Crun, SeedanceTier::Fast), (0, 0));
    // BlockRun's reference_videos take public URLs, not group assets.
    for api in [ProviderApi::BlockRun, ProviderApi::JarvisClaw] {
        for tier in SeedanceTier::ALL {
            assert_eq!(limits(api, tier), (0, 0));
            assert_eq!(api.clips_note(tier), None);
        }
    }
    let cr = options(ProviderApi::Crun, ProviderKind::Crun);
    assert_eq!(cr.models[1].max_reference_videos, 0);
    assert!(cr.models[1]
        .clips_note
        .as_deref()
        .unwrap()
        .contains("Seedance 2.0"));
    assert!(cr.models[0]
        .clips_note
        .as_deref()
        .unwrap()
        .contains("price"));

    let v = clip(
        "asset-v",
        ProviderKind::Anyfast,
        AssetType::Video,
        "group-a",
    );
    assert!(ProviderApi::Anyfast.offers_clip(ProviderKind::Anyfast, &v));
    assert!(
        !ProviderApi::Crun.offers_clip(ProviderKind::Crun, &v),
        "another provider's"
    );
    let photo = clip(
        "asset-p",
        ProviderKind::Anyfast,
        AssetType::Image,
        "group-a",
    );
    assert!(!ProviderApi::Anyfast.offers_clip(ProviderKind::Anyfast, &photo));
    let busy = FaceSummary {
        status: AssetStatus::Processing,
        ..v.clone()
    };
    assert!(!ProviderApi::Anyfast.offers_clip(ProviderKind::Anyfast, &busy));
}

#[test]
fn clips_must_be_the_faces_groups_active_files_of_the_right_kind() {
    let p = ProviderKind::Anyfast;
    let o = options(ProviderApi::Anyfast, p);
    let f = clip("asset-face", p, AssetType::Image, "group-a");
    let library = [
        clip("asset-v1", p, AssetType::Video, "group-a"),
        clip("asset-v2", p, AssetType::Video, "group-a"),
        clip("asset-v3", p, AssetType::Video, "group-a"),
        clip("asset-v4", p, AssetType::Video, "group-a"),
        clip("asset-a1", p, AssetType::Audio, "group-a"),
        clip("asset-vb", p, AssetType::Video, "group-b"),
        clip("asset-vc", ProviderKind::Crun, AssetType::Video, "group-a"),
        FaceSummary {
            status: AssetStatus::Processing,
            ..clip("asset-busy", p, AssetType::Audio, "group-a")
        },
    ];
    let with = |videos: &[&str], audios: &[&str]| VideoRequest {
        reference_videos: videos.iter().map(|s| s.to_string()).collect(),
        reference_audios: audios.iter().map(|s| s.to_string()).collect(),
        ..request("asset-face")
    };
    let spec = o
        .check(
            &with(&[" asset-v1", "asset-v2"], &["asset-a1"]),
            Some(&f),
            &library,
        )
        .unwrap();
    assert_eq!(spec.reference_videos, ["asset-v1", "asset-v2"]);
    assert_eq!(spec.reference_audios, ["asset-a1"]);

    let refused = |videos: &[&str], audios: &[&str]| {
        let e = o
            .check(&with(videos, audios), Some(&f), &library)
            .unwrap_err();
        assert_eq!(e.field(), Some("clips"), "{e}");
        e.to_string()
    };
    let e = refused(&["asset-vb"], &[]);
    assert!(
        e.contains("group-b") && e.contains("one verified person"),
        "{e}"
    );
    let e = refused(&[], &["asset-v1"]);
    assert!(e.contains("is a video, not a voice clip"), "{e}");
    let e = refused(&["asset-a1"], &[]);
    assert!(e.contains("is a voice clip, not a video"), "{e}");
    let e = refused(&["asset-v1", "asset-v2", "asset-v3", "asset-v4"], &[]);
    assert!(e.contains("at most 3") && e.contains("Leave 1 out"), "{e}");
    let e = refused(&["asset-nope"], &[]);
    assert!(e.contains("no clip asset-nope in the library"), "{e}");
    let e = refused(&["asset-vc"], &[]);
    assert!(e.contains("never cross providers"), "{e}");
    let e = refused(&[], &["asset-busy"]);
    assert!(e.contains("still processing"), "{e}");
    let e = refused(&["asset-v1", "asset-v1"], &[]);
    assert!(e.contains("picked twice"), "{e}");

    // Where nothing is documented, nothing goes.
    let c = options(ProviderApi::Crun, ProviderKind::Crun);
    let cf = clip(
        "asset-face",
        ProviderKind::Crun,
        AssetType::Image,
        "group-a",
    );
    let cv = [clip(
        "asset-cv",
        ProviderKind::Crun,
        AssetType::Video,
        "group-a",
    )];
    let mut r = VideoRequest {
        face_asset_id: "asset-face".into(),
        reference_videos: vec!["asset-cv".into()],
        ..with(&[], &[])
    };
    assert!(c.check(&r, Some(&cf), &cv).is_ok(), "2.0 takes them");
    r.model = Some("seedance-2.0-fast".into());
    let e = c.check(&r, Some(&cf), &cv).unwrap_err();
    assert!(e.to_string().contains("choose Seedance 2.0"), "{e}");
    let b = options(ProviderApi::BlockRun, ProviderKind::BlockRun);
    let bf = face("ta_1", ProviderKind::BlockRun, FaceKind::RealFace);
    let r = VideoRequest {
        reference_audios: vec!["asset-a1".into()],
        ..request("ta_1")
    };
    assert_eq!(
        b.check(&r, Some(&bf), &library).unwrap_err().field(),
        Some("clips")
    );
}

#[test]
fn clips_go_in_each_apis_documented_shape() {
    let spec = VideoSpec {
        face_asset_id: "asset-face".into(),
        prompt: "p".into(),
        model: "seedance-fast".into(),
        tier: SeedanceTier::Fast,
        duration_seconds: 5,
        resolution: "720p".into(),
        aspect_ratio: "16:9".into(),
        reference_videos: Vec::new(),
        reference_audios: Vec::new(),
    };
    // A face alone: the bodies of before, silent.
    let plain = crate::providers::anyfast::video::body(&spec);
    assert_eq!(plain["content"].as_array().unwrap().len(), 2);
    assert_eq!(plain["generate_audio"], false);
    let plain = crate::providers::crun::video::body(&spec);
    assert!(plain["input"].get("reference_videos").is_none());
    assert!(plain["input"].get("reference_audios").is_none());
    assert_eq!(plain["input"]["audio"], false);

    let spec = VideoSpec {
        reference_videos: vec!["asset-v1".into(), "asset-v2".into()],
        reference_audios: vec!["asset-a1".into()],
        ..spec
    };
    let a = crate::providers::anyfast::video::body(&spec);
    assert_eq!(
        a["content"],
        serde_json::json!([
            { "type": "text", "text": "p" },
            { "type": "image_url", "image_url": { "url": "asset://asset-face" }, "role": "reference_image" },
            { "type": "video_url", "video_url": { "url": "asset://asset-v1" }, "role": "reference_video" },
            { "type": "video_url", "video_url": { "url": "asset://asset-v2" }, "role": "reference_video" },
            { "type": "audio_url", "audio_url": { "url": "asset://asset-a1" }, "role": "reference_audio" },
        ])
    );
    assert_eq!(a["generate_audio"], true, "a voice clip needs a soundtrack");
    let c = crate::providers::crun::video::body(&spec);
    assert_eq!(
        c["input"]["reference_images"],
        serde_json::json!(["asset://asset-face"])
    );
    assert_eq!(
        c["input"]["reference_videos"],
        serde_json::json!(["asset://asset-v1", "asset://asset-v2"])
    );
    assert_eq!(
        c["input"]["reference_audios"],
        serde_json::json!(["asset://asset-a1"])
    );
    assert_eq!(c["input"]["audio"], true);
}

fn finished(provider: ProviderKind, model: &str, took_ms: i64) -> VideoJob {
    let spec = VideoSpec {
        face_asset_id: "ta_1".into(),
        prompt: "p".into(),
        model: model.into(),
        tier: SeedanceTier::of_model(model),
        duration_seconds: 5,
        resolution: "720p".into(),
        aspect_ratio: "16:9".into(),
        reference_videos: Vec::new(),
        reference_audios: Vec::new(),
    };
    let mut job = VideoJob::new("vid_x".into(), provider, &spec, 0);
    job.state = JobState::Completed;
    job.submitted_at_ms = Some(1_000);
    job.completed_at_ms = Some(1_000 + took_ms);
    job
}

#[test]
fn the_estimate_follows_the_options_and_the_documented_metering() {
    let blockrun = options(ProviderApi::BlockRun, ProviderKind::BlockRun);
    let mut req = request("");
    let fast = blockrun.estimate(&req, &[]).unwrap();
    assert_eq!(fast.price_usd.as_deref(), Some("0.83"), "fast 5 s 720p");
    assert_eq!(
        fast.usually.as_deref(),
        Some("usually 1–3 min (BlockRun's figure)")
    );
    req.model = Some("seedance-2.0".into());
    req.duration_seconds = Some(10);
    req.resolution = Some("1080p".into());
    // 21 690 × 10 × 2.25 tokens × $9.9715/M × 1.05, rounded up to the cent.
    assert_eq!(
        blockrun.estimate(&req, &[]).unwrap().price_usd.as_deref(),
        Some("5.11")
    );
    req.duration_seconds = Some(99);
    assert!(
        blockrun.estimate(&req, &[]).is_err(),
        "a length not offered"
    );

    let crun = options(ProviderApi::Crun, ProviderKind::Crun);
    let none = crun.estimate(&request(""), &[]).unwrap();
    assert_eq!(
        none,
        VideoEstimate {
            price_usd: None,
            usually: None
        },
        "no public price or time"
    );
}

#[test]
fn the_studios_own_record_replaces_the_providers_figure_after_three_videos() {
    let blockrun = options(ProviderApi::BlockRun, ProviderKind::BlockRun);
    let fast = "bytedance/seedance-2.0-fast";
    let mut past = vec![
        finished(ProviderKind::BlockRun, fast, 200_000),
        finished(ProviderKind::BlockRun, fast, 100_000),
        // Another tier, another provider: not counted.
        finished(ProviderKind::BlockRun, "bytedance/seedance-2.0", 900_000),
        finished(ProviderKind::Anyfast, "seedance-fast", 900_000),
    ];
    let usually = |past: &[VideoJob]| {
        blockrun
            .estimate(&request(""), past)
            .unwrap()
            .usually
            .unwrap()
    };
    assert_eq!(
        usually(&past),
        "usually 1–3 min (BlockRun's figure)",
        "two are not a record"
    );
    past.push(finished(ProviderKind::BlockRun, fast, 150_000));
    assert_eq!(
        usually(&past),
        "usually about 3 min (your last 3 videos here)"
    );
    let mut quick = finished(ProviderKind::BlockRun, fast, 20_000);
    quick.state = JobState::Failed;
    past.push(quick);
    assert_eq!(
        usually(&past),
        "usually about 3 min (your last 3 videos here)",
        "failed ones are not"
    );
}
