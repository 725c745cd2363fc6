//! Secrets (API keys, later the wallet key) live only in the OS keyring.
//!
//! [`Secret`] neither prints nor serializes its value, so it cannot leak through logs, errors or
//! IPC answers by accident. [`SecretStore`] is the keyring seam; [`MemoryStore`] keeps secrets in
//! the process only (unit tests, and CLI runs given their keys from the environment).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::providers::ProviderKind;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Which secret. The keyring account name is derived from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretName {
    ApiKey(ProviderKind),
    /// The studio wallet's private key (see [`crate::wallet`]).
    WalletKey,
    /// Rehearsal's throwaway wallet: made on first launch, pays only on the test network.
    RehearsalWalletKey,
    /// The studio database's password (Settings → Studio database).
    DatabasePassword,
}

impl SecretName {
    fn account(self) -> String {
        match self {
            SecretName::ApiKey(p) => format!("api-key:{}", p.label().to_ascii_lowercase()),
            SecretName::WalletKey => "wallet-key".to_string(),
            SecretName::RehearsalWalletKey => "rehearsal-wallet-key".to_string(),
            SecretName::DatabasePassword => "database-password".to_string(),
        }
    }
}

pub trait SecretStore: Send + Sync {
    /// `Ok(None)` when nothing is stored.
    fn get(&self, name: SecretName) -> Result<Option<Secret>>;
    fn set(&self, name: SecretName, value: &Secret) -> Result<()>;
    /// Idempotent: deleting a missing secret is not an error.
    fn delete(&self, name: SecretName) -> Result<()>;
}

/// The OS keyring (the Secret Service over D-Bus on Linux; macOS and Windows have their own).
pub struct KeyringStore {
    service: String,
    elsewhere: Option<String>,
}

impl KeyringStore {
    /// `service` separates builds (e.g. `likeness-studio` vs `likeness-studio-dev`) and tests.
    pub fn new(service: impl Into<String>) -> Self {
        KeyringStore {
            service: service.into(),
            elsewhere: None,
        }
    }

    /// Names another way to give the keys, offered when there is no keychain at all (the CLI's
    /// flags), so the operator learns the way out in the same sentence as the problem.
    pub fn or_else_offer(mut self, alternative: impl Into<String>) -> Self {
        self.elsewhere = Some(alternative.into());
        self
    }

    fn entry(&self, name: SecretName) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, &name.account()).map_err(|e| self.plain(e))
    }

    /// keyring's own words ("Platform secure storage failure: zbus error: …") name its
    /// internals, not what the operator should do.
    fn plain(&self, e: keyring::Error) -> Error {
        match e {
            keyring::Error::PlatformFailure(_) => {
                // Kept for whoever has to find out why the daemon did not answer.
                tracing::info!(error = %e, "the system keychain did not answer");
                let fix = match &self.elsewhere {
                    Some(alternative) => format!(
                        "{alternative}, or start a keyring (such as gnome-keyring) and try again"
                    ),
                    None => "Start a keyring (such as gnome-keyring) and try again".to_string(),
                };
                Error::Keychain(format!(
                    "No system keychain is running on this machine (no Secret Service answered \
                     on D-Bus). {fix}."
                ))
            }
            keyring::Error::NoStorageAccess(_) => {
                tracing::info!(error = %e, "the system keychain refused access");
                Error::Keychain(
                    "The system keychain is locked or refused access. Unlock it (log in to the \
                     desktop, or unlock the keyring) and try again."
                        .into(),
                )
            }
            other => other.into(),
        }
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, name: SecretName) -> Result<Option<Secret>> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(Secret(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.plain(e)),
        }
    }

    fn set(&self, name: SecretName, value: &Secret) -> Result<()> {
        self.entry(name)?
            .set_password(value.expose())
            .map_err(|e| self.plain(e))
    }

    fn delete(&self, name: SecretName) -> Result<()> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.plain(e)),
        }
    }
}

/// Secrets kept in this process only. Tests use it, and so does a run given its keys from the
/// environment: with it in place of the keyring, no path can reach the keyring by accident.
#[derive(Default)]
pub struct MemoryStore(Mutex<HashMap<SecretName, Secret>>);

impl SecretStore for MemoryStore {
    fn get(&self, name: SecretName) -> Result<Option<Secret>> {
        Ok(self
            .0
            .lock()
            .expect("secret map poisoned")
            .get(&name)
            .cloned())
    }
    fn set(&self, name: SecretName, value: &Secret) -> Result<()> {
        self.0
            .lock()
            .expect("secret map poisoned")
            .insert(name, value.clone());
        Ok(())
    }
    fn delete(&self, name: SecretName) -> Result<()> {
        self.0.lock().expect("secret map poisoned").remove(&name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints_its_value() {
        let s = Secret::new("brk_live_1234");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{:?}", Some(&s)), "Some(Secret(<redacted>))");
    }

    #[test]
    fn keyring_failures_say_what_to_do() {
        let daemon_gone =
            || keyring::Error::PlatformFailure("zbus error: Failed to connect to socket".into());
        let bare = KeyringStore::new("t").plain(daemon_gone()).to_string();
        assert!(bare.starts_with("No system keychain is running"), "{bare}");
        assert!(bare.contains("Start a keyring"), "{bare}");
        assert!(
            !bare.contains("zbus"),
            "keyring's internals stay in the log: {bare}"
        );

        let offered = KeyringStore::new("t")
            .or_else_offer("Give the keys for this run instead: --api-key-env VAR")
            .plain(daemon_gone())
            .to_string();
        assert!(
            offered.contains("instead: --api-key-env VAR, or start a keyring"),
            "{offered}"
        );

        let locked = KeyringStore::new("t")
            .plain(keyring::Error::NoStorageAccess(
                "SS Error: object locked".into(),
            ))
            .to_string();
        assert!(
            locked.contains("locked") && locked.contains("Unlock it"),
            "{locked}"
        );
    }

    #[test]
    fn memory_store_round_trip_and_idempotent_delete() {
        let store = MemoryStore::default();
        let name = SecretName::ApiKey(ProviderKind::Rehearsal);
        assert!(store.get(name).unwrap().is_none());
        store.set(name, &Secret::new("k")).unwrap();
        assert_eq!(store.get(name).unwrap().unwrap().expose(), "k");
        store.delete(name).unwrap();
        store.delete(name).unwrap();
        assert!(store.get(name).unwrap().is_none());
    }
}
