//! `rota stats [--rotation START | --since DATE] [--json]`: the program's goal
//! measured per rotation. The figures are the core's ([`rota_core::stats`]); this reads every
//! escalation and its history from the configured backend (GitHub's from the state database,
//! refreshed by what changed), and prints text (80 columns) or JSON.

use super::escalate::{backend, now, settings};
use super::{load, print_json};
use crate::escalations::Backend;
use crate::settings::Failure;
use rota_core::printable;
use rota_core::stats::{self, RotationStats, Select, Spread, Stats, GOAL_ENGAGED_SHARE};
use rota_core::words::span;
use rota_io::protocol::Overrides;

fn date(flag: &str, s: &str) -> Result<chrono::NaiveDate, Failure> {
    rota_core::schedule::iso_date(s.trim()).ok_or_else(|| Failure::Usage(format!("{flag} {s:?} is not a date: write it as YYYY-MM-DD")))
}

/// Reads every escalation with its history and computes the figures.
pub async fn run(global: &Overrides, rotation: Option<String>, since: Option<String>, json: bool) -> Result<i32, Failure> {
    let select = match (rotation.as_deref(), since.as_deref()) {
        (Some(r), _) => Select::Rotation(date("--rotation", r)?),
        (None, Some(s)) => Select::Since(date("--since", s)?),
        (None, None) => Select::All,
    };
    let now = now()?;
    let settings = settings(global)?;
    let inputs = load(&settings, now).await?;
    let timing = settings.config.schedule.timing;
    if let Select::Rotation(day) = select {
        if !inputs.schedule.rotations.iter().any(|r| r.start == day) {
            return Err(Failure::input(format!("no rotation starts on {day}: `rota schedule` lists every rotation with its first day")));
        }
    }
    let backend = backend(&settings)?;
    let fail = |e: crate::escalations::BackendError| Failure::input(format!("cannot read the escalations: {e}"));
    // GitHub: from the store's copy, asking only what changed since the last look.
    let with_history = backend.every_with_history().await.map_err(fail)?;
    let figures = stats::stats(&inputs.schedule, &timing, &with_history, select, now);
    if json {
        print_json(&figures);
    } else {
        super::show(&text(&figures), false);
    }
    Ok(0)
}

fn percent(share: Option<f64>) -> String {
    share.map(|s| format!("{:.0}%", s * 100.0)).unwrap_or_else(|| "-".into())
}

fn name(r: &RotationStats) -> String {
    match (r.start, r.end) {
        (Some(s), Some(e)) => format!("{s} to {e}"),
        _ => "outside any rotation".into(),
    }
}

fn minutes(m: Option<f64>) -> String {
    m.map(|m| span((m * 60.0).round().max(0.0) as u64)).unwrap_or_else(|| "-".into())
}

fn times(s: &Spread) -> String {
    if s.median.is_none() {
        return "none yet".into();
    }
    format!("median {}, p90 {}", minutes(s.median), minutes(s.p90))
}

/// `items` after `label`, wrapped to 80 columns under the first item.
fn wrapped(label: &str, items: &[String]) -> String {
    let indent = format!("  {label:<20} ");
    let mut out = String::new();
    let mut line = indent.clone();
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() { format!("{item},") } else { item.clone() };
        if line.len() > indent.len() && line.chars().count() + 1 + piece.chars().count() > 80 {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent.len());
        }
        if line.len() > indent.len() && !line.ends_with(' ') {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

/// The text of `rota stats`: a table of rotations, then each one's times, engineers and teams (the
/// handles and teams made printable).
pub fn text(s: &Stats) -> String {
    let goal = percent(Some(GOAL_ENGAGED_SHARE));
    let mut out = format!("The goal: engineering engaged on {goal} of escalations or fewer.\n\n");
    if s.rotations.is_empty() {
        out.push_str("No rotation has started yet.\n");
        return out;
    }
    out.push_str(&format!("{:<24}  {:>5}  {:>5}  {:>8}  {:>7}  {:>5}\n", "ROTATION", "FILED", "ACKED", "RESOLVED", "ENGAGED", "SHARE"));
    for r in &s.rotations {
        let flag = if r.above_goal { "  above goal" } else { "" };
        out.push_str(&format!(
            "{:<24}  {:>5}  {:>5}  {:>8}  {:>7}  {:>5}{flag}\n",
            name(r),
            r.filed,
            r.acknowledged,
            r.resolved,
            r.engaged,
            percent(r.engaged_share)
        ));
    }
    for r in s.rotations.iter().filter(|r| r.filed > 0) {
        out.push_str(&format!("\n{}\n", name(r)));
        out.push_str(&format!("  {:<20} {}\n", "time to acknowledge", times(&r.time_to_ack_minutes)));
        out.push_str(&format!("  {:<20} {}\n", "time to resolve", times(&r.time_to_resolve_minutes)));
        let engineers: Vec<String> = r
            .by_engineer
            .iter()
            .map(|e| {
                let handle = printable(&e.handle);
                if e.engaged > 0 {
                    format!("{handle} {} ({} engaged)", e.filed, e.engaged)
                } else {
                    format!("{handle} {}", e.filed)
                }
            })
            .collect();
        if !engineers.is_empty() {
            out.push_str(&wrapped("by engineer", &engineers));
        }
        let teams: Vec<String> = r.by_team.iter().map(|t| format!("{} {}", printable(&t.team), t.engaged)).collect();
        if !teams.is_empty() {
            out.push_str(&wrapped("engineering teams", &teams));
        }
    }
    out
}
