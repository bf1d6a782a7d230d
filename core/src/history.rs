//! An escalation's history read back from its issue's timeline: the tracker's events (labels
//! added, closed, reopened, assigned) and Rota's own comments, as plain values in; the history
//! entries every front end shows out.
//!
//! Rota records a change on a GitHub issue as a label (the acknowledged and engineering labels,
//! `team:NAME`), a close or reopen, an assignment, and for the notes a comment that begins
//! [`RESOLVED_COMMENT`], [`ENGAGED_COMMENT`] or [`REASSIGNED_COMMENT`]: those words are defined here, once, for the
//! backend that writes them and for [`from_timeline`] that reads them.
//!
//! It is not the wire format (the backend reads GitHub's JSON into [`TimelineItem`]s) nor the
//! rules of which action a state allows (that is [`crate::lifecycle`]).

use crate::escalation::{Escalation, EscalationState};
use crate::lifecycle::HistoryEntry;
use chrono::{DateTime, Utc};

/// The label prefix that names the engineering team engaged: `team:search`.
pub const TEAM_LABEL: &str = "team:";

/// The label older Rotas used for "handed to engineering"; still read as such.
pub const LEGACY_ENGINEERING_LABEL: &str = "handed-to-engineering";

/// How the comment Rota writes when it engages engineering begins: `Engineering engaged: TEAM`,
/// then the link, if any, after a blank line.
pub const ENGAGED_COMMENT: &str = "Engineering engaged: ";

/// How the comment holding a reassignment's note begins: `Reassigned: NOTE`.
pub const REASSIGNED_COMMENT: &str = "Reassigned: ";

/// How the comment holding a resolve note begins: `Resolved: NOTE`.
pub const RESOLVED_COMMENT: &str = "Resolved: ";

/// The team a `team:NAME` label names.
pub fn team_of_label(label: &str) -> Option<String> {
    let (prefix, team) = label.split_at_checked(TEAM_LABEL.len())?;
    prefix.eq_ignore_ascii_case(TEAM_LABEL).then(|| team.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The labels that mark a state, as the repository's config names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateLabels<'a> {
    pub acknowledged: &'a str,
    pub engineering: &'a str,
}

/// What happened, as far as an escalation's history cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimelineEvent {
    /// A label was added.
    Labeled(String),
    /// A comment, with its text.
    Commented(String),
    Closed,
    Reopened,
    /// Someone was assigned.
    Assigned(Option<String>),
    /// Anything else (unlabeled, cross-referenced, …): no entry.
    Other,
}

/// One item of an issue's timeline: what happened, who did it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineItem {
    pub event: TimelineEvent,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// An escalation's history read from its issue's timeline, oldest first: filed (open, by its
/// reporter), then labeled with the acknowledged or engineering label (a `team:` label names the
/// team), closed (resolved), reopened (open) and assigned (a reassignment). Other events and
/// comments are skipped.
///
/// The notes come from the comments Rota writes with an action, by the same person: `Resolved:
/// NOTE` is sent just before the close it explains, and `Engineering engaged: TEAM` (the link
/// after a blank line) just after the labels. Both are usually stamped the same second as their
/// event, and GitHub does not say how it orders a tie, so each waits for its entry whichever
/// comes first; a reopen drops what is still waiting.
pub fn from_timeline(labels: StateLabels<'_>, e: &Escalation, items: &[TimelineItem]) -> Vec<HistoryEntry> {
    let mut out = vec![HistoryEntry {
        state: EscalationState::Open,
        by: e.reporter.clone(),
        at: e.created_at,
        note: None,
        team: None,
        assignee: None,
    }];
    let mut state = EscalationState::Open;
    let mut team: Option<String> = None;
    let mut waiting: Vec<Waiting> = Vec::new();
    for item in items {
        let (by, at) = (&item.by, item.at);
        let entry =
            |state, team: Option<String>, assignee: Option<String>| HistoryEntry { state, by: by.clone(), at, note: None, team, assignee };
        match &item.event {
            TimelineEvent::Labeled(label) => {
                let is = |name: &str| label.eq_ignore_ascii_case(name);
                if is(labels.acknowledged) && state == EscalationState::Open {
                    state = EscalationState::Acknowledged;
                    out.push(entry(state, None, None));
                } else if (is(labels.engineering) || is(LEGACY_ENGINEERING_LABEL)) && state != EscalationState::HandedToEngineering {
                    state = EscalationState::HandedToEngineering;
                    out.push(entry(state, team.clone(), None));
                } else if let Some(named) = team_of_label(label) {
                    team = Some(named);
                    // The team label comes with (just before or after) the engineering label.
                    match out.last_mut() {
                        Some(last) if last.state == EscalationState::HandedToEngineering && last.at == at => last.team = team.clone(),
                        _ if state == EscalationState::HandedToEngineering => out.push(entry(state, team.clone(), None)),
                        _ => {}
                    }
                }
            }
            TimelineEvent::Commented(body) => waiting.extend(Waiting::of(body, by.clone(), at)),
            TimelineEvent::Closed => {
                state = EscalationState::Resolved;
                out.push(entry(state, None, None));
            }
            TimelineEvent::Reopened => {
                state = EscalationState::Open;
                waiting.clear();
                out.push(entry(state, None, None));
            }
            TimelineEvent::Assigned(assignee) if out.len() > 1 || at > e.created_at => out.push(entry(state, None, assignee.clone())),
            TimelineEvent::Assigned(_) | TimelineEvent::Other => {}
        }
        // A note and its entry meet whichever came first.
        if let Some(last) = out.last_mut().filter(|l| l.note.is_none()) {
            if let Some(i) = waiting.iter().position(|w| w.belongs_to(last)) {
                last.note = Some(waiting.remove(i).note);
            }
        }
    }
    out
}

/// A note from one of Rota's comments, waiting for the history entry it belongs to.
struct Waiting {
    /// Resolved (`Resolved: NOTE`), or handed to engineering with this team (the link).
    state: EscalationState,
    team: Option<String>,
    by: Option<String>,
    at: DateTime<Utc>,
    note: String,
    /// A reassignment's note (`Reassigned: NOTE`), which meets the entry that names the assignee.
    reassign: bool,
}

impl Waiting {
    fn of(body: &str, by: Option<String>, at: DateTime<Utc>) -> Option<Waiting> {
        let reassign = body.starts_with(REASSIGNED_COMMENT);
        let waiting = |state, team, note: &str| {
            let note = note.trim();
            (!note.is_empty()).then(|| Waiting { state, team, by, at, note: note.to_owned(), reassign })
        };
        if let Some(note) = body.strip_prefix(REASSIGNED_COMMENT) {
            return waiting(EscalationState::Open, None, note);
        }
        if let Some(note) = body.strip_prefix(RESOLVED_COMMENT) {
            waiting(EscalationState::Resolved, None, note)
        } else {
            let (team, link) = body.strip_prefix(ENGAGED_COMMENT)?.split_once('\n')?;
            waiting(EscalationState::HandedToEngineering, Some(team.trim().to_owned()), link)
        }
    }

    /// Whether this is `entry`'s note: the same person and kind of change (the same team), and
    /// the entry no older than the comment, or stamped the same second.
    fn belongs_to(&self, entry: &HistoryEntry) -> bool {
        if self.reassign {
            return entry.assignee.is_some() && entry.by == self.by;
        }
        let same_team = match (&self.team, &entry.team) {
            (None, _) => true,
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (Some(_), None) => false,
        };
        let in_time = entry.at >= self.at || self.state == EscalationState::HandedToEngineering;
        entry.state == self.state && entry.assignee.is_none() && entry.by == self.by && same_team && in_time
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use EscalationState::*;
    use TimelineEvent::*;

    const LABELS: StateLabels<'static> = StateLabels { acknowledged: "acknowledged", engineering: "engineering" };

    /// `minute` minutes past noon on 5 March 2024, when escalation 7 was filed.
    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 5, 12, minute, 0).unwrap()
    }

    /// Escalation 7, closed, filed by sam at noon.
    fn filed() -> Escalation {
        Escalation {
            id: "7".into(),
            title: "Search is down".into(),
            severity: Default::default(),
            reporter: Some("sam".into()),
            assignee: None,
            state: Resolved,
            created_at: at(0),
            ..Escalation::default()
        }
    }

    /// One timeline item by `who`, `minute` minutes past noon.
    fn item(event: TimelineEvent, who: &str, minute: u32) -> TimelineItem {
        TimelineItem { event, by: Some(who.into()), at: at(minute) }
    }

    fn label(name: &str) -> TimelineEvent {
        Labeled(name.into())
    }

    fn comment(body: &str) -> TimelineEvent {
        Commented(body.into())
    }

    /// The history as (state, who, team, assignee, note), for comparing.
    type Row<'a> = (EscalationState, Option<&'a str>, Option<&'a str>, Option<&'a str>, Option<&'a str>);

    fn rows(history: &[HistoryEntry]) -> Vec<Row<'_>> {
        history.iter().map(|h| (h.state, h.by.as_deref(), h.team.as_deref(), h.assignee.as_deref(), h.note.as_deref())).collect()
    }

    /// The fuzz corpus's timeline (`fuzz/corpus/github_timeline/lifecycle.json`): acknowledged,
    /// engaged with a team and a link, reassigned, resolved with a note, reopened; a commit and a
    /// cross-reference skipped.
    #[test]
    fn a_whole_lifecycle_reads_back_as_its_entries() {
        let timeline = [
            item(label("acknowledged"), "ann", 1),
            item(label("engineering"), "ann", 2),
            item(label("team:search"), "ann", 2),
            item(comment("Engineering engaged: search\n\nhttps://eng.example.com/1"), "ann", 3),
            item(Assigned(Some("bob".into())), "ann", 4),
            item(comment("Resolved: reindexed"), "bob", 5),
            item(Closed, "bob", 6),
            item(Reopened, "bob", 7),
            TimelineItem { event: Other, by: None, at: at(9) },
        ];
        let history = from_timeline(LABELS, &filed(), &timeline);
        assert_eq!(history[0].at, at(0));
        assert_eq!(
            rows(&history),
            [
                (Open, Some("sam"), None, None, None),
                (Acknowledged, Some("ann"), None, None, None),
                (HandedToEngineering, Some("ann"), Some("search"), None, Some("https://eng.example.com/1")),
                (HandedToEngineering, Some("ann"), None, Some("bob"), None),
                (Resolved, Some("bob"), None, None, Some("reindexed")),
                (Open, Some("bob"), None, None, None),
            ]
        );
    }

    /// A history's notes are Rota's own comments, by whoever took the action; other comments and
    /// another person's "Resolved:" are not.
    #[test]
    fn the_notes_come_from_rotas_comments_by_the_same_person() {
        let timeline = [
            item(comment("Resolved: sam's guess"), "sam", 1),
            item(label("engineering"), "ann", 2),
            item(label("team:search"), "ann", 2),
            item(comment("Engineering engaged: search\n\nhttps://bob.example.com"), "bob", 3),
            item(comment("Engineering engaged: search\n\nhttps://eng.example.com/1"), "ann", 3),
            item(comment("Looks like the index again."), "ann", 4),
            item(Closed, "ann", 5),
            item(Reopened, "ann", 6),
            item(comment("Resolved: reindexed"), "ann", 7),
            item(Closed, "ann", 8),
        ];
        let notes: Vec<_> = from_timeline(LABELS, &filed(), &timeline).iter().map(|h| (h.state, h.note.clone())).collect();
        let note = |s: &str| Some(s.to_owned());
        assert_eq!(
            notes,
            [
                (Open, None),
                (HandedToEngineering, note("https://eng.example.com/1")),
                (Resolved, None),
                (Open, None),
                (Resolved, note("reindexed"))
            ]
        );
    }

    /// A comment and its event stamped the same second come in either order; a "Resolved:"
    /// written after a close explains no later close.
    #[test]
    fn a_note_finds_its_entry_whichever_comes_first() {
        let ann = |event, minute| item(event, "ann", minute);
        let timeline = [
            // The link before its labels, the same second; the team label after the engineering one.
            ann(comment("Engineering engaged: billing\n\nhttps://eng.example.com/2"), 2),
            ann(label("engineering"), 2),
            ann(label("team:billing"), 2),
            // The close before its note, the same second.
            ann(Closed, 5),
            ann(comment("Resolved: reindexed"), 5),
            ann(Reopened, 6),
            ann(Closed, 8),
            // Written after the close: it explains that close no more than the next one.
            ann(comment("Resolved: an afterthought"), 9),
            ann(Reopened, 10),
            ann(Closed, 11),
        ];
        let history = from_timeline(LABELS, &filed(), &timeline);
        let notes: Vec<_> = history.iter().map(|h| (h.state, h.team.as_deref(), h.note.as_deref())).collect();
        assert_eq!(
            notes,
            [
                (Open, None, None),
                (HandedToEngineering, Some("billing"), Some("https://eng.example.com/2")),
                (Resolved, None, Some("reindexed")),
                (Open, None, None),
                (Resolved, None, None),
                (Open, None, None),
                (Resolved, None, None),
            ]
        );
    }

    /// Labels are read whatever their case, the older engineering label too; a team named before
    /// the engineering label is the one engaged; an assignment at the filing is no reassignment.
    #[test]
    fn labels_teams_and_the_first_assignment() {
        let timeline = [
            item(Assigned(Some("ann".into())), "sam", 0),
            item(label("Team:Search"), "ann", 1),
            item(label("ACKNOWLEDGED"), "ann", 1),
            item(label("handed-to-engineering"), "ann", 2),
            item(label("acknowledged"), "ann", 3),
            item(label("team:"), "ann", 4),
            item(label("team:billing"), "ann", 5),
        ];
        assert_eq!(
            rows(&from_timeline(LABELS, &filed(), &timeline)),
            [
                (Open, Some("sam"), None, None, None),
                (Acknowledged, Some("ann"), None, None, None),
                (HandedToEngineering, Some("ann"), Some("Search"), None, None),
                (HandedToEngineering, Some("ann"), Some("billing"), None, None),
            ]
        );
        assert_eq!(team_of_label("TEAM: search "), Some("search".into()));
        assert_eq!(team_of_label("teams"), None);
    }
}
