//! The mouse through a real terminal: SGR mouse reports into the pty select a row, and
//! the terminal's mouse reporting is switched off again on the way out (or never on with
//! `--no-mouse`).

use std::time::Duration;

use async_nats::jetstream::stream;
use vt100::MouseProtocolMode;

use jetdeck::server::NatsServer;

use crate::common::raw;
use crate::pty::Console;

/// Line and column (0-based) where `text` starts on `screen`.
fn position(screen: &str, text: &str) -> (usize, usize) {
    screen
        .lines()
        .enumerate()
        .find_map(|(y, line)| line.find(text).map(|i| (y, line[..i].chars().count())))
        .unwrap_or_else(|| panic!("`{text}` not on the screen:\n{screen}"))
}

/// A left click at (line, column), as an xterm reports it in SGR mode (1-based).
fn click((y, x): (usize, usize)) -> String {
    format!("\x1b[<0;{};{}M\x1b[<0;{};{}m", x + 1, y + 1, x + 1, y + 1)
}

fn mouse_mode(console: &Console) -> MouseProtocolMode {
    console
        .screen
        .lock()
        .unwrap()
        .screen()
        .mouse_protocol_mode()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_click_selects_the_stream_row_under_it_and_mouse_reporting_ends_with_jetdeck() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    for name in ["ALPHA", "BRAVO", "CHARLIE"] {
        js.create_stream(stream::Config {
            name: name.into(),
            subjects: vec![format!("{}.>", name.to_lowercase())],
            ..Default::default()
        })
        .await
        .unwrap();
    }
    let mut console = Console::start(&["--server", &server.url()]);
    let screen = console.wait_for(Duration::from_secs(10), "the three streams", |s| {
        s.contains("▶ ALPHA") && s.contains("CHARLIE") && s.contains("Consumers of ALPHA")
    });
    assert_ne!(
        mouse_mode(&console),
        MouseProtocolMode::None,
        "mouse reporting on"
    );

    console.press(&click(position(&screen, "CHARLIE")));
    console.wait_for(
        Duration::from_secs(3),
        "CHARLIE selected by the click",
        |s| s.contains("▶ CHARLIE") && s.contains("Consumers of CHARLIE"),
    );
    // The wheel over the streams moves the selection (clamped at the first row).
    let screen = console.contents();
    let wheel_up = position(&screen, "BRAVO");
    console.press(&format!("\x1b[<64;{};{}M", wheel_up.1 + 1, wheel_up.0 + 1));
    console.wait_for(Duration::from_secs(3), "ALPHA selected by the wheel", |s| {
        s.contains("▶ ALPHA")
    });

    console.press("q");
    assert_eq!(console.exit_code(Duration::from_secs(10)), 0);
    assert_eq!(
        mouse_mode(&console),
        MouseProtocolMode::None,
        "mouse reporting switched off on the way out"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_no_mouse_the_terminal_keeps_the_mouse() {
    let server = NatsServer::start().await.unwrap();
    let mut console = Console::start(&["--server", &server.url(), "--no-mouse"]);
    console.wait_for(Duration::from_secs(10), "connected", |s| {
        s.contains("● connected")
    });
    assert_eq!(mouse_mode(&console), MouseProtocolMode::None);
    console.press("q");
    assert_eq!(console.exit_code(Duration::from_secs(10)), 0);
}
