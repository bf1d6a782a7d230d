//! `rota plan` and `rota people` on the real handbook page and a roster for it
//! (`testkit/fixtures/handbook-people.toml`): text at 80 columns, JSON, and the row pasted back:
//! with it in place the rotation has no open seat and the gap `plan` promised, as `rota check`
//! and `rota coverage --json` measure it.

use crate::support::{stderr, Home};
use serde_json::Value;

const HANDBOOK: &str = include_str!("../../../core/data/handbook-escalation-rotation.md");
const PEOPLE: &str = include_str!("../../../testkit/fixtures/handbook-people.toml");
/// Three weeks before the 2022-10-10 rotation, whose two seats are TBD.
const NOW: &str = "2022-09-15T12:00:00Z";

fn home(page: &str) -> Home {
    let home = Home::pinned(NOW);
    home.write("config/rota/handbook.md", page);
    home.write("config/rota/people.toml", PEOPLE);
    home.with_config("me = \"ann\"\n[schedule]\nsource = \"handbook.md\"\n[roster]\nsource = \"people.toml\"\n")
}

fn json(home: &Home, args: &[&str]) -> Value {
    let out = home.rota(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn text(home: &Home, args: &[&str]) -> String {
    let out = home.rota(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// Tom (Los Angeles) alone covers 16:00-24:00 UTC: 80 weekday hours a week are open (a little
/// more: Los Angeles leaves DST on the rotation's last Sunday). Ann (Tokyo, 09:00-18:00) closes
/// the most; of those who close 40, whose turn it is orders them. Then Valery (Amsterdam,
/// 09:00-17:00) closes the most of what Ann leaves: 09:00-15:00 UTC, 09:00-16:00 once Amsterdam
/// leaves DST on 30 October.
#[test]
fn plan_in_text_at_80_columns() {
    let got = text(&home(HANDBOOK), &["plan"]);
    assert_eq!(got, PLAN_TEXT);
    // Every line fits 80 columns, but the row, which is pasted whole.
    for line in got.lines().filter(|l| !l.starts_with("| ")) {
        assert!(line.chars().count() <= 80, "{line:?}");
    }
    // --rotation names the same one; a day no rotation starts on is said.
    assert_eq!(text(&home(HANDBOOK), &["plan", "--rotation", "2022-10-10"]), PLAN_TEXT);
    let out = home(HANDBOOK).rota(&["plan", "--rotation", "2022-10-11"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no rotation starts on 2022-10-11"), "{}", stderr(&out));
}

const PLAN_TEXT: &str = r#"Rotation 2022-10-10 to 2022-11-07: tbliu98 + 2 open seats
80 weekday hours a week have nobody working.

Candidates, best first:
1. @ann (Ann), Asia/Tokyo
    closes 45 of 80 gap hours (Mon-Fri 00:00-09:00 UTC); never rotated
2. @cy (Cy), Asia/Kolkata
    closes 40 of 80 gap hours (Mon-Fri 03:30-11:30 UTC); never rotated
3. @ed (Ed), Europe/Berlin
    closes 40 of 80 gap hours (mostly Mon-Fri 06:00-14:00 UTC); never rotated
4. @valerybugakov (Valery), Europe/Amsterdam
    closes 40 of 80 gap hours (mostly Mon-Fri 07:00-15:00 UTC); last rotation
    ended 2022-10-09 (1 rotation)
5. @keegancsmith (Keegan), Africa/Johannesburg
    closes 40 of 80 gap hours (Mon-Fri 07:00-15:00 UTC); last rotation ended
    2022-10-09 (2 rotations)
6. @mira (Mira), Asia/Kathmandu
    closes 32 of 80 gap hours (Mon-Thu 03:15-11:15 UTC); never rotated
7. @BolajiOlajide (Bolaji), Africa/Lagos
    closes 25 of 80 gap hours (Mon,Wed,Fri 08:00-16:00 UTC); last rotation ended
    2022-09-06 (1 rotation)
8. @bo (Bo), America/New_York
    closes 15 of 80 gap hours (Mon-Fri 13:00-16:00 UTC); never rotated

Fill the open seats with @ann and @valerybugakov: 80 → 4 gap hours a week.
Paste this row in place of the rotation's:

| 2022-10-10 to 2022-11-07 | [@tbliu98](https://github.com/tbliu98), [@ann](https://github.com/ann), [@valerybugakov](https://github.com/valerybugakov) |
"#;

#[test]
fn plan_in_json() {
    let v = json(&home(HANDBOOK), &["plan", "--json"]);
    assert_eq!(v["rotation"], serde_json::json!({"start": "2022-10-10", "end": "2022-11-07"}));
    assert_eq!(v["open_seats"], 2);
    assert_eq!(v["gap_hours_before"], 80.23);
    assert_eq!(v["picks"], serde_json::json!(["ann", "valerybugakov"]));
    assert_eq!(v["gap_hours_after"], 3.82);
    let handles: Vec<&str> = v["candidates"].as_array().unwrap().iter().map(|c| c["handle"].as_str().unwrap()).collect();
    assert_eq!(handles, ["ann", "cy", "ed", "valerybugakov", "keegancsmith", "mira", "BolajiOlajide", "bo"]);
    assert_eq!(
        v["candidates"][0],
        serde_json::json!({
            "handle": "ann", "name": "Ann", "timezone": "Asia/Tokyo", "closes_gap_hours": 45.0, "rotations_done": 0,
            "last_rotation_end": null, "reason": "closes 45 of 80 gap hours (Mon-Fri 00:00-09:00 UTC); never rotated",
        })
    );
    assert_eq!(v["candidates"][4]["rotations_done"], 2);
    assert_eq!(v["candidates"][4]["last_rotation_end"], "2022-10-09");
    assert_eq!(
        v["row"],
        "| 2022-10-10 to 2022-11-07 | [@tbliu98](https://github.com/tbliu98), [@ann](https://github.com/ann), [@valerybugakov](https://github.com/valerybugakov) |"
    );
}

#[test]
fn people_in_text_and_json() {
    let home = home(HANDBOOK);
    assert_eq!(text(&home, &["people"]), PEOPLE_TEXT);
    let v = json(&home, &["people", "--json"]);
    let keegan = v.as_array().unwrap().iter().find(|p| p["handle"] == "keegancsmith").unwrap();
    assert_eq!(
        *keegan,
        serde_json::json!({
            "handle": "keegancsmith", "name": "Keegan", "timezone": "Africa/Johannesburg",
            "rotations": [{"start": "2022-08-10", "end": "2022-09-06"}, {"start": "2022-09-07", "end": "2022-10-09"}],
            "last_end": "2022-09-06", "next_start": null,
        })
    );
    let tom = v.as_array().unwrap().iter().find(|p| p["handle"] == "tbliu98").unwrap();
    assert_eq!((&tom["last_end"], &tom["next_start"]), (&Value::Null, &Value::from("2022-10-10")));
}

const PEOPLE_TEXT: &str = r#"Whose turn it is first: those on no rotation now or coming, never rotated, then
    the longest since their last rotation ended.

ENGINEER        ROTATIONS  LAST ENDED  NEXT        NAME, TIMEZONE
@ann            0          -           -           Ann, Asia/Tokyo
@bo             0          -           -           Bo, America/New_York
@cy             0          -           -           Cy, Asia/Kolkata
@ed             0          -           -           Ed, Europe/Berlin
@mira           0          -           -           Mira, Asia/Kathmandu
@BolajiOlajide  1          2022-09-06  -           Bolaji, Africa/Lagos
@tbliu98        1          -           2022-10-10  Tom, America/Los_Angeles
@valerybugakov  1          -           on now      Valery, Europe/Amsterdam
@keegancsmith   2          2022-09-06  on now      Keegan, Africa/Johannesburg
"#;

/// Minutes of `[start, end)` (RFC 3339, UTC) on weekdays between the rotation's first instant and
/// its last (2022-10-10 to 2022-11-08, UTC), counted minute by minute.
fn weekday_minutes_in_rotation(start: &str, end: &str) -> i64 {
    use chrono::{DateTime, Datelike, Duration, Weekday};
    let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    let (from, to) = (t("2022-10-10T00:00:00Z"), t("2022-11-08T00:00:00Z"));
    let (mut at, end) = (t(start).max(from), t(end).min(to));
    let mut minutes = 0;
    while at < end {
        if !matches!(at.weekday(), Weekday::Sat | Weekday::Sun) {
            minutes += 1;
        }
        at += Duration::minutes(1);
    }
    minutes
}

/// The row pasted in place of the rotation's parses back: no open seat, and the gap the plan
/// promised, as `rota check` says it and as `rota coverage --json` counts it week by week.
#[test]
fn the_pasted_row_has_no_open_seat_and_the_gap_promised() {
    let planned = json(&home(HANDBOOK), &["plan", "--json"]);
    // Before: the check's gap warning names the plan's best candidate.
    let before = json(&home(HANDBOOK), &["check", "--json"]);
    let gap = before["findings"].as_array().unwrap().iter().find(|f| f["line"] == 17 && f["rule"] == "uncovered-hours").unwrap();
    assert!(
        gap["message"]
            .as_str()
            .unwrap()
            .ends_with("add an engineer in another timezone: `rota plan` suggests @ann (Asia/Tokyo), closing 45 of them"),
        "{gap}"
    );
    let row = planned["row"].as_str().unwrap();
    let old = HANDBOOK.lines().find(|l| l.starts_with("| 2022-10-10 to 2022-11-07")).unwrap();
    let pasted = home(&HANDBOOK.replace(old, row));

    let check = json(&pasted, &["check", "--json"]);
    let on_row: Vec<&Value> = check["findings"].as_array().unwrap().iter().filter(|f| f["line"] == 17).collect();
    assert!(on_row.iter().all(|f| f["rule"] != "open-seats"), "{on_row:?}");
    let promised = planned["gap_hours_after"].as_f64().unwrap();
    let warning = on_row.iter().find(|f| f["rule"] == "uncovered-hours").expect("the gap left");
    let said = format!("about {} weekday hours a week have nobody working", promised.round());
    assert!(warning["message"].as_str().unwrap().contains(&said), "{warning}");

    // The weeks of the rotation, Monday to Sunday in UTC: their gaps on the rotation's weekdays.
    let mut minutes = 0;
    for monday in ["2022-10-10", "2022-10-17", "2022-10-24", "2022-10-31", "2022-11-07"] {
        let week = json(&pasted, &["coverage", "--at", monday, "--tz", "UTC", "--json"]);
        for g in week["gaps"].as_array().unwrap() {
            minutes += weekday_minutes_in_rotation(g["start"].as_str().unwrap(), g["end"].as_str().unwrap());
        }
    }
    // 21 weekdays in the rotation: a week is five of them. The plan says whole minutes, in
    // hours to the hundredth: within a minute.
    let per_week = minutes as f64 * 5.0 / 21.0 / 60.0;
    assert!((per_week - promised).abs() < 1.0 / 60.0, "coverage counts {per_week} h a week, plan promised {promised}");
}
