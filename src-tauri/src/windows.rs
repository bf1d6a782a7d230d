//! The windows: dashboard, settings, quick escalate and the small action window, each opened once
//! and brought forward when asked for again.

use rota_io::protocol::WindowKind;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// The event a window that was open already gets when it is asked for again (the quick escalate
/// window then takes the keys typed since the shortcut).
pub const SHOWN: &str = "rota:shown";

/// A window made hidden is shown after this long even if its page never said it was ready (a
/// script error), so a person is never left without it.
const SHOWN_AT_THE_LATEST: Duration = Duration::from_secs(3);

/// Whether the quick escalate window's page is loading, not yet said ready: hidden, the window is
/// then on its way to the screen, not kept from an earlier time. One such window per process.
static ESCALATE_LOADING: AtomicBool = AtomicBool::new(false);

/// Opens a window, or brings it to the front if it is open.
pub fn open<R: Runtime>(app: &AppHandle<R>, kind: WindowKind) -> tauri::Result<()> {
    let opened = app.try_state::<crate::AppState>().map(|state| state.keep.moved());
    if let Some(w) = app.get_webview_window(kind.label()) {
        if shown_when_ready(kind) && !w.is_visible()? {
            // Hidden: its page is on its way and shows the window once ready. The quick escalate
            // window may instead be kept hidden since it last closed: its page is loaded anew (a
            // fresh form, the engineers as they are now), as the first time. Asked for again
            // while that page still loads (the shortcut pressed twice), the page goes on: a
            // reload would start it over, and the keys typed with it.
            if kind == WindowKind::Escalate && !ESCALATE_LOADING.swap(true, Ordering::SeqCst) {
                w.eval("location.reload()")?;
            }
            show_at_the_latest(&w, opened);
            return Ok(());
        }
        w.unminimize()?;
        w.show()?;
        w.set_focus()?;
        said_shown(&w);
        return w.emit_to(kind.label(), SHOWN, ());
    }
    let (page, title, size) = match kind {
        WindowKind::Dashboard => ("dashboard.html", "Rota", (980.0, 760.0)),
        WindowKind::Settings => ("settings.html", "Rota settings", (560.0, 740.0)),
        WindowKind::Escalate => ("escalate.html", "Escalate", (560.0, 640.0)),
        WindowKind::Action => ("action.html", "Rota", (480.0, 500.0)),
        WindowKind::Handover => ("handover.html", "Hand over", (560.0, 520.0)),
    };
    let hidden = shown_when_ready(kind);
    if kind == WindowKind::Escalate {
        ESCALATE_LOADING.store(true, Ordering::SeqCst);
    }
    let w = WebviewWindowBuilder::new(app, kind.label(), WebviewUrl::App(page.into()))
        .title(title)
        .inner_size(size.0, size.1)
        .min_inner_size(420.0, 360.0)
        .center()
        .visible(!hidden)
        // The quick escalate and action windows come up above whatever the user was doing.
        .always_on_top(matches!(kind, WindowKind::Escalate | WindowKind::Action | WindowKind::Handover))
        .build()?;
    crate::lighter::webview(&w, kind);
    if hidden {
        show_at_the_latest(&w, opened);
        return Ok(());
    }
    w.set_focus()
}

/// Whether a window of `kind` is made hidden and shown once its page is laid out and its first
/// field focused (`window_ready`): the windows a person types into the moment they appear (the
/// quick escalate window, settings, the action and hand-over windows), so that no key goes to a
/// page still loading. The dashboard is shown at once: it is read, not typed into, and a second
/// start brings it forward or scrolls it to a person's card in a window already laid out.
fn shown_when_ready(kind: WindowKind) -> bool {
    kind != WindowKind::Dashboard
}

/// Shows the hidden `w` after [`SHOWN_AT_THE_LATEST`] if its page has not by then, unless a
/// window opened or closed since it was asked for (`opened`: [`crate::keep::Keep::moved`]): a
/// window closed (kept hidden) before then stays closed.
fn show_at_the_latest<R: Runtime>(w: &tauri::WebviewWindow<R>, opened: Option<u64>) {
    let late = w.clone();
    std::thread::spawn(move || {
        std::thread::sleep(SHOWN_AT_THE_LATEST);
        let overtaken = opened.is_some_and(|at| late.try_state::<crate::AppState>().is_some_and(|s| s.keep.now() != at));
        if !overtaken && !late.is_visible().unwrap_or(true) {
            eprintln!("rota: the {} window did not say it was ready; shown anyway", late.label());
            present(&late);
        }
    });
}

/// Says `w`'s page is loaded and ready (see [`ESCALATE_LOADING`]).
pub fn page_ready<R: Runtime>(w: &tauri::WebviewWindow<R>) {
    if w.label() == WindowKind::Escalate.label() {
        ESCALATE_LOADING.store(false, Ordering::SeqCst);
    }
}

/// Says the escalate window was closed and is kept hidden: the next open loads its page anew,
/// even if this one never said it was ready (a script error).
pub fn escalate_kept() {
    ESCALATE_LOADING.store(false, Ordering::SeqCst);
}

/// Shows `w` if it is hidden and gives it the focus.
pub fn present<R: Runtime>(w: &tauri::WebviewWindow<R>) {
    if !w.is_visible().unwrap_or(true) {
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// Tells the tray that `w` is shown, a request it handed this process done (see
/// `rota_io::instance::reach_windows`).
pub fn said_shown<R: Runtime>(w: &tauri::WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let label = w.label().to_owned();
        tauri::async_runtime::spawn(async move { rota_io::instance::window_shown(&label).await });
    }
}

/// The window's X window id, where it has one (X11).
pub fn x11_id<R: Runtime>(w: &tauri::WebviewWindow<R>) -> Option<u32> {
    use raw_window_handle::{HasWindowHandle, RawWindowHandle};
    match w.window_handle().ok()?.as_raw() {
        RawWindowHandle::Xlib(h) => u32::try_from(h.window).ok(),
        RawWindowHandle::Xcb(h) => Some(h.window.get()),
        _ => None,
    }
}
