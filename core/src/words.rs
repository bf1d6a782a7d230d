//! Words for people: relative times and the one-line summaries the tray, the dashboard and the
//! command line share, so every front end says the same thing.

use crate::duty::{Glance, LocalTime, OnDuty, Status};
use crate::escalation::EscalationState;
use crate::finding::{Place, Problem, Severity};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

pub mod plan;

/// "in 3 days", "in 12 h 54 min", "in about 13 h", "in 20 min", "now", or "3 days ago".
pub fn relative(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let secs = (to - from).num_seconds();
    if secs.unsigned_abs() < 60 {
        return "now".into();
    }
    let amount = span(secs.unsigned_abs());
    if secs >= 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// A length of time, rounded honestly: exact to the minute under 10 hours ("7 h 15 min"), to
/// the nearest hour up to two days ("about 13 h" for 12 h 54 min, "14 h" when it is whole),
/// then in days, again "about" unless whole ("3 days", "about 25 days" for 24 days 12 h).
pub fn span(secs: u64) -> String {
    let minutes = secs / 60;
    let (h, m) = (minutes / 60, minutes % 60);
    if minutes < 60 {
        format!("{minutes} min")
    } else if h < 10 {
        if m == 0 {
            format!("{h} h")
        } else {
            format!("{h} h {m} min")
        }
    } else if h < 48 {
        if m == 0 {
            format!("{h} h")
        } else {
            format!("about {} h", (minutes + 30) / 60)
        }
    } else if minutes.is_multiple_of(1440) {
        format!("{} days", minutes / 1440)
    } else {
        format!("about {} days", (minutes + 720) / 1440)
    }
}

/// A short date in a zone: "Mon 10 Oct".
pub fn short_date(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%a %-d %b").to_string()
}

/// A day and time in a zone: "Mon 10 Oct 02:00".
pub fn short_datetime(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%a %-d %b %H:%M").to_string()
}

/// An instant as a check says it, in the viewer's zone, the zone told as [`zone`] tells it:
/// "Thu 11:00 SAST", "Fri 05:45 UTC+05:45".
pub fn day_time_zone(t: DateTime<Utc>, tz: Tz) -> String {
    let l = LocalTime::new(tz, t);
    format!("{} {}", l.time.format("%a %H:%M"), zone(&l))
}

/// Who a covering row puts in whose place, as the schedule and the dashboard say it: "kenji
/// covers for tom", "ana joins the rotation", "bo is off"; `None` for a row naming nobody.
pub fn covering_who(o: &crate::overrides::Override) -> Option<String> {
    Some(match (&o.covering, &o.covered) {
        (Some(c), Some(f)) => format!("{c} covers for {f}"),
        (Some(c), None) => format!("{c} joins the rotation"),
        (None, Some(f)) => format!("{f} is off"),
        (None, None) => return None,
    })
}

/// A covering row with its span in the viewer's zone, for a list of them: "Thu 15 Sep 09:00 –
/// Fri 16 Sep 18:00 SAST: kenji covers for tom". The zone is said once, or at each end when a
/// clock change falls between them ("… 09:00 AEDT – … 18:00 AEST").
pub fn covering_line(o: &crate::overrides::Override, timing: &crate::Timing, tz: Tz) -> Option<String> {
    let who = covering_who(o)?;
    let (from, to) = o.when.span(timing);
    let (zf, zt) = (zone(&LocalTime::new(tz, from)), zone(&LocalTime::new(tz, to)));
    let start = if zf == zt { short_datetime(from, tz) } else { format!("{} {zf}", short_datetime(from, tz)) };
    Some(format!("{start} – {} {zt}: {who}", short_datetime(to, tz)))
}

/// The engineers of a rotation as people read them: "tbliu98 + 2 open seats".
pub fn seats(engineers: &[&str], open: usize) -> String {
    let mut s = engineers.join(", ");
    if open > 0 {
        if !s.is_empty() {
            s.push_str(" + ");
        }
        s.push_str(&format!("{open} open seat{}", if open == 1 { "" } else { "s" }));
    }
    if s.is_empty() {
        s.push_str("nobody yet");
    }
    s
}

/// [`seats`] in at most `max` characters: when the whole does not fit, the open seats are said the
/// handbook's way ("+ 2 TBD") and only the names are shortened, so the count is never cut.
pub fn seats_within(engineers: &[&str], open: usize, max: usize) -> String {
    let whole = seats(engineers, open);
    if whole.chars().count() <= max || open == 0 {
        return shorten(&whole, max);
    }
    if engineers.is_empty() {
        return format!("{open} TBD");
    }
    let tail = format!(" + {open} TBD");
    format!("{}{tail}", shorten(&engineers.join(", "), max.saturating_sub(tail.chars().count()).max(4)))
}

/// Who is on at the next hand-off, overrides applied.
fn next_team<'g>(g: &'g Glance) -> Vec<&'g str> {
    g.next_team.iter().map(String::as_str).collect()
}

/// The next hand-off: "Next: Mon 10 Oct, in 3 days — tbliu98 + 2 open seats" (who is on then,
/// overrides applied), or "Rotation ends Mon 10 Oct, in 3 days; nothing scheduled after" when
/// nothing follows.
pub fn next_handoff(g: &Glance, timing: &crate::Timing) -> Option<String> {
    let tz = g.viewer.timezone;
    match g.next_rotation {
        Some(n) => {
            let at = timing.starts_at(n.start);
            // With a gap before the next rotation, the current one's end comes first.
            if let (Some(h), Some(_)) = (g.next_handoff, g.rotation) {
                if h < at {
                    return Some(format!(
                        "Rotation ends {}, {}; next: {}, {} — {}",
                        short_date(h, tz),
                        relative(g.at, h),
                        short_date(at, tz),
                        relative(g.at, at),
                        seats(&next_team(g), n.open_seats())
                    ));
                }
            }
            Some(format!("Next: {}, {} — {}", short_date(at, tz), relative(g.at, at), seats(&next_team(g), n.open_seats())))
        }
        None => g.next_handoff.map(|h| format!("Rotation ends {}, {}; nothing scheduled after", short_date(h, tz), relative(g.at, h))),
    }
}

/// The header: "Rotation 7 Sep – 9 Oct 2022 · 1 open seat" or "No one on rotation".
pub fn header(g: &Glance) -> String {
    match g.rotation {
        Some(r) => {
            let mut s = format!("Rotation {} – {}", r.start.format("%-d %b"), r.end.format("%-d %b %Y"));
            let open = r.open_seats();
            if open > 0 {
                s.push_str(&format!(" · {open} open seat{}", if open == 1 { "" } else { "s" }));
            }
            s
        }
        None => "No one on rotation".into(),
    }
}

/// How long a glance line may be: a tray menu or a dashboard header reads in one look.
pub const LINE_CAP: usize = 60;

/// Said of an engineer on the schedule whom the roster does not know.
pub const NOT_IN_ROSTER: &str = "not in the roster";

/// The demo banner, short enough for a menu line.
pub const DEMO_SHORT: &str = "Demo team: set your schedule in Settings";

/// A zone told one way: its letters where it has them ("SAST", "CEST"), else its UTC offset
/// ("UTC+05:45" for Kathmandu, whose tzdata abbreviation is only "+0545").
pub fn zone(l: &LocalTime) -> String {
    if l.abbreviation.chars().any(|c| c.is_ascii_alphabetic()) {
        l.abbreviation.clone()
    } else {
        format!("UTC{}", l.utc_offset())
    }
}

/// Where an engineer's shift stands: "until 17:00 (3 h left)" (the end in their own time) while
/// working, else "starts in 5 h"; `None` when no shift is known.
pub fn shift(d: &OnDuty, at: DateTime<Utc>) -> Option<String> {
    let (t, l) = (d.shift_change?, d.local.as_ref()?);
    if d.status == Status::Away {
        return None;
    }
    Some(if d.status == Status::Working {
        let left = (t - at).num_seconds().max(0).unsigned_abs();
        let left = if left < 60 { "ending now".to_owned() } else { format!("{} left", span(left)) };
        format!("until {} ({left})", t.with_timezone(&l.timezone).format("%H:%M"))
    } else {
        format!("starts {}", relative(at, t))
    })
}

/// A status as people read it: "working", "off hours", "asleep", "unknown", or "away until Mon
/// 4 Jan" (the day they are back, in their own zone; with the time when it is not midnight
/// there: "away until Tue 5 Jan 13:00").
pub fn status_words(status: Status, away: Option<&crate::away::AwayNow>, zone: Option<Tz>) -> String {
    match (status, away) {
        (Status::Away, Some(a)) => {
            let zone = zone.unwrap_or(Tz::UTC);
            let local = a.until.with_timezone(&zone);
            let day = if crate::roster::minute_of_day(&local) == 0 { short_date(a.until, zone) } else { short_datetime(a.until, zone) };
            format!("away until {day}")
        }
        (s, _) => s.label().to_owned(),
    }
}

/// [`status_words`] for an engineer on duty.
pub fn duty_status(d: &OnDuty) -> String {
    status_words(d.status, d.away.as_ref(), d.local.as_ref().map(|l| l.timezone))
}

/// Whether `handle` is the viewer's (`me`, case and a leading `@` ignored).
pub fn is_me(handle: &str, me: Option<&str>) -> bool {
    me.is_some_and(|me| handle.trim_start_matches('@').eq_ignore_ascii_case(me.trim().trim_start_matches('@')))
}

/// Whom an engineer covers for, as a card says it: "covering for Ada" (an override).
pub fn covering(d: &OnDuty) -> Option<String> {
    d.covering_for_name.as_ref().map(|n| format!("covering for {n}"))
}

/// An engineer at a glance: "Keegan (you) — 14:00 SAST · working, until 17:00 (3 h left)",
/// "Mira — 19:45 UTC+05:45 · asleep, starts in 9 h", "Kenji — covering for Tom · 09:30 JST ·
/// working". One zone notation. The name, "(you)", "covering for NAME", the time and the status
/// are never shortened: to keep a line within [`LINE_CAP`] characters the countdown
/// goes first, then the zone; a line that is still long stays whole.
pub fn glance_line(d: &OnDuty, me: Option<&str>, at: DateTime<Utc>) -> String {
    glance_line_within(d, me, at, LINE_CAP)
}

/// [`glance_line`] with everything said, for a window, which has room: no budget.
pub fn glance_line_whole(d: &OnDuty, me: Option<&str>, at: DateTime<Utc>) -> String {
    glance_line_within(d, me, at, usize::MAX)
}

fn glance_line_within(d: &OnDuty, me: Option<&str>, at: DateTime<Utc>, cap: usize) -> String {
    let you = if is_me(&d.handle, me) { " (you)" } else { "" };
    let covering = d.covering_for_name.as_ref().map(|n| format!(" — covering for {n}"));
    let head = format!("{}{you}{}", d.name, covering.as_deref().unwrap_or(""));
    let Some(l) = &d.local else {
        let what = if d.in_roster { "timezone unknown" } else { NOT_IN_ROSTER };
        return format!("{head}{}{what}", if covering.is_some() { " · " } else { " — " });
    };
    let time = l.time.format("%H:%M");
    let status = duty_status(d);
    let zone = format!(" {}", zone(l));
    // A covering line says whom they stand in for instead of the countdown.
    let countdown = shift(d, at).filter(|_| covering.is_none()).map(|s| format!(", {s}")).unwrap_or_default();
    let sep = if covering.is_some() { " · " } else { " — " };
    let line = |zone: &str, countdown: &str| format!("{head}{sep}{time}{zone} · {status}{countdown}");
    [line(&zone, &countdown), line(&zone, ""), line("", "")].into_iter().find(|l| l.chars().count() <= cap).unwrap_or_else(|| line("", ""))
}

/// The rotation in one sentence, for a tooltip or a header: "2 of 3 working now — next hand-off
/// Mon 18:00" (the hand-off in the viewer's zone, its date added when it is a week or more away).
pub fn summary(g: &Glance) -> String {
    let tz = g.viewer.timezone;
    let handoff = g.next_handoff.map(|h| {
        let format = if h - g.at < chrono::Duration::days(6) { "%a %H:%M" } else { "%a %-d %b %H:%M" };
        h.with_timezone(&tz).format(format).to_string()
    });
    let head = match g.rotation {
        Some(_) => {
            let working = g.on_duty.iter().filter(|d| d.status == Status::Working).count();
            format!("{working} of {} working now", g.on_duty.len())
        }
        None => "No one on rotation".to_owned(),
    };
    match (handoff, g.rotation) {
        (Some(h), Some(_)) => format!("{head} — next hand-off {h}"),
        (Some(h), None) => format!("{head} — next starts {h}"),
        (None, _) => head,
    }
}

/// What the dashboard's list of my open escalations says when it is empty; when Rota does not know
/// who I am (no `me`), how to tell it.
pub fn none_of_mine(knows_me: bool) -> &'static str {
    if knows_me {
        "Nothing assigned to you is open."
    } else {
        "Rota does not know who you are: set your handle in Settings to see what is assigned to you."
    }
}

/// The next hand-off as a menu line of at most [`LINE_CAP`] characters, its time in the viewer's
/// zone: "Next: Mon 10 Oct 02:00, in 3 days — tbliu98 + 2 open seats" (who is on then, overrides
/// applied; the engineers said
/// shorter when the line runs long, never the time); "Rotation ends Mon 10 Oct 02:00, in 3 days" when
/// nothing follows.
pub fn next_line(g: &Glance, timing: &crate::Timing) -> Option<String> {
    next_line_within(g, timing, Some(LINE_CAP))
}

/// [`next_line`] whole, every engineer named: for a window, which has the room a menu has not.
pub fn next_line_whole(g: &Glance, timing: &crate::Timing) -> Option<String> {
    next_line_within(g, timing, None)
}

fn next_line_within(g: &Glance, timing: &crate::Timing, cap: Option<usize>) -> Option<String> {
    let tz = g.viewer.timezone;
    let when = |t: DateTime<Utc>| format!("{}, {}", short_datetime(t, tz), relative(g.at, t));
    match g.next_rotation {
        Some(n) => {
            let at = timing.starts_at(n.start);
            let head = format!("Next: {} — ", when(at));
            let team = match cap {
                Some(cap) => seats_within(&next_team(g), n.open_seats(), cap.saturating_sub(head.chars().count()).max(8)),
                None => seats(&next_team(g), n.open_seats()),
            };
            Some(format!("{head}{team}"))
        }
        None => g.next_handoff.map(|h| format!("Rotation ends {}", when(h))),
    }
}

/// The last part of a path or URL: "rota.md" for "/home/k/team/rota.md". Built-in names
/// ("builtin:demo") stay whole.
pub fn file_name(source: &str) -> &str {
    let trimmed = source.split(['?', '#']).next().unwrap_or(source).trim_end_matches(['/', '\\']);
    match trimmed.rfind(['/', '\\']) {
        Some(i) if i + 1 < trimmed.len() => &trimmed[i + 1..],
        _ => source,
    }
}

/// A place, short: "rota.md:7", or "rota.md" when it is about the whole file.
pub fn place(p: &Place) -> String {
    match p.line {
        Some(line) => format!("{}:{line}", file_name(&p.file)),
        None => file_name(&p.file).to_owned(),
    }
}

/// An input problem as one menu line of at most [`LINE_CAP`] characters: "⚠ rota.md:7: the
/// dates do not parse", or without the place when that makes the words fit. The place is said
/// by its file name; an error's level goes (the ⚠ says it), a warning's stays.
pub fn problem_line(problem: &Problem) -> String {
    let level = if problem.rule.is_some() && problem.severity == Severity::Warning { "warning: " } else { "" };
    let message = format!("{level}{}", problem.message);
    let alone = format!("⚠ {message}");
    let placed = match &problem.place {
        Some(p) => format!("⚠ {}: {message}", place(p)),
        None => alone.clone(),
    };
    // The words matter more than where they are written: the place goes when that makes them fit.
    if placed.chars().count() > LINE_CAP && alone.chars().count() <= LINE_CAP {
        alone
    } else {
        shorten(&placed, LINE_CAP)
    }
}

/// `text` in at most `max` characters, ending in "…" when it was cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.truncate(s.trim_end().len());
    s.push('…');
    s
}

/// An escalation's state as a person reads it, in every front end's text (the tray, the windows,
/// the command line): "handed to engineering", "waiting to send". JSON and the database keep
/// [`EscalationState::as_str`].
pub fn state(s: EscalationState) -> &'static str {
    match s {
        EscalationState::Open => "open",
        EscalationState::Acknowledged => "acknowledged",
        EscalationState::HandedToEngineering => "handed to engineering",
        EscalationState::Resolved => "resolved",
        EscalationState::Queued => "waiting to send",
    }
}

/// What filing said, in one line: "Filed #12 to Lord Howe", "Filed #12 to the whole rotation",
/// or for one the backend could not take yet, "Saved, waiting to send to Lord Howe".
pub fn filed(id: &str, to: Option<&str>, queued: bool) -> String {
    let to = to.unwrap_or("the whole rotation");
    if queued {
        format!("Saved, waiting to send to {to}")
    } else {
        format!("Filed #{} to {to}", id.trim_start_matches('#'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::glance;
    use crate::roster::parse_roster;
    use crate::schedule::{parse_toml_schedule, Timing};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn countdowns_round_honestly() {
        let from = at("2024-03-05T12:00:00Z");
        for (to, expected) in [
            ("2024-03-05T12:00:30Z", "now"),
            ("2024-03-05T12:20:00Z", "in 20 min"),
            ("2024-03-05T15:00:00Z", "in 3 h"),
            ("2024-03-05T19:15:00Z", "in 7 h 15 min"),
            ("2024-03-05T21:59:00Z", "in 9 h 59 min"),
            ("2024-03-06T00:54:00Z", "in about 13 h"), // 12 h 54 min: never "in 12 h"
            ("2024-03-06T00:20:00Z", "in about 12 h"),
            ("2024-03-06T02:00:00Z", "in 14 h"),
            ("2024-03-07T11:45:00Z", "in about 48 h"),
            ("2024-03-08T12:00:00Z", "in 3 days"),
            ("2024-03-30T00:00:00Z", "in about 25 days"), // 24 days 12 h: never "in 24 days"
            ("2024-03-29T23:59:00Z", "in about 24 days"),
            ("2024-03-08T13:00:00Z", "in about 3 days"),
            ("2024-03-05T08:06:00Z", "3 h 54 min ago"),
        ] {
            assert_eq!(relative(from, at(to)), expected, "to {to}");
        }
    }

    const PEOPLE: &str = r#"
[[person]]
handle = "keegancsmith"
name = "Keegan"
timezone = "Africa/Johannesburg"

[[person]]
handle = "mira"
name = "Mira Shrestha-Koirala of the Very Long Name"
timezone = "Asia/Kathmandu"
days = "Sun-Thu"

[[person]]
handle = "tane"
name = "Tane"
timezone = "Pacific/Chatham"
hours = "08:00-16:00"

[[person]]
handle = "lena"
name = "Lena"
timezone = "Europe/Berlin"
"#;

    const ROTATIONS: &str = r#"
[[rotation]]
start = 2024-03-04
end = 2024-04-07
engineers = ["keegancsmith", "mira", "tane", "lena", "zed"]
"#;

    /// The glance line of each engineer at `instant`, as `me` = keegancsmith sees it.
    fn lines(instant: &str) -> Vec<String> {
        let roster = parse_roster("people.toml", PEOPLE).value;
        let schedule = parse_toml_schedule("rota.toml", ROTATIONS).value;
        let g = glance(&schedule, &roster, &Timing::default(), chrono_tz::UTC, Some("keegancsmith"), at(instant));
        g.on_duty.iter().map(|d| glance_line(d, Some("@KeeganCSmith"), g.at)).collect()
    }

    #[test]
    fn glance_lines_say_one_zone_and_the_shift_in_sixty_characters() {
        // Tue 12:00 UTC, 5 March 2024: Johannesburg 14:00; Kathmandu 17:45 (+05:45, no letters);
        // Chatham Wed 01:45 (+13:45 in southern summer); Berlin 13:00 (CET, before its DST).
        let got = lines("2024-03-05T12:00:00Z");
        assert_eq!(
            got,
            [
                "Keegan (you) — 14:00 SAST · working, until 17:00 (3 h left)",
                // The name is never cut; the countdown, then the zone, give way.
                "Mira Shrestha-Koirala of the Very Long Name — 17:45 · off hours",
                "Tane — 01:45 UTC+13:45 · asleep, starts in 6 h 15 min",
                "Lena — 13:00 CET · working, until 17:00 (4 h left)",
                "zed — not in the roster",
            ]
            .map(|s| s.to_string())
        );
        for l in got.iter().filter(|l| !l.starts_with("Mira")) {
            assert!(l.chars().count() <= LINE_CAP, "{l:?} is {} characters", l.chars().count());
        }
    }

    /// A covering line keeps whom it covers for and the status, whole.
    #[test]
    fn a_covering_line_says_the_names_and_the_status_whole() {
        let roster = parse_roster("people.toml", PEOPLE).value;
        let t = at("2024-03-05T12:00:00Z");
        let mut d = OnDuty::new("lena", &roster, t);
        d.name = "Kenji Watanabe".into();
        d.covering_for_name = Some("Tom Becker".into());
        assert_eq!(glance_line(&d, None, t), "Kenji Watanabe — covering for Tom Becker · 13:00 · working", "the zone gives way");
        d.name = "Kenji".into();
        assert_eq!(glance_line(&d, None, t), "Kenji — covering for Tom Becker · 13:00 CET · working");
        d.covering_for_name = Some("Bartholomew Featherstonehaugh-Smythe".into());
        assert_eq!(glance_line(&d, Some("lena"), t), "Kenji (you) — covering for Bartholomew Featherstonehaugh-Smythe · 13:00 · working");
    }

    #[test]
    fn glance_lines_across_a_dst_change() {
        // Sun 31 March 2024, 02:30 UTC: Berlin has just moved to CEST (04:30); Chatham keeps
        // +13:45 for one more week, Sunday 16:15 there (Monday 08:00 is 15 h 45 min away);
        // Kathmandu Sunday 08:15 (a working day, 09:00 start); Lena's Sunday is no working day,
        // her Monday 09:00 CEST is 28 h 30 min away.
        let got = lines("2024-03-31T02:30:00Z");
        assert_eq!(got[1].rsplit_once(" — ").unwrap().1, "08:15 · off hours", "a long name: the countdown and the zone give way");
        assert_eq!(got[2], "Tane — 16:15 UTC+13:45 · off hours, starts in about 16 h");
        assert_eq!(got[3], "Lena — 04:30 CEST · asleep, starts in about 29 h");
    }

    #[test]
    fn the_summary_answers_who_is_working_and_when_it_changes() {
        let roster = parse_roster("people.toml", PEOPLE).value;
        let schedule = parse_toml_schedule("rota.toml", ROTATIONS).value;
        let timing = Timing::default();
        let g = glance(&schedule, &roster, &timing, chrono_tz::Asia::Kathmandu, None, at("2024-04-04T12:00:00Z"));
        // The rotation ends Mon 8 April 00:00 UTC: 05:45 in Kathmandu, four days on.
        // Thursday 12:00 UTC: Keegan (14:00) and Lena (14:00 CEST) work; Mira is off, Tane asleep.
        assert_eq!(summary(&g), "2 of 5 working now — next hand-off Mon 05:45");
        let g = glance(&schedule, &roster, &timing, chrono_tz::Europe::Berlin, None, at("2024-03-05T12:00:00Z"));
        assert_eq!(summary(&g), "2 of 5 working now — next hand-off Mon 8 Apr 02:00");
        let g = glance(&schedule, &roster, &timing, chrono_tz::UTC, None, at("2024-05-01T12:00:00Z"));
        assert_eq!(summary(&g), "No one on rotation");
        let g = glance(&schedule, &roster, &timing, chrono_tz::UTC, None, at("2024-03-01T12:00:00Z"));
        assert_eq!(summary(&g), "No one on rotation — next starts Mon 00:00");
    }

    #[test]
    fn the_next_line_gives_the_hand_off_time_in_my_zone() {
        let roster = parse_roster("people.toml", PEOPLE).value;
        let schedule = parse_toml_schedule(
            "rota.toml",
            &format!("{ROTATIONS}\n[[rotation]]\nstart = 2024-04-08\nend = 2024-05-19\nengineers = [\"mira\", \"a-very-long-handle-indeed\", \"another-long-one\"]\n"),
        )
        .value;
        let timing = Timing::default();
        // Hand-off Mon 8 April 00:00 UTC: 05:45 in Kathmandu (+05:45). The last one ends Mon 20
        // May 00:00 UTC: 12:45 in Chatham, back at +12:45 since its DST ended on 7 April.
        let g = glance(&schedule, &roster, &timing, chrono_tz::Asia::Kathmandu, None, at("2024-04-04T12:00:00Z"));
        let line = next_line(&g, &timing).unwrap();
        assert_eq!(line, "Next: Mon 8 Apr 05:45, in about 4 days — mira, a-very-long-…");
        assert!(line.chars().count() <= LINE_CAP);
        // A window has the room: every engineer named.
        assert_eq!(
            next_line_whole(&g, &timing).unwrap(),
            "Next: Mon 8 Apr 05:45, in about 4 days — mira, a-very-long-handle-indeed, another-long-one"
        );
        let g = glance(&schedule, &roster, &timing, chrono_tz::Pacific::Chatham, None, at("2024-05-10T12:00:00Z"));
        assert_eq!(next_line(&g, &timing).unwrap(), "Rotation ends Mon 20 May 12:45, in about 10 days");
    }

    #[test]
    fn open_seats_are_never_cut_when_the_names_are() {
        assert_eq!(seats_within(&["tbliu98"], 2, 30), "tbliu98 + 2 open seats");
        assert_eq!(seats_within(&["tbliu98"], 2, 17), "tbliu98 + 2 TBD");
        assert_eq!(seats_within(&["a-very-long-handle", "bo"], 1, 16), "a-very-… + 1 TBD");
        assert_eq!(seats_within(&[], 3, 5), "3 TBD");
        assert_eq!(seats_within(&["a-very-long-handle", "bo"], 0, 10), "a-very-lo…");
    }

    #[test]
    fn short_forms_of_problems_and_the_demo_banner() {
        use crate::finding::{Finding, Rule};
        let error = |file: &str, line, m: &str| Problem::from(Finding::new(Rule::Syntax, file, Some(line), m));
        for (problem, expected) in [
            (error("/home/k/team/rota.md", 7, "rotation dates do not parse"), "⚠ rota.md:7: rotation dates do not parse"),
            (
                Problem::in_file("/home/k/team/people.toml", "no such file; check roster.source"),
                "⚠ people.toml: no such file; check roster.source",
            ),
            (error("https://example.com/h/rota.md", 3, "overlaps"), "⚠ rota.md:3: overlaps"),
            (
                Problem::from(Finding::new(
                    Rule::MisspeltMe,
                    "/home/k/.config/rota/config.toml",
                    Some(2),
                    "me = \"sofa\" is nobody on the team: did you mean sofia?",
                )),
                "⚠ me = \"sofa\" is nobody on the team: did you mean sofia?",
            ),
            (
                error("/home/k/rota.md", 12, "rotation 2024-02-01 to 2024-03-11 overlaps rotation 2024-01-01 to 2024-02-11 (line 3)"),
                "⚠ rota.md:12: rotation 2024-02-01 to 2024-03-11 overlaps ro…",
            ),
            (Problem::from(Finding::new(Rule::ShortRotation, "builtin:demo", Some(7), "short")), "⚠ builtin:demo:7: warning: short"),
            (Problem::error("cannot reach the network"), "⚠ cannot reach the network"),
        ] {
            let got = problem_line(&problem);
            assert_eq!(got, expected);
            assert!(got.chars().count() <= LINE_CAP);
        }
        assert!(DEMO_SHORT.chars().count() <= LINE_CAP);
        assert_eq!(file_name("C:\\team\\people.toml"), "people.toml");
        assert_eq!(file_name("builtin:handbook"), "builtin:handbook");
    }

    /// The full form, which the dashboard and the logs show, is the one the shell always wrote.
    #[test]
    fn a_problem_in_full_says_its_level_only_when_a_rule_found_it() {
        use crate::finding::{Finding, Rule};
        let f = Finding::new(Rule::Syntax, "/k/rota.md", Some(5), "bad row");
        assert_eq!(Problem::from(f.clone()).to_string(), "/k/rota.md:5: error: bad row");
        assert_eq!(f.to_string(), "/k/rota.md:5: error: bad row");
        let whole = Finding::new(Rule::UncoveredDays, "rota.md", None, "gap");
        assert_eq!(Problem::from(whole).to_string(), "rota.md: warning: gap");
        assert_eq!(Problem::in_file("/k/people.toml", "no such file").to_string(), "/k/people.toml: no such file");
        assert_eq!(Problem::error("no network").to_string(), "no network");
    }

    #[test]
    fn one_wording_per_state_json_keeps_the_raw_name() {
        assert_eq!(state(EscalationState::HandedToEngineering), "handed to engineering");
        assert_eq!(EscalationState::HandedToEngineering.as_str(), "handed_to_engineering");
        assert_eq!(state(EscalationState::Queued), "waiting to send");
    }

    #[test]
    fn filing_says_the_number_and_the_person() {
        assert_eq!(filed("12", Some("Lord Howe"), false), "Filed #12 to Lord Howe");
        assert_eq!(filed("#7", None, false), "Filed #7 to the whole rotation");
        assert_eq!(filed("k-1", Some("Ollie"), true), "Saved, waiting to send to Ollie");
    }
}
