//! The portable tray host (`rota-app --tray`): Tauri's tray icon and menu drawing the core's
//! [`TrayModel`], for macOS and Windows, and for Linux with `rota --tray tauri` (through
//! libayatana-appindicator). Everything behind the menu is [`rota_io::tray`], as for the lean
//! Linux host; this process never creates a webview (windows are `rota-app --window`).
//!
//! Each platform's conventions: on macOS no Dock icon (accessory activation policy) and template
//! icons that the menu bar tints for light and dark; on Windows notifications under the app's own
//! AUMID (the identifier, see `rota_io::notifier::APP_ID`). Tauri applies menu changes on the main
//! thread, and acts on a menu click when the menu reports it (button-up on Windows).

use rota_core::shortcut::Shortcut;
use rota_core::tray::{MenuAction, MenuEntry, TrayModel, TrayState};
use rota_io::protocol::{self, Overrides, WindowKind};
use rota_io::tray::{Keys, Request, TrayView};
use std::sync::Mutex;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, IsMenuItem, Menu, MenuItem, MenuItemKind, PredefinedMenuItem, Submenu};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, RunEvent, Runtime};
use tokio::sync::mpsc::{self, UnboundedSender};

/// The tray icon's id (on Linux the appindicator's object path ends with it).
const TRAY_ID: &str = "rota";

/// Runs the Tauri tray until Quit. Returns the exit status.
pub fn run(overrides: Overrides, open: Option<WindowKind>) -> i32 {
    let clock = match rota_io::clock::at_start() {
        Ok(clock) => clock,
        Err(status) => return status,
    };
    if !protocol::in_desktop_session() {
        eprintln!(
            "rota: the tray app needs a desktop session (no DISPLAY or WAYLAND_DISPLAY); subcommands such as `rota now` work without one"
        );
        return 1;
    }
    let (tx, requests) = mpsc::unbounded_channel();
    // One tray per session, whichever host draws it: on Linux both claim the same D-Bus name.
    #[cfg(target_os = "linux")]
    // GLib's own connection to the session bus (the appindicator's, one per process) would kill
    // the process with SIGTERM when the bus goes: the tray says why and ends with 0 instead
    // (watch_session_end). Held for the tray's life, or GLib would make a new one that kills.
    #[cfg(target_os = "linux")]
    let _glib_bus =
        gtk::gio::bus_get_sync(gtk::gio::BusType::Session, gtk::gio::Cancellable::NONE).inspect(|bus| bus.set_exit_on_close(false));
    #[cfg(target_os = "linux")]
    let claimed = tauri::async_runtime::block_on(async {
        let claim = rota_io::instance::claim(tx.clone(), open).await;
        if let Ok(rota_io::instance::Claim::Ours(conn)) = &claim {
            rota_io::instance::watch_session_end(conn, tx.clone());
        }
        claim
    });
    let _name = match claimed {
        Ok(rota_io::instance::Claim::Ours(conn)) => conn,
        Ok(rota_io::instance::Claim::Theirs) => return 0,
        Err(e) => {
            eprintln!("rota: the tray needs the desktop session's D-Bus ({e})");
            return 1;
        }
    };
    if let Err(why) = crate::display::open() {
        eprintln!("rota: {why}");
        return 1;
    }
    let context: tauri::Context<tauri::Wry> = tauri::generate_context!();
    let builder = tauri::Builder::default();
    #[cfg(not(target_os = "linux"))]
    let builder = {
        let tx = tx.clone();
        builder.plugin(tauri_plugin_single_instance::init(move |_app, args, _cwd| {
            let kind = crate::arg_value(&args, "--open").and_then(|k| WindowKind::openable(k).ok()).unwrap_or(WindowKind::Dashboard);
            let _ = tx.send(Request::Open(kind));
        }))
    };
    #[cfg(not(target_os = "linux"))]
    let builder = builder.plugin(tauri_plugin_global_shortcut::Builder::new().build());
    let app = builder
        .setup(move |app| {
            #[cfg(target_os = "macos")]
            app.set_activation_policy(tauri::ActivationPolicy::Accessory);
            let handle = app.handle().clone();
            let keys = keys(&handle, &tx);
            tauri::async_runtime::spawn(async move {
                let view_app = handle.clone();
                let code = rota_io::tray::run(overrides, clock, open, requests, keys, move |first| async move {
                    TauriTray::build(&view_app, first, tx)
                })
                .await;
                handle.exit(code);
            });
            Ok(())
        })
        .build(context);
    match app {
        Ok(app) => {
            app.run(|_, event| {
                // A tray has no window whose closing should end it; only Quit does.
                if let RunEvent::ExitRequested { code: None, api, .. } = event {
                    api.prevent_exit();
                }
            });
            0
        }
        Err(e) => {
            eprintln!("rota: the tray could not start: {e}");
            1
        }
    }
}

/// The quick escalate shortcut: an X key grab on Linux (as the lean host), Tauri's global-shortcut
/// plugin where there is no X server to grab a key on.
fn keys<R: Runtime>(app: &AppHandle<R>, requests: &UnboundedSender<Request>) -> Keys {
    #[cfg(target_os = "linux")]
    {
        let _ = app;
        rota_io::tray::x11_keys(requests)
    }
    #[cfg(not(target_os = "linux"))]
    {
        Ok(Box::new(PluginKeys { app: app.clone(), requests: requests.clone() }))
    }
}

/// The global-shortcut plugin as a [`ShortcutKeys`].
#[cfg(not(target_os = "linux"))]
pub struct PluginKeys<R: Runtime> {
    app: AppHandle<R>,
    requests: UnboundedSender<Request>,
}

#[cfg(not(target_os = "linux"))]
impl<R: Runtime> rota_io::tray::ShortcutKeys for PluginKeys<R> {
    fn set(&self, shortcut: Option<&Shortcut>) -> Result<(), String> {
        use tauri_plugin_global_shortcut::GlobalShortcutExt;
        let keys = self.app.global_shortcut();
        keys.unregister_all().map_err(|e| e.to_string())?;
        let Some(shortcut) = shortcut else {
            return Ok(());
        };
        let tx = self.requests.clone();
        keys.on_shortcut(accelerator(shortcut).as_str(), move |_app, _shortcut, event| {
            if event.state() == tauri_plugin_global_shortcut::ShortcutState::Pressed {
                let _ = tx.send(Request::Open(WindowKind::Escalate));
            }
        })
        .map_err(|e| e.to_string())
    }
}

/// The shortcut as Tauri writes accelerators ("Ctrl+Alt+E").
#[cfg_attr(target_os = "linux", allow(dead_code))]
fn accelerator(shortcut: &Shortcut) -> String {
    shortcut.to_string()
}

/// The tray icon, and what it was last given.
struct TauriTray<R: Runtime> {
    icon: TrayIcon<R>,
    /// What is shown, and its menu: a model equal to it changes nothing, and one that differs
    /// only in check marks sets them in place. A menu rebuilt gets new item ids (a click on the
    /// old one is lost) and closes under the person reading it.
    shown: Mutex<(TrayModel, Menu<R>)>,
}

/// Whether `new` has `old`'s shape: the same entries, of the same kinds, with the same actions,
/// submenus alike. Then the shown menu is updated in place (labels, check marks) rather than built
/// again: a menu built again gets new item ids (a click on the old one is lost), closes under the
/// person reading it, and makes libayatana-appindicator register the item with the panel again
/// (xfce4-panel's tray plugin was seen to crash on a burst of those).
fn same_shape(old: &[MenuEntry], new: &[MenuEntry]) -> bool {
    old.len() == new.len()
        && old.iter().zip(new).all(|(a, b)| match (a, b) {
            (MenuEntry::Item { action: x, .. }, MenuEntry::Item { action: y, .. }) => x == y,
            (MenuEntry::Check { action: x, .. }, MenuEntry::Check { action: y, .. }) => x == y,
            (MenuEntry::Submenu { entries: x, .. }, MenuEntry::Submenu { entries: y, .. }) => same_shape(x, y),
            (MenuEntry::Separator, MenuEntry::Separator) => true,
            _ => false,
        })
}

/// Sets what changed from `old` to `new` (of the same shape) on the menu's `items`, in place.
fn set_in_place<R: Runtime>(items: Vec<MenuItemKind<R>>, old: &[MenuEntry], new: &[MenuEntry]) -> tauri::Result<()> {
    for ((item, was), now) in items.into_iter().zip(old).zip(new) {
        if was == now {
            continue;
        }
        match (item, was, now) {
            (MenuItemKind::MenuItem(i), _, MenuEntry::Item { label, .. }) => i.set_text(literal(label))?,
            (MenuItemKind::Check(c), MenuEntry::Check { label: l0, checked: c0, .. }, MenuEntry::Check { label, checked, .. }) => {
                if l0 != label {
                    c.set_text(literal(label))?;
                }
                if c0 != checked {
                    c.set_checked(*checked)?;
                }
            }
            (MenuItemKind::Submenu(m), MenuEntry::Submenu { label: l0, entries: e0 }, MenuEntry::Submenu { label, entries }) => {
                if l0 != label {
                    m.set_text(literal(label))?;
                }
                set_in_place(m.items()?, e0, entries)?;
            }
            _ => {}
        }
    }
    Ok(())
}

impl<R: Runtime> TauriTray<R> {
    fn build(app: &AppHandle<R>, first: TrayModel, actions: UnboundedSender<Request>) -> Result<Self, String> {
        let menu = menu(app, &first.entries).map_err(|e| e.to_string())?;
        let icon = TrayIconBuilder::with_id(TRAY_ID)
            .icon(icon(first.state))
            .icon_as_template(cfg!(target_os = "macos"))
            .tooltip(&first.tooltip)
            .menu(&menu)
            // The glance is the menu: a left click shows it too.
            .show_menu_on_left_click(true)
            .on_menu_event(move |_app, event| {
                if let Some(action) = MenuAction::from_id(event.id().as_ref()) {
                    let _ = actions.send(Request::Action(action));
                }
            })
            .build(app)
            .map_err(|e| e.to_string())?;
        Ok(TauriTray { icon, shown: Mutex::new((first, menu)) })
    }

    fn update(&self, model: &TrayModel) -> tauri::Result<()> {
        let mut guard = self.shown.lock().unwrap_or_else(|p| p.into_inner());
        let (shown, shown_menu) = &mut *guard;
        if shown.entries != model.entries {
            let in_place = same_shape(&shown.entries, &model.entries)
                && shown_menu.items().and_then(|items| set_in_place(items, &shown.entries, &model.entries)).is_ok();
            if !in_place {
                *shown_menu = menu(self.icon.app_handle(), &model.entries)?;
                self.icon.set_menu(Some(shown_menu.clone()))?;
            }
        }
        if shown.tooltip != model.tooltip {
            self.icon.set_tooltip(Some(&model.tooltip))?;
        }
        if shown.state != model.state {
            self.icon.set_icon(Some(icon(model.state)))?;
            self.icon.set_icon_as_template(cfg!(target_os = "macos"))?;
        }
        *shown = model.clone();
        Ok(())
    }
}

impl<R: Runtime> TrayView for TauriTray<R> {
    async fn show(&self, model: TrayModel) {
        if let Err(e) = self.update(&model) {
            eprintln!("rota: the tray menu could not be updated: {e}");
        }
    }

    async fn close(&self) {
        let _ = self.icon.set_visible(false);
    }
}

/// The icon for a state: an outlined glyph that reads on light and dark panels alike, whose
/// states differ in shape too, so that macOS can tint it as a template.
fn icon(state: TrayState) -> Image<'static> {
    let bytes: &'static [u8] = match state {
        TrayState::OnDuty => include_bytes!("../../icons/tray-on-duty.png"),
        TrayState::OffDuty => include_bytes!("../../icons/tray-off-duty.png"),
        TrayState::Attention => include_bytes!("../../icons/tray-attention.png"),
    };
    Image::from_bytes(bytes).expect("the tray icons are PNGs compiled in")
}

/// A label shown as written: Tauri's menus read `&` as an access-key mark, `&&` as an ampersand.
fn literal(label: &str) -> String {
    label.replace('&', "&&")
}

fn menu<R: Runtime>(app: &AppHandle<R>, entries: &[MenuEntry]) -> tauri::Result<Menu<R>> {
    let items = items(app, entries)?;
    let refs: Vec<&dyn IsMenuItem<R>> = items.iter().map(|i| i.as_ref()).collect();
    Menu::with_items(app, &refs)
}

fn items<R: Runtime>(app: &AppHandle<R>, entries: &[MenuEntry]) -> tauri::Result<Vec<Box<dyn IsMenuItem<R>>>> {
    entries
        .iter()
        .map(|e| -> tauri::Result<Box<dyn IsMenuItem<R>>> {
            Ok(match e {
                MenuEntry::Item { label, action: Some(a) } => Box::new(MenuItem::with_id(app, a.id(), literal(label), true, None::<&str>)?),
                MenuEntry::Item { label, action: None } => Box::new(MenuItem::new(app, literal(label), false, None::<&str>)?),
                MenuEntry::Check { label, action, checked } => {
                    Box::new(CheckMenuItem::with_id(app, action.id(), literal(label), true, *checked, None::<&str>)?)
                }
                MenuEntry::Submenu { label, entries } => {
                    let children = items(app, entries)?;
                    let refs: Vec<&dyn IsMenuItem<R>> = children.iter().map(|i| i.as_ref()).collect();
                    Box::new(Submenu::with_items(app, literal(label), true, &refs)?)
                }
                MenuEntry::Separator => Box::new(PredefinedMenuItem::separator(app)?),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icons_decode() {
        for state in TrayState::ALL {
            let i = icon(state);
            assert!(i.width() > 0 && i.rgba().len() == (i.width() * i.height() * 4) as usize, "{state:?}");
        }
    }

    #[test]
    fn labels_show_text_as_written() {
        assert_eq!(literal("Smith & Co"), "Smith && Co");
    }

    #[test]
    fn a_menu_of_the_same_shape_is_updated_in_place() {
        let item = |label: &str| MenuEntry::Item { label: label.into(), action: Some(MenuAction::OpenDashboard) };
        let line = |label: &str| MenuEntry::Item { label: label.into(), action: None };
        let login = |checked| MenuEntry::Check { label: "Start at login".into(), action: MenuAction::StartAtLogin, checked };
        let mine = |title: &str| MenuEntry::Submenu { label: "My escalations (1)".into(), entries: vec![item(title)] };
        let before = [line("Keegan — 14:00 SAST"), mine("Search is down"), login(false), MenuEntry::Separator];
        // A new minute's words and a check mark: the same shape.
        let after = [line("Keegan — 14:01 SAST"), mine("Search is still down"), login(true), MenuEntry::Separator];
        assert!(same_shape(&before, &after));
        // An item that becomes clickable, one more line, or another kind: built again.
        assert!(!same_shape(&before, &[item("Keegan — 14:00 SAST"), mine("x"), login(false), MenuEntry::Separator]));
        assert!(!same_shape(&before, &after[..3]));
        assert!(!same_shape(&before, &[line("a"), line("b"), login(false), MenuEntry::Separator]));
    }

    #[test]
    fn shortcuts_are_accelerators_the_plugin_reads() {
        for (written, expected) in [("Ctrl+Alt+E", "Ctrl+Alt+E"), ("CmdOrCtrl+Shift+K", "Ctrl+Shift+K"), ("Super+F5", "Super+F5")] {
            let sc: Shortcut = written.parse().unwrap();
            assert_eq!(accelerator(&sc), expected);
            let parsed = accelerator(&sc).parse::<tauri_plugin_global_shortcut::Shortcut>();
            assert!(parsed.is_ok(), "{written}: {parsed:?}");
        }
    }
}
