//! The one-line key hint bar, always visible, with the log file's path.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::console::app::{App, Overlay, Pane};

fn key(k: &'static str, what: &'static str) -> [Span<'static>; 2] {
    [
        Span::styled(k, Style::new().bold().fg(Color::Cyan)),
        Span::raw(format!(" {what}  ")),
    ]
}

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let mut spans: Vec<Span> = Vec::new();
    if app.editing_filter() {
        let filter = match app.focus {
            Pane::Consumers => &app.consumer_filter,
            _ => &app.stream_filter,
        };
        spans.push(Span::styled("filter: ", Style::new().fg(Color::Yellow)));
        spans.push(Span::raw(format!("{}▏  ", filter.text())));
        spans.extend(key("Enter", "apply"));
        spans.extend(key("Esc", "clear"));
    } else if matches!(app.overlay, Some(Overlay::Help)) {
        spans.extend(key("Esc", "close"));
        spans.extend(key("q", "quit"));
    } else if app.overlay.is_some() {
        spans.extend(key("↑↓", "scroll"));
        spans.extend(key("Esc", "close"));
        spans.extend(key("q", "quit"));
    } else {
        spans.extend(key("q", "quit"));
        spans.extend(key("?", "help"));
        spans.extend(key("Tab", "pane"));
        spans.extend(key("↑↓", "move"));
        spans.extend(key("Enter", "details"));
        spans.extend(key("/", "filter"));
    }
    spans.push(Span::styled(
        format!("log: {}", app.session.log_file.display()),
        Style::new().fg(Color::DarkGray),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
