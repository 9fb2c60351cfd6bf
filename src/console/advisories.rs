//! JetStream advisories (`$JS.EVENT.ADVISORY.>`) turned into events-pane rows.

use std::time::SystemTime;

use super::model::{Advisory, AdvisoryKind};
use crate::deadletters::{AdvisoryEvent, AdvisoryKind as EventKind, RawAdvisory};

pub const ADVISORY_SUBJECT: &str = "$JS.EVENT.ADVISORY.>";

/// Parses one advisory; `None` for the API audit trail (every API call, the console's
/// own polling included, would drown the pane) and for what is not an advisory.
pub fn parse(payload: &[u8], received: SystemTime) -> Option<Advisory> {
    let raw = RawAdvisory::parse(payload)?;
    let short = raw.short_kind().to_string();
    let action = raw.action.as_deref().unwrap_or_default();
    let kind = match (short.as_str(), action) {
        ("api_audit", _) => return None,
        ("stream_action", "create") => AdvisoryKind::StreamCreated,
        ("stream_action", "delete") => AdvisoryKind::StreamDeleted,
        ("stream_action", "modify") => AdvisoryKind::StreamUpdated,
        ("consumer_action", "create") => AdvisoryKind::ConsumerCreated,
        ("consumer_action", "delete") => AdvisoryKind::ConsumerDeleted,
        ("max_deliver", _) => AdvisoryKind::MaxDeliveries,
        ("terminated", _) => AdvisoryKind::Terminated,
        ("nak", _) => AdvisoryKind::Naked,
        _ => AdvisoryKind::Other(short.replace('_', " ").to_uppercase()),
    };
    let mut detail = Vec::new();
    if let Some(seq) = raw.stream_seq {
        detail.push(format!("seq {seq}"));
    }
    match raw.deliveries {
        Some(1) => detail.push("1 delivery".to_string()),
        Some(n) => detail.push(format!("{n} deliveries")),
        None => {}
    }
    let time = raw.time(received);
    let reason = raw.reason.filter(|r| !r.is_empty());
    if let Some(reason) = &reason {
        detail.push(format!("reason: {reason}"));
    }
    Some(Advisory {
        time,
        kind,
        stream: raw.stream.unwrap_or_default(),
        consumer: raw.consumer,
        detail: detail.join(", "),
        stream_seq: raw.stream_seq,
        deliveries: raw.deliveries,
        reason,
    })
}

impl Advisory {
    /// The message this advisory is about, when it names one (nak, term, max deliveries).
    pub fn message(&self) -> Option<(&str, u64)> {
        let about_message = matches!(
            self.kind,
            AdvisoryKind::MaxDeliveries | AdvisoryKind::Terminated | AdvisoryKind::Naked
        );
        about_message
            .then_some(self.stream_seq)
            .flatten()
            .map(|seq| (self.stream.as_str(), seq))
    }

    /// The same advisory as the dead-letters engine takes it (only message advisories).
    pub fn as_event(&self) -> Option<AdvisoryEvent> {
        let (stream, stream_seq) = self.message()?;
        let kind = match self.kind {
            AdvisoryKind::MaxDeliveries => EventKind::MaxDeliveries,
            AdvisoryKind::Terminated => EventKind::Terminated,
            _ => EventKind::Naked,
        };
        Some(AdvisoryEvent {
            kind,
            stream: stream.to_string(),
            consumer: self.consumer.clone().unwrap_or_default(),
            stream_seq,
            deliveries: self.deliveries.unwrap_or(0),
            reason: self.reason.clone(),
            time: self.time,
        })
    }

    /// Whether the events filter `needle` (lowercase) finds this advisory: by kind,
    /// stream, consumer or detail.
    pub fn matches(&self, needle: &str) -> bool {
        let text = format!(
            "{} {}/{} {}",
            self.kind.label(),
            self.stream,
            self.consumer.as_deref().unwrap_or_default(),
            self.detail
        );
        text.to_lowercase().contains(needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_deliveries_and_terminations_carry_their_facts() {
        let now = SystemTime::now();
        let a = parse(
            br#"{"type":"io.nats.jetstream.advisory.v1.max_deliver","id":"x","timestamp":"2026-11-27T10:00:00Z","stream":"ORDERS","consumer":"flaky-billing","stream_seq":4,"deliveries":3}"#,
            now,
        )
        .unwrap();
        assert_eq!(a.kind, AdvisoryKind::MaxDeliveries);
        assert_eq!(
            (a.stream.as_str(), a.consumer.as_deref()),
            ("ORDERS", Some("flaky-billing"))
        );
        assert_eq!(a.detail, "seq 4, 3 deliveries");
        assert_eq!((a.stream_seq, a.deliveries), (Some(4), Some(3)));
        assert_eq!(a.message(), Some(("ORDERS", 4)));
        let event = a.as_event().unwrap();
        assert_eq!((event.stream_seq, event.deliveries), (4, 3));
        assert_ne!(a.time, now);

        let t = parse(
            br#"{"type":"io.nats.jetstream.advisory.v1.terminated","stream":"ORDERS","consumer":"c","stream_seq":9,"deliveries":1,"reason":"bad"}"#,
            now,
        )
        .unwrap();
        assert_eq!(t.kind, AdvisoryKind::Terminated);
        assert_eq!(t.detail, "seq 9, 1 delivery, reason: bad");
        assert_eq!(t.as_event().unwrap().reason.as_deref(), Some("bad"));
        assert_eq!(t.time, now);
    }

    #[test]
    fn actions_map_to_created_and_deleted() {
        let now = SystemTime::now();
        let kind = |body: &str| parse(body.as_bytes(), now).map(|a| a.kind);
        assert_eq!(
            kind(
                r#"{"type":"io.nats.jetstream.advisory.v1.stream_action","stream":"S","action":"create"}"#
            ),
            Some(AdvisoryKind::StreamCreated)
        );
        assert_eq!(
            kind(
                r#"{"type":"io.nats.jetstream.advisory.v1.consumer_action","stream":"S","consumer":"c","action":"delete"}"#
            ),
            Some(AdvisoryKind::ConsumerDeleted)
        );
        assert_eq!(
            kind(r#"{"type":"io.nats.jetstream.advisory.v1.api_audit"}"#),
            None
        );
        assert_eq!(kind("not json"), None);
        assert_eq!(
            kind(r#"{"type":"io.nats.jetstream.advisory.v1.stream_leader_elected","stream":"S"}"#),
            Some(AdvisoryKind::Other("STREAM LEADER ELECTED".into()))
        );
    }
}
