//! The events pane: JetStream advisories, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::theme;
use super::{focused, pane_block};
use crate::console::app::{App, Pane};
use crate::console::model::{Advisory, AdvisoryKind};

/// `HH:MM:SS` in UTC.
pub fn clock(time: std::time::SystemTime) -> String {
    let t = time::OffsetDateTime::from(time);
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

fn color(kind: &AdvisoryKind) -> Color {
    match kind {
        AdvisoryKind::MaxDeliveries | AdvisoryKind::Terminated => theme::get().problem,
        AdvisoryKind::Naked => theme::get().warning,
        AdvisoryKind::StreamDeleted | AdvisoryKind::ConsumerDeleted => theme::get().special,
        AdvisoryKind::StreamCreated
        | AdvisoryKind::ConsumerCreated
        | AdvisoryKind::StreamUpdated => theme::get().ok,
        AdvisoryKind::Other(_) => theme::get().label,
    }
}

fn item(a: &Advisory) -> ListItem<'static> {
    let target = match &a.consumer {
        Some(c) => format!("{}/{c}", a.stream),
        None => a.stream.clone(),
    };
    ListItem::new(Line::from(vec![
        Span::styled(clock(a.time), Style::new().fg(theme::get().muted)),
        Span::raw(" "),
        Span::styled(
            format!("{:<16}", a.kind.label()),
            Style::new().fg(color(&a.kind)).add_modifier(Modifier::BOLD),
        ),
        Span::raw(" "),
        Span::raw(target),
        Span::styled(
            if a.detail.is_empty() {
                String::new()
            } else {
                format!("  {}", a.detail)
            },
            Style::new().fg(theme::get().label),
        ),
    ]))
}

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let visible = app.visible_events();
    let filter = app.event_filter.text();
    let title = if filter.is_empty() && !app.event_filter.editing {
        Line::from(format!(" JetStream events ({}, UTC) ", app.events.len()))
    } else {
        let cursor = if app.event_filter.editing { "▏" } else { "" };
        Line::from(format!(
            " JetStream events ({} of {}, UTC) /{filter}{cursor} ",
            visible.len(),
            app.events.len()
        ))
    };
    let is_focused = focused(app, Pane::Events);
    let block = pane_block(title, is_focused);
    if app.events.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "No advisories yet: stream and consumer changes, naks, terminations and max deliveries show here.",
                Style::new().fg(theme::get().label),
            ))
            .block(block),
            area,
        );
        return;
    }
    let list = List::new(visible.into_iter().map(item))
        .block(block)
        .highlight_style(theme::get().selected());
    // The offset set here, not left to the list, so a click maps to the row drawn.
    let selected = is_focused.then_some(app.selected_event);
    let fits = usize::from(area.height.saturating_sub(2)).max(1);
    let mut state = ListState::default()
        .with_offset(super::first_row(fits, selected))
        .with_selected(selected);
    frame.render_stateful_widget(list, area, &mut state);
}
