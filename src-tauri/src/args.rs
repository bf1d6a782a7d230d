//! `rota-app`'s command line: which role this process takes. People run `rota`; `rota` and the
//! tray start `rota-app` with these.

use clap::Parser;
use rota_io::protocol::{Overrides, UnknownName, WindowKind};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "rota-app",
    version,
    about = "Rota's windows and its portable tray; started by `rota`"
)]
pub struct AppArgs {
    /// Host the windows, starting with this one: dashboard, settings or escalate
    #[arg(long, value_name = "WINDOW", value_parser = parse_window, conflicts_with = "tray")]
    pub window: Option<WindowKind>,
    /// Be the tray (Tauri's tray icon and menu)
    #[arg(long)]
    pub tray: bool,
    /// With --tray: open a window when the tray starts
    #[arg(long, value_name = "WINDOW", value_parser = parse_window, requires = "tray")]
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
        Overrides {
            config: self.config.clone(),
            schedule: self.schedule.clone(),
            roster: self.roster.clone(),
        }
    }
}

fn parse_window(s: &str) -> Result<WindowKind, String> {
    s.parse().map_err(|e: UnknownName| e.to_string())
}

/// Entry point of the `rota-app` binary.
pub fn main() {
    let args = AppArgs::parse();
    let code = match (args.window, args.tray) {
        (Some(kind), _) => crate::run(args.overrides(), kind),
        (None, true) => crate::tray::run(args.overrides(), args.open),
        (None, false) => {
            eprintln!("rota-app hosts Rota's windows and tray and is started by `rota`; run `rota` instead");
            2
        }
    };
    std::process::exit(code);
}
