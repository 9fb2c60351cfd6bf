//! Operator actions end to end: the real binary in a pseudo-terminal, a real server, and a
//! separate client checking what the server really did.

use std::time::{Duration, Instant};

use async_nats::jetstream::{consumer, stream};
use jetdeck::broker::Message;
use jetdeck::server::NatsServer;

use crate::common::{broker_for, eventually, raw, work_stream};
use crate::pty::{Console, any_line, delivery_of, row_of};

const SCREEN: Duration = Duration::from_secs(5);

async fn console_on(server: &NatsServer) -> Console {
    let console = Console::start(&["--server", &server.url(), "--refresh", "300ms"]);
    console.wait_for(Duration::from_secs(10), "connected", |s| {
        s.contains("● connected")
    });
    console
}

#[tokio::test(flavor = "multi_thread")]
async fn publishing_three_through_the_form() {
    let server = NatsServer::start().await.unwrap();
    let mut console = console_on(&server).await;
    console.press("p");
    console.wait_for(SCREEN, "the form", |s| s.contains(" Publish "));
    // Subject, headers, body, count.
    console.press("orders.created\t");
    console.press("type: order; tag: a; tag: b\t");
    console.press("order {n}\t");
    console.press("\x7f3\r");
    // No stream listens yet: the console offers one and waits for a yes.
    console.wait_for(SCREEN, "the offer of a stream", |s| {
        s.contains("Create stream ORDERS on orders, orders.>")
            && s.contains("WorkQueue retention, File storage, 1 replica, no limits")
    });
    console.press("y");
    console.wait_for(SCREEN, "the PubAck", |s| {
        s.contains("published 3 messages to ORDERS, last at sequence 3")
    });
    console.wait_for(SCREEN, "3 messages in the streams pane", |s| {
        any_line(s, &["ORDERS", "orders,", "orders.>", "WorkQueue"])
            && any_line(s, &["WorkQueue", "File", "1", "3"])
    });
    let broker = broker_for(&server.url());
    broker.connect().await.unwrap();
    assert_eq!(
        broker.get_message("ORDERS", 2).await.unwrap().body,
        "order 2"
    );
    let m = broker.get_message("ORDERS", 3).await.unwrap();
    assert_eq!(m.headers.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(m.headers.get("type"), Some("order"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_subject_is_refused_in_the_form_and_nothing_is_published() {
    let server = NatsServer::start().await.unwrap();
    let mut console = console_on(&server).await;
    console.press("p");
    console.wait_for(SCREEN, "the form", |s| s.contains(" Publish "));
    console.press("orders.*\t\tx\r");
    console.wait_for(SCREEN, "the field's message", |s| {
        s.contains("topic cannot contain the wildcard '*'")
    });
    console.press("\x1b");
    console.wait_for(SCREEN, "the form closed", |s| {
        s.contains("publish cancelled")
    });
    let names = broker_names(&server).await;
    assert!(names.is_empty(), "nothing was published: {names:?}");
}

async fn broker_names(server: &NatsServer) -> Vec<String> {
    let broker = broker_for(&server.url());
    broker.connect().await.unwrap();
    broker.stream_names(None).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn manual_pull_nak_ack_delay_ack_wait_and_term() {
    let server = NatsServer::start().await.unwrap();
    let js = work_stream(&server, Duration::from_secs(2)).await;
    let work = js.get_stream("WORK").await.unwrap();
    let publish = |n: u32| {
        let js = js.clone();
        async move {
            js.publish(format!("work.job{n}"), format!("job {n}").into())
                .await
                .unwrap()
                .await
                .unwrap()
        }
    };
    publish(1).await;

    let mut console = console_on(&server).await;
    console.wait_for(SCREEN, "the consumer", |s| any_line(s, &["ops", ">"]));
    console.press("\t");
    console.press("s");
    console.wait_for(SCREEN, "attached", |s| {
        s.contains("attached to WORK/ops (manual)")
    });

    // Pull, nak: it comes back with delivery count 2; ack it: nothing pending on the server.
    console.press("f");
    console.wait_for(SCREEN, "job 1 held", |s| {
        delivery_of(s, "work.job1") == Some(1)
    });
    console.press("n");
    console.wait_for(SCREEN, "the nak", |s| s.contains("nak sent for sequence 1"));
    // The nak is on its way; the next pulls bring the message back.
    pull_until(&mut console, "work.job1", 2);
    console.press("a");
    console.wait_for(SCREEN, "the ack", |s| acked(s, "work.job1"));
    eventually(SCREEN, "ack pending 0 on the server", || async {
        let info = work.clone().consumer_info("ops").await.ok()?;
        (info.num_ack_pending == 0 && info.ack_floor.stream_sequence == 1).then_some(())
    })
    .await;

    // Nak with a 2 s delay: it returns no sooner.
    publish(2).await;
    console.press("f");
    console.wait_for(SCREEN, "job 2 held", |s| {
        delivery_of(s, "work.job2") == Some(1)
    });
    console.press("N");
    console.wait_for(SCREEN, "the delay prompt", |s| {
        s.contains("redeliver after")
    });
    console.press("2s\r");
    console.wait_for(SCREEN, "the delayed nak", |s| {
        s.contains("nak'd, back in 2s")
    });
    let naked = Instant::now();
    pull_until(&mut console, "work.job2", 2);
    let waited = naked.elapsed();
    assert!(
        waited >= Duration::from_millis(1800),
        "returned after {waited:?}"
    );
    console.press("a");
    console.wait_for(SCREEN, "the ack", |s| acked(s, "work.job2"));

    // Held past its ack wait: marked, then redelivered.
    publish(3).await;
    console.press("f");
    console.wait_for(SCREEN, "job 3 held", |s| {
        delivery_of(s, "work.job3") == Some(1)
    });
    console.wait_for(SCREEN, "the deadline passing", |s| {
        s.contains("will be redelivered")
    });
    pull_until(&mut console, "work.job3", 2);

    // Term it: the MSG_TERMINATED advisory shows in the events pane.
    console.press("t");
    console.wait_for(SCREEN, "the reason prompt", |s| s.contains("Term, reason"));
    console.press("malformed job\r");
    console.wait_for(SCREEN, "termed", |s| s.contains("termed"));
    console.wait_for(SCREEN, "the advisory", |s| {
        s.contains("MSG_TERMINATED") && s.contains("reason: malformed job")
    });
    console.press("q");
    assert_eq!(console.exit_code(Duration::from_secs(10)), 0);
}

fn acked(screen: &str, subject: &str) -> bool {
    row_of(screen, subject).is_some_and(|row| row.contains("acked"))
}

/// Presses `f` until `subject` shows with delivery count `delivered` (a pull may come
/// back empty while the message is not due yet).
fn pull_until(console: &mut Console, subject: &str, delivered: u64) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        console.press("f");
        let text = console.wait_for(SCREEN, "a pull result", |s| {
            delivery_of(s, subject) == Some(delivered) || s.contains("nothing to pull")
        });
        if delivery_of(&text, subject) == Some(delivered) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no {subject} delivery {delivered}:\n{text}"
        );
        // Let this pull's answer settle before asking again.
        std::thread::sleep(Duration::from_millis(400));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn browsing_a_workqueue_stream_consumes_nothing() {
    let server = NatsServer::start().await.unwrap();
    let broker = broker_for(&server.url());
    broker.connect().await.unwrap();
    for i in 1..=3 {
        broker
            .publish(
                "orders.created",
                Message::new(format!(r#"{{"order":{i}}}"#)),
            )
            .await
            .unwrap();
    }
    let mut console = console_on(&server).await;
    console.wait_for(SCREEN, "ORDERS", |s| {
        any_line(s, &["ORDERS", "orders,", "orders.>"])
    });
    console.press("b");
    console.wait_for(SCREEN, "the browser", |s| {
        s.contains("Browse ORDERS") && any_line(s, &["3", "orders.created"])
    });
    console.press("j\r");
    console.wait_for(SCREEN, "message 2 opened", |s| {
        s.contains("ORDERS sequence 2") && s.contains("Body (JSON") && s.contains("\"order\": 2")
    });
    console.press("\x1b");
    console.wait_for(SCREEN, "back in the browser", |s| {
        s.contains("Browse ORDERS")
    });
    console.press("\x1b");
    let info = broker.stream_info("ORDERS").await.unwrap();
    assert_eq!(info.state.messages, 3, "nothing consumed");
    assert_eq!(info.state.consumer_count, 0, "no consumer made");
    console.press("q");
    assert_eq!(console.exit_code(Duration::from_secs(10)), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_is_deleted_after_y_and_not_after_n() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    let s = js
        .create_stream(stream::Config {
            name: "JOBS".into(),
            subjects: vec!["jobs.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    s.create_consumer(consumer::pull::Config {
        durable_name: Some("doomed".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let mut console = console_on(&server).await;
    console.wait_for(SCREEN, "the consumer", |s| any_line(s, &["doomed", ">"]));
    console.press("\td");
    console.wait_for(SCREEN, "the confirmation", |s| {
        s.contains("Delete durable consumer doomed of stream JOBS?")
    });
    console.press("n");
    console.wait_for(SCREEN, "kept", |s| s.contains("kept consumer doomed"));
    assert!(
        s.clone().consumer_info("doomed").await.is_ok(),
        "n keeps it"
    );
    console.press("d");
    console.wait_for(SCREEN, "the confirmation", |s| {
        s.contains("Delete durable consumer doomed")
    });
    console.press("y");
    console.wait_for(SCREEN, "deleted", |s| {
        s.contains("deleted consumer doomed of JOBS")
    });
    assert!(
        s.clone().consumer_info("doomed").await.is_err(),
        "y deletes it"
    );
    console.wait_for(SCREEN, "gone from the pane", |s| {
        !any_line(s, &["doomed", ">"])
    });
}
