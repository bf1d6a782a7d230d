//! `rota escalate`, `rota escalations`, `rota ack` and `rota secret` run as the real binary on
//! the local backend (the JSON contract: README, "The command line"): the JSON contract, the `auto` assignment, exit
//! statuses. The GitHub backend's keyring paths run in tests/keyring.sh (secrets_cli.rs).

use crate::support;
use rota_testkit::team;

use support::{json_of, stderr, stdout};

const AT: &str = "2024-03-05T12:00:00Z"; // a Tuesday

const SCHEDULE: &str = "[[rotation]]\nstart = 2024-03-01\nend = 2024-04-10\nengineers = [\"ann\", \"bob\", \"cy\", \"dee\"]\n";

/// At 12:00 UTC on a Tuesday: ann (Berlin, 13:00) and dee (Kathmandu, +05:45, 17:45) are working;
/// bob (New York, 07:00) and cy (Kolkata, 17:30) are off hours.
fn people() -> String {
    team::four("America/New_York")
}

/// A home of its own for each test, pinned at [`AT`], with no way to reach a D-Bus session (so no
/// keyring of the person running the tests is ever touched): the team and `config`.
fn home_with(config: &str) -> support::Home {
    let home = support::Home::pinned(AT);
    home.team(config, Some(SCHEDULE), Some(&people()));
    home
}

/// The team's home, me = ann.
fn team_home() -> support::Home {
    home_with(&team::config("ann"))
}

#[test]
fn escalate_auto_picks_the_working_engineer_with_fewest_open_then_schedule_order() {
    let home = team_home();
    // ann already holds one.
    json_of(&home.rota(&["escalate", "--title", "Old one", "--to", "ann", "--json"]));

    let e = json_of(&home.rota(&[&["escalate"][..], &team::SEARCH_IS_DOWN, &["--to", "auto", "--json"]].concat()));
    assert_eq!(e["assignee"], "dee", "working now (Kathmandu 17:45), 0 open: {e}");
    for field in ["id", "title", "customer", "severity", "url", "assignee", "state", "created_at"] {
        assert!(e.get(field).is_some(), "{field} missing from {e}");
    }
    support::assert_fields(
        &e,
        &[
            ("id", "2"),
            ("title", "Search is down"),
            ("customer", "Acme Corp"),
            ("severity", "sev1"),
            ("url", "https://support.example.com/t/42"),
            ("state", "open"),
            ("created_at", AT),
            ("reporter", "ann"),
        ],
    );

    // ann and dee both working with one open each: the schedule's order decides. Without --to,
    // auto is the default; the text names the reason.
    let out = home.rota(&["escalate", "--title", "Login loop"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Filed escalation 3 to ann (working now, 1 open): Login loop [sev3]\n");
}

#[test]
fn escalations_list_mine_and_ack() {
    let home = team_home();
    json_of(&home.rota(&["escalate", "--title", "For ann", "--to", "@ann", "--json"]));
    json_of(&home.rota(&["escalate", "--title", "For bob", "--to", "bob", "--customer", "Initech", "--json"]));
    json_of(&home.rota(&["escalate", "--title", "Down", "--to", "bob", "--severity", "sev1", "--json"]));

    let all = json_of(&home.rota(&["escalations", "--json"]));
    let titles: Vec<&str> = all.as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Down", "For ann", "For bob"], "the most urgent first: by severity, then the longest waiting");
    home.rota(&["resolve", "3"]);
    let mine = json_of(&home.rota(&["escalations", "--mine", "--json"]));
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["assignee"], "ann");

    let out = home.rota(&["ack", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Acknowledged escalation 1: For ann\n");
    let mine = json_of(&home.rota(&["escalations", "--mine", "--json"]));
    assert_eq!(mine[0]["state"], "acknowledged");

    let text = stdout(&home.rota(&["escalations"]));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("ID  SEV   STATE"), "{text}");
    assert!(lines[1].contains("acknowledged") && lines[1].contains("For ann"), "the older first, both sev3: {text}");
    assert!(lines[2].contains("bob") && lines[2].contains("Initech: For bob"), "{text}");
}

#[test]
fn nobody_on_rotation_files_it_for_the_whole_rotation() {
    let home = home_with("me = \"ann\"\n[schedule]\nsource = \"empty.toml\"\n");
    home.write("config/rota/empty.toml", "");
    let out = home.rota(&["escalate", "--title", "Nobody home", "--json"]);
    let e = json_of(&out);
    assert!(e["assignee"].is_null(), "{e}");
    assert!(stderr(&out).contains("nobody is on rotation now"), "{}", stderr(&out));
}

#[test]
fn usage_errors_exit_2_and_input_or_backend_errors_exit_1() {
    let home = team_home();
    let code = |args: &[&str]| {
        let out = home.rota(args);
        (out.status.code(), stderr(&out))
    };
    for args in [
        &["escalate"][..],                                      // no --title
        &["escalate", "--title", "x", "--severity", "urgent"],  // not sev1..sev4
        &["escalate", "--title", "  "],                         // an empty title
        &["escalate", "--title", "x", "--url", "ftp://host/x"], // not a web link
        &["escalate", "--title", "x", "--to", " @ "],           // no engineer
        &["secret", "set", "github_token"],                     // not a secret's name
        &["ack"],
    ] {
        let (c, err) = code(args);
        assert_eq!(c, Some(2), "{args:?}: {err}");
    }
    let (c, err) = code(&["escalate", "--title", "x", "--to", "zed"]);
    assert_eq!(c, Some(2), "an engineer nobody knows: {err}");
    assert!(err.contains("--to: ") && err.trim_end().ends_with("or use --to auto"), "{err}");
    let (c, err) = code(&["ack", "42"]);
    assert_eq!((c, err.trim()), (Some(1), "rota: error: no escalation 42: `rota escalations --all` lists every one"));
    let (c, err) = code(&["secret", "set", "github-token"]); // nothing on stdin
    assert_eq!(c, Some(1));
    assert!(err.contains("no github-token value on stdin"), "{err}");

    let nobody = home_with("");
    let out = nobody.rota(&["escalations", "--mine"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--mine needs your handle: set me = \"your-handle\""), "{}", stderr(&out));
}

#[test]
fn the_github_backend_needs_a_repository_and_a_token_from_the_keyring() {
    let home = home_with("me = \"ann\"\n[escalations]\nbackend = \"github\"\n");
    let out = home.rota(&["escalations"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("escalations.github.repo is missing"), "{}", stderr(&out));

    // No D-Bus session here: the keyring cannot be reached, and the message says what to do.
    let home = home_with(
        "me = \"ann\"\n[escalations]\nbackend = \"github\"\ngithub = { api = \"http://127.0.0.1:9\", repo = \"acme/escalations\" }\n",
    );
    let out = home.rota(&["escalations"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("rota secret set github-token"), "{}", stderr(&out));
    // Nothing was written to disk but the data folder.
    assert!(!home.path().join("data/rota/escalations.sqlite3").exists(), "github needs no database for a list");
}
