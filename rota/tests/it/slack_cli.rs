//! `rota slack sync` and `rota slack summary` with the real binary, the token from the real
//! keyring, against the kit's fake Slack Web API (every call recorded):
//! - after a hand-off one list and one update with the new set; a second run lists only;
//! - a covering in force; nobody on duty (no update, the reason said); `--dry-run` never writes;
//! - ten syncs at once end with the right set and no empty update;
//! - each Slack error is a sentence with its fix, exit 1, and the token in no output or file;
//!   a rate limit is waited out once;
//! - the daily word's exact text, and its one post to the webhook.
//!
//! Run by `tests/keyring.sh` (a private D-Bus session with an unlocked gnome-keyring), which builds
//! it with the `keyring-tests` feature. Each test takes its turn at the keyring.

use crate::support::{self, files_containing, json_of, stderr, stdout, text, Home};
use rota_testkit::http::{Handler, Reply, Request, Response, Server};
use rota_testkit::slack::{calls, handler, people, Workspace, GROUP, TOKEN};
use rota_testkit::team::{self, SCHEDULE};
use serde_json::{json, Value};
use std::process::Output;
use std::sync::{Arc, Mutex};

const LIST: &str = "usergroups.users.list";
const UPDATE: &str = "usergroups.users.update";
/// Rotation B (cy, dee) began at 00:00.
const AFTER_HANDOFF: &str = "2024-03-15T00:30:00Z";

/// A home for the team at `now`, its Slack at `api`, with `schedule_extra` after the schedule.
fn home(now: &str, api: &str, schedule_extra: &str) -> Home {
    let home = Home::pinned(now);
    let config = format!("{}[slack]\nusergroup = \"{GROUP}\"\napi = \"{api}\"\nkeep = []\n", team::config("ann"));
    home.team(&config, Some(&format!("{SCHEDULE}{schedule_extra}")), Some(&people()));
    let out = home.in_session(&["secret", "set", "slack-token"], &format!("{TOKEN}\n"));
    assert!(out.status.success(), "{}", text(&out));
    home
}

fn fake(members: &[&str]) -> (Arc<Mutex<Workspace>>, Server) {
    let ws = Workspace::with_group(members);
    let server = Server::start_on_thread(handler(ws.clone()));
    (ws, server)
}

fn sync(home: &Home, args: &[&str]) -> Output {
    let mut all = vec!["slack", "sync"];
    all.extend_from_slice(args);
    home.in_session(&all, "")
}

fn sorted(v: &Value) -> Vec<String> {
    let mut s: Vec<String> = v.as_array().unwrap().iter().map(|u| u.as_str().unwrap().to_owned()).collect();
    s.sort();
    s
}

#[test]
fn after_a_hand_off_one_list_and_one_update_then_a_second_run_only_lists() {
    let _turn = support::keyring_turn();
    let (ws, server) = fake(&["UBOB", "UANN"]);
    let home = home(AFTER_HANDOFF, &server.base, "");
    let out = sync(&home, &["--json"]);
    let j = json_of(&out);
    assert_eq!(
        j,
        json!({ "usergroup": GROUP, "wanted": ["UCY", "UDEE"], "before": ["UANN", "UBOB"], "added": ["UCY", "UDEE"],
                "removed": ["UANN", "UBOB"], "missing_slack_id": [], "changed": true, "skipped": null })
    );
    assert_eq!(calls(&server), [LIST, UPDATE]);
    let update = &server.requests()[1].0;
    assert_eq!(update.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(ws.lock().unwrap().members(), ["UCY", "UDEE"]);

    let out = sync(&home, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), format!("Slack user group {GROUP}: in step (UCY, UDEE)\n"));
    assert_eq!(calls(&server), [LIST, UPDATE, LIST], "the second run writes nothing");
}

#[test]
fn a_covering_in_force_puts_the_covering_engineer_in_and_the_covered_one_out() {
    let _turn = support::keyring_turn();
    let (ws, server) = fake(&["UANN", "UBOB"]);
    let covering = "\n[[override]]\nstart = 2024-03-05\nend = 2024-03-05\ncovering = \"cy\"\nfor = \"ann\"\n";
    let home = home("2024-03-05T12:00:00Z", &server.base, covering);
    let j = json_of(&sync(&home, &["--json"]));
    assert_eq!((sorted(&j["added"]), sorted(&j["removed"])), (vec!["UCY".to_owned()], vec!["UANN".to_owned()]), "{j}");
    assert_eq!(ws.lock().unwrap().members(), ["UBOB", "UCY"]);
    assert_eq!(ws.lock().unwrap().updates.len(), 1);
}

#[test]
fn nobody_on_duty_leaves_the_group_and_says_why_and_a_dry_run_never_writes() {
    let _turn = support::keyring_turn();
    let (ws, server) = fake(&["UCY", "UDEE"]);
    let home = home("2024-05-01T12:00:00Z", &server.base, "");
    let out = sync(&home, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), format!("Slack user group {GROUP}: nobody is on duty now; the group is left as it is\n"));
    let j = json_of(&sync(&home, &["--json"]));
    assert_eq!((j["changed"].clone(), j["skipped"].clone()), (json!(false), json!("nobody is on duty now; the group is left as it is")));
    assert_eq!(calls(&server), [LIST, LIST]);

    // --dry-run after a hand-off: what would change, nothing written.
    let home = self::home(AFTER_HANDOFF, &server.base, "");
    ws.lock().unwrap().groups.insert(GROUP.into(), vec!["UANN".into(), "UBOB".into()]);
    let out = sync(&home, &["--dry-run"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), format!("Slack user group {GROUP}: would add UCY, UDEE; would remove UANN, UBOB\n"));
    assert!(stderr(&out).contains("--dry-run: nothing was written"), "{}", stderr(&out));
    let j = json_of(&sync(&home, &["--dry-run", "--json"]));
    assert_eq!((j["changed"].clone(), sorted(&j["added"])), (json!(false), vec!["UCY".to_owned(), "UDEE".to_owned()]));
    assert!(calls(&server).iter().all(|c| c == LIST), "{:?}", calls(&server));
    assert_eq!(ws.lock().unwrap().members(), ["UANN", "UBOB"]);
}

#[test]
fn an_on_duty_engineer_without_an_id_is_named_and_left_out() {
    let _turn = support::keyring_turn();
    let (_ws, server) = fake(&["UCY", "UDEE"]);
    let home = home(AFTER_HANDOFF, &server.base, "");
    home.write("config/rota/people.toml", &people().replace("slack = \"UCY\"\n", ""));
    let out = sync(&home, &["--json"]);
    let j = json_of(&out);
    assert_eq!((j["missing_slack_id"].clone(), j["wanted"].clone()), (json!(["cy"]), json!(["UDEE"])), "{j}");
    assert!(stderr(&out).contains("cy is on duty but has no slack ID in the roster"), "{}", stderr(&out));
}

#[test]
fn ten_syncs_at_once_end_with_the_right_set_and_no_empty_update() {
    let _turn = support::keyring_turn();
    let (ws, server) = fake(&["UANN", "UBOB"]);
    let home = home(AFTER_HANDOFF, &server.base, "");
    let children: Vec<_> = (0..10)
        .map(|_| {
            let mut c = home.with_session(AFTER_HANDOFF, &["slack", "sync", "--json"]);
            c.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
            c.spawn().expect("rota starts")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(json_of(&out)["wanted"], json!(["UCY", "UDEE"]));
    }
    let w = ws.lock().unwrap();
    assert_eq!(w.members(), ["UCY", "UDEE"]);
    assert_eq!(w.empty_updates, 0);
    assert!(!w.updates.is_empty() && w.updates.iter().all(|u| u.len() == 2), "{:?}", w.updates);
    assert_eq!(calls(&server).iter().filter(|c| *c == LIST).count(), 10);
}

#[test]
fn each_slack_error_is_a_sentence_with_its_fix_exit_1_and_the_token_nowhere() {
    let _turn = support::keyring_turn();
    let (ws, server) = fake(&["UANN", "UBOB"]);
    let home = home(AFTER_HANDOFF, &server.base, "");
    let cases = [
        ("invalid_auth", "Slack did not take the stored token (invalid_auth); store a new one with `rota secret set slack-token`"),
        ("token_revoked", "Slack did not take the stored token (token_revoked); store a new one with `rota secret set slack-token`"),
        ("missing_scope", "it needs usergroups:read and usergroups:write"),
        ("permission_denied", "by default only admins may; an admin can allow everyone in the workspace settings"),
        ("not_allowed_token_type", "store an admin's user token with `rota secret set slack-token`"),
        ("paid_only", "Slack user groups need a paid plan (paid_only)"),
        ("plan_upgrade_required", "Slack user groups need a paid plan (plan_upgrade_required)"),
        ("no_such_subteam", "Slack has no user group S0ESCALATE (no_such_subteam); copy the group's ID"),
    ];
    let mut outputs = Vec::new();
    for (error, sentence) in cases {
        ws.lock().unwrap().fail_with = Some(error.into());
        let out = sync(&home, &[]);
        assert_eq!(out.status.code(), Some(1), "{error}: {}", text(&out));
        assert!(stderr(&out).starts_with("rota: error: ") && stderr(&out).contains(sentence), "{error}: {}", stderr(&out));
        outputs.push(out);
    }
    // A bad token as Slack says it, through the same words.
    ws.lock().unwrap().fail_with = None;
    ws.lock().unwrap().token = "xoxb-another".into();
    let out = sync(&home, &["--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("(invalid_auth)"), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "no JSON for a failed sync");
    outputs.push(out);
    assert!(ws.lock().unwrap().updates.is_empty());
    for out in &outputs {
        assert!(!text(out).contains(TOKEN) && !text(out).contains("s3cr3t"), "{}", text(out));
    }
    assert_eq!(files_containing(home.path(), TOKEN.as_bytes()), Vec::<String>::new());
}

#[test]
fn a_rate_limit_is_waited_out_once_and_a_second_one_is_an_error() {
    let _turn = support::keyring_turn();
    let (ws, server) = fake(&["UANN", "UBOB"]);
    ws.lock().unwrap().ratelimit = 1;
    let home = home(AFTER_HANDOFF, &server.base, "");
    let started = std::time::Instant::now();
    let out = sync(&home, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(started.elapsed() >= std::time::Duration::from_secs(1), "Retry-After was waited out");
    assert_eq!(calls(&server), [LIST, LIST, UPDATE]);
    assert_eq!(server.statuses()[0], 429);

    ws.lock().unwrap().ratelimit = 2;
    let out = sync(&home, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        stderr(&out).contains("Slack is rate limiting these calls (ratelimited) and asks to wait 1 s; try again later"),
        "{}",
        stderr(&out)
    );
    assert_eq!(calls(&server).len(), 5, "one wait, one retry, no more");
}

/// A webhook that answers "ok" and keeps what was posted.
fn webhook() -> (Server, Handler) {
    let h: Handler = Arc::new(|_: &Request, _: &str| Reply::Send(Response::text(200, "ok")));
    (Server::start_on_thread(h.clone()), h)
}

#[test]
fn the_daily_word_prints_exactly_and_is_posted_once() {
    let _turn = support::keyring_turn();
    let (_ws, server) = fake(&[]);
    let home = home("2024-03-05T12:00:00Z", &server.base, "");
    let expected = "*Escalation rotation* — Tue 5 Mar 12:00 UTC\n\
                    On now:\n\
                    • Ann — 13:00 CET · working, until 17:00 (4 h left)\n\
                    • Bob — 12:00 GMT · working, until 17:00 (5 h left)\n\
                    Next hand-off: Fri 15 Mar 00:00 UTC (in about 10 days) — cy, dee\n\
                    Escalations: 0 open, 0 waiting for acknowledgement\n\
                    Covering today: none\n";
    let out = home.in_session(&["slack", "summary", "--dry-run"], "");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), expected);

    let (hook, _) = webhook();
    let out = home.in_session(&["secret", "set", "slack-webhook"], &format!("{}/services/T0/B0/hooks3cr3t\n", hook.base));
    assert!(out.status.success(), "{}", text(&out));
    let out = home.in_session(&["slack", "summary"], "");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), expected);
    let posts = hook.requests();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].0.json()["text"], expected);
    home.in_session(&["secret", "delete", "slack-webhook"], "");
}

#[test]
fn the_token_is_kept_for_the_api_host_it_was_stored_for_and_never_sent_elsewhere() {
    let _turn = support::keyring_turn();
    let (_ws, server) = fake(&["UANN", "UBOB"]);
    let home = home(AFTER_HANDOFF, &server.base, "");
    // The config now names another host (another port is another host's address).
    let (_other_ws, other) = fake(&["UANN", "UBOB"]);
    let config = format!("{}[slack]\nusergroup = \"{GROUP}\"\napi = \"{}\"\n", team::config("ann"), other.base);
    home.write("config/rota/config.toml", &config);
    let out = sync(&home, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        stderr(&out).contains("no Slack token in the keyring for the configured api; store one with `rota secret set slack-token`"),
        "{}",
        stderr(&out)
    );
    assert!(other.requests().is_empty() && server.requests().is_empty());
}
