//! The plan's words: gap hours, whose turn it is, why a candidate ranks where they do, and the
//! check's suggestion. `rota plan`, `rota people`, `rota check` and the dashboard say these.

use crate::plan::{Candidate, Daily, Turn};
use crate::roster::Days;

/// Minutes a week as whole gap hours, rounded.
pub fn hours(minutes: i64) -> i64 {
    (minutes.max(0) + 30) / 60
}

/// Minutes a week as people read gap hours: "42", or "under 1" for some minutes.
pub fn amount(minutes: i64) -> String {
    if minutes > 0 && minutes < 30 {
        "under 1".into()
    } else {
        hours(minutes).to_string()
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
        format!("closes {} of {} gap hours{when}", amount(closes.min(gap)), hours(gap))
    };
    format!("{closing}; {}", turn(t))
}

/// "42 → 3 gap hours a week".
pub fn gap_change(before: i64, after: i64) -> String {
    let plural = if (1..90).contains(&after) { "" } else { "s" };
    format!("{} → {} gap hour{plural} a week", amount(before), amount(after))
}

/// The dashboard's button: "Fill 1 open seat…", "Fill 2 open seats…".
pub fn fill(open: usize) -> String {
    format!("Fill {open} open seat{}…", if open == 1 { "" } else { "s" })
}

/// The check's suggestion after its gap warning: "`rota plan` suggests @ann (Asia/Tokyo),
/// closing 31 of them".
pub fn suggestion(c: &Candidate) -> String {
    let zone = c.timezone.map(|z| format!(" ({})", z.name())).unwrap_or_default();
    format!("`rota plan` suggests @{}{zone}, closing {} of them", c.handle, amount(c.closes))
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

/// `rota plan` with no rotation named and none coming with an open seat.
pub const NOTHING_OPEN: &str = "No rotation coming has an open seat; name one with --rotation START.";

/// Above the candidates.
pub const CANDIDATES: &str = "Candidates, best first:";

/// With nobody in the roster but the rotation's own.
pub const NO_CANDIDATES: &str = "Nobody in the roster is free to take a seat: add people to the roster.";

/// A rotation with every seat taken.
pub const NO_SEAT: &str = "Every seat is taken: nothing to fill.";

/// Before the row.
pub const PASTE: &str = "Paste this row in place of the rotation's:";

/// Said of someone the roster gives no zone.
pub const NO_ZONE: &str = "timezone unknown";

/// `rota people`: someone on a rotation now.
pub const ON_NOW: &str = "on now";

/// Above `rota people`'s table.
pub const PEOPLE_ORDER: &str =
    "Whose turn it is first: those on no rotation now or coming, never rotated, then the longest since their last rotation ended.";

/// A rotation's gap: "42 weekday hours a week have nobody working.", "Someone is working every
/// weekday hour."
pub fn gap(minutes: i64) -> String {
    match hours(minutes) {
        0 if minutes > 0 => "Under 1 weekday hour a week has nobody working.".into(),
        0 => "Someone is working every weekday hour.".into(),
        1 => "1 weekday hour a week has nobody working.".into(),
        h => format!("{h} weekday hours a week have nobody working."),
    }
}

/// The picks: "Fill the open seats with @ann and @bo: 42 → 3 gap hours a week."
pub fn picks(handles: &[String], before: i64, after: i64) -> String {
    let names: Vec<String> = handles.iter().map(|h| format!("@{h}")).collect();
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    };
    let seats = if handles.len() == 1 { "the open seat" } else { "the open seats" };
    format!("Fill {seats} with {list}: {}.", gap_change(before, after))
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
    fn hours_round_and_a_few_minutes_are_under_one() {
        assert_eq!([hours(0), hours(10), hours(89), hours(90), hours(2520)], [0, 0, 1, 2, 42]);
        assert_eq!([amount(0), amount(10), amount(30)], ["0", "under 1", "1"]);
        assert_eq!(gap_change(2520, 14), "42 → under 1 gap hour a week");
        assert_eq!(gap_change(2520, 180), "42 → 3 gap hours a week");
        assert_eq!([fill(1), fill(2)], ["Fill 1 open seat…", "Fill 2 open seats…"]);
        let two = ["ann".to_owned(), "bo".to_owned()];
        assert_eq!(picks(&two, 2520, 180), "Fill the open seats with @ann and @bo: 42 → 3 gap hours a week.");
        assert_eq!(picks(&two[..1], 60, 0), "Fill the open seat with @ann: 1 → 0 gap hours a week.");
        assert_eq!(
            [gap(0), gap(60), gap(2520)],
            [
                "Someone is working every weekday hour.",
                "1 weekday hour a week has nobody working.",
                "42 weekday hours a week have nobody working."
            ]
        );
    }
}
