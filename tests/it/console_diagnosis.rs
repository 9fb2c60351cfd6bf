//! The diagnosis in the real console: a consumer stalled at its max ack pending is
//! marked `stalled` in the consumers pane.

use std::time::{Duration, Instant};

use async_nats::jetstream::{consumer, stream};
use futures::StreamExt;

use jetdeck::server::NatsServer;

use crate::common::raw;
use crate::pty::Console;

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_at_its_max_ack_pending_is_marked_stalled() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    let work = js
        .create_stream(stream::Config {
            name: "WORK".into(),
            subjects: vec!["work.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    for i in 0..5 {
        js.publish(format!("work.{i}"), "job".into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let stuck: consumer::PullConsumer = work
        .create_consumer(consumer::pull::Config {
            durable_name: Some("stuck".into()),
            max_ack_pending: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    work.create_consumer(consumer::pull::Config {
        durable_name: Some("calm".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    // Fetch 2 and never ack them: ack pending is at the limit.
    let mut batch = stuck
        .fetch()
        .max_messages(2)
        .expires(Duration::from_secs(2))
        .messages()
        .await
        .unwrap();
    let mut held = Vec::new();
    while let Some(message) = batch.next().await {
        held.push(message.unwrap());
    }
    assert_eq!(held.len(), 2);

    let started = Instant::now();
    let console = Console::start(&["--server", &server.url()]);
    let screen = console.wait_for(Duration::from_secs(5), "stuck marked stalled", |s| {
        s.lines()
            .any(|l| l.contains("stuck") && l.contains("stalled"))
    });
    eprintln!("stalled shown after {:?}", started.elapsed());
    // Only the consumer at its limit is: `calm` has no limit reached.
    assert!(screen.contains("Consumers of WORK"), "{screen}");
    let calm = screen
        .lines()
        .find(|l| l.contains("calm"))
        .unwrap_or_default();
    assert!(!calm.contains("stalled"), "{screen}");
    drop(held);
}

/// The advisories the console sees feed its diagnosis: a consumer whose handler naks
/// every delivery until max deliver is marked `dead letters` in the Health column, and
/// its details say the redeliveries came from naks (the nak half of `redelivering`).
#[tokio::test(flavor = "multi_thread")]
async fn naks_and_max_deliveries_seen_by_the_console_reach_its_diagnosis() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    let work = js
        .create_stream(stream::Config {
            name: "WORK".into(),
            subjects: vec!["work.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let flaky: consumer::PullConsumer = work
        .create_consumer(consumer::pull::Config {
            durable_name: Some("flaky".into()),
            max_deliver: 3,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut console = Console::start(&["--server", &server.url()]);
    console.wait_for(Duration::from_secs(5), "flaky healthy", |s| {
        s.lines().any(|l| l.contains("flaky") && l.contains("ok"))
    });
    js.publish("work.1", "job".into())
        .await
        .unwrap()
        .await
        .unwrap();
    // Nak every delivery: 3 deliveries, 3 nak advisories, then MAX_DELIVERIES.
    let mut deliveries = 0;
    let deadline = Instant::now() + Duration::from_secs(10);
    while deliveries < 3 && Instant::now() < deadline {
        let mut batch = flaky
            .fetch()
            .max_messages(1)
            .expires(Duration::from_secs(1))
            .messages()
            .await
            .unwrap();
        while let Some(message) = batch.next().await {
            let message = message.unwrap();
            message
                .ack_with(async_nats::jetstream::AckKind::Nak(None))
                .await
                .unwrap();
            deliveries += 1;
        }
    }
    assert_eq!(deliveries, 3);
    // The server raises MAX_DELIVERIES when it would deliver a 4th time: ask once more.
    let mut none = flaky
        .fetch()
        .max_messages(1)
        .expires(Duration::from_secs(1))
        .messages()
        .await
        .unwrap();
    assert!(none.next().await.is_none(), "no 4th delivery");
    console.wait_for(Duration::from_secs(10), "flaky marked dead letters", |s| {
        s.lines()
            .any(|l| l.contains("flaky") && l.contains("dead letters"))
    });
    console.press("\ti");
    let screen = console.wait_for(Duration::from_secs(5), "the details", |s| {
        s.contains("ran out of deliveries")
    });
    assert!(
        screen.contains("1 messages ran out of deliveries"),
        "{screen}"
    );
    assert!(screen.contains("3 naks came"), "{screen}");
}
