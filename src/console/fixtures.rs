//! Fixed data for rendering and state tests: no server, no clock.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use serde_json::json;

use super::app::{Action, App};
use super::model::{
    AccountView, Advisory, AdvisoryKind, ConnectionView, ConsumerAlert, ConsumerView,
    ConsumersView, EmbeddedInfo, SessionInfo, Snapshot, StreamView,
};
use crate::broker::{ConnectionState, Metrics};

/// CPU time this thread has used: what a "done quickly" test measures. Wall-clock time
/// also counts the time the thread waited for a core, which on a loaded machine (CI
/// building beside the tests) is many times the work.
#[cfg(test)]
pub fn thread_cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes only the timespec it is given.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(status, 0, "CLOCK_THREAD_CPUTIME_ID");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// "Now" in every fixture: 2027-01-15T08:00:00Z.
pub fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000 + 3_600 * 8 - 1_800_000_000 % 86_400)
}

fn rfc3339(t: SystemTime) -> String {
    time::OffsetDateTime::from(t)
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format time")
}

pub fn stream(
    name: &str,
    subjects: &[&str],
    messages: u64,
    last_seq: u64,
    consumers: usize,
    rate: f64,
) -> StreamView {
    let info = serde_json::from_value(json!({
        "config": {
            "name": name,
            "subjects": subjects,
            "retention": "workqueue",
            "storage": "file",
            "num_replicas": 1,
            "max_msgs": -1, "max_bytes": -1, "max_age": 0, "max_msg_size": -1,
            "discard": "old",
            "duplicate_window": 120_000_000_000u64,
        },
        "created": rfc3339(now() - Duration::from_secs(3600)),
        "state": {
            "messages": messages,
            "bytes": messages * 120,
            "first_seq": last_seq.saturating_sub(messages) + 1,
            "first_ts": rfc3339(now() - Duration::from_secs(600)),
            "last_seq": last_seq,
            "last_ts": rfc3339(now() - Duration::from_secs(4)),
            "consumer_count": consumers,
        }
    }))
    .expect("stream fixture");
    let history: VecDeque<f64> = (0..60)
        .map(|i| rate * f64::from((i % 7) as u8) / 6.0)
        .collect();
    StreamView {
        info,
        rate,
        history,
        read_at: now(),
    }
}

pub fn consumer(
    stream: &str,
    name: &str,
    filter: &str,
    pending: u64,
    ack_pending: u64,
    redelivered: u64,
    alert: ConsumerAlert,
) -> ConsumerView {
    let info = serde_json::from_value(json!({
        "stream_name": stream,
        "name": name,
        "created": rfc3339(now() - Duration::from_secs(3000)),
        "config": {
            "durable_name": name,
            "name": name,
            "filter_subject": filter,
            "ack_policy": "explicit",
            "ack_wait": 30_000_000_000u64,
            "max_deliver": if name.contains("flaky") { 3 } else { -1 },
            "deliver_policy": "all",
            "replay_policy": "instant",
            "max_ack_pending": 1000,
        },
        "delivered": {"consumer_seq": 140, "stream_seq": 130, "last_active": rfc3339(now() - Duration::from_secs(2))},
        "ack_floor": {"consumer_seq": 135, "stream_seq": 128, "last_active": rfc3339(now() - Duration::from_secs(3))},
        "num_ack_pending": ack_pending,
        "num_redelivered": redelivered,
        "num_waiting": 1,
        "num_pending": pending,
    }))
    .expect("consumer fixture");
    ConsumerView {
        info,
        delivered_rate: 2.0,
        acked_rate: 1.5,
        alert,
    }
}

pub fn advisory(
    kind: AdvisoryKind,
    stream: &str,
    consumer: Option<&str>,
    detail: &str,
    secs_ago: u64,
) -> Advisory {
    Advisory {
        time: now() - Duration::from_secs(secs_ago),
        kind,
        stream: stream.to_string(),
        consumer: consumer.map(str::to_string),
        detail: detail.to_string(),
        // "seq 68, ..." as the parsed advisory would carry it.
        stream_seq: detail
            .strip_prefix("seq ")
            .and_then(|rest| rest.split(',').next())
            .and_then(|n| n.trim().parse().ok()),
        deliveries: detail
            .split(", ")
            .find_map(|part| {
                part.strip_suffix(" deliveries")
                    .or_else(|| part.strip_suffix(" delivery"))
            })
            .and_then(|n| n.parse().ok()),
        reason: detail.split_once("reason: ").map(|(_, r)| r.to_string()),
    }
}

pub fn session(servers: &str, embedded: bool) -> SessionInfo {
    SessionInfo {
        servers: servers.to_string(),
        context: None,
        embedded: embedded.then(|| EmbeddedInfo {
            store_dir: PathBuf::from("/tmp/jetdeck-nats-demo/store"),
            log_file: PathBuf::from("/tmp/jetdeck-nats-demo/nats-server.log"),
        }),
        log_file: PathBuf::from("/home/op/.local/state/jetdeck/jetdeck.log"),
        read_only: false,
    }
}

pub fn connected() -> ConnectionView {
    ConnectionView {
        state: ConnectionState::Connected,
        last_error: None,
        server_name: Some("nats-1".into()),
        version: Some("2.15.1".into()),
        connected_url: Some("127.0.0.1:4222".into()),
        max_payload: Some(1024 * 1024),
    }
}

pub fn streams() -> Vec<StreamView> {
    vec![
        stream("ORDERS", &["orders", "orders.>"], 12, 130, 2, 4.0),
        stream("TEST", &["test", "test.>"], 40, 40, 0, 0.0),
        stream(
            "USER_EVENTS",
            &["user-events", "user-events.>"],
            0,
            77,
            1,
            1.5,
        ),
    ]
}

pub fn orders_consumers() -> ConsumersView {
    ConsumersView {
        stream: Some("ORDERS".into()),
        rows: vec![
            consumer(
                "ORDERS",
                "flaky-billing",
                "orders.billing",
                3,
                2,
                7,
                ConsumerAlert::Redelivering,
            ),
            consumer(
                "ORDERS",
                "order-processor",
                "orders.created",
                0,
                0,
                0,
                ConsumerAlert::None,
            ),
        ],
    }
}

pub fn snapshot(streams: Vec<StreamView>, consumers: ConsumersView) -> Snapshot {
    Snapshot {
        taken: now(),
        account: Some(AccountView {
            memory: 0,
            storage: 6_300,
            streams: streams.len(),
            consumers: consumers.rows.len(),
            api_total: 1_234,
            api_errors: 6,
        }),
        stream_names: streams.iter().map(|s| s.name().to_string()).collect(),
        streams,
        streams_complete: true,
        streams_listed: true,
        denied: Vec::new(),
        consumers,
        metrics: Metrics {
            published: 310,
            consumed: 298,
            handler_errors: 21,
            handler_panics: 0,
            fetch_errors: 1,
            active_subscriptions: 3,
            api_requests: 400,
        },
        requests: 3,
    }
}

/// A connected console whose last refresh read `streams` (no consumers).
pub fn app_with(streams: Vec<StreamView>) -> App {
    let mut app = App::new(session("nats://127.0.0.1:4222", false), now());
    super::app::update(&mut app, Action::Connection(connected()));
    super::app::update(
        &mut app,
        Action::Snapshot(Box::new(snapshot(streams, ConsumersView::default()))),
    );
    app
}

/// A console with the demo's shape of data: three streams, ORDERS selected with two
/// consumers (one redelivering), and some advisories.
pub fn demo_app(servers: &str, embedded: bool) -> App {
    let mut app = App::new(session(servers, embedded), now());
    super::app::update(&mut app, Action::Connection(connected()));
    super::app::update(
        &mut app,
        Action::Snapshot(Box::new(snapshot(streams(), orders_consumers()))),
    );
    for a in [
        advisory(AdvisoryKind::StreamCreated, "ORDERS", None, "", 300),
        advisory(
            AdvisoryKind::ConsumerCreated,
            "ORDERS",
            Some("flaky-billing"),
            "",
            299,
        ),
        advisory(
            AdvisoryKind::Naked,
            "ORDERS",
            Some("flaky-billing"),
            "seq 80, 1 delivery",
            30,
        ),
        advisory(
            AdvisoryKind::MaxDeliveries,
            "ORDERS",
            Some("flaky-billing"),
            "seq 80, 3 deliveries",
            20,
        ),
        advisory(
            AdvisoryKind::Terminated,
            "ORDERS",
            Some("order-processor"),
            "seq 90, 1 delivery, reason: bad json",
            5,
        ),
    ] {
        super::app::update(&mut app, Action::Advisory(a));
    }
    app
}
