//! GitHub's cost grows with what changed, not with what exists: a repository of 2,000
//! escalations (400 open) over a year, in the kit's fake GitHub (which honours `since`, `state`,
//! `labels`, `sort`, paging and ETags as GitHub does, and records every request), with the
//! escalations kept in a real state database. Requests are counted, never timed.
//!
//! The fake's clock is GitHub's (March 2024) and this machine's is whatever it is, years apart:
//! only GitHub's stamps decide what is asked for.

use crate::support::github_with;
use rota_core::escalation::{Escalation, EscalationState};
use rota_io::escalations::github::{GithubBackend, SINCE_MOVES_AFTER};
use rota_io::escalations::Backend;
use rota_io::store::Store;
use rota_testkit::github::{handler, year_of_escalations, Repo};
use rota_testkit::http::Server;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOTAL: usize = 2000;
const OPEN: usize = 400;

struct Desk {
    repo: Arc<Mutex<Repo>>,
    server: Server,
    store: Arc<Store>,
    _dir: tempfile::TempDir,
}

impl Desk {
    async fn new() -> Desk {
        Desk::holding(Arc::new(Mutex::new(year_of_escalations(TOTAL, OPEN)))).await
    }

    async fn holding(repo: Arc<Mutex<Repo>>) -> Desk {
        let server = Server::start(handler(repo.clone())).await;
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path().join("escalations.sqlite3")).unwrap());
        Desk { repo, server, store, _dir: dir }
    }

    /// A process of this desk (the tray, the windows, `rota stats`): its own backend, the same
    /// state database.
    fn process(&self) -> GithubBackend {
        github_with(&self.server.base, |_| {}).with_disk_cache(self.store.clone())
    }

    fn count(&self) -> usize {
        self.server.requests().len()
    }

    /// What `f` asked GitHub: each request's path and query, and its status.
    async fn asked<T>(&self, f: impl std::future::Future<Output = T>) -> (T, Vec<(String, u16)>) {
        let before = self.count();
        let out = f.await;
        let asked = self.server.requests()[before..].iter().map(|(r, s)| (r.target.clone(), *s)).collect();
        (out, asked)
    }

    /// The tray's poll: one refresh, then mine from the store.
    async fn poll(&self, tray: &GithubBackend) -> Vec<(String, u16)> {
        let ((), asked) = self.asked(async { tray.refresh(Duration::ZERO).await.unwrap() }).await;
        asked
    }
}

fn find(list: &[Escalation], n: u64) -> Option<&Escalation> {
    list.iter().find(|e| e.id == n.to_string())
}

#[tokio::test]
async fn two_thousand_escalations_cost_what_changed_and_the_dashboard_and_stats_read_the_store() {
    let desk = Desk::new().await;
    let tray = desk.process();

    // The first poll ever lists every escalation once: 20 pages, no timeline.
    let asked = desk.poll(&tray).await;
    assert_eq!(asked.len(), TOTAL / 100, "{asked:?}");
    assert_eq!(tray.mirrored_open(None).unwrap().len(), OPEN);

    // `rota stats` over the year, the first run: every timeline read once, nothing else.
    let stats = desk.process();
    let (every, asked) = desk.asked(stats.every_with_history()).await;
    let every = every.unwrap();
    assert_eq!(every.len(), TOTAL);
    let timelines: BTreeSet<&str> = asked.iter().map(|(t, _)| t.split('?').next().unwrap()).collect();
    assert_eq!((asked.len(), timelines.len()), (TOTAL, TOTAL), "each timeline once");
    assert!(timelines.iter().all(|t| t.ends_with("/timeline")), "{timelines:?}");
    let (_, e10) = every.iter().find(|(e, _)| e.id == "10").unwrap();
    let states: Vec<EscalationState> = e10.iter().map(|h| h.state).collect();
    use EscalationState::*;
    assert_eq!(states, [Open, Acknowledged, HandedToEngineering, Resolved], "the history read from the timeline");

    // Warm, in a new process: from the store, nothing asked.
    let started = Instant::now();
    let (again, asked) = desk.asked(desk.process().every_with_history()).await;
    eprintln!("every escalation with its history from the store, warm: {:?}", started.elapsed());
    assert_eq!(asked, [], "the store answers");
    assert_eq!(again.unwrap(), every);

    // An unchanged poll: one request (the listing of changes), then the same URL, a 304.
    let first = desk.poll(&tray).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(first[0].0.contains("since=") && !first[0].0.contains("labels="), "{first:?}");
    for _ in 0..3 {
        let unchanged = desk.poll(&tray).await;
        assert_eq!(unchanged, [(first[0].0.clone(), 304)], "one conditional request, not modified");
    }

    // One escalation changed by someone else: its listing and its timeline, nothing more.
    desk.repo.lock().unwrap().change(1990, "labeled", json!({ "label": { "name": "engineering" } }), |i| {
        i["labels"].as_array_mut().unwrap().push(json!({ "name": "engineering" }));
    });
    let changed = desk.poll(&tray).await;
    assert!(changed.len() <= 4, "{changed:?}");
    assert_eq!(changed.len(), 2, "the listing, then issue 1990's timeline: {changed:?}");
    assert!(changed[1].0.starts_with("/repos/acme/escalations/issues/1990/timeline"), "{changed:?}");
    // The open dashboard's refresh (another process, the windows) adds none, and shows it.
    let (panel, asked) = desk.asked(desk.process().every_with_history()).await;
    assert_eq!(asked, [], "the dashboard asks nothing");
    let panel = panel.unwrap();
    let (e, history) = panel.iter().find(|(e, _)| e.id == "1990").unwrap();
    assert_eq!(e.state, HandedToEngineering);
    assert_eq!(history.last().map(|h| h.state), Some(HandedToEngineering));
    // And the poll after it: the same listing again, unchanged.
    let after = desk.poll(&tray).await;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].1, 304, "{after:?}");
}

/// A team's first days: no escalation filed yet. Each poll asks the same whole listing, and GitHub
/// answers `304` (no rate-limit unit) after the first, until the first escalation comes.
#[tokio::test]
async fn an_empty_repository_costs_a_not_modified_a_poll() {
    let desk = Desk::holding(Repo::shared()).await;
    let tray = desk.process();
    let first = desk.poll(&tray).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].1, 200, "{first:?}");
    for _ in 0..3 {
        let unchanged = desk.poll(&tray).await;
        assert_eq!(unchanged, [(first[0].0.clone(), 304)], "one conditional request, not modified");
    }
    // The first escalation is seen at the next poll.
    desk.repo.lock().unwrap().issues.push(json!({
        "number": 1, "title": "First", "body": "Customer: Acme Corp\nReporter: sam\n", "state": "open",
        "html_url": "https://github.com/acme/escalations/issues/1", "labels": [{ "name": "escalation" }],
        "assignee": { "login": "ann" }, "assignees": [{ "login": "ann" }], "user": { "login": "sam" },
        "created_at": "2024-03-01T10:00:00Z", "updated_at": "2024-03-01T10:00:00Z",
    }));
    let seen = desk.poll(&tray).await;
    assert_eq!(seen[0].1, 200, "{seen:?}");
    assert_eq!(tray.mirrored_open(None).unwrap().len(), 1);
}

/// Changes made between two polls are all seen by the next: a close, a reassignment, and a
/// label removed (no escalation any more), though none of them is listed under the label.
#[tokio::test]
async fn a_close_a_reassignment_and_a_label_removed_between_polls_are_all_seen() {
    let desk = Desk::new().await;
    let tray = desk.process();
    desk.poll(&tray).await;
    desk.poll(&tray).await;
    let mine_before = tray.mirrored_open(Some("ann")).unwrap().len();
    {
        let mut repo = desk.repo.lock().unwrap();
        repo.change(1802, "closed", json!({}), |i| i["state"] = json!("closed"));
        repo.change(1803, "assigned", json!({ "assignee": { "login": "ann" } }), |i| {
            i["assignee"] = json!({ "login": "ann" });
            i["assignees"] = json!([{ "login": "ann" }]);
        });
        repo.change(1806, "unlabeled", json!({ "label": { "name": "escalation" } }), |i| {
            i["labels"].as_array_mut().unwrap().retain(|l| l["name"] != "escalation");
        });
    }
    let asked = desk.poll(&tray).await;
    assert_eq!(asked.len(), 3, "the listing and the two escalations' timelines: {asked:?}");
    let open = tray.mirrored_open(None).unwrap();
    assert!(find(&open, 1802).is_none(), "closed");
    assert!(find(&open, 1806).is_none(), "no escalation any more");
    assert_eq!(find(&open, 1803).and_then(|e| e.assignee.as_deref()), Some("ann"));
    assert_eq!(tray.mirrored_open(Some("ann")).unwrap().len(), mine_before + 1);
    let every = desk.process().every_with_history().await.unwrap();
    assert_eq!(every.len(), TOTAL - 1);
    assert_eq!(
        every.iter().find(|(e, _)| e.id == "1802").map(|(e, h)| (e.state, h.last().map(|h| h.state))),
        Some((EscalationState::Resolved, Some(EscalationState::Resolved)))
    );
    // What the poller's reporter reads: the rows changed since its last look.
    let (_, mark) = tray.mirrored_changes(None).unwrap();
    desk.repo.lock().unwrap().change(1807, "closed", json!({}), |i| i["state"] = json!("closed"));
    desk.poll(&tray).await;
    let (changed, _) = tray.mirrored_changes(mark).unwrap();
    assert_eq!(changed.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["1807"]);
}

/// GitHub stamps a change a little before it shows in a listing, or its clock steps back: a
/// change stamped before the latest one listed is still seen, because each listing of changes
/// overlaps the last by two minutes; what two listings both name is written once.
#[tokio::test]
async fn a_change_stamped_before_the_latest_one_listed_is_still_seen() {
    let desk = Desk::new().await;
    let tray = desk.process();
    desk.poll(&tray).await;
    // Enough changes at once that `since` moves up to the latest of them.
    {
        let mut repo = desk.repo.lock().unwrap();
        for n in 1..=(SINCE_MOVES_AFTER as u64 + 10) {
            repo.change(n, "commented", json!({ "body": "a note" }), |_| {});
        }
    }
    let asked = desk.poll(&tray).await;
    let moved_from = asked[0].0.clone();
    let asked = desk.poll(&tray).await;
    assert_ne!(asked[0].0, moved_from, "since moved");
    assert_eq!(asked.len(), 1, "the overlap is listed again, and nothing in it read again: {asked:?}");
    // GitHub's clock a minute back: this change is stamped before the latest one listed.
    {
        let mut repo = desk.repo.lock().unwrap();
        repo.minute -= 2;
        repo.change(1804, "closed", json!({}), |i| i["state"] = json!("closed"));
    }
    desk.poll(&tray).await;
    let open = tray.mirrored_open(None).unwrap();
    assert!(find(&open, 1804).is_none(), "the close is seen");
    assert_eq!(open.len(), OPEN - 1);
}

/// The fake answers listings as GitHub does, since the counts above rest on it: `since` keeps
/// the issues updated at or after it (closed ones too with `state=all`, whatever their labels
/// without `labels`), a change through the API moves `updated_at`, and an unchanged page is a
/// `304` for its ETag.
#[tokio::test]
async fn the_fake_lists_as_github_does() {
    let desk = Desk::new().await;
    let http = reqwest::Client::new();
    let list = |query: &str| {
        let url = format!("{}/repos/acme/escalations/issues?{query}", desk.server.base);
        let http = http.clone();
        async move {
            let r = http.get(&url).send().await.unwrap();
            let etag = r.headers()["etag"].to_str().unwrap().to_owned();
            let items: Vec<serde_json::Value> = r.json().await.unwrap();
            (items.iter().map(|i| i["number"].as_u64().unwrap()).collect::<Vec<_>>(), etag)
        }
    };
    let (open, _) = list("labels=escalation&per_page=100").await;
    assert_eq!((open.len(), open[0]), (100, 2000), "open by default, newest first");
    let at = desk.repo.lock().unwrap().issues[1949]["updated_at"].as_str().unwrap().to_owned();
    let (since, _) = list(&format!("state=all&sort=updated&direction=desc&since={at}&per_page=100")).await;
    assert_eq!(since.last(), Some(&1950), "updated at `since` is listed: {since:?}");
    assert!(!since.contains(&1949));
    desk.repo.lock().unwrap().change(5, "unlabeled", json!({ "label": { "name": "escalation" } }), |i| {
        i["labels"] = json!([]);
    });
    let (since, etag) = list(&format!("state=all&sort=updated&direction=desc&since={at}&per_page=100")).await;
    assert_eq!(since[0], 5, "changed last, listed first, closed and unlabelled as it is");
    let url = format!("{}/repos/acme/escalations/issues?state=all&sort=updated&direction=desc&since={at}&per_page=100", desk.server.base);
    let again = http.get(&url).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
}
