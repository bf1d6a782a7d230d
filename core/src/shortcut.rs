//! Global shortcuts as written in the config and the settings window: `Ctrl+Alt+E`.
//!
//! Modifiers and one key joined by `+`, in any case and order; the spellings other desktop tools
//! use are accepted too (`Control`, `CmdOrCtrl`, `Super`/`Meta`/`Win`, `KeyE`, `Digit1`).
//! [`Shortcut`]'s `Display` writes it back the canonical way.

use std::fmt;
use std::str::FromStr;

/// A key the shortcut ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// `A`-`Z` (kept upper case) or `0`-`9`.
    Char(char),
    /// `F1`-`F24`.
    F(u8),
    Named(NamedKey),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamedKey {
    Space,
    Enter,
    Tab,
    Escape,
    Backspace,
    Delete,
    Insert,
    Home,
    End,
    PageUp,
    PageDown,
    Up,
    Down,
    Left,
    Right,
    Minus,
    Equal,
    Comma,
    Period,
    Slash,
    Backslash,
    Semicolon,
    Quote,
    Backquote,
    BracketLeft,
    BracketRight,
}

impl NamedKey {
    const ALL: [NamedKey; 26] = [
        NamedKey::Space,
        NamedKey::Enter,
        NamedKey::Tab,
        NamedKey::Escape,
        NamedKey::Backspace,
        NamedKey::Delete,
        NamedKey::Insert,
        NamedKey::Home,
        NamedKey::End,
        NamedKey::PageUp,
        NamedKey::PageDown,
        NamedKey::Up,
        NamedKey::Down,
        NamedKey::Left,
        NamedKey::Right,
        NamedKey::Minus,
        NamedKey::Equal,
        NamedKey::Comma,
        NamedKey::Period,
        NamedKey::Slash,
        NamedKey::Backslash,
        NamedKey::Semicolon,
        NamedKey::Quote,
        NamedKey::Backquote,
        NamedKey::BracketLeft,
        NamedKey::BracketRight,
    ];

    /// The canonical name, then other accepted spellings (lower case).
    fn names(self) -> &'static [&'static str] {
        match self {
            NamedKey::Space => &["Space"],
            NamedKey::Enter => &["Enter", "return"],
            NamedKey::Tab => &["Tab"],
            NamedKey::Escape => &["Escape", "esc"],
            NamedKey::Backspace => &["Backspace"],
            NamedKey::Delete => &["Delete", "del"],
            NamedKey::Insert => &["Insert", "ins"],
            NamedKey::Home => &["Home"],
            NamedKey::End => &["End"],
            NamedKey::PageUp => &["PageUp", "pgup"],
            NamedKey::PageDown => &["PageDown", "pgdn"],
            NamedKey::Up => &["Up", "arrowup"],
            NamedKey::Down => &["Down", "arrowdown"],
            NamedKey::Left => &["Left", "arrowleft"],
            NamedKey::Right => &["Right", "arrowright"],
            NamedKey::Minus => &["Minus", "-"],
            NamedKey::Equal => &["Equal", "="],
            NamedKey::Comma => &["Comma", ","],
            NamedKey::Period => &["Period", "."],
            NamedKey::Slash => &["Slash", "/"],
            NamedKey::Backslash => &["Backslash", "\\"],
            NamedKey::Semicolon => &["Semicolon", ";"],
            NamedKey::Quote => &["Quote", "'"],
            NamedKey::Backquote => &["Backquote", "`"],
            NamedKey::BracketLeft => &["BracketLeft", "["],
            NamedKey::BracketRight => &["BracketRight", "]"],
        }
    }
}

/// Which modifiers are held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Modifiers {
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
    /// The logo key (Super, Windows, Command).
    pub logo: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shortcut {
    pub modifiers: Modifiers,
    pub key: Key,
}

/// Why a text is not a shortcut, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortcutError(pub String);

impl fmt::Display for ShortcutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ShortcutError {}

fn key(word: &str) -> Option<Key> {
    let lower = word.to_ascii_lowercase();
    // "KeyE" and "Digit1" (the names web keyboard events use).
    let bare = lower
        .strip_prefix("key")
        .filter(|r| r.len() == 1)
        .or_else(|| lower.strip_prefix("digit").filter(|r| r.len() == 1))
        .unwrap_or(&lower);
    let mut chars = bare.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_ascii_alphanumeric() {
            return Some(Key::Char(c.to_ascii_uppercase()));
        }
    }
    if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()).filter(|n| (1..=24).contains(n)) {
        return Some(Key::F(n));
    }
    NamedKey::ALL.into_iter().find(|k| k.names().iter().any(|n| n.eq_ignore_ascii_case(&lower))).map(Key::Named)
}

impl FromStr for Shortcut {
    type Err = ShortcutError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |why: String| ShortcutError(format!("\"{}\" is not a shortcut: {why}; write it like Ctrl+Alt+E", text.trim()));
        let words: Vec<&str> = text.split('+').map(str::trim).collect();
        let Some((last, mods)) = words.split_last() else { return Err(bad("it is empty".into())) };
        let mut modifiers = Modifiers::default();
        for m in mods {
            let flag = match m.to_ascii_lowercase().as_str() {
                "ctrl" | "control" | "cmdorctrl" | "commandorcontrol" | "cmdorcontrol" | "commandorctrl" => &mut modifiers.ctrl,
                "alt" | "option" => &mut modifiers.alt,
                "shift" => &mut modifiers.shift,
                "super" | "meta" | "win" | "logo" | "cmd" | "command" => &mut modifiers.logo,
                "" => return Err(bad("a \"+\" has nothing beside it".into())),
                other => return Err(bad(format!("\"{other}\" is not a modifier (Ctrl, Alt, Shift, Super)"))),
            };
            if *flag {
                return Err(bad(format!("\"{m}\" is there twice")));
            }
            *flag = true;
        }
        let key = match key(last) {
            Some(k) => k,
            None if last.is_empty() => return Err(bad("it names no key".into())),
            None => {
                return Err(bad(format!("\"{last}\" is not a key this tool knows (A-Z, 0-9, F1-F24, Space, Enter, arrows, punctuation)")))
            }
        };
        if modifiers == Modifiers::default() || modifiers == (Modifiers { shift: true, ..Modifiers::default() }) {
            // A bare key (or Shift and a key) would be taken from every application.
            return Err(bad("a global shortcut needs Ctrl, Alt or Super".into()));
        }
        Ok(Shortcut { modifiers, key })
    }
}

impl fmt::Display for Shortcut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.modifiers;
        for (on, name) in [(m.ctrl, "Ctrl"), (m.alt, "Alt"), (m.shift, "Shift"), (m.logo, "Super")] {
            if on {
                write!(f, "{name}+")?;
            }
        }
        match self.key {
            Key::Char(c) => write!(f, "{c}"),
            Key::F(n) => write!(f, "F{n}"),
            Key::Named(k) => f.write_str(k.names()[0]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc(s: &str) -> Result<String, String> {
        s.parse::<Shortcut>().map(|s| s.to_string()).map_err(|e| e.0)
    }

    #[test]
    fn the_usual_spellings_mean_the_same_shortcut() {
        for text in ["Ctrl+Alt+E", "ctrl+alt+e", "Alt + Control + KeyE", "CommandOrControl+Alt+e", "CmdOrCtrl+Option+E"] {
            assert_eq!(sc(text), Ok("Ctrl+Alt+E".into()), "{text}");
        }
        assert_eq!(sc("Super+Shift+F12"), Ok("Shift+Super+F12".into()));
        assert_eq!(sc("Meta+Digit1"), Ok("Super+1".into()));
        assert_eq!(sc("ctrl+alt+space"), Ok("Ctrl+Alt+Space".into()));
        assert_eq!(sc("Ctrl+Alt+ArrowUp"), Ok("Ctrl+Alt+Up".into()));
        assert_eq!(sc("Ctrl+Alt+/"), Ok("Ctrl+Alt+Slash".into()));
    }

    #[test]
    fn what_is_not_a_shortcut_says_why() {
        let why = |s: &str| sc(s).unwrap_err();
        assert!(why("").contains("names no key"), "{}", why(""));
        assert!(why("Ctrl+Alt+").contains("names no key"));
        assert!(why("Hyper+E").contains("\"hyper\" is not a modifier"));
        assert!(why("Ctrl+Alt+Banana").contains("\"Banana\" is not a key"));
        assert!(why("Ctrl+Ctrl+E").contains("twice"));
        assert!(why("E").contains("needs Ctrl, Alt or Super"));
        assert!(why("Shift+E").contains("needs Ctrl, Alt or Super"));
        assert!(why("Ctrl+F25").contains("not a key"));
        assert!(why("Ctrl++E").contains("nothing beside it"));
        assert!(why("ctrl+alt+é").ends_with("write it like Ctrl+Alt+E"));
    }

    #[test]
    fn every_named_key_reads_back_as_itself() {
        for k in NamedKey::ALL {
            let s = Shortcut { modifiers: Modifiers { ctrl: true, ..Default::default() }, key: Key::Named(k) };
            assert_eq!(s.to_string().parse::<Shortcut>(), Ok(s));
        }
        for n in 1..=24 {
            let s = Shortcut { modifiers: Modifiers { alt: true, ..Default::default() }, key: Key::F(n) };
            assert_eq!(s.to_string().parse::<Shortcut>(), Ok(s));
        }
    }
}
