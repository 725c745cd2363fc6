//! The BytePlus "LivenessFace" model the Anyfast and Crun personalities share (see the `anyfast`
//! and `crun` modules for their wire forms).
//!
//! A validation session is a BytedToken with an H5 link. The phone walks the same steps as a
//! BlockRun session (the `/h5/` page, the [`Session`] state machine); when it finishes, a
//! `LivenessFace` asset group bound to that person is created for the account that opened the
//! session. The first result query spends the token, whatever the phone's state: after the
//! check it hands out the GroupId, before it only says "not finished" (as upstream may: its
//! token is "usable once"). Any later query, or one past [`BYTED_TOKEN_TTL`], is refused, so a
//! client that reads early pays for it with a fresh QR.
//!
//! A callback address, when given, must be an absolute http(s) URL ([`callback_problem`]); the
//! docs show only https ones, and [`super::Faults::https_callbacks_only`] plays a provider
//! that takes nothing else.
//!
//! Assets are uploaded into a group (or, on Crun, into no group) by URL and processed
//! asynchronously: the file is fetched and its bytes checked against the asset type, then the
//! face is "matched" ([`super::FACE_MISMATCH_MARKER`] in the URL fails it). The result is only
//! shown once the configured processing delay has passed since creation, so the status an
//! asset shows depends on the wall clock alone and a restart does not move it.
//!
//! Every time here is wall-clock epoch milliseconds, like the rest of the state file.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::ids;
use super::session::{Progress, Session, Step, StepRefusal};
use super::wall_clock;

mod processing;
pub use processing::check;

/// How long a BytedToken can be queried, from its creation (the H5 link itself lasts
/// `session_ttl`). Upstream's figure.
pub const BYTED_TOKEN_TTL: Duration = Duration::from_secs(30 * 60);

pub const GROUP_TYPE: &str = "LivenessFace";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssetType {
    Image,
    Video,
    Audio,
}

impl AssetType {
    pub const NAMES: &'static str = "Image, Video, Audio";

    pub fn parse(s: &str) -> Option<AssetType> {
        Some(match s {
            "Image" => AssetType::Image,
            "Video" => AssetType::Video,
            "Audio" => AssetType::Audio,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AssetType::Image => "Image",
            AssetType::Video => "Video",
            AssetType::Audio => "Audio",
        }
    }

    /// The `model` Anyfast routes each type by.
    /// The start of the media types a data URI of this type may carry.
    pub fn mime_family(self) -> &'static str {
        match self {
            AssetType::Image => "image/",
            AssetType::Video => "video/",
            AssetType::Audio => "audio/",
        }
    }

    pub fn anyfast_model(self) -> &'static str {
        match self {
            AssetType::Image => "volc-asset",
            AssetType::Video => "volc-asset-video",
            AssetType::Audio => "volc-asset-audio",
        }
    }

    /// Upstream compares images and videos with the verified face; a voice has none.
    fn has_face(self) -> bool {
        !matches!(self, AssetType::Audio)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssetStatus {
    Processing,
    Active,
    Failed,
}

impl AssetStatus {
    pub const NAMES: &'static str = "Processing, Active, Failed";

    pub fn parse(s: &str) -> Option<AssetStatus> {
        Some(match s {
            "Processing" => AssetStatus::Processing,
            "Active" => AssetStatus::Active,
            "Failed" => AssetStatus::Failed,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AssetStatus::Processing => "Processing",
            AssetStatus::Active => "Active",
            AssetStatus::Failed => "Failed",
        }
    }
}

/// Why an asset failed, as GetAsset's `Error` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetError {
    pub code: String,
    pub message: String,
}

impl AssetError {
    fn face_mismatch() -> Self {
        AssetError {
            code: "FaceMismatch".into(),
            message: "Face consistency verification failed.".into(),
        }
    }

    fn invalid_file(message: impl Into<String>) -> Self {
        AssetError {
            code: "InvalidFile".into(),
            message: message.into(),
        }
    }
}

/// What processing found. Also the state file's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    Active,
    Failed { error: AssetError },
}

/// One BytedToken and the phone session behind it. Also the state file's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidateSession {
    /// The phone's progress: `token` is the BytedToken; `group_id` stays empty until the phone
    /// finishes and the group exists.
    pub session: Session,
    /// The account (see `Accounts`) that opened it.
    pub owner: String,
    /// Empty when none was given.
    pub callback_url: String,
    pub created_at_ms: i64,
    /// A result query was made: the token is spent, whether or not it found the GroupId.
    pub used: bool,
}

impl ValidateSession {
    pub fn token(&self) -> &str {
        &self.session.token
    }

    fn queryable(&self, now: i64) -> bool {
        now < self
            .created_at_ms
            .saturating_add(wall_clock::millis_ceil(BYTED_TOKEN_TTL))
    }

    /// Where the page sends the phone once it has a verdict, if the session has a callback.
    pub fn callback_redirect(&self, passed: bool) -> Option<String> {
        (!self.callback_url.is_empty())
            .then(|| callback_redirect(&self.callback_url, self.token(), passed))
    }
}

/// Why a callback address cannot be taken, as the end of "the callback address …": empty, not
/// an absolute http(s) URL with a host, or (`https_only`) not https. `None`: it can.
pub fn callback_problem(raw: &str, https_only: bool) -> Option<&'static str> {
    if raw.trim().is_empty() {
        return Some("is empty");
    }
    let Ok(url) = url::Url::parse(raw.trim()) else {
        return Some("is not a URL");
    };
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Some("must be an http or https URL");
    }
    if https_only && url.scheme() != "https" {
        return Some("must be an https URL");
    }
    None
}

/// `callback` with the verdict's parameters appended after any it already has, before a
/// `#fragment`.
pub fn callback_redirect(callback: &str, token: &str, passed: bool) -> String {
    let (base, fragment) = match callback.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (callback, None),
    };
    let separator = match base.find('?') {
        None => "?",
        Some(_) if base.ends_with('?') || base.ends_with('&') => "",
        Some(_) => "&",
    };
    let (result, algorithm) = if passed {
        ("10000", "0")
    } else {
        ("10001", "1")
    };
    let mut url = format!(
        "{base}{separator}bytedToken={token}&resultCode={result}&algorithmBaseRespCode={algorithm}&verify_type=real_time"
    );
    if let Some(fragment) = fragment {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// Also the state file's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivenessGroup {
    pub id: String,
    pub owner: String,
    /// The session whose phone check created it.
    pub byted_token: String,
    pub created_at_ms: i64,
}

/// Also the state file's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetRecord {
    pub id: String,
    pub owner: String,
    pub name: String,
    pub url: String,
    pub asset_type: AssetType,
    /// `None`: an asset in no group (Crun without `group_id`).
    pub group_id: Option<String>,
    pub created_at_ms: i64,
    /// The earliest it leaves `Processing`: creation plus the configured processing delay.
    pub ready_at_ms: i64,
    /// `None` until the file has been fetched and checked.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub checked_at_ms: Option<i64>,
}

/// An asset as the APIs show it at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetView {
    pub id: String,
    pub name: String,
    pub url: String,
    pub asset_type: AssetType,
    pub group_id: Option<String>,
    pub status: AssetStatus,
    pub error: Option<AssetError>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl AssetRecord {
    pub fn view(&self, now: i64) -> AssetView {
        // The clock counts whole milliseconds from a creation time rounded down, so at
        // `ready_at_ms` itself up to a millisecond of the delay may remain: the outcome shows
        // only after it, never before the whole delay (a client must not learn it earlier).
        let shown = self.outcome.as_ref().filter(|_| now > self.ready_at_ms);
        let (status, error) = match shown {
            None => (AssetStatus::Processing, None),
            Some(Outcome::Active) => (AssetStatus::Active, None),
            Some(Outcome::Failed { error }) => (AssetStatus::Failed, Some(error.clone())),
        };
        let updated_at_ms = match shown {
            None => self.created_at_ms,
            Some(_) => self
                .ready_at_ms
                .max(self.checked_at_ms.unwrap_or(self.ready_at_ms)),
        };
        AssetView {
            id: self.id.clone(),
            name: self.name.clone(),
            url: self.url.clone(),
            asset_type: self.asset_type,
            group_id: self.group_id.clone(),
            status,
            error,
            created_at_ms: self.created_at_ms,
            updated_at_ms,
        }
    }

    /// Whether processing compares its face with the group's person.
    fn face_matched(&self) -> bool {
        self.group_id.is_some() && self.asset_type.has_face()
    }
}

/// What a result query gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidateResult {
    /// The phone finished; this query spent the token.
    Ready(String),
    /// Not finished (still going, failed, or the link ran out), and this query spent the token
    /// all the same: the check can no longer be read, even once the phone finishes.
    NotReady,
    /// Unknown to this account, older than [`BYTED_TOKEN_TTL`], or already spent.
    Invalid,
}

/// An upload about to be recorded.
#[derive(Debug, Clone)]
pub struct NewAsset {
    pub owner: String,
    pub name: String,
    pub url: String,
    pub asset_type: AssetType,
    pub group_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    LivenessFace,
    /// Assets in no group.
    Aigc,
}

/// ListAssets' `Filter`; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub group_ids: Option<Vec<String>>,
    pub group_kind: Option<GroupKind>,
    /// A substring of the name.
    pub name: Option<String>,
    pub statuses: Option<Vec<AssetStatus>>,
}

/// The state file's form of [`Liveness`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedLiveness {
    #[serde(default)]
    pub sessions: Vec<ValidateSession>,
    #[serde(default)]
    pub groups: Vec<LivenessGroup>,
    #[serde(default)]
    pub assets: Vec<AssetRecord>,
}

/// Every BytedToken, LivenessFace group and asset, of every account.
#[derive(Debug, Default)]
pub struct Liveness {
    sessions: HashMap<String, ValidateSession>,
    groups: HashMap<String, LivenessGroup>,
    /// In creation order, which is the listing's order reversed.
    assets: Vec<AssetRecord>,
    asset_index: HashMap<String, usize>,
}

fn at(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// `2026-07-02T22:15:26Z`: RFC 3339 in UTC, whole seconds, as BytePlus writes its times.
pub fn rfc3339(ms: i64) -> String {
    let millis = wall_clock::rfc3339_millis(at(ms));
    match millis.split_once('.') {
        Some((seconds, _)) => format!("{seconds}Z"),
        None => millis,
    }
}

impl Liveness {
    /// A new BytedToken whose H5 link lasts `ttl`. Tokens past [`BYTED_TOKEN_TTL`] are
    /// forgotten here: they answer as unknown, which is what they would answer anyway.
    pub fn create_session(
        &mut self,
        owner: &str,
        callback_url: &str,
        now: i64,
        ttl: Duration,
    ) -> ValidateSession {
        self.sessions.retain(|_, s| s.queryable(now));
        let token = loop {
            let token = ids::byted_token(at(now));
            if !self.sessions.contains_key(&token) {
                break token;
            }
        };
        let session = ValidateSession {
            session: Session::new(token.clone(), String::new(), now, ttl),
            owner: owner.to_owned(),
            callback_url: callback_url.to_owned(),
            created_at_ms: now,
            used: false,
        };
        self.sessions.insert(token, session.clone());
        session
    }

    pub fn session(&self, token: &str) -> Option<&ValidateSession> {
        self.sessions.get(token)
    }

    /// One phone action; `None` for an unknown token. Finishing creates the group.
    pub fn apply_step(
        &mut self,
        token: &str,
        step: Step,
        now: i64,
    ) -> Option<Result<Progress, StepRefusal>> {
        let validate = self.sessions.get_mut(token)?;
        let progress = match validate.session.apply(step, now) {
            Ok(p) => p,
            Err(refusal) => return Some(Err(refusal)),
        };
        if progress == Progress::Completed && validate.session.group_id.is_empty() {
            let id = loop {
                let id = ids::liveness_group_id(at(now));
                if !self.groups.contains_key(&id) {
                    break id;
                }
            };
            validate.session.group_id = id.clone();
            self.groups.insert(
                id.clone(),
                LivenessGroup {
                    id,
                    owner: validate.owner.clone(),
                    byted_token: token.to_owned(),
                    created_at_ms: now,
                },
            );
        }
        Some(Ok(progress))
    }

    /// A result query by `owner`. The first one spends the token, ready or not.
    pub fn result(&mut self, token: &str, owner: &str, now: i64) -> ValidateResult {
        let Some(validate) = self
            .sessions
            .get_mut(token)
            .filter(|s| s.owner == owner && s.queryable(now) && !s.used)
        else {
            return ValidateResult::Invalid;
        };
        validate.used = true;
        if validate.session.progress != Progress::Completed {
            return ValidateResult::NotReady;
        }
        ValidateResult::Ready(validate.session.group_id.clone())
    }

    #[cfg(test)]
    pub fn group(&self, group_id: &str) -> Option<&LivenessGroup> {
        self.groups.get(group_id)
    }

    /// Records an upload, `Processing` until `now + delay` at the earliest. `None` if its group
    /// is unknown or belongs to another account.
    pub fn create_asset(
        &mut self,
        new: NewAsset,
        now: i64,
        delay: Duration,
    ) -> Option<AssetRecord> {
        if let Some(group_id) = &new.group_id {
            self.groups.get(group_id).filter(|g| g.owner == new.owner)?;
        }
        let id = loop {
            let id = ids::liveness_asset_id(at(now));
            if !self.asset_index.contains_key(&id) {
                break id;
            }
        };
        let record = AssetRecord {
            id: id.clone(),
            owner: new.owner,
            name: new.name,
            url: new.url,
            asset_type: new.asset_type,
            group_id: new.group_id,
            created_at_ms: now,
            ready_at_ms: now.saturating_add(wall_clock::millis_ceil(delay)),
            outcome: None,
            checked_at_ms: None,
        };
        self.asset_index.insert(id, self.assets.len());
        self.assets.push(record.clone());
        Some(record)
    }

    /// `owner`'s asset `id`.
    pub fn asset(&self, id: &str, owner: &str) -> Option<&AssetRecord> {
        self.asset_index
            .get(id)
            .map(|&i| &self.assets[i])
            .filter(|a| a.owner == owner)
    }

    /// `owner`'s assets that pass `filter`, newest first.
    pub fn list(&self, owner: &str, filter: &ListFilter, now: i64) -> Vec<AssetView> {
        self.assets
            .iter()
            .rev()
            .filter(|a| a.owner == owner)
            .filter(|a| match (&filter.group_ids, &a.group_id) {
                (None, _) => true,
                (Some(ids), Some(g)) => ids.contains(g),
                (Some(_), None) => false,
            })
            .filter(|a| match filter.group_kind {
                None => true,
                Some(GroupKind::LivenessFace) => a.group_id.is_some(),
                Some(GroupKind::Aigc) => a.group_id.is_none(),
            })
            .filter(|a| filter.name.as_ref().is_none_or(|n| a.name.contains(n)))
            .map(|a| a.view(now))
            .filter(|v| {
                filter
                    .statuses
                    .as_ref()
                    .is_none_or(|s| s.contains(&v.status))
            })
            .collect()
    }

    /// Stores what processing found; `false` if the asset is unknown or already checked.
    pub fn record_outcome(&mut self, id: &str, outcome: Outcome, now: i64) -> bool {
        let Some(&i) = self.asset_index.get(id) else {
            return false;
        };
        let asset = &mut self.assets[i];
        if asset.outcome.is_some() {
            return false;
        }
        asset.outcome = Some(outcome);
        asset.checked_at_ms = Some(now);
        true
    }

    /// Assets whose file has not been checked yet (after a restart: those it interrupted).
    pub fn unchecked(&self) -> Vec<AssetRecord> {
        self.assets
            .iter()
            .filter(|a| a.outcome.is_none())
            .cloned()
            .collect()
    }

    /// Sessions by token, groups by id, assets in creation order.
    pub fn saved(&self) -> SavedLiveness {
        let mut sessions: Vec<ValidateSession> = self.sessions.values().cloned().collect();
        sessions.sort_by(|a, b| a.session.token.cmp(&b.session.token));
        let mut groups: Vec<LivenessGroup> = self.groups.values().cloned().collect();
        groups.sort_by(|a, b| a.id.cmp(&b.id));
        SavedLiveness {
            sessions,
            groups,
            assets: self.assets.clone(),
        }
    }

    /// Refuses what does not hang together: malformed or duplicate ids, a session pointing at
    /// an unknown group, an asset in an unknown group or in another account's.
    pub fn restore(saved: SavedLiveness) -> Result<Liveness, String> {
        let mut groups = HashMap::with_capacity(saved.groups.len());
        for group in saved.groups {
            if !ids::is_liveness_group_id(&group.id) {
                return Err(format!("malformed asset group id {:?}", group.id));
            }
            if let Some(dup) = groups.insert(group.id.clone(), group) {
                return Err(format!("asset group {} appears twice", dup.id));
            }
        }
        let mut sessions = HashMap::with_capacity(saved.sessions.len());
        for s in saved.sessions {
            if !ids::is_byted_token(s.token()) {
                return Err(format!("malformed BytedToken {:?}", s.token()));
            }
            let group_id = &s.session.group_id;
            if !group_id.is_empty() && !groups.contains_key(group_id) {
                return Err(format!("a BytedToken of unknown asset group {group_id}"));
            }
            if let Some(dup) = sessions.insert(s.token().to_owned(), s) {
                return Err(format!("BytedToken {} appears twice", dup.token()));
            }
        }
        let mut seen = HashSet::new();
        let mut asset_index = HashMap::with_capacity(saved.assets.len());
        for (i, asset) in saved.assets.iter().enumerate() {
            if !ids::is_liveness_asset_id(&asset.id) {
                return Err(format!("malformed asset id {:?}", asset.id));
            }
            if !seen.insert(asset.id.clone()) {
                return Err(format!("asset {} appears twice", asset.id));
            }
            if let Some(group_id) = &asset.group_id {
                match groups.get(group_id) {
                    Some(g) if g.owner == asset.owner => {}
                    Some(_) => {
                        return Err(format!("asset {} in another account's group", asset.id))
                    }
                    None => return Err(format!("asset {} of unknown group {group_id}", asset.id)),
                }
            }
            asset_index.insert(asset.id.clone(), i);
        }
        Ok(Liveness {
            sessions,
            groups,
            assets: saved.assets,
            asset_index,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_783_030_526_805;
    const TTL: Duration = Duration::from_secs(120);
    const DELAY: Duration = Duration::from_secs(3);

    fn finish(l: &mut Liveness, token: &str, now: i64) -> String {
        for step in [Step::Camera, Step::Nod, Step::Blink] {
            l.apply_step(token, step, now).unwrap().unwrap();
        }
        l.session(token).unwrap().session.group_id.clone()
    }

    fn upload(owner: &str, group: Option<&str>, name: &str) -> NewAsset {
        NewAsset {
            owner: owner.into(),
            name: name.into(),
            url: "https://example.com/face.jpg".into(),
            asset_type: AssetType::Image,
            group_id: group.map(str::to_owned),
        }
    }

    #[test]
    fn a_token_answers_once_after_the_phone_finished() {
        let mut l = Liveness::default();
        let s = l.create_session("a", "", NOW, TTL);
        assert!(ids::is_byted_token(s.token()));
        assert_eq!(l.result(s.token(), "b", NOW), ValidateResult::Invalid);
        let group = finish(&mut l, s.token(), NOW + 1);
        assert!(ids::is_liveness_group_id(&group));
        assert_eq!(l.group(&group).unwrap().owner, "a");
        assert_eq!(l.result(s.token(), "b", NOW + 2), ValidateResult::Invalid);
        assert_eq!(
            l.result(s.token(), "a", NOW + 2),
            ValidateResult::Ready(group)
        );
        assert_eq!(l.result(s.token(), "a", NOW + 3), ValidateResult::Invalid);
        assert_eq!(l.result("nope", "a", NOW), ValidateResult::Invalid);
    }

    #[test]
    fn an_early_query_spends_the_token_even_when_the_phone_finishes_later() {
        let mut l = Liveness::default();
        let s = l.create_session("a", "", NOW, TTL);
        assert_eq!(l.result(s.token(), "a", NOW), ValidateResult::NotReady);
        assert_eq!(l.result(s.token(), "a", NOW + 1), ValidateResult::Invalid);
        // The phone still finishes and its group exists, but the token can no longer read it.
        let group = finish(&mut l, s.token(), NOW + 2);
        assert!(l.group(&group).is_some());
        assert_eq!(l.result(s.token(), "a", NOW + 3), ValidateResult::Invalid);
        assert!(l.session(s.token()).unwrap().used);
    }

    #[test]
    fn callback_addresses_must_be_http_urls_and_https_when_asked() {
        assert_eq!(callback_problem("", false), Some("is empty"));
        assert_eq!(callback_problem("  ", false), Some("is empty"));
        assert_eq!(callback_problem("studio/cb", false), Some("is not a URL"));
        assert_eq!(
            callback_problem("ftp://a.example/cb", false),
            Some("must be an http or https URL")
        );
        assert_eq!(
            callback_problem("http://192.168.1.20:8403/liveness/done?session=s", false),
            None
        );
        assert_eq!(
            callback_problem("http://192.168.1.20:8403/liveness/done", true),
            Some("must be an https URL")
        );
        assert_eq!(callback_problem("https://a.example/cb", true), None);
    }

    #[test]
    fn a_token_is_queryable_for_thirty_minutes() {
        let mut l = Liveness::default();
        let s = l.create_session("a", "", NOW, TTL);
        let limit = NOW + 30 * 60 * 1000;
        assert_eq!(l.result(s.token(), "a", limit), ValidateResult::Invalid);
        let s = l.create_session("a", "", NOW, TTL);
        assert_eq!(
            l.result(s.token(), "a", limit - 1),
            ValidateResult::NotReady
        );
        // Past its link's TTL the phone cannot finish: the token stays not ready.
        assert_eq!(
            l.apply_step(s.token(), Step::Camera, NOW + 120_000),
            Some(Err(StepRefusal::Expired))
        );
        // Old tokens are forgotten when the next one is made.
        let _ = l.create_session("a", "", limit, TTL);
        assert!(l.session(s.token()).is_none());
    }

    #[test]
    fn callback_redirects_keep_existing_parameters() {
        let t = "2026070222152680501D985EA34A3BE3D8";
        let tail = format!(
            "bytedToken={t}&resultCode=10000&algorithmBaseRespCode=0&verify_type=real_time"
        );
        assert_eq!(
            callback_redirect("https://a.example/cb", t, true),
            format!("https://a.example/cb?{tail}")
        );
        assert_eq!(
            callback_redirect("https://a.example/cb?x=1", t, true),
            format!("https://a.example/cb?x=1&{tail}")
        );
        assert_eq!(
            callback_redirect("https://a.example/cb?", t, true),
            format!("https://a.example/cb?{tail}")
        );
        assert_eq!(
            callback_redirect("https://a.example/cb?x=1#done", t, false),
            format!("https://a.example/cb?x=1&bytedToken={t}&resultCode=10001&algorithmBaseRespCode=1&verify_type=real_time#done")
        );
    }

    #[test]
    fn assets_belong_to_their_account_and_list_newest_first() {
        let mut l = Liveness::default();
        let s = l.create_session("a", "", NOW, TTL);
        let group = finish(&mut l, s.token(), NOW);
        assert!(l
            .create_asset(upload("b", Some(&group), "x"), NOW, DELAY)
            .is_none());
        assert!(l
            .create_asset(
                upload("a", Some("group-20260702221642-5czvq"), "x"),
                NOW,
                DELAY
            )
            .is_none());
        let first = l
            .create_asset(upload("a", Some(&group), "front"), NOW, DELAY)
            .unwrap();
        let second = l
            .create_asset(upload("a", None, "side"), NOW + 1, DELAY)
            .unwrap();
        assert!(l.asset(&first.id, "b").is_none());
        let all = l.list("a", &ListFilter::default(), NOW + 1);
        assert_eq!(
            all.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
            [second.id.as_str(), first.id.as_str()]
        );
        assert!(l.list("b", &ListFilter::default(), NOW).is_empty());
        let in_group = ListFilter {
            group_ids: Some(vec![group.clone()]),
            ..ListFilter::default()
        };
        assert_eq!(l.list("a", &in_group, NOW)[0].id, first.id);
        let aigc = ListFilter {
            group_kind: Some(GroupKind::Aigc),
            ..ListFilter::default()
        };
        assert_eq!(l.list("a", &aigc, NOW)[0].id, second.id);
        let named = ListFilter {
            name: Some("ron".into()),
            ..ListFilter::default()
        };
        assert_eq!(l.list("a", &named, NOW)[0].id, first.id);
    }

    #[test]
    fn an_outcome_shows_once_the_delay_has_passed() {
        let mut l = Liveness::default();
        let a = l.create_asset(upload("a", None, "x"), NOW, DELAY).unwrap();
        let ready = NOW + 3_000;
        assert_eq!(a.view(NOW).status, AssetStatus::Processing);
        assert!(l.record_outcome(&a.id, Outcome::Active, NOW + 10));
        assert!(!l.record_outcome(&a.id, Outcome::Active, NOW + 11));
        let a = l.asset(&a.id, "a").unwrap();
        assert_eq!(a.view(ready - 1).status, AssetStatus::Processing);
        // At `ready` itself up to a millisecond of the delay may remain (the start was rounded
        // down): the outcome shows from the next millisecond.
        assert_eq!(a.view(ready).status, AssetStatus::Processing);
        let shown = a.view(ready + 1);
        assert_eq!(shown.status, AssetStatus::Active);
        assert_eq!(shown.updated_at_ms, ready);
        assert_eq!(shown.created_at_ms, NOW);
        let failed = AssetRecord {
            outcome: Some(Outcome::Failed {
                error: AssetError::face_mismatch(),
            }),
            checked_at_ms: Some(ready + 500),
            ..a.clone()
        };
        let view = failed.view(ready + 600);
        assert_eq!(view.status, AssetStatus::Failed);
        assert_eq!(view.error.unwrap().code, "FaceMismatch");
        assert_eq!(view.updated_at_ms, ready + 500);
        assert_eq!(rfc3339(NOW), "2026-07-02T22:15:26Z");
    }

    #[test]
    fn saved_and_restored_is_the_same() {
        let mut l = Liveness::default();
        let s = l.create_session("a", "https://a.example/cb", NOW, TTL);
        let group = finish(&mut l, s.token(), NOW);
        let _ = l.result(s.token(), "a", NOW);
        let _ = l.create_session("a", "", NOW, TTL);
        let asset = l
            .create_asset(upload("a", Some(&group), "x"), NOW, DELAY)
            .unwrap();
        l.record_outcome(&asset.id, Outcome::Active, NOW + 5);
        let _ = l.create_asset(upload("a", None, "y"), NOW, DELAY).unwrap();
        let saved = l.saved();
        let restored = Liveness::restore(saved.clone()).unwrap();
        assert_eq!(restored.saved(), saved);
        assert_eq!(restored.unchecked().len(), 1);
        assert!(restored.session(s.token()).unwrap().used);

        let mut orphan = saved.clone();
        orphan.groups.clear();
        assert!(Liveness::restore(orphan).is_err());
        let mut foreign = saved.clone();
        foreign.assets[0].owner = "b".into();
        assert!(Liveness::restore(foreign).is_err());
        let mut twice = saved.clone();
        twice.assets.push(twice.assets[0].clone());
        assert!(Liveness::restore(twice).is_err());
        let mut bad = saved;
        bad.sessions[0].session.token = "abc".into();
        assert!(Liveness::restore(bad).is_err());
    }
}
