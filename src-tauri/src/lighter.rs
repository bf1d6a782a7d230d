//! WebKit and GTK made lighter where what they spend buys a tray app nothing.
//!
//! - In the Tauri tray host, which draws no webview, GDK's OpenGL is turned off before GTK starts
//!   (`GDK_GL=disable`, unless the environment says otherwise): GTK then never probes Mesa, which
//!   under a software renderer maps LLVM (26 MiB). Measured: the host's PSS 100 → 67 MiB.
//!   Not set in the windows process: every window would then paint without compositing, where
//!   the small windows' WebDriver-driven tests fail (below); the windows are chosen one by one
//!   instead. (A windows process started by the Tauri host inherits the host's setting.)
//! - Each webview's context caches as a document viewer: no page cache of pages gone back to, the
//!   smallest memory cache; every page is a local file.
//! - The dashboard, the window a person keeps open on their desk, is painted without compositing
//!   (WebKit's hardware acceleration policy "never"): a page of text and lists gains nothing from
//!   layers drawn by a software GL. Its WebKit web process then stays at about 110 MiB, where with
//!   compositing it was 115-210 MiB (it grows once WebKit composites); the dashboard with all its
//!   processes 330-344 → about 245 MiB (measured on the release build, `scripts/bench`).
//! - So is the quick escalate window, for its speed: kept hidden between two Ctrl+Alt+E and
//!   loaded anew each time, with compositing the first of those reloads took about half a second
//!   (130-720 ms in the benchmarks; WebKit entering compositing again, its GL drawn by a software
//!   renderer), the later ones 30 ms. Without, each reload takes 20-25 ms, and the kept window is
//!   ready 37-51 ms after the shortcut (release build, `scripts/bench`).
//! - Not in the action, hand-over and settings windows: there, painted so, WebKitWebDriver's
//!   Enter never reached the page and its screenshots timed out (4 of the e2e tests, every time),
//!   though keys from the X server did. The escalate window's tests type with the X server's
//!   keys, as a person does.

/// Sets what GTK reads at its start in the tray host. Called first thing in `main`, before any
/// thread.
pub fn tray_environment() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("GDK_GL").is_none() {
        std::env::set_var("GDK_GL", "disable");
    }
}

/// Sets the webview's cache model and, for the dashboard and the quick escalate window, its
/// painting (see the module's notes).
pub fn webview<R: tauri::Runtime>(w: &tauri::WebviewWindow<R>, kind: rota_io::protocol::WindowKind) {
    #[cfg(target_os = "linux")]
    {
        let done = w.with_webview(move |platform| {
            use webkit2gtk::{CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt};
            if let Some(context) = platform.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
            if matches!(kind, rota_io::protocol::WindowKind::Dashboard | rota_io::protocol::WindowKind::Escalate) {
                if let Some(settings) = platform.inner().settings() {
                    settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
                }
            }
        });
        if let Err(e) = done {
            eprintln!("rota: the window's WebKit settings could not be set ({e})");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (w, kind);
}
