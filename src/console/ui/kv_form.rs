//! The key form (issue 16): the key's name, its value on several lines, what the put
//! expects, then the question.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::forms::{dialog, error_line, field_line};
use super::kv_key::render_question;
use super::{fmt_bytes, theme};
use crate::broker::KeyOperation;
use crate::console::overlays::kv_form::{KeyField, KeyForm};
use crate::console::overlays::text_area::line_col;

/// Lines of the value shown at once (the form scrolls to the cursor's line).
const VALUE_LINES: usize = 10;

/// What the put expects, in the form's words, and what the key held if not text.
fn expects(form: &KeyForm) -> Vec<String> {
    let Some(over) = &form.over else {
        return vec![
            "creates the key: refused if it exists (a deleted key is created again)".into(),
        ];
    };
    let base = format!(
        "expects revision {}; refused if anyone changed the key since",
        over.revision
    );
    match (over.operation, over.binary) {
        (KeyOperation::Put, Some(size)) => vec![
            base,
            format!(
                "the value is binary ({}): not shown here; what you type replaces it",
                fmt_bytes(size as u64)
            ),
        ],
        (KeyOperation::Put, None) => vec![base],
        (op, _) => vec![
            base,
            format!(
                "the key was {}d at that revision: the put sets it again",
                op.word()
            ),
        ],
    }
}

/// The value's lines around the cursor, scrolled so it shows; where the cursor goes.
fn value_lines(form: &KeyForm, width: u16) -> (Vec<Line<'static>>, Option<(u16, u16)>) {
    let text = form.value.value();
    let (row, col) = line_col(text, form.value.cursor());
    let first = (row + 1).saturating_sub(VALUE_LINES);
    let avail = usize::from(width.saturating_sub(4)).max(1);
    let shift = (col + 1).saturating_sub(avail);
    let focused = form.focus == KeyField::Value;
    let style = if focused {
        Style::new().fg(theme::get().emphasis)
    } else {
        Style::new()
    };
    let mut lines: Vec<Line<'static>> = text
        .split('\n')
        .skip(first)
        .take(VALUE_LINES)
        .map(|l| {
            let shown: String = l.chars().skip(shift).take(avail).collect();
            Line::from(vec![Span::raw("  │ "), Span::styled(shown, style)])
        })
        .collect();
    // The editor keeps its height: the lines below stay put as the value grows.
    lines.resize(VALUE_LINES, Line::raw("  │"));
    let cursor = focused.then(|| ((4 + col - shift) as u16, (row - first) as u16));
    (lines, cursor)
}

fn value_heading(form: &KeyForm) -> Line<'static> {
    let text = form.value.value();
    let count = text.split('\n').count();
    let marker = if form.focus == KeyField::Value {
        "▶"
    } else {
        " "
    };
    Line::from(vec![
        Span::styled(
            format!("{marker}Value    "),
            Style::new().fg(theme::get().accent),
        ),
        Span::styled(
            format!(
                " {count} {}, {} bytes",
                if count == 1 { "line" } else { "lines" },
                text.len()
            ),
            Style::new().fg(theme::get().label),
        ),
    ])
}

pub fn render(frame: &mut Frame, form: &KeyForm, full: Rect) {
    let area = dialog(full, 80, VALUE_LINES as u16 + 10);
    let inner_w = area.width.saturating_sub(2);
    let label = Style::new().fg(theme::get().label);
    let mut lines = Vec::new();
    let mut cursor = None;
    let (mut key_line, c) = field_line(
        KeyField::Key.label(),
        &form.key,
        form.focus == KeyField::Key && form.key_editable(),
        if form.key_editable() {
            inner_w
        } else {
            // A fixed name: "(fixed)" right after it.
            (form.key.value().chars().count() as u16 + 15).min(inner_w.saturating_sub(8))
        },
    );
    if let Some(x) = c {
        cursor = Some((x, 0));
    }
    if !form.key_editable() {
        key_line.push_span(Span::styled(" (fixed)", label));
    }
    lines.push(key_line);
    if let Some(e) = form.error(KeyField::Key) {
        lines.push(error_line(e));
    }
    lines.push(value_heading(form));
    let (value, at) = value_lines(form, inner_w);
    if let Some((x, y)) = at {
        cursor = Some((x, lines.len() as u16 + y));
    }
    lines.extend(value);
    if let Some(e) = form.error(KeyField::Value) {
        lines.push(error_line(e));
    }
    lines.push(Line::raw(""));
    for text in expects(form) {
        lines.push(Line::from(Span::styled(
            format!(" {text}"),
            Style::new().fg(theme::get().warning),
        )));
    }
    lines.push(Line::from(Span::styled(
        " Enter check and ask · Ctrl-J new line · Tab field · Esc cancel (nothing sent)",
        label,
    )));
    let title = match &form.over {
        Some(_) => format!(
            " Put a new value · {} · key {} ",
            form.bucket,
            form.key.value()
        ),
        None => format!(" New key · {} ", form.bucket),
    };
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(Span::styled(
                    title,
                    Style::new().add_modifier(Modifier::BOLD),
                ))
                .border_style(Style::new().fg(theme::get().accent)),
        ),
        area,
    );
    match &form.asking {
        Some(change) => render_question(frame, change, full),
        None => {
            if let Some((x, y)) = cursor {
                frame.set_cursor_position(Position::new(area.x + 1 + x, area.y + 1 + y));
            }
        }
    }
}
