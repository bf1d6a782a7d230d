//! The hand-over at rotation end: which open escalations leave with the outgoing engineers and
//! to whom they go, as a pure plan.
//!
//! At a hand-off, an engineer on duty just before it and not just after it *leaves*; their active
//! escalations (open, acknowledged, with engineering) each go to an *incoming* engineer, the one
//! the assignment policy ([`crate::assign`]) picks at the hand-off instant — working first, then
//! the fewest open, counting the moves already planned, never someone away. An engineer on both
//! sides keeps theirs ([`Kept`]); resolved ones stay where they are. A second plan after the
//! moves were made moves nothing: the escalations are then the incoming engineers'.
//!
//! It is not the place that carries the plan out (`rota_io::acting::hand_over` does, each move a
//! reassignment noted [`HANDED_OVER`]) nor the one that counts escalations (they are handed in).

use crate::assign::{self, OpenCounts, Suggestion};
use crate::escalation::{same_handle, Escalation};
use crate::roster::Roster;
use crate::schedule::{Schedule, Timing};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The note each move carries in the escalation's history.
pub const HANDED_OVER: &str = "handed over at rotation end";

/// One escalation to move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub id: String,
    pub title: String,
    pub from: String,
    pub to: String,
    /// Why this engineer, in a few words: "working at the hand-off, 0 open".
    pub reason: String,
}

/// One escalation whose engineer stays on: it stays with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub id: String,
    pub who: String,
}

/// What a hand-over does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub handoff: DateTime<Utc>,
    pub moves: Vec<Move>,
    pub kept: Vec<Kept>,
    /// Escalations of someone leaving with nobody coming in to take them (every seat open).
    pub stranded: Vec<Kept>,
}

/// Which hand-off: the next one after an instant, or the end of the rotation that starts on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Next,
    EndOf(NaiveDate),
}

/// The hand-off instant `which` names at `now`, or why there is none (a sentence naming the fix).
pub fn handoff(schedule: &Schedule, timing: &Timing, which: Which, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    match which {
        Which::Next => {
            schedule.next_handoff(timing, now).ok_or_else(|| "no hand-off is coming: the schedule has no rotation after now".into())
        }
        Which::EndOf(day) => match schedule.rotations.iter().find(|r| r.start == day) {
            Some(r) => Ok(timing.ends_at(r.end)),
            None => Err(format!("no rotation starts on {day}; `rota schedule` lists them")),
        },
    }
}

/// The plan at `handoff` for `escalations` (the backend's list; only the active ones count).
pub fn plan(schedule: &Schedule, roster: &Roster, timing: &Timing, escalations: &[Escalation], handoff: DateTime<Utc>) -> Plan {
    let before = schedule.team_at(timing, handoff - Duration::seconds(1));
    let incoming = crate::glance(schedule, roster, timing, timing.timezone, None, handoff).on_duty;
    let stays = |h: &str| incoming.iter().any(|d| same_handle(&d.handle, h));
    let leaves = |h: &str| before.iter().any(|m| same_handle(&m.handle, h)) && !stays(h);
    let mut counts = OpenCounts::from_escalations(escalations);
    let mut active: Vec<&Escalation> = escalations.iter().filter(|e| e.state.is_active()).collect();
    active.sort_by_key(|e| (e.created_at, numeric(&e.id)));
    let mut out = Plan { handoff, moves: vec![], kept: vec![], stranded: vec![] };
    for e in active {
        let Some(from) = e.assignee.as_deref() else { continue };
        if !leaves(from) {
            if stays(from) && before.iter().any(|m| same_handle(&m.handle, from)) {
                out.kept.push(Kept { id: e.id.clone(), who: from.to_owned() });
            }
            continue;
        }
        match assign::first(assign::rank(&incoming, &counts, handoff)) {
            Suggestion::Engineer(c) => {
                counts.add(&c.handle, 1);
                let reason = format!("{} at the hand-off, {} open", c.status_words(), c.open);
                out.moves.push(Move { id: e.id.clone(), title: e.title.clone(), from: from.to_owned(), to: c.handle, reason });
            }
            Suggestion::NobodyOnRotation => out.stranded.push(Kept { id: e.id.clone(), who: from.to_owned() }),
        }
    }
    out
}

/// An id's number, so that 9 comes before 10 (a GitHub issue number, a local row).
fn numeric(id: &str) -> (u64, String) {
    (id.parse().unwrap_or(u64::MAX), id.to_owned())
}

/// The tray's offer on the last day of `me`'s rotation: "Hand over 3 open escalations…", when
/// `me` leaves at the plan's hand-off, it is less than a day away and there is something to move.
pub fn offer(plan: &Plan, me: &str, now: DateTime<Utc>) -> Option<String> {
    let n = plan.moves.len();
    let mine = plan.moves.iter().any(|m| same_handle(&m.from, me));
    let soon = now < plan.handoff && plan.handoff - now <= Duration::days(1);
    (mine && soon).then(|| format!("Hand over {n} open escalation{}…", if n == 1 { "" } else { "s" }))
}

/// [`offer`] from what the tray holds: my escalations only (the window plans again with every
/// open one), the next hand-off after `now`.
pub fn offer_at(
    schedule: &Schedule,
    roster: &Roster,
    timing: &Timing,
    mine: &[Escalation],
    me: &str,
    now: DateTime<Utc>,
) -> Option<String> {
    let at = handoff(schedule, timing, Which::Next, now).ok()?;
    offer(&plan(schedule, roster, timing, mine, at), me, now)
}
