//! Secrets (the GitHub token, the Slack webhook URL, the Slack token) in the OS keyring, under service `rota`.
//!
//! The keyring is the only place Rota keeps a secret: Keychain on macOS, Credential Manager on
//! Windows, the Secret Service (GNOME Keyring, KWallet) elsewhere. A [`SecretValue`] never shows
//! itself: it has no `Display`, its `Debug` prints `SecretValue(***)`, and no [`SecretError`]
//! carries it, so it cannot reach a log line, an error message or a crash report by accident.
//!
//! This module is not a config store and does not prompt: reading a value from the user (stdin
//! for `rota secret set`, the settings window) is the caller's job.

use std::fmt;
use std::str::FromStr;

/// The keyring service every Rota secret is stored under.
pub const SERVICE: &str = "rota";

/// The secrets Rota knows. Closed: a typo is an error, not a new keyring entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretName {
    GithubToken,
    SlackWebhook,
    /// A Slack bot or user token with `usergroups:read` and `usergroups:write`.
    SlackToken,
}

impl SecretName {
    pub const ALL: [SecretName; 3] = [SecretName::GithubToken, SecretName::SlackWebhook, SecretName::SlackToken];

    /// The name on the command line and the keyring entry's user name.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretName::GithubToken => "github-token",
            SecretName::SlackWebhook => "slack-webhook",
            SecretName::SlackToken => "slack-token",
        }
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SecretName {
    type Err = SecretError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SecretName::ALL.into_iter().find(|n| n.as_str() == s).ok_or_else(|| SecretError::UnknownName(s.to_owned()))
    }
}

/// A secret's value. Read it with [`SecretValue::expose`] where it is sent, nowhere else.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    pub fn new(value: impl Into<String>) -> Self {
        SecretValue(value.into())
    }

    /// A value typed or piped in: surrounding whitespace (the final newline) is dropped, and an
    /// empty value is refused.
    pub fn from_input(text: &str) -> Result<Self, SecretError> {
        let value = text.trim();
        if value.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(SecretValue(value.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(***)")
    }
}

/// Why a keyring call failed. No variant holds a secret value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretError {
    /// Not one of [`SecretName`]'s names.
    UnknownName(String),
    /// An empty value was given.
    Empty,
    /// No keyring can be reached (no Secret Service running, or it is locked).
    NoStorage(String),
    /// The keyring holds something Rota cannot use (not UTF-8, several matching entries).
    Unusable(String),
    /// The keyring failed.
    Platform(String),
}

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretError::UnknownName(n) => {
                write!(f, "unknown secret {n:?}: use github-token, slack-webhook or slack-token")
            }
            SecretError::Empty => f.write_str("the secret is empty"),
            SecretError::NoStorage(why) => write!(f, "no OS keyring is available ({why})"),
            SecretError::Unusable(why) => write!(f, "the keyring entry cannot be used: {why}"),
            SecretError::Platform(why) => write!(f, "the OS keyring failed: {why}"),
        }
    }
}

impl std::error::Error for SecretError {}

/// Where secrets are kept: [`OsKeyring`] in the app, another store in the shell's own tests.
pub trait SecretStore {
    /// Stores `value` under `name`, replacing any previous value.
    fn set(&self, name: SecretName, value: &SecretValue) -> Result<(), SecretError>;
    /// The value stored under `name`, if any.
    fn get(&self, name: SecretName) -> Result<Option<SecretValue>, SecretError>;
    /// Removes `name`; `false` when there was nothing to remove.
    fn delete(&self, name: SecretName) -> Result<bool, SecretError>;

    /// A secret stored for one API host (`host[:port]`, as `rota_core::config::WebUrl::authority`
    /// gives it): the Slack token, kept per host like the GitHub token, so a config pointed at
    /// another host finds none. A store with one value for every host (the tests' own) keeps the
    /// default.
    fn get_at(&self, name: SecretName, _host: &str) -> Result<Option<SecretValue>, SecretError> {
        self.get(name)
    }
    /// Stores a secret for one API host.
    fn set_at(&self, name: SecretName, _host: &str, value: &SecretValue) -> Result<(), SecretError> {
        self.set(name, value)
    }
    /// Removes the secret stored for one API host.
    fn delete_at(&self, name: SecretName, _host: &str) -> Result<bool, SecretError> {
        self.delete(name)
    }
    /// The GitHub token stored for one API host (`host[:port]`, as
    /// `rota_core::config::WebUrl::authority` gives it): a config pointed at another host finds
    /// none, so the token never goes to a host it was not stored for. A store with one token for
    /// every host (the tests' own) keeps the default.
    fn get_github_token(&self, _host: &str) -> Result<Option<SecretValue>, SecretError> {
        self.get(SecretName::GithubToken)
    }
    /// Stores the GitHub token for one API host.
    fn set_github_token(&self, _host: &str, value: &SecretValue) -> Result<(), SecretError> {
        self.set(SecretName::GithubToken, value)
    }
    /// Removes the GitHub token stored for one API host.
    fn delete_github_token(&self, _host: &str) -> Result<bool, SecretError> {
        self.delete(SecretName::GithubToken)
    }
}

/// The keyring user name of the GitHub token for an API host: `github-token@api.github.com`.
pub fn github_token_account(host: &str) -> String {
    account_at(SecretName::GithubToken, host)
}

/// The keyring user name of a secret kept per API host: `slack-token@slack.com`.
pub fn account_at(name: SecretName, host: &str) -> String {
    format!("{}@{}", name.as_str(), host.to_ascii_lowercase())
}

/// The platform's keyring, entries under service [`SERVICE`] named by [`SecretName::as_str`].
#[derive(Debug, Clone, Copy, Default)]
pub struct OsKeyring;

fn keyring_error(e: keyring::Error) -> SecretError {
    use keyring::Error as E;
    match e {
        // Built by hand: these variants carry the stored bytes or the credentials.
        E::BadEncoding(_) => SecretError::Unusable("the stored value is not text".into()),
        E::Ambiguous(found) => SecretError::Unusable(format!("{} entries match", found.len())),
        E::NoStorageAccess(err) => SecretError::NoStorage(err.to_string()),
        E::PlatformFailure(err) => SecretError::Platform(err.to_string()),
        E::TooLong(attr, max) => SecretError::Platform(format!("{attr} is longer than {max}")),
        E::Invalid(attr, why) => SecretError::Platform(format!("{attr} is invalid: {why}")),
        E::NoEntry => SecretError::Platform("no entry".into()),
        _ => SecretError::Platform("unexpected keyring error".into()),
    }
}

fn entry(name: SecretName) -> Result<keyring::Entry, SecretError> {
    keyring::Entry::new(SERVICE, name.as_str()).map_err(keyring_error)
}

fn github_entry(host: &str) -> Result<keyring::Entry, SecretError> {
    entry_at(SecretName::GithubToken, host)
}

fn entry_at(name: SecretName, host: &str) -> Result<keyring::Entry, SecretError> {
    keyring::Entry::new(SERVICE, &account_at(name, host)).map_err(keyring_error)
}

fn get_entry(entry: keyring::Entry) -> Result<Option<SecretValue>, SecretError> {
    match entry.get_password() {
        Ok(v) => Ok(Some(SecretValue(v))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(keyring_error(e)),
    }
}

fn delete_entry(entry: keyring::Entry) -> Result<bool, SecretError> {
    match entry.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(keyring_error(e)),
    }
}

impl SecretStore for OsKeyring {
    fn set(&self, name: SecretName, value: &SecretValue) -> Result<(), SecretError> {
        if value.expose().is_empty() {
            return Err(SecretError::Empty);
        }
        entry(name)?.set_password(value.expose()).map_err(keyring_error)
    }

    fn get(&self, name: SecretName) -> Result<Option<SecretValue>, SecretError> {
        get_entry(entry(name)?)
    }

    fn delete(&self, name: SecretName) -> Result<bool, SecretError> {
        delete_entry(entry(name)?)
    }

    fn get_at(&self, name: SecretName, host: &str) -> Result<Option<SecretValue>, SecretError> {
        get_entry(entry_at(name, host)?)
    }

    fn set_at(&self, name: SecretName, host: &str, value: &SecretValue) -> Result<(), SecretError> {
        if value.expose().is_empty() {
            return Err(SecretError::Empty);
        }
        entry_at(name, host)?.set_password(value.expose()).map_err(keyring_error)
    }

    fn delete_at(&self, name: SecretName, host: &str) -> Result<bool, SecretError> {
        delete_entry(entry_at(name, host)?)
    }

    fn get_github_token(&self, host: &str) -> Result<Option<SecretValue>, SecretError> {
        get_entry(github_entry(host)?)
    }

    fn set_github_token(&self, host: &str, value: &SecretValue) -> Result<(), SecretError> {
        if value.expose().is_empty() {
            return Err(SecretError::Empty);
        }
        github_entry(host)?.set_password(value.expose()).map_err(keyring_error)
    }

    fn delete_github_token(&self, host: &str) -> Result<bool, SecretError> {
        delete_entry(github_entry(host)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for n in SecretName::ALL {
            assert_eq!(n.as_str().parse::<SecretName>(), Ok(n));
        }
        assert_eq!("github_token".parse::<SecretName>(), Err(SecretError::UnknownName("github_token".into())));
    }

    #[test]
    fn a_value_never_shows_itself() {
        let v = SecretValue::from_input("ghp_s3cr3tvalue\n").unwrap();
        assert_eq!(v.expose(), "ghp_s3cr3tvalue");
        assert_eq!(format!("{v:?}"), "SecretValue(***)");
        assert_eq!(format!("{:?}", Some(&v)), "Some(SecretValue(***))");
        assert_eq!(SecretValue::from_input(" \n"), Err(SecretError::Empty));
        let bad = keyring_error(keyring::Error::BadEncoding(b"ghp_s3cr3tvalue".to_vec()));
        assert!(!format!("{bad} {bad:?}").contains("s3cr3t"));
    }
}
