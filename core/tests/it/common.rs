#![allow(dead_code)]
//! Helpers shared by the core's tests.

use chrono::{DateTime, NaiveDate, Utc};
use rota_core::escalation::{Escalation, EscalationState, Severity};
use rota_core::{parse_handbook, parse_roster, Roster, Schedule};
use rota_testkit::team;

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("test instant").with_timezone(&Utc)
}

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// A handbook page from `(rotation, engineers)` rows.
pub fn page(rows: &[(&str, &str)]) -> Schedule {
    let mut text = String::from("| Rotation | Engineers |\n| --- | --- |\n");
    for (r, e) in rows {
        text.push_str(&format!("| {r} | {e} |\n"));
    }
    let parsed = parse_handbook("test.md", &text);
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    parsed.value
}

/// A roster from `(handle, zone, hours, days)` rows.
pub fn roster(people: &[(&str, &str, &str, &str)]) -> Roster {
    let rows: Vec<[&str; 5]> = people.iter().map(|(h, tz, hours, days)| [*h, "", *tz, *hours, *days]).collect();
    let parsed = parse_roster("people.toml", &team::people(&rows));
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    parsed.value
}

/// An escalation `id` titled `title`, a sev2 assigned to `assignee` in `state`, filed at `filed`,
/// with nothing else said: a test sets the fields it is about with `..escalation(…)`.
pub fn escalation(id: &str, title: &str, assignee: &str, state: EscalationState, filed: DateTime<Utc>) -> Escalation {
    // Built as `rota escalations --json` says one: what is not said is none.
    let e = serde_json::json!({
        "id": id, "title": title, "severity": Severity::Sev2, "details": "", "assignee": assignee, "state": state, "created_at": filed,
    });
    serde_json::from_value(e).expect("an escalation")
}

/// A table's `head` (its header lines, and any text before them) and then each of `rows` on a
/// line of its own.
pub fn table(head: &str, rows: &[&str]) -> String {
    let mut text = String::from(head);
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text
}

/// A handbook page's text parsed, which must have no findings.
pub fn parsed(text: &str) -> Schedule {
    let p = parse_handbook("rota.md", text);
    assert!(p.findings.is_empty(), "{:?}", p.findings);
    p.value
}
