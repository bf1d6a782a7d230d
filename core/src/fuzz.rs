//! The fuzz targets' bodies: one plain function per target, called by `fuzz/fuzz_targets/*` under
//! cargo-fuzz (nightly) and by `tests/fuzz_corpus.rs`, which replays every corpus file and every
//! crash ever found on stable. Each takes arbitrary bytes, runs a parser (and what runs on its
//! output) and checks what must hold for any input; a panic is a finding.
//!
//! Not an API: nothing in Rota calls these.

use crate::config::{parse_config, web_url};
use crate::schedule::{MAX_SEATS, YEARS};
use crate::{coverage, glance, lint, parse_roster, parse_schedule, Finding, Parsed, Rules, Schedule, ScheduleFormat, Timing};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

/// A target's body: arbitrary bytes in, a panic when something that must hold does not.
pub type Body = fn(&[u8]);

/// Every target, by the name of its folder under `fuzz/corpus/` and `fuzz/regressions/`.
pub const TARGETS: [(&str, Body); 6] = [
    ("markdown", markdown),
    ("toml_schedule", toml_schedule),
    ("roster", roster),
    ("config", config),
    ("shortcut", shortcut),
    ("schedule_and_roster", schedule_and_roster),
];

fn text(data: &[u8]) -> &str {
    // Files are read as UTF-8; anything else never reaches a parser.
    std::str::from_utf8(data).unwrap_or("")
}

/// Findings are located in the text they are about.
fn located<T>(parsed: &Parsed<T>, file: &str, text: &str) {
    let lines = text.split('\n').count() as u32;
    for f in &parsed.findings {
        assert_eq!(f.file, file, "{f}");
        assert!(f.line.is_none_or(|l| (1..=lines).contains(&l)), "line out of the file: {f}");
        assert!(!f.message.trim().is_empty(), "a finding says nothing: {f:?}");
    }
}

/// Every parsed schedule keeps to the limits: years 1000-9999, at most 100 seats.
fn sane(schedule: &Schedule) {
    for r in &schedule.rotations {
        assert!(YEARS.contains(&r.start.year()) && YEARS.contains(&r.end.year()), "{r:?}");
        assert!(r.seats.len() <= MAX_SEATS, "{} seats", r.seats.len());
    }
}

/// The handbook page (Markdown).
pub fn markdown(data: &[u8]) {
    let t = text(data);
    let parsed = parse_schedule(ScheduleFormat::Markdown, "page.md", t);
    located(&parsed, "page.md", t);
    sane(&parsed.value);
}

/// A `[[rotation]]` TOML schedule.
pub fn toml_schedule(data: &[u8]) {
    let t = text(data);
    let parsed = parse_schedule(ScheduleFormat::Toml, "rota.toml", t);
    located(&parsed, "rota.toml", t);
    sane(&parsed.value);
}

/// A roster (`people.toml`).
pub fn roster(data: &[u8]) {
    let t = text(data);
    let parsed = parse_roster("people.toml", t);
    located(&parsed, "people.toml", t);
}

/// A config file: what it accepts keeps to the rules.
pub fn config(data: &[u8]) {
    let t = text(data);
    let parsed = parse_config("config.toml", t);
    located(&parsed, "config.toml", t);
    let c = &parsed.value;
    assert!(web_url(&c.escalations.github.api).is_ok(), "accepted API URL {:?}", c.escalations.github.api);
    assert!(crate::config::POLL_SECONDS.contains(&c.escalations.poll_seconds));
    assert!((1..=MAX_SEATS).contains(&c.schedule.team_size));
    for s in [Some(&c.schedule.source), c.roster.source.as_ref()].into_iter().flatten() {
        assert!(crate::config::source(s).is_ok(), "accepted source {s:?}");
    }
}

/// A shortcut: what parses writes itself back the canonical way, which parses to the same.
pub fn shortcut(data: &[u8]) {
    if let Ok(s) = text(data).parse::<crate::shortcut::Shortcut>() {
        let again: crate::shortcut::Shortcut = s.to_string().parse().expect("the canonical spelling parses");
        assert_eq!(again, s);
    }
}

const ZONES: [Tz; 8] = [
    Tz::UTC,
    Tz::Europe__Berlin,
    Tz::America__New_York,
    Tz::Asia__Kathmandu,
    Tz::Pacific__Chatham,
    Tz::Pacific__Kiritimati,
    Tz::Australia__Lord_Howe,
    Tz::Etc__GMTPlus12,
];

/// Glance, coverage and lint over any schedule and roster that parse, at an instant in the years
/// a schedule may name. The input is a header line (`FORMAT ZONE VIEWER HANDOFF INSTANT`, each a
/// number, wrapped into range), the schedule, a line `%%`, and the roster.
pub fn schedule_and_roster(data: &[u8]) {
    let t = text(data);
    let (header, rest) = t.split_once('\n').unwrap_or((t, ""));
    let (schedule_text, roster_text) = rest.split_once("\n%%\n").unwrap_or((rest, ""));
    let mut n = header.split_whitespace().map(|w| w.parse::<i64>().unwrap_or(0).unsigned_abs());
    let mut next = || n.next().unwrap_or(0);
    let format = if next() % 2 == 0 { ScheduleFormat::Markdown } else { ScheduleFormat::Toml };
    let zone = ZONES[(next() % ZONES.len() as u64) as usize];
    let viewer = ZONES[(next() % ZONES.len() as u64) as usize];
    let handoff = (next() % 1440) as u16;
    let first = NaiveDate::from_ymd_opt(*YEARS.start(), 1, 1).unwrap_or_default().and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let last = NaiveDate::from_ymd_opt(*YEARS.end(), 12, 31).unwrap_or_default().and_hms_opt(23, 59, 59).unwrap_or_default().and_utc();
    let span = (last - first).num_seconds() as u64;
    let at: DateTime<Utc> = first + chrono::Duration::seconds((next() % span) as i64);

    let schedule = parse_schedule(format, "rota", schedule_text).value;
    let roster = parse_roster("people.toml", roster_text).value;
    sane(&schedule);
    let timing = Timing { timezone: zone, handoff };
    let g = glance(&schedule, &roster, &timing, viewer, roster.people.first().map(|p| p.handle.as_str()), at);
    assert!(g.on_duty.len() <= MAX_SEATS);
    if let Some(h) = g.next_handoff {
        assert!(h > at, "the next hand-off {h} is not after {at}");
    }
    let c = coverage(&schedule, &roster, &timing, viewer, at);
    assert!(c.start <= at && at < c.end, "the week {}..{} does not hold {at}", c.start, c.end);
    let findings: Vec<Finding> = lint(&schedule, &roster, &Rules { timing, team_size: 3 });
    assert!(findings.iter().all(|f| f.file == "rota"));
    // Covering (issue 14): each person's stretches are ordered and non-empty, and the calendar
    // holds one event per rotation, every line within 75 octets.
    for who in schedule.people().iter().take(3) {
        let mine = schedule.stretches_of(&timing, who);
        assert!(mine.iter().all(|s| s.start < s.end), "an empty stretch for {who}");
        assert!(mine.windows(2).all(|w| w[0].end <= w[1].start), "stretches for {who} overlap");
        let events = crate::ical::events(&schedule, &timing, crate::ical::Whose::Person(who), None, None);
        assert_eq!(events.len(), mine.len());
    }
    let events = crate::ical::events(&schedule, &timing, crate::ical::Whose::Rotations, None, None);
    assert_eq!(events.len(), schedule.rotations.len());
    let cal = crate::ical::calendar(&events, "rota", at);
    assert!(cal.split("\r\n").all(|l| l.len() <= 75));
}
