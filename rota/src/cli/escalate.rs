//! The escalation subcommands: `rota escalate`, `rota escalations` and `rota secret set|delete`
//! (the lifecycle commands are in `life.rs`). Each opens the configured backend, makes one call and prints text
//! or JSON (built in `models.rs`). Backend and keyring failures exit 1, usage errors 2.
//!
//! `rota escalate` files through the outbox ([`crate::escalations::outbox`]): an escalation the
//! backend cannot take now is queued (printed with state `queued`, exit 0, a note on stderr).
//! `rota escalate` and `rota escalations` send what waits in the outbox (`escalations` lists it
//! too, in state `queued`).

use super::args::SecretAction;
use super::render::Term;
use super::{load, print_json};
use crate::clock;
use crate::escalations::configured::{self, OpenError};
use crate::escalations::outbox::{Outbox, Step};
use crate::escalations::{AnyBackend, Backend, BackendError};
use crate::models::EscalationJson;
use crate::secrets::{OsKeyring, SecretName, SecretStore, SecretValue};
use crate::settings::{self, Failure, Settings};
use crate::slack::{Announcer, SlackError};
use chrono::{DateTime, Utc};
use rota_core::escalation::{Escalation, EscalationState};
use rota_io::filing::{self, Ask, FilingError, Picked, Rotation, SlackTrouble};
use rota_io::protocol::Overrides;
use std::io::{IsTerminal, Read};

fn backend_failure(e: BackendError) -> Failure {
    Failure::input(e.to_string())
}

fn open_failure(e: OpenError) -> Failure {
    Failure::input(e.to_string())
}

/// Settings whose config file parsed; its errors fail the command as `load` does for `now`.
pub(super) fn settings(global: &Overrides) -> Result<Settings, Failure> {
    let s = settings::resolve(global, None)?;
    let errors: Vec<rota_core::Problem> = s.findings.iter().filter(|f| f.is_error()).cloned().map(Into::into).collect();
    if !errors.is_empty() {
        return Err(Failure::Input(errors));
    }
    Ok(s)
}

pub(super) fn backend(settings: &Settings) -> Result<AnyBackend, Failure> {
    configured::open(settings, &OsKeyring).map_err(open_failure)
}

pub(super) fn now() -> Result<DateTime<Utc>, Failure> {
    clock::now().map_err(Failure::Usage)
}

/// A test hook: with `ROTA_TEST_PAUSE_AFTER=saved` (or `sent`), `rota escalate` and `rota
/// escalations` print `ROTA_TEST_PAUSED saved` (or `sent`) on stdout when the outbox reaches that
/// step, then wait until stdin closes, so a test can kill the process at exactly that point
/// (`saved`: in the outbox, nothing sent; `sent`: the backend accepted it, the outbox does not
/// know yet). See tests/outbox_cli.rs.
pub const PAUSE_VAR: &str = "ROTA_TEST_PAUSE_AFTER";

fn pause_step() -> Result<Option<Step>, Failure> {
    match std::env::var(PAUSE_VAR) {
        Err(_) => Ok(None),
        Ok(v) if v == "saved" => Ok(Some(Step::Saved)),
        Ok(v) if v == "sent" => Ok(Some(Step::Sent)),
        Ok(v) => Err(Failure::Usage(format!("{PAUSE_VAR}={v:?}: use saved or sent"))),
    }
}

pub(super) fn outbox(settings: &Settings) -> Result<Outbox, Failure> {
    let outbox = configured::open_outbox(settings).map_err(open_failure)?;
    Ok(match pause_step()? {
        None => outbox,
        Some(at) => outbox.with_checkpoint(move |step| {
            if step == at {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "ROTA_TEST_PAUSED {}", step.as_str());
                let _ = out.flush();
                drop(out);
                let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            }
        }),
    })
}

/// The Slack announcer, if a webhook is stored. A keyring that cannot be read is worth a
/// warning only when the config asks for announcements (`slack_group`).
fn announcer(settings: &Settings) -> Option<Announcer> {
    match configured::announcer(settings, &OsKeyring) {
        Ok(a) => a,
        Err(SlackError::Keyring(_)) if settings.config.escalations.slack_group.is_none() => None,
        Err(e) => {
            super::warning(&format!("no Slack announcement: {e}"));
            None
        }
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Sends what waits in the outbox, saying on stderr what happened (stdout stays the command's).
pub(super) async fn drain(outbox: &Outbox, backend: &AnyBackend, settings: &Settings, now: DateTime<Utc>) {
    if outbox.queued_count().unwrap_or(0) == 0 {
        refused_note(outbox, settings);
        return;
    }
    let announcer = announcer(settings);
    let report = outbox.drain_now(backend, announcer.as_ref(), now).await;
    for e in &report.sent {
        super::note(&format!("sent escalation {} from the outbox: {}", e.id, e.title));
    }
    for (e, why) in &report.refused {
        super::note(&format!("the outbox's escalation {:?} was not filed: {why}", e.title));
    }
    for why in &report.announce_failures {
        super::warning(&format!("the Slack announcement failed: {why}; the escalation is filed"));
    }
    if report.still_queued > 0 {
        let why = report.failed.as_ref().map(|e| format!(": {e}")).unwrap_or_default();
        super::note(&format!("{} waiting in the outbox{why}", plural(report.still_queued, "escalation is", "escalations are")));
    }
    refused_note(outbox, settings);
}

/// A refused escalation stays in sight: every command that sends says it is there.
pub(super) fn refused_note(outbox: &Outbox, settings: &Settings) {
    let refused = outbox.refused_count().unwrap_or(0);
    if let Some(line) = rota_core::outbox::refused_line(refused, settings.config.escalations.backend) {
        super::note(&format!("{line}: `rota outbox` lists them"));
    }
}

/// `rota escalate`: saved in the outbox, then sent; queued (exit 0, a note on stderr) when the
/// backend cannot take it now.
pub async fn escalate(global: &Overrides, ask: Ask, json: bool) -> Result<i32, Failure> {
    let asked = ask.checked().map_err(filing_failure)?;
    pause_step()?;
    let (now, settings) = (now()?, settings(global)?);
    let outbox = outbox(&settings)?;
    // The backend reads the keyring off the async threads; a failure there loses nothing (the
    // escalation is saved first and waits in the outbox).
    let backend = filing::open_backend(&settings).await;
    let rotation = Rotation::at(&load(&settings, now).await?, &settings, now);
    let picked = filing::pick(&rotation, asked.to.as_ref(), &outbox, &backend, now).await.map_err(filing_failure)?;
    said_picked(&picked);
    let reason = picked.reason.clone();
    let new = asked.escalation(settings.me.clone(), picked);
    let filed = filing::file(&settings, &outbox, &backend, new, now).await.map_err(filing_failure)?;
    said_filed(&filed, reason.as_deref(), json);
    if let (None, Ok(backend)) = (&filed.queued, &backend) {
        drain(&outbox, backend, &settings, now).await;
    }
    Ok(0)
}

/// A filing's failure in the command line's words: a field by its option (exit 2).
fn filing_failure(e: FilingError) -> Failure {
    match e {
        FilingError::Invalid(problems) => match problems.first() {
            Some(p) if p.field == filing::TO => Failure::Usage(format!("--to: {}; or use --to auto", p.message)),
            Some(p) => Failure::Usage(format!("--{}: {}", p.field, p.message)),
            None => Failure::Usage("the escalation is not complete".into()),
        },
        FilingError::NotSaved { message, .. } => Failure::input(format!("the escalation was not saved: {message}")),
        other => Failure::input(other.to_string()),
    }
}

/// For `auto`: why the pick rests on working hours, or that nobody is on.
fn said_picked(picked: &Picked) {
    if let Some(w) = &picked.uncounted {
        super::warning(&format!("{w}; suggesting by working hours"));
    }
    if let Some(w) = &picked.away {
        super::warning(w);
    }
    if picked.nobody_on {
        super::note("nobody is on rotation now, so the escalation goes to the whole rotation, unassigned");
    }
}

/// What was filed (or queued), and to whom: JSON for scripts, else a line and the link.
fn said_filed(filed: &filing::Filing, reason: Option<&str>, json: bool) {
    let e = &filed.escalation;
    if let Some(why) = &filed.queued {
        super::note(&format!(
            "{why}; the escalation is saved in the outbox (state queued) and will be sent once the backend answers, by the tray app or the next `rota escalate` or `rota escalations`"
        ));
    }
    match &filed.slack {
        Some(SlackTrouble::NoAnnouncer(why)) => super::warning(&format!("no Slack announcement: {why}")),
        Some(SlackTrouble::Failed(why)) => super::warning(&format!("the Slack announcement failed: {why}; the escalation is filed")),
        None => {}
    }
    if json {
        return print_json(&EscalationJson::from(e));
    }
    let to = match (&e.assignee, reason) {
        (Some(a), Some(r)) => format!("to {a} ({r})"),
        (Some(a), None) => format!("to {a}"),
        (None, _) => "to the whole rotation".into(),
    };
    if filed.queued.is_some() {
        super::say(&format!("Queued escalation {to}: {} [{}] (waiting in the outbox)", e.title, e.severity));
    } else {
        super::say(&format!("Filed escalation {} {to}: {} [{}]", e.id, e.title, e.severity));
        if let Some(u) = &e.url {
            super::say(&format!("  {u}"));
        }
    }
}

/// `rota escalations [--mine] [--all]`: `--all` lists closed ones too; the JSON carries each
/// one's history.
pub async fn list(global: &Overrides, mine: bool, all: bool, json: bool, term: &Term) -> Result<i32, Failure> {
    let now = now()?;
    let settings = settings(global)?;
    let me = match (mine, settings.me.as_deref()) {
        (false, _) => None,
        (true, Some(me)) => Some(me.to_owned()),
        (true, None) => {
            let file = settings
                .config_file
                .clone()
                .or_else(settings::default_config_file)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "the config file".into());
            return Err(Failure::input(format!("--mine needs your handle: set me = \"your-handle\" in {file}")));
        }
    };
    let backend = backend(&settings)?;
    let outbox = outbox(&settings)?;
    drain(&outbox, &backend, &settings, now).await;
    let mut list: Vec<Escalation> = outbox
        .queued()
        .map_err(backend_failure)?
        .into_iter()
        .filter(|e| me.as_deref().is_none_or(|me| e.assignee.as_deref().is_some_and(|a| rota_core::escalation::same_handle(a, me))))
        .collect();
    if all {
        let every = backend.list_every().await.map_err(backend_failure)?;
        let mine_only = |e: &Escalation| {
            me.as_deref().is_none_or(|me| e.assignee.as_deref().is_some_and(|a| rota_core::escalation::same_handle(a, me)))
        };
        list.extend(every.into_iter().filter(mine_only));
    } else {
        list.extend(backend.list_open(me.as_deref()).await.map_err(backend_failure)?);
    }
    list.sort_by(rota_core::escalation::by_urgency);
    if json {
        // What waits, counted in the schedule and roster; without them (they do not read) the
        // list still prints, those two fields null.
        let inputs = match super::load(&settings, now).await {
            Ok(i) => Some(i),
            Err(_) => {
                super::warning("the schedule or roster could not be read: waiting_minutes and offered_to are left out");
                None
            }
        };
        let prefs = rota_core::remind::Prefs::of(&settings.config);
        let timing = settings.config.schedule.timing;
        let team = inputs.as_ref().map(|i| rota_core::remind::Team { schedule: &i.schedule, timing: &timing, roster: &i.roster });
        let mut out = Vec::with_capacity(list.len());
        for e in &list {
            let history = match e.state {
                EscalationState::Queued => Ok(Vec::new()),
                _ => backend.history_of(e).await,
            };
            // A history that cannot be read leaves it out of that one; the list still prints.
            let json = match history {
                Ok(h) => EscalationJson::from(e).with_history(h),
                Err(why) => {
                    super::warning(&format!("the history of escalation {} could not be read: {why}", e.id));
                    EscalationJson::from(e)
                }
            };
            out.push(match &team {
                Some(t) => {
                    json.with_waiting(rota_core::remind::waiting_minutes(t, e, now), rota_core::remind::offered_to(t, e, now, &prefs))
                }
                None => json,
            });
        }
        print_json(&out);
    } else if list.is_empty() {
        println!(
            "{}",
            match (mine, all) {
                (true, false) => "No open escalations assigned to you.",
                (false, false) => "No open escalations.",
                (true, true) => "No escalations assigned to you.",
                (false, true) => "No escalations.",
            }
        );
    } else {
        super::show(&super::render::escalations(&list, now, term), term.color);
    }
    Ok(0)
}

/// `rota secret set NAME` (the value from stdin) and `rota secret delete NAME`. The GitHub token is
/// kept for the configured API host (`escalations.github.api`).
pub fn secret(global: &Overrides, action: SecretAction) -> Result<i32, Failure> {
    let keyring = OsKeyring;
    let fail = |e: crate::secrets::SecretError| Failure::input(e.to_string());
    // The tokens are kept per API host, the host the config names for each.
    let host = |name: SecretName| -> Result<Option<String>, Failure> {
        let settings = || settings(global);
        match name {
            SecretName::GithubToken => crate::escalations::configured::api_host(&settings()?.config.escalations.github.api)
                .map(Some)
                .map_err(|e| Failure::input(e.to_string())),
            SecretName::SlackToken => rota_core::config::web_url(&settings()?.config.slack.api)
                .map(|u| Some(u.authority()))
                .map_err(|e| Failure::input(format!("slack.api: {e}"))),
            SecretName::SlackWebhook => Ok(None),
        }
    };
    match action {
        SecretAction::Set { name } => {
            let stdin = std::io::stdin();
            let read = if stdin.is_terminal() {
                // Typed or pasted at a terminal: one line, not shown.
                read_hidden_line(&format!("Paste the {name} value (it is not shown), then press Enter: "))
            } else {
                let mut text = String::new();
                stdin.lock().read_to_string(&mut text).map(|_| text)
            };
            let text = read.map_err(|e| Failure::input(format!("cannot read the {name} value from stdin: {e}")))?;
            let value = SecretValue::from_input(&text)
                .map_err(|_| Failure::input(format!("no {name} value on stdin: pipe it in, as in `rota secret set {name} < file`")))?;
            drop(text);
            let stored = match host(name)? {
                Some(h) if name == SecretName::GithubToken => keyring.set_github_token(&h, &value),
                Some(h) => keyring.set_at(name, &h, &value),
                None => keyring.set(name, &value),
            };
            stored.map_err(fail)?;
            println!("Stored {name} in the OS keyring.");
        }
        SecretAction::Delete { name } => {
            let removed = match host(name)? {
                Some(h) if name == SecretName::GithubToken => keyring.delete_github_token(&h),
                Some(h) => keyring.delete_at(name, &h),
                None => keyring.delete(name),
            };
            if removed.map_err(fail)? {
                println!("Removed {name} from the OS keyring.");
            } else {
                println!("No {name} was stored.");
            }
        }
    }
    Ok(0)
}

/// Reads one line from the terminal on stdin with its echo off (restored after, also when the
/// read fails), so a pasted token is never on the screen.
#[cfg(target_os = "linux")]
fn read_hidden_line(prompt: &str) -> std::io::Result<String> {
    use std::os::fd::AsRawFd;
    let fd = std::io::stdin().as_raw_fd();
    // SAFETY: termios is plain data; tcgetattr fills it for a terminal fd (checked by is_terminal).
    let mut term: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(fd, &mut term) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let saved = term;
    term.c_lflag &= !libc::ECHO;
    term.c_lflag |= libc::ECHONL; // the Enter still moves to the next line
                                  // Ctrl-C, a closed terminal or a kill while the echo is off end the process: the echo is put
                                  // back first, then the signal does what it would have done.
    echo_guard::arm(fd, saved);
    if unsafe { libc::tcsetattr(fd, libc::TCSANOW, &term) } != 0 {
        echo_guard::disarm();
        return Err(std::io::Error::last_os_error());
    }
    // Asked only once the echo is off, so nothing typed after the prompt is shown.
    eprint!("{prompt}");
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    // SAFETY: restores the settings read above on the same fd.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
    echo_guard::disarm();
    read.map(|_| line)
}

/// The terminal's settings put back if a signal ends the process while a secret is read.
#[cfg(target_os = "linux")]
mod echo_guard {
    use std::cell::UnsafeCell;
    use std::sync::atomic::{AtomicI32, Ordering};

    const SIGNALS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];
    /// The terminal's fd while armed, else -1.
    static FD: AtomicI32 = AtomicI32::new(-1);
    struct Saved(UnsafeCell<std::mem::MaybeUninit<libc::termios>>);
    // SAFETY: written only before FD is set (no handler reads it then), read only by the handler.
    unsafe impl Sync for Saved {}
    static SAVED: Saved = Saved(UnsafeCell::new(std::mem::MaybeUninit::uninit()));

    extern "C" fn restore(signal: libc::c_int) {
        let fd = FD.swap(-1, Ordering::SeqCst);
        // SAFETY: tcsetattr, signal and raise are async-signal-safe; SAVED was written before FD.
        unsafe {
            if fd >= 0 {
                libc::tcsetattr(fd, libc::TCSANOW, (*SAVED.0.get()).as_ptr());
            }
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }

    pub fn arm(fd: libc::c_int, saved: libc::termios) {
        // SAFETY: no handler runs yet (FD is -1), so nothing reads SAVED while it is written.
        unsafe {
            (*SAVED.0.get()).write(saved);
        }
        FD.store(fd, Ordering::SeqCst);
        for s in SIGNALS {
            // SAFETY: installs a handler that only makes async-signal-safe calls.
            unsafe { libc::signal(s, restore as *const () as libc::sighandler_t) };
        }
    }

    pub fn disarm() {
        FD.store(-1, Ordering::SeqCst);
        for s in SIGNALS {
            // SAFETY: puts the default disposition back.
            unsafe { libc::signal(s, libc::SIG_DFL) };
        }
    }
}

/// Elsewhere the value is read as typed (the terminal shows it).
#[cfg(not(target_os = "linux"))]
fn read_hidden_line(prompt: &str) -> std::io::Result<String> {
    eprint!("{prompt}");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map(|_| line)
}
