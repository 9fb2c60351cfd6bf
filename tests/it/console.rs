//! The real console binary in a pseudo-terminal against a real server: what an operator
//! sees, read back through a terminal emulator (vt100).

use std::time::{Duration, Instant};

use async_nats::jetstream::{consumer, stream};

use jetdeck::server::NatsServer;

use crate::common::raw;
use crate::pty::{Console, has_words};

#[tokio::test(flavor = "multi_thread")]
async fn the_console_follows_the_server_live_and_quits_cleanly() {
    let server = NatsServer::start().await.unwrap();
    let mut console = Console::start(&["--server", &server.url()]);
    console.wait_for(Duration::from_secs(10), "connected header", |s| {
        s.contains("● connected") && s.contains("No streams yet")
    });

    // Created from outside: a stream and a durable consumer appear within 3 s.
    let js = raw(&server).await;
    let created = Instant::now();
    let ext = js
        .create_stream(stream::Config {
            name: "EXTERNAL".into(),
            subjects: vec!["ext.>".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    ext.create_consumer(consumer::pull::Config {
        durable_name: Some("ext-reader".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    // Rows of the panes, not the events that also name them.
    let stream_row = |s: &str| {
        s.lines()
            .any(|l| has_words(l, &["EXTERNAL", "ext.>", "Limits"]))
    };
    let consumer_row = |s: &str| {
        s.lines()
            .any(|l| has_words(l, &["ext-reader", ">", "30s", "∞"]))
    };
    let screen = console.wait_for(Duration::from_secs(3), "the new stream and consumer", |s| {
        stream_row(s) && consumer_row(s)
    });
    eprintln!("stream and consumer shown after {:?}", created.elapsed());
    assert!(screen.contains("Consumers of EXTERNAL"), "{screen}");
    // And the advisories say so.
    console.wait_for(Duration::from_secs(3), "advisories", |s| {
        s.contains("STREAM CREATED") && s.contains("CONSUMER CREATED")
    });

    // 10 messages published from outside: the row shows 10.
    for i in 0..10 {
        js.publish(format!("ext.{i}"), "payload".into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    console.wait_for(Duration::from_secs(3), "10 messages", |s| {
        s.lines()
            .any(|l| has_words(l, &["EXTERNAL", "ext.>", "Limits", "File", "1", "10"]))
    });
    // The consumer has them pending.
    console.wait_for(Duration::from_secs(3), "10 pending", |s| {
        s.lines()
            .any(|l| has_words(l, &["ext-reader", ">", "30s", "∞", "10"]))
    });

    // Deleted from outside: it goes.
    ext.delete_consumer("ext-reader").await.unwrap();
    console.wait_for(Duration::from_secs(3), "the consumer gone", |s| {
        !consumer_row(s) && s.contains("No consumers on this stream")
    });

    // Keys answer: help opens and closes.
    console.press("?");
    // The overlay's title: its last lines (Ctrl-C) may be below the fold.
    console.wait_for(Duration::from_secs(2), "help", |s| s.contains(" Keys ─"));
    console.press("\x1b");
    console.wait_for(Duration::from_secs(2), "help closed", |s| {
        !s.contains(" Keys ─")
    });

    console.press("q");
    assert_eq!(console.exit_code(Duration::from_secs(10)), 0);
    let parser = console.screen.lock().unwrap();
    assert!(
        !parser.screen().alternate_screen(),
        "left the alternate screen"
    );
    assert!(!parser.screen().hide_cursor(), "cursor shown again");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_nothing_to_connect_to_the_console_opens_and_says_how() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("nats://user:hunter2@127.0.0.1:{port}");
    let mut console = Console::start(&["--server", &url]);
    let screen = console.wait_for(Duration::from_secs(10), "the connection hint", |s| {
        s.contains("disconnected") && s.contains("--embedded")
    });
    assert!(!screen.contains("hunter2"), "{screen}");
    assert!(screen.contains("user:***@"), "{screen}");
    console.press("\x03"); // Ctrl-C
    assert_eq!(console.exit_code(Duration::from_secs(10)), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn embedded_demo_shows_moving_numbers_and_redeliveries() {
    let mut console = Console::start(&["--embedded", "--demo", "--refresh", "500ms"]);
    let screen = console.wait_for(Duration::from_secs(15), "the demo streams", |s| {
        [
            "ORDERS",
            "USER_EVENTS",
            "TEST",
            "embedded",
            "order-processor",
            "flaky-billing",
        ]
        .iter()
        .all(|n| s.contains(n))
    });
    assert!(screen.contains("private nats-server"), "{screen}");
    console.wait_for(Duration::from_secs(15), "naks from flaky-billing", |s| {
        s.contains("MSG_NAKED")
    });
    console.press("q");
    assert_eq!(console.exit_code(Duration::from_secs(15)), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_server_never_freezes_the_keys_and_quitting_is_prompt() {
    let mut server = NatsServer::start().await.unwrap();
    let mut console = Console::start(&["--server", &server.url()]);
    console.wait_for(Duration::from_secs(10), "connected", |s| {
        s.contains("● connected") && s.contains("Streams (0)")
    });
    // Freeze the server: requests hang, the connection stays up.
    let pid = server.pid().unwrap() as i32;
    assert_eq!(unsafe { libc::kill(pid, libc::SIGSTOP) }, 0);
    std::thread::sleep(Duration::from_millis(1500));
    let asked = Instant::now();
    console.press("?");
    console.wait_for(Duration::from_secs(1), "help while the server hangs", |s| {
        s.contains(" Keys ─")
    });
    eprintln!("key answered in {:?} with a frozen server", asked.elapsed());
    console.press("\x1b");
    assert_eq!(unsafe { libc::kill(pid, libc::SIGCONT) }, 0);

    // Gone for good: the header says so, and q still quits at once.
    server.kill();
    console.wait_for(Duration::from_secs(10), "the lost connection", |s| {
        s.contains("reconnecting") || s.contains("disconnected")
    });
    let quit = Instant::now();
    console.press("q");
    assert_eq!(console.exit_code(Duration::from_secs(5)), 0);
    eprintln!("quit took {:?} with the server gone", quit.elapsed());
}
