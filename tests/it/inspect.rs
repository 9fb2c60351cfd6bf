//! The inspection calls the console needs, against real servers.

use async_nats::jetstream::{consumer, stream};
use futures::future::try_join_all;
use jetdeck::broker::{ApiError, ApiErrorKind, Message, PublishError};
use jetdeck::server::{NatsServer, ServerOptions};

use crate::common::{broker_for, raw, start};

#[tokio::test]
async fn listing_walks_every_page_of_300_streams_and_300_consumers() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    // Created in chunks so the single test server is not flooded.
    for chunk in (0..300).collect::<Vec<_>>().chunks(50) {
        try_join_all(chunk.iter().map(|i| {
            let js = js.clone();
            async move {
                js.create_stream(stream::Config {
                    name: format!("S{i:03}"),
                    subjects: vec![format!("s{i:03}.>")],
                    storage: stream::StorageType::Memory,
                    ..Default::default()
                })
                .await
            }
        }))
        .await
        .unwrap();
    }
    let streams = broker.list_streams().await.unwrap();
    assert_eq!(streams.len(), 300);
    let names: Vec<_> = streams.iter().map(|s| s.config.name.clone()).collect();
    let expected: Vec<_> = (0..300).map(|i| format!("S{i:03}")).collect();
    assert_eq!(names, expected, "all pages, sorted by name");
    assert_eq!(broker.stream_names(None).await.unwrap(), expected);
    assert_eq!(broker.stream_names(Some("s042.x")).await.unwrap(), ["S042"]);

    let s = js.get_stream("S000").await.unwrap();
    for chunk in (0..300).collect::<Vec<_>>().chunks(50) {
        try_join_all(chunk.iter().map(|i| {
            let s = s.clone();
            async move {
                s.create_consumer(consumer::pull::Config {
                    durable_name: Some(format!("c{i:03}")),
                    ..Default::default()
                })
                .await
            }
        }))
        .await
        .unwrap();
    }
    let consumers = broker.list_consumers("S000").await.unwrap();
    let names: Vec<_> = consumers.iter().map(|c| c.name.clone()).collect();
    let expected: Vec<_> = (0..300).map(|i| format!("c{i:03}")).collect();
    assert_eq!(names, expected);
    assert_eq!(broker.account_info().await.unwrap().streams, 300);
    assert_eq!(broker.account_info().await.unwrap().consumers, 300);
}

#[tokio::test]
async fn reading_a_workqueue_stream_by_sequence_consumes_nothing() {
    let (_server, broker) = start().await;
    for i in 1..=3 {
        broker
            .publish(
                "orders.created",
                Message::new(format!("order {i}"))
                    .with_header("tag", "a")
                    .with_header("tag", "b"),
            )
            .await
            .unwrap();
    }
    let m = broker.get_message("ORDERS", 2).await.unwrap();
    assert_eq!(m.sequence, 2);
    assert_eq!(m.subject, "orders.created");
    assert_eq!(&m.body[..], b"order 2");
    assert_eq!(m.headers.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
    assert!(m.time.elapsed().unwrap().as_secs() < 60);
    let info = broker.stream_info("ORDERS").await.unwrap();
    assert_eq!(info.state.messages, 3);
    assert_eq!(info.state.consumer_count, 0);

    let missing = broker.get_message("ORDERS", 99).await.unwrap_err();
    assert_eq!(missing.kind(), ApiErrorKind::MessageNotFound, "{missing:?}");
    assert_eq!(missing.err_code(), Some(10037));
}

#[tokio::test]
async fn consumer_info_and_delete_with_typed_not_found_errors() {
    let (_server, broker) = start().await;
    let sub = broker
        .subscribe(
            "orders.created",
            |_| async { Ok(()) },
            jetdeck::broker::SubscribeOptions::queue("to-delete"),
        )
        .await
        .unwrap();
    sub.unsubscribe().await.unwrap();
    let info = broker.consumer_info("ORDERS", "to-delete").await.unwrap();
    assert_eq!(info.name, "to-delete");
    broker.delete_consumer("ORDERS", "to-delete").await.unwrap();

    let gone = broker
        .consumer_info("ORDERS", "to-delete")
        .await
        .unwrap_err();
    assert_eq!(gone.kind(), ApiErrorKind::ConsumerNotFound);
    assert_eq!(gone.err_code(), Some(10014));
    let again = broker
        .delete_consumer("ORDERS", "to-delete")
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ApiErrorKind::ConsumerNotFound);
    assert!(again.to_string().contains("consumer not found"), "{again}");

    let no_stream = broker.stream_info("NOPE").await.unwrap_err();
    assert_eq!(no_stream.kind(), ApiErrorKind::StreamNotFound);
    assert_eq!(no_stream.err_code(), Some(10059));
    assert!(no_stream.to_string().contains("10059"), "{no_stream}");
    assert_eq!(
        broker.list_consumers("NOPE").await.unwrap_err().kind(),
        ApiErrorKind::StreamNotFound
    );
}

#[tokio::test]
async fn inspection_before_connect_says_not_connected() {
    let broker = broker_for("nats://127.0.0.1:4222");
    let err = broker.list_streams().await.unwrap_err();
    assert!(matches!(err, ApiError::NotConnected));
    assert!(err.to_string().contains("not connected"));
}

#[tokio::test]
async fn a_server_without_jetstream_is_reported_as_such() {
    let server = NatsServer::start_with(ServerOptions {
        no_jetstream: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let broker = broker_for(&server.url());
    broker.connect().await.unwrap();
    let err = broker.account_info().await.unwrap_err();
    assert_eq!(err.kind(), ApiErrorKind::NoJetStream, "{err:?}");
    assert!(err.to_string().contains("JetStream"), "{err}");
    let err = broker
        .publish("orders.created", Message::new("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PublishError::Stream(e) if e.api().map(ApiError::kind) == Some(ApiErrorKind::NoJetStream)),
        "{err:?}"
    );
}
