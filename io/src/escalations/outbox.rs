//! The outbox: an escalation is saved here before anything is sent, so it is never lost and
//! never filed twice.
//!
//! How an escalation travels:
//! 1. [`Outbox::file`] gives it a client key ([`client_key`], 128 random bits) and saves it in the
//!    `outbox` table of Rota's state database ([`crate::store`]), committed before any request.
//! 2. It is sent through the configured [`Backend`](super::Backend) with that key: the GitHub backend writes it
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
//! Here: the outbox as kept (saving, listing, resending, discarding); `outbox/send.rs`: sending
//! and draining. It is not a backend (it never lists escalations but its own queued ones) nor a
//! timer.

mod send;

pub use send::{Announcement, DrainReport, FileError, Filed, LOCK_WAIT};

use super::BackendError;
use crate::store::{db_error, select_rows, timestamp, Durability, Store};
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

/// Whether `key` is a client key as [`client_key`] makes them (a window makes its own the same
/// way): only such a key is saved, and written into an issue's body.
pub fn is_client_key(key: &str) -> bool {
    key.strip_prefix("rota-").is_some_and(|hex| hex.len() == 32 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

fn busy_discard() -> BackendError {
    BackendError::Transient("another Rota is sending from the outbox right now; try again in a moment".into())
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

    /// Removes the rows sent more than [`KEEP_SENT_DAYS`] before `now`.
    pub fn forget_sent(&self, now: DateTime<Utc>) -> Result<usize, BackendError> {
        let cutoff = now - chrono::Duration::days(KEEP_SENT_DAYS);
        self.conn().execute("DELETE FROM outbox WHERE state = 'sent' AND sent_at < ?1", [timestamp(cutoff)]).map_err(db_error)
    }

    /// How many escalations the backend refused and wait for a person: the tray's "⚠ 1
    /// escalation refused by GitHub — fix and resend".
    pub fn refused_count(&self) -> Result<usize, BackendError> {
        self.count("refused")
    }

    /// How many rows are in `state`.
    fn count(&self, state: &str) -> Result<usize, BackendError> {
        self.conn()
            .query_row("SELECT count(*) FROM outbox WHERE state = ?1", [state], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(db_error)
    }

    /// Everything saved but not filed, queued and refused, oldest first: `rota outbox`.
    pub fn entries(&self) -> Result<Vec<Entry>, BackendError> {
        let sql = format!("SELECT {ROW} FROM outbox WHERE state IN ('queued', 'refused') ORDER BY queued_at, rowid");
        let rows: Vec<Row> = select_rows(&self.conn(), &sql, [], row_from)?;
        Ok(rows
            .into_iter()
            .map(|r| Entry {
                state: if r.state == "refused" { OutboxState::Refused } else { OutboxState::Queued },
                key: r.key,
                escalation: r.new,
                attempts: r.attempts,
                last_error: r.last_error,
                queued_at: r.queued_at,
            })
            .collect())
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
        self.count("queued")
    }

    /// The escalations waiting to be sent, newest first, in state `queued`.
    pub fn queued(&self) -> Result<Vec<Escalation>, BackendError> {
        let sql = format!("SELECT {ROW} FROM outbox WHERE state = 'queued' ORDER BY queued_at DESC, rowid DESC");
        select_rows(&self.conn(), &sql, [], |r| row_from(r).map(|r| r.view()))
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
        assert!(is_client_key(&a) && is_client_key(&b), "{a} {b}");
        for not in [
            "",
            "rota-",
            "rota-0123",
            "ROTA-0123456789abcdef0123456789abcdef",
            "rota-0123456789ABCDEF0123456789abcdef",
            "rota-0123456789abcdef0123456789abcdef0",
            "rota-0123456789abcdef0123456789abcde-",
            "rota-0123456789abcdef0123456789abc-->",
        ] {
            assert!(!is_client_key(not), "{not}");
        }
        assert_ne!(a, b);
        assert_eq!(a.len(), "rota-".len() + 32);
        assert!(a.strip_prefix("rota-").unwrap().chars().all(|c| c.is_ascii_hexdigit()));
        let j = send::jitter();
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
