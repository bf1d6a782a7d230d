//! The tray item and its menu over StatusNotifierItem and `com.canonical.dbusmenu` (ksni), built
//! from the core's [`TrayMenu`]. On Linux a tray icon gets no clicks, only its menu, so the menu
//! *is* the glance.

use rota_core::tray::{TrayMenu, TrayState};
use std::sync::OnceLock;
use super::Request;
use tokio::sync::mpsc::UnboundedSender;

/// The menu's actions: a closed set.
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
    /// "⚠ 1 escalation refused by GitHub — fix and resend": opens the escalate window.
    pub refused: Option<String>,
}

/// The tray item: what it shows, and where its clicks go.
pub struct RotaTray {
    pub menu: TrayMenu,
    pub escalations: EscalationsMenu,
    pub start_at_login: bool,
    actions: UnboundedSender<Request>,
}

impl RotaTray {
    pub fn new(menu: TrayMenu, start_at_login: bool, actions: UnboundedSender<Request>) -> Self {
        RotaTray { menu, escalations: EscalationsMenu::default(), start_at_login, actions }
    }

    fn item(&self, label: &str, action: Option<MenuAction>) -> ksni::MenuItem<Self> {
        ksni::menu::StandardItem {
            label: literal(label),
            enabled: action.is_some(),
            activate: Box::new(move |t: &mut Self| {
                if let Some(a) = action {
                    let _ = t.actions.send(Request::Action(a));
                }
            }),
            ..Default::default()
        }
        .into()
    }
}

/// A label shown as written: dbusmenu reads `_` as an access-key mark, `__` as an underscore.
fn literal(label: &str) -> String {
    label.replace('_', "__")
}

/// Tooltip text as text: the description may carry markup, so `&`, `<` and `>` are escaped.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The icon for dark panels (light glyphs), the common case on Linux desktops, as ARGB32 in
/// network byte order; decoded once per state.
fn icon(state: TrayState) -> Vec<ksni::Icon> {
    static ICONS: [OnceLock<Option<ksni::Icon>>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let (slot, bytes): (usize, &'static [u8]) = match state {
        TrayState::OnDuty => (0, include_bytes!("../../../icons/tray-on-duty-dark.png")),
        TrayState::OffDuty => (1, include_bytes!("../../../icons/tray-off-duty-dark.png")),
        TrayState::Attention => (2, include_bytes!("../../../icons/tray-attention-dark.png")),
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

impl ksni::Tray for RotaTray {
    // A left click shows the menu too: the glance is the menu.
    const MENU_ON_ACTIVATE: bool = true;

    fn id(&self) -> String {
        "rota".into()
    }

    fn title(&self) -> String {
        "Rota".into()
    }

    fn status(&self) -> ksni::Status {
        match self.menu.state {
            TrayState::Attention => ksni::Status::NeedsAttention,
            _ => ksni::Status::Active,
        }
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        icon(self.menu.state)
    }

    fn attention_icon_pixmap(&self) -> Vec<ksni::Icon> {
        icon(TrayState::Attention)
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip { title: "Rota".into(), description: escaped(&self.menu.tooltip), ..Default::default() }
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        let m = &self.menu;
        let esc = &self.escalations;
        let mut items = vec![self.item(&m.header, None)];
        for line in m.problems.iter().chain(&m.demo).chain(&m.engineers).chain(&m.next) {
            items.push(self.item(line, None));
        }
        items.push(ksni::MenuItem::Separator);
        for line in esc.status.iter().chain(&esc.waiting) {
            items.push(self.item(line, None));
        }
        if let Some(line) = &esc.refused {
            items.push(self.item(line, Some(MenuAction::Escalate)));
        }
        if !esc.mine.is_empty() {
            let submenu = esc.mine.iter().enumerate().map(|(i, line)| self.item(line, Some(MenuAction::OpenEscalation(i)))).collect();
            items.push(ksni::menu::SubMenu { label: literal(&format!("My escalations ({})", esc.mine.len())), submenu, ..Default::default() }.into());
        }
        for action in MenuAction::ALL {
            items.push(match action {
                MenuAction::StartAtLogin => ksni::menu::CheckmarkItem {
                    label: literal(action.label()),
                    checked: self.start_at_login,
                    activate: Box::new(move |t: &mut Self| {
                        let _ = t.actions.send(Request::Action(action));
                    }),
                    ..Default::default()
                }
                .into(),
                _ => self.item(action.label(), Some(action)),
            });
        }
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icons_decode_to_argb() {
        for state in [TrayState::OnDuty, TrayState::OffDuty, TrayState::Attention] {
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

    #[test]
    fn labels_and_tooltips_show_text_as_written() {
        assert_eq!(literal("a_b"), "a__b");
        assert_eq!(escaped("<img src=x> & co"), "&lt;img src=x&gt; &amp; co");
    }
}
