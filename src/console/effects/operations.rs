//! The one-shot operations: publish (asking before a stream is made), attach, browse,
//! delete. Each runs on its own task and reports one action.

use super::Reply;
use crate::broker::{Broker, Message, SubscribeOptions};
use crate::console::app::{Action, AfterCreate, AttachedInfo, Effect, StreamOffer};
use crate::console::error::ActionError;
use crate::console::overlays::browse::{Bound, BrowsePage, PAGE, page_rows};
use crate::console::overlays::publish::{PublishRequest, expand};

/// Publishes to the stream that listens on the subject; with none, offers one.
pub(crate) async fn publish(broker: Broker, reply: Reply, request: PublishRequest) {
    let subject = request.subject.clone();
    match broker.stream_for_subject(&subject).await {
        Ok(Some(_)) => reply.send(Action::Published(publish_all(&broker, request).await)),
        Ok(None) => {
            let offer = offer(&broker, &subject, AfterCreate::Publish(request));
            reply.send(Action::NeedsStream(Box::new(offer)));
        }
        Err(e) => reply.send(Action::Published(Err(e.into()))),
    }
}

/// Creates the stream the operator accepted, then does what waited for it.
pub(crate) async fn create_stream_then(broker: Broker, reply: Reply, then: AfterCreate) {
    let topic = match then {
        AfterCreate::Publish(ref request) => request.subject.clone(),
        AfterCreate::Attach { ref topic, .. } => topic.clone(),
        AfterCreate::DeadLetters { stream, plan } => {
            return super::deadletters::create_stream_then_move(broker, reply, stream, *plan).await;
        }
    };
    match broker.ensure_stream(&topic).await {
        Ok(status) => {
            tracing::info!(stream = %status.name, created = status.created, "stream for an operator's subject");
            let next = match then {
                AfterCreate::Publish(request) => Effect::Publish(request),
                AfterCreate::Attach { id, topic, queue } => {
                    Effect::AttachByTopic { id, topic, queue }
                }
                AfterCreate::DeadLetters { .. } => return,
            };
            reply.send(Action::Run(next));
        }
        Err(e) => match then {
            AfterCreate::Publish(_) => reply.send(Action::Published(Err(e.into()))),
            AfterCreate::Attach { id, .. } => reply.send(Action::Attached {
                id,
                result: Err(e.into()),
            }),
            AfterCreate::DeadLetters { .. } => {}
        },
    }
}

pub(crate) async fn attach(
    broker: Broker,
    reply: Reply,
    id: u64,
    stream: String,
    consumer: String,
) {
    let result = broker
        .pull_consumer_info(&stream, &consumer)
        .await
        .map(|info| attached_info(&stream, &info))
        .map_err(ActionError::from);
    reply.send(Action::Attached { id, result });
}

/// Attaches by topic and queue, making the consumer when missing; never the stream (with
/// none, the operator is asked first).
pub(crate) async fn attach_by_topic(
    broker: Broker,
    reply: Reply,
    id: u64,
    topic: String,
    queue: String,
) {
    match broker.stream_for_subject(&topic).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            let then = AfterCreate::Attach {
                id,
                topic: topic.clone(),
                queue,
            };
            reply.send(Action::NeedsStream(Box::new(offer(&broker, &topic, then))));
            return;
        }
        Err(e) => {
            reply.send(Action::Attached {
                id,
                result: Err(e.into()),
            });
            return;
        }
    }
    let result = broker
        .ensure_consumer(&topic, &SubscribeOptions::queue(&queue))
        .await
        .map(|(stream, info)| attached_info(&stream.name, &info))
        .map_err(ActionError::from);
    reply.send(Action::Attached { id, result });
}

pub(crate) async fn delete_consumer(
    broker: Broker,
    reply: Reply,
    stream: String,
    consumer: String,
) {
    let result = broker
        .delete_consumer(&stream, &consumer)
        .await
        .map_err(ActionError::from);
    reply.send(Action::ConsumerDeleted {
        stream,
        consumer,
        result,
    });
}

/// What a page of the unfiltered browser asks (see `Effect::Browse`).
pub(crate) struct PageAsk {
    pub from: u64,
    pub last: u64,
    pub bound: Bound,
    pub direct: bool,
    pub ahead: Option<u64>,
}

pub(crate) async fn browse(broker: Broker, reply: Reply, stream: String, ask: PageAsk) {
    let from = ask.from;
    let result = read_page(&broker, &stream, ask).await;
    reply.send(Action::Browsed {
        stream,
        from,
        result,
    });
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
    let replicas = config.num_replicas.max(1);
    StreamOffer {
        subject: subject.to_string(),
        stream: config.name.clone(),
        subjects: config.subjects.clone(),
        config: format!(
            "{:?} retention, {:?} storage, {replicas} replica{}, {}",
            config.retention,
            config.storage,
            if replicas > 1 { "s" } else { "" },
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

/// Publishes the request's messages one by one, each waiting for its PubAck.
async fn publish_all(
    broker: &Broker,
    request: PublishRequest,
) -> Result<(crate::broker::PubAck, u32), ActionError> {
    let mut last = None;
    for n in 1..=request.count {
        let message = Message {
            body: expand(&request.body, n as usize).into(),
            headers: request.headers.clone(),
        };
        match broker.publish_no_create(&request.subject, message).await {
            Ok(ack) => last = Some(ack),
            Err(e) if request.count == 1 => return Err(e.into()),
            Err(source) => {
                return Err(ActionError::PublishedPart {
                    n,
                    count: request.count,
                    source,
                });
            }
        }
    }
    last.map(|ack| (ack, request.count))
        .ok_or_else(|| "nothing to publish".into())
}

/// Reads a page of stored messages from `ask.from`, deleted runs between them as one
/// row each. One message at a time, the last stored sequence is found first when not
/// known (a read past it is an API error the server counts); a batched direct get needs
/// no bound.
async fn read_page(broker: &Broker, stream: &str, ask: PageAsk) -> Result<BrowsePage, ActionError> {
    let batched = ask.direct
        && broker
            .server_version()
            .is_ok_and(|v| v.supports_batched_direct_get());
    let bound = match ask.bound {
        Bound::Stored(bound) => Some(bound),
        // A batch ends at the stream's end by itself, without an error; reading no more
        // than the messages known to be there cannot pass it either.
        _ if batched || ask.ahead.is_some() => None,
        Bound::AskLastOn(subject) => Some(broker.last_stored(stream, &subject).await?.unwrap_or(0)),
        Bound::Last => None,
    };
    let until = bound.unwrap_or(ask.last).min(ask.last);
    let max = ask.ahead.map_or(PAGE, |n| n.min(PAGE)) as usize;
    let messages = broker
        .read_window(stream, None, ask.from, until, max, ask.direct)
        .await?;
    let end = (messages.len() < PAGE as usize).then_some(ask.last);
    Ok(BrowsePage {
        rows: page_rows(ask.from, messages, end),
        bound,
    })
}
