//! When to check a liveness session's status, within the provider's hourly budget.
//!
//! BlockRun's doc says both "poll every 3-5 s" and "20/hour/IP": polling at 4 s would spend the
//! whole hour in 80 s. So the schedule:
//!
//! - waits before the first check, since a talent needs about a minute to scan, allow the camera,
//!   nod and blink ("Talent finished — check now" covers the quick ones);
//! - then spreads a share of what is left of the hour's budget (at most half, so a fresh QR still
//!   gets checks) over the rest of the window, each gap half again as long as the one before;
//! - keeps a reserve for "check now";
//! - always checks at the deadline, since the talent may finish in the last seconds;
//! - follows `Retry-After` (the driver's `not_before`).

/// The provider's limits and our share of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    pub budget_per_hour: u32,
    /// Checks kept back for "Talent finished — check now".
    pub reserve: u32,
    /// Never poll faster than the doc's advice.
    pub min_interval_ms: i64,
    /// The first automatic check comes this long after the link was issued.
    pub first_check_after_ms: i64,
}

impl PollPolicy {
    pub fn for_budget(budget_per_hour: u32) -> Self {
        PollPolicy {
            budget_per_hour,
            reserve: 3,
            min_interval_ms: 5_000,
            first_check_after_ms: 60_000,
        }
    }
}

pub const HOUR_MS: i64 = 3_600_000;

/// One QR's lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkWindow {
    pub issued_at_ms: i64,
    pub expires_at_ms: i64,
}

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
/// * `recent_calls` — status calls in the hour before `now_ms`, oldest first (all sessions on
///   the provider's host: the budget is shared).
/// * `last_check_ms` / `checks_made` — this link's previous check and how many it has had.
/// * `links_left` — how many more links the hour's init budget can still open. Each link gets
///   its fair share of the checks left, so the tenth talent of the hour is still watched.
pub fn plan(
    policy: PollPolicy,
    now_ms: i64,
    link: LinkWindow,
    recent_calls: &[i64],
    last_check_ms: Option<i64>,
    checks_made: u32,
    links_left: u32,
) -> PollPlan {
    let usable = policy.budget_per_hour.saturating_sub(policy.reserve) as usize;
    let in_window: Vec<i64> = recent_calls
        .iter()
        .copied()
        .filter(|&t| t > now_ms - HOUR_MS)
        .collect();
    if in_window.len() >= usable {
        // Wait until enough old calls age out that one more stays inside the usable share.
        let frees = in_window[in_window.len() - usable] + HOUR_MS + 1;
        return PollPlan::BudgetFreesAt(frees.max(now_ms));
    }
    let deadline = link.expires_at_ms.max(now_ms);
    let available = (usable - in_window.len()) as u32;
    if available == 1 {
        // One check left: make it count, at the deadline.
        return PollPlan::CheckAt(deadline);
    }
    // This link's share, as it stood when the link opened: at least a first check and one at
    // the deadline; more only when the hour has checks to spare.
    let share = ((available + checks_made) as f64 / f64::from(links_left + 1)).round() as u32;
    let share = share.max(2);
    let first = link.issued_at_ms + policy.first_check_after_ms;
    let at = if checks_made == 0 || last_check_ms.is_none() {
        first
    } else if checks_made + 1 >= share {
        deadline
    } else {
        // `share - 2` checks between the first and the deadline, each gap half again as long
        // as the one before.
        let rest = (link.expires_at_ms - first).max(0) as f64;
        let unit_for = |gaps: u32| rest / (0..gaps).map(|i| 1.5f64.powi(i as i32)).sum::<f64>();
        // No more checks than fit with the first gap at least the minimum interval.
        let mut gaps = share - 1;
        while gaps > 1 && unit_for(gaps) < policy.min_interval_ms as f64 {
            gaps -= 1;
        }
        if checks_made >= gaps {
            return PollPlan::CheckAt(deadline);
        }
        let unit = unit_for(gaps);
        let offset: f64 = (0..checks_made).map(|i| 1.5f64.powi(i as i32)).sum::<f64>() * unit;
        let planned = first + offset as i64;
        let last = last_check_ms.unwrap_or(first);
        planned.max(last + policy.min_interval_ms)
    };
    PollPlan::CheckAt(at.max(now_ms).min(deadline))
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
        first_check_after_ms: 60_000,
    };
    const WINDOW: i64 = 120_000;

    fn link(start: i64) -> LinkWindow {
        LinkWindow {
            issued_at_ms: start,
            expires_at_ms: start + WINDOW,
        }
    }

    /// Simulates automatic polling of one link window (the talent never finishes) and returns
    /// the check times.
    fn simulate(start: i64, calls: Vec<i64>) -> Vec<i64> {
        simulate_until(start, calls, 0, i64::MAX)
    }

    /// As [`simulate`], with the hour able to open `links_left` more links and the talent
    /// finishing `done_after_ms` into the link (the check that sees it is the last).
    fn simulate_until(
        start: i64,
        mut calls: Vec<i64>,
        links_left: u32,
        done_after_ms: i64,
    ) -> Vec<i64> {
        let mut now = start;
        let mut last = None;
        let mut checks = vec![];
        loop {
            match plan(
                P,
                now,
                link(start),
                &calls,
                last,
                checks.len() as u32,
                links_left,
            ) {
                PollPlan::CheckAt(t) => {
                    now = t;
                    checks.push(t);
                    calls.push(t);
                    last = Some(t);
                    if t >= start + WINDOW || t >= start.saturating_add(done_after_ms) {
                        return checks;
                    }
                }
                PollPlan::BudgetFreesAt(_) => return checks,
            }
        }
    }

    #[test]
    fn waits_a_minute_then_backs_off_and_always_checks_at_the_deadline() {
        let checks = simulate(0, vec![]);
        assert_eq!(checks[0], 60_000, "first check after the talent's minute");
        assert_eq!(*checks.last().unwrap(), WINDOW, "{checks:?}");
        let gaps: Vec<i64> = checks.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.windows(2).all(|g| g[1] > g[0]), "{gaps:?}");
        assert!(gaps.iter().all(|&g| g >= 5_000), "{gaps:?}");
        assert!((3..=17).contains(&checks.len()), "{checks:?}");
    }

    #[test]
    fn with_ten_links_to_come_a_link_gets_its_minute_check_and_the_deadline() {
        let checks = simulate_until(0, vec![], 9, i64::MAX);
        assert_eq!(checks, [60_000, WINDOW]);
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
    fn ten_talents_in_an_hour_are_all_watched_within_the_budget() {
        // Talents finish 50–110 s into their link; every link is seen finishing by an automatic
        // check, and the reserve for "check now" is never touched.
        let mut calls: Vec<i64> = vec![];
        for k in 0..10u32 {
            let start = i64::from(k) * 300_000;
            let done = 50_000 + i64::from(k % 4) * 20_000;
            let checks = simulate_until(start, calls.clone(), 9 - k, done);
            assert!(
                checks.last().is_some_and(|&t| t >= start + done),
                "link {k} never saw the talent finish: {checks:?}"
            );
            calls.extend(checks);
        }
        assert!(calls.len() <= 17, "{} checks: {calls:?}", calls.len());
    }

    #[test]
    fn ten_links_nobody_scans_still_leave_the_reserve() {
        let mut calls: Vec<i64> = vec![];
        for k in 0..10u32 {
            let start = i64::from(k) * 300_000;
            calls.extend(simulate_until(start, calls.clone(), 9 - k, i64::MAX));
        }
        assert!(calls.len() <= 17, "{}", calls.len());
    }

    #[test]
    fn the_last_check_left_goes_to_the_deadline() {
        let calls: Vec<i64> = (0..16).map(|i| i * 1_000).collect();
        assert_eq!(
            plan(P, 100_000, link(100_000), &calls, None, 0, 0),
            PollPlan::CheckAt(100_000 + WINDOW)
        );
    }

    #[test]
    fn an_exhausted_budget_waits_for_the_oldest_call_to_age_out() {
        let calls: Vec<i64> = (0..17).map(|i| i * 10_000).collect();
        let now = 1_000_000;
        assert_eq!(
            plan(P, now, link(now), &calls, None, 0, 0),
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
            plan(P, now, link(now), &old, None, 0, 0),
            PollPlan::CheckAt(_)
        ));
        assert_eq!(manual_check(P, now, &old), Ok(()));
    }

    #[test]
    fn never_faster_than_five_seconds_even_with_a_large_budget() {
        let big = PollPolicy {
            budget_per_hour: 10_000,
            ..P
        };
        let first = plan(big, 0, link(0), &[], None, 0, 0).at_ms();
        assert_eq!(first, 60_000);
        let second = plan(big, first, link(0), &[first], Some(first), 1, 0).at_ms();
        assert!((65_000..75_000).contains(&second), "{second}");
    }

    #[test]
    fn a_resumed_session_past_its_first_wait_checks_at_once() {
        assert_eq!(
            plan(P, 90_000, link(0), &[], None, 0, 0),
            PollPlan::CheckAt(90_000)
        );
    }
}
