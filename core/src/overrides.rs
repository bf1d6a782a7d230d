//! Covering: overrides that change who is on duty for a while, and the effective team they give.
//!
//! An [`Override`] names a span (whole days like a rotation, or two local instants in the
//! schedule's zone) and a `covering` and a `for` engineer: both replace `for` with `covering`;
//! `covering` alone adds someone; `for` alone takes someone off. Everything that shows who is on
//! (the glance, coverage, the escalate policy, the calendar export, hand-off notices) asks
//! [`Schedule::team_at`] or [`Schedule::stretches`], never a rotation's seats directly.
//!
//! It is not the place that reads the page ([`crate::markdown`]) or the TOML file
//! ([`crate::schedule`]); they hand their cells here.

use crate::finding::{Finding, Rule};
use crate::roster::{local_instant, Roster};
use crate::schedule::{iso_date, Schedule, Timing};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

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
    /// The exact span `[start, end)`.
    pub fn span(&self, timing: &Timing) -> (DateTime<Utc>, DateTime<Utc>) {
        match *self {
            When::Days { start, end } => (timing.starts_at(start), timing.ends_at(end)),
            When::Local { start, end } => (local(timing, start), local(timing, end)),
        }
    }

    /// As written: "2026-11-27 to 2026-11-29" or "2026-11-27 09:00 to 2026-11-28 18:00".
    pub fn text(&self) -> String {
        match self {
            When::Days { start, end } => format!("{start} to {end}"),
            When::Local { start, end } => format!("{} to {}", start.format("%Y-%m-%d %H:%M"), end.format("%Y-%m-%d %H:%M")),
        }
    }
}

fn local(timing: &Timing, t: NaiveDateTime) -> DateTime<Utc> {
    let minutes = (chrono::Timelike::hour(&t) * 60 + chrono::Timelike::minute(&t)) as u16;
    local_instant(timing.timezone, t.date(), minutes)
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

fn same(a: &str, b: &str) -> bool {
    a.trim_start_matches('@').eq_ignore_ascii_case(b.trim_start_matches('@'))
}

impl Schedule {
    /// The effective team at `at`: the rotation's engineers with every override in force applied,
    /// in the order written.
    pub fn team_at(&self, timing: &Timing, at: DateTime<Utc>) -> Vec<Member> {
        self.team_with(timing, at, &self.override_spans(timing))
    }

    /// Each override's exact span, in the order written: computed once for many instants.
    fn override_spans(&self, timing: &Timing) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        self.overrides.iter().map(|o| o.when.span(timing)).collect()
    }

    fn team_with(&self, timing: &Timing, at: DateTime<Utc>, spans: &[(DateTime<Utc>, DateTime<Utc>)]) -> Vec<Member> {
        let mut team: Vec<Member> = self
            .current(timing, at)
            .map(|r| r.engineers().map(|h| Member { handle: h.to_owned(), covering_for: None }).collect())
            .unwrap_or_default();
        for (o, &(s, e)) in self.overrides.iter().zip(spans) {
            if !(s <= at && at < e) {
                continue;
            }
            match (&o.covering, &o.covered) {
                (Some(c), Some(f)) => {
                    let already = team.iter().any(|m| same(&m.handle, c));
                    if let Some(i) = team.iter().position(|m| same(&m.handle, f)) {
                        if already {
                            team.remove(i);
                        } else {
                            team[i] = Member { handle: c.clone(), covering_for: Some(team[i].handle.clone()) };
                        }
                    }
                }
                (Some(c), None) => {
                    // A team is a handful of engineers: additions beyond MAX_SEATS are a mistake.
                    if !team.iter().any(|m| same(&m.handle, c)) && team.len() < crate::schedule::MAX_SEATS {
                        team.push(Member { handle: c.clone(), covering_for: None });
                    }
                }
                (None, Some(f)) => team.retain(|m| !same(&m.handle, f)),
                (None, None) => {}
            }
        }
        team
    }

    /// The spans of `[from, to)` with one effective team each, in order (spans with nobody on
    /// included). Boundaries are the rotations' and the overrides' starts and ends.
    pub fn stretches(&self, timing: &Timing, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Stretch> {
        self.stretches_with(timing, from, to, &self.override_spans(timing))
    }

    fn stretches_with(
        &self,
        timing: &Timing,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        spans: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Vec<Stretch> {
        if from >= to {
            return Vec::new();
        }
        let mut cuts = vec![from, to];
        let inside = |t: DateTime<Utc>| from < t && t < to;
        // Rotations are sorted by start day: a cheap date test skips those far from the span
        // before any instant is computed (a zone's offset is under two days).
        let tz = timing.timezone;
        let margin = chrono::Duration::days(2);
        let first = from.with_timezone(&tz).date_naive().checked_sub_signed(margin).unwrap_or(NaiveDate::MIN);
        let last = to.with_timezone(&tz).date_naive().checked_add_signed(margin).unwrap_or(NaiveDate::MAX);
        let upto = self.rotations.partition_point(|r| r.start <= last);
        for r in self.rotations[..upto].iter().filter(|r| r.end >= first || r.end < r.start) {
            cuts.extend([timing.starts_at(r.start), timing.ends_at(r.end)].into_iter().filter(|t| inside(*t)));
        }
        for &(s, e) in spans {
            cuts.extend([s, e].into_iter().filter(|t| inside(*t)));
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut out: Vec<Stretch> = Vec::new();
        for w in cuts.windows(2) {
            let (start, end) = (w[0], w[1]);
            let rotation = self.current(timing, start);
            let team = self.team_with(timing, start, spans);
            let (rot, open) = (rotation.map(|r| r.start), rotation.map_or(0, |r| r.open_seats()));
            match out.last_mut() {
                Some(last) if last.team == team && last.rotation == rot && last.end == start => last.end = end,
                _ => out.push(Stretch { start, end, rotation: rot, team, open_seats: open }),
            }
        }
        out
    }

    /// The first instant any rotation or override starts and the last one ends: the whole schedule.
    pub fn extent(&self, timing: &Timing) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let rotations = self.rotations.iter().map(|r| (timing.starts_at(r.start), timing.ends_at(r.end)));
        let overrides = self.overrides.iter().map(|o| o.when.span(timing));
        rotations.chain(overrides).fold(None, |acc, (s, e)| match acc {
            None => Some((s, e)),
            Some((a, b)) => Some((a.min(s), b.max(e))),
        })
    }
}

/// The override columns of a header (`When`, `Covering`, `For`), if it has all three.
pub fn override_columns(header: &[String]) -> Option<[usize; 3]> {
    let col = |names: &[&str]| header.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)));
    Some([col(&["When"])?, col(&["Covering", "Covered by"])?, col(&["For"])?])
}

/// A `Covering` cell: a handle, or `None` for empty or `nobody`.
pub fn covering_cell(text: &str) -> Option<String> {
    let t = person_text(text);
    (!t.is_empty() && !t.eq_ignore_ascii_case("nobody") && !t.eq_ignore_ascii_case("no one") && !is_dash(&t)).then_some(t)
}

/// A `For` cell: a handle, or `None` for empty or a dash.
pub fn for_cell(text: &str) -> Option<String> {
    let t = person_text(text);
    (!t.is_empty() && !is_dash(&t)).then_some(t)
}

fn is_dash(t: &str) -> bool {
    matches!(t, "—" | "–" | "-" | "--")
}

fn person_text(text: &str) -> String {
    let t = text.trim().trim_matches(|c: char| c == '*' || c == '_' || c == '`' || c == ',').trim();
    t.trim_start_matches('@').trim().to_owned()
}

/// Reads a `When` cell: `YYYY-MM-DD to YYYY-MM-DD` (whole days) or `YYYY-MM-DD HH:MM to
/// YYYY-MM-DD HH:MM` (local instants in the schedule's zone).
pub fn parse_when(text: &str) -> Result<When, String> {
    let t = text.trim();
    let has_time = t.contains(':');
    if !has_time {
        return crate::schedule::date_range(t).map(|(start, end)| When::Days { start, end }).map_err(|_| {
            format!("the override time \"{t}\" is not \"YYYY-MM-DD to YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM to YYYY-MM-DD HH:MM\"")
        });
    }
    let bad = || format!("the override time \"{t}\" is not \"YYYY-MM-DD HH:MM to YYYY-MM-DD HH:MM\"");
    let seps = [" to ", "–", "—", "→", "->", " until "];
    let (a, b) = seps.iter().find_map(|sep| t.split_once(sep)).ok_or_else(bad)?;
    let instant = |s: &str| local_datetime(s.trim()).ok_or_else(bad);
    Ok(When::Local { start: instant(a)?, end: instant(b)? })
}

/// Reads `YYYY-MM-DD HH:MM` (or with a `T`).
pub fn local_datetime(s: &str) -> Option<NaiveDateTime> {
    let (d, t) = s.split_once([' ', 'T'])?;
    let date = iso_date(d.trim())?;
    let t = t.trim();
    let (h, m) = t.split_once(':')?;
    let m = m.strip_suffix(":00").unwrap_or(m);
    let num = |x: &str| (x.len() == 2 && x.bytes().all(|c| c.is_ascii_digit())).then(|| x.parse::<u32>().ok()).flatten();
    let time = NaiveTime::from_hms_opt(num(h)?, num(m)?, 0)?;
    Some(date.and_time(time))
}

/// Builds an override from its three cells, or says what is wrong.
pub fn override_from_cells(when: &str, covering: &str, covered: &str, line: Option<u32>) -> Result<Override, String> {
    let when = parse_when(when)?;
    let (covering, covered) = (covering_cell(covering), for_cell(covered));
    if covering.is_none() && covered.is_none() {
        return Err("the override names nobody; write who is covering, for whom, or both".into());
    }
    Ok(Override { when, covering, covered, line })
}

/// Lints the overrides: the `For` engineer is not on the rotation then (error), two overrides for
/// the same person overlap (error), an override outside every rotation (warning), the covering
/// engineer is not in the roster (warning), and an end before its start (error).
pub fn lint_overrides(schedule: &Schedule, roster: &Roster, timing: &Timing) -> Vec<Finding> {
    let file = schedule.source.as_str();
    let mut out = Vec::new();
    // In n log n (issue 25: 10,000 covering rows were 12 s): each span and each rotation's span
    // worked out once, the rotations met by binary search, and the overlaps by a sweep.
    let spans: Vec<_> = schedule.overrides.iter().map(|o| o.when.span(timing)).collect();
    let rotations = RotationSpans::new(schedule, timing);
    let overlapping = overlapping_earlier(&schedule.overrides, &spans);
    for (i, o) in schedule.overrides.iter().enumerate() {
        let (s, e) = spans[i];
        let when = o.when.text();
        if e <= s {
            out.push(Finding::new(
                Rule::EndBeforeStart,
                file,
                o.line,
                format!("the override {when} ends before it starts; swap the times"),
            ));
            continue;
        }
        let during = rotations.meeting(s, e);
        if during.is_empty() {
            out.push(Finding::new(
                Rule::OverrideOutsideRotation,
                file,
                o.line,
                format!("the override {when} falls outside every rotation; move it into a rotation or remove it"),
            ));
        }
        if let Some(f) = &o.covered {
            let on = !during.is_empty()
                && during.iter().all(|r| r.engineers().any(|h| same(h, f)))
                && covered_by_rotations(&during, timing, s, e);
            if !on {
                out.push(Finding::new(
                    Rule::CoveredNotOnRotation,
                    file,
                    o.line,
                    format!("{f} is not on the rotation during {when}, so nobody can cover for them; fix the dates or the name"),
                ));
            }
            for p in overlapping[i].iter().map(|&j| &schedule.overrides[j]) {
                let at = p.line.map(|l| format!(" (line {l})")).unwrap_or_default();
                out.push(Finding::new(
                    Rule::OverlappingOverrides,
                    file,
                    o.line,
                    format!("the override {when} for {f} overlaps the override {}{at}; merge them or fix the dates", p.when.text()),
                ));
            }
        }
        if let Some(c) = &o.covering {
            if !roster.people.is_empty() && roster.find(c).is_none() {
                out.push(Finding::new(
                    Rule::NotInRoster,
                    file,
                    o.line,
                    format!(
                        "{c}, covering during {when}, is not in the roster ({}); add them to give their timezone and hours",
                        crate::words::file_name(&roster.source)
                    ),
                ));
            }
        }
    }
    out
}

/// The rotations' spans, worked out once, in start order, with the latest end so far: the
/// rotations meeting a span are found by binary search, not by reading them all.
struct RotationSpans<'a> {
    spans: Vec<(DateTime<Utc>, DateTime<Utc>, &'a crate::Rotation)>,
    /// The latest end among the spans up to each one.
    latest_end: Vec<DateTime<Utc>>,
}

impl<'a> RotationSpans<'a> {
    fn new(schedule: &'a Schedule, timing: &Timing) -> Self {
        let mut spans: Vec<_> = schedule.rotations.iter().map(|r| (timing.starts_at(r.start), timing.ends_at(r.end), r)).collect();
        spans.sort_by_key(|(s, e, _)| (*s, *e));
        let latest_end = spans.iter().scan(None, |m: &mut Option<DateTime<Utc>>, (_, e, _)| {
            *m = Some(m.map_or(*e, |m| m.max(*e)));
            *m
        });
        let latest_end = latest_end.collect();
        RotationSpans { spans, latest_end }
    }

    /// The rotations that meet `[s, e)`, in start order.
    fn meeting(&self, s: DateTime<Utc>, e: DateTime<Utc>) -> Vec<&'a crate::Rotation> {
        let before = self.spans.partition_point(|(start, _, _)| *start < e);
        let mut found: Vec<_> =
            (0..before).rev().take_while(|&j| self.latest_end[j] > s).filter(|&j| self.spans[j].1 > s).map(|j| self.spans[j].2).collect();
        found.reverse();
        found
    }
}

/// For each override, the earlier ones (in the order written) for the same engineer whose spans
/// overlap its own, in that order: a sweep in start order per engineer, so only overlapping
/// pairs are ever compared.
fn overlapping_earlier(overrides: &[Override], spans: &[(DateTime<Utc>, DateTime<Utc>)]) -> Vec<Vec<usize>> {
    let mut by_engineer: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
    for (i, o) in overrides.iter().enumerate() {
        if let Some(f) = &o.covered {
            by_engineer.entry(f.trim_start_matches('@').to_ascii_lowercase()).or_default().push(i);
        }
    }
    let mut earlier = vec![Vec::new(); overrides.len()];
    for mut group in by_engineer.into_values() {
        group.retain(|&i| spans[i].0 < spans[i].1);
        group.sort_by_key(|&i| (spans[i].0, i));
        let mut active: Vec<usize> = Vec::new();
        for i in group {
            let (s, _) = spans[i];
            active.retain(|&a| spans[a].1 > s);
            for &a in &active {
                let (first, later) = if a < i { (a, i) } else { (i, a) };
                earlier[later].push(first);
            }
            active.push(i);
        }
    }
    for list in &mut earlier {
        list.sort_unstable();
    }
    earlier
}

/// Whether the rotations, together, cover all of `[s, e)`.
fn covered_by_rotations(during: &[&crate::Rotation], timing: &Timing, s: DateTime<Utc>, e: DateTime<Utc>) -> bool {
    let mut spans: Vec<_> = during.iter().map(|r| (timing.starts_at(r.start), timing.ends_at(r.end))).collect();
    spans.sort_unstable();
    let mut cursor = s;
    for (a, b) in spans {
        if a > cursor {
            return false;
        }
        cursor = cursor.max(b);
    }
    cursor >= e
}

/// `[[override]]` in a TOML schedule, as written.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideEntry {
    start: toml::Value,
    end: toml::Value,
    #[serde(default)]
    covering: Option<String>,
    #[serde(default, rename = "for")]
    covered: Option<String>,
}

/// One end of a TOML override: a date (whole days) or a local date and time.
enum End {
    Day(NaiveDate),
    At(NaiveDateTime),
}

fn toml_end(v: &toml::Value) -> Option<End> {
    let s = match v {
        toml::Value::String(s) => s.trim().to_owned(),
        toml::Value::Datetime(d) if d.offset.is_none() => d.to_string(),
        _ => return None,
    };
    match iso_date(&s) {
        Some(d) => Some(End::Day(d)),
        None => local_datetime(&s).map(End::At),
    }
}

/// Builds an override from a `[[override]]` table at `line`, or says what is wrong.
pub fn toml_override(e: OverrideEntry, line: u32) -> Result<Override, String> {
    let bad = |v: &toml::Value| {
        format!(
            "the override's \"{v}\" is not a date (YYYY-MM-DD) or a local time (YYYY-MM-DD HH:MM) in the schedule's zone; fix start or end"
        )
    };
    let start = toml_end(&e.start).ok_or_else(|| bad(&e.start))?;
    let end = toml_end(&e.end).ok_or_else(|| bad(&e.end))?;
    let when = match (start, end) {
        (End::Day(start), End::Day(end)) => When::Days { start, end },
        (End::At(start), End::At(end)) => When::Local { start, end },
        _ => return Err("the override's start and end must both be dates or both be local times; write them alike".into()),
    };
    let covering = e.covering.as_deref().and_then(covering_cell);
    let covered = e.covered.as_deref().and_then(for_cell);
    if covering.is_none() && covered.is_none() {
        return Err("the override names nobody; set covering, for, or both".into());
    }
    Ok(Override { when, covering, covered, line: Some(line) })
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

impl Schedule {
    /// Every stretch `handle` is on, over the whole schedule, in order: split where the rotation
    /// changes or whom they cover for changes; the spans somebody covers for them left out.
    pub fn stretches_of(&self, timing: &Timing, handle: &str) -> Vec<OnStretch> {
        let spans = self.override_spans(timing);
        // Where they may be on: their rotations, and the overrides that put them on.
        let mut maybe: Vec<(DateTime<Utc>, DateTime<Utc>)> = self
            .rotations
            .iter()
            .filter(|r| r.engineers().any(|h| same(h, handle)))
            .map(|r| (timing.starts_at(r.start), timing.ends_at(r.end)))
            .chain(
                self.overrides.iter().zip(&spans).filter(|(o, _)| o.covering.as_deref().is_some_and(|c| same(c, handle))).map(|(_, s)| *s),
            )
            .filter(|(s, e)| s < e)
            .collect();
        maybe.sort_unstable();
        let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for (s, e) in maybe {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        let mut out: Vec<OnStretch> = Vec::new();
        for (from, to) in merged {
            for s in self.stretches_with(timing, from, to, &spans) {
                let Some(me) = s.team.iter().find(|m| same(&m.handle, handle)) else { continue };
                match out.last_mut() {
                    Some(last) if last.end == s.start && last.rotation == s.rotation && last.covering_for == me.covering_for => {
                        last.end = s.end
                    }
                    _ => out.push(OnStretch {
                        start: s.start,
                        end: s.end,
                        rotation: s.rotation,
                        covering_for: me.covering_for.clone(),
                        with: s.team.iter().filter(|m| !same(&m.handle, handle)).map(|m| m.handle.clone()).collect(),
                    }),
                }
            }
        }
        out
    }

    /// Everyone the schedule names: the rotations' engineers and the overrides' people, each once,
    /// in order of appearance.
    pub fn people(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let names = self
            .rotations
            .iter()
            .flat_map(|r| r.engineers().map(str::to_owned).collect::<Vec<_>>())
            .chain(self.overrides.iter().flat_map(|o| o.covering.iter().chain(o.covered.iter()).cloned()));
        for n in names {
            if seen.insert(n.trim_start_matches('@').to_ascii_lowercase()) {
                out.push(n);
            }
        }
        out
    }
}
