//! The schedule: rotations, each a run of days with the engineers (seats) on duty.
//!
//! Dates are calendar days. A rotation `A to B` runs from A at the hand-off time to the day after
//! B at the hand-off time, both in the schedule's zone ([`Timing`]), so a hand-off on the day the
//! clocks change still happens at the local hand-off time.

use crate::finding::{toml_finding, Finding, Lines, Parsed, Rule};
use crate::roster::local_instant;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

pub use crate::dates::{date_range, iso_date, YEARS};

/// The most seats one rotation may have. A rotation is a handful of engineers; a larger number is
/// a mistake, and one in the billions would be an allocation no machine has.
pub const MAX_SEATS: usize = 100;

/// One seat of a rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seat {
    /// An engineer, by handle (or, when the schedule gives a plain name, by that name).
    Engineer(String),
    /// `TBD`: nobody yet.
    Open,
}

impl Seat {
    pub fn handle(&self) -> Option<&str> {
        match self {
            Seat::Engineer(h) => Some(h),
            Seat::Open => None,
        }
    }
}

/// A rotation as written: inclusive calendar days and its seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub start: NaiveDate,
    /// The last day, inclusive.
    pub end: NaiveDate,
    pub seats: Vec<Seat>,
    /// Where the rotation is written, for findings.
    pub line: Option<u32>,
}

impl Rotation {
    pub fn engineers(&self) -> impl Iterator<Item = &str> {
        self.seats.iter().filter_map(Seat::handle)
    }

    pub fn open_seats(&self) -> usize {
        self.seats.iter().filter(|s| **s == Seat::Open).count()
    }

    /// Whole days from start to end, inclusive.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

/// When rotations hand off: the schedule's zone and the local time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub timezone: Tz,
    /// Minutes after local midnight.
    pub handoff: u16,
}

impl Default for Timing {
    fn default() -> Self {
        Timing { timezone: Tz::UTC, handoff: 0 }
    }
}

impl Timing {
    /// The instant a rotation starting on `day` begins.
    pub fn starts_at(&self, day: NaiveDate) -> DateTime<Utc> {
        local_instant(self.timezone, day, self.handoff)
    }

    /// The instant a rotation whose last day is `last_day` ends (exclusive).
    pub fn ends_at(&self, last_day: NaiveDate) -> DateTime<Utc> {
        local_instant(self.timezone, last_day.succ_opt().unwrap_or(last_day), self.handoff)
    }

    pub fn contains(&self, r: &Rotation, at: DateTime<Utc>) -> bool {
        self.starts_at(r.start) <= at && at < self.ends_at(r.end)
    }
}

/// Every rotation, ordered by start day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    /// The file (or source name) the schedule came from.
    pub source: String,
    pub rotations: Vec<Rotation>,
    /// `Some` for a built-in example, with the words that say so.
    pub demo: Option<String>,
    /// Covering: overrides of who is on, in the order written ([`crate::overrides`]).
    pub overrides: Vec<crate::overrides::Override>,
    /// Time away, in the order written (the page's, then a feed's: [`crate::away`]).
    pub away: Vec<crate::away::Away>,
}

impl Schedule {
    pub fn new(source: &str, mut rotations: Vec<Rotation>) -> Self {
        rotations.sort_by_key(|r| (r.start, r.end));
        Schedule { source: source.to_owned(), rotations, demo: None, overrides: Vec::new(), away: Vec::new() }
    }

    /// The rotation on duty at `at`. With overlapping rotations (an error `check` reports), the
    /// one that started last.
    pub fn current(&self, timing: &Timing, at: DateTime<Utc>) -> Option<&Rotation> {
        // Rotations are sorted by start day: only those started by `at` can hold it, and a cheap
        // date test skips the ones long over before any instant is computed.
        let started = self.rotations.partition_point(|r| timing.starts_at(r.start) <= at);
        let today = at.with_timezone(&timing.timezone).date_naive();
        let day = today.pred_opt().unwrap_or(today);
        self.rotations[..started].iter().rev().find(|r| r.end >= day && timing.contains(r, at))
    }

    /// The first rotation starting after `at`.
    pub fn next(&self, timing: &Timing, at: DateTime<Utc>) -> Option<&Rotation> {
        let started = self.rotations.partition_point(|r| timing.starts_at(r.start) <= at);
        self.rotations.get(started)
    }

    /// The next instant after `at` at which the people on duty change: a rotation's start or end.
    pub fn next_handoff(&self, timing: &Timing, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let end = self.current(timing, at).map(|r| timing.ends_at(r.end));
        let start = self.next(timing, at).map(|r| timing.starts_at(r.start));
        match (end, start) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Reads one seat's text: `@handle`, a plain name, or `TBD`.
pub fn seat(text: &str) -> Option<Seat> {
    let t = text.trim().trim_matches(|c: char| c == '*' || c == '_' || c == '`').trim();
    if t.is_empty() {
        return None;
    }
    if t.eq_ignore_ascii_case("tbd") || t.eq_ignore_ascii_case("tba") || t == "?" || t.eq_ignore_ascii_case("open") {
        return Some(Seat::Open);
    }
    Some(Seat::Engineer(t.trim_start_matches('@').trim().to_owned()))
}

/// Why a rotation's seat count cannot be used, if it cannot: more than [`MAX_SEATS`].
pub fn seat_count_error(engineers: usize, open: usize) -> Option<String> {
    let n = engineers.saturating_add(open);
    (n > MAX_SEATS).then(|| format!("the rotation has {n} seats, more than {MAX_SEATS}; list its engineers (and open seats) one by one"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleFile {
    #[serde(default)]
    rotation: Vec<toml::Spanned<RotationEntry>>,
    #[serde(default, rename = "override")]
    overrides: Vec<toml::Spanned<crate::overrides::parse::OverrideEntry>>,
    #[serde(default)]
    away: Vec<toml::Spanned<crate::away::parse::AwayEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RotationEntry {
    start: toml::Spanned<toml::Value>,
    end: toml::Spanned<toml::Value>,
    #[serde(default)]
    engineers: Vec<String>,
    #[serde(default)]
    open_seats: usize,
}

/// Parses a TOML schedule:
///
/// ```toml
/// [[rotation]]
/// start = 2022-09-07          # a TOML date or a "YYYY-MM-DD" string
/// end = 2022-10-09            # inclusive
/// engineers = ["keegancsmith", "valerybugakov", "TBD"]
/// ```
pub fn parse_toml_schedule(file: &str, text: &str) -> Parsed<Schedule> {
    let mut findings = Vec::new();
    let parsed: ScheduleFile = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            findings.push(toml_finding(file, text, &e));
            return Parsed { value: Schedule::new(file, vec![]), findings };
        }
    };
    let lines = Lines::new(text);
    let mut rotations = Vec::new();
    for entry in parsed.rotation {
        let line = Some(lines.line_of(entry.span().start));
        let e = entry.into_inner();
        let date = |v: &toml::Spanned<toml::Value>| -> Result<NaiveDate, Finding> {
            let at = Some(lines.line_of(v.span().start));
            let s = match v.get_ref() {
                toml::Value::String(s) => s.clone(),
                toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
                other => other.to_string(),
            };
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok().filter(|d| YEARS.contains(&d.year())).ok_or_else(|| {
                Finding::new(Rule::Syntax, file, at, format!("\"{s}\" is not a date from year 1000 to 9999; write YYYY-MM-DD"))
            })
        };
        if let Some(msg) = seat_count_error(e.engineers.len(), e.open_seats) {
            findings.push(Finding::new(Rule::Syntax, file, line, msg));
            continue;
        }
        match (date(&e.start), date(&e.end)) {
            (Ok(start), Ok(end)) => {
                let mut seats: Vec<Seat> = e.engineers.iter().filter_map(|s| seat(s)).collect();
                seats.extend(std::iter::repeat_n(Seat::Open, e.open_seats));
                rotations.push(Rotation { start, end, seats, line });
            }
            (a, b) => findings.extend(a.err().into_iter().chain(b.err())),
        }
    }
    let mut schedule = Schedule::new(file, rotations);
    for entry in parsed.overrides {
        let line = lines.line_of(entry.span().start);
        match crate::overrides::parse::toml_override(entry.into_inner(), line) {
            Ok(o) => schedule.overrides.push(o),
            Err(msg) => findings.push(Finding::new(Rule::Syntax, file, Some(line), msg)),
        }
    }
    for entry in parsed.away {
        let line = lines.line_of(entry.span().start);
        match crate::away::parse::toml_away(entry.into_inner(), line) {
            Ok(a) => schedule.away.push(a),
            Err(msg) => findings.push(Finding::new(Rule::Syntax, file, Some(line), msg)),
        }
    }
    Parsed { value: schedule, findings }
}
