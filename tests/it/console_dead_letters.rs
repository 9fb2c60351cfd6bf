//! The redelivery debugger in the real console: from a MAX_DELIVERIES event to the
//! message, and from the dead-letters view back into flow, checked on the server.

use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer, stream};
use futures::StreamExt;

use jetdeck::server::NatsServer;

use crate::common::{eventually, raw};
use crate::pty::Console;

/// Stream DL on `dl.>` with the pull consumer `flaky` (max deliver 2), and one message
/// `body` on `dl.orders` nak'd twice by a raw client, then pulled once more so that the
/// server gives up on it (the MAX_DELIVERIES advisory). Returns the stream.
async fn dead_letter(js: &jetstream::Context, body: &'static str) -> stream::Stream {
    let s = js
        .create_stream(stream::Config {
            name: "DL".into(),
            subjects: vec!["dl.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let c = s
        .create_consumer(consumer::pull::Config {
            durable_name: Some("flaky".into()),
            max_deliver: 2,
            ack_wait: Duration::from_secs(30),
            ..Default::default()
        })
        .await
        .unwrap();
    js.publish("dl.orders", body.into())
        .await
        .unwrap()
        .await
        .unwrap();
    for _ in 0..2 {
        let mut batch = c
            .fetch()
            .max_messages(1)
            .expires(Duration::from_secs(2))
            .messages()
            .await
            .unwrap();
        let m = batch.next().await.expect("a delivery").unwrap();
        m.ack_with(AckKind::Nak(None)).await.unwrap();
    }
    // The server notices the last delivery is spent when asked for the next one.
    let mut batch = c
        .fetch()
        .max_messages(1)
        .expires(Duration::from_millis(500))
        .messages()
        .await
        .unwrap();
    assert!(batch.next().await.is_none(), "no third delivery");
    s
}

#[tokio::test(flavor = "multi_thread")]
async fn enter_on_a_max_deliveries_event_opens_that_message() {
    let server = NatsServer::start().await.unwrap();
    let mut console = Console::start(&["--server", &server.url()]);
    console.wait_for(Duration::from_secs(10), "connected", |s| {
        s.contains("● connected")
    });
    let js = raw(&server).await;
    dead_letter(&js, "hello-dead-letter").await;
    console.wait_for(Duration::from_secs(5), "the advisory", |s| {
        s.contains("MAX_DELIVERIES")
    });
    // Streams, consumers, events: the newest event (MAX_DELIVERIES) is selected.
    console.press("\t\t");
    console.wait_for(Duration::from_secs(3), "the events pane's hint", |s| {
        s.contains("open message")
    });
    console.press("\r");
    let screen = console.wait_for(Duration::from_secs(5), "the message", |s| {
        s.contains("DL sequence 1") && s.contains("hello-dead-letter")
    });
    assert!(screen.contains("Timeline"), "{screen}");
    assert!(
        screen.contains("MAX_DELIVERIES after 2 by flaky"),
        "{screen}"
    );
    assert!(screen.contains("published to dl.orders"), "{screen}");
    // Read by sequence: nothing was consumed, the message is still there.
    let stream = js.get_stream("DL").await.unwrap();
    eventually(Duration::from_secs(2), "the message kept", || {
        let stream = stream.clone();
        async move { stream.get_raw_message(1).await.ok() }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn d_lists_the_dead_letter_and_a_confirmed_retry_moves_it_on_the_server() {
    let server = NatsServer::start().await.unwrap();
    let mut console = Console::start(&["--server", &server.url()]);
    console.wait_for(Duration::from_secs(10), "connected", |s| {
        s.contains("● connected")
    });
    let js = raw(&server).await;
    let stream = dead_letter(&js, "rescue-me").await;
    console.wait_for(Duration::from_secs(5), "the advisory", |s| {
        s.contains("MAX_DELIVERIES")
    });
    console.press("D");
    let row = |s: &str| {
        s.lines().any(|l| {
            crate::pty::has_words(
                l,
                &["DL", "1", "dl.orders", "flaky", "2", "max", "deliveries"],
            ) && l.contains("in stream")
        })
    };
    let screen = console.wait_for(Duration::from_secs(5), "the dead letter's row", row);
    assert!(screen.contains("no capture stream"), "{screen}");
    console.press("r");
    let screen = console.wait_for(Duration::from_secs(3), "the preview", |s| {
        s.contains("Retry 1 dead letter?")
    });
    assert!(screen.contains("DL seq 1"), "{screen}");
    // Nothing happens before the yes.
    assert!(stream.get_raw_message(1).await.is_ok());
    console.press("y");
    console.wait_for(Duration::from_secs(5), "the exact count", |s| {
        s.contains("1 retried")
    });
    // On the server: the copy stored (with where it came from), the original gone.
    let copy = eventually(Duration::from_secs(3), "the copy", || {
        let stream = stream.clone();
        async move { stream.get_raw_message(2).await.ok() }
    })
    .await;
    assert_eq!(copy.subject.as_str(), "dl.orders");
    assert_eq!(&copy.payload[..], b"rescue-me");
    let headers = copy.headers;
    assert_eq!(
        headers
            .get(jetdeck::deadletters::HEADER_SEQUENCE)
            .map(|v| v.as_str()),
        Some("1")
    );
    assert!(
        stream.get_raw_message(1).await.is_err(),
        "the original is gone"
    );
    let mut stream = stream;
    assert_eq!(stream.info().await.unwrap().state.messages, 1);
    // The list is read again: the retried letter is gone from the stream.
    console.wait_for(Duration::from_secs(5), "the refreshed row", |s| {
        s.lines().any(|l| {
            crate::pty::has_words(l, &["DL", "1", "-", "flaky", "2", "max", "deliveries"])
                && l.contains("gone")
        })
    });
}
