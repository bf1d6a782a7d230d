//! What the poller watches and how often: the backend ([`PollSource`]), whose escalations
//! (`me`), the state database, the interval, and the seen set's scope. Plain values; the task
//! that polls is in `poller.rs`.

use super::{DEFAULT_INTERVAL, MIN_GITHUB_INTERVAL};
use crate::clock::Clock;
use crate::escalations::configured::{self, OpenError};
use crate::escalations::github::GithubConfig;
use crate::secrets::SecretStore;
use crate::settings::Settings;
use rota_core::config::Backend as BackendKind;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where the poller reads escalations from.
// One per poller, cloned once when it starts: boxing the larger variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum PollSource {
    /// The local backend, in the state database ([`PollerConfig::database`]).
    Local,
    /// GitHub, with the token read from `secrets` (again after it is rejected).
    Github { config: GithubConfig, secrets: Arc<dyn SecretStore + Send + Sync> },
}

impl std::fmt::Debug for PollSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PollSource::Local => f.write_str("Local"),
            PollSource::Github { config, .. } => f.debug_struct("Github").field("config", config).finish_non_exhaustive(),
        }
    }
}

/// What the poller watches and how often.
#[derive(Debug, Clone)]
pub struct PollerConfig {
    /// My handle: whose new escalations are announced.
    pub me: String,
    pub source: PollSource,
    /// The state database ([`crate::store`]): the seen sets of every backend, and the `local` escalations.
    pub database: PathBuf,
    /// The regular poll interval (for GitHub raised to [`MIN_GITHUB_INTERVAL`]).
    pub interval: Duration,
    /// The person's clock: the system's unless set (the tray sets the process's, which
    /// `ROTA_NOW` may pin).
    pub clock: Clock,
    /// People's names, as notices say them (the tray keeps them current; empty: handles).
    pub names: Arc<std::sync::Mutex<rota_core::notice::Names>>,
    /// The schedule and roster the reminders count in (the tray keeps it current; `None`: no
    /// reminders, offers, day's start or holding).
    pub team: crate::remind::Shared,
}

impl PollerConfig {
    /// Watches the local database at `database` for `me`.
    pub fn local(database: impl Into<PathBuf>, me: &str) -> Self {
        PollerConfig {
            me: me.to_owned(),
            source: PollSource::Local,
            database: database.into(),
            interval: DEFAULT_INTERVAL,
            clock: Clock::system(),
            names: Default::default(),
            team: Default::default(),
        }
    }

    /// Polls GitHub for `me`, keeping the seen set in `database`.
    pub fn github(
        database: impl Into<PathBuf>,
        me: &str,
        config: GithubConfig,
        secrets: Arc<dyn SecretStore + Send + Sync>,
        interval: Duration,
    ) -> Self {
        PollerConfig {
            me: me.to_owned(),
            source: PollSource::Github { config, secrets },
            database: database.into(),
            interval: interval.max(MIN_GITHUB_INTERVAL),
            clock: Clock::system(),
            names: Default::default(),
            team: Default::default(),
        }
    }

    /// The config the settings describe: the backend, `me`, `poll_seconds` and the data folder.
    /// `me` must be set in the config (there is nobody to notify otherwise).
    pub fn from_settings(settings: &Settings, secrets: Arc<dyn SecretStore + Send + Sync>) -> Result<Self, OpenError> {
        let me = settings.me.clone().ok_or(OpenError::NoMe)?;
        let database = configured::database(settings)?;
        let interval = Duration::from_secs(settings.config.escalations.poll_seconds);
        Ok(match settings.config.escalations.backend {
            BackendKind::Local => PollerConfig { interval, ..PollerConfig::local(database, &me) },
            BackendKind::Github => PollerConfig::github(database, &me, configured::github_config(settings)?, secrets, interval),
        })
    }

    /// The seen set's scope in the database: one per backend and person.
    pub fn scope(&self) -> String {
        match &self.source {
            PollSource::Local => format!("local:{}", self.me.to_ascii_lowercase()),
            PollSource::Github { config, .. } => {
                format!("github:{}/{}/{}:{}", config.api, config.owner, config.repo, self.me.to_ascii_lowercase())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_is_never_polled_faster_than_every_15_s() {
        let cfg = GithubConfig::new("http://127.0.0.1:1", "acme/esc", "ann").unwrap();
        let store: Arc<dyn SecretStore + Send + Sync> = Arc::new(crate::secrets::OsKeyring);
        let p = PollerConfig::github("/tmp/x.sqlite3", "Ann", cfg, store, Duration::from_secs(1));
        assert_eq!(p.interval, MIN_GITHUB_INTERVAL);
        assert_eq!(p.scope(), "github:http://127.0.0.1:1/acme/esc:ann");
        assert_eq!(PollerConfig::local("/tmp/x", "Ann").scope(), "local:ann");
    }
}
