//! Reading time away as written: the handbook page's `Who | When | Why` table and a TOML
//! schedule's `[[away]]` tables. `When` takes the Covering table's forms
//! ([`crate::overrides::parse`]), read in the person's zone.

use super::{Away, AwayWhen};
use crate::overrides::parse::{for_cell, parse_when_of, toml_end, End};
use crate::overrides::When;

/// The away columns of a header (`Who`, `When`, and `Why` if there is one), when it has no
/// `Covering` column (that is a covering table).
pub fn away_columns(header: &[String]) -> Option<[Option<usize>; 3]> {
    let col = |names: &[&str]| header.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)));
    if col(&["Covering", "Covered by", "Rotation", "Engineers"]).is_some() {
        return None;
    }
    Some([Some(col(&["Who", "Away"])?), Some(col(&["When"])?), col(&["Why", "Reason"])])
}

fn away_when(w: When) -> AwayWhen {
    match w {
        When::Days { start, end } => AwayWhen::Days { start, end },
        When::Local { start, end } => AwayWhen::Local { start, end },
    }
}

/// Builds an away period from its cells, or says what is wrong.
pub fn away_from_cells(who: &str, when: &str, why: &str, line: Option<u32>) -> Result<Away, String> {
    let who = for_cell(who).ok_or("the away row names nobody; write who is away in the Who column")?;
    let when = away_when(parse_when_of(when, "away")?);
    Ok(Away { who, when, why: why.trim().to_owned(), file: None, line })
}

/// `[[away]]` in a TOML schedule, as written.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwayEntry {
    who: String,
    start: toml::Value,
    end: toml::Value,
    #[serde(default)]
    why: String,
}

/// Builds an away period from an `[[away]]` table at `line`, or says what is wrong.
pub fn toml_away(e: AwayEntry, line: u32) -> Result<Away, String> {
    let bad = |v: &toml::Value| {
        format!("the away \"{v}\" is not a date (YYYY-MM-DD) or a local time (YYYY-MM-DD HH:MM) in the person's zone; fix start or end")
    };
    let start = toml_end(&e.start).ok_or_else(|| bad(&e.start))?;
    let end = toml_end(&e.end).ok_or_else(|| bad(&e.end))?;
    let when = match (start, end) {
        (End::Day(start), End::Day(end)) => AwayWhen::Days { start, end },
        (End::At(start), End::At(end)) => AwayWhen::Local { start, end },
        _ => return Err("the away's start and end must both be dates or both be local times; write them alike".into()),
    };
    let who = for_cell(&e.who).ok_or("the away names nobody; set who")?;
    Ok(Away { who, when, why: e.why.trim().to_owned(), file: None, line: Some(line) })
}
