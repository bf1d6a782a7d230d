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

/// Entry point of the `rota` binary.
pub fn run() {
    let cli = cli::args::Cli::parse();
    let code = match cli.command {
        Some(command) => cli::run(&cli.global, command),
        None => app::run(cli.global, cli.open, cli.window),
    };
    std::process::exit(code);
}
