//! What `rota-io`'s tests share beyond the kit (which cannot name this crate's types): secrets
//! held in memory, a GitHub backend pointed at a fake, and the usual filing.

use rota_core::escalation::{NewEscalation, Severity};
use rota_io::escalations::github::{GithubBackend, GithubConfig};
use rota_io::secrets::{SecretError, SecretName, SecretStore, SecretValue};
use std::collections::HashMap;
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
