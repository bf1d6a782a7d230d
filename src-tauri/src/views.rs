//! What crosses the IPC boundary to the web UI: views computed from the core, every string
//! ready to show. Fields are camelCase, as the UI reads them.

use crate::live::Live;
use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use rota_core::coverage::Coverage;
use rota_core::duty::Status;
use rota_core::{words, Severity};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineerCard {
    pub handle: String,
    pub name: String,
    pub local_time: Option<String>,
    pub local_date: Option<String>,
    pub abbreviation: Option<String>,
    pub utc_offset: Option<String>,
    pub timezone: Option<String>,
    pub status: Status,
    pub status_label: &'static str,
    /// "until 17:00 (15:00 yours), in 3 h" or "starts Mon 09:00 …".
    pub note: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineRow {
    pub label: String,
    pub engineers: String,
    pub open_seats: usize,
    pub when: &'static str,
    pub starts: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CoverageCell {
    pub count: usize,
    pub names: String,
    pub gap: bool,
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
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingView {
    pub severity: Severity,
    pub text: String,
}

/// Everything the dashboard shows.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardView {
    pub demo: Option<String>,
    pub header: String,
    pub viewer_time: String,
    pub viewer_zone: String,
    pub problems: Vec<String>,
    pub on_duty: Vec<EngineerCard>,
    pub next_handoff: Option<String>,
    pub timeline: Vec<TimelineRow>,
    pub coverage: CoverageView,
    pub findings: Vec<FindingView>,
}

fn clock(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M").to_string()
}

impl DashboardView {
    pub fn new(live: &Live, at: DateTime<Utc>, coverage: &Coverage, findings: Vec<rota_core::Finding>) -> Self {
        let g = live.glance(at);
        let timing = live.settings.config.schedule.timing;
        let tz = g.viewer.timezone;
        let on_duty = g
            .by_status()
            .into_iter()
            .map(|d| {
                let note = match (&d.local, d.shift_change) {
                    (None, _) if !d.in_roster => Some("not in the roster".to_owned()),
                    (Some(l), Some(t)) if d.status == Status::Working => {
                        Some(format!("until {} ({} yours), {}", clock(t, l.timezone), clock(t, tz), words::relative(at, t)))
                    }
                    (Some(l), Some(t)) => Some(format!(
                        "starts {} {} ({} yours), {}",
                        t.with_timezone(&l.timezone).format("%a"),
                        clock(t, l.timezone),
                        clock(t, tz),
                        words::relative(at, t)
                    )),
                    _ => None,
                };
                EngineerCard {
                    handle: d.handle.clone(),
                    name: d.name.clone(),
                    local_time: d.local.as_ref().map(|l| l.time.format("%a %H:%M").to_string()),
                    local_date: d.local.as_ref().map(|l| l.time.format("%-d %b").to_string()),
                    abbreviation: d.local.as_ref().map(|l| l.abbreviation.clone()),
                    utc_offset: d.local.as_ref().map(|l| l.utc_offset()),
                    timezone: d.local.as_ref().map(|l| l.timezone.name().to_owned()),
                    status: d.status,
                    status_label: d.status.label(),
                    note,
                }
            })
            .collect();
        let current = g.rotation;
        let timeline = live
            .inputs
            .schedule
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
                }
            })
            .collect();
        DashboardView {
            demo: live.inputs.schedule.demo.clone(),
            header: words::header(&g),
            viewer_time: format!("{} {}", words::short_datetime(at, tz), g.viewer.abbreviation),
            viewer_zone: tz.name().to_owned(),
            problems: live.problems.clone(),
            on_duty,
            next_handoff: words::next_handoff(&g, &timing),
            timeline,
            coverage: CoverageView::new(coverage, live),
            findings: findings.into_iter().map(|f| FindingView { severity: f.severity, text: f.to_string() }).collect(),
        }
    }
}

impl CoverageView {
    fn new(c: &Coverage, live: &Live) -> Self {
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
                });
            }
        }
        let total: i64 = c.gaps.iter().map(|g| (g.end - g.start).num_minutes()).sum();
        CoverageView {
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
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub form: SettingsForm,
    /// The file saving writes.
    pub config_file: Option<String>,
    /// Why the shortcut is not active, when it is not (most Wayland desktops refuse global ones).
    pub shortcut_problem: Option<String>,
    /// Whether the keyring holds a GitHub token (its value never leaves the keyring).
    pub token_stored: bool,
    /// What the escalations poller last ran into ("GitHub token rejected"), when anything.
    pub escalations_problem: Option<String>,
}
