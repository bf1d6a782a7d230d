//! Coverage: a week, hour by hour in the viewer's zone, with who is working and the gaps.

use crate::roster::{local_instant, Person, Roster, Shift};
use crate::schedule::{Schedule, Timing};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

/// Someone working during part of an hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worker {
    pub handle: String,
    /// Minutes of the slot they work (60 for the whole hour).
    pub minutes: u32,
}

/// One wall-clock hour in the viewer's zone. On a DST change day the skipped hour has no slot
/// and a repeated hour is one slot two hours long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub working: Vec<Worker>,
}

impl Slot {
    pub fn is_gap(&self) -> bool {
        self.working.is_empty()
    }
}

/// A week of coverage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub viewer: Tz,
    /// Monday 00:00 in the viewer's zone.
    pub monday: NaiveDate,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub slots: Vec<Slot>,
    /// Exact spans with nobody on duty working, in order.
    pub gaps: Vec<Shift>,
}

/// Who works when, for everyone on duty in `[from, to)`, as (handle, span) pairs. Spans follow
/// the effective team ([`Schedule::stretches`]): an engineer counts only while their rotation is
/// on and nobody covers for them; one covering counts while the override lasts. Time away
/// ([`crate::away`]) is cut out: an away engineer's hours are uncovered.
pub fn duty_shifts(schedule: &Schedule, roster: &Roster, timing: &Timing, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(String, Shift)> {
    let mut out = Vec::new();
    for stretch in schedule.stretches(timing, from, to) {
        let (rs, re) = (stretch.start, stretch.end);
        for m in &stretch.team {
            let Some(p) = roster.find(&m.handle) else { continue };
            out.extend(working(schedule, p, rs, re).into_iter().map(|s| (m.handle.clone(), s)));
        }
    }
    out
}

/// The spans `person` works within `[from, to)` while on duty there, clipped to it: their hours
/// on their days, in their zone. Everything that counts someone's working time on duty (the
/// week's coverage, the lint's gap, the plan's candidates) asks this, so time away
/// ([`crate::away`], in the person's zone) is cut from these spans here and nowhere else.
pub fn working(schedule: &Schedule, person: &Person, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Shift> {
    let zone = person.timezone.unwrap_or(chrono_tz::UTC);
    let on: Vec<Shift> = person
        .shifts(from, to)
        .into_iter()
        .map(|s| Shift { start: s.start.max(from), end: s.end.min(to) })
        .filter(|s| s.start < s.end)
        .collect();
    let away: Vec<Shift> = schedule
        .away
        .iter()
        .filter(|a| person.is(&a.who))
        .map(|a| a.instants(zone))
        .filter(|(start, end)| start < end && *start < to && *end > from)
        .map(|(start, end)| Shift { start, end })
        .collect();
    if away.is_empty() {
        on
    } else {
        crate::spans::subtract(&crate::spans::merged(on), &crate::spans::merged(away))
    }
}

/// The spans of `[from, to)` that no shift covers.
pub fn gaps(shifts: &[(String, Shift)], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Shift> {
    let mut spans: Vec<Shift> = shifts.iter().map(|(_, s)| *s).collect();
    spans.sort_by_key(|s| s.start);
    let mut out = Vec::new();
    let mut cursor = from;
    for s in spans {
        if s.start > cursor {
            out.push(Shift { start: cursor, end: s.start.min(to) });
        }
        cursor = cursor.max(s.end);
        if cursor >= to {
            break;
        }
    }
    if cursor < to {
        out.push(Shift { start: cursor, end: to });
    }
    out.retain(|g| g.start < g.end);
    out
}

/// The week (Monday to Sunday in the viewer's zone) containing `at`.
pub fn coverage(schedule: &Schedule, roster: &Roster, timing: &Timing, viewer: Tz, at: DateTime<Utc>) -> Coverage {
    let today = at.with_timezone(&viewer).date_naive();
    let monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    let start = local_instant(viewer, monday, 0);
    let end = local_instant(viewer, monday + Duration::days(7), 0);
    let shifts = duty_shifts(schedule, roster, timing, start, end);
    let mut slots = Vec::with_capacity(170);
    for d in 0..7 {
        let day = monday + Duration::days(d);
        for h in 0..24u16 {
            let (s, e) = (local_instant(viewer, day, h * 60), local_instant(viewer, day, (h + 1) * 60));
            if s >= e {
                continue;
            }
            let mut working: Vec<Worker> = Vec::new();
            for (handle, sh) in &shifts {
                let overlap = (sh.end.min(e) - sh.start.max(s)).num_minutes();
                if overlap <= 0 {
                    continue;
                }
                match working.iter_mut().find(|w| &w.handle == handle) {
                    Some(w) => w.minutes += overlap as u32,
                    None => working.push(Worker { handle: handle.clone(), minutes: overlap as u32 }),
                }
            }
            slots.push(Slot { start: s, end: e, working });
        }
    }
    Coverage { viewer, monday, start, end, gaps: gaps(&shifts, start, end), slots }
}
