//! The quick escalate shortcut, grabbed on the X server's root window (x11rb, no toolkit). One
//! thread blocks on the connection and wakes only for a key press; nothing polls.
//!
//! Where there is no X server, or the grab is refused (another application holds the
//! combination, or a Wayland compositor keeps global keys to itself), the reason is returned so
//! the settings window can show it with the fallback: a desktop shortcut running
//! `rota --open escalate`.

use rota_core::shortcut::{Key, NamedKey, Shortcut};
use std::sync::{Arc, Mutex};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, GrabMode, ModMask, Window};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;

/// The modifiers a grab is about; NumLock (Mod2) and CapsLock (Lock) must not stop it.
const MEANINGFUL: u16 = 0x0001 /* Shift */ | 0x0004 /* Control */ | 0x0008 /* Mod1: Alt */ | 0x0040 /* Mod4: Super */;
const IGNORED: [u16; 4] = [0, 0x0002 /* Lock */, 0x0010 /* Mod2: NumLock */, 0x0002 | 0x0010];

/// A grabbed key: its keycode and the modifier mask.
type Grab = (u8, u16);

pub struct Grabber {
    conn: Arc<RustConnection>,
    root: Window,
    current: Arc<Mutex<Option<Grab>>>,
}

impl Grabber {
    /// Connects to the X server and starts the thread that reports presses to `on_press`.
    pub fn connect(on_press: impl Fn() + Send + 'static) -> Result<Grabber, String> {
        let (conn, screen) = x11rb::connect(None).map_err(|e| format!("there is no X display to grab keys on ({e})"))?;
        let root = conn.setup().roots.get(screen).map(|s| s.root).ok_or("the X display has no screen")?;
        let conn = Arc::new(conn);
        let current: Arc<Mutex<Option<Grab>>> = Default::default();
        let (events, grabbed) = (conn.clone(), current.clone());
        std::thread::Builder::new()
            .name("rota-shortcut".into())
            .spawn(move || {
                while let Ok(event) = events.wait_for_event() {
                    if let Event::KeyPress(e) = event {
                        let grab = *grabbed.lock().unwrap_or_else(|p| p.into_inner());
                        if grab == Some((e.detail, u16::from(e.state) & MEANINGFUL)) {
                            on_press();
                        }
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(Grabber { conn, root, current })
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
                .grab_key(false, self.root, ModMask::from(mods | extra), key, GrabMode::ASYNC, GrabMode::ASYNC)
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
}
