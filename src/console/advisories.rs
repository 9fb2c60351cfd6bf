//! JetStream advisories (`$JS.EVENT.ADVISORY.>`) turned into events-pane rows.

use std::time::SystemTime;

use serde::Deserialize;

use super::model::{Advisory, AdvisoryKind};

pub const ADVISORY_SUBJECT: &str = "$JS.EVENT.ADVISORY.>";

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    stream: Option<String>,
    #[serde(default)]
    consumer: Option<String>,
    #[serde(default)]
    stream_seq: Option<u64>,
    #[serde(default)]
    deliveries: Option<u64>,
    #[serde(default)]
    reason: Option<String>,
}

/// Parses one advisory; `None` for the API audit trail (every API call, the console's
/// own polling included, would drown the pane) and for what is not an advisory.
pub fn parse(payload: &[u8], received: SystemTime) -> Option<Advisory> {
    let raw: Raw = serde_json::from_slice(payload).ok()?;
    let short = raw.kind.rsplit('.').next().unwrap_or(&raw.kind).to_string();
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
    if let Some(reason) = raw.reason.filter(|r| !r.is_empty()) {
        detail.push(format!("reason: {reason}"));
    }
    let time = raw
        .timestamp
        .and_then(|t| {
            time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339).ok()
        })
        .map(SystemTime::from)
        .unwrap_or(received);
    Some(Advisory {
        time,
        kind,
        stream: raw.stream.unwrap_or_default(),
        consumer: raw.consumer,
        detail: detail.join(", "),
    })
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
        assert_ne!(a.time, now);

        let t = parse(
            br#"{"type":"io.nats.jetstream.advisory.v1.terminated","stream":"ORDERS","consumer":"c","stream_seq":9,"deliveries":1,"reason":"bad"}"#,
            now,
        )
        .unwrap();
        assert_eq!(t.kind, AdvisoryKind::Terminated);
        assert_eq!(t.detail, "seq 9, 1 delivery, reason: bad");
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
