//! An escalation's life from the command line: `rota ack ID`, `rota resolve ID
//! [--note T]`, `rota engage ID --team T [--url U]`, `rota reassign ID --to HANDLE|auto` and
//! `rota reopen ID` and `rota take ID`. Each is one [`rota_io::acting::act`], recorded as done by `me` at the
//! clock's instant (`ROTA_NOW` pins it); this turns the arguments into an [`Act`] and the outcome
//! into the command line's words.
//!
//! Exit statuses: 0 done (or already so), 1 an unknown id, an action the state refuses or a
//! backend failure, 2 usage (an empty team, a link that is no link, an unknown engineer).

use super::escalate::{backend, now, settings};
use super::load;
use crate::settings::Failure;
use rota_io::acting::{self, Act, ActError, ActErrorKind, Acted, Acting, Rotation, To};
use rota_io::protocol::Overrides;

/// What the command line asked for, before it is checked.
pub enum Asked {
    Ack,
    Resolve { note: Option<String> },
    Engage { team: String, url: Option<String> },
    Reassign { to: String },
    Reopen,
    Take,
}

impl Asked {
    fn act(&self) -> Result<Act, Failure> {
        Ok(match self {
            Asked::Ack => Act::Acknowledge,
            Asked::Resolve { note } => Act::Resolve { note: note.clone() },
            Asked::Engage { team, url } => Act::Engage { team: team.clone(), url: url.clone() },
            Asked::Reassign { to } => {
                Act::Reassign { to: To::parse(to).ok_or_else(|| Failure::Usage("--to needs a handle, or auto".into()))? }
            }
            Asked::Reopen => Act::Reopen,
            Asked::Take => Act::Take,
        })
    }

    /// `e` in the command line's words: a field named by its option, as typed.
    fn failure(&self, id: &str, e: ActError) -> Failure {
        let typed = |s: &Option<String>| s.as_deref().unwrap_or_default().trim().to_owned();
        match (e.kind, e.field, self) {
            (ActErrorKind::Invalid, Some(acting::TEAM), Asked::Engage { team, .. }) => Failure::Usage(format!("--team {team:?}: {e}")),
            (ActErrorKind::Invalid, Some(acting::URL), Asked::Engage { url, .. }) => {
                Failure::Usage(format!("--url {:?} is not an http or https link", typed(url)))
            }
            (ActErrorKind::Invalid, _, _) => Failure::Usage(format!("--to: {e}; or use --to auto")),
            (ActErrorKind::NobodyElse, ..) => {
                Failure::input(format!("nobody else is on rotation now to take escalation {id}: name someone with --to HANDLE"))
            }
            (ActErrorKind::NotFound, ..) => Failure::input(format!("no escalation {id}: `rota escalations --all` lists every one")),
            // The core's own sentence: what the state allows, and what to do instead.
            (ActErrorKind::Refused, ..) => Failure::input(e.message),
            (ActErrorKind::Failed, ..) => Failure::input(format!("cannot change escalation {id}: {e}")),
        }
    }
}

/// Runs one lifecycle command on escalation `id`.
pub async fn run(global: &Overrides, id: &str, asked: Asked) -> Result<i32, Failure> {
    let id = id.trim().trim_start_matches('#');
    if id.is_empty() {
        return Err(Failure::Usage("an escalation id is needed: `rota escalations` lists them".into()));
    }
    // Checked before anything is opened; a reassignment's engineer once the inputs are read.
    let act = asked.act()?.checked().map_err(|e| asked.failure(id, e))?;
    let (now, settings) = (now()?, settings(global)?);
    let backend = backend(&settings)?;
    let rotation = if act.needs_rotation() { Some(Rotation::at(&load(&settings, now).await?, &settings, now)) } else { None };
    let with = Acting { backend: &backend, me: settings.me.as_deref(), rotation: rotation.as_ref(), tell_tray: false };
    said(&acting::act(&with, id, act, now).await.map_err(|e| asked.failure(id, e))?);
    Ok(0)
}

/// What was done (or was so already), and for `auto` whom it went to and why.
fn said(acted: &Acted) {
    if let Some(w) = &acted.warning {
        super::warning(&format!("{w}; suggesting by working hours"));
    }
    if let Some(c) = &acted.picked {
        super::note(&format!("{} ({})", c.handle, c.reason));
    }
    let to = acted.escalation.assignee.as_deref().unwrap_or_default();
    super::say(&format!("{}: {}", acted.sentence(to), acted.escalation.title));
}
