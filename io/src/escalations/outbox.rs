//! The outbox: an escalation is saved here before anything is sent, so it is never lost and
//! never filed twice (issue 5).
//!
//! How an escalation travels:
//! 1. [`Outbox::file`] gives it a client key ([`client_key`], 128 random bits) and saves it in the
//!    `outbox` table of the local SQLite file (the one [`super::configured::database_path`]
//!    names), committed before any request.
//! 2. It is sent through the configured [`Backend`] with that key: the GitHub backend writes it
//!    as a hidden marker in the issue body and looks for it (`find_by_client_key`) before
//!    creating; the local store keeps it in a unique column. A retry after a timeout, or after
//!    the process died between "the backend created it" and "the outbox knows", finds the first
//!    one instead of filing a second.
//! 3. Accepted: the row is marked sent with the backend's id, then the Slack announcement, if
//!    any, is posted once (a failure is a warning, never a reason to resend).
//! 4. Not accepted (offline, 5xx, rate limited, token rejected): the row stays queued with the
//!    time of its next attempt ([`BackendError::retry_at`]: backoff with jitter, a rate limit's
//!    reset; [`AUTH_RETRY`] for errors that need the user). [`Outbox::drain`] sends what is due:
//!    the app calls it at start and when [`Outbox::next_attempt`] comes. [`Outbox::drain_now`]
//!    sends everything queued, for moments that say the backend may be back: `rota escalate` /
//!    `rota escalations` call it once, and the app when the network comes up. Only a backend that refuses the escalation as invalid
//!    (a 422, say) ends its trip: the row is kept, marked refused, and the error returned.
//!
//! Several processes (the tray app, `rota` commands) may share the outbox: a sender holds an
//! exclusive lock on a file beside the database (released by the OS if the process dies) while
//! it sends one row, and re-reads the row under the lock, so two processes never send the same
//! row at once.
//!
//! Test hook: [`Outbox::with_checkpoint`] runs a callback right after a row is saved and right
//! after the backend accepted it (before the outbox records it). `rota escalate` and `rota
//! escalations` install one when `ROTA_TEST_PAUSE_AFTER=saved|sent` is set (see `cli/escalate.rs`).
//!
//! It is not a backend (it never lists escalations but its own queued ones) nor a timer.

use super::local::BUSY_TIMEOUT;
use super::{Backend, BackendError};
use crate::slack::{Announcer, SlackError};
use chrono::{DateTime, SecondsFormat, Utc};
use rota_core::escalation::{Escalation, EscalationState, NewEscalation};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The wait after an error that time alone cannot fix (a rejected token, a missing repository)
/// before the next automatic attempt. A `rota` command, or the user fixing the token, comes sooner.
pub const AUTH_RETRY: Duration = Duration::from_secs(10 * 60);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS outbox (
    client_key      TEXT PRIMARY KEY,
    escalation      TEXT NOT NULL,   -- the NewEscalation, as JSON
    queued_at       TEXT NOT NULL,
    state           TEXT NOT NULL,   -- queued | sent | refused
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    last_error      TEXT,
    sent_id         TEXT,
    sent_at         TEXT
);
CREATE INDEX IF NOT EXISTS outbox_by_state ON outbox (state, next_attempt_ms);
";

/// The points at which a checkpoint runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The escalation is saved in the outbox; nothing is sent yet.
    Saved,
    /// The backend accepted it; the outbox has not recorded that yet.
    Sent,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Saved => "saved",
            Step::Sent => "sent",
        }
    }
}

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
    /// The backend refused it as invalid; retrying cannot help. It is not queued.
    Refused(BackendError),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Outbox(e) => write!(f, "the escalation could not be saved, nothing was sent: {e}"),
            FileError::Refused(e) => write!(f, "the escalation was not filed: {e}"),
        }
    }
}

impl std::error::Error for FileError {}

/// What one [`Outbox::drain`] did.
#[derive(Debug, Default)]
pub struct DrainReport {
    /// Sent now (or found already filed by an earlier attempt), oldest first.
    pub sent: Vec<Escalation>,
    /// Refused by the backend as invalid; no longer queued.
    pub refused: Vec<(Escalation, BackendError)>,
    /// The failure that stopped the drain; what was left waits for [`DrainReport::next_attempt`].
    pub failed: Option<BackendError>,
    /// Announcements that failed (the escalations were sent).
    pub announce_failures: Vec<SlackError>,
    /// Still waiting in the outbox.
    pub still_queued: usize,
    /// When the next queued escalation is due, if any is queued.
    pub next_attempt: Option<DateTime<Utc>>,
}

/// The result of one attempt to send one row.
enum Attempt {
    Sent(Escalation, Announcement),
    /// Another process sent it while this one waited for the lock.
    Skipped(Escalation),
    Refused(Escalation, BackendError),
    Failed(Escalation, BackendError),
}

type Checkpoint = Box<dyn Fn(Step) + Send + Sync>;

/// The outbox table of the local SQLite file.
pub struct Outbox {
    path: PathBuf,
    lock_path: PathBuf,
    conn: Mutex<Connection>,
    checkpoint: Option<Checkpoint>,
}

impl fmt::Debug for Outbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outbox").field("path", &self.path).finish_non_exhaustive()
    }
}

fn db_error(e: rusqlite::Error) -> BackendError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            BackendError::Transient("the escalation database is busy".into())
        }
        _ => BackendError::Failed(format!("outbox: {e}")),
    }
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness (never seen in practice): the time, the process and a counter are
        // unique enough for one machine's filings.
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = crate::clock::system_time()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        bytes[..8].copy_from_slice(&nanos.to_le_bytes());
        bytes[8..12].copy_from_slice(&std::process::id().to_le_bytes());
        bytes[12..].copy_from_slice(&(COUNTER.fetch_add(1, Ordering::Relaxed) as u32).to_le_bytes());
    }
    bytes
}

/// A new client key: `rota-` and 32 hex digits (128 random bits).
pub fn client_key() -> String {
    let hex: String = random_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("rota-{hex}")
}

/// A random fraction for backoff jitter.
fn jitter() -> f64 {
    let b = random_bytes();
    u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64 / u32::MAX as f64
}

/// The row's escalation as the outbox shows it while queued.
fn queued_view(key: &str, new: &NewEscalation, queued_at: DateTime<Utc>) -> Escalation {
    Escalation {
        id: key.to_owned(),
        title: new.title.trim().to_owned(),
        customer: new.customer.clone(),
        severity: new.severity,
        url: new.url.clone(),
        details: new.details.clone(),
        reporter: new.reporter.clone(),
        assignee: new.assignee.clone(),
        state: EscalationState::Queued,
        created_at: queued_at,
        client_key: Some(key.to_owned()),
    }
}

struct Row {
    key: String,
    new: NewEscalation,
    queued_at: DateTime<Utc>,
    state: String,
    attempts: u32,
}

impl Row {
    fn view(&self) -> Escalation {
        queued_view(&self.key, &self.new, self.queued_at)
    }
}

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let conversion = |e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e)
    };
    let json: String = r.get(1)?;
    let queued_at: String = r.get(2)?;
    Ok(Row {
        key: r.get(0)?,
        new: serde_json::from_str(&json).map_err(|e| conversion(Box::new(e)))?,
        queued_at: DateTime::parse_from_rfc3339(&queued_at)
            .map_err(|e| conversion(Box::new(e)))?
            .with_timezone(&Utc),
        state: r.get(3)?,
        attempts: r.get(4)?,
    })
}

const ROW: &str = "client_key, escalation, queued_at, state, attempts";

impl Outbox {
    /// Opens the outbox in the SQLite file at `database` (normally the local backend's file),
    /// creating its table. The folder must exist.
    pub fn open(database: impl AsRef<Path>) -> Result<Self, BackendError> {
        let path = database.as_ref().to_path_buf();
        super::local::retry_busy(|| Self::open_once(&path))
    }

    fn open_once(path: &Path) -> Result<Self, BackendError> {
        let path = path.to_path_buf();
        let mut conn = Connection::open(&path).map_err(db_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db_error)?;
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(db_error)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(db_error)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_error)?;
        tx.execute_batch(SCHEMA).map_err(db_error)?;
        tx.commit().map_err(db_error)?;
        let mut lock_path = path.clone().into_os_string();
        lock_path.push("-outbox.lock");
        Ok(Outbox { path, lock_path: lock_path.into(), conn: Mutex::new(conn), checkpoint: None })
    }

    /// Runs `f` at each [`Step`] (a test hook: it may block until the test kills the process).
    pub fn with_checkpoint(mut self, f: impl Fn(Step) + Send + Sync + 'static) -> Self {
        self.checkpoint = Some(Box::new(f));
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn checkpoint(&self, step: Step) {
        if let Some(f) = &self.checkpoint {
            f(step);
        }
    }

    /// Files `new` through `backend`: saved first, then sent; queued when the backend cannot
    /// take it now. `announcer` posts it to Slack once it is sent.
    pub async fn file<B: Backend>(
        &self,
        backend: &B,
        announcer: Option<&Announcer>,
        mut new: NewEscalation,
        now: DateTime<Utc>,
    ) -> Result<Filed, FileError> {
        let title = new.title.trim();
        if title.is_empty() {
            return Err(FileError::Refused(BackendError::Invalid("an escalation needs a title".into())));
        }
        new.title = title.to_owned();
        let key = match new.client_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) => k.to_owned(),
            None => client_key(),
        };
        new.client_key = Some(key.clone());
        self.save(&key, &new, now).map_err(FileError::Outbox)?;
        self.checkpoint(Step::Saved);
        match self.send(backend, announcer, &key, now).await.map_err(FileError::Outbox)? {
            Attempt::Sent(escalation, announcement) => Ok(Filed { escalation, queued: false, queued_because: None, announcement }),
            // Announced by the process that sent it.
            Attempt::Skipped(escalation) => Ok(Filed { escalation, queued: false, queued_because: None, announcement: Announcement::NotConfigured }),
            Attempt::Failed(escalation, why) => Ok(Filed {
                escalation,
                queued: true,
                queued_because: Some(why),
                announcement: if announcer.is_some() { Announcement::Pending } else { Announcement::NotConfigured },
            }),
            Attempt::Refused(_, why) => Err(FileError::Refused(why)),
        }
    }

    fn save(&self, key: &str, new: &NewEscalation, now: DateTime<Utc>) -> Result<(), BackendError> {
        let json = serde_json::to_string(new).map_err(|e| BackendError::Failed(format!("outbox: {e}")))?;
        let conn = self.conn();
        conn.execute(
            "INSERT INTO outbox (client_key, escalation, queued_at, state, next_attempt_ms)
             VALUES (?1, ?2, ?3, 'queued', ?4) ON CONFLICT (client_key) DO NOTHING",
            params![key, json, timestamp(now), now.timestamp_millis()],
        )
        .map_err(db_error)?;
        Ok(())
    }

    fn row(&self, key: &str) -> Result<Option<Row>, BackendError> {
        self.conn()
            .query_row(&format!("SELECT {ROW} FROM outbox WHERE client_key = ?1"), [key], row_from)
            .optional()
            .map_err(db_error)
    }

    /// Holds the senders' lock (a file lock: another process waits, a dead one holds nothing).
    async fn sender_lock(&self) -> Result<std::fs::File, BackendError> {
        let path = self.lock_path.clone();
        tokio::task::spawn_blocking(move || {
            let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
            file.lock()?;
            Ok::<_, std::io::Error>(file)
        })
        .await
        .map_err(|e| BackendError::Failed(format!("outbox lock: {e}")))?
        .map_err(|e| BackendError::Failed(format!("outbox lock: {e}")))
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
        let _lock = self.sender_lock().await?;
        let row = self.row(key)?.ok_or_else(|| BackendError::Failed(format!("outbox: no row {key}")))?;
        if row.state == "sent" {
            let id: String = self
                .conn()
                .query_row("SELECT sent_id FROM outbox WHERE client_key = ?1", [key], |r| r.get(0))
                .map_err(db_error)?;
            let e = backend.get(&id).await.unwrap_or_else(|_| Escalation { id, state: EscalationState::Open, ..row.view() });
            return Ok(Attempt::Skipped(e));
        }
        if row.state != "queued" {
            return Ok(Attempt::Refused(row.view(), BackendError::Invalid("refused before".into())));
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
                        params![key, why.to_string()],
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
                    params![key, next.timestamp_millis(), why.to_string()],
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

    async fn drain_where<B: Backend>(
        &self,
        backend: &B,
        announcer: Option<&Announcer>,
        now: DateTime<Utc>,
        due_by_ms: i64,
    ) -> DrainReport {
        let mut report = DrainReport::default();
        let due: Result<Vec<String>, BackendError> = (|| {
            let conn = self.conn();
            let mut stmt = conn
                .prepare("SELECT client_key FROM outbox WHERE state = 'queued' AND next_attempt_ms <= ?1 ORDER BY queued_at, rowid")
                .map_err(db_error)?;
            let keys = stmt.query_map([due_by_ms], |r| r.get(0)).map_err(db_error)?;
            keys.collect::<Result<_, _>>().map_err(db_error)
        })();
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
                    }
                }
            }
            Err(why) => report.failed = Some(why),
        }
        report.still_queued = self.queued_count().unwrap_or(0);
        report.next_attempt = self.next_attempt().unwrap_or(None);
        report
    }

    /// How many escalations wait to be sent: what the tray shows ("1 escalation waiting to send").
    pub fn queued_count(&self) -> Result<usize, BackendError> {
        self.conn()
            .query_row("SELECT count(*) FROM outbox WHERE state = 'queued'", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(db_error)
    }

    /// The escalations waiting to be sent, newest first, in state `queued`.
    pub fn queued(&self) -> Result<Vec<Escalation>, BackendError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!("SELECT {ROW} FROM outbox WHERE state = 'queued' ORDER BY queued_at DESC, rowid DESC"))
            .map_err(db_error)?;
        let rows = stmt.query_map([], row_from).map_err(db_error)?;
        rows.map(|r| r.map(|r| r.view())).collect::<Result<_, _>>().map_err(db_error)
    }

    /// When the next queued escalation is due (`None`: nothing is queued).
    pub fn next_attempt(&self) -> Result<Option<DateTime<Utc>>, BackendError> {
        let ms: Option<i64> = self
            .conn()
            .query_row("SELECT min(next_attempt_ms) FROM outbox WHERE state = 'queued'", [], |r| r.get(0))
            .map_err(db_error)?;
        Ok(ms.and_then(DateTime::from_timestamp_millis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_keys_are_long_random_and_distinct() {
        let a = client_key();
        let b = client_key();
        assert_ne!(a, b);
        assert_eq!(a.len(), "rota-".len() + 32);
        assert!(a.strip_prefix("rota-").unwrap().chars().all(|c| c.is_ascii_hexdigit()));
        let j = jitter();
        assert!((0.0..=1.0).contains(&j));
    }
}
