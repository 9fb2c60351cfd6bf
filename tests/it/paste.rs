//! Bursts and pastes into the real console in a pseudo-terminal: every key of a burst is
//! read without waiting for more input, and a paste arrives as one paste.

use std::time::{Duration, Instant};

use jetdeck::broker::StoredMessage;
use jetdeck::server::NatsServer;

use crate::common::broker_for;
use crate::pty::Console;

const SCREEN: Duration = Duration::from_secs(5);

/// A console on `server` with the publish form open and the body focused.
fn body_focused(server: &NatsServer) -> Console {
    let mut console = Console::start(&["--server", &server.url()]);
    console.wait_for(Duration::from_secs(10), "connected", |s| {
        s.contains("● connected")
    });
    console.press("p");
    console.wait_for(SCREEN, "the form", |s| s.contains(" Publish "));
    console.press("paste.test\t\t");
    console.wait_for(SCREEN, "the body focused", |s| s.contains("▶Body"));
    console
}

/// The publish form's body line.
fn body_line(screen: &str) -> &str {
    screen
        .lines()
        .find(|l| l.contains("Body"))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_over_one_kilobyte_is_read_to_its_last_key() {
    let server = NatsServer::start().await.unwrap();
    let mut console = body_focused(&server);
    // One write: crossterm's default reader took 1 KB of it and left the rest unread
    // until another key came.
    let sent = Instant::now();
    console.press(&format!("{}Q", "x".repeat(1100)));
    console.wait_for(
        Duration::from_secs(2),
        "the Q after 1,100 characters",
        |s| body_line(s).contains("xxxxQ"),
    );
    eprintln!("the last key of the burst shown after {:?}", sent.elapsed());
    // And the burst is all there: published whole.
    let m = publish_and_read_back(&mut console, &server).await;
    assert_eq!(m.body, format!("{}Q", "x".repeat(1100)));
}

/// Submits the form, accepts the offered stream, and reads the stored message back.
async fn publish_and_read_back(console: &mut Console, server: &NatsServer) -> StoredMessage {
    console.press("\r");
    console.wait_for(SCREEN, "the offer of a stream", |s| {
        s.contains("Create stream PASTE")
    });
    console.press("y");
    console.wait_for(SCREEN, "the PubAck", |s| {
        s.contains("published to PASTE at sequence 1")
    });
    let broker = broker_for(&server.url());
    broker.connect().await.unwrap();
    broker.get_message("PASTE", 1).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bracketed_paste_goes_into_the_body_whole() {
    let server = NatsServer::start().await.unwrap();
    let mut console = body_focused(&server);
    // 10 KB over many lines; as keys, its first line break would submit the form.
    let lines: Vec<String> = (0..200)
        .map(|i| format!("line {i:03} {}", "p".repeat(40)))
        .collect();
    let pasted = lines.join("\r\n");
    assert!(pasted.len() > 10_000);
    console.press(&format!("\x1b[200~{pasted}\x1b[201~"));
    console.wait_for(SCREEN, "the end of the paste in the body", |s| {
        body_line(s).contains("line 199 pppp")
    });
    let screen = console.contents();
    assert!(screen.contains(" Publish "), "still open:\n{screen}");
    let m = publish_and_read_back(&mut console, &server).await;
    // The body field is one line: line breaks became spaces.
    assert_eq!(m.body, lines.join(" "));
    let parser = console.screen.lock().unwrap();
    assert!(parser.screen().bracketed_paste(), "bracketed paste is on");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_two_megabyte_paste_is_refused_at_once_naming_the_limit() {
    let server = NatsServer::start().await.unwrap();
    let mut console = body_focused(&server);
    let big = "z".repeat(2 * 1024 * 1024);
    let sent = Instant::now();
    console.press(&format!("\x1b[200~{big}\x1b[201~"));
    console.wait_for(Duration::from_secs(1), "the refusal", |s| {
        s.contains(
            "paste refused: the body would be 2097152 bytes; the server's max payload is 1048576 bytes",
        )
    });
    eprintln!("2 MB paste refused after {:?}", sent.elapsed());
    // The console is not busy: the next key is answered at once.
    let asked = Instant::now();
    console.press("\x1b");
    console.wait_for(Duration::from_secs(1), "the form closed", |s| {
        s.contains("publish cancelled")
    });
    eprintln!("Esc answered after {:?}", asked.elapsed());
    console.press("q");
    assert_eq!(console.exit_code(Duration::from_secs(10)), 0);
}
