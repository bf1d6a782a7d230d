//! Slack announcements through a loopback webhook server: the message carries the
//! title as a link, customer, severity, assignee and the user group mention; a failing or absent
//! Slack changes nothing else (the escalation is filed, the failure is a warning that never
//! shows the webhook URL).
//!
//! The webhook comes from a `SecretStore`: here an in-memory one (the test cannot reach a
//! keyring); outbox_keyring.rs, run by tests/keyring.sh, reads it from the real keyring.

use crate::support::{filing, local, MemorySecrets};
use chrono::{DateTime, Utc};
use rota_core::escalation::{NewEscalation, Severity};
use rota_io::escalations::outbox::Announcement;
use rota_io::secrets::{SecretName, SecretStore, SecretValue};
use rota_io::slack::{Announcer, SlackError};
use rota_testkit::http::{closed_port, Handler, Reply, Request, Response, Server};
use serde_json::json;
use std::sync::Arc;

const SECRET_PATH: &str = "/services/T0001/B0002/s3cr3tW3bh00kP4th";

fn webhook_server(status: u16) -> Handler {
    Arc::new(move |_: &Request, _: &str| {
        Reply::Send(Response { status, headers: vec![], body: if status == 200 { "ok".into() } else { "no_service".into() } })
    })
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-03-05T12:00:00Z").unwrap().with_timezone(&Utc)
}

fn new(title: &str) -> NewEscalation {
    NewEscalation { url: Some("https://support.example.com/t/42".into()), ..filing(title, "dee", Severity::Sev1) }
}

fn announcer(secrets: &MemorySecrets, url: &str, group: Option<&str>) -> Announcer {
    secrets.set(SecretName::SlackWebhook, &SecretValue::new(url)).unwrap();
    Announcer::from_secrets(secrets, group.map(Into::into)).unwrap().expect("a webhook is stored")
}

#[tokio::test]
async fn the_webhook_receives_the_title_as_a_link_customer_severity_assignee_and_group() {
    let s = local();
    let server = Server::start(webhook_server(200)).await;
    let secrets = MemorySecrets::default();
    let a = announcer(&secrets, &format!("{}{SECRET_PATH}", server.base), Some("S0123ABCD"));

    let filed = s.outbox.file(&s.store, Some(&a), new("Search is down"), now()).await.unwrap();
    assert_eq!(filed.announcement, Announcement::Posted);
    assert!(!filed.queued);

    let requests = server.requests();
    assert_eq!(requests.len(), 1, "posted once");
    let (req, _) = &requests[0];
    assert_eq!((req.method.as_str(), req.path()), ("POST", SECRET_PATH));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(
        req.json(),
        json!({
            "text": "<!subteam^S0123ABCD> New escalation: <https://support.example.com/t/42|Search is down>\n*Customer:* Acme Corp  ·  *Severity:* sev1  ·  *Assigned to:* @dee",
            "unfurl_links": false,
            "unfurl_media": false,
        })
    );

    // Without a group: no group mention; for the whole rotation: said so.
    let a = announcer(&secrets, &format!("{}{SECRET_PATH}", server.base), None);
    let whole = NewEscalation { assignee: None, ..new("Nobody home") };
    s.outbox.file(&s.store, Some(&a), whole, now()).await.unwrap();
    let text = server.requests()[1].0.json()["text"].as_str().unwrap().to_owned();
    assert!(!text.contains("subteam") && text.ends_with("*Assigned to:* the whole rotation"), "{text}");
}

#[tokio::test]
async fn a_failing_or_absent_slack_changes_nothing_else() {
    let s = local();
    let failing = Server::start(webhook_server(500)).await;
    let secrets = MemorySecrets::default();
    let cases =
        [(format!("{}{SECRET_PATH}", failing.base), "500"), (format!("http://{}{SECRET_PATH}", closed_port()), "cannot reach Slack")];
    for (i, (url, expected)) in cases.iter().enumerate() {
        let a = announcer(&secrets, url, Some("S0123ABCD"));
        let filed = s.outbox.file(&s.store, Some(&a), new(&format!("Case {i}")), now()).await.unwrap();
        assert!(!filed.queued, "{filed:?}");
        let Announcement::Failed(why) = &filed.announcement else { panic!("{:?}", filed.announcement) };
        let shown = format!("{why} {why:?}");
        assert!(shown.contains(expected), "{shown}");
        assert!(!shown.contains("s3cr3t") && !shown.contains("/services/"), "the webhook URL leaked: {shown}");
        assert_eq!(s.store.find(&filed.escalation.id).unwrap().title, format!("Case {i}"), "filed all the same");
    }
    assert_eq!(failing.requests().len(), 1, "a failed announcement is not retried");
    assert_eq!(s.store.list(None).unwrap().len(), 2);
    assert_eq!(s.outbox.queued_count().unwrap(), 0);

    // No webhook stored: no announcer, no error.
    let empty = MemorySecrets::default();
    assert!(Announcer::from_secrets(&empty, Some("S0123ABCD".into())).unwrap().is_none());
    // A stored webhook that is not https is refused without showing it.
    empty.set(SecretName::SlackWebhook, &SecretValue::new("http://hooks.slack.com/services/s3cr3t")).unwrap();
    let err = Announcer::from_secrets(&empty, None).unwrap_err();
    assert_eq!(err, SlackError::BadWebhook);
    assert!(!err.to_string().contains("s3cr3t"));
}
