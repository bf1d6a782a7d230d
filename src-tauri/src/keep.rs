//! The windows process staying a while after its last window closes (`keep_windows_minutes`), so
//! the next window is shown at once: no process, GTK or WebKit to start. The quick escalate window
//! is then hidden rather than destroyed, and shown again from a page loaded anew (a fresh form,
//! never the last one's). With 0 minutes the process ends with its last window, as it always did.

use crate::AppState;
use rota_io::protocol::WindowKind;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};

/// Counts the times a window was opened or closed: a wait to end that sees it moved was overtaken.
#[derive(Default)]
pub struct Keep {
    moves: AtomicU64,
    /// The count when the process decided to end (0: it has not).
    ending_at: AtomicU64,
}

impl Keep {
    /// A window opened or closed: any wait to end started before it is void.
    pub fn moved(&self) -> u64 {
        self.moves.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The count of openings and closings so far.
    pub fn now(&self) -> u64 {
        self.moves.load(Ordering::SeqCst)
    }
}

/// How long the process stays after its last window, as the config says now.
fn keep_for<R: Runtime>(app: &AppHandle<R>) -> Duration {
    let minutes = app.state::<AppState>().live.blocking_lock().settings.config.keep_windows_minutes;
    Duration::from_secs(minutes * 60)
}

/// A window asks to close: the quick escalate window is hidden, kept for the next time, while the
/// process is kept. Returns whether it was kept (its close is then prevented).
pub fn close_requested<R: Runtime>(app: &AppHandle<R>, label: &str) -> bool {
    if label != WindowKind::Escalate.label() || keep_for(app).is_zero() {
        return false;
    }
    let Some(w) = app.get_webview_window(label) else { return false };
    if let Err(e) = w.hide() {
        eprintln!("rota: the escalate window could not be hidden ({e}); it closes");
        return false;
    }
    crate::windows::escalate_kept();
    app.state::<AppState>().keep.moved();
    end_when_idle(app);
    true
}

/// The windows shown now: a hidden escalate window kept for the next time does not count.
fn shown<R: Runtime>(app: &AppHandle<R>) -> usize {
    app.webview_windows().values().filter(|w| w.is_visible().unwrap_or(true)).count()
}

/// Ends the process once no window has been shown for the time the config keeps it (at once with
/// 0 minutes), after any action under way has been taken.
pub fn end_when_idle<R: Runtime>(app: &AppHandle<R>) {
    let keep = keep_for(app);
    if keep.is_zero() {
        if !app.webview_windows().is_empty() {
            return;
        }
    } else if shown(app) > 0 {
        return;
    }
    let state = app.state::<AppState>();
    let at = state.keep.moved();
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(keep).await;
        let state = app.state::<AppState>();
        if state.keep.now() != at {
            return;
        }
        state.acting.idle().await;
        // A window asked for while an action ended (the tray reaches this process at once)
        // keeps it: ending now would lose that window.
        if state.keep.now() != at {
            return;
        }
        let idle = if keep.is_zero() { app.webview_windows().is_empty() } else { shown(&app) == 0 };
        if idle {
            state.keep.ending_at.store(at, Ordering::SeqCst);
            app.exit(0);
        }
    });
}

/// Whether a window was asked for since the process decided to end (the tray hands requests to a
/// running process at any moment): the end is then called off, the window shown.
pub fn overtaken<R: Runtime>(app: &AppHandle<R>) -> bool {
    let keep = &app.state::<AppState>().keep;
    let ending_at = keep.ending_at.load(Ordering::SeqCst);
    let overtaken = ending_at != 0 && keep.now() != ending_at;
    if overtaken {
        // It ends again when that window has closed, and the time kept after it has passed.
        keep.ending_at.store(0, Ordering::SeqCst);
    }
    overtaken
}
