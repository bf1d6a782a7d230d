//! Time away: the page's Away table, `[[away]]` and an iCalendar feed read into periods in each
//! person's zone; the status `away` and its words; the policy passing over the away; coverage
//! counting their hours uncovered; and `rota check`'s warning — across DST, +05:45, +13:45 and
//! Lord Howe's 30-minute DST.

use crate::common::{at, parsed as parse, table};
use rota_core::assign::{candidates, not_working_warning, suggest, OpenCounts};
use rota_core::away::feed::parse_feed;
use rota_core::away::{spans, AwayWhen};
use rota_core::coverage::duty_shifts;
use rota_core::words::{duty_status, glance_line};
use rota_core::{glance, lint, parse_handbook, parse_roster, parse_toml_schedule, Roster, Rule, Rules, Schedule, Status, Timing};

/// Ann in Berlin (DST), Bishal in Kathmandu (+05:45), Cat on Chatham (+13:45 in summer) and Lou
/// on Lord Howe (+10:30, +11 in summer: a 30-minute DST), each 09:00-17:00 every day.
const PEOPLE: &str = "[[person]]\nhandle = \"ann\"\nname = \"Ann\"\ntimezone = \"Europe/Berlin\"\nhours = \"09:00-17:00\"\ndays = \"Mon-Sun\"\nemail = \"ann@example.com\"\n\n\
[[person]]\nhandle = \"bishal\"\nname = \"Bishal\"\ntimezone = \"Asia/Kathmandu\"\nhours = \"09:00-17:00\"\ndays = \"Mon-Sun\"\n\n\
[[person]]\nhandle = \"cat\"\nname = \"Cat Tuhiwai\"\ntimezone = \"Pacific/Chatham\"\nhours = \"09:00-17:00\"\ndays = \"Mon-Sun\"\n\n\
[[person]]\nhandle = \"lou\"\nname = \"Lou\"\ntimezone = \"Australia/Lord_Howe\"\nhours = \"09:00-17:00\"\ndays = \"Mon-Sun\"\n";

fn roster() -> Roster {
    let r = parse_roster("people.toml", PEOPLE);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    r.value
}

fn timing() -> Timing {
    Timing { timezone: chrono_tz::UTC, handoff: 0 }
}

/// A page with one long rotation of all four and an Away table (columns in another order, among
/// others), plus the Covering rows given.
fn page(away: &[&str], covering: &[&str]) -> String {
    let rotations = "| Rotation | Engineers |\n| --- | --- |\n| 2020-12-01 to 2021-01-31 | @ann, @bishal, @cat |\n| 2026-02-01 to 2026-11-30 | @ann, @bishal, @lou |\n\n## Away\n\n| When | Note | Why | Who |\n| --- | --- | --- | --- |\n";
    table(rotations, away) + &table("\n## Covering\n\n| When | Covering | For |\n| --- | --- | --- |\n", covering)
}

/// Each row: an away row, an instant, and whether the person is away then and until when.
#[test]
fn whole_days_and_local_times_are_the_persons_own() {
    let r = roster();
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        // Berlin, whole days in winter (+01:00): from 20 Dec 23:00Z to 3 Jan 23:00Z.
        ("| 2020-12-21 to 2021-01-03 | | holiday | @ann |", "ann", "2020-12-20T22:59:00Z", None),
        ("| 2020-12-21 to 2021-01-03 | | holiday | @ann |", "ann", "2020-12-20T23:00:00Z", Some("2021-01-03T23:00:00Z")),
        ("| 2020-12-21 to 2021-01-03 | | holiday | @ann |", "ann", "2021-01-03T23:00:00Z", None),
        // Kathmandu, +05:45: 09:00-12:00 local is 03:15Z-06:15Z.
        ("| 2026-03-10 09:00 to 2026-03-10 12:00 | | dentist | bishal |", "bishal", "2026-03-10T03:14:00Z", None),
        ("| 2026-03-10 09:00 to 2026-03-10 12:00 | | dentist | bishal |", "bishal", "2026-03-10T03:15:00Z", Some("2026-03-10T06:15:00Z")),
        // Chatham in summer, +13:45: 25 Dec local starts 24 Dec 10:15Z.
        ("| 2020-12-25 to 2020-12-25 | | Christmas | Cat Tuhiwai |", "cat", "2020-12-24T10:15:00Z", Some("2020-12-25T10:15:00Z")),
        ("| 2020-12-25 to 2020-12-25 | | Christmas | Cat Tuhiwai |", "cat", "2020-12-24T10:14:00Z", None),
        // Lord Howe moves from +10:30 to +11:00 at 02:00 on Sun 4 Oct 2026: that day is 23 h 30.
        ("| 2026-10-04 to 2026-10-04 | | moving | lou |", "lou", "2026-10-03T13:30:00Z", Some("2026-10-04T13:00:00Z")),
        ("| 2026-10-04 to 2026-10-04 | | moving | lou |", "lou", "2026-10-04T13:00:00Z", None),
        // Berlin's spring forward (29 Mar 2026, 02:00 → 03:00): 01:00-04:00 local is two hours.
        ("| 2026-03-29 01:00 to 2026-03-29 04:00 | | | ann |", "ann", "2026-03-29T00:00:00Z", Some("2026-03-29T02:00:00Z")),
    ];
    for (row, who, instant, until) in cases {
        let s = parse(&page(&[row], &[]));
        let g = glance(&s, &r, &timing(), chrono_tz::UTC, None, at(instant));
        let d = g.on_duty.iter().find(|d| d.handle == *who).unwrap_or_else(|| panic!("{who} on duty at {instant}"));
        match until {
            Some(u) => {
                assert_eq!(d.status, Status::Away, "{row} at {instant}");
                assert_eq!(d.away.as_ref().map(|a| a.until), Some(at(u)), "{row} at {instant}");
            }
            None => assert_ne!(d.status, Status::Away, "{row} at {instant}"),
        }
    }
}

/// Periods that meet are one absence: "until" is the day they are back.
#[test]
fn the_status_says_the_day_they_are_back_in_their_zone() {
    let r = roster();
    let s = parse(&page(&["| 2020-12-21 to 2020-12-31 | | holiday | ann |", "| 2021-01-01 to 2021-01-03 | | more holiday | ann |"], &[]));
    let g = glance(&s, &r, &timing(), chrono_tz::UTC, None, at("2020-12-22T12:00:00Z"));
    let ann = g.on_duty.iter().find(|d| d.handle == "ann").expect("ann");
    assert_eq!(duty_status(ann), "away until Mon 4 Jan");
    assert_eq!(ann.away.as_ref().map(|a| a.why.as_str()), Some("holiday"));
    assert_eq!(glance_line(ann, None, g.at), "Ann — 13:00 CET · away until Mon 4 Jan");
    // Working first, the away last.
    assert_eq!(g.by_status().last().map(|d| d.handle.as_str()), Some("ann"));
    // A period ending within a day says the time.
    let s = parse(&page(&["| 2026-03-10 09:00 to 2026-03-10 12:00 | | dentist | bishal |"], &[]));
    let g = glance(&s, &r, &timing(), chrono_tz::UTC, None, at("2026-03-10T04:00:00Z"));
    let b = g.on_duty.iter().find(|d| d.handle == "bishal").expect("bishal");
    assert_eq!(duty_status(b), "away until Tue 10 Mar 12:00");
}

#[test]
fn the_policy_never_picks_the_away_and_warns_about_filing_to_them() {
    let r = roster();
    // At 09:00Z on 22 Dec, Ann (10:00 Berlin) is the only one working, and she is away.
    let s = parse(&page(&["| 2020-12-21 to 2020-12-31 | | holiday | ann |"], &[]));
    let g = glance(&s, &r, &timing(), chrono_tz::UTC, None, at("2020-12-22T09:00:00Z"));
    let pick = suggest(&g, &OpenCounts::new());
    assert_ne!(pick.assignee(), Some("ann"));
    assert!(pick.assignee().is_some());
    let all = candidates(&g, &OpenCounts::new());
    let ann = all.iter().find(|c| c.handle == "ann").expect("ann listed");
    assert_eq!(all.last().map(|c| c.handle.as_str()), Some("ann"), "the away come last");
    assert_eq!(ann.status_words(), "away until Fri 1 Jan");
    assert_eq!(
        not_working_warning(ann, g.at).as_deref(),
        Some("Ann is away until Fri 1 Jan (holiday): file to them anyway, or pick someone who is there.")
    );
    // Everyone away: nobody is picked, the escalation goes to the whole rotation.
    let s = parse(&page(
        &["| 2020-12-21 to 2020-12-31 | | | ann |", "| 2020-12-21 to 2020-12-31 | | | bishal |", "| 2020-12-21 to 2020-12-31 | | | cat |"],
        &[],
    ));
    let g = glance(&s, &r, &timing(), chrono_tz::UTC, None, at("2020-12-22T09:00:00Z"));
    assert_eq!(suggest(&g, &OpenCounts::new()).assignee(), None);
}

#[test]
fn coverage_counts_away_hours_as_uncovered() {
    let r = roster();
    let (from, to) = (at("2026-03-10T00:00:00Z"), at("2026-03-11T00:00:00Z"));
    let without = duty_shifts(&parse(&page(&[], &[])), &r, &timing(), from, to);
    let with = duty_shifts(&parse(&page(&["| 2026-03-10 09:00 to 2026-03-10 12:00 | | dentist | bishal |"], &[])), &r, &timing(), from, to);
    let minutes = |v: &[(String, rota_core::roster::Shift)], who: &str| -> i64 {
        v.iter().filter(|(h, _)| h == who).map(|(_, s)| (s.end - s.start).num_minutes()).sum()
    };
    assert_eq!(minutes(&without, "bishal"), 8 * 60);
    assert_eq!(minutes(&with, "bishal"), 5 * 60);
    assert_eq!(minutes(&with, "ann"), minutes(&without, "ann"));
    // The three hours are cut out exactly: 03:15Z to 06:15Z.
    assert!(with
        .iter()
        .filter(|(h, _)| h == "bishal")
        .all(|(_, s)| s.end <= at("2026-03-10T03:15:00Z") || s.start >= at("2026-03-10T06:15:00Z")));
}

#[test]
fn check_warns_at_the_away_row_unless_a_covering_row_fills_the_seat() {
    let r = roster();
    let rules = Rules { timing: timing(), team_size: 3, viewer: chrono_tz::UTC };
    let away = away_findings(&parse(&page(&["| 2020-12-21 to 2020-12-31 | | holiday | ann |"], &[])), &r, &rules);
    assert_eq!(away, vec![(Some(10), "ann is away 21-31 Dec during their rotation and nobody covers: add a Covering row".to_owned())]);
    let covered = parse(&page(&["| 2020-12-21 to 2020-12-31 | | holiday | ann |"], &["| 2020-12-21 to 2020-12-31 | lou | ann |"]));
    assert_eq!(away_findings(&covered, &r, &rules), vec![]);
    // Across months, in the person's zone (Chatham's 1 Jan starts 31 Dec 10:15Z).
    let s = parse(&page(&["| 2020-12-28 to 2021-01-02 | | | cat |"], &[]));
    assert_eq!(
        away_findings(&s, &r, &rules),
        vec![(Some(10), "cat is away 28 Dec-2 Jan during their rotation and nobody covers: add a Covering row".to_owned())]
    );
    // Someone the roster does not know: said, at the row.
    let s = parse(&page(&["| 2020-12-21 to 2020-12-31 | | | zed |"], &[]));
    assert_eq!(
        away_findings(&s, &r, &rules),
        vec![(Some(10), "zed is away 21-31 Dec but is not in the roster; add them, or write their handle as the roster does".to_owned())]
    );
    // Outside any rotation of theirs: nothing to say.
    let s = parse(&page(&["| 2026-12-20 to 2026-12-31 | | | ann |"], &[]));
    assert_eq!(away_findings(&s, &r, &rules), vec![]);
}

fn away_findings(s: &Schedule, r: &Roster, rules: &Rules) -> Vec<(Option<u32>, String)> {
    lint(s, r, rules)
        .into_iter()
        .filter(|f| f.rule == Rule::AwayUncovered || f.message.contains("away"))
        .map(|f| (f.line, f.message))
        .collect()
}

#[test]
fn toml_away_and_bad_rows_are_read_with_their_lines() {
    let text = "[[rotation]]\nstart = 2020-12-01\nend = 2021-01-31\nengineers = [\"ann\"]\n\n[[away]]\nwho = \"ann\"\nstart = 2020-12-21\nend = 2020-12-31\nwhy = \"holiday\"\n\n[[away]]\nwho = \"ann\"\nstart = \"2021-01-10 09:00\"\nend = \"2021-01-10 13:00\"\n\n[[away]]\nwho = \"ann\"\nstart = 2021-01-12\nend = \"2021-01-12 10:00\"\n";
    let p = parse_toml_schedule("rota.toml", text);
    assert_eq!(p.value.away.len(), 2);
    assert_eq!(p.value.away[0].line, Some(6));
    assert!(matches!(p.value.away[1].when, AwayWhen::Local { .. }));
    let msgs: Vec<(Option<u32>, &str)> = p.findings.iter().map(|f| (f.line, f.message.as_str())).collect();
    assert_eq!(msgs, vec![(Some(17), "the away's start and end must both be dates or both be local times; write them alike")]);
    let bad = parse_handbook("rota.md", &page(&["| 21 Dec | | | ann |", "| 2020-12-21 to 2020-12-22 | | | |"], &[]));
    let msgs: Vec<(Option<u32>, &str)> = bad.findings.iter().map(|f| (f.line, f.message.as_str())).collect();
    assert_eq!(
        msgs,
        vec![
            (
                Some(10),
                "the away time \"21 Dec\" is not \"YYYY-MM-DD to YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM to YYYY-MM-DD HH:MM\"; fix this row"
            ),
            (Some(11), "the away row names nobody; write who is away in the Who column; fix this row"),
        ]
    );
}

const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Holiday\r\nDTSTART;VALUE=DATE:20201221\r\nDTEND;VALUE=DATE:20210104\r\nATTENDEE;CN=Someone:mailto:ANN@example.com\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:2\r\nSUMMARY:Cat Tuhiwai - Christmas\r\nDTSTART;VALUE=DATE:20201225\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:3\r\nSUMMARY:Dentist\r\nDTSTART;TZID=Asia/Kathmandu:20260310T090000\r\nDTEND;TZID=Asia/Kathmandu:20260310T120000\r\nORGANIZER;CN=bishal:mailto:b@elsewhere.example\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:4\r\nSUMMARY:Lou moving h\r\n ouse\r\nDTSTART:20261003T133000Z\r\nDTEND:20261004T130000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:5\r\nSUMMARY:Zed's holiday\r\nDTSTART;VALUE=DATE:20201221\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:6\r\nSUMMARY:Ann broken\r\nDTSTART:tomorrow\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

#[test]
fn a_feed_of_time_off_belongs_to_whom_it_names_in_their_zone() {
    let r = roster();
    let p = parse_feed("away.ics", FEED, &r);
    let msgs: Vec<(Option<u32>, &str)> = p.findings.iter().map(|f| (f.line, f.message.as_str())).collect();
    assert_eq!(msgs, vec![(Some(35), "the event's DTSTART is not an iCalendar date or time; fix the event")]);
    let mut s = Schedule::new("rota.md", vec![]);
    s.away = p.value;
    let got: Vec<(String, String, String, String)> =
        spans(&s, &r, chrono_tz::UTC).into_iter().map(|a| (a.handle, a.start.to_rfc3339(), a.end.to_rfc3339(), a.why)).collect();
    let want = [
        // All-day, Berlin: 21 Dec to 3 Jan inclusive (DTEND is exclusive).
        ("ann", "2020-12-20T23:00:00+00:00", "2021-01-03T23:00:00+00:00", "Holiday"),
        // All-day with no end: one day, Chatham's (+13:45).
        ("cat", "2020-12-24T10:15:00+00:00", "2020-12-25T10:15:00+00:00", "Cat Tuhiwai - Christmas"),
        ("bishal", "2026-03-10T03:15:00+00:00", "2026-03-10T06:15:00+00:00", "Dentist"),
        // Folded summary, UTC times across Lord Howe's change.
        ("lou", "2026-10-03T13:30:00+00:00", "2026-10-04T13:00:00+00:00", "Lou moving house"),
    ];
    let want: Vec<(String, String, String, String)> =
        want.iter().map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string())).collect();
    assert_eq!(got, want);
    assert!(s.away.iter().all(|a| a.file.as_deref() == Some("away.ics")));
    assert_eq!(s.away[0].line, Some(4));
}

#[test]
fn a_file_that_is_no_calendar_says_so() {
    let p = parse_feed("away.ics", "<html>login</html>", &roster());
    assert!(p.value.is_empty());
    assert_eq!(
        p.findings[0].message,
        "is not an iCalendar file (it does not start with BEGIN:VCALENDAR); point roster.away at a calendar's .ics feed"
    );
}
