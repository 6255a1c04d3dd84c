//! The token in a real OS credential store.
//!
//! Ignored in a plain `cargo test` (a headless machine has no Secret Service). CI runs it
//! inside a private session bus with GNOME Keyring unlocked:
//! `dbus-run-session -- tests/keyring/with-secret-service.sh cargo test --test keyring -- --ignored`.

use recuperador_followups::api::Token;
use recuperador_followups::secrets::{KeyringStore, TokenStore as _};

#[test]
#[ignore = "needs a Secret Service (see tests/keyring/with-secret-service.sh)"]
fn the_token_round_trips_through_the_os_keyring() {
    // A test entry of its own: never the user's real token.
    let store = KeyringStore::open_entry("recuperador-followups-test", "ci-token")
        .unwrap_or_else(|e| panic!("no usable keyring: {e}"));
    assert!(store.is_persistent());
    store.delete().unwrap();
    assert_eq!(store.load().unwrap(), None);

    let token = Token::parse("ci-keyring-token-123").unwrap();
    store.save(&token).unwrap();
    assert_eq!(store.load().unwrap(), Some(token));

    // A second handle sees the same entry (what the CLI does after the window saved it).
    let again = KeyringStore::open_entry("recuperador-followups-test", "ci-token").unwrap();
    assert_eq!(
        again
            .load()
            .unwrap()
            .map(|t| t.expose().to_owned())
            .as_deref(),
        Some("ci-keyring-token-123")
    );

    let replaced = Token::parse("ci-keyring-token-456").unwrap();
    store.save(&replaced).unwrap();
    assert_eq!(again.load().unwrap(), Some(replaced));

    store.delete().unwrap();
    store.delete().unwrap();
    assert_eq!(again.load().unwrap(), None);
}

#[test]
#[ignore = "needs a Secret Service (see tests/keyring/with-secret-service.sh)"]
fn the_proxy_credentials_live_in_a_second_entry_beside_the_token() {
    use recuperador_followups::secrets::ProxyCredentials;
    let store = KeyringStore::open_entry("recuperador-followups-test", "ci-proxy-token")
        .unwrap_or_else(|e| panic!("no usable keyring: {e}"));
    store.delete().unwrap();
    store.delete_proxy().unwrap();
    let token = Token::parse("ci-keyring-token-789").unwrap();
    store.save(&token).unwrap();
    assert_eq!(store.load_proxy().unwrap(), None);

    let credentials = ProxyCredentials {
        user: "maria.souza".to_owned(),
        password: "s3nh@:forte ç".to_owned(),
    };
    store.save_proxy(&credentials).unwrap();
    let again = KeyringStore::open_entry("recuperador-followups-test", "ci-proxy-token").unwrap();
    assert_eq!(again.load_proxy().unwrap(), Some(credentials));
    // Two entries: removing one keeps the other.
    store.delete_proxy().unwrap();
    assert_eq!(again.load_proxy().unwrap(), None);
    assert_eq!(again.load().unwrap(), Some(token));
    store.delete().unwrap();
}
