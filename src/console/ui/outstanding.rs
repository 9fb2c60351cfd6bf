//! A consumer's outstanding messages: read by sequence, a page at a time, each with what
//! jetdeck knows of it, and the server's limit said plainly on Limits streams.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Wrap};

use super::theme;
use super::{Column, col, draw_table, fmt_age, pane_block, truncate};
use crate::console::app::App;
use crate::console::overlays::outstanding::OutstandingState;
use crate::diagnosis::{Known, OutstandingMessage};

const COLUMNS: [Column; 5] = [
    col("Seq", 8, 100),
    col("Subject", 24, 80),
    col("Age", 5, 50),
    col("Size", 8, 40),
    col("What jetdeck knows", 40, 90),
];

fn known_text(known: &[Known]) -> String {
    if known.is_empty() {
        return "delivered, not known to be acked".to_string();
    }
    known
        .iter()
        .map(|k| k.word())
        .collect::<Vec<_>>()
        .join(", ")
}

fn row(app: &App, m: &OutstandingMessage) -> (Vec<Cell<'static>>, Style) {
    let right = |s: String| Cell::from(Line::from(s).right_aligned());
    let color = if m.known.contains(&Known::OutOfDeliveries) {
        theme::get().problem
    } else if m.known.contains(&Known::HeldHere) {
        theme::get().warning
    } else {
        Color::Reset
    };
    (
        vec![
            right(m.message.sequence.to_string()),
            Cell::from(truncate(&m.message.subject, 60)),
            right(fmt_age(app.now, Some(m.message.time))),
            right(format!("{} B", m.message.body.len())),
            Cell::from(Span::styled(known_text(&m.known), Style::new().fg(color))),
        ],
        Style::new(),
    )
}

pub fn render(frame: &mut Frame, app: &App, state: &OutstandingState, area: Rect) {
    let area = super::centered(area, 94, 90);
    frame.render_widget(Clear, area);
    let [top, list] = Layout::vertical([Constraint::Length(4), Constraint::Min(3)]).areas(area);
    let range = match &state.page {
        Some(p) => format!(
            "after ack floor {} up to last delivered {}",
            p.ack_floor, p.last_delivered
        ),
        None => "reading…".to_string(),
    };
    let note = state
        .page
        .as_ref()
        .map(|p| {
            p.note.unwrap_or(
                "WorkQueue stream: an acknowledged message is removed, so each one listed is unacknowledged.",
            )
        })
        .unwrap_or("Read by sequence: no consumer is made, nothing is consumed.");
    frame.render_widget(
        Paragraph::new(Line::raw(note))
            .wrap(Wrap { trim: false })
            .block(Block::bordered().border_style(Style::new().fg(theme::get().accent))),
        top,
    );
    let page_no = state.earlier.len() + 1;
    let more = if state.page.as_ref().is_some_and(|p| p.next.is_some()) {
        ", more after"
    } else {
        ""
    };
    let title = Line::from(format!(
        " Outstanding of {}/{} · {range} · page {page_no}{more} ",
        state.stream, state.consumer
    ));
    let block = pane_block(title, true)
        .title_bottom(" ↑↓ select · n/p page · g/G first/last · Enter open · Esc close ");
    if let Some(e) = &state.error {
        let text = Span::styled(e.clone(), Style::new().fg(theme::get().problem));
        frame.render_widget(Paragraph::new(text).block(block), list);
        return;
    }
    let messages = state.page.as_ref().map(|p| &p.messages[..]).unwrap_or(&[]);
    if messages.is_empty() {
        let text = if state.loading {
            "Reading…"
        } else {
            "No outstanding messages: nothing between the ack floor and the last delivered sequence is still in the stream."
        };
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
            list,
        );
        return;
    }
    draw_table(
        frame,
        list,
        block,
        &COLUMNS,
        messages.len(),
        Some(state.selected),
        |i| row(app, &messages[i]),
    );
}

#[cfg(test)]
#[path = "outstanding_tests.rs"]
mod tests;
