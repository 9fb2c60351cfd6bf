//! Runs the app's effects on tokio tasks, through the broker, and reports back as actions.
//! `run` starts each effect's own `async fn` and never waits for the network. What must
//! not live in the pure app state is kept here, one record per attached subscription
//! (`subscriptions.rs`): its mode and the pulled messages awaiting the operator.

mod configure;
mod deadletters;
mod diagnosis;
mod kv;
mod messages;
mod objects;
mod operate;
mod operations;
mod settle;
mod subscriptions;
mod tail;

pub use tail::TailFeed;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::app::{Action, Effect};
use crate::broker::Broker;
use subscriptions::Records;

/// `f` takes what is waiting now, without waiting for the batch to fill.
pub const PULL_WAIT: Duration = Duration::ZERO;

/// Sends actions back to the UI loop; the UI is gone only when the console is closing.
#[derive(Clone)]
pub(crate) struct Reply(mpsc::UnboundedSender<Action>);

impl Reply {
    pub(crate) fn send(&self, action: Action) {
        let _ = self.0.send(action);
    }
}

pub struct EffectRunner {
    broker: Broker,
    reply: Reply,
    selected: watch::Sender<Option<String>>,
    records: Records,
    /// The keys view being fed (0: none); a watch stops when this is not its id.
    kv_watch: watch::Sender<u64>,
    tail: tail::Running,
}

impl EffectRunner {
    pub fn new(
        broker: Broker,
        actions: mpsc::UnboundedSender<Action>,
        selected: watch::Sender<Option<String>>,
    ) -> Self {
        Self {
            broker,
            reply: Reply(actions),
            selected,
            records: Arc::new(Mutex::default()),
            kv_watch: watch::Sender::new(0),
            tail: Arc::new(Mutex::default()),
        }
    }

    /// Starts `effect`; never waits for the network.
    pub fn run(&self, effect: Effect) {
        let (broker, reply) = (self.broker.clone(), self.reply.clone());
        match effect {
            Effect::WatchStream(stream) => {
                self.selected.send_replace(stream);
            }
            Effect::Publish(request) => {
                tokio::spawn(operations::publish(broker, reply, request));
            }
            Effect::CreateStreamThen(then) => {
                tokio::spawn(operations::create_stream_then(broker, reply, then));
            }
            subscription @ (Effect::Attach { .. }
            | Effect::AttachByTopic { .. }
            | Effect::Pull { .. }
            | Effect::Settle { .. }
            | Effect::StartAuto { .. }
            | Effect::StopAuto { .. }
            | Effect::SetFailEvery { .. }
            | Effect::Detach { .. }) => self.run_subscription(subscription),
            Effect::Browse {
                stream,
                from,
                last,
                bound,
                direct,
                ahead,
            } => {
                let ask = operations::PageAsk {
                    from,
                    last,
                    bound,
                    direct,
                    ahead,
                };
                tokio::spawn(operations::browse(broker, reply, stream, ask));
            }
            Effect::Operate(request) => {
                tokio::spawn(operate::run(broker, reply, request));
            }
            Effect::DeleteConsumer { stream, consumer } => {
                tokio::spawn(operations::delete_consumer(broker, reply, stream, consumer));
            }
            Effect::Kv(kv) => self.run_kv(kv),
            Effect::Objects(effect) => objects::run(broker, reply, effect),
            Effect::Configure(plan) => {
                tokio::spawn(configure::apply(broker, reply, *plan));
            }
            inspection @ (Effect::ReadMessage { .. }
            | Effect::ListDeadLetters { .. }
            | Effect::DeadLetters(_)
            | Effect::CreateCapture
            | Effect::StoredSubjects(_)
            | Effect::Outstanding { .. }) => self.run_inspection(inspection),
            messages @ (Effect::DeleteMessage { .. }
            | Effect::BrowseLocate { .. }
            | Effect::BrowseWindow { .. }
            | Effect::ListSubjects { .. }
            | Effect::SaveBody { .. }
            | Effect::Clipboard(_)
            | Effect::Switch(_)) => self.run_messages(messages),
            Effect::StartTail { subject } => tail::start(broker, reply, &self.tail, subject),
            Effect::StopTail => tail::stop(&self.tail),
            Effect::TailAnswer { reply: to, body } => {
                tokio::spawn(tail::answer(broker, reply, to, body));
            }
            Effect::TailRequest { subject, body } => {
                tokio::spawn(tail::request(broker, reply, subject, body));
            }
        }
    }

    /// Attached subscriptions: attach, pull, settle, auto mode, detach.
    fn run_subscription(&self, effect: Effect) {
        let (broker, reply, records) = (
            self.broker.clone(),
            self.reply.clone(),
            self.records.clone(),
        );
        match effect {
            Effect::Attach {
                id,
                stream,
                consumer,
            } => {
                subscriptions::open(&records, id);
                tokio::spawn(operations::attach(broker, reply, id, stream, consumer));
            }
            Effect::AttachByTopic { id, topic, queue } => {
                subscriptions::open(&records, id);
                tokio::spawn(operations::attach_by_topic(broker, reply, id, topic, queue));
            }
            Effect::Pull {
                id,
                stream,
                consumer,
                batch,
            } => {
                tokio::spawn(subscriptions::pull(
                    broker, reply, records, id, stream, consumer, batch,
                ));
            }
            Effect::Settle { id, key, how } => {
                tokio::spawn(settle::settle(broker, reply, records, id, key, how));
            }
            Effect::StartAuto {
                id,
                stream,
                consumer,
                fail_every,
            } => subscriptions::start_auto(
                &broker, &reply, &records, id, stream, consumer, fail_every,
            ),
            Effect::StopAuto { id } => subscriptions::stop_auto(&records, id),
            Effect::SetFailEvery { id, fail_every } => {
                subscriptions::set_fail_every(&records, id, fail_every)
            }
            Effect::Detach { id } => {
                let events = subscriptions::detach(&records, id);
                tokio::spawn(async move {
                    let held = events.len();
                    let naked = settle::give_back(&broker, events).await;
                    reply.send(Action::Detached { id, held, naked });
                });
            }
            _ => unreachable!("run handles every other effect"),
        }
    }

    /// Messages as things to act on: delete, filtered browse, subjects, save.
    fn run_messages(&self, effect: Effect) {
        let (broker, reply) = (self.broker.clone(), self.reply.clone());
        match effect {
            Effect::DeleteMessage {
                stream,
                sequence,
                erase,
            } => {
                tokio::spawn(messages::delete(broker, reply, stream, sequence, erase));
            }
            Effect::BrowseLocate {
                stream,
                filter,
                at_last,
            } => {
                tokio::spawn(messages::locate(broker, reply, stream, filter, at_last));
            }
            Effect::BrowseWindow {
                stream,
                filter,
                from,
                last,
                direct,
            } => {
                let window = (from, last, direct);
                tokio::spawn(messages::page(broker, reply, stream, filter, window));
            }
            Effect::ListSubjects { stream } => {
                tokio::spawn(messages::subjects(broker, reply, stream));
            }
            Effect::SaveBody {
                path,
                body,
                overwrite,
            } => {
                tokio::spawn(messages::save(reply, path, body, overwrite));
            }
            // The terminal owner writes clipboard sequences; none should reach here.
            Effect::Clipboard(_) => tracing::warn!("clipboard effect reached the runner"),
            Effect::Switch(_) => tracing::warn!("a switch reached the runner"),
            _ => unreachable!("run handles every other effect"),
        }
    }

    /// Key-value buckets: the keys view's watch.
    fn run_kv(&self, effect: crate::console::app::KvEffect) {
        use crate::console::app::KvEffect;
        match effect {
            KvEffect::Watch { bucket, watch } => {
                self.kv_watch.send_replace(watch);
                let current = self.kv_watch.subscribe();
                let (broker, reply) = (self.broker.clone(), self.reply.clone());
                tokio::spawn(kv::watch_keys(broker, reply, bucket, watch, current));
            }
            KvEffect::ReadKey { bucket, key } => {
                let (broker, reply) = (self.broker.clone(), self.reply.clone());
                tokio::spawn(kv::read_key(broker, reply, bucket, key));
            }
            KvEffect::CreateBucket(new) => {
                let (broker, reply) = (self.broker.clone(), self.reply.clone());
                tokio::spawn(kv::create_bucket(broker, reply, new));
            }
            KvEffect::DeleteBucket { bucket } => {
                let (broker, reply) = (self.broker.clone(), self.reply.clone());
                tokio::spawn(kv::delete_bucket(broker, reply, bucket));
            }
            KvEffect::Change(change) => {
                let (broker, reply) = (self.broker.clone(), self.reply.clone());
                tokio::spawn(kv::change(broker, reply, change));
            }
            KvEffect::StopWatch { watch } => {
                self.kv_watch.send_if_modified(|current| {
                    let stop = *current == watch;
                    if stop {
                        *current = 0;
                    }
                    stop
                });
            }
        }
    }

    /// The read-only effects of the dead-letters view and the diagnosis.
    fn run_inspection(&self, effect: Effect) {
        let (broker, reply) = (self.broker.clone(), self.reply.clone());
        match effect {
            Effect::ReadMessage {
                stream,
                sequence,
                seen,
            } => {
                tokio::spawn(deadletters::read_message(
                    broker, reply, stream, sequence, seen,
                ));
            }
            Effect::ListDeadLetters { filter, seen } => {
                tokio::spawn(deadletters::list(broker, reply, filter, seen));
            }
            Effect::DeadLetters(plan) => {
                tokio::spawn(deadletters::run(broker, reply, *plan));
            }
            Effect::CreateCapture => {
                tokio::spawn(deadletters::create_capture(broker, reply));
            }
            Effect::StoredSubjects(facts) => {
                tokio::spawn(diagnosis::stored_subjects(broker, reply, *facts.0));
            }
            Effect::Outstanding {
                stream,
                consumer,
                from,
                known,
            } => {
                let whose = (stream, consumer);
                tokio::spawn(diagnosis::outstanding(broker, reply, whose, from, known));
            }
            _ => unreachable!("run handles every other effect"),
        }
    }

    /// Detaches every subscription at once, on the way out: automatic ones stop, and the
    /// held messages go back to the server now (a nak each) rather than after their ack
    /// wait. Returns how many naks reached the server. Callers bound the wait.
    pub async fn detach_all(&self) -> usize {
        let events = subscriptions::detach_all(&self.records);
        settle::give_back(&self.broker, events).await
    }
}
