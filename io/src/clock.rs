//! The clock and the system's zone: the only place Rota reads them, and `ROTA_NOW`.
//!
//! A command reads the time once ([`now`]); a process that runs all day reads `ROTA_NOW` once at
//! start into a [`Clock`] (a bad one is said then, and the process does not start), and its
//! timing machines are handed the clocks as a [`Now`] ([`Clock::reading`]).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rota_core::wake::Now;
use std::sync::OnceLock;
use std::time::Instant;

/// `ROTA_NOW` (RFC 3339) pins the clock for tests, demos and screenshots.
pub const NOW_VAR: &str = "ROTA_NOW";

/// Now, or the pinned instant. An unreadable `ROTA_NOW` is an error, not silently ignored.
pub fn now() -> Result<DateTime<Utc>, String> {
    Clock::from_env().map(|c| c.now())
}

/// The clock of a process that runs all day, read once as it starts. A bad `ROTA_NOW` is said as
/// the command line says it (`rota: error: ROTA_NOW: …`); the `Err` is the exit status (2, a usage
/// error), and the process does not start.
pub fn at_start() -> Result<Clock, i32> {
    Clock::from_env().map_err(|e| {
        eprintln!("rota: error: {e}");
        2
    })
}

/// The person's clock: the system's, or pinned at the instant `ROTA_NOW` names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    pinned: Option<DateTime<Utc>>,
}

impl Clock {
    /// The clock `ROTA_NOW` asks for. An unreadable `ROTA_NOW` is an error that names it and the
    /// form it takes.
    pub fn from_env() -> Result<Clock, String> {
        match std::env::var(NOW_VAR) {
            Ok(v) if !v.trim().is_empty() => parse_instant(&v).map(|t| Clock { pinned: Some(t) }).map_err(|e| format!("{NOW_VAR}: {e}")),
            _ => Ok(Clock::system()),
        }
    }

    /// The system's clock, whatever `ROTA_NOW` says.
    pub fn system() -> Clock {
        Clock { pinned: None }
    }

    /// A clock that stands at `at`.
    pub fn pinned(at: DateTime<Utc>) -> Clock {
        Clock { pinned: Some(at) }
    }

    /// Now, or the pinned instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.pinned.unwrap_or_else(Utc::now)
    }

    /// The clocks a timing machine is handed, read at one moment.
    pub fn reading(&self) -> Now {
        let mono = ORIGIN.get_or_init(Instant::now).elapsed();
        let system = Utc::now();
        Now { wall: self.pinned.unwrap_or(system), system, mono }
    }
}

/// Where this process's monotonic readings ([`Now::mono`]) count from.
static ORIGIN: OnceLock<Instant> = OnceLock::new();

/// Parses an RFC 3339 instant ("2022-09-15T12:00:00Z", "2022-09-15T14:00:00+02:00").
/// Its year is one a schedule may name (1000-9999), so every answer about it stays in range.
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    use chrono::Datelike;
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .filter(|t| rota_core::schedule::YEARS.contains(&t.year()))
        .ok_or_else(|| format!("\"{s}\" is not an RFC 3339 time from year 1000 to 9999; write it like 2022-09-15T12:00:00Z"))
}

/// The system's zone, or UTC when it cannot be read (said on stderr by the caller).
pub fn system_zone() -> Option<Tz> {
    if let Ok(tz) = std::env::var("TZ") {
        if let Ok(z) = tz.trim_start_matches(':').parse::<Tz>() {
            return Some(z);
        }
    }
    iana_time_zone::get_timezone().ok()?.parse().ok()
}

/// Parses an IANA zone name given on the command line.
pub fn parse_zone(s: &str) -> Result<Tz, String> {
    rota_core::config::timezone(s)
}

/// The system's wall clock, ignoring `ROTA_NOW`: for telling when a file changed, stamping a
/// cache, seeding jitter, comparing with a server's clock; never for what the user sees.
pub fn system_time() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

/// [`system_time`] as an instant.
pub fn system_now() -> DateTime<Utc> {
    Utc::now()
}

/// Waits `d` of real time, suspended time included: a wait that would end while the machine is
/// asleep ends the moment it wakes. (Tokio's timers count only time awake, so a minute's wait
/// begun before a night's sleep would end a minute after waking.) On Linux this is a
/// `CLOCK_BOOTTIME` timerfd; elsewhere Tokio's timer.
pub async fn sleep(d: std::time::Duration) {
    #[cfg(target_os = "linux")]
    if boottime_sleep(d).await.is_ok() {
        return;
    }
    tokio::time::sleep(d).await;
}

#[cfg(target_os = "linux")]
async fn boottime_sleep(d: std::time::Duration) -> std::io::Result<()> {
    use std::os::fd::{FromRawFd, OwnedFd};
    // SAFETY: plain system calls on a descriptor this function owns.
    let fd = unsafe { libc::timerfd_create(libc::CLOCK_BOOTTIME, libc::TFD_NONBLOCK | libc::TFD_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    // An all-zero value disarms the timer: wait at least a nanosecond.
    let d = d.max(std::time::Duration::from_nanos(1));
    let spec = libc::itimerspec {
        it_interval: libc::timespec { tv_sec: 0, tv_nsec: 0 },
        it_value: libc::timespec { tv_sec: d.as_secs().min(i64::MAX as u64) as libc::time_t, tv_nsec: d.subsec_nanos() as libc::c_long },
    };
    use std::os::fd::AsRawFd;
    if unsafe { libc::timerfd_settime(fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` is an OwnedFd moved into the AsyncFd: open and the same for its lifetime.
    let fd =
        unsafe { tokio::io::unix::AsyncFd::register_with_interest(fd, tokio::io::Interest::READABLE) }.map_err(|e| e.into_parts().1)?;
    let _ = fd.readable().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_pinned_clock_stands_and_the_system_clock_and_monotonic_one_go_on() {
        let at = parse_instant("2022-09-15T12:00:00Z").unwrap();
        let clock = Clock::pinned(at);
        let (a, b) = (clock.reading(), clock.reading());
        assert_eq!((a.wall, b.wall), (at, at));
        assert!(b.mono >= a.mono && b.system >= a.system - chrono::Duration::seconds(1));
        let real = Clock::system().reading();
        assert_eq!(real.wall, real.system);
    }

    #[test]
    fn an_unreadable_instant_says_the_form_it_takes() {
        let e = parse_instant("soon").unwrap_err();
        assert!(e.contains("RFC 3339") && e.contains("2022-09-15T12:00:00Z"), "{e}");
        assert!(parse_instant("0999-01-01T00:00:00Z").is_err(), "out of a schedule's years");
    }

    #[test]
    fn sleep_waits_as_long_as_asked_and_no_longer_than_needed() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        for ms in [0, 30, 120] {
            let t = Instant::now();
            rt.block_on(super::sleep(Duration::from_millis(ms)));
            let took = t.elapsed();
            assert!(took >= Duration::from_millis(ms), "{ms} ms asked, {took:?} taken");
            assert!(took < Duration::from_millis(ms + 1000), "{ms} ms asked, {took:?} taken");
        }
    }
}
