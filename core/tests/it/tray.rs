//! The tray model: what both tray hosts draw, decided and tested here once.

use crate::common;
use common::{at, page, roster};
use rota_core::escalation::{Escalation, EscalationState, Severity};
use rota_core::tray::{next_tick, tray_model, EscalationsSummary, MenuAction, MenuEntry, TrayInputs, TrayModel, TrayState};
use rota_core::{glance, Finding, Problem, Rule, Schedule, Timing};

const HEADER: &str = "Rotation 7 Sep – 9 Oct 2022";
const FOOT: [&str; 5] = ["Escalate…", "Open dashboard", "Settings…", "Start at login", "Quit"];

fn schedule() -> Schedule {
    page(&[("2022-09-07 to 2022-10-09", "@keegancsmith, @valerybugakov, @nobody"), ("2022-10-10 to 2022-11-07", "@tbliu98, TBD, TBD")])
}

fn people() -> rota_core::Roster {
    roster(&[
        ("keegancsmith", "Africa/Johannesburg", "09:00-17:00", "Mon-Fri"),
        ("valerybugakov", "Asia/Kathmandu", "09:00-17:00", "Mon-Fri"),
    ])
}

fn escalation(id: &str, title: &str, state: EscalationState) -> Escalation {
    Escalation {
        id: id.into(),
        title: title.into(),
        customer: Some("Acme".into()),
        severity: Severity::Sev2,
        url: Some(format!("https://example.com/{id}")),
        page: None,
        details: String::new(),
        reporter: None,
        assignee: Some("keegancsmith".into()),
        state,
        created_at: at("2022-09-15T11:00:00Z"),
        client_key: None,
        team: None,
    }
}

/// What a test sets beside the glance.
#[derive(Default)]
struct Extra<'x> {
    /// Who I am (default keegancsmith) and the instant (default 2022-09-15 12:00 UTC).
    me: Option<&'x str>,
    at: Option<&'x str>,
    shortcut: Option<&'x str>,
    demo: Option<&'x str>,
    problems: &'x [Problem],
    escalations: Option<&'x EscalationsSummary>,
    outbox_waiting: usize,
    outbox_refused: usize,
    start_at_login: bool,
    hand_over: Option<&'x str>,
    slack: Option<&'x str>,
}

/// The model at 2022-09-15 12:00 UTC for me = keegancsmith, with `extra`.
fn model(extra: Extra) -> TrayModel {
    let (s, r, t) = (schedule(), people(), Timing::default());
    let me = extra.me.unwrap_or("keegancsmith");
    let g = glance(&s, &r, &t, chrono_tz::UTC, Some(me), at(extra.at.unwrap_or("2022-09-15T12:00:00Z")));
    tray_model(&TrayInputs {
        glance: &g,
        me: Some(me),
        shortcut: extra.shortcut,
        timing: &t,
        demo: extra.demo,
        problems: extra.problems,
        escalations: extra.escalations,
        outbox_waiting: extra.outbox_waiting,
        outbox_refused: extra.outbox_refused,
        backend: rota_core::config::Backend::Github,
        start_at_login: extra.start_at_login,
        my_next: None,
        hand_over: extra.hand_over,
        slack: extra.slack,
    })
}

fn find<'m>(entries: &'m [MenuEntry], label: &str) -> &'m MenuEntry {
    entries.iter().find(|e| e.label() == label).unwrap_or_else(|| panic!("no entry {label:?} in {entries:?}"))
}

#[test]
fn the_glance_then_the_actions() {
    let m = model(Extra::default());
    assert_eq!(
        m.labels(),
        [
            HEADER,
            // Names whole; the countdown gives way first.
            "keegancsmith (you) — 14:00 SAST · working",
            "valerybugakov — 17:45 UTC+05:45 · off hours",
            "nobody — not in the roster",
            "Next: Mon 10 Oct 00:00, in about 25 days — tbliu98 + 2 TBD",
            "---",
        ]
        .into_iter()
        .chain(FOOT)
        .collect::<Vec<_>>()
    );
    // The glance's lines are read, not clicked; the actions are clicked.
    assert_eq!(find(&m.entries, HEADER), &MenuEntry::Item { label: HEADER.into(), action: None });
    assert_eq!(find(&m.entries, "Quit"), &MenuEntry::Item { label: "Quit".into(), action: Some(MenuAction::Quit) });
    assert_eq!(
        find(&m.entries, "Start at login"),
        &MenuEntry::Check { label: "Start at login".into(), action: MenuAction::StartAtLogin, checked: false }
    );
    assert!(matches!(
        find(&model(Extra { start_at_login: true, ..Default::default() }).entries, "Start at login"),
        MenuEntry::Check { checked: true, .. }
    ));
    assert_eq!(m.state, TrayState::OnDuty);
    // The tooltip answers the question in one sentence, the hand-off in my zone (UTC here).
    assert_eq!(m.tooltip, "1 of 3 working now — next hand-off Mon 10 Oct 00:00");
    // A person's line is read and clicked (it opens the dashboard at their card), not greyed out.
    assert_eq!(
        find(&m.entries, "nobody — not in the roster"),
        &MenuEntry::Item { label: "nobody — not in the roster".into(), action: Some(MenuAction::Person("nobody".into())) }
    );
    // Every glance line fits a menu: at most 60 characters.
    for line in &m.labels()[..5] {
        assert!(line.chars().count() <= 60, "{line:?} is {} characters", line.chars().count());
    }
}

#[test]
fn problems_demo_and_the_outbox() {
    let problems = [Problem::from(Finding::new(Rule::Syntax, "/home/k/rota.md", Some(6), "bad row"))];
    let m = model(Extra { problems: &problems, demo: Some("builtin:demo"), outbox_waiting: 2, ..Default::default() });
    let labels = m.labels();
    assert_eq!(labels[..3], [HEADER, "⚠ rota.md:6: bad row", "Demo team: set your schedule in Settings"]);
    assert!(labels.contains(&"2 escalations waiting to send".to_owned()), "{labels:?}");
    assert_eq!(m.state, TrayState::Attention);
    assert!(model(Extra { outbox_waiting: 1, ..Default::default() }).labels().contains(&"1 escalation waiting to send".to_owned()));
}

#[test]
fn my_escalations_are_a_submenu_and_an_unacknowledged_one_wants_attention() {
    let summary = EscalationsSummary {
        mine: vec![escalation("7", "Search is down", EscalationState::Open), escalation("3", "Slow builds", EscalationState::Acknowledged)],
        unacknowledged: true,
        problem: Some("GitHub token rejected".into()),
        ..Default::default()
    };
    let m = model(Extra { escalations: Some(&summary), ..Default::default() });
    let labels = m.labels();
    let at = labels.iter().position(|l| l == "My escalations (2)").expect("the submenu");
    // Each is a submenu of its actions; Acknowledge only while it is open.
    let actions = ["Open", "Acknowledge", "Resolve", "Engage engineering…", "Reassign…"];
    let expected: Vec<&str> = ["Search is down — Acme · sev2"]
        .into_iter()
        .chain(actions)
        .chain(["Slow builds — Acme · sev2 · acknowledged"])
        .chain(actions.into_iter().filter(|a| *a != "Acknowledge"))
        .collect();
    assert_eq!(labels[at + 1..at + 1 + expected.len()], expected);
    assert!(labels.contains(&"⚠ GitHub token rejected".to_owned()));
    assert_eq!(m.state, TrayState::Attention);
    // With none of mine unacknowledged and nothing wrong, the icon says whether I am on duty.
    let calm = EscalationsSummary { unacknowledged: false, ..summary.clone() };
    assert_eq!(model(Extra { escalations: Some(&calm), ..Default::default() }).state, TrayState::OnDuty);
    // No escalations: no submenu at all.
    let none = EscalationsSummary::default();
    assert!(!model(Extra { escalations: Some(&none), ..Default::default() }).labels().iter().any(|l| l.starts_with("My escalations")));
}

#[test]
fn what_waits_for_my_acknowledgement_and_for_a_hand_is_in_the_menu() {
    let theirs = Escalation { assignee: Some("valerybugakov".into()), ..escalation("12", "Search is down", EscalationState::Open) };
    let summary = EscalationsSummary {
        mine: vec![escalation("7", "Slow builds", EscalationState::Open)],
        waiting: 2,
        offered: vec![theirs],
        ..Default::default()
    };
    let m = model(Extra { escalations: Some(&summary), ..Default::default() });
    let labels = m.labels();
    assert!(labels.contains(&"⚠ 2 waiting for your acknowledgement".to_owned()), "{labels:?}");
    let at = labels.iter().position(|l| l == "Waiting for a hand (1)").expect("the submenu");
    assert_eq!(labels[at + 1..at + 4], ["#12 Search is down — waits for valerybugakov", "Take", "Open"]);
    assert_eq!(m.state, TrayState::Attention);
    let Some(MenuEntry::Submenu { entries, .. }) = m.entries.iter().find(|e| e.label() == "Waiting for a hand (1)") else { panic!() };
    let MenuEntry::Submenu { entries, .. } = &entries[0] else { panic!() };
    assert_eq!(entries[0], MenuEntry::Item { label: "Take".into(), action: Some(MenuAction::TakeEscalation("12".into())) });
    // Nothing waiting: neither line.
    let calm = model(Extra { escalations: Some(&EscalationsSummary::default()), ..Default::default() }).labels();
    assert!(!calm.iter().any(|l| l.contains("waiting for your") || l.starts_with("Waiting for a hand")), "{calm:?}");
}

/// A menu item names its escalation by id, so a click on a menu drawn before a new
/// assignment still opens the escalation that was clicked, not whichever now sits in its place.
#[test]
fn issue_11_a_click_opens_the_escalation_clicked_after_the_list_changed() {
    fn action_of(m: &TrayModel, label: &str) -> MenuAction {
        let Some(MenuEntry::Submenu { entries, .. }) = m.entries.iter().find(|e| e.label().starts_with("My escalations")) else {
            panic!("no submenu in {:?}", m.labels())
        };
        let MenuEntry::Submenu { entries, .. } = find(entries, label) else { panic!("{label} is no submenu") };
        match find(entries, "Open") {
            MenuEntry::Item { action: Some(a), .. } => a.clone(),
            e => panic!("{e:?} has no action"),
        }
    }
    let before = EscalationsSummary { mine: vec![escalation("3", "Slow builds", EscalationState::Open)], ..Default::default() };
    let clicked = action_of(&model(Extra { escalations: Some(&before), ..Default::default() }), "Slow builds — Acme · sev2");
    // A new assignment arrives, newest first: "Slow builds" is no longer the first entry.
    let after = EscalationsSummary {
        mine: vec![escalation("9", "Login fails", EscalationState::Open), escalation("3", "Slow builds", EscalationState::Open)],
        ..Default::default()
    };
    let now_first = action_of(&model(Extra { escalations: Some(&after), ..Default::default() }), "Login fails — Acme · sev2");
    assert_eq!(clicked, MenuAction::OpenEscalation("3".into()));
    assert_ne!(clicked, now_first);
    // The id survives a host's string ids (Tauri's menus) too.
    assert_eq!(MenuAction::from_id(&clicked.id()), Some(clicked));
}

#[test]
fn action_ids_round_trip() {
    let id = || "acme/escalations#12".to_owned();
    let per_escalation = [
        MenuAction::OpenEscalation(id()),
        MenuAction::AcknowledgeEscalation(id()),
        MenuAction::ResolveEscalation(id()),
        MenuAction::EngageEscalation(id()),
        MenuAction::ReassignEscalation(id()),
        MenuAction::TakeEscalation(id()),
    ];
    for a in MenuAction::FOOT.into_iter().chain(per_escalation) {
        assert_eq!(MenuAction::from_id(&a.id()), Some(a.clone()), "{a:?}");
    }
    assert_eq!(MenuAction::from_id("nonsense"), None);
}

#[test]
fn no_rotation_says_so() {
    let m = model(Extra { at: Some("2030-01-01T00:00:00Z"), ..Default::default() });
    assert_eq!(m.state, TrayState::OffDuty);
    assert_eq!(m.tooltip, "No one on rotation");
}

#[test]
fn the_clock_ticks_on_minute_boundaries() {
    assert_eq!(next_tick(at("2022-09-15T12:00:30Z")), at("2022-09-15T12:01:00Z"));
    assert_eq!(next_tick(at("2022-09-15T12:00:00Z")), at("2022-09-15T12:01:00Z"));
}

/// An escalation the backend refused stays in sight: a line that opens the escalate
/// window (where it is fixed and resent), and the attention icon.
#[test]
fn a_refused_escalation_is_a_line_that_opens_the_escalate_window() {
    let m = model(Extra { outbox_refused: 1, ..Default::default() });
    let line = "⚠ 1 escalation refused by GitHub — fix and resend";
    assert_eq!(find(&m.entries, line), &MenuEntry::Item { label: line.into(), action: Some(MenuAction::Escalate) });
    assert_eq!(m.state, TrayState::Attention);
    assert!(!model(Extra::default()).labels().iter().any(|l| l.contains("refused")));
}

/// My line comes first and says "(you)", even when others are working and I am not;
/// Escalate… shows its shortcut.
#[test]
fn my_line_first_and_the_shortcut_beside_escalate() {
    let m = model(Extra { me: Some("valerybugakov"), shortcut: Some("Ctrl+Alt+E"), ..Default::default() });
    let labels = m.labels();
    assert_eq!(labels[1], "valerybugakov (you) — 17:45 UTC+05:45 · off hours", "{labels:?}");
    assert!(labels[2].starts_with("keegancsmith — 14:00 SAST · working"), "{labels:?}");
    assert_eq!(
        find(&m.entries, "Escalate…  Ctrl+Alt+E"),
        &MenuEntry::Item { label: "Escalate…  Ctrl+Alt+E".into(), action: Some(MenuAction::Escalate) }
    );
}

/// On the last day of my rotation the menu offers the hand-over, below my escalations; a click is
/// the closed action `HandOver`, which round-trips through its id.
#[test]
fn the_hand_over_is_offered_below_my_escalations() {
    let m = model(Extra { hand_over: Some("Hand over 3 open escalations…"), ..Extra::default() });
    let i = m.entries.iter().position(|e| e.label() == "Hand over 3 open escalations…").expect("the offer");
    assert!(matches!(&m.entries[i], MenuEntry::Item { action: Some(MenuAction::HandOver), .. }));
    assert_eq!(m.entries[i + 1].label(), "Escalate…");
    assert_eq!(MenuAction::from_id(&MenuAction::HandOver.id()), Some(MenuAction::HandOver));
    assert!(!model(Extra::default()).labels().iter().any(|l| l.starts_with("Hand over")));
}

/// While the tray keeps the Slack group, its state is a line under the next hand-off.
#[test]
fn the_slack_group_line_sits_under_the_next_hand_off() {
    let line = rota_core::slack::Outcome::InStep.line();
    assert_eq!(line, "Slack user group: in step");
    let m = model(Extra { slack: Some(&line), ..Extra::default() });
    let labels: Vec<String> = m.entries.iter().map(|e| e.label().to_owned()).collect();
    let at = labels.iter().position(|l| l == &line).expect("the Slack line");
    assert!(labels[at - 1].starts_with("Next:") || labels[at - 1].starts_with("Rotation ends"), "{labels:?}");
    assert!(model(Extra::default()).entries.iter().all(|e| !e.label().starts_with("Slack")));
}
