//! Who is on duty, with each engineer's local time, offset and status.

use crate::common;
use common::{at, page, roster};
use rota_core::duty::{status, LocalTime};
use rota_core::{glance, Status, Timing};

/// `check(zone, hours, days, instant, expected status, expected UTC offset)`.
#[test]
fn status_and_offset_in_odd_zones() {
    use Status::*;
    let cases: &[(&str, &str, &str, &str, Status, &str)] = &[
        // Kathmandu, +05:45: 09:00 local is 03:15 UTC.
        ("Asia/Kathmandu", "09:00-17:00", "Mon-Fri", "2024-01-15T03:15:00Z", Working, "+05:45"),
        ("Asia/Kathmandu", "09:00-17:00", "Mon-Fri", "2024-01-15T03:14:00Z", OffHours, "+05:45"),
        ("Asia/Kathmandu", "09:00-17:00", "Mon-Fri", "2024-01-15T11:15:00Z", OffHours, "+05:45"),
        ("Asia/Kathmandu", "09:00-17:00", "Mon-Fri", "2024-01-15T16:15:00Z", Asleep, "+05:45"),
        // Chatham in summer, +13:45: Monday 09:00 local is still Sunday in UTC.
        ("Pacific/Chatham", "09:00-17:00", "Mon-Fri", "2024-01-14T19:15:00Z", Working, "+13:45"),
        ("Pacific/Chatham", "09:00-17:00", "Mon-Fri", "2024-01-14T19:14:00Z", OffHours, "+13:45"),
        ("Pacific/Chatham", "09:00-17:00", "Mon-Fri", "2024-07-15T09:00:00Z", OffHours, "+12:45"), // 21:45
        ("Pacific/Chatham", "09:00-17:00", "Mon-Fri", "2024-07-15T09:15:00Z", Asleep, "+12:45"),   // 22:00
        // Lord Howe: +11:00 in summer, +10:30 in winter (a 30-minute DST).
        ("Australia/Lord_Howe", "09:00-17:00", "Mon-Fri", "2024-01-14T22:00:00Z", Working, "+11:00"),
        ("Australia/Lord_Howe", "09:00-17:00", "Mon-Fri", "2024-07-14T22:30:00Z", Working, "+10:30"),
        ("Australia/Lord_Howe", "09:00-17:00", "Mon-Fri", "2024-07-14T22:29:00Z", OffHours, "+10:30"),
        // St John's, -03:30 (-02:30 in summer).
        ("America/St_Johns", "09:00-17:00", "Mon-Fri", "2024-01-15T12:30:00Z", Working, "-03:30"),
        ("America/St_Johns", "09:00-17:00", "Mon-Fri", "2024-07-15T11:30:00Z", Working, "-02:30"),
        ("America/St_Johns", "09:00-17:00", "Mon-Fri", "2024-07-15T11:29:00Z", OffHours, "-02:30"),
        // A night shift across midnight belongs to the day it starts.
        ("America/Los_Angeles", "20:00-04:00", "Mon-Fri", "2024-01-19T07:00:00Z", Working, "-08:00"), // Thu 23:00
        ("America/Los_Angeles", "20:00-04:00", "Mon-Fri", "2024-01-20T11:00:00Z", Working, "-08:00"), // Sat 03:00, Friday's shift
        ("America/Los_Angeles", "20:00-04:00", "Mon-Fri", "2024-01-20T12:00:00Z", Asleep, "-08:00"),  // Sat 04:00, over
        ("America/Los_Angeles", "20:00-04:00", "Mon-Fri", "2024-01-21T04:00:00Z", OffHours, "-08:00"), // Sat 20:00, no shift
        ("America/Los_Angeles", "20:00-04:00", "Mon-Fri", "2024-01-22T10:00:00Z", Asleep, "-08:00"),  // Mon 02:00, Sunday's: none
        ("America/Los_Angeles", "20:00-04:00", "Mon-Fri", "2024-01-23T10:00:00Z", Working, "-08:00"), // Tue 02:00, Monday's
        // A Sun-Thu week: Friday is off, Sunday works.
        ("Asia/Jerusalem", "09:00-17:00", "Sun-Thu", "2024-01-19T08:00:00Z", OffHours, "+02:00"),
        ("Asia/Jerusalem", "09:00-17:00", "Sun-Thu", "2024-01-21T08:00:00Z", Working, "+02:00"),
        // Asleep is 22:00 to 07:00 local, unless working.
        ("Europe/Berlin", "09:00-17:00", "Mon-Fri", "2024-01-15T05:59:00Z", Asleep, "+01:00"),
        ("Europe/Berlin", "09:00-17:00", "Mon-Fri", "2024-01-15T06:00:00Z", OffHours, "+01:00"),
        ("Europe/Berlin", "09:00-17:00", "Mon-Fri", "2024-01-15T20:59:00Z", OffHours, "+01:00"),
        ("Europe/Berlin", "09:00-17:00", "Mon-Fri", "2024-01-15T21:00:00Z", Asleep, "+01:00"),
        ("Europe/Berlin", "00:00-24:00", "Mon-Fri", "2024-01-15T23:30:00Z", Working, "+01:00"),
    ];
    for (tz, hours, days, when, want, offset) in cases {
        let r = roster(&[("p", tz, hours, days)]);
        let p = r.find("p");
        assert_eq!(status(p, at(when)), *want, "{tz} {hours} {days} at {when}");
        let local = LocalTime::new(p.unwrap().timezone.unwrap(), at(when));
        assert_eq!(local.utc_offset(), *offset, "{tz} at {when}");
        assert_eq!(local.time.with_timezone(&chrono::Utc), at(when));
    }
}

#[test]
fn unknown_without_a_timezone() {
    let r = roster(&[("p", "", "09:00-17:00", "Mon-Fri")]);
    assert_eq!(status(r.find("p"), at("2024-01-15T12:00:00Z")), Status::Unknown);
    assert_eq!(status(None, at("2024-01-15T12:00:00Z")), Status::Unknown);
}

#[test]
fn the_glance_at_an_instant() {
    let s = page(&[
        ("2024-01-01 to 2024-02-04", "[@ann](https://github.com/ann), @bo, Unlisted Person"),
        ("2024-02-12 to 2024-03-17", "TBD, TBD"),
    ]);
    let r = roster(&[("ann", "Asia/Kathmandu", "09:00-17:00", "Mon-Fri"), ("bo", "America/St_Johns", "09:00-17:00", "Mon-Fri")]);
    let t = Timing::default();
    let viewer: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();

    let g = glance(&s, &r, &t, viewer, Some("@Bo"), at("2024-01-15T12:30:00Z"));
    let got: Vec<(&str, Status)> = g.on_duty.iter().map(|d| (d.handle.as_str(), d.status)).collect();
    assert_eq!(got, [("ann", Status::OffHours), ("bo", Status::Working), ("Unlisted Person", Status::Unknown)]);
    assert!(g.me_on_duty);
    assert_eq!(g.by_status()[0].handle, "bo");
    assert_eq!(g.viewer.utc_offset(), "+01:00");
    assert_eq!(g.next_handoff, Some(at("2024-02-05T00:00:00Z")));
    assert_eq!(g.next_rotation.map(|r| r.open_seats()), Some(2));

    // Between rotations: nobody on, the next one's start is the hand-off.
    let g = glance(&s, &r, &t, viewer, None, at("2024-02-08T00:00:00Z"));
    assert!(g.rotation.is_none() && g.on_duty.is_empty());
    assert_eq!(g.next_handoff, Some(at("2024-02-12T00:00:00Z")));

    // All seats open: a rotation with nobody on it.
    let g = glance(&s, &r, &t, viewer, None, at("2024-02-20T00:00:00Z"));
    assert_eq!(g.rotation.map(|r| r.open_seats()), Some(2));
    assert!(g.on_duty.is_empty());
    assert!(g.next_rotation.is_none());
    assert_eq!(g.next_handoff, Some(at("2024-03-18T00:00:00Z")));

    // After the last: nothing at all.
    let g = glance(&s, &r, &t, viewer, None, at("2024-03-18T00:00:00Z"));
    assert!(g.rotation.is_none() && g.next_rotation.is_none() && g.next_handoff.is_none());
}
