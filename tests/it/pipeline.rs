//! Pipelined publish, streaming pulls and byte-bounded batches.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jetdeck::broker::{Message, SubscribeOptions};
use tokio::sync::{Notify, mpsc};

use crate::common::{body, eventually, forward, raw, recv_n, start};

const WITHIN: Duration = Duration::from_secs(20);

#[tokio::test]
async fn every_pipelined_ack_is_checked_within_the_window() {
    let (_server, broker) = start().await;
    let messages = (0..500).map(|i| Message::new(format!("m{i}")));
    let done = broker
        .publish_pipelined("pipe.load", messages, 32)
        .await
        .unwrap();
    let seqs: Vec<u64> = done.acks.iter().map(|a| a.sequence).collect();
    assert_eq!(
        seqs,
        (1..=500).collect::<Vec<_>>(),
        "one ack per message, in order"
    );
    assert!(
        done.max_in_flight <= 32 && done.max_in_flight > 1,
        "{}",
        done.max_in_flight
    );
    assert_eq!(
        broker.stream_info("PIPE").await.unwrap().state.messages,
        500
    );
    assert_eq!(broker.metrics().published, 500);

    // A window past what the client allows in flight is capped, not a deadlock.
    let big = broker
        .publish_pipelined(
            "pipe.load",
            (0..6000).map(|i| Message::new(format!("b{i}"))),
            6000,
        )
        .await
        .unwrap();
    assert_eq!(big.acks.len(), 6000);
    assert!(big.max_in_flight <= jetdeck::broker::MAX_PIPELINE_WINDOW);

    let one = broker
        .publish_pipelined(
            "pipe.load",
            (0..20).map(|i| Message::new(format!("s{i}"))),
            1,
        )
        .await
        .unwrap();
    assert_eq!(one.max_in_flight, 1);
}

#[tokio::test]
async fn a_refused_message_is_reported_by_its_index() {
    let (_server, broker) = start().await;
    let messages = (0..50).map(|i| {
        let m = Message::new(format!("m{i}"));
        if i == 7 {
            // The server refuses this one: its subject has no message 999.
            m.with_header("Nats-Expected-Last-Subject-Sequence", "999")
        } else {
            m
        }
    });
    let err = broker
        .publish_pipelined("pipe.fail", messages, 8)
        .await
        .unwrap_err();
    assert_eq!(err.index, 7, "{err}");
    assert!(
        matches!(err.source, jetdeck::broker::PublishError::Rejected { .. }),
        "the server's refusal, not a transport failure: {:?}",
        err.source
    );
    let stored = broker.stream_info("PIPE").await.unwrap().state.messages;
    assert_eq!(
        err.stored as u64, stored,
        "the count of stored messages is exact"
    );
    assert!(
        stored >= 7,
        "those before the failure were stored: {stored}"
    );
    assert!(err.to_string().contains("message 7 failed"), "{err}");
}

#[tokio::test]
async fn streaming_mode_keeps_order_naks_on_error_and_survives_panics() {
    let (_server, broker) = start().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let calls = Arc::new(AtomicUsize::new(0));
    let _sub = broker
        .subscribe(
            "stream.mode",
            move |event| {
                let tx = tx.clone();
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    let text = String::from_utf8_lossy(&event.message().body).into_owned();
                    tx.send((text.clone(), event.delivery().delivered)).unwrap();
                    match (text.as_str(), event.delivery().delivered) {
                        ("fail", 1) => Err("first delivery fails".into()),
                        ("panic", 1) => panic!("handler bug {n}"),
                        _ => Ok(()),
                    }
                }
            },
            SubscribeOptions::queue("streamer")
                .streaming()
                .batch_size(5),
        )
        .await
        .unwrap();
    for i in 0..10 {
        broker
            .publish("stream.mode", Message::new(format!("m{i}")))
            .await
            .unwrap();
    }
    let got = recv_n(&mut rx, 10, WITHIN).await;
    let order: Vec<String> = got.into_iter().map(|(b, _)| b).collect();
    assert_eq!(order, (0..10).map(|i| format!("m{i}")).collect::<Vec<_>>());
    broker
        .publish("stream.mode", Message::new("fail"))
        .await
        .unwrap();
    broker
        .publish("stream.mode", Message::new("panic"))
        .await
        .unwrap();
    let mut again = recv_n(&mut rx, 4, WITHIN).await;
    again.sort();
    assert_eq!(
        again,
        [
            ("fail".to_string(), 1),
            ("fail".to_string(), 2),
            ("panic".to_string(), 1),
            ("panic".to_string(), 2)
        ]
    );
    let m = broker.metrics();
    assert_eq!(
        (m.handler_errors, m.handler_panics, m.active_subscriptions),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn streaming_mode_unsubscribes_promptly_and_backs_off_when_its_consumer_goes() {
    let (server, broker) = start().await;
    let (sub, mut rx) = forward(
        &broker,
        "stream.gone",
        SubscribeOptions::queue("doomed-stream").streaming(),
        body,
    )
    .await;
    broker
        .publish("stream.gone", Message::new("x"))
        .await
        .unwrap();
    recv_n(&mut rx, 1, WITHIN).await;
    raw(&server)
        .await
        .get_stream("STREAM")
        .await
        .unwrap()
        .delete_consumer("doomed-stream")
        .await
        .unwrap();
    eventually(WITHIN, "the failed pull", || async {
        (broker.metrics().fetch_errors >= 1).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let errors = broker.metrics().fetch_errors;
    assert!((1..=3).contains(&errors), "fetch errors in 2.5 s: {errors}");
    let started = Instant::now();
    sub.unsubscribe().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(broker.metrics().active_subscriptions, 0);
}

#[tokio::test]
async fn a_byte_bounded_batch_brings_no_more_than_its_bytes() {
    let (_server, broker) = start().await;
    for i in 0..10 {
        broker
            .publish(
                "bytes.big",
                Message::new(format!("{i}:{}", "x".repeat(300))),
            )
            .await
            .unwrap();
    }
    let release = Arc::new(Notify::new());
    let held = release.clone();
    let first = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _sub = broker
        .subscribe(
            "bytes.big",
            move |_event| {
                let held = held.clone();
                let tx = tx.clone();
                let is_first = first.fetch_add(1, Ordering::SeqCst) == 0;
                async move {
                    if is_first {
                        tx.send(()).unwrap();
                        held.notified().await;
                    }
                    Ok(())
                }
            },
            SubscribeOptions::queue("bounded")
                .batch_size(100)
                .max_bytes(800),
        )
        .await
        .unwrap();
    recv_n(&mut rx, 1, WITHIN).await;
    // The first handler holds its batch: everything that batch brought is ack pending.
    let info = broker.consumer_info("BYTES", "bounded").await.unwrap();
    assert!(
        (1..=2).contains(&info.num_ack_pending),
        "800 bytes bring at most two 300-byte messages, not {}",
        info.num_ack_pending
    );
    release.notify_one();
    eventually(WITHIN, "all ten handled", || async {
        let info = broker.consumer_info("BYTES", "bounded").await.ok()?;
        (info.ack_floor.stream_sequence == 10).then_some(())
    })
    .await;
}

#[tokio::test]
async fn after_a_streaming_unsubscribe_new_messages_go_to_the_next_subscriber_at_once() {
    let (_server, broker) = start().await;
    let (sub, mut rx) = forward(
        &broker,
        "stream.handover",
        SubscribeOptions::queue("handover")
            .streaming()
            .batch_size(100),
        body,
    )
    .await;
    broker
        .publish("stream.handover", Message::new("first"))
        .await
        .unwrap();
    assert_eq!(recv_n(&mut rx, 1, WITHIN).await, ["first"]);
    sub.unsubscribe().await.unwrap();
    for i in 0..5 {
        broker
            .publish("stream.handover", Message::new(format!("later {i}")))
            .await
            .unwrap();
    }
    // The old pull requests must not swallow these until their ack wait (30 s).
    let (_next, mut rx) = forward(
        &broker,
        "stream.handover",
        SubscribeOptions::queue("handover"),
        body,
    )
    .await;
    let got = recv_n(&mut rx, 5, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 5);
}

#[tokio::test]
async fn concurrent_pipelines_beyond_the_shared_budget_all_finish() {
    let (_server, broker) = start().await;
    // Six windows of 1,024 is more than the broker's 4,096 budget and async-nats' 5,000.
    let runs: Vec<_> = (0..6)
        .map(|run| {
            let broker = broker.clone();
            tokio::spawn(async move {
                broker
                    .publish_pipelined(
                        "many.pipes",
                        (0..3000).map(move |i| Message::new(format!("{run}-{i}"))),
                        1024,
                    )
                    .await
            })
        })
        .collect();
    let finished = tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(runs))
        .await
        .expect("no pipeline waits on another forever");
    for run in finished {
        assert_eq!(run.unwrap().unwrap().acks.len(), 3000);
    }
    assert_eq!(
        broker.stream_info("MANY").await.unwrap().state.messages,
        18_000
    );
}
