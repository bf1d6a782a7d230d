//! Covering: overrides that change who is on duty for a while, and the effective team they give.
//!
//! An [`Override`] names a span (whole days like a rotation, or two local instants in the
//! schedule's zone) and a `covering` and a `for` engineer: both replace `for` with `covering`;
//! `covering` alone adds someone; `for` alone takes someone off. Everything that shows who is on
//! (the glance, coverage, the escalate policy, the calendar export, hand-off notices) asks
//! [`crate::Schedule::team_at`] or [`crate::Schedule::stretches`], never a rotation's seats directly.
//!
//! The values live here; [`parse`] reads them from the page's cells and `[[override]]` tables
//! (which [`crate::markdown`] and [`crate::schedule`] hand it), `apply` works out the effective
//! team from them, and [`lint`] checks them against the program's rules. The schedule's parsers
//! use `parse` and these values only: the schedule depends on neither the applying nor the lint.

mod apply;
pub mod lint;
pub mod parse;

pub use lint::lint_overrides;
pub use parse::{covering_cell, for_cell, local_datetime, override_columns, override_from_cells, parse_when, toml_override, OverrideEntry};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// When an override applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Whole days, like a rotation: from `start` at the hand-off time to the day after `end` at
    /// the hand-off time.
    Days { start: NaiveDate, end: NaiveDate },
    /// Two wall-clock instants in the schedule's zone; the end is exclusive.
    Local { start: NaiveDateTime, end: NaiveDateTime },
}

impl When {
    /// As written: "2026-11-27 to 2026-11-29" or "2026-11-27 09:00 to 2026-11-28 18:00".
    pub fn text(&self) -> String {
        match self {
            When::Days { start, end } => format!("{start} to {end}"),
            When::Local { start, end } => format!("{} to {}", start.format("%Y-%m-%d %H:%M"), end.format("%Y-%m-%d %H:%M")),
        }
    }
}

/// One override as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub when: When,
    /// Who is on instead (or in addition); `None` takes `covered` off.
    pub covering: Option<String>,
    /// Who is replaced (or taken off); `None` adds `covering`.
    pub covered: Option<String>,
    /// Where the override is written, for findings.
    pub line: Option<u32>,
}

/// One engineer of the effective team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub handle: String,
    /// The engineer this one covers for, if any.
    pub covering_for: Option<String>,
}

/// A span during which the effective team does not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stretch {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The rotation's first day, when a rotation is on.
    pub rotation: Option<NaiveDate>,
    pub team: Vec<Member>,
    /// Open seats of the rotation on.
    pub open_seats: usize,
}

/// One stretch a person is on: their own seat or covering, with whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnStretch {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The first day of the rotation it falls in, if any (an added engineer may be on outside).
    pub rotation: Option<NaiveDate>,
    /// Whom they cover for, if they are covering.
    pub covering_for: Option<String>,
    /// The others on at the stretch's start.
    pub with: Vec<String>,
}

/// Whether two handles name one engineer (case and a leading `@` ignored).
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.trim_start_matches('@').eq_ignore_ascii_case(b.trim_start_matches('@'))
}
