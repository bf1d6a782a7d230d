//! The person who filed an escalation, running Rota with `me` set, is told when it is
//! acknowledged, handed to engineering or resolved: the real poller on a real SQLite file, once
//! each, across a restart.

use chrono::{DateTime, TimeZone, Utc};
use rota_core::escalation::{NewEscalation, Severity};
use rota_core::lifecycle::Action;
use rota_core::notice::NoticeText;
use rota_io::escalations::local::LocalStore;
use rota_io::notifier::{ActionSink, Notifier, NotifyError};
use rota_io::poller::{self, PollerConfig, Snapshot};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Records what is shown: assignment notices and progress notices alike.
#[derive(Default)]
struct Recorder {
    shown: Mutex<Vec<NoticeText>>,
}

impl Notifier for Recorder {
    fn show(&self, words: &NoticeText, _: ActionSink) -> Result<(), NotifyError> {
        self.shown.lock().unwrap().push(words.clone());
        Ok(())
    }
    fn show_progress(&self, t: &NoticeText, _: ActionSink) -> Result<(), NotifyError> {
        self.shown.lock().unwrap().push(t.clone());
        Ok(())
    }
}

impl Recorder {
    fn summaries(&self) -> Vec<String> {
        self.shown.lock().unwrap().iter().map(|t| t.summary.clone()).collect()
    }
}

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

/// Waits for a successful poll: the first run is over once it comes.
fn polled(snapshots: &Receiver<Snapshot>) {
    loop {
        let s = snapshots.recv_timeout(Duration::from_secs(10)).expect("a successful poll");
        if s.status.is_ok() {
            return;
        }
    }
}

fn wait(snapshots: &Receiver<Snapshot>, recorder: &Recorder, what: &str, ok: impl Fn(&[String]) -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !ok(&recorder.summaries()) {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if snapshots.recv_timeout(left).is_err() {
            panic!("timed out waiting for {what}; shown {:?}", recorder.summaries());
        }
    }
}

#[test]
fn the_reporter_hears_of_each_step_once_even_across_a_restart() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("escalations.sqlite3");
    let store = LocalStore::open(&db).unwrap();
    let filed = |title: &str, m| {
        let new = NewEscalation {
            title: title.into(),
            reporter: Some("sam".into()),
            assignee: Some("ann".into()),
            severity: Severity::Sev2,
            ..Default::default()
        };
        store.insert(&new, at(m)).unwrap()
    };
    let old = filed("Before sam ran Rota", 0);
    store.take(&old.id, &Action::Acknowledge, Some("ann"), at(1)).unwrap();

    let start = |recorder: Arc<Recorder>| {
        let (tx, snapshots) = channel();
        let handle = poller::spawn(rt.handle(), PollerConfig::local(&db, "sam"), recorder, move |s: &Snapshot| {
            let _ = tx.send(s.clone());
        });
        (handle, snapshots)
    };
    let recorder = Arc::new(Recorder::default());
    let (handle, snapshots) = start(recorder.clone());
    polled(&snapshots);
    let e = filed("Search is down", 2);
    store.take(&e.id, &Action::Acknowledge, Some("ann"), at(3)).unwrap();
    wait(&snapshots, &recorder, "the acknowledgement", |s| s.len() == 1);
    store.take(&e.id, &Action::Engage { team: "search".into(), url: None }, Some("ann"), at(4)).unwrap();
    wait(&snapshots, &recorder, "the engagement", |s| s.len() == 2);
    store.take(&e.id, &Action::Resolve { note: None }, Some("ann"), at(5)).unwrap();
    wait(&snapshots, &recorder, "the resolution", |s| s.len() == 3);
    assert_eq!(
        recorder.summaries(),
        [
            "Your escalation was acknowledged: Search is down",
            "Your escalation went to engineering (search): Search is down",
            "Your escalation was resolved: Search is down",
        ],
        "nothing about what happened before the first run"
    );
    rt.block_on(handle.shutdown());

    // A restart tells nothing again; a reopen and a new acknowledgement do.
    let again = Arc::new(Recorder::default());
    let (handle, snapshots) = start(again.clone());
    polled(&snapshots);
    store.take(&e.id, &Action::Reopen, Some("sam"), at(6)).unwrap();
    store.take(&e.id, &Action::Acknowledge, Some("bob"), at(7)).unwrap();
    wait(&snapshots, &again, "the new acknowledgement", |s| !s.is_empty());
    assert_eq!(again.summaries(), ["Your escalation was acknowledged: Search is down"]);
    rt.block_on(handle.shutdown());
}
