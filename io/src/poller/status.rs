//! What the poller publishes after each poll: how it went ([`PollStatus`]) and what the tray
//! shows ([`Snapshot`]). Plain values, read by the tray, the settings window and the tests; the
//! task that makes them is in `poller.rs`.

use crate::notifier::NotifyError;
use chrono::{DateTime, Utc};
use rota_core::escalation::Escalation;

/// How the last poll went, for the tray and the settings window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollStatus {
    /// Not polled yet.
    Starting,
    /// The last poll succeeded.
    Ok,
    /// GitHub answered 401.
    TokenRejected,
    /// No GitHub token in the keyring.
    MissingToken,
    /// The token may not read the repository's issues.
    Forbidden,
    /// Rate limited until then.
    RateLimited { until: DateTime<Utc> },
    /// Offline or the backend failing for now; retried then.
    Offline { retry_at: DateTime<Utc>, why: String },
    /// Something that needs a person: a broken database, an unreadable keyring, a bad config.
    Failed(String),
}

impl PollStatus {
    /// Words for the tray ("GitHub token rejected"); times in UTC (the tray formats its own from
    /// the fields when it wants the viewer's zone).
    pub fn label(&self) -> String {
        match self {
            PollStatus::Starting => "Checking escalations…".into(),
            PollStatus::Ok => "Escalations up to date".into(),
            PollStatus::TokenRejected => "GitHub token rejected".into(),
            PollStatus::MissingToken => "No GitHub token: run `rota secret set github-token`".into(),
            PollStatus::Forbidden => "GitHub token may not read the escalations repository".into(),
            PollStatus::RateLimited { until } => format!("GitHub rate limit: next check at {}", until.format("%H:%M UTC")),
            PollStatus::Offline { retry_at, .. } => format!("Offline: retrying at {}", retry_at.format("%H:%M:%S UTC")),
            PollStatus::Failed(why) => format!("Escalations unavailable: {why}"),
        }
    }

    pub fn is_ok(&self) -> bool {
        *self == PollStatus::Ok
    }
}

/// What the tray shows, as of the last poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// My active escalations, most urgent first (`escalation::by_urgency`): the "My escalations (N)" submenu.
    pub mine: Vec<Escalation>,
    /// Whether any of mine is still open (not acknowledged): the tray icon's attention state.
    pub unacknowledged: bool,
    pub status: PollStatus,
    /// Why the last notification could not be shown, if it could not.
    pub notifier_error: Option<NotifyError>,
    /// Polls done so far (successful or not).
    pub polls: u64,
    /// When the last successful poll ended.
    pub last_success: Option<DateTime<Utc>>,
    /// Moves each time a poll lists the escalations otherwise than the one before (new, moved,
    /// gone): the open windows are told, and fetch their views again.
    pub revision: u64,
    /// How many of mine are past their reminder: "⚠ 2 waiting for your acknowledgement".
    pub waiting: usize,
    /// Others' escalations offered to me: "Waiting for a hand".
    pub offered: Vec<Escalation>,
}

impl Snapshot {
    /// What the poller last ran into, once it has polled ("GitHub token rejected").
    pub fn problem(&self) -> Option<String> {
        (!self.status.is_ok() && self.polls > 0).then(|| self.status.label())
    }

    pub(super) fn new() -> Self {
        Snapshot {
            mine: Vec::new(),
            unacknowledged: false,
            status: PollStatus::Starting,
            notifier_error: None,
            polls: 0,
            last_success: None,
            revision: 0,
            waiting: 0,
            offered: Vec::new(),
        }
    }
}
