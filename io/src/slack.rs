//! Slack announcements: each new escalation posted to an incoming webhook (optional).
//!
//! The message names the title as a link (`<url|title>`), the customer and severity, the
//! assignee (or the whole rotation), and mentions the escalation engineers' user group
//! (`<!subteam^ID>`, `[escalations] slack_group`) when one is configured.
//!
//! The webhook URL is a secret ([`SecretName::SlackWebhook`], in the OS keyring): it is held as a
//! [`SecretValue`], sent nowhere but in the request, and never part of a [`SlackError`] (reqwest's
//! errors are stripped of their URL). Slack's answer is never read beyond its status. An
//! announcement is posted once, after the backend accepted
//! the escalation; a failure is reported to the caller as a warning and never retried, so a
//! Slack outage cannot block, lose or duplicate an escalation.

use crate::secrets::{SecretError, SecretName, SecretStore, SecretValue};
use reqwest::Url;
use rota_core::escalation::Escalation;
use serde_json::json;
use std::fmt;
use std::time::Duration;

/// The longest a post may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Why an announcement was not posted. No variant holds the webhook URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlackError {
    /// The keyring could not be read.
    Keyring(SecretError),
    /// The stored webhook is not an https URL (plain http only to the local machine, for tests).
    BadWebhook,
    /// Slack could not be reached (or did not answer in time).
    Unreachable(String),
    /// Slack answered with an error status (a revoked webhook is 403 or 404).
    Rejected { status: u16 },
}

impl fmt::Display for SlackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SlackError::Keyring(e) => write!(f, "cannot read the Slack webhook: {e}"),
            SlackError::BadWebhook => f.write_str(
                "the stored Slack webhook is not an https URL: store the incoming webhook's URL with `rota secret set slack-webhook`",
            ),
            SlackError::Unreachable(why) => write!(f, "cannot reach Slack: {why}"),
            SlackError::Rejected { status } if *status == 403 || *status == 404 || *status == 410 => write!(
                f,
                "Slack refused the webhook ({status}): it may have been revoked; store a new one with `rota secret set slack-webhook`"
            ),
            SlackError::Rejected { status } => write!(f, "Slack answered {status}"),
        }
    }
}

impl std::error::Error for SlackError {}

use rota_core::slack::escape;

/// A link target Slack can hold: an http(s) URL with `|`, `<` and `>` percent-encoded.
fn link_target(url: &str) -> Option<String> {
    let u = Url::parse(url.trim()).ok().filter(|u| matches!(u.scheme(), "http" | "https"))?;
    Some(u.as_str().replace('|', "%7C").replace('<', "%3C").replace('>', "%3E"))
}

/// The message text for `e`, mentioning `group` (a user group ID) when given.
pub fn message(e: &Escalation, group: Option<&str>) -> String {
    let mut text = String::new();
    if let Some(g) = group.map(str::trim).filter(|g| !g.is_empty()) {
        text.push_str(&format!("<!subteam^{}> ", escape(g)));
    }
    let title = escape(e.title.trim());
    match e.url.as_deref().and_then(link_target) {
        Some(url) => text.push_str(&format!("New escalation: <{url}|{title}>\n")),
        None => text.push_str(&format!("New escalation: {title}\n")),
    }
    let mut facts = Vec::new();
    if let Some(c) = e.customer.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        facts.push(format!("*Customer:* {}", escape(c)));
    }
    facts.push(format!("*Severity:* {}", e.severity));
    facts.push(match e.assignee.as_deref() {
        Some(a) => format!("*Assigned to:* @{}", escape(a.trim_start_matches('@'))),
        None => "*Assigned to:* the whole rotation".into(),
    });
    text.push_str(&facts.join("  ·  "));
    text
}

/// Posts announcements to one incoming webhook.
pub struct Announcer {
    webhook: Url,
    group: Option<String>,
    http: reqwest::Client,
}

impl fmt::Debug for Announcer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Announcer").field("webhook", &"***").field("group", &self.group).finish()
    }
}

impl Announcer {
    /// An announcer for `webhook` (https; http only to 127.0.0.1 or localhost), mentioning
    /// `group` when given.
    pub fn new(webhook: &SecretValue, group: Option<String>) -> Result<Self, SlackError> {
        let url = Url::parse(webhook.expose().trim()).map_err(|_| SlackError::BadWebhook)?;
        let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if !(url.scheme() == "https" || (url.scheme() == "http" && local)) {
            return Err(SlackError::BadWebhook);
        }
        // A loopback webhook (a test's) is reached directly, never through a proxy in clear text.
        let http = crate::bounded::direct_to_loopback(reqwest::Client::builder(), &url)
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            // A redirect would carry the message somewhere the user did not store.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("rota/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SlackError::Unreachable(e.without_url().to_string()))?;
        Ok(Announcer { webhook: url, group, http })
    }

    /// The announcer the keyring holds a webhook for: `Ok(None)` when none is stored.
    pub fn from_secrets(secrets: &dyn SecretStore, group: Option<String>) -> Result<Option<Self>, SlackError> {
        match secrets.get(SecretName::SlackWebhook).map_err(SlackError::Keyring)? {
            Some(url) => Announcer::new(&url, group).map(Some),
            None => Ok(None),
        }
    }

    pub fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }

    /// Posts the announcement of `e`, once.
    pub async fn announce(&self, e: &Escalation) -> Result<(), SlackError> {
        self.post(&message(e, self.group.as_deref())).await
    }

    /// Posts `text` (Slack's message text, already escaped), once.
    pub async fn post(&self, text: &str) -> Result<(), SlackError> {
        let body = json!({
            "text": text,
            "unfurl_links": false,
            "unfurl_media": false,
        });
        let response = self.http.post(self.webhook.clone()).json(&body).send().await.map_err(|e| {
            let why = if e.is_timeout() { "no answer in time".to_owned() } else { e.without_url().to_string() };
            SlackError::Unreachable(why)
        })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(SlackError::Rejected { status: status.as_u16() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use rota_core::escalation::Severity;

    fn esc(title: &str, customer: Option<&str>, url: Option<&str>, assignee: Option<&str>) -> Escalation {
        Escalation {
            id: "7".into(),
            title: title.into(),
            customer: customer.map(Into::into),
            severity: Severity::Sev1,
            url: url.map(Into::into),
            reporter: Some("sam".into()),
            assignee: assignee.map(Into::into),
            created_at: Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap(),
            ..Escalation::default()
        }
    }

    #[test]
    fn the_message_links_the_title_and_mentions_the_group() {
        let check = |e: Escalation, group: Option<&str>, expected: &str| assert_eq!(message(&e, group), expected);
        check(
            esc("Search is down", Some("Acme Corp"), Some("https://github.com/acme/esc/issues/7"), Some("dee")),
            Some("S0123ABCD"),
            "<!subteam^S0123ABCD> New escalation: <https://github.com/acme/esc/issues/7|Search is down>\n*Customer:* Acme Corp  ·  *Severity:* sev1  ·  *Assigned to:* @dee",
        );
        check(
            esc("<b>x</b> & <!channel>", None, Some("https://x.example/a|b>c"), None),
            None,
            "New escalation: <https://x.example/a%7Cb%3Ec|&lt;b&gt;x&lt;/b&gt; &amp; &lt;!channel&gt;>\n*Severity:* sev1  ·  *Assigned to:* the whole rotation",
        );
        check(
            esc("No link", Some("<@U1>"), Some("javascript:alert(1)"), Some("@ann")),
            None,
            "New escalation: No link\n*Customer:* &lt;@U1&gt;  ·  *Severity:* sev1  ·  *Assigned to:* @ann",
        );
    }

    #[test]
    fn only_https_webhooks_or_the_local_machine() {
        let ok = |u: &str| Announcer::new(&SecretValue::new(u), None).is_ok();
        assert!(ok("https://hooks.slack.com/services/T000/B000/XXXX"));
        assert!(ok("http://127.0.0.1:4000/hook"));
        assert!(!ok("http://hooks.slack.com/services/T000/B000/XXXX"));
        assert!(!ok("hooks.slack.com/services/T000"));
        let err = Announcer::new(&SecretValue::new("http://example.com/s3cr3t"), None).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("s3cr3t"));
        let a = Announcer::new(&SecretValue::new("https://hooks.slack.com/services/s3cr3t"), None).unwrap();
        assert!(!format!("{a:?}").contains("s3cr3t"));
    }
}
