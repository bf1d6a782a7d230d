//! The GitHub token through `rota secret set` and the real keyring, and never in any output:
//! the token is stored from stdin, used against a local GitHub test server, then
//! every command that fails (401, 5xx, no server, no token) is checked for it, as are the
//! config, data and cache folders.
//!
//! Run by `tests/keyring.sh` (a private D-Bus session with an unlocked gnome-keyring), which
//! builds it with the `keyring-tests` feature; without a keyring it fails.

use crate::support;

use rota_testkit::github::{handler, Repo};
use rota_testkit::http::Server;
use rota_testkit::team;
use serde_json::Value;
use std::process::Output;

use support::{files_containing, text};

const TOKEN: &str = "ghp_LEAKCHECK7f3a9c2e1b5d4068a1b2c3d4e5f607";

const NOW: &str = "2024-03-05T12:00:00Z";

#[test]
fn the_token_goes_from_stdin_to_the_keyring_to_github_and_nowhere_else() {
    let _turn = support::keyring_turn();
    let repo = Repo::shared();
    let server = Server::start_on_thread(handler(repo.clone()));
    let home = support::Home::new();
    let write_config = |api: &str| {
        home.write("config/rota/config.toml", &format!("me = \"ann\"\n{}", team::github(api)));
    };
    write_config(&server.base);

    let mut outputs: Vec<(String, Output)> = Vec::new();
    let mut run = |label: &str, args: &[&str], stdin: &str| -> Output {
        let out = support::run(home.with_session(NOW, args), stdin);
        outputs.push((label.to_owned(), out.clone()));
        out
    };

    // A clean slate, then the token from stdin (never an argument).
    run("delete before", &["secret", "delete", "github-token"], "");
    let out = run("set", &["secret", "set", "github-token"], &format!("{TOKEN}\n"));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(text(&out), "Stored github-token in the OS keyring.\n");

    // Used: the server saw it, and only in the Authorization header.
    let out = run("escalate", &["escalate", "--title", "Search is down", "--to", "lena", "--severity", "sev1", "--json"], "");
    assert!(out.status.success(), "{}", text(&out));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((e["id"].as_str(), e["assignee"].as_str(), e["severity"].as_str()), (Some("1"), Some("lena"), Some("sev1")));
    let out = run("list", &["escalations", "--mine", "--json"], "");
    assert!(out.status.success(), "{}", text(&out));
    let requests = server.requests();
    assert!(!requests.is_empty());
    for (req, _) in &requests {
        assert_eq!(req.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
        assert!(!req.target.contains(TOKEN) && !req.body.contains(TOKEN), "the token only in the header");
    }

    // Rejected: a clear error, exit 1.
    repo.lock().unwrap().fail_with = Some(401);
    // An escalation filed meanwhile is not lost: it waits in the outbox, exit 0.
    let out = run("401 escalate", &["escalate", "--title", "x", "--to", "lena"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out)
            .contains("GitHub token rejected: store a new one with `rota secret set github-token`; the escalation is saved in the outbox"),
        "{}",
        text(&out)
    );
    for (label, args) in [("401 list", &["escalations"][..]), ("401 ack", &["ack", "1"])] {
        let out = run(label, args, "");
        assert_eq!(out.status.code(), Some(1), "{label}: {}", text(&out));
        assert!(
            text(&out).contains("GitHub token rejected: store a new one with `rota secret set github-token`"),
            "{label}: {}",
            text(&out)
        );
    }
    repo.lock().unwrap().fail_with = Some(500);
    let out = run("500", &["escalations"], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    // The token is tied to the API host it was stored for. Pointed at another host, the
    // config finds none, and nothing is sent there.
    let elsewhere = Server::start_on_thread(handler(Repo::shared()));
    write_config(&elsewhere.base);
    let out = run("another host", &["escalations"], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let host = elsewhere.base.trim_start_matches("http://");
    assert!(text(&out).contains(&format!("no GitHub token is stored for {host}: run `rota secret set github-token`")), "{}", text(&out));
    assert!(elsewhere.requests().is_empty(), "nothing was sent to the other host");
    write_config(&server.base);

    // Removed: the next command says how to store one.
    let out = run("delete", &["secret", "delete", "github-token"], "");
    assert_eq!(text(&out), "Removed github-token from the OS keyring.\n");
    let out = run("no token", &["escalations"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("no GitHub token is stored for"), "{}", text(&out));

    // Never in any output, nor in Rota's folders.
    let needles = [TOKEN, &TOKEN[4..20], &TOKEN[TOKEN.len() - 16..]];
    for (label, out) in &outputs {
        let all = text(out);
        for n in needles {
            assert!(!all.contains(n), "{label} printed the token: {all}");
        }
    }
    for n in needles {
        let found = files_containing(home.path(), n.as_bytes());
        assert!(found.is_empty(), "the token is in {found:?}");
    }
}
