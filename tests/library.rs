//! The library's suite, run once per backend: the desk's SQLite file and the studio's shared
//! PostgreSQL database (a fresh database per test on the cluster `scripts/pg-cluster` starts).
//! Every test asserts the same behaviour on both; what only one backend has (a file reopened,
//! the studio caps, moving a file into the shared database) follows the suite.

#[path = "common/postgres.rs"]
mod pg;

use std::sync::{Arc, Barrier};

use likeness::error::{DatabaseProblem, Error};
use likeness::flow::SessionState;
use likeness::library::*;
use likeness::media::AssetType;
use likeness::providers::{AssetStatus, ProviderKind};
use likeness::spend::SpendCaps;
use likeness::video::{JobState, SeedanceTier, VideoJob, VideoSpec};

fn sqlite() -> Option<Library> {
    Some(Library::open_in_memory().unwrap())
}

fn postgres() -> Option<Library> {
    let url = pg::fresh_database_url("library")?;
    Some(Library::connect(&url, None, "desk-1").unwrap())
}

/// Two libraries on one store, as two desks (or the app and the CLI) have it.
fn sqlite_pair() -> Option<(Library, Library, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    Some((
        Library::open(&path).unwrap(),
        Library::open(&path).unwrap(),
        Some(dir),
    ))
}

fn postgres_pair() -> Option<(Library, Library, Option<tempfile::TempDir>)> {
    let url = pg::fresh_database_url("pair")?;
    Some((
        Library::connect(&url, None, "desk-1").unwrap(),
        Library::connect(&url, None, "desk-2").unwrap(),
        None,
    ))
}

fn session(id: &str, state: SessionState, created: i64) -> LivenessSession {
    LivenessSession {
        id: id.into(),
        provider: ProviderKind::Rehearsal,
        group_id: "legacy_rf_1".into(),
        talent_name: "Ada".into(),
        image_url: "https://x/a.jpg".into(),
        h5_link: "http://h/?a=1&b=2".into(),
        expires_at_ms: 120_000,
        link_issued_at_ms: 0,
        state,
        asset_id: None,
        created_at_ms: created,
        updated_at_ms: created,
        photo_override: None,
        liveness_token: None,
        talent_consent: None,
        operator: "Grace".into(),
    }
}

fn filed(asset_id: &str, name: &str, provider: ProviderKind, kind: FaceKind) -> Face {
    Face {
        asset_id: asset_id.into(),
        provider,
        kind,
        name: name.into(),
        image_url: "https://x/a.jpg".into(),
        thumbnail: None,
        group_id: Some(format!("g_{asset_id}")),
        enrolled_at_ms: 5,
        price_usd: None,
        tx_hash: Some("0xtx".into()),
        photo_override: None,
        asset_type: AssetType::Image,
        status: AssetStatus::Active,
        status_message: None,
        consent: None,
        revoked: None,
        tags: Vec::new(),
    }
}

fn record(id: &str, nonce: &str, amount: &str, status: PaymentStatus, at: i64) -> PaymentRecord {
    PaymentRecord {
        id: id.into(),
        provider: ProviderKind::Rehearsal,
        purpose: "realface:ses_1".into(),
        amount_atomic: amount.into(),
        payee: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C".into(),
        network: "base-sepolia".into(),
        asset_contract: "0x036CbD53842c5426634e7929541eC2318f3dCF7e".into(),
        nonce: nonce.into(),
        header_name: "PAYMENT-SIGNATURE".into(),
        header_value: "eyJ4NDAy".into(),
        status,
        settlement_tx: None,
        asset_id: None,
        created_at_ms: at,
        updated_at_ms: at,
        operator: "Grace".into(),
    }
}

fn job(id: &str, at: i64) -> VideoJob {
    let spec = VideoSpec {
        face_asset_id: "ta_1".into(),
        prompt: "waves".into(),
        model: "bytedance/seedance-2.0-fast".into(),
        tier: SeedanceTier::Fast,
        duration_seconds: 5,
        resolution: "720p".into(),
        aspect_ratio: "16:9".into(),
        reference_videos: Vec::new(),
        reference_audios: Vec::new(),
    };
    let mut job = VideoJob::new(id.into(), ProviderKind::Rehearsal, &spec, at);
    job.operator = "Grace".into();
    job
}

fn caps(per_payment_usd: u128, daily_usd: u128) -> SpendCaps {
    SpendCaps {
        per_payment_atomic: per_payment_usd * 1_000_000,
        daily_atomic: daily_usd * 1_000_000,
    }
}

macro_rules! suite {
    ($backend:ident, $pair:ident) => {
        mod $backend {
            use super::*;

            fn open() -> Option<Library> {
                super::$backend()
            }

            #[test]
            fn sessions_round_trip_and_only_open_ones_are_listed() {
                let Some(lib) = open() else { return };
                lib.save_session(&session("a", SessionState::AwaitingScan, 1))
                    .unwrap();
                lib.save_session(&session("b", SessionState::Enrolled, 2))
                    .unwrap();
                lib.save_session(&session("c", SessionState::Expired, 3))
                    .unwrap();
                assert_eq!(
                    lib.session("a").unwrap(),
                    session("a", SessionState::AwaitingScan, 1)
                );
                let open: Vec<_> = lib
                    .open_sessions()
                    .unwrap()
                    .into_iter()
                    .map(|s| s.id)
                    .collect();
                assert_eq!(open, ["c", "a"]);
                let mut a = lib.session("a").unwrap();
                a.state = SessionState::Verified;
                a.h5_link = "http://h/new".into();
                lib.save_session(&a).unwrap();
                assert_eq!(lib.session("a").unwrap().h5_link, "http://h/new");
                assert!(matches!(lib.session("zzz"), Err(Error::NotFound(_))));
            }

            #[test]
            fn account_billed_steps_are_listed_beside_the_ledger() {
                let Some(lib) = open() else { return };
                let account = |operator: &str| ConsentRecord {
                    operator: operator.into(),
                    recorded_at_ms: 5,
                    liveness_ref: None,
                    file_sha256: None,
                    payment: Some(ConsentPayment::Account {
                        provider: ProviderKind::Anyfast,
                    }),
                    hosted_copy_deleted_at_ms: None,
                    release: None,
                };
                let mut photo = filed("asset-p", "Ada", ProviderKind::Anyfast, FaceKind::Asset);
                photo.enrolled_at_ms = 10;
                photo.consent = Some(account("Grace"));
                let mut voice = filed("asset-v", "Ada", ProviderKind::Anyfast, FaceKind::Asset);
                voice.asset_type = AssetType::Audio;
                voice.enrolled_at_ms = 20;
                voice.price_usd = Some("0.05".into());
                voice.consent = Some(account("Grace"));
                // Paid from the wallet, or never billed: not an account's charge.
                let wallet = filed("ta_w", "Zoe", ProviderKind::BlockRun, FaceKind::RealFace);
                for f in [&photo, &voice, &wallet] {
                    lib.save_face(f).unwrap();
                }
                let mut sent = job("vid_sent", 30);
                sent.face_asset_id = "asset-p".into();
                sent.provider = ProviderKind::Anyfast;
                sent.submitted_at_ms = Some(40);
                let mut free = job("vid_free", 31);
                free.submitted_at_ms = Some(41);
                free.charged = Some(false);
                let mut paid = job("vid_paid", 32);
                paid.submitted_at_ms = Some(42);
                paid.payment_id = Some("pay_1".into());
                let unsent = job("vid_unsent", 33);
                for j in [&sent, &free, &paid, &unsent] {
                    lib.save_job(j).unwrap();
                }
                let charges = lib.account_charges().unwrap();
                let seen: Vec<(&str, ChargeKind, &str, Option<&str>, &str)> = charges
                    .iter()
                    .map(|c| {
                        (
                            c.reference.as_str(),
                            c.kind,
                            c.name.as_str(),
                            c.reported_usd.as_deref(),
                            c.operator.as_str(),
                        )
                    })
                    .collect();
                assert_eq!(
                    seen,
                    [
                        ("vid_sent", ChargeKind::Video, "Ada", None, "Grace"),
                        (
                            "asset-v",
                            ChargeKind::VoiceClip,
                            "Ada",
                            Some("0.05"),
                            "Grace"
                        ),
                        ("asset-p", ChargeKind::Face, "Ada", None, "Grace"),
                    ],
                    "newest first; the wallet's, the free and the unsent are not"
                );
                assert_eq!(charges[0].at_ms, 40, "a job is billed when sent");
            }

            #[test]
            fn release_templates_are_versioned_and_old_versions_kept() {
                let Some(lib) = open() else { return };
                let default = lib.release_template().unwrap();
                assert_eq!(default, ReleaseTemplate::default());
                assert_eq!(default.version, 0);
                assert!(lib.release_templates().unwrap().is_empty());
                let mut t = ReleaseTemplate {
                    production: "Northwind Pictures".into(),
                    term_months: 6,
                    ..ReleaseTemplate::default()
                };
                let v1 = lib.save_release_template(&t, 10).unwrap();
                assert_eq!((v1.version, v1.saved_at_ms), (1, 10));
                assert_eq!(
                    lib.save_release_template(&t, 11).unwrap(),
                    v1,
                    "the same terms keep the version in force"
                );
                t.territory = "European Union".into();
                let v2 = lib.save_release_template(&t, 12).unwrap();
                assert_eq!(v2.version, 2);
                assert!(v2.text().contains("Territory: European Union"));
                assert_eq!(lib.release_template().unwrap(), v2);
                let versions: Vec<u32> = lib
                    .release_templates()
                    .unwrap()
                    .iter()
                    .map(|t| t.version)
                    .collect();
                assert_eq!(versions, [2, 1]);
                assert_eq!(lib.release_version(1).unwrap(), v1);
                assert_eq!(lib.release_version(0).unwrap(), ReleaseTemplate::default());
                assert!(matches!(lib.release_version(9), Err(Error::NotFound(_))));
                t.term_months = 0;
                assert!(matches!(
                    lib.save_release_template(&t, 13),
                    Err(Error::Invalid {
                        field: "release_term_months",
                        ..
                    })
                ));
                assert_eq!(lib.release_template().unwrap(), v2, "nothing saved");
            }

            #[test]
            fn a_face_keeps_the_release_its_talent_agreed_to_and_its_revocation() {
                let Some(lib) = open() else { return };
                let release = ReleaseTemplate::default()
                    .agreed("Ada Lovelace", 1_000)
                    .unwrap();
                let mut f = filed("ta_r", "Ada", ProviderKind::Rehearsal, FaceKind::RealFace);
                f.consent = Some(ConsentRecord {
                    operator: "Grace".into(),
                    recorded_at_ms: 2_000,
                    liveness_ref: Some(liveness_ref("ses_r", "g_r")),
                    file_sha256: Some("ab".repeat(32)),
                    payment: None,
                    hosted_copy_deleted_at_ms: None,
                    release: Some(release.clone()),
                });
                lib.save_face(&f).unwrap();
                assert_eq!(lib.face("ta_r").unwrap(), f);
                // A later save (a sync, a rename) never rewrites what the talent agreed to.
                let mut again = f.clone();
                again.name = "Ada L.".into();
                again.consent.as_mut().unwrap().release = Some(
                    ReleaseTemplate::default()
                        .agreed("Someone else", 5)
                        .unwrap(),
                );
                lib.save_face(&again).unwrap();
                let kept = lib.face("ta_r").unwrap();
                assert_eq!(kept.release(), Some(&release));
                assert_eq!(kept.name, "Ada L.");
                let row = lib.face_summaries().unwrap().pop().unwrap();
                assert_eq!(row.consent_ends_at_ms, Some(release.ends_at_ms));
                assert_eq!(row.revoked_at_ms, None);
                assert!(!row.withdrawn(release.ends_at_ms - 1));
                assert!(
                    row.withdrawn(release.ends_at_ms),
                    "past its end it acts revoked"
                );

                let revoked = lib
                    .revoke_face("ta_r", " asked by her agent ", 3_000)
                    .unwrap();
                let r = revoked.revoked.clone().unwrap();
                assert_eq!((r.at_ms, r.reason.as_str()), (3_000, "asked by her agent"));
                assert_eq!(
                    lib.revoke_face("ta_r", "again", 4_000).unwrap().revoked,
                    Some(r.clone()),
                    "the first revocation is kept"
                );
                lib.save_face(&again).unwrap();
                assert_eq!(
                    lib.face("ta_r").unwrap().revoked,
                    Some(r),
                    "a save keeps it"
                );
                let row = lib.face_summaries().unwrap().pop().unwrap();
                assert_eq!(row.revoked_at_ms, Some(3_000));
                assert!(row.withdrawn(0));
                let refused = lib.face("ta_r").unwrap().check_usable(3_001).unwrap_err();
                assert_eq!(refused.code(), likeness::error::ErrorCode::ConsentRevoked);
                assert!(matches!(
                    lib.revoke_face("ta_none", "", 1),
                    Err(Error::NotFound(_))
                ));

                // A face from before releases were kept: no record, and still usable.
                let old = filed("ta_old", "Bo", ProviderKind::Rehearsal, FaceKind::RealFace);
                lib.save_face(&old).unwrap();
                let old = lib.face("ta_old").unwrap();
                assert_eq!(old.release(), None);
                assert!(old.check_usable(i64::MAX).is_ok());
            }

            #[test]
            fn a_person_is_renamed_and_tagged_whole_and_the_consent_record_stays_as_agreed() {
                let Some(lib) = open() else { return };
                let release = ReleaseTemplate::default()
                    .agreed("Ada Lovelace", 1_000)
                    .unwrap();
                let mut ada = filed(
                    "ta_ada",
                    "Ada Lovelace",
                    ProviderKind::BlockRun,
                    FaceKind::RealFace,
                );
                ada.consent = Some(ConsentRecord {
                    operator: "Grace".into(),
                    recorded_at_ms: 2_000,
                    liveness_ref: Some(liveness_ref("ses_a", "g_ta_ada")),
                    file_sha256: Some("ab".repeat(32)),
                    payment: None,
                    hosted_copy_deleted_at_ms: None,
                    release: Some(release.clone()),
                });
                lib.save_face(&ada).unwrap();
                // One BytePlus person with a photo and a video, and another person.
                let mut photo = filed("asset-1", "Zoë", ProviderKind::Anyfast, FaceKind::Asset);
                photo.group_id = Some("group-z".into());
                let mut video = photo.clone();
                video.asset_id = "asset-2".into();
                video.asset_type = AssetType::Video;
                let mut other = photo.clone();
                other.asset_id = "asset-3".into();
                other.name = "Bo".into();
                other.group_id = Some("group-b".into());
                for f in [&photo, &video, &other] {
                    lib.save_face(f).unwrap();
                }

                let renamed = lib.rename_face("ta_ada", "  Ada King ").unwrap();
                assert_eq!(renamed.name, "Ada King", "trimmed");
                // A sync from the provider lists the name given at enrollment: the rename stays,
                // and a face the library has no name for takes the listing's.
                let listed = |asset_id: &str, name: &str| likeness::providers::RemoteFace {
                    kind: likeness::providers::RemoteFaceKind::RealFace,
                    asset_id: asset_id.into(),
                    group_id: Some(format!("g_{asset_id}")),
                    name: name.into(),
                    image_url: "https://x/a.jpg".into(),
                    created_at: None,
                    tx_hash: None,
                };
                let nameless = filed(
                    "ta_nameless",
                    "",
                    ProviderKind::BlockRun,
                    FaceKind::RealFace,
                );
                lib.save_face(&nameless).unwrap();
                let report = lib
                    .merge_remote_faces(
                        ProviderKind::BlockRun,
                        &[
                            listed("ta_ada", "Ada Lovelace"),
                            listed("ta_nameless", "Listed Name"),
                        ],
                        3_000,
                    )
                    .unwrap();
                assert_eq!((report.unchanged, report.updated), (1, 1), "{report:?}");
                assert_eq!(lib.face("ta_ada").unwrap().name, "Ada King");
                assert_eq!(lib.face("ta_nameless").unwrap().name, "Listed Name");
                assert_eq!(
                    renamed.consent, ada.consent,
                    "the record is history: untouched"
                );
                assert_eq!(
                    renamed.release().unwrap().typed_name,
                    "Ada Lovelace",
                    "what the talent typed stays"
                );

                lib.rename_face("asset-2", "Zoë Ødegaard").unwrap();
                assert_eq!(
                    lib.face("asset-1").unwrap().name,
                    "Zoë Ødegaard",
                    "the whole person"
                );
                assert_eq!(
                    lib.face("asset-3").unwrap().name,
                    "Bo",
                    "not another person"
                );

                let tagged = lib
                    .set_face_tags(
                        "asset-1",
                        &[" Northwind spring ", "stunt", "NORTHWIND SPRING", ""],
                    )
                    .unwrap();
                assert_eq!(tagged.tags, ["Northwind spring", "stunt"]);
                assert_eq!(lib.face("asset-2").unwrap().tags, tagged.tags);
                assert!(lib.face("asset-3").unwrap().tags.is_empty());
                assert!(lib.face("ta_ada").unwrap().tags.is_empty());

                // A later save (an enrollment, a status) keeps the tags: only set_face_tags changes them.
                lib.save_face(&video).unwrap();
                assert_eq!(lib.face("asset-2").unwrap().tags, tagged.tags);

                // The list carries the tags (from its covering index) and the search finds them.
                let rows = lib.face_summaries().unwrap();
                for row in &rows {
                    assert_eq!(row, &FaceSummary::from(&lib.face(&row.asset_id).unwrap()));
                }
                let hits: Vec<&str> = filter(&rows, "STUNT", None, None)
                    .into_iter()
                    .map(|r| r.asset_id.as_str())
                    .collect();
                assert_eq!(hits.len(), 2, "{hits:?}");
                assert!(hits.contains(&"asset-1") && hits.contains(&"asset-2"));
                assert!(FaceFilter::new("northwind", None, None).matches_face(&tagged));

                // Clearing them: none left.
                assert!(lib
                    .set_face_tags::<&str>("asset-2", &[])
                    .unwrap()
                    .tags
                    .is_empty());
                assert!(lib.face("asset-1").unwrap().tags.is_empty());

                // Refusals say which field, and change nothing.
                assert!(matches!(
                    lib.rename_face("ta_ada", "   "),
                    Err(Error::Invalid { field: "name", .. })
                ));
                assert!(matches!(
                    lib.rename_face("ta_ada", &"x".repeat(65)),
                    Err(Error::Invalid { field: "name", .. })
                ));
                let many: Vec<String> = (0..13).map(|i| format!("t{i}")).collect();
                assert!(matches!(
                    lib.set_face_tags("ta_ada", &many),
                    Err(Error::Invalid { field: "tags", .. })
                ));
                assert_eq!(lib.face("ta_ada").unwrap().name, "Ada King");
                assert!(lib.face("ta_ada").unwrap().tags.is_empty());
                assert!(matches!(
                    lib.rename_face("ta_none", "Bo"),
                    Err(Error::NotFound(_))
                ));
                assert!(matches!(
                    lib.set_face_tags("ta_none", &["a"]),
                    Err(Error::NotFound(_))
                ));
            }

            #[test]
            fn a_session_keeps_the_talents_consent_and_waits_for_it_in_the_open_list() {
                let Some(lib) = open() else { return };
                let mut s = session("w", SessionState::AwaitingConsent, 1);
                s.h5_link = String::new();
                lib.save_session(&s).unwrap();
                assert_eq!(lib.session("w").unwrap(), s);
                assert_eq!(
                    lib.open_sessions().unwrap().len(),
                    1,
                    "waiting for consent is open"
                );
                s.state = SessionState::Consented;
                s.talent_consent = Some(
                    ReleaseTemplate::default()
                        .agreed("Ada Lovelace", 7)
                        .unwrap(),
                );
                lib.save_session(&s).unwrap();
                assert_eq!(lib.session("w").unwrap(), s);
                assert_eq!(lib.open_sessions().unwrap(), [s]);
            }

            #[test]
            fn faces_merge_by_asset_id_keeping_local_fields() {
                let Some(lib) = open() else { return };
                let mut f = Face {
                    asset_id: "ta_1".into(),
                    provider: ProviderKind::Rehearsal,
                    kind: FaceKind::RealFace,
                    name: "Ada".into(),
                    image_url: "https://x/a.jpg".into(),
                    thumbnail: Some("data:image/jpeg;base64,AA==".into()),
                    group_id: Some("legacy_rf_1".into()),
                    enrolled_at_ms: 5,
                    price_usd: Some("0.010000".into()),
                    tx_hash: None,
                    photo_override: Some("face_count".into()),
                    asset_type: AssetType::Image,
                    status: AssetStatus::Active,
                    status_message: None,
                    consent: None,
                    revoked: None,
                    tags: Vec::new(),
                };
                lib.save_face(&f).unwrap();
                f.thumbnail = None;
                f.photo_override = None;
                f.name = "Ada L.".into();
                lib.save_face(&f).unwrap();
                let faces = lib.faces().unwrap();
                assert_eq!(faces.len(), 1);
                assert_eq!(faces[0].name, "Ada L.");
                assert!(
                    faces[0].thumbnail.is_some(),
                    "a sync without a thumbnail must keep the local one"
                );
                assert_eq!(
                    faces[0].photo_override.as_deref(),
                    Some("face_count"),
                    "the override stays on the face's record"
                );
            }

            #[test]
            fn the_consent_record_is_filed_once_and_never_rewritten() {
                let Some(lib) = open() else { return };
                let mut f = filed("ta_1", "Ada", ProviderKind::Rehearsal, FaceKind::RealFace);
                let record = ConsentRecord {
                    operator: "Grace".into(),
                    recorded_at_ms: 7,
                    liveness_ref: Some(liveness_ref("ses_1", "g_ta_1")),
                    file_sha256: Some("ab".repeat(32)),
                    payment: Some(ConsentPayment::X402 {
                        ledger_id: "pay_1".into(),
                        tx_hash: Some("0xtx".into()),
                    }),
                    // The hosted copy's deletion is part of the record, kept like the rest.
                    hosted_copy_deleted_at_ms: Some(9),
                    release: None,
                };
                f.consent = Some(record.clone());
                lib.save_face(&f).unwrap();
                assert_eq!(lib.face("ta_1").unwrap(), f, "filed as given");

                // A later save (a status change, a sync) without a record, or with another, keeps it.
                f.consent = None;
                f.status = AssetStatus::Failed;
                lib.save_face(&f).unwrap();
                let mut other = record.clone();
                other.operator = "Mallory".into();
                other.hosted_copy_deleted_at_ms = Some(10);
                f.consent = Some(other);
                lib.save_face(&f).unwrap();
                let back = lib.face("ta_1").unwrap();
                assert_eq!(back.status, AssetStatus::Failed);
                assert_eq!(back.consent, Some(record));

                // A face without one stays without one.
                let synced = filed("ta_2", "Bo", ProviderKind::BlockRun, FaceKind::RealFace);
                lib.save_face(&synced).unwrap();
                assert_eq!(lib.face("ta_2").unwrap().consent, None);
            }

            #[test]
            fn summaries_list_without_previews_and_the_search_matches_like_the_window() {
                let Some(lib) = open() else { return };
                let mut ada = filed(
                    "ta_ada",
                    "Ada Lovelace",
                    ProviderKind::BlockRun,
                    FaceKind::RealFace,
                );
                ada.thumbnail = Some("data:image/jpeg;base64,AA==".into());
                ada.consent = Some(ConsentRecord {
                    operator: String::new(),
                    recorded_at_ms: 5,
                    liveness_ref: None,
                    file_sha256: None,
                    payment: None,
                    hosted_copy_deleted_at_ms: None,
                    release: None,
                });
                let mut zoe = filed(
                    "asset-9",
                    "Zoë Ødegaard",
                    ProviderKind::Anyfast,
                    FaceKind::Asset,
                );
                zoe.enrolled_at_ms = 9;
                zoe.asset_type = AssetType::Video;
                let robo = filed(
                    "ta_robo",
                    "Robo",
                    ProviderKind::BlockRun,
                    FaceKind::Portrait,
                );
                for f in [&ada, &zoe, &robo] {
                    lib.save_face(f).unwrap();
                }
                let rows = lib.face_summaries().unwrap();
                let ids: Vec<&str> = rows.iter().map(|r| r.asset_id.as_str()).collect();
                assert_eq!(
                    ids,
                    ["asset-9", "ta_robo", "ta_ada"],
                    "newest first, then last filed"
                );
                assert_eq!(rows[2], FaceSummary::from(&ada));
                assert!(rows[2].has_thumbnail && rows[2].has_consent);
                assert!(!rows[0].has_thumbnail && !rows[0].has_consent);
                assert_eq!(
                    lib.face_thumbnail("ta_ada").unwrap().as_deref(),
                    Some("data:image/jpeg;base64,AA==")
                );
                assert_eq!(lib.face_thumbnail("ta_robo").unwrap(), None);
                assert!(matches!(
                    lib.face_thumbnail("nope"),
                    Err(Error::NotFound(_))
                ));

                let hits = |q: &str, p: Option<ProviderKind>, k: Option<FaceKind>| -> Vec<String> {
                    filter(&rows, q, p, k)
                        .into_iter()
                        .map(|r| r.asset_id.clone())
                        .collect()
                };
                assert_eq!(hits("", None, None).len(), 3);
                assert_eq!(hits("  LOVE ", None, None), ["ta_ada"]);
                assert_eq!(
                    hits("zoË", None, None),
                    ["asset-9"],
                    "any case, beyond ASCII"
                );
                assert_eq!(hits("ØDE", None, None), ["asset-9"]);
                assert_eq!(hits("g_ta_r", None, None), ["ta_robo"], "by group id");
                assert_eq!(hits("ASSET-", None, None), ["asset-9"], "by asset id");
                assert_eq!(hits("", Some(ProviderKind::BlockRun), None).len(), 2);
                assert_eq!(
                    hits("", Some(ProviderKind::BlockRun), Some(FaceKind::Portrait)),
                    ["ta_robo"]
                );
                assert!(hits("ada", Some(ProviderKind::Anyfast), None).is_empty());
                assert!(FaceFilter::new("robo", None, None).matches_face(&robo));
                for k in [FaceKind::RealFace, FaceKind::Portrait, FaceKind::Asset] {
                    assert_eq!(FaceKind::parse(k.as_str()), Some(k));
                    assert_eq!(
                        serde_json::to_value(k).unwrap(),
                        serde_json::json!(k.as_str())
                    );
                }
                assert_eq!(FaceKind::parse("robot"), None);
            }

            #[test]
            fn call_log_counts_only_the_last_hour() {
                let Some(lib) = open() else { return };
                let p = "127.0.0.1:8402";
                lib.record_call("blockrun.ai", CallKind::Status, 3_600_500)
                    .unwrap();
                for t in [0, 1_000_000, 3_000_000, 3_700_000] {
                    lib.record_call(p, CallKind::Status, t).unwrap();
                }
                lib.record_call(p, CallKind::Init, 3_650_000).unwrap();
                assert_eq!(
                    lib.calls_in_last_hour(p, CallKind::Status, 3_700_000)
                        .unwrap(),
                    [1_000_000, 3_000_000, 3_700_000]
                );
                assert_eq!(
                    lib.calls_in_last_hour(p, CallKind::Init, 3_700_000)
                        .unwrap(),
                    [3_650_000]
                );
            }

            #[test]
            fn a_nonce_is_stored_once_and_the_pending_row_is_found_for_a_retry() {
                let Some(lib) = open() else { return };
                lib.record_payment(&record("p1", "0xaa", "10000", PaymentStatus::Signed, 1))
                    .unwrap();
                assert!(
                    lib.record_payment(&record("p2", "0xaa", "10000", PaymentStatus::Signed, 2))
                        .is_err(),
                    "same nonce twice"
                );
                let pending = lib.pending_payment("realface:ses_1").unwrap().unwrap();
                assert_eq!(
                    (pending.id.as_str(), pending.header_value.as_str()),
                    ("p1", "eyJ4NDAy")
                );
                lib.update_payment("p1", PaymentStatus::Settled, Some("0xtx"), Some("ta_1"), 5)
                    .unwrap();
                assert!(
                    lib.pending_payment("realface:ses_1").unwrap().is_none(),
                    "a settled payment is never re-sent"
                );
                let rows = lib.payments().unwrap();
                assert_eq!(rows[0].settlement_tx.as_deref(), Some("0xtx"));
                assert!(lib
                    .update_payment("nope", PaymentStatus::Settled, None, None, 5)
                    .is_err());
            }

            #[test]
            fn refusals_do_not_count_against_the_daily_cap() {
                let Some(lib) = open() else { return };
                lib.record_payment(&record("a", "0x1", "10000", PaymentStatus::Settled, 100))
                    .unwrap();
                lib.record_payment(&record("b", "0x2", "500000", PaymentStatus::Signed, 200))
                    .unwrap();
                lib.record_payment(&record(
                    "c",
                    "0x3",
                    "700000",
                    PaymentStatus::NotCharged,
                    300,
                ))
                .unwrap();
                lib.record_payment(&record("d", "0x4", "900000", PaymentStatus::Settled, 10))
                    .unwrap();
                assert_eq!(lib.spent_since(50).unwrap(), 510_000);
            }

            #[test]
            fn jobs_round_trip_and_open_ones_are_listed_oldest_first() {
                let Some(lib) = open() else { return };
                let mut a = job("vid_a", 1);
                a.reference_videos = vec!["asset-v1".into(), "asset-v2".into()];
                a.reference_audios = vec!["asset-a1".into()];
                lib.save_job(&a).unwrap();
                lib.save_job(&job("vid_b", 2)).unwrap();
                let mut c = job("vid_c", 3);
                c.state = JobState::Completed;
                lib.save_job(&c).unwrap();
                a.state = JobState::Queued;
                a.remote_id = Some("bytedance:video_1".into());
                a.poll_url = Some("/api/v1/videos/generations/bytedance:video_1?model=m".into());
                a.payment_id = Some("pay_1".into());
                a.charged = Some(false);
                a.submitted_at_ms = Some(5);
                lib.save_job(&a).unwrap();
                let back = lib.job("vid_a").unwrap();
                assert_eq!(back.state, JobState::Queued);
                assert_eq!(back.poll_url, a.poll_url);
                assert_eq!(back.charged, Some(false));
                assert_eq!(back.reference_videos, ["asset-v1", "asset-v2"]);
                assert_eq!(back.reference_audios, ["asset-a1"]);
                assert_eq!(back.operator, "Grace", "who asked for it is kept");
                assert!(lib.job("vid_b").unwrap().reference_videos.is_empty());
                assert_eq!(back.billing, likeness::video::VideoBilling::Wallet);
                let open: Vec<String> =
                    lib.open_jobs().unwrap().into_iter().map(|j| j.id).collect();
                assert_eq!(open, ["vid_a", "vid_b"]);
                let all: Vec<String> = lib.jobs().unwrap().into_iter().map(|j| j.id).collect();
                assert_eq!(all, ["vid_c", "vid_b", "vid_a"]);
                assert!(matches!(lib.job("vid_zzz"), Err(Error::NotFound(_))));
            }

            #[test]
            fn the_cap_check_and_the_ledger_row_are_one_step() {
                let Some(lib) = open() else { return };
                let desk = caps(2, 5);
                let mut n = 0;
                let mut pay = |amount: &str, purpose: &str| {
                    n += 1;
                    let mut p = record(
                        &format!("p{n}"),
                        &format!("0x{n}"),
                        amount,
                        PaymentStatus::Signed,
                        100 + n,
                    );
                    p.purpose = purpose.into();
                    lib.record_payment_within_caps(&p, desk, 50)
                };
                pay("2000000", "a").unwrap();
                pay("2000000", "b").unwrap();
                let e = pay("2000000", "c").unwrap_err();
                assert!(
                    matches!(
                        e,
                        Error::Invalid {
                            field: "daily_cap",
                            ..
                        }
                    ),
                    "{e}"
                );
                let e = pay("3000000", "d").unwrap_err();
                assert!(
                    matches!(
                        e,
                        Error::Invalid {
                            field: "per_payment_cap",
                            ..
                        }
                    ),
                    "{e}"
                );
                pay("1000000", "e").unwrap();
                assert_eq!(lib.spent_since(50).unwrap(), 5_000_000);
                assert_eq!(
                    lib.payments().unwrap().len(),
                    3,
                    "refused payments leave no row"
                );
                // A refusal frees its amount again.
                lib.update_payment("p1", PaymentStatus::NotCharged, None, None, 200)
                    .unwrap();
                pay("2000000", "f").unwrap();
                assert_eq!(lib.spent_since(50).unwrap(), 5_000_000);
            }

            #[test]
            fn one_payment_in_flight_per_purpose() {
                let Some(lib) = open() else { return };
                lib.record_payment(&record("p1", "0x1", "10000", PaymentStatus::Signed, 1))
                    .unwrap();
                let e = lib
                    .record_payment(&record("p2", "0x2", "10000", PaymentStatus::Signed, 2))
                    .unwrap_err();
                assert!(
                    matches!(
                        e,
                        Error::Database {
                            problem: DatabaseProblem::Conflict,
                            ..
                        }
                    ),
                    "{e:?}"
                );
                assert!(e.to_string().contains("already under way"), "{e}");
                // Once the first one is known void, the same purpose may be paid.
                lib.update_payment("p1", PaymentStatus::NotCharged, None, None, 3)
                    .unwrap();
                lib.record_payment(&record("p2", "0x2", "10000", PaymentStatus::Signed, 4))
                    .unwrap();
                lib.update_payment("p2", PaymentStatus::Settled, Some("0xtx"), None, 5)
                    .unwrap();
                lib.record_payment(&record("p3", "0x3", "10000", PaymentStatus::Signed, 6))
                    .unwrap();
            }

            #[test]
            fn a_face_filed_at_one_desk_moves_the_others_change_counter() {
                let Some((a, b, _dir)) = super::$pair() else {
                    return;
                };
                let before = b.faces_version().unwrap();
                assert_eq!(b.faces_version().unwrap(), before, "nothing changed");
                a.save_face(&filed(
                    "ta_1",
                    "Ada",
                    ProviderKind::BlockRun,
                    FaceKind::RealFace,
                ))
                .unwrap();
                let after = b.faces_version().unwrap();
                assert_ne!(after, before);
                assert_eq!(b.face_summaries().unwrap().len(), 1);
                assert!(a
                    .update_asset_status("ta_1", AssetStatus::Failed, Some("gone"))
                    .unwrap());
                assert_ne!(b.faces_version().unwrap(), after);
            }

            /// N=50 payers, half on each of two connections (two desks), pressing Pay at once under
            /// a $20 daily cap at $1 each: exactly 20 are filed, none is lost, the cap holds.
            #[test]
            fn fifty_concurrent_payments_from_two_desks_never_pass_the_cap() {
                let Some((a, b, _dir)) = super::$pair() else {
                    return;
                };
                let desks = [Arc::new(a), Arc::new(b)];
                let start = Arc::new(Barrier::new(50));
                let began = std::time::Instant::now();
                let threads: Vec<_> = (0..50)
                    .map(|i| {
                        let lib = desks[i % 2].clone();
                        let start = start.clone();
                        std::thread::spawn(move || {
                            let mut p = record(
                                &format!("race{i}"),
                                &format!("0xr{i}"),
                                "1000000",
                                PaymentStatus::Signed,
                                1_000 + i as i64,
                            );
                            p.purpose = format!("race:{i}");
                            start.wait();
                            lib.record_payment_within_caps(&p, caps(2, 20), 0)
                        })
                    })
                    .collect();
                let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
                let elapsed = began.elapsed();
                let paid = results.iter().filter(|r| r.is_ok()).count();
                for e in results.iter().filter_map(|r| r.as_ref().err()) {
                    assert!(
                        matches!(
                            e,
                            Error::Invalid {
                                field: "daily_cap",
                                ..
                            }
                        ),
                        "{e:?}"
                    );
                }
                assert_eq!(paid, 20, "exactly the cap's worth is paid");
                assert_eq!(
                    desks[0].payments().unwrap().len(),
                    20,
                    "every paid row is there"
                );
                assert_eq!(desks[1].spent_since(0).unwrap(), 20_000_000);
                eprintln!(
                    "race on {}: 50 attempts, 20 paid, in {elapsed:?}",
                    stringify!($backend)
                );
            }
        }
    };
}

suite!(sqlite, sqlite_pair);
suite!(postgres, postgres_pair);

/// A database set up by a newer app is refused before anything is written, on both backends.
#[test]
fn a_newer_database_is_refused_not_downgraded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    drop(Library::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let e = Library::open(&path).err().expect("a newer file is refused");
    assert!(
        matches!(
            e,
            Error::Database {
                problem: DatabaseProblem::Newer,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("Update the app"), "{e}");

    let Some(url) = pg::fresh_database_url("newer") else {
        return;
    };
    drop(Library::connect(&url, None, "desk-1").unwrap());
    pg::execute(&url, "INSERT INTO likeness_schema VALUES (99, 0)");
    let e = Library::connect(&url, None, "desk-1")
        .err()
        .expect("a newer database is refused");
    assert!(
        matches!(
            e,
            Error::Database {
                problem: DatabaseProblem::Newer,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("schema version 99"), "{e}");
}

#[test]
fn an_unreachable_server_a_wrong_password_and_an_unknown_user_are_said_plainly() {
    // A port nothing listens on (bound, then closed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let began = std::time::Instant::now();
    let e = Library::connect(
        &format!("postgres://likeness@127.0.0.1:{port}/studio"),
        None,
        "d",
    )
    .err()
    .unwrap();
    assert!(
        matches!(
            e,
            Error::Database {
                problem: DatabaseProblem::Unreachable,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains("Could not reach the studio database"),
        "{e}"
    );
    assert!(began.elapsed() < std::time::Duration::from_secs(10));
    let e = Library::connect("mysql://x", None, "d").err().unwrap();
    assert!(
        matches!(
            e,
            Error::Invalid {
                field: "database_url",
                ..
            }
        ),
        "{e:?}"
    );

    let Some(url) = pg::fresh_database_url("login") else {
        return;
    };
    let login = |url: &url::Url, password: Option<&str>| {
        let e = Library::connect(url.as_str(), password, "d").err().unwrap();
        assert!(
            matches!(
                e,
                Error::Database {
                    problem: DatabaseProblem::Login,
                    ..
                }
            ),
            "{e:?}"
        );
        e.to_string()
    };
    let mut wrong = url::Url::parse(&url).unwrap();
    wrong.set_username("nobody_here").unwrap();
    wrong.set_password(Some("x")).unwrap();
    assert!(login(&wrong, None).contains("refused the login"));

    // A role with a password, as a studio's server has it (the cluster asks every role but the
    // test one for its password): wrong, missing, then right from the keychain's side.
    let db = url::Url::parse(&url).unwrap().path()[1..].to_string();
    let role = format!("{db}_desk");
    pg::execute(
        &url,
        &format!(
            "CREATE ROLE {role} LOGIN PASSWORD 'right horse'; ALTER DATABASE {db} OWNER TO {role}"
        ),
    );
    let mut desk = url::Url::parse(&url).unwrap();
    desk.set_username(&role).unwrap();
    let said = login(&desk, Some("wrong horse"));
    assert!(said.contains("refused the login"), "{said}");
    assert!(said.contains("Settings → Studio database"), "{said}");
    assert!(login(&desk, None).contains("asks for a password"));
    let mut in_url = desk.clone();
    in_url.set_password(Some("wrong horse")).unwrap();
    assert!(login(&in_url, Some("right horse")).contains("refused the login"));
    let lib = Library::connect(desk.as_str(), Some("right horse"), "d").unwrap();
    assert!(lib.face_summaries().unwrap().is_empty());
}

/// `likeness library migrate`: a desk's file moves in with its ids, consent records, ledger
/// and jobs; a second run copies nothing.
#[test]
fn a_desk_file_moves_into_the_shared_database_once() {
    let Some(url) = pg::fresh_database_url("migrate") else {
        return;
    };
    let file = Library::open_in_memory().unwrap();
    let mut ada = filed("ta_ada", "Ada", ProviderKind::BlockRun, FaceKind::RealFace);
    ada.consent = Some(ConsentRecord {
        operator: "Grace".into(),
        recorded_at_ms: 7,
        liveness_ref: Some(liveness_ref("ses_1", "g_ta_ada")),
        file_sha256: Some("ab".repeat(32)),
        payment: Some(ConsentPayment::X402 {
            ledger_id: "pay_1".into(),
            tx_hash: Some("0xtx".into()),
        }),
        hosted_copy_deleted_at_ms: Some(8),
        release: Some(
            ReleaseTemplate::default()
                .agreed("Ada Lovelace", 6)
                .unwrap(),
        ),
    });
    ada.revoked = Some(Revocation {
        at_ms: 9,
        reason: "asked".into(),
    });
    ada.tags = vec!["Northwind".into(), "stunt".into()];
    file.save_face(&ada).unwrap();
    let studio_release = ReleaseTemplate {
        production: "Northwind".into(),
        ..ReleaseTemplate::default()
    };
    file.save_release_template(&studio_release, 2).unwrap();
    let mut bo = filed("ta_bo", "Bo", ProviderKind::BlockRun, FaceKind::Portrait);
    bo.enrolled_at_ms = 5;
    file.save_face(&bo).unwrap();
    let mut paid = record("pay_1", "0x1", "10000", PaymentStatus::Settled, 1);
    paid.asset_id = Some("ta_ada".into());
    file.record_payment(&paid).unwrap();
    file.save_job(&job("vid_1", 3)).unwrap();
    file.save_session(&session("ses_2", SessionState::AwaitingScan, 4))
        .unwrap();

    let shared = Library::connect(&url, None, "desk-2").unwrap();
    let counts = |reports: Vec<CopyReport>| -> Vec<(&'static str, u64, u64)> {
        reports
            .into_iter()
            .map(|r| (r.table, r.copied, r.already_there))
            .collect()
    };
    assert_eq!(
        counts(file.copy_into(&shared).unwrap()),
        [
            ("faces", 2, 0),
            ("payments", 1, 0),
            ("video_jobs", 1, 0),
            ("sessions", 1, 0),
            ("release_templates", 1, 0)
        ]
    );
    assert_eq!(
        counts(file.copy_into(&shared).unwrap()),
        [
            ("faces", 0, 2),
            ("payments", 0, 1),
            ("video_jobs", 0, 1),
            ("sessions", 0, 1),
            ("release_templates", 0, 1)
        ],
        "a second run copies nothing"
    );
    assert_eq!(
        shared.faces().unwrap(),
        file.faces().unwrap(),
        "same ids, same order"
    );
    assert_eq!(shared.face("ta_ada").unwrap().consent, ada.consent);
    assert_eq!(shared.face("ta_ada").unwrap().revoked, ada.revoked);
    assert_eq!(
        shared.face("ta_ada").unwrap().tags,
        ada.tags,
        "tags move too"
    );
    assert_eq!(
        shared.release_templates().unwrap(),
        file.release_templates().unwrap()
    );
    assert_eq!(shared.payments().unwrap(), file.payments().unwrap());
    assert_eq!(shared.job("vid_1").unwrap(), file.job("vid_1").unwrap());
    assert_eq!(
        shared.open_sessions().unwrap(),
        file.open_sessions().unwrap()
    );
    assert!(file.copy_into(&Library::open_in_memory().unwrap()).is_err());
}

/// The studio's caps live in the shared database and override each desk's; a desk's file has
/// none to set.
#[test]
fn studio_caps_are_shared_and_a_file_keeps_the_desks() {
    let file = Library::open_in_memory().unwrap();
    assert_eq!(file.studio_caps().unwrap(), None);
    assert_eq!(file.caps_over(caps(2, 20)).unwrap(), caps(2, 20));
    assert!(file.set_studio_caps(None, Some(1), 0).is_err());

    let Some((a, b, _)) = postgres_pair() else {
        return;
    };
    assert_eq!(
        a.caps_over(caps(2, 20)).unwrap(),
        caps(2, 20),
        "unset: the desk's"
    );
    a.set_studio_caps(None, Some(3_000_000), 1).unwrap();
    assert_eq!(
        b.caps_over(caps(2, 20)).unwrap(),
        caps(2, 3),
        "set at desk 1, seen at desk 2"
    );
    // Desk 2 pays under the studio's $3 a day although its own Settings say $20.
    for i in 0..3 {
        let mut p = record(
            &format!("p{i}"),
            &format!("0x{i}"),
            "1000000",
            PaymentStatus::Signed,
            10,
        );
        p.purpose = format!("cap:{i}");
        b.record_payment_within_caps(&p, caps(2, 20), 0).unwrap();
    }
    let mut p = record("p9", "0x9", "1000000", PaymentStatus::Signed, 10);
    p.purpose = "cap:9".into();
    let e = b
        .record_payment_within_caps(&p, caps(2, 20), 0)
        .unwrap_err();
    assert!(e.to_string().contains("above the $3.00 daily cap"), "{e}");
}

/// The figures in docs/PERFORMANCE.md ("Several desks"): a 10,000-face library (each with a
/// 6 KB preview) opened and listed, then searched, on both backends on this machine. Run with
/// `cargo test --release --test library -- --ignored --nocapture ten_thousand`.
#[test]
#[ignore = "a measurement, run by hand for docs/PERFORMANCE.md"]
fn ten_thousand_faces_open_and_filter_on_both_backends() {
    let preview = format!("data:image/jpeg;base64,{}", "A".repeat(6 * 1024));
    let fill = |lib: &Library| {
        for i in 0..10_000 {
            let mut f = filed(
                &format!("ta_{i:05}"),
                &format!("Person {i} Lovelace"),
                ProviderKind::BlockRun,
                FaceKind::RealFace,
            );
            f.enrolled_at_ms = i;
            f.thumbnail = Some(preview.clone());
            lib.save_face(&f).unwrap();
        }
    };
    let measure = |name: &str, open: &dyn Fn() -> Library| {
        let mut opens = Vec::new();
        let mut filters = Vec::new();
        for _ in 0..7 {
            let t = std::time::Instant::now();
            let lib = open();
            let rows = lib.face_summaries().unwrap();
            opens.push(t.elapsed());
            assert_eq!(rows.len(), 10_000);
            let t = std::time::Instant::now();
            let hits = filter(&rows, "son 99", None, None).len();
            filters.push(t.elapsed());
            assert_eq!(hits, 111);
        }
        opens.sort();
        filters.sort();
        eprintln!(
            "{name}: open + list 10,000 faces median {:?} (max {:?}); filter median {:?} (max {:?})",
            opens[3], opens[6], filters[3], filters[6]
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    fill(&Library::open(&path).unwrap());
    measure("sqlite", &|| Library::open(&path).unwrap());
    let Some(url) = pg::fresh_database_url("ten_thousand") else {
        return;
    };
    fill(&Library::connect(&url, None, "desk-1").unwrap());
    measure("postgres", &|| {
        Library::connect(&url, None, "desk-1").unwrap()
    });
    // A desk already connected lists again without the connection set-up.
    let lib = Library::connect(&url, None, "desk-1").unwrap();
    let mut lists = Vec::new();
    for _ in 0..7 {
        let t = std::time::Instant::now();
        assert_eq!(lib.face_summaries().unwrap().len(), 10_000);
        lists.push(t.elapsed());
    }
    lists.sort();
    eprintln!(
        "postgres, connected: list 10,000 faces median {:?}",
        lists[3]
    );
}
