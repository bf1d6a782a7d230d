//! The `rota` application: the command line, the tray (`rota` with no subcommand) and the windows
//! (`rota-app`). It is the shell around `rota-core`: it reads files, URLs, the clock and the
//! system's zone, and hands them to the core.

pub mod app;
pub mod autostart;
pub mod cli;
pub mod escalations;
pub mod clock;
pub mod inputs;
pub mod live;
pub mod models;
pub mod notifier;
pub mod poller;
pub mod secrets;
pub mod settings;
pub mod slack;
pub mod sources;
#[cfg(target_os = "linux")]
pub mod tray;

use clap::Parser;

/// The windows' binary, beside `rota`: Tauri, GTK and WebKit, started when a window is asked for.
pub const APP_BINARY: &str = "rota-app";

/// Entry point of the `rota` binary: the command line, and with no subcommand the tray. It links
/// no toolkit and no web engine, so a command starts in milliseconds and works without a display,
/// and the tray that runs all day stays small.
pub fn run() {
    let cli = parse_args();
    let code = match (cli.command, cli.window) {
        (Some(command), _) => cli::run(&cli.global, command),
        (None, Some(_)) => exec_app(),
        (None, None) => run_tray(cli.global, cli.open),
    };
    std::process::exit(code);
}

#[cfg(target_os = "linux")]
fn run_tray(global: cli::args::Global, open: Option<app::models::WindowKind>) -> i32 {
    tray::run(global, open)
}

#[cfg(not(target_os = "linux"))]
fn run_tray(_global: cli::args::Global, _open: Option<app::models::WindowKind>) -> i32 {
    eprintln!("rota: the tray runs on Linux desktops (StatusNotifierItem); the command line works here");
    1
}

/// The command line as typed; a usage error is said as every error is (`rota: error: …`), exit 2.
fn parse_args() -> cli::args::Cli {
    match cli::args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(), // --help, --version
        Err(e) => {
            let text = e.render().to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            eprint!("rota: error: {text}");
            std::process::exit(2);
        }
    }
}

/// The program `name` beside this one (`rota` and `rota-app` are installed side by side).
pub fn sibling(name: &str) -> std::io::Result<std::path::PathBuf> {
    Ok(std::env::current_exe()?.with_file_name(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
}

/// Whether there is a desktop to show a tray or windows on. (Always, outside Linux and the BSDs.)
fn in_desktop_session() -> bool {
    cfg!(any(target_os = "macos", windows)) || std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// Tells the running tray, if any, that the outbox has something to send.
pub async fn tell_tray_outbox_changed() {
    #[cfg(target_os = "linux")]
    tray::outbox_changed().await;
}

/// Entry point of the `rota-app` binary: the windows process (`--window KIND`).
pub fn run_app() {
    let cli = parse_args();
    if let Some(command) = cli.command {
        // Someone ran `rota-app now`: the command line is the same program.
        std::process::exit(cli::run(&cli.global, command));
    }
    let Some(kind) = cli.window else {
        eprintln!("rota-app hosts Rota's windows and is started by the tray; run `rota` instead");
        std::process::exit(2);
    };
    std::process::exit(app::run(cli.global, kind));
}

/// Replaces this process with `rota-app` and the same arguments (same process id, same
/// environment), so scripts and tests that started `rota --window KIND` talk to the windows.
fn exec_app() -> i32 {
    let app = match sibling(APP_BINARY) {
        Ok(app) => app,
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
