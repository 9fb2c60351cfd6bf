//! One worker per subscription: pull a batch, hand each message in order to the handler,
//! ack on Ok, nak on Err or panic; back off on pull errors; stop promptly when cancelled.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_nats::jetstream::consumer::{Consumer, pull};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::backoff::Backoff;
use super::event::{Event, SettleKind};
use super::metrics::Counters;
use super::{ConnectionState, HandlerResult};

pub(crate) type BoxHandler = Arc<dyn Fn(Event) -> BoxFuture<'static, HandlerResult> + Send + Sync>;

pub(crate) struct Worker {
    pub consumer: Consumer<pull::Config>,
    pub handler: BoxHandler,
    pub batch_size: usize,
    pub fetch_wait: Duration,
    /// Bytes one pull may bring (0: no limit).
    pub max_bytes: usize,
    /// Keep pulls flowing (continuous pulls with heartbeats) instead of one batch at a time.
    pub streaming: bool,
    pub counters: Arc<Counters>,
    pub cancel: CancellationToken,
    pub state: watch::Receiver<ConnectionState>,
    pub label: String,
    // Held, not read: its Drop lowers the active count when the worker ends.
    pub _active: ActiveGuard,
}

/// How one pull ended.
enum Pulled {
    /// The batch ran its course (maybe empty).
    Done,
    /// The pull failed after handling this many messages; back off before the next.
    Failed(String, u64),
    Cancelled,
}

type Messages = BoxStream<'static, Result<async_nats::jetstream::Message, String>>;

/// Keeps `active_subscriptions` right however the worker ends. Made when the worker is
/// spawned, so the count is right as soon as `subscribe` returns.
pub(crate) struct ActiveGuard(Arc<Counters>);

impl ActiveGuard {
    pub(crate) fn new(counters: Arc<Counters>) -> Self {
        counters
            .active_subscriptions
            .fetch_add(1, Ordering::Relaxed);
        Self(counters)
    }
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.active_subscriptions.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Worker {
    pub(crate) async fn run(mut self) {
        let mut backoff = Backoff::default();
        tracing::debug!(worker = %self.label, "worker started");
        while !self.cancel.is_cancelled() {
            // Second level of panic recovery: a bug anywhere in one pull cycle is logged
            // and backed off, and the worker goes on.
            let outcome = AssertUnwindSafe(self.pull_once())
                .catch_unwind()
                .await
                .unwrap_or_else(|panic| {
                    Pulled::Failed(format!("worker panicked: {}", panic_text(&panic)), 0)
                });
            match outcome {
                Pulled::Done => backoff.reset(),
                Pulled::Cancelled => break,
                Pulled::Failed(reason, handled) => {
                    // A stream that worked for a while starts its backoff afresh.
                    if handled > 0 {
                        backoff.reset();
                    }
                    Counters::incr(&self.counters.fetch_errors);
                    tracing::warn!(worker = %self.label, %reason, "pull failed; backing off");
                    if !backoff.wait(&self.cancel).await {
                        break;
                    }
                }
            }
        }
        tracing::debug!(worker = %self.label, "worker stopped");
    }

    /// Opens a pull: one batch, or a continuous stream of them.
    async fn open(&self) -> Result<Messages, String> {
        if self.streaming {
            let mut request = self
                .consumer
                .stream()
                .max_messages_per_batch(self.batch_size);
            if self.max_bytes > 0 {
                request = request.max_bytes_per_batch(self.max_bytes);
            }
            let stream = request.messages().await.map_err(|e| e.to_string())?;
            Ok(stream.map(|m| m.map_err(|e| e.to_string())).boxed())
        } else {
            let mut request = self
                .consumer
                .batch()
                .max_messages(self.batch_size)
                .expires(self.fetch_wait);
            if self.max_bytes > 0 {
                request = request.max_bytes(self.max_bytes);
            }
            let batch = request.messages().await.map_err(|e| e.to_string())?;
            Ok(batch.map(|m| m.map_err(|e| e.to_string())).boxed())
        }
    }

    async fn pull_once(&mut self) -> Pulled {
        let connected = *self.state.borrow() == ConnectionState::Connected;
        if !connected {
            return Pulled::Failed("not connected to the server".to_string(), 0);
        }
        let mut messages = tokio::select! {
            _ = self.cancel.cancelled() => return Pulled::Cancelled,
            opened = self.open() => match opened {
                Ok(messages) => messages,
                Err(e) => return Pulled::Failed(e, 0),
            },
        };
        // The cancellation and the lost connection are waited on across the whole pull,
        // made once: making them anew for every message cost the streaming pull a few
        // per cent against the bare client.
        let cancelled = self.cancel.cancelled();
        tokio::pin!(cancelled);
        let mut lost_connection = self.state.clone();
        let lost = async move {
            let lost = lost_connection
                .wait_for(|s| *s != ConnectionState::Connected)
                .await
                .is_ok();
            if !lost {
                // The broker is gone: the cancellation ends this pull instead.
                std::future::pending::<()>().await;
            }
        };
        tokio::pin!(lost);
        let mut handled = 0;
        loop {
            let next = tokio::select! {
                biased;
                () = &mut cancelled => {
                    nak_buffered(&mut messages).await;
                    return Pulled::Cancelled;
                }
                () = &mut lost => {
                    return Pulled::Failed("connection lost during the pull".to_string(), handled);
                }
                next = messages.next() => next,
            };
            match next {
                None => return Pulled::Done,
                Some(Err(e)) => return Pulled::Failed(e, handled),
                Some(Ok(message)) => {
                    self.handle(message).await;
                    handled += 1;
                }
            }
        }
    }

    async fn handle(&self, message: async_nats::jetstream::Message) {
        let (event, acker) = match Event::from_jetstream(message) {
            Ok(pair) => pair,
            Err(reason) => {
                tracing::warn!(worker = %self.label, %reason, "message without JetStream metadata skipped");
                return;
            }
        };
        Counters::incr(&self.counters.consumed);
        let seq = event.delivery().stream_sequence;
        // First level of panic recovery: around the handler call and its future.
        let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| (self.handler)(event))) {
            Ok(future) => AssertUnwindSafe(future).catch_unwind().await,
            Err(panic) => Err(panic),
        };
        let settle = match outcome {
            Ok(Ok(())) => SettleKind::Ack,
            Ok(Err(e)) => {
                Counters::incr(&self.counters.handler_errors);
                tracing::info!(worker = %self.label, seq, error = %e, "handler failed; nak");
                SettleKind::Nak(None)
            }
            Err(panic) => {
                Counters::incr(&self.counters.handler_panics);
                tracing::error!(worker = %self.label, seq, panic = %panic_text(&panic), "handler panicked; nak");
                SettleKind::Nak(None)
            }
        };
        if let Err(e) = acker.settle_if_pending(settle).await {
            tracing::warn!(worker = %self.label, seq, error = %e, "could not settle message");
        }
    }
}

/// Naks what the batch already delivered but the worker will not handle, so it is
/// redelivered now rather than after the ack wait.
async fn nak_buffered(batch: &mut Messages) {
    while let Some(Some(Ok(message))) = batch.next().now_or_never() {
        if let Err(e) = message
            .ack_with(async_nats::jetstream::AckKind::Nak(None))
            .await
        {
            tracing::debug!(error = %e, "nak of an unhandled message failed");
        }
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-text panic payload".to_string()
    }
}
