//! The phone seen to connect, on the app's own launch path (`Stage::start` with the built-in
//! Rehearsal, then a Studio with the stage's phone watch): the view says "not yet" while the QR
//! is up, then "opened" the moment a phone fetches the page's session, with a fresh view
//! broadcast; the Phone test's page is seen the same way; and the loopback address is never
//! silent. A real provider's page gets "the provider reports".

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{PhotoHost, StartAgreed};
use likeness::flow::phone::PhoneSignal;
use likeness::flow::{SessionState, Studio, StudioConfig};
use likeness::http::TrustRoots;
use likeness::library::Library;
use likeness::phone_reach::AddressKind;
use likeness::providers::ProviderKind;
use likeness::secrets::MemoryStore;
use likeness::settings::{PaymentMethod, Settings};
use likeness::stage::{Stage, StageOptions};

async fn studio_on_rehearsal(photos: &PhotoHost) -> (Arc<Studio>, Stage) {
    let settings = Settings {
        provider: ProviderKind::Rehearsal,
        rehearsal_host: Some("127.0.0.1".into()),
        rehearsal_port: common::unused_port(),
        payment_method: PaymentMethod::ApiKey,
        ..Settings::default()
    };
    let options = StageOptions {
        trust: TrustRoots(vec![photos.root_cert_der()]),
        ..StageOptions::default()
    };
    let stage = Stage::start(&settings, &MemoryStore::default(), &options)
        .await
        .unwrap();
    let studio = Studio::new(
        Arc::new(Library::open_in_memory().unwrap()),
        stage.provider.clone(),
        stage.http.clone(),
        StudioConfig {
            phone_watch: stage.phone_watch(),
            ..StudioConfig::for_provider(&stage.provider)
        },
    );
    studio.watch_phones();
    (studio, stage)
}

/// What the phone page's script does first: ask for its session by the token in its link.
async fn phone_opens(h5_link: &str) -> reqwest::StatusCode {
    let link = url::Url::parse(h5_link).unwrap();
    let token = link
        .query_pairs()
        .find(|(k, _)| k == "sessionToken")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let api = link.join("/h5/api/session").unwrap();
    reqwest::Client::new()
        .get(api)
        .query(&[("sessionToken", token)])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_operator_sees_the_phone_open_the_page() {
    let photos = PhotoHost::start().await;
    let (studio, _stage) = studio_on_rehearsal(&photos).await;
    let mut updates = studio.subscribe();
    let view = studio
        .start_agreed("Ada Lovelace", Some(&photos.url("/face.jpg")), false)
        .await
        .unwrap();
    assert_eq!(view.session.state, SessionState::AwaitingScan);
    assert_eq!(view.phone, PhoneSignal::NotYet);
    let id = view.session.id.clone();

    // A page fetch with a wrong token is not this session's phone.
    let wrong = view
        .session
        .h5_link
        .replace("sessionToken=", "sessionToken=x");
    assert_eq!(phone_opens(&wrong).await, reqwest::StatusCode::NOT_FOUND);
    assert_eq!(studio.session_view(&id).unwrap().phone, PhoneSignal::NotYet);

    let before = chrono_ms();
    assert!(phone_opens(&view.session.h5_link).await.is_success());
    let announced = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let v = updates.recv().await.unwrap();
            if v.session.id == id && matches!(v.phone, PhoneSignal::Opened { .. }) {
                return v;
            }
        }
    })
    .await
    .expect("a view saying the phone opened the page is broadcast");
    let PhoneSignal::Opened { at_ms } = announced.phone else {
        unreachable!()
    };
    assert!(at_ms >= before && at_ms <= chrono_ms(), "{at_ms}");
    assert_eq!(announced.session.state, SessionState::AwaitingScan);
    // And it stays so: the session's own view reads the same sighting.
    assert_eq!(studio.session_view(&id).unwrap().phone, announced.phone);
}

#[tokio::test]
async fn the_phone_test_sees_a_phone_open_its_page() {
    let photos = PhotoHost::start().await;
    let (studio, _stage) = studio_on_rehearsal(&photos).await;
    let test = studio.start_phone_test().unwrap();
    assert!(test.qr_svg.contains("<svg"));
    assert!(test.link.contains("/phone-test?nonce="), "{}", test.link);

    // No phone yet: the wait ends with none.
    let none = studio
        .phone_test_opened(&test.nonce, Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(none, None);

    let waiting = {
        let studio = Arc::clone(&studio);
        let nonce = test.nonce.clone();
        tokio::spawn(async move {
            studio
                .phone_test_opened(&nonce, Duration::from_secs(10))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let page = reqwest::get(&test.link).await.unwrap();
    assert!(page.status().is_success());
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("reaches the studio computer"));
    let seen = waiting.await.unwrap().unwrap();
    assert!(seen.is_some(), "the desktop learns the phone came");

    // Another test's nonce is not this one.
    let other = studio.start_phone_test().unwrap();
    assert_ne!(other.nonce, test.nonce);
    assert_eq!(
        studio
            .phone_test_opened(&other.nonce, Duration::from_millis(200))
            .await
            .unwrap(),
        None
    );
    // A malformed nonce is refused by the page.
    let bad = test.link.replace(&test.nonce, "no%20spaces");
    assert_eq!(reqwest::get(&bad).await.unwrap().status(), 400);
}

#[tokio::test]
async fn a_loopback_phone_address_is_never_silent() {
    let photos = PhotoHost::start().await;
    let (_studio, stage) = studio_on_rehearsal(&photos).await;
    let reach = stage
        .info
        .phone_reach
        .as_ref()
        .expect("Rehearsal runs here");
    assert_eq!(reach.host, "127.0.0.1");
    assert_eq!(reach.kind, AddressKind::Loopback);
    let warning = reach
        .warning
        .as_deref()
        .expect("a loopback QR is warned about");
    assert!(
        warning.contains("Phones cannot open the QR")
            || warning.contains("No network address found"),
        "{warning}"
    );
}

#[tokio::test]
async fn a_providers_own_page_waits_for_the_provider_to_report() {
    let photos = PhotoHost::start().await;
    let rehearsal = common::start_rehearsal(&photos).await;
    // Rehearsal run elsewhere (a base URL) is a provider like any other: its page is not ours.
    let settings = Settings {
        provider: ProviderKind::Rehearsal,
        base_url: Some(rehearsal.base_url().to_string()),
        payment_method: PaymentMethod::ApiKey,
        ..Settings::default()
    };
    let options = StageOptions {
        trust: TrustRoots(vec![photos.root_cert_der()]),
        api_key: Some(likeness::secrets::Secret::new(common::TEST_API_KEY)),
        ..StageOptions::default()
    };
    let stage = Stage::start(&settings, &MemoryStore::default(), &options)
        .await
        .unwrap();
    assert!(stage.phone_watch().is_none());
    assert!(stage.info.phone_reach.is_none());
    let studio = Studio::new(
        Arc::new(Library::open_in_memory().unwrap()),
        stage.provider.clone(),
        stage.http.clone(),
        StudioConfig {
            phone_watch: stage.phone_watch(),
            ..StudioConfig::for_provider(&stage.provider)
        },
    );
    let view = studio
        .start_agreed("Ada Lovelace", Some(&photos.url("/face.jpg")), false)
        .await
        .unwrap();
    assert_eq!(view.phone, PhoneSignal::ProviderReports);
    let e = studio.start_phone_test().unwrap_err();
    assert!(e.to_string().contains("works on Rehearsal"), "{e}");
}

fn chrono_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}
