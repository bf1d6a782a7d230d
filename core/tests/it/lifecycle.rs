//! An escalation's life: which action each state allows, and that taking an action
//! again changes nothing.

use crate::common;
use chrono::{DateTime, TimeZone, Utc};
use rota_core::escalation::{Escalation, EscalationState};
use rota_core::lifecycle::{engaged_team, first_response, offered, plan, resolved_at, Action, ActionKind, HistoryEntry, Plan};

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

fn esc(state: EscalationState, assignee: &str, team: Option<&str>) -> Escalation {
    Escalation {
        reporter: Some("sam".into()),
        team: team.map(Into::into),
        ..common::escalation("7", "Search is down", assignee, state, at(0))
    }
}

/// The outcome as a short string: `unchanged`, `-> acknowledged ann`, `-> handed_to_engineering ann search`, `refused`.
fn describe(r: Result<Plan, rota_core::lifecycle::NotAllowed>) -> String {
    match r {
        Ok(Plan::Unchanged) => "unchanged".into(),
        Ok(Plan::Change { state, assignee, team }) => {
            let mut s = format!("-> {state} {}", assignee.unwrap_or_default());
            if let Some(t) = team {
                s.push_str(&format!(" {t}"));
            }
            s
        }
        Err(_) => "refused".into(),
    }
}

#[test]
fn each_action_from_each_state() {
    use EscalationState::*;
    let ack = Action::Acknowledge;
    let resolve = Action::Resolve { note: Some("restarted the indexer".into()) };
    let engage = |t: &str| Action::Engage { team: t.into(), url: None };
    let reassign = |to: &str| Action::Reassign { to: to.into(), note: None };
    let reopen = Action::Reopen;
    let check = |state, team: Option<&str>, action: &Action, expected: &str| {
        assert_eq!(describe(plan(&esc(state, "ann", team), action)), expected, "{state} {action:?}");
    };
    check(Open, None, &ack, "-> acknowledged ann");
    check(Acknowledged, None, &ack, "unchanged");
    check(HandedToEngineering, Some("search"), &ack, "unchanged");
    check(Resolved, None, &ack, "refused");
    check(Queued, None, &ack, "refused");

    check(Open, None, &resolve, "-> resolved ann");
    check(Acknowledged, None, &resolve, "-> resolved ann");
    check(HandedToEngineering, Some("search"), &resolve, "-> resolved ann search");
    check(Resolved, None, &resolve, "unchanged");
    check(Queued, None, &resolve, "refused");

    check(Open, None, &engage("search"), "-> handed_to_engineering ann search");
    check(Acknowledged, None, &engage("search"), "-> handed_to_engineering ann search");
    check(HandedToEngineering, Some("search"), &engage("Search"), "unchanged");
    check(HandedToEngineering, Some("search"), &engage("billing"), "-> handed_to_engineering ann billing");
    check(Resolved, None, &engage("search"), "refused");

    check(Open, None, &reassign("bob"), "-> open bob");
    check(Acknowledged, None, &reassign("bob"), "-> acknowledged bob");
    check(HandedToEngineering, Some("search"), &reassign("bob"), "-> handed_to_engineering bob search");
    check(Acknowledged, None, &reassign("ANN"), "unchanged");
    check(Resolved, None, &reassign("bob"), "refused");

    check(Resolved, Some("search"), &reopen, "-> open ann search");
    check(Open, None, &reopen, "unchanged");
    check(Acknowledged, None, &reopen, "unchanged");
    check(HandedToEngineering, None, &reopen, "unchanged");
    check(Queued, None, &reopen, "refused");
}

#[test]
fn a_refusal_says_what_to_do_instead() {
    let e = plan(&esc(EscalationState::Resolved, "ann", None), &Action::Acknowledge).unwrap_err();
    assert_eq!(e.to_string(), "escalation 7 is resolved, so there is nothing to acknowledge: reopen it first (`rota reopen 7`)");
    let e = plan(&esc(EscalationState::Queued, "ann", None), &Action::Reopen).unwrap_err();
    assert!(e.to_string().contains("still waiting in the outbox"), "{e}");
}

#[test]
fn every_action_is_idempotent() {
    use EscalationState::*;
    let actions = [
        Action::Acknowledge,
        Action::Resolve { note: None },
        Action::Engage { team: "search".into(), url: Some("https://x/1".into()) },
        Action::Reassign { to: "bob".into(), note: None },
        Action::Reopen,
    ];
    for start in [Open, Acknowledged, HandedToEngineering, Resolved] {
        for action in &actions {
            let mut e = esc(start, "ann", None);
            if let Ok(Plan::Change { state, assignee, team }) = plan(&e, action) {
                (e.state, e.assignee, e.team) = (state, assignee, team);
                assert_eq!(plan(&e, action), Ok(Plan::Unchanged), "{start} then {action:?} twice");
            }
        }
    }
}

#[test]
fn response_and_resolution_times_come_from_the_history() {
    use EscalationState::*;
    let h = |m, state, team: Option<&str>| HistoryEntry {
        state,
        by: Some("ann".into()),
        at: at(m),
        note: None,
        team: team.map(Into::into),
        assignee: None,
    };
    let life = [
        h(0, Open, None),
        h(12, HandedToEngineering, Some("search")),
        h(40, Resolved, Some("search")),
        h(50, Open, None),
        h(90, Resolved, None),
    ];
    assert_eq!(first_response(&life), Some(at(12)), "engaging is a response");
    assert_eq!(resolved_at(&life), Some(at(90)), "the last resolution counts");
    assert_eq!(engaged_team(&life), Some(Some("search")));
    assert_eq!(resolved_at(&life[..4]), None, "reopened: not resolved");
    assert_eq!(first_response(&life[..1]), None);
    assert_eq!(engaged_team(&life[..1]), None);
}

/// Take: mine and acknowledged in one change; mine already, nothing; resolved, refused.
#[test]
fn take_makes_it_mine_and_acknowledged_in_one_change() {
    use EscalationState::*;
    let take = Action::Take { me: "bob".into() };
    #[rustfmt::skip]
    let table = [
        (Open, "ann", Ok(Some((Acknowledged, "bob")))),
        (Acknowledged, "ann", Ok(Some((Acknowledged, "bob")))),
        (HandedToEngineering, "ann", Ok(Some((HandedToEngineering, "bob")))),
        (Open, "bob", Ok(Some((Acknowledged, "bob")))),
        (Acknowledged, "Bob", Ok(None)),
        (Resolved, "ann", Err(())),
        (Queued, "ann", Err(())),
    ];
    for (state, assignee, want) in table {
        let got = match plan(&esc(state, assignee, Some("search")), &take) {
            Ok(Plan::Change { state, assignee, team }) => {
                assert_eq!(team.as_deref(), Some("search"));
                Ok(Some((state, assignee.unwrap_or_default())))
            }
            Ok(Plan::Unchanged) => Ok(None),
            Err(_) => Err(()),
        };
        assert_eq!(got, want.map(|w| w.map(|(s, a)| (s, a.to_owned()))), "{state} {assignee}");
    }
    assert_eq!(take.done("12", "Bob"), "Took escalation 12: it is yours, acknowledged");
}

/// What the tray and the dashboard offer is exactly what changes something: an offered action
/// plans a change, one not offered is unchanged or refused.
#[test]
fn the_actions_offered_are_those_that_change_something() {
    use EscalationState::*;
    let action = |k: ActionKind| match k {
        ActionKind::Acknowledge => Action::Acknowledge,
        ActionKind::Resolve => Action::Resolve { note: None },
        ActionKind::Engage => Action::Engage { team: "another team".into(), url: None },
        ActionKind::Reassign => Action::Reassign { to: "someone else".into(), note: None },
        ActionKind::Reopen => Action::Reopen,
        ActionKind::Take => Action::Take { me: "bob".into() },
    };
    for state in [Open, Acknowledged, HandedToEngineering, Resolved, Queued] {
        let e = esc(state, "ann", Some("search"));
        for k in ActionKind::ALL {
            let changes = matches!(plan(&e, &action(k)), Ok(Plan::Change { .. }));
            assert_eq!(offered(&e).contains(&k), changes, "{state} {k:?}");
        }
    }
    assert_eq!(offered(&esc(Open, "ann", None)), [ActionKind::Acknowledge, ActionKind::Resolve, ActionKind::Engage, ActionKind::Reassign]);
    assert_eq!(offered(&esc(Resolved, "ann", None)), [ActionKind::Reopen]);
}

#[test]
fn an_action_not_offered_says_why_in_the_states_words() {
    use rota_core::lifecycle::refusal;
    let resolved = esc(EscalationState::Resolved, "ann", None);
    let why = refusal(&resolved, ActionKind::Engage).expect("a resolved escalation cannot be engaged").to_string();
    assert!(why.contains("resolved") && why.contains("engage engineering on") && why.contains("reopen"), "{why}");
    assert!(refusal(&resolved, ActionKind::Reopen).is_none());
    assert!(refusal(&esc(EscalationState::Acknowledged, "ann", None), ActionKind::Reassign).is_none());
    assert!(refusal(&esc(EscalationState::Queued, "ann", None), ActionKind::Reassign).unwrap().to_string().contains("outbox"));
}

#[test]
fn a_team_name_fits_a_github_label() {
    use rota_core::lifecycle::team_name;
    assert_eq!(team_name("  search-infra "), Ok("search-infra".into()));
    assert!(team_name("   ").is_err());
    assert!(team_name("search, billing").is_err());
    assert!(team_name("search\ninfra").is_err());
    assert_eq!(team_name(&"é".repeat(45)).map(|t| t.chars().count()), Ok(45));
    let too_long = team_name(&"é".repeat(46)).unwrap_err();
    assert!(too_long.contains(&rota_core::lifecycle::TEAM_NAME_MAX.to_string()), "{too_long}");
}

#[test]
fn what_was_done_in_one_sentence() {
    let engage = Action::Engage { team: "search".into(), url: Some("https://tracker.example.com/S-1".into()) };
    assert_eq!(engage.done("12", ""), "Engaged engineering (search) on escalation 12");
    assert_eq!(Action::Reassign { to: "ann".into(), note: None }.done("12", "Ann Lee"), "Reassigned escalation 12 to Ann Lee");
    assert_eq!(Action::Reopen.done("3", ""), "Reopened escalation 3");
    for kind in ActionKind::ALL {
        assert!(!kind.verb().is_empty());
    }
}
