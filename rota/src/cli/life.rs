//! An escalation's life from the command line (issue 15): `rota ack ID`, `rota resolve ID
//! [--note T]`, `rota engage ID --team T [--url U]`, `rota reassign ID --to HANDLE|auto` and
//! `rota reopen ID`. Each opens the configured backend and takes one [`Action`], recorded as done
//! by `me` at the clock's instant (`ROTA_NOW` pins it). The rules (which state allows which
//! action, idempotence) are the core's ([`rota_core::lifecycle`]).
//!
//! Exit statuses: 0 done (or already so), 1 an unknown id, an action the state refuses or a
//! backend failure, 2 usage (an empty team, a link that is no link, an unknown engineer).

use super::escalate::{backend, now, settings};
use super::load;
use crate::escalations::{AnyBackend, Backend, BackendError};
use crate::settings::{Failure, Settings};
use chrono::{DateTime, Utc};
use rota_core::assign::{self, Suggestion};
use rota_core::escalation::Escalation;
use rota_core::glance;
use rota_core::lifecycle::{self, Action};
use rota_io::protocol::Overrides;

/// What the command line asked for, before it is checked.
pub enum Asked {
    Ack,
    Resolve { note: Option<String> },
    Engage { team: String, url: Option<String> },
    Reassign { to: String },
    Reopen,
}

fn failure(id: &str, e: BackendError) -> Failure {
    match e {
        BackendError::NotFound(_) => Failure::input(format!("no escalation {id}: `rota escalations --all` lists every one")),
        // The core's own sentence: what the state allows, and what to do instead.
        BackendError::Invalid(why) => Failure::input(why),
        other => Failure::input(format!("cannot change escalation {id}: {other}")),
    }
}

fn text(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// `auto`: the policy's pick among the engineers on duty now, the current assignee left out.
async fn auto_pick(settings: &Settings, backend: &AnyBackend, e: &Escalation, now: DateTime<Utc>) -> Result<String, Failure> {
    let inputs = load(settings, now).await?;
    let g = glance(&inputs.schedule, &inputs.roster, &settings.config.schedule.timing, settings.viewer, settings.me.as_deref(), now);
    let (counts, warning) = crate::escalations::configured::open_counts(Ok(backend), None).await;
    if let Some(w) = warning {
        super::warning(&format!("{w}; suggesting by working hours"));
    }
    match assign::first(assign::takers(&g.on_duty, e, &counts, now)) {
        Suggestion::Engineer(c) => {
            super::note(&format!("{} ({})", c.handle, c.reason));
            Ok(c.handle)
        }
        Suggestion::NobodyOnRotation => {
            Err(Failure::input(format!("nobody else is on rotation now to take escalation {}: name someone with --to HANDLE", e.id)))
        }
    }
}

/// A hand-picked engineer, checked as `rota escalate --to` checks one.
async fn checked(settings: &Settings, to: &str, now: DateTime<Utc>) -> Result<String, Failure> {
    let inputs = load(settings, now).await?;
    let g = glance(&inputs.schedule, &inputs.roster, &settings.config.schedule.timing, settings.viewer, settings.me.as_deref(), now);
    assign::check_assignee(to, &g.on_duty, &inputs.roster).map_err(|unknown| Failure::Usage(format!("--to: {unknown}; or use --to auto")))
}

/// Runs one lifecycle command on escalation `id`.
pub async fn run(global: &Overrides, id: &str, asked: Asked) -> Result<i32, Failure> {
    let id = id.trim().trim_start_matches('#');
    if id.is_empty() {
        return Err(Failure::Usage("an escalation id is needed: `rota escalations` lists them".into()));
    }
    // Checked before anything is opened; a reassignment's engineer is checked once the inputs are read.
    let (ready, reassign_to) = match asked {
        Asked::Ack => (Some(Action::Acknowledge), None),
        Asked::Resolve { note } => (Some(Action::Resolve { note: text(note) }), None),
        Asked::Engage { team, url } => {
            let team = lifecycle::team_name(&team).map_err(|why| Failure::Usage(format!("--team {team:?}: {why}")))?;
            let url = text(url);
            if let Some(u) = url.as_deref().filter(|u| !rota_io::notifier::is_web_link(u)) {
                return Err(Failure::Usage(format!("--url {u:?} is not an http or https link")));
            }
            (Some(Action::Engage { team, url }), None)
        }
        Asked::Reopen => (Some(Action::Reopen), None),
        Asked::Reassign { to } => {
            let to = to.trim().trim_start_matches('@').to_owned();
            if to.is_empty() {
                return Err(Failure::Usage("--to needs a handle, or auto".into()));
            }
            (None, Some(to))
        }
    };
    let now = now()?;
    let settings = settings(global)?;
    let backend = backend(&settings)?;
    let action = match (ready, reassign_to) {
        (Some(a), _) => a,
        (None, to) => {
            let to = to.unwrap_or_default();
            let handle = if to.eq_ignore_ascii_case("auto") {
                let e = backend.get(id).await.map_err(|e| failure(id, e))?;
                auto_pick(&settings, &backend, &e, now).await?
            } else {
                checked(&settings, &to, now).await?
            };
            Action::Reassign { to: handle }
        }
    };
    // Done already (resolving a resolved one): said so, nothing written, exit 0.
    let before = backend.get(id).await.map_err(|e| failure(id, e))?;
    if lifecycle::plan(&before, &action) == Ok(lifecycle::Plan::Unchanged) {
        let to = before.assignee.as_deref().unwrap_or_default();
        super::say(&format!("{}: {}", action.already(&before.id, to), before.title));
        return Ok(0);
    }
    let e = backend.act(id, &action, settings.me.as_deref(), now).await.map_err(|e| failure(id, e))?;
    let to = e.assignee.as_deref().unwrap_or_default();
    super::say(&format!("{}: {}", action.done(&e.id, to), e.title));
    Ok(0)
}
