//! The plan's words: gap hours, whose turn it is, why a candidate ranks where they do, and the
//! check's suggestion. `rota plan`, `rota people`, `rota check` and the dashboard say these.

use crate::plan::{Candidate, Daily, Turn};
use crate::roster::Days;

/// Minutes a week as whole gap hours: rounded, and never 0 for some time.
pub fn hours(minutes: i64) -> i64 {
    if minutes <= 0 {
        0
    } else {
        ((minutes + 30) / 60).max(1)
    }
}

/// Days as runs: "Mon-Fri", "Sun-Thu", "Mon,Wed,Fri", "Mon-Wed,Fri", "every day".
pub fn days(days: Days) -> String {
    use chrono::Weekday::*;
    let week = [Mon, Tue, Wed, Thu, Fri, Sat, Sun];
    if week.iter().all(|d| days.contains(*d)) {
        return "every day".into();
    }
    let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    // A run starts on a day whose day before is not in it; Sun-Thu wraps past Sunday.
    let mut runs = Vec::new();
    for start in (0..7).filter(|&i| days.contains(week[i]) && !days.contains(week[(i + 6) % 7])) {
        let mut end = start;
        while days.contains(week[(end + 1) % 7]) {
            end = (end + 1) % 7;
        }
        runs.push(match (end + 7 - start) % 7 {
            0 => names[start].to_owned(),
            1 => format!("{},{}", names[start], names[end]),
            _ => format!("{}-{}", names[start], names[end]),
        });
    }
    runs.join(",")
}

/// "Mon-Fri 00:00-07:00 UTC", "mostly Sun-Thu 22:00-24:00 UTC".
pub fn daily(d: &Daily) -> String {
    let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
    let mostly = if d.mostly { "mostly " } else { "" };
    format!("{mostly}{} {}-{} {}", days(d.days), hm(d.start), hm(d.end), d.zone)
}

/// "never rotated", "last rotation ended 2022-09-06 (2 rotations)".
pub fn turn(t: &Turn) -> String {
    match t.last_end {
        None => "never rotated".into(),
        Some(end) => format!("last rotation ended {end} ({} rotation{})", t.rotations, if t.rotations == 1 { "" } else { "s" }),
    }
}

/// Why a candidate ranks where they do: "closes 31 of 42 gap hours (Mon-Fri 00:00-07:00 UTC);
/// never rotated", "closes none of the 42 gap hours; last rotation ended …", "no gap to close; …".
pub fn reason(closes: i64, gap: i64, when: Option<&Daily>, t: &Turn) -> String {
    let closing = if hours(gap) == 0 {
        "no gap to close".to_owned()
    } else if closes <= 0 {
        format!("closes none of the {} gap hours", hours(gap))
    } else {
        let when = when.map(|w| format!(" ({})", daily(w))).unwrap_or_default();
        format!("closes {} of {} gap hours{when}", hours(closes).min(hours(gap)), hours(gap))
    };
    format!("{closing}; {}", turn(t))
}

/// "42 → 3 gap hours a week".
pub fn gap_change(before: i64, after: i64) -> String {
    format!("{} → {} gap hours a week", hours(before), hours(after))
}

/// The dashboard's button: "Fill 1 open seat…", "Fill 2 open seats…".
pub fn fill(open: usize) -> String {
    format!("Fill {open} open seat{}…", if open == 1 { "" } else { "s" })
}

/// The check's suggestion after its gap warning: "`rota plan` suggests @ann (Asia/Tokyo),
/// closing 31 of them".
pub fn suggestion(c: &Candidate) -> String {
    let zone = c.timezone.map(|z| format!(" ({})", z.name())).unwrap_or_default();
    format!("`rota plan` suggests @{}{zone}, closing {} of them", c.handle, hours(c.closes))
}

/// The check's gap warning: "during rotation 2022-10-10 to 2022-11-07 about 42 weekday hours a
/// week have nobody working (the first at Mon 00:00 UTC); add an engineer in another timezone",
/// with the suggestion after a colon when there is one.
pub fn uncovered(rotation: &str, minutes: i64, first: &str, best: Option<&Candidate>) -> String {
    let head = format!(
        "during rotation {rotation} about {} weekday hours a week have nobody working (the first at {first}); add an engineer in another timezone",
        hours(minutes)
    );
    match best {
        Some(c) => format!("{head}: {}", suggestion(c)),
        None => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_said_as_runs() {
        for (text, said) in [
            ("Mon-Fri", "Mon-Fri"),
            ("Sun-Thu", "Sun-Thu"),
            ("Mon,Wed,Fri", "Mon,Wed,Fri"),
            ("Mon-Wed,Fri", "Mon-Wed,Fri"),
            ("Sat,Sun", "Sat,Sun"),
            ("daily", "every day"),
            ("Fri-Mon", "Fri-Mon"),
        ] {
            assert_eq!(days(text.parse().unwrap()), said, "{text}");
        }
    }

    #[test]
    fn hours_round_and_some_time_is_never_none() {
        assert_eq!([hours(0), hours(10), hours(89), hours(90), hours(2520)], [0, 1, 1, 2, 42]);
        assert_eq!(gap_change(2520, 180), "42 → 3 gap hours a week");
        assert_eq!([fill(1), fill(2)], ["Fill 1 open seat…", "Fill 2 open seats…"]);
    }
}
