//! The goal measured: the nearest-rank percentile, and figures per rotation.

use crate::common;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rota_core::escalation::{Escalation, EscalationState, Severity};
use rota_core::lifecycle::HistoryEntry;
use rota_core::stats::{percentile, stats, Select};
use rota_core::{Rotation, Schedule, Timing};

#[test]
fn nearest_rank_percentiles() {
    let check = |values: &[i64], p: u32, expected: Option<i64>| assert_eq!(percentile(values, p), expected, "{values:?} p{p}");
    check(&[], 50, None);
    check(&[7], 50, Some(7));
    check(&[7], 90, Some(7));
    check(&[1, 2], 50, Some(1)); // rank ceil(1.0) = 1
    check(&[1, 2, 3, 4], 50, Some(2)); // rank 2
    check(&[1, 2, 3, 4, 5], 50, Some(3)); // rank ceil(2.5) = 3
    check(&[1, 2, 3, 4, 5], 90, Some(5)); // rank ceil(4.5) = 5
    check(&(1..=10).collect::<Vec<_>>(), 90, Some(9)); // rank 9
    check(&(1..=11).collect::<Vec<_>>(), 90, Some(10)); // rank ceil(9.9) = 10
    check(&(1..=20).collect::<Vec<_>>(), 100, Some(20));
}

fn at(day: u32, minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, day, 12, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 3, d).unwrap()
}

fn esc(id: u32, filed: DateTime<Utc>, assignee: &str, steps: &[(i64, EscalationState, Option<&str>)]) -> (Escalation, Vec<HistoryEntry>) {
    let mut history = vec![HistoryEntry { state: EscalationState::Open, by: None, at: filed, note: None, team: None, assignee: None }];
    for (m, state, team) in steps {
        history.push(HistoryEntry {
            state: *state,
            by: None,
            at: filed + chrono::Duration::minutes(*m),
            note: None,
            team: team.map(Into::into),
            assignee: None,
        });
    }
    let e = Escalation {
        severity: Severity::Sev3,
        ..common::escalation(&id.to_string(), &format!("e{id}"), assignee, history.last().unwrap().state, filed)
    };
    (e, history)
}

#[test]
fn each_escalation_counts_in_the_rotation_in_force_when_it_was_filed() {
    use EscalationState::*;
    let rotation = |start, end| Rotation { start: day(start), end: day(end), seats: vec![], line: None };
    let schedule = Schedule::new("t", vec![rotation(1, 7), rotation(8, 14), rotation(22, 28)]);
    let timing = Timing { timezone: chrono_tz::UTC, handoff: 0 };
    let list = vec![
        esc(1, at(2, 0), "ann", &[(10, Acknowledged, None), (70, Resolved, None)]),
        esc(2, at(3, 0), "ann", &[(30, HandedToEngineering, Some("search")), (200, Resolved, None)]),
        esc(3, at(9, 0), "bob", &[(5, Acknowledged, None)]),
        esc(4, at(16, 0), "bob", &[]), // between rotations
    ];
    let s = stats(&schedule, &timing, &list, Select::All, at(23, 0));
    assert_eq!(s.goal_engaged_share, 0.10);
    let starts: Vec<_> = s.rotations.iter().map(|r| r.start).collect();
    assert_eq!(starts, [Some(day(1)), Some(day(8)), Some(day(22)), None], "the outside group last");
    let first = &s.rotations[0];
    assert_eq!((first.filed, first.acknowledged, first.resolved, first.engaged), (2, 2, 2, 1));
    assert_eq!(first.engaged_share, Some(0.5));
    assert!(first.above_goal);
    // Acks after 10 and 30 minutes: the median is the 1st of 2 (nearest rank), the p90 the 2nd.
    assert_eq!((first.time_to_ack_minutes.median, first.time_to_ack_minutes.p90), (Some(10.0), Some(30.0)));
    assert_eq!((first.time_to_resolve_minutes.median, first.time_to_resolve_minutes.p90), (Some(70.0), Some(200.0)));
    assert_eq!(first.by_team.len(), 1);
    assert_eq!((first.by_team[0].team.as_str(), first.by_team[0].engaged), ("search", 1));
    assert_eq!(first.by_engineer[0].handle, "ann");
    let second = &s.rotations[1];
    assert_eq!((second.filed, second.engaged, second.engaged_share, second.above_goal), (1, 0, Some(0.0), false));
    assert_eq!(second.time_to_resolve_minutes.median, None);
    let empty = &s.rotations[2];
    assert_eq!((empty.filed, empty.engaged_share), (0, None));
    assert_eq!(s.rotations[3].filed, 1);

    let only = stats(&schedule, &timing, &list, Select::Rotation(day(8)), at(23, 0));
    assert_eq!(only.rotations.len(), 1);
    assert_eq!(only.rotations[0].start, Some(day(8)));
    let since = stats(&schedule, &timing, &list, Select::Since(day(10)), at(23, 0));
    assert_eq!(since.rotations.iter().map(|r| r.start).collect::<Vec<_>>(), [Some(day(8)), Some(day(22))]);
    let before = stats(&schedule, &timing, &list, Select::All, at(20, 0));
    assert_eq!(before.rotations.len(), 3, "a rotation not started yet is left out");
}
