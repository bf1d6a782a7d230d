//! The `rota` command line, run as the real binary: JSON contract fields, exit statuses, and
//! messages that name the file and line.

use crate::support;
use rota_testkit::team;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Output;
use std::sync::{Arc, Mutex};
use support::{json_of, stderr};

const HANDBOOK: &str = include_str!("../../../core/data/handbook-escalation-rotation.md");

/// A home of its own for each test (here and in `cli_terminal`), where `rota` runs as a person
/// runs it: on the real clock and at no set width (unknown, so 80); a test that pins either says so.
pub(crate) struct Home(support::Home);

impl std::ops::Deref for Home {
    type Target = support::Home;
    fn deref(&self) -> &support::Home {
        &self.0
    }
}

impl Home {
    pub(crate) fn new() -> Self {
        Home(support::Home::new())
    }

    pub(crate) fn rota(&self, args: &[&str]) -> Output {
        self.rota_env(args, &[])
    }

    /// `rota ARGS` with `env` set on top (`ROTA_NOW`, `COLUMNS`, `NO_COLOR`).
    pub(crate) fn rota_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = self.program(env!("CARGO_BIN_EXE_rota"));
        c.args(args).env_remove("COLUMNS").envs(env.iter().copied());
        support::output(c)
    }
}

#[test]
fn handbook_now_names_the_engineers_and_the_next_rotation() {
    let home = Home::new();
    let v = json_of(&home.rota(&["now", "--at", "2022-09-15T12:00:00Z", "--schedule", "builtin:handbook", "--json"]));
    assert_eq!(v["at"], "2022-09-15T12:00:00Z");
    assert_eq!(v["rotation"]["start"], "2022-09-07");
    assert_eq!(v["rotation"]["end"], "2022-10-09");
    assert_eq!(v["rotation"]["open_seats"], 0);
    let handles: Vec<&str> = v["on_duty"].as_array().unwrap().iter().map(|e| e["handle"].as_str().unwrap()).collect();
    assert_eq!(handles, ["keegancsmith", "valerybugakov"]);
    // Not in any roster: status unknown, and the zone fields null.
    for e in v["on_duty"].as_array().unwrap() {
        assert_eq!(e["status"], "unknown");
        assert!(e["timezone"].is_null() && e["local_time"].is_null() && e["utc_offset"].is_null());
    }
    assert_eq!(v["next_rotation"]["start"], "2022-10-10");
    assert_eq!(v["next_rotation"]["engineers"], serde_json::json!(["tbliu98"]));
    assert_eq!(v["next_rotation"]["open_seats"], 2);
}

#[test]
fn now_json_contract_with_a_roster_and_a_viewer_zone() {
    let home = Home::new();
    home.write("people.toml", &team::people(&[["keegancsmith", "Keegan", "Africa/Johannesburg", "09:00-17:00", "Mon-Fri"]]));
    let v = json_of(&home.rota(&[
        "now",
        "--at",
        "2022-09-15T12:00:00Z",
        "--tz",
        "Europe/Berlin",
        "--schedule",
        "builtin:handbook",
        "--roster",
        "people.toml",
        "--json",
    ]));
    assert_eq!(v["viewer"], serde_json::json!({ "timezone": "Europe/Berlin", "local_time": "2022-09-15T14:00:00+02:00" }));
    support::assert_fields(
        &v["on_duty"][0],
        &[
            ("handle", "keegancsmith"),
            ("name", "Keegan"),
            ("timezone", "Africa/Johannesburg"),
            ("local_time", "2022-09-15T14:00:00+02:00"),
            ("utc_offset", "+02:00"),
            ("status", "working"),
        ],
    );
    assert_eq!(v["on_duty"][1]["status"], "unknown");
}

#[test]
fn no_rotation_is_null() {
    let home = Home::new();
    let v = json_of(&home.rota(&["now", "--at", "2030-01-01T00:00:00Z", "--schedule", "builtin:handbook", "--json"]));
    assert!(v["rotation"].is_null() && v["next_rotation"].is_null());
    assert_eq!(v["on_duty"], serde_json::json!([]));
}

#[test]
fn rota_now_pins_the_clock_and_a_first_run_shows_the_demo() {
    let home = Home::new();
    let out = home.rota_env(&["now", "--json"], &[("ROTA_NOW", "2026-03-10T09:00:00Z")]);
    let v = json_of(&out);
    assert_eq!(v["at"], "2026-03-10T09:00:00Z");
    assert!(v["schedule"]["demo"].as_str().unwrap().contains("Demo"));
    assert_eq!(v["on_duty"].as_array().unwrap().len(), 3, "the demo has a rotation on today");
    assert!(v["on_duty"].as_array().unwrap().iter().all(|e| e["timezone"].is_string()));
    // The text says it is a demo.
    let text = home.rota_env(&["now"], &[("ROTA_NOW", "2026-03-10T09:00:00Z")]);
    assert!(String::from_utf8_lossy(&text.stdout).starts_with("Demo"));
}

#[test]
fn usage_errors_exit_2() {
    let home = Home::new();
    for args in [
        &["now", "--at", "yesterday"][..],
        &["now", "--tz", "Mars/Olympus"],
        &["now", "--bogus"],
        &["frobnicate"],
        &["now", "--schedule", "builtin:nope"],
    ] {
        let out = home.rota(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty());
    }
    // The tray too, before anything else: never the real time instead.
    for args in [&["now"][..], &[]] {
        let out = home.rota_env(args, &[("ROTA_NOW", "soon")]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.starts_with("rota: error: ROTA_NOW: ") && err.contains("2022-09-15T12:00:00Z"), "{args:?}: {err}");
    }
}

#[test]
fn a_schedule_that_does_not_parse_exits_1_naming_file_and_line() {
    let home = Home::new();
    home.write(
        "rota.md",
        "# Rota\n\n| Rotation | Engineers |\n|---|---|\n| 2024-01-01 to 2024-02-11 | @a |\n| 2024-02-12 to soon | @b |\n",
    );
    let out = home.rota(&["now", "--schedule", "rota.md"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("rota.md:6:") && err.contains("2024-02-12 to soon"), "{err}");
}

#[test]
fn check_lints_and_exits_by_severity() {
    let home = Home::new();
    // The handbook as shipped: warnings only (open seats, no roster), exit 0.
    let out = home.rota(&["check", "--schedule", "builtin:handbook", "--json"]);
    let v = json_of(&out);
    assert_eq!(v["ok"], true);
    assert_eq!(v["errors"], 0);
    let rules: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"open-seats") && rules.contains(&"not-in-roster"), "{rules:?}");
    let open = v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "open-seats").unwrap();
    assert_eq!(open["line"], 15);
    assert_eq!(open["file"], "builtin:handbook");

    // A roster with an unknown zone and overlapping rotations: errors, exit 1, each located.
    home.write("people.toml", "[[person]]\nhandle = \"a\"\ntimezone = \"Europe/Berln\"\n");
    home.write(
        "rota.md",
        "| Rotation | Engineers |\n|---|---|\n| 2024-01-01 to 2024-02-11 | @a |\n| 2024-02-01 to 2024-03-11 | @a, @a |\n",
    );
    let out = home.rota_env(&["check", "--schedule", "rota.md", "--roster", "people.toml"], &[("COLUMNS", "500")]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let path = |f: &str| home.path().join(f).display().to_string();
    assert!(text.contains(&format!("{}:3: error: \"Europe/Berln\" is not an IANA timezone", path("people.toml"))), "{text}");
    assert!(text.contains(&format!("{}:4: error: rotation 2024-02-01 to 2024-03-11 overlaps", path("rota.md"))), "{text}");
    assert!(text.contains(&format!("{}:4: error: a is listed twice", path("rota.md"))), "{text}");
}

#[test]
fn config_paths_are_relative_to_the_config_file() {
    let home = Home::new();
    home.write("team/rota.toml", "[[rotation]]\nstart = 2024-01-01\nend = 2024-02-11\nengineers = [\"mira\"]\n");
    home.write("team/people.toml", "[[person]]\nhandle = \"mira\"\ntimezone = \"Asia/Kathmandu\"\n");
    let cfg = home.write(
        "team/config.toml",
        "me = \"mira\"\ntimezone = \"Asia/Kathmandu\"\n[schedule]\nsource = \"rota.toml\"\ntimezone = \"Asia/Kathmandu\"\nhandoff = \"09:00\"\n[roster]\nsource = \"people.toml\"\n",
    );
    let v = json_of(&home.rota(&["now", "--config", cfg.to_str().unwrap(), "--at", "2024-01-01T03:15:00Z", "--json"]));
    assert_eq!(v["viewer"]["local_time"], "2024-01-01T09:00:00+05:45");
    assert_eq!(v["rotation"]["starts_at"], "2024-01-01T09:00:00+05:45");
    assert_eq!(v["on_duty"][0]["status"], "working");
    assert_eq!(v["me_on_duty"], true);
    // One minute earlier the rotation has not started: the hand-off is at 09:00 local.
    let v = json_of(&home.rota(&["now", "--config", cfg.to_str().unwrap(), "--at", "2024-01-01T03:14:00Z", "--json"]));
    assert!(v["rotation"].is_null());

    // The default place is $XDG_CONFIG_HOME/rota/config.toml.
    home.write("config/rota/config.toml", "[schedule]\nsource = \"builtin:handbook\"\n");
    let v = json_of(&home.rota(&["now", "--at", "2022-09-15T12:00:00Z", "--json"]));
    assert_eq!(v["rotation"]["start"], "2022-09-07");

    // A --config that does not exist is an input error naming it.
    let out = home.rota(&["now", "--config", "nope.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nope.toml"));
}

#[test]
fn schedule_and_coverage_json() {
    let home = Home::new();
    let v = json_of(&home.rota_env(
        &["schedule", "--schedule", "builtin:handbook", "--tz", "Asia/Kathmandu", "--json"],
        &[("ROTA_NOW", "2022-09-15T12:00:00Z")],
    ));
    let rows = v["rotations"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows.iter().map(|r| r["when"].as_str().unwrap()).collect::<Vec<_>>(), ["past", "current", "upcoming"]);
    assert_eq!(rows[1]["starts_at"], "2022-09-07T05:45:00+05:45");

    home.write(
        "people.toml",
        &team::people(&[["keegancsmith", "", "Africa/Johannesburg", "", ""], ["valerybugakov", "", "Asia/Tbilisi", "", ""]]),
    );
    let v = json_of(&home.rota(&[
        "coverage",
        "--schedule",
        "builtin:handbook",
        "--roster",
        "people.toml",
        "--at",
        "2022-09-15T12:00:00Z",
        "--tz",
        "UTC",
        "--json",
    ]));
    assert_eq!(v["hours"].as_array().unwrap().len(), 168);
    assert_eq!(v["week"]["start"], "2022-09-12T00:00:00+00:00");
    // Tbilisi (+04:00) starts at 05:00 UTC; Johannesburg (+02:00) ends at 15:00 UTC.
    assert_eq!(v["hours"][5]["working"], serde_json::json!([{ "handle": "valerybugakov", "minutes": 60 }]));
    assert_eq!(v["hours"][15]["gap"], true);
    assert_eq!(
        v["gaps"][0],
        serde_json::json!({ "start": "2022-09-12T00:00:00+00:00", "end": "2022-09-12T05:00:00+00:00", "minutes": 300 })
    );
}

/// A one-page web server on loopback: serves the handbook with an ETag, answers 304 to a
/// matching `If-None-Match`, and records each request's conditional header.
/// The server's address, the `If-None-Match` of each request it saw, and its thread.
type Served = (String, Arc<Mutex<Vec<Option<String>>>>, std::thread::JoinHandle<()>);

fn serve_handbook() -> Served {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/handbook.md", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let handle = std::thread::spawn(move || {
        // Two requests, then the server goes away.
        for stream in listener.incoming().take(2) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut inm = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("if-none-match:") {
                    inm = Some(v.trim().to_owned());
                }
            }
            let response = if inm.as_deref() == Some("\"v1\"") {
                "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned()
            } else {
                format!("HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Type: text/markdown\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{HANDBOOK}", HANDBOOK.len())
            };
            log.lock().unwrap().push(inm);
            stream.write_all(response.as_bytes()).unwrap();
        }
    });
    (url, seen, handle)
}

#[test]
fn a_url_schedule_is_fetched_conditionally_and_cached_for_offline() {
    let home = Home::new();
    let (url, seen, server) = serve_handbook();
    let args = ["now", "--schedule", url.as_str(), "--at", "2022-09-15T12:00:00Z", "--json"];
    let first = json_of(&home.rota(&args));
    assert_eq!(first["rotation"]["start"], "2022-09-07");
    let second = home.rota(&args);
    assert_eq!(json_of(&second)["rotation"]["start"], "2022-09-07");
    server.join().unwrap();
    assert_eq!(*seen.lock().unwrap(), [None, Some("\"v1\"".to_owned())], "the second fetch is conditional");

    // The server is gone: the cached copy is used, with a warning that says so.
    let offline = home.rota(&args);
    assert_eq!(json_of(&offline)["rotation"]["start"], "2022-09-07");
    assert!(stderr(&offline).contains("using the copy cached"), "{}", stderr(&offline));

    // With no cache either, it is an input error naming the URL.
    let fresh = Home::new();
    let out = fresh.rota(&args);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(&url), "{}", stderr(&out));
}

/// While Rota keeps a Slack group, `rota check` asks for the `slack` ID of an engineer on duty
/// within a week, at their roster line; a week and a day ahead, not yet.
#[test]
fn check_warns_at_the_roster_line_of_an_engineer_on_duty_soon_without_a_slack_id() {
    let home = support::Home::new();
    let config = format!("{}[slack]\nusergroup = \"S0ESCALATE\"\n", rota_testkit::team::config("ann"));
    let people = rota_testkit::slack::people().replace("slack = \"UCY\"\n", "");
    home.team(&config, Some(support::SCHEDULE), Some(&people));
    let line = people.lines().position(|l| l == "handle = \"cy\"").unwrap() as u64;
    let findings = |now: &str| -> Vec<serde_json::Value> {
        let out = home.at(now, &["check", "--json"]);
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        j["findings"].as_array().unwrap().iter().filter(|f| f["message"].as_str().unwrap_or("").contains("slack ID")).cloned().collect()
    };
    assert_eq!(findings("2024-03-07T00:00:00Z"), Vec::<serde_json::Value>::new());
    let found = findings("2024-03-08T00:00:00Z");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0]["file"].as_str().unwrap().ends_with("people.toml"), "{}", found[0]);
    assert_eq!(found[0]["line"], line, "{}", found[0]);
    assert_eq!(found[0]["severity"], "warning", "{}", found[0]);
}

/// `rota slack sync` with no group configured says what to add, exit 1, before any keyring or
/// network is touched.
#[test]
fn slack_sync_without_a_group_says_what_to_add() {
    let home = support::Home::new();
    home.team(&rota_testkit::team::config("ann"), Some(support::SCHEDULE), Some(&rota_testkit::slack::people()));
    let out = home.at("2024-03-15T00:30:00Z", &["slack", "sync"]);
    assert_eq!(out.status.code(), Some(1), "{}", support::text(&out));
    assert_eq!(
        support::stderr(&out),
        "rota: error: no Slack user group is set; add usergroup = \"S…\" (the group's ID) under [slack] in the config\n"
    );
}
