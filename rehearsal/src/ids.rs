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

fn lower_alphanumerics(n: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(|b| (b as char).to_ascii_lowercase())
        .collect()
}

/// `asset-YYYYMMDDhhmmss-xxxxx`, the BytePlus asset id behind a RealFace.
pub fn byteplus_asset_id(at: SystemTime) -> String {
    format!(
        "asset-{}-{}",
        wall_clock::byteplus_stamp(at),
        lower_alphanumerics(5)
    )
}

/// `YYYYMMDDhhmmss` in UTC: the stamp the Anyfast and Crun personalities put in their ids. Their
/// docs' examples pair a BytedToken `20260702221526…` with `group-20260702221642-…`, one clock
/// for both, and the BytedToken's is UTC.
fn utc_stamp(at: SystemTime) -> String {
    wall_clock::rfc3339_millis(at)
        .chars()
        .take("2026-07-02T22:15:26".len())
        .filter(char::is_ascii_digit)
        .collect()
}

/// A BytePlus BytedToken: `YYYYMMDDhhmmss` (UTC) + 20 uppercase hex, as
/// `2026070222152680501D985EA34A3BE3D8`.
pub fn byted_token(at: SystemTime) -> String {
    format!("{}{}", utc_stamp(at), random_hex(10).to_uppercase())
}

pub fn is_byted_token(s: &str) -> bool {
    s.len() == 34
        && s[..14].bytes().all(|b| b.is_ascii_digit())
        && s[14..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

/// `group-YYYYMMDDhhmmss-xxxxx` (UTC): a LivenessFace asset group.
pub fn liveness_group_id(at: SystemTime) -> String {
    format!("group-{}-{}", utc_stamp(at), lower_alphanumerics(5))
}

/// `asset-YYYYMMDDhhmmss-xxxxx` (UTC): an asset uploaded through Anyfast or Crun.
pub fn liveness_asset_id(at: SystemTime) -> String {
    format!("asset-{}-{}", utc_stamp(at), lower_alphanumerics(5))
}

fn is_stamped(s: &str, prefix: &str) -> bool {
    let Some(rest) = s.strip_prefix(prefix) else {
        return false;
    };
    let bytes = rest.as_bytes();
    bytes.len() == 20
        && bytes[..14].iter().all(u8::is_ascii_digit)
        && bytes[14] == b'-'
        && bytes[15..]
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

pub fn is_liveness_group_id(s: &str) -> bool {
    is_stamped(s, "group-")
}

pub fn is_liveness_asset_id(s: &str) -> bool {
    is_stamped(s, "asset-")
}

/// `bytedance:video_` + 24 lowercase hex: a BlockRun (and JarvisClaw) Seedance job.
pub fn video_job_id() -> String {
    format!("bytedance:video_{}", random_hex(12))
}

/// `cgt-YYYYMMDDhhmmss-xxxxx` (UTC): an Anyfast video task, shaped like the ModelArk task ids
/// (`cgt-…`) Anyfast passes through.
pub fn anyfast_task_id(at: SystemTime) -> String {
    format!("cgt-{}-{}", utc_stamp(at), lower_alphanumerics(5))
}

/// A Crun task id: 8-4-4-4-12 lowercase hex, like a UUID.
pub fn crun_task_id() -> String {
    let h = random_hex(16);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The upstream request id a finished Seedance clip carries: 32 lowercase hex.
pub fn video_request_id() -> String {
    random_hex(16)
}

/// The `sig` of a JarvisClaw poll URL: 16 hex, derived from the job id so every answer about
/// one job names the same URL.
pub fn jarvisclaw_poll_sig(job_id: &str) -> String {
    let digest = Sha256::digest(format!("rehearsal-jarvisclaw-poll:{job_id}").as_bytes());
    hex::encode(digest)[..16].to_owned()
}

pub fn is_video_job_id(s: &str) -> bool {
    s.strip_prefix("bytedance:video_")
        .is_some_and(|h| h.len() == 24 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `pl` parameter of an Anyfast H5 link: 16 lowercase hex.
pub fn h5_pl() -> String {
    random_hex(8)
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
    fn liveness_shapes() {
        // 2026-07-02T22:15:26.805Z
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_783_030_526_805);
        let token = byted_token(at);
        assert!(token.starts_with("20260702221526"), "{token}");
        assert!(is_byted_token(&token), "{token}");
        assert!(is_byted_token("2026070222152680501D985EA34A3BE3D8"));
        assert!(!is_byted_token("2026070222152680501d985ea34a3be3d8"));
        assert!(!is_byted_token("20260702221526"));
        let group = liveness_group_id(at);
        assert!(group.starts_with("group-20260702221526-"), "{group}");
        assert!(is_liveness_group_id(&group));
        assert!(is_liveness_group_id("group-20260702221642-5czvq"));
        assert!(!is_liveness_group_id("group-20260702221642-5CZVQ"));
        assert!(!is_liveness_group_id("legacy_rf_1"));
        let asset = liveness_asset_id(at);
        assert!(is_liveness_asset_id(&asset), "{asset}");
        assert!(is_liveness_asset_id("asset-20260702223855-bdv2r"));
        assert!(!is_liveness_asset_id(&group));
        let pl = h5_pl();
        assert_eq!(pl.len(), 16);
        assert!(pl.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn video_shapes() {
        let id = video_job_id();
        assert!(is_video_job_id(&id), "{id}");
        assert!(!is_video_job_id("bytedance:video_12"));
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(1_783_030_526_805);
        let task = anyfast_task_id(at);
        assert!(task.starts_with("cgt-20260702221526-"), "{task}");
        assert_eq!(task.len(), "cgt-20260702221526-abcde".len());
        let crun = crun_task_id();
        let parts: Vec<usize> = crun.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12], "{crun}");
        let sig = jarvisclaw_poll_sig(&id);
        assert_eq!(sig.len(), 16);
        assert_eq!(sig, jarvisclaw_poll_sig(&id));
        assert_eq!(video_request_id().len(), 32);
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
