//! A repository of issues as a GitHub test server keeps it: lists (every issue, newest first),
//! creates (with the body, labels and assignees sent) and can be told to fail or to stall a
//! create after recording it (a create that timed out on the client but happened).
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
}

impl Repo {
    pub fn shared() -> Arc<Mutex<Repo>> {
        Arc::default()
    }

    pub fn titles(&self) -> Vec<String> {
        self.issues.iter().map(|i| i["title"].as_str().unwrap().to_owned()).collect()
    }
}

/// Serves `repo` as `acme/escalations`.
pub fn handler(repo: Arc<Mutex<Repo>>) -> Handler {
    Arc::new(move |req: &Request, _: &str| {
        let mut repo = repo.lock().unwrap();
        if let Some(status) = repo.fail_with {
            return Reply::Send(Response::json(status, &json!({"message": "Server Error"})));
        }
        let path = req.path().trim_start_matches("/repos/acme/escalations/issues");
        let reply = |status, body: &Value| Reply::Send(Response::json(status, body));
        match (req.method.as_str(), path) {
            ("GET", "") => reply(200, &Value::Array(repo.issues.iter().rev().cloned().collect())),
            ("POST", "") => {
                let body = req.json();
                let n = repo.issues.len() + 1;
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
                    .is_some_and(|n| n >= 1 && n <= repo.issues.len()) =>
            {
                reply(200, &json!([]))
            }
            _ => reply(404, &json!({"message": "Not Found"})),
        }
    })
}
