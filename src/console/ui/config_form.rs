//! The config form (a stream's or a consumer's) and its preview: each field on a line,
//! its message under it; fixed fields greyed; the focused field's help at the foot.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::centered;
use super::theme;
use crate::console::overlays::config_form::{ConfigForm, FormField, Value};
use crate::console::overlays::config_preview::Preview;

const LABEL: usize = 19;

fn dialog(area: Rect, height: u16) -> Rect {
    let c = centered(area, if area.width >= 120 { 70 } else { 90 }, 100);
    let height = height.min(area.height);
    Rect {
        y: area.y + (area.height - height) / 2,
        height,
        ..c
    }
}

/// One field's line; returns the cursor column when it is the focused text field.
fn field_line(field: &FormField, focused: bool, width: u16) -> (Line<'static>, Option<u16>) {
    let marker = if focused { "▶" } else { " " };
    let label_style = if field.fixed {
        Style::new().fg(theme::get().muted)
    } else {
        Style::new().fg(theme::get().accent)
    };
    let mut spans = vec![Span::styled(
        format!("{marker}{:<w$}", field.label, w = LABEL),
        label_style,
    )];
    let avail = (width as usize).saturating_sub(LABEL + 1);
    let mut cursor = None;
    match &field.value {
        Value::Text(input) => {
            let scroll = input.visual_scroll(avail);
            let value: String = input.value().chars().skip(scroll).take(avail).collect();
            let style = if field.fixed {
                Style::new().fg(theme::get().muted)
            } else if focused {
                Style::new()
                    .fg(theme::get().emphasis)
                    .add_modifier(Modifier::UNDERLINED)
            } else {
                Style::new()
            };
            if focused {
                cursor = Some((LABEL + 1 + input.visual_cursor().saturating_sub(scroll)) as u16);
            }
            let shown = if field.fixed {
                value
            } else {
                format!("{value:<avail$}")
            };
            spans.push(Span::styled(shown, style));
        }
        Value::Choice { options, index } => {
            spans.extend(choice_spans(field, options, *index, focused, avail))
        }
    }
    if field.fixed {
        spans.push(Span::styled(
            "  (cannot change)",
            Style::new().fg(theme::get().muted),
        ));
    }
    (Line::from(spans), cursor)
}

/// A choice's options, the chosen one in brackets; when they do not all fit, only the
/// chosen one, with how many there are.
fn choice_spans(
    field: &FormField,
    options: &[&'static str],
    index: usize,
    focused: bool,
    avail: usize,
) -> Vec<Span<'static>> {
    let style = |chosen: bool| match (field.fixed, chosen) {
        (true, _) => Style::new().fg(theme::get().muted),
        (false, true) if focused => Style::new().add_modifier(Modifier::REVERSED),
        (false, true) => Style::new().add_modifier(Modifier::BOLD),
        (false, false) => Style::new().fg(theme::get().label),
    };
    let width: usize = options.iter().map(|o| o.len() + 2).sum();
    if field.fixed || width > avail {
        let mut spans = vec![Span::styled(format!("[{}]", options[index]), style(true))];
        if !field.fixed {
            spans.push(Span::styled(
                format!("  {} of {}, ← →", index + 1, options.len()),
                Style::new().fg(theme::get().label),
            ));
        }
        return spans;
    }
    options
        .iter()
        .enumerate()
        .map(|(i, option)| {
            let chosen = i == index;
            let text = if chosen {
                format!("[{option}]")
            } else {
                format!(" {option} ")
            };
            Span::styled(text, style(chosen))
        })
        .collect()
}

fn error_line(text: &str) -> Line<'static> {
    Line::from(Span::styled(
        format!("{:w$}✗ {text}", "", w = LABEL + 1),
        Style::new().fg(theme::get().problem),
    ))
}

pub fn render_form(frame: &mut Frame, form: &ConfigForm, area: Rect) {
    let probe = dialog(area, area.height);
    let inner_w = probe.width.saturating_sub(2);
    let mut lines = Vec::new();
    let mut cursor = None;
    let mut focus_line = 0;
    for (i, field) in form.fields.iter().enumerate() {
        if !form.shown(i) {
            continue;
        }
        let focused = i == form.focus;
        if focused {
            focus_line = lines.len();
        }
        let (line, c) = field_line(field, focused, inner_w);
        if let Some(x) = c {
            cursor = Some((x, lines.len()));
        }
        lines.push(line);
        if let Some(e) = &field.error {
            lines.push(error_line(e));
        }
    }
    if let Some(e) = &form.server_error {
        lines.push(Line::from(Span::styled(
            format!(" ✗ not applied: {e}"),
            Style::new().fg(theme::get().problem),
        )));
    }
    let help = form.focused().map_or("", |f| f.help);
    let foot = vec![
        Line::from(Span::styled(
            format!(" {help}"),
            Style::new().fg(theme::get().label),
        )),
        Line::from(Span::styled(
            " Enter preview · Tab ↑↓ field · ← → Space choice · Esc cancel",
            Style::new().fg(theme::get().label),
        )),
    ];
    let area = dialog(area, (lines.len() + foot.len() + 3) as u16);
    // Keep the focused field in view when the fields outgrow the box.
    let room = usize::from(area.height.saturating_sub(2)).saturating_sub(foot.len() + 1);
    let skip = (focus_line + 2).saturating_sub(room);
    let mut shown: Vec<Line> = lines.into_iter().skip(skip).take(room).collect();
    shown.push(Line::raw(""));
    shown.extend(foot);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(shown).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(format!(" {} ", form.title))
                .border_style(Style::new().fg(theme::get().accent)),
        ),
        area,
    );
    if let Some((x, y)) = cursor
        && y >= skip
        && y - skip < room
    {
        let y = (y - skip) as u16;
        frame.set_cursor_position(Position::new(area.x + 1 + x, area.y + 1 + y));
    }
}

pub fn render_preview(frame: &mut Frame, preview: &Preview, area: Rect) {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let width = preview
        .lines
        .iter()
        .map(|(k, _)| k.len())
        .max()
        .unwrap_or(0)
        .max(12);
    let mut lines = vec![Line::raw(if preview.plan.is_edit() {
        " Changes (old -> new):".to_string()
    } else {
        " The new config:".to_string()
    })];
    for (field, value) in &preview.lines {
        lines.push(Line::from(vec![
            Span::styled(
                format!("   {field:<width$}  "),
                Style::new().fg(theme::get().accent),
            ),
            Span::raw(value.clone()),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(
            " y",
            Style::new()
                .fg(theme::get().warning)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(if preview.plan.is_edit() {
            " apply   "
        } else {
            " create   "
        }),
        Span::styled(
            "n",
            Style::new()
                .fg(theme::get().ok)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(" / Esc back to the form (nothing is sent)"),
    ]));
    let area = dialog(area, lines.len() as u16 + 2);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(Span::styled(format!(" {} ", preview.title()), bold))
                .border_style(Style::new().fg(theme::get().warning)),
        ),
        area,
    );
}

#[cfg(test)]
mod tests;
