//! The overrides' lints: what `rota check` says about covering rows against the rotations and
//! the roster.

use super::{same, Override};
use crate::finding::{Finding, Rule};
use crate::roster::Roster;
use crate::schedule::{Schedule, Timing};
use chrono::{DateTime, Utc};

/// Lints the overrides: the `For` engineer is not on the rotation then (error), two overrides for
/// the same person overlap (error), an override outside every rotation (warning), the covering
/// engineer is not in the roster (warning), and an end before its start (error).
pub fn lint_overrides(schedule: &Schedule, roster: &Roster, timing: &Timing) -> Vec<Finding> {
    let file = schedule.source.as_str();
    let mut out = Vec::new();
    // In n log n (10,000 covering rows once took 12 s): each span and each rotation's span
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
