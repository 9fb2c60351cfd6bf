//! One key (issue 16): the chosen revision's value, as the message view shows a body, over
//! the key's history.

use super::right;
use std::time::SystemTime;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Wrap};

use super::message::body_lines;
use super::theme;
use super::{Column, centered, col, draw_table, empty_pane, fmt_age, fmt_bytes, pane_block};
use crate::broker::KeyOperation;
use crate::console::app::{App, KeyChange, clock_text};
use crate::console::overlays::kv_key::KeyViewState;

const HISTORY_COLUMNS: [Column; 5] = [
    col("Revision", 9, 100),
    col("Time", 19, 90),
    col("Ago", 6, 60),
    col("Op", 7, 95),
    col("Size", 10, 70),
];

fn value_lines(state: &KeyViewState) -> Vec<Line<'static>> {
    let Some(e) = state.shown() else {
        return vec![Line::raw("")];
    };
    let label = Style::new().fg(theme::get().label);
    let latest = state.latest().is_some_and(|l| l.revision == e.revision);
    let which = if latest { "latest" } else { "earlier" };
    let mut lines = vec![Line::from(vec![
        Span::styled("   revision  ", label),
        Span::raw(format!("{} ({which}) · {}", e.revision, e.operation.word())),
    ])];
    if e.operation != KeyOperation::Put {
        lines.push(Line::raw(""));
        lines.push(Line::raw(format!(
            "   The key was {}d at this revision: it has no value.",
            e.operation.word()
        )));
        return lines;
    }
    let (kind, body) = body_lines(&e.value);
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        format!(" Value ({kind}, {} bytes)", e.value.len()),
        Style::new()
            .fg(theme::get().accent)
            .add_modifier(Modifier::BOLD),
    )));
    lines.extend(body.into_iter().map(|l| Line::raw(format!("   {l}"))));
    lines
}

/// The y / n question of a delete, purge or revert, over the key.
fn render_asking(frame: &mut Frame, state: &KeyViewState, area: Rect) {
    if let Some(change) = &state.asking {
        render_question(frame, change, area);
    }
}

/// A change to a key, asked: what it does, the revision it expects.
pub(super) fn render_question(frame: &mut Frame, change: &KeyChange, area: Rect) {
    let area = centered(area, 70, 30);
    let mut text = change.describe();
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + &text[1..];
    }
    let lines = vec![
        Line::raw(""),
        Line::raw(format!(" {text}?")),
        Line::raw(""),
        Line::raw(" If another change came first, the server refuses it and says so."),
    ];
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(" Change the key? ")
                .title_bottom(" y yes · n no ")
                .border_style(Style::new().fg(theme::get().warning)),
        ),
        area,
    );
}

pub fn render(frame: &mut Frame, app: &App, state: &KeyViewState, area: Rect) {
    render_key(frame, app, state, area);
    render_asking(frame, state, area);
}

fn render_key(frame: &mut Frame, app: &App, state: &KeyViewState, area: Rect) {
    let area = centered(area, 90, 90);
    frame.render_widget(Clear, area);
    let title = format!(" {} · key {} ", state.bucket, state.key);
    let Some(history) = &state.history else {
        let text = state.error.clone().unwrap_or_else(|| "Reading…".into());
        empty_pane(frame, area, pane_block(Line::from(title), true), text);
        return;
    };
    let rows = history.len() as u16;
    let [top, bottom] =
        Layout::vertical([Constraint::Min(5), Constraint::Length((rows + 3).min(14))]).areas(area);
    frame.render_widget(
        Paragraph::new(value_lines(state))
            .wrap(Wrap { trim: false })
            .block(
                Block::bordered()
                    .title(title)
                    .border_style(Style::new().fg(theme::get().accent)),
            ),
        top,
    );
    let block = pane_block(
        Line::from(format!(
            " History ({} {} kept) ",
            history.len(),
            if history.len() == 1 {
                "revision"
            } else {
                "revisions"
            }
        )),
        true,
    )
    .title_bottom(" ↑↓ PgUp PgDn revision · p put · d delete · P purge · r revert · Esc back ");
    draw_table(
        frame,
        bottom,
        block,
        &HISTORY_COLUMNS,
        history.len(),
        Some(state.selected),
        |i| {
            let e = &history[i];
            let at = SystemTime::from(e.created);
            (
                vec![
                    right(e.revision.to_string()),
                    Cell::from(clock_text(at)),
                    right(fmt_age(app.now, Some(at))),
                    Cell::from(e.operation.word()),
                    right(fmt_bytes(e.value.len() as u64)),
                ],
                Style::new(),
            )
        },
    );
}
