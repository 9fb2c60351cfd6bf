//! The timeline of one stream sequence: what is known to have happened to it, oldest
//! first. Sources: the stream (when it was published), the capture stream (naks, terms,
//! max deliveries), the consumers' ack floors (acks raise no advisory by default, so an
//! ack is known when a consumer's ack floor has passed the sequence without a term or
//! max deliveries from that consumer), and what the caller saw itself.

use std::time::SystemTime;

use super::DeadLetterError;
use super::advisory::{AdvisoryEvent, AdvisoryKind};
use super::capture::read_capture;
use super::list::{Filter, read_original};
use crate::broker::{Broker, StoredMessage, consumer_filters, subject_matches};

/// One thing that happened to a message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Published {
        subject: String,
    },
    /// A delivery the caller saw (the console's own pulls).
    Delivered {
        delivered: u64,
    },
    Naked {
        deliveries: u64,
    },
    InProgress,
    Terminated {
        deliveries: u64,
        reason: Option<String>,
    },
    MaxDeliveries {
        deliveries: u64,
    },
    /// The consumer's ack floor is at or past the sequence; `time` is the floor's last
    /// activity, so the ack happened at or before it.
    Acked,
    RetriedAs {
        stream: String,
        sequence: u64,
    },
    Deleted,
    /// Settles the caller sent itself (the console's attached subscriptions), timed when
    /// they reached the server; `delivery` is the delivery count they settled.
    AckSent {
        delivery: u64,
    },
    NakSent {
        delivery: u64,
        /// The redelivery delay asked for, in milliseconds (none: at once).
        delay_ms: Option<u64>,
    },
    InProgressSent {
        delivery: u64,
    },
    TermSent {
        delivery: u64,
        reason: Option<String>,
    },
}

impl Step {
    /// The step for a settle the caller sent on delivery `delivery`.
    pub fn sent(settle: &crate::broker::SettleKind, delivery: u64) -> Self {
        use crate::broker::SettleKind;
        match settle {
            SettleKind::Ack => Step::AckSent { delivery },
            SettleKind::Nak(delay) => Step::NakSent {
                delivery,
                delay_ms: delay.map(|d| d.as_millis() as u64),
            },
            SettleKind::InProgress => Step::InProgressSent { delivery },
            SettleKind::Term(reason) => Step::TermSent {
                delivery,
                reason: reason.clone(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TimelineEntry {
    pub time: SystemTime,
    /// The consumer it happened on (none for publish and delete).
    pub consumer: Option<String>,
    pub step: Step,
}

impl TimelineEntry {
    /// An advisory as a timeline step (for advisories the caller saw live).
    pub fn from_advisory(event: &AdvisoryEvent) -> Self {
        let deliveries = event.deliveries;
        Self {
            time: event.time,
            consumer: Some(event.consumer.clone()),
            step: match event.kind {
                AdvisoryKind::Naked => Step::Naked { deliveries },
                AdvisoryKind::Terminated => Step::Terminated {
                    deliveries,
                    reason: event.reason.clone(),
                },
                AdvisoryKind::MaxDeliveries => Step::MaxDeliveries { deliveries },
            },
        }
    }
}

/// Everything known of `stream` seq `sequence`, oldest first: the capture stream
/// `capture` (when given) and the consumers' ack floors, plus `seen` (entries the caller
/// recorded itself: its deliveries, settles, retries). Same-time entries keep the order
/// publish, caller's, advisories, acks.
pub async fn timeline(
    broker: &Broker,
    stream: &str,
    sequence: u64,
    capture: Option<&str>,
    seen: &[TimelineEntry],
) -> Result<Vec<TimelineEntry>, DeadLetterError> {
    let mut entries = Vec::new();
    let original = read_original(broker, stream, sequence).await?;
    if let Some(original) = &original {
        entries.push(TimelineEntry {
            time: original.time,
            consumer: None,
            step: Step::Published {
                subject: original.subject.clone(),
            },
        });
    }
    entries.extend(seen.iter().cloned());
    let filter = Filter {
        stream: Some(stream.to_string()),
        consumer: None,
    };
    let advisories: Vec<AdvisoryEvent> = match capture {
        Some(name) => read_capture(broker, name, &filter, &AdvisoryKind::ALL).await?,
        None => Vec::new(),
    }
    .into_iter()
    .filter(|e| e.stream_seq == sequence)
    .collect();
    entries.extend(advisories.iter().map(TimelineEntry::from_advisory));
    if let Some(original) = &original {
        entries.extend(acks(broker, stream, original, &advisories).await?);
    }
    entries.sort_by_key(|e| e.time);
    // An advisory the caller saw live is also in the capture stream: keep one.
    let mut unique: Vec<TimelineEntry> = Vec::with_capacity(entries.len());
    for entry in entries {
        if !unique.contains(&entry) {
            unique.push(entry);
        }
    }
    Ok(unique)
}

/// An `Acked` entry for each consumer of the message's subject whose ack floor passed
/// its sequence and that did not term it or give up on it (those move the floor too).
/// Only while the message is still there to say its subject: a WorkQueue stream removes
/// it on ack, and then the ack is not known from here.
async fn acks(
    broker: &Broker,
    stream: &str,
    original: &StoredMessage,
    advisories: &[AdvisoryEvent],
) -> Result<Vec<TimelineEntry>, DeadLetterError> {
    let sequence = original.sequence;
    let consumers = match broker.list_consumers(stream).await {
        Ok(consumers) => consumers,
        Err(e) if e.kind() == crate::broker::ApiErrorKind::StreamNotFound => return Ok(vec![]),
        Err(e) => return Err(e.into()),
    };
    Ok(consumers
        .into_iter()
        .filter(|c| c.ack_floor.stream_sequence >= sequence)
        .filter(|c| {
            let filters = consumer_filters(&c.config);
            filters.is_empty()
                || filters
                    .iter()
                    .any(|f| subject_matches(f, &original.subject))
        })
        .filter(|c| {
            !advisories
                .iter()
                .any(|a| a.consumer == c.name && a.kind != AdvisoryKind::Naked)
        })
        .map(|c| TimelineEntry {
            time: c
                .ack_floor
                .last_active
                .map(SystemTime::from)
                .unwrap_or_else(SystemTime::now),
            consumer: Some(c.name),
            step: Step::Acked,
        })
        .collect())
}
