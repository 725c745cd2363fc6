#[test]
fn a_rehearsal_link_follows_rehearsal_to_its_new_port_and_keeps_its_tokens() {
    let link = "http://192.168.1.20:8402/h5/?accessKeyId=rehearsal&sessionToken=st_1&configId=rg_2";
    let now = url::Url::parse("http://192.168.1.20:40511/").unwrap();
    assert_eq!(
        moved_link(link, &now).as_deref(),
        Some("http://192.168.1.20:40511/h5/?accessKeyId=rehearsal&sessionToken=st_1&configId=rg_2")
    );
    // A new LAN address, same port.
    let wifi = url::Url::parse("http://10.0.0.7:8402/").unwrap();
    assert_eq!(
        moved_link(link, &wifi).as_deref(),
        Some("http://10.0.0.7:8402/h5/?accessKeyId=rehearsal&sessionToken=st_1&configId=rg_2")
    );
}

#[test]
fn a_link_already_where_rehearsal_listens_or_no_link_at_all_is_left_alone() {
    let here = url::Url::parse("http://192.168.1.20:8402/").unwrap();
    assert_eq!(
        moved_link("http://192.168.1.20:8402/h5/?sessionToken=st_1", &here),
        None
    );
    assert_eq!(moved_link("not a link", &here), None);
    assert_eq!(moved_link("", &here), None);
}

use std::time::Duration;

use super::*;
use crate::providers::scripted::Script;

fn studio(script: &Arc<Script>) -> Arc<Studio> {
    let provider = Provider::Scripted(Arc::clone(script));
    let config = StudioConfig::for_provider(&provider);
    Studio::new(
        Arc::new(Library::open_in_memory().unwrap()),
        provider,
        reqwest::Client::new(),
        config,
    )
}

/// Waits (in paused time) until the session reaches `state`.
async fn until(rx: &mut broadcast::Receiver<SessionView>, state: SessionState) -> SessionView {
    loop {
        let v = tokio::time::timeout(Duration::from_secs(3600), rx.recv())
            .await
            .expect("no update")
            .unwrap();
        if v.session.state == state {
            return v;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn polls_within_budget_until_the_talent_finishes() {
    let script = Arc::new(Script::default());
    script
        .statuses
        .lock()
        .unwrap()
        .extend([Ok(LivenessStatus::Pending), Ok(LivenessStatus::Active)]);
    let studio = studio(&script);
    let mut rx = studio.subscribe();
    let t0 = tokio::time::Instant::now();
    let view = studio.start_agreed("Ada", None, false).await.unwrap();
    assert!(view.qr_svg.is_some(), "a waiting session carries its QR");
    let budget = view.budget.expect("the view shows the budget");
    assert_eq!(budget.new_links_left, 9, "{budget:?}");
    assert_eq!(budget.status_checks_left, 20, "{budget:?}");
    let verified = until(&mut rx, SessionState::Verified).await;
    assert_eq!(verified.session.id, view.session.id);
    let calls = script.status_calls.lock().unwrap().clone();
    let at: Vec<u64> = calls.iter().map(|c| (*c - t0).as_secs()).collect();
    // With the hour's other nine links to provide for, this link gets the talent's minute
    // and the deadline.
    assert_eq!(at, [60, 120], "check times");
    assert_eq!(verified.budget.unwrap().status_checks_left, 18);
}

#[tokio::test(start_paused = true)]
async fn link_expires_after_a_deadline_check_and_a_fresh_qr_resumes() {
    let script = Arc::new(Script::default());
    let studio = studio(&script);
    let mut rx = studio.subscribe();
    let t0 = tokio::time::Instant::now();
    let view = studio.start_agreed("Ada", None, false).await.unwrap();
    let expired = until(&mut rx, SessionState::Expired).await;
    assert!(
        t0.elapsed() >= Duration::from_secs(120),
        "not before the deadline"
    );
    assert!(
        t0.elapsed() < Duration::from_secs(125),
        "promptly at the deadline"
    );
    assert!(expired.qr_svg.is_none(), "an expired QR is not shown");
    let last = *script.status_calls.lock().unwrap().last().unwrap();
    assert!(
        last - t0 >= Duration::from_secs(120),
        "the last check is made at the deadline"
    );
    let calls_before = script.status_calls.lock().unwrap().len();
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(
        script.status_calls.lock().unwrap().len(),
        calls_before,
        "no polling of a dead link"
    );

    let fresh = studio.refresh_session(&view.session.id).await.unwrap();
    assert_eq!(fresh.session.state, SessionState::AwaitingScan);
    assert_eq!(fresh.session.group_id, view.session.group_id, "same group");
    assert_ne!(fresh.session.h5_link, view.session.h5_link, "new link");
    script
        .statuses
        .lock()
        .unwrap()
        .push_back(Ok(LivenessStatus::Active));
    until(&mut rx, SessionState::Verified).await;
}

#[tokio::test(start_paused = true)]
async fn a_429_is_honoured_before_the_next_check() {
    let script = Arc::new(Script::default());
    script
        .statuses
        .lock()
        .unwrap()
        .extend([Script::rate_limited(40), Ok(LivenessStatus::Active)]);
    let studio = studio(&script);
    let mut rx = studio.subscribe();
    studio.start_agreed("Ada", None, false).await.unwrap();
    until(&mut rx, SessionState::Verified).await;
    let calls = script.status_calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert!(
        calls[1] - calls[0] >= Duration::from_secs(40),
        "Retry-After must be honoured"
    );
}

#[tokio::test(start_paused = true)]
async fn the_hourly_budget_holds_across_many_sessions() {
    let script = Arc::new(Script::default());
    let studio = studio(&script);
    let mut rx = studio.subscribe();
    let start = tokio::time::Instant::now();
    for _ in 0..5 {
        studio.start_agreed("Ada", None, false).await.unwrap();
        until(&mut rx, SessionState::Expired).await;
    }
    let calls = script.status_calls.lock().unwrap().clone();
    let in_first_hour = calls
        .iter()
        .filter(|&&t| t - start < Duration::from_secs(3600))
        .count();
    assert!(
        in_first_hour <= 17,
        "automatic checks keep the reserve: {in_first_hour}"
    );
    assert!(
        in_first_hour >= 10,
        "each window still got checks: {in_first_hour}"
    );
}

#[tokio::test(start_paused = true)]
async fn init_budget_refuses_the_eleventh_link_in_an_hour() {
    let script = Arc::new(Script::default());
    let studio = studio(&script);
    for _ in 0..10 {
        let v = studio.start_agreed("Ada", None, false).await.unwrap();
        studio.cancel_session(&v.session.id).unwrap();
    }
    let e = studio.start_agreed("Ada", None, false).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RateLimited);
    assert_eq!(
        *script.inits.lock().unwrap(),
        10,
        "the 11th init was never sent"
    );
}

#[tokio::test(start_paused = true)]
async fn enroll_needs_a_verified_session_and_happens_once() {
    let script = Arc::new(Script::default());
    let studio = studio(&script);
    let v = studio.start_agreed("Ada", None, false).await.unwrap();
    let e = studio
        .enroll_session(&v.session.id, None, Some("https://example.com/a.jpg"), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert_eq!(
        *script.enrolls.lock().unwrap(),
        0,
        "no enroll before the phone check"
    );
}
