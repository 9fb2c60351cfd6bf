//! update() tests of the overlay stack, the browser and the messages view's movement.

use ratatui::crossterm::event::KeyCode;

use super::tests::{app, attached_app, key, pulled_row, type_text};
use super::*;
use crate::console::attached::MessageKey;
use crate::console::fixtures;
use crate::console::overlays::browse::{Bound, BrowsePage, BrowseRow};

#[test]
fn browsing_pages_and_jumps() {
    let mut app = app();
    let effects = key(&mut app, KeyCode::Char('b'));
    // ORDERS holds sequences 119..=130.
    assert_eq!(
        effects,
        [Effect::Browse {
            stream: "ORDERS".into(),
            from: 119,
            last: 130,
            bound: Bound::Stored(130),
            direct: false,
            ahead: Some(12),
        }]
    );
    update(
        &mut app,
        Action::Browsed {
            stream: "ORDERS".into(),
            from: 119,
            result: Ok(BrowsePage {
                rows: vec![BrowseRow::Deleted {
                    first: 119,
                    last: 130,
                }],
                bound: None,
            }),
        },
    );
    let Some(Overlay::Browse(b)) = app.overlay() else {
        panic!("browser");
    };
    assert_eq!(b.rows.len(), 1, "12 deleted sequences are one row");
    assert!(!b.loading);
    // One page only: nowhere to turn.
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    key(&mut app, KeyCode::Char(':'));
    type_text(&mut app, "125");
    assert_eq!(
        key(&mut app, KeyCode::Enter),
        [Effect::Browse {
            stream: "ORDERS".into(),
            from: 125,
            last: 130,
            bound: Bound::Stored(130),
            direct: false,
            ahead: None,
        }]
    );
    assert!(matches!(app.overlay(), Some(Overlay::Browse(b)) if b.from == 125 && b.loading));
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay().is_none());
}

/// The browser on ORDERS with sequence 119 loaded as a stored message.
fn browsing_app() -> App {
    let mut app = app();
    key(&mut app, KeyCode::Char('b'));
    let row = |sequence| {
        BrowseRow::Stored(crate::broker::StoredMessage {
            stream: "ORDERS".into(),
            subject: "orders.created".into(),
            sequence,
            headers: Default::default(),
            body: bytes::Bytes::from_static(b"{}"),
            time: fixtures::now(),
        })
    };
    update(
        &mut app,
        Action::Browsed {
            stream: "ORDERS".into(),
            from: 119,
            result: Ok(BrowsePage {
                rows: (119..=130).map(row).collect(),
                bound: None,
            }),
        },
    );
    app
}

#[test]
fn overlays_stack_and_esc_goes_back_one() {
    let mut app = browsing_app();
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.overlays.len(), 2, "the message opens over the browser");
    let Some(Overlay::Message { view, .. }) = app.overlay() else {
        panic!("message on top: {:?}", app.overlay());
    };
    assert_eq!(view.title, "ORDERS sequence 119");
    let meta: Vec<&str> = view.meta.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(meta, ["stream", "sequence", "subject", "stored", "size"]);
    // A page arriving for the browser under the message still reaches it.
    update(
        &mut app,
        Action::Browsed {
            stream: "ORDERS".into(),
            from: 119,
            result: Err("timed out".into()),
        },
    );
    assert!(
        matches!(&app.overlays[0], Overlay::Browse(b) if b.error.as_deref() == Some("timed out"))
    );
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.overlay(), Some(Overlay::Browse(_))));
    // A prompt over the browser: Esc leaves the browser as it was.
    key(&mut app, KeyCode::Char(':'));
    assert!(matches!(app.overlay(), Some(Overlay::Prompt(_))));
    assert_eq!(app.overlays.len(), 2);
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert!(matches!(app.overlay(), Some(Overlay::Browse(b)) if b.from == 119));
    key(&mut app, KeyCode::Esc);
    assert!(app.overlays.is_empty());
}

#[test]
fn a_message_from_the_messages_pane_has_the_delivery_metadata() {
    let (mut app, _) = attached_app();
    key(&mut app, KeyCode::Enter);
    let Some(Overlay::Message { view, .. }) = app.overlay() else {
        panic!("message open: {:?}", app.overlay());
    };
    assert_eq!(view.title, "ORDERS/flaky-billing sequence 7 (delivery 1)");
    let meta: Vec<&str> = view.meta.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        meta,
        [
            "stream",
            "consumer",
            "stream sequence",
            "consumer sequence",
            "delivery count",
            "pending after it",
            "subject",
            "published",
            "size"
        ]
    );
    key(&mut app, KeyCode::Enter);
    assert!(app.overlays.is_empty(), "Enter closes it too");
}

/// `a a n a` works through a batch: each settle key leaves the selection on the next
/// held message (wrapping to one above when none is below), `w` stays, and a prompt's
/// answer (t, N) moves on too.
#[test]
fn settle_keys_move_to_the_next_held_message() {
    let (mut app, id) = attached_app();
    update(
        &mut app,
        Action::Pulled {
            id,
            result: Ok(vec![pulled_row(9, 1), pulled_row(10, 1), pulled_row(11, 2)]),
        },
    );
    let settled = |effects: Vec<Effect>| match effects.as_slice() {
        [Effect::Settle { key, how, .. }] => (key.stream_sequence, how.name()),
        other => panic!("expected one settle, got {other:?}"),
    };
    assert_eq!(settled(key(&mut app, KeyCode::Char('a'))), (7, "ack"));
    assert_eq!(settled(key(&mut app, KeyCode::Char('a'))), (8, "ack"));
    assert_eq!(
        settled(key(&mut app, KeyCode::Char('w'))),
        (9, "in-progress")
    );
    let k9 = MessageKey {
        stream_sequence: 9,
        delivered: 1,
    };
    let how = Settle::InProgress;
    let result = Ok(());
    update(
        &mut app,
        Action::Settled {
            id,
            key: k9,
            how,
            result,
        },
    );
    assert_eq!(settled(key(&mut app, KeyCode::Char('n'))), (9, "nak"));
    key(&mut app, KeyCode::Char('t'));
    type_text(&mut app, "bad");
    assert_eq!(settled(key(&mut app, KeyCode::Enter)), (10, "term"));
    assert_eq!(
        app.current().unwrap().rows[app.current().unwrap().selected]
            .delivery
            .stream_sequence,
        11
    );
    // The last held one settled, with nothing else held: the selection stays.
    assert_eq!(settled(key(&mut app, KeyCode::Char('a'))), (11, "ack"));
    assert_eq!(app.current().unwrap().selected, 4);
}
