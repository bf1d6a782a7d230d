//! Saving settings: every value checked first (zones, times, sources actually read and parsed),
//! then the config file written atomically, keeping the user's comments and other keys.
//! A bad value never overwrites a good config.

use crate::error::IpcError;
use crate::settings::Settings;
use crate::sources::{Kind, Reader, Source};
use crate::views::SettingsForm;
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
        notices: c.notices.into(),
        slack_sync: c.slack.sync_usergroup,
        slack_usergroup: c.slack.usergroup.clone().unwrap_or_default(),
        slack_token: String::new(),
    }
}

/// Reads a source as saving would use it, so a broken file or dead URL is said beside its field.
/// A source as the form names it, read and parsed.
enum Read {
    Schedule(rota_core::Schedule),
    Roster(rota_core::Roster),
}

async fn check_source(
    field: &'static str,
    raw: &str,
    base: &Path,
    kind: Kind,
    reader: &Reader,
    today: NaiveDate,
) -> Result<Read, IpcError> {
    let source = Source::parse(raw, base).map_err(|e| IpcError::invalid(field, e))?;
    let text = reader.read(&source, kind, today).await.map_err(|e| IpcError::invalid(field, e.to_string()))?;
    let (findings, read) = match kind {
        Kind::Schedule => {
            let format = if matches!(source, Source::Demo | Source::Handbook) {
                ScheduleFormat::Markdown
            } else {
                ScheduleFormat::from_name(&text.name)
            };
            let parsed = parse_schedule(format, &text.name, &text.text);
            (parsed.findings, Read::Schedule(parsed.value))
        }
        Kind::Roster => {
            let parsed = parse_roster(&text.name, &text.text);
            (parsed.findings, Read::Roster(parsed.value))
        }
        // A feed of time off is checked as a calendar; whose events they are is the roster's say.
        Kind::Away => {
            let parsed = rota_core::away::feed::parse_feed(&text.name, &text.text, &rota_core::Roster::default());
            (parsed.findings, Read::Roster(rota_core::Roster::default()))
        }
    };
    match findings.into_iter().find(|f| f.is_error()) {
        Some(f) => Err(IpcError::invalid(field, f.to_string())),
        None => Ok(read),
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
    match rules::slack_group(&form.slack_usergroup) {
        Err(e) => check("slack-usergroup", Err(e.replacen("slack_group", "The group", 1))),
        Ok(None) if form.slack_sync => {
            check("slack-usergroup", Err("give the user group's ID (like \"S0123ABCD\") to keep it in step".into()))
        }
        Ok(_) => {}
    }
    let mut read = Vec::new();
    if form.schedule_source.trim().is_empty() {
        errors.push(IpcError::invalid("schedule-source", "give a path, an https URL, or builtin:demo"));
    } else {
        read.push(check_source("schedule-source", &form.schedule_source, base, Kind::Schedule, reader, today).await);
    }
    if !form.roster_source.trim().is_empty() {
        read.push(check_source("roster-source", &form.roster_source, base, Kind::Roster, reader, today).await);
    }
    let (mut schedule, mut roster) = (None, rota_core::Roster::default());
    for r in read {
        match r {
            Ok(Read::Schedule(s)) => schedule = Some(s),
            Ok(Read::Roster(r)) => roster = r,
            Err(e) => errors.push(e),
        }
    }
    // A handle near someone's on the team is a typo: the tray would lose "(you)" and my
    // escalations without a word. (One near nobody may be a support engineer's: allowed.)
    if let Some(schedule) = schedule.filter(|_| !form.me.trim().is_empty()) {
        if let Some(f) = rota_core::lint::me(&form.me, "", None, &schedule, &roster).filter(|f| f.is_error()) {
            errors.push(IpcError::invalid("me", f.message));
        }
    }
    errors
}

fn table<'a>(doc: &'a mut DocumentMut, name: &str) -> &'a mut Table {
    if !doc.contains_table(name) {
        doc[name] = Item::Table(Table::new());
    }
    doc[name].as_table_mut().expect("just made a table")
}

/// Stores a new GitHub token in the keyring, for the form's API host, and a new Slack token, for
/// the Slack API host `slack_api`, when the form carries them.
pub fn store_token(form: &SettingsForm, slack_api: &str) -> Result<(), IpcError> {
    use crate::secrets::{OsKeyring, SecretName, SecretStore, SecretValue};
    if !form.slack_token.trim().is_empty() {
        let value = SecretValue::from_input(&form.slack_token).map_err(|e| IpcError::invalid("slack-token", e.to_string()))?;
        let host =
            rota_core::config::web_url(slack_api).map_err(|e| IpcError::invalid("slack-token", format!("slack.api: {e}")))?.authority();
        OsKeyring
            .set_at(SecretName::SlackToken, &host, &value)
            .map_err(|e| IpcError::invalid("slack-token", format!("the keyring refused the token: {e}")))?;
    }
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

/// Whether the keyring holds a Slack token for the API at `api`.
pub fn slack_token_stored(api: &str) -> bool {
    use crate::secrets::{OsKeyring, SecretName, SecretStore};
    let Ok(url) = rota_core::config::web_url(api) else { return false };
    matches!(OsKeyring.get_at(SecretName::SlackToken, &url.authority()), Ok(Some(_)))
}

/// Sets `key` in `table` to `v`, keeping the comment and spacing around the old value.
fn set(table: &mut Table, key: &str, v: impl Into<toml_edit::Value>) {
    let mut v = v.into();
    if let Some(old) = table.get(key).and_then(Item::as_value) {
        *v.decor_mut() = old.decor().clone();
    }
    table[key] = Item::Value(v);
}

/// The line (from 1) of a byte offset in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Writes the form into the config file at `path`, keeping what the form does not set:
/// comments, key order, table style (`[escalations.github]` stays a table), unknown keys, the
/// file's mode. A file that does not parse is never overwritten: the error names its line. A
/// symbolic link is written through (its target changes, the link stays).
pub fn write(form: &SettingsForm, path: &Path) -> Result<(), IpcError> {
    let io = |e: std::io::Error| IpcError::io(format!("{} could not be written: {e}", path.display()));
    // Through a symbolic link: the file it names (a missing target is created).
    let target = match std::fs::canonicalize(path) {
        Ok(t) => t,
        Err(_) => match std::fs::read_link(path) {
            Ok(link) => path.parent().map(|d| d.join(&link)).unwrap_or(link),
            Err(_) => path.to_path_buf(),
        },
    };
    let old = match std::fs::read_to_string(&target) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(IpcError::unreadable(format!("{} cannot be read ({e}); nothing was saved", path.display()))),
    };
    let mut doc: DocumentMut = match &old {
        None => DocumentMut::new(),
        Some(text) => text.parse().map_err(|e: toml_edit::TomlError| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            IpcError::unreadable(format!(
                "{}:{line}: {}. Fix the file by hand (Save keeps what it cannot read rather than replace it)",
                path.display(),
                e.message().trim_end_matches('.')
            ))
        })?,
    };
    let root = doc.as_table_mut();
    let me = form.me.trim().trim_start_matches('@');
    if me.is_empty() {
        root.remove("me");
    } else {
        set(root, "me", me);
    }
    set(root, "timezone", form.timezone.trim());
    set(root, "shortcut", if form.shortcut.trim().is_empty() { "none" } else { form.shortcut.trim() });
    let schedule = table(&mut doc, "schedule");
    set(schedule, "source", form.schedule_source.trim());
    set(schedule, "timezone", form.schedule_timezone.trim());
    set(schedule, "handoff", form.handoff.trim());
    set(schedule, "team_size", form.team_size as i64);
    let roster = table(&mut doc, "roster");
    if form.roster_source.trim().is_empty() {
        roster.remove("source");
    } else {
        set(roster, "source", form.roster_source.trim());
    }
    let escalations = table(&mut doc, "escalations");
    set(escalations, "poll_seconds", form.poll_seconds as i64);
    set(escalations, "backend", form.backend.trim());
    let github = [("api", form.github_api.trim()), ("repo", form.github_repo.trim()), ("label", form.github_label.trim())];
    match escalations.get_mut("github") {
        // `[escalations.github]` stays a table, `github = { … }` stays inline; other keys stay.
        Some(Item::Table(t)) => github.iter().for_each(|(k, v)| set(t, k, *v)),
        Some(Item::Value(toml_edit::Value::InlineTable(t))) => {
            for (k, v) in github {
                let mut new = toml_edit::Value::from(v);
                if let Some(old) = t.get(k) {
                    *new.decor_mut() = old.decor().clone();
                }
                t.insert(k, new);
            }
        }
        _ => {
            let mut inline = toml_edit::InlineTable::new();
            github.iter().for_each(|(k, v)| {
                inline.insert(*k, toml_edit::Value::from(*v));
            });
            escalations["github"] = value(inline);
        }
    }
    let notices = table(&mut doc, "notices");
    let n = form.notices;
    let keys = [
        ("week_before", n.week_before),
        ("day_before", n.day_before),
        ("handoff", n.handoff),
        ("before_end", n.before_end),
        ("schedule_change", n.schedule_change),
        ("day_start", n.day_start),
        ("hold_while_asleep", n.hold_while_asleep),
    ];
    for (k, on) in keys {
        set(notices, k, on);
    }
    // `[slack]` is written only once it says something: a config without Slack stays without.
    if form.slack_sync || !form.slack_usergroup.trim().is_empty() || doc.contains_table("slack") {
        let slack = table(&mut doc, "slack");
        set(slack, "sync_usergroup", form.slack_sync);
        match form.slack_usergroup.trim() {
            "" => drop(slack.remove("usergroup")),
            group => set(slack, "usergroup", group),
        }
    }
    replace_file(&target, doc.to_string().as_bytes()).map_err(io)
}

/// The one writer of Rota's files: private from the first byte (`rota_io::files`).
pub use rota_io::files::replace_file;

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SettingsForm {
        SettingsForm {
            me: "ann".into(),
            timezone: "UTC".into(),
            schedule_source: "builtin:demo".into(),
            schedule_timezone: "UTC".into(),
            handoff: "00:00".into(),
            team_size: 3,
            roster_source: String::new(),
            poll_seconds: 60,
            start_at_login: false,
            shortcut: String::new(),
            backend: "github".into(),
            github_api: "https://api.github.com".into(),
            github_repo: "acme/esc".into(),
            github_label: "escalation".into(),
            github_token: String::new(),
            notices: crate::views::NoticesForm { day_before: false, ..Default::default() },
            ..SettingsForm::default()
        }
    }

    /// A config that does not parse is never replaced; the error names its line.
    #[test]
    fn a_file_that_does_not_parse_is_left_alone_and_its_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let broken = "# mine\nme = \"ann\"\nslack_group = \"S1\"\n[schedule]\nsource = \"unclosed\n";
        std::fs::write(&path, broken).unwrap();
        let e = write(&form(), &path).unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::ConfigUnreadable);
        assert!(e.message.contains("config.toml:5:"), "{}", e.message);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    /// Comments, key order, unknown keys and `[escalations.github]` as a table stay;
    /// the mode stays; a symbolic link is written through.
    #[test]
    fn saving_keeps_comments_order_tables_unknown_keys_mode_and_links() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles/rota.toml");
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        let text = "# Rota, my way\nme = \"bob\" # that is me\ntimezone = \"auto\"\n\n[escalations]\nslack_group = \"S0123\" # the EE group\nbackend = \"local\"\n\n[escalations.github]\n# which repo\nrepo = \"old/repo\"\nextra = true\n";
        std::fs::write(&real, text).unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("config.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();

        write(&form(), &link).unwrap();

        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
        let saved = std::fs::read_to_string(&real).unwrap();
        assert!(saved.starts_with("# Rota, my way\nme = \"ann\" # that is me\ntimezone = \"UTC\"\n"), "{saved}");
        assert!(saved.contains("slack_group = \"S0123\" # the EE group\nbackend = \"github\""), "{saved}");
        assert!(saved.contains("[escalations.github]\n# which repo\nrepo = \"acme/esc\"\nextra = true\n"), "{saved}");
        assert!(!saved.contains("github = {"), "{saved}");
        assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
        // The notices' checkboxes, as the `[notices]` table.
        assert!(
            saved.ends_with(
                "[notices]\nweek_before = true\nday_before = false\nhandoff = true\nbefore_end = true\nschedule_change = true\nday_start = true\nhold_while_asleep = true\n"
            ),
            "{saved}"
        );
        assert_eq!(std::fs::read_dir(real.parent().unwrap()).unwrap().count(), 1, "no temporary file left");
    }

    /// The Slack switch and group are written as `[slack]`, read back by the core's parser; a
    /// config that never spoke of Slack gains no table; the switch without a group is refused.
    #[tokio::test]
    async fn the_slack_switch_and_group_round_trip_and_the_switch_needs_a_group() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        write(&form(), &path).unwrap();
        assert!(!std::fs::read_to_string(&path).unwrap().contains("[slack]"));
        let on = SettingsForm { slack_sync: true, slack_usergroup: " S0ESCALATE ".into(), ..form() };
        write(&on, &path).unwrap();
        let parsed = rota_core::parse_config("config.toml", &std::fs::read_to_string(&path).unwrap());
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        assert_eq!((parsed.value.slack.sync_usergroup, parsed.value.slack.usergroup.as_deref()), (true, Some("S0ESCALATE")));

        let fields = |f: SettingsForm| async move {
            let today = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
            validate(&f, Path::new("/"), &Reader::new(None), today).await.into_iter().map(|e| e.field).collect::<Vec<_>>()
        };
        assert_eq!(fields(SettingsForm { slack_sync: true, ..form() }).await, [Some("slack-usergroup")]);
        assert_eq!(fields(SettingsForm { slack_usergroup: "escalation-engineers".into(), ..form() }).await, [Some("slack-usergroup")]);
        assert_eq!(fields(on).await, Vec::<Option<&str>>::new());
    }
}
