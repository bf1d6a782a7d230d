//! `rota stats` on the GitHub backend, through the real binary, the token in the real
//! keyring and a loopback server holding the same scripted history as `cli_lifecycle.rs` keeps in
//! SQLite, as GitHub would: issues with labels, and each one's timeline (`labeled` acknowledged,
//! `labeled` engineering with `team:NAME`, `closed`). The figures must be the ones worked out by
//! hand (`support::scripted_stats`); and a second `rota stats` of the unchanged repository, a new process, answers from
//! the state database without asking GitHub. Over 2,000 escalations the first run reads each
//! timeline once, and a warm run asks nothing (its time printed).
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
fn stats_on_github_give_the_figures_worked_out_by_hand_and_a_second_run_reads_the_store() {
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

    // Again, as a new process: from the state database, nothing asked, the same figures.
    let text = rota(&home, &["stats"], "");
    assert_eq!(server.requests().len(), first, "{:?}", &server.requests()[first..]);
    assert!(text.contains("2024-03-01 to 2024-03-14      4      3         2        1    25%  above goal"), "{text}");
    assert!(text.contains("time to resolve      median 1 h, p90 5 h"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
}

/// `rota stats` over a year of 2,000 escalations (400 open): the first run lists them (20
/// pages) and reads each timeline once; the next, warm, asks GitHub nothing.
#[test]
fn stats_over_a_year_of_two_thousand_escalations_read_each_timeline_once_then_the_store() {
    let _turn = support::keyring_turn();
    let repo = std::sync::Arc::new(std::sync::Mutex::new(rota_testkit::github::year_of_escalations(2000, 400)));
    let server = Server::start_on_thread(handler(repo));
    let home = home(&server.base);
    rota(&home, &["secret", "set", "github-token"], "ghp_statsTEST0123456789abcdef0123456789ab\n");
    let before = server.requests().len();
    let cold: Value = serde_json::from_str(&rota(&home, &["stats", "--json"], "")).expect("stdout is JSON");
    let asked: Vec<String> = server.requests()[before..].iter().map(|(r, _)| r.path().to_owned()).collect();
    let timelines: std::collections::BTreeSet<&String> = asked.iter().filter(|p| p.ends_with("/timeline")).collect();
    assert_eq!((asked.len(), timelines.len()), (20 + 2000, 2000), "20 pages, then each timeline once");
    let started = std::time::Instant::now();
    let warm: Value = serde_json::from_str(&rota(&home, &["stats", "--json"], "")).expect("stdout is JSON");
    eprintln!("rota stats over 2,000 escalations, warm: {:?}", started.elapsed());
    assert_eq!(server.requests().len(), before + 2020, "the warm run asks nothing");
    assert_eq!(warm, cold);
}
