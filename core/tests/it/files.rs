//! The TOML formats: roster, schedule and config, with located errors.

use crate::common;
use common::day;
use rota_core::roster::{Days, Hours};
use rota_core::{parse_config, parse_roster, parse_toml_schedule, Rule, Seat, ViewerZone};

#[test]
fn hours_and_days() {
    let hours = [
        ("09:00-17:00", Some((540, 1020))),
        ("20:00-04:00", Some((1200, 240))),
        ("9:30 - 17:45", Some((570, 1065))),
        ("00:00-24:00", Some((0, 0))),
        ("09:00-09:00", None),
        ("9-5", None),
        ("25:00-26:00", None),
        ("09:60-10:00", None),
        ("", None),
    ];
    for (s, want) in hours {
        assert_eq!(s.parse::<Hours>().ok().map(|h| (h.start, h.end)), want, "{s}");
    }
    let days = [
        ("Mon-Fri", Some("Mon,Tue,Wed,Thu,Fri")),
        ("Sun-Thu", Some("Mon,Tue,Wed,Thu,Sun")),
        ("Mon,Wed,Fri", Some("Mon,Wed,Fri")),
        ("fri-mon", Some("Mon,Fri,Sat,Sun")),
        ("Mon-Wed, Sat", Some("Mon,Tue,Wed,Sat")),
        ("Monday", Some("Mon")),
        ("Funday", None),
        ("", None),
    ];
    for (s, want) in days {
        assert_eq!(s.parse::<Days>().ok().map(|d| d.to_string()), want.map(str::to_owned), "{s}");
    }
}

#[test]
fn roster_errors_name_the_line() {
    let text = "[[person]]\nhandle = \"ann\"\ntimezone = \"Mars/Olympus\"\n\n[[person]]\nhandle = \"bo\"\ntimezone = \"UTC\"\nhours = \"9 to 5\"\ndays = \"Mon-Fry\"\n";
    let parsed = parse_roster("people.toml", text);
    let got: Vec<(Option<u32>, Rule)> = parsed.findings.iter().map(|f| (f.line, f.rule)).collect();
    assert_eq!(got, [(Some(3), Rule::UnknownTimezone), (Some(8), Rule::MalformedHours), (Some(9), Rule::MalformedDays)]);
    assert!(parsed.findings[0].message.contains("Mars/Olympus"));
    // People are kept, with what could be read.
    assert_eq!(parsed.value.people.len(), 2);
    assert!(parsed.value.people[0].timezone.is_none());

    let broken = parse_roster("people.toml", "[[person]]\nhandle = \"ann\"\nhandle = \"bo\"\n");
    assert_eq!(broken.findings.len(), 1);
    assert_eq!(broken.findings[0].line, Some(3));
    let typo = parse_roster("people.toml", "[[person]]\nhandle = \"ann\"\ntimzone = \"UTC\"\n");
    assert_eq!(typo.findings[0].line, Some(3));
    assert!(typo.findings[0].message.contains("timzone"), "{}", typo.findings[0].message);
}

#[test]
fn toml_schedule() {
    let text = "[[rotation]]\nstart = 2022-09-07\nend = \"2022-10-09\"\nengineers = [\"keegancsmith\", \"@valerybugakov\"]\n\n[[rotation]]\nstart = 2022-10-10\nend = 2022-11-07\nengineers = [\"tbliu98\"]\nopen_seats = 2\n\n[[rotation]]\nstart = \"soon\"\nend = 2022-12-01\n";
    let parsed = parse_toml_schedule("rota.toml", text);
    let rows: Vec<_> = parsed.value.rotations.iter().map(|r| (r.start, r.end, r.seats.clone(), r.line)).collect();
    assert_eq!(
        rows,
        [
            (
                day("2022-09-07"),
                day("2022-10-09"),
                vec![Seat::Engineer("keegancsmith".into()), Seat::Engineer("valerybugakov".into())],
                Some(1)
            ),
            (day("2022-10-10"), day("2022-11-07"), vec![Seat::Engineer("tbliu98".into()), Seat::Open, Seat::Open], Some(6)),
        ]
    );
    assert_eq!(parsed.findings.iter().map(|f| f.line).collect::<Vec<_>>(), [Some(13)]);
}

#[test]
fn config_defaults_and_errors() {
    let empty = parse_config("config.toml", "");
    assert!(empty.findings.is_empty());
    assert_eq!(empty.value.schedule.source, "builtin:demo");
    assert_eq!(empty.value.schedule.team_size, 3);
    assert_eq!(empty.value.escalations.poll_seconds, 60);

    let text = "me = \"@keegancsmith\"\ntimezone = \"Europe/Berlin\"\n\n[schedule]\nsource = \"rota.md\"\ntimezone = \"America/New_York\"\nhandoff = \"09:30\"\nteam_size = 2\n\n[roster]\nsource = \"people.toml\"\n\n[escalations]\nbackend = \"github\"\ngithub = { api = \"http://127.0.0.1:1\", repo = \"acme/esc\", label = \"esc\" }\npoll_seconds = 30\n";
    let c = parse_config("config.toml", text);
    assert!(c.findings.is_empty(), "{:?}", c.findings);
    let v = c.value;
    assert_eq!(v.me.as_deref(), Some("keegancsmith"));
    assert_eq!(v.timezone, ViewerZone::Named("Europe/Berlin".parse().unwrap()));
    assert_eq!((v.schedule.timing.handoff, v.schedule.timing.timezone.name()), (570, "America/New_York"));
    assert_eq!(v.roster.source.as_deref(), Some("people.toml"));
    assert_eq!(v.escalations.github.repo, "acme/esc");

    let bad = parse_config("config.toml", "timezone = \"Berlin\"\n[schedule]\nhandoff = \"noon\"\n");
    let got: Vec<(Option<u32>, Rule)> = bad.findings.iter().map(|f| (f.line, f.rule)).collect();
    assert_eq!(got, [(Some(1), Rule::UnknownTimezone), (Some(3), Rule::MalformedHours)]);
}

#[test]
fn config_keeps_the_windows_process_ten_minutes_unless_told() {
    let keep = |text: &str| {
        let c = parse_config("config.toml", text);
        (c.value.keep_windows_minutes, c.findings.iter().map(|f| (f.line, f.message.clone())).collect::<Vec<_>>())
    };
    assert_eq!(keep(""), (10, vec![]));
    assert_eq!(keep("keep_windows_minutes = 0\n"), (0, vec![]));
    assert_eq!(keep("keep_windows_minutes = 600\n"), (600, vec![]));
    let (minutes, findings) = keep("me = \"x\"\nkeep_windows_minutes = 601\n");
    assert_eq!(minutes, 10, "an out-of-range value keeps the default");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].0, Some(2));
    assert!(findings[0].1.contains("keep_windows_minutes = 601 is out of range"), "{}", findings[0].1);
}

#[test]
fn config_slack_group_is_an_optional_user_group_id() {
    let check = |line: &str, group: Option<&str>, finding_line: Option<u32>| {
        let c = parse_config("config.toml", &format!("[escalations]\nbackend = \"local\"\n{line}\n"));
        assert_eq!(c.value.escalations.slack_group.as_deref(), group, "{line}");
        let lines: Vec<Option<u32>> = c.findings.iter().map(|f| f.line).collect();
        assert_eq!(lines, finding_line.into_iter().map(Some).collect::<Vec<_>>(), "{line}: {:?}", c.findings);
    };
    check("", None, None);
    check("slack_group = \"S0123ABCD\"", Some("S0123ABCD"), None);
    check("slack_group = \" S0123 \"", Some("S0123"), None);
    check("slack_group = \"\"", None, None);
    check("slack_group = \"<!subteam^S0123>\"", None, Some(3));
    check("slack_group = \"@ee-team\"", None, Some(3));
}

#[test]
fn config_shortcut_is_checked_and_written_the_canonical_way() {
    let check = |line: &str, shortcut: Option<&str>, finding_line: Option<u32>| {
        let c = parse_config("config.toml", &format!("me = \"a\"\n{line}\n"));
        assert_eq!(c.value.shortcut.as_deref(), shortcut, "{line}");
        let lines: Vec<Option<u32>> = c.findings.iter().map(|f| f.line).collect();
        assert_eq!(lines, finding_line.into_iter().map(Some).collect::<Vec<_>>(), "{line}: {:?}", c.findings);
    };
    check("", Some("Ctrl+Alt+E"), None);
    check("shortcut = \"super+shift+k\"", Some("Shift+Super+K"), None);
    check("shortcut = \"none\"", None, None);
    check("shortcut = \"\"", None, None);
    check("shortcut = \"Ctrl+Banana\"", Some("Ctrl+Alt+E"), Some(2));
    let bad = parse_config("config.toml", "shortcut = \"K\"\n");
    assert!(bad.findings[0].message.contains("needs Ctrl, Alt or Super"), "{}", bad.findings[0].message);
}
