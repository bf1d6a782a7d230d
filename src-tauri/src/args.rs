//! `rota-app`'s command line: which role this process takes. People run `rota`; `rota` and the
//! tray start `rota-app` with these.

use clap::Parser;
use rota_io::protocol::{self, Overrides, WindowKind};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "rota-app", version, about = "Rota's windows and its portable tray; started by `rota`")]
pub struct AppArgs {
    /// Host the windows, starting with this one: dashboard, settings, escalate or action
    #[arg(long, value_name = "WINDOW", conflicts_with = "tray")]
    pub window: Option<WindowKind>,
    /// What a tray item was about: with `--window dashboard`, person:HANDLE (that card); with `--window action`, engage:ID or reassign:ID
    #[arg(long, value_name = "ITEM", requires = "window")]
    pub show: Option<String>,
    /// Be the tray (Tauri's tray icon and menu)
    #[arg(long)]
    pub tray: bool,
    /// Open a window when the tray starts
    #[arg(long, value_name = "WINDOW", value_parser = WindowKind::openable, conflicts_with = "window")]
    pub open: Option<WindowKind>,
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[arg(long, value_name = "SOURCE")]
    pub schedule: Option<String>,
    #[arg(long, value_name = "SOURCE")]
    pub roster: Option<String>,
}

impl AppArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides { config: self.config.clone(), schedule: self.schedule.clone(), roster: self.roster.clone() }
    }
}

/// Entry point of the `rota-app` binary.
pub fn main() {
    crate::timing::start();
    let args = AppArgs::parse();
    if args.window.is_none() {
        // The tray host draws no webview: GTK's GL buys it nothing.
        crate::lighter::tray_environment();
    }
    let code = match (args.window, args.tray) {
        (Some(kind), _) => crate::run(args.overrides(), kind, args.show.as_deref().and_then(protocol::show_target)),
        (None, true) => crate::tray::run(args.overrides(), args.open),
        // Started as an application (the macOS and Windows bundles' main program, a launcher):
        // the tray, as `rota` would start it.
        (None, false) => start_tray(args),
    };
    std::process::exit(code);
}

/// On Linux the default tray is the lean one in `rota`, beside this program; elsewhere it is this
/// one's.
fn start_tray(args: AppArgs) -> i32 {
    if !cfg!(target_os = "linux") {
        return crate::tray::run(args.overrides(), args.open);
    }
    let rota = match protocol::sibling(protocol::CLI_BINARY) {
        Ok(rota) => rota,
        Err(e) => {
            eprintln!("rota: cannot find `rota` beside this program: {e}");
            return 1;
        }
    };
    let mut cmd = std::process::Command::new(&rota);
    if let Some(kind) = args.open {
        cmd.arg("--open").arg(kind.label());
    }
    cmd.args(args.overrides().args());
    #[cfg(unix)]
    let err = std::os::unix::process::CommandExt::exec(&mut cmd);
    #[cfg(not(unix))]
    let err = match cmd.status() {
        Ok(status) => return status.code().unwrap_or(1),
        Err(e) => e,
    };
    eprintln!("rota: {} could not start: {err}", rota.display());
    1
}
