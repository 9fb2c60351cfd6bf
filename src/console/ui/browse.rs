//! The stream browser: stored messages by sequence, read without a consumer.

use super::right;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph};

use super::theme;
use super::{Column, col, draw_table, fmt_age, pane_block, truncate};
use crate::console::app::App;
use crate::console::overlays::browse::{BrowseRow, BrowseState};

const COLUMNS: [Column; 5] = [
    col("Seq", 8, 100),
    col("Subject", 24, 80),
    col("Age", 5, 50),
    col("Size", 8, 40),
    col("Body", 30, 90),
];

fn row(app: &App, r: &BrowseRow) -> (Vec<Cell<'static>>, Style) {
    match r {
        BrowseRow::Stored(m) => (
            vec![
                right(m.sequence.to_string()),
                Cell::from(truncate(&m.subject, 60)),
                right(fmt_age(app.now, Some(m.time))),
                right(format!("{} B", m.body.len())),
                Cell::from(truncate(
                    String::from_utf8_lossy(&m.body)
                        .lines()
                        .next()
                        .unwrap_or_default(),
                    200,
                )),
                Cell::from(""),
            ],
            Style::new(),
        ),
        // A run of gone sequences is one row, however long.
        BrowseRow::Deleted { first, last } => {
            let n = last - first + 1;
            (
                vec![
                    right(first.to_string()),
                    Cell::from(Span::styled(
                        format!("… {} deleted", super::fmt_count(n)),
                        Style::new().fg(theme::get().muted),
                    )),
                    Cell::from(""),
                    Cell::from(""),
                    Cell::from(if n > 1 {
                        format!("sequences {first}–{last}")
                    } else {
                        String::new()
                    }),
                ],
                Style::new().fg(theme::get().muted),
            )
        }
    }
}

pub fn render(frame: &mut Frame, app: &App, state: &BrowseState, area: Rect) {
    let area = super::centered(area, 94, 90);
    let block = pane_block(title(state), true).title_bottom(if state.filter.is_empty() {
        " ↑↓ select · n/p page · g/G first/last · : jump · / subject · T since · l last · y copy · Del delete · Esc close "
    } else {
        " ↑↓ select · n/p page · g first · l last · / subject · T since · y copy · Del delete · Esc clear filter "
    });
    frame.render_widget(Clear, area);
    if let Some(e) = &state.error {
        frame.render_widget(
            Paragraph::new(Span::styled(
                e.clone(),
                Style::new().fg(theme::get().problem),
            ))
            .block(block),
            area,
        );
        return;
    }
    if !state.loading && state.rows.is_empty() && !state.filter.is_empty() {
        let text = format!(
            "No message matches {} (Esc clears the filter).",
            state.filter.describe()
        );
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    if state.loading && state.rows.is_empty() {
        frame.render_widget(Paragraph::new("Reading…").block(block), area);
        return;
    }
    draw_table(
        frame,
        area,
        block,
        &COLUMNS,
        state.rows.len(),
        Some(state.selected),
        |i| row(app, &state.rows[i]),
    );
}

/// The browser's title: the stream, the filters in force, and what is shown.
pub fn title(state: &BrowseState) -> Line<'static> {
    let shown = match (state.rows.first(), state.rows.last()) {
        (Some(a), Some(b)) => format!("sequences {}–{}", a.sequence(), b.last()),
        _ => "nothing shown".to_string(),
    };
    if state.filter.is_empty() {
        return Line::from(format!(
            " Browse {} · {shown} of {}–{} · no consumer, nothing consumed ",
            state.stream, state.first_seq, state.last_seq
        ));
    }
    let matching = match state.window.as_ref().and_then(|w| w.count) {
        Some(n) => format!(" · {} matching", super::fmt_count(n)),
        None => String::new(),
    };
    Line::from(vec![
        Span::raw(format!(" Browse {} · ", state.stream)),
        Span::styled(
            state.filter.describe(),
            Style::new()
                .fg(theme::get().warning)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!("{matching} · {shown} · nothing consumed ")),
    ])
}
