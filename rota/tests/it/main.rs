//! The `rota` binary's integration tests, one binary: each module a file of tests that run the
//! real `rota` in a home of its own (`support`, from the kit). The tests that need a Secret
//! Service are built only with the `keyring-tests` feature, which `tests/keyring.sh` turns on
//! inside a private D-Bus session with an unlocked keyring.

/// What the command-line tests share, from the kit: the home `rota` runs in, its runners, and
/// the team's files.
mod support {
    pub use rota_testkit::home::*;
    pub use rota_testkit::team::{scripted_stats, SCHEDULE};

    /// Asserts each field of the JSON object `v` named in `fields`, (name, the string it holds).
    pub fn assert_fields(v: &serde_json::Value, fields: &[(&str, &str)]) {
        for (name, want) in fields {
            assert_eq!(v[name], *want, "{name} of {v}");
        }
    }
}

mod away_cli;
mod cli;
mod cli_escalations;
mod cli_lifecycle;
mod cli_terminal;
mod crates;
mod export_ical;
mod handover_cli;
mod hostile;
mod outbox_cli;
#[cfg(feature = "keyring-tests")]
mod outbox_keyring;
#[cfg(feature = "keyring-tests")]
mod outbox_refused;
mod outbox_steer;
mod package_prerm;
mod plan_cli;
mod private_files;
mod secret_prompt;
#[cfg(feature = "keyring-tests")]
mod secrets_cli;
#[cfg(feature = "keyring-tests")]
mod slack_cli;
mod startup;
#[cfg(feature = "keyring-tests")]
mod stats_github;
mod terminal_safe;
mod tidy;
