//! The `local` backend: escalations in Rota's state database ([`crate::store`]), with their
//! history of changes.
//!
//! Writes are each one `BEGIN IMMEDIATE` transaction of the store; after each committed change
//! a signal file is rewritten ([`change_signal`]), which a poller in any process watches.
//!
//! It is not the place that chooses the file (the caller passes the path or the open store,
//! normally in the platform's data folder) nor a cache of another backend: ids here are its own
//! row numbers.

use super::{Backend, BackendError};
use crate::store::{db_error, parse_text, parse_time, select_rows, timestamp, Store};
use chrono::{DateTime, Utc};
use rota_core::escalation::{Escalation, EscalationState, NewEscalation, Severity};
use rota_core::lifecycle::{self, Action, HistoryEntry, Plan};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::path::{Path, PathBuf};
use std::sync::{Arc, MutexGuard};

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

/// The `local` backend: a tenant of the state database.
#[derive(Debug, Clone)]
pub struct LocalStore {
    store: Arc<Store>,
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
        Ok(Self::new(Arc::new(Store::open(path)?)))
    }

    /// The local backend in an open state database.
    pub fn new(store: Arc<Store>) -> Self {
        LocalStore { store }
    }

    /// The state database it keeps its escalations in.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    pub fn path(&self) -> &Path {
        self.store.path()
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.store.conn()
    }

    /// Like [`Store::write`], for a change to an escalation: once it is committed, the file
    /// [`change_signal`] names is rewritten, so a poller watching it (in any process) looks at
    /// once. (The write-ahead log itself is no signal: its last write comes before the commit is
    /// visible to readers.)
    fn change<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, BackendError>) -> Result<T, BackendError> {
        let out = self.store.write(f)?;
        // Best effort: a poller that misses it still polls on its interval.
        let _ = crate::files::open_private(&change_signal(self.path()), true).and_then(|mut f| std::io::Write::write_all(&mut f, b"1"));
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
        let sql = format!(
            "SELECT {COLUMNS} FROM escalation
             WHERE state IN ('open', 'acknowledged', 'handed_to_engineering')
               AND (?1 IS NULL OR assignee = ?1 COLLATE NOCASE)
             ORDER BY id DESC"
        );
        select_rows(&self.conn(), &sql, [assignee.map(str::trim)], escalation_from_row)
    }

    /// Every escalation, resolved ones included, newest first.
    pub fn list_all(&self) -> Result<Vec<Escalation>, BackendError> {
        select_rows(&self.conn(), &format!("SELECT {COLUMNS} FROM escalation ORDER BY id DESC"), [], escalation_from_row)
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
        self.history_rows(id, "at, from_state, to_state, assignee", |r| {
            Ok(Change {
                at: parse_time(&r.get::<_, String>(0)?)?,
                from: r.get::<_, Option<String>>(1)?.as_deref().map(parse_text).transpose()?,
                to: parse_text(&r.get::<_, String>(2)?)?,
                assignee: r.get(3)?,
            })
        })
    }

    /// Takes `action` on escalation `id`, recorded as done by `by` at `now`. An action
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
        let mut last: Option<String> = None;
        self.history_rows(id, "at, from_state, to_state, assignee, by_handle, note, team", |r| {
            let from: Option<String> = r.get(1)?;
            let to: String = r.get(2)?;
            let assignee: Option<String> = r.get(3)?;
            // A reassignment (the state unchanged) names the new assignee; so does a take (mine
            // and acknowledged in one change).
            let before = std::mem::replace(&mut last, assignee.clone());
            let moved = from.is_some() && before != assignee;
            let reassigned = from.as_deref() == Some(to.as_str()) || moved;
            Ok(HistoryEntry {
                state: parse_text(&to)?,
                at: parse_time(&r.get::<_, String>(0)?)?,
                by: r.get(4)?,
                note: r.get(5)?,
                team: r.get(6)?,
                assignee: if reassigned { assignee } else { None },
            })
        })
    }

    /// The `columns` of escalation `id`'s history rows, oldest first, each read by `row`.
    fn history_rows<T>(&self, id: &str, columns: &str, row: impl FnMut(&Row<'_>) -> rusqlite::Result<T>) -> Result<Vec<T>, BackendError> {
        let id = row_id(id)?;
        let conn = self.conn();
        Self::select(&conn, id)?;
        select_rows(&conn, &format!("SELECT {columns} FROM escalation_history WHERE escalation_id = ?1 ORDER BY seq"), [id], row)
    }

    /// A number that grows with every change to any escalation, by any process: a poller that
    /// checks it often (it reads one index entry) knows at once when to list again.
    pub fn change_mark(&self) -> Result<i64, BackendError> {
        self.conn().query_row("SELECT coalesce(max(seq), 0) FROM escalation_history", [], |r| r.get(0)).map_err(db_error)
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
/// most [`BUSY_TIMEOUT`](crate::store::BUSY_TIMEOUT) for another process.
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
    async fn every_with_history(&self) -> Result<Vec<(Escalation, Vec<HistoryEntry>)>, BackendError> {
        super::each_with_history(self).await
    }
}
