//! What the advisories a caller saw say of each consumer: how many of its messages ran
//! out of deliveries, and how many naks came over the redelivery window. The console
//! feeds the events pane's advisories through this (it watches every advisory while
//! connected), so its Health column says `dead letters` and tells a nak-driven
//! `redelivering` from an expired ack wait, as `jetdeck doctor` does.

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use super::REDELIVERY_WINDOW;
use super::facts::ConsumerFacts;
use crate::deadletters::{AdvisoryEvent, AdvisoryKind};

/// One consumer's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AdvisoryCounts {
    /// Distinct stream sequences named by a MAX_DELIVERIES advisory.
    pub max_deliveries: u64,
    /// Nak advisories raised within [`REDELIVERY_WINDOW`] before `now`.
    pub naks_recent: u64,
}

impl AdvisoryCounts {
    /// Puts the counts into `facts` (both known: the caller watched the advisories).
    pub fn apply(&self, facts: &mut ConsumerFacts) {
        facts.max_deliveries_hit = Some(self.max_deliveries);
        facts.naks_recent = Some(self.naks_recent);
    }
}

/// The counts per (stream, consumer) of the advisories in `events`, as of `now`.
pub fn advisory_counts(
    events: &[AdvisoryEvent],
    now: SystemTime,
) -> BTreeMap<(String, String), AdvisoryCounts> {
    let window_start = now.checked_sub(REDELIVERY_WINDOW).unwrap_or(now);
    let mut out_of_deliveries: BTreeMap<(String, String), BTreeSet<u64>> = BTreeMap::new();
    let mut counts: BTreeMap<(String, String), AdvisoryCounts> = BTreeMap::new();
    for event in events {
        let key = (event.stream.clone(), event.consumer.clone());
        match event.kind {
            AdvisoryKind::MaxDeliveries => {
                out_of_deliveries
                    .entry(key.clone())
                    .or_default()
                    .insert(event.stream_seq);
                counts.entry(key).or_default();
            }
            AdvisoryKind::Naked if event.time >= window_start && event.time <= now => {
                counts.entry(key).or_default().naks_recent += 1;
            }
            _ => {}
        }
    }
    for (key, seqs) in out_of_deliveries {
        counts.entry(key).or_default().max_deliveries = seqs.len() as u64;
    }
    counts
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn event(
        kind: AdvisoryKind,
        consumer: &str,
        seq: u64,
        ago: u64,
        now: SystemTime,
    ) -> AdvisoryEvent {
        AdvisoryEvent {
            kind,
            stream: "ORDERS".into(),
            consumer: consumer.into(),
            stream_seq: seq,
            deliveries: 3,
            reason: None,
            time: now - Duration::from_secs(ago),
        }
    }

    #[test]
    fn counts_distinct_messages_out_of_deliveries_and_recent_naks_per_consumer() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(10_000);
        let events = [
            event(AdvisoryKind::MaxDeliveries, "billing", 4, 500, now),
            event(AdvisoryKind::MaxDeliveries, "billing", 4, 400, now),
            event(AdvisoryKind::MaxDeliveries, "billing", 9, 30, now),
            event(AdvisoryKind::Naked, "billing", 9, 10, now),
            event(AdvisoryKind::Naked, "billing", 9, 50, now),
            event(AdvisoryKind::Naked, "billing", 9, 61, now),
            event(AdvisoryKind::Terminated, "shipping", 2, 1, now),
            event(AdvisoryKind::Naked, "shipping", 3, 1, now),
        ];
        let counts = advisory_counts(&events, now);
        let of = |c: &str| counts.get(&("ORDERS".to_string(), c.to_string())).copied();
        assert_eq!(
            of("billing"),
            Some(AdvisoryCounts {
                max_deliveries: 2,
                naks_recent: 2
            })
        );
        assert_eq!(
            of("shipping"),
            Some(AdvisoryCounts {
                max_deliveries: 0,
                naks_recent: 1
            })
        );
        assert_eq!(of("other"), None);
    }
}
