//! Who is on duty at an instant: the glance the tray, the dashboard and `rota now` show.

use crate::roster::{minute_of_day, Person, Roster};
use crate::schedule::{Rotation, Schedule, Timing};
use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::{OffsetName, Tz};
use serde::Serialize;

/// Where someone is in their day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Inside their hours, on a shift that started on one of their days.
    Working,
    /// Awake but outside their hours.
    OffHours,
    /// Their local 22:00-07:00, outside their hours.
    Asleep,
    /// No timezone known.
    Unknown,
    /// Inside a period of time away ([`crate::away`]): never the policy's pick.
    Away,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Working => "working",
            Status::OffHours => "off_hours",
            Status::Asleep => "asleep",
            Status::Unknown => "unknown",
            Status::Away => "away",
        }
    }

    /// Words for people: "working", "off hours", "asleep", "unknown".
    pub fn label(self) -> &'static str {
        match self {
            Status::Working => "working",
            Status::OffHours => "off hours",
            Status::Asleep => "asleep",
            Status::Unknown => "unknown",
            Status::Away => "away",
        }
    }
}

/// Local 22:00 to 07:00 counts as asleep.
pub const SLEEP_FROM: u16 = 22 * 60;
pub const SLEEP_UNTIL: u16 = 7 * 60;

/// A person's status at an instant. Working beats asleep: a night shift is working.
pub fn status(person: Option<&Person>, at: DateTime<Utc>) -> Status {
    let Some(p) = person else { return Status::Unknown };
    let Some(tz) = p.timezone else { return Status::Unknown };
    if p.shift_at(at).is_some() {
        return Status::Working;
    }
    let m = minute_of_day(&at.with_timezone(&tz));
    if !(SLEEP_UNTIL..SLEEP_FROM).contains(&m) {
        Status::Asleep
    } else {
        Status::OffHours
    }
}

/// Every IANA zone name the program knows, sorted: what a timezone field offers.
pub fn zone_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    names.sort_unstable();
    names
}

/// A local clock reading in someone's zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTime {
    pub timezone: Tz,
    pub time: DateTime<FixedOffset>,
    /// The zone's abbreviation at that instant ("CEST", "+0545").
    pub abbreviation: String,
}

impl LocalTime {
    pub fn new(timezone: Tz, at: DateTime<Utc>) -> Self {
        let local = at.with_timezone(&timezone);
        // Zones with no letters (Asia/Kathmandu) are named by their offset, as tzdata does: "+0545".
        let abbreviation = match local.offset().abbreviation() {
            Some(a) if !a.is_empty() => a.to_owned(),
            _ => local.format("%z").to_string(),
        };
        LocalTime { timezone, time: local.fixed_offset(), abbreviation }
    }

    /// The UTC offset as `+05:45`.
    pub fn utc_offset(&self) -> String {
        self.time.format("%:z").to_string()
    }
}

/// One engineer on duty now.
#[derive(Debug, Clone, PartialEq)]
pub struct OnDuty {
    pub handle: String,
    pub name: String,
    pub local: Option<LocalTime>,
    pub status: Status,
    /// Whether the roster knows this engineer.
    pub in_roster: bool,
    /// When the current shift ends (if working) or the next one starts (if not).
    pub shift_change: Option<DateTime<Utc>>,
    /// The engineer this one covers for (an override), by handle.
    pub covering_for: Option<String>,
    /// That engineer's name, as the roster gives it (else the handle).
    pub covering_for_name: Option<String>,
    /// Set when they are away now (their status is then [`Status::Away`]).
    pub away: Option<crate::away::AwayNow>,
}

impl OnDuty {
    pub fn new(handle: &str, roster: &Roster, at: DateTime<Utc>) -> Self {
        let person = roster.find(handle);
        let status = status(person, at);
        let shift_change = person.and_then(|p| match p.shift_at(at) {
            Some(s) => Some(s.end),
            None => p.next_shift_start(at),
        });
        OnDuty {
            handle: person.map(|p| p.handle.clone()).unwrap_or_else(|| handle.to_owned()),
            name: person.map(|p| p.name.clone()).unwrap_or_else(|| handle.to_owned()),
            local: person.and_then(|p| p.timezone).map(|tz| LocalTime::new(tz, at)),
            status,
            in_roster: person.is_some(),
            shift_change,
            covering_for: None,
            covering_for_name: None,
            away: None,
        }
    }

    /// [`OnDuty::new`] for a member of the effective team: with whom they cover for.
    pub fn member(m: &crate::overrides::Member, roster: &Roster, at: DateTime<Utc>) -> Self {
        let mut d = OnDuty::new(&m.handle, roster, at);
        if let Some(f) = &m.covering_for {
            let p = roster.find(f);
            d.covering_for = Some(p.map(|p| p.handle.clone()).unwrap_or_else(|| f.clone()));
            d.covering_for_name = Some(p.map(|p| p.name.clone()).unwrap_or_else(|| f.clone()));
        }
        d
    }

    /// Marks them away now, if `spans` say so.
    pub fn with_away(mut self, spans: &[crate::away::AwaySpan], at: DateTime<Utc>) -> Self {
        if let Some(a) = crate::away::away_at(spans, &self.handle, at) {
            self.status = Status::Away;
            self.away = Some(a);
        }
        self
    }
}

/// Everything the glance shows at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Glance<'a> {
    pub at: DateTime<Utc>,
    pub viewer: LocalTime,
    pub rotation: Option<&'a Rotation>,
    /// The effective team: the current rotation's engineers, in schedule order, with the overrides
    /// in force applied (a covered engineer left out, the one covering in their place).
    pub on_duty: Vec<OnDuty>,
    pub next_rotation: Option<&'a Rotation>,
    /// Who is on when the next rotation starts: its engineers with the overrides in force then
    /// applied (empty when none follows). The Next line names them.
    pub next_team: Vec<String>,
    /// The next instant at which the people on duty change.
    pub next_handoff: Option<DateTime<Utc>>,
    /// Whether `me` is on duty now.
    pub me_on_duty: bool,
}

impl Glance<'_> {
    /// The engineers on duty, the ones working now first (then off hours, asleep, unknown, away).
    pub fn by_status(&self) -> Vec<&OnDuty> {
        let mut v: Vec<&OnDuty> = self.on_duty.iter().collect();
        v.sort_by_key(|d| d.status);
        v
    }
}

/// Who is on duty at `at`, seen from the `viewer` zone.
pub fn glance<'a>(schedule: &'a Schedule, roster: &Roster, timing: &Timing, viewer: Tz, me: Option<&str>, at: DateTime<Utc>) -> Glance<'a> {
    let rotation = schedule.current(timing, at);
    let away = crate::away::spans(schedule, roster, timing.timezone);
    let on_duty: Vec<OnDuty> = schedule.team_at(timing, at).iter().map(|m| OnDuty::member(m, roster, at).with_away(&away, at)).collect();
    let me_on_duty = me.is_some_and(|me| {
        let me = me.trim_start_matches('@');
        on_duty.iter().any(|d| d.handle.eq_ignore_ascii_case(me))
    });
    let next_rotation = schedule.next(timing, at);
    let next_team = next_rotation
        .map(|n| schedule.team_at(timing, timing.starts_at(n.start)).into_iter().map(|m| m.handle).collect())
        .unwrap_or_default();
    Glance {
        at,
        viewer: LocalTime::new(viewer, at),
        rotation,
        on_duty,
        next_rotation,
        next_team,
        next_handoff: schedule.next_handoff(timing, at),
        me_on_duty,
    }
}
