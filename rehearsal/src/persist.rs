//! The state file: Rehearsal's memory on disk, so a Rehearsal restarted with the same
//! [`super::RehearsalConfig::state_file`] still knows its groups, H5 tokens, assets and rate-limit
//! budgets, as a real provider would.
//!
//! One pretty-printed JSON object:
//!
//! ```json
//! {
//!   "version": 1,
//!   "saved_at": "2026-05-24T16:19:00.000Z",
//!   "next_group_number": 8137004,
//!   "groups": [{ "id": "legacy_rf_8137004", "status": "pending_validation",
//!                "current_token": "…", "asset_count": 0 }],
//!   "sessions": [{ "token": "…", "group_id": "legacy_rf_8137004",
//!                  "expires_at_ms": 1779639660000, "progress": "camera_allowed",
//!                  "superseded": false }],
//!   "realfaces": [{ "asset_id": "ta_…", "group_id": "…", "wallet": "0x…", "name": "…",
//!                   "image_url": "https://…", "created_at": "…", "enrollment_tx_hash": "0x…",
//!                   "byteplus_asset_id": "asset-…" }],
//!   "portraits": [{ "asset_id": "ta_…", "group_id": "tg_…", "wallet": "0x…", "name": "…",
//!                   "image_url": "https://…", "created_at": "…", "enrollment_tx_hash": "0x…" }],
//!   "byteplus": {
//!     "sessions": [{ "session": { "token": "2026070222152680501D985EA34A3BE3D8",
//!                                 "group_id": "group-…", "expires_at_ms": …,
//!                                 "progress": "completed", "superseded": false },
//!                    "owner": "0x…", "callback_url": "", "created_at_ms": …, "used": true }],
//!     "groups": [{ "id": "group-20260702221642-5czvq", "owner": "0x…",
//!                  "byted_token": "…", "created_at_ms": … }],
//!     "assets": [{ "id": "asset-…", "owner": "0x…", "name": "…", "url": "https://…",
//!                  "asset_type": "Image", "group_id": "group-…", "created_at_ms": …,
//!                  "ready_at_ms": …, "outcome": { "result": "active" },
//!                  "checked_at_ms": … }]
//!   },
//!   "videos": [{ "id": "bytedance:video_…", "api": "blockrun", "model": "…", "tier": "fast",
//!                "prompt": "…", "duration_seconds": 5, "resolution": "720p",
//!                "aspect_ratio": "adaptive", "generate_audio": false, "references": ["ta_…"],
//!                "reference_videos": [], "reference_audios": [], "param": null, "callback_url": null, "owner": "0x…",
//!                "billing": { "rail": "x402", "payment": { "payer": "0x…", "nonce": "0x…",
//!                             "version": "v2", "amount_atomic": "825804",
//!                             "valid_before": … } },
//!                "tokens": 108450, "price_atomic": 825804, "created_at_ms": …,
//!                "done_at_ms": …, "fate": { "result": "clip" }, "request_id": "…",
//!                "delivered": { "at_ms": …, "tx_hash": "0x…", "network": "eip155:84532",
//!                               "x402": true } }],
//!   "rate_limits": { "init": { "127.0.0.1": [1779639540000] }, "lookup": {} },
//!   "payments": [{ "payer": "0x…", "nonce": "0x…", "state": "settled", "version": "v2",
//!                  "endpoint": "/v1/realface/enroll", "amount_atomic": "10000",
//!                  "attempts": 1, "updated_at": "…", "settled": { "transaction": "0x…",
//!                  "network": "eip155:84532", "settled_at": "…" } }]
//! }
//! ```
//!
//! `payments` is the x402 nonce ledger (see the `ledger` module); files written before it existed
//! have none and load as an empty ledger. Files from when a settled payment was answered again
//! also carry `header_sha256`, `request_sha256` (on payments and held video payments) and
//! `settled.response`; they load, and those fields are dropped. `byteplus` is the Anyfast and Crun personalities'
//! BytedTokens, LivenessFace groups and assets (see the `byteplus` module; an account is the
//! API key's `key_owner` digest, never the key); older files have none and load without any.
//! An asset whose `outcome` is missing was still being fetched: it is fetched again at start.
//! `videos` is the Seedance jobs (see the `video` module) with the x402 authorization each one
//! holds until its first completed poll settles it; older files have none.
//!
//! Every time is wall-clock epoch milliseconds, so a token whose `expires_at_ms` passed while
//! Rehearsal was down is expired when it comes back, and the hourly windows keep counting.
//!
//! [`StateFile::save`] writes a temporary file in the same directory, syncs it and renames it over
//! the old one, so a kill at any moment leaves either the old state or the new one.
//! [`StateFile::load`] treats a missing file as an empty state, and moves an unreadable, corrupt
//! or inconsistent one aside to `<name>.corrupt-<unix seconds>` and starts empty.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::byteplus::SavedLiveness;
use super::ledger::PaymentRecord;
use super::rate_limit::Calls;
use super::session::Session;
use super::store::{Group, PortraitRecord, RealFaceRecord};
use super::video::VideoJob;

/// The `version` this build writes and the only one it reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedState {
    pub version: u32,
    /// When it was written; informational.
    pub saved_at: String,
    #[serde(flatten)]
    pub store: SavedStore,
    pub rate_limits: SavedRateLimits,
    /// The x402 nonce ledger.
    #[serde(default)]
    pub payments: Vec<PaymentRecord>,
}

/// Everything in [`super::store::Store`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedStore {
    pub next_group_number: u64,
    pub groups: Vec<Group>,
    pub sessions: Vec<Session>,
    pub realfaces: Vec<SavedRealFace>,
    pub portraits: Vec<SavedPortrait>,
    /// The Anyfast and Crun side.
    #[serde(default)]
    pub byteplus: SavedLiveness,
    /// Seedance jobs of every personality, oldest first.
    #[serde(default)]
    pub videos: Vec<VideoJob>,
}

/// The calls still counted in each hourly window, per client IP.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedRateLimits {
    pub init: Calls,
    pub lookup: Calls,
}

/// A RealFace with its owning wallet (which the API listing leaves out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedRealFace {
    pub asset_id: String,
    pub group_id: String,
    pub wallet: String,
    pub name: String,
    pub image_url: String,
    pub created_at: String,
    pub enrollment_tx_hash: String,
    pub byteplus_asset_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPortrait {
    pub asset_id: String,
    pub group_id: String,
    pub wallet: String,
    pub name: String,
    pub image_url: String,
    pub created_at: String,
    pub enrollment_tx_hash: String,
}

impl From<&RealFaceRecord> for SavedRealFace {
    fn from(r: &RealFaceRecord) -> Self {
        SavedRealFace {
            asset_id: r.asset_id.clone(),
            group_id: r.group_id.clone(),
            wallet: r.wallet.clone(),
            name: r.name.clone(),
            image_url: r.image_url.clone(),
            created_at: r.created_at.clone(),
            enrollment_tx_hash: r.enrollment_tx_hash.clone(),
            byteplus_asset_id: r.byteplus_asset_id.clone(),
        }
    }
}

impl From<SavedRealFace> for RealFaceRecord {
    fn from(r: SavedRealFace) -> Self {
        RealFaceRecord {
            asset_id: r.asset_id,
            group_id: r.group_id,
            name: r.name,
            image_url: r.image_url,
            created_at: r.created_at,
            enrollment_tx_hash: r.enrollment_tx_hash,
            byteplus_asset_id: r.byteplus_asset_id,
            wallet: r.wallet,
        }
    }
}

impl From<&PortraitRecord> for SavedPortrait {
    fn from(p: &PortraitRecord) -> Self {
        SavedPortrait {
            asset_id: p.asset_id.clone(),
            group_id: p.group_id.clone(),
            wallet: p.wallet.clone(),
            name: p.name.clone(),
            image_url: p.image_url.clone(),
            created_at: p.created_at.clone(),
            enrollment_tx_hash: p.enrollment_tx_hash.clone(),
        }
    }
}

impl From<SavedPortrait> for PortraitRecord {
    fn from(p: SavedPortrait) -> Self {
        PortraitRecord {
            asset_id: p.asset_id,
            group_id: p.group_id,
            name: p.name,
            image_url: p.image_url,
            created_at: p.created_at,
            enrollment_tx_hash: p.enrollment_tx_hash,
            wallet: p.wallet,
        }
    }
}

/// Read before the full parse, so a file from another version is named as such.
#[derive(Deserialize)]
struct Probe {
    version: u32,
}

/// Where the state lives.
#[derive(Debug, Clone)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        StateFile { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved state as `decode` turns it into the server's, or `None` to start empty: the file
    /// does not exist yet, or it could not be read, parsed or decoded (then it is moved aside with
    /// a warning). Never fails.
    pub fn load<T>(&self, decode: impl FnOnce(SavedState) -> Result<T, String>) -> Option<T> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                tracing::info!(path = %self.path.display(), "rehearsal: no state file yet; starting empty");
                return None;
            }
            Err(e) => {
                self.set_aside(&format!("unreadable: {e}"));
                return None;
            }
        };
        let decoded = serde_json::from_slice::<Probe>(&bytes)
            .map_err(|e| format!("not a Rehearsal state file: {e}"))
            .and_then(|probe| match probe.version {
                VERSION => serde_json::from_slice::<SavedState>(&bytes)
                    .map_err(|e| format!("corrupt: {e}")),
                other => Err(format!(
                    "version {other}; this build reads version {VERSION}"
                )),
            })
            .and_then(|state| decode(state).map_err(|e| format!("inconsistent: {e}")));
        match decoded {
            Ok(state) => {
                tracing::info!(path = %self.path.display(), "rehearsal: state restored");
                Some(state)
            }
            Err(reason) => {
                self.set_aside(&reason);
                None
            }
        }
    }

    /// Replaces the file with `state` atomically: a temporary file in the same directory (created
    /// if missing), synced, then renamed over the old one.
    pub fn save(&self, state: &SavedState) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(state)?;
        let name = self.file_name()?;
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        fs::create_dir_all(dir)?;
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let tmp = dir.join(format!(
            ".{name}.tmp-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let written = write_synced(&tmp, &json).and_then(|()| fs::rename(&tmp, &self.path));
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
            return written;
        }
        // Make the rename itself durable; not every platform can open a directory.
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    fn file_name(&self) -> io::Result<String> {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("state file {} has no file name", self.path.display()),
                )
            })
    }

    /// Moves an unusable file to `<name>.corrupt-<unix seconds>` (`-2`, `-3`… if taken) so the
    /// next save does not destroy what may still be worth a look.
    fn set_aside(&self, reason: &str) {
        let Ok(name) = self.file_name() else {
            tracing::warn!(path = %self.path.display(), %reason, "rehearsal: state file unusable; starting empty");
            return;
        };
        let secs = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let base = format!("{name}.corrupt-{secs}");
        let target = (1..1000)
            .map(|n| match n {
                1 => self.path.with_file_name(&base),
                n => self.path.with_file_name(format!("{base}-{n}")),
            })
            .find(|candidate| fs::symlink_metadata(candidate).is_err())
            .unwrap_or_else(|| self.path.with_file_name(&base));
        match fs::rename(&self.path, &target) {
            Ok(()) => tracing::warn!(
                path = %self.path.display(),
                moved_to = %target.display(),
                %reason,
                "rehearsal: state file unusable; moved aside, starting empty"
            ),
            Err(e) => tracing::warn!(
                path = %self.path.display(),
                %reason,
                error = %e,
                "rehearsal: state file unusable and could not be moved aside; starting empty"
            ),
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        // Session tokens are bearer secrets for the phone page.
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Progress;
    use crate::store::GroupStatus;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    fn sample() -> SavedState {
        SavedState {
            version: VERSION,
            saved_at: "2026-05-24T16:19:00.000Z".into(),
            store: SavedStore {
                next_group_number: 8_137_004,
                groups: vec![Group {
                    id: "legacy_rf_8137004".into(),
                    status: GroupStatus::Active,
                    current_token: "tok".into(),
                    asset_count: 1,
                    name: Some("Spokesperson".into()),
                }],
                sessions: vec![Session {
                    token: "tok".into(),
                    group_id: "legacy_rf_8137004".into(),
                    expires_at_ms: 1_779_639_660_000,
                    progress: Progress::Completed,
                    superseded: false,
                }],
                realfaces: vec![SavedRealFace {
                    asset_id: "ta_1".into(),
                    group_id: "legacy_rf_8137004".into(),
                    wallet: "0xabc".into(),
                    name: "Spokesperson".into(),
                    image_url: "https://example.com/face.jpg".into(),
                    created_at: "2026-05-24T16:19:00.000Z".into(),
                    enrollment_tx_hash: "0x01".into(),
                    byteplus_asset_id: "asset-20260525001900-abcde".into(),
                }],
                portraits: vec![SavedPortrait {
                    asset_id: "ta_2".into(),
                    group_id: "tg_1".into(),
                    wallet: "0xabc".into(),
                    name: "Mascot".into(),
                    image_url: "https://example.com/face.png".into(),
                    created_at: "2026-05-24T16:19:00.000Z".into(),
                    enrollment_tx_hash: "0x02".into(),
                }],
                byteplus: SavedLiveness::default(),
                videos: Vec::new(),
            },
            rate_limits: SavedRateLimits {
                init: Calls::from([(
                    IpAddr::V4(Ipv4Addr::LOCALHOST),
                    vec![1_779_639_540_000, 1_779_639_541_000],
                )]),
                lookup: Calls::from([(IpAddr::V6(Ipv6Addr::LOCALHOST), vec![1_779_639_540_000])]),
            },
            payments: Vec::new(),
        }
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn round_trips_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("nested/state.json"));
        assert_eq!(file.load(Ok), None, "missing file is an empty state");
        file.save(&sample()).unwrap();
        let mut second = sample();
        second.store.next_group_number += 1;
        second.payments.push(PaymentRecord {
            payer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".into(),
            nonce: format!("0x{}", "ab".repeat(32)),
            state: crate::ledger::NonceState::Settled,
            version: x402::X402Version::V2,
            endpoint: "/v1/realface/enroll".into(),
            amount_atomic: "10000".into(),
            attempts: 1,
            updated_at: "2026-05-24T16:19:00.000Z".into(),
            settled: Some(crate::ledger::SettledPayment {
                transaction: format!("0x{}", "cd".repeat(32)),
                network: "eip155:84532".into(),
                settled_at: "2026-05-24T16:19:00.000Z".into(),
            }),
        });
        file.save(&second).unwrap();
        assert_eq!(file.load(Ok), Some(second));
        assert_eq!(entries(&dir.path().join("nested")), ["state.json"]);

        let text = fs::read_to_string(file.path()).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["version"], 1);
        assert_eq!(json["sessions"][0]["expires_at_ms"], 1_779_639_660_000_i64);
        assert_eq!(json["sessions"][0]["progress"], "completed");
        assert_eq!(json["groups"][0]["status"], "active");
        assert_eq!(json["payments"][0]["state"], "settled");
        assert_eq!(json["payments"][0]["version"], "v2");
        assert_eq!(json["payments"][0]["settled"]["network"], "eip155:84532");
        assert_eq!(json["realfaces"][0]["wallet"], "0xabc");
        assert_eq!(
            json["rate_limits"]["init"]["127.0.0.1"],
            serde_json::json!([1_779_639_540_000_i64, 1_779_639_541_000_i64])
        );
        assert_eq!(
            json["rate_limits"]["lookup"]["::1"][0],
            1_779_639_540_000_i64
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(file.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_file_from_before_payments_loads_with_an_empty_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        let mut json = serde_json::to_value(sample()).unwrap();
        json.as_object_mut().unwrap().remove("payments");
        fs::write(file.path(), serde_json::to_vec(&json).unwrap()).unwrap();
        assert_eq!(file.load(Ok), Some(sample()));
    }

    #[test]
    fn a_file_from_when_settled_payments_were_replayed_loads() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        let mut state = sample();
        state.payments.push(PaymentRecord {
            payer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".into(),
            nonce: format!("0x{}", "ab".repeat(32)),
            state: crate::ledger::NonceState::Settled,
            version: x402::X402Version::V2,
            endpoint: "/v1/realface/enroll".into(),
            amount_atomic: "10000".into(),
            attempts: 1,
            updated_at: "2026-05-24T16:19:00.000Z".into(),
            settled: Some(crate::ledger::SettledPayment {
                transaction: format!("0x{}", "cd".repeat(32)),
                network: "eip155:84532".into(),
                settled_at: "2026-05-24T16:19:00.000Z".into(),
            }),
        });
        let mut json = serde_json::to_value(&state).unwrap();
        let old = &mut json["payments"][0];
        old["header_sha256"] = "00".into();
        old["request_sha256"] = "11".into();
        old["settled"]["response"] = serde_json::json!({ "asset_id": "ta_1" });
        fs::write(file.path(), serde_json::to_vec(&json).unwrap()).unwrap();
        assert_eq!(file.load(Ok), Some(state));
    }

    #[test]
    fn a_file_from_before_byteplus_loads_without_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        let mut json = serde_json::to_value(sample()).unwrap();
        assert!(json.as_object_mut().unwrap().remove("byteplus").is_some());
        fs::write(file.path(), serde_json::to_vec(&json).unwrap()).unwrap();
        assert_eq!(file.load(Ok), Some(sample()));
    }

    #[test]
    fn a_file_from_before_videos_loads_without_them() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        let mut json = serde_json::to_value(sample()).unwrap();
        assert!(json.as_object_mut().unwrap().remove("videos").is_some());
        fs::write(file.path(), serde_json::to_vec(&json).unwrap()).unwrap();
        assert_eq!(file.load(Ok), Some(sample()));
    }

    #[test]
    fn byteplus_state_round_trips() {
        use crate::byteplus::{AssetRecord, AssetType, LivenessGroup, ValidateSession};
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        let mut state = sample();
        state.store.byteplus = SavedLiveness {
            sessions: vec![ValidateSession {
                session: Session {
                    token: "2026070222152680501D985EA34A3BE3D8".into(),
                    group_id: "group-20260702221642-5czvq".into(),
                    expires_at_ms: 1_783_030_646_805,
                    progress: Progress::Completed,
                    superseded: false,
                },
                owner: "0xabc".into(),
                callback_url: "https://example.com/cb".into(),
                created_at_ms: 1_783_030_526_805,
                used: true,
            }],
            groups: vec![LivenessGroup {
                id: "group-20260702221642-5czvq".into(),
                owner: "0xabc".into(),
                byted_token: "2026070222152680501D985EA34A3BE3D8".into(),
                created_at_ms: 1_783_030_602_000,
            }],
            assets: vec![AssetRecord {
                id: "asset-20260702223855-bdv2r".into(),
                owner: "0xabc".into(),
                name: "portrait-front".into(),
                url: "https://example.com/portrait.jpg".into(),
                asset_type: AssetType::Image,
                group_id: Some("group-20260702221642-5czvq".into()),
                created_at_ms: 1_783_031_935_000,
                ready_at_ms: 1_783_031_938_000,
                outcome: None,
                checked_at_ms: None,
            }],
        };
        file.save(&state).unwrap();
        assert_eq!(file.load(Ok), Some(state));
        let json: serde_json::Value =
            serde_json::from_slice(&fs::read(file.path()).unwrap()).unwrap();
        assert_eq!(json["byteplus"]["assets"][0]["asset_type"], "Image");
        assert_eq!(json["byteplus"]["sessions"][0]["used"], true);
    }

    #[test]
    fn corrupt_files_are_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let file = StateFile::new(&path);
        let mut other_version = serde_json::to_value(sample()).unwrap();
        other_version["version"] = 2.into();
        let cases = [
            b"{ not json".to_vec(),
            Vec::new(),
            b"[1, 2]".to_vec(),
            serde_json::to_vec(&other_version).unwrap(),
            br#"{"version": 1, "groups": "no"}"#.to_vec(),
        ];
        for (i, bytes) in cases.iter().enumerate() {
            fs::write(&path, bytes).unwrap();
            assert_eq!(file.load(Ok), None, "case {i}");
            assert!(!path.exists(), "case {i}");
        }
        let names = entries(dir.path());
        assert_eq!(names.len(), cases.len(), "{names:?}");
        for name in &names {
            assert!(name.starts_with("state.json.corrupt-"), "{name}");
        }
        // Each one kept its content.
        let mut kept: Vec<Vec<u8>> = names
            .iter()
            .map(|n| fs::read(dir.path().join(n)).unwrap())
            .collect();
        let mut expected = cases.to_vec();
        kept.sort();
        expected.sort();
        assert_eq!(kept, expected);
    }

    #[test]
    fn a_decode_refusal_is_corrupt_too() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        file.save(&sample()).unwrap();
        assert_eq!(file.load(|_| Err::<(), _>("nope".to_owned())), None);
        assert!(!file.path().exists());
        assert_eq!(entries(dir.path()).len(), 1);
    }

    #[test]
    fn an_unreadable_path_is_moved_aside_and_saving_works_after() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        fs::create_dir(&path).unwrap();
        let file = StateFile::new(&path);
        assert_eq!(file.load(Ok), None);
        assert!(!path.exists());
        file.save(&sample()).unwrap();
        assert_eq!(file.load(Ok), Some(sample()));
    }
}
