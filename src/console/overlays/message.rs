//! One message opened whole (from the messages pane or the browser): metadata, headers
//! and body. Its keys are the scrolling ones every text overlay shares (`super::scrolled`).

use std::time::SystemTime;

use crate::broker::{Headers, StoredMessage};
use crate::console::app::clock_text;
use crate::console::attached::{Attached, MessageRow};
use crate::deadletters::{Step, TimelineEntry};

#[derive(Debug, Clone)]
pub struct MessageView {
    pub title: String,
    /// Where it is stored: what a delete, a copy or a save names.
    pub stream: String,
    pub sequence: u64,
    pub subject: String,
    /// Metadata lines: (label, value).
    pub meta: Vec<(String, String)>,
    pub headers: Headers,
    pub body: bytes::Bytes,
    /// What is known to have happened to it, oldest first: (time, what).
    pub timeline: Vec<(String, String)>,
}

impl MessageView {
    /// A message read from the stream by sequence (the browser).
    pub fn stored(m: &StoredMessage) -> Self {
        let meta = vec![
            ("stream".into(), m.stream.clone()),
            ("sequence".into(), m.sequence.to_string()),
        ];
        let title = format!("{} sequence {}", m.stream, m.sequence);
        Self::new(
            title,
            meta,
            (&m.stream, m.sequence, &m.subject),
            ("stored", m.time),
            &m.headers,
            &m.body,
        )
    }

    /// A message delivered to an attached subscription.
    pub fn delivered(a: &Attached, r: &MessageRow) -> Self {
        let d = &r.delivery;
        let title = format!(
            "{} sequence {} (delivery {})",
            a.label(),
            d.stream_sequence,
            d.delivered
        );
        let meta = vec![
            ("stream".into(), d.stream.clone()),
            ("consumer".into(), d.consumer.clone()),
            ("stream sequence".into(), d.stream_sequence.to_string()),
            ("consumer sequence".into(), d.consumer_sequence.to_string()),
            ("delivery count".into(), d.delivered.to_string()),
            ("pending after it".into(), d.pending.to_string()),
        ];
        let published = ("published", d.published);
        let at = (d.stream.as_str(), d.stream_sequence, r.subject.as_str());
        Self::new(title, meta, at, published, &r.headers, &r.body)
    }

    /// A message seen by the subject tail (plain NATS: stored nowhere, so no sequence).
    pub fn tailed(m: &crate::broker::TailedMessage) -> Self {
        let mut meta = Vec::new();
        if let Some(reply) = &m.reply {
            meta.push(("reply to".into(), reply.clone()));
        }
        let title = format!("{} (tail, plain NATS)", m.subject);
        let at = ("", 0, m.subject.as_str());
        Self::new(
            title,
            meta,
            at,
            ("received", m.received),
            &m.headers,
            &m.payload,
        )
    }

    /// The lines both kinds end with: subject, when, size.
    fn new(
        title: String,
        mut meta: Vec<(String, String)>,
        (stream, sequence, subject): (&str, u64, &str),
        (when, time): (&str, SystemTime),
        headers: &Headers,
        body: &bytes::Bytes,
    ) -> Self {
        meta.push(("subject".into(), subject.to_string()));
        meta.push((when.into(), clock_text(time)));
        meta.push(("size".into(), format!("{} bytes", body.len())));
        Self {
            title,
            stream: stream.to_string(),
            sequence,
            subject: subject.to_string(),
            meta,
            headers: headers.clone(),
            body: body.clone(),
            timeline: Vec::new(),
        }
    }

    /// The same, with its delivery timeline.
    pub fn with_timeline(mut self, entries: &[TimelineEntry]) -> Self {
        self.timeline = entries
            .iter()
            .map(|e| (clock_text(e.time), step_text(e)))
            .collect();
        self
    }
}

/// One timeline step in words: `nak (delivery 2) by billing`.
pub fn step_text(entry: &TimelineEntry) -> String {
    let what = match &entry.step {
        Step::Published { subject } => format!("published to {subject}"),
        Step::Delivered { delivered } => format!("delivered to jetdeck (delivery {delivered})"),
        Step::Naked { deliveries } => format!("nak (delivery {deliveries})"),
        Step::InProgress => "in progress".to_string(),
        Step::Terminated {
            deliveries,
            reason: None,
        } => format!("term (delivery {deliveries})"),
        Step::Terminated {
            deliveries,
            reason: Some(r),
        } => format!("term (delivery {deliveries}): {r}"),
        Step::MaxDeliveries { deliveries } => format!("MAX_DELIVERIES after {deliveries}"),
        Step::Acked => "acked (at or before)".to_string(),
        Step::RetriedAs { stream, sequence } => format!("retried as {stream} seq {sequence}"),
        Step::Deleted => "deleted".to_string(),
        Step::AckSent { .. }
        | Step::NakSent { .. }
        | Step::InProgressSent { .. }
        | Step::TermSent { .. } => sent_text(&entry.step),
    };
    let by = if sent_by_jetdeck(&entry.step) {
        "via"
    } else {
        "by"
    };
    match &entry.consumer {
        Some(c) => format!("{what} {by} {c}"),
        None => what,
    }
}

fn sent_by_jetdeck(step: &Step) -> bool {
    matches!(
        step,
        Step::AckSent { .. }
            | Step::NakSent { .. }
            | Step::InProgressSent { .. }
            | Step::TermSent { .. }
    )
}

/// A settle jetdeck sent itself: `jetdeck sent nak (delivery 1, redeliver after 5s)`.
fn sent_text(step: &Step) -> String {
    match step {
        Step::AckSent { delivery } => format!("jetdeck sent ack (delivery {delivery})"),
        Step::NakSent {
            delivery,
            delay_ms: None,
        } => format!("jetdeck sent nak (delivery {delivery})"),
        Step::NakSent {
            delivery,
            delay_ms: Some(ms),
        } => format!(
            "jetdeck sent nak (delivery {delivery}, redeliver after {})",
            humantime::format_duration(std::time::Duration::from_millis(*ms))
        ),
        Step::InProgressSent { delivery } => {
            format!("jetdeck sent in-progress (delivery {delivery})")
        }
        Step::TermSent {
            delivery,
            reason: None,
        } => format!("jetdeck sent term (delivery {delivery})"),
        Step::TermSent {
            delivery,
            reason: Some(r),
        } => format!("jetdeck sent term (delivery {delivery}): {r}"),
        _ => String::new(),
    }
}
