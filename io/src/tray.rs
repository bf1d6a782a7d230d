//! The tray process, whichever host draws it: it keeps the tray model true (each minute, on file
//! changes, after a wake), watches my escalations, sends the outbox, listens for the quick
//! escalate shortcut, and starts the windows process when a window is asked for.
//!
//! It draws nothing. A host (the lean StatusNotifierItem one in `rota`, Tauri's in `rota-app`)
//! implements [`TrayView`] to show the core's [`TrayModel`] and sends every click here as a
//! [`Request`]; the rest is the same code for both.

use crate::acting::Act;
use crate::clock::Clock;
use crate::live::{self, Live, Surface};
use crate::notifier::{DesktopNotifier, NoticeAction};
use crate::poller::{self, PollerConfig, PollerHandle, Snapshot};
use crate::protocol::{self, Overrides, TrayNews, WindowKind};
use crate::secrets::OsKeyring;
use crate::settings::{self, Settings};
use crate::sources::Reader;
use crate::{autostart, supervise};
use rota_core::shortcut::Shortcut;
use rota_core::tray::{tray_model, EscalationsSummary, MenuAction, TrayInputs, TrayModel};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::sync::{Mutex, Notify};

mod loops;
use loops::{outbox_loop, slack_loop};

/// What reaches the tray's main loop: from its menu, its shortcut, and other `rota` processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Action(MenuAction),
    Open(WindowKind),
    /// Open a window showing what this tray item was about (see [`protocol::SHOW_FLAG`]).
    Show(WindowKind, MenuAction),
    OutboxChanged,
    /// A new GitHub token is stored (the settings window said so).
    TokenChanged,
    /// A window changed an escalation: poll now.
    EscalationsChanged,
    /// The windows process filed an escalation, or saved it to be sent (`queued`): say so once
    /// ("Filed #12 to Lord Howe"). `key`: the filing's client key.
    Filed {
        key: Option<String>,
        queued: bool,
        text: rota_core::notice::NoticeText,
    },
    /// Settings saved a config: read it again now (on a first run its folder did not exist).
    SettingsChanged,
    /// The desktop session's bus is gone: the tray ends.
    SessionEnded,
    /// The escalate window is ready (its X window id): the keys typed since the shortcut go to it.
    HandOver(u32, KeysReply),
}

/// Where the keys typed ahead go back to (the D-Bus call that asked).
#[derive(Debug, Clone)]
pub struct KeysReply(Arc<StdMutex<Option<tokio::sync::oneshot::Sender<Vec<String>>>>>);

impl KeysReply {
    pub fn new() -> (KeysReply, tokio::sync::oneshot::Receiver<Vec<String>>) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        (KeysReply(Arc::new(StdMutex::new(Some(tx)))), rx)
    }

    fn send(&self, keys: Vec<String>) {
        if let Some(tx) = self.0.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = tx.send(keys);
        }
    }
}

impl PartialEq for KeysReply {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for KeysReply {}

/// A tray host: shows the model it is given.
pub trait TrayView: Send + Sync + 'static {
    /// Shows `model` in place of what was shown.
    fn show(&self, model: TrayModel) -> impl Future<Output = ()> + Send;
    /// Takes the tray item away (Quit).
    fn close(&self) -> impl Future<Output = ()> + Send;
}

/// A way to grab the quick escalate shortcut system-wide.
pub trait ShortcutKeys: Send + Sync + 'static {
    /// Grabs `shortcut` in place of the previous one (`None`: no shortcut). Says why not.
    fn set(&self, shortcut: Option<&Shortcut>) -> Result<(), String>;
    /// The keys typed since the shortcut was pressed, handed to `window` (an X window id), which
    /// gets the keyboard from then on. Blocks briefly. None where keys are not held.
    fn hand_over(&self, _window: u32) -> Vec<String> {
        Vec::new()
    }
}

#[cfg(target_os = "linux")]
impl ShortcutKeys for crate::shortcut::Grabber {
    fn set(&self, shortcut: Option<&Shortcut>) -> Result<(), String> {
        crate::shortcut::Grabber::set(self, shortcut)
    }

    fn hand_over(&self, window: u32) -> Vec<String> {
        crate::shortcut::Grabber::hand_over(self, window)
    }
}

/// The shortcut grabber a host can offer, or why it has none.
pub type Keys = Result<Box<dyn ShortcutKeys>, String>;

/// The X key grab (Linux), reporting presses as [`Request::Open`] of the escalate window.
#[cfg(target_os = "linux")]
pub fn x11_keys(requests: &UnboundedSender<Request>) -> Keys {
    let tx = requests.clone();
    crate::shortcut::Grabber::connect(move || {
        let _ = tx.send(Request::Open(WindowKind::Escalate));
    })
    .map(|g| Box::new(g) as Box<dyn ShortcutKeys>)
}

struct Tray<V> {
    overrides: Overrides,
    /// The person's clock (`ROTA_NOW` read once, at start).
    clock: Clock,
    live: Mutex<Live>,
    reader: Reader,
    view: V,
    /// The escalations poller, when `me` is set.
    poller: StdMutex<Option<PollerHandle>>,
    /// The roster's names, as the poller's notices say people (kept current at each refresh).
    names: Arc<StdMutex<rota_core::notice::Names>>,
    /// The filings said, so that each is said once, told by a window or sent from the outbox.
    said_filings: StdMutex<rota_core::notice::SaidFilings>,
    /// The schedule and roster the poller's reminders count in (kept current at each refresh).
    team: crate::remind::Shared,
    keys: Option<Box<dyn ShortcutKeys>>,
    /// Why the quick escalate shortcut is not active, when it is not.
    shortcut_problem: StdMutex<Option<String>>,
    /// Escalations waiting in the outbox, as of the sender's last look.
    waiting: AtomicUsize,
    /// Escalations the backend refused, waiting for a person, as of the sender's last look.
    refused: AtomicUsize,
    /// Wakes the outbox sender (something was filed, or settings changed).
    outbox_wake: Notify,
    /// Wakes `live::follow` to read the config and sources again (Settings saved).
    reload_wake: Notify,
    /// Held from computing a model to handing it to the host, so that refreshes racing each
    /// other (a file change, a poll, the outbox) reach the host in the order their state was read.
    showing: Mutex<()>,
    /// Set once the first look at hand-off notices is done.
    handoff_looked: AtomicBool,
    /// The refused config's error last said as a notification.
    refused_said: StdMutex<Option<String>>,
    /// The Slack user group's line, while the tray keeps it (`slack_loop`).
    slack_line: StdMutex<Option<String>>,
    /// Wakes `slack_loop` to sync at once (a token was stored).
    slack_wake: Notify,
    /// Told after each refresh: what it ran is let go of once the tray is quiet again.
    ran: Notify,
}

/// Runs the tray until Quit: reads the inputs, has the host make its view from the first model
/// (`make_view`), then serves `requests`. Returns the exit status. The host has already made sure
/// this is the session's only tray, and read its `clock` ([`clock::at_start`]).
pub async fn run<V, F, Fut>(
    overrides: Overrides,
    clock: Clock,
    open: Option<WindowKind>,
    mut requests: UnboundedReceiver<Request>,
    keys: Keys,
    make_view: F,
) -> i32
where
    V: TrayView,
    F: FnOnce(TrayModel) -> Fut,
    Fut: Future<Output = Result<V, String>>,
{
    // An older Rota's start-at-login entry becomes this one's.
    autostart::refresh();
    let reader = Reader::new(settings::data_dir().map(|d| d.join("cache")));
    let live = Live::start(overrides.clone(), clock, &reader).await;
    let first = model_of(&live, None, (0, 0), None, None);
    let settings = live.settings.clone();
    // Known before the poller starts, so its first poll reminds and offers.
    let team = Arc::new(StdMutex::new(crate::remind::TeamNow::of(&live)));
    let view = match make_view(first).await {
        Ok(view) => view,
        Err(e) => {
            eprintln!("rota: the tray item could not be shown: {e}");
            return 1;
        }
    };
    // What only the start used is let go of once the tray is up, and what each refresh ran (a
    // minute's new menu) once it is quiet again (see `resident`).
    tokio::spawn(async {
        let mut waited = std::time::Duration::ZERO;
        for after in crate::resident::LET_GO_AFTER {
            tokio::time::sleep(after - waited).await;
            waited = after;
            crate::resident::let_go_of_start_up_code();
        }
    });
    let (keys, no_keys) = match keys {
        Ok(k) => (Some(k), None),
        Err(e) => {
            eprintln!("rota: the quick escalate shortcut is off: {e}");
            (None, Some(e))
        }
    };
    let tray = Arc::new(Tray {
        overrides,
        clock,
        live: Mutex::new(live),
        reader,
        view,
        poller: Default::default(),
        keys,
        shortcut_problem: StdMutex::new(no_keys),
        waiting: Default::default(),
        refused: Default::default(),
        outbox_wake: Notify::new(),
        reload_wake: Notify::new(),
        showing: Mutex::new(()),
        handoff_looked: AtomicBool::new(false),
        refused_said: StdMutex::new(None),
        names: Default::default(),
        said_filings: Default::default(),
        slack_line: StdMutex::new(None),
        slack_wake: Notify::new(),
        ran: Notify::new(),
        team,
    });
    tray.apply(&settings);
    // What apply found out (the shortcut grabbed or not) shows at once.
    tray.refresh().await;
    // Ready: the item shown and the shortcut grabbed (a script that presses it after this line
    // reaches the tray).
    eprintln!("rota: tray ready");
    // Restarted if they fail, the failure shown in the menu: never dead and silent.
    let shown = |tray: Arc<Tray<V>>| move |why: String| drop(tokio::spawn(tray.clone().show_problem(why)));
    let t = tray.clone();
    supervise::forever(
        "following the schedule",
        supervise::FIRST_PAUSE,
        move || {
            let t = t.clone();
            async move { live::follow(&t.live, &t.reader, &t).await }
        },
        shown(tray.clone()),
    );
    let t = tray.clone();
    tokio::spawn(async move {
        loop {
            t.ran.notified().await;
            // Quiet: no refresh for a while (the panel has read the new menu by then).
            while tokio::time::timeout(crate::resident::QUIET, t.ran.notified()).await.is_ok() {}
            crate::resident::let_go_of_start_up_code();
        }
    });
    let t = tray.clone();
    supervise::forever("the outbox sender", supervise::FIRST_PAUSE, move || outbox_loop(t.clone()), shown(tray.clone()));
    let t = tray.clone();
    supervise::forever("keeping Slack in step", supervise::FIRST_PAUSE, move || slack_loop(t.clone()), shown(tray.clone()));
    // The window asked for at start, else the dashboard if no panel shows the item. Whether one
    // does is known only after a grace (at login the panel may come later), and requests are
    // served meanwhile: a shortcut pressed then opens its window at once.
    let opening = async move {
        match open {
            Some(kind) => Some(kind),
            None => unseen_tray().await,
        }
    };
    tokio::pin!(opening);
    let mut opened = false;
    // Windows are started from this task only: their parent-death signal is tied to the thread
    // that starts them, and this one lives as long as the tray.
    loop {
        let request = tokio::select! {
            biased;
            kind = &mut opening, if !opened => {
                opened = true;
                if let Some(kind) = kind {
                    tray.open_window(kind).await;
                }
                continue;
            }
            request = requests.recv() => match request {
                Some(request) => request,
                None => break,
            },
        };
        match request {
            Request::Open(kind) => tray.open_window(kind).await,
            Request::Show(kind, what) => tray.open_window_at(kind, Some(&what)).await,
            Request::OutboxChanged => tray.outbox_wake.notify_one(),
            Request::SettingsChanged => tray.reload_wake.notify_one(),
            Request::EscalationsChanged => {
                if let Some(p) = tray.poller.lock().ok().as_ref().and_then(|p| p.as_ref()) {
                    p.poll_now();
                }
            }
            Request::TokenChanged => {
                if let Some(p) = tray.poller.lock().ok().as_ref().and_then(|p| p.as_ref()) {
                    p.reconnect();
                }
                tray.outbox_wake.notify_one();
                tray.slack_wake.notify_one();
            }
            Request::Filed { key, queued, text } => tray.say_filed(key.as_deref(), queued, text).await,
            Request::HandOver(window, reply) => {
                let tray = tray.clone();
                tokio::task::spawn_blocking(move || {
                    reply.send(tray.keys.as_ref().map(|k| k.hand_over(window)).unwrap_or_default());
                });
            }
            Request::Action(MenuAction::Quit) => break,
            Request::SessionEnded => {
                eprintln!("rota: the desktop session's bus has closed (the session ended); the tray ends");
                break;
            }
            Request::Action(action) => tray.act(action).await,
        }
    }
    tray.view.close().await;
    0
}

/// How long the tray waits for a panel to come up before it says none shows it.
#[cfg(target_os = "linux")]
const PANEL_GRACE: Duration = Duration::from_secs(8);

/// Shows `text` as a desktop notification, off the async threads (the notification service is
/// called and waited on), saying why where it cannot.
async fn say(text: rota_core::notice::NoticeText) {
    let shown = tokio::task::spawn_blocking(move || DesktopNotifier::new().show_text(&text)).await;
    if let Ok(Err(e)) = shown {
        eprintln!("rota: {e}");
    }
}

/// On a desktop whose panel shows no tray items, says so once and asks for the dashboard, so
/// that Rota is never running unseen.
async fn unseen_tray() -> Option<WindowKind> {
    #[cfg(target_os = "linux")]
    if !crate::instance::has_tray_watcher(PANEL_GRACE).await {
        eprintln!("rota: no tray host on this desktop ({}); opening the dashboard", crate::instance::WATCHER);
        say(rota_core::tray::no_tray_host_notice()).await;
        return Some(WindowKind::Dashboard);
    }
    None
}

/// The tray model for the current state.
/// `outbox` is what waits to be sent, and what the backend refused.
/// `shortcut` is the quick escalate key when it is grabbed.
/// `slack` is the Slack user group's line while the tray keeps it.
fn model_of(live: &Live, snapshot: Option<&Snapshot>, outbox: (usize, usize), shortcut: Option<&str>, slack: Option<&str>) -> TrayModel {
    let at = live.clock.now();
    let escalations = snapshot.map(|s| EscalationsSummary {
        mine: s.mine.clone(),
        unacknowledged: s.unacknowledged,
        problem: s.problem(),
        waiting: s.waiting,
        offered: s.offered.clone(),
    });
    let my_next = crate::handoff::line(live, at);
    let (schedule, roster, timing) = (&live.inputs.schedule, &live.inputs.roster, &live.settings.config.schedule.timing);
    let hand_over = snapshot
        .zip(live.settings.me.as_deref())
        .and_then(|(s, me)| rota_core::handover::offer_at(schedule, roster, timing, &s.mine, me, at));
    tray_model(&TrayInputs {
        glance: &live.glance(at),
        me: live.settings.me.as_deref(),
        shortcut,
        timing: &live.settings.config.schedule.timing,
        demo: live.inputs.schedule.demo.as_deref(),
        problems: &live.problems,
        escalations: escalations.as_ref(),
        outbox_waiting: outbox.0,
        outbox_refused: outbox.1,
        backend: live.settings.config.escalations.backend,
        start_at_login: autostart::enabled(),
        my_next: my_next.as_deref(),
        hand_over: hand_over.as_deref(),
        slack,
    })
}

/// The hand-off notices due now and where their state is kept, or `None` when there is nothing
/// to show or store.
fn handoff_due(live: &Live, snapshot: Option<&Snapshot>) -> Option<(std::path::PathBuf, crate::handoff::Due)> {
    let path = crate::handoff::state_file()?;
    let stored = crate::handoff::load(&path);
    // My open escalations, once the poller has seen them.
    let open: Option<Vec<String>> = snapshot.filter(|s| s.last_success.is_some()).map(|s| s.mine.iter().map(|e| e.title.clone()).collect());
    let due = crate::handoff::due(live, stored.as_ref(), open.as_deref(), live.clock.now())?;
    let unchanged = due.notices.is_empty() && stored.as_ref() == Some(&due.state);
    (!unchanged).then_some((path, due))
}

impl<V: TrayView> Tray<V> {
    fn snapshot(&self) -> Option<Snapshot> {
        self.poller.lock().ok()?.as_ref().map(PollerHandle::snapshot)
    }

    /// Acts on settings: the poller, the shortcut, the outbox.
    fn apply(self: &Arc<Self>, settings: &Settings) {
        self.start_poller(settings);
        self.grab_shortcut(settings);
        self.outbox_wake.notify_one();
    }

    /// Starts the escalations poller for the settings (replacing a running one). Without `me`
    /// there is nothing to announce, so no poller runs.
    fn start_poller(self: &Arc<Self>, settings: &Settings) {
        let mut slot = self.poller.lock().unwrap_or_else(|e| e.into_inner());
        slot.take();
        if settings.me.is_none() {
            return;
        }
        match PollerConfig::from_settings(settings, Arc::new(OsKeyring)) {
            Ok(config) => {
                let config = PollerConfig { names: self.names.clone(), team: self.team.clone(), clock: self.clock, ..config };
                let tray = Arc::downgrade(self);
                let first = AtomicBool::new(true);
                let seen = std::sync::atomic::AtomicU64::new(0);
                let runtime = tokio::runtime::Handle::current();
                let poller = poller::spawn(&runtime.clone(), config, Arc::new(DesktopNotifier::new()), move |snap| {
                    // A readiness line for scripts and tests: escalations are being watched.
                    if snap.last_success.is_some() && first.swap(false, Ordering::Relaxed) {
                        eprintln!("rota: escalations watched");
                    }
                    // What the poll found changed: an open dashboard shows it now, not at the
                    // next minute.
                    if seen.swap(snap.revision, Ordering::Relaxed) != snap.revision {
                        runtime.spawn(crate::tell_windows_escalations_seen());
                    }
                    if let Some(tray) = tray.upgrade() {
                        runtime.spawn(async move { tray.refresh().await });
                    }
                });
                *slot = Some(poller);
            }
            Err(e) => eprintln!("rota: escalations will not be watched: {e}"),
        }
    }

    /// Grabs the quick escalate shortcut the settings name (replacing the previous one). Where
    /// that is refused, the reason is kept for the settings window.
    fn grab_shortcut(&self, settings: &Settings) {
        let Some(keys) = &self.keys else { return };
        let wanted = settings.config.shortcut.as_deref().and_then(|s| s.parse::<Shortcut>().ok());
        let problem = keys.set(wanted.as_ref()).err().map(|why| {
            let sc = settings.config.shortcut.as_deref().unwrap_or_default();
            format!("{sc} could not be registered ({why}). Where the desktop does not allow global shortcuts (most Wayland desktops), bind a key to `rota --open escalate` in its keyboard settings.")
        });
        if let Some(p) = &problem {
            eprintln!("rota: {p}");
        }
        *self.shortcut_problem.lock().unwrap_or_else(|e| e.into_inner()) = problem;
    }

    /// Says a filing (`text`) unless it was said already (see [`rota_core::notice::SaidFilings`]).
    async fn say_filed(&self, key: Option<&str>, queued: bool, text: rota_core::notice::NoticeText) {
        if !self.said_filings.lock().unwrap_or_else(|p| p.into_inner()).first_time(key, queued) {
            return;
        }
        say(text).await;
    }

    /// Starts (or reaches) the windows process for `kind`, with what the tray knows that the
    /// window shows.
    async fn open_window(&self, kind: WindowKind) {
        self.open_window_at(kind, None).await
    }

    /// [`Self::open_window`], the window showing what the tray item `show` was about. A windows
    /// process that runs (kept after its last window) is handed the request over the session bus,
    /// with no process to start; otherwise one is started.
    async fn open_window_at(&self, kind: WindowKind, show: Option<&MenuAction>) {
        let news = TrayNews {
            shortcut_problem: self.shortcut_problem.lock().ok().and_then(|p| p.clone()),
            escalations_problem: self.snapshot().and_then(|s| s.problem()),
        };
        #[cfg(target_os = "linux")]
        if let Some(ended) = crate::instance::reach_windows(&protocol::window_args(&self.overrides, kind, show), kind.label()).await {
            // It was ending as the request came, and went without showing the window: a new one.
            let (overrides, show) = (self.overrides.clone(), show.cloned());
            tokio::spawn(async move {
                if ended.await {
                    spawn_window(&overrides, kind, show.as_ref(), &news);
                }
            });
            return;
        }
        spawn_window(&self.overrides, kind, show, &news);
    }

    async fn act(self: &Arc<Self>, action: MenuAction) {
        match action {
            MenuAction::Escalate => self.open_window(WindowKind::Escalate).await,
            MenuAction::OpenDashboard => self.open_window(WindowKind::Dashboard).await,
            MenuAction::Person(_) => self.open_window_at(WindowKind::Dashboard, Some(&action)).await,
            MenuAction::Settings => self.open_window(WindowKind::Settings).await,
            MenuAction::StartAtLogin => {
                if let Err(e) = autostart::set(!autostart::enabled()) {
                    eprintln!("rota: start at login could not be changed: {e}");
                }
                self.refresh().await;
            }
            MenuAction::OpenEscalation(id) => {
                let url = self
                    .snapshot()
                    .and_then(|s| s.mine.into_iter().chain(s.offered).find(|e| e.id == id))
                    // The escalation's own page (GitHub's issue), else its link.
                    .and_then(|e| e.page.or(e.url));
                let opened = match (url, self.poller.lock().ok().as_ref().and_then(|p| p.as_ref())) {
                    (Some(url), Some(p)) => {
                        p.act(NoticeAction::Open { url });
                        true
                    }
                    _ => false,
                };
                // Gone since the menu was drawn (resolved, reassigned), or no link: the dashboard
                // shows where it went.
                if !opened {
                    self.open_window(WindowKind::Dashboard).await;
                }
            }
            // Acknowledge and resolve at once, through the poller (which polls again after, so
            // the menu shows the outcome).
            MenuAction::AcknowledgeEscalation(id) => self.take(id, Act::Acknowledge),
            MenuAction::ResolveEscalation(id) => self.take(id, Act::Resolve { note: None }),
            MenuAction::TakeEscalation(id) => self.take(id, Act::Take),
            // These need a team or an engineer: a small window asks for them, ready to type in.
            MenuAction::EngageEscalation(_) | MenuAction::ReassignEscalation(_) => {
                self.open_window_at(WindowKind::Action, Some(&action)).await
            }
            MenuAction::HandOver => self.open_window(WindowKind::Handover).await,
            MenuAction::Quit => {}
        }
    }
}

impl<V: TrayView> Tray<V> {
    /// Takes `action` on escalation `id` through the poller's backend.
    fn take(&self, id: String, action: Act) {
        match self.poller.lock().ok().as_ref().and_then(|p| p.as_ref()) {
            Some(p) => p.act(NoticeAction::Take { id, action }),
            None => eprintln!("rota: cannot {} escalation {id}: escalations are not watched (set me in the config)", action.verb()),
        }
    }

    /// Shows a problem in the menu until the next reload.
    async fn show_problem(self: Arc<Self>, why: String) {
        self.live.lock().await.problems.push(rota_core::Problem::error(why));
        self.refresh().await;
    }
}

impl<V: TrayView> Surface for Arc<Tray<V>> {
    fn settings_changed(&self, settings: &Settings) {
        self.apply(settings);
    }

    async fn reload_asked(&self) {
        self.reload_wake.notified().await
    }

    /// Puts the current state in the tray.
    async fn refresh(&self) {
        let _order = self.showing.lock().await;
        let snapshot = self.snapshot();
        let grabbed = self.keys.is_some() && self.shortcut_problem.lock().is_ok_and(|p| p.is_none());
        let live = self.live.lock().await;
        let shortcut = live.settings.config.shortcut.clone().filter(|_| grabbed);
        let outbox = (self.waiting.load(Ordering::Relaxed), self.refused.load(Ordering::Relaxed));
        let slack = self.slack_line.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let model = model_of(&live, snapshot.as_ref(), outbox, shortcut.as_deref(), slack.as_deref());
        // Hand-off notices that list my escalations wait for the poller's first poll (said at
        // start-up, the day before the end left them out); without a poller there is no wait.
        let first_poll_pending = snapshot.as_ref().is_some_and(|s| s.polls == 0);
        let handoff = if first_poll_pending { None } else { handoff_due(&live, snapshot.as_ref()) };
        let refused = live.refused.clone();
        *self.names.lock().unwrap_or_else(|e| e.into_inner()) = rota_core::notice::Names::of(&live.inputs.roster);
        // The first team known (or a fixed one) is worth a poll now, after a good poll (a failing
        // one keeps its own backoff): reminders due at start-up are said at once, not at the
        // next interval.
        let team = crate::remind::TeamNow::of(&live);
        let first_team = {
            let mut slot = self.team.lock().unwrap_or_else(|e| e.into_inner());
            let first = slot.is_none() && team.is_some();
            *slot = team;
            first
        };
        if first_team && snapshot.as_ref().is_some_and(|s| s.status.is_ok()) {
            if let Some(p) = self.poller.lock().ok().as_ref().and_then(|p| p.as_ref()) {
                p.poll_now();
            }
        }
        drop(live);
        self.view.show(model).await;
        // A refused config is said once as a notification (the menu keeps its lines), again only
        // for a new error after it was fixed or changed.
        let news = {
            let mut said = self.refused_said.lock().unwrap_or_else(|p| p.into_inner());
            let news = refused.as_ref().is_some_and(|r| said.as_deref() != Some(r.error.as_str()));
            *said = refused.as_ref().map(|r| r.error.clone());
            news
        };
        if let Some(r) = refused.filter(|_| news) {
            eprintln!("rota: {} refused: {}", r.file, r.error);
            let text = rota_core::tray::refused_config_notice(&r.error, r.fallback, &r.file);
            say(text).await;
        }
        // Hand-off notices, shown and stored while `showing` is held: never twice from racing
        // refreshes.
        if let Some((path, due)) = handoff {
            let shown = tokio::task::spawn_blocking(move || crate::handoff::deliver(&path, due, |t| DesktopNotifier::new().show_text(t)));
            let _ = shown.await;
        }
        if !first_poll_pending && !self.handoff_looked.swap(true, Ordering::Relaxed) {
            // A readiness line for scripts and tests: the first look at hand-off notices is done.
            eprintln!("rota: hand-off notices looked at");
        }
        self.ran.notify_one();
    }
}

/// Starts the windows process for `kind`, saying why where it cannot.
fn spawn_window(overrides: &Overrides, kind: WindowKind, show: Option<&MenuAction>, news: &TrayNews) {
    if let Err(e) = protocol::spawn_window(overrides, kind, show, news) {
        eprintln!("rota: the {kind} window could not be opened: {e}");
    }
}
