//! The studio wallet: the secp256k1 key that signs x402 USDC payments on Base.
//!
//! The key lives only in the OS keychain (account `wallet-key`, see [`SecretName::WalletKey`]) and
//! is held in memory as a [`Secret`], whose `Debug` is redacted. Scripts can hand a key in through
//! an environment variable instead ([`Wallet::from_env`]); that key is never stored.
//!
//! Nothing here prints, logs or serializes the key: errors say what is wrong with a key without
//! quoting any of it, [`Wallet::export`] needs an explicit confirmation, and the UI only ever gets a
//! [`WalletInfo`] (the checksummed address and its Basescan link).

use alloy::primitives::Address;
use alloy::signers::local::PrivateKeySigner;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::secrets::{Secret, SecretName, SecretStore};

/// The form field wallet-key errors are about.
pub const FIELD: &str = "wallet_key";

const BASESCAN: &str = "https://basescan.org";
const BASESCAN_SEPOLIA: &str = "https://sepolia.basescan.org";

/// The studio wallet's operations over a [`SecretStore`]: the OS keyring in the app and the CLI,
/// a [`crate::secrets::MemoryStore`] in tests.
pub struct Wallet;

impl Wallet {
    /// Makes a fresh random key and stores it. Refuses when a wallet already exists: replacing
    /// it would lose whatever the old key holds, so the operator deletes it first.
    pub fn create(store: &dyn SecretStore) -> Result<Address> {
        if let Some(existing) = stored(store)? {
            return Err(already_exists(existing.address()));
        }
        let signer = PrivateKeySigner::random();
        store.set(SecretName::WalletKey, &encode(&signer))?;
        Ok(signer.address())
    }

    /// Stores an existing key: 64 hex characters, with or without `0x`, surrounding whitespace
    /// ignored. Importing the key that is already stored is a no-op; a different key is refused
    /// like [`Wallet::create`] refuses.
    pub fn import(store: &dyn SecretStore, hex: &str) -> Result<Address> {
        let key = Secret::new(hex);
        let signer = parse(&key).map_err(|why| {
            Error::invalid(FIELD, format!("That wallet key cannot be used: {why}."))
        })?;
        Wallet::import_signer(store, &signer)
    }

    /// [`Wallet::import`] for a key already parsed, e.g. by [`Wallet::from_env`].
    pub fn import_signer(store: &dyn SecretStore, signer: &PrivateKeySigner) -> Result<Address> {
        if let Some(existing) = stored(store)? {
            if existing.address() == signer.address() {
                return Ok(existing.address());
            }
            return Err(already_exists(existing.address()));
        }
        store.set(SecretName::WalletKey, &encode(signer))?;
        Ok(signer.address())
    }

    /// The stored wallet's address, or `None` when there is no wallet yet.
    pub fn address(store: &dyn SecretStore) -> Result<Option<Address>> {
        Ok(stored(store)?.map(|s| s.address()))
    }

    /// What the UI shows: the address and its Basescan link, never the key.
    pub fn info(store: &dyn SecretStore) -> Result<Option<WalletInfo>> {
        Ok(Wallet::address(store)?.map(WalletInfo::base))
    }

    /// The signer for the payment code. It stays in memory: never serialize or log its key.
    pub fn signer(store: &dyn SecretStore) -> Result<PrivateKeySigner> {
        stored(store)?.ok_or_else(no_wallet)
    }

    /// The key as `0x` + 64 lowercase hex characters, for a backup. Only with `confirmed`: whoever
    /// holds it can spend the wallet's funds.
    pub fn export(store: &dyn SecretStore, confirmed: bool) -> Result<Secret> {
        if !confirmed {
            return Err(Error::invalid(
                FIELD,
                "Exporting shows the wallet's private key, and anyone who sees it can spend the \
                 wallet's funds. Confirm explicitly to export it.",
            ));
        }
        Ok(encode(&Wallet::signer(store)?))
    }

    /// Removes the key from the keychain. Idempotent: deleting when there is no wallet is fine.
    /// The key is gone for good unless it was exported first.
    pub fn delete(store: &dyn SecretStore) -> Result<()> {
        store.delete(SecretName::WalletKey)
    }

    /// For scripts: the key in the environment variable `var` (hex, with or without `0x`). It is
    /// read into a [`Secret`] and never stored.
    pub fn from_env(var: &str) -> Result<PrivateKeySigner> {
        from_var(var, std::env::var(var).ok().map(Secret::new))
    }
}

fn from_var(var: &str, value: Option<Secret>) -> Result<PrivateKeySigner> {
    let Some(key) = value.filter(|v| !v.expose().trim().is_empty()) else {
        return Err(Error::invalid(
            "wallet_key_env",
            format!("The environment variable {var} is empty or not set."),
        ));
    };
    parse(&key).map_err(|why| {
        Error::invalid(
            FIELD,
            format!("The wallet key in the environment variable {var} cannot be used: {why}."),
        )
    })
}

/// The wallet as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct WalletInfo {
    /// EIP-55 checksummed, `0x`-prefixed.
    pub address: String,
    /// The address on Basescan (or Base Sepolia's Basescan).
    pub explorer_url: String,
}

impl WalletInfo {
    /// On Base mainnet, where the studio pays.
    pub fn base(address: Address) -> Self {
        WalletInfo {
            address: checksummed(address),
            explorer_url: basescan_url(address),
        }
    }

    /// On Base Sepolia, the test network.
    pub fn base_sepolia(address: Address) -> Self {
        WalletInfo {
            address: checksummed(address),
            explorer_url: basescan_sepolia_url(address),
        }
    }
}

/// `0x` + EIP-55 mixed case.
pub fn checksummed(address: Address) -> String {
    address.to_checksum(None)
}

/// `https://basescan.org/address/<checksummed address>`.
pub fn basescan_url(address: Address) -> String {
    format!("{BASESCAN}/address/{}", checksummed(address))
}

/// `https://sepolia.basescan.org/address/<checksummed address>`.
pub fn basescan_sepolia_url(address: Address) -> String {
    format!("{BASESCAN_SEPOLIA}/address/{}", checksummed(address))
}

fn stored(store: &dyn SecretStore) -> Result<Option<PrivateKeySigner>> {
    let Some(key) = store.get(SecretName::WalletKey)? else {
        return Ok(None);
    };
    parse(&key).map(Some).map_err(|why| {
        Error::invalid(
            FIELD,
            format!(
                "The wallet key in the system keychain is unreadable ({why}). Delete the wallet, \
                 then create or import one again."
            ),
        )
    })
}

fn encode(signer: &PrivateKeySigner) -> Secret {
    Secret::new(format!("0x{}", hex::encode(signer.to_bytes())))
}

/// Parses a hex private key. The reason it gives describes the problem without quoting the key.
fn parse(key: &Secret) -> std::result::Result<PrivateKeySigner, String> {
    let s = key.expose().trim();
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if digits.is_empty() {
        return Err("it is empty".into());
    }
    if digits.chars().any(char::is_whitespace) {
        return Err(
            "it contains spaces; seed phrases are not accepted, only the 64-character hex \
             private key"
                .into(),
        );
    }
    if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err("it contains characters that are not hexadecimal (0-9, a-f)".into());
    }
    if digits.len() == 40 {
        return Err("it has 40 hex characters, which is an address; a private key has 64".into());
    }
    if digits.len() != 64 {
        return Err(format!(
            "a private key is 64 hex characters (optionally prefixed with 0x), this one has {}",
            digits.len()
        ));
    }
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(digits, &mut bytes)
        .map_err(|_| "it is not valid hexadecimal".to_string())?;
    let signer = PrivateKeySigner::from_slice(&bytes).map_err(|_| {
        "it is not a valid secp256k1 private key (zero, or not below the curve order)".to_string()
    });
    bytes.fill(0);
    signer
}

fn already_exists(address: Address) -> Error {
    Error::invalid(
        FIELD,
        format!(
            "A studio wallet already exists ({}). To replace it, delete it first, and export its \
             key before that if it holds funds: a deleted key cannot be recovered.",
            checksummed(address)
        ),
    )
}

fn no_wallet() -> Error {
    Error::NotFound("There is no studio wallet yet. Create one or import a key first.".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::secrets::MemoryStore;

    /// Hardhat's account #0: public test key, never holds real funds.
    const HARDHAT_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    const HARDHAT_ADDRESS: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    /// Hardhat's account #1.
    const OTHER_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    const OTHER_ADDRESS: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    fn is_invalid_wallet_key(e: &Error) -> bool {
        e.code() == ErrorCode::InvalidInput && e.field() == Some(FIELD)
    }

    #[test]
    fn create_makes_a_random_key_and_refuses_a_second_one() {
        let store = MemoryStore::default();
        assert_eq!(Wallet::address(&store).unwrap(), None);
        let address = Wallet::create(&store).unwrap();
        assert_eq!(Wallet::address(&store).unwrap(), Some(address));
        assert_eq!(Wallet::signer(&store).unwrap().address(), address);

        let e = Wallet::create(&store).unwrap_err();
        assert!(is_invalid_wallet_key(&e), "{e:?}");
        let message = e.to_string();
        assert!(message.contains("delete it first"), "{message}");
        assert!(message.contains(&checksummed(address)), "{message}");
        assert_eq!(
            Wallet::address(&store).unwrap(),
            Some(address),
            "the refusal leaves the wallet alone"
        );

        let other = MemoryStore::default();
        assert_ne!(
            Wallet::create(&other).unwrap(),
            address,
            "every wallet gets its own key"
        );
    }

    #[test]
    fn import_accepts_hex_with_or_without_0x_and_whitespace() {
        for input in [
            HARDHAT_KEY.to_string(),
            format!("0x{HARDHAT_KEY}"),
            format!("0X{HARDHAT_KEY}"),
            format!("  0x{HARDHAT_KEY}\n"),
            format!("\t{}\r\n", HARDHAT_KEY.to_ascii_uppercase()),
        ] {
            let store = MemoryStore::default();
            let address = Wallet::import(&store, &input).unwrap();
            assert_eq!(address.to_string(), HARDHAT_ADDRESS);
            assert_eq!(
                Wallet::export(&store, true).unwrap().expose(),
                format!("0x{HARDHAT_KEY}"),
                "stored in one canonical form"
            );
        }
    }

    #[test]
    fn import_of_the_same_key_is_a_no_op_and_a_different_key_is_refused() {
        let store = MemoryStore::default();
        Wallet::import(&store, HARDHAT_KEY).unwrap();
        assert_eq!(
            Wallet::import(&store, &format!("0x{HARDHAT_KEY}"))
                .unwrap()
                .to_string(),
            HARDHAT_ADDRESS
        );
        let e = Wallet::import(&store, OTHER_KEY).unwrap_err();
        assert!(is_invalid_wallet_key(&e), "{e:?}");
        assert!(e.to_string().contains("delete it first"), "{e}");
        assert!(!e.to_string().contains(&OTHER_KEY[2..]), "{e}");
        assert_eq!(
            Wallet::address(&store).unwrap().unwrap().to_string(),
            HARDHAT_ADDRESS
        );
    }

    #[test]
    fn malformed_keys_are_refused_without_echoing_them() {
        let long = format!("{HARDHAT_KEY}00");
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "empty"),
            ("0x".into(), "empty"),
            ("   \n".into(), "empty"),
            (HARDHAT_KEY[..63].into(), "64 hex characters"),
            (long, "64 hex characters"),
            (
                HARDHAT_ADDRESS.trim_start_matches("0x").into(),
                "an address",
            ),
            (format!("{}zz", &HARDHAT_KEY[..62]), "not hexadecimal"),
            (format!("{}é", &HARDHAT_KEY[..63]), "not hexadecimal"),
            (
                "test test test test test test test test test test test junk".into(),
                "seed phrases",
            ),
            ("0".repeat(64), "not a valid secp256k1"),
            ("f".repeat(64), "not a valid secp256k1"),
            (
                // The curve order n itself.
                "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141".into(),
                "not a valid secp256k1",
            ),
        ];
        for (input, why) in cases {
            let store = MemoryStore::default();
            let e = Wallet::import(&store, &input).unwrap_err();
            assert!(is_invalid_wallet_key(&e), "{input:?}: {e:?}");
            let message = e.to_string();
            assert!(message.contains(why), "{input:?}: {message}");
            let digits = input.trim().trim_start_matches("0x");
            if digits.len() >= 8 {
                assert!(
                    !message.contains(&digits[..8])
                        && !message.contains(&digits[digits.len() - 8..]),
                    "the message quotes the key: {message}"
                );
            }
            assert!(!format!("{e:?}").contains(digits) || digits.is_empty());
            assert_eq!(
                Wallet::address(&store).unwrap(),
                None,
                "nothing stored for {input:?}"
            );
        }
    }

    #[test]
    fn addresses_are_eip55_checksummed_and_link_to_basescan() {
        let store = MemoryStore::default();
        let address = Wallet::import(&store, HARDHAT_KEY).unwrap();
        assert_eq!(checksummed(address), HARDHAT_ADDRESS);
        assert_eq!(format!("{address}"), HARDHAT_ADDRESS);
        let info = Wallet::info(&store).unwrap().unwrap();
        assert_eq!(
            info,
            WalletInfo {
                address: HARDHAT_ADDRESS.into(),
                explorer_url: format!("https://basescan.org/address/{HARDHAT_ADDRESS}"),
            }
        );
        assert_eq!(
            serde_json::to_value(&info).unwrap(),
            serde_json::json!({
                "address": HARDHAT_ADDRESS,
                "explorerUrl": format!("https://basescan.org/address/{HARDHAT_ADDRESS}"),
            })
        );
        assert_eq!(
            WalletInfo::base_sepolia(address).explorer_url,
            format!("https://sepolia.basescan.org/address/{HARDHAT_ADDRESS}")
        );
        let other: Address = OTHER_ADDRESS.to_ascii_lowercase().parse().unwrap();
        assert_eq!(checksummed(other), OTHER_ADDRESS);
        assert_eq!(Wallet::info(&MemoryStore::default()).unwrap(), None);
    }

    #[test]
    fn export_needs_explicit_confirmation() {
        let store = MemoryStore::default();
        Wallet::import(&store, HARDHAT_KEY).unwrap();
        let e = Wallet::export(&store, false).unwrap_err();
        assert!(is_invalid_wallet_key(&e), "{e:?}");
        assert!(e.to_string().contains("Confirm"), "{e}");
        assert!(!e.to_string().contains(HARDHAT_KEY), "{e}");
        let key = Wallet::export(&store, true).unwrap();
        assert_eq!(key.expose(), format!("0x{HARDHAT_KEY}"));
        assert_eq!(format!("{key:?}"), "Secret(<redacted>)");

        let e = Wallet::export(&MemoryStore::default(), true).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound, "{e:?}");
        assert_eq!(
            Wallet::export(&MemoryStore::default(), false)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidInput,
            "the confirmation is asked before anything is read"
        );
    }

    #[test]
    fn exported_key_imports_back_to_the_same_address() {
        let store = MemoryStore::default();
        let address = Wallet::create(&store).unwrap();
        let key = Wallet::export(&store, true).unwrap();
        assert!(key.expose().starts_with("0x") && key.expose().len() == 66);
        let elsewhere = MemoryStore::default();
        assert_eq!(Wallet::import(&elsewhere, key.expose()).unwrap(), address);
    }

    #[test]
    fn delete_is_idempotent_and_a_new_wallet_can_follow() {
        let store = MemoryStore::default();
        Wallet::delete(&store).unwrap();
        let first = Wallet::create(&store).unwrap();
        Wallet::delete(&store).unwrap();
        Wallet::delete(&store).unwrap();
        assert_eq!(Wallet::address(&store).unwrap(), None);
        assert_eq!(
            Wallet::signer(&store).unwrap_err().code(),
            ErrorCode::NotFound
        );
        let second = Wallet::create(&store).unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn signer_is_missing_until_a_wallet_exists_and_never_debug_prints_the_key() {
        let store = MemoryStore::default();
        let e = Wallet::signer(&store).unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);
        assert!(e.to_string().contains("Create one"), "{e}");
        Wallet::import(&store, HARDHAT_KEY).unwrap();
        let signer = Wallet::signer(&store).unwrap();
        assert_eq!(signer.address().to_string(), HARDHAT_ADDRESS);
        assert!(!format!("{signer:?}").contains(HARDHAT_KEY));
    }

    #[test]
    fn a_corrupt_stored_key_is_reported_without_being_quoted() {
        let store = MemoryStore::default();
        let garbage = "0xnot-a-key-but-secret-looking-value";
        store
            .set(SecretName::WalletKey, &Secret::new(garbage))
            .unwrap();
        let e = Wallet::address(&store).unwrap_err();
        assert!(is_invalid_wallet_key(&e), "{e:?}");
        assert!(e.to_string().contains("Delete the wallet"), "{e}");
        assert!(!e.to_string().contains("secret-looking"), "{e}");
        assert!(
            Wallet::create(&store).is_err(),
            "a corrupt key is not overwritten"
        );
        Wallet::delete(&store).unwrap();
        Wallet::create(&store).unwrap();
    }

    #[test]
    fn from_env_parses_the_variable_and_stores_nothing() {
        // `from_var` is `from_env` minus the process environment, which parallel tests share;
        // tests/wallet.rs covers the real variable through the CLI.
        let var = "STUDIO_WALLET_KEY";
        let signer = from_var(var, Some(Secret::new(format!(" 0x{HARDHAT_KEY}\n")))).unwrap();
        assert_eq!(signer.address().to_string(), HARDHAT_ADDRESS);

        let e = from_var(var, Some(Secret::new(&HARDHAT_KEY[..60]))).unwrap_err();
        assert!(is_invalid_wallet_key(&e), "{e:?}");
        assert!(e.to_string().contains(var), "names the variable: {e}");
        assert!(!e.to_string().contains(&HARDHAT_KEY[..8]), "{e}");

        for missing in [None, Some(Secret::new(" \n"))] {
            let e = from_var(var, missing).unwrap_err();
            assert_eq!(e.field(), Some("wallet_key_env"));
            assert!(e.to_string().contains(var), "{e}");
        }

        let e = Wallet::from_env("LIKENESS_WALLET_UNIT_TEST_SURELY_UNSET").unwrap_err();
        assert_eq!(e.field(), Some("wallet_key_env"));
    }
}
