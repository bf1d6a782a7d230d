//! Start at login. On Linux, an XDG autostart entry (`$XDG_CONFIG_HOME/autostart/rota.desktop`)
//! written here, so the desktop's list of startup programs says "Rota" and what it is; on macOS a
//! launch agent and on Windows the Run key, as the `auto-launch` crate writes them. The entry
//! starts the `rota` program (the tray), whichever of the app's processes changes the setting.

use std::path::PathBuf;

/// The tray program, beside this one (the windows process is `rota-app`).
fn rota() -> Result<PathBuf, String> {
    crate::protocol::sibling(crate::protocol::CLI_BINARY).map_err(|e| e.to_string())
}

/// Whether Rota starts at login (false where that cannot be read).
pub fn enabled() -> bool {
    imp::enabled()
}

/// Turns start at login on or off. On Linux an entry that is on but not as this version writes
/// it (an older Rota's, another path) is written again.
pub fn set(on: bool) -> Result<(), String> {
    imp::set(on)
}

/// When start at login is on, makes its entry this version's (the tray does it as it starts).
pub fn refresh() {
    if enabled() {
        if let Err(e) = set(true) {
            eprintln!("rota: the start-at-login entry could not be updated: {e}");
        }
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use std::path::PathBuf;

    fn file() -> Result<PathBuf, String> {
        dirs::config_dir()
            .map(|d| d.join("autostart").join("rota.desktop"))
            .ok_or_else(|| "there is no config folder on this system".into())
    }

    /// An entry is there and not switched off (`Hidden=true`, or GNOME's own switch).
    pub fn enabled() -> bool {
        let Some(text) = file().ok().and_then(|f| std::fs::read_to_string(f).ok()) else { return false };
        let off =
            |key: &str, value: &str| text.lines().filter_map(|l| l.split_once('=')).any(|(k, v)| k.trim() == key && v.trim() == value);
        !off("Hidden", "true") && !off("X-GNOME-Autostart-enabled", "false")
    }

    pub fn set(on: bool) -> Result<(), String> {
        let file = file()?;
        if !on {
            return match std::fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("{}: {e}", file.display())),
                _ => Ok(()),
            };
        }
        let entry = super::entry(&super::rota()?)?;
        if std::fs::read_to_string(&file).is_ok_and(|had| had == entry) {
            return Ok(());
        }
        // Written whole, then renamed over the old one: a session starting meanwhile reads
        // either entry, never half of one; a new folder 0700 and a new entry 0600.
        crate::files::replace_file(&file, entry.as_bytes()).map_err(|e| format!("{}: {e}", file.display()))
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use auto_launch::{AutoLaunch, AutoLaunchBuilder};

    fn entry() -> Result<AutoLaunch, String> {
        let rota = super::rota()?;
        AutoLaunchBuilder::new().set_app_name("rota").set_app_path(&rota.to_string_lossy()).build().map_err(|e| e.to_string())
    }

    pub fn enabled() -> bool {
        entry().and_then(|e| e.is_enabled().map_err(|e| e.to_string())).unwrap_or(false)
    }

    pub fn set(on: bool) -> Result<(), String> {
        let e = entry()?;
        if on == e.is_enabled().unwrap_or(!on) {
            return Ok(());
        }
        if on { e.enable() } else { e.disable() }.map_err(|err| err.to_string())
    }
}

/// The XDG autostart entry that starts `exec` (Desktop Entry Specification 1.5): the program
/// quoted where its path needs it, `%` doubled; named and drawn as the applications menu's
/// entry for Rota. A path the spec cannot hold (`=`, a control character, not UTF-8) is refused.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn entry(exec: &std::path::Path) -> Result<String, String> {
    let path = exec.to_str().ok_or_else(|| format!("{}: start at login needs a path in UTF-8", exec.display()))?;
    if path.contains(|c: char| c == '=' || c.is_control()) {
        return Err(format!("{path:?}: an autostart entry cannot start a program whose path has '=' or a control character"));
    }
    let path = path.replace('%', "%%");
    let reserved = |c: char| c.is_whitespace() || "\"'\\><~|&;$*?#()`".contains(c);
    let exec = if path.contains(reserved) {
        let escaped: String = path.chars().flat_map(|c| if "\"`$\\".contains(c) { vec!['\\', c] } else { vec![c] }).collect();
        // The value is itself a string in which a backslash is escaped.
        format!("\"{}\"", escaped.replace('\\', "\\\\"))
    } else {
        path
    };
    Ok(format!(
        "[Desktop Entry]\nType=Application\nName=Rota\nComment=The escalation rotation in your tray\n\
         Exec={exec}\nIcon=rota-app\nTerminal=false\nStartupNotify=false\nX-GNOME-Autostart-enabled=true\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::entry;
    use std::path::Path;

    #[test]
    fn the_entry_names_rota_and_starts_the_tray() {
        let e = entry(Path::new("/usr/bin/rota")).unwrap();
        assert!(e.starts_with("[Desktop Entry]\nType=Application\nName=Rota\n"), "{e}");
        assert!(e.lines().any(|l| l == "Exec=/usr/bin/rota"), "{e}");
    }

    #[test]
    fn a_path_with_spaces_or_quotes_is_quoted_as_the_spec_says() {
        let exec = |p: &str| entry(Path::new(p)).unwrap().lines().find_map(|l| l.strip_prefix("Exec=").map(str::to_owned)).unwrap();
        assert_eq!(exec("/opt/My Apps/rota"), "\"/opt/My Apps/rota\"");
        assert_eq!(exec("/opt/100%/rota"), "/opt/100%%/rota");
        // `"` escaped as `\"` inside the quotes, and that backslash escaped again in the value.
        assert_eq!(exec("/opt/a\"b/rota"), "\"/opt/a\\\\\"b/rota\"");
        assert_eq!(exec("/opt/$HOME/rota"), "\"/opt/\\\\$HOME/rota\"");
        // A backslash: `\\` inside the quotes, each escaped again in the value.
        assert_eq!(exec("/opt/a\\b/rota"), "\"/opt/a\\\\\\\\b/rota\"");
    }

    #[test]
    fn a_path_the_spec_cannot_hold_is_refused() {
        assert!(entry(Path::new("/opt/a=b/rota")).is_err());
        assert!(entry(Path::new("/opt/a\nb/rota")).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            assert!(entry(Path::new(std::ffi::OsStr::from_bytes(b"/opt/\xff/rota"))).is_err());
        }
    }
}
