//! The escalation subcommands: `rota escalate`, `rota escalations`, `rota ack` and
//! `rota secret set|delete`. Each opens the configured backend, makes one call and prints text
//! or JSON (built in `models.rs`). Backend and keyring failures exit 1, usage errors 2.

use super::args::{Global, SecretAction};
use super::{load, print_json};
use crate::clock;
use crate::escalations::configured::{self, OpenError};
use crate::escalations::{AnyBackend, Backend, BackendError};
use crate::models::EscalationJson;
use crate::secrets::{OsKeyring, SecretStore, SecretValue};
use crate::settings::{self, Failure, Settings};
use chrono::{DateTime, Utc};
use rota_core::escalation::{Escalation, NewEscalation, Severity};
use rota_core::{assign, glance};
use std::io::{IsTerminal, Read};

/// What `rota escalate` was asked to file.
pub struct Filing {
    pub title: String,
    pub customer: Option<String>,
    pub severity: Severity,
    pub url: Option<String>,
    /// A handle, or `auto`.
    pub to: String,
}

fn backend_failure(e: BackendError) -> Failure {
    Failure::input(format!("rota: {e}"))
}

fn open_failure(e: OpenError) -> Failure {
    Failure::input(format!("rota: {e}"))
}

/// Settings whose config file parsed; its errors fail the command as `load` does for `now`.
fn settings(global: &Global) -> Result<Settings, Failure> {
    let s = settings::resolve(global, None)?;
    let errors: Vec<String> = s.findings.iter().filter(|f| f.is_error()).map(|f| f.to_string()).collect();
    if !errors.is_empty() {
        return Err(Failure::Input(errors));
    }
    Ok(s)
}

fn backend(settings: &Settings) -> Result<AnyBackend, Failure> {
    configured::open(settings, &OsKeyring).map_err(open_failure)
}

fn now() -> Result<DateTime<Utc>, Failure> {
    clock::now().map_err(Failure::Usage)
}

/// A key unique to this filing, so a retried create never files it twice.
fn client_key(now: DateTime<Utc>) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    format!("cli-{}-{:016x}", now.timestamp_millis(), h.finish())
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// `rota escalate`.
pub async fn escalate(global: &Global, filing: Filing, json: bool) -> Result<i32, Failure> {
    let title = filing.title.trim().to_owned();
    if title.is_empty() {
        return Err(Failure::Usage("--title must not be empty".into()));
    }
    let url = non_empty(filing.url);
    if let Some(u) = &url {
        let ok = reqwest::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https") && p.host().is_some());
        if !ok {
            return Err(Failure::Usage(format!("--url {u:?} is not an http or https link")));
        }
    }
    let now = now()?;
    let settings = settings(global)?;
    let backend = backend(&settings)?;

    let to = filing.to.trim().trim_start_matches('@');
    let (assignee, reason) = if to.eq_ignore_ascii_case("auto") {
        let inputs = load(&settings, now).await?;
        let g = glance(&inputs.schedule, &inputs.roster, &settings.config.schedule.timing, settings.viewer, settings.me.as_deref(), now);
        let open = backend.list_open(None).await.map_err(backend_failure)?;
        match assign::suggest(&g.on_duty, &open) {
            Some(s) => (Some(s.handle.clone()), Some(s.reason())),
            None => {
                eprintln!("rota: nobody is on rotation now, so the escalation goes to the whole rotation, unassigned");
                (None, None)
            }
        }
    } else if to.is_empty() {
        return Err(Failure::Usage("--to needs a handle, or auto".into()));
    } else {
        (Some(to.to_owned()), None)
    };

    let new = NewEscalation {
        title,
        customer: non_empty(filing.customer),
        severity: filing.severity,
        url,
        details: String::new(),
        reporter: settings.me.clone(),
        assignee,
        client_key: Some(client_key(now)),
    };
    let e = backend.create(&new, now).await.map_err(backend_failure)?;
    if json {
        print_json(&EscalationJson::from(&e));
    } else {
        let to = match (&e.assignee, &reason) {
            (Some(a), Some(r)) => format!("to {a} ({r})"),
            (Some(a), None) => format!("to {a}"),
            (None, _) => "to the whole rotation".into(),
        };
        println!("Filed escalation {} {to}: {} [{}]", e.id, e.title, e.severity);
        if let Some(u) = &e.url {
            println!("  {u}");
        }
    }
    Ok(0)
}

fn age(created: DateTime<Utc>, now: DateTime<Utc>) -> String {
    rota_core::words::relative(now, created)
}

fn print_table(list: &[Escalation], now: DateTime<Utc>) {
    let rows: Vec<[String; 6]> = list
        .iter()
        .map(|e| {
            [
                e.id.clone(),
                e.severity.to_string(),
                e.state.to_string(),
                e.assignee.clone().unwrap_or_else(|| "(rotation)".into()),
                age(e.created_at, now),
                match &e.customer {
                    Some(c) => format!("{}: {}", c, e.title),
                    None => e.title.clone(),
                },
            ]
        })
        .collect();
    let header = ["ID", "SEV", "STATE", "ASSIGNEE", "FILED", "ESCALATION"].map(String::from);
    let widths: Vec<usize> =
        (0..6).map(|c| rows.iter().chain([&header]).map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    for r in std::iter::once(&header).chain(rows.iter()) {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < r.len() {
                line.push_str(&" ".repeat(widths[c] - cell.chars().count() + 2));
            }
        }
        println!("{}", line.trim_end());
    }
}

/// `rota escalations [--mine]`.
pub async fn list(global: &Global, mine: bool, json: bool) -> Result<i32, Failure> {
    let now = now()?;
    let settings = settings(global)?;
    let me = match (mine, settings.me.as_deref()) {
        (false, _) => None,
        (true, Some(me)) => Some(me.to_owned()),
        (true, None) => {
            let file = settings.config_file.clone().or_else(settings::default_config_file).map(|p| p.display().to_string()).unwrap_or_else(|| "the config file".into());
            return Err(Failure::input(format!("rota: --mine needs your handle: set me = \"your-handle\" in {file}")));
        }
    };
    let backend = backend(&settings)?;
    let list = backend.list_open(me.as_deref()).await.map_err(backend_failure)?;
    if json {
        print_json(&list.iter().map(EscalationJson::from).collect::<Vec<_>>());
    } else if list.is_empty() {
        println!("{}", if mine { "No open escalations assigned to you." } else { "No open escalations." });
    } else {
        print_table(&list, now);
    }
    Ok(0)
}

/// `rota ack ID`.
pub async fn ack(global: &Global, id: &str) -> Result<i32, Failure> {
    let now = now()?;
    let settings = settings(global)?;
    let backend = backend(&settings)?;
    let e = backend.acknowledge(id, now).await.map_err(backend_failure)?;
    println!("Acknowledged escalation {}: {}", e.id, e.title);
    Ok(0)
}

/// `rota secret set NAME` (the value from stdin) and `rota secret delete NAME`.
pub fn secret(action: SecretAction) -> Result<i32, Failure> {
    let keyring = OsKeyring;
    let fail = |e: crate::secrets::SecretError| Failure::input(format!("rota: {e}"));
    match action {
        SecretAction::Set { name } => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!("Paste the {name} value, then press Enter and Ctrl-D:");
            }
            let mut text = String::new();
            stdin
                .lock()
                .read_to_string(&mut text)
                .map_err(|e| Failure::input(format!("rota: cannot read the {name} value from stdin: {e}")))?;
            let value = SecretValue::from_input(&text).map_err(|_| {
                Failure::input(format!("rota: no {name} value on stdin: pipe it in, as in `rota secret set {name} < file`"))
            })?;
            drop(text);
            keyring.set(name, &value).map_err(fail)?;
            println!("Stored {name} in the OS keyring.");
        }
        SecretAction::Delete { name } => {
            if keyring.delete(name).map_err(fail)? {
                println!("Removed {name} from the OS keyring.");
            } else {
                println!("No {name} was stored.");
            }
        }
    }
    Ok(0)
}
