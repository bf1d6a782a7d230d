//! The tray's side of Slack: at each look (the tray looks once a minute) the user group is
//! synced when `rota_core::slack::SyncTimer` says (at start, within a minute of a hand-off or a
//! covering change, otherwise once an hour), and, on a desk with `summary_at`, the daily word
//! is posted once a day and a hand-off gets one post. The decisions are the core's; this holds
//! what the last look saw and does the calls.

use crate::inputs::Inputs;
use crate::slack::Announcer;
use crate::slack_sync::{self, SlackApi, SyncError};
use crate::store::Store;
use chrono::{DateTime, Utc};
use rota_core::escalation::Escalation;
use rota_core::slack::{Outcome, SyncTimer};
use rota_core::{Config, OnDuty};
use std::future::Future;

/// The store's scope for the last hand-off posted from this desk.
pub const HANDOFF_SCOPE: &str = "slack-handoff";

/// What the tray keeps between looks.
#[derive(Debug, Default)]
pub struct Keeper {
    timer: SyncTimer,
    outcome: Option<Outcome>,
    /// The effective team at the last look, for the hand-off post.
    team: Option<Vec<OnDuty>>,
}

impl Keeper {
    /// The menu's line while the group is kept: how the last sync went.
    pub fn line(&self, config: &Config) -> Option<String> {
        if !config.slack.sync_usergroup {
            return None;
        }
        Some(self.outcome.as_ref().map_or_else(|| "Slack user group: not synced yet".to_owned(), Outcome::line))
    }

    /// Makes the next look sync, whenever the last was (a new token was stored).
    pub fn sync_soon(&mut self) {
        self.timer = SyncTimer::default();
    }

    /// One look at `now`: syncs the group when due, `open` giving the API (the keyring is read
    /// only then). Returns whether the menu's line changed.
    pub async fn look<F, Fut>(&mut self, config: &Config, inputs: &Inputs, now: DateTime<Utc>, open: F) -> bool
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = Result<SlackApi, SyncError>>,
    {
        let slack = &config.slack;
        if !slack.sync_usergroup {
            return false;
        }
        let wanted = slack_sync::wanted_now(config, inputs, now);
        if !self.timer.due(now, &wanted.users) {
            return false;
        }
        let outcome = match slack.usergroup.as_deref() {
            None => Err(SyncError::NoUsergroup),
            Some(group) => match open(slack.api.clone()).await {
                Ok(api) => slack_sync::sync(&api, group, &wanted, false).await,
                Err(e) => Err(e),
            },
        };
        let outcome = match outcome {
            Ok(synced) => Outcome::of(&synced.plan),
            Err(e) => {
                eprintln!("rota: Slack user group: {e}");
                Outcome::Failed(e.to_string())
            }
        };
        self.timer.synced(now, wanted.users, !matches!(outcome, Outcome::Failed(_)));
        let changed = self.outcome.as_ref().map(Outcome::line) != Some(outcome.line());
        self.outcome = Some(outcome);
        changed
    }

    /// The channel's posts due at `now` from this desk (`summary_at` set): the hand-off post when
    /// the team changed since the last look, and the daily word once a day (claimed in `store`).
    /// The webhook (`announcer`) and the open `escalations` are asked only when a post is due.
    pub async fn post<A, E>(
        &mut self,
        config: &Config,
        inputs: &Inputs,
        now: DateTime<Utc>,
        store: &Store,
        announcer: A,
        escalations: E,
    ) -> Vec<String>
    where
        A: Future<Output = Result<Option<Announcer>, String>>,
        E: Future<Output = Vec<Escalation>>,
    {
        if config.slack.summary_at.is_none() {
            return Vec::new();
        }
        let timing = config.schedule.timing;
        let g = rota_core::glance(&inputs.schedule, &inputs.roster, &timing, timing.timezone, None, now);
        let names = |t: &[OnDuty]| t.iter().map(|d| d.handle.clone()).collect::<Vec<_>>();
        let handoff =
            self.team.as_ref().filter(|t| names(t) != names(&g.on_duty)).map(|before| rota_core::slack::handoff_post(before, &g.on_duty));
        self.team = Some(g.on_duty.clone());
        // Claimed by the instant the new team came on, so one desk posts each hand-off once.
        let came_on =
            inputs.schedule.stretches(&timing, now - chrono::Duration::days(1), now + chrono::Duration::seconds(1)).last().map(|s| s.start);
        let key = came_on.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default();
        let handoff = handoff.filter(|_| store.claim(HANDOFF_SCOPE, &key, now).unwrap_or(false));
        let posted = store.posted_day(slack_sync::SUMMARY_SCOPE).ok().flatten();
        let day = rota_core::slack::summary_due(config.slack.summary_at, &timing, posted, now);
        if handoff.is_none() && day.is_none() {
            return Vec::new();
        }
        let announcer = match announcer.await {
            Ok(Some(a)) => a,
            Ok(None) => return vec!["no Slack webhook in the keyring; store one with `rota secret set slack-webhook`".into()],
            Err(e) => return vec![e],
        };
        let mut failures = Vec::new();
        if let Some(text) = handoff {
            if let Err(e) = announcer.post(&text).await {
                failures.push(e.to_string());
            }
        }
        if let Some(day) = day {
            let text = slack_sync::summary_now(config, inputs, &escalations.await, now);
            if let Err(e) = slack_sync::post_daily(store, &announcer, &text, day, now).await {
                failures.push(e);
            }
        }
        failures
    }
}
