//! Covering: overrides on the handbook page and in TOML, the effective team they give
//! everywhere (glance, coverage), and their lints — in zones with DST, +05:45 and a 30-minute DST.

use crate::common;
use common::{at, parsed as parse, table};
use rota_core::coverage::coverage;
use rota_core::overrides::{Member, When};
use rota_core::{glance, lint, parse_handbook, parse_roster, parse_toml_schedule, Roster, Rule, Rules, Schedule, Timing};
use rota_testkit::team;

/// Ada in Berlin, Bishal in Kathmandu (+05:45) and Cy in New York, each 09:00-17:00 every day.
fn roster_text() -> String {
    team::people(&[
        ["ada-k", "Ada", "Europe/Berlin", "09:00-17:00", "Mon-Sun"],
        ["bishal", "Bishal", "Asia/Kathmandu", "09:00-17:00", "Mon-Sun"],
        ["cy", "Cy", "America/New_York", "09:00-17:00", "Mon-Sun"],
    ])
}

fn roster() -> Roster {
    let r = parse_roster("people.toml", &roster_text());
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    r.value
}

fn timing(zone: &str, handoff: u16) -> Timing {
    Timing { timezone: zone.parse().expect("zone"), handoff }
}

/// A page with one rotation (ada-k, cy) and a covering table whose columns come in another order,
/// among others, with headers in any case.
fn page(overrides: &[&str]) -> String {
    table(
        "# Rotation\n\n| Rotation | Engineers |\n| --- | --- |\n| 2026-10-05 to 2026-11-29 | [@ada-k](https://github.com/ada-k), @cy |\n\n## Covering\n\n| for | Note | COVERING | When |\n| --- | --- | --- | --- |\n",
        overrides,
    )
}

fn team(s: &Schedule, t: &Timing, instant: &str) -> Vec<(String, Option<String>)> {
    s.team_at(t, at(instant)).into_iter().map(|Member { handle, covering_for }| (handle, covering_for)).collect()
}

fn m(h: &str, f: Option<&str>) -> (String, Option<String>) {
    (h.to_owned(), f.map(str::to_owned))
}

#[test]
fn a_whole_day_override_replaces_across_the_dst_change() {
    // Berlin leaves summer time on Sun 25 Oct 2026. Hand-off 09:00: the override runs from
    // Sat 24 Oct 09:00 CEST (07:00Z) to Mon 26 Oct 09:00 CET (08:00Z).
    let s = parse(&page(&["| @ada-k | ill | [@bishal](https://github.com/bishal) | 2026-10-24 to 2026-10-25 |"]));
    let t = timing("Europe/Berlin", 9 * 60);
    assert_eq!(s.overrides[0].line, Some(11));
    assert_eq!(team(&s, &t, "2026-10-24T06:59:00Z"), [m("ada-k", None), m("cy", None)]);
    assert_eq!(team(&s, &t, "2026-10-24T07:00:00Z"), [m("bishal", Some("ada-k")), m("cy", None)]);
    assert_eq!(team(&s, &t, "2026-10-26T07:59:00Z"), [m("bishal", Some("ada-k")), m("cy", None)]);
    assert_eq!(team(&s, &t, "2026-10-26T08:00:00Z"), [m("ada-k", None), m("cy", None)]);
}

#[test]
fn a_timed_override_in_kathmandu_is_exact_to_the_minute() {
    // +05:45: 09:00 local is 03:15Z, 18:00 local is 12:15Z.
    let s = parse(&page(&["| ada-k | | bishal | 2026-11-27 09:00 to 2026-11-28 18:00 |"]));
    let t = timing("Asia/Kathmandu", 0);
    assert_eq!(
        s.overrides[0].when,
        When::Local {
            start: common::day("2026-11-27").and_hms_opt(9, 0, 0).unwrap(),
            end: common::day("2026-11-28").and_hms_opt(18, 0, 0).unwrap()
        }
    );
    assert_eq!(team(&s, &t, "2026-11-27T03:14:00Z")[0], m("ada-k", None));
    assert_eq!(team(&s, &t, "2026-11-27T03:15:00Z")[0], m("bishal", Some("ada-k")));
    assert_eq!(team(&s, &t, "2026-11-28T12:14:00Z")[0], m("bishal", Some("ada-k")));
    assert_eq!(team(&s, &t, "2026-11-28T12:15:00Z")[0], m("ada-k", None));
}

#[test]
fn a_timed_override_across_lord_howe_half_hour_dst() {
    // Lord Howe moves from +10:30 to +11:00 at 02:00 on Sun 4 Oct 2026: 12:00 on the 3rd is
    // 01:30Z, 12:00 on the 4th is 01:00Z; the override lasts 23.5 hours.
    let text = "| Rotation | Engineers |\n|---|---|\n| 2026-09-01 to 2026-10-31 | ada-k, cy |\n\n| When | Covering | For |\n|---|---|---|\n| 2026-10-03 12:00 to 2026-10-04 12:00 | bishal | cy |\n";
    let s = parse(text);
    let t = timing("Australia/Lord_Howe", 0);
    let (start, end) = s.overrides[0].when.span(&t);
    assert_eq!((start, end), (at("2026-10-03T01:30:00Z"), at("2026-10-04T01:00:00Z")));
    assert_eq!(team(&s, &t, "2026-10-04T00:59:00Z"), [m("ada-k", None), m("bishal", Some("cy"))]);
    assert_eq!(team(&s, &t, "2026-10-04T01:00:00Z"), [m("ada-k", None), m("cy", None)]);
}

#[test]
fn for_empty_adds_and_covering_nobody_removes() {
    let s =
        parse(&page(&["| — | holiday help | @bishal | 2026-11-02 to 2026-11-03 |", "| @cy | out | nobody | 2026-11-03 to 2026-11-04 |"]));
    let t = timing("UTC", 0);
    assert_eq!(team(&s, &t, "2026-11-02T12:00:00Z"), [m("ada-k", None), m("cy", None), m("bishal", None)]);
    assert_eq!(team(&s, &t, "2026-11-03T12:00:00Z"), [m("ada-k", None), m("bishal", None)]);
    assert_eq!(team(&s, &t, "2026-11-04T12:00:00Z"), [m("ada-k", None)]);
    assert_eq!(team(&s, &t, "2026-11-05T12:00:00Z"), [m("ada-k", None), m("cy", None)]);
}

#[test]
fn the_glance_shows_who_covers_and_leaves_out_the_covered() {
    let s = parse(&page(&["| @ada-k | | @bishal | 2026-11-27 to 2026-11-29 |"]));
    let (t, r) = (timing("UTC", 0), roster());
    let g = glance(&s, &r, &t, chrono_tz::UTC, Some("bishal"), at("2026-11-28T12:00:00Z"));
    let handles: Vec<_> = g.on_duty.iter().map(|d| (d.handle.as_str(), d.covering_for.as_deref())).collect();
    assert_eq!(handles, [("bishal", Some("ada-k")), ("cy", None)]);
    assert!(g.me_on_duty);
    let line = rota_core::words::glance_line(&g.on_duty[0], Some("bishal"), g.at);
    assert!(line.starts_with("Bishal (you) — covering for Ada"), "{line}");
    assert!(line.chars().count() <= rota_core::words::LINE_CAP, "{line}");
    // The escalate policy ranks the effective team: Ada is not a candidate.
    let c = rota_core::assign::candidates(&g, &rota_core::assign::OpenCounts::new());
    assert!(c.iter().all(|c| c.handle != "ada-k"), "{c:?}");
    assert!(c.iter().any(|c| c.handle == "bishal"));
}

#[test]
fn coverage_follows_the_override() {
    // Ada (Berlin 09-17) is replaced on Wed 25 Nov 2026 by Bishal (Kathmandu 09-17 = 03:15-11:15Z).
    let s = parse(&page(&["| ada-k | | bishal | 2026-11-25 to 2026-11-25 |"]));
    let (t, r) = (timing("UTC", 0), roster());
    let c = coverage(&s, &r, &t, chrono_tz::UTC, at("2026-11-25T12:00:00Z"));
    let who = |instant: &str| -> Vec<String> {
        let slot = c.slots.iter().find(|sl| sl.start == at(instant)).expect("slot");
        slot.working.iter().map(|w| w.handle.clone()).collect()
    };
    assert_eq!(who("2026-11-24T09:00:00Z"), ["ada-k"]);
    assert_eq!(who("2026-11-25T04:00:00Z"), ["bishal"]);
    assert_eq!(who("2026-11-25T09:00:00Z"), ["bishal"], "Ada is covered that day");
    assert!(who("2026-11-25T12:00:00Z").is_empty());
    assert_eq!(who("2026-11-26T09:00:00Z"), ["ada-k"]);
    // 11:15Z to 14:00Z (Cy starts at 09:00 New York) is a gap on the 25th only.
    assert!(c.gaps.iter().any(|g| g.start == at("2026-11-25T11:15:00Z")), "{:?}", c.gaps);
}

#[test]
fn toml_overrides_take_dates_and_local_times() {
    let text = r#"
[[rotation]]
start = 2026-10-05
end = 2026-11-29
engineers = ["ada-k", "cy"]

[[override]]
start = 2026-11-27
end = 2026-11-29
covering = "bishal"
for = "ada-k"

[[override]]
start = "2026-11-10 09:00"
end = 2026-11-10T18:00
covering = "bishal"
"#;
    let p = parse_toml_schedule("rota.toml", text);
    assert!(p.findings.is_empty(), "{:?}", p.findings);
    let s = p.value;
    assert_eq!(s.overrides.len(), 2);
    assert_eq!(s.overrides[0].line, Some(7));
    let t = timing("Asia/Kathmandu", 0);
    assert_eq!(team(&s, &t, "2026-11-28T12:00:00Z")[0], m("bishal", Some("ada-k")));
    assert_eq!(team(&s, &t, "2026-11-10T03:15:00Z").len(), 3);
    assert_eq!(team(&s, &t, "2026-11-10T12:15:00Z").len(), 2);
}

#[test]
fn bad_overrides_are_located_errors() {
    let p = parse_handbook("rota.md", &page(&["| ada-k | | bishal | next tuesday |", "| | | | 2026-11-01 to 2026-11-02 |"]));
    let got: Vec<_> = p.findings.iter().map(|f| (f.line, f.rule, f.message.contains("fix this row"))).collect();
    assert_eq!(got, [(Some(11), Rule::Syntax, true), (Some(12), Rule::Syntax, true)]);
    let p = parse_toml_schedule("rota.toml", "[[override]]\nstart = 2026-11-01\nend = \"2026-11-02 10:00\"\nfor = \"x\"\n");
    assert_eq!(p.findings.len(), 1, "{:?}", p.findings);
    assert_eq!((p.findings[0].line, p.findings[0].rule), (Some(1), Rule::Syntax));
}

#[test]
fn overrides_are_linted_with_file_and_line() {
    let s = parse(&page(&[
        "| ada-k | | bishal | 2026-11-02 to 2026-11-04 |",   // line 11: fine
        "| ada-k | | cy | 2026-11-04 to 2026-11-05 |",       // 12: overlaps line 11 for ada-k
        "| zed | | bishal | 2026-11-10 to 2026-11-11 |",     // 13: zed is not on the rotation
        "| | | bishal | 2027-01-10 to 2027-01-11 |",         // 14: outside every rotation
        "| ada-k | | stranger | 2026-11-20 to 2026-11-20 |", // 15: stranger not in the roster
        "| cy | | bishal | 2026-11-28 to 2026-12-02 |",      // 16: runs past the rotation's end
    ]));
    let rules = Rules { timing: timing("UTC", 0), team_size: 2, viewer: chrono_tz::UTC };
    let found: Vec<_> = lint(&s, &roster(), &rules).into_iter().filter(|f| f.line.is_some_and(|l| l >= 11)).collect();
    let got: Vec<_> = found.iter().map(|f| (f.line.unwrap_or(0), f.rule, f.file.as_str())).collect();
    assert_eq!(
        got,
        [
            (12, Rule::OverlappingOverrides, "rota.md"),
            (13, Rule::CoveredNotOnRotation, "rota.md"),
            (14, Rule::OverrideOutsideRotation, "rota.md"),
            (15, Rule::NotInRoster, "rota.md"),
            (16, Rule::CoveredNotOnRotation, "rota.md"),
        ],
        "{found:#?}"
    );
    assert!(found[0].message.contains("(line 11)"), "{}", found[0].message);
    assert!(found[0].is_error() && found[1].is_error() && !found[2].is_error() && !found[3].is_error());
}

#[test]
fn the_next_line_names_who_is_on_at_the_hand_off_overrides_applied() {
    // Bishal's rotation starts Mon 2 Nov; Ada covers its first two days for him.
    let text = "| Rotation | Engineers |\n|---|---|\n| 2026-10-05 to 2026-11-01 | ada-k, cy |\n| 2026-11-02 to 2026-11-29 | bishal, cy |\n\n| When | Covering | For |\n|---|---|---|\n| 2026-11-02 to 2026-11-03 | ada-k | bishal |\n";
    let s = parse(text);
    let t = timing("Europe/Berlin", 9 * 60);
    let g = glance(&s, &roster(), &t, t.timezone, None, at("2026-10-30T12:00:00Z"));
    assert_eq!(g.next_team, ["ada-k", "cy"]);
    let line = rota_core::words::next_line(&g, &t).unwrap();
    assert!(line.starts_with("Next: Mon 2 Nov 09:00") && line.ends_with("— ada-k, cy"), "{line}");
    let sentence = rota_core::words::next_handoff(&g, &t).unwrap();
    assert!(sentence.ends_with("— ada-k, cy"), "{sentence}");
    // The rotation itself is as written (the timeline, `rota now --json`'s next_rotation).
    assert_eq!(g.next_rotation.unwrap().engineers().collect::<Vec<_>>(), ["bishal", "cy"]);
}

/// The overlap rule found by a sweep says what the pairwise reading said: each override
/// overlapping earlier ones for the same engineer (any spelling), each pair once, at the later line.
#[test]
fn overlaps_are_found_pairwise_in_the_order_written() {
    let rows = [
        "| @cy | | @ann | 2026-10-10 to 2026-10-12 |",   // line 11
        "| @ada-k | | @bo | 2026-10-11 to 2026-10-11 |", // 12: another engineer
        "| @CY | | @bo | 2026-10-09 to 2026-10-10 |",    // 13: overlaps 11
        "| cy | | @ann | 2026-10-12 to 2026-10-20 |",    // 14: overlaps 11
        "| @cy | | @bo | 2026-10-06 to 2026-11-28 |",    // 15: overlaps 11, 13, 14
        "| @cy | | @bo | 2026-11-21 to 2026-11-22 |",    // 16: overlaps 15
    ];
    let s = parse(&page(&rows));
    let t = Timing { timezone: chrono_tz::UTC, handoff: 0 };
    let found: Vec<(Option<u32>, String)> = rota_core::overrides::lint_overrides(&s, &Default::default(), &t)
        .into_iter()
        .filter(|f| f.rule == Rule::OverlappingOverrides)
        .map(|f| (f.line, f.message.split("(line ").nth(1).unwrap_or("").chars().take_while(char::is_ascii_digit).collect()))
        .collect();
    let expected: Vec<(Option<u32>, String)> =
        [(13, "11"), (14, "11"), (15, "11"), (15, "13"), (15, "14"), (16, "15")].iter().map(|(l, e)| (Some(*l), e.to_string())).collect();
    assert_eq!(found, expected);
}

/// A covering row as the dashboard lists it with its rotation, in the viewer's zone:
/// who is in whose place and from when to when, the zone said once, or at each end when a clock
/// change (Lord Howe's 30-minute one) falls between them; odd offsets as "UTC+05:45".
#[test]
fn a_covering_row_said_in_the_viewers_zone() {
    use chrono::NaiveDate;
    use rota_core::overrides::{Override, When};
    use rota_core::words::covering_line;
    let day = |d: u32, h: u32| NaiveDate::from_ymd_opt(2024, 4, d).unwrap().and_hms_opt(h, 0, 0).unwrap();
    let row = |covering: Option<&str>, covered: Option<&str>| Override {
        when: When::Local { start: day(6, 0), end: day(8, 0) },
        covering: covering.map(str::to_owned),
        covered: covered.map(str::to_owned),
        line: Some(9),
    };
    let utc = timing("UTC", 0);
    let line = |o: &Override, zone: &str| covering_line(o, &utc, zone.parse().unwrap());
    let kenji = row(Some("kenji"), Some("tom"));
    assert_eq!(line(&kenji, "UTC").unwrap(), "Sat 6 Apr 00:00 – Mon 8 Apr 00:00 UTC: kenji covers for tom");
    assert_eq!(line(&kenji, "Asia/Kathmandu").unwrap(), "Sat 6 Apr 05:45 – Mon 8 Apr 05:45 UTC+05:45: kenji covers for tom");
    // Lord Howe leaves daylight time at 02:00 on Sunday 7 April: +11 to +10:30.
    assert_eq!(line(&kenji, "Australia/Lord_Howe").unwrap(), "Sat 6 Apr 11:00 UTC+11:00 – Mon 8 Apr 10:30 UTC+10:30: kenji covers for tom");
    assert_eq!(line(&row(Some("ana"), None), "UTC").unwrap(), "Sat 6 Apr 00:00 – Mon 8 Apr 00:00 UTC: ana joins the rotation");
    assert_eq!(line(&row(None, Some("bo")), "UTC").unwrap(), "Sat 6 Apr 00:00 – Mon 8 Apr 00:00 UTC: bo is off");
    assert_eq!(line(&row(None, None), "UTC"), None);
}
