//! Runs the app's effects on tokio tasks, through the broker, and reports back as actions.
//! It also keeps what must not live in the pure app state: the pulled messages awaiting
//! the operator's decision, and the automatic subscriptions.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::app::{Action, AfterCreate, AttachedInfo, Effect, Settle, StreamOffer};
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
                tokio::spawn(async move {
                    let subject = request.subject.clone();
                    match broker.stream_for_subject(&subject).await {
                        Ok(Some(_)) => send(Action::Published(publish(&broker, request).await)),
                        Ok(None) => send(Action::NeedsStream(Box::new(offer(
                            &broker,
                            &subject,
                            AfterCreate::Publish(request),
                        )))),
                        Err(e) => send(Action::Published(Err(e.to_string()))),
                    }
                });
            }
            Effect::CreateStreamThen(then) => {
                let runner_tx = self.actions.clone();
                tokio::spawn(async move {
                    let topic = match &then {
                        AfterCreate::Publish(request) => request.subject.clone(),
                        AfterCreate::Attach { topic, .. } => topic.clone(),
                    };
                    match broker.ensure_stream(&topic).await {
                        Ok(status) => {
                            let verb = if status.created { "created" } else { "found" };
                            tracing::info!(stream = %status.name, verb, "stream for an operator's subject");
                            let next = match then {
                                AfterCreate::Publish(request) => Effect::Publish(request),
                                AfterCreate::Attach { id, topic, queue } => {
                                    Effect::AttachByTopic { id, topic, queue }
                                }
                            };
                            let _ = runner_tx.send(Action::Run(next));
                        }
                        Err(e) => match then {
                            AfterCreate::Publish(_) => send(Action::Published(Err(e.to_string()))),
                            AfterCreate::Attach { id, .. } => send(Action::Attached {
                                id,
                                result: Err(e.to_string()),
                            }),
                        },
                    }
                });
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
                    match broker.stream_for_subject(&topic).await {
                        Ok(Some(_)) => {}
                        Ok(None) => {
                            let then = AfterCreate::Attach {
                                id,
                                topic: topic.clone(),
                                queue,
                            };
                            send(Action::NeedsStream(Box::new(offer(&broker, &topic, then))));
                            return;
                        }
                        Err(e) => {
                            send(Action::Attached {
                                id,
                                result: Err(e.to_string()),
                            });
                            return;
                        }
                    }
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
                        give_back(&broker, events).await;
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
                    let result = settle(&broker, &held, &detached, id, key, &how).await;
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
                tokio::spawn(async move {
                    let held = events.len();
                    let naked = give_back(&broker, events).await;
                    send(Action::Detached { id, held, naked });
                });
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
    /// wait. Returns how many naks reached the server. Callers bound the wait.
    pub async fn detach_all(&self) -> usize {
        let events: Vec<Event> = {
            let mut held = lock(&self.held);
            lock(&self.detached).extend(held.keys().map(|(id, _)| *id));
            held.drain().map(|(_, event)| event).collect()
        };
        lock(&self.wanted_auto).clear();
        lock(&self.autos).clear();
        give_back(&self.broker, events).await
    }

    fn stop_auto(&self, id: u64) {
        let mut wanted = lock(&self.wanted_auto);
        wanted.remove(&id);
        lock(&self.autos).remove(&id);
    }
}

/// The stream `ensure_stream` would make for `subject`, in words for the operator.
fn offer(broker: &Broker, subject: &str, then: AfterCreate) -> StreamOffer {
    let config = broker.new_stream_config(subject);
    let limit = |n: i64, what: &str| (n > 0).then(|| format!("max {n} {what}"));
    let limits: Vec<String> = [
        limit(config.max_messages, "messages"),
        limit(config.max_bytes, "bytes"),
        (!config.max_age.is_zero())
            .then(|| format!("max age {}", humantime::format_duration(config.max_age))),
    ]
    .into_iter()
    .flatten()
    .collect();
    StreamOffer {
        subject: subject.to_string(),
        stream: config.name.clone(),
        subjects: config.subjects.clone(),
        config: format!(
            "{:?} retention, {:?} storage, {} replica{}, {}",
            config.retention,
            config.storage,
            config.num_replicas.max(1),
            if config.num_replicas > 1 { "s" } else { "" },
            if limits.is_empty() {
                "no limits".to_string()
            } else {
                limits.join(", ")
            }
        ),
        then,
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
        match broker.publish_no_create(&request.subject, message).await {
            Ok(ack) => last = Some(ack),
            Err(e) if request.count == 1 => return Err(e.to_string()),
            Err(e) => return Err(format!("message {n} of {}: {e}", request.count)),
        }
    }
    last.map(|ack| (ack, request.count))
        .ok_or_else(|| "nothing to publish".to_string())
}

/// Why a settlement did not reach the server.
pub const NOT_SENT_DISCONNECTED: &str =
    "not sent: the connection to the server is down (the message stays held here)";
const NOT_CONFIRMED: &str = "sent, but the connection dropped before it reached the server";

/// How long a settlement may take to leave for the server before it is reported unsent.
const SEND_CONFIRM: Duration = Duration::from_secs(2);

/// Waits until what was published has left for the server. While the connection is down
/// a publish only sits in the client's buffer, and a reconnect may drop it: saying "sent"
/// then would be a lie.
async fn confirm_sent(broker: &Broker) -> Result<(), &'static str> {
    let client = broker.client().ok_or(NOT_CONFIRMED)?;
    match tokio::time::timeout(SEND_CONFIRM, client.flush()).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(NOT_CONFIRMED),
    }
}

fn connected(broker: &Broker) -> bool {
    broker.connection_state() == crate::broker::ConnectionState::Connected
}

/// Naks messages nobody will settle, so they return at once; returns how many naks
/// reached the server (0 when disconnected: those return after their ack wait).
async fn give_back(broker: &Broker, events: Vec<Event>) -> usize {
    if events.is_empty() || !connected(broker) {
        return 0;
    }
    let mut sent = 0;
    for event in events {
        match event.nak(None).await {
            Ok(()) => sent += 1,
            Err(e) => tracing::warn!(error = %e, "nak of a message nobody holds failed"),
        }
    }
    if confirm_sent(broker).await.is_err() {
        0
    } else {
        sent
    }
}

async fn settle(
    broker: &Broker,
    held: &Held,
    detached: &Mutex<HashSet<u64>>,
    id: u64,
    key: MessageKey,
    how: &Settle,
) -> Result<(), String> {
    if !connected(broker) {
        return Err(NOT_SENT_DISCONNECTED.to_string());
    }
    let event = lock(held)
        .remove(&(id, key))
        .ok_or("this message is no longer held (detached, or settled already)")?;
    let sent = match how {
        Settle::Ack => event.ack().await,
        Settle::Nak(delay) => event.nak(*delay).await,
        Settle::Term(reason) => event.term(reason.as_deref()).await,
        Settle::InProgress => event.in_progress().await,
    }
    .map_err(|e| e.to_string());
    let result = match &sent {
        Ok(()) => confirm_sent(broker).await.map_err(str::to_string),
        Err(e) => Err(e.clone()),
    };
    // Still held after an in-progress, or when it could not be sent (the event is
    // unsettled: try again) -- unless the subscription went meanwhile: then it goes back
    // to the server. A settlement sent but unconfirmed cannot be sent twice; if it was
    // lost, the server redelivers the message after its ack wait.
    if matches!(how, Settle::InProgress) || sent.is_err() {
        if lock(detached).contains(&id) {
            give_back(broker, vec![event]).await;
        } else {
            lock(held).insert((id, key), event);
        }
    }
    result
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
