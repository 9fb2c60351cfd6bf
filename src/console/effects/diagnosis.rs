//! The diagnosis's one extra request: the stream's per-subject counts, for the selected
//! consumer when its filter may match nothing (so "no match" can name the closest).

use super::Reply;
use crate::broker::Broker;
use crate::console::app::Action;
use crate::diagnosis::{self, ConsumerFacts};

pub(super) async fn stored_subjects(broker: Broker, reply: Reply, facts: ConsumerFacts) {
    let result = diagnosis::stored_subjects(&broker, &facts)
        .await
        .map_err(Into::into);
    reply.send(Action::StoredSubjects {
        stream: facts.stream,
        consumer: facts.consumer,
        result,
    });
}

/// Reads one page of a consumer's outstanding messages.
pub(super) async fn outstanding(
    broker: Broker,
    reply: Reply,
    (stream, consumer): (String, String),
    from: Option<u64>,
    known: std::collections::BTreeMap<u64, Vec<diagnosis::Known>>,
) {
    let page = crate::console::overlays::outstanding::PAGE;
    let result = diagnosis::outstanding(&broker, &stream, &consumer, from, page, &known)
        .await
        .map_err(Into::into);
    reply.send(Action::OutstandingRead {
        stream,
        consumer,
        from,
        result,
    });
}
