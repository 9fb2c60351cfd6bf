//! The one-line key hint bar, always visible, with the log file's path. The hints come
//! from the key table, for the place keys go now.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::console::app::{App, Pane};
use crate::console::keys::Place;

fn key(k: String, what: &'static str) -> [Span<'static>; 2] {
    [
        Span::styled(k, Style::new().bold().fg(theme::get().accent)),
        Span::raw(format!(" {what}  ")),
    ]
}

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let mut spans: Vec<Span> = Vec::new();
    let place = app.place();
    if place == Place::Filter {
        let filter = match app.focus {
            Pane::Consumers => &app.consumer_filter,
            _ => &app.stream_filter,
        };
        spans.push(Span::styled(
            "filter: ",
            Style::new().fg(theme::get().warning),
        ));
        spans.push(Span::raw(format!("{}▏  ", filter.text())));
    }
    for hint in app.keys.hints(place) {
        spans.extend(key(hint.label, hint.text));
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
            Style::new().fg(theme::get().muted),
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
        Style::new().fg(theme::get().problem)
    } else {
        Style::new().fg(theme::get().ok)
    };
    frame.render_widget(
        Paragraph::new(Span::styled(format!(" {}", status.text), style)),
        area,
    );
}
