//! The mouse: a click focuses the pane under it and selects the row under it, a second
//! click on the same cell soon after opens it (what Enter does there), the wheel scrolls
//! the pane under the pointer or the overlay on top. What is under the pointer comes from
//! the layout the last frame was drawn with (`App::pane_areas`, `ui::row_at`).

use std::time::{Duration, Instant};

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};

use super::actions::Effect;
use super::{App, Pane, commands};
use crate::console::keys::{Command, KeyMap, Layer, Place};
use crate::console::ui;

/// Longest gap between the two clicks of a double click.
pub const DOUBLE_CLICK: Duration = Duration::from_millis(400);
/// Rows one turn of the wheel moves.
pub const WHEEL_STEP: isize = 3;

/// A left click: where and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Click {
    at: Instant,
    column: u16,
    row: u16,
}

pub(super) fn on_mouse(app: &mut App, event: MouseEvent, at: Instant, effects: &mut Vec<Effect>) {
    match event.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            on_click(app, event.column, event.row, at, effects)
        }
        MouseEventKind::ScrollDown => on_wheel(app, event, 1, effects),
        MouseEventKind::ScrollUp => on_wheel(app, event, -1, effects),
        _ => {}
    }
}

fn pane_at(app: &App, column: u16, row: u16) -> Option<(Pane, Rect)> {
    let at = Position::new(column, row);
    app.pane_areas.iter().copied().find(|(_, r)| r.contains(at))
}

fn on_click(app: &mut App, column: u16, row: u16, at: Instant, effects: &mut Vec<Effect>) {
    let double = app.last_click.is_some_and(|c| {
        (c.column, c.row) == (column, row) && at.saturating_duration_since(c.at) <= DOUBLE_CLICK
    });
    // A third click starts a new pair.
    app.last_click = (!double).then_some(Click { at, column, row });
    // Over an overlay, or while a filter is typed, the keyboard has it.
    if !app.overlays.is_empty() || app.editing_filter() {
        return;
    }
    let Some((pane, area)) = pane_at(app, column, row) else {
        return;
    };
    // The row as drawn: before the focus moves (the events list scrolls only when focused).
    let index = ui::row_at(app, pane, area, row);
    app.focus = pane;
    let Some(index) = index else {
        return;
    };
    select(app, pane, index, effects);
    if double {
        commands::on_key(
            app,
            KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
            effects,
        );
    }
}

/// Selects row `index` of `pane` (the focused one) the way the arrow keys would.
fn select(app: &mut App, pane: Pane, index: usize, effects: &mut Vec<Effect>) {
    let current = match pane {
        Pane::Streams => app.stream_index(),
        Pane::Consumers => app.consumer_index(),
        Pane::Messages => app.current().map(|a| a.selected),
        Pane::Events => Some(app.selected_event),
    }
    .unwrap_or(0);
    app.move_selection(index as isize - current as isize, effects);
}

fn on_wheel(app: &mut App, event: MouseEvent, direction: isize, effects: &mut Vec<Effect>) {
    if let Some(top) = app.overlay() {
        if !scrolls(top.layer()) {
            return;
        }
        let (command, code) = if direction > 0 {
            (Command::Down, KeyCode::Down)
        } else {
            (Command::Up, KeyCode::Up)
        };
        for _ in 0..WHEEL_STEP {
            let place = app.place();
            let key = KeyEvent::new(code, KeyModifiers::NONE);
            commands::on_command(app, place, Some(command), key, effects);
        }
        return;
    }
    if app.editing_filter() {
        return;
    }
    // The pane under the pointer takes the focus: what scrolls is what the keys move next.
    if let Some((pane, _)) = pane_at(app, event.column, event.row) {
        app.focus = pane;
        app.move_selection(direction * WHEEL_STEP, effects);
    }
}

/// Whether the wheel scrolls `layer`: where Up and Down are commands (a list or a page),
/// the wheel is them, so each overlay's own handling applies; in forms, where the arrows
/// move between fields (not commands), it does nothing. The bindings decide, so a new
/// list overlay scrolls without being named here.
fn scrolls(layer: Layer) -> bool {
    let commands = KeyMap::commands_at(Place::Layer(layer));
    commands.contains(&Command::Down) && commands.contains(&Command::Up)
}
