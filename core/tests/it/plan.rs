//! Filling open seats: the gap each candidate closes, worked out by hand; whose turn it is; the
//! greedy picks; the row; and the check's warning naming the best candidate.

use crate::common::{at, day, page, roster};
use rota_core::plan::{self, Plan};
use rota_core::{lint, parse_handbook, Rule, Rules, Timing};

/// Minutes a week as hours, exact.
const H: i64 = 60;

fn plan_of(rows: &[(&str, &str)], people: &[(&str, &str, &str, &str)], start: &str, team_size: usize, viewer: &str) -> Plan {
    let s = page(rows);
    let r = roster(people);
    let rotation = s.rotations.iter().find(|r| r.start == day(start)).expect("the rotation").clone();
    plan::plan(&s, &r, &Timing::default(), team_size, viewer.parse().unwrap(), &rotation)
}

fn closes(p: &Plan) -> Vec<(&str, i64)> {
    p.candidates.iter().map(|c| (c.handle.as_str(), c.closes)).collect()
}

/// Four whole weeks from Monday 8 January 2024 (UTC hand-offs). Ann in London (UTC in
/// January) works 09:00-17:00 UTC: 16 weekday hours a day, 80 a week, have nobody.
/// - Kai, Tokyo (+09:00), 09:00-17:00 is 00:00-08:00 UTC: closes 8 h × 5 = 40.
/// - Lu, Los Angeles (-08:00), 09:00-17:00 is 17:00-01:00 UTC: Mon-Thu 7 h + the next
///   morning's 1 h, Friday 7 h (Saturday 00:00-01:00 is the weekend): 4 × 8 + 7 = 39.
/// - Raj, Kolkata (+05:30), 09:00-17:00 is 03:30-11:30 UTC: 03:30-09:00 is 5.5 h × 5 = 27.5.
///
/// Greedy: Kai first (40). Left: 08:00-09:00 and 17:00-24:00 each weekday, 40 h. Lu now closes
/// 17:00-24:00 (35 h; 00:00-01:00 is Kai's), Raj 08:00-09:00 (5 h): Lu. Left 5 h a week.
#[test]
fn three_zones_by_hand() {
    let p = plan_of(
        &[("2024-01-08 to 2024-02-04", "@ann, TBD, TBD")],
        &[
            ("ann", "Europe/London", "09:00-17:00", "Mon-Fri"),
            ("raj", "Asia/Kolkata", "09:00-17:00", "Mon-Fri"),
            ("lu", "America/Los_Angeles", "09:00-17:00", "Mon-Fri"),
            ("kai", "Asia/Tokyo", "09:00-17:00", "Mon-Fri"),
        ],
        "2024-01-08",
        3,
        "UTC",
    );
    assert_eq!(p.open_seats, 2);
    assert_eq!(p.gap_before, 80 * H);
    assert_eq!(closes(&p), [("kai", 40 * H), ("lu", 39 * H), ("raj", 27 * H + 30)]);
    assert_eq!(p.picks, ["kai", "lu"]);
    assert_eq!(p.gap_after, 5 * H);
    let reasons: Vec<&str> = p.candidates.iter().map(|c| c.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "closes 40 of 80 gap hours (Mon-Fri 00:00-08:00 UTC); never rotated",
            // 35 of the 39 hours are 17:00-24:00; the 4 mornings are a tenth: "mostly".
            "closes 39 of 80 gap hours (mostly Mon-Fri 17:00-24:00 UTC); never rotated",
            "closes 28 of 80 gap hours (Mon-Fri 03:30-09:00 UTC); never rotated",
        ]
    );
    assert_eq!(
        p.row,
        "| 2024-01-08 to 2024-02-04 | [@ann](https://github.com/ann), [@kai](https://github.com/kai), [@lu](https://github.com/lu) |"
    );
    // Said in the viewer's zone: Kai's hours in Tokyo are his own.
    let tokyo = plan_of(
        &[("2024-01-08 to 2024-02-04", "@ann, TBD")],
        &[("ann", "Europe/London", "09:00-17:00", "Mon-Fri"), ("kai", "Asia/Tokyo", "09:00-17:00", "Mon-Fri")],
        "2024-01-08",
        2,
        "Asia/Tokyo",
    );
    assert_eq!(tokyo.candidates[0].reason, "closes 40 of 80 gap hours (Mon-Fri 09:00-17:00 JST); never rotated");
}

/// Time away counts: Kai, away the first two of the four weeks (whole days in Tokyo: 7 January
/// 15:00 UTC to 21 January 15:00 UTC), closes his 40 hours a week only half the time: 20.
#[test]
fn a_candidate_away_for_part_of_the_rotation_closes_less() {
    use rota_core::away::{Away, AwayWhen};
    let mut s = page(&[("2024-01-08 to 2024-02-04", "@ann, TBD")]);
    s.away.push(Away {
        who: "kai".into(),
        when: AwayWhen::Days { start: day("2024-01-08"), end: day("2024-01-21") },
        why: "holiday".into(),
        file: None,
        line: None,
    });
    let r = roster(&[
        ("ann", "Europe/London", "09:00-17:00", "Mon-Fri"),
        ("lu", "America/Los_Angeles", "09:00-17:00", "Mon-Fri"),
        ("kai", "Asia/Tokyo", "09:00-17:00", "Mon-Fri"),
    ]);
    let rotation = s.rotations[0].clone();
    let p = plan::plan(&s, &r, &Timing::default(), 2, chrono_tz::UTC, &rotation);
    assert_eq!(closes(&p), [("lu", 39 * H), ("kai", 20 * H)]);
    assert_eq!(p.picks, ["lu"]);
}

/// 4 March to 31 March 2024; New York moves to EDT on Sunday 10 March, inside it. Kai (Tokyo,
/// 09:00-23:00, no DST) covers 00:00-14:00 UTC: 10 weekday hours a day have nobody, 50 a week.
/// Ann in New York works 09:00-17:00: 14:00-22:00 UTC the first week (EST), 13:00-21:00 UTC
/// after. She closes 8 h a day for 5 days, then 7 h (14:00-21:00) for 15: 145 h in four weeks,
/// 36 h 15 min a week.
#[test]
fn a_clock_change_inside_the_rotation() {
    let p = plan_of(
        &[("2024-03-04 to 2024-03-31", "@kai, TBD")],
        &[("kai", "Asia/Tokyo", "09:00-23:00", "Mon-Fri"), ("ann", "America/New_York", "09:00-17:00", "Mon-Fri")],
        "2024-03-04",
        2,
        "America/New_York",
    );
    assert_eq!(p.gap_before, 50 * H);
    assert_eq!(closes(&p), [("ann", 36 * H + 15)]);
    assert_eq!(p.gap_after, 50 * H - (36 * H + 15));
    // In New York the bulk is 10:00-17:00 EDT (15 days); the first week's 09:00-17:00 EST is the rest.
    assert_eq!(p.candidates[0].reason, "closes 36 of 50 gap hours (mostly Mon-Fri 10:00-17:00 EDT); never rotated");
}

/// Dan works Sunday to Thursday in Jerusalem (+02:00 in January), 09:00-17:00: 07:00-15:00 UTC.
/// Ann (London) works 09:00-17:00 UTC, so Dan closes 07:00-09:00 on Monday to Thursday: 8 h a
/// week (his Sundays are the weekend). Eli, the same hours Monday to Friday, closes 10.
#[test]
fn a_sunday_to_thursday_week() {
    let p = plan_of(
        &[("2024-01-08 to 2024-02-04", "@ann, TBD")],
        &[
            ("ann", "Europe/London", "09:00-17:00", "Mon-Fri"),
            ("dan", "Asia/Jerusalem", "09:00-17:00", "Sun-Thu"),
            ("eli", "Asia/Jerusalem", "09:00-17:00", "Mon-Fri"),
        ],
        "2024-01-08",
        2,
        "UTC",
    );
    assert_eq!(closes(&p), [("eli", 10 * H), ("dan", 8 * H)]);
    assert_eq!(p.candidates[1].reason, "closes 8 of 80 gap hours (Mon-Thu 07:00-09:00 UTC); never rotated");
    assert_eq!(p.picks, ["eli"]);
}

/// Nobody closes any gap (x works around the clock), so whose turn it is decides: never
/// rotated (f, g), then the longest since the last rotation ended (b, 28 January), then, of two
/// who ended on 25 February, the fewer rotations (c: 1, before a: 2), then d and e (24 March).
#[test]
fn whose_turn_it_is_breaks_ties() {
    let rows = [
        ("2024-01-01 to 2024-01-28", "@a, @b"),
        ("2024-01-29 to 2024-02-25", "@a, @c"),
        ("2024-02-26 to 2024-03-24", "@d, @e"),
        ("2024-03-25 to 2024-04-21", "@x, TBD, TBD, TBD, TBD"),
    ];
    let every = |h: &'static str| (h, "UTC", "09:00-17:00", "Mon-Fri");
    let people = [("x", "UTC", "00:00-24:00", "daily"), every("e"), every("d"), every("c"), every("b"), every("a"), every("g"), every("f")];
    let p = plan_of(&rows, &people, "2024-03-25", 5, "UTC");
    let order: Vec<&str> = p.candidates.iter().map(|c| c.handle.as_str()).collect();
    assert_eq!(order, ["f", "g", "b", "c", "a", "d", "e"]);
    assert_eq!(p.picks, ["f", "g", "b", "c"]);
    assert_eq!((p.gap_before, p.gap_after), (0, 0));
    let reason = |h: &str| p.candidates.iter().find(|c| c.handle == h).unwrap().reason.clone();
    assert_eq!(reason("f"), "no gap to close; never rotated");
    assert_eq!(reason("a"), "no gap to close; last rotation ended 2024-02-25 (2 rotations)");
    assert_eq!(reason("b"), "no gap to close; last rotation ended 2024-01-28 (1 rotation)");
    assert!(p.row.ends_with("[@x](https://github.com/x), [@f](https://github.com/f), [@g](https://github.com/g), [@b](https://github.com/b), [@c](https://github.com/c) |"));

    // `rota people`'s order at 1 March: those on no rotation now or coming, whose turn first.
    let s = page(&rows);
    let r = roster(&people);
    let list = plan::people(&s, &r, &Timing::default(), at("2024-03-01T12:00:00Z"));
    let seen: Vec<(&str, usize, Option<String>, Option<String>)> = list
        .iter()
        .map(|p| (p.person.handle.as_str(), p.rotations.len(), p.last_end.map(|d| d.to_string()), p.next_start.map(|d| d.to_string())))
        .collect();
    assert_eq!(
        seen,
        [
            ("f", 0, None, None),
            ("g", 0, None, None),
            ("b", 1, Some("2024-01-28".into()), None),
            ("c", 1, Some("2024-02-25".into()), None),
            ("a", 2, Some("2024-02-25".into()), None),
            ("x", 1, None, Some("2024-03-25".into())),
            ("d", 1, None, None),
            ("e", 1, None, None),
        ]
    );
    assert!(list.iter().filter(|p| p.on_now).map(|p| p.person.handle.as_str()).eq(["d", "e"]));
}

/// A roster where nobody closes the gap: the same hours as the one on duty, or no zone. The seat
/// is still filled by whose turn it is; the gap stays; the check names nobody.
#[test]
fn nobody_closes_the_gap() {
    let rows = [("2024-01-08 to 2024-02-04", "@ann, TBD")];
    let people =
        [("ann", "Europe/London", "09:00-17:00", "Mon-Fri"), ("bo", "Europe/Dublin", "09:00-17:00", "Mon-Fri"), ("cy", "", "", "")];
    let p = plan_of(&rows, &people, "2024-01-08", 2, "UTC");
    assert_eq!(closes(&p), [("bo", 0), ("cy", 0)]);
    assert_eq!(p.candidates[0].reason, "closes none of the 80 gap hours; never rotated");
    assert_eq!((p.picks.as_slice(), p.gap_before, p.gap_after), (&["bo".to_owned()][..], 80 * H, 80 * H));
    let rules = Rules { timing: Timing::default(), team_size: 2, viewer: chrono_tz::UTC };
    let warning = lint(&page(&rows), &roster(&people), &rules).into_iter().find(|f| f.rule == Rule::UncoveredHours).unwrap();
    assert!(warning.message.ends_with("add an engineer in another timezone"), "{}", warning.message);
}

/// The check's gap warning names the best candidate, as `rota plan` ranks them.
#[test]
fn the_checks_gap_warning_names_the_best_candidate() {
    let rows = [("2024-01-08 to 2024-02-04", "@ann, TBD, TBD")];
    let people = [
        ("ann", "Europe/London", "09:00-17:00", "Mon-Fri"),
        ("lu", "America/Los_Angeles", "09:00-17:00", "Mon-Fri"),
        ("kai", "Asia/Tokyo", "09:00-17:00", "Mon-Fri"),
    ];
    let rules = Rules { timing: Timing::default(), team_size: 3, viewer: chrono_tz::UTC };
    let warning = lint(&page(&rows), &roster(&people), &rules).into_iter().find(|f| f.rule == Rule::UncoveredHours).unwrap();
    assert_eq!(
        warning.message,
        "during rotation 2024-01-08 to 2024-02-04 about 80 weekday hours a week have nobody working (the first at Mon 00:00 UTC); \
         add an engineer in another timezone: `rota plan` suggests @kai (Asia/Tokyo), closing 40 of them"
    );
}

/// The row filled in parses back as the rotation with the picks, and with it in place the
/// rotation has no open seat and the gap the plan promised.
#[test]
fn the_row_parses_back_with_the_gap_promised() {
    let text = "| Rotation | Engineers |\n| --- | --- |\n| 2024-01-08 to 2024-02-04 | [@ann](https://github.com/ann), TBD, TBD |\n";
    let s = parse_handbook("rota.md", text).value;
    let r = roster(&[
        ("ann", "Europe/London", "09:00-17:00", "Mon-Fri"),
        ("lu", "America/Los_Angeles", "09:00-17:00", "Mon-Fri"),
        ("kai", "Asia/Tokyo", "09:00-17:00", "Mon-Fri"),
    ]);
    let p = plan::plan(&s, &r, &Timing::default(), 3, chrono_tz::UTC, &s.rotations[0]);
    let pasted = text.lines().take(2).chain([p.row.as_str()]).collect::<Vec<_>>().join("\n");
    let back = parse_handbook("rota.md", &pasted);
    assert!(back.findings.is_empty(), "{:?}", back.findings);
    let filled = &back.value.rotations[0];
    assert_eq!(filled.engineers().collect::<Vec<_>>(), ["ann", "kai", "lu"]);
    assert_eq!(plan::open_seats(filled, 3), 0);
    assert_eq!(plan::weekday_gap(&back.value, &r, &Timing::default(), filled).minutes_a_week(), p.gap_after);
}
