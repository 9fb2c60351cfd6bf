//! The console's state and how it changes: `update` takes an `Action` (a key, a result
//! from the server) and returns the `Effect`s to run. Pure: no terminal, no network.

use std::collections::VecDeque;
use std::time::SystemTime;

use ratatui::crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
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
    StreamDetail { stream: String, scroll: u16 },
    ConsumerDetail { stream: String, consumer: String, scroll: u16 },
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
        self.visible_consumers().iter().position(|c| c.name() == name)
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
                let names: Vec<String> =
                    self.visible_streams().iter().map(|s| s.name().to_string()).collect();
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
        Pane::Streams => app.selected_stream.clone().map(|stream| Overlay::StreamDetail {
            stream,
            scroll: 0,
        }),
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
