//! The command line as typed: flags and subcommands, before they mean anything.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "rota", version, about = "The escalation rotation in your tray: who is on, and are they awake right now?")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Open a window when the tray app starts
    #[arg(long, value_enum, value_name = "WINDOW")]
    pub open: Option<crate::app::models::WindowKind>,
}

/// Flags every command (and the app) takes.
#[derive(Debug, Args, Clone, Default)]
pub struct Global {
    /// Config file (default: $XDG_CONFIG_HOME/rota/config.toml)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Schedule source, overriding the config: a path, an https URL, builtin:demo or builtin:handbook
    #[arg(long, global = true, value_name = "SOURCE")]
    pub schedule: Option<String>,
    /// Roster source, overriding the config: a path or an https URL
    #[arg(long, global = true, value_name = "SOURCE")]
    pub roster: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Who is on rotation at an instant
    Now {
        /// The instant, RFC 3339 (default: now)
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The viewer's timezone (IANA name)
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Every rotation, past and coming, in the viewer's zone
    Schedule {
        /// The viewer's timezone (IANA name)
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The week of the rotation at TIME, hour by hour in the viewer's zone, with the gaps
    Coverage {
        /// The instant, RFC 3339 (default: now)
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// The viewer's timezone (IANA name)
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Validate schedule, roster and config, and lint them against the program's rules
    Check {
        #[arg(long)]
        json: bool,
    },
}
