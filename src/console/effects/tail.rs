//! The tail's async side: one core subscription at a time, its batches forwarded to the UI
//! at most `IN_FLIGHT` at once (each action carries a permit the UI releases by handling
//! it), so a firehose backs up into the subscription's bounded batch, never the UI queue.

use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use super::Reply;
use crate::broker::{Broker, TailBatch};
use crate::console::app::Action;
use crate::console::overlays::tail::REQUEST_TIMEOUT;

/// Batches on their way to the UI at once.
pub const IN_FLIGHT: usize = 2;

/// A batch for the UI, holding its slot until handled.
#[derive(Debug)]
pub struct TailFeed {
    pub subject: String,
    pub batch: TailBatch,
    pub permit: Option<OwnedSemaphorePermit>,
}

/// The running tail, if any: stopping it cancels its forwarder (which drops the tail).
pub(super) type Running = Arc<Mutex<Option<CancellationToken>>>;

pub(super) fn stop(running: &Running) {
    if let Some(cancel) = running.lock().unwrap_or_else(|e| e.into_inner()).take() {
        cancel.cancel();
    }
}

pub(super) fn start(broker: Broker, reply: Reply, running: &Running, subject: String) {
    stop(running);
    let cancel = CancellationToken::new();
    *running.lock().unwrap_or_else(|e| e.into_inner()) = Some(cancel.clone());
    tokio::spawn(async move {
        let mut tail = match broker.tail(&subject).await {
            Ok(tail) => tail,
            Err(e) => return reply.send(Action::TailStarted(Err(e.to_string()))),
        };
        reply.send(Action::TailStarted(Ok(subject.clone())));
        let slots = Arc::new(Semaphore::new(IN_FLIGHT));
        loop {
            let permit = tokio::select! {
                () = cancel.cancelled() => break,
                permit = slots.clone().acquire_owned() => permit.ok(),
            };
            let batch = tokio::select! {
                // A tail replaced by another is cancelled first: the old one's end (a
                // refusal, say) must not close the new one.
                biased;
                () = cancel.cancelled() => break,
                batch = tail.next_batch() => batch,
            };
            let Some(batch) = batch else {
                if let Some(refused) = tail.refused() {
                    let words = format!("tail {subject}: {refused}");
                    reply.send(Action::TailStarted(Err(words)));
                }
                break;
            };
            let subject = subject.clone();
            reply.send(Action::TailBatch(TailFeed {
                subject,
                batch,
                permit,
            }));
        }
        tail.stop().await;
    });
}

pub(super) async fn answer(broker: Broker, reply: Reply, to: String, body: String) {
    let result = broker
        .answer(&to, body.into())
        .await
        .map(|()| format!("answered on {to}"))
        .map_err(|e| e.to_string());
    reply.send(Action::TailSent(result));
}

pub(super) async fn request(broker: Broker, reply: Reply, subject: String, body: String) {
    let result = broker
        .request_reply(&subject, body.into(), REQUEST_TIMEOUT)
        .await
        .map(|m| {
            let preview = crate::console::overlays::tail::preview(&m.payload, 60);
            format!("{subject} answered ({} bytes): {preview}", m.size())
        })
        .map_err(|e| e.to_string());
    reply.send(Action::TailSent(result));
}
