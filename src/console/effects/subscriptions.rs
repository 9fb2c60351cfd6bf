//! One record per attached subscription: what mode it is in and the messages it holds
//! for the operator. A record outlives its detach, so that whatever still arrives for it
//! (a pull under way) is given back to the server instead of held by nobody.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::settle::give_back;
use super::{PULL_WAIT, Reply};
use crate::broker::{Broker, Event, SubscribeOptions, Subscription};
use crate::console::app::Action;
use crate::console::attached::{MessageKey, MessageRow, RowState};

pub(crate) type Records = Arc<Mutex<HashMap<u64, Record>>>;

/// A subscription's mode on the async side.
pub(crate) enum Mode {
    /// The operator pulls and settles by hand.
    Manual,
    /// Auto mode asked for; the broker's worker is still being started.
    StartingAuto { fail_every: Arc<AtomicU64> },
    /// The broker's worker settles what arrives (dropping the subscription stops it).
    Auto {
        _subscription: Subscription,
        fail_every: Arc<AtomicU64>,
    },
    /// Gone from the console: anything that still arrives goes back to the server.
    Detached,
}

pub(crate) struct Record {
    pub(crate) mode: Mode,
    pub(crate) held: HashMap<MessageKey, Event>,
}

impl Default for Record {
    fn default() -> Self {
        Self {
            mode: Mode::Manual,
            held: HashMap::new(),
        }
    }
}

pub(crate) fn lock(records: &Records) -> MutexGuard<'_, HashMap<u64, Record>> {
    records.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn open(records: &Records, id: u64) {
    lock(records).entry(id).or_default();
}

/// Pulls a batch; the messages are held for the operator, or given back when the
/// subscription was detached meanwhile.
pub(crate) async fn pull(
    broker: Broker,
    reply: Reply,
    records: Records,
    id: u64,
    stream: String,
    consumer: String,
    batch: usize,
) {
    let events = match broker.pull(&stream, &consumer, batch, PULL_WAIT).await {
        Ok(events) => events,
        Err(e) => {
            reply.send(Action::Pulled {
                id,
                result: Err(e.into()),
            });
            return;
        }
    };
    // Held under the lock, or handed back when the subscription went meanwhile (the
    // naks are sent after the lock is released).
    let held = {
        let mut records = lock(&records);
        let record = records.entry(id).or_default();
        if matches!(record.mode, Mode::Detached) {
            Err(events)
        } else {
            Ok(events
                .into_iter()
                .map(|event| {
                    let row = MessageRow::from_event(&event, RowState::Held);
                    record.held.insert(row.key(), event);
                    row
                })
                .collect::<Vec<_>>())
        }
    };
    let rows = match held {
        Ok(rows) => rows,
        Err(events) => {
            give_back(&broker, events).await;
            return;
        }
    };
    reply.send(Action::Pulled {
        id,
        result: Ok(rows),
    });
}

pub(crate) fn start_auto(
    broker: &Broker,
    reply: &Reply,
    records: &Records,
    id: u64,
    stream: String,
    consumer: String,
    fail_every: u64,
) {
    let ratio = Arc::new(AtomicU64::new(fail_every));
    {
        let mut records = lock(records);
        let record = records.entry(id).or_default();
        if matches!(record.mode, Mode::Detached) {
            return;
        }
        record.mode = Mode::StartingAuto {
            fail_every: ratio.clone(),
        };
    }
    let (broker, reply, records) = (broker.clone(), reply.clone(), records.clone());
    tokio::spawn(async move {
        let handler = auto_handler(id, ratio.clone(), reply.clone());
        match broker
            .attach(&stream, handler, SubscribeOptions::queue(&consumer))
            .await
        {
            Ok(subscription) => {
                // Checked and stored under one lock, so a stop cannot slip in between;
                // stopped before it started, the subscription is dropped here.
                let mut records = lock(&records);
                if let Some(record) = records.get_mut(&id)
                    && let Mode::StartingAuto { fail_every } = &record.mode
                {
                    record.mode = Mode::Auto {
                        fail_every: fail_every.clone(),
                        _subscription: subscription,
                    };
                }
            }
            Err(e) => reply.send(Action::Failed(
                format!("auto mode failed to start: {e}").into(),
            )),
        }
    });
}

pub(crate) fn stop_auto(records: &Records, id: u64) {
    if let Some(record) = lock(records).get_mut(&id)
        && matches!(record.mode, Mode::Auto { .. } | Mode::StartingAuto { .. })
    {
        record.mode = Mode::Manual;
    }
}

pub(crate) fn set_fail_every(records: &Records, id: u64, every: u64) {
    if let Some(record) = lock(records).get(&id)
        && let Mode::Auto { fail_every, .. } | Mode::StartingAuto { fail_every } = &record.mode
    {
        fail_every.store(every, Ordering::Relaxed);
    }
}

/// Marks `id` detached (stopping auto mode) and hands back the messages it held.
pub(crate) fn detach(records: &Records, id: u64) -> Vec<Event> {
    let mut records = lock(records);
    let record = records.entry(id).or_default();
    record.mode = Mode::Detached;
    record.held.drain().map(|(_, event)| event).collect()
}

pub(crate) fn detach_all(records: &Records) -> Vec<Event> {
    let mut events = Vec::new();
    for record in lock(records).values_mut() {
        record.mode = Mode::Detached;
        events.extend(record.held.drain().map(|(_, event)| event));
    }
    events
}

fn auto_handler(
    id: u64,
    fail_every: Arc<AtomicU64>,
    reply: Reply,
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
        reply.send(Action::AutoHandled {
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
