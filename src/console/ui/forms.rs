//! Small overlays that ask: the publish form, attach by topic, one-line prompts, and the
//! delete confirmation.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use tui_input::Input;

use super::theme;
use super::{centered, fmt_count};
use crate::console::app::{AfterCreate, AttachForm, Confirm, Prompt, StreamOffer};
use crate::console::overlays::publish::{Field, PublishForm, TEMPLATES};

/// A fixed-height box centred in `area`.
pub(super) fn dialog(area: Rect, width_percent: u16, height: u16) -> Rect {
    let c = centered(area, width_percent, 100);
    let height = height.min(area.height);
    Rect {
        y: area.y + (area.height - height) / 2,
        height,
        ..c
    }
}

/// One labelled input line; returns where the cursor goes when focused.
pub(super) fn field_line(
    label: &str,
    input: &Input,
    focused: bool,
    width: u16,
) -> (Line<'static>, Option<u16>) {
    let label_w = 10;
    let avail = width.saturating_sub(label_w + 4) as usize;
    let scroll = input.visual_scroll(avail);
    let value: String = input.value().chars().skip(scroll).take(avail).collect();
    let style = if focused {
        Style::new()
            .fg(theme::get().emphasis)
            .add_modifier(Modifier::UNDERLINED)
    } else {
        Style::new()
    };
    let marker = if focused { "▶" } else { " " };
    let line = Line::from(vec![
        Span::styled(
            format!("{marker}{label:<9} "),
            Style::new().fg(theme::get().accent),
        ),
        Span::styled(format!("{value:<avail$}"), style),
    ]);
    let cursor =
        focused.then(|| label_w + 1 + (input.visual_cursor().saturating_sub(scroll)) as u16);
    (line, cursor)
}

pub(super) fn error_line(text: &str) -> Line<'static> {
    Line::from(Span::styled(
        format!("           ✗ {text}"),
        Style::new().fg(theme::get().problem),
    ))
}

pub fn render_publish(frame: &mut Frame, form: &PublishForm, area: Rect) {
    let area = dialog(area, 80, 16);
    let inner_w = area.width.saturating_sub(2);
    let mut lines = Vec::new();
    let mut cursor = None;
    for field in Field::ALL {
        let (line, c) = field_line(
            field.label(),
            form.input(field),
            form.focus == field,
            inner_w,
        );
        if let Some(x) = c {
            cursor = Some((x, lines.len() as u16));
        }
        lines.push(line);
        if field == Field::Body && form.body.value().is_empty() {
            let hint = match form.template {
                Some(t) => format!("           template: {} (Ctrl-T next)", TEMPLATES[t].0),
                None => "           empty: Ctrl-T picks a template ({n} index, {uuid})".to_string(),
            };
            lines.push(Line::from(Span::styled(
                hint,
                Style::new().fg(theme::get().label),
            )));
        }
        if let Some(e) = form.error(field) {
            lines.push(error_line(e));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        " Headers: Key: value; Key: value (a key may repeat).  Enter publish · Tab next field · Esc cancel",
        Style::new().fg(theme::get().label),
    )));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(" Publish ")
                .border_style(Style::new().fg(theme::get().accent)),
        ),
        area,
    );
    if let Some((x, y)) = cursor {
        frame.set_cursor_position(Position::new(area.x + 1 + x, area.y + 1 + y));
    }
}

pub fn render_attach(frame: &mut Frame, form: &AttachForm, area: Rect) {
    let area = dialog(area, 70, 9);
    let inner_w = area.width.saturating_sub(2);
    let (topic, c0) = field_line("Topic", &form.topic, form.focus == 0, inner_w);
    let (queue, c1) = field_line("Queue", &form.queue, form.focus == 1, inner_w);
    let mut lines = vec![topic, queue];
    if let Some(e) = &form.error {
        lines.push(error_line(e));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        " The queue names the durable consumer (made, filtered to the topic, if missing). Enter attach · Esc cancel",
        Style::new().fg(theme::get().label),
    )));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(" Attach by topic and queue ")
                .border_style(Style::new().fg(theme::get().accent)),
        ),
        area,
    );
    if let Some(x) = c0 {
        frame.set_cursor_position(Position::new(area.x + 1 + x, area.y + 1));
    } else if let Some(x) = c1 {
        frame.set_cursor_position(Position::new(area.x + 1 + x, area.y + 2));
    }
}

pub fn render_prompt(frame: &mut Frame, prompt: &Prompt, area: Rect) {
    let area = dialog(area, 60, 6);
    let inner_w = area.width.saturating_sub(2);
    let (line, cursor) = field_line(">", &prompt.input, true, inner_w);
    let mut lines = vec![line];
    if let Some(e) = &prompt.error {
        lines.push(error_line(e));
    }
    lines.push(Line::from(Span::styled(
        " Enter confirm · Esc cancel",
        Style::new().fg(theme::get().label),
    )));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(format!(" {} ", prompt.kind.question()))
                .border_style(Style::new().fg(theme::get().accent)),
        ),
        area,
    );
    if let Some(x) = cursor {
        frame.set_cursor_position(Position::new(area.x + 1 + x, area.y + 1));
    }
}

pub fn render_confirm(frame: &mut Frame, confirm: &Confirm, area: Rect) {
    let Confirm::DeleteConsumer {
        stream,
        consumer,
        ack_pending,
        pending,
    } = confirm
    else {
        return;
    };
    let area = dialog(area, 60, 8);
    let lines = vec![
        Line::from(vec![
            Span::raw(" Delete durable consumer "),
            Span::styled(consumer.clone(), Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(" of stream "),
            Span::styled(stream.clone(), Style::new().add_modifier(Modifier::BOLD)),
            Span::raw("?"),
        ]),
        Line::raw(format!(
            " It has {} messages pending and {} awaiting ack; its position is lost.",
            fmt_count(*pending),
            fmt_count(*ack_pending)
        )),
        Line::raw(""),
        Line::from(vec![
            Span::styled(
                " y",
                Style::new()
                    .fg(theme::get().problem)
                    .add_modifier(Modifier::BOLD),
            ),
            Span::raw(" delete   "),
            Span::styled(
                "n",
                Style::new()
                    .fg(theme::get().ok)
                    .add_modifier(Modifier::BOLD),
            ),
            Span::raw(" / Esc keep"),
        ]),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(" Delete consumer ")
                .border_style(Style::new().fg(theme::get().problem)),
        ),
        area,
    );
}

/// Asks before a stream is created for a subject nobody listens on.
pub fn render_create_stream(frame: &mut Frame, offer: &StreamOffer, area: Rect) {
    let area = dialog(area, 72, 10);
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let next = match &offer.then {
        AfterCreate::Publish(request) if request.count == 1 => {
            format!(" Then publish the message to {}.", request.subject)
        }
        AfterCreate::Publish(request) => {
            format!(
                " Then publish {} messages to {}.",
                request.count, request.subject
            )
        }
        AfterCreate::Attach { queue, .. } => {
            format!(" Then attach with durable consumer {queue}.")
        }
        AfterCreate::DeadLetters { plan, .. } => format!(
            " Then move the {} dead letters left (the originals are untouched until then).",
            plan.letters.len()
        ),
    };
    let lines = vec![
        Line::from(vec![
            Span::raw(" No stream listens on "),
            Span::styled(offer.subject.clone(), bold),
            Span::raw("."),
        ]),
        Line::from(vec![
            Span::raw(" Create stream "),
            Span::styled(offer.stream.clone(), bold),
            Span::raw(format!(" on {}:", offer.subjects.join(", "))),
        ]),
        Line::raw(format!(" {}.", offer.config)),
        Line::raw(next),
        Line::raw(""),
        Line::from(vec![
            Span::styled(
                " y",
                Style::new()
                    .fg(theme::get().warning)
                    .add_modifier(Modifier::BOLD),
            ),
            Span::raw(" create   "),
            Span::styled(
                "n",
                Style::new()
                    .fg(theme::get().ok)
                    .add_modifier(Modifier::BOLD),
            ),
            Span::raw(" / Esc cancel (nothing is sent)"),
        ]),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(" Create stream? ")
                .border_style(Style::new().fg(theme::get().warning)),
        ),
        area,
    );
}
