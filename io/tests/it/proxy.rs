//! With `HTTP_PROXY` (and `http_proxy`, `ALL_PROXY`) set, the GitHub backend sent a
//! loopback `http` API's requests, the bearer token in clear text, to the proxy; so did a
//! loopback Slack webhook and schedule URL. Every client now reaches a loopback address
//! directly, and still uses the proxy for other hosts.
//!
//! The proxy variables are the process's own: the test runs alone in a process of its own
//! (`rota_testkit::alone`), where it sets them before any client is built.

use rota_io::escalations::github::{GithubBackend, GithubConfig};
use rota_io::escalations::Backend;
use rota_io::secrets::SecretValue;
use rota_io::slack::Announcer;
use rota_io::sources::{Kind, Reader, Source};
use rota_testkit::http::{Reply, Request, Response, Server};
use serde_json::json;
use std::sync::Arc;

const TOKEN: &str = "ghp_PROXYTESTdo_not_leak_0123456789";

#[tokio::test]
async fn loopback_apis_are_reached_directly_whatever_the_proxy_variables_say() {
    if !rota_testkit::alone::in_own_process("proxy::loopback_apis_are_reached_directly_whatever_the_proxy_variables_say") {
        return;
    }
    // The proxy: records what reaches it, answers 502.
    let proxy = Server::start(Arc::new(|_: &Request, _: &str| Reply::Send(Response::json(502, &json!({}))))).await;
    for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"] {
        std::env::set_var(var, &proxy.base);
    }
    for var in ["NO_PROXY", "no_proxy"] {
        std::env::remove_var(var);
    }
    // The loopback services: GitHub, a Slack webhook, a schedule.
    let api = Server::start(Arc::new(|req: &Request, _: &str| match req.path() {
        "/rota.md" => Reply::Send(Response { status: 200, headers: vec![], body: "| Rotation | Engineers |\n| --- | --- |\n".into() }),
        "/hook" => Reply::Send(Response { status: 200, headers: vec![], body: "ok".into() }),
        _ => Reply::Send(Response::json(200, &json!([]))),
    }))
    .await;

    let github = GithubBackend::new(GithubConfig::new(&api.base, "acme/escalations", "ann").unwrap(), &SecretValue::new(TOKEN)).unwrap();
    assert_eq!(github.list_open(None).await.unwrap(), vec![]);
    let announcer = Announcer::new(&SecretValue::new(format!("{}/hook", api.base)), None).unwrap();
    let e = rota_core::escalation::Escalation {
        id: "1".into(),
        title: "Search is down".into(),
        customer: None,
        severity: rota_core::escalation::Severity::Sev2,
        url: None,
        page: None,
        details: String::new(),
        reporter: None,
        assignee: None,
        state: rota_core::escalation::EscalationState::Open,
        created_at: chrono::Utc::now(),
        client_key: None,
        team: None,
    };
    announcer.announce(&e).await.unwrap();
    let today = chrono::Utc::now().date_naive();
    let reader = Reader::new(None);
    reader.read(&Source::Url(format!("{}/rota.md", api.base)), Kind::Schedule, today).await.unwrap();

    assert!(proxy.requests().is_empty(), "the proxy got {:?}", proxy.requests().iter().map(|(r, _)| &r.target).collect::<Vec<_>>());
    let reached: Vec<String> = api.requests().iter().map(|(r, _)| r.path().to_owned()).collect();
    assert_eq!(reached, ["/repos/acme/escalations/issues", "/hook", "/rota.md"]);
    assert_eq!(api.requests()[0].0.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));

    // Elsewhere, the proxy is still used (here it answers 502).
    let elsewhere = reader.read(&Source::Url("http://rota-proxy-test.example/rota.md".into()), Kind::Schedule, today).await;
    assert!(elsewhere.is_err());
    let through: Vec<String> = proxy.requests().iter().map(|(r, _)| r.target.clone()).collect();
    assert_eq!(through, ["http://rota-proxy-test.example/rota.md"]);
}
