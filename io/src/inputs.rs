//! The inputs as read: schedule and roster parsed, with every finding and warning on the way.

use crate::settings::{Failure, Settings};
use crate::sources::{Kind, Reader, Source};
use chrono::NaiveDate;
use rota_core::{parse_roster, parse_schedule, Finding, Problem, Roster, Schedule, ScheduleFormat};

#[derive(Debug, Clone)]
pub struct Inputs {
    pub schedule: Schedule,
    pub roster: Roster,
    /// Parse findings from the config, the schedule and the roster.
    pub findings: Vec<Finding>,
    /// Things worth saying that are not findings (a cached copy stood in for a URL).
    pub warnings: Vec<String>,
}

impl Inputs {
    /// The findings that are errors, as problems to show.
    pub fn errors(&self) -> Vec<Problem> {
        self.findings.iter().filter(|f| f.is_error()).cloned().map(Problem::from).collect()
    }
}

/// Reads and parses the schedule and roster the settings name. A source that cannot be read at
/// all is a failure; rows that do not parse are findings.
pub async fn read(settings: &Settings, reader: &Reader, today: NaiveDate) -> Result<Inputs, Failure> {
    let mut findings = settings.findings.clone();
    let mut warnings = Vec::new();
    let text = reader.read(&settings.schedule, Kind::Schedule, today).await.map_err(|e| Failure::in_file(e.name, e.message))?;
    warnings.extend(text.warning);
    let format = match &settings.schedule {
        Source::Demo | Source::Handbook => ScheduleFormat::Markdown,
        _ => ScheduleFormat::from_name(&text.name),
    };
    let parsed = parse_schedule(format, &text.name, &text.text);
    findings.extend(parsed.findings);
    let mut schedule = parsed.value;
    if settings.schedule == Source::Demo {
        schedule.demo = Some(rota_core::demo::DEMO_LABEL.to_owned());
    }
    let roster = match &settings.roster {
        Some(source) => {
            let text = reader.read(source, Kind::Roster, today).await.map_err(|e| Failure::in_file(e.name, e.message))?;
            warnings.extend(text.warning);
            let parsed = parse_roster(&text.name, &text.text);
            findings.extend(parsed.findings);
            parsed.value
        }
        None => Roster::default(),
    };
    // The feed of time off belongs to the roster's people, so it is read after them.
    if let Some(source) = &settings.away {
        let text = reader.read(source, Kind::Away, today).await.map_err(|e| Failure::in_file(e.name, e.message))?;
        warnings.extend(text.warning);
        let parsed = rota_core::away::feed::parse_feed(&text.name, &text.text, &roster);
        findings.extend(parsed.findings);
        schedule.away.extend(parsed.value);
    }
    if let Some(me) = &settings.me {
        let file = settings.config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "config.toml".into());
        findings.extend(rota_core::lint::me(me, &file, settings.config.me_line, &schedule, &roster));
    }
    Ok(Inputs { schedule, roster, findings, warnings })
}
