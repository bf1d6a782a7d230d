//! Escalation backends: where escalations are stored and how Rota reads and changes them.
//!
//! [`Backend`] is the one interface the tray app, the notifier and the `rota` commands use;
//! [`local::LocalStore`] (SQLite, the default) and [`github::GithubBackend`] (issues of one
//! repository) implement it, and [`AnyBackend`] picks one at run time. Errors are a closed enum,
//! [`BackendError`], so callers decide on variants and never on message text.
//!
//! This module is not the domain: what an escalation is, and which ones deserve a notification,
//! live in [`rota_core::escalation`]. Nor is it the poller: scheduling polls and retries is the
//! caller's job, helped by [`BackendError::retry_at`].

pub mod configured;
pub mod github;
pub mod local;
pub mod outbox;

use chrono::{DateTime, Utc};
use rota_core::backoff::backoff;
use rota_core::escalation::{Escalation, NewEscalation};
use rota_core::lifecycle::{Action, HistoryEntry};
use std::fmt;
use std::future::Future;
use std::time::Duration;

/// Why a backend call failed. Messages never contain a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendError {
    /// The credentials were rejected (GitHub 401). Retrying cannot help until the token changes.
    Unauthorized,
    /// The credentials are valid but not allowed to do this (a GitHub 403 that is no rate limit).
    Forbidden,
    /// The backend asked us not to call again before `until`.
    RateLimited { until: DateTime<Utc> },
    /// A failure that may pass by itself: a 5xx, a timeout, a lost connection, a locked
    /// database. Retry with [`backoff`].
    Transient(String),
    /// No escalation with this id.
    NotFound(String),
    /// The request was refused as invalid (a 400 or 422, an empty title, a malformed id).
    Invalid(String),
    /// The backend answered what Rota cannot read, or the store is broken. Retrying will not help.
    Failed(String),
}

impl BackendError {
    /// When to try again after this error, if at all: a rate limit's `until`, a backed-off
    /// delay for a transient failure (`attempt` counts the failures in a row, from 0; `jitter`
    /// is a random fraction), and `None` for errors that need the user (token, permissions,
    /// input) rather than time.
    pub fn retry_at(&self, now: DateTime<Utc>, attempt: u32, jitter: f64) -> Option<DateTime<Utc>> {
        match self {
            BackendError::RateLimited { until } => Some((*until).max(now)),
            BackendError::Transient(_) => {
                let wait = backoff(attempt, Duration::from_secs(2), Duration::from_secs(300), jitter);
                Some(now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX))
            }
            _ => None,
        }
    }
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendError::Unauthorized => f.write_str("GitHub token rejected: store a new one with `rota secret set github-token`"),
            BackendError::Forbidden => f.write_str("the token is not allowed to do this in the escalations repository"),
            BackendError::RateLimited { until } => {
                write!(f, "rate limited until {}", until.to_rfc3339())
            }
            BackendError::Transient(why) => write!(f, "temporarily unavailable: {why}"),
            BackendError::NotFound(id) => write!(f, "no escalation {id}"),
            BackendError::Invalid(why) => write!(f, "refused: {why}"),
            BackendError::Failed(why) => write!(f, "backend failed: {why}"),
        }
    }
}

impl std::error::Error for BackendError {}

/// Where escalations live. Every call is one round trip to the store; none retries by itself.
///
/// `now` arguments stamp what the store records (creation, history); a backend with its own
/// clock (GitHub) ignores them.
pub trait Backend {
    /// Active escalations (open, acknowledged, handed to engineering), optionally only those
    /// assigned to `assignee`. Newest first.
    fn list_open(&self, assignee: Option<&str>) -> impl Future<Output = Result<Vec<Escalation>, BackendError>> + Send;
    /// Files an escalation. With a `client_key`, a retry returns the one filed before.
    fn create(&self, new: &NewEscalation, now: DateTime<Utc>) -> impl Future<Output = Result<Escalation, BackendError>> + Send;
    fn get(&self, id: &str) -> impl Future<Output = Result<Escalation, BackendError>> + Send;
    fn acknowledge(&self, id: &str, now: DateTime<Utc>) -> impl Future<Output = Result<Escalation, BackendError>> + Send;
    fn hand_to_engineering(&self, id: &str, now: DateTime<Utc>) -> impl Future<Output = Result<Escalation, BackendError>> + Send;
    fn resolve(&self, id: &str, now: DateTime<Utc>) -> impl Future<Output = Result<Escalation, BackendError>> + Send;
    /// Takes `action` as `by` (my handle; GitHub records its own user instead) at
    /// `now`. Idempotent: an action whose effect is there already changes nothing. One the state
    /// does not allow ([`rota_core::lifecycle::plan`]) is [`BackendError::Invalid`].
    fn act(
        &self,
        id: &str,
        action: &Action,
        by: Option<&str>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Escalation, BackendError>> + Send;
    /// Every escalation, closed ones too, newest first.
    fn list_every(&self) -> impl Future<Output = Result<Vec<Escalation>, BackendError>> + Send;
    /// What the poller reads each poll: every escalation, closed ones too, or, given
    /// the `since` of an earlier answer, only those changed since then. A backend that lists
    /// everything cheaply (SQLite) always lists every one.
    fn list_changed(&self, since: Option<DateTime<Utc>>) -> impl Future<Output = Result<Changed, BackendError>> + Send;
    /// The changes to `e` (as listed or fetched), oldest first, the filing included. GitHub reads
    /// them from the timeline (its events, and the notes from Rota's comments), with conditional requests (a refresh of an unchanged issue
    /// is a `304`, free of rate limit).
    fn history_of(&self, e: &Escalation) -> impl Future<Output = Result<Vec<HistoryEntry>, BackendError>> + Send;
    /// Every escalation, newest first, each with its history: what the dashboard and `rota
    /// stats` read. GitHub with a store serves it from the store, asking only what changed.
    #[allow(clippy::type_complexity)]
    fn every_with_history(&self) -> impl Future<Output = Result<Vec<(Escalation, Vec<HistoryEntry>)>, BackendError>> + Send;
}

/// [`Backend::every_with_history`] as every escalation listed, then each one's history asked.
pub(crate) async fn each_with_history<B: Backend + Sync>(backend: &B) -> Result<Vec<(Escalation, Vec<HistoryEntry>)>, BackendError> {
    let every = backend.list_every().await?;
    let mut out = Vec::with_capacity(every.len());
    for e in every {
        let h = backend.history_of(&e).await?;
        out.push((e, h));
    }
    Ok(out)
}

/// What [`Backend::list_changed`] answered.
#[derive(Debug, Clone)]
pub struct Changed {
    pub escalations: Vec<Escalation>,
    /// Every escalation (else only those changed since, or the most recently changed).
    pub every: bool,
    /// What to hand in as `since` next time, if the backend lists changes.
    pub since: Option<DateTime<Utc>>,
}

/// The backend chosen by the config (`escalations.backend`).
// One per process, opened once and never moved about: boxing the larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum AnyBackend {
    Local(local::LocalStore),
    Github(github::GithubBackend),
}

macro_rules! dispatch {
    ($self:ident, $b:ident => $call:expr) => {
        match $self {
            AnyBackend::Local($b) => $call.await,
            AnyBackend::Github($b) => $call.await,
        }
    };
}

impl Backend for AnyBackend {
    async fn list_open(&self, assignee: Option<&str>) -> Result<Vec<Escalation>, BackendError> {
        dispatch!(self, b => b.list_open(assignee))
    }
    async fn create(&self, new: &NewEscalation, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        dispatch!(self, b => b.create(new, now))
    }
    async fn get(&self, id: &str) -> Result<Escalation, BackendError> {
        dispatch!(self, b => b.get(id))
    }
    async fn acknowledge(&self, id: &str, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        dispatch!(self, b => b.acknowledge(id, now))
    }
    async fn hand_to_engineering(&self, id: &str, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        dispatch!(self, b => b.hand_to_engineering(id, now))
    }
    async fn resolve(&self, id: &str, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        dispatch!(self, b => b.resolve(id, now))
    }
    async fn act(&self, id: &str, action: &Action, by: Option<&str>, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        dispatch!(self, b => b.act(id, action, by, now))
    }
    async fn list_every(&self) -> Result<Vec<Escalation>, BackendError> {
        dispatch!(self, b => b.list_every())
    }
    async fn list_changed(&self, since: Option<DateTime<Utc>>) -> Result<Changed, BackendError> {
        dispatch!(self, b => b.list_changed(since))
    }
    async fn history_of(&self, e: &Escalation) -> Result<Vec<HistoryEntry>, BackendError> {
        dispatch!(self, b => b.history_of(e))
    }
    async fn every_with_history(&self) -> Result<Vec<(Escalation, Vec<HistoryEntry>)>, BackendError> {
        dispatch!(self, b => b.every_with_history())
    }
}
