//! Nothing waits in silence: reminders counted in the assignee's working minutes, the offer of an
//! unacknowledged escalation to whoever is working now, the notice at the start of my day, and
//! non-urgent assignments held while I sleep.
//!
//! [`decide`] is pure, as [`crate::handoff::decide`] is: the instant, the schedule, the roster,
//! the open escalations and what was said before ([`RemindState`], `None` on a first run) in; what
//! to say ([`Say`]) and the state to keep out. Each notice is said once. A first run says what is
//! still actionable (an escalation still unacknowledged, an offer that still holds) and nothing
//! about the past: a day already under way counts as started.
//!
//! Working time is the roster's hours and days in the person's zone, and only while the schedule
//! has them on duty (coverings applied: a day someone covers for them does not count). Filed at
//! 21:50 with hours 09:00-18:00, thirty working minutes are over at 09:30 the next working day.
//!
//! It is not the place that stores the state or shows the notifications (the shell does both).

use crate::config::Config;
use crate::duty::{status, LocalTime, Status};
use crate::escalation::{same_handle, Escalation, EscalationState, Severity};
use crate::notice::{Names, NoticeText};
use crate::roster::{Person, Roster};
use crate::schedule::{Schedule, Timing};
use crate::words;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The switches of this module, from `[escalations]` and `[notices]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefs {
    /// Working minutes before a reminder; `None`: no reminders.
    pub ack_within: Option<u32>,
    /// Wall-clock minutes unacknowledged before it is offered to the others; `None`: no offers
    /// but a sev1's to someone not working.
    pub offer_after: Option<u32>,
    pub day_start: bool,
    pub hold_while_asleep: bool,
}

impl Prefs {
    pub fn of(config: &Config) -> Prefs {
        Prefs {
            ack_within: config.escalations.ack_within,
            offer_after: config.escalations.offer_after,
            day_start: config.notices.day_start,
            hold_while_asleep: config.notices.hold_while_asleep,
        }
    }
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs { ack_within: Some(30), offer_after: Some(60), day_start: true, hold_while_asleep: true }
    }
}

/// The schedule and the roster: whose time is working time, and who is on duty.
#[derive(Debug, Clone, Copy)]
pub struct Team<'a> {
    pub schedule: &'a Schedule,
    pub timing: &'a Timing,
    pub roster: &'a Roster,
}

/// The longest a working-time count looks ahead or back: past it, nothing is due.
const HORIZON_DAYS: i64 = 60;

impl Team<'_> {
    /// The spans in `[from, to)` in which `handle` works: their shifts while on duty
    /// ([`crate::coverage::working`], time away cut out), in order.
    fn working_spans(&self, handle: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let Some(person) = self.roster.find(handle) else { return Vec::new() };
        self.schedule
            .stretches_of(self.timing, &person.handle)
            .iter()
            .filter(|s| s.start < to && from < s.end)
            .flat_map(|s| crate::coverage::working(self.schedule, person, s.start.max(from), s.end.min(to)))
            .map(|s| (s.start, s.end))
            .collect()
    }

    /// Whole working minutes `handle` had in `[from, to)`.
    pub fn working_minutes(&self, handle: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        let from = from.max(to - Duration::days(HORIZON_DAYS));
        self.working_spans(handle, from, to).iter().map(|(a, b)| (*b - *a).num_seconds()).sum::<i64>() / 60
    }

    /// The instant at which `handle` will have worked `minutes` since `from`; `None` when that
    /// is not within [`HORIZON_DAYS`] (they are on no rotation, say).
    pub fn after_working(&self, handle: &str, from: DateTime<Utc>, minutes: u32) -> Option<DateTime<Utc>> {
        let mut left = Duration::minutes(minutes.into());
        for (a, b) in self.working_spans(handle, from, from + Duration::days(HORIZON_DAYS)) {
            if b - a >= left {
                return Some(a + left);
            }
            left -= b - a;
        }
        None
    }

    /// The engineers on duty at `at` who are working then (away is not working).
    fn working_on_duty(&self, at: DateTime<Utc>) -> Vec<String> {
        self.schedule
            .team_at(self.timing, at)
            .into_iter()
            .filter(|m| !self.working_spans(&m.handle, at, at + Duration::seconds(1)).is_empty())
            .map(|m| self.roster.find(&m.handle).map_or(m.handle.clone(), |p| p.handle.clone()))
            .collect()
    }
}

/// The escalation waits for its assignee's acknowledgement: open and assigned.
fn waiting(e: &Escalation) -> Option<&str> {
    (e.state == EscalationState::Open).then_some(e.assignee.as_deref()).flatten()
}

/// `"waiting_minutes"`: the working minutes an open escalation has waited for its assignee
/// since it was filed; `None` when it waits for nobody (acknowledged, unassigned).
pub fn waiting_minutes(team: &Team, e: &Escalation, now: DateTime<Utc>) -> Option<i64> {
    waiting(e).map(|a| team.working_minutes(a, e.created_at, now))
}

/// Whether an open escalation is past its reminder: `ack_within` working minutes waited since
/// `since` (when it became its assignee's: filed, or reassigned; never before it was filed).
pub fn overdue(team: &Team, e: &Escalation, since: Option<DateTime<Utc>>, now: DateTime<Utc>, prefs: &Prefs) -> bool {
    let (Some(a), Some(m)) = (waiting(e), prefs.ack_within) else { return false };
    let since = since.map_or(e.created_at, |t| t.max(e.created_at));
    team.after_working(a, since, m).is_some_and(|t| t <= now)
}

/// `"offered_to"`: whom an escalation is offered to now: when it has waited `offer_after`
/// wall-clock minutes unacknowledged, or is a sev1 whose assignee is not working, every other
/// engineer on duty who is working now. Empty otherwise.
pub fn offered_to(team: &Team, e: &Escalation, now: DateTime<Utc>, prefs: &Prefs) -> Vec<String> {
    let Some(a) = waiting(e) else { return Vec::new() };
    let long = prefs.offer_after.is_some_and(|m| now - e.created_at >= Duration::minutes(m.into()));
    let sev1 = e.severity == Severity::Sev1 && status(team.roster.find(a), now) != Status::Working;
    if !(long || sev1) {
        return Vec::new();
    }
    team.working_on_duty(now).into_iter().filter(|h| !same_handle(h, a)).collect()
}

/// Whether a new assignment to me is held for my day's start: it is not a sev1 and I am asleep.
pub fn held(me: Option<&Person>, e: &Escalation, now: DateTime<Utc>, prefs: &Prefs) -> bool {
    prefs.hold_while_asleep && e.severity != Severity::Sev1 && status(me, now) == Status::Asleep
}

/// What was said, kept between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemindState {
    pub me: String,
    /// My escalations reminded of, while they stay open and mine.
    #[serde(default)]
    pub reminded: BTreeSet<String>,
    /// Escalations offered to me, with the notification's id when the server gave one (to close
    /// it when the offer is withdrawn).
    #[serde(default)]
    pub offered: BTreeMap<String, Option<u32>>,
    /// The last day (in my zone, the day my shift started) whose start was said.
    #[serde(default)]
    pub day: Option<NaiveDate>,
    /// Assignments to me held while I slept, said at my day's start.
    #[serde(default)]
    pub held: BTreeSet<String>,
    /// My open escalations reassigned to me (not filed to me), with when I saw that: their wait
    /// starts there.
    #[serde(default)]
    pub since: BTreeMap<String, DateTime<Utc>>,
}

impl RemindState {
    /// Forgets that `say` was said (it could not be shown), so the next poll tries again.
    pub fn unsay(&mut self, say: &Say) {
        match say {
            Say::Remind { id, .. } => {
                self.reminded.remove(id);
            }
            Say::Offer { id, .. } => {
                self.offered.remove(id);
            }
            Say::DayStart { day, released, .. } => {
                if self.day == Some(*day) {
                    self.day = None;
                }
                self.held.extend(released.iter().cloned());
            }
            Say::Release { escalation, .. } => {
                self.held.insert(escalation.id.clone());
            }
            Say::Withdraw { .. } => {}
        }
    }
}

/// One thing to say (or unsay).
// Few and short-lived: boxing the escalation would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Say {
    /// "#12 has waited 30 working minutes for you": Acknowledge and Open.
    Remind { id: String, text: NoticeText },
    /// "#12 waits for Lord Howe (asleep, 03:10 there) — Take it?": Take.
    Offer { id: String, text: NoticeText },
    /// An offer that no longer holds: its notification closed.
    Withdraw { id: String, notification: Option<u32> },
    /// The start of my day, with the assignments held while I slept (`released`).
    DayStart { day: NaiveDate, released: Vec<String>, text: NoticeText },
    /// An assignment held while I slept, said on its own (the day's start is turned off).
    Release { escalation: Escalation, text: NoticeText },
}

/// What [`decide`] needs.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub me: &'a str,
    pub now: DateTime<Utc>,
    /// My zone, for "09:00 your time".
    pub viewer: Tz,
    pub team: Team<'a>,
    pub prefs: Prefs,
    /// Every open escalation listed (or, where the backend lists only mine, mine).
    pub open: &'a [Escalation],
    /// The escalations newly assigned to me in this poll (the poller's "new escalation" notices):
    /// held ones are taken out of them ([`Decision::held_now`]).
    pub assigned: &'a [Escalation],
    /// Of those, the ids reassigned to me from someone else: their wait starts now.
    pub reassigned: &'a [String],
    /// My next hand-off, for the day's start.
    pub next_handoff: Option<DateTime<Utc>>,
}

/// What one look decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub say: Vec<Say>,
    /// Of [`Context::assigned`], the ids held for my day's start: not announced now.
    pub held_now: Vec<String>,
    /// The state to keep once everything is said.
    pub state: RemindState,
}

impl Context<'_> {
    fn names(&self) -> Names {
        Names::of(self.team.roster)
    }

    fn mine(&self, e: &Escalation) -> bool {
        e.state.is_active() && e.assignee.as_deref().is_some_and(|a| same_handle(a, self.me))
    }
}

/// The notices due now and the state to keep.
pub fn decide(before: Option<&RemindState>, cx: &Context) -> Decision {
    let before = before.filter(|b| same_handle(&b.me, cx.me));
    // A first run (or a new `me`): the day already under way is past news, not said.
    let first_run = before.is_none();
    let before = before.cloned().unwrap_or_default();
    let mut state = RemindState { me: cx.me.to_owned(), day: before.day, ..RemindState::default() };
    let (now, prefs, names) = (cx.now, cx.prefs, cx.names());
    let me = cx.team.roster.find(cx.me);
    let mut say = Vec::new();

    // Held: what was held and is still mine, and what is newly assigned while I sleep.
    let still_mine = |id: &str| cx.open.iter().any(|e| e.id == id && cx.mine(e));
    state.held = before.held.iter().filter(|id| still_mine(id)).cloned().collect();
    let held_now: Vec<String> = cx.assigned.iter().filter(|e| held(me, e, now, &prefs)).map(|e| e.id.clone()).collect();
    state.held.extend(held_now.iter().cloned());

    // Reminders: each of mine once, when its working minutes are over.
    for e in cx.open.iter().filter(|e| cx.mine(e)) {
        let since = before.since.get(&e.id).copied().or_else(|| cx.reassigned.contains(&e.id).then_some(now));
        if let Some(t) = since.filter(|_| waiting(e).is_some()) {
            state.since.insert(e.id.clone(), t);
        }
        if before.reminded.contains(&e.id) && waiting(e).is_some() {
            state.reminded.insert(e.id.clone());
        } else if overdue(&cx.team, e, since, now, &prefs) && !state.held.contains(&e.id) {
            state.reminded.insert(e.id.clone());
            say.push(Say::Remind { id: e.id.clone(), text: reminder_text(e, prefs.ack_within.unwrap_or_default()) });
        }
    }

    // Offers to me: said once while they hold, withdrawn when they stop.
    for e in cx.open.iter().filter(|e| !cx.mine(e)) {
        if offered_to(&cx.team, e, now, &prefs).iter().any(|h| same_handle(h, cx.me)) {
            match before.offered.get(&e.id) {
                Some(n) => {
                    state.offered.insert(e.id.clone(), *n);
                }
                None => {
                    state.offered.insert(e.id.clone(), None);
                    say.push(Say::Offer { id: e.id.clone(), text: offer_text(e, cx, &names) });
                }
            }
        }
    }
    for (id, n) in before.offered.iter().filter(|(id, _)| !state.offered.contains_key(*id)) {
        say.push(Say::Withdraw { id: id.clone(), notification: *n });
    }

    // The day's start, once a day while I am within my hours on duty; the held ones with it.
    let day = me.and_then(|p| Some((p.shift_at(now)?, p.timezone?))).map(|(s, tz)| s.start.with_timezone(&tz).date_naive());
    let on_duty = cx.team.schedule.team_at(cx.team.timing, now).iter().any(|m| same_handle(&m.handle, cx.me));
    if let Some(day) = day {
        let released: Vec<String> = state.held.iter().cloned().collect();
        if first_run {
            state.day = Some(day);
        } else if prefs.day_start && on_duty && before.day != Some(day) {
            state.day = Some(day);
            let text = day_start_text(cx, &state, &names);
            state.held.clear();
            say.push(Say::DayStart { day, released, text });
        } else {
            for id in released {
                if let Some(e) = cx.open.iter().find(|e| e.id == id) {
                    let text = crate::notice::text_named(
                        &crate::escalation::Notice::Assigned { escalation: e.clone(), reassigned_from: None },
                        &names,
                    );
                    say.push(Say::Release { escalation: e.clone(), text });
                }
            }
            state.held.clear();
        }
    }
    Decision { say, held_now, state }
}

fn plain(summary: String, body: String, id: Option<&Escalation>) -> NoticeText {
    NoticeText {
        summary,
        body,
        critical: id.is_some_and(|e| e.severity == Severity::Sev1),
        escalation_id: id.map(|e| e.id.clone()),
        url: id.and_then(|e| e.page.clone().or_else(|| e.url.clone())),
        ticket: None,
    }
}

/// "#12 has waited 30 working minutes for you".
pub fn reminder_text(e: &Escalation, minutes: u32) -> NoticeText {
    let plural = if minutes == 1 { "" } else { "s" };
    plain(
        format!("#{} has waited {minutes} working minute{plural} for you", e.id),
        format!("{}\nSeverity: {} · not acknowledged yet", e.title.trim(), e.severity),
        Some(e),
    )
}

/// Where an engineer is: "asleep, 03:10 there"; "asleep" with no zone known.
fn whereabouts(p: Option<&Person>, now: DateTime<Utc>) -> String {
    let s = status(p, now).label();
    match p.and_then(|p| p.timezone) {
        Some(tz) => format!("{s}, {} there", LocalTime::new(tz, now).time.format("%H:%M")),
        None => s.to_owned(),
    }
}

/// "#12 waits for Lord Howe (asleep, 03:10 there) — Take it?".
pub fn offer_text(e: &Escalation, cx: &Context, names: &Names) -> NoticeText {
    let a = e.assignee.as_deref().unwrap_or_default();
    let p = cx.team.roster.find(a);
    let waited = words::span((cx.now - e.created_at).num_seconds().max(0).unsigned_abs());
    plain(
        format!("#{} waits for {} ({}) — Take it?", e.id, names.say(a), whereabouts(p, cx.now)),
        format!("{}\nSeverity: {} · unacknowledged for {waited}", e.title.trim(), e.severity),
        Some(e),
    )
}

/// The day's start: who is on with me, my open escalations, what waits for a hand, the held
/// ones, the next hand-off.
fn day_start_text(cx: &Context, state: &RemindState, names: &Names) -> NoticeText {
    let now = cx.now;
    let mut lines = Vec::new();
    let others: Vec<String> = cx
        .team
        .schedule
        .team_at(cx.team.timing, now)
        .iter()
        .filter(|m| !same_handle(&m.handle, cx.me))
        .map(|m| format!("{} ({})", names.say(&m.handle), whereabouts(cx.team.roster.find(&m.handle), now)))
        .collect();
    lines.push(match others.is_empty() {
        true => "On with you: nobody else".to_owned(),
        false => format!("On with you: {}", others.join(", ")),
    });
    let mine: Vec<&Escalation> = cx.open.iter().filter(|e| cx.mine(e)).collect();
    let waiting: Vec<&&Escalation> = mine.iter().filter(|e| e.state == EscalationState::Open).collect();
    let mut open = format!("Your open escalations: {}", mine.len());
    if let Some(oldest) = waiting.iter().map(|e| e.created_at).min() {
        open.push_str(&format!(
            ", {} waiting for acknowledgement, the oldest for {}",
            waiting.len(),
            words::span((now - oldest).num_seconds().max(0).unsigned_abs())
        ));
    }
    lines.push(open);
    for id in &state.held {
        if let Some(e) = mine.iter().find(|e| &e.id == id) {
            lines.push(format!("While you slept: #{} {} ({})", e.id, e.title.trim(), e.severity));
        }
    }
    for e in cx.open.iter().filter(|e| state.offered.contains_key(&e.id)) {
        lines.push(format!("Waiting for a hand: #{} {}", e.id, e.title.trim()));
    }
    if let Some(t) = cx.next_handoff {
        lines.push(format!(
            "Next hand-off: {}, {} your time",
            words::short_date(t, cx.viewer),
            t.with_timezone(&cx.viewer).format("%H:%M")
        ));
    }
    let n = waiting.len();
    let summary = match n {
        0 => "Your day on rotation starts".to_owned(),
        _ => format!("Your day on rotation starts: {n} waiting for you"),
    };
    NoticeText { summary, body: lines.join("\n"), critical: false, escalation_id: None, url: None, ticket: None }
}

/// The tray's line: "⚠ 2 waiting for your acknowledgement"; `None` for none.
pub fn waiting_line(n: usize) -> Option<String> {
    (n > 0).then(|| format!("⚠ {n} waiting for your acknowledgement"))
}

/// One escalation under "Waiting for a hand": "#12 Search is down — waits for Lord Howe".
pub fn offer_line(e: &Escalation, names: &Names) -> String {
    format!("#{} {} — waits for {}", e.id, e.title.trim(), names.say(e.assignee.as_deref().unwrap_or_default()))
}
