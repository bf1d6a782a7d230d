//! The windows: dashboard, settings, quick escalate and the small action window, each opened once
//! and brought forward when asked for again.

use rota_io::protocol::WindowKind;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// Opens a window, or brings it to the front if it is open.
pub fn open<R: Runtime>(app: &AppHandle<R>, kind: WindowKind) -> tauri::Result<()> {
    if let Some(w) = app.get_webview_window(kind.label()) {
        w.unminimize()?;
        w.show()?;
        return w.set_focus();
    }
    let (page, title, size) = match kind {
        WindowKind::Dashboard => ("dashboard.html", "Rota", (980.0, 760.0)),
        WindowKind::Settings => ("settings.html", "Rota settings", (560.0, 740.0)),
        WindowKind::Escalate => ("escalate.html", "Escalate", (560.0, 640.0)),
        WindowKind::Action => ("action.html", "Rota", (480.0, 500.0)),
    };
    let w = WebviewWindowBuilder::new(app, kind.label(), WebviewUrl::App(page.into()))
        .title(title)
        .inner_size(size.0, size.1)
        .min_inner_size(420.0, 360.0)
        .center()
        // The quick escalate and action windows come up above whatever the user was doing.
        .always_on_top(matches!(kind, WindowKind::Escalate | WindowKind::Action))
        .build()?;
    w.set_focus()
}
