//! Words for people: relative times and the one-line summaries the tray, the dashboard and the
//! command line share, so every front end says the same thing.

use crate::duty::Glance;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// "in 3 days", "in 5 h", "in 20 min", "now", or "3 days ago".
pub fn relative(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let secs = (to - from).num_seconds();
    let (future, s) = (secs >= 0, secs.unsigned_abs());
    let amount = if s < 60 {
        return "now".into();
    } else if s < 3600 {
        format!("{} min", s / 60)
    } else if s < 48 * 3600 {
        let (h, m) = (s / 3600, s % 3600 / 60);
        if m == 0 || h >= 10 { format!("{h} h") } else { format!("{h} h {m} min") }
    } else {
        format!("{} days", s / 86400)
    };
    if future { format!("in {amount}") } else { format!("{amount} ago") }
}

/// A short date in a zone: "Mon 10 Oct".
pub fn short_date(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%a %-d %b").to_string()
}

/// A day and time in a zone: "Mon 10 Oct 02:00".
pub fn short_datetime(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%a %-d %b %H:%M").to_string()
}

/// The engineers of a rotation as people read them: "tbliu98 + 2 open seats".
pub fn seats(engineers: &[&str], open: usize) -> String {
    let mut s = engineers.join(", ");
    if open > 0 {
        if !s.is_empty() {
            s.push_str(" + ");
        }
        s.push_str(&format!("{open} open seat{}", if open == 1 { "" } else { "s" }));
    }
    if s.is_empty() {
        s.push_str("nobody yet");
    }
    s
}

/// The next hand-off: "Next: Mon 10 Oct, in 3 days — tbliu98 + 2 open seats", or
/// "Rotation ends Mon 10 Oct, in 3 days" when nothing follows.
pub fn next_handoff(g: &Glance, timing: &crate::Timing) -> Option<String> {
    let tz = g.viewer.timezone;
    match g.next_rotation {
        Some(n) => {
            let at = timing.starts_at(n.start);
            // With a gap before the next rotation, the current one's end comes first.
            if let (Some(h), Some(_)) = (g.next_handoff, g.rotation) {
                if h < at {
                    return Some(format!(
                        "Rotation ends {}, {}; next: {}, {} — {}",
                        short_date(h, tz),
                        relative(g.at, h),
                        short_date(at, tz),
                        relative(g.at, at),
                        seats(&n.engineers().collect::<Vec<_>>(), n.open_seats())
                    ));
                }
            }
            Some(format!(
                "Next: {}, {} — {}",
                short_date(at, tz),
                relative(g.at, at),
                seats(&n.engineers().collect::<Vec<_>>(), n.open_seats())
            ))
        }
        None => g.next_handoff.map(|h| format!("Rotation ends {}, {}; nothing scheduled after", short_date(h, tz), relative(g.at, h))),
    }
}

/// The header: "Rotation 7 Sep – 9 Oct 2022 · 1 open seat" or "No one on rotation".
pub fn header(g: &Glance) -> String {
    match g.rotation {
        Some(r) => {
            let mut s = format!("Rotation {} – {}", r.start.format("%-d %b"), r.end.format("%-d %b %Y"));
            let open = r.open_seats();
            if open > 0 {
                s.push_str(&format!(" · {open} open seat{}", if open == 1 { "" } else { "s" }));
            }
            s
        }
        None => "No one on rotation".into(),
    }
}
