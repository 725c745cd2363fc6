//! The restart drill: the studio database stops mid-session and starts again. While it is
//! down the desk is told so in plain words and nothing half-done is left; once it is back the
//! same desk (no reconnect by hand) goes on, and nothing filed before is lost.
//!
//! It stops the whole private cluster (`scripts/pg-cluster down` / `up`), so it is a test
//! binary of its own: cargo runs test binaries one after another, never two at once.

#[path = "common/postgres.rs"]
mod pg;

use std::time::{Duration, Instant};

use likeness::error::{DatabaseProblem, Error};
use likeness::flow::SessionState;
use likeness::library::*;
use likeness::media::AssetType;
use likeness::providers::{AssetStatus, ProviderKind};

fn cluster(action: &str) {
    let dir = std::env::var("PG_CLUSTER_DIR").expect("PG_CLUSTER_DIR");
    let status =
        std::process::Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg-cluster"))
            .args([action, &dir])
            .status()
            .unwrap();
    assert!(status.success(), "pg-cluster {action}");
}

fn face(asset_id: &str, name: &str) -> Face {
    Face {
        asset_id: asset_id.into(),
        provider: ProviderKind::Rehearsal,
        kind: FaceKind::RealFace,
        name: name.into(),
        image_url: "https://x/a.jpg".into(),
        thumbnail: None,
        group_id: Some(format!("g_{asset_id}")),
        enrolled_at_ms: 5,
        price_usd: None,
        tx_hash: None,
        photo_override: None,
        asset_type: AssetType::Image,
        status: AssetStatus::Active,
        status_message: None,
        consent: None,
        revoked: None,
        tags: Vec::new(),
    }
}

#[test]
fn the_database_restarted_mid_session_loses_nothing_and_says_so_while_down() {
    let Some(url) = pg::fresh_database_url("restart") else {
        return;
    };
    if std::env::var_os("PG_CLUSTER_DIR").is_none() {
        eprintln!("SKIPPED the restart drill: PG_CLUSTER_DIR is not set (scripts/pg-cluster)");
        return;
    }
    let lib = Library::connect(&url, None, "desk-1").unwrap();
    let mut s = LivenessSession {
        id: "ses_r".into(),
        provider: ProviderKind::Rehearsal,
        group_id: "legacy_rf_1".into(),
        talent_name: "Ada".into(),
        image_url: "https://x/a.jpg".into(),
        h5_link: "http://h/?a=1".into(),
        expires_at_ms: 120_000,
        link_issued_at_ms: 0,
        state: SessionState::AwaitingScan,
        asset_id: None,
        created_at_ms: 1,
        updated_at_ms: 1,
        photo_override: None,
        liveness_token: None,
        talent_consent: None,
        operator: "Grace".into(),
    };
    lib.save_session(&s).unwrap();
    lib.save_face(&face("ta_before", "Grace Hopper")).unwrap();

    cluster("down");
    let began = Instant::now();
    s.state = SessionState::Verified;
    let e = lib.save_session(&s).unwrap_err();
    let told_in = began.elapsed();
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
    assert!(e.to_string().contains("nothing was saved"), "{e}");
    assert!(told_in < Duration::from_secs(10), "{told_in:?}");
    // A new desk cannot open it either, and says the same.
    let e = Library::connect(&url, None, "desk-2").err().unwrap();
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

    let down_for = began.elapsed();
    cluster("up");
    let back = Instant::now();
    // The same Library: its pool drops the dead connections and opens new ones.
    let mut tries = 0;
    loop {
        tries += 1;
        match lib.save_session(&s) {
            Ok(()) => break,
            Err(e) => {
                assert!(back.elapsed() < Duration::from_secs(10), "still down: {e}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    let resumed_in = back.elapsed();
    lib.save_face(&face("ta_after", "Ada Lovelace")).unwrap();
    assert_eq!(lib.session("ses_r").unwrap().state, SessionState::Verified);
    let names: Vec<String> = lib
        .face_summaries()
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"Grace Hopper".to_string()));
    eprintln!(
        "restart drill: told the database is unreachable in {told_in:?}; down {down_for:?}; \
         the same desk saved again {resumed_in:?} after the server was up ({tries} tries)"
    );
}
