//! Per-IP sliding-window limits ("N calls per hour per IP").

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, Instant};

pub const HOUR: Duration = Duration::from_secs(3600);

/// Counts calls per client IP over the trailing `window`.
#[derive(Debug)]
pub struct SlidingWindow {
    limit: u32,
    window: Duration,
    calls: HashMap<IpAddr, VecDeque<Instant>>,
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
            window,
            calls: HashMap::new(),
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Counts one call from `ip` at `now`, or refuses it.
    pub fn hit(&mut self, ip: IpAddr, now: Instant) -> Decision {
        let window = self.window;
        self.calls.retain(|_, q| {
            while q
                .front()
                .is_some_and(|&t| now.saturating_duration_since(t) >= window)
            {
                q.pop_front();
            }
            !q.is_empty()
        });
        let q = self.calls.entry(ip).or_default();
        if (q.len() as u32) < self.limit {
            q.push_back(now);
            return Decision::Allowed {
                remaining: self.limit - q.len() as u32,
            };
        }
        let retry_after = match q.front() {
            Some(&oldest) => window.saturating_sub(now.saturating_duration_since(oldest)),
            None => window,
        };
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

    #[test]
    fn limits_per_ip_and_slides() {
        let t0 = Instant::now();
        let mut w = SlidingWindow::new(3, HOUR);
        for i in 0..3 {
            assert_eq!(
                w.hit(A, t0 + Duration::from_secs(i * 60)),
                Decision::Allowed {
                    remaining: 2 - i as u32
                }
            );
        }
        // 4th call at t0+5min: the first ages out at t0+60min.
        assert_eq!(
            w.hit(A, t0 + Duration::from_secs(300)),
            Decision::Limited {
                retry_after: Duration::from_secs(3300)
            }
        );
        assert!(matches!(w.hit(B, t0), Decision::Allowed { remaining: 2 }));
        // Once the first call is an hour old, one slot frees up, and only one.
        let later = t0 + HOUR;
        assert!(matches!(
            w.hit(A, later),
            Decision::Allowed { remaining: 0 }
        ));
        assert!(matches!(w.hit(A, later), Decision::Limited { .. }));
    }

    #[test]
    fn zero_limit_refuses_everything() {
        let mut w = SlidingWindow::new(0, HOUR);
        assert_eq!(
            w.hit(A, Instant::now()),
            Decision::Limited { retry_after: HOUR }
        );
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(7)), 7);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
