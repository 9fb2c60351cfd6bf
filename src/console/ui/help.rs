//! The help overlay: every key.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::centered;
use crate::console::app::App;

/// Every key the console answers, as the help overlay and README list them.
pub const KEYS: [(&str, &str); 30] = [
    ("Tab / Shift-Tab", "next / previous pane"),
    ("↑ ↓  or  j k", "move the selection"),
    ("PgUp PgDn", "move by ten"),
    ("g / G  (Home / End)", "first / last"),
    ("Enter", "details of the selected stream or consumer"),
    ("/", "filter the focused list by name"),
    ("Esc", "clear the filter, close an overlay"),
    (
        "p",
        "publish (form: subject, headers, body, count; Ctrl-T template)",
    ),
    (
        "b  on a stream",
        "browse its messages by sequence, consuming nothing",
    ),
    ("s  on a consumer", "attach a pull subscription (manual)"),
    ("S", "attach by topic and queue"),
    ("d  on a consumer", "delete it (asks first)"),
    ("f  in messages", "pull the next batch (B sets its size)"),
    ("a / n", "ack / nak the selected message"),
    ("N", "nak, redeliver after a delay you type"),
    ("t", "term, with an optional reason"),
    ("w", "in progress: restart the ack-wait clock"),
    ("m", "manual / auto (auto acks as messages arrive)"),
    ("F", "auto: fail every Nth message"),
    ("x", "detach (the consumer stays; held messages nak'd)"),
    ("[ / ]", "previous / next attached subscription"),
    ("Enter  in messages", "open the message"),
    (
        "n p : g G  in browse",
        "page, jump to a sequence, first / last",
    ),
    ("y / n", "confirm / refuse a delete"),
    ("↑ ↓ in details", "scroll"),
    ("?", "this help"),
    ("q", "quit"),
    ("Ctrl-C", "quit, from anywhere"),
    ("colours", "yellow consumer: ack pending rising"),
    ("", "red consumer: redelivering"),
];

pub fn render(frame: &mut Frame, app: &App, scroll: u16, area: Rect) {
    let area = centered(area, 80, 96);
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
        Paragraph::new(lines).scroll((scroll, 0)).block(
            Block::bordered()
                .title(" Keys ")
                .title_bottom(" ↑↓ scroll · Esc close ")
                .border_style(Style::new().fg(Color::Cyan)),
        ),
        area,
    );
}
