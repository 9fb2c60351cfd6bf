//! The three JetStream advisories that matter for dead letters, parsed from the JSON
//! nats-server publishes (`io.nats.jetstream.advisory.v1.max_deliver`, `.terminated`,
//! `.nak`). A copy of what the console's events pane parses, kept here so the engine needs
//! nothing of the console.

use std::time::SystemTime;

use serde::Deserialize;

/// The subjects these advisories are published on (then `<stream>.<consumer>`).
pub const DEAD_LETTER_SUBJECTS: [&str; 3] = [
    "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>",
    "$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.>",
    "$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED.>",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdvisoryKind {
    MaxDeliveries,
    Terminated,
    Naked,
}

impl AdvisoryKind {
    pub const ALL: [AdvisoryKind; 3] = [
        AdvisoryKind::MaxDeliveries,
        AdvisoryKind::Terminated,
        AdvisoryKind::Naked,
    ];
    /// The two that make a dead letter.
    pub const DEAD: [AdvisoryKind; 2] = [AdvisoryKind::MaxDeliveries, AdvisoryKind::Terminated];

    /// The token of its subject, `$JS.EVENT.ADVISORY.CONSUMER.<token>.<stream>.<consumer>`.
    pub fn subject_token(self) -> &'static str {
        match self {
            AdvisoryKind::MaxDeliveries => "MAX_DELIVERIES",
            AdvisoryKind::Terminated => "MSG_TERMINATED",
            AdvisoryKind::Naked => "MSG_NAKED",
        }
    }
}

/// One advisory about one stream sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryEvent {
    pub kind: AdvisoryKind,
    pub stream: String,
    pub consumer: String,
    pub stream_seq: u64,
    pub deliveries: u64,
    /// The term reason, when one was given.
    pub reason: Option<String>,
    /// The advisory's own timestamp, else when it was received.
    pub time: SystemTime,
}

/// Any JetStream advisory as the server sends it: the fields jetdeck reads, all of them
/// optional but the type. The events pane and the dead-letters engine both read this.
#[derive(Debug, Deserialize)]
pub struct RawAdvisory {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub stream: Option<String>,
    #[serde(default)]
    pub consumer: Option<String>,
    #[serde(default)]
    pub stream_seq: Option<u64>,
    #[serde(default)]
    pub deliveries: Option<u64>,
    #[serde(default)]
    pub reason: Option<String>,
}

impl RawAdvisory {
    pub fn parse(payload: &[u8]) -> Option<Self> {
        serde_json::from_slice(payload).ok()
    }

    /// The last token of the type: `max_deliver`, `nak`, `stream_action`, `api_audit`...
    pub fn short_kind(&self) -> &str {
        self.kind.rsplit('.').next().unwrap_or(&self.kind)
    }

    /// The advisory's own timestamp, else `received`.
    pub fn time(&self, received: SystemTime) -> SystemTime {
        self.timestamp
            .as_deref()
            .and_then(|t| {
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
            })
            .map(SystemTime::from)
            .unwrap_or(received)
    }
}

/// Parses a MAX_DELIVERIES, MSG_TERMINATED or MSG_NAKED advisory; `None` for any other
/// payload (other advisories, or one without a stream, consumer and sequence).
pub fn parse_advisory(payload: &[u8], received: SystemTime) -> Option<AdvisoryEvent> {
    let raw = RawAdvisory::parse(payload)?;
    let kind = match raw.short_kind() {
        "max_deliver" => AdvisoryKind::MaxDeliveries,
        "terminated" => AdvisoryKind::Terminated,
        "nak" => AdvisoryKind::Naked,
        _ => return None,
    };
    let time = raw.time(received);
    Some(AdvisoryEvent {
        kind,
        stream: raw.stream?,
        consumer: raw.consumer?,
        stream_seq: raw.stream_seq?,
        deliveries: raw.deliveries.unwrap_or(0),
        reason: raw.reason.filter(|r| !r.is_empty()),
        time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_advisories_parse_and_others_do_not() {
        let now = SystemTime::now();
        let max = parse_advisory(
            br#"{"type":"io.nats.jetstream.advisory.v1.max_deliver","id":"x","timestamp":"2026-11-27T10:00:00Z","stream":"ORDERS","consumer":"flaky","stream_seq":4,"deliveries":3}"#,
            now,
        )
        .unwrap();
        assert_eq!(max.kind, AdvisoryKind::MaxDeliveries);
        assert_eq!((max.stream_seq, max.deliveries), (4, 3));
        assert_ne!(max.time, now);
        let term = parse_advisory(
            br#"{"type":"io.nats.jetstream.advisory.v1.terminated","stream":"S","consumer":"c","stream_seq":9,"deliveries":1,"reason":"bad"}"#,
            now,
        )
        .unwrap();
        assert_eq!(term.kind, AdvisoryKind::Terminated);
        assert_eq!(term.reason.as_deref(), Some("bad"));
        assert_eq!(term.time, now);
        let nak = parse_advisory(
            br#"{"type":"io.nats.jetstream.advisory.v1.nak","stream":"S","consumer":"c","stream_seq":2,"deliveries":2}"#,
            now,
        )
        .unwrap();
        assert_eq!(nak.kind, AdvisoryKind::Naked);
        for other in [
            r#"{"type":"io.nats.jetstream.advisory.v1.consumer_action","stream":"S","consumer":"c","action":"create"}"#,
            r#"{"type":"io.nats.jetstream.advisory.v1.max_deliver","stream":"S"}"#,
            "not json",
        ] {
            assert_eq!(parse_advisory(other.as_bytes(), now), None, "{other}");
        }
    }
}
