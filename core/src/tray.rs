//! The tray menu as words and an icon state: what the glance shows where a tray icon gets no
//! clicks, only its menu. The shell turns this into native menu items.

use crate::duty::{Glance, OnDuty, Status};
use crate::words;
use crate::Timing;
use chrono::{DateTime, Duration, DurationRound, Utc};

/// What the tray icon shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayState {
    /// I am on duty now.
    OnDuty,
    /// I am not.
    OffDuty,
    /// Something needs me: an unacknowledged escalation, or an input that does not parse.
    Attention,
}

/// The glance, as the tray menu's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayMenu {
    /// "Rotation 7 Sep – 9 Oct 2022 · 1 open seat" or "No one on rotation".
    pub header: String,
    /// Set for the built-in demo.
    pub demo: Option<String>,
    /// One line per engineer on duty, the ones working now first.
    pub engineers: Vec<String>,
    /// "Next: Mon 10 Oct, in 3 days — tbliu98 + 2 open seats".
    pub next: Option<String>,
    /// Problems with the inputs ("⚠ rota.md:6: …"), shown above the last good lines.
    pub problems: Vec<String>,
    pub state: TrayState,
    pub tooltip: String,
}

/// One engineer's line: "Keegan — Thu 14:00 SAST (UTC+02:00) · working".
pub fn engineer_line(d: &OnDuty) -> String {
    match &d.local {
        Some(l) => format!(
            "{} — {} {} (UTC{}) · {}",
            d.name,
            l.time.format("%a %H:%M"),
            l.abbreviation,
            l.utc_offset(),
            d.status.label()
        ),
        None => format!("{} — unknown timezone · {}", d.name, Status::Unknown.label()),
    }
}

/// One escalation in "My escalations": "Login fails for SSO users — Acme · sev1".
pub fn escalation_line(e: &crate::escalation::Escalation) -> String {
    let mut s = e.title.clone();
    if let Some(c) = e.customer.as_deref().filter(|c| !c.is_empty()) {
        s.push_str(" — ");
        s.push_str(c);
    }
    s.push_str(" · ");
    s.push_str(e.severity.as_str());
    if e.state != crate::escalation::EscalationState::Open {
        s.push_str(" · ");
        s.push_str(&e.state.as_str().replace('_', " "));
    }
    s
}

/// Builds the menu. `problems` are the current input errors; `attention` is set by the
/// escalations poller when one of mine is unacknowledged.
pub fn tray_menu(g: &Glance, timing: &Timing, demo: Option<&str>, problems: &[String], attention: bool) -> TrayMenu {
    let engineers: Vec<String> = g.by_status().into_iter().map(engineer_line).collect();
    let state = if attention || !problems.is_empty() {
        TrayState::Attention
    } else if g.me_on_duty {
        TrayState::OnDuty
    } else {
        TrayState::OffDuty
    };
    let header = words::header(g);
    let working = g.on_duty.iter().filter(|d| d.status == Status::Working).count();
    let mut tooltip = match g.rotation {
        Some(_) => format!("Rota: {working} of {} on duty working now", g.on_duty.len()),
        None => "Rota: no one on rotation".to_owned(),
    };
    if g.me_on_duty {
        tooltip.push_str(" · you are on duty");
    }
    if !problems.is_empty() {
        tooltip.push_str(" · input problem");
    }
    TrayMenu {
        header,
        demo: demo.map(str::to_owned),
        engineers,
        next: words::next_handoff(g, timing),
        problems: problems.iter().map(|p| format!("⚠ {p}")).collect(),
        state,
        tooltip,
    }
}

/// The next instant the glance can change on its own: the next minute boundary (clocks, shift
/// starts and ends, and hand-offs all fall on whole minutes).
pub fn next_tick(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(Duration::minutes(1)).unwrap_or(at) + Duration::minutes(1)
}
