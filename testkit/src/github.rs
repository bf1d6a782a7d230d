//! A repository of issues as a GitHub test server keeps it: lists (every issue, newest first, in
//! pages of `per_page` with `Link: rel="next"` and an ETag per page, answering `If-None-Match`
//! with a `304`), searches (`GET /search/issues`, the quoted words of `q` found in a body),
//! creates (with the body, labels and assignees sent) and can be told to fail or to stall a
//! create after recording it (a create that timed out on the client but happened).
//!
//! For issue 25 it can hold many more issues than it stores: `old` issues older than every stored
//! one, generated page by page as they are asked for (never all in memory), each with a body of
//! `old_body_bytes`.
#![allow(dead_code)]

use super::http::{Handler, Reply, Request, Response};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct Repo {
    pub issues: Vec<Value>,
    /// Answer every request with this status instead.
    pub fail_with: Option<u16>,
    /// Record the next N creates, then never answer them.
    pub stall_creates: usize,
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
    /// generated issue of that number, and a listing with `since` lists these only.
    pub changed: Vec<Value>,
}

impl Repo {
    pub fn shared() -> Arc<Mutex<Repo>> {
        Arc::default()
    }

    pub fn titles(&self) -> Vec<String> {
        self.issues.iter().map(|i| i["title"].as_str().unwrap().to_owned()).collect()
    }

    /// Every issue, newest first: the stored ones (newest last in `issues`), then the old ones.
    fn total(&self) -> usize {
        self.issues.len() + self.old
    }

    /// The `i`th issue, newest first.
    fn nth_newest(&self, i: usize) -> Value {
        let n = self.total() - i;
        if let Some(c) = self.changed.iter().find(|c| c["number"].as_u64() == Some(n as u64)) {
            return c.clone();
        }
        self.nth_stored_or_old(i)
    }

    fn nth_stored_or_old(&self, i: usize) -> Value {
        if i < self.issues.len() {
            return self.issues[self.issues.len() - 1 - i].clone();
        }
        // Old issue number n (1 = the oldest).
        let n = self.total() - i;
        json!({
            "number": n, "title": format!("Old escalation {n}"), "body": "x".repeat(self.old_body_bytes), "state": "closed",
            "html_url": format!("https://github.com/acme/escalations/issues/{n}"), "labels": [{"name": "escalation"}],
            "assignee": null, "assignees": [], "user": {"login": "sam"}, "created_at": "2023-01-01T00:00:00Z", "updated_at": "2023-01-01T00:00:00Z",
        })
    }

    /// The page `page` (from 1) of `per_page` issues, newest first, and its ETag (it changes with
    /// what the page holds).
    fn page(&self, page: usize, per_page: usize) -> (Vec<Value>, String) {
        let from = (page - 1) * per_page;
        let to = (from + per_page).min(self.total());
        let items: Vec<Value> = (from..to.max(from)).map(|i| self.nth_newest(i)).collect();
        let etag = format!("W/\"p{page}-{}-{}-{}\"", self.total(), self.issues.len(), self.old_body_bytes);
        (items, etag)
    }
}

/// Serves `repo` as `acme/escalations`.
pub fn handler(repo: Arc<Mutex<Repo>>) -> Handler {
    Arc::new(move |req: &Request, base: &str| {
        let mut repo = repo.lock().unwrap();
        if let Some(status) = repo.fail_with {
            return Reply::Send(Response::json(status, &json!({"message": "Server Error"})));
        }
        let reply = |status, body: &Value| Reply::Send(Response::json(status, body));
        if req.method == "GET" && req.path() == "/search/issues" {
            repo.searches += 1;
            if let Some(status) = repo.search_fails_with {
                let mut r = Response::json(status, &json!({"message": "Search is unavailable"}));
                if status == 403 || status == 429 {
                    let reset = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 60;
                    r = r.with("x-ratelimit-remaining", "0").with("x-ratelimit-reset", &reset.to_string());
                }
                return Reply::Send(r);
            }
            let q = req.query().into_iter().find(|(k, _)| k == "q").map(|(_, v)| v).unwrap_or_default();
            let words: Vec<&str> = q.split('"').skip(1).step_by(2).filter(|w| *w != "escalation").collect();
            let items: Vec<Value> = repo
                .issues
                .iter()
                .rev()
                .filter(|i| words.iter().all(|w| i["body"].as_str().unwrap_or_default().contains(w)))
                .cloned()
                .collect();
            return reply(200, &json!({ "total_count": items.len(), "incomplete_results": false, "items": items }));
        }
        let path = req.path().trim_start_matches("/repos/acme/escalations/issues");
        match (req.method.as_str(), path) {
            ("GET", "") => {
                let query = req.query();
                let param = |name: &str| query.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<usize>().ok());
                let (page, per_page) = (param("page").unwrap_or(1).max(1), param("per_page").unwrap_or(30).clamp(1, 100));
                let since = query.iter().find(|(k, _)| k == "since").map(|(_, v)| v.clone());
                let (items, etag) = match &since {
                    // Changed since: the changed issues only (one page in these tests).
                    Some(since) => {
                        let items: Vec<Value> = repo
                            .changed
                            .iter()
                            .filter(|c| c["updated_at"].as_str().is_some_and(|u| u >= since.as_str()))
                            .cloned()
                            .collect();
                        let etag = format!("W/\"since-{since}-{}\"", items.len());
                        (items, etag)
                    }
                    None => repo.page(page, per_page),
                };
                if req.header("if-none-match") == Some(etag.as_str()) {
                    let mut r = Response::json(304, &json!(null)).with("etag", &etag);
                    r.body.clear();
                    return Reply::Send(r);
                }
                let mut resp = Response::json(200, &Value::Array(items)).with("etag", &etag);
                if since.is_none() && page * per_page < repo.total() {
                    let mut next: Vec<(String, String)> = query.into_iter().filter(|(k, _)| k != "page").collect();
                    next.push(("page".into(), (page + 1).to_string()));
                    let q: Vec<String> = next.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    resp = resp.with("link", &format!("<{base}/repos/acme/escalations/issues?{}>; rel=\"next\"", q.join("&")));
                }
                Reply::Send(resp)
            }
            ("POST", "") => {
                let body = req.json();
                let n = repo.total() + 1;
                let assignees: Vec<Value> = body["assignees"].as_array().unwrap().iter().map(|a| json!({"login": a})).collect();
                let issue = json!({
                    "number": n, "title": body["title"], "body": body["body"], "state": "open",
                    "html_url": format!("https://github.com/acme/escalations/issues/{n}"),
                    "labels": body["labels"].as_array().unwrap().iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
                    "assignee": assignees.first().cloned().unwrap_or(Value::Null), "assignees": assignees,
                    "user": {"login": "ann"}, "created_at": "2024-03-05T12:00:00Z",
                });
                repo.issues.push(issue.clone());
                repo.creates += 1;
                if repo.stall_creates > 0 {
                    repo.stall_creates -= 1;
                    return Reply::Stall;
                }
                reply(201, &issue)
            }
            // An issue's timeline (issue 15): none recorded here.
            ("GET", p)
                if p.strip_prefix('/')
                    .and_then(|p| p.strip_suffix("/timeline"))
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| n >= 1 && n <= repo.total()) =>
            {
                reply(200, &json!([]))
            }
            _ => reply(404, &json!({"message": "Not Found"})),
        }
    })
}
