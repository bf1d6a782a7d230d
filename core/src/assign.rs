//! Who gets a new escalation when the filer says `auto`: the assignment policy.
//!
//! The policy ranks the engineers on duty now: the ones working now first (then off hours, then
//! asleep, then those whose zone is unknown), then the one with the fewest open escalations,
//! then the schedule's order. Issue 5 refines it (working time left today, the soonest start);
//! the ranking stays here, in one pure function, so the command line and the quick escalate
//! window suggest the same person.
//!
//! It is not the place that counts open escalations (the shell asks the backend) nor the one
//! that decides who is on duty ([`crate::duty::glance`] does).

use crate::duty::{OnDuty, Status};
use crate::escalation::{same_handle, Escalation};

/// The engineer the policy suggests, with the facts that made it pick them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub handle: String,
    pub status: Status,
    /// Active escalations assigned to them now.
    pub open: usize,
}

impl Suggestion {
    /// The reason in a few words, as the window and the command line show it: "working now, 1 open".
    pub fn reason(&self) -> String {
        let status = match self.status {
            Status::Working => "working now",
            Status::OffHours => "off hours",
            Status::Asleep => "asleep",
            Status::Unknown => "hours unknown",
        };
        format!("{status}, {} open", self.open)
    }
}

/// How many active escalations each handle holds, from a backend's list of open ones.
pub fn open_count(open: &[Escalation], handle: &str) -> usize {
    open.iter()
        .filter(|e| e.state.is_active())
        .filter(|e| e.assignee.as_deref().is_some_and(|a| same_handle(a, handle)))
        .count()
}

/// Ranks the engineers on duty (in schedule order, as [`crate::glance`] lists them) and returns
/// the best, or `None` when nobody is on rotation. `open` is every active escalation.
pub fn suggest(on_duty: &[OnDuty], open: &[Escalation]) -> Option<Suggestion> {
    on_duty
        .iter()
        .enumerate()
        .map(|(order, d)| (d.status, open_count(open, &d.handle), order, d))
        .min_by_key(|(status, count, order, _)| (*status, *count, *order))
        .map(|(status, open, _, d)| Suggestion {
            handle: d.handle.clone(),
            status,
            open,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escalation::{EscalationState, Severity};
    use chrono::{TimeZone, Utc};

    fn duty(handle: &str, status: Status) -> OnDuty {
        OnDuty {
            handle: handle.into(),
            name: handle.into(),
            local: None,
            status,
            in_roster: true,
            shift_change: None,
        }
    }

    fn esc(id: u32, assignee: &str, state: EscalationState) -> Escalation {
        Escalation {
            id: id.to_string(),
            title: format!("e{id}"),
            customer: None,
            severity: Severity::Sev3,
            url: None,
            details: String::new(),
            reporter: None,
            assignee: Some(assignee.into()),
            state,
            created_at: Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            client_key: None,
        }
    }

    fn check(on_duty: &[(&str, Status)], open: &[(&str, EscalationState)], expected: Option<(&str, usize)>) {
        let on_duty: Vec<OnDuty> = on_duty.iter().map(|(h, s)| duty(h, *s)).collect();
        let open: Vec<Escalation> =
            open.iter().enumerate().map(|(i, (a, s))| esc(i as u32 + 1, a, *s)).collect();
        let got = suggest(&on_duty, &open);
        assert_eq!(
            got.as_ref().map(|s| (s.handle.as_str(), s.open)),
            expected,
            "on duty {on_duty:?}"
        );
    }

    use EscalationState::*;
    use Status::*;

    #[test]
    fn working_now_beats_fewer_open_escalations() {
        check(&[("ann", Asleep), ("bob", Working)], &[("bob", Open), ("bob", Acknowledged)], Some(("bob", 2)));
        check(&[("ann", OffHours), ("bob", Asleep)], &[("ann", Open)], Some(("ann", 1)));
        check(&[("ann", Unknown), ("bob", Asleep)], &[], Some(("bob", 0)));
    }

    #[test]
    fn among_the_working_the_least_loaded_then_schedule_order() {
        check(&[("ann", Working), ("bob", Working), ("cy", Working)], &[("ann", Open), ("bob", Open)], Some(("cy", 0)));
        check(&[("ann", Working), ("bob", Working)], &[("ann", Open), ("BOB", Open), ("bob", Open)], Some(("ann", 1)));
        check(&[("ann", Working), ("bob", Working)], &[], Some(("ann", 0)));
    }

    #[test]
    fn resolved_and_queued_escalations_do_not_count_as_load() {
        check(&[("ann", Working), ("bob", Working)], &[("ann", Resolved), ("ann", Queued), ("bob", HandedToEngineering)], Some(("ann", 0)));
    }

    #[test]
    fn nobody_on_rotation_is_no_suggestion() {
        check(&[], &[("ann", Open)], None);
    }

    #[test]
    fn the_reason_in_a_few_words() {
        let s = Suggestion { handle: "ann".into(), status: Working, open: 1 };
        assert_eq!(s.reason(), "working now, 1 open");
        let s = Suggestion { handle: "ann".into(), status: Asleep, open: 0 };
        assert_eq!(s.reason(), "asleep, 0 open");
    }
}
