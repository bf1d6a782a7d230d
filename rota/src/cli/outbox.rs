//! `rota outbox [--json]`, `rota outbox retry KEY|--all`, `rota outbox discard KEY`:
//! what is saved but not yet filed, queued or refused with the backend's own reason, and the
//! two ways a person steers it. The JSON is built in `models.rs` (`OutboxEntryJson`).
//!
//! Listing and discarding never open the backend (no keyring, no network); a retry puts the
//! escalations back in the queue first, then tries to send what waits.

use super::args::OutboxAction;
use super::escalate;
use super::print_json;
use crate::escalations::configured;
use crate::escalations::outbox::{Entry, Outbox};
use crate::models::OutboxEntryJson;
use crate::settings::{Failure, Settings};
use chrono::{DateTime, Utc};
use rota_core::outbox::OutboxState;
use rota_core::printable;
use rota_io::protocol::Overrides;

fn failure(e: impl std::fmt::Display) -> Failure {
    Failure::input(e.to_string())
}

/// Runs `rota outbox` and its subcommands; returns the exit status.
pub async fn run(global: &Overrides, action: Option<OutboxAction>, json: bool) -> Result<i32, Failure> {
    let now = escalate::now()?;
    let settings = escalate::settings(global)?;
    let outbox = escalate::outbox(&settings)?;
    match action {
        None => list(&outbox, json, now),
        Some(OutboxAction::Retry { key, all }) => retry(&outbox, &settings, key.as_deref(), all, now).await,
        Some(OutboxAction::Discard { key }) => discard(&outbox, &key).await,
    }
}

fn list(outbox: &Outbox, json: bool, now: DateTime<Utc>) -> Result<i32, Failure> {
    let entries = outbox.entries().map_err(failure)?;
    if json {
        print_json(&entries.iter().map(OutboxEntryJson::from).collect::<Vec<_>>());
        return Ok(0);
    }
    if entries.is_empty() {
        println!("The outbox is empty: every escalation is filed.");
        return Ok(0);
    }
    super::show(&table(&entries, now), false);
    Ok(0)
}

/// The outbox for people: one line each, a refused one's reason under it; the values made
/// printable.
fn table(entries: &[Entry], now: DateTime<Utc>) -> String {
    let rows: Vec<[String; 6]> = entries
        .iter()
        .map(|e| {
            [
                e.key.clone(),
                e.state.to_string(),
                e.attempts.to_string(),
                e.escalation.assignee.as_deref().map_or("(rotation)".into(), |a| printable(a).into_owned()),
                rota_core::words::relative(now, e.queued_at),
                printable(&e.escalation.title).into_owned(),
            ]
        })
        .collect();
    let header = ["KEY", "STATE", "TRIES", "ASSIGNEE", "SAVED", "TITLE"].map(String::from);
    let widths: Vec<usize> = (0..6).map(|c| rows.iter().chain([&header]).map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for (i, r) in std::iter::once(&header).chain(rows.iter()).enumerate() {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < r.len() {
                line.push_str(&" ".repeat(widths[c] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if let Some(e) = i.checked_sub(1).map(|i| &entries[i]) {
            if let Some(why) = &e.last_error {
                let label = if e.state == OutboxState::Refused { "refused" } else { "last try" };
                out.push_str(&format!("    {label}: {}\n", printable(why)));
            }
        }
    }
    out
}

async fn retry(outbox: &Outbox, settings: &Settings, key: Option<&str>, all: bool, now: DateTime<Utc>) -> Result<i32, Failure> {
    let keys: Vec<String> = match key {
        Some(key) => {
            if !outbox.retry(key, now).map_err(failure)? {
                return Err(Failure::input(format!("no escalation {key} in the outbox (`rota outbox` lists them)")));
            }
            vec![key.to_owned()]
        }
        None if all => {
            let keys = outbox.entries().map_err(failure)?.into_iter().map(|e| e.key).collect::<Vec<_>>();
            outbox.retry_all(now).map_err(failure)?;
            keys
        }
        None => return Err(Failure::Usage("give the KEY to retry, or --all".into())),
    };
    if keys.is_empty() {
        println!("The outbox is empty: nothing to retry.");
        return Ok(0);
    }
    crate::tell_tray_outbox_changed().await;
    let backend = match configured::open_blocking(settings).await {
        Ok(b) => b,
        Err(e) => {
            super::note(&format!("{e}; queued again, it will be sent once the backend answers"));
            return Ok(0);
        }
    };
    escalate::drain(outbox, &backend, settings, now).await;
    // What became of the ones asked for: refused again is a failure to report.
    let left = outbox.entries().map_err(failure)?;
    let refused_again = left.iter().filter(|e| keys.contains(&e.key) && e.state == OutboxState::Refused).count();
    Ok(if refused_again > 0 { 1 } else { 0 })
}

async fn discard(outbox: &Outbox, key: &str) -> Result<i32, Failure> {
    let title = outbox.entries().map_err(failure)?.into_iter().find(|e| e.key == key).map(|e| e.escalation.title);
    let Some(title) = title else {
        return Err(Failure::input(format!("no escalation {key} in the outbox (`rota outbox` lists them)")));
    };
    if !outbox.discard(key).await.map_err(failure)? {
        return Err(Failure::input(format!("escalation {key} left the outbox meanwhile: it was sent")));
    }
    crate::tell_tray_outbox_changed().await;
    super::say(&format!("Discarded {key} from the outbox; it will not be filed: {title}"));
    Ok(0)
}
