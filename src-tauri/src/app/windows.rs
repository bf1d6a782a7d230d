//! The windows: dashboard, settings and quick escalate.
//!
//! The tray process never hosts a webview. Windows live in a process of their own
//! (`rota --window KIND`), started on demand; it ends when its last window closes, and its
//! WebKit processes end with it, so while only the tray shows no webview process runs and memory
//! comes back down. A windows process already running receives the request instead (one
//! instance, by its own identifier) and opens or focuses that window.

use crate::app::models::WindowKind;
use crate::cli::args::Global;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// Set when the tray turned GL off for itself; its windows get it back.
pub static TRAY_DISABLED_GL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// How the tray tells the windows process why the shortcut is not active.
pub const SHORTCUT_PROBLEM_VAR: &str = "ROTA_SHORTCUT_PROBLEM";
/// How the tray tells the windows process what its escalations poller last ran into
/// ("GitHub token rejected").
pub const ESCALATIONS_PROBLEM_VAR: &str = "ROTA_ESCALATIONS_PROBLEM";

/// What the tray knows that a window shows.
#[derive(Debug, Clone, Default)]
pub struct TrayNews {
    pub shortcut_problem: Option<String>,
    pub escalations_problem: Option<String>,
}

/// Starts (or, through the running one, reaches) the windows process for `kind`.
pub fn spawn(global: &Global, kind: WindowKind, news: &TrayNews) -> std::io::Result<()> {
    let mut cmd = std::process::Command::new(std::env::current_exe()?);
    cmd.arg("--window").arg(kind.label());
    if let Some(c) = &global.config {
        cmd.arg("--config").arg(c);
    }
    if let Some(s) = &global.schedule {
        cmd.arg("--schedule").arg(s);
    }
    if let Some(r) = &global.roster {
        cmd.arg("--roster").arg(r);
    }
    if TRAY_DISABLED_GL.load(std::sync::atomic::Ordering::Relaxed) {
        cmd.env_remove("GDK_GL");
    }
    for (var, value) in [(SHORTCUT_PROBLEM_VAR, &news.shortcut_problem), (ESCALATIONS_PROBLEM_VAR, &news.escalations_problem)] {
        match value {
            Some(v) => cmd.env(var, v),
            None => cmd.env_remove(var),
        };
    }
    // The windows end with the tray, however the tray ends (Quit, a signal, a crash).
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = cmd.spawn()?;
    // Reap it when it ends, so no zombie stays behind.
    std::thread::spawn(move || child.wait());
    Ok(())
}

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
    };
    let w = WebviewWindowBuilder::new(app, kind.label(), WebviewUrl::App(page.into()))
        .title(title)
        .inner_size(size.0, size.1)
        .min_inner_size(420.0, 360.0)
        .center()
        // The quick escalate window comes up above whatever the user was doing.
        .always_on_top(kind == WindowKind::Escalate)
        .build()?;
    w.set_focus()
}
