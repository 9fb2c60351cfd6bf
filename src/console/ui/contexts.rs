//! The context switcher (`X`): the natscli contexts and the configured servers, the
//! active one marked; and the line that shows the `nats` command equivalent to a preview.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{centered, pane_block, theme};
use crate::console::overlays::contexts::{ContextsState, Row};

pub fn render(frame: &mut Frame, state: &ContextsState, area: Rect) {
    let area = centered(area, 60, 50);
    let block = pane_block(Line::from(" Switch context or server "), true)
        .title_bottom(" Enter reconnect (attached subscriptions are detached) · Esc close ");
    frame.render_widget(Clear, area);
    if state.is_empty() {
        let text = "No natscli contexts (add one with `nats context add NAME --server URL`) \
                    and no [servers] in jetdeck's configuration file.";
        let note = Paragraph::new(Span::styled(text, Style::new().fg(theme::get().label)))
            .wrap(ratatui::widgets::Wrap { trim: true });
        frame.render_widget(note.block(block), area);
        return;
    }
    let lines: Vec<Line> = (0..state.len())
        .filter_map(|i| Some((i, state.row(i)?)))
        .map(|(i, row)| {
            let mut spans = vec![Span::raw(if i == state.cursor { "▶ " } else { "  " })];
            let active = state.is_active(i).then(|| {
                Span::styled(
                    "  (active: connected now)",
                    Style::new().add_modifier(Modifier::BOLD),
                )
            });
            match row {
                Row::Start(shown) => {
                    spans.extend([
                        Span::styled("start ", Style::new().fg(theme::get().special)),
                        Span::styled(shown.to_string(), Style::new().fg(theme::get().label)),
                    ]);
                    spans.extend(active);
                }
                Row::Context(name) => {
                    spans.push(Span::raw(name.to_string()));
                    spans.extend(active);
                    if state.selected_by_nats.as_deref() == Some(name) {
                        spans.push(Span::styled(
                            "  (nats default)",
                            Style::new().fg(theme::get().label),
                        ));
                    }
                }
                // Told apart from a context of the same name by the tag and the URL.
                Row::Server(server) => {
                    spans.extend([
                        Span::styled("server ", Style::new().fg(theme::get().special)),
                        Span::raw(server.name.clone()),
                        Span::styled(
                            format!("  {}", server.url.shown()),
                            Style::new().fg(theme::get().label),
                        ),
                    ]);
                    spans.extend(active);
                }
            }
            let line = Line::from(spans);
            if i == state.cursor {
                line.style(Style::new().add_modifier(Modifier::REVERSED))
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// Screens shorter than this do not show the `nats` line.
const MIN_HEIGHT: u16 = 30;

/// The `nats` command equivalent to what the top overlay previews, on the line above the
/// hint bar (`Y` copies it where nothing is typed).
pub fn render_nats_equivalent(
    frame: &mut Frame,
    top: &crate::console::overlays::Overlay,
    area: Rect,
) {
    use crate::console::overlays::nats_equivalent;
    let Some(equivalent) = nats_equivalent::of(top).filter(|_| nats_equivalent::drawn(top)) else {
        return;
    };
    // On a small screen the overlays reach that line: their own hints win there (`Y`
    // still copies).
    if area.height < MIN_HEIGHT {
        return;
    }
    let line_area = Rect::new(area.x, area.y + area.height - 2, area.width, 1);
    let mut spans = vec![
        Span::styled(" nats ≡ ", theme::get().badge(theme::get().accent)),
        Span::raw(" "),
        Span::styled(
            equivalent.command,
            Style::new().add_modifier(Modifier::BOLD),
        ),
    ];
    if let Some(caveat) = equivalent.caveat {
        spans.push(Span::styled(
            format!("  ({caveat})"),
            Style::new().fg(theme::get().label),
        ));
    }
    frame.render_widget(Clear, line_area);
    frame.render_widget(Paragraph::new(Line::from(spans)), line_area);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use crate::console::fixtures::demo_app;
    use crate::console::overlays::Overlay;
    use crate::console::overlays::contexts::{ContextsState, Row};

    fn server(name: &str, url: &str) -> crate::config::ConfiguredServer {
        crate::config::ConfiguredServer {
            name: name.into(),
            url: crate::config::ServerUrl::new(url).expect("a good URL"),
            creds: None,
            nkey: None,
            line: 1,
        }
    }

    fn drawn(app: &crate::console::app::App) -> String {
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
        terminal
            .draw(|frame| super::super::render(frame, app))
            .expect("draw");
        terminal.backend().to_string()
    }

    #[test]
    fn the_context_switcher_marks_the_active_one() {
        let mut app = demo_app("nats://127.0.0.1:4222", false);
        app.session.context = Some("alpha".into());
        app.open(Overlay::Contexts(Box::new(ContextsState {
            names: vec!["alpha".into(), "beta".into(), "prod-eu".into()],
            active: Some("alpha".into()),
            selected_by_nats: Some("beta".into()),
            // A server named as a context is told apart by its tag and URL.
            servers: vec![
                server("beta", "nats://beta.example:4222"),
                server("prod", "nats://ops:hunter2@prod.example:4222"),
            ],
            active_server: None,
            cursor: 1,
            ..Default::default()
        })));
        let text = drawn(&app);
        assert!(text.contains("Switch context or server"), "{text}");
        assert!(text.contains("alpha  (active: connected now)"), "{text}");
        assert!(text.contains("▶ beta  (nats default)"), "{text}");
        assert!(
            text.contains("server beta  nats://beta.example:4222"),
            "{text}"
        );
        assert!(
            text.contains("server prod  nats://ops:***@prod.example:4222"),
            "masked: {text}"
        );
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            text.contains("context alpha"),
            "the header names it:\n{text}"
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn a_configured_server_in_use_is_marked_and_named_in_the_header() {
        let mut app = demo_app("nats://127.0.0.1:4222", false);
        app.on_server = Some("staging".into());
        app.open(Overlay::Contexts(Box::new(ContextsState {
            names: vec!["staging".into()],
            servers: vec![server("staging", "nats://staging.example:4222")],
            active_server: Some("staging".into()),
            ..Default::default()
        })));
        let text = drawn(&app);
        assert!(
            text.contains("server staging  nats://staging.example:4222  (active: connected now)"),
            "{text}"
        );
        assert!(
            !text.contains("staging  (active"),
            "the context of the same name is not the active one:\n{text}"
        );
        assert!(text.contains("config server staging"), "header:\n{text}");
    }

    #[test]
    fn where_the_console_started_is_the_first_row_and_leads_back() {
        let mut app = demo_app("nats://127.0.0.1:4222", false);
        app.servers = vec![server("staging", "nats://staging.example:4222")].into();
        app.on_start = false;
        app.on_server = Some("staging".into());
        let state = ContextsState::read(&app);
        assert_eq!(
            state.row(0),
            Some(Row::Start("nats://127.0.0.1:4222")),
            "first, as shown in the header"
        );
        assert!(!state.is_active(0), "not connected there now");
        app.open(Overlay::Contexts(Box::new(state)));
        let text = drawn(&app);
        assert!(text.contains("start nats://127.0.0.1:4222"), "{text}");
        // Started through a context, that context's row leads back: no row of its own.
        app.started.context = Some("alpha".into());
        assert!(!matches!(
            ContextsState::read(&app).row(0),
            Some(Row::Start(_))
        ));
    }
}
