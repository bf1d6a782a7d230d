//! Never lost, never twice (issue 5), with the real `rota` binary on the local backend: the
//! process is killed with SIGKILL right after an escalation is saved in the outbox, and right
//! after the backend accepted one but before the outbox recorded it; the next `rota` command
//! sends what waits, and each escalation exists exactly once.
//!
//! The kill points come from the test hook `ROTA_TEST_PAUSE_AFTER=saved|sent`: `rota` prints
//! `ROTA_TEST_PAUSED <step>` and waits on stdin, and the test kills it there. The same run
//! against a GitHub test server needs the token from the keyring: outbox_keyring.rs.

#[path = "../../io/tests/common/mod.rs"]
mod common;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub const AT: &str = "2024-03-05T12:00:00Z";

struct Home(tempfile::TempDir);

impl Home {
    fn new() -> Self {
        let home = Home(tempfile::tempdir().unwrap());
        let config = home.path().join("config/rota/config.toml");
        std::fs::create_dir_all(config.parent().unwrap()).unwrap();
        std::fs::write(config, "me = \"ann\"\n").unwrap();
        home
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn command(&self, args: &[&str], pause: Option<&str>) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rota"));
        c.args(args)
            .current_dir(self.path())
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CACHE_HOME", self.path().join("cache"))
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("ROTA_NOW", AT)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match pause {
            Some(step) => c.env("ROTA_TEST_PAUSE_AFTER", step),
            None => c.env_remove("ROTA_TEST_PAUSE_AFTER"),
        };
        c
    }

    fn rota(&self, args: &[&str]) -> Output {
        let mut child = self.command(args, None).spawn().unwrap();
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }

    /// Runs `rota args` until it says it reached `step`, then kills it with SIGKILL.
    fn kill_after(&self, step: &str, args: &[&str]) {
        let mut child = self.command(args, Some(step)).spawn().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let marker = format!("ROTA_TEST_PAUSED {step}");
        loop {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap() == 0 {
                let mut err = String::new();
                child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
                panic!("rota {args:?} ended before {step}: {:?}\n{err}", child.wait().unwrap());
            }
            if line.trim_end() == marker {
                break;
            }
        }
        child.kill().unwrap(); // SIGKILL: no destructor, no flush, no goodbye
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "killed by SIGKILL");
    }
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
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
    let home = Home::new();

    // Killed right after saving: nothing sent yet.
    home.kill_after("saved", &["escalate", "--title", "Saved then killed", "--to", "diego"]);
    // Killed right after the local store accepted it, before the outbox knew.
    home.kill_after("sent", &["escalate", "--title", "Sent then killed", "--to", "diego"]);

    // Restarted: `rota escalations` sends what waits (the first), finds the second already filed.
    let out = home.rota(&["escalations", "--json"]);
    let list = json(&out);
    assert_eq!(
        titles_and_states(&list),
        [("Saved then killed".into(), "open".into()), ("Sent then killed".into(), "open".into())],
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("from the outbox"), "{}", String::from_utf8_lossy(&out.stderr));

    // Killed in the middle of a drain, after the send: the next run neither loses nor repeats it.
    home.kill_after("saved", &["escalate", "--title", "Third", "--to", "diego"]);
    home.kill_after("sent", &["escalations"]);
    let out = home.rota(&["escalate", "--title", "Fourth", "--to", "diego", "--json"]);
    assert_eq!(json(&out)["state"], "open");
    let list = json(&home.rota(&["escalations", "--json"]));
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
    let home = Home::new();
    let out = home.command(&["escalate", "--title", "x", "--to", "diego"], Some("later")).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}
