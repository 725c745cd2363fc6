//! One H5 liveness session: the steps the phone walks through before its token expires.
//!
//! Order: `camera` → `nod` → `blink` (completes). After `camera`, the page may report `fail`
//! ("Verification failed"); `retry` then starts the actions again in the same session.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::wall_clock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Camera,
    Nod,
    Blink,
    Fail,
    Retry,
}

impl Step {
    pub const ALL: [&'static str; 5] = ["camera", "nod", "blink", "fail", "retry"];

    pub fn parse(s: &str) -> Option<Step> {
        Some(match s {
            "camera" => Step::Camera,
            "nod" => Step::Nod,
            "blink" => Step::Blink,
            "fail" => Step::Fail,
            "retry" => Step::Retry,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    /// Waiting for "Allow camera".
    Started,
    /// Camera allowed (or skipped); waiting for the nod.
    CameraAllowed,
    /// Nodded; waiting for the blink.
    Nodded,
    /// "Verification failed"; waiting for `retry`.
    Failed,
    /// "Verification completed"; the group is active.
    Completed,
}

impl Progress {
    /// What the page should ask for next, if anything.
    pub fn next_step(self) -> Option<Step> {
        match self {
            Progress::Started => Some(Step::Camera),
            Progress::CameraAllowed => Some(Step::Nod),
            Progress::Nodded => Some(Step::Blink),
            Progress::Failed => Some(Step::Retry),
            Progress::Completed => None,
        }
    }

    pub fn steps_done(self) -> &'static [&'static str] {
        match self {
            Progress::Started => &[],
            Progress::CameraAllowed | Progress::Failed => &["camera"],
            Progress::Nodded => &["camera", "nod"],
            Progress::Completed => &["camera", "nod", "blink"],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepRefusal {
    /// Past the session's expiry (HTTP 410).
    Expired,
    /// A refresh issued a newer token for the group (HTTP 410).
    Superseded,
    /// Not the step the session is waiting for (HTTP 409).
    OutOfOrder { expected: Option<Step>, got: Step },
}

/// Also the state file's form of a session (see the `persist` module).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub group_id: String,
    /// Wall-clock epoch milliseconds, so an expiry means the same after a restart.
    pub expires_at_ms: i64,
    pub progress: Progress,
    pub superseded: bool,
}

impl Session {
    /// `now_ms` is epoch milliseconds (see [`wall_clock::Clock`]).
    pub fn new(token: String, group_id: String, now_ms: i64, ttl: Duration) -> Self {
        Session {
            token,
            group_id,
            expires_at_ms: now_ms.saturating_add(wall_clock::millis_ceil(ttl)),
            progress: Progress::Started,
            superseded: false,
        }
    }

    pub fn is_expired(&self, now_ms: i64) -> bool {
        now_ms >= self.expires_at_ms
    }

    pub fn remaining(&self, now_ms: i64) -> Duration {
        wall_clock::until(now_ms, self.expires_at_ms)
    }

    /// Applies one phone action. Returns the new progress.
    pub fn apply(&mut self, step: Step, now: i64) -> Result<Progress, StepRefusal> {
        if self.progress == Progress::Completed {
            return Err(StepRefusal::OutOfOrder {
                expected: None,
                got: step,
            });
        }
        if self.superseded {
            return Err(StepRefusal::Superseded);
        }
        if self.is_expired(now) {
            return Err(StepRefusal::Expired);
        }
        let next = match (self.progress, step) {
            (Progress::Started, Step::Camera) => Progress::CameraAllowed,
            (Progress::CameraAllowed, Step::Nod) => Progress::Nodded,
            (Progress::Nodded, Step::Blink) => Progress::Completed,
            (Progress::CameraAllowed | Progress::Nodded, Step::Fail) => Progress::Failed,
            (Progress::Failed, Step::Retry) => Progress::CameraAllowed,
            (progress, got) => {
                return Err(StepRefusal::OutOfOrder {
                    expected: progress.next_step(),
                    got,
                })
            }
        };
        self.progress = next;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(ttl: Duration) -> (Session, i64) {
        let now = 1_779_639_540_000;
        (
            Session::new("t".into(), "legacy_rf_1".into(), now, ttl),
            now,
        )
    }

    #[test]
    fn walks_in_order() {
        let (mut s, now) = session(Duration::from_secs(120));
        assert_eq!(s.apply(Step::Camera, now), Ok(Progress::CameraAllowed));
        assert_eq!(s.apply(Step::Nod, now), Ok(Progress::Nodded));
        assert_eq!(s.apply(Step::Blink, now), Ok(Progress::Completed));
        assert!(matches!(
            s.apply(Step::Blink, now),
            Err(StepRefusal::OutOfOrder { expected: None, .. })
        ));
    }

    #[test]
    fn refuses_out_of_order() {
        let (mut s, now) = session(Duration::from_secs(120));
        assert_eq!(
            s.apply(Step::Nod, now),
            Err(StepRefusal::OutOfOrder {
                expected: Some(Step::Camera),
                got: Step::Nod
            })
        );
        assert_eq!(s.progress, Progress::Started);
        assert!(s.apply(Step::Fail, now).is_err());
    }

    #[test]
    fn fail_then_retry_in_session() {
        let (mut s, now) = session(Duration::from_secs(120));
        s.apply(Step::Camera, now).unwrap();
        s.apply(Step::Nod, now).unwrap();
        assert_eq!(s.apply(Step::Fail, now), Ok(Progress::Failed));
        assert!(s.apply(Step::Blink, now).is_err());
        assert_eq!(s.apply(Step::Retry, now), Ok(Progress::CameraAllowed));
        s.apply(Step::Nod, now).unwrap();
        assert_eq!(s.apply(Step::Blink, now), Ok(Progress::Completed));
    }

    #[test]
    fn expires() {
        let (mut s, now) = session(Duration::from_secs(1));
        s.apply(Step::Camera, now).unwrap();
        assert_eq!(s.remaining(now), Duration::from_secs(1));
        let later = now + 1_000;
        assert!(!s.is_expired(later - 1));
        assert!(s.is_expired(later));
        assert_eq!(s.remaining(later + 5), Duration::ZERO);
        assert_eq!(s.apply(Step::Nod, later), Err(StepRefusal::Expired));
    }
}
