//! Escalation values and the exactly-once notification rule.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use rota_core::escalation::{decide, Escalation, EscalationState, Notice, SeenSet, Severity};
use std::collections::BTreeMap;

const ME: &str = "keegancsmith";

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 9, 0, 0).unwrap() + chrono::Duration::minutes(minute.into())
}

fn esc(id: &str, assignee: Option<&str>, state: EscalationState) -> Escalation {
    Escalation {
        id: id.into(),
        title: format!("escalation {id}"),
        customer: Some("Acme".into()),
        severity: Severity::Sev2,
        url: None,
        page: None,
        details: String::new(),
        reporter: Some("support-sam".into()),
        assignee: assignee.map(Into::into),
        state,
        created_at: at(id.parse().unwrap_or(0)),
        client_key: None,
        team: None,
    }
}

fn seen(pairs: &[(&str, Option<&str>)]) -> SeenSet {
    pairs.iter().map(|(id, a)| (id.to_string(), a.map(str::to_string))).collect()
}

/// A notice as a short string: `new 1`, `reassigned 2 from bob`, `summary 1,3`.
fn describe(n: &Notice) -> String {
    match n {
        Notice::Assigned { escalation, reassigned_from: None } => format!("new {}", escalation.id),
        Notice::Assigned { escalation, reassigned_from: Some(from) } => {
            format!("reassigned {} from {from}", escalation.id)
        }
        Notice::Summary { escalations } => format!("summary {}", escalations.iter().map(|e| e.id.as_str()).collect::<Vec<_>>().join(",")),
    }
}

use EscalationState::*;

#[test]
fn decide_table() {
    struct Case {
        name: &'static str,
        seen: Option<SeenSet>,
        polled: Vec<Escalation>,
        notices: &'static [&'static str],
        seen_after: SeenSet,
    }
    let cases = vec![
        Case {
            name: "first run with nothing assigned: silence",
            seen: None,
            polled: vec![esc("1", Some("bob"), Open)],
            notices: &[],
            seen_after: seen(&[("1", Some("bob"))]),
        },
        Case {
            name: "first run: one summary, not a flood",
            seen: None,
            polled: vec![esc("3", Some(ME), Open), esc("1", Some(ME), Acknowledged), esc("2", None, Open)],
            notices: &["summary 1,3"],
            seen_after: seen(&[("1", Some(ME)), ("2", None), ("3", Some(ME))]),
        },
        Case {
            name: "first run with an empty stored set is not a first run",
            seen: Some(SeenSet::new()),
            polled: vec![esc("1", Some(ME), Open)],
            notices: &["new 1"],
            seen_after: seen(&[("1", Some(ME))]),
        },
        Case {
            name: "new to me",
            seen: Some(seen(&[("1", Some(ME))])),
            polled: vec![esc("1", Some(ME), Open), esc("2", Some(ME), Open)],
            notices: &["new 2"],
            seen_after: seen(&[("1", Some(ME)), ("2", Some(ME))]),
        },
        Case {
            name: "already announced: nothing, even after acknowledging",
            seen: Some(seen(&[("1", Some(ME))])),
            polled: vec![esc("1", Some(ME), Acknowledged)],
            notices: &[],
            seen_after: seen(&[("1", Some(ME))]),
        },
        Case {
            name: "reassigned to me from bob",
            seen: Some(seen(&[("1", Some("bob"))])),
            polled: vec![esc("1", Some(ME), Open)],
            notices: &["reassigned 1 from bob"],
            seen_after: seen(&[("1", Some(ME))]),
        },
        Case {
            name: "was unassigned, now mine: a reassignment from nobody reads as new",
            seen: Some(seen(&[("1", None)])),
            polled: vec![esc("1", Some(ME), Open)],
            notices: &["new 1"],
            seen_after: seen(&[("1", Some(ME))]),
        },
        Case {
            name: "handles ignore case",
            seen: Some(seen(&[("1", Some("KeeganCSmith"))])),
            polled: vec![esc("1", Some("KEEGANCSMITH"), Open), esc("2", Some("KeeganCsmith"), Open)],
            notices: &["new 2"],
            seen_after: seen(&[("1", Some("KEEGANCSMITH")), ("2", Some("KeeganCsmith"))]),
        },
        Case {
            name: "reassigned away: no notice, remembered as bob's",
            seen: Some(seen(&[("1", Some(ME))])),
            polled: vec![esc("1", Some("bob"), Open)],
            notices: &[],
            seen_after: seen(&[("1", Some("bob"))]),
        },
        Case {
            name: "gone from the poll: forgotten",
            seen: Some(seen(&[("1", Some(ME)), ("2", Some(ME))])),
            polled: vec![esc("2", Some(ME), Open)],
            notices: &[],
            seen_after: seen(&[("2", Some(ME))]),
        },
        Case {
            name: "resolved and queued ones are never announced nor remembered",
            seen: Some(SeenSet::new()),
            polled: vec![esc("1", Some(ME), Resolved), esc("2", Some(ME), Queued)],
            notices: &[],
            seen_after: SeenSet::new(),
        },
        Case {
            name: "handed to engineering and still mine is active",
            seen: Some(SeenSet::new()),
            polled: vec![esc("1", Some(ME), HandedToEngineering)],
            notices: &["new 1"],
            seen_after: seen(&[("1", Some(ME))]),
        },
        Case {
            name: "filed by me to myself: the filing said it, no notice; still remembered",
            seen: Some(SeenSet::new()),
            polled: vec![Escalation { reporter: Some("KeeganCSmith".into()), ..esc("1", Some(ME), Open) }],
            notices: &[],
            seen_after: seen(&[("1", Some(ME))]),
        },
        Case {
            name: "filed by me to bob, later handed to me by someone else: said",
            seen: Some(seen(&[("1", Some("bob"))])),
            polled: vec![Escalation { reporter: Some(ME.into()), ..esc("1", Some(ME), Open) }],
            notices: &["reassigned 1 from bob"],
            seen_after: seen(&[("1", Some(ME))]),
        },
        Case {
            name: "several at once come oldest first",
            seen: Some(SeenSet::new()),
            polled: vec![esc("9", Some(ME), Open), esc("4", Some(ME), Open), esc("7", Some(ME), Open)],
            notices: &["new 4", "new 7", "new 9"],
            seen_after: seen(&[("4", Some(ME)), ("7", Some(ME)), ("9", Some(ME))]),
        },
    ];
    for case in cases {
        let d = decide(case.seen.as_ref(), ME, &case.polled);
        let got: Vec<String> = d.notices.iter().map(describe).collect();
        assert_eq!(got, case.notices, "{}", case.name);
        assert_eq!(d.seen, case.seen_after, "{}", case.name);
    }
}

#[test]
fn escalation_json_uses_the_contract_names() {
    let mut e = esc("12", Some(ME), HandedToEngineering);
    e.severity = Severity::Sev1;
    let v = serde_json::to_value(&e).unwrap();
    assert_eq!(v["id"], "12");
    assert_eq!(v["severity"], "sev1");
    assert_eq!(v["state"], "handed_to_engineering");
    assert_eq!(v["created_at"], "2024-03-01T09:12:00Z");
    for key in ["title", "customer", "url", "assignee", "details", "reporter", "client_key"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let back: Escalation = serde_json::from_value(v).unwrap();
    assert_eq!(back, e);
    for (s, state) in [("open", Open), ("acknowledged", Acknowledged), ("resolved", Resolved), ("queued", Queued)] {
        assert_eq!(serde_json::to_value(state).unwrap(), s);
        assert_eq!(s.parse::<EscalationState>().unwrap(), state);
    }
}

#[test]
fn severity_parses_names_and_digits() {
    for (text, sev) in [("sev1", Severity::Sev1), ("SEV2", Severity::Sev2), (" 3 ", Severity::Sev3), ("sev4", Severity::Sev4)] {
        assert_eq!(text.parse::<Severity>(), Ok(sev), "{text}");
    }
    for bad in ["sev0", "sev5", "high", ""] {
        assert!(bad.parse::<Severity>().is_err(), "{bad}");
    }
    assert_eq!(Severity::default(), Severity::Sev3);
}

// ---------------------------------------------------------------------------------------------
// A scripted run: a backend that changes, a notifier that polls, restarts, fails and sleeps.
// ---------------------------------------------------------------------------------------------

/// The world the notifier polls: the backend's open escalations.
#[derive(Default)]
struct World {
    open: BTreeMap<String, Escalation>,
}

/// The notifier as the shell runs it: seen set persisted as JSON text (what survives a restart)
/// and the notices it delivered, per escalation id.
struct Notifier {
    stored: Option<String>,
    delivered: BTreeMap<String, u32>,
    summaries: Vec<Vec<String>>,
    polls: u32,
}

impl Notifier {
    fn new() -> Self {
        Notifier { stored: None, delivered: BTreeMap::new(), summaries: Vec::new(), polls: 0 }
    }

    /// A successful poll: decide, deliver, then persist (in that order).
    fn poll(&mut self, world: &World) {
        self.polls += 1;
        // Reload from storage every time, as a fresh process would.
        let seen: Option<SeenSet> = self.stored.as_deref().map(|s| serde_json::from_str(s).unwrap());
        let polled: Vec<Escalation> = world.open.values().cloned().collect();
        let d = decide(seen.as_ref(), ME, &polled);
        for n in d.notices {
            match n {
                Notice::Assigned { escalation, .. } => *self.delivered.entry(escalation.id).or_default() += 1,
                Notice::Summary { escalations } => self.summaries.push(escalations.into_iter().map(|e| e.id).collect()),
            }
        }
        self.stored = Some(serde_json::to_string(&d.seen).unwrap());
    }

    /// A poll whose request failed: the shell does not call `decide` and stores nothing.
    fn poll_failed(&mut self) {
        self.polls += 1;
    }

    /// The process exits and starts again: only `stored` survives.
    fn restart(&mut self) {
        let stored = self.stored.take();
        *self = Notifier {
            stored,
            delivered: std::mem::take(&mut self.delivered),
            summaries: std::mem::take(&mut self.summaries),
            polls: self.polls,
        };
    }
}

fn assign(w: &mut World, id: &str, to: Option<&str>) {
    let e = w.open.entry(id.into()).or_insert_with(|| esc(id, None, Open));
    e.assignee = to.map(Into::into);
}

fn set_state(w: &mut World, id: &str, state: EscalationState) {
    if state == Resolved {
        w.open.remove(id);
    } else {
        w.open.get_mut(id).unwrap().state = state;
    }
}

#[test]
fn scripted_polls_with_restarts_errors_sleep_and_reassignments_notify_exactly_once() {
    let mut w = World::default();
    let mut n = Notifier::new();

    // Before Rota ever ran: two escalations already mine, one someone else's.
    assign(&mut w, "1", Some(ME));
    assign(&mut w, "2", Some(ME));
    assign(&mut w, "3", Some("bob"));
    n.poll(&w); // first run: one summary
    n.poll(&w);
    n.restart();
    n.poll(&w); // restart: no repeat of the summary or of 1 and 2

    assign(&mut w, "4", Some(ME)); // new to me
    n.poll_failed(); // network down: nothing
    n.poll_failed();
    n.poll(&w); // back: 4 announced once
    n.poll(&w);
    set_state(&mut w, "4", Acknowledged);
    n.poll(&w);

    assign(&mut w, "3", Some(ME)); // reassigned from bob to me
    n.restart(); // before any poll saw it
    n.poll(&w); // 3 announced once
    n.restart();
    n.poll(&w);

    // The machine sleeps through many changes: 5 comes and goes, 6 arrives, 1 is resolved,
    // 2 is reassigned away.
    assign(&mut w, "5", Some(ME));
    set_state(&mut w, "5", Resolved);
    assign(&mut w, "6", Some(ME));
    set_state(&mut w, "1", Resolved);
    assign(&mut w, "2", Some("carol"));
    n.poll(&w); // on wake: 6 only (5 is gone, 2 is carol's)

    assign(&mut w, "2", Some(ME)); // and back to me
    n.poll_failed();
    n.restart();
    n.poll(&w); // 2 again: it was reassigned to me
    n.poll(&w);

    assign(&mut w, "7", None); // filed unassigned
    n.poll(&w);
    assign(&mut w, "7", Some(ME)); // then given to me
    set_state(&mut w, "7", HandedToEngineering);
    n.poll(&w);
    n.poll(&w);
    for _ in 0..20 {
        n.poll(&w);
        n.restart();
    }

    assert_eq!(n.summaries, vec![vec!["1".to_string(), "2".to_string()]]);
    let expected: BTreeMap<String, u32> =
        [("2", 1), ("3", 1), ("4", 1), ("6", 1), ("7", 1)].into_iter().map(|(k, v)| (k.into(), v)).collect();
    assert_eq!(n.delivered, expected, "none twice, none missing");
    assert_eq!(n.polls, 37);
}

// ---------------------------------------------------------------------------------------------
// The same, generated: random scripts against a model that says what "exactly once" means.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Step {
    Assign(u8, Option<u8>), // escalation 0..6 to person 0..2 (0 = me) or nobody
    Resolve(u8),
    Ack(u8),
    Poll,
    PollFails,
    Restart,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0u8..6, proptest::option::of(0u8..3)).prop_map(|(e, p)| Step::Assign(e, p)),
        1 => (0u8..6).prop_map(Step::Resolve),
        1 => (0u8..6).prop_map(Step::Ack),
        3 => Just(Step::Poll),
        1 => Just(Step::PollFails),
        1 => Just(Step::Restart),
    ]
}

fn person(p: u8) -> &'static str {
    [ME, "bob", "carol"][p as usize]
}

proptest! {
    /// Model: after the first successful poll (a summary), a successful poll announces an
    /// escalation exactly when it is mine now and was not mine at the previous successful poll.
    #[test]
    fn every_script_announces_each_assignment_to_me_once(steps in proptest::collection::vec(step(), 1..60)) {
        let mut w = World::default();
        let mut n = Notifier::new();
        let mut expected: BTreeMap<String, u32> = BTreeMap::new();
        let mut mine_before: Option<Vec<String>> = None; // at the previous successful poll
        for s in steps {
            match s {
                Step::Assign(e, p) => assign(&mut w, &e.to_string(), p.map(person)),
                Step::Resolve(e) => { w.open.remove(&e.to_string()); }
                Step::Ack(e) => if let Some(x) = w.open.get_mut(&e.to_string()) { x.state = Acknowledged },
                Step::Poll => {
                    let mine_now: Vec<String> = w.open.values()
                        .filter(|e| e.assignee.as_deref() == Some(ME)).map(|e| e.id.clone()).collect();
                    if let Some(before) = &mine_before {
                        for id in mine_now.iter().filter(|id| !before.contains(id)) {
                            *expected.entry(id.clone()).or_default() += 1;
                        }
                    }
                    mine_before = Some(mine_now);
                    n.poll(&w);
                }
                Step::PollFails => n.poll_failed(),
                Step::Restart => n.restart(),
            }
        }
        prop_assert_eq!(&n.delivered, &expected);
        prop_assert!(n.summaries.len() <= 1);
    }
}

/// Escalations are listed most urgent first everywhere: active before resolved, then by
/// severity, then the one waiting longest (a sev1 never sits under a sev2, nor an old one under a
/// new one of the same severity).
#[test]
fn escalations_are_listed_by_severity_then_age() {
    let e = |id: &str, severity: Severity, state: EscalationState| Escalation { severity, ..esc(id, Some(ME), state) };
    let mut list = [
        e("9", Severity::Sev2, Open),
        e("3", Severity::Sev3, Acknowledged),
        e("12", Severity::Sev1, Open),
        e("1", Severity::Sev1, Resolved),
        e("2", Severity::Sev2, HandedToEngineering),
        e("10", Severity::Sev1, Acknowledged),
    ];
    list.sort_by(rota_core::escalation::by_urgency);
    let ids: Vec<&str> = list.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["10", "12", "2", "9", "3", "1"]);
}
