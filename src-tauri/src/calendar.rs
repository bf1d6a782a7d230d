//! "Add to calendar…" (the dashboard): the schedule as an iCalendar file, the same file
//! `rota export ical` writes, saved where the native save dialog says.

use crate::error::IpcError;
use crate::{clock, config_file, AppState};
use rota_core::ical::{self, Whose};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

/// Why "My shifts only" cannot be saved: Rota does not know who I am.
const NO_ME: &str = "set who you are (me) in Settings to save only your shifts";

/// Asks where to save (the native save dialog), then writes the calendar there: the whole
/// team's rotations, or with `mine` only my shifts (`rota export ical --me`: the config's `me`).
/// Returns the path written, or `None` when the dialog was cancelled.
#[tauri::command]
pub async fn add_to_calendar<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, mine: bool) -> Result<Option<String>, IpcError> {
    let now = clock::now().map_err(IpcError::io)?;
    let (text, file_name) = {
        let live = state.live.lock().await;
        let (schedule, timing) = (&live.inputs.schedule, &live.settings.config.schedule.timing);
        match mine {
            true => {
                let me = live.settings.me.as_deref().ok_or_else(|| IpcError::invalid("mine", NO_ME.to_owned()))?;
                let handle = ical::find_person(schedule, &live.inputs.roster, me).map_err(|e| IpcError::invalid("mine", e.to_string()))?;
                (ical::export(schedule, timing, Whose::Person(&handle), None, None, now), ical::file_name(Whose::Person(&handle)))
            }
            false => (ical::export(schedule, timing, Whose::Rotations, None, None, now), ical::file_name(Whose::Rotations)),
        }
    };
    let mut dialog = app.dialog().file().set_title("Add to calendar").set_file_name(file_name).add_filter("iCalendar", &["ics"]);
    // It opens in the home folder, not wherever the process was started.
    if let Ok(home) = tauri::Manager::path(&app).home_dir() {
        dialog = dialog.set_directory(home);
    }
    let picked = tokio::task::spawn_blocking(move || dialog.blocking_save_file()).await.map_err(|e| IpcError::io(e.to_string()))?;
    let Some(path) = picked.and_then(|p| p.into_path().ok()) else { return Ok(None) };
    config_file::replace_file(&path, text.as_bytes()).map_err(|e| IpcError::io(format!("{} could not be written: {e}", path.display())))?;
    eprintln!("rota: calendar saved to {}", path.display());
    Ok(Some(path.display().to_string()))
}
