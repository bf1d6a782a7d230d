//! An escalation's life on the GitHub backend, against a scripted repository on the
//! loopback server: the requests each action makes (labels, comments, close as completed,
//! reopen, assignees), that an action whose effect is there sends nothing, the history read from
//! the issue's timeline (its events and Rota's comments, for the notes), and that refreshing an unchanged repository costs only `304`s.

use chrono::{DateTime, TimeZone, Utc};
use rota_core::escalation::EscalationState;
use rota_core::lifecycle::{Action, HistoryEntry};
use rota_io::escalations::github::{GithubBackend, GithubConfig};
use rota_io::escalations::{Backend, BackendError};
use rota_io::secrets::SecretValue;
use serde_json::json;
use std::sync::{Arc, Mutex};

use rota_testkit::github::{handler, Repo};
use rota_testkit::http::Server;

const ME: &str = "keegancsmith";

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

fn stamp(minute: i64) -> String {
    at(minute).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The kit's fake GitHub holding escalation #1, "Search is down", in `state` with `body`, filed by sam
/// for ME; its changes made by ME, each a minute after the last.
fn repo(state: &str, body: &str) -> Arc<Mutex<Repo>> {
    let issue = json!({
        "number": 1, "title": "Search is down", "state": state, "body": body,
        "html_url": "https://github.com/acme/escalations/issues/1",
        "labels": [{ "name": "escalation" }], "assignee": { "login": ME }, "assignees": [{ "login": ME }],
        "user": { "login": "sam" }, "created_at": stamp(0),
    });
    let repo = Repo::holding(vec![issue]);
    repo.lock().unwrap().user = ME.into();
    repo
}

fn writes(server: &Server, from: usize) -> Vec<String> {
    server.requests()[from..]
        .iter()
        .filter(|(r, _)| r.method != "GET")
        .map(|(r, _)| format!("{} {} {}", r.method, r.path().trim_start_matches("/repos/acme/escalations/issues"), r.body))
        .collect()
}

#[tokio::test]
async fn each_action_is_its_github_request_and_taking_it_again_sends_nothing() {
    use EscalationState::*;
    let server = Server::start(handler(repo("open", "Reporter: sam\n"))).await;
    let config = GithubConfig::new(&server.base, "acme/escalations", ME).unwrap();
    let backend = GithubBackend::new(config, &SecretValue::new("t")).unwrap();
    let now = at(100); // GitHub stamps its own time; ours is ignored

    let mark = server.requests().len();
    assert_eq!(backend.act("1", &Action::Acknowledge, Some(ME), now).await.unwrap().state, Acknowledged);
    assert_eq!(writes(&server, mark), [r#"POST /1/labels {"labels":["acknowledged"]}"#]);

    let mark = server.requests().len();
    assert_eq!(backend.act("1", &Action::Acknowledge, Some(ME), now).await.unwrap().state, Acknowledged);
    assert_eq!(writes(&server, mark), Vec::<String>::new(), "acknowledged already: nothing sent");

    let mark = server.requests().len();
    let engage = Action::Engage { team: "search".into(), url: Some("https://eng.example.com/SRCH-1".into()) };
    let e = backend.act("1", &engage, Some(ME), now).await.unwrap();
    assert_eq!((e.state, e.team.as_deref()), (HandedToEngineering, Some("search")));
    assert_eq!(
        writes(&server, mark),
        [
            r#"POST /1/labels {"labels":["engineering","team:search"]}"#,
            r#"POST /1/comments {"body":"Engineering engaged: search\n\nhttps://eng.example.com/SRCH-1"}"#,
        ]
    );
    let mark = server.requests().len();
    backend.act("1", &engage, Some(ME), now).await.unwrap();
    assert_eq!(writes(&server, mark), Vec::<String>::new(), "the same team again: nothing sent");

    let mark = server.requests().len();
    let e = backend.act("1", &Action::Engage { team: "billing".into(), url: None }, Some(ME), now).await.unwrap();
    assert_eq!(e.team.as_deref(), Some("billing"));
    assert_eq!(
        writes(&server, mark),
        [
            "DELETE /1/labels/team:search ",
            r#"POST /1/labels {"labels":["engineering","team:billing"]}"#,
            r#"POST /1/comments {"body":"Engineering engaged: billing"}"#,
        ]
    );

    let mark = server.requests().len();
    let e = backend.act("1", &Action::Reassign { to: "bob".into(), note: None }, Some(ME), now).await.unwrap();
    assert_eq!(e.assignee.as_deref(), Some("bob"));
    assert_eq!(writes(&server, mark), [r#"PATCH /1 {"assignees":["bob"]}"#]);

    let mark = server.requests().len();
    let e = backend.act("1", &Action::Resolve { note: Some("reindexed".into()) }, Some(ME), now).await.unwrap();
    assert_eq!(e.state, Resolved);
    assert_eq!(
        writes(&server, mark),
        [r#"POST /1/comments {"body":"Resolved: reindexed"}"#, r#"PATCH /1 {"state":"closed","state_reason":"completed"}"#]
    );
    let refused = backend.act("1", &Action::Acknowledge, Some(ME), now).await.unwrap_err();
    assert!(matches!(&refused, BackendError::Invalid(m) if m.contains("reopen it first")), "{refused:?}");

    let mark = server.requests().len();
    assert_eq!(backend.act("1", &Action::Reopen, Some(ME), now).await.unwrap().state, Open);
    assert_eq!(
        writes(&server, mark),
        [r#"PATCH /1 {"state":"open","state_reason":"reopened"}"#, "DELETE /1/labels/acknowledged ", "DELETE /1/labels/engineering "]
    );
    assert_eq!(backend.act("1", &Action::Reopen, Some(ME), now).await.unwrap().state, Open);
    backend.act("1", &Action::Resolve { note: None }, Some(ME), now).await.unwrap();

    // The history, from the events: who (GitHub's actor) and when (GitHub's time).
    let all = backend.list_every().await.unwrap();
    assert_eq!(all.len(), 1, "closed ones are listed too");
    let h = |m, state, team: Option<&str>, assignee: Option<&str>| HistoryEntry {
        state,
        by: Some(ME.into()),
        at: at(m),
        note: None,
        team: team.map(Into::into),
        assignee: assignee.map(Into::into),
    };
    let noted = |entry: HistoryEntry, note: &str| HistoryEntry { note: Some(note.into()), ..entry };
    let history = backend.history_of(&all[0]).await.unwrap();
    assert_eq!(
        history,
        [
            HistoryEntry { by: Some("sam".into()), ..h(0, Open, None, None) },
            h(1, Acknowledged, None, None),
            noted(h(2, HandedToEngineering, Some("search"), None), "https://eng.example.com/SRCH-1"),
            h(5, HandedToEngineering, Some("billing"), None),
            h(7, HandedToEngineering, None, Some("bob")),
            noted(h(9, Resolved, None, None), "reindexed"),
            h(10, Open, None, None),
            h(13, Resolved, None, None),
        ],
        "the notes are read back from the comments: the link after the labels, the note before the close"
    );

    // A refresh of the unchanged repository: the list and the events answer 304, no rate limit.
    let mark = server.requests().len();
    let again = backend.list_every().await.unwrap();
    assert_eq!(backend.history_of(&again[0]).await.unwrap(), history);
    let refreshed: Vec<u16> = server.requests()[mark..].iter().map(|(_, s)| *s).collect();
    assert_eq!(refreshed, [304, 304], "one conditional request each, both not modified");
}

/// A stats refresh from another process (`rota stats` again, the dashboard) asks with
/// the ETags the last one kept in the database, so an unchanged repository costs only `304`s.
#[tokio::test]
async fn a_second_process_refreshes_an_unchanged_repository_with_304s_only() {
    use rota_io::store::Store;
    let repo = repo("closed", "");
    repo.lock().unwrap().event(1, "labeled", json!({ "label": { "name": "acknowledged" } }));
    repo.lock().unwrap().event(1, "closed", json!({}));
    let server = Server::start(handler(repo)).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("escalations.sqlite3");
    let process = || {
        let config = GithubConfig::new(&server.base, "acme/escalations", ME).unwrap();
        GithubBackend::new(config, &SecretValue::new("t")).unwrap().with_disk_cache(Arc::new(Store::open(&db).unwrap()))
    };
    let refresh = |backend: GithubBackend| async move {
        let every = backend.list_every().await.unwrap();
        let mut out = vec![];
        for e in &every {
            out.push((e.clone(), backend.history_of(e).await.unwrap()));
        }
        out
    };
    let first = refresh(process()).await;
    assert_eq!(server.statuses(), [200, 200]);
    assert_eq!(
        first[0].1.iter().map(|h| h.state).collect::<Vec<_>>(),
        [EscalationState::Open, EscalationState::Acknowledged, EscalationState::Resolved]
    );

    let second = refresh(process()).await;
    assert_eq!(second, first, "the same figures");
    assert_eq!(server.statuses(), [200, 200, 304, 304], "the second process: conditional, not modified");
    for (req, _) in &server.requests()[2..] {
        assert!(req.header("if-none-match").is_some(), "{} asked with the kept ETag", req.target);
    }
}
