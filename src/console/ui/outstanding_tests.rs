//! The outstanding-messages view: keys, paging and a whole-console snapshot.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::broker::StoredMessage;
use crate::console::app::{Action, App, Effect, update};
use crate::console::fixtures::{self, demo_app};
use crate::console::overlays::Overlay;
use crate::diagnosis::{Known, LIMITS_NOTE, OutstandingMessage, OutstandingPage};

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn message(sequence: u64, known: Vec<Known>) -> OutstandingMessage {
    OutstandingMessage {
        message: StoredMessage {
            stream: "ORDERS".into(),
            subject: "orders.billing".into(),
            sequence,
            headers: Default::default(),
            body: format!("{{\"id\":{sequence}}}").into(),
            time: fixtures::now() - Duration::from_secs(40),
        },
        known,
    }
}

fn page(next: Option<u64>) -> OutstandingPage {
    OutstandingPage {
        ack_floor: 127,
        last_delivered: 140,
        messages: vec![
            message(128, vec![Known::OutOfDeliveries]),
            message(131, vec![Known::Naked, Known::AwaitingRedelivery]),
            message(135, vec![Known::HeldHere]),
            message(139, vec![]),
        ],
        next,
        note: Some(LIMITS_NOTE),
    }
}

/// The demo with flaky-billing's details open and `o` pressed.
fn opened() -> (App, Vec<Effect>) {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    app.open(Overlay::ConsumerDetail {
        stream: "ORDERS".into(),
        consumer: "flaky-billing".into(),
        scroll: 0,
    });
    let effects = press(&mut app, KeyCode::Char('o'));
    (app, effects)
}

fn read(app: &mut App, from: Option<u64>, next: Option<u64>) {
    update(
        app,
        Action::OutstandingRead {
            stream: "ORDERS".into(),
            consumer: "flaky-billing".into(),
            from,
            result: Ok(page(next)),
        },
    );
}

#[test]
fn o_in_a_consumers_details_reads_its_outstanding_messages_by_page() {
    let (mut app, effects) = opened();
    match effects.as_slice() {
        [
            Effect::Outstanding {
                stream,
                consumer,
                from: None,
                ..
            },
        ] => assert_eq!(
            (stream.as_str(), consumer.as_str()),
            ("ORDERS", "flaky-billing")
        ),
        other => panic!("expected a read of the first page, got {other:?}"),
    }
    read(&mut app, None, Some(140));
    // n: the next page, from where this one stopped; p: back to the first.
    assert!(matches!(
        press(&mut app, KeyCode::Char('n')).as_slice(),
        [Effect::Outstanding {
            from: Some(140),
            ..
        }]
    ));
    read(&mut app, Some(140), None);
    assert!(
        press(&mut app, KeyCode::Char('n')).is_empty(),
        "no more pages"
    );
    assert!(matches!(
        press(&mut app, KeyCode::Char('p')).as_slice(),
        [Effect::Outstanding { from: None, .. }]
    ));
    read(&mut app, None, Some(140));
    press(&mut app, KeyCode::Char('G'));
    match press(&mut app, KeyCode::Enter).as_slice() {
        [Effect::ReadMessage { sequence: 139, .. }] => {}
        other => panic!("expected to open seq 139, got {other:?}"),
    }
    press(&mut app, KeyCode::Esc);
    assert!(matches!(
        app.overlays.last(),
        Some(Overlay::ConsumerDetail { .. })
    ));
}

#[test]
fn outstanding_view_160x45() {
    let (mut app, _) = opened();
    read(&mut app, None, Some(140));
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).expect("test terminal");
    terminal
        .draw(|frame| super::super::render(frame, &app))
        .expect("draw");
    let text = terminal.backend().to_string();
    for must in [
        "Outstanding of ORDERS/flaky-billing",
        "after ack floor 127 up to last delivered 140",
        "out of deliveries",
        "naked, awaiting redelivery",
        "held here",
        "does not list which sequences",
    ] {
        assert!(text.contains(must), "{must} missing:\n{text}");
    }
    insta::assert_snapshot!(text);
}
