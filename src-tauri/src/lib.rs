//! `rota-app`, Rota on Tauri, in two roles, each its own process:
//! - the windows process (`rota-app --window KIND`): dashboard, settings, quick escalate and the
//!   small action window, in webviews. The tray starts it when a window is asked for; it ends when its last window
//!   closes, and its WebKit processes end with it. It follows the same files as the tray, so what
//!   a window shows stays true while it is open.
//! - the portable tray host (`rota-app --tray`, what `rota --tray tauri` runs; the default on
//!   macOS and Windows): Tauri's tray icon and menu drawing the core's tray model ([`tray`]). It
//!   never creates a webview; windows are started as their own process, as from the lean tray.

mod action_window;
pub mod args;
mod calendar;
mod commands;
mod config_file;
mod display;
mod error;
mod escalate;
#[cfg(test)]
mod escalate_tests;
mod escalations_panel;
mod handover_window;
mod keep;
mod lighter;
mod plan_panel;
#[cfg(test)]
mod tests;
mod timing;
pub mod tray;
pub mod views;
pub mod windows;

// The IO the windows use, by the paths they had when they lived in one crate with it.
pub(crate) use rota_io::{autostart, clock, escalations, notifier, secrets, settings, sources, take_typed_ahead, tell_tray_filed};

use chrono::{DateTime, Utc};
use error::IpcErrors;
use rota_core::tray::MenuAction;
use rota_core::{coverage, lint, Rules};
use rota_io::clock::Clock;
use rota_io::live::{self, Live, Surface};
use rota_io::protocol::{self, Overrides, WindowKind};
use sources::Reader;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, RunEvent, Runtime};
use tokio::sync::Mutex;
use views::{DashboardView, SettingsForm};

/// The event the windows listen to: the state changed, fetch the view again.
pub const CHANGED: &str = "rota:changed";

pub struct AppState {
    pub live: Mutex<Live>,
    reader: Reader,
    /// Why the quick escalate shortcut is not active, as the tray said when it started us.
    shortcut_problem: Option<String>,
    /// What the tray's poller last ran into, as the tray said.
    escalations_problem: Option<String>,
    /// What the dashboard shows next (a person's line in the tray, a notification clicked); taken
    /// by the next dashboard view.
    focus: std::sync::Mutex<Option<views::Focus>>,
    /// What the action window acts on (Engage engineering…, Reassign…), kept while it is open.
    action: std::sync::Mutex<action_window::Asked>,
    /// Actions being taken: the process waits for them before it ends with its last window.
    acting: InFlight,
    /// The checks the dashboard shows, worked out once per change of the inputs.
    checks: Checks,
    /// When the process ends after its last window (see [`keep`]).
    keep: keep::Keep,
}

/// The program's rules checked against the inputs (the lint): worked out once per
/// [`Live::revision`], outside the live lock, and kept (the open dashboard once linted
/// each minute while holding it, and the tray and every window waited).
#[derive(Default)]
pub struct Checks {
    /// The findings of the revision they were worked out for. Held while the lint runs, so that
    /// two views asking at once lint once.
    last: Mutex<Option<(u64, Arc<Vec<rota_core::Finding>>)>>,
    /// How many times the lint ran (the tests count them).
    runs: std::sync::atomic::AtomicUsize,
}

impl Checks {
    /// The findings for the inputs `live` holds now: kept ones when they have not changed since.
    async fn of(&self, live: &Mutex<Live>) -> Arc<Vec<rota_core::Finding>> {
        let mut last = self.last.lock().await;
        let (revision, schedule, roster, rules) = {
            let live = live.lock().await;
            if let Some((_, findings)) = last.as_ref().filter(|(r, _)| *r == live.revision) {
                return findings.clone();
            }
            let config = &live.settings.config.schedule;
            let rules = Rules { timing: config.timing, team_size: config.team_size, viewer: live.settings.viewer };
            (live.revision, live.inputs.schedule.clone(), live.inputs.roster.clone(), rules)
        };
        // The lint is CPU work (0.45 s for 10,000 rotations): off the async threads.
        let findings = tokio::task::spawn_blocking(move || lint(&schedule, &roster, &rules)).await.unwrap_or_default();
        self.runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let findings = Arc::new(findings);
        *last = Some((revision, findings.clone()));
        findings
    }
}

/// Work that must finish even when its window has closed (an action half-sent to GitHub would
/// leave the labels without the comment).
#[derive(Default)]
pub struct InFlight {
    count: std::sync::atomic::AtomicUsize,
    done: tokio::sync::Notify,
}

/// One piece of [`InFlight`] work, until dropped.
pub struct Busy<'a>(&'a InFlight);

impl InFlight {
    pub fn start(&self) -> Busy<'_> {
        self.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Busy(self)
    }

    /// Returns once nothing is in flight.
    pub async fn idle(&self) {
        loop {
            let done = self.done.notified();
            if self.count.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                return;
            }
            done.await;
        }
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.count.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
        self.0.done.notify_waiters();
    }
}

impl AppState {
    /// The dashboard at `at`, with the checks `checks` found (see [`Checks`]).
    fn dashboard(&self, live: &Live, at: DateTime<Utc>, checks: &[rota_core::Finding]) -> DashboardView {
        let timing = live.settings.config.schedule.timing;
        let c = coverage(&live.inputs.schedule, &live.inputs.roster, &timing, live.settings.viewer, at);
        let mut findings: Vec<_> = live.inputs.findings.iter().filter(|f| !f.is_error()).cloned().collect();
        findings.extend(checks.iter().cloned());
        let focus = self.focus.lock().ok().and_then(|mut f| f.take());
        DashboardView { focus, ..DashboardView::new(live, at, &c, findings) }
    }

    /// Hands `show` to the window `kind` shows it in: the action window acts on it, the dashboard
    /// brings it forward once.
    fn show(&self, kind: WindowKind, show: MenuAction) {
        if kind == WindowKind::Action {
            self.action.lock().unwrap_or_else(|e| e.into_inner()).ask(show);
        } else {
            *self.focus.lock().unwrap_or_else(|e| e.into_inner()) = views::Focus::of(&show);
        }
    }

    fn config_path(&self, live: &Live) -> Option<PathBuf> {
        live.settings.config_file.clone().or_else(|| live.overrides.config.clone()).or_else(settings::default_config_file)
    }

    async fn save_settings<R: Runtime>(&self, app: &AppHandle<R>, form: &SettingsForm) -> Result<(), IpcErrors> {
        let (path, clock, slack_api) = {
            let live = self.live.lock().await;
            (self.config_path(&live), live.clock, live.settings.config.slack.api.clone())
        };
        let path = path.ok_or_else(|| IpcErrors { errors: vec![error::IpcError::io("there is no config folder on this system")] })?;
        let base = path.parent().map(PathBuf::from).unwrap_or_default();
        let today = clock.now().date_naive();
        let errors = config_file::validate(form, &base, &self.reader, today).await;
        if !errors.is_empty() {
            return Err(IpcErrors { errors });
        }
        // The file first: one that cannot be read back refuses the whole save, token included.
        config_file::write(form, &path).map_err(|e| IpcErrors { errors: vec![e] })?;
        // The keyring (D-Bus, maybe an unlock prompt) on a blocking thread, not the async ones.
        let token_form = form.clone();
        tokio::task::spawn_blocking(move || config_file::store_token(&token_form, &slack_api))
            .await
            .map_err(|e| IpcErrors { errors: vec![error::IpcError::io(format!("keyring task: {e}"))] })?
            .map_err(|e| IpcErrors { errors: vec![e] })?;
        if !form.github_token.trim().is_empty() || !form.slack_token.trim().is_empty() {
            // Tried at once: the tray's poller reads the keyring again and polls, the outbox sends,
            // the Slack group is synced.
            rota_io::tell_tray_token_changed().await;
        }
        if let Err(e) = autostart::set(form.start_at_login) {
            eprintln!("rota: start at login could not be changed: {e}");
        }
        let mut live = self.live.lock().await;
        if live.overrides.config.is_none() {
            live.overrides.config = Some(path);
        }
        drop(live);
        live::reload(&self.live, &self.reader).await;
        // The tray reads it at once (it also sees the file change) and restarts its poller and
        // shortcut; on a first run it had no config folder to watch.
        rota_io::tell_tray_settings_changed().await;
        let _ = app.emit(CHANGED, ());
        Ok(())
    }
}

/// The open windows, as [`live::follow`] sees them: told to fetch their views again.
struct Windows<R: Runtime>(AppHandle<R>);

impl<R: Runtime> Surface for Windows<R> {
    async fn refresh(&self) {
        let _ = self.0.emit(CHANGED, ());
    }
}

/// The value after `flag` in a second start's arguments.
pub(crate) fn arg_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter().skip_while(|a| *a != flag).nth(1).map(String::as_str)
}

/// Reads the live inputs and keeps them true while the process runs.
fn manage_state<R: Runtime>(app: &tauri::App<R>, overrides: Overrides, clock: Clock, kind: WindowKind, show: Option<MenuAction>) {
    let reader = Reader::new(settings::data_dir().map(|d| d.join("cache")));
    let live = tauri::async_runtime::block_on(Live::start(overrides, clock, &reader));
    let from_tray = |var| std::env::var(var).ok().filter(|p: &String| !p.is_empty());
    app.manage(AppState {
        live: Mutex::new(live),
        reader,
        shortcut_problem: from_tray(protocol::SHORTCUT_PROBLEM_VAR),
        escalations_problem: from_tray(protocol::ESCALATIONS_PROBLEM_VAR),
        focus: Default::default(),
        action: Default::default(),
        acting: Default::default(),
        checks: Default::default(),
        keep: Default::default(),
    });
    if let Some(s) = show {
        app.state::<AppState>().show(kind, s);
    }
    let handle = app.handle().clone();
    tauri::async_runtime::spawn(async move {
        let state = handle.state::<AppState>();
        live::follow(&state.live, &state.reader, &Windows(handle.clone())).await;
    });
    // What the tray's poller sees (a new escalation, one acknowledged elsewhere) reaches the open
    // windows at once, not at the next minute.
    #[cfg(target_os = "linux")]
    {
        let handle = app.handle().clone();
        tauri::async_runtime::spawn(async move {
            let emit = move || drop(handle.emit(CHANGED, ()));
            if let Err(e) = rota_io::instance::follow_escalations_seen(emit).await {
                eprintln!("rota: the tray's news of escalations will not reach the windows ({e}); they look each minute");
            }
        });
    }
}

/// Starts the windows process with `kind` open. Returns the exit status.
pub fn run(overrides: Overrides, kind: WindowKind, show: Option<MenuAction>) -> i32 {
    let clock = match clock::at_start() {
        Ok(clock) => clock,
        Err(status) => return status,
    };
    if !protocol::in_desktop_session() {
        eprintln!("rota: windows need a desktop session (no DISPLAY or WAYLAND_DISPLAY)");
        return 1;
    }
    if let Err(why) = display::open() {
        eprintln!("rota: {why}");
        return 1;
    }
    timing::stage("display open");
    run_windows(overrides, clock, kind, show)
}

fn build_windows(overrides: Overrides, clock: Clock, kind: WindowKind, show: Option<MenuAction>) -> tauri::Result<tauri::App> {
    let mut context: tauri::Context<tauri::Wry> = tauri::generate_context!();
    // Its own identifier: its own single instance, beside the tray's.
    context.config_mut().identifier.push_str(".windows");
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, args, _cwd| {
            // The plugin calls this on its D-Bus thread, which can be while `setup` still makes the
            // first window (two starts at once): handled on the main thread, after `setup`, the
            // request finds that window instead of making a second one beside it.
            let handle = app.clone();
            let queued = app.run_on_main_thread(move || second_start(&handle, &args));
            if let Err(e) = queued {
                eprintln!("rota: a window asked for could not be opened: {e}");
            }
        }))
        .plugin(tauri_plugin_dialog::init())
        .on_page_load(|_, page| {
            timing::stage(match page.event() {
                tauri::webview::PageLoadEvent::Started => "page load started",
                tauri::webview::PageLoadEvent::Finished => "page loaded",
            })
        })
        .invoke_handler(tauri::generate_handler![
            commands::dashboard,
            commands::settings_form,
            commands::save_settings,
            commands::open_window,
            commands::timezones,
            commands::escalate_form,
            commands::file_escalation,
            commands::refused_escalations,
            commands::resend_escalation,
            commands::discard_escalation,
            commands::open_link,
            commands::window_ready,
            commands::typed_ahead,
            commands::escalations_panel,
            commands::escalation_action,
            commands::action_view,
            commands::handover_view,
            commands::hand_over,
            calendar::add_to_calendar
        ])
        .setup(move |app| {
            timing::stage("Tauri built");
            manage_state(app, overrides, clock, kind, show);
            timing::stage("inputs read");
            windows::open(app.handle(), kind)?;
            timing::stage("window made");
            Ok(())
        })
        .build(context)
}

/// Opens the window a second start of the windows process asked for (`args`: its command line).
fn second_start<R: Runtime>(app: &AppHandle<R>, args: &[String]) {
    let kind = arg_value(args, "--window").and_then(|k| k.parse().ok()).unwrap_or(WindowKind::Dashboard);
    // The second start's command line, read where it comes in.
    if let Some(show) = arg_value(args, protocol::SHOW_FLAG).and_then(protocol::show_target) {
        app.state::<AppState>().show(kind, show);
    }
    if let Err(e) = windows::open(app, kind) {
        eprintln!("rota: the {} window could not be opened: {e}", kind.label());
    }
    // An open dashboard shows the card now; an open action window, its new request.
    let _ = app.emit(CHANGED, ());
}

/// The windows process: runs while any of its windows is open.
fn run_windows(overrides: Overrides, clock: Clock, kind: WindowKind, show: Option<MenuAction>) -> i32 {
    let app = build_windows(overrides, clock, kind, show);
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
                let (label, event) = match event {
                    RunEvent::WindowEvent { label, event, .. } => (label, event),
                    // The last window closed: not the end, which `keep::end_when_idle` decides
                    // (after the time the process is kept for, once no action is under way).
                    RunEvent::ExitRequested { code: None, api, .. } => return api.prevent_exit(),
                    // Its own end, decided: unless a window was asked for since.
                    RunEvent::ExitRequested { code: Some(_), api, .. } if keep::overtaken(app) => return api.prevent_exit(),
                    _ => return,
                };
                match event {
                    tauri::WindowEvent::CloseRequested { api, .. } if keep::close_requested(app, &label) => api.prevent_close(),
                    tauri::WindowEvent::Destroyed => {
                        if label == WindowKind::Action.label() {
                            // Closed: the next start without --show asks for nothing.
                            *app.state::<AppState>().action.lock().unwrap_or_else(|e| e.into_inner()) = Default::default();
                        }
                        // The last window closed: the process (and its WebKit processes) ends,
                        // once the time it is kept for has passed with no window shown.
                        keep::end_when_idle(app);
                    }
                    _ => {}
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
