//! One fake GitHub for every test: a repository of issues (`acme/escalations`) that answers the
//! calls Rota makes as GitHub's REST API does.
//! - Lists (`GET /repos/acme/escalations/issues`): filtered by `state` (open by default), `labels`,
//!   `assignee` and `since` (issues updated at or after it, as GitHub reads it), newest first by
//!   `sort` (`created`, the default, or `updated`; `direction=desc`, the only one Rota asks), in pages
//!   of `per_page` with `Link: rel="next"`, each page with an ETag that is a hash of what it holds,
//!   answered `304` when `If-None-Match` names it. Every change made through the API stamps the
//!   issue's `updated_at` with the fake's clock ([`Repo::minute`]); an issue given without one was
//!   last updated when it was created.
//! - Searches (`GET /search/issues`): the quoted words of `q` found in a body.
//! - Creates, with the title, body, labels and assignees sent; an issue read, labelled, unlabelled,
//!   commented on, closed, reopened and reassigned, each change an event of the issue's timeline
//!   (`GET …/issues/N/timeline`, with its own ETag and `304`).
//! - Faults as GitHub says them: a token it does not take (`401`, "Bad credentials"), every
//!   request failing with one status, a create refused with GitHub's validation body (`422` and its
//!   reason), rate limits (`403`/`429` with `x-ratelimit-remaining: 0` and the reset time), a create
//!   that happened but whose answer never came (stalled or hung up).
//!
//! It can hold many more issues than it stores: `old` issues older than every stored one,
//! generated page by page as they are asked for (never all in memory), each with a body of
//! `old_body_bytes`. And [`recorded`] answers from the responses recorded from the real API in
//! `testkit/fixtures/github/`.

use crate::http::{Handler, Reply, Request, Response};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// Where the fake's issues live.
pub const ISSUES: &str = "/repos/acme/escalations/issues";

#[derive(Default)]
pub struct Repo {
    /// The stored issues, oldest first.
    pub issues: Vec<Value>,
    /// Each issue's timeline, by number: what was done to it, oldest first.
    pub events: BTreeMap<u64, Vec<Value>>,
    /// The only token taken (`Authorization: Bearer TOKEN`); any other is answered `401`.
    pub token: Option<String>,
    /// Answer every request with this status instead (`401` as GitHub says a bad token).
    pub fail_with: Option<u16>,
    /// Answer every create with this status instead.
    pub create_fails_with: Option<u16>,
    /// Answer every create with this instead (a hostile answer: a gigabyte of refusal, say).
    pub create_reply: Option<Arc<dyn Fn() -> Reply + Send + Sync>>,
    /// A create assigned to this login is refused (`422`) with this reason, as GitHub refuses an
    /// assignee who is not a collaborator.
    pub refuse_assignee: Option<(String, String)>,
    /// Record the next N creates, then never answer them.
    pub stall_creates: usize,
    /// Store the next N creates, then hang up without an answer (a lost response).
    pub hang_up_creates: usize,
    pub creates: usize,
    /// Issues older than every stored one, generated as they are listed.
    pub old: usize,
    /// The size of each generated issue's body.
    pub old_body_bytes: usize,
    /// Searches asked (`GET /search/issues`).
    pub searches: usize,
    /// Answer every search with this status instead (403 and 429 as GitHub's rate limit says
    /// them: no requests left, come back in a minute).
    pub search_fails_with: Option<u16>,
    /// Issues changed lately (`updated_at` set), by number: they stand for the stored or
    /// generated issue of that number.
    pub changed: Vec<Value>,
    /// Changes made through the API (creates, labels, comments, edits).
    pub writes: usize,
    /// The login the token belongs to: the actor of every event, the author of every create
    /// ("ann" when empty).
    pub user: String,
    /// GitHub's clock, in minutes after 2024-03-05 12:00 UTC: each change is stamped a minute after
    /// the last (a change of several labels at once, once).
    pub minute: u64,
}

impl Repo {
    pub fn shared() -> Arc<Mutex<Repo>> {
        Arc::default()
    }

    /// A repository holding `issues` (oldest first), to share with [`handler`].
    pub fn holding(issues: Vec<Value>) -> Arc<Mutex<Repo>> {
        Arc::new(Mutex::new(Repo { issues, ..Repo::default() }))
    }

    pub fn titles(&self) -> Vec<String> {
        self.issues.iter().map(|i| i["title"].as_str().unwrap().to_owned()).collect()
    }

    /// Every issue, newest first: the stored ones (newest last in `issues`), then the old ones.
    fn total(&self) -> usize {
        self.issues.len() + self.old
    }

    /// The stored issue numbered `n`.
    fn issue_mut(&mut self, n: u64) -> Option<&mut Value> {
        self.issues.iter_mut().find(|i| i["number"].as_u64() == Some(n))
    }

    fn old_issue(&self, n: usize) -> Value {
        if let Some(c) = self.changed.iter().find(|c| c["number"].as_u64() == Some(n as u64)) {
            return c.clone();
        }
        let at = old_time(self.old - n);
        json!({
            "number": n, "title": format!("Old escalation {n}"), "body": "x".repeat(self.old_body_bytes), "state": "closed",
            "html_url": format!("https://github.com/acme/escalations/issues/{n}"), "labels": [{"name": "escalation"}],
            "assignee": null, "assignees": [], "user": {"login": "sam"}, "created_at": at, "updated_at": at,
        })
    }

    /// An issue as listed: the change that stands for it, if any, and `updated_at` said (its
    /// `created_at` when it was never changed).
    fn as_listed(&self, issue: &Value) -> Value {
        let n = issue["number"].as_u64();
        let mut issue = self.changed.iter().find(|c| c["number"].as_u64() == n).unwrap_or(issue).clone();
        if issue["updated_at"].is_null() {
            issue["updated_at"] = issue["created_at"].clone();
        }
        issue
    }

    /// The page `page` (from 1) of `per_page` issues that `filter` keeps, in its order, whether
    /// another page follows, and the page's ETag (a hash of what it holds).
    fn page(&self, filter: &Filter, page: usize, per_page: usize) -> (Vec<Value>, bool, String) {
        let stored: Vec<u64> = self.issues.iter().filter_map(|i| i["number"].as_u64()).collect();
        // The stored issues newest first, and the changes to generated ones.
        let mut named: Vec<Value> = self.issues.iter().rev().map(|i| self.as_listed(i)).collect();
        let by_update = filter.sort == "updated";
        if by_update {
            named.extend(self.changed.iter().filter(|c| !stored.contains(&c["number"].as_u64().unwrap_or(0))).map(|c| self.as_listed(c)));
            // Newest change first; the same time: the higher number first.
            named.sort_by(|a, b| (b["updated_at"].as_str(), b["number"].as_u64()).cmp(&(a["updated_at"].as_str(), a["number"].as_u64())));
        }
        named.retain(|i| filter.keeps(i));
        // The generated issues are closed escalations assigned to nobody, issue n changed
        // (self.old - n) minutes before 2023: newest first, as far back as `since` reaches.
        let generic = json!({"state": "closed", "labels": [{"name": "escalation"}], "assignees": [], "updated_at": old_time(0)});
        let mut old: Vec<usize> = Vec::new();
        let reach = if filter.keeps(&generic) { filter.old_reach(self.old) } else { 0 };
        let skip: Vec<usize> =
            if by_update { self.changed.iter().filter_map(|c| c["number"].as_u64().map(|n| n as usize)).collect() } else { vec![] };
        let total_old = (0..reach).filter(|age| !skip.contains(&(self.old - age))).count();
        let total = named.len() + total_old;
        let (from, to) = ((page - 1) * per_page, (page * per_page).min(total));
        if to > named.len() {
            // The generated issues this page holds, found past the skipped ones.
            let (first, count) = (from.saturating_sub(named.len()), to - from.max(named.len()));
            let mut age = 0;
            let mut index = 0;
            while old.len() < count && age < reach {
                let n = self.old - age;
                if !skip.contains(&n) {
                    if index >= first {
                        old.push(n);
                    }
                    index += 1;
                }
                age += 1;
            }
        }
        let mut items: Vec<Value> = named.get(from.min(named.len())..to.min(named.len())).unwrap_or_default().to_vec();
        items.extend(old.into_iter().map(|n| self.old_issue(n)));
        let etag = etag_of(&items, to < total);
        (items, to < total, etag)
    }

    fn user(&self) -> &str {
        if self.user.is_empty() {
            "ann"
        } else {
            &self.user
        }
    }

    /// GitHub's time now, `minute` minutes after 2024-03-05 12:00 UTC (within that day).
    fn stamp(&self) -> String {
        format!("2024-03-05T{:02}:{:02}:00Z", 12 + self.minute / 60, self.minute % 60)
    }

    /// Records an event on issue `n`'s timeline, a minute after the last change, by the token's
    /// user.
    pub fn event(&mut self, n: u64, kind: &str, extra: Value) {
        self.minute += 1;
        self.event_at_this_minute(n, kind, extra);
    }

    fn event_at_this_minute(&mut self, n: u64, kind: &str, extra: Value) {
        let mut e = json!({ "event": kind, "actor": { "login": self.user() }, "created_at": self.stamp() });
        e.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
        self.events.entry(n).or_default().push(e);
        self.writes += 1;
        let at = self.stamp();
        if let Some(issue) = self.issue_mut(n) {
            issue["updated_at"] = json!(at);
        }
    }

    /// Changes stored issue `n` as someone else would through the API, a minute after the last
    /// change: `edit` changes its fields, the issue is stamped updated then, and `event` (with
    /// its extra fields) goes on its timeline.
    pub fn change(&mut self, n: u64, event: &str, extra: Value, edit: impl FnOnce(&mut Value)) {
        if let Some(issue) = self.issue_mut(n) {
            edit(issue);
        }
        self.event(n, event, extra);
    }

    /// Creates an issue from GitHub's create body, shaped as GitHub answered a create
    /// (`issue-create.json`, its labels as in `issue-add-labels.json`); the issue.
    fn create(&mut self, body: &Value) -> Value {
        static SHAPES: OnceLock<(Value, Value)> = OnceLock::new();
        let (shape, label_shape) = SHAPES.get_or_init(|| {
            (fixture("issue-create.json")[0]["response"].clone(), fixture("issue-add-labels.json")[0]["response"][0].clone())
        });
        let n = self.total() + 1;
        let assignees: Vec<Value> = body["assignees"].as_array().into_iter().flatten().map(|a| json!({"login": a})).collect();
        let labels: Vec<Value> = body["labels"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                let mut label = label_shape.clone();
                label["name"] = l.clone();
                label
            })
            .collect();
        let mut issue = shape.clone();
        let fields = json!({
            "number": n, "title": body["title"], "body": body["body"], "state": "open",
            "html_url": format!("https://github.com/acme/escalations/issues/{n}"),
            "labels": labels, "assignee": assignees.first().cloned().unwrap_or(Value::Null), "assignees": assignees,
            "user": {"login": self.user()}, "created_at": "2024-03-05T12:00:00Z", "updated_at": self.stamp(),
        });
        issue.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        self.issues.push(issue.clone());
        self.creates += 1;
        self.writes += 1;
        issue
    }
}

/// A year of escalations, as a busy team files them: `total` issues filed a year before the
/// fake's clock (2023-03-06 on), evenly, assigned in turn to ann, bob, cy and dee; the newest
/// `open` still open (every other one acknowledged), the others acknowledged ten minutes after
/// filing and closed an hour after, one in ten engaged with team:search on the way. Each has its
/// timeline, and its `updated_at` is its last event's.
pub fn year_of_escalations(total: usize, open: usize) -> Repo {
    let start = chrono::DateTime::from_timestamp(1_678_060_800, 0).expect("2023-03-06");
    let step = chrono::Duration::days(365) / total.max(1) as i32;
    let stamp = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut repo = Repo::default();
    for n in 1..=total {
        let filed = start + step * (n as i32 - 1);
        let assignee = ["ann", "bob", "cy", "dee"][n % 4];
        let is_open = n > total - open;
        let mut events: Vec<(&str, &str, i64)> = Vec::new();
        if !is_open || n % 2 == 0 {
            events.push(("labeled", "acknowledged", 10));
        }
        if !is_open && n % 10 == 0 {
            events.extend([("labeled", "engineering", 30), ("labeled", "team:search", 30)]);
        }
        if !is_open {
            events.push(("closed", "", 60));
        }
        let labels: Vec<Value> = ["escalation", "sev3"]
            .into_iter()
            .chain(events.iter().filter(|e| e.0 == "labeled").map(|e| e.1))
            .map(|l| json!({ "name": l }))
            .collect();
        let last = events.last().map_or(filed, |e| filed + chrono::Duration::minutes(e.2));
        repo.issues.push(json!({
            "number": n, "title": format!("Escalation {n}"), "body": "Customer: Acme Corp\nReporter: sam\n",
            "state": if is_open { "open" } else { "closed" },
            "html_url": format!("https://github.com/acme/escalations/issues/{n}"), "labels": labels,
            "assignee": { "login": assignee }, "assignees": [{ "login": assignee }], "user": { "login": "sam" },
            "created_at": stamp(filed), "updated_at": stamp(last),
        }));
        let timeline = events
            .iter()
            .map(|(kind, label, after)| {
                let mut e = json!({ "event": kind, "actor": { "login": assignee }, "created_at": stamp(filed + chrono::Duration::minutes(*after)) });
                if !label.is_empty() {
                    e["label"] = json!({ "name": label });
                }
                e
            })
            .collect();
        repo.events.insert(n as u64, timeline);
    }
    repo
}

/// A listing's filters, as GitHub applies them.
struct Filter {
    state: String,
    labels: Vec<String>,
    assignee: Option<String>,
    /// `created` or `updated`.
    sort: String,
    /// Only issues updated at or after this (RFC 3339, as GitHub's `since`).
    since: Option<chrono::DateTime<chrono::Utc>>,
}

impl Filter {
    fn of(req: &Request) -> Filter {
        let query = req.query();
        let get = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        Filter {
            state: get("state").unwrap_or_else(|| "open".into()),
            labels: get("labels").map(|l| l.split(',').map(str::to_owned).collect()).unwrap_or_default(),
            assignee: get("assignee").filter(|a| a != "*"),
            sort: get("sort").unwrap_or_else(|| "created".into()),
            since: get("since").and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok()).map(|t| t.to_utc()),
        }
    }

    /// How many of `old` generated issues `since` keeps (issue `old - age` changed `age`
    /// minutes before 2023): all of them without one.
    fn old_reach(&self, old: usize) -> usize {
        match self.since {
            None => old,
            Some(since) if since > old_base() => 0,
            Some(since) => ((old_base() - since).num_minutes() as usize).saturating_add(1).min(old),
        }
    }

    fn keeps(&self, issue: &Value) -> bool {
        let names = |list: &Value, key: &str| -> Vec<String> {
            list.as_array().into_iter().flatten().filter_map(|x| x[key].as_str().map(str::to_owned)).collect()
        };
        let labels = names(&issue["labels"], "name");
        let assignees = names(&issue["assignees"], "login");
        let updated = issue["updated_at"].as_str().and_then(|u| chrono::DateTime::parse_from_rfc3339(u).ok()).map(|t| t.to_utc());
        (self.state == "all" || issue["state"] == self.state.as_str())
            && self.since.is_none_or(|s| updated.is_some_and(|u| u >= s))
            && self.labels.iter().all(|l| labels.contains(l))
            && self.assignee.as_ref().is_none_or(|a| if a == "none" { assignees.is_empty() } else { assignees.contains(a) })
    }
}

/// 2023-01-01 00:00 UTC: when the newest generated issue was last changed.
fn old_base() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_672_531_200, 0).expect("a fixed time")
}

/// When the generated issue `age` places from the newest was changed: a minute apart.
fn old_time(age: usize) -> String {
    (old_base() - chrono::Duration::minutes(age as i64)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A page's ETag, as GitHub makes one: it changes when what the page holds changes, and only then.
fn etag_of(items: &[Value], more: bool) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for i in items {
        i.to_string().hash(&mut h);
    }
    more.hash(&mut h);
    format!("W/\"{:016x}\"", h.finish())
}

fn send(status: u16, body: &Value) -> Reply {
    Reply::Send(Response::json(status, body))
}

/// `body` with its ETag, or `304` when the client already holds it.
fn conditional(req: &Request, body: &Value, etag: &str) -> Response {
    if req.header("if-none-match") == Some(etag) {
        return Response::not_modified(etag);
    }
    Response::json(200, body).with("etag", etag)
}

/// GitHub's answer to a bad token.
pub fn bad_credentials() -> Response {
    Response::json(401, &json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}))
}

/// GitHub's `422` for an assignee it will not take, with its reason.
pub fn validation_failed(reason: &str) -> Response {
    Response::json(
        422,
        &json!({
            "message": "Validation Failed",
            "errors": [{ "resource": "Issue", "code": "custom", "field": "assignees", "message": reason }],
            "documentation_url": "https://docs.github.com/rest/issues/issues#create-an-issue"
        }),
    )
}

/// A rate limit as GitHub says it: `status` (403 or 429), no requests left, a reset in a minute.
pub fn rate_limited(status: u16, message: &str) -> Response {
    let reset = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 60;
    Response::json(status, &json!({ "message": message })).with("x-ratelimit-remaining", "0").with("x-ratelimit-reset", &reset.to_string())
}

/// Serves `repo` as `acme/escalations`.
pub fn handler(repo: Arc<Mutex<Repo>>) -> Handler {
    Arc::new(move |req: &Request, base: &str| answer(&mut repo.lock().unwrap(), req, base))
}

/// What `repo` answers to `req` (the server at `base`).
pub fn answer(repo: &mut Repo, req: &Request, base: &str) -> Reply {
    if let Some(token) = &repo.token {
        if req.header("authorization") != Some(format!("Bearer {token}").as_str()) {
            return Reply::Send(bad_credentials());
        }
    }
    match repo.fail_with {
        Some(401) => return Reply::Send(bad_credentials()),
        Some(status) => return send(status, &json!({"message": "Server Error"})),
        None => {}
    }
    if req.method == "GET" && req.path() == "/search/issues" {
        return search(repo, req);
    }
    let Some(path) = req.path().strip_prefix(ISSUES) else { return send(404, &json!({"message": "Not Found"})) };
    let mut parts = path.trim_start_matches('/').splitn(3, '/');
    let (number, what, rest) = (parts.next().unwrap_or(""), parts.next(), parts.next());
    if number.is_empty() {
        return match req.method.as_str() {
            "GET" => list(repo, req, base),
            "POST" => create(repo, req),
            _ => send(404, &json!({"message": "Not Found"})),
        };
    }
    let Some(n) = number.parse::<u64>().ok().filter(|n| *n >= 1 && *n as usize <= repo.total()) else {
        return send(404, &json!({"message": "Not Found"}));
    };
    match (req.method.as_str(), what, rest) {
        ("GET", Some("timeline"), None) => {
            let events = Value::Array(repo.events.get(&n).cloned().unwrap_or_default());
            let etag = format!("\"t{n}-{}\"", events.as_array().unwrap().len());
            Reply::Send(conditional(req, &events, &etag))
        }
        (method, what, rest) => {
            let Some(issue) = repo.issue_mut(n) else {
                // A generated old issue: read only.
                return if method == "GET" && what.is_none() {
                    send(200, &repo.old_issue(n as usize))
                } else {
                    send(404, &json!({"message": "Not Found"}))
                };
            };
            match (method, what, rest) {
                ("GET", None, None) => send(200, &issue.clone()),
                ("POST", Some("labels"), None) => {
                    let mut added = vec![];
                    for l in req.json()["labels"].as_array().cloned().unwrap_or_default() {
                        let labels = issue["labels"].as_array_mut().unwrap();
                        if !labels.iter().any(|have| have["name"] == l) {
                            labels.push(json!({ "name": l }));
                            added.push(l);
                        }
                    }
                    let labels = issue["labels"].clone();
                    // Labels added in one request are stamped with the same time, as GitHub does.
                    if !added.is_empty() {
                        repo.minute += 1;
                    }
                    for l in added {
                        repo.event_at_this_minute(n, "labeled", json!({ "label": { "name": l } }));
                    }
                    send(200, &labels)
                }
                ("DELETE", Some("labels"), Some(name)) => {
                    let name = name.replace("%3A", ":");
                    issue["labels"].as_array_mut().unwrap().retain(|l| l["name"] != name.as_str());
                    let labels = issue["labels"].clone();
                    repo.event(n, "unlabeled", json!({ "label": { "name": name } }));
                    send(200, &labels)
                }
                ("POST", Some("comments"), None) => {
                    let body = req.json()["body"].clone();
                    repo.event(n, "commented", json!({ "body": body }));
                    send(201, &json!({ "id": repo.writes, "body": body }))
                }
                ("PATCH", None, None) => {
                    let body = req.json();
                    let mut events = vec![];
                    if let Some(state) = body["state"].as_str() {
                        issue["state"] = json!(state);
                        events.push((if state == "closed" { "closed" } else { "reopened" }, json!({})));
                    }
                    if let Some(to) = body["assignees"].as_array() {
                        let users: Vec<Value> = to.iter().map(|a| json!({ "login": a })).collect();
                        issue["assignee"] = users.first().cloned().unwrap_or(Value::Null);
                        issue["assignees"] = json!(users);
                        if let Some(first) = to.first() {
                            events.push(("assigned", json!({ "assignee": { "login": first } })));
                        }
                    }
                    let issue = issue.clone();
                    for (kind, extra) in events {
                        repo.event(n, kind, extra);
                    }
                    send(200, &issue)
                }
                _ => send(404, &json!({"message": "Not Found"})),
            }
        }
    }
}

fn search(repo: &mut Repo, req: &Request) -> Reply {
    repo.searches += 1;
    if let Some(status) = repo.search_fails_with {
        return Reply::Send(if status == 403 || status == 429 {
            rate_limited(status, "Search is unavailable")
        } else {
            Response::json(status, &json!({"message": "Search is unavailable"}))
        });
    }
    let q = req.query().into_iter().find(|(k, _)| k == "q").map(|(_, v)| v).unwrap_or_default();
    let words: Vec<&str> = q.split('"').skip(1).step_by(2).filter(|w| *w != "escalation").collect();
    let items: Vec<Value> =
        repo.issues.iter().rev().filter(|i| words.iter().all(|w| i["body"].as_str().unwrap_or_default().contains(w))).cloned().collect();
    send(200, &json!({ "total_count": items.len(), "incomplete_results": false, "items": items }))
}

fn list(repo: &Repo, req: &Request, base: &str) -> Reply {
    let query = req.query();
    let param = |name: &str| query.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<usize>().ok());
    let (page, per_page) = (param("page").unwrap_or(1).max(1), param("per_page").unwrap_or(30).clamp(1, 100));
    let (items, more, etag) = repo.page(&Filter::of(req), page, per_page);
    let mut resp = conditional(req, &Value::Array(items), &etag);
    if more && resp.status == 200 {
        let mut next: Vec<(String, String)> = query.into_iter().filter(|(k, _)| k != "page").collect();
        next.push(("page".into(), (page + 1).to_string()));
        let q: Vec<String> = next.iter().map(|(k, v)| format!("{k}={v}")).collect();
        resp = resp.with("link", &format!("<{base}{ISSUES}?{}>; rel=\"next\"", q.join("&")));
    }
    Reply::Send(resp)
}

fn create(repo: &mut Repo, req: &Request) -> Reply {
    if let Some(status) = repo.create_fails_with {
        return send(status, &json!({"message": "Server Error"}));
    }
    if let Some(reply) = &repo.create_reply {
        return reply();
    }
    let body = req.json();
    if let Some((login, reason)) = &repo.refuse_assignee {
        if body["assignees"].as_array().into_iter().flatten().any(|a| a == login.as_str()) {
            return Reply::Send(validation_failed(reason));
        }
    }
    let issue = repo.create(&body);
    if repo.stall_creates > 0 {
        repo.stall_creates -= 1;
        return Reply::Stall;
    }
    if repo.hang_up_creates > 0 {
        repo.hang_up_creates -= 1;
        return Reply::Hangup;
    }
    send(201, &issue)
}

// ---------------------------------------------------------------------------------------------
// The responses recorded from the real API
// ---------------------------------------------------------------------------------------------

/// The folder of recorded responses: `testkit/fixtures/github`, or `ROTA_GITHUB_FIXTURES`.
pub fn fixtures() -> PathBuf {
    std::env::var_os("ROTA_GITHUB_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/github"))
}

/// A recorded file, read as JSON.
pub fn fixture(name: &str) -> Value {
    let path = fixtures().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A recorded response as the server sends it: its status, headers (pointing at this server
/// instead of api.github.com) and body.
pub fn replay(entry: &Value, base: &str) -> Response {
    let mut resp = Response::json(entry["status"].as_u64().unwrap() as u16, &entry["response"]);
    resp.headers.clear();
    for (k, v) in entry["headers"].as_object().unwrap() {
        if k == "content-length" || k == "transfer-encoding" || k == "connection" {
            continue;
        }
        let v = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(), // x-ratelimit-used is a number in the recordings
        };
        resp.headers.push((k.clone(), v.replace("https://api.github.com", base)));
    }
    resp
}

/// Answers from the recorded exchanges in the fixture `name` (a list of `{path, status, headers,
/// response}`): the first for the issue list, the others by their path, each honouring
/// `If-None-Match` with its recorded ETag as GitHub does. `edit` may change a response's body
/// before it is sent (the recorded exchange and the body).
pub fn recorded(name: &str, edit: fn(&Value, &mut Value)) -> Handler {
    let entries = fixture(name);
    Arc::new(move |req: &Request, base: &str| {
        let entries = entries.as_array().unwrap();
        let entry = if req.path() == ISSUES {
            &entries[0]
        } else {
            match entries.iter().find(|e| e["path"] == req.target.as_str()) {
                Some(e) => e,
                None => return send(404, &json!({"message": "Not Found"})),
            }
        };
        let mut resp = replay(entry, base);
        let etag = entry["headers"]["etag"].as_str().unwrap_or_default();
        if req.header("if-none-match") == Some(etag) {
            resp.status = 304;
            resp.body.clear();
            return Reply::Send(resp);
        }
        let mut body = entry["response"].clone();
        edit(entry, &mut body);
        resp.body = body.to_string();
        Reply::Send(resp)
    })
}
