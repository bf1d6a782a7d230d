//! The JSON the command line prints (the JSON contract: README, "The command line"). These shapes are a contract: fields may be
//! added, never renamed or removed.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use rota_core::coverage::Coverage;
use rota_core::duty::{Glance, OnDuty, Status};
use rota_core::{Finding, Rotation, Schedule, Timing};
use serde::Serialize;

pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).fixed_offset().to_rfc3339_opts(SecondsFormat::Secs, false)
}

#[derive(Serialize)]
pub struct Viewer {
    pub timezone: String,
    pub local_time: String,
}

#[derive(Serialize)]
pub struct ScheduleInfo {
    pub source: String,
    /// Set for the built-in demo, with the words that say so.
    pub demo: Option<String>,
}

impl From<&Schedule> for ScheduleInfo {
    fn from(s: &Schedule) -> Self {
        ScheduleInfo { source: s.source.clone(), demo: s.demo.clone() }
    }
}

#[derive(Serialize)]
pub struct CurrentRotation {
    pub start: String,
    pub end: String,
    pub open_seats: usize,
    pub engineers: Vec<String>,
    pub starts_at: String,
    pub ends_at: String,
}

impl CurrentRotation {
    fn new(r: &Rotation, timing: &Timing, tz: Tz) -> Self {
        CurrentRotation {
            start: r.start.to_string(),
            end: r.end.to_string(),
            open_seats: r.open_seats(),
            engineers: r.engineers().map(str::to_owned).collect(),
            starts_at: local(timing.starts_at(r.start), tz),
            ends_at: local(timing.ends_at(r.end), tz),
        }
    }
}

#[derive(Serialize)]
pub struct Engineer {
    pub handle: String,
    pub name: String,
    pub timezone: Option<String>,
    pub local_time: Option<String>,
    pub utc_offset: Option<String>,
    pub abbreviation: Option<String>,
    pub status: Status,
    pub in_roster: bool,
    /// When the current shift ends (working) or the next starts (otherwise).
    pub shift_change: Option<String>,
    /// The engineer this one covers for (an override), or null.
    pub covering_for: Option<String>,
    /// Away now: until when and why, or null.
    pub away: Option<Away>,
}

#[derive(Serialize)]
pub struct Away {
    pub until: String,
    pub why: String,
}

impl From<&OnDuty> for Engineer {
    fn from(d: &OnDuty) -> Self {
        Engineer {
            handle: d.handle.clone(),
            name: d.name.clone(),
            timezone: d.local.as_ref().map(|l| l.timezone.name().to_owned()),
            local_time: d.local.as_ref().map(|l| l.time.to_rfc3339_opts(SecondsFormat::Secs, false)),
            utc_offset: d.local.as_ref().map(|l| l.utc_offset()),
            abbreviation: d.local.as_ref().map(|l| l.abbreviation.clone()),
            status: d.status,
            in_roster: d.in_roster,
            shift_change: d.shift_change.map(utc),
            covering_for: d.covering_for.clone(),
            away: d.away.as_ref().map(|a| Away { until: utc(a.until), why: a.why.clone() }),
        }
    }
}

#[derive(Serialize)]
pub struct NextRotation {
    pub start: String,
    pub end: String,
    pub engineers: Vec<String>,
    pub open_seats: usize,
    pub starts_at: String,
}

/// `rota now --json`.
#[derive(Serialize)]
pub struct Now {
    pub at: String,
    pub viewer: Viewer,
    pub rotation: Option<CurrentRotation>,
    pub on_duty: Vec<Engineer>,
    pub next_rotation: Option<NextRotation>,
    pub next_handoff: Option<String>,
    pub me_on_duty: bool,
    pub schedule: ScheduleInfo,
}

impl Now {
    pub fn new(g: &Glance, schedule: &Schedule, timing: &Timing) -> Self {
        let tz = g.viewer.timezone;
        Now {
            at: utc(g.at),
            viewer: Viewer { timezone: tz.name().to_owned(), local_time: local(g.at, tz) },
            rotation: g.rotation.map(|r| CurrentRotation::new(r, timing, tz)),
            on_duty: g.on_duty.iter().map(Engineer::from).collect(),
            next_rotation: g.next_rotation.map(|r| NextRotation {
                start: r.start.to_string(),
                end: r.end.to_string(),
                engineers: r.engineers().map(str::to_owned).collect(),
                open_seats: r.open_seats(),
                starts_at: local(timing.starts_at(r.start), tz),
            }),
            next_handoff: g.next_handoff.map(|t| local(t, tz)),
            me_on_duty: g.me_on_duty,
            schedule: schedule.into(),
        }
    }
}

#[derive(Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum When {
    Past,
    Current,
    Upcoming,
}

#[derive(Serialize)]
pub struct ScheduledRotation {
    pub start: String,
    pub end: String,
    pub engineers: Vec<String>,
    pub open_seats: usize,
    pub starts_at: String,
    pub ends_at: String,
    pub when: When,
    pub line: Option<u32>,
}

/// `rota schedule --json`.
#[derive(Serialize)]
pub struct ScheduleList {
    pub at: String,
    pub viewer: Viewer,
    pub schedule: ScheduleInfo,
    pub rotations: Vec<ScheduledRotation>,
}

impl ScheduleList {
    pub fn new(schedule: &Schedule, timing: &Timing, tz: Tz, at: DateTime<Utc>) -> Self {
        let current = schedule.current(timing, at);
        let rotations = schedule
            .rotations
            .iter()
            .map(|r| {
                let (s, e) = (timing.starts_at(r.start), timing.ends_at(r.end));
                let when = if current == Some(r) {
                    When::Current
                } else if e <= at {
                    When::Past
                } else if s > at {
                    When::Upcoming
                } else {
                    When::Current
                };
                ScheduledRotation {
                    start: r.start.to_string(),
                    end: r.end.to_string(),
                    engineers: r.engineers().map(str::to_owned).collect(),
                    open_seats: r.open_seats(),
                    starts_at: local(s, tz),
                    ends_at: local(e, tz),
                    when,
                    line: r.line,
                }
            })
            .collect();
        ScheduleList {
            at: utc(at),
            viewer: Viewer { timezone: tz.name().to_owned(), local_time: local(at, tz) },
            schedule: schedule.into(),
            rotations,
        }
    }
}

#[derive(Serialize)]
pub struct Worker {
    pub handle: String,
    pub minutes: u32,
}

#[derive(Serialize)]
pub struct Hour {
    pub start: String,
    pub end: String,
    pub working: Vec<Worker>,
    pub gap: bool,
}

#[derive(Serialize)]
pub struct Gap {
    pub start: String,
    pub end: String,
    pub minutes: i64,
}

/// `rota coverage --json`.
#[derive(Serialize)]
pub struct CoverageWeek {
    pub at: String,
    pub viewer: Viewer,
    pub rotation: Option<CurrentRotation>,
    pub week: Span,
    pub hours: Vec<Hour>,
    pub gaps: Vec<Gap>,
    /// Minutes in the week with nobody working.
    pub gap_minutes: i64,
}

#[derive(Serialize)]
pub struct Span {
    pub start: String,
    pub end: String,
}

impl CoverageWeek {
    pub fn new(c: &Coverage, rotation: Option<&Rotation>, timing: &Timing, at: DateTime<Utc>) -> Self {
        let tz = c.viewer;
        let gaps: Vec<Gap> = c
            .gaps
            .iter()
            .map(|g| Gap { start: local(g.start, tz), end: local(g.end, tz), minutes: (g.end - g.start).num_minutes() })
            .collect();
        CoverageWeek {
            at: utc(at),
            viewer: Viewer { timezone: tz.name().to_owned(), local_time: local(at, tz) },
            rotation: rotation.map(|r| CurrentRotation::new(r, timing, tz)),
            week: Span { start: local(c.start, tz), end: local(c.end, tz) },
            hours: c
                .slots
                .iter()
                .map(|s| Hour {
                    start: local(s.start, tz),
                    end: local(s.end, tz),
                    working: s.working.iter().map(|w| Worker { handle: w.handle.clone(), minutes: w.minutes }).collect(),
                    gap: s.is_gap(),
                })
                .collect(),
            gap_minutes: gaps.iter().map(|g| g.minutes).sum(),
            gaps,
        }
    }
}

/// `rota check --json`.
#[derive(Serialize)]
pub struct Check<'a> {
    pub ok: bool,
    pub errors: usize,
    pub warnings: usize,
    pub findings: &'a [Finding],
}

/// One escalation in `rota escalate --json` and `rota escalations --json` (the JSON contract: README, "The command line").
#[derive(Serialize)]
pub struct EscalationJson {
    pub id: String,
    pub title: String,
    pub customer: Option<String>,
    pub severity: rota_core::escalation::Severity,
    pub url: Option<String>,
    pub assignee: Option<String>,
    pub state: rota_core::escalation::EscalationState,
    pub created_at: String,
    pub reporter: Option<String>,
    pub details: String,
    /// The engineering team it was last handed to.
    pub team: Option<String>,
    /// Its changes, oldest first (`rota escalations --json`; not in `rota escalate --json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<rota_core::lifecycle::HistoryEntry>>,
    /// The working minutes it has waited unacknowledged, for its assignee; `null` when it waits
    /// for nobody (`rota escalations --json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_minutes: Option<Option<i64>>,
    /// Whom it is offered to now, by handle (`rota escalations --json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offered_to: Option<Vec<String>>,
}

impl EscalationJson {
    /// With what waits on it: the working minutes and whom it is offered to.
    pub fn with_waiting(mut self, waiting_minutes: Option<i64>, offered_to: Vec<String>) -> Self {
        self.waiting_minutes = Some(waiting_minutes);
        self.offered_to = Some(offered_to);
        self
    }

    pub fn with_history(mut self, history: Vec<rota_core::lifecycle::HistoryEntry>) -> Self {
        self.history = Some(history);
        self
    }
}

impl From<&rota_core::escalation::Escalation> for EscalationJson {
    fn from(e: &rota_core::escalation::Escalation) -> Self {
        EscalationJson {
            id: e.id.clone(),
            title: e.title.clone(),
            customer: e.customer.clone(),
            severity: e.severity,
            url: e.url.clone(),
            assignee: e.assignee.clone(),
            state: e.state,
            created_at: utc(e.created_at),
            reporter: e.reporter.clone(),
            details: e.details.clone(),
            team: e.team.clone(),
            history: None,
            waiting_minutes: None,
            offered_to: None,
        }
    }
}

/// One escalation in `rota outbox --json` (the JSON contract: README, "The command line"): saved but not filed.
#[derive(Serialize)]
pub struct OutboxEntryJson {
    /// The client key: what `rota outbox retry` and `discard` take.
    pub key: String,
    pub title: String,
    pub assignee: Option<String>,
    pub state: rota_core::outbox::OutboxState,
    pub attempts: u32,
    /// The last failure; for a refused one, the backend's own reason.
    pub last_error: Option<String>,
    pub queued_at: String,
    pub customer: Option<String>,
    pub severity: rota_core::escalation::Severity,
    pub url: Option<String>,
}

impl From<&crate::escalations::outbox::Entry> for OutboxEntryJson {
    fn from(e: &crate::escalations::outbox::Entry) -> Self {
        OutboxEntryJson {
            key: e.key.clone(),
            title: e.escalation.title.clone(),
            assignee: e.escalation.assignee.clone(),
            state: e.state,
            attempts: e.attempts,
            last_error: e.last_error.clone(),
            queued_at: utc(e.queued_at),
            customer: e.escalation.customer.clone(),
            severity: e.escalation.severity,
            url: e.escalation.url.clone(),
        }
    }
}

/// `rota handover --json`.
#[derive(Serialize)]
pub struct HandoverJson {
    pub handoff: String,
    pub moves: Vec<MoveJson>,
    pub kept: Vec<KeptJson>,
    pub dry_run: bool,
}

#[derive(Serialize)]
pub struct MoveJson {
    pub id: String,
    pub title: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

impl From<&rota_core::handover::Move> for MoveJson {
    fn from(m: &rota_core::handover::Move) -> Self {
        MoveJson { id: m.id.clone(), title: m.title.clone(), from: m.from.clone(), to: m.to.clone(), reason: m.reason.clone() }
    }
}

#[derive(Serialize)]
pub struct KeptJson {
    pub id: String,
    pub who: String,
}

impl From<&rota_core::handover::Kept> for KeptJson {
    fn from(k: &rota_core::handover::Kept) -> Self {
        KeptJson { id: k.id.clone(), who: k.who.clone() }
    }
}

/// `rota slack sync --json`.
#[derive(Serialize)]
pub struct SlackSync {
    pub usergroup: String,
    pub wanted: Vec<String>,
    pub before: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub missing_slack_id: Vec<String>,
    pub changed: bool,
    pub skipped: Option<&'static str>,
}

impl From<&rota_io::slack_sync::Synced> for SlackSync {
    fn from(s: &rota_io::slack_sync::Synced) -> Self {
        let p = &s.plan;
        SlackSync {
            usergroup: s.usergroup.clone(),
            wanted: p.wanted.clone(),
            before: p.before.clone(),
            added: p.added.clone(),
            removed: p.removed.clone(),
            missing_slack_id: p.missing_slack_id.clone(),
            changed: s.changed,
            skipped: p.skipped.map(|k| k.reason()),
        }
    }
}

/// Minutes a week as hours, to the hundredth.
fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 100.0).round() / 100.0
}

/// A rotation by its first and last day.
#[derive(Serialize)]
pub struct Days {
    pub start: String,
    pub end: String,
}

/// One candidate in `rota plan --json`.
#[derive(Serialize)]
pub struct PlanCandidate {
    pub handle: String,
    pub name: String,
    pub timezone: Option<String>,
    pub closes_gap_hours: f64,
    pub rotations_done: usize,
    pub last_rotation_end: Option<String>,
    pub reason: String,
}

/// `rota plan --json` (README, "Filling open seats").
#[derive(Serialize)]
pub struct Plan {
    pub rotation: Days,
    pub open_seats: usize,
    pub gap_hours_before: f64,
    pub candidates: Vec<PlanCandidate>,
    pub picks: Vec<String>,
    pub gap_hours_after: f64,
    pub row: String,
}

impl From<&rota_core::plan::Plan> for Plan {
    fn from(p: &rota_core::plan::Plan) -> Self {
        Plan {
            rotation: Days { start: p.rotation.start.to_string(), end: p.rotation.end.to_string() },
            open_seats: p.open_seats,
            gap_hours_before: hours(p.gap_before),
            candidates: p
                .candidates
                .iter()
                .map(|c| PlanCandidate {
                    handle: c.handle.clone(),
                    name: c.name.clone(),
                    timezone: c.timezone.map(|z| z.name().to_owned()),
                    closes_gap_hours: hours(c.closes),
                    rotations_done: c.turn.rotations,
                    last_rotation_end: c.turn.last_end.map(|d| d.to_string()),
                    reason: c.reason.clone(),
                })
                .collect(),
            picks: p.picks.clone(),
            gap_hours_after: hours(p.gap_after),
            row: p.row.clone(),
        }
    }
}

/// One engineer in `rota people --json`.
#[derive(Serialize)]
pub struct PersonRotations {
    pub handle: String,
    pub name: String,
    pub timezone: Option<String>,
    pub rotations: Vec<Days>,
    pub last_end: Option<String>,
    pub next_start: Option<String>,
}

impl From<&rota_core::plan::PersonRotations<'_>> for PersonRotations {
    fn from(p: &rota_core::plan::PersonRotations<'_>) -> Self {
        PersonRotations {
            handle: p.person.handle.clone(),
            name: p.person.name.clone(),
            timezone: p.person.timezone.map(|z| z.name().to_owned()),
            rotations: p.rotations.iter().map(|(s, e)| Days { start: s.to_string(), end: e.to_string() }).collect(),
            last_end: p.last_end.map(|d| d.to_string()),
            next_start: p.next_start.map(|d| d.to_string()),
        }
    }
}
