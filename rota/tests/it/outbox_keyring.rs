//! The outbox and Slack with the real `rota` binary, secrets from the real keyring:
//! - GitHub down, then up, with SIGKILLs right after saving and right after sending: each
//!   escalation becomes exactly one issue on the test server; queued ones print as `queued`.
//! - Slack: the webhook URL stored with `rota secret set slack-webhook`, the loopback webhook
//!   receives the message with the group mention; a failing or refused Slack leaves the
//!   escalation filed, exit 0, a warning, and the URL in no output.
//!
//! Run by `tests/keyring.sh` (a private D-Bus session with an unlocked gnome-keyring), which
//! builds it with the `keyring-tests` feature; without a keyring it fails. Each test takes its turn
//! at the keyring (`support::keyring_turn`).

use crate::support;
use rota_testkit::team;

use rota_testkit::github::{handler, Repo};
use rota_testkit::http::{closed_port, Handler, Reply, Request, Response, Server};
use std::sync::{Arc, Mutex};
use support::{json_of, stderr, stdout, text};

const NOW: &str = "2024-03-05T12:00:00Z";

/// A home of its own for each test with `config`, pinned at [`NOW`]; `rota` runs in the test's
/// session (its keyring).
fn home(config: &str) -> support::Home {
    support::Home::pinned(NOW).with_config(config)
}

/// Runs `rota args` in `home` until it says it reached `step`, then kills it with SIGKILL.
fn kill_after(home: &support::Home, step: &str, args: &[&str]) {
    support::kill_after(home.with_session(NOW, args), step);
}

fn github_config(addr: &str) -> String {
    format!("me = \"ann\"\n[escalations]\nbackend = \"github\"\ngithub = {{ api = \"http://{addr}\", repo = \"acme/escalations\" }}\n")
}

#[test]
fn github_down_then_up_and_killed_mid_way_files_each_escalation_once() {
    let _turn = support::keyring_turn();
    let addr = closed_port();
    let home = home(&github_config(&addr));
    home.in_session(&["secret", "delete", "slack-webhook"], "");
    let out = home.in_session(&["secret", "set", "github-token"], "ghp_outboxtest0000000000000000000000000\n");
    assert!(out.status.success(), "{}", text(&out));

    // GitHub down: queued, printed as queued, exit 0 with a note.
    let out = home.in_session(&["escalate", "--title", "Filed offline", "--to", "lena", "--json"], "");
    let e = json_of(&out);
    assert_eq!(e["state"], "queued", "{e}");
    assert!(e["id"].as_str().unwrap().starts_with("rota-"), "{e}");
    let err = stderr(&out);
    assert!(err.contains("cannot reach GitHub") && err.contains("saved in the outbox (state queued)"), "{err}");
    let out = home.in_session(&["escalate", "--title", "Also offline", "--to", "lena"], "");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), "Queued escalation to lena: Also offline [sev3] (waiting in the outbox)\n");

    // GitHub up.
    let repo = Repo::shared();
    let server = Server::start_on_thread_at(&addr, handler(repo.clone()));
    // Killed right after saving a third; then killed right after GitHub took the first queued one.
    kill_after(&home, "saved", &["escalate", "--title", "Saved then killed", "--to", "lena"]);
    assert!(repo.lock().unwrap().issues.is_empty());
    kill_after(&home, "sent", &["escalations"]);
    assert_eq!(repo.lock().unwrap().titles(), ["Filed offline"]);
    // A new one, killed right after GitHub took it.
    kill_after(&home, "sent", &["escalate", "--title", "Sent then killed", "--to", "lena"]);
    assert_eq!(repo.lock().unwrap().titles(), ["Filed offline", "Sent then killed"]);

    // Restarted: what waits is sent, what was sent is found by its key; nothing is queued.
    let out = home.in_session(&["escalations", "--json"], "");
    let list = json_of(&out);
    let mut titles = repo.lock().unwrap().titles();
    titles.sort();
    assert_eq!(titles, ["Also offline", "Filed offline", "Saved then killed", "Sent then killed"], "{}", text(&out));
    let posts = server.requests().iter().filter(|(r, _)| r.method == "POST").count();
    assert_eq!(posts, 4, "one create per escalation");
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert!(list.as_array().unwrap().iter().all(|e| e["state"] == "open"), "{list}");

    home.in_session(&["secret", "delete", "github-token"], "");
}

fn webhook(status: Arc<Mutex<u16>>) -> Handler {
    Arc::new(move |_: &Request, _: &str| Reply::Send(Response { status: *status.lock().unwrap(), headers: vec![], body: "ok".into() }))
}

#[test]
fn slack_webhook_from_the_keyring_announces_and_its_failure_changes_nothing_else() {
    let _turn = support::keyring_turn();
    let status = Arc::new(Mutex::new(200));
    let slack = Server::start_on_thread(webhook(status.clone()));
    let secret_path = "/services/T0001/B0002/k3yr1ngS3cr3tP4th";
    let home = home("me = \"ann\"\n[escalations]\nslack_group = \"S0123ABCD\"\n");
    let mut outputs = Vec::new();
    let out = home.in_session(&["secret", "set", "slack-webhook"], &format!("{}{secret_path}\n", slack.base));
    assert!(out.status.success(), "{}", text(&out));

    let args = [&["escalate"][..], &team::SEARCH_IS_DOWN, &["--to", "kai", "--json"]].concat();
    let out = home.in_session(&args, "");
    assert_eq!(json_of(&out)["state"], "open");
    outputs.push(out);
    let requests = slack.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].0.path(), secret_path);
    assert_eq!(
        requests[0].0.json()["text"],
        "<!subteam^S0123ABCD> New escalation: <https://support.example.com/t/42|Search is down>\n*Customer:* Acme Corp  ·  *Severity:* sev1  ·  *Assigned to:* @kai"
    );

    // Slack failing: filed, exit 0, a warning.
    *status.lock().unwrap() = 500;
    let out = home.in_session(&["escalate", "--title", "Slack is failing", "--to", "kai", "--json"], "");
    assert_eq!(json_of(&out)["state"], "open");
    assert!(stderr(&out).contains("warning: the Slack announcement failed: Slack answered 500"), "{}", text(&out));
    outputs.push(out);

    // Slack unreachable: the same.
    let out = home.in_session(&["secret", "set", "slack-webhook"], &format!("http://{}{secret_path}\n", closed_port()));
    assert!(out.status.success());
    let out = home.in_session(&["escalate", "--title", "Slack is away", "--to", "kai", "--json"], "");
    assert_eq!(json_of(&out)["state"], "open");
    assert!(stderr(&out).contains("warning: the Slack announcement failed: cannot reach Slack"), "{}", text(&out));
    outputs.push(out);

    let list = json_of(&home.in_session(&["escalations", "--json"], ""));
    assert_eq!(list.as_array().unwrap().len(), 3, "{list}");
    for out in &outputs {
        assert!(!text(out).contains("k3yr1ng") && !text(out).contains("/services/"), "the webhook URL leaked: {}", text(out));
    }
    home.in_session(&["secret", "delete", "slack-webhook"], "");
}
