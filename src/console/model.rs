//! What the console shows, as plain data: the collector fills it from the server, the UI
//! reads it, tests build it by hand.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::SystemTime;

use async_nats::jetstream::{consumer, stream};

use crate::broker::{ConnectionState, Metrics};

/// Fixed facts about this session, known at start.
#[derive(Debug, Clone, Default)]
pub struct SessionInfo {
    /// Server URL(s) as shown: secrets masked.
    pub servers: String,
    /// The natscli context in use, if any.
    pub context: Option<String>,
    /// Set with `--embedded`: the private server's store and log.
    pub embedded: Option<EmbeddedInfo>,
    pub log_file: PathBuf,
    /// `--read-only`: nothing that changes the server is sent.
    pub read_only: bool,
}

#[derive(Debug, Clone)]
pub struct EmbeddedInfo {
    pub store_dir: PathBuf,
    pub log_file: PathBuf,
}

/// The connection as the header shows it.
#[derive(Debug, Clone)]
pub struct ConnectionView {
    pub state: ConnectionState,
    pub last_error: Option<String>,
    pub server_name: Option<String>,
    pub version: Option<String>,
    /// The member this client is connected to now (`host:port`).
    pub connected_url: Option<String>,
    /// The server's largest message, for checking a publish before it is sent.
    pub max_payload: Option<usize>,
}

impl Default for ConnectionView {
    fn default() -> Self {
        Self {
            state: ConnectionState::NotConnected,
            last_error: None,
            server_name: None,
            version: None,
            connected_url: None,
            max_payload: None,
        }
    }
}

/// JetStream usage of the account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountView {
    pub memory: u64,
    pub storage: u64,
    pub streams: usize,
    pub consumers: usize,
    pub api_total: u64,
    pub api_errors: u64,
}

/// One stream row: its info and what the collector worked out over time.
#[derive(Debug, Clone)]
pub struct StreamView {
    pub info: stream::Info,
    /// Incoming messages per second (from the last sequence, so consumption on a
    /// WorkQueue stream does not hide publishing).
    pub rate: f64,
    /// Incoming rates over the last minute, oldest first.
    pub history: VecDeque<f64>,
    /// When its info was read: rows far from the selection in a large account are read
    /// less often than the refresh.
    pub read_at: SystemTime,
}

impl StreamView {
    pub fn name(&self) -> &str {
        &self.info.config.name
    }
}

/// How a consumer's redelivery looks right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConsumerAlert {
    #[default]
    None,
    /// Ack pending rose since the last look.
    AckPendingRising,
    /// Messages were redelivered since the last look.
    Redelivering,
}

#[derive(Debug, Clone)]
pub struct ConsumerView {
    pub info: consumer::Info,
    pub delivered_rate: f64,
    pub acked_rate: f64,
    pub alert: ConsumerAlert,
}

impl ConsumerView {
    pub fn name(&self) -> &str {
        &self.info.name
    }
}

/// Consumers of one stream, as last fetched.
#[derive(Debug, Clone, Default)]
pub struct ConsumersView {
    pub stream: Option<String>,
    pub rows: Vec<ConsumerView>,
}

/// One JetStream advisory, reduced to what the events pane shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advisory {
    pub time: SystemTime,
    pub kind: AdvisoryKind,
    pub stream: String,
    pub consumer: Option<String>,
    /// Kind-specific facts, e.g. "seq 4, 3 deliveries" or a term reason.
    pub detail: String,
    /// The stream sequence a message advisory (nak, term, max deliveries) is about.
    pub stream_seq: Option<u64>,
    /// How many deliveries the message had, for the same.
    pub deliveries: Option<u64>,
    /// A term's reason, when one was given.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdvisoryKind {
    StreamCreated,
    StreamDeleted,
    StreamUpdated,
    ConsumerCreated,
    ConsumerDeleted,
    MaxDeliveries,
    Terminated,
    Naked,
    Other(String),
}

impl AdvisoryKind {
    pub fn label(&self) -> &str {
        match self {
            AdvisoryKind::StreamCreated => "STREAM CREATED",
            AdvisoryKind::StreamDeleted => "STREAM DELETED",
            AdvisoryKind::StreamUpdated => "STREAM UPDATED",
            AdvisoryKind::ConsumerCreated => "CONSUMER CREATED",
            AdvisoryKind::ConsumerDeleted => "CONSUMER DELETED",
            AdvisoryKind::MaxDeliveries => "MAX_DELIVERIES",
            AdvisoryKind::Terminated => "MSG_TERMINATED",
            AdvisoryKind::Naked => "MSG_NAKED",
            AdvisoryKind::Other(kind) => kind,
        }
    }
}

/// One refresh's worth of server state, sent by the collector.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub taken: SystemTime,
    /// None when this user may not ask for it (see `denied`).
    pub account: Option<AccountView>,
    /// Every stream's name, sorted (shared: listed again only when due).
    pub stream_names: std::sync::Arc<[String]>,
    /// The streams whose infos this refresh read: all of them when `streams_complete`,
    /// else those around the selection.
    pub streams: Vec<StreamView>,
    pub streams_complete: bool,
    /// False when the stream listing was refused: `streams` is empty for that reason.
    pub streams_listed: bool,
    /// JetStream API subjects the server refused to this user in this refresh.
    pub denied: Vec<String>,
    /// Consumers of the stream selected when the snapshot was taken.
    pub consumers: ConsumersView,
    pub metrics: Metrics,
    /// JetStream API requests this refresh made.
    pub requests: usize,
}
