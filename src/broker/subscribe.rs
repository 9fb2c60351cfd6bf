//! Subscribing: the durable pull consumer for a queue (made or checked), attaching to one
//! someone else made, pulling a batch by hand, and the worker each subscription runs.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::consumer::{self, pull};
use futures::{FutureExt, StreamExt};
use tokio_util::sync::CancellationToken;

use super::api::Api;
use super::error::SubscribeError;
use super::event::Event;
use super::metrics::Counters;
use super::naming::{validate_queue_name, validate_topic};
use super::options::{MIN_FETCH_WAIT, SubscribeOptions};
use super::streams::StreamStatus;
use super::worker::{self, BoxHandler, Worker};
use super::{Broker, HandlerResult};

impl Broker {
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
}

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
