//! Saving settings: every value checked first (zones, times, sources actually read and parsed),
//! then the config file written atomically, keeping the user's comments and other keys.
//! A bad value never overwrites a good config.

use crate::error::IpcError;
use crate::views::SettingsForm;
use crate::settings::Settings;
use crate::sources::{Kind, Reader, Source};
use chrono::NaiveDate;
use chrono_tz::Tz;
use rota_core::config::ViewerZone;
use rota_core::roster::clock_minutes;
use rota_core::{parse_roster, parse_schedule, ScheduleFormat};
use std::path::Path;
use toml_edit::{value, DocumentMut, Item, Table};

/// The form as the current settings fill it.
pub fn form(settings: &Settings, start_at_login: bool) -> SettingsForm {
    let c = &settings.config;
    let t = c.schedule.timing;
    SettingsForm {
        me: c.me.clone().unwrap_or_default(),
        timezone: match c.timezone {
            ViewerZone::Auto => "auto".into(),
            ViewerZone::Named(z) => z.name().into(),
        },
        schedule_source: c.schedule.source.clone(),
        schedule_timezone: t.timezone.name().into(),
        handoff: format!("{:02}:{:02}", t.handoff / 60, t.handoff % 60),
        team_size: c.schedule.team_size as u32,
        roster_source: c.roster.source.clone().unwrap_or_default(),
        poll_seconds: c.escalations.poll_seconds,
        start_at_login,
        shortcut: c.shortcut.clone().unwrap_or_default(),
        backend: match c.escalations.backend {
            rota_core::config::Backend::Local => "local".into(),
            rota_core::config::Backend::Github => "github".into(),
        },
        github_api: c.escalations.github.api.clone(),
        github_repo: c.escalations.github.repo.clone(),
        github_label: c.escalations.github.label.clone(),
        github_token: String::new(),
    }
}

fn zone(field: &'static str, s: &str) -> Result<Tz, IpcError> {
    s.trim().parse::<Tz>().map_err(|_| IpcError::invalid(field, format!("\"{}\" is not an IANA timezone; use a name like Europe/Berlin", s.trim())))
}

/// Reads a source as saving would use it, so a broken file or dead URL is said beside its field.
async fn check_source(field: &'static str, raw: &str, base: &Path, kind: Kind, reader: &Reader, today: NaiveDate) -> Result<(), IpcError> {
    let source = Source::parse(raw, base).map_err(|e| IpcError::invalid(field, e))?;
    let text = reader.read(&source, kind, today).await.map_err(|e| IpcError::invalid(field, e.to_string()))?;
    let findings = match kind {
        Kind::Schedule => {
            let format = if matches!(source, Source::Demo | Source::Handbook) { ScheduleFormat::Markdown } else { ScheduleFormat::from_name(&text.name) };
            parse_schedule(format, &text.name, &text.text).findings
        }
        Kind::Roster => parse_roster(&text.name, &text.text).findings,
    };
    match findings.into_iter().find(|f| f.is_error()) {
        Some(f) => Err(IpcError::invalid(field, f.to_string())),
        None => Ok(()),
    }
}

/// Checks every field; all problems at once.
pub async fn validate(form: &SettingsForm, base: &Path, reader: &Reader, today: NaiveDate) -> Vec<IpcError> {
    let mut errors = Vec::new();
    if !form.timezone.trim().eq_ignore_ascii_case("auto") {
        errors.extend(zone("timezone", &form.timezone).err());
    }
    errors.extend(zone("schedule-timezone", &form.schedule_timezone).err());
    if clock_minutes(form.handoff.trim(), false).is_none() {
        errors.push(IpcError::invalid("handoff", format!("\"{}\" is not a time of day; write HH:MM, like 00:00", form.handoff.trim())));
    }
    if form.team_size == 0 {
        errors.push(IpcError::invalid("team-size", "a rotation needs at least one seat"));
    }
    if form.poll_seconds < 15 {
        errors.push(IpcError::invalid("poll-seconds", "poll at most every 15 seconds"));
    }
    let shortcut = form.shortcut.trim();
    if !shortcut.is_empty() && !shortcut.eq_ignore_ascii_case("none") {
        if let Err(e) = shortcut.parse::<rota_core::shortcut::Shortcut>() {
            errors.push(IpcError::invalid("shortcut", e.to_string()));
        }
    }
    let backend = form.backend.trim();
    if backend != "local" && backend != "github" {
        errors.push(IpcError::invalid("backend", "choose local or github"));
    }
    if backend == "github" {
        let repo = form.github_repo.trim();
        let parts: Vec<&str> = repo.split('/').collect();
        if parts.len() != 2 || parts.iter().any(|p| p.is_empty()) {
            errors.push(IpcError::invalid("github-repo", "give the repository as owner/name, like acme/escalations"));
        }
        let api = form.github_api.trim();
        let loopback = api.starts_with("http://127.0.0.1") || api.starts_with("http://localhost");
        if !(api.starts_with("https://") || loopback) || reqwest::Url::parse(api).is_err() {
            errors.push(IpcError::invalid("github-api", "the API URL must be https, like https://api.github.com"));
        }
        if form.github_label.trim().is_empty() {
            errors.push(IpcError::invalid("github-label", "give the label escalations carry, like escalation"));
        }
    }
    if form.schedule_source.trim().is_empty() {
        errors.push(IpcError::invalid("schedule-source", "give a path, an https URL, or builtin:demo"));
    } else {
        errors.extend(check_source("schedule-source", &form.schedule_source, base, Kind::Schedule, reader, today).await.err());
    }
    if !form.roster_source.trim().is_empty() {
        errors.extend(check_source("roster-source", &form.roster_source, base, Kind::Roster, reader, today).await.err());
    }
    errors
}

fn table<'a>(doc: &'a mut DocumentMut, name: &str) -> &'a mut Table {
    if !doc.contains_table(name) {
        doc[name] = Item::Table(Table::new());
    }
    doc[name].as_table_mut().expect("just made a table")
}

/// Stores a new GitHub token in the keyring, when the form carries one.
pub fn store_token(form: &SettingsForm) -> Result<(), IpcError> {
    use crate::secrets::{OsKeyring, SecretName, SecretStore, SecretValue};
    if form.github_token.trim().is_empty() {
        return Ok(());
    }
    let value = SecretValue::from_input(&form.github_token).map_err(|e| IpcError::invalid("github-token", e.to_string()))?;
    OsKeyring.set(SecretName::GithubToken, &value).map_err(|e| IpcError::invalid("github-token", format!("the keyring refused the token: {e}")))
}

/// Whether the keyring holds a GitHub token.
pub fn token_stored() -> bool {
    use crate::secrets::{OsKeyring, SecretName, SecretStore};
    matches!(OsKeyring.get(SecretName::GithubToken), Ok(Some(_)))
}

/// Writes the form into the config file at `path`, keeping comments and keys it does not set.
pub fn write(form: &SettingsForm, path: &Path) -> Result<(), IpcError> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let mut doc: DocumentMut = old.parse().unwrap_or_default();
    let me = form.me.trim().trim_start_matches('@');
    if me.is_empty() {
        doc.remove("me");
    } else {
        doc["me"] = value(me);
    }
    doc["timezone"] = value(form.timezone.trim());
    doc["shortcut"] = value(if form.shortcut.trim().is_empty() { "none" } else { form.shortcut.trim() });
    let schedule = table(&mut doc, "schedule");
    schedule["source"] = value(form.schedule_source.trim());
    schedule["timezone"] = value(form.schedule_timezone.trim());
    schedule["handoff"] = value(form.handoff.trim());
    schedule["team_size"] = value(form.team_size as i64);
    let roster = table(&mut doc, "roster");
    if form.roster_source.trim().is_empty() {
        roster.remove("source");
    } else {
        roster["source"] = value(form.roster_source.trim());
    }
    let escalations = table(&mut doc, "escalations");
    escalations["poll_seconds"] = value(form.poll_seconds as i64);
    escalations["backend"] = value(form.backend.trim());
    let mut github = toml_edit::InlineTable::new();
    github.insert("api", form.github_api.trim().into());
    github.insert("repo", form.github_repo.trim().into());
    github.insert("label", form.github_label.trim().into());
    escalations["github"] = value(github);

    let io = |e: std::io::Error| IpcError::io(format!("{} could not be written: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    // Written beside and renamed over: a crash leaves the old file or the new, never half of one.
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, doc.to_string()).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}
