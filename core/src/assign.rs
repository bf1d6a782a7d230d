//! Who gets a new escalation when the filer says `auto`: the assignment policy.
//!
//! Every engineer on duty is a [`Candidate`], ranked by, in turn:
//! 1. where they are in their day: working now, then off hours, then asleep, then unknown (an
//!    engineer away ([`crate::away`]) is listed last and never picked);
//! 2. the fewest open escalations;
//! 3. for the ones working, the most working time left in the current shift; for the others,
//!    the working day that starts soonest (a candidate with no shift coming ranks last);
//! 4. the schedule's order.
//!
//! The first candidate is the [`Suggestion`]; with nobody on rotation there is none, and the
//! escalation goes to the whole rotation (unassigned, announced to the group). Each candidate
//! carries its reason in a few words ("working now, 1 open", "asleep, starts in 6 h"), so the
//! command line and the quick escalate window say the same thing.
//!
//! It is not the place that counts open escalations (the shell asks the backend and the outbox,
//! and hands in [`OpenCounts`]) nor the one that decides who is on duty ([`crate::duty::glance`]).

use crate::duty::{Glance, LocalTime, OnDuty, Status};
use crate::escalation::Escalation;
use crate::words;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// What the window and the command line say when nobody is on rotation.
pub const NOBODY_ON_ROTATION: &str = "nobody on rotation";
/// The option that files an escalation unassigned, for the whole rotation.
pub const WHOLE_ROTATION: &str = "whole rotation";

/// How many active escalations each engineer holds. Handles ignore case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenCounts(BTreeMap<String, usize>);

impl OpenCounts {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts the active escalations ([`crate::escalation::EscalationState::is_active`]) in a
    /// backend's list, by assignee.
    pub fn from_escalations<'a>(list: impl IntoIterator<Item = &'a Escalation>) -> Self {
        let mut counts = OpenCounts::new();
        for e in list.into_iter().filter(|e| e.state.is_active()) {
            if let Some(a) = &e.assignee {
                counts.add(a, 1);
            }
        }
        counts
    }

    /// Adds `n` to `handle`'s count (an escalation waiting in the outbox, say).
    pub fn add(&mut self, handle: &str, n: usize) {
        *self.0.entry(key(handle)).or_default() += n;
    }

    pub fn get(&self, handle: &str) -> usize {
        self.0.get(&key(handle)).copied().unwrap_or(0)
    }
}

fn key(handle: &str) -> String {
    handle.trim().trim_start_matches('@').to_ascii_lowercase()
}

/// One engineer on duty, as the "Assign to" list shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub handle: String,
    pub name: String,
    /// Their local time, when their zone is known.
    pub local: Option<LocalTime>,
    pub status: Status,
    /// Active escalations assigned to them.
    pub open: usize,
    /// Working: when the current shift ends. Otherwise: when the next one starts.
    pub shift_change: Option<DateTime<Utc>>,
    /// Why they rank where they do, in a few words: "working now, 1 open", "asleep, starts in 6 h".
    pub reason: String,
    /// The reason without the status, for a list that shows the status beside it: "ends in 3 h,
    /// 1 open", "starts in 6 h".
    pub detail: String,
    /// Whom they cover for, as a card says it: "covering for Tom Becker" (an override).
    pub covering: Option<String>,
    /// Set when they are away now (boxed: most candidates are not).
    pub away: Option<Box<crate::away::AwayNow>>,
}

impl Candidate {
    /// Their status in words: "working", "away until Mon 4 Jan".
    pub fn status_words(&self) -> String {
        words::status_words(self.status, self.away.as_deref(), self.local.as_ref().map(|l| l.timezone))
    }
}

/// Said before filing to `c` when they are not working now, so a pick at 3 a.m. their time is a
/// choice: "Ana Lima is asleep (Tue 03:12 NZDT), starts in 6 h: file to them anyway, or pick
/// someone working." `None` for the working, and for hours nobody knows.
pub fn not_working_warning(c: &Candidate, at: DateTime<Utc>) -> Option<String> {
    if c.status == Status::Away {
        let why = c.away.as_ref().map(|a| a.why.trim()).filter(|w| !w.is_empty()).map(|w| format!(" ({w})")).unwrap_or_default();
        return Some(format!("{} is {}{why}: file to them anyway, or pick someone who is there.", c.name, c.status_words()));
    }
    if !matches!(c.status, Status::OffHours | Status::Asleep) {
        return None;
    }
    let time = c.local.as_ref().map(|l| format!(" ({} {})", l.time.format("%a %H:%M"), words::zone(l))).unwrap_or_default();
    let start = match c.shift_change {
        Some(s) => format!(", starts {}", words::relative(at, s)),
        None => String::new(),
    };
    Some(format!("{} is {}{time}{start}: file to them anyway, or pick someone working.", c.name, c.status.label()))
}

/// Whom the policy suggests.
#[derive(Debug, Clone, PartialEq)]
pub enum Suggestion {
    /// The best candidate.
    Engineer(Candidate),
    /// Nobody is on rotation: the escalation can only go to the whole rotation.
    NobodyOnRotation,
}

impl Suggestion {
    /// The handle to assign, `None` for the whole rotation.
    pub fn assignee(&self) -> Option<&str> {
        match self {
            Suggestion::Engineer(c) => Some(&c.handle),
            Suggestion::NobodyOnRotation => None,
        }
    }

    /// The reason in a few words: the candidate's, or "nobody on rotation".
    pub fn reason(&self) -> &str {
        match self {
            Suggestion::Engineer(c) => &c.reason,
            Suggestion::NobodyOnRotation => NOBODY_ON_ROTATION,
        }
    }
}

/// The engineers on duty in `glance`, best first, each with their reason.
pub fn candidates(glance: &Glance, open: &OpenCounts) -> Vec<Candidate> {
    rank(&glance.on_duty, open, glance.at)
}

/// The suggestion for `glance`: the first of [`candidates`], or [`Suggestion::NobodyOnRotation`].
pub fn suggest(glance: &Glance, open: &OpenCounts) -> Suggestion {
    first(rank(&glance.on_duty, open, glance.at))
}

/// Who can take escalation `e` off its assignee: the engineers on duty but that one, best first
/// (the first is what `reassign --to auto` picks).
pub fn takers(on_duty: &[OnDuty], e: &Escalation, open: &OpenCounts, at: DateTime<Utc>) -> Vec<Candidate> {
    let others: Vec<OnDuty> =
        on_duty.iter().filter(|d| !e.assignee.as_deref().is_some_and(|a| crate::escalation::same_handle(a, &d.handle))).cloned().collect();
    rank(&others, open, at)
}

/// The first of `ranked` who is not away, or [`Suggestion::NobodyOnRotation`].
pub fn first(ranked: Vec<Candidate>) -> Suggestion {
    ranked.into_iter().find(|c| c.status != Status::Away).map_or(Suggestion::NobodyOnRotation, Suggestion::Engineer)
}

/// Ranks `on_duty` (in schedule order) at `at`, best first. See the module's rules.
pub fn rank(on_duty: &[OnDuty], open: &OpenCounts, at: DateTime<Utc>) -> Vec<Candidate> {
    let mut ranked: Vec<(usize, Candidate)> = on_duty.iter().map(|d| candidate(d, open.get(&d.handle), at)).enumerate().collect();
    ranked.sort_by_key(|(order, c)| (c.status, c.open, time_key(c, at), *order));
    ranked.into_iter().map(|(_, c)| c).collect()
}

/// Smaller is better: for the working, minus the time left; for the others, the wait for the
/// next shift; no shift known ranks last.
fn time_key(c: &Candidate, at: DateTime<Utc>) -> i64 {
    match (c.status, c.shift_change) {
        (_, None) => i64::MAX,
        (Status::Working, Some(end)) => -(end - at).num_seconds(),
        (_, Some(start)) => (start - at).num_seconds(),
    }
}

fn candidate(d: &OnDuty, open: usize, at: DateTime<Utc>) -> Candidate {
    let mut detail = match (d.status, d.shift_change) {
        (Status::Away, _) => vec![],
        (Status::Working, Some(end)) => vec![format!("ends {}", words::relative(at, end))],
        (Status::Working | Status::Unknown, _) => vec![],
        (_, Some(start)) => vec![format!("starts {}", words::relative(at, start))],
        (_, None) => vec!["no shift soon".into()],
    };
    if open > 0 || matches!(d.status, Status::Working | Status::Unknown) {
        detail.push(format!("{open} open"));
    }
    let reason = match (d.status, d.shift_change) {
        (Status::Away, _) => format!("{}, {open} open", words::duty_status(d)),
        (Status::Working, _) => format!("working now, {open} open"),
        (Status::Unknown, _) => format!("hours unknown, {open} open"),
        (status, start) => {
            let when = match start {
                Some(s) => format!("starts {}", words::relative(at, s)),
                None => "no shift soon".into(),
            };
            if open == 0 {
                format!("{}, {when}", status.label())
            } else {
                format!("{}, {when}, {open} open", status.label())
            }
        }
    };
    Candidate {
        handle: d.handle.clone(),
        name: d.name.clone(),
        local: d.local.clone(),
        status: d.status,
        open,
        shift_change: d.shift_change,
        reason,
        detail: detail.join(", "),
        covering: words::covering(d),
        away: d.away.clone().map(Box::new),
    }
}

/// A handle given by hand (`rota escalate --to`, the window's choice) that is no engineer of the
/// rotation and nobody in the roster: filing to it would notify no one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAssignee {
    pub handle: String,
    /// The known handles nearest to it, nearest first (at most three).
    pub closest: Vec<String>,
}

impl std::fmt::Display for UnknownAssignee {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} is not an engineer on this rotation or in the roster", self.handle)?;
        match self.closest.as_slice() {
            [] => write!(f, "; the roster is empty, so file to the {WHOLE_ROTATION}"),
            [one] => write!(f, "; did you mean {one}?"),
            [first @ .., last] => write!(f, "; did you mean {} or {last}?", first.join(", ")),
        }
    }
}

/// Checks a hand-picked assignee against the rotation's engineers (`on_duty`) and the roster,
/// by handle (case and a leading `@` ignored) or by a roster name. Returns the handle as the
/// roster or schedule spells it; an unknown one is an error naming the closest handles.
pub fn check_assignee(handle: &str, on_duty: &[OnDuty], roster: &crate::Roster) -> Result<String, UnknownAssignee> {
    let wanted = handle.trim().trim_start_matches('@');
    if let Some(d) = on_duty.iter().find(|d| d.handle.eq_ignore_ascii_case(wanted)) {
        return Ok(d.handle.clone());
    }
    if let Some(p) = roster.find(wanted).filter(|_| !wanted.is_empty()) {
        return Ok(p.handle.clone());
    }
    // Everyone known, the rotation's engineers first; each scored by the nearer of handle and name.
    let mut known: Vec<(&str, &str)> = on_duty.iter().map(|d| (d.handle.as_str(), d.name.as_str())).collect();
    for p in &roster.people {
        if !known.iter().any(|(h, _)| h.eq_ignore_ascii_case(&p.handle)) {
            known.push((&p.handle, &p.name));
        }
    }
    let lower = wanted.to_lowercase();
    let mut scored: Vec<(usize, usize, &str)> = known
        .iter()
        .enumerate()
        .map(|(i, (h, n))| {
            (
                crate::spelling::edit_distance(&lower, &h.to_lowercase()).min(crate::spelling::edit_distance(&lower, &n.to_lowercase())),
                i,
                *h,
            )
        })
        .collect();
    scored.sort();
    Err(UnknownAssignee { handle: wanted.to_owned(), closest: scored.into_iter().take(3).map(|(_, _, h)| h.to_owned()).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escalation::{EscalationState, Severity};
    use crate::roster::parse_roster;
    use chrono::TimeZone;

    /// Engineers across zones. Tue 2024-03-05 is in northern winter and southern summer:
    /// Chatham is at +13:45, Kathmandu always at +05:45, São Paulo at -03:00.
    const PEOPLE: &str = r#"
[[person]]
handle = "ann"
name = "Ann"
timezone = "Europe/Berlin"
hours = "09:00-17:00"
days = "Mon-Fri"

[[person]]
handle = "kat"
name = "Kat"
timezone = "Asia/Kathmandu"
hours = "09:00-18:00"
days = "Mon-Fri"

[[person]]
handle = "cha"
name = "Cha"
timezone = "Pacific/Chatham"
hours = "09:00-17:00"
days = "Mon-Fri"

[[person]]
handle = "nox"
name = "Nox"
timezone = "America/Sao_Paulo"
hours = "22:00-06:00"
days = "Sun-Thu"

[[person]]
handle = "bob"
name = "Bob"
timezone = "America/New_York"
hours = "09:00-17:00"
days = "Mon-Fri"
"#;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// Ranks `team` (schedule order) at `instant` with `open` escalations per handle, and
    /// checks the order and each reason.
    fn check(instant: &str, team: &[&str], open: &[(&str, usize)], expected: &[(&str, &str)]) {
        let parsed = parse_roster("people.toml", PEOPLE);
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let t = at(instant);
        let on_duty: Vec<OnDuty> = team.iter().map(|h| OnDuty::new(h, &parsed.value, t)).collect();
        let mut counts = OpenCounts::new();
        for (h, n) in open {
            counts.add(h, *n);
        }
        let got: Vec<(String, String)> = rank(&on_duty, &counts, t).into_iter().map(|c| (c.handle, c.reason)).collect();
        let expected: Vec<(String, String)> = expected.iter().map(|(h, r)| (h.to_string(), r.to_string())).collect();
        assert_eq!(got, expected, "at {instant}, open {open:?}");
        assert_eq!(first(rank(&on_duty, &counts, t)).assignee(), expected.first().map(|(h, _)| h.as_str()),);
    }

    const TEAM: &[&str] = &["bob", "nox", "cha", "kat", "ann", "zed"];

    #[test]
    fn working_first_then_fewest_open_then_most_time_left() {
        // Tue 12:00 UTC: Berlin 13:00 (4 h left), Kathmandu 17:45 (15 min left), New York 07:00,
        // São Paulo 09:00 (the night shift ended at 06:00), Chatham Wed 01:45; zed has no roster entry.
        let noon = "2024-03-05T12:00:00Z";
        check(
            noon,
            TEAM,
            &[],
            &[
                ("ann", "working now, 0 open"),
                ("kat", "working now, 0 open"),
                ("bob", "off hours, starts in 2 h"),
                ("nox", "off hours, starts in 13 h"),
                ("cha", "asleep, starts in 7 h 15 min"),
                ("zed", "hours unknown, 0 open"),
            ],
        );
        // Load beats time left among the working; working beats load.
        check(
            noon,
            TEAM,
            &[("ann", 1), ("bob", 0), ("KAT", 2)],
            &[
                ("ann", "working now, 1 open"),
                ("kat", "working now, 2 open"),
                ("bob", "off hours, starts in 2 h"),
                ("nox", "off hours, starts in 13 h"),
                ("cha", "asleep, starts in 7 h 15 min"),
                ("zed", "hours unknown, 0 open"),
            ],
        );
        check(noon, &["ann", "kat"], &[("ann", 1)], &[("kat", "working now, 0 open"), ("ann", "working now, 1 open")]);
        // Off hours before asleep, whatever the load; then the load, then the soonest start.
        check(
            noon,
            &["cha", "nox", "bob"],
            &[("bob", 1)],
            &[("nox", "off hours, starts in 13 h"), ("bob", "off hours, starts in 2 h, 1 open"), ("cha", "asleep, starts in 7 h 15 min")],
        );
    }

    /// The list beside each status says the rest once ("working" is not said again), and a pick
    /// who is not working is warned about in their own time, odd offsets as given.
    #[test]
    fn the_detail_leaves_the_status_out_and_the_off_hours_are_warned() {
        let parsed = parse_roster("people.toml", PEOPLE);
        let t = at("2024-03-05T12:00:00Z");
        let on_duty: Vec<OnDuty> = TEAM.iter().map(|h| OnDuty::new(h, &parsed.value, t)).collect();
        let mut counts = OpenCounts::new();
        counts.add("bob", 1);
        let got: Vec<(String, String, Option<String>)> =
            rank(&on_duty, &counts, t).iter().map(|c| (c.handle.clone(), c.detail.clone(), not_working_warning(c, t))).collect();
        let want = [
            ("ann", "ends in 4 h, 0 open", None),
            ("kat", "ends in 15 min, 0 open", None),
            (
                "nox",
                "starts in 13 h",
                Some("Nox is off hours (Tue 09:00 UTC-03:00), starts in 13 h: file to them anyway, or pick someone working."),
            ),
            (
                "bob",
                "starts in 2 h, 1 open",
                Some("Bob is off hours (Tue 07:00 EST), starts in 2 h: file to them anyway, or pick someone working."),
            ),
            (
                "cha",
                "starts in 7 h 15 min",
                Some("Cha is asleep (Wed 01:45 UTC+13:45), starts in 7 h 15 min: file to them anyway, or pick someone working."),
            ),
            ("zed", "0 open", None),
        ];
        let want: Vec<(String, String, Option<String>)> =
            want.iter().map(|(h, d, w)| (h.to_string(), d.to_string(), w.map(str::to_owned))).collect();
        assert_eq!(got, want);
        for (c, d) in rank(&on_duty, &counts, t).iter().zip(&on_duty) {
            assert!(!c.detail.contains(c.status.label()), "{} says its status again: {}", c.handle, c.detail);
            assert_eq!(c.covering, None, "{}", d.handle);
        }
    }

    #[test]
    fn a_night_shift_is_working_time_and_plus_13_45_counts_its_own_day() {
        // Wed 02:00 UTC: São Paulo Tue 23:00 (night shift, 7 h left), Chatham Wed 15:45
        // (1 h 15 min left), Kathmandu 07:45, Berlin 03:00, New York Tue 21:00.
        let t = "2024-03-06T02:00:00Z";
        check(
            t,
            TEAM,
            &[],
            &[
                ("nox", "working now, 0 open"),
                ("cha", "working now, 0 open"),
                ("kat", "off hours, starts in 1 h 15 min"),
                ("bob", "off hours, starts in 12 h"),
                ("ann", "asleep, starts in 6 h"),
                ("zed", "hours unknown, 0 open"),
            ],
        );
        check(t, &["nox", "cha"], &[("nox", 1)], &[("cha", "working now, 0 open"), ("nox", "working now, 1 open")]);
        // Chatham in southern winter is at +12:45: Wed 02:00 UTC on 2024-07-10 is 14:45 there,
        // 05:30 UTC is 18:15 (Thu 09:00 is 14 h 45 min away: about 15 h, never "14 h").
        check("2024-07-10T02:00:00Z", &["cha"], &[], &[("cha", "working now, 0 open")]);
        check("2024-07-10T05:30:00Z", &["cha"], &[], &[("cha", "off hours, starts in about 15 h")]);
    }

    #[test]
    fn with_nobody_working_the_soonest_start_wins() {
        // Sat 12:00 UTC: nobody works at weekends but nox, whose night shifts start on Sundays.
        // Off hours: nox (Sun 22:00 São Paulo = Mon 01:00 UTC), kat (Mon 03:15 UTC), ann
        // (Mon 08:00 UTC), bob (Mon 14:00 UTC). Asleep: cha (Sun 01:45 there).
        check(
            "2024-03-09T12:00:00Z",
            &["bob", "ann", "kat", "nox", "cha"],
            &[],
            &[
                ("nox", "off hours, starts in 37 h"),
                ("kat", "off hours, starts in about 39 h"), // 39 h 15 min
                ("ann", "off hours, starts in 44 h"),
                ("bob", "off hours, starts in about 2 days"),
                ("cha", "asleep, starts in about 31 h"), // 31 h 15 min
            ],
        );
        // Everyone asleep: the soonest start. Tue 22:30 UTC: Berlin 23:30, Kathmandu 04:15,
        // New York 17:30 (off hours), Chatham Wed 12:15 (working) left out.
        check(
            "2024-03-05T22:30:00Z",
            &["ann", "kat"],
            &[],
            &[("kat", "asleep, starts in 4 h 45 min"), ("ann", "asleep, starts in 9 h 30 min")],
        );
    }

    #[test]
    fn equal_in_everything_keeps_the_schedule_order() {
        check("2024-03-05T12:00:00Z", &["zed", "yan"], &[], &[("zed", "hours unknown, 0 open"), ("yan", "hours unknown, 0 open")]);
    }

    #[test]
    fn nobody_on_rotation_is_its_own_answer() {
        let s = first(rank(&[], &OpenCounts::new(), at("2024-03-05T12:00:00Z")));
        assert_eq!(s, Suggestion::NobodyOnRotation);
        assert_eq!((s.assignee(), s.reason()), (None, "nobody on rotation"));
    }

    #[test]
    fn only_active_escalations_count_as_load() {
        use EscalationState::*;
        let list: Vec<Escalation> = [("ann", Open), ("Ann", Acknowledged), ("bob", HandedToEngineering), ("bob", Resolved), ("cy", Queued)]
            .iter()
            .enumerate()
            .map(|(i, (a, s))| Escalation {
                id: i.to_string(),
                title: "t".into(),
                severity: Severity::Sev3,
                assignee: Some(a.to_string()),
                state: *s,
                created_at: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
                ..Escalation::default()
            })
            .collect();
        let counts = OpenCounts::from_escalations(&list);
        assert_eq!((counts.get("@ann"), counts.get("bob"), counts.get("cy"), counts.get("dee")), (2, 1, 0, 0));
    }

    #[test]
    fn a_hand_picked_assignee_must_be_on_the_rotation_or_in_the_roster() {
        let roster = parse_roster("people.toml", PEOPLE).value;
        let t = at("2024-03-05T12:00:00Z");
        let on_duty: Vec<OnDuty> = ["ann", "kat", "zed"].iter().map(|h| OnDuty::new(h, &roster, t)).collect();
        for (given, expected) in [
            ("ann", Ok("ann")),
            ("@KAT", Ok("kat")),
            ("zed", Ok("zed")), // on the rotation, though not in the roster
            ("bob", Ok("bob")), // in the roster, off this rotation
            ("Nox", Ok("nox")), // a roster name
            ("nobody", Err("\"nobody\" is not an engineer on this rotation or in the roster; did you mean nox, bob or zed?")),
            ("anne", Err("\"anne\" is not an engineer on this rotation or in the roster; did you mean ann, nox or kat?")),
            ("", Err("\"\" is not an engineer on this rotation or in the roster; did you mean ann, kat or zed?")),
        ] {
            let got = check_assignee(given, &on_duty, &roster).map_err(|e| e.to_string());
            assert_eq!(got, expected.map(str::to_owned).map_err(str::to_owned), "--to {given:?}");
        }
        let empty = crate::Roster::default();
        assert_eq!(
            check_assignee("x", &[], &empty).unwrap_err().to_string(),
            "\"x\" is not an engineer on this rotation or in the roster; the roster is empty, so file to the whole rotation"
        );
    }

    #[test]
    fn a_reassignment_goes_to_the_others_on_duty_best_first() {
        let parsed = parse_roster("people.toml", PEOPLE);
        let t = at("2024-03-05T12:00:00Z");
        let on_duty: Vec<OnDuty> = ["bob", "ann", "kat"].iter().map(|h| OnDuty::new(h, &parsed.value, t)).collect();
        let e = Escalation {
            id: "7".into(),
            title: "Search is down".into(),
            severity: Severity::Sev2,
            assignee: Some("ANN".into()),
            state: EscalationState::Acknowledged,
            created_at: t,
            ..Escalation::default()
        };
        let handles = |c: Vec<Candidate>| c.into_iter().map(|c| c.handle).collect::<Vec<_>>();
        assert_eq!(handles(takers(&on_duty, &e, &OpenCounts::new(), t)), ["kat", "bob"], "ann holds it: the others, working first");
        let alone = [OnDuty::new("ann", &parsed.value, t)];
        assert_eq!(first(takers(&alone, &e, &OpenCounts::new(), t)), Suggestion::NobodyOnRotation);
    }
}
