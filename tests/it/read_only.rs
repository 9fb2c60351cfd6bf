//! `--read-only` end to end: the real binary on a real server, every key that would change
//! the server pressed everywhere an operator can reach it, and the server checked
//! afterwards from outside: nothing changed.

use std::time::Duration;

use async_nats::jetstream::Context;
use jetdeck::console::app::Pane;
use jetdeck::console::keys::{BINDINGS, Key, Layer, Place};
use jetdeck::server::NatsServer;
use ratatui::crossterm::event::KeyCode;

use crate::common::{eventually, work_stream};
use crate::pty::Console;

const SCREEN: Duration = Duration::from_secs(5);

/// What an operator could change: streams and their counts, consumers and their progress.
async fn server_state(js: &Context) -> Vec<String> {
    use futures::StreamExt;
    let mut state = Vec::new();
    let mut names: Vec<String> = js.stream_names().map(|n| n.unwrap()).collect().await;
    names.sort();
    for name in names {
        let mut stream = js.get_stream(&name).await.unwrap();
        let info = stream.info().await.unwrap().clone();
        state.push(format!(
            "{name}: {} msgs, last {}",
            info.state.messages, info.state.last_sequence
        ));
        let mut consumers: Vec<_> = stream.consumers().map(|c| c.unwrap()).collect().await;
        consumers.sort_by(|a, b| a.name.cmp(&b.name));
        for c in consumers {
            state.push(format!(
                "{name}/{}: delivered {}, floor {}, pending {}, ack pending {}",
                c.name,
                c.delivered.stream_sequence,
                c.ack_floor.stream_sequence,
                c.num_pending,
                c.num_ack_pending
            ));
        }
    }
    state
}

/// The bytes a terminal sends for `key`.
fn bytes_of(key: &Key) -> String {
    match key.code {
        KeyCode::Char(c) if key.ctrl => ((c as u8) & 0x1f).to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "\r".into(),
        KeyCode::Esc => "\x1b".into(),
        KeyCode::Tab => "\t".into(),
        KeyCode::Delete => "\x1b[3~".into(),
        KeyCode::Backspace => "\x7f".into(),
        other => panic!("no bytes known for {other:?}: add them"),
    }
}

/// Presses every key that changes the server bound at `place`; each must be refused.
fn press_every_change(console: &mut Console, place: Place, pressed: &mut Vec<String>) {
    for binding in BINDINGS.iter().filter(|b| b.command.changes_server()) {
        if !binding.scope.covers(place) {
            continue;
        }
        for key in binding.keys {
            let what = format!("{} at {}", key.name(), place.name());
            console.press(&bytes_of(key));
            if place == Place::Pane(Pane::Consumers) && key.code == KeyCode::Char('s') {
                console.wait_for(SCREEN, &what, |s| s.contains("instead of attaching"));
                // Esc alone: a key right behind it would read as Alt and that key.
                console.press("\x1b");
                console.wait_for(SCREEN, "the browser closed", |s| !s.contains("Browse WORK"));
            } else {
                // The refusal names the command: its first words tell one from another.
                let words: String = binding.command.describe().chars().take(20).collect();
                console.wait_for(SCREEN, &what, |s| {
                    s.contains("read-only, refused: ") && s.contains(&words)
                });
            }
            pressed.push(format!("{:?}@{}", binding.command, place.name()));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_key_that_would_change_the_server_is_refused_and_the_server_is_unchanged() {
    let server = NatsServer::start().await.unwrap();
    let js = work_stream(&server, Duration::from_secs(30)).await;
    for n in 0..5 {
        js.publish(format!("work.{n}"), "job".into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
    // The consumer's pending count follows the publishes a moment after their acks: the
    // picture to compare against is the settled one, not whatever the first read caught.
    let before = eventually(SCREEN, "the consumer's pending count settled", || async {
        let state = server_state(&js).await;
        state
            .iter()
            .any(|line| line.contains("pending 5,"))
            .then_some(state)
    })
    .await;

    let mut console = Console::start(&["--server", &server.url(), "--read-only"]);
    console.wait_for(Duration::from_secs(10), "the console, read-only", |s| {
        s.contains("READ-ONLY") && s.contains("● connected") && s.contains("ops")
    });
    let mut pressed = Vec::new();
    press_every_change(&mut console, Place::Pane(Pane::Streams), &mut pressed);
    console.press("\t");
    press_every_change(&mut console, Place::Pane(Pane::Consumers), &mut pressed);
    // Nothing is attached, so Tab skips the messages pane: the events pane is next.
    console.press("\t");
    press_every_change(&mut console, Place::Pane(Pane::Events), &mut pressed);
    console.press("D");
    console.wait_for(SCREEN, "dead letters", |s| s.contains("Dead letters"));
    press_every_change(&mut console, Place::Layer(Layer::DeadLetters), &mut pressed);
    console.press("\x1b");
    console.wait_for(SCREEN, "dead letters closed", |s| {
        !s.contains("Dead letters")
    });
    // Back to the streams pane; browse, and a message opened from it.
    console.press("\t");
    console.press("b");
    // Its rows, not just its title: Enter before they are read has nothing to open.
    console.wait_for(SCREEN, "the browser's rows", |s| {
        s.contains("Browse WORK · sequences 1–5")
    });
    press_every_change(&mut console, Place::Layer(Layer::Browse), &mut pressed);
    console.press("\r");
    console.wait_for(SCREEN, "a message", |s| s.contains("WORK sequence 1"));
    press_every_change(&mut console, Place::Layer(Layer::Message), &mut pressed);
    // The subject tail: allowed (it takes nothing), but answering and requesting publish.
    console.press("\x1b");
    console.wait_for(SCREEN, "the message closed", |s| {
        !s.contains("WORK sequence 1")
    });
    console.press("\x1b");
    console.wait_for(SCREEN, "the browser closed", |s| !s.contains("Browse WORK"));
    console.press("T");
    console.wait_for(SCREEN, "the tail prompt", |s| {
        s.contains("Tail the subject")
    });
    console.press("work.>\r");
    console.wait_for(SCREEN, "the tail", |s| s.contains("tailing work.>"));
    press_every_change(&mut console, Place::Layer(Layer::Tail), &mut pressed);
    assert_eq!(server_state(&js).await, before, "pressed {pressed:?}");

    // Key-value buckets (issue 16): a bucket made now, so the streams pane above kept WORK
    // selected. Watching and reading its keys makes ephemeral consumers: those are
    // jetdeck's reads, so the bucket's stream is compared without them.
    let store = js
        .create_key_value(async_nats::jetstream::kv::Config {
            bucket: "config".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    store.put("k", "v".into()).await.unwrap();
    // An object store too: listing its objects makes an ephemeral consumer (a read).
    let assets = js
        .create_object_store(async_nats::jetstream::object_store::Config {
            bucket: "assets".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assets.put("logo.svg", &mut &b"<svg/>"[..]).await.unwrap();
    let without_reads = |state: Vec<String>| -> Vec<String> {
        state
            .into_iter()
            .filter(|l| !l.starts_with("KV_config/") && !l.starts_with("OBJ_assets/"))
            .collect()
    };
    let before = without_reads(server_state(&js).await);
    console.press("\x1b");
    console.wait_for(SCREEN, "the tail closed", |s| !s.contains("tailing work.>"));
    console.wait_for(SCREEN, "the bucket listed", |s| {
        s.contains("KV_config bucket")
    });
    console.press("K");
    console.wait_for(SCREEN, "buckets", |s| s.contains("Key-value buckets (1)"));
    press_every_change(&mut console, Place::Layer(Layer::Buckets), &mut pressed);
    console.press("\r");
    console.wait_for(SCREEN, "the key", |s| s.contains("config · keys 1–1 of 1"));
    press_every_change(&mut console, Place::Layer(Layer::Keys), &mut pressed);
    console.press("\r");
    console.wait_for(SCREEN, "the key's history", |s| {
        s.contains("History (1 revision kept)")
    });
    press_every_change(&mut console, Place::Layer(Layer::Key), &mut pressed);
    // Object stores (issue 16): saving is allowed, put and delete are refused.
    for (closed, gone) in [
        ("the key closed", "History ("),
        ("the keys closed", "config · keys"),
        ("the buckets closed", "Key-value buckets"),
    ] {
        console.press("\x1b");
        console.wait_for(SCREEN, closed, |s| !s.contains(gone));
    }
    console.press("O");
    console.wait_for(SCREEN, "object stores", |s| s.contains("Object stores (1)"));
    console.press("\r");
    console.wait_for(SCREEN, "the objects", |s| {
        s.contains("Objects of assets (1)") && s.contains("logo.svg")
    });
    press_every_change(&mut console, Place::Layer(Layer::Objects), &mut pressed);

    // Every key that changes the server was pressed somewhere, except where an operator
    // cannot get in read-only mode: the messages pane (it needs a subscription attached,
    // and attaching is what read-only turns into browsing) and the confirmation of a
    // message delete (the delete is refused first). The unit test presses those.
    for binding in BINDINGS.iter().filter(|b| b.command.changes_server()) {
        let somewhere = pressed
            .iter()
            .any(|p| p.starts_with(&format!("{:?}@", binding.command)));
        let unreachable = [
            Place::Pane(Pane::Messages),
            Place::Layer(Layer::ConfirmMessageDelete),
        ];
        let only_unreachable = Place::all()
            .into_iter()
            .filter(|p| binding.scope.covers(*p))
            .all(|p| unreachable.contains(&p));
        assert!(
            somewhere || only_unreachable,
            "{:?} never pressed",
            binding.command
        );
    }
    assert!(pressed.len() >= 10, "{pressed:?}");
    let after = without_reads(server_state(&js).await);
    assert_eq!(after, before, "pressed {pressed:?}");
    // Looking changed nothing and asked nothing the server counts as an error: no info
    // of a capture stream that is not there (dead letters), no read past a stream's end
    // (browse, also from the consumer's ack floor).
    let api = js.query_account().await.unwrap().requests;
    assert_eq!(api.errors, 0, "API errors on the server after {pressed:?}");
}
