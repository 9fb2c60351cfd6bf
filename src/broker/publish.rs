//! Publishing: one message at a time (a returned Ok means JetStream stored it) or
//! pipelined with a window of PubAcks outstanding, and the mapping of async-nats' publish
//! failures to the broker's errors.

use std::collections::VecDeque;

use async_nats::jetstream::context::{PublishAckFuture, PublishErrorKind};
use tokio::sync::OwnedSemaphorePermit;

use super::error::PublishError;
use super::message::Message;
use super::metrics::Counters;
use super::naming::{stream_name_for_topic, validate_topic};
use super::streams::StreamStatus;
use super::{Broker, Connection};

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
/// The messages of a pipelined publish awaiting their PubAck: index, the PubAck to come
/// with the message's size (for the error), and the budget permit it holds.
type InFlight = VecDeque<(usize, (PublishAckFuture, usize), OwnedSemaphorePermit)>;

impl Broker {
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
        let mut in_flight = InFlight::with_capacity(window);
        let mut done = Pipelined::default();
        let mut failure: Option<PipelineError> = None;
        for (index, message) in messages.into_iter().enumerate() {
            let permit = match self
                .next_slot(&conn, topic, window, &mut in_flight, &mut done)
                .await
            {
                Ok(permit) => permit,
                Err((i, e)) => {
                    failure = Some(at(i, 0)(e));
                    break;
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

    /// A slot of our window, and one of the broker's in-flight budget shared with other
    /// pipelines. Short of either, settle our own oldest first: a pipeline only ever blocks
    /// while it holds nothing, so two cannot wait on each other. A PubAck that fails while
    /// settling comes back with its message's index.
    async fn next_slot(
        &self,
        conn: &Connection,
        topic: &str,
        window: usize,
        in_flight: &mut InFlight,
        done: &mut Pipelined,
    ) -> Result<OwnedSemaphorePermit, (usize, PublishError)> {
        let permits = &self.shared.pipeline_permits;
        loop {
            if in_flight.len() < window
                && let Ok(permit) = permits.clone().try_acquire_owned()
            {
                return Ok(permit);
            }
            match in_flight.pop_front() {
                Some((i, pending, _permit)) => {
                    if let Err(e) = self.await_ack(conn, topic, pending, done).await {
                        return Err((i, e));
                    }
                }
                None => {
                    return Ok(permits
                        .clone()
                        .acquire_owned()
                        .await
                        .expect("the permit semaphore is never closed"));
                }
            }
        }
    }

    async fn await_ack(
        &self,
        conn: &Connection,
        topic: &str,
        (pending, size): (PublishAckFuture, usize),
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
}

/// The broker's error for an async-nats publish failure.
fn publish_error(
    conn: &Connection,
    topic: &str,
    size: usize,
    e: async_nats::jetstream::context::PublishError,
) -> PublishError {
    match e.kind() {
        // The server drops a publish the user may not make and says so on the side.
        PublishErrorKind::TimedOut if conn.api.denials().publish_denied(topic) => {
            PublishError::PermissionDenied {
                topic: topic.to_string(),
            }
        }
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
) -> Result<PublishAckFuture, PublishError> {
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
pub(super) async fn send_publish(
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
