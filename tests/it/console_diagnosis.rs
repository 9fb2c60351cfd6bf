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

/// `o` in a consumer's details lists its outstanding messages, read by sequence: two
/// delivered and unacknowledged, the one a raw client nak'd said so; Enter opens one;
/// nothing is consumed (checked on the server).
#[tokio::test(flavor = "multi_thread")]
async fn o_in_the_details_lists_the_outstanding_messages_and_enter_opens_one() {
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
    let slow: consumer::PullConsumer = work
        .create_consumer(consumer::pull::Config {
            durable_name: Some("slow".into()),
            ack_wait: Duration::from_secs(60),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut console = Console::start(&["--server", &server.url()]);
    console.wait_for(Duration::from_secs(5), "slow listed", |s| {
        s.contains("slow")
    });
    for i in 1..=3 {
        js.publish(format!("work.job{i}"), format!("job-{i}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    // Deliver all three: ack the first, nak the second with a long delay, hold the third.
    let mut batch = slow
        .fetch()
        .max_messages(3)
        .expires(Duration::from_secs(2))
        .messages()
        .await
        .unwrap();
    let mut held = Vec::new();
    while let Some(m) = batch.next().await {
        held.push(m.unwrap());
    }
    assert_eq!(held.len(), 3);
    held[0].double_ack().await.unwrap();
    held[1]
        .ack_with(async_nats::jetstream::AckKind::Nak(Some(
            Duration::from_secs(60),
        )))
        .await
        .unwrap();
    console.wait_for(Duration::from_secs(5), "the nak advisory", |s| {
        s.contains("MSG_NAKED")
    });
    console.press("\t");
    console.press("\r");
    console.wait_for(Duration::from_secs(5), "the details", |s| {
        s.contains("Consumer WORK / slow")
    });
    console.press("o");
    let screen = console.wait_for(Duration::from_secs(5), "the outstanding list", |s| {
        s.contains("Outstanding of WORK/slow") && s.contains("work.job3")
    });
    assert!(
        screen.contains("after ack floor 1 up to last delivered 3"),
        "{screen}"
    );
    assert!(
        screen
            .lines()
            .any(|l| l.contains("work.job2") && l.contains("naked, awaiting redelivery")),
        "{screen}"
    );
    assert!(
        !screen.contains("work.job1"),
        "acked: below the floor\n{screen}"
    );
    assert!(screen.contains("does not list which sequences"), "{screen}");
    console.press("G");
    console.press("\r");
    console.wait_for(Duration::from_secs(5), "the message", |s| {
        s.contains("WORK sequence 3") && s.contains("job-3")
    });
    let info = slow.clone().info().await.unwrap().clone();
    assert_eq!(info.num_ack_pending, 2, "nothing consumed or settled");
    drop(held);
}
