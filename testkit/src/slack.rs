//! One fake Slack Web API for every test: a workspace of user groups that answers the two calls
//! Rota makes as Slack does.
//! - `usergroups.users.list` and `usergroups.users.update`, their arguments in the query, a form
//!   body or a JSON body; the token as `Authorization: Bearer …` (or a `token` argument).
//! - Every answer is HTTP 200 with `{"ok": true, …}` or `{"ok": false, "error": "…"}`, as Slack
//!   answers: `not_authed`, `invalid_auth` for a token it does not take, `no_such_subteam`, and any
//!   error set in [`Workspace::fail_with`] (`token_revoked`, `missing_scope`, `permission_denied`,
//!   `paid_only`, …). An update with no users is refused (`no_users_provided`) and counted.
//! - A rate limit: the next [`Workspace::ratelimit`] calls are answered HTTP 429 with
//!   `Retry-After` and `{"ok": false, "error": "ratelimited"}`.
//!
//! Every request is recorded by the server ([`crate::http::Server::requests`]); [`calls`] names
//! them by method.

use crate::http::{Handler, Reply, Request, Response, Server};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The group the tests keep in step.
pub const GROUP: &str = "S0ESCALATE";
/// The only token the fake takes unless a test sets another.
pub const TOKEN: &str = "xoxb-1234-5678-s3cr3tslacktoken";

#[derive(Debug, Clone)]
pub struct Workspace {
    /// Each group's members, by group ID.
    pub groups: BTreeMap<String, Vec<String>>,
    /// The only token taken.
    pub token: String,
    /// Answer every call with this error (HTTP 200, `ok: false`).
    pub fail_with: Option<String>,
    /// Answer the next N calls with HTTP 429 and `Retry-After`.
    pub ratelimit: usize,
    /// The seconds `Retry-After` says.
    pub retry_after: u64,
    /// Each update's users, in the order they came.
    pub updates: Vec<Vec<String>>,
    /// Updates asked with no users (refused, as Slack does).
    pub empty_updates: usize,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace {
            groups: BTreeMap::new(),
            token: TOKEN.into(),
            fail_with: None,
            ratelimit: 0,
            retry_after: 1,
            updates: Vec::new(),
            empty_updates: 0,
        }
    }
}

impl Workspace {
    /// A workspace whose [`GROUP`] holds `members`, shared with [`handler`].
    pub fn with_group(members: &[&str]) -> Arc<Mutex<Workspace>> {
        let mut w = Workspace::default();
        w.groups.insert(GROUP.into(), members.iter().map(|m| m.to_string()).collect());
        Arc::new(Mutex::new(w))
    }

    /// [`GROUP`]'s members, sorted.
    pub fn members(&self) -> Vec<String> {
        let mut m = self.groups.get(GROUP).cloned().unwrap_or_default();
        m.sort();
        m
    }
}

/// The Web API methods called, in order (`usergroups.users.list`, …).
pub fn calls(server: &Server) -> Vec<String> {
    server.requests().iter().map(|(r, _)| r.path().trim_start_matches('/').rsplit('/').next().unwrap_or("").to_owned()).collect()
}

/// A call's arguments: the query, then a form or JSON body.
fn arguments(req: &Request) -> BTreeMap<String, String> {
    let mut args: BTreeMap<String, String> = req.query().into_iter().collect();
    let kind = req.header("content-type").unwrap_or("");
    if kind.starts_with("application/json") {
        if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(&req.body) {
            for (k, v) in o {
                let text = match v {
                    Value::String(s) => s,
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
                    other => other.to_string(),
                };
                args.insert(k, text);
            }
        }
    } else if !req.body.is_empty() {
        let url = reqwest::Url::parse(&format!("http://x/?{}", req.body)).unwrap();
        args.extend(url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())));
    }
    args
}

fn ok(body: Value) -> Reply {
    let mut body = body;
    body["ok"] = json!(true);
    Reply::Send(Response::json(200, &body))
}

fn error(what: &str) -> Reply {
    Reply::Send(Response::json(200, &json!({ "ok": false, "error": what })))
}

/// Serves `workspace`.
pub fn handler(workspace: Arc<Mutex<Workspace>>) -> Handler {
    Arc::new(move |req: &Request, _: &str| answer(&mut workspace.lock().unwrap(), req))
}

/// What `w` answers to `req`.
pub fn answer(w: &mut Workspace, req: &Request) -> Reply {
    if w.ratelimit > 0 {
        w.ratelimit -= 1;
        let body = json!({ "ok": false, "error": "ratelimited" });
        return Reply::Send(Response::json(429, &body).with("retry-after", &w.retry_after.to_string()));
    }
    let args = arguments(req);
    let token = req.header("authorization").and_then(|a| a.strip_prefix("Bearer ")).or(args.get("token").map(String::as_str));
    match token {
        None => return error("not_authed"),
        Some(t) if t != w.token => return error("invalid_auth"),
        Some(_) => {}
    }
    if let Some(e) = &w.fail_with {
        return error(e);
    }
    let method = req.path().trim_start_matches('/').rsplit('/').next().unwrap_or("").to_owned();
    let Some(group) = args.get("usergroup").cloned() else { return error("invalid_arguments") };
    match method.as_str() {
        "usergroups.users.list" => match w.groups.get(&group) {
            Some(users) => ok(json!({ "users": users })),
            None => error("no_such_subteam"),
        },
        "usergroups.users.update" => {
            let users: Vec<String> = args
                .get("users")
                .map(|u| u.split(',').map(str::trim).filter(|u| !u.is_empty()).map(String::from).collect())
                .unwrap_or_default();
            if !w.groups.contains_key(&group) {
                return error("no_such_subteam");
            }
            if users.is_empty() {
                w.empty_updates += 1;
                return error("no_users_provided");
            }
            w.updates.push(users.clone());
            w.groups.insert(group.clone(), users.clone());
            ok(json!({ "usergroup": { "id": group, "handle": "escalation-engineers", "users": users, "user_count": users.len() } }))
        }
        _ => error("unknown_method"),
    }
}

/// The four engineers of [`crate::team::SCHEDULE`] (as [`crate::team::four`] in `Europe/London`
/// for bob), each with a `slack` member ID: ann `UANN`, bob `UBOB`, cy `UCY`, dee `UDEE`.
pub fn people() -> String {
    let mut text = String::new();
    for block in crate::team::four("Europe/London").split("[[person]]\n").filter(|b| !b.trim().is_empty()) {
        let handle = block.lines().find_map(|l| l.strip_prefix("handle = \"")).and_then(|l| l.strip_suffix('"')).unwrap_or("");
        text.push_str(&format!("[[person]]\n{block}slack = \"U{}\"\n\n", handle.to_ascii_uppercase()));
    }
    text
}
