//! The outbox: an escalation is saved here before anything is sent, so it is never lost and
//! never filed twice.
//!
//! How an escalation travels:
//! 1. [`Outbox::file`] gives it a client key ([`client_key`], 128 random bits) and saves it in the
//!    `outbox` table of Rota's state database ([`crate::store`]), committed before any request.
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
//!    `rota escalations` call it once, and the app when the network comes up.
//! 5. Refused by the backend as invalid (a 422, say): the row is kept, in state `refused`, with
//!    the backend's own reason. It stays in sight until a person resends it
//!    ([`Outbox::retry`], [`Outbox::resend`] with an edited escalation) or discards it
//!    ([`Outbox::discard`]): `rota outbox`, the escalate window, the tray's "⚠ 1 escalation
//!    refused by GitHub" line and a notification show it. What a backend is known to refuse
//!    ([`rota_core::outbox::known_refusal`]) is refused before it is saved.
//!
//! Several processes (the tray app, `rota` commands) may share the outbox: a sender holds an
//! exclusive lock on a file beside the database (released by the OS if the process dies) while
//! it sends one row, and re-reads the row under the lock, so two processes never send the same
//! row at once. A sender waits at most [`LOCK_WAIT`] for the lock: a filing that cannot get it
//! stays saved and queued ("saved, will be sent") instead of hanging a window.
//!
//! Test hook: [`Outbox::with_checkpoint`] runs a callback right after a row is saved and right
//! after the backend accepted it (before the outbox records it). `rota escalate` and `rota
//! escalations` install one when `ROTA_TEST_PAUSE_AFTER=saved|sent` is set (see `cli/escalate.rs`).
//!
//! It is not a backend (it never lists escalations but its own queued ones) nor a timer.

use super::{Backend, BackendError};
use crate::slack::{Announcer, SlackError};
use crate::store::{db_error, timestamp, Durability, Store};
use chrono::{DateTime, Utc};
use rota_core::escalation::{Escalation, EscalationState, NewEscalation};
use rota_core::outbox::OutboxState;
use rusqlite::{params, Connection, OptionalExtension};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::MutexGuard;
use std::time::Duration;

/// The wait after an error that time alone cannot fix (a rejected token, a missing repository)
/// before the next automatic attempt. A `rota` command, or the user fixing the token, comes sooner.
pub const AUTH_RETRY: Duration = Duration::from_secs(10 * 60);

/// The longest a sender waits for another sender (another process) to finish before it leaves
/// its escalation queued for later.
pub const LOCK_WAIT: Duration = Duration::from_secs(3);

/// How often a sender waiting for the lock tries it again.
const LOCK_RETRY: Duration = Duration::from_millis(25);

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

/// One escalation in the outbox, as `rota outbox` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub escalation: NewEscalation,
    pub state: OutboxState,
    /// Attempts to send it so far.
    pub attempts: u32,
    /// The last failure: the backend's own reason for a refused one.
    pub last_error: Option<String>,
    pub queued_at: DateTime<Utc>,
}

impl Entry {
    /// The entry's escalation as the outbox shows it while it waits (`id` is the client key).
    pub fn view(&self) -> Escalation {
        queued_view(&self.key, &self.escalation, self.queued_at)
    }
}

type Checkpoint = Box<dyn Fn(Step) + Send + Sync>;

/// The outbox table of the state database: a tenant of [`Store`], with a connection of its own
/// that commits durably.
pub struct Outbox {
    store: Store,
    lock_path: PathBuf,
    checkpoint: Option<Checkpoint>,
}

impl fmt::Debug for Outbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outbox").field("path", &self.path()).finish_non_exhaustive()
    }
}

fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness (never seen in practice): the time, the process and a counter are
        // unique enough for one machine's filings.
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = crate::clock::system_time().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
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

fn busy_discard() -> BackendError {
    BackendError::Transient("another Rota is sending from the outbox right now; try again in a moment".into())
}

/// Opens (creating, owner-only) a file beside the database.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    crate::files::open_private(path, false)
}

/// The row's escalation as the outbox shows it while queued.
fn queued_view(key: &str, new: &NewEscalation, queued_at: DateTime<Utc>) -> Escalation {
    Escalation {
        id: key.to_owned(),
        title: new.title.trim().to_owned(),
        customer: new.customer.clone(),
        severity: new.severity,
        url: new.url.clone(),
        page: None,
        details: new.details.clone(),
        reporter: new.reporter.clone(),
        assignee: new.assignee.clone(),
        state: EscalationState::Queued,
        created_at: queued_at,
        client_key: Some(key.to_owned()),
        team: None,
    }
}

struct Row {
    key: String,
    new: NewEscalation,
    queued_at: DateTime<Utc>,
    state: String,
    attempts: u32,
    last_error: Option<String>,
}

impl Row {
    fn view(&self) -> Escalation {
        queued_view(&self.key, &self.new, self.queued_at)
    }
}

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let conversion =
        |e: Box<dyn std::error::Error + Send + Sync>| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e);
    let json: String = r.get(1)?;
    let queued_at: String = r.get(2)?;
    Ok(Row {
        key: r.get(0)?,
        new: serde_json::from_str(&json).map_err(|e| conversion(Box::new(e)))?,
        queued_at: DateTime::parse_from_rfc3339(&queued_at).map_err(|e| conversion(Box::new(e)))?.with_timezone(&Utc),
        state: r.get(3)?,
        attempts: r.get(4)?,
        last_error: r.get(5)?,
    })
}

const ROW: &str = "client_key, escalation, queued_at, state, attempts, last_error";

/// The reason a refusal is kept with: the backend's own words, cut to
/// [`rota_core::redact::MESSAGE_CHARS`] characters.
fn refusal_reason(why: &BackendError) -> String {
    rota_core::redact::message(&match why {
        BackendError::Invalid(reason) => reason.clone(),
        other => other.to_string(),
    })
}

/// A sent row is kept this long (a late resend of its key still finds what it was filed as),
/// then removed so the outbox does not grow for ever.
pub const KEEP_SENT_DAYS: i64 = 30;

impl Outbox {
    /// Opens the outbox in the state database at `database`, creating its table. The folder must
    /// exist. An escalation the person just typed is committed to the disk before anything is
    /// sent: [`Durability::Full`] syncs the write-ahead log at each commit (a power cut could
    /// lose the last ones otherwise).
    pub fn open(database: impl AsRef<Path>) -> Result<Self, BackendError> {
        let store = Store::open_with(database, Durability::Full)?;
        let mut lock_path = store.path().to_path_buf().into_os_string();
        lock_path.push("-outbox.lock");
        Ok(Outbox { store, lock_path: lock_path.into(), checkpoint: None })
    }

    /// Runs `f` at each [`Step`] (a test hook: it may block until the test kills the process).
    pub fn with_checkpoint(mut self, f: impl Fn(Step) + Send + Sync + 'static) -> Self {
        self.checkpoint = Some(Box::new(f));
        self
    }

    pub fn path(&self) -> &Path {
        self.store.path()
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.store.conn()
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
        new: NewEscalation,
        now: DateTime<Utc>,
    ) -> Result<Filed, FileError> {
        let saved = self.save_new(new, now)?;
        self.send_saved(backend, announcer, &saved.id, now).await
    }

    /// Saves `new` (with a client key: its own, or a new one) as queued, and returns the outbox's
    /// view of it (`id` is the key). The first step of [`Outbox::file`], for a caller that must
    /// save before anything else can fail (opening the backend reads the keyring).
    pub fn save_new(&self, mut new: NewEscalation, now: DateTime<Utc>) -> Result<Escalation, FileError> {
        let title = new.title.trim();
        if title.is_empty() {
            return Err(FileError::WouldBeRefused("an escalation needs a title".into()));
        }
        new.title = title.to_owned();
        let key = match new.client_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) => k.to_owned(),
            None => client_key(),
        };
        new.client_key = Some(key.clone());
        self.save(&key, &new, now).map_err(FileError::Outbox)?;
        self.checkpoint(Step::Saved);
        Ok(queued_view(&key, &new, now))
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
        self.conn().query_row(&format!("SELECT {ROW} FROM outbox WHERE client_key = ?1"), [key], row_from).optional().map_err(db_error)
    }

    /// Holds the senders' lock (a file lock: another process waits, a dead one holds nothing),
    /// waiting at most [`LOCK_WAIT`]; `Ok(None)` when another sender held it all that time.
    async fn sender_lock(&self) -> Result<Option<std::fs::File>, BackendError> {
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

    /// Removes the rows sent more than [`KEEP_SENT_DAYS`] before `now`.
    pub fn forget_sent(&self, now: DateTime<Utc>) -> Result<usize, BackendError> {
        let cutoff = now - chrono::Duration::days(KEEP_SENT_DAYS);
        self.conn().execute("DELETE FROM outbox WHERE state = 'sent' AND sent_at < ?1", [timestamp(cutoff)]).map_err(db_error)
    }

    /// How many escalations the backend refused and wait for a person: the tray's "⚠ 1
    /// escalation refused by GitHub — fix and resend".
    pub fn refused_count(&self) -> Result<usize, BackendError> {
        self.conn()
            .query_row("SELECT count(*) FROM outbox WHERE state = 'refused'", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(db_error)
    }

    /// Everything saved but not filed, queued and refused, oldest first: `rota outbox`.
    pub fn entries(&self) -> Result<Vec<Entry>, BackendError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!("SELECT {ROW} FROM outbox WHERE state IN ('queued', 'refused') ORDER BY queued_at, rowid"))
            .map_err(db_error)?;
        let rows = stmt.query_map([], row_from).map_err(db_error)?;
        rows.map(|r| {
            r.map(|r| Entry {
                state: if r.state == "refused" { OutboxState::Refused } else { OutboxState::Queued },
                key: r.key,
                escalation: r.new,
                attempts: r.attempts,
                last_error: r.last_error,
                queued_at: r.queued_at,
            })
        })
        .collect::<Result<_, _>>()
        .map_err(db_error)
    }

    /// The refused escalations, oldest first: what the escalate window offers to fix and resend.
    pub fn refused(&self) -> Result<Vec<Entry>, BackendError> {
        Ok(self.entries()?.into_iter().filter(|e| e.state == OutboxState::Refused).collect())
    }

    /// Puts `key` (queued or refused) back in the queue, due at once. `false` when the outbox
    /// holds no such escalation (sent, discarded, never there).
    pub fn retry(&self, key: &str, now: DateTime<Utc>) -> Result<bool, BackendError> {
        let n = self
            .conn()
            .execute(
                "UPDATE outbox SET state = 'queued', next_attempt_ms = ?2 WHERE client_key = ?1 AND state IN ('queued', 'refused')",
                params![key, now.timestamp_millis()],
            )
            .map_err(db_error)?;
        Ok(n == 1)
    }

    /// Puts every queued and refused escalation back in the queue, due at once; how many.
    pub fn retry_all(&self, now: DateTime<Utc>) -> Result<usize, BackendError> {
        self.conn()
            .execute(
                "UPDATE outbox SET state = 'queued', next_attempt_ms = ?1 WHERE state IN ('queued', 'refused')",
                [now.timestamp_millis()],
            )
            .map_err(db_error)
    }

    /// Replaces the escalation saved under `key` (queued or refused) with `edited` and queues it
    /// again, due at once: a refused escalation fixed in the escalate window. It keeps its key,
    /// so a send that happened after all is still found rather than filed twice.
    pub fn resend(&self, key: &str, mut edited: NewEscalation, now: DateTime<Utc>) -> Result<bool, BackendError> {
        edited.title = edited.title.trim().to_owned();
        edited.client_key = Some(key.to_owned());
        let json = serde_json::to_string(&edited).map_err(|e| BackendError::Failed(format!("outbox: {e}")))?;
        let n = self
            .conn()
            .execute(
                "UPDATE outbox SET escalation = ?2, state = 'queued', next_attempt_ms = ?3 WHERE client_key = ?1 AND state IN ('queued', 'refused')",
                params![key, json, now.timestamp_millis()],
            )
            .map_err(db_error)?;
        Ok(n == 1)
    }

    /// Removes `key` (queued or refused) from the outbox: it will not be filed. Taken under the
    /// senders' lock, so an escalation being sent right now is not pulled from under its sender.
    /// `false` when there was no such escalation.
    pub async fn discard(&self, key: &str) -> Result<bool, BackendError> {
        let Some(_lock) = self.sender_lock().await? else {
            return Err(busy_discard());
        };
        let n =
            self.conn().execute("DELETE FROM outbox WHERE client_key = ?1 AND state IN ('queued', 'refused')", [key]).map_err(db_error)?;
        Ok(n == 1)
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
        let ms: Option<i64> =
            self.conn().query_row("SELECT min(next_attempt_ms) FROM outbox WHERE state = 'queued'", [], |r| r.get(0)).map_err(db_error)?;
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

    /// What the person just typed is synced to the disk at each commit.
    #[test]
    fn the_outbox_commits_with_synchronous_full() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(dir.path().join("escalations.sqlite3")).unwrap();
        let sync: i64 = outbox.conn().query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(sync, 2, "FULL");
    }
}
