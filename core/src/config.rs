//! The config file (`config.toml`), as parsed: every field with its default.
//!
//! Resolving it (overrides from the command line, the system zone for `auto`, paths relative to
//! the file) is the shell's job; this module only reads the text.

use crate::finding::{toml_finding, Finding, Lines, Parsed, Rule};
use crate::roster::clock_minutes;
use crate::schedule::Timing;
use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;

/// The viewer's zone: the system's, or a named one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewerZone {
    Auto,
    Named(Tz),
}

/// The quick escalate window's shortcut unless the config says otherwise.
pub const DEFAULT_SHORTCUT: &str = "Ctrl+Alt+E";

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// My handle, as it appears in the schedule.
    pub me: Option<String>,
    /// The config's line that sets `me`, for a finding about it.
    pub me_line: Option<u32>,
    /// The global shortcut that opens the quick escalate window; `None` for none.
    pub shortcut: Option<String>,
    pub timezone: ViewerZone,
    pub schedule: ScheduleConfig,
    pub roster: RosterConfig,
    pub escalations: EscalationsConfig,
    /// Which hand-off notices I get (`[notices]`).
    pub notices: NoticesConfig,
    /// The Slack user group kept in step and the daily word (`[slack]`).
    pub slack: crate::slack::SlackConfig,
    /// How long the windows process stays after its last window closes, so the next window (the
    /// quick escalate one above all) is shown at once; 0 ends it with its last window.
    pub keep_windows_minutes: u64,
}

/// The windows process stays this long after its last window unless the config says otherwise.
pub const DEFAULT_KEEP_WINDOWS_MINUTES: u64 = 10;
/// `keep_windows_minutes`' range: up to a working day.
pub const KEEP_WINDOWS_MINUTES: std::ops::RangeInclusive<u64> = 0..=600;

/// `[notices]`: each hand-off notice on or off (all on by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoticesConfig {
    /// 7 days before my rotation (or a covering) starts.
    pub week_before: bool,
    /// The day before, with who I will be on with.
    pub day_before: bool,
    /// At the hand-off.
    pub handoff: bool,
    /// The day before it ends, with my open escalations to hand over.
    pub before_end: bool,
    /// When the schedule changes so that I am added or taken off.
    pub schedule_change: bool,
    /// One notice when my working hours begin, on each day I am on duty.
    pub day_start: bool,
    /// A sev2-sev4 assigned to me while I am asleep waits for my day's start.
    pub hold_while_asleep: bool,
}

impl Default for NoticesConfig {
    fn default() -> Self {
        NoticesConfig {
            week_before: true,
            day_before: true,
            handoff: true,
            before_end: true,
            schedule_change: true,
            day_start: true,
            hold_while_asleep: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleConfig {
    /// A path, an https URL, or `builtin:demo` / `builtin:handbook`.
    pub source: String,
    pub timing: Timing,
    pub team_size: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RosterConfig {
    /// A path or an https URL; `None` means the built-in schedule's own roster, if any.
    pub source: Option<String>,
    /// Time off as an iCalendar feed: a path or an https URL ([`crate::away::feed`]).
    pub away: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Local,
    Github,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubConfig {
    /// https, or http to a loopback host ([`web_url`]); no trailing `/`.
    pub api: String,
    /// `owner/name`, or empty when not set.
    pub repo: String,
    pub label: String,
}

fn default_api() -> String {
    "https://api.github.com".into()
}

fn default_label() -> String {
    "escalation".into()
}

impl Default for GithubConfig {
    fn default() -> Self {
        GithubConfig { api: default_api(), repo: String::new(), label: default_label() }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EscalationsConfig {
    pub backend: Backend,
    pub github: GithubConfig,
    pub poll_seconds: u64,
    /// The Slack user group of the escalation engineers (`S0123ABCD`), mentioned as
    /// `<!subteam^ID>` in each announcement. The webhook URL itself lives in the keyring.
    pub slack_group: Option<String>,
    /// `ack_within`: working minutes before a reminder; `None` (`"off"`): none.
    pub ack_within: Option<u32>,
    /// `offer_after`: wall-clock minutes unacknowledged before it is offered to the others on
    /// duty; `None` (`"off"`): only a sev1's to someone not working.
    pub offer_after: Option<u32>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            me: None,
            me_line: None,
            shortcut: Some(DEFAULT_SHORTCUT.into()),
            timezone: ViewerZone::Auto,
            schedule: ScheduleConfig { source: "builtin:demo".into(), timing: Timing::default(), team_size: 3 },
            roster: RosterConfig::default(),
            escalations: EscalationsConfig {
                backend: Backend::Local,
                github: GithubConfig::default(),
                poll_seconds: 60,
                slack_group: None,
                ack_within: Some(DEFAULT_ACK_WITHIN),
                offer_after: Some(DEFAULT_OFFER_AFTER),
            },
            notices: NoticesConfig::default(),
            slack: crate::slack::SlackConfig::default(),
            keep_windows_minutes: DEFAULT_KEEP_WINDOWS_MINUTES,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    me: Option<Spanned<String>>,
    shortcut: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    #[serde(default)]
    schedule: ScheduleFile,
    #[serde(default)]
    roster: RosterFile,
    #[serde(default)]
    escalations: EscalationsFile,
    #[serde(default)]
    notices: NoticesConfig,
    #[serde(default)]
    slack: crate::slack::SlackFile,
    keep_windows_minutes: Option<Spanned<u64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ScheduleFile {
    source: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    handoff: Option<Spanned<String>>,
    team_size: Option<Spanned<u64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RosterFile {
    source: Option<Spanned<String>>,
    away: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EscalationsFile {
    backend: Option<Backend>,
    github: Option<GithubFile>,
    poll_seconds: Option<Spanned<u64>>,
    slack_group: Option<Spanned<String>>,
    ack_within: Option<Spanned<String>>,
    offer_after: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct GithubFile {
    api: Option<Spanned<String>>,
    repo: Option<Spanned<String>>,
    label: Option<Spanned<String>>,
}

/// The shortest and longest poll interval, in seconds. Faster than every 15 s spends the API's
/// rate limit for nothing; slower than a day is not a poll.
pub const POLL_SECONDS: std::ops::RangeInclusive<u64> = 15..=86_400;

/// How a URL reaches its server: encrypted, or in clear only on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Https,
    /// Plain http, allowed only to a loopback host (a test server, a local proxy).
    LoopbackHttp,
}

/// A URL the config may name (the GitHub API, a schedule or roster source), with its host as
/// parsed: the host is what a token is tied to and what "loopback" is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl {
    pub scheme: Scheme,
    /// Lower case; an IPv6 address keeps its brackets.
    pub host: String,
    pub port: Option<u16>,
}

impl WebUrl {
    /// `host` or `host:port`: the name a stored token is kept under.
    pub fn authority(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }
}

fn is_loopback(host: &str) -> bool {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<core::net::Ipv6Addr>().is_ok_and(|a| a.is_loopback());
    }
    host == "localhost" || host.parse::<core::net::Ipv4Addr>().is_ok_and(|a| a.is_loopback())
}

/// Reads a URL the config may name: `https://host[:port]/...`, or `http://` to a loopback host
/// (`localhost`, `127.x.x.x`, `[::1]`). The authority is parsed, not prefix-matched: a user name
/// or password (`http://127.0.0.1:1@evil.example/`), a percent sign, a backslash or any other
/// character a host name does not have is refused, so the host read here is the host connected to.
pub fn web_url(url: &str) -> Result<WebUrl, String> {
    let u = url.trim();
    // As messages name it: a token in its query, or a password before its host, stays out.
    let shown = crate::redact::url(u);
    let write = "write it like https://example.com/path";
    let (scheme, rest) = match u.split_once("://") {
        Some((s, rest)) if s.eq_ignore_ascii_case("https") => (Scheme::Https, rest),
        Some((s, rest)) if s.eq_ignore_ascii_case("http") => (Scheme::LoopbackHttp, rest),
        _ => return Err(format!("\"{shown}\" is not an https URL; {write}")),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err(format!(
            "\"{shown}\" has a user name or password before its host; remove it (tokens belong in the keyring: rota secret set)"
        ));
    }
    if let Some(c) = authority.chars().find(|c| !(c.is_ascii_alphanumeric() || ".-:[]".contains(*c))) {
        return Err(format!("\"{shown}\" has {c:?} in its host; {write}"));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (addr, after) = v6.split_once(']').ok_or_else(|| format!("\"{shown}\" has an unclosed [ in its host; {write}"))?;
            (format!("[{addr}]"), after.strip_prefix(':').map(Some).unwrap_or((!after.is_empty()).then_some(after)))
        }
        None => match authority.split_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p)),
            None => (authority.to_owned(), None),
        },
    };
    let host = host.to_ascii_lowercase();
    let bad_host = host.is_empty()
        || (!host.starts_with('[') && (host.contains(['[', ']']) || host.starts_with(['.', '-']) || host.contains("..")))
        || (host.starts_with('[') && host.trim_matches(['[', ']']).parse::<core::net::Ipv6Addr>().is_err());
    if bad_host {
        return Err(format!("\"{shown}\" has no usable host; {write}"));
    }
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => return Err(format!("\"{shown}\" has the port \"{p}\"; a port is a number from 1 to 65535")),
        },
    };
    if scheme == Scheme::LoopbackHttp && !is_loopback(&host) {
        return Err(format!("\"{shown}\" is plain http to another machine, which would send it in clear text; use https"));
    }
    Ok(WebUrl { scheme, host, port })
}

/// Where a schedule or roster comes from, as written (paths are resolved by the shell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    Demo,
    Handbook,
    Url(String),
    Path(String),
}

/// Reads a `source` value: `builtin:demo`, `builtin:handbook`, an https (or loopback http) URL,
/// or a path.
pub fn source(s: &str) -> Result<SourceSpec, String> {
    let s = s.trim();
    match s {
        "" => Err("the source is empty; give a path, an https URL or builtin:demo".into()),
        "builtin:demo" => Ok(SourceSpec::Demo),
        "builtin:handbook" => Ok(SourceSpec::Handbook),
        _ if s.starts_with("builtin:") => {
            Err(format!("there is no built-in source \"{}\"; use builtin:demo or builtin:handbook", &s["builtin:".len()..]))
        }
        _ if s.contains("://") => web_url(s).map(|_| SourceSpec::Url(s.to_owned())),
        _ => Ok(SourceSpec::Path(s.to_owned())),
    }
}

/// `poll_seconds`: from 15 seconds to a day.
pub fn poll_seconds(n: u64) -> Result<u64, String> {
    if POLL_SECONDS.contains(&n) {
        Ok(n)
    } else {
        Err(format!("poll_seconds = {n} is out of range; poll every {} to {} seconds, like 60", POLL_SECONDS.start(), POLL_SECONDS.end()))
    }
}

/// `keep_windows_minutes`: 0 (end with the last window) to 600.
pub fn keep_windows_minutes(n: u64) -> Result<u64, String> {
    if KEEP_WINDOWS_MINUTES.contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "keep_windows_minutes = {n} is out of range; keep the windows process 0 to {} minutes, like 10",
            KEEP_WINDOWS_MINUTES.end()
        ))
    }
}

/// `team_size`: the seats a rotation should have, from 1 to [`crate::schedule::MAX_SEATS`].
pub fn team_size(n: u64) -> Result<usize, String> {
    let max = crate::schedule::MAX_SEATS;
    match usize::try_from(n) {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("team_size = {n} is out of range; a rotation has 1 to {max} seats, like 3")),
    }
}

/// A zone name (`Europe/Berlin`).
pub fn timezone(s: &str) -> Result<Tz, String> {
    s.trim().parse::<Tz>().map_err(|_| {
        let near = crate::spelling::closest(s, crate::duty::zone_names());
        match near.as_slice() {
            [] => format!("\"{}\" is not an IANA timezone; use a name like \"Europe/Berlin\"", s.trim()),
            _ => format!("\"{}\" is not an IANA timezone; {}", s.trim(), crate::spelling::did_you_mean(&near)),
        }
    })
}

/// `handoff`: a time of day, `HH:MM`.
pub fn handoff(s: &str) -> Result<u16, String> {
    clock_minutes(s.trim(), false).ok_or_else(|| format!("handoff \"{}\" is not a time of day; write HH:MM, like \"00:00\"", s.trim()))
}

/// `shortcut`: a key combination, or `None` for `""` / `"none"`.
pub fn shortcut(s: &str) -> Result<Option<String>, String> {
    let text = s.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    text.parse::<crate::shortcut::Shortcut>().map(|s| Some(s.to_string())).map_err(|e| format!("shortcut {e} (or \"none\")"))
}

/// `github.repo`: `owner/name`.
pub fn github_repo(s: &str) -> Result<String, String> {
    let repo = s.trim();
    match repo.split_once('/') {
        Some((o, n)) if !o.is_empty() && !n.is_empty() && !n.contains('/') && !repo.contains(char::is_whitespace) => Ok(repo.to_owned()),
        _ => Err(format!("github.repo \"{repo}\" is not owner/name; write it like \"acme/escalations\"")),
    }
}

/// `github.label`: the label every escalation carries.
pub fn github_label(s: &str) -> Result<String, String> {
    let label = s.trim();
    if label.is_empty() {
        Err("github.label is empty; give the label escalations carry, like \"escalation\"".into())
    } else {
        Ok(label.to_owned())
    }
}

/// `slack_group`: a Slack user group ID (`S0123ABCD`), or `None` when empty.
pub fn slack_group(s: &str) -> Result<Option<String>, String> {
    let id = s.trim();
    let valid = id.len() <= 32 && id.starts_with('S') && id.chars().all(|c| c.is_ascii_alphanumeric());
    if id.is_empty() {
        Ok(None)
    } else if valid {
        Ok(Some(id.to_owned()))
    } else {
        Err(format!("slack_group \"{id}\" is not a Slack user group ID; copy the ID (like \"S0123ABCD\") from the group's page in Slack"))
    }
}

/// `ack_within`'s default: 30 working minutes.
pub const DEFAULT_ACK_WITHIN: u32 = 30;
/// `offer_after`'s default: 60 minutes.
pub const DEFAULT_OFFER_AFTER: u32 = 60;

/// `ack_within` and `offer_after`: `"30m"`, `"2h"`, `"1h30m"` (1 minute to 7 days), or `"off"`
/// (`None`). `key` names the setting in the message.
pub fn minutes_or_off(key: &str, s: &str) -> Result<Option<u32>, String> {
    let t = s.trim().to_ascii_lowercase();
    if t == "off" {
        return Ok(None);
    }
    let bad = || {
        format!("{key} = \"{}\" is not a length of time; write minutes or hours like \"30m\", \"2h\" or \"1h30m\", or \"off\"", s.trim())
    };
    let (mut total, mut digits, mut any) = (0u64, String::new(), false);
    for c in t.chars().filter(|c| !c.is_whitespace()) {
        match c {
            '0'..='9' => digits.push(c),
            'h' | 'm' if !digits.is_empty() => {
                let n: u64 = digits.parse().map_err(|_| bad())?;
                total = total.saturating_add(if c == 'h' { n.saturating_mul(60) } else { n });
                digits.clear();
                any = true;
            }
            _ => return Err(bad()),
        }
    }
    if !digits.is_empty() || !any {
        return Err(bad());
    }
    match total {
        1..=10_080 => Ok(Some(total as u32)),
        _ => Err(format!("{key} = \"{}\" is out of range; use 1 minute to 168 hours, or \"off\"", s.trim())),
    }
}

/// Applies one rule to one value: its result, or a finding at the value's line.
pub(crate) struct Checker<'a> {
    file: &'a str,
    lines: &'a Lines,
    findings: &'a mut Vec<Finding>,
}

impl Checker<'_> {
    pub(crate) fn check<T>(&mut self, rule: Rule, span: std::ops::Range<usize>, result: Result<T, String>) -> Option<T> {
        result.map_err(|msg| self.findings.push(Finding::new(rule, self.file, Some(self.lines.line_of(span.start)), msg))).ok()
    }
}

/// Parses a config file. Values that are wrong become located errors and keep their default.
/// Every value is checked by the rule above that names it, the same one the settings form uses.
pub fn parse_config(file: &str, text: &str) -> Parsed<Config> {
    let mut findings = Vec::new();
    let mut config = Config::default();
    let f: File = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            findings.push(toml_finding(file, text, &e));
            return Parsed { value: config, findings };
        }
    };
    let lines = Lines::new(text);
    let mut c = Checker { file, lines: &lines, findings: &mut findings };
    if let Some(sc) = &f.shortcut {
        if let Some(v) = c.check(Rule::Syntax, sc.span(), shortcut(sc.get_ref())) {
            config.shortcut = v;
        }
    }
    config.me = f.me.as_ref().map(|m| m.get_ref().trim().trim_start_matches('@').to_owned()).filter(|m| !m.is_empty());
    config.me_line = f.me.as_ref().filter(|_| config.me.is_some()).map(|m| lines.line_of(m.span().start));
    if let Some(tz) = &f.timezone {
        if !tz.get_ref().trim().eq_ignore_ascii_case("auto") {
            let named = timezone(tz.get_ref()).map_err(|e| format!("{e}, or \"auto\""));
            if let Some(z) = c.check(Rule::UnknownTimezone, tz.span(), named) {
                config.timezone = ViewerZone::Named(z);
            }
        }
    }
    if let Some(s) = &f.schedule.source {
        if c.check(Rule::Syntax, s.span(), source(s.get_ref()).map_err(|e| format!("schedule.source: {e}"))).is_some() {
            config.schedule.source = s.get_ref().trim().to_owned();
        }
    }
    if let Some(tz) = &f.schedule.timezone {
        if let Some(z) = c.check(Rule::UnknownTimezone, tz.span(), timezone(tz.get_ref())) {
            config.schedule.timing.timezone = z;
        }
    }
    if let Some(h) = &f.schedule.handoff {
        if let Some(m) = c.check(Rule::MalformedHours, h.span(), handoff(h.get_ref())) {
            config.schedule.timing.handoff = m;
        }
    }
    if let Some(n) = &f.schedule.team_size {
        if let Some(n) = c.check(Rule::Syntax, n.span(), team_size(*n.get_ref())) {
            config.schedule.team_size = n;
        }
    }
    if let Some(s) = f.roster.source.as_ref().filter(|s| !s.get_ref().trim().is_empty()) {
        if c.check(Rule::Syntax, s.span(), source(s.get_ref()).map_err(|e| format!("roster.source: {e}"))).is_some() {
            config.roster.source = Some(s.get_ref().trim().to_owned());
        }
    }
    if let Some(s) = f.roster.away.as_ref().filter(|s| !s.get_ref().trim().is_empty()) {
        if c.check(Rule::Syntax, s.span(), source(s.get_ref()).map_err(|e| format!("roster.away: {e}"))).is_some() {
            config.roster.away = Some(s.get_ref().trim().to_owned());
        }
    }
    if let Some(b) = f.escalations.backend {
        config.escalations.backend = b;
    }
    if let Some(g) = &f.escalations.github {
        if let Some(api) = &g.api {
            let checked = web_url(api.get_ref()).map_err(|e| format!("github.api: {e}"));
            if c.check(Rule::Syntax, api.span(), checked).is_some() {
                config.escalations.github.api = api.get_ref().trim().trim_end_matches('/').to_owned();
            }
        }
        if let Some(repo) = g.repo.as_ref().filter(|r| !r.get_ref().trim().is_empty()) {
            if let Some(r) = c.check(Rule::Syntax, repo.span(), github_repo(repo.get_ref())) {
                config.escalations.github.repo = r;
            }
        }
        if let Some(label) = &g.label {
            if let Some(l) = c.check(Rule::Syntax, label.span(), github_label(label.get_ref())) {
                config.escalations.github.label = l;
            }
        }
    }
    if let Some(p) = &f.escalations.poll_seconds {
        if let Some(n) = c.check(Rule::Syntax, p.span(), poll_seconds(*p.get_ref())) {
            config.escalations.poll_seconds = n;
        }
    }
    if let Some(g) = &f.escalations.slack_group {
        if let Some(v) = c.check(Rule::Syntax, g.span(), slack_group(g.get_ref())) {
            config.escalations.slack_group = v;
        }
    }
    for (key, value, slot) in [
        ("ack_within", &f.escalations.ack_within, &mut config.escalations.ack_within),
        ("offer_after", &f.escalations.offer_after, &mut config.escalations.offer_after),
    ] {
        if let Some(v) = value {
            if let Some(m) = c.check(Rule::Syntax, v.span(), minutes_or_off(key, v.get_ref())) {
                *slot = m;
            }
        }
    }
    if let Some(k) = &f.keep_windows_minutes {
        if let Some(n) = c.check(Rule::Syntax, k.span(), keep_windows_minutes(*k.get_ref())) {
            config.keep_windows_minutes = n;
        }
    }
    config.notices = f.notices;
    crate::slack::read_config(&f.slack, &mut config.slack, &mut c);
    Parsed { value: config, findings }
}
