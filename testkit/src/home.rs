//! A throwaway home with its own config, data, cache and runtime folders, and the real `rota`
//! binary run in it at a pinned instant (`ROTA_NOW`), in UTC and 80 columns, with no test hook set.
//! The binary is the one Cargo built beside the test binary (`rota`'s own tests; a test of
//! another crate uses the home's folders only).

use serde_json::Value;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};

pub struct Home {
    dir: tempfile::TempDir,
    /// The instant [`Home::rota`] runs at, when the home was made [`Home::pinned`].
    now: Option<String>,
}

impl Default for Home {
    fn default() -> Self {
        Home::new()
    }
}

impl Home {
    /// An empty home.
    pub fn new() -> Self {
        let home = Home { dir: tempfile::tempdir().expect("temp dir"), now: None };
        std::fs::create_dir_all(home.path().join("run")).unwrap();
        home
    }

    /// An empty home where [`Home::rota`] runs at `now`.
    pub fn pinned(now: &str) -> Self {
        Home { now: Some(now.into()), ..Home::new() }
    }

    /// This home, with `text` as its `config/rota/config.toml`.
    pub fn with_config(self, text: &str) -> Self {
        self.write("config/rota/config.toml", text);
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Rota's data folder in this home (`data/rota`: the database, the outbox's lock).
    pub fn data(&self) -> PathBuf {
        self.path().join("data/rota")
    }

    /// `rota ARGS` at the home's pinned instant ([`Home::pinned`]), with nothing on stdin and no
    /// session bus.
    pub fn rota(&self, args: &[&str]) -> Output {
        self.at(self.now.as_deref().expect("a pinned home (Home::pinned)"), args)
    }

    /// Writes `text` to `name` under the home, folders made as needed; the file's path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Writes the team's files under `config/rota`: `config.toml`, and `schedule.toml` and
    /// `people.toml` when given.
    pub fn team(&self, config: &str, schedule: Option<&str>, people: Option<&str>) -> &Self {
        self.write("config/rota/config.toml", config);
        for (name, text) in [("schedule.toml", schedule), ("people.toml", people)] {
            if let Some(text) = text {
                self.write(&format!("config/rota/{name}"), text);
            }
        }
        self
    }

    /// `rota ARGS` at the home's pinned instant in the session the test runs in (its keyring), with
    /// `stdin` written to it.
    pub fn in_session(&self, args: &[&str], stdin: &str) -> Output {
        run(self.with_session(self.now.as_deref().expect("a pinned home (Home::pinned)"), args), stdin)
    }

    /// `rota ARGS` in this home at `now`, with no session bus and no display (the keyring, the
    /// tray and notifications are out of reach): add them back with [`Self::with_session`].
    pub fn command(&self, now: &str, args: &[&str]) -> Command {
        let mut c = self.with_session(now, args);
        c.env_remove("DBUS_SESSION_BUS_ADDRESS").env_remove("DISPLAY");
        c
    }

    /// `rota ARGS` in this home at `now`, in the session the test runs in (its keyring).
    pub fn with_session(&self, now: &str, args: &[&str]) -> Command {
        let mut c = self.program(rota());
        c.args(args).env("ROTA_NOW", now);
        c
    }

    /// `program` in this home as the tests run `rota`, in the test's session but on the real
    /// clock (no `ROTA_NOW`): for a test of the clock itself, or for a driver that starts `rota`
    /// under a terminal of its own.
    pub fn program(&self, program: impl AsRef<OsStr>) -> Command {
        let mut c = Command::new(program);
        c.current_dir(self.path())
            .env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("XDG_CACHE_HOME", self.path().join("cache"))
            .env("XDG_RUNTIME_DIR", self.path().join("run"))
            .env("TZ", "UTC")
            .env("COLUMNS", "80")
            .env_remove("ROTA_NOW")
            .env_remove(PAUSE);
        c
    }

    /// Runs `rota ARGS` at `now` with nothing on stdin.
    pub fn at(&self, now: &str, args: &[&str]) -> Output {
        output(self.command(now, args))
    }

    /// Runs `rota ARGS` at `now` and expects success; its stdout.
    pub fn ok(&self, now: &str, args: &[&str]) -> String {
        succeeded(args, self.at(now, args))
    }

    /// [`Self::ok`], stdout read as JSON.
    pub fn json(&self, now: &str, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(now, args)).expect("stdout is JSON")
    }
}

/// The `rota` binary Cargo built beside the running test binary (`target/debug/rota` for
/// `target/debug/deps/it-…`).
pub fn rota() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary is in target/PROFILE/deps")
        .join(format!("rota{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} is not built: only `rota`'s own tests run it", bin.display());
    bin
}

/// The OS keyring is one for every home (its entries are named by service, not by folder): a test
/// that stores secrets in it takes its turn, so that two never change the same secret at once.
pub fn keyring_turn() -> std::sync::MutexGuard<'static, ()> {
    static KEYRING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    KEYRING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `command` with nothing on stdin.
pub fn output(mut command: Command) -> Output {
    command.stdin(Stdio::null()).output().expect("rota runs")
}

/// Runs `command` with `stdin` written to it.
pub fn run(mut command: Command, stdin: &str) -> Output {
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("rota runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// The test hook that stops `rota` in the outbox: with `ROTA_TEST_PAUSE_AFTER=saved` (or `sent`)
/// it prints `ROTA_TEST_PAUSED <step>` and waits on stdin. Never set unless a test sets it.
const PAUSE: &str = "ROTA_TEST_PAUSE_AFTER";

/// Runs `command` (a `rota` that files or sends) until it says it reached `step` of the outbox,
/// then kills it with SIGKILL, as a crash or a power cut would: no destructor, no flush. How it
/// ended.
pub fn kill_after(mut command: Command, step: &str) -> ExitStatus {
    let mut child = command.env(PAUSE, step).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let marker = format!("ROTA_TEST_PAUSED {step}");
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            let args: Vec<_> = command.get_args().collect();
            panic!("rota {args:?} ended before {step}: {:?}\n{err}", child.wait().unwrap());
        }
        if line.trim_end() == marker {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap()
}

/// The stdout of a run that must have succeeded.
pub fn succeeded(args: &[&str], out: Output) -> String {
    assert!(out.status.success(), "rota {args:?}: exit {:?}\nstderr: {}", out.status.code(), stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The stdout of a run that must have succeeded, read as JSON.
pub fn json_of(out: &Output) -> Value {
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), text(out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", text(out)))
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// All a run said, stdout then stderr: for words that may be on either (`rota check` lists its
/// findings on stdout, other commands say what failed on stderr).
pub fn text(out: &Output) -> String {
    stdout(out) + &stderr(out)
}

/// Every file under `dir` that contains `needle`.
pub fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path) {
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(path.display().to_string());
            }
        }
    }
    found
}
