//! The `rota` application: the command line today, the tray app next. It is the shell around
//! `rota-core`: it reads files, URLs, the clock and the system's zone, and hands them to the core.

pub mod cli;
pub mod escalations;
pub mod clock;
pub mod inputs;
pub mod models;
pub mod notifier;
pub mod poller;
pub mod secrets;
pub mod settings;
pub mod sources;

use clap::Parser;

/// Entry point of the `rota` binary.
pub fn run() {
    let cli = cli::args::Cli::parse();
    let code = match cli.command {
        Some(command) => cli::run(&cli.global, command),
        None => cli::run(&cli.global, cli::args::Command::Now { at: None, tz: None, json: false }),
    };
    std::process::exit(code);
}
