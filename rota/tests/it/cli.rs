//! The `rota` command line, run as the real binary: JSON contract fields, exit statuses, and
//! messages that name the file and line.

use crate::support;
use rota_testkit::team;

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Output;
use std::sync::{Arc, Mutex};
use support::{json_of, stderr, stdout};

const HANDBOOK: &str = include_str!("../../../core/data/handbook-escalation-rotation.md");

/// A home of its own for each test, where `rota` runs as a person runs it: on the real clock and
/// at no set width (unknown, so 80); a test that pins either says so.
struct Home(support::Home);

impl std::ops::Deref for Home {
    type Target = support::Home;
    fn deref(&self) -> &support::Home {
        &self.0
    }
}

impl Home {
    fn new() -> Self {
        Home(support::Home::new())
    }

    fn rota(&self, args: &[&str]) -> Output {
        self.rota_env(args, &[])
    }

    /// `rota ARGS` with `env` set on top (`ROTA_NOW`, `COLUMNS`, `NO_COLOR`).
    fn rota_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
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
    let k = &v["on_duty"][0];
    assert_eq!(k["handle"], "keegancsmith");
    assert_eq!(k["name"], "Keegan");
    assert_eq!(k["timezone"], "Africa/Johannesburg");
    assert_eq!(k["local_time"], "2022-09-15T14:00:00+02:00");
    assert_eq!(k["utc_offset"], "+02:00");
    assert_eq!(k["status"], "working");
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

// A command line for terminals.

/// Each line longer than `width` characters, with its length.
fn too_long(text: &str, width: usize) -> Vec<(usize, String)> {
    text.lines().filter(|l| l.chars().count() > width).map(|l| (l.chars().count(), l.to_owned())).collect()
}

/// A team whose notes are long: long names, zones with no letters, a check with long paths.
fn wide_home() -> (Home, std::path::PathBuf) {
    let home = Home::new();
    let dir = "a-folder-with-a-rather-long-name-as-people-have/and-another-level-below-it";
    home.write(
        &format!("{dir}/people.toml"),
        r#"
[[person]]
handle = "keegancsmith"
name = "Keegan Smith-Montgomery"
timezone = "Africa/Johannesburg"

[[person]]
handle = "mira"
name = "Mira Shrestha"
timezone = "Asia/Kathmandu"
days = "Sun-Thu"

[[person]]
handle = "tane"
name = "Tane Parata"
timezone = "Pacific/Chatham"
"#,
    );
    home.write(
        &format!("{dir}/rota.md"),
        "# Rota\n\n| Rotation | Engineers |\n|---|---|\n\
        | 2022-09-07 to 2022-10-09 | @keegancsmith, @mira, @tane, @valerybugakov-the-unlisted |\n\
        | 2022-10-10 to 2022-10-16 | @mira, TBD |\n",
    );
    let config = home.write(
        &format!("{dir}/config.toml"),
        "me = \"keegancsmith\"\ntimezone = \"Asia/Kathmandu\"\n[schedule]\nsource = \"rota.md\"\n[roster]\nsource = \"people.toml\"\n",
    );
    (home, config)
}

#[test]
fn issue_10_every_command_fits_80_columns_and_never_cuts_a_time() {
    let (home, config) = wide_home();
    let config = config.display().to_string();
    let at = "2022-09-15T12:00:00Z";
    let title = "Checkout fails for every customer paying with a saved card since the last deploy";
    let filed = home.rota_env(
        &["--config", config.as_str(), "escalate", "--title", title, "--customer", "Initech Global Holdings", "--to", "keegancsmith"],
        &[("ROTA_NOW", "2022-09-15T09:30:00Z")],
    );
    assert!(filed.status.success(), "{}", stderr(&filed));
    for (columns, args) in [
        (Some("80"), vec!["escalations"]),
        (Some("60"), vec!["escalations"]),
        (Some("80"), vec!["now", "--at", at]),
        (None, vec!["now", "--at", at]), // unknown width: 80
        (Some("80"), vec!["schedule"]),
        (Some("80"), vec!["coverage", "--at", at]),
        (Some("80"), vec!["check"]),
        (Some("60"), vec!["now", "--at", at]),
        (Some("60"), vec!["schedule"]),
        (Some("60"), vec!["coverage", "--at", at]),
        (Some("60"), vec!["check"]),
    ] {
        let mut all = vec!["--config", config.as_str()];
        all.extend(&args);
        let out = match columns {
            Some(c) => home.rota_env(&all, &[("COLUMNS", c), ("ROTA_NOW", at)]),
            None => home.rota_env(&all, &[("ROTA_NOW", at)]),
        };
        assert!(out.status.code().is_some_and(|c| c <= 1), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        let width: usize = columns.unwrap_or("80").parse().unwrap();
        assert_eq!(too_long(&text, width), vec![], "{args:?} at {width} columns:\n{text}");
        if args[0] == "now" {
            // The times stay whole: every engineer's local time and zone, and the hand-off.
            for time in ["Thu 14:00 SAST", "Thu 17:45 +0545", "Fri 00:45 +1245"] {
                assert!(text.contains(time), "{time:?} missing at {width} columns:\n{text}");
            }
        }
        if args[0] == "escalations" {
            // The title wraps under itself, word for word; the age stays whole.
            assert!(text.contains("2 h 30 min ago"), "{text}");
            let said: Vec<&str> = text.lines().skip(1).flat_map(|l| l.split_whitespace()).collect();
            let words: Vec<&str> = format!("Initech Global Holdings: {title}").leak().split_whitespace().collect();
            assert!(said.windows(words.len()).any(|w| w == words.as_slice()), "{text}");
        }
        if args[0] == "schedule" {
            assert!(text.contains("Wed 7 Sep 2022 05:45") && text.contains("Mon 10 Oct 2022 05:45"), "{text}");
        }
        if args[0] == "coverage" {
            // 24 hours a day, each hour a column of its own (labelled every third hour when narrow).
            let header = text.lines().find(|l| l.trim_start().starts_with('0')).expect("an hour header");
            let step = if width >= 79 { 1 } else { 3 };
            assert_eq!(header.split_whitespace().collect::<Vec<_>>(), (0..24).step_by(step).map(|h| h.to_string()).collect::<Vec<_>>());
            let day = text.lines().find(|l| l.starts_with("Thu 15")).expect("Thursday's row");
            assert_eq!(day.chars().count(), 7 + 24 * if width >= 79 { 3 } else { 2 }, "{day:?}");
        }
    }
}

#[test]
fn issue_10_colour_only_on_a_terminal_or_when_asked() {
    let home = Home::new();
    let at = [("ROTA_NOW", "2026-03-10T09:00:00Z")];
    let esc = |out: &Output| stdout(out).contains("\x1b[");
    // Piped (as here), auto means none; always colours even with NO_COLOR set; never means none.
    assert!(!esc(&home.rota_env(&["now"], &at)));
    assert!(!esc(&home.rota_env(&["now", "--color", "auto"], &at)));
    assert!(esc(&home.rota_env(&["now", "--color", "always"], &at)));
    assert!(esc(&home.rota_env(&["--color", "always", "check"], &[at[0], ("NO_COLOR", "1")])));
    assert!(!esc(&home.rota_env(&["now", "--color", "never"], &at)));
    let coloured = stdout(&home.rota_env(&["now", "--color", "always", "--tz", "UTC"], &[at[0], ("COLUMNS", "80")]));
    // Colour codes take no room: the lines still fit once they are stripped.
    let plain: String = strip_ansi(&coloured);
    assert_eq!(too_long(&plain, 80), vec![], "{plain}");
    assert!(
        coloured.contains("\x1b[32mworking\x1b[0m")
            || coloured.contains("\x1b[34masleep\x1b[0m")
            || coloured.contains("\x1b[33moff hours\x1b[0m"),
        "{coloured:?}"
    );
    // With a terminal (auto), NO_COLOR still wins: checked through `script`, which gives a pty.
    if std::process::Command::new("script").arg("--version").output().is_ok_and(|o| o.status.success()) {
        let run = |no_color: bool| {
            let mut c = home.program("script");
            c.args(["-qec", &format!("{} now", env!("CARGO_BIN_EXE_rota")), "/dev/null"])
                .env("ROTA_NOW", "2026-03-10T09:00:00Z")
                .env_remove("COLUMNS")
                .env_remove("NO_COLOR");
            if no_color {
                c.env("NO_COLOR", "1");
            }
            String::from_utf8_lossy(&c.output().expect("script runs").stdout).into_owned()
        };
        assert!(run(false).contains("\x1b["), "a terminal gets colour");
        assert!(!run(true).contains("\x1b["), "NO_COLOR turns it off");
    }
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn issue_10_check_lists_by_file_and_line_each_finding_once() {
    let home = Home::new();
    // Line 7 is short (a warning from the lints), line 8 does not parse (an error from the
    // parser): the parser's findings used to come first. The roster misses @b in two rotations.
    home.write("people.toml", "[[person]]\nhandle = \"a\"\ntimezone = \"Europe/Berlin\"\n");
    home.write(
        "rota.md",
        "# Rota\n\n\
        | Rotation | Engineers |\n|---|---|\n\
        | 2024-01-01 to 2024-02-11 | @a, @b |\n\
        | 2024-02-12 to 2024-03-24 | @a, @b |\n\
        | 2024-03-25 to 2024-03-31 | @a, @b |\n\
        | 2024-04-01 to later | @a |\n",
    );
    let out = home.rota_env(&["check", "--schedule", "rota.md", "--roster", "people.toml", "--color", "never"], &[("COLUMNS", "500")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let findings: Vec<&str> = text.lines().filter(|l| l.contains(": error: ") || l.contains(": warning: ")).collect();
    let keys: Vec<(String, u32)> = findings
        .iter()
        .map(|l| {
            let mut parts = l.splitn(3, ':');
            let file = parts.next().unwrap().to_owned();
            let line = parts.next().unwrap().parse().unwrap_or(0);
            (file, line)
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "findings in file and line order:\n{text}");
    let mut unique = findings.clone();
    unique.dedup();
    assert_eq!(findings, unique, "no finding twice:\n{text}");
    assert!(keys.iter().any(|(_, l)| *l == 7) && keys.iter().any(|(_, l)| *l == 8), "{text}");
    // The JSON keeps every finding the checks produced (scripts count them).
    let out = home.rota(&["check", "--schedule", "rota.md", "--roster", "people.toml", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(v["findings"].as_array().unwrap().len() >= findings.len());
}

#[test]
fn issue_10_countdowns_round_honestly() {
    let home = Home::new();
    home.write("people.toml", "[[person]]\nhandle = \"valerybugakov\"\nname = \"Valery\"\ntimezone = \"Europe/Berlin\"\n");
    // Thu 20:06 in Berlin: Valery starts Fri 09:00, 12 h 54 min away.
    let out =
        home.rota(&["now", "--at", "2022-09-15T18:06:00Z", "--schedule", "builtin:handbook", "--roster", "people.toml", "--tz", "UTC"]);
    let text = stdout(&out);
    assert!(text.contains("in about 13 h"), "{text}");
    assert!(!text.contains("in 12 h"), "a truncated countdown:\n{text}");
    // Under ten hours it is exact: Thu 23:06 is 9 h 54 min before 09:00.
    let out =
        home.rota(&["now", "--at", "2022-09-15T21:06:00Z", "--schedule", "builtin:handbook", "--roster", "people.toml", "--tz", "UTC"]);
    assert!(stdout(&out).contains("in 9 h 54 min"), "{}", stdout(&out));
}

#[test]
fn issue_10_errors_have_one_prefix() {
    let home = Home::new();
    home.write("rota.md", "| Rotation | Engineers |\n|---|---|\n| 2024-01-01 to soon | @a |\n");
    for (args, env) in [
        (&["now", "--at", "yesterday"][..], &[][..]),
        (&["now", "--bogus"], &[]),
        (&["frobnicate"], &[]),
        (&["now", "--schedule", "rota.md"], &[]),
        (&["now"], &[("ROTA_NOW", "soon")]),
        (&["now", "--config", "missing.toml"], &[]),
    ] {
        let out = home.rota_env(args, env);
        assert!(!out.status.success(), "{args:?}");
        let err = stderr(&out);
        let first = err.lines().next().unwrap_or_default();
        assert!(first.starts_with("rota: error: "), "{args:?}: {err}");
        assert!(!first.starts_with("rota: error: error") && !first.starts_with("rota: error: rota:"), "{args:?}: {err}");
        for line in err.lines().filter(|l| l.contains("error:")) {
            assert!(line.starts_with("rota: error: "), "{args:?}: {line:?} in\n{err}");
        }
    }
}

#[test]
fn issue_10_escalate_to_an_unknown_handle_is_refused_with_the_closest_names() {
    let home = Home::new();
    home.write(
        "people.toml",
        "[[person]]\nhandle = \"keegancsmith\"\nname = \"Keegan\"\ntimezone = \"Africa/Johannesburg\"\n\n\
        [[person]]\nhandle = \"valerybugakov\"\nname = \"Valery\"\ntimezone = \"Europe/Berlin\"\n\n\
        [[person]]\nhandle = \"tbliu98\"\nname = \"Tina\"\ntimezone = \"America/New_York\"\n",
    );
    let config =
        home.write("config.toml", "me = \"keegancsmith\"\n[schedule]\nsource = \"builtin:handbook\"\n[roster]\nsource = \"people.toml\"\n");
    let config = config.display().to_string();
    let env = [("ROTA_NOW", "2022-09-15T12:00:00Z")];
    let list = |home: &Home| json_of(&home.rota_env(&["--config", &config, "escalations", "--json"], &env));

    let out = home.rota_env(&["--config", &config, "escalate", "--title", "Lost in plain sight", "--to", "nobody"], &env);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("rota: error: --to: \"nobody\" is not an engineer on this rotation or in the roster; did you mean "), "{err}");
    assert_eq!(list(&home), serde_json::json!([]), "nothing filed");
    let out = home.rota_env(&["--config", &config, "escalate", "--title", "Typo", "--to", "valerybugakv"], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean valerybugakov"), "{}", stderr(&out));

    // On the rotation, in the roster off it, or a roster name: filed to the handle.
    for (to, handle) in [("@ValeryBugakov", "valerybugakov"), ("tbliu98", "tbliu98"), ("Keegan", "keegancsmith")] {
        let v = json_of(&home.rota_env(&["--config", &config, "escalate", "--title", "Known", "--to", to, "--json"], &env));
        assert_eq!(v["assignee"], handle, "--to {to}");
    }
    assert_eq!(list(&home).as_array().unwrap().len(), 3);
}

/// A `me` that is nobody on the team is an error at the config's line, with the handle
/// it is nearest; `rota now` refuses it too (the tray would lose "(you)" without a word).
#[test]
fn issue_24_check_says_when_me_is_nobody() {
    let home = Home::new();
    home.write("config/rota/people.toml", "[[person]]\nhandle = \"sofia\"\ntimezone = \"Asia/Kathmandu\"\n");
    home.write("config/rota/rota.md", "| Rotation | Engineers |\n|---|---|\n| 2024-01-01 to 2024-02-11 | @sofia, @tom, @ana |\n");
    let config = "# who I am\nme = \"sofa\"\n[schedule]\nsource = \"rota.md\"\n[roster]\nsource = \"people.toml\"\n";
    home.write("config/rota/config.toml", config);
    let out = home.rota_env(&["check", "--color", "never"], &[("COLUMNS", "200")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("config.toml:2: error: me = \"sofa\" is nobody on the team: did you mean sofia?"), "{text}");
    let now = home.rota_env(&["now"], &[("ROTA_NOW", "2024-01-10T12:00:00Z")]);
    assert_ne!(now.status.code(), Some(0));
    assert!(stderr(&now).contains("did you mean sofia?"), "{}", stderr(&now));
    home.write("config/rota/config.toml", &config.replace("sofa", "sofia"));
    let out = home.rota_env(&["check", "--color", "never"], &[("COLUMNS", "200")]);
    assert!(!stdout(&out).contains("me ="), "{}", stdout(&out));
}

/// `--at` as a person types it, in the viewer's zone; a misspelt subcommand or zone gets
/// the near one (and only a near one); help fits an 80-column terminal.
#[test]
fn issue_24_the_command_line_meets_a_person_halfway() {
    let home = Home::new();
    let at = |at: &str, tz: &str| {
        let out = home.rota_env(&["now", "--at", at, "--tz", tz, "--json", "--schedule", "builtin:handbook"], &[]);
        assert_eq!(out.status.code(), Some(0), "{at}: {}", stderr(&out));
        json_of(&out)["at"].as_str().unwrap().to_owned()
    };
    assert_eq!(at("2022-09-15", "Asia/Kathmandu"), "2022-09-14T18:15:00Z");
    assert_eq!(at("2022-09-15 09:00", "Pacific/Chatham"), "2022-09-14T20:15:00Z");
    assert_eq!(at("2022-09-15T12:00:00Z", "Asia/Kathmandu"), "2022-09-15T12:00:00Z");
    let with_now = |args: &[&str]| home.rota_env(args, &[("ROTA_NOW", "2022-09-15T20:30:00Z")]);
    let out = with_now(&["now", "--at", "09:00", "--tz", "Asia/Kathmandu", "--json", "--schedule", "builtin:handbook"]);
    assert_eq!(json_of(&out)["at"], "2022-09-16T03:15:00Z", "today in Kathmandu is already the 16th");
    let out = home.rota(&["now", "--at", "tomorrow"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("\"2026-12-08 09:00\" or 09:00"), "{}", stderr(&out));

    let out = home.rota(&["nwo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("rota: error: unrecognized subcommand 'nwo'; did you mean now?\n"), "{}", stderr(&out));
    let out = home.rota(&["zzzz"]);
    assert!(!stderr(&out).contains("did you mean"), "nothing is near zzzz: {}", stderr(&out));
    let out = home.rota(&["now", "--tz", "Europe/Berln"]);
    assert!(stderr(&out).contains("\"Europe/Berln\" is not an IANA timezone; did you mean Europe/Berlin?"), "{}", stderr(&out));

    for args in [&["help", "now"][..], &["--help"], &["escalate", "--help"], &["now", "-h"]] {
        let out = home.rota_env(args, &[("COLUMNS", "200")]);
        let text = stdout(&out);
        let long: Vec<&str> = text.lines().filter(|l| l.chars().count() > 80).collect();
        assert!(long.is_empty(), "rota {args:?}: lines past 80 columns: {long:#?}");
    }
    assert!(stdout(&home.rota(&["help", "now"])).contains("--json\n          Print JSON for scripts instead of text"));
}

/// `rota now` never cuts whom someone covers for (it leads the free text, which wraps
/// below), and cuts no name where the terminal has room; in a very narrow one the handles go
/// first, and a name is cut only last, so that the table still fits.
#[test]
fn issue_24_now_says_names_and_covering_whole() {
    let home = Home::new();
    home.write(
        "people.toml",
        "[[person]]\nhandle = \"kenji\"\nname = \"Kenji Watanabe\"\ntimezone = \"Asia/Tokyo\"\n\n\
         [[person]]\nhandle = \"tom\"\nname = \"Tom Becker\"\ntimezone = \"Europe/Berlin\"\n\n\
         [[person]]\nhandle = \"ana\"\nname = \"Ana Lucía Fernández de la Fuente\"\ntimezone = \"America/Argentina/Buenos_Aires\"\n",
    );
    home.write(
        "rota.md",
        "| Rotation | Engineers |\n|---|---|\n| 2026-11-30 to 2026-12-27 | @tom, @ana |\n\n\
         | When | Covering | For |\n|---|---|---|\n| 2026-12-07 to 2026-12-08 | @kenji | @tom |\n",
    );
    for columns in ["80", "50"] {
        let out = home.rota_env(
            &["now", "--schedule", "rota.md", "--roster", "people.toml", "--color", "never"],
            &[("COLUMNS", columns), ("ROTA_NOW", "2026-12-07T12:00:00Z")],
        );
        let text = stdout(&out);
        assert!(out.status.success(), "{}", stderr(&out));
        // Whom someone covers for is never cut: it leads the free text, which wraps.
        assert!(text.contains("covering for Tom Becker"), "{columns} columns:\n{text}");
        if columns == "80" {
            assert!(text.contains("Kenji Watanabe (@kenji)"), "{columns} columns:\n{text}");
            assert!(text.contains("Ana Lucía Fernández de la Fuente (@ana)"), "{columns} columns:\n{text}");
            assert!(!text.contains('…'), "nothing cut at {columns} columns:\n{text}");
        }
    }
}

/// `rota schedule` lists the coverings with the rotations, in the viewer's zone.
#[test]
fn issue_24_schedule_lists_coverings() {
    let home = Home::new();
    home.write(
        "rota.md",
        "| Rotation | Engineers |\n|---|---|\n| 2026-11-30 to 2026-12-27 | @tom, @ana |\n\n\
         | When | Covering | For |\n|---|---|---|\n| 2026-12-07 to 2026-12-08 | @kenji | @tom |\n| 2026-12-20 09:00 to 2026-12-20 17:00 | | @ana |\n",
    );
    let out = home.rota_env(&["schedule", "--schedule", "rota.md", "--tz", "Asia/Kathmandu", "--color", "never"], &[("COLUMNS", "100")]);
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.contains("COVERING"), "{text}");
    assert!(
        text.contains("Mon 7 Dec 2026 05:45") && text.contains("Wed 9 Dec 2026 05:45") && text.contains("kenji covers for tom"),
        "{text}"
    );
    assert!(text.contains("Sun 20 Dec 2026 14:45") && text.contains("ana is off"), "{text}");
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
