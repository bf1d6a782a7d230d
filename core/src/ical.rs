//! The schedule as an iCalendar file (RFC 5545): one event per rotation, or per stretch one
//! person is on (covering included, the spans somebody covers for them left out).
//!
//! Instants are exact, in UTC (`DTSTART:20261005T070000Z`), so no VTIMEZONE is needed and a
//! hand-off on a DST change day lands where the schedule says. UIDs come from the rotation's first
//! day or the person and the stretch's start, never from a counter or the clock, so a re-import
//! updates events instead of duplicating them. Events are `TRANSP:TRANSPARENT`: a multi-week
//! rotation does not make the calendar busy. `DTSTAMP` is the `now` handed in.
//!
//! Names come from outside: an event's summary and each line of its description are made
//! printable ([`crate::printable`]) as they are put together, and [`escape`] replaces any control
//! character left, so the text holds none but the line ends RFC 5545 writes.
//!
//! It is not the place that writes the file: it returns the text.

use crate::overrides::Override;
use crate::printable::printable;
use crate::schedule::{Schedule, Timing};
use crate::words;
use chrono::{DateTime, Utc};

/// One calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub uid: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: String,
    pub description: String,
}

/// Whose events: the whole rotation, or one person's stretches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose<'a> {
    Rotations,
    Person(&'a str),
}

fn uid_part(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' { c.to_ascii_lowercase() } else { '_' }).collect()
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn override_line(o: &Override) -> String {
    let when = o.when.text();
    match (&o.covering, &o.covered) {
        (Some(c), Some(f)) => format!("{c} covering for {f}, {when}"),
        (Some(c), None) => format!("{c} added, {when}"),
        (None, Some(f)) => format!("{f} off, {when}"),
        (None, None) => String::new(),
    }
}

/// The events, in order, that overlap `[from, to)` (either end open).
pub fn events(schedule: &Schedule, timing: &Timing, whose: Whose, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Vec<Event> {
    let all = match whose {
        Whose::Rotations => {
            let spans: Vec<_> = schedule.overrides.iter().map(|o| (o, o.when.span(timing))).collect();
            schedule
                .rotations
                .iter()
                .map(|r| {
                    let (start, end) = (timing.starts_at(r.start), timing.ends_at(r.end));
                    let covering: Vec<String> = spans
                        .iter()
                        .filter(|(_, (s, e))| *s < end && start < *e)
                        .map(|(o, _)| printable(&override_line(o)).into_owned())
                        .collect();
                    let team = printable(&words::seats(&r.engineers().collect::<Vec<_>>(), r.open_seats())).into_owned();
                    let mut description = format!("Rotation {} to {}: {team}", r.start, r.end);
                    if !covering.is_empty() {
                        description.push_str("\nCovering:\n");
                        description.push_str(&covering.join("\n"));
                    }
                    Event { uid: format!("rotation-{}@rota", r.start), start, end, summary: format!("Rotation: {team}"), description }
                })
                .collect::<Vec<_>>()
        }
        Whose::Person(handle) => schedule
            .stretches_of(timing, handle)
            .into_iter()
            .map(|s| {
                let with = if s.with.is_empty() { "nobody else".to_owned() } else { s.with.join(", ") };
                let summary = match &s.covering_for {
                    Some(f) => format!("{handle} covering for {f} (with {with})"),
                    None => format!("{handle} on rotation (with {with})"),
                };
                let description = match s.rotation {
                    Some(day) => format!("Rotation starting {day}. On with {with} at the start."),
                    None => format!("Outside any rotation. On with {with} at the start."),
                };
                Event {
                    uid: format!("{}-{}@rota", uid_part(handle), stamp(s.start)),
                    start: s.start,
                    end: s.end,
                    summary: printable(&summary).into_owned(),
                    description: printable(&description).into_owned(),
                }
            })
            .collect(),
    };
    all.into_iter().filter(|e| from.is_none_or(|f| e.end > f) && to.is_none_or(|t| e.start < t)).collect()
}

/// Escapes a TEXT value: backslash, semicolon, comma and line breaks (`\n`); every other control
/// character is replaced as [`printable`] replaces it (RFC 5545 allows none in TEXT).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("\\n");
        }
        for c in printable(line).chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                ';' => out.push_str("\\;"),
                ',' => out.push_str("\\,"),
                c => out.push(c),
            }
        }
    }
    out
}

/// Appends one content line, folded so no line is longer than 75 octets (a fold is CRLF and a
/// space, never inside a UTF-8 character), ending in CRLF.
pub fn fold_into(out: &mut String, line: &str) {
    let mut len = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if len + n > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(c);
        len += n;
    }
    out.push_str("\r\n");
}

/// The calendar: `events` as RFC 5545 text, stamped `now`, named `name`.
pub fn calendar(events: &[Event], name: &str, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rota//Rota rotation//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"] {
        fold_into(&mut out, line);
    }
    fold_into(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    for e in events {
        fold_into(&mut out, "BEGIN:VEVENT");
        fold_into(&mut out, &format!("UID:{}", e.uid));
        fold_into(&mut out, &format!("DTSTAMP:{}", stamp(now)));
        fold_into(&mut out, &format!("DTSTART:{}", stamp(e.start)));
        fold_into(&mut out, &format!("DTEND:{}", stamp(e.end)));
        fold_into(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        fold_into(&mut out, &format!("DESCRIPTION:{}", escape(&e.description)));
        fold_into(&mut out, "TRANSP:TRANSPARENT");
        fold_into(&mut out, "END:VEVENT");
    }
    fold_into(&mut out, "END:VCALENDAR");
    out
}

/// The whole export, as `rota export ical` and the dashboard's "Add to calendar…" write it: the
/// events of `whose` that overlap the days `from` to `to` (inclusive, in the schedule's zone; either
/// open), in a calendar named after the person or the schedule, stamped `now`.
pub fn export(
    schedule: &Schedule,
    timing: &Timing,
    whose: Whose,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    now: DateTime<Utc>,
) -> String {
    let tz = timing.timezone;
    let from = from.map(|d| crate::roster::local_instant(tz, d, 0));
    let to = to.map(|d| crate::roster::local_instant(tz, d.succ_opt().unwrap_or(d), 0));
    let events = events(schedule, timing, whose, from, to);
    let name = match whose {
        Whose::Person(h) => format!("Rota: {h}"),
        Whose::Rotations => format!("Rota: {}", words::file_name(&schedule.source)),
    };
    calendar(&events, &name, now)
}

/// The file a calendar is saved as by default: "rota.ics", or "rota-kenji.ics" for one
/// person's shifts.
pub fn file_name(whose: Whose) -> String {
    match whose {
        Whose::Rotations => "rota.ics".to_owned(),
        Whose::Person(h) => format!("rota-{}.ics", uid_part(h)),
    }
}

/// A `--person` nobody in the schedule or the roster has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPerson {
    pub handle: String,
    /// The known handles nearest to it, nearest first (at most three).
    pub closest: Vec<String>,
}

impl std::fmt::Display for UnknownPerson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} is not in the schedule or the roster", self.handle)?;
        match self.closest.as_slice() {
            [] => write!(f, "; the schedule names nobody yet"),
            [one] => write!(f, "; did you mean {one}?"),
            [first @ .., last] => write!(f, "; did you mean {} or {last}?", first.join(", ")),
        }
    }
}

/// The handle `wanted` names (case and a leading `@` ignored, or a roster name), as the schedule
/// or roster spells it.
pub fn find_person(schedule: &Schedule, roster: &crate::Roster, wanted: &str) -> Result<String, UnknownPerson> {
    let w = wanted.trim().trim_start_matches('@');
    let mut known: Vec<(String, String)> = schedule.people().into_iter().map(|h| (h.clone(), h)).collect();
    for p in &roster.people {
        if let Some(k) = known.iter_mut().find(|(h, _)| h.eq_ignore_ascii_case(&p.handle)) {
            k.1 = p.name.clone();
        } else {
            known.push((p.handle.clone(), p.name.clone()));
        }
    }
    if let Some((h, _)) = known.iter().find(|(h, n)| !w.is_empty() && (h.eq_ignore_ascii_case(w) || n.eq_ignore_ascii_case(w))) {
        return Ok(h.clone());
    }
    let lower = w.to_lowercase();
    let mut scored: Vec<(usize, usize, &str)> = known
        .iter()
        .enumerate()
        .map(|(i, (h, n))| {
            let d =
                crate::spelling::edit_distance(&lower, &h.to_lowercase()).min(crate::spelling::edit_distance(&lower, &n.to_lowercase()));
            (d, i, h.as_str())
        })
        .collect();
    scored.sort();
    Err(UnknownPerson { handle: w.to_owned(), closest: scored.into_iter().take(3).map(|(_, _, h)| h.to_owned()).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "é".repeat(60));
        fold_into(&mut out, &long);
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }

    #[test]
    fn escapes_text() {
        assert_eq!(escape("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }

    /// RFC 5545 allows no control character in TEXT; a name from outside keeps none.
    #[test]
    fn text_values_hold_no_control_characters() {
        assert_eq!(escape("Eve\x1b]0;pwned\x07\r\n\u{9b}2J\u{7f}\u{202e}x\ty"), "Eve�]0\\;pwned��\\n�2J��x y");
        let roster = "[[rotation]]\nstart = 2026-10-05\nend = 2026-11-01\nengineers = [\"ann\", \"Eve\\u001b[2J\\r\\nDTEND:1\\u0085x\"]\n";
        let schedule = crate::parse_toml_schedule("rota.toml", roster).value;
        let timing = Timing::default();
        let now = chrono::DateTime::parse_from_rfc3339("2026-10-01T00:00:00Z").unwrap().with_timezone(&Utc);
        for whose in [Whose::Rotations, Whose::Person("ann"), Whose::Person("Eve\x1b[2J\r\nDTEND:1\u{85}x")] {
            let ics = export(&schedule, &timing, whose, None, None, now);
            assert!(ics.replace("\r\n ", "").contains("Eve�[2J��DTEND:1�x"), "{ics}");
            for line in ics.split_terminator("\r\n") {
                assert!(!line.chars().any(crate::printable::is_unsafe), "{line:?}");
                assert!(!line.starts_with("DTEND:1"), "a forged property: {ics}");
            }
        }
    }
}
