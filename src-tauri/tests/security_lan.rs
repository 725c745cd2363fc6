//! What the app exposes on the studio network (docs/SECURITY.md, "On the LAN"): the built-in
//! Rehearsal server and the LAN callback receiver listen on loopback unless the operator names
//! a LAN address for phones, and on the LAN Rehearsal answers paid calls only with a key or a
//! payment, like the real provider it plays.

use std::net::SocketAddr;

use likeness::providers::ProviderKind;
use likeness::secrets::{MemoryStore, SecretName, SecretStore};
use likeness::settings::Settings;
use likeness::stage::{Stage, StageOptions};
use provider_api::ProviderApi;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn settings(host: &str, personality: ProviderApi) -> Settings {
    let rehearsal_port = free_port();
    Settings {
        rehearsal_host: Some(host.into()),
        rehearsal_port,
        callback_port: free_port(),
        rehearsal_personality: personality,
        ..Settings::default()
    }
}

/// Where the running Rehearsal listens and where the callback receiver would.
fn binds(settings: &Settings) -> (SocketAddr, Option<SocketAddr>) {
    tauri::async_runtime::block_on(async {
        let mut stage = Stage::start(settings, &MemoryStore::default(), &StageOptions::default())
            .await
            .unwrap();
        let rehearsal = stage.rehearsal().unwrap().local_addr();
        let callback = stage.callback_target(settings).map(|(bind, _)| bind);
        stage.stop().await;
        (rehearsal, callback)
    })
}

#[test]
fn rehearsal_and_the_callback_receiver_stay_on_loopback_unless_phones_need_them() {
    let (rehearsal, callback) = binds(&settings("127.0.0.1", ProviderApi::Anyfast));
    assert!(rehearsal.ip().is_loopback(), "{rehearsal}");
    assert!(callback.unwrap().ip().is_loopback(), "{callback:?}");

    // A LAN address for phones (192.0.2.10 is a documentation address: nothing is sent to it).
    let (rehearsal, callback) = binds(&settings("192.0.2.10", ProviderApi::Anyfast));
    assert!(rehearsal.ip().is_unspecified(), "{rehearsal}");
    assert!(callback.unwrap().ip().is_unspecified(), "{callback:?}");

    // BlockRun's API sends no phone back: no receiver at all.
    let lan = settings("192.0.2.10", ProviderApi::BlockRun);
    let (_, callback) = binds(&lan);
    assert_eq!(callback, None);
    let off = Settings {
        lan_callback: false,
        ..settings("192.0.2.10", ProviderApi::Anyfast)
    };
    assert_eq!(binds(&off).1, None, "the operator can switch it off");
}

#[test]
fn on_the_lan_rehearsal_answers_paid_calls_only_with_a_key_or_a_payment() {
    let lan = settings("192.0.2.10", ProviderApi::BlockRun);
    let store = MemoryStore::default();
    tauri::async_runtime::block_on(async {
        let mut stage = Stage::start(&lan, &store, &StageOptions::default())
            .await
            .unwrap();
        let server = stage.rehearsal().unwrap();
        // Another machine on the studio Wi-Fi, reaching the 0.0.0.0 listener.
        let base = format!("http://127.0.0.1:{}", server.local_addr().port());
        let owner = server.key_owner().to_string();
        let http = reqwest::Client::new();
        let status = |r: reqwest::Response| r.status().as_u16();

        // The phone's page is what the LAN is for.
        let page = http.get(format!("{base}/h5/")).send().await.unwrap();
        assert_eq!(status(page), 200);

        // Paid calls: a payment challenge, never a free enrollment.
        let portrait = http
            .post(format!("{base}/v1/portrait/enroll"))
            .json(
                &serde_json::json!({ "name": "Robo", "image_url": "https://example.com/robo.jpg" }),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(status(portrait), 402, "an x402 challenge without a payment");
        let wrong_key = http
            .post(format!("{base}/v1/portrait/enroll"))
            .bearer_auth("brk_not_the_key")
            .json(
                &serde_json::json!({ "name": "Robo", "image_url": "https://example.com/robo.jpg" }),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(status(wrong_key), 401, "a wrong key");
        // BytePlus accounts: no key, no group and no upload.
        for path in ["/volc/asset/CreateAsset", "/volc/asset/ListAssets"] {
            let r = http
                .post(format!("{base}{path}"))
                .json(&serde_json::json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(status(r), 401, "{path} without a key");
        }
        let wrong = http
            .post(format!("{base}/volc/asset/ListAssets"))
            .bearer_auth("not-the-key")
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(status(wrong), 401, "a wrong key");

        // Like BlockRun's own API, a wallet's listing is public to whoever knows the address:
        // on the LAN that is Rehearsal's rehearsal data (docs/SECURITY.md says so).
        let listing = http
            .get(format!("{base}/v1/wallet/{owner}/realfaces"))
            .send()
            .await
            .unwrap();
        assert_eq!(status(listing), 200);

        // The key itself is never served: it stays in the secret store.
        let key = store
            .get(SecretName::ApiKey(ProviderKind::Rehearsal))
            .unwrap()
            .unwrap();
        let page = http
            .get(format!("{base}/h5/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains(key.expose()));
        stage.stop().await;
    });
}

/// Someone else on the studio Wi-Fi calling the receiver cannot make a session "verified": a
/// passing code only makes the app ask the provider, whose answer decides, and a token from
/// another QR is not matched to the session.
#[test]
fn a_forged_callback_cannot_verify_a_session() {
    use likeness::flow::{SessionState, Studio, StudioConfig};
    use likeness::library::Library;
    use std::sync::Arc;

    let settings = settings("127.0.0.1", ProviderApi::Anyfast);
    tauri::async_runtime::block_on(async {
        let mut stage = Stage::start(&settings, &MemoryStore::default(), &StageOptions::default())
            .await
            .unwrap();
        let studio = Studio::new(
            Arc::new(Library::open_in_memory().unwrap()),
            stage.provider.clone(),
            stage.http.clone(),
            StudioConfig::for_provider(&stage.provider),
        );
        let (bind, host) = stage.callback_target(&settings).unwrap();
        let receiver = studio.serve_callbacks(bind, &host).await.unwrap();
        let view = studio.start_session("Ada", None, false).await.unwrap();
        let sha = view.release.clone().unwrap().sha256;
        let view = studio
            .give_consent(&view.session.id, "Ada", &sha)
            .await
            .unwrap();
        let id = view.session.id.clone();
        let token = view.session.liveness_token.clone().unwrap();
        let done = |query: String| {
            let url = format!("http://127.0.0.1:{}/liveness/done?{query}", receiver.port());
            async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
        };

        // A token from another QR is not this session's.
        let page = done(format!("session={id}&bytedToken=other&resultCode=10000")).await;
        assert!(page.contains("Hand the phone back"), "{page}");
        let page = done(format!("session={id}&bytedToken=other&resultCode=50001")).await;
        assert!(page.contains("Hand the phone back"), "{page}");
        let state = studio.session_view(&id).unwrap().session.state;
        assert_eq!(state, SessionState::AwaitingScan, "nothing changed");

        // Knowing the session id alone is not enough to end its QR.
        let page = done(format!("session={id}&resultCode=50001")).await;
        assert!(page.contains("Hand the phone back"), "{page}");
        let view = studio.session_view(&id).unwrap();
        assert_eq!(
            view.session.state,
            SessionState::AwaitingScan,
            "a failing callback without the QR's token changes nothing"
        );
        assert!(view.qr_svg.is_some(), "the same QR still shown");

        // "Passed", with the right token, while the talent has not done the check: the app
        // reads the result once, the provider has no group to give, and the one-time token is
        // spent. Someone who saw the QR can waste it, never verify it.
        let page = done(format!("session={id}&bytedToken={token}&resultCode=10000")).await;
        assert!(page.contains("hand the phone back"), "{page}");
        let view = studio.session_view(&id).unwrap();
        assert_eq!(
            view.session.state,
            SessionState::Expired,
            "the provider was asked and said no"
        );

        studio.stop();
        stage.stop().await;
    });
}
