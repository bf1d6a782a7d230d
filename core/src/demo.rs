//! The built-in sources: `builtin:handbook` (the real handbook page, as shipped) and
//! `builtin:demo` (a fictional team spread over the world, its rotations laid out around today).

use chrono::{Duration, NaiveDate};
use std::fmt::Write;

/// The handbook page the program runs from, unchanged.
pub const HANDBOOK: &str = include_str!("../data/handbook-escalation-rotation.md");

/// What the demo says about itself, wherever it is shown.
pub const DEMO_LABEL: &str = "Demo: a fictional team. Set schedule.source in config.toml to see your own rotation.";

/// The fictional team: handle, name, zone, hours, days.
const TEAM: &[(&str, &str, &str, &str, &str)] = &[
    ("mira", "Mira Shrestha", "Asia/Kathmandu", "09:00-17:00", "Sun-Thu"),
    ("diego", "Diego Ramos", "America/Sao_Paulo", "09:00-17:00", "Mon-Fri"),
    ("tane", "Tane Parata", "Pacific/Chatham", "08:00-16:00", "Mon-Fri"),
    ("lena", "Lena Vogel", "Europe/Berlin", "09:30-17:30", "Mon-Fri"),
    ("sam", "Sam Carter", "America/Los_Angeles", "20:00-04:00", "Sun-Thu"),
    ("kai", "Kai Nakamura", "Asia/Tokyo", "10:00-18:00", "Mon-Fri"),
    ("niamh", "Niamh Walsh", "America/St_Johns", "08:30-16:30", "Mon-Fri"),
    ("ollie", "Ollie Brennan", "Australia/Lord_Howe", "09:00-17:00", "Mon-Fri"),
    ("zara", "Zara Okafor", "Africa/Lagos", "08:00-16:00", "Mon-Fri"),
];

/// Teams of three, spread over the clock, taken in turn.
const TEAMS: &[[usize; 3]] = &[[0, 1, 2], [3, 4, 5], [6, 7, 8], [1, 5, 3], [2, 6, 0], [4, 8, 7]];

/// Rotations last six weeks, counted from a fixed Monday so that they do not move from day to day.
const EPOCH: (i32, u32, u32) = (2024, 1, 1);
const WEEKS: i64 = 6;

/// The demo schedule as a handbook page: the previous, the current and the next two rotations
/// around `today`. The next one has an open seat, as real schedules often do.
pub fn demo_schedule(today: NaiveDate) -> String {
    let epoch = NaiveDate::from_ymd_opt(EPOCH.0, EPOCH.1, EPOCH.2).unwrap_or_default();
    let len = WEEKS * 7;
    let current = (today - epoch).num_days().div_euclid(len);
    let mut page = format!("# Escalation engineer rotation (demo)\n\n{DEMO_LABEL}\n\n");
    page.push_str("| Rotation | Engineers | Notes |\n| --- | --- | --- |\n");
    for k in current - 1..=current + 2 {
        let start = epoch + Duration::days(k * len);
        let end = start + Duration::days(len - 1);
        let team = TEAMS[k.rem_euclid(TEAMS.len() as i64) as usize];
        let names: Vec<String> = team
            .iter()
            .enumerate()
            .map(|(i, &p)| if k == current + 1 && i == 2 { "TBD".to_owned() } else { format!("[@{0}](https://github.com/{0})", TEAM[p].0) })
            .collect();
        let note = if k == current { "current" } else { "" };
        let _ = writeln!(page, "| {start} to {end} | {} | {note} |", names.join(", "));
    }
    page
}

/// The demo team's roster as a `people.toml`.
pub fn demo_roster() -> String {
    let mut s = format!("# {DEMO_LABEL}\n");
    for (handle, name, tz, hours, days) in TEAM {
        let _ = write!(
            s,
            "\n[[person]]\nhandle = \"{handle}\"\nname = \"{name}\"\ntimezone = \"{tz}\"\nhours = \"{hours}\"\ndays = \"{days}\"\n"
        );
    }
    s
}
