//! The app's live state: the settings and inputs it shows, the last good ones kept when a file
//! stops parsing, and the problems to show beside them.

use crate::cli::args::Global;
use crate::clock;
use crate::inputs::{self, Inputs};
use crate::settings::{self, Failure, Settings};
use crate::sources::{Reader, Source};
use chrono::{DateTime, Utc};
use rota_core::duty::Glance;
use rota_core::glance;
use std::path::PathBuf;

pub struct Live {
    pub global: Global,
    pub settings: Settings,
    /// The last inputs that parsed without errors (or, before any did, the latest read).
    pub inputs: Inputs,
    /// What is wrong with the config, schedule or roster right now.
    pub problems: Vec<String>,
}

fn failure_lines(f: Failure) -> Vec<String> {
    match f {
        Failure::Usage(m) => vec![m],
        Failure::Input(ms) => ms,
    }
}

impl Live {
    /// The first read, at start-up. Settings that cannot be resolved fall back to the defaults,
    /// with the problem shown.
    pub async fn start(global: Global, reader: &Reader) -> Live {
        let (settings, mut problems) = match settings::resolve(&global, None) {
            Ok(s) => (s, vec![]),
            Err(f) => (defaults(), failure_lines(f)),
        };
        let today = clock::now().unwrap_or_else(|_| Utc::now()).date_naive();
        let inputs = match inputs::read(&settings, reader, today).await {
            Ok(i) => i,
            Err(f) => {
                problems.extend(failure_lines(f));
                Inputs { schedule: Default::default(), roster: Default::default(), findings: vec![], warnings: vec![] }
            }
        };
        problems.extend(inputs.errors());
        Live { global, settings, inputs, problems }
    }

    /// Reads the config and the sources again. What fails to read or parse is a problem; the
    /// last good state stays on screen.
    pub async fn reload(&mut self, reader: &Reader) {
        let settings = match settings::resolve(&self.global, None) {
            Ok(s) => s,
            Err(f) => {
                self.problems = failure_lines(f);
                return;
            }
        };
        let today = clock::now().unwrap_or_else(|_| Utc::now()).date_naive();
        match inputs::read(&settings, reader, today).await {
            Ok(inputs) if inputs.errors().is_empty() && settings.findings.iter().all(|f| !f.is_error()) => {
                self.problems = vec![];
                self.settings = settings;
                self.inputs = inputs;
            }
            Ok(inputs) => self.problems = inputs.errors(),
            Err(f) => self.problems = failure_lines(f),
        }
    }

    pub fn glance(&self, at: DateTime<Utc>) -> Glance<'_> {
        glance(&self.inputs.schedule, &self.inputs.roster, &self.settings.config.schedule.timing, self.settings.viewer, self.settings.me.as_deref(), at)
    }

    /// The local files the state comes from, to watch for changes.
    pub fn watched_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        files.extend(self.settings.config_file.clone().or_else(settings::default_config_file));
        for s in [Some(&self.settings.schedule), self.settings.roster.as_ref()].into_iter().flatten() {
            if let Source::File(p) = s {
                files.push(p.clone());
            }
        }
        files
    }

    /// Whether a source is fetched over the network (and so re-fetched on an interval).
    pub fn has_url_source(&self) -> bool {
        [Some(&self.settings.schedule), self.settings.roster.as_ref()].into_iter().flatten().any(|s| matches!(s, Source::Url(_)))
    }
}

/// The built-in defaults, when the config cannot be used at all.
fn defaults() -> Settings {
    Settings {
        config_file: None,
        config: Default::default(),
        schedule: Source::Demo,
        roster: Some(Source::Demo),
        viewer: chrono_tz::UTC,
        me: None,
        data_dir: settings::data_dir(),
        findings: vec![],
    }
}
