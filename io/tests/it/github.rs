//! The GitHub backend against a local HTTP server: the recorded octokit responses in
//! `testkit/fixtures/github/` (pagination, create, labels) and GitHub's documented error and
//! `304` behaviour, served on 127.0.0.1.

use rota_core::escalation::{EscalationState, NewEscalation, Severity};
use rota_io::escalations::github::{GithubBackend, GithubConfig};
use rota_io::escalations::{Backend, BackendError};
use rota_io::secrets::SecretValue;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn now() -> chrono::DateTime<chrono::Utc> {
    std::time::SystemTime::now().into()
}

const TOKEN: &str = "ghp_TESTTOKENdo_not_leak_0123456789abcdef";
const ME: &str = "keegancsmith";

use rota_testkit::github::{fixture, handler, recorded, Repo};
use rota_testkit::http::{scripted, Handler, Reply, Request, Response, Server, Stream};

trait ServerExt {
    fn backend(&self) -> GithubBackend;
    fn backend_with(&self, tweak: impl FnOnce(&mut GithubConfig)) -> GithubBackend;
}

impl ServerExt for Server {
    fn backend(&self) -> GithubBackend {
        self.backend_with(|_| {})
    }

    fn backend_with(&self, tweak: impl FnOnce(&mut GithubConfig)) -> GithubBackend {
        let mut config = GithubConfig::new(&self.base, "acme/escalations", ME).unwrap();
        tweak(&mut config);
        GithubBackend::new(config, &SecretValue::new(TOKEN)).unwrap()
    }
}

fn reply_json(status: u16, body: Value) -> Reply {
    Reply::Send(Response::json(status, &body))
}

// ---------------------------------------------------------------------------------------------
// Polling: headers, pagination, pull requests, ETag and 304
// ---------------------------------------------------------------------------------------------

/// Serves the recorded five pages (13 issues) for the escalation list, with one item turned
/// into a pull request, honouring `If-None-Match` like GitHub.
fn paginated_handler() -> Handler {
    recorded("issues-list-paginated.json", |entry, items| {
        if entry["path"] == "/repositories/1000/issues?per_page=3&page=3" {
            items[0]["pull_request"] = json!({"url": "https://api.github.com/repos/o/r/pulls/1"});
        }
    })
}

#[tokio::test]
async fn a_poll_sends_githubs_headers_follows_every_page_and_skips_pull_requests() {
    let server = Server::start(paginated_handler()).await;
    let backend = server.backend();
    let open = backend.list_open(Some(ME)).await.unwrap();

    assert_eq!(open.len(), 12, "13 recorded issues, one of them a pull request");
    let requests = server.requests();
    assert_eq!(requests.len(), 5, "one request per page");
    let first = &requests[0].0;
    assert_eq!(first.method, "GET");
    assert_eq!(first.path(), "/repos/acme/escalations/issues");
    let q = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
    assert_eq!(first.query(), q(&[("assignee", ME), ("labels", "escalation"), ("state", "open"), ("per_page", "100")]));
    assert_eq!(requests[4].0.target, "/repositories/1000/issues?per_page=3&page=5", "followed Link rel=next");
    for (req, status) in &requests {
        assert_eq!(*status, 200);
        assert_eq!(req.header("accept"), Some("application/vnd.github+json"));
        assert_eq!(req.header("x-github-api-version"), Some("2022-11-28"));
        assert_eq!(req.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
        assert!(req.header("user-agent").is_some_and(|ua| ua.starts_with("rota/")), "{:?}", req.header("user-agent"));
        assert_eq!(req.header("if-none-match"), None, "nothing cached yet");
    }
    // The recorded issues have no labels, assignees or rota fields: the defaults apply.
    let e = &open[0];
    assert_eq!(e.id, "13");
    assert_eq!(e.title, "Test issue 13");
    assert_eq!((e.severity, e.state, e.assignee.as_deref()), (Severity::Sev3, EscalationState::Open, None));
    assert_eq!(e.url.as_deref(), Some("https://github.com/octokit-fixture-org/paginate-issues/issues/13"));
    assert_eq!(e.reporter.as_deref(), Some("octokit-fixture-user-a"));
    assert_eq!(e.created_at.to_rfc3339(), "2017-10-10T16:00:00+00:00");
}

#[tokio::test]
async fn an_unchanged_poll_is_all_304s_and_returns_the_cached_result() {
    let server = Server::start(paginated_handler()).await;
    let backend = server.backend();
    let first = backend.list_open(Some(ME)).await.unwrap();
    let second = backend.list_open(Some(ME)).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(server.statuses(), [200, 200, 200, 200, 200, 304, 304, 304, 304, 304]);
    for (req, _) in &server.requests()[5..] {
        assert_eq!(req.header("if-none-match"), Some("\"00000000000000000000000000000000\""));
    }
}

/// A repository whose escalations fit one page (up to 100): the usual case. Polled every 60 s
/// for an hour while nothing changes. GitHub does not count 304s against the rate limit.
#[tokio::test]
async fn measured_requests_per_hour_of_polling_an_unchanged_repository() {
    let issues = fixture("openapi/issues-list-for-repo.response-200.json");
    let server = Server::start(handler(Repo::holding(issues.as_array().unwrap().clone()))).await;
    let backend = server.backend();
    let polls_per_hour = 3600 / 60;
    for _ in 0..polls_per_hour {
        backend.list_open(Some(ME)).await.unwrap();
    }
    let statuses = server.statuses();
    let counted = statuses.iter().filter(|s| **s != 304).count();
    println!(
        "MEASURED github poll, 1 page, every 60 s: {} requests/hour, {} counted against the rate limit in the first hour (the first 200), 0 in each later hour",
        statuses.len(),
        counted
    );
    assert_eq!(statuses.len(), polls_per_hour);
    assert_eq!(counted, 1);
}

#[tokio::test]
async fn the_openapi_example_issue_maps_labels_assignees_and_body_fields() {
    let mut issue = fixture("openapi/issues-list-for-repo.response-200.json")[0].clone();
    let pr = issue.clone(); // the example is a pull request: skipped as it is
    issue.as_object_mut().unwrap().remove("pull_request");
    issue["number"] = json!(1348);
    issue["labels"] = json!([{"name": "escalation"}, {"name": "sev4"}, {"name": "SEV2"}, {"name": "acknowledged"}]);
    issue["assignees"] = json!([{"login": "octocat"}, {"login": "KeeganCSmith"}]);
    issue["body"] =
        json!("Search fails for EU tenants.\n\nCustomer: Acme Corp\nSeverity: sev3\nReporter: @support-sam\n\n<!-- rota-key: k-9 -->\n");
    let body = json!([pr, issue]);
    let server = Server::start(Arc::new(move |_: &Request, _: &str| reply_json(200, body.clone()))).await;
    let open = server.backend().list_open(Some(ME)).await.unwrap();
    assert_eq!(open.len(), 1, "the pull request is skipped");
    let e = &open[0];
    assert_eq!(e.id, "1348");
    assert_eq!(e.title, "Found a bug");
    assert_eq!(e.severity, Severity::Sev2, "the most urgent sev label wins over the body line");
    assert_eq!(e.state, EscalationState::Acknowledged);
    assert_eq!(e.assignee.as_deref(), Some("KeeganCSmith"), "me, among the assignees");
    assert_eq!(e.customer.as_deref(), Some("Acme Corp"));
    assert_eq!(e.reporter.as_deref(), Some("support-sam"));
    assert_eq!(e.details, "Search fails for EU tenants.");
    assert_eq!(e.client_key.as_deref(), Some("k-9"));
    assert_eq!(e.url.as_deref(), Some("https://github.com/octocat/Hello-World/issues/1347"));
}

// ---------------------------------------------------------------------------------------------
// Faults: 401, rate limits, 5xx, timeouts, refused connections
// ---------------------------------------------------------------------------------------------

fn empty_list() -> Reply {
    reply_json(200, json!([]))
}

#[tokio::test]
async fn a_rejected_token_is_unauthorized_and_never_shows_the_token() {
    // GitHub's documented body for bad credentials.
    let bad = || reply_json(401, json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}));
    let server = Server::start(scripted(vec![], bad)).await;
    let backend = server.backend();
    let err = backend.list_open(Some(ME)).await.unwrap_err();
    assert_eq!(err, BackendError::Unauthorized);
    assert_eq!(err.retry_at(now(), 0, 0.5), None, "no retry storm: wait for a new token");
    assert!(err.to_string().contains("GitHub token rejected"));
    let created = backend.create(&NewEscalation { title: "x".into(), ..Default::default() }, now()).await.unwrap_err();
    for text in [format!("{err} {err:?}"), format!("{created} {created:?}"), format!("{backend:?}")] {
        assert!(!text.contains(TOKEN) && !text.contains("TESTTOKEN"), "leaked: {text}");
    }
    assert_eq!(server.requests().len(), 2, "one request per call, no retries");
}

#[tokio::test]
async fn rate_limits_honour_retry_after_and_the_reset_time() {
    let server = Server::start(scripted(
        vec![
            // Secondary rate limit with retry-after.
            Reply::Send(Response::json(403, &json!({"message": "You have exceeded a secondary rate limit"})).with("retry-after", "120")),
            // Primary rate limit: no requests remaining until the reset time.
            Reply::Send(
                Response::json(403, &json!({"message": "API rate limit exceeded"}))
                    .with("x-ratelimit-limit", "5000")
                    .with("x-ratelimit-remaining", "0")
                    .with("x-ratelimit-reset", "4102444800"),
            ),
            Reply::Send(Response::json(429, &json!({"message": "Too Many Requests"}))),
            // A 403 that is not a rate limit.
            reply_json(403, json!({"message": "Resource not accessible by personal access token"})),
        ],
        empty_list,
    ))
    .await;
    let backend = server.backend();
    let before = now();
    let err = backend.list_open(Some(ME)).await.unwrap_err();
    let after = now();
    let BackendError::RateLimited { until } = err else { panic!("{err:?}") };
    assert!(until >= before + chrono::Duration::seconds(120) && until <= after + chrono::Duration::seconds(120));
    assert_eq!(err.retry_at(before, 3, 0.9), Some(until), "the backend's time wins over backoff");

    // A reset in 2100 waits an hour at most.
    let err = backend.list_open(Some(ME)).await.unwrap_err();
    let BackendError::RateLimited { until } = err else { panic!("{err:?}") };
    assert!(until >= before + chrono::Duration::hours(1) && until <= now() + chrono::Duration::hours(1), "{until}");

    let err = backend.list_open(Some(ME)).await.unwrap_err();
    let BackendError::RateLimited { until } = err else { panic!("{err:?}") };
    assert!(until >= before + chrono::Duration::seconds(60), "a bare 429 waits a minute");

    assert_eq!(backend.list_open(Some(ME)).await.unwrap_err(), BackendError::Forbidden);
    assert_eq!(backend.list_open(Some(ME)).await.unwrap(), vec![], "then it recovers");
}

#[tokio::test]
async fn server_errors_are_transient_backed_off_and_then_recover() {
    let server = Server::start(scripted(
        vec![
            reply_json(502, json!({"message": "Server Error"})),
            reply_json(503, json!({"code": "unavailable", "message": "Service unavailable"})),
            Reply::Hangup,
        ],
        empty_list,
    ))
    .await;
    let backend = server.backend();
    let now = now();
    let mut delays = vec![];
    for attempt in 0..3 {
        let err = backend.list_open(Some(ME)).await.unwrap_err();
        assert!(matches!(err, BackendError::Transient(_)), "{err:?}");
        delays.push((err.retry_at(now, attempt, 0.0).unwrap() - now).num_seconds());
    }
    assert_eq!(delays, [1, 2, 4], "backed off exponentially (jitter 0 = the lower bound)");
    assert_eq!(backend.list_open(Some(ME)).await.unwrap(), vec![]);
    assert_eq!(server.statuses(), [502, 503, 0, 200]);
}

#[tokio::test]
async fn a_timeout_and_a_refused_connection_are_transient() {
    let server = Server::start(scripted(vec![Reply::Stall], empty_list)).await;
    let backend = server.backend_with(|c| c.timeout = Duration::from_millis(300));
    let err = backend.list_open(Some(ME)).await.unwrap_err();
    assert!(matches!(err, BackendError::Transient(_)), "{err:?}");
    assert_eq!(backend.list_open(Some(ME)).await.unwrap(), vec![]);

    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let config = GithubConfig::new(&format!("http://{closed}"), "acme/escalations", ME).unwrap();
    let err = GithubBackend::new(config, &SecretValue::new(TOKEN)).unwrap().list_open(None).await.unwrap_err();
    assert!(matches!(err, BackendError::Transient(_)), "{err:?}");
    assert!(!format!("{err}").contains(TOKEN));
}

/// A page that trickles (a byte a second, for ever) ends at the request's deadline.
#[tokio::test]
async fn a_page_that_trickles_ends_at_the_requests_deadline() {
    let server =
        Server::start(scripted(vec![Reply::Stream(Stream::trickle(200, "[", 1 << 30, Duration::from_millis(50)))], empty_list)).await;
    let backend = server.backend_with(|c| c.timeout = Duration::from_millis(700));
    let started = Instant::now();
    let err = backend.list_open(Some(ME)).await.unwrap_err();
    assert_eq!(err, BackendError::Transient("GitHub did not answer in time".into()));
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(server.streamed() < 100, "{} bytes", server.streamed());
}

/// Before, a listing had no deadline of its own: 100 pages of 20 s each, the poller and
/// the dashboard waiting behind it. Now all its pages come within `listing_deadline` (120 s by
/// default), or it is a transient failure that says so.
#[tokio::test]
async fn a_listing_whose_pages_trickle_ends_at_its_overall_deadline() {
    // Each page is `[]`, a byte every 100 ms, and links to one more page.
    let handler: Handler = Arc::new(|req: &Request, base: &str| {
        let page: usize = req.query().iter().find(|(k, _)| k == "page").and_then(|(_, v)| v.parse().ok()).unwrap_or(1);
        let next = format!("<{base}/repos/acme/escalations/issues?page={}>; rel=\"next\"", page + 1);
        Reply::Stream(Stream::trickle(200, "[]", 0, Duration::from_millis(100)).with("link", &next))
    });
    let server = Server::start(handler).await;
    let backend = server.backend_with(|c| c.listing_deadline = Duration::from_secs(2));
    let started = Instant::now();
    let err = backend.list_open(Some(ME)).await.unwrap_err();
    let took = started.elapsed();
    match &err {
        BackendError::Transient(why) => assert!(why.starts_with("listing the escalations took longer than 2 s"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert!(server.requests().len() <= 11, "{} pages asked", server.requests().len());
}

// ---------------------------------------------------------------------------------------------
// Writing: create with assignee and labels, never twice; acknowledge, hand over, resolve
// ---------------------------------------------------------------------------------------------

fn new_escalation(key: &str) -> NewEscalation {
    NewEscalation {
        title: "Search is down for Acme".into(),
        customer: Some("Acme Corp".into()),
        severity: Severity::Sev1,
        url: Some("https://support.example.com/tickets/42".into()),
        details: "All EU searches return 500.".into(),
        reporter: Some("support-sam".into()),
        assignee: Some(ME.into()),
        client_key: Some(key.into()),
    }
}

#[tokio::test]
async fn create_files_an_issue_with_assignee_labels_and_key_and_a_retry_never_duplicates() {
    let repo = Repo::shared();
    let server = Server::start(handler(repo.clone())).await;
    let backend = server.backend();
    let now = now();

    let e = backend.create(&new_escalation("k-1"), now).await.unwrap();
    let posts: Vec<Request> = server.requests().into_iter().map(|(r, _)| r).filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 1);
    let sent = posts[0].json();
    assert_eq!(posts[0].path(), "/repos/acme/escalations/issues");
    assert_eq!(sent["title"], "Search is down for Acme");
    assert_eq!(sent["assignees"], json!([ME]));
    assert_eq!(sent["labels"], json!(["escalation", "sev1"]));
    let body = sent["body"].as_str().unwrap();
    assert!(body.contains("Customer: Acme Corp\n") && body.contains("<!-- rota-key: k-1 -->"), "{body}");

    assert_eq!(e.id, "1");
    assert_eq!(e.assignee.as_deref(), Some(ME));
    assert_eq!((e.severity, e.state), (Severity::Sev1, EscalationState::Open));
    assert_eq!(e.url.as_deref(), Some("https://support.example.com/tickets/42"));
    assert_eq!(e.details, "All EU searches return 500.");
    assert_eq!(e.client_key.as_deref(), Some("k-1"));

    // The same create again (an outbox retry): found by its key, not filed twice.
    assert_eq!(backend.create(&new_escalation("k-1"), now).await.unwrap(), e);

    // The response to a create is lost: the retry finds what the first attempt filed.
    repo.lock().unwrap().hang_up_creates = 1;
    let err = backend.create(&new_escalation("k-2"), now).await.unwrap_err();
    assert!(matches!(err, BackendError::Transient(_)), "{err:?}");
    let retried = backend.create(&new_escalation("k-2"), now).await.unwrap();
    assert_eq!(retried.id, "2");
    assert_eq!(repo.lock().unwrap().issues.len(), 2, "two escalations, each filed once");
    assert_eq!(backend.find_by_client_key("k-3").await.unwrap(), None);
}

#[tokio::test]
async fn acknowledge_hand_over_and_resolve_are_labels_and_closing() {
    let server = Server::start(handler(Repo::shared())).await;
    let backend = server.backend_with(|c| c.acknowledged_label = "ack".into());
    let now = now();
    let e = backend.create(&new_escalation("k-1"), now).await.unwrap();

    let acked = backend.acknowledge(&e.id, now).await.unwrap();
    assert_eq!(acked.state, EscalationState::Acknowledged);
    let last_post = server.requests().into_iter().rev().find(|(r, _)| r.method == "POST").unwrap().0;
    assert_eq!(last_post.path(), "/repos/acme/escalations/issues/1/labels");
    assert_eq!(last_post.json(), json!({"labels": ["ack"]}), "the configured label");

    assert_eq!(backend.hand_to_engineering(&e.id, now).await.unwrap().state, EscalationState::HandedToEngineering);
    assert_eq!(backend.list_open(Some(ME)).await.unwrap().len(), 1);

    assert_eq!(backend.resolve(&e.id, now).await.unwrap().state, EscalationState::Resolved);
    let patch = server.requests().into_iter().rev().find(|(r, _)| r.method == "PATCH").unwrap().0;
    assert_eq!(patch.json(), json!({"state": "closed", "state_reason": "completed"}));
    assert_eq!(backend.list_open(Some(ME)).await.unwrap(), vec![], "closed is not open");
    assert_eq!(backend.get("1").await.unwrap().state, EscalationState::Resolved);

    assert_eq!(backend.get("99").await.unwrap_err(), BackendError::NotFound("99".into()));
    assert_eq!(backend.acknowledge("not-a-number", now).await.unwrap_err(), BackendError::NotFound("not-a-number".into()));
}
