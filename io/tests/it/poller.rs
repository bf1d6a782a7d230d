//! The poller on a real SQLite file and against the local GitHub test server, with a
//! notifier that records what it was asked to show (the D-Bus delivery itself is tests/notify.rs).
//! Every wait is on the poller's own snapshot event, with a timeout.

use crate::support::{filing, local, Local, MemorySecrets};
use chrono::{DateTime, TimeZone, Utc};
use rota_core::escalation::{EscalationState, NewEscalation, Severity};
use rota_core::notice::NoticeText;
use rota_io::escalations::github::GithubConfig;
use rota_io::notifier::{ActionSink, NoticeAction, Notifier, NotifyError};
use rota_io::poller::{self, PollStatus, PollerConfig, PollerHandle, Snapshot};
use rota_io::secrets::{SecretName, SecretStore, SecretValue};
use rota_testkit::github::{self, Repo};
use rota_testkit::http::Server;
use serde_json::{json, Value};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// Records each notice shown; fails while `unavailable` is set, as a session without a
/// notification server does.
#[derive(Default)]
struct Recorder {
    shown: Mutex<Vec<NoticeText>>,
    sinks: Mutex<Vec<ActionSink>>,
    unavailable: Mutex<bool>,
}

impl Notifier for Recorder {
    fn show(&self, words: &NoticeText, on_action: ActionSink) -> Result<(), NotifyError> {
        if *self.unavailable.lock().unwrap() {
            return Err(NotifyError::Unavailable("org.freedesktop.DBus.Error.ServiceUnknown".into()));
        }
        self.shown.lock().unwrap().push(words.clone());
        self.sinks.lock().unwrap().push(on_action);
        Ok(())
    }
}

impl Recorder {
    fn summaries(&self) -> Vec<String> {
        self.shown.lock().unwrap().iter().map(|t| t.summary.clone()).collect()
    }
}

struct Running {
    handle: PollerHandle,
    snapshots: Receiver<Snapshot>,
}

impl Running {
    fn start(rt: &tokio::runtime::Runtime, config: PollerConfig, notifier: Arc<Recorder>) -> Self {
        let (tx, snapshots) = channel();
        let handle = poller::spawn(rt.handle(), config, notifier, move |s: &Snapshot| {
            let _ = tx.send(s.clone());
        });
        Running { handle, snapshots }
    }

    /// The first snapshot (after the last one seen) that satisfies `ok`.
    fn wait_for(&self, what: &str, ok: impl Fn(&Snapshot) -> bool) -> Snapshot {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.snapshots.recv_timeout(left) {
                Ok(s) if ok(&s) => return s,
                Ok(_) => {}
                Err(_) => panic!("timed out waiting for {what}; last snapshot {:?}", self.handle.snapshot()),
            }
        }
    }

    fn stop(self, rt: &tokio::runtime::Runtime) {
        rt.block_on(self.handle.shutdown());
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 9, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

fn new(title: &str, assignee: &str, severity: Severity) -> NewEscalation {
    NewEscalation {
        url: Some("https://support.example.com/t/1".into()),
        reporter: Some("support-sam".into()),
        ..filing(title, assignee, severity)
    }
}

#[test]
fn local_assignments_are_announced_once_across_restarts_and_acknowledge_acts_on_the_store() {
    let rt = runtime();
    let Local { dir: _dir, db, store, .. } = local();
    store.insert(&new("Already open", "ann", Severity::Sev3), at(0)).unwrap();
    store.insert(&new("Bob's", "bob", Severity::Sev2), at(1)).unwrap();

    let notifier = Arc::new(Recorder::default());
    let p = Running::start(&rt, PollerConfig::local(&db, "ann"), notifier.clone());
    let s = p.wait_for("the first poll", |s| s.status.is_ok());
    assert_eq!(notifier.summaries(), ["1 open escalation assigned to you"], "the first run summarises");
    assert_eq!((s.mine.len(), s.unacknowledged), (1, true));

    // A new one for me: one notice, critical for sev1.
    let e = store.insert(&new("Search is down", "ann", Severity::Sev1), at(2)).unwrap();
    let s = p.wait_for("the new escalation", |s| s.mine.len() == 2);
    assert_eq!(s.mine[0].id, e.id, "newest first");
    let shown = notifier.shown.lock().unwrap().clone();
    assert_eq!(shown.len(), 2);
    assert_eq!(shown[1].summary, "New escalation: Search is down");
    assert_eq!(shown[1].body, "Customer: Acme Corp\nSeverity: sev1\nReporter: support-sam");
    assert!(shown[1].critical);

    // Reassigned from bob to me: announced, naming bob.
    store.assign("2", Some("ann"), at(3)).unwrap();
    p.wait_for("the reassignment", |s| s.mine.len() == 3);
    assert_eq!(notifier.shown.lock().unwrap()[2].body, "Customer: Acme Corp\nSeverity: sev2\nReporter: support-sam\nReassigned from bob");

    // Acknowledge from the notification: the store changes, the attention state follows.
    let sink = notifier.sinks.lock().unwrap()[1].clone();
    sink(NoticeAction::Acknowledge { id: e.id.clone() });
    p.wait_for("the acknowledgement", |s| s.mine.iter().any(|m| m.id == e.id && m.state == EscalationState::Acknowledged));
    assert_eq!(store.find(&e.id).unwrap().state, EscalationState::Acknowledged);
    store.set_state("1", EscalationState::Acknowledged, at(4)).unwrap();
    store.set_state("2", EscalationState::Resolved, at(5)).unwrap();
    let s = p.wait_for("everything acknowledged", |s| s.mine.len() == 2);
    assert!(!s.unacknowledged);
    p.stop(&rt);

    // Restart: nothing is announced again.
    let before = notifier.summaries().len();
    let p = Running::start(&rt, PollerConfig::local(&db, "ann"), notifier.clone());
    p.wait_for("the first poll after the restart", |s| s.status.is_ok());
    assert_eq!(notifier.summaries().len(), before, "{:?}", notifier.summaries());
    // An assignment made while it was stopped is announced on start.
    p.stop(&rt);
    store.insert(&new("While away", "ann", Severity::Sev4), at(6)).unwrap();
    let p = Running::start(&rt, PollerConfig::local(&db, "ann"), notifier.clone());
    p.wait_for("the first poll after the gap", |s| s.status.is_ok());
    assert_eq!(notifier.summaries().last().unwrap(), "New escalation: While away");
    assert_eq!(notifier.summaries().len(), before + 1);
    p.stop(&rt);
}

#[test]
fn a_notice_that_could_not_be_shown_is_shown_when_the_service_is_back() {
    let rt = runtime();
    let Local { dir: _dir, db, store, .. } = local();
    let notifier = Arc::new(Recorder::default());
    let p = Running::start(&rt, PollerConfig::local(&db, "ann"), notifier.clone());
    p.wait_for("the first poll", |s| s.status.is_ok());

    *notifier.unavailable.lock().unwrap() = true;
    store.insert(&new("Nobody listening", "ann", Severity::Sev2), at(0)).unwrap();
    let s = p.wait_for("the failed notice", |s| s.mine.len() == 1);
    assert!(matches!(s.notifier_error, Some(NotifyError::Unavailable(_))), "{s:?}");
    assert!(notifier.summaries().is_empty());

    *notifier.unavailable.lock().unwrap() = false;
    p.handle.poll_now();
    let s = p.wait_for("the retry", |s| s.notifier_error.is_none());
    assert_eq!(s.mine.len(), 1);
    assert_eq!(notifier.summaries(), ["New escalation: Nobody listening"]);
    p.handle.poll_now();
    p.wait_for("one more poll", |s| s.polls >= 4);
    assert_eq!(notifier.summaries().len(), 1, "once");
    p.stop(&rt);
}

// ---------------------------------------------------------------------------------------------
// GitHub
// ---------------------------------------------------------------------------------------------

fn issue(n: u64, title: &str, assignee: &str) -> Value {
    json!({
        "number": n, "title": title, "state": "open",
        "html_url": format!("https://github.com/acme/escalations/issues/{n}"),
        "body": "Customer: Acme Corp\nReporter: support-sam\n",
        "labels": [{"name": "escalation"}, {"name": "sev2"}],
        "assignee": {"login": assignee}, "assignees": [{"login": assignee}],
        "user": {"login": "support-sam"}, "created_at": format!("2024-03-01T09:0{n}:00Z"),
    })
}

/// The kit's fake GitHub holding one escalation for ann, and ann's poller of it, every `every`,
/// its token read from an in-memory keyring: the repository, its server, the data folder, the
/// keyring and the poller's config.
fn github_poller(
    rt: &tokio::runtime::Runtime,
    every: Duration,
) -> (Arc<Mutex<Repo>>, Server, tempfile::TempDir, Arc<MemorySecrets>, PollerConfig) {
    let repo = Repo::holding(vec![issue(1, "Old", "ann")]);
    let server = rt.block_on(Server::start(github::handler(repo.clone())));
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(MemorySecrets::default());
    let config = GithubConfig::new(&server.base, "acme/escalations", "ann").unwrap();
    let pc = PollerConfig::github(dir.path().join("escalations.sqlite3"), "ann", config, keyring.clone(), every);
    (repo, server, dir, keyring, pc)
}

#[test]
fn github_polls_are_conditional_and_errors_show_in_the_status_without_a_retry_storm() {
    let rt = runtime();
    let (repo, server, _dir, keyring, pc) = github_poller(&rt, Duration::from_secs(60));
    let notifier = Arc::new(Recorder::default());

    // No token yet: said plainly, nothing sent.
    let p = Running::start(&rt, pc.clone(), notifier.clone());
    let s = p.wait_for("the first poll", |s| s.polls == 1);
    assert_eq!(s.status, PollStatus::MissingToken);
    assert_eq!(s.status.label(), "No GitHub token: run `rota secret set github-token`");
    assert!(server.requests().is_empty());

    // The token is stored; poll_now reads it.
    keyring.set(SecretName::GithubToken, &SecretValue::new("ghp_poller_test_token")).unwrap();
    p.handle.poll_now();
    let s = p.wait_for("a good poll", |s| s.status.is_ok());
    assert_eq!(notifier.summaries(), ["1 open escalation assigned to you"]);
    assert_eq!(s.mine.len(), 1);
    // The first poll lists every escalation once, into the state database.
    let first = &server.requests()[0].0;
    assert!(first.query().contains(&("labels".to_owned(), "escalation".to_owned())), "{}", first.target);

    // Then each poll asks only what changed since (`since`, GitHub's clock): one conditional
    // request, a 304 while nothing changed; mine and the reporter's changes come from the store.
    p.handle.poll_now();
    p.wait_for("the first listing of changes", |s| s.polls == 3);
    p.handle.poll_now();
    p.wait_for("the unchanged poll", |s| s.polls == 4);
    assert_eq!(server.statuses(), [200, 200, 304]);
    assert!(server.requests()[1].0.query().iter().any(|(k, _)| k == "since"), "{}", server.requests()[1].0.target);

    // A new issue for me: one notice.
    repo.lock().unwrap().issues.push(issue(2, "New for ann", "ann"));
    p.handle.poll_now();
    p.wait_for("the new issue", |s| s.mine.len() == 2);
    assert_eq!(notifier.summaries()[1], "New escalation: New for ann");

    // GitHub failing: offline, retried later with a backoff, the escalations kept on screen.
    repo.lock().unwrap().fail_with = Some(502);
    p.handle.poll_now();
    let s = p.wait_for("the 502", |s| matches!(s.status, PollStatus::Offline { .. }));
    let PollStatus::Offline { retry_at, .. } = s.status else { unreachable!() };
    let wait = retry_at - Utc::now();
    assert!(wait > chrono::Duration::milliseconds(500) && wait <= chrono::Duration::seconds(2), "{wait}");
    assert_eq!(s.mine.len(), 2, "the last good list stays");

    // Back: the backed-off retry comes by itself.
    repo.lock().unwrap().fail_with = None;
    p.wait_for("the recovery", |s| s.status.is_ok());

    // The token rejected: said in the tray, and no retry until AUTH_RETRY or poll_now.
    repo.lock().unwrap().fail_with = Some(401);
    p.handle.poll_now();
    let s = p.wait_for("the 401", |s| s.status == PollStatus::TokenRejected);
    assert_eq!(s.status.label(), "GitHub token rejected");
    let (after_401, polls) = (server.requests().len(), s.polls);
    p.handle.poll_now();
    let s = p.wait_for("one more poll", |s| s.polls == polls + 1);
    assert_eq!(s.status, PollStatus::TokenRejected);
    assert_eq!(server.requests().len(), after_401 + 1, "one request per poll, no storm ({s:?})");
    for (req, _) in server.requests() {
        assert_eq!(req.header("authorization"), Some("Bearer ghp_poller_test_token"));
    }
    assert_eq!(notifier.summaries().len(), 2, "nothing announced twice");
    p.stop(&rt);
}

/// 300 `EscalationsChanged` (each a `poll_now`) were 300 polls, 602 GitHub requests
/// in 20 s. They coalesce: one poll in flight, one queued behind it, and that one starts after
/// the last ask (nothing asked is missed).
#[test]
fn many_asks_to_poll_coalesce_into_one_in_flight_and_one_queued() {
    let rt = runtime();
    let (repo, server, _dir, keyring, pc) = github_poller(&rt, Duration::from_secs(3600));
    keyring.set(SecretName::GithubToken, &SecretValue::new("ghp_poller_test_token")).unwrap();
    let p = Running::start(&rt, pc, Arc::new(Recorder::default()));
    let s = p.wait_for("the first poll", |s| s.status.is_ok());
    let (polls, requests) = (s.polls, server.requests().len());
    assert_eq!(requests, 1, "a poll is one listing");

    // A change the last poll must see, then 300 asks at once.
    repo.lock().unwrap().issues.push(issue(2, "New for ann", "ann"));
    for _ in 0..300 {
        p.handle.poll_now();
    }
    let s = p.wait_for("the change", |s| s.mine.len() == 2);
    // Quiet for a while: nothing more was queued.
    std::thread::sleep(Duration::from_millis(1500));
    let after = p.handle.snapshot();
    let (more_polls, more_requests) = (after.polls - polls, server.requests().len() - requests);
    eprintln!("300 asks to poll: {more_polls} polls, {more_requests} requests");
    assert!((1..=2).contains(&more_polls), "{more_polls} polls");
    // Each poll one listing, and the new escalation's timeline read once.
    assert_eq!(more_requests as u64, more_polls + 1);
    assert_eq!(s.mine.len(), 2);
    p.stop(&rt);
}

/// The tray's poller over 2,000 escalations (400 open): an unchanged poll is one request, one
/// escalation changed by someone else is two (the listing of changes and its timeline), and the
/// dashboard, reading the same database while the tray polls, adds none.
#[test]
fn the_pollers_cost_over_two_thousand_escalations_is_what_changed() {
    use rota_io::escalations::Backend;
    let rt = runtime();
    let repo = Arc::new(Mutex::new(github::year_of_escalations(2000, 400)));
    let server = rt.block_on(Server::start(github::handler(repo.clone())));
    let dir = tempfile::tempdir().unwrap();
    let keyring = Arc::new(MemorySecrets::default());
    keyring.set(SecretName::GithubToken, &SecretValue::new("ghp_poller_test_token")).unwrap();
    let config = GithubConfig::new(&server.base, "acme/escalations", "ann").unwrap();
    let db = dir.path().join("escalations.sqlite3");
    let pc = PollerConfig::github(db.clone(), "ann", config.clone(), keyring, Duration::from_secs(3600));
    let notifier = Arc::new(Recorder::default());
    let p = Running::start(&rt, pc, notifier.clone());
    let s = p.wait_for("the first poll", |s| s.status.is_ok());
    assert_eq!(s.mine.len(), 100, "ann's open escalations, from the store");
    assert_eq!(server.requests().len(), 20, "every escalation listed once");
    let poll = |what: &str| {
        let (before, polls) = (server.requests().len(), p.handle.snapshot().polls);
        p.handle.poll_now();
        let s = p.wait_for(what, |s| s.polls > polls);
        (server.requests()[before..].iter().map(|(r, status)| (r.target.clone(), *status)).collect::<Vec<_>>(), s)
    };
    poll("the first listing of changes");
    let (asked, _) = poll("an unchanged poll");
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0].1, 304);

    // The dashboard, in the windows process: the same database, nothing asked.
    let dashboard = rota_io::escalations::github::GithubBackend::new(config, &SecretValue::new("ghp_poller_test_token"))
        .unwrap()
        .with_disk_cache(Arc::new(rota_io::store::Store::open(&db).unwrap()));
    let before = server.requests().len();
    let _first_read = rt.block_on(dashboard.every_with_history()).unwrap(); // each timeline, once
    let after_first = server.requests().len();
    assert_eq!(after_first - before, 2000, "each timeline once, the first time");

    // Someone engages engineering on an open escalation of ann's.
    repo.lock().unwrap().change(1996, "labeled", json!({ "label": { "name": "engineering" } }), |i| {
        i["labels"].as_array_mut().unwrap().push(json!({ "name": "engineering" }));
    });
    let (asked, s) = poll("the change");
    assert!(asked.len() <= 4, "{asked:?}");
    assert_eq!(asked.len(), 2, "the listing and the timeline: {asked:?}");
    assert_eq!(s.mine.iter().find(|e| e.id == "1996").map(|e| e.state), Some(EscalationState::HandedToEngineering));
    let before = server.requests().len();
    let read = rt.block_on(dashboard.every_with_history()).unwrap();
    assert_eq!(server.requests().len(), before, "the open dashboard's refresh adds none");
    let (_, history) = read.iter().find(|(e, _)| e.id == "1996").unwrap();
    assert_eq!(history.last().map(|h| h.state), Some(EscalationState::HandedToEngineering));
    let (asked, _) = poll("the poll after");
    assert_eq!(asked.iter().map(|a| a.1).collect::<Vec<_>>(), [304]);
    assert_eq!(notifier.summaries(), ["100 open escalations assigned to you"], "nothing new for ann");
    p.stop(&rt);
}

/// With the team known, the GitHub poller lists every open escalation (still one conditional
/// request), so one waiting for someone else is offered to me; Take makes it mine.
#[test]
fn on_github_an_escalation_waiting_for_someone_else_is_offered_and_taken() {
    let rt = runtime();
    let (repo, server, _dir, keyring, pc) = github_poller(&rt, Duration::from_secs(3600));
    keyring.set(SecretName::GithubToken, &SecretValue::new("ghp_poller_test_token")).unwrap();
    // Bob's, filed 09:02 on Friday 1 March 2024: at 10:30 ann works (11:30 Berlin), bob sleeps.
    repo.lock().unwrap().issues.push(issue(2, "Waiting for bob", "bob"));
    let people = rota_testkit::team::four("America/New_York");
    let page = "| Rotation | Engineers |\n|---|---|\n| 2024-02-26 to 2024-03-10 | @ann, @bob |\n";
    let team = rota_io::remind::TeamNow {
        schedule: rota_core::parse_handbook("rota.md", page).value,
        roster: rota_core::parse_roster("people.toml", &people).value,
        timing: rota_core::Timing::default(),
        viewer: chrono_tz::Europe::Berlin,
        prefs: rota_core::remind::Prefs::default(),
    };
    let now = DateTime::parse_from_rfc3339("2024-03-01T10:30:00Z").unwrap().with_timezone(&Utc);
    let pc = PollerConfig { team: Arc::new(Mutex::new(Some(team))), clock: rota_io::clock::Clock::pinned(now), ..pc };
    let notifier = Arc::new(Recorder::default());
    let p = Running::start(&rt, pc, notifier.clone());
    let s = p.wait_for("a good poll", |s| s.status.is_ok());
    assert_eq!(s.offered.iter().map(|e| e.title.as_str()).collect::<Vec<_>>(), ["Waiting for bob"]);
    assert!(notifier.summaries().contains(&"#2 waits for Bob (asleep, 05:30 there) — Take it?".to_owned()), "{:?}", notifier.summaries());
    assert!(server.requests()[0].0.query().iter().all(|(k, _)| k != "assignee"), "every open escalation listed");
    p.handle.act(rota_io::notifier::NoticeAction::Take { id: "2".into(), action: rota_io::acting::Act::Take });
    let s = p.wait_for("the take", |s| s.mine.iter().any(|e| e.title == "Waiting for bob"));
    assert!(s.offered.is_empty());
    p.stop(&rt);
}
