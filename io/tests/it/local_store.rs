//! The `local` backend on a real SQLite file, including two OS processes writing at
//! once.

use chrono::{DateTime, TimeZone, Utc};
use rota_core::escalation::{decide, EscalationState, NewEscalation, Notice, SeenSet, Severity};
use rota_io::escalations::local::{Change, LocalStore};
use rota_io::escalations::{Backend, BackendError};
use std::path::Path;
use std::process::Command;

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 9, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

fn new(title: &str, assignee: Option<&str>) -> NewEscalation {
    NewEscalation {
        title: title.into(),
        customer: Some("Acme Corp".into()),
        severity: Severity::Sev2,
        url: Some("https://support.example.com/tickets/42".into()),
        details: "Search returns 500 since the upgrade.".into(),
        reporter: Some("support-sam".into()),
        assignee: assignee.map(Into::into),
        client_key: None,
    }
}

#[tokio::test]
async fn files_lists_and_moves_escalations_through_their_states_with_history() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path().join("rota.sqlite3")).unwrap();

    let a = store.create(&new("Search is down", Some("keegancsmith")), at(0)).await.unwrap();
    let b = store.create(&new("Login loop", Some("bob")), at(1)).await.unwrap();
    assert_eq!((a.id.as_str(), b.id.as_str()), ("1", "2"));
    assert_eq!(a.state, EscalationState::Open);
    assert_eq!(a.created_at, at(0));
    assert_eq!(a.customer.as_deref(), Some("Acme Corp"));
    assert_eq!(a.url.as_deref(), Some("https://support.example.com/tickets/42"));
    assert_eq!(store.get("1").await.unwrap(), a);

    let ids = |v: Vec<rota_core::escalation::Escalation>| v.into_iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(store.list_open(None).await.unwrap()), ["2", "1"], "newest first");
    assert_eq!(ids(store.list_open(Some("KeeganCSmith")).await.unwrap()), ["1"], "handles ignore case");

    assert_eq!(store.acknowledge("1", at(5)).await.unwrap().state, EscalationState::Acknowledged);
    assert_eq!(store.acknowledge("1", at(6)).await.unwrap().state, EscalationState::Acknowledged);
    assert_eq!(store.hand_to_engineering("1", at(7)).await.unwrap().state, EscalationState::HandedToEngineering);
    store.assign("1", Some("carol"), at(8)).unwrap();
    assert_eq!(store.resolve("1", at(9)).await.unwrap().state, EscalationState::Resolved);
    assert_eq!(ids(store.list_open(None).await.unwrap()), ["2"], "resolved ones are not open");

    use EscalationState::*;
    let change = |m, from, to, who: &str| Change { at: at(m), from, to, assignee: Some(who.into()) };
    assert_eq!(
        store.history("1").unwrap(),
        [
            change(0, None, Open, "keegancsmith"),
            change(5, Some(Open), Acknowledged, "keegancsmith"),
            change(7, Some(Acknowledged), HandedToEngineering, "keegancsmith"),
            change(8, Some(HandedToEngineering), HandedToEngineering, "carol"),
            change(9, Some(HandedToEngineering), Resolved, "carol"),
        ],
        "the repeated acknowledge recorded nothing"
    );

    // Reopened in a new process: everything is still there.
    drop(store);
    let store = LocalStore::open(dir.path().join("rota.sqlite3")).unwrap();
    assert_eq!(store.get("1").await.unwrap().state, Resolved);
    assert_eq!(store.history("1").unwrap().len(), 5);
}

#[tokio::test]
async fn errors_are_variants() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path().join("rota.sqlite3")).unwrap();
    assert_eq!(store.get("7").await, Err(BackendError::NotFound("7".into())));
    assert_eq!(store.acknowledge("abc", at(0)).await, Err(BackendError::NotFound("abc".into())));
    assert!(matches!(store.create(&new("  ", None), at(0)).await, Err(BackendError::Invalid(_))));
    store.create(&new("x", None), at(0)).await.unwrap();
    assert!(matches!(store.set_state("1", EscalationState::Queued, at(1)), Err(BackendError::Invalid(_))));
    // A folder that does not exist is an error, not a panic.
    assert!(matches!(LocalStore::open(dir.path().join("no/such/dir/db")), Err(BackendError::Failed(_))));
}

#[tokio::test]
async fn a_retried_create_with_the_same_client_key_files_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path().join("rota.sqlite3")).unwrap();
    let mut n = new("Search is down", Some("keegancsmith"));
    n.client_key = Some("k-123".into());
    let first = store.create(&n, at(0)).await.unwrap();
    let again = store.create(&n, at(3)).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(first.client_key.as_deref(), Some("k-123"));
    assert_eq!(store.list_all().unwrap().len(), 1);
}

#[tokio::test]
async fn the_seen_set_survives_a_restart_and_an_assignment_is_announced_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rota.sqlite3");
    let me = "keegancsmith";
    let scope = "local";
    {
        let store = LocalStore::open(&path).unwrap();
        assert_eq!(store.store().load_seen(scope).unwrap(), None, "never saved: first run");
        store.create(&new("Old one", Some(me)), at(0)).await.unwrap();
        let d = decide(None, me, &store.list_open(None).await.unwrap());
        assert!(matches!(d.notices.as_slice(), [Notice::Summary { escalations }] if escalations.len() == 1));
        store.store().save_seen(scope, &d.seen, at(1)).unwrap();
        store.store().save_seen("github:acme/escalations", &SeenSet::new(), at(1)).unwrap();
    }
    let store = LocalStore::open(&path).unwrap();
    assert_eq!(store.store().load_seen("github:acme/escalations").unwrap(), Some(SeenSet::new()), "empty, not absent");
    let mark = store.change_mark().unwrap();
    let b = store.create(&new("New one", Some(me)), at(2)).await.unwrap();
    assert!(store.change_mark().unwrap() > mark);
    for round in 0..3 {
        let seen = store.store().load_seen(scope).unwrap();
        let d = decide(seen.as_ref(), me, &store.list_open(None).await.unwrap());
        let announced: Vec<_> = d
            .notices
            .iter()
            .map(|n| match n {
                Notice::Assigned { escalation, .. } => escalation.id.clone(),
                Notice::Summary { .. } => panic!("no second summary"),
            })
            .collect();
        assert_eq!(announced, if round == 0 { vec![b.id.clone()] } else { vec![] }, "round {round}");
        store.store().save_seen(scope, &d.seen, at(3)).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Two processes writing at once. The test binary starts copies of itself that run
// `child_writer` with ROTA_TEST_WRITER set; each inserts and updates rows as fast as it can.
// ---------------------------------------------------------------------------------------------

const ROWS_PER_WRITER: usize = 400;

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

fn write_rows(path: &Path, tag: &str) {
    let store = LocalStore::open(path).unwrap();
    for i in 0..ROWS_PER_WRITER {
        let mut n = new(&format!("{tag} {i}"), Some(tag));
        n.client_key = Some(format!("{tag}-{i}"));
        let e = store.insert(&n, at(i as i64)).unwrap();
        if i % 3 == 0 {
            store.set_state(&e.id, EscalationState::Acknowledged, at(i as i64)).unwrap();
        }
        if i % 10 == 0 {
            // Readers run beside the other process's writes.
            assert!(store.list(Some(tag)).unwrap().len() > i / 3);
        }
    }
}

/// In a child process: writes the rows it is told to. Run directly, it writes into a file of
/// its own, so it is a (small) test of its own too.
#[test]
fn child_writer() {
    match std::env::var("ROTA_TEST_WRITER") {
        Ok(spec) => {
            let (path, tag) = spec.split_once('|').unwrap();
            let start = nanos();
            write_rows(Path::new(path), tag);
            println!("WINDOW {start} {}", nanos());
        }
        Err(_) => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("rota.sqlite3");
            write_rows(&path, "solo");
            assert_eq!(LocalStore::open(&path).unwrap().list_all().unwrap().len(), ROWS_PER_WRITER);
        }
    }
}

#[test]
fn two_processes_write_at_once_and_no_row_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rota.sqlite3");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = ["tray", "cli"]
        .into_iter()
        .map(|tag| {
            Command::new(&exe)
                .args(["--exact", "local_store::child_writer", "--test-threads=1", "--nocapture"])
                .env("ROTA_TEST_WRITER", format!("{}|{tag}", path.display()))
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // And this process writes too, through a third connection, while they run.
    let store = {
        // The children may be creating the file right now; opening waits for them.
        LocalStore::open(&path).unwrap()
    };
    for i in 0..50 {
        store.insert(&new(&format!("parent {i}"), None), at(i)).unwrap();
    }
    let windows: Vec<(u128, u128)> = children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "a writer process failed");
            let text = String::from_utf8(out.stdout).unwrap();
            let line = text.lines().find_map(|l| l.split_once("WINDOW ").map(|(_, w)| w)).expect("the child reports its window");
            let (a, b) = line.split_once(' ').unwrap();
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect();
    let overlap = windows[0].1.min(windows[1].1).saturating_sub(windows[0].0.max(windows[1].0));
    println!(
        "writers: {:?} ms, overlapping {} ms",
        windows.iter().map(|w| (w.1 - w.0) / 1_000_000).collect::<Vec<_>>(),
        overlap / 1_000_000
    );
    assert!(overlap > 0, "the two processes wrote at the same time");

    let all = store.list_all().unwrap();
    assert_eq!(all.len(), 2 * ROWS_PER_WRITER + 50, "no lost rows");
    for tag in ["tray", "cli"] {
        let mine: Vec<_> = all.iter().filter(|e| e.assignee.as_deref() == Some(tag)).collect();
        assert_eq!(mine.len(), ROWS_PER_WRITER);
        let acked = mine.iter().filter(|e| e.state == EscalationState::Acknowledged).count();
        assert_eq!(acked, ROWS_PER_WRITER.div_ceil(3), "no lost updates for {tag}");
    }
    let mut ids: Vec<i64> = all.iter().map(|e| e.id.parse().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "ids are unique");
    let history_rows: usize = all.iter().map(|e| store.history(&e.id).unwrap().len()).sum();
    assert_eq!(history_rows, all.len() + 2 * ROWS_PER_WRITER.div_ceil(3));
}

#[test]
fn opening_a_new_file_from_two_places_at_once_waits_instead_of_failing() {
    // The tray's poller and its outbox sender open the same new file as it starts.
    for _ in 0..30 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("escalations.sqlite3");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let (b, path) = (barrier.clone(), db.clone());
        let outbox = std::thread::spawn(move || {
            b.wait();
            rota_io::escalations::outbox::Outbox::open(&path).map(drop)
        });
        barrier.wait();
        let store = LocalStore::open(&db).map(drop);
        assert!(store.is_ok(), "{store:?}");
        let outbox = outbox.join().unwrap();
        assert!(outbox.is_ok(), "{outbox:?}");
    }
}
