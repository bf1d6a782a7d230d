//! What `rota-io`'s tests share beyond the kit (which cannot name this crate's types): secrets
//! held in memory, a local store and its outbox, a GitHub backend pointed at a fake, and the
//! usual filing.

use rota_core::escalation::{NewEscalation, Severity};
use rota_io::escalations::github::{GithubBackend, GithubConfig};
use rota_io::escalations::local::LocalStore;
use rota_io::escalations::outbox::Outbox;
use rota_io::secrets::{SecretError, SecretName, SecretStore, SecretValue};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// Secrets in memory, for a test that cannot reach a keyring.
#[derive(Default)]
pub struct MemorySecrets(Mutex<HashMap<&'static str, SecretValue>>);

impl SecretStore for MemorySecrets {
    fn set(&self, name: SecretName, value: &SecretValue) -> Result<(), SecretError> {
        self.0.lock().unwrap().insert(name.as_str(), value.clone());
        Ok(())
    }
    fn get(&self, name: SecretName) -> Result<Option<SecretValue>, SecretError> {
        Ok(self.0.lock().unwrap().get(name.as_str()).cloned())
    }
    fn delete(&self, name: SecretName) -> Result<bool, SecretError> {
        Ok(self.0.lock().unwrap().remove(name.as_str()).is_some())
    }
}

/// The GitHub backend for `acme/escalations` at `api` (a fake's base URL), as `ann`, with the
/// token `ghp_test`; `tweak` changes its config first (a shorter timeout, say).
pub fn github_with(api: &str, tweak: impl FnOnce(&mut GithubConfig)) -> GithubBackend {
    let mut config = GithubConfig::new(api, "acme/escalations", "ann").unwrap();
    tweak(&mut config);
    GithubBackend::new(config, &SecretValue::new("ghp_test")).unwrap()
}

/// What a support person files for Acme Corp: `title`, at `severity`, to `assignee`, by `sam`; a
/// test sets the other fields it is about with `..filing(…)`.
pub fn filing(title: &str, assignee: &str, severity: Severity) -> NewEscalation {
    NewEscalation {
        title: title.into(),
        customer: Some("Acme Corp".into()),
        severity,
        assignee: Some(assignee.into()),
        reporter: Some("sam".into()),
        ..NewEscalation::default()
    }
}

/// A real SQLite file in a folder of its own, as the local backend and as the outbox.
pub struct Local {
    /// The folder: the file goes with it.
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub store: LocalStore,
    pub outbox: Outbox,
}

pub fn local() -> Local {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("escalations.sqlite3");
    Local { store: LocalStore::open(&db).unwrap(), outbox: Outbox::open(&db).unwrap(), db, dir }
}
