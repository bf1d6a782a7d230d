//! The program's rules, each finding with file and line.

use rota_core::lint::{self as lints};
use rota_core::{lint, parse_handbook, parse_roster, Rule, Rules, Severity, Timing};
use rota_testkit::team;

/// Five people in odd zones and hours.
fn roster_text() -> String {
    team::people(&[
        ["ann", "", "Asia/Kathmandu", "07:00-17:00", ""],
        ["bo", "", "America/St_Johns", "07:30-18:00", ""],
        ["cy", "", "Pacific/Chatham", "07:00-16:00", "Mon-Sat"],
        ["di", "Dee Dee", "Asia/Kolkata", "", ""],
        ["ed", "", "Asia/Dhaka", "", ""],
    ])
}

/// `check(rows, expected (line, rule) findings)`; line 3 is the first row.
fn check(rows: &[&str], expected: &[(u32, Rule)]) {
    let mut text = String::from("| Rotation | Engineers |\n|---|---|\n");
    for r in rows {
        text.push_str(&format!("| {r} |\n"));
    }
    let schedule = parse_handbook("rota.md", &text);
    assert!(schedule.findings.is_empty(), "{:?}", schedule.findings);
    let roster = parse_roster("people.toml", &roster_text()).value;
    let findings = lint(&schedule.value, &roster, &Rules { timing: Timing::default(), team_size: 3, viewer: chrono_tz::UTC });
    let got: Vec<(u32, Rule)> = findings.iter().map(|f| (f.line.unwrap_or(0), f.rule)).collect();
    assert_eq!(got, expected, "{rows:?}\n{findings:#?}");
    assert!(findings.iter().all(|f| f.file == "rota.md"));
}

#[test]
fn a_good_schedule_has_no_findings() {
    // Kathmandu, St John's and Chatham (with a Saturday, Friday evening UTC) cover every weekday hour.
    check(&["2024-01-01 to 2024-02-11 | @ann, @bo, @cy", "2024-02-12 to 2024-03-24 | @ann, @bo, @cy"], &[]);
}

#[test]
fn each_rule() {
    use Rule::*;
    let good = "@ann, @bo, @cy";
    // Each case: the page's rotation rows, and the findings expected (line, rule).
    type Case<'a> = (&'a [&'a str], &'a [(u32, Rule)]);
    let cases: &[Case] = &[
        (&["2024-02-11 to 2024-01-01 | @ann, @bo, @cy"], &[(3, EndBeforeStart)]),
        (&[&format!("2024-01-01 to 2024-02-11 | {good}"), &format!("2024-02-10 to 2024-03-24 | {good}")], &[(4, OverlappingRotations)]),
        (&[&format!("2024-01-01 to 2024-02-11 | {good}"), &format!("2024-02-15 to 2024-03-24 | {good}")], &[(4, UncoveredDays)]),
        (&["2024-01-01 to 2024-02-11 | @ann, @bo, @ann, @cy"], &[(3, DuplicateEngineer)]),
        (&[&format!("2024-01-01 to 2024-01-21 | {good}")], &[(3, ShortRotation)]),
        (&[&format!("2024-01-01 to 2024-04-21 | {good}")], &[(3, LongRotation)]),
        (&["2024-01-01 to 2024-02-11 | @ann, @bo, TBD"], &[(3, OpenSeats), (3, UncoveredHours)]),
        (&["2024-01-01 to 2024-02-11 | @ann, @di, @ed"], &[(3, PoorTimezoneSpread), (3, UncoveredHours)]),
        (&["2024-01-01 to 2024-02-11 | @ann, @bo, @cy, @zed"], &[(3, NotInRoster)]),
    ];
    for (rows, expected) in cases {
        check(rows, expected);
    }
}

#[test]
fn severities_follow_product_rules() {
    for r in [
        Rule::Syntax,
        Rule::EndBeforeStart,
        Rule::UnknownTimezone,
        Rule::MalformedHours,
        Rule::OverlappingRotations,
        Rule::DuplicateEngineer,
    ] {
        assert_eq!(r.severity(), Severity::Error, "{r:?}");
    }
    for r in [
        Rule::ShortRotation,
        Rule::LongRotation,
        Rule::OpenSeats,
        Rule::UncoveredDays,
        Rule::PoorTimezoneSpread,
        Rule::UncoveredHours,
        Rule::NotInRoster,
    ] {
        assert_eq!(r.severity(), Severity::Warning, "{r:?}");
    }
}

#[test]
fn no_roster_is_one_warning() {
    let schedule = parse_handbook("rota.md", "| Rotation | Engineers |\n|---|---|\n| 2024-01-01 to 2024-02-11 | @a, @b, @c |\n").value;
    let findings = lint(&schedule, &Default::default(), &Rules { timing: Timing::default(), team_size: 3, viewer: chrono_tz::UTC });
    assert_eq!(findings.iter().map(|f| f.rule).collect::<Vec<_>>(), [Rule::NotInRoster]);
}

/// A `me` that is nobody on the team is said at the config's line, with the handles
/// near it (a typo), never in silence; anyone the schedule or the roster names is someone.
#[test]
fn me_must_be_someone_on_the_team() {
    let text = "| Rotation | Engineers |\n|---|---|\n| 2026-10-05 to 2026-11-29 | [@ann](https://github.com/ann), @zoe |\n\n| When | Covering | For |\n|---|---|---|\n| 2026-10-10 to 2026-10-12 | kenji | zoe |\n";
    let schedule = parse_handbook("rota.md", text).value;
    let roster = parse_roster("people.toml", &roster_text()).value;
    for (me, expected) in [
        ("ann", None),
        ("@ANN", None),
        ("zoe", None),   // on the schedule, not in the roster
        ("kenji", None), // only on a covering row
        ("ed", None),    // in the roster, on no rotation yet
        ("an", Some((Rule::MisspeltMe, "me = \"an\" is nobody on the team: did you mean ann?"))),
        ("kenjii", Some((Rule::MisspeltMe, "me = \"kenjii\" is nobody on the team: did you mean kenji?"))),
        ("Dee Dee", Some((Rule::MisspeltMe, "me = \"Dee Dee\" is nobody on the team: did you mean di?"))), // a name
        (
            "sofia", // a support engineer, maybe: said, and nothing stops
            Some((Rule::UnknownMe, "me = \"sofia\" is nobody in the schedule or the roster; if you are on the team, set it to your handle as the schedule writes it")),
        ),
    ] {
        let got = lints::me(me, "config.toml", Some(2), &schedule, &roster);
        assert_eq!(got.as_ref().map(|f| (f.rule, f.message.as_str())), expected, "me = {me:?}");
        if let Some(f) = got {
            assert_eq!((f.file.as_str(), f.line), ("config.toml", Some(2)));
            let severity = if f.rule == Rule::MisspeltMe { Severity::Error } else { Severity::Warning };
            assert_eq!(f.severity, severity);
        }
    }
    assert_eq!(
        lints::me("anyone", "config.toml", None, &rota_core::Schedule::default(), &Default::default()),
        None,
        "nobody to check against"
    );
}

/// A check names an instant in the viewer's zone, not the schedule's (UTC here): the
/// first uncovered hour of a rotation, said in Johannesburg, Kathmandu (+05:45, no letters),
/// Chatham (+13:45 in January's DST) and Lord Howe (30-minute DST, +11 in January).
#[test]
fn a_checks_instant_is_in_the_viewers_zone() {
    let text = "| Rotation | Engineers |\n|---|---|\n| 2024-01-01 to 2024-02-11 | @ann, @bo, TBD |\n";
    let schedule = parse_handbook("rota.md", text).value;
    let roster = parse_roster("people.toml", &roster_text()).value;
    let first_at = |zone: &str| {
        let rules = Rules { timing: Timing::default(), team_size: 3, viewer: zone.parse().unwrap() };
        let f = lint(&schedule, &roster, &rules).into_iter().find(|f| f.rule == Rule::UncoveredHours).expect("uncovered hours");
        f.message.split("(the first at ").nth(1).and_then(|m| m.split(')').next()).unwrap().to_owned()
    };
    // Monday 1 January 2024, 00:00 UTC: the rotation's first hour, nobody working.
    assert_eq!(first_at("UTC"), "Mon 00:00 UTC");
    assert_eq!(first_at("Africa/Johannesburg"), "Mon 02:00 SAST");
    assert_eq!(first_at("Asia/Kathmandu"), "Mon 05:45 UTC+05:45");
    assert_eq!(first_at("Pacific/Chatham"), "Mon 13:45 UTC+13:45");
    assert_eq!(first_at("Australia/Lord_Howe"), "Mon 11:00 UTC+11:00");
    assert_eq!(first_at("America/St_Johns"), "Sun 20:30 NST");
}
