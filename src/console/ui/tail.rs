//! The subject tail: what arrives on a subject over plain NATS, newest at the bottom, with
//! the rate, what is held while paused and what was dropped.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph, Wrap};

use super::theme;
use super::{Column, col, draw_table, pane_block, truncate};
use crate::broker::TailedMessage;
use crate::console::app::time_of_day;
use crate::console::overlays::tail::{TailState, preview};

const COLUMNS: [Column; 6] = [
    col("Time", 12, 60),
    col("Subject", 24, 100),
    col("Size", 8, 70),
    col("Hdrs", 4, 40),
    col("Reply", 5, 30),
    col("Body", 40, 90),
];

fn row(m: &TailedMessage) -> (Vec<Cell<'static>>, Style) {
    let right = |s: String| Cell::from(Line::from(s).right_aligned());
    (
        vec![
            Cell::from(time_of_day(m.received)),
            Cell::from(truncate(&m.subject, 60)),
            right(format!("{} B", m.size())),
            right(m.headers.len().to_string()),
            Cell::from(if m.reply.is_some() { "yes" } else { "" }),
            Cell::from(preview(&m.payload, 80)),
        ],
        Style::new(),
    )
}

fn title(state: &TailState) -> Line<'static> {
    let mut spans = vec![Span::raw(format!(
        " Tail {} · plain NATS · {:.0} msgs/s · {} seen ",
        state.subject, state.rate, state.seen
    ))];
    if state.paused {
        spans.push(Span::styled(
            format!(" PAUSED, {} held ", state.held.len()),
            Style::new().fg(theme::get().warning),
        ));
    }
    if state.dropped > 0 {
        spans.push(Span::styled(
            format!(" {} dropped ", state.dropped),
            Style::new().fg(theme::get().problem),
        ));
    }
    Line::from(spans)
}

pub fn render(frame: &mut Frame, state: &TailState, area: Rect) {
    let area = super::centered(area, 96, 90);
    frame.render_widget(Clear, area);
    let block = pane_block(title(state), true).title_bottom(
        " Space pause · Enter open · r answer · R request · ↑↓ select · G follow · Esc close ",
    );
    if state.rows.is_empty() {
        let text = format!(
            "Waiting for messages on {}. A core subscription: nothing is taken from any stream.",
            state.subject
        );
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
            area,
        );
        return;
    }
    let selected = state.selected.unwrap_or(state.rows.len() - 1);
    draw_table(
        frame,
        area,
        block,
        &COLUMNS,
        state.rows.len(),
        Some(selected),
        |i| row(&state.rows[i]),
    );
}

#[cfg(test)]
#[path = "tail_tests.rs"]
mod tests;
