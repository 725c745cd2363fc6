//! What the handlers share: settings, the store, the rate limits, the payment gate, the x402
//! nonce ledger, the Anyfast/Crun accounts and their asset processing, and the Seedance jobs.
//!
//! Every change to the store or to a rate-limit window goes through a method here that, with a
//! state file configured, saves the whole state before returning, so what a client was told has
//! happened survives a kill right after.

use provider_api::ProviderApi;
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use axum::http::header::RETRY_AFTER;
use axum::http::StatusCode;

use alloy::primitives::Address;
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use x402::X402Version;

use super::byteplus::{
    self, AssetRecord, AssetView, ListFilter, NewAsset, ValidateResult, ValidateSession,
};
use super::error::ApiError;
use super::ledger::{Attempt, Ledger, LedgerKey, NonceState, Refusal, SettledPayment};
use super::payment::{PaymentGate, Price, NETWORK, SETTLEMENT_NETWORK};
use super::persist::{self, SavedRateLimits, SavedState, StateFile};
use super::rate_limit::{self, Calls, Decision, SlidingWindow};
use super::session::{Progress, Session, Step, StepRefusal};
use super::store::{
    Group, GroupStatus, PortraitRecord, RealFaceRecord, SessionSnapshot,
    SessionState as StoreSessionState, StepFailure, Store,
};
use super::video::{self, Billing, Delivered, HeldPayment, NewJob, VideoJob};
use super::wall_clock::{self, Clock};
use super::{ids, Faults, AIGC_KEY_PREFIX};

/// An enrolled asset about to be recorded.
pub enum Asset {
    RealFace(RealFaceRecord),
    Portrait(PortraitRecord),
}

pub struct Service {
    pub public_host: String,
    pub port: u16,
    pub key_owner: String,
    pub session_ttl: Duration,
    pub image_client: reqwest::Client,
    pub gate: PaymentGate,
    pub realface_price: Price,
    pub portrait_price: Price,
    pub faults: Faults,
    pub jarvisclaw_shape: provider_api::JarvisClawShape,
    /// What every wallet holds on the test network before it pays anything.
    test_funds_atomic: u128,
    /// Epoch milliseconds for expiries and rate-limit windows.
    clock: Clock,
    store: Mutex<Store>,
    /// Every x402 authorization seen: in flight, settled or void.
    ledger: Mutex<Ledger>,
    /// `POST /v1/realface/init` that create a group.
    init_limit: Mutex<SlidingWindow>,
    /// `GET /v1/realface/status` and the wallet listings: one bucket, as the doc says.
    lookup_limit: Mutex<SlidingWindow>,
    state_file: Option<StateFile>,
    /// Held while a snapshot is taken and written, so saves land in the order they were taken.
    save_lock: Mutex<()>,
    /// Calls let through and refused per bucket, for tests that hold a client to the limits.
    counts: CallCounters,
    /// Who the Anyfast and Crun keys are.
    pub accounts: Accounts,
    /// How long a new Anyfast/Crun asset stays `Processing` at least.
    pub asset_processing_delay: Duration,
    liveness_counts: LivenessCounters,
    /// The asset checks running now; drained at shutdown so none saves after it.
    processing: Mutex<JoinSet<()>>,
    processing_stop: CancellationToken,
    /// From a video job's submit until it shows its end.
    pub video_delay: Duration,
    /// Which gateway `POST /v1/videos/generations` plays.
    pub video_gateway: ProviderApi,
    video_counts: VideoCounters,
    /// Photos the studio handed over to serve (local files on the link-fetching personalities).
    pub shelf: super::shelf::Shelf,
    /// Phones that opened the liveness page or the Phone test.
    pub phones: Arc<crate::phone::PhoneSightings>,
}

/// The Anyfast and Crun accounts: every configured key, plus any key with [`AIGC_KEY_PREFIX`].
/// An account is known by its [`ids::key_owner`] digest, so the state file never holds a key.
pub struct Accounts {
    by_digest: HashMap<[u8; 32], String>,
}

/// The account an Anyfast or Crun key stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub owner: String,
    /// Routed to the regular AIGC group: no LivenessFace sessions or assets on Anyfast.
    pub aigc: bool,
}

impl Accounts {
    pub fn new<'a>(keys: impl IntoIterator<Item = &'a str>) -> Self {
        Accounts {
            by_digest: keys
                .into_iter()
                .filter(|k| !k.is_empty())
                .map(|k| (Sha256::digest(k.as_bytes()).into(), ids::key_owner(k)))
                .collect(),
        }
    }

    /// `None` for a key that is no account's.
    pub fn account(&self, key: &str) -> Option<Account> {
        if key.starts_with(AIGC_KEY_PREFIX) {
            return Some(Account {
                owner: ids::key_owner(key),
                aigc: true,
            });
        }
        // Looking up the digest keeps the time independent of where a wrong key differs.
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        self.by_digest.get(&digest).map(|owner| Account {
            owner: owner.clone(),
            aigc: false,
        })
    }
}

#[derive(Default)]
struct LivenessCounters {
    sessions_created: AtomicU64,
    result_queries: AtomicU64,
    assets_created: AtomicU64,
    asset_reads: AtomicU64,
    asset_lists: AtomicU64,
}

/// What the Anyfast and Crun personalities have served since start, both together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BytePlusCounts {
    /// BytedTokens handed out.
    pub sessions_created: u64,
    /// Result queries by a valid key, whatever they answered.
    pub result_queries: u64,
    /// Assets accepted for processing.
    pub assets_created: u64,
    /// GetAsset / asset-info answers with an asset.
    pub asset_reads: u64,
    /// ListAssets answers.
    pub asset_lists: u64,
}

#[derive(Default)]
struct VideoCounters {
    submitted: AtomicU64,
    polls: AtomicU64,
    settlements: AtomicU64,
    downloads: AtomicU64,
}

/// What the video endpoints have served since start, every personality together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VideoCounts {
    /// Jobs made (a refused submit does not count).
    pub submitted: u64,
    /// Polls of a known job, whatever they answered.
    pub polls: u64,
    /// x402 settlements of video jobs (also counted in
    /// [`RehearsalServer::settlements`](crate::RehearsalServer::settlements)).
    pub settlements: u64,
    /// Clip downloads answered `200` or `206`.
    pub downloads: u64,
}

/// Why a completed job could not be handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliverRefusal {
    UnknownJob,
    /// The authorization to settle is spent or held elsewhere.
    Nonce(Refusal),
}

#[derive(Default)]
struct CallCounters {
    inits: std::sync::atomic::AtomicU64,
    lookups: std::sync::atomic::AtomicU64,
    rate_limited: std::sync::atomic::AtomicU64,
}

/// What Rehearsal has let through and refused since it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallCounts {
    /// Inits that created a group (the 10/hour bucket).
    pub inits: u64,
    /// Status checks and wallet listings (the 20/hour bucket).
    pub lookups: u64,
    /// Calls answered 429.
    pub rate_limited: u64,
}

pub struct ServiceSettings {
    pub public_host: String,
    pub port: u16,
    pub api_key: String,
    pub key_owner: String,
    pub init_limit_per_hour: u32,
    pub status_limit_per_hour: u32,
    pub session_ttl: Duration,
    pub image_client: reqwest::Client,
    pub state_file: Option<PathBuf>,
    pub x402_version: X402Version,
    pub pay_to: Address,
    pub realface_price_atomic: u128,
    pub portrait_price_atomic: u128,
    pub faults: Faults,
    pub jarvisclaw_shape: provider_api::JarvisClawShape,
    pub extra_api_keys: Vec<String>,
    pub asset_processing_delay: Duration,
    pub video_delay: Duration,
    pub video_gateway: ProviderApi,
    pub payment_window: Duration,
    pub challenge_shape: super::payment::ChallengeShape,
    pub test_funds_atomic: u128,
}

/// What a state file gave back.
#[derive(Default)]
struct Restored {
    store: Store,
    ledger: Ledger,
    init: Calls,
    lookup: Calls,
}

#[derive(Debug, Clone, Copy)]
pub enum Bucket {
    Init,
    Lookup,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section leaves the data consistent, so a panic elsewhere does not poison it.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Service {
    /// `host:port` as phones and LAN clients reach this server: every link it writes (the
    /// phone's page, clips, x402 resources) starts `http://` and this.
    pub fn authority(&self) -> String {
        format!("{}:{}", super::api::url_host(&self.public_host), self.port)
    }

    /// With `state_file`, starts from what it holds (see the `persist` module); never fails.
    pub fn new(s: ServiceSettings) -> Self {
        let clock = Clock::start();
        let state_file = s.state_file.map(StateFile::new);
        let restored = state_file
            .as_ref()
            .and_then(|file| {
                file.load(|saved| {
                    Ok(Restored {
                        store: Store::restore(saved.store)?,
                        ledger: Ledger::restore(saved.payments)?,
                        init: saved.rate_limits.init,
                        lookup: saved.rate_limits.lookup,
                    })
                })
            })
            .unwrap_or_default();
        let now = clock.now_ms();
        let accounts = Accounts::new(
            std::iter::once(s.api_key.as_str()).chain(s.extra_api_keys.iter().map(String::as_str)),
        );
        Service {
            shelf: super::shelf::Shelf::default(),
            accounts,
            asset_processing_delay: s.asset_processing_delay,
            liveness_counts: LivenessCounters::default(),
            processing: Mutex::new(JoinSet::new()),
            processing_stop: CancellationToken::new(),
            video_delay: s.video_delay,
            video_gateway: s.video_gateway,
            video_counts: VideoCounters::default(),
            phones: Arc::default(),
            gate: PaymentGate::new(&s.api_key, s.key_owner.clone(), s.x402_version, s.pay_to)
                .with_window(s.payment_window)
                .with_shape(s.challenge_shape),
            realface_price: Price {
                atomic: s.realface_price_atomic,
            },
            portrait_price: Price {
                atomic: s.portrait_price_atomic,
            },
            faults: s.faults,
            jarvisclaw_shape: s.jarvisclaw_shape,
            test_funds_atomic: s.test_funds_atomic,
            public_host: s.public_host,
            port: s.port,
            key_owner: s.key_owner,
            session_ttl: s.session_ttl,
            image_client: s.image_client,
            clock,
            store: Mutex::new(restored.store),
            ledger: Mutex::new(restored.ledger),
            init_limit: Mutex::new(SlidingWindow::restored(
                s.init_limit_per_hour,
                rate_limit::HOUR,
                restored.init,
                now,
            )),
            lookup_limit: Mutex::new(SlidingWindow::restored(
                s.status_limit_per_hour,
                rate_limit::HOUR,
                restored.lookup,
                now,
            )),
            state_file,
            save_lock: Mutex::new(()),
            counts: CallCounters::default(),
        }
    }

    /// For reading. Changes go through the methods below, which save.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// Writes the whole state to the state file, if there is one. A failed write is logged and
    /// the request goes on: Rehearsal keeps serving from memory.
    fn save(&self) {
        let Some(file) = &self.state_file else {
            return;
        };
        let _order = lock(&self.save_lock);
        let now = self.clock.now_ms();
        let store = self.store().saved();
        let payments = lock(&self.ledger).saved();
        let init = lock(&self.init_limit).calls(now);
        let lookup = lock(&self.lookup_limit).calls(now);
        let state = SavedState {
            version: persist::VERSION,
            saved_at: wall_clock::rfc3339_millis(SystemTime::now()),
            store,
            rate_limits: SavedRateLimits { init, lookup },
            payments,
        };
        if let Err(e) = file.save(&state) {
            tracing::warn!(path = %file.path().display(), error = %e, "rehearsal: could not save state");
        }
    }

    /// A new group with a fresh H5 session.
    /// A new group, made under `name`.
    pub fn create_group(&self, name: &str) -> (Group, Session) {
        let created = {
            let mut store = self.store();
            let (mut group, session) = store.create_group(self.clock.now_ms(), self.session_ttl);
            store.name_group(&group.id, name);
            group.name = Some(name.to_owned());
            (group, session)
        };
        self.save();
        created
    }

    /// A fresh H5 session on an existing group; `None` if the group is unknown.
    pub fn refresh_group(&self, group_id: &str) -> Option<(Group, Session)> {
        let refreshed =
            self.store()
                .refresh_group(group_id, self.clock.now_ms(), self.session_ttl)?;
        self.save();
        Some(refreshed)
    }

    /// Records an enrolled asset and, for an x402 payment, settles its in-flight nonce with it,
    /// in one save. RealFaces answer their group's new asset count. Fails (and settles nothing)
    /// if the RealFace's group vanished or the nonce is no longer in flight.
    pub fn record_asset(
        &self,
        asset: Asset,
        settle: Option<(&LedgerKey, SettledPayment)>,
    ) -> Result<Option<u32>, ApiError> {
        let count = {
            let mut store = self.store();
            let mut ledger = lock(&self.ledger);
            if let Some((key, _)) = &settle {
                let in_flight = ledger
                    .record(key)
                    .is_some_and(|r| r.state == super::ledger::NonceState::InFlight);
                if !in_flight {
                    return Err(ApiError::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "The payment is no longer in flight; nothing was settled",
                    ));
                }
            }
            let count = match asset {
                Asset::RealFace(record) => {
                    let group_id = record.group_id.clone();
                    Some(
                        store
                            .add_realface(record)
                            .ok_or_else(|| ApiError::group_not_found(&group_id))?,
                    )
                }
                Asset::Portrait(record) => {
                    store.add_portrait(record);
                    None
                }
            };
            if let Some((key, settled)) = settle {
                ledger.settle(key, settled);
            }
            count
        };
        self.save();
        Ok(count)
    }

    /// Puts a verified payment's nonce in flight (saved), unless it is spent or busy: settled,
    /// in flight, or held by a video job that may still settle it.
    pub fn begin_payment(&self, attempt: Attempt) -> Result<LedgerKey, Refusal> {
        let key = {
            // Store before ledger, the order every method here takes them in.
            let store = self.store();
            if store
                .videos()
                .holder(&attempt.payer, &attempt.nonce, self.clock.now_ms())
                .is_some()
            {
                return Err(Refusal::InFlight);
            }
            let key = lock(&self.ledger).begin(attempt)?;
            key
        };
        self.save();
        Ok(key)
    }

    /// An in-flight payment that will not settle: its nonce is free again (saved).
    pub fn void_payment(&self, key: &LedgerKey) {
        let now = wall_clock::rfc3339_millis(SystemTime::now());
        if lock(&self.ledger).void(key, now) {
            self.save();
        }
    }

    /// `owner`'s test USDC: the funds every wallet starts with, less what its settled
    /// authorizations moved (a chain's balance changes at settlement, never before).
    pub fn balance_of(&self, owner: &str) -> u128 {
        self.test_funds_atomic
            .saturating_sub(lock(&self.ledger).settled_by(owner))
    }

    /// x402 settlements so far (one per settled nonce, across the enroll endpoints and video
    /// jobs, restarts included).
    pub fn settlements(&self) -> u64 {
        lock(&self.ledger).settlements()
    }

    /// What the phone page shows for `token`.
    pub fn session(&self, token: &str) -> Option<SessionSnapshot> {
        self.store().session(token, self.clock.now_ms())
    }

    /// Counts one call against `bucket`, or answers 429 with `Retry-After`.
    pub fn rate_limit(&self, bucket: Bucket, ip: IpAddr) -> Result<(), ApiError> {
        let window = match bucket {
            Bucket::Init => &self.init_limit,
            Bucket::Lookup => &self.lookup_limit,
        };
        let mut window = lock(window);
        use std::sync::atomic::Ordering::SeqCst;
        match window.hit(ip, self.clock.now_ms()) {
            Decision::Allowed { .. } => {
                drop(window);
                match bucket {
                    Bucket::Init => self.counts.inits.fetch_add(1, SeqCst),
                    Bucket::Lookup => self.counts.lookups.fetch_add(1, SeqCst),
                };
                self.save();
                Ok(())
            }
            Decision::Limited { retry_after } => {
                self.counts.rate_limited.fetch_add(1, SeqCst);
                let secs = rate_limit::retry_after_secs(retry_after);
                let reset_ms = wall_clock::unix_ms(SystemTime::now() + retry_after);
                tracing::info!(%ip, ?bucket, retry_after_secs = secs, "rehearsal: rate limited");
                Err(
                    // The doc names the 429 and the wait (`Retry-After`); nothing in the body.
                    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded")
                        .header(RETRY_AFTER, secs)
                        .header("x-ratelimit-limit".parse().expect("static"), window.limit())
                        .header("x-ratelimit-remaining".parse().expect("static"), 0)
                        .header("x-ratelimit-reset".parse().expect("static"), reset_ms),
                )
            }
        }
    }

    pub fn call_counts(&self) -> CallCounts {
        use std::sync::atomic::Ordering::SeqCst;
        CallCounts {
            inits: self.counts.inits.load(SeqCst),
            lookups: self.counts.lookups.load(SeqCst),
            rate_limited: self.counts.rate_limited.load(SeqCst),
        }
    }

    /// A group's status and the state of its current H5 session (expired, failed, …).
    pub fn group_phase(&self, group_id: &str) -> Option<(GroupStatus, Option<StoreSessionState>)> {
        let now = self.clock.now_ms();
        let store = self.store();
        let group = store.group(group_id)?;
        let session = store.session(&group.current_token, now).map(|s| s.state);
        Some((group.status, session))
    }

    /// One phone action, the single path both `POST /h5/api/step` and `complete_liveness` take.
    pub fn apply_step(&self, token: &str, step: Step) -> Result<SessionSnapshot, ApiError> {
        let result = self.store().apply_step(token, step, self.clock.now_ms());
        match result {
            Ok(snapshot) => {
                self.save();
                tracing::info!(group_id = %snapshot.group_id, ?step, progress = ?snapshot.progress, "rehearsal: H5 step");
                Ok(snapshot)
            }
            Err(StepFailure::UnknownToken) => Err(ApiError::not_found(
                "Not found: this verification link is not recognised",
            )
            .with("code", "SESSION_NOT_FOUND")),
            Err(StepFailure::Refused(StepRefusal::Expired)) => {
                Err(ApiError::new(StatusCode::GONE, "Session expired")
                    .with("code", "SESSION_EXPIRED")
                    .with(
                        "hint",
                        "The 120-second session ran out. Ask the operator for a fresh QR code.",
                    ))
            }
            Err(StepFailure::Refused(StepRefusal::Superseded)) => {
                Err(ApiError::new(StatusCode::GONE, "Session expired")
                    .with("code", "SESSION_SUPERSEDED")
                    .with(
                        "hint",
                        "A newer QR code was issued for this person. Scan the new one.",
                    ))
            }
            Err(StepFailure::Refused(StepRefusal::OutOfOrder { expected, got })) => {
                let message = match expected {
                    None => "Verification already completed".to_owned(),
                    Some(e) => format!(
                        "Step `{}` is out of order: the session is waiting for `{}`",
                        step_name(got),
                        step_name(e)
                    ),
                };
                Err(ApiError::new(StatusCode::CONFLICT, message)
                    .with("code", "STEP_OUT_OF_ORDER")
                    .with("expected_step", expected.map(step_name))
                    .with("step", step_name(got)))
            }
        }
    }

    /// Does what the phone does for the group's current session: camera, nod, blink.
    pub fn complete_liveness(&self, group_id: &str) -> Result<(), String> {
        let token = {
            let store = self.store();
            let group = store
                .group(group_id)
                .ok_or_else(|| format!("Asset group not found: {group_id}"))?;
            if group.status == GroupStatus::Active {
                return Ok(());
            }
            group.current_token.clone()
        };
        loop {
            let snapshot = self
                .session(&token)
                .ok_or_else(|| format!("no H5 session for {group_id}"))?;
            let Some(step) = snapshot.progress.next_step() else {
                return Ok(());
            };
            self.apply_step(&token, step)
                .map_err(|e| e.message().to_owned())?;
        }
    }
}

/// The Anyfast and Crun side: BytedTokens, LivenessFace groups and asset processing.
impl Service {
    /// A new BytedToken for `owner`; `callback_url` empty for none.
    pub fn create_validate_session(&self, owner: &str, callback_url: &str) -> ValidateSession {
        let session = self.store().liveness_mut().create_session(
            owner,
            callback_url,
            self.clock.now_ms(),
            self.session_ttl,
        );
        self.save();
        bump(&self.liveness_counts.sessions_created);
        tracing::info!(
            has_callback = !callback_url.is_empty(),
            "rehearsal: BytePlus validation session created"
        );
        session
    }

    /// A result query; saved, since the first one spends the token whatever it finds.
    pub fn validate_result(&self, owner: &str, token: &str) -> ValidateResult {
        bump(&self.liveness_counts.result_queries);
        let result = self
            .store()
            .liveness_mut()
            .result(token, owner, self.clock.now_ms());
        match &result {
            ValidateResult::Ready(group_id) => {
                self.save();
                tracing::info!(%group_id, "rehearsal: BytedToken spent on its GroupId");
            }
            ValidateResult::NotReady => {
                self.save();
                tracing::info!("rehearsal: BytedToken spent before the phone finished");
            }
            ValidateResult::Invalid => {}
        }
        result
    }

    /// Records an upload and starts processing it; `None` if the group is not `owner`'s.
    pub fn create_liveness_asset(self: &Arc<Self>, new: NewAsset) -> Option<AssetView> {
        let now = self.clock.now_ms();
        let record =
            self.store()
                .liveness_mut()
                .create_asset(new, now, self.asset_processing_delay)?;
        self.save();
        bump(&self.liveness_counts.assets_created);
        tracing::info!(asset_id = %record.id, asset_type = record.asset_type.as_str(), group_id = ?record.group_id, "rehearsal: BytePlus asset created");
        self.process(record.clone());
        Some(record.view(now))
    }

    /// `owner`'s asset as it stands now.
    pub fn liveness_asset(&self, owner: &str, id: &str) -> Option<AssetView> {
        let now = self.clock.now_ms();
        let view = self
            .store()
            .liveness()
            .asset(id, owner)
            .map(|a| a.view(now));
        if view.is_some() {
            bump(&self.liveness_counts.asset_reads);
        }
        view
    }

    /// `owner`'s assets passing `filter`, newest first.
    pub fn list_liveness_assets(&self, owner: &str, filter: &ListFilter) -> Vec<AssetView> {
        bump(&self.liveness_counts.asset_lists);
        self.store()
            .liveness()
            .list(owner, filter, self.clock.now_ms())
    }

    pub fn byteplus_counts(&self) -> BytePlusCounts {
        use std::sync::atomic::Ordering::SeqCst;
        let c = &self.liveness_counts;
        BytePlusCounts {
            sessions_created: c.sessions_created.load(SeqCst),
            result_queries: c.result_queries.load(SeqCst),
            assets_created: c.assets_created.load(SeqCst),
            asset_reads: c.asset_reads.load(SeqCst),
            asset_lists: c.asset_lists.load(SeqCst),
        }
    }

    /// Restarts the checks a restart interrupted. Their assets still turn at their original
    /// time: what shows is decided by `ready_at_ms`, not by when the check ends.
    pub fn resume_processing(self: &Arc<Self>) {
        let unchecked = self.store().liveness().unchecked();
        if !unchecked.is_empty() {
            tracing::info!(
                count = unchecked.len(),
                "rehearsal: resuming asset processing"
            );
        }
        for record in unchecked {
            self.process(record);
        }
    }

    /// Fetches and checks the asset's file in the background, then records what it found.
    fn process(self: &Arc<Self>, record: AssetRecord) {
        let svc = Arc::clone(self);
        let stop = self.processing_stop.clone();
        let client = self.image_client.clone();
        let mut tasks = lock(&self.processing);
        while tasks.try_join_next().is_some() {}
        tasks.spawn(async move {
            let outcome = tokio::select! {
                () = stop.cancelled() => return,
                outcome = byteplus::check(&client, &record) => outcome,
            };
            // A stopped server must not save over the state file a successor may be using.
            if stop.is_cancelled() {
                return;
            }
            tracing::info!(asset_id = %record.id, ?outcome, "rehearsal: BytePlus asset checked");
            let recorded =
                svc.store()
                    .liveness_mut()
                    .record_outcome(&record.id, outcome, svc.clock.now_ms());
            if recorded {
                svc.save();
            }
        });
    }

    /// Stops new checks from recording anything (the server is going away).
    pub fn cancel_processing(&self) {
        self.processing_stop.cancel();
    }

    /// [`Service::cancel_processing`], then waits until no check can still save.
    pub async fn stop_processing(&self) {
        self.cancel_processing();
        let mut tasks = std::mem::take(&mut *lock(&self.processing));
        while tasks.join_next().await.is_some() {}
    }

    /// Plays the phone for a BytedToken (or any H5 token): camera, nod, blink, retrying a
    /// failed check first.
    pub fn complete_liveness_token(&self, token: &str) -> Result<(), String> {
        loop {
            let snapshot = self
                .session(token)
                .ok_or_else(|| format!("no H5 session for {token}"))?;
            let Some(step) = snapshot.progress.next_step() else {
                return Ok(());
            };
            self.apply_step(token, step)
                .map_err(|e| e.message().to_owned())?;
        }
    }

    /// Plays a phone whose check fails ("Verification failed"): camera if not yet, then fail.
    pub fn fail_liveness_token(&self, token: &str) -> Result<(), String> {
        loop {
            let snapshot = self
                .session(token)
                .ok_or_else(|| format!("no H5 session for {token}"))?;
            let step = match snapshot.progress {
                Progress::Started => Step::Camera,
                Progress::CameraAllowed | Progress::Nodded => Step::Fail,
                Progress::Failed => return Ok(()),
                Progress::Completed => return Err("Verification already completed".into()),
            };
            self.apply_step(token, step)
                .map_err(|e| e.message().to_owned())?;
        }
    }
}

mod video_jobs;

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

pub fn step_name(step: Step) -> &'static str {
    match step {
        Step::Camera => "camera",
        Step::Nod => "nod",
        Step::Blink => "blink",
        Step::Fail => "fail",
        Step::Retry => "retry",
    }
}
