//! Listing dead letters: the MAX_DELIVERIES and MSG_TERMINATED advisories (recorded by
//! the capture stream, and those the caller saw itself), one row per stream sequence,
//! each with its original read back by sequence.

use std::collections::BTreeMap;

use super::advisory::{AdvisoryEvent, AdvisoryKind};
use super::capture::read_capture;
use super::{Cause, DeadLetter, DeadLetterError};
use crate::broker::{ApiErrorKind, Broker, StoredMessage};

/// Which dead letters: those of one stream, one consumer, or all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub stream: Option<String>,
    pub consumer: Option<String>,
}

impl Filter {
    pub fn matches(&self, stream: &str, consumer: &str) -> bool {
        self.stream.as_deref().is_none_or(|s| s == stream)
            && self.consumer.as_deref().is_none_or(|c| c == consumer)
    }
}

/// Every dead letter matching `filter`, oldest first: from the capture stream `capture`
/// (when given and present) and the advisories in `seen`, each original read by
/// sequence. A sequence named by several advisories is listed once, with the latest.
pub async fn list(
    broker: &Broker,
    filter: &Filter,
    capture: Option<&str>,
    seen: &[AdvisoryEvent],
) -> Result<Vec<DeadLetter>, DeadLetterError> {
    let mut events = match capture {
        Some(name) => read_capture(broker, name, filter, &AdvisoryKind::DEAD).await?,
        None => Vec::new(),
    };
    events.extend(seen.iter().cloned());
    let mut letters = dead_letters_from(&events, filter);
    for letter in &mut letters {
        letter.original = read_original(broker, &letter.stream, letter.sequence).await?;
    }
    Ok(letters)
}

/// The dead letters `events` name (without their originals), oldest first: one per
/// stream sequence, the latest MAX_DELIVERIES or MSG_TERMINATED winning.
pub fn dead_letters_from(events: &[AdvisoryEvent], filter: &Filter) -> Vec<DeadLetter> {
    let mut latest: BTreeMap<(String, u64), &AdvisoryEvent> = BTreeMap::new();
    for event in events {
        if event.kind == AdvisoryKind::Naked || !filter.matches(&event.stream, &event.consumer) {
            continue;
        }
        let key = (event.stream.clone(), event.stream_seq);
        if latest.get(&key).is_none_or(|had| had.time <= event.time) {
            latest.insert(key, event);
        }
    }
    let mut letters: Vec<DeadLetter> = latest
        .into_values()
        .map(|event| DeadLetter {
            stream: event.stream.clone(),
            sequence: event.stream_seq,
            consumer: event.consumer.clone(),
            deliveries: event.deliveries,
            cause: match event.kind {
                AdvisoryKind::Terminated => Cause::Terminated {
                    reason: event.reason.clone(),
                },
                _ => Cause::MaxDeliveries,
            },
            time: event.time,
            original: None,
        })
        .collect();
    letters.sort_by(|a, b| (a.time, &a.stream, a.sequence).cmp(&(b.time, &b.stream, b.sequence)));
    letters
}

/// The message at `sequence`, or `None` when it (or its whole stream) is gone.
pub(super) async fn read_original(
    broker: &Broker,
    stream: &str,
    sequence: u64,
) -> Result<Option<StoredMessage>, DeadLetterError> {
    match broker.get_message(stream, sequence).await {
        Ok(message) => Ok(Some(message)),
        Err(e)
            if matches!(
                e.kind(),
                ApiErrorKind::MessageNotFound | ApiErrorKind::StreamNotFound
            ) =>
        {
            Ok(None)
        }
        Err(source) => Err(DeadLetterError::Read {
            stream: stream.to_string(),
            sequence,
            source,
        }),
    }
}
