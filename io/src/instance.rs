//! One tray per desktop session, found on the session bus. The first `rota` owns the name
//! `dev.rota.Tray` and serves [`NAME`]'s interface; a later `rota` (a desktop shortcut running
//! `rota --open escalate`, a second start at login) hands its request to the first and ends. The
//! windows process and `rota escalate` use the same interface to say the outbox has news.

use crate::protocol::WindowKind;
use crate::tray::{KeysReply, Request};
use tokio::sync::mpsc::UnboundedSender;
use zbus::fdo::{RequestNameFlags, RequestNameReply};

/// The well-known name the running tray owns.
pub const NAME: &str = "dev.rota.Tray";
const PATH: &str = "/dev/rota/Tray";
const INTERFACE: &str = "dev.rota.Tray1";

struct Service {
    requests: UnboundedSender<Request>,
}

#[zbus::interface(name = "dev.rota.Tray1")]
impl Service {
    /// Opens (or brings forward) a window: "dashboard", "settings" or "escalate".
    fn open(&self, window: &str) -> zbus::fdo::Result<()> {
        let kind = WindowKind::openable(window).map_err(|e| zbus::fdo::Error::InvalidArgs(e.to_string()))?;
        self.requests.send(Request::Open(kind)).map_err(|_| zbus::fdo::Error::Failed("the tray is ending".into()))
    }

    /// Opens (or brings forward) a window showing `what`: the dashboard at `escalation:ID`.
    fn show(&self, window: &str, what: &str) -> zbus::fdo::Result<()> {
        let kind = WindowKind::openable(window).map_err(|e| zbus::fdo::Error::InvalidArgs(e.to_string()))?;
        let request = match crate::protocol::show_target(what) {
            Some(what) => Request::Show(kind, what),
            None => Request::Open(kind),
        };
        self.requests.send(request).map_err(|_| zbus::fdo::Error::Failed("the tray is ending".into()))
    }

    /// Something was put in the outbox: send it now.
    fn outbox_changed(&self) {
        let _ = self.requests.send(Request::OutboxChanged);
    }

    /// A window changed an escalation (acknowledged, engaged, reassigned it…): poll now, so the
    /// menu shows it.
    fn escalations_changed(&self) {
        let _ = self.requests.send(Request::EscalationsChanged);
    }

    /// Settings saved the config: read it again now.
    fn settings_changed(&self) {
        let _ = self.requests.send(Request::SettingsChanged);
    }

    /// A new GitHub token was stored: read it and poll now, and send what waits.
    fn token_changed(&self) {
        let _ = self.requests.send(Request::TokenChanged);
    }

    /// The escalate window is ready and shown as X window `window`: it gets the keys typed since
    /// the shortcut, in order, as the DOM names them ("a", "Tab", "Enter"…), and the keyboard.
    async fn take_typed_ahead(&self, window: u32) -> Vec<String> {
        let (reply, keys) = KeysReply::new();
        if self.requests.send(Request::HandOver(window, reply)).is_err() {
            return Vec::new();
        }
        keys.await.unwrap_or_default()
    }

    /// A window filed an escalation, or saved it to be sent (`queued`): the tray says so once.
    /// `link` may be empty; `key` is the filing's client key (empty: none), by which a filing
    /// told twice is said once.
    fn filed(&self, message: &str, title: &str, link: &str, key: &str, queued: bool) {
        let link = Some(link).filter(|l| !l.is_empty());
        let key = Some(key).filter(|k| !k.is_empty()).map(str::to_owned);
        let text = rota_core::notice::filed(message, title, link);
        let _ = self.requests.send(Request::Filed { key, queued, text });
    }
}

/// Tells `requests` once the session bus behind `conn` is gone (the session ended: a logout,
/// the bus daemon killed). The tray then ends instead of running on, unreachable, forever.
pub fn watch_session_end(conn: &zbus::Connection, requests: UnboundedSender<Request>) {
    use futures_util::StreamExt;
    let mut messages = zbus::MessageStream::from(conn.clone());
    tokio::spawn(async move {
        while let Some(message) = messages.next().await {
            if message.is_err() {
                break;
            }
        }
        let _ = requests.send(Request::SessionEnded);
    });
}

/// The tray's own connection (the one that owns [`NAME`]), for the signals it sends.
static TRAY_CONNECTION: std::sync::OnceLock<zbus::Connection> = std::sync::OnceLock::new();

/// The signal the tray sends when what it sees of the escalations changed (a poll found
/// something new, moved or gone): open windows fetch their views again at once, instead of at
/// the next minute (a new sev1 would appear up to 60 s after its notification).
const ESCALATIONS_SEEN: &str = "EscalationsSeen";

/// Who has the tray.
pub enum Claim {
    /// This process: keep the connection for as long as the tray runs.
    Ours(zbus::Connection),
    /// Another `rota`, which now has this one's request.
    Theirs,
}

/// Takes the tray's name, or hands `open` (the dashboard if none) to the tray that has it.
pub async fn claim(requests: UnboundedSender<Request>, open: Option<WindowKind>) -> zbus::Result<Claim> {
    let conn = zbus::connection::Builder::session()?.serve_at(PATH, Service { requests })?.build().await?;
    match conn.request_name_with_flags(NAME, RequestNameFlags::DoNotQueue.into()).await {
        Ok(RequestNameReply::PrimaryOwner | RequestNameReply::AlreadyOwner) => {
            let _ = TRAY_CONNECTION.set(conn.clone());
            Ok(Claim::Ours(conn))
        }
        Ok(_) | Err(zbus::Error::NameTaken) => {
            let kind = open.unwrap_or(WindowKind::Dashboard);
            conn.call_method(Some(NAME), PATH, Some(INTERFACE), "Open", &(kind.label(),)).await?;
            Ok(Claim::Theirs)
        }
        Err(e) => Err(e),
    }
}

/// Asks the running tray (if any) to open a window showing `what`. Best effort.
pub async fn show(kind: WindowKind, what: &rota_core::tray::MenuAction) {
    let Ok(conn) = zbus::Connection::session().await else { return };
    let _ = conn.call_method(Some(NAME), PATH, Some(INTERFACE), "Show", &(kind.label(), what.id())).await;
}

/// Tells the running tray (if any) that the outbox has something new. Best effort: the tray also
/// looks at the outbox when it starts and now and then.
pub async fn outbox_changed() {
    let Ok(conn) = zbus::Connection::session().await else { return };
    let _ = conn.call_method(Some(NAME), PATH, Some(INTERFACE), "OutboxChanged", &()).await;
}

/// The name a StatusNotifierItem host (a panel's tray) owns on the session bus.
pub const WATCHER: &str = "org.kde.StatusNotifierWatcher";

/// Whether a panel on this desktop shows tray items: someone owns [`WATCHER`], now or within
/// `grace` (at login the tray is often started before the panel). Plain GNOME without the
/// AppIndicator extension has none, and a tray item there is invisible.
pub async fn has_tray_watcher(grace: std::time::Duration) -> bool {
    use futures_util::StreamExt;
    let Ok(conn) = zbus::Connection::session().await else { return false };
    let Ok(dbus) = zbus::fdo::DBusProxy::new(&conn).await else { return false };
    let Ok(name) = zbus::names::BusName::try_from(WATCHER) else { return false };
    // Listen before asking, so a panel that comes up in between is not missed.
    let appeared = dbus.receive_name_owner_changed_with_args(&[(0, WATCHER)]).await;
    if dbus.name_has_owner(name).await.unwrap_or(false) {
        return true;
    }
    let Ok(mut appeared) = appeared else { return false };
    let first_owner = async {
        while let Some(change) = appeared.next().await {
            if change.args().is_ok_and(|a| a.new_owner().is_some()) {
                return true;
            }
        }
        false
    };
    tokio::time::timeout(grace, first_owner).await.unwrap_or(false)
}

/// The windows process's single-instance name and object on the session bus: Tauri's
/// single-instance plugin's, under the windows process's identifier (the app's, `dev.rota.tray`,
/// and `.windows`).
pub const WINDOWS_NAME: &str = "dev.rota.tray.windows.SingleInstance";
const WINDOWS_PATH: &str = "/dev/rota/tray/windows/SingleInstance";

/// The interface the windows process says its windows' news on, at [`WINDOWS_PATH`].
const WINDOWS_INTERFACE: &str = "dev.rota.Windows";
/// The signal the windows process sends when a window is shown (its label the argument).
const WINDOW_SHOWN: &str = "Shown";

/// Hands a window request (`argv`, the command line a windows process would be started with) to
/// the windows process that runs, if one does: it shows the window with no process to start.
/// `None` when none runs, or it did not take the request within two seconds. Otherwise the
/// window is under way, and the future returned says how it ended: true when the windows process
/// went away before it showed the window `label` (it was ending as the request came: the caller
/// starts a new one), false once the window is shown (or a minute has passed).
pub async fn reach_windows(argv: &[String], label: &str) -> Option<impl std::future::Future<Output = bool> + Send + 'static> {
    use futures_util::StreamExt;
    let conn = match TRAY_CONNECTION.get() {
        Some(conn) => conn.clone(),
        None => zbus::Connection::session().await.ok()?,
    };
    // Listen before asking, so neither answer can come before it is listened for.
    let dbus = zbus::fdo::DBusProxy::new(&conn).await.ok()?;
    let mut owners = dbus.receive_name_owner_changed_with_args(&[(0, WINDOWS_NAME)]).await.ok()?;
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .path(WINDOWS_PATH)
        .ok()?
        .interface(WINDOWS_INTERFACE)
        .ok()?
        .member(WINDOW_SHOWN)
        .ok()?
        .arg(0, label.to_owned())
        .ok()?
        .build();
    let mut shown = zbus::MessageStream::for_match_rule(rule, &conn, Some(4)).await.ok()?;
    let cwd = std::env::current_dir().unwrap_or_default().to_string_lossy().into_owned();
    let body = (argv, cwd);
    let call = conn.call_method(Some(WINDOWS_NAME), WINDOWS_PATH, Some("org.SingleInstance.DBus"), "ExecuteCallback", &body);
    if !matches!(tokio::time::timeout(std::time::Duration::from_secs(2), call).await, Ok(Ok(_))) {
        return None;
    }
    Some(async move {
        let _conn = conn;
        let gone = async {
            while let Some(change) = owners.next().await {
                if change.args().is_ok_and(|a| a.new_owner().is_none()) {
                    return true;
                }
            }
            false
        };
        let outcome = async {
            tokio::select! {
                // A window shown and closed at once, its process then gone: it was shown.
                biased;
                _ = shown.next() => false,
                gone = gone => gone,
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(60), outcome).await.unwrap_or(false)
    })
}

/// Says, as the windows process, that its window `label` is shown (see [`reach_windows`]). Best
/// effort.
pub async fn window_shown(label: &str) {
    let Ok(conn) = zbus::Connection::session().await else { return };
    let _ = conn.emit_signal(None::<&str>, WINDOWS_PATH, WINDOWS_INTERFACE, WINDOW_SHOWN, &(label,)).await;
}

/// Tells the running tray (if any) what a window filed or saved to be sent (`queued`; `key`: the
/// filing's client key), for it to say once. Best effort.
pub async fn filed(message: &str, title: &str, link: Option<&str>, key: Option<&str>, queued: bool) {
    let Ok(conn) = zbus::Connection::session().await else { return };
    let body = (message, title, link.unwrap_or(""), key.unwrap_or(""), queued);
    let _ = conn.call_method(Some(NAME), PATH, Some(INTERFACE), "Filed", &body).await;
}

/// The keys typed since the quick escalate shortcut, for the escalate window shown as X window
/// `window` (see [`crate::shortcut`]); none when no tray holds any. Waits at most a few seconds.
pub async fn take_typed_ahead(window: u32) -> Vec<String> {
    let Ok(conn) = zbus::Connection::session().await else { return Vec::new() };
    let body = (window,);
    let call = conn.call_method(Some(NAME), PATH, Some(INTERFACE), "TakeTypedAhead", &body);
    match tokio::time::timeout(std::time::Duration::from_secs(5), call).await {
        Ok(Ok(reply)) => reply.body().deserialize().unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Tells the running tray (if any) that a window changed an escalation. Best effort: the tray
/// also polls on its own.
pub async fn escalations_changed() {
    let Ok(conn) = zbus::Connection::session().await else { return };
    let _ = conn.call_method(Some(NAME), PATH, Some(INTERFACE), "EscalationsChanged", &()).await;
}

/// Tells the running tray (if any) that Settings saved the config. Best effort: the tray also
/// watches the config's folder.
pub async fn settings_changed() {
    let Ok(conn) = zbus::Connection::session().await else { return };
    let _ = conn.call_method(Some(NAME), PATH, Some(INTERFACE), "SettingsChanged", &()).await;
}

/// Tells the running tray (if any) that a new GitHub token is stored. Best effort.
pub async fn token_changed() {
    let Ok(conn) = zbus::Connection::session().await else { return };
    let _ = conn.call_method(Some(NAME), PATH, Some(INTERFACE), "TokenChanged", &()).await;
}

/// Says, as the tray, that the escalations it sees changed (a [`ESCALATIONS_SEEN`] signal to
/// whoever listens: the windows process). Nothing when this process is not the tray.
pub async fn escalations_seen() {
    let Some(conn) = TRAY_CONNECTION.get() else { return };
    if let Err(e) = conn.emit_signal(None::<&str>, PATH, INTERFACE, ESCALATIONS_SEEN, &()).await {
        eprintln!("rota: the open windows could not be told of the escalations' change: {e}");
    }
}

/// Runs `changed` each time the tray says the escalations it sees changed, for as long as the
/// session bus is there. Returns once listening has begun (the first call to `changed` comes
/// after), or with why it cannot listen.
pub async fn follow_escalations_seen(changed: impl Fn() + Send + 'static) -> zbus::Result<()> {
    use futures_util::StreamExt;
    let conn = zbus::Connection::session().await?;
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .path(PATH)?
        .interface(INTERFACE)?
        .member(ESCALATIONS_SEEN)?
        .build();
    let mut signals = zbus::MessageStream::for_match_rule(rule, &conn, Some(16)).await?;
    tokio::spawn(async move {
        let _conn = conn;
        while let Some(signal) = signals.next().await {
            if signal.is_ok() {
                changed();
            }
        }
    });
    Ok(())
}
