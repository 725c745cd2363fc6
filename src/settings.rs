//! The operator's settings: plain data with defaults. No storage code here; the app keeps them
//! in tauri-plugin-store and the CLI takes them from flags. Secrets are never part of it.

use provider_api::{JarvisClawShape, ProviderApi};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::providers::ProviderKind;
use crate::spend::SpendCaps;

pub const DEFAULT_REHEARSAL_PORT: u16 = 8402;
/// Where phones are sent back to when a BytePlus check ends (the LAN callback receiver).
pub const DEFAULT_CALLBACK_PORT: u16 = 8403;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub provider: ProviderKind,
    /// Overrides the provider's API root (for a Rehearsal server run elsewhere).
    pub base_url: Option<String>,
    /// The port the built-in Rehearsal server listens on.
    pub rehearsal_port: u16,
    /// The address phones use to reach Rehearsal; detected from the network when empty.
    pub rehearsal_host: Option<String>,
    /// How paid steps are paid: x402 with the studio wallet, or the provider's API key.
    pub payment_method: PaymentMethod,
    /// The x402 version Rehearsal offers (1 or 2), to rehearse against either kind of server.
    pub rehearsal_x402_version: u8,
    /// Dollars, as typed by the operator ("2", "2.50").
    pub per_payment_cap_usd: String,
    pub daily_cap_usd: String,
    /// Which provider's API the built-in Rehearsal plays, so staff rehearse the one they use.
    pub rehearsal_personality: ProviderApi,
    /// Which of JarvisClaw's two documented answer shapes Rehearsal gives.
    pub rehearsal_jarvisclaw_shape: JarvisClawShape,
    /// JarvisClaw's optional `redirect_url`: where the talent's phone goes after the check.
    pub jarvisclaw_redirect_url: Option<String>,
    /// The language of Crun's phone page (`lng`): en, zh or zh-Hant. Crun's own default is zh.
    pub crun_language: String,
    /// Run the LAN callback receiver, so a BytePlus check is noticed the moment the phone
    /// finishes (polling still runs without it).
    pub lan_callback: bool,
    /// The receiver's port.
    pub callback_port: u16,
    /// Who runs the sessions at this desk: written into every face's consent record. Empty
    /// until the operator types it in Settings.
    pub operator_name: String,
    /// Settings → Photo hosting: the studio's bucket for photo files, for providers that fetch
    /// a link. Its keys are in the OS keyring, never here.
    pub photo_hosting: crate::hosting::S3Settings,
    /// The studio's shared database (Settings → Studio database); `None`: this desk's own file.
    pub studio_database: Option<crate::library::StudioDatabase>,
    /// The Base node the studio wallet's balance is read from (JSON-RPC over https).
    pub base_rpc_url: String,
}

fn default_base_rpc_url() -> String {
    crate::balance::DEFAULT_BASE_RPC.into()
}

/// The longest operator name a consent record takes.
pub const MAX_OPERATOR_CHARS: usize = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Wallet,
    ApiKey,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            provider: ProviderKind::Rehearsal,
            base_url: None,
            rehearsal_port: DEFAULT_REHEARSAL_PORT,
            rehearsal_host: None,
            payment_method: PaymentMethod::Wallet,
            rehearsal_x402_version: 2,
            per_payment_cap_usd: "2".into(),
            daily_cap_usd: "20".into(),
            rehearsal_personality: ProviderApi::BlockRun,
            rehearsal_jarvisclaw_shape: JarvisClawShape::Live,
            jarvisclaw_redirect_url: None,
            crun_language: "en".into(),
            lan_callback: true,
            callback_port: DEFAULT_CALLBACK_PORT,
            operator_name: String::new(),
            photo_hosting: crate::hosting::S3Settings::default(),
            studio_database: None,
            base_rpc_url: default_base_rpc_url(),
        }
    }
}

impl Settings {
    /// Reads settings saved by any earlier version: missing fields take their defaults, and
    /// fields this version does not know are ignored.
    pub fn from_stored(stored: serde_json::Value) -> Result<Self> {
        let mut merged = serde_json::to_value(Settings::default()).expect("settings serialize");
        if let (Some(base), serde_json::Value::Object(saved)) = (merged.as_object_mut(), stored) {
            for (k, v) in saved {
                if base.contains_key(&k) {
                    base.insert(k, v);
                }
            }
        }
        serde_json::from_value(merged).map_err(|e| {
            Error::invalid(
                "settings",
                format!("The saved settings are unreadable ({e})."),
            )
        })
    }

    /// The caps in atomic USDC, parsed from the operator's dollar strings.
    pub fn caps(&self) -> Result<SpendCaps> {
        Ok(SpendCaps {
            per_payment_atomic: usd_to_atomic("per_payment_cap_usd", &self.per_payment_cap_usd)?,
            daily_atomic: usd_to_atomic("daily_cap_usd", &self.daily_cap_usd)?,
        })
    }

    pub fn validate(&self) -> Result<()> {
        self.caps()?;
        if !matches!(self.rehearsal_x402_version, 1 | 2) {
            return Err(Error::invalid(
                "rehearsal_x402_version",
                "Pick x402 version 1 or 2.",
            ));
        }
        if let Some(b) = &self.base_url {
            let u = url::Url::parse(b).map_err(|_| {
                Error::invalid(
                    "base_url",
                    "The provider address must be a full link like http://192.168.1.20:8402/.",
                )
            })?;
            if !matches!(u.scheme(), "http" | "https") {
                return Err(Error::invalid(
                    "base_url",
                    "The provider address must start with http:// or https://.",
                ));
            }
        }
        if let Some(r) = &self.jarvisclaw_redirect_url {
            let ok = url::Url::parse(r).is_ok_and(|u| u.scheme() == "https");
            if !ok {
                return Err(Error::invalid(
                    "jarvisclaw_redirect_url",
                    "The page after the phone check must be a full https:// link, or left empty.",
                ));
            }
        }
        if let Some(h) = &self.rehearsal_host {
            if h.trim().is_empty() || h.contains(['/', ' ', ':']) {
                return Err(Error::invalid(
                    "rehearsal_host",
                    "The phone address must be a plain IP or host name, like 192.168.1.20.",
                ));
            }
        }
        if !crate::providers::crun::LANGUAGES.contains(&self.crun_language.as_str()) {
            return Err(Error::invalid(
                "crun_language",
                "Pick the phone page's language: en, zh or zh-Hant.",
            ));
        }
        if self.callback_port == 0 || self.callback_port == self.rehearsal_port {
            return Err(Error::invalid(
                "callback_port",
                "Pick a port between 1024 and 65535 for the phone's return page, not Rehearsal's.",
            ));
        }
        validate_operator_name(&self.operator_name)?;
        self.base_node()?;
        if let Some(db) = self
            .studio_database
            .as_ref()
            .filter(|d| !d.url.trim().is_empty())
        {
            db.validate()?;
        }
        if self.rehearsal_port == 0 {
            return Err(Error::invalid(
                "rehearsal_port",
                "Pick a port between 1024 and 65535.",
            ));
        }
        Ok(())
    }
}

impl Settings {
    /// The Base node, checked: a full https link (a balance read carries the wallet's address).
    pub fn base_node(&self) -> Result<url::Url> {
        url::Url::parse(self.base_rpc_url.trim())
            .ok()
            .filter(|u| u.scheme() == "https" && u.host().is_some())
            .ok_or_else(|| {
                Error::invalid(
                    "base_rpc_url",
                    format!(
                        "The Base network node must be a full https:// link, like {}.",
                        crate::balance::DEFAULT_BASE_RPC
                    ),
                )
            })
    }
}

/// The operator's name as a consent record keeps it: trimmed, at most
/// [`MAX_OPERATOR_CHARS`] characters, on one line. Empty is allowed (not set yet).
pub fn validate_operator_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    let count = name.chars().count();
    if count > MAX_OPERATOR_CHARS {
        return Err(Error::invalid(
            "operator_name",
            format!("The operator's name is {count} characters; keep it to {MAX_OPERATOR_CHARS} or fewer."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "operator_name",
            "Type the operator's name on one line, without tabs or line breaks.",
        ));
    }
    Ok(name.to_string())
}

/// "2.5" → 2_500_000. At most 6 decimals, no sign, no exponent.
pub fn usd_to_atomic(field: &'static str, raw: &str) -> Result<u128> {
    let bad = || {
        Error::invalid(
            field,
            format!("{raw:?} is not an amount in dollars; type it like 2 or 2.50."),
        )
    };
    let raw = raw.trim().trim_start_matches('$');
    let (whole, frac) = raw.split_once('.').unwrap_or((raw, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 6
    {
        return Err(bad());
    }
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac: u128 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(1_000_000)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_launch_is_rehearsal_and_old_files_fill_in_defaults() {
        assert_eq!(Settings::default().provider, ProviderKind::Rehearsal);
        let s = Settings::from_stored(serde_json::json!({})).unwrap();
        assert_eq!(s, Settings::default());
        let s = Settings::from_stored(serde_json::json!({"rehearsalPort": 9000, "retired": 1}))
            .unwrap();
        assert_eq!(s.rehearsal_port, 9000);
        assert!(Settings::from_stored(serde_json::json!({"rehearsalPort": "x"})).is_err());
    }

    #[test]
    fn caps_parse_from_dollars() {
        assert_eq!(Settings::default().caps().unwrap(), SpendCaps::default());
        assert_eq!(usd_to_atomic("f", "2.5").unwrap(), 2_500_000);
        assert_eq!(usd_to_atomic("f", "$0.01").unwrap(), 10_000);
        assert_eq!(usd_to_atomic("f", ".5").unwrap(), 500_000);
        for bad in ["", "-1", "1e3", "1.0000001", "two", "."] {
            assert!(usd_to_atomic("f", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bad_values_are_refused_with_the_field() {
        let s = Settings {
            base_url: Some("ftp://x".into()),
            ..Settings::default()
        };
        assert!(matches!(
            s.validate(),
            Err(Error::Invalid {
                field: "base_url",
                ..
            })
        ));
        let s = Settings {
            rehearsal_host: Some("http://1.2.3.4".into()),
            ..Settings::default()
        };
        assert!(matches!(
            s.validate(),
            Err(Error::Invalid {
                field: "rehearsal_host",
                ..
            })
        ));
        for node in ["http://mainnet.base.org", "mainnet.base.org", "https://"] {
            let s = Settings {
                base_rpc_url: node.into(),
                ..Settings::default()
            };
            assert!(
                matches!(
                    s.validate(),
                    Err(Error::Invalid {
                        field: "base_rpc_url",
                        ..
                    })
                ),
                "{node}"
            );
        }
        assert!(Settings::default().validate().is_ok());
    }

    #[test]
    fn the_operator_name_is_optional_short_and_on_one_line() {
        assert_eq!(Settings::default().operator_name, "");
        let s = Settings::from_stored(serde_json::json!({"operatorName": "Grace H."})).unwrap();
        assert_eq!(s.operator_name, "Grace H.");
        assert!(s.validate().is_ok());
        assert_eq!(validate_operator_name("  Grace  ").unwrap(), "Grace");
        assert!(
            validate_operator_name(&"é".repeat(80)).is_ok(),
            "80 characters, not bytes"
        );
        for bad in [
            "x".repeat(81),
            "Grace\nHopper".to_string(),
            "a\tb".to_string(),
        ] {
            let s = Settings {
                operator_name: bad.clone(),
                ..Settings::default()
            };
            assert!(
                matches!(
                    s.validate(),
                    Err(Error::Invalid {
                        field: "operator_name",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
    }
}
