//! Rehearsal's memory: RealFace groups, their H5 sessions and the enrolled assets, the
//! BytePlus side the Anyfast and Crun personalities share (see the `byteplus` module), and the
//! Seedance video jobs of every personality (see the `video` module).
//!
//! Times are epoch milliseconds (see [`super::wall_clock::Clock`]). With a state file the service
//! saves [`Store::saved`] after every change and starts from [`Store::restore`] (see the `persist`
//! module); without one a restarted Rehearsal has forgotten every group, token and asset, the way a
//! fresh upstream account would look.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::byteplus::Liveness;
use super::ids;
use super::persist::{SavedPortrait, SavedRealFace, SavedStore};
use super::session::{Progress, Session, Step, StepRefusal};
use super::video::VideoJobs;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupStatus {
    PendingValidation,
    Active,
}

/// Also the state file's form of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: String,
    pub status: GroupStatus,
    /// The token of the newest H5 session; older ones are superseded.
    pub current_token: String,
    pub asset_count: u32,
    /// The `name` given at init: JarvisClaw's enroll must repeat it (seed 001). Absent in state
    /// files written before it was kept, and then nothing is compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A RealFace as the wallet listing shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RealFaceRecord {
    pub asset_id: String,
    pub group_id: String,
    pub name: String,
    pub image_url: String,
    pub created_at: String,
    pub enrollment_tx_hash: String,
    pub byteplus_asset_id: String,
    #[serde(skip)]
    pub wallet: String,
}

/// A Virtual Portrait as the wallet listing shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortraitRecord {
    pub asset_id: String,
    pub group_id: String,
    pub name: String,
    pub image_url: String,
    pub created_at: String,
    pub enrollment_tx_hash: String,
    #[serde(skip)]
    pub wallet: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepFailure {
    UnknownToken,
    Refused(StepRefusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    InProgress,
    Failed,
    Completed,
    Expired,
    Superseded,
}

/// What the phone page needs to draw itself.
#[derive(Debug, Clone)]
pub struct SessionSnapshot {
    pub group_id: String,
    pub progress: Progress,
    pub state: SessionState,
    pub remaining: Duration,
    /// A BytePlus session with a callback URL, once the phone has a verdict: where the page
    /// sends it.
    pub callback_redirect: Option<String>,
}

#[derive(Debug)]
pub struct Store {
    groups: HashMap<String, Group>,
    sessions: HashMap<String, Session>,
    realfaces: Vec<RealFaceRecord>,
    portraits: Vec<PortraitRecord>,
    next_group_number: u64,
    liveness: Liveness,
    videos: VideoJobs,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            groups: HashMap::new(),
            sessions: HashMap::new(),
            realfaces: Vec::new(),
            portraits: Vec::new(),
            next_group_number: ids::first_group_number(),
            liveness: Liveness::default(),
            videos: VideoJobs::default(),
        }
    }
}

impl Store {
    /// A new group in `pending_validation` with a fresh H5 session.
    pub fn create_group(&mut self, now: i64, ttl: Duration) -> (Group, Session) {
        let id = loop {
            self.next_group_number += 1;
            let id = ids::group_id(self.next_group_number);
            if !self.groups.contains_key(&id) {
                break id;
            }
        };
        let session = Session::new(ids::session_token(), id.clone(), now, ttl);
        let group = Group {
            id: id.clone(),
            status: GroupStatus::PendingValidation,
            current_token: session.token.clone(),
            asset_count: 0,
            name: None,
        };
        self.groups.insert(id, group.clone());
        self.sessions.insert(session.token.clone(), session.clone());
        (group, session)
    }

    /// A fresh H5 session on an existing group; the previous token stops working.
    /// An already-active group stays active.
    pub fn refresh_group(
        &mut self,
        group_id: &str,
        now: i64,
        ttl: Duration,
    ) -> Option<(Group, Session)> {
        let group = self.groups.get_mut(group_id)?;
        if let Some(old) = self.sessions.get_mut(&group.current_token) {
            old.superseded = true;
        }
        let session = Session::new(ids::session_token(), group_id.to_owned(), now, ttl);
        group.current_token = session.token.clone();
        self.sessions.insert(session.token.clone(), session.clone());
        Some((group.clone(), session))
    }

    /// Keeps the name a group was made with (a refresh's name does not replace it).
    pub fn name_group(&mut self, group_id: &str, name: &str) {
        if let Some(group) = self.groups.get_mut(group_id) {
            group.name = Some(name.to_owned());
        }
    }

    pub fn group(&self, group_id: &str) -> Option<&Group> {
        self.groups.get(group_id)
    }

    pub fn liveness(&self) -> &Liveness {
        &self.liveness
    }

    pub fn liveness_mut(&mut self) -> &mut Liveness {
        &mut self.liveness
    }

    pub fn videos(&self) -> &VideoJobs {
        &self.videos
    }

    pub fn videos_mut(&mut self) -> &mut VideoJobs {
        &mut self.videos
    }

    /// Whether `asset_id` is an enrolled RealFace or Virtual Portrait (a `ta_…` a Seedance
    /// call may name as `real_face_asset_id`).
    pub fn has_face_asset(&self, asset_id: &str) -> bool {
        self.realfaces.iter().any(|r| r.asset_id == asset_id)
            || self.portraits.iter().any(|p| p.asset_id == asset_id)
    }

    /// One phone action. Completing the last step flips the group to `active` (or, for a
    /// BytedToken, creates its LivenessFace group).
    pub fn apply_step(
        &mut self,
        token: &str,
        step: Step,
        now: i64,
    ) -> Result<SessionSnapshot, StepFailure> {
        let Some(session) = self.sessions.get_mut(token) else {
            return match self.liveness.apply_step(token, step, now) {
                None => Err(StepFailure::UnknownToken),
                Some(Err(refusal)) => Err(StepFailure::Refused(refusal)),
                Some(Ok(_)) => self.session(token, now).ok_or(StepFailure::UnknownToken),
            };
        };
        let progress = session.apply(step, now).map_err(StepFailure::Refused)?;
        if progress == Progress::Completed {
            if let Some(group) = self.groups.get_mut(&session.group_id) {
                group.status = GroupStatus::Active;
            }
        }
        self.session(token, now).ok_or(StepFailure::UnknownToken)
    }

    pub fn session(&self, token: &str, now: i64) -> Option<SessionSnapshot> {
        if let Some(session) = self.sessions.get(token) {
            return Some(snapshot(session, now, None));
        }
        let validate = self.liveness.session(token)?;
        let state = session_state(&validate.session, now);
        let redirect = match state {
            SessionState::Completed => validate.callback_redirect(true),
            SessionState::Failed => validate.callback_redirect(false),
            _ => None,
        };
        Some(snapshot(&validate.session, now, redirect))
    }

    /// Records a RealFace on its group; `None` if the group vanished meanwhile.
    pub fn add_realface(&mut self, record: RealFaceRecord) -> Option<u32> {
        let group = self.groups.get_mut(&record.group_id)?;
        group.asset_count += 1;
        let count = group.asset_count;
        self.realfaces.push(record);
        Some(count)
    }

    pub fn add_portrait(&mut self, record: PortraitRecord) {
        self.portraits.push(record);
    }

    pub fn realfaces_of(&self, wallet: &str) -> Vec<RealFaceRecord> {
        self.realfaces
            .iter()
            .filter(|r| same_wallet(&r.wallet, wallet))
            .cloned()
            .collect()
    }

    pub fn portraits_of(&self, wallet: &str) -> Vec<PortraitRecord> {
        self.portraits
            .iter()
            .filter(|r| same_wallet(&r.wallet, wallet))
            .cloned()
            .collect()
    }

    /// Everything, in the state file's form: groups by id, sessions by token, assets in
    /// enrollment order.
    pub fn saved(&self) -> SavedStore {
        let mut groups: Vec<Group> = self.groups.values().cloned().collect();
        groups.sort_by(|a, b| a.id.cmp(&b.id));
        let mut sessions: Vec<Session> = self.sessions.values().cloned().collect();
        sessions.sort_by(|a, b| a.token.cmp(&b.token));
        SavedStore {
            next_group_number: self.next_group_number,
            groups,
            sessions,
            realfaces: self.realfaces.iter().map(SavedRealFace::from).collect(),
            portraits: self.portraits.iter().map(SavedPortrait::from).collect(),
            byteplus: self.liveness.saved(),
            videos: self.videos.saved(),
        }
    }

    /// The store [`Store::saved`] described. Refuses a description that does not hang together
    /// (duplicate or malformed ids, a session or asset of an unknown group, a group whose current
    /// token is missing), since serving it would answer nonsense.
    pub fn restore(saved: SavedStore) -> Result<Store, String> {
        let mut groups = HashMap::with_capacity(saved.groups.len());
        for group in saved.groups {
            if !ids::is_group_id(&group.id) {
                return Err(format!("malformed group id {:?}", group.id));
            }
            if let Some(dup) = groups.insert(group.id.clone(), group) {
                return Err(format!("group {} appears twice", dup.id));
            }
        }
        let mut sessions = HashMap::with_capacity(saved.sessions.len());
        for session in saved.sessions {
            if !groups.contains_key(&session.group_id) {
                return Err(format!("a session of unknown group {}", session.group_id));
            }
            if let Some(dup) = sessions.insert(session.token.clone(), session) {
                return Err(format!("a session of {} appears twice", dup.group_id));
            }
        }
        for group in groups.values() {
            if !sessions.contains_key(&group.current_token) {
                return Err(format!("group {} has no current session", group.id));
            }
        }
        let mut asset_ids = HashSet::new();
        let mut realfaces = Vec::with_capacity(saved.realfaces.len());
        for r in saved.realfaces {
            if !groups.contains_key(&r.group_id) {
                return Err(format!(
                    "RealFace {} of unknown group {}",
                    r.asset_id, r.group_id
                ));
            }
            if !asset_ids.insert(r.asset_id.clone()) {
                return Err(format!("asset {} appears twice", r.asset_id));
            }
            realfaces.push(RealFaceRecord::from(r));
        }
        let mut portraits = Vec::with_capacity(saved.portraits.len());
        for p in saved.portraits {
            if !asset_ids.insert(p.asset_id.clone()) {
                return Err(format!("asset {} appears twice", p.asset_id));
            }
            portraits.push(PortraitRecord::from(p));
        }
        Ok(Store {
            groups,
            sessions,
            realfaces,
            portraits,
            next_group_number: saved.next_group_number,
            liveness: Liveness::restore(saved.byteplus)?,
            videos: VideoJobs::restore(saved.videos)?,
        })
    }
}

fn session_state(session: &Session, now: i64) -> SessionState {
    if session.progress == Progress::Completed {
        SessionState::Completed
    } else if session.superseded {
        SessionState::Superseded
    } else if session.is_expired(now) {
        SessionState::Expired
    } else if session.progress == Progress::Failed {
        SessionState::Failed
    } else {
        SessionState::InProgress
    }
}

fn snapshot(session: &Session, now: i64, callback_redirect: Option<String>) -> SessionSnapshot {
    SessionSnapshot {
        group_id: session.group_id.clone(),
        progress: session.progress,
        state: session_state(session, now),
        remaining: session.remaining(now),
        callback_redirect,
    }
}

/// EVM addresses compare without case (checksum casing is cosmetic); Solana's base58 is exact.
fn same_wallet(a: &str, b: &str) -> bool {
    if a.starts_with("0x") || a.starts_with("0X") {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_779_639_540_000;
    const TTL: Duration = Duration::from_secs(120);

    fn realface(group_id: &str, asset_id: &str) -> RealFaceRecord {
        RealFaceRecord {
            asset_id: asset_id.into(),
            group_id: group_id.into(),
            name: "Spokesperson".into(),
            image_url: "https://example.com/face.jpg".into(),
            created_at: "2026-05-24T16:19:00.000Z".into(),
            enrollment_tx_hash: "0x01".into(),
            byteplus_asset_id: "asset-20260525001900-abcde".into(),
            wallet: "0xAbC".into(),
        }
    }

    #[test]
    fn saved_and_restored_is_the_same_store() {
        let mut store = Store::default();
        let (active, first) = store.create_group(NOW, TTL);
        store.apply_step(&first.token, Step::Camera, NOW).unwrap();
        store.apply_step(&first.token, Step::Nod, NOW).unwrap();
        store.apply_step(&first.token, Step::Blink, NOW).unwrap();
        store.add_realface(realface(&active.id, "ta_1")).unwrap();
        store.add_portrait(PortraitRecord {
            asset_id: "ta_2".into(),
            group_id: "tg_1".into(),
            name: "Mascot".into(),
            image_url: "https://example.com/face.png".into(),
            created_at: "2026-05-24T16:19:00.000Z".into(),
            enrollment_tx_hash: "0x02".into(),
            wallet: "0xabc".into(),
        });
        let (pending, old) = store.create_group(NOW, TTL);
        let (_, new) = store.refresh_group(&pending.id, NOW + 1, TTL).unwrap();
        store.apply_step(&new.token, Step::Camera, NOW + 2).unwrap();

        let saved = store.saved();
        let mut restored = Store::restore(saved.clone()).unwrap();
        assert_eq!(restored.saved(), saved);
        assert_eq!(
            restored.group(&active.id).unwrap().status,
            GroupStatus::Active
        );
        assert_eq!(restored.group(&active.id).unwrap().asset_count, 1);
        assert_eq!(restored.realfaces_of("0xabc").len(), 1);
        assert_eq!(restored.portraits_of("0xABC").len(), 1);
        assert_eq!(
            restored.session(&old.token, NOW + 3).unwrap().state,
            SessionState::Superseded
        );
        let later = NOW + 60_000;
        let snapshot = restored.apply_step(&new.token, Step::Nod, later).unwrap();
        assert_eq!(snapshot.progress, Progress::Nodded);
        assert_eq!(snapshot.remaining, Duration::from_millis(120_001 - 60_000));
        // Past the saved wall-clock expiry, the restored token is expired.
        assert_eq!(
            restored
                .apply_step(&new.token, Step::Blink, NOW + 1 + 120_000)
                .unwrap_err(),
            StepFailure::Refused(StepRefusal::Expired)
        );
        // New groups do not reuse ids.
        let (next, _) = restored.create_group(later, TTL);
        assert!(next.id != active.id && next.id != pending.id);
    }

    #[test]
    fn restore_refuses_what_does_not_hang_together() {
        let mut store = Store::default();
        let (group, _) = store.create_group(NOW, TTL);
        store.add_realface(realface(&group.id, "ta_1"));
        let good = store.saved();
        assert!(Store::restore(good.clone()).is_ok());

        let mut bad_id = good.clone();
        bad_id.groups[0].id = "tg_1".into();
        let mut twice = good.clone();
        twice.groups.push(twice.groups[0].clone());
        let mut orphan_session = good.clone();
        orphan_session.sessions[0].group_id = "legacy_rf_1".into();
        let mut no_current = good.clone();
        no_current.groups[0].current_token = "gone".into();
        let mut orphan_asset = good.clone();
        orphan_asset.realfaces[0].group_id = "legacy_rf_1".into();
        let mut same_asset = good.clone();
        same_asset.realfaces.push(same_asset.realfaces[0].clone());
        for (what, saved) in [
            ("malformed id", bad_id),
            ("duplicate group", twice),
            ("orphan session", orphan_session),
            ("missing current token", no_current),
            ("orphan asset", orphan_asset),
            ("duplicate asset", same_asset),
        ] {
            assert!(Store::restore(saved).is_err(), "{what}");
        }
    }
}
