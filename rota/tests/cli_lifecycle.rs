//! An escalation's life and the goal measured, through the real `rota` binary on a real SQLite
//! file (issue 15): `rota ack|resolve|engage|reassign|reopen`, `rota escalations --all --json`
//! with history and team, and `rota stats` on a scripted history whose figures are worked out by
//! hand below. Each step runs at its own pinned instant (`ROTA_NOW`).

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Two rotations: A (1-14 March, ann and bob) and B (15 March - 10 April, cy and dee).
const SCHEDULE: &str = "[[rotation]]\nstart = 2024-03-01\nend = 2024-03-14\nengineers = [\"ann\", \"bob\"]\n\n\
                        [[rotation]]\nstart = 2024-03-15\nend = 2024-04-10\nengineers = [\"cy\", \"dee\"]\n";

const PEOPLE: &str = r#"
[[person]]
handle = "ann"
name = "Ann"
timezone = "Europe/Berlin"
hours = "09:00-17:00"
days = "Mon-Fri"

[[person]]
handle = "bob"
name = "Bob"
timezone = "Europe/Berlin"
hours = "09:00-17:00"
days = "Mon-Fri"

[[person]]
handle = "cy"
name = "Cy"
timezone = "Asia/Kolkata"
hours = "09:00-17:00"
days = "Mon-Fri"

[[person]]
handle = "dee"
name = "Dee"
timezone = "Asia/Kathmandu"
hours = "09:00-18:00"
days = "Mon-Fri"
"#;

struct Home(tempfile::TempDir);

impl Home {
    fn new() -> Self {
        let home = Home(tempfile::tempdir().expect("temp dir"));
        home.write("config/rota/config.toml", "me = \"ann\"\n[schedule]\nsource = \"schedule.toml\"\n[roster]\nsource = \"people.toml\"\n");
        home.write("config/rota/schedule.toml", SCHEDULE);
        home.write("config/rota/people.toml", PEOPLE);
        std::fs::create_dir_all(home.path().join("run")).unwrap();
        home
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn write(&self, name: &str, text: &str) {
        let p = self.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Runs `rota ARGS` with the clock pinned at `now`.
    fn at(&self, now: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_rota"))
            .args(args)
            .current_dir(self.path())
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CACHE_HOME", self.path().join("cache"))
            .env("XDG_RUNTIME_DIR", self.path().join("run"))
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("DISPLAY")
            .env("TZ", "UTC")
            .env("ROTA_NOW", now)
            .stdin(Stdio::null())
            .output()
            .expect("rota runs")
    }

    /// Runs `rota ARGS` at `now` and expects success.
    fn ok(&self, now: &str, args: &[&str]) -> String {
        let out = self.at(now, args);
        assert!(out.status.success(), "rota {args:?} exit {:?}\nstderr: {}", out.status.code(), stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn json(&self, now: &str, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(now, args)).expect("stdout is JSON")
    }

    /// Files an escalation to `to` at `now`; its id.
    fn file(&self, now: &str, title: &str, to: &str) -> String {
        self.json(now, &["escalate", "--title", title, "--to", to, "--json"])["id"].as_str().unwrap().to_owned()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn failed(out: &Output, code: i32, says: &str) {
    assert_eq!(out.status.code(), Some(code), "stderr: {}", stderr(out));
    let err = stderr(out);
    assert!(err.starts_with("rota: error: "), "{err}");
    assert!(err.contains(says), "expected {says:?} in {err}");
}

#[test]
fn an_escalations_whole_life_from_the_command_line() {
    let home = Home::new();
    let id = home.file("2024-03-05T12:00:00Z", "Search is down", "ann");
    assert_eq!(home.ok("2024-03-05T12:05:00Z", &["ack", &id]), format!("Acknowledged escalation {id}: Search is down\n"));
    home.ok("2024-03-05T12:06:00Z", &["ack", &id]); // again: nothing new recorded
    let engaged = home.ok("2024-03-05T12:10:00Z", &["engage", &id, "--team", "search", "--url", "https://eng.example.com/SRCH-1"]);
    assert_eq!(engaged, format!("Engaged engineering (search) on escalation {id}: Search is down\n"));
    let moved = home.ok("2024-03-05T12:20:00Z", &["reassign", &id, "--to", "@Bob"]);
    assert_eq!(moved, format!("Reassigned escalation {id} to bob: Search is down\n"));
    home.ok("2024-03-05T13:00:00Z", &["resolve", &id, "--note", "reindexed the cluster"]);

    // Errors: the state refuses, an unknown id, usage.
    failed(
        &home.at("2024-03-05T13:01:00Z", &["ack", &id]),
        1,
        "is resolved, so there is nothing to acknowledge: reopen it first (`rota reopen 1`)",
    );
    failed(&home.at("2024-03-05T13:01:00Z", &["ack", "99"]), 1, "no escalation 99: `rota escalations --all` lists every one");
    failed(&home.at("2024-03-05T13:01:00Z", &["resolve", "abc"]), 1, "no escalation abc");
    failed(&home.at("2024-03-05T13:01:00Z", &["engage", &id]), 2, "--team");
    failed(&home.at("2024-03-05T13:01:00Z", &["engage", &id, "--team", " "]), 2, "name the engineering team");
    failed(
        &home.at("2024-03-05T13:01:00Z", &["engage", &id, "--team", "x", "--url", "javascript:alert(1)"]),
        2,
        "is not an http or https link",
    );
    failed(
        &home.at("2024-03-05T13:01:00Z", &["reassign", &id, "--to", "zed"]),
        2,
        "--to: \"zed\" is not an engineer on this rotation or in the roster",
    );
    failed(&home.at("2024-03-05T13:01:00Z", &["reopen"]), 2, "ID");

    // Closed: not in the open list; in --all, with its history and team.
    assert_eq!(home.json("2024-03-05T13:02:00Z", &["escalations", "--json"]), json!([]));
    let all = home.json("2024-03-05T13:02:00Z", &["escalations", "--all", "--json"]);
    let e = &all[0];
    assert_eq!(
        (e["id"].as_str(), e["state"].as_str(), e["team"].as_str(), e["assignee"].as_str()),
        (Some(id.as_str()), Some("resolved"), Some("search"), Some("bob"))
    );
    assert_eq!(
        e["history"],
        json!([
            { "state": "open", "by": "ann", "at": "2024-03-05T12:00:00Z" },
            { "state": "acknowledged", "by": "ann", "at": "2024-03-05T12:05:00Z" },
            { "state": "handed_to_engineering", "by": "ann", "at": "2024-03-05T12:10:00Z", "note": "https://eng.example.com/SRCH-1", "team": "search" },
            { "state": "handed_to_engineering", "by": "ann", "at": "2024-03-05T12:20:00Z", "assignee": "bob" },
            { "state": "resolved", "by": "ann", "at": "2024-03-05T13:00:00Z", "note": "reindexed the cluster" },
        ])
    );

    home.ok("2024-03-05T14:00:00Z", &["reopen", &id]);
    let open = home.json("2024-03-05T14:01:00Z", &["escalations", "--json"]);
    assert_eq!(open[0]["state"], "open");
    assert_eq!(open[0]["history"].as_array().unwrap().len(), 6);
    let text = home.ok("2024-03-05T14:01:00Z", &["escalations", "--all"]);
    assert!(text.contains("Search is down"), "{text}");

    // auto: the policy's pick among the others on duty. At 14:05 UTC on a Tuesday, ann
    // (Berlin, 15:05) is working and the escalation is bob's: ann is the only other one on.
    let auto = home.ok("2024-03-05T14:05:00Z", &["reassign", &id, "--to", "auto"]);
    assert_eq!(auto, format!("Reassigned escalation {id} to ann: Search is down\n"));
}

/// The scripted history, and its figures worked out by hand.
///
/// Rotation A (2024-03-01 to 2024-03-14):
/// - 1, ann: filed 03-05 12:00, acked +10 min, resolved +60 min.
/// - 2, bob: filed 03-06 09:00, acked +30, engaged search +60, resolved +300.
/// - 3, ann: filed 03-07 12:00, acked +5, never resolved.
/// - 4, ann: filed 03-08 12:00, never acknowledged.
///
/// So A: filed 4, acknowledged 3, resolved 2, engaged 1, share 1/4 = 0.25 (above the goal).
/// Ack times 5, 10, 30: median = rank ceil(0.5*3) = 2nd = 10; p90 = rank ceil(0.9*3) = 3rd = 30.
/// Resolve times 60, 300: median = rank 1 = 60; p90 = rank ceil(1.8) = 2nd = 300.
///
/// Rotation B (2024-03-15 to 2024-04-10): 5, cy: filed 03-18 12:00, acked +20, resolved +50.
/// So B: 1, 1, 1, 0, share 0; every time is its only value.
fn scripted() -> Home {
    let home = Home::new();
    let e1 = home.file("2024-03-05T12:00:00Z", "One", "ann");
    home.ok("2024-03-05T12:10:00Z", &["ack", &e1]);
    home.ok("2024-03-05T13:00:00Z", &["resolve", &e1]);
    let e2 = home.file("2024-03-06T09:00:00Z", "Two", "bob");
    home.ok("2024-03-06T09:30:00Z", &["ack", &e2]);
    home.ok("2024-03-06T10:00:00Z", &["engage", &e2, "--team", "search"]);
    home.ok("2024-03-06T14:00:00Z", &["resolve", &e2, "--note", "fixed by search"]);
    let e3 = home.file("2024-03-07T12:00:00Z", "Three", "ann");
    home.ok("2024-03-07T12:05:00Z", &["ack", &e3]);
    home.file("2024-03-08T12:00:00Z", "Four", "ann");
    let e5 = home.file("2024-03-18T12:00:00Z", "Five", "cy");
    home.ok("2024-03-18T12:20:00Z", &["ack", &e5]);
    home.ok("2024-03-18T12:50:00Z", &["resolve", &e5]);
    home
}

#[test]
fn stats_on_a_scripted_history_give_the_figures_worked_out_by_hand() {
    let home = scripted();
    let now = "2024-03-20T00:00:00Z";
    let stats = home.json(now, &["stats", "--json"]);
    let spread = |median: f64, p90: f64| json!({ "median": median, "p90": p90 });
    assert_eq!(
        stats,
        json!({
            "goal_engaged_share": 0.10,
            "rotations": [
                {
                    "start": "2024-03-01", "end": "2024-03-14",
                    "filed": 4, "acknowledged": 3, "resolved": 2, "engaged": 1, "engaged_share": 0.25,
                    "time_to_ack_minutes": spread(10.0, 30.0),
                    "time_to_resolve_minutes": spread(60.0, 300.0),
                    "by_engineer": [
                        { "handle": "ann", "filed": 3, "acknowledged": 2, "resolved": 1, "engaged": 0 },
                        { "handle": "bob", "filed": 1, "acknowledged": 1, "resolved": 1, "engaged": 1 },
                    ],
                    "by_team": [{ "team": "search", "engaged": 1 }],
                },
                {
                    "start": "2024-03-15", "end": "2024-04-10",
                    "filed": 1, "acknowledged": 1, "resolved": 1, "engaged": 0, "engaged_share": 0.0,
                    "time_to_ack_minutes": spread(20.0, 20.0),
                    "time_to_resolve_minutes": spread(50.0, 50.0),
                    "by_engineer": [{ "handle": "cy", "filed": 1, "acknowledged": 1, "resolved": 1, "engaged": 0 }],
                    "by_team": [],
                },
            ],
        })
    );

    let only = home.json(now, &["stats", "--rotation", "2024-03-15", "--json"]);
    assert_eq!(only["rotations"].as_array().unwrap().len(), 1);
    assert_eq!(only["rotations"][0]["start"], "2024-03-15");
    let since = home.json(now, &["stats", "--since", "2024-03-14", "--json"]);
    assert_eq!(since["rotations"].as_array().unwrap().len(), 2, "A ends on the 14th: it is in");
    let since = home.json(now, &["stats", "--since", "2024-03-15", "--json"]);
    assert_eq!(since["rotations"].as_array().unwrap().len(), 1);

    let text = home.ok(now, &["stats"]);
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "over 80 columns: {line:?}");
    }
    assert!(text.contains("2024-03-01 to 2024-03-14      4      3         2        1    25%  above goal"), "{text}");
    assert!(text.contains("2024-03-15 to 2024-04-10      1      1         1        0     0%\n"), "{text}");
    assert!(text.contains("time to acknowledge  median 10 min, p90 30 min"), "{text}");
    assert!(text.contains("time to resolve      median 1 h, p90 5 h"), "{text}");
    assert!(text.contains("engineering teams    search 1"), "{text}");

    failed(&home.at(now, &["stats", "--rotation", "2024-03-02"]), 1, "no rotation starts on 2024-03-02: `rota schedule` lists");
    failed(&home.at(now, &["stats", "--since", "March"]), 2, "--since \"March\" is not a date: write it as YYYY-MM-DD");
    failed(&home.at(now, &["stats", "--since", "2024-03-01", "--rotation", "2024-03-01"]), 2, "cannot be used with");
}
