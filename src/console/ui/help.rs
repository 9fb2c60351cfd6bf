//! The help overlay: every key.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::centered;
use crate::console::app::App;

/// Every key the console answers, as the help overlay and README list them.
pub const KEYS: [(&str, &str); 13] = [
    ("Tab / Shift-Tab", "next / previous pane"),
    ("↑ ↓  or  j k", "move the selection"),
    ("PgUp PgDn", "move by ten"),
    ("g / G  (Home / End)", "first / last"),
    ("Enter", "details of the selected stream or consumer"),
    ("/", "filter the focused list by name"),
    ("Esc", "clear the filter, close an overlay"),
    ("↑ ↓ in details", "scroll"),
    ("?", "this help"),
    ("q", "quit"),
    ("Ctrl-C", "quit, from anywhere"),
    ("colours", "yellow consumer: ack pending rising"),
    ("", "red consumer: redelivering"),
];

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let area = centered(area, 70, 80);
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<22}"), Style::new().bold().fg(Color::Cyan)),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        format!(" Logs go to {}", app.session.log_file.display()),
        Style::new().fg(Color::Gray),
    )));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(" Keys ")
                .border_style(Style::new().fg(Color::Cyan)),
        ),
        area,
    );
}
