//! The quick escalate shortcut, grabbed on the X server's root window (x11rb, no toolkit). One
//! thread blocks on the connection and wakes only for an event; nothing polls.
//!
//! Where there is no X server, or the grab is refused (another application holds the
//! combination, or a Wayland compositor keeps global keys to itself), the reason is returned so
//! the settings window can show it with the fallback: a desktop shortcut running
//! `rota --open escalate`.
//!
//! **Keys typed ahead**: a person presses Ctrl+Alt+E and types the title at once,
//! while the window is still starting. From the shortcut on, the keyboard is held here and each
//! key kept, until the window asks for them ([`Grabber::hand_over`]: its X window is given the
//! focus, the keyboard let go, the keys returned in order) or [`HOLD_AT_MOST`] has passed. Keys
//! travel as the DOM names them: one character ("a", "É"), or "Backspace", "Tab", "Shift+Tab",
//! "Enter", "Ctrl+Enter", "Escape", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight".

use rota_core::shortcut::{Key, NamedKey, Shortcut};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    Allow, ClientMessageEvent, ConnectionExt, CreateWindowAux, EventMask, GrabMode, GrabStatus, InputFocus, MapState, ModMask, Window,
    WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::CURRENT_TIME;

/// The modifiers a grab is about; NumLock (Mod2) and CapsLock (Lock) must not stop it.
const MEANINGFUL: u16 = 0x0001 /* Shift */ | 0x0004 /* Control */ | 0x0008 /* Mod1: Alt */ | 0x0040 /* Mod4: Super */;
const IGNORED: [u16; 4] = [0, 0x0002 /* Lock */, 0x0010 /* Mod2: NumLock */, 0x0002 | 0x0010];

/// The keyboard is let go this long after the shortcut if no window asked for the keys (the
/// window could not start, or a machine under heavy load took this long to start it): a person
/// is never left without a keyboard for longer.
pub const HOLD_AT_MOST: Duration = Duration::from_secs(15);
/// At most this many keys are kept ahead of the window.
const KEYS_AT_MOST: usize = 4096;
/// How long a window that asks for the keys may take to be on screen before it gets them anyway.
const VIEWABLE_WITHIN: Duration = Duration::from_secs(2);

/// A grabbed key: its keycode and the modifier mask.
type Grab = (u8, u16);

pub struct Grabber {
    conn: Arc<RustConnection>,
    root: Window,
    /// An unmapped window of ours: a message sent to it marks where in the event stream a hand
    /// over stands.
    marker: Window,
    current: Arc<Mutex<Option<Grab>>>,
    held: Arc<Mutex<Held>>,
}

/// The keyboard held for a window that is starting.
#[derive(Default)]
struct Held {
    /// Which hold this is (a count of shortcut presses), while the keyboard is held.
    hold: Option<u64>,
    presses: u64,
    keys: Vec<String>,
    /// Hand-overs asked for, answered in order as their markers arrive.
    waiting: std::collections::VecDeque<mpsc::Sender<Vec<String>>>,
}

/// The keyboard's layout as the server maps it: keycode → keysyms.
struct Layout {
    min_keycode: u8,
    per: u8,
    keysyms: Vec<u32>,
}

impl Layout {
    fn read(conn: &RustConnection) -> Option<Layout> {
        let setup = conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let map = conn.get_keyboard_mapping(min, max - min + 1).ok()?.reply().ok()?;
        Some(Layout { min_keycode: min, per: map.keysyms_per_keycode, keysyms: map.keysyms })
    }

    /// The key pressed, as the DOM names it, or `None` for what a form does not take (a
    /// modifier alone, Ctrl with a letter, arrows…).
    fn typed(&self, keycode: u8, state: u16) -> Option<String> {
        let (shift, lock, ctrl, alt, altgr) = (state & 0x1 != 0, state & 0x2 != 0, state & 0x4 != 0, state & 0x8 != 0, state & 0x80 != 0);
        let column = u8::from(shift) + if altgr { 4 } else { 0 };
        let at = |column| {
            xkeysym::keysym(
                xkeysym::KeyCode::new(u32::from(keycode)),
                column,
                xkeysym::KeyCode::new(u32::from(self.min_keycode)),
                self.per,
                &self.keysyms,
            )
        };
        let sym = at(column).filter(|s| s.raw() != 0).or_else(|| at(u8::from(shift)))?;
        typed(sym.raw(), shift, lock, ctrl || alt)
    }
}

/// One key as the DOM names it, from its keysym and modifiers (see [`Layout::typed`]).
fn typed(sym: u32, shift: bool, lock: bool, command: bool) -> Option<String> {
    let named = match sym {
        0xff08 => Some("Backspace"),
        0xff09 | 0xfe20 /* ISO_Left_Tab */ => Some(if shift { "Shift+Tab" } else { "Tab" }),
        0xff0d | 0xff8d /* KP_Enter */ => Some(if command { "Ctrl+Enter" } else { "Enter" }),
        0xff1b => Some("Escape"),
        // The severity is picked with the arrows, as the form's hint says; sideways they move a caret.
        0xff51 | 0xff96 /* KP_Left */ => Some("ArrowLeft"),
        0xff52 | 0xff97 /* KP_Up */ => Some("ArrowUp"),
        0xff53 | 0xff98 /* KP_Right */ => Some("ArrowRight"),
        0xff54 | 0xff99 /* KP_Down */ => Some("ArrowDown"),
        _ => None,
    };
    if let Some(name) = named {
        return Some(name.to_owned());
    }
    if command {
        return None;
    }
    let c = xkeysym::Keysym::new(sym).key_char().filter(|c| !c.is_control())?;
    // Caps Lock turns letters the other way.
    let c = match (lock, c.is_lowercase(), c.is_uppercase()) {
        (true, true, _) => c.to_uppercase().next().unwrap_or(c),
        (true, _, true) => c.to_lowercase().next().unwrap_or(c),
        _ => c,
    };
    Some(c.to_string())
}

impl Grabber {
    /// Connects to the X server and starts the thread that reports presses to `on_press`.
    pub fn connect(on_press: impl Fn() + Send + 'static) -> Result<Grabber, String> {
        let (conn, screen) = x11rb::connect(None).map_err(|e| format!("there is no X display to grab keys on ({e})"))?;
        let root = conn.setup().roots.get(screen).map(|s| s.root).ok_or("the X display has no screen")?;
        let marker = conn.generate_id().map_err(|e| e.to_string())?;
        conn.create_window(0, marker, root, -1, -1, 1, 1, 0, WindowClass::INPUT_ONLY, 0, &CreateWindowAux::new())
            .map_err(|e| e.to_string())?;
        conn.flush().map_err(|e| e.to_string())?;
        let conn = Arc::new(conn);
        let current: Arc<Mutex<Option<Grab>>> = Default::default();
        let held: Arc<Mutex<Held>> = Default::default();
        let grabber = Grabber { conn: conn.clone(), root, marker, current: current.clone(), held: held.clone() };
        std::thread::Builder::new()
            .name("rota-shortcut".into())
            .spawn(move || {
                let mut layout = Layout::read(&conn);
                while let Ok(event) = conn.wait_for_event() {
                    match event {
                        Event::KeyPress(e) => {
                            let grab = *current.lock().unwrap_or_else(|p| p.into_inner());
                            let state = u16::from(e.state);
                            let mut h = held.lock().unwrap_or_else(|p| p.into_inner());
                            if grab == Some((e.detail, state & MEANINGFUL)) {
                                if h.hold.is_none() && hold_keyboard(&conn, root, e.time) {
                                    h.presses += 1;
                                    h.hold = Some(h.presses);
                                    h.keys.clear();
                                    let (conn, held, hold) = (conn.clone(), held.clone(), h.presses);
                                    let _ = std::thread::Builder::new().name("rota-hold".into()).spawn(move || {
                                        std::thread::sleep(HOLD_AT_MOST);
                                        // Still this hold: no window asked in time.
                                        if held.lock().unwrap_or_else(|p| p.into_inner()).hold == Some(hold) {
                                            let_go(&conn, marker);
                                        }
                                    });
                                }
                                drop(h);
                                // The shortcut's own grab froze the keyboard at its press (see
                                // `set`): thawed now that it is held, so no key typed after the
                                // shortcut slipped past to another window meanwhile.
                                thaw(&conn, e.time);
                                on_press();
                            } else if h.hold.is_some() && h.keys.len() < KEYS_AT_MOST {
                                if let Some(key) = layout.as_ref().and_then(|l| l.typed(e.detail, state)) {
                                    h.keys.push(key);
                                }
                            } else {
                                // A grab this thread no longer counts as the shortcut (just
                                // replaced): never left frozen.
                                thaw(&conn, e.time);
                            }
                        }
                        Event::ClientMessage(m) if m.window == marker => {
                            let mut h = held.lock().unwrap_or_else(|p| p.into_inner());
                            let keys = std::mem::take(&mut h.keys);
                            h.hold = None;
                            if let Some(to) = h.waiting.pop_front() {
                                let _ = to.send(keys);
                            } else if !keys.is_empty() {
                                eprintln!("rota: {} keys typed after the shortcut had no window to go to", keys.len());
                            }
                        }
                        Event::MappingNotify(_) => layout = Layout::read(&conn),
                        _ => {}
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(grabber)
    }

    /// The keys typed since the shortcut, for `window` (an X window id): once it is on screen
    /// (or [`VIEWABLE_WITHIN`] has passed) it gets the focus, the keyboard is let go, and the keys
    /// come back in the order typed. Nothing when the keyboard is not held. Blocks briefly.
    pub fn hand_over(&self, window: u32) -> Vec<String> {
        let (tx, rx) = mpsc::channel();
        {
            let mut h = self.held.lock().unwrap_or_else(|p| p.into_inner());
            if h.hold.is_none() {
                return vec![];
            }
            h.waiting.push_back(tx);
        }
        let deadline = std::time::Instant::now() + VIEWABLE_WITHIN;
        while !self.viewable(window) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        // Focus first, then let go: a key typed from here on goes to the window itself.
        let _ = self.conn.set_input_focus(InputFocus::PARENT, window, CURRENT_TIME);
        let_go(&self.conn, self.marker);
        rx.recv_timeout(Duration::from_secs(2)).unwrap_or_default()
    }

    fn viewable(&self, window: u32) -> bool {
        let attributes = self.conn.get_window_attributes(window).ok().and_then(|c| c.reply().ok());
        attributes.is_some_and(|a| a.map_state == MapState::VIEWABLE)
    }

    /// Grabs `shortcut` in place of the previous one (`None`: no shortcut).
    pub fn set(&self, shortcut: Option<&Shortcut>) -> Result<(), String> {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((key, mods)) = current.take() {
            for extra in IGNORED {
                let _ = self.conn.ungrab_key(key, self.root, ModMask::from(mods | extra));
            }
            let _ = self.conn.flush();
        }
        let Some(shortcut) = shortcut else { return Ok(()) };
        let key = self.keycode(keysym(shortcut.key)).ok_or("this keyboard layout has no such key")?;
        let m = shortcut.modifiers;
        let mods = [(m.shift, 0x0001), (m.ctrl, 0x0004), (m.alt, 0x0008), (m.logo, 0x0040)]
            .into_iter()
            .filter(|(on, _)| *on)
            .fold(0u16, |acc, (_, bit)| acc | bit);
        for (i, extra) in IGNORED.into_iter().enumerate() {
            let grabbed = self
                .conn
                // Synchronous: at the shortcut's press the server holds back the keys typed next
                // until the keyboard is held for the window (`thaw`), however late this process
                // is to read the press.
                .grab_key(false, self.root, ModMask::from(mods | extra), key, GrabMode::ASYNC, GrabMode::SYNC)
                .map_err(|e| e.to_string())
                .and_then(|cookie| cookie.check().map_err(|e| e.to_string()));
            if let Err(e) = grabbed {
                // Undo the variants already grabbed.
                for extra in &IGNORED[..i] {
                    let _ = self.conn.ungrab_key(key, self.root, ModMask::from(mods | extra));
                }
                let _ = self.conn.flush();
                return Err(if e.contains("Access") { "another application already uses it".into() } else { e });
            }
        }
        *current = Some((key, mods));
        Ok(())
    }

    fn keycode(&self, sym: u32) -> Option<u8> {
        let setup = self.conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let map = self.conn.get_keyboard_mapping(min, max - min + 1).ok()?.reply().ok()?;
        let per = usize::from(map.keysyms_per_keycode).max(1);
        let index = map.keysyms.chunks(per).position(|syms| syms.contains(&sym))?;
        u8::try_from(usize::from(min) + index).ok()
    }
}

/// Lets the keyboard go and marks the spot: every key pressed before it reaches the event thread
/// before the marker does, and the marker answers the oldest hand-over.
fn let_go(conn: &RustConnection, marker: Window) {
    let _ = conn.ungrab_keyboard(CURRENT_TIME);
    let event = ClientMessageEvent::new(32, marker, x11rb::NONE, [0u32; 5]);
    let _ = conn.send_event(false, marker, EventMask::NO_EVENT, event);
    let _ = conn.flush();
}

/// Lets the keyboard the shortcut's grab froze at `time` go on, its held-back keys delivered now
/// (to this process, while it holds the keyboard).
fn thaw(conn: &RustConnection, time: u32) {
    let _ = conn.allow_events(Allow::ASYNC_KEYBOARD, time);
    let _ = conn.flush();
}

/// Holds the keyboard from the shortcut's press on (`time`), so what is typed next is kept.
fn hold_keyboard(conn: &RustConnection, root: Window, time: u32) -> bool {
    let reply = conn.grab_keyboard(false, root, time, GrabMode::ASYNC, GrabMode::ASYNC).ok().and_then(|c| c.reply().ok());
    reply.is_some_and(|r| r.status == GrabStatus::SUCCESS)
}

/// The X keysym of a key (keysymdef.h).
fn keysym(key: Key) -> u32 {
    match key {
        // Letters are looked up by their lower-case keysym, the one every layout lists first.
        Key::Char(c) => u32::from(c.to_ascii_lowercase()),
        Key::F(n) => 0xffbe + u32::from(n) - 1,
        Key::Named(k) => match k {
            NamedKey::Space => 0x0020,
            NamedKey::Enter => 0xff0d,
            NamedKey::Tab => 0xff09,
            NamedKey::Escape => 0xff1b,
            NamedKey::Backspace => 0xff08,
            NamedKey::Delete => 0xffff,
            NamedKey::Insert => 0xff63,
            NamedKey::Home => 0xff50,
            NamedKey::End => 0xff57,
            NamedKey::PageUp => 0xff55,
            NamedKey::PageDown => 0xff56,
            NamedKey::Up => 0xff52,
            NamedKey::Down => 0xff54,
            NamedKey::Left => 0xff51,
            NamedKey::Right => 0xff53,
            NamedKey::Minus => 0x002d,
            NamedKey::Equal => 0x003d,
            NamedKey::Comma => 0x002c,
            NamedKey::Period => 0x002e,
            NamedKey::Slash => 0x002f,
            NamedKey::Backslash => 0x005c,
            NamedKey::Semicolon => 0x003b,
            NamedKey::Quote => 0x0027,
            NamedKey::Backquote => 0x0060,
            NamedKey::BracketLeft => 0x005b,
            NamedKey::BracketRight => 0x005d,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keysyms_follow_keysymdef() {
        assert_eq!(keysym(Key::Char('E')), 0x65); // XK_e
        assert_eq!(keysym(Key::Char('1')), 0x31); // XK_1
        assert_eq!(keysym(Key::F(1)), 0xffbe); // XK_F1
        assert_eq!(keysym(Key::F(12)), 0xffc9); // XK_F12
        assert_eq!(keysym(Key::Named(NamedKey::Enter)), 0xff0d); // XK_Return
    }

    /// Keys typed ahead travel as the DOM names them; what a form does not take is left out.
    #[test]
    fn keys_typed_ahead_are_named_as_the_dom_names_them() {
        let t = |sym, shift, lock, command| typed(sym, shift, lock, command);
        assert_eq!(t(0x61, false, false, false).as_deref(), Some("a")); // XK_a
        assert_eq!(t(0x41, true, false, false).as_deref(), Some("A")); // XK_A (Shift's column)
        assert_eq!(t(0x61, false, true, false).as_deref(), Some("A"), "Caps Lock");
        assert_eq!(t(0x41, true, true, false).as_deref(), Some("a"), "Caps Lock and Shift");
        assert_eq!(t(0x31, false, true, false).as_deref(), Some("1"), "Caps Lock leaves digits");
        assert_eq!(t(0xe9, false, false, false).as_deref(), Some("é")); // XK_eacute (Latin-1)
        assert_eq!(t(0x6c1, false, false, false).as_deref(), Some("а")); // XK_Cyrillic_a (legacy table)
        assert_eq!(t(0x0100_20ac, false, false, false).as_deref(), Some("€")); // a Unicode keysym
        assert_eq!(t(0xffb7, false, false, false).as_deref(), Some("7")); // XK_KP_7
        assert_eq!(t(0x20, false, false, false).as_deref(), Some(" "));
        assert_eq!(t(0xff09, false, false, false).as_deref(), Some("Tab"));
        assert_eq!(t(0xfe20, true, false, false).as_deref(), Some("Shift+Tab")); // ISO_Left_Tab
        assert_eq!(t(0xff0d, false, false, false).as_deref(), Some("Enter"));
        assert_eq!(t(0xff8d, false, false, true).as_deref(), Some("Ctrl+Enter")); // KP_Enter
        assert_eq!(t(0xff08, false, false, false).as_deref(), Some("Backspace"));
        assert_eq!(t(0xff1b, false, false, false).as_deref(), Some("Escape"));
        assert_eq!(t(0x61, false, false, true), None, "Ctrl+A is no text");
        assert_eq!(t(0xffe1, true, false, false), None, "Shift alone");
        assert_eq!(t(0xff52, false, false, false).as_deref(), Some("ArrowUp"), "the arrows pick the severity");
        assert_eq!(t(0xff54, false, false, false).as_deref(), Some("ArrowDown"));
        assert_eq!(t(0xff51, false, false, false).as_deref(), Some("ArrowLeft"));
        assert_eq!(t(0xff98, false, false, false).as_deref(), Some("ArrowRight")); // KP_Right
        assert_eq!(t(0xff50, false, false, false), None, "Home: no form here takes it");
        assert_eq!(t(0xffff, false, false, false), None, "Delete is a control character");
    }
}
