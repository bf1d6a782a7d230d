// The one module that talks to Rota's Rust side. Everything else imports from here.
// Tauri's global API (withGlobalTauri) is read here and nowhere else.

const tauri = window.__TAURI__;

/** Calls one of Rota's commands. Errors arrive as { code, message, field } (or { errors: [...] }). */
export function call(command, args = {}) {
  return tauri.core.invoke(command, args);
}

export const dashboard = () => call("dashboard");
export const settingsForm = () => call("settings_form");
export const saveSettings = (form) => call("save_settings", { form });
export const openWindow = (window) => call("open_window", { window });
export const timezones = () => call("timezones");
/**
 * "Add to calendar…": the native save dialog, then the file (the whole team's rotations, or with
 * `mine` only my shifts); the path written, or null.
 */
export const addToCalendar = (mine) => call("add_to_calendar", { mine });

/**
 * Closes this window for real (the DOM's window.close() would leave an empty frame behind); the
 * windows process ends with its last window.
 */
export const closeWindow = () => tauri.window.getCurrentWindow().close();
/** Names this window in the title bar and the task switcher. */
export const setTitle = (title) => tauri.window.getCurrentWindow().setTitle(title);

/** Runs `handler` whenever Rota's state changes (each minute, on file changes, after saving). */
export function onChanged(handler) {
  return tauri.event.listen("rota:changed", handler);
}

export const escalateForm = () => call("escalate_form");
export const fileEscalation = (filing) => call("file_escalation", { filing });
export const openLink = (url) => call("open_link", { url });
export const refusedEscalations = () => call("refused_escalations");
export const resendEscalation = (key, filing) => call("resend_escalation", { key, filing });
export const discardEscalation = (key) => call("discard_escalation", { key });

// The Escalations panel and its actions.
export const escalationsPanel = () => call("escalations_panel");
/** Takes an action; says what was done: { message, escalation } (the escalation as it is now). */
export const escalationAction = (form) => call("escalation_action", { form });
/**
 * What the action window acts on: { request, kind, heading, escalation, problem, reopen,
 * candidates, warning, teams }. `known`: the request the window shows (only its number comes back
 * for it).
 */
export const actionView = (known) => call("action_view", { known });

/** Tells Rota the page is ready for the user: a hidden window is shown (and a readiness line). */
export const windowReady = () => call("window_ready");
/** The hand-over window's plan, and carrying it out with the engineer chosen for each move. */
export const handoverView = () => call("handover_view");
export const handOver = (moves) => call("hand_over", { moves });

/** The keys typed since the quick escalate shortcut, as the DOM names them ("a", "Tab", "Enter"). */
export const typedAhead = () => call("typed_ahead");

/** Runs `handler` when this window, open already, is asked for again. */
export function onShown(handler) {
  return tauri.event.listen("rota:shown", handler);
}
