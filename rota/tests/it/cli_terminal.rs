//! The `rota` command line in a terminal: every command fits 80 columns and never cuts a time,
//! colour only where it is wanted, findings by file and line, honest countdowns, one error prefix,
//! and near names offered for what was mistyped.

use crate::cli::Home;
use crate::support;
use serde_json::Value;
use std::process::Output;
use support::{json_of, stderr, stdout};

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
