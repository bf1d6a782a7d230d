//! WebKit and GTK made lighter where what they spend buys a tray app nothing.
//!
//! - In the Tauri tray host, which draws no webview, GDK's OpenGL is turned off before GTK starts
//!   (`GDK_GL=disable`, unless the environment says otherwise): GTK then never probes Mesa, which
//!   under a software renderer maps LLVM (26 MiB). Measured: the host's PSS 100 → 67 MiB.
//!   Not in the windows process, though it would save there too (a dashboard with its WebKit
//!   processes 325 → 230 MiB): WebKit then paints without compositing, and its WebDriver (the
//!   e2e tests' hands) timed out taking screenshots and lost an Enter in the action window.
//! - Each webview's context caches as a document viewer: no page cache of pages gone back to, the
//!   smallest memory cache; every page is a local file.

/// Sets what GTK reads at its start in the tray host. Called first thing in `main`, before any
/// thread.
pub fn tray_environment() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("GDK_GL").is_none() {
        std::env::set_var("GDK_GL", "disable");
    }
}

/// Sets the webview's cache model (see the module's notes).
pub fn webview<R: tauri::Runtime>(w: &tauri::WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let done = w.with_webview(|platform| {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            if let Some(context) = platform.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
        if let Err(e) = done {
            eprintln!("rota: the window's cache model could not be set ({e})");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = w;
}
