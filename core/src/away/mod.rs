//! Time away: the periods an engineer is not there at all (a holiday, a conference), whatever
//! their rotation and hours say.
//!
//! An [`Away`] names a person and a span, written in the person's own zone (a holiday is days of
//! *their* calendar): whole days from midnight to midnight, two wall-clock instants, or two
//! instants an iCalendar feed gave with their offset. [`parse`] reads the handbook page's
//! `Who | When | Why` table and a TOML schedule's `[[away]]`; [`feed`] reads an iCalendar feed of
//! time off; [`lint`] says when nobody covers an away engineer's seat. An away engineer stays on
//! the team (the glance shows "away until Mon 4 Jan"), the policy never picks them, and coverage
//! counts their hours as uncovered. It is not the place that decides who is on duty
//! ([`crate::Schedule::team_at`]): a Covering row does that.

pub mod feed;
pub mod lint;
pub mod parse;

use crate::overrides::same;
use crate::roster::{local_instant, Roster};
use crate::schedule::Schedule;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

/// When someone is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwayWhen {
    /// Whole days in the person's zone, both inclusive: from `start` at 00:00 to the day after
    /// `end` at 00:00.
    Days { start: NaiveDate, end: NaiveDate },
    /// Two wall-clock instants in the person's zone; the end is exclusive.
    Local { start: NaiveDateTime, end: NaiveDateTime },
    /// Two instants, as a feed gives them with an offset or in UTC.
    At { start: DateTime<Utc>, end: DateTime<Utc> },
}

/// One away period as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Away {
    /// Who is away, as written (a handle or a roster name).
    pub who: String,
    pub when: AwayWhen,
    /// Why, as written ("holiday"); may be empty.
    pub why: String,
    /// The file it is written in, when not the schedule's own (a feed).
    pub file: Option<String>,
    /// Where it is written, for findings.
    pub line: Option<u32>,
}

/// What the glance says of someone away now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwayNow {
    /// When they are back (the end of the period they are in, or of the periods that follow on).
    pub until: DateTime<Utc>,
    pub why: String,
}

/// One away period as instants, for one person of the roster (or the name as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwaySpan {
    pub handle: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub why: String,
    /// The zone its days are said in: the person's, else UTC.
    pub zone: Tz,
}

impl Away {
    /// The period as instants. The zone is the person's (`fallback`, the schedule's, when the
    /// roster gives none).
    pub fn span(&self, roster: &Roster, fallback: Tz) -> AwaySpan {
        let person = roster.find(&self.who);
        let zone = person.and_then(|p| p.timezone).unwrap_or(fallback);
        let (start, end) = self.instants(zone);
        let handle = person.map(|p| p.handle.clone()).unwrap_or_else(|| self.who.trim().trim_start_matches('@').to_owned());
        AwaySpan { handle, start, end, why: self.why.clone(), zone }
    }
}

impl Away {
    /// Whether the period may meet the days `[from, to]` (in any zone: give a day's margin).
    pub fn meets(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let (start, end) = match self.when {
            AwayWhen::Days { start, end } => (start, end),
            AwayWhen::Local { start, end } => (start.date(), end.date()),
            AwayWhen::At { start, end } => (start.date_naive(), end.date_naive()),
        };
        start <= to && end >= from
    }

    /// The period as instants, its days and wall-clock times read in `zone` (the person's).
    pub fn instants(&self, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let at = |t: NaiveDateTime| wall_clock(zone, t);
        match self.when {
            AwayWhen::Days { start, end } => (local_instant(zone, start, 0), local_instant(zone, end, 24 * 60)),
            AwayWhen::Local { start, end } => (at(start), at(end)),
            AwayWhen::At { start, end } => (start, end),
        }
    }
}

/// The instant of a wall-clock time in `zone` (a skipped time moved forward, a repeated one the
/// first: [`local_instant`]).
pub fn wall_clock(zone: Tz, t: NaiveDateTime) -> DateTime<Utc> {
    use chrono::Timelike;
    local_instant(zone, t.date(), (t.hour() * 60 + t.minute()) as u16)
}

/// Every away period of the schedule as instants, in the order written.
pub fn spans(schedule: &Schedule, roster: &Roster, fallback: Tz) -> Vec<AwaySpan> {
    schedule.away.iter().map(|a| a.span(roster, fallback)).filter(|s| s.start < s.end).collect()
}

/// Whether `handle` is away at `at`, and until when: periods that meet or overlap are one
/// absence, so "until" is the day they are really back.
pub fn away_at(spans: &[AwaySpan], handle: &str, at: DateTime<Utc>) -> Option<AwayNow> {
    let mine: Vec<&AwaySpan> = spans.iter().filter(|s| same(&s.handle, handle)).collect();
    let now = mine.iter().find(|s| s.start <= at && at < s.end)?;
    let mut until = now.end;
    while let Some(next) = mine.iter().filter(|s| s.start <= until && s.end > until).max_by_key(|s| s.end) {
        until = next.end;
    }
    Some(AwayNow { until, why: now.why.clone() })
}

/// `handle`'s away spans meeting `[from, to)`, clipped to it.
pub fn away_within(spans: &[AwaySpan], handle: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    spans.iter().filter(|s| same(&s.handle, handle) && s.start < to && s.end > from).map(|s| (s.start.max(from), s.end.min(to))).collect()
}

/// Days as people say them in `zone`: "21-31 Dec", "28 Dec-3 Jan", "4 Jan" (the last day is
/// the one before `end`, which is exclusive).
pub fn days_text(start: DateTime<Utc>, end: DateTime<Utc>, zone: Tz) -> String {
    let first = start.with_timezone(&zone).date_naive();
    let last = (end - chrono::Duration::seconds(1)).with_timezone(&zone).date_naive().max(first);
    use chrono::Datelike;
    if first == last {
        first.format("%-d %b").to_string()
    } else if (first.year(), first.month()) == (last.year(), last.month()) {
        format!("{}-{}", first.format("%-d"), last.format("%-d %b"))
    } else {
        format!("{}-{}", first.format("%-d %b"), last.format("%-d %b"))
    }
}
