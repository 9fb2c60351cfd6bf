//! The mouse through `update`: what is clicked is found on the screen as drawn, not by
//! arithmetic repeated in the test.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use super::{Action, App, Effect, Overlay, Pane, update};
use crate::console::fixtures::{self, demo_app};
use crate::console::ui;

const W: u16 = 160;
const H: u16 = 45;

/// Draws the app as the console does, and keeps the pane rectangles as the console does.
fn drawn(app: &mut App) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(W, H)).expect("test terminal");
    let area = terminal
        .draw(|frame| ui::render(frame, app))
        .expect("draw")
        .area;
    app.pane_areas = ui::pane_areas(app, area);
    let buffer = terminal.backend().buffer();
    (0..H)
        .map(|y| (0..W).map(|x| buffer[(x, y)].symbol()).collect())
        .collect()
}

/// The line and column where `text` is drawn.
fn find(app: &mut App, text: &str) -> (u16, u16) {
    let lines = drawn(app);
    let y = lines
        .iter()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("`{text}` not on screen:\n{}", lines.join("\n")));
    let x = lines[y][..lines[y].find(text).expect("found")]
        .chars()
        .count();
    (x as u16, y as u16)
}

fn mouse(app: &mut App, kind: MouseEventKind, (x, y): (u16, u16), at: Instant) -> Vec<Effect> {
    let event = MouseEvent {
        kind,
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    };
    update(app, Action::Mouse(event, at))
}

fn click(app: &mut App, at: (u16, u16), when: Instant) -> Vec<Effect> {
    mouse(app, MouseEventKind::Down(MouseButton::Left), at, when)
}

fn area_of(app: &App, pane: Pane) -> Rect {
    app.pane_areas
        .iter()
        .find(|(p, _)| *p == pane)
        .map(|(_, r)| *r)
        .expect("pane drawn")
}

#[test]
fn a_click_focuses_the_pane_under_it() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    drawn(&mut app);
    assert_eq!(app.focus, Pane::Streams);
    let events = area_of(&app, Pane::Events);
    // On the border: focus, no row.
    click(&mut app, (events.x + 3, events.y), Instant::now());
    assert_eq!(app.focus, Pane::Events);
    let consumers = area_of(&app, Pane::Consumers);
    click(&mut app, (consumers.x, consumers.y), Instant::now());
    assert_eq!(app.focus, Pane::Consumers);
    // The counters are not a pane to focus: nothing changes.
    let (x, y) = find(&mut app, "handler errors");
    click(&mut app, (x, y), Instant::now());
    assert_eq!(app.focus, Pane::Consumers);
}

#[test]
fn a_click_selects_the_row_under_it() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    assert_eq!(app.selected_stream.as_deref(), Some("ORDERS"));
    let at = find(&mut app, "TEST  ");
    let effects = click(&mut app, at, Instant::now());
    assert_eq!(app.selected_stream.as_deref(), Some("TEST"));
    assert!(
        effects.contains(&Effect::WatchStream(Some("TEST".into()))),
        "{effects:?}"
    );
    // Back to ORDERS, then a consumer row: the consumers pane takes the focus and the row.
    let at = find(&mut app, "ORDERS  ");
    click(&mut app, at, Instant::now());
    update(&mut app, Action::Consumers(fixtures::orders_consumers()));
    let at = find(&mut app, "order-processor");
    click(&mut app, at, Instant::now() + Duration::from_secs(1));
    assert_eq!(app.focus, Pane::Consumers);
    assert_eq!(app.selected_consumer.as_deref(), Some("order-processor"));
    assert!(app.overlays.is_empty(), "one click does not open");
    // An event, as drawn while its pane had no focus.
    let at = find(&mut app, "MSG_NAKED");
    click(&mut app, at, Instant::now() + Duration::from_secs(2));
    assert_eq!(app.focus, Pane::Events);
    let selected = app.selected_advisory().expect("an event");
    assert_eq!(selected.kind.label(), "MSG_NAKED");
}

#[test]
fn a_double_click_opens_what_enter_opens() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    let at = find(&mut app, "order-processor");
    let t0 = Instant::now();
    click(&mut app, at, t0);
    // Too slow for a double click.
    click(&mut app, at, t0 + Duration::from_secs(1));
    assert!(app.overlays.is_empty());
    click(&mut app, at, t0 + Duration::from_millis(1200));
    assert!(
        matches!(app.overlays.last(), Some(Overlay::ConsumerDetail { .. })),
        "{:?}",
        app.overlays
    );
    // Clicks over an overlay leave the panes alone.
    let before = app.selected_stream.clone();
    let streams = area_of(&app, Pane::Streams);
    click(
        &mut app,
        (streams.x + 4, streams.y + 3),
        t0 + Duration::from_secs(5),
    );
    assert_eq!(app.selected_stream, before);
}

#[test]
fn the_wheel_scrolls_the_pane_under_it_and_the_overlay_on_top() {
    let mut app = fixtures::app_with(
        (0..100)
            .map(|i| fixtures::stream(&format!("S{i:04}"), &[&format!("s{i:04}.>")], 1, 1, 0, 0.0))
            .collect(),
    );
    app.focus = Pane::Events;
    let at = find(&mut app, "S0001");
    mouse(&mut app, MouseEventKind::ScrollDown, at, Instant::now());
    assert_eq!(app.focus, Pane::Streams);
    assert_eq!(app.stream_index(), Some(3));
    mouse(&mut app, MouseEventKind::ScrollDown, at, Instant::now());
    mouse(&mut app, MouseEventKind::ScrollUp, at, Instant::now());
    assert_eq!(app.stream_index(), Some(3));
    // The help overlay scrolls under the wheel, whatever is below the pointer.
    app.open(Overlay::Help { scroll: 0 });
    mouse(&mut app, MouseEventKind::ScrollDown, at, Instant::now());
    assert!(
        matches!(app.overlays.last(), Some(Overlay::Help { scroll }) if *scroll == 3),
        "{:?}",
        app.overlays.last()
    );
    assert_eq!(app.stream_index(), Some(3), "the pane below stays");
}

/// The selection of the overlay on top, in the list overlays the wheel should move.
fn overlay_selection(app: &App) -> usize {
    match app.overlays.last().expect("an overlay") {
        Overlay::Contexts(s) => s.cursor,
        Overlay::Buckets(s) => s.selected,
        Overlay::Keys(s) => s.selected,
        Overlay::Subjects(s) => s.selected,
        other => panic!("not a list this test reads: {other:?}"),
    }
}

#[test]
fn the_wheel_moves_the_selection_of_every_list_overlay() {
    use crate::console::overlays::{contexts::ContextsState, kv::KeysState, subjects};
    let mut app = fixtures::app_with(
        (0..10)
            .map(|i| fixtures::stream(&format!("KV_b{i}"), &[&format!("$KV.b{i}.>")], 1, 1, 0, 0.0))
            .collect(),
    );
    let names: Vec<String> = (0..10).map(|i| format!("k{i}")).collect();
    let mut keys = KeysState::new("b0", 1);
    keys.shown = names
        .iter()
        .map(|n| std::sync::Arc::from(n.as_str()))
        .collect();
    let mut subjects = subjects::SubjectsState::new("ORDERS");
    subjects.listed(subjects::SubjectCounts::new(
        names.iter().map(|n| (n.clone(), 1)).collect(),
    ));
    let overlays = [
        Overlay::Contexts(Box::new(ContextsState {
            names: names.clone(),
            ..Default::default()
        })),
        Overlay::Buckets(Box::default()),
        Overlay::Keys(Box::new(keys)),
        Overlay::Subjects(Box::new(subjects)),
    ];
    for overlay in overlays {
        app.overlays.clear();
        let what = format!("{:?}", overlay.layer());
        app.open(overlay);
        let at = (2, 2);
        mouse(&mut app, MouseEventKind::ScrollDown, at, Instant::now());
        assert_eq!(overlay_selection(&app), 3, "{what}: one turn down");
        mouse(&mut app, MouseEventKind::ScrollDown, at, Instant::now());
        mouse(&mut app, MouseEventKind::ScrollUp, at, Instant::now());
        assert_eq!(overlay_selection(&app), 3, "{what}: down and up again");
        assert!(app.overlays.len() == 1, "{what}: still open");
    }
}
