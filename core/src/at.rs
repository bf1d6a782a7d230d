//! An instant as a person types it on the command line (`--at`): RFC 3339, or a wall-clock reading
//! in the viewer's zone: a day (`2026-12-08`, its midnight), a day and a time (`2026-12-08 09:00`)
//! or a time of day (`09:00`, today). Pure: `now` and the zone are handed in.

use crate::roster::local_instant;
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

/// The instant `text` names, read in `viewer` where it has no offset of its own. A wall-clock time
/// a DST change skips or repeats is read as [`local_instant`] reads any other.
pub fn parse(text: &str, viewer: Tz, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let t = text.trim();
    let in_range = |at: DateTime<Utc>| Some(at).filter(|at| crate::schedule::YEARS.contains(&at.year()));
    let found = if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        in_range(at.with_timezone(&Utc))
    } else if let Ok(day) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        in_range(local_instant(viewer, day, 0))
    } else if let Some((day, time)) = t.split_once([' ', 'T']) {
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok();
        day.zip(time_of_day(time)).and_then(|(d, m)| in_range(local_instant(viewer, d, m)))
    } else {
        time_of_day(t).map(|m| local_instant(viewer, now.with_timezone(&viewer).date_naive(), m))
    };
    found.ok_or_else(|| {
        format!(
            "\"{t}\" is not a time from year 1000 to 9999; write 2026-12-08T09:00:00Z, or in your zone ({}) 2026-12-08, \"2026-12-08 09:00\" or 09:00",
            viewer.name()
        )
    })
}

/// `HH:MM` as minutes after midnight.
fn time_of_day(s: &str) -> Option<u16> {
    let t = NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()?;
    Some((t.hour() * 60 + t.minute()) as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn each_form_in_the_viewers_zone() {
        let now = utc("2026-12-07T20:30:00Z");
        let kathmandu: Tz = "Asia/Kathmandu".parse().unwrap(); // +05:45
        let chatham: Tz = "Pacific/Chatham".parse().unwrap(); // +13:45 in its summer
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let lord_howe: Tz = "Australia/Lord_Howe".parse().unwrap(); // a 30-minute DST
        for (text, zone, expected) in [
            ("2026-12-08T09:00:00Z", kathmandu, "2026-12-08T09:00:00Z"),
            ("2026-12-08T09:00:00+02:00", kathmandu, "2026-12-08T07:00:00Z"),
            ("2026-12-08", kathmandu, "2026-12-07T18:15:00Z"),
            ("2026-12-08 09:00", kathmandu, "2026-12-08T03:15:00Z"),
            ("2026-12-08T09:00", chatham, "2026-12-07T19:15:00Z"),
            // Today in the viewer's zone: it is already the 8th in Kathmandu at 20:30Z.
            ("09:00", kathmandu, "2026-12-08T03:15:00Z"),
            ("09:00", berlin, "2026-12-07T08:00:00Z"),
            // Skipped by Berlin's spring-forward: moved on by the jump.
            ("2026-03-29 02:30", berlin, "2026-03-29T01:30:00Z"),
            // Lord Howe goes from +10:30 to +11:00 on 4 Oct 2026 at 02:00: 02:15 does not exist.
            ("2026-10-04 02:15", lord_howe, "2026-10-03T15:45:00Z"),
        ] {
            assert_eq!(parse(text, zone, now), Ok(utc(expected)), "{text} in {zone}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_the_forms_that_work() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        for text in ["tomorrow", "25:00", "2026-13-01", "2026-12-08 9", "0999-01-01", "", "12:00:00Z"] {
            let e = parse(text, chrono_tz::UTC, now).unwrap_err();
            assert!(e.contains("is not a time") && e.contains("\"2026-12-08 09:00\""), "{text}: {e}");
        }
    }
}
