//! The tray's Slack keeper, driven look by look with the clock pinned before and after a
//! hand-off, against the kit's fake Slack Web API and a loopback webhook:
//! - the group is synced at start, changed at the first look after the hand-off (a minute), and
//!   between hand-offs listed at most once an hour;
//! - the menu's line says "in step", or what is wrong;
//! - on a desk with `summary_at`, the daily word is posted once a day and a hand-off once (each
//!   claimed in the store, so a second keeper on the desk does not post it again).

use chrono::{DateTime, Duration, Utc};
use rota_core::parse_config;
use rota_io::inputs::Inputs;
use rota_io::secrets::SecretValue;
use rota_io::slack::Announcer;
use rota_io::slack_keeper::Keeper;
use rota_io::slack_sync::{SlackApi, SyncError};
use rota_io::store::Store;
use rota_testkit::http::{Handler, Reply, Request, Response, Server};
use rota_testkit::slack::{calls, handler, people, Workspace, GROUP, TOKEN};
use rota_testkit::team::SCHEDULE;
use std::sync::Arc;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn inputs() -> Inputs {
    let schedule = rota_core::parse_toml_schedule("schedule.toml", SCHEDULE).value;
    let roster = rota_core::parse_roster("people.toml", &people()).value;
    Inputs { schedule, roster, findings: Vec::new(), warnings: Vec::new() }
}

fn config(api: &str, extra: &str) -> rota_core::Config {
    let parsed = parse_config("config.toml", &format!("[slack]\nusergroup = \"{GROUP}\"\nsync_usergroup = true\napi = \"{api}\"\n{extra}"));
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    parsed.value
}

async fn open(api: String) -> Result<SlackApi, SyncError> {
    SlackApi::new(&api, SecretValue::new(TOKEN))
}

#[tokio::test]
async fn crossing_a_hand_off_changes_the_group_within_a_minute_and_lists_at_most_hourly_between() {
    let ws = Workspace::with_group(&["UANN", "UBOB"]);
    let server = Server::start(handler(ws.clone())).await;
    let (config, inputs) = (config(&server.base, ""), inputs());
    let mut keeper = Keeper::default();
    assert_eq!(keeper.line(&config).as_deref(), Some("Slack user group: not synced yet"));

    // Started an hour before the hand-off (2024-03-15 00:00 UTC): the group is right.
    let start = at("2024-03-14T23:00:00Z");
    assert!(keeper.look(&config, &inputs, start, open).await, "the line changes from not synced");
    assert_eq!(calls(&server), ["usergroups.users.list"]);
    assert_eq!(keeper.line(&config).as_deref(), Some("Slack user group: in step"));
    // A look each minute until the hand-off: nothing asked.
    for m in 1..60 {
        assert!(!keeper.look(&config, &inputs, start + Duration::minutes(m), open).await);
    }
    assert_eq!(calls(&server).len(), 1, "no list between hand-offs within the hour");

    // The first look after the hand-off, less than a minute after it: one list, one update.
    keeper.look(&config, &inputs, at("2024-03-15T00:00:40Z"), open).await;
    assert_eq!(calls(&server), ["usergroups.users.list", "usergroups.users.list", "usergroups.users.update"]);
    assert_eq!(ws.lock().unwrap().members(), ["UCY", "UDEE"]);
    assert_eq!(keeper.line(&config).as_deref(), Some("Slack user group: in step"));

    // Then an hour of looks: one list, at the hour (a person may have edited the group).
    for m in 1..=60 {
        keeper.look(&config, &inputs, at("2024-03-15T00:00:40Z") + Duration::minutes(m), open).await;
    }
    assert_eq!(calls(&server).len(), 4);
    assert_eq!(calls(&server)[3], "usergroups.users.list");
    // A token stored in Settings: the next look syncs, whenever the last was.
    keeper.sync_soon();
    keeper.look(&config, &inputs, at("2024-03-15T01:01:00Z"), open).await;
    assert_eq!(calls(&server).len(), 5);
}

#[tokio::test]
async fn the_menu_line_says_what_is_wrong_and_nothing_while_the_switch_is_off() {
    let ws = Workspace::with_group(&["UANN", "UBOB"]);
    ws.lock().unwrap().fail_with = Some("missing_scope".into());
    let server = Server::start(handler(ws.clone())).await;
    let (config, inputs) = (config(&server.base, ""), inputs());
    let mut keeper = Keeper::default();
    keeper.look(&config, &inputs, at("2024-03-15T00:00:40Z"), open).await;
    let line = keeper.line(&config).unwrap();
    assert!(line.starts_with("Slack user group: the Slack token lacks a scope (missing_scope)"), "{line}");
    assert!(!line.contains(TOKEN));

    let off = parse_config("config.toml", &format!("[slack]\nusergroup = \"{GROUP}\"\napi = \"{}\"\n", server.base)).value;
    let before = calls(&server).len();
    assert!(!Keeper::default().look(&off, &inputs, at("2024-03-15T00:00:40Z"), open).await);
    assert_eq!((Keeper::default().line(&off), calls(&server).len()), (None, before));
}

#[tokio::test]
async fn the_daily_word_is_posted_once_a_day_and_a_hand_off_once() {
    let posted: Handler = Arc::new(|_: &Request, _: &str| Reply::Send(Response::text(200, "ok")));
    let hook = Server::start(posted).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("rota.sqlite3")).unwrap();
    let (config, inputs) = (config("http://127.0.0.1:9", "summary_at = \"09:00\"\n"), inputs());
    let url = SecretValue::new(format!("{}/services/T0/B0/x", hook.base));
    let announcer = || async { Announcer::new(&url, None).map(Some).map_err(|e| e.to_string()) };
    let none = || async { Vec::new() };
    let mut keeper = Keeper::default();
    let mut second = Keeper::default();
    // From the evening before the hand-off to the morning after, a look a minute, by two keepers
    // on one desk (the tray and, say, a restarted tray).
    let start = at("2024-03-14T08:00:00Z");
    for m in 0..(26 * 60) {
        let now = start + Duration::minutes(m);
        assert_eq!(keeper.post(&config, &inputs, now, &store, announcer(), none()).await, Vec::<String>::new());
        assert_eq!(second.post(&config, &inputs, now, &store, announcer(), none()).await, Vec::<String>::new());
    }
    let texts: Vec<String> = hook.requests().iter().map(|(r, _)| r.json()["text"].as_str().unwrap().to_owned()).collect();
    let daily: Vec<&String> = texts.iter().filter(|t| t.starts_with("*Escalation rotation*")).collect();
    assert_eq!(daily.len(), 2, "one for 14 March, one for 15 March: {texts:#?}");
    assert!(daily[0].starts_with("*Escalation rotation* — Thu 14 Mar 09:00 UTC\n"), "{}", daily[0]);
    assert!(daily[1].starts_with("*Escalation rotation* — Fri 15 Mar 09:00 UTC\n"), "{}", daily[1]);
    let handoffs: Vec<&String> = texts.iter().filter(|t| t.starts_with("Now on:")).collect();
    assert_eq!(handoffs, ["Now on: Cy, Dee; thank you Ann, Bob"], "one post for the hand-off from this desk");
}
