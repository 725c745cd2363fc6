//! The BlockRun endpoints: `/v1/realface/*`, `/v1/portrait/enroll`, `/v1/wallet/<address>/*`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::Json;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::conn::Peer;
use super::error::ApiError;
use super::ids;
use super::payment::{self, PaidCall, Price, PriceBody, Settlement};
use super::photo::{self, Photo, PhotoError};
use super::service::{Asset, Bucket, Service};
use super::store::{GroupStatus, PortraitRecord, RealFaceRecord, SessionState};
use super::wall_clock;
use super::{FACE_MISMATCH_MARKER, UPSTREAM_ERROR_MARKER};

type Shared = State<Arc<Service>>;
type Reply<T> = Result<Json<T>, ApiError>;
type Paid = Result<Response, ApiError>;

const NAME_MAX_CHARS: usize = 64;
const COMPATIBLE_MODELS: [&str; 2] = ["bytedance/seedance-2.0", "bytedance/seedance-2.0-fast"];

// ---------------------------------------------------------------- request bodies

/// 400 in the only shape seed 000 allows a client to count on: a status and `{"error": "<words>"}`.
/// The seeds document the statuses of every refusal and no body field, so Rehearsal names no
/// field, code or settlement state a client could come to depend on.
pub(super) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, message)
}

pub(super) fn object_of(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(bad_request(
            "Invalid request body: the body must be a JSON object",
        )),
        Err(e) => Err(bad_request(format!("Invalid request body: not JSON ({e})"))),
    }
}

pub(super) fn string_field<'a>(
    body: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad_request(format!("{field} must be a string"))),
    }
}

pub(super) fn required_field<'a>(
    body: &'a Map<String, Value>,
    field: &str,
) -> Result<&'a str, ApiError> {
    string_field(body, field)?.ok_or_else(|| bad_request(format!("{field} is required")))
}

/// Display names are 1–64 characters (Unicode scalar values, not bytes) and not blank.
fn checked_name(body: &Map<String, Value>) -> Result<String, ApiError> {
    let name = required_field(body, "name")?;
    let chars = name.chars().count();
    if name.trim().is_empty() {
        return Err(bad_request("name is required (1-64 chars)"));
    }
    if chars > NAME_MAX_CHARS {
        return Err(bad_request(format!(
            "name must be {NAME_MAX_CHARS} chars or fewer (got {chars})"
        )));
    }
    Ok(name.to_owned())
}

fn checked_group_id(field: &str, group_id: &str) -> Result<(), ApiError> {
    if ids::is_group_id(group_id) {
        Ok(())
    } else {
        Err(bad_request(format!(
            "{field} must look like 'legacy_rf_<digits>'"
        )))
    }
}

/// Where the photo is: on the web, or on this server's own shelf (a local file the studio handed
/// it, linked at its own plain-http address, which no other server's photo may use).
enum PhotoAt {
    Web(url::Url),
    Shelf(std::sync::Arc<Vec<u8>>),
}

fn checked_image_url(
    svc: &Service,
    body: &Map<String, Value>,
) -> Result<(String, PhotoAt), ApiError> {
    let raw = required_field(body, "image_url")?;
    match super::shelf::own_photo(svc, raw) {
        Some(Ok(bytes)) => return Ok((raw.to_owned(), PhotoAt::Shelf(bytes))),
        // Withdrawn or lapsed: as an expired link would answer.
        Some(Err(())) => return Err(image_error(PhotoError::HttpStatus(404))),
        None => {}
    }
    let url = photo::parse_image_url(raw).map_err(image_error)?;
    Ok((raw.to_owned(), PhotoAt::Web(url)))
}

fn image_error(e: PhotoError) -> ApiError {
    bad_request(e.to_string())
}

// ---------------------------------------------------------------- init

#[derive(Serialize)]
pub struct InitResponse {
    object: &'static str,
    group_id: String,
    h5_link: String,
    status: GroupStatus,
    expires_in_seconds: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_steps: Option<Value>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    refreshed: bool,
}

/// `POST /v1/realface/init {name}` creates a group; `{name, groupId}` refreshes its H5 link.
///
/// Only creating a group counts against the 10/hour limit: the doc's answer to a 429 is "wait or
/// use the refresh path on an existing group".
pub async fn init(
    State(svc): Shared,
    ConnectInfo(peer): ConnectInfo<Peer>,
    body: Bytes,
) -> Reply<InitResponse> {
    let body = object_of(&body)?;
    let name = checked_name(&body)?;
    let refresh = string_field(&body, "groupId")?;
    let ttl = svc.session_ttl;

    let (group, session, refreshed) = match refresh {
        Some(group_id) => {
            checked_group_id("groupId", group_id)?;
            let (group, session) = svc
                .refresh_group(group_id)
                .ok_or_else(|| ApiError::group_not_found(group_id))?;
            (group, session, true)
        }
        None => {
            svc.rate_limit(Bucket::Init, peer.addr.ip())?;
            let (group, session) = svc.create_group(&name);
            (group, session, false)
        }
    };
    tracing::info!(group_id = %group.id, refreshed, peer = %peer.addr.ip(), "rehearsal: realface init");
    tracing::debug!(group_id = %group.id, %name, "rehearsal: realface init name");

    let h5_link = h5_link(&svc, &session.token, &group.id);
    let expires_in_seconds = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
    let next_steps =
        (!refreshed).then(|| next_steps(&group.id, expires_in_seconds, svc.realface_price));
    Ok(Json(InitResponse {
        object: "realface.init",
        group_id: group.id,
        h5_link,
        status: group.status,
        expires_in_seconds,
        next_steps,
        refreshed,
    }))
}

/// The phone's page for one H5 session, on the address phones reach this machine at.
pub(super) fn h5_link(svc: &Service, token: &str, group_id: &str) -> String {
    format!(
        "http://{}/h5/?accessKeyId=rehearsal&sessionToken={token}&configId={group_id}",
        svc.authority(),
    )
}

pub(super) fn url_host(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

fn next_steps(group_id: &str, expires_in_seconds: u64, price: Price) -> Value {
    json!({
        "1_liveness": {
            "action": "Show h5_link as a QR code. The person in the photo scans it with their phone and follows the prompts: allow camera, nod, blink.",
            "expires_in_seconds": expires_in_seconds,
            "if_expired": format!("POST /v1/realface/init with {{\"name\": \"…\", \"groupId\": \"{group_id}\"}} for a fresh h5_link on the same group."),
        },
        "2_poll_status": {
            "method": "GET",
            "path": format!("/v1/realface/status?groupId={group_id}"),
            "interval_seconds": "3-5",
            "until": "status is \"active\" and ready_to_finalize is true",
        },
        "3_enroll": {
            "method": "POST",
            "path": "/v1/realface/enroll",
            "body": { "name": "…", "image_url": "https://… (JPG, PNG or WEBP, ≤10 MB)", "group_id": group_id },
            "price": price.body(),
            "returns": "asset_id (ta_…), usable as real_face_asset_id on bytedance/seedance-2.0 and bytedance/seedance-2.0-fast",
        },
    })
}

// ---------------------------------------------------------------- status

#[derive(Serialize)]
pub struct StatusResponse {
    object: &'static str,
    group_id: String,
    status: GroupStatus,
    asset_count: u32,
    ready_to_finalize: bool,
}

/// `GET /v1/realface/status?groupId=…`: free, in the 20/hour bucket shared with the wallet listings.
pub async fn status(
    State(svc): Shared,
    ConnectInfo(peer): ConnectInfo<Peer>,
    Query(query): Query<HashMap<String, String>>,
) -> Reply<StatusResponse> {
    svc.rate_limit(Bucket::Lookup, peer.addr.ip())?;
    let group_id = query
        .get("groupId")
        .filter(|g| !g.is_empty())
        .ok_or_else(|| bad_request("groupId query parameter is required"))?;
    checked_group_id("groupId", group_id)?;
    let store = svc.store();
    let group = store
        .group(group_id)
        .ok_or_else(|| ApiError::group_not_found(group_id))?;
    Ok(Json(StatusResponse {
        object: "realface.status",
        group_id: group.id.clone(),
        status: group.status,
        asset_count: group.asset_count,
        ready_to_finalize: group.status == GroupStatus::Active,
    }))
}

// ---------------------------------------------------------------- enroll

#[derive(Serialize)]
struct Usage {
    compatible_models: [&'static str; 2],
    /// Seed 000 shows it on a RealFace only; the portrait's documented `usage` has the models.
    #[serde(skip_serializing_if = "Option::is_none")]
    how_to_use: Option<String>,
}

impl Usage {
    fn for_asset(asset_id: &str) -> Self {
        Usage {
            compatible_models: COMPATIBLE_MODELS,
            how_to_use: Some(format!(
                "Pass \"real_face_asset_id\": \"{asset_id}\" on a Seedance video generation request."
            )),
        }
    }

    fn for_portrait() -> Self {
        Usage {
            compatible_models: COMPATIBLE_MODELS,
            how_to_use: None,
        }
    }
}

#[derive(Serialize)]
pub struct RealFaceResponse {
    object: &'static str,
    asset_id: String,
    group_id: String,
    byteplus_asset_id: String,
    name: String,
    image_url: String,
    created_at: String,
    usage: Usage,
    price: PriceBody,
    settlement: Settlement,
}

/// The upstream steps after the photo is fetched, in upstream order: upload (502), then the face
/// match (422). A URL with both markers gets the 502.
///
/// The `upstream_error_once` fault counts as the upload failing.
fn upstream_outcome(svc: &Service, image_url: &str, face_match: bool) -> Result<(), ApiError> {
    if image_url.contains(UPSTREAM_ERROR_MARKER) || svc.faults.take_upstream_error() {
        return Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            "Upload to inference partner failed",
        ));
    }
    if face_match && image_url.contains(FACE_MISMATCH_MARKER) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Face-match failed: the photo does not match the live face from the H5 check",
        ));
    }
    Ok(())
}

async fn fetch_photo(svc: &Service, at: &PhotoAt) -> Result<Photo, ApiError> {
    let fetched = match at {
        PhotoAt::Web(url) => photo::fetch(&svc.image_client, url).await,
        PhotoAt::Shelf(bytes) => {
            let bytes = std::sync::Arc::clone(bytes);
            tokio::task::spawn_blocking(move || photo::inspect(&bytes))
                .await
                .unwrap_or_else(|e| {
                    Err(PhotoError::Unreachable(format!("image check failed: {e}")))
                })
        }
    };
    let photo = fetched.map_err(|e| {
        tracing::info!(error = %e, "rehearsal: image_url refused");
        image_error(e)
    })?;
    tracing::debug!(
        format = photo.format,
        width = photo.width,
        height = photo.height,
        bytes = photo.bytes,
        "rehearsal: photo fetched"
    );
    Ok(photo)
}

const REALFACE_ENROLL: &str = "/v1/realface/enroll";
const PORTRAIT_ENROLL: &str = "/v1/portrait/enroll";
const REALFACE_DESCRIPTION: &str = "RealFace enrollment: turns the liveness-verified person in image_url into a ta_… asset for Seedance 2.0 / 2.0-fast (Rehearsal: Base Sepolia test USDC)";
const PORTRAIT_DESCRIPTION: &str = "Virtual Portrait enrollment: turns the AI-generated character in image_url into a ta_… asset for Seedance 2.0 / 2.0-fast (Rehearsal: Base Sepolia test USDC)";

fn to_body(response: &impl Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(response).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("response not serialisable: {e}"),
        )
    })
}

/// `POST /v1/realface/enroll {name, image_url, group_id}`, paid.
///
/// Order, as seed 000's error table reads: body (400) → API key (401) → payment (402: none, or
/// verification failed, or its nonce is in flight or spent) → group (404, 425) → photo fetch
/// (400) → upload (502) → face match (422) → settle → 200. Everything after the 402 voids the
/// nonce unless it settles. Each enroll on an active group adds one asset to it.
pub async fn enroll_realface(
    State(svc): Shared,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Paid {
    let route = PaidRoute {
        path: REALFACE_ENROLL,
        price: svc.realface_price,
        description: REALFACE_DESCRIPTION,
        expired_session_is_400: false,
        name_must_match_init: false,
    };
    realface_enrollment(&svc, &peer, &headers, &body, route).await
}

/// Where a paid call was made and what it costs, so another personality can serve the same
/// enrollment under its own path and price.
#[derive(Clone, Copy)]
pub(super) struct PaidRoute {
    pub path: &'static str,
    pub price: Price,
    pub description: &'static str,
    /// JarvisClaw's `400 session_expired` for a pending group whose H5 link ran out unfinished;
    /// BlockRun answers such a group `425` like any pending one.
    pub expired_session_is_400: bool,
    /// JarvisClaw's enroll `name` "must match init name" (seed 001): another name is a 400.
    /// BlockRun's doc asks only for a display name, so there any name goes.
    pub name_must_match_init: bool,
}

pub(super) async fn realface_enrollment(
    svc: &Arc<Service>,
    peer: &Peer,
    headers: &HeaderMap,
    body: &Bytes,
    route: PaidRoute,
) -> Paid {
    let body = object_of(body)?;
    let name = checked_name(&body)?;
    let (image_url, url) = checked_image_url(svc, &body)?;
    let group_id = required_field(&body, "group_id")?.to_owned();
    checked_group_id("group_id", &group_id)?;

    let rail = svc.gate.rail(headers)?;
    let call = PaidCall::new(
        route.path,
        route.price,
        route.description,
        headers,
        &svc.authority(),
    );
    // The group is looked at only once the caller has paid (or holds a key): an unpaid probe
    // learns the price and nothing about the group. A refusal below drops `charge`, which voids
    // the nonce.
    let charge = payment::charge(svc, rail, &call)?;

    let (status, session) = svc
        .group_phase(&group_id)
        .ok_or_else(|| ApiError::group_not_found(&group_id))?;
    if route.name_must_match_init {
        let given = svc.store().group(&group_id).and_then(|g| g.name.clone());
        if let Some(given) = given.filter(|g| *g != name) {
            return Err(bad_request(format!(
                "name must match the name given at init (\"{given}\")"
            )));
        }
    }
    if route.expired_session_is_400
        && status == GroupStatus::PendingValidation
        && matches!(
            session,
            Some(SessionState::Expired | SessionState::Superseded)
        )
    {
        return Err(bad_request(
            "Liveness session expired (120s timeout); call /init again for a new session",
        ));
    }
    if status == GroupStatus::PendingValidation {
        return Err(ApiError::new(
            StatusCode::TOO_EARLY,
            "Group is not active yet: the rights-holder has not completed the H5 liveness check",
        ));
    }

    fetch_photo(svc, &url).await?;
    upstream_outcome(svc, &image_url, true)?;

    let now = SystemTime::now();
    let asset_id = ids::asset_id();
    let settlement = charge.settlement();
    let record = RealFaceRecord {
        asset_id: asset_id.clone(),
        group_id: group_id.clone(),
        name: name.clone(),
        image_url: image_url.clone(),
        created_at: wall_clock::rfc3339_millis(now),
        enrollment_tx_hash: settlement.tx_hash.clone(),
        byteplus_asset_id: ids::byteplus_asset_id(now),
        wallet: charge.wallet(),
    };
    let response = to_body(&RealFaceResponse {
        object: "realface",
        usage: Usage::for_asset(&asset_id),
        asset_id: asset_id.clone(),
        group_id: group_id.clone(),
        byteplus_asset_id: record.byteplus_asset_id.clone(),
        name,
        image_url,
        created_at: record.created_at.clone(),
        price: call.price.body(),
        settlement: settlement.clone(),
    })?;
    tracing::info!(%asset_id, %group_id, "rehearsal: realface enrolled");
    payment::finish(
        svc,
        charge,
        Asset::RealFace(record),
        &settlement,
        response,
        peer,
    )
}

#[derive(Serialize)]
pub struct PortraitResponse {
    object: &'static str,
    asset_id: String,
    group_id: String,
    name: String,
    image_url: String,
    source_image_url: String,
    mirrored: bool,
    created_at: String,
    usage: Usage,
    price: PriceBody,
    settlement: Settlement,
}

/// `POST /v1/portrait/enroll {name, image_url}`, paid, no liveness.
///
/// Order: body (400) → API key (401) → payment (402) → photo fetch (400) → upload (502) →
/// settle → 200. A portrait has no face match, so only the upstream-error marker applies (502,
/// as the Virtual Portrait doc lists for every upstream rejection).
pub async fn enroll_portrait(
    State(svc): Shared,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Bytes,
) -> Paid {
    let route = PaidRoute {
        path: PORTRAIT_ENROLL,
        price: svc.portrait_price,
        description: PORTRAIT_DESCRIPTION,
        expired_session_is_400: false,
        name_must_match_init: false,
    };
    portrait_enrollment(&svc, &peer, &headers, &body, route).await
}

pub(super) async fn portrait_enrollment(
    svc: &Arc<Service>,
    peer: &Peer,
    headers: &HeaderMap,
    body: &Bytes,
    route: PaidRoute,
) -> Paid {
    let body = object_of(body)?;
    let name = checked_name(&body)?;
    let (image_url, url) = checked_image_url(svc, &body)?;

    let rail = svc.gate.rail(headers)?;
    let call = PaidCall::new(
        route.path,
        route.price,
        route.description,
        headers,
        &svc.authority(),
    );
    let charge = payment::charge(svc, rail, &call)?;

    fetch_photo(svc, &url).await?;
    upstream_outcome(svc, &image_url, false)?;

    let asset_id = ids::asset_id();
    let group_id = ids::portrait_group_id();
    let created_at = wall_clock::rfc3339_millis(SystemTime::now());
    let settlement = charge.settlement();
    let record = PortraitRecord {
        asset_id: asset_id.clone(),
        group_id: group_id.clone(),
        name: name.clone(),
        image_url: image_url.clone(),
        created_at: created_at.clone(),
        enrollment_tx_hash: settlement.tx_hash.clone(),
        wallet: charge.wallet(),
    };
    let response = to_body(&PortraitResponse {
        object: "virtual_portrait",
        usage: Usage::for_portrait(),
        asset_id: asset_id.clone(),
        group_id: group_id.clone(),
        name,
        source_image_url: image_url.clone(),
        image_url,
        mirrored: false,
        created_at,
        price: call.price.body(),
        settlement: settlement.clone(),
    })?;
    tracing::info!(%asset_id, %group_id, "rehearsal: portrait enrolled");
    payment::finish(
        svc,
        charge,
        Asset::Portrait(record),
        &settlement,
        response,
        peer,
    )
}

// ---------------------------------------------------------------- wallet listings

fn checked_wallet(svc: &Service, peer: &Peer, address: &str) -> Result<(), ApiError> {
    svc.rate_limit(Bucket::Lookup, peer.addr.ip())?;
    if ids::is_wallet_address(address) {
        Ok(())
    } else {
        Err(bad_request(
            "Invalid wallet address: expected 0x + 40 hex (EVM) or a base58 Solana address",
        ))
    }
}

#[derive(Serialize)]
pub struct RealFaceList {
    wallet: String,
    realfaces: Vec<RealFaceRecord>,
    count: usize,
}

#[derive(Serialize)]
pub struct PortraitList {
    wallet: String,
    portraits: Vec<PortraitRecord>,
    count: usize,
}

/// `GET /v1/wallet/<address>/realfaces`.
pub async fn wallet_realfaces(
    State(svc): Shared,
    ConnectInfo(peer): ConnectInfo<Peer>,
    Path(address): Path<String>,
) -> Reply<RealFaceList> {
    checked_wallet(&svc, &peer, &address)?;
    let realfaces = svc.store().realfaces_of(&address);
    Ok(Json(RealFaceList {
        wallet: address,
        count: realfaces.len(),
        realfaces,
    }))
}

/// `GET /v1/wallet/<address>/portraits`.
pub async fn wallet_portraits(
    State(svc): Shared,
    ConnectInfo(peer): ConnectInfo<Peer>,
    Path(address): Path<String>,
) -> Reply<PortraitList> {
    checked_wallet(&svc, &peer, &address)?;
    let portraits = svc.store().portraits_of(&address);
    Ok(Json(PortraitList {
        wallet: address,
        count: portraits.len(),
        portraits,
    }))
}

// The video endpoints' body readers. Their 400s still name the field (`field`, `code`): the
// video API is not covered by the enrollment docs' error table, and its client and tests read
// them; the enrollments above use the words-only readers.

pub(super) fn parse_object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(
            ApiError::new(StatusCode::BAD_REQUEST, "Invalid request body")
                .with("code", "INVALID_REQUEST_BODY")
                .with("detail", "the body must be a JSON object"),
        ),
        Err(e) => Err(
            ApiError::new(StatusCode::BAD_REQUEST, "Invalid request body")
                .with("code", "INVALID_JSON")
                .with("detail", e.to_string()),
        ),
    }
}

pub(super) fn optional_string<'a>(
    body: &'a Map<String, Value>,
    field: &str,
) -> Result<Option<&'a str>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::invalid_field(
            field,
            format!("{field} must be a string"),
        )),
    }
}

pub(super) fn required_string<'a>(
    body: &'a Map<String, Value>,
    field: &str,
) -> Result<&'a str, ApiError> {
    optional_string(body, field)?
        .ok_or_else(|| ApiError::invalid_field(field, format!("{field} is required")))
}

// ---------------------------------------------------------------- everything else

/// The API-key host serves `/v1/...` at the root and answers the x402 host's `/api/v1/...`
/// with `wrong_host`; Rehearsal plays the API-key host.
pub async fn fallback(uri: Uri) -> ApiError {
    if uri.path().starts_with("/api/") {
        return ApiError::not_found("wrong_host")
            .with("code", "wrong_host")
            .with(
                "message",
                "This host serves /v1/... at the root; /api/v1/... is the x402 gateway's path.",
            );
    }
    ApiError::not_found(format!("Not found: {}", uri.path()))
}
