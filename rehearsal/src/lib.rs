//! Rehearsal: a local server speaking the BlockRun RealFace API, JarvisClaw's copy of it under
//! `/v1/marketplace/…` (see the `jarvisclaw` module), and the two BytePlus "LivenessFace"
//! wrappers, Anyfast under `/volc/asset/…` and Crun under `/api/v1/client/job/…` (see
//! [Anyfast and Crun](#anyfast-and-crun) below).
//!
//! It is the test double behind every end-to-end test and the "rehearse without spending" mode of
//! the app, so it follows BlockRun's RealFace and Virtual Portrait docs to the letter:
//!
//! - `POST /v1/realface/init` `{name}` or `{name, groupId}` (refresh), free, 10 new groups/hour/IP.
//! - `GET /v1/realface/status?groupId=…`, free, 20/hour/IP in a bucket shared with the listings.
//! - `POST /v1/realface/enroll` `{name, image_url, group_id}`, $0.01; `POST /v1/portrait/enroll`
//!   `{name, image_url}`, $0.01. Both really fetch and decode `image_url` (https, JPG/PNG/WEBP,
//!   ≤10 MB). [`FACE_MISMATCH_MARKER`] and [`UPSTREAM_ERROR_MARKER`] in the URL script the
//!   upstream failures.
//! - `GET /v1/wallet/<address>/realfaces` and `/portraits`. Key-rail enrollments belong to
//!   [`RehearsalConfig::key_owner`], x402 ones to the payer.
//! - The phone side: `h5_link` opens Rehearsal's own page under `/h5/`, driven by
//!   `POST /h5/api/step` (see the `h5` module), and [`RehearsalServer::complete_liveness`] does
//!   the same from code.
//!
//! ## Paying
//!
//! The two enroll endpoints take either rail (see the `payment` module):
//!
//! - the **account rail**: a valid `Authorization: Bearer <key>` or `x-api-key` works as it always
//!   did and never settles anything on x402 (the body still carries a pretend receipt); a wrong
//!   key without a payment header is `401`;
//! - **x402** on Base Sepolia (chain 84532, USDC `0x036CbD53842c5426634e7929541eC2318f3dCF7e`,
//!   test money only), in [`RehearsalConfig::x402_version`]: no payment header is `402` with the
//!   challenge for [`RehearsalConfig::realface_price_atomic`] or
//!   [`RehearsalConfig::portrait_price_atomic`] to [`RehearsalConfig::pay_to`] (by default
//!   [`REHEARSAL_TREASURY`]), `resource` = the request URL. The payment header
//!   (`PAYMENT-SIGNATURE` in v2, `X-PAYMENT` in v1; either name is read, the payload must be in
//!   the configured version) is verified for real (EIP-712 signer = `from`, scheme, network,
//!   asset, exact amount, payee, time window); a refusal is `402` with a fresh challenge and an
//!   `error` reason code. A valid key next to a payment header wins, and the payment is unspent.
//!   [`RehearsalConfig::challenge_shape`] picks where every 402 carries its challenge: the
//!   version's own transport by default, or any one place a document names (`PAYMENT-REQUIRED`,
//!   `X-Payment-Required`, `X-Payment`, or the body with `x402Version`, with bare `accepts` or
//!   under `x402`; see [`ChallengeShape`]).
//!
//! Order, per the doc's error table (400 pre-payment, then 402, then the failures that do not
//! settle): body (400) → API key (401) → payment (402) → group (404, 425; JarvisClaw's 400
//! `session_expired`) → photo fetch and checks (400) → upload (502) → face match (422) →
//! **settle** → 200. So an unpaid call on a pending group is the 402 probe, and a paid one is
//! 425 with its nonce void. Settling records the payment (there is no chain):
//! a new `0x` + 64 hex transaction hash, [`RehearsalServer::settlements`] goes up by one, and the
//! 200 carries `PAYMENT-RESPONSE` (v2) / `X-PAYMENT-RESPONSE` (v1) with `success`, `transaction`,
//! `network` (`eip155:84532` / `base-sepolia`) and `payer`, the body's `settlement` the same hash
//! and network.
//!
//! Nonces (EIP-3009 consumes one only when it settles), per `(payer, nonce)`, read as strictly as
//! a real facilitator reads them:
//!
//! - a nonce settles at most once, ever;
//! - a nonce that is in flight (its request is still being served), held by a video job, or
//!   settled is refused with `402`, the challenge and `error:
//!   "invalid_exact_evm_nonce_already_used"`. That includes the **exact same header** for the
//!   **same request** after it settled (also after a restart with the same state file): no seed
//!   promises the original 200 again and real facilitators refuse it, so a client that lost the
//!   response must reconcile (wallet listing, group status) rather than count on a replay;
//! - a payment that did not settle (425, 422, 502, a bad photo, a client that hung up) leaves its
//!   nonce void: the same header (or any other with that nonce) may be sent again, and is
//!   verified and served again.
//!
//! ## Faults
//!
//! [`RehearsalServer::faults`] returns switches tests flip at run time (each fires once, then
//! disarms itself); [`RehearsalConfig::faults`] gives their initial state. Arm one with
//! [`Faults::drop_connection_after_next_settle`] / [`Faults::upstream_error_on_next_enroll`], or
//! store `true` into its `AtomicBool`:
//!
//! - [`Faults::drop_connection_after_settle_once`]: the next x402 enrollment settles, and then its
//!   connection is reset instead of answered (the client sees a connection error and not one byte
//!   of the response). Re-sending the same header is then `402`
//!   `invalid_exact_evm_nonce_already_used`: the payment went through, the answer did not.
//! - [`Faults::upstream_error_once`]: the next enrollment (either rail) that gets as far as the
//!   upload answers `502` "upload to inference partner failed", without settling.
//!
//! - [`Faults::crun_code_once`]: the next call to a Crun path, whatever it is, answers HTTP 200
//!   with that business code in the body (see below).
//!
//! The **fault plan** ([`Faults::arm`], the `fault` module) is the general form, for the fault
//! drills: a [`Fault`] on a [`FaultRoute`] (init, status, enroll, portrait enroll, video
//! submit, video poll, media, in every personality's spelling) for the next N requests there.
//! It drops the connection before the handler runs or after it acted, holds the answer past
//! the client's timeout, answers N 5xx or 429s (with or without `Retry-After`) without acting,
//! or acts and then sends malformed or truncated JSON. [`Faults::fired`] counts what fired.
//! With nothing armed every request goes straight to its handler.
//!
//! ## Anyfast and Crun
//!
//! Both wrap BytePlus's real-human asset library (the `byteplus` module holds the model they
//! share): a validation session yields a BytedToken (`YYYYMMDDhhmmss` UTC + 20 uppercase hex)
//! and an H5 link to Rehearsal's own `/h5/` page, valid [`RehearsalConfig::session_ttl`]. When
//! the phone finishes, a `LivenessFace` group `group-YYYYMMDDhhmmss-xxxxx` bound to that person
//! exists; the first result query hands out its GroupId and spends the token, every later one
//! (or one 30 minutes after the token was made) is refused. Images, videos and voices are then
//! uploaded into the group by URL as assets `asset-YYYYMMDDhhmmss-xxxxx`, each `Processing`
//! for [`RehearsalConfig::asset_processing_delay`] and then `Active`, or `Failed` with
//! `FaceMismatch` ([`FACE_MISMATCH_MARKER`] in the URL of an image or video in a group) or
//! `InvalidFile` (the file could not be fetched through [`RehearsalConfig::image_client`],
//! http or https, ≤ 50 MB, or its bytes are not the asset type). Processing runs after the
//! answer, so uploads answer at once.
//!
//! Each valid key is an account owning its groups and assets: [`RehearsalConfig::api_key`],
//! every [`RehearsalConfig::extra_api_keys`], and any key starting with [`AIGC_KEY_PREFIX`]
//! (an account "routed to the regular AIGC group", which Anyfast refuses LivenessFace work).
//! Another account's group or asset is "not found".
//!
//! A session's callback URL, if it has one, must be an absolute http(s) URL (an empty or
//! malformed one is refused; with [`Faults::https_callbacks_only`] so is plain http). It is
//! where the phone page goes once it has a verdict:
//! the URL with `bytedToken`, `resultCode` (`10000` passed, `10001` failed),
//! `algorithmBaseRespCode` and `verify_type=real_time` appended; `GET /h5/api/session` shows it
//! as `callback_redirect`. The page speaks `lng=en|zh|zh-Hant` (English by default).
//!
//! **Anyfast** (flat JSON, `Authorization: Bearer <key>`, errors
//! `{"error": {"code", "message", "type": "volc_asset_error"}}`; `&`, `<` and `>` in strings are
//! written `\u0026`, `\u003c`, `\u003e` as Anyfast's Go proxy does):
//!
//! - `POST /volc/asset/CreateVisualValidateSession` `{CallbackURL?}` → `{BytedToken, CallbackURL,
//!   H5Link}` (the link carries `bytedToken`, `pl`, `configId=rehearsal-anyfast`); a bad
//!   `CallbackURL` is `400 InvalidParameter` naming it;
//! - `POST /volc/asset/GetVisualValidateResult` `{BytedToken}` → the first query spends the
//!   token: `{GroupId, GroupType: "LivenessFace"}` after the phone finished, the documented
//!   empty `{GroupId: ""}` before; `400 InvalidParameter.BytedToken` for any later query, or
//!   an unknown or expired token;
//! - `POST /volc/asset/CreateAsset` `{model, GroupId, Name, AssetType, URL}` → `{Id}` (`model`
//!   must be `volc-asset`, `volc-asset-video` or `volc-asset-audio` to match the type; `404
//!   NotFound` "asset group … not found");
//! - `POST /volc/asset/GetAsset` `{Id}` → the asset (`Status`, `Error` when failed);
//! - `POST /volc/asset/ListAssets` `{PageNumber?, PageSize? ≤ 100, Filter?: {GroupIds, GroupType,
//!   Name, Statuses}}` → `{PageNumber, PageSize, TotalCount, Items}`, newest first;
//! - an AIGC key on the first or third: `400 InvalidParameter.GroupType` "GroupType must be one
//!   of [AIGC]"; a missing or wrong key: `401` `{"error": {"code": "Unauthorized", "message":
//!   "Invalid token.", "type": "new_api_error"}}`.
//!
//! **Crun** (`x-api-key: <key>`, every answer HTTP 200 (`Retry-After` added on 429) with the
//! verdict in the envelope `{"code", "message", "data"}`; validation failures are `422` with
//! `errors: [{field, message}]`):
//!
//! - `POST /api/v1/client/job/visual-validate-session` `{callback_url?}` → `data: {BytedToken,
//!   H5Link, CallbackURL}` (the link carries `configId=rehearsal-crun&lng=zh`); a bad
//!   `callback_url` is `422` with `errors: [{field: "callback_url"}]`;
//! - `GET /api/v1/client/job/visual-validate-result?byted_token=…` → the first query spends the
//!   token: `data: {GroupId}` after the phone finished; before it, `422` "byted_token
//!   validation has not passed" (Crun documents no not-ready answer: the seed reads only after
//!   `resultCode=10000`); `422` "byted_token is invalid or has already been used" for any later
//!   query;
//! - `POST /api/v1/client/job/asset-upload` `{name?, asset_type, asset_url, group_id?}` →
//!   `data: {AssetId}` (no `group_id`: an asset in no group);
//! - `GET /api/v1/client/job/asset-info?asset_id=…` → `data: {AssetId, Name, AssetType, Status,
//!   CreateTime, UpdateTime, Error?}`;
//! - a wrong or missing key: `401` "Unauthorized: invalid API key".
//!
//! [`RehearsalServer::complete_liveness_token`] and [`RehearsalServer::fail_liveness_token`]
//! play the phone for a BytedToken; [`RehearsalServer::byteplus_counts`] counts the calls.
//!
//! ## Video generation
//!
//! Seedance 2.0 in all four personalities (the `video` module). Every job is queued for the
//! first quarter of [`RehearsalConfig::video_delay`], then in progress, then completed with a
//! real 3-second MP4 at `GET /media/<job id>.mp4` (`Range` → `206`, unknown → `404`), or failed:
//! [`VIDEO_FAIL_MARKER`] in the prompt (or [`Faults::video_fail_once`]) halfway, "generation
//! failed"; [`MODERATION_MARKER`] at the end, blocked by output moderation. A failed job is
//! never charged. Jobs are polled up to 48 h after submit (then `404` "job expired").
//!
//! **BlockRun** (and **JarvisClaw**, same bodies; [`RehearsalConfig::video_gateway`] picks the
//! `poll_url` form): `POST /v1/videos/generations {model: bytedance/seedance-2.0[-fast],
//! prompt, real_face_asset_id?, duration_seconds 4–15 (5), resolution (720p; 1080p not on
//! fast), aspect_ratio (adaptive), generate_audio?, seed?, watermark?}`, validated before
//! payment (400; an unknown `ta_…` too, and `real_face_asset_id` next to `image_url`,
//! `last_frame_url` or `reference_image_urls`). Priced per BlockRun's metering: `21 690 ×
//! seconds × (0.5 | 1 | 2.25)` tokens at $7.252 (fast) or $9.9715 (2.0) per million, rounded
//! up to the USDC unit. No key and no payment: `402`. A valid payment is verified, **not
//! settled**: `202` `{id: "bytedance:video_…", status: "queued", payment_status: "verified",
//! poll_url, …}`; a key gives `payment_status: "account"`. Polls (`GET
//! /api/v1/videos/generations/{id}` or `/v1/videos/generations/{id}`) need a payment header
//! signed by the submit's wallet (its signer is all that is compared: the SDKs re-send the
//! submit's header) or, for a key job, the key; a header signed by another wallet is `403`
//! (the job is not theirs), no proof at all `402` for the job's price. `202`
//! queued / in progress (`progress`, `elapsed_seconds`), then the first completed poll settles
//! the held authorization, once (`200` with `payment.status: "settled"` and the settlement
//! header; later polls `already_settled`). If its `validBefore` passed meanwhile: `402`
//! `error: "payment_expired"`, and a newly signed payment from the same wallet on a poll is
//! settled instead. The settlement goes in the nonce ledger like an enrollment's, so
//! [`RehearsalServer::settlements`] counts it. A nonce a job holds is in use: refused
//! everywhere else, and on a second submit too (the same header resent makes no second job,
//! it is `402 invalid_exact_evm_nonce_already_used`).
//!
//! **Anyfast**: `POST /v1/video/generations {model: seedance|seedance-fast, content: [text,
//! image_url/video_url/audio_url …], resolution, ratio, duration, generate_audio, watermark}`
//! (Bearer key; `asset://asset-…` references must be the key's own `Active` assets of the
//! slot's kind, all of one group; at most 3 videos and 3 audios) →
//! `{id: "cgt-…", task_id, object: "video", status: "", progress: 0, created_at}`; `GET
//! /v1/video/generations/{task_id}` → `{code: "success", data: {status:
//! NOT_START|QUEUED|IN_PROGRESS|SUCCESS|FAILURE, result_url, fail_reason, progress: "50%",
//! data: {content: {video_url}, status}}}`.
//!
//! **Crun**: `POST /api/v1/client/job/CreateTask {model: bytedance/seedance2-0-r2v |
//! -fast-r2v | -i2v, callback_url?, input: {prompt, reference_images (+ reference_videos,
//! reference_audios) | img_urls, resolution, aspect_ratio, duration, audio}}` → `data: {task_id}`;
//! `GET /api/v1/client/job/TaskInfo?task_id=…` → `data: {status: pending|running|success|failed,
//! result: {code, message, media_urls} | null, …}`, in Crun's envelope (errors inside HTTP
//! 200). A `callback_url` is recorded, not called.
//!
//! [`RehearsalServer::video_counts`] counts jobs, polls, settlements and downloads;
//! [`RehearsalServer::video_media`] says what a job was given, by slot;
//! [`RehearsalServer::finish_videos_now`] skips the rest of every job's delay.
//!
//! ## State
//!
//! State lives in memory unless [`RehearsalConfig::state_file`] is set. Then groups, H5 session
//! tokens (with their wall-clock expiry), enrolled assets and the hourly rate-limit windows are
//! saved to that JSON file after every change and restored at [`RehearsalServer::start`], so a
//! restarted Rehearsal still knows them, as a real provider would (see the `persist` module). The
//! x402 nonce ledger is saved there too (a restart forgets no spent nonce), and so are the
//! Anyfast/Crun tokens, groups and assets (an asset still processing at a restart is checked
//! again and turns on its original schedule). Video jobs are saved with the authorization each
//! one holds, so a job made before a restart is polled, completed and settled (once) after it.

mod anyfast;
mod api;
mod byteplus;
mod chain;
mod conn;
mod crun;
mod error;
mod fault;
mod h5;
mod ids;
mod jarvisclaw;
mod ledger;
mod payment;
mod persist;
mod phone;
mod photo;
mod qr;
mod rate_limit;
mod service;
mod session;
mod shelf;
pub use shelf::PhotoShelf;
mod store;
mod video;
mod wall_clock;

use provider_api::{JarvisClawShape, ProviderApi};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::Address;

use axum::routing::{get, post};
use axum::Router;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use service::{Service, ServiceSettings};
use x402::X402Version;

pub use fault::{Fault, FaultRoute, Faults};
pub use payment::{ChallengeShape, TREASURY as REHEARSAL_TREASURY};
pub use phone::{PhonePage, PhoneSightings};
pub use service::{BytePlusCounts, CallCounts, VideoCounts};
pub use video::VideoMedia;

/// An `image_url` containing this gets `422` "face-match failed" from `/v1/realface/enroll`, after
/// the photo was fetched and checked (so the URL must still serve a valid image). Virtual
/// Portraits have no face match and ignore it.
pub const FACE_MISMATCH_MARKER: &str = "rehearsal-face-mismatch";
/// An `image_url` containing this gets `502` "upload to inference partner failed" from either
/// enroll endpoint, after the photo was fetched and checked. It wins over the face-mismatch marker.
pub const UPSTREAM_ERROR_MARKER: &str = "rehearsal-upstream-error";
/// An `image_url` containing this is enrolled and its payment settled, and then the answer is
/// lost: the connection is cut instead (a re-send of the same header then gets the strict
/// `402 invalid_exact_evm_nonce_already_used`). For rehearsing a lost answer in the window.
pub const LOST_ANSWER_MARKER: &str = "rehearsal-lost-answer";

/// A video prompt containing this makes the job fail ("generation failed") halfway through
/// [`RehearsalConfig::video_delay`]; nothing is charged for it.
pub const VIDEO_FAIL_MARKER: &str = "rehearsal-video-fail";
/// A video prompt containing this makes the job fail once the delay has passed, with "The
/// generated video was blocked by output moderation (sensitive content)"; nothing is charged.
pub const MODERATION_MARKER: &str = "rehearsal-moderation";
/// From a video job's submit until it completes.
pub const DEFAULT_VIDEO_DELAY: Duration = Duration::from_secs(20);

/// An Anyfast or Crun key starting with this is a valid account "routed to the regular AIGC
/// group": Anyfast refuses it LivenessFace sessions and assets with "GroupType must be one of
/// [AIGC]".
pub const AIGC_KEY_PREFIX: &str = "rehearsal-aigc-";
/// How long an Anyfast or Crun asset stays `Processing` at least.
pub const DEFAULT_ASSET_PROCESSING_DELAY: Duration = Duration::from_secs(3);

pub const DEFAULT_INIT_LIMIT_PER_HOUR: u32 = 10;
pub const DEFAULT_STATUS_LIMIT_PER_HOUR: u32 = 20;
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(120);
/// RealFace enrollment: $0.01 in USDC atomic units (6 decimals), the doc's price.
pub const DEFAULT_REALFACE_PRICE_ATOMIC: u128 = 10_000;
/// Virtual Portrait enrollment: $0.01, the live figure. Seed 000 names $0.50 in its comparison
/// table, but BlockRun's SDK changelog says $0.50 was never live: it was $0.01 from 2026-05-24,
/// the figure seed 001 gives too (BlockRun's current docs say $0.011 for both enrollments after
/// a 2026-07 repricing; research §1.3–1.4). The client takes the price from the 402 whatever it
/// is; Rehearsal quotes the live figure the seeds document.
pub const DEFAULT_PORTRAIT_PRICE_ATOMIC: u128 = 10_000;

/// 20 test USDC in every wallet: a faucet's gift, enough for a day of rehearsing.
pub const DEFAULT_TEST_FUNDS_ATOMIC: u128 = 20_000_000;

#[derive(Clone)]
pub struct RehearsalConfig {
    /// `127.0.0.1:0` in tests; `0.0.0.0:<port>` in the app so phones on the LAN reach the H5 page.
    pub bind: SocketAddr,
    /// Host written into `h5_link`: the LAN IP in the app, `127.0.0.1` in tests.
    pub public_host: String,
    pub api_key: String,
    /// `0x…` wallet that API-key enrollments belong to (what the wallet listings show them under).
    pub key_owner: String,
    pub init_limit_per_hour: u32,
    /// Shared by `/v1/realface/status` and both wallet listings.
    pub status_limit_per_hour: u32,
    /// Lifetime of each H5 session token.
    pub session_ttl: Duration,
    /// Fetches `image_url` on enroll.
    pub image_client: reqwest::Client,
    /// Where to keep state across restarts; `None` (the default) keeps it in memory only.
    ///
    /// Read at [`RehearsalServer::start`]: a missing file is an empty state; an unreadable or
    /// corrupt one is logged, moved aside to `<name>.corrupt-<unix seconds>` and Rehearsal starts
    /// empty. Rewritten atomically (temporary file in the same directory, then rename) after
    /// every change. Its directory is created if missing.
    pub state_file: Option<PathBuf>,
    /// The x402 version paid endpoints speak: header names and payload shape. Default v2.
    pub x402_version: X402Version,
    /// Who x402 payments go to. Default [`REHEARSAL_TREASURY`].
    pub pay_to: Address,
    /// `POST /v1/realface/enroll`, USDC atomic units. Default 10 000 ($0.01).
    pub realface_price_atomic: u128,
    /// `POST /v1/portrait/enroll`, USDC atomic units. Default 10 000 ($0.01; see
    /// [`DEFAULT_PORTRAIT_PRICE_ATOMIC`]).
    pub portrait_price_atomic: u128,
    /// The fault switches' initial positions (all off by default).
    pub faults: Faults,
    /// The answer shape of the JarvisClaw personality under `/v1/marketplace/…`.
    pub jarvisclaw_shape: JarvisClawShape,
    /// More Anyfast/Crun accounts besides [`RehearsalConfig::api_key`] (default none). BlockRun
    /// and JarvisClaw take `api_key` only.
    pub extra_api_keys: Vec<String>,
    /// How long a new Anyfast/Crun asset stays `Processing` at least. Default 3 s.
    pub asset_processing_delay: Duration,
    /// From a video job's submit until it completes (queued for the first quarter, then in
    /// progress). Default 20 s.
    pub video_delay: Duration,
    /// Which gateway `POST /v1/videos/generations` plays (BlockRun and JarvisClaw share the
    /// path; only the `poll_url` differs). Default [`ProviderApi::BlockRun`].
    pub video_gateway: ProviderApi,
    /// The `maxTimeoutSeconds` every challenge offers: how long a signed authorization can be
    /// collected. Default 300 s, the x402 gateway's own default (research §1.6).
    pub payment_window: Duration,
    /// Where every 402 carries its challenge: each shape a document names, so tests can make
    /// the client read each one. Default [`ChallengeShape::Standard`].
    pub challenge_shape: ChallengeShape,
    /// What every wallet holds on Rehearsal's test network before it pays (`POST /rpc` answers
    /// `balanceOf` with it, less what settled); a payment past it is refused as a facilitator
    /// refuses one (`insufficient_funds`). Default [`DEFAULT_TEST_FUNDS_ATOMIC`].
    pub test_funds_atomic: u128,
}

impl std::fmt::Debug for RehearsalConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RehearsalConfig")
            .field("bind", &self.bind)
            .field("public_host", &self.public_host)
            .field("api_key", &"<redacted>")
            .field("key_owner", &self.key_owner)
            .field("init_limit_per_hour", &self.init_limit_per_hour)
            .field("status_limit_per_hour", &self.status_limit_per_hour)
            .field("session_ttl", &self.session_ttl)
            .field("state_file", &self.state_file)
            .field("x402_version", &self.x402_version)
            .field("pay_to", &self.pay_to)
            .field("realface_price_atomic", &self.realface_price_atomic)
            .field("portrait_price_atomic", &self.portrait_price_atomic)
            .field("faults", &self.faults)
            .field("jarvisclaw_shape", &self.jarvisclaw_shape)
            .field(
                "extra_api_keys",
                &format!("<{} redacted>", self.extra_api_keys.len()),
            )
            .field("asset_processing_delay", &self.asset_processing_delay)
            .field("video_delay", &self.video_delay)
            .field("video_gateway", &self.video_gateway)
            .field("challenge_shape", &self.challenge_shape)
            .field("test_funds_atomic", &self.test_funds_atomic)
            .finish_non_exhaustive()
    }
}

impl RehearsalConfig {
    /// The doc's defaults: 10 inits and 20 lookups per hour per IP, 120 s sessions, memory only,
    /// x402 v2 on Base Sepolia to [`REHEARSAL_TREASURY`] at $0.01 for either enrollment, no
    /// faults, no extra Anyfast/Crun accounts, assets processed in 3 s, videos made in 20 s with
    /// BlockRun's poll URLs.
    /// `key_owner` is `0x` + the first 40 hex of sha256(api_key), so the same key always owns the
    /// same wallet.
    pub fn new(
        bind: SocketAddr,
        public_host: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Self {
        let api_key = api_key.into();
        RehearsalConfig {
            bind,
            public_host: public_host.into(),
            key_owner: ids::key_owner(&api_key),
            api_key,
            init_limit_per_hour: DEFAULT_INIT_LIMIT_PER_HOUR,
            status_limit_per_hour: DEFAULT_STATUS_LIMIT_PER_HOUR,
            session_ttl: DEFAULT_SESSION_TTL,
            image_client: default_image_client(),
            state_file: None,
            x402_version: X402Version::V2,
            pay_to: REHEARSAL_TREASURY,
            realface_price_atomic: DEFAULT_REALFACE_PRICE_ATOMIC,
            portrait_price_atomic: DEFAULT_PORTRAIT_PRICE_ATOMIC,
            faults: Faults::default(),
            jarvisclaw_shape: JarvisClawShape::Live,
            extra_api_keys: Vec::new(),
            asset_processing_delay: DEFAULT_ASSET_PROCESSING_DELAY,
            video_delay: DEFAULT_VIDEO_DELAY,
            video_gateway: ProviderApi::BlockRun,
            payment_window: Duration::from_secs(300),
            challenge_shape: ChallengeShape::Standard,
            test_funds_atomic: DEFAULT_TEST_FUNDS_ATOMIC,
        }
    }
}

fn default_image_client() -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("likeness-rehearsal/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// A running Rehearsal. Dropping it stops the server too; [`RehearsalServer::shutdown`] also waits.
pub struct RehearsalServer {
    local_addr: SocketAddr,
    base_url: url::Url,
    service: Arc<Service>,
    stop: CancellationToken,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl std::fmt::Debug for RehearsalServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RehearsalServer")
            .field("local_addr", &self.local_addr)
            .field("key_owner", &self.service.key_owner)
            .finish_non_exhaustive()
    }
}

fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/v1/realface/init", post(api::init))
        .route("/v1/realface/status", get(api::status))
        .route("/v1/realface/enroll", post(api::enroll_realface))
        .route("/v1/portrait/enroll", post(api::enroll_portrait))
        .route("/v1/wallet/{address}/realfaces", get(api::wallet_realfaces))
        .route("/v1/wallet/{address}/portraits", get(api::wallet_portraits))
        .route("/v1/marketplace/realface/init", post(jarvisclaw::init))
        .route("/v1/marketplace/realface/status", get(jarvisclaw::status))
        .route(
            "/v1/marketplace/realface/enroll",
            post(jarvisclaw::enroll_realface),
        )
        .route(
            "/v1/marketplace/portrait/enroll",
            post(jarvisclaw::enroll_portrait),
        )
        .route(
            "/volc/asset/CreateVisualValidateSession",
            post(anyfast::create_visual_validate_session),
        )
        .route(
            "/volc/asset/GetVisualValidateResult",
            post(anyfast::get_visual_validate_result),
        )
        .route("/volc/asset/CreateAsset", post(anyfast::create_asset))
        .route("/volc/asset/GetAsset", post(anyfast::get_asset))
        .route("/volc/asset/ListAssets", post(anyfast::list_assets))
        .route(
            "/api/v1/client/job/visual-validate-session",
            post(crun::visual_validate_session),
        )
        .route(
            "/api/v1/client/job/visual-validate-result",
            get(crun::visual_validate_result),
        )
        .route("/api/v1/client/job/asset-upload", post(crun::asset_upload))
        .route("/api/v1/client/job/asset-info", get(crun::asset_info))
        .route("/v1/videos/generations", post(video::blockrun::submit))
        .route("/v1/videos/generations/{id}", get(video::blockrun::poll))
        .route(
            "/api/v1/videos/generations/{id}",
            get(video::blockrun::poll),
        )
        .route("/v1/video/generations", post(video::anyfast::create))
        .route(
            "/v1/video/generations/{task_id}",
            get(video::anyfast::query),
        )
        .route(
            "/api/v1/client/job/CreateTask",
            post(video::crun::create_task),
        )
        .route("/api/v1/client/job/TaskInfo", get(video::crun::task_info))
        .route("/media/{file}", get(video::media))
        .route("/hosted/{name}", get(shelf::serve))
        .route("/h5/qr/{file}", get(jarvisclaw::qr_png))
        .route("/h5", get(h5::page))
        .route("/h5/", get(h5::page))
        .route("/h5/api/session", get(h5::session))
        .route("/h5/api/step", post(h5::step))
        .route("/phone-test", get(h5::phone_test))
        .route("/rpc", post(chain::rpc))
        .fallback(api::fallback)
        .layer(axum::middleware::from_fn_with_state(
            service.clone(),
            fault::inject,
        ))
        .with_state(service)
}

impl RehearsalServer {
    /// Binds and serves. With [`RehearsalConfig::state_file`], first restores the saved state
    /// (never failing on it: see the field).
    pub async fn start(config: RehearsalConfig) -> std::io::Result<RehearsalServer> {
        let listener = tokio::net::TcpListener::bind(config.bind).await?;
        let local_addr = listener.local_addr()?;
        let service = Arc::new(Service::new(ServiceSettings {
            public_host: config.public_host,
            port: local_addr.port(),
            api_key: config.api_key,
            key_owner: config.key_owner,
            init_limit_per_hour: config.init_limit_per_hour,
            status_limit_per_hour: config.status_limit_per_hour,
            session_ttl: config.session_ttl,
            image_client: config.image_client,
            state_file: config.state_file,
            x402_version: config.x402_version,
            pay_to: config.pay_to,
            realface_price_atomic: config.realface_price_atomic,
            portrait_price_atomic: config.portrait_price_atomic,
            faults: config.faults,
            jarvisclaw_shape: config.jarvisclaw_shape,
            extra_api_keys: config.extra_api_keys,
            asset_processing_delay: config.asset_processing_delay,
            video_delay: config.video_delay,
            video_gateway: config.video_gateway,
            payment_window: config.payment_window,
            challenge_shape: config.challenge_shape,
            test_funds_atomic: config.test_funds_atomic,
        }));
        service.resume_processing();
        // A wildcard bind is reachable from this machine on loopback.
        let client_ip = match local_addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let base_url = url::Url::parse(&format!(
            "http://{}/",
            SocketAddr::new(client_ip, local_addr.port())
        ))
        .map_err(std::io::Error::other)?;

        let stop = CancellationToken::new();
        let app = router(service.clone());
        let serve = axum::serve(
            conn::CuttableListener::new(listener),
            app.into_make_service_with_connect_info::<conn::Peer>(),
        )
        .with_graceful_shutdown(stop.clone().cancelled_owned());
        let task = tokio::spawn(async move { serve.await });
        tracing::info!(
            %local_addr,
            public_host = %service.public_host,
            key_owner = %service.key_owner,
            x402_version = ?service.gate.version(),
            pay_to = %config.pay_to,
            "rehearsal: listening"
        );

        Ok(RehearsalServer {
            local_addr,
            base_url,
            service,
            stop,
            task: Some(task),
        })
    }

    /// `http://<ip>:<port>/`; API paths are `/v1/...` under it.
    pub fn base_url(&self) -> url::Url {
        self.base_url.clone()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Where the studio hands this server local photo files to serve to itself.
    pub fn photo_shelf(&self) -> PhotoShelf {
        PhotoShelf::of(Arc::clone(&self.service))
    }

    /// `http://<public host>:<port>/`: where the phone links this server writes point (none
    /// when the configured host makes no link).
    pub fn phone_origin(&self) -> Option<url::Url> {
        url::Url::parse(&format!("http://{}/", self.service.authority())).ok()
    }

    /// Which phones opened this server's pages.
    pub fn phones(&self) -> Arc<PhoneSightings> {
        Arc::clone(&self.service.phones)
    }

    pub fn key_owner(&self) -> &str {
        &self.service.key_owner
    }

    /// x402 settlements so far, across the enroll endpoints and video jobs (one per settled
    /// nonce; a refused re-send of a settled payment, or a later poll of a settled job, does
    /// not count again), restarts with the same state file included. The account rail never
    /// counts.
    pub fn settlements(&self) -> u64 {
        self.service.settlements()
    }

    /// Video jobs submitted, polls, x402 video settlements and clip downloads since start.
    pub fn video_counts(&self) -> VideoCounts {
        self.service.video_counts()
    }

    /// The face and clips a video job (by the id this server gave it) was given, by slot.
    pub fn video_media(&self, job_id: &str) -> Option<VideoMedia> {
        self.service.video_job(job_id).map(|j| j.media())
    }

    /// Skips the rest of [`RehearsalConfig::video_delay`] for every job: each shows its end
    /// (a clip, or its scripted failure) on the next poll.
    pub fn finish_videos_now(&self) {
        self.service.finish_videos_now();
    }

    /// Calls let through and refused per rate-limit bucket since start.
    pub fn call_counts(&self) -> CallCounts {
        self.service.call_counts()
    }

    /// The fault switches, live: flip them between requests (see [`Faults`]).
    pub fn faults(&self) -> &Faults {
        &self.service.faults
    }

    /// Plays the phone for `group_id`'s current H5 session (camera, nod, blink) through the same
    /// code as `POST /h5/api/step`. `Ok` if the group is, or becomes, active; `Err` with the
    /// phone's message otherwise (unknown group, "Session expired", …).
    pub async fn complete_liveness(&self, group_id: &str) -> Result<(), String> {
        self.service.complete_liveness(group_id)
    }

    /// Plays the phone for an Anyfast/Crun BytedToken (camera, nod, blink) through the same code
    /// as `POST /h5/api/step`. `Ok` if the check is, or becomes, complete; `Err` with the
    /// phone's message otherwise (unknown token, "Session expired", …).
    pub async fn complete_liveness_token(&self, token: &str) -> Result<(), String> {
        self.service.complete_liveness_token(token)
    }

    /// Plays a phone whose check fails for a BytedToken (camera if not yet, then "fail"): the
    /// page's "Verification failed", `resultCode=10001` on the callback.
    pub async fn fail_liveness_token(&self, token: &str) -> Result<(), String> {
        self.service.fail_liveness_token(token)
    }

    /// Anyfast and Crun calls served since start.
    pub fn byteplus_counts(&self) -> BytePlusCounts {
        self.service.byteplus_counts()
    }

    /// Stops accepting connections, waits (up to 10 s) for in-flight requests to finish and
    /// stops asset processing, so nothing is saved after it returns.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        self.service.cancel_processing();
        if let Some(mut task) = self.task.take() {
            match tokio::time::timeout(Duration::from_secs(10), &mut task).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => tracing::warn!(error = %e, "rehearsal: server error at shutdown"),
                Ok(Err(e)) => tracing::warn!(error = %e, "rehearsal: server task failed"),
                Err(_) => {
                    tracing::warn!("rehearsal: connections still open after 10 s; aborting");
                    task.abort();
                }
            }
        }
        self.service.stop_processing().await;
        tracing::info!(local_addr = %self.local_addr, "rehearsal: stopped");
    }
}

impl Drop for RehearsalServer {
    fn drop(&mut self) {
        self.stop.cancel();
        self.service.cancel_processing();
    }
}
