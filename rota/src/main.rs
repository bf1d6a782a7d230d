//! `rota`: the command line, and with no subcommand the tray. It links no toolkit and no web
//! engine, so a command starts in milliseconds and works without a display, and the tray that
//! runs all day stays small. On Linux the tray is drawn here (StatusNotifierItem, [`sni`]); with
//! `--tray tauri`, and on macOS and Windows, `rota-app` draws it instead.

mod cli;
mod models;
#[cfg(target_os = "linux")]
mod sni;

// The IO the subcommands use, by the paths they had when they lived in one crate with it.
pub(crate) use rota_io::{clock, escalations, inputs, secrets, settings, slack, sources, tell_tray_outbox_changed};

use clap::Parser;
use rota_io::protocol::{self, TrayHost};

fn main() {
    let cli = parse_args();
    let overrides = cli.global.overrides();
    let code = match (cli.command, cli.window) {
        (Some(command), _) => cli::run(&cli.global, command),
        (None, Some(kind)) => {
            // Read where it comes in; handed on in the one form the windows take.
            let show = cli.show.as_deref().and_then(protocol::show_target);
            let show = show.into_iter().flat_map(|s| [protocol::SHOW_FLAG.into(), s.id().into()]);
            exec_app(["--window".into(), kind.label().into()].into_iter().chain(show).chain(overrides.args()))
        }
        (None, None) => match cli.tray.unwrap_or(TrayHost::DEFAULT) {
            TrayHost::Sni => run_sni(overrides, cli.open),
            // The portable tray is Tauri's, in the windows' program.
            TrayHost::Tauri => {
                let open = cli.open.into_iter().flat_map(|k| ["--open".into(), k.label().into()]);
                exec_app(std::iter::once("--tray".into()).chain(open).chain(overrides.args()))
            }
        },
    };
    std::process::exit(code);
}

#[cfg(target_os = "linux")]
fn run_sni(overrides: protocol::Overrides, open: Option<protocol::WindowKind>) -> i32 {
    sni::run(overrides, open)
}

#[cfg(not(target_os = "linux"))]
fn run_sni(_: protocol::Overrides, _: Option<protocol::WindowKind>) -> i32 {
    eprintln!("rota: the StatusNotifierItem tray is for Linux desktops; run `rota --tray tauri` (the default here)");
    2
}

/// Replaces this process with `rota-app ARGS` (same process id, same environment), so scripts and
/// tests that started `rota` talk to what runs.
fn exec_app(args: impl Iterator<Item = std::ffi::OsString>) -> i32 {
    let app = match protocol::sibling(protocol::APP_BINARY) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("rota: cannot find the app beside this program: {e}");
            return 1;
        }
    };
    let mut cmd = std::process::Command::new(&app);
    cmd.args(args);
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
    eprintln!("rota: the app ({}) could not start: {err}; build it with `cargo build -p rota-app`", app.display());
    1
}

/// A misspelt subcommand's error with the subcommands near it ("did you mean now?"), by edit
/// distance only, as every "did you mean" of Rota's.
fn with_did_you_mean(e: &clap::Error, text: String) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    use clap::CommandFactory;
    let (ErrorKind::InvalidSubcommand, Some(ContextValue::String(typed))) = (e.kind(), e.get(ContextKind::InvalidSubcommand)) else {
        return text;
    };
    let command = cli::args::Cli::command();
    let near = rota_core::spelling::closest(typed, command.get_subcommands().map(|c| c.get_name()));
    match text.split_once('\n') {
        Some((first, rest)) if !near.is_empty() => format!("{first}; {}\n{rest}", rota_core::spelling::did_you_mean(&near)),
        _ => text,
    }
}

/// The command line as typed; a usage error is said as every error is (`rota: error: …`), exit 2.
fn parse_args() -> cli::args::Cli {
    match cli::args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(), // --help, --version
        Err(e) => {
            let text = with_did_you_mean(&e, e.render().to_string());
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            // It quotes what was typed, which may come from outside.
            eprint!("rota: error: {}", rota_core::printable::printable_lines(text));
            std::process::exit(2);
        }
    }
}
