//! Escalations as values, and the decision of which ones deserve a desktop notification.
//!
//! This module is the domain of an escalation: its fields, its [`Severity`] and its
//! [`EscalationState`], the [`NewEscalation`] a user files, and [`decide`], the exactly-once rule
//! that turns "what the notifier saw before" and "what is assigned now" into the notices to show
//! and the new [`SeenSet`] to store.
//!
//! It is not a backend: it never reads a database, the network or the clock. Storing the seen set,
//! polling a backend and showing a notification are the shell's job. The shell must store the new
//! seen set only after it has shown the notices, and must not call [`decide`] for a poll that
//! failed: a failed poll then changes nothing, and a restart repeats nothing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// How urgent an escalation is, `sev1` being the most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Sev1,
    Sev2,
    Sev3,
    Sev4,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::Sev1, Severity::Sev2, Severity::Sev3, Severity::Sev4];

    /// The lowercase name used in JSON, labels and the command line: `sev1` to `sev4`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Sev1 => "sev1",
            Severity::Sev2 => "sev2",
            Severity::Sev3 => "sev3",
            Severity::Sev4 => "sev4",
        }
    }
}

impl Default for Severity {
    /// An escalation nobody graded is treated as `sev3`, the ordinary case.
    fn default() -> Self {
        Severity::Sev3
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity name that is not `sev1`..`sev4` (or `1`..`4`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSeverity(pub String);

impl fmt::Display for UnknownSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown severity {:?}: use sev1, sev2, sev3 or sev4", self.0)
    }
}

impl std::error::Error for UnknownSeverity {}

impl FromStr for Severity {
    type Err = UnknownSeverity;

    /// Accepts `sev1`..`sev4` in any case, and the bare digits `1`..`4`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        let digit = t.strip_prefix("sev").unwrap_or(&t);
        match digit {
            "1" => Ok(Severity::Sev1),
            "2" => Ok(Severity::Sev2),
            "3" => Ok(Severity::Sev3),
            "4" => Ok(Severity::Sev4),
            _ => Err(UnknownSeverity(s.to_owned())),
        }
    }
}

/// Where an escalation is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationState {
    /// Filed, nobody has acknowledged it yet.
    #[default]
    Open,
    /// The assignee has seen it and is on it.
    Acknowledged,
    /// The escalation engineer handed it to the owning engineering team.
    HandedToEngineering,
    /// Done (closed).
    Resolved,
    /// Filed while offline: waiting in the outbox, not yet in any backend.
    Queued,
}

impl EscalationState {
    /// The snake_case name used in JSON and in the local database; people read
    /// [`crate::words::state`].
    pub fn as_str(self) -> &'static str {
        match self {
            EscalationState::Open => "open",
            EscalationState::Acknowledged => "acknowledged",
            EscalationState::HandedToEngineering => "handed_to_engineering",
            EscalationState::Resolved => "resolved",
            EscalationState::Queued => "queued",
        }
    }

    /// Whether someone still has to work on it: open, acknowledged or handed to engineering.
    pub fn is_active(self) -> bool {
        matches!(self, EscalationState::Open | EscalationState::Acknowledged | EscalationState::HandedToEngineering)
    }
}

impl fmt::Display for EscalationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state name that is not one of [`EscalationState`]'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownState(pub String);

impl fmt::Display for UnknownState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown escalation state {:?}", self.0)
    }
}

impl std::error::Error for UnknownState {}

impl FromStr for EscalationState {
    type Err = UnknownState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "open" => EscalationState::Open,
            "acknowledged" => EscalationState::Acknowledged,
            "handed_to_engineering" => EscalationState::HandedToEngineering,
            "resolved" => EscalationState::Resolved,
            "queued" => EscalationState::Queued,
            _ => return Err(UnknownState(s.to_owned())),
        })
    }
}

/// One escalation, as every backend reports it. Serialized, it is the JSON of
/// `rota escalations --json` (the JSON contract: README, "The command line"). The default (an
/// open one with nothing in it, filed at the epoch) is for building one field by field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Escalation {
    /// The backend's id: a row number for `local`, an issue number for `github`.
    pub id: String,
    pub title: String,
    pub customer: Option<String>,
    pub severity: Severity,
    /// The link the filer gave: the customer ticket, usually (for `local`, the only link).
    pub url: Option<String>,
    /// The escalation's own page, where it is acknowledged and discussed (GitHub's `html_url`);
    /// `None` where the backend has none (`local`). A notification's Open goes here first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// Free text: what is wrong, what was tried.
    pub details: String,
    /// The handle of whoever filed it.
    pub reporter: Option<String>,
    /// The handle of the escalation engineer it is assigned to.
    pub assignee: Option<String>,
    pub state: EscalationState,
    pub created_at: DateTime<Utc>,
    /// The key the filer chose so that a retried create never files it twice.
    pub client_key: Option<String>,
    /// The engineering team it was last handed to, if ever.
    #[serde(default)]
    pub team: Option<String>,
}

/// What a user files: an escalation before a backend gave it an id, a state and a time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewEscalation {
    pub title: String,
    pub customer: Option<String>,
    pub severity: Severity,
    pub url: Option<String>,
    pub details: String,
    pub reporter: Option<String>,
    pub assignee: Option<String>,
    /// Set it (the outbox always does) to make a retried create idempotent: a backend that
    /// already holds an escalation with this key returns that one instead of filing another.
    pub client_key: Option<String>,
}

/// Whether two handles name the same person. Handles (GitHub logins) ignore case.
pub fn same_handle(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// What the notifier remembers between polls: for each escalation it saw, whom it was assigned to
/// (`None`: nobody). Ids absent from the latest successful poll are dropped, so it stays as small
/// as the list of open escalations.
///
/// An escalation assigned to `me` in this set has been announced (or summarised) already.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SeenSet(BTreeMap<String, Option<String>>);

impl SeenSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// The assignee last seen for `id`: `None` when the id is unknown, `Some(None)` when it was
    /// seen unassigned.
    pub fn assignee(&self, id: &str) -> Option<Option<&str>> {
        self.0.get(id).map(|a| a.as_deref())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every `(id, assignee)` pair, ordered by id: what a store writes.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.0.iter().map(|(id, a)| (id.as_str(), a.as_deref()))
    }
}

impl FromIterator<(String, Option<String>)> for SeenSet {
    fn from_iter<I: IntoIterator<Item = (String, Option<String>)>>(iter: I) -> Self {
        SeenSet(iter.into_iter().collect())
    }
}

/// One notification to show.
// Few and short-lived: boxing the escalation would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// An escalation that became mine since the last successful poll: new, or reassigned to me
    /// from `reassigned_from` (when the poll showed it assigned to someone else before).
    Assigned { escalation: Escalation, reassigned_from: Option<String> },
    /// The first poll ever: what was already assigned to me, in one notification.
    Summary { escalations: Vec<Escalation> },
}

/// The outcome of one successful poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The notifications to show, oldest escalation first.
    pub notices: Vec<Notice>,
    /// The set to store once the notices are shown.
    pub seen: SeenSet,
}

/// The order escalations are listed in, everywhere (the tray, the dashboard, `rota escalations`):
/// the most urgent first. Active before closed, then by severity (sev1 first), then the one that
/// has waited longest.
pub fn by_urgency(a: &Escalation, b: &Escalation) -> std::cmp::Ordering {
    let key = |e: &Escalation| (!e.state.is_active(), e.severity, e.created_at);
    key(a).cmp(&key(b)).then_with(|| a.id.len().cmp(&b.id.len())).then_with(|| a.id.cmp(&b.id))
}

/// Decides which escalations deserve a notification after a successful poll.
///
/// - `seen` is the stored set, or `None` when nothing was ever stored (the first run).
/// - `me` is my handle.
/// - `polled` is what the backend lists now: the open escalations assigned to me, or all open
///   ones (then a reassignment to me is reported with the previous assignee).
///
/// An escalation deserves a notice when it is active ([`EscalationState::is_active`]), assigned
/// to me, and the seen set does not already show it assigned to me. One I filed to myself
/// deserves none: the window or the command that filed it said so already (one word per event);
/// handed to me later by someone else, it does. On the first run there are
/// no single notices: what is already assigned to me becomes one [`Notice::Summary`] (none when
/// nothing is). Escalations missing from `polled` leave the seen set, so one that comes back to
/// me later is announced again.
pub fn decide(seen: Option<&SeenSet>, me: &str, polled: &[Escalation]) -> Decision {
    let is_mine = |e: &Escalation| e.state.is_active() && e.assignee.as_deref().is_some_and(|a| same_handle(a, me));
    let mut mine: Vec<&Escalation> = polled.iter().filter(|e| is_mine(e)).collect();
    mine.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));

    let notices = match seen {
        None if mine.is_empty() => Vec::new(),
        None => vec![Notice::Summary { escalations: mine.into_iter().cloned().collect() }],
        Some(seen) => mine
            .into_iter()
            .filter_map(|e| match seen.assignee(&e.id) {
                None if e.reporter.as_deref().is_some_and(|r| same_handle(r, me)) => None,
                None => Some(Notice::Assigned { escalation: e.clone(), reassigned_from: None }),
                Some(Some(before)) if same_handle(before, me) => None,
                Some(before) => Some(Notice::Assigned { escalation: e.clone(), reassigned_from: before.map(str::to_owned) }),
            })
            .collect(),
    };

    // Only active escalations enter the set: one resolved (or queued) and later reopened for me
    // is announced again.
    let seen = polled.iter().filter(|e| e.state.is_active()).map(|e| (e.id.clone(), e.assignee.clone())).collect();
    Decision { notices, seen }
}
