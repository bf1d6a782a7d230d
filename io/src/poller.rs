//! The escalation poller: one tokio task that watches the configured backend, announces each
//! escalation newly assigned to me exactly once, and publishes a [`Snapshot`] for the tray.
//!
//! When it polls:
//! - `local`: it watches the file a [`LocalStore`] rewrites after each committed change
//!   ([`change_signal`]; inotify on Linux); then it reads [`LocalStore::change_mark`] (one index
//!   read) and polls if it moved,
//!   so an assignment is announced within a second, with no timer running. It also polls every
//!   [`PollerConfig::interval`] as a safety net.
//! - `github`: every [`PollerConfig::interval`] (default 60 s, at least [`MIN_GITHUB_INTERVAL`]);
//!   each poll is one conditional request (ETag) for what changed since the last
//!   ([`GithubBackend::refresh`](crate::escalations::github::GithubBackend::refresh)), so an
//!   unchanged repository costs one `304`; mine and the reporter's changes are read from the
//!   escalations kept in the state database, which the dashboard and `rota stats` read too.
//! - after a failure: when [`BackendError::retry_at`] says (a rate limit's reset, or a backed-off
//!   delay with jitter for a network error or a 5xx); a rejected token waits
//!   [`AUTH_RETRY`] and re-reads the keyring, so there is no retry storm.
//! - at once when the machine wakes from sleep (the core's shared timing rule,
//!   [`rota_core::wake`]: the loop never sleeps longer than a minute, on [`clock::sleep`], which
//!   ends at the wake, and the clocks tell the sleep), and
//!   when the app calls [`PollerHandle::poll_now`] (the network came back, the token was
//!   replaced, the user asked, a window changed an escalation). Those calls coalesce:
//!   at most one poll is in flight and one queued behind it, however many come (300
//!   `EscalationsChanged` over D-Bus were 300 polls, 602 GitHub requests in 20 s).
//!
//! Each successful poll: list open escalations, [`decide`](rota_core::escalation::decide) against
//! the stored seen set (kept in the state database, [`crate::store`], for every backend), show the
//! notices through the [`Notifier`], then store the seen set
//! ([`seen_after_delivery`](rota_core::notice::seen_after_delivery): a notice that could not
//! be shown is tried again).
//!
//! Wiring it into an app (the Tauri shell, say):
//!
//! ```no_run
//! # use std::sync::Arc;
//! # fn wire(settings: &rota_io::settings::Settings, rt: &tokio::runtime::Handle) -> Result<(), Box<dyn std::error::Error>> {
//! use rota_io::notifier::DesktopNotifier;
//! use rota_io::poller::{self, PollerConfig};
//! use rota_io::secrets::OsKeyring;
//!
//! let config = PollerConfig::from_settings(settings, Arc::new(OsKeyring))?;
//! let poller = poller::spawn(rt, config, Arc::new(DesktopNotifier::new()), |snapshot| {
//!     // Runs on the poller's task after every poll: keep it short (post to the UI thread).
//!     let _ = (snapshot.mine.len(), snapshot.unacknowledged, snapshot.status.label());
//! });
//! poller.poll_now(); // e.g. on a network-up event, or after settings stored a new token
//! # Ok(()) }
//! ```
//!
//! It is not the decision (that is [`rota_core::escalation::decide`]) nor the notification
//! (that is the [`Notifier`]).

mod config;
mod status;

pub use config::{PollSource, PollerConfig};
pub use status::{PollStatus, Snapshot};

use crate::acting::{self, Act, Acting};
use crate::clock;
use crate::escalations::configured::{self, OpenError};
use crate::escalations::local::{change_signal, LocalStore};
use crate::escalations::{AnyBackend, Backend, BackendError};
use crate::notifier::{open_link, ActionSink, NoticeAction, Notifier, NotifyError};
use crate::store::Store;
use chrono::{DateTime, Utc};
use rota_core::escalation::{same_handle, Escalation, EscalationState, Notice};
use rota_core::poll::{PollFailure, PollState};
use rota_core::reported::{self, decide_reported, progress_text};
use rota_core::wake::Now;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::{mpsc, watch, Notify};

/// GitHub is never polled more often than this.
pub const MIN_GITHUB_INTERVAL: Duration = Duration::from_secs(15);
/// The default interval (`escalations.poll_seconds`).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);
/// After a rejected token (or none stored, or no permission): the wait before the keyring is
/// read and GitHub asked again, unless [`PollerHandle::poll_now`] comes first.
pub const AUTH_RETRY: Duration = rota_core::poll::AUTH_RETRY;

enum Command {
    /// Open the backend again (reading the keyring again), then poll.
    Reconnect,
    Act(NoticeAction),
}

/// The running poller. Dropping it stops the task (as [`PollerHandle::shutdown`] does, without
/// waiting).
pub struct PollerHandle {
    commands: mpsc::UnboundedSender<Command>,
    /// A poll asked for: one permit at most, so asks coalesce.
    poll_wanted: Arc<Notify>,
    stop: watch::Sender<bool>,
    snapshot: watch::Receiver<Snapshot>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl PollerHandle {
    /// Polls at once (after a wake or reconnect the app noticed, a new token, the user's click).
    /// Asks coalesce: while a poll is in flight, any number of asks queue one more poll, which
    /// starts after the last ask.
    pub fn poll_now(&self) {
        self.poll_wanted.notify_one();
    }

    /// Reads the token from the keyring again and polls at once: a new token was stored.
    pub fn reconnect(&self) {
        let _ = self.commands.send(Command::Reconnect);
    }

    /// Does what a notification action does: acknowledge through the backend (then poll), or
    /// open a link. For the tray's own menu items.
    pub fn act(&self, action: NoticeAction) {
        let _ = self.commands.send(Command::Act(action));
    }

    /// The latest snapshot.
    pub fn snapshot(&self) -> Snapshot {
        self.snapshot.borrow().clone()
    }

    /// A receiver that sees every new snapshot (for async callers).
    pub fn watch(&self) -> watch::Receiver<Snapshot> {
        self.snapshot.clone()
    }

    /// Stops the task and waits for it to end (a poll in flight is finished first).
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for PollerHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Watches the signal a [`LocalStore`] rewrites after each change to an escalation
/// ([`change_signal`]); each rewrite is a message on `tx` (a full channel already holds one: they
/// coalesce).
fn watch_writes(database: &std::path::Path, tx: mpsc::Sender<()>) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher;
    let signal = change_signal(database);
    let folder = signal.parent()?.to_path_buf();
    let name = signal.file_name()?.to_owned();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else { return };
        if !matches!(event.kind, notify::EventKind::Modify(_) | notify::EventKind::Create(_)) {
            return;
        }
        if event.paths.iter().any(|p| p.file_name() == Some(&*name)) {
            let _ = tx.try_send(());
        }
    })
    .map_err(|e| eprintln!("rota: changes to the local escalations will be seen at the next poll only: {e}"))
    .ok()?;
    watcher.watch(&folder, notify::RecursiveMode::NonRecursive).ok()?;
    Some(watcher)
}

/// Starts the poller on `runtime`. It polls at once, then as the module docs say.
/// `on_change` runs on the poller's task after every poll and action: keep it short.
pub fn spawn(
    runtime: &tokio::runtime::Handle,
    config: PollerConfig,
    notifier: Arc<dyn Notifier>,
    on_change: impl Fn(&Snapshot) + Send + 'static,
) -> PollerHandle {
    let (commands, rx) = mpsc::unbounded_channel();
    let poll_wanted = Arc::new(Notify::new());
    let wanted = poll_wanted.clone();
    let (stop, stop_rx) = watch::channel(false);
    let (snap_tx, snapshot) = watch::channel(Snapshot::new());
    let sink_tx = commands.clone();
    let sink: ActionSink = Arc::new(move |a| {
        let _ = sink_tx.send(Command::Act(a));
    });
    let new_poller = move |snapshot: Snapshot| Poller {
        scope: config.scope(),
        state: PollState::new(config.interval, &config.clock.reading()),
        config: config.clone(),
        notifier: notifier.clone(),
        sink: sink.clone(),
        store: None,
        backend: None,
        snapshot,
        last_mark: None,
        last_listed: None,
        reported_since: None,
        reported_mark: None,
    };
    // A poller that fails (a panic) is started again with the same channels, its failure shown
    // as the status until a poll succeeds: never left dead.
    let task = runtime.spawn(async move {
        let (mut rx, mut stop_rx) = (rx, stop_rx);
        let mut on_change: Box<dyn Fn(&Snapshot) + Send> = Box::new(on_change);
        let mut snapshot = Snapshot::new();
        for failures in 1.. {
            let run = new_poller(snapshot.clone()).run(&mut rx, &wanted, &mut stop_rx, &snap_tx, &mut on_change);
            let Err(why) = crate::supervise::catch_unwind(run).await else { return };
            let message = format!("the escalations poller stopped ({why}); it was started again");
            eprintln!("rota: {message}");
            snapshot = Snapshot { status: PollStatus::Failed(message), polls: snapshot.polls.max(1), ..snap_tx.borrow().clone() };
            let _ = snap_tx.send(snapshot.clone());
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| on_change(&snapshot)));
            tokio::select! {
                _ = tokio::time::sleep(crate::supervise::pause_after(failures)) => {}
                _ = stop_rx.changed() => return,
            }
        }
    });
    PollerHandle { commands, poll_wanted, stop, snapshot, task: Some(task) }
}

/// A fraction in 0..1 that differs between processes and calls: backoff jitter.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(clock::system_time().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64));
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

struct Poller {
    config: PollerConfig,
    scope: String,
    notifier: Arc<dyn Notifier>,
    sink: ActionSink,
    /// The state database, opened once: the seen sets of every backend, and the `local`
    /// backend's escalations.
    store: Option<Arc<Store>>,
    backend: Option<Arc<AnyBackend>>,
    snapshot: Snapshot,
    /// When to poll, backoffs, when to read the keyring again: the core's pure state machine.
    state: PollState,
    /// The local database's change mark at the last poll.
    last_mark: Option<i64>,
    /// What the last successful poll listed: the open escalations, and the reporter's listing
    /// (every escalation, or what changed since the one before) when it succeeded.
    last_listed: Option<Listed>,
    /// Where the next listing of every escalation starts (GitHub's `since`): after
    /// the first, a poll lists only what changed.
    reported_since: Option<DateTime<Utc>>,
    /// GitHub kept in the store: the change count of its rows at the reporter's last look.
    reported_mark: Option<i64>,
}

type Listed = (Vec<Escalation>, Option<Vec<Escalation>>);

/// The wait after `failures` keyring reads in a row failed (locked, the unlock dismissed): a
/// minute, doubling up to [`AUTH_RETRY`], so an unlock prompt does not come back each poll.
pub use rota_core::poll::keyring_retry;

impl Poller {
    async fn run(
        mut self,
        commands: &mut mpsc::UnboundedReceiver<Command>,
        poll_wanted: &Notify,
        stop: &mut watch::Receiver<bool>,
        snapshots: &watch::Sender<Snapshot>,
        on_change: &mut Box<dyn Fn(&Snapshot) + Send>,
    ) {
        let is_local = matches!(self.config.source, PollSource::Local);
        // Writes to the local database, from any process; set up once the store is open.
        let (writes_tx, mut writes) = mpsc::channel(1);
        let mut watcher = None;
        let clock = self.config.clock;
        loop {
            let wake = self.state.wake(&clock.reading());
            let poll = tokio::select! {
                _ = stop.changed() => break,
                _ = poll_wanted.notified() => true,
                command = commands.recv() => match command {
                    None => break,
                    Some(Command::Reconnect) => {
                        self.state.token_changed(&clock.reading());
                        true
                    }
                    Some(Command::Act(action)) => self.act(action).await,
                },
                // Real time: a wait that ends while the machine sleeps ends as it wakes.
                _ = clock::sleep(wake.wait()) => self.state.tick(clock.reading()),
                Some(()) = writes.recv() => self.local_changed(),
            };
            if *stop.borrow() {
                break;
            }
            if poll {
                // Watch before reading, so no change slips between the read and the watch; the
                // folder may only exist once the first poll has opened the store.
                if is_local && watcher.is_none() {
                    watcher = watch_writes(&self.config.database, writes_tx.clone());
                }
                self.poll().await;
                if is_local && watcher.is_none() {
                    watcher = watch_writes(&self.config.database, writes_tx.clone());
                }
                let _ = snapshots.send(self.snapshot.clone());
                on_change(&self.snapshot);
            }
        }
    }

    /// Whether the local database changed since the last poll (any process, any escalation).
    fn local_changed(&mut self) -> bool {
        match self.change_mark() {
            Some(mark) => self.last_mark != Some(mark),
            None => false, // a busy database: the next check sees it
        }
    }

    /// The local backend's change mark, when it is the backend and the database answers.
    fn change_mark(&self) -> Option<i64> {
        match self.backend.as_deref() {
            Some(AnyBackend::Local(local)) => local.change_mark().ok(),
            _ => None,
        }
    }

    async fn act(&mut self, action: NoticeAction) -> bool {
        match action {
            NoticeAction::Open { url } => {
                if let Err(e) = open_link(&url) {
                    eprintln!("rota: cannot open the escalation's link: {e}");
                }
                false
            }
            NoticeAction::ShowDashboard { id } => {
                crate::ask_tray_to_show(crate::protocol::WindowKind::Dashboard, &crate::protocol::escalation_target(&id)).await;
                false
            }
            NoticeAction::Acknowledge { id } => self.take(&id, Act::Acknowledge).await,
            NoticeAction::Take { id, action } => self.take(&id, action).await,
        }
    }

    /// Takes `action` on escalation `id` as `me`, now: recorded with who and when.
    /// Always polls again after, so the menu shows the outcome.
    async fn take(&mut self, id: &str, act: Act) -> bool {
        if self.backend.is_none() {
            let _ = self.connect().await;
        }
        let verb = act.verb();
        let Some(backend) = &self.backend else {
            eprintln!("rota: cannot {verb} escalation {id}: {}", self.snapshot.status.label());
            return true;
        };
        let with = Acting { backend, me: Some(&self.config.me), rotation: None, tell_tray: false };
        if let Err(e) = acting::act(&with, id, act, self.config.clock.now()).await {
            eprintln!("rota: cannot {verb} escalation {id}: {e}");
        }
        true
    }

    /// Opens the state database and the backend, as far as they are not open. On failure the
    /// status says why, and the failure comes back for the schedule.
    async fn connect(&mut self) -> Option<PollFailure> {
        let store = match &self.store {
            Some(store) => store.clone(),
            None => match Store::open(&self.config.database) {
                Ok(s) => self.store.insert(Arc::new(s)).clone(),
                Err(e) => {
                    self.snapshot.status = PollStatus::Failed(e.to_string());
                    return Some(PollFailure::Other);
                }
            },
        };
        if self.backend.is_some() {
            return None;
        }
        let opened = match &self.config.source {
            // The local backend is a tenant of the same store: one connection.
            PollSource::Local => Ok(AnyBackend::Local(LocalStore::new(store))),
            PollSource::Github { config, secrets } => {
                let (config, secrets) = (config.clone(), secrets.clone());
                // The escalations are kept in the store: a poll asks GitHub only what changed.
                let kept = store.clone();
                // The keyring answers over D-Bus or a system call: off the async threads.
                tokio::task::spawn_blocking(move || {
                    configured::open_github(config, &*secrets).map(|b| AnyBackend::Github(b.with_disk_cache(kept)))
                })
                .await
                .unwrap_or_else(|e| Err(OpenError::Backend(BackendError::Failed(format!("keyring task: {e}")))))
            }
        };
        match opened {
            Ok(b) => {
                self.backend = Some(Arc::new(b));
                None
            }
            Err(OpenError::MissingToken(_)) => {
                self.snapshot.status = PollStatus::MissingToken;
                Some(PollFailure::MissingToken)
            }
            Err(e @ OpenError::Keyring(_)) => {
                self.snapshot.status = PollStatus::Failed(e.to_string());
                Some(PollFailure::Keyring)
            }
            Err(e) => {
                self.snapshot.status = PollStatus::Failed(e.to_string());
                Some(PollFailure::Other)
            }
        }
    }

    /// One poll; the state says when the next is due.
    async fn poll(&mut self) {
        self.snapshot.polls += 1;
        // A rejected token, a failed keyring read or a new token: read the keyring again.
        if self.state.take_reconnect() && matches!(self.config.source, PollSource::Github { .. }) {
            self.backend = None;
        }
        if let Some(failure) = self.connect().await {
            self.state.failed(&self.config.clock.reading(), failure, jitter());
            return;
        }
        let (Some(store), Some(backend)) = (self.store.clone(), self.backend.clone()) else {
            self.state.failed(&self.config.clock.reading(), PollFailure::Other, jitter());
            return;
        };
        let mark = self.change_mark();
        // Local: every open escalation (a reassignment to me names who had it). GitHub: mine,
        // from the store's copy after one conditional listing of what changed; every open one while
        // the team is known, so that others' waiting ones can be offered to me.
        let offering = self.config.team.lock().map(|t| t.is_some()).unwrap_or(false);
        let filter = match self.config.source {
            PollSource::Local => None,
            PollSource::Github { .. } if offering => None,
            PollSource::Github { .. } => Some(self.config.me.as_str()),
        };
        let listed = match &*backend {
            AnyBackend::Github(g) if g.mirrored() => match g.refresh(Duration::ZERO).await {
                Ok(()) => g.mirrored_open(filter),
                Err(e) => Err(e),
            },
            _ => backend.list_open(filter).await,
        };
        let reading = self.config.clock.reading();
        let now = reading.wall;
        let list = match listed {
            Ok(list) => list,
            Err(e) => return self.failed(e, &reading),
        };
        if let Err(e) = self.announce(&store, &list, &reading).await {
            self.snapshot.status = PollStatus::Failed(e.to_string());
            self.state.failed(&reading, PollFailure::Other, jitter());
            return;
        }
        // What I filed that moved on. A failure here is said and tried at the next poll;
        // it does not hold up my own escalations.
        let every = match self.announce_reported(&store, &backend, now).await {
            Ok(every) => Some(every),
            Err(e) => {
                eprintln!("rota: cannot tell how the escalations you filed are doing: {e}");
                None
            }
        };
        self.last_mark = mark;
        let listed = (list.clone(), every);
        if self.last_listed.as_ref() != Some(&listed) {
            self.snapshot.revision += 1;
            self.last_listed = Some(listed);
        }
        let mut mine: Vec<Escalation> = list
            .into_iter()
            .filter(|e| e.state.is_active() && e.assignee.as_deref().is_some_and(|a| same_handle(a, &self.config.me)))
            .collect();
        mine.sort_by(rota_core::escalation::by_urgency);
        self.snapshot.unacknowledged = mine.iter().any(|e| e.state == EscalationState::Open);
        self.snapshot.mine = mine;
        self.snapshot.status = PollStatus::Ok;
        self.snapshot.last_success = Some(now);
    }

    /// Decides, shows and remembers: the exactly-once step.
    async fn announce(&mut self, store: &Arc<Store>, list: &[Escalation], now: &Now) -> Result<(), BackendError> {
        let before = store.load_seen(&self.scope)?;
        let decision = self.state.listed(now, &self.config.me, before.as_ref(), list);
        // Reminders, offers, the day's start; the new assignments held while I sleep are not
        // announced now (the day's start says them), though the seen set counts them as said.
        let team = self.config.team.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let remind_scope = crate::remind::scope(&self.scope);
        let reminding = match &team {
            Some(team) => {
                let (mut assigned, mut reassigned) = (Vec::new(), Vec::new());
                for n in &decision.notices {
                    if let Notice::Assigned { escalation, reassigned_from } = n {
                        assigned.push(escalation.clone());
                        reassigned.extend(reassigned_from.as_ref().map(|_| escalation.id.clone()));
                    }
                }
                let before = store.load_state(&remind_scope)?;
                Some(team.decide(&self.config.me, before.as_ref(), list, (&assigned, &reassigned), now.wall))
            }
            None => None,
        };
        let held: Vec<String> = reminding.as_ref().map(|d| d.held_now.clone()).unwrap_or_default();
        let mut unshown = Vec::new();
        let mut error = None;
        for (i, notice) in decision.notices.iter().enumerate() {
            if matches!(notice, Notice::Assigned { escalation, .. } if held.contains(&escalation.id)) {
                eprintln!("rota: held while you sleep: {}", rota_core::notice::text(notice).summary);
                continue;
            }
            let words = rota_core::notice::text_named(notice, &self.config.names.lock().unwrap_or_else(|e| e.into_inner()));
            let (notifier, sink) = (self.notifier.clone(), self.sink.clone());
            let shown = tokio::task::spawn_blocking(move || notifier.show(&words, sink))
                .await
                .unwrap_or_else(|e| Err(NotifyError::Failed(format!("notifier task: {e}"))));
            if let Err(e) = shown {
                unshown.push(i);
                error = Some(e);
            }
        }
        if let Some(e) = &error {
            if self.snapshot.notifier_error.as_ref() != Some(e) {
                eprintln!("rota: {e}");
            }
        }
        self.snapshot.notifier_error = error;
        if let Some(seen) = self.state.delivered(before.as_ref(), &decision, &unshown) {
            store.save_seen(&self.scope, &seen, now.wall)?;
        }
        if let Some(d) = reminding {
            let (notifier, sink) = (self.notifier.clone(), self.sink.clone());
            let delivered = tokio::task::spawn_blocking(move || crate::remind::deliver(&*notifier, &sink, d)).await;
            if let Ok((state, error)) = delivered {
                store.save_state(&remind_scope, &state, now.wall)?;
                if error.is_some() {
                    self.snapshot.notifier_error = error;
                }
            }
        }
        let said: Option<rota_core::remind::RemindState> = match &team {
            Some(_) => store.load_state(&remind_scope)?,
            None => None,
        };
        let (waiting, offered) = team.map(|t| t.asking(&self.config.me, list, said.as_ref(), now.wall)).unwrap_or_default();
        (self.snapshot.waiting, self.snapshot.offered) = (waiting, offered);
        Ok(())
    }

    /// The reporter's exactly-once step: every escalation listed (closed ones too),
    /// [`decide_reported`] against the stored states, the notices shown, the states stored.
    async fn announce_reported(
        &mut self,
        store: &Arc<Store>,
        backend: &Arc<AnyBackend>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Escalation>, BackendError> {
        let scope = format!("reported:{}", self.scope);
        let (listed, mark) = match &**backend {
            // What the rows say changed since the last look, whoever refreshed them.
            AnyBackend::Github(g) if g.mirrored() => {
                let (escalations, mark) = g.mirrored_changes(self.reported_mark)?;
                (crate::escalations::Changed { escalations, every: self.reported_mark.is_none(), since: None }, mark)
            }
            _ => (backend.list_changed(self.reported_since).await?, None),
        };
        let before = store.load_reported(&scope)?;
        let decision = match listed.every {
            true => decide_reported(before.as_ref(), &self.config.me, &listed.escalations),
            false => reported::decide_reported_changes(before.as_ref(), &self.config.me, &listed.escalations),
        };
        let mut unshown = Vec::new();
        for (i, progress) in decision.notices.iter().enumerate() {
            let (notifier, sink, words) = (self.notifier.clone(), self.sink.clone(), progress_text(progress));
            let shown = tokio::task::spawn_blocking(move || notifier.show_progress(&words, sink))
                .await
                .unwrap_or_else(|e| Err(NotifyError::Failed(format!("notifier task: {e}"))));
            if shown.is_err() {
                unshown.push(i);
            }
        }
        let seen = reported::seen_after_delivery(before.as_ref(), &decision, &unshown);
        if before.as_ref() != Some(&seen) {
            store.save_reported(&scope, &seen, now)?;
        }
        self.reported_since = listed.since;
        self.reported_mark = mark;
        Ok(listed.escalations)
    }

    fn failed(&mut self, e: BackendError, now: &Now) {
        let failure = match &e {
            BackendError::Unauthorized | BackendError::Forbidden => PollFailure::Unauthorized,
            BackendError::RateLimited { until } => PollFailure::RateLimited { until: *until },
            BackendError::Transient(_) => PollFailure::Transient,
            _ => PollFailure::Other,
        };
        let next = self.state.failed(now, failure, jitter());
        self.snapshot.status = match &e {
            BackendError::Unauthorized => PollStatus::TokenRejected,
            BackendError::Forbidden => PollStatus::Forbidden,
            BackendError::RateLimited { until } => PollStatus::RateLimited { until: *until },
            BackendError::Transient(why) => PollStatus::Offline { retry_at: next, why: why.clone() },
            other => PollStatus::Failed(other.to_string()),
        };
    }
}
