//! When to check a liveness session's status, within the provider's hourly budget.
//!
//! BlockRun's doc says both "poll every 3-5 s" and "20/hour/IP": polling at 4 s would spend the
//! whole hour in 80 s. So each link window gets a share of what is left of the budget, spread
//! evenly over the window, with a reserve kept for "check now" and for the next fresh QR. A check
//! is always made at the deadline, since the talent may finish in the last seconds.

/// The provider's limits and our share of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    pub budget_per_hour: u32,
    /// Checks kept back for "Talent finished — check now" and the deadline check.
    pub reserve: u32,
    /// Never poll faster than the doc's advice.
    pub min_interval_ms: i64,
}

impl PollPolicy {
    pub fn for_budget(budget_per_hour: u32) -> Self {
        PollPolicy {
            budget_per_hour,
            reserve: 3,
            min_interval_ms: 5_000,
        }
    }
}

pub const HOUR_MS: i64 = 3_600_000;

/// The next automatic status check, or when the budget frees up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollPlan {
    CheckAt(i64),
    /// The automatic share is spent; the next call frees up at this instant.
    BudgetFreesAt(i64),
}

impl PollPlan {
    pub fn at_ms(self) -> i64 {
        match self {
            PollPlan::CheckAt(t) | PollPlan::BudgetFreesAt(t) => t,
        }
    }
}

/// Plans the next automatic check.
///
/// * `recent_calls` — status calls in the hour before `now_ms`, oldest first (all sessions).
/// * `window_ms` — the link's whole lifetime (120 s for BlockRun).
/// * `last_check_ms` — the previous check for this session, if any.
pub fn plan(
    policy: PollPolicy,
    now_ms: i64,
    expires_at_ms: i64,
    window_ms: i64,
    recent_calls: &[i64],
    last_check_ms: Option<i64>,
) -> PollPlan {
    let usable = policy.budget_per_hour.saturating_sub(policy.reserve) as usize;
    let in_window = recent_calls
        .iter()
        .filter(|&&t| t > now_ms - HOUR_MS)
        .count();
    if in_window >= usable {
        // Wait until enough old calls age out that one more stays inside the usable share.
        let idx = in_window - usable;
        let frees = recent_calls[recent_calls.len() - in_window + idx] + HOUR_MS + 1;
        return PollPlan::BudgetFreesAt(frees.max(now_ms));
    }
    let available = (usable - in_window) as i64;
    // Spend at most half of what is left on this window, so a second QR still gets checks.
    let share = (available + 1) / 2;
    let interval = (window_ms / share.max(1)).max(policy.min_interval_ms);
    let from = last_check_ms.unwrap_or(now_ms);
    let at = (from + interval).max(now_ms).min(expires_at_ms.max(now_ms));
    PollPlan::CheckAt(at)
}

/// Whether an operator-requested check can be made now (it may use the reserve), and if not,
/// when it can.
pub fn manual_check(policy: PollPolicy, now_ms: i64, recent_calls: &[i64]) -> Result<(), i64> {
    let in_window: Vec<i64> = recent_calls
        .iter()
        .copied()
        .filter(|&t| t > now_ms - HOUR_MS)
        .collect();
    if in_window.len() < policy.budget_per_hour as usize {
        Ok(())
    } else {
        let idx = in_window.len() - policy.budget_per_hour as usize;
        Err(in_window[idx] + HOUR_MS + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: PollPolicy = PollPolicy {
        budget_per_hour: 20,
        reserve: 3,
        min_interval_ms: 5_000,
    };
    const WINDOW: i64 = 120_000;

    /// Simulates automatic polling of one link window and returns the check times.
    fn simulate(start: i64, mut calls: Vec<i64>) -> Vec<i64> {
        let expires = start + WINDOW;
        let mut now = start;
        let mut last = None;
        let mut checks = vec![];
        loop {
            match plan(P, now, expires, WINDOW, &calls, last) {
                PollPlan::CheckAt(t) => {
                    now = t;
                    checks.push(t);
                    calls.push(t);
                    last = Some(t);
                    if t >= expires {
                        return checks;
                    }
                }
                PollPlan::BudgetFreesAt(_) => return checks,
            }
        }
    }

    #[test]
    fn a_fresh_hour_spreads_about_half_the_budget_over_the_window() {
        let checks = simulate(0, vec![]);
        assert_eq!(
            checks.first(),
            Some(&(WINDOW / 9)),
            "first check waits one interval"
        );
        assert_eq!(
            *checks.last().unwrap(),
            WINDOW,
            "always checks at the deadline"
        );
        assert!((7..=10).contains(&checks.len()), "{checks:?}");
        assert!(checks
            .windows(2)
            .all(|w| w[1] - w[0] >= 5_000 || w[1] == WINDOW));
    }

    #[test]
    fn three_windows_in_one_hour_never_exceed_the_budget() {
        let mut calls: Vec<i64> = vec![];
        for k in 0..3 {
            let start = k * 200_000;
            let checks = simulate(start, calls.clone());
            assert!(!checks.is_empty(), "window {k} got no check at all");
            calls.extend(checks);
        }
        assert!(
            calls.len() <= 17,
            "automatic checks must leave the reserve: {}",
            calls.len()
        );
        // Operator checks may use the reserve, up to the provider's 20.
        let mut now = 700_000;
        while manual_check(P, now, &calls).is_ok() {
            calls.push(now);
            now += 1_000;
        }
        assert_eq!(calls.len(), 20);
    }

    #[test]
    fn an_exhausted_budget_waits_for_the_oldest_call_to_age_out() {
        let calls: Vec<i64> = (0..17).map(|i| i * 10_000).collect();
        let now = 1_000_000;
        assert_eq!(
            plan(P, now, now + WINDOW, WINDOW, &calls, None),
            PollPlan::BudgetFreesAt(HOUR_MS + 1)
        );
        assert_eq!(manual_check(P, now, &calls), Ok(()));
        let full: Vec<i64> = (0..20).map(|i| i * 10_000).collect();
        assert_eq!(manual_check(P, now, &full), Err(HOUR_MS + 1));
    }

    #[test]
    fn calls_older_than_an_hour_do_not_count() {
        let old: Vec<i64> = (0..20).map(|i| i * 1_000).collect();
        let now = HOUR_MS + 60_000;
        assert!(matches!(
            plan(P, now, now + WINDOW, WINDOW, &old, None),
            PollPlan::CheckAt(_)
        ));
        assert_eq!(manual_check(P, now, &old), Ok(()));
    }

    #[test]
    fn never_faster_than_five_seconds_even_with_a_large_budget() {
        let big = PollPolicy {
            budget_per_hour: 10_000,
            reserve: 3,
            min_interval_ms: 5_000,
        };
        assert_eq!(
            plan(big, 0, WINDOW, WINDOW, &[], None),
            PollPlan::CheckAt(5_000)
        );
    }
}
