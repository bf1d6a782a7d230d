//! `rota plan [--rotation START] [--json]` and `rota people [--json]`: who could fill a
//! rotation's open seats, and each engineer's rotations. The ranking and the words are the
//! core's ([`rota_core::plan`], [`rota_core::words::plan`]); this reads the inputs and lays the
//! answer out in text (fitted to the terminal) or JSON.

use super::escalate::{now, settings};
use super::render::Term;
use super::{load, print_json, show};
use crate::models;
use crate::settings::Failure;
use rota_core::plan::{self, PersonRotations, Plan};
use rota_core::words::{self, plan as said};
use rota_io::protocol::Overrides;
use std::fmt::Write;

/// `rota plan`: the named rotation, or the next one with an open seat.
pub async fn run(global: &Overrides, rotation: Option<String>, json: bool, term: &Term) -> Result<i32, Failure> {
    let now = now()?;
    let settings = settings(global)?;
    let inputs = load(&settings, now).await?;
    let (timing, team_size) = (settings.config.schedule.timing, settings.config.schedule.team_size);
    let schedule = &inputs.schedule;
    let chosen = match rotation.as_deref() {
        Some(text) => {
            let day = rota_core::schedule::iso_date(text.trim())
                .ok_or_else(|| Failure::Usage(format!("--rotation {text:?} is not a date: write it as YYYY-MM-DD")))?;
            Some(schedule.rotations.iter().find(|r| r.start == day).ok_or_else(|| {
                Failure::input(format!("no rotation starts on {day}: `rota schedule` lists every rotation with its first day"))
            })?)
        }
        None => plan::next_open(schedule, &timing, team_size, now),
    };
    let Some(r) = chosen else {
        if json {
            print_json(&());
        } else {
            super::say(said::NOTHING_OPEN);
        }
        return Ok(0);
    };
    let p = plan::plan(schedule, &inputs.roster, &timing, team_size, settings.viewer, r);
    if json {
        print_json(&models::Plan::from(&p));
    } else {
        show(&text(&p, term), term.color);
    }
    Ok(0)
}

/// `rota people`: the roster, whose turn it is first.
pub async fn people(global: &Overrides, json: bool, term: &Term) -> Result<i32, Failure> {
    let now = now()?;
    let settings = settings(global)?;
    let inputs = load(&settings, now).await?;
    let list = plan::people(&inputs.schedule, &inputs.roster, &settings.config.schedule.timing, now);
    if json {
        print_json(&list.iter().map(models::PersonRotations::from).collect::<Vec<_>>());
    } else {
        show(&people_text(&list, term), term.color);
    }
    Ok(0)
}

/// The text of `rota plan`: the rotation and its gap, the candidates best first with why, the
/// picks and the row to paste (never wrapped: it is pasted whole).
pub fn text(p: &Plan, term: &Term) -> String {
    let r = &p.rotation;
    let engineers: Vec<&str> = r.engineers().collect();
    let mut out = String::new();
    let head = format!("Rotation {} to {}: {}", r.start, r.end, words::seats(&engineers, p.open_seats));
    let _ = writeln!(out, "{}", term.wrap(&head, 4));
    let _ = writeln!(out, "{}\n", term.wrap(&said::gap(p.gap_before), 4));
    if p.candidates.is_empty() {
        let _ = writeln!(out, "{}", term.wrap(said::NO_CANDIDATES, 4));
        return out;
    }
    let _ = writeln!(out, "{}", said::CANDIDATES);
    for (i, c) in p.candidates.iter().enumerate() {
        let zone = c.timezone.map_or(said::NO_ZONE, |z| z.name());
        let who = if c.name == c.handle { format!("@{}", c.handle) } else { format!("@{} ({})", c.handle, c.name) };
        let _ = writeln!(out, "{}", indented(term, &format!("{}. {who}, {zone}", i + 1), 0, 4));
        let _ = writeln!(out, "{}", indented(term, &c.reason, 4, 4));
    }
    out.push('\n');
    if p.picks.is_empty() {
        let _ = writeln!(out, "{}", term.wrap(said::NO_SEAT, 4));
        return out;
    }
    let _ = writeln!(out, "{}", term.wrap(&said::picks(&p.picks, p.gap_before, p.gap_after), 4));
    let _ = writeln!(out, "{}\n", said::PASTE);
    let _ = writeln!(out, "{}", p.row);
    out
}

/// `text` wrapped to the terminal, its first line indented by `first` spaces and the rest by
/// `rest`.
fn indented(term: &Term, text: &str, first: usize, rest: usize) -> String {
    let narrower = Term { width: term.width.saturating_sub(first), ..*term };
    let hang = rest.saturating_sub(first);
    format!("{}{}", " ".repeat(first), narrower.wrap(text, hang).replace('\n', &format!("\n{}", " ".repeat(first))))
}

/// The text of `rota people`: one engineer a row, whose turn it is first.
pub fn people_text(list: &[PersonRotations], term: &Term) -> String {
    let mut out = format!("{}\n\n", term.wrap(said::PEOPLE_ORDER, 4));
    let header = ["ENGINEER", "ROTATIONS", "LAST ENDED", "NEXT", "NAME, TIMEZONE"].map(String::from).to_vec();
    let rows: Vec<Vec<String>> = std::iter::once(header)
        .chain(list.iter().map(|p| {
            let next = match (p.on_now, p.next_start) {
                (true, _) => said::ON_NOW.to_owned(),
                (false, Some(d)) => d.to_string(),
                (false, None) => "-".to_owned(),
            };
            let zone = p.person.timezone.map_or(said::NO_ZONE, |z| z.name());
            vec![
                format!("@{}", p.person.handle),
                p.rotations.len().to_string(),
                p.last_end.map_or("-".to_owned(), |d| d.to_string()),
                next,
                format!("{}, {zone}", p.person.name),
            ]
        }))
        .collect();
    out.push_str(&super::render::table(&rows, "", term, |r, _| (r == 0).then_some("1")));
    out
}
