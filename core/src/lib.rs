//! `rota-core`: Rota's domain, pure and deterministic.
//!
//! It reads schedules, rosters and config from text, and answers questions about an instant: who
//! is on duty ([`duty::glance`]), the week's coverage ([`coverage::coverage`]) and what breaks the
//! program's rules ([`lint::lint`]).
//!
//! It is not the place for IO: it never reads a file, the network, the clock or the system's
//! timezone. File contents, `now` and the viewer's zone are arguments, so every answer can be
//! tested at any instant in any zone.

pub mod assign;
pub mod at;
pub mod away;
pub mod backoff;
pub mod config;
pub mod coverage;
pub mod dates;
pub mod demo;
pub mod duty;
pub mod escalation;
pub mod finding;
pub mod follow;
#[doc(hidden)]
pub mod fuzz;
pub mod handoff;
pub mod handover;
pub mod history;
pub mod ical;
pub mod lifecycle;
pub mod lint;
pub mod markdown;
pub mod notice;
pub mod outbox;
pub mod overrides;
pub mod plan;
pub mod poll;
pub mod printable;
pub mod redact;
pub mod remind;
pub mod reported;
pub mod roster;
pub mod schedule;
pub mod sending;
pub mod shortcut;
pub mod slack;
pub mod spans;
pub mod spelling;
pub mod stats;
pub mod tray;
pub mod wake;
pub mod words;

pub use config::{parse_config, Config, ViewerZone};
pub use coverage::{coverage, Coverage};
pub use duty::{glance, Glance, OnDuty, Status};
pub use finding::{Finding, Parsed, Place, Problem, Rule, Severity};
pub use lint::{lint, Rules};
pub use markdown::parse_handbook;
pub use printable::printable;
pub use roster::{parse_roster, Person, Roster};
pub use schedule::{parse_toml_schedule, Rotation, Schedule, Seat, Timing};

/// How a schedule file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleFormat {
    /// A handbook page with a Markdown table.
    Markdown,
    /// A `[[rotation]]` TOML file.
    Toml,
}

impl ScheduleFormat {
    /// Guesses the format from a file name or URL: `.toml` is TOML, anything else Markdown.
    pub fn from_name(name: &str) -> Self {
        let path = name.split(['?', '#']).next().unwrap_or(name);
        if path.to_ascii_lowercase().ends_with(".toml") {
            ScheduleFormat::Toml
        } else {
            ScheduleFormat::Markdown
        }
    }
}

/// Parses a schedule in the given format.
pub fn parse_schedule(format: ScheduleFormat, file: &str, text: &str) -> Parsed<Schedule> {
    match format {
        ScheduleFormat::Markdown => parse_handbook(file, text),
        ScheduleFormat::Toml => parse_toml_schedule(file, text),
    }
}
