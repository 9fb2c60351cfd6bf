//! The context switcher (`X`): the natscli contexts, the active one marked; and the line
//! that shows the `nats` command equivalent to a preview.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{centered, pane_block, theme};
use crate::console::overlays::contexts::ContextsState;

pub fn render(frame: &mut Frame, state: &ContextsState, area: Rect) {
    let area = centered(area, 60, 50);
    let block = pane_block(Line::from(" Switch context "), true)
        .title_bottom(" Enter reconnect (attached subscriptions are detached) · Esc close ");
    frame.render_widget(Clear, area);
    if state.names.is_empty() {
        let text = "No natscli contexts (add one with `nats context add NAME --server URL`).";
        let note = Paragraph::new(Span::styled(text, Style::new().fg(theme::get().label)));
        frame.render_widget(note.block(block), area);
        return;
    }
    let lines: Vec<Line> = state
        .names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let active = state.active.as_deref() == Some(name.as_str());
            let mut spans = vec![
                Span::raw(if i == state.cursor { "▶ " } else { "  " }),
                Span::raw(name.clone()),
            ];
            if active {
                spans.push(Span::styled(
                    "  (active: connected now)",
                    Style::new().add_modifier(Modifier::BOLD),
                ));
            }
            if state.selected_by_nats.as_deref() == Some(name.as_str()) {
                spans.push(Span::styled(
                    "  (nats default)",
                    Style::new().fg(theme::get().label),
                ));
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
    let Some(equivalent) = crate::console::overlays::nats_equivalent::of(top) else {
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
    use crate::console::overlays::contexts::ContextsState;

    #[test]
    fn the_context_switcher_marks_the_active_one() {
        let mut app = demo_app("nats://127.0.0.1:4222", false);
        app.session.context = Some("alpha".into());
        app.open(Overlay::Contexts(Box::new(ContextsState {
            names: vec!["alpha".into(), "beta".into(), "prod-eu".into()],
            active: Some("alpha".into()),
            selected_by_nats: Some("beta".into()),
            cursor: 1,
        })));
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
        terminal
            .draw(|frame| super::super::render(frame, &app))
            .expect("draw");
        let text = terminal.backend().to_string();
        assert!(text.contains("Switch context"), "{text}");
        assert!(text.contains("alpha  (active: connected now)"), "{text}");
        assert!(text.contains("▶ beta  (nats default)"), "{text}");
        assert!(
            text.contains("context alpha"),
            "the header names it:\n{text}"
        );
        insta::assert_snapshot!(text);
    }
}
