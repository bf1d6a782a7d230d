//! What crosses the IPC boundary to the web UI: views computed from the core, every string
//! ready to show. Fields are camelCase, as the UI reads them.

use crate::live::Live;
use chrono::{DateTime, Timelike, Utc};
use rota_core::coverage::Coverage;
use rota_core::duty::Status;
use rota_core::tray::MenuAction;
use rota_core::{words, Severity};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineerCard {
    pub handle: String,
    pub name: String,
    /// Whether this is the viewer ("(you)" on the card).
    pub you: bool,
    /// "@keegancsmith".
    pub handle_label: String,
    /// The zone told one way: "SAST", or "UTC+05:45" where the zone has no letters.
    pub zone: Option<String>,
    pub local_time: Option<String>,
    pub local_date: Option<String>,
    pub abbreviation: Option<String>,
    pub utc_offset: Option<String>,
    pub timezone: Option<String>,
    pub status: Status,
    /// "working", "away until Mon 4 Jan".
    pub status_label: String,
    /// "until 17:00 (3 h left)" or "starts in 5 h"; "not in the roster"; why they are away.
    pub note: Option<String>,
    /// "covering for Ada", when an override puts them in someone's place.
    pub covering: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineRow {
    pub label: String,
    pub engineers: String,
    pub open_seats: usize,
    pub when: &'static str,
    pub starts: String,
    /// The covering rows in force during it, in the viewer's zone: "Thu 15 Sep 09:00 – Fri 16 Sep
    /// 18:00 SAST: kenji covers for tom" (coverings listed ahead of time).
    pub coverings: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CoverageCell {
    pub count: usize,
    pub names: String,
    pub gap: bool,
    /// The hour the viewer is in now.
    pub now: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CoverageDay {
    pub label: String,
    /// 24 cells, one per local hour; `None` for an hour a DST change skipped.
    pub cells: Vec<Option<CoverageCell>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CoverageView {
    pub title: String,
    pub days: Vec<CoverageDay>,
    pub gap_summary: String,
    /// The viewer's current hour (0-23), when now falls in this week.
    pub now_hour: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingView {
    pub severity: Severity,
    /// The file name and line: "rota.md:7".
    pub place: String,
    pub message: String,
}

/// What the dashboard brings forward, as the page receives it: `{ "person": HANDLE }` or
/// `{ "escalation": ID }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Focus {
    Person(String),
    Escalation(String),
}

impl Focus {
    /// What the dashboard shows of a tray item, if anything: a person's line, an escalation.
    pub fn of(action: &MenuAction) -> Option<Focus> {
        match action {
            MenuAction::Person(handle) => Some(Focus::Person(handle.clone())),
            MenuAction::OpenEscalation(id) => Some(Focus::Escalation(id.clone())),
            _ => None,
        }
    }
}

/// Everything the dashboard shows.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardView {
    pub demo: Option<String>,
    pub header: String,
    /// "2 of 3 working now — next hand-off Mon 18:00".
    pub summary: String,
    /// My own glance line, when I am on duty: "Keegan (you) — 14:00 SAST · working, until 17:00 (3 h left)".
    pub me: Option<String>,
    pub viewer_time: String,
    pub viewer_zone: String,
    pub problems: Vec<String>,
    pub on_duty: Vec<EngineerCard>,
    pub next_handoff: Option<String>,
    pub timeline: Vec<TimelineRow>,
    pub coverage: CoverageView,
    pub findings: Vec<FindingView>,
    /// What to bring into view once: an engineer's card (a person's line clicked in the tray) or
    /// an escalation's row (a notification clicked).
    pub focus: Option<Focus>,
    /// Whether the config says who I am (`me`): "My shifts only" can be saved to a calendar.
    pub knows_me: bool,
    /// The next rotation with an open seat: "Fill 2 open seats…" and what it shows.
    pub plan: Option<crate::plan_panel::PlanPanel>,
}

impl DashboardView {
    pub fn new(live: &Live, at: DateTime<Utc>, coverage: &Coverage, findings: Vec<rota_core::Finding>) -> Self {
        let g = live.glance(at);
        let timing = live.settings.config.schedule.timing;
        let tz = g.viewer.timezone;
        let me = live.settings.me.as_deref();
        let mut engineers = g.by_status();
        // My card first, then the others by status.
        engineers.sort_by_key(|d| !words::is_me(&d.handle, me));
        let on_duty = engineers
            .into_iter()
            .map(|d| EngineerCard {
                handle: d.handle.clone(),
                name: d.name.clone(),
                you: words::is_me(&d.handle, me),
                handle_label: format!("@{}", d.handle),
                zone: d.local.as_ref().map(words::zone),
                local_time: d.local.as_ref().map(|l| l.time.format("%a %H:%M").to_string()),
                local_date: d.local.as_ref().map(|l| l.time.format("%-d %b").to_string()),
                abbreviation: d.local.as_ref().map(|l| l.abbreviation.clone()),
                utc_offset: d.local.as_ref().map(|l| l.utc_offset()),
                timezone: d.local.as_ref().map(|l| l.timezone.name().to_owned()),
                status: d.status,
                status_label: words::duty_status(d),
                note: match &d.away {
                    Some(a) => Some(a.why.clone()).filter(|w| !w.is_empty()),
                    None if d.local.is_none() && !d.in_roster => Some(words::NOT_IN_ROSTER.to_owned()),
                    None => words::shift(d, at),
                },
                covering: words::covering(d),
            })
            .collect();
        let current = g.rotation;
        let schedule = &live.inputs.schedule;
        let coverings: Vec<_> = schedule.overrides.iter().map(|o| (o.when.span(&timing), o)).collect();
        let timeline = schedule
            .rotations
            .iter()
            .map(|r| {
                let (s, e) = (timing.starts_at(r.start), timing.ends_at(r.end));
                let when = if current == Some(r) {
                    "current"
                } else if e <= at {
                    "past"
                } else {
                    "upcoming"
                };
                TimelineRow {
                    label: format!("{} – {}", r.start.format("%-d %b"), r.end.format("%-d %b %Y")),
                    engineers: words::seats(&r.engineers().collect::<Vec<_>>(), r.open_seats()),
                    open_seats: r.open_seats(),
                    when,
                    starts: words::short_datetime(s, tz),
                    coverings: coverings
                        .iter()
                        .filter(|((from, to), _)| *from < e && s < *to)
                        .filter_map(|(_, o)| words::covering_line(o, &timing, tz))
                        .collect(),
                }
            })
            .collect();
        DashboardView {
            demo: live.inputs.schedule.demo.clone(),
            header: words::header(&g),
            summary: words::summary(&g),
            me: g.on_duty.iter().find(|d| words::is_me(&d.handle, me)).map(|d| words::glance_line_whole(d, me, at)),
            viewer_time: format!("{} {}", words::short_datetime(at, tz), g.viewer.abbreviation),
            viewer_zone: tz.name().to_owned(),
            problems: live.problems.iter().map(ToString::to_string).collect(),
            on_duty,
            next_handoff: words::next_line_whole(&g, &timing),
            timeline,
            coverage: CoverageView::new(coverage, live, at),
            findings: rota_core::finding::sorted_unique(findings)
                .into_iter()
                .map(|f| FindingView { severity: f.severity, place: words::place(&f.place()), message: f.message })
                .collect(),
            focus: None,
            knows_me: me.is_some(),
            plan: crate::plan_panel::PlanPanel::new(live, at),
        }
    }
}

impl CoverageView {
    pub(crate) fn new(c: &Coverage, live: &Live, at: DateTime<Utc>) -> Self {
        let tz = c.viewer;
        let name = |h: &str| live.inputs.roster.find(h).map(|p| p.name.clone()).unwrap_or_else(|| h.to_owned());
        let mut days: Vec<CoverageDay> = Vec::new();
        for s in &c.slots {
            let local = s.start.with_timezone(&tz);
            let label = local.format("%a %-d").to_string();
            if days.last().map(|d| &d.label) != Some(&label) {
                days.push(CoverageDay { label, cells: (0..24).map(|_| None).collect() });
            }
            if let Some(day) = days.last_mut() {
                day.cells[local.hour() as usize] = Some(CoverageCell {
                    count: s.working.len(),
                    names: s.working.iter().map(|w| name(&w.handle)).collect::<Vec<_>>().join(", "),
                    gap: s.is_gap(),
                    now: s.start <= at && at < s.end,
                });
            }
        }
        let total: i64 = c.gaps.iter().map(|g| (g.end - g.start).num_minutes()).sum();
        let now_hour = c.slots.iter().any(|s| s.start <= at && at < s.end).then(|| at.with_timezone(&tz).hour());
        CoverageView {
            now_hour,
            title: format!("Week of {} ({})", c.monday.format("%a %-d %b %Y"), tz.name()),
            days,
            gap_summary: if total == 0 {
                "No gaps: someone is working at every hour of the week.".into()
            } else {
                format!("{} h {} min this week with nobody working.", total / 60, total % 60)
            },
        }
    }
}

/// The settings form, as shown and as submitted.
#[derive(Serialize, Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub struct SettingsForm {
    pub me: String,
    pub timezone: String,
    pub schedule_source: String,
    pub schedule_timezone: String,
    pub handoff: String,
    pub team_size: u32,
    pub roster_source: String,
    pub poll_seconds: u64,
    pub start_at_login: bool,
    /// The quick escalate shortcut ("Ctrl+Alt+E"), empty for none.
    pub shortcut: String,
    /// `local` or `github`.
    pub backend: String,
    pub github_api: String,
    pub github_repo: String,
    pub github_label: String,
    /// A new GitHub token to store in the keyring; empty keeps the stored one. Never sent back.
    #[serde(default, skip_serializing)]
    pub github_token: String,
    /// Which hand-off notices I get (`[notices]`).
    #[serde(default)]
    pub notices: NoticesForm,
    /// `[slack] sync_usergroup`: the tray keeps the user group in step.
    #[serde(default)]
    pub slack_sync: bool,
    /// `[slack] usergroup`: the group's ID, empty for none.
    #[serde(default)]
    pub slack_usergroup: String,
    /// A new Slack token to store in the keyring; empty keeps the stored one. Never sent back.
    #[serde(default, skip_serializing)]
    pub slack_token: String,
}

/// The `[notices]` checkboxes of the settings form.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NoticesForm {
    pub week_before: bool,
    pub day_before: bool,
    pub handoff: bool,
    pub before_end: bool,
    pub schedule_change: bool,
    /// One notice when my working hours begin (`day_start`).
    #[serde(default = "on")]
    pub day_start: bool,
    /// A sev2-sev4 assigned while I sleep waits for my day's start (`hold_while_asleep`).
    #[serde(default = "on")]
    pub hold_while_asleep: bool,
}

fn on() -> bool {
    true
}

impl Default for NoticesForm {
    fn default() -> Self {
        rota_core::config::NoticesConfig::default().into()
    }
}

impl From<rota_core::config::NoticesConfig> for NoticesForm {
    fn from(n: rota_core::config::NoticesConfig) -> Self {
        NoticesForm {
            week_before: n.week_before,
            day_before: n.day_before,
            handoff: n.handoff,
            before_end: n.before_end,
            schedule_change: n.schedule_change,
            day_start: n.day_start,
            hold_while_asleep: n.hold_while_asleep,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub form: SettingsForm,
    /// The file saving writes.
    pub config_file: Option<String>,
    /// Where the settings are kept, in a sentence that never says "saved" before a save:
    /// "Kept in …/config.toml" or "Not saved yet: Save writes …/config.toml".
    pub config_note: String,
    /// Why the shortcut is not active, when it is not (most Wayland desktops refuse global ones).
    pub shortcut_problem: Option<String>,
    /// Whether the keyring holds a GitHub token (its value never leaves the keyring).
    pub token_stored: bool,
    /// Whether the keyring holds a Slack token (`slack-token`).
    pub slack_token_stored: bool,
    /// What the escalations poller last ran into ("GitHub token rejected"), when anything.
    pub escalations_problem: Option<String>,
}

/// Where the settings are kept, said without claiming a save that has not happened.
pub fn config_note(path: Option<&std::path::Path>) -> String {
    match path {
        Some(p) if p.exists() => format!("Kept in {}", p.display()),
        Some(p) => format!("Not saved yet: Save writes {}", p.display()),
        None => "There is no config folder on this system: settings cannot be saved.".to_owned(),
    }
}
