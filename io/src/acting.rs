//! Taking an action on an escalation, the one way every front end does it: the command line
//! (`rota ack|resolve|engage|reassign|reopen|take`), the windows (the dashboard's panel, the action
//! window) and the tray (a menu item, a notification's Acknowledge or Take).
//!
//! [`act`] checks what was asked once ([`Act::checked`]: the team named, the link a web link, an
//! engineer named), resolves a reassignment (a hand-picked engineer on the rotation or in the
//! roster, with "did you mean"; or `auto`, the policy's pick among the others on duty), asks the
//! core whether the escalation's state allows it ([`lifecycle::plan`]), and only then calls the
//! backend; the tray is told when a window changed something. The rules are the core's
//! ([`rota_core::lifecycle`], [`rota_core::assign`]); this only orchestrates. A front end turns
//! what was typed into an [`Act`], and an [`Acted`] or an [`ActError`] into its own words.

use crate::escalations::{configured, AnyBackend, Backend, BackendError};
use crate::inputs::Inputs;
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use rota_core::assign::{self, Candidate, Suggestion};
use rota_core::duty::OnDuty;
use rota_core::escalation::Escalation;
use rota_core::handover;
use rota_core::lifecycle::{self, Action, NotAllowed, Plan};
use rota_core::Roster;
use std::fmt;

/// What a person asks to do to an escalation, as typed (checked by [`Act::checked`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    Acknowledge,
    /// Resolved, with an optional note on how.
    Resolve {
        note: Option<String>,
    },
    /// Handed to an engineering team, with the link of what was filed there.
    Engage {
        team: String,
        url: Option<String>,
    },
    Reassign {
        to: To,
    },
    Reopen,
    /// Someone else's escalation, offered to me: mine and acknowledged in one change.
    Take,
}

/// Whom a reassignment goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum To {
    /// The policy's pick among the engineers on duty now, the current assignee left out.
    Auto,
    /// An engineer named by handle or name (checked against the rotation and the roster).
    Handle(String),
}

impl To {
    /// `auto` (any case), or a handle (a leading `@` dropped); `None` when nothing was typed.
    pub fn parse(typed: &str) -> Option<To> {
        let to = typed.trim().trim_start_matches('@').trim();
        match to {
            "" => None,
            _ if to.eq_ignore_ascii_case("auto") => Some(To::Auto),
            _ => Some(To::Handle(to.to_owned())),
        }
    }
}

/// Why a take needs `me`.
const NO_ME: &str = "taking an escalation needs to know who you are: set `me` in the config";

/// The form field an error is about: the engineering team, its link, the engineer.
pub const TEAM: &str = "team";
pub const URL: &str = "url";
pub const TO: &str = "to";

impl Act {
    /// What was typed, checked and tidied (text trimmed, an empty note or link none): the team
    /// a team's name ([`lifecycle::team_name`]), the link an http or https link, an engineer
    /// named. Needs nothing opened, so a front end can check before it opens anything.
    pub fn checked(self) -> Result<Act, ActError> {
        let text = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(match self {
            Act::Resolve { note } => Act::Resolve { note: text(note) },
            Act::Engage { team, url } => {
                let team = lifecycle::team_name(&team).map_err(|why| ActError::invalid(TEAM, why))?;
                let url = text(url);
                if url.as_deref().is_some_and(|u| !crate::notifier::is_web_link(u)) {
                    return Err(ActError::invalid(URL, "the link must be an http or https URL"));
                }
                Act::Engage { team, url }
            }
            Act::Reassign { to: To::Handle(h) } => match To::parse(&h) {
                Some(to) => Act::Reassign { to },
                None => return Err(ActError::invalid(TO, "choose an engineer")),
            },
            other => other,
        })
    }

    /// Whether taking it needs the rotation ([`Acting::rotation`]): a reassignment does.
    pub fn needs_rotation(&self) -> bool {
        matches!(self, Act::Reassign { .. })
    }

    /// The verb, as the command line and the history name it.
    pub fn verb(&self) -> &'static str {
        use lifecycle::ActionKind as K;
        match self {
            Act::Acknowledge => K::Acknowledge,
            Act::Resolve { .. } => K::Resolve,
            Act::Engage { .. } => K::Engage,
            Act::Reassign { .. } => K::Reassign,
            Act::Reopen => K::Reopen,
            Act::Take => K::Take,
        }
        .verb()
    }
}

/// The engineers on duty now and the roster: whom an escalation can be reassigned to.
#[derive(Debug, Clone)]
pub struct Rotation {
    pub on_duty: Vec<OnDuty>,
    pub roster: Roster,
}

impl Rotation {
    /// The rotation of `inputs` at `now`, as `settings` see it (timing, overrides, zone).
    pub fn at(inputs: &Inputs, settings: &Settings, now: DateTime<Utc>) -> Rotation {
        let timing = &settings.config.schedule.timing;
        let g = rota_core::glance(&inputs.schedule, &inputs.roster, timing, settings.viewer, settings.me.as_deref(), now);
        Rotation { on_duty: g.on_duty, roster: inputs.roster.clone() }
    }
}

/// Who acts and through what.
pub struct Acting<'a> {
    pub backend: &'a AnyBackend,
    /// My handle, recorded in the history; `None` when the config names nobody.
    pub me: Option<&'a str>,
    /// Needed for a reassignment only ([`Act::needs_rotation`]).
    pub rotation: Option<&'a Rotation>,
    /// Tell the running tray a change was made, so that it polls now (a window's action; the
    /// tray itself polls after acting, and the command line leaves it to the tray's poll).
    pub tell_tray: bool,
}

/// What an action did.
#[derive(Debug, Clone)]
pub struct Acted {
    /// The action taken, as the core knows it (a reassignment's engineer resolved).
    pub action: Action,
    /// The escalation as it is now.
    pub escalation: Escalation,
    /// `false` when its effect was there already: nothing was written.
    pub changed: bool,
    /// `auto`: the engineer picked, with the policy's reason.
    pub picked: Option<Candidate>,
    /// `auto`: why the open escalations could not be counted (the pick is then by working
    /// hours only).
    pub warning: Option<String>,
}

impl Acted {
    /// What was done, or that it was so already, in one sentence ("Engaged engineering (search)
    /// on escalation 12", "Escalation 12 is already resolved"); `to` is the assignee as the front
    /// end names them.
    pub fn sentence(&self, to: &str) -> String {
        match self.changed {
            true => self.action.done(&self.escalation.id, to),
            false => self.action.already(&self.escalation.id, to),
        }
    }
}

/// Why an action was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActErrorKind {
    /// A field is wrong ([`ActError::field`] says which): a usage error on the command line.
    Invalid,
    /// `auto`, and nobody else is on duty to take it.
    NobodyElse,
    /// The escalation's state does not allow it ([`lifecycle::plan`]), or the backend refused
    /// it: the message says why.
    Refused,
    /// There is no escalation with this id.
    NotFound,
    /// The backend failed, or the rotation is not known here.
    Failed,
}

/// Why an action was not taken: the field it is about, if any, and a sentence to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActError {
    pub kind: ActErrorKind,
    /// [`TEAM`], [`URL`] or [`TO`].
    pub field: Option<&'static str>,
    pub message: String,
}

impl ActError {
    fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ActError { kind: ActErrorKind::Invalid, field: Some(field), message: message.into() }
    }

    fn not_allowed(why: NotAllowed) -> Self {
        ActError { kind: ActErrorKind::Refused, field: None, message: why.to_string() }
    }

    fn backend(e: BackendError) -> Self {
        let (kind, message) = match e {
            BackendError::NotFound(_) => (ActErrorKind::NotFound, e.to_string()),
            BackendError::Invalid(why) => (ActErrorKind::Refused, why),
            _ => (ActErrorKind::Failed, e.to_string()),
        };
        ActError { kind, field: None, message }
    }
}

impl fmt::Display for ActError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ActError {}

/// Takes `act` on escalation `id` as `with.me` at `now`: checked, then done through the backend
/// unless its effect is there already.
pub async fn act(with: &Acting<'_>, id: &str, act: Act, now: DateTime<Utc>) -> Result<Acted, ActError> {
    let act = act.checked()?;
    // A hand-picked engineer is checked before the backend is asked anything.
    let named = match &act {
        Act::Reassign { to: To::Handle(h) } => {
            let r = rotation(with)?;
            Some(assign::check_assignee(h, &r.on_duty, &r.roster).map_err(|unknown| ActError::invalid(TO, unknown.to_string()))?)
        }
        _ => None,
    };
    let before = with.backend.get(id).await.map_err(ActError::backend)?;
    let (mut picked, mut warning) = (None, None);
    let action = match act {
        Act::Acknowledge => Action::Acknowledge,
        Act::Resolve { note } => Action::Resolve { note },
        Act::Engage { team, url } => Action::Engage { team, url },
        Act::Reopen => Action::Reopen,
        Act::Take => match with.me {
            Some(me) => Action::Take { me: me.to_owned() },
            None => return Err(ActError { kind: ActErrorKind::Failed, field: None, message: NO_ME.into() }),
        },
        Act::Reassign { to: To::Handle(_) } => Action::Reassign { to: named.unwrap_or_default(), note: None },
        Act::Reassign { to: To::Auto } => {
            let (c, w) = pick(with, &before, now).await?;
            (picked, warning) = (Some(c.clone()), w);
            Action::Reassign { to: c.handle, note: None }
        }
    };
    let (changed, escalation) = apply(with, before, &action, now).await?;
    if changed && with.tell_tray {
        // The tray polls now, so its menu shows the change; the answer does not wait for it.
        tokio::spawn(crate::tell_tray_escalations_changed());
    }
    Ok(Acted { action, escalation, changed, picked, warning })
}

/// Asks the core whether `before`'s state allows `action`, then takes it through the backend
/// unless its effect is there already: whether it changed anything, and the escalation now.
async fn apply(with: &Acting<'_>, before: Escalation, action: &Action, now: DateTime<Utc>) -> Result<(bool, Escalation), ActError> {
    match lifecycle::plan(&before, action) {
        Err(why) => Err(ActError::not_allowed(why)),
        Ok(Plan::Unchanged) => Ok((false, before)),
        Ok(Plan::Change { .. }) => Ok((true, with.backend.act(&before.id, action, with.me, now).await.map_err(ActError::backend)?)),
    }
}

fn rotation<'a>(with: &Acting<'a>) -> Result<&'a Rotation, ActError> {
    with.rotation.ok_or_else(|| ActError {
        kind: ActErrorKind::Failed,
        field: None,
        message: "the rotation is not known here: reassign from the dashboard or with `rota reassign`".into(),
    })
}

/// `auto`: the policy's pick among the engineers on duty now but `e`'s assignee, and why the
/// open escalations could not be counted, if they could not.
async fn pick(with: &Acting<'_>, e: &Escalation, now: DateTime<Utc>) -> Result<(Candidate, Option<String>), ActError> {
    let r = rotation(with)?;
    let (counts, warning) = configured::open_counts(Ok(with.backend), None).await;
    match assign::first(assign::takers(&r.on_duty, e, &counts, now)) {
        Suggestion::Engineer(c) => Ok((c, warning)),
        Suggestion::NobodyOnRotation => {
            Err(ActError { kind: ActErrorKind::NobodyElse, field: Some(TO), message: "nobody else is on rotation now".into() })
        }
    }
}

/// The hand-over at `which` hand-off as planned now: the backend's open escalations and the
/// inputs handed to the core's [`handover::plan`].
pub async fn hand_over_plan(
    backend: &AnyBackend,
    inputs: &Inputs,
    settings: &Settings,
    which: handover::Which,
    now: DateTime<Utc>,
) -> Result<handover::Plan, ActError> {
    let timing = &settings.config.schedule.timing;
    let at = handover::handoff(&inputs.schedule, timing, which, now).map_err(|why| ActError::invalid(ROTATION, why))?;
    let open = backend.list_open(None).await.map_err(ActError::backend)?;
    Ok(handover::plan(&inputs.schedule, &inputs.roster, timing, &open, at))
}

/// The form field naming the rotation a hand-over ends.
pub const ROTATION: &str = "rotation";

/// One move of a hand-over, as carried out.
#[derive(Debug)]
pub struct HandedOver {
    pub planned: handover::Move,
    /// The reassignment, or why it was not made (the escalation went elsewhere meanwhile, the
    /// backend failed).
    pub outcome: Result<Acted, ActError>,
}

/// Carries out `plan`'s moves, in order: each a reassignment noted [`handover::HANDED_OVER`],
/// recorded as done by `with.me`. One that someone else reassigned meanwhile is left as it is.
pub async fn hand_over(with: &Acting<'_>, moves: &[handover::Move], now: DateTime<Utc>) -> Vec<HandedOver> {
    let mut out = Vec::with_capacity(moves.len());
    for m in moves {
        let outcome = move_one(with, m, now).await;
        out.push(HandedOver { planned: m.clone(), outcome });
    }
    if with.tell_tray && out.iter().any(|h| h.outcome.as_ref().is_ok_and(|a| a.changed)) {
        tokio::spawn(crate::tell_tray_escalations_changed());
    }
    out
}

async fn move_one(with: &Acting<'_>, m: &handover::Move, now: DateTime<Utc>) -> Result<Acted, ActError> {
    let before = with.backend.get(&m.id).await.map_err(ActError::backend)?;
    let holder = before.assignee.as_deref().unwrap_or_default();
    let same = rota_core::escalation::same_handle;
    if !same(holder, &m.from) && !same(holder, &m.to) {
        let who = if holder.is_empty() { "nobody" } else { holder };
        return Err(ActError {
            kind: ActErrorKind::Refused,
            field: None,
            message: format!("escalation {} is {who}'s now; left as it is", m.id),
        });
    }
    let action = Action::Reassign { to: m.to.clone(), note: Some(handover::HANDED_OVER.into()) };
    let (changed, escalation) = apply(with, before, &action, now).await?;
    Ok(Acted { action, escalation, changed, picked: None, warning: None })
}
