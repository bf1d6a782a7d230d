#![allow(dead_code)]
//! Helpers shared by the core's tests.

use chrono::{DateTime, NaiveDate, Utc};
use rota_core::{parse_handbook, parse_roster, Roster, Schedule};

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
    let mut text = String::new();
    for (h, tz, hours, days) in people {
        text.push_str(&format!("[[person]]\nhandle = \"{h}\"\n"));
        if !tz.is_empty() {
            text.push_str(&format!("timezone = \"{tz}\"\n"));
        }
        text.push_str(&format!("hours = \"{hours}\"\ndays = \"{days}\"\n\n"));
    }
    let parsed = parse_roster("people.toml", &text);
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    parsed.value
}
