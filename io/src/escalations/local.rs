//! The `local` backend: escalations in an SQLite file, with their history of changes, and the
//! notifier's seen sets.
//!
//! The file is shared: the tray app and any number of `rota` commands may open it at once. WAL
//! mode lets readers run beside a writer, every write is one `BEGIN IMMEDIATE` transaction, and a
//! busy timeout makes a second writer wait instead of failing.
//!
//! It is not the place that chooses the file (the caller passes the path, normally in the
//! platform's data folder) nor a cache of another backend: ids here are its own row numbers.

use super::{Backend, BackendError};
use chrono::{DateTime, SecondsFormat, Utc};
use rota_core::escalation::{Escalation, EscalationState, NewEscalation, SeenSet, Severity};
use rota_core::lifecycle::{self, Action, HistoryEntry, Plan};
use rota_core::reported::ReportedSeen;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, Row, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// How long a write waits for another process's write to finish before giving up (as
/// [`BackendError::Transient`]).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The local backend's tables and the notifier's seen sets: migration 1 (`schema.rs`).
pub(super) const LOCAL_TABLES: &str = "
CREATE TABLE IF NOT EXISTS escalation (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT NOT NULL,
    customer    TEXT,
    severity    TEXT NOT NULL,
    url         TEXT,
    details     TEXT NOT NULL DEFAULT '',
    reporter    TEXT,
    assignee    TEXT,
    state       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    client_key  TEXT UNIQUE
);
CREATE INDEX IF NOT EXISTS escalation_by_assignee ON escalation (assignee COLLATE NOCASE);
-- One row per change: creation (from_state NULL), a state change or a reassignment.
CREATE TABLE IF NOT EXISTS escalation_history (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    escalation_id INTEGER NOT NULL REFERENCES escalation (id),
    at            TEXT NOT NULL,
    from_state    TEXT,
    to_state      TEXT NOT NULL,
    assignee      TEXT
);
CREATE INDEX IF NOT EXISTS escalation_history_by_escalation ON escalation_history (escalation_id);
-- The notifier's seen set, per scope (one scope per backend it polls). A scope row without
-- seen rows is an empty set; no scope row means the notifier never ran (its first run).
CREATE TABLE IF NOT EXISTS notifier_scope (
    scope    TEXT PRIMARY KEY,
    saved_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notifier_seen (
    scope         TEXT NOT NULL REFERENCES notifier_scope (scope) ON DELETE CASCADE,
    escalation_id TEXT NOT NULL,
    assignee      TEXT,
    PRIMARY KEY (scope, escalation_id)
);
";

/// Migration 3 (issue 15): who made each change, its note (a resolve note, an engineering
/// link) and the engineering team engaged, on the escalation and in its history.
pub(super) const LIFECYCLE_COLUMNS: &str = "
ALTER TABLE escalation ADD COLUMN team TEXT;
ALTER TABLE escalation_history ADD COLUMN by_handle TEXT;
ALTER TABLE escalation_history ADD COLUMN note TEXT;
ALTER TABLE escalation_history ADD COLUMN team TEXT;
-- GitHub's answers to conditional requests, kept between processes: the next request sends
-- the ETag, and an unchanged answer is a 304 (no rate limit).
CREATE TABLE IF NOT EXISTS http_cache (
    url      TEXT PRIMARY KEY,
    etag     TEXT NOT NULL,
    body     BLOB NOT NULL,
    next     TEXT,
    saved_at TEXT NOT NULL
);
-- The reporter's notifier: each escalation I filed and the state last seen, per scope.
CREATE TABLE IF NOT EXISTS reported_seen (
    scope         TEXT NOT NULL REFERENCES notifier_scope (scope) ON DELETE CASCADE,
    escalation_id TEXT NOT NULL,
    state         TEXT NOT NULL,
    PRIMARY KEY (scope, escalation_id)
);
";

const COLUMNS: &str = "id, title, customer, severity, url, details, reporter, assignee, state, created_at, client_key, team";

/// One change in an escalation's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub at: DateTime<Utc>,
    /// `None` for the creation.
    pub from: Option<EscalationState>,
    pub to: EscalationState,
    /// The assignee after the change.
    pub assignee: Option<String>,
}

/// An answer to a conditional request, kept for the next process (issue 15).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedResponse {
    pub etag: String,
    pub body: Vec<u8>,
    /// The next page it linked to.
    pub next: Option<String>,
}

/// An open SQLite escalation store.
#[derive(Debug)]
pub struct LocalStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

fn db_error(e: rusqlite::Error) -> BackendError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => BackendError::Transient("the escalation database is busy".into()),
        _ => BackendError::Failed(format!("escalation database: {e}")),
    }
}

/// Runs `open` again while it finds the database busy, for up to [`BUSY_TIMEOUT`]. Two
/// connections opening a new file at once (the tray's poller and outbox sender, or two
/// processes) can have the switch to WAL refused at once rather than after a busy wait: SQLite
/// does not wait where waiting could deadlock.
pub(super) fn retry_busy<T>(mut open: impl FnMut() -> Result<T, BackendError>) -> Result<T, BackendError> {
    let started = std::time::Instant::now();
    loop {
        match open() {
            Err(BackendError::Transient(_)) if started.elapsed() < BUSY_TIMEOUT => std::thread::sleep(Duration::from_millis(20)),
            other => return other,
        }
    }
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn parse_time(s: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn parse_text<T: std::str::FromStr>(s: &str) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    s.parse().map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn escalation_from_row(row: &Row<'_>) -> rusqlite::Result<Escalation> {
    Ok(Escalation {
        id: row.get::<_, i64>(0)?.to_string(),
        title: row.get(1)?,
        customer: row.get(2)?,
        severity: parse_text::<Severity>(&row.get::<_, String>(3)?)?,
        url: row.get(4)?,
        page: None,
        details: row.get(5)?,
        reporter: row.get(6)?,
        assignee: row.get(7)?,
        state: parse_text::<EscalationState>(&row.get::<_, String>(8)?)?,
        created_at: parse_time(&row.get::<_, String>(9)?)?,
        client_key: row.get(10)?,
        team: row.get(11)?,
    })
}

/// A local id is a positive row number; anything else names no escalation.
fn row_id(id: &str) -> Result<i64, BackendError> {
    id.trim().parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| BackendError::NotFound(id.to_owned()))
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The file rewritten after each change to an escalation in the database at `database`: the
/// signal a poller watches.
pub fn change_signal(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-changed");
    PathBuf::from(name)
}

impl LocalStore {
    /// Opens (creating if needed) the database at `path`. The folder must exist.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, BackendError> {
        let path = path.as_ref().to_path_buf();
        retry_busy(|| Self::open_once(&path))
    }

    fn open_once(path: &Path) -> Result<Self, BackendError> {
        let path = path.to_path_buf();
        let mut conn = Connection::open(&path).map_err(db_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db_error)?;
        // A file from a newer Rota is refused before anything is written, even the WAL switch.
        super::schema::check_not_newer(&conn, &path, db_error)?;
        // Switching to WAL needs a moment alone with the file; the busy timeout covers a
        // second process opening it at the same time.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(db_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(BackendError::Failed(format!("{} cannot use WAL mode ({mode})", path.display())));
        }
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(db_error)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(db_error)?;
        super::schema::migrate(&mut conn, &path, db_error)?;
        Ok(LocalStore { path, conn: Mutex::new(conn) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written: recover the guard.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: it takes the write lock up front, so two
    /// writers queue (up to [`BUSY_TIMEOUT`]) instead of failing on a lock upgrade.
    fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, BackendError>) -> Result<T, BackendError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_error)?;
        let out = f(&tx)?;
        tx.commit().map_err(db_error)?;
        Ok(out)
    }

    /// Like [`Self::write`], for a change to an escalation: once it is committed, the file
    /// [`change_signal`] names is rewritten, so a poller watching it (in any process) looks at
    /// once. (The write-ahead log itself is no signal: its last write comes before the commit is
    /// visible to readers.)
    fn change<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, BackendError>) -> Result<T, BackendError> {
        let out = self.write(f)?;
        // Best effort: a poller that misses it still polls on its interval.
        let _ = crate::files::open_private(&change_signal(&self.path), true).and_then(|mut f| std::io::Write::write_all(&mut f, b"1"));
        Ok(out)
    }

    fn select(conn: &Connection, id: i64) -> Result<Escalation, BackendError> {
        conn.query_row(&format!("SELECT {COLUMNS} FROM escalation WHERE id = ?1"), [id], escalation_from_row)
            .optional()
            .map_err(db_error)?
            .ok_or_else(|| BackendError::NotFound(id.to_string()))
    }

    /// Active escalations (optionally only `assignee`'s, ignoring case), newest first.
    pub fn list(&self, assignee: Option<&str>) -> Result<Vec<Escalation>, BackendError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM escalation
                 WHERE state IN ('open', 'acknowledged', 'handed_to_engineering')
                   AND (?1 IS NULL OR assignee = ?1 COLLATE NOCASE)
                 ORDER BY id DESC"
            ))
            .map_err(db_error)?;
        let rows = stmt.query_map([assignee.map(str::trim)], escalation_from_row).map_err(db_error)?;
        rows.collect::<Result<_, _>>().map_err(db_error)
    }

    /// Every escalation, resolved ones included, newest first.
    pub fn list_all(&self) -> Result<Vec<Escalation>, BackendError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM escalation ORDER BY id DESC")).map_err(db_error)?;
        let rows = stmt.query_map([], escalation_from_row).map_err(db_error)?;
        rows.collect::<Result<_, _>>().map_err(db_error)
    }

    pub fn find(&self, id: &str) -> Result<Escalation, BackendError> {
        Self::select(&self.conn(), row_id(id)?)
    }

    /// Files an escalation as `open`. With a `client_key` already in the store, returns that
    /// escalation unchanged instead of filing a second one.
    pub fn insert(&self, new: &NewEscalation, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        let title = new.title.trim();
        if title.is_empty() {
            return Err(BackendError::Invalid("an escalation needs a title".into()));
        }
        self.change(|tx| {
            let key = non_empty(&new.client_key);
            if let Some(key) = key {
                let existing: Option<i64> =
                    tx.query_row("SELECT id FROM escalation WHERE client_key = ?1", [key], |r| r.get(0)).optional().map_err(db_error)?;
                if let Some(id) = existing {
                    return Self::select(tx, id);
                }
            }
            let state = EscalationState::Open;
            tx.execute(
                "INSERT INTO escalation (title, customer, severity, url, details, reporter, assignee, state, created_at, client_key)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    title,
                    non_empty(&new.customer),
                    new.severity.as_str(),
                    non_empty(&new.url),
                    new.details,
                    non_empty(&new.reporter),
                    non_empty(&new.assignee),
                    state.as_str(),
                    timestamp(now),
                    key,
                ],
            )
            .map_err(db_error)?;
            let id = tx.last_insert_rowid();
            record(tx, id, now, None, state, non_empty(&new.assignee), Noted { by: non_empty(&new.reporter), ..Noted::default() })?;
            Self::select(tx, id)
        })
    }

    /// Moves an escalation to `state`, recording the change. Setting the state it already has
    /// changes nothing. `queued` is not a stored state: it belongs to the outbox.
    pub fn set_state(&self, id: &str, state: EscalationState, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        if state == EscalationState::Queued {
            return Err(BackendError::Invalid("an escalation in the store cannot go back to the outbox".into()));
        }
        let id = row_id(id)?;
        self.change(|tx| {
            let before = Self::select(tx, id)?;
            if before.state == state {
                return Ok(before);
            }
            tx.execute("UPDATE escalation SET state = ?2 WHERE id = ?1", params![id, state.as_str()]).map_err(db_error)?;
            record(tx, id, now, Some(before.state), state, before.assignee.as_deref(), Noted::default())?;
            Self::select(tx, id)
        })
    }

    /// Assigns an escalation to `assignee` (or nobody), recording the change.
    pub fn assign(&self, id: &str, assignee: Option<&str>, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        let id = row_id(id)?;
        let assignee = assignee.map(str::trim).filter(|a| !a.is_empty());
        self.change(|tx| {
            let before = Self::select(tx, id)?;
            if before.assignee.as_deref() == assignee {
                return Ok(before);
            }
            tx.execute("UPDATE escalation SET assignee = ?2 WHERE id = ?1", params![id, assignee]).map_err(db_error)?;
            record(tx, id, now, Some(before.state), before.state, assignee, Noted::default())?;
            Self::select(tx, id)
        })
    }

    /// The changes to one escalation, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<Change>, BackendError> {
        let id = row_id(id)?;
        let conn = self.conn();
        Self::select(&conn, id)?;
        let mut stmt = conn
            .prepare_cached("SELECT at, from_state, to_state, assignee FROM escalation_history WHERE escalation_id = ?1 ORDER BY seq")
            .map_err(db_error)?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(Change {
                    at: parse_time(&r.get::<_, String>(0)?)?,
                    from: r.get::<_, Option<String>>(1)?.as_deref().map(parse_text).transpose()?,
                    to: parse_text(&r.get::<_, String>(2)?)?,
                    assignee: r.get(3)?,
                })
            })
            .map_err(db_error)?;
        rows.collect::<Result<_, _>>().map_err(db_error)
    }

    /// Takes `action` on escalation `id`, recorded as done by `by` at `now` (issue 15). An action
    /// whose effect is there already writes nothing; one the state does not allow is
    /// [`BackendError::Invalid`] saying what to do instead.
    pub fn take(&self, id: &str, action: &Action, by: Option<&str>, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        let row = row_id(id)?;
        let by = by.map(str::trim).filter(|b| !b.is_empty());
        self.change(|tx| {
            let before = Self::select(tx, row)?;
            let (state, assignee, team) = match lifecycle::plan(&before, action) {
                Ok(Plan::Unchanged) => return Ok(before),
                Ok(Plan::Change { state, assignee, team }) => (state, assignee, team),
                Err(refused) => return Err(BackendError::Invalid(refused.to_string())),
            };
            tx.execute(
                "UPDATE escalation SET state = ?2, assignee = ?3, team = ?4 WHERE id = ?1",
                params![row, state.as_str(), assignee, team],
            )
            .map_err(db_error)?;
            let engaged = matches!(action, Action::Engage { .. }).then_some(team.as_deref()).flatten();
            let noted = Noted { by, note: action.note(), team: engaged };
            record(tx, row, now, Some(before.state), state, assignee.as_deref(), noted)?;
            Self::select(tx, row)
        })
    }

    /// An escalation's history as `rota escalations --all --json` shows it, oldest first.
    pub fn entries(&self, id: &str) -> Result<Vec<HistoryEntry>, BackendError> {
        let id = row_id(id)?;
        let conn = self.conn();
        Self::select(&conn, id)?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT at, from_state, to_state, assignee, by_handle, note, team FROM escalation_history
                 WHERE escalation_id = ?1 ORDER BY seq",
            )
            .map_err(db_error)?;
        let rows = stmt
            .query_map([id], |r| {
                let from: Option<String> = r.get(1)?;
                let to: String = r.get(2)?;
                let assignee: Option<String> = r.get(3)?;
                // A reassignment (the state unchanged) names the new assignee.
                let reassigned = from.as_deref() == Some(to.as_str());
                Ok(HistoryEntry {
                    state: parse_text(&to)?,
                    at: parse_time(&r.get::<_, String>(0)?)?,
                    by: r.get(4)?,
                    note: r.get(5)?,
                    team: r.get(6)?,
                    assignee: if reassigned { assignee } else { None },
                })
            })
            .map_err(db_error)?;
        rows.collect::<Result<_, _>>().map_err(db_error)
    }

    /// A number that grows with every change to any escalation, by any process: a poller that
    /// checks it often (it reads one index entry) knows at once when to list again.
    pub fn change_mark(&self) -> Result<i64, BackendError> {
        self.conn().query_row("SELECT coalesce(max(seq), 0) FROM escalation_history", [], |r| r.get(0)).map_err(db_error)
    }

    /// The notifier's stored seen set for `scope`, or `None` when it never saved one.
    pub fn load_seen(&self, scope: &str) -> Result<Option<SeenSet>, BackendError> {
        let conn = self.conn();
        let known: Option<String> =
            conn.query_row("SELECT saved_at FROM notifier_scope WHERE scope = ?1", [scope], |r| r.get(0)).optional().map_err(db_error)?;
        if known.is_none() {
            return Ok(None);
        }
        let mut stmt = conn.prepare_cached("SELECT escalation_id, assignee FROM notifier_seen WHERE scope = ?1").map_err(db_error)?;
        let rows = stmt.query_map([scope], |r| Ok((r.get(0)?, r.get(1)?))).map_err(db_error)?;
        Ok(Some(rows.collect::<Result<SeenSet, _>>().map_err(db_error)?))
    }

    /// The answer kept for `url`, if any.
    pub fn cached_response(&self, url: &str) -> Result<Option<CachedResponse>, BackendError> {
        self.conn()
            .query_row("SELECT etag, body, next FROM http_cache WHERE url = ?1", [url], |r| {
                Ok(CachedResponse { etag: r.get(0)?, body: r.get(1)?, next: r.get(2)? })
            })
            .optional()
            .map_err(db_error)
    }

    /// Keeps the answer for `url`, replacing the one before.
    pub fn cache_response(&self, url: &str, response: &CachedResponse, now: DateTime<Utc>) -> Result<(), BackendError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO http_cache (url, etag, body, next, saved_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, body = excluded.body, next = excluded.next, saved_at = excluded.saved_at",
                params![url, response.etag, response.body, response.next, timestamp(now)],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }

    /// The pages a listing that starts at `first` was last kept as: `first`, then each kept
    /// page's `next`, as far as they are kept (at most `max`, a loop cut short).
    pub fn cached_chain(&self, first: &str, max: usize) -> Result<Vec<String>, BackendError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT next FROM http_cache WHERE url = ?1").map_err(db_error)?;
        let mut chain: Vec<String> = Vec::new();
        let mut at = Some(first.to_owned());
        while let Some(url) = at.take() {
            if chain.len() >= max || chain.contains(&url) {
                break;
            }
            let next: Option<Option<String>> = stmt.query_row([&url], |r| r.get(0)).optional().map_err(db_error)?;
            let Some(next) = next else { break };
            chain.push(url);
            at = next;
        }
        Ok(chain)
    }

    /// Removes the answers kept for `urls`, and every answer saved before `cutoff` (issue 25: the
    /// cache holds the pages of the last listings, not every page ever read).
    pub fn forget_responses(&self, urls: &[String], cutoff: DateTime<Utc>) -> Result<(), BackendError> {
        self.write(|tx| {
            let mut delete = tx.prepare_cached("DELETE FROM http_cache WHERE url = ?1").map_err(db_error)?;
            for url in urls {
                delete.execute([url]).map_err(db_error)?;
            }
            tx.execute("DELETE FROM http_cache WHERE saved_at < ?1", [timestamp(cutoff)]).map_err(db_error)?;
            Ok(())
        })
    }

    /// The reporter's stored states for `scope` (issue 15), or `None` when none was ever saved.
    pub fn load_reported(&self, scope: &str) -> Result<Option<ReportedSeen>, BackendError> {
        let conn = self.conn();
        let known: Option<String> =
            conn.query_row("SELECT saved_at FROM notifier_scope WHERE scope = ?1", [scope], |r| r.get(0)).optional().map_err(db_error)?;
        if known.is_none() {
            return Ok(None);
        }
        let mut stmt = conn.prepare_cached("SELECT escalation_id, state FROM reported_seen WHERE scope = ?1").map_err(db_error)?;
        let rows = stmt.query_map([scope], |r| Ok((r.get::<_, String>(0)?, parse_text(&r.get::<_, String>(1)?)?))).map_err(db_error)?;
        Ok(Some(rows.collect::<Result<ReportedSeen, _>>().map_err(db_error)?))
    }

    /// Replaces the reporter's stored states of `scope`, in one transaction.
    pub fn save_reported(&self, scope: &str, seen: &ReportedSeen, now: DateTime<Utc>) -> Result<(), BackendError> {
        self.replace_scope(scope, "reported_seen", "state", seen.iter().map(|(id, state)| (id, Some(state.as_str()))), now)
    }

    /// Replaces the seen set of `scope`, in one transaction.
    pub fn save_seen(&self, scope: &str, seen: &SeenSet, now: DateTime<Utc>) -> Result<(), BackendError> {
        self.replace_scope(scope, "notifier_seen", "assignee", seen.iter(), now)
    }

    /// Marks `scope` saved at `now` and replaces its rows in `table` (`scope`, `escalation_id`,
    /// `column`) with `rows`, in one transaction. `table` and `column` are this file's names.
    fn replace_scope<'a>(
        &self,
        scope: &str,
        table: &str,
        column: &str,
        rows: impl Iterator<Item = (&'a str, Option<&'a str>)>,
        now: DateTime<Utc>,
    ) -> Result<(), BackendError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO notifier_scope (scope, saved_at) VALUES (?1, ?2)
                 ON CONFLICT (scope) DO UPDATE SET saved_at = excluded.saved_at",
                params![scope, timestamp(now)],
            )
            .map_err(db_error)?;
            tx.execute(&format!("DELETE FROM {table} WHERE scope = ?1"), [scope]).map_err(db_error)?;
            let mut insert = tx
                .prepare_cached(&format!("INSERT INTO {table} (scope, escalation_id, {column}) VALUES (?1, ?2, ?3)"))
                .map_err(db_error)?;
            for (id, value) in rows {
                insert.execute(params![scope, id, value]).map_err(db_error)?;
            }
            Ok(())
        })
    }
}

/// What a history row says beyond the states: who, a note, the team engaged.
#[derive(Default)]
struct Noted<'a> {
    by: Option<&'a str>,
    note: Option<&'a str>,
    team: Option<&'a str>,
}

fn record(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    at: DateTime<Utc>,
    from: Option<EscalationState>,
    to: EscalationState,
    assignee: Option<&str>,
    noted: Noted<'_>,
) -> Result<(), BackendError> {
    tx.execute(
        "INSERT INTO escalation_history (escalation_id, at, from_state, to_state, assignee, by_handle, note, team)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![id, timestamp(at), from.map(EscalationState::as_str), to.as_str(), assignee, noted.by, noted.note, noted.team],
    )
    .map_err(db_error)?;
    Ok(())
}

/// The SQLite calls are short and local, so they run inline; under contention a write waits at
/// most [`BUSY_TIMEOUT`] for another process.
impl Backend for LocalStore {
    async fn list_open(&self, assignee: Option<&str>) -> Result<Vec<Escalation>, BackendError> {
        self.list(assignee)
    }
    async fn create(&self, new: &NewEscalation, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        self.insert(new, now)
    }
    async fn get(&self, id: &str) -> Result<Escalation, BackendError> {
        self.find(id)
    }
    async fn acknowledge(&self, id: &str, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        self.set_state(id, EscalationState::Acknowledged, now)
    }
    async fn hand_to_engineering(&self, id: &str, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        self.set_state(id, EscalationState::HandedToEngineering, now)
    }
    async fn resolve(&self, id: &str, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        self.set_state(id, EscalationState::Resolved, now)
    }
    async fn act(&self, id: &str, action: &Action, by: Option<&str>, now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        self.take(id, action, by, now)
    }
    async fn list_every(&self) -> Result<Vec<Escalation>, BackendError> {
        self.list_all()
    }
    async fn list_changed(&self, _since: Option<DateTime<Utc>>) -> Result<super::Changed, BackendError> {
        Ok(super::Changed { escalations: self.list_all()?, every: true, since: None })
    }
    async fn history_of(&self, e: &Escalation) -> Result<Vec<HistoryEntry>, BackendError> {
        self.entries(&e.id)
    }
}
