//! The filing use case (`rota_io::filing`) every front end calls: what the backend is known to
//! refuse is refused with nothing saved; a backend that cannot be opened leaves the escalation
//! queued with the reason; a backend that takes it files it once; a queued one can be discarded.
//! Against the real local backend (a SQLite file in a temporary folder).

use chrono::{TimeZone, Utc};
use rota_core::escalation::{EscalationState, NewEscalation, Severity};
use rota_io::escalations::configured;
use rota_io::escalations::outbox::Outbox;
use rota_io::filing::{self, FilingError};
use rota_io::protocol::Overrides;
use rota_io::settings::{self, Settings};

fn settings(dir: &std::path::Path, escalations: &str) -> Settings {
    let config = dir.join("config.toml");
    std::fs::write(&config, format!("me = \"ann\"\n\n[escalations]\n{escalations}\n")).unwrap();
    let mut s = settings::resolve(&Overrides { config: Some(config), ..Default::default() }, Some("UTC")).unwrap();
    s.data_dir = Some(dir.join("data"));
    s
}

/// A data folder, the settings of `me = "ann"` with `escalations` (the `[escalations]` table's
/// lines), and its outbox.
fn desk(escalations: &str) -> (tempfile::TempDir, Settings, Outbox) {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path(), escalations);
    let outbox = configured::open_outbox(&s).unwrap();
    (dir, s, outbox)
}

fn new(title: &str) -> NewEscalation {
    NewEscalation {
        title: title.into(),
        customer: Some("Acme".into()),
        severity: Severity::Sev2,
        url: None,
        details: String::new(),
        reporter: Some("ann".into()),
        assignee: Some("bob".into()),
        client_key: None,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn the_local_backend_files_it_once() {
    let (_dir, s, outbox) = desk("backend = \"local\"");
    let now = Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap();
    runtime().block_on(async {
        let backend = filing::open_backend(&s).await;
        let filed = filing::file(&s, &outbox, &backend, new("Exports fail"), now).await.unwrap();
        assert_eq!((filed.queued, filed.slack), (None, None));
        assert_eq!(filed.escalation.state, EscalationState::Open);
        assert_eq!(filed.escalation.assignee.as_deref(), Some("bob"));
        assert_eq!(outbox.queued_count().unwrap(), 0, "sent, not waiting");
    });
}

#[test]
fn a_backend_that_cannot_be_opened_leaves_it_queued_with_the_reason_and_it_can_be_discarded() {
    let (_dir, s, outbox) = desk("backend = \"local\"");
    let now = Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap();
    runtime().block_on(async {
        let closed = Err("the keyring is locked".to_owned());
        let filed = filing::file(&s, &outbox, &closed, new("Search is slow"), now).await.unwrap();
        assert_eq!(filed.queued.as_deref(), Some("the keyring is locked"));
        assert_eq!(filed.escalation.state, EscalationState::Queued);
        assert_eq!(outbox.queued_count().unwrap(), 1);
        let key = filed.escalation.id.clone();
        assert!(filing::discard(&outbox, &key).await.unwrap());
        assert!(!filing::discard(&outbox, &key).await.unwrap(), "gone already");
        assert_eq!(outbox.queued_count().unwrap(), 0);
    });
}

#[test]
fn what_github_is_known_to_refuse_is_refused_with_nothing_saved() {
    let (_dir, s, outbox) = desk("backend = \"github\"\n\n[escalations.github]\nrepo = \"acme/escalations\"");
    let now = Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap();
    runtime().block_on(async {
        let never = Err("not asked".to_owned());
        let refused = filing::file(&s, &outbox, &never, new(&"x".repeat(300)), now).await.unwrap_err();
        let FilingError::NotSaved { field, message } = refused else { panic!("{refused:?}") };
        assert_eq!(field, "title");
        assert!(message.starts_with("GitHub refuses it: "), "{message}");
        assert_eq!(outbox.entries().unwrap().len(), 0, "nothing saved");
    });
}
