//! Per-IP sliding-window limits ("N calls per hour per IP").
//!
//! Calls are stamped in epoch milliseconds (see [`super::wall_clock::Clock`]) so the windows can
//! be saved and survive a restart.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::IpAddr;
use std::time::Duration;

use super::wall_clock;

pub const HOUR: Duration = Duration::from_secs(3600);

/// The counted calls per client IP, oldest first, in epoch milliseconds: the saved form.
pub type Calls = BTreeMap<IpAddr, Vec<i64>>;

/// Counts calls per client IP over the trailing `window`.
#[derive(Debug)]
pub struct SlidingWindow {
    limit: u32,
    window_ms: i64,
    calls: HashMap<IpAddr, VecDeque<i64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The call is counted; `remaining` more fit in the window.
    Allowed { remaining: u32 },
    /// Over the limit. The call is not counted; `retry_after` is when the oldest counted call ages out.
    Limited { retry_after: Duration },
}

impl SlidingWindow {
    pub fn new(limit: u32, window: Duration) -> Self {
        SlidingWindow {
            limit,
            window_ms: wall_clock::millis_ceil(window),
            calls: HashMap::new(),
        }
    }

    /// A window that already counted `calls` (as [`SlidingWindow::calls`] gave them, possibly in
    /// an earlier run). Stamps later than `now` (the wall clock went back) count as made `now`.
    pub fn restored(limit: u32, window: Duration, calls: Calls, now: i64) -> Self {
        let mut restored = SlidingWindow::new(limit, window);
        for (ip, mut stamps) in calls {
            stamps.sort_unstable();
            let q: VecDeque<i64> = stamps.into_iter().map(|t| t.min(now)).collect();
            if !q.is_empty() {
                restored.calls.insert(ip, q);
            }
        }
        restored.prune(now);
        restored
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// The calls still inside the window at `now`.
    pub fn calls(&mut self, now: i64) -> Calls {
        self.prune(now);
        self.calls
            .iter()
            .map(|(ip, q)| (*ip, q.iter().copied().collect()))
            .collect()
    }

    fn prune(&mut self, now: i64) {
        let window = self.window_ms;
        self.calls.retain(|_, q| {
            while q.front().is_some_and(|&t| now.saturating_sub(t) >= window) {
                q.pop_front();
            }
            !q.is_empty()
        });
    }

    /// Counts one call from `ip` at `now` (epoch ms), or refuses it.
    pub fn hit(&mut self, ip: IpAddr, now: i64) -> Decision {
        let window = self.window_ms;
        self.prune(now);
        let q = self.calls.entry(ip).or_default();
        if (q.len() as u32) < self.limit {
            q.push_back(now);
            return Decision::Allowed {
                remaining: self.limit - q.len() as u32,
            };
        }
        let oldest = q.front().copied().unwrap_or(now);
        let retry_after = wall_clock::until(now, oldest.saturating_add(window));
        if q.is_empty() {
            self.calls.remove(&ip);
        }
        Decision::Limited { retry_after }
    }
}

/// `Retry-After` is whole seconds; round up so a client that honours it is never early.
pub fn retry_after_secs(d: Duration) -> u64 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));

    const T0: i64 = 1_779_639_540_000;
    const MINUTE: i64 = 60_000;

    #[test]
    fn limits_per_ip_and_slides() {
        let t0 = T0;
        let mut w = SlidingWindow::new(3, HOUR);
        for i in 0..3 {
            assert_eq!(
                w.hit(A, t0 + i * MINUTE),
                Decision::Allowed {
                    remaining: 2 - i as u32
                }
            );
        }
        // 4th call at t0+5min: the first ages out at t0+60min.
        assert_eq!(
            w.hit(A, t0 + 5 * MINUTE),
            Decision::Limited {
                retry_after: Duration::from_secs(3300)
            }
        );
        assert!(matches!(w.hit(B, t0), Decision::Allowed { remaining: 2 }));
        // Once the first call is an hour old, one slot frees up, and only one.
        let later = t0 + 60 * MINUTE;
        assert!(matches!(
            w.hit(A, later),
            Decision::Allowed { remaining: 0 }
        ));
        assert!(matches!(w.hit(A, later), Decision::Limited { .. }));
    }

    #[test]
    fn zero_limit_refuses_everything() {
        let mut w = SlidingWindow::new(0, HOUR);
        assert_eq!(w.hit(A, T0), Decision::Limited { retry_after: HOUR });
    }

    #[test]
    fn calls_round_trip_and_keep_counting() {
        let mut w = SlidingWindow::new(2, HOUR);
        w.hit(A, T0);
        w.hit(A, T0 + MINUTE);
        w.hit(B, T0 - 61 * MINUTE + 2 * MINUTE);
        let now = T0 + 2 * MINUTE;
        let calls = w.calls(now);
        assert_eq!(
            calls,
            Calls::from([(A, vec![T0, T0 + MINUTE])]),
            "B aged out"
        );

        let mut again = SlidingWindow::restored(2, HOUR, calls, now);
        assert_eq!(
            again.hit(A, now),
            Decision::Limited {
                retry_after: Duration::from_secs(58 * 60)
            }
        );
        assert!(matches!(
            again.hit(B, now),
            Decision::Allowed { remaining: 1 }
        ));
        assert!(matches!(
            again.hit(A, T0 + 60 * MINUTE),
            Decision::Allowed { remaining: 0 }
        ));
    }

    #[test]
    fn restored_stamps_from_the_future_count_as_now() {
        let calls = Calls::from([(A, vec![T0 + 90 * MINUTE, T0 - 90 * MINUTE])]);
        let mut w = SlidingWindow::restored(1, HOUR, calls, T0);
        assert_eq!(w.calls(T0), Calls::from([(A, vec![T0])]));
        assert_eq!(
            w.hit(A, T0 + MINUTE),
            Decision::Limited {
                retry_after: Duration::from_secs(59 * 60)
            }
        );
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(7)), 7);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
