//! Time away through the real binary: `rota now --json` gains `away` and the status `away`, the
//! text says "away until …", `--to auto` passes over the away, `--to` an away engineer files with a
//! warning, `rota check` warns at the away's line, and `[roster] away` reads an iCalendar feed from
//! a file and from a loopback URL, then offline from its cache.

use crate::support;
use rota_testkit::http::{scripted, Reply, Response, Server};
use rota_testkit::team;
use support::{json_of, stderr, stdout};

const AT: &str = "2024-03-05T12:00:00Z"; // a Tuesday: ann (Berlin) and dee (Kathmandu) working

/// Dee (Kathmandu, +05:45) is away at a conference 4-8 March, her days.
const SCHEDULE: &str = "[[rotation]]\nstart = 2024-03-01\nend = 2024-04-10\nengineers = [\"ann\", \"bob\", \"cy\", \"dee\"]\n\n[[away]]\nwho = \"dee\"\nstart = 2024-03-04\nend = 2024-03-08\nwhy = \"conference\"\n";

fn home(schedule: &str, extra: &str) -> support::Home {
    let home = support::Home::pinned(AT);
    home.team(&format!("{}{extra}", team::config("ann")), Some(schedule), Some(&team::four("America/New_York")));
    home
}

fn dee(v: &serde_json::Value) -> serde_json::Value {
    v["on_duty"].as_array().expect("on_duty").iter().find(|e| e["handle"] == "dee").cloned().expect("dee on duty")
}

#[test]
fn now_json_says_away_until_and_why() {
    let home = home(SCHEDULE, "");
    let v = json_of(&home.rota(&["now", "--json"]));
    let d = dee(&v);
    assert_eq!(d["status"], "away");
    // 9 March 00:00 in Kathmandu.
    assert_eq!(d["away"], serde_json::json!({ "until": "2024-03-08T18:15:00Z", "why": "conference" }));
    for e in v["on_duty"].as_array().unwrap().iter().filter(|e| e["handle"] != "dee") {
        assert!(e["away"].is_null(), "{e}");
        assert_ne!(e["status"], "away");
    }
    let text = stdout(&home.rota(&["now"]));
    assert!(text.contains("away until Sat 9 Mar"), "{text}");
    assert!(text.contains("conference"), "{text}");
}

#[test]
fn auto_passes_over_the_away_and_to_files_to_them_with_a_warning() {
    let home = home(SCHEDULE, "");
    let e = json_of(&home.rota(&["escalate", "--title", "Login loop", "--to", "auto", "--json"]));
    assert_eq!(e["assignee"], "ann", "dee is working by her hours but away: {e}");
    let out = home.rota(&["escalate", "--title", "Her customer", "--to", "dee", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_of(&out)["assignee"], "dee");
    assert_eq!(
        stderr(&out).trim(),
        "rota: warning: Dee is away until Sat 9 Mar (conference): file to them anyway, or pick someone who is there."
    );
}

#[test]
fn check_warns_at_the_away_line_when_nobody_covers() {
    let home = home(SCHEDULE, "");
    let out = home.rota(&["check", "--json"]);
    let v = json_of(&out);
    let found: Vec<&serde_json::Value> =
        v["findings"].as_array().expect("findings").iter().filter(|f| f["message"].as_str().is_some_and(|m| m.contains("away"))).collect();
    assert_eq!(found.len(), 1, "{v}");
    assert_eq!(found[0]["line"], 6);
    assert!(found[0]["file"].as_str().unwrap().ends_with("schedule.toml"));
    assert_eq!(found[0]["severity"], "warning");
    assert_eq!(found[0]["message"], "dee is away 4-8 Mar during their rotation and nobody covers: add a Covering row");
    // A covering row for those days: nothing to say.
    let covered = format!("{SCHEDULE}\n[[override]]\nstart = 2024-03-04\nend = 2024-03-08\ncovering = \"cy\"\nfor = \"dee\"\n");
    let v = json_of(&home_cov(&covered).rota(&["check", "--json"]));
    assert!(!v["findings"].as_array().unwrap().iter().any(|f| f["message"].as_str().unwrap().contains("away")), "{v}");
}

fn home_cov(schedule: &str) -> support::Home {
    home(schedule, "")
}

const PLAIN: &str = "[[rotation]]\nstart = 2024-03-01\nend = 2024-04-10\nengineers = [\"ann\", \"bob\", \"cy\", \"dee\"]\n";

/// Ann's holiday (all day, her Berlin days) by her email, and an event for someone else.
const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Ann - ski trip\r\nDTSTART;VALUE=DATE:20240304\r\nDTEND;VALUE=DATE:20240311\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Zed off\r\nDTSTART;VALUE=DATE:20240304\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

fn ann(v: &serde_json::Value) -> serde_json::Value {
    v["on_duty"].as_array().unwrap().iter().find(|e| e["handle"] == "ann").cloned().expect("ann")
}

#[test]
fn a_feed_file_of_time_off_makes_its_people_away() {
    let home = home(PLAIN, "away = \"away.ics\"\n");
    home.write("config/rota/away.ics", FEED);
    let v = json_of(&home.rota(&["now", "--json"]));
    // 11 March 00:00 in Berlin.
    assert_eq!(ann(&v)["away"], serde_json::json!({ "until": "2024-03-10T23:00:00Z", "why": "Ann - ski trip" }));
    let out = home.rota(&["check", "--json"]);
    let found: Vec<serde_json::Value> =
        json_of(&out)["findings"].as_array().unwrap().iter().filter(|f| f["message"].as_str().unwrap().contains("away")).cloned().collect();
    assert_eq!(found.len(), 1);
    assert!(found[0]["file"].as_str().unwrap().ends_with("away.ics"), "{found:?}");
    assert_eq!(found[0]["line"], 4, "the event's BEGIN:VEVENT");
    assert_eq!(found[0]["message"], "ann is away 4-10 Mar during their rotation and nobody covers: add a Covering row");
}

#[test]
fn a_feed_url_is_fetched_then_read_offline_from_its_cache() {
    // One answer, then the server hangs up on every request: offline.
    let server = Server::start_on_thread(scripted(vec![Reply::Send(Response::text(200, FEED).with("ETag", "\"f1\""))], || Reply::Hangup));
    let url = format!("{}/team/away.ics", server.base);
    let home = home(PLAIN, &format!("away = \"{url}\"\n"));
    let online = json_of(&home.rota(&["now", "--json"]));
    assert_eq!(ann(&online)["status"], "away");
    let out = home.rota(&["now", "--json"]);
    assert_eq!(ann(&json_of(&out))["status"], "away", "from the cache");
    assert!(stderr(&out).contains("using the copy cached"), "{}", stderr(&out));
    assert_eq!(server.requests().len(), 2);
}
