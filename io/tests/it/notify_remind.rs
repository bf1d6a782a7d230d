//! Reminders and offers through a real D-Bus notification server: the poller on a local SQLite
//! store with its clock pinned, notify-rust, and `tests/e2e/notification_server.py`. Built only
//! with the `notify-tests` feature (`tests/notify.sh`, `tests/session.sh`).

use crate::notify::NotificationServer;
use crate::support::filing;
use chrono::{DateTime, Utc};
use rota_core::escalation::{EscalationState, Severity};
use rota_core::lifecycle::Action;
use rota_core::remind::Prefs;
use rota_io::clock::Clock;
use rota_io::escalations::local::LocalStore;
use rota_io::notifier::DesktopNotifier;
use rota_io::poller::{self, PollerConfig, PollerHandle, Snapshot};
use rota_io::remind::TeamNow;
use serde_json::Value;
use std::path::Path;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Ann (me) in Berlin 09:00-18:00 and Lord Howe, on rotation all December.
fn team() -> TeamNow {
    let page = "| Rotation | Engineers |\n|---|---|\n| 2026-11-30 to 2026-12-27 | @ann, @lh |\n";
    let people = rota_testkit::team::people(&[
        ["ann", "Ann", "Europe/Berlin", "09:00-18:00", "Mon-Fri"],
        ["lh", "Lord Howe", "Australia/Lord_Howe", "09:00-17:00", "Mon-Fri"],
    ]);
    TeamNow {
        schedule: rota_core::parse_handbook("rota.md", page).value,
        roster: rota_core::parse_roster("people.toml", &people).value,
        timing: rota_core::Timing::default(),
        viewer: chrono_tz::Europe::Berlin,
        prefs: Prefs::default(),
    }
}

struct Running {
    handle: PollerHandle,
    snapshots: Receiver<Snapshot>,
}

impl Running {
    /// The poller for ann, its clock pinned at `now`.
    fn start(rt: &tokio::runtime::Runtime, db: &Path, now: &str) -> Running {
        let (tx, snapshots) = channel();
        let config =
            PollerConfig { clock: Clock::pinned(at(now)), team: Arc::new(Mutex::new(Some(team()))), ..PollerConfig::local(db, "ann") };
        let handle = poller::spawn(rt.handle(), config, Arc::new(DesktopNotifier::new()), move |s: &Snapshot| {
            let _ = tx.send(s.clone());
        });
        Running { handle, snapshots }
    }

    fn wait_for(&self, what: &str, ok: impl Fn(&Snapshot) -> bool) -> Snapshot {
        loop {
            match self.snapshots.recv_timeout(WAIT) {
                Ok(s) if ok(&s) => return s,
                Ok(_) => {}
                Err(_) => panic!("no snapshot with {what}"),
            }
        }
    }
}

/// The Notify calls of one poll (each is a synchronous call: all are on the pipe once the
/// snapshot is out), by summary.
fn calls(server: &NotificationServer) -> Vec<Value> {
    let mut out = Vec::new();
    loop {
        match server.calls.recv_timeout(Duration::from_millis(500)) {
            Ok(v) => out.push(v),
            Err(RecvTimeoutError::Timeout) => return out,
            Err(e) => panic!("{e}"),
        }
    }
}

fn summaries(calls: &[Value]) -> Vec<&str> {
    calls.iter().map(|c| c["summary"].as_str().unwrap_or_default()).collect()
}

/// A notification server, a runtime and an empty local store.
struct Setup {
    dir: tempfile::TempDir,
    server: NotificationServer,
    rt: tokio::runtime::Runtime,
    db: std::path::PathBuf,
    store: LocalStore,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let server = NotificationServer::start(dir.path());
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let db = dir.path().join("escalations.sqlite3");
        let store = LocalStore::open(&db).unwrap();
        Setup { dir, server, rt, db, store }
    }
}

#[test]
fn the_reminder_comes_once_in_working_minutes_and_not_again_after_the_acknowledgement() {
    let Setup { dir: _dir, mut server, rt, db, store } = Setup::new();
    // Filed to me Monday 21:50 Berlin.
    let e = store.insert(&filing("Search is down", "ann", Severity::Sev3), at("2026-12-07T20:50:00Z")).unwrap();

    // Monday 23:00: a first run, its summary. Tuesday 09:29: 29 working minutes, the day's start,
    // no reminder.
    let p = Running::start(&rt, &db, "2026-12-07T22:00:00Z");
    p.wait_for("a poll", |s| s.status.is_ok());
    assert_eq!(summaries(&calls(&server)), ["1 open escalation assigned to you"]);
    rt.block_on(p.handle.shutdown());
    let p = Running::start(&rt, &db, "2026-12-08T08:29:00Z");
    p.wait_for("a poll", |s| s.status.is_ok());
    assert_eq!(summaries(&calls(&server)), ["Your day on rotation starts: 1 waiting for you"]);
    rt.block_on(p.handle.shutdown());

    // 09:30: the reminder, with Acknowledge; the tray's count.
    let p = Running::start(&rt, &db, "2026-12-08T08:30:00Z");
    let snap = p.wait_for("a poll", |s| s.status.is_ok());
    let [reminder] = &calls(&server)[..] else { panic!("one notice") };
    assert_eq!(reminder["summary"], format!("#{} has waited 30 working minutes for you", e.id));
    assert_eq!(reminder["body"], "Search is down\nSeverity: sev3 · not acknowledged yet");
    assert!(reminder["actions"].as_array().unwrap().contains(&"acknowledge".into()), "{reminder}");
    assert_eq!(snap.waiting, 1);
    server.invoke(reminder["id"].as_u64().unwrap(), "acknowledge");
    p.wait_for("the acknowledgement", |s| s.waiting == 0 && s.mine.iter().all(|m| m.state == EscalationState::Acknowledged));
    rt.block_on(p.handle.shutdown());

    // Restarted later the same day: nothing again.
    let p = Running::start(&rt, &db, "2026-12-08T12:00:00Z");
    p.wait_for("a poll", |s| s.status.is_ok());
    assert!(calls(&server).is_empty());
    rt.block_on(p.handle.shutdown());
}

#[test]
fn an_offer_is_taken_from_its_notification_and_a_withdrawn_one_is_closed() {
    let Setup { dir: _dir, mut server, rt, db, store } = Setup::new();
    // Two filed to Lord Howe an hour ago (19:50 there, after hours).
    let one = store.insert(&filing("Search is down", "lh", Severity::Sev3), at("2026-12-08T07:50:00Z")).unwrap();
    let two = store.insert(&filing("Billing export hangs", "lh", Severity::Sev3), at("2026-12-08T07:50:00Z")).unwrap();

    let p = Running::start(&rt, &db, "2026-12-08T08:50:00Z");
    let snap = p.wait_for("a poll", |s| s.status.is_ok());
    assert_eq!(snap.offered.len(), 2);
    let got = calls(&server);
    let offer = |id: &str| {
        got.iter()
            .find(|c| c["summary"] == format!("#{id} waits for Lord Howe (off hours, 19:50 there) — Take it?"))
            .unwrap_or_else(|| panic!("the offer of #{id} in {:?}", summaries(&got)))
    };
    let (first, second) = (offer(&one.id), offer(&two.id));
    assert!(first["actions"].as_array().unwrap().contains(&"take".into()), "{first}");
    assert!(!first["actions"].as_array().unwrap().contains(&"acknowledge".into()), "not the assignee's Acknowledge: {first}");

    // Take: mine and acknowledged, one history entry by me.
    server.invoke(first["id"].as_u64().unwrap(), "take");
    p.wait_for("the take", |s| s.mine.iter().any(|m| m.id == one.id && m.state == EscalationState::Acknowledged));
    let taken = store.find(&one.id).unwrap();
    assert_eq!((taken.assignee.as_deref(), taken.state), (Some("ann"), EscalationState::Acknowledged));
    let history = store.history(&one.id).unwrap();
    assert_eq!(history.len(), 2, "filed, then taken: {history:?}");

    // Lord Howe acknowledges the other: its offer is withdrawn, the notification closed.
    store.take(&two.id, &Action::Acknowledge, Some("lh"), at("2026-12-08T08:50:00Z")).unwrap();
    let second_id = second["id"].as_u64().unwrap();
    while server.closed.recv_timeout(WAIT).expect("the withdrawn offer's notification closed") != second_id {}
    p.wait_for("no offers left", |s| s.offered.is_empty());
    rt.block_on(p.handle.shutdown());
}
