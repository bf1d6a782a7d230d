//! Text from outside never reaches the terminal raw. A roster name, a schedule
//! seat and an escalation's title carry escape sequences that retitled the terminal, wrote the
//! clipboard (OSC 52), cleared the screen and forged a line, and hid what followed; the same
//! characters went into the `.ics` export. Every command's text now shows them replaced (`�`, a
//! tab as a space) on stdout and stderr, and `--json` still carries each value exactly.

use crate::support;
use rota_testkit::team;

use serde_json::Value;
use std::process::Output;
use support::{json_of, stdout, text};

const AT: &str = "2024-03-05T12:00:00Z"; // a Tuesday

/// The text: a terminal title (OSC 0, ended by BEL), the clipboard (OSC 52), a cleared
/// screen and a forged line, hidden output (SGR 8), a C1 CSI (U+009B), DEL, and a right-to-left
/// override with an isolate. It starts and ends with letters, so no trimming touches it.
const HOSTILE: &str =
    "Eve\x1b]0;pwned\x07\x1b]52;c;ZWNobyBoaQ==\x07\x1b[2J\x1b[Hrota: all good\r\n\x1b[8m\u{9b}31m\u{7f}\u{202e}gpj.exe\u{2066}Mallory";

/// A seat of the schedule nobody in the roster has, as hostile.
fn seat() -> String {
    HOSTILE.replacen("Eve", "Trudy", 1)
}

/// What a terminal (or a calendar) would obey rather than show.
fn obeyed(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// [`HOSTILE`] as people see it: each such character a `�`.
fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c == '\t' {
                ' '
            } else if obeyed(c) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// `text` as a TOML basic string: every control and bidi character as a `\uXXXX` escape.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if obeyed(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A team whose roster names ann [`HOSTILE`] and whose schedule has ann and the seat [`seat`].
struct Team(support::Home);

impl Team {
    fn new() -> Self {
        let home = support::Home::new();
        let schedule = format!("[[rotation]]\nstart = 2024-03-01\nend = 2024-04-10\nengineers = [\"ann\", {}]\n", toml_string(&seat()));
        // The name is a TOML string of its own (escaped control characters): written as is.
        let people = format!(
            "[[person]]\nhandle = \"ann\"\nname = {}\ntimezone = \"Europe/Berlin\"\nhours = \"09:00-17:00\"\ndays = \"Mon-Fri\"\n",
            toml_string(HOSTILE)
        );
        home.team(&team::config("ann"), Some(&schedule), Some(&people));
        Team(home)
    }

    /// `rota ARGS` at [`AT`], wide enough that nothing is wrapped or shortened.
    fn rota(&self, args: &[&str]) -> Output {
        let mut c = self.0.command(AT, args);
        c.env("COLUMNS", "1000");
        support::output(c)
    }
}

/// Neither stream carries a character a terminal obeys, but line breaks (and, where `colour` is
/// allowed, whole SGR colour codes).
fn shown_safely(args: &[&str], out: &Output, colour: bool) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8(bytes.clone()).unwrap_or_else(|e| panic!("rota {args:?}: {stream} is not UTF-8: {e}"));
        let mut rest = text.as_str();
        let mut plain = String::new();
        // Rota's own colours: ESC [ digits and semicolons m, nothing else.
        while let (true, Some(i)) = (colour, rest.find("\x1b[")) {
            let params = rest[i + 2..].bytes().take_while(|b| b.is_ascii_digit() || *b == b';').count();
            plain.push_str(&rest[..i]);
            if rest[i + 2 + params..].starts_with('m') {
                rest = &rest[i + 2 + params + 1..];
            } else {
                plain.push('\x1b');
                rest = &rest[i + 1..];
            }
        }
        plain.push_str(rest);
        let bad: Vec<char> = plain.chars().filter(|c| *c != '\n' && obeyed(*c)).collect();
        assert!(bad.is_empty(), "rota {args:?}: {stream} carries {bad:?}:\n{text}");
    }
}

/// Runs `rota ARGS`, checks it said nothing a terminal obeys, and returns what it said.
fn run(team: &Team, args: &[&str]) -> Output {
    let out = team.rota(args);
    shown_safely(args, &out, false);
    out
}

#[test]
fn now_schedule_coverage_and_check_show_the_roster_name_and_the_seat_replaced() {
    let team = Team::new();
    for args in [&["now"][..], &["schedule"], &["coverage"], &["check"]] {
        let out = run(&team, args);
        assert!(out.status.code().is_some_and(|c| c <= 1), "rota {args:?}: {}", text(&out));
        if args != ["coverage"] {
            assert!(stdout(&out).contains(&shown(&seat())), "rota {args:?} shows the seat: {}", text(&out));
        }
    }
    assert!(stdout(&team.rota(&["now"])).contains(&shown(HOSTILE)), "rota now shows the roster's name");
    // Rota's own colours stay, and only they.
    for args in [&["now", "--color", "always"][..], &["schedule", "--color", "always"], &["check", "--color", "always"]] {
        let out = team.rota(args);
        shown_safely(args, &out, true);
        assert!(stdout(&out).contains("\x1b["), "rota {args:?} is coloured: {}", stdout(&out));
    }
}

#[test]
fn json_carries_the_values_exactly() {
    let team = Team::new();
    let now = json_of(&team.rota(&["now", "--json"]));
    let names: Vec<&Value> = now["on_duty"].as_array().unwrap().iter().map(|d| &d["name"]).collect();
    assert!(names.contains(&&Value::from(HOSTILE)), "{now:#}");
    let handles: Vec<&Value> = now["on_duty"].as_array().unwrap().iter().map(|d| &d["handle"]).collect();
    assert!(handles.contains(&&Value::from(seat())), "{now:#}");
    let schedule = json_of(&team.rota(&["schedule", "--json"]));
    assert_eq!(schedule["rotations"][0]["engineers"][1], seat(), "{schedule:#}");
    let check = team.rota(&["check", "--json"]);
    let check: Value = serde_json::from_slice(&check.stdout).unwrap();
    assert!(check["findings"].as_array().unwrap().iter().any(|f| f["message"].as_str().unwrap().contains(&seat())), "{check:#}");
}

#[test]
fn an_escalations_title_customer_and_assignee_are_shown_replaced() {
    let team = Team::new();
    let seen = shown(HOSTILE);
    let filed = run(&team, &["escalate", "--title", HOSTILE, "--customer", HOSTILE, "--to", "ann"]);
    assert!(filed.status.success(), "{}", text(&filed));
    assert!(stdout(&filed).contains(&seen), "{}", text(&filed));
    // Filed to the hostile seat.
    let e = json_of(&team.rota(&["escalate", "--title", HOSTILE, "--to", &seat(), "--json"]));
    assert_eq!(e["title"], HOSTILE);
    assert_eq!(e["assignee"], seat());
    let id = e["id"].as_str().unwrap().to_owned();

    for args in [&["escalations"][..], &["escalations", "--all"], &["stats"], &["outbox"]] {
        let out = run(&team, args);
        assert!(out.status.success(), "rota {args:?}: {}", text(&out));
    }
    let listed = stdout(&team.rota(&["escalations"]));
    assert!(listed.contains(&seen) && listed.contains(&shown(&seat())), "{listed}");
    let out = team.rota(&["escalations", "--color", "always"]);
    shown_safely(&["escalations", "--color", "always"], &out, true);
    for args in [&["ack", id.as_str()][..], &["engage", id.as_str(), "--team", "search"], &["resolve", id.as_str()]] {
        let out = run(&team, args);
        assert!(out.status.success(), "rota {args:?}: {}", text(&out));
    }

    let list = json_of(&team.rota(&["escalations", "--all", "--json"]));
    let list = list.as_array().unwrap();
    assert!(list.iter().all(|e| e["title"] == HOSTILE), "{list:?}");
    assert!(list.iter().any(|e| e["customer"] == HOSTILE), "{list:?}");
}

#[test]
fn the_outbox_shows_a_waiting_title_replaced() {
    let team = Team::new();
    // Another Rota sending holds the outbox's lock: the escalation waits in the outbox.
    let data = team.0.path().join("data/rota");
    std::fs::create_dir_all(&data).unwrap();
    let lock =
        std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(data.join("escalations.sqlite3-outbox.lock")).unwrap();
    lock.lock().unwrap();
    let queued = run(&team, &["escalate", "--title", HOSTILE, "--to", &seat()]);
    assert!(queued.status.success() && stdout(&queued).starts_with("Queued escalation"), "{}", text(&queued));
    let listed = run(&team, &["outbox"]);
    assert!(stdout(&listed).contains(&shown(HOSTILE)), "{}", text(&listed));
    let entries = json_of(&team.rota(&["outbox", "--json"]));
    assert_eq!(entries[0]["title"], HOSTILE);
    let key = entries[0]["key"].as_str().unwrap().to_owned();
    drop(lock);
    let discarded = run(&team, &["outbox", "discard", &key]);
    assert!(discarded.status.success() && stdout(&discarded).contains(&shown(HOSTILE)), "{}", text(&discarded));
}

#[test]
fn errors_that_quote_outside_text_show_it_replaced() {
    let team = Team::new();
    // An unknown engineer: the error names the closest, the hostile seat among them.
    let out = run(&team, &["escalate", "--title", "x", "--to", "Trudyy"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("Trudy\u{fffd}"), "{}", text(&out));
    let out = run(&team, &["export", "ical", "--person", "Trudyy"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // A title typed on the command line is outside text too.
    let out = run(&team, &["escalate", "--title", "x", "--to", "ann", "--url", HOSTILE]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // An argument clap refuses is quoted back.
    let out = run(&team, &["now", "--tz", HOSTILE]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(&team, &["now", HOSTILE]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn the_calendar_export_has_no_control_characters_but_its_line_ends() {
    let team = Team::new();
    for args in [&["export", "ical"][..], &["export", "ical", "--person", "ann"], &["export", "ical", "--person", &seat()]] {
        let out = team.rota(args);
        assert!(out.status.success(), "rota {args:?}: {}", text(&out));
        let ics = stdout(&out);
        assert!(ics.replace("\r\n ", "").contains("Trudy\u{fffd}"), "rota {args:?}: {ics}");
        for line in ics.split_terminator("\r\n") {
            let bad: Vec<char> = line.chars().filter(|c| obeyed(*c)).collect();
            assert!(bad.is_empty(), "rota {args:?}: {line:?} carries {bad:?}");
        }
        assert!(ics.ends_with("\r\n"));
    }
}
