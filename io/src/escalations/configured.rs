//! The backend the config names (`[escalations] backend = "local" | "github"`), opened.
//!
//! It knows where the local database lives (`escalations.sqlite3` in the data folder, which
//! also holds the notifier's seen sets for every backend) and that the GitHub token comes from
//! the keyring. It is not a backend itself and does not poll.

use super::github::{GithubBackend, GithubConfig};
use super::local::LocalStore;
use super::{AnyBackend, Backend as _, BackendError};
use crate::secrets::{SecretError, SecretStore};
use crate::settings::Settings;
use rota_core::config::Backend as BackendKind;
use std::fmt;
use std::path::{Path, PathBuf};

/// The database's file name in the data folder.
pub const DATABASE_FILE: &str = "escalations.sqlite3";

/// `escalations.sqlite3` in `data_dir`.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DATABASE_FILE)
}

/// Why the configured backend cannot be opened. No variant holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// The platform has no data folder (no HOME).
    NoDataFolder,
    /// The data folder cannot be created.
    DataFolder { path: PathBuf, why: String },
    /// `backend = "github"` but `github.repo` is missing or not `owner/name`.
    NoRepository(String),
    /// The keyring holds no GitHub token for this API host.
    MissingToken(String),
    /// `me` is not set: nobody to notify.
    NoMe,
    /// The keyring cannot be read.
    Keyring(SecretError),
    /// The store or the client could not start.
    Backend(BackendError),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::NoDataFolder => f.write_str("there is no data folder to keep escalations in: set HOME"),
            OpenError::DataFolder { path, why } => write!(f, "cannot create the data folder {}: {why}", path.display()),
            OpenError::NoRepository(why) => write!(
                f,
                "escalations.github.repo {why}: write it as repo = \"owner/name\" in the config"
            ),
            OpenError::MissingToken(host) => write!(
                f,
                "no GitHub token is stored for {host}: run `rota secret set github-token` and paste a token with access to the repository's issues",
            ),
            OpenError::NoMe => f.write_str(
                "set me = \"your-handle\" in the config: Rota announces the escalations assigned to that handle",
            ),
            OpenError::Keyring(e) => write!(
                f,
                "cannot read the GitHub token: {e}; unlock the OS keyring, then run `rota secret set github-token` if none is stored"
            ),
            OpenError::Backend(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for OpenError {}

/// The data folder, created if needed.
pub fn data_folder(settings: &Settings) -> Result<PathBuf, OpenError> {
    let dir = settings.data_dir.clone().ok_or(OpenError::NoDataFolder)?;
    std::fs::create_dir_all(&dir).map_err(|e| OpenError::DataFolder { path: dir.clone(), why: e.to_string() })?;
    Ok(dir)
}

/// Opens the local database (escalations of the `local` backend, seen sets of every backend).
pub fn open_local(settings: &Settings) -> Result<LocalStore, OpenError> {
    LocalStore::open(database_path(&data_folder(settings)?)).map_err(OpenError::Backend)
}

/// The GitHub config from the settings, without the token.
pub fn github_config(settings: &Settings) -> Result<GithubConfig, OpenError> {
    let g = &settings.config.escalations.github;
    if g.repo.trim().is_empty() {
        return Err(OpenError::NoRepository("is missing".into()));
    }
    let mut config = GithubConfig::new(&g.api, g.repo.trim(), settings.me.as_deref().unwrap_or_default())
        .map_err(|_| OpenError::NoRepository(format!("{:?} is not owner/name", g.repo)))?;
    config.label = g.label.clone();
    Ok(config)
}

/// The API host a GitHub token is stored for (`host[:port]`).
pub fn api_host(api: &str) -> Result<String, OpenError> {
    rota_core::config::web_url(api)
        .map(|u| u.authority())
        .map_err(|e| OpenError::Backend(super::BackendError::Invalid(format!("escalations.github.api: {e}"))))
}

/// Opens the GitHub backend with the token `secrets` holds for its API host.
pub fn open_github(config: GithubConfig, secrets: &dyn SecretStore) -> Result<GithubBackend, OpenError> {
    let host = api_host(&config.api)?;
    let token = secrets.get_github_token(&host).map_err(OpenError::Keyring)?.ok_or(OpenError::MissingToken(host))?;
    GithubBackend::new(config, &token).map_err(OpenError::Backend)
}

/// Opens the backend the settings name.
pub fn open(settings: &Settings, secrets: &dyn SecretStore) -> Result<AnyBackend, OpenError> {
    match settings.config.escalations.backend {
        BackendKind::Local => open_local(settings).map(AnyBackend::Local),
        BackendKind::Github => open_github(github_config(settings)?, secrets).map(AnyBackend::Github),
    }
}

/// Opens the outbox in the local database file (whatever the backend).
pub fn open_outbox(settings: &Settings) -> Result<super::outbox::Outbox, OpenError> {
    super::outbox::Outbox::open(database_path(&data_folder(settings)?)).map_err(OpenError::Backend)
}

/// The Slack announcer, when the keyring holds a webhook (`Ok(None)` when it holds none).
pub fn announcer(settings: &Settings, secrets: &dyn SecretStore) -> Result<Option<crate::slack::Announcer>, crate::slack::SlackError> {
    crate::slack::Announcer::from_secrets(secrets, settings.config.escalations.slack_group.clone())
}

/// Open escalations per engineer, for the `auto` suggestion: the backend's active ones plus
/// what waits in the outbox. When the backend cannot be asked, the reason comes back with the
/// outbox's counts alone (the suggestion then rests on working hours).
pub async fn open_counts(
    backend: Result<&AnyBackend, String>,
    outbox: Option<&super::outbox::Outbox>,
) -> (rota_core::assign::OpenCounts, Option<String>) {
    use rota_core::assign::OpenCounts;
    let (mut counts, warning) = match backend {
        Ok(b) => match b.list_open(None).await {
            Ok(open) => (OpenCounts::from_escalations(&open), None),
            Err(e) => (OpenCounts::new(), Some(format!("open escalations could not be counted ({e})"))),
        },
        Err(e) => (OpenCounts::new(), Some(e)),
    };
    for q in outbox.and_then(|o| o.queued().ok()).unwrap_or_default() {
        if let Some(a) = &q.assignee {
            counts.add(a, 1);
        }
    }
    (counts, warning)
}

/// Sends what waits in the outbox (the tray's sender); returns how many still wait and when to
/// try next.
pub async fn drain(settings: &Settings, now: chrono::DateTime<chrono::Utc>) -> (usize, Option<chrono::DateTime<chrono::Utc>>) {
    let Ok(outbox) = open_outbox(settings) else { return (0, None) };
    if outbox.queued_count().unwrap_or(0) == 0 {
        return (0, None);
    }
    let backend = match open(settings, &crate::secrets::OsKeyring) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("rota: the outbox waits: {e}");
            return (outbox.queued_count().unwrap_or(0), None);
        }
    };
    let announcer = announcer(settings, &crate::secrets::OsKeyring).ok().flatten();
    let report = outbox.drain(&backend, announcer.as_ref(), now).await;
    for e in &report.sent {
        eprintln!("rota: sent escalation {} from the outbox: {}", e.id, e.title);
    }
    (report.still_queued, report.next_attempt)
}
