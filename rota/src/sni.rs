//! The lean Linux tray host: the core's [`TrayModel`] as a StatusNotifierItem and its
//! `com.canonical.dbusmenu` menu (ksni), no toolkit. On Linux a tray icon gets no clicks, only its
//! menu, so the menu *is* the glance. Everything behind it is [`rota_io::tray`].

use rota_core::tray::{MenuAction, MenuEntry, TrayModel, TrayState};
use rota_io::protocol::{Overrides, WindowKind};
use rota_io::tray::{self, Request, TrayView};
use std::sync::OnceLock;
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::sync::oneshot;

/// Starts the tray and runs it until Quit. Returns the exit status.
pub fn run(overrides: Overrides, open: Option<WindowKind>) -> i32 {
    let clock = match rota_io::clock::at_start() {
        Ok(clock) => clock,
        Err(status) => return status,
    };
    if !rota_io::protocol::in_desktop_session() {
        eprintln!(
            "rota: the tray app needs a desktop session (no DISPLAY or WAYLAND_DISPLAY); subcommands such as `rota now` work without one"
        );
        return 1;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("rota").enable_all().build();
    match runtime {
        Ok(rt) => rt.block_on(main(overrides, clock, open)),
        Err(e) => {
            eprintln!("rota: the tray could not start: {e}");
            1
        }
    }
}

async fn main(overrides: Overrides, clock: rota_io::clock::Clock, open: Option<WindowKind>) -> i32 {
    let (tx, requests) = mpsc::unbounded_channel();
    // One tray per session: a second `rota` hands its request to the first and ends.
    let _name = match rota_io::instance::claim(tx.clone(), open).await {
        Ok(rota_io::instance::Claim::Ours(conn)) => {
            rota_io::instance::watch_session_end(&conn, tx.clone());
            conn
        }
        Ok(rota_io::instance::Claim::Theirs) => return 0,
        Err(e) => {
            eprintln!("rota: the tray needs the desktop session's D-Bus ({e})");
            return 1;
        }
    };
    let keys = tray::x11_keys(&tx);
    tray::run(overrides, clock, open, requests, keys, |first| Item::spawn(SniTray { model: first, actions: tx })).await
}

/// The running item.
struct Item {
    handle: ksni::Handle<SniTray>,
    /// Dropped with the item, which ends the thread its D-Bus service runs on.
    _service: oneshot::Sender<()>,
}

impl Item {
    /// Starts the item's D-Bus service on a thread of its own, where method calls are answered
    /// one at a time, in the order they came.
    ///
    /// zbus answers each call in a task of its own. On the tray's two-thread runtime the newest
    /// of a burst ran first (tokio's LIFO slot) or beside the others; libdbusmenu-gtk3 (the menus
    /// of xfce4-panel, Cinnamon, MATE and Budgie) sends its `GetGroupProperties` for the top
    /// level, for an escalation and for that escalation's actions without waiting, and builds an
    /// item only under a parent it has built already: the actions' answer came first, they were
    /// dropped ("Children but no menu" in the panel's log) and the escalation's submenu opened
    /// as an empty strip. A current-thread runtime runs tasks in the order they were spawned, and
    /// each runs to its answer, so answers leave in the order of the calls.
    async fn spawn(tray: SniTray) -> Result<Item, String> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        let (ready, started) = oneshot::channel();
        let (service, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("rota-sni".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let spawned = ksni::TrayMethods::assume_sni_available(tray, true).spawn().await;
                    let running = spawned.is_ok();
                    let _ = ready.send(spawned.map_err(|e| e.to_string()));
                    if running {
                        let _ = stopped.await;
                    }
                })
            })
            .map_err(|e| e.to_string())?;
        let handle = started.await.map_err(|_| "its D-Bus thread ended".to_owned())??;
        Ok(Item { handle, _service: service })
    }
}

impl TrayView for Item {
    async fn show(&self, model: TrayModel) {
        self.handle.update(|t| t.model = model).await;
    }

    async fn close(&self) {
        // Quit came from a menu click still being answered: the item's state is locked until
        // that answer is on its way, so wait for the lock before closing the connection under it.
        self.handle.update(|_| ()).await;
        self.handle.shutdown().await;
    }
}

/// The tray item: what it shows, and where its clicks go.
struct SniTray {
    model: TrayModel,
    actions: UnboundedSender<Request>,
}

/// A label shown as written: dbusmenu reads `_` as an access-key mark, `__` as an underscore.
fn literal(label: &str) -> String {
    label.replace('_', "__")
}

/// Tooltip text as text: the description may carry markup, so `&`, `<` and `>` are escaped.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The icon for a state, as ARGB32 in network byte order; decoded once per state. An outlined
/// glyph (`scripts/icons.py`): it reads on light and dark panels alike, and the states differ in
/// shape as well as colour.
fn icon(state: TrayState) -> Vec<ksni::Icon> {
    static ICONS: [OnceLock<Option<ksni::Icon>>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let (slot, bytes): (usize, &'static [u8]) = match state {
        TrayState::OnDuty => (0, include_bytes!("../../icons/tray-on-duty.png")),
        TrayState::OffDuty => (1, include_bytes!("../../icons/tray-off-duty.png")),
        TrayState::Attention => (2, include_bytes!("../../icons/tray-attention.png")),
    };
    ICONS[slot].get_or_init(|| decode(bytes)).iter().cloned().collect()
}

fn decode(png_bytes: &[u8]) -> Option<ksni::Icon> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buf).ok()?;
    if info.color_type != png::ColorType::Rgba || info.bit_depth != png::BitDepth::Eight {
        return None;
    }
    let mut data = buf[..info.buffer_size()].to_vec();
    for px in data.chunks_exact_mut(4) {
        px.rotate_right(1); // RGBA -> ARGB
    }
    Some(ksni::Icon { width: info.width as i32, height: info.height as i32, data })
}

/// A click that sends `action` to the tray's main loop.
fn on_click(action: MenuAction) -> Box<dyn Fn(&mut SniTray) + Send> {
    Box::new(move |t: &mut SniTray| {
        let _ = t.actions.send(Request::Action(action.clone()));
    })
}

fn items(entries: &[MenuEntry]) -> Vec<ksni::MenuItem<SniTray>> {
    entries
        .iter()
        .map(|e| match e {
            MenuEntry::Item { label, action } => ksni::menu::StandardItem {
                label: literal(label),
                enabled: action.is_some(),
                activate: match action {
                    Some(a) => on_click(a.clone()),
                    None => Box::new(|_: &mut SniTray| ()),
                },
                ..Default::default()
            }
            .into(),
            MenuEntry::Check { label, action, checked } => ksni::menu::CheckmarkItem {
                label: literal(label),
                checked: *checked,
                activate: on_click(action.clone()),
                ..Default::default()
            }
            .into(),
            MenuEntry::Submenu { label, entries } => {
                ksni::menu::SubMenu { label: literal(label), submenu: items(entries), ..Default::default() }.into()
            }
            MenuEntry::Separator => ksni::MenuItem::Separator,
        })
        .collect()
}

impl ksni::Tray for SniTray {
    // A left click shows the menu too: the glance is the menu.
    const MENU_ON_ACTIVATE: bool = true;

    fn id(&self) -> String {
        "rota".into()
    }

    fn title(&self) -> String {
        "Rota".into()
    }

    fn status(&self) -> ksni::Status {
        match self.model.state {
            TrayState::Attention => ksni::Status::NeedsAttention,
            _ => ksni::Status::Active,
        }
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        icon(self.model.state)
    }

    fn attention_icon_pixmap(&self) -> Vec<ksni::Icon> {
        icon(TrayState::Attention)
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip { title: "Rota".into(), description: escaped(&self.model.tooltip), ..Default::default() }
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        items(&self.model.entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icons_decode_to_argb() {
        for state in TrayState::ALL {
            let icons = icon(state);
            assert_eq!(icons.len(), 1, "{state:?}");
            let i = &icons[0];
            assert_eq!(i.data.len(), (i.width * i.height * 4) as usize);
            // The corner is transparent: alpha (first byte in ARGB) is 0.
            assert_eq!(i.data[0], 0, "{state:?}");
            // Some pixel is opaque.
            assert!(i.data.chunks_exact(4).any(|px| px[0] == 255), "{state:?}");
        }
    }

    /// WCAG relative luminance of an sRGB colour.
    fn luminance([r, g, b]: [f64; 3]) -> f64 {
        let lin = |c: f64| if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) };
        0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    }

    fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// The icon reads on a light panel (the default Xfce and KDE ones) as on a dark one.
    /// Composited over each, most of the glyph's area reaches a 3:1 contrast with the panel.
    #[test]
    fn issue_10_every_icon_stands_out_on_light_and_dark_panels() {
        let panels = [("light", [0xf6, 0xf5, 0xf4]), ("dark", [0x30, 0x30, 0x30])];
        for state in TrayState::ALL {
            let i = &icon(state)[0];
            for (name, panel) in panels {
                let panel = panel.map(|c| c as f64 / 255.0);
                let (mut glyph, mut visible) = (0, 0);
                for px in i.data.chunks_exact(4) {
                    let alpha = px[0] as f64 / 255.0;
                    if alpha < 0.5 {
                        continue;
                    }
                    glyph += 1;
                    let shown = [1, 2, 3].map(|k| alpha * px[k] as f64 / 255.0 + (1.0 - alpha) * panel[k - 1]);
                    if contrast(shown, panel) >= 3.0 {
                        visible += 1;
                    }
                }
                let share = visible as f64 / glyph as f64;
                assert!(share >= 0.5, "{state:?} on a {name} panel: {:.0}% of the glyph reaches 3:1", share * 100.0);
            }
        }
    }

    /// The states differ in shape, not only in colour (colour-blind people, template icons).
    #[test]
    fn the_states_have_different_shapes() {
        let mask = |state| icon(state)[0].data.chunks_exact(4).map(|px| px[0] >= 128).collect::<Vec<_>>();
        let masks = TrayState::ALL.map(mask);
        assert!(masks[0] != masks[1] && masks[1] != masks[2] && masks[0] != masks[2]);
    }

    #[test]
    fn labels_and_tooltips_show_text_as_written() {
        assert_eq!(literal("a_b"), "a__b");
        assert_eq!(escaped("<img src=x> & co"), "&lt;img src=x&gt; &amp; co");
    }
}
