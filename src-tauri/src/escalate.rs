//! The quick escalate window's side of the app: who to suggest (the core's policy, fed with the
//! backend's open counts), filing through the outbox (saved before it is sent), and the outbox
//! sender that retries what waits, with backoff, for as long as the app runs.

use crate::error::{IpcError, IpcErrors};
use crate::escalations::configured;
use crate::settings::Settings;
use chrono::{DateTime, Utc};
use rota_core::assign::{self, OpenCounts};
use rota_core::duty::{Glance, OnDuty};
use rota_core::escalation::{NewEscalation, Severity};
use rota_core::{words, Roster};
use rota_io::filing::{self, Ask, Asked, Filing, FilingError, Invalid, Picked, Rotation, SlackTrouble, To};
use serde::{Deserialize, Serialize};

/// One engineer the escalation can go to.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateView {
    pub handle: String,
    pub name: String,
    pub local_time: Option<String>,
    pub abbreviation: Option<String>,
    pub status: rota_core::Status,
    /// "working", "away until Mon 4 Jan".
    pub status_label: String,
    pub open: usize,
    pub reason: String,
    /// The reason without the status the list shows beside it: "ends in 3 h, 0 open".
    pub detail: String,
    /// Whether this is the viewer (`me`): "(you)".
    pub you: bool,
    /// "covering for Tom Becker", when they stand in for someone.
    pub covering: Option<String>,
    /// Said before filing to them when they are not working now.
    pub warning: Option<String>,
    pub suggested: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EscalateView {
    /// On-duty engineers, the suggestion first.
    pub candidates: Vec<CandidateView>,
    pub nobody_on_rotation: bool,
    /// Why open counts are missing, when the backend could not be asked.
    pub warning: Option<String>,
}

/// The form as submitted. `assignee: None` is the whole rotation.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct FilingForm {
    pub title: String,
    pub customer: Option<String>,
    pub severity: String,
    pub url: Option<String>,
    #[serde(default)]
    pub details: String,
    pub assignee: Option<String>,
    /// The form's own client key (`rota-` and 32 hex digits), made afresh at each press of File:
    /// the same filing sent twice (Tauri sends a command again when its page reloads while the
    /// command runs) is filed once.
    #[serde(default)]
    pub key: Option<String>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct FiledView {
    pub id: String,
    pub url: Option<String>,
    pub assignee: Option<String>,
    pub queued: bool,
    /// What happened, in one sentence: "Filed #12 to Lord Howe".
    pub message: String,
}

/// Open escalations per engineer: the backend's, plus what waits in the outbox.
pub async fn open_counts(settings: &Settings) -> (OpenCounts, Option<String>) {
    let backend = filing::open_backend(settings).await;
    let outbox = configured::open_outbox(settings).ok();
    configured::open_counts(backend.as_ref().map_err(Clone::clone), outbox.as_ref()).await
}

impl EscalateView {
    pub fn new(g: &Glance, counts: &OpenCounts, warning: Option<String>, me: Option<&str>) -> Self {
        let candidates = CandidateView::ranked(assign::candidates(g, counts), me, g.at);
        EscalateView { candidates, nobody_on_rotation: g.rotation.is_none() || g.on_duty.is_empty(), warning }
    }
}

impl CandidateView {
    /// The candidates as ranked, best first: the first is the policy's suggestion. `me` is the
    /// viewer, `at` the instant the ranks were made at.
    pub fn ranked(ranked: Vec<assign::Candidate>, me: Option<&str>, at: DateTime<Utc>) -> Vec<CandidateView> {
        ranked
            .into_iter()
            .enumerate()
            .map(|(i, c)| CandidateView {
                suggested: i == 0 && c.status != rota_core::Status::Away,
                local_time: c.local.as_ref().map(|l| l.time.format("%a %H:%M").to_string()),
                abbreviation: c.local.as_ref().map(words::zone),
                status_label: c.status_words(),
                status: c.status,
                open: c.open,
                warning: assign::not_working_warning(&c, at),
                you: words::is_me(&c.handle, me),
                covering: c.covering,
                detail: c.detail,
                reason: c.reason,
                name: c.name,
                handle: c.handle,
            })
            .collect()
    }
}

impl crate::AppState {
    /// What the form asks, checked against the rotation now, the escalation to file from me,
    /// and the engineer's name as people know it; with the settings to file it with.
    pub async fn filing(&self, form: FilingForm) -> Result<(Settings, NewEscalation, Option<String>), IpcErrors> {
        let at = crate::clock::now().map_err(IpcError::io)?;
        let live = self.live.lock().await;
        let rotation = Rotation { on_duty: live.glance(at).on_duty, roster: live.inputs.roster.clone() };
        let asked = form.checked(&rotation)?;
        let assignee = match &asked.to {
            Some(To::Handle(h)) => Some(h.clone()),
            _ => None,
        };
        let name = assignee.as_deref().map(|h| name_of(h, &rotation.on_duty, &rotation.roster));
        let new = asked.escalation(live.settings.me.clone(), Picked { assignee, ..Picked::default() });
        Ok((live.settings.clone(), new, name))
    }
}

impl FilingForm {
    /// The form as the filing use case takes it, every problem at once beside its field: the
    /// severity as sent, the title and link ([`filing::Ask::checked`]), the engineer chosen on
    /// the rotation or in the roster (none: the whole rotation).
    pub fn checked(self, rotation: &Rotation) -> Result<Asked, IpcErrors> {
        let severity = self.severity.parse::<Severity>().map_err(|_| Invalid::new("severity", "choose sev1 to sev4"));
        let chosen = self.assignee.as_deref().map(str::trim).filter(|a| !a.is_empty());
        let to = chosen.map(|h| filing::engineer(rotation, h).map(To::Handle));
        let to = to.transpose();
        let escalation = NewEscalation {
            title: self.title,
            customer: self.customer,
            severity: *severity.as_ref().unwrap_or(&Severity::default()),
            url: self.url,
            details: self.details,
            client_key: self.key,
            ..NewEscalation::default()
        };
        let ask = Ask { escalation, to: to.clone().ok().flatten() };
        let checked = ask.checked();
        let mut problems = match &checked {
            Ok(_) => Vec::new(),
            Err(FilingError::Invalid(problems)) => problems.clone(),
            Err(other) => return Err(other.clone().into()),
        };
        problems.extend(severity.err().into_iter().chain(to.err()));
        match checked {
            Ok(asked) if problems.is_empty() => Ok(asked),
            _ => Err(FilingError::Invalid(problems).into()),
        }
    }
}

/// The name people know an engineer by: the rotation's, the roster's, or the handle.
pub fn name_of(handle: &str, on_duty: &[OnDuty], roster: &Roster) -> String {
    on_duty
        .iter()
        .find(|d| d.handle.eq_ignore_ascii_case(handle))
        .map(|d| d.name.clone())
        .or_else(|| roster.find(handle).map(|p| p.name.clone()))
        .unwrap_or_else(|| handle.to_owned())
}

/// Files `new` (the use case: `rota_io::filing`) and says what happened in one sentence: "Filed
/// #12 to Lord Howe". `name` is the assignee's name as people know it.
pub async fn file(settings: &Settings, new: NewEscalation, name: Option<String>, now: DateTime<Utc>) -> Result<FiledView, IpcErrors> {
    let outbox = configured::open_outbox(settings).map_err(|e| IpcError::io(e.to_string()))?;
    let backend = filing::open_backend(settings).await;
    let filed = filing::file(settings, &outbox, &backend, new, now).await?;
    Ok(filed_view(settings, filed, name).await)
}

/// The window's sentence for a filing; the tray says it once more, where it stays a while (not
/// for one I filed to myself).
async fn filed_view(settings: &Settings, filed: Filing, name: Option<String>) -> FiledView {
    let e = filed.escalation;
    let to = name.or_else(|| e.assignee.clone());
    let mut message = rota_core::words::filed(&e.id, to.as_deref(), filed.queued.is_some());
    if let Some(why) = &filed.queued {
        message.push_str(&format!(" ({why}). It goes out as soon as the backend answers."));
    }
    if let Some(SlackTrouble::Failed(why)) = &filed.slack {
        message.push_str(&format!(" The Slack announcement failed ({why})."));
    }
    let url = e.page.or(e.url);
    if rota_core::notice::tray_says_filed(e.assignee.as_deref(), settings.me.as_deref()) {
        crate::tell_tray_filed(&message, &e.title, url.as_deref(), e.client_key.as_deref(), filed.queued.is_some()).await;
    }
    FiledView { id: e.id, url, assignee: e.assignee, queued: filed.queued.is_some(), message }
}

/// One escalation the backend refused, for the escalate window to show, fix and resend.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusedView {
    pub key: String,
    pub title: String,
    pub customer: Option<String>,
    pub severity: Severity,
    pub url: Option<String>,
    pub details: String,
    pub assignee: Option<String>,
    /// The backend's own reason.
    pub reason: String,
    /// "Refused by GitHub".
    pub refused_by: String,
}

/// The refused escalations waiting in the outbox, oldest first.
pub fn refused(settings: &Settings) -> Result<Vec<RefusedView>, IpcError> {
    let outbox = configured::open_outbox(settings).map_err(|e| IpcError::io(e.to_string()))?;
    let by = format!("Refused by {}", rota_core::outbox::backend_name(settings.config.escalations.backend));
    Ok(outbox
        .refused()
        .map_err(|e| IpcError::io(e.to_string()))?
        .into_iter()
        .map(|e| RefusedView {
            key: e.key,
            title: e.escalation.title,
            customer: e.escalation.customer,
            severity: e.escalation.severity,
            url: e.escalation.url,
            details: e.escalation.details,
            assignee: e.escalation.assignee,
            reason: e.last_error.unwrap_or_default(),
            refused_by: by.clone(),
        })
        .collect())
}

/// Resends the refused escalation `key` as edited in the form (it keeps its key).
pub async fn resend(
    settings: &Settings,
    key: &str,
    edited: NewEscalation,
    name: Option<String>,
    now: DateTime<Utc>,
) -> Result<FiledView, IpcErrors> {
    let outbox = configured::open_outbox(settings).map_err(|e| IpcError::io(e.to_string()))?;
    let backend = filing::open_backend(settings).await;
    let filed = filing::resend(settings, &outbox, &backend, key, edited, now).await?;
    Ok(filed_view(settings, filed, name).await)
}

/// Discards the refused escalation `key`: it will not be filed.
pub async fn discard(settings: &Settings, key: &str) -> Result<(), IpcError> {
    let outbox = configured::open_outbox(settings).map_err(|e| IpcError::io(e.to_string()))?;
    filing::discard(&outbox, key).await.map_err(|e| IpcError::io(e.to_string())).map(drop)
}
