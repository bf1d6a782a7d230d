//! The escalations poller's decisions, without IO, in quinn-proto's way: the shell feeds it what
//! happened (a poll's result, a new token, the user's "poll now") and the clocks, and it answers
//! with the next state, the notices to show and when to poll next, by the timing rule every
//! machine shares ([`crate::wake`]: a [`Wake`], a sleep of the machine noticed). The shell
//! (`io/src/poller.rs`) only sleeps for that wake, lists, shows and stores.
//!
//! So exactly-once delivery, backoff, the auth retry and wake handling are plain unit tests
//! here, not timed thread tests.
//!
//! It is not the decision of which escalations deserve a notice ([`crate::escalation::decide`],
//! used here) nor the seen set kept after a partly failed delivery
//! ([`crate::notice::seen_after_delivery`], used here).

use crate::backoff::backoff;
use crate::escalation::{decide, Decision, Escalation, SeenSet};
use crate::notice::seen_after_delivery;
use crate::wake::{Now, SleepWatch, Wake};
use chrono::{DateTime, Duration as Span, Utc};
use std::time::Duration;

/// After a rejected or missing token: the wait before the keyring is read and the backend asked
/// again, unless a new token or the user comes first.
pub const AUTH_RETRY: Duration = Duration::from_secs(10 * 60);
/// The first wait after a failed keyring read (locked, the unlock prompt dismissed); it doubles
/// with each failure in a row, up to [`AUTH_RETRY`].
pub const KEYRING_RETRY: Duration = Duration::from_secs(60);
/// A transient failure's backoff: from this, doubling, up to [`TRANSIENT_MAX`], with jitter.
pub const TRANSIENT_BASE: Duration = Duration::from_secs(2);
pub const TRANSIENT_MAX: Duration = Duration::from_secs(300);

/// Why a poll failed, as far as the schedule of the next one cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollFailure {
    /// The token was rejected (401) or may not read the repository (403): needs a person.
    Unauthorized,
    /// No token is stored.
    MissingToken,
    /// The keyring could not be read (locked, the unlock dismissed, no Secret Service).
    Keyring,
    /// The backend asked not to be called again before `until`.
    RateLimited { until: DateTime<Utc> },
    /// Offline, a 5xx, a timeout, a busy database: passes by itself.
    Transient,
    /// Anything else (a broken database, a bad config): tried again at the regular interval.
    Other,
}

/// The poller's state between polls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollState {
    interval: Duration,
    /// When the next poll is due, as the person's clock says it.
    next_poll: DateTime<Utc>,
    /// The same, on the monotonic clock: what the wait counts on (the person's clock may be
    /// pinned, and so stand still).
    due: Duration,
    /// Transient failures in a row.
    transient: u32,
    /// Keyring failures in a row.
    keyring: u32,
    /// The backend must be opened again (the keyring read again) before the next poll.
    reconnect: bool,
    sleep: SleepWatch,
}

/// The wait after `failures` keyring reads in a row failed: a minute, doubling, up to
/// [`AUTH_RETRY`].
pub fn keyring_retry(failures: u32) -> Duration {
    backoff(failures.saturating_sub(1), KEYRING_RETRY, AUTH_RETRY, 1.0)
}

impl PollState {
    /// A poller that polls every `interval`, the first time at once.
    pub fn new(interval: Duration, now: &Now) -> Self {
        PollState { interval, next_poll: now.wall, due: now.mono, transient: 0, keyring: 0, reconnect: false, sleep: SleepWatch::default() }
    }

    /// When the next poll is due, as the person's clock says it.
    pub fn poll_at(&self) -> DateTime<Utc> {
        self.next_poll
    }

    pub fn is_due(&self, now: &Now) -> bool {
        now.mono >= self.due
    }

    /// When the shell asks again: at the next poll, or sooner to look for a sleep.
    pub fn wake(&self, now: &Now) -> Wake {
        Wake::at_mono(self.due, now)
    }

    /// The shell woke: whether to poll now (the poll is due, or the machine slept, which
    /// [`Self::woke`] takes care of).
    pub fn tick(&mut self, now: Now) -> bool {
        if self.sleep.slept(now) {
            self.woke(&now);
        }
        self.is_due(&now)
    }

    /// The next poll at `at` of the person's clock; returns it.
    fn poll_next(&mut self, now: &Now, at: DateTime<Utc>) -> DateTime<Utc> {
        let wait = (at - now.wall).to_std().unwrap_or_default();
        self.next_poll = at;
        self.due = now.mono.checked_add(wait).unwrap_or(Duration::MAX);
        at
    }

    /// The next poll `wait` from now; returns when.
    fn poll_after(&mut self, now: &Now, wait: Duration) -> DateTime<Utc> {
        let at = Span::from_std(wait).ok().and_then(|w| now.wall.checked_add_signed(w)).unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.poll_next(now, at);
        self.due = now.mono.checked_add(wait).unwrap_or(Duration::MAX);
        at
    }

    /// Whether the backend must be opened again (reading the keyring) before polling; reading it
    /// clears it.
    pub fn take_reconnect(&mut self) -> bool {
        std::mem::take(&mut self.reconnect)
    }

    /// The user, or the network coming back: poll now.
    pub fn poll_now(&mut self, now: &Now) {
        self.poll_next(now, now.wall);
    }

    /// The machine woke from sleep: what was backing off starts afresh, and it polls now.
    pub fn woke(&mut self, now: &Now) {
        self.transient = 0;
        self.poll_now(now);
    }

    /// A new token was stored: read it and poll now, whatever the backoff said.
    pub fn token_changed(&mut self, now: &Now) {
        self.transient = 0;
        self.keyring = 0;
        self.reconnect = true;
        self.poll_now(now);
    }

    /// A poll listed `list`. Returns what to notify, given the stored seen set (`None` on the
    /// very first run); the next poll is an interval away.
    pub fn listed(&mut self, now: &Now, me: &str, stored: Option<&SeenSet>, list: &[Escalation]) -> Decision {
        self.transient = 0;
        self.keyring = 0;
        self.poll_after(now, self.interval);
        decide(stored, me, list)
    }

    /// The seen set to store once `decision`'s notices were shown, except `unshown` (indexes):
    /// those are decided again at the next poll, so none is lost and none shown twice. `None`:
    /// store nothing (the first run's summary could not be shown).
    pub fn delivered(&self, stored: Option<&SeenSet>, decision: &Decision, unshown: &[usize]) -> Option<SeenSet> {
        seen_after_delivery(stored, decision, unshown)
    }

    /// A poll failed; returns when to poll next. `jitter` is a random fraction in 0..1.
    pub fn failed(&mut self, now: &Now, failure: PollFailure, jitter: f64) -> DateTime<Utc> {
        match failure {
            PollFailure::RateLimited { until } => self.poll_next(now, until.max(now.wall)),
            PollFailure::Transient => {
                let wait = backoff(self.transient, TRANSIENT_BASE, TRANSIENT_MAX, jitter);
                self.transient = self.transient.saturating_add(1);
                self.poll_after(now, wait)
            }
            PollFailure::Unauthorized | PollFailure::MissingToken => {
                // The person may store a new token meanwhile: read the keyring again next time.
                self.reconnect = true;
                self.poll_after(now, AUTH_RETRY)
            }
            PollFailure::Keyring => {
                self.keyring = self.keyring.saturating_add(1);
                self.reconnect = true;
                self.poll_after(now, keyring_retry(self.keyring).max(self.interval))
            }
            PollFailure::Other => self.poll_after(now, self.interval),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escalation::{Notice, Severity};
    use crate::wake::tests::{asleep, at, t0};

    fn secs(s: i64) -> Span {
        Span::seconds(s)
    }

    fn esc(id: &str, assignee: &str) -> Escalation {
        Escalation {
            id: id.into(),
            title: format!("E{id}"),
            severity: Severity::Sev3,
            assignee: Some(assignee.into()),
            created_at: t0(),
            ..Escalation::default()
        }
    }

    #[test]
    fn it_polls_at_once_then_every_interval() {
        let mut p = PollState::new(Duration::from_secs(60), &at(0.0));
        assert!(p.is_due(&at(0.0)));
        p.listed(&at(0.0), "ann", None, &[]);
        assert_eq!(p.poll_at(), t0() + secs(60));
        assert!(!p.is_due(&at(59.0)));
        assert!(p.is_due(&at(60.0)));
    }

    #[test]
    fn each_assignment_is_notified_exactly_once_and_an_unshown_one_again() {
        let mut p = PollState::new(Duration::from_secs(60), &at(0.0));
        // First run: one summary of what is already mine.
        let d = p.listed(&at(0.0), "ann", None, &[esc("1", "ann")]);
        assert!(matches!(d.notices.as_slice(), [Notice::Summary { .. }]));
        let stored = p.delivered(None, &d, &[]).unwrap();
        // A new one: one notice; it could not be shown, so it is decided again next time.
        let list = [esc("1", "ann"), esc("2", "ann")];
        let d = p.listed(&at(60.0), "ann", Some(&stored), &list);
        assert_eq!(d.notices.len(), 1);
        let stored = p.delivered(Some(&stored), &d, &[0]).unwrap();
        let d = p.listed(&at(120.0), "ann", Some(&stored), &list);
        assert_eq!(d.notices.len(), 1, "not shown: tried again");
        let stored = p.delivered(Some(&stored), &d, &[]).unwrap();
        // Shown: never again.
        let d = p.listed(&at(180.0), "ann", Some(&stored), &list);
        assert!(d.notices.is_empty());
        // A failed first summary stores nothing: the next poll is a first run again.
        let mut fresh = PollState::new(Duration::from_secs(60), &at(0.0));
        let d = fresh.listed(&at(0.0), "ann", None, &list);
        assert_eq!(fresh.delivered(None, &d, &[0]), None);
    }

    #[test]
    fn transient_failures_back_off_and_a_success_or_a_wake_starts_afresh() {
        let mut p = PollState::new(Duration::from_secs(60), &at(0.0));
        // Jitter 1: the full step, 2 s doubling.
        assert_eq!(p.failed(&at(0.0), PollFailure::Transient, 1.0), t0() + secs(2));
        assert_eq!(p.failed(&at(0.0), PollFailure::Transient, 1.0), t0() + secs(4));
        assert_eq!(p.failed(&at(0.0), PollFailure::Transient, 1.0), t0() + secs(8));
        for _ in 0..20 {
            p.failed(&at(0.0), PollFailure::Transient, 1.0);
        }
        assert_eq!(p.poll_at(), t0() + secs(300), "capped at five minutes");
        p.woke(&at(10.0));
        assert!(p.is_due(&at(10.0)), "a wake polls at once");
        assert_eq!(p.failed(&at(0.0), PollFailure::Transient, 1.0), t0() + secs(2), "and the backoff starts again");
        p.listed(&at(0.0), "ann", None, &[]);
        assert_eq!(p.failed(&at(0.0), PollFailure::Transient, 1.0), t0() + secs(2));
    }

    #[test]
    fn the_shell_sleeps_until_the_poll_and_a_sleep_of_the_machine_polls_at_once() {
        let start = at(0.0);
        let mut p = PollState::new(Duration::from_secs(300), &start);
        assert!(p.tick(start), "the first poll at once");
        p.listed(&start, "ann", None, &[]);
        assert_eq!(p.wake(&start), Wake::after(Duration::from_secs(60)), "no wait past the longest: a sleep is looked for");
        assert!(!p.tick(at(60.0)));
        assert_eq!(p.wake(&at(270.0)).wait(), Duration::from_secs(30));
        assert!(p.tick(at(300.0)));
        // Backing off, then a night's sleep: the backoff starts afresh and it polls as it wakes.
        for _ in 0..6 {
            p.failed(&at(301.0), PollFailure::Transient, 1.0);
        }
        let woke = asleep(at(302.0), 8 * 3600);
        assert!(p.tick(woke));
        assert_eq!(p.failed(&woke, PollFailure::Transient, 1.0), woke.wall + secs(2));
        // A long wait awake (a slow request, a held-up process) is no sleep: due once.
        p.listed(&woke, "ann", None, &[]);
        let late = Now { mono: woke.mono + Duration::from_secs(3600), ..asleep(woke, 3600) };
        assert!(p.tick(late), "the poll came due meanwhile");
        p.listed(&late, "ann", None, &[]);
        assert!(!p.tick(Now { mono: late.mono + Duration::from_secs(1), ..asleep(late, 1) }));
    }

    #[test]
    fn a_pinned_clock_still_polls_every_interval() {
        // ROTA_NOW pins the person's clock: it stands still, and the polls go on all the same.
        let pinned = |secs: f64| Now { wall: t0(), ..at(secs) };
        let mut p = PollState::new(Duration::from_secs(120), &pinned(0.0));
        let mut polls = vec![];
        for s in (0..=600).step_by(60) {
            if p.tick(pinned(s as f64)) {
                polls.push(s);
                p.listed(&pinned(s as f64), "ann", None, &[]);
            }
        }
        assert_eq!(polls, [0, 120, 240, 360, 480, 600]);
        assert_eq!(p.poll_at(), t0() + secs(120), "said in the pinned clock");
    }

    #[test]
    fn a_rate_limit_is_waited_out() {
        let mut p = PollState::new(Duration::from_secs(60), &at(0.0));
        assert_eq!(p.failed(&at(0.0), PollFailure::RateLimited { until: t0() + secs(900) }, 0.5), t0() + secs(900));
        assert_eq!(p.failed(&at(0.0), PollFailure::RateLimited { until: t0() - secs(5) }, 0.5), t0());
    }

    #[test]
    fn a_rejected_token_waits_ten_minutes_rereads_the_keyring_and_a_new_token_is_tried_at_once() {
        let mut p = PollState::new(Duration::from_secs(60), &at(0.0));
        assert_eq!(p.failed(&at(0.0), PollFailure::Unauthorized, 0.5), t0() + secs(600));
        assert!(p.take_reconnect(), "the keyring is read again");
        assert!(!p.take_reconnect());
        assert_eq!(p.failed(&at(0.0), PollFailure::MissingToken, 0.5), t0() + secs(600));
        p.token_changed(&at(30.0));
        assert!(p.is_due(&at(30.0)), "a token saved in Settings is tried at once");
        assert!(p.take_reconnect());
    }

    #[test]
    fn a_failed_or_dismissed_keyring_unlock_backs_off_instead_of_prompting_each_poll() {
        let mut p = PollState::new(Duration::from_secs(60), &at(0.0));
        let waits: Vec<i64> = (0..6).map(|_| (p.failed(&at(0.0), PollFailure::Keyring, 0.5) - t0()).num_seconds()).collect();
        assert_eq!(waits, [60, 120, 240, 480, 600, 600]);
        assert!(p.take_reconnect());
        p.listed(&at(0.0), "ann", None, &[]);
        assert_eq!(p.failed(&at(0.0), PollFailure::Keyring, 0.5), t0() + secs(60), "a success resets it");
        // A long interval is never shortened by it.
        let mut slow = PollState::new(Duration::from_secs(900), &at(0.0));
        assert_eq!(slow.failed(&at(0.0), PollFailure::Keyring, 0.5), t0() + secs(900));
    }

    #[test]
    fn other_failures_wait_the_interval() {
        let mut p = PollState::new(Duration::from_secs(60), &at(0.0));
        assert_eq!(p.failed(&at(0.0), PollFailure::Other, 0.5), t0() + secs(60));
        assert!(!p.take_reconnect());
    }
}
