//! Never lost, never twice, with the real `rota` binary on the local backend: the
//! process is killed with SIGKILL right after an escalation is saved in the outbox, and right
//! after the backend accepted one but before the outbox recorded it; the next `rota` command
//! sends what waits, and each escalation exists exactly once.
//!
//! The kill points come from the test hook `ROTA_TEST_PAUSE_AFTER=saved|sent`: `rota` prints
//! `ROTA_TEST_PAUSED <step>` and waits on stdin, and the test kills it there. The same run
//! against a GitHub test server needs the token from the keyring: outbox_keyring.rs.

use crate::support;

use serde_json::Value;
use std::os::unix::process::ExitStatusExt;
use support::{json_of, stderr};

pub const AT: &str = "2024-03-05T12:00:00Z";

/// A home of its own for each test, with no session bus, pinned at [`AT`].
fn home() -> support::Home {
    support::Home::pinned(AT).with_config("me = \"ann\"\n")
}

/// Runs `rota args` until it says it reached `step`, then kills it with SIGKILL.
fn kill_after(home: &support::Home, step: &str, args: &[&str]) {
    let status = support::kill_after(home.command(AT, args), step);
    assert_eq!(status.signal(), Some(9), "killed by SIGKILL");
}

fn titles_and_states(list: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["title"].as_str().unwrap().to_owned(), e["state"].as_str().unwrap().to_owned()))
        .collect();
    v.sort();
    v
}

#[test]
fn killed_after_saving_and_after_sending_then_restarted_each_escalation_exists_once() {
    let home = home();

    // Killed right after saving: nothing sent yet.
    kill_after(&home, "saved", &["escalate", "--title", "Saved then killed", "--to", "diego"]);
    // Killed right after the local store accepted it, before the outbox knew.
    kill_after(&home, "sent", &["escalate", "--title", "Sent then killed", "--to", "diego"]);

    // Restarted: `rota escalations` sends what waits (the first), finds the second already filed.
    let out = home.rota(&["escalations", "--json"]);
    let list = json_of(&out);
    assert_eq!(
        titles_and_states(&list),
        [("Saved then killed".into(), "open".into()), ("Sent then killed".into(), "open".into())],
        "stderr: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("from the outbox"), "{}", stderr(&out));

    // Killed in the middle of a drain, after the send: the next run neither loses nor repeats it.
    kill_after(&home, "saved", &["escalate", "--title", "Third", "--to", "diego"]);
    kill_after(&home, "sent", &["escalations"]);
    let out = home.rota(&["escalate", "--title", "Fourth", "--to", "diego", "--json"]);
    assert_eq!(json_of(&out)["state"], "open");
    let list = json_of(&home.rota(&["escalations", "--json"]));
    let got = titles_and_states(&list);
    assert_eq!(got.len(), 4, "{got:?}");
    for t in ["Saved then killed", "Sent then killed", "Third", "Fourth"] {
        assert_eq!(got.iter().filter(|(title, state)| title == t && state == "open").count(), 1, "{t}: {got:?}");
    }
    // The ids are the store's, one to four: no escalation was ever filed twice.
    let mut ids: Vec<&str> = list.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, ["1", "2", "3", "4"]);
}

#[test]
fn a_bad_pause_value_is_a_usage_error() {
    let home = home();
    let mut c = home.command(AT, &["escalate", "--title", "x", "--to", "diego"]);
    c.env("ROTA_TEST_PAUSE_AFTER", "later");
    let out = support::output(c);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
