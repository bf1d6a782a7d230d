//! The `github` backend: escalations are the issues of one repository that carry a label.
//!
//! It speaks the GitHub REST API (version `2022-11-28`) at a configurable base URL (GitHub
//! Enterprise, test servers). Polls are conditional: each page's `ETag` is kept and sent back as
//! `If-None-Match`, so an unchanged poll is a `304` per page, which GitHub does not count against
//! the rate limit, and the cached page is used.
//!
//! How an issue maps to an [`Escalation`]:
//!
//! | escalation | issue |
//! | --- | --- |
//! | `id` | the issue number |
//! | `title` | the title |
//! | `severity` | the most urgent `sev1`..`sev4` label, else a `Severity:` line in the body, else `sev3` |
//! | `customer`, `reporter` | a `Customer:` / `Reporter:` line in the body; the reporter defaults to the issue's author |
//! | `url` | a `Link:` line in the body, else the issue's page (`html_url`) |
//! | `assignee` | me, if I am among the assignees; else the first assignee |
//! | `state` | closed: resolved; else the handed-to-engineering label: handed to engineering; else the acknowledged label: acknowledged; else open |
//! | `client_key` | the hidden marker `<!-- rota-key: KEY -->` in the body |
//! | `details` | the body without those lines and the marker |
//!
//! Pull requests (items with a `pull_request` key) are skipped. Filing writes the body in the same
//! shape, with the label, a severity label and the assignee.
//!
//! It does not retry, sleep or read the keyring: each call is one attempt, failures are
//! [`BackendError`] variants (with the time to come back for rate limits), and the token is
//! handed in.
//!
//! Bounds (issue 25): every answer is read through [`crate::bounded::read_body`] — a page at most
//! [`MAX_PAGE_BYTES`], an error's explanation at most [`MAX_ERROR_BYTES`], and GitHub's reason
//! shown cut to [`rota_core::redact::MESSAGE_CHARS`] characters; a listing reads at most
//! [`MAX_LISTING_BYTES`] and [`MAX_LISTING_PAGES`] pages within [`LISTING_DEADLINE`], and the
//! answers kept for it are pruned to its last pages. Filing does not list every escalation: the
//! duplicate check reads the newest [`FIND_PAGES`] pages, then asks GitHub's search. A loopback
//! API is reached without a proxy.

use super::local::{CachedResponse, LocalStore};
use super::{Backend, BackendError};
use crate::bounded::{self, kib, mib, BodyError};
use crate::secrets::SecretValue;
use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, ETAG, IF_NONE_MATCH, LINK, USER_AGENT};
use reqwest::{Method, StatusCode, Url};
use rota_core::escalation::{same_handle, Escalation, EscalationState, NewEscalation, Severity};
use rota_core::lifecycle::{self, Action, HistoryEntry, Plan};
use rota_core::redact;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Where and how to reach the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubConfig {
    /// The API base URL, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`.
    pub api: String,
    pub owner: String,
    pub repo: String,
    /// The label every escalation carries.
    pub label: String,
    /// The label that marks an escalation acknowledged.
    pub acknowledged_label: String,
    /// The label that marks an escalation handed to engineering.
    pub handed_to_engineering_label: String,
    /// My GitHub login: whose escalations `list_open(Some(..))` is usually asked for.
    pub me: String,
    /// The longest one request may take before it counts as a transient failure.
    pub timeout: Duration,
    /// The longest one listing (all its pages) may take ([`LISTING_DEADLINE`]).
    pub listing_deadline: Duration,
}

impl GithubConfig {
    /// A config with the default labels (`escalation`, `acknowledged`, `engineering`)
    /// and a 20 s timeout. `repo` is `owner/name`.
    pub fn new(api: &str, repo: &str, me: &str) -> Result<Self, BackendError> {
        let (owner, name) = repo
            .split_once('/')
            .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
            .ok_or_else(|| BackendError::Invalid(format!("repository {repo:?} is not owner/name")))?;
        Ok(GithubConfig {
            api: api.trim_end_matches('/').to_owned(),
            owner: owner.to_owned(),
            repo: name.to_owned(),
            label: "escalation".into(),
            acknowledged_label: "acknowledged".into(),
            handed_to_engineering_label: "engineering".into(),
            me: me.to_owned(),
            timeout: Duration::from_secs(20),
            listing_deadline: LISTING_DEADLINE,
        })
    }
}

/// A page of a list, as last received: what a `304` stands for.
#[derive(Debug, Clone)]
struct CachedPage {
    etag: String,
    issues: Vec<Issue>,
    next: Option<String>,
    /// The body's size: what the page counts for in a listing's budget.
    bytes: usize,
}

/// The issues of a listing, and whether it stopped at its page limit with more to read.
struct Listing {
    issues: Vec<Issue>,
    more: bool,
}

/// What GitHub's issue search answers (`GET /search/issues`).
#[derive(Deserialize)]
struct SearchResult {
    #[serde(default)]
    items: Vec<Issue>,
}

/// What a person can do about a listing that is too long.
const LIST_FIX: &str = "remove the label from old resolved escalations, or give new ones a label of their own (escalations.github.label)";

/// A page larger than any page of issues.
fn body_too_large(url: &str) -> BackendError {
    BackendError::Failed(format!(
        "{} sent more than {}, more than any page of issues; check escalations.github.api",
        redact::url(url),
        mib(MAX_PAGE_BYTES)
    ))
}

/// Answers kept before this are dropped ([`CACHE_DAYS`]).
fn cache_cutoff() -> DateTime<Utc> {
    now() - chrono::Duration::days(CACHE_DAYS)
}

/// An issue's timeline as last received (issue 15): what a `304` stands for.
#[derive(Debug, Clone)]
struct CachedEvents {
    etag: String,
    events: Vec<IssueEvent>,
}

/// The GitHub backend. Cheap to share: one connection pool, one page cache.
pub struct GithubBackend {
    config: GithubConfig,
    http: reqwest::Client,
    api: Url,
    pages: Mutex<HashMap<String, CachedPage>>,
    events: Mutex<HashMap<String, CachedEvents>>,
    /// Where answers are kept between processes, when set.
    disk: Option<Arc<LocalStore>>,
}

/// The label prefix that names the engineering team engaged: `team:search`.
pub const TEAM_LABEL: &str = "team:";

/// The label older Rotas used for "handed to engineering"; still read as such.
pub const LEGACY_ENGINEERING_LABEL: &str = "handed-to-engineering";

/// How the comment Rota writes when it engages engineering begins: `Engineering engaged: TEAM`,
/// then the link, if any, after a blank line.
const ENGAGED_COMMENT: &str = "Engineering engaged: ";

/// How the comment holding a resolve note begins: `Resolved: NOTE`.
const RESOLVED_COMMENT: &str = "Resolved: ";

/// One item of an issue's timeline (`GET /repos/{o}/{r}/issues/{n}/timeline`): its events and
/// its comments (`commented`, with the body). Items without a time (commits) are skipped.
#[derive(Debug, Clone, Deserialize)]
struct IssueEvent {
    #[serde(default)]
    event: String,
    #[serde(default)]
    actor: Option<User>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    label: Option<Label>,
    #[serde(default)]
    assignee: Option<User>,
    #[serde(default)]
    body: Option<String>,
}

impl fmt::Debug for GithubBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GithubBackend").field("config", &self.config).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
struct User {
    login: String,
}

/// Issue labels come as objects, or as bare names in some payloads.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Label {
    Object { name: String },
    Name(String),
}

impl Label {
    fn name(&self) -> &str {
        match self {
            Label::Object { name } | Label::Name(name) => name,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct Issue {
    number: u64,
    title: String,
    #[serde(default)]
    body: Option<String>,
    html_url: String,
    state: String,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(default)]
    assignee: Option<User>,
    #[serde(default)]
    assignees: Option<Vec<User>>,
    #[serde(default)]
    user: Option<User>,
    created_at: DateTime<Utc>,
    #[serde(default)]
    pull_request: Option<serde_json::Value>,
    /// When it last changed (GitHub's clock): where the next listing of changes starts.
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
    /// A 422's details: `[{ "resource", "field", "code", "message"? }]`.
    #[serde(default)]
    errors: Vec<ErrorDetail>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    resource: Option<String>,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

impl ErrorDetail {
    /// GitHub's own words ("title is too long (maximum is 256 characters)"), else its field and
    /// code ("Label color: invalid").
    fn reason(&self) -> Option<String> {
        if let Some(m) = self.message.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            return Some(m.to_owned());
        }
        let what: Vec<&str> = [self.resource.as_deref(), self.field.as_deref()].into_iter().flatten().collect();
        match (what.is_empty(), self.code.as_deref()) {
            (false, Some(code)) => Some(format!("{}: {code}", what.join(" "))),
            (true, Some(code)) => Some(code.to_owned()),
            (false, None) => Some(what.join(" ")),
            (true, None) => None,
        }
    }
}

/// The reason in an error body: the details' reasons when there are any (what a person can fix),
/// else the message.
fn refusal_reason(body: &ErrorBody) -> String {
    let details: Vec<String> = body.errors.iter().filter_map(ErrorDetail::reason).collect();
    if details.is_empty() {
        body.message.clone().unwrap_or_default()
    } else {
        details.join("; ")
    }
}

fn now() -> DateTime<Utc> {
    crate::clock::system_now()
}

const MARKER_OPEN: &str = "<!-- rota-key:";
const MARKER_CLOSE: &str = "-->";

/// The hidden marker that carries a client key in an issue body.
pub fn key_marker(key: &str) -> String {
    format!("{MARKER_OPEN} {key} {MARKER_CLOSE}")
}

/// The issue body Rota files for an escalation: details, then one `Key: value` line per field,
/// then the key marker.
pub fn issue_body(new: &NewEscalation) -> String {
    let mut body = new.details.trim().to_owned();
    let mut fields = String::new();
    let mut field = |name: &str, value: Option<&str>| {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            fields.push_str(&format!("{name}: {}\n", v.replace('\n', " ")));
        }
    };
    field("Customer", new.customer.as_deref());
    field("Severity", Some(new.severity.as_str()));
    field("Link", new.url.as_deref());
    field("Reporter", new.reporter.as_deref());
    if !body.is_empty() {
        body.push_str("\n\n");
    }
    body.push_str(&fields);
    if let Some(key) = new.client_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        body.push('\n');
        body.push_str(&key_marker(key));
        body.push('\n');
    }
    body
}

/// What GitHub is known to refuse in `new` ("title is too long (maximum is 256 characters)"),
/// checked before it is saved or sent: the body measured as it would be sent, key marker and all.
pub fn known_refusal(new: &NewEscalation) -> Option<rota_core::outbox::KnownRefusal> {
    let mut sent = new.clone();
    sent.client_key.get_or_insert_with(|| format!("rota-{}", "0".repeat(32)));
    rota_core::outbox::known_refusal(rota_core::config::Backend::Github, &sent.title, &issue_body(&sent))
}

/// The fields Rota reads back out of an issue body.
#[derive(Debug, Default, PartialEq, Eq)]
struct BodyFields {
    details: String,
    customer: Option<String>,
    severity: Option<Severity>,
    link: Option<String>,
    reporter: Option<String>,
    key: Option<String>,
}

fn parse_body(body: &str) -> BodyFields {
    let mut f = BodyFields::default();
    let mut details = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix(MARKER_OPEN).and_then(|r| r.strip_suffix(MARKER_CLOSE)) {
            f.key = Some(rest.trim().to_owned()).filter(|k| !k.is_empty());
            continue;
        }
        let field = t.split_once(':').map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim()));
        let value = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
        match field {
            Some((k, v)) if k == "customer" => f.customer = value(v),
            Some((k, v)) if k == "severity" && v.parse::<Severity>().is_ok() => f.severity = v.parse().ok(),
            Some((k, v)) if k == "link" => f.link = value(v),
            Some((k, v)) if k == "reporter" => f.reporter = value(v.trim_start_matches('@')),
            _ => details.push(line),
        }
    }
    f.details = details.join("\n").trim().to_owned();
    f
}

fn parse_link_next(value: &str) -> Option<String> {
    value.split(',').find_map(|part| {
        let mut pieces = part.split(';');
        let url = pieces.next()?.trim().strip_prefix('<')?.strip_suffix('>')?;
        pieces
            .any(|p| matches!(p.trim().split_once('='), Some(("rel", r)) if r.trim_matches('"').split(' ').any(|r| r == "next")))
            .then(|| url.to_owned())
    })
}

/// The longest a rate limit keeps Rota from asking again, whatever the headers say.
pub const MAX_RATE_LIMIT_WAIT: chrono::Duration = chrono::Duration::hours(1);

/// The most one response from GitHub may be: a page of 100 issues with long bodies is a few MiB.
pub const MAX_PAGE_BYTES: usize = 8 << 20;

/// The most of an error's body Rota reads: GitHub's explanations are a few hundred bytes.
pub const MAX_ERROR_BYTES: usize = 64 << 10;

/// The most one listing may read, all its pages together: 10,000 issues with long bodies.
pub const MAX_LISTING_BYTES: usize = 50 << 20;

/// The most pages one listing may read (100 issues each).
pub const MAX_LISTING_PAGES: usize = 100;

/// The longest one listing may take, all its pages together, however quickly each page comes.
pub const LISTING_DEADLINE: Duration = Duration::from_secs(120);

/// How far before GitHub's answer to a listing the next listing of changes starts: an issue
/// changed while the pages were read, or stamped a little before GitHub's clock said, is listed
/// again rather than missed.
pub const SINCE_MARGIN: chrono::Duration = chrono::Duration::minutes(2);

/// The newest pages (100 issues each) the duplicate check reads before it asks GitHub's search.
pub const FIND_PAGES: usize = 3;

/// The query names of the URLs Rota asks GitHub for (and of GitHub's next pages): their values
/// are no secret, so a URL with only these may be a key on disk.
const PUBLIC_QUERY_NAMES: &[&str] = &["labels", "state", "sort", "direction", "per_page", "page", "assignee", "since"];

/// Answers kept for a conditional request are dropped after this long (a page that is still
/// read costs one full answer again).
pub const CACHE_DAYS: i64 = 30;

/// A 403 or 429 that is a rate limit: when to come back. `retry-after` (seconds) wins, then
/// `x-ratelimit-reset` (epoch seconds) when no requests remain; a 429 without either waits a
/// minute, as GitHub's docs ask. A 403 with neither is not a rate limit.
fn rate_limited_until(status: StatusCode, headers: &HeaderMap, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    // A server's word on when to come back is capped: an hour, not a year (or an overflow).
    let latest = now.checked_add_signed(MAX_RATE_LIMIT_WAIT).unwrap_or(now);
    if let Some(secs) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
        let wait = chrono::Duration::seconds(secs.min(MAX_RATE_LIMIT_WAIT.num_seconds() as u64) as i64);
        return Some(now.checked_add_signed(wait).unwrap_or(latest));
    }
    if header("x-ratelimit-remaining") == Some("0") {
        if let Some(reset) = header("x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok()) {
            return Some(DateTime::from_timestamp(reset, 0).map_or(latest, |t| t.clamp(now, latest)));
        }
    }
    (status == StatusCode::TOO_MANY_REQUESTS).then(|| now.checked_add_signed(chrono::Duration::seconds(60)).unwrap_or(latest))
}

/// A response's JSON body, read with a size cap ([`MAX_PAGE_BYTES`]) by `deadline`.
async fn json_body<T: serde::de::DeserializeOwned>(response: reqwest::Response, url: &str, deadline: Instant) -> Result<T, BackendError> {
    parse(&body_bytes(response, url, deadline).await?)
}

/// A response's body, read with a size cap ([`MAX_PAGE_BYTES`]) by `deadline`.
async fn body_bytes(response: reqwest::Response, url: &str, deadline: Instant) -> Result<Vec<u8>, BackendError> {
    match bounded::read_body(response, MAX_PAGE_BYTES, deadline).await {
        Ok(b) => Ok(b),
        Err(BodyError::TooLarge(_)) => Err(body_too_large(url)),
        Err(e) => Err(transfer_error(e)),
    }
}

/// A request that failed on the way: the network, or a deadline.
fn transfer_error(e: BodyError) -> BackendError {
    match e {
        BodyError::Network(e) => request_error(e),
        BodyError::TimedOut | BodyError::TooLarge(_) => BackendError::Transient("GitHub did not answer in time".into()),
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, BackendError> {
    serde_json::from_slice(body).map_err(|_| BackendError::Failed("GitHub sent a response Rota cannot read".into()))
}

/// The `github_issues` fuzz target's body (`fuzz/`, replayed on stable by
/// `tests/fuzz_corpus.rs`): a page of issues as GitHub sends it, read and mapped to escalations.
#[doc(hidden)]
pub fn fuzz_issues(data: &[u8]) {
    let Ok(issues) = serde_json::from_slice::<Vec<Issue>>(data) else { return };
    let config = GithubConfig::new("https://api.github.com", "acme/escalations", "keegancsmith").expect("a fixed config");
    for issue in issues {
        let e = escalation(&config, issue);
        assert!(!e.id.is_empty());
    }
}

/// Fuzz body (issue 15): any bytes as an issue's timeline, read into its history. Never panics;
/// the history always begins with the filing.
#[doc(hidden)]
pub fn fuzz_timeline(data: &[u8]) {
    let Ok(events) = serde_json::from_slice::<Vec<IssueEvent>>(data) else { return };
    let config = GithubConfig::new("https://api.github.com", "acme/escalations", "keegancsmith").expect("a fixed config");
    let issue: Issue = serde_json::from_value(json!({
        "number": 1, "title": "t", "state": "open", "html_url": "https://github.com/acme/escalations/issues/1",
        "labels": [], "created_at": "2024-03-05T12:00:00Z", "user": { "login": "sam" }
    }))
    .expect("a fixed issue");
    let history = history_from_events(&config, &escalation(&config, issue), &events);
    assert_eq!(history.first().map(|h| h.state), Some(EscalationState::Open));
    assert!(history.len() <= events.len() + 1, "one entry at most per item");
}

/// The `github_link` fuzz target's body: a `Link` header; a next page, if named, is a URL in it.
#[doc(hidden)]
pub fn fuzz_link(data: &[u8]) {
    let Ok(value) = std::str::from_utf8(data) else { return };
    if let Some(next) = parse_link_next(value) {
        assert!(value.contains(&next));
    }
}

fn request_error(e: reqwest::Error) -> BackendError {
    // A body that stopped coming is a timeout, even while it was being read (decoded).
    if e.is_timeout() {
        BackendError::Transient("GitHub did not answer in time".into())
    } else if e.is_decode() {
        BackendError::Failed("GitHub sent a response Rota cannot read".into())
    } else if e.is_builder() {
        BackendError::Failed(format!("cannot build the request: {}", e.without_url()))
    } else if e.is_redirect() {
        // Where it went, without its query's values: "redirected to http://…, which is not https".
        use std::error::Error;
        let why = e.source().map_or_else(|| "a bad redirect".to_owned(), |s| redact::urls_in(&s.to_string()));
        BackendError::Failed(format!("GitHub's answer was {why}; check escalations.github.api"))
    } else {
        // Connection refused or reset, DNS, TLS: the network or GitHub is away for now. A
        // redirect's error names where it went: without its query's values.
        BackendError::Transient(format!("cannot reach GitHub: {}", redact::urls_in(&e.without_url().to_string())))
    }
}

impl GithubBackend {
    /// A backend for `config`, authenticating with `token` (a fine-grained or classic token with
    /// read and write access to the repository's issues).
    pub fn new(config: GithubConfig, token: &SecretValue) -> Result<Self, BackendError> {
        // The config's rule (https, or http to a loopback host as parsed), whoever built the config.
        rota_core::config::web_url(&config.api).map_err(|e| BackendError::Invalid(format!("escalations.github.api: {e}")))?;
        let api = Url::parse(&format!("{}/", config.api)).ok().filter(|u| !u.cannot_be_a_base()).ok_or_else(|| {
            BackendError::Invalid(format!("escalations.github.api {:?} is not a URL; write it like https://api.github.com", config.api))
        })?;
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .map_err(|_| BackendError::Invalid("the GitHub token has characters a header cannot hold".into()))?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static("application/vnd.github+json"));
        headers.insert("x-github-api-version", HeaderValue::from_static("2022-11-28"));
        headers.insert(USER_AGENT, HeaderValue::from_static(concat!("rota/", env!("CARGO_PKG_VERSION"))));
        // The token never goes through a proxy to a loopback API, in clear text.
        let http = bounded::direct_to_loopback(reqwest::Client::builder(), &api)
            .default_headers(headers)
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .redirect(bounded::redirect_policy())
            .build()
            .map_err(|e| BackendError::Failed(format!("cannot start the HTTP client: {}", e.without_url())))?;
        Ok(GithubBackend { config, http, api, pages: Mutex::new(HashMap::new()), events: Mutex::new(HashMap::new()), disk: None })
    }

    pub fn config(&self) -> &GithubConfig {
        &self.config
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> Url {
        // `api` is a base URL (checked in `new`), so a relative path always joins.
        let mut url = self.api.join(path.trim_start_matches('/')).unwrap_or_else(|_| self.api.clone());
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    fn repo_path(&self, rest: &str) -> String {
        format!("repos/{}/{}/{rest}", self.config.owner, self.config.repo)
    }

    fn issue_number(id: &str) -> Result<u64, BackendError> {
        id.trim().trim_start_matches('#').parse().map_err(|_| BackendError::NotFound(id.to_owned()))
    }

    /// The deadline of one request, from now.
    fn deadline(&self) -> Instant {
        Instant::now() + self.config.timeout
    }

    /// Turns an unsuccessful status into its error. `what` names the thing for a 404. The body,
    /// GitHub's explanation, is read up to [`MAX_ERROR_BYTES`] by `deadline`, and its reason cut
    /// to [`redact::MESSAGE_CHARS`] characters: a server that answers an error with a gigabyte
    /// costs 64 KiB, and its words reach a person, the outbox and a window short.
    async fn status_error(response: reqwest::Response, what: &str, deadline: Instant) -> BackendError {
        let status = response.status();
        if let Some(until) = rate_limited_until(status, response.headers(), now()) {
            return BackendError::RateLimited { until };
        }
        let message = match bounded::read_body(response, MAX_ERROR_BYTES, deadline).await {
            Ok(body) => serde_json::from_slice::<ErrorBody>(&body).ok().map(|b| redact::message(&refusal_reason(&b))).unwrap_or_default(),
            Err(BodyError::TooLarge(limit)) => format!("GitHub answered {status} with an explanation longer than {}", kib(limit)),
            Err(_) => String::new(),
        };
        match status {
            StatusCode::UNAUTHORIZED => BackendError::Unauthorized,
            StatusCode::FORBIDDEN => BackendError::Forbidden,
            StatusCode::NOT_FOUND | StatusCode::GONE => BackendError::NotFound(what.to_owned()),
            // A request timeout and a conflict (another change at the same moment) pass by themselves.
            s if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT || s == StatusCode::CONFLICT => {
                BackendError::Transient(format!("GitHub answered {s}"))
            }
            // GitHub's own reason, as it says it: what the person has to fix.
            s => BackendError::Invalid(if message.is_empty() { format!("GitHub answered {s}") } else { message }),
        }
    }

    async fn send_json<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<serde_json::Value>,
        what: &str,
    ) -> Result<T, BackendError> {
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let deadline = self.deadline();
        let response = bounded::send(request, deadline).await.map_err(transfer_error)?;
        if !response.status().is_success() {
            return Err(Self::status_error(response, what, deadline).await);
        }
        let url = response.url().to_string();
        json_body(response, &url, deadline).await
    }

    /// The issues of a list, following `Link: rel="next"` for at most `max_pages` pages, each
    /// page conditional on its ETag. All pages together, fresh or cached, are at most
    /// [`MAX_LISTING_BYTES`] and come within the config's `listing_deadline`; a longer list is an
    /// error naming the fix. Once read, the answers kept for pages this list no longer has are
    /// dropped.
    async fn list_issues(&self, first: Url, max_pages: usize) -> Result<Listing, BackendError> {
        self.list_pages(first, max_pages, max_pages < MAX_LISTING_PAGES).await
    }

    /// [`Self::list_issues`]; `stop` says whether a list longer than `max_pages` is read that
    /// far (`more`) rather than refused.
    async fn list_pages(&self, first: Url, max_pages: usize, stop: bool) -> Result<Listing, BackendError> {
        let first = first.to_string();
        let deadline = Instant::now() + self.config.listing_deadline;
        let before = self.kept_chain(&first);
        let mut issues = Vec::new();
        let mut read: Vec<String> = Vec::new();
        let mut bytes = 0usize;
        let mut next = Some(first.clone());
        while let Some(url) = next.take() {
            if read.len() >= max_pages {
                if stop {
                    return Ok(Listing { issues, more: true });
                }
                return Err(BackendError::Failed(format!(
                    "more than {MAX_LISTING_PAGES} pages of escalations ({} issues), more than Rota reads at once; {LIST_FIX}",
                    MAX_LISTING_PAGES * 100
                )));
            }
            // The token goes only to the configured API, whatever a Link header says.
            if !url.starts_with(self.api.as_str()) {
                return Err(BackendError::Failed("GitHub linked to a page outside the configured API URL".into()));
            }
            let mut cached = self.pages.lock().unwrap_or_else(|p| p.into_inner()).get(&url).cloned();
            if cached.is_none() {
                // Another process's answer, kept on disk (issue 15).
                cached = self
                    .kept_on_disk(&url)
                    .and_then(|c| Some(CachedPage { etag: c.etag, issues: parse(&c.body).ok()?, next: c.next, bytes: c.body.len() }));
            }
            let mut request = self.http.get(&url);
            if let Some(page) = &cached {
                request = request.header(IF_NONE_MATCH, &page.etag);
            }
            let page_deadline = self.deadline().min(deadline);
            let late = |e: BackendError| if Instant::now() >= deadline { self.listing_too_slow(read.len()) } else { e };
            let response = bounded::send(request, page_deadline).await.map_err(|e| late(transfer_error(e)))?;
            let page = match (response.status(), cached) {
                (StatusCode::NOT_MODIFIED, Some(page)) => page,
                (status, _) if status.is_success() => {
                    let etag = response.headers().get(ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
                    let link = response.headers().get(LINK).and_then(|v| v.to_str().ok()).and_then(parse_link_next);
                    // What is left of the listing's budget, and never more than a page.
                    let limit = MAX_PAGE_BYTES.min(MAX_LISTING_BYTES.saturating_sub(bytes));
                    let body = match bounded::read_body(response, limit, page_deadline).await {
                        Ok(body) => body,
                        Err(BodyError::TooLarge(_)) if limit < MAX_PAGE_BYTES => return Err(self.listing_too_large(read.len() + 1)),
                        Err(BodyError::TooLarge(_)) => return Err(body_too_large(&url)),
                        Err(e) => return Err(late(transfer_error(e))),
                    };
                    let page = CachedPage { etag: etag.unwrap_or_default(), issues: parse(&body)?, next: link, bytes: body.len() };
                    if !page.etag.is_empty() {
                        self.pages.lock().unwrap_or_else(|p| p.into_inner()).insert(url.clone(), page.clone());
                        self.keep_on_disk(&url, &page.etag, body, page.next.clone());
                    }
                    page
                }
                _ => return Err(Self::status_error(response, &redact::url(&url), page_deadline).await),
            };
            bytes += page.bytes;
            if bytes > MAX_LISTING_BYTES {
                return Err(self.listing_too_large(read.len() + 1));
            }
            read.push(url);
            issues.extend(page.issues.into_iter().filter(|i| i.pull_request.is_none()));
            next = page.next;
        }
        self.forget_pages(&before, &read);
        Ok(Listing { issues, more: false })
    }

    fn listing_too_large(&self, pages: usize) -> BackendError {
        BackendError::Failed(format!(
            "the escalations listed from {} passed {} after {pages} pages, more than Rota reads at once; {LIST_FIX}",
            redact::url(&self.config.api),
            mib(MAX_LISTING_BYTES)
        ))
    }

    fn listing_too_slow(&self, pages: usize) -> BackendError {
        BackendError::Transient(format!(
            "listing the escalations took longer than {} s ({pages} pages read); check the network, or make the list shorter: {LIST_FIX}",
            self.config.listing_deadline.as_secs()
        ))
    }

    /// The pages kept (here or on disk) for the listing that starts at `first`, as last read.
    fn kept_chain(&self, first: &str) -> Vec<String> {
        let mut chain: Vec<String> = Vec::new();
        {
            let pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
            let mut at = Some(first.to_owned());
            while let Some(url) = at.take() {
                let Some(page) = pages.get(&url).filter(|_| chain.len() < MAX_LISTING_PAGES && !chain.contains(&url)) else { break };
                at = page.next.clone();
                chain.push(url);
            }
        }
        if let Some(store) = &self.disk {
            for url in store.cached_chain(first, MAX_LISTING_PAGES).unwrap_or_default() {
                if !chain.contains(&url) {
                    chain.push(url);
                }
            }
        }
        chain
    }

    /// Drops the answers kept for the pages of `before` that are not in `read` (the listing got
    /// shorter): the cache holds the last listing, not every page ever read.
    fn forget_pages(&self, before: &[String], read: &[String]) {
        let stale: Vec<String> = before.iter().filter(|u| !read.contains(u)).cloned().collect();
        if stale.is_empty() {
            return;
        }
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        for url in &stale {
            pages.remove(url);
        }
        drop(pages);
        if let Some(store) = &self.disk {
            let _ = store.forget_responses(&stale, cache_cutoff());
        }
    }

    fn escalation(&self, issue: Issue) -> Escalation {
        escalation(&self.config, issue)
    }

    /// The escalation filed with `key` (any state), if there is one. The newest [`FIND_PAGES`]
    /// pages of the label's issues are read first (a create that timed out is among them, even
    /// before GitHub's search has indexed it); past them, GitHub's search is asked for the key
    /// (its index has long caught up with older issues). Filing never lists every escalation.
    pub async fn find_by_client_key(&self, key: &str) -> Result<Option<Escalation>, BackendError> {
        let url = self.url(
            &self.repo_path("issues"),
            &[("labels", &self.config.label), ("state", "all"), ("sort", "created"), ("direction", "desc"), ("per_page", "100")],
        );
        let newest = self.list_issues(url, FIND_PAGES).await?;
        let has_key = |e: &Escalation| e.client_key.as_deref() == Some(key);
        if let Some(found) = newest.issues.into_iter().map(|i| self.escalation(i)).find(has_key) {
            return Ok(Some(found));
        }
        if !newest.more {
            return Ok(None);
        }
        let query = format!("repo:{}/{} label:\"{}\" in:body \"{key}\"", self.config.owner, self.config.repo, self.config.label);
        let url = self.url("search/issues", &[("q", &query), ("per_page", "20")]);
        match self.send_json::<SearchResult>(Method::GET, url, None, "the search").await {
            Ok(found) => Ok(found.items.into_iter().filter(|i| i.pull_request.is_none()).map(|i| self.escalation(i)).find(has_key)),
            // A token GitHub rejects files nothing either: said, and tried again with a new one.
            Err(e @ BackendError::Unauthorized) => Err(e),
            // No search now (down, rate limited: its own limit, 30 a minute) or here (refused,
            // not found): the newest pages were read, and an escalation an earlier attempt filed
            // is among them unless 300 were filed since. Filing never waits on the search.
            Err(_) => Ok(None),
        }
    }

    /// Keeps the answers to conditional requests in `store` too (issue 15), so the next process
    /// (another `rota stats`, the dashboard) asks with their ETags and an unchanged repository
    /// costs only `304`s.
    /// Answers saved more than [`CACHE_DAYS`] ago are dropped as it is set.
    pub fn with_disk_cache(mut self, store: Arc<LocalStore>) -> Self {
        let _ = store.forget_responses(&[], cache_cutoff());
        self.disk = Some(store);
        self
    }

    fn kept_on_disk(&self, url: &str) -> Option<CachedResponse> {
        self.disk.as_ref()?.cached_response(url).ok().flatten()
    }

    /// Best effort: a cache that cannot be written costs a full answer next time, nothing more.
    /// Keeps an answer on disk, keyed by its URL, unless that URL (or the next page's) may hold a
    /// secret ([`redact::may_hold_secret`]: a query name Rota does not send itself, say an
    /// `access_token` in a server's `Link`): such a page is kept in memory only.
    fn keep_on_disk(&self, url: &str, etag: &str, body: Vec<u8>, next: Option<String>) {
        let secret = |u: &str| redact::may_hold_secret(u, PUBLIC_QUERY_NAMES);
        if secret(url) || next.as_deref().is_some_and(secret) {
            return;
        }
        if let Some(store) = &self.disk {
            let _ = store.cache_response(url, &CachedResponse { etag: etag.to_owned(), body, next }, now());
        }
    }

    /// Adds labels to issue `n`.
    async fn label(&self, n: u64, labels: &[&str], id: &str) -> Result<(), BackendError> {
        let url = self.url(&self.repo_path(&format!("issues/{n}/labels")), &[]);
        let _: serde_json::Value = self.send_json(Method::POST, url, Some(json!({ "labels": labels })), id).await?;
        Ok(())
    }

    /// Removes a label from issue `n`; one already gone is fine.
    async fn unlabel(&self, n: u64, label: &str, id: &str) -> Result<(), BackendError> {
        let mut url = self.url(&self.repo_path(&format!("issues/{n}/labels")), &[]);
        url.path_segments_mut().map_err(|_| BackendError::Failed("the API URL cannot hold a label".into()))?.push(label);
        match self.send_json::<serde_json::Value>(Method::DELETE, url, None, id).await {
            Ok(_) | Err(BackendError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Comments on issue `n`.
    async fn comment(&self, n: u64, body: &str, id: &str) -> Result<(), BackendError> {
        let url = self.url(&self.repo_path(&format!("issues/{n}/comments")), &[]);
        let _: serde_json::Value = self.send_json(Method::POST, url, Some(json!({ "body": body })), id).await?;
        Ok(())
    }

    /// Changes issue `n` (state, assignees).
    async fn update(&self, n: u64, body: serde_json::Value, id: &str) -> Result<Escalation, BackendError> {
        let url = self.url(&self.repo_path(&format!("issues/{n}")), &[]);
        let issue: Issue = self.send_json(Method::PATCH, url, Some(body), id).await?;
        Ok(self.escalation(issue))
    }

    /// The timeline of issue `n`, every page, each conditional on its cached ETag: an unchanged
    /// issue costs one `304` (no rate limit).
    async fn issue_events(&self, n: u64) -> Result<Vec<IssueEvent>, BackendError> {
        let mut all = Vec::new();
        let mut next = Some(self.url(&self.repo_path(&format!("issues/{n}/timeline")), &[("per_page", "100")]).to_string());
        let mut pages = 0;
        // Like a listing of issues: 50 MiB and `listing_deadline` for all its pages.
        let listing_deadline = Instant::now() + self.config.listing_deadline;
        let mut bytes = 0usize;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > 20 || !url.starts_with(self.api.as_str()) {
                return Err(BackendError::Failed("GitHub linked to too many pages of events, or outside the configured API URL".into()));
            }
            let mut cached = self.events.lock().unwrap_or_else(|p| p.into_inner()).get(&url).cloned();
            if cached.is_none() {
                cached = self.kept_on_disk(&url).and_then(|c| Some(CachedEvents { etag: c.etag, events: parse(&c.body).ok()? }));
            }
            let mut request = self.http.get(&url);
            if let Some(c) = &cached {
                request = request.header(IF_NONE_MATCH, &c.etag);
            }
            let deadline = self.deadline().min(listing_deadline);
            let response = bounded::send(request, deadline).await.map_err(transfer_error)?;
            let events = match (response.status(), cached) {
                (StatusCode::NOT_MODIFIED, Some(c)) => {
                    next = None; // a cached page stands for the whole list as it was
                    c.events
                }
                (status, _) if status.is_success() => {
                    let etag = response.headers().get(ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
                    next = response.headers().get(LINK).and_then(|v| v.to_str().ok()).and_then(parse_link_next);
                    let body = body_bytes(response, &url, deadline).await?;
                    bytes += body.len();
                    if bytes > MAX_LISTING_BYTES {
                        return Err(BackendError::Failed(format!(
                            "the history of escalation {n} passed {} after {pages} pages, more than Rota reads at once",
                            mib(MAX_LISTING_BYTES)
                        )));
                    }
                    let events: Vec<IssueEvent> = parse(&body)?;
                    if let (Some(etag), true) = (etag, pages == 1 && next.is_none()) {
                        self.keep_on_disk(&url, &etag, body, None);
                        self.events
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .insert(url.clone(), CachedEvents { etag, events: events.clone() });
                    }
                    events
                }
                _ => return Err(Self::status_error(response, &n.to_string(), deadline).await),
            };
            all.extend(events);
        }
        Ok(all)
    }

    async fn add_label(&self, id: &str, label: &str) -> Result<Escalation, BackendError> {
        let n = Self::issue_number(id)?;
        let url = self.url(&self.repo_path(&format!("issues/{n}/labels")), &[]);
        let _: serde_json::Value = self.send_json(Method::POST, url, Some(json!({ "labels": [label] })), id).await?;
        self.get(id).await
    }
}

/// The team a `team:NAME` label names.
fn team_of_label(label: &str) -> Option<String> {
    let (prefix, team) = label.split_at_checked(TEAM_LABEL.len())?;
    prefix.eq_ignore_ascii_case(TEAM_LABEL).then(|| team.trim().to_owned()).filter(|t| !t.is_empty())
}

/// An escalation's history read from its issue's timeline, oldest first: filed (open, by its
/// reporter), then `labeled` with the acknowledged or engineering label (a `team:` label names
/// the team), `closed` (resolved), `reopened` (open) and `assigned` (a reassignment). Other
/// events and comments are skipped.
///
/// The notes come from the comments Rota writes with an action, by the same person: `Resolved:
/// NOTE` is sent just before the close it explains, and `Engineering engaged: TEAM` (the link
/// after a blank line) just after the labels. Both are usually stamped the same second as their
/// event, and GitHub does not say how it orders a tie, so each waits for its entry whichever
/// comes first; a reopen drops what is still waiting.
fn history_from_events(config: &GithubConfig, e: &Escalation, events: &[IssueEvent]) -> Vec<HistoryEntry> {
    let mut out = vec![HistoryEntry {
        state: EscalationState::Open,
        by: e.reporter.clone(),
        at: e.created_at,
        note: None,
        team: None,
        assignee: None,
    }];
    let mut state = EscalationState::Open;
    let mut team: Option<String> = None;
    let mut waiting: Vec<Waiting> = Vec::new();
    for ev in events {
        let Some(at) = ev.created_at else { continue };
        let by = ev.actor.as_ref().map(|a| a.login.clone());
        let label = ev.label.as_ref().map(|l| l.name());
        let is = |name: &str| label.is_some_and(|l| l.eq_ignore_ascii_case(name));
        let entry =
            |state, team: Option<String>, assignee: Option<String>| HistoryEntry { state, by: by.clone(), at, note: None, team, assignee };
        match ev.event.as_str() {
            "labeled" if is(&config.acknowledged_label) && state == EscalationState::Open => {
                state = EscalationState::Acknowledged;
                out.push(entry(state, None, None));
            }
            "labeled"
                if (is(&config.handed_to_engineering_label) || is(LEGACY_ENGINEERING_LABEL))
                    && state != EscalationState::HandedToEngineering =>
            {
                state = EscalationState::HandedToEngineering;
                out.push(entry(state, team.clone(), None));
            }
            "labeled" if label.and_then(team_of_label).is_some() => {
                team = label.and_then(team_of_label);
                // The team label comes with (just before or after) the engineering label.
                match out.last_mut() {
                    Some(last) if last.state == EscalationState::HandedToEngineering && last.at == at => last.team = team.clone(),
                    _ if state == EscalationState::HandedToEngineering => out.push(entry(state, team.clone(), None)),
                    _ => {}
                }
            }
            "commented" => waiting.extend(Waiting::of(ev.body.as_deref().unwrap_or_default(), by.clone(), at)),
            "closed" => {
                state = EscalationState::Resolved;
                out.push(entry(state, None, None));
            }
            "reopened" => {
                state = EscalationState::Open;
                waiting.clear();
                out.push(entry(state, None, None));
            }
            "assigned" if out.len() > 1 || at > e.created_at => {
                out.push(entry(state, None, ev.assignee.as_ref().map(|a| a.login.clone())));
            }
            _ => {}
        }
        // A note and its entry meet whichever came first.
        if let Some(last) = out.last_mut().filter(|l| l.note.is_none()) {
            if let Some(i) = waiting.iter().position(|w| w.belongs_to(last)) {
                last.note = Some(waiting.remove(i).note);
            }
        }
    }
    out
}

/// A note from one of Rota's comments, waiting for the history entry it belongs to.
struct Waiting {
    /// Resolved (`Resolved: NOTE`), or handed to engineering with this team (the link).
    state: EscalationState,
    team: Option<String>,
    by: Option<String>,
    at: DateTime<Utc>,
    note: String,
}

impl Waiting {
    fn of(body: &str, by: Option<String>, at: DateTime<Utc>) -> Option<Waiting> {
        let waiting = |state, team, note: &str| {
            let note = note.trim();
            (!note.is_empty()).then(|| Waiting { state, team, by, at, note: note.to_owned() })
        };
        if let Some(note) = body.strip_prefix(RESOLVED_COMMENT) {
            waiting(EscalationState::Resolved, None, note)
        } else {
            let (team, link) = body.strip_prefix(ENGAGED_COMMENT)?.split_once('\n')?;
            waiting(EscalationState::HandedToEngineering, Some(team.trim().to_owned()), link)
        }
    }

    /// Whether this is `entry`'s note: the same person and kind of change (the same team), and
    /// the entry no older than the comment, or stamped the same second.
    fn belongs_to(&self, entry: &HistoryEntry) -> bool {
        let same_team = match (&self.team, &entry.team) {
            (None, _) => true,
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (Some(_), None) => false,
        };
        let in_time = entry.at >= self.at || self.state == EscalationState::HandedToEngineering;
        entry.state == self.state && entry.assignee.is_none() && entry.by == self.by && same_team && in_time
    }
}

/// An issue as an escalation, as the table at the top says.
fn escalation(config: &GithubConfig, issue: Issue) -> Escalation {
    let fields = parse_body(issue.body.as_deref().unwrap_or(""));
    let has_label = |name: &str| issue.labels.iter().any(|l| l.name().eq_ignore_ascii_case(name));
    let severity = issue
        .labels
        .iter()
        .filter_map(|l| l.name().to_ascii_lowercase().strip_prefix("sev").and_then(|d| d.parse::<Severity>().ok()))
        .min()
        .or(fields.severity)
        .unwrap_or_default();
    let state = if issue.state == "closed" {
        EscalationState::Resolved
    } else if has_label(&config.handed_to_engineering_label) || has_label(LEGACY_ENGINEERING_LABEL) {
        EscalationState::HandedToEngineering
    } else if has_label(&config.acknowledged_label) {
        EscalationState::Acknowledged
    } else {
        EscalationState::Open
    };
    let assignees = issue.assignees.unwrap_or_default();
    let assignee = assignees
        .iter()
        .find(|u| same_handle(&u.login, &config.me))
        .or(issue.assignee.as_ref())
        .or(assignees.first())
        .map(|u| u.login.clone());
    Escalation {
        id: issue.number.to_string(),
        title: issue.title,
        customer: fields.customer,
        severity,
        url: fields.link.or(Some(issue.html_url.clone())),
        page: Some(issue.html_url),
        details: fields.details,
        reporter: fields.reporter.or(issue.user.map(|u| u.login)),
        assignee,
        state,
        created_at: issue.created_at,
        client_key: fields.key,
        team: issue.labels.iter().find_map(|l| team_of_label(l.name())),
    }
}

impl Backend for GithubBackend {
    async fn list_open(&self, assignee: Option<&str>) -> Result<Vec<Escalation>, BackendError> {
        let mut query = vec![];
        if let Some(a) = assignee {
            query.push(("assignee", a));
        }
        query.extend([("labels", self.config.label.as_str()), ("state", "open"), ("per_page", "100")]);
        let url = self.url(&self.repo_path("issues"), &query);
        Ok(self.list_issues(url, MAX_LISTING_PAGES).await?.issues.into_iter().map(|i| self.escalation(i)).collect())
    }

    /// Files an issue with the label, a severity label and the assignee. With a client key it
    /// first looks for the issue a previous attempt filed, so a retry never duplicates.
    async fn create(&self, new: &NewEscalation, _now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        if new.title.trim().is_empty() {
            return Err(BackendError::Invalid("an escalation needs a title".into()));
        }
        if let Some(key) = new.client_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            if let Some(found) = self.find_by_client_key(key).await? {
                return Ok(found);
            }
        }
        let assignees: Vec<&str> = new.assignee.as_deref().map(str::trim).filter(|a| !a.is_empty()).into_iter().collect();
        let body = json!({
            "title": new.title.trim(),
            "body": issue_body(new),
            "assignees": assignees,
            "labels": [self.config.label.as_str(), new.severity.as_str()],
        });
        let url = self.url(&self.repo_path("issues"), &[]);
        let issue: Issue = self.send_json(Method::POST, url, Some(body), "the repository").await?;
        Ok(self.escalation(issue))
    }

    async fn get(&self, id: &str) -> Result<Escalation, BackendError> {
        let n = Self::issue_number(id)?;
        let url = self.url(&self.repo_path(&format!("issues/{n}")), &[]);
        let issue: Issue = self.send_json(Method::GET, url, None, id).await?;
        if issue.pull_request.is_some() {
            return Err(BackendError::NotFound(id.to_owned()));
        }
        Ok(self.escalation(issue))
    }

    async fn acknowledge(&self, id: &str, _now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        self.add_label(id, &self.config.acknowledged_label).await
    }

    async fn hand_to_engineering(&self, id: &str, _now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        self.add_label(id, &self.config.handed_to_engineering_label).await
    }

    async fn resolve(&self, id: &str, _now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        let n = Self::issue_number(id)?;
        let url = self.url(&self.repo_path(&format!("issues/{n}")), &[]);
        let body = json!({ "state": "closed", "state_reason": "completed" });
        let issue: Issue = self.send_json(Method::PATCH, url, Some(body), id).await?;
        Ok(self.escalation(issue))
    }

    /// Issue 15: acknowledge = the acknowledged label; engage = the engineering label and
    /// `team:NAME` (a previous team's label removed), the link as a comment; resolve = a comment
    /// with the note, then closed as completed; reassign = the assignees; reopen = reopened, the
    /// acknowledged and engineering labels removed. The
    /// issue is read first, so an action whose effect is there already sends nothing more.
    /// GitHub records who did it (the token's user): `by` is not sent.
    async fn act(&self, id: &str, action: &Action, _by: Option<&str>, _now: DateTime<Utc>) -> Result<Escalation, BackendError> {
        let before = self.get(id).await?;
        match lifecycle::plan(&before, action) {
            Ok(Plan::Unchanged) => return Ok(before),
            Ok(Plan::Change { .. }) => {}
            Err(refused) => return Err(BackendError::Invalid(refused.to_string())),
        }
        let n = Self::issue_number(id)?;
        match action {
            Action::Acknowledge => self.label(n, &[&self.config.acknowledged_label], id).await?,
            Action::Engage { team, url } => {
                let team = team.trim();
                if let Some(old) = before.team.as_deref().filter(|t| !t.eq_ignore_ascii_case(team)) {
                    self.unlabel(n, &format!("{TEAM_LABEL}{old}"), id).await?;
                }
                self.label(n, &[&self.config.handed_to_engineering_label, &format!("{TEAM_LABEL}{team}")], id).await?;
                let mut text = format!("{ENGAGED_COMMENT}{team}");
                if let Some(u) = url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                    text.push_str(&format!("\n\n{u}"));
                }
                self.comment(n, &text, id).await?;
            }
            Action::Resolve { .. } => {
                // The note first: a close that fails is retried; a note lost after a close is not.
                if let Some(note) = action.note() {
                    self.comment(n, &format!("{RESOLVED_COMMENT}{note}"), id).await?;
                }
                return self.update(n, json!({ "state": "closed", "state_reason": "completed" }), id).await;
            }
            Action::Reassign { to } => return self.update(n, json!({ "assignees": [to.trim()] }), id).await,
            Action::Reopen => {
                // Open again means nobody is on it yet: the acknowledged and engineering labels go.
                let e = self.update(n, json!({ "state": "open", "state_reason": "reopened" }), id).await?;
                for label in [&self.config.acknowledged_label, &self.config.handed_to_engineering_label] {
                    self.unlabel(n, label, id).await?;
                }
                return if e.state == EscalationState::Open { Ok(e) } else { self.get(id).await };
            }
        }
        self.get(id).await
    }

    async fn list_every(&self) -> Result<Vec<Escalation>, BackendError> {
        let url = self.url(&self.repo_path("issues"), &[("labels", &self.config.label), ("state", "all"), ("per_page", "100")]);
        Ok(self.list_issues(url, MAX_LISTING_PAGES).await?.issues.into_iter().map(|i| self.escalation(i)).collect())
    }

    /// Every escalation, most recently changed first, as far as [`MAX_LISTING_PAGES`] reach
    /// (past them, the 10,000 most recently changed: what is not among them has not changed
    /// lately); given `since`, those changed since then (GitHub's `since`, a page or two). The
    /// next `since` is the latest change listed (GitHub's clock, not ours) less
    /// [`SINCE_MARGIN`]: while nothing changes the URL stays the same and costs a `304` a poll.
    /// More than 10,000 changed since the last poll is an error, the same `since` kept.
    async fn list_changed(&self, since: Option<DateTime<Utc>>) -> Result<super::Changed, BackendError> {
        let since_text = since.map(|s| s.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let mut query = vec![("labels", self.config.label.as_str()), ("state", "all"), ("sort", "updated"), ("direction", "desc")];
        if let Some(s) = &since_text {
            query.push(("since", s));
        }
        query.push(("per_page", "100"));
        let url = self.url(&self.repo_path("issues"), &query);
        let first = url.to_string();
        let listing = self.list_pages(url, MAX_LISTING_PAGES, true).await?;
        if listing.more && since.is_some() {
            return Err(BackendError::Failed(format!(
                "more than {} escalations changed since {}, more than Rota reads at once; {LIST_FIX}",
                MAX_LISTING_PAGES * 100,
                since_text.unwrap_or_default()
            )));
        }
        let latest = listing.issues.iter().filter_map(|i| i.updated_at).max();
        let next = latest.map(|t| t - SINCE_MARGIN).max(since);
        if since.is_some() && next != since {
            // The answers kept for this `since` are no use to the next listing.
            self.forget_pages(&self.kept_chain(&first), &[]);
        }
        let every = since.is_none() && !listing.more;
        Ok(super::Changed { escalations: listing.issues.into_iter().map(|i| self.escalation(i)).collect(), every, since: next })
    }

    async fn history_of(&self, e: &Escalation) -> Result<Vec<HistoryEntry>, BackendError> {
        let n = Self::issue_number(&e.id)?;
        let events = self.issue_events(n).await?;
        Ok(history_from_events(&self.config, e, &events))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 13: a refusal carries GitHub's own reason: `errors[].message` when there is one
    /// ("title is too long …"), else the field and code; the bare message last.
    #[test]
    fn a_refusal_reason_is_githubs_own() {
        let check = |body: serde_json::Value, expected: &str| {
            let body: ErrorBody = serde_json::from_value(body).unwrap();
            assert_eq!(refusal_reason(&body), expected);
        };
        check(
            json!({ "message": "Validation Failed", "errors": [{ "resource": "Issue", "code": "custom", "field": "title",
                    "message": "title is too long (maximum is 256 characters)" }] }),
            "title is too long (maximum is 256 characters)",
        );
        // As in the recorded fixture error-422-validation-failed.json: no message of its own.
        check(
            json!({ "message": "Validation Failed", "errors": [{ "resource": "Label", "code": "invalid", "field": "color" }],
                    "documentation_url": "https://docs.github.com/rest/reference/issues#create-a-label" }),
            "Label color: invalid",
        );
        check(json!({ "message": "Repository access blocked" }), "Repository access blocked");
        // What GitHub is known to refuse is said the same way, before anything is sent.
        let long = NewEscalation { title: "x".repeat(257), ..NewEscalation::default() };
        assert_eq!(known_refusal(&long).unwrap().reason, "title is too long (maximum is 256 characters)");
        let ok = NewEscalation { title: "x".repeat(256), details: "d".repeat(65_000), ..NewEscalation::default() };
        assert_eq!(known_refusal(&ok), None);
        let big = NewEscalation { title: "ok".into(), details: "d".repeat(65_530), ..NewEscalation::default() };
        assert_eq!(known_refusal(&big).unwrap().part, rota_core::outbox::RefusedPart::Body, "the key marker and fields count");
    }

    /// Issue 13: an escalation's own page is the issue (`html_url`); the ticket stays its link.
    #[test]
    fn the_escalations_page_is_the_issue_and_its_link_the_ticket() {
        let backend =
            GithubBackend::new(GithubConfig::new("https://api.github.com", "acme/esc", "ann").unwrap(), &SecretValue::new("t")).unwrap();
        let issue: Issue = serde_json::from_value(json!({
            "number": 7, "title": "Search is down", "state": "open",
            "body": "Customer: Acme\nLink: https://support.example.com/t/42\n",
            "html_url": "https://github.com/acme/esc/issues/7", "labels": [], "created_at": "2024-03-05T12:00:00Z"
        }))
        .unwrap();
        let e = backend.escalation(issue);
        assert_eq!(e.page.as_deref(), Some("https://github.com/acme/esc/issues/7"));
        assert_eq!(e.url.as_deref(), Some("https://support.example.com/t/42"));
        let t = rota_core::notice::text(&rota_core::escalation::Notice::Assigned { escalation: e, reassigned_from: None });
        assert_eq!(t.url.as_deref(), Some("https://github.com/acme/esc/issues/7"), "Open goes to the escalation");
        assert!(t.body.contains("Ticket: https://support.example.com/t/42"), "{}", t.body);
    }

    /// Issue 7, closed, filed by sam, as ann's backend reads it.
    fn closed_issue() -> (GithubBackend, Escalation) {
        let backend =
            GithubBackend::new(GithubConfig::new("https://api.github.com", "acme/esc", "ann").unwrap(), &SecretValue::new("t")).unwrap();
        let issue: Issue = serde_json::from_value(json!({
            "number": 7, "title": "Search is down", "state": "closed", "body": "",
            "html_url": "https://github.com/acme/esc/issues/7", "labels": [], "created_at": "2024-03-05T12:00:00Z",
            "user": { "login": "sam" }
        }))
        .unwrap();
        let e = backend.escalation(issue);
        (backend, e)
    }

    /// One timeline item by `who`, `minute` minutes past noon, with `extra` fields.
    fn timeline_item(event: &str, who: &str, minute: u32, extra: serde_json::Value) -> serde_json::Value {
        let mut v = json!({ "event": event, "actor": { "login": who }, "created_at": format!("2024-03-05T12:{minute:02}:00Z") });
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        v
    }

    /// Issue 15: a history's notes are Rota's own comments, by whoever took the action; other
    /// comments, another person's "Resolved:" and timeline items without a time (commits) are not.
    #[test]
    fn the_history_takes_its_notes_from_rotas_comments_by_the_same_person() {
        let (backend, e) = closed_issue();
        let timeline: Vec<IssueEvent> = serde_json::from_value(json!([
            timeline_item("commented", "sam", 1, json!({ "body": "Resolved: sam's guess" })),
            { "event": "committed", "sha": "abc", "author": { "date": "2024-03-05T12:01:30Z" } },
            timeline_item("labeled", "ann", 2, json!({ "label": { "name": "engineering" } })),
            timeline_item("labeled", "ann", 2, json!({ "label": { "name": "team:search" } })),
            timeline_item("commented", "bob", 3, json!({ "body": "Engineering engaged: search\n\nhttps://bob.example.com" })),
            timeline_item("commented", "ann", 3, json!({ "body": "Engineering engaged: search\n\nhttps://eng.example.com/1" })),
            timeline_item("commented", "ann", 4, json!({ "body": "Looks like the index again." })),
            timeline_item("closed", "ann", 5, json!({})),
            timeline_item("reopened", "ann", 6, json!({})),
            timeline_item("commented", "ann", 7, json!({ "body": "Resolved: reindexed" })),
            timeline_item("closed", "ann", 8, json!({})),
        ]))
        .unwrap();
        let history = history_from_events(&backend.config, &e, &timeline);
        let notes: Vec<(EscalationState, Option<&str>)> = history.iter().map(|h| (h.state, h.note.as_deref())).collect();
        assert_eq!(
            notes,
            [
                (EscalationState::Open, None),
                (EscalationState::HandedToEngineering, Some("https://eng.example.com/1")),
                (EscalationState::Resolved, None),
                (EscalationState::Open, None),
                (EscalationState::Resolved, Some("reindexed")),
            ]
        );
    }

    /// A comment and its event stamped the same second come in either order; a "Resolved:"
    /// written after a close explains no later close.
    #[test]
    fn a_note_finds_its_entry_whichever_comes_first() {
        let (backend, e) = closed_issue();
        let item = |event: &str, minute: u32, extra: serde_json::Value| timeline_item(event, "ann", minute, extra);
        let timeline: Vec<IssueEvent> = serde_json::from_value(json!([
            // The link before its labels, the same second; the team label after the engineering one.
            item("commented", 2, json!({ "body": "Engineering engaged: billing\n\nhttps://eng.example.com/2" })),
            item("labeled", 2, json!({ "label": { "name": "engineering" } })),
            item("labeled", 2, json!({ "label": { "name": "team:billing" } })),
            // The close before its note, the same second.
            item("closed", 5, json!({})),
            item("commented", 5, json!({ "body": "Resolved: reindexed" })),
            item("reopened", 6, json!({})),
            item("closed", 8, json!({})),
            // Written after the close: it explains that close no more than the next one.
            item("commented", 9, json!({ "body": "Resolved: an afterthought" })),
            item("reopened", 10, json!({})),
            item("closed", 11, json!({})),
        ]))
        .unwrap();
        let history = history_from_events(&backend.config, &e, &timeline);
        let notes: Vec<(EscalationState, Option<&str>, Option<&str>)> =
            history.iter().map(|h| (h.state, h.team.as_deref(), h.note.as_deref())).collect();
        use EscalationState::*;
        assert_eq!(
            notes,
            [
                (Open, None, None),
                (HandedToEngineering, Some("billing"), Some("https://eng.example.com/2")),
                (Resolved, None, Some("reindexed")),
                (Open, None, None),
                (Resolved, None, None),
                (Open, None, None),
                (Resolved, None, None),
            ]
        );
    }

    #[test]
    fn body_round_trips_the_fields_and_the_key() {
        let new = NewEscalation {
            title: "t".into(),
            customer: Some("Acme Corp".into()),
            severity: Severity::Sev1,
            url: Some("https://support.example.com/t/42".into()),
            details: "Search is down.\nSince 09:00: all regions.".into(),
            reporter: Some("support-sam".into()),
            assignee: Some("keegancsmith".into()),
            client_key: Some("k-1".into()),
        };
        let body = issue_body(&new);
        assert!(body.ends_with("\n<!-- rota-key: k-1 -->\n"), "{body}");
        assert_eq!(
            parse_body(&body),
            BodyFields {
                details: "Search is down.\nSince 09:00: all regions.".into(),
                customer: Some("Acme Corp".into()),
                severity: Some(Severity::Sev1),
                link: Some("https://support.example.com/t/42".into()),
                reporter: Some("support-sam".into()),
                key: Some("k-1".into()),
            }
        );
        assert_eq!(parse_body("Severity: whenever\nReporter: @bob").details, "Severity: whenever");
        assert_eq!(parse_body("Reporter: @bob").reporter.as_deref(), Some("bob"));
    }

    #[test]
    fn link_headers() {
        let check = |header: &str, next: Option<&str>| assert_eq!(parse_link_next(header).as_deref(), next, "{header}");
        check(
            r#"<https://api.github.com/repositories/1000/issues?per_page=3&page=2>; rel="next", <https://api.github.com/repositories/1000/issues?per_page=3&page=5>; rel="last""#,
            Some("https://api.github.com/repositories/1000/issues?per_page=3&page=2"),
        );
        check(r#"<https://x/?page=4>; rel="prev", <https://x/?page=1>; rel="first""#, None);
        check(r#"<https://x/?page=1>; rel="first", <https://x/?page=3>; rel="next""#, Some("https://x/?page=3"));
        check("", None);
    }

    #[test]
    fn rate_limit_rules() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            h
        };
        let check = |status: u16, pairs: &[(&'static str, &'static str)], expected: Option<i64>| {
            let got = rate_limited_until(StatusCode::from_u16(status).unwrap(), &headers(pairs), now);
            assert_eq!(got, expected.map(|s| now + chrono::Duration::seconds(s)), "{status} {pairs:?}");
        };
        check(403, &[("retry-after", "120")], Some(120));
        check(429, &[("retry-after", "5"), ("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1700009999")], Some(5));
        check(403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1700000900")], Some(900));
        check(403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1600000000")], Some(0)); // already past
        check(403, &[("x-ratelimit-remaining", "12"), ("x-ratelimit-reset", "1700000900")], None); // plain forbidden
        check(403, &[], None);
        check(429, &[], Some(60));
        check(500, &[("retry-after", "5")], None);
    }

    /// Issue 12: a server's "come back in a year" (or past chrono's range) waits an hour.
    #[test]
    fn a_rate_limit_far_in_the_future_waits_an_hour_at_most() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        // Each case: the status, the headers, and the seconds to wait.
        type Case<'a> = (u16, &'a [(&'a str, &'a str)], i64);
        let cases: &[Case] = &[
            (429, &[("retry-after", "31536000")], 3600),
            (429, &[("retry-after", "18446744073709551615")], 3600),
            (403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1800000000")], 3600),
            (403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "9223372036854775807")], 3600),
            (403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "-9223372036854775808")], 3600),
            (429, &[("retry-after", "3599")], 3599),
        ];
        for (status, pairs, wait) in cases {
            let mut h = HeaderMap::new();
            for (k, v) in pairs.iter() {
                h.insert(reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
            }
            let got = rate_limited_until(StatusCode::from_u16(*status).unwrap(), &h, now);
            assert_eq!(got, Some(now + chrono::Duration::seconds(*wait)), "{status} {pairs:?}");
        }
        let far = DateTime::<Utc>::MAX_UTC;
        let got = rate_limited_until(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), far);
        assert_eq!(got, Some(far), "no overflow at the end of time");
    }
}
