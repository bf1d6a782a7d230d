//! The tray icon and its menu, built from the core's [`TrayMenu`]. On Linux a tray icon gets no
//! clicks, only its menu, so the menu *is* the glance.

use rota_core::tray::{TrayMenu, TrayState};
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Runtime};

pub const TRAY_ID: &str = "rota";

/// The menu's actions: a closed set, matched by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuAction {
    Escalate,
    OpenDashboard,
    Settings,
    StartAtLogin,
    Quit,
    /// Open the link of the n-th escalation in "My escalations".
    OpenEscalation(usize),
}

impl MenuAction {
    const ALL: [MenuAction; 5] =
        [MenuAction::Escalate, MenuAction::OpenDashboard, MenuAction::Settings, MenuAction::StartAtLogin, MenuAction::Quit];

    pub fn id(self) -> String {
        match self {
            MenuAction::OpenEscalation(i) => format!("escalation-{i}"),
            other => other.fixed_id().to_owned(),
        }
    }

    fn fixed_id(self) -> &'static str {
        match self {
            MenuAction::OpenEscalation(_) => "escalation",
            MenuAction::Escalate => "escalate",
            MenuAction::OpenDashboard => "open-dashboard",
            MenuAction::Settings => "settings",
            MenuAction::StartAtLogin => "start-at-login",
            MenuAction::Quit => "quit",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        if let Some(i) = id.strip_prefix("escalation-").and_then(|n| n.parse().ok()) {
            return Some(MenuAction::OpenEscalation(i));
        }
        Self::ALL.into_iter().find(|a| a.fixed_id() == id)
    }

    fn label(self) -> &'static str {
        match self {
            MenuAction::Escalate => "Escalate…",
            MenuAction::OpenDashboard => "Open dashboard",
            MenuAction::Settings => "Settings…",
            MenuAction::StartAtLogin => "Start at login",
            MenuAction::Quit => "Quit",
            MenuAction::OpenEscalation(_) => "Open",
        }
    }
}

/// What the escalations poller adds to the menu.
#[derive(Debug, Clone, Default)]
pub struct EscalationsMenu {
    /// One line per escalation of mine, newest first.
    pub mine: Vec<String>,
    /// "⚠ GitHub token rejected" and the like.
    pub status: Option<String>,
    /// "1 escalation waiting to send".
    pub waiting: Option<String>,
}

/// Icons for dark panels (light glyphs), the common case on Linux desktops.
fn icon(state: TrayState) -> tauri::Result<Image<'static>> {
    let bytes: &'static [u8] = match state {
        TrayState::OnDuty => include_bytes!("../../../icons/tray-on-duty-dark.png"),
        TrayState::OffDuty => include_bytes!("../../../icons/tray-off-duty-dark.png"),
        TrayState::Attention => include_bytes!("../../../icons/tray-attention-dark.png"),
    };
    Image::from_bytes(bytes)
}

fn menu<R: Runtime>(app: &AppHandle<R>, m: &TrayMenu, esc: &EscalationsMenu, start_at_login: bool) -> tauri::Result<Menu<R>> {
    let mut info: Vec<String> = vec![m.header.clone()];
    info.extend(m.problems.iter().cloned());
    info.extend(m.demo.iter().cloned());
    info.extend(m.engineers.iter().cloned());
    info.extend(m.next.iter().cloned());
    let mut items: Vec<Box<dyn IsMenuItem<R>>> = Vec::new();
    for (i, line) in info.iter().enumerate() {
        items.push(Box::new(MenuItem::with_id(app, format!("info-{i}"), line, false, None::<&str>)?));
    }
    items.push(Box::new(PredefinedMenuItem::separator(app)?));
    if let Some(status) = &esc.status {
        items.push(Box::new(MenuItem::with_id(app, "escalations-status", status, false, None::<&str>)?));
    }
    if let Some(waiting) = &esc.waiting {
        items.push(Box::new(MenuItem::with_id(app, "outbox-waiting", waiting, false, None::<&str>)?));
    }
    if !esc.mine.is_empty() {
        let mut lines: Vec<MenuItem<R>> = Vec::new();
        for (i, line) in esc.mine.iter().enumerate() {
            lines.push(MenuItem::with_id(app, MenuAction::OpenEscalation(i).id(), line, true, None::<&str>)?);
        }
        let refs: Vec<&dyn IsMenuItem<R>> = lines.iter().map(|l| l as &dyn IsMenuItem<R>).collect();
        let title = format!("My escalations ({})", esc.mine.len());
        items.push(Box::new(Submenu::with_id_and_items(app, "my-escalations", title, true, &refs)?));
    }
    for action in MenuAction::ALL {
        if action == MenuAction::StartAtLogin {
            items.push(Box::new(CheckMenuItem::with_id(app, action.id(), action.label(), true, start_at_login, None::<&str>)?));
        } else {
            items.push(Box::new(MenuItem::with_id(app, action.id(), action.label(), true, None::<&str>)?));
        }
    }
    let refs: Vec<&dyn IsMenuItem<R>> = items.iter().map(|b| b.as_ref()).collect();
    Menu::with_items(app, &refs)
}

/// Creates the tray icon. Menu clicks go to `on_action`.
pub fn create<R: Runtime>(
    app: &AppHandle<R>,
    m: &TrayMenu,
    esc: &EscalationsMenu,
    start_at_login: bool,
    on_action: impl Fn(&AppHandle<R>, MenuAction) + Send + Sync + 'static,
) -> tauri::Result<TrayIcon<R>> {
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon(m.state)?)
        .tooltip(&m.tooltip)
        .menu(&menu(app, m, esc, start_at_login)?)
        .show_menu_on_left_click(true)
        .on_menu_event(move |app, event| {
            if let Some(action) = MenuAction::from_id(event.id().as_ref()) {
                on_action(app, action);
            }
        })
        .build(app)
}

/// Replaces the menu, icon and tooltip with fresh ones.
pub fn update<R: Runtime>(app: &AppHandle<R>, m: &TrayMenu, esc: &EscalationsMenu, start_at_login: bool) -> tauri::Result<()> {
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        tray.set_menu(Some(menu(app, m, esc, start_at_login)?))?;
        tray.set_icon(Some(icon(m.state)?))?;
        tray.set_tooltip(Some(&m.tooltip))?;
    }
    Ok(())
}
