//! Where things are on the screen: the drawing uses these, and so does the mouse (a click
//! is mapped to the pane and row drawn there, from the same arithmetic).

use ratatui::layout::{Constraint, Layout, Rect};

use super::header;
use crate::console::app::{App, Pane};

/// Header, body, status line, key hints.
pub(super) fn frame(app: &App, area: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(header::height(app)),
        Constraint::Min(6),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The body's rows: streams, the middle (consumers and counters), messages while a
/// subscription is attached, events.
fn body_rows(app: &App, area: Rect) -> (Rect, Rect, Option<Rect>, Rect) {
    let [_, body, _, _] = frame(app, area);
    if app.attached.is_empty() {
        let [streams, middle, events] = Layout::vertical([
            Constraint::Percentage(40),
            Constraint::Percentage(35),
            Constraint::Min(3),
        ])
        .areas(body);
        (streams, middle, None, events)
    } else {
        let [streams, middle, messages, events] = Layout::vertical([
            Constraint::Percentage(25),
            Constraint::Percentage(25),
            Constraint::Percentage(33),
            Constraint::Min(3),
        ])
        .areas(body);
        (streams, middle, Some(messages), events)
    }
}

/// Consumers on the left of the middle row, counters on the right.
fn middle(area: Rect, middle: Rect) -> [Rect; 2] {
    let counters_width = if area.width >= 120 { 34 } else { 28 };
    Layout::horizontal([Constraint::Min(30), Constraint::Length(counters_width)]).areas(middle)
}

/// Each pane's rectangle on a screen of `area`, in drawing order.
pub fn pane_areas(app: &App, area: Rect) -> Vec<(Pane, Rect)> {
    let (streams, mid, messages, events) = body_rows(app, area);
    let [consumers, _] = middle(area, mid);
    let mut panes = vec![(Pane::Streams, streams), (Pane::Consumers, consumers)];
    panes.extend(messages.map(|m| (Pane::Messages, m)));
    panes.push((Pane::Events, events));
    panes
}

/// The counters pane's rectangle.
pub fn counters_area(app: &App, area: Rect) -> Rect {
    let (_, mid, _, _) = body_rows(app, area);
    middle(area, mid)[1]
}

/// The first row shown of a list with room for `fits` rows: the top, or far enough down
/// that the selection is on the last line.
pub fn first_row(fits: usize, selected: Option<usize>) -> usize {
    selected.map_or(0, |s| (s + 1).saturating_sub(fits))
}

/// The index of the row drawn at line `y` of `pane` (drawn in `area`), if a row is there.
pub fn row_at(app: &App, pane: Pane, area: Rect, y: u16) -> Option<usize> {
    // Tables have a header line under the border; the events list has none.
    let (len, selected, header) = match pane {
        Pane::Streams => (app.visible_stream_names().len(), app.stream_index(), 1),
        Pane::Consumers => (app.visible_consumers().len(), app.consumer_index(), 1),
        Pane::Messages => {
            let a = app.current()?;
            (a.rows.len(), Some(a.selected), 1)
        }
        Pane::Events => (
            app.visible_events().len(),
            super::focused(app, Pane::Events).then_some(app.selected_event),
            0,
        ),
    };
    let top = area.y + 1 + header;
    let fits = usize::from(area.height.saturating_sub(2 + header)).max(1);
    if y < top || usize::from(y - top) >= fits {
        return None;
    }
    let i = first_row(fits, selected) + usize::from(y - top);
    (i < len).then_some(i)
}
