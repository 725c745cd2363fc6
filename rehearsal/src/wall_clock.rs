//! Wall-clock time: stamps for response bodies, and the [`Clock`] expiries are measured on.
//!
//! Session expiries and rate-limit windows are epoch milliseconds so they survive a restart (the
//! state file stores them as is). In-process they come from [`Clock`], which reads the wall clock
//! once and then advances on the monotonic clock: a wall-clock jump while Rehearsal runs neither
//! revives an expired session nor expires a live one early.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Epoch milliseconds that never go backwards within one process.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    started: Instant,
    started_ms: i64,
}

impl Clock {
    /// Anchored at the wall clock now.
    pub fn start() -> Clock {
        Clock {
            started: Instant::now(),
            started_ms: unix_ms(SystemTime::now()),
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.started_ms
            .saturating_add(millis(self.started.elapsed()))
    }
}

/// `d` in whole milliseconds, rounded up (a TTL never shrinks by rounding), saturating.
pub fn millis_ceil(d: Duration) -> i64 {
    let whole = millis(d);
    let partial = u64::try_from(whole).is_ok_and(|ms| Duration::from_millis(ms) < d);
    whole.saturating_add(i64::from(partial))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The time from `now_ms` until `until_ms`; zero once it has passed.
pub fn until(now_ms: i64, until_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(until_ms.saturating_sub(now_ms)).unwrap_or(0))
}

/// Milliseconds since the Unix epoch.
pub fn unix_ms(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(e) => -(e.duration().as_millis() as i64),
    }
}

/// `2026-05-24T16:19:00.000Z`: RFC 3339, UTC, milliseconds, as BlockRun writes `created_at`.
pub fn rfc3339_millis(at: SystemTime) -> String {
    let ms = unix_ms(at);
    let c = Civil::from_unix_ms(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis
    )
}

/// `YYYYMMDDhhmmss` in UTC+8. BytePlus stamps its asset ids in Beijing time: the doc's example pairs
/// `created_at: 2026-05-24T16:19:00.000Z` with `asset-20260525001905-…`.
pub fn byteplus_stamp(at: SystemTime) -> String {
    let ms = unix_ms(at + Duration::from_secs(8 * 3600));
    let c = Civil::from_unix_ms(ms);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    millis: u32,
}

impl Civil {
    fn from_unix_ms(ms: i64) -> Civil {
        let secs = ms.div_euclid(1000);
        let millis = ms.rem_euclid(1000) as u32;
        let days = secs.div_euclid(86_400);
        let of_day = secs.rem_euclid(86_400) as u32;
        // Howard Hinnant's days-to-civil algorithm.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Civil {
            year,
            month,
            day,
            hour: of_day / 3600,
            minute: of_day % 3600 / 60,
            second: of_day % 60,
            millis,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(ms)
    }

    #[test]
    fn formats_the_doc_example() {
        // 2026-05-24T16:19:00.000Z
        let t = at(1_779_639_540_000);
        assert_eq!(rfc3339_millis(t), "2026-05-24T16:19:00.000Z");
        assert_eq!(byteplus_stamp(t), "20260525001900");
    }

    #[test]
    fn clock_and_millis() {
        let clock = Clock::start();
        let a = clock.now_ms();
        assert!((a - unix_ms(SystemTime::now())).abs() < 1_000);
        assert!(clock.now_ms() >= a);
        assert_eq!(millis_ceil(Duration::from_secs(1)), 1_000);
        assert_eq!(millis_ceil(Duration::from_micros(1_500)), 2);
        assert_eq!(millis_ceil(Duration::MAX), i64::MAX);
        assert_eq!(until(1_000, 2_500), Duration::from_millis(1_500));
        assert_eq!(until(3_000, 2_500), Duration::ZERO);
    }

    #[test]
    fn formats_epoch_and_leap_day() {
        assert_eq!(rfc3339_millis(at(0)), "1970-01-01T00:00:00.000Z");
        // 2024-02-29T23:59:59.999Z
        assert_eq!(
            rfc3339_millis(at(1_709_251_199_999)),
            "2024-02-29T23:59:59.999Z"
        );
    }
}
