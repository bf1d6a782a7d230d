//! Reminders in working minutes, offers to whoever is working, the day's start and assignments held
//! while I sleep: tables across DST changes, +05:45, +13:45 and Lord Howe's 30-minute DST.

use crate::common::{at, escalation};
use rota_core::config::{minutes_or_off, parse_config};
use rota_core::escalation::{Escalation, EscalationState, Severity};
use rota_core::remind::{self, decide, Context, Prefs, RemindState, Say, Team};
use rota_core::{parse_handbook, parse_roster, Roster, Schedule, Timing};
use rota_testkit::team;

fn schedule(text: &str) -> Schedule {
    let p = parse_handbook("rota.md", text);
    assert!(p.findings.is_empty(), "{:?}", p.findings);
    p.value
}

fn roster(rows: &[[&str; 5]]) -> Roster {
    let p = parse_roster("people.toml", &team::people(rows));
    assert!(p.findings.is_empty(), "{:?}", p.findings);
    p.value
}

/// The whole of 2026 on rotation, handing off at 00:00 UTC.
const YEAR: &str = "| Rotation | Engineers |\n|---|---|\n| 2026-01-01 to 2026-12-31 | @me |\n";
const UTC: Timing = Timing { timezone: chrono_tz::UTC, handoff: 0 };

/// When `minutes` working minutes are over for someone in `zone` with `hours` and `days`, on
/// rotation all year, for an escalation filed at `filed`.
fn reminder_at(zone: &str, hours: &str, days: &str, filed: &str, minutes: u32) -> Option<String> {
    let r = roster(&[["me", "Me", zone, hours, days]]);
    let s = schedule(YEAR);
    let t = Team { schedule: &s, timing: &UTC, roster: &r };
    t.after_working("me", at(filed), minutes).map(|d| d.to_rfc3339())
}

#[test]
fn a_reminder_comes_after_working_minutes_in_the_assignees_zone() {
    #[rustfmt::skip]
    let table = [
        // Filed at 21:50 Berlin (CET) with hours 09:00-18:00: 09:30 the next working day, not 22:20.
        ("Europe/Berlin", "09:00-18:00", "Mon-Fri", "2026-12-07T20:50:00Z", 30, Some("2026-12-08T08:30:00+00:00")),
        // Inside the hours: 30 wall minutes.
        ("Europe/Berlin", "09:00-18:00", "Mon-Fri", "2026-12-07T10:00:00Z", 30, Some("2026-12-07T10:30:00+00:00")),
        // Friday 17:50 CET, the clocks go forward on Sunday: 10 minutes Friday, 20 on Monday at 09:00 CEST.
        ("Europe/Berlin", "09:00-18:00", "Mon-Fri", "2026-03-27T16:50:00Z", 30, Some("2026-03-30T07:20:00+00:00")),
        // And back in October: Monday 09:20 CET.
        ("Europe/Berlin", "09:00-18:00", "Mon-Fri", "2026-10-23T15:50:00Z", 30, Some("2026-10-26T08:20:00+00:00")),
        // Kathmandu, +05:45: filed 16:50, 10 minutes left in the day, then Tuesday 09:20 (03:35Z).
        ("Asia/Kathmandu", "09:00-17:00", "Mon-Fri", "2026-12-07T11:05:00Z", 30, Some("2026-12-08T03:35:00+00:00")),
        // Chatham, +13:45 in December: Monday 17:00 there is after hours; Tuesday 09:30 there.
        ("Pacific/Chatham", "09:00-17:00", "Mon-Fri", "2026-12-07T03:15:00Z", 30, Some("2026-12-07T19:45:00+00:00")),
        // Lord Howe moves 30 minutes on 4 Oct: the Saturday night shift 20:00-04:00 is 7 h 30 min
        // long, so 7 h 30 min end with it and 8 h run into the next Saturday (+11:00).
        ("Australia/Lord_Howe", "20:00-04:00", "Sat", "2026-10-03T09:30:00Z", 450, Some("2026-10-03T17:00:00+00:00")),
        ("Australia/Lord_Howe", "20:00-04:00", "Sat", "2026-10-03T09:30:00Z", 480, Some("2026-10-10T09:30:00+00:00")),
        // A night shift across midnight, in its own days: filed Sunday, Monday's shift counts.
        ("America/New_York", "22:00-06:00", "Mon-Fri", "2026-12-06T15:00:00Z", 30, Some("2026-12-08T03:30:00+00:00")),
    ];
    for (zone, hours, days, filed, minutes, want) in table {
        assert_eq!(reminder_at(zone, hours, days, filed, minutes).as_deref(), want, "{zone} {hours} {days} filed {filed}, {minutes} min");
    }
}

#[test]
fn coverings_take_the_covered_days_out_of_working_time() {
    // Somebody covers for me all Tuesday: Monday 21:50's reminder comes Wednesday 09:30.
    let page = format!("{YEAR}\n| When | Covering | For |\n|---|---|---|\n| 2026-12-08 to 2026-12-08 | @cy | @me |\n");
    let (s, r) = (schedule(&page), roster(&[["me", "Me", "Europe/Berlin", "09:00-18:00", "Mon-Fri"]]));
    let t = Team { schedule: &s, timing: &UTC, roster: &r };
    assert_eq!(t.after_working("me", at("2026-12-07T20:50:00Z"), 30), Some(at("2026-12-09T08:30:00Z")));
    assert_eq!(t.working_minutes("me", at("2026-12-07T08:00:00Z"), at("2026-12-09T09:00:00Z")), 9 * 60 + 60);
    // Off the rotation, no working time at all: no reminder.
    let none = schedule("| Rotation | Engineers |\n|---|---|\n| 2025-01-01 to 2025-01-31 | @me |\n");
    let t = Team { schedule: &none, timing: &UTC, roster: &r };
    assert_eq!(t.after_working("me", at("2026-12-07T20:50:00Z"), 30), None);
}

#[test]
fn ack_within_and_offer_after_read_minutes_hours_or_off() {
    for (text, want) in
        [("30m", Ok(Some(30))), ("2h", Ok(Some(120))), ("1h30m", Ok(Some(90))), (" OFF ", Ok(None)), ("168h", Ok(Some(10_080)))]
    {
        assert_eq!(minutes_or_off("ack_within", text), want, "{text}");
    }
    for bad in ["30", "m", "thirty", "0m", "169h", "-5m", "1d"] {
        assert!(minutes_or_off("ack_within", bad).is_err(), "{bad}");
    }
    let c = parse_config("config.toml", "[escalations]\nack_within = \"45m\"\noffer_after = \"off\"\n[notices]\nday_start = false\n");
    assert!(c.findings.is_empty(), "{:?}", c.findings);
    let p = Prefs::of(&c.value);
    assert_eq!(p, Prefs { ack_within: Some(45), offer_after: None, day_start: false, hold_while_asleep: true });
    assert_eq!(Prefs::of(&rota_core::Config::default()), Prefs::default());
    let bad = parse_config("config.toml", "me = \"x\"\n[escalations]\nack_within = \"soon\"\n");
    assert_eq!(bad.findings.len(), 1);
    assert_eq!(bad.findings[0].line, Some(3), "{:?}", bad.findings);
    assert!(bad.findings[0].message.contains("\"30m\""), "{}", bad.findings[0].message);
}

/// Me (ann) in Berlin 09:00-18:00, Lord Howe (lh) and Bishal in Kathmandu, all on all year.
struct World {
    s: Schedule,
    r: Roster,
}

impl World {
    fn new() -> World {
        World {
            s: schedule("| Rotation | Engineers |\n|---|---|\n| 2026-01-01 to 2026-12-31 | @ann, @lh, @bishal |\n"),
            r: roster(&[
                ["ann", "Ann", "Europe/Berlin", "09:00-18:00", "Mon-Fri"],
                ["lh", "Lord Howe", "Australia/Lord_Howe", "09:00-17:00", "Mon-Fri"],
                ["bishal", "Bishal", "Asia/Kathmandu", "09:00-17:00", "Mon-Fri"],
            ]),
        }
    }

    fn look(&self, me: &str, before: Option<&RemindState>, now: &str, open: &[Escalation], assigned: &[Escalation]) -> remind::Decision {
        self.look_with(me, before, now, open, assigned, Prefs::default())
    }

    fn look_with(
        &self,
        me: &str,
        before: Option<&RemindState>,
        now: &str,
        open: &[Escalation],
        assigned: &[Escalation],
        prefs: Prefs,
    ) -> remind::Decision {
        let cx = Context {
            me,
            now: at(now),
            viewer: chrono_tz::Europe::Berlin,
            team: Team { schedule: &self.s, timing: &UTC, roster: &self.r },
            prefs,
            open,
            assigned,
            reassigned: &[],
            next_handoff: Some(at("2027-01-01T00:00:00Z")),
        };
        decide(before, &cx)
    }
}

fn summaries(d: &remind::Decision) -> Vec<String> {
    d.say
        .iter()
        .map(|s| match s {
            Say::Remind { text, .. } | Say::Offer { text, .. } | Say::DayStart { text, .. } | Say::Release { text, .. } => {
                text.summary.clone()
            }
            Say::Withdraw { id, .. } => format!("withdraw #{id}"),
        })
        .collect()
}

fn only_reminders(d: &remind::Decision) -> Vec<String> {
    summaries(d).into_iter().filter(|s| s.contains("working minutes")).collect()
}

#[test]
fn the_reminder_comes_once_and_not_after_an_acknowledgement() {
    let w = World::new();
    // Filed to me Monday 21:50 Berlin.
    let open = [escalation("12", "Search is down", "ann", EscalationState::Open, at("2026-12-07T20:50:00Z"))];
    let d = w.look("ann", None, "2026-12-07T21:20:00Z", &open, &[]);
    assert!(only_reminders(&d).is_empty(), "not at 22:20: {:?}", summaries(&d));
    let d = w.look("ann", Some(&d.state), "2026-12-08T08:29:00Z", &open, &[]);
    assert!(only_reminders(&d).is_empty(), "{:?}", summaries(&d));
    let d = w.look("ann", Some(&d.state), "2026-12-08T08:30:00Z", &open, &[]);
    assert_eq!(only_reminders(&d), ["#12 has waited 30 working minutes for you"]);
    let Some(Say::Remind { text, .. }) = d.say.iter().find(|s| matches!(s, Say::Remind { .. })) else { panic!() };
    assert_eq!(text.escalation_id.as_deref(), Some("12"), "Acknowledge acts on it");
    let d = w.look("ann", Some(&d.state), "2026-12-08T09:00:00Z", &open, &[]);
    assert!(only_reminders(&d).is_empty(), "once: {:?}", summaries(&d));
    // Acknowledged before its time: never reminded.
    let acked = [escalation("13", "Slow", "ann", EscalationState::Acknowledged, at("2026-12-07T20:50:00Z"))];
    let d = w.look("ann", None, "2026-12-08T12:00:00Z", &acked, &[]);
    assert!(only_reminders(&d).is_empty(), "{:?}", summaries(&d));
    // Turned off.
    let off = Prefs { ack_within: None, ..Prefs::default() };
    assert!(only_reminders(&w.look_with("ann", None, "2026-12-08T12:00:00Z", &open, &[], off)).is_empty());
    // The tray's line and the JSON's count.
    let t = Team { schedule: &w.s, timing: &UTC, roster: &w.r };
    assert!(remind::overdue(&t, &open[0], None, at("2026-12-08T08:30:00Z"), &Prefs::default()));
    // Reassigned to me at 10:00 Berlin: its wait starts then, not when it was filed.
    assert!(!remind::overdue(&t, &open[0], Some(at("2026-12-08T09:00:00Z")), at("2026-12-08T09:29:00Z"), &Prefs::default()));
    assert!(remind::overdue(&t, &open[0], Some(at("2026-12-08T09:00:00Z")), at("2026-12-08T09:30:00Z"), &Prefs::default()));
    assert_eq!(remind::waiting_minutes(&t, &open[0], at("2026-12-08T09:00:00Z")), Some(60));
    assert_eq!(remind::waiting_minutes(&t, &acked[0], at("2026-12-08T09:00:00Z")), None);
    assert_eq!(remind::waiting_line(2).as_deref(), Some("⚠ 2 waiting for your acknowledgement"));
}

#[test]
fn an_unacknowledged_escalation_is_offered_to_the_others_working_and_withdrawn() {
    let w = World::new();
    // Tue 8 Dec 09:00Z: Ann (10:00 Berlin) and Bishal (14:45 Kathmandu) work; Lord Howe sleeps (20:00).
    // Filed to Lord Howe at 07:50Z, sev3: offered after 60 minutes.
    let e = |state| escalation("12", "Search is down", "lh", state, at("2026-12-08T07:50:00Z"));
    let open = [e(EscalationState::Open)];
    let d = w.look("ann", None, "2026-12-08T08:49:00Z", &open, &[]);
    assert!(summaries(&d).iter().all(|s| !s.contains("Take it")), "{:?}", summaries(&d));
    let d = w.look("ann", Some(&d.state), "2026-12-08T08:50:00Z", &open, &[]);
    let offers: Vec<String> = summaries(&d).into_iter().filter(|s| s.contains("Take it")).collect();
    assert_eq!(offers, ["#12 waits for Lord Howe (off hours, 19:50 there) — Take it?"]);
    let t = Team { schedule: &w.s, timing: &UTC, roster: &w.r };
    assert_eq!(remind::offered_to(&t, &open[0], at("2026-12-08T08:50:00Z"), &Prefs::default()), ["ann", "bishal"]);
    // Once.
    let mut state = d.state;
    state.offered.insert("12".into(), Some(7));
    let d = w.look("ann", Some(&state), "2026-12-08T09:00:00Z", &open, &[]);
    assert!(summaries(&d).iter().all(|s| !s.contains("Take it")), "{:?}", summaries(&d));
    // Bishal took it: my offer is withdrawn, its notification closed.
    let taken = [Escalation { assignee: Some("bishal".into()), ..e(EscalationState::Acknowledged) }];
    let d = w.look("ann", Some(&d.state), "2026-12-08T09:05:00Z", &taken, &[]);
    assert_eq!(d.say, [Say::Withdraw { id: "12".into(), notification: Some(7) }]);
    assert!(d.state.offered.is_empty());
}

#[test]
fn a_sev1_to_someone_not_working_is_offered_at_once_and_only_to_those_working() {
    let w = World::new();
    // 16:10Z: Lord Howe asleep at 03:10 there; Ann works (17:10 Berlin); Bishal is off (21:55).
    let sev1 = Escalation {
        severity: Severity::Sev1,
        ..escalation("12", "Checkout down", "lh", EscalationState::Open, at("2026-12-08T16:09:00Z"))
    };
    let d = w.look("ann", None, "2026-12-08T16:10:00Z", std::slice::from_ref(&sev1), &[]);
    let offers: Vec<String> = summaries(&d).into_iter().filter(|s| s.contains("Take it")).collect();
    assert_eq!(offers, ["#12 waits for Lord Howe (asleep, 03:10 there) — Take it?"]);
    let t = Team { schedule: &w.s, timing: &UTC, roster: &w.r };
    assert_eq!(remind::offered_to(&t, &sev1, at("2026-12-08T16:10:00Z"), &Prefs::default()), ["ann"]);
    // Not to Bishal, who is not working; not to Lord Howe, whose it is.
    assert!(w.look("bishal", None, "2026-12-08T16:10:00Z", std::slice::from_ref(&sev1), &[]).say.is_empty());
    // Away is not working: Bishal, away that day, is offered nothing at 08:50.
    let mut away = World::new();
    away.s.away.push(rota_core::away::Away {
        who: "bishal".into(),
        when: rota_core::away::AwayWhen::Days {
            start: chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
            end: chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
        },
        why: "holiday".into(),
        file: None,
        line: None,
    });
    let open = [escalation("14", "Search is down", "lh", EscalationState::Open, at("2026-12-08T07:50:00Z"))];
    let t = Team { schedule: &away.s, timing: &UTC, roster: &away.r };
    assert_eq!(remind::offered_to(&t, &open[0], at("2026-12-08T08:50:00Z"), &Prefs::default()), ["ann"]);
    // A sev3 filed at the same moment waits its hour.
    let sev3 = Escalation { severity: Severity::Sev3, ..sev1 };
    assert!(remind::offered_to(&t, &sev3, at("2026-12-08T16:10:00Z"), &Prefs::default()).is_empty());
}

#[test]
fn the_day_start_comes_once_a_day_within_my_hours() {
    let w = World::new();
    let mine = [escalation("3", "Billing export hangs", "ann", EscalationState::Open, at("2026-12-07T16:00:00Z"))];
    // 08:59 Berlin: not yet.
    let d = w.look("ann", None, "2026-12-08T07:59:00Z", &mine, &[]);
    assert!(d.say.iter().all(|s| !matches!(s, Say::DayStart { .. })));
    // 09:00: once, with who is on with me, my open ones and the next hand-off.
    let d = w.look("ann", Some(&d.state), "2026-12-08T08:00:00Z", &mine, &[]);
    let Some(Say::DayStart { text, .. }) = d.say.iter().find(|s| matches!(s, Say::DayStart { .. })) else { panic!("{:?}", d.say) };
    assert_eq!(text.summary, "Your day on rotation starts: 1 waiting for you");
    assert!(text.body.contains("On with you: Lord Howe (off hours, 19:00 there), Bishal (working, 13:45 there)"), "{}", text.body);
    assert!(text.body.contains("Your open escalations: 1, 1 waiting for acknowledgement, the oldest for 16 h"), "{}", text.body);
    assert!(text.body.contains("Next hand-off: Fri 1 Jan, 01:00 your time"), "{}", text.body);
    // Never twice a day, also after a sleep within the hours.
    let state = d.state;
    let d = w.look("ann", Some(&state), "2026-12-08T14:00:00Z", &mine, &[]);
    assert!(d.say.iter().all(|s| !matches!(s, Say::DayStart { .. })));
    // A first run within my hours: the day under way is past news.
    assert!(w.look("ann", None, "2026-12-08T08:30:00Z", &mine, &[]).say.iter().all(|s| !matches!(s, Say::DayStart { .. })));
    // Woken at 11:00 the next day, within my hours: it still comes.
    let d = w.look("ann", Some(&state), "2026-12-09T10:00:00Z", &mine, &[]);
    assert!(d.say.iter().any(|s| matches!(s, Say::DayStart { .. })));
    // Turned off; or outside my hours (Saturday).
    let off = Prefs { day_start: false, ..Prefs::default() };
    assert!(w.look_with("ann", None, "2026-12-08T08:00:00Z", &mine, &[], off).say.iter().all(|s| !matches!(s, Say::DayStart { .. })));
    assert!(w.look("ann", None, "2026-12-12T10:00:00Z", &mine, &[]).say.iter().all(|s| !matches!(s, Say::DayStart { .. })));
}

#[test]
fn a_sev3_assigned_while_i_sleep_is_held_for_the_day_start_and_a_sev1_is_not() {
    let w = World::new();
    // 02:00 Berlin (01:00Z): asleep.
    let sev3 =
        Escalation { severity: Severity::Sev3, ..escalation("5", "Slow search", "ann", EscalationState::Open, at("2026-12-08T00:55:00Z")) };
    let sev1 = Escalation {
        severity: Severity::Sev1,
        ..escalation("6", "Checkout down", "ann", EscalationState::Open, at("2026-12-08T00:56:00Z"))
    };
    let open = [sev3.clone(), sev1.clone()];
    let d = w.look("ann", None, "2026-12-08T01:00:00Z", &open, &open);
    assert_eq!(d.held_now, ["5"], "the sev1 is said at once");
    // Said at 09:00 in the day's start, and not reminded of before it.
    let d = w.look("ann", Some(&d.state), "2026-12-08T08:00:00Z", &open, &[]);
    let Some(Say::DayStart { text, released, .. }) = d.say.iter().find(|s| matches!(s, Say::DayStart { .. })) else {
        panic!("{:?}", d.say)
    };
    assert_eq!(released, &["5".to_owned()]);
    assert!(text.body.contains("While you slept: #5 Slow search (sev3)"), "{}", text.body);
    assert!(d.state.held.is_empty());
    // With the day's start off, it is said on its own when my day starts.
    let off = Prefs { day_start: false, ..Prefs::default() };
    let d = w.look_with("ann", None, "2026-12-08T01:00:00Z", &open, &open, off);
    assert_eq!(d.held_now, ["5"]);
    let d = w.look_with("ann", Some(&d.state), "2026-12-08T08:00:00Z", &open, &[], off);
    assert!(summaries(&d).contains(&"New escalation: Slow search".to_owned()), "{:?}", summaries(&d));
    // Holding turned off: nothing held.
    let keep = Prefs { hold_while_asleep: false, ..Prefs::default() };
    assert!(w.look_with("ann", None, "2026-12-08T01:00:00Z", &open, &open, keep).held_now.is_empty());
}

#[test]
fn what_could_not_be_shown_is_said_again() {
    let w = World::new();
    let open = [escalation("12", "Search is down", "ann", EscalationState::Open, at("2026-12-07T20:50:00Z"))];
    let mut d = w.look("ann", None, "2026-12-08T08:30:00Z", &open, &[]);
    for s in d.say.clone() {
        d.state.unsay(&s);
    }
    let again = w.look("ann", Some(&d.state), "2026-12-08T08:31:00Z", &open, &[]);
    assert_eq!(summaries(&again).len(), d.say.len(), "{:?}", summaries(&again));
}

#[test]
fn an_old_escalation_reassigned_to_me_waits_from_the_reassignment() {
    let w = World::new();
    // Filed to Lord Howe on Monday, reassigned to me Tuesday 10:00 Berlin.
    let open = [escalation("7", "Old one", "ann", EscalationState::Open, at("2026-12-07T08:00:00Z"))];
    let look = |before: Option<&RemindState>, now: &str, reassigned: &[String]| {
        let cx = Context {
            me: "ann",
            now: at(now),
            viewer: chrono_tz::Europe::Berlin,
            team: Team { schedule: &w.s, timing: &UTC, roster: &w.r },
            prefs: Prefs::default(),
            open: &open,
            assigned: &open,
            reassigned,
            next_handoff: None,
        };
        decide(before, &cx)
    };
    let d = look(
        Some(&RemindState { me: "ann".into(), day: Some(crate::common::day("2026-12-08")), ..Default::default() }),
        "2026-12-08T09:00:00Z",
        &["7".to_owned()],
    );
    assert!(only_reminders(&d).is_empty(), "not at once: {:?}", summaries(&d));
    assert_eq!(d.state.since.get("7"), Some(&at("2026-12-08T09:00:00Z")));
    let d = look(Some(&d.state), "2026-12-08T09:29:00Z", &[]);
    assert!(only_reminders(&d).is_empty(), "{:?}", summaries(&d));
    let d = look(Some(&d.state), "2026-12-08T09:30:00Z", &[]);
    assert_eq!(only_reminders(&d), ["#7 has waited 30 working minutes for you"]);
}
