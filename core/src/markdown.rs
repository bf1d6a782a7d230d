//! The handbook page: a Markdown table with a `Rotation` and an `Engineers` column.
//!
//! Read with a real CommonMark + GFM-tables parser, so escaped pipes, inline code, links and
//! other tables on the page behave as they do on GitHub. Any table whose header has both columns
//! (in any order, among others) is a schedule table; one with `When`, `Covering` and `For` columns
//! is a covering table ([`crate::overrides`]); one with `Who` and `When` is an away table
//! ([`crate::away`]); other tables are ignored.

use crate::away::Away;
use crate::dates::split_once_short;
use crate::finding::{Finding, Lines, Parsed, Rule};
use crate::overrides::parse::{override_columns, override_from_cells};
use crate::overrides::Override;
use crate::schedule::{date_range, seat, seat_count_error, Rotation, Schedule, Seat};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// One table cell: its items, where a link has become the handle from its URL. A row's cells are
/// kept from row to row and cleared, so a page of many rows allocates for its cells once.
#[derive(Default)]
struct Cell {
    /// The cell's text with each link replaced by `@handle` from the link's URL.
    text: String,
    /// The plain text only, for the `Rotation` column.
    plain: String,
    /// A cell of a column nobody reads.
    skip: bool,
}

/// What a table is, known when its header ends.
#[derive(Default)]
struct Table {
    /// The `Rotation` and `Engineers` columns.
    columns: Option<(usize, usize)>,
    /// The `When`, `Covering` and `For` columns of a covering table.
    overrides: Option<[usize; 3]>,
    /// The `Who`, `When` and `Why` columns of an away table.
    away: Option<[Option<usize>; 3]>,
    /// The findings of its schedule rows, said after those of its covering rows, as they
    /// always were (a table may be both).
    findings: Vec<Finding>,
}

impl Table {
    fn reads(&self, col: usize) -> bool {
        self.columns.is_some_and(|(a, b)| col == a || col == b)
            || self.overrides.is_some_and(|o| o.contains(&col))
            || self.away.is_some_and(|a| a.contains(&Some(col)))
    }
}

/// The handle a profile link points at: the last path segment of its URL
/// (`https://github.com/keegancsmith` → `keegancsmith`).
fn handle_from_url(url: &str) -> Option<&str> {
    let rest = split_once_short(url, "://").map(|(_, r)| r).unwrap_or(url);
    let path = rest.split(['?', '#']).next().unwrap_or("");
    let path = path.split_once('/').map(|(_, p)| p).unwrap_or("");
    let last = path.split('/').rfind(|s| !s.is_empty())?;
    let last = last.trim_start_matches('@');
    (!last.is_empty() && last.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))).then_some(last)
}

/// What the page holds, gathered row by row as the parser reads it.
#[derive(Default)]
struct Page {
    findings: Vec<Finding>,
    rotations: Vec<Rotation>,
    overrides: Vec<Override>,
    away: Vec<Away>,
    /// Whether a schedule table was found (even one with no rows).
    found: bool,
}

impl Page {
    /// One row of `table`, its cells as read, taken as each kind of row the table is.
    fn row(&mut self, file: &str, table: &mut Table, line: u32, cells: &[Cell]) {
        let syntax = |msg: String| Finding::new(Rule::Syntax, file, Some(line), format!("{msg}; fix this row"));
        if let Some([wc, cc, fc]) = table.overrides {
            let text = |i: usize| cells.get(i).map(|c| c.text.as_str()).unwrap_or("");
            let when = cells.get(wc).map(|c| c.plain.trim()).unwrap_or("");
            if !(when.is_empty() && text(cc).trim().is_empty() && text(fc).trim().is_empty()) {
                match override_from_cells(when, text(cc), text(fc), Some(line)) {
                    Ok(o) => self.overrides.push(o),
                    Err(msg) => self.findings.push(syntax(msg)),
                }
            }
        }
        if let Some([Some(wc), Some(nc), yc]) = table.away {
            let text = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|c| c.text.as_str()).unwrap_or("");
            let when = cells.get(nc).map(|c| c.plain.trim()).unwrap_or("");
            if !(when.is_empty() && text(Some(wc)).trim().is_empty()) {
                match crate::away::parse::away_from_cells(text(Some(wc)), when, text(yc), Some(line)) {
                    Ok(a) => self.away.push(a),
                    Err(msg) => self.findings.push(syntax(msg)),
                }
            }
        }
        let Some((rc, ec)) = table.columns else { return };
        let when = cells.get(rc).map(|c| c.plain.trim()).unwrap_or("");
        let who = cells.get(ec).map(|c| c.text.as_str()).unwrap_or("");
        if when.is_empty() && who.trim().is_empty() {
            return;
        }
        match date_range(when) {
            Ok((start, end)) => {
                let seats = seats(who);
                match seat_count_error(seats.len(), 0) {
                    Some(msg) => table.findings.push(syntax(msg)),
                    None => self.rotations.push(Rotation { start, end, seats, line: Some(line) }),
                }
            }
            Err(msg) => table.findings.push(syntax(msg)),
        }
    }
}

/// Reads every table of the page as the parser meets it, row by row.
fn read_tables(file: &str, text: &str) -> Page {
    let lines = Lines::new(text);
    let mut page = Page::default();
    let mut table: Option<Table> = None;
    // The row being read: its line, its cells (the first `len` of `cells`), and whether it is the
    // header.
    let (mut line, mut cells, mut len, mut in_head) = (0, Vec::<Cell>::new(), 0, false);
    // The cell being read, if any: its index in `cells`.
    let mut cell: Option<usize> = None;
    // Inside a link: its URL and the link text seen so far (kept from link to link).
    let mut link: Option<CowStr> = None;
    let mut label = String::new();
    for (event, range) in Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Table(_)) => table = Some(Table::default()),
            Event::End(TagEnd::Table) => {
                if let Some(t) = table.take() {
                    page.findings.extend(t.findings);
                }
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                in_head = matches!(event, Event::Start(Tag::TableHead));
                (line, len) = (lines.line_of(range.start), 0);
            }
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                if let Some(t) = table.as_mut() {
                    if in_head {
                        let header: Vec<String> = cells[..len].iter().map(|c| c.plain.trim().to_owned()).collect();
                        t.columns = schedule_columns(&header);
                        t.overrides = override_columns(&header);
                        t.away = crate::away::parse::away_columns(&header);
                        page.found |= t.columns.is_some();
                    } else {
                        page.row(file, t, line, &cells[..len]);
                    }
                }
                in_head = false;
            }
            Event::Start(Tag::TableCell) => {
                // Only the header and the columns read are kept; other cells are skipped.
                let wanted = in_head || table.as_ref().is_some_and(|t| t.reads(len));
                if cells.len() == len {
                    cells.push(Cell::default());
                }
                let c = &mut cells[len];
                c.text.clear();
                c.plain.clear();
                c.skip = !wanted;
                cell = Some(len);
            }
            Event::End(TagEnd::TableCell) if cell.take().is_some() => len += 1,
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some(dest_url);
                label.clear();
            }
            Event::End(TagEnd::Link) => {
                if let (Some(url), Some(c)) = (link.take(), cell.map(|i| &mut cells[i])) {
                    c.text.push('@');
                    c.text.push_str(handle_from_url(&url).unwrap_or_else(|| label.trim().trim_start_matches('@')));
                }
            }
            Event::Text(s) | Event::Code(s) => {
                if let Some(c) = cell.map(|i| &mut cells[i]).filter(|c| !c.skip) {
                    c.plain.push_str(&s);
                    match link {
                        Some(_) => label.push_str(&s),
                        None => c.text.push_str(&s),
                    }
                }
            }
            // `<br>` and line breaks inside a cell separate names like commas do.
            Event::InlineHtml(_) | Event::Html(_) | Event::SoftBreak | Event::HardBreak => {
                if let Some(c) = cell.map(|i| &mut cells[i]) {
                    c.text.push(',');
                    c.plain.push(' ');
                }
            }
            _ => {}
        }
    }
    page
}

/// Splits an `Engineers` cell into seats: a comma list, where `@a @b` and `@a and @b` are two.
fn seats(who: &str) -> Vec<Seat> {
    let mut out = Vec::new();
    for part in who.split([',', ';']) {
        let words = || part.split_whitespace().filter(|w| !(w.eq_ignore_ascii_case("and") || *w == "&" || *w == "+"));
        let (count, handles) = words().fold((0, true), |(n, all), w| (n + 1, all && w.starts_with('@')));
        if count > 1 && handles {
            out.extend(words().filter_map(seat));
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
    let Page { mut findings, rotations, overrides, away, found } = read_tables(file, text);
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
