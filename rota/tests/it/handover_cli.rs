//! `rota handover` through the real binary on the local backend: `--dry-run` moves nothing,
//! the JSON contract `{handoff, moves: [{id, title, from, to, reason}], kept: [{id, who}]}`, a
//! second run changes nothing, and `--rotation START` names the rotation whose end is handed over.

use crate::support;
use rota_testkit::team;
use support::{json_of, stderr, stdout};

const AT: &str = "2024-03-14T12:00:00Z"; // the last day of rotation A (ann, bob)

/// Rotation A (ann, bob) to 14 March, then B (cy, dee) and bob again; at the hand-off, 00:00 UTC
/// on 15 March, cy (Kolkata, 05:30), dee (Kathmandu, 05:45) and bob (London) are asleep, and dee's
/// day starts first.
const SCHEDULE: &str = "[[rotation]]\nstart = 2024-03-01\nend = 2024-03-14\nengineers = [\"ann\", \"bob\"]\n\n[[rotation]]\nstart = 2024-03-15\nend = 2024-04-10\nengineers = [\"cy\", \"dee\", \"bob\"]\n";

fn home() -> support::Home {
    let home = support::Home::pinned(AT);
    home.team(&team::config("ann"), Some(SCHEDULE), Some(&team::four("Europe/London")));
    for (title, to) in [("Login loop", "ann"), ("Billing", "bob"), ("Search is down", "ann"), ("Old one", "ann")] {
        json_of(&home.rota(&["escalate", "--title", title, "--to", to, "--json"]));
    }
    assert!(home.rota(&["resolve", "4"]).status.success());
    home
}

#[test]
fn handover_moves_the_leavers_open_escalations_once() {
    let home = home();
    let dry = json_of(&home.rota(&["handover", "--dry-run", "--json"]));
    assert_eq!(dry["handoff"], "2024-03-15T00:00:00Z");
    assert_eq!(
        dry["moves"],
        serde_json::json!([
            { "id": "1", "title": "Login loop", "from": "ann", "to": "dee", "reason": "asleep at the hand-off, 0 open" },
            { "id": "3", "title": "Search is down", "from": "ann", "to": "cy", "reason": "asleep at the hand-off, 0 open" },
        ])
    );
    assert_eq!(dry["kept"], serde_json::json!([{ "id": "2", "who": "bob" }]));
    let mine = json_of(&home.rota(&["escalations", "--mine", "--json"]));
    assert_eq!(mine.as_array().unwrap().len(), 2, "a dry run moves nothing: {mine}");

    let done = home.rota(&["handover", "--json"]);
    assert!(done.status.success(), "{}", stderr(&done));
    assert_eq!(json_of(&done)["moves"], dry["moves"]);
    let all = json_of(&home.rota(&["escalations", "--all", "--json"]));
    let one = all.as_array().unwrap().iter().find(|e| e["id"] == "1").unwrap();
    assert_eq!(one["assignee"], "dee");
    let last = one["history"].as_array().unwrap().last().unwrap();
    assert_eq!((&last["assignee"], &last["note"], &last["by"]), (&"dee".into(), &"handed over at rotation end".into(), &"ann".into()));
    let old = all.as_array().unwrap().iter().find(|e| e["id"] == "4").unwrap();
    assert_eq!(old["assignee"], "ann", "resolved: stays");

    let again = json_of(&home.rota(&["handover", "--json"]));
    assert_eq!(again["moves"], serde_json::json!([]));
    let text = stdout(&home.rota(&["handover"]));
    assert_eq!(text, "Hand-off Fri 15 Mar 00:00\nKept escalation 2 with bob (on both rotations)\n");
}

#[test]
fn rotation_names_the_one_whose_end_is_handed_over() {
    let home = home();
    let v = json_of(&home.rota(&["handover", "--rotation", "2024-03-15", "--dry-run", "--json"]));
    assert_eq!(v["handoff"], "2024-04-11T00:00:00Z");
    let bad = home.rota(&["handover", "--rotation", "2024-03-16"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(stderr(&bad).trim(), "rota: error: --rotation: no rotation starts on 2024-03-16; `rota schedule` lists them");
}
