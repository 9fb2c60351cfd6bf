//! The subject tail: a core NATS subscription (never a JetStream consumer, so it takes
//! nothing from any stream) read on its own task and handed on in bounded batches, and the
//! two things a tail can send: an answer to a message's reply subject and a request.
//!
//! Nothing here waits on whoever reads the batches: when the reader falls behind, the task
//! keeps at most one batch pending and counts what it cannot keep, so a firehose costs the
//! reader a bounded amount of memory and never a wait.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::StreamExt;
use thiserror::Error;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::Broker;
use super::message::Headers;

/// Most messages in one batch handed to the reader.
pub const TAIL_BATCH: usize = 512;
/// Most payload bytes one batch holds (with `TAIL_BATCH`, what bounds the task's memory).
pub const TAIL_BATCH_BYTES: usize = 8 << 20;
/// Batches waiting for the reader; beyond them the task holds one more and then drops.
pub const TAIL_QUEUE: usize = 4;
/// How often a partly filled batch is handed on, so a slow trickle still shows at once.
pub const TAIL_FLUSH: Duration = Duration::from_millis(50);

/// A tail's failures, in words an operator can act on.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum TailError {
    #[error("{}", super::error::NOT_CONNECTED)]
    NotConnected,
    #[error("{subject:?} is not a subject: {reason}")]
    BadSubject {
        subject: String,
        reason: &'static str,
    },
    #[error("subscribing to {subject} failed: {reason}")]
    Subscribe { subject: String, reason: String },
    #[error(
        "permission denied: this user may not subscribe to {subject} (the server refused the subscription)"
    )]
    Denied { subject: String },
    #[error("publishing to {subject} failed: {reason}")]
    Publish { subject: String, reason: String },
    #[error("no one answered the request on {subject} (no responders)")]
    NoResponders { subject: String },
    #[error("the request on {subject} had no answer within {timeout:?}")]
    TimedOut { subject: String, timeout: Duration },
    #[error("the request on {subject} failed: {reason}")]
    Request { subject: String, reason: String },
}

/// One message seen by a tail (or the answer to a request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailedMessage {
    pub subject: String,
    /// Where an answer goes, when the sender asked for one.
    pub reply: Option<String>,
    pub headers: Headers,
    pub payload: Bytes,
    pub received: SystemTime,
}

impl TailedMessage {
    fn from_nats(message: async_nats::Message) -> Self {
        Self {
            subject: message.subject.to_string(),
            reply: message.reply.map(|r| r.to_string()),
            headers: message
                .headers
                .as_ref()
                .map(Headers::from_nats)
                .unwrap_or_default(),
            payload: message.payload,
            received: SystemTime::now(),
        }
    }

    /// Payload bytes.
    pub fn size(&self) -> usize {
        self.payload.len()
    }
}

/// What the tail's task hands the reader: messages in arrival order, and how many it
/// dropped just before the first of them because the reader was behind.
#[derive(Debug, Clone, Default)]
pub struct TailBatch {
    pub messages: Vec<TailedMessage>,
    pub dropped: u64,
}

/// A running tail. Dropping it ends the subscription.
#[derive(Debug)]
pub struct Tail {
    subject: String,
    batches: mpsc::Receiver<TailBatch>,
    /// Set when the server refused the subscription (it says so on the side, and the
    /// subscription would stay silent): the task ends then.
    refused: std::sync::Arc<std::sync::atomic::AtomicBool>,
    cancel: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl Tail {
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The next batch; `None` once the subscription has ended (see `refused`).
    pub async fn next_batch(&mut self) -> Option<TailBatch> {
        self.batches.recv().await
    }

    /// Why the subscription ended, when the server refused it.
    pub fn refused(&self) -> Option<TailError> {
        self.refused
            .load(std::sync::atomic::Ordering::SeqCst)
            .then(|| TailError::Denied {
                subject: self.subject.clone(),
            })
    }

    /// A batch if one is waiting, without waiting (what a UI loop calls each frame).
    pub fn try_batch(&mut self) -> Option<TailBatch> {
        self.batches.try_recv().ok()
    }

    /// Ends the subscription and waits for its task.
    pub async fn stop(mut self) {
        self.cancel.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Tail {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Checks a subject a tail subscribes to: tokens separated by dots, none empty, no spaces;
/// `*` a whole token, `>` only the last.
pub fn validate_tail_subject(subject: &str) -> Result<(), TailError> {
    let bad = |reason| TailError::BadSubject {
        subject: subject.to_string(),
        reason,
    };
    if subject.is_empty() {
        return Err(bad("it is empty"));
    }
    if subject.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("it holds a space or a control character"));
    }
    let tokens: Vec<&str> = subject.split('.').collect();
    for (i, token) in tokens.iter().enumerate() {
        if token.is_empty() {
            return Err(bad("it has an empty token"));
        }
        if token.len() > 1 && token.contains(['*', '>']) {
            return Err(bad("a wildcard must be a whole token"));
        }
        if *token == ">" && i + 1 != tokens.len() {
            return Err(bad("'>' may only be the last token"));
        }
    }
    Ok(())
}

/// Checks a subject a message is sent to: a tail subject without wildcards.
pub fn validate_send_subject(subject: &str) -> Result<(), TailError> {
    validate_tail_subject(subject)?;
    if subject.split('.').any(|t| t == "*" || t == ">") {
        return Err(TailError::BadSubject {
            subject: subject.to_string(),
            reason: "a message cannot be sent to a wildcard",
        });
    }
    Ok(())
}

impl Broker {
    /// Tails `subject` (wildcards allowed) with a core NATS subscription on its own task.
    pub async fn tail(&self, subject: &str) -> Result<Tail, TailError> {
        validate_tail_subject(subject)?;
        let client = self.client().ok_or(TailError::NotConnected)?;
        // Watched from before the SUB: a refused subscription is only said on the side.
        let news = self.denials().watch();
        let subscriber =
            client
                .subscribe(subject.to_string())
                .await
                .map_err(|e| TailError::Subscribe {
                    subject: subject.to_string(),
                    reason: e.to_string(),
                })?;
        // The SUB must be in place on the server before the caller is told the tail is
        // on, or messages published right after would be missed.
        round_trip(&client)
            .await
            .map_err(|reason| TailError::Subscribe {
                subject: subject.to_string(),
                reason,
            })?;
        let (tx, batches) = mpsc::channel(TAIL_QUEUE);
        let cancel = CancellationToken::new();
        let refused: std::sync::Arc<std::sync::atomic::AtomicBool> = std::sync::Arc::default();
        let watch_refusal = {
            let (refused, subject) = (std::sync::Arc::clone(&refused), subject.to_string());
            async move {
                super::Denials::subscription_refused(news, &subject).await;
                tracing::warn!(%subject, "tail: the server refused the subscription");
                refused.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        };
        let task = tokio::spawn(run_tail(subscriber, tx, cancel.clone(), watch_refusal));
        tracing::info!(subject, "tail started");
        Ok(Tail {
            subject: subject.to_string(),
            batches,
            refused,
            cancel,
            task: Some(task),
        })
    }

    /// Publishes `body` to a message's reply subject (core NATS) and waits for the server
    /// to have it.
    pub async fn answer(&self, reply: &str, body: Bytes) -> Result<(), TailError> {
        validate_send_subject(reply)?;
        let client = self.client().ok_or(TailError::NotConnected)?;
        let failed = |e: String| TailError::Publish {
            subject: reply.to_string(),
            reason: e,
        };
        client
            .publish(reply.to_string(), body)
            .await
            .map_err(|e| failed(e.to_string()))?;
        client.flush().await.map_err(|e| failed(e.to_string()))
    }

    /// Sends a core NATS request and waits up to `timeout` for its answer.
    pub async fn request_reply(
        &self,
        subject: &str,
        body: Bytes,
        timeout: Duration,
    ) -> Result<TailedMessage, TailError> {
        validate_send_subject(subject)?;
        let client = self.client().ok_or(TailError::NotConnected)?;
        let request = async_nats::Request::new()
            .payload(body)
            .timeout(Some(timeout));
        match client.send_request(subject.to_string(), request).await {
            Ok(answer) => Ok(TailedMessage::from_nats(answer)),
            Err(e) => Err(match e.kind() {
                async_nats::RequestErrorKind::NoResponders => TailError::NoResponders {
                    subject: subject.to_string(),
                },
                async_nats::RequestErrorKind::TimedOut => TailError::TimedOut {
                    subject: subject.to_string(),
                    timeout,
                },
                _ => TailError::Request {
                    subject: subject.to_string(),
                    reason: e.to_string(),
                },
            }),
        }
    }
}

/// How long the check that a subscription is in place waits for the server.
const ROUND_TRIP: Duration = Duration::from_secs(5);

/// Waits until the server has processed everything this client sent so far: `flush` only
/// writes, but a message to a fresh inbox comes back after the server has handled every
/// earlier command of the connection (it handles them in order).
pub async fn round_trip(client: &async_nats::Client) -> Result<(), String> {
    let inbox = client.new_inbox();
    let mut probe = client
        .subscribe(inbox.clone())
        .await
        .map_err(|e| e.to_string())?;
    client
        .publish(inbox, Bytes::new())
        .await
        .map_err(|e| e.to_string())?;
    match tokio::time::timeout(ROUND_TRIP, probe.next()).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err("the connection closed".to_string()),
        Err(_) => Err(format!("the server did not answer within {ROUND_TRIP:?}")),
    }
}

/// The batch being filled and what was dropped since the last one handed on.
#[derive(Default)]
struct Pending {
    batch: TailBatch,
    bytes: usize,
}

impl Pending {
    fn push(&mut self, message: TailedMessage) {
        if self.batch.messages.len() >= TAIL_BATCH || self.bytes >= TAIL_BATCH_BYTES {
            self.batch.dropped += 1;
            return;
        }
        self.bytes += message.size();
        self.batch.messages.push(message);
    }

    fn full(&self) -> bool {
        self.batch.messages.len() >= TAIL_BATCH || self.bytes >= TAIL_BATCH_BYTES
    }

    /// Hands the batch on without waiting; false once the reader is gone.
    fn flush(&mut self, tx: &mpsc::Sender<TailBatch>) -> bool {
        if self.batch.messages.is_empty() && self.batch.dropped == 0 {
            return true;
        }
        match tx.try_send(std::mem::take(&mut self.batch)) {
            Ok(()) => {
                self.bytes = 0;
                true
            }
            // The reader is behind: keep this batch, later messages count as dropped.
            Err(mpsc::error::TrySendError::Full(batch)) => {
                self.batch = batch;
                true
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}

async fn run_tail(
    mut subscriber: async_nats::Subscriber,
    tx: mpsc::Sender<TailBatch>,
    cancel: CancellationToken,
    refused: impl std::future::Future<Output = ()>,
) {
    let mut pending = Pending::default();
    tokio::pin!(refused);
    let mut tick = tokio::time::interval(TAIL_FLUSH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = cancel.cancelled() => break,
            () = &mut refused => break,
            message = subscriber.next() => match message {
                Some(message) => {
                    pending.push(TailedMessage::from_nats(message));
                    if pending.full() && !pending.flush(&tx) {
                        break;
                    }
                }
                None => break,
            },
            _ = tick.tick() => {
                if !pending.flush(&tx) {
                    break;
                }
            }
        }
    }
    pending.flush(&tx);
    let _ = subscriber.unsubscribe().await;
    tracing::info!("tail ended");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_subjects_take_wildcards_and_sent_subjects_do_not() {
        for ok in [">", "a.*.c", "a.>", "orders.eu"] {
            assert_eq!(validate_tail_subject(ok), Ok(()), "{ok}");
        }
        for bad in ["", "a..b", "a.>.b", "a b", "a*.b", ".a"] {
            assert!(validate_tail_subject(bad).is_err(), "{bad}");
        }
        assert!(validate_send_subject("a.*").is_err());
        assert!(validate_send_subject(">").is_err());
        assert_eq!(validate_send_subject("_INBOX.x.y"), Ok(()));
    }

    fn message(n: usize) -> TailedMessage {
        TailedMessage {
            subject: format!("s.{n}"),
            reply: None,
            headers: Headers::new(),
            payload: Bytes::from(vec![0u8; 10]),
            received: SystemTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_reader_behind_costs_one_batch_and_a_drop_count() {
        let (tx, mut rx) = mpsc::channel(1);
        let mut pending = Pending::default();
        pending.push(message(0));
        assert!(pending.flush(&tx));
        for n in 0..TAIL_BATCH + 7 {
            pending.push(message(n));
        }
        assert!(pending.flush(&tx), "the queue is full: kept, not lost");
        assert_eq!(pending.batch.messages.len(), TAIL_BATCH);
        assert_eq!(pending.batch.dropped, 7);
        assert_eq!(rx.try_recv().unwrap().messages.len(), 1);
        assert!(pending.flush(&tx));
        let next = rx.try_recv().unwrap();
        assert_eq!((next.messages.len(), next.dropped), (TAIL_BATCH, 7));
        assert_eq!(next.messages[0].subject, "s.0", "in arrival order");
        drop(rx);
        pending.push(message(1));
        assert!(!pending.flush(&tx), "the reader is gone");
    }
}
