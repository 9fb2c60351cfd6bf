//! Operations in the real console binary, in a pseudo-terminal, against a real server:
//! what the operator types and sees, and what the server holds afterwards.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};

use jetdeck::broker::ServerVersion;
use jetdeck::server::NatsServer;

use crate::common::raw;
use crate::pty::{Console, any_line};

const WAIT: Duration = Duration::from_secs(10);

/// ORDERS with 5 messages on orders.billing and 5 on orders.shipping, a pull consumer
/// `work`, and the console open on it.
async fn orders_console(server: &NatsServer) -> (jetstream::Context, Console) {
    let js = raw(server).await;
    let orders = js
        .create_stream(stream::Config {
            name: "ORDERS".into(),
            subjects: vec!["orders.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    orders
        .create_consumer(consumer::pull::Config {
            durable_name: Some("work".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    for subject in ["orders.billing", "orders.shipping"] {
        for i in 0..5 {
            js.publish(subject, format!("{i}").into())
                .await
                .unwrap()
                .await
                .unwrap();
        }
    }
    let console = Console::start(&["--server", &server.url()]);
    console.wait_for(WAIT, "ORDERS with 10 messages and its consumer", |s| {
        any_line(s, &["ORDERS", "orders.>", "Limits", "File", "1", "10"]) && s.contains("work")
    });
    (js, console)
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_stream_takes_its_exact_name() {
    let server = NatsServer::start().await.unwrap();
    let (js, mut console) = orders_console(&server).await;
    console.press("d");
    console.wait_for(WAIT, "the typed-name confirmation", |s| {
        s.contains("Delete stream ORDERS?") && s.contains("removes 10 messages")
    });
    console.press("orders\r");
    console.wait_for(WAIT, "the refusal", |s| {
        s.contains("\"orders\" is not the stream's name: nothing deleted")
    });
    assert!(
        js.get_stream("ORDERS").await.is_ok(),
        "a wrong name deletes nothing"
    );

    console.press(&"\x7f".repeat(6));
    console.press("ORDERS\r");
    console.wait_for(WAIT, "the delete checked on the server", |s| {
        s.contains("deleted stream ORDERS with 10 messages")
            && s.contains("(STREAM.INFO now answers not found)")
    });
    // Checked from outside too: the server's own "stream not found".
    let gone = js.get_stream("ORDERS").await.unwrap_err().to_string();
    assert!(gone.contains("stream not found"), "{gone}");
    console.press("q");
    assert_eq!(console.exit_code(WAIT), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn purging_one_subject_from_the_console() {
    let server = NatsServer::start().await.unwrap();
    let (js, mut console) = orders_console(&server).await;
    console.press("P");
    console.wait_for(WAIT, "the purge chooser", |s| {
        s.contains("Purge stream ORDERS")
    });
    console.press("\torders.billing\r");
    console.wait_for(WAIT, "the count in the confirmation", |s| {
        s.contains("Purge 5 messages of ORDERS on orders.billing?")
            && s.contains("It holds 10; 5 stay.")
    });
    console.press("y");
    console.wait_for(WAIT, "the purge read back", |s| {
        s.contains("purged 5 messages of ORDERS on orders.billing (server reports 5; 5 remain)")
    });
    let mut orders = js.get_stream("ORDERS").await.unwrap();
    let info = orders.info().await.unwrap();
    assert_eq!(info.state.messages, 5);
    assert!(
        orders
            .direct_get_last_for_subject("orders.billing")
            .await
            .is_err(),
        "billing is gone"
    );
    console.press("q");
    assert_eq!(console.exit_code(WAIT), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn pausing_a_consumer_from_the_console_or_the_refusal() {
    let server = NatsServer::start().await.unwrap();
    let (js, mut console) = orders_console(&server).await;
    let version: ServerVersion = js.client().server_info().version.parse().unwrap();
    console.press("\tP");
    if !version.supports_consumer_pause() {
        console.wait_for(WAIT, "the refusal", |s| {
            s.contains(&format!(
                "pausing a consumer needs nats-server 2.11 or newer; this server is {version}"
            ))
        });
        return;
    }
    console.wait_for(WAIT, "the question", |s| {
        s.contains("Pause consumer work of ORDERS until")
    });
    console.press("10m\r");
    console.wait_for(WAIT, "the confirmation", |s| {
        s.contains("Pause consumer work of ORDERS until") && s.contains("(in 10m)")
    });
    console.press("y");
    console.wait_for(WAIT, "the pause read back", |s| {
        s.contains("paused work of ORDERS until") && s.contains("UTC (checked on the server)")
    });
    let info = js
        .get_stream("ORDERS")
        .await
        .unwrap()
        .consumer_info("work")
        .await
        .unwrap();
    assert!(info.paused, "the server says paused");
    console.press("U");
    console.wait_for(WAIT, "the resume confirmation", |s| {
        s.contains("Resume consumer work of ORDERS (")
    });
    console.press("y");
    console.wait_for(WAIT, "the resume read back", |s| {
        s.contains("resumed work of ORDERS: delivering again")
    });
    console.press("q");
    assert_eq!(console.exit_code(WAIT), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn resetting_a_consumer_from_the_console_or_the_refusal() {
    let server = NatsServer::start().await.unwrap();
    let (js, mut console) = orders_console(&server).await;
    let work = js
        .get_stream("ORDERS")
        .await
        .unwrap()
        .get_consumer::<consumer::pull::Config>("work")
        .await
        .unwrap();
    // Everything delivered and acked: nothing left to deliver.
    let mut batch = work.fetch().max_messages(10).messages().await.unwrap();
    let mut acked = 0;
    while let Some(m) = futures::StreamExt::next(&mut batch).await {
        m.unwrap().double_ack().await.unwrap();
        acked += 1;
    }
    assert_eq!(acked, 10);
    let version: ServerVersion = js.client().server_info().version.parse().unwrap();
    console.press("\tR");
    if !version.supports_consumer_reset() {
        console.wait_for(WAIT, "the refusal", |s| {
            s.contains(&format!(
                "resetting a consumer needs nats-server 2.14 or newer; this server is {version}"
            ))
        });
        return;
    }
    console.wait_for(WAIT, "the question", |s| {
        s.contains("Reset consumer work of ORDERS")
    });
    console.press("7\r");
    console.wait_for(
        WAIT,
        "the confirmation naming what is delivered again",
        |s| {
            s.contains("Reset consumer work of ORDERS to stream sequence 7?")
                && s.contains("Delivered again: 4 messages from sequence 7 on.")
                && s.contains("Its ack floor moves from 10 to 6")
        },
    );
    console.press("y");
    console.wait_for(WAIT, "the reset read back", |s| {
        s.contains("reset work of ORDERS to stream sequence 7: delivered now 6, ack floor 6, 4 pending (checked on the server)")
    });
    let info = js
        .get_stream("ORDERS")
        .await
        .unwrap()
        .consumer_info("work")
        .await
        .unwrap();
    assert_eq!((info.ack_floor.stream_sequence, info.num_pending), (6, 4));
    console.press("q");
    assert_eq!(console.exit_code(WAIT), 0);
}
