//! Hand-off notices for me: 7 days before my rotation (or a covering) starts, the day before, at
//! the hand-off, the day before it ends, and when the schedule changes so that I am added or taken
//! off — and the tray's line about my next stretch.
//!
//! [`decide`] is pure: it takes my stretches ([`Schedule::stretches_of`]), what was seen before
//! ([`HandoffState`], `None` on a first run) and `now`, and returns the notices to send and the
//! state to keep. Each notice has a key and is sent at most once; a first run sends nothing about
//! the past (but "tomorrow", when started the day before my stretch); after a sleep only the latest notice still due for a stretch is sent (a stretch woken
//! into the day before it starts gets "tomorrow", not also "in 7 days").
//!
//! It is not the place that stores the state or shows the notification (the shell does both).

use crate::config::NoticesConfig;
use crate::notice::NoticeText;
use crate::overrides::OnStretch;
use crate::roster::Roster;
use crate::words;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Which notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandoffKind {
    WeekBefore,
    DayBefore,
    Start,
    DayBeforeEnd,
    Added,
    Removed,
}

impl HandoffKind {
    fn key(self) -> &'static str {
        match self {
            HandoffKind::WeekBefore => "week-before",
            HandoffKind::DayBefore => "day-before",
            HandoffKind::Start => "handoff",
            HandoffKind::DayBeforeEnd => "before-end",
            HandoffKind::Added => "added",
            HandoffKind::Removed => "removed",
        }
    }

    fn enabled(self, prefs: &NoticesConfig) -> bool {
        match self {
            HandoffKind::WeekBefore => prefs.week_before,
            HandoffKind::DayBefore => prefs.day_before,
            HandoffKind::Start => prefs.handoff,
            HandoffKind::DayBeforeEnd => prefs.before_end,
            HandoffKind::Added | HandoffKind::Removed => prefs.schedule_change,
        }
    }
}

/// One notice to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffNotice {
    pub kind: HandoffKind,
    /// What it is remembered by once sent.
    pub key: String,
    pub text: NoticeText,
}

/// A stretch as remembered: its exact span and whom it covers for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SeenStretch {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub covering_for: Option<String>,
}

impl From<&OnStretch> for SeenStretch {
    fn from(s: &OnStretch) -> Self {
        SeenStretch { start: s.start, end: s.end, covering_for: s.covering_for.clone() }
    }
}

/// What is kept between runs: the keys of notices sent (or passed over), and my stretches as last
/// seen, to tell a schedule change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffState {
    pub me: String,
    pub sent: BTreeSet<String>,
    pub stretches: Vec<SeenStretch>,
}

/// What [`decide`] needs besides the stretches and the state.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub me: &'a str,
    pub now: DateTime<Utc>,
    /// My zone, for "09:00 your time".
    pub viewer: Tz,
    pub roster: &'a Roster,
    pub prefs: &'a NoticesConfig,
    /// My open escalations' titles, when known: what the day-before-the-end notice lists.
    pub open_escalations: Option<&'a [String]>,
}

/// A milestone of a stretch: when it is due, until when it is still worth sending.
fn milestones(s: &SeenStretch) -> [(HandoffKind, DateTime<Utc>, DateTime<Utc>); 4] {
    let day = Duration::days(1);
    let week = Duration::days(7);
    let at = |t: DateTime<Utc>, d: Duration| t.checked_sub_signed(d).unwrap_or(t);
    [
        (HandoffKind::WeekBefore, at(s.start, week), at(s.start, day)),
        (HandoffKind::DayBefore, at(s.start, day), s.start),
        (HandoffKind::Start, s.start, at(s.end, day).max(s.start)),
        (HandoffKind::DayBeforeEnd, at(s.end, day).max(s.start), s.end),
    ]
}

fn key(kind: HandoffKind, s: &SeenStretch) -> String {
    format!("{}:{}:{}", kind.key(), s.start.timestamp(), s.end.timestamp())
}

/// The notices due at `now` and the state to keep after sending them all. A notice that could
/// not be shown is left out of the kept state by the caller ([`HandoffState::unsend`]).
pub fn decide(stretches: &[OnStretch], before: Option<&HandoffState>, cx: &Context) -> (Vec<HandoffNotice>, HandoffState) {
    let now = cx.now;
    // Only stretches not over yet matter; the state forgets the rest.
    let mine: Vec<(&OnStretch, SeenStretch)> = stretches.iter().filter(|s| s.end > now).map(|s| (s, SeenStretch::from(s))).collect();
    let before = before.filter(|b| b.me.eq_ignore_ascii_case(cx.me));
    let mut state = HandoffState { me: cx.me.to_owned(), sent: BTreeSet::new(), stretches: mine.iter().map(|(_, s)| s.clone()).collect() };
    let mut out = Vec::new();
    let Some(before) = before else {
        // A first run (or a new `me`): nothing about the past; what is already due counts as said,
        // but for the one notice whose moment is still ahead: started the evening before my
        // rotation, "You're on tomorrow" (for the nearest such stretch; never more than one).
        let ahead = mine.iter().filter(|(_, s)| milestones(s)[1].1 <= now && now < s.start).min_by_key(|(_, s)| s.start);
        if let Some((o, s)) = ahead.filter(|_| HandoffKind::DayBefore.enabled(cx.prefs)) {
            let kind = HandoffKind::DayBefore;
            out.push(HandoffNotice { kind, key: key(kind, s), text: milestone_text(kind, o, cx) });
        }
        for (_, s) in &mine {
            for (kind, due, _) in milestones(s) {
                if due <= now {
                    state.sent.insert(key(kind, s));
                }
            }
        }
        return (out, state);
    };
    let mut send = |kind: HandoffKind, k: String, text: NoticeText, state: &mut HandoffState| {
        if kind.enabled(cx.prefs) {
            out.push(HandoffNotice { kind, key: k.clone(), text });
        }
        state.sent.insert(k);
    };
    // Schedule changes: stretches that are new, and ones gone.
    let added: Vec<&(&OnStretch, SeenStretch)> = mine.iter().filter(|(_, s)| !before.stretches.contains(s)).collect();
    for (o, s) in &added {
        // What is already due for a new stretch is said by this notice.
        for (kind, due, _) in milestones(s) {
            if due <= now {
                state.sent.insert(key(kind, s));
            }
        }
        send(HandoffKind::Added, key(HandoffKind::Added, s), added_text(o, cx), &mut state);
    }
    let current = state.stretches.clone();
    for gone in before.stretches.iter().filter(|g| g.end > now && !current.contains(g)) {
        let replaced = added.iter().any(|(_, s)| s.start < gone.end && gone.start < s.end);
        if !replaced {
            send(HandoffKind::Removed, key(HandoffKind::Removed, gone), removed_text(gone, cx), &mut state);
        }
    }
    for (o, s) in &mine {
        for (kind, due, until) in milestones(s) {
            let k = key(kind, s);
            if before.sent.contains(&k) {
                state.sent.insert(k);
            } else if due <= now && now < until {
                send(kind, k, milestone_text(kind, o, cx), &mut state);
            } else if until <= now {
                // Slept through it: too late to be news.
                state.sent.insert(k);
            }
        }
    }
    (out, state)
}

impl HandoffState {
    /// Forgets that the notice `key` was sent (it could not be shown), so the next look tries again.
    pub fn unsend(&mut self, key: &str) {
        self.sent.remove(key);
    }
}

/// "Mon 30 Nov, 09:00 your time".
fn when(t: DateTime<Utc>, tz: Tz) -> String {
    format!("{}, {} your time", words::short_date(t, tz), t.with_timezone(&tz).format("%H:%M"))
}

fn what(s: &OnStretch) -> String {
    match &s.covering_for {
        Some(f) => format!("covering for {f}"),
        None => "on rotation".to_owned(),
    }
}

/// The others on with me, with their zones: "Bishal (Asia/Kathmandu, UTC+05:45), Cy (EST)".
fn with(s: &OnStretch, cx: &Context) -> String {
    if s.with.is_empty() {
        return "nobody else".into();
    }
    s.with
        .iter()
        .map(|h| match cx.roster.find(h) {
            Some(p) => match p.timezone {
                Some(tz) => {
                    let l = crate::duty::LocalTime::new(tz, s.start);
                    format!("{} ({}, {})", p.name, tz.name(), words::zone(&l))
                }
                None => p.name.clone(),
            },
            None => h.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn text(summary: String, body: String) -> NoticeText {
    NoticeText { summary, body, critical: false, escalation_id: None, url: None, ticket: None }
}

fn milestone_text(kind: HandoffKind, s: &OnStretch, cx: &Context) -> NoticeText {
    let tz = cx.viewer;
    let span = format!("From {} to {}.", when(s.start, tz), when(s.end, tz));
    match kind {
        HandoffKind::WeekBefore => text(format!("You're {} in 7 days", what(s)), span),
        HandoffKind::DayBefore => text(format!("You're {} tomorrow", what(s)), format!("{span}\nWith {}.", with(s, cx))),
        HandoffKind::Start => text(format!("You're {} now", what(s)), format!("Until {}.\nWith {}.", when(s.end, tz), with(s, cx))),
        HandoffKind::DayBeforeEnd => {
            let mut body = format!("It ends {}: time to hand over.", when(s.end, tz));
            match cx.open_escalations {
                Some([]) => body.push_str("\nNo open escalations of yours."),
                Some(titles) => {
                    let n = titles.len();
                    body.push_str(&format!("\n{n} open escalation{} of yours:", if n == 1 { "" } else { "s" }));
                    for t in titles.iter().take(crate::notice::SUMMARY_TITLES) {
                        body.push_str(&format!("\n• {t}"));
                    }
                }
                None => {}
            }
            text(format!("Your stretch {} ends tomorrow", what(s)), body)
        }
        HandoffKind::Added | HandoffKind::Removed => added_text(s, cx),
    }
}

fn added_text(s: &OnStretch, cx: &Context) -> NoticeText {
    let tz = cx.viewer;
    text(
        format!("The schedule changed: you're {}", what(s)),
        format!("From {} to {}.\nWith {}.", when(s.start, tz), when(s.end, tz), with(s, cx)),
    )
}

fn removed_text(s: &SeenStretch, cx: &Context) -> NoticeText {
    let tz = cx.viewer;
    text("The schedule changed: you're off".into(), format!("No longer on from {} to {}.", when(s.start, tz), when(s.end, tz)))
}

/// The tray's line about my next stretch, while I am not on: "You're on from Mon 30 Nov, 09:00
/// your time" (", covering for ada-k" when I cover). `None` while I am on (my own line says so)
/// or with nothing coming.
pub fn my_line(stretches: &[OnStretch], now: DateTime<Utc>, viewer: Tz) -> Option<String> {
    if stretches.iter().any(|s| s.start <= now && now < s.end) {
        return None;
    }
    let s = stretches.iter().find(|s| s.start > now)?;
    let covering = s.covering_for.as_deref().map(|f| format!(", covering for {f}")).unwrap_or_default();
    Some(format!("You're on from {}{covering}", when(s.start, viewer)))
}
