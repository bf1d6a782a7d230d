//! The live state both app processes show: the settings and inputs, the last good ones kept when
//! a file stops parsing, and the problems to show beside them; and [`follow`], the loop that keeps
//! it true: the driver of the core's [`Follow`], which decides when to read again and when to
//! show the state again.

use crate::clock::{self, Clock};
use crate::inputs::{self, Inputs};
use crate::protocol::Overrides;
use crate::settings::{self, Settings};
use crate::sources::{Reader, Source};
use chrono::{DateTime, Utc};
use notify::Watcher;
use rota_core::duty::Glance;
use rota_core::follow::Follow;
use rota_core::tray::Fallback;
use rota_core::{glance, Problem};
use std::future::Future;
use std::path::PathBuf;
use std::time::SystemTime;
use tokio::sync::{mpsc, Mutex};

pub struct Live {
    pub overrides: Overrides,
    /// The person's clock (`ROTA_NOW` read once, at start).
    pub clock: Clock,
    pub settings: Settings,
    /// The last inputs that parsed without errors (or, before any did, the latest read).
    pub inputs: Inputs,
    /// What is wrong with the config, schedule or roster right now.
    pub problems: Vec<Problem>,
    /// The config file's first error while the file is refused, with what runs instead.
    pub refused: Option<Refused>,
    /// When the files were last read (taken before reading): a file changed after it was changed
    /// after the read, even if no watch was there yet to see it.
    read_at: SystemTime,
    /// Moves each time the settings or the inputs shown change (not on a read that found them as
    /// they were): what is worked out from them alone, the checks, is kept until it moves.
    pub revision: u64,
}

/// The config file refused: its first error, and what Rota runs on instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub error: String,
    /// The config file's name, for people ("config.toml").
    pub file: String,
    pub fallback: Fallback,
}

impl Refused {
    /// The config's first error, when it has one.
    fn of(settings: &Settings, fallback: Fallback) -> Option<Refused> {
        let error = settings.findings.iter().find(|f| f.is_error())?;
        let file = rota_core::words::file_name(&error.file).to_owned();
        Some(Refused { error: error.to_string(), file, fallback })
    }

    /// The menu line saying what runs meanwhile.
    pub fn line(&self) -> Problem {
        Problem::error(rota_core::tray::fallback_line(self.fallback))
    }
}

impl Live {
    /// The first read, at start-up, on `clock` (the process's, from [`Clock::from_env`]).
    /// Settings that cannot be resolved fall back to the defaults, with the problem shown.
    pub async fn start(overrides: Overrides, clock: Clock, reader: &Reader) -> Live {
        let read_at = clock::system_time();
        let (settings, mut problems) = match settings::resolve(&overrides, None) {
            Ok(s) => (s, vec![]),
            Err(f) => (defaults(), f.problems()),
        };
        let today = clock.now().date_naive();
        let inputs = match inputs::read(&settings, reader, today).await {
            Ok(i) => i,
            Err(f) => {
                problems.extend(f.problems());
                Inputs { schedule: Default::default(), roster: Default::default(), findings: vec![], warnings: vec![] }
            }
        };
        problems.extend(inputs.errors());
        // A config the check refuses is said, with what runs instead: its values that parsed, the
        // defaults for the rest.
        let refused = Refused::of(&settings, Fallback::Defaults);
        problems.extend(refused.as_ref().map(Refused::line));
        Live { overrides, clock, settings, inputs, problems, refused, read_at, revision: 0 }
    }

    /// Reads the config and the sources again. What fails to read or parse is a problem; the
    /// last good state stays on screen. Where others wait on this state, use [`reload`], which
    /// does not hold the lock while it reads.
    pub async fn reload(&mut self, reader: &Reader) {
        let read_at = clock::system_time();
        let fresh = Fresh::read(&self.overrides, self.clock, reader).await;
        self.apply(fresh, read_at);
    }

    fn apply(&mut self, fresh: Fresh, read_at: SystemTime) {
        self.read_at = read_at;
        match fresh {
            Fresh::Good(settings, inputs) => {
                if self.settings.config != settings.config
                    || self.settings.viewer != settings.viewer
                    || self.settings.me != settings.me
                    || self.inputs.schedule != inputs.schedule
                    || self.inputs.roster != inputs.roster
                {
                    self.revision += 1;
                }
                self.problems = vec![];
                self.refused = None;
                self.settings = *settings;
                self.inputs = *inputs;
            }
            Fresh::Problems(p, refused) => {
                // Still refused since the start: still on the defaults; else on the last good.
                let fallback = match &self.refused {
                    Some(r) if r.fallback == Fallback::Defaults => Fallback::Defaults,
                    _ => Fallback::LastGood,
                };
                self.refused = refused.and_then(|s| Refused::of(&s, fallback));
                self.problems = p;
                self.problems.extend(self.refused.as_ref().map(Refused::line));
            }
        }
    }

    pub fn glance(&self, at: DateTime<Utc>) -> Glance<'_> {
        glance(
            &self.inputs.schedule,
            &self.inputs.roster,
            &self.settings.config.schedule.timing,
            self.settings.viewer,
            self.settings.me.as_deref(),
            at,
        )
    }

    /// The local files the state comes from, to watch for changes.
    pub fn watched_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        files.extend(self.settings.config_file.clone().or_else(settings::default_config_file));
        for s in [Some(&self.settings.schedule), self.settings.roster.as_ref(), self.settings.away.as_ref()].into_iter().flatten() {
            if let Source::File(p) = s {
                files.push(p.clone());
            }
        }
        files
    }

    /// Whether a watched file was modified after the state was read.
    fn changed_since_read(&self) -> bool {
        self.watched_files().iter().any(|f| std::fs::metadata(f).and_then(|m| m.modified()).is_ok_and(|t| t > self.read_at))
    }

    /// Whether a source is fetched over the network (and so re-fetched on an interval).
    pub fn has_url_source(&self) -> bool {
        [Some(&self.settings.schedule), self.settings.roster.as_ref(), self.settings.away.as_ref()]
            .into_iter()
            .flatten()
            .any(|s| matches!(s, Source::Url(_)))
    }
}

/// The config and the sources as just read, before they are shown.
enum Fresh {
    Good(Box<Settings>, Box<Inputs>),
    /// The problems; the settings as read when the config file itself has errors.
    Problems(Vec<Problem>, Option<Box<Settings>>),
}

impl Fresh {
    async fn read(overrides: &Overrides, clock: Clock, reader: &Reader) -> Fresh {
        let settings = match settings::resolve(overrides, None) {
            Ok(s) => s,
            Err(f) => return Fresh::Problems(f.problems(), None),
        };
        let today = clock.now().date_naive();
        let config_refused = settings.findings.iter().any(|f| f.is_error());
        let read = inputs::read(&settings, reader, today).await;
        let refused = config_refused.then(|| Box::new(settings.clone()));
        match read {
            Ok(inputs) if inputs.errors().is_empty() && !config_refused => Fresh::Good(Box::new(settings), Box::new(inputs)),
            Ok(inputs) => Fresh::Problems(inputs.errors(), refused),
            Err(f) => Fresh::Problems(f.problems(), refused),
        }
    }
}

/// Reads the config and the sources again, then shows them: the fetching and parsing happen
/// without the lock, so the menu and the windows, which wait on it, never wait on the network.
/// Returns the new settings when the config changed.
pub async fn reload(live: &Mutex<Live>, reader: &Reader) -> Option<Settings> {
    let (overrides, clock) = {
        let live = live.lock().await;
        (live.overrides.clone(), live.clock)
    };
    let read_at = clock::system_time();
    let fresh = Fresh::read(&overrides, clock, reader).await;
    let mut live = live.lock().await;
    let before = live.settings.config.clone();
    live.apply(fresh, read_at);
    (live.settings.config != before).then(|| live.settings.clone())
}

/// The built-in defaults, when the config cannot be used at all.
fn defaults() -> Settings {
    Settings {
        config_file: None,
        config: Default::default(),
        schedule: Source::Demo,
        roster: Some(Source::Demo),
        away: None,
        viewer: chrono_tz::UTC,
        me: None,
        data_dir: settings::data_dir(),
        findings: vec![],
    }
}

/// What [`follow`] keeps true: the tray menu, or the open windows.
pub trait Surface: Send + Sync {
    /// The config says something new: act on it (the tray restarts its poller and shortcut).
    fn settings_changed(&self, _settings: &Settings) {}
    /// Show the current state.
    fn refresh(&self) -> impl Future<Output = ()> + Send;
    /// Resolves when someone asks for the config and sources to be read again now (Settings
    /// saved a config); never, by default.
    fn reload_asked(&self) -> impl Future<Output = ()> + Send {
        std::future::pending()
    }
}

/// Keeps `live` and the surface true, as the core's [`Follow`] decides: on each minute boundary,
/// when a watched file changes, when URL sources are due, when asked, and after the machine wakes.
/// This only sleeps, reads, watches and shows. Runs for the life of the process.
pub async fn follow(live: &Mutex<Live>, reader: &Reader, surface: &impl Surface) {
    let (tx, mut rx) = mpsc::channel(1);
    let mut watch = FileWatch::new(tx);
    let (clock, files, url_sources) = {
        let live = live.lock().await;
        (live.clock, live.watched_files(), live.has_url_source())
    };
    watch.watch(files);
    let mut follow = Follow::new(clock.reading(), url_sources);
    follow.watching(watch.is_watching());
    // A file changed between the first read and the watch: read again at once.
    if live.lock().await.changed_since_read() {
        follow.missed(clock.reading());
    }
    loop {
        let wake = follow.wake(&clock.reading());
        tokio::select! {
            // Real time: after a night's sleep the menu is brought up to date as the machine wakes.
            _ = clock::sleep(wake.wait()) => {}
            () = surface.reload_asked() => {
                follow.asked(clock.reading());
                continue;
            }
            Some(()) = rx.recv() => {
                follow.file_changed(clock.reading());
                continue;
            }
        }
        let now = clock.reading();
        let step = follow.step(now);
        // Without a watch, the files' modification times tell a change.
        let read = step.read || (step.look && live.lock().await.changed_since_read());
        let mut changed = None;
        if read {
            changed = self::reload(live, reader).await;
            let live = live.lock().await;
            follow.read(now, live.has_url_source());
            // A folder that appeared (the first setup's ~/.config/rota) is watched from now on; a
            // file written in it before the watch began is read at once.
            if watch.watch(live.watched_files()) && live.changed_since_read() {
                follow.missed(clock.reading());
            }
            follow.watching(watch.is_watching());
        }
        if let Some(settings) = changed {
            surface.settings_changed(&settings);
        }
        surface.refresh().await;
    }
}

/// Watches the folders of the local files the state comes from; an editor's save (often a
/// rename over the file) shows up as a change in its folder. A folder that does not exist yet (a
/// first run has no `~/.config/rota`) is watched through its nearest existing ancestor: creating
/// a folder on the way is a change, after which the watch moves down.
struct FileWatch {
    watcher: Option<notify::RecommendedWatcher>,
    dirs: Vec<PathBuf>,
    /// Every folder asked for is watched.
    whole: bool,
    files: std::sync::Arc<std::sync::Mutex<Vec<PathBuf>>>,
}

impl FileWatch {
    fn new(tx: mpsc::Sender<()>) -> Self {
        let files: std::sync::Arc<std::sync::Mutex<Vec<PathBuf>>> = Default::default();
        let wanted = files.clone();
        let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let Ok(event) = res else { return };
            if event.kind.is_access() {
                return;
            }
            let files = wanted.lock().map(|f| f.clone()).unwrap_or_default();
            if event.paths.iter().any(|p| files.iter().any(|f| f.starts_with(p) || f.file_name() == p.file_name())) {
                // A full channel already holds a reload request: this one coalesces with it.
                let _ = tx.try_send(());
            }
        })
        .map_err(|e| eprintln!("rota: file changes will not be noticed: {e}"))
        .ok();
        FileWatch { watcher, dirs: vec![], whole: true, files }
    }

    /// Watches the folders of `files` (or their nearest existing ancestors). Returns whether the
    /// folders watched changed.
    fn watch(&mut self, files: Vec<PathBuf>) -> bool {
        let Some(w) = self.watcher.as_mut() else { return false };
        let mut dirs: Vec<PathBuf> = files.iter().filter_map(|f| f.ancestors().skip(1).find(|d| d.is_dir())).map(PathBuf::from).collect();
        dirs.sort();
        dirs.dedup();
        if let Ok(mut f) = self.files.lock() {
            *f = files;
        }
        // Watched again each time: a folder removed and made again needs a new watch.
        let moved = dirs != self.dirs;
        for d in self.dirs.drain(..) {
            let _ = w.unwatch(&d);
        }
        let was_whole = std::mem::replace(&mut self.whole, true);
        for d in &dirs {
            if let Err(e) = w.watch(d, notify::RecursiveMode::NonRecursive) {
                if was_whole {
                    eprintln!("rota: changes in {} will be looked for each minute: {e}", d.display());
                }
                self.whole = false;
            }
        }
        self.dirs = dirs;
        moved
    }

    /// Whether every change of the files is seen (else they are looked at each minute).
    fn is_watching(&self) -> bool {
        self.watcher.is_some() && self.whole
    }
}
