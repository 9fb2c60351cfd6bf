//! The header: where jetdeck is connected, in what state, and JetStream's usage.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::theme;
use super::{fmt_bytes, fmt_count, truncate};
use crate::broker::ConnectionState;
use crate::console::app::App;

/// Rows the header needs (its lines and a bottom rule).
pub fn height(app: &App) -> u16 {
    2 + u16::from(app.session.embedded.is_some()) + 1
}

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let mut lines = vec![where_line(app), usage_line(app)];
    if let Some(embedded) = &app.session.embedded {
        lines.push(Line::from(vec![
            Span::styled(" embedded ", Style::new().fg(theme::get().special)),
            Span::raw(format!(
                " private nats-server, stopped on exit · data {} · server log {}",
                embedded.store_dir.display(),
                embedded.log_file.display()
            )),
        ]));
    }
    let block = Block::new()
        .borders(Borders::BOTTOM)
        .border_style(Style::new().fg(theme::get().border));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The API subjects the server refused to this user: a permission, not a slow server.
fn denied(app: &App) -> Option<Span<'static>> {
    (!app.denied.is_empty()).then(|| {
        Span::styled(
            format!(
                "  permission denied for this user: {}",
                app.denied.join(", ")
            ),
            Style::new().fg(theme::get().warning),
        )
    })
}

/// Where jetdeck is connected and in what state.
fn where_line(app: &App) -> Line<'static> {
    let c = &app.connection;
    let (symbol, color) = match (c.state, app.silent_for()) {
        (ConnectionState::Connected, Some(silent)) => (
            format!("● connected, not answering for {}s", silent.as_secs()),
            theme::get().warning,
        ),
        (ConnectionState::Connected, None) => ("● connected".to_string(), theme::get().ok),
        (ConnectionState::Reconnecting, _) => ("◌ reconnecting".to_string(), theme::get().warning),
        (ConnectionState::NotConnected | ConnectionState::Closed, _) => {
            ("○ disconnected".to_string(), theme::get().danger)
        }
    };
    let mut first = vec![
        Span::styled(" jetdeck ", theme::get().badge(theme::get().accent)),
        Span::raw(" "),
    ];
    // First after the name, so it shows on the narrowest terminal.
    if app.session.read_only {
        first.push(Span::styled(
            " READ-ONLY ",
            theme::get().badge(theme::get().warning),
        ));
        first.push(Span::raw(" "));
    }
    first.extend([
        Span::styled(symbol, Style::new().fg(color).add_modifier(Modifier::BOLD)),
        Span::raw("  "),
        Span::raw(app.session.servers.clone()),
    ]);
    if let Some(context) = &app.session.context {
        first.push(Span::styled(
            format!("  context {context}"),
            Style::new().fg(theme::get().special),
        ));
    }
    if let Some(name) = &app.on_server {
        first.push(Span::styled(
            format!("  config server {name}"),
            Style::new().fg(theme::get().special),
        ));
    }
    if let Some(url) = &c.connected_url {
        first.push(Span::styled(
            format!(" (on {url})"),
            Style::new().fg(theme::get().label),
        ));
    }
    if let Some(name) = &c.server_name {
        first.push(Span::raw("  server "));
        // An unnamed server reports its 56-character ID as its name.
        first.push(Span::styled(truncate(name, 24), Style::new().bold()));
    }
    if let Some(version) = &c.version {
        first.push(Span::raw(format!(" v{version}")));
    }

    Line::from(first)
}

/// JetStream's usage, or the last error, or what this user may not see.
fn usage_line(app: &App) -> Line<'static> {
    let c = &app.connection;
    match (&c.last_error, &app.account) {
        (Some(error), _) => Line::from(Span::styled(
            format!(" last error: {error}"),
            Style::new().fg(theme::get().danger),
        )),
        (None, Some(a)) => {
            let mut spans = vec![
                Span::styled(" JetStream ", Style::new().fg(theme::get().accent)),
                Span::raw(format!(
                    " memory {}  storage {}  streams {}  consumers {}  API {} ({} errors)",
                    fmt_bytes(a.memory),
                    fmt_bytes(a.storage),
                    fmt_count(a.streams as u64),
                    fmt_count(a.consumers as u64),
                    fmt_count(a.api_total),
                    fmt_count(a.api_errors),
                )),
            ];
            spans.extend(denied(app));
            Line::from(spans)
        }
        (None, None) if !app.denied.is_empty() => Line::from(
            [Span::styled(
                " JetStream ",
                Style::new().fg(theme::get().accent),
            )]
            .into_iter()
            .chain(denied(app))
            .collect::<Vec<_>>(),
        ),
        (None, None) => Line::from(Span::styled(
            " waiting for the first refresh…",
            Style::new().fg(theme::get().label),
        )),
    }
}
