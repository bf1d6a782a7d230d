//! The commands the web UI may call: each a few lines that take the state, ask the core or an
//! adapter, and map the result.

use crate::action_window::{self, ActionView};
use crate::clock;
use crate::error::{IpcError, IpcErrors};
use crate::escalate::{self, EscalateView, FiledView, FilingForm, RefusedView};
use crate::escalations_panel::{self as panel, Acted, ActionForm, EscalationsPanel};
use crate::views::{self, DashboardView, SettingsForm, SettingsView};
use crate::{config_file, handover_window, windows, AppState};
use rota_io::acting::{self, Acting, Rotation};
use rota_io::protocol::WindowKind;
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub async fn dashboard(state: State<'_, AppState>) -> Result<DashboardView, IpcError> {
    let at = clock::now().map_err(IpcError::io)?;
    let checks = state.checks.of(&state.live).await;
    let live = state.live.lock().await;
    Ok(state.dashboard(&live, at, &checks))
}

#[tauri::command]
pub async fn settings_form(state: State<'_, AppState>) -> Result<SettingsView, IpcError> {
    let (api, slack_api) = {
        let c = &state.live.lock().await.settings.config;
        (c.escalations.github.api.clone(), c.slack.api.clone())
    };
    let token_stored = tokio::task::spawn_blocking(move || config_file::token_stored(&api)).await.unwrap_or(false);
    let slack_token_stored = tokio::task::spawn_blocking(move || config_file::slack_token_stored(&slack_api)).await.unwrap_or(false);
    let live = state.live.lock().await;
    let login = crate::autostart::enabled();
    let path = state.config_path(&live);
    Ok(SettingsView {
        form: config_file::form(&live.settings, login),
        config_note: views::config_note(path.as_deref()),
        config_file: path.map(|p| p.display().to_string()),
        shortcut_problem: state.shortcut_problem.clone(),
        token_stored: live.settings.config.escalations.backend == rota_core::config::Backend::Github && token_stored,
        slack_token_stored,
        escalations_problem: state.escalations_problem.clone(),
    })
}

#[tauri::command]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    form: SettingsForm,
) -> Result<SettingsView, IpcErrors> {
    state.save_settings(&app, &form).await?;
    settings_form(state).await.map_err(|e| IpcErrors { errors: vec![e] })
}

/// The IANA zone names the timezone fields offer.
#[tauri::command]
pub fn timezones() -> Vec<&'static str> {
    rota_core::duty::zone_names()
}

/// Opens one of the windows a person opens by name (not the action window: that opens for one
/// escalation, from the tray).
#[tauri::command]
pub fn open_window<R: Runtime>(app: AppHandle<R>, window: WindowKind) -> Result<(), IpcError> {
    let refuse = |message: String| IpcError { code: crate::error::ErrorCode::Window, message, field: None };
    if !WindowKind::OPENABLE.contains(&window) {
        return Err(refuse(format!("the {window} window opens from an escalation's menu in the tray")));
    }
    windows::open(&app, window).map_err(|e| refuse(e.to_string()))
}

#[tauri::command]
pub async fn escalate_form(state: State<'_, AppState>) -> Result<EscalateView, IpcError> {
    let at = clock::now().map_err(IpcError::io)?;
    let settings = state.live.lock().await.settings.clone();
    let (counts, warning) = escalate::open_counts(&settings).await;
    let live = state.live.lock().await;
    Ok(EscalateView::new(&live.glance(at), &counts, warning, live.settings.me.as_deref()))
}

#[tauri::command]
pub async fn file_escalation(state: State<'_, AppState>, filing: FilingForm) -> Result<FiledView, IpcErrors> {
    let (settings, new, name) = state.filing(filing).await?;
    escalate::file(&settings, new, name, clock::now().map_err(IpcError::io)?).await
}

/// The escalations the backend refused, kept in the outbox to be fixed and resent.
#[tauri::command]
pub async fn refused_escalations(state: State<'_, AppState>) -> Result<Vec<RefusedView>, IpcError> {
    let settings = state.live.lock().await.settings.clone();
    escalate::refused(&settings)
}

/// Resends the refused escalation `key` as edited.
#[tauri::command]
pub async fn resend_escalation(state: State<'_, AppState>, key: String, filing: FilingForm) -> Result<FiledView, IpcErrors> {
    let (settings, edited, name) = state.filing(filing).await?;
    escalate::resend(&settings, &key, edited, name, clock::now().map_err(IpcError::io)?).await
}

/// Discards the refused escalation `key`: it will not be filed.
#[tauri::command]
pub async fn discard_escalation(state: State<'_, AppState>, key: String) -> Result<(), IpcError> {
    let settings = state.live.lock().await.settings.clone();
    escalate::discard(&settings, &key).await
}

#[tauri::command]
pub fn open_link(url: String) -> Result<(), IpcError> {
    crate::notifier::open_link(&url).map_err(|e| IpcError::invalid("url", e))
}

/// A page says it is ready for the user (its data shown and painted, focus placed): a window
/// made hidden is shown now, never blank; and a readiness line for scripts and measurements.
#[tauri::command]
pub fn window_ready<R: Runtime>(window: tauri::WebviewWindow<R>) {
    crate::windows::page_ready(&window);
    crate::windows::present(&window);
    crate::windows::said_shown(&window);
    crate::timing::stage("page ready");
    // One write: the tray writes to the same output, and a line written in pieces could be cut
    // by one of its own (scripts wait for this one).
    let line = format!("rota: {} window ready\n", window.label());
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), line.as_bytes());
}

/// The keys typed since the quick escalate shortcut, in order, for this window to replay; from
/// now on the keyboard is the window's (see `rota_io::shortcut`).
#[tauri::command]
pub async fn typed_ahead<R: Runtime>(window: tauri::WebviewWindow<R>) -> Result<Vec<String>, IpcError> {
    let Some(id) = crate::windows::x11_id(&window) else { return Ok(Vec::new()) };
    Ok(crate::take_typed_ahead(id).await)
}

/// The Escalations panel (mine, all open, recently closed) and the goal's chart.
#[tauri::command]
pub async fn escalations_panel(state: State<'_, AppState>) -> Result<EscalationsPanel, IpcError> {
    let at = clock::now().map_err(IpcError::io)?;
    let (settings, schedule, roster) = {
        let live = state.live.lock().await;
        (live.settings.clone(), live.inputs.schedule.clone(), live.inputs.roster.clone())
    };
    let on_duty = panel::on_duty(&schedule, &roster, &settings, at);
    Ok(match panel::read(&settings).await {
        Ok(list) => panel::panel(&list, settings.me.as_deref(), &schedule, &settings.config.schedule.timing, &on_duty, at),
        Err(why) => panel::unavailable(why),
    })
}

/// Takes an action on an escalation, as `me`, now, and says what was done.
#[tauri::command]
pub async fn escalation_action(state: State<'_, AppState>, form: ActionForm) -> Result<Acted, IpcError> {
    // Taken whole even if its window closes meanwhile: the process waits for it.
    let _busy = state.acting.start();
    let at = clock::now().map_err(IpcError::io)?;
    let act = form.act()?;
    let (settings, rotation) = {
        let live = state.live.lock().await;
        (live.settings.clone(), Rotation::at(&live.inputs, &live.settings, at))
    };
    let backend = panel::backend(&settings).await.map_err(IpcError::io)?;
    let with = Acting { backend: &backend, me: settings.me.as_deref(), rotation: Some(&rotation), tell_tray: true };
    let acted = acting::act(&with, &form.id, act, at).await?;
    Ok(panel::acted(&acted, &rotation, at))
}

/// What the action window acts on (engage engineering on, or reassign, one escalation).
/// `known`: the request the window shows; asked again for it (a refresh), the answer is only
/// that request's number, and the backend is not read.
#[tauri::command]
pub async fn action_view(state: State<'_, AppState>, known: Option<u64>) -> Result<ActionView, IpcError> {
    let at = clock::now().map_err(IpcError::io)?;
    let asked = state.action.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if known == Some(asked.request) {
        return Ok(ActionView::same(asked.request));
    }
    let (settings, on_duty) = {
        let live = state.live.lock().await;
        (live.settings.clone(), live.glance(at).on_duty)
    };
    Ok(action_window::view(&asked, &settings, &on_duty, at).await)
}

/// The hand-over window's moves at the next hand-off, each with the incoming engineers to choose.
#[tauri::command]
pub async fn handover_view(state: State<'_, AppState>) -> Result<handover_window::HandoverView, IpcError> {
    let at = clock::now().map_err(IpcError::io)?;
    let (settings, inputs) = {
        let live = state.live.lock().await;
        (live.settings.clone(), live.inputs.clone())
    };
    Ok(handover_window::view(&settings, &inputs, at).await)
}

/// Carries out the hand-over with the engineer chosen for each move.
#[tauri::command]
pub async fn hand_over(state: State<'_, AppState>, moves: Vec<handover_window::Chosen>) -> Result<handover_window::HandedView, IpcError> {
    let _busy = state.acting.start();
    let at = clock::now().map_err(IpcError::io)?;
    let (settings, inputs) = {
        let live = state.live.lock().await;
        (live.settings.clone(), live.inputs.clone())
    };
    handover_window::confirm(&settings, &inputs, &moves, at).await
}
