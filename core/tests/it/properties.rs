//! Properties over random inputs: local times are the same instant; parsers never panic.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::{Tz, TZ_VARIANTS};
use proptest::prelude::*;
use rota_core::duty::LocalTime;
use rota_core::roster::local_instant;
use rota_core::{parse_config, parse_handbook, parse_roster, parse_toml_schedule, Finding, Timing};

fn zone() -> impl Strategy<Value = Tz> {
    (0..TZ_VARIANTS.len()).prop_map(|i| TZ_VARIANTS[i])
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 1990 to 2060.
    (631_152_000i64..2_871_763_200i64).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

/// Every finding is located inside the text (or is about the whole file).
fn located(findings: &[Finding], name: &str, text: &str) {
    let lines = text.split('\n').count() as u32;
    for f in findings {
        assert_eq!(f.file, name);
        if let Some(l) = f.line {
            assert!(l >= 1 && l <= lines, "line {l} of {lines}: {f}");
        }
        assert!(!f.message.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_local_time_shown_is_the_same_instant(tz in zone(), at in instant()) {
        let local = LocalTime::new(tz, at);
        prop_assert_eq!(local.time.with_timezone(&Utc), at);
        let offset = local.utc_offset();
        prop_assert_eq!(DateTime::parse_from_rfc3339(&format!("{}{}", local.time.format("%Y-%m-%dT%H:%M:%S"), offset)).unwrap(), local.time);
    }

    #[test]
    fn a_handoff_is_at_the_local_handoff_time_unless_skipped(tz in zone(), at in instant(), minutes in 0u16..1440) {
        let day = at.with_timezone(&tz).date_naive();
        let t = Timing { timezone: tz, handoff: minutes };
        let start = t.starts_at(day);
        let local = start.with_timezone(&tz);
        let shown = rota_core::roster::minute_of_day(&local);
        // Either the wall clock reads the hand-off time, or the hand-off fell in a DST gap and
        // happens when the clock jumps (at most a few hours later on the same or next day).
        prop_assert!(shown == minutes || local.naive_local() > day.and_hms_opt((minutes / 60) as u32, (minutes % 60) as u32, 0).unwrap());
        prop_assert_eq!(local_instant(tz, day, minutes), start);
        prop_assert!(t.ends_at(day) > start);
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_text(text in "\\PC{0,400}") {
        located(&parse_handbook("x.md", &text).findings, "x.md", &text);
        located(&parse_roster("x.toml", &text).findings, "x.toml", &text);
        located(&parse_toml_schedule("x.toml", &text).findings, "x.toml", &text);
        located(&parse_config("x.toml", &text).findings, "x.toml", &text);
    }

    #[test]
    fn parsers_never_panic_on_near_miss_tables(rows in proptest::collection::vec(("[0-9-]{0,12}( to |–|→| )[0-9-]{0,12}", "(@?[a-z]{0,6}|TBD|\\[@x\\]\\(https://github.com/[a-z]{1,5}\\)|, |\\\\\\|){0,5}"), 0..20)) {
        let mut text = String::from("| Rotation | Engineers |\n|---|---|\n");
        for (a, b) in &rows {
            text.push_str(&format!("| {a} | {b} |\n"));
        }
        let parsed = parse_handbook("x.md", &text);
        located(&parsed.findings, "x.md", &text);
        // Every row is either a rotation or an error.
        let nonempty = rows.iter().filter(|(a, b)| !a.trim().is_empty() || !b.trim().is_empty()).count();
        prop_assert!(parsed.value.rotations.len() + parsed.findings.len() >= nonempty.min(1).min(rows.len()));
    }

    #[test]
    fn roster_values_never_panic(tz in "[A-Za-z/_+-]{0,20}", hours in "[0-9:\\- ]{0,14}", days in "[A-Za-z,\\- ]{0,14}") {
        let text = format!("[[person]]\nhandle = \"p\"\ntimezone = {tz:?}\nhours = {hours:?}\ndays = {days:?}\n");
        let parsed = parse_roster("p.toml", &text);
        located(&parsed.findings, "p.toml", &text);
        prop_assert_eq!(parsed.value.people.len(), 1);
    }
}
