//! The stage: the selected provider, ready to use, plus the built-in Rehearsal server when
//! Rehearsal is selected and no outside server is named.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::sync::broadcast;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::flow::phone::PhoneWatch;
use crate::http::{self, TrustRoots};
use crate::phone_reach::PhoneReach;
use crate::providers::{anyfast, blockrun, crun, jarvisclaw, Provider, ProviderKind};
use crate::secrets::{Secret, SecretName, SecretStore};
use crate::settings::{PaymentMethod, Settings};
use crate::wallet::WalletInfo;
use alloy::signers::local::PrivateKeySigner;
use provider_api::ProviderApi;
use rehearsal::{RehearsalConfig, RehearsalServer};

/// What the operator sees about the running provider.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StageInfo {
    pub provider: ProviderKind,
    pub base_url: String,
    /// Where phones reach the Rehearsal liveness page, when it runs in-process.
    pub phone_host: Option<String>,
    /// That address judged: a warning when phones cannot use it, and the addresses they could.
    pub phone_reach: Option<PhoneReach>,
    /// The port the in-process Rehearsal actually listens on (it moves if the set one is busy).
    pub rehearsal_port: Option<u16>,
    pub has_api_key: bool,
    pub payment_method: PaymentMethod,
    /// The address that pays, with its block-explorer link, when paying with a wallet.
    pub wallet: Option<WalletInfo>,
    /// Which provider's API Rehearsal plays, when Rehearsal runs.
    pub rehearsal_personality: Option<ProviderApi>,
}

/// How to start a stage beyond the operator's settings.
#[derive(Debug, Clone, Default)]
pub struct StageOptions {
    pub trust: TrustRoots,
    /// Overrides the keyring (the CLI's `--api-key-env`).
    pub api_key: Option<Secret>,
    /// Where the in-process Rehearsal keeps its groups, so a restart of the app does not forget
    /// a talent's pending check. `None` keeps them in memory.
    pub data_dir: Option<std::path::PathBuf>,
    /// Overrides the stored wallet (the CLI's `--wallet-key-env`).
    pub wallet: Option<PrivateKeySigner>,
}

/// Rehearsal's shelf, as the core's [`crate::hosting::PhotoShelf`] (the core names no Rehearsal
/// type).
struct RehearsalShelf(rehearsal::PhotoShelf);

impl crate::hosting::PhotoShelf for RehearsalShelf {
    fn lend(
        &self,
        bytes: Vec<u8>,
        content_type: &str,
        lifetime: std::time::Duration,
    ) -> crate::hosting::HostedPhoto {
        let sha256 = crate::photo::sha256_hex(&bytes);
        let (url, object) = self.0.lend(bytes, content_type, lifetime);
        crate::hosting::HostedPhoto {
            url,
            object,
            expires_at: std::time::SystemTime::now() + lifetime,
            sha256,
        }
    }

    fn withdraw(&self, object: &str) {
        self.0.withdraw(object);
    }
}

/// The file Rehearsal keeps its state in, inside the data folder.
pub const REHEARSAL_STATE_FILE: &str = "rehearsal-state.json";

pub struct Stage {
    /// Signs x402 payments; `None` on the API-key rail.
    pub wallet: Option<PrivateKeySigner>,
    pub provider: Provider,
    pub http: reqwest::Client,
    pub info: StageInfo,
    rehearsal: Option<RehearsalServer>,
}

impl Stage {
    pub async fn start(
        settings: &Settings,
        secrets: &dyn SecretStore,
        options: &StageOptions,
    ) -> Result<Stage> {
        settings.validate()?;
        match settings.provider {
            ProviderKind::Rehearsal => Self::start_rehearsal(settings, secrets, options).await,
            kind @ (ProviderKind::BlockRun
            | ProviderKind::JarvisClaw
            | ProviderKind::Anyfast
            | ProviderKind::Crun) => Self::start_remote(kind, settings, secrets, options),
        }
    }

    async fn start_rehearsal(
        settings: &Settings,
        secrets: &dyn SecretStore,
        options: &StageOptions,
    ) -> Result<Stage> {
        let http = http::client(&options.trust)?;
        let key = match options.api_key.clone() {
            Some(k) => k,
            // Rehearsal's key guards nothing of value, so a machine without a working
            // keyring still gets a usable studio, with a key that lasts this run only.
            None => rehearsal_key(secrets).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "keyring unavailable; Rehearsal uses a key for this run only");
                new_rehearsal_key()
            }),
        };
        let (base, rehearsal, phone_host) = match &settings.base_url {
            Some(b) => (parse_base(b)?, None, None),
            None => {
                let host = settings
                    .rehearsal_host
                    .clone()
                    .unwrap_or_else(PhoneReach::default_host);
                let server = start_rehearsal(
                    settings,
                    &host,
                    &key,
                    http.clone(),
                    options
                        .data_dir
                        .as_ref()
                        .map(|d| d.join(REHEARSAL_STATE_FILE)),
                )
                .await?;
                (server.base_url(), Some(server), Some(host))
            }
        };
        // BytePlus providers take keys only; there is nothing for a wallet to pay.
        let keyed = matches!(
            settings.rehearsal_personality,
            ProviderApi::Anyfast | ProviderApi::Crun
        );
        let (client_key, wallet) = match settings.payment_method {
            _ if keyed => (Some(key), None),
            PaymentMethod::ApiKey => (Some(key), None),
            PaymentMethod::Wallet => (None, Some(rehearsal_wallet(secrets, options)?)),
        };
        let kind = ProviderKind::Rehearsal;
        let provider = match settings.rehearsal_personality {
            ProviderApi::BlockRun => Provider::BlockRun(blockrun::Client::new(
                kind,
                base.clone(),
                http.clone(),
                client_key,
            )),
            ProviderApi::JarvisClaw => Provider::JarvisClaw(jarvisclaw::Client::new(
                kind,
                base.clone(),
                http.clone(),
                client_key,
                settings.jarvisclaw_redirect_url.clone(),
            )),
            ProviderApi::Anyfast => Provider::Anyfast(anyfast::Client::new(
                kind,
                base.clone(),
                http.clone(),
                client_key,
            )),
            ProviderApi::Crun => Provider::Crun(crun::Client::new(
                kind,
                base.join("api/v1/client/job/")
                    .map_err(|e| Error::Internal(format!("bad Rehearsal address: {e}")))?,
                http.clone(),
                client_key,
                Some(settings.crun_language.clone()),
            )),
        };
        let wallet_info = wallet
            .as_ref()
            .map(|w| WalletInfo::base_sepolia(w.address()));
        Ok(Stage {
            wallet,
            provider,
            http,
            info: StageInfo {
                provider: kind,
                base_url: base.to_string(),
                phone_reach: phone_host.as_deref().map(|h| {
                    let reach = PhoneReach::detect(h);
                    if let Some(w) = &reach.warning {
                        tracing::warn!(host = %h, "{w}");
                    }
                    reach
                }),
                phone_host,
                rehearsal_port: rehearsal.as_ref().map(|r| r.local_addr().port()),
                has_api_key: true,
                payment_method: if keyed {
                    PaymentMethod::ApiKey
                } else {
                    settings.payment_method
                },
                wallet: wallet_info,
                rehearsal_personality: Some(settings.rehearsal_personality),
            },
            rehearsal,
        })
    }

    /// A real provider. Nothing is sent here; a missing key or wallet is reported when it is
    /// first needed, except that the key rail cannot start without its key.
    fn start_remote(
        kind: ProviderKind,
        settings: &Settings,
        secrets: &dyn SecretStore,
        options: &StageOptions,
    ) -> Result<Stage> {
        let http = http::client(&options.trust)?;
        let api_key = match options.api_key.clone() {
            Some(k) => Some(k),
            None => secrets.get(SecretName::ApiKey(kind))?,
        };
        let keyed = matches!(kind, ProviderKind::Anyfast | ProviderKind::Crun);
        let payment_method = if keyed {
            PaymentMethod::ApiKey
        } else {
            settings.payment_method
        };
        let (client_key, wallet) = match payment_method {
            PaymentMethod::ApiKey => {
                let Some(key) = api_key.clone() else {
                    return Err(Error::NotConfigured {
                        provider: kind,
                        what: match kind {
                            ProviderKind::JarvisClaw => "add its API key (sk-…) in Settings, or pay with the studio wallet.".into(),
                            ProviderKind::Anyfast => "add its API key in Settings (create it in Anyfast's Byteplus-Direct group).".into(),
                            ProviderKind::Crun => "add its API key in Settings (from crun.ai's API key page).".into(),
                            _ => "add its API key (brk_…) in Settings, or pay with the studio wallet.".into(),
                        },
                    });
                };
                (Some(key), None)
            }
            PaymentMethod::Wallet => {
                let wallet = match &options.wallet {
                    Some(w) => Some(w.clone()),
                    None => match crate::wallet::Wallet::address(secrets)? {
                        Some(_) => Some(crate::wallet::Wallet::signer(secrets)?),
                        None => None,
                    },
                };
                (None, wallet)
            }
        };
        let default_base = match (kind, settings.payment_method) {
            (ProviderKind::JarvisClaw, _) => jarvisclaw::BASE_URL,
            (ProviderKind::Anyfast, _) => anyfast::BASE_URL,
            (ProviderKind::Crun, _) => crun::BASE_URL,
            (_, PaymentMethod::ApiKey) => blockrun::KEY_BASE_URL,
            (_, PaymentMethod::Wallet) => blockrun::WALLET_BASE_URL,
        };
        let base = parse_base(settings.base_url.as_deref().unwrap_or(default_base))?;
        let provider = match kind {
            ProviderKind::JarvisClaw => Provider::JarvisClaw(jarvisclaw::Client::new(
                kind,
                base.clone(),
                http.clone(),
                client_key,
                settings.jarvisclaw_redirect_url.clone(),
            )),
            ProviderKind::Anyfast => Provider::Anyfast(anyfast::Client::new(
                kind,
                base.clone(),
                http.clone(),
                client_key,
            )),
            ProviderKind::Crun => Provider::Crun(crun::Client::new(
                kind,
                base.clone(),
                http.clone(),
                client_key,
                Some(settings.crun_language.clone()),
            )),
            _ => Provider::BlockRun(blockrun::Client::new(
                kind,
                base.clone(),
                http.clone(),
                client_key,
            )),
        };
        let wallet_info = wallet.as_ref().map(|w| WalletInfo::base(w.address()));
        Ok(Stage {
            wallet,
            provider,
            http,
            info: StageInfo {
                provider: kind,
                base_url: base.to_string(),
                phone_host: None,
                phone_reach: None,
                rehearsal_port: None,
                has_api_key: api_key.is_some(),
                payment_method,
                wallet: wallet_info,
                rehearsal_personality: None,
            },
            rehearsal: None,
        })
    }

    /// Whose faces a library sync lists: the paying wallet, or on Rehearsal's key rail the
    /// wallet Rehearsal files key enrollments under.
    pub fn listing_wallet(&self) -> Option<String> {
        match (&self.wallet, &self.rehearsal) {
            (Some(w), _) => Some(w.address().to_checksum(None)),
            (None, Some(r)) => Some(r.key_owner().to_string()),
            (None, None) => None,
        }
    }

    /// Where the LAN callback receiver should listen, and the host phones reach it at, when the
    /// provider sends phones back and the operator has not switched the receiver off.
    pub fn callback_target(&self, settings: &Settings) -> Option<(SocketAddr, String)> {
        if !settings.lan_callback || !self.provider.calls_back() {
            return None;
        }
        let host = settings
            .rehearsal_host
            .clone()
            .unwrap_or_else(PhoneReach::default_host);
        Some((
            SocketAddr::new(bind_ip(&host), settings.callback_port),
            host,
        ))
    }

    /// The desk's callback address as [`Self::callback_target`] names it, for sessions opened
    /// where no receiver runs (the CLI's step commands).
    pub fn callback_home(&self, settings: &Settings) -> Option<url::Url> {
        let (bind, host) = self.callback_target(settings)?;
        crate::flow::callback::receiver_base(&host, bind.port()).ok()
    }

    pub fn rehearsal(&self) -> Option<&RehearsalServer> {
        self.rehearsal.as_ref()
    }

    /// The in-process Rehearsal as a photo host: it serves photo files itself, so the default
    /// studio works from a file with no bucket and no internet.
    pub fn rehearsal_shelf(&self) -> Option<crate::hosting::PhotoHost> {
        let shelf = RehearsalShelf(self.rehearsal.as_ref()?.photo_shelf());
        Some(crate::hosting::PhotoHost::Shelf(std::sync::Arc::new(shelf)))
    }

    /// Where the studio wallet's balance is read: the Base node from Settings, and for test
    /// money the built-in Rehearsal's own network while it runs (its settlements are its own).
    pub fn chain_nodes(&self, settings: &Settings) -> crate::balance::ChainNodes {
        let mut nodes = crate::balance::ChainNodes::default();
        if let Ok(base) = settings.base_node() {
            nodes.base = base;
        }
        if let Some(rpc) = self
            .rehearsal
            .as_ref()
            .and_then(|r| r.base_url().join("rpc").ok())
        {
            nodes.base_sepolia = rpc;
        }
        nodes
    }

    /// Where phones reach the built-in Rehearsal server this run, when it runs.
    pub fn rehearsal_phone_origin(&self) -> Option<url::Url> {
        self.rehearsal
            .as_ref()
            .and_then(RehearsalServer::phone_origin)
    }

    /// Sightings of the Rehearsal phone page, when Rehearsal runs here.
    pub fn phone_watch(&self) -> Option<Arc<dyn PhoneWatch>> {
        let server = self.rehearsal.as_ref()?;
        Some(Arc::new(RehearsalPhones {
            sightings: server.phones(),
            origin: server.phone_origin(),
        }))
    }

    /// Stops the in-process Rehearsal server, freeing its port.
    pub async fn stop(&mut self) {
        if let Some(r) = self.rehearsal.take() {
            r.shutdown().await;
        }
    }
}

/// Rehearsal authenticates with a key like BlockRun's account rail. It is made on first use and
/// kept in the keyring, so the app, the CLI and `likeness rehearsal serve` agree on it.
pub fn rehearsal_key(secrets: &dyn SecretStore) -> Result<Secret> {
    let name = SecretName::ApiKey(ProviderKind::Rehearsal);
    if let Some(k) = secrets.get(name)? {
        return Ok(k);
    }
    let key = new_rehearsal_key();
    secrets.set(name, &key)?;
    Ok(key)
}

/// Rehearsal pays on Base Sepolia with a wallet of its own, made on first launch so the
/// rehearsal flow needs no setup and never touches the studio's real wallet.
fn rehearsal_wallet(secrets: &dyn SecretStore, options: &StageOptions) -> Result<PrivateKeySigner> {
    if let Some(w) = &options.wallet {
        return Ok(w.clone());
    }
    let name = SecretName::RehearsalWalletKey;
    let stored = match secrets.get(name) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "keyring unavailable; Rehearsal pays with a wallet for this run only");
            return Ok(PrivateKeySigner::random());
        }
    };
    if let Some(key) = stored {
        return key.expose().parse::<PrivateKeySigner>().map_err(|_| {
            Error::Keychain(
                "The Rehearsal wallet stored in the system keychain is unreadable. Delete its \
                 entry (rehearsal-wallet-key) to have a new one made."
                    .into(),
            )
        });
    }
    let signer = PrivateKeySigner::random();
    let hex_key = format!("0x{}", hex::encode(signer.to_bytes()));
    if let Err(e) = secrets.set(name, &Secret::new(hex_key)) {
        tracing::warn!(error = %e, "could not store the Rehearsal wallet; it lasts this run only");
    }
    Ok(signer)
}

fn new_rehearsal_key() -> Secret {
    Secret::new(format!("rh_{}", hex::encode(rand::random::<[u8; 16]>())))
}

fn parse_base(b: &str) -> Result<url::Url> {
    url::Url::parse(b).map_err(|_| {
        Error::invalid(
            "base_url",
            format!("{b:?} is not a valid provider address."),
        )
    })
}

async fn start_rehearsal(
    settings: &Settings,
    host: &str,
    key: &Secret,
    http: reqwest::Client,
    state_file: Option<std::path::PathBuf>,
) -> Result<RehearsalServer> {
    let port = settings.rehearsal_port;
    let mut config = RehearsalConfig::new(SocketAddr::new(bind_ip(host), port), host, key.expose());
    config.image_client = http.clone();
    config.state_file = state_file;
    config.x402_version = if settings.rehearsal_x402_version == 1 {
        crate::payment::X402Version::V1
    } else {
        crate::payment::X402Version::V2
    };
    config.jarvisclaw_shape = settings.rehearsal_jarvisclaw_shape;
    // BlockRun and JarvisClaw share the video path; their poll addresses differ.
    config.video_gateway = match settings.rehearsal_personality {
        ProviderApi::JarvisClaw => ProviderApi::JarvisClaw,
        _ => ProviderApi::BlockRun,
    };
    match RehearsalServer::start(config.clone()).await {
        Ok(s) => Ok(s),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            tracing::warn!(port, "Rehearsal port busy; using a free one");
            config.bind.set_port(0);
            RehearsalServer::start(config)
                .await
                .map_err(|e| Error::Internal(format!("Rehearsal could not start: {e}")))
        }
        Err(e) => Err(Error::Internal(format!(
            "Rehearsal could not start on port {port}: {e}"
        ))),
    }
}

/// The Rehearsal phone page's sightings, as the flow asks for them.
#[derive(Debug)]
struct RehearsalPhones {
    sightings: Arc<rehearsal::PhoneSightings>,
    origin: Option<url::Url>,
}

impl PhoneWatch for RehearsalPhones {
    fn opened_at_ms(&self, h5_link: &str) -> Option<i64> {
        rehearsal::PhonePage::of_link(h5_link).and_then(|p| self.sightings.first_seen_ms(&p))
    }

    fn subscribe(&self) -> broadcast::Receiver<()> {
        let (tx, rx) = broadcast::channel(16);
        let mut seen = self.sightings.subscribe();
        tokio::spawn(async move {
            loop {
                match seen.recv().await {
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        if tx.send(()).is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        rx
    }

    fn test_link(&self, nonce: &str) -> Option<url::Url> {
        let mut link = self.origin.as_ref()?.join("phone-test").ok()?;
        link.query_pairs_mut().append_pair("nonce", nonce);
        Some(link)
    }

    fn test_opened_at_ms(&self, nonce: &str) -> Option<i64> {
        self.sightings
            .first_seen_ms(&rehearsal::PhonePage::Test(nonce.to_string()))
    }
}

/// Loopback hosts keep a server private (tests, a laptop alone); anything else is the studio
/// Wi-Fi, where the talent's phone must reach it.
fn bind_ip(host: &str) -> IpAddr {
    if host == "127.0.0.1" || host == "localhost" {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemoryStore;

    /// A keyring that is locked or missing, as on a fresh machine with no Secret Service.
    struct BrokenKeyring;

    impl SecretStore for BrokenKeyring {
        fn get(&self, _: SecretName) -> Result<Option<Secret>> {
            Err(Error::Keychain("no Secret Service".into()))
        }
        fn set(&self, _: SecretName, _: &Secret) -> Result<()> {
            Err(Error::Keychain("no Secret Service".into()))
        }
        fn delete(&self, _: SecretName) -> Result<()> {
            Err(Error::Keychain("no Secret Service".into()))
        }
    }

    fn loopback() -> Settings {
        Settings {
            rehearsal_host: Some("127.0.0.1".into()),
            ..Settings::default()
        }
    }

    #[tokio::test]
    async fn rehearsal_starts_even_without_a_keyring() {
        let mut stage = Stage::start(&loopback(), &BrokenKeyring, &StageOptions::default())
            .await
            .unwrap();
        assert!(stage.rehearsal().is_some());
        assert_eq!(stage.info.phone_host.as_deref(), Some("127.0.0.1"));
        assert_eq!(
            stage.info.rehearsal_port,
            stage.rehearsal().map(|r| r.local_addr().port())
        );
        assert_eq!(
            stage.rehearsal_phone_origin().map(|u| u.to_string()),
            stage
                .info
                .rehearsal_port
                .map(|p| format!("http://127.0.0.1:{p}/"))
        );
        stage.stop().await;
    }

    #[tokio::test]
    async fn the_rehearsal_key_is_kept_in_the_secret_store() {
        let store = MemoryStore::default();
        let mut stage = Stage::start(&loopback(), &store, &StageOptions::default())
            .await
            .unwrap();
        let key = store
            .get(SecretName::ApiKey(ProviderKind::Rehearsal))
            .unwrap();
        assert!(key.is_some_and(|k| k.expose().starts_with("rh_")));
        stage.stop().await;
    }
}
