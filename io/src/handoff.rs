//! Hand-off notices in the tray process: asks the core what is due ([`rota_core::handoff::decide`]),
//! shows it, and keeps what was sent in a small file in the data folder
//! (`handoff-notices.json`), so that each notice is shown once across restarts and sleeps.
//!
//! A notice that could not be shown is not stored as sent: the next look (a minute later, or
//! after a wake) tries again while it is still due.

use crate::live::Live;
use crate::notifier::NotifyError;
use chrono::{DateTime, Utc};
use rota_core::handoff::{decide, my_line, Context, HandoffNotice, HandoffState};
use rota_core::notice::NoticeText;
use std::path::{Path, PathBuf};

/// The file the sent notices are kept in, in the data folder.
pub const FILE: &str = "handoff-notices.json";

pub fn state_file() -> Option<PathBuf> {
    crate::settings::data_dir().map(|d| d.join(FILE))
}

/// The stored state; `None` when there is none yet (or it cannot be read: then this is a first
/// run again, which sends nothing about the past).
pub fn load(path: &Path) -> Option<HandoffState> {
    let text = std::fs::read(path).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Stores the state: written beside the file and renamed over it, so a crash never leaves half.
/// Owner-only, like everything in the data folder: the folders 0700, the file 0600.
pub fn save(path: &Path, state: &HandoffState) -> std::io::Result<()> {
    crate::files::replace_private(path, &serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?)
}

/// What one look decided: the notices to show and the state to store once they are shown.
pub struct Due {
    pub notices: Vec<HandoffNotice>,
    pub state: HandoffState,
}

/// Decides what is due at `now` for `me`, from the live state. `None` when there is no `me`, the
/// schedule is the demo (it moves with the days), or the inputs have problems (a schedule that
/// failed to load must not read as "you're off").
pub fn due(live: &Live, stored: Option<&HandoffState>, open_escalations: Option<&[String]>, now: DateTime<Utc>) -> Option<Due> {
    let me = live.settings.me.as_deref()?;
    if live.inputs.schedule.demo.is_some() || !live.problems.is_empty() {
        return None;
    }
    let timing = live.settings.config.schedule.timing;
    let stretches = live.inputs.schedule.stretches_of(&timing, me);
    let cx = Context {
        me,
        now,
        viewer: live.settings.viewer,
        roster: &live.inputs.roster,
        prefs: &live.settings.config.notices,
        open_escalations,
    };
    let (notices, state) = decide(&stretches, stored, &cx);
    Some(Due { notices, state })
}

/// The tray's line about my next stretch, if I am not on now.
pub fn line(live: &Live, now: DateTime<Utc>) -> Option<String> {
    let me = live.settings.me.as_deref()?;
    let stretches = live.inputs.schedule.stretches_of(&live.settings.config.schedule.timing, me);
    my_line(&stretches, now, live.settings.viewer)
}

/// Shows each notice with `show` and stores the state, without the ones that failed. Blocking
/// (D-Bus, the file): call it off the async threads.
pub fn deliver(path: &Path, due: Due, show: impl Fn(&NoticeText) -> Result<(), NotifyError>) {
    let Due { notices, mut state } = due;
    let mut shown = Vec::new();
    for n in &notices {
        match show(&n.text) {
            Ok(()) => shown.push(n.text.summary.clone()),
            Err(e) => {
                eprintln!("rota: the hand-off notice \"{}\" was not shown: {e}", n.text.summary);
                state.unsend(&n.key);
            }
        }
    }
    if let Err(e) = save(path, &state) {
        eprintln!("rota: {} could not be written: {e}", path.display());
    }
    for s in shown {
        eprintln!("rota: hand-off notice shown: {s}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tray's first write can be this file: the data folder it creates is 0700 and
    /// the file 0600 under a umask of 022 (before: 0755 and 0644).
    #[cfg(target_os = "linux")]
    #[test]
    fn the_state_file_and_its_folders_are_private() {
        use std::os::unix::fs::PermissionsExt;
        // The usual umask, which leaves group and others their read bits.
        unsafe { libc::umask(0o022) };
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("share/rota").join(FILE);
        save(&path, &HandoffState::default()).unwrap();
        save(&path, &HandoffState::default()).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        assert_eq!(mode(&home.path().join("share")), 0o700);
        assert_eq!(std::fs::read_dir(path.parent().unwrap()).unwrap().count(), 1, "no temporary file left");
        assert_eq!(load(&path), Some(HandoffState::default()));
    }
}
