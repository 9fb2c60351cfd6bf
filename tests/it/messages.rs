//! Messages as things to act on (issue 13), against a real server: filtered reads as
//! `nats stream view --subject --since` does them (and no API errors for it), the last
//! message of a subject, delete and erase read back.

use std::time::Duration;

use async_nats::jetstream::{self, stream};

use jetdeck::broker::{ApiErrorKind, Broker};

use crate::common::start;

/// Stream MIX on `mix.>`: 30 messages, subjects round-robin `mix.a`, `mix.b`, `mix.c`
/// (seq 1 is a, 2 b, 3 c, 4 a ...), bodies `m<seq>`.
async fn interleaved(js: &jetstream::Context) -> stream::Stream {
    let s = js
        .create_stream(stream::Config {
            name: "MIX".into(),
            subjects: vec!["mix.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    for seq in 1..=30u64 {
        let subject = ["mix.a", "mix.b", "mix.c"][((seq - 1) % 3) as usize];
        js.publish(subject, format!("m{seq}").into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    s
}

async fn api_errors(broker: &Broker) -> u64 {
    broker.account_info().await.unwrap().requests.errors
}

/// Reads every page of the window, as the browser's `n` does.
async fn read_all(
    broker: &Broker,
    subject: Option<&str>,
    since: Option<std::time::SystemTime>,
) -> Vec<(u64, String)> {
    let Some(w) = broker.browse_window("MIX", subject, since).await.unwrap() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut from = w.first;
    loop {
        let page = broker
            .read_window("MIX", subject, from, w.last, 4, w.direct)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        from = last.sequence + 1;
        out.extend(page.iter().map(|m| (m.sequence, m.subject.clone())));
        if last.sequence == w.last {
            break;
        }
    }
    out
}

#[tokio::test]
async fn a_subject_filter_reads_only_that_subject_and_costs_no_api_errors() {
    let (server, broker) = start().await;
    let js = crate::common::raw(&server).await;
    let s = interleaved(&js).await;
    // A gap inside the window: next_by_subj steps over it.
    s.delete_message(4).await.unwrap();
    let before = api_errors(&broker).await;

    let b = read_all(&broker, Some("mix.b"), None).await;
    let want: Vec<u64> = (1..=30).filter(|s| s % 3 == 2).collect();
    assert_eq!(b.iter().map(|(s, _)| *s).collect::<Vec<_>>(), want);
    assert!(b.iter().all(|(_, subject)| subject == "mix.b"), "{b:?}");

    let a = read_all(&broker, Some("mix.a"), None).await;
    assert!(
        !a.iter().any(|(s, _)| *s == 4),
        "the deleted one is not read"
    );
    assert_eq!(a.len(), 9);

    // Wildcards, and a subject the stream does not hold: nothing, asked without error.
    let star = read_all(&broker, Some("mix.*"), None).await;
    assert_eq!(star.len(), 29);
    assert!(read_all(&broker, Some("mix.none"), None).await.is_empty());
    let w = broker
        .browse_window("MIX", Some("mix.b"), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((w.first, w.last, w.count), (2, 29, Some(10)));

    assert_eq!(
        api_errors(&broker).await,
        before,
        "filtered reads never ask past the last match"
    );
    // The count this checks does move: a read past the end is an error to the server.
    assert!(
        broker
            .get_next_message("MIX", 31, "mix.b")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(api_errors(&broker).await, before + 1);
}

#[tokio::test]
async fn since_starts_at_the_first_message_stored_at_or_after_the_time() {
    let (server, broker) = start().await;
    let js = crate::common::raw(&server).await;
    interleaved(&js).await;
    let before = api_errors(&broker).await;
    // The server's own timestamps, to the nanosecond: from seq 17's time on.
    let t17 = broker.get_message("MIX", 17).await.unwrap().time;
    let from_17 = read_all(&broker, None, Some(t17)).await;
    assert_eq!(from_17.first().map(|r| r.0), Some(17), "{from_17:?}");
    assert_eq!(from_17.len(), 14);
    // With a subject too: seq 17 is mix.b, so mix.c starts at 18.
    let c = read_all(&broker, Some("mix.c"), Some(t17)).await;
    assert_eq!(c.first().map(|r| r.0), Some(18));
    assert!(c.iter().all(|(_, s)| s == "mix.c"));
    // After the last message: nothing, said without reading past the end.
    let later = broker.get_message("MIX", 30).await.unwrap().time + Duration::from_secs(1);
    assert!(
        broker
            .browse_window("MIX", None, Some(later))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(api_errors(&broker).await, before);
}

#[tokio::test]
async fn last_of_a_subject_is_its_newest_message() {
    let (server, broker) = start().await;
    let js = crate::common::raw(&server).await;
    interleaved(&js).await;
    let before = api_errors(&broker).await;
    let last = broker
        .last_message_on("MIX", "mix.a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((last.sequence, last.subject.as_str()), (28, "mix.a"));
    assert_eq!(&last.body[..], b"m28");
    let any = broker
        .last_message_on("MIX", "mix.>")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(any.sequence, 30);
    assert!(
        broker
            .last_message_on("MIX", "mix.zz")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(api_errors(&broker).await, before);
}

#[tokio::test]
async fn delete_and_erase_remove_exactly_that_sequence() {
    let (server, broker) = start().await;
    let js = crate::common::raw(&server).await;
    let s = interleaved(&js).await;
    broker.delete_message("MIX", 5, false).await.unwrap();
    broker.delete_message("MIX", 6, true).await.unwrap();
    for seq in [5, 6] {
        let e = s.get_raw_message(seq).await.expect_err("gone");
        assert!(e.to_string().contains("no message found"), "{e}");
        let e = broker.get_message("MIX", seq).await.unwrap_err();
        assert_eq!(e.kind(), ApiErrorKind::MessageNotFound);
    }
    for seq in [4, 7] {
        assert!(s.get_raw_message(seq).await.is_ok(), "seq {seq} stays");
    }
    let info = broker.stream_info("MIX").await.unwrap();
    assert_eq!(info.state.messages, 28);
}
