//! The roster: who the engineers are, where they live (IANA zone) and when they work.
//!
//! Working hours are wall-clock times in the person's own zone, so they follow that zone's DST.
//! A shift that crosses midnight (`20:00-04:00`) belongs to the day on which it starts.

use crate::finding::{toml_finding, Finding, Lines, Parsed, Rule};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;
use std::fmt;
use std::str::FromStr;

/// Daily working hours, as minutes after local midnight. `end <= start` means the shift ends
/// the next day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub start: u16,
    pub end: u16,
}

impl Hours {
    pub const NINE_TO_FIVE: Hours = Hours { start: 9 * 60, end: 17 * 60 };

    pub fn crosses_midnight(self) -> bool {
        self.end <= self.start
    }

    /// Length of one shift in minutes.
    pub fn minutes(self) -> u32 {
        if self.crosses_midnight() {
            (1440 - self.start as u32) + self.end as u32
        } else {
            (self.end - self.start) as u32
        }
    }
}

impl FromStr for Hours {
    type Err = String;

    /// `HH:MM-HH:MM` (an en dash or ` to ` also works); `24:00` is allowed as an end.
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (a, b) = s
            .split_once(" to ")
            .or_else(|| s.split_once('–'))
            .or_else(|| s.split_once('-'))
            .ok_or_else(|| format!("hours \"{s}\" are not HH:MM-HH:MM, like \"09:00-17:00\""))?;
        let start = clock_minutes(a.trim(), false)
            .ok_or_else(|| format!("hours \"{s}\" have a bad start time \"{}\"; write HH:MM, like 09:00", a.trim()))?;
        let end = clock_minutes(b.trim(), true)
            .ok_or_else(|| format!("hours \"{s}\" have a bad end time \"{}\"; write HH:MM, like 17:00", b.trim()))?;
        let end = if end == 1440 { 0 } else { end };
        if start == end && start != 0 {
            return Err(format!("hours \"{s}\" start and end at the same time; for a full day write 00:00-24:00"));
        }
        Ok(Hours { start, end })
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = if self.end == 0 && self.start == 0 { 1440 } else { self.end };
        write!(f, "{:02}:{:02}-{:02}:{:02}", self.start / 60, self.start % 60, end / 60, end % 60)
    }
}

/// Parses `HH:MM` (or `H:MM`) into minutes after midnight; `24:00` only when `allow_24`.
pub fn clock_minutes(s: &str, allow_24: bool) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) if allow_24 => Some(1440),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

/// A set of weekdays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days(u8);

impl Days {
    pub const WEEKDAYS: Days = Days(0b0011111);
    pub const ALL: Days = Days(0b1111111);
    pub const NONE: Days = Days(0);

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn with(self, day: Weekday) -> Days {
        Days(self.0 | 1 << day.num_days_from_monday())
    }
}

fn weekday(s: &str) -> Option<Weekday> {
    let s = s.trim().to_ascii_lowercase();
    let all = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
    let names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    if s.len() < 2 {
        return None;
    }
    names.iter().position(|n| n.starts_with(&s) && s.len() >= 3.min(n.len())).map(|i| all[i])
}

impl FromStr for Days {
    type Err = String;

    /// A range (`Mon-Fri`, `Sun-Thu`, wrapping past Sunday), a list (`Mon,Wed,Fri`), or both
    /// (`Mon-Wed,Fri`); `daily` / `every day` for all seven.
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if matches!(t.to_ascii_lowercase().as_str(), "daily" | "every day" | "all") {
            return Ok(Days::ALL);
        }
        let mut days = Days(0);
        for part in t.split(',').map(str::trim) {
            let bad = || format!("days \"{t}\" are not a range or list of day names, like \"Mon-Fri\" or \"Mon,Wed,Fri\"");
            if let Some((a, b)) = part.split_once('-').or_else(|| part.split_once('–')) {
                let (mut d, last) = (weekday(a).ok_or_else(bad)?, weekday(b).ok_or_else(bad)?);
                loop {
                    days = days.with(d);
                    if d == last {
                        break;
                    }
                    d = d.succ();
                }
            } else {
                days = days.with(weekday(part).ok_or_else(bad)?);
            }
        }
        Ok(days)
    }
}

impl fmt::Display for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let list: Vec<&str> = (0..7).filter(|i| self.0 & (1 << i) != 0).map(|i| names[i]).collect();
        f.write_str(&list.join(","))
    }
}

/// One engineer.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub handle: String,
    pub name: String,
    /// `None` when the roster gives no zone (or an unknown one): their status is then `unknown`.
    pub timezone: Option<Tz>,
    pub hours: Hours,
    pub days: Days,
    /// Their email, as a calendar of time off names them.
    pub email: Option<String>,
    /// Where the person is defined, for findings.
    pub line: Option<u32>,
    /// Their Slack member ID (`U0123ABCD`), for the user group Rota keeps in step.
    pub slack: Option<String>,
}

/// A span of working time, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Person {
    /// The person's shifts that overlap `[from, to)`, in order.
    /// Whether `who` (a handle or a name, as a table writes it) names this person.
    pub fn is(&self, who: &str) -> bool {
        let who = who.trim().trim_start_matches('@');
        self.handle.eq_ignore_ascii_case(who) || self.name.eq_ignore_ascii_case(who)
    }

    pub fn shifts(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Shift> {
        let Some(tz) = self.timezone else { return Vec::new() };
        if from >= to {
            return Vec::new();
        }
        let first = from.with_timezone(&tz).date_naive();
        let first = first.pred_opt().unwrap_or(first);
        let last = to.with_timezone(&tz).date_naive();
        let mut out = Vec::new();
        let mut day = first;
        while day <= last {
            if self.days.contains(day.weekday()) {
                let start = local_instant(tz, day, self.hours.start);
                let end_day = if self.hours.crosses_midnight() { day.succ_opt().unwrap_or(day) } else { day };
                let end = local_instant(tz, end_day, self.hours.end);
                if start < to && end > from && start < end {
                    out.push(Shift { start, end });
                }
            }
            match day.succ_opt() {
                Some(d) => day = d,
                None => break,
            }
        }
        out
    }

    /// The shift the person is in at `at`, if any.
    pub fn shift_at(&self, at: DateTime<Utc>) -> Option<Shift> {
        self.shifts(at, at.checked_add_signed(Duration::seconds(1))?).into_iter().find(|s| s.start <= at && at < s.end)
    }

    /// The start of the person's next shift strictly after `at` (within two weeks).
    pub fn next_shift_start(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.shifts(at, at.checked_add_signed(Duration::days(15))?).into_iter().map(|s| s.start).find(|s| *s > at)
    }
}

/// How many of a roster's unknown zones get the nearest names suggested.
const SUGGESTED_ZONES: usize = 20;

/// The instant of a wall-clock time in a zone. A time skipped by a DST jump is moved forward by
/// the jump (02:30 on a spring-forward day is 03:30); a repeated time takes its first occurrence.
pub fn local_instant(tz: Tz, day: NaiveDate, minutes: u16) -> DateTime<Utc> {
    let (day, minutes) = if minutes >= 1440 { (day.succ_opt().unwrap_or(day), minutes - 1440) } else { (day, minutes) };
    let time = NaiveTime::from_hms_opt((minutes / 60) as u32, (minutes % 60) as u32, 0).unwrap_or(NaiveTime::MIN);
    let naive = day.and_time(time);
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        chrono::LocalResult::None => {
            // In a gap: the offset before the gap maps the wall time to the instant the clock jumps.
            let before = tz.offset_from_utc_datetime(&naive.checked_sub_signed(Duration::days(1)).unwrap_or(naive));
            let utc = naive.checked_sub_signed(chrono::offset::Offset::fix(&before).local_minus_utc_dur()).unwrap_or(naive);
            Utc.from_utc_datetime(&utc)
        }
    }
}

trait OffsetDur {
    fn local_minus_utc_dur(&self) -> Duration;
}

impl OffsetDur for chrono::FixedOffset {
    fn local_minus_utc_dur(&self) -> Duration {
        Duration::seconds(self.local_minus_utc() as i64)
    }
}

/// Minutes after local midnight of an instant in a zone.
pub fn minute_of_day<T: TimeZone>(t: &DateTime<T>) -> u16 {
    (t.hour() * 60 + t.minute()) as u16
}

/// Everyone Rota knows about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roster {
    /// The file (or source name) the roster came from.
    pub source: String,
    pub people: Vec<Person>,
}

impl Roster {
    /// Finds a person by handle (case-insensitive, an `@` ignored) or, for plain names, by name.
    pub fn find(&self, who: &str) -> Option<&Person> {
        let who = who.trim().trim_start_matches('@');
        self.people
            .iter()
            .find(|p| p.handle.eq_ignore_ascii_case(who))
            .or_else(|| self.people.iter().find(|p| p.name.eq_ignore_ascii_case(who)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterFile {
    #[serde(default)]
    person: Vec<toml::Spanned<PersonEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonEntry {
    handle: toml::Spanned<String>,
    name: Option<String>,
    timezone: Option<toml::Spanned<String>>,
    hours: Option<toml::Spanned<String>>,
    days: Option<toml::Spanned<String>>,
    email: Option<String>,
    slack: Option<toml::Spanned<String>>,
}

/// Parses a roster TOML file (`[[person]]` tables). People whose zone, hours or days are wrong
/// are kept (with what could be read) and each problem becomes a located error.
pub fn parse_roster(file: &str, text: &str) -> Parsed<Roster> {
    let mut findings = Vec::new();
    let parsed: RosterFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            findings.push(toml_finding(file, text, &e));
            return Parsed { value: Roster { source: file.to_owned(), people: vec![] }, findings };
        }
    };
    let lines = Lines::new(text);
    let mut people: Vec<Person> = Vec::new();
    for entry in parsed.person {
        let line = Some(lines.line_of(entry.span().start));
        let e = entry.into_inner();
        let at = |s: &toml::Spanned<String>| Some(lines.line_of(s.span().start));
        let handle = e.handle.get_ref().trim().trim_start_matches('@').to_owned();
        if handle.is_empty() {
            findings.push(Finding::new(
                Rule::Syntax,
                file,
                at(&e.handle),
                "a person has an empty handle; give their handle as in the schedule",
            ));
            continue;
        }
        // A repeated handle is an error, and its entry is still checked: each of its mistakes is
        // reported now, not after the first copy is removed.
        let duplicate = people.iter().any(|p| p.handle.eq_ignore_ascii_case(&handle));
        if duplicate {
            findings.push(Finding::new(
                Rule::DuplicatePerson,
                file,
                at(&e.handle),
                format!("\"{handle}\" is listed twice in the roster; keep one entry"),
            ));
        }
        let timezone = e.timezone.as_ref().and_then(|tz| match tz.get_ref().trim().parse::<Tz>() {
            Ok(z) => Some(z),
            Err(_) => {
                // The nearest zone names for the first few; past them, the plain sentence (a
                // hostile roster of thousands of bad zones stays fast to read).
                let unknown = findings.iter().filter(|f| f.rule == Rule::UnknownTimezone).count();
                let message = match crate::config::timezone(tz.get_ref()) {
                    Err(e) if unknown < SUGGESTED_ZONES => e,
                    _ => format!("\"{}\" is not an IANA timezone; use a name like \"Europe/Berlin\" or \"Asia/Kathmandu\"", tz.get_ref()),
                };
                findings.push(Finding::new(Rule::UnknownTimezone, file, at(tz), message));
                None
            }
        });
        let hours = match &e.hours {
            None => Hours::NINE_TO_FIVE,
            Some(h) => h.get_ref().parse().unwrap_or_else(|msg: String| {
                findings.push(Finding::new(Rule::MalformedHours, file, at(h), format!("{handle}'s {msg}")));
                Hours::NINE_TO_FIVE
            }),
        };
        let days = match &e.days {
            None => Days::WEEKDAYS,
            Some(d) => d.get_ref().parse().unwrap_or_else(|msg: String| {
                findings.push(Finding::new(Rule::MalformedDays, file, at(d), format!("{handle}'s {msg}")));
                Days::WEEKDAYS
            }),
        };
        let slack = e.slack.as_ref().and_then(|s| {
            crate::slack::member_id(s.get_ref())
                .map_err(|msg| findings.push(Finding::new(Rule::Syntax, file, at(s), format!("{handle}'s {msg}"))))
                .ok()
                .flatten()
        });
        if duplicate {
            continue;
        }
        let name = e.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).unwrap_or_else(|| handle.clone());
        let email = e.email.map(|m| m.trim().to_owned()).filter(|m| !m.is_empty());
        people.push(Person { handle, name, timezone, hours, days, email, line, slack });
    }
    Parsed { value: Roster { source: file.to_owned(), people }, findings }
}
