//! Secrets (API keys, later the wallet key) live only in the OS keyring.
//!
//! [`Secret`] neither prints nor serializes its value, so it cannot leak through logs, errors or
//! IPC answers by accident. [`SecretStore`] is the keyring seam; [`MemoryStore`] is for unit tests.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::Result;
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
}

impl SecretName {
    fn account(self) -> String {
        match self {
            SecretName::ApiKey(p) => format!("api-key:{}", p.label().to_ascii_lowercase()),
            SecretName::WalletKey => "wallet-key".to_string(),
            SecretName::RehearsalWalletKey => "rehearsal-wallet-key".to_string(),
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

/// The OS keyring (Secret Service on Linux, with kernel keyutils as the fallback backend).
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// `service` separates builds (e.g. `likeness-studio` vs `likeness-studio-dev`) and tests.
    pub fn new(service: impl Into<String>) -> Self {
        KeyringStore {
            service: service.into(),
        }
    }

    fn entry(&self, name: SecretName) -> Result<keyring::Entry> {
        Ok(keyring::Entry::new(&self.service, &name.account())?)
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, name: SecretName) -> Result<Option<Secret>> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(Secret(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn set(&self, name: SecretName, value: &Secret) -> Result<()> {
        Ok(self.entry(name)?.set_password(value.expose())?)
    }

    fn delete(&self, name: SecretName) -> Result<()> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

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
