//! The GitHub token through the real OS keyring: store, read, replace, delete.
//!
//! It needs a D-Bus session with an unlocked Secret Service, which `tests/keyring.sh` sets up
//! (a throwaway HOME, `dbus-run-session`, `gnome-keyring-daemon --unlock`) before running this
//! with the `keyring-tests` feature. Without the feature it is not built, so a plain `cargo test`
//! never touches the keyring of the person running it; with it and no keyring, it fails.

use rota_io::secrets::{OsKeyring, SecretName, SecretStore, SecretValue, SERVICE};

#[test]
fn github_token_store_read_replace_delete_through_the_real_keyring() {
    let keyring = OsKeyring;
    let name = SecretName::GithubToken;
    let first = SecretValue::new("ghp_first0000000000000000000000000000");
    let second = SecretValue::new("ghp_second000000000000000000000000000");

    keyring.delete(name).unwrap(); // a clean slate, whether or not it existed
    assert_eq!(keyring.get(name).unwrap(), None);

    keyring.set(name, &first).unwrap();
    assert_eq!(keyring.get(name).unwrap(), Some(first.clone()));

    keyring.set(name, &second).unwrap();
    assert_eq!(keyring.get(name).unwrap(), Some(second.clone()), "set replaces");

    // The other secret is a separate entry.
    assert_eq!(keyring.get(SecretName::SlackWebhook).unwrap(), None);

    // Stored under service `rota`, user `github-token`: what another keyring client sees.
    let raw = keyring::Entry::new(SERVICE, "github-token").unwrap();
    assert_eq!(raw.get_password().unwrap(), second.expose());

    assert!(keyring.delete(name).unwrap());
    assert_eq!(keyring.get(name).unwrap(), None);
    assert!(!keyring.delete(name).unwrap(), "deleting twice is not an error");
}

/// The GitHub token is kept per API host, so a config pointed at another host finds
/// none and never sends it there.
#[test]
fn the_github_token_is_tied_to_its_api_host() {
    let keyring = OsKeyring;
    let token = SecretValue::new("ghp_host0000000000000000000000000000");
    for host in ["ghe.example.com", "127.0.0.1:1"] {
        keyring.delete_github_token(host).unwrap();
    }
    keyring.set_github_token("GHE.example.com", &token).unwrap();
    assert_eq!(keyring.get_github_token("ghe.example.com").unwrap(), Some(token.clone()));
    assert_eq!(keyring.get_github_token("127.0.0.1:1").unwrap(), None, "another host finds none");
    let raw = keyring::Entry::new(SERVICE, "github-token@ghe.example.com").unwrap();
    assert_eq!(raw.get_password().unwrap(), token.expose());
    assert!(keyring.delete_github_token("ghe.example.com").unwrap());
    assert_eq!(keyring.get_github_token("ghe.example.com").unwrap(), None);
}

/// The Slack token is kept per API host as the GitHub token is: `slack-token@HOST`.
#[test]
fn the_slack_token_is_kept_per_api_host() {
    let keyring = OsKeyring;
    let name = SecretName::SlackToken;
    let token = SecretValue::new("xoxb-keyring-0000-per-host");
    keyring.delete_at(name, "slack.com").unwrap();
    keyring.set_at(name, "Slack.com", &token).unwrap();
    assert_eq!(keyring.get_at(name, "slack.com").unwrap(), Some(token.clone()));
    assert_eq!(keyring.get_at(name, "127.0.0.1:9").unwrap(), None, "another host finds none");
    assert_eq!(keyring.get(name).unwrap(), None, "no host-less entry");
    let raw = keyring::Entry::new(SERVICE, "slack-token@slack.com").unwrap();
    assert_eq!(raw.get_password().unwrap(), token.expose());
    assert!(keyring.delete_at(name, "slack.com").unwrap());
}
