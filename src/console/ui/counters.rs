//! The counters pane: the broker's own counters and server-side totals.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use super::{fmt_age, fmt_bytes, fmt_count, pane_block};
use crate::console::app::App;

fn counter(label: &'static str, value: String, width: usize, alert: bool) -> Line<'static> {
    let style = if alert {
        Style::new().fg(theme::get().problem).bold()
    } else {
        Style::new().bold()
    };
    let pad = width.saturating_sub(label.len() + value.chars().count() + 1);
    Line::from(vec![
        // `!` in the margin says it without colour.
        Span::styled(format!("{}{label}", if alert { '!' } else { ' ' }), style),
        Span::raw(" ".repeat(pad)),
        Span::styled(value, style),
    ])
}

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let w = area.width.saturating_sub(3) as usize;
    let m = &app.metrics;
    let heading =
        |text: &'static str| Line::from(Span::styled(text, Style::new().fg(theme::get().accent)));
    let messages: u64 = app.streams.iter().map(|s| s.info.state.messages).sum();
    // The account's own total when known: exact whatever was read this refresh.
    let bytes = match &app.account {
        Some(a) => a.memory + a.storage,
        None => app.streams.iter().map(|s| s.info.state.bytes).sum(),
    };
    // A large account's streams are not all read each refresh: the sum of those that
    // were is a floor, and says so.
    let messages = if app.streams_complete {
        fmt_count(messages)
    } else {
        format!("≥{}", fmt_count(messages))
    };
    let mut lines = vec![
        heading(" Broker"),
        counter("published", fmt_count(m.published), w, false),
        counter("consumed", fmt_count(m.consumed), w, false),
        counter(
            "handler errors",
            fmt_count(m.handler_errors),
            w,
            m.handler_errors > 0,
        ),
        counter(
            "handler panics",
            fmt_count(m.handler_panics),
            w,
            m.handler_panics > 0,
        ),
        counter(
            "fetch errors",
            fmt_count(m.fetch_errors),
            w,
            m.fetch_errors > 0,
        ),
        counter("subscriptions", fmt_count(m.active_subscriptions), w, false),
        heading(" Server"),
        counter("messages", messages, w, false),
        counter("bytes", fmt_bytes(bytes), w, false),
    ];
    if let Some(a) = &app.account {
        lines.push(counter("API requests", fmt_count(a.api_total), w, false));
        lines.push(counter(
            "API errors",
            fmt_count(a.api_errors),
            w,
            a.api_errors > 0,
        ));
    }
    // How fresh the numbers are, and what the last refresh cost the server.
    let title = match app.last_refresh {
        Some(at) => format!(
            " Counters · {} ago, {} req ",
            fmt_age(app.now, Some(at)),
            app.last_requests
        ),
        None => " Counters ".to_string(),
    };
    let block = pane_block(Line::from(title), false);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
