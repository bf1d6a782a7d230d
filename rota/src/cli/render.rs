//! Text for people: aligned tables, times in the viewer's zone beside each engineer's own, fitted
//! to the terminal (`$COLUMNS`, else 80): the free-text column wraps, the times never do. Colour
//! only on a terminal, and never with `NO_COLOR` (`--color` decides otherwise).
//!
//! Values from outside (names, seats, titles, file names) are made printable as they are laid out
//! [`table`] cleans each cell and [`Term::wrap`] its text before measuring them, and
//! [`Term::paint`] its text before colouring it, so the only escape codes in the text are the
//! colours `paint` adds.

use super::args::ColorChoice;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rota_core::coverage::Coverage;
use rota_core::duty::{Glance, Status};
use rota_core::printable;
use rota_core::words;
use rota_core::{Finding, Schedule, Severity, Timing};
use std::fmt::Write;

/// The terminal the text is for: how wide, and whether it takes colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub width: usize,
    pub color: bool,
}

/// Below this, a free-text column goes on lines of its own under its row.
const MIN_FREE: usize = 20;

impl Term {
    /// `$COLUMNS`, else the terminal's width, else 80; colour by `--color`, where `auto` means
    /// a terminal on stdout and no `NO_COLOR`.
    pub fn detect(choice: ColorChoice) -> Term {
        use std::io::IsTerminal;
        let width =
            std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok()).filter(|w| *w > 0).or_else(terminal_width).unwrap_or(80);
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        Term { width, color }
    }

    /// `text`, made printable, in an SGR style ("1" bold, "31" red, …) when colour is on.
    fn paint(&self, style: &str, text: &str) -> String {
        let text = printable(text);
        if self.color && !text.is_empty() {
            format!("\x1b[{style}m{text}\x1b[0m")
        } else {
            text.into_owned()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Wraps free text, made printable, to the terminal, later lines indented by `hang` spaces.
    pub(super) fn wrap(&self, text: &str, hang: usize) -> String {
        let mut out = String::new();
        for (i, line) in wrap(&printable(text), self.width, hang).iter().enumerate() {
            if i > 0 {
                out.push('\n');
                out.push_str(&" ".repeat(hang));
            }
            out.push_str(line);
        }
        out
    }
}

/// The width of the terminal on stdout, when it is one.
#[cfg(target_os = "linux")]
fn terminal_width() -> Option<usize> {
    // SAFETY: TIOCGWINSZ writes one winsize into the struct we own, on a descriptor we only read.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(not(target_os = "linux"))]
fn terminal_width() -> Option<usize> {
    None
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// The pieces of `text` that a line may break between: words, except that a time stays whole
/// ("in 9 h 54 min", "in about 13 h", "Fri 09:00", "3 days"), so none is split over two lines.
fn chunks(text: &str) -> Vec<String> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let number = |s: &str| s.starts_with(|c: char| c.is_ascii_digit());
    let glued = |a: &str, b: &str| {
        matches!(a, "in" | "about")
            || (number(a) && ["h", "min", "days", "day"].iter().any(|u| b.trim_end_matches([',', ')', '.', ';']) == *u))
            || (a == "h" && number(b))
            || (DAYS.contains(&a) && number(b))
    };
    let mut out: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match out.last_mut() {
            Some(last) if glued(last.rsplit(' ').next().unwrap_or(last), word) => {
                last.push(' ');
                last.push_str(word);
            }
            _ => out.push(word.to_owned()),
        }
    }
    out
}

/// Splits `text` at spaces into lines that fit `max` (the first line) and `max - hang` (the
/// rest), never inside a time ([`chunks`]); a piece longer than a line is cut.
fn wrap(text: &str, max: usize, hang: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in chunks(text) {
        let word = word.as_str();
        let room = if lines.len() == 1 { max } else { max.saturating_sub(hang) }.max(MIN_FREE / 2);
        let current = lines.last_mut().expect("one line");
        let need = width(current) + usize::from(!current.is_empty()) + width(word);
        if current.is_empty() || need <= room {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        } else {
            lines.push(word.to_owned());
        }
        // A word longer than a whole line is cut into pieces.
        while let Some(last) = lines.last() {
            let room = if lines.len() == 1 { max } else { max.saturating_sub(hang) }.max(MIN_FREE / 2);
            if width(last) <= room {
                break;
            }
            let last = lines.pop().expect("a line");
            let head: String = last.chars().take(room).collect();
            let tail: String = last.chars().skip(room).collect();
            lines.push(head);
            lines.push(tail);
        }
    }
    lines
}

/// Left-aligns rows of cells into columns two spaces apart, fitted to `term.width`: the last
/// column (free text) wraps under itself, or when too little room is left, goes on lines of its
/// own under the row. The other columns (times, names) are never cut. Each cell is made
/// printable first. `style(row, column)` gives a cell's SGR style, applied after the widths are
/// measured.
pub(super) fn table(rows: &[Vec<String>], indent: &str, term: &Term, style: impl Fn(usize, usize) -> Option<&'static str>) -> String {
    table_shrinking(rows, indent, term, None, style)
}

/// [`table`], where the column `shrink` (a name) is shortened with "…" when the columns before
/// the free text would not fit the terminal otherwise.
fn table_shrinking(
    rows: &[Vec<String>],
    indent: &str,
    term: &Term,
    shrink: Option<usize>,
    style: impl Fn(usize, usize) -> Option<&'static str>,
) -> String {
    let printable_rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| printable(c).into_owned()).collect()).collect();
    let rows = printable_rows.as_slice();
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths: Vec<usize> = (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| width(s)).max().unwrap_or(0)).collect();
    let shortened;
    let mut rows = rows;
    if let Some(col) = shrink.filter(|c| *c + 1 < cols) {
        let fixed = width(indent) + widths[..cols - 1].iter().map(|w| w + 2).sum::<usize>();
        if fixed > term.width {
            widths[col] = widths[col].saturating_sub(fixed - term.width).max(8);
            let mut cut = rows.to_vec();
            for r in cut.iter_mut().skip(1) {
                if let Some(cell) = r.get_mut(col) {
                    *cell = words::shorten(cell, widths[col]);
                }
            }
            shortened = cut;
            // The header keeps its word.
            rows = &shortened;
            widths[col] = rows.iter().filter_map(|r| r.get(col)).map(|s| width(s)).max().unwrap_or(0);
        }
    }
    let mut out = String::new();
    for (ri, r) in rows.iter().enumerate() {
        let mut line = String::from(indent);
        let mut at = width(indent);
        let last = r.len().saturating_sub(1);
        for (c, cell) in r.iter().enumerate() {
            let paint = |text: &str| match style(ri, c) {
                Some(s) => term.paint(s, text),
                None => text.to_owned(),
            };
            if c == last && c > 0 {
                let room = term.width.saturating_sub(at);
                if width(cell) <= room {
                    line.push_str(&paint(cell));
                } else if room >= MIN_FREE {
                    let parts = wrap(cell, room, 0);
                    let pad = " ".repeat(at);
                    let joined: Vec<String> = parts.iter().map(|p| paint(p)).collect();
                    line.push_str(&joined.join(&format!("\n{pad}")));
                } else {
                    let hang = width(indent) + 4;
                    let parts = wrap(cell, term.width.saturating_sub(hang), 0);
                    let pad = " ".repeat(hang);
                    out.push_str(line.trim_end());
                    out.push('\n');
                    line = parts.iter().map(|p| format!("{pad}{}", paint(p))).collect::<Vec<_>>().join("\n");
                }
                break;
            }
            line.push_str(&paint(cell));
            if c < last {
                line.push_str(&" ".repeat(widths[c] - width(cell) + 2));
                at += widths[c] + 2;
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Open escalations, one a row: the title (with its customer) is the free text that wraps; the
/// assignee is shortened before anything else when the terminal is narrow.
pub fn escalations(list: &[rota_core::escalation::Escalation], now: DateTime<Utc>, term: &Term) -> String {
    use rota_core::escalation::EscalationState;
    let header = ["ID", "SEV", "STATE", "ASSIGNEE", "FILED", "ESCALATION"].map(String::from).to_vec();
    let rows: Vec<Vec<String>> = std::iter::once(header)
        .chain(list.iter().map(|e| {
            vec![
                if e.state == EscalationState::Queued { "-".into() } else { e.id.clone() },
                e.severity.to_string(),
                words::state(e.state).to_owned(),
                e.assignee.clone().unwrap_or_else(|| "(rotation)".into()),
                words::relative(now, e.created_at),
                match &e.customer {
                    Some(c) => format!("{c}: {}", e.title),
                    None => e.title.clone(),
                },
            ]
        }))
        .collect();
    table_shrinking(&rows, "", term, Some(3), |row, _| (row == 0).then_some("1"))
}

fn clock(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M").to_string()
}

pub fn now(g: &Glance, schedule: &Schedule, timing: &Timing, term: &Term) -> String {
    let tz = g.viewer.timezone;
    let mut out = String::new();
    if let Some(demo) = &schedule.demo {
        let _ = writeln!(out, "{}\n", term.wrap(demo, 0));
    }
    let _ = writeln!(out, "{}", term.bold(&words::header(g)));
    let _ = writeln!(out, "Your time: {} {} ({})\n", words::short_datetime(g.at, tz), g.viewer.abbreviation, tz.name());
    if g.rotation.is_some() {
        let mut rows = vec![vec!["ENGINEER".into(), "LOCAL TIME".into(), "UTC".into(), "STATUS".into(), "".into()]];
        let mut statuses = vec![None];
        let mut names = vec![String::new()];
        for d in g.by_status() {
            names.push(d.name.clone());
            let (time, offset) = match &d.local {
                Some(l) => (format!("{} {}", l.time.format("%a %H:%M"), l.abbreviation), l.utc_offset()),
                None => ("—".into(), "".into()),
            };
            let name = if d.name == d.handle { d.handle.clone() } else { format!("{} (@{})", d.name, d.handle) };
            let note = match (d.status, d.shift_change, &d.local) {
                (_, _, None) if !d.in_roster => words::NOT_IN_ROSTER.into(),
                (Status::Away, _, _) => d.away.as_ref().map(|a| a.why.clone()).unwrap_or_default(),
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
            // Whom they cover for leads the free text, which wraps: never cut.
            let note = match words::covering(d) {
                Some(c) if note.is_empty() => c,
                Some(c) => format!("{c}; {note}"),
                None => note,
            };
            rows.push(vec![name, time, offset, words::duty_status(d), note]);
            statuses.push(Some(d.status));
        }
        // In a narrow terminal the handles go before any name is cut (the free text, with whom
        // someone covers for, goes on the lines below and is never cut).
        let fixed = |rows: &[Vec<String>]| 2 + (0..4).map(|c| rows.iter().map(|r| width(&r[c])).max().unwrap_or(0) + 2).sum::<usize>();
        if fixed(&rows) > term.width {
            for (row, name) in rows.iter_mut().zip(names).skip(1) {
                row[0] = name;
            }
        }
        out.push_str(&table_shrinking(&rows, "  ", term, Some(0), |r, c| match (r, c, statuses[r]) {
            (0, _, _) => Some("1"),
            (_, 3, Some(s)) => Some(status_style(s)),
            _ => None,
        }));
        out.push('\n');
    }
    match words::next_handoff(g, timing) {
        Some(line) => {
            let _ = writeln!(out, "{}", term.wrap(&line, 4));
        }
        None => out.push_str("Nothing scheduled after this.\n"),
    }
    out
}

fn status_style(s: Status) -> &'static str {
    match s {
        Status::Working => "32",
        Status::OffHours => "33",
        Status::Asleep => "34",
        Status::Unknown | Status::Away => "2",
    }
}

pub fn schedule(list: &crate::models::ScheduleList, schedule: &Schedule, timing: &Timing, tz: Tz, term: &Term) -> String {
    use crate::models::When;
    let mut out = String::new();
    if let Some(demo) = &schedule.demo {
        let _ = writeln!(out, "{}\n", term.wrap(demo, 0));
    }
    let _ = writeln!(out, "{}\n", term.wrap(&format!("{} — hand-offs shown in {}", schedule.source, tz.name()), 4));
    if list.rotations.is_empty() {
        out.push_str("No rotations.\n");
        return out;
    }
    // The ROTATION column (the dates as written) goes when the times would not fit beside it;
    // the engineers then have room of their own.
    let wide = term.width >= 3 + 2 + 24 + 2 + 21 + 2 + 21 + 2 + MIN_FREE;
    let mut rows = vec![vec!["".into(), "ROTATION".into(), "STARTS".into(), "ENDS".into(), "ENGINEERS".into()]];
    let mut current = vec![false];
    for r in &list.rotations {
        let mark = match r.when {
            When::Current => "now",
            When::Past => "",
            When::Upcoming => "",
        };
        let fmt =
            |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.format("%a %-d %b %Y %H:%M").to_string()).unwrap_or_else(|_| s.to_owned());
        let engineers: Vec<&str> = r.engineers.iter().map(String::as_str).collect();
        rows.push(vec![
            mark.into(),
            format!("{} to {}", r.start, r.end),
            fmt(&r.starts_at),
            fmt(&r.ends_at),
            words::seats(&engineers, r.open_seats),
        ]);
        current.push(r.when == When::Current);
    }
    if !wide {
        for r in &mut rows {
            r.remove(1);
        }
    }
    out.push_str(&table(&rows, "", term, |r, _| if r == 0 || current[r] { Some("1") } else { None }));
    // Covering: who stands in for whom, and when, in the viewer's zone.
    let shown = |t: DateTime<Utc>| t.with_timezone(&tz).format("%a %-d %b %Y %H:%M").to_string();
    let mut covering = vec![vec!["FROM".into(), "TO".into(), "COVERING".into()]];
    for o in &schedule.overrides {
        let (from, to) = o.when.span(timing);
        let Some(who) = words::covering_who(o) else { continue };
        covering.push(vec![shown(from), shown(to), who]);
    }
    if covering.len() > 1 {
        out.push('\n');
        out.push_str(&table(&covering, "", term, |r, _| (r == 0).then_some("1")));
    }
    out
}

pub fn coverage(c: &Coverage, schedule: &Schedule, term: &Term) -> String {
    let tz = c.viewer;
    let mut out = String::new();
    if let Some(demo) = &schedule.demo {
        let _ = writeln!(out, "{}\n", term.wrap(demo, 0));
    }
    let title = format!("Coverage, week of {} ({}): engineers working each hour, · for nobody", c.monday.format("%a %-d %b %Y"), tz.name());
    let _ = writeln!(out, "{}\n", term.wrap(&title, 4));
    // Day labels ("Thu 15") take 7 columns, the 24 hours 3 each: 79 in all; 2 each below that.
    const LABEL: usize = 7;
    let cell = if term.width >= LABEL + 24 * 3 { 3 } else { 2 };
    out.push_str(&" ".repeat(LABEL));
    for h in 0..24 {
        // Two columns an hour leave no room between "10" and "11": label every third hour.
        let label = if cell == 3 || h % 3 == 0 { h.to_string() } else { String::new() };
        let _ = write!(out, "{label:>cell$}");
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
            let _ = write!(out, "{:<LABEL$}", local.format("%a %-d"));
            day = Some(d);
            // Pad hours a DST change skipped at the start of the day.
            for _ in 0..chrono::Timelike::hour(&local) {
                out.push_str(&" ".repeat(cell));
            }
        }
        let text = if s.working.is_empty() { "·".to_owned() } else { s.working.len().to_string() };
        let padded = format!("{text:>cell$}");
        out.push_str(&if s.working.is_empty() { term.paint("31", &padded) } else { padded });
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
        out.push_str(&table(&rows, "  ", term, |_, _| None));
    }
    out
}

/// The findings sorted by file and line, each once, every line fitted to the terminal.
pub fn check(findings: &[Finding], checked: &[String], term: &Term) -> String {
    let findings = rota_core::finding::sorted_unique(findings.to_vec());
    let mut out = String::new();
    for f in &findings {
        let (level, style) = match f.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "33"),
        };
        let file = printable(&f.file);
        let place = match f.line {
            Some(line) => format!("{file}:{line}:"),
            None => format!("{file}:"),
        };
        let plain = format!("{place} {level}: {}", f.message);
        let wrapped = term.wrap(&plain, 4);
        // Colour the label once the line is fitted (the codes take no room on screen).
        let coloured = wrapped.replacen(&format!("{place} {level}:"), &format!("{place} {}", term.paint(style, &format!("{level}:"))), 1);
        let _ = writeln!(out, "{coloured}");
    }
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = findings.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if findings.is_empty() {
        let _ = writeln!(out, "{}", term.wrap(&format!("All good: {}.", checked.join(", ")), 4));
    } else {
        let summary = format!("{}, {} in {}.", plural(errors, "error"), plural(warnings, "warning"), checked.join(", "));
        let _ = writeln!(out, "\n{}", term.wrap(&summary, 4));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_wraps_and_nothing_else_is_cut() {
        let term = Term { width: 30, color: false };
        let rows = vec![
            vec!["Keegan".to_owned(), "Thu 14:00".to_owned(), "until 17:00 (17:00 yours), in 3 h".to_owned()],
            vec!["Valery".to_owned(), "Thu 14:00".to_owned(), "short".to_owned()],
        ];
        // 6 + 2 + 9 + 2 = 19 columns before the note: 11 left, under MIN_FREE, so the note goes below.
        assert_eq!(
            table(&rows, "", &term, |_, _| None),
            "Keegan  Thu 14:00\n    until 17:00 (17:00 yours),\n    in 3 h\nValery  Thu 14:00  short\n"
        );
        let wide = Term { width: 44, color: false };
        assert_eq!(
            table(&rows, "", &wide, |_, _| None),
            "Keegan  Thu 14:00  until 17:00 (17:00\n                   yours), in 3 h\nValery  Thu 14:00  short\n"
        );
        for line in table(&rows, "", &term, |_, _| None).lines() {
            assert!(line.chars().count() <= 30, "{line:?}");
        }
    }

    #[test]
    fn colour_codes_only_when_asked() {
        let plain = Term { width: 80, color: false };
        let colour = Term { width: 80, color: true };
        assert_eq!(plain.paint(status_style(Status::Working), "working"), "working");
        assert_eq!(colour.paint(status_style(Status::Working), "working"), "\x1b[32mworking\x1b[0m");
    }

    /// A cell, a paragraph or a painted word from outside is laid out printable; the
    /// only escape codes left are the colours `paint` adds, and widths count what is shown.
    #[test]
    fn values_from_outside_are_laid_out_printable() {
        let colour = Term { width: 80, color: true };
        let rows = vec![vec!["NAME".to_owned(), "NOTE".to_owned()], vec!["a\x1b]0;t\x07".to_owned(), "x\r\ny\x1b[2J\u{202e}".to_owned()]];
        assert_eq!(
            table(&rows, "", &colour, |r, _| (r == 0).then_some("1")),
            "\x1b[1mNAME\x1b[0m     \x1b[1mNOTE\x1b[0m\na�]0;t�  x��y�[2J�\n"
        );
        assert_eq!(colour.wrap("a\x1b[8mb\tc", 0), "a�[8mb c");
        assert_eq!(colour.paint("1", "\x1b]52;c;eA==\x07"), "\x1b[1m�]52;c;eA==�\x1b[0m");
        let f = Finding::new(rota_core::Rule::NotInRoster, "rota\x1b[2J.md", Some(3), "eve\u{9b}2J is not in the roster");
        assert_eq!(check(&[f], &[], &colour).lines().next(), Some("rota�[2J.md:3: \x1b[33mwarning:\x1b[0m eve�2J is not in the roster"));
    }
}
