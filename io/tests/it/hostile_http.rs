//! The HTTP clients' limits, against the test kit's hostile loopback servers: a gigabyte of
//! error, 30 pages of 7.5 MiB, 101 pages of escalations, a listing that shrinks, and a redirect
//! to plain http. Each answer is bounded in bytes read, time and what reaches a person.
//! (The slow trickle is in `github.rs`, the proxy in `proxy.rs`, the many `EscalationsChanged`
//! in `poller.rs`.)

use crate::support::github_with;
use chrono::{DateTime, Utc};
use rota_core::escalation::{NewEscalation, Severity};
use rota_io::escalations::github::GithubBackend;
use rota_io::escalations::outbox::{FileError, Outbox};
use rota_io::escalations::{Backend, BackendError};
use rota_io::store::Store;
use rota_testkit::github::{handler, Repo};
use rota_testkit::http::{Reply, Request, Response, Server, Stream};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn now() -> DateTime<Utc> {
    std::time::SystemTime::now().into()
}

fn github(api: &str) -> GithubBackend {
    github_with(api, |_| {})
}

fn new(title: &str) -> NewEscalation {
    NewEscalation { title: title.into(), severity: Severity::Sev2, assignee: Some("ann".into()), ..NewEscalation::default() }
}

/// The most memory this process has held (`VmHWM`), in bytes; Linux only.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

const MIB: u64 = 1 << 20;

// ---------------------------------------------------------------------------------------------
// An error's body
// ---------------------------------------------------------------------------------------------

/// An empty repository whose creates GitHub refuses with `refusal`.
fn refusing(refusal: impl Fn() -> Reply + Send + Sync + 'static) -> rota_testkit::http::Handler {
    let repo = Repo::shared();
    repo.lock().unwrap().create_reply = Some(Arc::new(refusal));
    handler(repo)
}

/// Files `title` through an outbox against `server`: GitHub's refusal, and the reason the outbox
/// kept with the row.
async fn refused(server: &Server, title: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(dir.path().join("escalations.sqlite3")).unwrap();
    let why = match outbox.file(&github(&server.base), None, new(title), now()).await {
        Err(FileError::Refused { why: BackendError::Invalid(why), .. }) => why,
        other => panic!("{other:?}"),
    };
    let kept = outbox.refused().unwrap().pop().and_then(|e| e.last_error).expect("the refused row keeps its reason");
    (why, kept)
}

/// Before: the whole body was read (2.1 GB of memory for 1 GiB), printed and stored.
#[tokio::test]
async fn a_gigabyte_of_error_costs_64_kib_and_is_said_in_300_characters() {
    let server = Server::start(refusing(|| Reply::Stream(Stream::json_error(422, 1 << 30)))).await;
    let started = Instant::now();
    let (why, kept) = refused(&server, "Search is down").await;
    let took = started.elapsed();
    let sent = server.streamed();
    eprintln!("1 GiB error body: {sent} bytes sent before the client hung up, {took:?}, peak memory {:?}", peak_memory());
    assert!(why.chars().count() <= 300 && kept.chars().count() <= 300, "{why}");
    assert!(why.contains("422") && why.contains("longer than 64 KiB"), "{why}");
    // What the sockets' buffers hold beyond the 64 KiB read, not the gigabyte.
    assert!(sent < 32 * MIB, "{sent} bytes sent");
    assert!(took < Duration::from_secs(10), "{took:?}");
    if let Some(peak) = peak_memory() {
        assert!(peak < 1 << 30, "peak memory {peak} bytes");
    }
}

#[tokio::test]
async fn an_error_that_says_it_is_a_gigabyte_is_not_read() {
    let server = Server::start(refusing(|| Reply::Stream(Stream { declare_length: true, ..Stream::json_error(422, 1 << 30) }))).await;
    let (why, _) = refused(&server, "Search is down").await;
    assert!(why.contains("longer than 64 KiB"), "{why}");
    assert!(server.streamed() < 32 * MIB);
}

/// GitHub's reason, when it is long but within the cap, is cut for people: the first 299
/// characters and `…`, in the error, the outbox and so everywhere it is shown.
#[tokio::test]
async fn a_long_reason_is_cut_to_300_characters() {
    let reason = "ghost is not a collaborator. ".repeat(400); // 11.6 KB
    let body = json!({ "message": "Validation Failed", "errors": [{ "resource": "Issue", "field": "assignees", "code": "custom", "message": reason }] });
    let server = Server::start(refusing(move || Reply::Send(Response::json(422, &body)))).await;
    let (why, kept) = refused(&server, "Search is down").await;
    assert_eq!(why.chars().count(), 300, "{why}");
    assert!(why.starts_with("ghost is not a collaborator.") && why.ends_with('…'), "{why}");
    assert_eq!(kept, why);
}

// ---------------------------------------------------------------------------------------------
// Listings: a total cap, and the cache pruned
// ---------------------------------------------------------------------------------------------

/// Before: 30 pages of 7.5 MiB were read whole (499 MB of memory) and all kept in the database
/// (225 MB). Now a listing stops past 50 MiB, naming the fix, and the cache holds what was read.
#[tokio::test]
async fn thirty_pages_of_7_mib_stop_past_50_mib_with_the_fix_named() {
    let repo = Repo::shared();
    {
        let mut r = repo.lock().unwrap();
        r.old = 3000; // 30 pages of 100
        r.old_body_bytes = 75 << 10; // 7.5 MiB a page
    }
    let server = Server::start(handler(repo.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("escalations.sqlite3");
    let backend = github(&server.base).with_disk_cache(Arc::new(Store::open(&db).unwrap()));
    let started = Instant::now();
    let got = backend.list_every().await;
    let took = started.elapsed();
    let pages = server.requests().len();
    let db_bytes: u64 = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
    eprintln!("30 pages of 7.5 MiB: {pages} pages read in {took:?}, database {db_bytes} bytes, peak memory {:?}", peak_memory());
    match got {
        Err(BackendError::Failed(why)) => {
            assert!(why.contains("passed 50 MiB after 7 pages"), "{why}");
            assert!(why.contains("escalations.github.label"), "names the fix: {why}");
            assert!(why.chars().count() <= 300, "{why}");
        }
        other => panic!("{:?}", other.map(|l| l.len())),
    }
    assert_eq!(pages, 7, "stopped at the page that passed 50 MiB");
    assert!(db_bytes < 64 * MIB, "database and its WAL: {db_bytes} bytes");
}

/// The answers kept for a listing are its last pages: when it shrinks (escalations unlabelled),
/// the pages it no longer has leave the cache.
#[tokio::test]
async fn a_listing_that_shrinks_leaves_no_pages_behind_in_the_cache() {
    let repo = Repo::shared();
    repo.lock().unwrap().old = 450; // 5 pages
    let server = Server::start(handler(repo.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path().join("escalations.sqlite3")).unwrap());
    let backend = github(&server.base).with_disk_cache(store.clone());
    assert_eq!(backend.list_every().await.unwrap().len(), 450);
    let urls: Vec<String> = server.requests().iter().map(|(r, _)| format!("{}{}", server.base, r.target)).collect();
    assert_eq!(urls.len(), 5);
    for url in &urls {
        assert!(store.cached_response(url).unwrap().is_some(), "{url} kept");
    }
    repo.lock().unwrap().old = 150; // 2 pages
    assert_eq!(backend.list_every().await.unwrap().len(), 150);
    let kept: Vec<bool> = urls.iter().map(|u| store.cached_response(u).unwrap().is_some()).collect();
    assert_eq!(kept, [true, true, false, false, false]);
    // Another process, with the same database, reads the same two pages.
    let other = github(&server.base).with_disk_cache(store.clone());
    assert_eq!(other.list_every().await.unwrap().len(), 150);
}

// ---------------------------------------------------------------------------------------------
// Filing in a large repository
// ---------------------------------------------------------------------------------------------

/// Before: the duplicate check listed every escalation, and past 100 pages (10,000 issues) every
/// filing failed and stayed queued for good. Now it reads the newest pages, then asks the search.
#[tokio::test]
async fn filing_among_101_pages_of_escalations_reads_the_newest_pages_and_never_duplicates() {
    let repo = Repo::shared();
    repo.lock().unwrap().old = 10_050; // 101 pages of 100
    let server = Server::start(handler(repo.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(dir.path().join("escalations.sqlite3")).unwrap();
    let backend = github_with(&server.base, |c| c.timeout = Duration::from_millis(800));

    let filed = outbox.file(&backend, None, new("Search is down"), now()).await.unwrap();
    assert!(!filed.queued, "{:?}", filed.queued_because);
    let lists = |s: &Server| s.requests().iter().filter(|(r, _)| r.method == "GET" && r.path() == "/repos/acme/escalations/issues").count();
    assert_eq!(lists(&server), 3, "the newest three pages");
    let (searches, creates) = {
        let r = repo.lock().unwrap();
        (r.searches, r.creates)
    };
    assert_eq!((searches, creates), (1, 1), "past the newest pages, one search, then the create");

    // A create that happened but whose answer was lost: the retry finds it among the newest.
    repo.lock().unwrap().stall_creates = 1;
    let filed = outbox.file(&backend, None, new("Billing is down"), now()).await.unwrap();
    assert!(filed.queued, "timed out: queued");
    let report = outbox.drain_now(&backend, None, now()).await;
    assert_eq!(report.sent.len(), 1, "{report:?}");
    assert_eq!(repo.lock().unwrap().creates, 2, "found, not filed again");

    // The same, with 350 escalations filed since: past the newest pages, the search finds it.
    repo.lock().unwrap().stall_creates = 1;
    let filed = outbox.file(&backend, None, new("Login is down"), now()).await.unwrap();
    assert!(filed.queued);
    {
        let mut r = repo.lock().unwrap();
        for i in 0..350 {
            let n = r.issues.len() + r.old + 1;
            r.issues.push(json!({
                "number": n, "title": format!("Newer {i}"), "body": "", "state": "open", "labels": [{"name": "escalation"}],
                "html_url": format!("https://github.com/acme/escalations/issues/{n}"), "created_at": "2024-03-05T13:00:00Z",
            }));
        }
    }
    let searches = repo.lock().unwrap().searches;
    let report = outbox.drain_now(&backend, None, now()).await;
    assert_eq!(report.sent.len(), 1, "{report:?}");
    assert_eq!(report.sent[0].title, "Login is down");
    let r = repo.lock().unwrap();
    assert_eq!((r.creates, r.searches), (3, searches + 1), "found by the search, not filed again");
}

/// The search's fall-through: when GitHub's search is down, rate limited (it has a limit of its
/// own) or refused, the duplicate check is the newest pages only, and the filing goes through,
/// once. Before: down or rate limited, the escalation stayed queued for as long as the search was.
#[tokio::test]
async fn filing_goes_through_once_when_the_search_is_down_or_rate_limited() {
    for status in [503, 403, 429, 422] {
        let repo = Repo::shared();
        {
            let mut r = repo.lock().unwrap();
            r.old = 350; // past the newest three pages: the search is asked
            r.search_fails_with = Some(status);
        }
        let server = Server::start(handler(repo.clone())).await;
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(dir.path().join("escalations.sqlite3")).unwrap();
        let backend = github_with(&server.base, |c| c.timeout = Duration::from_millis(800));

        // Every filing checks first: the newest pages, then the search, which fails; filed.
        let filed = outbox.file(&backend, None, new("Search is down"), now()).await.unwrap();
        assert!(!filed.queued, "HTTP {status}: {:?}", filed.queued_because);
        {
            let r = repo.lock().unwrap();
            assert_eq!((r.searches, r.creates), (1, 1), "HTTP {status}: the search asked, failed, then the create");
        }
        // A create that happened but whose answer was lost, then the retry: the newest pages hold
        // it (the search fails still), and it is not filed again.
        repo.lock().unwrap().stall_creates = 1;
        let filed = outbox.file(&backend, None, new("Billing is down"), now()).await.unwrap();
        assert!(filed.queued, "HTTP {status}: timed out, queued");
        let report = outbox.drain_now(&backend, None, now()).await;
        assert_eq!(report.sent.len(), 1, "HTTP {status}: {report:?}");
        let r = repo.lock().unwrap();
        assert_eq!(r.creates, 2, "HTTP {status}: found among the newest pages, not filed again");
        for title in ["Search is down", "Billing is down"] {
            assert_eq!(r.titles().iter().filter(|t| *t == title).count(), 1, "HTTP {status}: {title} filed once");
        }
        assert_eq!(outbox.queued_count().unwrap(), 0);
    }
}

// ---------------------------------------------------------------------------------------------
// An issue's history: a listing too
// ---------------------------------------------------------------------------------------------

/// An issue's timeline is read like a listing: all its pages together at most 50 MiB, the error
/// naming the issue. A server sending 20 pages of 7.5 MiB is stopped at the 7th.
#[tokio::test]
async fn a_history_of_twenty_pages_of_7_mib_stops_past_50_mib() {
    let event = json!({ "event": "commented", "body": "x".repeat(75 << 10), "created_at": "2024-03-05T12:00:00Z" });
    let page = serde_json::to_string(&vec![event; 100]).unwrap(); // 7.5 MiB
    let server = Server::start(Arc::new(move |req: &Request, base: &str| {
        let n: usize = req.query().into_iter().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse().ok()).unwrap_or(1);
        let mut r = Response { status: 200, headers: vec![("content-type".into(), "application/json".into())], body: page.clone() };
        if n < 20 {
            r = r.with("link", &format!("<{base}/repos/acme/escalations/issues/1/timeline?per_page=100&page={}>; rel=\"next\"", n + 1));
        }
        Reply::Send(r)
    }))
    .await;
    // Escalation 1 as `rota escalations --json` says it.
    let escalation: rota_core::escalation::Escalation = serde_json::from_value(json!({
        "id": "1", "title": "Search is down", "severity": "sev2", "details": "", "reporter": "sam", "assignee": "ann",
        "state": "open", "created_at": now(),
    }))
    .unwrap();
    let got = github(&server.base).history_of(&escalation).await;
    let pages = server.requests().len();
    eprintln!("20 pages of 7.5 MiB of history: {pages} pages read, peak memory {:?}", peak_memory());
    match got {
        Err(BackendError::Failed(why)) => {
            assert!(why.contains("history of escalation 1 passed 50 MiB after 7 pages"), "{why}");
            assert!(why.chars().count() <= 300, "{why}");
        }
        other => panic!("{:?}", other.map(|h| h.len())),
    }
    assert_eq!(pages, 7, "stopped at the page that passed 50 MiB");
}

// ---------------------------------------------------------------------------------------------
// A redirect
// ---------------------------------------------------------------------------------------------

/// A redirect to plain http is refused: the token's request never reaches its target, and the
/// error names the target without its query's values.
#[tokio::test]
async fn a_redirect_to_plain_http_reaches_nothing_and_is_named_without_its_query() {
    let target = Server::start(Arc::new(|_: &Request, _: &str| Reply::Send(Response::json(200, &json!([]))))).await;
    let to = format!("{}/steal?token=s3cr3t", target.base);
    let server = Server::start(Arc::new(move |_: &Request, _: &str| {
        let mut r = Response::json(302, &json!({})).with("location", &to);
        r.body.clear();
        Reply::Send(r)
    }))
    .await;
    match github(&server.base).list_open(None).await {
        Err(e) => {
            let said = e.to_string();
            assert!(said.contains("not https") && said.contains("/steal?token=…"), "{said}");
            assert!(!said.contains("s3cr3t"), "{said}");
        }
        Ok(list) => panic!("followed the redirect: {list:?}"),
    }
    assert!(target.requests().is_empty(), "nothing reached the redirect's target");
}

// ---------------------------------------------------------------------------------------------
// A secret in a URL's query
// ---------------------------------------------------------------------------------------------

/// A server whose `Link` puts a token in the next page's query (GitHub once took
/// `?access_token=`): the pages are read, but no key on disk holds the token, nor does an error
/// that names the page. Before: the URL, token and all, was the cache's key in the database.
#[tokio::test]
async fn a_token_in_a_next_pages_query_is_never_a_key_on_disk_nor_said() {
    let secret = "s3cr3t-t0ken";
    let page_two_gone = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let gone = page_two_gone.clone();
    let issue = |n: u64| {
        json!({ "number": n, "title": format!("Escalation {n}"), "body": "", "state": "open", "labels": [{"name": "escalation"}],
                "html_url": format!("https://github.com/acme/escalations/issues/{n}"), "created_at": "2024-03-05T12:00:00Z" })
    };
    let server = Server::start(Arc::new(move |req: &Request, base: &str| {
        let token = req.query().into_iter().any(|(k, v)| k == "access_token" && v == secret);
        if !token {
            let next = format!("<{base}/repos/acme/escalations/issues?state=all&page=2&access_token={secret}>; rel=\"next\"");
            return Reply::Send(Response::json(200, &json!([issue(2)])).with("etag", "\"p1\"").with("link", &next));
        }
        if gone.load(std::sync::atomic::Ordering::SeqCst) {
            return Reply::Send(Response::json(404, &json!({"message": "Not Found"})));
        }
        Reply::Send(Response::json(200, &json!([issue(1)])).with("etag", "\"p2\""))
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path().join("escalations.sqlite3")).unwrap());
    let backend = github(&server.base).with_disk_cache(store.clone());
    let listed = backend.list_every().await.unwrap();
    assert_eq!(listed.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["2", "1"]);
    page_two_gone.store(true, std::sync::atomic::Ordering::SeqCst);
    let said = backend.list_every().await.unwrap_err().to_string();
    assert!(said.contains("access_token=…") && !said.contains(secret), "{said}");
    drop((backend, store));
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{} holds the token", path.display());
    }
}

// ---------------------------------------------------------------------------------------------
// The poller's listing past 10,000
// ---------------------------------------------------------------------------------------------

/// Before: the poller listed every escalation each poll, and past 100 pages that failed for good
/// (the reporter's notices never came). Now the first listing reads the 10,000 most recently
/// changed, and each poll after it only what changed since (`since=`, GitHub's clock): an old
/// escalation no first listing reaches is seen when it changes, and an unchanged repository
/// costs one `304`.
#[tokio::test]
async fn the_pollers_listing_past_101_pages_sees_each_change_through_since() {
    use rota_core::escalation::EscalationState;
    let repo = Repo::shared();
    repo.lock().unwrap().old = 10_050; // 101 pages of 100
    let server = Server::start(handler(repo.clone())).await;
    let backend = github(&server.base);
    let first = backend.list_changed(None).await.unwrap();
    assert_eq!(first.escalations.len(), 10_000, "the 10,000 most recently changed");
    assert!(!first.every, "not every escalation: what is not listed keeps its state");
    assert!(!first.escalations.iter().any(|e| e.id == "7"));
    let since = first.since.expect("a since for the next poll");
    assert_eq!(since.to_rfc3339(), "2022-12-31T23:58:00+00:00", "the latest change listed, less 2 minutes");

    // Escalation 7, among the 50 oldest no listing reaches, is resolved.
    let changed_at = "2024-03-05T12:00:00Z";
    repo.lock().unwrap().changed.push(json!({
        "number": 7, "title": "Old escalation 7", "body": "Reporter: sam", "state": "closed", "labels": [{"name": "escalation"}],
        "html_url": "https://github.com/acme/escalations/issues/7", "created_at": "2023-01-01T00:00:00Z", "updated_at": changed_at,
    }));
    let requests = server.requests().len();
    let next = backend.list_changed(Some(since)).await.unwrap();
    let seen: Vec<(&str, EscalationState)> = next.escalations.iter().map(|e| (e.id.as_str(), e.state)).collect();
    // With 7, the newest three, changed within the two minutes the listings overlap by.
    let resolved = EscalationState::Resolved;
    assert_eq!(seen, [("7", resolved), ("10050", resolved), ("10049", resolved), ("10048", resolved)]);
    assert!(!next.every);
    let asked = &server.requests()[requests..];
    assert_eq!(asked.len(), 1, "one page");
    assert!(asked[0].0.query().contains(&("since".to_owned(), "2022-12-31T23:58:00Z".to_owned())), "{}", asked[0].0.target);
    let since = next.since.unwrap();
    assert_eq!(since.to_rfc3339(), "2024-03-05T11:58:00+00:00");

    // Nothing changes: the same since (once read with it, 7 again), then the same URL, a 304.
    for status in [200, 304] {
        let again = backend.list_changed(Some(since)).await.unwrap();
        assert_eq!((again.since, again.escalations.len()), (Some(since), 1));
        assert_eq!(server.statuses().last(), Some(&status));
    }
}
