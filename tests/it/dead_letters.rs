//! Dead letters against a real server: found from the capture stream, read back by
//! sequence, retried (copy, PubAck, then delete; deduplicated when repeated), moved in
//! bulk with exact counts, exported, and their timelines.

use std::time::Duration;

use async_nats::jetstream::stream;
use jetdeck::broker::{Broker, Message, StoredMessage, SubscribeOptions, Subscription};
use jetdeck::deadletters::{
    self, AdvisoryKind, CAPTURE_STREAM, CaptureConfig, Cause, DeadLetter, DeadLetterError,
    ExportRecord, Filter, HEADER_SEQUENCE, HEADER_STREAM, Step,
};
use tokio::sync::mpsc;

use crate::common::{broker_for, eventually, recv_n, start};

const WITHIN: Duration = Duration::from_secs(20);

async fn make_stream(
    broker: &Broker,
    name: &str,
    subject: &str,
    retention: stream::RetentionPolicy,
) {
    broker
        .create_stream(&stream::Config {
            name: name.to_string(),
            subjects: vec![subject.to_string()],
            retention,
            ..Default::default()
        })
        .await
        .expect("create stream");
}

async fn stream_messages(broker: &Broker, stream: &str) -> u64 {
    broker.stream_info(stream).await.unwrap().state.messages
}

fn filter(stream: &str) -> Filter {
    Filter {
        stream: Some(stream.to_string()),
        consumer: None,
    }
}

/// Waits until the capture stream lists `n` dead letters of `stream`.
async fn dead_letters(broker: &Broker, stream: &str, n: usize) -> Vec<DeadLetter> {
    eventually(WITHIN, &format!("{n} dead letters of {stream}"), || async {
        let got = deadletters::list(broker, &filter(stream), Some(CAPTURE_STREAM), &[])
            .await
            .unwrap();
        (got.len() == n).then_some(got)
    })
    .await
}

/// A consumer that fails every original (nak, up to max deliver 3) and acks retried
/// copies; every delivery goes to the receiver as (delivered, retried-from sequence).
async fn flaky(
    broker: &Broker,
    topic: &str,
) -> (Subscription, mpsc::UnboundedReceiver<(u64, Option<String>)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let sub = broker
        .subscribe(
            topic,
            move |event| {
                let from = event.message().header(HEADER_SEQUENCE).map(str::to_string);
                let _ = tx.send((event.delivery().delivered, from.clone()));
                async move {
                    match from {
                        Some(_) => Ok(()),
                        None => Err("always fails".into()),
                    }
                }
            },
            SubscribeOptions::queue("flaky").max_deliver(3),
        )
        .await
        .expect("subscribe");
    (sub, rx)
}

/// A consumer that terms everything with `reason`.
async fn terminator(broker: &Broker, topic: &str, reason: &'static str) -> Subscription {
    broker
        .subscribe(
            topic,
            move |event| async move {
                event.term(Some(reason)).await.unwrap();
                Ok(())
            },
            SubscribeOptions::queue("terminator"),
        )
        .await
        .expect("subscribe")
}

#[tokio::test]
async fn max_deliveries_are_listed_and_a_retry_is_delivered_once_and_never_doubled() {
    let (_server, broker) = start().await;
    deadletters::ensure_capture(&broker, &CaptureConfig::default())
        .await
        .unwrap();
    make_stream(
        &broker,
        "ORDERS",
        "orders.>",
        stream::RetentionPolicy::Limits,
    )
    .await;
    let (_sub, mut rx) = flaky(&broker, "orders.created").await;
    for body in ["order 1", "order 2"] {
        let m = Message::new(body).with_header("type", "order");
        broker.publish("orders.created", m).await.unwrap();
    }
    recv_n(&mut rx, 6, WITHIN).await;
    let letters = dead_letters(&broker, "ORDERS", 2).await;
    let first = &letters[0];
    assert_eq!((first.sequence, first.deliveries), (1, 3));
    assert_eq!(first.cause, Cause::MaxDeliveries);
    assert_eq!(first.consumer, "flaky");
    let original = first.original.as_ref().expect("still in the stream");
    assert_eq!(&original.body[..], b"order 1");
    assert_eq!(original.headers.get("type"), Some("order"));

    // No stream listens on the target: refused, and the original stays.
    let refused = deadletters::retry(&broker, first, Some("nowhere.at.all")).await;
    assert!(
        matches!(refused, Err(DeadLetterError::NoStreamFor { .. })),
        "{refused:?}"
    );
    assert!(broker.get_message("ORDERS", 1).await.is_ok());

    let done = deadletters::retry(&broker, first, None).await.unwrap();
    assert!(!done.duplicate);
    assert_eq!(done.copy_sequence, 3);
    // On the server: the copy is stored with where it came from; the original is gone.
    let copy = broker.get_message("ORDERS", 3).await.unwrap();
    assert_eq!(&copy.body[..], b"order 1");
    assert_eq!(copy.headers.get(HEADER_STREAM), Some("ORDERS"));
    assert_eq!(copy.headers.get(HEADER_SEQUENCE), Some("1"));
    assert_eq!(copy.headers.get("type"), Some("order"));
    assert!(broker.get_message("ORDERS", 1).await.is_err());
    // The consumer gets the copy once, as a first delivery.
    let got = recv_n(&mut rx, 1, WITHIN).await;
    assert_eq!(got[0], (1, Some("1".to_string())));

    // A crash between publish and delete: the copy is there, the original too. Running
    // the retry again stores no second copy and finishes the delete.
    let second = &letters[1];
    let stored = second.original.clone().unwrap();
    let mut again = Message::new(stored.body.clone());
    again.headers.append(HEADER_SEQUENCE, "2");
    again
        .headers
        .append("Nats-Msg-Id", deadletters::copy_msg_id(&stored));
    let crashed = broker.publish("orders.created", again).await.unwrap();
    let done = deadletters::retry(&broker, second, None).await.unwrap();
    assert!(done.duplicate, "{done:?}");
    assert_eq!(done.copy_sequence, crashed.sequence);
    assert!(broker.get_message("ORDERS", 2).await.is_err());
    // Originals 1 and 2 deleted; copies 3 and 4 only.
    assert_eq!(stream_messages(&broker, "ORDERS").await, 2);
    let listed = deadletters::list(&broker, &filter("ORDERS"), Some(CAPTURE_STREAM), &[])
        .await
        .unwrap();
    assert!(listed.iter().all(|l| !l.in_stream()));
}

#[tokio::test]
async fn a_term_keeps_the_original_on_limits_and_removes_it_on_workqueue() {
    let (_server, broker) = start().await;
    deadletters::ensure_capture(&broker, &CaptureConfig::default())
        .await
        .unwrap();
    make_stream(&broker, "LIM", "lim.>", stream::RetentionPolicy::Limits).await;
    make_stream(&broker, "WQ", "wq.>", stream::RetentionPolicy::WorkQueue).await;
    let _a = terminator(&broker, "lim.jobs", "malformed").await;
    let wq = terminator(&broker, "wq.jobs", "malformed").await;
    broker.publish("lim.jobs", Message::new("a")).await.unwrap();
    broker.publish("wq.jobs", Message::new("b")).await.unwrap();
    let kept = dead_letters(&broker, "LIM", 1).await;
    let gone = dead_letters(&broker, "WQ", 1).await;
    let reason = Cause::Terminated {
        reason: Some("malformed".to_string()),
    };
    assert_eq!(
        (kept[0].cause.clone(), kept[0].in_stream()),
        (reason.clone(), true)
    );
    assert_eq!(
        (gone[0].cause.clone(), gone[0].in_stream()),
        (reason, false)
    );
    assert_eq!(kept[0].subject(), Some("lim.jobs"));
    // Nothing to retry where the server removed it: said, and nothing done.
    let gone_retry = deadletters::retry(&broker, &gone[0], None).await;
    assert!(
        matches!(gone_retry, Err(DeadLetterError::Gone { .. })),
        "{gone_retry:?}"
    );
    // The console held the body: it can publish it again (once, however often asked).
    wq.unsubscribe().await.unwrap();
    let held = StoredMessage {
        stream: "WQ".to_string(),
        subject: "wq.jobs".to_string(),
        sequence: gone[0].sequence,
        headers: Default::default(),
        body: "b".into(),
        time: std::time::SystemTime::now(),
    };
    let first = deadletters::retry_held(&broker, &gone[0], &held, None)
        .await
        .unwrap();
    let again = deadletters::retry_held(&broker, &gone[0], &held, None)
        .await
        .unwrap();
    assert_eq!((first.duplicate, again.duplicate), (false, true));
    assert_eq!(stream_messages(&broker, "WQ").await, 1);
    let copy = broker.get_message("WQ", first.copy_sequence).await.unwrap();
    assert_eq!(&copy.body[..], b"b");
    // Discard deletes the kept one; a second discard says it is gone.
    deadletters::discard(&broker, &kept[0]).await.unwrap();
    assert_eq!(stream_messages(&broker, "LIM").await, 0);
    let twice = deadletters::discard(&broker, &kept[0]).await;
    assert!(
        matches!(twice, Err(DeadLetterError::Gone { .. })),
        "{twice:?}"
    );
}

#[tokio::test]
async fn the_capture_stream_lists_dead_letters_from_before_the_reader_started() {
    let (server, broker) = start().await;
    let made = deadletters::ensure_capture(&broker, &CaptureConfig::default())
        .await
        .unwrap();
    assert!(made.created);
    assert!(
        !deadletters::ensure_capture(&broker, &CaptureConfig::default())
            .await
            .unwrap()
            .created
    );
    make_stream(&broker, "LIM", "lim.>", stream::RetentionPolicy::Limits).await;
    let sub = terminator(&broker, "lim.jobs", "bad").await;
    broker
        .publish("lim.jobs", Message::new("early"))
        .await
        .unwrap();
    dead_letters(&broker, "LIM", 1).await;
    sub.unsubscribe().await.unwrap();
    broker.disconnect().await.unwrap();

    // A reader that saw none of it live.
    let later = broker_for(&server.url());
    later.connect().await.unwrap();
    assert!(
        deadletters::capture_exists(&later, CAPTURE_STREAM)
            .await
            .unwrap()
    );
    let letters = deadletters::list(&later, &Filter::default(), Some(CAPTURE_STREAM), &[])
        .await
        .unwrap();
    assert_eq!(letters.len(), 1);
    assert_eq!(&letters[0].original.as_ref().unwrap().body[..], b"early");
    // Reading left no consumer behind.
    assert!(
        later
            .list_consumers(CAPTURE_STREAM)
            .await
            .unwrap()
            .is_empty()
    );
    // Advisories the caller saw itself are merged (the same one is listed once).
    let seen = deadletters::read_capture(
        &later,
        CAPTURE_STREAM,
        &Filter::default(),
        &AdvisoryKind::ALL,
    )
    .await
    .unwrap();
    assert_eq!(seen[0].kind, AdvisoryKind::Terminated);
    let merged = deadletters::list(&later, &Filter::default(), None, &seen)
        .await
        .unwrap();
    assert_eq!(merged, letters);
}

#[tokio::test]
async fn an_export_carries_headers_and_binary_bodies_intact() {
    let (_server, broker) = start().await;
    deadletters::ensure_capture(&broker, &CaptureConfig::default())
        .await
        .unwrap();
    make_stream(&broker, "LIM", "lim.>", stream::RetentionPolicy::Limits).await;
    let _t = terminator(&broker, "lim.jobs", "bad bytes").await;
    let binary: &[u8] = &[0, 159, 146, 150, 255, b'\n'];
    let m = Message::new(binary.to_vec())
        .with_header("tag", "a")
        .with_header("tag", "b");
    broker.publish("lim.jobs", m).await.unwrap();
    broker
        .publish("lim.jobs", Message::new("plain text ✓"))
        .await
        .unwrap();
    let letters = dead_letters(&broker, "LIM", 2).await;
    let dir = tempfile::tempdir().unwrap();
    let path = deadletters::export(&letters, &dir.path().join("dead.jsonl")).unwrap();
    assert!(path.is_absolute());
    let text = std::fs::read_to_string(&path).unwrap();
    let records: Vec<ExportRecord> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].body_bytes().unwrap(), binary);
    assert_eq!(
        records[0].body_encoding,
        Some(deadletters::BodyEncoding::Base64)
    );
    assert_eq!(records[0].headers["tag"], ["a", "b"]);
    assert_eq!(records[0].reason.as_deref(), Some("bad bytes"));
    assert_eq!(records[0].subject.as_deref(), Some("lim.jobs"));
    assert_eq!(records[1].body.as_deref(), Some("plain text ✓"));
    assert_eq!(
        records[1].body_encoding,
        Some(deadletters::BodyEncoding::Utf8)
    );
    assert_eq!(
        (records[1].stream.as_str(), records[1].sequence),
        ("LIM", 2)
    );
}

#[tokio::test]
async fn a_bulk_retry_refused_midway_reports_exact_counts_and_loses_nothing() {
    let (_server, broker) = start().await;
    deadletters::ensure_capture(&broker, &CaptureConfig::default())
        .await
        .unwrap();
    make_stream(&broker, "SRC", "src.>", stream::RetentionPolicy::Limits).await;
    // The target takes 20 messages and then refuses new ones.
    broker
        .create_stream(&stream::Config {
            name: "DLQ".to_string(),
            subjects: vec!["dlq.>".to_string()],
            max_messages: 20,
            discard: stream::DiscardPolicy::New,
            ..Default::default()
        })
        .await
        .unwrap();
    let _t = terminator(&broker, "src.jobs", "poison").await;
    for i in 0..50 {
        broker
            .publish("src.jobs", Message::new(format!("job {i}")))
            .await
            .unwrap();
    }
    let letters = dead_letters(&broker, "SRC", 50).await;
    let mut seen = Vec::new();
    let report = deadletters::bulk(
        &letters,
        |letter| deadletters::retry(&broker, letter, Some("dlq.jobs")),
        |p| seen.push((p.finished, p.total)),
    )
    .await;
    assert_eq!(report.done.len(), 20);
    let (failed, why) = report.failed.as_ref().expect("the 21st is refused");
    assert_eq!(failed.sequence, 21);
    assert!(matches!(why, DeadLetterError::Publish { .. }), "{why}");
    assert_eq!(report.untouched.len(), 29);
    assert_eq!(report.untouched[0].sequence, 22);
    assert_eq!(seen.len(), 20);
    assert_eq!(seen.last(), Some(&(20, 50)));
    // On the server: 20 moved, 30 where they were, none lost, none doubled.
    assert_eq!(stream_messages(&broker, "DLQ").await, 20);
    assert_eq!(stream_messages(&broker, "SRC").await, 30);
    assert!(broker.get_message("SRC", 21).await.is_ok());
    assert!(
        report
            .summary("retried")
            .starts_with("20 retried, failed at SRC seq 21")
    );
}

#[tokio::test]
async fn the_timeline_of_a_message_naked_twice_then_acked_is_in_order() {
    let (_server, broker) = start().await;
    deadletters::ensure_capture(&broker, &CaptureConfig::default())
        .await
        .unwrap();
    make_stream(&broker, "LIM", "lim.>", stream::RetentionPolicy::Limits).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _sub = broker
        .subscribe(
            "lim.jobs",
            move |event| {
                let delivered = event.delivery().delivered;
                let _ = tx.send(delivered);
                async move {
                    if delivered < 3 {
                        Err("not yet".into())
                    } else {
                        Ok(())
                    }
                }
            },
            SubscribeOptions::queue("patient"),
        )
        .await
        .unwrap();
    broker.publish("lim.jobs", Message::new("x")).await.unwrap();
    assert_eq!(recv_n(&mut rx, 3, WITHIN).await, [1, 2, 3]);
    let steps = eventually(WITHIN, "published, two naks, acked", || async {
        let entries = deadletters::timeline(&broker, "LIM", 1, Some(CAPTURE_STREAM), &[])
            .await
            .unwrap();
        let steps: Vec<Step> = entries.into_iter().map(|e| e.step).collect();
        (steps.len() == 4 && steps[3] == Step::Acked).then_some(steps)
    })
    .await;
    assert_eq!(
        steps,
        [
            Step::Published {
                subject: "lim.jobs".to_string()
            },
            Step::Naked { deliveries: 1 },
            Step::Naked { deliveries: 2 },
            Step::Acked,
        ]
    );
}

/// `jetdeck dead-letters ...` run as a script runs it (no terminal), settings only from
/// the flags.
#[cfg(feature = "console")]
fn jetdeck(args: &[&str], log: &std::path::Path) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_jetdeck"));
    cmd.arg("dead-letters")
        .args(args)
        .arg("--log-file")
        .arg(log);
    cmd.env("XDG_CONFIG_HOME", "/nonexistent");
    for var in [
        "NATS_URL",
        "NATS_USER",
        "NATS_PASSWORD",
        "NATS_TOKEN",
        "NATS_CREDS",
        "NATS_NKEY",
        "NATS_CONTEXT",
    ] {
        cmd.env_remove(var);
    }
    cmd.stdin(std::process::Stdio::null());
    cmd.output().expect("run jetdeck")
}

#[cfg(feature = "console")]
#[tokio::test]
async fn the_command_lists_as_json_and_retries_only_with_yes() {
    let (server, broker) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("jetdeck.log");
    let url = server.url();
    let made = jetdeck(&["capture", "--server", &url, "--max-age", "1h"], &log);
    assert!(made.status.success(), "{made:?}");
    let text = String::from_utf8_lossy(&made.stdout);
    assert!(
        text.contains("Created capture stream JETDECK_ADVISORIES"),
        "{text}"
    );
    assert!(text.contains("max age: 3600s"), "{text}");
    make_stream(&broker, "LIM", "lim.>", stream::RetentionPolicy::Limits).await;
    let sub = terminator(&broker, "lim.jobs", "bad").await;
    for body in ["one", "two"] {
        broker
            .publish("lim.jobs", Message::new(body))
            .await
            .unwrap();
    }
    dead_letters(&broker, "LIM", 2).await;
    sub.unsubscribe().await.unwrap();

    let listed = jetdeck(
        &["list", "--server", &url, "--json", "--stream", "LIM"],
        &log,
    );
    assert!(listed.status.success(), "{listed:?}");
    let records: Vec<ExportRecord> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].body.as_deref(), Some("one"));
    assert_eq!(
        (records[0].cause.as_str(), records[0].reason.as_deref()),
        ("terminated", Some("bad"))
    );

    // Without --yes, and no terminal to ask: the plan is said, nothing is done, status 2.
    let unconfirmed = jetdeck(&["retry", "--server", &url, "--seq", "1"], &log);
    assert_eq!(unconfirmed.status.code(), Some(2), "{unconfirmed:?}");
    assert!(String::from_utf8_lossy(&unconfirmed.stderr).contains("Will retry"));
    assert_eq!(stream_messages(&broker, "LIM").await, 2);

    let retried = jetdeck(&["retry", "--server", &url, "--seq", "1", "--yes"], &log);
    assert!(retried.status.success(), "{retried:?}");
    assert_eq!(String::from_utf8_lossy(&retried.stdout).trim(), "1 retried");
    assert!(broker.get_message("LIM", 1).await.is_err());
    let copy = broker.get_message("LIM", 3).await.unwrap();
    assert_eq!(
        (&copy.body[..], copy.headers.get(HEADER_SEQUENCE)),
        (&b"one"[..], Some("1"))
    );

    // A target no stream listens on: status 1, the original kept.
    let refused = jetdeck(
        &[
            "move",
            "--server",
            &url,
            "--seq",
            "2",
            "--to",
            "nowhere.x",
            "--yes",
        ],
        &log,
    );
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
    let said = String::from_utf8_lossy(&refused.stdout);
    assert!(
        said.contains("0 moved, failed at LIM seq 2")
            && said.contains("no stream listens on nowhere.x"),
        "{said}"
    );
    assert!(broker.get_message("LIM", 2).await.is_ok());
}
