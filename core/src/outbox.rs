//! The outbox in words and rules: what an escalation saved but not yet filed is
//! (`queued` or `refused`), what a backend is known to refuse before anything is saved, and the
//! lines the tray and a notification show for refused ones.
//!
//! It is not the outbox itself (the SQLite table and the sender live in the shell's
//! `escalations/outbox.rs`) and it sends nothing.

use crate::config::Backend;
use crate::notice::NoticeText;

/// Where an escalation in the outbox stands. (Sent ones leave the outbox's lists.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting to be sent (the backend was away, or it is being sent now).
    Queued,
    /// The backend refused it as invalid: it waits for a person to fix it and resend it, or
    /// discard it.
    Refused,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Refused => "refused",
        }
    }
}

impl std::fmt::Display for OutboxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The longest title GitHub takes for an issue, in characters.
pub const GITHUB_TITLE_MAX: usize = 256;
/// The longest body GitHub takes for an issue, in characters.
pub const GITHUB_BODY_MAX: usize = 65_536;

/// The backend's name as people read it: "GitHub", "the local store".
pub fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Local => "the local store",
        Backend::Github => "GitHub",
    }
}

/// The part of an escalation a known refusal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusedPart {
    Title,
    /// The body: the details and the fields written into it.
    Body,
}

/// What a backend is known to refuse, and why, in the backend's own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownRefusal {
    pub part: RefusedPart,
    pub reason: String,
}

/// What `backend` is known to refuse, said as the backend says it, before anything is saved
/// or sent: GitHub's "title is too long (maximum is 256 characters)" and the body's limit.
/// `body` is the text the backend would be sent as the body (the shell builds it).
pub fn known_refusal(backend: Backend, title: &str, body: &str) -> Option<KnownRefusal> {
    match backend {
        Backend::Local => None,
        Backend::Github => {
            if title.trim().chars().count() > GITHUB_TITLE_MAX {
                let reason = format!("title is too long (maximum is {GITHUB_TITLE_MAX} characters)");
                Some(KnownRefusal { part: RefusedPart::Title, reason })
            } else if body.chars().count() > GITHUB_BODY_MAX {
                let reason = format!("body is too long (maximum is {GITHUB_BODY_MAX} characters)");
                Some(KnownRefusal { part: RefusedPart::Body, reason })
            } else {
                None
            }
        }
    }
}

/// The tray's line for refused escalations: "⚠ 1 escalation refused by GitHub — fix and
/// resend" (`None` when there are none).
pub fn refused_line(count: usize, backend: Backend) -> Option<String> {
    (count > 0).then(|| {
        let what = if count == 1 { "escalation" } else { "escalations" };
        format!("⚠ {count} {what} refused by {} — fix and resend", backend_name(backend))
    })
}

/// The notification for an escalation the backend refused: its title, the backend's own reason,
/// and what to do.
pub fn refused_notice(title: &str, reason: &str, backend: Backend) -> NoticeText {
    NoticeText {
        summary: format!("Escalation refused by {}: {}", backend_name(backend), title.trim()),
        body: format!("{}\nIt is kept in the outbox: fix it in the escalate window and resend, or run `rota outbox`.", reason.trim()),
        critical: false,
        escalation_id: None,
        url: None,
        ticket: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_refuses_long_titles_and_bodies_before_saving() {
        let check = |title: &str, body: &str, expected: Option<&str>| {
            assert_eq!(
                known_refusal(Backend::Github, title, body).map(|r| r.reason).as_deref(),
                expected,
                "{} / {}",
                title.len(),
                body.len()
            );
            assert_eq!(known_refusal(Backend::Local, title, body), None);
        };
        check(&"x".repeat(256), "", None);
        check(&"é".repeat(256), "", None); // characters, not bytes
        check(&"x".repeat(257), "", Some("title is too long (maximum is 256 characters)"));
        check("ok", &"b".repeat(65_536), None);
        check("ok", &"b".repeat(65_537), Some("body is too long (maximum is 65536 characters)"));
        assert_eq!(known_refusal(Backend::Github, &"x".repeat(300), "").unwrap().part, RefusedPart::Title);
        assert_eq!(known_refusal(Backend::Github, "ok", &"b".repeat(70_000)).unwrap().part, RefusedPart::Body);
    }

    #[test]
    fn the_tray_line_counts_refused_escalations() {
        assert_eq!(refused_line(0, Backend::Github), None);
        assert_eq!(refused_line(1, Backend::Github).unwrap(), "⚠ 1 escalation refused by GitHub — fix and resend");
        assert_eq!(refused_line(2, Backend::Local).unwrap(), "⚠ 2 escalations refused by the local store — fix and resend");
    }

    #[test]
    fn a_refusal_notice_carries_the_backends_reason() {
        let t = refused_notice("Search is down", "title is too long (maximum is 256 characters)", Backend::Github);
        assert_eq!(t.summary, "Escalation refused by GitHub: Search is down");
        assert!(t.body.starts_with("title is too long (maximum is 256 characters)\n"));
        assert_eq!(t.url, None);
    }
}
