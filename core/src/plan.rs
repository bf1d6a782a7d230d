//! Filling a rotation's open seats: every roster engineer not on it, ranked by the weekday gap
//! they close and then by whose turn it is; the seats filled greedily; the row to paste.
//!
//! The gap is the program's: weekday time (Monday to Friday in the schedule's zone) during the
//! rotation that nobody on it works, coverings applied, said per week (the rotation's weekday
//! time is five days a week). `rota check` measures it with [`weekday_gap`] too, so the two
//! agree. Whose turn it is comes from the schedule's rows: never rotated first, then the longest
//! since their last rotation ended, then the fewest rotations.
//!
//! It is not a decision: it suggests, and a person pastes the row. It does no IO and reads no
//! clock: the instant is an argument.

use crate::coverage::{duty_shifts, working};
use crate::overrides::{same, When};
use crate::roster::{local_instant, minute_of_day, Days, Person, Roster, Shift};
use crate::schedule::{Rotation, Schedule, Seat, Timing};
use crate::spans;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use std::cmp::Reverse;
use std::collections::HashMap;

/// Five days: the weekday time of a week, in minutes.
const WEEKDAY_WEEK: i64 = 5 * 1440;

/// The weekday time of a rotation that nobody on it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekdayGap {
    /// Exact, sorted and disjoint.
    pub spans: Vec<Shift>,
    /// All the rotation's weekday time, in minutes: what a week's share is taken of.
    pub weekday_minutes: i64,
}

impl WeekdayGap {
    /// `minutes` of the rotation's weekday time as minutes a week, rounded.
    pub fn per_week(&self, minutes: i64) -> i64 {
        if self.weekday_minutes <= 0 {
            return 0;
        }
        (minutes * WEEKDAY_WEEK + self.weekday_minutes / 2) / self.weekday_minutes
    }

    /// The gap, in minutes a week.
    pub fn minutes_a_week(&self) -> i64 {
        self.per_week(spans::minutes(&self.spans))
    }
}

/// The seats a rotation should still fill: its `TBD`s, or as many as it is short of `team_size`,
/// whichever is more (the count `rota check` warns about).
pub fn open_seats(r: &Rotation, team_size: usize) -> usize {
    r.open_seats().max(team_size.saturating_sub(r.engineers().count()))
}

/// The first rotation starting after `at` with an open seat.
pub fn next_open<'s>(schedule: &'s Schedule, timing: &Timing, team_size: usize, at: DateTime<Utc>) -> Option<&'s Rotation> {
    schedule.rotations.iter().find(|r| timing.starts_at(r.start) > at && open_seats(r, team_size) > 0)
}

/// Where the rotation runs, `[start, end)`.
fn whole(r: &Rotation, timing: &Timing) -> Shift {
    Shift { start: timing.starts_at(r.start), end: timing.ends_at(r.end) }
}

/// The schedule's covering rows by their days, so that those near a rotation are found without
/// looking at every one (`rota check` asks for each rotation of a long page).
pub struct Coverings<'s> {
    /// (first day, last day, row), by first day.
    rows: Vec<(NaiveDate, NaiveDate, &'s crate::overrides::Override)>,
    /// The most days one row spans.
    longest: Duration,
    /// Time away, which counts wherever working time does ([`working`]).
    away: &'s [crate::away::Away],
}

impl<'s> Coverings<'s> {
    pub fn new(schedule: &'s Schedule) -> Self {
        let days = |w: &When| match *w {
            When::Days { start, end } => (start, end),
            When::Local { start, end } => (start.date(), end.date()),
        };
        let mut rows: Vec<_> = schedule.overrides.iter().map(|o| (days(&o.when).0, days(&o.when).1, o)).collect();
        rows.sort_by_key(|r| r.0);
        let longest = rows.iter().map(|r| r.1 - r.0).max().unwrap_or_default();
        Coverings { rows, longest, away: &schedule.away }
    }

    /// The rotation alone, with the covering rows that may fall in it: what is on during it,
    /// without a neighbour (or an overlapping row, an error `check` reports) in the way. Rows
    /// are picked by their days, with a margin for zones.
    fn alone(&self, r: &Rotation) -> Schedule {
        let (from, to) = (r.start - Duration::days(2), r.end + Duration::days(2));
        let first = self.rows.partition_point(|row| row.0 < from - self.longest);
        let last = self.rows.partition_point(|row| row.0 <= to);
        let overrides = self.rows[first..last.max(first)].iter().filter(|row| row.1 >= from).map(|row| row.2.clone()).collect();
        let away = self.away.iter().filter(|a| a.meets(from, to)).cloned().collect();
        Schedule { rotations: vec![r.clone()], overrides, away, ..Schedule::default() }
    }
}

/// Monday-to-Friday time of `span` in `tz`, in order.
fn weekdays(tz: Tz, span: Shift) -> Vec<Shift> {
    let mut out = Vec::new();
    let mut day = span.start.with_timezone(&tz).date_naive();
    let last = span.end.with_timezone(&tz).date_naive();
    while day <= last {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            let next = day.succ_opt().unwrap_or(day);
            out.push(Shift { start: local_instant(tz, day, 0), end: local_instant(tz, next, 0) });
        }
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    spans::intersect(&spans::merged(out), &[span])
}

/// The weekday gap of rotation `r` as written: its engineers' working time, coverings applied.
pub fn weekday_gap(schedule: &Schedule, roster: &Roster, timing: &Timing, r: &Rotation) -> WeekdayGap {
    gap_of(&Coverings::new(schedule).alone(r), roster, timing, r)
}

/// [`weekday_gap`] for each of many rotations, the covering rows sorted once.
pub fn weekday_gap_in(coverings: &Coverings, roster: &Roster, timing: &Timing, r: &Rotation) -> WeekdayGap {
    gap_of(&coverings.alone(r), roster, timing, r)
}

fn gap_of(alone: &Schedule, roster: &Roster, timing: &Timing, r: &Rotation) -> WeekdayGap {
    let span = whole(r, timing);
    let week = weekdays(timing.timezone, span);
    let worked = duty_shifts(alone, roster, timing, span.start, span.end).into_iter().map(|(_, s)| s).collect();
    WeekdayGap { spans: spans::subtract(&week, &spans::merged(worked)), weekday_minutes: spans::minutes(&week) }
}

/// The working time `person` would add in one of the rotation's seats: their hours and days in
/// their zone while the seat is on duty, coverings that name them applied.
fn newcomer(on: &Schedule, timing: &Timing, span: Shift, person: &Person) -> Vec<Shift> {
    let named = on.overrides.iter().any(|o| [&o.covering, &o.covered].into_iter().flatten().any(|h| same(h, &person.handle)));
    let seated: Vec<Shift> = if named {
        let mut with = on.clone();
        with.rotations[0].seats.push(Seat::Engineer(person.handle.clone()));
        let stretches = with.stretches(timing, span.start, span.end);
        stretches
            .into_iter()
            .filter(|s| s.team.iter().any(|m| same(&m.handle, &person.handle)))
            .map(|s| Shift { start: s.start, end: s.end })
            .collect()
    } else {
        vec![span]
    };
    spans::merged(seated.into_iter().flat_map(|s| working(on, person, s.start, s.end)).collect())
}

/// How many rotations someone has done and when the last one ended: whose turn it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Turn {
    pub rotations: usize,
    /// The last day of their latest rotation.
    pub last_end: Option<NaiveDate>,
}

impl Turn {
    /// Sorts first whose turn it is most: never rotated, then the longest since the last
    /// rotation ended, then the fewest rotations.
    pub fn order(&self) -> (bool, Option<NaiveDate>, usize) {
        (self.rotations > 0, self.last_end, self.rotations)
    }
}

/// The roster's people by handle, then by name, as [`Roster::find`] finds them, found in one look.
struct Index(HashMap<String, usize>, HashMap<String, usize>);

impl Index {
    fn new(roster: &Roster) -> Self {
        let mut handles = HashMap::new();
        let mut names = HashMap::new();
        for (i, p) in roster.people.iter().enumerate() {
            handles.entry(p.handle.to_lowercase()).or_insert(i);
            names.entry(p.name.to_lowercase()).or_insert(i);
        }
        Index(handles, names)
    }

    fn find(&self, who: &str) -> Option<usize> {
        let who = who.trim().trim_start_matches('@').to_lowercase();
        self.0.get(&who).or_else(|| self.1.get(&who)).copied()
    }
}

/// Each roster person's rotations, by roster index, in schedule order.
fn rotations_of<'s>(schedule: &'s Schedule, roster: &Roster) -> Vec<Vec<&'s Rotation>> {
    let index = Index::new(roster);
    let mut out = vec![Vec::new(); roster.people.len()];
    for r in &schedule.rotations {
        for h in r.engineers() {
            if let Some(i) = index.find(h) {
                let list: &mut Vec<&Rotation> = &mut out[i];
                if !list.last().is_some_and(|l| std::ptr::eq(*l, r)) {
                    list.push(r);
                }
            }
        }
    }
    out
}

fn turn(rotations: &[&Rotation], timing: &Timing, by: DateTime<Utc>) -> Turn {
    let done: Vec<&&Rotation> = rotations.iter().filter(|r| timing.ends_at(r.end) <= by).collect();
    Turn { rotations: done.len(), last_end: done.iter().map(|r| r.end).max() }
}

/// One engineer who could take a seat.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub handle: String,
    pub name: String,
    pub timezone: Option<Tz>,
    /// Weekday gap minutes a week they close, added alone to the rotation as written.
    pub closes: i64,
    /// Their rotations ended by the time this one starts.
    pub turn: Turn,
    /// Where the gap they close lies, in the viewer's zone.
    pub closes_when: Option<Daily>,
    /// Why they rank where they do, in a few words.
    pub reason: String,
}

/// The bulk of some spans as daily hours: "Mon-Fri 00:00-07:00 UTC".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Daily {
    pub days: Days,
    /// Minutes after local midnight; `end` 1440 for midnight.
    pub start: u16,
    pub end: u16,
    /// The zone as [`crate::words::zone`] says it.
    pub zone: String,
    /// Whether other hours hold a tenth or more of the time.
    pub mostly: bool,
}

/// The daily hours holding the most of `spans`, in `tz`, the zone said as it is during them
/// (a clock change in between moves the hours, and the bulk is one side of it).
pub fn daily(spans: &[Shift], tz: Tz) -> Option<Daily> {
    // (start, end) minutes → the days, the minutes, and the first instant.
    let mut hours: HashMap<(u16, u16), (Days, i64, DateTime<Utc>)> = HashMap::new();
    for s in spans {
        let mut t = s.start;
        while t < s.end {
            let local = t.with_timezone(&tz);
            let day = local.date_naive();
            let midnight = local_instant(tz, day.succ_opt().unwrap_or(day), 0);
            let end = s.end.min(midnight).max(t + Duration::minutes(1));
            let last = if end == midnight { 1440 } else { minute_of_day(&end.with_timezone(&tz)) };
            let entry = hours.entry((minute_of_day(&local), last)).or_insert((Days::NONE, 0, t));
            entry.0 = entry.0.with(day.weekday());
            entry.1 += (end - t).num_minutes();
            t = end;
        }
    }
    let total: i64 = hours.values().map(|h| h.1).sum();
    let (&(start, end), &(days, minutes, first)) = hours.iter().max_by_key(|(k, v)| (v.1, Reverse(**k)))?;
    let zone = crate::words::zone(&crate::duty::LocalTime::new(tz, first));
    Some(Daily { days, start, end, zone, mostly: (total - minutes) * 10 >= total })
}

/// What the plan suggests for one rotation.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub rotation: Rotation,
    pub open_seats: usize,
    /// Weekday gap minutes a week, as written and with the picks.
    pub gap_before: i64,
    pub gap_after: i64,
    /// Everyone in the roster not on the rotation, best first.
    pub candidates: Vec<Candidate>,
    /// Handles, in the order their seats are filled.
    pub picks: Vec<String>,
    /// The rotation with the picks in its seats.
    pub filled: Rotation,
    /// `filled` as a row of the handbook's table, to paste in place of the rotation's.
    pub row: String,
}

/// The plan for rotation `r`: the candidates ranked, the open seats filled greedily (the gap
/// recomputed after each pick), the row. `viewer` is the zone the hours are said in.
pub fn plan(schedule: &Schedule, roster: &Roster, timing: &Timing, team_size: usize, viewer: Tz, r: &Rotation) -> Plan {
    let span = whole(r, timing);
    let on = Coverings::new(schedule).alone(r);
    let gap = gap_of(&on, roster, timing, r);
    let before = gap.minutes_a_week();
    let index = Index::new(roster);
    let seated: Vec<usize> = r.engineers().filter_map(|h| index.find(h)).collect();
    let rotations = rotations_of(schedule, roster);
    let starts = span.start;
    // Each candidate's working time in a seat, computed once: the greedy rounds reuse it.
    let mut pool: Vec<(Candidate, Vec<Shift>)> = roster
        .people
        .iter()
        .enumerate()
        .filter(|(i, _)| !seated.contains(i))
        .map(|(i, p)| {
            let shifts = newcomer(&on, timing, span, p);
            let closed = spans::intersect(&gap.spans, &shifts);
            let closes = gap.per_week(spans::minutes(&closed));
            let turn = turn(&rotations[i], timing, starts);
            let closes_when = daily(&closed, viewer);
            let reason = crate::words::plan::reason(closes, before, closes_when.as_ref(), &turn);
            let c = Candidate { handle: p.handle.clone(), name: p.name.clone(), timezone: p.timezone, closes, turn, closes_when, reason };
            (c, shifts)
        })
        .collect();
    pool.sort_by(|(a, _), (b, _)| rank(a.closes, a, b.closes, b));
    let open = open_seats(r, team_size);
    let mut left = gap.spans.clone();
    let mut taken = vec![false; pool.len()];
    let mut picks = Vec::new();
    for _ in 0..open {
        let best = pool
            .iter()
            .enumerate()
            .filter(|(i, _)| !taken[*i])
            .map(|(i, (c, shifts))| (i, c, spans::overlap(&left, shifts)))
            .min_by(|(_, a, x), (_, b, y)| rank(*x, a, *y, b));
        let Some((i, c, _)) = best else { break };
        picks.push(c.handle.clone());
        left = spans::subtract(&left, &pool[i].1);
        taken[i] = true;
    }
    let filled = fill(r, &picks);
    let row = row(&filled, roster);
    Plan {
        rotation: r.clone(),
        open_seats: open,
        gap_before: before,
        gap_after: gap.per_week(spans::minutes(&left)),
        candidates: pool.into_iter().map(|(c, _)| c).collect(),
        picks,
        filled,
        row,
    }
}

/// The better of two candidates closing `x` and `y`: more gap closed, then whose turn it is,
/// then the handle (so the order is the same every time).
fn rank(x: i64, a: &Candidate, y: i64, b: &Candidate) -> std::cmp::Ordering {
    (Reverse(x), a.turn.order(), a.handle.to_lowercase()).cmp(&(Reverse(y), b.turn.order(), b.handle.to_lowercase()))
}

/// The best candidate for `r`'s open seat, if it has one and anyone closes some of its gap.
pub fn best(schedule: &Schedule, roster: &Roster, timing: &Timing, team_size: usize, r: &Rotation) -> Option<Candidate> {
    if open_seats(r, team_size) == 0 {
        return None;
    }
    plan(schedule, roster, timing, team_size, timing.timezone, r).candidates.into_iter().next().filter(|c| c.closes > 0)
}

/// `r` with `picks` in its open seats, in order, and any picks left over after them.
fn fill(r: &Rotation, picks: &[String]) -> Rotation {
    let mut picks = picks.iter();
    let mut seats: Vec<Seat> = r
        .seats
        .iter()
        .map(|s| if *s == Seat::Open { picks.next().map(|h| Seat::Engineer(h.clone())).unwrap_or(Seat::Open) } else { s.clone() })
        .collect();
    seats.extend(picks.map(|h| Seat::Engineer(h.clone())));
    Rotation { seats, ..r.clone() }
}

/// A rotation as the handbook's table writes a row: `| 2022-10-10 to 2022-11-07 |
/// [@tbliu98](https://github.com/tbliu98), TBD |`; an engineer the roster knows by name is
/// written by their handle.
pub fn row(r: &Rotation, roster: &Roster) -> String {
    let seats: Vec<String> = r
        .seats
        .iter()
        .map(|s| match s {
            Seat::Open => "TBD".to_owned(),
            Seat::Engineer(h) => {
                let h = roster.find(h).map_or(h.as_str(), |p| p.handle.as_str());
                if h.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c)) {
                    format!("[@{h}](https://github.com/{h})")
                } else {
                    h.to_owned()
                }
            }
        })
        .collect();
    format!("| {} to {} | {} |", r.start, r.end, seats.join(", "))
}

/// The schedule with rotation `r` (by its first day) replaced by `with`.
pub fn with_rotation(schedule: &Schedule, with: &Rotation) -> Schedule {
    let mut out = schedule.clone();
    for r in out.rotations.iter_mut().filter(|r| r.start == with.start) {
        *r = with.clone();
    }
    out
}

/// One engineer's rotations, for `rota people`.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRotations<'r> {
    pub person: &'r Person,
    /// First and last day of each, in order.
    pub rotations: Vec<(NaiveDate, NaiveDate)>,
    /// The last day of the latest rotation ended by the instant asked about.
    pub last_end: Option<NaiveDate>,
    /// The first day of the first rotation starting after it.
    pub next_start: Option<NaiveDate>,
    /// Whether they are on a rotation at the instant.
    pub on_now: bool,
    pub turn: Turn,
}

/// The roster with each engineer's rotations at `at`, whose turn it is first.
pub fn people<'r>(schedule: &Schedule, roster: &'r Roster, timing: &Timing, at: DateTime<Utc>) -> Vec<PersonRotations<'r>> {
    let rotations = rotations_of(schedule, roster);
    let mut out: Vec<PersonRotations> = roster
        .people
        .iter()
        .zip(&rotations)
        .map(|(person, rs)| {
            let turn = turn(rs, timing, at);
            PersonRotations {
                person,
                rotations: rs.iter().map(|r| (r.start, r.end)).collect(),
                last_end: turn.last_end,
                next_start: rs.iter().find(|r| timing.starts_at(r.start) > at).map(|r| r.start),
                on_now: rs.iter().any(|r| timing.contains(r, at)),
                turn,
            }
        })
        .collect();
    out.sort_by_key(|p| (p.on_now, p.next_start.is_some(), p.turn.order(), p.person.handle.to_lowercase()));
    out
}
