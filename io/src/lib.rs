//! Rota's IO, shared by every front end (the command line, both tray hosts, the windows): it reads
//! files, URLs, the clock, the system's zone and the keyring, talks to the escalation backends,
//! shows notifications, and hands what it read to `rota-core`. It has no command line, no Tauri
//! and draws no tray: those are the `rota` and `rota-app` crates.

pub mod acting;
pub mod autostart;
pub mod bounded;
pub mod clock;
pub mod escalations;
pub mod files;
pub mod filing;
pub mod handoff;
pub mod inputs;
#[cfg(target_os = "linux")]
pub mod instance;
pub mod live;
pub mod notifier;
pub mod poller;
pub mod protocol;
pub mod remind;
pub mod resident;
pub mod secrets;
pub mod settings;
#[cfg(target_os = "linux")]
pub mod shortcut;
pub mod slack;
pub mod slack_keeper;
pub mod slack_sync;
pub mod sources;
pub mod store;
pub mod supervise;
pub mod tray;

/// Tells the running tray, if any, that a new GitHub token is stored: its poller reads the
/// keyring again and polls at once, and its outbox sender tries what waits.
pub async fn tell_tray_token_changed() {
    #[cfg(target_os = "linux")]
    instance::token_changed().await;
}

/// Tells the running tray, if any, what a window just filed ("Filed #12 to Lord Howe") or saved
/// to be sent (`queued`; `key`: the filing's client key): the tray says it once, as a
/// notification, after the window has gone.
pub async fn tell_tray_filed(message: &str, title: &str, link: Option<&str>, key: Option<&str>, queued: bool) {
    #[cfg(target_os = "linux")]
    instance::filed(message, title, link, key, queued).await;
    #[cfg(not(target_os = "linux"))]
    let _ = (message, title, link, key, queued);
}

/// Tells the running tray, if any, that a window changed an escalation: it polls now, and its
/// menu shows the change.
pub async fn tell_tray_escalations_changed() {
    #[cfg(target_os = "linux")]
    instance::escalations_changed().await;
}

/// Tells the running tray, if any, that Settings saved the config: it reads it again at once
/// (on a first run the config's folder did not exist when the tray started).
pub async fn tell_tray_settings_changed() {
    #[cfg(target_os = "linux")]
    instance::settings_changed().await;
}

/// The keys typed since the quick escalate shortcut, from the running tray, for the escalate
/// window shown as X window `window`; it has the keyboard from then on. None elsewhere.
pub async fn take_typed_ahead(window: u32) -> Vec<String> {
    #[cfg(target_os = "linux")]
    return instance::take_typed_ahead(window).await;
    #[cfg(not(target_os = "linux"))]
    {
        let _ = window;
        Vec::new()
    }
}

/// Asks the running tray, if any, to open a window showing `what` (see
/// [`protocol::SHOW_FLAG`]): a notification clicked, the dashboard at its escalation.
pub async fn ask_tray_to_show(kind: protocol::WindowKind, what: &rota_core::tray::MenuAction) {
    #[cfg(target_os = "linux")]
    instance::show(kind, what).await;
    #[cfg(not(target_os = "linux"))]
    let _ = (kind, what);
}

/// Tells the running tray, if any, that the outbox has something to send.
pub async fn tell_tray_outbox_changed() {
    #[cfg(target_os = "linux")]
    instance::outbox_changed().await;
}

/// Tells the open windows, if any, that the escalations the tray sees changed: they fetch their
/// views again at once. Only the tray says this.
pub async fn tell_windows_escalations_seen() {
    #[cfg(target_os = "linux")]
    instance::escalations_seen().await;
}
