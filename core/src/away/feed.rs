//! An iCalendar feed of time off (RFC 5545), read into [`Away`] periods.
//!
//! Each `VEVENT` belongs to the roster person it names: an `ATTENDEE` or `ORGANIZER` whose
//! `mailto:` is their `email` or whose `CN` is their name or handle, else a `SUMMARY` that names
//! them ("Ann — holiday"). Events that name nobody in the roster are someone else's and are left
//! out. An all-day event (`VALUE=DATE`) is whole days in that person's zone; a floating time is
//! their wall clock; a UTC time or a `TZID` one is that instant. The `SUMMARY` is the why.

use super::{Away, AwayWhen};
use crate::finding::{Finding, Parsed, Rule};
use crate::roster::{Person, Roster};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// One property line, unfolded: name, parameters, value.
struct Prop {
    name: String,
    params: Vec<(String, String)>,
    value: String,
    line: u32,
}

impl Prop {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The content lines, unfolded (a line starting with a space or tab continues the one before),
/// each with the line it starts on.
fn props(text: &str) -> Vec<Prop> {
    let mut lines: Vec<(u32, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some((_, last))) => last.push_str(rest),
            _ => lines.push((i as u32 + 1, raw.to_owned())),
        }
    }
    lines.into_iter().filter_map(|(line, l)| prop(&l, line)).collect()
}

fn prop(l: &str, line: u32) -> Option<Prop> {
    // The value starts at the first colon outside a quoted parameter value.
    let mut quoted = false;
    let colon = l.char_indices().find(|&(_, c)| {
        if c == '"' {
            quoted = !quoted;
        }
        c == ':' && !quoted
    })?;
    let (head, value) = (&l[..colon.0], &l[colon.0 + 1..]);
    let mut parts = head.split(';');
    let name = parts.next()?.trim().to_ascii_uppercase();
    let params =
        parts.filter_map(|p| p.split_once('=')).map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('"').to_owned())).collect();
    Some(Prop { name, params, value: unescape(value), line })
}

fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n' | 'N') => out.push(' '),
                Some(o) => out.push(o),
                None => {}
            },
            (c, false) => out.push(c),
        }
    }
    out
}

/// A `DTSTART`/`DTEND` value.
#[derive(Clone, Copy)]
enum Stamp {
    Day(NaiveDate),
    Floating(NaiveDateTime),
    At(DateTime<Utc>),
}

fn stamp(p: &Prop) -> Option<Stamp> {
    let v = p.value.trim();
    if p.param("VALUE").is_some_and(|x| x.eq_ignore_ascii_case("DATE")) || v.len() == 8 {
        return NaiveDate::parse_from_str(v, "%Y%m%d").ok().map(Stamp::Day);
    }
    if let Some(utc) = v.strip_suffix('Z') {
        return NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok().map(|t| Stamp::At(t.and_utc()));
    }
    let t = NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok()?;
    match p.param("TZID").and_then(|z| z.parse::<Tz>().ok()) {
        Some(tz) => tz.from_local_datetime(&t).earliest().map(|x| Stamp::At(x.with_timezone(&Utc))),
        None => Some(Stamp::Floating(t)),
    }
}

/// Whom an event names: an attendee's or organizer's email or name, else the summary's words.
fn owner<'a>(event: &[Prop], roster: &'a Roster) -> Option<&'a Person> {
    let by_email = |mail: &str| roster.people.iter().find(|p| p.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(mail)));
    for p in event.iter().filter(|p| p.name == "ATTENDEE" || p.name == "ORGANIZER") {
        let mail = p.value.trim();
        let mail = mail.get(..7).filter(|m| m.eq_ignore_ascii_case("mailto:")).map_or(mail, |_| &mail[7..]);
        if let Some(person) = by_email(mail) {
            return Some(person);
        }
        if let Some(person) = p.param("CN").and_then(|cn| roster.find(cn)) {
            return Some(person);
        }
    }
    let summary = event.iter().find(|p| p.name == "SUMMARY")?.value.to_lowercase();
    let words: Vec<&str> = summary.split(|c: char| !(c.is_alphanumeric() || "-_.@".contains(c))).filter(|w| !w.is_empty()).collect();
    roster.people.iter().find(|p| {
        let handle = p.handle.to_lowercase();
        let name = p.name.to_lowercase();
        words.iter().any(|w| w.trim_start_matches('@') == handle)
            || (!name.is_empty() && summary.contains(&name))
            || p.email.as_deref().is_some_and(|e| summary.contains(&e.to_lowercase()))
    })
}

/// Reads a feed of time off named `file` into away periods for the people of `roster`. An event
/// whose dates cannot be read is an error at its `BEGIN:VEVENT` line; one naming nobody in the
/// roster is left out.
pub fn parse_feed(file: &str, text: &str, roster: &Roster) -> Parsed<Vec<Away>> {
    let mut out = Vec::new();
    let mut findings = Vec::new();
    if !text.trim_start().to_ascii_uppercase().starts_with("BEGIN:VCALENDAR") {
        findings.push(Finding::new(
            Rule::Syntax,
            file,
            Some(1),
            "is not an iCalendar file (it does not start with BEGIN:VCALENDAR); point roster.away at a calendar's .ics feed",
        ));
        return Parsed { value: out, findings };
    }
    let mut event: Option<(u32, Vec<Prop>)> = None;
    for p in props(text) {
        match (p.name.as_str(), p.value.trim().to_ascii_uppercase().as_str()) {
            ("BEGIN", "VEVENT") => event = Some((p.line, Vec::new())),
            ("END", "VEVENT") => {
                if let Some((line, props)) = event.take() {
                    match away_of(&props, roster, file, line) {
                        Ok(Some(a)) => out.push(a),
                        Ok(None) => {}
                        Err(f) => findings.push(f),
                    }
                }
            }
            _ => {
                if let Some((_, props)) = event.as_mut() {
                    props.push(p);
                }
            }
        }
    }
    Parsed { value: out, findings }
}

fn away_of(event: &[Prop], roster: &Roster, file: &str, line: u32) -> Result<Option<Away>, Finding> {
    if event.iter().any(|p| p.name == "STATUS" && p.value.trim().eq_ignore_ascii_case("CANCELLED")) {
        return Ok(None);
    }
    let Some(person) = owner(event, roster) else { return Ok(None) };
    let get = |name: &str| event.iter().find(|p| p.name == name);
    let bad = |what: &str| {
        Finding::new(Rule::Syntax, file, Some(line), format!("the event's {what} is not an iCalendar date or time; fix the event"))
    };
    let start = get("DTSTART").ok_or_else(|| bad("DTSTART (missing)"))?;
    let start = stamp(start).ok_or_else(|| bad("DTSTART"))?;
    let end = match get("DTEND") {
        Some(e) => Some(stamp(e).ok_or_else(|| bad("DTEND"))?),
        None => None,
    };
    let zone = person.timezone.unwrap_or(Tz::UTC);
    let instant = |s: Stamp| match s {
        Stamp::Day(d) => crate::roster::local_instant(zone, d, 0),
        Stamp::Floating(t) => super::wall_clock(zone, t),
        Stamp::At(t) => t,
    };
    let when = match (start, end) {
        // DTEND of an all-day event is the day after the last (exclusive).
        (Stamp::Day(s), Some(Stamp::Day(e))) => AwayWhen::Days { start: s, end: e.pred_opt().unwrap_or(e).max(s) },
        (Stamp::Day(s), None) => AwayWhen::Days { start: s, end: s },
        (Stamp::Floating(s), Some(Stamp::Floating(e))) => AwayWhen::Local { start: s, end: e },
        (s, Some(e)) => AwayWhen::At { start: instant(s), end: instant(e) },
        (s, None) => AwayWhen::At { start: instant(s), end: instant(s) },
    };
    let why = get("SUMMARY").map(|p| crate::printable(p.value.trim()).into_owned()).unwrap_or_default();
    Ok(Some(Away { who: person.handle.clone(), when, why, file: Some(file.to_owned()), line: Some(line) }))
}
