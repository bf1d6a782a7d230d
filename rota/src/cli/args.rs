//! The command line as typed: flags and subcommands, before they mean anything.

use clap::{Args, Parser, Subcommand, ValueEnum};
use rota_io::protocol::{Overrides, TrayHost, WindowKind};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "rota",
    version,
    max_term_width = 80,
    about = "The escalation rotation in your tray: who is on, and are they awake right now?"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Open a window when the tray app starts: dashboard, settings or escalate
    #[arg(long, value_name = "WINDOW", value_parser = WindowKind::openable)]
    pub open: Option<WindowKind>,
    /// Run as the windows process with this window (the tray starts it on demand)
    #[arg(long, value_name = "WINDOW", conflicts_with = "open")]
    pub window: Option<WindowKind>,
    /// What a tray item was about: with --window dashboard, person:HANDLE; with --window action, engage:ID or reassign:ID
    #[arg(long, value_name = "ITEM", requires = "window", hide = true)]
    pub show: Option<String>,
    /// Which tray to show: sni (StatusNotifierItem, the default on Linux) or tauri (the default elsewhere)
    #[arg(long, value_name = "HOST")]
    pub tray: Option<TrayHost>,
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
    /// Colour the text output: auto (on a terminal, unless NO_COLOR is set), always or never
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

/// When the command line colours its text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    Always,
    Never,
}

impl Global {
    /// What these flags override in the config, as every process takes it.
    pub fn overrides(&self) -> Overrides {
        Overrides { config: self.config.clone(), schedule: self.schedule.clone(), roster: self.roster.clone() }
    }
}

// What `now` and `coverage` look at: one instant, in the viewer's zone (a plain comment: a doc
// comment here would stand in for both commands' own help).
#[derive(Debug, Args)]
pub struct AtInstant {
    /// The instant (default: now): RFC 3339, or YYYY-MM-DD, "YYYY-MM-DD HH:MM" or HH:MM in the
    /// viewer's zone
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The viewer's timezone (IANA name)
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// Print JSON for scripts instead of text
    #[arg(long)]
    pub json: bool,
}

// Each subcommand's arguments are made only when it is the one typed (or its help is asked
// for): `rota now` does not build the whole command line's arguments to read its own.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Who is on rotation at an instant
    Now(AtInstant),
    /// Every rotation, past and coming, in the viewer's zone
    Schedule {
        /// The viewer's timezone (IANA name)
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        /// Print JSON for scripts instead of text
        #[arg(long)]
        json: bool,
    },
    /// The week of the rotation at TIME, hour by hour in the viewer's zone, with the gaps
    Coverage(AtInstant),
    /// Validate schedule, roster and config, and lint them against the program's rules
    Check {
        /// Print JSON for scripts instead of text
        #[arg(long)]
        json: bool,
    },
    /// The schedule in another format: `rota export ical`
    Export {
        #[command(subcommand)]
        format: ExportFormat,
    },
    /// File an escalation through the configured backend
    Escalate {
        /// What is wrong, in one line
        #[arg(long, value_name = "T")]
        title: String,
        /// The customer affected
        #[arg(long, value_name = "C")]
        customer: Option<String>,
        /// sev1 (most urgent) to sev4
        #[arg(long, value_name = "S", default_value = "sev3")]
        severity: rota_core::escalation::Severity,
        /// A link to the ticket (http or https)
        #[arg(long, value_name = "U")]
        url: Option<String>,
        /// The engineer's handle, or `auto`: the on-duty engineer working now and least loaded
        #[arg(long, value_name = "HANDLE|auto", default_value = "auto")]
        to: String,
        /// Print JSON for scripts instead of text
        #[arg(long)]
        json: bool,
    },
    /// List open escalations (--all: closed ones too)
    Escalations {
        /// Only those assigned to me (`me` in the config)
        #[arg(long)]
        mine: bool,
        /// Closed ones too, with their history
        #[arg(long)]
        all: bool,
        /// Print JSON for scripts instead of text
        #[arg(long)]
        json: bool,
    },
    /// What is saved but not yet filed: queued or refused, with the reason
    Outbox {
        #[command(subcommand)]
        action: Option<OutboxAction>,
        /// Print JSON for scripts instead of text
        #[arg(long)]
        json: bool,
    },
    /// Acknowledge an escalation
    Ack {
        /// The escalation's id
        id: String,
    },
    /// Resolve an escalation, with an optional note on how
    Resolve {
        /// The escalation's id
        id: String,
        /// How it was resolved
        #[arg(long, value_name = "T")]
        note: Option<String>,
    },
    /// Hand an escalation to an engineering team
    Engage {
        /// The escalation's id
        id: String,
        /// The engineering team's name
        #[arg(long, value_name = "T")]
        team: String,
        /// A link to what was filed with that team
        #[arg(long, value_name = "U")]
        url: Option<String>,
    },
    /// Give an escalation to another engineer on the rotation
    Reassign {
        /// The escalation's id
        id: String,
        /// The engineer's handle, or `auto`: the on-duty engineer working now and least loaded
        #[arg(long, value_name = "HANDLE|auto")]
        to: String,
    },
    /// Open a resolved escalation again
    Reopen {
        /// The escalation's id
        id: String,
    },
    /// Take an escalation offered to me: reassigned to me and acknowledged
    Take {
        /// The escalation's id
        id: String,
    },
    /// Per rotation: engineering engaged against the 10% goal, times to acknowledge and resolve
    Stats {
        /// Only the rotation that starts on this date (YYYY-MM-DD)
        #[arg(long, value_name = "START", conflicts_with = "since")]
        rotation: Option<String>,
        /// Only rotations that end on or after this date (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Print JSON for scripts instead of text
        #[arg(long)]
        json: bool,
    },
    /// Move the outgoing engineers' open escalations to the incoming ones at the next hand-off
    Handover {
        /// The hand-off at the end of the rotation that starts on this date (YYYY-MM-DD)
        #[arg(long, value_name = "START")]
        rotation: Option<String>,
        /// Say what would move, and move nothing
        #[arg(long)]
        dry_run: bool,
        /// Print JSON for scripts instead of text
        #[arg(long)]
        json: bool,
    },
    /// Who could fill a rotation's open seats: by the weekday gap hours they close, then whose turn it is
    Plan {
        /// The rotation that starts on this date (YYYY-MM-DD); default: the next with an open seat
        #[arg(long, value_name = "START")]
        rotation: Option<String>,
        /// Print JSON for scripts instead of text
        #[arg(long)]
        json: bool,
    },
    /// Keep the Slack user group equal to who is on duty; the daily word for the channel
    Slack {
        #[command(subcommand)]
        action: SlackAction,
    },
    /// The roster with each engineer's rotations: how many, the last, the next
    People {
        /// Print JSON for scripts instead of text
        #[arg(long)]
        json: bool,
    },
    /// Store or remove a secret in the OS keyring (github-token, slack-webhook, slack-token)
    Secret {
        #[command(subcommand)]
        action: SecretAction,
    },
}

// What `rota export` writes. (Plain comments on these enums: as doc comments they would be the
// help's words for their command once its arguments are deferred.)
#[derive(Debug, Subcommand)]
pub enum ExportFormat {
    /// The schedule as an iCalendar file (RFC 5545): one event per rotation, or per stretch one
    /// person is on.
    Ical {
        /// Only my stretches (`me` in the config).
        #[arg(long, conflicts_with = "person")]
        me: bool,
        /// Only this person's stretches.
        #[arg(long, value_name = "HANDLE")]
        person: Option<String>,
        /// Leave out events that end before this day (YYYY-MM-DD, schedule zone).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Leave out events that start after this day (YYYY-MM-DD, schedule zone).
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Write here instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxAction {
    /// Send a queued or refused escalation again now (all of them with --all)
    Retry {
        /// The escalation's key, as `rota outbox` lists it
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        key: Option<String>,
        #[arg(long)]
        all: bool,
    },
    /// Remove an escalation from the outbox: it will not be filed
    Discard {
        /// The escalation's key, as `rota outbox` lists it
        key: String,
    },
}

// `rota slack sync` / `rota slack summary`.
#[derive(Debug, Subcommand)]
pub enum SlackAction {
    /// Make the user group ([slack] usergroup) hold the engineers on duty now, plus keep
    Sync {
        /// Say what would change; write nothing
        #[arg(long)]
        dry_run: bool,
        /// Print JSON for scripts instead of text
        #[arg(long)]
        json: bool,
    },
    /// Print the daily word (who is on, the next hand-off, escalations, coverings) and post it
    /// through the webhook
    Summary {
        /// Print it only; post nothing
        #[arg(long)]
        dry_run: bool,
    },
}

// `rota secret set NAME` / `rota secret delete NAME`.
#[derive(Debug, Subcommand)]
pub enum SecretAction {
    /// Store a secret, reading its value from stdin (never from an argument)
    Set {
        /// github-token, slack-webhook or slack-token
        name: crate::secrets::SecretName,
    },
    /// Remove a secret
    Delete {
        /// github-token, slack-webhook or slack-token
        name: crate::secrets::SecretName,
    },
}
