//! The one-line key hint bar, always visible, with the log file's path.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
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
    } else if matches!(
        app.overlay,
        Some(Overlay::Publish(_) | Overlay::AttachForm(_) | Overlay::Prompt(_))
    ) {
        spans.extend(key("Enter", "confirm"));
        spans.extend(key("Tab", "next field"));
        spans.extend(key("Esc", "cancel"));
    } else if matches!(app.overlay, Some(Overlay::ConfirmDelete { .. })) {
        spans.extend(key("y", "delete"));
        spans.extend(key("n", "keep"));
    } else if matches!(app.overlay, Some(Overlay::ConfirmCreateStream(_))) {
        spans.extend(key("y", "create"));
        spans.extend(key("n", "cancel"));
    } else if matches!(app.overlay, Some(Overlay::Browse(_))) {
        spans.extend(key("n/p", "page"));
        spans.extend(key(":", "jump"));
        spans.extend(key("Enter", "open"));
        spans.extend(key("Esc", "close"));
    } else if app.overlay.is_some() {
        spans.extend(key("↑↓", "scroll"));
        spans.extend(key("Esc", "close"));
        spans.extend(key("q", "quit"));
    } else {
        spans.extend(key("q", "quit"));
        spans.extend(key("?", "help"));
        spans.extend(key("Tab", "pane"));
        match app.focus {
            Pane::Streams => {
                spans.extend(key("Enter", "details"));
                spans.extend(key("b", "browse"));
                spans.extend(key("p", "publish"));
                spans.extend(key("/", "filter"));
            }
            Pane::Consumers => {
                spans.extend(key("Enter", "details"));
                spans.extend(key("s", "attach"));
                spans.extend(key("d", "delete"));
                spans.extend(key("S", "attach by topic"));
                spans.extend(key("/", "filter"));
            }
            Pane::Messages => {
                spans.extend(key("f", "pull"));
                spans.extend(key("a", "ack"));
                spans.extend(key("n", "nak"));
                spans.extend(key("N", "nak later"));
                spans.extend(key("t", "term"));
                spans.extend(key("w", "progress"));
                spans.extend(key("m", "mode"));
                spans.extend(key("x", "detach"));
            }
            Pane::Events => {
                spans.extend(key("p", "publish"));
            }
        }
    }
    // The log path keeps its place on the right; the hints give way on a narrow screen.
    let log = format!(" log: {}", app.session.log_file.display());
    let log_width = (log.chars().count() as u16).min(area.width.saturating_sub(24));
    let [hints_area, log_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(log_width)]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(spans)), hints_area);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            log,
            Style::new().fg(Color::DarkGray),
        )))
        .right_aligned(),
        log_area,
    );
}

/// The result of the operator's last action.
pub fn render_status(frame: &mut Frame, app: &App, area: Rect) {
    let Some(status) = &app.status else {
        return;
    };
    let style = if status.error {
        Style::new().fg(Color::LightRed)
    } else {
        Style::new().fg(Color::Green)
    };
    frame.render_widget(
        Paragraph::new(Span::styled(format!(" {}", status.text), style)),
        area,
    );
}
