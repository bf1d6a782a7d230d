//! The program's rules (README, "The rules `rota check` lints"), checked against a schedule and a roster.

use crate::finding::{Finding, Rule};
use crate::roster::Roster;
use crate::schedule::{Rotation, Schedule, Timing};
use chrono::Offset;

/// Rotations run 4 to 10 weeks.
pub const MIN_DAYS: i64 = 28;
pub const MAX_DAYS: i64 = 70;
/// Engineers whose UTC offsets all lie within this many hours of each other cover one region.
pub const POOR_SPREAD_HOURS: i32 = 3;

/// What the lints need beyond the schedule and the roster.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub timing: Timing,
    pub team_size: usize,
    /// The viewer's zone: the instants a finding names are said in it ("my zone").
    pub viewer: chrono_tz::Tz,
}

fn name(r: &Rotation) -> String {
    format!("{} to {}", r.start, r.end)
}

/// The config's `me` (set at `line` of the config `file`) checked against every handle the
/// schedule (seats and covering rows) and the roster name. A `me` near someone's handle, or
/// someone's name, is a typo that would lose "(you)", my escalations and the on-duty icon without a
/// word: an error naming the handle meant. One near nobody is a warning: a support engineer, who
/// files escalations, is rightly nobody on the team. A team that names nobody yet passes.
pub fn me(me: &str, file: &str, line: Option<u32>, schedule: &Schedule, roster: &Roster) -> Option<Finding> {
    let me = me.trim().trim_start_matches('@');
    let seats = schedule.rotations.iter().flat_map(|r| r.engineers());
    let covering = schedule.overrides.iter().flat_map(|o| [o.covering.as_deref(), o.covered.as_deref()]).flatten();
    let known: Vec<&str> =
        roster.people.iter().map(|p| p.handle.as_str()).chain(seats).chain(covering).map(|h| h.trim_start_matches('@')).collect();
    if me.is_empty() || known.is_empty() || known.iter().any(|h| h.eq_ignore_ascii_case(me)) {
        return None;
    }
    let named = roster.people.iter().find(|p| !p.name.is_empty() && p.name.eq_ignore_ascii_case(me));
    let closest = match named {
        Some(p) => vec![p.handle.clone()],
        None => crate::spelling::closest(me, known.iter().copied()),
    };
    Some(match closest.as_slice() {
        [] => Finding::new(
            Rule::UnknownMe,
            file,
            line,
            format!("me = {me:?} is nobody in the schedule or the roster; if you are on the team, set it to your handle as the schedule writes it"),
        ),
        _ => Finding::new(Rule::MisspeltMe, file, line, format!("me = {me:?} is nobody on the team: {}", crate::spelling::did_you_mean(&closest))),
    })
}

/// Lints a parsed schedule against the roster. Findings come in schedule order.
pub fn lint(schedule: &Schedule, roster: &Roster, rules: &Rules) -> Vec<Finding> {
    let file = schedule.source.as_str();
    let mut out = Vec::new();
    let mut push = |rule, r: &Rotation, msg: String| out.push(Finding::new(rule, file, r.line, msg));

    // The latest few rotations with open seats get a candidate named.
    let open: Vec<usize> =
        schedule.rotations.iter().enumerate().filter(|(_, r)| crate::plan::open_seats(r, rules.team_size) > 0).map(|(i, _)| i).collect();
    let suggest_from = open.len().checked_sub(SUGGESTED_ROTATIONS).and_then(|k| open.get(k)).copied().unwrap_or(0);
    let coverings = crate::plan::Coverings::new(schedule);
    // Rotations are sorted by start day, so overlaps are found against the latest end so far.
    let mut latest: Option<&Rotation> = None;
    for (i, r) in schedule.rotations.iter().enumerate() {
        if r.end < r.start {
            push(Rule::EndBeforeStart, r, format!("rotation {} ends before it starts; swap the dates", name(r)));
            continue;
        }
        if let Some(prev) = latest {
            if r.start <= prev.end {
                let at = prev.line.map(|l| format!(" (line {l})")).unwrap_or_default();
                push(
                    Rule::OverlappingRotations,
                    r,
                    format!("rotation {} overlaps rotation {}{at}; start it after {}", name(r), name(prev), prev.end),
                );
            } else if let Some((from, to)) = prev.end.succ_opt().zip(r.start.pred_opt()).filter(|(from, _)| r.start > *from) {
                let n = (to - from).num_days() + 1;
                push(
                    Rule::UncoveredDays,
                    r,
                    format!(
                        "nobody is on duty from {from} to {to} ({n} day{}) before rotation {}; extend a rotation or add one",
                        if n == 1 { "" } else { "s" },
                        name(r)
                    ),
                );
            }
        }
        if latest.is_none_or(|p| r.end > p.end) {
            latest = Some(r);
        }

        let mut seen: Vec<&str> = Vec::new();
        for h in r.engineers() {
            if seen.iter().any(|s| s.eq_ignore_ascii_case(h)) {
                push(Rule::DuplicateEngineer, r, format!("{h} is listed twice in rotation {}; remove one", name(r)));
            }
            seen.push(h);
        }

        let days = r.days();
        if days < MIN_DAYS {
            push(Rule::ShortRotation, r, format!("rotation {} lasts {days} days, shorter than 4 weeks", name(r)));
        } else if days > MAX_DAYS {
            push(Rule::LongRotation, r, format!("rotation {} lasts {days} days, longer than 10 weeks", name(r)));
        }

        let filled = seen.len();
        if filled < rules.team_size {
            let open = rules.team_size - filled;
            push(
                Rule::OpenSeats,
                r,
                format!(
                    "rotation {} has {filled} of {} engineers ({open} open seat{})",
                    name(r),
                    rules.team_size,
                    if open == 1 { "" } else { "s" }
                ),
            );
        }

        if !roster.people.is_empty() {
            for h in &seen {
                if roster.find(h).is_none() {
                    push(
                        Rule::NotInRoster,
                        r,
                        format!(
                            "{h} is not in the roster ({}); add them to give their timezone and hours",
                            crate::words::file_name(&roster.source)
                        ),
                    );
                }
            }
        }

        spread(r, roster, rules, &mut push);
        uncovered_weekday_hours(r, (schedule, &coverings), roster, rules, i >= suggest_from, &mut push);
    }

    out.extend(crate::overrides::lint_overrides(schedule, roster, &rules.timing));
    out.extend(crate::away::lint::lint_away(schedule, roster, &rules.timing));

    if roster.people.is_empty() && schedule.rotations.iter().any(|r| r.engineers().next().is_some()) {
        out.push(Finding::new(
            Rule::NotInRoster,
            file,
            None,
            "there is no roster, so nobody's timezone or hours are known; set roster.source to a people.toml",
        ));
    }
    out
}

/// Warns when everyone on a rotation (with a known zone) sits within a few hours of each other.
fn spread(r: &Rotation, roster: &Roster, rules: &Rules, push: &mut impl FnMut(Rule, &Rotation, String)) {
    let at = rules.timing.starts_at(r.start);
    let offsets: Vec<i32> = r
        .engineers()
        .filter_map(|h| roster.find(h)?.timezone)
        .map(|tz| at.with_timezone(&tz).offset().fix().local_minus_utc() / 60)
        .collect();
    if offsets.len() < 2 {
        return;
    }
    // The widest circular gap between sorted offsets; the rest of the clock is what they span.
    let mut sorted = offsets.clone();
    sorted.sort_unstable();
    let widest =
        sorted.windows(2).map(|w| w[1] - w[0]).chain(std::iter::once(sorted[0] + 24 * 60 - sorted[sorted.len() - 1])).max().unwrap_or(0);
    let span = 24 * 60 - widest;
    if span <= POOR_SPREAD_HOURS * 60 {
        push(
            Rule::PoorTimezoneSpread,
            r,
            format!(
                "the engineers of rotation {} are all within {} hours of each other; spread them across timezones",
                name(r),
                (span + 59) / 60
            ),
        );
    }
}

/// How many rotations with open seats (the latest in the schedule) get a candidate named in
/// their gap warning: each costs a plan over the whole roster, so a page of thousands of open
/// rows stays fast to check.
pub const SUGGESTED_ROTATIONS: usize = 4;

/// Warns about weekday time (Monday to Friday in the schedule's zone) nobody on the rotation
/// works, a week's share of the whole rotation ([`crate::plan::weekday_gap`], as `rota plan`
/// measures it), naming the best candidate for an open seat when `suggest`.
fn uncovered_weekday_hours(
    r: &Rotation,
    (schedule, coverings): (&Schedule, &crate::plan::Coverings),
    roster: &Roster,
    rules: &Rules,
    suggest: bool,
    push: &mut impl FnMut(Rule, &Rotation, String),
) {
    if !r.engineers().any(|h| roster.find(h).is_some_and(|p| p.timezone.is_some())) || r.end < r.start {
        return;
    }
    let gap = crate::plan::weekday_gap_in(coverings, roster, &rules.timing, r);
    let minutes = gap.minutes_a_week();
    if minutes >= 60 {
        let first = gap.spans.first().map(|g| crate::words::day_time_zone(g.start, rules.viewer)).unwrap_or_default();
        let best = if suggest { crate::plan::best(schedule, roster, &rules.timing, rules.team_size, r) } else { None };
        push(Rule::UncoveredHours, r, crate::words::plan::uncovered(&name(r), minutes, &first, best.as_ref()));
    }
}
