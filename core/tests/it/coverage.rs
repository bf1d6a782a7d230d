//! The week's coverage, hour by hour in the viewer's zone, and its gaps.

use crate::common;
use chrono_tz::Tz;
use common::{at, page, roster};
use rota_core::{coverage, Timing};

#[test]
fn hours_and_gaps_in_the_viewers_zone() {
    let s = page(&[("2024-01-01 to 2024-02-04", "@ann, @bo")]);
    // Ann works 09:00-17:00 in Kathmandu (03:15-11:15 UTC), Bo 09:00-17:00 in St John's (12:30-20:30 UTC).
    let r = roster(&[("ann", "Asia/Kathmandu", "09:00-17:00", "Mon-Fri"), ("bo", "America/St_Johns", "09:00-17:00", "Mon-Fri")]);
    let c = coverage(&s, &r, &Timing::default(), Tz::UTC, at("2024-01-17T12:00:00Z"));
    assert_eq!(c.slots.len(), 168);
    assert_eq!(c.start, at("2024-01-15T00:00:00Z"));
    let slot = |i: usize| &c.slots[i];
    // Monday 03:00 UTC: Ann from 03:15, 45 minutes.
    assert_eq!(slot(3).working.iter().map(|w| (w.handle.as_str(), w.minutes)).collect::<Vec<_>>(), [("ann", 45)]);
    assert_eq!(slot(11).working.iter().map(|w| (w.handle.as_str(), w.minutes)).collect::<Vec<_>>(), [("ann", 15)]);
    assert!(slot(11).working.len() == 1 && slot(12).working.iter().all(|w| w.handle == "bo" && w.minutes == 30));
    // The gaps are exact: Monday 00:00-03:15, 11:15-12:30, 20:30-Tuesday 03:15, ...
    let first: Vec<(String, String)> = c.gaps.iter().take(3).map(|g| (g.start.to_rfc3339(), g.end.to_rfc3339())).collect();
    assert_eq!(
        first,
        [
            ("2024-01-15T00:00:00+00:00".into(), "2024-01-15T03:15:00+00:00".into()),
            ("2024-01-15T11:15:00+00:00".into(), "2024-01-15T12:30:00+00:00".into()),
            ("2024-01-15T20:30:00+00:00".into(), "2024-01-16T03:15:00+00:00".into()),
        ]
    );
    // The weekend is one long gap, Friday 20:30 UTC to the end of Sunday.
    let last = c.gaps.last().unwrap();
    assert_eq!((last.start, last.end), (at("2024-01-19T20:30:00Z"), at("2024-01-22T00:00:00Z")));
}

#[test]
fn a_dst_week_has_one_hour_less_or_more() {
    let s = page(&[("2023-03-01 to 2023-12-31", "@ann")]);
    let r = roster(&[("ann", "Europe/Berlin", "09:00-17:00", "Mon-Fri")]);
    let berlin: Tz = "Europe/Berlin".parse().unwrap();
    let spring = coverage(&s, &r, &Timing::default(), berlin, at("2023-03-22T12:00:00Z"));
    assert_eq!(spring.slots.len(), 167);
    assert_eq!((spring.end - spring.start).num_hours(), 167);
    let autumn = coverage(&s, &r, &Timing::default(), berlin, at("2023-10-25T12:00:00Z"));
    assert_eq!(autumn.slots.len(), 168);
    assert_eq!((autumn.end - autumn.start).num_hours(), 169);
    // Working hours follow the wall clock: 09:00-17:00 each weekday, 8 slots of 60 minutes.
    for c in [&spring, &autumn] {
        let full: usize = c.slots.iter().filter(|s| s.working.iter().any(|w| w.minutes == 60)).count();
        assert_eq!(full, 40);
    }
}

#[test]
fn coverage_follows_the_handoff_mid_week() {
    let s = page(&[("2024-01-01 to 2024-01-16", "@ann"), ("2024-01-17 to 2024-02-20", "@bo")]);
    let r = roster(&[("ann", "UTC", "00:00-24:00", "Mon-Sun"), ("bo", "UTC", "00:00-24:00", "Mon-Sun")]);
    let c = coverage(&s, &r, &Timing::default(), Tz::UTC, at("2024-01-15T00:00:00Z"));
    assert!(c.gaps.is_empty());
    assert_eq!(c.slots[47].working[0].handle, "ann");
    assert_eq!(c.slots[48].working[0].handle, "bo");
}
