//! Rota's state database: the one SQLite file in the data folder (`escalations.sqlite3`) that
//! holds what Rota remembers between processes.
//!
//! Its tenants keep their own tables in it: the `local` backend its escalations and their
//! history ([`crate::escalations::local`]), the outbox what waits to be filed
//! ([`crate::escalations::outbox`]). What belongs to no backend is kept here: the poller's seen
//! sets and the reporter's states, one scope per backend and person, and GitHub's answers to
//! conditional requests (the HTTP cache), so the next process asks with their ETags. The GitHub
//! backend keeps its escalations and their timelines here too (`escalations/github/mirror.rs`).
//!
//! The file is shared: the tray app and any number of `rota` commands may open it at once. WAL
//! mode lets readers run beside a writer, every write is one `BEGIN IMMEDIATE` transaction, and a
//! busy timeout makes a second writer wait instead of failing. It is owner-only (0600, its folder
//! 0700): SQLite gives its WAL and shared-memory files the database's mode.
//!
//! The schema's version is `PRAGMA user_version`: it is read, and the missing migrations run in
//! order, in one `BEGIN IMMEDIATE` transaction, so two processes opening an old file at once
//! migrate it once. A file from a newer Rota (a version above [`VERSION`]) is refused with a
//! clear error and left untouched: it is checked before anything is written, even the switch to
//! WAL.
//!
//! It is not the place that reads the settings (see `escalations/configured.rs`), nor a backend.

use crate::escalations::BackendError;
use chrono::{DateTime, SecondsFormat, Utc};
use rota_core::escalation::SeenSet;
use rota_core::reported::ReportedSeen;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The database's file name in the data folder.
pub const DATABASE_FILE: &str = "escalations.sqlite3";

/// `escalations.sqlite3` in `data_dir`.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DATABASE_FILE)
}

/// How long a write waits for another process's write to finish before giving up (as
/// [`BackendError::Transient`]).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The version this Rota writes and reads up to.
pub const VERSION: u32 = 5;

/// Migration 1: the local escalations, their history and the notifier's seen sets.
const LOCAL_TABLES: &str = "
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

/// Migration 2: the outbox.
const OUTBOX_TABLE: &str = "
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

/// Migration 3: who made each change, its note (a resolve note, an engineering link) and the
/// engineering team engaged, on the escalation and in its history; the HTTP cache; the
/// reporter's states.
const LIFECYCLE_COLUMNS: &str = "
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

/// Migration 4: GitHub's escalations as last listed, each with its timeline, so the dashboard
/// and `rota stats` read the store and GitHub is asked only what changed
/// (`escalations/github/mirror.rs`).
const GITHUB_MIRROR: &str = "
-- One row per escalation (an issue with the label) of a scope (API, repository, label).
CREATE TABLE IF NOT EXISTS github_issue (
    scope       TEXT NOT NULL,
    number      INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,    -- GitHub's clock, as it said it
    issue       TEXT NOT NULL,    -- the issue as read (JSON)
    seq         INTEGER NOT NULL, -- the scope's count of changes when this row last changed
    timeline_at TEXT,             -- the updated_at its timeline was read at
    timeline    TEXT,             -- the timeline's items (JSON)
    PRIMARY KEY (scope, number)
);
CREATE INDEX IF NOT EXISTS github_issue_by_seq ON github_issue (scope, seq);
-- Where each scope's next listing of changes starts, and when it was last asked.
CREATE TABLE IF NOT EXISTS github_sync (
    scope     TEXT PRIMARY KEY,
    since     TEXT NOT NULL,      -- GitHub's clock: the listing of changes asks since then
    seq       INTEGER NOT NULL,   -- changes written so far
    synced_at TEXT NOT NULL       -- our clock: how fresh the rows are
);
";

/// Migration 5: what the tray said that is no seen set (reminders, offers, the day's start,
/// what is held while I sleep), as one JSON value per scope.
const NOTICE_STATE: &str = "
CREATE TABLE IF NOT EXISTS notice_state (
    scope    TEXT PRIMARY KEY,
    state    TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
";

/// Migration `i` takes the file from version `i` to `i + 1`. Each may find its tables already
/// there (files from before versions were kept), so each creates only what is missing.
const MIGRATIONS: [&str; VERSION as usize] = [LOCAL_TABLES, OUTBOX_TABLE, LIFECYCLE_COLUMNS, GITHUB_MIRROR, NOTICE_STATE];

/// How surely a commit is on the disk before it returns (SQLite's `synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `NORMAL`: safe against a crash of the process; a power cut may lose the last commits.
    Normal,
    /// `FULL`: the write-ahead log synced at each commit, for what a person just typed.
    Full,
}

/// An answer to a conditional request, kept for the next process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedResponse {
    pub etag: String,
    pub body: Vec<u8>,
    /// The next page it linked to.
    pub next: Option<String>,
}

/// The state database, open: one connection, shared by its tenants in this process.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

/// A database error as a backend error: a busy file may pass by itself, anything else will not.
pub(crate) fn db_error(e: rusqlite::Error) -> BackendError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => BackendError::Transient("the escalation database is busy".into()),
        _ => BackendError::Failed(format!("escalation database: {e}")),
    }
}

/// The rows `sql` selects with `params`, each read by `row`.
pub(crate) fn select_rows<T, C: FromIterator<T>>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<C, BackendError> {
    let mut stmt = conn.prepare_cached(sql).map_err(db_error)?;
    let rows = stmt.query_map(params, row).map_err(db_error)?;
    rows.collect::<Result<C, _>>().map_err(db_error)
}

/// How a time is written in the database.
pub(crate) fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Text read back as `T`, a failure said as SQLite's own conversion error.
pub(crate) fn parse_text<T: std::str::FromStr>(s: &str) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    s.parse().map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// A time written by [`timestamp`], read back.
pub(crate) fn parse_time(s: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn newer(path: &Path, found: u32) -> BackendError {
    BackendError::Failed(format!(
        "{} was made by a newer Rota: schema {found}; this one reads up to {VERSION}. Update Rota, or move the file aside to start afresh",
        path.display()
    ))
}

fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).map(|v| v.clamp(0, u32::MAX as i64) as u32)
}

/// Brings the file to [`VERSION`]: reads the version and runs the missing migrations, in order,
/// in one immediate transaction; refuses (and leaves untouched) a newer one.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), BackendError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_error)?;
    let found = version(&tx).map_err(db_error)?;
    if found > VERSION {
        return Err(newer(path, found)); // the transaction rolls back: nothing written
    }
    if found == VERSION {
        return Ok(()); // nothing to write: the transaction ends without a change
    }
    for sql in &MIGRATIONS[found as usize..] {
        tx.execute_batch(sql).map_err(db_error)?;
    }
    tx.pragma_update(None, "user_version", VERSION).map_err(db_error)?;
    tx.commit().map_err(db_error)
}

/// Makes `dir` 0700 and everything under it owner-only (folders 0700, files 0600). Symbolic
/// links are left alone (their mode means nothing; their targets are not ours to change).
#[cfg(unix)]
pub fn make_private(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::symlink_metadata(dir)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let want = if meta.is_dir() { 0o700 } else { 0o600 };
    if meta.permissions().mode() & 0o777 != want {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(want))?;
    }
    if meta.is_dir() {
        for entry in std::fs::read_dir(dir)? {
            make_private(&entry?.path())?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn make_private(_dir: &Path) -> std::io::Result<()> {
    Ok(()) // the platform's per-user data folder is private already
}

/// Creates the database file owner-only (0600) if it is not there yet, before SQLite opens it.
pub fn create_private(path: &Path) -> std::io::Result<()> {
    crate::files::open_private(path, false).map(drop)
}

impl Store {
    /// Opens (creating if needed, migrating an older one) the database at `path`, committing
    /// with [`Durability::Normal`]. The folder must exist.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, BackendError> {
        Self::open_with(path, Durability::Normal)
    }

    /// [`Store::open`], committing as `durability` says.
    pub fn open_with(path: impl AsRef<Path>, durability: Durability) -> Result<Self, BackendError> {
        let path = path.as_ref().to_path_buf();
        // Two connections opening a new file at once (the tray's poller and outbox sender, or two
        // processes) can have the switch to WAL refused at once rather than after a busy wait:
        // SQLite does not wait where waiting could deadlock. Tried again for up to BUSY_TIMEOUT.
        let started = std::time::Instant::now();
        loop {
            match Self::open_once(&path, durability) {
                Err(BackendError::Transient(_)) if started.elapsed() < BUSY_TIMEOUT => std::thread::sleep(Duration::from_millis(20)),
                other => return other,
            }
        }
    }

    fn open_once(path: &Path, durability: Durability) -> Result<Self, BackendError> {
        let path = path.to_path_buf();
        let mut conn = Connection::open(&path).map_err(db_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db_error)?;
        // A file from a newer Rota is refused before anything is written, even the WAL switch
        // (which rewrites the header).
        let found = version(&conn).map_err(db_error)?;
        if found > VERSION {
            return Err(newer(&path, found));
        }
        // Switching to WAL needs a moment alone with the file; the busy timeout covers a
        // second process opening it at the same time.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(db_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(BackendError::Failed(format!("{} cannot use WAL mode ({mode})", path.display())));
        }
        let synchronous = match durability {
            Durability::Normal => "NORMAL",
            Durability::Full => "FULL",
        };
        conn.pragma_update(None, "synchronous", synchronous).map_err(db_error)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(db_error)?;
        migrate(&mut conn, &path)?;
        Ok(Store { path, conn: Mutex::new(conn) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for a tenant's own queries.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written: recover the guard.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: it takes the write lock up front, so two
    /// writers queue (up to [`BUSY_TIMEOUT`]) instead of failing on a lock upgrade.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, BackendError>) -> Result<T, BackendError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_error)?;
        let out = f(&tx)?;
        tx.commit().map_err(db_error)?;
        Ok(out)
    }

    /// The notifier's stored seen set for `scope`, or `None` when it never saved one.
    pub fn load_seen(&self, scope: &str) -> Result<Option<SeenSet>, BackendError> {
        self.load_scope(scope, "SELECT escalation_id, assignee FROM notifier_seen WHERE scope = ?1", |r| Ok((r.get(0)?, r.get(1)?)))
    }

    /// The reporter's stored states for `scope`, or `None` when none was ever saved.
    pub fn load_reported(&self, scope: &str) -> Result<Option<ReportedSeen>, BackendError> {
        self.load_scope(scope, "SELECT escalation_id, state FROM reported_seen WHERE scope = ?1", |r| {
            Ok((r.get::<_, String>(0)?, parse_text(&r.get::<_, String>(1)?)?))
        })
    }

    /// The rows `select` reads for `scope`, or `None` when the scope was never saved.
    fn load_scope<T, C: FromIterator<T>>(
        &self,
        scope: &str,
        select: &str,
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<C>, BackendError> {
        let conn = self.conn();
        let known: Option<String> =
            conn.query_row("SELECT saved_at FROM notifier_scope WHERE scope = ?1", [scope], |r| r.get(0)).optional().map_err(db_error)?;
        if known.is_none() {
            return Ok(None);
        }
        select_rows(&conn, select, [scope], row).map(Some)
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

    /// The last day a daily post of `scope` (`slack-summary`) was claimed by this desk, kept beside
    /// the seen sets: a scope whose one row is the day.
    pub fn posted_day(&self, scope: &str) -> Result<Option<chrono::NaiveDate>, BackendError> {
        let rows: Option<Vec<String>> = self.load_scope(scope, "SELECT escalation_id FROM notifier_seen WHERE scope = ?1", |r| r.get(0))?;
        Ok(rows.into_iter().flatten().filter_map(|d| rota_core::dates::iso_date(&d)).max())
    }

    /// Claims `day`'s post of `scope` ([`Store::claim`]).
    pub fn claim_day(&self, scope: &str, day: chrono::NaiveDate, now: DateTime<Utc>) -> Result<bool, BackendError> {
        self.claim(scope, &day.to_string(), now)
    }

    /// Claims the post of `scope` named `key` (a day, or an instant in UTC: keys that sort as
    /// text sort in time): `true` for the one caller that finds it unclaimed (the read and the
    /// write in one transaction, so two processes never both post); `false` when that key or a
    /// later one was claimed already.
    pub fn claim(&self, scope: &str, key: &str, now: DateTime<Utc>) -> Result<bool, BackendError> {
        self.write(|tx| {
            let last: Option<String> = tx
                .query_row("SELECT max(escalation_id) FROM notifier_seen WHERE scope = ?1", [scope], |r| r.get(0))
                .optional()
                .map_err(db_error)?
                .flatten();
            if last.as_deref().is_some_and(|l| l >= key) {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO notifier_scope (scope, saved_at) VALUES (?1, ?2)
                 ON CONFLICT (scope) DO UPDATE SET saved_at = excluded.saved_at",
                params![scope, timestamp(now)],
            )
            .map_err(db_error)?;
            tx.execute("DELETE FROM notifier_seen WHERE scope = ?1", [scope]).map_err(db_error)?;
            tx.execute("INSERT INTO notifier_seen (scope, escalation_id) VALUES (?1, ?2)", params![scope, key]).map_err(db_error)?;
            Ok(true)
        })
    }

    /// Puts the claim of `scope` back to `day` (none: never claimed), after a post that failed.
    pub fn forget_day(&self, scope: &str, day: Option<chrono::NaiveDate>, now: DateTime<Utc>) -> Result<(), BackendError> {
        let day = day.map(|d| d.to_string());
        self.replace_scope(scope, "notifier_seen", "assignee", day.as_deref().map(|d| (d, None)).into_iter(), now)
    }

    /// The notice state stored for `scope` ([`Self::save_state`]), or `None` when none was ever
    /// saved (or it no longer reads: then this is a first run again).
    pub fn load_state<T: serde::de::DeserializeOwned>(&self, scope: &str) -> Result<Option<T>, BackendError> {
        let text: Option<String> =
            self.conn().query_row("SELECT state FROM notice_state WHERE scope = ?1", [scope], |r| r.get(0)).optional().map_err(db_error)?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Replaces the notice state of `scope`, in one transaction.
    pub fn save_state<T: serde::Serialize>(&self, scope: &str, state: &T, now: DateTime<Utc>) -> Result<(), BackendError> {
        let text = serde_json::to_string(state).map_err(|e| BackendError::Failed(e.to_string()))?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO notice_state (scope, state, saved_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (scope) DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at",
                params![scope, text, timestamp(now)],
            )
            .map(drop)
            .map_err(db_error)
        })
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

    /// Removes the answers kept for `urls`, and every answer saved before `cutoff`: the cache
    /// holds the pages of the last listings, not every page ever read.
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reminders' state is kept per scope across a reopen, as the seen sets are; none
    /// stored reads as a first run.
    #[test]
    fn notice_state_is_kept_per_scope_across_a_reopen() {
        use rota_core::remind::RemindState;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rota.sqlite3");
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-08T08:30:00Z").unwrap().with_timezone(&Utc);
        let state = RemindState { me: "ann".into(), reminded: ["12".to_owned()].into(), ..Default::default() };
        {
            let store = Store::open(&path).unwrap();
            assert_eq!(store.load_state::<RemindState>("remind:local:ann").unwrap(), None);
            store.save_state("remind:local:ann", &state, now).unwrap();
            store.save_state("remind:local:bob", &RemindState::default(), now).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.load_state::<RemindState>("remind:local:ann").unwrap(), Some(state));
        assert_eq!(store.load_state::<RemindState>("remind:local:bob").unwrap(), Some(RemindState::default()));
    }

    #[test]
    fn migrations_run_in_order_from_any_older_version_and_a_newer_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for start in 0..=VERSION {
            let path = dir.path().join(format!("v{start}.sqlite3"));
            let mut conn = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..start as usize] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", start).unwrap();
            migrate(&mut conn, &path).unwrap();
            assert_eq!(version(&conn).unwrap(), VERSION, "from {start}");
            let tables: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('escalation', 'outbox', 'notifier_seen', 'github_issue', 'notice_state')",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(tables, 5, "from {start}");
        }
        let path = dir.path().join("newer.sqlite3");
        let mut conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 7).unwrap();
        let e = migrate(&mut conn, &path).unwrap_err().to_string();
        assert!(e.contains(&format!("made by a newer Rota: schema 7; this one reads up to {VERSION}")), "{e}");
        drop(conn);
        let refused = Store::open(&path).unwrap_err().to_string();
        assert!(refused.contains("made by a newer Rota"), "{refused}");
        let conn = Connection::open(&path).unwrap();
        assert_eq!(version(&conn).unwrap(), 7);
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).unwrap();
        assert_eq!(tables, 0, "a newer file is left untouched");
        let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_ne!(journal.to_ascii_lowercase(), "wal", "not even switched to WAL");
    }

    /// What the person just typed is synced to the disk at each commit: the outbox opens the
    /// store with FULL durability.
    #[test]
    fn a_durable_store_commits_with_synchronous_full_and_the_file_is_versioned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("escalations.sqlite3");
        for (durability, expected) in [(Durability::Full, 2), (Durability::Normal, 1)] {
            let store = Store::open_with(&path, durability).unwrap();
            let conn = store.conn();
            let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
            assert_eq!(sync, expected, "{durability:?}");
            let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
            assert_eq!(version, i64::from(VERSION));
        }
    }
}
