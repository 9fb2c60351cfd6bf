//! A handler that settles its message itself: the worker never settles it a second time.

use std::time::{Duration, Instant};

use futures::StreamExt;
use jetdeck::broker::{Message, SettleError, SubscribeOptions};
use tokio::sync::mpsc;

use crate::common::{eventually, recv_n, start};

const WITHIN: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_nak_with_delay_from_the_handler_is_not_overridden_by_the_worker() {
    let (_server, broker) = start().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _sub = broker
        .subscribe(
            "orders.created",
            move |event| {
                let tx = tx.clone();
                async move {
                    let delivered = event.delivery().delivered;
                    tx.send((delivered, Instant::now())).unwrap();
                    if delivered == 1 {
                        event.nak(Some(Duration::from_secs(1))).await.unwrap();
                        // Settled already: a second settlement is refused.
                        assert!(matches!(
                            event.ack().await,
                            Err(SettleError::AlreadySettled("nak"))
                        ));
                    }
                    // Ok would mean "ack" to the worker; it must leave the nak alone.
                    Ok(())
                }
            },
            SubscribeOptions::queue("delayed"),
        )
        .await
        .unwrap();
    broker
        .publish("orders.created", Message::new("x"))
        .await
        .unwrap();
    let got = recv_n(&mut rx, 2, WITHIN).await;
    assert_eq!((got[0].0, got[1].0), (1, 2));
    let gap = got[1].1 - got[0].1;
    assert!(
        gap >= Duration::from_millis(900),
        "redelivered after {gap:?}"
    );
}

#[tokio::test]
async fn term_stops_redelivery_and_raises_the_advisory() {
    let (server, broker) = start().await;
    let client = async_nats::connect(server.url()).await.unwrap();
    let mut advisories = client
        .subscribe("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.>")
        .await
        .unwrap();
    // Every settlement the consumer receives, as the server sees it.
    let mut settlements = client
        .subscribe("$JS.ACK.ORDERS.terminator.>")
        .await
        .unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _sub = broker
        .subscribe(
            "orders.created",
            move |event| {
                let tx = tx.clone();
                async move {
                    event.term(Some("malformed order")).await.unwrap();
                    tx.send(event.delivery().delivered).unwrap();
                    Err("the worker must not nak a termed message".into())
                }
            },
            SubscribeOptions::queue("terminator"),
        )
        .await
        .unwrap();
    broker
        .publish("orders.created", Message::new("bad"))
        .await
        .unwrap();
    assert_eq!(recv_n(&mut rx, 1, WITHIN).await, [1]);
    let advisory = tokio::time::timeout(WITHIN, advisories.next())
        .await
        .expect("MSG_TERMINATED advisory")
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&advisory.payload).unwrap();
    assert_eq!(body["stream"], "ORDERS");
    assert_eq!(body["consumer"], "terminator");
    assert_eq!(body["stream_seq"], 1);
    assert_eq!(body["reason"], "malformed order");
    // Settled exactly once: the +TERM, and no -NAK from the worker after the error.
    let first = tokio::time::timeout(WITHIN, settlements.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&first.payload[..], b"+TERM malformed order");
    assert!(
        tokio::time::timeout(Duration::from_secs(1), settlements.next())
            .await
            .is_err(),
        "a second settlement was sent"
    );
    // Not redelivered, although the handler returned an error.
    assert!(rx.try_recv().is_err());
}

#[tokio::test]
async fn a_taken_settlement_is_settled_later_and_only_once() {
    let (_server, broker) = start().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _sub = broker
        .subscribe(
            "orders.created",
            move |event| {
                let tx = tx.clone();
                async move {
                    let settlement = event.take_settlement().expect("pending");
                    assert!(event.take_settlement().is_none());
                    assert!(matches!(event.ack().await, Err(SettleError::Taken)));
                    tx.send(settlement).unwrap();
                    Ok(())
                }
            },
            SubscribeOptions::queue("later"),
        )
        .await
        .unwrap();
    broker
        .publish("orders.created", Message::new("x"))
        .await
        .unwrap();
    let settlement = recv_n(&mut rx, 1, WITHIN).await.remove(0);
    // The handler returned Ok, but the worker left the message to the settlement.
    eventually(WITHIN, "delivered, not acked", || async {
        let info = broker.consumer_info("ORDERS", "later").await.ok()?;
        (info.delivered.stream_sequence == 1 && info.num_ack_pending == 1).then_some(())
    })
    .await;
    settlement.ack().await.unwrap();
    eventually(WITHIN, "the ack", || async {
        let info = broker.consumer_info("ORDERS", "later").await.ok()?;
        (info.num_ack_pending == 0 && info.ack_floor.stream_sequence == 1).then_some(())
    })
    .await;
}

#[tokio::test]
async fn in_progress_holds_off_redelivery_past_the_ack_wait() {
    let (_server, broker) = start().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    // Two workers share the queue: if the ack wait lapsed, the idle one would be handed
    // the message again.
    let mut subs = Vec::new();
    for _ in 0..2 {
        let tx = tx.clone();
        subs.push(
            broker
                .subscribe(
                    "orders.created",
                    move |event| {
                        let tx = tx.clone();
                        async move {
                            tx.send(event.delivery().delivered).unwrap();
                            // Three ack waits of work, kept alive by progress reports.
                            for _ in 0..6 {
                                tokio::time::sleep(Duration::from_millis(500)).await;
                                event.in_progress().await.unwrap();
                            }
                            Ok(())
                        }
                    },
                    SubscribeOptions::queue("slow-worker").ack_wait(Duration::from_secs(1)),
                )
                .await
                .unwrap(),
        );
    }
    broker
        .publish("orders.created", Message::new("x"))
        .await
        .unwrap();
    assert_eq!(recv_n(&mut rx, 1, WITHIN).await, [1]);
    eventually(WITHIN, "the ack after the long handler", || async {
        let info = broker.consumer_info("ORDERS", "slow-worker").await.ok()?;
        (info.ack_floor.stream_sequence == 1).then_some(())
    })
    .await;
    let info = broker.consumer_info("ORDERS", "slow-worker").await.unwrap();
    assert_eq!(info.num_redelivered, 0);
    assert!(rx.try_recv().is_err(), "the message was redelivered");
}
