//! While another process holds the outbox's lock, a sender waits for it at most `LOCK_WAIT` and
//! leaves its escalation queued, and no thread is left behind waiting (the tray tried every 4 s and
//! leaked a thread each time). The threads counted are the process's: the test runs alone in a
//! process of its own (`rota_testkit::alone`), so no other test's threads come and go beside it.

use chrono::Utc;
use rota_core::escalation::{NewEscalation, Severity};
use rota_io::escalations::local::LocalStore;
use rota_io::escalations::outbox::{Outbox, LOCK_WAIT};

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[tokio::test]
async fn waiting_for_a_held_lock_leaves_no_thread_behind() {
    if !rota_testkit::alone::in_own_process("outbox_lock::waiting_for_a_held_lock_leaves_no_thread_behind") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("escalations.sqlite3");
    let outbox = Outbox::open(&db).unwrap();
    let backend = LocalStore::open(&db).unwrap();
    // Another sender holds the lock (a lock on another open file is another holder, even here).
    let held =
        std::fs::File::options().write(true).create(true).truncate(false).open(dir.path().join("escalations.sqlite3-outbox.lock")).unwrap();
    held.lock().unwrap();

    let before = threads();
    for i in 0..3 {
        let new = NewEscalation {
            title: format!("Search is down {i}"),
            severity: Severity::Sev2,
            assignee: Some("ann".into()),
            ..NewEscalation::default()
        };
        let started = std::time::Instant::now();
        let filed = outbox.file(&backend, None, new, Utc::now()).await.unwrap();
        assert!(filed.queued, "the lock is held: saved, will be sent");
        assert!(started.elapsed() >= LOCK_WAIT, "waited for the lock: {:?}", started.elapsed());
        assert_eq!(threads(), before, "try {i}: no thread left waiting on the lock");
    }
    assert_eq!(outbox.queued_count().unwrap(), 3);

    // The other sender is done: the next drain sends them all, once each.
    drop(held);
    let report = outbox.drain_now(&backend, None, Utc::now()).await;
    assert_eq!(report.sent.len(), 3, "{report:?}");
    assert_eq!(outbox.queued_count().unwrap(), 0);
    assert_eq!(backend.list(None).unwrap().len(), 3);
}
