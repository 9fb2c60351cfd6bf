//! The subject tail against a real server: another client's messages in order, nothing
//! taken from JetStream, a slow reader costing a bounded batch and a drop count, and
//! answering and sending requests.

use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use jetdeck::broker::{TAIL_BATCH, TailBatch, TailError, TailedMessage, round_trip};

use crate::common::start;

const WITHIN: Duration = Duration::from_secs(10);

/// Reads batches until `n` messages (and drops) are accounted for.
async fn take(tail: &mut jetdeck::broker::Tail, n: u64) -> (Vec<TailedMessage>, u64) {
    let deadline = tokio::time::Instant::now() + WITHIN;
    let (mut got, mut dropped) = (Vec::new(), 0);
    while (got.len() as u64) + dropped < n {
        let batch: TailBatch = tokio::time::timeout_at(deadline, tail.next_batch())
            .await
            .unwrap_or_else(|_| panic!("{} of {n} after {WITHIN:?}: {got:?}", got.len()))
            .expect("tail ended");
        dropped += batch.dropped;
        got.extend(batch.messages);
    }
    (got, dropped)
}

#[tokio::test]
async fn the_tail_shows_another_clients_messages_in_order() {
    let (server, broker) = start().await;
    let mut tail = broker.tail("orders.*").await.expect("tail");
    let other = async_nats::connect(server.url()).await.unwrap();
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Trace", "t1");
    other
        .publish_with_headers("orders.eu", headers, "first".into())
        .await
        .unwrap();
    for n in 1..50 {
        other
            .publish(format!("orders.n{n}"), format!("m{n}").into())
            .await
            .unwrap();
    }
    other.publish("elsewhere", "no".into()).await.unwrap();
    other.flush().await.unwrap();
    let (got, dropped) = take(&mut tail, 50).await;
    assert_eq!(dropped, 0);
    assert_eq!(got[0].subject, "orders.eu");
    assert_eq!(got[0].headers.get("Trace"), Some("t1"));
    assert_eq!(got[0].payload, Bytes::from("first"));
    for (n, m) in got.iter().enumerate().skip(1) {
        assert_eq!(m.subject, format!("orders.n{n}"), "in order");
    }
    tail.stop().await;
}

#[tokio::test]
async fn the_tail_takes_nothing_from_jetstream() {
    let (server, broker) = start().await;
    let js = crate::common::raw(&server).await;
    js.create_stream(async_nats::jetstream::stream::Config {
        name: "JOBS".into(),
        subjects: vec!["jobs.>".into()],
        retention: async_nats::jetstream::stream::RetentionPolicy::WorkQueue,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut tail = broker.tail("jobs.>").await.expect("tail");
    for n in 0..5 {
        js.publish(format!("jobs.{n}"), "job".into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let (got, _) = take(&mut tail, 5).await;
    assert_eq!(got.len(), 5);
    let mut stream = js.get_stream("JOBS").await.unwrap();
    assert_eq!(
        stream.info().await.unwrap().state.messages,
        5,
        "all still queued"
    );
}

#[tokio::test]
async fn a_reader_that_stops_reading_costs_a_bounded_batch_and_a_drop_count() {
    let (server, broker) = start().await;
    let mut tail = broker.tail("fire.>").await.expect("tail");
    let other = async_nats::connect(server.url()).await.unwrap();
    let sent: u64 = 20_000;
    for n in 0..sent {
        other
            .publish(format!("fire.{n}"), "x".into())
            .await
            .unwrap();
    }
    other.flush().await.unwrap();
    // Nothing read while the firehose ran: at most the queue and one pending batch are
    // kept; the rest is counted, never lost silently.
    let (got, dropped) = take(&mut tail, sent).await;
    assert_eq!(
        got.len() as u64 + dropped,
        sent,
        "every message kept or counted"
    );
    assert!(
        dropped > 0 && got.len() >= TAIL_BATCH,
        "kept {} dropped {dropped}",
        got.len()
    );
    let mut last = None;
    for m in &got {
        let n: u64 = m.subject["fire.".len()..].parse().unwrap();
        assert!(last.is_none_or(|l| n > l), "kept in order");
        last = Some(n);
    }
}

#[tokio::test]
async fn a_reply_subject_is_answered_and_requests_show_answer_or_timeout() {
    let (server, broker) = start().await;
    let other = async_nats::connect(server.url()).await.unwrap();
    // Someone asks; the tail sees the reply subject and answers it.
    let mut tail = broker.tail("ask").await.expect("tail");
    let asking = tokio::spawn({
        let other = other.clone();
        async move { other.request("ask", "question?".into()).await }
    });
    let (got, _) = take(&mut tail, 1).await;
    let reply = got[0].reply.clone().expect("a reply subject");
    broker
        .answer(&reply, "answer!".into())
        .await
        .expect("answer");
    let answered = asking.await.unwrap().expect("the asker got it");
    assert_eq!(answered.payload, Bytes::from("answer!"));

    // The tail sends a request: a responder answers it.
    let mut service = other.subscribe("svc.time").await.unwrap();
    round_trip(&other).await.unwrap();
    let responder = tokio::spawn({
        let other = other.clone();
        async move {
            let m = service.next().await.unwrap();
            other
                .publish(m.reply.unwrap(), "noon".into())
                .await
                .unwrap();
            other.flush().await.unwrap();
        }
    });
    let answer = broker
        .request_reply("svc.time", "now?".into(), Duration::from_secs(5))
        .await
        .expect("answer");
    assert_eq!(answer.payload, Bytes::from("noon"));
    responder.await.unwrap();

    let none = broker
        .request_reply("svc.none", Bytes::new(), Duration::from_secs(5))
        .await;
    assert!(
        matches!(none, Err(TailError::NoResponders { .. })),
        "{none:?}"
    );
    // A listener that never answers: the timeout, in words.
    let silent = async_nats::connect(server.url()).await.unwrap();
    let _listening = silent.subscribe("svc.silent").await.unwrap();
    round_trip(&silent).await.unwrap();
    let timed = broker
        .request_reply("svc.silent", Bytes::new(), Duration::from_millis(200))
        .await;
    assert!(
        matches!(timed, Err(TailError::TimedOut { .. })),
        "{timed:?}"
    );
    assert!(timed.unwrap_err().to_string().contains("no answer within"));
}

/// The server refuses a subscription only on the side, and the subscription would stay
/// silent: the tail ends and says why.
#[tokio::test]
async fn a_subscription_the_server_refuses_ends_the_tail_with_the_refusal() {
    let (_server, url) = crate::common::subscribe_limited_server().await;
    let broker =
        jetdeck::broker::Broker::new(jetdeck::broker::BrokerOptions::default().addrs([url]));
    broker.connect().await.unwrap();
    let mut tail = broker.tail("orders.>").await.unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(10), tail.next_batch())
        .await
        .expect("the tail ends once the server refuses");
    assert!(ended.is_none(), "{ended:?}");
    let why = tail.refused().expect("the refusal kept");
    assert!(
        matches!(&why, jetdeck::broker::TailError::Denied { subject } if subject == "orders.>"),
        "{why:?}"
    );
    assert!(why.to_string().contains("permission denied"), "{why}");
}
