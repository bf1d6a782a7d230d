//! The fuzz targets' bodies: one plain function per target, called by `fuzz/fuzz_targets/*` under
//! cargo-fuzz (nightly) and by `tests/it/fuzz_corpus.rs`, which replays every corpus file and every
//! crash ever found on stable. Each takes arbitrary bytes, runs a parser (and what runs on its
//! output) and checks what must hold for any input; a panic is a finding.
//!
//! Not an API: nothing in Rota calls these.

use crate::config::{parse_config, web_url};
use crate::printable::{is_unsafe, printable, printable_coloured, printable_lines};
use crate::schedule::{MAX_SEATS, YEARS};
use crate::{coverage, glance, lint, parse_roster, parse_schedule, Finding, Parsed, Rules, Schedule, ScheduleFormat, Timing};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

/// A target's body: arbitrary bytes in, a panic when something that must hold does not.
pub type Body = fn(&[u8]);

/// Every target, by the name of its folder under `fuzz/corpus/` and `fuzz/regressions/`.
pub const TARGETS: [(&str, Body); 7] = [
    ("markdown", markdown),
    ("toml_schedule", toml_schedule),
    ("roster", roster),
    ("config", config),
    ("shortcut", shortcut),
    ("schedule_and_roster", schedule_and_roster),
    ("terminal_text", terminal_text),
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
    let findings: Vec<Finding> = lint(&schedule, &roster, &Rules { timing, team_size: 3, viewer: chrono_tz::UTC });
    assert!(findings.iter().all(|f| f.file == "rota"));
    // Covering: each person's stretches are ordered and non-empty, and the calendar
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
    // The names in it (TOML may escape any character into them) are made printable.
    assert!(cal.split("\r\n").all(|l| !l.chars().any(is_unsafe)), "a control character in the calendar: {cal:?}");
    for e in &events {
        assert!(!e.summary.chars().any(is_unsafe), "{:?}", e.summary);
        assert!(e.description.split('\n').all(|l| !l.chars().any(is_unsafe)), "{:?}", e.description);
    }
}

/// Panics unless `text` holds nothing a terminal or a calendar obeys.
fn shows_safely(what: &str, text: &str) {
    assert!(!text.chars().any(is_unsafe), "{what} lets a control character through: {text:?}");
}

/// Text for people: any text, made printable, holds no character a terminal obeys, keeps
/// its length in characters, and a second pass leaves it alone; laid out in lines it keeps only its
/// line breaks, coloured only whole SGR codes. The phrases built from outside text add none, and
/// the calendar holds nothing but its own line ends, however its names and title are made.
pub fn terminal_text(data: &[u8]) {
    let t = String::from_utf8_lossy(data);
    let one = printable(&t);
    shows_safely("printable", &one);
    assert_eq!(one.chars().count(), t.chars().count(), "printable changed the length of {t:?}");
    assert!(matches!(printable(&one), std::borrow::Cow::Borrowed(_)), "a second pass changed {one:?}");
    assert_eq!(matches!(one, std::borrow::Cow::Borrowed(_)), !t.chars().any(is_unsafe));

    let lines = printable_lines(&t);
    assert_eq!(lines.matches('\n').count(), t.matches('\n').count(), "line breaks lost or made: {t:?}");
    lines.split('\n').for_each(|l| shows_safely("printable_lines", l));

    // Every escape left starts a whole colour code; without them the text is printable lines.
    let coloured = printable_coloured(&t);
    let mut plain = String::new();
    let mut rest: &str = &coloured;
    while let Some(i) = rest.find('\x1b') {
        plain.push_str(&rest[..i]);
        let code = rest[i..].strip_prefix("\x1b[").expect("an escape that is no colour code");
        let params = code.bytes().take_while(|b| b.is_ascii_digit() || *b == b';').count();
        assert_eq!(code.as_bytes().get(params), Some(&b'm'), "an escape that is no colour code: {coloured:?}");
        rest = &code[params + 1..];
    }
    plain.push_str(rest);
    plain.split('\n').for_each(|l| shows_safely("printable_coloured", l));

    // The phrases that take a value from outside add nothing to it a terminal obeys.
    for max in [1, 8, crate::words::LINE_CAP] {
        shows_safely("shorten", &crate::words::shorten(&one, max));
        shows_safely("seats_within", &crate::words::seats_within(&[&one, "ann"], max % 3, max));
    }
    shows_safely("seats", &crate::words::seats(&[&one], 1));
    shows_safely("problem_line", &crate::words::problem_line(&crate::finding::Problem::in_file(one.clone(), one.clone())));
    shows_safely("file_name", crate::words::file_name(&one));
    shows_safely("filed", &crate::words::filed(&one, Some(&one), data.len().is_multiple_of(2)));

    // The calendar: any summary, description and name; TEXT escaped, folded, nothing forged.
    shows_safely("ical::escape", &crate::ical::escape(&t));
    let at = DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default();
    let event = crate::ical::Event {
        uid: "x@rota".into(),
        start: at,
        end: at + chrono::Duration::hours(1),
        summary: t.to_string(),
        description: t.to_string(),
    };
    let cal = crate::ical::calendar(&[event], &t, at);
    assert!(cal.ends_with("\r\n"));
    for line in cal.split_terminator("\r\n") {
        assert!(line.len() <= 75, "{line:?}");
        shows_safely("the calendar", line);
    }
    // The header's 6 lines, the event's 9 and the end: no value made a line of its own.
    assert_eq!(cal.replace("\r\n ", "").split_terminator("\r\n").count(), 16, "{cal:?}");
}
