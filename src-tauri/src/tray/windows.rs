//! Starting the windows: `rota-app --window KIND`, a process of its own that hosts the webviews
//! and ends with its last window. A windows process already running receives the request instead
//! (one instance, by its own identifier) and opens or focuses that window.

use crate::app::models::WindowKind;
use crate::app::windows::{ESCALATIONS_PROBLEM_VAR, SHORTCUT_PROBLEM_VAR};
use crate::cli::args::Global;


/// What the tray knows that a window shows.
#[derive(Debug, Clone, Default)]
pub struct TrayNews {
    pub shortcut_problem: Option<String>,
    pub escalations_problem: Option<String>,
}

/// Starts (or, through the running one, reaches) the windows process for `kind`.
pub fn spawn(global: &Global, kind: WindowKind, news: &TrayNews) -> std::io::Result<()> {
    let mut cmd = std::process::Command::new(crate::sibling(crate::APP_BINARY)?);
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
    for (var, value) in [(SHORTCUT_PROBLEM_VAR, &news.shortcut_problem), (ESCALATIONS_PROBLEM_VAR, &news.escalations_problem)] {
        match value {
            Some(v) => cmd.env(var, v),
            None => cmd.env_remove(var),
        };
    }
    // The windows end with the tray, however the tray ends (Quit, a signal, a crash).
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
