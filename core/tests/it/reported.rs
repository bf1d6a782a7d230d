//! The person who filed an escalation is told, once each, when it is acknowledged,
//! handed to engineering or resolved.

use chrono::{TimeZone, Utc};
use rota_core::escalation::{Escalation, EscalationState, Severity};
use rota_core::reported::{decide_reported, decide_reported_changes, progress_text, seen_after_delivery, ReportedSeen};

const ME: &str = "sam";

fn esc(id: &str, reporter: &str, assignee: &str, state: EscalationState) -> Escalation {
    Escalation {
        id: id.into(),
        title: format!("escalation {id}"),
        customer: Some("Acme".into()),
        severity: Severity::Sev2,
        url: Some(format!("https://support.example.com/t/{id}")),
        page: None,
        details: String::new(),
        reporter: Some(reporter.into()),
        assignee: Some(assignee.into()),
        state,
        created_at: Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, id.parse().unwrap()).unwrap(),
        client_key: None,
        team: None,
    }
}

fn told(seen: Option<&ReportedSeen>, polled: &[Escalation]) -> Vec<String> {
    decide_reported(seen, ME, polled).notices.iter().map(|p| format!("{} {}->{}", p.escalation.id, p.from, p.escalation.state)).collect()
}

#[test]
fn told_once_for_each_step_never_on_the_first_run_nor_about_others_or_my_own_work() {
    use EscalationState::*;
    let first = [esc("1", ME, "ann", Open), esc("2", ME, "ann", Acknowledged), esc("3", "bob", "ann", Open), esc("4", ME, "sam", Open)];
    assert_eq!(told(None, &first), Vec::<String>::new(), "the first run records only");
    let seen = decide_reported(None, ME, &first).seen;
    assert_eq!(seen.iter().collect::<Vec<_>>(), [("1", Open), ("2", Acknowledged)], "mine, not bob's, not those assigned to me");

    let later = [
        esc("1", ME, "ann", Acknowledged),
        esc("2", ME, "ann", HandedToEngineering),
        esc("3", "bob", "ann", Resolved),
        esc("4", "SAM", "sam", Resolved),
        esc("5", ME, "ann", Resolved), // filed and resolved since the last poll
        esc("6", ME, "ann", Open),
    ];
    assert_eq!(told(Some(&seen), &later), ["1 open->acknowledged", "2 acknowledged->handed_to_engineering", "5 open->resolved"]);
    let seen = decide_reported(Some(&seen), ME, &later).seen;
    assert_eq!(told(Some(&seen), &later), Vec::<String>::new(), "nothing twice");

    // Reopened (no notice), then acknowledged again (a notice).
    let reopened = [esc("5", ME, "ann", Open)];
    assert_eq!(told(Some(&seen), &reopened), Vec::<String>::new());
    let seen = decide_reported(Some(&seen), ME, &reopened).seen;
    assert_eq!(told(Some(&seen), &[esc("5", ME, "ann", Acknowledged)]), ["5 open->acknowledged"]);
}

#[test]
fn a_notice_that_could_not_be_shown_is_told_again() {
    use EscalationState::*;
    let before = decide_reported(None, ME, &[esc("1", ME, "ann", Open)]).seen;
    let now = [esc("1", ME, "ann", Resolved), esc("2", ME, "ann", Acknowledged)];
    let d = decide_reported(Some(&before), ME, &now);
    assert_eq!(d.notices.len(), 2);
    let kept = seen_after_delivery(Some(&before), &d, &[0, 1]);
    assert_eq!(kept.iter().collect::<Vec<_>>(), [("1", Open)], "1 keeps its old state; 2 was never seen");
    assert_eq!(told(Some(&kept), &now), ["1 open->resolved", "2 open->acknowledged"]);
    let all = seen_after_delivery(Some(&before), &d, &[]);
    assert_eq!(told(Some(&all), &now), Vec::<String>::new());
}

#[test]
fn the_words() {
    use EscalationState::*;
    let mut e = esc("7", ME, "ann", HandedToEngineering);
    e.team = Some("search".into());
    let d = decide_reported(Some(&ReportedSeen::default()), ME, &[e]);
    let t = progress_text(&d.notices[0]);
    assert_eq!(t.summary, "Your escalation went to engineering (search): escalation 7");
    assert_eq!(t.body, "Assigned to ann\nCustomer: Acme\nSeverity: sev2");
    assert_eq!(t.url.as_deref(), Some("https://support.example.com/t/7"), "Open goes to it");
    assert_eq!(t.escalation_id, None, "nothing for the reporter to acknowledge");
    let d = decide_reported(Some(&ReportedSeen::default()), ME, &[esc("8", ME, "ann", Resolved)]);
    assert_eq!(progress_text(&d.notices[0]).summary, "Your escalation was resolved: escalation 8");
    let d = decide_reported(Some(&ReportedSeen::default()), ME, &[esc("9", ME, "ann", Acknowledged)]);
    assert_eq!(progress_text(&d.notices[0]).summary, "Your escalation was acknowledged: escalation 9");
}

/// After the first poll only what changed since is listed (GitHub's `since`): the
/// escalations not listed keep their state (no notice when they come back unchanged, the right
/// one when they come back changed), and one that moved on is told as usual.
#[test]
fn a_listing_of_changes_only_keeps_what_it_does_not_list() {
    use EscalationState::*;
    let seen = decide_reported(None, ME, &[esc("1", ME, "ann", Open), esc("2", ME, "ann", Acknowledged), esc("3", ME, "ann", Open)]).seen;
    let changed = [esc("3", ME, "ann", Resolved), esc("4", ME, "ann", Open)];
    let d = decide_reported_changes(Some(&seen), ME, &changed);
    let said: Vec<String> = d.notices.iter().map(|p| format!("{} {}->{}", p.escalation.id, p.from, p.escalation.state)).collect();
    assert_eq!(said, ["3 open->resolved"]);
    assert_eq!(d.seen.iter().collect::<Vec<_>>(), [("1", Open), ("2", Acknowledged), ("3", Resolved), ("4", Open)]);
    // Listed again with a comment only (GitHub's `updated_at` moved): nothing to tell.
    let again = decide_reported_changes(Some(&d.seen), ME, &[esc("2", ME, "ann", Acknowledged)]);
    assert!(again.notices.is_empty());
    assert_eq!(again.seen, d.seen);
    // A whole listing would have dropped what it did not list.
    assert_eq!(decide_reported(Some(&d.seen), ME, &changed).seen.iter().count(), 2);
    // The first run records only, as with a whole listing.
    assert!(decide_reported_changes(None, ME, &changed).notices.is_empty());
}
