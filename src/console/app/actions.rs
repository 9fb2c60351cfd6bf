//! What can happen to the console (`Action`) and the work it asks for (`Effect`), with
//! their payloads.

use std::time::{Duration, SystemTime};

use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use crate::broker::BrowseWindow;
use crate::broker::{ApiError, PubAck, StoredMessage};
use crate::console::attached::{MessageKey, MessageRow};
use crate::console::error::ActionError;
use crate::console::model::{Advisory, ConnectionView, ConsumersView, Snapshot};
use crate::console::overlays::browse::{Bound, BrowseFilter, BrowsePage, BrowseRow};
use crate::console::overlays::config_preview::ConfigPlan;
use crate::console::overlays::publish::PublishRequest;
use crate::deadletters::{
    AdvisoryEvent, DeadLetter, Filter as LetterFilter, Progress, TimelineEntry,
};

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
    /// A move stopped because no stream covers its subject: create the dead-letter
    /// stream `stream`, then move the letters left.
    DeadLetters {
        stream: String,
        plan: Box<DeadLetterPlan>,
    },
}

/// What the operator does to dead letters (the engine's operations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadLetterOp {
    /// Publish again to its own subject, then delete the original.
    Retry,
    /// Publish to the dead-letter subject `to`, then delete the original.
    Move { to: String },
    /// Delete the original.
    Discard,
    /// Write them to a JSON Lines file.
    Export { path: String },
}

impl DeadLetterOp {
    /// The verb the preview and refusals use (`retry`).
    pub fn verb(&self) -> &'static str {
        match self {
            DeadLetterOp::Retry => "retry",
            DeadLetterOp::Move { .. } => "move",
            DeadLetterOp::Discard => "discard",
            DeadLetterOp::Export { .. } => "export",
        }
    }

    /// The past tense the status line reports with (`3 retried`).
    pub fn done_word(&self) -> &'static str {
        match self {
            DeadLetterOp::Retry => "retried",
            DeadLetterOp::Move { .. } => "moved",
            DeadLetterOp::Discard => "discarded",
            DeadLetterOp::Export { .. } => "exported",
        }
    }
}

/// An operation on some dead letters, as previewed and confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterPlan {
    pub op: DeadLetterOp,
    pub letters: Vec<DeadLetter>,
    /// Copies jetdeck kept of letters whose original the stream removed (it termed them
    /// itself): retry and move publish from these.
    pub kept: Vec<StoredMessage>,
}

/// How the operator settles a held message: the broker's own kinds.
pub type Settle = crate::broker::SettleKind;

/// Everything that can happen to the console.
#[derive(Debug)]
pub enum Action {
    Key(KeyEvent),
    /// Text pasted in one piece (bracketed paste), or a run of characters typed faster
    /// than frames are drawn: it goes whole into the field being typed in.
    Paste(String),
    /// A mouse click or wheel turn, and when it came (two clicks close together open).
    Mouse(MouseEvent, std::time::Instant),
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
    Published(Result<(PubAck, u32), ActionError>),
    Attached {
        id: u64,
        result: Result<AttachedInfo, ActionError>,
    },
    Pulled {
        id: u64,
        result: Result<Vec<MessageRow>, ActionError>,
    },
    Settled {
        id: u64,
        key: MessageKey,
        how: Settle,
        result: Result<(), ActionError>,
    },
    /// Auto mode: the worker handled a message (and failed it on purpose, or not).
    AutoHandled {
        id: u64,
        row: MessageRow,
    },
    Browsed {
        stream: String,
        from: u64,
        result: Result<BrowsePage, ActionError>,
    },
    ConsumerDeleted {
        stream: String,
        consumer: String,
        result: Result<(), ActionError>,
    },
    /// The stream's per-subject counts for a consumer whose filter may match nothing.
    StoredSubjects {
        stream: String,
        consumer: String,
        result: Result<Option<std::collections::BTreeMap<String, u64>>, ActionError>,
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
    /// A message read by sequence, with its timeline.
    MessageRead {
        stream: String,
        sequence: u64,
        result: Result<Box<(StoredMessage, Vec<TimelineEntry>)>, ActionError>,
    },
    /// Dead letters listed; `capture` says whether the capture stream exists.
    DeadLettersListed {
        result: Result<(Vec<DeadLetter>, bool), ActionError>,
    },
    /// A bulk operation finished one more letter.
    DeadLetterProgress(Progress),
    /// A bulk operation ended: `done` of `total`, and the summary line.
    DeadLettersDone {
        op: DeadLetterOp,
        summary: String,
        ok: bool,
        /// The letters retried or moved (their kept copies are no longer needed).
        copied: Vec<crate::deadletters::Target>,
    },
    /// A page of a consumer's outstanding messages (`from` as asked).
    OutstandingRead {
        stream: String,
        consumer: String,
        from: Option<u64>,
        result: Result<crate::diagnosis::OutstandingPage, ActionError>,
    },
    /// The capture stream was created (true), was there already (false), or not.
    CaptureCreated(Result<bool, ActionError>),
    /// A stream or consumer operation's preview, or its outcome checked on the server.
    Operated(super::operate::Operated),
    /// A message delete (or erase) was sent; Ok(true): read back, no longer there.
    MessageDeleted {
        stream: String,
        sequence: u64,
        erase: bool,
        result: Result<bool, ActionError>,
    },
    /// A filtered browse found its window (None: nothing matches) and its first page.
    BrowseLocated {
        stream: String,
        filter: BrowseFilter,
        at_last: bool,
        result: Result<Option<(BrowseWindow, Vec<BrowseRow>)>, ActionError>,
    },
    /// A page of a filtered browse, read from `from`.
    BrowsedWindow {
        stream: String,
        filter: BrowseFilter,
        from: u64,
        result: Result<Vec<BrowseRow>, ActionError>,
    },
    /// The stream's subjects with their message counts.
    SubjectsListed {
        stream: String,
        result: Result<crate::console::overlays::subjects::SubjectCounts, ActionError>,
    },
    /// A body written to a file (bytes, the full path), or why not.
    Saved {
        path: String,
        body: bytes::Bytes,
        result: Result<(usize, String), SaveFailure>,
    },
    /// A config form's create or edit was applied (the config read back) or refused.
    Configured {
        plan: Box<ConfigPlan>,
        result: Result<super::ServerConfig, ActionError>,
    },
    /// An effect failed before it could do anything (not connected, say).
    Failed(ActionError),
    /// Key-value buckets (issue 16).
    Kv(super::kv::KvAction),
    /// Object stores (issue 16).
    Objects(super::objects::ObjectAction),
    /// The tail's subscription started or was refused.
    TailStarted(Result<String, String>),
    /// Messages from the tail; the permit inside frees a slot for the next batch when
    /// this action is handled, so the tail never runs ahead of the console.
    TailBatch(crate::console::effects::TailFeed),
    /// What an answer or a request from the tail came to, in words.
    TailSent(Result<String, String>),
}

/// Why a body was not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveFailure {
    /// The file is there already: overwriting it needs a yes.
    Exists,
    Io(String),
}

/// What attaching found out about the consumer.
#[derive(Debug, Clone)]
pub struct AttachedInfo {
    pub stream: String,
    pub consumer: String,
    pub filter: String,
    pub ack_wait: Duration,
}

/// Where `X` reconnects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SwitchTarget {
    /// Back where this console started (its flags, environment, context or embedded
    /// server).
    Start,
    /// A natscli context, by name.
    Context(String),
    /// A server of the configuration file's `[servers]` (its URL masked in Debug).
    Server(crate::config::ConfiguredServer),
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
    /// Read a page of the stream from `from`: stored messages and runs of deleted
    /// sequences up to `last`. `bound`: the last stored sequence, when known (reading one
    /// message at a time never asks past it); `direct`: the stream allows direct get.
    Browse {
        stream: String,
        from: u64,
        last: u64,
        bound: Bound,
        direct: bool,
        /// Messages known to be stored from `from` on: reading that many one at a time
        /// needs no bound.
        ahead: Option<u64>,
    },
    DeleteConsumer {
        stream: String,
        consumer: String,
    },
    /// Read `stream` seq `sequence` (consuming nothing) and its timeline; `seen` is what
    /// jetdeck itself saw of it.
    ReadMessage {
        stream: String,
        sequence: u64,
        seen: Vec<TimelineEntry>,
    },
    /// List dead letters (the capture stream when present, plus `seen`).
    ListDeadLetters {
        filter: LetterFilter,
        seen: Vec<AdvisoryEvent>,
    },
    /// Run a confirmed operation over its letters, one at a time.
    DeadLetters(Box<DeadLetterPlan>),
    /// Create the capture stream (the operator said yes to the offer).
    CreateCapture,
    /// Read a page of `consumer`'s outstanding messages from `from` (by sequence,
    /// nothing consumed); `known` is what jetdeck knows per sequence.
    Outstanding {
        stream: String,
        consumer: String,
        from: Option<u64>,
        known: std::collections::BTreeMap<u64, Vec<crate::diagnosis::Known>>,
    },
    /// The diagnosis's one extra request, for the selected consumer only: the stream's
    /// per-subject counts, when its filter may match nothing.
    StoredSubjects(SubjectsWanted),
    /// Purge, delete a stream, pause, resume or reset a consumer, or preview one.
    Operate(super::operate::OpRequest),
    /// Delete (`erase`: and overwrite) one message, then read its sequence back.
    DeleteMessage {
        stream: String,
        sequence: u64,
        erase: bool,
    },
    /// Find the window a browse filter selects and read its first page (`at_last`: the
    /// page that starts at its last message).
    BrowseLocate {
        stream: String,
        filter: BrowseFilter,
        at_last: bool,
    },
    /// Read a page of a filtered browse: from `from`, never past `last`.
    BrowseWindow {
        stream: String,
        filter: BrowseFilter,
        from: u64,
        last: u64,
        direct: bool,
    },
    /// The stream's subjects with message counts.
    ListSubjects {
        stream: String,
    },
    /// Write a body to a file; an existing one only with `overwrite`.
    SaveBody {
        path: String,
        body: bytes::Bytes,
        overwrite: bool,
    },
    /// Put a body on the clipboard: an OSC 52 sequence the terminal owner writes.
    Clipboard(bytes::Bytes),
    /// Create or update a stream or consumer as previewed and confirmed, then read its
    /// config back from the server.
    Configure(Box<ConfigPlan>),
    /// Reconnect to a natscli context or a server of the configuration file: the console
    /// owner detaches what is attached (held messages nak'd), then moves the collector
    /// and advisories.
    Switch(SwitchTarget),
    /// Key-value buckets (issue 16).
    Kv(super::kv::KvEffect),
    /// Object stores (issue 16).
    Objects(super::objects::ObjectEffect),
    /// Tail a subject on plain NATS (a core subscription), replacing any tail running.
    StartTail {
        subject: String,
    },
    /// End the tail.
    StopTail,
    /// Publish an answer to a tailed message's reply subject.
    TailAnswer {
        reply: String,
        body: String,
    },
    /// Send a request from the tail and report its answer or its timeout.
    TailRequest {
        subject: String,
        body: String,
    },
}

/// The facts of the consumer whose stream's per-subject counts are wanted.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectsWanted(pub Box<crate::diagnosis::ConsumerFacts>);

// Effects compare whole; the facts hold no floats, so their equality is total.
impl Eq for SubjectsWanted {}
