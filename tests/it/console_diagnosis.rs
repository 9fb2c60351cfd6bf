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
