//! Where a window's first opening spends its time, said when `ROTA_TIMINGS` is set: milliseconds
//! since `main` at each stage (the display open, Tauri built, the window made, its page's load
//! started and ended, the page ready). `scripts/bench` tabulates them.
//! What comes before `main` (the program loaded and its libraries linked) is the rest of what the
//! tray measures from the shortcut.

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Notes the start of `main`.
pub fn start() {
    STARTED.get_or_init(Instant::now);
}

/// Says `stage` with the milliseconds since `main`, when asked to.
pub fn stage(stage: &str) {
    if std::env::var_os("ROTA_TIMINGS").is_some() {
        let ms = STARTED.get().map(|s| s.elapsed().as_secs_f64() * 1000.0).unwrap_or_default();
        eprintln!("rota: timing: {stage} at {ms:.1} ms");
    }
}
