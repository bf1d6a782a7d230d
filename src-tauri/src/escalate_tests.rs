//! The escalate window saves to the outbox before anything that can fail (the
//! keyring, the backend), refuses what GitHub is known to refuse beside its field before saving,
//! and shows refused escalations to fix and resend.

use super::escalate;
use crate::escalations::configured;
use crate::settings::{self, Settings};
use chrono::{TimeZone, Utc};
use rota_core::escalation::{NewEscalation, Severity};
use rota_io::protocol::Overrides;

/// GitHub settings whose API nobody answers and whose token the keyring cannot give (the tests
/// run without a Secret Service): opening the backend fails.
fn github_settings(dir: &std::path::Path) -> Settings {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "me = \"ann\"\n[escalations]\nbackend = \"github\"\ngithub = { api = \"http://127.0.0.1:9\", repo = \"acme/escalations\" }\n",
    )
    .unwrap();
    let mut s = settings::resolve(&Overrides { config: Some(config), ..Overrides::default() }, None).unwrap();
    s.data_dir = Some(dir.join("data"));
    s
}

fn new(title: &str) -> NewEscalation {
    NewEscalation { title: title.into(), severity: Severity::Sev2, assignee: Some("bob".into()), ..NewEscalation::default() }
}

#[test]
fn a_filing_is_saved_before_the_backend_is_opened_and_a_known_refusal_is_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    let s = github_settings(dir.path());
    let now = Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();

    let filed = rt.block_on(escalate::file(&s, new("Search is down"), None, now)).unwrap();
    assert!(filed.queued, "{}", filed.message);
    assert!(filed.message.starts_with("Saved, waiting to send to bob"), "{}", filed.message);
    let outbox = configured::open_outbox(&s).unwrap();
    let entries = outbox.entries().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].escalation.title, "Search is down");

    // Known to be refused: beside the title, nothing saved.
    let e = rt.block_on(escalate::file(&s, new(&"x".repeat(300)), None, now)).unwrap_err().errors.remove(0);
    assert_eq!(e.field, Some("title"));
    assert!(e.message.contains("title is too long (maximum is 256 characters)"), "{}", e.message);
    assert_eq!(outbox.entries().unwrap().len(), 1);
}

#[test]
fn the_form_says_every_problem_at_once_each_beside_its_field() {
    let roster =
        rota_core::roster::parse_roster("people.toml", "[[person]]\nhandle = \"bob\"\nname = \"Bob Baker\"\ntimezone = \"UTC\"\n").value;
    let rotation = rota_io::filing::Rotation { on_duty: Vec::new(), roster };
    let form = |title: &str, severity: &str, url: &str, assignee: &str| escalate::FilingForm {
        title: title.into(),
        customer: None,
        severity: severity.into(),
        url: Some(url.into()),
        details: " more \n".into(),
        assignee: Some(assignee.into()),
        key: None,
    };
    let errors = form(" ", "urgent", "ftp://x", "zed").checked(&rotation).unwrap_err().errors;
    let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, [Some("title"), Some("url"), Some("severity"), None], "{errors:?}");
    assert!(errors[3].message.contains("zed"), "{}", errors[3].message);

    let asked = form(" Exports fail ", "sev1", "", "Bob Baker").checked(&rotation).unwrap();
    assert_eq!(
        (asked.escalation.title.as_str(), asked.escalation.severity, asked.escalation.url.as_deref(), asked.escalation.details.as_str()),
        ("Exports fail", Severity::Sev1, None, "more")
    );
    assert_eq!(asked.to, Some(rota_io::filing::To::Handle("bob".into())), "a roster name is the handle");
}

#[test]
fn the_same_filing_sent_twice_is_filed_once() {
    // Tauri sends a command again when its page reloads while the command runs (a kept escalate
    // window reloaded for the next Ctrl+Alt+E): the form's key makes the second one the first.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "me = \"ann\"\n").unwrap();
    let overrides = Overrides { config: Some(dir.path().join("config.toml")), ..Overrides::default() };
    let mut s = settings::resolve(&overrides, None).unwrap();
    s.data_dir = Some(dir.path().join("data"));
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let now = Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let rotation = rota_io::filing::Rotation { on_duty: Vec::new(), roster: rota_core::Roster::default() };
    let form = |key: &str| escalate::FilingForm {
        title: "Search is down".into(),
        customer: None,
        severity: "sev2".into(),
        url: None,
        details: String::new(),
        assignee: None,
        key: Some(key.into()),
    };
    let key = "rota-0123456789abcdef0123456789abcdef";
    let filed = |key: &str| {
        let asked = form(key).checked(&rotation).unwrap();
        assert_eq!(asked.escalation.client_key.as_deref(), Some(key));
        rt.block_on(escalate::file(&s, asked.escalation(Some("ann".into()), Default::default()), None, now)).unwrap()
    };
    let first = filed(key);
    let again = filed(key);
    assert!(!first.queued && !again.queued, "{} / {}", first.message, again.message);
    assert_eq!(first.id, again.id, "sent twice, filed once");
    let other = filed("rota-ffffffffffffffffffffffffffffffff");
    assert_ne!(other.id, first.id, "another press of File is another escalation");
    let backend = rt.block_on(crate::escalations::configured::open_blocking(&s)).unwrap();
    let filed_all = rt.block_on(rota_io::escalations::Backend::list_every(&backend)).unwrap();
    assert_eq!(filed_all.len(), 2, "{filed_all:?}");

    // A key not made as Rota makes them is refused beside its field, nothing saved.
    let errors = form("rota-x\n-->").checked(&rotation).unwrap_err().errors;
    assert_eq!(errors.iter().map(|e| e.field).collect::<Vec<_>>(), [Some("key")], "{errors:?}");
}
