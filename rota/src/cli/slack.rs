//! `rota slack sync` and `rota slack summary`: the user group in step with who is on duty, and
//! the daily word for the channel. Both work without a desktop (a scheduled job); the keyring
//! holds the token and the webhook.

use super::escalate::{backend, now, settings};
use super::{load, note, print_json, say, warning};
use crate::models;
use crate::secrets::OsKeyring;
use crate::settings::Failure;
use rota_io::escalations::Backend as _;
use rota_io::protocol::Overrides;
use rota_io::slack_sync::{self, SlackApi, SyncError};

fn failed(e: SyncError) -> Failure {
    Failure::input(e.to_string())
}

/// `rota slack sync [--dry-run] [--json]`.
pub async fn sync(global: &Overrides, dry_run: bool, json: bool) -> Result<i32, Failure> {
    let now = now()?;
    let settings = settings(global)?;
    let inputs = load(&settings, now).await?;
    let slack = &settings.config.slack;
    let group = slack.usergroup.as_deref().ok_or_else(|| failed(SyncError::NoUsergroup))?;
    let wanted = slack_sync::wanted_now(&settings.config, &inputs, now);
    let api = SlackApi::from_secrets(&slack.api, &OsKeyring).map_err(failed)?;
    let synced = slack_sync::sync(&api, group, &wanted, dry_run).await.map_err(failed)?;
    for handle in &synced.plan.missing_slack_id {
        warning(&format!(
            "{handle} is on duty but has no slack ID in the roster, so the group leaves them out; add slack = \"U…\" to their [[person]]"
        ));
    }
    if json {
        print_json(&models::SlackSync::from(&synced));
        return Ok(0);
    }
    let p = &synced.plan;
    let list = |v: &[String]| if v.is_empty() { "nobody".to_owned() } else { v.join(", ") };
    match (p.skipped, &p.write) {
        (Some(skip), _) => say(&format!("Slack user group {group}: {}", skip.reason())),
        (None, None) => say(&format!("Slack user group {group}: in step ({})", list(&p.wanted))),
        (None, Some(_)) if dry_run => {
            say(&format!("Slack user group {group}: would add {}; would remove {}", list(&p.added), list(&p.removed)));
            note("--dry-run: nothing was written");
        }
        (None, Some(_)) => say(&format!("Slack user group {group}: added {}; removed {}", list(&p.added), list(&p.removed))),
    }
    Ok(0)
}

/// `rota slack summary [--dry-run]`: prints the daily word and, without `--dry-run`, posts it
/// through the webhook.
pub async fn summary(global: &Overrides, dry_run: bool) -> Result<i32, Failure> {
    let now = now()?;
    let settings = settings(global)?;
    let inputs = load(&settings, now).await?;
    let escalations = backend(&settings)?.list_open(None).await.map_err(|e| Failure::input(e.to_string()))?;
    let text = slack_sync::summary_now(&settings.config, &inputs, &escalations, now);
    super::show(&text, false);
    if dry_run {
        return Ok(0);
    }
    let announcer =
        rota_io::slack::Announcer::from_secrets(&OsKeyring, None).map_err(|e| Failure::input(e.to_string()))?.ok_or_else(|| {
            Failure::input("no Slack webhook in the keyring; store the incoming webhook's URL with `rota secret set slack-webhook`")
        })?;
    announcer.post(&text).await.map_err(|e| Failure::input(e.to_string()))?;
    // This desk's tray, if it posts the daily word, finds today's posted.
    let day = now.with_timezone(&settings.config.schedule.timing.timezone).date_naive();
    if let Ok(store) = rota_io::escalations::configured::open_store(&settings) {
        let _ = store.claim_day(slack_sync::SUMMARY_SCOPE, day, now);
    }
    note("posted to Slack");
    Ok(0)
}
