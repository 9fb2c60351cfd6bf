//! Filling the facts from a server: the infos the caller has, plus the extras that cost
//! a request (per-subject counts, only when the filter may match nothing) or a read of
//! the dead-letter capture stream.

use std::collections::BTreeMap;
use std::time::SystemTime;

use async_nats::jetstream::{consumer, stream};

use super::facts::ConsumerFacts;
use crate::broker::{ApiError, Broker, ServerVersion};
use crate::deadletters::{self, AdvisoryKind, DeadLetterError, Filter};

/// The facts of one consumer from infos already read, plus the per-subject counts when
/// its filter may match nothing (one request, two when nothing matched, to name the
/// subjects there are), and the dead-letter count when `dead_letters` has one for it.
pub async fn collect(
    broker: &Broker,
    stream: &stream::Info,
    info: &consumer::Info,
    dead_letters: Option<&BTreeMap<(String, String), u64>>,
) -> Result<ConsumerFacts, ApiError> {
    let version = broker
        .server_info()
        .and_then(|i| ServerVersion::of(&i).ok());
    let mut facts = ConsumerFacts::from_info(stream, info, version, SystemTime::now());
    facts.stored_subjects = stored_subjects(broker, &facts).await?;
    if let Some(counts) = dead_letters {
        let key = (facts.stream.clone(), facts.consumer.clone());
        facts.max_deliveries_hit = Some(counts.get(&key).copied().unwrap_or(0));
    }
    Ok(facts)
}

/// The stream's per-subject counts when the consumer's filter may match nothing stored
/// (see [`ConsumerFacts::filter_may_match_nothing`]), else `None` (no request). The
/// counts of the filter's subjects when there are any; otherwise every subject, so the
/// closest ones can be named.
pub async fn stored_subjects(
    broker: &Broker,
    facts: &ConsumerFacts,
) -> Result<Option<BTreeMap<String, u64>>, ApiError> {
    if !facts.filter_may_match_nothing() {
        return Ok(None);
    }
    let mut matched = BTreeMap::new();
    for filter in &facts.filter_subjects {
        matched.extend(broker.stream_subjects(&facts.stream, filter).await?);
    }
    if !matched.is_empty() {
        return Ok(Some(matched));
    }
    broker.stream_subjects(&facts.stream, ">").await.map(Some)
}

/// How many messages ran out of deliveries, per (stream, consumer), from the MAX_DELIVERIES
/// advisories the capture stream `capture` recorded (one per stream sequence); `None`
/// when there is no capture stream (then nothing is known).
pub async fn dead_letter_counts(
    broker: &Broker,
    capture: &str,
    filter: &Filter,
) -> Result<Option<BTreeMap<(String, String), u64>>, DeadLetterError> {
    if !deadletters::capture_exists(broker, capture).await? {
        return Ok(None);
    }
    let events =
        deadletters::read_capture(broker, capture, filter, &[AdvisoryKind::MaxDeliveries]).await?;
    let mut counts = BTreeMap::new();
    for letter in deadletters::dead_letters_from(&events, filter) {
        *counts.entry((letter.stream, letter.consumer)).or_insert(0) += 1;
    }
    Ok(Some(counts))
}
