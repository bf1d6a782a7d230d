//! Desktop notifications: the [`Notifier`] trait the poller talks to, and [`DesktopNotifier`],
//! its notify-rust implementation (the freedesktop Notifications service over D-Bus on Linux and
//! the BSDs, the Action Center on Windows, the Notification Center on macOS).
//!
//! A notifier shows what [`rota_core::notice::text`] says and reports the user's choice (Open,
//! Acknowledge) back through an [`ActionSink`]; it does not act on it. The poller owns the
//! backend and acknowledges; [`open_link`] opens a link. With no notification service, showing
//! fails with [`NotifyError::Unavailable`]; nothing here panics.

use rota_core::notice::NoticeText;
use std::fmt;
use std::sync::Arc;

/// The application name every notification carries.
pub const APP_NAME: &str = "Rota";
/// The bundle identifier (macOS) and AppUserModelID (Windows): the Tauri app's `identifier`, so
/// notifications show under Rota once it is installed.
pub const APP_ID: &str = "dev.rota.tray";

/// The icon name the package installs (hicolor), as the desktop entry's `Icon=`.
pub const APP_ICON: &str = "rota-app";

/// The desktop entry's name (without `.desktop`) the package installs: Tauri's bundler names it
/// after the product or the binary; the one found in the XDG data folders, else the binary's.
fn desktop_entry() -> &'static str {
    static FOUND: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();
    FOUND.get_or_init(|| {
        let homes = data_folders();
        ["rota-app", "Rota"]
            .into_iter()
            .find(|name| homes.iter().any(|d| d.join("applications").join(format!("{name}.desktop")).is_file()))
            .unwrap_or("rota-app")
    })
}

/// The XDG data folders, the user's first: where the desktop entry and the icon are looked for.
fn data_folders() -> Vec<std::path::PathBuf> {
    let dirs = std::env::var("XDG_DATA_DIRS").ok().filter(|d| !d.is_empty()).unwrap_or_else(|| "/usr/local/share:/usr/share".into());
    dirs::data_dir().into_iter().chain(dirs.split(':').map(std::path::PathBuf::from)).collect()
}

/// Rota's icon, as a file for [`app_icon_in`] to write where no icon theme has it.
const ICON_PNG: &[u8] = include_bytes!("../../icons/128x128.png");

/// The icon a notification names: [`APP_ICON`], the package's, where an icon theme has it; a
/// program run from a build (not installed) has none there, and servers then draw a broken
/// image, so it names Rota's icon as a file instead, written once to its data folder.
#[cfg(all(unix, not(target_os = "macos")))]
fn app_icon() -> &'static str {
    static FOUND: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FOUND.get_or_init(|| app_icon_in(&data_folders(), crate::settings::data_dir().as_deref()))
}

/// [`app_icon`] for these data folders, the icon file written in `own` (Rota's data folder) when
/// it is needed: [`APP_ICON`] when a hicolor size or `pixmaps` in `folders` has it, else a
/// `file://` URI of the file in `own` (the freedesktop spec's other form of `app_icon`), else,
/// when it cannot be written, [`APP_ICON`] still.
pub fn app_icon_in(folders: &[std::path::PathBuf], own: Option<&std::path::Path>) -> String {
    let themed = |d: &std::path::PathBuf| {
        let mut sizes = std::fs::read_dir(d.join("icons/hicolor")).into_iter().flatten().flatten();
        d.join("pixmaps").join(format!("{APP_ICON}.png")).is_file()
            || sizes.any(|size| ["png", "svg"].iter().any(|ext| size.path().join("apps").join(format!("{APP_ICON}.{ext}")).is_file()))
    };
    if folders.iter().any(themed) {
        return APP_ICON.into();
    }
    let Some(own) = own else { return APP_ICON.into() };
    let file = own.join(format!("{APP_ICON}.png"));
    if std::fs::read(&file).is_ok_and(|b| b == ICON_PNG) || crate::files::replace_private(&file, ICON_PNG).is_ok() {
        reqwest::Url::from_file_path(&file).map_or_else(|()| APP_ICON.into(), String::from)
    } else {
        APP_ICON.into()
    }
}

/// The action keys sent to the notification service.
pub const ACTION_OPEN: &str = "open";
pub const ACTION_ACKNOWLEDGE: &str = "acknowledge";
/// An offer's action: take the escalation (mine, acknowledged).
pub const ACTION_TAKE: &str = "take";
/// What freedesktop servers send when the notification itself is clicked.
pub const ACTION_DEFAULT: &str = "default";

/// What the user chose on a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoticeAction {
    /// Open this link in the default browser.
    Open { url: String },
    /// Acknowledge this escalation through the backend.
    Acknowledge { id: String },
    /// Take this action on this escalation through the backend (the tray's submenu).
    Take { id: String, action: crate::acting::Act },
    /// Show Rota's dashboard at this escalation (a click on a notification whose escalation has
    /// no link).
    ShowDashboard { id: String },
}

/// Where a notifier reports the user's choices. Called from a thread of the notifier's own.
pub type ActionSink = Arc<dyn Fn(NoticeAction) + Send + Sync>;

/// Why a notification was not shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyError {
    /// No notification service is running (D-Bus `ServiceUnknown`), or no session bus at all.
    Unavailable(String),
    /// The service refused or failed.
    Failed(String),
}

impl fmt::Display for NotifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotifyError::Unavailable(why) => write!(f, "no notification service is running ({why})"),
            NotifyError::Failed(why) => write!(f, "the notification was not shown: {why}"),
        }
    }
}

impl std::error::Error for NotifyError {}

/// Shows notices. Implementations must not block for long: [`Notifier::show`] returns once the
/// notification is handed to the system, and user actions arrive later through `on_action`.
pub trait Notifier: Send + Sync {
    /// Shows a notice about an escalation assigned to me, in the words given
    /// ([`rota_core::notice::text_named`]).
    fn show(&self, words: &NoticeText, on_action: ActionSink) -> Result<(), NotifyError>;

    /// Shows words about an escalation I filed (acknowledged, engaged, resolved), with
    /// Open when they carry a link. A notifier that cannot says so, and the poller tells it again
    /// at the next poll.
    fn show_progress(&self, text: &NoticeText, on_action: ActionSink) -> Result<(), NotifyError> {
        let _ = (text, on_action);
        Err(NotifyError::Unavailable("this notifier shows no progress of escalations".into()))
    }

    /// Shows an offer of someone else's escalation, with Take instead of Acknowledge; the
    /// notification's id when the server gave one, to [`Notifier::withdraw`] it later.
    fn show_offer(&self, text: &NoticeText, on_action: ActionSink) -> Result<Option<u32>, NotifyError> {
        self.show(text, on_action).map(|()| None)
    }

    /// Closes the notification `id` (an offer that no longer holds).
    fn withdraw(&self, id: u32) -> Result<(), NotifyError> {
        let _ = id;
        Ok(())
    }
}

/// Maps the user's pick (an action key) to what it means for this notice.
pub fn action_for(key: &str, t: &NoticeText) -> Option<NoticeAction> {
    match key {
        ACTION_OPEN => t.url.clone().map(|url| NoticeAction::Open { url }),
        // A click on the bubble: the escalation's page, or the dashboard when it has none.
        ACTION_DEFAULT => match (&t.url, &t.escalation_id) {
            (Some(url), _) => Some(NoticeAction::Open { url: url.clone() }),
            (None, Some(id)) => Some(NoticeAction::ShowDashboard { id: id.clone() }),
            (None, None) => None,
        },
        ACTION_ACKNOWLEDGE => t.escalation_id.clone().map(|id| NoticeAction::Acknowledge { id }),
        ACTION_TAKE => t.escalation_id.clone().map(|id| NoticeAction::Take { id, action: crate::acting::Act::Take }),
        _ => None,
    }
}

/// Whether a link from outside may be opened: only `http` and `https`, never a file or an
/// application's own scheme.
pub fn is_web_link(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// Opens a web link in the default browser (without waiting for it). Other schemes are refused.
pub fn open_link(url: &str) -> Result<(), String> {
    if !is_web_link(url) {
        return Err("only http and https links are opened".into());
    }
    open::that_detached(url).map_err(|e| format!("cannot start the browser: {e}"))
}

/// Escapes the characters freedesktop servers read as body markup (when they advertise the
/// `body-markup` capability), so titles and names from outside show as text.
pub fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Notifications through notify-rust.
#[derive(Debug, Clone, Copy, Default)]
pub struct DesktopNotifier;

impl DesktopNotifier {
    pub fn new() -> Self {
        #[cfg(target_os = "macos")]
        {
            // Without it notifications come from the Finder's identity until Rota is installed.
            let _ = notify_rust::set_application(APP_ID);
        }
        DesktopNotifier
    }

    /// `offer`: Take instead of Acknowledge.
    fn build(t: &NoticeText, offer: bool) -> notify_rust::Notification {
        let mut n = notify_rust::Notification::new();
        n.appname(APP_NAME).summary(&t.summary);
        #[cfg(all(unix, not(target_os = "macos")))]
        {
            // Rota's own icon, and its desktop entry: the server shows the app's icon and name,
            // and groups Rota's notifications.
            n.icon(app_icon()).hint(notify_rust::Hint::DesktopEntry(desktop_entry().into()));
            // Servers that read body markup get it escaped; others show the text as it is.
            let markup = notify_rust::get_capabilities().is_ok_and(|c| c.iter().any(|c| c == "body-markup"));
            n.body(&if markup { escape_markup(&t.body) } else { t.body.clone() });
            n.urgency(if t.critical { notify_rust::Urgency::Critical } else { notify_rust::Urgency::Normal });
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        n.body(&t.body);
        #[cfg(target_os = "windows")]
        n.app_id(APP_ID);
        #[cfg(all(unix, not(target_os = "macos")))]
        let server = notify_rust::get_server_information().map(|s| s.name).unwrap_or_default();
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let server = String::new();
        for (key, label) in actions(t, offer, draws_default_as_a_button(&server)) {
            n.action(key, label);
        }
        n
    }
}

/// Whether the notification server, by the name it gives, draws the `default` action as a button
/// of its own beside the others, where most take it for a click on the bubble and draw none:
/// xfce4-notifyd, on which a click on the bubble only closes it.
fn draws_default_as_a_button(server: &str) -> bool {
    server == "Xfce Notify Daemon"
}

/// The actions a notice's notification offers, `(key, label)` in order (`offer`: Take instead of
/// Acknowledge). A click on the bubble opens the escalation's page, or shows the dashboard where
/// it has none (`default`). With a page, the `default` action has no label, as GLib's own
/// notifications send it: servers that draw it as a button would otherwise show "Open" twice
/// (LXQt's hides a nameless one); where the server is known to draw it
/// (`default_is_a_button`), the Open button alone stands for it.
pub fn actions(t: &NoticeText, offer: bool, default_is_a_button: bool) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    match (&t.url, &t.escalation_id) {
        (Some(_), _) if default_is_a_button => out.push((ACTION_OPEN, "Open")),
        (Some(_), _) => out.extend([(ACTION_DEFAULT, ""), (ACTION_OPEN, "Open")]),
        (None, Some(_)) => out.push((ACTION_DEFAULT, "Show in Rota")),
        (None, None) => {}
    }
    match (t.escalation_id.is_some(), offer) {
        (true, false) => out.push((ACTION_ACKNOWLEDGE, "Acknowledge")),
        (true, true) => out.push((ACTION_TAKE, "Take")),
        (false, _) => {}
    }
    out
}

/// notify-rust reports D-Bus errors as text; the error *name* is the D-Bus protocol's, stable.
fn notify_error(e: notify_rust::error::Error) -> NotifyError {
    let mut why = e.to_string();
    // The D-Bus error's name is in the Debug form only ("D-Bus error: <message> (<name>)").
    let debug = format!("{e:?}");
    if let Some(at) = debug.find("org.freedesktop.DBus.Error.") {
        let name: String = debug[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
        if !why.contains(&name) {
            why = format!("{why} ({name})");
        }
    }
    let unavailable = [
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "ServiceUnknown",
        "org.freedesktop.DBus.Error.NoServer",
        "Unable to autolaunch",
        "DBUS_SESSION_BUS_ADDRESS",
        "No such file or directory",
        "Connection refused",
    ];
    if unavailable.iter().any(|u| why.contains(u)) {
        NotifyError::Unavailable(why)
    } else {
        NotifyError::Failed(why)
    }
}

impl DesktopNotifier {
    /// Shows words that are about no escalation of mine (an escalation the backend refused,
    /// say), without actions.
    pub fn show_text(&self, t: &NoticeText) -> Result<(), NotifyError> {
        let t = NoticeText { url: None, escalation_id: None, ..t.clone() };
        Self::build(&t, false).show().map(drop).map_err(notify_error)
    }
}

impl Notifier for DesktopNotifier {
    fn show(&self, words: &NoticeText, on_action: ActionSink) -> Result<(), NotifyError> {
        self.show_progress(words, on_action)
    }

    /// Any notice's words, with Open and Acknowledge as far as they name a link and an escalation.
    fn show_progress(&self, t: &NoticeText, on_action: ActionSink) -> Result<(), NotifyError> {
        show_with(t, false, on_action).map(drop)
    }

    fn show_offer(&self, t: &NoticeText, on_action: ActionSink) -> Result<Option<u32>, NotifyError> {
        show_with(t, true, on_action)
    }

    fn withdraw(&self, id: u32) -> Result<(), NotifyError> {
        close(id)
    }
}

/// Shows `t` (`offer`: with Take), and waits on a thread of its own for the user's action; the
/// notification's id comes back at once.
fn show_with(t: &NoticeText, offer: bool, on_action: ActionSink) -> Result<Option<u32>, NotifyError> {
    let t = t.clone();
    if cfg!(target_os = "macos") || (t.url.is_none() && t.escalation_id.is_none()) {
        // Actions on macOS need the main run loop; the tray menu offers them instead.
        let _ = on_action;
        return DesktopNotifier::build(&t, offer).show().map(|_| None).map_err(notify_error);
    }
    // The D-Bus handle stays on the thread that showed it, and waits there (blocking) for an
    // action or the notification's closing; the show's result comes back at once.
    let (shown, result) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("rota-notification".into())
        .spawn(move || match DesktopNotifier::build(&t, offer).show() {
            Ok(handle) => {
                #[cfg(not(target_os = "macos"))]
                {
                    let _ = shown.send(Ok(Some(handle.id())));
                    handle.wait_for_action(|key| {
                        if let Some(action) = action_for(key, &t) {
                            on_action(action);
                        }
                    });
                }
                #[cfg(target_os = "macos")]
                {
                    let _ = (handle, shown.send(Ok(None)));
                }
            }
            Err(e) => {
                let _ = shown.send(Err(notify_error(e)));
            }
        })
        .map_err(|e| NotifyError::Failed(format!("no thread to show it on: {e}")))?;
    result.recv().unwrap_or_else(|_| Err(NotifyError::Failed("the notification thread ended".into())))
}

/// Closes notification `id` on the session's notification server (`CloseNotification`); the
/// notifications of an earlier run too, whose handles are gone. Blocking.
#[cfg(target_os = "linux")]
fn close(id: u32) -> Result<(), NotifyError> {
    let call = async move {
        let bus = zbus::Connection::session().await?;
        let path = "/org/freedesktop/Notifications";
        let name = "org.freedesktop.Notifications";
        bus.call_method(Some(name), path, Some(name), "CloseNotification", &(id,)).await.map(drop)
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| NotifyError::Failed(e.to_string()))?;
    runtime.block_on(call).map_err(|e: zbus::Error| NotifyError::Failed(e.to_string()))
}

#[cfg(not(target_os = "linux"))]
fn close(id: u32) -> Result<(), NotifyError> {
    let _ = id;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A notice about escalation 7, with its page.
    fn notice() -> NoticeText {
        NoticeText {
            summary: "s".into(),
            body: "b".into(),
            critical: false,
            escalation_id: Some("7".into()),
            url: Some("https://x.example/7".into()),
            ticket: None,
        }
    }

    #[test]
    fn actions_map_to_the_notice() {
        let t = notice();
        assert_eq!(action_for("open", &t), Some(NoticeAction::Open { url: "https://x.example/7".into() }));
        assert_eq!(action_for("default", &t), Some(NoticeAction::Open { url: "https://x.example/7".into() }));
        let no_link = NoticeText { url: None, ..t.clone() };
        assert_eq!(action_for("default", &no_link), Some(NoticeAction::ShowDashboard { id: "7".into() }), "no link: the dashboard");
        assert_eq!(action_for("open", &no_link), None);
        assert_eq!(action_for("default", &NoticeText { escalation_id: None, ..no_link }), None);
        assert_eq!(action_for("acknowledge", &t), Some(NoticeAction::Acknowledge { id: "7".into() }));
        assert_eq!(action_for("__closed", &t), None);
        let summary = NoticeText { escalation_id: None, url: None, ..t };
        assert_eq!(action_for("acknowledge", &summary), None);
    }

    /// Each button once, on every server: xfce4-notifyd draws the `default` action as a button.
    #[test]
    fn each_action_is_one_button_whatever_the_server() {
        let t = notice();
        let no_link = NoticeText { url: None, ..t.clone() };
        let words = NoticeText { escalation_id: None, ..no_link.clone() };
        for (t, offer, xfce, expected) in [
            (&t, false, false, vec![("default", ""), ("open", "Open"), ("acknowledge", "Acknowledge")]),
            (&t, false, true, vec![("open", "Open"), ("acknowledge", "Acknowledge")]),
            (&t, true, false, vec![("default", ""), ("open", "Open"), ("take", "Take")]),
            (&t, true, true, vec![("open", "Open"), ("take", "Take")]),
            (&no_link, false, false, vec![("default", "Show in Rota"), ("acknowledge", "Acknowledge")]),
            (&no_link, false, true, vec![("default", "Show in Rota"), ("acknowledge", "Acknowledge")]),
            (&words, false, true, vec![]),
        ] {
            assert_eq!(actions(t, offer, xfce), expected, "{t:?} offer {offer} xfce {xfce}");
        }
        assert!(draws_default_as_a_button("Xfce Notify Daemon"));
        assert!(!draws_default_as_a_button("gnome-shell") && !draws_default_as_a_button(""));
    }

    #[test]
    fn only_web_links_open_and_markup_is_escaped() {
        assert!(is_web_link("https://support.example.com/t/1"));
        assert!(is_web_link("http://localhost:8080/x"));
        for bad in ["file:///etc/passwd", "javascript:alert(1)", "ssh://h", "not a url", "smb://x/y"] {
            assert!(!is_web_link(bad), "{bad}");
            assert!(open_link(bad).is_err());
        }
        assert_eq!(escape_markup("<b>Acme & Co</b>"), "&lt;b&gt;Acme &amp; Co&lt;/b&gt;");
    }

    /// Installed, the icon theme names Rota's icon; run from a build, the icon is a file of
    /// Rota's own, so that the server draws Rota's icon and not a broken image.
    #[test]
    fn the_icon_is_the_themes_where_installed_else_a_file_of_rotas_own() {
        let dir = tempfile::tempdir().unwrap();
        let (share, own) = (dir.path().join("share"), dir.path().join("data/rota"));
        let folders = [dir.path().join("empty"), share.clone()];

        // Not installed: a file:// URI of Rota's icon, private, in its data folder.
        let uri = app_icon_in(&folders, Some(&own));
        let file = own.join("rota-app.png");
        assert_eq!(uri, reqwest::Url::from_file_path(&file).unwrap().as_str());
        assert_eq!(std::fs::read(&file).unwrap(), ICON_PNG);
        #[cfg(unix)]
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions()) & 0o777, 0o600);
        // A damaged file is written again.
        std::fs::write(&file, b"not a png").unwrap();
        assert_eq!(app_icon_in(&folders, Some(&own)), uri);
        assert_eq!(std::fs::read(&file).unwrap(), ICON_PNG);

        // Where it cannot be written (a file stands where the folder would be), the name still.
        std::fs::write(dir.path().join("blocked"), b"").unwrap();
        assert_eq!(app_icon_in(&folders, Some(&dir.path().join("blocked/rota"))), APP_ICON);
        assert_eq!(app_icon_in(&folders, None), APP_ICON);

        // Installed, as the package does (hicolor, any size), or in pixmaps: the name.
        for (n, at) in ["icons/hicolor/128x128/apps/rota-app.png", "icons/hicolor/scalable/apps/rota-app.svg", "pixmaps/rota-app.png"]
            .into_iter()
            .enumerate()
        {
            let installed = dir.path().join(format!("installed-{n}"));
            std::fs::create_dir_all(installed.join(at).parent().unwrap()).unwrap();
            std::fs::write(installed.join(at), ICON_PNG).unwrap();
            assert_eq!(app_icon_in(&[dir.path().join("empty"), installed], Some(&own)), APP_ICON, "{at}");
        }
    }
}
