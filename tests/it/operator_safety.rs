//! What the console tells an operator when things are not as they seem: a user the server
//! restricts, an account without JetStream, a server gone while messages are held, a
//! subject nobody listens on, a mistyped URL, a server that stopped answering.

use std::time::{Duration, Instant};

use async_nats::jetstream::{consumer, stream};
use jetdeck::broker::{ApiError, Broker, BrokerOptions, Message, PublishError};
use jetdeck::server::{NatsServer, ServerOptions};

use futures::StreamExt;

use crate::common::{raw, work_stream};
use crate::pty::{Console, any_line};

const SCREEN: Duration = Duration::from_secs(5);

/// An account with JetStream, an admin, and a user who may use ORDERS by name and its
/// consumers, but neither account info nor stream listings; and an account without
/// JetStream.
const RESTRICTED: &str = r#"
accounts {
  APP: {
    jetstream: enabled
    users: [
      { user: admin, password: admin-pw }
      { user: limited, password: limited-pw, permissions: {
          publish: { allow: ["orders.>", "$JS.API.STREAM.INFO.ORDERS", "$JS.API.CONSUMER.>", "$JS.ACK.>"] }
          subscribe: { allow: ["_INBOX.>", "$JS.EVENT.>"] }
      } }
    ]
  }
  PLAIN: { users: [ { user: plain, password: plain-pw } ] }
}
"#;

async fn restricted_server() -> NatsServer {
    let server = NatsServer::start_with(ServerOptions {
        extra_config: Some(RESTRICTED.to_string()),
        ..Default::default()
    })
    .await
    .unwrap();
    // ORDERS exists, made by the admin.
    let admin =
        async_nats::ConnectOptions::with_user_and_password("admin".into(), "admin-pw".into())
            .connect(server.url())
            .await
            .unwrap();
    async_nats::jetstream::new(admin)
        .create_stream(stream::Config {
            name: "ORDERS".into(),
            subjects: vec!["orders".into(), "orders.>".into()],
            retention: stream::RetentionPolicy::WorkQueue,
            ..Default::default()
        })
        .await
        .unwrap();
    server
}

fn url_as(server: &NatsServer, user: &str, password: &str) -> String {
    format!("nats://{user}:{password}@127.0.0.1:{}", server.port())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_api_request_is_a_permission_denial_named_at_once_not_a_timeout() {
    let server = restricted_server().await;
    let broker =
        Broker::new(BrokerOptions::default().addrs([url_as(&server, "limited", "limited-pw")]));
    broker.connect().await.unwrap();

    let asked = Instant::now();
    let e = broker.account_info().await.unwrap_err();
    assert!(
        matches!(&e, ApiError::PermissionDenied { subject } if subject == "$JS.API.INFO"),
        "{e:?}"
    );
    // The request timeout is 5 s; the server's refusal arrives at once.
    assert!(
        asked.elapsed() < Duration::from_secs(3),
        "{:?}",
        asked.elapsed()
    );
    assert!(e.to_string().contains("permission denied"), "{e}");
    let e = broker.list_streams().await.unwrap_err();
    assert!(
        matches!(&e, ApiError::PermissionDenied { subject } if subject == "$JS.API.STREAM.LIST"),
        "{e:?}"
    );
    // What the user may do still works.
    assert_eq!(
        broker.stream_info("ORDERS").await.unwrap().config.name,
        "ORDERS"
    );
    assert_eq!(
        broker
            .stream_for_subject("orders.created")
            .await
            .unwrap()
            .as_deref(),
        Some("ORDERS")
    );
    // A publish outside the user's subjects is named a denial too.
    let e = broker
        .publish_no_create("forbidden.x", Message::new("x"))
        .await
        .unwrap_err();
    assert!(matches!(e, PublishError::PermissionDenied { .. }), "{e:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_names_what_a_restricted_user_may_not_do_and_attach_still_works() {
    let server = restricted_server().await;
    let mut console = Console::start(&["--server", &url_as(&server, "limited", "limited-pw")]);
    let screen = console.wait_for(Duration::from_secs(10), "the denial named", |s| {
        s.contains("permission denied for this user: $JS.API.INFO, $JS.API.STREAM.LIST")
            && s.contains("Listing streams is not permitted for this user")
    });
    assert!(!screen.contains("did not answer in time"), "{screen}");
    assert!(
        !screen.contains("Publish to a subject to create one"),
        "{screen}"
    );
    assert!(screen.contains("attach by topic and queue (S)"), "{screen}");
    assert!(!screen.contains("limited-pw"), "the password never shows");

    // Attach by topic works for what the user may use.
    console.press("S");
    console.wait_for(SCREEN, "the attach form", |s| s.contains("Attach"));
    console.press("orders.created\tbilling\r");
    console.wait_for(SCREEN, "attached", |s| {
        s.contains("attached to ORDERS/billing (manual)")
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_without_jetstream_is_told_so_and_not_to_publish() {
    let server = restricted_server().await;
    let console = Console::start(&["--server", &url_as(&server, "plain", "plain-pw")]);
    let screen = console.wait_for(Duration::from_secs(10), "no JetStream", |s| {
        s.contains("JetStream is not enabled for this account")
    });
    assert!(
        !screen.contains("Publish to a subject to create one"),
        "{screen}"
    );
}

/// A stream with a 30 s ack wait, a consumer, and three messages waiting.
async fn work_with_three(server: &NatsServer) {
    let js = work_stream(server, Duration::from_secs(30)).await;
    for i in 0..3 {
        js.publish(format!("work.{i}"), "job".into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn settling_and_detaching_without_a_server_say_nothing_was_sent() {
    let mut server = NatsServer::start().await.unwrap();
    work_with_three(&server).await;
    let mut console = Console::start(&["--server", &server.url(), "--refresh", "300ms"]);
    console.wait_for(Duration::from_secs(10), "the consumer", |s| {
        any_line(s, &["ops", ">", "30s"])
    });
    console.press("\t"); // consumers
    console.press("s");
    console.wait_for(SCREEN, "attached", |s| s.contains("attached to WORK/ops"));
    console.press("f");
    console.wait_for(SCREEN, "three held", |s| s.contains("pulled 3"));

    // Stopped, not killed: a killed server may lose the deliveries it made in its last
    // moment (it writes them a moment later), and the check below would see 3 messages
    // never delivered instead of 3 held.
    server.stop().await;
    console.wait_for(SCREEN, "the loss seen", |s| !s.contains("● connected"));
    console.press("a");
    console.wait_for(SCREEN, "an honest ack", |s| {
        s.contains("ack failed: not sent: the connection to the server is down")
            && s.contains("the server redelivers it after its ack wait, at")
    });
    console.press("x");
    console.wait_for(SCREEN, "an honest detach", |s| {
        s.contains("the naks were not sent (no connection)")
            && s.contains("redelivers its 3 held messages after their ack wait, by")
    });
    assert!(!console.contents().contains("held messages nak'd"));

    // And the server agrees, even once the console is back: nothing was settled (not
    // then, not from a buffer on reconnecting), all three still await their ack.
    server.restart().await.unwrap();
    console.wait_for(Duration::from_secs(15), "reconnected", |s| {
        s.contains("● connected")
    });
    let js = raw(&server).await;
    let info = js
        .get_consumer_from_stream::<consumer::pull::Config, _, _>("ops", "WORK")
        .await
        .unwrap()
        .cached_info()
        .clone();
    assert_eq!(info.num_ack_pending, 3, "{info:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn detaching_while_connected_naks_the_held_messages_at_once() {
    let server = NatsServer::start().await.unwrap();
    work_with_three(&server).await;
    let mut console = Console::start(&["--server", &server.url(), "--refresh", "300ms"]);
    console.wait_for(Duration::from_secs(10), "the consumer", |s| {
        any_line(s, &["ops", ">", "30s"])
    });
    console.press("\ts");
    console.wait_for(SCREEN, "attached", |s| s.contains("attached to WORK/ops"));
    console.press("f");
    console.wait_for(SCREEN, "three held", |s| s.contains("pulled 3"));
    console.press("x");
    console.wait_for(SCREEN, "the naks confirmed", |s| {
        s.contains("3 held messages nak'd")
    });
    // Nak'd, they are redelivered at once (not after the 30 s ack wait).
    let js = raw(&server).await;
    let c = js
        .get_consumer_from_stream::<consumer::pull::Config, _, _>("ops", "WORK")
        .await
        .unwrap();
    let mut batch = c
        .fetch()
        .max_messages(3)
        .expires(Duration::from_secs(3))
        .messages()
        .await
        .unwrap();
    let mut again = 0;
    while let Some(m) = batch.next().await {
        let m = m.unwrap();
        assert_eq!(m.info().unwrap().delivered, 2);
        again += 1;
    }
    assert_eq!(again, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subject_nobody_listens_on_gets_an_offer_not_a_stream() {
    let server = NatsServer::start().await.unwrap();
    let mut console = Console::start(&["--server", &server.url(), "--refresh", "300ms"]);
    console.wait_for(Duration::from_secs(10), "connected", |s| {
        s.contains("● connected")
    });
    console.press("p");
    console.wait_for(SCREEN, "the form", |s| s.contains(" Publish "));
    console.press("bd\t\thello\r");
    console.wait_for(SCREEN, "the offer", |s| {
        s.contains("No stream listens on bd.") && s.contains("Create stream BD on bd, bd.>:")
    });
    console.press("n");
    console.wait_for(SCREEN, "cancelled", |s| {
        s.contains("cancelled: no stream created, nothing sent to bd")
    });
    let js = raw(&server).await;
    assert!(js.get_stream("BD").await.is_err(), "no stream BD after n");

    // Attach by topic asks the same way; y creates, then attaches.
    console.press("S");
    console.wait_for(SCREEN, "the attach form", |s| s.contains("Attach"));
    console.press("typo.created\tq\r");
    console.wait_for(SCREEN, "the offer", |s| {
        s.contains("Create stream TYPO on typo, typo.>:")
            && s.contains("Then attach with durable consumer q.")
    });
    assert!(js.get_stream("TYPO").await.is_err(), "nothing before y");
    console.press("y");
    console.wait_for(SCREEN, "attached", |s| {
        s.contains("attached to TYPO/q (manual)")
    });
    assert!(js.get_stream("TYPO").await.is_ok());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_stops_answering_is_shown_as_such() {
    let server = NatsServer::start().await.unwrap();
    let console = Console::start(&["--server", &server.url(), "--refresh", "300ms"]);
    console.wait_for(Duration::from_secs(10), "connected", |s| {
        s.contains("● connected")
    });
    let pid = server.pid().expect("running") as i32;
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    let screen = console.wait_for(Duration::from_secs(8), "not answering", |s| {
        s.contains("connected, not answering for")
    });
    unsafe { libc::kill(pid, libc::SIGCONT) };
    assert!(!screen.contains("● connected  "), "{screen}");
    console.wait_for(Duration::from_secs(15), "answering again", |s| {
        !s.contains("not answering")
    });
}

#[tokio::test]
async fn a_mistyped_url_is_not_a_url_and_tls_to_a_plain_server_says_so() {
    let broker = Broker::new(BrokerOptions::default().addrs(["htp:/x y"]));
    let e = broker.connect().await.unwrap_err().to_string();
    assert!(e.contains("not a URL: it contains a space"), "{e}");

    let server = NatsServer::start().await.unwrap();
    let broker =
        Broker::new(BrokerOptions::default().addrs([format!("tls://127.0.0.1:{}", server.port())]));
    let e = broker.connect().await.unwrap_err().to_string();
    assert!(e.contains("does not speak TLS on that port"), "{e}");
}
