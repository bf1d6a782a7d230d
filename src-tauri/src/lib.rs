//! The `rota` application: the tray app (no subcommand) and the command line. It is the shell around
//! `rota-core`: it reads files, URLs, the clock and the system's zone, and hands them to the core.

pub mod app;
pub mod cli;
pub mod escalations;
pub mod clock;
pub mod inputs;
pub mod models;
pub mod notifier;
pub mod poller;
pub mod secrets;
pub mod settings;
pub mod slack;
pub mod sources;

use clap::Parser;

/// The app's binary, beside `rota`: the tray and the windows (Tauri, GTK, WebKit).
pub const APP_BINARY: &str = "rota-app";

/// Entry point of the `rota` binary: the command line. It links no GUI library, so a command
/// starts in milliseconds and works without a display; with no subcommand it becomes the app.
pub fn run() {
    let cli = cli::args::Cli::parse();
    let code = match cli.command {
        Some(command) => cli::run(&cli.global, command),
        None => exec_app(),
    };
    std::process::exit(code);
}

/// Entry point of the `rota-app` binary: the tray (no `--window`) or the windows process.
pub fn run_app() {
    let cli = cli::args::Cli::parse();
    if let Some(command) = cli.command {
        // Someone ran `rota-app now`: the command line is the same program.
        std::process::exit(cli::run(&cli.global, command));
    }
    std::process::exit(app::run(cli.global, cli.open, cli.window));
}

/// Replaces this process with `rota-app` and the same arguments (same process id, same
/// environment), so scripts and tests that started `rota` keep talking to the app.
fn exec_app() -> i32 {
    let app = match std::env::current_exe() {
        Ok(exe) => exe.with_file_name(format!("{APP_BINARY}{}", std::env::consts::EXE_SUFFIX)),
        Err(e) => {
            eprintln!("rota: cannot find the app beside this program: {e}");
            return 1;
        }
    };
    let mut cmd = std::process::Command::new(&app);
    cmd.args(std::env::args_os().skip(1));
    #[cfg(unix)]
    let err = {
        use std::os::unix::process::CommandExt;
        cmd.exec()
    };
    #[cfg(not(unix))]
    let err = match cmd.status() {
        Ok(status) => return status.code().unwrap_or(1),
        Err(e) => e,
    };
    eprintln!("rota: the app ({}) could not start: {err}; build it with `cargo build -p rota`", app.display());
    1
}
