//! Hostile and broken inputs give a located error that says what to write instead,
//! never a panic, an allocation the size of the input's numbers or work beyond the input's size.

use crate::common;
use common::at;
use rota_core::config::{self, web_url, Scheme};
use rota_core::{coverage, glance, lint, parse_config, parse_handbook, parse_roster, parse_toml_schedule, Rule, Rules, Timing};

/// What a URL reads as: its scheme and authority, or words of the error.
type Want = Result<(Scheme, String), &'static str>;

/// A config's text and each finding's line, rule and words.
type ConfigCase = (&'static str, &'static [(u32, Rule, &'static str)]);

/// `check(url, Ok((scheme, authority)) | Err(words in the message))`.
#[test]
fn urls_are_https_or_http_to_a_loopback_host_as_parsed() {
    let ok = |s: Scheme, a: &str| Want::Ok((s, a.to_owned()));
    let cases: &[(&str, Want)] = &[
        ("https://api.github.com", ok(Scheme::Https, "api.github.com")),
        ("https://GHE.example.com:8443/api/v3/", ok(Scheme::Https, "ghe.example.com:8443")),
        ("HTTPS://example.com?x=1", ok(Scheme::Https, "example.com")),
        ("http://127.0.0.1:8080/x.md", ok(Scheme::LoopbackHttp, "127.0.0.1:8080")),
        ("http://127.1.2.3/", ok(Scheme::LoopbackHttp, "127.1.2.3")),
        ("http://localhost:1", ok(Scheme::LoopbackHttp, "localhost:1")),
        ("http://[::1]:9/api", ok(Scheme::LoopbackHttp, "[::1]:9")),
        // Plain http elsewhere would send a token or a schedule in clear text.
        ("http://api.github.example", Err("clear text")),
        ("http://127.0.0.1.evil.example/", Err("clear text")),
        ("http://localhost.evil.example/", Err("clear text")),
        ("http://[::2]/", Err("clear text")),
        // The host is what is connected to, not a prefix of the text.
        ("http://127.0.0.1:1@evil.example/", Err("user name or password")),
        ("https://user:pass@example.com/", Err("user name or password")),
        ("http://evil.example\\@127.0.0.1/", Err("user name or password")),
        ("http://evil.example\\.127.0.0.1/", Err("'\\\\'")),
        ("http://%31%32%37.0.0.1/", Err("'%'")),
        ("http://127.0.0.1 /", Err("' '")),
        ("mailto:x", Err("not an https URL")),
        ("ftp://example.com/", Err("not an https URL")),
        ("https://", Err("no usable host")),
        ("https://:443/", Err("no usable host")),
        ("https://a..b/", Err("no usable host")),
        ("https://[zz]/", Err("no usable host")),
        ("https://[::1/", Err("unclosed")),
        ("https://example.com:0/", Err("port")),
        ("https://example.com:99999/", Err("port")),
        ("https://example.com:+1/", Err("'+'")),
    ];
    for (url, want) in cases {
        let got = web_url(url);
        match (want, &got) {
            (Ok((scheme, authority)), Ok(u)) => {
                assert_eq!((&u.scheme, &u.authority()), (scheme, authority), "{url}");
            }
            (Err(words), Err(msg)) => {
                assert!(msg.contains(words), "{url}: {msg:?} should say {words:?}")
            }
            _ => panic!("{url}: got {got:?}, want {want:?}"),
        }
    }
}

/// `check(config, [(line, rule, words in the message)])`: every value's rule, located.
#[test]
fn config_values_out_of_range_or_form_are_located_errors() {
    let cases: &[ConfigCase] = &[
        ("[escalations]\npoll_seconds = 9223372036854775807\n", &[(2, Rule::Syntax, "poll every 15 to 86400 seconds")]),
        ("[escalations]\npoll_seconds = 0\n", &[(2, Rule::Syntax, "poll_seconds = 0")]),
        ("[escalations]\npoll_seconds = 14\n", &[(2, Rule::Syntax, "poll_seconds = 14")]),
        ("[escalations]\npoll_seconds = 15\n", &[]),
        ("[schedule]\nteam_size = 0\n", &[(2, Rule::Syntax, "1 to 100 seats")]),
        ("[schedule]\nteam_size = 101\n", &[(2, Rule::Syntax, "team_size = 101")]),
        ("[schedule]\nteam_size = 100000000000\n", &[(2, Rule::Syntax, "team_size = 100000000000")]),
        (
            "[escalations]\ngithub = { api = \"http://api.github.example\" }\n",
            &[(2, Rule::Syntax, "github.api: \"http://api.github.example\" is plain http")],
        ),
        ("[escalations]\ngithub = { api = \"mailto:x\" }\n", &[(2, Rule::Syntax, "not an https URL")]),
        (
            "[escalations]\n\n[escalations.github]\napi = \"http://127.0.0.1:1@evil.example/\"\n",
            &[(4, Rule::Syntax, "user name or password")],
        ),
        ("[escalations]\ngithub = { repo = \"acme\" }\n", &[(2, Rule::Syntax, "owner/name")]),
        ("[escalations]\ngithub = { label = \" \" }\n", &[(2, Rule::Syntax, "github.label is empty")]),
        (
            "[schedule]\nsource = \"http://wiki.example/rota.md\"\n",
            &[(2, Rule::Syntax, "schedule.source: \"http://wiki.example/rota.md\" is plain http")],
        ),
        ("[schedule]\nsource = \"builtin:nope\"\n", &[(2, Rule::Syntax, "no built-in source")]),
        ("[roster]\nsource = \"http://127.0.0.1:1@evil.example/people.toml\"\n", &[(2, Rule::Syntax, "roster.source")]),
        ("[roster]\nsource = \"https://wiki.example/people.toml\"\n", &[]),
        ("[schedule]\nhandoff = \"25:00\"\n", &[(2, Rule::MalformedHours, "write HH:MM")]),
    ];
    for (text, want) in cases {
        let parsed = parse_config("config.toml", text);
        let got: Vec<(Option<u32>, Rule)> = parsed.findings.iter().map(|f| (f.line, f.rule)).collect();
        let expected: Vec<(Option<u32>, Rule)> = want.iter().map(|(l, r, _)| (Some(*l), *r)).collect();
        assert_eq!(got, expected, "{text}\n{:?}", parsed.findings);
        for (f, (_, _, words)) in parsed.findings.iter().zip(want.iter()) {
            assert!(f.message.contains(words), "{text}: {:?} should say {words:?}", f.message);
            assert_eq!(f.file, "config.toml");
        }
        // A bad value keeps its default.
        if !want.is_empty() {
            let d = rota_core::Config::default();
            let v = &parsed.value;
            assert_eq!((v.escalations.poll_seconds, v.schedule.team_size), (d.escalations.poll_seconds, d.schedule.team_size), "{text}");
            assert_eq!((&v.escalations.github.api, &v.schedule.source), (&d.escalations.github.api, &d.schedule.source), "{text}");
        }
    }
}

#[test]
fn the_rules_the_form_calls_are_the_rules_the_file_is_read_with() {
    assert_eq!(config::poll_seconds(60), Ok(60));
    assert!(config::poll_seconds(u64::MAX).is_err());
    assert_eq!(config::team_size(100), Ok(100));
    assert!(config::team_size(101).is_err());
    assert_eq!(config::github_repo(" acme/esc "), Ok("acme/esc".into()));
    assert!(config::github_repo("acme/esc/x").is_err());
    assert_eq!(config::source("builtin:demo"), Ok(config::SourceSpec::Demo));
    assert_eq!(config::source("~/rota.md"), Ok(config::SourceSpec::Path("~/rota.md".into())));
    assert!(config::source("http://evil.example/x").is_err());
}

/// `check(toml schedule, [(line, words)])`: the issue's `end = "+262142-12-31"` and its kin.
#[test]
fn schedule_dates_outside_the_years_1000_to_9999_are_errors() {
    let cases: &[(&str, &[(u32, &str)])] = &[
        ("[[rotation]]\nstart = 2022-01-01\nend = \"+262142-12-31\"\nengineers = [\"a\"]\n", &[(3, "from year 1000 to 9999")]),
        ("[[rotation]]\nstart = \"-262143-01-01\"\nend = 2022-01-01\n", &[(2, "from year 1000 to 9999")]),
        ("[[rotation]]\nstart = 0999-12-31\nend = 2022-01-01\n", &[(2, "0999-12-31")]),
        ("[[rotation]]\nstart = 9999-12-01\nend = \"10000-01-01\"\n", &[(3, "10000-01-01")]),
        ("[[rotation]]\nstart = 1000-01-01\nend = 9999-12-31\n", &[]),
    ];
    for (text, want) in cases {
        let parsed = parse_toml_schedule("rota.toml", text);
        let got: Vec<(Option<u32>, Rule)> = parsed.findings.iter().map(|f| (f.line, f.rule)).collect();
        let expected: Vec<(Option<u32>, Rule)> = want.iter().map(|(l, _)| (Some(*l), Rule::Syntax)).collect();
        assert_eq!(got, expected, "{text}");
        for (f, (_, words)) in parsed.findings.iter().zip(want.iter()) {
            assert!(f.message.contains(words) && f.message.contains("write YYYY-MM-DD"), "{:?}", f.message);
        }
    }
    let page = "| Rotation | Engineers |\n| --- | --- |\n| 0999-01-01 to 2022-01-01 | @a |\n| 2022-01-01 to 9999-12-31 | @b |\n";
    let parsed = parse_handbook("page.md", page);
    assert_eq!(parsed.findings.iter().map(|f| f.line).collect::<Vec<_>>(), [Some(3)]);
    assert!(parsed.findings[0].message.contains("from year 1000 to 9999"), "{}", parsed.findings[0].message);
    assert_eq!(parsed.value.rotations.len(), 1);
}

/// The issue's `open_seats = 100000000000` (a 2.4 TB allocation) and a cell of 101 names.
#[test]
fn a_rotation_of_more_than_100_seats_is_an_error() {
    let cases: &[(String, usize, &[u32])] = &[
        ("[[rotation]]\nstart = 2022-01-01\nend = 2022-02-01\nopen_seats = 100000000000\n".into(), 0, &[1]),
        ("[[rotation]]\nstart = 2022-01-01\nend = 2022-02-01\nopen_seats = 18446744073709551615\n".into(), 0, &[1]),
        ("[[rotation]]\nstart = 2022-01-01\nend = 2022-02-01\nengineers = [\"a\"]\nopen_seats = 100\n".into(), 0, &[1]),
        ("[[rotation]]\nstart = 2022-01-01\nend = 2022-02-01\nengineers = [\"a\"]\nopen_seats = 99\n".into(), 1, &[]),
        (format!("[[rotation]]\nstart = 2022-01-01\nend = 2022-02-01\nengineers = [{}]\n", vec!["\"x\""; 101].join(",")), 0, &[1]),
    ];
    for (text, rotations, lines) in cases {
        let parsed = parse_toml_schedule("rota.toml", text);
        let got: Vec<Option<u32>> = parsed.findings.iter().map(|f| f.line).collect();
        assert_eq!(got, lines.iter().map(|l| Some(*l)).collect::<Vec<_>>(), "{text}: {:?}", parsed.findings);
        assert!(parsed.findings.iter().all(|f| f.message.contains("more than 100")), "{:?}", parsed.findings);
        assert_eq!(parsed.value.rotations.len(), *rotations, "{text}");
    }
    let names: Vec<String> = (0..101).map(|i| format!("@e{i}")).collect();
    let page = format!("| Rotation | Engineers |\n| --- | --- |\n| 2022-01-01 to 2022-02-01 | {} |\n", names.join(", "));
    let parsed = parse_handbook("page.md", &page);
    assert_eq!(parsed.findings.iter().map(|f| f.line).collect::<Vec<_>>(), [Some(3)], "{:?}", parsed.findings);
    assert!(parsed.findings[0].message.contains("101 seats"), "{}", parsed.findings[0].message);
}

/// A repeated handle is reported, and the repeated entry's own mistakes are too.
#[test]
fn every_roster_entry_is_checked_duplicates_or_not() {
    let text = "[[person]]\nhandle = \"ann\"\ntimezone = \"UTC\"\n\n[[person]]\nhandle = \"@Ann\"\ntimezone = \"Mars/Olympus\"\nhours = \"9-5\"\ndays = \"Mon-Fry\"\n";
    let parsed = parse_roster("people.toml", text);
    let got: Vec<(Option<u32>, Rule)> = parsed.findings.iter().map(|f| (f.line, f.rule)).collect();
    assert_eq!(
        got,
        [
            (Some(6), Rule::DuplicatePerson),
            (Some(7), Rule::UnknownTimezone),
            (Some(8), Rule::MalformedHours),
            (Some(9), Rule::MalformedDays)
        ]
    );
    // The first entry stands; the repeat is not a second person.
    assert_eq!(parsed.value.people.len(), 1);
    assert_eq!(parsed.value.people[0].timezone, Some(chrono_tz::UTC));
}

/// The edges of the allowed years, read and then asked about at their edges: no arithmetic on
/// them overflows.
#[test]
fn the_first_and_last_allowed_days_are_answered_without_a_panic() {
    let schedule = parse_toml_schedule(
        "rota.toml",
        "[[rotation]]\nstart = 1000-01-01\nend = 1000-01-03\nengineers = [\"ann\"]\n[[rotation]]\nstart = 9999-12-01\nend = 9999-12-31\nengineers = [\"bo\", \"ann\"]\n",
    );
    assert!(schedule.findings.is_empty(), "{:?}", schedule.findings);
    let roster = parse_roster(
        "people.toml",
        "[[person]]\nhandle = \"ann\"\ntimezone = \"Pacific/Kiritimati\"\nhours = \"20:00-04:00\"\ndays = \"daily\"\n[[person]]\nhandle = \"bo\"\ntimezone = \"Etc/GMT+12\"\n",
    );
    assert!(roster.findings.is_empty(), "{:?}", roster.findings);
    let (s, r) = (schedule.value, roster.value);
    for zone in ["Pacific/Kiritimati", "Etc/GMT+12", "UTC"] {
        let timing = Timing { timezone: zone.parse().unwrap(), handoff: 23 * 60 + 59 };
        for t in ["1000-01-01T00:00:00Z", "1000-01-02T12:00:00Z", "9999-12-31T23:59:59Z", "9999-12-15T00:00:00Z"] {
            let viewer = zone.parse().unwrap();
            let g = glance(&s, &r, &timing, viewer, Some("ann"), at(t));
            let _ = format!("{:?}", g.on_duty);
            let c = coverage(&s, &r, &timing, viewer, at(t));
            assert!(c.slots.len() <= 7 * 25);
        }
        let findings = lint(&s, &r, &Rules { timing, team_size: 100, viewer: chrono_tz::UTC });
        assert!(findings.iter().all(|f| f.file == "rota.toml"));
    }
}

/// The Markdown table's columns are found once per table: a wide table of many rows is read in
/// time linear in its size (found per cell, this page took minutes).
#[test]
fn a_wide_markdown_table_is_read_in_time_linear_in_its_size() {
    let cols = 2000;
    let mut page = String::from("|");
    for i in 0..cols - 2 {
        page.push_str(&format!(" c{i} |"));
    }
    page.push_str(" Rotation | Engineers |\n|");
    page.push_str(&" --- |".repeat(cols));
    page.push('\n');
    for r in 0..40 {
        page.push('|');
        page.push_str(&" x |".repeat(cols - 2));
        page.push_str(&format!(" 2022-{:02}-01 to 2022-{:02}-28 | @e{r} |\n", r % 12 + 1, r % 12 + 1));
    }
    let started = std::time::Instant::now();
    let parsed = parse_handbook("wide.md", &page);
    let took = started.elapsed();
    assert_eq!(parsed.value.rotations.len(), 40);
    assert!(took < std::time::Duration::from_secs(5), "{} bytes took {took:?}", page.len());
}
