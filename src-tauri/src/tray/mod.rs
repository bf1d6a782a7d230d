//! The tray process: `rota` with no subcommand. It keeps the glance in the tray menu true (each
//! minute, on file changes, after a wake), watches my escalations, sends the outbox, listens for
//! the quick escalate shortcut, and starts the windows process when a window is asked for.
//!
//! It links no toolkit and no web engine: the tray item and its menu are D-Bus objects
//! (StatusNotifierItem and dbusmenu, through ksni), the shortcut is an X key grab (x11rb) and
//! everything else runs on one small tokio runtime. That keeps the process that runs all day
//! small (see ARCHITECTURE.md, "Two processes").

mod instance;
mod menu;
mod shortcut;
pub mod windows;

pub use instance::{outbox_changed, token_changed};

use crate::app::models::WindowKind;
use crate::cli::args::Global;
use crate::clock;
use crate::live::{self, Live, Surface};
use crate::notifier::{DesktopNotifier, NoticeAction};
use crate::poller::{self, PollerConfig, PollerHandle, Snapshot};
use crate::secrets::OsKeyring;
use crate::settings::{self, Settings};
use crate::sources::Reader;
use crate::{autostart, escalations};
use chrono::Utc;
use ksni::TrayMethods;
use menu::{EscalationsMenu, MenuAction, RotaTray};
use rota_core::tray::{escalation_line, tray_menu};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;
use tokio::sync::{mpsc, Mutex, Notify};

/// What reaches the tray's main loop: from its menu, its shortcut, and other `rota` processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Action(MenuAction),
    Open(WindowKind),
    OutboxChanged,
    /// A new GitHub token is stored (the settings window said so).
    TokenChanged,
}

/// With nothing waiting in the outbox, it is looked at again this often anyway (what a process
/// queued without telling the tray, say while the session bus was away).
const OUTBOX_IDLE_LOOK: Duration = Duration::from_secs(15 * 60);

struct Tray {
    global: Global,
    live: Mutex<Live>,
    reader: Reader,
    item: ksni::Handle<RotaTray>,
    /// The escalations poller, when `me` is set.
    poller: StdMutex<Option<PollerHandle>>,
    shortcut: Option<shortcut::Grabber>,
    /// Why the quick escalate shortcut is not active, when it is not.
    shortcut_problem: StdMutex<Option<String>>,
    /// Escalations waiting in the outbox, as of the sender's last look.
    waiting: AtomicUsize,
    /// Escalations the backend refused, waiting for a person, as of the sender's last look.
    refused: AtomicUsize,
    /// Wakes the outbox sender (something was filed, or settings changed).
    outbox_wake: Notify,
}

/// Starts the tray and runs it until Quit. Returns the exit status.
pub fn run(global: Global, open: Option<WindowKind>) -> i32 {
    if !crate::in_desktop_session() {
        eprintln!("rota: the tray app needs a desktop session (no DISPLAY or WAYLAND_DISPLAY); subcommands such as `rota now` work without one");
        return 1;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("rota").enable_all().build();
    match runtime {
        Ok(rt) => rt.block_on(main(global, open)),
        Err(e) => {
            eprintln!("rota: the tray could not start: {e}");
            1
        }
    }
}

async fn main(global: Global, open: Option<WindowKind>) -> i32 {
    let (tx, mut requests) = mpsc::unbounded_channel();
    // One tray per session: a second `rota` hands its request to the first and ends.
    let _name = match instance::claim(tx.clone(), open).await {
        Ok(instance::Claim::Ours(conn)) => conn,
        Ok(instance::Claim::Theirs) => return 0,
        Err(e) => {
            eprintln!("rota: the tray needs the desktop session's D-Bus ({e})");
            return 1;
        }
    };
    let reader = Reader::new(settings::data_dir().map(|d| d.join("cache")));
    let live = Live::start(global.clone(), &reader).await;
    let first = menu_of(&live, None);
    let settings = live.settings.clone();
    let item = match RotaTray::new(first, autostart::enabled(), tx.clone()).assume_sni_available(true).spawn().await {
        Ok(item) => item,
        Err(e) => {
            eprintln!("rota: the tray item could not be shown: {e}");
            return 1;
        }
    };
    eprintln!("rota: tray ready");
    let shortcut = {
        let tx = tx.clone();
        shortcut::Grabber::connect(move || {
            let _ = tx.send(Request::Open(WindowKind::Escalate));
        })
    };
    let (shortcut, no_grabber) = match shortcut {
        Ok(g) => (Some(g), None),
        Err(e) => (None, Some(e)),
    };
    let tray = Arc::new(Tray {
        global,
        live: Mutex::new(live),
        reader,
        item,
        poller: Default::default(),
        shortcut,
        shortcut_problem: StdMutex::new(no_grabber),
        waiting: Default::default(),
        refused: Default::default(),
        outbox_wake: Notify::new(),
    });
    tray.apply(&settings);
    tokio::spawn({
        let tray = tray.clone();
        async move { live::follow(&tray.live, &tray.reader, &tray).await }
    });
    tokio::spawn(outbox_loop(tray.clone()));
    if let Some(kind) = open {
        tray.open_window(kind);
    }
    // Windows are started from this task only: their parent-death signal is tied to the thread
    // that starts them, and this one lives as long as the tray.
    while let Some(request) = requests.recv().await {
        match request {
            Request::Open(kind) => tray.open_window(kind),
            Request::OutboxChanged => tray.outbox_wake.notify_one(),
            Request::TokenChanged => {
                if let Some(p) = tray.poller.lock().ok().as_ref().and_then(|p| p.as_ref()) {
                    p.reconnect();
                }
                tray.outbox_wake.notify_one();
            }
            Request::Action(MenuAction::Quit) => break,
            Request::Action(action) => tray.act(action).await,
        }
    }
    // Quit came from a menu click still being answered: the item's state is locked until that
    // answer is on its way, so wait for the lock before closing the connection under it.
    tray.item.update(|_| ()).await;
    tray.item.shutdown().await;
    0
}

/// The tray menu for the current state.
fn menu_of(live: &Live, snapshot: Option<&Snapshot>) -> rota_core::tray::TrayMenu {
    let at = clock::now().unwrap_or_else(|_| Utc::now());
    let attention = snapshot.is_some_and(|s| s.unacknowledged);
    tray_menu(&live.glance(at), &live.settings.config.schedule.timing, live.inputs.schedule.demo.as_deref(), &live.problems, attention)
}

impl Tray {
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
                let tray = Arc::downgrade(self);
                let first = AtomicBool::new(true);
                let runtime = tokio::runtime::Handle::current();
                let poller = poller::spawn(&runtime.clone(), config, Arc::new(DesktopNotifier::new()), move |snap| {
                    // A readiness line for scripts and tests: escalations are being watched.
                    if snap.last_success.is_some() && first.swap(false, Ordering::Relaxed) {
                        eprintln!("rota: escalations watched");
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
        let Some(grabber) = &self.shortcut else { return };
        let wanted = settings.config.shortcut.as_deref().and_then(|s| s.parse::<rota_core::shortcut::Shortcut>().ok());
        let problem = grabber.set(wanted.as_ref()).err().map(|why| {
            let sc = settings.config.shortcut.as_deref().unwrap_or_default();
            format!("{sc} could not be registered ({why}). Where the desktop does not allow global shortcuts (most Wayland desktops), bind a key to `rota --open escalate` in its keyboard settings.")
        });
        if let Some(p) = &problem {
            eprintln!("rota: {p}");
        }
        *self.shortcut_problem.lock().unwrap_or_else(|e| e.into_inner()) = problem;
    }

    /// Starts (or reaches) the windows process for `kind`, with what the tray knows that the
    /// window shows.
    fn open_window(&self, kind: WindowKind) {
        let news = windows::TrayNews {
            shortcut_problem: self.shortcut_problem.lock().ok().and_then(|p| p.clone()),
            escalations_problem: self.snapshot().and_then(|s| s.problem()),
        };
        if let Err(e) = windows::spawn(&self.global, kind, &news) {
            eprintln!("rota: the {} window could not be opened: {e}", kind.label());
        }
    }

    async fn act(self: &Arc<Self>, action: MenuAction) {
        match action {
            MenuAction::Escalate => self.open_window(WindowKind::Escalate),
            MenuAction::OpenDashboard => self.open_window(WindowKind::Dashboard),
            MenuAction::Settings => self.open_window(WindowKind::Settings),
            MenuAction::StartAtLogin => {
                if let Err(e) = autostart::set(!autostart::enabled()) {
                    eprintln!("rota: start at login could not be changed: {e}");
                }
                self.refresh().await;
            }
            MenuAction::OpenEscalation(i) => {
                let url = self.snapshot().and_then(|s| s.mine.get(i).and_then(|e| e.page.clone().or_else(|| e.url.clone())));
                if let (Some(url), Some(p)) = (url, self.poller.lock().ok().as_ref().and_then(|p| p.as_ref())) {
                    p.act(NoticeAction::Open { url });
                }
            }
            MenuAction::Quit => {}
        }
    }
}

impl Surface for Arc<Tray> {
    fn settings_changed(&self, settings: &Settings) {
        self.apply(settings);
    }

    /// Puts the current glance in the tray.
    async fn refresh(&self) {
        let snapshot = self.snapshot();
        let (m, backend) = {
            let live = self.live.lock().await;
            (menu_of(&live, snapshot.as_ref()), live.settings.config.escalations.backend)
        };
        let mut esc = match &snapshot {
            None => EscalationsMenu::default(),
            Some(s) => EscalationsMenu {
                mine: s.mine.iter().map(escalation_line).collect(),
                status: s.problem().map(|p| format!("⚠ {p}")),
                waiting: None,
                refused: None,
            },
        };
        let waiting = self.waiting.load(Ordering::Relaxed);
        if waiting > 0 {
            esc.waiting = Some(format!("{waiting} escalation{} waiting to send", if waiting == 1 { "" } else { "s" }));
        }
        esc.refused = rota_core::outbox::refused_line(self.refused.load(Ordering::Relaxed), backend);
        let login = autostart::enabled();
        self.item
            .update(|t| {
                t.menu = m;
                t.escalations = esc;
                t.start_at_login = login;
            })
            .await;
    }
}

/// Sends what waits in the outbox: at start, when told something was filed or settings changed,
/// when the backoff says the next try is due, and now and then anyway.
async fn outbox_loop(tray: Arc<Tray>) {
    let mut blocked = 0;
    loop {
        let settings = tray.live.lock().await.settings.clone();
        let now = clock::now().unwrap_or_else(|_| Utc::now());
        let look = escalations::configured::drain(&settings, Utc::now().max(now)).await;
        let (waiting, next) = (look.waiting, look.next);
        let before = (tray.waiting.swap(waiting, Ordering::Relaxed), tray.refused.swap(look.refused, Ordering::Relaxed));
        if before != (waiting, look.refused) {
            tray.refresh().await;
        }
        // A refusal is news: a notification with the backend's own reason (the menu keeps a line).
        for (title, reason) in look.newly_refused {
            let t = rota_core::outbox::refused_notice(&title, &reason, settings.config.escalations.backend);
            let shown = tokio::task::spawn_blocking(move || DesktopNotifier::new().show_text(&t)).await;
            if let Ok(Err(e)) = shown {
                eprintln!("rota: {e}");
            }
        }
        // The keyring could not be read (locked, the unlock dismissed): back off, rather than
        // ask again each minute. Something filed, or a new token, wakes the sender sooner.
        blocked = if look.blocked { blocked + 1 } else { 0 };
        let wait = match (waiting, next) {
            _ if blocked > 0 => poller::keyring_retry(blocked),
            (0, _) => OUTBOX_IDLE_LOOK,
            (_, Some(t)) => (t - Utc::now()).to_std().unwrap_or_default().clamp(Duration::from_secs(1), Duration::from_secs(60)),
            (_, None) => Duration::from_secs(60),
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = tray.outbox_wake.notified() => {}
        }
    }
}
