//! Reading overrides as written: the handbook page's `When`/`Covering`/`For` cells and a TOML
//! schedule's `[[override]]` tables, each into an [`Override`] or a sentence saying what is wrong.

use super::{Override, When};
use crate::dates::{date_range, iso_date};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// The override columns of a header (`When`, `Covering`, `For`), if it has all three.
pub fn override_columns(header: &[String]) -> Option<[usize; 3]> {
    let col = |names: &[&str]| header.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)));
    Some([col(&["When"])?, col(&["Covering", "Covered by"])?, col(&["For"])?])
}

/// A `Covering` cell: a handle, or `None` for empty or `nobody`.
pub fn covering_cell(text: &str) -> Option<String> {
    let t = person_text(text);
    (!t.is_empty() && !t.eq_ignore_ascii_case("nobody") && !t.eq_ignore_ascii_case("no one") && !is_dash(&t)).then_some(t)
}

/// A `For` cell: a handle, or `None` for empty or a dash.
pub fn for_cell(text: &str) -> Option<String> {
    let t = person_text(text);
    (!t.is_empty() && !is_dash(&t)).then_some(t)
}

fn is_dash(t: &str) -> bool {
    matches!(t, "—" | "–" | "-" | "--")
}

fn person_text(text: &str) -> String {
    let t = text.trim().trim_matches(|c: char| c == '*' || c == '_' || c == '`' || c == ',').trim();
    t.trim_start_matches('@').trim().to_owned()
}

/// Reads a `When` cell: `YYYY-MM-DD to YYYY-MM-DD` (whole days) or `YYYY-MM-DD HH:MM to
/// YYYY-MM-DD HH:MM` (local instants in the schedule's zone).
pub fn parse_when(text: &str) -> Result<When, String> {
    parse_when_of(text, "override")
}

/// [`parse_when`] for a table whose errors name its rows `what` ("away").
pub fn parse_when_of(text: &str, what: &str) -> Result<When, String> {
    let t = text.trim();
    let has_time = t.contains(':');
    if !has_time {
        return date_range(t).map(|(start, end)| When::Days { start, end }).map_err(|_| {
            format!("the {what} time \"{t}\" is not \"YYYY-MM-DD to YYYY-MM-DD\" or \"YYYY-MM-DD HH:MM to YYYY-MM-DD HH:MM\"")
        });
    }
    let bad = || format!("the {what} time \"{t}\" is not \"YYYY-MM-DD HH:MM to YYYY-MM-DD HH:MM\"");
    let seps = [" to ", "–", "—", "→", "->", " until "];
    let (a, b) = seps.iter().find_map(|sep| t.split_once(sep)).ok_or_else(bad)?;
    let instant = |s: &str| local_datetime(s.trim()).ok_or_else(bad);
    Ok(When::Local { start: instant(a)?, end: instant(b)? })
}

/// Reads `YYYY-MM-DD HH:MM` (or with a `T`).
pub fn local_datetime(s: &str) -> Option<NaiveDateTime> {
    let (d, t) = s.split_once([' ', 'T'])?;
    let date = iso_date(d.trim())?;
    let t = t.trim();
    let (h, m) = t.split_once(':')?;
    let m = m.strip_suffix(":00").unwrap_or(m);
    let num = |x: &str| (x.len() == 2 && x.bytes().all(|c| c.is_ascii_digit())).then(|| x.parse::<u32>().ok()).flatten();
    let time = NaiveTime::from_hms_opt(num(h)?, num(m)?, 0)?;
    Some(date.and_time(time))
}

/// Builds an override from its three cells, or says what is wrong.
pub fn override_from_cells(when: &str, covering: &str, covered: &str, line: Option<u32>) -> Result<Override, String> {
    let when = parse_when(when)?;
    let (covering, covered) = (covering_cell(covering), for_cell(covered));
    if covering.is_none() && covered.is_none() {
        return Err("the override names nobody; write who is covering, for whom, or both".into());
    }
    Ok(Override { when, covering, covered, line })
}

/// `[[override]]` in a TOML schedule, as written.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideEntry {
    start: toml::Value,
    end: toml::Value,
    #[serde(default)]
    covering: Option<String>,
    #[serde(default, rename = "for")]
    covered: Option<String>,
}

/// One end of a TOML override: a date (whole days) or a local date and time.
pub(crate) enum End {
    Day(NaiveDate),
    At(NaiveDateTime),
}

pub(crate) fn toml_end(v: &toml::Value) -> Option<End> {
    let s = match v {
        toml::Value::String(s) => s.trim().to_owned(),
        toml::Value::Datetime(d) if d.offset.is_none() => d.to_string(),
        _ => return None,
    };
    match iso_date(&s) {
        Some(d) => Some(End::Day(d)),
        None => local_datetime(&s).map(End::At),
    }
}

/// Builds an override from a `[[override]]` table at `line`, or says what is wrong.
pub fn toml_override(e: OverrideEntry, line: u32) -> Result<Override, String> {
    let bad = |v: &toml::Value| {
        format!(
            "the override's \"{v}\" is not a date (YYYY-MM-DD) or a local time (YYYY-MM-DD HH:MM) in the schedule's zone; fix start or end"
        )
    };
    let start = toml_end(&e.start).ok_or_else(|| bad(&e.start))?;
    let end = toml_end(&e.end).ok_or_else(|| bad(&e.end))?;
    let when = match (start, end) {
        (End::Day(start), End::Day(end)) => When::Days { start, end },
        (End::At(start), End::At(end)) => When::Local { start, end },
        _ => return Err("the override's start and end must both be dates or both be local times; write them alike".into()),
    };
    let covering = e.covering.as_deref().and_then(covering_cell);
    let covered = e.covered.as_deref().and_then(for_cell);
    if covering.is_none() && covered.is_none() {
        return Err("the override names nobody; set covering, for, or both".into());
    }
    Ok(Override { when, covering, covered, line: Some(line) })
}
