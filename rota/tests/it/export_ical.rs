//! `rota export ical`, run as the real binary and read back by an independent
//! iCalendar parser (Debian's python3-icalendar), every event's instants compared with the core's
//! answer across both DST changes; and covering in `rota now --json`.

use crate::support;

use chrono::{DateTime, Utc};
use rota_core::{parse_handbook, Timing};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};
use support::{stderr, text};

/// A Berlin schedule (hand-off 09:00) whose first rotation ends and whose override runs across
/// the March DST change, and whose third rotation crosses the October one.
const PAGE: &str = "# Rotation

| Rotation | Engineers | Notes |
| --- | --- | --- |
| 2026-03-02 to 2026-03-29 | [@ada-k](https://github.com/ada-k), @cy | first; with a comma |
| 2026-03-30 to 2026-04-26 | @ada-k, TBD | |
| 2026-10-05 to 2026-11-01 | @cy, @bishal | |

## Covering

| When | Covering | For | Why |
| --- | --- | --- | --- |
| 2026-03-28 to 2026-03-29 | @bishal | @ada-k | a long weekend away, with a reason long enough to fold the line |
";

struct Home(support::Home);

impl Home {
    fn new() -> Self {
        let home = support::Home::new();
        home.write("rota.md", PAGE);
        home.write(
            "config.toml",
            "me = \"bishal\"\n\n[schedule]\nsource = \"rota.md\"\ntimezone = \"Europe/Berlin\"\nhandoff = \"09:00\"\nteam_size = 2\n",
        );
        Home(home)
    }

    /// `rota --config config.toml ARGS` at `now`.
    fn rota(&self, args: &[&str], now: &str) -> Output {
        let config = self.0.path().join("config.toml");
        let mut all = vec!["--config", config.to_str().unwrap()];
        all.extend_from_slice(args);
        self.0.at(now, &all)
    }

    /// `rota export ical ARGS` into a file, checked as raw RFC 5545 text, then read back with
    /// python3-icalendar.
    fn export(&self, args: &[&str], now: &str) -> Vec<Event> {
        let file = self.0.path().join("out.ics");
        let mut all = vec!["export", "ical", "--output", file.to_str().unwrap()];
        all.extend_from_slice(args);
        let out = self.rota(&all, now);
        assert!(out.status.success(), "exit {:?}: {}", out.status.code(), stderr(&out));
        let raw = std::fs::read(&file).expect("the file is written");
        raw_rules(&raw);
        parse_with_icalendar(&file)
    }
}

/// RFC 5545's framing: CRLF everywhere, no line longer than 75 octets, valid UTF-8.
fn raw_rules(raw: &[u8]) {
    let text = std::str::from_utf8(raw).expect("UTF-8");
    assert!(text.ends_with("\r\n"));
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        assert!(!line.contains('\n'), "a bare LF: {line:?}");
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Event {
    uid: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    summary: String,
    description: String,
    transp: String,
    dtstamp: DateTime<Utc>,
}

const DUMP: &str = r#"
import icalendar, json, sys
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
out = []
for e in cal.walk('VEVENT'):
    iso = lambda k: e.decoded(k).isoformat()
    out.append({'uid': str(e['UID']), 'start': iso('DTSTART'), 'end': iso('DTEND'), 'summary': str(e['SUMMARY']),
                'description': str(e['DESCRIPTION']), 'transp': str(e['TRANSP']), 'dtstamp': iso('DTSTAMP')})
print(json.dumps(out))
"#;

fn parse_with_icalendar(file: &Path) -> Vec<Event> {
    let out = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(DUMP)
        .arg(file)
        .output()
        .expect("/usr/bin/python3 runs (the Debian one, where scripts/deps installs python3-icalendar)");
    assert!(out.status.success(), "python3-icalendar failed: {}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let t = |e: &Value, k: &str| DateTime::parse_from_rfc3339(e[k].as_str().unwrap()).expect(k).with_timezone(&Utc);
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| Event {
            uid: e["uid"].as_str().unwrap().to_owned(),
            start: t(e, "start"),
            end: t(e, "end"),
            summary: e["summary"].as_str().unwrap().to_owned(),
            description: e["description"].as_str().unwrap().to_owned(),
            transp: e["transp"].as_str().unwrap().to_owned(),
            dtstamp: t(e, "dtstamp"),
        })
        .collect()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn core() -> (rota_core::Schedule, Timing) {
    let p = parse_handbook("rota.md", PAGE);
    assert!(p.findings.is_empty(), "{:?}", p.findings);
    (p.value, Timing { timezone: chrono_tz::Europe::Berlin, handoff: 9 * 60 })
}

#[test]
fn issue_14_every_rotation_is_an_event_at_the_instants_the_core_gives() {
    let home = Home::new();
    let events = home.export(&[], "2026-01-10T08:00:00Z");
    let (schedule, timing) = core();
    let spans: Vec<_> = events.iter().map(|e| (e.start, e.end)).collect();
    let expected: Vec<_> = schedule.rotations.iter().map(|r| (timing.starts_at(r.start), timing.ends_at(r.end))).collect();
    assert_eq!(spans, expected);
    // And the instants themselves, across both changes: 09:00 CET is 08:00Z, 09:00 CEST 07:00Z.
    assert_eq!(spans[0], (at("2026-03-02T08:00:00Z"), at("2026-03-30T07:00:00Z")));
    assert_eq!(spans[2], (at("2026-10-05T07:00:00Z"), at("2026-11-02T08:00:00Z")));
    let summaries: Vec<_> = events.iter().map(|e| e.summary.as_str()).collect();
    assert_eq!(summaries, ["Rotation: ada-k, cy", "Rotation: ada-k + 1 open seat", "Rotation: cy, bishal"]);
    assert!(events[0].description.contains("bishal covering for ada-k, 2026-03-28 to 2026-03-29"), "{}", events[0].description);
    assert!(events.iter().all(|e| e.transp == "TRANSPARENT" && e.dtstamp == at("2026-01-10T08:00:00Z")));
    // The whole schedule, past and coming: no horizon.
    let later = home.export(&[], "2027-06-01T00:00:00Z");
    assert_eq!(later.len(), 3);
    // Stable UIDs: the same rotation keeps its UID in a later export; only DTSTAMP moves.
    let uids = |v: &[Event]| v.iter().map(|e| e.uid.clone()).collect::<Vec<_>>();
    assert_eq!(uids(&later), uids(&events));
    assert_eq!(uids(&events)[0], "rotation-2026-03-02@rota");
    assert!(later.iter().all(|e| e.dtstamp == at("2027-06-01T00:00:00Z")));
}

#[test]
fn issue_14_a_persons_stretches_leave_out_the_covered_days() {
    let home = Home::new();
    let (schedule, timing) = core();
    let ada = home.export(&["--person", "ADA-K"], "2026-01-10T08:00:00Z");
    let spans: Vec<_> = ada.iter().map(|e| (e.start, e.end)).collect();
    let expected: Vec<_> = schedule.stretches_of(&timing, "ada-k").iter().map(|s| (s.start, s.end)).collect();
    assert_eq!(spans, expected);
    // Covered from Sat 28 Mar 09:00 CET (08:00Z) to Mon 30 Mar 09:00 CEST (07:00Z).
    assert_eq!(spans, [(at("2026-03-02T08:00:00Z"), at("2026-03-28T08:00:00Z")), (at("2026-03-30T07:00:00Z"), at("2026-04-27T07:00:00Z"))]);

    // --me is bishal (config): the covering, then his own rotation.
    let me = home.export(&["--me"], "2026-01-10T08:00:00Z");
    let spans: Vec<_> = me.iter().map(|e| (e.start, e.end)).collect();
    assert_eq!(spans, [(at("2026-03-28T08:00:00Z"), at("2026-03-30T07:00:00Z")), (at("2026-10-05T07:00:00Z"), at("2026-11-02T08:00:00Z"))]);
    assert_eq!(me[0].summary, "bishal covering for ada-k (with cy)");
    assert_ne!(me[0].uid, me[1].uid);
    assert_eq!(
        home.export(&["--me"], "2026-05-01T00:00:00Z").iter().map(|e| e.uid.clone()).collect::<Vec<_>>(),
        me.iter().map(|e| e.uid.clone()).collect::<Vec<_>>()
    );

    // --from / --to keep the events that overlap those days (schedule zone).
    let spring = home.export(&["--from", "2026-03-29", "--to", "2026-04-30"], "2026-01-10T08:00:00Z");
    assert_eq!(spring.iter().map(|e| e.uid.as_str()).collect::<Vec<_>>(), ["rotation-2026-03-02@rota", "rotation-2026-03-30@rota"]);
}

#[test]
fn issue_14_an_unknown_person_is_refused_with_the_closest_names() {
    let home = Home::new();
    let out = home.rota(&["export", "ical", "--person", "adak"], "2026-01-10T08:00:00Z");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("\"adak\" is not in the schedule or the roster; did you mean ada-k"), "{err}");
    let out = home.rota(&["export", "ical", "--from", "March"], "2026-01-10T08:00:00Z");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--from: \"March\" is not a date; write YYYY-MM-DD"));
}

#[test]
fn issue_14_now_json_names_whom_each_engineer_covers_for() {
    let home = Home::new();
    let out = home.rota(&["now", "--json"], "2026-03-28T12:00:00Z");
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let on: Vec<(&str, &Value)> =
        v["on_duty"].as_array().unwrap().iter().map(|e| (e["handle"].as_str().unwrap(), &e["covering_for"])).collect();
    assert_eq!(on, [("bishal", &Value::from("ada-k")), ("cy", &Value::Null)]);
    assert_eq!(v["me_on_duty"], true);
    let out = home.rota(&["now", "--json"], "2026-03-30T07:00:00Z");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["on_duty"][0]["handle"], "ada-k");
    assert!(v["on_duty"][0]["covering_for"].is_null());
}

#[test]
fn issue_14_check_names_the_override_rows_by_file_and_line() {
    let home = Home::new();
    // Line 14: zed is not on the rotation then; line 15: outside every rotation.
    let page = format!("{PAGE}| 2026-03-10 to 2026-03-11 | @bishal | @zed | |\n| 2027-01-10 to 2027-01-11 | @bishal | | |\n");
    home.0.write("rota.md", &page);
    let out = home.rota(&["check", "--json"], "2026-01-10T08:00:00Z");
    assert_eq!(out.status.code(), Some(1), "an error finding fails check");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(u64, &str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["line"].as_u64().is_some_and(|l| l >= 14))
        .map(|f| (f["line"].as_u64().unwrap(), f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [(14, "covered-not-on-rotation", "error"), (15, "override-outside-rotation", "warning")], "{v:#}");
    let out = home.rota(&["check"], "2026-01-10T08:00:00Z");
    let all = text(&out);
    assert!(all.contains("rota.md:14"), "{all}");
}
