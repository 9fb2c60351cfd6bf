//! The help overlay: every key, from the key table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::centered;
use super::theme;
use crate::console::app::App;
use crate::console::keys::KeyMap;

/// What the colours mean, after the keys.
const LEGEND: [(&str, &str); 2] = [
    ("colours", "yellow consumer: ack pending rising"),
    ("", "red consumer: redelivering"),
];

/// Every line the help overlay lists: the help lines of the bindings in effect, then
/// the legend.
pub fn entries(keys: &KeyMap) -> Vec<(String, &'static str)> {
    keys.help_lines()
        .into_iter()
        .map(|h| (h.label, h.text))
        .chain(LEGEND.map(|(k, what)| (k.to_string(), what)))
        .collect()
}

pub fn render(frame: &mut Frame, app: &App, scroll: u16, area: Rect) {
    let area = centered(area, 80, 96);
    let entries = entries(&app.keys);
    // The keys' column as wide as its longest label, so none runs into its text.
    let width = entries
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let mut lines: Vec<Line> = entries
        .into_iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(
                    format!(" {k:<width$}"),
                    Style::new().bold().fg(theme::get().accent),
                ),
                Span::raw(what),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    if app.keys.rebound() > 0 {
        lines.push(Line::from(Span::styled(
            format!(
                " Keys as the configuration file rebinds them ({} rebound)",
                app.keys.rebound()
            ),
            Style::new().fg(theme::get().label),
        )));
    }
    lines.push(Line::from(Span::styled(
        format!(" Logs go to {}", app.session.log_file.display()),
        Style::new().fg(theme::get().label),
    )));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).scroll((scroll, 0)).block(
            Block::bordered()
                .title(" Keys ")
                .title_bottom(" ↑↓ scroll · Esc close ")
                .border_style(Style::new().fg(theme::get().accent)),
        ),
        area,
    );
}
