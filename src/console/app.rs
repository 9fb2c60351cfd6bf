//! The console's state and how it changes: `update` takes an `Action` (a key, a result
//! from the server) and returns the `Effect`s to run. Pure: no terminal, no network.

use std::collections::VecDeque;
use std::time::SystemTime;

use ratatui::crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::model::{
    AccountView, Advisory, ConnectionView, ConsumerView, ConsumersView, SessionInfo, Snapshot,
    StreamView,
};
use crate::broker::Metrics;

/// Most advisories kept in the events pane.
pub const EVENTS_KEPT: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Streams,
    Consumers,
    Events,
}

impl Pane {
    const ORDER: [Pane; 3] = [Pane::Streams, Pane::Consumers, Pane::Events];

    fn next(self) -> Self {
        let i = Self::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        Self::ORDER[(i + 1) % Self::ORDER.len()]
    }

    fn prev(self) -> Self {
        let i = Self::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        Self::ORDER[(i + Self::ORDER.len() - 1) % Self::ORDER.len()]
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    StreamDetail {
        stream: String,
        scroll: u16,
    },
    ConsumerDetail {
        stream: String,
        consumer: String,
        scroll: u16,
    },
}

/// Everything that can happen to the console.
#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    /// The terminal was resized: redraw.
    Resize,
    /// Time passed (ages and countdowns move).
    Tick(SystemTime),
    Connection(ConnectionView),
    Snapshot(Box<Snapshot>),
    Consumers(ConsumersView),
    Advisory(Advisory),
    /// A refresh failed; the header shows it until the next success.
    RefreshFailed(String),
}

/// Work for the async side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Poll the consumers of this stream (the selected one) from now on.
    WatchStream(Option<String>),
}

/// A list filter being typed, or applied.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub input: Input,
    pub editing: bool,
}

impl Filter {
    pub fn text(&self) -> &str {
        self.input.value()
    }

    fn matches(&self, name: &str) -> bool {
        let needle = self.text();
        needle.is_empty() || name.to_lowercase().contains(&needle.to_lowercase())
    }
}

#[derive(Debug)]
pub struct App {
    pub session: SessionInfo,
    pub connection: ConnectionView,
    pub account: Option<AccountView>,
    pub streams: Vec<StreamView>,
    pub consumers: ConsumersView,
    pub metrics: Metrics,
    pub events: VecDeque<Advisory>,
    pub focus: Pane,
    pub selected_stream: Option<String>,
    pub selected_consumer: Option<String>,
    pub selected_event: usize,
    pub stream_filter: Filter,
    pub consumer_filter: Filter,
    pub overlay: Option<Overlay>,
    pub last_refresh: Option<SystemTime>,
    /// Requests the last refresh made.
    pub last_requests: usize,
    pub now: SystemTime,
    pub quit: bool,
}

impl App {
    pub fn new(session: SessionInfo, now: SystemTime) -> Self {
        Self {
            session,
            connection: ConnectionView::default(),
            account: None,
            streams: Vec::new(),
            consumers: ConsumersView::default(),
            metrics: Metrics::default(),
            events: VecDeque::new(),
            focus: Pane::Streams,
            selected_stream: None,
            selected_consumer: None,
            selected_event: 0,
            stream_filter: Filter::default(),
            consumer_filter: Filter::default(),
            overlay: None,
            last_refresh: None,
            last_requests: 0,
            now,
            quit: false,
        }
    }

    /// Streams that pass the filter, in order.
    pub fn visible_streams(&self) -> Vec<&StreamView> {
        self.streams
            .iter()
            .filter(|s| self.stream_filter.matches(s.name()))
            .collect()
    }

    /// Consumers of the selected stream that pass the filter, when they belong to it.
    pub fn visible_consumers(&self) -> Vec<&ConsumerView> {
        if self.consumers.stream.is_none() || self.consumers.stream != self.selected_stream {
            return Vec::new();
        }
        self.consumers
            .rows
            .iter()
            .filter(|c| self.consumer_filter.matches(c.name()))
            .collect()
    }

    pub fn stream_index(&self) -> Option<usize> {
        let name = self.selected_stream.as_deref()?;
        self.visible_streams().iter().position(|s| s.name() == name)
    }

    pub fn consumer_index(&self) -> Option<usize> {
        let name = self.selected_consumer.as_deref()?;
        self.visible_consumers()
            .iter()
            .position(|c| c.name() == name)
    }

    pub fn stream(&self, name: &str) -> Option<&StreamView> {
        self.streams.iter().find(|s| s.name() == name)
    }

    pub fn consumer(&self, stream: &str, name: &str) -> Option<&ConsumerView> {
        (self.consumers.stream.as_deref() == Some(stream))
            .then(|| self.consumers.rows.iter().find(|c| c.name() == name))
            .flatten()
    }

    /// Whether a filter is being typed (keys go to it).
    pub fn editing_filter(&self) -> bool {
        self.stream_filter.editing || self.consumer_filter.editing
    }

    /// Keeps the stream selection on a visible stream, and says when it moved.
    fn fix_stream_selection(&mut self, effects: &mut Vec<Effect>) {
        let before = self.selected_stream.clone();
        let visible = self.visible_streams();
        let keep = before
            .as_deref()
            .is_some_and(|name| visible.iter().any(|s| s.name() == name));
        if !keep {
            self.selected_stream = visible.first().map(|s| s.name().to_string());
        }
        if self.selected_stream != before {
            self.selected_consumer = None;
            effects.push(Effect::WatchStream(self.selected_stream.clone()));
        }
    }

    fn fix_consumer_selection(&mut self) {
        let visible = self.visible_consumers();
        let keep = self
            .selected_consumer
            .as_deref()
            .is_some_and(|name| visible.iter().any(|c| c.name() == name));
        if !keep {
            self.selected_consumer = visible.first().map(|c| c.name().to_string());
        }
    }

    fn move_selection(&mut self, delta: isize, effects: &mut Vec<Effect>) {
        fn step(current: Option<usize>, len: usize, delta: isize) -> Option<usize> {
            if len == 0 {
                return None;
            }
            let current = current.unwrap_or(0) as isize;
            Some((current + delta).clamp(0, len as isize - 1) as usize)
        }
        match self.focus {
            Pane::Streams => {
                let names: Vec<String> = self
                    .visible_streams()
                    .iter()
                    .map(|s| s.name().to_string())
                    .collect();
                if let Some(i) = step(self.stream_index(), names.len(), delta) {
                    let before = self.selected_stream.replace(names[i].clone());
                    if before != self.selected_stream {
                        self.selected_consumer = None;
                        effects.push(Effect::WatchStream(self.selected_stream.clone()));
                    }
                }
            }
            Pane::Consumers => {
                let names: Vec<String> = self
                    .visible_consumers()
                    .iter()
                    .map(|c| c.name().to_string())
                    .collect();
                if let Some(i) = step(self.consumer_index(), names.len(), delta) {
                    self.selected_consumer = Some(names[i].clone());
                }
            }
            Pane::Events => {
                if let Some(i) = step(Some(self.selected_event), self.events.len(), delta) {
                    self.selected_event = i;
                }
            }
        }
    }

    fn focused_filter(&mut self) -> Option<&mut Filter> {
        match self.focus {
            Pane::Streams => Some(&mut self.stream_filter),
            Pane::Consumers => Some(&mut self.consumer_filter),
            Pane::Events => None,
        }
    }
}

/// Applies one action; returns the effects to run.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut effects = Vec::new();
    match action {
        Action::Key(key) => on_key(app, key, &mut effects),
        Action::Resize => {}
        Action::Tick(now) => app.now = now,
        Action::Connection(connection) => app.connection = connection,
        Action::Snapshot(snapshot) => {
            let snapshot = *snapshot;
            app.now = snapshot.taken;
            app.last_refresh = Some(snapshot.taken);
            app.last_requests = snapshot.requests;
            app.account = Some(snapshot.account);
            app.streams = snapshot.streams;
            app.metrics = snapshot.metrics;
            app.connection.last_error = None;
            if snapshot.consumers.stream.is_some() {
                app.consumers = snapshot.consumers;
            }
            app.fix_stream_selection(&mut effects);
            app.fix_consumer_selection();
        }
        Action::Consumers(consumers) => {
            app.consumers = consumers;
            app.fix_consumer_selection();
        }
        Action::Advisory(advisory) => {
            app.events.push_front(advisory);
            app.events.truncate(EVENTS_KEPT);
            // Keep the operator's place when new events push the list down.
            if app.focus == Pane::Events && app.selected_event > 0 {
                app.selected_event = (app.selected_event + 1).min(app.events.len() - 1);
            }
        }
        Action::RefreshFailed(error) => app.connection.last_error = Some(error),
    }
    effects
}

fn on_key(app: &mut App, key: KeyEvent, effects: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        app.quit = true;
        return;
    }
    if app.editing_filter() {
        on_filter_key(app, key, effects);
        return;
    }
    if let Some(mut overlay) = app.overlay.take() {
        if on_overlay_key(&mut overlay, key, &mut app.quit) {
            app.overlay = Some(overlay);
        }
        return;
    }
    match key.code {
        KeyCode::Char('q') => app.quit = true,
        KeyCode::Char('?') => app.overlay = Some(Overlay::Help),
        KeyCode::Tab => app.focus = app.focus.next(),
        KeyCode::BackTab => app.focus = app.focus.prev(),
        KeyCode::Down | KeyCode::Char('j') => app.move_selection(1, effects),
        KeyCode::Up | KeyCode::Char('k') => app.move_selection(-1, effects),
        KeyCode::PageDown => app.move_selection(10, effects),
        KeyCode::PageUp => app.move_selection(-10, effects),
        KeyCode::Char('g') | KeyCode::Home => app.move_selection(isize::MIN / 2, effects),
        KeyCode::Char('G') | KeyCode::End => app.move_selection(isize::MAX / 2, effects),
        KeyCode::Enter => open_detail(app),
        KeyCode::Char('/') => {
            if let Some(filter) = app.focused_filter() {
                filter.editing = true;
            }
        }
        KeyCode::Esc => {
            if let Some(filter) = app.focused_filter() {
                filter.input.reset();
            }
            app.fix_stream_selection(effects);
            app.fix_consumer_selection();
        }
        _ => {}
    }
}

fn on_filter_key(app: &mut App, key: KeyEvent, effects: &mut Vec<Effect>) {
    let Some(filter) = app.focused_filter() else {
        return;
    };
    match key.code {
        KeyCode::Enter => filter.editing = false,
        KeyCode::Esc => {
            filter.editing = false;
            filter.input.reset();
        }
        _ => {
            filter.input.handle_event(&TermEvent::Key(key));
        }
    }
    app.fix_stream_selection(effects);
    app.fix_consumer_selection();
}

/// Handles a key while an overlay is open; false closes it.
fn on_overlay_key(overlay: &mut Overlay, key: KeyEvent, quit: &mut bool) -> bool {
    let scroll = match overlay {
        Overlay::Help => None,
        Overlay::StreamDetail { scroll, .. } | Overlay::ConsumerDetail { scroll, .. } => {
            Some(scroll)
        }
    };
    match (key.code, scroll) {
        (KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?'), _) => return false,
        (KeyCode::Char('q'), _) => *quit = true,
        (KeyCode::Down | KeyCode::Char('j'), Some(scroll)) => *scroll = scroll.saturating_add(1),
        (KeyCode::Up | KeyCode::Char('k'), Some(scroll)) => *scroll = scroll.saturating_sub(1),
        (KeyCode::PageDown, Some(scroll)) => *scroll = scroll.saturating_add(10),
        (KeyCode::PageUp, Some(scroll)) => *scroll = scroll.saturating_sub(10),
        (KeyCode::Char('g'), Some(scroll)) => *scroll = 0,
        _ => {}
    }
    true
}

fn open_detail(app: &mut App) {
    app.overlay = match app.focus {
        Pane::Streams => app
            .selected_stream
            .clone()
            .map(|stream| Overlay::StreamDetail { stream, scroll: 0 }),
        Pane::Consumers => match (&app.selected_stream, &app.selected_consumer) {
            (Some(stream), Some(consumer)) => Some(Overlay::ConsumerDetail {
                stream: stream.clone(),
                consumer: consumer.clone(),
                scroll: 0,
            }),
            _ => None,
        },
        Pane::Events => None,
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::fixtures::{self, demo_app};
    use crate::console::model::ConsumerAlert;

    fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
        update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    fn app() -> App {
        demo_app("nats://127.0.0.1:4222", false)
    }

    #[test]
    fn the_first_snapshot_selects_the_first_stream_and_watches_it() {
        let mut app = App::new(fixtures::session("x", false), fixtures::now());
        let effects = update(
            &mut app,
            Action::Snapshot(Box::new(fixtures::snapshot(
                fixtures::streams(),
                ConsumersView::default(),
            ))),
        );
        assert_eq!(app.selected_stream.as_deref(), Some("ORDERS"));
        assert_eq!(effects, [Effect::WatchStream(Some("ORDERS".into()))]);
    }

    #[test]
    fn moving_through_streams_watches_the_new_one() {
        let mut app = app();
        assert_eq!(
            key(&mut app, KeyCode::Down),
            [Effect::WatchStream(Some("TEST".into()))]
        );
        assert_eq!(
            key(&mut app, KeyCode::Char('j')),
            [Effect::WatchStream(Some("USER_EVENTS".into()))]
        );
        // At the end: no move, no effect.
        assert!(key(&mut app, KeyCode::Down).is_empty());
        key(&mut app, KeyCode::Char('g'));
        assert_eq!(app.selected_stream.as_deref(), Some("ORDERS"));
        key(&mut app, KeyCode::Char('G'));
        assert_eq!(app.selected_stream.as_deref(), Some("USER_EVENTS"));
        key(&mut app, KeyCode::Char('k'));
        assert_eq!(app.selected_stream.as_deref(), Some("TEST"));
        // The consumers shown belong to ORDERS, not to the stream now selected.
        assert!(app.visible_consumers().is_empty());
    }

    #[test]
    fn tab_cycles_panes_both_ways_and_keys_act_on_the_focused_one() {
        let mut app = app();
        assert_eq!(app.focus, Pane::Streams);
        key(&mut app, KeyCode::Tab);
        assert_eq!(app.focus, Pane::Consumers);
        assert_eq!(app.selected_consumer.as_deref(), Some("flaky-billing"));
        key(&mut app, KeyCode::Down);
        assert_eq!(app.selected_consumer.as_deref(), Some("order-processor"));
        assert_eq!(
            app.selected_stream.as_deref(),
            Some("ORDERS"),
            "streams untouched"
        );
        key(&mut app, KeyCode::Tab);
        assert_eq!(app.focus, Pane::Events);
        key(&mut app, KeyCode::Tab);
        assert_eq!(app.focus, Pane::Streams);
        key(&mut app, KeyCode::BackTab);
        assert_eq!(app.focus, Pane::Events);
    }

    #[test]
    fn the_selection_follows_the_name_across_refreshes_and_moves_when_it_goes() {
        let mut app = app();
        key(&mut app, KeyCode::Down); // TEST
        // A new stream sorts before TEST: the selection stays on TEST.
        let mut streams = fixtures::streams();
        streams.insert(
            1,
            fixtures::stream("PAYMENTS", &["payments.>"], 1, 1, 0, 0.0),
        );
        let effects = update(
            &mut app,
            Action::Snapshot(Box::new(fixtures::snapshot(
                streams,
                ConsumersView::default(),
            ))),
        );
        assert!(effects.is_empty());
        assert_eq!(app.selected_stream.as_deref(), Some("TEST"));
        assert_eq!(app.stream_index(), Some(2));
        // TEST is deleted: it disappears and the selection moves on.
        let streams = fixtures::streams()
            .into_iter()
            .filter(|s| s.name() != "TEST")
            .collect();
        let effects = update(
            &mut app,
            Action::Snapshot(Box::new(fixtures::snapshot(
                streams,
                ConsumersView::default(),
            ))),
        );
        assert_eq!(app.streams.len(), 2);
        assert_eq!(app.selected_stream.as_deref(), Some("ORDERS"));
        assert_eq!(effects, [Effect::WatchStream(Some("ORDERS".into()))]);
    }

    #[test]
    fn a_consumer_that_disappears_is_removed() {
        let mut app = app();
        key(&mut app, KeyCode::Tab);
        key(&mut app, KeyCode::Down);
        let mut consumers = fixtures::orders_consumers();
        consumers.rows.retain(|c| c.name() != "order-processor");
        update(&mut app, Action::Consumers(consumers));
        assert_eq!(app.visible_consumers().len(), 1);
        assert_eq!(app.selected_consumer.as_deref(), Some("flaky-billing"));
    }

    #[test]
    fn filter_typing_narrows_streams_and_esc_clears_it() {
        let mut app = app();
        key(&mut app, KeyCode::Char('/'));
        assert!(app.editing_filter());
        // While typing, q is a letter, not quit.
        for c in "use".chars() {
            key(&mut app, KeyCode::Char(c));
        }
        key(&mut app, KeyCode::Char('q'));
        assert!(!app.quit);
        key(&mut app, KeyCode::Backspace);
        assert_eq!(app.stream_filter.text(), "use");
        let names: Vec<_> = app.visible_streams().iter().map(|s| s.name()).collect();
        assert_eq!(names, ["USER_EVENTS"]);
        assert_eq!(app.selected_stream.as_deref(), Some("USER_EVENTS"));
        key(&mut app, KeyCode::Enter);
        assert!(!app.editing_filter());
        assert_eq!(app.visible_streams().len(), 1, "the filter stays applied");
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.visible_streams().len(), 3);
    }

    #[test]
    fn enter_opens_details_and_esc_closes_them() {
        let mut app = app();
        key(&mut app, KeyCode::Enter);
        assert_eq!(
            app.overlay,
            Some(Overlay::StreamDetail {
                stream: "ORDERS".into(),
                scroll: 0
            })
        );
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Down);
        assert!(matches!(
            app.overlay,
            Some(Overlay::StreamDetail { scroll: 2, .. })
        ));
        // Keys go to the overlay, not the list behind it.
        assert_eq!(app.selected_stream.as_deref(), Some("ORDERS"));
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.overlay, None);
        key(&mut app, KeyCode::Tab);
        key(&mut app, KeyCode::Enter);
        assert!(matches!(
            &app.overlay,
            Some(Overlay::ConsumerDetail { consumer, .. }) if consumer == "flaky-billing"
        ));
        key(&mut app, KeyCode::Char('?'));
        assert_eq!(app.overlay, None);
        key(&mut app, KeyCode::Char('?'));
        assert_eq!(app.overlay, Some(Overlay::Help));
    }

    #[test]
    fn q_and_ctrl_c_quit() {
        let mut app = app();
        key(&mut app, KeyCode::Char('q'));
        assert!(app.quit);
        let mut app = app_in_filter();
        update(
            &mut app,
            Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        );
        assert!(app.quit, "Ctrl-C quits even while typing a filter");
    }

    fn app_in_filter() -> App {
        let mut app = app();
        key(&mut app, KeyCode::Char('/'));
        app
    }

    #[test]
    fn events_are_newest_first_and_bounded() {
        let mut app = app();
        for i in 0..(EVENTS_KEPT + 50) {
            update(
                &mut app,
                Action::Advisory(fixtures::advisory(
                    crate::console::model::AdvisoryKind::Naked,
                    "ORDERS",
                    Some("c"),
                    &format!("seq {i}"),
                    0,
                )),
            );
        }
        assert_eq!(app.events.len(), EVENTS_KEPT);
        assert_eq!(app.events[0].detail, format!("seq {}", EVENTS_KEPT + 49));
    }

    #[test]
    fn a_failed_refresh_shows_until_the_next_success() {
        let mut app = app();
        update(&mut app, Action::RefreshFailed("timed out".into()));
        assert_eq!(app.connection.last_error.as_deref(), Some("timed out"));
        update(
            &mut app,
            Action::Snapshot(Box::new(fixtures::snapshot(
                fixtures::streams(),
                fixtures::orders_consumers(),
            ))),
        );
        assert_eq!(app.connection.last_error, None);
        assert_eq!(
            app.consumer("ORDERS", "flaky-billing").map(|c| c.alert),
            Some(ConsumerAlert::Redelivering)
        );
    }
}
