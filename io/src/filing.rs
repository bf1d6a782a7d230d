//! Filing an escalation: the one use case the command line (`rota escalate`) and the quick
//! escalate window call, each front end a few lines around it.
//!
//! What the backend is known to refuse is refused before anything is saved. Otherwise the
//! escalation is saved in the outbox first and then sent: a backend that cannot take it now
//! leaves it queued (the tray is told, to retry it), one that refuses it leaves it refused in the
//! outbox (the tray is told, to count it), and the Slack announcement goes with the sending. The
//! rules are the core's (`rota_core::outbox`); this module only carries them out.

pub use crate::acting::{Rotation, To, TO};
use crate::escalations::configured;
use crate::escalations::outbox::{Announcement, FileError, Filed, Outbox};
use crate::escalations::AnyBackend;
use crate::secrets::OsKeyring;
use crate::settings::Settings;
use crate::slack::{Announcer, SlackError};
use chrono::{DateTime, Utc};
use rota_core::assign::{self, Suggestion};
use rota_core::escalation::{Escalation, NewEscalation};
use rota_core::outbox::RefusedPart;
use std::fmt;

/// The form field a problem is about (beside [`TO`], the engineer).
pub const TITLE: &str = "title";
pub const URL: &str = "url";
/// A front end's own client key for the filing (a window sends one with each press of File).
pub const KEY: &str = "key";

/// An escalation as a person asked for it, before it is checked: the title, the customer, the
/// link and the details as typed (its reporter and assignee are filled in at filing); the engineer
/// as [`To::parse`] read it, none for the whole rotation.
#[derive(Debug, Clone)]
pub struct Ask {
    pub escalation: NewEscalation,
    pub to: Option<To>,
}

/// An [`Ask`] checked and tidied ([`Ask::checked`]): text trimmed, empty text none. Read it
/// as the `Ask` it holds.
#[derive(Debug, Clone)]
pub struct Asked(Ask);

impl std::ops::Deref for Asked {
    type Target = Ask;
    fn deref(&self) -> &Ask {
        &self.0
    }
}

/// A field as typed that is wrong, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// [`TITLE`], [`URL`], [`TO`], or a front end's own field (the severity as the window
    /// sends it).
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Invalid { field, message: message.into() }
    }
}

impl Ask {
    /// Checked before anything is opened, every problem at once: a title, a link that is an
    /// http or https link, and a client key (when the front end gives one) made as Rota makes
    /// them: it is written into the escalation (an issue's body on GitHub).
    pub fn checked(self) -> Result<Asked, FilingError> {
        let text = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let e = self.escalation;
        let (title, url) = (e.title.trim().to_owned(), text(e.url));
        let mut problems = Vec::new();
        if title.is_empty() {
            problems.push(Invalid::new(TITLE, "give the escalation a title"));
        }
        if url.as_deref().is_some_and(|u| !crate::notifier::is_web_link(u)) {
            problems.push(Invalid::new(URL, "the link must be an http or https URL, like https://support.example.com/ticket/42"));
        }
        if e.client_key.as_deref().is_some_and(|k| !crate::escalations::outbox::is_client_key(k)) {
            problems.push(Invalid::new(KEY, "the form's key must be `rota-` and 32 hex digits"));
        }
        if !problems.is_empty() {
            return Err(FilingError::Invalid(problems));
        }
        let details = e.details.trim().to_owned();
        let escalation = NewEscalation { title, customer: text(e.customer), url, details, ..e };
        Ok(Asked(Ask { escalation, to: self.to }))
    }
}

/// The engineer `handle` names (a handle, any case, or a roster name), as the rotation or the
/// roster spells the handle; one nobody knows is a problem naming the nearest handles.
pub fn engineer(rotation: &Rotation, handle: &str) -> Result<String, Invalid> {
    assign::check_assignee(handle, &rotation.on_duty, &rotation.roster).map_err(|unknown| Invalid::new(TO, unknown.to_string()))
}

impl Asked {
    /// The escalation to file, from `reporter` to `picked`'s engineer.
    pub fn escalation(self, reporter: Option<String>, picked: Picked) -> NewEscalation {
        NewEscalation { reporter, assignee: picked.assignee, ..self.0.escalation }
    }
}

/// Whom an escalation goes to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picked {
    /// The engineer's handle as the rotation or roster spells it; none: the whole rotation.
    pub assignee: Option<String>,
    /// For `auto`: why this engineer ("working, 0 open").
    pub reason: Option<String>,
    /// For `auto`: why the open escalations could not be counted, when they could not (the pick
    /// then rests on working hours).
    pub uncounted: Option<String>,
    /// For `auto`: nobody is on rotation now, so it goes to the whole rotation, unassigned.
    pub nobody_on: bool,
    /// For a hand-picked engineer who is away: what to say before it is filed to them anyway.
    pub away: Option<String>,
}

/// An escalation filed, or saved to be filed.
#[derive(Debug)]
pub struct Filing {
    /// The backend's escalation, or (queued) the outbox's view of it (`id` is the client key).
    pub escalation: Escalation,
    /// Why it waits in the outbox, when the backend could not take it now.
    pub queued: Option<String>,
    /// What went wrong with Slack, when something did; the escalation is filed all the same.
    pub slack: Option<SlackTrouble>,
}

/// Slack's part of a filing, when it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlackTrouble {
    /// No announcer could be made (a webhook is wanted but the keyring failed): nothing posted.
    NoAnnouncer(String),
    /// The announcement was posted and failed.
    Failed(String),
}

/// Why nothing was filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilingError {
    /// Fields as typed are wrong, each with what to do: nothing was saved.
    Invalid(Vec<Invalid>),
    /// The backend is known to refuse it, for this part of the form ("title", "details"): nothing
    /// was saved. The reason, as the backend words it: "GitHub refuses it: …".
    NotSaved { field: &'static str, message: String },
    /// Sent and refused: it stays in the outbox, refused, to be fixed and resent or discarded.
    Refused(String),
    /// The outbox could not be read or written, or the entry is gone.
    Failed(String),
}

impl fmt::Display for FilingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilingError::Invalid(problems) => {
                let each: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect();
                f.write_str(&each.join("; "))
            }
            FilingError::NotSaved { message, .. } | FilingError::Refused(message) | FilingError::Failed(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for FilingError {}

/// The backend the settings name, opened off the async threads (the keyring is read); why not
/// as words. A backend that cannot be opened loses nothing: what is filed waits in the outbox.
pub async fn open_backend(settings: &Settings) -> Result<AnyBackend, String> {
    configured::open_blocking(settings).await.map_err(|e| e.to_string())
}

/// Whom `to` names: nobody (the whole rotation), an engineer checked against the rotation and
/// the roster ([`engineer`]), or for `auto` the policy's pick among those on duty now, counting
/// the backend's open escalations and what waits in `outbox`.
pub async fn pick(
    rotation: &Rotation,
    to: Option<&To>,
    outbox: &Outbox,
    backend: &Result<AnyBackend, String>,
    now: DateTime<Utc>,
) -> Result<Picked, FilingError> {
    let handle = match to {
        None => return Ok(Picked::default()),
        Some(To::Handle(h)) => h,
        Some(To::Auto) => {
            // An outbox that cannot be read fails the filing: the escalation could not be saved.
            outbox.queued().map_err(|e| FilingError::Failed(e.to_string()))?;
            let (counts, uncounted) = configured::open_counts(backend.as_ref().map_err(Clone::clone), Some(outbox)).await;
            return Ok(match assign::first(assign::rank(&rotation.on_duty, &counts, now)) {
                Suggestion::Engineer(c) => Picked { assignee: Some(c.handle), reason: Some(c.reason), uncounted, ..Picked::default() },
                Suggestion::NobodyOnRotation => Picked { uncounted, nobody_on: true, ..Picked::default() },
            });
        }
    };
    let assignee = engineer(rotation, handle).map_err(|p| FilingError::Invalid(vec![p]))?;
    // Filing to someone away is allowed (they may be the only one who knows the customer), and said.
    let away = rotation
        .on_duty
        .iter()
        .filter(|d| d.status == rota_core::Status::Away && d.handle.eq_ignore_ascii_case(&assignee))
        .flat_map(|d| assign::rank(std::slice::from_ref(d), &assign::OpenCounts::new(), now))
        .find_map(|c| assign::not_working_warning(&c, now));
    Ok(Picked { assignee: Some(assignee), away, ..Picked::default() })
}

/// Files `new`: refused at once when the backend is known to refuse it, else saved in `outbox`
/// and sent to `backend` (queued when it cannot be opened or cannot take it now).
pub async fn file(
    settings: &Settings,
    outbox: &Outbox,
    backend: &Result<AnyBackend, String>,
    new: NewEscalation,
    now: DateTime<Utc>,
) -> Result<Filing, FilingError> {
    refuse_known(settings, &new)?;
    let saved = outbox.save_new(new, now).map_err(|e| FilingError::Failed(e.to_string()))?;
    send(settings, outbox, backend, saved, now).await
}

/// Resends the refused escalation `key` as `edited` (it keeps its key, so it is still filed
/// once).
pub async fn resend(
    settings: &Settings,
    outbox: &Outbox,
    backend: &Result<AnyBackend, String>,
    key: &str,
    edited: NewEscalation,
    now: DateTime<Utc>,
) -> Result<Filing, FilingError> {
    refuse_known(settings, &edited)?;
    let gone = || FilingError::Failed("this escalation is no longer in the outbox: it was sent or discarded".into());
    if !outbox.resend(key, edited, now).map_err(|e| FilingError::Failed(e.to_string()))? {
        return Err(gone());
    }
    let entries = outbox.entries().map_err(|e| FilingError::Failed(e.to_string()))?;
    let saved = entries.into_iter().find(|e| e.key == key).map(|e| e.view()).ok_or_else(gone)?;
    send(settings, outbox, backend, saved, now).await
}

/// Discards the escalation `key` from the outbox (it will not be filed) and tells the tray.
/// `false` when there was no such entry.
pub async fn discard(outbox: &Outbox, key: &str) -> Result<bool, FilingError> {
    let discarded = outbox.discard(key).await.map_err(|e| FilingError::Failed(e.to_string()))?;
    if discarded {
        crate::tell_tray_outbox_changed().await;
    }
    Ok(discarded)
}

/// What the backend is known to refuse, refused before anything is saved.
fn refuse_known(settings: &Settings, new: &NewEscalation) -> Result<(), FilingError> {
    let Some(refusal) = configured::known_refusal(settings, new) else { return Ok(()) };
    let field = match refusal.part {
        RefusedPart::Title => "title",
        RefusedPart::Body => "details",
    };
    let backend = rota_core::outbox::backend_name(settings.config.escalations.backend);
    Err(FilingError::NotSaved { field, message: format!("{backend} refuses it: {}", refusal.reason) })
}

/// Sends what was just saved; a backend that could not be opened leaves it saved and queued.
async fn send(
    settings: &Settings,
    outbox: &Outbox,
    backend: &Result<AnyBackend, String>,
    saved: Escalation,
    now: DateTime<Utc>,
) -> Result<Filing, FilingError> {
    let (filed, opening_failed, mut slack) = match backend {
        Ok(backend) => {
            let (announcer, slack) = announcer(settings).await;
            match outbox.send_saved(backend, announcer.as_ref(), &saved.id, now).await {
                Ok(filed) => (filed, None, slack),
                Err(e @ FileError::Refused { .. }) => {
                    // Kept as refused: the tray counts it in its menu.
                    crate::tell_tray_outbox_changed().await;
                    return Err(FilingError::Refused(e.to_string()));
                }
                Err(e) => return Err(FilingError::Failed(e.to_string())),
            }
        }
        Err(why) => (
            Filed { escalation: saved, queued: true, queued_because: None, announcement: Announcement::NotConfigured },
            Some(why.clone()),
            None,
        ),
    };
    if filed.queued {
        // The tray retries it; tell it now rather than at its next look.
        crate::tell_tray_outbox_changed().await;
    }
    if let Announcement::Failed(why) = &filed.announcement {
        slack = Some(SlackTrouble::Failed(why.to_string()));
    }
    let queued = filed.queued.then(|| filed.queued_because.map(|e| e.to_string()).or(opening_failed).unwrap_or_default());
    Ok(Filing { escalation: filed.escalation, queued, slack })
}

/// The Slack announcer, when a webhook is set up; without `slack_group` a keyring that cannot be
/// read means no announcement and nothing to say, with it the failure is said.
async fn announcer(settings: &Settings) -> (Option<Announcer>, Option<SlackTrouble>) {
    let settings = settings.clone();
    let made = tokio::task::spawn_blocking(move || match configured::announcer(&settings, &OsKeyring) {
        Ok(a) => (a, None),
        Err(SlackError::Keyring(_)) if settings.config.escalations.slack_group.is_none() => (None, None),
        Err(e) => (None, Some(SlackTrouble::NoAnnouncer(e.to_string()))),
    });
    made.await.unwrap_or((None, None))
}
