//! When the processes that show the schedule read their files and sources again, and when they
//! show the state again: the file follower's decisions, without IO, by the timing rule every
//! machine shares ([`crate::wake`]).
//!
//! The shell (`io/src/live.rs`'s `follow`) tells it what happened (a watched file changed,
//! someone asked for a reload, a change was found that no watch saw) and sleeps for the
//! [`Wake`] it answers; at each wake, [`Follow::step`] says whether to read everything again.
//! The state is shown again at every step: each minute boundary of the person's clock, so the
//! menu's "ends in 3 h" moves on.
//!
//! It reads again:
//! - a moment after a watched file changed ([`SETTLE`]): an editor's save is a burst of events,
//!   read once;
//! - at once when asked (Settings saved a config), or when a change was found that no watch saw
//!   (a file written before its folder was watched);
//! - when URL sources are due ([`REFETCH`] after the last read);
//! - as the machine wakes from a sleep;
//! - where no watch could be set up, at each minute boundary when the files' modification times
//!   say they changed (the shell looks: [`Step::look`]).
//!
//! It is not the reading, the watching or the showing.

use crate::tray::next_tick;
use crate::wake::{Now, SleepWatch, Wake};
use std::time::Duration;

/// How long a burst of file events is let settle into one read.
pub const SETTLE: Duration = Duration::from_millis(150);
/// URL sources are fetched again this often (a conditional request: cheap when unchanged).
pub const REFETCH: Duration = Duration::from_secs(300);

/// The follower's state between wakes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Follow {
    /// When to read again, on the monotonic clock: set by a change or a request.
    read_at: Option<Duration>,
    /// When everything was last read, on the monotonic clock.
    read: Duration,
    /// Whether a source is fetched over the network (and so fetched again on an interval).
    url_sources: bool,
    /// Whether the watched files' changes are seen (a file watch could be set up).
    watching: bool,
    sleep: SleepWatch,
}

/// What to do at a wake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Read the config and the sources again, then tell [`Follow::read`].
    pub read: bool,
    /// Look at the watched files' modification times (no watch sees them); a change found is
    /// [`Follow::missed`].
    pub look: bool,
}

impl Follow {
    /// A follower of what was just read at `now`.
    pub fn new(now: Now, url_sources: bool) -> Follow {
        Follow { read_at: None, read: now.mono, url_sources, watching: true, sleep: SleepWatch::first(now) }
    }

    /// A watched file changed: read once it settles. Events of the same burst do not put the
    /// read off.
    pub fn file_changed(&mut self, now: Now) {
        let settled = now.mono + SETTLE;
        self.read_at = Some(self.read_at.map_or(settled, |at| at.min(settled)));
    }

    /// Someone asked for a read (Settings saved a config): at once.
    pub fn asked(&mut self, now: Now) {
        self.read_at = Some(now.mono);
    }

    /// A change was found that no watch saw: read at once.
    pub fn missed(&mut self, now: Now) {
        self.asked(now);
    }

    /// Whether file changes are watched; without a watch the files are looked at each minute.
    pub fn watching(&mut self, watching: bool) {
        self.watching = watching;
    }

    /// When the shell asks again: the next minute boundary of the person's clock, a settling
    /// change, the next fetch of URL sources, whichever comes first.
    pub fn wake(&self, now: &Now) -> Wake {
        let tick = Wake::at(next_tick(now.wall), now);
        let read = self.read_at.map(|at| Wake::at_mono(at, now));
        let fetch = self.url_sources.then(|| Wake::at_mono(self.read + REFETCH, now));
        [Some(tick), read, fetch].into_iter().flatten().min().unwrap_or(tick)
    }

    /// The shell woke at `now`: what to do before showing the state again.
    pub fn step(&mut self, now: Now) -> Step {
        let slept = self.sleep.slept(now);
        let due = self.read_at.is_some_and(|at| now.mono >= at);
        let fetch = self.url_sources && now.mono >= self.read + REFETCH;
        Step { read: slept || due || fetch, look: !self.watching }
    }

    /// Everything was read again at `now` (taken before the read began); `url_sources` says
    /// whether the settings read name a source on the network.
    pub fn read(&mut self, now: Now, url_sources: bool) {
        self.read = now.mono;
        self.url_sources = url_sources;
        // A change during the read was read, or comes as an event after it.
        if self.read_at.is_some_and(|at| at <= now.mono) {
            self.read_at = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wake::tests::{asleep, at};
    use crate::wake::LONGEST_WAIT;

    /// Steps a follower through `(seconds, event)`, and returns the seconds at which it read.
    fn reads(follow: &mut Follow, events: &[(f64, &str)]) -> Vec<f64> {
        let mut read = vec![];
        for &(t, event) in events {
            let now = at(t);
            match event {
                "changed" => follow.file_changed(now),
                "asked" => follow.asked(now),
                "wake" => {
                    if follow.step(now).read {
                        follow.read(now, follow.url_sources);
                        read.push(t);
                    }
                }
                other => panic!("{other}"),
            }
        }
        read
    }

    #[test]
    fn it_shows_the_state_again_at_each_minute_boundary() {
        let start = at(0.0);
        let f = Follow::new(start, false);
        assert_eq!(f.wake(&start), Wake::after(LONGEST_WAIT), "12:00:00: next at 12:01");
        assert_eq!(f.wake(&at(59.9)).wait(), Duration::from_millis(100));
        assert_eq!(f.wake(&at(60.0)), Wake::after(LONGEST_WAIT));
    }

    #[test]
    fn a_pinned_clock_wakes_it_as_often_as_the_pinned_instant_says() {
        // ROTA_NOW a tenth of a second before a minute boundary: the wall clock stands still, so
        // every wake is a tenth of a second away (the first-run test relies on it).
        let mut now = at(59.9);
        let mut f = Follow::new(now, false);
        for i in 0..5 {
            assert_eq!(f.wake(&now).wait(), Duration::from_millis(100));
            now.mono += Duration::from_millis(100);
            now.system = at(59.9 + 0.1 * (i + 1) as f64).system;
            assert_eq!(f.step(now), Step { read: false, look: false });
        }
    }

    #[test]
    fn a_file_changed_twice_quickly_is_read_once_after_it_settles() {
        let mut f = Follow::new(at(0.0), false);
        f.file_changed(at(10.0));
        f.file_changed(at(10.05));
        assert_eq!(f.wake(&at(10.05)).wait(), Duration::from_millis(100), "the burst does not put the read off");
        assert_eq!(reads(&mut f, &[(10.1, "wake"), (10.15, "wake"), (10.2, "wake"), (60.0, "wake")]), [10.15]);
        assert!(f.wake(&at(10.2)).wait() > Duration::from_secs(49), "then the minute again");
    }

    #[test]
    fn a_file_vanishing_and_coming_back_is_read_each_time() {
        // An editor that deletes and writes anew, a second apart: two reads, each after settling.
        let mut f = Follow::new(at(0.0), false);
        let events = [(5.0, "changed"), (5.15, "wake"), (6.0, "changed"), (6.1, "wake"), (6.15, "wake")];
        assert_eq!(reads(&mut f, &events), [5.15, 6.15]);
        // Its folder went with it: the shell watches the nearest folder that is left, and a file
        // written before that watch is found by looking, and read at once.
        f.missed(at(7.0));
        assert!(f.wake(&at(7.0)).is_now());
        assert_eq!(reads(&mut f, &[(7.0, "wake")]), [7.0]);
    }

    #[test]
    fn a_request_is_read_at_once() {
        let mut f = Follow::new(at(0.0), false);
        f.asked(at(30.0));
        assert!(f.wake(&at(30.0)).is_now());
        assert_eq!(reads(&mut f, &[(30.0, "wake"), (60.0, "wake")]), [30.0]);
    }

    #[test]
    fn url_sources_are_fetched_again_every_five_minutes_and_files_are_not() {
        let mut f = Follow::new(at(0.0), true);
        assert_eq!(f.wake(&at(280.0)).wait(), Duration::from_secs(20), "the fetch before the minute");
        let minutes: Vec<(f64, &str)> = (1..=11).map(|m| (60.0 * m as f64, "wake")).collect();
        assert_eq!(reads(&mut f, &minutes), [300.0, 600.0]);
        let mut files = Follow::new(at(0.0), false);
        assert!(reads(&mut files, &minutes).is_empty());
    }

    #[test]
    fn a_sleep_of_the_machine_reads_again_as_it_wakes() {
        let mut f = Follow::new(at(0.0), false);
        let woke = asleep(at(30.0), 8 * 3600);
        assert_eq!(f.step(woke), Step { read: true, look: false });
        f.read(woke, false);
        assert!(!f.step(at(31.0)).read, "once");
    }

    #[test]
    fn a_big_jump_of_the_monotonic_clock_reads_what_came_due_once() {
        // The process was held up for ten minutes (stopped, or a very slow read): the fetch that
        // came due meanwhile is done once, not once for each five minutes missed.
        let mut f = Follow::new(at(0.0), true);
        assert_eq!(reads(&mut f, &[(600.0, "wake"), (600.1, "wake"), (660.0, "wake")]), [600.0]);
        assert_eq!(f.wake(&at(660.0)), Wake::after(LONGEST_WAIT));
    }

    #[test]
    fn without_a_watch_the_files_are_looked_at_each_minute() {
        let mut f = Follow::new(at(0.0), false);
        assert!(!f.step(at(60.0)).look);
        f.watching(false);
        assert_eq!(f.step(at(120.0)), Step { read: false, look: true });
        f.missed(at(120.0));
        assert!(f.step(at(120.0)).read, "a change found is read at once");
    }
}
