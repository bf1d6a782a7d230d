//! Days as a schedule writes them: `YYYY-MM-DD`, and a rotation's `A to B`. Beneath both the
//! schedule and its overrides, which read them alike.

use chrono::{Datelike, NaiveDate};

/// The years a schedule's dates may fall in. Outside them a date is a typo (or an attack on the
/// date arithmetic: chrono's range ends near year 262143), never a rotation.
pub const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

/// Reads the `Rotation` cell: two ISO dates separated by `to`, an en or em dash, an arrow, or a
/// hyphen.
pub fn date_range(text: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let t = text.trim();
    let bad = || format!("the rotation \"{t}\" is not \"YYYY-MM-DD to YYYY-MM-DD\"");
    let seps = [" to ", "–", "—", "→", "->", "..", " - ", " until ", " through "];
    let (a, b) = seps
        .iter()
        .filter_map(|sep| split_once_short(t, sep))
        .next()
        .or_else(|| {
            // "2022-08-10-2022-09-06": a bare hyphen between two dates.
            (t.len() == 21 && t.as_bytes().get(10) == Some(&b'-')).then(|| (&t[..10], &t[11..]))
        })
        .ok_or_else(bad)?;
    let date = |s: &str| {
        let s = s.trim();
        iso_date(s).ok_or_else(|| format!("\"{s}\" in the rotation \"{t}\" is not a date from year 1000 to 9999; write YYYY-MM-DD"))
    };
    Ok((date(a)?, date(b)?))
}

/// `text.split_once(sep)` for a short text: the same split, without building the searcher that
/// pays off only on long ones (a page of 10,000 rows splits 40,000 cells).
pub(crate) fn split_once_short<'a>(text: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    if sep.is_empty() {
        return Some(("", text));
    }
    let (b, s) = (text.as_bytes(), sep.as_bytes());
    let at = (0..=b.len().checked_sub(s.len())?).find(|&i| b[i] == s[0] && &b[i..i + s.len()] == s)?;
    Some((&text[..at], &text[at + sep.len()..]))
}

/// Reads exactly `YYYY-MM-DD`.
pub fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + (c - b'0') as u32))
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?).filter(|d| YEARS.contains(&d.year()))
}
