//! The tray's work beside its menu and poller: sending what waits in the outbox, and keeping Slack
//! in step. Each runs for the life of the tray, restarted by `supervise` if it fails.

use super::{say, Tray, TrayView};
use crate::clock;
use crate::escalations;
use crate::live::Surface;
use crate::secrets::OsKeyring;
use rota_core::sending::{Looked, SendSchedule};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// Sends what waits in the outbox when the core's [`SendSchedule`] says: at start, when told
/// something was filed or settings changed, when the backoff says the next try is due, after a
/// wake, and now and then anyway. This only sleeps, sends and says.
pub(super) async fn outbox_loop<V: TrayView>(tray: Arc<Tray<V>>) {
    let clock = tray.clock;
    let mut schedule = SendSchedule::new(clock.reading());
    loop {
        let wake = schedule.wake(&clock.reading());
        tokio::select! {
            _ = clock::sleep(wake.wait()) => {}
            _ = tray.outbox_wake.notified() => schedule.asked(clock.reading()),
        }
        if !schedule.step(clock.reading()) {
            continue;
        }
        let settings = tray.live.lock().await.settings.clone();
        let look = escalations::configured::drain(&settings, SendSchedule::sending_at(&clock.reading())).await;
        let waiting = look.waiting;
        let before = (tray.waiting.swap(waiting, Ordering::Relaxed), tray.refused.swap(look.refused, Ordering::Relaxed));
        if before != (waiting, look.refused) {
            tray.refresh().await;
        }
        // Sent at last: said as a window says what it filed, once (a window may have said it).
        for e in look.sent {
            if rota_core::notice::tray_says_filed(e.assignee.as_deref(), settings.me.as_deref()) {
                let to = e.assignee.as_deref().map(|a| tray.names.lock().unwrap_or_else(|p| p.into_inner()).say(a).to_owned());
                let message = rota_core::words::filed(&e.id, to.as_deref(), false);
                let link = e.page.as_deref().or(e.url.as_deref());
                tray.say_filed(e.client_key.as_deref(), false, rota_core::notice::filed(&message, &e.title, link)).await;
            }
        }
        // A refusal is news: a notification with the backend's own reason (the menu keeps a line).
        for (title, reason) in look.newly_refused {
            say(rota_core::outbox::refused_notice(&title, &reason, settings.config.escalations.backend)).await;
        }
        schedule.looked(clock.reading(), Looked { waiting, next: look.next, blocked: look.blocked });
    }
}

/// Keeps Slack in step (`slack_keeper::Keeper`): a look each minute, the keyring and the
/// backend read off the async threads, the menu's line refreshed when it changes. Does nothing
/// but sleep while `[slack]` asks for nothing.
pub(super) async fn slack_loop<V: TrayView>(tray: Arc<Tray<V>>) {
    use crate::slack_sync::{SlackApi, SyncError};
    let mut keeper = crate::slack_keeper::Keeper::default();
    let mut store: Option<crate::store::Store> = None;
    loop {
        // While `[slack]` asks for nothing, a look costs a lock and two flags: nothing is copied.
        let read = {
            let live = tray.live.lock().await;
            let slack = &live.settings.config.slack;
            (slack.sync_usergroup || slack.summary_at.is_some()).then(|| (live.settings.clone(), live.inputs.clone()))
        };
        let Some((settings, inputs)) = read else {
            if tray.slack_line.lock().unwrap_or_else(|p| p.into_inner()).take().is_some() {
                tray.refresh().await;
            }
            tokio::select! {
                _ = clock::sleep(Duration::from_secs(60)) => {}
                _ = tray.slack_wake.notified() => {}
            }
            continue;
        };
        let (config, now) = (&settings.config, tray.clock.now());
        let open = |api: String| async move {
            let read = tokio::task::spawn_blocking(move || SlackApi::from_secrets(&api, &OsKeyring)).await;
            read.unwrap_or_else(|e| Err(SyncError::Unreachable(e.to_string())))
        };
        let moved = keeper.look(config, &inputs, now, open).await;
        let line = keeper.line(config);
        let changed = std::mem::replace(&mut *tray.slack_line.lock().unwrap_or_else(|p| p.into_inner()), line.clone()) != line;
        if moved || changed {
            tray.refresh().await;
        }
        if config.slack.summary_at.is_some() && store.is_none() {
            store = escalations::configured::open_store(&settings).ok();
        }
        if let Some(store) = store.as_ref().filter(|_| config.slack.summary_at.is_some()) {
            let hook = async {
                let read = tokio::task::spawn_blocking(|| crate::slack::Announcer::from_secrets(&OsKeyring, None)).await;
                read.map_err(|e| e.to_string())?.map_err(|e| e.to_string())
            };
            let s = settings.clone();
            let open_escalations = async move {
                match escalations::configured::open_blocking(&s).await {
                    Ok(b) => escalations::Backend::list_open(&b, None).await.unwrap_or_default(),
                    Err(_) => Vec::new(),
                }
            };
            for e in keeper.post(config, &inputs, now, store, hook, open_escalations).await {
                eprintln!("rota: Slack post: {e}");
            }
        }
        tokio::select! {
            _ = clock::sleep(Duration::from_secs(60)) => {}
            _ = tray.slack_wake.notified() => keeper.sync_soon(),
        }
    }
}
