//! The program's goal, measured: per rotation, how many escalations were filed,
//! acknowledged, resolved and handed to engineering, the share engaged against the handbook's
//! goal ("to only engage Engineering on 10% or less of issues"), and how long acknowledging and
//! resolving took. It is the JSON of `rota stats --json` and what the dashboard's chart draws.
//!
//! Each escalation counts in the rotation in force when it was filed. It is not a backend: the
//! escalations, their histories and `now` are handed in.
//!
//! Definitions:
//! - *acknowledged*: it left `open` at least once (acknowledged, engaged or resolved): someone
//!   responded. Time to acknowledge: from filing to that first response.
//! - *resolved*: its latest state is `resolved`. Time to resolve: from filing to that resolution.
//! - *engaged*: engineering was engaged on it at least once; its team is the last one engaged.
//! - *engaged share*: engaged / filed (`None` when nothing was filed).
//! - Times are in minutes; the median and 90th percentile use the nearest-rank method (see
//!   [`percentile`]), so each is a time that was observed.

use crate::escalation::{same_handle, Escalation, EscalationState};
use crate::lifecycle::{engaged_team, first_response, resolved_at, HistoryEntry};
use crate::{Schedule, Timing};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// The handbook's goal: engineering engaged on 10% of escalations or fewer.
pub const GOAL_ENGAGED_SHARE: f64 = 0.10;

/// Which rotations to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    /// Every rotation that has started, and escalations filed outside any rotation.
    All,
    /// The rotation that starts on this day.
    Rotation(NaiveDate),
    /// Rotations that end on or after this day.
    Since(NaiveDate),
}

/// `rota stats --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub goal_engaged_share: f64,
    pub rotations: Vec<RotationStats>,
}

/// A median and 90th percentile, in minutes; `None` when nothing was measured.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Spread {
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

/// One rotation's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RotationStats {
    /// The rotation's first and last day; both `None` for escalations filed outside any rotation.
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub filed: usize,
    pub acknowledged: usize,
    pub resolved: usize,
    pub engaged: usize,
    pub engaged_share: Option<f64>,
    /// Whether the engaged share is above [`GOAL_ENGAGED_SHARE`]. Not in the JSON, whose shape
    /// is the (a reader compares `engaged_share` with `goal_engaged_share`).
    #[serde(skip)]
    pub above_goal: bool,
    pub time_to_ack_minutes: Spread,
    pub time_to_resolve_minutes: Spread,
    pub by_engineer: Vec<EngineerStats>,
    pub by_team: Vec<TeamStats>,
}

/// One engineer's share of a rotation: the escalations assigned to them (now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineerStats {
    pub handle: String,
    pub filed: usize,
    pub acknowledged: usize,
    pub resolved: usize,
    pub engaged: usize,
}

/// One engineering team: the escalations of a rotation last handed to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamStats {
    pub team: String,
    pub engaged: usize,
}

/// The `p`th percentile (0 < p ≤ 100) of `sorted` (ascending) by the nearest-rank method: the
/// value at rank ⌈p/100 × n⌉ (1-based). So the median of 4 values is the 2nd, and the 90th
/// percentile of 10 values the 9th. `None` for no values.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len() as u64;
    let rank = (u64::from(p.clamp(1, 100)) * n).div_ceil(100).max(1);
    sorted.get(rank as usize - 1).copied()
}

fn spread(mut seconds: Vec<i64>) -> Spread {
    seconds.sort_unstable();
    let minutes = |s: Option<i64>| s.map(|s| s as f64 / 60.0);
    Spread { median: minutes(percentile(&seconds, 50)), p90: minutes(percentile(&seconds, 90)) }
}

/// What one escalation contributes.
#[derive(Clone, Copy)]
struct Measured<'a> {
    assignee: Option<&'a str>,
    acked: Option<i64>,
    resolved: Option<i64>,
    engaged: Option<Option<&'a str>>,
}

fn measure<'a>(e: &'a Escalation, history: &'a [HistoryEntry]) -> Measured<'a> {
    let since = |t: DateTime<Utc>| (t - e.created_at).num_seconds().max(0);
    Measured {
        assignee: e.assignee.as_deref(),
        acked: first_response(history).map(since),
        resolved: resolved_at(history).map(since),
        engaged: engaged_team(history),
    }
}

fn rotation_stats(start: Option<NaiveDate>, end: Option<NaiveDate>, items: &[Measured<'_>]) -> RotationStats {
    let count = |f: &dyn Fn(&Measured<'_>) -> bool| items.iter().filter(|m| f(m)).count();
    let filed = items.len();
    let engaged = count(&|m| m.engaged.is_some());
    let engaged_share = (filed > 0).then(|| engaged as f64 / filed as f64);

    let mut by_engineer: Vec<EngineerStats> = Vec::new();
    for m in items {
        let Some(handle) = m.assignee else { continue };
        let i = match by_engineer.iter().position(|s| same_handle(&s.handle, handle)) {
            Some(i) => i,
            None => {
                by_engineer.push(EngineerStats { handle: handle.to_owned(), filed: 0, acknowledged: 0, resolved: 0, engaged: 0 });
                by_engineer.len() - 1
            }
        };
        let s = &mut by_engineer[i];
        s.filed += 1;
        s.acknowledged += usize::from(m.acked.is_some());
        s.resolved += usize::from(m.resolved.is_some());
        s.engaged += usize::from(m.engaged.is_some());
    }
    by_engineer.sort_by_key(|s| s.handle.to_lowercase());

    let mut by_team: Vec<TeamStats> = Vec::new();
    for team in items.iter().filter_map(|m| m.engaged).map(|t| t.unwrap_or("(no team named)")) {
        match by_team.iter_mut().find(|t| t.team.eq_ignore_ascii_case(team)) {
            Some(t) => t.engaged += 1,
            None => by_team.push(TeamStats { team: team.to_owned(), engaged: 1 }),
        }
    }
    by_team.sort_by(|a, b| b.engaged.cmp(&a.engaged).then_with(|| a.team.cmp(&b.team)));

    RotationStats {
        start,
        end,
        filed,
        acknowledged: count(&|m| m.acked.is_some()),
        resolved: count(&|m| m.resolved.is_some()),
        engaged,
        engaged_share,
        above_goal: engaged_share.is_some_and(|s| s > GOAL_ENGAGED_SHARE),
        time_to_ack_minutes: spread(items.iter().filter_map(|m| m.acked).collect()),
        time_to_resolve_minutes: spread(items.iter().filter_map(|m| m.resolved).collect()),
        by_engineer,
        by_team,
    }
}

/// The figures per rotation (oldest first) for `escalations`, each with its history (oldest
/// first). Queued escalations (not filed yet) are left out. Rotations that have not started by
/// `now` are left out; so is the group "outside any rotation" when nothing was filed outside one,
/// or when one rotation or a start day is selected.
pub fn stats(
    schedule: &Schedule,
    timing: &Timing,
    escalations: &[(Escalation, Vec<HistoryEntry>)],
    select: Select,
    now: DateTime<Utc>,
) -> Stats {
    let filed: Vec<(&Escalation, Measured<'_>)> =
        escalations.iter().filter(|(e, _)| e.state != EscalationState::Queued).map(|(e, h)| (e, measure(e, h))).collect();
    let wanted = |start: NaiveDate, end: NaiveDate| match select {
        Select::All => true,
        Select::Rotation(day) => start == day,
        Select::Since(day) => end >= day,
    };
    let mut rotations = Vec::new();
    let mut placed = vec![false; filed.len()];
    for r in schedule.rotations.iter().filter(|r| timing.starts_at(r.start) <= now) {
        let mut items = Vec::new();
        for (i, (e, m)) in filed.iter().enumerate() {
            if !placed[i] && timing.contains(r, e.created_at) {
                placed[i] = true;
                items.push(*m);
            }
        }
        if wanted(r.start, r.end) {
            rotations.push(rotation_stats(Some(r.start), Some(r.end), &items));
        }
    }
    let outside: Vec<Measured<'_>> = filed.iter().zip(&placed).filter(|(_, placed)| !**placed).map(|((_, m), _)| *m).collect();
    if select == Select::All && !outside.is_empty() {
        rotations.push(rotation_stats(None, None, &outside));
    }
    Stats { goal_engaged_share: GOAL_ENGAGED_SHARE, rotations }
}
