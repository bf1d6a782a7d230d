//! The tray app: `rota` with no subcommand. It keeps the glance in the tray menu true (each
//! minute, on file changes, after a wake), and opens the dashboard and settings windows on demand.

mod commands;
mod config_file;
mod error;
mod escalate;
mod live;
pub mod models;
mod tray;
mod windows;
#[cfg(test)]
mod tests;

use crate::cli::args::Global;
use crate::clock;
use crate::settings;
use crate::sources::Reader;
use chrono::{DateTime, Utc};
use error::IpcErrors;
use live::Live;
use models::{DashboardView, SettingsForm, WindowKind};
use notify::Watcher;
use rota_core::tray::{next_tick, tray_menu};
use rota_core::{coverage, lint, Rules};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, RunEvent, Runtime};
use tauri_plugin_autostart::{AutoLaunchManager, MacosLauncher};
use tokio::sync::{mpsc, Mutex};
use crate::notifier::{DesktopNotifier, NoticeAction};
use crate::poller::{self, PollerConfig, PollerHandle, Snapshot};
use crate::secrets::OsKeyring;
use rota_core::tray::escalation_line;
use std::sync::Arc;
use tray::{EscalationsMenu, MenuAction};

/// The event the windows listen to: the state changed, fetch the view again.
pub const CHANGED: &str = "rota:changed";

/// URL sources are fetched again this often (a conditional request: cheap when unchanged).
const REFETCH: Duration = Duration::from_secs(300);

/// Which of the app's two processes this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The tray, the poller, the shortcut and the outbox sender; never a webview.
    Tray,
    /// The windows; ends when the last one closes.
    Windows,
}

pub struct AppState {
    pub role: Role,
    /// The command line's overrides, passed on to the windows process.
    global: Global,
    pub live: Mutex<Live>,
    reader: Reader,
    /// The escalations poller, when `me` is set.
    poller: std::sync::Mutex<Option<PollerHandle>>,
    /// Why the quick escalate shortcut is not active, when it is not.
    shortcut_problem: std::sync::Mutex<Option<String>>,
    /// In the windows process: what the tray's poller last ran into, as the tray said.
    escalations_problem: Option<String>,
    /// Escalations waiting in the outbox, as of the sender's last look.
    waiting: std::sync::atomic::AtomicUsize,
    /// Wakes the outbox sender (something was filed, or settings changed).
    outbox_wake: tokio::sync::Notify,
}

fn escalations_menu(snapshot: Option<&Snapshot>) -> EscalationsMenu {
    match snapshot {
        None => EscalationsMenu::default(),
        Some(s) => EscalationsMenu {
            mine: s.mine.iter().map(escalation_line).collect(),
            status: (!s.status.is_ok() && s.polls > 0).then(|| format!("⚠ {}", s.status.label())),
            waiting: None,
        },
    }
}

/// Applies settings the tray process acts on: the poller, the shortcut, the outbox.
fn apply<R: Runtime>(app: &AppHandle<R>, settings: &settings::Settings) {
    start_poller(app, settings);
    register_shortcut(app, settings);
    if let Some(state) = app.try_state::<AppState>() {
        state.outbox_changed(app);
    }
}

/// Opens a window: in the windows process itself, or from the tray by starting (or reaching)
/// the windows process.
fn open_window<R: Runtime>(app: &AppHandle<R>, kind: WindowKind) {
    let Some(state) = app.try_state::<AppState>() else { return };
    let result = match state.role {
        Role::Windows => windows::open(app, kind).map_err(|e| e.to_string()),
        Role::Tray => {
            let news = windows::TrayNews {
                shortcut_problem: state.shortcut_problem.lock().ok().and_then(|p| p.clone()),
                escalations_problem: state.snapshot().filter(|s| !s.status.is_ok() && s.polls > 0).map(|s| s.status.label()),
            };
            windows::spawn(&state.global, kind, &news).map_err(|e| e.to_string())
        }
    };
    if let Err(e) = result {
        eprintln!("rota: the {} window could not be opened: {e}", kind.label());
    }
}

/// Registers the quick escalate shortcut the settings name (replacing the previous one). Where
/// the platform refuses (most Wayland desktops do), the reason is kept for the settings window.
fn register_shortcut<R: Runtime>(app: &AppHandle<R>, settings: &settings::Settings) {
    let Some(state) = app.try_state::<AppState>() else { return };
    let Some(shortcuts) = app.try_state::<tauri_plugin_global_shortcut::GlobalShortcut<R>>() else { return };
    let _ = shortcuts.unregister_all();
    let problem = settings.config.shortcut.as_deref().and_then(|sc| {
        shortcuts.register(sc).err().map(|e| {
            format!("{sc} could not be registered ({e}). Where the desktop does not allow global shortcuts (most Wayland desktops), bind a key to `rota --open escalate` in its keyboard settings.")
        })
    });
    if let Some(p) = &problem {
        eprintln!("rota: {p}");
    }
    *state.shortcut_problem.lock().unwrap_or_else(|e| e.into_inner()) = problem;
}

/// Starts the escalations poller for the current settings (replacing a running one). Without
/// `me` there is nothing to announce, so no poller runs.
fn start_poller<R: Runtime>(app: &AppHandle<R>, settings: &settings::Settings) {
    let Some(state) = app.try_state::<AppState>() else { return };
    let mut slot = state.poller.lock().unwrap_or_else(|e| e.into_inner());
    slot.take();
    if settings.me.is_none() {
        return;
    }
    match PollerConfig::from_settings(settings, Arc::new(OsKeyring)) {
        Ok(config) => {
            let handle = app.clone();
            let first = std::sync::atomic::AtomicBool::new(true);
            let poller = poller::spawn(tauri::async_runtime::handle().inner(), config, Arc::new(DesktopNotifier::new()), move |snap| {
                // A readiness line for scripts and tests: escalations are being watched.
                if snap.last_success.is_some() && first.swap(false, std::sync::atomic::Ordering::Relaxed) {
                    eprintln!("rota: escalations watched");
                }
                let app = handle.clone();
                tauri::async_runtime::spawn(async move { refresh(&app).await });
            });
            *slot = Some(poller);
        }
        Err(e) => eprintln!("rota: escalations will not be watched: {e}"),
    }
}

impl AppState {
    /// Tells the outbox sender to look again at once.
    fn outbox_changed<R: Runtime>(&self, _app: &AppHandle<R>) {
        self.outbox_wake.notify_one();
    }

    fn snapshot(&self) -> Option<Snapshot> {
        self.poller.lock().ok()?.as_ref().map(PollerHandle::snapshot)
    }

    fn act(&self, action: NoticeAction) {
        if let Some(p) = self.poller.lock().ok().as_ref().and_then(|p| p.as_ref()) {
            p.act(action);
        }
    }

    fn dashboard(&self, live: &Live, at: DateTime<Utc>) -> DashboardView {
        let timing = live.settings.config.schedule.timing;
        let c = coverage(&live.inputs.schedule, &live.inputs.roster, &timing, live.settings.viewer, at);
        let rules = Rules { timing, team_size: live.settings.config.schedule.team_size };
        let mut findings: Vec<_> = live.inputs.findings.iter().filter(|f| !f.is_error()).cloned().collect();
        findings.extend(lint(&live.inputs.schedule, &live.inputs.roster, &rules));
        DashboardView::new(live, at, &c, findings)
    }

    fn config_path(&self, live: &Live) -> Option<PathBuf> {
        live.settings.config_file.clone().or_else(|| live.global.config.clone()).or_else(settings::default_config_file)
    }

    async fn save_settings<R: Runtime>(&self, app: &AppHandle<R>, form: &SettingsForm) -> Result<(), IpcErrors> {
        let path = {
            let live = self.live.lock().await;
            self.config_path(&live)
        };
        let path = path.ok_or_else(|| IpcErrors { errors: vec![error::IpcError::io("there is no config folder on this system")] })?;
        let base = path.parent().map(PathBuf::from).unwrap_or_default();
        let today = clock::now().unwrap_or_else(|_| Utc::now()).date_naive();
        let errors = config_file::validate(form, &base, &self.reader, today).await;
        if !errors.is_empty() {
            return Err(IpcErrors { errors });
        }
        config_file::store_token(form).map_err(|e| IpcErrors { errors: vec![e] })?;
        config_file::write(form, &path).map_err(|e| IpcErrors { errors: vec![e] })?;
        set_start_at_login(app, form.start_at_login);
        let mut live = self.live.lock().await;
        if live.global.config.is_none() {
            live.global.config = Some(path);
        }
        live.reload(&self.reader).await;
        let settings = live.settings.clone();
        drop(live);
        // The tray process sees the file change and restarts its poller and shortcut.
        if self.role == Role::Tray {
            apply(app, &settings);
        }
        refresh(app).await;
        Ok(())
    }
}

/// Whether Rota starts at login (false where the platform's mechanism is not available).
pub fn start_at_login<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.try_state::<AutoLaunchManager>().and_then(|m| m.is_enabled().ok()).unwrap_or(false)
}

fn set_start_at_login<R: Runtime>(app: &AppHandle<R>, on: bool) {
    if let Some(m) = app.try_state::<AutoLaunchManager>() {
        if let Err(e) = if on { m.enable() } else { m.disable() } {
            eprintln!("rota: start at login could not be changed: {e}");
        }
    }
}

/// Puts the current glance in the tray and tells open windows to fetch theirs.
async fn refresh<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<AppState>() else { return };
    let at = clock::now().unwrap_or_else(|_| Utc::now());
    let snapshot = state.snapshot();
    let live = state.live.lock().await;
    let g = live.glance(at);
    let attention = snapshot.as_ref().is_some_and(|s| s.unacknowledged);
    let m = tray_menu(&g, &live.settings.config.schedule.timing, live.inputs.schedule.demo.as_deref(), &live.problems, attention);
    let login = start_at_login(app);
    drop(live);
    let mut esc = escalations_menu(snapshot.as_ref());
    let waiting = state.waiting.load(std::sync::atomic::Ordering::Relaxed);
    if waiting > 0 {
        esc.waiting = Some(format!("{waiting} escalation{} waiting to send", if waiting == 1 { "" } else { "s" }));
    }
    if let Err(e) = tray::update(app, &m, &esc, login) {
        eprintln!("rota: the tray menu could not be updated: {e}");
    }
    let _ = app.emit(CHANGED, ());
}

fn on_action(app: &AppHandle, action: MenuAction) {
    let result: Result<(), String> = match action {
        MenuAction::Escalate => Ok(open_window(app, WindowKind::Escalate)),
        MenuAction::OpenDashboard => Ok(open_window(app, WindowKind::Dashboard)),
        MenuAction::Settings => Ok(open_window(app, WindowKind::Settings)),
        MenuAction::StartAtLogin => {
            set_start_at_login(app, !start_at_login(app));
            let app = app.clone();
            tauri::async_runtime::spawn(async move { refresh(&app).await });
            Ok(())
        }
        MenuAction::Quit => {
            app.exit(0);
            Ok(())
        }
        MenuAction::OpenEscalation(i) => {
            if let Some(state) = app.try_state::<AppState>() {
                let url = state.snapshot().and_then(|s| s.mine.get(i).and_then(|e| e.url.clone()));
                if let Some(url) = url {
                    state.act(NoticeAction::Open { url });
                }
            }
            Ok(())
        }
    };
    if let Err(e) = result {
        eprintln!("rota: {e}");
    }
}

/// Watches the folders of the local files the state comes from; an editor's save (often a
/// rename over the file) shows up as a change in its folder.
struct FileWatch {
    watcher: Option<notify::RecommendedWatcher>,
    dirs: Vec<PathBuf>,
    files: std::sync::Arc<std::sync::Mutex<Vec<PathBuf>>>,
}

impl FileWatch {
    fn new(tx: mpsc::Sender<()>) -> Self {
        let files: std::sync::Arc<std::sync::Mutex<Vec<PathBuf>>> = Default::default();
        let wanted = files.clone();
        let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let Ok(event) = res else { return };
            if event.kind.is_access() {
                return;
            }
            let files = wanted.lock().map(|f| f.clone()).unwrap_or_default();
            if event.paths.iter().any(|p| files.iter().any(|f| f == p || f.file_name() == p.file_name())) {
                // A full channel already holds a reload request: this one coalesces with it.
                let _ = tx.try_send(());
            }
        })
        .map_err(|e| eprintln!("rota: file changes will not be noticed: {e}"))
        .ok();
        FileWatch { watcher, dirs: vec![], files }
    }

    fn watch(&mut self, files: Vec<PathBuf>) {
        let Some(w) = self.watcher.as_mut() else { return };
        for d in self.dirs.drain(..) {
            let _ = w.unwatch(&d);
        }
        let mut dirs: Vec<PathBuf> = files.iter().filter_map(|f| f.parent().map(PathBuf::from)).filter(|d| d.is_dir()).collect();
        dirs.sort();
        dirs.dedup();
        for d in &dirs {
            let _ = w.watch(d, notify::RecursiveMode::NonRecursive);
        }
        self.dirs = dirs;
        if let Ok(mut f) = self.files.lock() {
            *f = files;
        }
    }
}

/// Keeps the state and the tray true: on each minute boundary, when a watched file changes,
/// when URL sources are due, and after the machine wakes (the wall clock jumps ahead of the
/// monotonic one).
async fn refresh_loop(app: AppHandle, mut rx: mpsc::Receiver<()>, tx: mpsc::Sender<()>) {
    let mut watch = FileWatch::new(tx);
    let Some(state) = app.try_state::<AppState>() else { return };
    watch.watch(state.live.lock().await.watched_files());
    let (mut wall, mut mono, mut fetched) = (Utc::now(), Instant::now(), Instant::now());
    loop {
        let now = clock::now().unwrap_or_else(|_| Utc::now());
        let wait = (next_tick(now) - now).to_std().unwrap_or(Duration::from_secs(60));
        let mut reload = false;
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            Some(()) = rx.recv() => {
                // Let a burst of file events settle into one reload.
                tokio::time::sleep(Duration::from_millis(150)).await;
                while rx.try_recv().is_ok() {}
                reload = true;
            }
        }
        let (w, m) = (Utc::now(), Instant::now());
        let woke = (w - wall).to_std().unwrap_or_default().saturating_sub(m - mono) > Duration::from_secs(5);
        (wall, mono) = (w, m);
        let mut live = state.live.lock().await;
        let mut changed = None;
        if reload || woke || (live.has_url_source() && fetched.elapsed() >= REFETCH) {
            let before = live.settings.config.clone();
            live.reload(&state.reader).await;
            fetched = Instant::now();
            watch.watch(live.watched_files());
            if live.settings.config != before {
                changed = Some(live.settings.clone());
            }
        }
        drop(live);
        if let (Some(settings), Role::Tray) = (changed, state.role) {
            apply(&app, &settings);
        }
        refresh(&app).await;
    }
}

/// Sends what waits in the outbox: at start, when settings change, when the backoff says the next
/// try is due, and at least once a minute.
async fn outbox_loop<R: Runtime>(app: AppHandle<R>) {
    let Some(state) = app.try_state::<AppState>() else { return };
    loop {
        let settings = state.live.lock().await.settings.clone();
        let now = clock::now().unwrap_or_else(|_| Utc::now());
        let (waiting, next) = escalate::drain(&settings, Utc::now().max(now)).await;
        let before = state.waiting.swap(waiting, std::sync::atomic::Ordering::Relaxed);
        if before != waiting {
            refresh(&app).await;
        }
        let wait = match (waiting, next) {
            // Nothing waits: look again in a minute (one count query), so what a window or a
            // `rota escalate` queued is picked up without a signal between processes.
            (0, _) => Duration::from_secs(60),
            (_, Some(t)) => (t - Utc::now()).to_std().unwrap_or_default().clamp(Duration::from_secs(1), Duration::from_secs(60)),
            (_, None) => Duration::from_secs(60),
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = state.outbox_wake.notified() => {}
        }
    }
}

fn args_window(args: &[String], flag: &str) -> Option<WindowKind> {
    args.iter().skip_while(|a| *a != flag).nth(1).and_then(|k| <WindowKind as clap::ValueEnum>::from_str(k, true).ok())
}

/// The state both processes keep: the live inputs, read at start.
fn manage_state<R: Runtime>(app: &tauri::App<R>, role: Role, global: Global) -> settings::Settings {
    let reader = Reader::new(settings::data_dir().map(|d| d.join("cache")));
    let live = tauri::async_runtime::block_on(Live::start(global.clone(), &reader));
    let settings = live.settings.clone();
    let from_tray = |var| match role {
        Role::Windows => std::env::var(var).ok().filter(|p: &String| !p.is_empty()),
        Role::Tray => None,
    };
    let shortcut_problem = from_tray(windows::SHORTCUT_PROBLEM_VAR);
    let escalations_problem = from_tray(windows::ESCALATIONS_PROBLEM_VAR);
    app.manage(AppState {
        role,
        global,
        live: Mutex::new(live),
        reader,
        poller: Default::default(),
        shortcut_problem: std::sync::Mutex::new(shortcut_problem),
        escalations_problem,
        waiting: Default::default(),
        outbox_wake: Default::default(),
    });
    settings
}

/// Starts the app: the tray (no `--window`), or the windows process. Returns the exit status.
pub fn run(global: Global, open: Option<WindowKind>, window: Option<WindowKind>) -> i32 {
    #[cfg(all(unix, not(target_os = "macos")))]
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!("rota: the tray app needs a desktop session (no DISPLAY or WAYLAND_DISPLAY); subcommands such as `rota now` work without one");
        return 1;
    }
    match window {
        Some(kind) => run_windows(global, kind),
        None => run_tray(global, open),
    }
}

/// The tray process: runs until Quit.
fn run_tray(global: Global, open: Option<WindowKind>) -> i32 {
    // The tray draws no GL: without this GDK probes GL visuals at start-up and maps Mesa's
    // software renderer (libLLVM, ~28 MiB) for nothing. The windows process gets the user's
    // setting back (see windows::spawn). Set before GTK starts, while only this thread runs.
    if std::env::var_os("GDK_GL").is_none() {
        std::env::set_var("GDK_GL", "disable");
        windows::TRAY_DISABLED_GL.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            // A second `rota` focuses this one: the window it names (`--open escalate`, which a
            // desktop's own shortcut can run), else the dashboard, comes forward.
            open_window(app, args_window(&args, "--open").unwrap_or(WindowKind::Dashboard));
        }))
        .plugin(
            tauri_plugin_global_shortcut::Builder::new()
                .with_handler(|app, _shortcut, event| {
                    if event.state() == tauri_plugin_global_shortcut::ShortcutState::Pressed {
                        open_window(app, WindowKind::Escalate);
                    }
                })
                .build(),
        )
        .plugin(tauri_plugin_autostart::init(MacosLauncher::LaunchAgent, None))
        .setup(move |app| {
            let settings = manage_state(app, Role::Tray, global);
            let handle = app.handle().clone();
            let at = clock::now().unwrap_or_else(|_| Utc::now());
            let m = {
                let state = handle.state::<AppState>();
                let live = tauri::async_runtime::block_on(state.live.lock());
                tray_menu(&live.glance(at), &live.settings.config.schedule.timing, live.inputs.schedule.demo.as_deref(), &live.problems, false)
            };
            tray::create(&handle, &m, &EscalationsMenu::default(), start_at_login(&handle), on_action)?;
            eprintln!("rota: tray ready");
            apply(&handle, &settings);
            let (tx, rx) = mpsc::channel(1);
            tauri::async_runtime::spawn(refresh_loop(handle.clone(), rx, tx));
            tauri::async_runtime::spawn(outbox_loop(handle.clone()));
            if let Some(kind) = open {
                open_window(&handle, kind);
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => {
            app.run(|_, event| {
                // The tray runs until Quit.
                if let RunEvent::ExitRequested { api, code: None, .. } = event {
                    api.prevent_exit();
                }
            });
            0
        }
        Err(e) => {
            eprintln!("rota: the tray app could not start: {e}");
            1
        }
    }
}

fn build_windows(global: Global, kind: WindowKind) -> tauri::Result<tauri::App> {
    let mut context: tauri::Context<tauri::Wry> = tauri::generate_context!();
    // Its own identifier: its own single instance, beside the tray's.
    context.config_mut().identifier.push_str(".windows");
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            open_window(app, args_window(&args, "--window").unwrap_or(WindowKind::Dashboard));
        }))
        .plugin(tauri_plugin_autostart::init(MacosLauncher::LaunchAgent, None))
        .invoke_handler(tauri::generate_handler![
            commands::dashboard,
            commands::settings_form,
            commands::save_settings,
            commands::open_window,
            commands::escalate_form,
            commands::file_escalation,
            commands::open_link,
            commands::window_ready
        ])
        .setup(move |app| {
            manage_state(app, Role::Windows, global);
            let handle = app.handle().clone();
            let (tx, rx) = mpsc::channel(1);
            tauri::async_runtime::spawn(refresh_loop(handle.clone(), rx, tx));
            windows::open(&handle, kind)?;
            Ok(())
        })
        .build(context)
}

/// The windows process: runs while any of its windows is open.
fn run_windows(global: Global, kind: WindowKind) -> i32 {
    let app = build_windows(global, kind);
    // A windows process that is just ending can still hold the single-instance name, and then
    // cannot take the request it is handed: wait for it to be gone and start afresh (a new
    // process: the event loop cannot be made twice in one).
    #[cfg(unix)]
    if let Err(tauri::Error::PluginInitialization(plugin, why)) = &app {
        let attempt: u32 = std::env::var("ROTA_WINDOW_ATTEMPT").ok().and_then(|a| a.parse().ok()).unwrap_or(0);
        if plugin == "single-instance" && attempt < 10 {
            use std::os::unix::process::CommandExt;
            eprintln!("rota: waiting for the previous window process to end ({why})");
            std::thread::sleep(Duration::from_millis(200));
            if let Ok(exe) = std::env::current_exe() {
                let err = std::process::Command::new(exe)
                    .args(std::env::args_os().skip(1))
                    .env("ROTA_WINDOW_ATTEMPT", (attempt + 1).to_string())
                    .exec();
                eprintln!("rota: could not start again: {err}");
            }
        }
    }
    match app {
        Ok(app) => {
            app.run(|app, event| {
                // The last window closed: the process (and its WebKit processes) ends.
                if let RunEvent::WindowEvent { event: tauri::WindowEvent::Destroyed, .. } = event {
                    if app.webview_windows().is_empty() {
                        app.exit(0);
                    }
                }
            });
            0
        }
        Err(e) => {
            eprintln!("rota: the window could not open: {e}");
            1
        }
    }
}
