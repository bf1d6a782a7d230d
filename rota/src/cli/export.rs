//! `rota export ical`: the schedule as an iCalendar file, on stdout or in a file.

use super::args::ExportFormat;
use super::{instant, load};
use crate::settings::{self, Failure};
use rota_core::ical::{self, Whose};
use rota_core::schedule::iso_date;
use rota_io::protocol::Overrides;

pub async fn run(global: &Overrides, format: ExportFormat) -> Result<i32, Failure> {
    let ExportFormat::Ical { me, person, from, to, output } = format;
    let now = instant(None)?;
    let settings = settings::resolve(global, None)?;
    let timing = settings.config.schedule.timing;
    let day = |flag: &str, v: Option<&String>| -> Result<Option<chrono::NaiveDate>, Failure> {
        v.map(|s| iso_date(s.trim()).ok_or_else(|| Failure::Usage(format!("{flag}: \"{s}\" is not a date; write YYYY-MM-DD")))).transpose()
    };
    let (from, to) = (day("--from", from.as_ref())?, day("--to", to.as_ref())?);
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            return Err(Failure::Usage(format!("--to {t} is before --from {f}; swap them")));
        }
    }
    let wanted =
        match (me, person) {
            (true, _) => Some(settings.me.clone().ok_or_else(|| {
                Failure::Usage("--me: no `me` is set in the config; set me = \"your-handle\" or use --person HANDLE".into())
            })?),
            (false, p) => p,
        };
    let inputs = load(&settings, now).await?;
    let handle = match wanted {
        Some(w) => {
            let flag = if me { "--me (the config's `me`)" } else { "--person" };
            Some(ical::find_person(&inputs.schedule, &inputs.roster, &w).map_err(|e| Failure::Usage(format!("{flag}: {e}")))?)
        }
        None => None,
    };
    let whose = handle.as_deref().map_or(Whose::Rotations, Whose::Person);
    let text = ical::export(&inputs.schedule, &timing, whose, from, to, now);
    match output {
        Some(path) => {
            // A new file owner-only (0600), like everything Rota writes; one a person made keeps its mode.
            rota_io::files::open_private(&path, true)
                .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
                .map_err(|e| Failure::input(format!("cannot write {}: {e}", path.display())))?;
        }
        None => print!("{text}"),
    }
    Ok(0)
}
