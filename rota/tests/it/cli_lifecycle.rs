//! An escalation's life and the goal measured, through the real `rota` binary on a real SQLite
//! file: `rota ack|resolve|engage|reassign|reopen`, `rota escalations --all --json`
//! with history and team, and `rota stats` on a scripted history whose figures are worked out by
//! hand (`support::scripted_stats`). Each step runs at its own pinned instant (`ROTA_NOW`).

use crate::support;
use rota_testkit::team;

use serde_json::json;
use std::process::Output;
use support::{scripted_stats, stderr, SCHEDULE};

/// A home with the team (bob in Berlin), me = ann.
fn team_home() -> support::Home {
    let home = support::Home::new();
    home.team(&team::config("ann"), Some(SCHEDULE), Some(&team::four("Europe/Berlin")));
    home
}

/// Files an escalation to `to` at `now`; its id.
fn file(home: &support::Home, now: &str, title: &str, to: &str) -> String {
    home.json(now, &["escalate", "--title", title, "--to", to, "--json"])["id"].as_str().unwrap().to_owned()
}
fn failed(out: &Output, code: i32, says: &str) {
    assert_eq!(out.status.code(), Some(code), "stderr: {}", stderr(out));
    let err = stderr(out);
    assert!(err.starts_with("rota: error: "), "{err}");
    assert!(err.contains(says), "expected {says:?} in {err}");
}

#[test]
fn an_escalations_whole_life_from_the_command_line() {
    let home = team_home();
    let id = file(&home, "2024-03-05T12:00:00Z", "Search is down", "ann");
    assert_eq!(home.ok("2024-03-05T12:05:00Z", &["ack", &id]), format!("Acknowledged escalation {id}: Search is down\n"));
    // Again: nothing new recorded, and it says so, exit 0.
    assert_eq!(home.ok("2024-03-05T12:06:00Z", &["ack", &id]), format!("Escalation {id} is already acknowledged: Search is down\n"));
    let engaged = home.ok("2024-03-05T12:10:00Z", &["engage", &id, "--team", "search", "--url", "https://eng.example.com/SRCH-1"]);
    assert_eq!(engaged, format!("Engaged engineering (search) on escalation {id}: Search is down\n"));
    let moved = home.ok("2024-03-05T12:20:00Z", &["reassign", &id, "--to", "@Bob"]);
    assert_eq!(moved, format!("Reassigned escalation {id} to bob: Search is down\n"));
    home.ok("2024-03-05T13:00:00Z", &["resolve", &id, "--note", "reindexed the cluster"]);
    assert_eq!(home.ok("2024-03-05T13:00:30Z", &["resolve", &id]), format!("Escalation {id} is already resolved: Search is down\n"));

    // Errors: the state refuses, an unknown id, usage.
    failed(
        &home.at("2024-03-05T13:01:00Z", &["ack", &id]),
        1,
        "is resolved, so there is nothing to acknowledge: reopen it first (`rota reopen 1`)",
    );
    failed(&home.at("2024-03-05T13:01:00Z", &["ack", "99"]), 1, "no escalation 99: `rota escalations --all` lists every one");
    failed(&home.at("2024-03-05T13:01:00Z", &["resolve", "abc"]), 1, "no escalation abc");
    failed(&home.at("2024-03-05T13:01:00Z", &["engage", &id]), 2, "--team");
    failed(&home.at("2024-03-05T13:01:00Z", &["engage", &id, "--team", " "]), 2, "name the engineering team");
    failed(
        &home.at("2024-03-05T13:01:00Z", &["engage", &id, "--team", "x", "--url", "javascript:alert(1)"]),
        2,
        "is not an http or https link",
    );
    failed(
        &home.at("2024-03-05T13:01:00Z", &["reassign", &id, "--to", "zed"]),
        2,
        "--to: \"zed\" is not an engineer on this rotation or in the roster",
    );
    failed(&home.at("2024-03-05T13:01:00Z", &["reopen"]), 2, "ID");

    // Closed: not in the open list; in --all, with its history and team.
    assert_eq!(home.json("2024-03-05T13:02:00Z", &["escalations", "--json"]), json!([]));
    let all = home.json("2024-03-05T13:02:00Z", &["escalations", "--all", "--json"]);
    let e = &all[0];
    assert_eq!(
        (e["id"].as_str(), e["state"].as_str(), e["team"].as_str(), e["assignee"].as_str()),
        (Some(id.as_str()), Some("resolved"), Some("search"), Some("bob"))
    );
    assert_eq!(
        e["history"],
        json!([
            { "state": "open", "by": "ann", "at": "2024-03-05T12:00:00Z" },
            { "state": "acknowledged", "by": "ann", "at": "2024-03-05T12:05:00Z" },
            { "state": "handed_to_engineering", "by": "ann", "at": "2024-03-05T12:10:00Z", "note": "https://eng.example.com/SRCH-1", "team": "search" },
            { "state": "handed_to_engineering", "by": "ann", "at": "2024-03-05T12:20:00Z", "assignee": "bob" },
            { "state": "resolved", "by": "ann", "at": "2024-03-05T13:00:00Z", "note": "reindexed the cluster" },
        ])
    );

    home.ok("2024-03-05T14:00:00Z", &["reopen", &id]);
    let open = home.json("2024-03-05T14:01:00Z", &["escalations", "--json"]);
    assert_eq!(open[0]["state"], "open");
    assert_eq!(open[0]["history"].as_array().unwrap().len(), 6);
    let text = home.ok("2024-03-05T14:01:00Z", &["escalations", "--all"]);
    assert!(text.contains("Search is down"), "{text}");

    // auto: the policy's pick among the others on duty. At 14:05 UTC on a Tuesday, ann
    // (Berlin, 15:05) is working and the escalation is bob's: ann is the only other one on.
    let auto = home.ok("2024-03-05T14:05:00Z", &["reassign", &id, "--to", "auto"]);
    assert_eq!(auto, format!("Reassigned escalation {id} to ann: Search is down\n"));
}

/// The scripted history (its figures worked out by hand: [`support::scripted_stats`]).
fn scripted() -> support::Home {
    let home = team_home();
    let e1 = file(&home, "2024-03-05T12:00:00Z", "One", "ann");
    home.ok("2024-03-05T12:10:00Z", &["ack", &e1]);
    home.ok("2024-03-05T13:00:00Z", &["resolve", &e1]);
    let e2 = file(&home, "2024-03-06T09:00:00Z", "Two", "bob");
    home.ok("2024-03-06T09:30:00Z", &["ack", &e2]);
    home.ok("2024-03-06T10:00:00Z", &["engage", &e2, "--team", "search"]);
    home.ok("2024-03-06T14:00:00Z", &["resolve", &e2, "--note", "fixed by search"]);
    let e3 = file(&home, "2024-03-07T12:00:00Z", "Three", "ann");
    home.ok("2024-03-07T12:05:00Z", &["ack", &e3]);
    file(&home, "2024-03-08T12:00:00Z", "Four", "ann");
    let e5 = file(&home, "2024-03-18T12:00:00Z", "Five", "cy");
    home.ok("2024-03-18T12:20:00Z", &["ack", &e5]);
    home.ok("2024-03-18T12:50:00Z", &["resolve", &e5]);
    home
}

#[test]
fn stats_on_a_scripted_history_give_the_figures_worked_out_by_hand() {
    let home = scripted();
    let now = "2024-03-20T00:00:00Z";
    let stats = home.json(now, &["stats", "--json"]);
    assert_eq!(stats, scripted_stats());

    let only = home.json(now, &["stats", "--rotation", "2024-03-15", "--json"]);
    assert_eq!(only["rotations"].as_array().unwrap().len(), 1);
    assert_eq!(only["rotations"][0]["start"], "2024-03-15");
    let since = home.json(now, &["stats", "--since", "2024-03-14", "--json"]);
    assert_eq!(since["rotations"].as_array().unwrap().len(), 2, "A ends on the 14th: it is in");
    let since = home.json(now, &["stats", "--since", "2024-03-15", "--json"]);
    assert_eq!(since["rotations"].as_array().unwrap().len(), 1);

    let text = home.ok(now, &["stats"]);
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "over 80 columns: {line:?}");
    }
    assert!(text.contains("2024-03-01 to 2024-03-14      4      3         2        1    25%  above goal"), "{text}");
    assert!(text.contains("2024-03-15 to 2024-04-10      1      1         1        0     0%\n"), "{text}");
    assert!(text.contains("time to acknowledge  median 10 min, p90 30 min"), "{text}");
    assert!(text.contains("time to resolve      median 1 h, p90 5 h"), "{text}");
    assert!(text.contains("engineering teams    search 1"), "{text}");

    failed(&home.at(now, &["stats", "--rotation", "2024-03-02"]), 1, "no rotation starts on 2024-03-02: `rota schedule` lists");
    failed(&home.at(now, &["stats", "--since", "March"]), 2, "--since \"March\" is not a date: write it as YYYY-MM-DD");
    failed(&home.at(now, &["stats", "--since", "2024-03-01", "--rotation", "2024-03-01"]), 2, "cannot be used with");
}

/// `rota take`: an escalation waiting for someone asleep, offered to me, made mine and
/// acknowledged in one history entry; `waiting_minutes` and `offered_to` in the JSON.
#[test]
fn take_and_what_waits_from_the_command_line() {
    let home = support::Home::new();
    // Tuesday 12:00 UTC: ann works (13:00 Berlin), bob sleeps (23:00 Lord Howe, +11:00).
    home.team(&team::config("ann"), Some(SCHEDULE), Some(&team::four("Australia/Lord_Howe")));
    let theirs =
        home.json("2024-03-05T12:00:00Z", &["escalate", "--title", "Checkout down", "--severity", "sev1", "--to", "bob", "--json"]);
    let mine = file(&home, "2024-03-05T12:00:00Z", "Slow search", "ann");
    let listed = home.json("2024-03-05T12:45:00Z", &["escalations", "--json"]);
    let entry = |id: &str| listed.as_array().unwrap().iter().find(|e| e["id"] == id).unwrap().clone();
    let id = theirs["id"].as_str().unwrap();
    assert_eq!(
        (entry(id)["waiting_minutes"].clone(), entry(id)["offered_to"].clone()),
        (json!(0), json!(["ann"])),
        "asleep: no working minutes yet"
    );
    assert_eq!((entry(&mine)["waiting_minutes"].clone(), entry(&mine)["offered_to"].clone()), (json!(45), json!([])));

    assert_eq!(home.ok("2024-03-05T12:50:00Z", &["take", id]), format!("Took escalation {id}: it is yours, acknowledged: Checkout down\n"));
    assert_eq!(home.ok("2024-03-05T12:51:00Z", &["take", id]), format!("Escalation {id} is already yours: Checkout down\n"));
    let all = home.json("2024-03-05T12:52:00Z", &["escalations", "--all", "--json"]);
    let taken = all.as_array().unwrap().iter().find(|e| e["id"] == id).unwrap();
    assert_eq!((taken["assignee"].as_str(), taken["state"].as_str()), (Some("ann"), Some("acknowledged")));
    assert_eq!(taken["history"].as_array().unwrap().len(), 2, "{taken}");
    assert_eq!(taken["history"][1], json!({ "state": "acknowledged", "by": "ann", "at": "2024-03-05T12:50:00Z", "assignee": "ann" }));
    assert_eq!((taken["waiting_minutes"].clone(), taken["offered_to"].clone()), (json!(null), json!([])));
    home.ok("2024-03-05T13:00:00Z", &["resolve", id]);
    failed(&home.at("2024-03-05T13:01:00Z", &["take", id]), 1, "is resolved, so there is nothing to take");
}
