//! How Rota's processes find and talk to each other, without a toolkit: the window kinds, the
//! tray hosts, the programs side by side, the environment a window is started with, and starting
//! the windows process (`rota-app --window KIND`).

use rota_core::tray::MenuAction;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The windows' program, installed beside `rota`: Tauri, GTK and WebKit, started on demand.
pub const APP_BINARY: &str = "rota-app";
/// The command line and the lean Linux tray.
pub const CLI_BINARY: &str = "rota";

/// How the tray tells the windows process why the shortcut is not active.
pub const SHORTCUT_PROBLEM_VAR: &str = "ROTA_SHORTCUT_PROBLEM";
/// How the tray tells the windows process what its escalations poller last ran into
/// ("GitHub token rejected").
pub const ESCALATIONS_PROBLEM_VAR: &str = "ROTA_ESCALATIONS_PROBLEM";

/// Which window to open.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum WindowKind {
    Dashboard,
    Settings,
    Escalate,
    /// A small window for one action on one escalation that needs a word from the user: engage
    /// engineering (which team) or reassign (to whom). What it acts on comes with [`SHOW_FLAG`].
    Action,
    /// The hand-over at rotation end: each move listed, changeable, Enter carries them out.
    Handover,
}

impl WindowKind {
    pub const ALL: [WindowKind; 5] =
        [WindowKind::Dashboard, WindowKind::Settings, WindowKind::Escalate, WindowKind::Action, WindowKind::Handover];
    /// The windows a person opens by name (`--open`, the tray's `Open` method). The action window
    /// is not one: it opens for one escalation (`--window action --show engage:ID`).
    pub const OPENABLE: [WindowKind; 3] = [WindowKind::Dashboard, WindowKind::Settings, WindowKind::Escalate];

    /// One of [`Self::OPENABLE`], by name.
    pub fn openable(s: &str) -> Result<WindowKind, UnknownName> {
        find(&WindowKind::OPENABLE, s)
    }

    pub fn label(self) -> &'static str {
        match self {
            WindowKind::Dashboard => "dashboard",
            WindowKind::Settings => "settings",
            WindowKind::Escalate => "escalate",
            WindowKind::Action => "action",
            WindowKind::Handover => "handover",
        }
    }
}

impl fmt::Display for WindowKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A name that is not a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    what: &'static str,
    name: String,
    expected: String,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no {} called {:?}; use one of {}", self.what, self.name, self.expected)
    }
}

impl std::error::Error for UnknownName {}

fn find(kinds: &[WindowKind], s: &str) -> Result<WindowKind, UnknownName> {
    kinds.iter().copied().find(|k| k.label().eq_ignore_ascii_case(s)).ok_or_else(|| UnknownName {
        what: "window",
        name: s.to_owned(),
        expected: kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(", "),
    })
}

impl FromStr for WindowKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        find(&WindowKind::ALL, s)
    }
}

/// Which program draws the tray: the same menu model either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayHost {
    /// StatusNotifierItem and dbusmenu over D-Bus, no toolkit (`rota`): the default on Linux.
    Sni,
    /// Tauri's tray icon and menu (`rota-app --tray`): the default on macOS and Windows.
    Tauri,
}

impl TrayHost {
    pub const DEFAULT: TrayHost = if cfg!(target_os = "linux") { TrayHost::Sni } else { TrayHost::Tauri };

    pub fn label(self) -> &'static str {
        match self {
            TrayHost::Sni => "sni",
            TrayHost::Tauri => "tauri",
        }
    }
}

impl FromStr for TrayHost {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [TrayHost::Sni, TrayHost::Tauri].into_iter().find(|h| h.label().eq_ignore_ascii_case(s)).ok_or_else(|| UnknownName {
            what: "tray host",
            name: s.to_owned(),
            expected: "sni, tauri".into(),
        })
    }
}

/// The command line's overrides of the config, as every process takes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub config: Option<std::path::PathBuf>,
    pub schedule: Option<String>,
    pub roster: Option<String>,
}

impl Overrides {
    /// The same overrides as command-line flags, for a process started with them.
    pub fn args(&self) -> Vec<std::ffi::OsString> {
        let mut args = Vec::new();
        if let Some(c) = &self.config {
            args.extend(["--config".into(), c.clone().into_os_string()]);
        }
        for (flag, value) in [("--schedule", &self.schedule), ("--roster", &self.roster)] {
            if let Some(v) = value {
                args.extend([flag.into(), v.into()]);
            }
        }
        args
    }
}

/// The program `name` beside this one (`rota` and `rota-app` are installed side by side).
pub fn sibling(name: &str) -> std::io::Result<std::path::PathBuf> {
    Ok(std::env::current_exe()?.with_file_name(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
}

/// Whether there is a desktop to show a tray or windows on. (Always, outside Linux and the BSDs.)
pub fn in_desktop_session() -> bool {
    cfg!(any(target_os = "macos", windows)) || std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// What the tray knows that a window shows. Each is handed to the window in its environment,
/// cut to [`rota_core::redact::MESSAGE_CHARS`] characters: a server's long message
/// never fills the environment (`Argument list too long`, and no window opens).
#[derive(Debug, Clone, Default)]
pub struct TrayNews {
    pub shortcut_problem: Option<String>,
    pub escalations_problem: Option<String>,
}

/// The flag that asks a window to show what a tray item was about, named by the item's action id
/// ([`MenuAction::id`]): for the dashboard, `person:HANDLE` (that engineer's card) or
/// `escalation:ID` (a notification clicked: that escalation's row); for the action window,
/// `engage:ID` or `reassign:ID` (what it acts on). Read once where it comes in ([`show_target`]);
/// inside, it travels as the [`MenuAction`].
pub const SHOW_FLAG: &str = "--show";

/// What the dashboard shows for escalation `id` (see [`SHOW_FLAG`]).
pub fn escalation_target(id: &str) -> MenuAction {
    MenuAction::OpenEscalation(id.to_owned())
}

/// A [`SHOW_FLAG`] value as it comes in (a command line, a D-Bus call), cut as any text from
/// outside is: what it names, or `None` for nothing a window shows (the window opens as it
/// would without it).
pub fn show_target(text: &str) -> Option<MenuAction> {
    MenuAction::from_id(&rota_core::redact::message(text))
}

/// Starts (or, through the running one, reaches) the windows process for `kind`, showing `show`
/// (see [`SHOW_FLAG`]) when it is given.
pub fn spawn_window(overrides: &Overrides, kind: WindowKind, show: Option<&MenuAction>, news: &TrayNews) -> std::io::Result<()> {
    let mut cmd = window_command(&sibling(APP_BINARY)?, overrides, kind, show, news);
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

/// The command line a windows process is started with for `kind` (its program first), as a running
/// one is handed it (see [`crate::instance::reach_windows`]).
pub fn window_args(overrides: &Overrides, kind: WindowKind, show: Option<&MenuAction>) -> Vec<String> {
    let cmd = window_command(std::path::Path::new(APP_BINARY), overrides, kind, show, &TrayNews::default());
    std::iter::once(cmd.get_program()).chain(cmd.get_args()).map(|a| a.to_string_lossy().into_owned()).collect()
}

/// `program --window KIND` with the overrides, `--show`, and the tray's news in the environment,
/// each cut to [`rota_core::redact::MESSAGE_CHARS`] characters.
fn window_command(
    program: &std::path::Path,
    overrides: &Overrides,
    kind: WindowKind,
    show: Option<&MenuAction>,
    news: &TrayNews,
) -> std::process::Command {
    let mut cmd = std::process::Command::new(program);
    cmd.arg("--window").arg(kind.label()).args(overrides.args());
    if let Some(s) = show {
        cmd.arg(SHOW_FLAG).arg(s.id());
    }
    for (var, value) in [(SHORTCUT_PROBLEM_VAR, &news.shortcut_problem), (ESCALATIONS_PROBLEM_VAR, &news.escalations_problem)] {
        match value {
            Some(v) => cmd.env(var, rota_core::redact::message(v)),
            None => cmd.env_remove(var),
        };
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--show` is read once where it comes in; what a window is handed back is the same text.
    #[test]
    fn a_show_target_is_read_once_and_said_back_the_same() {
        for text in ["person:valerybugakov", "escalation:owner/repo#3", "engage:12", "reassign:12"] {
            let target = show_target(text).unwrap();
            assert_eq!(target.id(), text);
            let cmd = window_command(
                std::path::Path::new("/bin/sh"),
                &Overrides::default(),
                WindowKind::Action,
                Some(&target),
                &TrayNews::default(),
            );
            let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
            assert_eq!(args[args.len() - 2..], [SHOW_FLAG.to_owned(), text.to_owned()]);
        }
        assert_eq!(show_target("escalation:7"), Some(escalation_target("7")));
        assert_eq!(show_target("nonsense"), None, "nothing a window shows: it opens as without it");
    }

    #[test]
    fn names_round_trip() {
        for k in WindowKind::ALL {
            assert_eq!(k.label().parse::<WindowKind>(), Ok(k));
        }
        assert_eq!("Escalate".parse::<WindowKind>(), Ok(WindowKind::Escalate));
        assert!("tray".parse::<WindowKind>().unwrap_err().to_string().contains("dashboard, settings, escalate, action"));
        assert_eq!(WindowKind::openable("settings"), Ok(WindowKind::Settings));
        let refused = WindowKind::openable("action").unwrap_err().to_string();
        assert!(refused.ends_with("use one of dashboard, settings, escalate"), "{refused}");
        assert_eq!("tauri".parse::<TrayHost>(), Ok(TrayHost::Tauri));
        assert_eq!("sni".parse::<TrayHost>(), Ok(TrayHost::Sni));
    }

    /// A 1 MiB problem (a server's message) once reached the window's environment whole,
    /// and exec refused it ("Argument list too long"): no window opened. It goes cut to 300
    /// characters, and the window starts.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_long_problem_is_cut_before_it_reaches_a_windows_environment() {
        let problem = "x".repeat(1 << 20);
        let raw = std::process::Command::new("/bin/sh").args(["-c", "true"]).env(ESCALATIONS_PROBLEM_VAR, &problem).status();
        assert_eq!(raw.map_err(|e| e.raw_os_error()).err(), Some(Some(libc::E2BIG)), "what happened before");
        let news = TrayNews { shortcut_problem: Some("y".repeat(5000)), escalations_problem: Some(problem) };
        let mut cmd = window_command(std::path::Path::new("/bin/sh"), &Overrides::default(), WindowKind::Settings, None, &news);
        for (var, value) in cmd.get_envs() {
            let chars = value.map_or(0, |v| v.to_string_lossy().chars().count());
            assert!(chars <= rota_core::redact::MESSAGE_CHARS, "{var:?}: {chars} characters");
        }
        // `sh --window settings` is an error of sh's; that it ran at all is what counts.
        let ran = cmd.stderr(std::process::Stdio::null()).status();
        assert!(ran.is_ok(), "{ran:?}");
    }

    #[test]
    fn overrides_become_flags() {
        let o = Overrides { config: Some("/c/config.toml".into()), schedule: None, roster: Some("people.toml".into()) };
        assert_eq!(o.args(), ["--config", "/c/config.toml", "--roster", "people.toml"].map(std::ffi::OsString::from));
    }
}
