//! Reminders, offers, the day's start and holding while asleep, carried out by the poller: it asks
//! the core what to say ([`rota_core::remind::decide`]) after each successful poll, shows it
//! through the [`Notifier`] (an offer with Take, a withdrawn offer closed), and keeps what was said
//! in the state database beside the seen sets ([`Store::save_state`]), so each notice is said once
//! across restarts and sleeps. A notice that could not be shown is left out of the kept state, and
//! tried again at the next poll.
//!
//! The schedule and roster come from the tray's live state ([`Shared`], kept current at each
//! refresh); while the inputs have problems (a schedule that failed to load) nothing is decided.

use crate::notifier::{ActionSink, Notifier, NotifyError};
use chrono::{DateTime, Utc};
use rota_core::escalation::Escalation;
use rota_core::remind::{self, Context, Decision, Prefs, RemindState, Say, Team};
use rota_core::{Roster, Schedule, Timing};
use std::sync::{Arc, Mutex};

/// What the reminders need of the live state.
#[derive(Debug, Clone)]
pub struct TeamNow {
    pub schedule: Schedule,
    pub roster: Roster,
    pub timing: Timing,
    pub viewer: chrono_tz::Tz,
    pub prefs: Prefs,
}

/// The live team, shared by the tray (which keeps it current) and the poller; `None` until the
/// inputs read without problems.
pub type Shared = Arc<Mutex<Option<TeamNow>>>;

impl TeamNow {
    /// The team of the live state, or `None` while its inputs have problems.
    pub fn of(live: &crate::live::Live) -> Option<TeamNow> {
        live.problems.is_empty().then(|| TeamNow {
            schedule: live.inputs.schedule.clone(),
            roster: live.inputs.roster.clone(),
            timing: live.settings.config.schedule.timing,
            viewer: live.settings.viewer,
            prefs: Prefs::of(&live.settings.config),
        })
    }

    pub fn team(&self) -> Team<'_> {
        Team { schedule: &self.schedule, timing: &self.timing, roster: &self.roster }
    }

    /// The escalations `me` is asked about now: how many of mine are past their reminder, and
    /// the others' offered to me.
    /// `said` is the state kept: when my reassigned ones became mine.
    pub fn asking(&self, me: &str, open: &[Escalation], said: Option<&RemindState>, now: DateTime<Utc>) -> (usize, Vec<Escalation>) {
        let team = self.team();
        let mine = |e: &Escalation| e.assignee.as_deref().is_some_and(|a| rota_core::escalation::same_handle(a, me));
        let since = |e: &Escalation| said.and_then(|s| s.since.get(&e.id).copied());
        let waiting = open.iter().filter(|e| mine(e) && remind::overdue(&team, e, since(e), now, &self.prefs)).count();
        let offered = open
            .iter()
            .filter(|e| {
                !mine(e) && remind::offered_to(&team, e, now, &self.prefs).iter().any(|h| rota_core::escalation::same_handle(h, me))
            })
            .cloned()
            .collect();
        (waiting, offered)
    }

    /// What to say now.
    /// `assigned` are the new assignments to me of this poll, `reassigned` the ids among them
    /// that someone else had.
    pub fn decide(
        &self,
        me: &str,
        before: Option<&RemindState>,
        open: &[Escalation],
        (assigned, reassigned): (&[Escalation], &[String]),
        now: DateTime<Utc>,
    ) -> Decision {
        let cx = Context {
            reassigned,
            me,
            now,
            viewer: self.viewer,
            team: self.team(),
            prefs: self.prefs,
            open,
            assigned,
            next_handoff: self.schedule.next_handoff(&self.timing, now),
        };
        remind::decide(before, &cx)
    }
}

/// The scope the state is kept under, beside the poller's seen set's.
pub fn scope(poller_scope: &str) -> String {
    format!("remind:{poller_scope}")
}

/// Says everything decided and returns the state to keep: without what could not be shown, with
/// the offers' notification ids. Blocking (D-Bus): call it off the async threads.
pub fn deliver(notifier: &dyn Notifier, sink: &ActionSink, decision: Decision) -> (RemindState, Option<NotifyError>) {
    let Decision { say, mut state, .. } = decision;
    let mut error = None;
    for s in &say {
        let shown = match s {
            Say::Remind { text, .. } | Say::Release { text, .. } | Say::DayStart { text, .. } => notifier.show(text, sink.clone()),
            Say::Offer { id, text } => notifier.show_offer(text, sink.clone()).map(|n| {
                state.offered.insert(id.clone(), n);
            }),
            Say::Withdraw { notification: Some(n), .. } => notifier.withdraw(*n),
            Say::Withdraw { notification: None, .. } => Ok(()),
        };
        match shown {
            Ok(()) => eprintln!("rota: notice shown: {}", said(s)),
            Err(e) => {
                eprintln!("rota: the notice \"{}\" was not shown: {e}", said(s));
                state.unsay(s);
                error = Some(e);
            }
        }
    }
    (state, error)
}

/// A line for the log: what was said.
fn said(s: &Say) -> String {
    match s {
        Say::Remind { text, .. } | Say::Offer { text, .. } | Say::DayStart { text, .. } | Say::Release { text, .. } => text.summary.clone(),
        Say::Withdraw { id, .. } => format!("the offer of #{id} withdrawn"),
    }
}
