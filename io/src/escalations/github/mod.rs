//! The `github` backend: escalations are the issues of one repository that carry a label.
//!
//! It speaks the GitHub REST API (version `2022-11-28`) at a configurable base URL (GitHub
//! Enterprise, test servers). Polls are conditional: each page's `ETag` is kept and sent back as
//! `If-None-Match`, so an unchanged poll is a `304` per page, which GitHub does not count against
//! the rate limit, and the cached page is used (`pages.rs`, one reader for every list). Given a
//! store ([`GithubBackend::with_disk_cache`]), the escalations and their timelines are kept in it
//! (`mirror.rs`) and GitHub is asked only what changed since: the poller, the dashboard and
//! `rota stats` read from there.
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
//! shape (`body.rs`), with the label, a severity label and the assignee. What GitHub sends is
//! read in `wire.rs`; an escalation's history is read from its issue's timeline by
//! [`rota_core::history`].
//!
//! It does not retry, sleep or read the keyring: each call is one attempt, failures are
//! [`BackendError`] variants (with the time to come back for rate limits), and the token is
//! handed in.
//!
//! Bounds: every answer is read through [`crate::bounded::read_body`] — a page at most
//! [`MAX_PAGE_BYTES`], an error's explanation at most [`MAX_ERROR_BYTES`], and GitHub's reason
//! shown cut to [`rota_core::redact::MESSAGE_CHARS`] characters; a listing reads at most
//! [`MAX_LISTING_BYTES`] and [`MAX_LISTING_PAGES`] pages within [`LISTING_DEADLINE`], and the
//! answers kept for it are pruned to its last pages. Filing does not list every escalation: the
//! duplicate check reads the newest [`FIND_PAGES`] pages, then asks GitHub's search. A loopback
//! API is reached without a proxy.

mod body;
mod mirror;
mod pages;
mod wire;

pub use body::{issue_body, key_marker, known_refusal};
pub use mirror::{FRESH_FOR, SINCE_MOVES_AFTER};
pub use pages::CACHE_DAYS;

use super::{Backend, BackendError};
use crate::bounded::{self, mib};
use crate::secrets::SecretValue;
use crate::store::Store;
use chrono::{DateTime, Utc};
use pages::{Keep, Kept, Paged, Walk};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, USER_AGENT};
use reqwest::{Method, Url};
use rota_core::escalation::{Escalation, EscalationState, NewEscalation};
use rota_core::history::{self, StateLabels, ENGAGED_COMMENT, REASSIGNED_COMMENT, RESOLVED_COMMENT, TEAM_LABEL};
use rota_core::lifecycle::{self, Action, HistoryEntry, Plan};
use rota_core::redact;
use serde_json::json;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use wire::{escalation, json_body, status_error, transfer_error, Issue, IssueEvent, SearchResult};

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

    /// The labels that mark a state, as the history reads them.
    fn state_labels(&self) -> StateLabels<'_> {
        StateLabels { acknowledged: &self.acknowledged_label, engineering: &self.handed_to_engineering_label }
    }
}

/// What a person can do about a listing that is too long.
const LIST_FIX: &str = "remove the label from old resolved escalations, or give new ones a label of their own (escalations.github.label)";

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

/// The GitHub backend. Cheap to share: one connection pool, one page cache.
pub struct GithubBackend {
    config: GithubConfig,
    http: reqwest::Client,
    api: Url,
    /// The pages of the issues' listings, as last received.
    issues: Kept<Issue>,
    /// The issues' timelines (one page each), as last received.
    timelines: Kept<IssueEvent>,
    /// Where answers are kept between processes, when set.
    disk: Option<Arc<Store>>,
}

impl fmt::Debug for GithubBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GithubBackend").field("config", &self.config).finish_non_exhaustive()
    }
}

fn now() -> DateTime<Utc> {
    crate::clock::system_now()
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

/// Fuzz body: any bytes as an issue's timeline, read into its history. Never panics;
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
    let items: Vec<_> = events.iter().filter_map(IssueEvent::item).collect();
    let history = history::from_timeline(config.state_labels(), &escalation(&config, issue), &items);
    assert_eq!(history.first().map(|h| h.state), Some(EscalationState::Open));
    assert!(history.len() <= events.len() + 1, "one entry at most per item");
}

/// The `github_link` fuzz target's body: a `Link` header; a next page, if named, is a URL in it.
#[doc(hidden)]
pub fn fuzz_link(data: &[u8]) {
    let Ok(value) = std::str::from_utf8(data) else { return };
    if let Some(next) = wire::parse_link_next(value) {
        assert!(value.contains(&next));
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
        Ok(GithubBackend { config, http, api, issues: Kept::default(), timelines: Kept::default(), disk: None })
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

    /// Sends one request (a JSON body, if any) and reads its JSON answer, or its error.
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
            return Err(status_error(response, what, deadline).await);
        }
        let url = response.url().to_string();
        json_body(response, &url, deadline).await
    }

    /// The issues of a list, following `Link: rel="next"` for at most `max_pages` pages, each
    /// page conditional on its ETag ([`pages`]) and kept as `keep` says. A longer list is read
    /// that far (`more`) when `stop`, else refused with the fix named. Pull requests are left out.
    async fn list_pages(&self, first: Url, max_pages: usize, stop: bool, keep: Keep) -> Result<Paged<Issue>, BackendError> {
        let too_large = |pages| {
            BackendError::Failed(format!(
                "the escalations listed from {} passed {} after {pages} pages, more than Rota reads at once; {LIST_FIX}",
                redact::url(&self.config.api),
                mib(MAX_LISTING_BYTES)
            ))
        };
        let too_slow = |pages| {
            BackendError::Transient(format!(
                "listing the escalations took longer than {} s ({pages} pages read); check the network, or make the list shorter: {LIST_FIX}",
                self.config.listing_deadline.as_secs()
            ))
        };
        let past_max = (!stop).then(|| {
            BackendError::Failed(format!(
                "more than {MAX_LISTING_PAGES} pages of escalations ({} issues), more than Rota reads at once; {LIST_FIX}",
                MAX_LISTING_PAGES * 100
            ))
        });
        let walk = Walk { max_pages, past_max, keep, what: None, too_large: &too_large, too_slow: Some(&too_slow) };
        let mut listing = self.get_pages(&self.issues, first.to_string(), walk).await?;
        listing.items.retain(|i| i.pull_request.is_none());
        Ok(listing)
    }

    /// [`Self::list_pages`], read to its end when it has at most `max_pages` pages, else (for
    /// fewer than [`MAX_LISTING_PAGES`]) its first `max_pages`.
    async fn list_issues(&self, first: Url, max_pages: usize) -> Result<Paged<Issue>, BackendError> {
        self.list_pages(first, max_pages, max_pages < MAX_LISTING_PAGES, Keep::EveryPage).await
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
        if let Some(found) = newest.items.into_iter().map(|i| self.escalation(i)).find(has_key) {
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
        self.note_issue(&issue);
        Ok(self.escalation(issue))
    }

    /// The timeline of issue `n`, every page (at most 20), each conditional on its ETag: an
    /// unchanged issue costs one `304` (no rate limit). Like a listing of issues: 50 MiB and
    /// `listing_deadline` for all its pages. Kept as `keep` says.
    async fn issue_events(&self, n: u64, keep: Keep) -> Result<Vec<IssueEvent>, BackendError> {
        let first = self.url(&self.repo_path(&format!("issues/{n}/timeline")), &[("per_page", "100")]).to_string();
        let what = n.to_string();
        let too_large = |pages| {
            BackendError::Failed(format!(
                "the history of escalation {n} passed {} after {pages} pages, more than Rota reads at once",
                mib(MAX_LISTING_BYTES)
            ))
        };
        let past_max =
            BackendError::Failed(format!("GitHub linked to more than 20 pages of events of escalation {n}, more than Rota reads"));
        let walk = Walk {
            max_pages: 20,
            past_max: Some(past_max),
            keep: if keep == Keep::EveryPage { Keep::OnePageList } else { keep },
            what: Some(&what),
            too_large: &too_large,
            too_slow: None,
        };
        Ok(self.get_pages(&self.timelines, first, walk).await?.items)
    }

    async fn add_label(&self, id: &str, label: &str) -> Result<Escalation, BackendError> {
        let n = Self::issue_number(id)?;
        let url = self.url(&self.repo_path(&format!("issues/{n}/labels")), &[]);
        let _: serde_json::Value = self.send_json(Method::POST, url, Some(json!({ "labels": [label] })), id).await?;
        self.get(id).await
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
        Ok(self.list_issues(url, MAX_LISTING_PAGES).await?.items.into_iter().map(|i| self.escalation(i)).collect())
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
        self.note_issue(&issue);
        Ok(self.escalation(issue))
    }

    async fn get(&self, id: &str) -> Result<Escalation, BackendError> {
        let n = Self::issue_number(id)?;
        let url = self.url(&self.repo_path(&format!("issues/{n}")), &[]);
        let issue: Issue = self.send_json(Method::GET, url, None, id).await?;
        if issue.pull_request.is_some() {
            return Err(BackendError::NotFound(id.to_owned()));
        }
        self.note_issue(&issue);
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
        self.note_issue(&issue);
        Ok(self.escalation(issue))
    }

    /// Acknowledge = the acknowledged label; engage = the engineering label and
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
            Action::Reassign { to, .. } => {
                let e = self.update(n, json!({ "assignees": [to.trim()] }), id).await?;
                if let Some(note) = action.note() {
                    self.comment(n, &format!("{REASSIGNED_COMMENT}{note}"), id).await?;
                }
                return Ok(e);
            }
            // GitHub has no one request for both: the assignee first, then the label.
            Action::Take { me } => {
                let e = self.update(n, json!({ "assignees": [me.trim()] }), id).await?;
                if e.state == EscalationState::Open {
                    self.label(n, &[&self.config.acknowledged_label], id).await?;
                }
            }
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
        Ok(self.list_issues(url, MAX_LISTING_PAGES).await?.items.into_iter().map(|i| self.escalation(i)).collect())
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
        let listing = self.list_pages(url, MAX_LISTING_PAGES, true, Keep::EveryPage).await?;
        if listing.more && since.is_some() {
            return Err(BackendError::Failed(format!(
                "more than {} escalations changed since {}, more than Rota reads at once; {LIST_FIX}",
                MAX_LISTING_PAGES * 100,
                since_text.unwrap_or_default()
            )));
        }
        let latest = listing.items.iter().filter_map(|i| i.updated_at).max();
        let next = latest.map(|t| t - SINCE_MARGIN).max(since);
        if since.is_some() && next != since {
            // The answers kept for this `since` are no use to the next listing.
            self.forget_pages(&self.issues, &self.kept_chain(&self.issues, &first), &[]);
        }
        let every = since.is_none() && !listing.more;
        Ok(super::Changed { escalations: listing.items.into_iter().map(|i| self.escalation(i)).collect(), every, since: next })
    }

    async fn history_of(&self, e: &Escalation) -> Result<Vec<HistoryEntry>, BackendError> {
        let n = Self::issue_number(&e.id)?;
        let items: Vec<_> = self.issue_events(n, Keep::OnePageList).await?.iter().filter_map(IssueEvent::item).collect();
        Ok(history::from_timeline(self.config.state_labels(), e, &items))
    }

    /// With a store: from the store's copy, asking GitHub only what changed (`mirror.rs`).
    async fn every_with_history(&self) -> Result<Vec<(Escalation, Vec<HistoryEntry>)>, BackendError> {
        if self.mirrored() {
            return self.mirrored_every_with_history().await;
        }
        super::each_with_history(self).await
    }
}
