//! The Slack user group and the daily word, decided: who the group should hold (coverings
//! applied, `keep` added, never empty), what a sync changes, when the tray syncs, the text for a
//! pinned instant, and `rota check`'s warning for a missing `slack` ID.

use crate::common::{at, day, escalation};
use rota_core::escalation::EscalationState;
use rota_core::slack::{self, Outcome, Skip, SyncTimer};
use rota_core::{glance, parse_config, parse_roster, parse_toml_schedule, Rule, Schedule, Timing};
use rota_testkit::team::SCHEDULE;
use std::collections::BTreeSet;

fn schedule(extra: &str) -> Schedule {
    let parsed = parse_toml_schedule("schedule.toml", &format!("{SCHEDULE}{extra}"));
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    parsed.value
}

fn roster() -> rota_core::Roster {
    let parsed = parse_roster("people.toml", &rota_testkit::slack::people());
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
    parsed.value
}

/// The plan at `now` for a group holding `before`, with `keep`.
fn plan_at(schedule: &Schedule, roster: &rota_core::Roster, now: &str, before: &[&str], keep: &[&str]) -> slack::Plan {
    let timing = Timing::default();
    let g = glance(schedule, roster, &timing, chrono_tz::UTC, None, at(now));
    let keep: Vec<String> = keep.iter().map(|k| k.to_string()).collect();
    let before: Vec<String> = before.iter().map(|b| b.to_string()).collect();
    slack::plan(&slack::wanted(&g.on_duty, roster, &keep), &before)
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn after_a_hand_off_the_whole_new_set_is_written_and_a_group_in_step_is_left_alone() {
    let (s, r) = (schedule(""), roster());
    // Rotation B (cy, dee) has started; the group still names A's ann and bob.
    let p = plan_at(&s, &r, "2024-03-15T00:01:00Z", &["UANN", "UBOB"], &[]);
    assert_eq!(p.wanted, strings(&["UCY", "UDEE"]));
    assert_eq!((p.added, p.removed), (strings(&["UCY", "UDEE"]), strings(&["UANN", "UBOB"])));
    assert_eq!(p.write, Some(strings(&["UCY", "UDEE"])));
    assert_eq!(p.skipped, None);
    // In step, in any order: nothing to write.
    let p = plan_at(&s, &r, "2024-03-15T00:01:00Z", &["UDEE", "UCY"], &[]);
    assert_eq!((p.write, Outcome::of(&plan_at(&s, &r, "2024-03-15T00:01:00Z", &["UDEE", "UCY"], &[]))), (None, Outcome::InStep));
}

#[test]
fn a_covering_in_force_puts_the_covering_engineer_in_the_covered_ones_place() {
    let s = schedule("\n[[override]]\nstart = 2024-03-05\nend = 2024-03-05\ncovering = \"cy\"\nfor = \"ann\"\n");
    let r = roster();
    let p = plan_at(&s, &r, "2024-03-05T12:00:00Z", &["UANN", "UBOB"], &["ULEAD"]);
    assert_eq!(p.wanted, strings(&["UBOB", "UCY", "ULEAD"]));
    assert_eq!((p.added, p.removed), (strings(&["UCY", "ULEAD"]), strings(&["UANN"])));
    // The day after, ann is back.
    let p = plan_at(&s, &r, "2024-03-06T12:00:00Z", &["UBOB", "UCY", "ULEAD"], &["ULEAD"]);
    assert_eq!((p.added, p.removed), (strings(&["UANN"]), strings(&["UCY"])));
}

#[test]
fn nobody_on_duty_or_nobody_with_an_id_leaves_the_group_as_it_is_and_says_why() {
    let (s, r) = (schedule(""), roster());
    // After the last rotation: nobody is on; `keep` alone would tell people someone is.
    let p = plan_at(&s, &r, "2024-05-01T12:00:00Z", &["UCY", "UDEE"], &["ULEAD"]);
    assert_eq!((p.skipped, p.write.clone()), (Some(Skip::NobodyOnDuty), None));
    assert!(p.added.is_empty() && p.removed.is_empty(), "{p:?}");
    assert_eq!(p.skipped.unwrap().reason(), "nobody is on duty now; the group is left as it is");
    assert_eq!(Outcome::of(&p).line(), "Slack user group: left as it is (nobody on duty)");
    // On duty, but no IDs: named, nothing written.
    let bare = parse_roster("people.toml", &rota_testkit::team::four("Europe/London")).value;
    let p = plan_at(&s, &bare, "2024-03-05T12:00:00Z", &["UCY"], &[]);
    assert_eq!((p.skipped, p.write, p.missing_slack_id), (Some(Skip::NoSlackIds), None, strings(&["ann", "bob"])));
}

#[test]
fn an_engineer_without_an_id_is_left_out_and_named() {
    let text = rota_testkit::slack::people().replace("slack = \"UBOB\"\n", "");
    let r = parse_roster("people.toml", &text).value;
    let p = plan_at(&schedule(""), &r, "2024-03-05T12:00:00Z", &["UANN", "UBOB"], &[]);
    assert_eq!((p.wanted, p.removed, p.missing_slack_id), (strings(&["UANN"]), strings(&["UBOB"]), strings(&["bob"])));
}

#[test]
fn ids_and_the_slack_table_are_checked_at_their_lines() {
    let r = parse_roster("people.toml", "[[person]]\nhandle = \"ann\"\nslack = \"ann@example.com\"\n");
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    assert_eq!((r.findings[0].line, r.findings[0].rule), (Some(3), Rule::Syntax));
    assert!(r.findings[0].message.contains("is not a Slack member ID"), "{}", r.findings[0].message);
    let c = parse_config(
        "config.toml",
        "[slack]\nusergroup = \"S0ESCALATE\"\nsync_usergroup = true\nkeep = [\"ULEAD\"]\napi = \"http://127.0.0.1:9/api/\"\nsummary_at = \"09:30\"\n",
    );
    assert!(c.findings.is_empty(), "{:?}", c.findings);
    let s = c.value.slack;
    assert_eq!(
        (s.usergroup.as_deref(), s.sync_usergroup, s.keep, s.api.as_str(), s.summary_at),
        (Some("S0ESCALATE"), true, strings(&["ULEAD"]), "http://127.0.0.1:9/api", Some(570))
    );
    let bad = parse_config(
        "config.toml",
        "[slack]\nusergroup = \"escalation-engineers\"\napi = \"http://slack.example/api\"\nsummary_at = \"9am\"\n",
    );
    let got: Vec<(Option<u32>, &str)> = bad.findings.iter().map(|f| (f.line, f.message.split(' ').next().unwrap_or(""))).collect();
    assert_eq!(got, [(Some(2), "slack.usergroup"), (Some(3), "slack.api:"), (Some(4), "slack.summary_at")], "{:?}", bad.findings);
    assert!(bad.findings[1].message.contains("plain http to another machine"), "{}", bad.findings[1].message);
    assert_eq!(parse_config("c", "").value.slack.api, "https://slack.com/api");
}

#[test]
fn the_tray_syncs_at_start_within_a_minute_of_a_change_and_otherwise_once_an_hour() {
    let set = |v: &[&str]| -> BTreeSet<String> { v.iter().map(|s| s.to_string()).collect() };
    let (a, b) = (set(&["UANN", "UBOB"]), set(&["UCY", "UDEE"]));
    let mut t = SyncTimer::default();
    let start = at("2024-03-14T23:00:00Z");
    assert!(t.due(start, &a), "at start");
    t.synced(start, a.clone(), true);
    let minutes = |m: i64| start + chrono::Duration::minutes(m);
    // The tray looks every minute: between hand-offs, one sync an hour.
    let due: Vec<i64> = (1..=59).filter(|m| t.due(minutes(*m), &a)).collect();
    assert!(due.is_empty(), "{due:?}");
    // The hand-off at 00:00: the wanted set changed, due at the first look after it.
    assert!(t.due(minutes(60), &b));
    t.synced(minutes(60), b.clone(), true);
    assert!(!t.due(minutes(61), &b));
    assert!(t.due(minutes(120), &b), "an hour on");
    // A failure is tried again after five minutes, not at every look.
    t.synced(minutes(120), b.clone(), false);
    assert!(!t.due(minutes(124), &b));
    assert!(t.due(minutes(125), &b));
}

#[test]
fn the_daily_word_is_due_once_a_day_from_summary_at_in_the_schedules_zone() {
    // Lord Howe's clocks move by 30 minutes; summary_at is its wall clock.
    let timing = Timing { timezone: chrono_tz::Australia::Lord_Howe, handoff: 0 };
    let check = |posted: Option<&str>, now: &str, expected: Option<&str>| {
        assert_eq!(slack::summary_due(Some(9 * 60), &timing, posted.map(day), at(now)), expected.map(day), "{posted:?} {now}");
    };
    // 2024-04-07 02:00 local the clocks go back to 01:30 (+11 → +10:30).
    check(None, "2024-04-05T21:59:00Z", None); // Sat 08:59 +11
    check(None, "2024-04-05T22:00:00Z", Some("2024-04-06")); // Sat 09:00 +11
    check(Some("2024-04-06"), "2024-04-06T05:00:00Z", None);
    check(Some("2024-04-06"), "2024-04-06T22:29:00Z", None); // Sun 08:59 +10:30
    check(Some("2024-04-06"), "2024-04-06T22:30:00Z", Some("2024-04-07")); // Sun 09:00 +10:30
    check(Some("2024-04-07"), "2024-04-07T05:00:00Z", None);
    // A desk that starts in the afternoon still posts that day's.
    check(Some("2024-04-06"), "2024-04-07T04:00:00Z", Some("2024-04-07"));
    assert_eq!(slack::summary_due(None, &timing, None, at("2024-04-07T04:00:00Z")), None);
}

#[test]
fn the_daily_word_for_a_pinned_instant() {
    let s = schedule("\n[[override]]\nstart = \"2024-03-05 09:00\"\nend = \"2024-03-05 17:00\"\ncovering = \"cy\"\nfor = \"bob\"\n");
    let r = roster();
    let timing = Timing::default();
    let now = at("2024-03-05T12:00:00Z");
    let g = glance(&s, &r, &timing, timing.timezone, None, now);
    let esc = [
        escalation("1", "Search is down", "ann", EscalationState::Open, now),
        escalation("2", "Slow <b>", "cy", EscalationState::Acknowledged, now),
        escalation("3", "Done", "ann", EscalationState::Resolved, now),
    ];
    assert_eq!(
        slack::summary(&g, &s, &timing, &[], &esc),
        "*Escalation rotation* — Tue 5 Mar 12:00 UTC\n\
         On now:\n\
         • Ann — 13:00 CET · working, until 17:00 (4 h left)\n\
         • Cy — covering for Bob · 17:30 IST · off hours\n\
         Next hand-off: Fri 15 Mar 00:00 UTC (in about 10 days) — cy, dee\n\
         Escalations: 2 open, 1 waiting for acknowledgement\n\
         Covering today:\n\
         • Tue 5 Mar 09:00 – Tue 5 Mar 17:00 UTC: cy covers for bob\n"
    );
    let after = glance(&s, &r, &timing, timing.timezone, None, at("2024-05-01T12:00:00Z"));
    assert_eq!(
        slack::summary(&after, &s, &timing, &[], &[]),
        "*Escalation rotation* — Wed 1 May 12:00 UTC\nOn now: nobody\nNext hand-off: none scheduled\nEscalations: 0 open, 0 waiting for acknowledgement\nCovering today: none\n"
    );
}

/// Who is away today is said in the daily word, and an away engineer leaves the group.
#[test]
fn the_daily_word_says_who_is_away_today_and_the_group_leaves_them_out() {
    let s = schedule("\n[[away]]\nwho = \"ann\"\nstart = 2024-03-04\nend = 2024-03-08\nwhy = \"holiday\"\n");
    let r = roster();
    let timing = Timing::default();
    let now = at("2024-03-05T12:00:00Z");
    let g = glance(&s, &r, &timing, timing.timezone, None, now);
    let away = rota_core::away::spans(&s, &r, timing.timezone);
    let text = slack::summary(&g, &s, &timing, &away, &[]);
    assert!(text.ends_with("Covering today: none\nAway today:\n• ann away 4-8 Mar (holiday)\n"), "{text}");
    let p = plan_at(&s, &r, "2024-03-05T12:00:00Z", &["UANN", "UBOB"], &[]);
    assert!(!p.wanted.contains(&"UANN".to_owned()), "{p:?}");
}

#[test]
fn the_hand_off_post_names_who_is_on_and_thanks_who_leaves() {
    let (s, r, timing) = (schedule(""), roster(), Timing::default());
    let before = glance(&s, &r, &timing, chrono_tz::UTC, None, at("2024-03-14T23:59:00Z"));
    let after = glance(&s, &r, &timing, chrono_tz::UTC, None, at("2024-03-15T00:00:00Z"));
    assert_eq!(slack::handoff_post(&before.on_duty, &after.on_duty), "Now on: Cy, Dee; thank you Ann, Bob");
}

#[test]
fn check_asks_for_a_slack_id_from_a_week_before_the_stretch() {
    let text = rota_testkit::slack::people().replace("slack = \"UCY\"\n", "");
    let r = parse_roster("people.toml", &text).value;
    let s = schedule("");
    let timing = Timing::default();
    // cy starts 2024-03-15 00:00: 8 days before, nothing; 7 days before, a warning at cy's line.
    assert!(slack::missing_ids(&s, &r, &timing, at("2024-03-07T00:00:00Z")).is_empty());
    let found = slack::missing_ids(&s, &r, &timing, at("2024-03-08T00:00:00Z"));
    let cy_line = r.find("cy").unwrap().line;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].file.as_str(), found[0].line, found[0].rule), ("people.toml", cy_line, Rule::NoSlackId));
    assert_eq!(
        found[0].message,
        "cy is on duty from Fri 15 Mar 00:00 but has no slack ID, so the Slack user group will leave them out; add slack = \"U…\" (their member ID) to their [[person]]"
    );
}
