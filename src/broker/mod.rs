//! The broker library: the Rust carrying of a go-micro v5 JetStream broker.
//!
//! Synchronous publish (a returned Ok means JetStream stored it), streams created on first
//! use, queue names as durable pull consumers, one worker per subscription with batch
//! pulls, panic recovery and exponential backoff, and a draining disconnect. Plus the
//! inspection calls an operations console needs.

mod address;
mod api;
mod backoff;
mod configure;
mod connection;
mod error;
mod event;
mod kv;
mod manual;
mod message;
mod messages;
mod metrics;
mod naming;
mod object_transfer;
mod objects;
mod operate;
mod options;
mod pages;
mod permissions;
mod publish;
mod streams;
mod subscribe;
mod tail;
mod version;
mod worker;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use async_nats::jetstream::{self, account::Account, consumer, stream};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use address::check_address;
pub use api::StoredMessage;
pub use backoff::{BACKOFF_MAX, BACKOFF_START, Backoff};
pub use configure::ConsumerAction;
pub use connection::ConnectionState;
pub use error::{
    ApiError, ApiErrorKind, ConnectError, DisconnectError, NOT_CONNECTED, PublishError,
    SettleError, StreamError, SubscribeError, codes,
};
pub use event::{Delivery, Event, SettleKind, Settlement};
pub use kv::{
    BucketRow, KEY_NAME_MAX, KV_STREAM_PREFIX, KeyEntry, KeyOperation, KeyWatch, KvError,
    KvErrorKind, NewBucket, bucket_of_stream, validate_key,
};
pub use message::{Headers, Message, valid_header_name};
pub use messages::BrowseWindow;
pub use metrics::Metrics;
pub use naming::{
    CharClass, MAX_QUEUE_NAME_LEN, QueueNameError, RECOMMENDED_QUEUE_NAME_LEN, TopicError,
    stream_name_for_topic, stream_subjects_for_topic, subject_matches, validate_queue_name,
    validate_topic,
};
pub use object_transfer::store_of_stream;
pub use objects::{ObjectError, ObjectSummary};
pub use operate::{
    Feature, OperateError, PurgeEstimate, PurgeScope, ResetOutcome, ResetTarget, StreamCounts,
    purge_estimate,
};
pub use options::{
    BrokerOptions, DEFAULT_ADDR, DEFAULT_BATCH_SIZE, DEFAULT_DRAIN_TIMEOUT, DEFAULT_FETCH_WAIT,
    MIN_FETCH_WAIT, SubscribeOptions, default_client_name, mask_url,
};
pub use pages::last_stored_subject;
pub use permissions::{DENIAL_KEPT, Denials, Denied, StoreMarks, parse_violation};
pub use publish::{MAX_PIPELINE_WINDOW, PIPELINE_BUDGET, PipelineError, Pipelined, PubAck};
pub use streams::StreamStatus;
pub use subscribe::{Subscription, UnsubscribeError, consumer_filters};
pub use tail::{
    TAIL_BATCH, TAIL_BATCH_BYTES, TAIL_FLUSH, TAIL_QUEUE, Tail, TailBatch, TailError,
    TailedMessage, round_trip, validate_send_subject, validate_tail_subject,
};
pub use version::{ServerVersion, VersionError};

use api::Api;
use metrics::Counters;
use streams::StreamRegistry;

/// What a handler returns: Ok -> ack, Err -> nak.
pub type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// One client and what hangs off it; replaced whole on every connect.
struct Connection {
    client: async_nats::Client,
    js: jetstream::Context,
    api: Api,
    streams: StreamRegistry,
    /// Parent of every worker's cancel token.
    workers_cancel: CancellationToken,
    workers: TaskTracker,
    /// Set by `disconnect`: no new subscriptions.
    closing: AtomicBool,
    /// Becomes true when this client has finished draining.
    closed: watch::Receiver<bool>,
    /// The server's max payload, read once at connect (server_info() copies a struct).
    max_payload: usize,
}

struct Shared {
    options: BrokerOptions,
    conn: RwLock<Option<Arc<Connection>>>,
    /// Serialises connect and disconnect.
    lifecycle: tokio::sync::Mutex<()>,
    counters: Arc<Counters>,
    state: watch::Sender<ConnectionState>,
    /// Bumped on every connect and disconnect; a client's events count only while its
    /// generation is current.
    generation: AtomicU64,
    /// PubAcks all pipelined publishes of this broker may keep outstanding together.
    pipeline_permits: Arc<tokio::sync::Semaphore>,
    /// Permission violations the server reported, so refusals are not taken for timeouts.
    denials: Arc<Denials>,
}

/// A JetStream broker. Cheap to clone; clones share the connection and counters.
#[derive(Clone)]
pub struct Broker {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Broker")
            .field("options", &self.shared.options)
            .field("state", &*self.shared.state.borrow())
            .finish()
    }
}

impl Broker {
    pub fn new(options: BrokerOptions) -> Self {
        let (state, _) = watch::channel(ConnectionState::NotConnected);
        Self {
            shared: Arc::new(Shared {
                options,
                conn: RwLock::new(None),
                lifecycle: tokio::sync::Mutex::new(()),
                counters: Arc::new(Counters::default()),
                state,
                generation: AtomicU64::new(0),
                pipeline_permits: Arc::new(tokio::sync::Semaphore::new(PIPELINE_BUDGET)),
                denials: Arc::default(),
            }),
        }
    }

    pub fn options(&self) -> &BrokerOptions {
        &self.shared.options
    }

    fn connection(&self) -> Option<Arc<Connection>> {
        self.shared
            .conn
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The connection, unless a disconnect has begun: what new subscriptions and pulls use.
    fn open_connection(&self) -> Option<Arc<Connection>> {
        self.connection()
            .filter(|c| !c.closing.load(Ordering::SeqCst))
    }

    /// Permission violations the server reported on this broker's connections.
    pub fn denials(&self) -> &Denials {
        &self.shared.denials
    }

    /// A snapshot of the broker's counters.
    pub fn metrics(&self) -> Metrics {
        self.shared.counters.snapshot()
    }
}

// The inspection calls an operations console needs: typed errors, every page of a listing.
impl Broker {
    fn api(&self) -> Result<Api, ApiError> {
        self.connection()
            .map(|c| c.api.clone())
            .ok_or(ApiError::NotConnected)
    }

    /// JetStream usage and limits of this account.
    pub async fn account_info(&self) -> Result<Account, ApiError> {
        self.api()?.account_info().await
    }

    /// Every stream, all pages, sorted by name.
    pub async fn list_streams(&self) -> Result<Vec<stream::Info>, ApiError> {
        self.api()?.list_streams().await
    }

    /// Stream names, all pages, sorted; with `subject`, only streams that listen on it.
    pub async fn stream_names(&self, subject: Option<&str>) -> Result<Vec<String>, ApiError> {
        self.api()?.stream_names(subject).await
    }

    /// One page of stream infos (up to 256) from `offset` of the server's listing, which
    /// is sorted by name: the infos of a window of rows in one request.
    pub async fn stream_infos_page(&self, offset: usize) -> Result<Vec<stream::Info>, ApiError> {
        self.api()?.stream_infos_page(offset).await
    }

    pub async fn stream_info(&self, stream: &str) -> Result<stream::Info, ApiError> {
        self.api()?.stream_info(stream).await
    }

    /// Messages stored per subject matching `filter` (wildcards allowed), all pages:
    /// what tells whether a consumer's filter matches anything the stream holds.
    pub async fn stream_subjects(
        &self,
        stream: &str,
        filter: &str,
    ) -> Result<std::collections::BTreeMap<String, u64>, ApiError> {
        self.api()?.stream_subjects(stream, filter).await
    }

    /// Every consumer of `stream`, all pages, sorted by name.
    pub async fn list_consumers(&self, stream: &str) -> Result<Vec<consumer::Info>, ApiError> {
        self.api()?.list_consumers(stream).await
    }

    pub async fn consumer_info(
        &self,
        stream: &str,
        consumer: &str,
    ) -> Result<consumer::Info, ApiError> {
        self.api()?.consumer_info(stream, consumer).await
    }

    pub async fn delete_consumer(&self, stream: &str, consumer: &str) -> Result<(), ApiError> {
        self.api()?.delete_consumer(stream, consumer).await
    }

    /// Deletes a stream and forgets it, so the next publish creates it again.
    pub async fn delete_stream(&self, stream: &str) -> Result<(), ApiError> {
        let conn = self.connection().ok_or(ApiError::NotConnected)?;
        conn.streams.forget(stream);
        conn.api.delete_stream(stream).await
    }

    /// Reads the message at `sequence` without consuming it (no consumer is made; works
    /// on WorkQueue streams).
    pub async fn get_message(
        &self,
        stream: &str,
        sequence: u64,
    ) -> Result<StoredMessage, ApiError> {
        self.api()?.get_message(stream, sequence).await
    }

    /// The first message at or after `sequence` on `subject` (wildcards allowed), or
    /// `None` past the end: reads a stream in order without a consumer.
    pub async fn get_next_message(
        &self,
        stream: &str,
        sequence: u64,
        subject: &str,
    ) -> Result<Option<StoredMessage>, ApiError> {
        self.api()?
            .get_next_message(stream, sequence, subject)
            .await
    }

    /// Deletes the message at `sequence` from `stream`; `erase` overwrites its bytes.
    pub async fn delete_message(
        &self,
        stream: &str,
        sequence: u64,
        erase: bool,
    ) -> Result<(), ApiError> {
        self.api()?.delete_message(stream, sequence, erase).await
    }

    /// Creates a stream with exactly `config` (refused when one of that name exists with
    /// another config). For streams an operator asked for by name, not first-use ones.
    pub async fn create_stream(&self, config: &stream::Config) -> Result<stream::Info, ApiError> {
        self.api()?.create_stream(config).await
    }
}
