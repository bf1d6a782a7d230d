//! The dashboard's Escalations panel: mine, all open and recently closed, each with
//! the actions of its state, and the goal's chart (the share engaged per rotation against the
//! 10% line, and the times). The figures and rules are the core's ([`rota_core::lifecycle`],
//! [`rota_core::stats`]); this reads the backend, checks what the form sent and maps the result.

use crate::error::IpcError;
use crate::escalate::CandidateView;
use crate::escalations::{configured, AnyBackend, Backend};
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use rota_core::assign::{self, OpenCounts};
use rota_core::escalation::{same_handle, Escalation, EscalationState};
use rota_core::lifecycle::{self, ActionKind, HistoryEntry};
use rota_core::stats::{self, Select, GOAL_ENGAGED_SHARE};
use rota_core::{glance, words, OnDuty, Roster, Schedule};
use rota_io::acting::{Act, Rotation, To};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

/// How many closed escalations the panel shows, newest first.
pub const RECENTLY_CLOSED: usize = 10;

/// One escalation row, every string ready to show.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EscalationRow {
    pub id: String,
    pub title: String,
    pub customer: Option<String>,
    pub severity: String,
    pub state: EscalationState,
    pub state_label: &'static str,
    pub assignee: Option<String>,
    pub team: Option<String>,
    /// "filed 3 h ago".
    pub filed: String,
    /// The escalation's page or link, for Open.
    pub link: Option<String>,
    /// The actions its state allows, in button order: acknowledge, resolve, engage, reassign, reopen.
    pub actions: Vec<ActionKind>,
    /// In the panel, when it can be reassigned: the others on duty, best first (the policy's
    /// pick first), as the action window lists them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub takers: Vec<CandidateView>,
}

/// One rotation in the chart.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartRotation {
    /// "2024-03-01 to 2024-03-14", or "outside any rotation".
    pub label: String,
    pub filed: usize,
    pub engaged: usize,
    /// The share engaged, in percent; `None` when nothing was filed.
    pub engaged_percent: Option<f64>,
    pub above_goal: bool,
    /// "median 10 min, p90 30 min" or "none yet".
    pub time_to_ack: String,
    pub time_to_resolve: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EscalationsPanel {
    /// Set when escalations cannot be read (no backend, no token): the panel says why.
    pub problem: Option<String>,
    pub mine: Vec<EscalationRow>,
    /// What the list of mine says when it is empty ([`rota_core::words::none_of_mine`]).
    pub mine_empty: &'static str,
    pub open: Vec<EscalationRow>,
    pub closed: Vec<EscalationRow>,
    pub goal_percent: f64,
    /// The chart's top, in percent: the goal's double or the largest share, to the next 10.
    pub scale_percent: f64,
    pub rotations: Vec<ChartRotation>,
    /// The teams engaged before, offered as a team is typed.
    pub teams: Vec<String>,
}

/// What an action button sent.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ActionForm {
    pub id: String,
    /// acknowledge, resolve, engage, reassign or reopen.
    pub kind: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    /// A handle, or `auto`.
    #[serde(default)]
    pub to: Option<String>,
}

/// What an action did, as the window that took it says it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Acted {
    /// "Engaged engineering (search) on escalation 12".
    pub message: String,
    /// The escalation as it is now.
    pub escalation: EscalationRow,
}

impl ActionForm {
    /// What the form asks, as the use case takes it ([`rota_io::acting`] checks it).
    pub fn act(&self) -> Result<Act, IpcError> {
        let text = |s: &Option<String>| s.clone().unwrap_or_default();
        Ok(match self.kind.as_str() {
            "acknowledge" => Act::Acknowledge,
            "resolve" => Act::Resolve { note: self.note.clone() },
            "reopen" => Act::Reopen,
            "engage" => Act::Engage { team: text(&self.team), url: self.url.clone() },
            "reassign" => {
                Act::Reassign { to: To::parse(&text(&self.to)).ok_or_else(|| IpcError::invalid("reassign-to", "choose an engineer"))? }
            }
            other => return Err(IpcError::invalid("action", format!("unknown action {other:?}"))),
        })
    }
}

/// What `acted` did, the assignee by name, as the window that took it says it.
pub fn acted(acted: &rota_io::acting::Acted, rotation: &Rotation, now: DateTime<Utc>) -> Acted {
    let e = &acted.escalation;
    let to = e.assignee.as_deref().map(|h| crate::escalate::name_of(h, &rotation.on_duty, &rotation.roster)).unwrap_or_default();
    Acted { message: acted.sentence(&to), escalation: row(e, now) }
}

/// The row of `e`, as the panel and the action window show it.
pub fn row(e: &Escalation, now: DateTime<Utc>) -> EscalationRow {
    EscalationRow {
        id: e.id.clone(),
        title: e.title.clone(),
        customer: e.customer.clone(),
        severity: e.severity.to_string(),
        state: e.state,
        state_label: rota_core::words::state(e.state),
        assignee: e.assignee.clone(),
        team: e.team.clone(),
        filed: format!("filed {}", words::relative(now, e.created_at)),
        link: e.page.clone().or_else(|| e.url.clone()),
        actions: lifecycle::offered(e),
        takers: vec![],
    }
}

fn minutes(m: Option<f64>) -> String {
    m.map(|m| words::span((m * 60.0).round().max(0.0) as u64)).unwrap_or_else(|| "-".into())
}

fn spread(s: &rota_core::stats::Spread) -> String {
    match s.median {
        None => "none yet".into(),
        Some(_) => format!("median {}, p90 {}", minutes(s.median), minutes(s.p90)),
    }
}

/// The panel for `me`, from every escalation and its history.
pub fn panel(
    list: &[(Escalation, Vec<HistoryEntry>)],
    me: Option<&str>,
    schedule: &Schedule,
    timing: &rota_core::Timing,
    on_duty: &[OnDuty],
    now: DateTime<Utc>,
) -> EscalationsPanel {
    let is_mine = |e: &Escalation| me.is_some_and(|me| e.assignee.as_deref().is_some_and(|a| same_handle(a, me)));
    let mut by_urgency: Vec<&Escalation> = list.iter().map(|(e, _)| e).filter(|e| e.state.is_active()).collect();
    by_urgency.sort_by(|a, b| rota_core::escalation::by_urgency(a, b));
    let active = || by_urgency.iter().copied();
    let counts = OpenCounts::from_escalations(active());
    // An open row, with whom it could go to when it can be reassigned.
    let open_row = |e: &Escalation| {
        let reassignable = lifecycle::offered(e).contains(&ActionKind::Reassign);
        let takers = if reassignable { CandidateView::ranked(assign::takers(on_duty, e, &counts, now), me, now) } else { vec![] };
        EscalationRow { takers, ..row(e, now) }
    };
    let mut closed: Vec<(&Escalation, DateTime<Utc>)> = list
        .iter()
        .filter(|(e, _)| e.state == EscalationState::Resolved)
        .map(|(e, h)| (e, lifecycle::resolved_at(h).unwrap_or(e.created_at)))
        .collect();
    closed.sort_by_key(|c| std::cmp::Reverse(c.1));
    let figures = stats::stats(schedule, timing, list, Select::All, now);
    let top = figures.rotations.iter().filter_map(|r| r.engaged_share).fold(GOAL_ENGAGED_SHARE * 2.0, f64::max) * 100.0;
    EscalationsPanel {
        problem: None,
        mine: active().filter(|e| is_mine(e)).map(open_row).collect(),
        mine_empty: rota_core::words::none_of_mine(me.is_some()),
        open: active().map(open_row).collect(),
        closed: closed.into_iter().take(RECENTLY_CLOSED).map(|(e, _)| row(e, now)).collect(),
        goal_percent: GOAL_ENGAGED_SHARE * 100.0,
        scale_percent: ((top / 10.0).ceil() * 10.0).min(100.0),
        rotations: figures
            .rotations
            .iter()
            .map(|r| ChartRotation {
                label: match (r.start, r.end) {
                    (Some(s), Some(e)) => format!("{} – {}", s.format("%-d %b"), e.format("%-d %b %Y")),
                    _ => "outside any rotation".into(),
                },
                filed: r.filed,
                engaged: r.engaged,
                engaged_percent: r.engaged_share.map(|s| s * 100.0),
                above_goal: r.above_goal,
                time_to_ack: spread(&r.time_to_ack_minutes),
                time_to_resolve: spread(&r.time_to_resolve_minutes),
            })
            .collect(),
        teams: known_teams(list.iter().map(|(e, _)| e)),
    }
}

/// The panel when escalations cannot be read.
pub fn unavailable(why: String) -> EscalationsPanel {
    EscalationsPanel {
        problem: Some(why),
        mine: vec![],
        mine_empty: rota_core::words::none_of_mine(true),
        open: vec![],
        closed: vec![],
        goal_percent: GOAL_ENGAGED_SHARE * 100.0,
        scale_percent: GOAL_ENGAGED_SHARE * 200.0,
        rotations: vec![],
        teams: vec![],
    }
}

/// The backend the panel reads, kept open between refreshes with the settings it was opened
/// for: GitHub's page and event caches live in it, so refreshing an unchanged repository is
/// all `304`s (no rate limit). A failure drops it (a new token, say, is read at the next try).
static OPENED: OnceLock<tokio::sync::Mutex<Option<Opened>>> = OnceLock::new();

/// The backend and the settings it was opened for.
type Opened = (String, Arc<AnyBackend>);

fn opened_for(settings: &Settings) -> String {
    let e = &settings.config.escalations;
    format!("{:?} {} {} {} {:?}", e.backend, e.github.api, e.github.repo, e.github.label, settings.me)
}

/// The configured backend, opened once per settings.
pub async fn backend(settings: &Settings) -> Result<Arc<AnyBackend>, String> {
    let key = opened_for(settings);
    let mut slot = OPENED.get_or_init(Default::default).lock().await;
    if let Some((_, b)) = slot.as_ref().filter(|(k, _)| *k == key) {
        return Ok(b.clone());
    }
    let b = Arc::new(configured::open_blocking(settings).await.map_err(|e| e.to_string())?);
    *slot = Some((key, b.clone()));
    Ok(b)
}

/// Forgets the open backend after a failure.
pub async fn forget() {
    *OPENED.get_or_init(Default::default).lock().await = None;
}

/// Reads every escalation and its history from the configured backend.
pub async fn read(settings: &Settings) -> Result<Vec<(Escalation, Vec<HistoryEntry>)>, String> {
    let backend = backend(settings).await?;
    // GitHub: from the state database, which the tray's poll keeps current: a refresh asks nothing.
    match backend.every_with_history().await {
        Ok(list) => Ok(list),
        Err(e) => {
            forget().await;
            Err(e.to_string())
        }
    }
}

/// The engineering teams engaged before, each once (the first spelling), in alphabetical order:
/// what the team field offers as it is typed.
pub fn known_teams<'a>(list: impl Iterator<Item = &'a Escalation>) -> Vec<String> {
    let mut teams: Vec<String> = list.filter_map(|e| e.team.clone()).collect();
    teams.sort_by_key(|t| t.to_lowercase());
    teams.dedup_by(|a, b| a.to_lowercase() == b.to_lowercase());
    teams
}

/// The engineers on duty now, whom an escalation can be reassigned to.
pub fn on_duty(schedule: &Schedule, roster: &Roster, settings: &Settings, now: DateTime<Utc>) -> Vec<OnDuty> {
    glance(schedule, roster, &settings.config.schedule.timing, settings.viewer, settings.me.as_deref(), now).on_duty
}

#[cfg(test)]
mod tests {
    use super::*;
    use rota_core::escalation::Severity;
    use rota_core::roster::parse_roster;

    fn esc(id: &str, state: EscalationState, assignee: &str) -> (Escalation, Vec<HistoryEntry>) {
        let e = Escalation {
            id: id.into(),
            title: format!("escalation {id}"),
            severity: Severity::Sev2,
            assignee: Some(assignee.into()),
            state,
            created_at: "2024-03-05T11:00:00Z".parse().unwrap(),
            ..Escalation::default()
        };
        (e, vec![])
    }

    /// An open row carries whom it could go to: the others on duty, not its assignee, ranked by
    /// the policy with the open counts of the list itself (the pick first); a closed row none.
    #[test]
    fn a_reassignable_row_lists_the_others_on_duty_the_pick_first() {
        let now: DateTime<Utc> = "2024-03-05T12:00:00Z".parse().unwrap();
        let people = "[[person]]\nhandle = \"ann\"\ntimezone = \"Europe/Berlin\"\n\n[[person]]\nhandle = \"kat\"\ntimezone = \"Asia/Kathmandu\"\nhours = \"09:00-18:00\"\n\n[[person]]\nhandle = \"bo\"\ntimezone = \"Europe/London\"\n";
        let roster = parse_roster("people.toml", people).value;
        let on_duty: Vec<OnDuty> = ["ann", "kat", "bo"].iter().map(|h| OnDuty::new(h, &roster, now)).collect();
        // Kat and Bo both work now; Kat already has two open, so Bo is the pick.
        let list = [
            esc("1", EscalationState::Open, "ann"),
            esc("2", EscalationState::Acknowledged, "kat"),
            esc("3", EscalationState::HandedToEngineering, "kat"),
            esc("4", EscalationState::Resolved, "ann"),
        ];
        let p = panel(&list, Some("ann"), &Schedule::default(), &Default::default(), &on_duty, now);
        let takers = |rows: &[EscalationRow], id: &str| -> Vec<(String, bool, usize)> {
            let row = rows.iter().find(|r| r.id == id).unwrap();
            row.takers.iter().map(|c| (c.handle.clone(), c.suggested, c.open)).collect()
        };
        assert_eq!(takers(&p.mine, "1"), [("bo".into(), true, 0), ("kat".into(), false, 2)]);
        assert_eq!(takers(&p.open, "2"), [("bo".into(), true, 0), ("ann".into(), false, 1)], "not Kat, whose it is");
        assert!(p.closed.iter().all(|r| r.takers.is_empty()), "a resolved one is reopened, not reassigned");
        let json = serde_json::to_value(&p.closed[0]).unwrap();
        assert!(json.get("takers").is_none(), "no empty list sent for it");
    }

    #[test]
    fn the_teams_offered_are_those_engaged_before_each_once() {
        let team = |id: &str, state, team: Option<&str>| Escalation { team: team.map(Into::into), ..esc(id, state, "ann").0 };
        let list = [
            team("1", EscalationState::HandedToEngineering, Some("search")),
            team("2", EscalationState::Resolved, Some("Billing")),
            team("3", EscalationState::Open, None),
            team("4", EscalationState::Resolved, Some("Search")),
        ];
        assert_eq!(known_teams(list.iter()), ["Billing", "search"]);
    }
}
