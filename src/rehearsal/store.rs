//! Rehearsal's memory: RealFace groups, their H5 sessions and the enrolled assets.
//!
//! Nothing is persisted. A restarted Rehearsal has forgotten every group, token and asset, the way
//! a fresh upstream account would look.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::ids;
use super::session::{Progress, Session, Step, StepRefusal};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupStatus {
    PendingValidation,
    Active,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub id: String,
    pub status: GroupStatus,
    /// The token of the newest H5 session; older ones are superseded.
    pub current_token: String,
    pub asset_count: u32,
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
}

#[derive(Debug)]
pub struct Store {
    groups: HashMap<String, Group>,
    sessions: HashMap<String, Session>,
    realfaces: Vec<RealFaceRecord>,
    portraits: Vec<PortraitRecord>,
    next_group_number: u64,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            groups: HashMap::new(),
            sessions: HashMap::new(),
            realfaces: Vec::new(),
            portraits: Vec::new(),
            next_group_number: ids::first_group_number(),
        }
    }
}

impl Store {
    /// A new group in `pending_validation` with a fresh H5 session.
    pub fn create_group(&mut self, now: Instant, ttl: Duration) -> (Group, Session) {
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
        now: Instant,
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

    pub fn group(&self, group_id: &str) -> Option<&Group> {
        self.groups.get(group_id)
    }

    /// One phone action. Completing the last step flips the group to `active`.
    pub fn apply_step(
        &mut self,
        token: &str,
        step: Step,
        now: Instant,
    ) -> Result<SessionSnapshot, StepFailure> {
        let session = self
            .sessions
            .get_mut(token)
            .ok_or(StepFailure::UnknownToken)?;
        let progress = session.apply(step, now).map_err(StepFailure::Refused)?;
        if progress == Progress::Completed {
            if let Some(group) = self.groups.get_mut(&session.group_id) {
                group.status = GroupStatus::Active;
            }
        }
        self.session(token, now).ok_or(StepFailure::UnknownToken)
    }

    pub fn session(&self, token: &str, now: Instant) -> Option<SessionSnapshot> {
        let session = self.sessions.get(token)?;
        let state = if session.progress == Progress::Completed {
            SessionState::Completed
        } else if session.superseded {
            SessionState::Superseded
        } else if session.is_expired(now) {
            SessionState::Expired
        } else if session.progress == Progress::Failed {
            SessionState::Failed
        } else {
            SessionState::InProgress
        };
        Some(SessionSnapshot {
            group_id: session.group_id.clone(),
            progress: session.progress,
            state,
            remaining: session.remaining(now),
        })
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
}

/// EVM addresses compare without case (checksum casing is cosmetic); Solana's base58 is exact.
fn same_wallet(a: &str, b: &str) -> bool {
    if a.starts_with("0x") || a.starts_with("0X") {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}
