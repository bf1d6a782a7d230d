//! The overrides applied: the effective team at an instant, the stretches of one team, and each
//! person's stretches on duty. Everything that shows who is on asks these, never a rotation's
//! seats directly.

use super::{same, Member, OnStretch, Stretch, When};
use crate::roster::local_instant;
use crate::schedule::{Schedule, Timing};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

impl When {
    /// The exact span `[start, end)`.
    pub fn span(&self, timing: &Timing) -> (DateTime<Utc>, DateTime<Utc>) {
        match *self {
            When::Days { start, end } => (timing.starts_at(start), timing.ends_at(end)),
            When::Local { start, end } => (local(timing, start), local(timing, end)),
        }
    }
}

fn local(timing: &Timing, t: NaiveDateTime) -> DateTime<Utc> {
    let minutes = (chrono::Timelike::hour(&t) * 60 + chrono::Timelike::minute(&t)) as u16;
    local_instant(timing.timezone, t.date(), minutes)
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
