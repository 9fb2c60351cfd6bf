//! Purge, pause, resume and reset against real servers: each checked on the server
//! afterwards. Pause needs 2.11 and reset 2.14; CI also runs these against 2.10.26, where
//! the same tests assert the clear refusal (and that no request was sent).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use async_nats::jetstream::{self, consumer, stream};
use futures::StreamExt;
use jetdeck::broker::{
    Broker, OperateError, PurgeScope, ResetTarget, StreamCounts, purge_estimate,
};
use jetdeck::server::NatsServer;

use crate::common::{raw, start};

/// ORDERS on `orders.>`: 5 on orders.billing, 3 on orders.shipping, 2 on orders.eu.billing,
/// published in that order (sequences 1-10).
async fn orders(server: &NatsServer) -> jetstream::Context {
    let js = raw(server).await;
    js.create_stream(stream::Config {
        name: "ORDERS".into(),
        subjects: vec!["orders.>".into()],
        ..Default::default()
    })
    .await
    .expect("create ORDERS");
    for (subject, n) in [
        ("orders.billing", 5),
        ("orders.shipping", 3),
        ("orders.eu.billing", 2),
    ] {
        for i in 0..n {
            js.publish(subject, format!("{subject} {i}").into())
                .await
                .unwrap()
                .await
                .unwrap();
        }
    }
    js
}

async fn per_subject(broker: &Broker) -> BTreeMap<String, u64> {
    broker.stream_subjects("ORDERS", ">").await.unwrap()
}

async fn counts(broker: &Broker) -> StreamCounts {
    let s = broker.stream_info("ORDERS").await.unwrap().state;
    StreamCounts {
        messages: s.messages,
        first_sequence: s.first_sequence,
        last_sequence: s.last_sequence,
    }
}

/// What the console's confirmation would say will go, then the purge: they must agree.
async fn estimate_then_purge(broker: &Broker, scope: PurgeScope) -> u64 {
    let on_subject = match &scope {
        PurgeScope::Subject(f) => Some(
            broker
                .stream_subjects("ORDERS", f)
                .await
                .unwrap()
                .values()
                .sum(),
        ),
        _ => None,
    };
    let estimate = purge_estimate(counts(broker).await, &scope, on_subject);
    let purged = broker.purge_stream("ORDERS", &scope).await.unwrap();
    assert!(
        estimate.exact,
        "{scope:?}: a stream without gaps is counted exactly"
    );
    assert_eq!(
        estimate.count, purged,
        "{scope:?}: confirmation count vs server"
    );
    purged
}

#[tokio::test]
async fn purging_a_subject_removes_only_that_subject() {
    let (server, broker) = start().await;
    let _js = orders(&server).await;
    let before = per_subject(&broker).await;
    assert_eq!(before["orders.billing"], 5);

    assert_eq!(
        estimate_then_purge(&broker, PurgeScope::Subject("orders.billing".into())).await,
        5
    );
    let after = per_subject(&broker).await;
    assert!(!after.contains_key("orders.billing"), "{after:?}");
    assert_eq!(after["orders.shipping"], 3);
    assert_eq!(after["orders.eu.billing"], 2);

    // A wildcard filter takes every subject it matches, and nothing else.
    assert_eq!(
        estimate_then_purge(&broker, PurgeScope::Subject("orders.*.billing".into())).await,
        2
    );
    let after = per_subject(&broker).await;
    assert_eq!(after, BTreeMap::from([("orders.shipping".to_string(), 3)]));
}

#[tokio::test]
async fn keep_newest_leaves_that_many_and_below_sequence_stops_there() {
    let (server, broker) = start().await;
    let _js = orders(&server).await;
    // Below 4: sequences 1, 2, 3 go.
    assert_eq!(
        estimate_then_purge(&broker, PurgeScope::BelowSequence(4)).await,
        3
    );
    let c = counts(&broker).await;
    assert_eq!((c.messages, c.first_sequence), (7, 4));

    assert_eq!(
        estimate_then_purge(&broker, PurgeScope::KeepNewest(2)).await,
        5
    );
    let c = counts(&broker).await;
    assert_eq!((c.messages, c.first_sequence, c.last_sequence), (2, 9, 10));
    // The newest two are what stays.
    assert_eq!(per_subject(&broker).await["orders.eu.billing"], 2);

    assert_eq!(estimate_then_purge(&broker, PurgeScope::All).await, 2);
    assert_eq!(counts(&broker).await.messages, 0);
}

#[tokio::test]
async fn a_purge_of_a_missing_stream_is_the_servers_refusal() {
    let (_server, broker) = start().await;
    let e = broker
        .purge_stream("NOPE", &PurgeScope::All)
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        jetdeck::broker::ApiErrorKind::StreamNotFound,
        "{e}"
    );
}

/// A pull consumer `work` on ORDERS; returns it for fetching from outside the broker.
async fn work_consumer(js: &jetstream::Context) -> consumer::Consumer<consumer::pull::Config> {
    js.get_stream("ORDERS")
        .await
        .unwrap()
        .create_consumer(consumer::pull::Config {
            durable_name: Some("work".into()),
            ..Default::default()
        })
        .await
        .unwrap()
}

/// One short pull: the stream sequences it got (acked), empty when nothing came in time.
async fn pull(c: &consumer::Consumer<consumer::pull::Config>, max: usize) -> Vec<u64> {
    let mut batch = c
        .fetch()
        .max_messages(max)
        .expires(Duration::from_millis(300))
        .messages()
        .await
        .unwrap();
    let mut got = Vec::new();
    while let Some(m) = batch.next().await {
        let m = m.unwrap();
        got.push(m.info().unwrap().stream_sequence);
        m.ack().await.unwrap();
    }
    got
}

#[tokio::test]
async fn pause_stops_delivery_until_resume_or_is_refused_on_old_servers() {
    let (server, broker) = start().await;
    let js = orders(&server).await;
    let work = work_consumer(&js).await;
    let version = broker.server_version().unwrap();
    let until = SystemTime::now() + Duration::from_secs(3600);
    if !version.supports_consumer_pause() {
        let asked = broker.metrics().api_requests;
        let e = broker
            .pause_consumer("ORDERS", "work", until)
            .await
            .unwrap_err();
        assert!(matches!(e, OperateError::Unsupported { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            format!(
                "pausing a consumer needs nats-server 2.11 or newer; this server is {version}, so nothing was sent"
            )
        );
        let e = broker.resume_consumer("ORDERS", "work").await.unwrap_err();
        assert!(e.to_string().contains("needs nats-server 2.11"), "{e}");
        assert_eq!(broker.metrics().api_requests, asked, "no request sent");
        assert_eq!(pull(&work, 1).await, [1], "delivery goes on");
        return;
    }
    let info = broker
        .pause_consumer("ORDERS", "work", until)
        .await
        .unwrap();
    assert!(info.paused, "the server says paused");
    let paused_until = SystemTime::from(info.config.pause_until.expect("pause_until"));
    let off = paused_until
        .duration_since(until)
        .unwrap_or_else(|e| e.duration());
    assert!(
        off < Duration::from_secs(1),
        "pause_until {paused_until:?} vs {until:?}"
    );
    assert!(
        pull(&work, 1).await.is_empty(),
        "a paused consumer delivers nothing"
    );

    let info = broker.resume_consumer("ORDERS", "work").await.unwrap();
    assert!(!info.paused);
    assert_eq!(
        pull(&work, 1).await,
        [1],
        "resumed: the pull gets the message"
    );
}

#[tokio::test]
async fn reset_moves_delivery_back_or_is_refused_on_old_servers() {
    let (server, broker) = start().await;
    let js = orders(&server).await;
    let work = work_consumer(&js).await;
    assert_eq!(pull(&work, 10).await, (1..=10).collect::<Vec<_>>());
    let version = broker.server_version().unwrap();
    if !version.supports_consumer_reset() {
        let asked = broker.metrics().api_requests;
        let e = broker
            .reset_consumer("ORDERS", "work", ResetTarget::Sequence(7))
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "resetting a consumer needs nats-server 2.14 or newer; this server is {version}, so nothing was sent"
            )
        );
        assert_eq!(broker.metrics().api_requests, asked, "no request sent");
        assert!(pull(&work, 10).await.is_empty(), "nothing redelivered");
        return;
    }
    let out = broker
        .reset_consumer("ORDERS", "work", ResetTarget::Sequence(7))
        .await
        .unwrap();
    assert_eq!(out.sequence, 7);
    let info = broker.consumer_info("ORDERS", "work").await.unwrap();
    assert_eq!(info.ack_floor.stream_sequence, 6, "ack floor moved back");
    assert_eq!(info.num_pending, 4);
    assert_eq!(
        pull(&work, 10).await,
        [7, 8, 9, 10],
        "delivered again from 7"
    );

    // By time: the first message stored at or after a time in the middle of the stream.
    let m6 = broker.get_message("ORDERS", 6).await.unwrap();
    let out = broker
        .reset_consumer("ORDERS", "work", ResetTarget::Time(m6.time))
        .await
        .unwrap();
    assert_eq!(out.resolved_from, Some((m6.time, 6)));
    assert_eq!(pull(&work, 10).await, [6, 7, 8, 9, 10]);
    // A time after the last message has nothing to reset to: refused before the reset.
    let later = SystemTime::now() + Duration::from_secs(60);
    let e = broker
        .reset_consumer("ORDERS", "work", ResetTarget::Time(later))
        .await
        .unwrap_err();
    assert!(matches!(e, OperateError::NothingAfter { .. }), "{e}");
}
