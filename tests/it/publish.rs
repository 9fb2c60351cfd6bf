use std::time::Duration;

use async_nats::jetstream::stream;
use jetdeck::broker::{
    Broker, BrokerOptions, Message, NOT_CONNECTED, PublishError, StreamError, SubscribeOptions,
};
use jetdeck::server::NatsServer;

use crate::common::{raw, start};

#[tokio::test]
async fn publish_and_subscribe_before_connect_say_not_connected() {
    let broker = Broker::new(BrokerOptions::default());
    let err = broker
        .publish("orders.created", Message::new("x"))
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::NotConnected));
    assert!(err.to_string().contains("not connected"), "{err}");
    let err = broker
        .subscribe(
            "orders.created",
            |_| async { Ok(()) },
            SubscribeOptions::queue("q"),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains(NOT_CONNECTED), "{err}");
    assert!(err.to_string().contains("not connected"));
}

#[tokio::test]
async fn connect_and_disconnect_are_idempotent() {
    let server = NatsServer::start().await.unwrap();
    let broker = crate::common::broker_for(&server.url());
    broker.disconnect().await.unwrap(); // never connected: nothing to do
    broker.connect().await.unwrap();
    broker.connect().await.unwrap();
    broker
        .publish("orders.created", Message::new("x"))
        .await
        .unwrap();
    broker.disconnect().await.unwrap();
    broker.disconnect().await.unwrap();
    assert!(matches!(
        broker.publish("orders.created", Message::new("x")).await,
        Err(PublishError::NotConnected)
    ));
    // And it can come back.
    broker.connect().await.unwrap();
    let ack = broker
        .publish("orders.created", Message::new("y"))
        .await
        .unwrap();
    assert_eq!(ack.sequence, 2);
}

#[tokio::test]
async fn first_publish_creates_a_workqueue_file_stream_covering_the_first_token() {
    let (server, broker) = start().await;
    let ack = broker
        .publish("user-events.login", Message::new("hi"))
        .await
        .unwrap();
    assert_eq!(ack.stream, "USER_EVENTS");
    let js = raw(&server).await;
    let info = js
        .get_stream("USER_EVENTS")
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .clone();
    assert_eq!(info.config.retention, stream::RetentionPolicy::WorkQueue);
    assert_eq!(info.config.storage, stream::StorageType::File);
    assert_eq!(info.config.subjects, ["user-events", "user-events.>"]);
    // A one-token topic lands in the same stream.
    let ack = broker
        .publish("user-events", Message::new("bare"))
        .await
        .unwrap();
    assert_eq!((ack.stream.as_str(), ack.sequence), ("USER_EVENTS", 2));
}

#[tokio::test]
async fn the_stream_template_supplies_everything_but_name_and_subjects() {
    let server = NatsServer::start().await.unwrap();
    let broker = Broker::new(
        BrokerOptions::default()
            .addrs([server.url()])
            .stream_config(stream::Config {
                name: "IGNORED".into(),
                retention: stream::RetentionPolicy::Limits,
                storage: stream::StorageType::Memory,
                max_age: Duration::from_secs(3600),
                ..Default::default()
            }),
    );
    broker.connect().await.unwrap();
    broker
        .publish("orders.created", Message::new("x"))
        .await
        .unwrap();
    let info = broker.stream_info("ORDERS").await.unwrap();
    assert_eq!(info.config.name, "ORDERS");
    assert_eq!(info.config.subjects, ["orders", "orders.>"]);
    assert_eq!(info.config.retention, stream::RetentionPolicy::Limits);
    assert_eq!(info.config.storage, stream::StorageType::Memory);
    assert_eq!(info.config.max_age, Duration::from_secs(3600));
    assert!(broker.stream_info("IGNORED").await.is_err());
}

#[tokio::test]
async fn pub_acks_carry_stream_sequence_and_duplicate() {
    let (_server, broker) = start().await;
    for expected in 1..=3 {
        let ack = broker
            .publish("orders.created", Message::new(format!("m{expected}")))
            .await
            .unwrap();
        assert_eq!(ack.stream, "ORDERS");
        assert_eq!(ack.sequence, expected);
        assert!(!ack.duplicate);
    }
    let with_id = || Message::new("once").with_header("Nats-Msg-Id", "order-42");
    let first = broker.publish("orders.created", with_id()).await.unwrap();
    let again = broker.publish("orders.created", with_id()).await.unwrap();
    assert!(!first.duplicate);
    assert!(again.duplicate);
    assert_eq!(again.sequence, first.sequence);
    assert_eq!(broker.metrics().published, 5);
}

#[tokio::test]
async fn publish_does_not_ask_for_stream_info_each_time() {
    let (_server, broker) = start().await;
    broker
        .publish("orders.created", Message::new("first"))
        .await
        .unwrap();
    let before = broker.account_info().await.unwrap().requests.total;
    for i in 0..50 {
        broker
            .publish("orders.created", Message::new(format!("{i}")))
            .await
            .unwrap();
    }
    let after = broker.account_info().await.unwrap().requests.total;
    // Only the second account-info request itself is counted in between.
    assert_eq!(
        after - before,
        1,
        "JetStream API requests during 50 publishes"
    );
}

#[tokio::test]
async fn an_existing_stream_that_does_not_cover_the_topic_is_named_in_the_error() {
    let (server, broker) = start().await;
    raw(&server)
        .await
        .create_stream(stream::Config {
            name: "ORDERS".into(),
            subjects: vec!["shop.orders.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let err = broker
        .publish("orders.created", Message::new("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PublishError::Stream(StreamError::NotCovering { stream, subjects, .. })
            if stream == "ORDERS" && subjects == &["shop.orders.>"]),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("ORDERS") && text.contains("shop.orders.>"),
        "{text}"
    );
    assert!(!text.contains("no responders"), "{text}");
}

#[tokio::test]
async fn subjects_held_by_another_stream_name_that_stream() {
    let (server, broker) = start().await;
    raw(&server)
        .await
        .create_stream(stream::Config {
            name: "LEGACY".into(),
            subjects: vec!["orders.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let err = broker
        .publish("orders.created", Message::new("x"))
        .await
        .unwrap_err();
    match &err {
        PublishError::Stream(StreamError::SubjectsOwned { stream, owner, .. }) => {
            assert_eq!(stream, "ORDERS");
            assert_eq!(owner, "LEGACY");
        }
        other => panic!("expected SubjectsOwned, got {other:?}"),
    }
    assert!(err.to_string().contains("LEGACY"), "{err}");
}

#[tokio::test]
async fn a_stream_deleted_behind_the_brokers_back_is_made_again() {
    let (server, broker) = start().await;
    broker
        .publish("orders.created", Message::new("1"))
        .await
        .unwrap();
    raw(&server).await.delete_stream("ORDERS").await.unwrap();
    let ack = broker
        .publish("orders.created", Message::new("2"))
        .await
        .unwrap();
    assert_eq!((ack.stream.as_str(), ack.sequence), ("ORDERS", 1));
}

#[tokio::test]
async fn bad_topics_are_refused_before_the_server() {
    let (_server, broker) = start().await;
    for topic in [
        "",
        "orders.*",
        "orders.>",
        "a..b",
        "has space",
        "$JS.API.INFO",
    ] {
        let err = broker.publish(topic, Message::new("x")).await.unwrap_err();
        assert!(
            matches!(err, PublishError::InvalidTopic(_)),
            "{topic:?}: {err:?}"
        );
    }
    assert_eq!(
        broker.stream_names(None).await.unwrap(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_body_over_max_payload_is_refused_with_both_sizes() {
    let (_server, broker) = start().await;
    let max = broker.server_info().unwrap().max_payload;
    let err = broker
        .publish("orders.created", Message::new(vec![b'x'; max + 1]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PublishError::TooLarge { size, max: m } if size == max + 1 && m == max),
        "{err:?}"
    );
}

#[tokio::test]
async fn ten_tasks_publish_at_once_into_one_stream() {
    let (_server, broker) = start().await;
    let tasks: Vec<_> = (0..10)
        .map(|t| {
            let broker = broker.clone();
            tokio::spawn(async move {
                let mut seqs = Vec::new();
                for i in 0..20 {
                    let ack = broker
                        .publish("load.test", Message::new(format!("{t}-{i}")))
                        .await
                        .unwrap();
                    seqs.push(ack.sequence);
                }
                seqs
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort_unstable();
    assert_eq!(all, (1..=200).collect::<Vec<u64>>());
    assert_eq!(broker.stream_names(None).await.unwrap(), ["LOAD"]);
    assert_eq!(
        broker.stream_info("LOAD").await.unwrap().state.messages,
        200
    );
    assert_eq!(broker.metrics().published, 200);
}
