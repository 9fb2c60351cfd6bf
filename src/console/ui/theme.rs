//! Colours by role: every pane asks the theme for "the accent" or "a problem" rather than
//! naming a colour, so a light terminal, a high-contrast need or `NO_COLOR` changes them
//! all in one place.
//!
//! The theme is carried by the `App`; `render` installs it for the frame (`scoped`) and the
//! drawing code reads it with `get()`. A scoped thread-local rather than a parameter
//! through every drawing function: drawing is synchronous and on one thread, and the
//! functions that pick a colour are many levels below the ones that hold the `App`.

use std::cell::Cell;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use thiserror::Error;

/// The named themes.
pub const THEMES: [&str; 3] = ["default", "light", "high-contrast"];

/// What each role is for, and its name in a `[colors]` override.
pub const ROLES: [&str; 12] = [
    "accent",
    "muted",
    "label",
    "warning",
    "problem",
    "danger",
    "ok",
    "special",
    "emphasis",
    "on-accent",
    "border",
    "selection",
];

/// A colour per role. `Color::Reset` is "the terminal's own colour".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Titles, headings, the focused pane's border, key names.
    pub accent: Color,
    /// Stale or unavailable things: grey rows, `(deleted)`, the log path.
    pub muted: Color,
    /// Secondary text: field labels, explanations, table headers.
    pub label: Color,
    /// Needs a look: ack pending rising, held messages, filters, warnings.
    pub warning: Color,
    /// Something is wrong: redelivering, errors, problems.
    pub problem: Color,
    /// Gone or cut off: disconnected, termed.
    pub danger: Color,
    /// Healthy, connected, done.
    pub ok: Color,
    /// Out of the ordinary but not wrong: embedded server, nak'd, deleted.
    pub special: Color,
    /// The field being typed in.
    pub emphasis: Color,
    /// Text on an accent-coloured badge.
    pub on_accent: Color,
    /// Borders of panes without focus.
    pub border: Color,
    /// The selected row's background; `Reset` selects by reverse video.
    pub selection: Color,
    /// No colour at all (`NO_COLOR`): badges and selection use reverse video.
    pub colorless: bool,
}

impl Default for Theme {
    /// The colours jetdeck always had.
    fn default() -> Self {
        Self {
            accent: Color::Cyan,
            muted: Color::DarkGray,
            label: Color::Gray,
            warning: Color::Yellow,
            problem: Color::LightRed,
            danger: Color::Red,
            ok: Color::Green,
            special: Color::Magenta,
            emphasis: Color::White,
            on_accent: Color::Black,
            border: Color::DarkGray,
            selection: Color::Reset,
            colorless: false,
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ThemeError {
    #[error("no theme `{0}`; the themes are: {themes}", themes = THEMES.join(", "))]
    UnknownTheme(String),
    #[error("no colour role `{0}`; the roles are: {roles}", roles = ROLES.join(", "))]
    UnknownRole(String),
    #[error(
        "`{value}` is not a colour for `{role}`: use a name (red, light-blue, dark-gray...), \"#rrggbb\" or \"indexed 0-255\""
    )]
    BadColor { role: String, value: String },
}

impl Theme {
    /// A theme by name (`default`, `light`, `high-contrast`).
    pub fn named(name: &str) -> Result<Self, ThemeError> {
        match name {
            "default" => Ok(Self::default()),
            "light" => Ok(Self::light()),
            "high-contrast" => Ok(Self::high_contrast()),
            other => Err(ThemeError::UnknownTheme(other.to_string())),
        }
    }

    /// Dark text colours that stay readable on a white background.
    pub fn light() -> Self {
        Self {
            accent: Color::Blue,
            muted: Color::Indexed(244),
            label: Color::Indexed(240),
            warning: Color::Indexed(130),
            problem: Color::Indexed(160),
            danger: Color::Indexed(124),
            ok: Color::Indexed(28),
            special: Color::Indexed(90),
            emphasis: Color::Black,
            on_accent: Color::White,
            border: Color::Indexed(246),
            selection: Color::Reset,
            colorless: false,
        }
    }

    /// Bright colours on the terminal's dark background, nothing dim.
    pub fn high_contrast() -> Self {
        Self {
            accent: Color::LightCyan,
            muted: Color::White,
            label: Color::White,
            warning: Color::LightYellow,
            problem: Color::LightRed,
            danger: Color::LightRed,
            ok: Color::LightGreen,
            special: Color::LightMagenta,
            emphasis: Color::White,
            on_accent: Color::Black,
            border: Color::White,
            selection: Color::Reset,
            colorless: false,
        }
    }

    /// No colour anywhere (https://no-color.org); bold, underline and reverse remain.
    pub fn colorless() -> Self {
        Self {
            accent: Color::Reset,
            muted: Color::Reset,
            label: Color::Reset,
            warning: Color::Reset,
            problem: Color::Reset,
            danger: Color::Reset,
            ok: Color::Reset,
            special: Color::Reset,
            emphasis: Color::Reset,
            on_accent: Color::Reset,
            border: Color::Reset,
            selection: Color::Reset,
            colorless: true,
        }
    }

    /// The theme to draw with: `name` with `overrides` (role, colour) on top, or no colour
    /// at all when `no_color` (it wins over both: the operator's environment says so).
    pub fn resolve<'a>(
        name: &str,
        overrides: impl IntoIterator<Item = (&'a str, &'a str)>,
        no_color: bool,
    ) -> Result<Self, ThemeError> {
        let mut theme = Self::named(name)?;
        for (role, value) in overrides {
            theme.set(role, value)?;
        }
        Ok(if no_color { Self::colorless() } else { theme })
    }

    /// Overrides one role's colour.
    pub fn set(&mut self, role: &str, value: &str) -> Result<(), ThemeError> {
        let color = parse_color(value).ok_or_else(|| ThemeError::BadColor {
            role: role.to_string(),
            value: value.to_string(),
        })?;
        let slot = match role {
            "accent" => &mut self.accent,
            "muted" => &mut self.muted,
            "label" => &mut self.label,
            "warning" => &mut self.warning,
            "problem" => &mut self.problem,
            "danger" => &mut self.danger,
            "ok" => &mut self.ok,
            "special" => &mut self.special,
            "emphasis" => &mut self.emphasis,
            "on-accent" => &mut self.on_accent,
            "border" => &mut self.border,
            "selection" => &mut self.selection,
            other => return Err(ThemeError::UnknownRole(other.to_string())),
        };
        *slot = color;
        Ok(())
    }

    /// A badge (` jetdeck `, ` READ-ONLY `): text on a coloured ground, or reverse video
    /// without colour.
    pub fn badge(&self, ground: Color) -> Style {
        if self.colorless {
            Style::new().bold().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().bold().fg(self.on_accent).bg(ground)
        }
    }

    /// The selected row: reverse video, or the selection colour as its ground.
    pub fn selected(&self) -> Style {
        match self.selection {
            Color::Reset => Style::new().add_modifier(Modifier::REVERSED),
            ground => Style::new().bg(ground).add_modifier(Modifier::BOLD),
        }
    }
}

/// `red`, `light-blue`, `#ff8800`, `indexed 244` (or a bare `244`).
pub fn parse_color(value: &str) -> Option<Color> {
    let value = value.trim();
    if let Some(n) = value.strip_prefix("indexed") {
        return n.trim().parse::<u8>().ok().map(Color::Indexed);
    }
    if let Some(hex) = value.strip_prefix('#') {
        // ratatui also reads `#rgb`-less forms loosely; insist on six digits.
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
    }
    Color::from_str(value).ok()
}

thread_local! {
    static CURRENT: Cell<Theme> = Cell::new(Theme::default());
}

/// The theme of the frame being drawn (the default outside `scoped`).
pub fn get() -> Theme {
    CURRENT.with(Cell::get)
}

/// Runs `draw` with `theme` as the current one, and puts the previous back after, even
/// when `draw` panics.
pub fn scoped<R>(theme: Theme, draw: impl FnOnce() -> R) -> R {
    struct Restore(Theme);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(theme)));
    draw()
}

/// Whether the environment asks for no colour: `NO_COLOR` set and not empty.
pub fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_by_name_hex_and_index() {
        assert_eq!(parse_color("red"), Some(Color::Red));
        assert_eq!(parse_color("light-blue"), Some(Color::LightBlue));
        assert_eq!(parse_color("#ff8800"), Some(Color::Rgb(0xff, 0x88, 0x00)));
        assert_eq!(parse_color("indexed 244"), Some(Color::Indexed(244)));
        assert_eq!(parse_color("244"), Some(Color::Indexed(244)));
        assert_eq!(parse_color("indexed 300"), None);
        assert_eq!(parse_color("#ff88"), None);
        assert_eq!(parse_color("reddish"), None);
    }

    #[test]
    fn overrides_change_one_role_and_errors_name_what_is_allowed() {
        let t = Theme::resolve("light", [("accent", "#102030")], false).unwrap();
        assert_eq!(t.accent, Color::Rgb(0x10, 0x20, 0x30));
        assert_eq!(t.ok, Theme::light().ok);
        let e = Theme::resolve("solarized", [], false).unwrap_err();
        assert!(
            e.to_string().contains("default, light, high-contrast"),
            "{e}"
        );
        let e = Theme::resolve("default", [("acent", "red")], false).unwrap_err();
        assert!(e.to_string().contains("accent, muted"), "{e}");
        let e = Theme::resolve("default", [("accent", "reddish")], false).unwrap_err();
        assert!(e.to_string().contains("indexed 0-255"), "{e}");
    }

    #[test]
    fn no_color_wins_over_theme_and_overrides() {
        let t = Theme::resolve("high-contrast", [("accent", "red")], true).unwrap();
        assert_eq!(t, Theme::colorless());
        assert_eq!(t.badge(Color::Cyan).bg, None);
    }

    #[test]
    fn scoped_theme_is_put_back() {
        assert_eq!(get(), Theme::default());
        let inside = scoped(Theme::light(), get);
        assert_eq!(inside, Theme::light());
        assert_eq!(get(), Theme::default());
    }
}
