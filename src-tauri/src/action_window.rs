//! The small action window: what a tray item opens for an action that needs a word
//! from the user. Engage engineering… asks which team, and the link of what was filed with it;
//! Reassign… asks to whom, offering the others on duty with the policy's pick first. The rules
//! are the core's ([`rota_core::lifecycle`], [`rota_core::assign`]); the form is checked and the
//! action taken as the dashboard's panel does ([`crate::escalations_panel`]).

use crate::escalate::CandidateView;
use crate::escalations::{configured, AnyBackend, Backend, BackendError};
use crate::escalations_panel::{self as panel, EscalationRow};
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use rota_core::assign::{self, Candidate};
use rota_core::duty::OnDuty;
use rota_core::escalation::Escalation;
use rota_core::lifecycle::{self, ActionKind};
use rota_core::tray::MenuAction;
use serde::Serialize;

/// What the window is asked to act on, and how many times it was asked: a new request (another
/// tray item, even the same one again) draws the form afresh, a refresh of the same one keeps
/// what is typed in it.
#[derive(Debug, Default, Clone)]
pub struct Asked {
    pub request: u64,
    /// The tray item: Engage engineering… or Reassign… on an escalation.
    pub target: Option<MenuAction>,
}

impl Asked {
    /// The next request.
    pub fn ask(&mut self, target: MenuAction) {
        self.request += 1;
        self.target = Some(target);
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionView {
    /// Which request this answers (see [`Asked`]).
    pub request: u64,
    /// engage or reassign; `None` when the window was asked for nothing it can do.
    pub kind: Option<ActionKind>,
    /// "Engage engineering" or "Reassign", the window's title and heading.
    pub heading: String,
    pub escalation: Option<EscalationRow>,
    /// Why the action cannot be taken here: the escalation is gone or resolved, or escalations
    /// cannot be read. The form is not shown.
    pub problem: Option<String>,
    /// The escalation is resolved: the window offers to reopen it, and then the form.
    pub reopen: bool,
    /// Reassign: the engineers on duty but the assignee, best first (the first is the policy's
    /// pick, and chosen).
    pub candidates: Vec<CandidateView>,
    /// Reassign: why the open counts are missing (the order is then by working hours only).
    pub warning: Option<String>,
    /// Engage: the teams engaged before, offered as the team is typed.
    pub teams: Vec<String>,
}

/// What a target asks for: the kind and the escalation's id.
fn asked_for(target: Option<&MenuAction>) -> Option<(ActionKind, &str)> {
    match target? {
        MenuAction::EngageEscalation(id) => Some((ActionKind::Engage, id)),
        MenuAction::ReassignEscalation(id) => Some((ActionKind::Reassign, id)),
        _ => None,
    }
}

impl ActionView {
    /// The request the window already shows: nothing else to draw.
    pub fn same(request: u64) -> Self {
        ActionView { problem: None, ..ActionView::problem(request, None, String::new()) }
    }

    fn problem(request: u64, kind: Option<ActionKind>, why: String) -> Self {
        ActionView {
            request,
            kind,
            heading: heading(kind),
            escalation: None,
            problem: Some(why),
            reopen: false,
            candidates: vec![],
            warning: None,
            teams: vec![],
        }
    }

    /// The view of `kind` on `e`: the form, or why the escalation's state does not allow it.
    pub fn of(request: u64, kind: ActionKind, e: &Escalation, takers: Vec<Candidate>, teams: Vec<String>, now: DateTime<Utc>) -> Self {
        let reopen = lifecycle::offered(e).contains(&ActionKind::Reopen);
        let problem = match lifecycle::refusal(e, kind) {
            // The window has a Reopen button: no command to type.
            Some(_) if reopen => Some(format!("Escalation {} is resolved. Reopen it to {} it.", e.id, kind.verb())),
            other => other.map(|why| capitalized(&why.to_string())),
        };
        let candidates = if problem.is_none() { CandidateView::ranked(takers, None, now) } else { vec![] };
        let problem = problem.or_else(|| {
            (kind == ActionKind::Reassign && candidates.is_empty()).then(|| "Nobody else is on rotation now to take it.".to_owned())
        });
        ActionView {
            request,
            kind: Some(kind),
            heading: heading(Some(kind)),
            escalation: Some(panel::row(e, now)),
            problem,
            reopen,
            candidates,
            warning: None,
            teams,
        }
    }
}

fn heading(kind: Option<ActionKind>) -> String {
    match kind {
        Some(ActionKind::Engage) => "Engage engineering".into(),
        Some(ActionKind::Reassign) => "Reassign".into(),
        _ => "Rota".into(),
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The teams engaged on any escalation, sorted, each once (case ignored).
/// The view for what the window was asked, read from the configured backend.
pub async fn view(asked: &Asked, settings: &Settings, on_duty: &[OnDuty], now: DateTime<Utc>) -> ActionView {
    let Some((kind, id)) = asked_for(asked.target.as_ref()) else {
        let why = "Nothing to act on: Engage engineering… and Reassign… are in each of your escalations' menus in the tray.";
        return ActionView::problem(asked.request, None, why.into());
    };
    let backend = match panel::backend(settings).await {
        Ok(b) => b,
        Err(why) => return ActionView::problem(asked.request, Some(kind), format!("Escalations cannot be read: {why}")),
    };
    let e = match backend.get(id).await {
        Ok(e) => e,
        Err(BackendError::NotFound(_)) => {
            return ActionView::problem(asked.request, Some(kind), format!("Escalation {id} is not there any more."))
        }
        Err(e) => {
            panel::forget().await;
            return ActionView::problem(asked.request, Some(kind), format!("Escalation {id} cannot be read: {e}"));
        }
    };
    match kind {
        ActionKind::Engage => {
            let known = backend.list_every().await.map(|l| panel::known_teams(l.iter())).unwrap_or_default();
            ActionView::of(asked.request, kind, &e, vec![], known, now)
        }
        _ => {
            let (takers, warning) = takers(&backend, on_duty, &e, now).await;
            ActionView { warning, ..ActionView::of(asked.request, kind, &e, takers, vec![], now) }
        }
    }
}

async fn takers(backend: &AnyBackend, on_duty: &[OnDuty], e: &Escalation, now: DateTime<Utc>) -> (Vec<Candidate>, Option<String>) {
    let (counts, warning) = configured::open_counts(Ok(backend), None).await;
    (assign::takers(on_duty, e, &counts, now), warning)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rota_core::escalation::{EscalationState, Severity};
    use rota_core::roster::parse_roster;

    fn esc(state: EscalationState, team: Option<&str>) -> Escalation {
        Escalation {
            id: "12".into(),
            title: "Exports fail <b>now</b>".into(),
            customer: Some("Acme".into()),
            severity: Severity::Sev2,
            assignee: Some("ann".into()),
            state,
            created_at: "2024-03-05T11:00:00Z".parse().unwrap(),
            team: team.map(Into::into),
            ..Escalation::default()
        }
    }

    #[test]
    fn a_tray_items_id_names_the_action_and_the_escalation() {
        let asked = |id: &str| asked_for(MenuAction::from_id(id).as_ref()).map(|(k, id)| (k, id.to_owned()));
        assert_eq!(asked("engage:12"), Some((ActionKind::Engage, "12".into())));
        assert_eq!(asked("reassign:owner/repo#3"), Some((ActionKind::Reassign, "owner/repo#3".into())));
        assert_eq!(asked("acknowledge:12"), None, "acknowledge acts at once, with no window");
        assert_eq!(asked("person:ann"), None);
        assert_eq!(asked_for(None), None);
    }

    #[test]
    fn a_request_draws_afresh_even_for_the_same_item() {
        let mut asked = Asked::default();
        asked.ask(MenuAction::EngageEscalation("12".into()));
        asked.ask(MenuAction::EngageEscalation("12".into()));
        assert_eq!((asked.request, asked.target), (2, Some(MenuAction::EngageEscalation("12".into()))));
    }

    #[test]
    fn reassign_offers_the_others_the_policys_pick_first_and_chosen() {
        let now: DateTime<Utc> = "2024-03-05T12:00:00Z".parse().unwrap();
        let people = "[[person]]\nhandle = \"ann\"\ntimezone = \"Europe/Berlin\"\n\n[[person]]\nhandle = \"kat\"\nname = \"Kat\"\ntimezone = \"Asia/Kathmandu\"\nhours = \"09:00-18:00\"\n\n[[person]]\nhandle = \"cha\"\ntimezone = \"Pacific/Chatham\"\n";
        let roster = parse_roster("people.toml", people).value;
        let on_duty: Vec<OnDuty> = ["cha", "ann", "kat"].iter().map(|h| OnDuty::new(h, &roster, now)).collect();
        let e = esc(EscalationState::Acknowledged, None);
        let takers = assign::takers(&on_duty, &e, &Default::default(), now);
        let v = ActionView::of(3, ActionKind::Reassign, &e, takers, vec![], now);
        assert_eq!(v.problem, None);
        let offered: Vec<(&str, bool)> = v.candidates.iter().map(|c| (c.handle.as_str(), c.suggested)).collect();
        assert_eq!(offered, [("kat", true), ("cha", false)], "Kat works now (17:45 in Kathmandu), Chatham sleeps (01:45)");
        assert_eq!(v.heading, "Reassign");
        assert_eq!(v.escalation.as_ref().unwrap().title, "Exports fail <b>now</b>", "text from outside, as it is");

        let alone = assign::takers(&on_duty[1..2], &e, &Default::default(), now);
        let v = ActionView::of(4, ActionKind::Reassign, &e, alone, vec![], now);
        assert_eq!(v.problem.as_deref(), Some("Nobody else is on rotation now to take it."));
    }

    #[test]
    fn a_resolved_escalation_says_why_and_offers_no_form() {
        let now: DateTime<Utc> = "2024-03-05T12:00:00Z".parse().unwrap();
        let v = ActionView::of(1, ActionKind::Engage, &esc(EscalationState::Resolved, None), vec![], vec![], now);
        assert_eq!(v.problem.as_deref(), Some("Escalation 12 is resolved. Reopen it to engage engineering on it."));
        assert!(v.reopen, "the window offers to reopen it");
        assert_eq!(v.heading, "Engage engineering");
    }
}
