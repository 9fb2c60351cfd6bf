//! One table: a row per finding, and one for healthy.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use super::*;
use crate::broker::ServerVersion;
use crate::diagnosis::{Replica, Sample};

fn t(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
}

/// A pull consumer that is busy and fine at t(1000).
fn base() -> ConsumerFacts {
    ConsumerFacts {
        stream: "ORDERS".into(),
        consumer: "billing".into(),
        taken_at: t(1000),
        created: t(0),
        durable: true,
        push: false,
        push_bound: false,
        filter_subjects: vec!["orders.billing".into()],
        num_pending: 10,
        num_ack_pending: 1,
        max_ack_pending: 1000,
        num_waiting: 1,
        num_redelivered: 0,
        delivered_consumer_seq: 50,
        delivered_stream_seq: 50,
        last_delivery: Some(t(999)),
        ack_floor_consumer_seq: 49,
        ack_floor_stream_seq: 49,
        last_ack: Some(t(999)),
        ack_wait: Duration::from_secs(30),
        max_deliver: 5,
        inactive_threshold: None,
        paused_until: None,
        leader: None,
        replicas: Vec::new(),
        stream_messages: 60,
        stream_retention: "Limits".into(),
        server_version: Some(ServerVersion::new(2, 15, 1)),
        stored_subjects: None,
        max_deliveries_hit: None,
        naks_recent: None,
    }
}

fn sample(at: u64, consumer_seq: u64, stream_seq: u64) -> Sample {
    Sample {
        at: t(at),
        delivered_consumer_seq: consumer_seq,
        delivered_stream_seq: stream_seq,
        ack_floor_consumer_seq: consumer_seq.saturating_sub(1),
        ack_floor_stream_seq: stream_seq.saturating_sub(1),
        num_ack_pending: 1,
        at_max_ack_pending: false,
    }
}

struct Row {
    name: &'static str,
    change: fn(&mut ConsumerFacts, &mut History),
    kind: Kind,
    severity: Severity,
    says: &'static [&'static str],
}

/// The table: a row per finding, and one for healthy.
const ROWS: &[Row] = &[
    Row {
        name: "healthy with rates",
        change: |_, h| h.push(sample(990, 30, 30)),
        kind: Kind::Healthy,
        severity: Severity::Info,
        says: &["10 pending", "2.0 delivered/s"],
    },
    Row {
        name: "stalled at max ack pending",
        change: |f, h| {
            f.num_ack_pending = 2;
            f.max_ack_pending = 2;
            let mut s = sample(940, 50, 50);
            s.at_max_ack_pending = true;
            h.push(s);
        },
        kind: Kind::Stalled,
        severity: Severity::Problem,
        says: &[
            "2 messages",
            "max ack pending (2)",
            "at the limit since at least",
            "1m 0s ago",
            "last delivery",
            "nak'd with a delay",
        ],
    },
    Row {
        name: "nobody pulling",
        change: |f, _| {
            f.num_waiting = 0;
            f.last_delivery = Some(t(900));
        },
        kind: Kind::NoWorker,
        severity: Severity::Problem,
        says: &["10 messages pending", "1m 40s", "no worker"],
    },
    Row {
        name: "paused",
        change: |f, _| f.paused_until = Some(t(1600)),
        kind: Kind::Paused,
        severity: Severity::Warning,
        says: &["paused until", "in 10m 0s"],
    },
    Row {
        name: "filter matches nothing",
        change: |f, _| {
            f.filter_subjects = vec!["orders.bilingg".into()];
            f.stored_subjects = Some(BTreeMap::from([
                ("orders.billing".into(), 7),
                ("orders.shipping".into(), 3),
            ]));
        },
        kind: Kind::NoMatch,
        severity: Severity::Warning,
        says: &["`orders.bilingg`", "`orders.billing` (7 msgs)"],
    },
    Row {
        name: "out of deliveries",
        change: |f, _| f.max_deliveries_hit = Some(4),
        kind: Kind::DeadLetters,
        severity: Severity::Warning,
        says: &[
            "4 messages",
            "max deliver 5",
            "jetdeck dead-letters list --stream ORDERS --consumer billing",
        ],
    },
    Row {
        name: "redelivering, ack wait expired",
        change: |f, h| {
            f.naks_recent = Some(0);
            h.push(sample(970, 30, 45));
        },
        kind: Kind::Redelivering,
        severity: Severity::Warning,
        says: &[
            "15 of the last 20 deliveries (75%)",
            "ack wait (30s) expired",
            "in-progress",
        ],
    },
    Row {
        name: "backlog not moving",
        change: |f, _| {
            f.num_pending = 5000;
            f.last_ack = Some(t(100));
        },
        kind: Kind::BacklogStuck,
        severity: Severity::Problem,
        says: &["5000 messages pending", "stream seq 49", "15m 0s"],
    },
    Row {
        name: "backlog not moving while later messages are acked",
        change: |f, h| {
            f.num_pending = 5000;
            h.push(sample(600, 50, 50));
        },
        kind: Kind::BacklogStuck,
        severity: Severity::Problem,
        says: &["stream seq 49", "6m 40s"],
    },
    Row {
        name: "push without subscriber",
        change: |f, _| {
            f.push = true;
            f.num_waiting = 0;
        },
        kind: Kind::NoSubscriber,
        severity: Severity::Problem,
        says: &["nobody subscribed", "10 messages"],
    },
    Row {
        name: "ephemeral close to inactive threshold",
        change: |f, _| {
            f.durable = false;
            f.num_waiting = 0;
            f.num_pending = 0;
            f.inactive_threshold = Some(Duration::from_secs(60));
            f.last_delivery = Some(t(960));
            f.last_ack = Some(t(960));
        },
        kind: Kind::Expiring,
        severity: Severity::Warning,
        says: &["idle for 40s", "20s more"],
    },
    Row {
        name: "no leader",
        change: |f, _| f.leader = Some(String::new()),
        kind: Kind::NoLeader,
        severity: Severity::Problem,
        says: &["no leader"],
    },
    Row {
        name: "replica lagging",
        change: |f, _| {
            f.leader = Some("n1".into());
            f.replicas = vec![
                Replica {
                    name: "n2".into(),
                    current: false,
                    offline: false,
                    lag: Some(42),
                },
                Replica {
                    name: "n3".into(),
                    current: true,
                    offline: false,
                    lag: None,
                },
            ];
        },
        kind: Kind::Lagging,
        severity: Severity::Warning,
        says: &["n2 42 behind"],
    },
];

#[test]
fn each_condition_gives_its_finding() {
    for row in ROWS {
        let (mut facts, mut history) = (base(), History::default());
        (row.change)(&mut facts, &mut history);
        let findings = diagnose(&facts, &history, t(1000));
        let first = &findings[0];
        assert_eq!(findings.len(), 1, "{}: {findings:#?}", row.name);
        assert_eq!(
            (first.kind, first.severity),
            (row.kind, row.severity),
            "{}",
            row.name
        );
        for part in row.says {
            let all = format!(
                "{} {}",
                first.sentence,
                first.action.clone().unwrap_or_default()
            );
            assert!(all.contains(part), "{}: {part:?} not in {all:?}", row.name);
        }
    }
}

#[test]
fn old_servers_are_never_said_to_pause() {
    let mut facts = base();
    facts.paused_until = Some(t(1600));
    facts.server_version = Some(ServerVersion::new(2, 10, 26));
    assert_eq!(
        diagnose(&facts, &History::default(), t(1000))[0].kind,
        Kind::Healthy
    );
}

#[test]
fn filter_that_matches_is_not_reported() {
    let mut facts = base();
    facts.stored_subjects = Some(BTreeMap::from([("orders.billing".into(), 7)]));
    assert_eq!(
        diagnose(&facts, &History::default(), t(1000))[0].kind,
        Kind::Healthy
    );
}

#[test]
fn the_marker_is_the_worst_finding() {
    let mut facts = base();
    facts.max_deliveries_hit = Some(1);
    facts.num_ack_pending = 1000;
    let findings = diagnose(&facts, &History::default(), t(1000));
    assert_eq!(super::super::marker(&findings), Some("stalled"));
    assert_eq!(findings.len(), 2);
}
