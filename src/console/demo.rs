//! `--demo`: something to look at on an embedded server. Streams ORDERS, USER_EVENTS and
//! TEST made through the broker, a consumer that acks everything, a `flaky-billing`
//! consumer (max deliver 3) whose handler fails every second delivery and always fails
//! "poison" messages (so naks, redeliveries and MAX_DELIVERIES advisories appear), a
//! `manual-review` consumer nothing works (for an operator to attach to and settle by
//! hand), and a gentle stream of publishes so the rates move. The dead-letter capture
//! stream is made first, so the demo's dead letters are there to rescue. For the
//! diagnosis: `slow-shipping` stalls at its max ack pending (3, pulled and never acked)
//! and `invoice-mailer`'s filter has a typo (`orders.bilingg`). An object store `assets`
//! with three small objects gives the object-store view (O) something to show.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::broker::{
    Broker, Message, PublishError, SubscribeError, SubscribeOptions, Subscription,
};

/// Every fifth billing message is poison: its handler always fails.
const POISON_EVERY: u64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo set-up: {0}")]
    Publish(#[from] PublishError),
    #[error("demo set-up: {0}")]
    Subscribe(#[from] SubscribeError),
    #[error("demo set-up: {0}")]
    Capture(#[from] crate::deadletters::DeadLetterError),
}

/// Sets up the demo and returns its subscriptions; publishing goes on until `cancel`.
pub async fn start(
    broker: &Broker,
    cancel: CancellationToken,
) -> Result<Vec<Subscription>, DemoError> {
    // The demo's dead letters are recorded from the start, so the dead-letters view
    // (D) has them even for what happened before it was opened. Only in the demo: on a
    // real server the operator is asked first.
    crate::deadletters::ensure_capture(broker, &crate::deadletters::CaptureConfig::default())
        .await?;
    for topic in ["orders.created", "user-events.login", "test.messages"] {
        broker.ensure_stream(topic).await?;
    }
    let processor = broker
        .subscribe(
            "orders.created",
            |_event| async { Ok(()) },
            SubscribeOptions::queue("order-processor"),
        )
        .await?;
    let deliveries = Arc::new(AtomicU64::new(0));
    let billing = broker
        .subscribe(
            "orders.billing",
            move |event| {
                let n = deliveries.fetch_add(1, Ordering::Relaxed) + 1;
                let poison = event.message().header("demo") == Some("poison");
                async move {
                    if poison {
                        Err("demo: poison message, always fails".into())
                    } else if n.is_multiple_of(2) {
                        Err("demo: every second delivery fails".into())
                    } else {
                        Ok(())
                    }
                }
            },
            SubscribeOptions::queue("flaky-billing").max_deliver(3),
        )
        .await?;
    // Left for the operator: `s` on it attaches, `f` pulls.
    broker
        .ensure_consumer(
            "orders.review",
            &SubscribeOptions::queue("manual-review").max_deliver(5),
        )
        .await?;
    // Something for the diagnosis (i) to say: a filter with a typo matches nothing...
    broker
        .ensure_consumer("orders.bilingg", &SubscribeOptions::queue("invoice-mailer"))
        .await?;
    // ...and a worker that pulled its max ack pending and never acks.
    let stalled = broker.clone();
    let stop = cancel.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = stop.cancelled() => {}
            result = stall(&stalled) => if let Err(e) = result {
                tracing::warn!(error = %e, "demo: the stalled consumer was not set up");
            },
        }
    });
    let login = broker
        .subscribe(
            "user-events.login",
            |_event| async { Ok(()) },
            SubscribeOptions::queue("login-audit"),
        )
        .await?;
    if let Err(e) = assets(broker).await {
        tracing::warn!(error = %e, "demo: the assets object store was not set up");
    }
    if let Err(e) = settings(broker).await {
        tracing::warn!(error = %e, "demo: the settings bucket was not set up");
    }
    let publisher = broker.clone();
    tokio::spawn(async move { publish_forever(publisher, cancel).await });
    Ok(vec![processor, billing, login])
}

/// The `assets` object store: three small objects (a few milliseconds at start-up).
async fn assets(broker: &Broker) -> Result<(), crate::broker::ObjectError> {
    broker
        .create_object_store("assets", Some("demo files for the object-store view"))
        .await?;
    // Seeded once: back on this server after a switch, the operator's edits stay.
    if !broker.objects("assets").await?.is_empty() {
        return Ok(());
    }
    let logo = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\"><circle cx=\"32\" cy=\"32\" r=\"30\"/></svg>\n";
    let price_list: String = (1..=200)
        .map(|i| format!("SKU-{i:04},{}.{:02}\n", i * 3, i % 100))
        .collect();
    let readme = "Demo objects: save one with s, put a file with u, delete with d.\n";
    let objects: [(&str, &[u8], Option<&str>); 3] = [
        ("logo.svg", logo.as_bytes(), Some("the shop's logo")),
        ("prices.csv", price_list.as_bytes(), Some("price list")),
        ("README.txt", readme.as_bytes(), None),
    ];
    for (name, bytes, description) in objects {
        broker
            .put_object_bytes("assets", name, bytes, description)
            .await?;
    }
    Ok(())
}

/// The demo's key-value bucket.
const SETTINGS: &str = "settings";

/// The `settings` bucket (5 revisions a key) with a few keys; `stats.orders` changes as
/// the demo publishes, so the keys view (K) has something live.
async fn settings(broker: &Broker) -> Result<(), async_nats::Error> {
    let client = broker.client().ok_or("not connected")?;
    let kv = async_nats::jetstream::new(client)
        .create_key_value(async_nats::jetstream::kv::Config {
            bucket: SETTINGS.into(),
            description: "demo settings for the key-value views".into(),
            history: 5,
            ..Default::default()
        })
        .await?;
    let keys = [
        ("app.theme", "dark"),
        ("checkout.enabled", "true"),
        ("limits.orders_per_minute", "120"),
        (
            "banner",
            r#"{"text":"Free shipping this week","until":"2026-12-01"}"#,
        ),
        ("stats.orders", "0"),
    ];
    // Seeded once: back on this server after a switch, the operator's edits stay.
    if kv.get("app.theme").await?.is_some() {
        return Ok(());
    }
    for (key, value) in keys {
        kv.put(key, value.to_string().into()).await?;
    }
    Ok(())
}

/// Puts the number of orders published so far into `stats.orders`.
async fn count_orders(broker: &Broker, orders: u64) -> Result<(), async_nats::Error> {
    let client = broker.client().ok_or("not connected")?;
    let kv = async_nats::jetstream::new(client)
        .get_key_value(SETTINGS)
        .await?;
    kv.put("stats.orders", orders.to_string().into()).await?;
    Ok(())
}

/// The stalled consumer's max ack pending.
const STALL_AT: usize = 3;

/// `slow-shipping` on orders.shipping, max ack pending 3: pulls 3 messages and never
/// settles them, so ack pending stays at the limit and the server delivers nothing new.
async fn stall(broker: &Broker) -> Result<(), async_nats::Error> {
    use async_nats::jetstream::consumer::pull;
    use futures::StreamExt;
    let client = broker.client().ok_or("not connected")?;
    let js = async_nats::jetstream::new(client);
    let stream = js
        .get_stream(crate::broker::stream_name_for_topic("orders.created"))
        .await?;
    let consumer = stream
        .get_or_create_consumer(
            "slow-shipping",
            pull::Config {
                durable_name: Some("slow-shipping".into()),
                filter_subject: "orders.shipping".into(),
                max_ack_pending: STALL_AT as i64,
                ..Default::default()
            },
        )
        .await?;
    tracing::info!("demo: slow-shipping made; pulling without acking");
    // Shipments arrive every second: keep pulling until the limit is held.
    let mut held = Vec::new();
    while held.len() < STALL_AT {
        let mut batch = consumer
            .fetch()
            .max_messages(STALL_AT - held.len())
            .expires(Duration::from_secs(1))
            .messages()
            .await?;
        while let Some(message) = batch.next().await {
            held.push(message?);
        }
    }
    tracing::info!(
        held = held.len(),
        "demo: slow-shipping holds its max ack pending"
    );
    // Held, never acked: redelivered after the ack wait, still counting against the limit.
    std::future::pending::<()>().await;
    Ok(())
}

async fn publish_forever(broker: Broker, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut n: u64 = 0;
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        n += 1;
        let order = format!(
            r#"{{"id":"{}","number":{n},"total":19.99}}"#,
            uuid::Uuid::new_v4()
        );
        let mut sends = vec![(
            "orders.created",
            Message::new(order.clone()).with_header("type", "order"),
        )];
        if n.is_multiple_of(3) {
            let mut bill = Message::new(order).with_header("type", "invoice");
            if (n / 3).is_multiple_of(POISON_EVERY) {
                bill = bill.with_header("demo", "poison");
            }
            sends.push(("orders.billing", bill));
        }
        if n.is_multiple_of(2) {
            sends.push((
                "orders.shipping",
                Message::new(format!(r#"{{"order":{n},"carrier":"demo"}}"#))
                    .with_header("type", "shipment"),
            ));
        }
        if n.is_multiple_of(20)
            && let Err(e) = count_orders(&broker, n).await
        {
            tracing::debug!(error = %e, "demo: stats.orders not updated");
        }
        if n.is_multiple_of(5) {
            sends.push((
                "orders.review",
                Message::new(format!(r#"{{"order":{n},"flag":"manual review"}}"#))
                    .with_header("type", "review"),
            ));
        }
        if n.is_multiple_of(4) {
            sends.push((
                "user-events.login",
                Message::new(format!(r#"{{"user":"user-{}","source":"web"}}"#, n % 17)),
            ));
        }
        if n.is_multiple_of(6) {
            sends.push(("test.messages", Message::new(format!("Test message {n}"))));
        }
        for (topic, message) in sends {
            if let Err(e) = broker.publish(topic, message).await {
                tracing::warn!(topic, error = %e, "demo publish failed");
            }
        }
    }
}
