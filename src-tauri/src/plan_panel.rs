//! The dashboard's "Fill N open seats…" panel, as the page receives it: the core's plan for the
//! next rotation with an open seat ([`rota_core::plan`]), each candidate with the gap hours they
//! close and why, the picks, the row to copy, and the coverage grid of the rotation's first week
//! with the picks in their seats. Every string is the core's words.

use crate::live::Live;
use crate::views::CoverageView;
use chrono::{DateTime, Utc};
use rota_core::plan;
use rota_core::words::{self, plan as said};
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateView {
    pub handle: String,
    /// "@ann".
    pub handle_label: String,
    pub name: String,
    pub timezone: Option<String>,
    /// The gap hours a week they close: "45".
    pub closes: String,
    /// "closes 45 of 80 gap hours (Mon-Fri 00:00-09:00 UTC); never rotated".
    pub reason: String,
    /// Whether the plan puts them in a seat.
    pub picked: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanPanel {
    /// "Fill 2 open seats…".
    pub button: String,
    /// The rotation's first day: the key the panel is kept by.
    pub start: String,
    /// "Rotation 2022-10-10 to 2022-11-07: tbliu98 + 2 open seats".
    pub rotation: String,
    /// "80 weekday hours a week have nobody working."
    pub gap: String,
    pub candidates: Vec<CandidateView>,
    /// "Fill the open seats with @ann and @bo: 80 → 4 gap hours a week."
    pub picks: String,
    /// The handbook table's row with the picks, to paste in place of the rotation's.
    pub row: String,
    /// The rotation's first week with the picks added.
    pub coverage: CoverageView,
}

impl PlanPanel {
    /// The panel for the next rotation with an open seat after `at`, if there is one.
    pub fn new(live: &Live, at: DateTime<Utc>) -> Option<Self> {
        let config = &live.settings.config.schedule;
        let (schedule, roster) = (&live.inputs.schedule, &live.inputs.roster);
        let r = plan::next_open(schedule, &config.timing, config.team_size, at)?;
        let p = plan::plan(schedule, roster, &config.timing, config.team_size, live.settings.viewer, r);
        let filled = plan::with_rotation(schedule, &p.filled);
        let week = rota_core::coverage(&filled, roster, &config.timing, live.settings.viewer, config.timing.starts_at(r.start));
        let engineers: Vec<&str> = r.engineers().collect();
        Some(PlanPanel {
            button: said::fill(p.open_seats),
            start: r.start.to_string(),
            rotation: format!("Rotation {} to {}: {}", r.start, r.end, words::seats(&engineers, p.open_seats)),
            gap: said::gap(p.gap_before),
            candidates: p
                .candidates
                .iter()
                .map(|c| CandidateView {
                    handle: c.handle.clone(),
                    handle_label: format!("@{}", c.handle),
                    name: c.name.clone(),
                    timezone: c.timezone.map(|z| z.name().to_owned()),
                    closes: said::amount(c.closes),
                    reason: c.reason.clone(),
                    picked: p.picks.contains(&c.handle),
                })
                .collect(),
            picks: if p.picks.is_empty() { said::NO_SEAT.to_owned() } else { said::picks(&p.picks, p.gap_before, p.gap_after) },
            row: p.row.clone(),
            coverage: CoverageView::new(&week, live, at),
        })
    }
}
