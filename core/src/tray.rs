//! The whole tray, as a pure model: the icon state, the tooltip and every menu entry, built from
//! the glance, my escalations, the problems, the outbox and start at login. Both tray hosts (the
//! lean StatusNotifierItem one and Tauri's) only draw this; what the tray says is decided here,
//! once, and tested here.

use crate::duty::Glance;
use crate::escalation::{Escalation, EscalationState};
use crate::words;
use crate::Timing;
use chrono::{DateTime, Duration, DurationRound, Utc};

/// What the tray icon shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrayState {
    /// I am on duty now.
    OnDuty,
    /// I am not.
    OffDuty,
    /// Something needs me: an unacknowledged escalation, or an input that does not parse.
    Attention,
}

impl TrayState {
    pub const ALL: [TrayState; 3] = [TrayState::OnDuty, TrayState::OffDuty, TrayState::Attention];
}

/// What a click on a menu entry does: a closed set. An escalation is named by its backend id,
/// never by its place in the menu, so a click after the list changed still means the one clicked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MenuAction {
    Escalate,
    OpenDashboard,
    Settings,
    StartAtLogin,
    Quit,
    /// Open the escalation with this id (its page).
    OpenEscalation(String),
    /// A person's line: open the dashboard, where their card is.
    Person(String),
    /// Acknowledge the escalation with this id, at once.
    AcknowledgeEscalation(String),
    /// Resolve the escalation with this id, at once.
    ResolveEscalation(String),
    /// Ask for the team to engage on the escalation with this id (a window).
    EngageEscalation(String),
    /// Ask whom to give the escalation with this id (a window).
    ReassignEscalation(String),
    /// The hand-over at the end of my rotation: a window lists the moves ([`crate::handover`]).
    HandOver,
    /// Take the escalation offered to me with this id: mine and acknowledged, at once.
    TakeEscalation(String),
}

/// Makes a per-escalation action from the escalation's id.
type OnEscalation = fn(String) -> MenuAction;

/// The per-escalation actions and their id prefixes, in menu order after Open.
const ESCALATION_ACTIONS: [(&str, OnEscalation); 5] = [
    ("acknowledge:", MenuAction::AcknowledgeEscalation),
    ("resolve:", MenuAction::ResolveEscalation),
    ("engage:", MenuAction::EngageEscalation),
    ("reassign:", MenuAction::ReassignEscalation),
    ("take:", MenuAction::TakeEscalation),
];

impl MenuAction {
    /// The actions at the foot of every menu, in order.
    pub const FOOT: [MenuAction; 5] =
        [MenuAction::Escalate, MenuAction::OpenDashboard, MenuAction::Settings, MenuAction::StartAtLogin, MenuAction::Quit];

    /// A stable string for hosts whose menus carry string ids (Tauri's).
    pub fn id(&self) -> String {
        match self {
            MenuAction::Escalate => "escalate".into(),
            MenuAction::OpenDashboard => "dashboard".into(),
            MenuAction::Settings => "settings".into(),
            MenuAction::StartAtLogin => "start-at-login".into(),
            MenuAction::Quit => "quit".into(),
            MenuAction::OpenEscalation(id) => format!("escalation:{id}"),
            MenuAction::Person(handle) => format!("person:{handle}"),
            MenuAction::AcknowledgeEscalation(id) => format!("acknowledge:{id}"),
            MenuAction::ResolveEscalation(id) => format!("resolve:{id}"),
            MenuAction::EngageEscalation(id) => format!("engage:{id}"),
            MenuAction::ReassignEscalation(id) => format!("reassign:{id}"),
            MenuAction::HandOver => "handover".into(),
            MenuAction::TakeEscalation(id) => format!("take:{id}"),
        }
    }

    /// The action an [`id`](Self::id) names, if any.
    pub fn from_id(id: &str) -> Option<MenuAction> {
        if let Some(e) = id.strip_prefix("escalation:") {
            return Some(MenuAction::OpenEscalation(e.to_owned()));
        }
        if let Some(h) = id.strip_prefix("person:") {
            return Some(MenuAction::Person(h.to_owned()));
        }
        for (prefix, action) in ESCALATION_ACTIONS {
            if let Some(e) = id.strip_prefix(prefix) {
                return Some(action(e.to_owned()));
            }
        }
        if id == "handover" {
            return Some(MenuAction::HandOver);
        }
        MenuAction::FOOT.into_iter().find(|a| a.id() == id)
    }

    fn label(&self) -> &'static str {
        match self {
            MenuAction::Escalate => "Escalate…",
            MenuAction::OpenDashboard => "Open dashboard",
            MenuAction::Settings => "Settings…",
            MenuAction::StartAtLogin => "Start at login",
            MenuAction::Quit => "Quit",
            MenuAction::OpenEscalation(_) | MenuAction::Person(_) => "Open",
            MenuAction::AcknowledgeEscalation(_) => "Acknowledge",
            MenuAction::ResolveEscalation(_) => "Resolve",
            MenuAction::EngageEscalation(_) => "Engage engineering…",
            MenuAction::ReassignEscalation(_) => "Reassign…",
            MenuAction::HandOver => "Hand over…",
            MenuAction::TakeEscalation(_) => "Take",
        }
    }
}

/// One entry of the tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuEntry {
    /// A line to read; clickable only when it has an action.
    Item {
        label: String,
        action: Option<MenuAction>,
    },
    /// A setting that is on or off.
    Check {
        label: String,
        action: MenuAction,
        checked: bool,
    },
    Submenu {
        label: String,
        entries: Vec<MenuEntry>,
    },
    Separator,
}

impl MenuEntry {
    fn line(label: impl Into<String>) -> MenuEntry {
        MenuEntry::Item { label: label.into(), action: None }
    }

    fn action(action: MenuAction) -> MenuEntry {
        MenuEntry::Item { label: action.label().to_owned(), action: Some(action) }
    }

    /// The label a person reads ("" for a separator).
    pub fn label(&self) -> &str {
        match self {
            MenuEntry::Item { label, .. } | MenuEntry::Check { label, .. } | MenuEntry::Submenu { label, .. } => label,
            MenuEntry::Separator => "",
        }
    }
}

/// The whole tray: what both hosts draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayModel {
    pub state: TrayState,
    pub tooltip: String,
    pub entries: Vec<MenuEntry>,
}

impl TrayModel {
    /// Every label, depth first, submenus' entries after their own label; a separator is "---".
    /// What a test (or a screen reader) reads.
    pub fn labels(&self) -> Vec<String> {
        fn walk(entries: &[MenuEntry], out: &mut Vec<String>) {
            for e in entries {
                out.push(match e {
                    MenuEntry::Separator => "---".to_owned(),
                    e => e.label().to_owned(),
                });
                if let MenuEntry::Submenu { entries, .. } = e {
                    walk(entries, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.entries, &mut out);
        out
    }
}

/// My escalations, as the poller last saw them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EscalationsSummary {
    /// My active escalations, newest first.
    pub mine: Vec<Escalation>,
    /// Whether any of mine is still open (not acknowledged).
    pub unacknowledged: bool,
    /// What the poller last ran into ("GitHub token rejected").
    pub problem: Option<String>,
    /// How many of mine are past their reminder ([`crate::remind::overdue`]).
    pub waiting: usize,
    /// Others' escalations offered to me ([`crate::remind::offered_to`]).
    pub offered: Vec<Escalation>,
}

/// Everything the tray shows, as plain values.
#[derive(Debug, Clone, Copy)]
pub struct TrayInputs<'a> {
    pub glance: &'a Glance<'a>,
    /// My handle (`me`): my line comes first, marked "(you)".
    pub me: Option<&'a str>,
    /// The quick escalate shortcut as written ("Ctrl+Alt+E"), shown beside Escalate….
    pub shortcut: Option<&'a str>,
    pub timing: &'a Timing,
    /// Set for the built-in demo.
    pub demo: Option<&'a str>,
    /// Problems with the inputs, shown above the last good lines.
    pub problems: &'a [crate::finding::Problem],
    /// Set when escalations are watched (`me` is set).
    pub escalations: Option<&'a EscalationsSummary>,
    /// Escalations saved and waiting to be sent.
    pub outbox_waiting: usize,
    /// Escalations the backend refused, waiting for a person to fix and resend.
    pub outbox_refused: usize,
    /// The escalations backend, to name it in the refused line.
    pub backend: crate::config::Backend,
    pub start_at_login: bool,
    /// While I am not on: when my next stretch starts ([`crate::handoff::my_line`]).
    pub my_next: Option<&'a str>,
    /// On the last day of my rotation: "Hand over 3 open escalations…" ([`crate::handover::offer`]).
    pub hand_over: Option<&'a str>,
    /// While the tray keeps the Slack user group: how the last sync went
    /// ([`crate::slack::Outcome::line`]).
    pub slack: Option<&'a str>,
}

/// One escalation in "My escalations": "Login fails for SSO users — Acme · sev1".
pub fn escalation_line(e: &Escalation) -> String {
    let mut s = e.title.clone();
    if let Some(c) = e.customer.as_deref().filter(|c| !c.is_empty()) {
        s.push_str(" — ");
        s.push_str(c);
    }
    s.push_str(" · ");
    s.push_str(e.severity.as_str());
    if e.state != EscalationState::Open {
        s.push_str(" · ");
        s.push_str(words::state(e.state));
    }
    s
}

/// One of my escalations as a submenu: Open, Acknowledge (while it is open),
/// Resolve, Engage engineering…, Reassign…; each names the escalation by its id.
pub fn escalation_menu(e: &Escalation) -> MenuEntry {
    use crate::lifecycle::{offered, ActionKind};
    let id = || e.id.clone();
    let mut entries = vec![MenuEntry::action(MenuAction::OpenEscalation(id()))];
    // What the core offers in its state; reopening is for the dashboard (my menu lists open ones).
    entries.extend(offered(e).into_iter().filter_map(|k| match k {
        ActionKind::Acknowledge => Some(MenuEntry::action(MenuAction::AcknowledgeEscalation(id()))),
        ActionKind::Resolve => Some(MenuEntry::action(MenuAction::ResolveEscalation(id()))),
        ActionKind::Engage => Some(MenuEntry::action(MenuAction::EngageEscalation(id()))),
        ActionKind::Reassign => Some(MenuEntry::action(MenuAction::ReassignEscalation(id()))),
        ActionKind::Reopen | ActionKind::Take => None,
    }));
    MenuEntry::Submenu { label: escalation_line(e), entries }
}

/// Each escalation offered to me as a submenu: Take, Open.
fn offer_menus(g: &Glance, offered: &[Escalation]) -> Vec<MenuEntry> {
    let names = crate::notice::Names::from_pairs(g.on_duty.iter().map(|d| (d.handle.as_str(), d.name.as_str())));
    offered
        .iter()
        .map(|e| MenuEntry::Submenu {
            label: crate::remind::offer_line(e, &names),
            entries: vec![
                MenuEntry::action(MenuAction::TakeEscalation(e.id.clone())),
                MenuEntry::action(MenuAction::OpenEscalation(e.id.clone())),
            ],
        })
        .collect()
}

/// "1 escalation waiting to send".
pub fn waiting_line(n: usize) -> String {
    format!("{n} escalation{} waiting to send", if n == 1 { "" } else { "s" })
}

/// The icon state.
pub fn tray_state(i: &TrayInputs) -> TrayState {
    let attention = i.escalations.is_some_and(|e| e.unacknowledged || e.waiting > 0 || !e.offered.is_empty());
    if attention || !i.problems.is_empty() || i.outbox_refused > 0 {
        TrayState::Attention
    } else if i.glance.me_on_duty {
        TrayState::OnDuty
    } else {
        TrayState::OffDuty
    }
}

/// The tooltip: the rotation in one sentence, "2 of 3 working now — next hand-off Mon 18:00".
pub fn tooltip(i: &TrayInputs) -> String {
    words::summary(i.glance)
}

/// Builds the whole tray.
pub fn tray_model(i: &TrayInputs) -> TrayModel {
    let g = i.glance;
    let mut entries = vec![MenuEntry::line(words::header(g))];
    // Problems name the file, not its path, and stay within a glance's width.
    entries.extend(i.problems.iter().map(|p| MenuEntry::line(words::problem_line(p))));
    entries.extend(i.demo.map(|_| MenuEntry::line(words::DEMO_SHORT)));
    // My line first, marked "(you)"; then the others, those working now first. A click on a
    // person opens the dashboard, where their card is.
    let mut people = g.by_status();
    people.sort_by_key(|d| !words::is_me(&d.handle, i.me));
    entries.extend(
        people
            .into_iter()
            .map(|d| MenuEntry::Item { label: words::glance_line(d, i.me, g.at), action: Some(MenuAction::Person(d.handle.clone())) }),
    );
    entries.extend(i.my_next.map(MenuEntry::line));
    entries.extend(words::next_line(g, i.timing).map(MenuEntry::line));
    entries.extend(i.slack.map(MenuEntry::line));
    entries.push(MenuEntry::Separator);
    if let Some(esc) = i.escalations {
        entries.extend(esc.problem.as_ref().map(|p| MenuEntry::line(format!("⚠ {p}"))));
    }
    if i.outbox_waiting > 0 {
        entries.push(MenuEntry::line(waiting_line(i.outbox_waiting)));
    }
    // "⚠ 1 escalation refused by GitHub — fix and resend": a click opens the escalate window,
    // which lists it to edit and resend.
    if let Some(line) = crate::outbox::refused_line(i.outbox_refused, i.backend) {
        entries.push(MenuEntry::Item { label: line, action: Some(MenuAction::Escalate) });
    }
    if let Some(line) = i.escalations.and_then(|e| crate::remind::waiting_line(e.waiting)) {
        entries.push(MenuEntry::line(line));
    }
    if let Some(esc) = i.escalations.filter(|e| !e.mine.is_empty()) {
        let mine = esc.mine.iter().map(escalation_menu).collect();
        entries.push(MenuEntry::Submenu { label: format!("My escalations ({})", esc.mine.len()), entries: mine });
    }
    entries.extend(i.hand_over.map(|label| MenuEntry::Item { label: label.to_owned(), action: Some(MenuAction::HandOver) }));
    if let Some(esc) = i.escalations.filter(|e| !e.offered.is_empty()) {
        entries.push(MenuEntry::Submenu {
            label: format!("Waiting for a hand ({})", esc.offered.len()),
            entries: offer_menus(g, &esc.offered),
        });
    }
    for action in MenuAction::FOOT {
        entries.push(match action {
            MenuAction::StartAtLogin => MenuEntry::Check { label: action.label().to_owned(), action, checked: i.start_at_login },
            // "Escalate…  Ctrl+Alt+E": the way there without the menu.
            MenuAction::Escalate => {
                let label = match i.shortcut {
                    Some(keys) => format!("{}  {keys}", action.label()),
                    None => action.label().to_owned(),
                };
                MenuEntry::Item { label, action: Some(action) }
            }
            action => MenuEntry::action(action),
        });
    }
    TrayModel { state: tray_state(i), tooltip: tooltip(i), entries }
}

/// The next instant the glance can change on its own: the next minute boundary (clocks, shift
/// starts and ends, and hand-offs all fall on whole minutes).
pub fn next_tick(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::minutes(1)).unwrap_or(at) + Duration::minutes(1)
}

/// What a Linux desktop with no tray host (no StatusNotifierItem watcher: plain GNOME without the
/// AppIndicator extension) is told once, so Rota is never invisible there.
/// What Rota runs on while its config file is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// The config as it last read without errors.
    LastGood,
    /// The built-in defaults (no good config was read since the start).
    Defaults,
}

/// The menu line, under the config's error, that says what Rota runs on while it is refused.
pub fn fallback_line(fallback: Fallback) -> &'static str {
    match fallback {
        Fallback::LastGood => "Running on the last good config until it is fixed",
        Fallback::Defaults => "Running on the defaults until it is fixed",
    }
}

/// The one notification that the config file was refused: `error` is the check's first error
/// ("config.toml:5: unknown field `weekly`…"). Without it a person would never learn why nothing
/// arrives.
pub fn refused_config_notice(error: &str, fallback: Fallback, file: &str) -> crate::notice::NoticeText {
    crate::notice::NoticeText {
        summary: format!("Rota cannot use {file}"),
        body: format!("{error}\n{}. `rota check` lists every problem.", fallback_line(fallback)),
        critical: false,
        escalation_id: None,
        url: None,
        ticket: None,
    }
}

pub fn no_tray_host_notice() -> crate::notice::NoticeText {
    crate::notice::NoticeText {
        summary: "Rota is running, but this desktop shows no tray icons".into(),
        body: "Install and enable the AppIndicator extension (GNOME: gnome-shell-extension-appindicator), then start Rota again. Until then the dashboard stays open, and `rota now` works in a terminal.".into(),
        critical: false,
        escalation_id: None,
        url: None,
        ticket: None,
    }
}
