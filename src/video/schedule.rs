//! When to ask a provider about a video job (pure, like the liveness schedule).
//!
//! A Seedance job takes 60–180 s (90 s typical), so the first poll waits about 15% of that;
//! after it the gaps grow half again each time from 5 s to 30 s, which finds a quick job within
//! seconds and costs a slow one two calls a minute. A provider's status can lag the finished
//! video by minutes, so polling goes on (at 30 s) until the 48 h the job is claimable. Every
//! job on one host shares an hourly budget kept in the call log, and `Retry-After` is honoured.

use super::CLAIMABLE_MS;

const HOUR_MS: i64 = 3_600_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoPollPolicy {
    /// The first poll comes this long after the job was accepted.
    pub first_after_ms: i64,
    /// The gap after the first poll; each next one is half again as long…
    pub min_gap_ms: i64,
    /// …up to this.
    pub max_gap_ms: i64,
    /// Polls an hour for all jobs on one host.
    pub polls_per_hour: u32,
    /// After this long without a finished video the job is expired.
    pub claimable_ms: i64,
}

impl VideoPollPolicy {
    /// No provider documents a video poll limit beyond `429` + `Retry-After`; 600 an hour per
    /// host (one every 6 s) lets five jobs run at full pace without hammering anyone.
    pub const fn standard() -> Self {
        VideoPollPolicy {
            first_after_ms: 13_500,
            min_gap_ms: 5_000,
            max_gap_ms: 30_000,
            polls_per_hour: 600,
            claimable_ms: CLAIMABLE_MS,
        }
    }

    /// The gap after the `n`th poll (`n` ≥ 1).
    pub fn gap_after(&self, n: u32) -> i64 {
        let grown = self.min_gap_ms as f64 * 1.5f64.powi(n.saturating_sub(1).min(64) as i32);
        (grown as i64).clamp(self.min_gap_ms, self.max_gap_ms.max(self.min_gap_ms))
    }
}

impl Default for VideoPollPolicy {
    fn default() -> Self {
        Self::standard()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoPollPlan {
    PollAt(i64),
    /// The job is past its claimable window and its last poll was made: give up.
    Expire,
}

/// The next poll of a job accepted at `submitted_at_ms`.
///
/// * `polls_made` / `last_poll_ms`: this studio's polls of the job since it started watching
///   (a restart starts again at 0, which polls at once when the first wait is over);
/// * `recent_calls`: every video poll at this host in the last hour, oldest first;
/// * `not_before`: a `Retry-After`, or a back-off after a failed call.
pub fn next_poll(
    policy: VideoPollPolicy,
    submitted_at_ms: i64,
    now_ms: i64,
    polls_made: u32,
    last_poll_ms: Option<i64>,
    recent_calls: &[i64],
    not_before: Option<i64>,
) -> VideoPollPlan {
    let deadline = submitted_at_ms + policy.claimable_ms;
    if last_poll_ms.is_some_and(|l| l >= deadline) || (now_ms >= deadline && polls_made > 0) {
        return VideoPollPlan::Expire;
    }
    let mut at = match last_poll_ms {
        Some(last) if polls_made > 0 => last + policy.gap_after(polls_made),
        _ => submitted_at_ms + policy.first_after_ms,
    };
    if let Some(nb) = not_before {
        at = at.max(nb);
    }
    let budget = policy.polls_per_hour.max(1) as usize;
    let in_window: Vec<i64> = recent_calls
        .iter()
        .copied()
        .filter(|&t| t > now_ms - HOUR_MS)
        .collect();
    if in_window.len() >= budget {
        // Wait until enough of the hour's calls age out for one more.
        at = at.max(in_window[in_window.len() - budget] + HOUR_MS + 1);
    }
    // One last look at the deadline, since the status lags the video.
    VideoPollPlan::PollAt(at.max(now_ms).min(deadline.max(now_ms)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: VideoPollPolicy = VideoPollPolicy::standard();

    /// Simulates polling a job that never finishes for `span_ms`.
    fn simulate(span_ms: i64) -> Vec<i64> {
        let mut now = 0;
        let mut last = None;
        let mut polls = vec![];
        loop {
            match next_poll(P, 0, now, polls.len() as u32, last, &polls, None) {
                VideoPollPlan::PollAt(t) if t <= span_ms => {
                    now = t;
                    polls.push(t);
                    last = Some(t);
                }
                _ => return polls,
            }
        }
    }

    #[test]
    fn first_poll_at_fifteen_percent_of_a_typical_job_then_five_to_thirty_seconds() {
        let polls = simulate(10 * 60_000);
        assert_eq!(polls[0], 13_500);
        let gaps: Vec<i64> = polls.windows(2).map(|w| w[1] - w[0]).collect();
        assert_eq!(&gaps[..5], [5_000, 7_500, 11_250, 16_875, 25_312]);
        assert!(gaps[5..].iter().all(|&g| g == 30_000), "{gaps:?}");
        // A typical 90 s job is seen within a few seconds of finishing.
        let seen = polls.iter().find(|&&t| t >= 90_000).unwrap();
        assert!(*seen - 90_000 <= 30_000, "{seen}");
    }

    #[test]
    fn a_slow_job_costs_two_polls_a_minute() {
        let polls = simulate(HOUR_MS);
        let last_half = polls.iter().filter(|&&t| t > HOUR_MS / 2).count();
        assert!((59..=61).contains(&last_half), "{last_half}");
    }

    #[test]
    fn retry_after_and_the_shared_budget_push_the_next_poll() {
        assert_eq!(
            next_poll(P, 0, 20_000, 1, Some(13_500), &[13_500], Some(80_000)),
            VideoPollPlan::PollAt(80_000)
        );
        let busy: Vec<i64> = (0..600).map(|i| 1_000_000 + i * 1_000).collect();
        let now = 1_600_000;
        assert_eq!(
            next_poll(P, 0, now, 3, Some(now - 1), &busy, None),
            VideoPollPlan::PollAt(1_000_000 + HOUR_MS + 1)
        );
    }

    #[test]
    fn a_resumed_job_past_its_first_wait_polls_at_once() {
        assert_eq!(
            next_poll(P, 0, 3_600_000, 0, None, &[], None),
            VideoPollPlan::PollAt(3_600_000)
        );
    }

    #[test]
    fn after_forty_eight_hours_one_last_poll_then_expiry() {
        let deadline = CLAIMABLE_MS;
        assert_eq!(
            next_poll(
                P,
                0,
                deadline - 10_000,
                100,
                Some(deadline - 10_000),
                &[],
                None
            ),
            VideoPollPlan::PollAt(deadline)
        );
        assert_eq!(
            next_poll(P, 0, deadline, 101, Some(deadline), &[], None),
            VideoPollPlan::Expire
        );
        // A job found past its window after a restart gets its one look first.
        assert_eq!(
            next_poll(P, 0, deadline + 5, 0, None, &[], None),
            VideoPollPlan::PollAt(deadline + 5)
        );
    }
}
