//! The subjects view, and the dialogs of message operations: delete or erase one
//! message, save over an existing file.

use super::right;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Wrap};

use super::theme;
use super::{Column, centered, col, draw_table, fmt_count, pane_block, truncate};
use crate::console::app::MessageDelete;
use crate::console::overlays::subjects::{SubjectOrder, SubjectsState};

const COLUMNS: [Column; 2] = [col("Messages", 12, 100), col("Subject", 30, 90)];

pub fn render_subjects(frame: &mut Frame, state: &SubjectsState, area: Rect) {
    let area = centered(area, 80, 80);
    let order = match state.order {
        SubjectOrder::Count => "by count",
        SubjectOrder::Name => "by name",
    };
    let filter = if state.filter.is_empty() {
        String::new()
    } else {
        format!(
            " · filter {} ({} shown)",
            state.filter,
            fmt_count(state.shown.len() as u64)
        )
    };
    let title = Line::from(format!(
        " Subjects of {} · {} subjects, {} messages · {order}{filter} ",
        state.stream,
        fmt_count(state.all.len() as u64),
        fmt_count(state.total()),
    ));
    let block = pane_block(title, true)
        .title_bottom(" Enter browse that subject · s sort · / filter · Esc close ");
    frame.render_widget(Clear, area);
    let note =
        |text: String, color: Color| Paragraph::new(Span::styled(text, Style::new().fg(color)));
    if let Some(e) = &state.error {
        frame.render_widget(note(e.clone(), theme::get().problem).block(block), area);
        return;
    }
    if state.loading {
        frame.render_widget(
            note("Counting…".into(), theme::get().label).block(block),
            area,
        );
        return;
    }
    if state.shown.is_empty() {
        let text = if state.all.is_empty() {
            "The stream holds no messages."
        } else {
            "No subject matches the filter (Esc clears it)."
        };
        frame.render_widget(note(text.into(), theme::get().label).block(block), area);
        return;
    }
    // Only the rows on screen are built: a stream of a million subjects draws as fast
    // as one of ten.
    draw_table(
        frame,
        area,
        block,
        &COLUMNS,
        state.shown.len(),
        Some(state.selected),
        |i| {
            let (subject, n) = &state.all[state.shown[i]];
            (
                vec![right(fmt_count(*n)), Cell::from(truncate(subject, 200))],
                Style::new(),
            )
        },
    );
}

pub fn render_delete(frame: &mut Frame, d: &MessageDelete, area: Rect) {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let key = |k: &'static str, c: Color| {
        Span::styled(k, Style::new().fg(c).add_modifier(Modifier::BOLD))
    };
    let mut lines = vec![
        Line::from(vec![
            Span::raw(" Delete "),
            Span::styled(format!("{} seq {}", d.stream, d.sequence), bold),
            Span::raw(" from the stream?"),
        ]),
        Line::from(vec![
            Span::raw(" Subject "),
            Span::styled(d.subject.clone(), bold),
        ]),
        Line::raw(" Not undoable. Erase also overwrites its bytes on the server (slower)."),
    ];
    if let Some(label) = &d.held_by {
        lines.push(Line::raw(format!(
            " {label} holds a delivery of it: the server takes it off ack pending."
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        key(" y", theme::get().problem),
        Span::raw(" delete   "),
        key("e", theme::get().problem),
        Span::raw(" erase   "),
        key("n", theme::get().ok),
        Span::raw(" / Esc keep"),
    ]));
    // Tall enough for the lines as they wrap on a narrow terminal.
    let inner = usize::from((area.width * 64 / 100).saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let area = super::forms::dialog(area, 64, (rows + 2) as u16);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(" Delete message ")
                .border_style(Style::new().fg(theme::get().problem)),
        ),
        area,
    );
}

pub fn render_overwrite(frame: &mut Frame, path: &str, area: Rect) {
    let area = super::forms::dialog(area, 60, 6);
    let lines = vec![
        Line::raw(format!(" {path} exists. Overwrite it?")),
        Line::raw(""),
        Line::raw(" y overwrite   n / Esc keep it"),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(" Save ")),
        area,
    );
}
