//! The clock and the system's zone: the only place Rota reads them.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// `ROTA_NOW` (RFC 3339) pins the clock for tests, demos and screenshots.
pub const NOW_VAR: &str = "ROTA_NOW";

/// Now, or the pinned instant. An unreadable `ROTA_NOW` is an error, not silently ignored.
pub fn now() -> Result<DateTime<Utc>, String> {
    match std::env::var(NOW_VAR) {
        Ok(v) if !v.trim().is_empty() => parse_instant(&v).map_err(|e| format!("{NOW_VAR}: {e}")),
        _ => Ok(Utc::now()),
    }
}

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

/// The system's wall clock, ignoring `ROTA_NOW`: for telling how much real time passed (a sleep
/// of the machine), never for what the user sees.
pub fn system_time() -> std::time::SystemTime {
    std::time::SystemTime::now()
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
    use std::time::{Duration, Instant};

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
