//! The dead-letters view and the previews of what its operations will do.

use super::right;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Clear, Paragraph, Wrap};

use super::events::clock;
use super::theme;
use super::{Column, col, draw_table, fmt_bytes, pane_block, truncate};
use crate::console::app::{App, DeadLetterOp, DeadLetterPlan};
use crate::console::overlays::deadletters::DeadLettersState;
use crate::deadletters::{
    CAPTURE_STREAM, DEFAULT_CAPTURE_MAX_AGE, DEFAULT_CAPTURE_MAX_BYTES, DeadLetter,
};

const COLUMNS: [Column; 9] = [
    col("", 1, 100),
    col("Stream", 8, 90),
    col("Seq", 6, 100),
    col("Subject", 18, 80),
    col("Consumer", 14, 85),
    col("Dlv", 3, 70),
    col("Cause", 20, 82),
    col("When", 8, 60),
    col("Original", 11, 95),
];

fn row(app: &App, state: &DeadLettersState, letter: &DeadLetter) -> (Vec<Cell<'static>>, Style) {
    let mark = if state.marked.contains(&letter.target()) {
        "●"
    } else {
        " "
    };
    let kept = app.held_log.kept(&letter.stream, letter.sequence);
    let subject = letter
        .subject()
        .or(kept.map(|m| m.subject.as_str()))
        .unwrap_or("-");
    let original = if letter.in_stream() {
        Span::raw("in stream")
    } else if kept.is_some() {
        Span::styled("gone (kept)", Style::new().fg(theme::get().warning))
    } else {
        Span::styled("gone", Style::new().fg(theme::get().muted))
    };
    let cells = vec![
        Cell::from(Span::styled(mark, Style::new().fg(theme::get().warning))),
        Cell::from(truncate(&letter.stream, 40)),
        right(letter.sequence.to_string()),
        Cell::from(truncate(subject, 60)),
        Cell::from(truncate(&letter.consumer, 40)),
        right(letter.deliveries.to_string()),
        Cell::from(truncate(&letter.cause.describe(), 60)),
        Cell::from(clock(letter.time)),
        Cell::from(original),
    ];
    (cells, Style::new())
}

/// The line above the list: where the list comes from, and the capture-stream offer.
fn source_line(state: &DeadLettersState) -> Line<'static> {
    match state.capture {
        Some(true) => Line::from(vec![
            Span::styled("● ", Style::new().fg(theme::get().ok)),
            Span::raw(format!(
                "capture stream {CAPTURE_STREAM} records dead letters, also while jetdeck is closed"
            )),
        ]),
        Some(false) => Line::from(vec![
            Span::styled("! ", Style::new().fg(theme::get().warning)),
            Span::raw("no capture stream: listing only what jetdeck saw while running · "),
            Span::styled("c", Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(format!(" creates {CAPTURE_STREAM} ({})", capture_limits())),
        ]),
        None => Line::raw("checking for the capture stream…"),
    }
}

pub fn render(frame: &mut Frame, app: &App, state: &DeadLettersState, area: Rect) {
    let area = super::centered(area, 96, 90);
    frame.render_widget(Clear, area);
    let [top, list] = Layout::vertical([Constraint::Length(4), Constraint::Min(3)]).areas(area);
    let whose = match (&state.filter.stream, &state.filter.consumer) {
        (Some(s), Some(c)) => format!("of {s}/{c}"),
        _ => "of every consumer".to_string(),
    };
    let mut info = vec![source_line(state)];
    if let Some((done, total)) = state.progress {
        info[0] = Line::raw(format!("working: {done} of {total} done…"));
    }
    if let Some(letter) = state.letters.get(state.selected)
        && !letter.in_stream()
        && app.held_log.kept(&letter.stream, letter.sequence).is_some()
    {
        info.push(Line::styled(
            format!(
                "{}: gone (body kept by jetdeck, which termed it): r retries and m moves from that copy",
                letter.target()
            ),
            Style::new().fg(theme::get().warning),
        ));
    }
    frame.render_widget(
        Paragraph::new(info)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().border_style(Style::new().fg(theme::get().accent))),
        top,
    );
    let marked = if state.marked.is_empty() {
        String::new()
    } else {
        format!(" · {} marked", state.marked.len())
    };
    let title = Line::from(format!(
        " Dead letters {whose} ({}){marked} · max deliveries or terminated ",
        state.letters.len()
    ));
    let block = pane_block(title, true).title_bottom(
        " Space mark · r retry · m move · x discard · e export · Enter open · Esc close ",
    );
    if let Some(e) = &state.error {
        let text = Span::styled(e.clone(), Style::new().fg(theme::get().problem));
        frame.render_widget(Paragraph::new(text).block(block), list);
        return;
    }
    if state.letters.is_empty() {
        let text = if state.loading {
            "Reading…"
        } else {
            "No dead letters: no message has hit its max deliveries or been terminated."
        };
        frame.render_widget(Paragraph::new(text).block(block), list);
        return;
    }
    draw_table(
        frame,
        list,
        block,
        &COLUMNS,
        state.letters.len(),
        Some(state.selected),
        |i| row(app, state, &state.letters[i]),
    );
}

/// What an operation will do, in words.
fn explain(op: &DeadLetterOp) -> String {
    match op {
        DeadLetterOp::Retry => "Each is published again to its own subject, with Jetdeck-Retry-* headers and a Nats-Msg-Id (a repeat is de-duplicated); the original is deleted only after the copy's PubAck.".into(),
        DeadLetterOp::Move { to } => format!("Each is published to {to} (a stream must listen there), with Jetdeck-Retry-* headers; the original is deleted only after the copy's PubAck."),
        DeadLetterOp::Discard => "Each original is deleted from its stream, for good.".into(),
        DeadLetterOp::Export { path } => format!("Written as JSON Lines to {path} (created or replaced); nothing changes on the server."),
    }
}

/// How many of the previewed letters are named one by one.
const NAMED: usize = 5;

fn keys_line(yes: &str) -> Line<'static> {
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
        Span::raw(" / Esc cancel"),
    ])
}

pub fn render_confirm(frame: &mut Frame, plan: &DeadLetterPlan, area: Rect) {
    let n = plan.letters.len();
    let noun = if n == 1 {
        "dead letter"
    } else {
        "dead letters"
    };
    let verb = plan.op.verb();
    let mut lines = vec![
        Line::from(Span::styled(
            format!(" {}{} {n} {noun}?", verb[..1].to_uppercase(), &verb[1..]),
            Style::new().add_modifier(Modifier::BOLD),
        )),
        Line::raw(format!(" {}", explain(&plan.op))),
        Line::raw(""),
    ];
    for letter in plan.letters.iter().take(NAMED) {
        let kept = plan
            .kept
            .iter()
            .find(|m| m.stream == letter.stream && m.sequence == letter.sequence);
        let subject = match (letter.subject(), kept) {
            (Some(s), _) => s.to_string(),
            (None, Some(m)) => format!("{} (gone: from the body jetdeck kept)", m.subject),
            (None, None) => "(gone from stream)".to_string(),
        };
        lines.push(Line::raw(format!(
            "   {} · {subject} · {} · {}",
            letter.target(),
            letter.consumer,
            letter.cause.describe()
        )));
    }
    if n > NAMED {
        lines.push(Line::raw(format!("   … and {} more", n - NAMED)));
    }
    lines.push(Line::raw(""));
    lines.push(keys_line(&format!("{verb} {n}")));
    draw_dialog(frame, area, lines, " Dead letters ");
}

pub fn render_capture_offer(frame: &mut Frame, area: Rect) {
    let lines = vec![
        Line::from(Span::styled(
            format!(" Create the capture stream {CAPTURE_STREAM}?"),
            Style::new().add_modifier(Modifier::BOLD),
        )),
        Line::raw(
            " It records the MAX_DELIVERIES, MSG_TERMINATED and MSG_NAKED advisories, so that dead letters and timelines include what happened while jetdeck was closed.",
        ),
        Line::raw(""),
        Line::raw(format!(
            "   limits  {} (oldest dropped first)",
            capture_limits()
        )),
        Line::raw("   other limits: jetdeck dead-letters capture --max-bytes --max-age"),
        Line::raw(""),
        keys_line("create"),
    ];
    draw_dialog(frame, area, lines, " Capture stream ");
}

fn draw_dialog(frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>, title: &str) {
    let c = super::centered(area, 70, 100);
    // Wrapped lines take more rows: count them so the keys line is never cut off.
    let inner = c.width.saturating_sub(2).max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let height = (rows as u16 + 2).min(area.height);
    let rect = Rect {
        y: area.y + (area.height - height) / 2,
        height,
        ..c
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(title.to_string())
                .border_style(Style::new().fg(theme::get().problem)),
        ),
        rect,
    );
}

/// `64.0 MiB, 7 days`: the capture stream's default limits.
fn capture_limits() -> String {
    format!(
        "{}, {} days",
        fmt_bytes(DEFAULT_CAPTURE_MAX_BYTES as u64),
        DEFAULT_CAPTURE_MAX_AGE.as_secs() / 86_400
    )
}
