//! The broker library: the Rust carrying of a go-micro v5 JetStream broker.
//!
//! Synchronous publish (a returned Ok means JetStream stored it), streams created on first
//! use, queue names as durable pull consumers, one worker per subscription with batch
//! pulls, panic recovery and exponential backoff, and a draining disconnect. Plus the
//! inspection calls an operations console needs.

mod api;
mod backoff;
mod error;
mod event;
mod message;
mod metrics;
mod naming;
mod options;
mod streams;
mod version;
mod worker;

use std::future::Future;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use async_nats::ServerAddr;
use async_nats::jetstream::{self, account::Account, consumer, stream};
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use api::StoredMessage;
pub use backoff::{BACKOFF_MAX, BACKOFF_START, Backoff};
pub use error::{
    ApiError, ApiErrorKind, ConnectError, DisconnectError, NOT_CONNECTED, PublishError,
    SettleError, StreamError, SubscribeError, codes,
};
pub use event::{Delivery, Event, SettleKind, Settlement};
pub use message::{Headers, Message, valid_header_name};
pub use metrics::Metrics;
pub use naming::{
    CharClass, MAX_QUEUE_NAME_LEN, QueueNameError, RECOMMENDED_QUEUE_NAME_LEN, TopicError,
    stream_name_for_topic, stream_subjects_for_topic, subject_matches, validate_queue_name,
    validate_topic,
};
pub use options::{
    BrokerOptions, DEFAULT_ADDR, DEFAULT_BATCH_SIZE, DEFAULT_DRAIN_TIMEOUT, DEFAULT_FETCH_WAIT,
    MIN_FETCH_WAIT, SubscribeOptions, default_client_name, mask_url,
};
pub use streams::StreamStatus;
pub use version::{ServerVersion, VersionError};

use api::Api;
use metrics::Counters;
use streams::StreamRegistry;
use worker::{BoxHandler, Worker};

/// What a handler returns: Ok -> ack, Err -> nak.
pub type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Most PubAcks one pipelined publish keeps outstanding.
pub const MAX_PIPELINE_WINDOW: usize = 1024;

/// Most PubAcks all pipelined publishes of one broker keep outstanding together: under
/// async-nats' 5,000 per connection (beyond which a publish waits for a free slot), with room
/// left for one-at-a-time publishes.
pub const PIPELINE_BUDGET: usize = 4096;

/// What a pipelined publish stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pipelined {
    /// One PubAck per message, in order.
    pub acks: Vec<PubAck>,
    /// Most PubAcks that were outstanding at once (at most the window).
    pub max_in_flight: usize,
}

/// A pipelined publish that failed at one message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("message {index} failed ({stored} stored before the run stopped): {source}")]
pub struct PipelineError {
    /// The failed message's index, from 0.
    pub index: usize,
    /// Messages stored (acknowledged) in this run.
    pub stored: usize,
    #[source]
    pub source: PublishError,
}

/// JetStream's answer to a publish: where the message was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PubAck {
    pub stream: String,
    pub sequence: u64,
    /// The server recognised the message as a duplicate (same Nats-Msg-Id) and did not
    /// store it again.
    pub duplicate: bool,
}

/// The connection as the broker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// Never connected, or disconnected on purpose.
    NotConnected,
    Connected,
    /// The connection dropped; the client is reconnecting on its own.
    Reconnecting,
    /// Closed after a drain.
    Closed,
}

impl std::fmt::Display for ConnectionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ConnectionState::NotConnected => "not connected",
            ConnectionState::Connected => "connected",
            ConnectionState::Reconnecting => "reconnecting",
            ConnectionState::Closed => "closed",
        })
    }
}

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

    /// The connection state now.
    pub fn connection_state(&self) -> ConnectionState {
        *self.shared.state.borrow()
    }

    /// A receiver that sees every connection state change.
    pub fn watch_connection(&self) -> watch::Receiver<ConnectionState> {
        self.shared.state.subscribe()
    }

    /// The server this connection is on now (name, version, URL ...), when connected.
    pub fn server_info(&self) -> Option<async_nats::ServerInfo> {
        self.connection().map(|c| c.client.server_info())
    }

    /// The underlying async-nats client, when connected (for subscriptions to plain
    /// subjects such as advisories).
    pub fn client(&self) -> Option<async_nats::Client> {
        self.connection().map(|c| c.client.clone())
    }

    /// A snapshot of the broker's counters.
    pub fn metrics(&self) -> Metrics {
        self.shared.counters.snapshot()
    }

    /// Connects to the servers in the options. Connecting when connected does nothing.
    pub async fn connect(&self) -> Result<(), ConnectError> {
        let _lifecycle = self.shared.lifecycle.lock().await;
        if let Some(conn) = self.connection() {
            if !*conn.closed.borrow() {
                return Ok(());
            }
            // The client gave up (closed by the server or out of reconnects): start over.
            conn.workers_cancel.cancel();
            self.shared
                .conn
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .take();
        }
        let options = &self.shared.options;
        let parsed = parse_addrs(&options.addrs)?;
        let shown = options
            .addrs
            .iter()
            .map(|a| mask_url(a))
            .collect::<Vec<_>>()
            .join(",");
        // Events of an older client (one still draining) must not touch the state.
        let generation = self.shared.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let shared = Arc::downgrade(&self.shared);
        let (closed_tx, closed) = watch::channel(false);
        let mut nats_options = options
            .nats_options
            .clone()
            .unwrap_or_default()
            .name(&options.client_name)
            .event_callback(move |event| {
                let shared = shared.clone();
                let closed_tx = closed_tx.clone();
                async move {
                    if matches!(event, async_nats::Event::Closed) {
                        closed_tx.send_replace(true);
                    }
                    // Until connect() has stored this connection it reports the state
                    // itself: nobody may see "connected" before the broker can be used.
                    if let Some(shared) = shared.upgrade()
                        && shared.generation.load(Ordering::SeqCst) == generation
                        && shared
                            .conn
                            .read()
                            .unwrap_or_else(|e| e.into_inner())
                            .is_some()
                    {
                        on_client_event(&shared.state, event);
                    }
                }
            });
        // Credentials travel in the connect options, not in the URLs, so that no log
        // line of the client's can carry them.
        nats_options = match parsed.credentials {
            Some(Credentials::UserPassword(user, password)) => {
                nats_options.user_and_password(user, password)
            }
            Some(Credentials::Token(token)) => nats_options.token(token),
            None => nats_options,
        };
        let client = nats_options
            .connect(parsed.addrs)
            .await
            .map_err(|e| connect_error(&shown, e))?;
        let js = match (&options.js_domain, &options.js_api_prefix) {
            (Some(domain), _) => jetstream::with_domain(client.clone(), domain),
            (None, Some(prefix)) => jetstream::with_prefix(client.clone(), prefix),
            (None, None) => jetstream::new(client.clone()),
        };
        let now = match client.connection_state() {
            async_nats::connection::State::Connected => ConnectionState::Connected,
            _ => ConnectionState::Reconnecting,
        };
        let max_payload = client.server_info().max_payload;
        let connection = Connection {
            client,
            api: Api::new(js.clone(), self.shared.counters.clone()),
            js,
            streams: StreamRegistry::new(options.stream_config.clone()),
            workers_cancel: CancellationToken::new(),
            workers: TaskTracker::new(),
            closing: AtomicBool::new(false),
            closed,
            max_payload,
        };
        *self.shared.conn.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(connection));
        self.shared.state.send_replace(now);
        tracing::info!(servers = %shown, name = %options.client_name, "connected");
        Ok(())
    }

    /// Stops every worker (running handlers finish and their acks are sent), then drains
    /// and closes the connection, each phase bounded by the drain timeout. Disconnecting
    /// when not connected does nothing.
    pub async fn disconnect(&self) -> Result<(), DisconnectError> {
        let _lifecycle = self.shared.lifecycle.lock().await;
        let Some(conn) = self.connection() else {
            return Ok(());
        };
        let bound = self.shared.options.drain_timeout;
        // The connection stays usable while running handlers finish (they may publish);
        // only new subscriptions are refused.
        conn.closing.store(true, Ordering::SeqCst);
        conn.workers_cancel.cancel();
        conn.workers.close();
        let mut outcome = Ok(());
        if tokio::time::timeout(bound, conn.workers.wait())
            .await
            .is_err()
        {
            tracing::warn!(?bound, "workers still busy at disconnect");
            outcome = Err(DisconnectError::WorkersTimedOut(bound));
        }
        self.shared
            .conn
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        // From here the old client's events no longer speak for the broker.
        let reachable = self.connection_state() == ConnectionState::Connected;
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
        if !reachable {
            // No server to drain to: unsent acks are lost and those messages come back
            // after their ack wait.
            tracing::warn!("disconnecting while the server is unreachable; nothing to drain");
            self.shared
                .state
                .send_replace(ConnectionState::NotConnected);
            return outcome;
        }
        let mut closed = conn.closed.clone();
        let drained = async {
            // Flush first so every ack the workers sent is on the wire, then drain.
            let _ = conn.client.flush().await;
            if conn.client.drain().await.is_ok() {
                let _ = closed.wait_for(|closed| *closed).await;
            }
        };
        if tokio::time::timeout(bound, drained).await.is_err() {
            tracing::warn!(?bound, "drain did not finish");
            outcome = outcome.and(Err(DisconnectError::DrainTimedOut(bound)));
        }
        self.shared
            .state
            .send_replace(ConnectionState::NotConnected);
        tracing::info!("disconnected");
        outcome
    }

    /// Makes sure the stream for `topic` exists and covers it (creating it on first use).
    pub async fn ensure_stream(&self, topic: &str) -> Result<StreamStatus, PublishError> {
        validate_topic(topic)?;
        let conn = self.connection().ok_or(PublishError::NotConnected)?;
        Ok(conn.streams.ensure(&conn.api, topic).await?)
    }

    /// Publishes and waits for JetStream's PubAck: Ok means the message is stored.
    pub async fn publish(&self, topic: &str, message: Message) -> Result<PubAck, PublishError> {
        validate_topic(topic)?;
        let conn = self.connection().ok_or(PublishError::NotConnected)?;
        if conn.streams.cached(topic).is_none() {
            conn.streams.ensure(&conn.api, topic).await?;
        }
        let ack = match send_publish(&conn, topic, &message).await {
            // The stream went away since it was remembered: make it again, once.
            Err(PublishError::NoStream { .. }) if conn.streams.cached(topic).is_some() => {
                conn.streams.forget(&stream_name_for_topic(topic));
                conn.streams.ensure(&conn.api, topic).await?;
                send_publish(&conn, topic, &message).await?
            }
            other => other?,
        };
        Counters::incr(&self.shared.counters.published);
        Ok(ack)
    }

    /// Publishes many messages with at most `window` PubAcks outstanding (capped at
    /// `MAX_PIPELINE_WINDOW`), and checks every one of them. On a failure the error names
    /// the lowest failing index (from 0) and exactly how many messages were stored; no new
    /// message is sent after a failure is seen, but those already in flight may be stored
    /// (they are counted).
    pub async fn publish_pipelined<I>(
        &self,
        topic: &str,
        messages: I,
        window: usize,
    ) -> Result<Pipelined, PipelineError>
    where
        I: IntoIterator<Item = Message>,
    {
        let at = |index: usize, stored: usize| {
            move |source: PublishError| PipelineError {
                index,
                stored,
                source,
            }
        };
        validate_topic(topic).map_err(|e| at(0, 0)(e.into()))?;
        let conn = self
            .connection()
            .ok_or_else(|| at(0, 0)(PublishError::NotConnected))?;
        if conn.streams.cached(topic).is_none() {
            conn.streams
                .ensure(&conn.api, topic)
                .await
                .map_err(|e| at(0, 0)(e.into()))?;
        }
        let window = window.clamp(1, MAX_PIPELINE_WINDOW);
        let permits = &self.shared.pipeline_permits;
        let mut in_flight = std::collections::VecDeque::with_capacity(window);
        let mut done = Pipelined::default();
        let mut failure: Option<PipelineError> = None;
        'messages: for (index, message) in messages.into_iter().enumerate() {
            // A slot of our window, and one of the broker's in-flight budget shared with
            // other pipelines. Short of either, settle our own oldest first: a pipeline only
            // ever blocks while it holds nothing, so two cannot wait on each other.
            let permit = loop {
                if in_flight.len() < window
                    && let Ok(permit) = permits.clone().try_acquire_owned()
                {
                    break permit;
                }
                match in_flight.pop_front() {
                    Some((i, pending, _permit)) => {
                        if let Err(e) = self.await_ack(&conn, topic, pending, &mut done).await {
                            failure = Some(at(i, 0)(e));
                            break 'messages;
                        }
                    }
                    None => {
                        break permits
                            .clone()
                            .acquire_owned()
                            .await
                            .expect("the permit semaphore is never closed");
                    }
                }
            };
            match send_only(&conn, topic, &message).await {
                Ok(pending) => in_flight.push_back((index, (pending, message.wire_size()), permit)),
                Err(e) => {
                    failure = Some(at(index, 0)(e));
                    break;
                }
            }
            done.max_in_flight = done.max_in_flight.max(in_flight.len());
        }
        // Everything sent is checked, a failure or not: nothing is dropped unseen.
        for (i, pending, _permit) in in_flight {
            if let Err(e) = self.await_ack(&conn, topic, pending, &mut done).await
                && failure.as_ref().is_none_or(|f| i < f.index)
            {
                failure = Some(at(i, 0)(e));
            }
        }
        match failure {
            Some(mut e) => {
                e.stored = done.acks.len();
                Err(e)
            }
            None => Ok(done),
        }
    }

    async fn await_ack(
        &self,
        conn: &Connection,
        topic: &str,
        (pending, size): (async_nats::jetstream::context::PublishAckFuture, usize),
        done: &mut Pipelined,
    ) -> Result<(), PublishError> {
        let ack = pending
            .await
            .map_err(|e| publish_error(conn, topic, size, e))?;
        Counters::incr(&self.shared.counters.published);
        done.acks.push(PubAck {
            stream: ack.stream,
            sequence: ack.sequence,
            duplicate: ack.duplicate,
        });
        Ok(())
    }

    /// Subscribes `handler` to `topic` through the durable pull consumer named by the
    /// queue. Creates the stream and the consumer when missing; a consumer that exists
    /// must be filtered to this topic.
    pub async fn subscribe<H, F>(
        &self,
        topic: &str,
        handler: H,
        options: SubscribeOptions,
    ) -> Result<Subscription, SubscribeError>
    where
        H: Fn(Event) -> F + Send + Sync + 'static,
        F: Future<Output = HandlerResult> + Send + 'static,
    {
        let (stream, info) = self.ensure_consumer(topic, &options).await?;
        self.spawn_worker(&stream.name, topic, info, handler, &options)
    }

    /// What `subscribe` does before its worker starts: checks the queue name and topic,
    /// makes the stream and the durable consumer when missing, and returns them.
    pub async fn ensure_consumer(
        &self,
        topic: &str,
        options: &SubscribeOptions,
    ) -> Result<(StreamStatus, consumer::Info), SubscribeError> {
        validate_queue_name(&options.queue)?;
        validate_topic(topic)?;
        let conn = self.open_connection().ok_or(SubscribeError::NotConnected)?;
        let stream = conn.streams.ensure(&conn.api, topic).await?;
        let info = ensure_consumer(&conn.api, &stream.name, topic, options).await?;
        Ok((stream, info))
    }

    /// Runs `handler` on an existing durable pull consumer (its name is the queue of
    /// `options`), whatever its filter: the way to work a consumer someone else made.
    pub async fn attach<H, F>(
        &self,
        stream: &str,
        handler: H,
        options: SubscribeOptions,
    ) -> Result<Subscription, SubscribeError>
    where
        H: Fn(Event) -> F + Send + Sync + 'static,
        F: Future<Output = HandlerResult> + Send + 'static,
    {
        let info = self.pull_consumer_info(stream, &options.queue).await?;
        let topic = consumer_filters(&info.config).join(",");
        self.spawn_worker(stream, &topic, info, handler, &options)
    }

    /// Pulls one batch from an existing durable pull consumer and hands the messages
    /// back unsettled: the caller acks, naks, terms or reports progress on each (nothing
    /// is settled for it). Waits up to `wait` for the batch to fill; with a zero `wait`
    /// it takes what is there now and returns at once.
    pub async fn pull(
        &self,
        stream: &str,
        consumer: &str,
        batch: usize,
        wait: Duration,
    ) -> Result<Vec<Event>, SubscribeError> {
        let info = self.pull_consumer_info(stream, consumer).await?;
        let conn = self.open_connection().ok_or(SubscribeError::NotConnected)?;
        let puller = consumer::Consumer::new(pull_config(&info), info, conn.js.clone());
        let pull_failed = |e: String| SubscribeError::Pull {
            stream: stream.to_string(),
            consumer: consumer.to_string(),
            reason: e,
        };
        let pulled = if wait.is_zero() {
            puller.fetch().max_messages(batch.max(1)).messages().await
        } else {
            puller
                .batch()
                .max_messages(batch.max(1))
                .expires(wait.max(MIN_FETCH_WAIT))
                .messages()
                .await
        };
        let mut messages = pulled.map_err(|e| pull_failed(e.to_string()))?;
        let mut events = Vec::new();
        while let Some(message) = messages.next().await {
            let message = match message {
                Ok(message) => message,
                // What already arrived is handed back rather than left to time out.
                Err(e) if !events.is_empty() => {
                    tracing::warn!(stream, consumer, error = %e, "pull ended early");
                    break;
                }
                Err(e) => return Err(pull_failed(e.to_string())),
            };
            match Event::from_jetstream(message) {
                Ok((event, _)) => {
                    Counters::incr(&self.shared.counters.consumed);
                    events.push(event);
                }
                Err(reason) => tracing::warn!(%reason, "pulled a message without metadata"),
            }
        }
        Ok(events)
    }

    fn open_connection(&self) -> Option<Arc<Connection>> {
        self.connection()
            .filter(|c| !c.closing.load(Ordering::SeqCst))
    }

    /// The info of a durable consumer the broker can pull from (refused with a reason when
    /// it is a push consumer or does not ack explicitly).
    pub async fn pull_consumer_info(
        &self,
        stream: &str,
        consumer: &str,
    ) -> Result<consumer::Info, SubscribeError> {
        validate_queue_name(consumer)?;
        let conn = self.open_connection().ok_or(SubscribeError::NotConnected)?;
        let info = conn
            .api
            .consumer_info(stream, consumer)
            .await
            .map_err(|source| SubscribeError::Consumer {
                queue: consumer.to_string(),
                stream: stream.to_string(),
                source,
            })?;
        check_pull_consumer(stream, &info)?;
        Ok(info)
    }

    fn spawn_worker<H, F>(
        &self,
        stream: &str,
        topic: &str,
        info: consumer::Info,
        handler: H,
        options: &SubscribeOptions,
    ) -> Result<Subscription, SubscribeError>
    where
        H: Fn(Event) -> F + Send + Sync + 'static,
        F: Future<Output = HandlerResult> + Send + 'static,
    {
        let conn = self.open_connection().ok_or(SubscribeError::NotConnected)?;
        let consumer = consumer::Consumer::new(pull_config(&info), info, conn.js.clone());
        let handler: BoxHandler = Arc::new(move |event| handler(event).boxed());
        let cancel = conn.workers_cancel.child_token();
        let worker = Worker {
            consumer,
            handler,
            batch_size: options.batch_size.unwrap_or(self.shared.options.batch_size),
            fetch_wait: options.fetch_wait.unwrap_or(self.shared.options.fetch_wait),
            max_bytes: options.max_bytes,
            streaming: options.streaming,
            counters: self.shared.counters.clone(),
            cancel: cancel.clone(),
            state: self.shared.state.subscribe(),
            label: format!("{stream}/{}", options.queue),
            _active: worker::ActiveGuard::new(self.shared.counters.clone()),
        };
        if cancel.is_cancelled() {
            // disconnect began while this subscription was being set up
            return Err(SubscribeError::NotConnected);
        }
        let handle = conn.workers.spawn(worker.run());
        tracing::info!(topic, queue = %options.queue, stream, "subscribed");
        Ok(Subscription {
            topic: topic.to_string(),
            queue: options.queue.clone(),
            stream: stream.to_string(),
            cancel,
            handle: Some(handle),
        })
    }

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

    pub async fn stream_info(&self, stream: &str) -> Result<stream::Info, ApiError> {
        self.api()?.stream_info(stream).await
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
}

use async_nats::jetstream::consumer::pull;

fn pull_config(info: &consumer::Info) -> pull::Config {
    pull::Config {
        durable_name: info.config.durable_name.clone(),
        filter_subject: info.config.filter_subject.clone(),
        filter_subjects: info.config.filter_subjects.clone(),
        ack_policy: info.config.ack_policy,
        ack_wait: info.config.ack_wait,
        max_deliver: info.config.max_deliver,
        ..Default::default()
    }
}

/// The subjects a consumer is filtered to (one or several; empty means everything).
pub fn consumer_filters(config: &consumer::Config) -> Vec<String> {
    if config.filter_subjects.is_empty() {
        Some(config.filter_subject.clone())
            .filter(|f| !f.is_empty())
            .into_iter()
            .collect()
    } else {
        config.filter_subjects.clone()
    }
}

/// A consumer the broker can work: pulled (no deliver subject), explicit acks.
fn check_pull_consumer(stream: &str, info: &consumer::Info) -> Result<(), SubscribeError> {
    let unsuitable = |reason: String| SubscribeError::UnsuitableConsumer {
        queue: info.name.clone(),
        stream: stream.to_string(),
        reason,
    };
    if info.config.deliver_subject.is_some() {
        return Err(unsuitable(
            "it is a push consumer; the broker pulls".to_string(),
        ));
    }
    if info.config.ack_policy != consumer::AckPolicy::Explicit {
        return Err(unsuitable(format!(
            "its ack policy is {:?}; the broker needs explicit acks",
            info.config.ack_policy
        )));
    }
    Ok(())
}

/// Finds the durable consumer for the queue, or creates it filtered to the topic.
async fn ensure_consumer(
    api: &Api,
    stream: &str,
    topic: &str,
    options: &SubscribeOptions,
) -> Result<consumer::Info, SubscribeError> {
    let refused = |source| SubscribeError::Consumer {
        queue: options.queue.clone(),
        stream: stream.to_string(),
        source,
    };
    let check = |info: consumer::Info| {
        let filters = consumer_filters(&info.config);
        check_pull_consumer(stream, &info)?;
        if filters.iter().any(|f| f == topic) {
            Ok(info)
        } else {
            Err(SubscribeError::FilterMismatch {
                queue: options.queue.clone(),
                stream: stream.to_string(),
                topic: topic.to_string(),
                filters,
            })
        }
    };
    // Create first: the server answers an identical existing consumer with its info, so
    // the usual paths cost one request and no API error; anything else is looked up.
    let mut config = consumer::Config {
        durable_name: Some(options.queue.clone()),
        filter_subject: topic.to_string(),
        ack_policy: consumer::AckPolicy::Explicit,
        deliver_policy: consumer::DeliverPolicy::All,
        ..Default::default()
    };
    if let Some(ack_wait) = options.ack_wait {
        config.ack_wait = ack_wait;
    }
    if let Some(max_deliver) = options.max_deliver {
        config.max_deliver = max_deliver;
    }
    match api.create_consumer(stream, &config).await {
        Ok(info) => {
            tracing::info!(stream, consumer = %options.queue, filter = topic, "durable consumer ready");
            check(info)
        }
        // It exists with another config (or the server refused it): look at what is there.
        Err(e) => match api.consumer_info(stream, &options.queue).await {
            Ok(info) => check(info),
            Err(_) => Err(refused(e)),
        },
    }
}

/// The broker's error for an async-nats publish failure.
fn publish_error(
    conn: &Connection,
    topic: &str,
    size: usize,
    e: async_nats::jetstream::context::PublishError,
) -> PublishError {
    use async_nats::jetstream::context::PublishErrorKind;
    match e.kind() {
        PublishErrorKind::TimedOut => PublishError::TimedOut {
            topic: topic.to_string(),
        },
        PublishErrorKind::MaxPayloadExceeded => PublishError::TooLarge {
            size,
            max: conn.max_payload,
        },
        PublishErrorKind::StreamNotFound => PublishError::NoStream {
            topic: topic.to_string(),
        },
        PublishErrorKind::WrongLastMessageId | PublishErrorKind::WrongLastSequence => {
            PublishError::Rejected {
                topic: topic.to_string(),
                reason: e.to_string(),
            }
        }
        _ => PublishError::Failed {
            topic: topic.to_string(),
            reason: e.to_string(),
        },
    }
}

/// Sends one message and returns the PubAck still to come.
async fn send_only(
    conn: &Connection,
    topic: &str,
    message: &Message,
) -> Result<async_nats::jetstream::context::PublishAckFuture, PublishError> {
    if let Some(bad) = message.headers.invalid() {
        return Err(PublishError::InvalidHeader(bad));
    }
    let max = conn.max_payload;
    let size = message.wire_size();
    if max > 0 && size > max {
        return Err(PublishError::TooLarge { size, max });
    }
    let sent = if message.headers.is_empty() {
        conn.js
            .publish(topic.to_string(), message.body.clone())
            .await
    } else {
        conn.js
            .publish_with_headers(
                topic.to_string(),
                message.headers.to_nats(),
                message.body.clone(),
            )
            .await
    };
    sent.map_err(|e| publish_error(conn, topic, size, e))
}

/// Sends one message and waits for its PubAck.
async fn send_publish(
    conn: &Connection,
    topic: &str,
    message: &Message,
) -> Result<PubAck, PublishError> {
    let ack = send_only(conn, topic, message)
        .await?
        .await
        .map_err(|e| publish_error(conn, topic, message.wire_size(), e))?;
    Ok(PubAck {
        stream: ack.stream,
        sequence: ack.sequence,
        duplicate: ack.duplicate,
    })
}

fn on_client_event(state: &watch::Sender<ConnectionState>, event: async_nats::Event) {
    let next = match event {
        async_nats::Event::Connected => Some(ConnectionState::Connected),
        async_nats::Event::Disconnected => Some(ConnectionState::Reconnecting),
        async_nats::Event::Closed => Some(ConnectionState::Closed),
        _ => None,
    };
    match next {
        Some(next) => {
            tracing::info!(%event, "connection event");
            state.send_replace(next);
        }
        None => match event {
            async_nats::Event::ServerError(_) | async_nats::Event::ClientError(_) => {
                tracing::warn!(%event, "connection event")
            }
            _ => tracing::info!(%event, "connection event"),
        },
    }
}

/// Credentials found in a server URL.
enum Credentials {
    UserPassword(String, String),
    Token(String),
}

struct ParsedAddrs {
    addrs: Vec<ServerAddr>,
    credentials: Option<Credentials>,
}

/// Splits `scheme://userinfo@host` into the URL without userinfo and the credentials.
fn split_userinfo(url: &str) -> (String, Option<Credentials>) {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    match rest.rsplit_once('@') {
        Some((userinfo, host)) => {
            let credentials = match userinfo.split_once(':') {
                Some((user, password)) => {
                    Credentials::UserPassword(user.to_string(), password.to_string())
                }
                None => Credentials::Token(userinfo.to_string()),
            };
            (format!("{scheme}{host}"), Some(credentials))
        }
        None => (url.to_string(), None),
    }
}

fn parse_addrs(addrs: &[String]) -> Result<ParsedAddrs, ConnectError> {
    let addrs: Vec<&str> = addrs
        .iter()
        .flat_map(|a| a.split(','))
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    if addrs.is_empty() {
        return Err(ConnectError::NoAddress);
    }
    let mut credentials = None;
    let mut parsed = Vec::with_capacity(addrs.len());
    for addr in addrs {
        let (bare, found) = split_userinfo(addr);
        credentials = credentials.or(found);
        parsed.push(
            ServerAddr::from_str(&bare).map_err(|e| ConnectError::InvalidAddress {
                address: mask_url(addr),
                reason: e.to_string(),
            })?,
        );
    }
    Ok(ParsedAddrs {
        addrs: parsed,
        credentials,
    })
}

fn connect_error(servers: &str, e: async_nats::ConnectError) -> ConnectError {
    use async_nats::ConnectErrorKind as K;
    let reason = e.to_string();
    // rustls reports an untrusted certificate as an I/O error.
    let tls_trouble = ["certificate", "UnknownIssuer", "tls", "TLS", "handshake"]
        .iter()
        .any(|hint| reason.contains(hint));
    match e.kind() {
        K::AuthorizationViolation | K::Authentication => ConnectError::Authorization,
        K::Tls => ConnectError::Tls {
            servers: servers.to_string(),
            reason,
        },
        K::Io if tls_trouble => ConnectError::Tls {
            servers: servers.to_string(),
            reason,
        },
        _ => ConnectError::Unreachable {
            servers: servers.to_string(),
            reason,
        },
    }
}

/// A running subscription. Its worker stops on `unsubscribe`, on the broker's
/// `disconnect`, or when this handle is dropped; the durable consumer stays on the server.
#[derive(Debug)]
pub struct Subscription {
    topic: String,
    queue: String,
    stream: String,
    cancel: CancellationToken,
    handle: Option<tokio::task::JoinHandle<()>>,
}

/// Why `unsubscribe` did not end cleanly.
#[derive(Debug, thiserror::Error)]
#[error("subscription worker for {queue} ended abnormally: {reason}")]
pub struct UnsubscribeError {
    pub queue: String,
    pub reason: String,
}

impl Subscription {
    pub fn topic(&self) -> &str {
        &self.topic
    }
    pub fn queue(&self) -> &str {
        &self.queue
    }
    pub fn stream(&self) -> &str {
        &self.stream
    }

    /// Stops the worker (a pull in flight is abandoned at once; a running handler
    /// finishes and its message is settled) and waits for it. The consumer stays.
    pub async fn unsubscribe(mut self) -> Result<(), UnsubscribeError> {
        self.cancel.cancel();
        match self.handle.take() {
            Some(handle) => handle.await.map_err(|e| UnsubscribeError {
                queue: self.queue.clone(),
                reason: e.to_string(),
            }),
            None => Ok(()),
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_leave_the_urls() {
        let parsed = parse_addrs(&["nats://u:p4ss@h1:4222, nats://h2:4222".to_string()]).unwrap();
        assert!(
            matches!(parsed.credentials, Some(Credentials::UserPassword(ref u, ref p)) if u == "u" && p == "p4ss")
        );
        let shown: Vec<String> = parsed.addrs.iter().map(|a| format!("{a:?}")).collect();
        assert!(shown.iter().all(|a| !a.contains("p4ss")), "{shown:?}");
        assert_eq!(parsed.addrs.len(), 2);
        let parsed = parse_addrs(&["nats://s3cr3t@h:4222".to_string()]).unwrap();
        assert!(matches!(parsed.credentials, Some(Credentials::Token(ref t)) if t == "s3cr3t"));
        assert!(matches!(
            parse_addrs(&[" ".to_string()]),
            Err(ConnectError::NoAddress)
        ));
        let err = parse_addrs(&["nats://u:pw@[bad".to_string()])
            .err()
            .unwrap();
        assert!(!err.to_string().contains("pw@"), "{err}");
    }
}
