//! Keys as the configuration file writes them: the names the help overlay and README use
//! (`x`, `X`, `Ctrl-T`, `Enter`, `PgDn`, `F5`...), read back.

use ratatui::crossterm::event::KeyCode;

use super::Key;

/// What a key may be written as, for the error when one cannot be read.
pub const KEY_SYNTAX: &str = "one character (x, X, ?), Ctrl- and a letter (Ctrl-t), or one of \
     Space, Tab, Shift-Tab, Enter, Esc, Up, Down, Left, Right, PgUp, PgDn, Home, End, Delete, \
     Backspace, Insert, F1 to F12";

impl Key {
    /// Reads a key's name: the one [`Key::name`] gives, or a common spelling of it.
    pub fn parse(text: &str) -> Result<Key, String> {
        let wrong = || format!("`{text}` is not a key: write {KEY_SYNTAX}");
        let arrow = match text {
            "↑" => Some(KeyCode::Up),
            "↓" => Some(KeyCode::Down),
            "←" => Some(KeyCode::Left),
            "→" => Some(KeyCode::Right),
            _ => None,
        };
        if let Some(code) = arrow {
            return Ok(Key { code, ctrl: false });
        }
        let mut chars = text.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(Key {
                code: KeyCode::Char(c),
                ctrl: false,
            });
        }
        let lower = text.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("ctrl-").or(lower.strip_prefix("ctrl+")) {
            let mut chars = rest.chars();
            return match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_graphic() => Ok(Key {
                    code: KeyCode::Char(c),
                    ctrl: true,
                }),
                _ => Err(wrong()),
            };
        }
        let code = match lower.as_str() {
            "space" => KeyCode::Char(' '),
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "delete" | "del" => KeyCode::Delete,
            "backspace" => KeyCode::Backspace,
            "insert" | "ins" => KeyCode::Insert,
            f => match f.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                Some(n @ 1..=12) => KeyCode::F(n),
                _ => return Err(wrong()),
            },
        };
        Ok(Key { code, ctrl: false })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::keys::BINDINGS;

    #[test]
    fn every_key_name_reads_back_as_its_key() {
        for b in BINDINGS.iter() {
            for key in b.keys {
                assert_eq!(Key::parse(&key.name()), Ok(*key), "{}", key.name());
            }
        }
        for (text, code, ctrl) in [
            ("X", KeyCode::Char('X'), false),
            ("ctrl-x", KeyCode::Char('x'), true),
            ("Ctrl-X", KeyCode::Char('x'), true),
            ("PageDown", KeyCode::PageDown, false),
            ("F5", KeyCode::F(5), false),
            ("Space", KeyCode::Char(' '), false),
        ] {
            assert_eq!(Key::parse(text), Ok(Key { code, ctrl }), "{text}");
        }
        for bad in ["", "xy", "Ctrl-F5", "F13", "Hyper-x"] {
            let err = Key::parse(bad).unwrap_err();
            assert!(
                err.contains("is not a key") && err.contains("Shift-Tab"),
                "{err}"
            );
        }
    }
}
