//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz), compiled only with the `fuzzing`
//! feature. Each one feeds hostile bytes to the real parsing code, never to a copy of it.
//!
//! Provider answers are served over loopback HTTP to the real clients, as
//! `tests/provider_fixtures.rs` does with the documented answers: the wire types are private by
//! design, and reading an answer is interleaved with the call that asked for it (statuses,
//! refusals, the x402 round trip), so the whole call is what gets fuzzed.
//!
//! Besides "no panic", each entry asserts what the app promises about hostile input: a refused
//! 402 says nothing was signed, an accepted one only ever names pinned USDC on Base, and every
//! error an operator would see has a message.

use crate::video::VideoCatalog as _;
use std::sync::{Arc, Mutex, OnceLock};

use alloy::signers::local::PrivateKeySigner;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

use crate::error::{CommandError, Error};
use crate::media::{AssetType, MediaLimits};
use crate::payment::{self, Network, SignedPayment, MAX_TIMEOUT_SECONDS};
use crate::photo::PhotoLimits;
use crate::providers::{anyfast, blockrun, crun, jarvisclaw, AssetUpload, Provider, ProviderKind};
use crate::secrets::Secret;
use crate::video::{self, SeedanceTier, VideoSpec};

/// The well-known first Hardhat/Anvil key: a throwaway that signs nothing of value.
const THROWAWAY_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// `<mode byte><rest>`: mode 0 puts the rest in the 402's body; 1 in the `PAYMENT-REQUIRED`
/// header as is; 2 base64-encodes it into that header first, so the fuzzer can work on the JSON
/// inside rather than on base64 it would rarely get right.
pub fn x402_challenge(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let header = match mode % 3 {
        0 => None,
        1 => Some(String::from_utf8_lossy(rest).into_owned()),
        _ => Some(base64::engine::general_purpose::STANDARD.encode(rest)),
    };
    let body: &[u8] = if header.is_some() { b"" } else { rest };
    let headers: Vec<(String, String)> = header
        .map(|h| vec![(payment::PAYMENT_REQUIRED_HEADER.to_owned(), h)])
        .unwrap_or_default();
    match payment::quote_challenge(&headers, body) {
        Ok(quote) => check_quote(&quote),
        Err(refusal) => assert!(
            refusal.to_string().ends_with("Nothing was signed."),
            "a refusal must say nothing was signed: {refusal}"
        ),
    }
}

/// What an accepted challenge may contain, whatever the server wrote; and it must be signable.
fn check_quote(quote: &payment::PaymentQuote) {
    let network = quote.network();
    assert!(Network::ALL.contains(&network));
    assert_eq!(quote.asset(), network.usdc(), "only pinned USDC is paid");
    assert_eq!(quote.chain_id(), network.chain_id());
    assert!(quote.amount_atomic() > 0);
    assert!(!quote.pay_to().is_zero());
    assert!((1..=MAX_TIMEOUT_SECONDS).contains(&quote.max_timeout_seconds()));
    let signed = payment::sign(quote, signer(), 1_779_640_000, [7; 32])
        .unwrap_or_else(|e| panic!("an accepted quote must be signable: {e}"));
    let (name, value) = signed.header();
    assert_eq!(name, quote.x402_version().payment_header());
    assert!(!value.is_empty());
}

/// `<mode byte><rest>`: bit 0 picks `PAYMENT-RESPONSE` (v2) or `X-PAYMENT-RESPONSE` (v1); bit 1
/// base64-encodes the rest first (see [`x402_challenge`]).
pub fn x402_settlement(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let name = if mode & 1 == 0 {
        payment::PAYMENT_RESPONSE_HEADER
    } else {
        payment::X_PAYMENT_RESPONSE_HEADER
    };
    let value = if mode & 2 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        base64::engine::general_purpose::STANDARD.encode(rest)
    };
    let headers = vec![(name.to_owned(), value)];
    match payment::parse_settlement(&headers) {
        Ok(Some(s)) => {
            // What was read must survive the trip back (Rehearsal writes these headers).
            let (back_name, back_value) = s.to_header();
            let again = payment::parse_settlement(&vec![(back_name.to_owned(), back_value)]);
            assert_eq!(again, Ok(Some(s)), "a settlement re-reads as itself");
        }
        Ok(None) => panic!("a present header is never read as absent"),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// Raw bytes as a downloaded face photo, checked against one provider's limits (the input's
/// length picks which: one check per run keeps the decoder and the face search fast enough to
/// explore).
pub fn photo(data: &[u8]) {
    let limits = if data.len().is_multiple_of(2) {
        PhotoLimits::blockrun()
    } else {
        PhotoLimits::byteplus()
    };
    match crate::photo::examine_bytes("https://example.com/face.jpg", data, &limits) {
        Ok(check) => {
            assert!(!check.checks.is_empty(), "a checked photo has a checklist");
            assert_eq!(check.size_bytes as usize, data.len());
        }
        Err(e) => operator_sees(&e),
    }
}

/// Raw bytes as an uploaded video or voice clip: the probe, then the whole checklist.
pub fn media(data: &[u8]) {
    let _ = crate::media::probe(data);
    for asset_type in [AssetType::Video, AssetType::Audio] {
        let Some(limits) = MediaLimits::byteplus(asset_type) else {
            continue;
        };
        let check =
            crate::media::examine_bytes("https://example.com/clip.mp4", data, asset_type, &limits);
        assert_eq!(check.size_bytes, data.len() as u64);
    }
}

/// Which client a provider answer is served to.
#[derive(Debug, Clone, Copy)]
pub enum Api {
    BlockRun,
    JarvisClaw,
    Anyfast,
    Crun,
    /// Seedance jobs, on all four APIs.
    Video,
}

/// An HTTP answer from the fuzzer's bytes, as text a fixture can seed:
/// `<status>\n<name>: <value>\n…\n\n<body>`. Without a blank line the whole input is a 200's
/// body. Framing headers are left to the server: they would fuzz hyper, not this app.
pub fn provider_answer(api: Api, data: &[u8]) {
    let harness = harness();
    *harness.canned.lock().unwrap_or_else(|e| e.into_inner()) = canned(data);
    harness.runtime.block_on(async {
        match api {
            Api::BlockRun => blockrun_calls(harness).await,
            Api::JarvisClaw => jarvisclaw_calls(harness).await,
            Api::Anyfast => anyfast_calls(harness).await,
            Api::Crun => crun_calls(harness).await,
            Api::Video => video_calls(harness).await,
        }
    });
}

#[derive(Clone)]
struct Canned {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Vec<u8>,
}

fn canned(data: &[u8]) -> Canned {
    let split = data.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (&data[..0], data),
    };
    let mut lines = head.split(|b| *b == b'\n');
    let status = lines
        .next()
        .and_then(|l| std::str::from_utf8(l).ok())
        .and_then(|s| s.trim().parse::<u16>().ok())
        .filter(|s| (200..=599).contains(s))
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let headers = lines
        .filter_map(|line| {
            let colon = line.iter().position(|b| *b == b':')?;
            let name = HeaderName::from_bytes(line[..colon].trim_ascii()).ok()?;
            let value = HeaderValue::from_bytes(line[colon + 1..].trim_ascii()).ok()?;
            let framing = [
                "content-length",
                "transfer-encoding",
                "connection",
                "keep-alive",
                "upgrade",
                "trailer",
                "te",
            ];
            (!framing.contains(&name.as_str())).then_some((name, value))
        })
        .collect();
    Canned {
        status,
        headers,
        body: body.to_vec(),
    }
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    canned: Arc<Mutex<Canned>>,
    base: url::Url,
    http: reqwest::Client,
    payment: SignedPayment,
}

fn signer() -> &'static PrivateKeySigner {
    static SIGNER: OnceLock<PrivateKeySigner> = OnceLock::new();
    SIGNER.get_or_init(|| THROWAWAY_KEY.parse().expect("a valid key"))
}

/// One server and one runtime for the whole run: starting them per input would be most of the
/// work.
fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let canned = Arc::new(Mutex::new(canned(b"")));
        let served = canned.clone();
        let app = axum::Router::new().fallback(move || {
            let served = served.clone();
            async move {
                let c = served.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let mut response: Response = (c.status, c.body).into_response();
                for (name, value) in c.headers {
                    response.headers_mut().append(name, value);
                }
                response
            }
        });
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        runtime.spawn(async move { axum::serve(listener, app).await });
        let base: url::Url = format!("http://{addr}/").parse().expect("a base URL");

        // A real v2 quote for Base Sepolia, signed once: the paid calls' second half.
        let requirement = payment::Requirement::new(
            Network::BaseSepolia,
            "0x209693Bc6afc0C5328bA36FaF03C514EF312287C"
                .parse()
                .expect("an address"),
            10_000,
        );
        let built = requirement.challenge(payment::X402Version::V2, "");
        let (name, value) = built.header.clone().expect("v2 has a header");
        let quote = payment::quote_challenge(&vec![(name.to_owned(), value)], &built.body)
            .expect("our own challenge is payable");
        let payment =
            payment::sign(&quote, signer(), 1_779_640_000, [9; 32]).expect("signable quote");
        Harness {
            runtime,
            canned,
            base,
            http: reqwest::Client::new(),
            payment,
        }
    })
}

impl Harness {
    fn key(&self) -> Option<Secret> {
        Some(Secret::new("sk-fuzz"))
    }
}

/// What a failed call would show: the IPC error every window and CLI message is made from.
fn operator_sees(e: &Error) {
    let shown = CommandError::from(e);
    assert!(
        !shown.message.trim().is_empty(),
        "an error without words: {e:?}"
    );
}

fn seen<T>(result: crate::error::Result<T>) {
    if let Err(e) = result {
        operator_sees(&e);
    }
}

async fn blockrun_calls(h: &Harness) {
    let with_key = Provider::BlockRun(blockrun::Client::new(
        ProviderKind::BlockRun,
        h.base.clone(),
        h.http.clone(),
        h.key(),
    ));
    let wallet = Provider::BlockRun(blockrun::Client::new(
        ProviderKind::BlockRun,
        h.base.clone(),
        h.http.clone(),
        None,
    ));
    ta_calls(&with_key, &wallet, h).await;
    seen(
        with_key
            .list_faces("0x209693Bc6afc0C5328bA36FaF03C514EF312287C")
            .await,
    );
}

async fn jarvisclaw_calls(h: &Harness) {
    let client = |key| {
        Provider::JarvisClaw(jarvisclaw::Client::new(
            ProviderKind::JarvisClaw,
            h.base.clone(),
            h.http.clone(),
            key,
            None,
        ))
    };
    ta_calls(&client(h.key()), &client(None), h).await;
}

/// The `ta_…` providers' calls, on the key rail and on x402 (price, then the signed retry).
async fn ta_calls(with_key: &Provider, wallet: &Provider, h: &Harness) {
    seen(with_key.init_session("Ada", None).await);
    seen(with_key.refresh_session("Ada", "legacy_rf_1", None).await);
    seen(with_key.session_status("legacy_rf_1", None).await);
    let photo = "https://example.com/ada.jpg";
    for (provider, payment) in [(with_key, None), (wallet, None), (wallet, Some(&h.payment))] {
        match provider.enroll("Ada", photo, "legacy_rf_1", payment).await {
            Ok(crate::providers::Paid::PaymentRequired(quote)) => check_quote(&quote),
            other => seen(other),
        }
        match provider.enroll_portrait("Robo", photo, payment).await {
            Ok(crate::providers::Paid::PaymentRequired(quote)) => check_quote(&quote),
            other => seen(other),
        }
    }
}

async fn anyfast_calls(h: &Harness) {
    let p = Provider::Anyfast(anyfast::Client::new(
        ProviderKind::Anyfast,
        h.base.clone(),
        h.http.clone(),
        h.key(),
    ));
    asset_calls(&p).await;
    seen(p.list_assets().await);
    seen(p.find_asset("group-1", "Ada · 3f2a9c01").await);
}

async fn crun_calls(h: &Harness) {
    let p = Provider::Crun(crun::Client::new(
        ProviderKind::Crun,
        h.base.clone(),
        h.http.clone(),
        h.key(),
        None,
    ));
    asset_calls(&p).await;
}

/// The BytePlus providers' calls: link, result by token, upload and asset status.
async fn asset_calls(p: &Provider) {
    seen(
        p.init_session("Ada", Some("http://192.168.1.20:8403/liveness/done"))
            .await,
    );
    seen(p.session_status("group-1", Some("token-1")).await);
    seen(
        p.create_asset(AssetUpload {
            group_id: "group-1",
            name: "Ada · 3f2a9c01",
            asset_type: AssetType::Image,
            url: "https://example.com/ada.jpg",
        })
        .await,
    );
    seen(p.asset("asset-1").await);
}

async fn video_calls(h: &Harness) {
    let spec = |model: &str| VideoSpec {
        face_asset_id: "ta_f85b20b9394e47be9502d819bee7929c".into(),
        prompt: "she smiles and waves".into(),
        model: model.into(),
        tier: SeedanceTier::Fast,
        duration_seconds: 5,
        resolution: "720p".into(),
        aspect_ratio: "16:9".into(),
        reference_videos: Vec::new(),
        reference_audios: Vec::new(),
    };
    let poll_url = format!("{}v1/videos/generations/job-1", h.base);
    let rails = [
        (
            Provider::BlockRun(blockrun::Client::new(
                ProviderKind::BlockRun,
                h.base.clone(),
                h.http.clone(),
                None,
            )),
            Some(&h.payment),
        ),
        (
            Provider::JarvisClaw(jarvisclaw::Client::new(
                ProviderKind::JarvisClaw,
                h.base.clone(),
                h.http.clone(),
                h.key(),
                None,
            )),
            None,
        ),
        (
            Provider::Anyfast(anyfast::Client::new(
                ProviderKind::Anyfast,
                h.base.clone(),
                h.http.clone(),
                h.key(),
            )),
            None,
        ),
        (
            Provider::Crun(crun::Client::new(
                ProviderKind::Crun,
                h.base.clone(),
                h.http.clone(),
                h.key(),
                None,
            )),
            None,
        ),
    ];
    for (provider, payment) in &rails {
        let Ok(api) = provider.api() else {
            continue;
        };
        let spec = spec(api.model_id(SeedanceTier::Fast));
        for pay in [None, *payment] {
            match video::submit(provider, &spec, pay).await {
                Ok(crate::providers::Paid::PaymentRequired(quote)) => check_quote(&quote),
                other => seen(other),
            }
            seen(video::poll(provider, "job-1", Some(&poll_url), pay).await);
            seen(video::poll(provider, "job-1", None, pay).await);
        }
    }
}
