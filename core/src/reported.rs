//! The reporter's side of an escalation: the person who filed one, running Rota with
//! `me` set, is told when it is acknowledged, handed to engineering, or resolved.
//!
//! Exactly once, the way [`crate::escalation::decide`] announces assignments: [`decide_reported`]
//! compares what the notifier saw before (each escalation I filed and its state,
//! [`ReportedSeen`]) with what a successful poll lists now, and returns the notices and the set
//! to store once they are shown ([`seen_after_delivery`] keeps a notice that could not be shown
//! for the next poll). The first run ever records and tells nothing. An escalation assigned to
//! me is left out: I am the one working on it.
//!
//! It is not the notifier nor the store: showing and storing are the shell's job (`poller.rs`).

use crate::escalation::{same_handle, Escalation, EscalationState};
use crate::notice::NoticeText;
use std::collections::BTreeMap;

/// For each escalation I filed, the state the last successful poll saw it in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportedSeen(BTreeMap<String, EscalationState>);

impl ReportedSeen {
    pub fn state(&self, id: &str) -> Option<EscalationState> {
        self.0.get(id).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, EscalationState)> {
        self.0.iter().map(|(id, s)| (id.as_str(), *s))
    }
}

impl FromIterator<(String, EscalationState)> for ReportedSeen {
    fn from_iter<I: IntoIterator<Item = (String, EscalationState)>>(iter: I) -> Self {
        ReportedSeen(iter.into_iter().collect())
    }
}

/// An escalation I filed moved on: acknowledged, handed to engineering or resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub escalation: Escalation,
    /// The state it was seen in before (`open` for one filed since the last poll).
    pub from: EscalationState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedDecision {
    /// Oldest escalation first.
    pub notices: Vec<Progress>,
    pub seen: ReportedSeen,
}

/// Decides which escalations I filed deserve a notice after a successful poll of every
/// escalation (`polled`, closed ones included). `seen` is `None` on the first run.
pub fn decide_reported(seen: Option<&ReportedSeen>, me: &str, polled: &[Escalation]) -> ReportedDecision {
    let mut mine: Vec<&Escalation> = polled
        .iter()
        .filter(|e| e.state != EscalationState::Queued)
        .filter(|e| e.reporter.as_deref().is_some_and(|r| same_handle(r, me)))
        .filter(|e| !e.assignee.as_deref().is_some_and(|a| same_handle(a, me)))
        .collect();
    mine.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
    let notices = match seen {
        None => Vec::new(),
        Some(seen) => mine
            .iter()
            .filter_map(|e| {
                let from = seen.state(&e.id).unwrap_or(EscalationState::Open);
                let worth =
                    matches!(e.state, EscalationState::Acknowledged | EscalationState::HandedToEngineering | EscalationState::Resolved);
                (worth && e.state != from).then(|| Progress { escalation: (*e).clone(), from })
            })
            .collect(),
    };
    let seen = mine.iter().map(|e| (e.id.clone(), e.state)).collect();
    ReportedDecision { notices, seen }
}

/// [`decide_reported`] after a poll that listed only what changed since an earlier one (GitHub's
/// `since`, a repository past 10,000 escalations is never listed whole again): the
/// escalations not listed keep the state seen before, those listed are decided as usual.
pub fn decide_reported_changes(seen: Option<&ReportedSeen>, me: &str, changed: &[Escalation]) -> ReportedDecision {
    let mut decision = decide_reported(seen, me, changed);
    if let Some(before) = seen {
        let listed: std::collections::BTreeSet<&str> = changed.iter().map(|e| e.id.as_str()).collect();
        for (id, state) in before.iter().filter(|(id, _)| !listed.contains(id)) {
            decision.seen.0.insert(id.to_owned(), state);
        }
    }
    decision
}

/// The set to store after the notices were shown except `unshown` (indexes into
/// `decision.notices`): those keep the state seen before, so the next poll tells them again.
pub fn seen_after_delivery(before: Option<&ReportedSeen>, decision: &ReportedDecision, unshown: &[usize]) -> ReportedSeen {
    let failed: Vec<&str> = unshown.iter().filter_map(|&i| decision.notices.get(i)).map(|p| p.escalation.id.as_str()).collect();
    decision
        .seen
        .iter()
        .filter_map(|(id, state)| {
            if failed.contains(&id) {
                // Never seen before: leave it out, so it is compared with `open` again.
                before.and_then(|b| b.state(id)).map(|old| (id.to_owned(), old))
            } else {
                Some((id.to_owned(), state))
            }
        })
        .collect()
}

/// The words of a progress notice: "Your escalation was acknowledged: Search is down". Open goes
/// to the escalation's page; there is nothing for the reporter to acknowledge.
pub fn progress_text(p: &Progress) -> NoticeText {
    let e = &p.escalation;
    let what = match e.state {
        EscalationState::Acknowledged => "was acknowledged".to_owned(),
        EscalationState::HandedToEngineering => match e.team.as_deref() {
            Some(team) => format!("went to engineering ({team})"),
            None => "went to engineering".to_owned(),
        },
        EscalationState::Resolved => "was resolved".to_owned(),
        EscalationState::Open | EscalationState::Queued => "was reopened".to_owned(),
    };
    let mut lines = Vec::new();
    if let Some(a) = e.assignee.as_deref() {
        lines.push(format!("Assigned to {a}"));
    }
    if let Some(c) = e.customer.as_deref().filter(|c| !c.trim().is_empty()) {
        lines.push(format!("Customer: {}", c.trim()));
    }
    lines.push(format!("Severity: {}", e.severity));
    NoticeText {
        summary: format!("Your escalation {what}: {}", e.title.trim()),
        body: lines.join("\n"),
        critical: false,
        escalation_id: None,
        url: e.page.clone().or_else(|| e.url.clone()),
        ticket: None,
    }
}
