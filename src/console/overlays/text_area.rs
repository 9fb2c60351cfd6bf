//! A multi-line text field on top of `tui_input::Input`: the value holds its line breaks,
//! the input does the typing (characters, Backspace, Delete, ← →, words), and the line
//! moves (↑ ↓, Home, End) are here. Positions are in characters, as the input counts.

use tui_input::Input;

/// The line and column (both from 0, in characters) of `cursor` in `value`.
pub fn line_col(value: &str, cursor: usize) -> (usize, usize) {
    let mut line = 0;
    let mut col = 0;
    for c in value.chars().take(cursor) {
        if c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += 1;
        }
    }
    (line, col)
}

/// The cursor at `col` of `line` (the line's end if it is shorter); None past the last line.
fn cursor_at(value: &str, line: usize, col: usize) -> Option<usize> {
    let mut start = 0;
    for (i, text) in value.split('\n').enumerate() {
        let len = text.chars().count();
        if i == line {
            return Some(start + col.min(len));
        }
        start += len + 1;
    }
    None
}

/// Moves the cursor one line up (`up`) or down, keeping its column where the line allows;
/// false at the first or last line (the caller may then leave the field).
pub fn move_line(input: &mut Input, up: bool) -> bool {
    let (line, col) = line_col(input.value(), input.cursor());
    let target = if up {
        match line.checked_sub(1) {
            Some(l) => l,
            None => return false,
        }
    } else {
        line + 1
    };
    match cursor_at(input.value(), target, col) {
        Some(cursor) => {
            move_to(input, cursor);
            true
        }
        None => false,
    }
}

/// Home / End: the start or the end of the cursor's line.
pub fn line_edge(input: &mut Input, end: bool) {
    let (line, _) = line_col(input.value(), input.cursor());
    let col = if end { usize::MAX } else { 0 };
    if let Some(cursor) = cursor_at(input.value(), line, col) {
        move_to(input, cursor);
    }
}

fn move_to(input: &mut Input, cursor: usize) {
    let value = std::mem::take(input).value().to_string();
    *input = Input::new(value).with_cursor(cursor);
}

/// `text` with every line break (`\r\n`, `\r`) made `\n`, tabs kept as four spaces (a tab
/// would draw at the terminal's width, not the form's), other control characters dropped.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' => out.push('\n'),
            '\t' => out.push_str("    "),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_moves_by_lines_keeping_its_column_where_it_can() {
        let mut input = Input::new("ab\nc\ndefg".into()).with_cursor(2);
        assert_eq!(line_col(input.value(), input.cursor()), (0, 2));
        assert!(move_line(&mut input, false));
        assert_eq!(
            line_col(input.value(), input.cursor()),
            (1, 1),
            "short line: its end"
        );
        assert!(move_line(&mut input, false));
        assert_eq!(line_col(input.value(), input.cursor()), (2, 1));
        assert!(!move_line(&mut input, false), "the last line");
        line_edge(&mut input, true);
        assert_eq!(input.cursor(), 9);
        line_edge(&mut input, false);
        assert_eq!(input.cursor(), 5);
        assert!(move_line(&mut input, true));
        assert!(move_line(&mut input, true));
        assert!(!move_line(&mut input, true), "the first line");
        assert_eq!(clean("a\r\nb\rc\td\x1b"), "a\nb\nc    d");
    }
}
