//! The team's Slack in step with the rotation, decided: who the escalation engineers' user group
//! should hold at an instant, what a sync changes, when the tray syncs again, and the daily word
//! and the hand-off post for the channel. Pure: the group's members as Slack listed them, the
//! glance and the instant come in; plain values and text go out. Talking to Slack is
//! `rota_io::slack_sync`'s job.

use crate::config::Checker;
use crate::duty::{Glance, LocalTime, OnDuty, Status};
use crate::escalation::{Escalation, EscalationState};
use crate::finding::Rule;
use crate::roster::Roster;
use crate::schedule::{Schedule, Timing};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use std::collections::BTreeSet;

/// Slack's Web API unless the config names another (a test's loopback server).
pub const DEFAULT_API: &str = "https://slack.com/api";

/// `[slack]` as parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackConfig {
    /// The user group kept in step (`S0123ABCD`).
    pub usergroup: Option<String>,
    /// Whether the tray keeps the group in step (off unless set).
    pub sync_usergroup: bool,
    /// Members who always stay (the program's lead), by Slack member ID.
    pub keep: Vec<String>,
    /// The Web API's base: https, or http to a loopback host; no trailing `/`.
    pub api: String,
    /// The time of day (minutes after midnight, in the schedule's zone) this desk posts the
    /// daily word; `None`: this desk never posts it by itself.
    pub summary_at: Option<u16>,
}

impl Default for SlackConfig {
    fn default() -> Self {
        SlackConfig { usergroup: None, sync_usergroup: false, keep: Vec::new(), api: DEFAULT_API.into(), summary_at: None }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct SlackFile {
    usergroup: Option<toml::Spanned<String>>,
    sync_usergroup: Option<bool>,
    keep: Option<toml::Spanned<Vec<String>>>,
    api: Option<toml::Spanned<String>>,
    summary_at: Option<toml::Spanned<String>>,
}

/// Reads `[slack]` into `config`, each wrong value a located error.
pub(crate) fn read_config(f: &SlackFile, config: &mut SlackConfig, c: &mut Checker<'_>) {
    if let Some(g) = &f.usergroup {
        let checked = crate::config::slack_group(g.get_ref()).map_err(|e| e.replacen("slack_group", "slack.usergroup", 1));
        if let Some(v) = c.check(Rule::Syntax, g.span(), checked) {
            config.usergroup = v;
        }
    }
    config.sync_usergroup = f.sync_usergroup.unwrap_or(false);
    if let Some(keep) = &f.keep {
        let ids: Result<Vec<String>, String> =
            keep.get_ref().iter().filter_map(|k| member_id(k).map_err(|e| format!("slack.keep: {e}")).transpose()).collect();
        if let Some(ids) = c.check(Rule::Syntax, keep.span(), ids) {
            config.keep = ids;
        }
    }
    if let Some(api) = &f.api {
        let checked = crate::config::web_url(api.get_ref()).map_err(|e| format!("slack.api: {e}"));
        if c.check(Rule::Syntax, api.span(), checked).is_some() {
            config.api = api.get_ref().trim().trim_end_matches('/').to_owned();
        }
    }
    if let Some(at) = &f.summary_at {
        let checked = crate::roster::clock_minutes(at.get_ref().trim(), false)
            .ok_or_else(|| format!("slack.summary_at \"{}\" is not a time of day; write HH:MM, like \"09:00\"", at.get_ref().trim()));
        if let Some(m) = c.check(Rule::Syntax, at.span(), checked) {
            config.summary_at = Some(m);
        }
    }
}

/// A Slack member ID (`U0123ABCD`, or `W…` on Enterprise Grid); `None` when empty.
pub fn member_id(s: &str) -> Result<Option<String>, String> {
    let id = s.trim();
    let valid =
        (2..=32).contains(&id.len()) && id.starts_with(['U', 'W']) && id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if id.is_empty() {
        Ok(None)
    } else if valid {
        Ok(Some(id.to_owned()))
    } else {
        Err(format!(
            "slack \"{id}\" is not a Slack member ID; copy it (like \"U0123ABCD\") from the person's Slack profile: ⋮ → Copy member ID"
        ))
    }
}

/// Whether an engineer on duty in this status belongs in the group now. The one place a status
/// is weighed: every status that is not "on duty and available" must answer `false` here.
pub fn in_group(status: Status) -> bool {
    match status {
        Status::Working | Status::OffHours | Status::Asleep | Status::Unknown => true,
        // Away for the day or the week: whoever asks the group would wait for nobody.
        Status::Away => false,
    }
}

/// Who the group should hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Wanted {
    /// The on-duty engineers' member IDs (coverings applied), `keep` added.
    pub users: BTreeSet<String>,
    /// How many of `users` are there because they are on duty (not only kept).
    pub on_duty: usize,
    /// On-duty engineers the roster gives no `slack` ID, by handle: left out.
    pub missing_slack_id: Vec<String>,
}

/// The group's wanted members for the effective team `on_duty` (a glance's).
pub fn wanted(on_duty: &[OnDuty], roster: &Roster, keep: &[String]) -> Wanted {
    let mut w = Wanted::default();
    let mut engineers = BTreeSet::new();
    for d in on_duty.iter().filter(|d| in_group(d.status)) {
        match roster.find(&d.handle).and_then(|p| p.slack.clone()) {
            Some(id) => {
                engineers.insert(id);
            }
            None => w.missing_slack_id.push(d.handle.clone()),
        }
    }
    w.on_duty = engineers.len();
    w.users = engineers;
    w.users.extend(keep.iter().cloned());
    w
}

/// Why a sync leaves the group as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Nobody is on duty: Slack will not empty a group, and a group of only `keep` would tell
    /// people someone is on.
    NobodyOnDuty,
    /// Engineers are on duty, but none has a `slack` ID in the roster.
    NoSlackIds,
}

impl Skip {
    pub fn reason(self) -> &'static str {
        match self {
            Skip::NobodyOnDuty => "nobody is on duty now; the group is left as it is",
            Skip::NoSlackIds => {
                "no engineer on duty has a slack ID in the roster; the group is left as it is (add slack = \"U…\" to their [[person]])"
            }
        }
    }
}

/// What a sync finds and does: the group as listed against who should be in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub wanted: Vec<String>,
    pub before: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub missing_slack_id: Vec<String>,
    pub skipped: Option<Skip>,
    /// The whole list to write, when the group must change; never empty.
    pub write: Option<Vec<String>>,
}

/// Compares the group's members `before` (as Slack listed them) with `wanted`.
pub fn plan(wanted: &Wanted, before: &[String]) -> Plan {
    let had: BTreeSet<String> = before.iter().cloned().collect();
    let skipped = match (wanted.on_duty, wanted.missing_slack_id.is_empty()) {
        (0, true) => Some(Skip::NobodyOnDuty),
        (0, false) => Some(Skip::NoSlackIds),
        _ => None,
    };
    let (added, removed) = match skipped {
        Some(_) => (Vec::new(), Vec::new()),
        None => (wanted.users.difference(&had).cloned().collect::<Vec<_>>(), had.difference(&wanted.users).cloned().collect()),
    };
    let changes = !added.is_empty() || !removed.is_empty();
    Plan {
        wanted: wanted.users.iter().cloned().collect(),
        before: had.into_iter().collect(),
        write: (changes && !wanted.users.is_empty()).then(|| wanted.users.iter().cloned().collect()),
        added,
        removed,
        missing_slack_id: wanted.missing_slack_id.clone(),
        skipped,
    }
}

/// How the last sync went, as the tray's menu says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    InStep,
    Changed {
        added: usize,
        removed: usize,
    },
    Skipped(Skip),
    /// Slack's error, said as [`crate::slack`]'s callers word it (the fix included).
    Failed(String),
}

impl Outcome {
    pub fn of(plan: &Plan) -> Outcome {
        match (plan.skipped, &plan.write) {
            (Some(s), _) => Outcome::Skipped(s),
            (None, Some(_)) => Outcome::Changed { added: plan.added.len(), removed: plan.removed.len() },
            (None, None) => Outcome::InStep,
        }
    }

    /// The tray's line: "Slack user group: in step", or what is wrong.
    pub fn line(&self) -> String {
        let what = match self {
            Outcome::InStep | Outcome::Changed { .. } => "in step".to_owned(),
            Outcome::Skipped(Skip::NobodyOnDuty) => "left as it is (nobody on duty)".to_owned(),
            Outcome::Skipped(Skip::NoSlackIds) => "no slack IDs in the roster".to_owned(),
            Outcome::Failed(why) => crate::words::shorten(why, 60),
        };
        format!("Slack user group: {what}")
    }
}

/// When the tray syncs: at start, within a minute of the wanted set changing (a hand-off, a
/// covering), and otherwise once an hour (a person may have edited the group); five minutes
/// after a failure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncTimer {
    last: Option<(DateTime<Utc>, BTreeSet<String>, bool)>,
}

/// The longest the tray trusts the group it last saw.
pub const RECHECK: Duration = Duration::hours(1);
/// How long after a failed sync the tray tries again.
pub const RETRY: Duration = Duration::minutes(5);

impl SyncTimer {
    /// Whether to sync now, for the set wanted now.
    pub fn due(&self, now: DateTime<Utc>, wanted: &BTreeSet<String>) -> bool {
        match &self.last {
            None => true,
            Some((at, set, ok)) => set != wanted || now - *at >= if *ok { RECHECK } else { RETRY } || now < *at,
        }
    }

    /// A sync for `wanted` ran at `now`; `ok` when Slack answered it.
    pub fn synced(&mut self, now: DateTime<Utc>, wanted: BTreeSet<String>, ok: bool) {
        self.last = Some((now, wanted, ok));
    }
}

/// Escapes the three characters Slack's message text reserves.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The day (in the schedule's zone) the daily word is due at `now`, when this desk posts it
/// (`summary_at` set) and `posted` (the last day it was posted) is not that day. A desk that
/// starts after `summary_at` still posts that day's.
pub fn summary_due(
    summary_at: Option<u16>,
    timing: &Timing,
    posted: Option<chrono::NaiveDate>,
    now: DateTime<Utc>,
) -> Option<chrono::NaiveDate> {
    let at = summary_at?;
    let local = now.with_timezone(&timing.timezone);
    let day = local.date_naive();
    let reached = crate::roster::minute_of_day(&local) >= at;
    (reached && posted.is_none_or(|p| p < day)).then_some(day)
}

/// The daily word for the channel at `now`, in the schedule's zone: who is on (local time,
/// status, until when), the next hand-off, the open escalations and how many wait for
/// acknowledgement, the coverings in force today and who is away today (`away`: the schedule's
/// time away as instants, [`crate::away::spans`]). `g` is the glance at `now` seen from the
/// schedule's zone; the same inputs give the same text on every desk.
pub fn summary(g: &Glance, schedule: &Schedule, timing: &Timing, away: &[crate::away::AwaySpan], escalations: &[Escalation]) -> String {
    let tz = timing.timezone;
    let when = |t: DateTime<Utc>| format!("{} {}", crate::words::short_datetime(t, tz), crate::words::zone(&LocalTime::new(tz, t)));
    let mut out = format!("*Escalation rotation* — {}\n", when(g.at));
    let on: Vec<&OnDuty> = g.by_status();
    if on.is_empty() {
        out.push_str("On now: nobody\n");
    } else {
        out.push_str("On now:\n");
        for d in on {
            out.push_str(&format!("• {}\n", escape(&crate::words::glance_line_whole(d, None, g.at))));
        }
    }
    match g.next_handoff {
        Some(h) => {
            let who = if g.next_team.is_empty() { "nobody".to_owned() } else { g.next_team.join(", ") };
            out.push_str(&format!("Next hand-off: {} ({}) — {}\n", when(h), crate::words::relative(g.at, h), escape(&who)));
        }
        None => out.push_str("Next hand-off: none scheduled\n"),
    }
    let open = escalations.iter().filter(|e| e.state.is_active()).count();
    let waiting = escalations.iter().filter(|e| e.state == EscalationState::Open).count();
    out.push_str(&format!("Escalations: {open} open, {waiting} waiting for acknowledgement\n"));
    let local = g.at.with_timezone(&tz).date_naive();
    let day = (crate::roster::local_instant(tz, local, 0), crate::roster::local_instant(tz, local, 24 * 60));
    let today: Vec<String> = schedule
        .overrides
        .iter()
        .filter(|o| {
            let (s, e) = o.when.span(timing);
            s < day.1 && e > day.0
        })
        .filter_map(|o| crate::words::covering_line(o, timing, tz))
        .collect();
    if today.is_empty() {
        out.push_str("Covering today: none\n");
    } else {
        out.push_str("Covering today:\n");
        for line in today {
            out.push_str(&format!("• {}\n", escape(&line)));
        }
    }
    let away: Vec<String> = away
        .iter()
        .filter(|a| a.start < day.1 && a.end > day.0)
        .map(|a| {
            let why = if a.why.is_empty() { String::new() } else { format!(" ({})", a.why) };
            format!("{} away {}{why}", a.handle, crate::away::days_text(a.start, a.end, a.zone))
        })
        .collect();
    if !away.is_empty() {
        out.push_str("Away today:\n");
        for line in away {
            out.push_str(&format!("• {}\n", escape(&line)));
        }
    }
    out
}

/// The post at a hand-off: "Now on: Cy, Dee; thank you Ann, Bob".
pub fn handoff_post(before: &[OnDuty], after: &[OnDuty]) -> String {
    let names = |v: &[&OnDuty]| v.iter().map(|d| escape(&d.name)).collect::<Vec<_>>().join(", ");
    let now: Vec<&OnDuty> = after.iter().collect();
    let leaving: Vec<&OnDuty> = before.iter().filter(|b| !after.iter().any(|a| a.handle == b.handle)).collect();
    let head = if now.is_empty() { "Now on: nobody".to_owned() } else { format!("Now on: {}", names(&now)) };
    if leaving.is_empty() {
        head
    } else {
        format!("{head}; thank you {}", names(&leaving))
    }
}

/// How long before a stretch starts (to the second, inclusive) `rota check` asks for the engineer's `slack` ID.
pub const ASK_FOR_ID: Duration = Duration::days(7);

/// `rota check`'s warnings while the group is kept: each engineer on duty between `now` and a
/// week on (coverings applied) whom the roster gives no `slack` ID, at their roster line.
pub fn missing_ids(schedule: &Schedule, roster: &Roster, timing: &Timing, now: DateTime<Utc>) -> Vec<crate::finding::Finding> {
    let mut named: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    for stretch in schedule.stretches(timing, now, now + ASK_FOR_ID + Duration::seconds(1)) {
        for m in &stretch.team {
            let person = roster.find(&m.handle);
            if person.is_some_and(|p| p.slack.is_some()) || !named.insert(m.handle.to_ascii_lowercase()) {
                continue;
            }
            let when = if stretch.start <= now {
                "is on duty now".to_owned()
            } else {
                format!("is on duty from {}", crate::words::short_datetime(stretch.start, timing.timezone))
            };
            let (file, line) = match person {
                Some(p) => (roster.source.as_str(), p.line),
                None => (schedule.source.as_str(), None),
            };
            out.push(crate::finding::Finding::new(
                Rule::NoSlackId,
                file,
                line,
                format!("{} {when} but has no slack ID, so the Slack user group will leave them out; add slack = \"U…\" (their member ID) to their [[person]]", m.handle),
            ));
        }
    }
    out
}
