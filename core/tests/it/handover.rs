//! The hand-over at rotation end as a pure plan: who leaves, to whom each open escalation goes
//! (the policy at the hand-off instant), who keeps theirs, that resolved ones stay and that a
//! second plan moves nothing — with the hand-off on Lord Howe's 30-minute DST change, and the
//! team in +05:45 and +13:45.

use crate::common::{at, day, escalation};
use rota_core::escalation::{Escalation, EscalationState::*};
use rota_core::handover::{handoff, offer, plan, Kept, Move, Which};
use rota_core::{parse_handbook, parse_roster, Roster, Schedule, Timing};

const PEOPLE: &str = "[[person]]\nhandle = \"ann\"\ntimezone = \"Europe/Berlin\"\n\n\
[[person]]\nhandle = \"bishal\"\ntimezone = \"Asia/Kathmandu\"\n\n\
[[person]]\nhandle = \"cat\"\ntimezone = \"Pacific/Chatham\"\ndays = \"Mon-Sun\"\n\n\
[[person]]\nhandle = \"lou\"\ntimezone = \"Australia/Lord_Howe\"\ndays = \"Mon-Sun\"\n";

fn roster() -> Roster {
    let r = parse_roster("people.toml", PEOPLE);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    r.value
}

/// A (ann, bishal) to Sun 4 Oct 2026, then B (bishal, cat, lou); hand-offs at 09:00 Lord Howe.
fn schedule(extra: &str) -> Schedule {
    let text = format!("| Rotation | Engineers |\n| --- | --- |\n| 2026-09-07 to 2026-10-04 | @ann, @bishal |\n| 2026-10-05 to 2026-11-15 | @bishal, @cat, @lou |\n\n{extra}");
    let p = parse_handbook("rota.md", &text);
    assert!(p.findings.is_empty(), "{:?}", p.findings);
    p.value
}

fn timing() -> Timing {
    Timing { timezone: "Australia/Lord_Howe".parse().unwrap(), handoff: 9 * 60 }
}

fn escalations() -> Vec<Escalation> {
    let t = at("2026-10-01T00:00:00Z");
    vec![
        escalation("1", "Login loop", "ann", Open, t),
        escalation("2", "Search is down", "ann", Acknowledged, t + chrono::Duration::minutes(1)),
        escalation("3", "Old one", "ann", Resolved, t + chrono::Duration::minutes(2)),
        escalation("4", "Billing", "bishal", Open, t + chrono::Duration::minutes(3)),
        escalation("10", "Index lag", "ann", HandedToEngineering, t + chrono::Duration::minutes(4)),
    ]
}

fn mv(id: &str, title: &str, to: &str, reason: &str) -> Move {
    Move { id: id.into(), title: title.into(), from: "ann".into(), to: to.into(), reason: reason.into() }
}

#[test]
fn the_hand_off_falls_on_lord_howes_new_offset() {
    let s = schedule("");
    // Lord Howe moves from +10:30 to +11:00 at 02:00 on 4 Oct: 09:00 on 5 Oct is 22:00Z, not 22:30Z.
    assert_eq!(handoff(&s, &timing(), Which::Next, at("2026-10-04T12:00:00Z")), Ok(at("2026-10-04T22:00:00Z")));
    assert_eq!(handoff(&s, &timing(), Which::EndOf(day("2026-09-07")), at("2026-09-10T00:00:00Z")), Ok(at("2026-10-04T22:00:00Z")));
    assert_eq!(
        handoff(&s, &timing(), Which::EndOf(day("2026-09-08")), at("2026-09-10T00:00:00Z")),
        Err("no rotation starts on 2026-09-08; `rota schedule` lists them".into())
    );
}

#[test]
fn the_leavers_open_escalations_go_to_the_working_incoming_fewest_open_first() {
    let (s, r) = (schedule(""), roster());
    let p = plan(&s, &r, &timing(), &escalations(), at("2026-10-04T22:00:00Z"));
    // At the hand-off: Lou 09:00 (+11:00) and Cat 11:45 (+13:45) working, Bishal 03:45 asleep.
    // Lou has more of her day left, so she takes the first; then the fewest open.
    assert_eq!(
        p.moves,
        [
            mv("1", "Login loop", "lou", "working at the hand-off, 0 open"),
            mv("2", "Search is down", "cat", "working at the hand-off, 0 open"),
            mv("10", "Index lag", "lou", "working at the hand-off, 1 open"),
        ]
    );
    // Bishal is on both rotations: he keeps his. The resolved one is nobody's business.
    assert_eq!(p.kept, [Kept { id: "4".into(), who: "bishal".into() }]);
    assert!(p.stranded.is_empty());

    // Carried out, a second plan moves nothing.
    let mut after = escalations();
    for m in &p.moves {
        after.iter_mut().find(|e| e.id == m.id).unwrap().assignee = Some(m.to.clone());
    }
    let again = plan(&s, &r, &timing(), &after, p.handoff);
    assert!(again.moves.is_empty(), "{:?}", again.moves);
    assert_eq!(again.kept, p.kept);
}

#[test]
fn an_incoming_engineer_away_at_the_hand_off_gets_nothing() {
    let s = schedule("| Who | When | Why |\n| --- | --- | --- |\n| lou | 2026-10-05 to 2026-10-09 | holiday |\n");
    let p = plan(&s, &roster(), &timing(), &escalations(), at("2026-10-04T22:00:00Z"));
    let to: Vec<&str> = p.moves.iter().map(|m| m.to.as_str()).collect();
    // Cat is the only one working; Bishal asleep ranks after her whatever the counts.
    assert_eq!(to, ["cat", "cat", "cat"]);
}

#[test]
fn with_nobody_coming_in_the_escalations_stay_stranded() {
    let text =
        "| Rotation | Engineers |\n| --- | --- |\n| 2026-09-07 to 2026-10-04 | @ann, @bishal |\n| 2026-10-05 to 2026-11-15 | TBD |\n";
    let s = parse_handbook("rota.md", text).value;
    let p = plan(&s, &roster(), &timing(), &escalations(), at("2026-10-04T22:00:00Z"));
    assert!(p.moves.is_empty());
    let ids: Vec<&str> = p.stranded.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "4", "10"]);
}

#[test]
fn the_tray_offers_the_hand_over_on_the_last_day_only_to_a_leaver() {
    let p = plan(&schedule(""), &roster(), &timing(), &escalations(), at("2026-10-04T22:00:00Z"));
    let cases = [
        ("ann", "2026-10-04T00:00:00Z", Some("Hand over 3 open escalations…")),
        ("ann", "2026-10-03T21:59:00Z", None),    // more than a day before
        ("ann", "2026-10-04T22:00:00Z", None),    // the hand-off is past
        ("bishal", "2026-10-04T12:00:00Z", None), // stays on
    ];
    for (me, now, want) in cases {
        assert_eq!(offer(&p, me, at(now)).as_deref(), want, "{me} at {now}");
    }
}
