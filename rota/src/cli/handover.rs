//! `rota handover [--rotation START] [--dry-run] [--json]`: the outgoing engineers' open
//! escalations moved to the incoming ones at the next hand-off (or at the end of the rotation
//! that starts on START). The plan is the core's ([`rota_core::handover`]); each move is carried
//! out by [`rota_io::acting::hand_over`]. Exit 1 when a move could not be made.

use super::escalate::{backend, now, settings};
use super::{load, print_json};
use crate::models::{HandoverJson, KeptJson, MoveJson};
use crate::settings::Failure;
use rota_core::handover::Which;
use rota_io::acting::{self, ActErrorKind, Acting};
use rota_io::protocol::Overrides;

pub async fn run(global: &Overrides, rotation: Option<String>, dry_run: bool, json: bool) -> Result<i32, Failure> {
    let which = match rotation.as_deref() {
        Some(r) => Which::EndOf(
            rota_core::schedule::iso_date(r.trim())
                .ok_or_else(|| Failure::Usage(format!("--rotation {r:?} is not a date: write it as YYYY-MM-DD")))?,
        ),
        None => Which::Next,
    };
    let (now, settings) = (now()?, settings(global)?);
    let backend = backend(&settings)?;
    let inputs = load(&settings, now).await?;
    let plan = acting::hand_over_plan(&backend, &inputs, &settings, which, now).await.map_err(|e| match e.kind {
        ActErrorKind::Invalid => Failure::Usage(format!("--rotation: {e}")),
        _ => Failure::input(format!("cannot plan the hand-over: {e}")),
    })?;
    let mut moves = plan.moves.clone();
    let mut failed = 0;
    if !dry_run {
        let with = Acting { backend: &backend, me: settings.me.as_deref(), rotation: None, tell_tray: false };
        moves.clear();
        for h in acting::hand_over(&with, &plan.moves, now).await {
            match h.outcome {
                Ok(_) => moves.push(h.planned),
                Err(e) => {
                    failed += 1;
                    super::warning(&format!("escalation {} was not handed over: {e}", h.planned.id));
                }
            }
        }
    }
    for k in &plan.stranded {
        super::warning(&format!("escalation {} stays with {}: nobody comes in at the hand-off", k.id, k.who));
    }
    if json {
        print_json(&HandoverJson {
            handoff: crate::models::utc(plan.handoff),
            moves: moves.iter().map(MoveJson::from).collect(),
            kept: plan.kept.iter().map(KeptJson::from).collect(),
            dry_run,
        });
    } else {
        let when = rota_core::words::short_datetime(plan.handoff, settings.viewer);
        println!("Hand-off {when}");
        let verb = if dry_run { "Would move" } else { "Moved" };
        for m in &moves {
            println!("{verb} escalation {} \"{}\" from {} to {} ({})", m.id, rota_core::printable(&m.title), m.from, m.to, m.reason);
        }
        for k in &plan.kept {
            println!("Kept escalation {} with {} (on both rotations)", k.id, k.who);
        }
        if moves.is_empty() && plan.kept.is_empty() {
            println!("Nothing to hand over");
        }
    }
    Ok(if failed > 0 { 1 } else { 0 })
}
