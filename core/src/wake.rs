//! The one timing rule Rota's timing machines share: the escalations poller
//! ([`crate::poll::PollState`]), the outbox's sender ([`crate::sending::SendSchedule`]) and the
//! file follower ([`crate::follow::Follow`]).
//!
//! In quinn-proto's way, a machine neither waits nor reads a clock. The shell reads the clocks
//! into a [`Now`] and hands it in with whatever happened; the machine answers what to do and a
//! [`Wake`]: how long the shell may sleep before asking again. The shell sleeps on a timer that
//! counts suspended time, so a wait that ends while the machine is asleep ends as it wakes; and
//! since no wait is longer than [`LONGEST_WAIT`], a sleep of the machine ([`SleepWatch`]) is
//! noticed within that of waking, whatever the machine was waiting for.
//!
//! It is not a timer and not the clock: `rota-io`'s `clock.rs` reads the clocks and sleeps.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// No machine waits longer than this before it is asked again.
pub const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// How much further the system's wall clock must move than the monotonic clock to count as a
/// sleep of the machine: less is a clock nudged by NTP.
pub const SLEEP_SLACK: Duration = Duration::from_secs(3);

/// The clocks, read at one moment by the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// What time it is for the person: the wall clock, or the instant `ROTA_NOW` pins. Deadlines
    /// of the world are set in it: a minute boundary, a retry time, a rate limit's reset.
    pub wall: DateTime<Utc>,
    /// The system's wall clock, never pinned: it goes on while the machine sleeps (and can be set
    /// by hand).
    pub system: DateTime<Utc>,
    /// A monotonic clock from an origin of the shell's choosing: never set, and stopped while
    /// the machine sleeps. Waits measured from an event (a debounce, a re-fetch) are set in it.
    pub mono: Duration,
}

impl Now {
    /// Whether the machine slept between `before` and this reading: the system's clock moved
    /// further than the monotonic one, by more than [`SLEEP_SLACK`]. A clock set back is no sleep.
    pub fn slept_since(&self, before: &Now) -> bool {
        let awake = self.mono.saturating_sub(before.mono);
        (self.system - before.system).to_std().is_ok_and(|passed| passed > awake + SLEEP_SLACK)
    }
}

/// When a machine wants to be asked again: a wait from the reading it was given, never longer
/// than [`LONGEST_WAIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Wake(Duration);

impl Wake {
    /// Ask again at once.
    pub const NOW: Wake = Wake(Duration::ZERO);

    /// After `wait`.
    pub fn after(wait: Duration) -> Wake {
        Wake(wait.min(LONGEST_WAIT))
    }

    /// When the wall clock reaches `at` (at once when it has).
    pub fn at(at: DateTime<Utc>, now: &Now) -> Wake {
        Wake::after((at - now.wall).to_std().unwrap_or_default())
    }

    /// When the monotonic clock reaches `mono` (at once when it has).
    pub fn at_mono(mono: Duration, now: &Now) -> Wake {
        Wake::after(mono.saturating_sub(now.mono))
    }

    /// How long the shell sleeps.
    pub fn wait(self) -> Duration {
        self.0
    }

    pub fn is_now(self) -> bool {
        self.0.is_zero()
    }
}

/// Tells, reading after reading, whether the machine slept since the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SleepWatch {
    last: Option<Now>,
}

impl SleepWatch {
    /// A watch whose first reading is `now`.
    pub fn first(now: Now) -> SleepWatch {
        SleepWatch { last: Some(now) }
    }

    /// Whether the machine slept since the reading before `now` (never on the first).
    pub fn slept(&mut self, now: Now) -> bool {
        let slept = self.last.is_some_and(|before| now.slept_since(&before));
        self.last = Some(now);
        slept
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 5, 12, 0, 0).unwrap()
    }

    /// A reading `secs` after the start, awake all along, the wall clock the system's.
    pub(crate) fn at(secs: f64) -> Now {
        let d = Duration::from_secs_f64(secs);
        let wall = t0() + chrono::Duration::from_std(d).unwrap();
        Now { wall, system: wall, mono: d }
    }

    /// `now`, after the machine slept `secs` (the monotonic clock stood still).
    pub(crate) fn asleep(now: Now, secs: i64) -> Now {
        let gone = chrono::Duration::seconds(secs);
        Now { wall: now.wall + gone, system: now.system + gone, mono: now.mono }
    }

    #[test]
    fn a_sleep_is_the_system_clock_moving_past_the_monotonic_one() {
        let check = |mono: u64, wall: i64, expected: bool| {
            let before = at(0.0);
            let after = Now { wall: before.wall, system: before.system + chrono::Duration::seconds(wall), mono: Duration::from_secs(mono) };
            assert_eq!(after.slept_since(&before), expected, "mono {mono} s, wall {wall} s");
        };
        check(5, 5, false); // awake
        check(5, 7, false); // NTP nudges are no sleep
        check(5, 9, true); // 4 s lost
        check(5, 3600, true); // an hour asleep
        check(5, -60, false); // the clock was set back
        check(3600, 3600, false); // a long wait, awake (a busy process, a slow request)
    }

    #[test]
    fn the_pinned_clock_does_not_hide_a_sleep() {
        // ROTA_NOW pins `wall`; the system's clock still tells the sleep.
        let before = at(0.0);
        let after = Now { wall: before.wall, ..asleep(at(1.0), 8 * 3600) };
        assert!(after.slept_since(&before));
    }

    #[test]
    fn a_watch_says_each_sleep_once() {
        let mut w = SleepWatch::default();
        assert!(!w.slept(at(0.0)), "the first reading");
        assert!(!w.slept(at(60.0)));
        assert!(w.slept(asleep(at(61.0), 3600)));
        assert!(!w.slept(asleep(at(62.0), 3600)), "said once");
    }

    #[test]
    fn a_wake_is_a_wait_from_the_reading_never_past_the_longest() {
        let now = at(10.0);
        assert_eq!(Wake::at(now.wall + chrono::Duration::seconds(5), &now).wait(), Duration::from_secs(5));
        assert_eq!(Wake::at(now.wall - chrono::Duration::seconds(5), &now), Wake::NOW, "passed: at once");
        assert_eq!(Wake::at(now.wall + chrono::Duration::hours(3), &now).wait(), LONGEST_WAIT);
        assert_eq!(Wake::at_mono(Duration::from_millis(10_150), &now).wait(), Duration::from_millis(150));
        assert!(Wake::at_mono(Duration::from_secs(9), &now).is_now());
        assert_eq!(Wake::after(Duration::from_secs(900)).wait(), LONGEST_WAIT);
        assert_eq!(Wake::after(Duration::from_secs(1)).min(Wake::after(Duration::from_secs(2))).wait(), Duration::from_secs(1));
    }
}
