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

/// At 12:00 UTC: Ann in Berlin (13:00, working), Bo in London (12:00, working), Cha on the
/// Chatham Islands (+13:45, 01:45 the next day, asleep).
const PEOPLE: &str = "[[person]]\nhandle = \"ann\"\nname = \"Ann Ames\"\ntimezone = \"Europe/Berlin\"\n\n\
[[person]]\nhandle = \"bo\"\ntimezone = \"Europe/London\"\n\n\
[[person]]\nhandle = \"cha\"\ntimezone = \"Pacific/Chatham\"\n";

fn rotation(on: &[&str], at: chrono::DateTime<Utc>) -> filing::Rotation {
    let roster = rota_core::roster::parse_roster("people.toml", PEOPLE).value;
    filing::Rotation { on_duty: on.iter().map(|h| rota_core::duty::OnDuty::new(h, &roster, at)).collect(), roster }
}

fn ask(title: &str, url: Option<&str>, to: filing::To) -> filing::Ask {
    let escalation = NewEscalation {
        title: title.into(),
        customer: Some("  ".into()),
        severity: Severity::Sev2,
        url: url.map(Into::into),
        ..NewEscalation::default()
    };
    filing::Ask { escalation, to: Some(to) }
}

#[test]
fn what_was_asked_is_checked_before_anything_is_opened() {
    let invalid = |a: filing::Ask| match a.checked() {
        Err(FilingError::Invalid(problems)) => problems.into_iter().map(|p| p.field).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(invalid(ask("  ", None, filing::To::Auto)), [filing::TITLE]);
    assert_eq!(invalid(ask("", Some("ftp://x"), filing::To::Auto)), [filing::TITLE, filing::URL], "every problem at once");
    let asked = ask(" Exports fail ", Some(" https://t/1 "), filing::To::Auto).checked().unwrap();
    assert_eq!(
        (asked.escalation.title.as_str(), asked.escalation.url.as_deref(), asked.escalation.customer.as_deref()),
        ("Exports fail", Some("https://t/1"), None)
    );
}

#[test]
fn an_engineer_by_name_is_their_handle_and_an_unknown_one_names_the_nearest() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path(), "backend = \"local\"");
    let now = Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap();
    let r = rotation(&["ann", "bo"], now);
    runtime().block_on(async {
        let outbox = configured::open_outbox(&s).unwrap();
        let backend = filing::open_backend(&s).await;
        let picked = filing::pick(&r, Some(&filing::To::Handle("Ann Ames".into())), &outbox, &backend, now).await.unwrap();
        assert_eq!((picked.assignee.as_deref(), picked.reason), (Some("ann"), None));
        match filing::pick(&r, Some(&filing::To::Handle("chaa".into())), &outbox, &backend, now).await {
            Err(FilingError::Invalid(problems)) => {
                assert_eq!(problems[0].field, filing::TO);
                assert!(problems[0].message.contains("cha"), "names the nearest: {}", problems[0].message);
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn auto_picks_the_least_loaded_engineer_working_counting_what_waits_in_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let s = settings(dir.path(), "backend = \"local\"");
    let now = Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap();
    runtime().block_on(async {
        let outbox = configured::open_outbox(&s).unwrap();
        // Ann has one waiting in the outbox (a backend that cannot be opened keeps it there).
        let mut to_ann = new("Waiting");
        to_ann.assignee = Some("ann".into());
        filing::file(&s, &outbox, &Err("offline".into()), to_ann, now).await.unwrap();
        let backend = filing::open_backend(&s).await;
        let picked = filing::pick(&rotation(&["ann", "bo", "cha"], now), Some(&filing::To::Auto), &outbox, &backend, now).await.unwrap();
        assert_eq!(picked.assignee.as_deref(), Some("bo"), "{picked:?}");
        assert!(picked.reason.is_some_and(|r| r.contains("working")));
        assert_eq!((picked.uncounted, picked.nobody_on), (None, false));
        // The backend cannot be asked: the pick rests on working hours, and says why.
        let offline =
            filing::pick(&rotation(&["cha", "bo"], now), Some(&filing::To::Auto), &outbox, &Err("offline".into()), now).await.unwrap();
        assert_eq!((offline.assignee.as_deref(), offline.uncounted.as_deref()), (Some("bo"), Some("offline")));
        // Nobody on: the whole rotation.
        let nobody = filing::pick(&rotation(&[], now), Some(&filing::To::Auto), &outbox, &backend, now).await.unwrap();
        assert_eq!((nobody.assignee, nobody.nobody_on), (None, true));
    });
}
