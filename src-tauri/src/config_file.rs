//! Saving settings: every value checked first (zones, times, sources actually read and parsed),
//! then the config file written atomically, keeping the user's comments and other keys.
//! A bad value never overwrites a good config.

use crate::error::IpcError;
use crate::views::SettingsForm;
use crate::settings::Settings;
use crate::sources::{Kind, Reader, Source};
use chrono::NaiveDate;
use rota_core::config::ViewerZone;
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

/// Checks every field; all problems at once. The rules are the core's (`rota_core::config`), the
/// same ones `rota check` and loading apply to the file.
pub async fn validate(form: &SettingsForm, base: &Path, reader: &Reader, today: NaiveDate) -> Vec<IpcError> {
    use rota_core::config as rules;
    let mut errors = Vec::new();
    let mut check = |field: &'static str, result: Result<(), String>| {
        if let Err(e) = result {
            errors.push(IpcError::invalid(field, e));
        }
    };
    if !form.timezone.trim().eq_ignore_ascii_case("auto") {
        check("timezone", rules::timezone(&form.timezone).map(drop));
    }
    check("schedule-timezone", rules::timezone(&form.schedule_timezone).map(drop));
    check("handoff", rules::handoff(&form.handoff).map(drop));
    check("team-size", rules::team_size(form.team_size.into()).map(drop));
    check("poll-seconds", rules::poll_seconds(form.poll_seconds).map(drop));
    check("shortcut", rules::shortcut(&form.shortcut).map(drop));
    let backend = form.backend.trim();
    if backend != "local" && backend != "github" {
        check("backend", Err("choose local or github".into()));
    }
    // The GitHub fields are checked whenever they are filled in (they are saved either way), and
    // the repository is required only for the github backend.
    if backend == "github" || !form.github_repo.trim().is_empty() {
        check("github-repo", rules::github_repo(&form.github_repo).map(drop));
    }
    check("github-api", rules::web_url(&form.github_api).map(drop));
    check("github-label", rules::github_label(&form.github_label).map(drop));
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

/// Stores a new GitHub token in the keyring, for the form's API host, when the form carries one.
pub fn store_token(form: &SettingsForm) -> Result<(), IpcError> {
    use crate::secrets::{OsKeyring, SecretStore, SecretValue};
    if form.github_token.trim().is_empty() {
        return Ok(());
    }
    let host = rota_core::config::web_url(&form.github_api).map_err(|e| IpcError::invalid("github-api", e))?.authority();
    let value = SecretValue::from_input(&form.github_token).map_err(|e| IpcError::invalid("github-token", e.to_string()))?;
    OsKeyring.set_github_token(&host, &value).map_err(|e| IpcError::invalid("github-token", format!("the keyring refused the token: {e}")))
}

/// Whether the keyring holds a GitHub token for the API at `api`.
pub fn token_stored(api: &str) -> bool {
    use crate::secrets::{OsKeyring, SecretStore};
    let Ok(url) = rota_core::config::web_url(api) else { return false };
    matches!(OsKeyring.get_github_token(&url.authority()), Ok(Some(_)))
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
