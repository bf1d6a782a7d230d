//! Time away's lints: an away period that ends before it starts, one for someone the roster does
//! not know, and one during the person's own rotation that no Covering row fills.

use super::{days_text, same};
use crate::finding::{Finding, Rule};
use crate::roster::Roster;
use crate::schedule::{Schedule, Timing};

/// Lints `schedule.away` against the effective team: each finding at the Away row's line (or the
/// feed's event).
pub fn lint_away(schedule: &Schedule, roster: &Roster, timing: &Timing) -> Vec<Finding> {
    let mut out = Vec::new();
    for a in &schedule.away {
        let file = a.file.as_deref().unwrap_or(&schedule.source);
        let s = a.span(roster, timing.timezone);
        let what = days_text(s.start, s.end.max(s.start), s.zone);
        if s.end <= s.start {
            out.push(Finding::new(
                Rule::EndBeforeStart,
                file,
                a.line,
                format!("{}'s time away ends before it starts; swap the times", a.who),
            ));
            continue;
        }
        if roster.find(&a.who).is_none() && !roster.people.is_empty() {
            out.push(Finding::new(
                Rule::NotInRoster,
                file,
                a.line,
                format!("{} is away {what} but is not in the roster; add them, or write their handle as the roster does", a.who),
            ));
            continue;
        }
        if uncovered(&s, schedule, roster, timing) {
            out.push(Finding::new(
                Rule::AwayUncovered,
                file,
                a.line,
                format!("{} is away {what} during their rotation and nobody covers: add a Covering row", s.handle),
            ));
        }
    }
    out
}

/// Whether the away engineer keeps their seat during some of their working hours in the period
/// (no override takes them off or puts someone in their place then). Hours are what is lost: a
/// Covering row written in the schedule's zone that misses the night at either end still covers.
fn uncovered(s: &super::AwaySpan, schedule: &Schedule, roster: &Roster, timing: &Timing) -> bool {
    let person = roster.find(&s.handle);
    schedule.stretches(timing, s.start, s.end).iter().filter(|st| st.team.iter().any(|m| same(&m.handle, &s.handle))).any(|st| {
        let (from, to) = (st.start.max(s.start), st.end.min(s.end));
        match person {
            Some(p) if p.timezone.is_some() => p.shifts(from, to).iter().any(|sh| sh.start.max(from) < sh.end.min(to)),
            _ => from < to,
        }
    })
}
