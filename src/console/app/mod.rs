//! The console's state and how it changes: `update` takes an `Action` (a key, a result
//! from the server) and returns the `Effect`s to run. Pure: no terminal, no network.
//!
//! `mod.rs` holds the state (panes, selection, filters, subscriptions, the overlay
//! stack); `actions.rs` what can happen and the work asked for; `commands.rs` keys on
//! the panes; `messages.rs` the attached subscriptions; `results.rs` what comes back.

mod actions;
mod commands;
pub mod config_diff;
mod configure;
mod deadletters;
mod diagnosis;
mod kv;
mod message_ops;
mod messages;
mod mouse;
#[cfg(test)]
mod mouse_tests;
mod objects;
mod operate;
mod read_only;
mod results;
mod streams;
mod tail;

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use tui_input::Input;

use super::attached::Attached;
use super::keys::Place;
use super::model::{
    AccountView, Advisory, ConnectionView, ConsumerView, ConsumersView, SessionInfo, StreamView,
};
use super::overlays::browse::BrowseState;
use super::overlays::deadletters::DeadLettersState;
use crate::broker::{ApiErrorKind, Metrics};

pub use super::overlays::prompt::{Prompt, PromptKind};
pub use super::overlays::{AttachForm, Confirm, MessageView, Overlay};
pub use actions::{
    Action, AfterCreate, AttachedInfo, DeadLetterOp, DeadLetterPlan, Effect, SaveFailure, Settle,
    StreamOffer, SwitchTarget,
};
pub use commands::typing;
pub use configure::ServerConfig;
pub use diagnosis::Diagnoses;
pub use kv::{KeyChange, KeyChangeOp, KvAction, KvEffect, next_watch};
pub use message_ops::{CLIPBOARD_MAX, MessageDelete, default_save_path, parse_since};
pub use objects::{ObjectAction, ObjectEffect, next_transfer};
pub use operate::{OpPlan, OpRequest, Operated};
pub use results::update;
pub use streams::StreamRow;

/// Most advisories kept in the events pane.
pub const EVENTS_KEPT: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Streams,
    Consumers,
    Messages,
    Events,
}

impl Pane {
    /// Panes in Tab order; Messages only while a subscription is attached.
    fn order(with_messages: bool) -> Vec<Pane> {
        let mut order = vec![Pane::Streams, Pane::Consumers];
        if with_messages {
            order.push(Pane::Messages);
        }
        order.push(Pane::Events);
        order
    }

    pub(crate) fn step(self, with_messages: bool, forward: bool) -> Self {
        let order = Self::order(with_messages);
        let n = order.len();
        let i = order.iter().position(|p| *p == self).unwrap_or(0);
        order[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// The result of the last operator action, shown above the key bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
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

    pub(crate) fn matches(&self, name: &str) -> bool {
        let needle = self.text();
        needle.is_empty() || name.to_lowercase().contains(&needle.to_lowercase())
    }
}

#[derive(Debug)]
pub struct App {
    pub session: SessionInfo,
    pub connection: ConnectionView,
    pub account: Option<AccountView>,
    /// Every stream's name, sorted; the streams pane lists these.
    pub stream_names: std::sync::Arc<[String]>,
    /// Stream infos read, sorted by name: all of them when `streams_complete`.
    pub streams: Vec<StreamView>,
    pub streams_complete: bool,
    pub consumers: ConsumersView,
    pub metrics: Metrics,
    pub events: VecDeque<Advisory>,
    pub focus: Pane,
    pub selected_stream: Option<String>,
    /// Whether the operator moved the stream selection (else jetdeck chose it).
    pub stream_chosen: bool,
    pub selected_consumer: Option<String>,
    pub selected_event: usize,
    pub stream_filter: Filter,
    pub consumer_filter: Filter,
    /// The events pane's filter: by kind, stream, consumer or detail.
    pub event_filter: Filter,
    /// Open overlays, bottom to top: keys go to the top one, drawing walks them all.
    pub overlays: Vec<Overlay>,
    pub attached: Vec<Attached>,
    pub selected_attached: usize,
    next_attach_id: u64,
    pub status: Option<Status>,
    pub last_refresh: Option<SystemTime>,
    /// When the connection was last made: a server that accepts it and then answers no
    /// refresh is silent from then, not from a refresh before a reconnect (or never).
    pub connected_since: Option<SystemTime>,
    /// Requests the last refresh made.
    pub last_requests: usize,
    /// Whether the last refresh could list the streams (false: refused to this user).
    pub streams_listed: bool,
    /// JetStream API subjects the server refused to this user in the last refresh.
    pub denied: Vec<String>,
    /// What kind of failure the last refresh met, until one succeeds.
    pub refresh_failure: Option<ApiErrorKind>,
    /// How often the collector refreshes (for telling an overdue refresh).
    pub refresh_every: Duration,
    /// The key bindings in effect: the default table with the configuration's on top.
    pub keys: std::sync::Arc<crate::console::keys::KeyMap>,
    /// How many JetStream events the events pane keeps (the configuration's events-kept).
    pub events_kept: usize,
    /// Detaches whose held messages are being given back.
    pub detaching: std::collections::HashMap<u64, DetachNote>,
    /// The consumers' findings, per refresh.
    pub diagnoses: Diagnoses,
    /// The settles jetdeck sent and the bodies of messages it termed (bounded).
    pub held_log: super::attached::HeldLog,
    pub now: SystemTime,
    pub quit: bool,
    /// The colours to draw with (the default, a named theme, or none under NO_COLOR).
    pub theme: crate::console::ui::theme::Theme,
    /// Where each pane was drawn last (the mouse finds what was clicked with them).
    pub pane_areas: Vec<(Pane, ratatui::layout::Rect)>,
    /// The last left click, for telling a double click.
    pub last_click: Option<mouse::Click>,
    /// The reply subject an open `r` prompt in the tail answers.
    pub tail_reply: Option<String>,
    /// The configuration file's `[servers]`, which `X` lists after the natscli contexts.
    pub servers: std::sync::Arc<[crate::config::ConfiguredServer]>,
    /// The one of them this console is connected to, after a switch to it.
    pub on_server: Option<String>,
    /// Where this console started (flags, environment, context, embedded): `X` lists it
    /// first, so a switch can always come back.
    pub started: SessionInfo,
    /// Whether it is connected there now.
    pub on_start: bool,
}

impl App {
    /// A fresh state for another server (context switch): nothing of the old server's
    /// streams, events or attachments, but the operator's own settings (keys, theme,
    /// refresh, events kept, the configured servers) stay as they were.
    pub fn for_another_server(&self, session: SessionInfo, now: SystemTime) -> Self {
        let mut app = Self::new(session, now);
        app.refresh_every = self.refresh_every;
        app.keys = self.keys.clone();
        app.events_kept = self.events_kept;
        app.theme = self.theme;
        app.servers = self.servers.clone();
        app.started = self.started.clone();
        app.on_start = false;
        app
    }

    pub fn new(session: SessionInfo, now: SystemTime) -> Self {
        let started = session.clone();
        Self {
            session,
            connection: ConnectionView::default(),
            account: None,
            stream_names: std::sync::Arc::from([]),
            streams: Vec::new(),
            streams_complete: true,
            consumers: ConsumersView::default(),
            metrics: Metrics::default(),
            events: VecDeque::new(),
            focus: Pane::Streams,
            selected_stream: None,
            stream_chosen: false,
            selected_consumer: None,
            selected_event: 0,
            stream_filter: Filter::default(),
            consumer_filter: Filter::default(),
            event_filter: Filter::default(),
            overlays: Vec::new(),
            attached: Vec::new(),
            selected_attached: 0,
            next_attach_id: 1,
            status: None,
            last_refresh: None,
            connected_since: None,
            last_requests: 0,
            streams_listed: false,
            denied: Vec::new(),
            refresh_failure: None,
            detaching: Default::default(),
            diagnoses: Diagnoses::default(),
            held_log: Default::default(),
            refresh_every: Duration::from_secs(1),
            keys: Default::default(),
            events_kept: EVENTS_KEPT,
            now,
            quit: false,
            theme: Default::default(),
            pane_areas: Vec::new(),
            last_click: None,
            tail_reply: None,
            servers: std::sync::Arc::from([]),
            on_server: None,
            started,
            on_start: true,
        }
    }

    /// Diagnoses the consumers shown against their stream (no request: the numbers are
    /// in the last snapshot). For the selected consumer only, asks once for the stream's
    /// per-subject counts when its filter may match nothing (the one extra request).
    pub fn diagnose_consumers(&mut self, effects: &mut Vec<Effect>) {
        let version = self
            .connection
            .version
            .as_deref()
            .and_then(|v| v.parse().ok());
        let selected = self.selected_consumer.as_deref();
        let seen = self.seen_advisories();
        if let Some(facts) = self.diagnoses.refresh(
            &self.streams,
            &self.consumers,
            selected,
            (version, &seen),
            self.now,
        ) {
            effects.push(Effect::StoredSubjects(actions::SubjectsWanted(Box::new(
                facts,
            ))));
        }
    }

    /// How long the server has not answered a refresh, once one is overdue: a stopped
    /// (or overloaded) server keeps the TCP connection, so the client still says connected.
    pub fn silent_for(&self) -> Option<Duration> {
        let heard = [self.last_refresh, self.connected_since]
            .into_iter()
            .flatten()
            .max()?;
        let since = self.now.duration_since(heard).ok()?;
        (since > self.refresh_every * 2 + OVERDUE_GRACE).then_some(since)
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

    /// Events that pass the events filter, newest first (`selected_event` indexes these).
    pub fn visible_events(&self) -> Vec<&Advisory> {
        let needle = self.event_filter.text().to_lowercase();
        self.events.iter().filter(|a| a.matches(&needle)).collect()
    }

    /// The selected event, when the events pane has one.
    pub fn selected_advisory(&self) -> Option<&Advisory> {
        self.visible_events().get(self.selected_event).copied()
    }

    pub fn consumer_index(&self) -> Option<usize> {
        let name = self.selected_consumer.as_deref()?;
        self.visible_consumers()
            .iter()
            .position(|c| c.name() == name)
    }

    pub fn consumer(&self, stream: &str, name: &str) -> Option<&ConsumerView> {
        (self.consumers.stream.as_deref() == Some(stream))
            .then(|| self.consumers.rows.iter().find(|c| c.name() == name))
            .flatten()
    }

    /// Where keys go now: a filter being typed, the overlay on top, or the focused pane.
    pub fn place(&self) -> Place {
        if self.editing_filter() {
            Place::Filter
        } else if let Some(overlay) = self.overlay() {
            Place::Layer(overlay.layer())
        } else {
            Place::Pane(self.focus)
        }
    }

    /// Whether a filter is being typed (keys go to it).
    pub fn editing_filter(&self) -> bool {
        self.stream_filter.editing || self.consumer_filter.editing || self.event_filter.editing
    }

    pub(crate) fn fix_consumer_selection(&mut self) {
        let visible = self.visible_consumers();
        let keep = self
            .selected_consumer
            .as_deref()
            .is_some_and(|name| visible.iter().any(|c| c.name() == name));
        if !keep {
            self.selected_consumer = visible.first().map(|c| c.name().to_string());
        }
        let events = self.visible_events().len();
        self.selected_event = self.selected_event.min(events.saturating_sub(1));
    }

    pub(crate) fn move_selection(&mut self, delta: isize, effects: &mut Vec<Effect>) {
        fn step(current: Option<usize>, len: usize, delta: isize) -> Option<usize> {
            if len == 0 {
                return None;
            }
            let current = current.unwrap_or(0) as isize;
            Some((current + delta).clamp(0, len as isize - 1) as usize)
        }
        match self.focus {
            Pane::Streams => self.move_stream_selection(delta, effects),
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
            Pane::Messages => {
                if let Some(a) = self.attached.get_mut(self.selected_attached)
                    && let Some(i) = step(Some(a.selected), a.rows.len(), delta)
                {
                    a.selected = i;
                }
            }
            Pane::Events => {
                if let Some(i) = step(
                    Some(self.selected_event),
                    self.visible_events().len(),
                    delta,
                ) {
                    self.selected_event = i;
                }
            }
        }
    }

    pub(crate) fn focused_filter(&mut self) -> Option<&mut Filter> {
        match self.focus {
            Pane::Streams => Some(&mut self.stream_filter),
            Pane::Consumers => Some(&mut self.consumer_filter),
            Pane::Events => Some(&mut self.event_filter),
            Pane::Messages => None,
        }
    }

    /// The subscription shown in the messages pane.
    pub fn current(&self) -> Option<&Attached> {
        self.attached.get(self.selected_attached)
    }

    pub(crate) fn current_mut(&mut self) -> Option<&mut Attached> {
        self.attached.get_mut(self.selected_attached)
    }

    pub(crate) fn attached_mut(&mut self, id: u64) -> Option<&mut Attached> {
        self.attached.iter_mut().find(|a| a.id == id)
    }

    pub(crate) fn say(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    pub(crate) fn complain(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
        });
    }

    pub(crate) fn new_attach_id(&mut self) -> u64 {
        let id = self.next_attach_id;
        self.next_attach_id += 1;
        id
    }

    /// The broker's default batch size, for a new subscription.
    pub fn default_batch(&self) -> usize {
        crate::broker::DEFAULT_BATCH_SIZE
    }

    /// The overlay on top, which keys go to.
    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlays.last()
    }

    /// Opens an overlay over whatever is open.
    pub fn open(&mut self, overlay: Overlay) {
        self.overlays.push(overlay);
    }

    /// The dead-letters view, wherever it is in the stack (under a prompt or a confirm).
    pub(crate) fn dead_letters_mut(&mut self) -> Option<&mut DeadLettersState> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::DeadLetters(d) => Some(d.as_mut()),
            _ => None,
        })
    }

    /// The stream browser, wherever it is in the stack (under a message or a prompt).
    pub(crate) fn browser_mut(&mut self) -> Option<&mut BrowseState> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Browse(b) => Some(b.as_mut()),
            _ => None,
        })
    }
}

/// Slack before a late refresh is called "not answering": a refresh takes a moment.
const OVERDUE_GRACE: Duration = Duration::from_secs(1);

/// What a detach with held messages said it would do, until the naks' fate is known.
#[derive(Debug, Clone)]
pub struct DetachNote {
    pub label: String,
    /// The latest ack-wait deadline of the held messages: when the server redelivers
    /// them if no nak arrives.
    pub returns_by: Option<SystemTime>,
}

/// `2027-01-15T08:00:00Z`.
/// `HH:MM:SS UTC`, for a deadline within the next minutes (the events pane is in UTC too).
pub fn time_of_day(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t);
    format!("{:02}:{:02}:{:02} UTC", t.hour(), t.minute(), t.second())
}

pub fn clock_text(t: SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod dead_letter_tests;
#[cfg(test)]
mod read_only_tests;
#[cfg(test)]
mod stack_tests;
#[cfg(test)]
mod switch_tests;
#[cfg(test)]
mod tests;
