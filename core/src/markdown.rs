//! The handbook page: a Markdown table with a `Rotation` and an `Engineers` column.
//!
//! Read with a real CommonMark + GFM-tables parser, so escaped pipes, inline code, links and
//! other tables on the page behave as they do on GitHub. Any table whose header has both columns
//! (in any order, among others) is a schedule table; one with `When`, `Covering` and `For` columns
//! is a covering table ([`crate::overrides`]); one with `Who` and `When` is an away table
//! ([`crate::away`]); other tables are ignored.

use crate::finding::{Finding, Lines, Parsed, Rule};
use crate::overrides::parse::{override_columns, override_from_cells};
use crate::schedule::{date_range, seat, seat_count_error, Rotation, Schedule, Seat};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// One table cell: its items, where a link has become the handle from its URL.
#[derive(Default)]
struct Cell {
    /// The cell's text with each link replaced by `@handle` from the link's URL.
    text: String,
    /// The plain text only, for the `Rotation` column.
    plain: String,
    /// A cell of a column nobody reads.
    skip: bool,
}

struct Table {
    header: Vec<String>,
    /// The `Rotation` and `Engineers` columns, found once when the header ends.
    columns: Option<(usize, usize)>,
    /// The `When`, `Covering` and `For` columns of a covering table.
    overrides: Option<[usize; 3]>,
    /// The `Who`, `When` and `Why` columns of an away table.
    away: Option<[Option<usize>; 3]>,
    rows: Vec<(u32, Vec<Cell>)>,
}

/// The handle a profile link points at: the last path segment of its URL
/// (`https://github.com/keegancsmith` → `keegancsmith`).
fn handle_from_url(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = rest.split(['?', '#']).next().unwrap_or("");
    let path = path.split_once('/').map(|(_, p)| p).unwrap_or("");
    let last = path.split('/').rfind(|s| !s.is_empty())?;
    let last = last.trim_start_matches('@');
    (!last.is_empty() && last.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c))).then(|| last.to_owned())
}

fn tables(text: &str) -> Vec<Table> {
    let lines = Lines::new(text);
    let mut out = Vec::new();
    let mut table: Option<Table> = None;
    let mut row: Option<(u32, Vec<Cell>)> = None;
    let mut cell: Option<Cell> = None;
    let mut in_head = false;
    // Inside a link: its handle (if the URL gives one) and the link text seen so far.
    let mut link: Option<(Option<String>, String)> = None;
    for (event, range) in Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Table(_)) => table = Some(Table { header: vec![], columns: None, overrides: None, away: None, rows: vec![] }),
            Event::End(TagEnd::Table) => out.extend(table.take()),
            Event::Start(Tag::TableHead) => {
                in_head = true;
                row = Some((lines.line_of(range.start), vec![]));
            }
            Event::Start(Tag::TableRow) => row = Some((lines.line_of(range.start), vec![])),
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                if let (Some(t), Some((line, cells))) = (table.as_mut(), row.take()) {
                    if in_head {
                        t.header = cells.into_iter().map(|c| c.plain.trim().to_owned()).collect();
                        t.columns = schedule_columns(&t.header);
                        t.overrides = override_columns(&t.header);
                        t.away = crate::away::parse::away_columns(&t.header);
                    } else {
                        t.rows.push((line, cells));
                    }
                }
                in_head = false;
            }
            Event::Start(Tag::TableCell) => {
                // Only the header and the two columns read are kept; other cells are skipped.
                let col = row.as_ref().map_or(0, |r| r.1.len());
                let wanted = in_head
                    || table.as_ref().is_some_and(|t| {
                        t.columns.is_some_and(|(a, b)| col == a || col == b)
                            || t.overrides.is_some_and(|o| o.contains(&col))
                            || t.away.is_some_and(|a| a.contains(&Some(col)))
                    });
                cell = Some(Cell { skip: !wanted, ..Cell::default() });
            }
            Event::End(TagEnd::TableCell) => {
                if let (Some(r), Some(c)) = (row.as_mut(), cell.take()) {
                    r.1.push(c);
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => link = Some((handle_from_url(&dest_url), String::new())),
            Event::End(TagEnd::Link) => {
                if let (Some((handle, label)), Some(c)) = (link.take(), cell.as_mut()) {
                    let label = label.trim().trim_start_matches('@');
                    c.text.push('@');
                    c.text.push_str(handle.as_deref().unwrap_or(label));
                }
            }
            Event::Text(s) | Event::Code(s) => {
                if let Some(c) = cell.as_mut().filter(|c| !c.skip) {
                    c.plain.push_str(&s);
                    match link.as_mut() {
                        Some((_, label)) => label.push_str(&s),
                        None => c.text.push_str(&s),
                    }
                }
            }
            // `<br>` and line breaks inside a cell separate names like commas do.
            Event::InlineHtml(_) | Event::Html(_) | Event::SoftBreak | Event::HardBreak => {
                if let Some(c) = cell.as_mut() {
                    c.text.push(',');
                    c.plain.push(' ');
                }
            }
            _ => {}
        }
    }
    out
}

/// Splits an `Engineers` cell into seats: a comma list, where `@a @b` and `@a and @b` are two.
fn seats(who: &str) -> Vec<Seat> {
    let mut out = Vec::new();
    for part in who.split([',', ';']) {
        let words: Vec<&str> = part.split_whitespace().filter(|w| !(w.eq_ignore_ascii_case("and") || *w == "&" || *w == "+")).collect();
        if words.len() > 1 && words.iter().all(|w| w.starts_with('@')) {
            out.extend(words.into_iter().filter_map(seat));
        } else {
            out.extend(seat(part));
        }
    }
    out
}

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
}

/// The `Rotation` and `Engineers` columns of a header, if it has both.
fn schedule_columns(header: &[String]) -> Option<(usize, usize)> {
    Some((column(header, &["Rotation", "Rotations"])?, column(header, &["Engineers", "Engineer"])?))
}

/// Parses a handbook page. Rows that do not parse are skipped, each with a located error.
pub fn parse_handbook(file: &str, text: &str) -> Parsed<Schedule> {
    let mut findings = Vec::new();
    let mut rotations = Vec::new();
    let mut found = false;
    let mut overrides = Vec::new();
    let mut away = Vec::new();
    for table in tables(text) {
        if let Some([wc, cc, fc]) = table.overrides {
            for (line, cells) in &table.rows {
                let text = |i: usize| cells.get(i).map(|c| c.text.as_str()).unwrap_or("");
                let when = cells.get(wc).map(|c| c.plain.trim()).unwrap_or("");
                if when.is_empty() && text(cc).trim().is_empty() && text(fc).trim().is_empty() {
                    continue;
                }
                match override_from_cells(when, text(cc), text(fc), Some(*line)) {
                    Ok(o) => overrides.push(o),
                    Err(msg) => findings.push(Finding::new(Rule::Syntax, file, Some(*line), format!("{msg}; fix this row"))),
                }
            }
        }
        if let Some([Some(wc), Some(nc), yc]) = table.away {
            for (line, cells) in &table.rows {
                let text = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|c| c.text.as_str()).unwrap_or("");
                let when = cells.get(nc).map(|c| c.plain.trim()).unwrap_or("");
                if when.is_empty() && text(Some(wc)).trim().is_empty() {
                    continue;
                }
                match crate::away::parse::away_from_cells(text(Some(wc)), when, text(yc), Some(*line)) {
                    Ok(a) => away.push(a),
                    Err(msg) => findings.push(Finding::new(Rule::Syntax, file, Some(*line), format!("{msg}; fix this row"))),
                }
            }
        }
        let Some((rc, ec)) = table.columns else { continue };
        found = true;
        for (line, cells) in table.rows {
            let get = |i: usize| cells.get(i);
            let when = get(rc).map(|c| c.plain.trim()).unwrap_or("");
            let who = get(ec).map(|c| c.text.as_str()).unwrap_or("");
            if when.is_empty() && who.trim().is_empty() {
                continue;
            }
            match date_range(when) {
                Ok((start, end)) => {
                    let seats = seats(who);
                    match seat_count_error(seats.len(), 0) {
                        Some(msg) => findings.push(Finding::new(Rule::Syntax, file, Some(line), format!("{msg}; fix this row"))),
                        None => rotations.push(Rotation { start, end, seats, line: Some(line) }),
                    }
                }
                Err(msg) => findings.push(Finding::new(Rule::Syntax, file, Some(line), format!("{msg}; fix this row"))),
            }
        }
    }
    if !found {
        findings.push(Finding::new(
            Rule::Syntax,
            file,
            None,
            "has no table with a \"Rotation\" and an \"Engineers\" column; add one, like \"| Rotation | Engineers |\"",
        ));
    }
    let mut schedule = Schedule::new(file, rotations);
    schedule.overrides = overrides;
    schedule.away = away;
    Parsed { value: schedule, findings }
}
