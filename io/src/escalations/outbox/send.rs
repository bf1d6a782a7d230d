//! Sending what the outbox holds: one saved row at a time, under the senders' lock (a file lock
//! beside the database, so two processes never send one row), through the configured backend
//! with the row's client key; then the row marked sent, refused with the backend's reason, or
//! left queued for its next attempt. [`Outbox::drain`] sends what is due.

use super::{random_bytes, Outbox, Step, AUTH_RETRY};
use crate::escalations::{Backend, BackendError};
use crate::slack::{Announcer, SlackError};
use crate::store::{db_error, select_rows, timestamp};
use chrono::{DateTime, Utc};
use rota_core::escalation::{Escalation, EscalationState, NewEscalation};
use rusqlite::params;
use std::fmt;
use std::path::Path;
use std::time::Duration;

/// The longest a sender waits for another sender (another process) to finish before it leaves
/// its escalation queued for later.
pub const LOCK_WAIT: Duration = Duration::from_secs(3);

/// How often a sender waiting for the lock tries it again.
const LOCK_RETRY: Duration = Duration::from_millis(25);

/// What became of an escalation's Slack announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announcement {
    /// No webhook is configured.
    NotConfigured,
    /// Not yet: the escalation is still queued; it is announced when sent.
    Pending,
    Posted,
    /// Slack failed; the escalation is filed all the same.
    Failed(SlackError),
}

/// An escalation filed: sent, or saved in the outbox to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    /// The backend's escalation, or (queued) the outbox's view of it: `id` is the client key,
    /// `state` is [`EscalationState::Queued`].
    pub escalation: Escalation,
    pub queued: bool,
    /// Why it is queued.
    pub queued_because: Option<BackendError>,
    pub announcement: Announcement,
}

/// Why an escalation was not filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// It could not be saved (the local database failed): nothing was sent.
    Outbox(BackendError),
    /// The backend refused it as invalid; retrying as it is cannot help. It stays in the outbox
    /// in state `refused` (under `key`) to be fixed and resent, or discarded.
    Refused { key: String, why: BackendError },
    /// The backend is known to refuse it (a GitHub title over 256 characters): nothing was saved
    /// or sent. The reason, as the backend words it.
    WouldBeRefused(String),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Outbox(e) => write!(f, "the escalation could not be saved, nothing was sent: {e}"),
            FileError::Refused { key, why } => write!(
                f,
                "the escalation was not filed: {why}. It is kept in the outbox as {key}: fix it and resend it from the escalate window, or `rota outbox discard {key}`"
            ),
            FileError::WouldBeRefused(why) => write!(f, "the escalation was not saved: {why}"),
        }
    }
}

impl std::error::Error for FileError {}

/// What one [`Outbox::drain`] did.
#[derive(Debug, Default)]
pub struct DrainReport {
    /// Sent now (or found already filed by an earlier attempt), oldest first.
    pub sent: Vec<Escalation>,
    /// Refused by the backend as invalid by this drain; kept in state `refused`.
    pub refused: Vec<(Escalation, BackendError)>,
    /// The failure that stopped the drain; what was left waits for [`DrainReport::next_attempt`].
    pub failed: Option<BackendError>,
    /// Announcements that failed (the escalations were sent).
    pub announce_failures: Vec<SlackError>,
    /// Still waiting in the outbox.
    pub still_queued: usize,
    /// When the next queued escalation is due, if any is queued.
    pub next_attempt: Option<DateTime<Utc>>,
    /// Refused escalations waiting for a person (all of them, not only this drain's).
    pub still_refused: usize,
}

/// The result of one attempt to send one row.
enum Attempt {
    Sent(Escalation, Announcement),
    /// Another process sent it while this one waited for the lock.
    Skipped(Escalation),
    Refused(Escalation, BackendError),
    Failed(Escalation, BackendError),
    /// Another sender held the lock for longer than [`LOCK_WAIT`]: the row stays queued.
    Busy(Escalation),
}

/// What [`Attempt::Busy`] says: the escalation is saved and will be sent.
fn busy() -> BackendError {
    BackendError::Transient("another Rota is sending from the outbox right now; saved, will be sent".into())
}

/// A random fraction for backoff jitter.
pub(super) fn jitter() -> f64 {
    let b = random_bytes();
    u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64 / u32::MAX as f64
}

/// Opens (creating, owner-only) a file beside the database.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    crate::files::open_private(path, false)
}

/// The reason a refusal is kept with: the backend's own words, cut to
/// [`rota_core::redact::MESSAGE_CHARS`] characters.
fn refusal_reason(why: &BackendError) -> String {
    rota_core::redact::message(&match why {
        BackendError::Invalid(reason) => reason.clone(),
        other => other.to_string(),
    })
}

impl Outbox {
    /// Files `new` through `backend`: saved first, then sent; queued when the backend cannot
    /// take it now. `announcer` posts it to Slack once it is sent.
    pub async fn file<B: Backend>(
        &self,
        backend: &B,
        announcer: Option<&Announcer>,
        new: NewEscalation,
        now: DateTime<Utc>,
    ) -> Result<Filed, FileError> {
        let saved = self.save_new(new, now)?;
        self.send_saved(backend, announcer, &saved.id, now).await
    }

    /// Sends the saved row `key` (the second step of [`Outbox::file`]).
    pub async fn send_saved<B: Backend>(
        &self,
        backend: &B,
        announcer: Option<&Announcer>,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Filed, FileError> {
        let pending = if announcer.is_some() { Announcement::Pending } else { Announcement::NotConfigured };
        match self.send(backend, announcer, key, now).await.map_err(FileError::Outbox)? {
            Attempt::Sent(escalation, announcement) => Ok(Filed { escalation, queued: false, queued_because: None, announcement }),
            // Announced by the process that sent it.
            Attempt::Skipped(escalation) => {
                Ok(Filed { escalation, queued: false, queued_because: None, announcement: Announcement::NotConfigured })
            }
            Attempt::Failed(escalation, why) => Ok(Filed { escalation, queued: true, queued_because: Some(why), announcement: pending }),
            Attempt::Busy(escalation) => Ok(Filed { escalation, queued: true, queued_because: Some(busy()), announcement: pending }),
            Attempt::Refused(_, why) => Err(FileError::Refused { key: key.to_owned(), why }),
        }
    }

    /// Holds the senders' lock (a file lock: another process waits, a dead one holds nothing),
    /// waiting at most [`LOCK_WAIT`]; `Ok(None)` when another sender held it all that time.
    pub(super) async fn sender_lock(&self) -> Result<Option<std::fs::File>, BackendError> {
        let file = private_file(&self.lock_path).map_err(|e| BackendError::Failed(format!("outbox lock: {e}")))?;
        // Tried again every LOCK_RETRY on this task until LOCK_WAIT is over: no thread waits on
        // the lock (a blocking wait given up on kept a thread per try for as long as the other
        // sender held it, one more every few seconds in the tray).
        let deadline = tokio::time::Instant::now() + LOCK_WAIT;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(file)),
                Err(std::fs::TryLockError::WouldBlock) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(LOCK_RETRY).await;
                }
                Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
                Err(std::fs::TryLockError::Error(e)) => return Err(BackendError::Failed(format!("outbox lock: {e}"))),
            }
        }
    }

    /// One attempt at sending the row `key`, under the senders' lock. `Err` only when the
    /// outbox itself fails.
    async fn send<B: Backend>(
        &self,
        backend: &B,
        announcer: Option<&Announcer>,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Attempt, BackendError> {
        let Some(_lock) = self.sender_lock().await? else {
            let row = self.row(key)?.ok_or_else(|| BackendError::Failed(format!("outbox: no row {key}")))?;
            return Ok(Attempt::Busy(row.view()));
        };
        let row = self.row(key)?.ok_or_else(|| BackendError::Failed(format!("outbox: no row {key}")))?;
        if row.state == "sent" {
            let id: String =
                self.conn().query_row("SELECT sent_id FROM outbox WHERE client_key = ?1", [key], |r| r.get(0)).map_err(db_error)?;
            let e = backend.get(&id).await.unwrap_or_else(|_| Escalation { id, state: EscalationState::Open, ..row.view() });
            return Ok(Attempt::Skipped(e));
        }
        if row.state != "queued" {
            let why = row.last_error.clone().unwrap_or_else(|| "refused before".into());
            return Ok(Attempt::Refused(row.view(), BackendError::Invalid(why)));
        }
        match backend.create(&row.new, now).await {
            Ok(e) => {
                self.checkpoint(Step::Sent);
                self.conn()
                    .execute(
                        "UPDATE outbox SET state = 'sent', sent_id = ?2, sent_at = ?3, attempts = attempts + 1, last_error = NULL WHERE client_key = ?1",
                        params![key, e.id, timestamp(now)],
                    )
                    .map_err(db_error)?;
                let announcement = match announcer {
                    None => Announcement::NotConfigured,
                    Some(a) => match a.announce(&e).await {
                        Ok(()) => Announcement::Posted,
                        Err(why) => Announcement::Failed(why),
                    },
                };
                Ok(Attempt::Sent(e, announcement))
            }
            Err(why @ BackendError::Invalid(_)) => {
                self.conn()
                    .execute(
                        "UPDATE outbox SET state = 'refused', attempts = attempts + 1, last_error = ?2 WHERE client_key = ?1",
                        params![key, refusal_reason(&why)],
                    )
                    .map_err(db_error)?;
                Ok(Attempt::Refused(row.view(), why))
            }
            Err(why) => {
                let next = why
                    .retry_at(now, row.attempts, jitter())
                    .unwrap_or_else(|| now + chrono::Duration::from_std(AUTH_RETRY).unwrap_or_default());
                let conn = self.conn();
                conn.execute(
                    "UPDATE outbox SET attempts = attempts + 1, next_attempt_ms = ?2, last_error = ?3 WHERE client_key = ?1",
                    params![key, next.timestamp_millis(), rota_core::redact::message(&why.to_string())],
                )
                .map_err(db_error)?;
                // The backend is away for all of them: the others wait as long.
                conn.execute(
                    "UPDATE outbox SET next_attempt_ms = max(next_attempt_ms, ?1) WHERE state = 'queued'",
                    [next.timestamp_millis()],
                )
                .map_err(db_error)?;
                Ok(Attempt::Failed(row.view(), why))
            }
        }
    }

    /// Sends every queued escalation that is due at `now` (its backoff has passed), oldest
    /// first, stopping at the first failure (the backend is away: the rest wait for the next
    /// attempt). What a timer calls.
    pub async fn drain<B: Backend>(&self, backend: &B, announcer: Option<&Announcer>, now: DateTime<Utc>) -> DrainReport {
        self.drain_where(backend, announcer, now, now.timestamp_millis()).await
    }

    /// Sends every queued escalation now, whatever its backoff says, oldest first, stopping at
    /// the first failure. For moments that say the backend may be back: a command the user ran,
    /// a filing the backend just accepted, the network coming up, a new token.
    pub async fn drain_now<B: Backend>(&self, backend: &B, announcer: Option<&Announcer>, now: DateTime<Utc>) -> DrainReport {
        self.drain_where(backend, announcer, now, i64::MAX).await
    }

    async fn drain_where<B: Backend>(&self, backend: &B, announcer: Option<&Announcer>, now: DateTime<Utc>, due_by_ms: i64) -> DrainReport {
        let mut report = DrainReport::default();
        // Best effort: a busy database removes them next time.
        let _ = self.forget_sent(now);
        let sql = "SELECT client_key FROM outbox WHERE state = 'queued' AND next_attempt_ms <= ?1 ORDER BY queued_at, rowid";
        let due: Result<Vec<String>, BackendError> = select_rows(&self.conn(), sql, [due_by_ms], |r| r.get(0));
        match due {
            Ok(keys) => {
                for key in keys {
                    match self.send(backend, announcer, &key, now).await {
                        Ok(Attempt::Sent(e, announcement)) => {
                            if let Announcement::Failed(why) = announcement {
                                report.announce_failures.push(why);
                            }
                            report.sent.push(e);
                        }
                        Ok(Attempt::Skipped(_)) => {}
                        Ok(Attempt::Refused(e, why)) => report.refused.push((e, why)),
                        Ok(Attempt::Failed(_, why)) | Err(why) => {
                            report.failed = Some(why);
                            break;
                        }
                        Ok(Attempt::Busy(_)) => {
                            report.failed = Some(busy());
                            break;
                        }
                    }
                }
            }
            Err(why) => report.failed = Some(why),
        }
        report.still_queued = self.queued_count().unwrap_or(0);
        report.next_attempt = self.next_attempt().unwrap_or(None);
        report.still_refused = self.refused_count().unwrap_or(0);
        report
    }
}
