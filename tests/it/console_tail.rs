//! The subject tail through a real terminal: `T`, a subject, messages from another client
//! shown in order, Space pausing while they are held, and resuming to show them.

use std::time::Duration;

use jetdeck::server::NatsServer;

use crate::pty::Console;

const WITHIN: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread")]
async fn t_tails_a_subject_and_space_holds_what_arrives_until_resumed() {
    let server = NatsServer::start().await.unwrap();
    let mut console = Console::start(&["--server", &server.url()]);
    // Connected first: a tail asked for before the connection is made is refused.
    console.wait_for(WITHIN, "the console, connected", |s| {
        s.contains("Streams") && s.contains("● connected")
    });
    console.press("T");
    console.wait_for(WITHIN, "the prompt", |s| s.contains("Tail the subject"));
    console.press("orders.>\r");
    console.wait_for(WITHIN, "the tail on", |s| {
        s.contains("Tail orders.>") && s.contains("tailing orders.>")
    });
    let other = async_nats::connect(server.url()).await.unwrap();
    for subject in ["orders.first", "orders.second", "elsewhere"] {
        other.publish(subject, "hello".into()).await.unwrap();
    }
    other.flush().await.unwrap();
    let screen = console.wait_for(WITHIN, "both messages", |s| s.contains("orders.second"));
    let first = screen.find("orders.first").expect("the first shown");
    assert!(
        first < screen.find("orders.second").unwrap(),
        "in order:\n{screen}"
    );
    assert!(!screen.contains("elsewhere"), "{screen}");

    console.press(" ");
    console.wait_for(WITHIN, "paused", |s| s.contains("PAUSED, 0 held"));
    other.publish("orders.third", "later".into()).await.unwrap();
    other.flush().await.unwrap();
    let screen = console.wait_for(WITHIN, "held", |s| s.contains("PAUSED, 1 held"));
    assert!(
        !screen.contains("orders.third"),
        "held, not shown:\n{screen}"
    );
    console.press(" ");
    console.wait_for(WITHIN, "shown on resume", |s| {
        s.contains("orders.third") && !s.contains("PAUSED")
    });
}

/// A user who may not subscribe to the subject: the server says so on the side and the
/// subscription would stay silent forever; the console names the refusal and closes the
/// tail instead of "waiting for messages".
#[tokio::test(flavor = "multi_thread")]
async fn a_subscription_the_user_may_not_make_is_named_a_permission_denial() {
    let (_server, url) = crate::common::subscribe_limited_server().await;
    let mut console = Console::start(&["--server", &url]);
    console.wait_for(WITHIN, "the console, connected", |s| {
        s.contains("Streams") && s.contains("● connected")
    });
    console.press("T");
    console.wait_for(WITHIN, "the prompt", |s| s.contains("Tail the subject"));
    console.press("orders.>\r");
    let screen = console.wait_for(WITHIN, "the refusal", |s| {
        s.contains("permission denied: this user may not subscribe to orders.>")
    });
    assert!(
        !screen.contains("Tail orders.>"),
        "the tail closed:\n{screen}"
    );
}
