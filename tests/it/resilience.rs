//! The worker survives what production does to it: a server crash and restart, a consumer
//! deleted under it, a disconnect in the middle of a handler.

use std::collections::BTreeSet;
use std::time::Duration;

use jetdeck::broker::{ConnectionState, Message, SubscribeOptions};
use tokio::sync::mpsc;

use crate::common::{body, eventually, forward, raw, recv_n, start};

const WITHIN: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_server_killed_and_restarted_loses_nothing() {
    let (mut server, broker) = start().await;
    let (_sub, mut rx) = forward(
        &broker,
        "orders.created",
        SubscribeOptions::queue("survivor"),
        body,
    )
    .await;
    for i in 0..5 {
        broker
            .publish("orders.created", Message::new(format!("before {i}")))
            .await
            .unwrap();
    }
    let mut seen: BTreeSet<String> = recv_n(&mut rx, 5, WITHIN).await.into_iter().collect();

    let mut state = broker.watch_connection();
    let port = server.port();
    server.kill();
    eventually(WITHIN, "the broker to notice", || async {
        (broker.connection_state() == ConnectionState::Reconnecting).then_some(())
    })
    .await;
    server.restart().await.unwrap();
    assert_eq!(server.port(), port);
    state
        .wait_for(|s| *s == ConnectionState::Connected)
        .await
        .unwrap();

    // Publish right away: JetStream may still be recovering, so retry each message until
    // the server stores it.
    for i in 0..5 {
        eventually(WITHIN, "a publish after the restart", || async {
            broker
                .publish("orders.created", Message::new(format!("after {i}")))
                .await
                .ok()
        })
        .await;
    }
    while seen.len() < 10 {
        let more = recv_n(&mut rx, 1, WITHIN).await;
        seen.extend(more);
    }
    let expected: BTreeSet<String> = (0..5)
        .map(|i| format!("before {i}"))
        .chain((0..5).map(|i| format!("after {i}")))
        .collect();
    assert_eq!(seen, expected);
    let m = broker.metrics();
    assert!(m.fetch_errors >= 1, "the lost pull was counted: {m:?}");
    assert_eq!(m.active_subscriptions, 1);
}

#[tokio::test]
async fn a_consumer_deleted_under_a_live_subscription_backs_off_instead_of_spinning() {
    let (server, broker) = start().await;
    let sub = broker
        .subscribe(
            "orders.created",
            |_| async { Ok(()) },
            SubscribeOptions::queue("doomed"),
        )
        .await
        .unwrap();
    eventually(WITHIN, "a waiting pull", || async {
        let info = broker.consumer_info("ORDERS", "doomed").await.ok()?;
        (info.num_waiting > 0).then_some(())
    })
    .await;
    raw(&server)
        .await
        .get_stream("ORDERS")
        .await
        .unwrap()
        .delete_consumer("doomed")
        .await
        .unwrap();
    eventually(WITHIN, "the first failed pull", || async {
        (broker.metrics().fetch_errors >= 1).then_some(())
    })
    .await;
    // Backing off 1 s, 2 s, 4 s: in the next 2.5 s at most two more pulls can fail. A
    // spinning worker would fail thousands.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let m = broker.metrics();
    assert!(
        (1..=3).contains(&m.fetch_errors),
        "fetch errors in 2.5 s after the delete: {}",
        m.fetch_errors
    );
    assert_eq!((m.handler_panics, m.active_subscriptions), (0, 1));
    sub.unsubscribe().await.unwrap();
}

#[tokio::test]
async fn disconnect_during_a_slow_handler_lets_it_finish_and_its_ack_land() {
    let (server, broker) = start().await;
    let (started_tx, mut started_rx) = mpsc::unbounded_channel();
    let in_handler = broker.clone();
    let _sub = broker
        .subscribe(
            "orders.created",
            move |event| {
                let started = started_tx.clone();
                let broker = in_handler.clone();
                async move {
                    if event.topic() != "orders.created" {
                        return Ok(());
                    }
                    started.send(()).unwrap();
                    tokio::time::sleep(Duration::from_millis(1500)).await;
                    // A handler that publishes its result still can while draining.
                    broker
                        .publish("orders.done", Message::new("done"))
                        .await
                        .map(|_| ())
                        .map_err(Into::into)
                }
            },
            SubscribeOptions::queue("slow"),
        )
        .await
        .unwrap();
    broker
        .publish("orders.created", Message::new("x"))
        .await
        .unwrap();
    recv_n(&mut started_rx, 1, WITHIN).await;
    broker.disconnect().await.unwrap();
    assert_eq!(broker.connection_state(), ConnectionState::NotConnected);
    assert_eq!(broker.metrics().active_subscriptions, 0);

    // Checked from another connection: the ack is on the server, nothing pending.
    let js = raw(&server).await;
    let stream = js.get_stream("ORDERS").await.unwrap();
    eventually(WITHIN, "the ack on the server", || async {
        let info = stream.consumer_info("slow").await.ok()?;
        (info.ack_floor.stream_sequence == 1 && info.num_ack_pending == 0).then_some(())
    })
    .await;
    assert_eq!(
        broker.metrics().handler_errors,
        0,
        "the handler's publish failed"
    );
    let stream = js
        .get_stream("ORDERS")
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .clone();
    assert_eq!(
        stream.state.last_sequence, 2,
        "the handler's publish was stored"
    );
}
