//! The small team files tests write over and over: a schedule, a roster built from rows, a
//! config naming them (and a GitHub backend when asked), and the statistics of the scripted
//! history two command-line tests keep (one in SQLite, one on the fake GitHub).

use serde_json::Value;

/// The config of `me` with the team's files beside it: `schedule.toml` and `people.toml`.
pub fn config(me: &str) -> String {
    format!("me = \"{me}\"\n[schedule]\nsource = \"schedule.toml\"\n[roster]\nsource = \"people.toml\"\n")
}

/// The config lines that point the escalations at GitHub's `api` (the fake's base URL), repository
/// `acme/escalations`.
pub fn github(api: &str) -> String {
    format!("[escalations]\nbackend = \"github\"\ngithub = {{ api = \"{api}\", repo = \"acme/escalations\" }}\n")
}

/// What a filing says of the usual escalation: `rota escalate` arguments before `--to`.
pub const SEARCH_IS_DOWN: [&str; 8] =
    ["--title", "Search is down", "--customer", "Acme Corp", "--severity", "sev1", "--url", "https://support.example.com/t/42"];

/// The four engineers of [`SCHEDULE`] (`bob` in `bob_zone`): at 12:00 UTC on a Tuesday, ann
/// (Berlin, 13:00) and dee (Kathmandu, +05:45, 17:45) are working, cy (Kolkata, 17:30) is off.
pub fn four(bob_zone: &str) -> String {
    people(&[
        ["ann", "Ann", "Europe/Berlin", "09:00-17:00", "Mon-Fri"],
        ["bob", "Bob", bob_zone, "09:00-17:00", "Mon-Fri"],
        ["cy", "Cy", "Asia/Kolkata", "09:00-17:00", "Mon-Fri"],
        ["dee", "Dee", "Asia/Kathmandu", "09:00-18:00", "Mon-Fri"],
    ])
}

/// A roster (`people.toml`) from `[handle, name, zone, hours, days]` rows; an empty field is
/// left out.
pub fn people(rows: &[[&str; 5]]) -> String {
    let mut text = String::new();
    for row in rows {
        text.push_str("[[person]]\n");
        for (key, value) in ["handle", "name", "timezone", "hours", "days"].into_iter().zip(row) {
            if !value.is_empty() {
                text.push_str(&format!("{key} = \"{value}\"\n"));
            }
        }
        text.push('\n');
    }
    text
}

/// Two rotations: A (1-14 March, ann and bob) and B (15 March - 10 April, cy and dee).
pub const SCHEDULE: &str = "[[rotation]]\nstart = 2024-03-01\nend = 2024-03-14\nengineers = [\"ann\", \"bob\"]\n\n\
                            [[rotation]]\nstart = 2024-03-15\nend = 2024-04-10\nengineers = [\"cy\", \"dee\"]\n";

/// `rota stats --json` at 2024-03-20 on the scripted history both backends keep
/// (`cli_lifecycle.rs` in SQLite, `stats_github.rs` on a loopback GitHub), worked out by hand:
///
/// Rotation A (2024-03-01 to 2024-03-14):
/// - 1, ann: filed 03-05 12:00, acked +10 min, resolved +60 min.
/// - 2, bob: filed 03-06 09:00, acked +30, engaged search +60, resolved +300.
/// - 3, ann: filed 03-07 12:00, acked +5, never resolved.
/// - 4, ann: filed 03-08 12:00, never acknowledged.
///
/// So A: filed 4, acknowledged 3, resolved 2, engaged 1, share 1/4 = 0.25 (above the goal).
/// Ack times 5, 10, 30: median = rank ceil(0.5*3) = 2nd = 10; p90 = rank ceil(0.9*3) = 3rd = 30.
/// Resolve times 60, 300: median = rank 1 = 60; p90 = rank ceil(1.8) = 2nd = 300.
///
/// Rotation B (2024-03-15 to 2024-04-10): 5, cy: filed 03-18 12:00, acked +20, resolved +50.
/// So B: 1, 1, 1, 0, share 0; every time is its only value.
pub fn scripted_stats() -> Value {
    let spread = |median: f64, p90: f64| serde_json::json!({ "median": median, "p90": p90 });
    serde_json::json!({
        "goal_engaged_share": 0.10,
        "rotations": [
            {
                "start": "2024-03-01", "end": "2024-03-14",
                "filed": 4, "acknowledged": 3, "resolved": 2, "engaged": 1, "engaged_share": 0.25,
                "time_to_ack_minutes": spread(10.0, 30.0),
                "time_to_resolve_minutes": spread(60.0, 300.0),
                "by_engineer": [
                    { "handle": "ann", "filed": 3, "acknowledged": 2, "resolved": 1, "engaged": 0 },
                    { "handle": "bob", "filed": 1, "acknowledged": 1, "resolved": 1, "engaged": 1 },
                ],
                "by_team": [{ "team": "search", "engaged": 1 }],
            },
            {
                "start": "2024-03-15", "end": "2024-04-10",
                "filed": 1, "acknowledged": 1, "resolved": 1, "engaged": 0, "engaged_share": 0.0,
                "time_to_ack_minutes": spread(20.0, 20.0),
                "time_to_resolve_minutes": spread(50.0, 50.0),
                "by_engineer": [{ "handle": "cy", "filed": 1, "acknowledged": 1, "resolved": 1, "engaged": 0 }],
                "by_team": [],
            },
        ],
    })
}
