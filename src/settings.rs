//! The operator's settings: plain data with defaults. No storage code here; the app keeps them
//! in tauri-plugin-store and the CLI takes them from flags. Secrets are never part of it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::providers::ProviderKind;

pub const DEFAULT_REHEARSAL_PORT: u16 = 8402;

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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            provider: ProviderKind::Rehearsal,
            base_url: None,
            rehearsal_port: DEFAULT_REHEARSAL_PORT,
            rehearsal_host: None,
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

    pub fn validate(&self) -> Result<()> {
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
        if let Some(h) = &self.rehearsal_host {
            if h.trim().is_empty() || h.contains(['/', ' ', ':']) {
                return Err(Error::invalid(
                    "rehearsal_host",
                    "The phone address must be a plain IP or host name, like 192.168.1.20.",
                ));
            }
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
        assert!(Settings::default().validate().is_ok());
    }
}
