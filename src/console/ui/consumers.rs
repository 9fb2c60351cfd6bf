//! The consumers pane: the selected stream's durable consumers; one whose ack pending or
//! redeliveries are climbing stands out.

use super::right;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Cell;

use super::theme;
use super::{
    Column, NAME_MAX, col, draw_table, empty_pane, fmt_age, fmt_count, fmt_duration, fmt_rate,
    focused, name_width, pane_block, truncate,
};
use crate::console::app::{App, Pane};
use crate::console::model::{ConsumerAlert, ConsumerView};
use crate::diagnosis::Severity;

/// The columns, the name as wide as the longest name (within reason).
fn columns(name_width: u16) -> [Column; 16] {
    [
        col("Name", name_width, 100),
        col("Filter", 16, 60),
        col("Ack", 8, 20),
        col("AckWait", 7, 30),
        col("MaxDel", 6, 25),
        col("Pending", 8, 95),
        col("AckPend", 7, 94),
        col("Redeliv", 7, 93),
        col("Waiting", 7, 45),
        // Sequences: the first to go when the diagnosis needs the room.
        col("Deliv", 7, 24),
        col("AckFlr", 7, 23),
        col("Active", 6, 40),
        col("Deliv/s", 7, 70),
        col("Ack/s", 7, 69),
        // The diagnosis in a word outranks the counts behind it on a narrow screen.
        col("Health", 13, 96),
        col("", 0, 200),
    ]
}

fn row(app: &App, c: &ConsumerView) -> Vec<Cell<'static>> {
    let i = &c.info;
    let filters = crate::broker::consumer_filters(&i.config);
    let filter = if filters.is_empty() {
        ">".to_string()
    } else {
        filters.join(", ")
    };
    let max_deliver = if i.config.max_deliver <= 0 {
        "∞".to_string()
    } else {
        i.config.max_deliver.to_string()
    };
    let last_active = i.delivered.last_active.map(std::time::SystemTime::from);
    vec![
        Cell::from(truncate(c.name(), NAME_MAX)),
        Cell::from(truncate(&filter, 40)),
        Cell::from(format!("{:?}", i.config.ack_policy)),
        Cell::from(fmt_duration(i.config.ack_wait)),
        right(max_deliver),
        right(fmt_count(i.num_pending)),
        right(rising(
            fmt_count(i.num_ack_pending as u64),
            c.alert == ConsumerAlert::AckPendingRising,
        )),
        right(rising(
            fmt_count(i.num_redelivered as u64),
            c.alert == ConsumerAlert::Redelivering,
        )),
        right(fmt_count(i.num_waiting as u64)),
        right(i.delivered.stream_sequence.to_string()),
        right(i.ack_floor.stream_sequence.to_string()),
        right(fmt_age(app.now, last_active)),
        right(fmt_rate(c.delivered_rate)),
        right(fmt_rate(c.acked_rate)),
        health(app, c),
        Cell::from(""),
    ]
}

/// The diagnosis's word for the consumer: `ok` when healthy, coloured by how bad. A row
/// coloured for climbing redeliveries or ack pending says so here when the diagnosis has
/// nothing worse to say, so the colour is never the only sign.
fn health(app: &App, c: &ConsumerView) -> Cell<'static> {
    let stream = c.info.stream_name.as_str();
    let marker = app.diagnoses.marker(stream, c.name());
    let says_little = matches!(
        marker,
        None | Some(("healthy", _)) | Some((_, Severity::Info))
    );
    if says_little && let Some(word) = alert_word(c.alert) {
        return Cell::from(Span::styled(word, alert_style(c.alert)));
    }
    match marker {
        None => Cell::from(""),
        Some(("healthy", _)) => Cell::from(Span::styled("ok", Style::new().fg(theme::get().ok))),
        Some((word, Severity::Info)) => Cell::from(word),
        Some((word, Severity::Warning)) => {
            Cell::from(Span::styled(word, Style::new().fg(theme::get().warning)))
        }
        Some((word, Severity::Problem)) => Cell::from(Span::styled(
            word,
            Style::new()
                .fg(theme::get().problem)
                .add_modifier(Modifier::BOLD),
        )),
    }
}

fn alert_word(alert: ConsumerAlert) -> Option<&'static str> {
    match alert {
        ConsumerAlert::None => None,
        ConsumerAlert::AckPendingRising => Some("acks rising"),
        ConsumerAlert::Redelivering => Some("redelivering"),
    }
}

/// A count that is climbing, marked with an arrow as well as the row's colour.
fn rising(count: String, rising: bool) -> String {
    if rising { format!("{count}↑") } else { count }
}

fn alert_style(alert: ConsumerAlert) -> Style {
    match alert {
        ConsumerAlert::None => Style::new(),
        ConsumerAlert::AckPendingRising => Style::new().fg(theme::get().warning),
        ConsumerAlert::Redelivering => Style::new().fg(theme::get().problem),
    }
}

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let visible = app.visible_consumers();
    let stream = app.selected_stream.as_deref();
    let mut title = vec![Span::raw(match stream {
        Some(s) => format!(" Consumers of {s} ({}) ", visible.len()),
        None => " Consumers ".to_string(),
    })];
    let filter = app.consumer_filter.text();
    if !filter.is_empty() {
        title.push(Span::styled(
            format!("/{filter} "),
            Style::new().fg(theme::get().warning),
        ));
    }
    let redelivering = visible
        .iter()
        .filter(|c| c.alert == ConsumerAlert::Redelivering)
        .count();
    if redelivering > 0 {
        title.push(Span::styled(
            format!("{redelivering} redelivering "),
            Style::new().fg(theme::get().problem),
        ));
    }
    let block = pane_block(Line::from(title), focused(app, Pane::Consumers));
    if visible.is_empty() {
        let loading = stream.is_some() && app.consumers.stream.as_deref() != stream;
        let text = match stream {
            None => "Select a stream to see its consumers.",
            Some(_) if loading => "Loading consumers…",
            Some(_) if !filter.is_empty() => "No consumer matches the filter. Esc clears it.",
            Some(_) => "No consumers on this stream.",
        };
        empty_pane(frame, area, block, text.to_string());
        return;
    }
    let name_width = name_width(visible.iter().map(|c| c.name()));
    draw_table(
        frame,
        area,
        block,
        &columns(name_width),
        visible.len(),
        app.consumer_index(),
        |i| (row(app, visible[i]), alert_style(visible[i].alert)),
    );
}
