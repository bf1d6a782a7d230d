//! What a desktop notification says, and what to remember when some could not be shown.
//!
//! [`text`] turns a [`Notice`] (from [`crate::escalation::decide`]) into the words every
//! platform shows: "New escalation: {title}" with the customer, severity and reporter, or the
//! first run's one summary ("3 open escalations assigned to you"). [`seen_after_delivery`] keeps
//! the exactly-once promise when the notification service failed for some notices: those stay
//! out of the stored seen set, so the next poll shows them again.
//!
//! It is not the notifier: no D-Bus, no markup escaping, no actions wiring; the shell does that.

use crate::escalation::{Decision, Notice, SeenSet, Severity};

/// The words and weight of one notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeText {
    /// One line: "New escalation: Search is down".
    pub summary: String,
    /// Plain text, one fact per line.
    pub body: String,
    /// Critical urgency: a sev1 among the escalations.
    pub critical: bool,
    /// The escalation a single notice is about (`None` for the summary): what Acknowledge acts on.
    pub escalation_id: Option<String>,
    /// The link Open goes to: the escalation's own page (GitHub's `html_url`), else the link
    /// the filer gave.
    pub url: Option<String>,
    /// The customer ticket, when it is not where Open goes: shown as its own line of the body.
    pub ticket: Option<String>,
}

/// At most this many titles are listed in the first run's summary.
pub const SUMMARY_TITLES: usize = 5;

/// People's names by handle (any case), for a notice to say "Reporter: Ana Lima", not "ana".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names(std::collections::BTreeMap<String, String>);

impl Names {
    /// The roster's names.
    pub fn of(roster: &crate::Roster) -> Names {
        Names(roster.people.iter().map(|p| (p.handle.to_ascii_lowercase(), p.name.clone())).collect())
    }

    /// Names from `(handle, name)` pairs.
    pub fn from_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Names {
        Names(pairs.map(|(h, n)| (h.to_ascii_lowercase(), n.to_owned())).collect())
    }

    /// `handle`'s name, or the handle as given when nobody by it is known.
    pub fn say<'a>(&'a self, handle: &'a str) -> &'a str {
        let key = handle.trim().trim_start_matches('@').to_ascii_lowercase();
        self.0.get(&key).map_or(handle.trim(), String::as_str)
    }
}

/// The words of a notice, handles as given.
pub fn text(notice: &Notice) -> NoticeText {
    text_named(notice, &Names::default())
}

/// The words of a notice, people by their names where `names` knows them.
pub fn text_named(notice: &Notice, names: &Names) -> NoticeText {
    match notice {
        Notice::Assigned { escalation: e, reassigned_from } => {
            let mut lines = Vec::new();
            if let Some(c) = e.customer.as_deref().filter(|c| !c.trim().is_empty()) {
                lines.push(format!("Customer: {}", c.trim()));
            }
            lines.push(format!("Severity: {}", e.severity));
            if let Some(r) = e.reporter.as_deref().filter(|r| !r.trim().is_empty()) {
                lines.push(format!("Reporter: {}", names.say(r)));
            }
            if let Some(from) = reassigned_from {
                lines.push(format!("Reassigned from {}", names.say(from)));
            }
            let open = e.page.clone().or_else(|| e.url.clone());
            let ticket = e.url.clone().filter(|u| open.as_ref() != Some(u));
            if let Some(t) = &ticket {
                lines.push(format!("Ticket: {t}"));
            }
            NoticeText {
                summary: format!("New escalation: {}", e.title.trim()),
                body: lines.join("\n"),
                critical: e.severity == Severity::Sev1,
                escalation_id: Some(e.id.clone()),
                url: open,
                ticket,
            }
        }
        Notice::Summary { escalations } => {
            let n = escalations.len();
            let plural = if n == 1 { "" } else { "s" };
            let mut lines: Vec<String> =
                escalations.iter().take(SUMMARY_TITLES).map(|e| format!("{}: {}", e.severity, e.title.trim())).collect();
            if n > SUMMARY_TITLES {
                lines.push(format!("and {} more", n - SUMMARY_TITLES));
            }
            NoticeText {
                summary: format!("{n} open escalation{plural} assigned to you"),
                body: lines.join("\n"),
                critical: escalations.iter().any(|e| e.severity == Severity::Sev1),
                escalation_id: None,
                url: None,
                ticket: None,
            }
        }
    }
}

/// Whether the tray says a window's filing once more, after the window's own banner: yes for an
/// escalation filed to someone else or to the whole rotation (the word stays after the window has
/// gone), no for one I filed to myself (nothing about it beyond the banner: it is mine and I
/// know).
pub fn tray_says_filed(assignee: Option<&str>, me: Option<&str>) -> bool {
    !assignee.zip(me).is_some_and(|(a, me)| crate::escalation::same_handle(a, me))
}

/// What the tray says once after a window filed an escalation: the window's own sentence
/// ("Filed #12 to Lord Howe") as the summary, the title and the link below it.
pub fn filed(message: &str, title: &str, link: Option<&str>) -> NoticeText {
    let body = [Some(title.trim()), link.map(str::trim)].into_iter().flatten().filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
    NoticeText {
        summary: message.trim().to_owned(),
        body,
        critical: false,
        escalation_id: None,
        url: link.map(str::to_owned),
        ticket: None,
    }
}

/// The filings the tray has said, by their client keys and whether they were said waiting
/// ("Saved, waiting to send to …") or sent ("Filed #12 to Lord Howe"), the latest
/// [`SaidFilings::KEPT`]: each is said once. The same filing can be told twice: a window's
/// webview sends a command again when its page reloads while it runs (the filing is filed once,
/// by its key), and the tray's outbox sender can send what a window saved just before the window
/// sends it itself. Waiting and then sent are two things to say.
#[derive(Debug, Default)]
pub struct SaidFilings(std::collections::VecDeque<(String, bool)>);

impl SaidFilings {
    /// How many are kept: a second telling comes within seconds, so a few are plenty.
    pub const KEPT: usize = 64;

    /// Whether the filing `key`, `queued` (said waiting) or sent, is to be said now (it was not
    /// yet); from now on it is said. A filing told without a key is always said.
    pub fn first_time(&mut self, key: Option<&str>, queued: bool) -> bool {
        let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else { return true };
        if self.0.iter().any(|(k, q)| k == key && *q == queued) {
            return false;
        }
        if self.0.len() == Self::KEPT {
            self.0.pop_front();
        }
        self.0.push_back((key.to_owned(), queued));
        true
    }
}

/// The seen set to store after a poll whose notices were shown except `unshown` (indexes into
/// `decision.notices`), or `None` to store nothing (the first run's summary failed: the next
/// poll is a first run again).
///
/// An escalation whose notice failed keeps what `before` said about it, so the next poll
/// decides it is new to me again; everything else is stored as `decide` computed it.
pub fn seen_after_delivery(before: Option<&SeenSet>, decision: &Decision, unshown: &[usize]) -> Option<SeenSet> {
    let mut failed_ids = Vec::new();
    for &i in unshown {
        match decision.notices.get(i) {
            Some(Notice::Summary { .. }) => return before.cloned(),
            Some(Notice::Assigned { escalation, .. }) => failed_ids.push(escalation.id.as_str()),
            None => {}
        }
    }
    Some(
        decision
            .seen
            .iter()
            .filter_map(|(id, assignee)| {
                if failed_ids.contains(&id) {
                    before.and_then(|b| b.assignee(id)).map(|old| (id.to_owned(), old.map(str::to_owned)))
                } else {
                    Some((id.to_owned(), assignee.map(str::to_owned)))
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escalation::{decide, Escalation};
    use chrono::{TimeZone, Utc};

    #[test]
    fn a_filing_to_myself_is_said_by_its_banner_only() {
        assert!(!tray_says_filed(Some("Sofia"), Some("sofia")));
        assert!(tray_says_filed(Some("ana"), Some("sofia")));
        assert!(tray_says_filed(None, Some("sofia")), "the whole rotation");
        assert!(tray_says_filed(Some("ana"), None), "no me set");
    }

    fn esc(id: &str, title: &str, severity: Severity, assignee: &str) -> Escalation {
        Escalation {
            id: id.into(),
            title: title.into(),
            customer: Some("Acme Corp".into()),
            severity,
            url: Some("https://support.example.com/t/1".into()),
            reporter: Some("support-sam".into()),
            assignee: Some(assignee.into()),
            created_at: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, id.parse().unwrap()).unwrap(),
            ..Escalation::default()
        }
    }

    #[test]
    fn a_new_assignment_names_title_customer_severity_and_reporter() {
        let t = text(&Notice::Assigned { escalation: esc("7", "Search is down", Severity::Sev1, "ann"), reassigned_from: None });
        assert_eq!(t.summary, "New escalation: Search is down");
        assert_eq!(t.body, "Customer: Acme Corp\nSeverity: sev1\nReporter: support-sam");
        assert!(t.critical);
        assert_eq!(t.escalation_id.as_deref(), Some("7"));
        assert_eq!(t.url.as_deref(), Some("https://support.example.com/t/1"));

        let mut e = esc("8", "Login loop", Severity::Sev2, "ann");
        e.customer = None;
        e.reporter = None;
        let t = text(&Notice::Assigned { escalation: e, reassigned_from: Some("bob".into()) });
        assert_eq!(t.body, "Severity: sev2\nReassigned from bob");
        assert!(!t.critical);
    }

    /// People are said by their names where the roster knows them ("Reporter: ana" is
    /// a handle); a handle nobody has stays as given.
    #[test]
    fn people_are_named_from_the_roster() {
        let roster = crate::roster::parse_roster(
            "people.toml",
            "[[person]]\nhandle = \"Ana\"\nname = \"Ana Lima\"\n\n[[person]]\nhandle = \"bob\"\nname = \"Bob Stone\"\n",
        );
        let names = Names::of(&roster.value);
        let mut e = esc("9", "Exports fail", Severity::Sev3, "ann");
        e.reporter = Some("@ana".into());
        let t = text_named(&Notice::Assigned { escalation: e.clone(), reassigned_from: Some("BOB".into()) }, &names);
        assert_eq!(t.body, "Customer: Acme Corp\nSeverity: sev3\nReporter: Ana Lima\nReassigned from Bob Stone");
        e.reporter = Some("support-sam".into());
        let t = text_named(&Notice::Assigned { escalation: e, reassigned_from: None }, &names);
        assert!(t.body.contains("Reporter: support-sam"), "{}", t.body);
    }

    /// A GitHub escalation's Open goes to the issue itself (`html_url`), where it is
    /// acknowledged and discussed; the customer ticket (the body's `Link:` line) is a line of its own.
    #[test]
    fn open_goes_to_the_escalations_own_page_and_the_ticket_is_its_own_line() {
        let mut e = esc("7", "Search is down", Severity::Sev2, "ann");
        e.page = Some("https://github.com/acme/escalations/issues/7".into());
        let t = text(&Notice::Assigned { escalation: e.clone(), reassigned_from: None });
        assert_eq!(t.url.as_deref(), Some("https://github.com/acme/escalations/issues/7"));
        assert_eq!(t.ticket.as_deref(), Some("https://support.example.com/t/1"));
        assert_eq!(t.body, "Customer: Acme Corp\nSeverity: sev2\nReporter: support-sam\nTicket: https://support.example.com/t/1");

        // No ticket: the page alone, no ticket line.
        e.url = e.page.clone();
        let t = text(&Notice::Assigned { escalation: e, reassigned_from: None });
        assert_eq!(t.url.as_deref(), Some("https://github.com/acme/escalations/issues/7"));
        assert_eq!(t.ticket, None);
        assert!(!t.body.contains("Ticket:"));
    }

    #[test]
    fn the_first_run_is_one_summary() {
        let all: Vec<Escalation> =
            (1..=7).map(|i| esc(&i.to_string(), &format!("E{i}"), if i == 3 { Severity::Sev1 } else { Severity::Sev3 }, "ann")).collect();
        let t = text(&Notice::Summary { escalations: all[..3].to_vec() });
        assert_eq!(t.summary, "3 open escalations assigned to you");
        assert_eq!(t.body, "sev3: E1\nsev3: E2\nsev1: E3");
        assert!(t.critical && t.escalation_id.is_none());
        let t = text(&Notice::Summary { escalations: all[..1].to_vec() });
        assert_eq!(t.summary, "1 open escalation assigned to you");
        let t = text(&Notice::Summary { escalations: all.clone() });
        assert!(t.body.ends_with("sev3: E5\nand 2 more"), "{}", t.body);
    }

    #[test]
    fn an_unshown_notice_is_decided_again_next_poll() {
        let seen: SeenSet = [("1".to_owned(), Some("ann".to_owned()))].into_iter().collect();
        let polled = vec![esc("1", "a", Severity::Sev3, "ann"), esc("2", "b", Severity::Sev3, "ann"), esc("3", "c", Severity::Sev3, "ann")];
        let d = decide(Some(&seen), "ann", &polled);
        assert_eq!(d.notices.len(), 2);
        // The notice for 2 failed, the one for 3 was shown.
        let stored = seen_after_delivery(Some(&seen), &d, &[0]).unwrap();
        assert_eq!(stored.assignee("2"), None);
        assert_eq!(stored.assignee("3"), Some(Some("ann")));
        let again = decide(Some(&stored), "ann", &polled);
        assert_eq!(again.notices.len(), 1, "only 2 again");
        assert!(matches!(&again.notices[0], Notice::Assigned { escalation, .. } if escalation.id == "2"));
        // Everything shown: stored as decided.
        assert_eq!(seen_after_delivery(Some(&seen), &d, &[]), Some(d.seen.clone()));
    }

    #[test]
    fn a_failed_first_summary_stores_nothing() {
        let polled = vec![esc("1", "a", Severity::Sev3, "ann")];
        let d = decide(None, "ann", &polled);
        assert_eq!(seen_after_delivery(None, &d, &[0]), None);
        assert_eq!(seen_after_delivery(None, &d, &[]), Some(d.seen.clone()));
    }

    #[test]
    fn a_filing_told_twice_is_said_once() {
        let mut said = SaidFilings::default();
        assert!(said.first_time(Some("rota-a"), false));
        assert!(!said.first_time(Some("rota-a"), false), "the same filing told again");
        assert!(said.first_time(Some("rota-b"), false), "another filing");
        assert!(said.first_time(Some("rota-c"), true), "said waiting");
        assert!(!said.first_time(Some("rota-c"), true), "said waiting, told again");
        assert!(said.first_time(Some("rota-c"), false), "then sent: news");
        assert!(said.first_time(None, false) && said.first_time(None, false), "without a key, every telling is said");
        assert!(said.first_time(Some(" "), false) && said.first_time(Some(" "), false), "an empty key is no key");
        // Bounded: the oldest goes once KEPT more are said.
        for n in 0..SaidFilings::KEPT {
            assert!(said.first_time(Some(&format!("rota-{n}")), false));
        }
        assert_eq!(said.0.len(), SaidFilings::KEPT);
        assert!(said.first_time(Some("rota-a"), false), "forgotten after KEPT others");
        assert!(!said.first_time(Some(&format!("rota-{}", SaidFilings::KEPT - 1)), false));
    }
}
