//! An escalation's life after it is filed: the [`Action`]s a person takes on it
//! (acknowledge, resolve, engage engineering, reassign, reopen), which of them each
//! [`EscalationState`] allows ([`plan`]), and the [`HistoryEntry`] each change leaves behind.
//!
//! Every action is idempotent: taking it again when its effect is already there is
//! [`Plan::Unchanged`] (nothing is written, nothing recorded), never an error. An action that
//! makes no sense in the state (acknowledging a resolved escalation) is a [`NotAllowed`] that says
//! what to do instead.
//!
//! It is not a backend: storing the change (SQLite rows, GitHub labels and comments) is the
//! shell's job, and `now` and the person acting are handed in.

use crate::escalation::{same_handle, Escalation, EscalationState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a person does to an escalation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// "I am on it."
    Acknowledge,
    /// Done, with an optional note on how.
    Resolve { note: Option<String> },
    /// Handed to the owning engineering team, optionally with the link of what was filed there.
    Engage { team: String, url: Option<String> },
    /// Given to another engineer (already checked against the rotation by the caller), with an
    /// optional note on why ("handed over at rotation end").
    Reassign { to: String, note: Option<String> },
    /// A resolved escalation is open again.
    Reopen,
    /// Taken by `me` from whoever it waits for: mine and acknowledged, in one change.
    Take { me: String },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Acknowledge => ActionKind::Acknowledge,
            Action::Resolve { .. } => ActionKind::Resolve,
            Action::Engage { .. } => ActionKind::Engage,
            Action::Reassign { .. } => ActionKind::Reassign,
            Action::Reopen => ActionKind::Reopen,
            Action::Take { .. } => ActionKind::Take,
        }
    }

    /// The verb, as the command line and the history name it.
    pub fn verb(&self) -> &'static str {
        self.kind().verb()
    }

    /// What was done, in one sentence, as the command line and the action window say it:
    /// "Engaged engineering (search) on escalation 12". `to` is the new assignee as a person
    /// reads them (their name), for a reassignment.
    pub fn done(&self, id: &str, to: &str) -> String {
        match self {
            Action::Acknowledge => format!("Acknowledged escalation {id}"),
            Action::Resolve { .. } => format!("Resolved escalation {id}"),
            Action::Engage { team, .. } => format!("Engaged engineering ({team}) on escalation {id}"),
            Action::Reassign { .. } => format!("Reassigned escalation {id} to {to}"),
            Action::Reopen => format!("Reopened escalation {id}"),
            Action::Take { .. } => format!("Took escalation {id}: it is yours, acknowledged"),
        }
    }

    /// What is said when the action's effect is there already ([`Plan::Unchanged`]): "Escalation
    /// 12 is already resolved". `to` is the assignee as a person reads them.
    pub fn already(&self, id: &str, to: &str) -> String {
        match self {
            Action::Acknowledge => format!("Escalation {id} is already acknowledged"),
            Action::Resolve { .. } => format!("Escalation {id} is already resolved"),
            Action::Engage { team, .. } => format!("Escalation {id} is already with engineering ({team})"),
            Action::Reassign { .. } => format!("Escalation {id} is already assigned to {to}"),
            Action::Reopen => format!("Escalation {id} is already open"),
            Action::Take { .. } => format!("Escalation {id} is already yours"),
        }
    }

    /// The note this action records, if any: the resolve note, or the engineering link.
    pub fn note(&self) -> Option<&str> {
        match self {
            Action::Resolve { note } => note.as_deref(),
            Action::Engage { url, .. } => url.as_deref(),
            Action::Reassign { note, .. } => note.as_deref(),
            _ => None,
        }
        .map(str::trim)
        .filter(|n| !n.is_empty())
    }
}

/// The kinds of [`Action`], as the front ends name them (buttons, menu items).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Acknowledge,
    Resolve,
    Engage,
    Reassign,
    Reopen,
    /// Someone else's escalation made mine and acknowledged: offered to me, not in [`Self::ALL`]
    /// (the buttons on my own escalations).
    Take,
}

impl ActionKind {
    pub const ALL: [ActionKind; 5] =
        [ActionKind::Acknowledge, ActionKind::Resolve, ActionKind::Engage, ActionKind::Reassign, ActionKind::Reopen];

    /// The verb, as the command line and the history name it.
    pub fn verb(self) -> &'static str {
        match self {
            ActionKind::Acknowledge => "acknowledge",
            ActionKind::Resolve => "resolve",
            ActionKind::Engage => "engage engineering on",
            ActionKind::Reassign => "reassign",
            ActionKind::Reopen => "reopen",
            ActionKind::Take => "take",
        }
    }
}

/// Why `kind` is not offered on `e` (see [`offered`]), or `None` when it is.
pub fn refusal(e: &Escalation, kind: ActionKind) -> Option<NotAllowed> {
    (!offered(e).contains(&kind)).then(|| NotAllowed { id: e.id.clone(), state: e.state, verb: kind.verb() })
}

/// The longest team name: GitHub keeps it in a `team:NAME` label, and a label has 50 characters.
pub const TEAM_NAME_MAX: usize = 45;

/// A team's name as an engagement records it (trimmed), or why it cannot be one: GitHub keeps it
/// in a `team:NAME` label, where a comma would split it.
pub fn team_name(team: &str) -> Result<String, &'static str> {
    let team = team.trim();
    if team.is_empty() {
        Err("name the engineering team")
    } else if team.chars().any(|c| c.is_control() || c == ',') {
        Err("a team's name has no commas or control characters")
    } else if team.chars().count() > TEAM_NAME_MAX {
        Err("a team's name has at most 45 characters")
    } else {
        Ok(team.to_owned())
    }
}

/// The actions worth offering on `e`: those that change something in its state (see [`plan`]),
/// in button order. Open: acknowledge, resolve, engage, reassign; acknowledged or with
/// engineering: resolve, engage, reassign; resolved: reopen; queued: none.
pub fn offered(e: &Escalation) -> Vec<ActionKind> {
    use EscalationState::*;
    ActionKind::ALL
        .into_iter()
        .filter(|k| match (k, e.state) {
            (_, Queued) => false,
            (ActionKind::Acknowledge, s) => s == Open,
            (ActionKind::Reopen, s) => s == Resolved,
            (_, s) => s.is_active(),
        })
        .collect()
}

/// What an action does to an escalation in a given state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Its effect is there already: write nothing, record nothing.
    Unchanged,
    /// Move to `state` (possibly the same state, for a reassignment or a new team), setting the
    /// assignee and team given.
    Change { state: EscalationState, assignee: Option<String>, team: Option<String> },
}

/// An action the escalation's state does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAllowed {
    pub id: String,
    pub state: EscalationState,
    pub verb: &'static str,
}

impl fmt::Display for NotAllowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.state {
            EscalationState::Resolved => {
                write!(
                    f,
                    "escalation {} is resolved, so there is nothing to {}: reopen it first (`rota reopen {}`)",
                    self.id, self.verb, self.id
                )
            }
            EscalationState::Queued => {
                write!(f, "escalation {} is still waiting in the outbox, so it cannot be changed yet: `rota outbox` shows why", self.id)
            }
            s => write!(f, "escalation {} is {s}: cannot {} it", self.id, self.verb),
        }
    }
}

impl std::error::Error for NotAllowed {}

/// Which change `action` makes to `e`, given its current state, assignee and team.
///
/// | action | open | acknowledged | handed to engineering | resolved |
/// | --- | --- | --- | --- | --- |
/// | acknowledge | acknowledged | unchanged | unchanged | not allowed |
/// | resolve | resolved | resolved | resolved | unchanged |
/// | engage | handed (team) | handed (team) | same team: unchanged; else the new team | not allowed |
/// | reassign | same state, new assignee (same one: unchanged) | ditto | ditto | not allowed |
/// | reopen | unchanged | unchanged | unchanged | open |
///
/// A queued escalation (in the outbox, not in any backend) allows nothing.
pub fn plan(e: &Escalation, action: &Action) -> Result<Plan, NotAllowed> {
    use EscalationState::*;
    let not_allowed = || NotAllowed { id: e.id.clone(), state: e.state, verb: action.verb() };
    let change = |state, assignee: Option<&str>, team: Option<&str>| {
        Ok(Plan::Change { state, assignee: assignee.map(str::to_owned), team: team.map(str::to_owned) })
    };
    let (assignee, team) = (e.assignee.as_deref(), e.team.as_deref());
    if e.state == Queued {
        return Err(not_allowed());
    }
    match action {
        Action::Acknowledge => match e.state {
            Open => change(Acknowledged, assignee, team),
            Acknowledged | HandedToEngineering => Ok(Plan::Unchanged),
            _ => Err(not_allowed()),
        },
        Action::Resolve { .. } => match e.state {
            Resolved => Ok(Plan::Unchanged),
            _ => change(Resolved, assignee, team),
        },
        Action::Engage { team: wanted, .. } => {
            let wanted = wanted.trim();
            match e.state {
                Resolved => Err(not_allowed()),
                HandedToEngineering if team.is_some_and(|t| t.eq_ignore_ascii_case(wanted)) => Ok(Plan::Unchanged),
                _ => change(HandedToEngineering, assignee, Some(wanted)),
            }
        }
        Action::Reassign { to, .. } => match e.state {
            Resolved => Err(not_allowed()),
            _ if assignee.is_some_and(|a| same_handle(a, to)) => Ok(Plan::Unchanged),
            s => change(s, Some(to.trim()), team),
        },
        Action::Reopen => match e.state {
            Resolved => change(Open, assignee, team),
            _ => Ok(Plan::Unchanged),
        },
        Action::Take { me } => match e.state {
            Resolved => Err(not_allowed()),
            s if assignee.is_some_and(|a| same_handle(a, me)) && s != Open => Ok(Plan::Unchanged),
            Open => change(Acknowledged, Some(me.trim()), team),
            s => change(s, Some(me.trim()), team),
        },
    }
}

/// One change in an escalation's life, as `rota escalations --all --json` prints it in
/// `history`: the state it moved to, who moved it and when; for some, a note (the resolve note,
/// the engineering link), the team engaged or the new assignee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub state: EscalationState,
    /// The handle of whoever did it; `None` when nobody was known (no `me` in the config).
    pub by: Option<String>,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
}

/// When an escalation was first responded to (it left `open` for the first time: acknowledged,
/// engaged or resolved), from its history, oldest first.
pub fn first_response(history: &[HistoryEntry]) -> Option<DateTime<Utc>> {
    history.iter().find(|h| !matches!(h.state, EscalationState::Open | EscalationState::Queued)).map(|h| h.at)
}

/// When an escalation was last resolved, if its latest state is `resolved`.
pub fn resolved_at(history: &[HistoryEntry]) -> Option<DateTime<Utc>> {
    let last = history.iter().rev().find(|h| h.state != EscalationState::Queued)?;
    (last.state == EscalationState::Resolved).then_some(last.at)
}

/// Whether engineering was ever engaged on it, and the last team engaged.
pub fn engaged_team(history: &[HistoryEntry]) -> Option<Option<&str>> {
    let mut found = None;
    for h in history.iter().filter(|h| h.state == EscalationState::HandedToEngineering) {
        found = Some(h.team.as_deref().or(found.flatten()));
    }
    found
}
