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

/// A term on a WorkQueue stream removes the message; jetdeck, which held and termed it,
/// keeps its body: the dead-letters view says so, Enter opens the kept copy with the
/// term jetdeck sent in its timeline, and a confirmed retry publishes it again from
/// that copy (with the retry headers), checked on the server.
#[tokio::test(flavor = "multi_thread")]
async fn a_message_jetdeck_termed_on_a_workqueue_stream_is_retried_from_its_kept_body() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    let stream = js
        .create_stream(stream::Config {
            name: "WQ".into(),
            subjects: vec!["wq.>".into()],
            retention: stream::RetentionPolicy::WorkQueue,
            ..Default::default()
        })
        .await
        .unwrap();
    stream
        .create_consumer(consumer::pull::Config {
            durable_name: Some("billing".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    js.publish("wq.orders", "keep-my-body".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let mut console = Console::start(&["--server", &server.url()]);
    console.wait_for(Duration::from_secs(10), "the consumer", |s| {
        s.lines().any(|l| l.contains("billing"))
    });
    console.press("\ts");
    console.wait_for(Duration::from_secs(5), "attached", |s| {
        s.contains("attached to WQ/billing")
    });
    console.press("f");
    console.wait_for(Duration::from_secs(5), "held", |s| {
        crate::pty::delivery_of(s, "wq.orders") == Some(1)
    });
    console.press("t");
    console.wait_for(Duration::from_secs(3), "the reason prompt", |s| {
        s.contains("Term, reason")
    });
    console.press("bad total\r");
    console.wait_for(Duration::from_secs(5), "the advisory", |s| {
        s.contains("MSG_TERMINATED")
    });
    // WorkQueue: the server removed the termed message.
    let mut stream = stream;
    eventually(Duration::from_secs(3), "the original removed", || {
        let stream = stream.clone();
        async move { stream.get_raw_message(1).await.is_err().then_some(()) }
    })
    .await;
    console.press("D");
    let screen = console.wait_for(Duration::from_secs(5), "the kept letter", |s| {
        s.contains("gone (body kept by jetdeck")
    });
    assert!(
        screen.lines().any(
            |l| crate::pty::has_words(l, &["WQ", "1", "wq.orders", "billing"])
                && l.contains("gone (kept)")
        ),
        "{screen}"
    );
    console.press("\r");
    let screen = console.wait_for(Duration::from_secs(5), "the kept copy", |s| {
        s.contains("keep-my-body") && s.contains("Timeline")
    });
    assert!(
        screen.contains("jetdeck sent term (delivery 1): bad total via billing"),
        "{screen}"
    );
    console.press("\x1b");
    console.wait_for(Duration::from_secs(3), "back in the list", |s| {
        !s.contains("Timeline")
    });
    console.press("r");
    let screen = console.wait_for(Duration::from_secs(3), "the preview", |s| {
        s.contains("Retry 1 dead letter?")
    });
    assert!(screen.contains("from the body jetdeck kept"), "{screen}");
    console.press("y");
    console.wait_for(Duration::from_secs(5), "the exact count", |s| {
        s.contains("1 retried")
    });
    let copy = eventually(Duration::from_secs(3), "the copy", || {
        let stream = stream.clone();
        async move { stream.get_raw_message(2).await.ok() }
    })
    .await;
    assert_eq!(copy.subject.as_str(), "wq.orders");
    assert_eq!(&copy.payload[..], b"keep-my-body");
    assert_eq!(
        copy.headers
            .get(jetdeck::deadletters::HEADER_SEQUENCE)
            .map(|v| v.as_str()),
        Some("1")
    );
    assert_eq!(
        copy.headers
            .get(jetdeck::deadletters::HEADER_REASON)
            .map(|v| v.as_str()),
        Some("terminated: bad total")
    );
    assert_eq!(stream.info().await.unwrap().state.messages, 1);
}

/// `m` to a subject no stream covers: nothing moves, and jetdeck offers a dead-letter
/// stream (name, subject and limits shown); yes creates it and the move goes on,
/// checked on the server.
#[tokio::test(flavor = "multi_thread")]
async fn a_move_to_an_uncovered_subject_offers_a_dead_letter_stream_then_moves() {
    let server = NatsServer::start().await.unwrap();
    let mut console = Console::start(&["--server", &server.url()]);
    console.wait_for(Duration::from_secs(10), "connected", |s| {
        s.contains("● connected")
    });
    let js = raw(&server).await;
    let stream = dead_letter(&js, "move-me").await;
    console.wait_for(Duration::from_secs(5), "the advisory", |s| {
        s.contains("MAX_DELIVERIES")
    });
    console.press("D");
    console.wait_for(Duration::from_secs(5), "the row", |s| {
        s.contains("in stream")
    });
    console.press("m");
    console.wait_for(Duration::from_secs(3), "the subject prompt", |s| {
        s.contains("Move to")
    });
    console.press("dead.orders\r");
    console.wait_for(Duration::from_secs(3), "the preview", |s| {
        s.contains("Move 1 dead letter?")
    });
    console.press("y");
    let screen = console.wait_for(Duration::from_secs(5), "the offer", |s| {
        s.contains("Create stream DEAD_LETTERS on dead.orders")
    });
    assert!(
        screen.contains("Limits retention, File storage, 1 replica, max 1 GiB, max age 30 days"),
        "{screen}"
    );
    // Nothing was created or moved before the yes.
    assert!(js.get_stream("DEAD_LETTERS").await.is_err());
    assert!(stream.get_raw_message(1).await.is_ok());
    console.press("y");
    console.wait_for(Duration::from_secs(5), "the move", |s| {
        s.contains("1 moved to dead.orders (stored in stream DEAD_LETTERS)")
    });
    let mut dead = js.get_stream("DEAD_LETTERS").await.unwrap();
    assert_eq!(dead.info().await.unwrap().state.messages, 1);
    let copy = dead.get_raw_message(1).await.unwrap();
    assert_eq!(&copy.payload[..], b"move-me");
    assert!(
        stream.get_raw_message(1).await.is_err(),
        "the original is gone"
    );
}
