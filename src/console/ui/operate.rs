//! The operation overlays: the purge chooser, the typed-name delete, the pause and reset
//! questions, and the confirmations that name how many messages a change touches.

use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use tui_input::Input;

use super::fmt_count;
use super::forms::{dialog, error_line, field_line};
use super::theme;
use crate::broker::ResetTarget;
use crate::console::app::{App, OpPlan, clock_text, time_of_day};
use crate::console::overlays::operate::{OperateForm, PURGE_CHOICES, from_now};

fn gray(text: impl Into<String>) -> Line<'static> {
    Line::from(Span::styled(
        text.into(),
        Style::new().fg(theme::get().label),
    ))
}

fn bold(text: impl Into<String>) -> Span<'static> {
    Span::styled(text.into(), Style::new().add_modifier(Modifier::BOLD))
}

/// The inside width of a dialog of `percent` of `outer`'s width.
fn inner_width(outer: Rect, percent: u16) -> u16 {
    dialog(outer, percent, 1).width.saturating_sub(2)
}

/// A dialog tall enough for `lines` as they wrap (word wrapping may take a row more than
/// the characters do, hence the spare row).
fn fit(outer: Rect, percent: u16, lines: &[Line]) -> Rect {
    let inner = usize::from(inner_width(outer, percent).max(1));
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    dialog(outer, percent, rows as u16 + 3)
}

/// The lines and border of a dialog; `cursor` is (column, line) inside the border.
fn draw(
    frame: &mut Frame,
    area: Rect,
    title: String,
    color: Color,
    lines: Vec<Line<'static>>,
    cursor: Option<(u16, u16)>,
) {
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(title)
                .border_style(Style::new().fg(color)),
        ),
        area,
    );
    if let Some((x, y)) = cursor {
        frame.set_cursor_position(Position::new(area.x + 1 + x, area.y + 1 + y));
    }
}

/// A question with one input line.
fn question(
    frame: &mut Frame,
    area: Rect,
    title: String,
    intro: Vec<Line<'static>>,
    (label, input, error): (&str, &Input, &Option<String>),
    footer: &str,
) {
    let (line, x) = field_line(label, input, true, inner_width(area, 72));
    let mut lines = intro;
    let cursor = x.map(|x| (x, lines.len() as u16));
    lines.push(line);
    if let Some(e) = error {
        lines.push(error_line(e));
    }
    lines.push(Line::raw(""));
    lines.push(gray(footer));
    let area = fit(area, 72, &lines);
    draw(frame, area, title, theme::get().accent, lines, cursor);
}

pub fn render_form(frame: &mut Frame, app: &App, form: &OperateForm, area: Rect) {
    match form {
        OperateForm::Purge {
            stream,
            choice,
            inputs,
            error,
        } => render_purge(frame, app, stream, (*choice, inputs.as_ref()), error, area),
        OperateForm::DeleteStream {
            stream,
            goes,
            input,
            error,
        } => {
            let (line, x) = field_line("Name", input, true, inner_width(area, 72));
            let mut lines = vec![
                Line::from(vec![
                    Span::raw(" Deleting stream "),
                    bold(stream.clone()),
                    Span::raw(format!(" removes {goes}.")),
                ]),
                Line::raw(" It cannot be undone. Type the stream's name to confirm:"),
                Line::raw(""),
                line,
            ];
            if let Some(e) = error {
                lines.push(error_line(e));
            }
            lines.push(Line::raw(""));
            lines.push(gray(
                " Enter delete (only with the exact name) · Esc keep it",
            ));
            let title = format!(" Delete stream {stream}? ");
            let area = fit(area, 72, &lines);
            draw(
                frame,
                area,
                title,
                theme::get().problem,
                lines,
                x.map(|x| (x, 3)),
            );
        }
        OperateForm::PauseUntil {
            stream,
            consumer,
            input,
            error,
        } => question(
            frame,
            area,
            format!(" Pause consumer {consumer} of {stream} until "),
            vec![Line::raw(
                " A duration (10m, 1h30m), a time of day in UTC (14:30), or RFC 3339.",
            )],
            ("Until", input, error),
            " Enter preview · Esc cancel (nothing is sent)",
        ),
        OperateForm::ResetTo {
            stream,
            consumer,
            input,
            error,
        } => question(
            frame,
            area,
            format!(" Reset consumer {consumer} of {stream} "),
            vec![
                Line::raw(" Deliver again from a stream sequence (120), a time (14:30 UTC"),
                Line::raw(" today, RFC 3339) or a duration back (10m); empty: its ack floor."),
            ],
            ("From", input, error),
            " Enter preview · Esc cancel (nothing is sent)",
        ),
    }
}

fn render_purge(
    frame: &mut Frame,
    app: &App,
    stream: &str,
    (choice, inputs): (usize, &[Input; 4]),
    error: &Option<String>,
    area: Rect,
) {
    let width = inner_width(area, 72);
    let holds = app.stream(stream).map(|s| s.info.state.messages);
    let mut lines = vec![Line::from(vec![
        Span::raw(" Purge stream "),
        bold(stream.to_string()),
        Span::raw(match holds {
            Some(n) => format!(" (holds {} messages): what goes?", fmt_count(n)),
            None => ": what goes?".to_string(),
        }),
    ])];
    let mut cursor = None;
    for (i, label) in PURGE_CHOICES.iter().enumerate() {
        let chosen = i == choice;
        let mark = if chosen { "▶ (•) " } else { "  ( ) " };
        let style = if chosen {
            Style::new()
                .fg(theme::get().accent)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        lines.push(Line::from(Span::styled(format!("{mark}{label}"), style)));
        if i > 0 && chosen {
            let (line, x) = field_line("", &inputs[i], true, width);
            cursor = x.map(|x| (x, lines.len() as u16));
            lines.push(line);
        }
    }
    if let Some(e) = error {
        lines.push(error_line(e));
    }
    lines.push(Line::raw(""));
    lines.push(gray(
        " Tab/↑↓ choose · type the subject or number · Enter count and confirm · Esc cancel",
    ));
    let title = format!(" Purge {stream} ");
    let area = fit(area, 72, &lines);
    draw(frame, area, title, theme::get().warning, lines, cursor);
}

/// y and n, with what each does.
fn yes_no(yes: &str, no: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            " y",
            Style::new()
                .fg(theme::get().problem)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(" {yes}   ")),
        Span::styled(
            "n",
            Style::new()
                .fg(theme::get().ok)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(" / Esc {no}")),
    ])
}

/// A time in a confirmation: the clock with how far off it is.
fn at(t: SystemTime, now: SystemTime) -> String {
    match t.duration_since(now) {
        Ok(d) if d.as_secs() < 86_400 => format!("{} ({})", time_of_day(t), from_now(now, t)),
        _ => clock_text(t),
    }
}

pub fn render_plan(frame: &mut Frame, app: &App, plan: &OpPlan, area: Rect) {
    let (title, lines) = match plan {
        OpPlan::Purge { .. } => (" Purge? ", purge_lines(plan)),
        OpPlan::Pause {
            stream,
            consumer,
            until,
        } => (
            " Pause? ",
            vec![
                Line::from(vec![
                    Span::raw(" Pause consumer "),
                    bold(consumer.clone()),
                    Span::raw(format!(" of {stream} until {}?", at(*until, app.now))),
                ]),
                Line::raw(
                    " It delivers nothing until then (pulls wait empty); U resumes it sooner.",
                ),
                Line::raw(""),
                yes_no("pause", "cancel (nothing is sent)"),
            ],
        ),
        OpPlan::Resume {
            stream,
            consumer,
            paused_until,
        } => (
            " Resume? ",
            vec![
                Line::from(vec![
                    Span::raw(" Resume consumer "),
                    bold(consumer.clone()),
                    Span::raw(format!(
                        " of {stream}{}?",
                        paused_until
                            .map(|t| format!(" (paused until {})", at(t, app.now)))
                            .unwrap_or_else(|| " (not paused at the last refresh)".into())
                    )),
                ]),
                Line::raw(" Delivery starts again at once."),
                Line::raw(""),
                yes_no("resume", "cancel (it stays paused)"),
            ],
        ),
        OpPlan::Reset { .. } => (" Reset? ", reset_lines(plan)),
    };
    let area = fit(area, 76, &lines);
    draw(
        frame,
        area,
        title.to_string(),
        theme::get().warning,
        lines,
        None,
    );
}

fn purge_lines(plan: &OpPlan) -> Vec<Line<'static>> {
    let OpPlan::Purge {
        stream,
        scope,
        estimate,
        holds,
    } = plan
    else {
        return Vec::new();
    };
    let stay = holds.saturating_sub(estimate.count);
    let stay = if estimate.exact {
        fmt_count(stay)
    } else {
        format!("about {}", fmt_count(stay))
    };
    vec![
        Line::from(vec![
            Span::raw(" Purge "),
            bold(format!("{} messages", estimate.words(fmt_count))),
            Span::raw(format!(" of {stream}{}?", scope.describe())),
        ]),
        Line::raw(format!(
            " It holds {}; {stay} stay. Purged messages cannot be brought back.",
            fmt_count(*holds)
        )),
        Line::raw(""),
        yes_no("purge", "cancel (nothing is sent)"),
    ]
}

fn reset_lines(plan: &OpPlan) -> Vec<Line<'static>> {
    let OpPlan::Reset {
        stream,
        consumer,
        target,
        sequence,
        from_time,
        again,
        filter,
        ack_floor,
        ack_pending,
    } = plan
    else {
        return Vec::new();
    };
    let whence = match (target, from_time) {
        (ResetTarget::AckFloor, _) => " (its ack floor: everything unacknowledged)".to_string(),
        (_, Some(t)) => format!(" (the first message at or after {})", clock_text(*t)),
        _ => String::new(),
    };
    let only = filter
        .as_ref()
        .map(|f| format!(", only those on its filter {f}"))
        .unwrap_or_default();
    vec![
        Line::from(vec![
            Span::raw(" Reset consumer "),
            bold(consumer.clone()),
            Span::raw(format!(
                " of {stream} to stream sequence {sequence}{whence}?"
            )),
        ]),
        Line::from(vec![
            Span::raw(" Delivered again: "),
            bold(format!("{} messages", again.words(fmt_count))),
            Span::raw(format!(" from sequence {sequence} on{only}.")),
        ]),
        Line::raw(format!(
            " Its ack floor moves from {ack_floor} to {}; the {} awaiting ack are forgotten.",
            sequence.saturating_sub(1),
            fmt_count(*ack_pending)
        )),
        Line::raw(""),
        yes_no("reset", "cancel (nothing is sent)"),
    ]
}

#[cfg(test)]
mod tests;
