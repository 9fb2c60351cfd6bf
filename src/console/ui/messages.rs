//! The messages pane: what an attached pull subscription holds (manual) or handled (auto),
//! with each held message's ack-wait countdown.

use super::right;
use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

use super::theme;
use super::{
    Column, col, draw_table, empty_pane, fmt_age, fmt_duration, focused, pane_block, truncate,
};
use crate::console::app::{App, Pane};
use crate::console::attached::{Attached, MessageRow, Mode, RowState};

const COLUMNS: [Column; 8] = [
    col("Seq", 7, 100),
    col("CSeq", 6, 40),
    col("Dlv", 3, 95),
    col("Subject", 18, 70),
    col("Age", 4, 50),
    col("Deadline", 8, 90),
    col("State", 20, 99),
    col("Body", 20, 80),
];

/// The state column's text and colour.
fn state(a: &Attached, r: &MessageRow, now: std::time::SystemTime) -> (String, Color) {
    match &r.state {
        RowState::Held if r.expired(now, a.ack_wait) => {
            ("will be redelivered".into(), theme::get().problem)
        }
        RowState::Held => ("held".into(), theme::get().warning),
        RowState::Settling(what) => (format!("{what}…"), theme::get().label),
        RowState::Acked => ("acked".into(), theme::get().ok),
        RowState::Naked(None) => ("nak'd".into(), theme::get().special),
        RowState::Naked(Some(d)) => (
            format!("nak'd, back in {}", fmt_duration(*d)),
            theme::get().special,
        ),
        RowState::Termed => ("termed".into(), theme::get().danger),
        RowState::Failed(e) => (format!("failed: {e}"), theme::get().problem),
        RowState::AutoFailed => ("failed on purpose, nak'd".into(), theme::get().special),
    }
}

fn row(app: &App, a: &Attached, r: &MessageRow) -> (Vec<Cell<'static>>, Style) {
    let d = &r.delivery;
    let deadline = match r.remaining(app.now, a.ack_wait) {
        Some(left) if left.is_zero() => "passed".to_string(),
        Some(left) => fmt_duration(Duration::from_secs(left.as_secs().max(1))),
        None => "-".to_string(),
    };
    let (text, color) = state(a, r, app.now);
    let redelivered = if d.delivered > 1 {
        Style::new().fg(theme::get().problem)
    } else {
        Style::new()
    };
    (
        vec![
            right(d.stream_sequence.to_string()),
            right(d.consumer_sequence.to_string()),
            Cell::from(
                Line::from(Span::styled(d.delivered.to_string(), redelivered)).right_aligned(),
            ),
            Cell::from(truncate(&r.subject, 40)),
            right(fmt_age(app.now, Some(d.published))),
            right(deadline),
            Cell::from(Span::styled(text, Style::new().fg(color))),
            Cell::from(truncate(&r.first_line(), 200)),
        ],
        Style::new(),
    )
}

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let Some(a) = app.current() else {
        return;
    };
    let mode = match a.mode {
        Mode::Manual => format!(
            "manual · batch {} · {} held",
            a.batch_size,
            a.held().count()
        ),
        Mode::Auto if a.fail_every > 0 => {
            format!("auto · fail every {} · {} handled", a.fail_every, a.handled)
        }
        Mode::Auto => format!("auto · {} handled", a.handled),
    };
    let title = Line::from(vec![
        Span::raw(format!(
            " Messages [{}/{}] ",
            app.selected_attached + 1,
            app.attached.len()
        )),
        Span::styled(a.label(), Style::new().fg(theme::get().accent)),
        Span::raw(format!(
            " {} · ack wait {} · {mode} ",
            if a.filter.is_empty() {
                ">".to_string()
            } else {
                a.filter.clone()
            },
            fmt_duration(a.ack_wait)
        )),
    ]);
    let block = pane_block(title, focused(app, Pane::Messages));
    if a.rows.is_empty() {
        let text = match (a.mode, a.pulling) {
            (Mode::Manual, true) => "Pulling…".to_string(),
            (Mode::Manual, false) => format!(
                "Nothing held. f pulls up to {} messages; nothing is settled until you press a (ack), n (nak), N (nak later), t (term). m switches to auto.",
                a.batch_size
            ),
            (Mode::Auto, _) => {
                "Waiting for messages; each is acked as it arrives (F sets a failure ratio)."
                    .to_string()
            }
        };
        empty_pane(frame, area, block, text);
        return;
    }
    draw_table(
        frame,
        area,
        block,
        &COLUMNS,
        a.rows.len(),
        Some(a.selected),
        |i| row(app, a, &a.rows[i]),
    );
}
