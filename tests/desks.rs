//! Several desks on one studio database, as separate processes where it matters: the daily cap
//! raced from two processes, a desk killed mid-payment and another taking its session over,
//! sessions each desk owns and the others see, the video-job lease, and the hourly provider
//! budget desks on one network share.
//!
//! A "desk process" is this test binary run again with `LIKENESS_DESK_CHILD` set: it runs one
//! of the ignored `child_*` tests below and reports on stdout.
// The desk processes' report is their stdout, read by the test that started them.
#![allow(clippy::print_stdout)]

#[path = "common/postgres.rs"]
mod pg;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use likeness::error::{DatabaseProblem, Error};
use likeness::flow::SessionState;
use likeness::library::*;
use likeness::providers::ProviderKind;
use likeness::spend::SpendCaps;
use likeness::video::{SeedanceTier, VideoJob, VideoSpec};

const CHILD: &str = "LIKENESS_DESK_CHILD";
/// Attempts in the race, split between the two processes; each is $1 under a $20 daily cap.
const RACE_N: usize = 50;
const RACE_CAP_USD: u128 = 20;

fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A desk file path or a `postgres://` address, opened as desk `desk`.
fn open(store: &str, desk: &str) -> Library {
    if store.starts_with("postgres://") {
        Library::connect(store, None, desk).unwrap()
    } else {
        Library::open(std::path::Path::new(store)).unwrap()
    }
}

fn session(id: &str, name: &str, at: i64) -> LivenessSession {
    LivenessSession {
        id: id.into(),
        provider: ProviderKind::Rehearsal,
        group_id: "legacy_rf_1".into(),
        talent_name: name.into(),
        image_url: "https://x/a.jpg".into(),
        h5_link: "http://h/?a=1".into(),
        expires_at_ms: at + 120_000,
        link_issued_at_ms: at,
        state: SessionState::AwaitingScan,
        asset_id: None,
        created_at_ms: at,
        updated_at_ms: at,
        photo_override: None,
        liveness_token: None,
        talent_consent: None,
        operator: "Grace".into(),
    }
}

fn payment(id: &str, purpose: &str, at: i64) -> PaymentRecord {
    PaymentRecord {
        id: id.into(),
        provider: ProviderKind::Rehearsal,
        purpose: purpose.into(),
        amount_atomic: "1000000".into(),
        payee: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C".into(),
        network: "base-sepolia".into(),
        asset_contract: "0x036CbD53842c5426634e7929541eC2318f3dCF7e".into(),
        nonce: format!("0xn_{id}"),
        header_name: "PAYMENT-SIGNATURE".into(),
        header_value: "eyJ4NDAy".into(),
        status: PaymentStatus::Signed,
        settlement_tx: None,
        asset_id: None,
        created_at_ms: at,
        updated_at_ms: at,
        operator: format!("Operator at {purpose}"),
    }
}

/// Starts this binary as a desk process running `child_test`.
fn desk_process(child_test: &str, envs: &[(&str, String)]) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([child_test, "--exact", "--ignored", "--nocapture", "--quiet"])
        .env(CHILD, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

/// Lines the desk process printed that start with `prefix` (its report), after it ends.
fn report(child: std::process::Child, prefix: &str) -> Vec<String> {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "a desk process failed");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix(prefix).map(str::to_string))
        .collect()
}

/// One desk of the race: `RACE_N / 2` threads, each pressing Pay once at the agreed instant.
/// The desk's own caps would let all of them through on the shared database; the studio's cap
/// there (and the file's, on SQLite) is what must hold.
#[test]
#[ignore = "a desk process of the race; run by the test that starts it"]
fn child_race() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let store = std::env::var("RACE_STORE").unwrap();
    let desk = std::env::var("RACE_DESK").unwrap();
    let parity: usize = std::env::var("RACE_PARITY").unwrap().parse().unwrap();
    let start_at: i64 = std::env::var("RACE_START_AT").unwrap().parse().unwrap();
    let desk_caps = if store.starts_with("postgres://") {
        SpendCaps {
            per_payment_atomic: 2_000_000,
            daily_atomic: 1_000_000_000,
        }
    } else {
        SpendCaps {
            per_payment_atomic: 2_000_000,
            daily_atomic: RACE_CAP_USD * 1_000_000,
        }
    };
    let lib = std::sync::Arc::new(open(&store, &desk));
    let threads: Vec<_> = (0..RACE_N)
        .filter(|i| i % 2 == parity)
        .map(|i| {
            let lib = lib.clone();
            std::thread::spawn(move || {
                let p = payment(&format!("race{i}"), &format!("race:{i}"), 1_000 + i as i64);
                let wait = start_at - wall_ms();
                if wait > 0 {
                    std::thread::sleep(Duration::from_millis(wait as u64));
                }
                let t = Instant::now();
                let r = lib.record_payment_within_caps(&p, desk_caps, 0);
                (p.id, r, t.elapsed())
            })
        })
        .collect();
    for t in threads {
        let (id, r, took) = t.join().unwrap();
        match r {
            Ok(()) => println!("RACE PAID {id} {}", took.as_micros()),
            Err(Error::Invalid {
                field: "daily_cap", ..
            }) => println!("RACE REFUSED {id} {}", took.as_micros()),
            Err(e) => panic!("{id}: {e:?}"),
        }
    }
}

/// Two processes, one store, `RACE_N` payments of $1 at one instant under a $20 cap: exactly 20
/// are paid, every paid one has its row, and no row is there that was not paid.
fn race(store: &str, backend: &str) {
    let start_at = wall_ms() + 1_500;
    let desks: Vec<_> = (0..2)
        .map(|parity| {
            desk_process(
                "child_race",
                &[
                    ("RACE_STORE", store.to_string()),
                    ("RACE_DESK", format!("desk-{}", parity + 1)),
                    ("RACE_PARITY", parity.to_string()),
                    ("RACE_START_AT", start_at.to_string()),
                ],
            )
        })
        .collect();
    let mut paid = BTreeSet::new();
    let mut waits = Vec::new();
    let mut answered = 0;
    for child in desks {
        for line in report(child, "RACE ") {
            let mut parts = line.split(' ');
            let (verdict, id, micros) = (
                parts.next().unwrap(),
                parts.next().unwrap().to_string(),
                parts.next().unwrap().parse::<u64>().unwrap(),
            );
            answered += 1;
            waits.push(micros);
            if verdict == "PAID" {
                paid.insert(id);
            }
        }
    }
    assert_eq!(answered, RACE_N, "every attempt got an answer");
    assert_eq!(
        paid.len(),
        RACE_CAP_USD as usize,
        "the cap's worth, no more"
    );
    let lib = open(store, "checker");
    let rows: BTreeSet<String> = lib.payments().unwrap().into_iter().map(|p| p.id).collect();
    assert_eq!(
        rows, paid,
        "every paid attempt has its row and no other row exists"
    );
    assert_eq!(lib.spent_since(0).unwrap(), RACE_CAP_USD * 1_000_000);
    waits.sort();
    eprintln!(
        "race on {backend}, two processes: {RACE_N} attempts, {} paid under the ${RACE_CAP_USD} \
         cap, {} rows; per attempt median {} ms, slowest {} ms",
        paid.len(),
        rows.len(),
        waits[waits.len() / 2] as f64 / 1000.0,
        *waits.last().unwrap() as f64 / 1000.0
    );
}

#[test]
fn two_desk_processes_racing_to_pay_never_pass_the_cap_on_a_file() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    drop(Library::open(&path).unwrap());
    race(path.to_str().unwrap(), "sqlite");
}

#[test]
fn two_desk_processes_racing_to_pay_never_pass_the_studio_cap() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let Some(url) = pg::fresh_database_url("race") else {
        return;
    };
    let lib = Library::connect(&url, None, "desk-0").unwrap();
    lib.set_studio_caps(Some(2_000_000), Some(RACE_CAP_USD * 1_000_000), 1)
        .unwrap();
    drop(lib);
    race(&url, "postgres");
}

/// Desk 1 opens Ada's session and signs her payment, then is killed before the provider
/// answers.
#[test]
#[ignore = "a desk process killed mid-payment; run by the test that starts it"]
fn child_killed_mid_payment() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let url = std::env::var("KILL_STORE").unwrap();
    let lib = Library::connect(&url, None, "desk-1").unwrap();
    let at = wall_ms();
    let mut s = session("ses_kill", "Ada", at);
    lib.save_session(&s).unwrap();
    s.state = SessionState::AwaitingPayment;
    lib.save_session(&s).unwrap();
    lib.record_payment(&payment("pay_kill", "realface:ses_kill", at))
        .unwrap();
    println!("SIGNED");
    // Waiting for the provider's answer, which never comes: the test kills this process.
    std::thread::sleep(Duration::from_secs(600));
}

#[test]
fn a_desk_killed_mid_payment_is_taken_over_without_paying_twice() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let Some(url) = pg::fresh_database_url("kill") else {
        return;
    };
    let mut child = desk_process("child_killed_mid_payment", &[("KILL_STORE", url.clone())]);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.any(|l| l.unwrap() == "SIGNED"));
    child.kill().unwrap();
    child.wait().unwrap();

    let desk2 = Library::connect(&url, None, "desk-2").unwrap();
    // Desk 2 follows none of desk 1's sessions until told to, but shows them.
    assert!(desk2.open_sessions().unwrap().is_empty());
    let others = desk2.other_desks_sessions().unwrap();
    assert_eq!(others.len(), 1);
    assert_eq!(others[0].desk, "desk-1");
    assert_eq!(others[0].session.talent_name, "Ada");
    assert_eq!(others[0].session.state, SessionState::AwaitingPayment);

    assert_eq!(
        desk2.take_over_session("ses_kill", "", wall_ms()).unwrap(),
        "desk-1"
    );
    let mine = desk2.open_sessions().unwrap();
    assert_eq!(mine.len(), 1);
    assert!(desk2.other_desks_sessions().unwrap().is_empty());
    // The signed payment is found and re-sent, never signed again: a second one for the same
    // purpose is refused, from any desk.
    let pending = desk2.pending_payment("realface:ses_kill").unwrap().unwrap();
    assert_eq!(pending.id, "pay_kill");
    assert_eq!(pending.nonce, "0xn_pay_kill");
    let e = desk2
        .record_payment(&payment("pay_again", "realface:ses_kill", wall_ms()))
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
    desk2
        .update_payment(
            "pay_kill",
            PaymentStatus::Settled,
            Some("0xtx"),
            None,
            wall_ms(),
        )
        .unwrap();
    let mut s = mine.into_iter().next().unwrap();
    s.state = SessionState::Verified;
    desk2.save_session(&s).unwrap();

    // Desk 1, started again, no longer owns the session: it cannot write it, and says why.
    let desk1 = Library::connect(&url, None, "desk-1").unwrap();
    assert!(desk1.open_sessions().unwrap().is_empty());
    let e = desk1.save_session(&s).unwrap_err();
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
    assert!(
        e.to_string().contains("desk-2 took over Ada's session"),
        "{e}"
    );
    assert_eq!(desk1.payments().unwrap().len(), 1, "paid once");
}

/// On a desk's own file there is one desk: it owns every session, and holds every lease.
#[test]
fn a_desk_file_owns_all_its_sessions_and_jobs() {
    let lib = Library::open_in_memory().unwrap();
    lib.save_session(&session("s1", "Ada", 1)).unwrap();
    assert!(lib.other_desks_sessions().unwrap().is_empty());
    assert_eq!(lib.take_over_session("s1", "", 2).unwrap(), "this desk");
    assert_eq!(
        lib.session("s1").unwrap().operator,
        "Grace",
        "no operator named: the one who ran it stays"
    );
    assert_eq!(
        lib.take_over_session("s1", "Margaret", 3).unwrap(),
        "this desk"
    );
    assert_eq!(lib.session("s1").unwrap().operator, "Margaret");
    assert!(matches!(
        lib.take_over_session("nope", "", 2),
        Err(Error::NotFound(_))
    ));
    lib.save_job(&job("vid_1", 1)).unwrap();
    assert_eq!(lib.lease_job("vid_1", 1, 30_000).unwrap(), JobLease::Ours);
    assert!(matches!(
        lib.lease_job("nope", 1, 30_000),
        Err(Error::NotFound(_))
    ));
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
    VideoJob::new(id.into(), ProviderKind::Rehearsal, &spec, at)
}

/// One desk polls a job; another takes it once the lease lapses, and the first then sees it is
/// no longer its own.
#[test]
fn one_desk_polls_a_job_and_another_takes_over_when_its_lease_lapses() {
    let Some(url) = pg::fresh_database_url("lease") else {
        return;
    };
    let a = Library::connect(&url, None, "desk-1").unwrap();
    let b = Library::connect(&url, None, "desk-2").unwrap();
    a.save_job(&job("vid_1", 1)).unwrap();
    assert_eq!(a.lease_job("vid_1", 1_000, 30_000).unwrap(), JobLease::Ours);
    assert_eq!(
        b.lease_job("vid_1", 2_000, 30_000).unwrap(),
        JobLease::Theirs {
            desk: "desk-1".into(),
            until_ms: 31_000
        }
    );
    // Desk 1 renews in time; then it stops renewing (it crashed), and desk 2 takes it.
    assert_eq!(
        a.lease_job("vid_1", 20_000, 30_000).unwrap(),
        JobLease::Ours
    );
    assert!(matches!(
        b.lease_job("vid_1", 49_999, 30_000).unwrap(),
        JobLease::Theirs { .. }
    ));
    assert_eq!(
        b.lease_job("vid_1", 50_000, 30_000).unwrap(),
        JobLease::Ours
    );
    assert_eq!(
        a.lease_job("vid_1", 51_000, 30_000).unwrap(),
        JobLease::Theirs {
            desk: "desk-2".into(),
            until_ms: 80_000
        }
    );
    // Settled, desk 2 lets go at once, and the result is every desk's to show.
    b.release_job("vid_1").unwrap();
    assert_eq!(
        a.lease_job("vid_1", 52_000, 30_000).unwrap(),
        JobLease::Ours
    );
    assert_eq!(b.job("vid_1").unwrap(), a.job("vid_1").unwrap());
    assert!(matches!(
        a.lease_job("nope", 1, 30_000),
        Err(Error::NotFound(_))
    ));
}

/// Desks behind one public address spend one hourly budget; a desk on another network has its
/// own.
#[test]
fn desks_on_one_network_share_the_hourly_provider_budget() {
    let Some(url) = pg::fresh_database_url("budget") else {
        return;
    };
    let a = Library::connect(&url, None, "desk-1").unwrap();
    let b = Library::connect(&url, None, "desk-2").unwrap();
    let away = Library::connect(&url, None, "desk-3")
        .unwrap()
        .on_network("annex");
    let host = "api.blockrun.ai";
    a.record_call(host, CallKind::Init, 1_000).unwrap();
    b.record_call(host, CallKind::Init, 2_000).unwrap();
    away.record_call(host, CallKind::Init, 3_000).unwrap();
    assert_eq!(
        a.calls_in_last_hour(host, CallKind::Init, 4_000).unwrap(),
        [1_000, 2_000]
    );
    assert_eq!(
        b.calls_in_last_hour(host, CallKind::Init, 4_000).unwrap(),
        [1_000, 2_000]
    );
    assert_eq!(
        away.calls_in_last_hour(host, CallKind::Init, 4_000)
            .unwrap(),
        [3_000]
    );
    assert!(a
        .calls_in_last_hour(host, CallKind::Status, 4_000)
        .unwrap()
        .is_empty());
}

/// The CLI on the shared database: `sessions --all-desks` shows another desk's session with its
/// desk, `session take-over` moves it here, `caps set` / `caps` are the studio's, and
/// `library migrate` copies a desk file once.
#[test]
fn the_cli_lists_every_desk_takes_over_and_sets_the_studio_caps() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let Some(url) = pg::fresh_database_url("cli") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let likeness = |desk: &str, args: &[&str]| -> serde_json::Value {
        let out = Command::new(env!("CARGO_BIN_EXE_likeness"))
            .args(["--json", "--data-dir"])
            .arg(home.path())
            .args(["--desk", desk])
            .args(args)
            .env("LIKENESS_DATABASE_URL", &url)
            .env("LIKENESS_KEYRING_SERVICE", "likeness-desks-test-unused")
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let last = stdout.lines().last().unwrap();
        serde_json::from_str::<serde_json::Value>(last).unwrap()["result"].clone()
    };
    let desk1 = Library::connect(&url, None, "desk-1").unwrap();
    desk1
        .save_session(&session("ses_cli", "Ada", wall_ms() - 72_000))
        .unwrap();

    assert_eq!(likeness("desk-2", &["sessions"]), serde_json::json!([]));
    let all = likeness("desk-2", &["sessions", "--all-desks"]);
    assert_eq!(all[0]["id"], "ses_cli");
    assert_eq!(all[0]["desk"], "desk-1");
    let taken = likeness(
        "desk-2",
        &[
            "--operator",
            "Margaret",
            "session",
            "take-over",
            "--id",
            "ses_cli",
        ],
    );
    assert_eq!(taken["takenOverFrom"], "desk-1");
    assert_eq!(taken["operator"], "Margaret", "who runs it from here");
    assert_eq!(likeness("desk-2", &["sessions"])[0]["id"], "ses_cli");
    assert!(desk1.open_sessions().unwrap().is_empty());

    let set = likeness(
        "desk-2",
        &["caps", "set", "--daily-usd", "12", "--per-payment-usd", "3"],
    );
    assert_eq!(set["daily_usd"], "12.00");
    let read = likeness("desk-3", &["caps"]);
    assert_eq!(read["daily_usd"], "12.00");
    assert_eq!(read["per_payment_usd"], "3.00");
    assert_eq!(read["source"], "studio");
}

/// A face enrolled at desk 1 reaches desk 2's list: desk 2 reads the change counter every
/// `POLL` (one row) and lists again when it moved. It prints, over 20 faces, the time from desk
/// 1's save returning to desk 2 holding the new list (docs/PERFORMANCE.md: ≤ 2 s).
#[test]
fn a_face_enrolled_at_one_desk_is_seen_at_another_by_a_change_poll() {
    const POLL: Duration = Duration::from_millis(500);
    let Some(url) = pg::fresh_database_url("seen") else {
        return;
    };
    let a = Library::connect(&url, None, "desk-1").unwrap();
    let b = std::sync::Arc::new(Library::connect(&url, None, "desk-2").unwrap());
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Instant)>();
    let watcher = {
        let b = b.clone();
        std::thread::spawn(move || {
            let mut seen = b.faces_version().unwrap();
            let mut count = 0;
            while count < 20 {
                std::thread::sleep(POLL);
                let now = b.faces_version().unwrap();
                if now != seen {
                    seen = now;
                    count = b.face_summaries().unwrap().len();
                    tx.send((count, Instant::now())).unwrap();
                }
            }
        })
    };
    let mut lags = Vec::new();
    let mut listed = 0;
    for i in 0..20 {
        // Enrolments a little apart, at no fixed phase to desk 2's polls.
        std::thread::sleep(Duration::from_millis(150 + (i * 97 % 400) as u64));
        let mut f = likeness::library::Face {
            asset_id: format!("ta_{i}"),
            provider: ProviderKind::Rehearsal,
            kind: FaceKind::RealFace,
            name: format!("Person {i}"),
            image_url: "https://x/a.jpg".into(),
            thumbnail: None,
            group_id: None,
            enrolled_at_ms: i as i64,
            price_usd: None,
            tx_hash: None,
            photo_override: None,
            asset_type: likeness::media::AssetType::Image,
            status: likeness::providers::AssetStatus::Active,
            status_message: None,
            consent: None,
            revoked: None,
            tags: Vec::new(),
        };
        f.group_id = Some(format!("g_{i}"));
        a.save_face(&f).unwrap();
        let saved = Instant::now();
        while listed <= i {
            let (count, at) = rx.recv_timeout(Duration::from_secs(5)).unwrap();
            listed = count;
            if listed > i {
                lags.push(at.saturating_duration_since(saved));
            }
        }
    }
    watcher.join().unwrap();
    lags.sort();
    // The figure goes to docs/PERFORMANCE.md; the test asserts every face arrives, in order
    // (each within the 5 s the receive waits), not a speed.
    let max = *lags.last().unwrap();
    eprintln!(
        "face seen at the other desk (poll every {POLL:?}): median {:?}, max {max:?} over {} faces",
        lags[lags.len() / 2],
        lags.len()
    );
}
