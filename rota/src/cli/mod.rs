//! The `rota` subcommands: each reads the inputs, asks the core, and prints text or JSON.
//!
//! Text for people never carries a character the terminal would obey from outside:
//! every value from outside (a name, a seat, a title, a server's words) is shown through
//! [`rota_core::printable`], control characters and bidi overrides replaced by `�`. A one-line
//! message goes through [`say`], [`note`], [`error`] or [`warning`], which make the whole line
//! printable, a line break in it too, so no value forges a line. A block of lines (`render.rs`,
//! `stats.rs`, `outbox.rs`) has its values made printable as it lays them out, and [`show`] checks
//! it once more before it is written, keeping only its line breaks and, with colour,
//! `render::Term`'s own colour codes. JSON is printed as serde writes it: exact.

pub mod args;
mod escalate;
mod export;
mod handover;
mod life;
mod outbox;
mod plan;
mod render;
mod slack;
mod stats;

use crate::clock;
use crate::inputs::{self, Inputs};
use crate::models;
use crate::settings::{self, Failure, Settings};
use crate::sources::Reader;
use args::{Command, Global};
use chrono::{DateTime, Utc};
use render::Term;
use rota_core::escalation::NewEscalation;
use rota_core::{coverage, glance, lint, printable, Rules};
use rota_io::filing::{Ask, To};
use rota_io::protocol::Overrides;
use serde::Serialize;

/// Runs a subcommand and returns the process's exit status.
pub fn run(global: &Global, command: Command) -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            error(&format!("cannot start: {e}"));
            return 1;
        }
    };
    match runtime.block_on(dispatch(&global.overrides(), global.color, command)) {
        Ok(code) => code,
        Err(Failure::Usage(msg)) => {
            error(&msg);
            2
        }
        Err(Failure::Input(problems)) => {
            for p in problems {
                error(&p.placed());
            }
            1
        }
    }
}

/// Prints one line for people on stdout.
pub fn say(line: &str) {
    println!("{}", printable(line));
}

/// Says something on stderr: `rota: …`.
pub fn note(line: &str) {
    eprintln!("rota: {}", printable(line));
}

/// Prints text laid out in lines on stdout; `colour` when it was laid out for a terminal that
/// takes colour ([`render::Term`]).
pub fn show(text: &str, colour: bool) {
    let text = if colour { rota_core::printable::printable_coloured(text) } else { rota_core::printable::printable_lines(text) };
    print!("{text}");
}

/// Says what went wrong on stderr, always in one form: `rota: error: …`. The "rota: " and the
/// label are added here, at the edge, and nowhere else.
pub fn error(message: &str) {
    eprintln!("rota: error: {}", printable(message));
}

/// Says what might be wrong on stderr: `rota: warning: …`.
pub fn warning(message: &str) {
    eprintln!("rota: warning: {}", printable(message));
}

fn print_json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(s) => println!("{s}"),
        Err(e) => error(&format!("cannot write JSON: {e}")),
    }
}

fn instant(at: Option<&str>) -> Result<DateTime<Utc>, Failure> {
    match at {
        Some(s) => clock::parse_instant(s).map_err(|e| Failure::Usage(format!("--at: {e}"))),
        None => clock::now().map_err(Failure::Usage),
    }
}

/// `--at` as typed (RFC 3339, or a day, a day and time, or a time in the viewer's zone), or now.
fn instant_in(at: Option<&str>, settings: &Settings) -> Result<DateTime<Utc>, Failure> {
    let now = clock::now().map_err(Failure::Usage)?;
    match at {
        Some(s) => rota_core::at::parse(s, settings.viewer, now).map_err(|e| Failure::Usage(format!("--at: {e}"))),
        None => Ok(now),
    }
}

/// Reads the inputs, failing on any error in them (`check` reads them itself).
async fn load(settings: &Settings, now: DateTime<Utc>) -> Result<Inputs, Failure> {
    let reader = Reader::new(settings.data_dir.as_ref().map(|d| d.join("cache")));
    let inputs = inputs::read(settings, &reader, now.date_naive()).await?;
    for w in &inputs.warnings {
        warning(w);
    }
    let errors = inputs.errors();
    if !errors.is_empty() {
        let mut problems = errors;
        problems.push(rota_core::Problem::error("fix these (`rota check` lists every problem), then try again"));
        return Err(Failure::Input(problems));
    }
    Ok(inputs)
}

/// The settings for `--tz`, the instant `--at` names in the viewer's zone, and the inputs read.
async fn at_instant(global: &Overrides, view: &args::AtInstant) -> Result<(Settings, DateTime<Utc>, Inputs), Failure> {
    let settings = settings::resolve(global, view.tz.as_deref())?;
    let at = instant_in(view.at.as_deref(), &settings)?;
    let inputs = load(&settings, clock::now().map_err(Failure::Usage)?).await?;
    Ok((settings, at, inputs))
}

async fn dispatch(global: &Overrides, color: args::ColorChoice, command: Command) -> Result<i32, Failure> {
    match command {
        Command::Now(view) => {
            let (settings, at, inputs) = at_instant(global, &view).await?;
            let timing = settings.config.schedule.timing;
            let g = glance(&inputs.schedule, &inputs.roster, &timing, settings.viewer, settings.me.as_deref(), at);
            if view.json {
                print_json(&models::Now::new(&g, &inputs.schedule, &timing));
            } else {
                let term = Term::detect(color);
                show(&render::now(&g, &inputs.schedule, &timing, &term), term.color);
            }
            Ok(0)
        }
        Command::Schedule { tz, json } => {
            let at = instant(None)?;
            let settings = settings::resolve(global, tz.as_deref())?;
            let inputs = load(&settings, at).await?;
            let timing = settings.config.schedule.timing;
            let list = models::ScheduleList::new(&inputs.schedule, &timing, settings.viewer, at);
            if json {
                print_json(&list);
            } else {
                let term = Term::detect(color);
                show(&render::schedule(&list, &inputs.schedule, &timing, settings.viewer, &term), term.color);
            }
            Ok(0)
        }
        Command::Coverage(view) => {
            let (settings, at, inputs) = at_instant(global, &view).await?;
            let timing = settings.config.schedule.timing;
            let c = coverage(&inputs.schedule, &inputs.roster, &timing, settings.viewer, at);
            if view.json {
                print_json(&models::CoverageWeek::new(&c, inputs.schedule.current(&timing, at), &timing, at));
            } else {
                let term = Term::detect(color);
                show(&render::coverage(&c, &inputs.schedule, &term), term.color);
            }
            Ok(0)
        }
        Command::Check { json } => {
            let now = instant(None)?;
            let settings = settings::resolve(global, None)?;
            let reader = Reader::new(settings.data_dir.as_ref().map(|d| d.join("cache")));
            let inputs = inputs::read(&settings, &reader, now.date_naive()).await?;
            for w in &inputs.warnings {
                warning(w);
            }
            let rules =
                Rules { timing: settings.config.schedule.timing, team_size: settings.config.schedule.team_size, viewer: settings.viewer };
            let mut findings = inputs.findings.clone();
            findings.extend(lint(&inputs.schedule, &inputs.roster, &rules));
            if settings.config.slack.usergroup.is_some() {
                findings.extend(rota_core::slack::missing_ids(&inputs.schedule, &inputs.roster, &rules.timing, now));
            }
            let errors = findings.iter().filter(|f| f.is_error()).count();
            if json {
                print_json(&models::Check { ok: errors == 0, errors, warnings: findings.len() - errors, findings: &findings });
            } else {
                let mut checked = vec![settings
                    .config_file
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "the built-in defaults (no config file)".into())];
                checked.push(inputs.schedule.source.clone());
                if !inputs.roster.source.is_empty() && inputs.roster.source != inputs.schedule.source {
                    checked.push(inputs.roster.source.clone());
                }
                let term = Term::detect(color);
                show(&render::check(&findings, &checked, &term), term.color);
            }
            Ok(if errors > 0 { 1 } else { 0 })
        }
        Command::Export { format } => export::run(global, format).await,
        Command::Escalate { title, customer, severity, url, to, json } => {
            let to = To::parse(&to).ok_or_else(|| Failure::Usage("--to needs a handle, or auto".into()))?;
            let escalation = NewEscalation { title, customer, severity, url, ..NewEscalation::default() };
            escalate::escalate(global, Ask { escalation, to: Some(to) }, json).await
        }
        Command::Escalations { mine, all, json } => escalate::list(global, mine, all, json, &Term::detect(color)).await,
        Command::Ack { id } => life::run(global, &id, life::Asked::Ack).await,
        Command::Resolve { id, note } => life::run(global, &id, life::Asked::Resolve { note }).await,
        Command::Engage { id, team, url } => life::run(global, &id, life::Asked::Engage { team, url }).await,
        Command::Reassign { id, to } => life::run(global, &id, life::Asked::Reassign { to }).await,
        Command::Reopen { id } => life::run(global, &id, life::Asked::Reopen).await,
        Command::Take { id } => life::run(global, &id, life::Asked::Take).await,
        Command::Stats { rotation, since, json } => stats::run(global, rotation, since, json).await,
        Command::Plan { rotation, json } => plan::run(global, rotation, json, &Term::detect(color)).await,
        Command::People { json } => plan::people(global, json, &Term::detect(color)).await,
        Command::Outbox { action, json } => outbox::run(global, action, json).await,
        Command::Handover { rotation, dry_run, json } => handover::run(global, rotation, dry_run, json).await,
        Command::Secret { action } => escalate::secret(global, action),
        Command::Slack { action: args::SlackAction::Sync { dry_run, json } } => slack::sync(global, dry_run, json).await,
        Command::Slack { action: args::SlackAction::Summary { dry_run } } => slack::summary(global, dry_run).await,
    }
}
