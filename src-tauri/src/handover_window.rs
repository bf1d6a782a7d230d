//! The hand-over window: what the tray's "Hand over N open escalations…" opens. It lists each
//! move of the core's plan ([`rota_core::handover`]) with the incoming engineers to choose from
//! (the policy's pick chosen), and Enter carries the moves out through
//! [`rota_io::acting::hand_over`]. The plan is made again when the window confirms, so a move
//! another desk made meanwhile is not made twice.

use crate::error::IpcError;
use crate::escalations_panel as panel;
use chrono::{DateTime, Utc};
use rota_core::handover::{self, Which};
use rota_core::words;
use rota_io::acting::{self, Acting};
use rota_io::inputs::Inputs;
use rota_io::settings::Settings;
use serde::{Deserialize, Serialize};

/// One incoming engineer a move can go to.
#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ChoiceView {
    pub handle: String,
    /// "Lou — working at the hand-off".
    pub label: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MoveView {
    pub id: String,
    pub title: String,
    pub from: String,
    /// The policy's pick, chosen at first.
    pub to: String,
    pub reason: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandoverView {
    /// "Hand-off Mon 5 Oct 09:00", in the viewer's zone.
    pub heading: String,
    pub moves: Vec<MoveView>,
    /// "#4 stays with bishal (on both rotations)".
    pub kept: Vec<String>,
    /// The incoming engineers, in the policy's order at the hand-off.
    pub choices: Vec<ChoiceView>,
    /// Why there is nothing to do here (escalations cannot be read, no hand-off coming).
    pub problem: Option<String>,
}

/// One move as the window confirms it: the escalation and whom it goes to.
#[derive(Deserialize)]
pub struct Chosen {
    pub id: String,
    pub to: String,
}

/// What was done: one line a move, and how many could not be made.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandedView {
    pub lines: Vec<String>,
    pub failed: usize,
}

async fn planned(
    settings: &Settings,
    inputs: &Inputs,
    at: DateTime<Utc>,
) -> Result<(std::sync::Arc<rota_io::escalations::AnyBackend>, handover::Plan), String> {
    let backend = panel::backend(settings).await?;
    let plan = acting::hand_over_plan(&backend, inputs, settings, Which::Next, at).await.map_err(|e| e.message)?;
    Ok((backend, plan))
}

/// The window's view at `at`.
pub async fn view(settings: &Settings, inputs: &Inputs, at: DateTime<Utc>) -> HandoverView {
    let (_, plan) = match planned(settings, inputs, at).await {
        Ok(p) => p,
        Err(why) => return HandoverView { heading: "Hand over".into(), moves: vec![], kept: vec![], choices: vec![], problem: Some(why) },
    };
    let timing = &settings.config.schedule.timing;
    let incoming = rota_core::glance(&inputs.schedule, &inputs.roster, timing, settings.viewer, None, plan.handoff).on_duty;
    let choices = incoming
        .iter()
        .map(|d| ChoiceView { handle: d.handle.clone(), label: format!("{} — {} at the hand-off", d.name, words::duty_status(d)) })
        .collect();
    HandoverView {
        heading: format!("Hand-off {}", words::short_datetime(plan.handoff, settings.viewer)),
        moves: plan
            .moves
            .into_iter()
            .map(|m| MoveView { id: m.id, title: rota_core::printable(&m.title).into_owned(), from: m.from, to: m.to, reason: m.reason })
            .collect(),
        kept: plan.kept.iter().map(|k| format!("#{} stays with {} (on both rotations)", k.id, k.who)).collect(),
        choices,
        problem: None,
    }
}

/// Carries out the plan as made now, each move to the engineer `chosen` for it (one of the
/// incoming engineers), as `me`.
pub async fn confirm(settings: &Settings, inputs: &Inputs, chosen: &[Chosen], at: DateTime<Utc>) -> Result<HandedView, IpcError> {
    let (backend, plan) = planned(settings, inputs, at).await.map_err(IpcError::io)?;
    let timing = &settings.config.schedule.timing;
    let incoming = rota_core::glance(&inputs.schedule, &inputs.roster, timing, settings.viewer, None, plan.handoff).on_duty;
    let mut moves = plan.moves;
    for m in &mut moves {
        if let Some(c) = chosen.iter().find(|c| c.id == m.id) {
            let d = incoming.iter().find(|d| d.handle.eq_ignore_ascii_case(c.to.trim())).ok_or_else(|| {
                IpcError::invalid("handover-to", format!("{} does not come in at the hand-off; choose one who does", c.to.trim()))
            })?;
            m.to = d.handle.clone();
        }
    }
    let with = Acting { backend: &backend, me: settings.me.as_deref(), rotation: None, tell_tray: true };
    let done = acting::hand_over(&with, &moves, at).await;
    let failed = done.iter().filter(|h| h.outcome.is_err()).count();
    let lines = done
        .into_iter()
        .map(|h| match h.outcome {
            Ok(_) => format!("#{} handed to {}", h.planned.id, h.planned.to),
            Err(e) => format!("#{} not handed over: {e}", h.planned.id),
        })
        .collect();
    Ok(HandedView { lines, failed })
}
