//! The console's state and how it changes: `update` takes an `Action` (a key, a result
//! from the server) and returns the `Effect`s to run. Pure: no terminal, no network.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use ratatui::crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::attached::{Attached, MessageKey, MessageRow, Mode, RowState};
use super::browse::{BrowseRow, BrowseState};
use super::keys::{Layer, Place};
use super::model::{
    AccountView, Advisory, ConnectionView, ConsumerView, ConsumersView, SessionInfo, Snapshot,
    StreamView,
};
use super::publish::{PublishForm, PublishRequest};
use crate::broker::{ApiError, ApiErrorKind, Metrics, PubAck, validate_queue_name, validate_topic};

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

    fn step(self, with_messages: bool, forward: bool) -> Self {
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

#[derive(Debug, Clone)]
pub enum Overlay {
    Help {
        scroll: u16,
    },
    StreamDetail {
        stream: String,
        scroll: u16,
    },
    ConsumerDetail {
        stream: String,
        consumer: String,
        scroll: u16,
    },
    Publish(Box<PublishForm>),
    /// Attach by topic and queue (made when missing).
    AttachForm(Box<AttachForm>),
    /// One line of input for an action on the messages pane or the browser.
    Prompt(Box<Prompt>),
    ConfirmDelete {
        stream: String,
        consumer: String,
        ack_pending: u64,
        pending: u64,
    },
    /// No stream listens on the subject the operator typed: create one? (y/n)
    ConfirmCreateStream(Box<StreamOffer>),
    Browse(Box<BrowseState>),
    /// One message, whole; Esc goes back to what opened it.
    Message {
        view: Box<MessageView>,
        scroll: u16,
        back: Option<Box<Overlay>>,
    },
}

impl Overlay {
    /// The overlay as a place keys apply.
    pub fn layer(&self) -> Layer {
        match self {
            Overlay::Help { .. } => Layer::Help,
            Overlay::StreamDetail { .. } | Overlay::ConsumerDetail { .. } => Layer::Details,
            Overlay::Publish(_) => Layer::Publish,
            Overlay::AttachForm(_) => Layer::AttachForm,
            Overlay::Prompt(_) => Layer::Prompt,
            Overlay::ConfirmDelete { .. } => Layer::ConfirmDelete,
            Overlay::ConfirmCreateStream(_) => Layer::ConfirmCreate,
            Overlay::Browse(_) => Layer::Browse,
            Overlay::Message { .. } => Layer::Message,
        }
    }
}

/// A stream jetdeck would create for a subject nobody listens on, and what it would do
/// next; shown to the operator, who says yes or no.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamOffer {
    pub subject: String,
    pub stream: String,
    pub subjects: Vec<String>,
    /// Retention, storage, replicas and limits, in words.
    pub config: String,
    pub then: AfterCreate,
}

/// What waits for the stream to be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterCreate {
    Publish(PublishRequest),
    Attach {
        id: u64,
        topic: String,
        queue: String,
    },
}

/// The form behind `S`.
#[derive(Debug, Clone, Default)]
pub struct AttachForm {
    pub topic: Input,
    pub queue: Input,
    /// 0: topic, 1: queue.
    pub focus: usize,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    NakDelay,
    TermReason,
    BatchSize,
    FailEvery,
    JumpTo,
}

impl PromptKind {
    pub fn question(self) -> &'static str {
        match self {
            PromptKind::NakDelay => "Nak, redeliver after (e.g. 10s, 1m)",
            PromptKind::TermReason => "Term, reason (optional)",
            PromptKind::BatchSize => "Messages per pull (1-1000)",
            PromptKind::FailEvery => "Fail every Nth message (0 = never)",
            PromptKind::JumpTo => "Jump to sequence",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Prompt {
    pub kind: PromptKind,
    /// The message a nak-with-delay or term is for, fixed when the prompt opened.
    pub target: Option<MessageKey>,
    pub input: Input,
    pub error: Option<String>,
    /// The overlay to return to (the browser, for a jump).
    pub back: Option<Box<Overlay>>,
}

/// A message opened whole.
#[derive(Debug, Clone)]
pub struct MessageView {
    pub title: String,
    /// Metadata lines: (label, value).
    pub meta: Vec<(String, String)>,
    pub headers: crate::broker::Headers,
    pub body: bytes::Bytes,
}

/// The result of the last operator action, shown above the key bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// How the operator settles a held message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle {
    Ack,
    Nak(Option<Duration>),
    Term(Option<String>),
    InProgress,
}

impl Settle {
    pub fn name(&self) -> &'static str {
        match self {
            Settle::Ack => "ack",
            Settle::Nak(_) => "nak",
            Settle::Term(_) => "term",
            Settle::InProgress => "in-progress",
        }
    }
}

/// Everything that can happen to the console.
#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    /// Text pasted in one piece (bracketed paste), or a run of characters typed faster
    /// than frames are drawn: it goes whole into the field being typed in.
    Paste(String),
    /// The terminal was resized: redraw.
    Resize,
    /// Time passed (ages and countdowns move).
    Tick(SystemTime),
    Connection(ConnectionView),
    Snapshot(Box<Snapshot>),
    Consumers(ConsumersView),
    Advisory(Advisory),
    /// A refresh failed; the header shows it until the next success.
    RefreshFailed(ApiError),
    Published(Result<(PubAck, u32), String>),
    Attached {
        id: u64,
        result: Result<AttachedInfo, String>,
    },
    Pulled {
        id: u64,
        result: Result<Vec<MessageRow>, String>,
    },
    Settled {
        id: u64,
        key: MessageKey,
        how: Settle,
        result: Result<(), String>,
    },
    /// Auto mode: the worker handled a message (and failed it on purpose, or not).
    AutoHandled {
        id: u64,
        row: MessageRow,
    },
    Browsed {
        stream: String,
        from: u64,
        result: Result<Vec<BrowseRow>, String>,
    },
    ConsumerDeleted {
        stream: String,
        consumer: String,
        result: Result<(), String>,
    },
    /// An effect asks for another once its first step is done (create, then publish).
    Run(Effect),
    /// Nothing listens on the subject of a publish or attach: ask before creating.
    NeedsStream(Box<StreamOffer>),
    /// A detach gave back `naked` of its `held` messages (the rest wait out their ack wait).
    Detached {
        id: u64,
        held: usize,
        naked: usize,
    },
    /// An effect failed before it could do anything (not connected, say).
    Failed(String),
}

/// What attaching found out about the consumer.
#[derive(Debug, Clone)]
pub struct AttachedInfo {
    pub stream: String,
    pub consumer: String,
    pub filter: String,
    pub ack_wait: Duration,
}

/// Work for the async side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Poll the consumers of this stream (the selected one) from now on.
    WatchStream(Option<String>),
    /// Publish to the stream that listens on the subject; with none, ask (never create).
    Publish(PublishRequest),
    /// Attach subscription `id` to an existing consumer.
    Attach {
        id: u64,
        stream: String,
        consumer: String,
    },
    /// Create the stream offered for a subject, then do what waited for it.
    CreateStreamThen(AfterCreate),
    /// Attach subscription `id` by topic and queue, making the consumer if missing (never
    /// the stream: with none, the operator is asked first).
    AttachByTopic {
        id: u64,
        topic: String,
        queue: String,
    },
    Pull {
        id: u64,
        stream: String,
        consumer: String,
        batch: usize,
    },
    Settle {
        id: u64,
        key: MessageKey,
        how: Settle,
    },
    StartAuto {
        id: u64,
        stream: String,
        consumer: String,
        fail_every: u64,
    },
    StopAuto {
        id: u64,
    },
    SetFailEvery {
        id: u64,
        fail_every: u64,
    },
    /// Stop subscription `id`; its held messages are nak'd so they return at once.
    Detach {
        id: u64,
    },
    Browse {
        stream: String,
        from: u64,
        count: u64,
    },
    DeleteConsumer {
        stream: String,
        consumer: String,
    },
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
    pub attached: Vec<Attached>,
    pub selected_attached: usize,
    next_attach_id: u64,
    pub status: Option<Status>,
    pub last_refresh: Option<SystemTime>,
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
    /// Detaches whose held messages are being given back.
    pub detaching: std::collections::HashMap<u64, DetachNote>,
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
            attached: Vec::new(),
            selected_attached: 0,
            next_attach_id: 1,
            status: None,
            last_refresh: None,
            last_requests: 0,
            streams_listed: false,
            denied: Vec::new(),
            refresh_failure: None,
            detaching: Default::default(),
            refresh_every: Duration::from_secs(1),
            now,
            quit: false,
        }
    }

    /// How long the server has not answered a refresh, once one is overdue: a stopped
    /// (or overloaded) server keeps the TCP connection, so the client still says connected.
    pub fn silent_for(&self) -> Option<Duration> {
        let since = self.now.duration_since(self.last_refresh?).ok()?;
        (since > self.refresh_every * 2 + OVERDUE_GRACE).then_some(since)
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

    /// Where keys go now: a filter being typed, the overlay on top, or the focused pane.
    pub fn place(&self) -> Place {
        if self.editing_filter() {
            Place::Filter
        } else if let Some(overlay) = &self.overlay {
            Place::Layer(overlay.layer())
        } else {
            Place::Pane(self.focus)
        }
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
            Pane::Messages => {
                if let Some(a) = self.attached.get_mut(self.selected_attached)
                    && let Some(i) = step(Some(a.selected), a.rows.len(), delta)
                {
                    a.selected = i;
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
            Pane::Messages | Pane::Events => None,
        }
    }

    /// The subscription shown in the messages pane.
    pub fn current(&self) -> Option<&Attached> {
        self.attached.get(self.selected_attached)
    }

    fn current_mut(&mut self) -> Option<&mut Attached> {
        self.attached.get_mut(self.selected_attached)
    }

    fn attached_mut(&mut self, id: u64) -> Option<&mut Attached> {
        self.attached.iter_mut().find(|a| a.id == id)
    }

    fn say(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    fn complain(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
        });
    }

    fn new_attach_id(&mut self) -> u64 {
        let id = self.next_attach_id;
        self.next_attach_id += 1;
        id
    }

    /// The broker's default batch size, for a new subscription.
    pub fn default_batch(&self) -> usize {
        crate::broker::DEFAULT_BATCH_SIZE
    }
}

/// Applies one action; returns the effects to run.
/// Slack before a late refresh is called "not answering": a refresh takes a moment.
const OVERDUE_GRACE: Duration = Duration::from_secs(1);

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let mut effects = Vec::new();
    match action {
        Action::Key(key) => on_key(app, key, &mut effects),
        Action::Paste(text) => on_paste(app, &text, &mut effects),
        Action::Resize => {}
        Action::Tick(now) => app.now = now,
        Action::Connection(connection) => {
            // Losing the server keeps the reason on screen until it is back.
            let reason = app.connection.last_error.take();
            let connected = connection.state == crate::broker::ConnectionState::Connected;
            app.connection = connection;
            if !connected && app.connection.last_error.is_none() {
                app.connection.last_error = reason;
            }
        }
        Action::Snapshot(snapshot) => {
            let snapshot = *snapshot;
            app.now = snapshot.taken;
            app.last_refresh = Some(snapshot.taken);
            app.last_requests = snapshot.requests;
            app.account = snapshot.account;
            app.streams = snapshot.streams;
            app.streams_listed = snapshot.streams_listed;
            app.denied = snapshot.denied;
            app.refresh_failure = None;
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
            if app.selected_event > 0 {
                app.selected_event = (app.selected_event + 1).min(app.events.len() - 1);
            }
        }
        Action::RefreshFailed(error) => {
            app.connection.last_error = Some(error.to_string());
            app.refresh_failure = Some(error.kind());
        }
        Action::Published(Ok((ack, count))) => {
            let dup = if ack.duplicate { " (duplicate)" } else { "" };
            let text = if count == 1 {
                format!(
                    "published to {} at sequence {}{dup}",
                    ack.stream, ack.sequence
                )
            } else {
                format!(
                    "published {count} messages to {}, last at sequence {}{dup}",
                    ack.stream, ack.sequence
                )
            };
            app.say(text);
        }
        Action::Published(Err(e)) => app.complain(format!("publish failed: {e}")),
        Action::Attached { id, result } => match result {
            Ok(info) => {
                let batch = app.default_batch();
                let label = format!("{}/{}", info.stream, info.consumer);
                if let Some(a) = app.attached_mut(id) {
                    a.stream = info.stream;
                    a.consumer = info.consumer;
                    a.filter = info.filter;
                    a.ack_wait = info.ack_wait;
                    a.batch_size = batch;
                }
                app.focus = Pane::Messages;
                app.say(format!(
                    "attached to {label} (manual): f pulls, m switches to auto"
                ));
            }
            Err(e) => {
                app.attached.retain(|a| a.id != id);
                app.selected_attached = app
                    .selected_attached
                    .min(app.attached.len().saturating_sub(1));
                if app.attached.is_empty() && app.focus == Pane::Messages {
                    app.focus = Pane::Consumers;
                }
                app.complain(format!("cannot attach: {e}"));
            }
        },
        Action::Pulled { id, result } => {
            let Some(a) = app.attached_mut(id) else {
                return effects;
            };
            a.pulling = false;
            match result {
                Ok(rows) if rows.is_empty() => {
                    app.say("nothing to pull: no messages waiting for this consumer")
                }
                Ok(rows) => {
                    let n = rows.len();
                    let again = rows.iter().filter(|r| r.delivery.delivered > 1).count();
                    a.add_pulled(rows);
                    let redelivered = if again > 0 {
                        format!(", {again} redelivered")
                    } else {
                        String::new()
                    };
                    app.say(format!(
                        "pulled {n}{redelivered}: a ack, n nak, N nak later, t term, w in progress"
                    ));
                }
                Err(e) => app.complain(format!("pull failed: {e}")),
            }
        }
        Action::Settled {
            id,
            key,
            how,
            result,
        } => {
            let now = app.now;
            let Some(a) = app.attached_mut(id) else {
                return effects;
            };
            let ack_wait = a.ack_wait;
            let Some(row) = a.row_mut(key) else {
                return effects;
            };
            match result {
                Ok(()) => {
                    row.state = match &how {
                        Settle::Ack => RowState::Acked,
                        Settle::Nak(delay) => RowState::Naked(*delay),
                        Settle::Term(_) => RowState::Termed,
                        Settle::InProgress => {
                            row.clock_start = now;
                            RowState::Held
                        }
                    };
                    let seq = key.stream_sequence;
                    app.say(format!("{} sent for sequence {seq}", how.name()));
                }
                Err(e) => {
                    let by = clock_text(row.clock_start + ack_wait);
                    row.state = RowState::Failed(e.clone());
                    app.complain(format!(
                        "{} failed: {e}; unless settled, the server redelivers it after its ack wait, at {by}",
                        how.name()
                    ));
                }
            }
        }
        Action::AutoHandled { id, row } => {
            if let Some(a) = app.attached_mut(id) {
                a.add_auto(row);
            }
        }
        Action::Browsed {
            stream,
            from,
            result,
        } => {
            // The browser may sit under a message or a prompt opened from it.
            if let Some(b) = app.overlay.as_mut().and_then(browser_mut)
                && b.stream == stream
                && b.from == from
            {
                b.loading = false;
                match result {
                    Ok(rows) => {
                        b.rows = rows;
                        b.selected = b.selected.min(b.rows.len().saturating_sub(1));
                        b.error = None;
                    }
                    Err(e) => b.error = Some(e),
                }
            }
        }
        Action::ConsumerDeleted {
            stream,
            consumer,
            result,
        } => match result {
            Ok(()) => {
                app.consumers
                    .rows
                    .retain(|c| !(c.info.stream_name == stream && c.name() == consumer));
                app.fix_consumer_selection();
                app.say(format!("deleted consumer {consumer} of {stream}"));
            }
            Err(e) => app.complain(format!("delete of {consumer} failed: {e}")),
        },
        Action::Detached { id, held, naked } => detached(app, id, held, naked),
        Action::Run(effect) => effects.push(effect),
        Action::NeedsStream(offer) => {
            app.say(format!(
                "no stream listens on {}: create {}? (y/n)",
                offer.subject, offer.stream
            ));
            app.overlay = Some(Overlay::ConfirmCreateStream(offer));
        }
        Action::Failed(e) => app.complain(e),
    }
    effects
}

/// The stream browser in this overlay or in the ones it opened over.
fn browser_mut(overlay: &mut Overlay) -> Option<&mut BrowseState> {
    match overlay {
        Overlay::Browse(b) => Some(b),
        Overlay::Message {
            back: Some(back), ..
        } => browser_mut(back),
        Overlay::Prompt(p) => p.back.as_deref_mut().and_then(browser_mut),
        _ => None,
    }
}

/// Whether keys go into a text field now: a filter being typed, a form or a prompt.
pub fn typing(app: &App) -> bool {
    app.editing_filter()
        || matches!(
            app.overlay,
            Some(Overlay::Publish(_) | Overlay::AttachForm(_) | Overlay::Prompt(_))
        )
}

/// A paste goes whole into the field being typed in, on one line; anywhere else it is
/// dropped, so that pasted letters never run as commands.
fn on_paste(app: &mut App, text: &str, effects: &mut Vec<Effect>) {
    use super::publish::{insert_limited, one_line};
    if app.editing_filter() {
        if let Some(filter) = app.focused_filter()
            && let Err(e) = insert_limited(&mut filter.input, &one_line(text, " "), "the filter")
        {
            app.complain(e);
        }
        app.fix_stream_selection(effects);
        app.fix_consumer_selection();
        return;
    }
    let max_payload = app.connection.max_payload;
    match app.overlay.as_mut() {
        Some(Overlay::Publish(form)) => {
            let _ = form.paste(text, max_payload); // a refusal shows on the field
        }
        Some(Overlay::AttachForm(form)) => {
            let (input, name) = if form.focus == 0 {
                (&mut form.topic, "the topic")
            } else {
                (&mut form.queue, "the queue name")
            };
            form.error = insert_limited(input, &one_line(text, " "), name).err();
        }
        Some(Overlay::Prompt(prompt)) => {
            prompt.error =
                insert_limited(&mut prompt.input, &one_line(text, " "), "the answer").err();
        }
        _ => tracing::debug!(bytes = text.len(), "paste with no text field open, dropped"),
    }
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
    if let Some(overlay) = app.overlay.take() {
        app.overlay = on_overlay_key(app, overlay, key, effects);
        return;
    }
    let messages_pane = app.focus == Pane::Messages;
    match key.code {
        KeyCode::Char('q') => app.quit = true,
        KeyCode::Char('?') => app.overlay = Some(Overlay::Help { scroll: 0 }),
        KeyCode::Tab => app.focus = app.focus.step(!app.attached.is_empty(), true),
        KeyCode::BackTab => app.focus = app.focus.step(!app.attached.is_empty(), false),
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
        KeyCode::Char('p') => {
            // Start from the selected stream's first subject, when it is a concrete one.
            let subject = app
                .selected_stream
                .as_deref()
                .and_then(|s| app.stream(s))
                .and_then(|s| {
                    s.info
                        .config
                        .subjects
                        .iter()
                        .find(|x| validate_topic(x).is_ok())
                })
                .cloned()
                .unwrap_or_default();
            app.overlay = Some(Overlay::Publish(Box::new(PublishForm::with_subject(
                &subject,
            ))));
        }
        KeyCode::Char('S') => app.overlay = Some(Overlay::AttachForm(Box::default())),
        KeyCode::Char('s') if app.focus == Pane::Consumers => attach_selected(app, effects),
        KeyCode::Char('d') if app.focus == Pane::Consumers => confirm_delete(app),
        KeyCode::Char('b') if app.focus == Pane::Streams => open_browser(app, effects),
        _ if messages_pane => on_messages_key(app, key, effects),
        _ => {}
    }
}

fn attach_selected(app: &mut App, effects: &mut Vec<Effect>) {
    let (Some(stream), Some(consumer)) =
        (app.selected_stream.clone(), app.selected_consumer.clone())
    else {
        app.complain("select a consumer to attach to");
        return;
    };
    if let Some(i) = app
        .attached
        .iter()
        .position(|a| a.stream == stream && a.consumer == consumer)
    {
        app.selected_attached = i;
        app.focus = Pane::Messages;
        app.say(format!("already attached to {stream}/{consumer}"));
        return;
    }
    let id = app.new_attach_id();
    push_attached(app, id, &stream, &consumer);
    effects.push(Effect::Attach {
        id,
        stream,
        consumer,
    });
}

fn push_attached(app: &mut App, id: u64, stream: &str, consumer: &str) {
    let batch = app.default_batch();
    app.attached.push(Attached {
        id,
        stream: stream.to_string(),
        consumer: consumer.to_string(),
        filter: String::new(),
        ack_wait: Duration::from_secs(30),
        mode: Mode::Manual,
        batch_size: batch,
        fail_every: 0,
        rows: VecDeque::new(),
        selected: 0,
        handled: 0,
        pulling: false,
    });
    app.selected_attached = app.attached.len() - 1;
    app.say(format!("attaching to {stream}/{consumer}…"));
}

fn confirm_delete(app: &mut App) {
    let Some(stream) = app.selected_stream.clone() else {
        return;
    };
    let Some(c) = app
        .selected_consumer
        .as_deref()
        .and_then(|name| app.consumer(&stream, name))
    else {
        app.complain("select a consumer to delete");
        return;
    };
    app.overlay = Some(Overlay::ConfirmDelete {
        stream,
        consumer: c.name().to_string(),
        ack_pending: c.info.num_ack_pending as u64,
        pending: c.info.num_pending,
    });
}

fn open_browser(app: &mut App, effects: &mut Vec<Effect>) {
    let Some(s) = app.selected_stream.as_deref().and_then(|s| app.stream(s)) else {
        return;
    };
    let state = BrowseState::new(
        s.name(),
        s.info.state.first_sequence,
        s.info.state.last_sequence,
    );
    if state.is_empty() {
        app.say(format!("{} holds no messages to browse", s.name()));
        return;
    }
    browse_page(&state, state.from, effects);
    app.overlay = Some(Overlay::Browse(Box::new(state)));
}

fn browse_page(state: &BrowseState, from: u64, effects: &mut Vec<Effect>) {
    effects.push(Effect::Browse {
        stream: state.stream.clone(),
        from,
        count: state.page_len(from),
    });
}

fn on_messages_key(app: &mut App, key: KeyEvent, effects: &mut Vec<Effect>) {
    let Some(a) = app.current() else {
        return;
    };
    let (id, mode) = (a.id, a.mode);
    let held_key = a
        .selected_row()
        .filter(|r| matches!(r.state, RowState::Held | RowState::Failed(_)))
        .map(|r| r.key());
    let prompt = |kind| {
        Some(Overlay::Prompt(Box::new(Prompt {
            kind,
            target: held_key,
            input: Input::default(),
            error: None,
            back: None,
        })))
    };
    match key.code {
        KeyCode::Char('f') if mode == Mode::Manual => {
            if let Some(a) = app.current_mut() {
                a.pulling = true;
                effects.push(Effect::Pull {
                    id,
                    stream: a.stream.clone(),
                    consumer: a.consumer.clone(),
                    batch: a.batch_size,
                });
            }
            app.say("pulling…");
        }
        KeyCode::Char('a') => settle(app, id, held_key, Settle::Ack, effects),
        KeyCode::Char('n') => settle(app, id, held_key, Settle::Nak(None), effects),
        KeyCode::Char('w') => settle(app, id, held_key, Settle::InProgress, effects),
        KeyCode::Char('N') if held_key.is_some() => app.overlay = prompt(PromptKind::NakDelay),
        KeyCode::Char('t') if held_key.is_some() => app.overlay = prompt(PromptKind::TermReason),
        KeyCode::Char('N' | 't') => app.complain("select a held message first"),
        KeyCode::Char('B') => app.overlay = prompt(PromptKind::BatchSize),
        KeyCode::Char('F') => app.overlay = prompt(PromptKind::FailEvery),
        KeyCode::Char('m') => toggle_mode(app, effects),
        KeyCode::Char('x') => detach(app, effects),
        KeyCode::Char('[') => {
            app.selected_attached = app.selected_attached.saturating_sub(1);
        }
        KeyCode::Char(']') => {
            app.selected_attached = (app.selected_attached + 1).min(app.attached.len() - 1);
        }
        _ => {}
    }
}

fn settle(app: &mut App, id: u64, key: Option<MessageKey>, how: Settle, effects: &mut Vec<Effect>) {
    let Some(key) = key else {
        app.complain("select a held message first (f pulls some)");
        return;
    };
    if let Some(row) = app.attached_mut(id).and_then(|a| a.row_mut(key)) {
        row.state = RowState::Settling(how.name());
    }
    effects.push(Effect::Settle { id, key, how });
}

fn toggle_mode(app: &mut App, effects: &mut Vec<Effect>) {
    let Some(a) = app.current_mut() else {
        return;
    };
    let id = a.id;
    match a.mode {
        Mode::Manual => {
            a.mode = Mode::Auto;
            effects.push(Effect::StartAuto {
                id,
                stream: a.stream.clone(),
                consumer: a.consumer.clone(),
                fail_every: a.fail_every,
            });
            let held = a.held().count();
            let note = if held > 0 {
                format!("; {held} held messages stay yours to settle")
            } else {
                String::new()
            };
            app.say(format!(
                "auto: the worker acks as messages arrive (F sets a failure ratio){note}"
            ));
        }
        Mode::Auto => {
            a.mode = Mode::Manual;
            effects.push(Effect::StopAuto { id });
            app.say("manual: nothing is settled without you; f pulls");
        }
    }
}

fn detach(app: &mut App, effects: &mut Vec<Effect>) {
    if app.current().is_none() {
        return;
    }
    let a = app.attached.remove(app.selected_attached);
    app.selected_attached = app
        .selected_attached
        .min(app.attached.len().saturating_sub(1));
    if app.attached.is_empty() {
        app.focus = Pane::Consumers;
    }
    let held = a.held().count();
    effects.push(Effect::Detach { id: a.id });
    if held == 0 {
        app.say(format!(
            "detached from {}; the durable consumer stays",
            a.label()
        ));
        return;
    }
    // What happened to the held messages is said when the naks have (or have not)
    // reached the server.
    let returns_by = a.held().map(|r| r.clock_start + a.ack_wait).max();
    app.detaching.insert(
        a.id,
        DetachNote {
            label: a.label(),
            returns_by,
        },
    );
    app.say(format!(
        "detaching from {}: giving back {held} held messages…",
        a.label()
    ));
}

/// What a detach with held messages said it would do, until the naks' fate is known.
#[derive(Debug, Clone)]
pub struct DetachNote {
    pub label: String,
    /// The latest ack-wait deadline of the held messages: when the server redelivers
    /// them if no nak arrives.
    pub returns_by: Option<SystemTime>,
}

fn detached(app: &mut App, id: u64, held: usize, naked: usize) {
    let Some(note) = app.detaching.remove(&id) else {
        return;
    };
    let by = note
        .returns_by
        .map(|t| format!(", by {}", clock_text(t)))
        .unwrap_or_default();
    if naked == held {
        app.say(format!(
            "detached from {}; the durable consumer stays, {held} held messages nak'd",
            note.label
        ));
    } else if naked == 0 {
        app.complain(format!(
            "detached from {}, but the naks were not sent (no connection): the server redelivers its {held} held messages after their ack wait{by}",
            note.label
        ));
    } else {
        app.complain(format!(
            "detached from {}: {naked} of {held} held messages nak'd; the server redelivers the rest after their ack wait{by}",
            note.label
        ));
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

/// Handles a key while an overlay is open; returns the overlay to show next (None closes).
fn on_overlay_key(
    app: &mut App,
    overlay: Overlay,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) -> Option<Overlay> {
    match overlay {
        Overlay::Publish(form) => on_publish_key(app, form, key, effects),
        Overlay::AttachForm(form) => on_attach_form_key(app, form, key, effects),
        Overlay::Prompt(prompt) => on_prompt_key(app, prompt, key, effects),
        Overlay::ConfirmDelete {
            stream,
            consumer,
            ack_pending,
            pending,
        } => match key.code {
            KeyCode::Char('y') => {
                // A subscription working this consumer is detached first.
                let ids: Vec<u64> = app
                    .attached
                    .iter()
                    .filter(|a| a.stream == stream && a.consumer == consumer)
                    .map(|a| a.id)
                    .collect();
                for id in ids {
                    if let Some(i) = app.attached.iter().position(|a| a.id == id) {
                        app.selected_attached = i;
                        detach(app, effects);
                    }
                }
                effects.push(Effect::DeleteConsumer {
                    stream: stream.clone(),
                    consumer: consumer.clone(),
                });
                app.say(format!("deleting consumer {consumer} of {stream}…"));
                None
            }
            KeyCode::Char('n') | KeyCode::Esc => {
                app.say(format!("kept consumer {consumer}"));
                None
            }
            KeyCode::Char('q') => {
                app.quit = true;
                None
            }
            _ => Some(Overlay::ConfirmDelete {
                stream,
                consumer,
                ack_pending,
                pending,
            }),
        },
        Overlay::ConfirmCreateStream(offer) => on_create_stream_key(app, offer, key, effects),
        Overlay::Browse(state) => on_browse_key(app, state, key, effects),
        Overlay::Message { view, scroll, back } => match key.code {
            KeyCode::Esc | KeyCode::Enter => back.map(|b| *b),
            KeyCode::Char('q') => {
                app.quit = true;
                None
            }
            code => Some(Overlay::Message {
                view,
                scroll: scrolled(scroll, code),
                back,
            }),
        },
        Overlay::Help { scroll } => match key.code {
            KeyCode::Char('q') => {
                app.quit = true;
                None
            }
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?') => None,
            code => Some(Overlay::Help {
                scroll: scrolled(scroll, code),
            }),
        },
        Overlay::StreamDetail { stream, scroll } => match key.code {
            KeyCode::Char('q') => {
                app.quit = true;
                None
            }
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?') => None,
            code => Some(Overlay::StreamDetail {
                stream,
                scroll: scrolled(scroll, code),
            }),
        },
        Overlay::ConsumerDetail {
            stream,
            consumer,
            scroll,
        } => match key.code {
            KeyCode::Char('q') => {
                app.quit = true;
                None
            }
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('?') => None,
            code => Some(Overlay::ConsumerDetail {
                stream,
                consumer,
                scroll: scrolled(scroll, code),
            }),
        },
    }
}

fn on_create_stream_key(
    app: &mut App,
    offer: Box<StreamOffer>,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) -> Option<Overlay> {
    match key.code {
        KeyCode::Char('y') => {
            app.say(format!("creating stream {}…", offer.stream));
            effects.push(Effect::CreateStreamThen(offer.then));
            None
        }
        KeyCode::Char('n') | KeyCode::Esc => {
            if let AfterCreate::Attach { id, .. } = offer.then {
                app.attached.retain(|a| a.id != id);
                app.selected_attached = app
                    .selected_attached
                    .min(app.attached.len().saturating_sub(1));
                if app.attached.is_empty() && app.focus == Pane::Messages {
                    app.focus = Pane::Consumers;
                }
            }
            app.say(format!(
                "cancelled: no stream created, nothing sent to {}",
                offer.subject
            ));
            None
        }
        _ => Some(Overlay::ConfirmCreateStream(offer)),
    }
}

fn scrolled(scroll: u16, code: KeyCode) -> u16 {
    match code {
        KeyCode::Down | KeyCode::Char('j') => scroll.saturating_add(1),
        KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
        KeyCode::PageDown => scroll.saturating_add(10),
        KeyCode::PageUp => scroll.saturating_sub(10),
        KeyCode::Char('g') | KeyCode::Home => 0,
        _ => scroll,
    }
}

fn on_publish_key(
    app: &mut App,
    mut form: Box<PublishForm>,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) -> Option<Overlay> {
    match key.code {
        KeyCode::Esc => {
            app.say("publish cancelled");
            return None;
        }
        KeyCode::Tab | KeyCode::Down => form.next_field(true),
        KeyCode::BackTab | KeyCode::Up => form.next_field(false),
        KeyCode::Char('t') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            form.cycle_template()
        }
        KeyCode::Enter => match form.validate(app.connection.max_payload) {
            Ok(request) => {
                app.say(format!(
                    "publishing {} to {}…",
                    request.count, request.subject
                ));
                effects.push(Effect::Publish(request));
                return None;
            }
            Err(errors) => {
                if let Some((field, _)) = errors.first() {
                    form.focus = *field;
                }
                form.errors = errors;
            }
        },
        _ => {
            let field = form.focus;
            form.input_mut(field).handle_event(&TermEvent::Key(key));
            form.errors.retain(|(f, _)| *f != field);
        }
    }
    Some(Overlay::Publish(form))
}

fn on_attach_form_key(
    app: &mut App,
    mut form: Box<AttachForm>,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) -> Option<Overlay> {
    match key.code {
        KeyCode::Esc => return None,
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Down | KeyCode::Up => {
            form.focus = 1 - form.focus
        }
        KeyCode::Enter => {
            let topic = form.topic.value().trim().to_string();
            let queue = form.queue.value().trim().to_string();
            let checked = validate_topic(&topic)
                .map_err(|e| e.to_string())
                .and_then(|_| validate_queue_name(&queue).map_err(|e| e.to_string()));
            match checked {
                Ok(()) => {
                    let id = app.new_attach_id();
                    let stream = crate::broker::stream_name_for_topic(&topic);
                    push_attached(app, id, &stream, &queue);
                    effects.push(Effect::AttachByTopic { id, topic, queue });
                    return None;
                }
                Err(e) => form.error = Some(e),
            }
        }
        _ => {
            let input = if form.focus == 0 {
                &mut form.topic
            } else {
                &mut form.queue
            };
            input.handle_event(&TermEvent::Key(key));
            form.error = None;
        }
    }
    Some(Overlay::AttachForm(form))
}

fn on_prompt_key(
    app: &mut App,
    mut prompt: Box<Prompt>,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) -> Option<Overlay> {
    match key.code {
        KeyCode::Esc => return prompt.back.map(|b| *b),
        KeyCode::Enter => {
            let text = prompt.input.value().trim().to_string();
            match answer_prompt(app, &prompt, &text, effects) {
                Ok(next) => return next,
                Err(e) => prompt.error = Some(e),
            }
        }
        _ => {
            prompt.input.handle_event(&TermEvent::Key(key));
            prompt.error = None;
        }
    }
    Some(Overlay::Prompt(prompt))
}

/// Acts on a prompt's answer; Err keeps the prompt open with the message.
fn answer_prompt(
    app: &mut App,
    prompt: &Prompt,
    text: &str,
    effects: &mut Vec<Effect>,
) -> Result<Option<Overlay>, String> {
    let back = prompt.back.as_deref();
    let current = app.current().map(|a| (a.id, prompt.target));
    match prompt.kind {
        PromptKind::NakDelay => {
            let delay = humantime::parse_duration(text)
                .map_err(|e| format!("{text:?} is not a duration ({e}); try 10s or 1m"))?;
            let (id, key) = current.ok_or("no subscription")?;
            settle(app, id, key, Settle::Nak(Some(delay)), effects);
            Ok(None)
        }
        PromptKind::TermReason => {
            let (id, key) = current.ok_or("no subscription")?;
            let reason = (!text.is_empty()).then(|| text.to_string());
            settle(app, id, key, Settle::Term(reason), effects);
            Ok(None)
        }
        PromptKind::BatchSize => {
            let n: usize = text
                .parse()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or("a batch is 1 to 1000 messages")?;
            if let Some(a) = app.current_mut() {
                a.batch_size = n;
            }
            app.say(format!("f now pulls up to {n}"));
            Ok(None)
        }
        PromptKind::FailEvery => {
            let n: u64 = text
                .parse()
                .map_err(|_| "a whole number: 0 never fails, 3 fails every third")?;
            if let Some(a) = app.current_mut() {
                a.fail_every = n;
                effects.push(Effect::SetFailEvery {
                    id: a.id,
                    fail_every: n,
                });
            }
            app.say(if n == 0 {
                "auto: every message acked".to_string()
            } else {
                format!("auto: every {n}th message fails (nak) and is redelivered")
            });
            Ok(None)
        }
        PromptKind::JumpTo => {
            let seq: u64 = text.parse().map_err(|_| "a stream sequence number")?;
            let Some(Overlay::Browse(state)) = back else {
                return Ok(None);
            };
            let mut state = state.clone();
            state.from = state.jump(seq);
            state.loading = true;
            state.selected = 0;
            browse_page(&state, state.from, effects);
            Ok(Some(Overlay::Browse(state)))
        }
    }
}

fn on_browse_key(
    app: &mut App,
    mut state: Box<BrowseState>,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) -> Option<Overlay> {
    let turn_to = |state: &mut BrowseState, from: u64, effects: &mut Vec<Effect>| {
        if from != state.from {
            state.from = from;
            state.loading = true;
            state.selected = 0;
            browse_page(state, from, effects);
        }
    };
    match key.code {
        KeyCode::Esc => return None,
        KeyCode::Char('q') => {
            app.quit = true;
            return None;
        }
        KeyCode::Down | KeyCode::Char('j') => {
            state.selected = (state.selected + 1).min(state.rows.len().saturating_sub(1))
        }
        KeyCode::Up | KeyCode::Char('k') => state.selected = state.selected.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char('n') | KeyCode::Right => {
            let from = state.turn(true);
            turn_to(&mut state, from, effects);
        }
        KeyCode::PageUp | KeyCode::Char('p') | KeyCode::Left => {
            let from = state.turn(false);
            turn_to(&mut state, from, effects);
        }
        KeyCode::Char('g') | KeyCode::Home => {
            let from = state.first_seq;
            turn_to(&mut state, from, effects);
        }
        KeyCode::Char('G') | KeyCode::End => {
            let from = state.last_page();
            turn_to(&mut state, from, effects);
        }
        KeyCode::Char(':') => {
            return Some(Overlay::Prompt(Box::new(Prompt {
                kind: PromptKind::JumpTo,
                target: None,
                input: Input::default(),
                error: None,
                back: Some(Box::new(Overlay::Browse(state))),
            })));
        }
        KeyCode::Enter => {
            if let Some(m) = state
                .rows
                .get(state.selected)
                .and_then(|r| r.message.clone())
            {
                let view = MessageView {
                    title: format!("{} sequence {}", m.stream, m.sequence),
                    meta: vec![
                        ("stream".into(), m.stream.clone()),
                        ("sequence".into(), m.sequence.to_string()),
                        ("subject".into(), m.subject.clone()),
                        ("stored".into(), clock_text(m.time)),
                        ("size".into(), format!("{} bytes", m.body.len())),
                    ],
                    headers: m.headers.clone(),
                    body: m.body.clone(),
                };
                return Some(Overlay::Message {
                    view: Box::new(view),
                    scroll: 0,
                    back: Some(Box::new(Overlay::Browse(state))),
                });
            }
        }
        _ => {}
    }
    Some(Overlay::Browse(state))
}

/// `2027-01-15T08:00:00Z`.
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
        Pane::Messages => app.current().and_then(|a| {
            let r = a.selected_row()?;
            let d = &r.delivery;
            let view = MessageView {
                title: format!(
                    "{} sequence {} (delivery {})",
                    a.label(),
                    d.stream_sequence,
                    d.delivered
                ),
                meta: vec![
                    ("stream".into(), d.stream.clone()),
                    ("consumer".into(), d.consumer.clone()),
                    ("stream sequence".into(), d.stream_sequence.to_string()),
                    ("consumer sequence".into(), d.consumer_sequence.to_string()),
                    ("delivery count".into(), d.delivered.to_string()),
                    ("pending after it".into(), d.pending.to_string()),
                    ("subject".into(), r.subject.clone()),
                    ("published".into(), clock_text(d.published)),
                    ("size".into(), format!("{} bytes", r.body.len())),
                ],
                headers: r.headers.clone(),
                body: r.body.clone(),
            };
            Some(Overlay::Message {
                view: Box::new(view),
                scroll: 0,
                back: None,
            })
        }),
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
        assert!(matches!(
            &app.overlay,
            Some(Overlay::StreamDetail { stream, scroll: 0 }) if stream == "ORDERS"
        ));
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Down);
        assert!(matches!(
            app.overlay,
            Some(Overlay::StreamDetail { scroll: 2, .. })
        ));
        // Keys go to the overlay, not the list behind it.
        assert_eq!(app.selected_stream.as_deref(), Some("ORDERS"));
        key(&mut app, KeyCode::Esc);
        assert!(app.overlay.is_none());
        key(&mut app, KeyCode::Tab);
        key(&mut app, KeyCode::Enter);
        assert!(matches!(
            &app.overlay,
            Some(Overlay::ConsumerDetail { consumer, .. }) if consumer == "flaky-billing"
        ));
        key(&mut app, KeyCode::Char('?'));
        assert!(app.overlay.is_none());
        key(&mut app, KeyCode::Char('?'));
        assert!(matches!(app.overlay, Some(Overlay::Help { scroll: 0 })));
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
        update(
            &mut app,
            Action::RefreshFailed(crate::broker::ApiError::Timeout {
                what: "INFO".into(),
            }),
        );
        assert_eq!(
            app.connection.last_error.as_deref(),
            Some("the JetStream API did not answer in time (INFO)")
        );
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

    fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for c in text.chars() {
            effects.extend(key(app, KeyCode::Char(c)));
        }
        effects
    }

    fn pulled_row(seq: u64, delivered: u64) -> MessageRow {
        MessageRow {
            subject: "orders.billing".into(),
            delivery: crate::broker::Delivery {
                stream: "ORDERS".into(),
                consumer: "flaky-billing".into(),
                stream_sequence: seq,
                consumer_sequence: seq,
                delivered,
                pending: 0,
                published: fixtures::now(),
            },
            headers: Default::default(),
            body: bytes::Bytes::from_static(b"{}"),
            clock_start: fixtures::now(),
            state: RowState::Held,
        }
    }

    /// ORDERS/flaky-billing attached (manual) with two messages pulled.
    fn attached_app() -> (App, u64) {
        let mut app = app();
        key(&mut app, KeyCode::Tab);
        let effects = key(&mut app, KeyCode::Char('s'));
        let Some(Effect::Attach {
            id,
            stream,
            consumer,
        }) = effects.first().cloned()
        else {
            panic!("expected an attach effect, got {effects:?}");
        };
        assert_eq!(
            (stream.as_str(), consumer.as_str()),
            ("ORDERS", "flaky-billing")
        );
        update(
            &mut app,
            Action::Attached {
                id,
                result: Ok(AttachedInfo {
                    stream,
                    consumer,
                    filter: "orders.billing".into(),
                    ack_wait: Duration::from_secs(30),
                }),
            },
        );
        assert_eq!(app.focus, Pane::Messages);
        let effects = key(&mut app, KeyCode::Char('f'));
        assert!(
            matches!(effects.as_slice(), [Effect::Pull { batch: 10, .. }]),
            "{effects:?}"
        );
        update(
            &mut app,
            Action::Pulled {
                id,
                result: Ok(vec![pulled_row(7, 1), pulled_row(8, 3)]),
            },
        );
        (app, id)
    }

    #[test]
    fn the_publish_form_refuses_bad_input_and_sends_good() {
        let mut app = app();
        key(&mut app, KeyCode::Char('p'));
        let Some(Overlay::Publish(form)) = &app.overlay else {
            panic!("no form");
        };
        assert_eq!(
            form.subject.value(),
            "orders",
            "starts from the stream's subject"
        );
        type_text(&mut app, ".*");
        assert!(
            key(&mut app, KeyCode::Enter).is_empty(),
            "nothing published"
        );
        let Some(Overlay::Publish(form)) = &app.overlay else {
            panic!("the form stays open");
        };
        assert!(
            form.error(crate::console::publish::Field::Subject)
                .is_some()
        );
        key(&mut app, KeyCode::Backspace);
        key(&mut app, KeyCode::Backspace);
        type_text(&mut app, ".created");
        let effects = key(&mut app, KeyCode::Enter);
        assert!(
            matches!(effects.as_slice(), [Effect::Publish(r)] if r.subject == "orders.created" && r.count == 1),
            "{effects:?}"
        );
        assert!(app.overlay.is_none());
        update(
            &mut app,
            Action::Published(Ok((
                crate::broker::PubAck {
                    stream: "ORDERS".into(),
                    sequence: 131,
                    duplicate: false,
                },
                1,
            ))),
        );
        assert_eq!(
            app.status.as_ref().map(|s| s.text.as_str()),
            Some("published to ORDERS at sequence 131")
        );
    }

    #[test]
    fn settling_held_messages() {
        let (mut app, id) = attached_app();
        assert_eq!(app.current().unwrap().rows.len(), 2);
        let effects = key(&mut app, KeyCode::Char('a'));
        let k7 = MessageKey {
            stream_sequence: 7,
            delivered: 1,
        };
        assert_eq!(
            effects,
            [Effect::Settle {
                id,
                key: k7,
                how: Settle::Ack
            }]
        );
        assert_eq!(
            app.current().unwrap().rows[0].state,
            RowState::Settling("ack")
        );
        update(
            &mut app,
            Action::Settled {
                id,
                key: k7,
                how: Settle::Ack,
                result: Ok(()),
            },
        );
        assert_eq!(app.current().unwrap().rows[0].state, RowState::Acked);
        // A settled message is not settled again.
        assert!(key(&mut app, KeyCode::Char('n')).is_empty());
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Char('N'));
        type_text(&mut app, "soon");
        assert!(key(&mut app, KeyCode::Enter).is_empty());
        let Some(Overlay::Prompt(prompt)) = &app.overlay else {
            panic!("the prompt stays with its error");
        };
        assert!(prompt.error.as_deref().unwrap().contains("not a duration"));
        for _ in 0..4 {
            key(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "10s");
        let k8 = MessageKey {
            stream_sequence: 8,
            delivered: 3,
        };
        assert_eq!(
            key(&mut app, KeyCode::Enter),
            [Effect::Settle {
                id,
                key: k8,
                how: Settle::Nak(Some(Duration::from_secs(10)))
            }]
        );
        // A failed settlement keeps the message held, with the reason.
        update(
            &mut app,
            Action::Settled {
                id,
                key: k8,
                how: Settle::Nak(None),
                result: Err("connection closed".into()),
            },
        );
        assert_eq!(
            app.current().unwrap().rows[1].state,
            RowState::Failed("connection closed".into())
        );
        assert!(app.status.as_ref().unwrap().error);
    }

    #[test]
    fn modes_detach_and_a_refused_attach() {
        let (mut app, id) = attached_app();
        assert!(matches!(
            key(&mut app, KeyCode::Char('m')).as_slice(),
            [Effect::StartAuto { .. }]
        ));
        key(&mut app, KeyCode::Char('F'));
        type_text(&mut app, "3");
        assert_eq!(
            key(&mut app, KeyCode::Enter),
            [Effect::SetFailEvery { id, fail_every: 3 }]
        );
        assert_eq!(key(&mut app, KeyCode::Char('m')), [Effect::StopAuto { id }]);
        assert_eq!(key(&mut app, KeyCode::Char('x')), [Effect::Detach { id }]);
        assert!(app.attached.is_empty());
        assert_eq!(app.focus, Pane::Consumers);

        // By topic and queue: the queue is checked before anything is sent.
        key(&mut app, KeyCode::Char('S'));
        type_text(&mut app, "orders.audit");
        key(&mut app, KeyCode::Tab);
        type_text(&mut app, "my.queue");
        assert!(key(&mut app, KeyCode::Enter).is_empty());
        let Some(Overlay::AttachForm(form)) = &app.overlay else {
            panic!("form stays");
        };
        assert!(
            form.error
                .as_deref()
                .unwrap()
                .contains("period at position 2")
        );
        for _ in 0..6 {
            key(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "_audit");
        let effects = key(&mut app, KeyCode::Enter);
        let [Effect::AttachByTopic { id, topic, queue }] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        assert_eq!(
            (topic.as_str(), queue.as_str()),
            ("orders.audit", "my_audit")
        );
        update(
            &mut app,
            Action::Attached {
                id: *id,
                result: Err("cannot create durable consumer my_audit: WorkQueue".into()),
            },
        );
        assert!(
            app.attached.is_empty(),
            "a refused attach leaves nothing behind"
        );
        assert!(app.status.as_ref().unwrap().text.contains("WorkQueue"));
    }

    #[test]
    fn delete_asks_and_detaches_first() {
        let (mut app, id) = attached_app();
        app.focus = Pane::Consumers;
        key(&mut app, KeyCode::Char('d'));
        assert!(matches!(
            &app.overlay,
            Some(Overlay::ConfirmDelete { consumer, ack_pending: 2, pending: 3, .. }) if consumer == "flaky-billing"
        ));
        assert!(key(&mut app, KeyCode::Char('n')).is_empty());
        assert_eq!(app.attached.len(), 1);
        key(&mut app, KeyCode::Char('d'));
        let effects = key(&mut app, KeyCode::Char('y'));
        assert_eq!(
            effects,
            [
                Effect::Detach { id },
                Effect::DeleteConsumer {
                    stream: "ORDERS".into(),
                    consumer: "flaky-billing".into()
                }
            ]
        );
        update(
            &mut app,
            Action::ConsumerDeleted {
                stream: "ORDERS".into(),
                consumer: "flaky-billing".into(),
                result: Ok(()),
            },
        );
        assert!(app.consumer("ORDERS", "flaky-billing").is_none());
    }

    #[test]
    fn browsing_pages_and_jumps() {
        let mut app = app();
        let effects = key(&mut app, KeyCode::Char('b'));
        // ORDERS holds sequences 119..=130.
        assert_eq!(
            effects,
            [Effect::Browse {
                stream: "ORDERS".into(),
                from: 119,
                count: 12
            }]
        );
        update(
            &mut app,
            Action::Browsed {
                stream: "ORDERS".into(),
                from: 119,
                result: Ok((119..=130)
                    .map(|sequence| BrowseRow {
                        sequence,
                        message: None,
                    })
                    .collect()),
            },
        );
        let Some(Overlay::Browse(b)) = &app.overlay else {
            panic!("browser");
        };
        assert_eq!(b.rows.len(), 12);
        assert!(!b.loading);
        // One page only: nowhere to turn.
        assert!(key(&mut app, KeyCode::Char('n')).is_empty());
        key(&mut app, KeyCode::Char(':'));
        type_text(&mut app, "125");
        assert_eq!(
            key(&mut app, KeyCode::Enter),
            [Effect::Browse {
                stream: "ORDERS".into(),
                from: 125,
                count: 6
            }]
        );
        assert!(matches!(&app.overlay, Some(Overlay::Browse(b)) if b.from == 125 && b.loading));
        key(&mut app, KeyCode::Esc);
        assert!(app.overlay.is_none());
    }
}
