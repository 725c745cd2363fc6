//! The async driver: starts sessions, polls within budget, owns deadlines, enrolls on the
//! operator's word, and broadcasts a [`SessionView`] on every change.
//!
//! The UI and the CLI only render these views; they never time anything themselves.

pub(crate) mod assets;
mod budget;
mod clips;
mod enrollment;
mod handover;
mod job_watch;
mod phone_sightings;
pub(crate) mod portrait;
mod resume;
mod sample;
mod session_watch;
mod take_over;
pub(crate) mod video;
mod wallet_balance;
mod words;

pub use assets::AssetFileCheck;
pub use phone_sightings::{PhoneTest, PHONE_TEST_WAIT};
pub use portrait::{PortraitOutcome, PortraitQuote};
pub use wallet_balance::{EnrollmentFunds, SpendCap};

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;
use tokio::sync::{broadcast, Notify};
use tokio_util::sync::CancellationToken;

use super::checkout;
use super::poll::{self, PollPlan, PollPolicy};
use super::{next, Event, SessionState};
use crate::clock::Clock;
use crate::error::{CommandError, Error, ErrorCode, Result};
use crate::library::{CallKind, Face, Library, LivenessSession, SyncReport};
use crate::payment::PaymentQuote;
use crate::photo;
use crate::providers::{LivenessStatus, Provider, ProviderKind};
use crate::spend::SpendCaps;
use alloy::signers::local::PrivateKeySigner;

/// What the UI shows for one session.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub session: LivenessSession,
    /// The QR of `session.h5_link`, while the link is live.
    pub qr_svg: Option<String>,
    /// When the backend will next ask the provider, if it is polling.
    pub next_check_at_ms: Option<i64>,
    /// The latest problem, in plain words (a failed check, a refused enroll).
    pub notice: Option<CommandError>,
    /// The provider's price, while the session waits for the operator to confirm it.
    pub quote: Option<PaymentQuote>,
    /// The payee differs from the one this provider was paid before: confirm twice.
    pub payee_changed: bool,
    /// What is left of the provider's hourly call budgets, shared by every session on its host.
    pub budget: Option<CallBudget>,
    /// The asset the session enrolled, as filed (BytePlus assets show their processing here).
    pub asset: Option<Face>,
    /// The release the talent is asked to agree to, while the session awaits their consent.
    pub release: Option<ReleaseOffer>,
    /// Whether a phone is seen to have opened the QR's page.
    pub phone: super::phone::PhoneSignal,
}

/// The release as the talent's screen shows it: the exact text, and the sha256 its "I agree"
/// sends back, so a release changed on the way is refused rather than recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseOffer {
    pub version: u32,
    pub text: String,
    pub sha256: String,
}

/// The provider's hourly limits and what this studio has used of them in the last hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CallBudget {
    /// The host the limits apply to (they are per client address at that host).
    pub host: String,
    pub status_checks_left: u32,
    pub status_checks_per_hour: u32,
    pub new_links_left: u32,
    pub new_links_per_hour: u32,
    /// When the next status check frees up, if none is left.
    pub status_frees_at_ms: Option<i64>,
    /// When the next new link frees up, if none is left.
    pub new_links_free_at_ms: Option<i64>,
}

/// What pressing Enroll led to.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EnrollOutcome {
    Enrolled {
        face: Box<Face>,
    },
    /// The provider named its price; confirm or decline it.
    PaymentRequired {
        view: Box<SessionView>,
    },
}

/// A session whose price is shown: the photo as checked before the quote, its preview and the
/// sha256 for the consent record. The price itself is held by the checkout.
#[derive(Debug, Clone)]
struct PendingQuote {
    photo: photo::PhotoCheck,
}

#[derive(Debug, Clone)]
pub struct StudioConfig {
    pub policy: PollPolicy,
    /// Where views are broadcast. The app keeps one sender across provider switches so the
    /// window's subscription survives them.
    pub updates: broadcast::Sender<SessionView>,
    /// Where asset status changes are broadcast; kept across provider switches like `updates`.
    pub asset_updates: broadcast::Sender<Face>,
    pub caps: SpendCaps,
    /// The wallet that signs x402 payments; `None` on the account rail.
    pub wallet: Option<PrivateKeySigner>,
    /// Where video job changes are broadcast; kept across provider switches like `updates`.
    pub job_updates: broadcast::Sender<crate::video::VideoJob>,
    /// Where finished videos are saved (`<media_dir>/<job id>.mp4`). Without one a finished
    /// video waits at the provider until a download is asked for with a folder.
    pub media_dir: Option<std::path::PathBuf>,
    /// When video jobs are polled.
    pub video_poll: crate::video::VideoPollPolicy,
    /// Who runs the sessions (Settings → Operator name), written into each consent record.
    pub operator: String,
    /// Where phones reach the built-in Rehearsal server this run (`http://<LAN IP>:<port>/`).
    /// A Rehearsal link from an earlier run names the address Rehearsal had then; when the
    /// port was busy at this launch (or the LAN address changed) it is moved here on resume.
    pub rehearsal_phone_origin: Option<url::Url>,
    /// The studio's bucket (Settings → Photo hosting or the CLI's `--hosting-*` flags), where
    /// photo files are hosted for providers that fetch a link.
    pub photo_hosting: Option<crate::hosting::PhotoHost>,
    /// The built-in Rehearsal, serving photo files itself (no bucket needed on it).
    pub rehearsal_shelf: Option<crate::hosting::PhotoHost>,
    /// Sightings of the phone page, where the page is this studio's own (Rehearsal).
    pub phone_watch: Option<Arc<dyn super::phone::PhoneWatch>>,
    /// The desk's callback address (Settings' LAN host and callback port), for a studio that
    /// runs no receiver itself (a CLI step command): BytePlus takes a `CallbackURL` upstream,
    /// so sessions still carry one, and the desk's app or `enroll-flow` takes the phone there.
    pub callback_home: Option<url::Url>,
    /// Where the studio wallet's balance is read, per network.
    pub chain_nodes: crate::balance::ChainNodes,
}

impl StudioConfig {
    pub fn for_provider(provider: &Provider) -> Self {
        StudioConfig {
            policy: PollPolicy::for_budget(provider.status_checks_per_hour()),
            updates: broadcast::channel(64).0,
            asset_updates: broadcast::channel(64).0,
            caps: SpendCaps::default(),
            wallet: None,
            job_updates: broadcast::channel(64).0,
            media_dir: None,
            video_poll: crate::video::VideoPollPolicy::standard(),
            operator: String::new(),
            rehearsal_phone_origin: None,
            photo_hosting: None,
            rehearsal_shelf: None,
            phone_watch: None,
            callback_home: None,
            chain_nodes: crate::balance::ChainNodes::default(),
        }
    }
}

struct Watch {
    cancel: CancellationToken,
    check_now: Arc<Notify>,
}

pub struct Studio {
    library: Arc<Library>,
    provider: RwLock<Provider>,
    http: reqwest::Client,
    clock: Clock,
    config: StudioConfig,
    watches: Mutex<HashMap<String, Watch>>,
    quotes: Mutex<HashMap<String, PendingQuote>>,
    /// Every paid step's prices, signatures and outcomes.
    checkout: super::checkout::Checkout,
    updates: broadcast::Sender<SessionView>,
    /// Every change to a filed asset's status (BytePlus processing), for the library.
    asset_updates: broadcast::Sender<Face>,
    asset_watches: Mutex<HashMap<String, CancellationToken>>,
    /// Uploads in flight, by group and link, so a double press never pays for two.
    uploads: Mutex<HashSet<(String, String)>>,
    /// Where the phone's page reports back, when the LAN callback receiver runs.
    callbacks: Mutex<Option<super::callback::CallbackServer>>,
    /// Every change to a video job.
    job_updates: broadcast::Sender<crate::video::VideoJob>,
    /// The video jobs being polled, each with its watch's generation.
    job_watches: Mutex<HashMap<String, (u64, CancellationToken)>>,
    /// Video jobs being sent or downloaded, so a double press never does it twice.
    video_busy: Mutex<HashSet<String>>,
    /// Portrait prices shown and not yet confirmed.
    portrait_quotes: Mutex<HashMap<String, portrait::PendingPortrait>>,
    /// Photo copies hosted for an upload the provider processes after answering (Crun), by
    /// asset id: deleted once the asset is processed.
    hosted_while_processing: Mutex<HashMap<String, handover::Handover>>,
}

pub const MAX_NAME_CHARS: usize = 64;

/// The doc's rule for names (1–64 characters), checked before anything is sent.
pub fn validate_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    let count = name.chars().count();
    if count == 0 {
        return Err(Error::invalid(
            "name",
            "Type the talent's name (it labels the face in the library).",
        ));
    }
    if count > MAX_NAME_CHARS {
        return Err(Error::invalid(
            "name",
            format!("The name is {count} characters; providers accept at most {MAX_NAME_CHARS}. Shorten it."),
        ));
    }
    Ok(name.to_string())
}

impl Studio {
    pub fn new(
        library: Arc<Library>,
        provider: Provider,
        http: reqwest::Client,
        config: StudioConfig,
    ) -> Arc<Self> {
        let updates = config.updates.clone();
        let asset_updates = config.asset_updates.clone();
        let job_updates = config.job_updates.clone();
        let clock = Clock::new();
        let checkout = super::checkout::Checkout::new(
            Arc::clone(&library),
            clock,
            config.caps,
            config.wallet.clone(),
            config.operator.clone(),
        );
        Arc::new(Studio {
            library,
            provider: RwLock::new(provider),
            http,
            clock,
            config,
            watches: Mutex::new(HashMap::new()),
            quotes: Mutex::new(HashMap::new()),
            checkout,
            updates,
            asset_updates,
            asset_watches: Mutex::new(HashMap::new()),
            uploads: Mutex::new(HashSet::new()),
            callbacks: Mutex::new(None),
            job_updates,
            job_watches: Mutex::new(HashMap::new()),
            video_busy: Mutex::new(HashSet::new()),
            portrait_quotes: Mutex::new(HashMap::new()),
            hosted_while_processing: Mutex::new(HashMap::new()),
        })
    }

    pub fn library(&self) -> &Library {
        &self.library
    }

    pub fn provider(&self) -> Provider {
        self.provider
            .read()
            .expect("provider lock poisoned")
            .clone()
    }

    /// Switches provider; sessions already running keep polling their own provider's group only
    /// if it is the same kind, so they are stopped first.
    pub fn set_provider(&self, provider: Provider) {
        self.stop_all_watches();
        *self.provider.write().expect("provider lock poisoned") = provider;
    }

    pub fn subscribe(&self) -> broadcast::Receiver<SessionView> {
        self.updates.subscribe()
    }

    /// Starts the LAN callback receiver on `bind`, announced to providers as `public_host`.
    /// Sessions started afterwards on a provider that calls back carry its address.
    pub async fn serve_callbacks(
        self: &Arc<Self>,
        bind: std::net::SocketAddr,
        public_host: &str,
    ) -> Result<std::net::SocketAddr> {
        let server =
            super::callback::CallbackServer::start(Arc::downgrade(self), bind, public_host)
                .await
                .map_err(|e| {
                    Error::Internal(format!("the callback receiver could not start: {e}"))
                })?;
        let addr = server.local_addr();
        if let Some(old) = self
            .callbacks
            .lock()
            .expect("callback lock poisoned")
            .replace(server)
        {
            old.stop();
        }
        Ok(addr)
    }

    /// Where the phone is sent when the check ends, for providers that send it anywhere.
    fn callback_url(&self, provider: &Provider, session_id: &str) -> Option<String> {
        if !provider.calls_back() {
            return None;
        }
        let running = self
            .callbacks
            .lock()
            .expect("callback lock poisoned")
            .as_ref()
            .map(|c| c.url_for(session_id));
        running.or_else(|| {
            self.config
                .callback_home
                .as_ref()
                .map(|base| super::callback::session_url(base, session_id))
        })
    }

    /// A new link (or a fresh one for `group_id`), with the phone sent back to the LAN receiver
    /// where one runs. A provider that refuses that address (the docs show only public https
    /// ones) gets the session again without it, and the operator hears that the phone will not
    /// come back on its own: "Talent finished — check now" is then the way the result is read.
    async fn open_link(
        &self,
        provider: &Provider,
        name: &str,
        group_id: &str,
        session_id: &str,
    ) -> Result<(crate::providers::LivenessLink, Option<CommandError>)> {
        let callback = self.callback_url(provider, session_id);
        let first = match group_id {
            "" => provider.init_session(name, callback.as_deref()).await,
            g => provider.refresh_session(name, g, callback.as_deref()).await,
        };
        let refused = match first {
            Err(e) if crate::providers::byteplus::refuses_callback(&e) => e,
            other => return other.map(|link| (link, None)),
        };
        let Some(address) = callback else {
            return Err(no_callback_taken(provider.kind(), refused));
        };
        tracing::info!(%address, error = %refused, "the provider refused the LAN callback; opening the session without it");
        self.spend_init_budget(provider)?;
        let second = match group_id {
            "" => provider.init_session(name, None).await,
            g => provider.refresh_session(name, g, None).await,
        };
        let link = second.map_err(|e| {
            if crate::providers::byteplus::refuses_callback(&e) {
                no_callback_taken(provider.kind(), e)
            } else {
                e
            }
        })?;
        let notice = CommandError {
            code: ErrorCode::ProviderRefused,
            message: format!(
                "{} would not send the phone back to this studio's address ({address}), so the phone will not report here when the talent is done. When they have finished on the phone, press “Talent finished — check now”.",
                provider.kind()
            ),
            field: None,
            retry_after_seconds: None,
            detail: None,
        };
        Ok((link, Some(notice)))
    }

    /// Fetches and checks the photo against the selected provider's limits. A failed provider
    /// limit is an error; failed face checks come back in the checklist.
    pub async fn check_photo(&self, image_url: &str) -> Result<photo::PhotoCheck> {
        photo::PhotoSource::parse(image_url)?
            .check(&self.http, &self.photo_limits())
            .await
    }

    /// The selected provider's documented photo limits (Rehearsal takes those of the API it
    /// plays).
    pub fn photo_limits(&self) -> photo::PhotoLimits {
        let provider = self.provider();
        if provider.holds_assets() {
            return photo::PhotoLimits::byteplus();
        }
        photo::PhotoLimits::for_provider(provider.kind().as_str())
            .unwrap_or_else(photo::PhotoLimits::blockrun)
    }

    /// The photo, checked: a failed face check stops a paid step here unless the operator chose
    /// to use the photo anyway, and then the overridden checks are returned for the record.
    async fn vetted_photo(
        &self,
        image_url: &str,
        overridden: bool,
    ) -> Result<(photo::PhotoCheck, Option<String>)> {
        let photo = self.check_photo(image_url).await?;
        if !photo.has_failures() {
            return Ok((photo, None));
        }
        let ids: Vec<&str> = photo.failed_ids().iter().map(|c| c.as_str()).collect();
        if overridden {
            tracing::info!(checks = %ids.join(","), "photo checks overridden by the operator");
            return Ok((photo, Some(ids.join(","))));
        }
        let said = photo
            .checks
            .iter()
            .find(|c| c.verdict == photo::Verdict::Fail)
            .map(|c| c.message.clone())
            .unwrap_or_default();
        Err(Error::invalid(
            "image_url",
            format!(
                "{said} Use another photo, or tick “Use this photo anyway” to go on with this one."
            ),
        ))
    }

    /// Validates the form, checks the photo and opens the session on the talent's side: it
    /// waits in `awaiting_consent` for the talent to agree to the release on their own screen
    /// ([`Self::give_consent`]), and only then is a link (and its QR) issued. Nothing is sent to
    /// the provider yet. The photo may be left out (the CLI's `session start`) and given at
    /// enroll time.
    pub async fn start_session(
        self: &Arc<Self>,
        name: &str,
        image_url: Option<&str>,
        photo_override: bool,
    ) -> Result<SessionView> {
        let name = validate_name(name)?;
        let provider = self.provider();
        if let Some(u) = image_url {
            // A file this provider cannot be handed is said now, before a link is opened.
            self.hosting_for(&provider, photo::PhotoSource::parse(u)?.is_file())?;
        }
        let (image_url, photo_override) = match image_url {
            Some(u) => {
                let (photo, overridden) = self.vetted_photo(u, photo_override).await?;
                (photo.url, overridden)
            }
            None => (String::new(), None),
        };
        let id = format!("ses_{}", hex::encode(rand::random::<[u8; 8]>()));
        let now = self.clock.now_ms();
        let session = LivenessSession {
            id,
            provider: provider.kind(),
            liveness_token: None,
            group_id: String::new(),
            talent_name: name,
            image_url,
            h5_link: String::new(),
            expires_at_ms: now,
            link_issued_at_ms: now,
            state: SessionState::AwaitingConsent,
            asset_id: None,
            created_at_ms: now,
            updated_at_ms: now,
            photo_override,
            talent_consent: None,
            operator: self.config.operator.clone(),
        };
        self.library.save_session(&session)?;
        tracing::info!(session = %session.id, "session opened; waiting for the talent's consent");
        let view = self.view(session, None);
        let _ = self.updates.send(view.clone());
        Ok(view)
    }

    /// A session whose talent agreed at once to the release in force: the unit tests' start.
    #[cfg(test)]
    pub(crate) async fn start_agreed(
        self: &Arc<Self>,
        name: &str,
        image_url: Option<&str>,
        photo_override: bool,
    ) -> Result<SessionView> {
        let view = self.start_session(name, image_url, photo_override).await?;
        let sha = view
            .release
            .as_ref()
            .map(|r| r.sha256.clone())
            .unwrap_or_default();
        self.give_consent(&view.session.id, name, &sha).await
    }

    /// The talent's own "I agree", from the talent's screen (never the operator's): the name
    /// they typed under the release whose sha256 they were shown. Recorded with the session,
    /// then the first link is issued. A release changed since it was shown is refused, so the
    /// record always holds the text the talent read.
    pub async fn give_consent(
        self: &Arc<Self>,
        id: &str,
        typed_name: &str,
        release_sha256: &str,
    ) -> Result<SessionView> {
        let mut session = self.library.session(id)?;
        let Some(state) = next(session.state, Event::ConsentGiven) else {
            return Err(Error::invalid(
                "session",
                format!(
                    "This session is {}; the release is agreed to once, before the QR.",
                    describe(session.state)
                ),
            ));
        };
        let release = self.library.release_template()?;
        if crate::library::sha256_hex(&release.text()) != release_sha256.trim() {
            return Err(Error::invalid(
                "release",
                "The release changed while it was on screen. Read it again and agree to the one shown now.",
            ));
        }
        session.talent_consent = Some(release.agreed(typed_name, self.clock.now_ms())?);
        session.state = state;
        self.persist_and_send(&mut session, None)?;
        tracing::info!(session = %session.id, version = release.version, "the talent agreed to the release");
        self.refresh_session(id).await
    }

    /// A fresh QR for the same group (the provider's refresh path).
    pub async fn refresh_session(self: &Arc<Self>, id: &str) -> Result<SessionView> {
        let mut session = self.library.session(id)?;
        let Some(state) = next(session.state, Event::LinkIssued) else {
            return Err(Error::invalid(
                "session",
                format!(
                    "This session is {}; a QR is only for sessions whose talent agreed and that wait for a scan.",
                    describe(session.state)
                ),
            ));
        };
        let provider = self.provider_for(&session)?;
        self.spend_init_budget(&provider)?;
        let (link, notice) = self
            .open_link(
                &provider,
                &session.talent_name,
                &session.group_id,
                &session.id,
            )
            .await?;
        let now = self.clock.now_ms();
        session.group_id = link.group_id;
        session.liveness_token = link.token;
        session.h5_link = link.h5_link;
        session.expires_at_ms = now + link.expires_in_seconds as i64 * 1000;
        session.link_issued_at_ms = now;
        let first = session.state == SessionState::Consented;
        session.state = state;
        session.updated_at_ms = now;
        self.library.save_session(&session)?;
        if first {
            tracing::info!(session = %session.id, group = %session.group_id, "liveness session started");
        } else {
            tracing::info!(session = %session.id, "fresh QR issued");
        }
        let view = self.view(session.clone(), notice.clone());
        self.watch(session, notice);
        Ok(view)
    }

    /// "Talent finished — check now": an immediate status check, within the hourly budget.
    pub async fn check_now(self: &Arc<Self>, id: &str) -> Result<SessionView> {
        let session = self.library.session(id)?;
        if !matches!(
            session.state,
            SessionState::AwaitingScan | SessionState::Expired
        ) {
            return Ok(self.view(session, None));
        }
        let provider = self.provider_for(&session)?;
        let now = self.clock.now_ms();
        let calls =
            self.library
                .calls_in_last_hour(&provider.budget_key(), CallKind::Status, now)?;
        if let Err(frees_at) = poll::manual_check(self.config.policy, now, &calls) {
            return Err(Error::RateLimited {
                provider: provider.kind(),
                retry_after_seconds: Some(((frees_at - now) / 1000).max(1) as u64),
            });
        }
        let (session, notice) = self.check_status(&provider, session).await?;
        if session.state == SessionState::AwaitingScan {
            // Re-plan the automatic schedule from this check.
            if let Some(w) = self.watches.lock().expect("watch map poisoned").get(id) {
                w.check_now.notify_one();
            }
        }
        let view = self.view(session, notice);
        let _ = self.updates.send(view.clone());
        Ok(view)
    }

    pub fn cancel_session(&self, id: &str) -> Result<SessionView> {
        let mut session = self.library.session(id)?;
        let Some(state) = next(session.state, Event::Cancelled) else {
            return Err(Error::invalid(
                "session",
                format!(
                    "This session is {}; it cannot be cancelled now.",
                    describe(session.state)
                ),
            ));
        };
        if let Some(w) = self.watches.lock().expect("watch map poisoned").remove(id) {
            w.cancel.cancel();
        }
        session.state = state;
        self.persist_and_send(&mut session, None)?;
        Ok(self.view(session, None))
    }

    pub fn session_view(&self, id: &str) -> Result<SessionView> {
        Ok(self.view(self.library.session(id)?, None))
    }

    /// Sessions needing the operator, newest first.
    pub fn open_sessions(&self) -> Result<Vec<SessionView>> {
        Ok(self
            .library
            .open_sessions()?
            .into_iter()
            .map(|s| self.view(s, None))
            .collect())
    }

    fn apply(&self, session: LivenessSession, event: Event, notice: Option<CommandError>) {
        let mut current = self.library.session(&session.id).unwrap_or(session);
        if let Some(state) = next(current.state, event) {
            current.state = state;
            if let Err(e) = self.persist_and_send(&mut current, notice) {
                tracing::warn!(error = %e, "could not save the session");
            }
        }
    }

    fn persist_and_send(
        &self,
        session: &mut LivenessSession,
        notice: Option<CommandError>,
    ) -> Result<()> {
        session.updated_at_ms = self.clock.now_ms();
        self.library.save_session(session)?;
        let _ = self.updates.send(self.view(session.clone(), notice));
        Ok(())
    }

    fn view(&self, session: LivenessSession, notice: Option<CommandError>) -> SessionView {
        let qr_svg = match session.state {
            SessionState::AwaitingScan => crate::qr::svg(&session.h5_link).ok(),
            _ => None,
        };
        let held = match session.state {
            SessionState::AwaitingPayment => self
                .checkout
                .held(&enrollment::realface_purpose(&session.id)),
            _ => None,
        };
        let (quote, payee_changed) = match held {
            Some(h) => (Some(h.quote), h.payee_changed),
            None => (None, false),
        };
        let budget = self.call_budget().ok();
        let release = match session.state {
            SessionState::AwaitingConsent => self.library.release_template().ok().map(|t| {
                let text = t.text();
                ReleaseOffer {
                    version: t.version,
                    sha256: crate::library::sha256_hex(&text),
                    text,
                }
            }),
            _ => None,
        };
        let asset = session
            .asset_id
            .as_deref()
            .and_then(|id| self.library.face(id).ok());
        let phone = super::phone::signal(self.config.phone_watch.as_deref(), &session.h5_link);
        SessionView {
            phone,
            session,
            qr_svg,
            next_check_at_ms: None,
            notice,
            quote,
            payee_changed,
            budget,
            asset,
            release,
        }
    }

    /// Stops every poll loop. Watch tasks hold the studio, so dropping it alone would not.
    pub fn stop(&self) {
        self.stop_all_watches();
    }

    fn stop_all_watches(&self) {
        self.stop_job_watches();
        for (_, w) in self.watches.lock().expect("watch map poisoned").drain() {
            w.cancel.cancel();
        }
        for (_, c) in self
            .asset_watches
            .lock()
            .expect("asset watch map poisoned")
            .drain()
        {
            c.cancel();
        }
        if let Some(server) = self
            .callbacks
            .lock()
            .expect("callback lock poisoned")
            .take()
        {
            server.stop();
        }
    }
}

use words::*;

#[cfg(test)]
mod tests;
