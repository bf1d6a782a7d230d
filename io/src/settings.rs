//! Settings resolved: the config file read, then the command line's overrides applied, paths made
//! absolute and `timezone = "auto"` turned into the system's zone.

use crate::clock;
use crate::protocol::Overrides;
use crate::sources::Source;
use chrono_tz::Tz;
use rota_core::{parse_config, Config, Finding, Problem, ViewerZone};
use std::path::{Path, PathBuf};

/// Why a command could not run; each maps to an exit status.
#[derive(Debug)]
pub enum Failure {
    /// Exit 2: the command line (or `ROTA_NOW`) is wrong.
    Usage(String),
    /// Exit 1: an input file has errors (or cannot be read).
    Input(Vec<Problem>),
}

impl Failure {
    /// An input error about no file in particular.
    pub fn input(msg: impl Into<String>) -> Self {
        Failure::Input(vec![Problem::error(msg)])
    }

    /// An input error about the file (or source) `file` as a whole.
    pub fn in_file(file: impl Into<String>, msg: impl Into<String>) -> Self {
        Failure::Input(vec![Problem::in_file(file, msg)])
    }

    /// What went wrong, as problems to show (a usage error is one without a place).
    pub fn problems(self) -> Vec<Problem> {
        match self {
            Failure::Usage(m) => vec![Problem::error(m)],
            Failure::Input(ps) => ps,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file read, if one exists.
    pub config_file: Option<PathBuf>,
    pub config: Config,
    pub schedule: Source,
    pub roster: Option<Source>,
    /// The feed of time off (`[roster] away`), if any.
    pub away: Option<Source>,
    pub viewer: Tz,
    pub me: Option<String>,
    /// Where Rota keeps its data (SQLite, caches).
    pub data_dir: Option<PathBuf>,
    /// What the config file's parser found.
    pub findings: Vec<Finding>,
}

/// `$XDG_CONFIG_HOME/rota/config.toml` (the platform's config folder elsewhere).
pub fn default_config_file() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("rota").join("config.toml"))
}

pub fn data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("rota"))
}

/// Reads the config and applies the overrides. `tz` is the command's `--tz`, if any.
pub fn resolve(overrides: &Overrides, tz: Option<&str>) -> Result<Settings, Failure> {
    let (file, explicit) = match &overrides.config {
        Some(p) => (Some(p.clone()), true),
        None => (default_config_file(), false),
    };
    let mut findings = Vec::new();
    let (config, config_file) = match file {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(text) => {
                let parsed = parse_config(&path.display().to_string(), &text);
                findings = parsed.findings;
                (parsed.value, Some(path))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => (Config::default(), None),
            Err(e) => {
                let why = if e.kind() == std::io::ErrorKind::NotFound { "no such file".to_owned() } else { e.to_string() };
                return Err(Failure::in_file(path.display().to_string(), format!("{why}; check the --config path")));
            }
        },
        None => (Config::default(), None),
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let base: PathBuf = config_file.as_deref().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_else(|| cwd.clone());
    let cfg_name = config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "the default config".into());

    let schedule = match &overrides.schedule {
        Some(s) => Source::parse(s, &cwd).map_err(Failure::Usage)?,
        None => Source::parse(&config.schedule.source, &base).map_err(|e| Failure::in_file(&cfg_name, format!("schedule.source: {e}")))?,
    };
    let roster = match (&overrides.roster, &config.roster.source) {
        (Some(s), _) => Some(Source::parse(s, &cwd).map_err(Failure::Usage)?),
        (None, Some(s)) => Some(Source::parse(s, &base).map_err(|e| Failure::in_file(&cfg_name, format!("roster.source: {e}")))?),
        // The demo schedule brings its own people.
        (None, None) if schedule == Source::Demo => Some(Source::Demo),
        (None, None) => None,
    };
    let away = match &config.roster.away {
        Some(s) => Some(Source::parse(s, &base).map_err(|e| Failure::in_file(&cfg_name, format!("roster.away: {e}")))?),
        None => None,
    };
    let viewer = match tz {
        Some(z) => clock::parse_zone(z).map_err(Failure::Usage)?,
        None => match config.timezone {
            ViewerZone::Named(z) => z,
            ViewerZone::Auto => clock::system_zone().unwrap_or(Tz::UTC),
        },
    };
    Ok(Settings { config_file, me: config.me.clone(), config, schedule, roster, away, viewer, data_dir: data_dir(), findings })
}
