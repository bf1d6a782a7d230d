//! The handbook's Markdown schedule table, read with a real Markdown parser.

use crate::common;
use common::day;
use rota_core::{parse_handbook, Rule, Seat};

const FIXTURE: &str = include_str!("../../data/handbook-escalation-rotation.md");

fn line_of(text: &str, needle: &str) -> u32 {
    text.lines().position(|l| l.contains(needle)).expect("needle in text") as u32 + 1
}

#[test]
fn the_real_handbook_page_unchanged() {
    let parsed = parse_handbook("handbook.md", FIXTURE);
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    let s = parsed.value;
    let got: Vec<(String, String, Vec<Seat>, Option<u32>)> =
        s.rotations.iter().map(|r| (r.start.to_string(), r.end.to_string(), r.seats.clone(), r.line)).collect();
    let e = |h: &str| Seat::Engineer(h.into());
    assert_eq!(
        got,
        vec![
            ("2022-08-10".into(), "2022-09-06".into(), vec![e("keegancsmith"), e("BolajiOlajide")], Some(line_of(FIXTURE, "2022-08-10"))),
            ("2022-09-07".into(), "2022-10-09".into(), vec![e("keegancsmith"), e("valerybugakov")], Some(line_of(FIXTURE, "2022-09-07"))),
            ("2022-10-10".into(), "2022-11-07".into(), vec![e("tbliu98"), Seat::Open, Seat::Open], Some(line_of(FIXTURE, "2022-10-10"))),
        ]
    );
}

/// `check(page, expected rows)`: each row as (start, end, seats as text).
fn check(text: &str, expected: &[(&str, &str, &[&str])]) {
    let parsed = parse_handbook("page.md", text);
    assert!(parsed.findings.is_empty(), "{text}\n{:?}", parsed.findings);
    let got: Vec<(String, String, Vec<String>)> = parsed
        .value
        .rotations
        .iter()
        .map(|r| {
            let seats = r.seats.iter().map(|s| s.handle().unwrap_or("TBD").to_owned()).collect();
            (r.start.to_string(), r.end.to_string(), seats)
        })
        .collect();
    let want: Vec<(String, String, Vec<String>)> =
        expected.iter().map(|(a, b, s)| (a.to_string(), b.to_string(), s.iter().map(|x| x.to_string()).collect())).collect();
    assert_eq!(got, want, "{text}");
}

#[test]
fn columns_in_any_order_among_others_and_other_tables() {
    check(
        "# Team\n\n| Name | Role |\n|---|---|\n| Ann | lead |\n\n\
         Some text.\n\n\
         | Notes | Engineers | Backup | Rotation |\n|:--|--|--|--:|\n\
         | first | @ann, [@Bob](https://github.com/bob-b) | x | 2023-01-02 to 2023-02-05 |\n\
         | | Carol Jones, TBD | | 2023-02-06 – 2023-03-12 |\n",
        &[("2023-01-02", "2023-02-05", &["ann", "bob-b"]), ("2023-02-06", "2023-03-12", &["Carol Jones", "TBD"])],
    );
}

#[test]
fn separators_and_seat_forms() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("2024-01-01 to 2024-02-04", "@a, @b, @c", &["a", "b", "c"]),
        ("2024-01-01 – 2024-02-04", "[@a](https://github.com/a)", &["a"]),
        ("2024-01-01 — 2024-02-04", "TBD, tbd", &["TBD", "TBD"]),
        ("2024-01-01 → 2024-02-04", "@a @b", &["a", "b"]),
        ("2024-01-01 -> 2024-02-04", "@a and @b", &["a", "b"]),
        ("2024-01-01 - 2024-02-04", "Ann Lee<br>Bo Chen", &["Ann Lee", "Bo Chen"]),
        ("**2024-01-01 to 2024-02-04**", "`@a`", &["a"]),
        // The link's URL gives the handle, whatever its text says.
        ("2024-01-01 to 2024-02-04", "[Keegan](https://github.com/keegancsmith/)", &["keegancsmith"]),
        ("2024-01-01 to 2024-02-04", "", &[]),
    ];
    for (when, who, seats) in cases {
        check(&format!("| Rotation | Engineers |\n|---|---|\n| {when} | {who} |\n"), &[("2024-01-01", "2024-02-04", seats)]);
    }
}

#[test]
fn escaped_pipes_stay_inside_their_cell() {
    check(
        "| Rotation | Notes | Engineers |\n|---|---|---|\n| 2024-01-01 to 2024-02-04 | a \\| b \\| c | @x, @y |\n",
        &[("2024-01-01", "2024-02-04", &["x", "y"])],
    );
}

#[test]
fn a_row_that_does_not_parse_is_a_located_error_and_the_rest_is_kept() {
    let text = "intro\n\n| Rotation | Engineers |\n|---|---|\n| 2024-01-01 to 2024-02-04 | @a |\n| next month | @b |\n| 2024-13-01 to 2024-14-01 | @c |\n| 2024-03-01 to 2024-04-04 | @d |\n";
    let parsed = parse_handbook("page.md", text);
    let errors: Vec<(Option<u32>, Rule)> = parsed.findings.iter().map(|f| (f.line, f.rule)).collect();
    assert_eq!(errors, vec![(Some(6), Rule::Syntax), (Some(7), Rule::Syntax)]);
    assert!(parsed.findings[0].message.contains("next month"), "{}", parsed.findings[0].message);
    assert_eq!(parsed.findings[0].to_string().split(':').take(2).collect::<Vec<_>>(), ["page.md", "6"]);
    assert_eq!(parsed.value.rotations.iter().map(|r| r.start).collect::<Vec<_>>(), [day("2024-01-01"), day("2024-03-01")]);
}

#[test]
fn a_page_without_a_schedule_table_says_so() {
    let parsed = parse_handbook("page.md", "# Nothing here\n\n| A | B |\n|---|---|\n| 1 | 2 |\n");
    assert_eq!(parsed.findings.len(), 1);
    assert!(parsed.findings[0].message.contains("Rotation"));
    assert!(parsed.value.rotations.is_empty());
}
