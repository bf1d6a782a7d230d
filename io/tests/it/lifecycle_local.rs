//! An escalation's life on the `local` backend, a real SQLite file: every action
//! recorded with who and when, idempotent, refused where the state does not allow it; and a file
//! written by the previous schema (version 2) migrates with nothing lost.

use chrono::{DateTime, TimeZone, Utc};
use rota_core::escalation::{EscalationState, NewEscalation, Severity};
use rota_core::lifecycle::{Action, HistoryEntry};
use rota_io::escalations::local::LocalStore;
use rota_io::escalations::{Backend, BackendError};

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

fn new(title: &str) -> NewEscalation {
    NewEscalation {
        title: title.into(),
        reporter: Some("sam".into()),
        assignee: Some("ann".into()),
        severity: Severity::Sev2,
        ..NewEscalation::default()
    }
}

fn entry(m: i64, state: EscalationState, by: &str) -> HistoryEntry {
    HistoryEntry { state, by: Some(by.into()), at: at(m), note: None, team: None, assignee: None }
}

#[tokio::test]
async fn every_action_is_recorded_once_with_who_and_when() {
    use EscalationState::*;
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path().join("rota.sqlite3")).unwrap();
    let e = store.create(&new("Search is down"), at(0)).await.unwrap();

    let act = |action: Action, by: &'static str, m: i64| {
        let store = &store;
        async move { store.act("1", &action, Some(by), at(m)).await }
    };
    assert_eq!(act(Action::Acknowledge, "ann", 5).await.unwrap().state, Acknowledged);
    assert_eq!(act(Action::Acknowledge, "ann", 6).await.unwrap().state, Acknowledged, "again: nothing new");
    let engaged =
        act(Action::Engage { team: "search".into(), url: Some("https://eng.example.com/SRCH-1".into()) }, "ann", 10).await.unwrap();
    assert_eq!((engaged.state, engaged.team.as_deref()), (HandedToEngineering, Some("search")));
    act(Action::Engage { team: "search".into(), url: None }, "ann", 11).await.unwrap();
    let moved = act(Action::Reassign { to: "bob".into() }, "ann", 12).await.unwrap();
    assert_eq!((moved.state, moved.assignee.as_deref()), (HandedToEngineering, Some("bob")));
    act(Action::Reassign { to: "BOB".into() }, "ann", 13).await.unwrap();
    assert_eq!(act(Action::Resolve { note: Some("reindexed".into()) }, "bob", 30).await.unwrap().state, Resolved);
    act(Action::Resolve { note: Some("again".into()) }, "bob", 31).await.unwrap();

    let refused = act(Action::Acknowledge, "ann", 32).await.unwrap_err();
    assert_eq!(
        refused,
        BackendError::Invalid("escalation 1 is resolved, so there is nothing to acknowledge: reopen it first (`rota reopen 1`)".into())
    );
    assert_eq!(act(Action::Reopen, "sam", 40).await.unwrap().state, Open);
    assert_eq!(act(Action::Acknowledge, "bob", 41).await.unwrap().state, Acknowledged);

    let all = store.list_every().await.unwrap();
    assert_eq!(all.len(), 1);
    let history = store.history_of(&all[0]).await.unwrap();
    assert_eq!(
        history,
        [
            entry(0, Open, "sam"),
            entry(5, Acknowledged, "ann"),
            HistoryEntry {
                note: Some("https://eng.example.com/SRCH-1".into()),
                team: Some("search".into()),
                ..entry(10, HandedToEngineering, "ann")
            },
            HistoryEntry { assignee: Some("bob".into()), ..entry(12, HandedToEngineering, "ann") },
            HistoryEntry { note: Some("reindexed".into()), ..entry(30, Resolved, "bob") },
            entry(40, Open, "sam"),
            entry(41, Acknowledged, "bob"),
        ]
    );
    assert_eq!(store.get(&e.id).await.unwrap().team.as_deref(), Some("search"), "the team stays known");
    assert_eq!(store.act("99", &Action::Acknowledge, Some("ann"), at(50)).await, Err(BackendError::NotFound("99".into())));
    assert_eq!(store.act("x", &Action::Reopen, None, at(50)).await, Err(BackendError::NotFound("x".into())));
}

/// The schema as version 2 wrote it (frozen here: the migrations must keep reading it).
const SCHEMA_V2: &str = "
CREATE TABLE escalation (
    id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, customer TEXT, severity TEXT NOT NULL,
    url TEXT, details TEXT NOT NULL DEFAULT '', reporter TEXT, assignee TEXT, state TEXT NOT NULL,
    created_at TEXT NOT NULL, client_key TEXT UNIQUE
);
CREATE INDEX escalation_by_assignee ON escalation (assignee COLLATE NOCASE);
CREATE TABLE escalation_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, escalation_id INTEGER NOT NULL REFERENCES escalation (id),
    at TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL, assignee TEXT
);
CREATE INDEX escalation_history_by_escalation ON escalation_history (escalation_id);
CREATE TABLE notifier_scope (scope TEXT PRIMARY KEY, saved_at TEXT NOT NULL);
CREATE TABLE notifier_seen (
    scope TEXT NOT NULL REFERENCES notifier_scope (scope) ON DELETE CASCADE, escalation_id TEXT NOT NULL,
    assignee TEXT, PRIMARY KEY (scope, escalation_id)
);
CREATE TABLE outbox (
    client_key TEXT PRIMARY KEY, escalation TEXT NOT NULL, queued_at TEXT NOT NULL, state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL, last_error TEXT, sent_id TEXT, sent_at TEXT
);
CREATE INDEX outbox_by_state ON outbox (state, next_attempt_ms);
INSERT INTO escalation (title, severity, reporter, assignee, state, created_at)
    VALUES ('Login loop', 'sev1', 'sam', 'ann', 'acknowledged', '2024-03-05T12:00:00Z');
INSERT INTO escalation_history (escalation_id, at, from_state, to_state, assignee)
    VALUES (1, '2024-03-05T12:00:00Z', NULL, 'open', 'ann'), (1, '2024-03-05T12:07:00Z', 'open', 'acknowledged', 'ann');
PRAGMA user_version = 2;
";

#[tokio::test]
async fn a_version_2_file_migrates_and_keeps_its_escalations_and_history() {
    use EscalationState::*;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rota.sqlite3");
    rusqlite::Connection::open(&path).unwrap().execute_batch(SCHEMA_V2).unwrap();

    let store = LocalStore::open(&path).unwrap();
    let e = store.get("1").await.unwrap();
    assert_eq!((e.title.as_str(), e.state, e.team.as_deref()), ("Login loop", Acknowledged, None));
    let before = |m, state| HistoryEntry { by: None, ..entry(m, state, "") };
    assert_eq!(store.history_of(&e).await.unwrap(), [before(0, Open), before(7, Acknowledged)], "old rows: nobody recorded");

    store.act("1", &Action::Engage { team: "identity".into(), url: None }, Some("ann"), at(20)).await.unwrap();
    let e = store.get("1").await.unwrap();
    assert_eq!((e.state, e.team.as_deref()), (HandedToEngineering, Some("identity")));
    assert_eq!(
        store.history_of(&e).await.unwrap().last().unwrap(),
        &HistoryEntry { team: Some("identity".into()), ..entry(20, HandedToEngineering, "ann") }
    );
    let version: i64 = rusqlite::Connection::open(&path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, i64::from(rota_io::store::VERSION));
}
