//! Problems with the inputs, typed from the parser that finds them to the front end that says
//! them: a [`Finding`] (what a parser or a lint says about an input, located by file and line,
//! under a [`Rule`]) and the [`Problem`] every front end receives (a finding, or a source that
//! cannot be read at all), never a string parsed back.

use serde::Serialize;
use std::fmt;

/// How bad a finding is. Errors make `rota check` (and any command reading the input) fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// The rule a finding comes from: a closed set, so callers never match on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A row, line or value that does not parse.
    Syntax,
    EndBeforeStart,
    UnknownTimezone,
    MalformedHours,
    MalformedDays,
    OverlappingRotations,
    DuplicateEngineer,
    ShortRotation,
    LongRotation,
    OpenSeats,
    UncoveredDays,
    PoorTimezoneSpread,
    UncoveredHours,
    NotInRoster,
    DuplicatePerson,
    /// An override's `For` engineer is not on the rotation then.
    CoveredNotOnRotation,
    /// Two overrides for the same engineer overlap.
    OverlappingOverrides,
    /// An override falls outside every rotation.
    OverrideOutsideRotation,
    /// The config's `me` is nobody in the schedule or the roster, and near nobody's handle: maybe
    /// a support engineer, who files escalations and is told when they are taken.
    UnknownMe,
    /// The config's `me` is nobody on the team but near someone's handle (or is someone's name):
    /// a typo, which would lose "(you)", my escalations and the on-duty icon without a word.
    MisspeltMe,
    /// An engineer is away during their own rotation and no override fills their seat.
    AwayUncovered,
    /// An engineer on duty within a week has no `slack` ID while Rota keeps the Slack group.
    NoSlackId,
}

impl Rule {
    pub fn severity(self) -> Severity {
        use Rule::*;
        match self {
            Syntax | EndBeforeStart | UnknownTimezone | MalformedHours | MalformedDays | OverlappingRotations | DuplicateEngineer
            | DuplicatePerson | CoveredNotOnRotation | OverlappingOverrides | MisspeltMe => Severity::Error,
            ShortRotation
            | LongRotation
            | OpenSeats
            | UncoveredDays
            | PoorTimezoneSpread
            | UncoveredHours
            | NotInRoster
            | OverrideOutsideRotation
            | UnknownMe
            | AwayUncovered
            | NoSlackId => Severity::Warning,
        }
    }
}

/// One thing wrong (or worth a look) in an input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub rule: Rule,
    /// The file (or source name, such as `builtin:demo` or a URL) the finding is about.
    pub file: String,
    /// 1-based line in that file, when the finding is about one place.
    pub line: Option<u32>,
    /// One sentence a user can act on.
    pub message: String,
}

impl Finding {
    pub fn new(rule: Rule, file: &str, line: Option<u32>, message: impl Into<String>) -> Self {
        Finding { severity: rule.severity(), rule, file: file.to_owned(), line, message: message.into() }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn place(&self) -> Place {
        Place { file: self.file.clone(), line: self.line }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Problem::from(self.clone()).fmt(f)
    }
}

/// Where a problem is: a file (or source name, such as `builtin:demo` or a URL), and the line
/// when it is about one place in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Place {
    pub file: String,
    pub line: Option<u32>,
}

/// What is wrong with the inputs right now, as every front end receives it: the command line's
/// errors, the tray's ⚠ lines, the dashboard's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub place: Option<Place>,
    pub severity: Severity,
    /// One sentence a user can act on.
    pub message: String,
    /// The rule it breaks, when a parser or a lint found it; `None` for a source that cannot be
    /// read at all, or what runs while the config is refused.
    pub rule: Option<Rule>,
}

impl Problem {
    /// An error about no place in particular.
    pub fn error(message: impl Into<String>) -> Self {
        Problem { place: None, severity: Severity::Error, message: message.into(), rule: None }
    }

    /// An error about the file (or source) `file` as a whole: it cannot be read, say.
    pub fn in_file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { place: Some(Place { file: file.into(), line: None }), ..Problem::error(message) }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The place and the words, without the level: "/home/k/rota.md:7: the dates do not parse",
    /// for a line that says its level once, at its head ("rota: error: …").
    pub fn placed(&self) -> String {
        match &self.place {
            Some(Place { file, line: Some(line) }) => format!("{file}:{line}: {}", self.message),
            Some(Place { file, line: None }) => format!("{file}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

impl From<Finding> for Problem {
    fn from(f: Finding) -> Self {
        Problem { place: Some(Place { file: f.file, line: f.line }), severity: f.severity, message: f.message, rule: Some(f.rule) }
    }
}

/// A problem in full, as a log or the dashboard says it: "/home/k/rota.md:7: error: the dates do
/// not parse" for a finding (its level said); "/home/k/people.toml: no such file" for a source
/// that cannot be read; the message alone when it is about no place.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (Some(p), Some(_)) = (&self.place, self.rule) else {
            return f.write_str(&self.placed());
        };
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match p.line {
            Some(line) => write!(f, "{}:{line}: {level}: {}", p.file, self.message),
            None => write!(f, "{}: {level}: {}", p.file, self.message),
        }
    }
}

/// Findings as a person reads them: by file, then line (a finding about the whole file first),
/// errors before warnings on one line, and each said once.
pub fn sorted_unique(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(|a, b| (&a.file, a.line, a.severity, &a.message).cmp(&(&b.file, b.line, b.severity, &b.message)));
    findings.dedup_by(|a, b| a.file == b.file && a.line == b.line && a.severity == b.severity && a.message == b.message);
    findings
}

/// A parsed value together with what the parser had to say (rows it skipped, and why).
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub value: T,
    pub findings: Vec<Finding>,
}

impl<T> Parsed<T> {
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_error())
    }

    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
}

/// Maps byte offsets in a text to 1-based line numbers.
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    pub(crate) fn line_of(&self, offset: usize) -> u32 {
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        (idx + 1) as u32
    }
}

/// Turns a TOML error into a located finding.
pub(crate) fn toml_finding(file: &str, text: &str, err: &toml::de::Error) -> Finding {
    let line = err.span().map(|s| Lines::new(text).line_of(s.start));
    let message = err.message().trim().trim_end_matches('.').to_owned();
    Finding::new(Rule::Syntax, file, line, format!("{message}; fix the TOML syntax here"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_sort_by_file_and_line_and_say_each_thing_once() {
        let f = |file: &str, line: Option<u32>, rule: Rule, m: &str| Finding::new(rule, file, line, m);
        let got = sorted_unique(vec![
            f("rota.md", Some(8), Rule::OpenSeats, "b"),
            f("rota.md", Some(7), Rule::ShortRotation, "a"),
            f("people.toml", Some(3), Rule::UnknownTimezone, "z"),
            f("rota.md", Some(8), Rule::OpenSeats, "b"),
            f("rota.md", None, Rule::UncoveredDays, "c"),
            f("rota.md", Some(7), Rule::Syntax, "d"),
            f("rota.md", Some(10), Rule::OpenSeats, "e"),
        ]);
        let places: Vec<String> = got.iter().map(|f| format!("{}:{:?}:{}", f.file, f.line, f.message)).collect();
        assert_eq!(
            places,
            [
                "people.toml:Some(3):z",
                "rota.md:None:c",
                "rota.md:Some(7):d",
                "rota.md:Some(7):a",
                "rota.md:Some(8):b",
                "rota.md:Some(10):e",
            ]
        );
    }
}
