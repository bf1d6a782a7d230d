//! When the tray's outbox sender looks at the outbox again: its decisions, without IO, by the
//! timing rule every machine shares ([`crate::wake`]).
//!
//! The shell (`io/src/tray.rs`'s sender) sends what is due at [`SendSchedule::sending_at`],
//! tells the schedule what it found ([`Looked`]) and sleeps for the [`Wake`] it answers. It looks:
//! - at start, and at once when told (something was filed, settings or the token changed);
//! - when the next queued escalation is due (its own backoff, kept in the outbox), at least a
//!   second and at most a minute away;
//! - when the backend could not be opened (the keyring locked, the unlock dismissed): after a
//!   minute, doubling up to ten ([`crate::poll::keyring_retry`]), rather than an unlock prompt
//!   each minute;
//! - with nothing waiting, every [`IDLE_LOOK`] anyway (what a process queued without telling the
//!   tray, say while the session bus was away);
//! - as the machine wakes from a sleep.
//!
//! It is not the outbox (`io/src/escalations/outbox.rs` keeps each escalation's own backoff)
//! and it sends nothing.

use crate::poll::keyring_retry;
use crate::wake::{Now, SleepWatch, Wake};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// With nothing waiting, the outbox is looked at again this often anyway.
pub const IDLE_LOOK: Duration = Duration::from_secs(15 * 60);
/// With something waiting, the next look is at least this far away...
pub const SOONEST: Duration = Duration::from_secs(1);
/// ...and at most this far.
pub const LATEST: Duration = Duration::from_secs(60);

/// What a look at the outbox found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Looked {
    /// Escalations still waiting to be sent.
    pub waiting: usize,
    /// When the next of them is due (in [`SendSchedule::sending_at`]'s time).
    pub next: Option<DateTime<Utc>>,
    /// The backend could not be opened (the keyring locked or refusing, no token).
    pub blocked: bool,
}

/// The sender's state between looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendSchedule {
    /// When to look next, on the monotonic clock.
    look_at: Duration,
    /// Looks in a row that found the backend blocked.
    blocked: u32,
    sleep: SleepWatch,
}

impl SendSchedule {
    /// A sender that looks at once.
    pub fn new(now: Now) -> SendSchedule {
        SendSchedule { look_at: now.mono, blocked: 0, sleep: SleepWatch::first(now) }
    }

    /// The instant the outbox is sent at: the later of the person's clock and the system's, so
    /// that an escalation is due whichever clock stamped it (`ROTA_NOW` pins the person's clock
    /// in tests and demos; escalations queued by other processes may carry either).
    pub fn sending_at(now: &Now) -> DateTime<Utc> {
        now.wall.max(now.system)
    }

    /// Something was filed, or the settings or the token changed: look at once.
    pub fn asked(&mut self, now: Now) {
        self.look_at = now.mono;
    }

    /// When the shell asks again.
    pub fn wake(&self, now: &Now) -> Wake {
        Wake::at_mono(self.look_at, now)
    }

    /// The shell woke at `now`: whether to look at the outbox (it is time, or the machine slept).
    pub fn step(&mut self, now: Now) -> bool {
        let slept = self.sleep.slept(now);
        slept || now.mono >= self.look_at
    }

    /// A look ended at `now` and found `looked`: when to look next.
    pub fn looked(&mut self, now: Now, looked: Looked) {
        self.blocked = if looked.blocked { self.blocked.saturating_add(1) } else { 0 };
        let wait = match (looked.waiting, looked.next) {
            _ if self.blocked > 0 => keyring_retry(self.blocked),
            (0, _) => IDLE_LOOK,
            (_, Some(t)) => (t - Self::sending_at(&now)).to_std().unwrap_or_default().clamp(SOONEST, LATEST),
            (_, None) => LATEST,
        };
        self.look_at = now.mono + wait;
    }

    /// How long until the next look, from `now` (beyond the longest wait of a [`Wake`]).
    pub fn next_look(&self, now: &Now) -> Duration {
        self.look_at.saturating_sub(now.mono)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wake::tests::{asleep, at};
    use chrono::Duration as Span;

    fn waiting(n: usize, next: Option<DateTime<Utc>>) -> Looked {
        Looked { waiting: n, next, blocked: false }
    }

    #[test]
    fn it_looks_at_start_then_when_the_next_escalation_is_due() {
        let start = at(0.0);
        let mut s = SendSchedule::new(start);
        assert!(s.wake(&start).is_now());
        assert!(s.step(start));
        s.looked(start, waiting(1, Some(start.wall + Span::seconds(8))));
        assert_eq!(s.next_look(&start), Duration::from_secs(8));
        assert!(!s.step(at(7.0)));
        assert!(s.step(at(8.0)));
    }

    #[test]
    fn the_next_look_is_a_second_to_a_minute_away_while_something_waits() {
        let now = at(0.0);
        let check = |looked: Looked, expected: u64| {
            let mut s = SendSchedule::new(now);
            s.looked(now, looked);
            assert_eq!(s.next_look(&now), Duration::from_secs(expected), "{looked:?}");
        };
        check(waiting(1, Some(now.wall - Span::seconds(5))), 1); // overdue: not a busy loop
        check(waiting(1, Some(now.wall + Span::hours(2))), 60); // a long backoff is looked at each minute
        check(waiting(2, None), 60);
        check(waiting(0, None), 15 * 60); // nothing waits: now and then anyway
    }

    #[test]
    fn a_blocked_backend_backs_off_and_a_request_looks_at_once() {
        let now = at(0.0);
        let mut s = SendSchedule::new(now);
        let blocked = Looked { waiting: 1, next: None, blocked: true };
        let waits: Vec<u64> = (0..6)
            .map(|_| {
                s.looked(now, blocked);
                s.next_look(&now).as_secs()
            })
            .collect();
        assert_eq!(waits, [60, 120, 240, 480, 600, 600]);
        s.asked(at(5.0));
        assert!(s.wake(&at(5.0)).is_now(), "something filed, or a new token: at once");
        s.looked(at(5.0), waiting(1, None));
        assert_eq!(s.next_look(&at(5.0)), LATEST, "an open backend starts afresh");
    }

    #[test]
    fn a_sleep_of_the_machine_looks_as_it_wakes() {
        let mut s = SendSchedule::new(at(0.0));
        s.looked(at(0.0), waiting(0, None));
        assert!(!s.step(at(60.0)));
        assert!(s.step(asleep(at(61.0), 8 * 3600)));
    }

    #[test]
    fn a_pinned_clock_sends_on_the_later_of_the_two() {
        let real = at(0.0);
        let past = Now { wall: real.wall - Span::days(900), ..real };
        let future = Now { wall: real.wall + Span::days(900), ..real };
        assert_eq!(SendSchedule::sending_at(&past), real.system);
        assert_eq!(SendSchedule::sending_at(&future), future.wall);
        // A backoff set in the pinned future is waited as set, not for years.
        let mut s = SendSchedule::new(future);
        s.looked(future, waiting(1, Some(future.wall + Span::seconds(4))));
        assert_eq!(s.next_look(&future), Duration::from_secs(4));
    }

    #[test]
    fn a_big_jump_of_the_monotonic_clock_looks_once() {
        let mut s = SendSchedule::new(at(0.0));
        s.looked(at(0.0), waiting(1, None));
        assert!(s.step(at(3600.0)), "held up an hour: due");
        s.looked(at(3600.0), waiting(1, None));
        assert!(!s.step(at(3601.0)), "and not again at once");
    }
}
