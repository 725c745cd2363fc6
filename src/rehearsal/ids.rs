//! Identifiers in the shapes BlockRun and its upstreams use.

use std::time::SystemTime;

use rand::distributions::Alphanumeric;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::wall_clock;

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill(&mut buf[..]);
    hex::encode(buf)
}

/// `legacy_rf_<digits>`, the only group id form every SDK accepts (`^legacy_rf_\d+$`).
pub fn group_id(number: u64) -> String {
    format!("legacy_rf_{number}")
}

/// A first group number, so two Rehearsal runs do not hand out the same ids.
pub fn first_group_number() -> u64 {
    rand::thread_rng().gen_range(1_000..9_000) * 1_000
}

pub fn is_group_id(s: &str) -> bool {
    s.strip_prefix("legacy_rf_")
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// `ta_` + 32 lowercase hex: the Token360 asset id a Seedance call takes as `real_face_asset_id`.
pub fn asset_id() -> String {
    format!("ta_{}", random_hex(16))
}

/// `tg_…`: the Token360 group a Virtual Portrait lands in.
pub fn portrait_group_id() -> String {
    format!("tg_{}", random_hex(8))
}

/// `asset-YYYYMMDDhhmmss-xxxxx`, the BytePlus asset id behind a RealFace.
pub fn byteplus_asset_id(at: SystemTime) -> String {
    let suffix: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(5)
        .map(|b| (b as char).to_ascii_lowercase())
        .collect();
    format!("asset-{}-{suffix}", wall_clock::byteplus_stamp(at))
}

/// The H5 session token carried in `h5_link`.
pub fn session_token() -> String {
    random_hex(24)
}

/// `0x` + 64 hex, shaped like a Base transaction hash.
pub fn tx_hash() -> String {
    format!("0x{}", random_hex(32))
}

/// The wallet an API key's enrollments belong to: `0x` + the first 40 hex of sha256(key).
pub fn key_owner(api_key: &str) -> String {
    let digest = Sha256::digest(api_key.as_bytes());
    format!("0x{}", &hex::encode(digest)[..40])
}

/// EVM `0x` + 40 hex, or a Solana base58 public key (32–44 chars): what the listing accepts.
pub fn is_wallet_address(s: &str) -> bool {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    (32..=44).contains(&s.len()) && s.bytes().all(|b| BASE58.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(is_group_id(&group_id(8137)));
        assert!(!is_group_id("legacy_rf_"));
        assert!(!is_group_id("legacy_rf_12a"));
        assert!(!is_group_id("tg_123"));
        let a = asset_id();
        assert_eq!(a.len(), 35);
        assert!(a[3..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!(tx_hash().len(), 66);
        let owner = key_owner("brk_test");
        assert!(is_wallet_address(&owner));
        assert_eq!(owner, key_owner("brk_test"));
        assert_ne!(owner, key_owner("brk_other"));
        let b = byteplus_asset_id(SystemTime::now());
        assert!(b.starts_with("asset-") && b.len() == "asset-20260525001905-abcde".len());
    }

    #[test]
    fn wallet_addresses() {
        assert!(is_wallet_address(
            "0xCC8c44AD3dc2A58D841c3EB26131E49b22665EF8"
        ));
        assert!(is_wallet_address(
            "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"
        ));
        assert!(!is_wallet_address("0x123"));
        assert!(!is_wallet_address(
            "0xZZ8c44AD3dc2A58D841c3EB26131E49b22665EF8"
        ));
        assert!(!is_wallet_address("not-a-wallet"));
    }
}
