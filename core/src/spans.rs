//! Sets of instants as sorted, disjoint spans: merged, intersected, subtracted and measured in
//! one pass each. The plan's arithmetic (a gap, who closes how much of it) is done on these, so
//! its cost grows with the number of spans, never with the minutes they hold.

use crate::roster::Shift;

/// `spans` sorted and merged: disjoint, in order, touching spans joined.
pub fn merged(mut spans: Vec<Shift>) -> Vec<Shift> {
    spans.retain(|s| s.start < s.end);
    spans.sort_unstable_by_key(|s| (s.start, s.end));
    let mut out: Vec<Shift> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// What `a` and `b` (each sorted and disjoint) have in common.
pub fn intersect(a: &[Shift], b: &[Shift]) -> Vec<Shift> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let (start, end) = (a[i].start.max(b[j].start), a[i].end.min(b[j].end));
        if start < end {
            out.push(Shift { start, end });
        }
        if a[i].end <= b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// `a` without `b` (each sorted and disjoint).
pub fn subtract(a: &[Shift], b: &[Shift]) -> Vec<Shift> {
    let mut out = Vec::with_capacity(a.len());
    let mut j = 0;
    for s in a {
        let mut start = s.start;
        while j < b.len() && b[j].end <= start {
            j += 1;
        }
        let mut k = j;
        while k < b.len() && b[k].start < s.end {
            if b[k].start > start {
                out.push(Shift { start, end: b[k].start });
            }
            start = start.max(b[k].end);
            k += 1;
        }
        if start < s.end {
            out.push(Shift { start, end: s.end });
        }
    }
    out
}

/// The minutes `spans` hold.
pub fn minutes(spans: &[Shift]) -> i64 {
    spans.iter().map(|s| (s.end - s.start).num_minutes()).sum()
}

/// The minutes `a` and `b` (each sorted and disjoint) have in common, without building them.
pub fn overlap(a: &[Shift], b: &[Shift]) -> i64 {
    let (mut i, mut j, mut total) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (start, end) = (a[i].start.max(b[j].start), a[i].end.min(b[j].end));
        if start < end {
            total += (end - start).num_minutes();
        }
        if a[i].end <= b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn s(a: i64, b: i64) -> Shift {
        let t = |h| Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(h);
        Shift { start: t(a), end: t(b) }
    }

    #[test]
    fn set_operations_on_spans() {
        assert_eq!(merged(vec![s(5, 7), s(0, 2), s(2, 3), s(6, 9), s(4, 4)]), [s(0, 3), s(5, 9)]);
        let (a, b) = ([s(0, 4), s(6, 10)], [s(2, 7), s(9, 12)]);
        assert_eq!(intersect(&a, &b), [s(2, 4), s(6, 7), s(9, 10)]);
        assert_eq!(overlap(&a, &b), 4 * 60);
        assert_eq!(subtract(&a, &b), [s(0, 2), s(7, 9)]);
        assert_eq!(subtract(&[s(0, 10)], &[s(1, 2), s(3, 4)]), [s(0, 1), s(2, 3), s(4, 10)]);
        assert_eq!(minutes(&subtract(&a, &[])), 8 * 60);
    }
}
