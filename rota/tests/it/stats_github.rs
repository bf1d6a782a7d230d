//! `rota stats` on the GitHub backend, through the real binary, the token in the real
//! keyring and a loopback server holding the same scripted history as `cli_lifecycle.rs` keeps in
//! SQLite, as GitHub would: issues with labels, and each one's timeline (`labeled` acknowledged,
//! `labeled` engineering with `team:NAME`, `closed`). The figures must be the ones worked out by
//! hand (`support::scripted_stats`); and a second `rota stats` of the unchanged repository, a new process, asks only
//! conditional requests and is answered `304` each time, which costs no rate limit.
//!
//! Run by `tests/keyring.sh` (a private D-Bus session with an unlocked gnome-keyring): the test
//! is built only with the `keyring-tests` feature, and fails without a keyring.

use crate::support;

use rota_testkit::github::{handler, Repo};
use rota_testkit::http::Server;
use rota_testkit::team;
use serde_json::{json, Value};
use support::{run, scripted_stats, succeeded, SCHEDULE};

/// One scripted issue: number, assignee, filed at, and its events as (kind, label, at).
type Scripted = (u64, &'static str, &'static str, &'static [(&'static str, &'static str, &'static str)]);

/// `cli_lifecycle.rs`'s history, as GitHub keeps it (the figures are worked out by hand there):
/// 1 ann acked +10 min, resolved +60; 2 bob acked +30, engaged search +60, resolved +300;
/// 3 ann acked +5; 4 ann untouched; 5 cy (rotation B) acked +20, resolved +50.
const ISSUES: &[Scripted] = &[
    (1, "ann", "2024-03-05T12:00:00Z", &[("labeled", "acknowledged", "2024-03-05T12:10:00Z"), ("closed", "", "2024-03-05T13:00:00Z")]),
    (
        2,
        "bob",
        "2024-03-06T09:00:00Z",
        &[
            ("labeled", "acknowledged", "2024-03-06T09:30:00Z"),
            ("labeled", "engineering", "2024-03-06T10:00:00Z"),
            ("labeled", "team:search", "2024-03-06T10:00:00Z"),
            ("closed", "", "2024-03-06T14:00:00Z"),
        ],
    ),
    (3, "ann", "2024-03-07T12:00:00Z", &[("labeled", "acknowledged", "2024-03-07T12:05:00Z")]),
    (4, "ann", "2024-03-08T12:00:00Z", &[]),
    (5, "cy", "2024-03-18T12:00:00Z", &[("labeled", "acknowledged", "2024-03-18T12:20:00Z"), ("closed", "", "2024-03-18T12:50:00Z")]),
];

fn issue((n, assignee, filed, events): &Scripted) -> Value {
    let labels: Vec<&str> =
        ["escalation"].into_iter().chain(events.iter().filter(|(k, _, _)| *k == "labeled").map(|(_, l, _)| *l)).collect();
    let closed = events.iter().any(|(k, _, _)| *k == "closed");
    json!({
        "number": n, "title": format!("Escalation {n}"), "body": "Severity: sev3\n",
        "state": if closed { "closed" } else { "open" },
        "html_url": format!("https://github.com/acme/escalations/issues/{n}"),
        "labels": labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>(),
        "assignee": { "login": assignee }, "assignees": [{ "login": assignee }],
        "user": { "login": "sam" }, "created_at": filed,
    })
}

fn events((_, _, _, events): &Scripted) -> Vec<Value> {
    events
        .iter()
        .map(|(kind, label, at)| {
            let mut e = json!({ "event": kind, "actor": { "login": "ann" }, "created_at": at });
            if !label.is_empty() {
                e["label"] = json!({ "name": label });
            }
            e
        })
        .collect()
}

const NOW: &str = "2024-03-20T00:00:00Z";

fn home(api: &str) -> support::Home {
    let home = support::Home::new();
    home.team(&format!("me = \"ann\"\n[schedule]\nsource = \"schedule.toml\"\n{}", team::github(api)), Some(SCHEDULE), None);
    home
}

/// `rota ARGS` in the test's session (its keyring), which must succeed; its stdout.
fn rota(home: &support::Home, args: &[&str], stdin: &str) -> String {
    succeeded(args, run(home.with_session(NOW, args), stdin))
}

#[test]
fn stats_on_github_give_the_figures_worked_out_by_hand_and_a_refresh_costs_only_304s() {
    let _turn = support::keyring_turn();
    // The repository as GitHub keeps it: the issues, and each one's events.
    let repo = Repo::holding(ISSUES.iter().map(issue).collect());
    repo.lock().unwrap().events = ISSUES.iter().map(|s| (s.0, events(s))).collect();
    let server = Server::start_on_thread(handler(repo));
    let home = home(&server.base);
    rota(&home, &["secret", "set", "github-token"], "ghp_statsTEST0123456789abcdef0123456789ab\n");

    let stats: Value = serde_json::from_str(&rota(&home, &["stats", "--json"], "")).expect("stdout is JSON");
    assert_eq!(stats, scripted_stats(), "the figures worked out by hand, as from SQLite");
    let first = server.requests().len();
    assert_eq!(server.statuses(), [200; 6], "the list, then each issue's events: {:?}", server.requests());

    // Again, as a new process: every request conditional, every answer 304, the same figures.
    let text = rota(&home, &["stats"], "");
    let again = &server.requests()[first..];
    assert_eq!(again.len(), 6, "{again:?}");
    for (req, status) in again {
        assert_eq!(*status, 304, "{} was not answered from the kept ETag", req.target);
        assert!(req.header("if-none-match").is_some(), "{} asked without the kept ETag", req.target);
        assert!(req.header("authorization").is_some_and(|a| a.ends_with("0123456789ab")), "the token from the keyring");
    }
    assert!(text.contains("2024-03-01 to 2024-03-14      4      3         2        1    25%  above goal"), "{text}");
    assert!(text.contains("time to resolve      median 1 h, p90 5 h"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
}
