//! The broker contract as a program: `cargo run --example quickstart -- nats://127.0.0.1:4222`.
//! Built by `cargo test`, so the public names in README and DESIGN.md keep compiling.

use std::time::Duration;

use jetdeck::broker::{Broker, BrokerOptions, Event, Message, SubscribeOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "nats://127.0.0.1:4222".into());
    let broker = Broker::new(
        BrokerOptions::default()
            .addrs([url])
            .batch_size(10)
            .fetch_wait(Duration::from_secs(5))
            .client_name("order-service"),
    );
    broker.connect().await?;
    let ack = broker
        .publish(
            "orders.created",
            Message::new(r#"{"id":"123"}"#).with_header("type", "order"),
        )
        .await?;
    println!("stored in {} at sequence {}", ack.stream, ack.sequence);

    let (done_tx, mut done_rx) = tokio::sync::mpsc::channel(1);
    let sub = broker
        .subscribe(
            "orders.created",
            move |event: Event| {
                let done = done_tx.clone();
                async move {
                    let order_type = event.message().header("type");
                    println!(
                        "{} {:?}",
                        String::from_utf8_lossy(&event.message().body),
                        order_type
                    );
                    let _ = done.send(()).await;
                    Ok(())
                }
            },
            SubscribeOptions::queue("order-processor"),
        )
        .await?;
    done_rx.recv().await;
    sub.unsubscribe().await?;
    broker.disconnect().await?;

    let m = broker.metrics();
    println!(
        "published {} consumed {} errors {} panics {} fetch errors {} active {}",
        m.published,
        m.consumed,
        m.handler_errors,
        m.handler_panics,
        m.fetch_errors,
        m.active_subscriptions
    );
    assert_eq!(
        jetdeck::broker::stream_name_for_topic("user-events.login"),
        "USER_EVENTS"
    );
    assert!(jetdeck::broker::validate_queue_name("my.queue").is_err());
    Ok(())
}
