use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_nats::jetstream::consumer::AckPolicy;
use jetdeck::broker::{
    ApiErrorKind, Broker, BrokerOptions, Message, SubscribeError, SubscribeOptions,
};
use tokio::sync::mpsc;

use crate::common::{TEST_FETCH_WAIT, body, eventually, forward, recv_n, start};

const WITHIN: Duration = Duration::from_secs(20);

#[tokio::test]
async fn queue_names_are_checked_before_any_server_call() {
    // Not even connected: the name is refused first.
    let broker = Broker::new(BrokerOptions::default());
    let err = broker
        .subscribe(
            "orders.created",
            |_| async { Ok(()) },
            SubscribeOptions::queue("my.queue"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, SubscribeError::InvalidQueueName(_)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "queue name cannot contain period at position 2; use only a-z A-Z 0-9 - _"
    );
}

#[tokio::test]
async fn five_messages_arrive_in_order_with_delivery_metadata() {
    let (_server, broker) = start().await;
    for i in 1..=5 {
        broker
            .publish("orders.created", Message::new(format!("order {i}")))
            .await
            .unwrap();
    }
    let (sub, mut rx) = forward(
        &broker,
        "orders.created",
        SubscribeOptions::queue("order-processor"),
        |event| {
            (
                body(event),
                event.delivery().clone(),
                event.topic().to_string(),
            )
        },
    )
    .await;
    let got = recv_n(&mut rx, 5, WITHIN).await;
    let bodies: Vec<_> = got.iter().map(|(b, _, _)| b.as_str()).collect();
    assert_eq!(
        bodies,
        ["order 1", "order 2", "order 3", "order 4", "order 5"]
    );
    for (i, (_, delivery, topic)) in got.iter().enumerate() {
        assert_eq!(topic, "orders.created");
        assert_eq!(delivery.stream, "ORDERS");
        assert_eq!(delivery.consumer, "order-processor");
        assert_eq!(delivery.stream_sequence, i as u64 + 1);
        assert_eq!(delivery.consumer_sequence, i as u64 + 1);
        assert_eq!(delivery.delivered, 1);
        assert_eq!(delivery.pending, 4 - i as u64);
        assert!(delivery.published.elapsed().unwrap() < Duration::from_secs(60));
    }
    assert_eq!(broker.metrics().consumed, 5);
    assert_eq!(broker.metrics().active_subscriptions, 1);
    sub.unsubscribe().await.unwrap();
    assert_eq!(broker.metrics().active_subscriptions, 0);

    // The durable consumer is filtered to the topic, explicit ack, and outlives the
    // subscription.
    let info = broker
        .consumer_info("ORDERS", "order-processor")
        .await
        .unwrap();
    assert_eq!(info.config.filter_subject, "orders.created");
    assert_eq!(info.config.ack_policy, AckPolicy::Explicit);
    assert_eq!(info.config.durable_name.as_deref(), Some("order-processor"));
    let acked = eventually(WITHIN, "ack floor 5", || async {
        let info = broker
            .consumer_info("ORDERS", "order-processor")
            .await
            .ok()?;
        (info.ack_floor.stream_sequence == 5).then_some(info)
    })
    .await;
    assert_eq!(acked.num_ack_pending, 0);
}

#[tokio::test]
async fn headers_round_trip_with_several_values_per_key() {
    let (_server, broker) = start().await;
    let (_sub, mut rx) = forward(
        &broker,
        "orders.created",
        SubscribeOptions::queue("headers"),
        |event| event.message().clone(),
    )
    .await;
    let sent = Message::new(r#"{"id":"123"}"#)
        .with_header("type", "order")
        .with_header("tag", "red")
        .with_header("tag", "blue");
    broker
        .publish("orders.created", sent.clone())
        .await
        .unwrap();
    let got = recv_n(&mut rx, 1, WITHIN).await.remove(0);
    assert_eq!(got.body, sent.body);
    assert_eq!(got.header("type"), Some("order"));
    assert_eq!(
        got.headers.get_all("tag").collect::<Vec<_>>(),
        ["red", "blue"]
    );
}

#[tokio::test]
async fn two_subscribers_on_one_queue_share_the_work_without_duplicates() {
    let (_server, broker) = start().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut subs = Vec::new();
    for worker in 0..2 {
        let tx = tx.clone();
        subs.push(
            broker
                .subscribe(
                    "jobs.run",
                    move |event| {
                        let tx = tx.clone();
                        async move {
                            // A little work, so the other subscriber's pulls get a share.
                            tokio::time::sleep(Duration::from_millis(5)).await;
                            tx.send((worker, event.delivery().stream_sequence)).unwrap();
                            Ok(())
                        }
                    },
                    SubscribeOptions::queue("job-runners").batch_size(5),
                )
                .await
                .unwrap(),
        );
    }
    for i in 0..100 {
        broker
            .publish("jobs.run", Message::new(format!("{i}")))
            .await
            .unwrap();
    }
    let got = recv_n(&mut rx, 100, WITHIN).await;
    let seqs: HashSet<u64> = got.iter().map(|(_, s)| *s).collect();
    assert_eq!(seqs.len(), 100, "each message handled exactly once");
    let by_first = got.iter().filter(|(w, _)| *w == 0).count();
    assert!(by_first > 0 && by_first < 100, "split was {by_first}/100");
    // No duplicates arrive later either.
    assert!(
        tokio::time::timeout(TEST_FETCH_WAIT * 2, rx.recv())
            .await
            .is_err(),
        "a message was delivered twice"
    );
    assert_eq!(broker.metrics().active_subscriptions, 2);
}

#[tokio::test]
async fn a_second_queue_on_a_workqueue_topic_gets_the_servers_refusal() {
    let (_server, broker) = start().await;
    let _first = broker
        .subscribe(
            "orders.created",
            |_| async { Ok(()) },
            SubscribeOptions::queue("first"),
        )
        .await
        .unwrap();
    let err = broker
        .subscribe(
            "orders.created",
            |_| async { Ok(()) },
            SubscribeOptions::queue("second"),
        )
        .await
        .unwrap_err();
    match &err {
        SubscribeError::Consumer {
            queue,
            stream,
            source,
        } => {
            assert_eq!((queue.as_str(), stream.as_str()), ("second", "ORDERS"));
            assert_eq!(source.kind(), ApiErrorKind::WorkQueueRule);
            assert!(
                matches!(source.err_code(), Some(10099 | 10100)),
                "{source:?}"
            );
        }
        other => panic!("expected the WorkQueue refusal, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("second") && text.contains("WorkQueue"),
        "{text}"
    );
}

#[tokio::test]
async fn an_existing_consumer_with_another_filter_is_refused() {
    let (_server, broker) = start().await;
    broker
        .subscribe(
            "orders.created",
            |_| async { Ok(()) },
            SubscribeOptions::queue("shared-name"),
        )
        .await
        .unwrap()
        .unsubscribe()
        .await
        .unwrap();
    let err = broker
        .subscribe(
            "orders.updated",
            |_| async { Ok(()) },
            SubscribeOptions::queue("shared-name"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SubscribeError::FilterMismatch { filters, .. } if filters == &["orders.created"]),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_handler_error_naks_and_the_message_returns_with_delivery_count_two() {
    let (_server, broker) = start().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let calls = Arc::new(AtomicUsize::new(0));
    let _sub = broker
        .subscribe(
            "orders.created",
            move |event| {
                let tx = tx.clone();
                let first = calls.fetch_add(1, Ordering::SeqCst) == 0;
                async move {
                    tx.send(event.delivery().delivered).unwrap();
                    if first {
                        Err("database unavailable".into())
                    } else {
                        Ok(())
                    }
                }
            },
            SubscribeOptions::queue("retrying"),
        )
        .await
        .unwrap();
    broker
        .publish("orders.created", Message::new("x"))
        .await
        .unwrap();
    assert_eq!(recv_n(&mut rx, 2, WITHIN).await, [1, 2]);
    let m = broker.metrics();
    assert_eq!((m.handler_errors, m.consumed), (1, 2));
}

#[tokio::test]
async fn a_panicking_handler_naks_and_the_worker_lives_on() {
    let (_server, broker) = start().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _sub = broker
        .subscribe(
            "orders.created",
            move |event| {
                let tx = tx.clone();
                let body = event.message().body.clone();
                let delivered = event.delivery().delivered;
                async move {
                    tx.send((String::from_utf8_lossy(&body).into_owned(), delivered))
                        .unwrap();
                    if &body[..] == b"boom" && delivered == 1 {
                        panic!("handler bug");
                    }
                    Ok(())
                }
            },
            SubscribeOptions::queue("panicky"),
        )
        .await
        .unwrap();
    broker
        .publish("orders.created", Message::new("boom"))
        .await
        .unwrap();
    broker
        .publish("orders.created", Message::new("after"))
        .await
        .unwrap();
    let mut got = recv_n(&mut rx, 3, WITHIN).await;
    got.sort();
    assert_eq!(
        got,
        [
            ("after".to_string(), 1),
            ("boom".to_string(), 1),
            ("boom".to_string(), 2)
        ]
    );
    let m = broker.metrics();
    assert_eq!(m.handler_panics, 1);
    assert_eq!(m.active_subscriptions, 1);
}

#[tokio::test]
async fn a_handler_that_panics_before_its_future_is_caught_too() {
    let (_server, broker) = start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let _sub = broker
        .subscribe(
            "orders.created",
            move |_event| -> std::future::Ready<jetdeck::broker::HandlerResult> {
                if seen.fetch_add(1, Ordering::SeqCst) == 0 {
                    panic!("panicked while building the future");
                }
                std::future::ready(Ok(()))
            },
            SubscribeOptions::queue("early-panic"),
        )
        .await
        .unwrap();
    broker
        .publish("orders.created", Message::new("x"))
        .await
        .unwrap();
    eventually(WITHIN, "redelivery after the panic", || async {
        (calls.load(Ordering::SeqCst) >= 2).then_some(())
    })
    .await;
    assert_eq!(broker.metrics().handler_panics, 1);
}

#[tokio::test]
async fn unsubscribe_is_prompt_during_a_long_pull_and_leaves_the_consumer() {
    let (_server, broker) = start().await;
    let sub = broker
        .subscribe(
            "orders.created",
            |_| async { Ok(()) },
            SubscribeOptions::queue("patient").fetch_wait(Duration::from_secs(30)),
        )
        .await
        .unwrap();
    // Wait until the pull is parked on the server.
    eventually(WITHIN, "a waiting pull", || async {
        let info = broker.consumer_info("ORDERS", "patient").await.ok()?;
        (info.num_waiting > 0).then_some(())
    })
    .await;
    let started = Instant::now();
    sub.unsubscribe().await.unwrap();
    let took = started.elapsed();
    eprintln!("unsubscribe during a 30 s pull took {took:?}");
    // The contract is 100 ms; the bound here leaves room for a loaded CI machine while
    // still failing if unsubscribe waited for the 30 s pull.
    assert!(
        took < Duration::from_millis(500),
        "unsubscribe took {took:?}"
    );
    assert_eq!(broker.metrics().active_subscriptions, 0);
    assert!(broker.consumer_info("ORDERS", "patient").await.is_ok());
}

#[tokio::test]
async fn dropping_the_subscription_stops_its_worker() {
    let (_server, broker) = start().await;
    let sub = broker
        .subscribe(
            "orders.created",
            |_| async { Ok(()) },
            SubscribeOptions::queue("dropped"),
        )
        .await
        .unwrap();
    assert_eq!(broker.metrics().active_subscriptions, 1);
    drop(sub);
    eventually(WITHIN, "the worker to stop", || async {
        (broker.metrics().active_subscriptions == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_push_consumer_under_the_queue_name_is_refused() {
    let (server, broker) = start().await;
    broker.ensure_stream("orders.created").await.unwrap();
    crate::common::raw(&server)
        .await
        .get_stream("ORDERS")
        .await
        .unwrap()
        .create_consumer(async_nats::jetstream::consumer::push::Config {
            durable_name: Some("pusher".into()),
            deliver_subject: "deliver.here".into(),
            filter_subject: "orders.created".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let err = broker
        .subscribe(
            "orders.created",
            |_| async { Ok(()) },
            SubscribeOptions::queue("pusher"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, SubscribeError::UnsuitableConsumer { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("push consumer"), "{err}");
}

#[tokio::test]
async fn subscriptions_work_again_after_disconnect_and_connect() {
    let (_server, broker) = start().await;
    broker.disconnect().await.unwrap();
    broker.connect().await.unwrap();
    let (_sub, mut rx) = forward(
        &broker,
        "orders.created",
        SubscribeOptions::queue("second-life"),
        body,
    )
    .await;
    broker
        .publish("orders.created", Message::new("again"))
        .await
        .unwrap();
    assert_eq!(recv_n(&mut rx, 1, WITHIN).await, ["again"]);
    assert_eq!(
        broker.connection_state(),
        jetdeck::broker::ConnectionState::Connected
    );
    assert_eq!(broker.metrics().fetch_errors, 0);
}

#[tokio::test]
async fn pull_hands_back_unsettled_messages_for_the_caller_to_settle() {
    let (_server, broker) = start().await;
    let (stream, info) = broker
        .ensure_consumer("orders.created", &SubscribeOptions::queue("manual"))
        .await
        .unwrap();
    assert_eq!(
        (stream.name.as_str(), info.name.as_str()),
        ("ORDERS", "manual")
    );
    for i in 1..=3 {
        broker
            .publish("orders.created", Message::new(format!("m{i}")))
            .await
            .unwrap();
    }
    let events = broker
        .pull("ORDERS", "manual", 10, Duration::from_millis(500))
        .await
        .unwrap();
    assert_eq!(events.len(), 3);
    let info = broker.consumer_info("ORDERS", "manual").await.unwrap();
    assert_eq!(info.num_ack_pending, 3, "nothing settled by the pull");
    events[0].ack().await.unwrap();
    events[1].nak(None).await.unwrap();
    events[2].term(None).await.unwrap();
    let again = broker
        .pull("ORDERS", "manual", 10, Duration::from_millis(500))
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].delivery().stream_sequence, 2);
    assert_eq!(again[0].delivery().delivered, 2);
    again[0].ack().await.unwrap();
    eventually(WITHIN, "nothing pending", || async {
        let info = broker.consumer_info("ORDERS", "manual").await.ok()?;
        (info.num_ack_pending == 0 && info.num_pending == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn attach_works_a_consumer_someone_else_made() {
    let (server, broker) = start().await;
    let js = crate::common::raw(&server).await;
    let stream = js
        .create_stream(async_nats::jetstream::stream::Config {
            name: "AUDIT".into(),
            subjects: vec!["audit.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            durable_name: Some("everything".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    for i in 0..3 {
        js.publish(format!("audit.e{i}"), "x".into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _sub = broker
        .attach(
            "AUDIT",
            move |event| {
                let _ = tx.send(event.topic().to_string());
                async { Ok(()) }
            },
            SubscribeOptions::queue("everything"),
        )
        .await
        .unwrap();
    let mut topics = recv_n(&mut rx, 3, WITHIN).await;
    topics.sort();
    assert_eq!(topics, ["audit.e0", "audit.e1", "audit.e2"]);
    let missing = broker
        .attach(
            "AUDIT",
            |_| async { Ok(()) },
            SubscribeOptions::queue("nobody"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        missing.api().map(|e| e.kind()),
        Some(ApiErrorKind::ConsumerNotFound)
    );
}
