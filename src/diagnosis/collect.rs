//! Filling the facts from a server: the infos the caller has, plus the extras that cost
//! a request (per-subject counts, only when the filter may match nothing) or a read of
//! the dead-letter capture stream.

use std::collections::BTreeMap;
use std::time::SystemTime;

use async_nats::jetstream::{consumer, stream};

use super::facts::ConsumerFacts;
use crate::broker::{ApiError, Broker, ServerVersion, subject_matches};
use crate::deadletters::{self, AdvisoryKind, DeadLetterError, Filter};

/// The facts of one consumer from infos already read, plus the per-subject counts when
/// its filter may match nothing (one request), and the dead-letter count when `dead_letters` has one for it.
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
/// (see [`ConsumerFacts::filter_may_match_nothing`]), else `None` (no request). One
/// request (paged by the server only past its page size, 100,000 subjects): every
/// subject with the `>` filter; then the counts of the filter's subjects when there are
/// any, otherwise all of them, so the closest ones can be named.
pub async fn stored_subjects(
    broker: &Broker,
    facts: &ConsumerFacts,
) -> Result<Option<BTreeMap<String, u64>>, ApiError> {
    if !facts.filter_may_match_nothing() {
        return Ok(None);
    }
    let all = broker.stream_subjects(&facts.stream, ">").await?;
    Ok(Some(matching_or_all(all, &facts.filter_subjects)))
}

/// The subjects of `all` that one of `filters` matches, or `all` when none does.
fn matching_or_all(all: BTreeMap<String, u64>, filters: &[String]) -> BTreeMap<String, u64> {
    let matched: BTreeMap<String, u64> = all
        .iter()
        .filter(|(s, _)| filters.iter().any(|f| subject_matches(f, s)))
        .map(|(s, n)| (s.clone(), *n))
        .collect();
    if matched.is_empty() { all } else { matched }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_subjects_when_some_match_else_every_subject() {
        let all: BTreeMap<String, u64> = [
            ("orders.billing".to_string(), 5),
            ("orders.new".to_string(), 2),
        ]
        .into();
        let typo = matching_or_all(all.clone(), &["orders.bilingg".to_string()]);
        assert_eq!(typo, all);
        let right = matching_or_all(all, &["orders.billing".to_string(), "x.>".to_string()]);
        assert_eq!(right, [("orders.billing".to_string(), 5)].into());
    }
}
