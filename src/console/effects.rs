//! Runs the app's effects on tokio tasks, through the broker, and reports back as actions.
//! It also keeps what must not live in the pure app state: the pulled messages awaiting
//! the operator's decision, and the automatic subscriptions.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::app::{Action, AttachedInfo, Effect, Settle};
use super::attached::{MessageKey, MessageRow, RowState};
use super::browse::BrowseRow;
use super::publish::{PublishRequest, expand};
use crate::broker::{ApiErrorKind, Broker, Event, Message, SubscribeOptions, Subscription};

/// `f` takes what is waiting now, without waiting for the batch to fill.
pub const PULL_WAIT: Duration = Duration::ZERO;

type Held = Arc<Mutex<HashMap<(u64, MessageKey), Event>>>;

struct Auto {
    // Held for its Drop: dropping it stops the worker.
    _subscription: Subscription,
    fail_every: Arc<AtomicU64>,
}

pub struct EffectRunner {
    broker: Broker,
    actions: mpsc::UnboundedSender<Action>,
    selected: watch::Sender<Option<String>>,
    held: Held,
    autos: Arc<Mutex<HashMap<u64, Auto>>>,
    /// Subscriptions that should be in auto mode now (a start may still be on its way).
    wanted_auto: Arc<Mutex<HashSet<u64>>>,
    /// Subscriptions detached: whatever still arrives for them is nak'd, not held.
    detached: Arc<Mutex<HashSet<u64>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl EffectRunner {
    pub fn new(
        broker: Broker,
        actions: mpsc::UnboundedSender<Action>,
        selected: watch::Sender<Option<String>>,
    ) -> Self {
        Self {
            broker,
            actions,
            selected,
            held: Arc::default(),
            autos: Arc::default(),
            wanted_auto: Arc::default(),
            detached: Arc::default(),
        }
    }

    /// Starts `effect`; never waits for the network.
    pub fn run(&self, effect: Effect) {
        let broker = self.broker.clone();
        let tx = self.actions.clone();
        let send = move |action| {
            let _ = tx.send(action);
        };
        match effect {
            Effect::WatchStream(stream) => {
                self.selected.send_replace(stream);
            }
            Effect::Publish(request) => {
                tokio::spawn(
                    async move { send(Action::Published(publish(&broker, request).await)) },
                );
            }
            Effect::Attach {
                id,
                stream,
                consumer,
            } => {
                tokio::spawn(async move {
                    let result = broker
                        .pull_consumer_info(&stream, &consumer)
                        .await
                        .map(|info| attached_info(&stream, &info))
                        .map_err(|e| e.to_string());
                    send(Action::Attached { id, result });
                });
            }
            Effect::AttachByTopic { id, topic, queue } => {
                tokio::spawn(async move {
                    let result = broker
                        .ensure_consumer(&topic, &SubscribeOptions::queue(&queue))
                        .await
                        .map(|(stream, info)| attached_info(&stream.name, &info))
                        .map_err(|e| e.to_string());
                    send(Action::Attached { id, result });
                });
            }
            Effect::Pull {
                id,
                stream,
                consumer,
                batch,
            } => {
                let (held, detached) = (self.held.clone(), self.detached.clone());
                tokio::spawn(async move {
                    let pulled = broker.pull(&stream, &consumer, batch, PULL_WAIT).await;
                    let events = match pulled {
                        Ok(events) => events,
                        Err(e) => {
                            send(Action::Pulled {
                                id,
                                result: Err(e.to_string()),
                            });
                            return;
                        }
                    };
                    // Detached while pulling: give them back at once.
                    if lock(&detached).contains(&id) {
                        nak_all(events).await;
                        return;
                    }
                    let rows = {
                        let mut held = lock(&held);
                        events
                            .into_iter()
                            .map(|event| {
                                let row = MessageRow::from_event(&event, RowState::Held);
                                held.insert((id, row.key()), event);
                                row
                            })
                            .collect()
                    };
                    send(Action::Pulled {
                        id,
                        result: Ok(rows),
                    });
                });
            }
            Effect::Settle { id, key, how } => {
                let (held, detached) = (self.held.clone(), self.detached.clone());
                tokio::spawn(async move {
                    let result = settle(&held, &detached, id, key, &how).await;
                    send(Action::Settled {
                        id,
                        key,
                        how,
                        result,
                    });
                });
            }
            Effect::StartAuto {
                id,
                stream,
                consumer,
                fail_every,
            } => {
                lock(&self.wanted_auto).insert(id);
                let (autos, wanted) = (self.autos.clone(), self.wanted_auto.clone());
                tokio::spawn(async move {
                    let ratio = Arc::new(AtomicU64::new(fail_every));
                    let handler = auto_handler(id, ratio.clone(), send.clone());
                    match broker
                        .attach(&stream, handler, SubscribeOptions::queue(&consumer))
                        .await
                    {
                        Ok(subscription) => {
                            // Checked and stored under one lock, so a stop cannot slip in
                            // between; stopped before it started, it is dropped here.
                            let wanted = lock(&wanted);
                            if wanted.contains(&id) {
                                lock(&autos).insert(
                                    id,
                                    Auto {
                                        _subscription: subscription,
                                        fail_every: ratio,
                                    },
                                );
                            }
                        }
                        Err(e) => send(Action::Failed(format!("auto mode failed to start: {e}"))),
                    }
                });
            }
            Effect::StopAuto { id } => self.stop_auto(id),
            Effect::SetFailEvery { id, fail_every } => {
                if let Some(auto) = lock(&self.autos).get(&id) {
                    auto.fail_every.store(fail_every, Ordering::Relaxed);
                }
            }
            Effect::Detach { id } => {
                lock(&self.detached).insert(id);
                self.stop_auto(id);
                // Held messages go back now rather than after their ack wait.
                let events: Vec<Event> = {
                    let mut held = lock(&self.held);
                    let keys: Vec<_> = held.keys().filter(|(i, _)| *i == id).copied().collect();
                    keys.into_iter().filter_map(|k| held.remove(&k)).collect()
                };
                tokio::spawn(nak_all(events));
            }
            Effect::Browse {
                stream,
                from,
                count,
            } => {
                tokio::spawn(async move {
                    let result = browse(&broker, &stream, from, count).await;
                    send(Action::Browsed {
                        stream,
                        from,
                        result,
                    });
                });
            }
            Effect::DeleteConsumer { stream, consumer } => {
                tokio::spawn(async move {
                    let result = broker
                        .delete_consumer(&stream, &consumer)
                        .await
                        .map_err(|e| e.to_string());
                    send(Action::ConsumerDeleted {
                        stream,
                        consumer,
                        result,
                    });
                });
            }
        }
    }

    /// Detaches every subscription at once, on the way out: automatic ones stop, and the
    /// held messages go back to the server now (a nak each) rather than after their ack
    /// wait. Returns how many were given back. Callers bound the wait.
    pub async fn detach_all(&self) -> usize {
        let events: Vec<Event> = {
            let mut held = lock(&self.held);
            lock(&self.detached).extend(held.keys().map(|(id, _)| *id));
            held.drain().map(|(_, event)| event).collect()
        };
        lock(&self.wanted_auto).clear();
        lock(&self.autos).clear();
        let count = events.len();
        nak_all(events).await;
        count
    }

    fn stop_auto(&self, id: u64) {
        let mut wanted = lock(&self.wanted_auto);
        wanted.remove(&id);
        lock(&self.autos).remove(&id);
    }
}

fn attached_info(stream: &str, info: &async_nats::jetstream::consumer::Info) -> AttachedInfo {
    let filter = crate::broker::consumer_filters(&info.config).join(", ");
    AttachedInfo {
        stream: stream.to_string(),
        consumer: info.name.clone(),
        filter,
        ack_wait: info.config.ack_wait,
    }
}

async fn publish(
    broker: &Broker,
    request: PublishRequest,
) -> Result<(crate::broker::PubAck, u32), String> {
    let mut last = None;
    for n in 1..=request.count {
        let message = Message {
            body: expand(&request.body, n as usize).into(),
            headers: request.headers.clone(),
        };
        match broker.publish(&request.subject, message).await {
            Ok(ack) => last = Some(ack),
            Err(e) if request.count == 1 => return Err(e.to_string()),
            Err(e) => return Err(format!("message {n} of {}: {e}", request.count)),
        }
    }
    last.map(|ack| (ack, request.count))
        .ok_or_else(|| "nothing to publish".to_string())
}

/// Naks messages nobody will settle, so they return at once.
async fn nak_all(events: Vec<Event>) {
    for event in events {
        if let Err(e) = event.nak(None).await {
            tracing::warn!(error = %e, "nak of a message nobody holds failed");
        }
    }
}

async fn settle(
    held: &Held,
    detached: &Mutex<HashSet<u64>>,
    id: u64,
    key: MessageKey,
    how: &Settle,
) -> Result<(), String> {
    let event = lock(held)
        .remove(&(id, key))
        .ok_or("this message is no longer held (detached, or settled already)")?;
    let result = match how {
        Settle::Ack => event.ack().await,
        Settle::Nak(delay) => event.nak(*delay).await,
        Settle::Term(reason) => event.term(reason.as_deref()).await,
        Settle::InProgress => event.in_progress().await,
    };
    // Still held after an in-progress, or when sending failed (try again) -- unless the
    // subscription went meanwhile: then it goes back to the server.
    if matches!(how, Settle::InProgress) || result.is_err() {
        if lock(detached).contains(&id) {
            nak_all(vec![event]).await;
        } else {
            lock(held).insert((id, key), event);
        }
    }
    result.map_err(|e| e.to_string())
}

fn auto_handler(
    id: u64,
    fail_every: Arc<AtomicU64>,
    send: impl Fn(Action) + Clone + Send + Sync + 'static,
) -> impl Fn(Event) -> std::future::Ready<crate::broker::HandlerResult> + Send + Sync + 'static {
    let count = Arc::new(AtomicU64::new(0));
    move |event: Event| {
        let n = count.fetch_add(1, Ordering::Relaxed) + 1;
        let every = fail_every.load(Ordering::Relaxed);
        let fail = every > 0 && n.is_multiple_of(every);
        let state = if fail {
            RowState::AutoFailed
        } else {
            RowState::Acked
        };
        send(Action::AutoHandled {
            id,
            row: MessageRow::from_event(&event, state),
        });
        std::future::ready(if fail {
            Err(format!("jetdeck auto mode: failing message {n} on purpose (every {every})").into())
        } else {
            Ok(())
        })
    }
}

/// Reads `count` sequences from `from`, deleted ones as gaps.
async fn browse(
    broker: &Broker,
    stream: &str,
    from: u64,
    count: u64,
) -> Result<Vec<BrowseRow>, String> {
    let reads = (from..from + count).map(|sequence| async move {
        match broker.get_message(stream, sequence).await {
            Ok(m) => Ok(BrowseRow {
                sequence,
                message: Some(m),
            }),
            Err(e) if e.kind() == ApiErrorKind::MessageNotFound => Ok(BrowseRow {
                sequence,
                message: None,
            }),
            Err(e) => Err(e.to_string()),
        }
    });
    futures::future::join_all(reads).await.into_iter().collect()
}
