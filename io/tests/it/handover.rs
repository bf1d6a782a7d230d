//! The hand-over carried out (`rota_io::acting::hand_over`) on both backends: the local one, a
//! real SQLite file, and GitHub, the kit's loopback fake, which sees one assignee change and one
//! comment per move. The plan is the core's, made from the backend's own open list; once carried
//! out, a second plan moves nothing and the old moves again write nothing.

use chrono::{DateTime, TimeZone, Utc};
use rota_core::escalation::{EscalationState, NewEscalation, Severity};
use rota_core::handover::{self, Plan};
use rota_core::{parse_roster, parse_toml_schedule, Roster, Schedule, Timing};
use rota_io::acting::{self, Acting};
use rota_io::escalations::github::{GithubBackend, GithubConfig};
use rota_io::escalations::local::LocalStore;
use rota_io::escalations::{AnyBackend, Backend};
use rota_io::secrets::SecretValue;
use rota_testkit::github::{handler, Repo};
use rota_testkit::http::Server;
use serde_json::json;

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

/// A (ann, bo) to Tue 5 March, then B (bo, kat) from Wed 6 March; hand-off 00:00 UTC. At the
/// hand-off Kat (Kathmandu, 05:45) and Bo (London, 00:00) are both asleep: Kat's day starts first.
fn inputs() -> (Schedule, Roster, Timing) {
    let s = parse_toml_schedule(
        "schedule.toml",
        "[[rotation]]\nstart = 2024-03-01\nend = 2024-03-05\nengineers = [\"ann\", \"bo\"]\n\n[[rotation]]\nstart = 2024-03-06\nend = 2024-04-10\nengineers = [\"bo\", \"kat\"]\n",
    );
    let r = parse_roster("people.toml", "[[person]]\nhandle = \"ann\"\ntimezone = \"Europe/Berlin\"\n\n[[person]]\nhandle = \"bo\"\ntimezone = \"Europe/London\"\n\n[[person]]\nhandle = \"kat\"\ntimezone = \"Asia/Kathmandu\"\n");
    (s.value, r.value, Timing { timezone: chrono_tz::UTC, handoff: 0 })
}

async fn planned(backend: &AnyBackend) -> Plan {
    let (s, r, t) = inputs();
    let open = backend.list_open(None).await.unwrap();
    let h = handover::handoff(&s, &t, handover::Which::Next, at(0)).unwrap();
    assert_eq!(h, Utc.with_ymd_and_hms(2024, 3, 6, 0, 0, 0).unwrap());
    handover::plan(&s, &r, &t, &open, h)
}

fn moved(plan: &Plan) -> Vec<(&str, &str, &str)> {
    plan.moves.iter().map(|m| (m.id.as_str(), m.from.as_str(), m.to.as_str())).collect()
}

#[tokio::test]
async fn on_the_local_backend_each_move_is_a_reassignment_noted_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path().join("rota.sqlite3")).unwrap();
    for (title, to) in [("Login loop", "ann"), ("Search is down", "ann"), ("Billing", "bo"), ("Old one", "ann")] {
        let new = NewEscalation { title: title.into(), assignee: Some(to.into()), severity: Severity::Sev2, ..NewEscalation::default() };
        store.create(&new, at(0)).await.unwrap();
    }
    let backend = AnyBackend::Local(store);
    let with = Acting { backend: &backend, me: Some("ann"), rotation: None, tell_tray: false };
    // The fourth is resolved: it stays.
    acting::act(&with, "4", acting::Act::Resolve { note: None }, at(1)).await.unwrap();

    let plan = planned(&backend).await;
    assert_eq!(moved(&plan), [("1", "ann", "kat"), ("2", "ann", "kat")]);
    assert_eq!(plan.kept.iter().map(|k| (k.id.as_str(), k.who.as_str())).collect::<Vec<_>>(), [("3", "bo")]);
    let done = acting::hand_over(&with, &plan.moves, at(2)).await;
    assert!(done.iter().all(|h| h.outcome.as_ref().is_ok_and(|a| a.changed)), "{done:?}");
    for id in ["1", "2"] {
        let e = backend.get(id).await.unwrap();
        assert_eq!((e.assignee.as_deref(), e.state), (Some("kat"), EscalationState::Open));
        let last = backend.history_of(&e).await.unwrap().pop().unwrap();
        assert_eq!(
            (last.assignee.as_deref(), last.by.as_deref(), last.note.as_deref()),
            (Some("kat"), Some("ann"), Some(handover::HANDED_OVER))
        );
    }
    assert_eq!(backend.get("4").await.unwrap().assignee.as_deref(), Some("ann"), "resolved: stays");

    // Again: nothing to move, and the old moves write nothing.
    assert!(planned(&backend).await.moves.is_empty());
    let e = backend.get("1").await.unwrap();
    let before = backend.history_of(&e).await.unwrap().len();
    let again = acting::hand_over(&with, &plan.moves, at(3)).await;
    assert!(again.iter().all(|h| h.outcome.as_ref().is_ok_and(|a| !a.changed)));
    assert_eq!(backend.history_of(&e).await.unwrap().len(), before);

    // One that someone else took meanwhile is left as it is.
    let to_bo = rota_core::lifecycle::Action::Reassign { to: "bo".into(), note: None };
    backend.act("2", &to_bo, Some("bo"), at(4)).await.unwrap();
    let moves =
        [handover::Move { id: "2".into(), title: "Search is down".into(), from: "ann".into(), to: "kat".into(), reason: String::new() }];
    let left = acting::hand_over(&with, &moves, at(5)).await;
    assert_eq!(left[0].outcome.as_ref().unwrap_err().message, "escalation 2 is bo's now; left as it is");
}

fn issue(n: u64, title: &str, assignee: &str, state: &str) -> serde_json::Value {
    json!({
        "number": n, "title": title, "state": state, "body": "Severity: sev2\n",
        "html_url": format!("https://github.com/acme/escalations/issues/{n}"),
        "labels": [{ "name": "escalation" }], "assignee": { "login": assignee }, "assignees": [{ "login": assignee }],
        "user": { "login": "sam" }, "created_at": format!("2024-03-05T1{n}:00:00Z"),
    })
}

#[tokio::test]
async fn on_github_each_move_is_one_assignee_change_and_one_comment() {
    let repo = Repo::holding(vec![
        issue(1, "Login loop", "ann", "open"),
        issue(2, "Search is down", "ann", "open"),
        issue(3, "Billing", "bo", "open"),
        issue(4, "Old one", "ann", "closed"),
    ]);
    repo.lock().unwrap().user = "ann".into();
    let server = Server::start(handler(repo.clone())).await;
    let config = GithubConfig::new(&server.base, "acme/escalations", "ann").unwrap();
    let backend = AnyBackend::Github(GithubBackend::new(config, &SecretValue::new("t")).unwrap());
    let with = Acting { backend: &backend, me: Some("ann"), rotation: None, tell_tray: false };

    let plan = planned(&backend).await;
    assert_eq!(moved(&plan), [("1", "ann", "kat"), ("2", "ann", "kat")]);
    let mark = server.requests().len();
    let done = acting::hand_over(&with, &plan.moves, at(2)).await;
    assert!(done.iter().all(|h| h.outcome.as_ref().is_ok_and(|a| a.changed)), "{done:?}");
    let writes: Vec<String> = server.requests()[mark..]
        .iter()
        .filter(|(r, _)| r.method != "GET")
        .map(|(r, _)| format!("{} {} {}", r.method, r.path().trim_start_matches("/repos/acme/escalations/issues"), r.body))
        .collect();
    assert_eq!(
        writes,
        [
            r#"PATCH /1 {"assignees":["kat"]}"#,
            r#"POST /1/comments {"body":"Reassigned: handed over at rotation end"}"#,
            r#"PATCH /2 {"assignees":["kat"]}"#,
            r#"POST /2/comments {"body":"Reassigned: handed over at rotation end"}"#,
        ]
    );
    // The history read back from the timeline carries the note on the reassignment.
    let e = backend.get("1").await.unwrap();
    let last = backend.history_of(&e).await.unwrap().pop().unwrap();
    assert_eq!((last.assignee.as_deref(), last.note.as_deref()), (Some("kat"), Some(handover::HANDED_OVER)));

    // A second run: nothing planned, nothing written.
    assert!(planned(&backend).await.moves.is_empty());
    let mark = server.requests().len();
    acting::hand_over(&with, &plan.moves, at(3)).await;
    assert!(server.requests()[mark..].iter().all(|(r, _)| r.method == "GET"));
}
