//! The one way to act on an escalation (`rota_io::acting::act`), on the `local` backend, a real
//! SQLite file: what was asked checked once (the team, the link, the engineer with "did you
//! mean"), the state asked through the core, an effect already there said so with nothing
//! written, `auto` the policy's pick from the backend's open counts.

use chrono::{DateTime, TimeZone, Utc};
use rota_core::duty::OnDuty;
use rota_core::escalation::{EscalationState, NewEscalation, Severity};
use rota_core::lifecycle::HistoryEntry;
use rota_core::roster::parse_roster;
use rota_io::acting::{self, Act, ActError, ActErrorKind, Acted, Acting, Rotation, To};
use rota_io::escalations::local::LocalStore;
use rota_io::escalations::{AnyBackend, Backend};

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

/// At 12:00 UTC: Ann in Berlin (13:00), Kat in Kathmandu (+05:45, 17:45, her hours 09-18), Bo in
/// London (12:00), Cha on the Chatham Islands (+13:45, 01:45 the next day, asleep).
const PEOPLE: &str = "[[person]]\nhandle = \"ann\"\nname = \"Ann Ames\"\ntimezone = \"Europe/Berlin\"\n\n\
[[person]]\nhandle = \"kat\"\nname = \"Kat Kim\"\ntimezone = \"Asia/Kathmandu\"\nhours = \"09:00-18:00\"\n\n\
[[person]]\nhandle = \"bo\"\ntimezone = \"Europe/London\"\n\n\
[[person]]\nhandle = \"cha\"\ntimezone = \"Pacific/Chatham\"\n";

fn rotation(on: &[&str]) -> Rotation {
    let roster = parse_roster("people.toml", PEOPLE).value;
    Rotation { on_duty: on.iter().map(|h| OnDuty::new(h, &roster, at(0))).collect(), roster }
}

struct Desk {
    _dir: tempfile::TempDir,
    backend: AnyBackend,
    rotation: Option<Rotation>,
}

impl Desk {
    /// A fresh database with escalations assigned to `assignees`, ids 1, 2, … in order.
    async fn new(assignees: &[&str]) -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path().join("rota.sqlite3")).unwrap();
        for (i, a) in assignees.iter().enumerate() {
            let new = NewEscalation {
                title: format!("Escalation {}", i + 1),
                reporter: Some("sam".into()),
                assignee: Some((*a).into()),
                severity: Severity::Sev2,
                ..NewEscalation::default()
            };
            store.create(&new, at(0)).await.unwrap();
        }
        Desk { _dir: dir, backend: AnyBackend::Local(store), rotation: Some(rotation(&["ann", "kat", "bo", "cha"])) }
    }

    async fn act(&self, id: &str, act: Act, minute: i64) -> Result<Acted, ActError> {
        let with = Acting { backend: &self.backend, me: Some("ann"), rotation: self.rotation.as_ref(), tell_tray: false };
        acting::act(&with, id, act, at(minute)).await
    }

    async fn history(&self, id: &str) -> Vec<HistoryEntry> {
        let e = self.backend.get(id).await.unwrap();
        self.backend.history_of(&e).await.unwrap()
    }
}

fn invalid(field: &'static str, message: &str) -> ActError {
    ActError { kind: ActErrorKind::Invalid, field: Some(field), message: message.into() }
}

#[tokio::test]
async fn an_action_is_recorded_once_and_again_is_already_with_nothing_written() {
    let desk = Desk::new(&["ann"]).await;
    let acked = desk.act("1", Act::Acknowledge, 5).await.unwrap();
    assert!(acked.changed);
    assert_eq!(acked.escalation.state, EscalationState::Acknowledged);
    assert_eq!(acked.sentence("Ann Ames"), "Acknowledged escalation 1");
    let last = desk.history("1").await.pop().unwrap();
    assert_eq!((last.state, last.by.as_deref(), last.at), (EscalationState::Acknowledged, Some("ann"), at(5)), "who and when");

    let again = desk.act("1", Act::Acknowledge, 6).await.unwrap();
    assert!(!again.changed);
    assert_eq!(again.sentence("Ann Ames"), "Escalation 1 is already acknowledged");
    assert_eq!(desk.history("1").await.len(), 2, "opened and acknowledged, nothing more");
}

#[tokio::test]
async fn a_state_that_does_not_allow_it_is_refused_in_the_cores_words() {
    let desk = Desk::new(&["ann"]).await;
    let resolved = desk.act("1", Act::Resolve { note: Some("  reindexed ".into()) }, 5).await.unwrap();
    assert_eq!(desk.history("1").await.pop().unwrap().note.as_deref(), Some("reindexed"), "the note trimmed");
    assert_eq!(resolved.escalation.state, EscalationState::Resolved);
    let refused = desk.act("1", Act::Engage { team: "search".into(), url: None }, 6).await.unwrap_err();
    assert_eq!(refused.kind, ActErrorKind::Refused);
    assert_eq!(refused.field, None);
    assert_eq!(
        refused.message,
        "escalation 1 is resolved, so there is nothing to engage engineering on: reopen it first (`rota reopen 1`)"
    );
    assert_eq!(desk.history("1").await.len(), 2, "nothing written");
    assert_eq!(desk.act("1", Act::Reopen, 7).await.unwrap().escalation.state, EscalationState::Open);
}

#[tokio::test]
async fn the_team_and_the_link_are_checked_before_the_backend_is_asked() {
    let desk = Desk::new(&["ann"]).await;
    let engage = |team: &str, url: Option<&str>| Act::Engage { team: team.into(), url: url.map(Into::into) };
    // Escalation 99 does not exist: the field is wrong first.
    assert_eq!(desk.act("99", engage("  ", None), 5).await.unwrap_err(), invalid(acting::TEAM, "name the engineering team"));
    assert_eq!(
        desk.act("99", engage("search, billing", None), 5).await.unwrap_err(),
        invalid(acting::TEAM, "a team's name has no commas or control characters")
    );
    for link in ["javascript:alert(1)", "ftp://eng.example.com/x", "eng.example.com/SRCH-1"] {
        let e = desk.act("1", engage("search", Some(link)), 5).await.unwrap_err();
        assert_eq!(e, invalid(acting::URL, "the link must be an http or https URL"), "{link}");
    }
    assert_eq!(desk.history("1").await.len(), 1, "nothing written");
    assert_eq!(desk.act("99", engage("search", None), 5).await.unwrap_err().kind, ActErrorKind::NotFound);

    let engaged = desk.act("1", engage(" search ", Some(" https://eng.example.com/SRCH-1 ")), 5).await.unwrap();
    assert_eq!((engaged.escalation.state, engaged.escalation.team.as_deref()), (EscalationState::HandedToEngineering, Some("search")));
    assert_eq!(engaged.sentence(""), "Engaged engineering (search) on escalation 1");
    let last = desk.history("1").await.pop().unwrap();
    assert_eq!(last.note.as_deref(), Some("https://eng.example.com/SRCH-1"));
    // The same team again (any case): already so.
    assert!(!desk.act("1", engage("Search", Some("")), 6).await.unwrap().changed);
}

#[tokio::test]
async fn a_named_engineer_is_checked_against_the_rotation_and_the_roster_with_did_you_mean() {
    let desk = Desk::new(&["ann"]).await;
    let to = |h: &str| Act::Reassign { to: To::Handle(h.into()) };
    let unknown = desk.act("99", to("kta"), 5).await.unwrap_err();
    assert_eq!(unknown, invalid(acting::TO, "\"kta\" is not an engineer on this rotation or in the roster; did you mean kat, cha or ann?"));
    assert_eq!(desk.act("1", to(" @ "), 5).await.unwrap_err(), invalid(acting::TO, "choose an engineer"));

    let moved = desk.act("1", to("@BO"), 5).await.unwrap();
    assert_eq!(moved.escalation.assignee.as_deref(), Some("bo"), "the roster's spelling");
    assert_eq!(moved.sentence("bo"), "Reassigned escalation 1 to bo");
    assert_eq!(moved.picked, None);
    let by_name = desk.act("1", to("Kat Kim"), 6).await.unwrap();
    assert_eq!(by_name.escalation.assignee.as_deref(), Some("kat"));
    let again = desk.act("1", to("KAT"), 7).await.unwrap();
    assert_eq!((again.changed, again.sentence("Kat Kim").as_str()), (false, "Escalation 1 is already assigned to Kat Kim"));
}

#[tokio::test]
async fn auto_is_the_policys_pick_among_the_others_counted_by_the_backend() {
    // Bo (working) already has escalations 2 and 3: Kat (working, none) is the pick for 1, though
    // by working hours alone Bo, whose day ends later, would be.
    let desk = Desk::new(&["ann", "bo", "bo"]).await;
    let acted = desk.act("1", Act::Reassign { to: To::Auto }, 5).await.unwrap();
    let picked = acted.picked.as_ref().unwrap();
    assert_eq!((picked.handle.as_str(), picked.open), ("kat", 0));
    assert_eq!(acted.escalation.assignee.as_deref(), Some("kat"));
    assert_eq!(acted.sentence("Kat Kim"), "Reassigned escalation 1 to Kat Kim");
    assert_eq!(acted.warning, None, "the backend counted them");

    // Again: not Kat, whose it is now; not Cha, asleep (01:52 on the Chatham Islands); Ann, working
    // with none open, before Bo with two.
    let acted = desk.act("1", Act::Reassign { to: To::Auto }, 7).await.unwrap();
    assert_eq!(acted.escalation.assignee.as_deref(), Some("ann"));
    assert!(acted.changed);
}

#[tokio::test]
async fn auto_with_nobody_else_on_duty_says_so_and_without_the_rotation_fails() {
    let mut desk = Desk::new(&["ann"]).await;
    desk.rotation = Some(rotation(&["ann"]));
    let alone = desk.act("1", Act::Reassign { to: To::Auto }, 5).await.unwrap_err();
    assert_eq!(
        (alone.kind, alone.field, alone.message.as_str()),
        (ActErrorKind::NobodyElse, Some(acting::TO), "nobody else is on rotation now")
    );

    desk.rotation = None;
    let unknown = desk.act("1", Act::Reassign { to: To::Handle("bo".into()) }, 5).await.unwrap_err();
    assert_eq!(unknown.kind, ActErrorKind::Failed);
    assert_eq!(desk.history("1").await.len(), 1, "nothing written");
    assert!(desk.act("1", Act::Acknowledge, 5).await.unwrap().changed, "only a reassignment needs the rotation");
}

#[test]
fn to_is_auto_or_a_handle_and_nothing_typed_is_none() {
    assert_eq!(To::parse(" AUTO "), Some(To::Auto));
    assert_eq!(To::parse("@auto"), Some(To::Auto));
    assert_eq!(To::parse(" @kat "), Some(To::Handle("kat".into())));
    assert_eq!(To::parse("Kat Kim"), Some(To::Handle("Kat Kim".into())));
    assert_eq!(To::parse(" @ "), None);
    assert_eq!(To::parse(""), None);
}
