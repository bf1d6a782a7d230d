//! Core benchmarks: `cargo bench -p rota-core` (not run in CI).
//!
//! - parse a 10,000-row handbook table;
//! - answer "who is on duty" over 10,000 rotations and 1,000 people;
//! - a week of coverage over the same;
//! - `rota check`'s lint of the same, with 10,000 covering rows (under a second);
//! - `rota plan`: 1,000 roster engineers ranked for a rotation's open seats (under 200 ms).

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::TZ_VARIANTS;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rota_core::{coverage, glance, lint, parse_handbook, parse_roster, Rules, Timing};
use std::fmt::Write;

const ROWS: usize = 10_000;
const PEOPLE: usize = 1_000;

fn handbook() -> String {
    let mut page = String::from("# Rotations\n\n| Rotation | Engineers | Notes |\n| --- | --- | --- |\n");
    let mut start = NaiveDate::from_ymd_opt(2000, 1, 3).unwrap();
    for i in 0..ROWS {
        let end = start + Duration::days(34);
        let who: Vec<String> = (0..3).map(|k| format!("[@eng{0}](https://github.com/eng{0})", (i * 7 + k * 331) % PEOPLE)).collect();
        let _ = writeln!(page, "| {start} to {end} | {} | row {i} |", who.join(", "));
        start = end + Duration::days(1);
    }
    page
}

/// The same page with a covering row for every rotation: someone else stands in for a day.
fn handbook_with_coverings() -> String {
    let mut page = handbook();
    page.push_str("\n## Covering\n\n| When | Covering | For |\n| --- | --- | --- |\n");
    let mut start = NaiveDate::from_ymd_opt(2000, 1, 3).unwrap();
    for i in 0..ROWS {
        let day = start + Duration::days(10);
        let _ = writeln!(page, "| {day} to {day} | @eng{} | @eng{} |", (i * 7 + 500) % PEOPLE, (i * 7) % PEOPLE);
        start += Duration::days(35);
    }
    page
}

fn roster() -> String {
    let mut s = String::new();
    for i in 0..PEOPLE {
        let tz = TZ_VARIANTS[(i * 13) % TZ_VARIANTS.len()].name();
        let _ = write!(s, "[[person]]\nhandle = \"eng{i}\"\nname = \"Engineer {i}\"\ntimezone = \"{tz}\"\nhours = \"09:00-17:00\"\ndays = \"Mon-Fri\"\n\n");
    }
    s
}

fn benches(c: &mut Criterion) {
    let page = handbook();
    c.bench_function("parse 10k-row handbook", |b| b.iter(|| parse_handbook("bench.md", black_box(&page))));

    c.bench_function("pulldown-cmark alone, same page", |b| {
        b.iter(|| pulldown_cmark::Parser::new_ext(black_box(&page), pulldown_cmark::Options::ENABLE_TABLES).into_offset_iter().count())
    });
    let schedule = parse_handbook("bench.md", &page).value;
    let people = parse_roster("people.toml", &roster()).value;
    assert_eq!((schedule.rotations.len(), people.people.len()), (ROWS, PEOPLE));
    let timing = Timing { timezone: "America/New_York".parse().unwrap(), handoff: 9 * 60 };
    let viewer = "Asia/Kathmandu".parse().unwrap();
    // Instants spread over the whole schedule, so every query searches.
    let instants: Vec<_> =
        (0..64).map(|i| Utc.with_ymd_and_hms(2000, 2, 1, 12, 0, 0).unwrap() + Duration::days(i * 15_000 / 64 * 35 / 15)).collect();
    let mut k = 0;
    c.bench_function("who is on duty (10k rotations, 1k people)", |b| {
        b.iter(|| {
            k = (k + 1) % instants.len();
            glance(&schedule, &people, &timing, viewer, Some("eng1"), black_box(instants[k]))
        })
    });
    let rules = Rules { timing, team_size: 3, viewer: chrono_tz::UTC };
    c.bench_function("lint (10k rotations, 1k people)", |b| b.iter(|| lint(black_box(&schedule), &people, &rules)));
    let covered = parse_handbook("bench.md", &handbook_with_coverings()).value;
    assert_eq!(covered.overrides.len(), ROWS);
    c.bench_function("lint (10k rotations, 10k coverings, 1k people)", |b| b.iter(|| lint(black_box(&covered), &people, &rules)));
    c.bench_function("week of coverage (10k rotations, 1k people)", |b| {
        b.iter(|| {
            k = (k + 1) % instants.len();
            coverage(&schedule, &people, &timing, viewer, black_box(instants[k]))
        })
    });
}

/// `rota plan` on the last rotation of the page, two of its seats open, over the 1,000 people.
fn plan(c: &mut Criterion) {
    let mut page = handbook();
    page.push_str("| 2999-01-06 to 2999-02-09 | [@eng1](https://github.com/eng1), TBD, TBD | open |\n");
    let schedule = parse_handbook("bench.md", &page).value;
    let people = parse_roster("people.toml", &roster()).value;
    let timing = Timing { timezone: "America/New_York".parse().unwrap(), handoff: 9 * 60 };
    let rotation = schedule.rotations.last().unwrap().clone();
    assert_eq!(rotation.open_seats(), 2);
    c.bench_function("plan a rotation's open seats (1k people)", |b| {
        b.iter(|| rota_core::plan::plan(black_box(&schedule), &people, &timing, 3, chrono_tz::UTC, &rotation))
    });
}

criterion_group!(core, benches, plan);
criterion_main!(core);
