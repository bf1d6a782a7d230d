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
use crate::store::Store;
use rota_core::config::Backend as BackendKind;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

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

/// The data folder, created if needed, private to its owner: the folder 0700 and
/// what is in it (the database, its WAL and shared-memory files, the outbox lock, the change
/// signal, the source cache) 0600. An existing install is fixed the same way each time it opens.
pub fn data_folder(settings: &Settings) -> Result<PathBuf, OpenError> {
    let dir = settings.data_dir.clone().ok_or(OpenError::NoDataFolder)?;
    let fail = |e: std::io::Error| OpenError::DataFolder { path: dir.clone(), why: e.to_string() };
    crate::files::private_folder(&dir).map_err(fail)?;
    crate::store::make_private(&dir).map_err(fail)?;
    Ok(dir)
}

/// What the configured backend is known to refuse in `new`, before it is saved: the reason as
/// the backend words it.
pub fn known_refusal(settings: &Settings, new: &rota_core::escalation::NewEscalation) -> Option<rota_core::outbox::KnownRefusal> {
    match settings.config.escalations.backend {
        BackendKind::Local => None,
        BackendKind::Github => super::github::known_refusal(new),
    }
}

/// [`open`] on a blocking thread: the keyring answers over D-Bus (and may prompt to unlock), so
/// it never runs on the async threads.
pub async fn open_blocking(settings: &Settings) -> Result<AnyBackend, OpenError> {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || open(&settings, &crate::secrets::OsKeyring))
        .await
        .unwrap_or_else(|e| Err(OpenError::Backend(BackendError::Failed(format!("keyring task: {e}")))))
}

/// Opens the state database (escalations of the `local` backend, seen sets of every backend).
pub fn open_store(settings: &Settings) -> Result<Store, OpenError> {
    Store::open(database(settings)?).map_err(OpenError::Backend)
}

/// The state database's path in the data folder, the file created owner-only (0600) if it is
/// not there yet.
pub fn database(settings: &Settings) -> Result<PathBuf, OpenError> {
    let dir = data_folder(settings)?;
    let path = crate::store::database_path(&dir);
    crate::store::create_private(&path).map_err(|e| OpenError::DataFolder { path: dir, why: e.to_string() })?;
    Ok(path)
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
        BackendKind::Local => open_store(settings).map(|s| AnyBackend::Local(LocalStore::new(Arc::new(s)))),
        // Its conditional requests' answers are kept in the database for the next process.
        BackendKind::Github => open_github(github_config(settings)?, secrets).map(|b| match open_store(settings) {
            Ok(store) => AnyBackend::Github(b.with_disk_cache(Arc::new(store))),
            Err(_) => AnyBackend::Github(b),
        }),
    }
}

/// Opens the outbox in the local database file (whatever the backend).
pub fn open_outbox(settings: &Settings) -> Result<super::outbox::Outbox, OpenError> {
    super::outbox::Outbox::open(database(settings)?).map_err(OpenError::Backend)
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

/// What the tray's outbox sender found: what waits, what was refused, when to look again.
#[derive(Debug, Default)]
pub struct OutboxLook {
    /// Escalations waiting to be sent.
    pub waiting: usize,
    /// Escalations the backend refused, waiting for a person.
    pub refused: usize,
    /// Sent by this look: each deserves a word (it was said waiting).
    pub sent: Vec<rota_core::escalation::Escalation>,
    /// Refused by this look (title, the backend's reason): each deserves a notification.
    pub newly_refused: Vec<(String, String)>,
    /// When the next queued escalation is due.
    pub next: Option<chrono::DateTime<chrono::Utc>>,
    /// The backend could not be opened (the keyring locked or refusing, no token): wait longer
    /// before the next look than a backoff would, instead of a prompt each time.
    pub blocked: bool,
}

/// Sends what waits in the outbox (the tray's sender).
pub async fn drain(settings: &Settings, now: chrono::DateTime<chrono::Utc>) -> OutboxLook {
    let Ok(outbox) = open_outbox(settings) else { return OutboxLook::default() };
    let refused = outbox.refused_count().unwrap_or(0);
    if outbox.queued_count().unwrap_or(0) == 0 {
        return OutboxLook { refused, ..OutboxLook::default() };
    }
    let backend = match open_blocking(settings).await {
        Ok(b) => b,
        Err(e) => {
            eprintln!("rota: the outbox waits: {e}");
            return OutboxLook { waiting: outbox.queued_count().unwrap_or(0), refused, blocked: true, ..OutboxLook::default() };
        }
    };
    let announcer = {
        let settings = settings.clone();
        tokio::task::spawn_blocking(move || announcer(&settings, &crate::secrets::OsKeyring).ok().flatten()).await.ok().flatten()
    };
    let report = outbox.drain(&backend, announcer.as_ref(), now).await;
    for e in &report.sent {
        eprintln!("rota: sent escalation {} from the outbox: {}", e.id, e.title);
    }
    let newly_refused: Vec<(String, String)> = report
        .refused
        .iter()
        .map(|(e, why)| {
            let reason = match why {
                BackendError::Invalid(r) => r.clone(),
                other => other.to_string(),
            };
            eprintln!("rota: the outbox's escalation {:?} was refused: {reason}", e.title);
            (e.title.clone(), reason)
        })
        .collect();
    OutboxLook {
        waiting: report.still_queued,
        refused: report.still_refused,
        sent: report.sent,
        newly_refused,
        next: report.next_attempt,
        blocked: false,
    }
}
