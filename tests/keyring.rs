//! The OS keyring for real: a Secret Service (gnome-keyring in a private D-Bus session in CI).
//! Ignored by a plain `cargo test` because it needs that session; scripts/test-all runs it with
//! `dbus-run-session` and `--ignored`.

use likeness::providers::ProviderKind;
use likeness::secrets::{KeyringStore, Secret, SecretName, SecretStore};
use likeness::stage::rehearsal_key;

/// One service per test: tests run in parallel and must not share entries.
fn service(test: &str) -> String {
    format!("likeness-studio-test-{test}-{}", std::process::id())
}

#[test]
#[ignore = "needs a Secret Service; run by scripts/test-all inside dbus-run-session"]
fn api_key_round_trips_through_the_secret_service() {
    let store = KeyringStore::new(service("round-trip"));
    let name = SecretName::ApiKey(ProviderKind::Rehearsal);
    store.delete(name).unwrap();
    assert!(
        store.get(name).unwrap().is_none(),
        "a missing entry reads as None"
    );
    store.set(name, &Secret::new("brk_test_123")).unwrap();
    assert_eq!(store.get(name).unwrap().unwrap().expose(), "brk_test_123");
    // A second store object sees it: the value lives in the keyring, not in this process.
    assert_eq!(
        KeyringStore::new(service("round-trip"))
            .get(name)
            .unwrap()
            .unwrap()
            .expose(),
        "brk_test_123"
    );
    store.set(name, &Secret::new("brk_test_456")).unwrap();
    assert_eq!(
        store.get(name).unwrap().unwrap().expose(),
        "brk_test_456",
        "set replaces"
    );
    store.delete(name).unwrap();
    store.delete(name).unwrap();
    assert!(store.get(name).unwrap().is_none());
}

#[test]
#[ignore = "needs a Secret Service; run by scripts/test-all inside dbus-run-session"]
fn rehearsal_key_is_made_once_and_then_reused() {
    let store = KeyringStore::new(service("rehearsal-key"));
    let name = SecretName::ApiKey(ProviderKind::Rehearsal);
    store.delete(name).unwrap();
    let first = rehearsal_key(&store).unwrap();
    assert!(first.expose().starts_with("rh_") && first.expose().len() == 35);
    let again = rehearsal_key(&store).unwrap();
    assert_eq!(
        first, again,
        "the app, the CLI and `rehearsal serve` must agree on one key"
    );
    store.delete(name).unwrap();
}
