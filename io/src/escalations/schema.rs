//! The local SQLite file's schema (issue 13): its tables, the version it is at, and the
//! migrations between versions.
//!
//! One file holds the `local` escalations, the notifier's seen sets and the outbox; every
//! connection that opens it ([`super::local::LocalStore`], [`super::outbox::Outbox`]) calls
//! [`migrate`] first. The version is `PRAGMA user_version`: it is read, and the missing migrations
//! run in order, in one `BEGIN IMMEDIATE` transaction, so two processes opening an old file at
//! once migrate it once. A file from a newer Rota (a version above [`VERSION`]) is refused with
//! a clear error and left untouched: it is checked before anything is written, even the switch
//! to WAL.
//!
//! It is not the place that chooses the file or its permissions (see `configured.rs`).

use super::BackendError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// The version this Rota writes and reads up to.
pub const VERSION: u32 = 3;

/// Migration `i` takes the file from version `i` to `i + 1`. Each may find its tables already
/// there (files from before versions were kept), so each creates only what is missing.
const MIGRATIONS: [&str; VERSION as usize] = [
    // 1: the local escalations, their history and the notifier's seen sets.
    super::local::LOCAL_TABLES,
    // 2: the outbox.
    super::outbox::OUTBOX_TABLE,
    // 3: who made each change, notes and the engineering team (issue 15).
    super::local::LIFECYCLE_COLUMNS,
];

fn newer(path: &Path, found: u32) -> BackendError {
    BackendError::Failed(format!(
        "{} was made by a newer Rota: schema {found}; this one reads up to {VERSION}. Update Rota, or move the file aside to start afresh",
        path.display()
    ))
}

fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).map(|v| v.clamp(0, u32::MAX as i64) as u32)
}

/// Refuses a file from a newer Rota before anything is written to it. Call it on a fresh
/// connection, before `journal_mode = WAL` (which rewrites the header).
pub fn check_not_newer(conn: &Connection, path: &Path, db_error: fn(rusqlite::Error) -> BackendError) -> Result<(), BackendError> {
    let found = version(conn).map_err(db_error)?;
    if found > VERSION {
        return Err(newer(path, found));
    }
    Ok(())
}

/// Brings the file to [`VERSION`]: reads the version and runs the missing migrations, in order,
/// in one immediate transaction; refuses (and leaves untouched) a newer one.
pub fn migrate(conn: &mut Connection, path: &Path, db_error: fn(rusqlite::Error) -> BackendError) -> Result<(), BackendError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn db_error(e: rusqlite::Error) -> BackendError {
        BackendError::Failed(e.to_string())
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
            migrate(&mut conn, &path, db_error).unwrap();
            assert_eq!(version(&conn).unwrap(), VERSION, "from {start}");
            let tables: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('escalation', 'outbox', 'notifier_seen')",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(tables, 3, "from {start}");
        }
        let path = dir.path().join("newer.sqlite3");
        let mut conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 7).unwrap();
        let e = migrate(&mut conn, &path, db_error).unwrap_err().to_string();
        assert!(e.contains("made by a newer Rota: schema 7; this one reads up to 3"), "{e}");
        assert!(check_not_newer(&conn, &path, db_error).is_err());
        assert_eq!(version(&conn).unwrap(), 7);
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).unwrap();
        assert_eq!(tables, 0, "a newer file is left untouched");
    }
}
