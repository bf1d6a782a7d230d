//! The outbox ("never lost, never twice") against a GitHub test server and the real
//! SQLite file: filed while GitHub is down, it waits; once GitHub is up, it is sent exactly once,
//! also after a create that timed out but happened, and when two outboxes drain at once.
//! The process-kill cases run the real binary: outbox_cli.rs (local) and outbox_keyring.rs (GitHub).

use crate::support::{filing, github_with, local, Local};
use chrono::{DateTime, Duration, Utc};
use rota_core::escalation::{EscalationState, NewEscalation, Severity};
use rota_io::escalations::github::GithubBackend;
use rota_io::escalations::outbox::{Announcement, Outbox};
use rota_io::escalations::BackendError;
use rota_testkit::github::{handler, Repo};
use rota_testkit::http::{closed_port, Server};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn github(api: &str, timeout_ms: u64) -> GithubBackend {
    github_with(api, |c| c.timeout = std::time::Duration::from_millis(timeout_ms))
}

fn new(title: &str) -> NewEscalation {
    filing(title, "ann", Severity::Sev1)
}

fn posts(server: &Server) -> usize {
    server.requests().iter().filter(|(r, _)| r.method == "POST").count()
}

#[tokio::test]
async fn filed_while_github_is_down_it_waits_then_is_sent_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(dir.path().join("escalations.sqlite3")).unwrap();
    let addr = closed_port();
    let backend = github(&format!("http://{addr}"), 5_000);
    let t0 = at("2024-03-05T12:00:00Z");

    // Down: nobody listens. Saved, queued, with a key; nothing lost.
    let filed = outbox.file(&backend, None, new("Search is down"), t0).await.unwrap();
    assert!(filed.queued);
    assert!(matches!(filed.queued_because, Some(BackendError::Transient(_))), "{:?}", filed.queued_because);
    assert_eq!(filed.escalation.state, EscalationState::Queued);
    assert!(filed.escalation.id.starts_with("rota-"), "{}", filed.escalation.id);
    assert_eq!(filed.escalation.client_key.as_deref(), Some(filed.escalation.id.as_str()));
    assert_eq!(filed.announcement, Announcement::NotConfigured);
    assert_eq!(outbox.queued_count().unwrap(), 1);
    let queued = outbox.queued().unwrap();
    assert_eq!((queued.len(), queued[0].title.as_str(), queued[0].state), (1, "Search is down", EscalationState::Queued));

    // Retried with backoff: not due at once, due within the first step (1-2 s).
    let next = outbox.next_attempt().unwrap().expect("a queued escalation has a next attempt");
    assert!(next > t0 && next <= t0 + Duration::seconds(2), "{next}");
    let report = outbox.drain(&backend, None, t0).await;
    assert!(report.sent.is_empty() && report.failed.is_none() && report.still_queued == 1, "{report:?}");

    // `drain_now` (a command the user ran) does not wait for the backoff.
    let report = outbox.drain_now(&backend, None, t0).await;
    assert!(matches!(report.failed, Some(BackendError::Transient(_))), "{report:?}");
    let next = outbox.next_attempt().unwrap().unwrap();

    // Still down when due: the second wait is longer.
    let report = outbox.drain(&backend, None, next).await;
    assert!(matches!(report.failed, Some(BackendError::Transient(_))), "{report:?}");
    let second = report.next_attempt.unwrap();
    assert!(second - next >= Duration::seconds(2), "{next} then {second}");

    // Up: sent at the next drain, once; later drains send nothing.
    let repo = Repo::shared();
    let server = Server::start_at(&addr, handler(repo.clone())).await;
    let report = outbox.drain(&backend, None, second).await;
    assert_eq!(report.sent.len(), 1, "{report:?}");
    assert_eq!((report.still_queued, report.next_attempt), (0, None));
    let sent = &report.sent[0];
    assert_eq!((sent.id.as_str(), sent.state, sent.assignee.as_deref()), ("1", EscalationState::Open, Some("ann")));
    assert_eq!(sent.client_key, filed.escalation.client_key, "the key travels in the issue body");
    for later in [second, second + Duration::hours(1)] {
        let report = outbox.drain(&backend, None, later).await;
        assert!(report.sent.is_empty() && report.still_queued == 0, "{report:?}");
    }
    assert_eq!(repo.lock().unwrap().titles(), ["Search is down"]);
    assert_eq!(posts(&server), 1);
    assert_eq!(outbox.queued_count().unwrap(), 0);
}

#[tokio::test]
async fn a_create_that_timed_out_but_happened_is_found_by_its_key_not_filed_again() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(dir.path().join("escalations.sqlite3")).unwrap();
    let repo = Repo::shared();
    repo.lock().unwrap().stall_creates = 1;
    let server = Server::start(handler(repo.clone())).await;
    let backend = github(&server.base, 500);
    let t0 = at("2024-03-05T12:00:00Z");

    let filed = outbox.file(&backend, None, new("Login loop"), t0).await.unwrap();
    assert!(filed.queued, "the create timed out: {filed:?}");
    assert_eq!(repo.lock().unwrap().creates, 1, "GitHub did create it");

    let report = outbox.drain(&backend, None, t0 + Duration::minutes(5)).await;
    assert_eq!(report.sent.len(), 1, "{report:?}");
    assert_eq!(report.sent[0].id, "1");
    assert_eq!(repo.lock().unwrap().titles(), ["Login loop"], "exactly one issue");
    assert_eq!(posts(&server), 1, "the retry looked the key up and did not post again");
}

#[tokio::test]
async fn a_server_error_then_recovery_and_two_outboxes_draining_at_once_send_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("escalations.sqlite3");
    let (app, cli) = (Outbox::open(&db).unwrap(), Outbox::open(&db).unwrap());
    let repo = Repo::shared();
    repo.lock().unwrap().fail_with = Some(503);
    let server = Server::start(handler(repo.clone())).await;
    let backend = github(&server.base, 5_000);
    let t0 = at("2024-03-05T12:00:00Z");

    for title in ["First", "Second"] {
        let filed = cli.file(&backend, None, new(title), t0).await.unwrap();
        assert!(filed.queued);
    }
    assert_eq!(app.queued_count().unwrap(), 2, "one file, seen by every process");
    repo.lock().unwrap().fail_with = None;

    let later = t0 + Duration::hours(1);
    let (a, b) = tokio::join!(app.drain(&backend, None, later), cli.drain(&backend, None, later));
    assert_eq!(a.sent.len() + b.sent.len(), 2, "{a:?} {b:?}");
    assert_eq!(repo.lock().unwrap().titles(), ["First", "Second"], "oldest first, each once");
    assert_eq!(posts(&server), 2);
}

#[tokio::test]
async fn the_local_backend_files_at_once_and_its_key_makes_a_resend_harmless() {
    let Local { dir: _dir, store, outbox, .. } = local();
    let t0 = at("2024-03-05T12:00:00Z");

    let filed = outbox.file(&store, None, new("Billing page 500s"), t0).await.unwrap();
    assert!(!filed.queued);
    assert_eq!((filed.escalation.id.as_str(), filed.escalation.state), ("1", EscalationState::Open));
    assert_eq!(outbox.queued_count().unwrap(), 0);

    // The same key again (a process that died before recording the send): the same escalation.
    let again = NewEscalation { client_key: filed.escalation.client_key.clone(), ..new("Billing page 500s") };
    let filed_again = outbox.file(&store, None, again, t0).await.unwrap();
    assert_eq!(filed_again.escalation.id, "1");
    assert_eq!(store.list(None).unwrap().len(), 1);

    // An escalation the backend refuses is an error, not a queued retry storm.
    let refused = outbox.file(&store, None, new("   "), t0).await.unwrap_err();
    assert!(refused.to_string().contains("needs a title"), "{refused}");
    assert_eq!(outbox.queued_count().unwrap(), 0);
}

/// Sent rows were kept for ever. A drain removes those sent more than 30 days ago.
#[tokio::test]
async fn sent_rows_older_than_30_days_are_removed() {
    let Local { dir: _dir, db, store, outbox } = local();
    let t0 = at("2024-03-05T12:00:00Z");
    outbox.file(&store, None, new("Old"), t0).await.unwrap();
    outbox.file(&store, None, new("Recent"), t0 + Duration::days(20)).await.unwrap();
    let rows = || -> Vec<String> {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut stmt = conn.prepare("SELECT escalation FROM outbox WHERE state = 'sent' ORDER BY queued_at").unwrap();
        let titles = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        titles.map(|t| serde_json::from_str::<serde_json::Value>(&t.unwrap()).unwrap()["title"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(rows(), ["Old", "Recent"]);
    outbox.drain(&store, None, t0 + Duration::days(30)).await;
    assert_eq!(rows(), ["Old", "Recent"], "30 days are kept");
    outbox.drain(&store, None, t0 + Duration::days(31)).await;
    assert_eq!(rows(), ["Recent"]);
}
