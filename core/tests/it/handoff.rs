//! Hand-off notices for me: each at most once, none about the past on a first run,
//! only the latest still due after a sleep, schedule changes, and `[notices]` turning them off.

use crate::common;
use common::at;
use rota_core::config::NoticesConfig;
use rota_core::handoff::{decide, my_line, Context, HandoffKind, HandoffState};
use rota_core::{parse_handbook, parse_roster, Roster, Schedule, Timing};
use rota_testkit::team;

/// Me (bishal) in Berlin, Ada in Kathmandu.
fn roster_text() -> String {
    team::people(&[["bishal", "Bishal", "Europe/Berlin", "", ""], ["ada-k", "Ada", "Asia/Kathmandu", "", ""]])
}

/// Me (bishal) with Ada from Mon 30 Nov 09:00 Berlin (08:00Z) to Mon 28 Dec 09:00 (08:00Z).
const PAGE: &str = "| Rotation | Engineers |\n|---|---|\n| 2026-11-30 to 2026-12-27 | @bishal, @ada-k |\n";

fn timing() -> Timing {
    Timing { timezone: chrono_tz::Europe::Berlin, handoff: 9 * 60 }
}

fn schedule(text: &str) -> Schedule {
    let p = parse_handbook("rota.md", text);
    assert!(p.findings.is_empty(), "{:?}", p.findings);
    p.value
}

fn roster() -> Roster {
    parse_roster("people.toml", &roster_text()).value
}

/// One look at `now`: the kinds sent and the state after.
fn look(s: &Schedule, before: Option<&HandoffState>, now: &str, prefs: &NoticesConfig) -> (Vec<HandoffKind>, Vec<String>, HandoffState) {
    let r = roster();
    let open = vec!["Login fails for SSO users".to_owned()];
    let cx = Context { me: "bishal", now: at(now), viewer: chrono_tz::Europe::Berlin, roster: &r, prefs, open_escalations: Some(&open) };
    let (notices, state) = decide(&s.stretches_of(&timing(), "bishal"), before, &cx);
    let texts = notices.iter().map(|n| format!("{} | {}", n.text.summary, n.text.body)).collect();
    (notices.into_iter().map(|n| n.kind).collect(), texts, state)
}

#[test]
fn each_notice_once_and_none_about_the_past_on_a_first_run() {
    let s = schedule(PAGE);
    let all = NoticesConfig::default();
    // First run the evening before: "tomorrow" is due and its moment still ahead: said,
    // once, and nothing else (the week before is past news).
    let (sent, texts, state) = look(&s, None, "2026-11-29T18:00:00Z", &all);
    assert_eq!(sent, [HandoffKind::DayBefore]);
    assert!(texts[0].starts_with("You're on rotation tomorrow"), "{texts:?}");
    let (sent, _, state) = look(&s, Some(&state), "2026-11-29T18:01:00Z", &all);
    assert!(sent.is_empty());
    // The hand-off, once.
    let (sent, texts, state) = look(&s, Some(&state), "2026-11-30T08:00:00Z", &all);
    assert_eq!(sent, [HandoffKind::Start]);
    assert!(texts[0].starts_with("You're on rotation now | Until Mon 28 Dec, 09:00 your time."), "{texts:?}");
    assert!(texts[0].contains("With Ada (Asia/Kathmandu, UTC+05:45)."), "{texts:?}");
    let (sent, _, state) = look(&s, Some(&state), "2026-11-30T08:01:00Z", &all);
    assert!(sent.is_empty());
    // The day before it ends, with my open escalations.
    let (sent, texts, _) = look(&s, Some(&state), "2026-12-27T08:00:00Z", &all);
    assert_eq!(sent, [HandoffKind::DayBeforeEnd]);
    assert!(texts[0].contains("1 open escalation of yours:\n• Login fails for SSO users"), "{texts:?}");
}

#[test]
fn a_week_and_a_day_before_and_after_a_sleep_only_the_latest() {
    let s = schedule(PAGE);
    let all = NoticesConfig::default();
    let (_, _, state) = look(&s, None, "2026-11-20T08:00:00Z", &all);
    let (sent, texts, seen_week) = look(&s, Some(&state), "2026-11-23T08:00:00Z", &all);
    assert_eq!(sent, [HandoffKind::WeekBefore]);
    assert_eq!(texts[0], "You're on rotation in 7 days | From Mon 30 Nov, 09:00 your time to Mon 28 Dec, 09:00 your time.");
    let (sent, texts, _) = look(&s, Some(&seen_week), "2026-11-29T08:00:00Z", &all);
    assert_eq!(sent, [HandoffKind::DayBefore]);
    assert!(texts[0].contains("With Ada (Asia/Kathmandu, UTC+05:45)."));
    // Asleep from the 20th to the evening of the 29th: "tomorrow" only, not "in 7 days" too.
    let (sent, _, _) = look(&s, Some(&state), "2026-11-29T20:00:00Z", &all);
    assert_eq!(sent, [HandoffKind::DayBefore]);
    // Asleep through the hand-off into the last day: only the day before the end.
    let (sent, _, _) = look(&s, Some(&state), "2026-12-27T12:00:00Z", &all);
    assert_eq!(sent, [HandoffKind::DayBeforeEnd]);
}

#[test]
fn the_day_before_is_24_hours_before_across_a_dst_change() {
    // Berlin leaves summer time on Sun 25 Oct 2026; a rotation from Mon 26 Oct 09:00 CET (08:00Z).
    let s = schedule("| Rotation | Engineers |\n|---|---|\n| 2026-10-26 to 2026-11-22 | @bishal |\n");
    let all = NoticesConfig::default();
    let (_, _, state) = look(&s, None, "2026-10-24T00:00:00Z", &all);
    let (sent, _, _) = look(&s, Some(&state), "2026-10-25T07:59:00Z", &all);
    assert!(sent.is_empty());
    let (sent, texts, _) = look(&s, Some(&state), "2026-10-25T08:00:00Z", &all);
    assert_eq!(sent, [HandoffKind::DayBefore]);
    assert!(texts[0].contains("From Mon 26 Oct, 09:00 your time"), "{texts:?}");
}

#[test]
fn schedule_changes_add_and_take_me_off() {
    let all = NoticesConfig::default();
    let before = schedule(PAGE);
    let (_, _, state) = look(&before, None, "2026-11-01T08:00:00Z", &all);
    // An override: Ada covers for me two days; my stretch splits in two.
    let page = format!("{PAGE}\n| When | Covering | For |\n|---|---|---|\n| 2026-12-07 to 2026-12-08 | @ada-k | @bishal |\n");
    let (sent, texts, state) = look(&schedule(&page), Some(&state), "2026-11-01T09:00:00Z", &all);
    assert_eq!(sent, [HandoffKind::Added, HandoffKind::Added], "{texts:?}");
    // The override taken away again: one stretch, added back; the two short ones gone, replaced.
    let (sent, _, state) = look(&before, Some(&state), "2026-11-01T10:00:00Z", &all);
    assert_eq!(sent, [HandoffKind::Added]);
    // Taken off the rotation altogether.
    let off = schedule("| Rotation | Engineers |\n|---|---|\n| 2026-11-30 to 2026-12-27 | @ada-k |\n");
    let (sent, texts, _) = look(&off, Some(&state), "2026-11-01T11:00:00Z", &all);
    assert_eq!(sent, [HandoffKind::Removed]);
    assert_eq!(
        texts[0],
        "The schedule changed: you're off | No longer on from Mon 30 Nov, 09:00 your time to Mon 28 Dec, 09:00 your time."
    );
}

#[test]
fn notices_turned_off_are_not_sent_nor_sent_later() {
    let s = schedule(PAGE);
    let none = NoticesConfig {
        week_before: false,
        day_before: false,
        handoff: false,
        before_end: false,
        schedule_change: false,
        ..NoticesConfig::default()
    };
    let (_, _, state) = look(&s, None, "2026-11-20T08:00:00Z", &none);
    let (sent, _, state) = look(&s, Some(&state), "2026-11-23T08:00:00Z", &none);
    assert!(sent.is_empty());
    // Turned back on: the week-before notice is not sent late.
    let (sent, _, _) = look(&s, Some(&state), "2026-11-23T09:00:00Z", &NoticesConfig::default());
    assert!(sent.is_empty());
}

#[test]
fn the_tray_line_says_when_i_am_on() {
    let s = schedule(PAGE);
    let mine = s.stretches_of(&timing(), "bishal");
    assert_eq!(
        my_line(&mine, at("2026-11-20T08:00:00Z"), chrono_tz::Europe::Berlin).as_deref(),
        Some("You're on from Mon 30 Nov, 09:00 your time")
    );
    assert_eq!(
        my_line(&mine, at("2026-11-20T08:00:00Z"), chrono_tz::Asia::Kathmandu).as_deref(),
        Some("You're on from Mon 30 Nov, 13:45 your time")
    );
    assert_eq!(my_line(&mine, at("2026-12-01T08:00:00Z"), chrono_tz::Europe::Berlin), None, "on now: my own line says so");
    assert_eq!(my_line(&mine, at("2026-12-28T08:00:00Z"), chrono_tz::Europe::Berlin), None);
}

#[test]
fn the_notices_table_in_the_config() {
    let c = rota_core::parse_config("config.toml", "me = \"bishal\"\n\n[notices]\nweek_before = false\nschedule_change = false\n");
    assert!(c.findings.is_empty(), "{:?}", c.findings);
    assert_eq!(c.value.notices, NoticesConfig { week_before: false, schedule_change: false, ..NoticesConfig::default() });
    assert_eq!(rota_core::parse_config("config.toml", "").value.notices, NoticesConfig::default());
    for bad in ["[notices]\nweekly = true\n", "[notices]\nhandoff = \"yes\"\n"] {
        let c = rota_core::parse_config("config.toml", bad);
        assert_eq!(c.findings.len(), 1, "{bad}: {:?}", c.findings);
        assert_eq!((c.findings[0].file.as_str(), c.findings[0].line), ("config.toml", Some(2)), "{bad}: {}", c.findings[0].message);
    }
}

/// A first start says at most one notice, and only one whose moment is still ahead: not
/// the week before, not at the hand-off (it happened), not with the day-before notice turned off.
#[test]
fn a_first_start_says_only_tomorrow_and_never_more_than_one() {
    let s = schedule(PAGE);
    let all = NoticesConfig::default();
    for (now, expected) in [
        ("2026-11-25T08:00:00Z", vec![]),                       // inside the week before: past news
        ("2026-11-29T08:00:00Z", vec![HandoffKind::DayBefore]), // the day before starts
        ("2026-11-30T07:59:00Z", vec![HandoffKind::DayBefore]), // a minute before the hand-off
        ("2026-11-30T08:00:00Z", vec![]),                       // the hand-off has happened
        ("2026-12-27T12:00:00Z", vec![]),                       // the day before the end: no first-run notice
    ] {
        let (sent, _, state) = look(&s, None, now, &all);
        assert_eq!(sent, expected, "first start at {now}");
        // Said once: the next look says nothing more.
        let (again, _, _) = look(&s, Some(&state), now, &all);
        assert!(again.is_empty(), "at {now}: {again:?}");
    }
    let off = NoticesConfig { day_before: false, ..NoticesConfig::default() };
    assert!(look(&s, None, "2026-11-29T18:00:00Z", &off).0.is_empty());
}
