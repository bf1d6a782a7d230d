//! Opening the display before Tauri does. An X server can refuse a connection for a moment when
//! several clients connect at once (under Xvfb, 3 to 9 in 600 connections from ten at a time were
//! refused), and tao panics when its first one fails; a session started at login can also be a
//! moment ahead of its display. So the first connection is made here, on the main thread, and
//! retried with growing waits for about six seconds; a display that stays shut is a sentence and
//! exit status 1, not a panic. GTK keeps the connection: tao then finds it open.

/// How many times the display is tried, and the first wait (each next one is twice as long).
#[cfg(target_os = "linux")]
const ATTEMPTS: u32 = 8;
#[cfg(target_os = "linux")]
const FIRST_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// Opens the default display for GTK, or says why it could not.
#[cfg(target_os = "linux")]
pub fn open() -> Result<(), String> {
    let mut wait = FIRST_WAIT;
    let mut attempt = 1;
    loop {
        match gtk::init() {
            Ok(()) => return Ok(()),
            Err(e) if attempt == ATTEMPTS => {
                return Err(format!("the display {:?} could not be opened ({e}); is the desktop session running?", name()));
            }
            Err(_) => {
                eprintln!("rota: the display {:?} could not be opened; trying again in {} ms", name(), wait.as_millis());
                std::thread::sleep(wait);
                wait *= 2;
                attempt += 1;
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn name() -> String {
    std::env::var("DISPLAY").or_else(|_| std::env::var("WAYLAND_DISPLAY")).unwrap_or_default()
}

/// Elsewhere the platform's own windowing is always there.
#[cfg(not(target_os = "linux"))]
pub fn open() -> Result<(), String> {
    Ok(())
}
