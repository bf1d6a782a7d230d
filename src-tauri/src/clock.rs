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
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("\"{s}\" is not an RFC 3339 time; write it like 2022-09-15T12:00:00Z"))
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
    s.trim().parse().map_err(|_| format!("\"{s}\" is not an IANA timezone; use a name like Europe/Berlin"))
}

/// The system's wall clock, ignoring `ROTA_NOW`: for telling how much real time passed (a sleep
/// of the machine), never for what the user sees.
pub fn system_time() -> std::time::SystemTime {
    std::time::SystemTime::now()
}
