//! Browsing at the cost of the page (issue 14), against a real server: a page of 20
//! stored messages of a stream full of deleted sequences in at most 2 requests with
//! direct get (batched, 2.11+), at most 20 without, and no API error either way. Errors
//! are counted by the server (account info `api.errors`); requests by jetdeck itself, as
//! the server's `api.total` leaves out direct gets and successful `STREAM.MSG.GET`s.

use async_nats::jetstream::{self, stream};

use jetdeck::broker::{Broker, StoredMessage};

use crate::common::{raw, start};

/// Stored messages a page shows.
const PAGE: usize = 20;

/// What the server and jetdeck counted between two points.
struct Cost {
    /// What the server's `api.total` grew by (its own account of the requests).
    server_total: u64,
    server_errors: u64,
    /// Requests jetdeck sent (its own counter: direct gets too, which the server's
    /// API totals leave out).
    sent: u64,
}

async fn totals(broker: &Broker) -> (u64, u64, u64) {
    let api = broker.account_info().await.unwrap().requests;
    (api.total, api.errors, broker.metrics().api_requests)
}

/// The cost of `read`, less the account info asked to measure it.
async fn measure<T>(broker: &Broker, read: impl std::future::Future<Output = T>) -> (T, Cost) {
    let before = totals(broker).await;
    let value = read.await;
    let after = totals(broker).await;
    let cost = Cost {
        // The account info asked for `before` is counted in `after`.
        server_total: after.0 - before.0 - 1,
        server_errors: after.1 - before.1,
        sent: after.2 - before.2 - 1,
    };
    (value, cost)
}

/// Stream `name` on `<name>.>` as a WorkQueue leaves it: 200 messages, only every
/// fourth one stored (the rest acked away, here deleted), and a run of 14 gone before
/// sequence 101; bodies of `size` bytes. Returns the stored sequences.
async fn gapped(js: &jetstream::Context, name: &str, direct: bool, size: usize) -> Vec<u64> {
    let s = js
        .create_stream(stream::Config {
            name: name.into(),
            subjects: vec![format!("{}.>", name.to_lowercase())],
            allow_direct: direct,
            ..Default::default()
        })
        .await
        .unwrap();
    let body = "x".repeat(size);
    for _ in 1..=200u64 {
        let subject = format!("{}.job", name.to_lowercase());
        js.publish(subject, body.clone().into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    let stored = |seq: u64| seq % 4 == 1 && !(87..=100).contains(&seq);
    for seq in (1..=200).filter(|s| !stored(*s)) {
        s.delete_message(seq).await.unwrap();
    }
    (1..=200).filter(|s| stored(*s)).collect()
}

fn sequences(messages: &[StoredMessage]) -> Vec<u64> {
    messages.iter().map(|m| m.sequence).collect()
}

/// Reads the page at `from` as the console's browser does: the last stored sequence
/// first when reading one at a time (the stream's last is a deleted one here; the
/// console knows its subjects from the info it shows, so asks only the last message).
async fn page(broker: &Broker, stream: &str, from: u64, direct: bool) -> Vec<StoredMessage> {
    let batched = direct
        && broker
            .server_version()
            .is_ok_and(|v| v.supports_batched_direct_get());
    let last = match batched {
        true => 200,
        false => {
            let info = broker.stream_info(stream).await.unwrap();
            let subject = jetdeck::broker::last_stored_subject(&info).to_string();
            broker.last_stored(stream, &subject).await.unwrap().unwrap()
        }
    };
    broker
        .read_window(stream, None, from, last, PAGE, direct)
        .await
        .unwrap()
}

#[tokio::test]
async fn without_direct_get_a_page_is_a_request_per_stored_message_and_no_api_error() {
    let (server, broker) = start().await;
    let stored = gapped(&raw(&server).await, "GAPS", false, 16).await;

    // From the first sequence, as the browser opens: 50 messages are stored, so 20 reads
    // cannot pass the end, and the end need not be asked.
    let first = measure(
        &broker,
        broker.read_window("GAPS", None, 1, 200, PAGE, false),
    );
    let (read, cost) = first.await;
    assert_eq!(sequences(&read.unwrap()), stored[..PAGE]);
    assert_eq!(cost.sent, PAGE as u64, "one request per stored message");
    assert!(cost.server_total <= cost.sent);
    assert_eq!(cost.server_errors, 0, "deleted sequences cost nothing");

    // A page not reached by turning pages (a jump): the last stored sequence first.
    let (read, cost) = measure(&broker, page(&broker, "GAPS", 1, false)).await;
    assert_eq!(sequences(&read), stored[..PAGE]);
    // The info (the console has it already), the last stored sequence, one per message.
    assert_eq!(cost.sent, 2 + PAGE as u64);
    assert_eq!(cost.server_errors, 0);

    // The end of the stream: its last sequence (200) is deleted; nothing reads past 197.
    let (read, cost) = measure(&broker, page(&broker, "GAPS", 150, false)).await;
    assert_eq!(read.last().map(|m| m.sequence), Some(197));
    assert_eq!(sequences(&read), stored[stored.len() - 12..]);
    assert_eq!(cost.sent, 2 + 12);
    assert_eq!(
        cost.server_errors, 0,
        "no read past the last stored message"
    );
}

#[tokio::test]
async fn with_direct_get_a_page_is_one_batched_request_and_no_api_error() {
    let (server, broker) = start().await;
    let stored = gapped(&raw(&server).await, "DIRECT", true, 16).await;
    let batched = broker
        .server_version()
        .unwrap()
        .supports_batched_direct_get();

    let (read, cost) = measure(&broker, page(&broker, "DIRECT", 1, true)).await;
    assert_eq!(sequences(&read), stored[..PAGE]);
    assert_eq!(cost.server_errors, 0);
    assert_eq!(read[0].body.len(), 16);
    assert_eq!(read[0].subject, "direct.job");
    assert!(read[0].headers.is_empty(), "{:?}", read[0].headers);
    if batched {
        assert_eq!(cost.sent, 1, "one batched direct get");
        assert_eq!(
            cost.server_total, 0,
            "direct gets bypass the API's accounting"
        );
    } else {
        // 2.10: no batches; one STREAM.MSG.GET per message, the last stored found first.
        assert_eq!(cost.sent, 2 + PAGE as u64);
        assert!(cost.server_total <= cost.sent);
    }

    // The end: the batch stops at the stream's end, whatever `last` allows.
    let (read, cost) = measure(&broker, page(&broker, "DIRECT", 150, true)).await;
    assert_eq!(sequences(&read), stored[stored.len() - 12..]);
    assert_eq!(cost.server_errors, 0);
    if batched {
        assert_eq!(cost.sent, 1);
    }
    // Past the last stored message: nothing, and still no error.
    if batched {
        let (read, cost) = measure(&broker, page(&broker, "DIRECT", 198, true)).await;
        assert!(read.is_empty());
        assert_eq!((cost.sent, cost.server_errors), (1, 0));
    }
}

#[tokio::test]
async fn a_page_of_large_messages_takes_at_most_two_batches() {
    let (server, broker) = start().await;
    // 100 KB bodies: a 1 MiB batch holds 11 of them, so a page of 20 takes two.
    let stored = gapped(&raw(&server).await, "BIG", true, 100 * 1024).await;
    let (read, cost) = measure(&broker, page(&broker, "BIG", 1, true)).await;
    assert_eq!(sequences(&read), stored[..PAGE]);
    assert!(read.iter().all(|m| m.body.len() == 100 * 1024));
    assert_eq!(cost.server_errors, 0);
    if broker
        .server_version()
        .unwrap()
        .supports_batched_direct_get()
    {
        assert_eq!(cost.sent, 2, "one batch cut at 1 MiB, then the rest");
    }
}

#[tokio::test]
async fn a_subject_filter_reads_the_same_with_direct_get_and_without() {
    let (server, broker) = start().await;
    let js = raw(&server).await;
    for (name, direct) in [("PLAIN", false), ("FAST", true)] {
        js.create_stream(stream::Config {
            name: name.into(),
            subjects: vec![format!("{}.>", name.to_lowercase())],
            allow_direct: direct,
            ..Default::default()
        })
        .await
        .unwrap();
        for n in 0..60 {
            let kind = ["a", "b", "c"][n % 3];
            let subject = format!("{}.{kind}", name.to_lowercase());
            js.publish(subject, format!("{n}").into())
                .await
                .unwrap()
                .await
                .unwrap();
        }
    }
    let mut seen = Vec::new();
    for name in ["PLAIN", "FAST"] {
        let subject = format!("{}.b", name.to_lowercase());
        let (read, cost) = measure(&broker, async {
            let w = broker
                .browse_window(name, Some(&subject), None)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(w.direct, name == "FAST");
            broker
                .read_window(name, Some(&subject), w.first, w.last, PAGE, w.direct)
                .await
                .unwrap()
        })
        .await;
        assert_eq!(cost.server_errors, 0, "{name}");
        assert!(read.iter().all(|m| m.subject == subject), "{name}");
        seen.push(sequences(&read));
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(
        seen[0],
        (1..=60).filter(|s| s % 3 == 2).collect::<Vec<u64>>()
    );
}

/// The browser on the real console: runs of deleted sequences are one row each, pages
/// turn past them, the end of the stream (its last sequence deleted) shows as a run too,
/// and the server counts no API error for any of it; with direct get and without.
#[cfg(feature = "console")]
#[tokio::test(flavor = "multi_thread")]
async fn the_browser_shows_runs_of_deleted_sequences_and_costs_no_api_error() {
    use std::time::Duration;
    const WAIT: Duration = Duration::from_secs(5);
    let server = jetdeck::server::NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    gapped(&js, "GAPS", false, 16).await;
    gapped(&js, "QUICK", true, 16).await;
    let errors = js.query_account().await.unwrap().requests.errors;

    let mut console = crate::pty::Console::start(&["--server", &server.url()]);
    console.wait_for(Duration::from_secs(10), "the streams", |s| {
        s.contains("GAPS") && s.contains("QUICK")
    });
    for name in ["GAPS", "QUICK"] {
        if name == "QUICK" {
            console.press("j");
        }
        console.press("b");
        let first = console.wait_for(WAIT, "the first page", |s| {
            s.contains(&format!("Browse {name}")) && s.contains("sequences 1–77")
        });
        assert!(first.contains("… 3 deleted"), "{first}");
        console.press("n");
        let second = console.wait_for(WAIT, "the second page", |s| s.contains("… 15 deleted"));
        assert!(second.contains("sequences 78–"), "{second}");
        console.press("G");
        let last = console.wait_for(WAIT, "the last page", |s| {
            s.contains("sequences 181–200") && s.contains("198–200")
        });
        assert!(last.contains("197"), "{last}");
        console.press("\x1b");
        console.wait_for(WAIT, "the browser closed", |s| !s.contains("Browse "));
    }
    let now = js.query_account().await.unwrap().requests.errors;
    assert_eq!(now, errors, "API errors on the server while browsing");
}
