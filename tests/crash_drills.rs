//! App crash drills: the `likeness` binary is the app. It is SIGKILLed at each stage of a
//! paid enrollment and of a paid video job, then the studio comes back two ways: the desktop
//! app's own launch path (`Stage::start` + `Studio::resume_open_sessions`, as
//! src-tauri/src/state.rs runs it) on a copy of the data folder, which shows what the window
//! would say, and the CLI run again on the same SQLite file, which finishes the flow.
//!
//! Every drill asserts the issue's invariants: no session or face is lost; the settlements per
//! enrollment are exactly 1 (0 when it did not complete); no job is paid twice (one ledger row,
//! one settlement); and the operator is told, in words, where things stand and what to do.
//!
//! The kill points the CLI cannot be stopped at from outside (a payment sent but not yet acted
//! on, a settled payment whose answer is still on its way) are reached with a pausing proxy
//! between the CLI and Rehearsal that holds one request or one response.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use common::PhotoHost;
use likeness::flow::{SessionState, SessionView, Studio, StudioConfig};
use likeness::http::TrustRoots;
use likeness::library::{Library, PaymentRecord, PaymentStatus, FILE_NAME};
use likeness::payment::{PAYMENT_SIGNATURE_HEADER, X_PAYMENT_HEADER};
use likeness::providers::ProviderKind;
use likeness::secrets::MemoryStore;
use likeness::settings::{PaymentMethod, Settings};
use likeness::stage::{Stage, StageOptions};
use likeness::video::{JobState, VideoJob};
use rehearsal::RehearsalServer;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_likeness");
/// Hardhat's first test key: Rehearsal checks real EIP-712 signatures on Base Sepolia.
const HARDHAT_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const WALLET_VAR: &str = "LIKENESS_DRILL_WALLET";
const WAIT: Duration = Duration::from_secs(60);
const PROMPT: &str = "The talent waves at the camera";

// ---------------------------------------------------------------------------------------------
// The pausing proxy.

/// What the proxy holds, once; everything else passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hold {
    /// The first request carrying a payment header is kept and never forwarded: the payment is
    /// signed and sent, and the server has not seen it.
    PaidRequest,
    /// The first request carrying a payment header is forwarded and answered, and the answer is
    /// kept: the server has acted (settled), the app never hears it.
    PaidAnswer,
    /// The first video poll answered `200` (the video is made, and that poll settled it) is kept.
    CompletedVideoPoll,
}

struct ProxyState {
    upstream: String,
    client: reqwest::Client,
    armed: Mutex<Option<Hold>>,
    held: AtomicUsize,
    paid_requests: AtomicUsize,
    video_polls: AtomicUsize,
}

impl ProxyState {
    fn take(&self, hold: Hold) -> bool {
        let mut armed = self.armed.lock().unwrap();
        if *armed == Some(hold) {
            *armed = None;
            true
        } else {
            false
        }
    }

    /// Keeps the request (and the app's connection) open for good.
    async fn hold(&self) -> Response {
        self.held.fetch_add(1, Ordering::SeqCst);
        std::future::pending::<()>().await;
        unreachable!()
    }
}

/// An HTTP-level proxy rather than a byte pipe: it has to see which request carries the payment
/// header and what status the answer has, to hold exactly that one.
struct Proxy {
    addr: std::net::SocketAddr,
    state: Arc<ProxyState>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: std::net::SocketAddr) -> Proxy {
        let state = Arc::new(ProxyState {
            upstream: format!("http://{upstream}"),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            armed: Mutex::new(None),
            held: AtomicUsize::new(0),
            paid_requests: AtomicUsize::new(0),
            video_polls: AtomicUsize::new(0),
        });
        let app = Router::new().fallback(forward).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Proxy { addr, state, task }
    }

    fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    fn arm(&self, hold: Hold) {
        *self.state.armed.lock().unwrap() = Some(hold);
    }

    fn held(&self) -> usize {
        self.state.held.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const HOP_BY_HOP: [&str; 4] = ["host", "content-length", "connection", "transfer-encoding"];

async fn forward(State(p): State<Arc<ProxyState>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let paid = parts.headers.contains_key(X_PAYMENT_HEADER)
        || parts.headers.contains_key(PAYMENT_SIGNATURE_HEADER);
    let video_poll =
        parts.method == Method::GET && parts.uri.path().contains("/videos/generations/");
    if paid {
        p.paid_requests.fetch_add(1, Ordering::SeqCst);
    }
    if video_poll {
        p.video_polls.fetch_add(1, Ordering::SeqCst);
    }
    if paid && p.take(Hold::PaidRequest) {
        return p.hold().await;
    }
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let path = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let mut headers = HeaderMap::new();
    for (name, value) in &parts.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            headers.append(name, value.clone());
        }
    }
    let answer = match p
        .client
        .request(parts.method.clone(), format!("{}{path}", p.upstream))
        .headers(headers)
        .body(body)
        .send()
        .await
    {
        Ok(a) => a,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let status = answer.status();
    let headers = answer.headers().clone();
    // Read whole before holding: the server has finished acting on the request.
    let bytes = answer.bytes().await.unwrap_or_default();
    if (paid && p.take(Hold::PaidAnswer))
        || (video_poll && status == StatusCode::OK && p.take(Hold::CompletedVideoPoll))
    {
        return p.hold().await;
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    for (name, value) in &headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            response.headers_mut().append(name, value.clone());
        }
    }
    response
}

// ---------------------------------------------------------------------------------------------
// The drill bench: a photo host, Rehearsal, the proxy and a data folder.

struct Drill {
    photos: PhotoHost,
    rehearsal: RehearsalServer,
    proxy: Proxy,
    dir: tempfile::TempDir,
    ca_bundle: PathBuf,
}

impl Drill {
    async fn new() -> Drill {
        Self::with_video_delay(rehearsal::DEFAULT_VIDEO_DELAY).await
    }

    async fn with_video_delay(video_delay: Duration) -> Drill {
        let photos = PhotoHost::start().await;
        let mut config = common::rehearsal_config(&photos);
        config.video_delay = video_delay;
        let rehearsal = common::start_rehearsal_with(config).await;
        let proxy = Proxy::start(rehearsal.local_addr()).await;
        let dir = tempfile::tempdir().unwrap();
        // SSL_CERT_FILE replaces the system roots: the bundle keeps them and adds the photo host.
        let system =
            std::fs::read_to_string("/etc/ssl/certs/ca-certificates.crt").unwrap_or_default();
        let ca_bundle = dir.path().join("bundle.pem");
        std::fs::write(&ca_bundle, format!("{system}\n{}", photos.root_cert_pem())).unwrap();
        Drill {
            photos,
            rehearsal,
            proxy,
            dir,
            ca_bundle,
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The CLI's arguments up to the command: through the proxy, on this data folder, paying
    /// with the test wallet (x402), never the keyring's.
    fn global_args(&self) -> Vec<String> {
        vec![
            "--base-url".into(),
            self.proxy.base_url(),
            "--data-dir".into(),
            self.data_dir().display().to_string(),
            "--wallet-key-env".into(),
            WALLET_VAR.into(),
        ]
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(self.global_args())
            .args(args)
            .env(WALLET_VAR, HARDHAT_KEY)
            .env("SSL_CERT_FILE", &self.ca_bundle)
            .env("LIKENESS_KEYRING_SERVICE", "likeness-crash-drill-unused")
            .env_remove("LIKENESS_LOG")
            .kill_on_drop(true);
        c
    }

    /// Runs the CLI to its end.
    async fn run(&self, args: &[&str]) -> std::process::Output {
        tokio::time::timeout(WAIT, self.cmd(args).stdin(Stdio::null()).output())
            .await
            .unwrap_or_else(|_| panic!("likeness {args:?} did not finish"))
            .unwrap()
    }

    /// Runs the CLI with `--json` and returns its result, asserting success.
    async fn result(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all).await;
        assert!(
            out.status.success(),
            "likeness {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let last = text.lines().last().expect("a result line");
        serde_json::from_str::<Value>(last).unwrap()["result"].clone()
    }

    /// What the operator reads: the CLI's human output.
    async fn text(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(
            out.status.success(),
            "likeness {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Starts the CLI with `--json`, its stdout read line by line.
    fn spawn(&self, args: &[&str]) -> Running {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let mut child = self
            .cmd(&all)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, lines }
    }

    fn library(&self) -> Library {
        Library::open(&self.data_dir().join(FILE_NAME)).unwrap()
    }

    /// A session the talent has finished, opened and checked with the step commands.
    async fn verified_session(&self) -> String {
        let started = self
            .result(&[
                "session",
                "start",
                "--name",
                "Ada",
                "--talent-agrees",
                "Ada",
            ])
            .await;
        let id = started["id"].as_str().unwrap().to_string();
        self.rehearsal
            .complete_liveness(started["groupId"].as_str().unwrap())
            .await
            .unwrap();
        let status = self.result(&["session", "status", "--id", &id]).await;
        assert_eq!(status["state"], "verified", "{status}");
        id
    }

    fn enroll_args<'a>(&'a self, id: &'a str, face_url: &'a str) -> Vec<&'a str> {
        vec![
            "enroll",
            "--session",
            id,
            "--name",
            "Ada",
            "--image-url",
            face_url,
        ]
    }

    /// Restart, as the desktop app does at launch (src-tauri/src/state.rs): the stage, a studio
    /// with the app's media folder, then `resume_open_sessions`, which also resumes the jobs.
    /// It runs on a copy of the data folder taken after the kill, so that the CLI, run next on
    /// the original, meets exactly what the killed process left. Nothing is pressed.
    async fn app_launch(&self) -> (Vec<SessionView>, Vec<VideoJob>) {
        let copy = self.dir.path().join(format!(
            "app-launch-{}",
            hex::encode(rand::random::<[u8; 4]>())
        ));
        std::fs::create_dir_all(&copy).unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let from = self.data_dir().join(format!("{FILE_NAME}{suffix}"));
            if from.exists() {
                std::fs::copy(&from, copy.join(format!("{FILE_NAME}{suffix}"))).unwrap();
            }
        }
        let settings = Settings {
            provider: ProviderKind::Rehearsal,
            base_url: Some(self.proxy.base_url()),
            payment_method: PaymentMethod::Wallet,
            ..Settings::default()
        };
        let options = StageOptions {
            trust: TrustRoots(vec![self.photos.root_cert_der()]),
            api_key: None,
            data_dir: Some(copy.clone()),
            wallet: Some(HARDHAT_KEY.parse().unwrap()),
        };
        let stage = Stage::start(&settings, &MemoryStore::default(), &options)
            .await
            .unwrap();
        let library = Arc::new(Library::open(&copy.join(FILE_NAME)).unwrap());
        let studio = Studio::new(
            library,
            stage.provider.clone(),
            stage.http.clone(),
            StudioConfig {
                media_dir: Some(copy.join("media")),
                caps: settings.caps().unwrap(),
                wallet: stage.wallet.clone(),
                ..StudioConfig::for_provider(&stage.provider)
            },
        );
        let sessions = studio.resume_open_sessions().unwrap();
        let jobs = studio.list_jobs().unwrap();
        // Stopped before any watch's first check is due: the CLI finishes the flow.
        studio.stop();
        (sessions, jobs)
    }

    /// The ledger rows for one purpose (`realface:<session>` or `video:<job>`).
    fn ledger(&self, purpose: &str) -> Vec<PaymentRecord> {
        self.library().payments_for(purpose).unwrap()
    }
}

/// A CLI process that is still running.
struct Running {
    child: Child,
    lines: tokio::sync::mpsc::UnboundedReceiver<String>,
}

impl Running {
    /// The next JSON line whose `event` is `event` (earlier lines are skipped).
    async fn event(&mut self, event: &str) -> Value {
        loop {
            let line = tokio::time::timeout(WAIT, self.lines.recv())
                .await
                .unwrap_or_else(|_| panic!("no {event} line"))
                .unwrap_or_else(|| panic!("the CLI ended before {event}"));
            let v: Value = serde_json::from_str(&line).unwrap();
            if v["event"] == event {
                return v["data"].clone();
            }
            assert!(v.get("error").is_none(), "the CLI failed: {v}");
        }
    }

    /// SIGKILL: no destructor, no flush, no goodbye. (`Child::start_kill` sends SIGKILL on
    /// Unix.)
    async fn sigkill(mut self) {
        self.child.start_kill().unwrap();
        let status = self.child.wait().await.unwrap();
        assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status:?}");
    }
}

/// Waits until `done` holds (checked every 20 ms), or fails saying `what`.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The view the app shows for `id` after its launch.
fn view_of<'a>(views: &'a [SessionView], id: &str) -> &'a SessionView {
    views
        .iter()
        .find(|v| v.session.id == id)
        .unwrap_or_else(|| panic!("the app lost session {id}: {views:?}"))
}

/// The lines `likeness sessions` prints for `id`: its row and the indented words below it.
fn listed(text: &str, id: &str) -> String {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(id));
    let row = lines
        .next()
        .unwrap_or_else(|| panic!("session {id} is not listed:\n{text}"));
    std::iter::once(row)
        .chain(lines.take_while(|l| l.starts_with(' ')))
        .collect::<Vec<_>>()
        .join("\n")
}

/// After a finished enrollment: the face is filed, the session is enrolled and no longer
/// listed as open, and its one payment settled once, for this face.
async fn assert_enrolled_once(d: &Drill, id: &str, face: &Value) {
    let asset = face["assetId"].as_str().unwrap();
    assert!(asset.starts_with("ta_"), "{face}");
    let library = d.library();
    let session = library.session(id).unwrap();
    assert_eq!(session.state, SessionState::Enrolled);
    assert_eq!(session.asset_id.as_deref(), Some(asset));
    let filed = library.face(asset).unwrap();
    assert_eq!(filed.name, "Ada");
    assert_eq!(library.faces().unwrap().len(), 1, "one face, no duplicate");
    assert_eq!(d.rehearsal.settlements(), 1, "exactly one settlement");
    let rows = d.ledger(&format!("realface:{id}"));
    assert_eq!(rows.len(), 1, "one payment in the ledger: {rows:?}");
    assert_eq!(rows[0].status, PaymentStatus::Settled);
    assert_eq!(rows[0].asset_id.as_deref(), Some(asset));
    assert!(rows[0].settlement_tx.is_some(), "{:?}", rows[0]);
    let consent = filed.consent.expect("a consent record");
    assert!(consent.liveness_ref.unwrap().contains(id));
    let open = d.text(&["sessions"]).await;
    assert!(
        !open.contains(id),
        "an enrolled session is not open:\n{open}"
    );
}

// ---------------------------------------------------------------------------------------------
// The drills, in the order of the flow.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_awaiting_the_scan_the_session_resumes_and_pays_once() {
    let d = Drill::new().await;
    let face_url = d.photos.url("/face.jpg");
    let mut app = d.spawn(&[
        "--yes",
        "enroll-flow",
        "--name",
        "Ada",
        "--talent-agrees",
        "Ada",
        "--image-url",
        &face_url,
    ]);
    let started = app.event("session_started").await;
    let id = started["id"].as_str().unwrap().to_string();
    let group = started["groupId"].as_str().unwrap().to_string();
    app.sigkill().await;

    let session = d.library().session(&id).expect("the session survives");
    assert_eq!(session.state, SessionState::AwaitingScan);
    assert_eq!(d.rehearsal.settlements(), 0);

    // The app comes back waiting for the same scan, with the same QR.
    let (views, _) = d.app_launch().await;
    let view = view_of(&views, &id);
    assert_eq!(view.session.state, SessionState::AwaitingScan);
    assert_eq!(view.session.h5_link, session.h5_link, "the same link");
    assert!(view.qr_svg.is_some(), "the QR is shown again");
    assert!(view.notice.is_none(), "{:?}", view.notice);

    // The CLI lists it in words, with what to run next.
    let open = d.text(&["sessions"]).await;
    let said = listed(&open, &id);
    assert!(
        said.contains("Waiting for the talent to finish on their phone"),
        "{said}"
    );
    assert!(
        said.contains(&format!("likeness session status --id {id}")),
        "{said}"
    );

    // The talent finishes on the phone they already scanned; the same session enrolls.
    d.rehearsal.complete_liveness(&group).await.unwrap();
    let status = d.result(&["session", "status", "--id", &id]).await;
    assert_eq!(status["state"], "verified");
    let mut enroll = d.enroll_args(&id, &face_url);
    enroll.insert(0, "--yes");
    let face = d.result(&enroll).await;
    assert_enrolled_once(&d, &id, &face).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_the_phone_check_the_verified_session_enrolls_once() {
    let d = Drill::new().await;
    // `/held.jpg` answers once per release: the start's photo check gets it, the enroll's
    // re-check waits, which holds the app between "verified" and the price request.
    d.photos.release_held();
    let held_url = d.photos.url("/held.jpg");
    let mut app = d.spawn(&[
        "--yes",
        "enroll-flow",
        "--name",
        "Ada",
        "--talent-agrees",
        "Ada",
        "--image-url",
        &held_url,
    ]);
    let started = app.event("session_started").await;
    let id = started["id"].as_str().unwrap().to_string();
    d.rehearsal
        .complete_liveness(started["groupId"].as_str().unwrap())
        .await
        .unwrap();
    // Enter: "Talent finished — check now".
    let stdin = app.child.stdin.as_mut().unwrap();
    tokio::io::AsyncWriteExt::write_all(stdin, b"\n")
        .await
        .unwrap();
    let updated = app.event("session_updated").await;
    assert_eq!(updated["state"], "verified", "{updated}");
    until("the enroll's photo re-check", || {
        d.photos.hits("/held.jpg") == 2
    })
    .await;
    app.sigkill().await;

    let session = d.library().session(&id).expect("the session survives");
    assert_eq!(session.state, SessionState::Verified);
    assert_eq!(d.proxy.state.paid_requests.load(Ordering::SeqCst), 0);
    assert!(d.ledger(&format!("realface:{id}")).is_empty());

    let (views, _) = d.app_launch().await;
    let view = view_of(&views, &id);
    assert_eq!(view.session.state, SessionState::Verified);
    assert!(view.quote.is_none(), "no price before Enroll");

    let open = d.text(&["sessions"]).await;
    let said = listed(&open, &id);
    assert!(
        said.contains("The talent finished the phone check"),
        "{said}"
    );
    assert!(
        said.contains(&format!("likeness enroll --session {id}")),
        "{said}"
    );

    let face_url = d.photos.url("/face.jpg");
    let mut enroll = d.enroll_args(&id, &face_url);
    enroll.insert(0, "--yes");
    let face = d.result(&enroll).await;
    assert_enrolled_once(&d, &id, &face).await;
}

/// `a b 'c d'` → one shell word per argument, for `script -c`.
fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The process running `exe` below `ancestor`, if any (`script` runs it under a shell).
fn descendant_running(ancestor: u32, exe: &Path) -> Option<u32> {
    let exe = exe.canonicalize().ok()?;
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // `pid (comm) state ppid …`: comm may hold spaces, so read after the last ')'.
        stat[stat.rfind(')')? + 2..].split(' ').nth(1)?.parse().ok()
    };
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if std::fs::read_link(format!("/proc/{pid}/exe"))
            .ok()
            .as_deref()
            != Some(exe.as_path())
        {
            continue;
        }
        let mut p = pid;
        while let Some(parent) = parent_of(p) {
            if parent == ancestor {
                return Some(pid);
            }
            if parent <= 1 {
                break;
            }
            p = parent;
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_the_price_prompt_nothing_is_signed_and_a_fresh_price_pays_once() {
    let d = Drill::new().await;
    let id = d.verified_session().await;
    let face_url = d.photos.url("/face.jpg");

    // The CLI asks "Pay …? [y/N]" only on a terminal: `script` gives it one.
    let mut argv = vec![BIN.to_string()];
    argv.extend(d.global_args());
    argv.extend(d.enroll_args(&id, &face_url).into_iter().map(String::from));
    let mut script = Command::new("script")
        .args(["-q", "-f", "-e", "-c", &shell_words(&argv), "/dev/null"])
        .env(WALLET_VAR, HARDHAT_KEY)
        .env("SSL_CERT_FILE", &d.ca_bundle)
        .env("LIKENESS_KEYRING_SERVICE", "likeness-crash-drill-unused")
        .env("SHELL", "/bin/sh")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut terminal = script.stdout.take().unwrap();
    let mut shown = String::new();
    tokio::time::timeout(WAIT, async {
        let mut buf = [0u8; 1024];
        while !shown.contains("[y/N]") {
            let n = tokio::io::AsyncReadExt::read(&mut terminal, &mut buf)
                .await
                .unwrap();
            assert!(n > 0, "the CLI ended before its prompt: {shown}");
            shown.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no price prompt: {shown}"));
    assert!(shown.contains("Pay $0.01 to 0x"), "{shown}");
    assert!(shown.contains("(test network, no real money)"), "{shown}");
    assert_eq!(
        d.library().session(&id).unwrap().state,
        SessionState::AwaitingPayment
    );
    let pid =
        descendant_running(script.id().unwrap(), Path::new(BIN)).expect("the CLI under script");
    // The CLI is a grandchild here (script → shell → likeness), so `kill -KILL` sends it the
    // SIGKILL that `Child::start_kill` sends a child.
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(WAIT, script.wait())
        .await
        .unwrap()
        .unwrap();
    // `script -e` reports the child's end as a shell would: 128 + SIGKILL.
    assert_eq!(status.code(), Some(137), "{status:?}");

    assert_eq!(d.proxy.state.paid_requests.load(Ordering::SeqCst), 0);
    assert!(
        d.ledger(&format!("realface:{id}")).is_empty(),
        "nothing signed"
    );
    assert_eq!(d.rehearsal.settlements(), 0);

    // The price lived in the dead process: the app goes back to "verified" and asks again.
    let (views, _) = d.app_launch().await;
    let view = view_of(&views, &id);
    assert_eq!(view.session.state, SessionState::Verified);
    assert!(view.quote.is_none());

    let open = d.text(&["sessions"]).await;
    let said = listed(&open, &id);
    assert!(
        said.contains("A price was shown and not confirmed; nothing was signed"),
        "{said}"
    );
    assert!(
        said.contains(&format!("likeness enroll --session {id}")),
        "{said}"
    );

    let mut enroll = d.enroll_args(&id, &face_url);
    enroll.insert(0, "--yes");
    let face = d.result(&enroll).await;
    assert_enrolled_once(&d, &id, &face).await;
}

/// Kills `likeness enroll --yes` while the proxy holds what `hold` names, and returns the
/// session id and the signed payment the dead process left in the ledger.
async fn kill_mid_payment(d: &Drill, hold: Hold) -> (String, PaymentRecord) {
    let id = d.verified_session().await;
    let face_url = d.photos.url("/face.jpg");
    d.proxy.arm(hold);
    let mut enroll = d.enroll_args(&id, &face_url);
    enroll.insert(0, "--yes");
    let app = d.spawn(&enroll);
    until("the proxy holds the payment", || d.proxy.held() == 1).await;
    app.sigkill().await;

    let session = d.library().session(&id).expect("the session survives");
    assert_eq!(session.state, SessionState::Enrolling);
    let rows = d.ledger(&format!("realface:{id}"));
    assert_eq!(
        rows.len(),
        1,
        "signed once, written before sending: {rows:?}"
    );
    assert_eq!(rows[0].status, PaymentStatus::Signed);
    assert!(d.library().faces().unwrap().is_empty());
    (id, rows.into_iter().next().unwrap())
}

/// What both Enrolling drills see after the restart, and how they finish.
async fn restart_mid_payment(d: &Drill, id: &str, signed: &PaymentRecord) {
    let (views, _) = d.app_launch().await;
    let view = view_of(&views, id);
    assert_eq!(view.session.state, SessionState::Verified);
    let notice = view.notice.as_ref().expect("the app says what happened");
    assert_eq!(
        notice.message,
        "The app stopped while enrolling. Press Enroll to finish: a payment already signed is re-sent or found at the provider, never paid twice."
    );

    let open = d.text(&["sessions"]).await;
    let said = listed(&open, id);
    assert!(
        said.contains("The enrollment was interrupted before its answer arrived"),
        "{said}"
    );
    assert!(
        said.contains("a payment already signed is re-sent, so it cannot be charged twice"),
        "{said}"
    );

    let face_url = d.photos.url("/face.jpg");
    let mut enroll = d.enroll_args(id, &face_url);
    enroll.insert(0, "--yes");
    let face = d.result(&enroll).await;
    assert_enrolled_once(d, id, &face).await;
    let row = &d.ledger(&format!("realface:{id}"))[0];
    assert_eq!(row.id, signed.id, "the same ledger row");
    assert_eq!(row.nonce, signed.nonce, "the same authorization, re-sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_signing_before_the_server_acts_the_same_payment_is_resent_once() {
    let d = Drill::new().await;
    let (id, signed) = kill_mid_payment(&d, Hold::PaidRequest).await;
    assert_eq!(d.rehearsal.settlements(), 0, "the server never saw it");
    restart_mid_payment(&d, &id, &signed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_awaiting_the_answer_the_settled_payment_is_not_paid_again() {
    let d = Drill::new().await;
    let (id, signed) = kill_mid_payment(&d, Hold::PaidAnswer).await;
    assert_eq!(
        d.rehearsal.settlements(),
        1,
        "the server settled; the answer died with the app"
    );
    restart_mid_payment(&d, &id, &signed).await;
}

/// A portrait face (paid, one settlement), then a paid video job of it, queued at Rehearsal.
async fn paid_job(d: &Drill) -> (String, String) {
    let portrait_url = d.photos.url("/face.webp");
    let face = d
        .result(&[
            "--yes",
            "portrait",
            "--name",
            "Robo Host",
            "--image-url",
            &portrait_url,
        ])
        .await;
    let asset = face["assetId"].as_str().unwrap().to_string();
    assert_eq!(d.rehearsal.settlements(), 1);
    let job = d
        .result(&[
            "--yes", "video", "create", "--face", &asset, "--prompt", PROMPT,
        ])
        .await;
    assert_eq!(job["state"], "queued", "{job}");
    assert_eq!(job["billing"], "wallet", "{job}");
    (asset, job["id"].as_str().unwrap().to_string())
}

/// After the restart: the job finishes, one ledger row settled once, the MP4 on disk.
async fn assert_video_paid_once(d: &Drill, job_id: &str, out: &Path) {
    let done = d
        .result(&[
            "video",
            "wait",
            "--id",
            job_id,
            "--out",
            out.to_str().unwrap(),
        ])
        .await;
    assert_eq!(done["state"], "completed", "{done}");
    assert_eq!(done["charged"], true);
    let path = done["localPath"].as_str().unwrap();
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[4..8], b"ftyp", "an MP4 on disk");
    assert_eq!(d.rehearsal.video_counts().settlements, 1, "paid once");
    // The portrait's settlement and the video's: nothing else.
    assert_eq!(d.rehearsal.settlements(), 2);
    let rows = d.ledger(&format!("video:{job_id}"));
    assert_eq!(rows.len(), 1, "one payment for the job: {rows:?}");
    assert_eq!(rows[0].status, PaymentStatus::Settled);
    // Asking again neither polls a finished job nor pays.
    let polls = d.rehearsal.video_counts().polls;
    let again = d.result(&["video", "status", "--id", job_id]).await;
    assert_eq!(again["state"], "completed");
    assert_eq!(d.rehearsal.video_counts().polls, polls);
    assert_eq!(d.rehearsal.video_counts().settlements, 1);
    let job = d.library().job(job_id).expect("the job survives");
    assert_eq!(job.state, JobState::Completed);
}

/// What the app and the CLI say about a job killed mid-poll.
async fn restart_mid_job(d: &Drill, job_id: &str) {
    let (_, jobs) = d.app_launch().await;
    let job = jobs
        .iter()
        .find(|j| j.id == job_id)
        .unwrap_or_else(|| panic!("the app lost job {job_id}"));
    assert!(job.state.at_provider(), "{job:?}");
    assert_eq!(
        job.charge_note.as_deref(),
        Some("Nothing is charged until the video is delivered; a failed video costs nothing.")
    );
    let said = d.text(&["video", "status", "--id", job_id]).await;
    assert!(
        said.contains("cost      Nothing is charged until the video is delivered")
            || said.contains("cost      This was charged: $"),
        "{said}"
    );
    assert!(
        said.contains(&format!("likeness video wait --id {job_id}"))
            || said.contains("state     done"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_polling_a_paid_video_the_job_finishes_and_settles_once() {
    let d = Drill::with_video_delay(Duration::from_secs(10)).await;
    let (asset, job_id) = paid_job(&d).await;
    let out = d.dir.path().join("videos");
    let app = d.spawn(&[
        "video",
        "wait",
        "--id",
        &job_id,
        "--out",
        out.to_str().unwrap(),
    ]);
    until("the first poll", || d.rehearsal.video_counts().polls >= 1).await;
    app.sigkill().await;
    assert_eq!(d.rehearsal.video_counts().settlements, 0, "not made yet");
    let job = d.library().job(&job_id).expect("the job survives");
    assert!(job.state.at_provider(), "{job:?}");
    d.library().face(&asset).expect("the face survives");

    restart_mid_job(&d, &job_id).await;
    d.rehearsal.finish_videos_now();
    assert_video_paid_once(&d, &job_id, &out).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_with_the_settling_poll_in_flight_the_video_is_not_paid_twice() {
    let d = Drill::with_video_delay(Duration::from_millis(300)).await;
    let (asset, job_id) = paid_job(&d).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    d.proxy.arm(Hold::CompletedVideoPoll);
    let out = d.dir.path().join("videos");
    let app = d.spawn(&[
        "video",
        "wait",
        "--id",
        &job_id,
        "--out",
        out.to_str().unwrap(),
    ]);
    until("the proxy holds the settling poll's answer", || {
        d.proxy.held() == 1
    })
    .await;
    app.sigkill().await;
    assert_eq!(
        d.rehearsal.video_counts().settlements,
        1,
        "the server settled; the answer died with the app"
    );
    let job = d.library().job(&job_id).expect("the job survives");
    assert!(job.state.at_provider(), "{job:?}");
    d.library().face(&asset).expect("the face survives");
    let rows = d.ledger(&format!("video:{job_id}"));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, PaymentStatus::Signed, "the outcome unknown");

    restart_mid_job(&d, &job_id).await;
    assert_video_paid_once(&d, &job_id, &out).await;
}
