//! Rotation timing: hand-offs at the local hand-off time in the schedule's zone, across DST.

use crate::common;
use chrono_tz::Tz;
use common::{at, day, page};
use rota_core::Timing;

fn timing(tz: &str, handoff: &str) -> Timing {
    let (h, m) = handoff.split_once(':').unwrap();
    Timing { timezone: tz.parse::<Tz>().unwrap(), handoff: h.parse::<u16>().unwrap() * 60 + m.parse::<u16>().unwrap() }
}

#[test]
fn handoff_instants_across_dst() {
    // (zone, hand-off, rotation start day, expected instant)
    let cases = [
        ("UTC", "00:00", "2022-09-07", "2022-09-07T00:00:00Z"),
        // Berlin springs forward at 02:00 on 2023-03-26: midnight is still CET.
        ("Europe/Berlin", "00:00", "2023-03-26", "2023-03-25T23:00:00Z"),
        ("Europe/Berlin", "09:00", "2023-03-26", "2023-03-26T07:00:00Z"),
        // A hand-off inside the skipped hour happens when the clock jumps past it.
        ("Europe/Berlin", "02:30", "2023-03-26", "2023-03-26T01:30:00Z"),
        // New York falls back on 2023-11-05: 01:30 happens twice, the first counts.
        ("America/New_York", "01:30", "2023-11-05", "2023-11-05T05:30:00Z"),
        ("America/New_York", "09:00", "2023-11-05", "2023-11-05T14:00:00Z"),
        ("America/New_York", "09:00", "2023-11-04", "2023-11-04T13:00:00Z"),
        // Lord Howe moves by 30 minutes (+11:00 to +10:30 on 2023-04-02 at 02:00).
        ("Australia/Lord_Howe", "09:00", "2023-04-02", "2023-04-01T22:30:00Z"),
        ("Australia/Lord_Howe", "09:00", "2023-04-01", "2023-03-31T22:00:00Z"),
        ("Asia/Kathmandu", "00:00", "2024-01-01", "2023-12-31T18:15:00Z"),
    ];
    for (tz, h, d, want) in cases {
        assert_eq!(timing(tz, h).starts_at(day(d)), at(want), "{tz} {h} {d}");
    }
}

#[test]
fn a_rotation_ends_at_the_handoff_after_its_last_day_exclusive() {
    let s = page(&[("2023-03-01 to 2023-03-25", "@a"), ("2023-03-26 to 2023-04-30", "@b")]);
    let t = timing("Europe/Berlin", "09:00");
    // The first ends on 2023-03-26 at 09:00 CEST (the clocks changed that night).
    let end = t.ends_at(day("2023-03-25"));
    assert_eq!(end, at("2023-03-26T07:00:00Z"));
    let who = |i| s.current(&t, i).map(|r| r.engineers().collect::<Vec<_>>());
    assert_eq!(who(at("2023-03-26T06:59:59Z")), Some(vec!["a"]));
    assert_eq!(who(at("2023-03-26T07:00:00Z")), Some(vec!["b"]));
    assert_eq!(s.next_handoff(&t, at("2023-03-20T00:00:00Z")), Some(end));
    // The last one's end is exclusive too: nobody after it.
    let last_end = t.ends_at(day("2023-04-30"));
    assert!(s.current(&t, last_end).is_none());
    assert!(s.current(&t, last_end - chrono::Duration::seconds(1)).is_some());
}
