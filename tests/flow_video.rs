//! Seedance video jobs end to end against Rehearsal: a library face, the price shown before
//! anything is signed, one ledger row, polls until the video is made, exactly one settlement
//! however many polls, the MP4 on disk; the key rail, Anyfast and Crun; failures that cost
//! nothing; a restart mid-job; the person's video and voice clips beside the face (Anyfast,
//! Crun); and the options refused before any request.

mod common;
#[path = "common/postgres.rs"]
mod pg;

use std::sync::Arc;
use std::time::Duration;

use alloy::signers::local::PrivateKeySigner;
use common::{PhotoHost, StartAgreed, TEST_API_KEY};
use likeness::error::ErrorCode;
use likeness::flow::poll::PollPolicy;
use likeness::flow::{EnrollOutcome, SessionState, Studio, StudioConfig};
use likeness::http::{self, TrustRoots};
use likeness::library::{Face, Library, PaymentStatus};
use likeness::media::AssetType;
use likeness::providers::{
    anyfast, blockrun, crun, jarvisclaw, AssetStatus, Provider, ProviderKind,
};
use likeness::secrets::Secret;
use likeness::video::{
    JobState, VideoBilling, VideoJob, VideoPollPolicy, VideoRequest, CLAIMABLE_MS,
};
use provider_api::ProviderApi;
use rehearsal::{RehearsalServer, MODERATION_MARKER, VIDEO_FAIL_MARKER};

const HARDHAT_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const PROMPT: &str = "she smiles warmly and waves at the camera in soft studio light";

/// Quick polls for a 300 ms Rehearsal job.
const FAST_POLLS: VideoPollPolicy = VideoPollPolicy {
    first_after_ms: 100,
    min_gap_ms: 100,
    max_gap_ms: 300,
    polls_per_hour: 10_000,
    claimable_ms: CLAIMABLE_MS,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Api {
    JarvisClawWallet,
    BlockRunWallet,
    BlockRunKey,
    Anyfast,
    Crun,
}

struct Bench {
    photos: PhotoHost,
    rehearsal: RehearsalServer,
    library: Arc<Library>,
    dir: tempfile::TempDir,
}

impl Bench {
    async fn new(video_delay: Duration) -> Bench {
        Bench::with_gateway(video_delay, ProviderApi::BlockRun).await
    }

    async fn with_gateway(video_delay: Duration, gateway: ProviderApi) -> Bench {
        let photos = PhotoHost::start().await;
        let mut config = common::rehearsal_config(&photos);
        config.video_delay = video_delay;
        config.video_gateway = gateway;
        config.asset_processing_delay = Duration::from_millis(200);
        let rehearsal = common::start_rehearsal_with(config).await;
        let dir = tempfile::tempdir().unwrap();
        let library = Arc::new(Library::open(&dir.path().join("likeness.sqlite3")).unwrap());
        Bench {
            photos,
            rehearsal,
            library,
            dir,
        }
    }

    fn http(&self) -> reqwest::Client {
        http::client(&TrustRoots(vec![self.photos.root_cert_der()])).unwrap()
    }

    fn media(&self) -> std::path::PathBuf {
        self.dir.path().join("media")
    }

    fn provider(&self, api: Api) -> Provider {
        let key = Some(Secret::new(TEST_API_KEY));
        let base = self.rehearsal.base_url();
        let kind = ProviderKind::Rehearsal;
        match api {
            Api::BlockRunWallet => {
                Provider::BlockRun(blockrun::Client::new(kind, base, self.http(), None))
            }
            Api::JarvisClawWallet => {
                Provider::JarvisClaw(jarvisclaw::Client::new(kind, base, self.http(), None, None))
            }
            Api::BlockRunKey => {
                Provider::BlockRun(blockrun::Client::new(kind, base, self.http(), key))
            }
            Api::Anyfast => Provider::Anyfast(anyfast::Client::new(kind, base, self.http(), key)),
            Api::Crun => Provider::Crun(crun::Client::new(
                kind,
                base.join("api/v1/client/job/").unwrap(),
                self.http(),
                key,
                Some("en".into()),
            )),
        }
    }

    fn studio_with(&self, api: Api, media_dir: Option<std::path::PathBuf>) -> Arc<Studio> {
        self.studio_on(Arc::clone(&self.library), api, media_dir)
    }

    /// A studio on `library` (another desk on the shared database).
    fn studio_on(
        &self,
        library: Arc<Library>,
        api: Api,
        media_dir: Option<std::path::PathBuf>,
    ) -> Arc<Studio> {
        let provider = self.provider(api);
        let config = StudioConfig {
            policy: PollPolicy {
                budget_per_hour: 360,
                reserve: 3,
                min_interval_ms: 100,
                first_check_after_ms: 100,
            },
            wallet: Some(HARDHAT_KEY.parse::<PrivateKeySigner>().unwrap()),
            media_dir,
            video_poll: FAST_POLLS,
            operator: "Linus".into(),
            ..StudioConfig::for_provider(&provider)
        };
        Studio::new(library, provider, self.http(), config)
    }

    fn studio(&self, api: Api) -> Arc<Studio> {
        self.studio_with(api, Some(self.media()))
    }

    /// A `ta_…` face Rehearsal knows: a virtual portrait, paid (x402) or on the key.
    async fn portrait(&self, studio: &Arc<Studio>) -> Face {
        studio
            .enroll_portrait("Robo", &self.photos.url("/face.jpg"), false, |_| true)
            .await
            .unwrap()
    }

    /// An active `asset-…` photo of a verified person (Anyfast or Crun).
    async fn asset_face(&self, studio: &Arc<Studio>) -> Face {
        let mut assets = studio.subscribe_assets();
        let view = studio
            .start_agreed("Ada", Some(&self.photos.url("/face.jpg")), false)
            .await
            .unwrap();
        let token = view.session.liveness_token.clone().unwrap();
        self.rehearsal
            .complete_liveness_token(&token)
            .await
            .unwrap();
        let checked = studio.check_now(&view.session.id).await.unwrap();
        assert_eq!(checked.session.state, SessionState::Verified);
        let EnrollOutcome::Enrolled { face } = studio
            .enroll_session(&view.session.id, None, None, None)
            .await
            .unwrap()
        else {
            panic!("the key rail never asks for a price");
        };
        loop {
            let f = tokio::time::timeout(Duration::from_secs(20), assets.recv())
                .await
                .expect("the asset never turned active")
                .unwrap();
            if f.asset_id == face.asset_id && f.status != AssetStatus::Processing {
                assert_eq!(f.status, AssetStatus::Active);
                return f;
            }
        }
    }
}

impl Bench {
    /// Uploads `file` to `face`'s group from the library and waits until it is active.
    async fn clip(&self, studio: &Arc<Studio>, face: &Face, kind: AssetType, file: &str) -> Face {
        let mut assets = studio.subscribe_assets();
        let group = face.group_id.as_deref().unwrap();
        let clip = studio
            .add_asset(group, kind, &self.photos.url(file), None, false)
            .await
            .unwrap();
        loop {
            let f = tokio::time::timeout(Duration::from_secs(20), assets.recv())
                .await
                .expect("the clip never turned active")
                .unwrap();
            if f.asset_id == clip.asset_id && f.status != AssetStatus::Processing {
                assert_eq!(f.status, AssetStatus::Active, "{f:?}");
                return f;
            }
        }
    }
}

fn request(face: &str) -> VideoRequest {
    VideoRequest {
        face_asset_id: face.into(),
        prompt: PROMPT.into(),
        ..VideoRequest::default()
    }
}

/// Waits until the stored job satisfies `done`.
async fn until_job(studio: &Studio, id: &str, done: impl Fn(&VideoJob) -> bool) -> VideoJob {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let job = studio.video_job(id).unwrap();
        if done(&job) {
            return job;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "job {id} stuck at {:?} ({:?})",
            job.state,
            job.error
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn finished(j: &VideoJob) -> bool {
    j.state.is_final()
}

fn video_rows(library: &Library, job_id: &str) -> Vec<likeness::library::PaymentRecord> {
    library.payments_for(&format!("video:{job_id}")).unwrap()
}

/// The file is a real MP4 with a picture.
fn assert_mp4(path: &str) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let info = likeness::media::probe(&bytes).unwrap();
    assert!(info.width_px.is_some(), "{info:?}");
}

#[tokio::test]
async fn x402_quote_then_one_payment_one_settlement_and_the_mp4_on_disk() {
    let bench = Bench::new(Duration::from_millis(300)).await;
    let studio = bench.studio(Api::BlockRunWallet);
    let face = bench.portrait(&studio).await;
    assert!(face.asset_id.starts_with("ta_"));
    let settled_before = bench.rehearsal.settlements();

    let options = studio.video_options().unwrap();
    assert_eq!(options.billing, VideoBilling::Wallet);
    assert!(options.faces.iter().any(|f| f.asset_id == face.asset_id));

    let mut updates = studio.subscribe_jobs();
    let quoted = studio.quote_video(&request(&face.asset_id)).await.unwrap();
    assert_eq!(quoted.state, JobState::AwaitingConfirmation);
    let quote = quoted.quote.clone().expect("the price is shown");
    assert!(quote.network().is_testnet());
    let price = likeness::video::tidy_usd(quote.amount_usdc());
    assert_eq!(quoted.price_usd.as_deref(), Some(price.as_str()));
    assert_eq!(quoted.face_name.as_deref(), Some("Robo"));
    assert!(
        video_rows(&bench.library, &quoted.id).is_empty(),
        "nothing is signed before the operator confirms"
    );
    assert_eq!(bench.rehearsal.video_counts().submitted, 0);
    let first = updates.recv().await.unwrap();
    assert_eq!(first.id, quoted.id, "every change is broadcast");

    let queued = studio.confirm_video(&quoted.id, false).await.unwrap();
    assert_eq!(queued.state, JobState::Queued);
    assert!(queued
        .remote_id
        .as_deref()
        .unwrap()
        .starts_with("bytedance:video_"));
    let rows = video_rows(&bench.library, &quoted.id);
    assert_eq!(rows.len(), 1, "one ledger row, written before the request");
    assert_eq!(
        rows[0].status,
        PaymentStatus::Signed,
        "verified, not settled"
    );
    assert_eq!(queued.payment_id.as_deref(), Some(rows[0].id.as_str()));
    assert_eq!(
        (
            bench.library.job(&quoted.id).unwrap().operator.as_str(),
            rows[0].operator.as_str()
        ),
        ("Linus", "Linus"),
        "the job's row and its ledger row name who asked"
    );
    assert!(queued
        .charge_note
        .unwrap()
        .contains("failed video costs nothing"));

    let done = until_job(&studio, &quoted.id, finished).await;
    assert_eq!(done.state, JobState::Completed, "{:?}", done.error);
    let counts = bench.rehearsal.video_counts();
    assert!(counts.polls >= 2, "polled until made: {counts:?}");
    assert_eq!(counts.settlements, 1, "one settlement however many polls");
    assert_eq!(bench.rehearsal.settlements(), settled_before + 1);
    let path = done.local_path.clone().expect("saved");
    assert_eq!(
        std::path::Path::new(&path),
        bench.media().join(format!("{}.mp4", done.id))
    );
    assert_mp4(&path);
    assert!(!bench.media().join(format!("{}.mp4.part", done.id)).exists());
    assert_eq!(done.charged, Some(true));
    assert_eq!(
        done.charge_note.as_deref(),
        Some(format!("This was charged: ${price}.").as_str())
    );
    let rows = video_rows(&bench.library, &done.id);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, PaymentStatus::Settled);
    assert!(rows[0]
        .settlement_tx
        .as_deref()
        .is_some_and(|t| t.starts_with("0x")));

    // Asking again neither polls nor settles: the job is done.
    let again = studio.poll_job(&done.id).await.unwrap();
    assert_eq!(again.state, JobState::Completed);
    assert_eq!(bench.rehearsal.video_counts().settlements, 1);
    let listed = studio.list_jobs().unwrap();
    assert_eq!(listed[0].id, done.id);
    assert!(listed[0].elapsed_ms > 0);
    // A confirmed job cannot be confirmed again.
    let e = studio.confirm_video(&done.id, false).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
}

#[tokio::test]
async fn the_key_rail_confirms_and_bills_the_account_without_a_ledger_row() {
    let bench = Bench::new(Duration::from_millis(300)).await;
    let studio = bench.studio(Api::BlockRunKey);
    let face = bench.portrait(&studio).await;
    let payments_before = bench.library.payments().unwrap().len();

    let quoted = studio.quote_video(&request(&face.asset_id)).await.unwrap();
    assert_eq!(quoted.state, JobState::AwaitingConfirmation);
    assert_eq!(quoted.billing, VideoBilling::Account);
    assert!(quoted.quote.is_none());
    assert!(quoted
        .charge_note
        .unwrap()
        .contains("bills the Rehearsal account"));
    assert_eq!(
        bench.rehearsal.video_counts().submitted,
        0,
        "nothing is sent before the operator confirms"
    );

    studio.confirm_video(&quoted.id, false).await.unwrap();
    let done = until_job(&studio, &quoted.id, finished).await;
    assert_eq!(done.state, JobState::Completed, "{:?}", done.error);
    assert_mp4(done.local_path.as_deref().unwrap());
    assert_eq!(done.charged, Some(true));
    assert_eq!(bench.library.payments().unwrap().len(), payments_before);
    assert_eq!(bench.rehearsal.video_counts().settlements, 0);

    // "Save to…" offers whose face it is, then the job's id.
    let offered = studio.video_file_name(&done.id).unwrap();
    let face_name = done.face_name.clone().unwrap();
    assert_eq!(offered, format!("{face_name} {}.mp4", done.id));
    // "Save to…": a copy where the operator chose, given .mp4 when the name typed has none.
    let out = tempfile::tempdir().unwrap();
    let saved = studio
        .save_video_to(&done.id, &out.path().join("Ada waves"))
        .await
        .unwrap();
    assert!(saved.ends_with("Ada waves.mp4"), "{saved}");
    assert_eq!(
        std::fs::read(&saved).unwrap(),
        std::fs::read(done.local_path.as_deref().unwrap()).unwrap()
    );
    // The same name typed again: the dialog confirmed "Ada waves", not "Ada waves.mp4".
    let e = studio
        .save_video_to(&done.id, &out.path().join("Ada waves"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("nothing was overwritten"), "{e}");
    // A folder that is gone: said, and no half-written file is left anywhere.
    let e = studio
        .save_video_to(&done.id, &out.path().join("gone").join("x.mp4"))
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("destination"), "{e}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
}

async fn byteplus_face_makes_a_video(api: Api) {
    let bench = Bench::new(Duration::from_millis(300)).await;
    let studio = bench.studio(api);
    let face = bench.asset_face(&studio).await;
    let options = studio.video_options().unwrap();
    assert_eq!(options.billing, VideoBilling::Account);
    assert!(options.faces.iter().any(|f| f.asset_id == face.asset_id));

    let quoted = studio.quote_video(&request(&face.asset_id)).await.unwrap();
    let queued = studio.confirm_video(&quoted.id, false).await.unwrap();
    assert_eq!(queued.state, JobState::Queued);
    let remote = queued.remote_id.unwrap();
    match api {
        Api::Anyfast => assert!(remote.starts_with("cgt-"), "{remote}"),
        _ => assert!(!remote.is_empty()),
    }
    let done = until_job(&studio, &quoted.id, finished).await;
    assert_eq!(done.state, JobState::Completed, "{:?}", done.error);
    assert_mp4(done.local_path.as_deref().unwrap());
    assert!(done.charge_note.unwrap().contains("billed"));
}

#[tokio::test]
async fn anyfast_sends_the_face_as_an_asset_reference() {
    byteplus_face_makes_a_video(Api::Anyfast).await;
}

#[tokio::test]
async fn crun_sends_the_face_as_a_reference_image() {
    byteplus_face_makes_a_video(Api::Crun).await;
}

/// The person's video and voice clip go with the face, in the API's documented slots; another
/// person's clip, a clip of the wrong kind, too many, or clips on a model without them are
/// refused before anything is sent.
async fn clips_go_with_the_face(api: Api) {
    let bench = Bench::new(Duration::from_millis(300)).await;
    let studio = bench.studio(api);
    let face = bench.asset_face(&studio).await;
    let video = bench
        .clip(&studio, &face, AssetType::Video, "/media/talent-3s.mp4")
        .await;
    let voice = bench
        .clip(&studio, &face, AssetType::Audio, "/media/tone-3s.wav")
        .await;
    let other = bench.asset_face(&studio).await;
    assert_ne!(other.group_id, face.group_id, "a second verified person");
    let others_video = bench
        .clip(&studio, &other, AssetType::Video, "/media/ok-3s-25fps.mp4")
        .await;

    let options = studio.video_options().unwrap();
    let offered: Vec<&str> = options.clips.iter().map(|c| c.asset_id.as_str()).collect();
    for id in [&video.asset_id, &voice.asset_id, &others_video.asset_id] {
        assert!(offered.contains(&id.as_str()), "{id} offered: {offered:?}");
    }
    assert!(
        options
            .faces
            .iter()
            .all(|f| f.asset_type == AssetType::Image),
        "clips are not faces"
    );
    let model = options
        .models
        .iter()
        .find(|m| m.id == options.default_model)
        .unwrap();
    assert_eq!(
        (model.max_reference_videos, model.max_reference_audios),
        (3, 3)
    );

    let with = |videos: &[&str], audios: &[&str]| VideoRequest {
        reference_videos: videos.iter().map(|s| s.to_string()).collect(),
        reference_audios: audios.iter().map(|s| s.to_string()).collect(),
        ..request(&face.asset_id)
    };
    let refused = |e: likeness::error::Error, says: &str| {
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
        assert_eq!(e.field(), Some("clips"), "{e}");
        assert!(e.to_string().contains(says), "{says}: {e}");
    };
    refused(
        studio
            .quote_video(&with(&[&others_video.asset_id], &[]))
            .await
            .unwrap_err(),
        "one verified person",
    );
    refused(
        studio
            .quote_video(&with(&[&voice.asset_id], &[]))
            .await
            .unwrap_err(),
        "is a voice clip, not a video",
    );
    let four = [video.asset_id.as_str(); 4];
    refused(
        studio.quote_video(&with(&four, &[])).await.unwrap_err(),
        "at most 3",
    );
    if api == Api::Crun {
        let mut fast = with(&[&video.asset_id], &[]);
        fast.model = Some("seedance-2.0-fast".into());
        refused(
            studio.quote_video(&fast).await.unwrap_err(),
            "choose Seedance 2.0",
        );
    }
    assert_eq!(bench.rehearsal.video_counts().submitted, 0);

    let quoted = studio
        .quote_video(&with(&[&video.asset_id], &[&voice.asset_id]))
        .await
        .unwrap();
    assert_eq!(quoted.reference_videos, [video.asset_id.as_str()]);
    assert_eq!(quoted.reference_audios, [voice.asset_id.as_str()]);
    let queued = studio.confirm_video(&quoted.id, false).await.unwrap();
    let got = bench
        .rehearsal
        .video_media(queued.remote_id.as_deref().unwrap())
        .expect("Rehearsal made the job");
    assert_eq!(got.images, [face.asset_id.as_str()]);
    assert_eq!(got.videos, [video.asset_id.as_str()]);
    assert_eq!(got.audios, [voice.asset_id.as_str()]);
    assert!(got.generate_audio, "a voice clip is for the soundtrack");
    let done = until_job(&studio, &quoted.id, finished).await;
    assert_eq!(done.state, JobState::Completed, "{:?}", done.error);
    assert_eq!(done.reference_videos, [video.asset_id.as_str()]);
    assert_mp4(done.local_path.as_deref().unwrap());
}

#[tokio::test]
async fn anyfast_sends_the_persons_clips_as_reference_video_and_audio_items() {
    clips_go_with_the_face(Api::Anyfast).await;
}

#[tokio::test]
async fn crun_sends_the_persons_clips_as_reference_lists() {
    clips_go_with_the_face(Api::Crun).await;
}

async fn failing_prompt(marker: &str) -> VideoJob {
    let bench = Bench::new(Duration::from_millis(300)).await;
    let studio = bench.studio(Api::BlockRunWallet);
    let face = bench.portrait(&studio).await;
    let settled_before = bench.rehearsal.settlements();
    let mut r = request(&face.asset_id);
    r.prompt = format!("{PROMPT} {marker}");
    let quoted = studio.quote_video(&r).await.unwrap();
    studio.confirm_video(&quoted.id, false).await.unwrap();
    let done = until_job(&studio, &quoted.id, finished).await;
    assert_eq!(done.state, JobState::Failed);
    assert_eq!(done.charged, Some(false));
    assert_eq!(bench.rehearsal.settlements(), settled_before, "not charged");
    let rows = video_rows(&bench.library, &done.id);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, PaymentStatus::NotCharged);
    assert!(done.local_path.is_none());
    let e = studio
        .save_video_to(&done.id, &std::env::temp_dir().join("never.mp4"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not on this computer yet"), "{e}");
    let words = done.error.clone().unwrap();
    assert!(words.contains("Nothing was charged."), "{words}");
    assert_eq!(done.charge_note.as_deref(), Some("Nothing was charged."));
    done
}

#[tokio::test]
async fn a_failed_video_costs_nothing_and_says_so() {
    let done = failing_prompt(VIDEO_FAIL_MARKER).await;
    assert!(
        done.error.unwrap().contains("could not make this video"),
        "plain words"
    );
}

#[tokio::test]
async fn an_output_moderation_refusal_says_what_happened() {
    let done = failing_prompt(MODERATION_MARKER).await;
    let words = done.error.unwrap();
    assert!(words.contains("output check turned down"), "{words}");
    assert!(words.contains("Change the prompt"), "{words}");
}

#[tokio::test]
async fn a_restart_mid_job_resumes_polling_and_still_settles_once() {
    let bench = Bench::new(Duration::from_secs(60)).await;
    let first = bench.studio(Api::BlockRunWallet);
    let face = bench.portrait(&first).await;
    let quoted = first.quote_video(&request(&face.asset_id)).await.unwrap();
    first.confirm_video(&quoted.id, false).await.unwrap();
    until_job(&first, &quoted.id, |j| j.state.at_provider()).await;
    // The app closes while the video is being made.
    first.stop();
    drop(first);

    let second = bench.studio(Api::BlockRunWallet);
    let resumed = second.resume_jobs().unwrap();
    assert!(resumed.iter().any(|j| j.id == quoted.id));
    bench.rehearsal.finish_videos_now();
    let done = until_job(&second, &quoted.id, finished).await;
    assert_eq!(done.state, JobState::Completed, "{:?}", done.error);
    assert_mp4(done.local_path.as_deref().unwrap());
    assert_eq!(bench.rehearsal.video_counts().settlements, 1);
    let rows = video_rows(&bench.library, &done.id);
    assert_eq!(rows.len(), 1, "the same payment, re-sent on every poll");
    assert_eq!(rows[0].status, PaymentStatus::Settled);
}

/// Two desks on the studio database: the desk that sent the job polls it under its lease; the
/// other, started meanwhile, neither polls nor settles it, says which desk does, and shows the
/// video once it is made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_desk_shows_the_job_the_first_desk_polls() {
    let Some(url) = pg::fresh_database_url("video_desks") else {
        return;
    };
    let mut bench = Bench::new(Duration::from_secs(60)).await;
    bench.library = Arc::new(Library::connect(&url, None, "desk-1").unwrap());
    let first = bench.studio(Api::BlockRunWallet);
    let face = bench.portrait(&first).await;
    let quoted = first.quote_video(&request(&face.asset_id)).await.unwrap();
    first.confirm_video(&quoted.id, false).await.unwrap();
    until_job(&first, &quoted.id, |j| j.state.at_provider()).await;

    let desk2 = Arc::new(Library::connect(&url, None, "desk-2").unwrap());
    let second = bench.studio_on(
        Arc::clone(&desk2),
        Api::BlockRunWallet,
        Some(bench.dir.path().join("media-2")),
    );
    let mut updates = second.subscribe_jobs();
    let resumed = second.resume_jobs().unwrap();
    assert!(resumed.iter().any(|j| j.id == quoted.id));
    let shown = tokio::time::timeout(Duration::from_secs(10), updates.recv())
        .await
        .expect("desk 2 shows the job")
        .unwrap();
    assert!(
        shown
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("desk-1 is checking this video")),
        "{shown:?}"
    );
    bench.rehearsal.finish_videos_now();
    let done = until_job(&first, &quoted.id, finished).await;
    assert_eq!(done.state, JobState::Completed, "{:?}", done.error);
    let seen = loop {
        let j = tokio::time::timeout(Duration::from_secs(10), updates.recv())
            .await
            .expect("desk 2 shows the result")
            .unwrap();
        if j.state.is_final() {
            break j;
        }
    };
    assert_eq!(seen.state, JobState::Completed);
    assert_eq!(seen.local_path, done.local_path, "desk 1's download, shown");
    assert!(
        !bench.dir.path().join("media-2").exists(),
        "desk 2 fetched nothing"
    );
    assert_eq!(bench.rehearsal.video_counts().settlements, 1);
    assert_eq!(video_rows(&desk2, &done.id).len(), 1);
}

#[tokio::test]
async fn a_failed_download_is_retried_without_another_poll_or_charge() {
    let bench = Bench::new(Duration::from_millis(300)).await;
    // The media folder's place is taken by a file, so the first download cannot be saved.
    let media = bench.media();
    std::fs::write(&media, b"not a folder").unwrap();
    let studio = bench.studio_with(Api::BlockRunWallet, Some(media.clone()));
    let face = bench.portrait(&studio).await;
    let quoted = studio.quote_video(&request(&face.asset_id)).await.unwrap();
    studio.confirm_video(&quoted.id, false).await.unwrap();
    let stuck = until_job(&studio, &quoted.id, |j| {
        j.state == JobState::Downloading && j.error.is_some()
    })
    .await;
    assert!(
        stuck.error.as_deref().unwrap().contains("Press Download"),
        "{:?}",
        stuck.error
    );
    assert_eq!(stuck.charged, Some(true));
    let polls = bench.rehearsal.video_counts().polls;

    std::fs::remove_file(&media).unwrap();
    let done = studio.download_job(&quoted.id).await.unwrap();
    assert_eq!(done.state, JobState::Completed);
    assert!(done.error.is_none());
    assert_mp4(done.local_path.as_deref().unwrap());
    let counts = bench.rehearsal.video_counts();
    assert_eq!(counts.polls, polls, "the provider is not asked again");
    assert_eq!(counts.settlements, 1);
}

#[tokio::test]
async fn options_outside_the_documented_values_are_refused_before_any_request() {
    let bench = Bench::new(Duration::from_millis(300)).await;
    let studio = bench.studio(Api::BlockRunWallet);
    let face = bench.portrait(&studio).await;
    let refused = |e: likeness::Error, field: &str| {
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
        assert_eq!(e.field(), Some(field), "{e}");
    };

    let mut r = request(&face.asset_id);
    r.resolution = Some("1080p".into());
    r.model = Some("seedance-2.0-fast".into());
    refused(studio.quote_video(&r).await.unwrap_err(), "resolution");
    let mut r = request(&face.asset_id);
    r.duration_seconds = Some(16);
    refused(studio.quote_video(&r).await.unwrap_err(), "duration");
    refused(
        studio
            .quote_video(&request("ta_unknown"))
            .await
            .unwrap_err(),
        "face",
    );

    // Rehearsal now plays Anyfast: the ta_ face is not usable with it.
    studio.set_provider(bench.provider(Api::Anyfast));
    let options = studio.video_options().unwrap();
    assert!(options.faces.is_empty(), "ta_ faces are not offered here");
    let e = studio
        .quote_video(&request(&face.asset_id))
        .await
        .unwrap_err();
    refused(e, "face");

    assert_eq!(bench.rehearsal.video_counts().submitted, 0);
    assert!(studio.list_jobs().unwrap().is_empty());
}

#[tokio::test]
async fn a_declined_price_signs_nothing() {
    let bench = Bench::new(Duration::from_millis(300)).await;
    let studio = bench.studio(Api::BlockRunWallet);
    let face = bench.portrait(&studio).await;
    let quoted = studio.quote_video(&request(&face.asset_id)).await.unwrap();
    let declined = studio.decline_video(&quoted.id).unwrap();
    assert_eq!(declined.state, JobState::Failed);
    assert_eq!(
        declined.charge_note.as_deref(),
        Some("Nothing was charged.")
    );
    assert!(video_rows(&bench.library, &quoted.id).is_empty());
    let e = studio.confirm_video(&quoted.id, false).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert_eq!(bench.rehearsal.video_counts().submitted, 0);
}

#[tokio::test]
async fn jarvisclaw_polls_its_signed_address_with_the_same_payment() {
    let bench = Bench::with_gateway(Duration::from_millis(300), ProviderApi::JarvisClaw).await;
    let studio = bench.studio(Api::JarvisClawWallet);
    let face = bench.portrait(&studio).await;
    let quoted = studio.quote_video(&request(&face.asset_id)).await.unwrap();
    let queued = studio.confirm_video(&quoted.id, false).await.unwrap();
    let poll_url = queued.poll_url.clone().unwrap();
    assert!(
        poll_url.starts_with("/v1/videos/generations/") && poll_url.contains("sig="),
        "{poll_url}"
    );
    let done = until_job(&studio, &quoted.id, finished).await;
    assert_eq!(done.state, JobState::Completed, "{:?}", done.error);
    assert_mp4(done.local_path.as_deref().unwrap());
    assert_eq!(bench.rehearsal.video_counts().settlements, 1);
    assert_eq!(
        video_rows(&bench.library, &done.id)[0].status,
        PaymentStatus::Settled
    );
}

/// Runs the `likeness` binary against the bench's Rehearsal and library, on the key rail.
async fn cli(bench: &Bench, args: &[&str]) -> std::process::Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_likeness"));
    c.args([
        "--json",
        "--yes",
        "--api-key-env",
        "LIKENESS_TEST_KEY",
        "--base-url",
    ])
    .arg(bench.rehearsal.base_url().as_str())
    .arg("--data-dir")
    .arg(bench.dir.path())
    .args(args)
    .env("LIKENESS_TEST_KEY", TEST_API_KEY)
    .env("LIKENESS_KEYRING_SERVICE", "likeness-video-cli-test-unused")
    .stdin(std::process::Stdio::null());
    tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap()
}

fn last_line(out: &std::process::Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_else(|| {
        panic!(
            "no output; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_creates_waits_for_and_reports_a_video() {
    let bench = Bench::new(Duration::from_millis(300)).await;
    let studio = bench.studio(Api::BlockRunKey);
    let face = bench.portrait(&studio).await;
    studio.stop();

    let out = cli(
        &bench,
        &[
            "video",
            "create",
            "--face",
            &face.asset_id,
            "--prompt",
            PROMPT,
            "--model",
            "seedance-2.0-fast",
            "--duration",
            "6",
            "--ratio",
            "9:16",
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let job = last_line(&out)["result"].clone();
    let id = job["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("vid_"), "{job}");
    assert_eq!(job["state"], "queued");
    assert_eq!(job["durationSeconds"], 6);
    assert_eq!(job["aspectRatio"], "9:16");

    let saved = bench.dir.path().join("out");
    // Rehearsal makes it in 300 ms: the first look finds it made, without the 13.5 s wait.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let out = cli(
        &bench,
        &[
            "video",
            "wait",
            "--id",
            &id,
            "--out",
            saved.to_str().unwrap(),
        ],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let job = last_line(&out)["result"].clone();
    assert_eq!(job["state"], "completed", "{job}");
    let path = job["localPath"].as_str().unwrap();
    assert_eq!(std::path::Path::new(path), saved.join(format!("{id}.mp4")));
    assert_mp4(path);

    let out = cli(&bench, &["video", "status", "--id", &id]).await;
    assert_eq!(last_line(&out)["result"]["state"], "completed");

    // Refusals come before any request, and a failed job exits non-zero saying what it cost.
    let out = cli(
        &bench,
        &[
            "video",
            "create",
            "--face",
            &face.asset_id,
            "--prompt",
            PROMPT,
            "--duration",
            "16",
        ],
    )
    .await;
    assert!(!out.status.success());
    assert_eq!(last_line(&out)["error"]["field"], "duration");
    // BlockRun takes no group clips: the flags reach the same check.
    let out = cli(
        &bench,
        &[
            "video",
            "create",
            "--face",
            &face.asset_id,
            "--prompt",
            PROMPT,
            "--reference-video",
            "asset-20260702223855-bdv2r",
            "--reference-audio",
            "asset-20260702223855-bdv2s",
        ],
    )
    .await;
    assert!(!out.status.success());
    assert_eq!(last_line(&out)["error"]["field"], "clips");
    let out = cli(
        &bench,
        &[
            "video",
            "create",
            "--face",
            &face.asset_id,
            "--prompt",
            &format!("{PROMPT} {VIDEO_FAIL_MARKER}"),
        ],
    )
    .await;
    let id = last_line(&out)["result"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let out = cli(
        &bench,
        &[
            "video",
            "wait",
            "--id",
            &id,
            "--out",
            saved.to_str().unwrap(),
        ],
    )
    .await;
    assert!(!out.status.success());
    let message = last_line(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("Nothing was charged."), "{message}");
}
