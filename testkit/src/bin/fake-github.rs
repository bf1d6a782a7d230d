//! The kit's fake GitHub as a program, for the end-to-end tests (Python) that run the real app
//! against it: `fake-github [--port N] [--ready-file PATH]` serves `acme/escalations` on
//! 127.0.0.1 (port 0: any free one), then prints its base URL on a line of its own and writes it
//! to PATH. It serves until it is killed.
//!
//! A test steers it and reads what it saw through paths of its own, beside the API:
//! - `POST /_fake/repo` with a JSON object sets the repository's faults and contents, any of:
//!   `token`, `fail_with`, `create_fails_with`, `refuse_assignee` (`[login, reason]`), `issues`
//!   (replacing them all, oldest first); `null` clears a fault.
//! - `GET /_fake/requests`: every API request so far, oldest first, as `{method, path, target,
//!   authorization, if_none_match, body, status, bytes}` (`body` parsed as JSON when it is).
//! - `GET /_fake/issues`: the repository's issues.

use rota_testkit::github::{answer, Repo};
use rota_testkit::http::{Reply, Request, Response, Server};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// An API request, what it was answered and the answer's body length.
type Seen = (Request, u16, usize);

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut port, mut ready) = ("0".to_owned(), None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => port = args.next().expect("--port N"),
            "--ready-file" => ready = Some(args.next().expect("--ready-file PATH")),
            other => {
                eprintln!("fake-github: unknown argument {other}\nusage: fake-github [--port N] [--ready-file PATH]");
                std::process::exit(2);
            }
        }
    }
    let repo = Repo::shared();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let handler = Arc::new(move |req: &Request, base: &str| {
        if let Some(control) = req.path().strip_prefix("/_fake/") {
            return Reply::Send(steer(&repo, &seen, req, control));
        }
        let reply = answer(&mut repo.lock().unwrap(), req, base);
        let (status, bytes) = match &reply {
            Reply::Send(r) => (r.status, r.body.len()),
            _ => (0, 0),
        };
        seen.lock().unwrap().push((req.clone(), status, bytes));
        reply
    });
    let server = Server::start_on_thread_at(&format!("127.0.0.1:{port}"), handler);
    println!("{}", server.base);
    if let Some(path) = ready {
        // Written whole, then renamed: a reader never sees half a URL.
        let part = format!("{path}.part");
        std::fs::write(&part, format!("{}\n", server.base)).expect("the ready file is written");
        std::fs::rename(&part, &path).expect("the ready file is written");
    }
    loop {
        std::thread::park();
    }
}

fn steer(repo: &Mutex<Repo>, seen: &Mutex<Vec<Seen>>, req: &Request, control: &str) -> Response {
    match (req.method.as_str(), control) {
        ("POST", "repo") => {
            let settings = req.json();
            let mut repo = repo.lock().unwrap();
            let status = |v: &Value| v.as_u64().map(|s| s as u16);
            for (key, value) in settings.as_object().into_iter().flatten() {
                match key.as_str() {
                    "token" => repo.token = value.as_str().map(str::to_owned),
                    "fail_with" => repo.fail_with = status(value),
                    "create_fails_with" => repo.create_fails_with = status(value),
                    "refuse_assignee" => {
                        repo.refuse_assignee = value.as_array().map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
                    }
                    "issues" => repo.issues = value.as_array().cloned().unwrap_or_default(),
                    other => return Response::json(400, &json!({ "message": format!("no setting {other}") })),
                }
            }
            Response::json(200, &json!({}))
        }
        ("GET", "requests") => {
            let seen = seen.lock().unwrap();
            let list: Vec<Value> = seen
                .iter()
                .map(|(r, status, bytes)| {
                    json!({
                        "method": r.method, "path": r.path(), "target": r.target,
                        "authorization": r.header("authorization"), "if_none_match": r.header("if-none-match"),
                        "body": serde_json::from_str::<Value>(&r.body).unwrap_or(Value::Null),
                        "status": status, "bytes": bytes,
                    })
                })
                .collect();
            Response::json(200, &Value::Array(list))
        }
        ("GET", "issues") => Response::json(200, &Value::Array(repo.lock().unwrap().issues.clone())),
        _ => Response::json(404, &json!({ "message": "no such control" })),
    }
}
