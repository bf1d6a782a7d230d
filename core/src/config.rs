//! The config file (`config.toml`), as parsed: every field with its default.
//!
//! Resolving it (overrides from the command line, the system zone for `auto`, paths relative to
//! the file) is the shell's job; this module only reads the text.

use crate::finding::{toml_finding, Finding, Lines, Parsed, Rule};
use crate::roster::clock_minutes;
use crate::schedule::Timing;
use chrono_tz::Tz;
use serde::Deserialize;

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
    /// The global shortcut that opens the quick escalate window; `None` for none.
    pub shortcut: Option<String>,
    pub timezone: ViewerZone,
    pub schedule: ScheduleConfig,
    pub roster: RosterConfig,
    pub escalations: EscalationsConfig,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Local,
    Github,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubConfig {
    #[serde(default = "default_api")]
    pub api: String,
    #[serde(default)]
    pub repo: String,
    #[serde(default = "default_label")]
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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            me: None,
            shortcut: Some(DEFAULT_SHORTCUT.into()),
            timezone: ViewerZone::Auto,
            schedule: ScheduleConfig { source: "builtin:demo".into(), timing: Timing::default(), team_size: 3 },
            roster: RosterConfig::default(),
            escalations: EscalationsConfig { backend: Backend::Local, github: GithubConfig::default(), poll_seconds: 60, slack_group: None },
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    me: Option<String>,
    shortcut: Option<toml::Spanned<String>>,
    timezone: Option<toml::Spanned<String>>,
    #[serde(default)]
    schedule: ScheduleFile,
    #[serde(default)]
    roster: RosterFile,
    #[serde(default)]
    escalations: EscalationsFile,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ScheduleFile {
    source: Option<String>,
    timezone: Option<toml::Spanned<String>>,
    handoff: Option<toml::Spanned<String>>,
    team_size: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RosterFile {
    source: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EscalationsFile {
    backend: Option<Backend>,
    github: Option<GithubConfig>,
    poll_seconds: Option<toml::Spanned<u64>>,
    slack_group: Option<toml::Spanned<String>>,
}

/// Parses a config file. Values that are wrong become located errors and keep their default.
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
    let zone = |s: &toml::Spanned<String>, findings: &mut Vec<Finding>| -> Option<Tz> {
        s.get_ref().trim().parse::<Tz>().map_err(|_| {
            findings.push(Finding::new(
                Rule::UnknownTimezone,
                file,
                Some(lines.line_of(s.span().start)),
                format!("\"{}\" is not an IANA timezone; use a name like \"Europe/Berlin\", or \"auto\"", s.get_ref()),
            ))
        }).ok()
    };
    if let Some(sc) = &f.shortcut {
        let text = sc.get_ref().trim();
        if text.is_empty() || text.eq_ignore_ascii_case("none") {
            config.shortcut = None;
        } else {
            match text.parse::<crate::shortcut::Shortcut>() {
                Ok(s) => config.shortcut = Some(s.to_string()),
                Err(e) => findings.push(Finding::new(Rule::Syntax, file, Some(lines.line_of(sc.span().start)), format!("shortcut {e} (or \"none\")"))),
            }
        }
    }
    config.me = f.me.map(|m| m.trim().trim_start_matches('@').to_owned()).filter(|m| !m.is_empty());
    if let Some(tz) = &f.timezone {
        if !tz.get_ref().trim().eq_ignore_ascii_case("auto") {
            if let Some(z) = zone(tz, &mut findings) {
                config.timezone = ViewerZone::Named(z);
            }
        }
    }
    if let Some(s) = f.schedule.source {
        config.schedule.source = s;
    }
    if let Some(tz) = &f.schedule.timezone {
        if let Some(z) = zone(tz, &mut findings) {
            config.schedule.timing.timezone = z;
        }
    }
    if let Some(h) = &f.schedule.handoff {
        match clock_minutes(h.get_ref().trim(), false) {
            Some(m) => config.schedule.timing.handoff = m,
            None => findings.push(Finding::new(
                Rule::MalformedHours,
                file,
                Some(lines.line_of(h.span().start)),
                format!("handoff \"{}\" is not a time of day; write HH:MM, like \"00:00\"", h.get_ref()),
            )),
        }
    }
    if let Some(n) = f.schedule.team_size {
        config.schedule.team_size = n;
    }
    config.roster.source = f.roster.source.filter(|s| !s.trim().is_empty());
    if let Some(b) = f.escalations.backend {
        config.escalations.backend = b;
    }
    if let Some(g) = f.escalations.github {
        config.escalations.github = g;
    }
    if let Some(p) = f.escalations.poll_seconds {
        if *p.get_ref() == 0 {
            findings.push(Finding::new(
                Rule::Syntax,
                file,
                Some(lines.line_of(p.span().start)),
                "poll_seconds must be at least 1",
            ));
        } else {
            config.escalations.poll_seconds = *p.get_ref();
        }
    }
    if let Some(g) = &f.escalations.slack_group {
        let id = g.get_ref().trim();
        let valid = id.len() <= 32 && id.starts_with('S') && id.chars().all(|c| c.is_ascii_alphanumeric());
        if id.is_empty() {
            // Unset: announcements mention nobody but the assignee.
        } else if valid {
            config.escalations.slack_group = Some(id.to_owned());
        } else {
            findings.push(Finding::new(
                Rule::Syntax,
                file,
                Some(lines.line_of(g.span().start)),
                format!("slack_group \"{id}\" is not a Slack user group ID; copy the ID (like \"S0123ABCD\") from the group's page in Slack"),
            ));
        }
    }
    Parsed { value: config, findings }
}
