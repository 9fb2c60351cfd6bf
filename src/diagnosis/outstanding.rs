//! Outstanding messages: those between a consumer's ack floor and its last delivered
//! sequence that are still in the stream, read by sequence (no consumer made, nothing
//! consumed), a page at a time, each with what is known of it.

use std::collections::BTreeMap;

use async_nats::jetstream::stream::RetentionPolicy;

use crate::broker::{ApiError, Broker, StoredMessage, subject_matches};

/// Said with every page read from a Limits (or Interest) stream.
pub const LIMITS_NOTE: &str = "The server does not list which sequences between the ack floor and the last delivered one are still unacknowledged: on a Limits stream acknowledged messages stay, so these are the messages of that range still stored, some of which may already be acknowledged.";

/// What is known of one outstanding message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Known {
    /// Held by this jetdeck (delivered to it, not yet settled).
    HeldHere,
    /// A nak advisory was seen for it.
    Naked,
    /// A MAX_DELIVERIES advisory was seen for it: the server will not deliver it again.
    OutOfDeliveries,
    /// Delivered, not acknowledged, and not out of deliveries: it comes back after the ack
    /// wait (or the nak delay).
    AwaitingRedelivery,
    /// Certainly unacknowledged: on a WorkQueue stream an acknowledged message is removed.
    Unacknowledged,
}

impl Known {
    /// In words, for a column.
    pub fn word(self) -> &'static str {
        match self {
            Known::HeldHere => "held here",
            Known::Naked => "naked",
            Known::OutOfDeliveries => "out of deliveries",
            Known::AwaitingRedelivery => "awaiting redelivery",
            Known::Unacknowledged => "unacknowledged",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutstandingMessage {
    pub message: StoredMessage,
    pub known: Vec<Known>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutstandingPage {
    /// The range read: after the ack floor, up to the last delivered stream sequence.
    pub ack_floor: u64,
    pub last_delivered: u64,
    pub messages: Vec<OutstandingMessage>,
    /// Where the next page starts, when there is more.
    pub next: Option<u64>,
    /// [`LIMITS_NOTE`] unless the stream is a WorkQueue one (where what is left is
    /// exactly what is unacknowledged).
    pub note: Option<&'static str>,
}

/// The outstanding messages of `consumer` from stream sequence `from` (at least the
/// ack floor + 1), up to `page` of them; `known` is what the caller knows per sequence
/// (held, naked, out of deliveries), merged into each message.
pub async fn outstanding(
    broker: &Broker,
    stream: &str,
    consumer: &str,
    from: Option<u64>,
    page: usize,
    known: &BTreeMap<u64, Vec<Known>>,
) -> Result<OutstandingPage, ApiError> {
    let info = broker.consumer_info(stream, consumer).await?;
    let stream_info = broker.stream_info(stream).await?;
    let floor = info.ack_floor.stream_sequence;
    let last = info.delivered.stream_sequence;
    let mut filters = info.config.filter_subjects.clone();
    if !info.config.filter_subject.is_empty() {
        filters.push(info.config.filter_subject.clone());
    }
    let work_queue = stream_info.config.retention == RetentionPolicy::WorkQueue;
    let (messages, next) = outstanding_range(
        broker,
        stream,
        (from.unwrap_or(0).max(floor + 1), last),
        &filters,
        page,
    )
    .await?;
    let messages = messages
        .into_iter()
        .map(|message| {
            let mut what = known.get(&message.sequence).cloned().unwrap_or_default();
            if work_queue && !what.contains(&Known::Unacknowledged) {
                what.push(Known::Unacknowledged);
            }
            OutstandingMessage {
                message,
                known: what,
            }
        })
        .collect();
    Ok(OutstandingPage {
        ack_floor: floor,
        last_delivered: last,
        messages,
        next,
        note: (!work_queue).then_some(LIMITS_NOTE),
    })
}

/// The messages stored at stream sequences `from..=to` matching one of `filters` (all
/// when empty), up to `page` of them, and where the next page starts. Gaps cost no
/// request: each read is "the next message at or after".
pub async fn outstanding_range(
    broker: &Broker,
    stream: &str,
    (from, to): (u64, u64),
    filters: &[String],
    page: usize,
) -> Result<(Vec<StoredMessage>, Option<u64>), ApiError> {
    // One filter narrows the server's search; several are checked here.
    let ask = match filters {
        [one] => one.as_str(),
        _ => ">",
    };
    let mut found = Vec::new();
    let mut next = from;
    while next <= to {
        if found.len() == page {
            return Ok((found, Some(next)));
        }
        let Some(message) = broker.get_next_message(stream, next, ask).await? else {
            break;
        };
        if message.sequence > to {
            break;
        }
        next = message.sequence + 1;
        if filters.is_empty() || filters.iter().any(|f| subject_matches(f, &message.subject)) {
            found.push(message);
        }
    }
    Ok((found, None))
}
