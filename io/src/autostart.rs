//! Start at login: an XDG autostart entry (`~/.config/autostart/rota.desktop`) on Linux, a launch
//! agent on macOS, the Run key on Windows — what the `auto-launch` crate writes. The entry starts
//! the `rota` program (the tray), whichever of the app's processes changes the setting.

use auto_launch::{AutoLaunch, AutoLaunchBuilder};

fn entry() -> Result<AutoLaunch, String> {
    // The windows process is `rota-app`; the entry names `rota` beside it either way.
    let rota = crate::protocol::sibling(crate::protocol::CLI_BINARY).map_err(|e| e.to_string())?;
    AutoLaunchBuilder::new().set_app_name("rota").set_app_path(&rota.to_string_lossy()).build().map_err(|e| e.to_string())
}

/// Whether Rota starts at login (false where that cannot be read).
pub fn enabled() -> bool {
    entry().and_then(|e| e.is_enabled().map_err(|e| e.to_string())).unwrap_or(false)
}

/// Turns start at login on or off.
pub fn set(on: bool) -> Result<(), String> {
    let e = entry()?;
    if on == e.is_enabled().unwrap_or(!on) {
        return Ok(());
    }
    if on { e.enable() } else { e.disable() }.map_err(|err| err.to_string())
}
