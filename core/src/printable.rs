//! Text from outside made safe to show: a name in the roster, a seat in the schedule, an
//! escalation's title or a server's message may hold characters a terminal or a calendar obeys
//! instead of showing. An escape sequence retitles the terminal, writes the clipboard (OSC 52),
//! clears the screen or hides what follows; a carriage return or a line break forges a line; a
//! bidirectional override shows the text in another order than it is.
//!
//! [`printable`] replaces each such character, one for one, with a visible [`REPLACEMENT`]; a tab
//! becomes a space. The command line calls it on every value it lays out for people, and the
//! calendar export on every TEXT value (RFC 5545 allows no control characters there). JSON needs
//! none of this: its strings are escaped, and a script gets the value exactly as it was.
//!
//! It is not a sanitizer for HTML or for a shell, and it does not judge what the text says.

use std::borrow::Cow;

/// What is shown in place of a character that may not be: U+FFFD, one column wide, so text laid
/// out in columns keeps its widths.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Whether `c` may not be shown as it is: the C0 controls (U+0000–U+001F, line breaks and tab
/// included), DEL (U+007F), the C1 controls (U+0080–U+009F; U+009B is a CSI to some terminals), and
/// the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
/// reorder the text after them.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// One value from outside, fit to be shown on one line: a tab becomes a space and every other
/// unsafe character ([`is_unsafe`]), a line break too, becomes [`REPLACEMENT`]. One character
/// stands for one, so the text keeps its length in characters. Borrowed when nothing was replaced.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(shown).collect())
}

/// `c` as [`printable`] shows it.
fn shown(c: char) -> char {
    match c {
        '\t' => ' ',
        c if is_unsafe(c) => REPLACEMENT,
        c => c,
    }
}

/// Text laid out in lines by Rota itself: [`printable`] on each line, the line breaks (`\n`) kept.
/// For the last check before text is written; a value from outside goes through [`printable`]
/// before it is laid out, so its own line breaks never pass for Rota's.
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.split('\n').map(printable).collect::<Vec<_>>().join("\n"))
}

/// The length of the colour code (SGR: `ESC [`, digits and semicolons, `m`) that `text` starts
/// with, if it starts with one.
fn sgr_len(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("\x1b[")?;
    let params = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b';').count();
    (rest.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

/// Text laid out in lines and coloured by Rota itself: [`printable_lines`], except that colour
/// codes (SGR, `ESC [ 1;31 m`) are kept. Only a front end's own colouring may put them there: the
/// values from outside in it went through [`printable`] first, which leaves no escape character.
pub fn printable_coloured(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\x1b') {
        out.push_str(&printable_lines(&rest[..i]));
        rest = &rest[i..];
        match sgr_len(rest) {
            Some(n) => {
                out.push_str(&rest[..n]);
                rest = &rest[n..];
            }
            None => {
                out.push(REPLACEMENT);
                rest = &rest[1..];
            }
        }
    }
    out.push_str(&printable_lines(rest));
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inputs and the ordinary ones, each with what is shown.
    #[test]
    fn each_unsafe_character_is_replaced_one_for_one() {
        let cases: &[(&str, &str)] = &[
            ("Ada Lovelace", "Ada Lovelace"),
            ("Zoë Ñúñez 李雷 🙂", "Zoë Ñúñez 李雷 🙂"),
            // A terminal title (OSC 0, ended by BEL), the clipboard (OSC 52, ended by ST).
            ("ann\x1b]0;pwned\x07", "ann�]0;pwned�"),
            ("\x1b]52;c;ZWNobyBoaQ==\x1b\\x", "�]52;c;ZWNobyBoaQ==�\\x"),
            // Clear the screen, then a forged line; hide what follows (SGR 8).
            ("\x1b[2J\x1b[Hrota: all good\r\nfake", "�[2J�[Hrota: all good��fake"),
            ("x\x1b[8m", "x�[8m"),
            // C1: CSI, NEL, and the C1 form of OSC; DEL; NUL.
            ("a\u{9b}2Jb\u{85}c\u{9d}d", "a�2Jb�c�d"),
            ("del\u{7f}\0", "del��"),
            // Bidi: "txt.exe" shown reversed; every embedding, override and isolate.
            ("report\u{202e}txt.exe", "report�txt.exe"),
            ("\u{202a}\u{202b}\u{202c}\u{202d}\u{2066}\u{2067}\u{2068}\u{2069}", "��������"),
            // Marks that reorder nothing stay, as do joiners in names and emoji.
            ("\u{200e}\u{200f}\u{200d}", "\u{200e}\u{200f}\u{200d}"),
            // A tab is a gap.
            ("a\tb", "a b"),
        ];
        for (text, shown) in cases {
            assert_eq!(printable(text), *shown, "{text:?}");
            assert_eq!(printable(text).chars().count(), text.chars().count(), "{text:?}");
            assert!(!printable(shown).chars().any(is_unsafe), "{shown:?}");
        }
    }

    #[test]
    fn safe_text_is_borrowed_and_a_second_pass_changes_nothing() {
        assert!(matches!(printable("Ada (@ada) — covering for Bo"), Cow::Borrowed(_)));
        let once = printable("a\x1b[2J\u{202e}b").into_owned();
        assert!(matches!(printable(&once), Cow::Borrowed(_)));
    }

    #[test]
    fn lines_keep_their_breaks_and_nothing_else() {
        assert_eq!(printable_lines("one\ntwo\n"), "one\ntwo\n");
        assert_eq!(printable_lines("one\r\n\x1b[2Jtwo\t2\n"), "one�\n�[2Jtwo 2\n");
        assert!(matches!(printable_lines("one\ntwo"), Cow::Borrowed(_)));
    }

    #[test]
    fn colour_keeps_only_whole_sgr_codes() {
        let cases: &[(&str, &str)] = &[
            ("\x1b[1mROTA\x1b[0m\n\x1b[1;31merror:\x1b[0m x\n", "\x1b[1mROTA\x1b[0m\n\x1b[1;31merror:\x1b[0m x\n"),
            ("\x1b[32mok\x1b[0m \x1b]0;t\x07", "\x1b[32mok\x1b[0m �]0;t�"),
            // Not SGR: a CSI that clears, one cut short, an ESC at the end.
            ("\x1b[2J\x1b[31\x1b", "�[2J�[31�"),
            ("a\u{9b}31mb\u{7f}", "a�31mb�"),
        ];
        for (text, shown) in cases {
            assert_eq!(printable_coloured(text), *shown, "{text:?}");
        }
        assert!(matches!(printable_coloured("plain\ntext"), Cow::Borrowed(_)));
    }
}
