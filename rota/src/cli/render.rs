//! Text for people: aligned tables, times in the viewer's zone beside each engineer's own.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rota_core::coverage::Coverage;
use rota_core::duty::{Glance, Status};
use rota_core::words;
use rota_core::{Finding, Schedule, Severity, Timing};
use std::fmt::Write;

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Left-aligns rows of cells into columns two spaces apart.
fn table(rows: &[Vec<String>], indent: &str) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| width(s)).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(indent);
        for (c, cell) in r.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < r.len() {
                line.push_str(&" ".repeat(widths[c] - width(cell) + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn clock(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M").to_string()
}

pub fn now(g: &Glance, schedule: &Schedule, timing: &Timing) -> String {
    let tz = g.viewer.timezone;
    let mut out = String::new();
    if let Some(demo) = &schedule.demo {
        let _ = writeln!(out, "{demo}\n");
    }
    let _ = writeln!(out, "{}", words::header(g));
    let _ = writeln!(out, "Your time: {} {} ({})\n", words::short_datetime(g.at, tz), g.viewer.abbreviation, tz.name());
    if g.rotation.is_some() {
        let mut rows = vec![vec!["ENGINEER".into(), "LOCAL TIME".into(), "UTC".into(), "STATUS".into(), "".into()]];
        for d in g.by_status() {
            let (time, offset) = match &d.local {
                Some(l) => (format!("{} {}", l.time.format("%a %H:%M"), l.abbreviation), l.utc_offset()),
                None => ("—".into(), "".into()),
            };
            let name = if d.name == d.handle { d.handle.clone() } else { format!("{} (@{})", d.name, d.handle) };
            let note = match (d.status, d.shift_change, &d.local) {
                (_, _, None) if !d.in_roster => "not in the roster".into(),
                (Status::Working, Some(t), Some(l)) => {
                    format!("until {} ({} yours), {}", clock(t, l.timezone), clock(t, tz), words::relative(g.at, t))
                }
                (_, Some(t), Some(l)) => format!(
                    "starts {} {} ({} yours), {}",
                    t.with_timezone(&l.timezone).format("%a"),
                    clock(t, l.timezone),
                    clock(t, tz),
                    words::relative(g.at, t)
                ),
                _ => String::new(),
            };
            rows.push(vec![name, time, offset, d.status.label().into(), note]);
        }
        out.push_str(&table(&rows, "  "));
        out.push('\n');
    }
    match words::next_handoff(g, timing) {
        Some(line) => {
            let _ = writeln!(out, "{line}");
        }
        None => out.push_str("Nothing scheduled after this.\n"),
    }
    out
}

pub fn schedule(list: &crate::models::ScheduleList, schedule: &Schedule, tz: Tz) -> String {
    use crate::models::When;
    let mut out = String::new();
    if let Some(demo) = &schedule.demo {
        let _ = writeln!(out, "{demo}\n");
    }
    let _ = writeln!(out, "{} — hand-offs shown in {}\n", schedule.source, tz.name());
    if list.rotations.is_empty() {
        out.push_str("No rotations.\n");
        return out;
    }
    let mut rows = vec![vec!["".into(), "ROTATION".into(), "STARTS".into(), "ENDS".into(), "ENGINEERS".into()]];
    for r in &list.rotations {
        let mark = match r.when {
            When::Current => "now",
            When::Past => "",
            When::Upcoming => "",
        };
        let fmt = |s: &str| {
            DateTime::parse_from_rfc3339(s).map(|t| t.format("%a %-d %b %Y %H:%M").to_string()).unwrap_or_else(|_| s.to_owned())
        };
        let engineers: Vec<&str> = r.engineers.iter().map(String::as_str).collect();
        rows.push(vec![
            mark.into(),
            format!("{} to {}", r.start, r.end),
            fmt(&r.starts_at),
            fmt(&r.ends_at),
            words::seats(&engineers, r.open_seats),
        ]);
    }
    out.push_str(&table(&rows, ""));
    out
}

pub fn coverage(c: &Coverage, schedule: &Schedule) -> String {
    let tz = c.viewer;
    let mut out = String::new();
    if let Some(demo) = &schedule.demo {
        let _ = writeln!(out, "{demo}\n");
    }
    let _ = writeln!(
        out,
        "Coverage, week of {} ({}): engineers working each hour, · for nobody\n",
        c.monday.format("%a %-d %b %Y"),
        tz.name()
    );
    out.push_str("          ");
    for h in 0..24 {
        let _ = write!(out, "{h:>3}");
    }
    out.push('\n');
    let mut day = None;
    for s in &c.slots {
        let local = s.start.with_timezone(&tz);
        let d = local.date_naive();
        if day != Some(d) {
            if day.is_some() {
                out.push('\n');
            }
            let _ = write!(out, "{:<10}", local.format("%a %-d"));
            day = Some(d);
            // Pad hours a DST change skipped at the start of the day.
            for _ in 0..chrono::Timelike::hour(&local) {
                out.push_str("   ");
            }
        }
        let cell = if s.working.is_empty() { "·".to_owned() } else { s.working.len().to_string() };
        let _ = write!(out, "{cell:>3}");
    }
    out.push_str("\n\n");
    if c.gaps.is_empty() {
        out.push_str("No gaps: someone is working at every hour of the week.\n");
    } else {
        let total: i64 = c.gaps.iter().map(|g| (g.end - g.start).num_minutes()).sum();
        let _ = writeln!(out, "Gaps, nobody working ({} h {} min in all):", total / 60, total % 60);
        let rows: Vec<Vec<String>> = c
            .gaps
            .iter()
            .map(|g| {
                let m = (g.end - g.start).num_minutes();
                vec![
                    format!("{} – {}", words::short_datetime(g.start, tz), words::short_datetime(g.end, tz)),
                    if m % 60 == 0 { format!("{} h", m / 60) } else { format!("{} h {} min", m / 60, m % 60) },
                ]
            })
            .collect();
        out.push_str(&table(&rows, "  "));
    }
    out
}

pub fn check(findings: &[Finding], checked: &[String]) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(out, "{f}");
    }
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = findings.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if findings.is_empty() {
        let _ = writeln!(out, "All good: {}.", checked.join(", "));
    } else {
        let _ = writeln!(out, "\n{}, {} in {}.", plural(errors, "error"), plural(warnings, "warning"), checked.join(", "));
    }
    out
}
