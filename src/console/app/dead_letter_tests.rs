//! update() tests for the redelivery debugger: events opening their message, the
//! dead-letters view and its previewed operations.

use ratatui::crossterm::event::KeyCode;

use super::tests::{app, key, type_text};
use super::*;
use crate::console::fixtures;

/// Tab reaches the events pane, ↑↓ select, Enter on an event naming a message asks to
/// read it by sequence with what jetdeck saw of it; `/` filters by kind, stream,
/// consumer; an event naming no message says so; the answer opens with its timeline.
#[test]
fn enter_on_an_event_reads_its_message_and_slash_filters_events() {
    let mut app = app();
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Events);
    match key(&mut app, KeyCode::Enter).as_slice() {
        [
            Effect::ReadMessage {
                stream, sequence, ..
            },
        ] => {
            assert_eq!((stream.as_str(), *sequence), ("ORDERS", 90))
        }
        other => panic!("expected a read, got {other:?}"),
    }
    key(&mut app, KeyCode::Down);
    let seen = match key(&mut app, KeyCode::Enter).as_slice() {
        [
            Effect::ReadMessage {
                sequence: 80, seen, ..
            },
        ] => seen.clone(),
        other => panic!("expected a read of 80, got {other:?}"),
    };
    let steps: Vec<&crate::deadletters::Step> = seen.iter().map(|e| &e.step).collect();
    assert_eq!(
        steps,
        [
            &crate::deadletters::Step::Naked { deliveries: 1 },
            &crate::deadletters::Step::MaxDeliveries { deliveries: 3 }
        ]
    );
    key(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "created");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.visible_events().len(), 2);
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(app.status.as_ref().unwrap().error, "{:?}", app.status);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.visible_events().len(), 5, "Esc clears the filter");

    let message = crate::broker::StoredMessage {
        stream: "ORDERS".into(),
        subject: "orders.billing".into(),
        sequence: 80,
        headers: Default::default(),
        body: bytes::Bytes::from_static(b"{\"id\":80}"),
        time: fixtures::now(),
    };
    let result = Ok(Box::new((message, seen)));
    let (stream, sequence) = ("ORDERS".to_string(), 80);
    update(
        &mut app,
        Action::MessageRead {
            stream,
            sequence,
            result,
        },
    );
    let Some(Overlay::Message { view, .. }) = app.overlay() else {
        panic!("the message opens");
    };
    assert_eq!(view.title, "ORDERS sequence 80");
    assert_eq!(view.timeline.len(), 2);
    assert!(
        view.timeline[1]
            .1
            .contains("MAX_DELIVERIES after 3 by flaky-billing")
    );
}

/// The demo's dead letters listed: seq 80 in its stream, seq 90 gone.
fn dead_letters_listed(app: &mut App) {
    let filter = crate::deadletters::Filter::default();
    let mut letters = crate::deadletters::dead_letters_from(&app.seen_advisories(), &filter);
    letters[0].original = Some(crate::broker::StoredMessage {
        stream: "ORDERS".into(),
        subject: "orders.billing".into(),
        sequence: 80,
        headers: Default::default(),
        body: bytes::Bytes::from_static(b"{}"),
        time: fixtures::now(),
    });
    let result = Ok((letters, false));
    update(app, Action::DeadLettersListed { result });
}

fn plan_on_top(app: &App) -> DeadLetterPlan {
    match app.overlay() {
        Some(Overlay::Confirm(Confirm::DeadLetters(plan))) => (**plan).clone(),
        other => panic!("expected a dead-letter preview, got {other:?}"),
    }
}

/// `D` lists dead letters (with the advisories jetdeck saw); Space marks; r previews a
/// retry of what is still in its stream, y runs it, and the end reports exact counts and
/// lists again; n cancels without an effect.
#[test]
fn dead_letters_retry_is_previewed_confirmed_and_reported() {
    let mut app = app();
    let effects = key(&mut app, KeyCode::Char('D'));
    let [Effect::ListDeadLetters { filter, seen }] = effects.as_slice() else {
        panic!("expected a listing, got {effects:?}");
    };
    assert_eq!(filter, &crate::deadletters::Filter::default());
    assert_eq!(seen.len(), 3, "the naks, max deliveries and term seen");
    dead_letters_listed(&mut app);
    // Marking both: only the one still in its stream can be retried.
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char(' '));
    assert!(key(&mut app, KeyCode::Char('r')).is_empty());
    let plan = plan_on_top(&app);
    assert_eq!(plan.op, DeadLetterOp::Retry);
    assert_eq!(plan.letters.len(), 1);
    assert_eq!(plan.letters[0].sequence, 80);
    key(&mut app, KeyCode::Char('n'));
    assert!(matches!(app.overlay(), Some(Overlay::DeadLetters(_))));
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "cancelled: nothing retried"
    );

    key(&mut app, KeyCode::Char('r'));
    let effects = key(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(effects.as_slice(), [Effect::DeadLetters(p)] if **p == plan),
        "{effects:?}"
    );
    let done = Action::DeadLettersDone {
        op: DeadLetterOp::Retry,
        summary: "1 retried".into(),
        ok: true,
        copied: vec![],
    };
    let effects = update(&mut app, done);
    assert!(matches!(
        effects.as_slice(),
        [Effect::ListDeadLetters { .. }]
    ));
    assert_eq!(app.status.as_ref().unwrap().text, "1 retried");
    let Some(Overlay::DeadLetters(view)) = app.overlay() else {
        panic!("the view stays");
    };
    assert!(view.marked.is_empty() && view.loading);
}

/// m asks for a subject, e for a path (a default in the current directory), c offers the
/// capture stream; each previews before anything runs. From a consumer, `D` is its own.
#[test]
fn dead_letters_move_export_and_the_capture_offer() {
    let mut app = app();
    key(&mut app, KeyCode::Char('D'));
    dead_letters_listed(&mut app);
    key(&mut app, KeyCode::Char('m'));
    type_text(&mut app, "dlq.orders");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    let plan = plan_on_top(&app);
    assert_eq!(
        plan.op,
        DeadLetterOp::Move {
            to: "dlq.orders".into()
        }
    );
    key(&mut app, KeyCode::Esc);

    key(&mut app, KeyCode::Char('e'));
    let Some(Overlay::Prompt(prompt)) = app.overlay() else {
        panic!("export asks for a path");
    };
    assert!(prompt.input.value().starts_with("jetdeck-dead-letters-"));
    key(&mut app, KeyCode::Enter);
    assert!(matches!(
        plan_on_top(&app).op,
        DeadLetterOp::Export { ref path } if path.ends_with(".jsonl")
    ));
    key(&mut app, KeyCode::Esc);

    key(&mut app, KeyCode::Char('c'));
    assert!(matches!(
        app.overlay(),
        Some(Overlay::Confirm(Confirm::CreateCapture))
    ));
    assert_eq!(key(&mut app, KeyCode::Char('y')), [Effect::CreateCapture]);
    let effects = update(&mut app, Action::CaptureCreated(Ok(true)));
    assert!(matches!(
        effects.as_slice(),
        [Effect::ListDeadLetters { .. }]
    ));
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("created capture stream")
    );

    // Per consumer.
    let mut app = super::tests::app();
    key(&mut app, KeyCode::Tab);
    let effects = key(&mut app, KeyCode::Char('D'));
    let [Effect::ListDeadLetters { filter, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(filter.consumer.as_deref(), Some("flaky-billing"));
    assert_eq!(filter.stream.as_deref(), Some("ORDERS"));
}

/// jetdeck's own capture stream is selected only while it is alone or when chosen: the
/// demo makes it first, and the operator should land on ORDERS.
#[test]
fn the_capture_stream_gives_way_to_the_first_real_stream() {
    let capture = || {
        fixtures::stream(
            crate::deadletters::CAPTURE_STREAM,
            &["$JS.EVENT.ADVISORY.>"],
            3,
            3,
            0,
            0.0,
        )
    };
    let snapshot = |streams| {
        Action::Snapshot(Box::new(fixtures::snapshot(
            streams,
            ConsumersView::default(),
        )))
    };
    let mut app = App::new(fixtures::session("x", false), fixtures::now());
    update(&mut app, snapshot(vec![capture()]));
    assert_eq!(
        app.selected_stream.as_deref(),
        Some(crate::deadletters::CAPTURE_STREAM)
    );
    let mut all = vec![capture()];
    all.extend(fixtures::streams());
    update(&mut app, snapshot(all.clone()));
    assert_eq!(app.selected_stream.as_deref(), Some("ORDERS"));

    // Chosen by the operator, it stays.
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(
        app.selected_stream.as_deref(),
        Some(crate::deadletters::CAPTURE_STREAM)
    );
    update(&mut app, snapshot(all));
    assert_eq!(
        app.selected_stream.as_deref(),
        Some(crate::deadletters::CAPTURE_STREAM)
    );
}

/// A console whose held ORDERS seq 8 jetdeck settled in progress, failed to nak, nak'd
/// and termed, at seconds 1 to 4.
fn settled_app() -> App {
    use std::time::Duration;

    use crate::console::attached::MessageKey;

    let (mut app, id) = super::tests::attached_app();
    let k8 = MessageKey {
        stream_sequence: 8,
        delivered: 3,
    };
    let settled = |app: &mut App, how: Settle, ok: bool, secs: u64| {
        app.now = fixtures::now() + Duration::from_secs(secs);
        update(
            app,
            Action::Settled {
                id,
                key: k8,
                how,
                result: if ok { Ok(()) } else { Err("closed".into()) },
            },
        );
    };
    settled(&mut app, Settle::InProgress, true, 1);
    settled(
        &mut app,
        Settle::Nak(Some(Duration::from_secs(5))),
        false,
        2,
    );
    settled(&mut app, Settle::Nak(Some(Duration::from_secs(5))), true, 3);
    settled(&mut app, Settle::Term(Some("bad total".into())), true, 4);
    app
}

/// jetdeck's own settles join the message's timeline when they reach the server (with
/// the nak's delay and the term's reason, at the time they were confirmed); a settle
/// that failed is not recorded; a term keeps the body, which a retry then carries.
#[test]
fn own_settles_join_the_timeline_and_a_term_keeps_the_body() {
    use crate::deadletters::Step;

    let app = settled_app();
    let own: Vec<(u64, Step)> = app
        .seen_of("ORDERS", 8)
        .into_iter()
        .filter(|e| !matches!(e.step, Step::Delivered { .. }))
        .map(|e| {
            let at = e.time.duration_since(fixtures::now()).unwrap().as_secs();
            assert_eq!(e.consumer.as_deref(), Some("flaky-billing"));
            (at, e.step)
        })
        .collect();
    assert_eq!(
        own,
        [
            (1, Step::InProgressSent { delivery: 3 }),
            (
                3,
                Step::NakSent {
                    delivery: 3,
                    delay_ms: Some(5000)
                }
            ),
            (
                4,
                Step::TermSent {
                    delivery: 3,
                    reason: Some("bad total".into())
                }
            ),
        ]
    );
    let kept = app
        .held_log
        .kept("ORDERS", 8)
        .expect("the termed body kept");
    assert_eq!(kept.subject, "orders.billing");
    assert!(app.held_log.kept("ORDERS", 7).is_none(), "not termed");
}

#[test]
fn a_kept_body_is_retried_from_and_dropped_once_retried() {
    let mut app = settled_app();
    // Listed as gone (a WorkQueue term removed it): retry takes it, from the kept copy.
    key(&mut app, KeyCode::Char('D'));
    let mut letter = crate::deadletters::DeadLetter {
        stream: "ORDERS".into(),
        sequence: 8,
        consumer: "flaky-billing".into(),
        deliveries: 3,
        cause: crate::deadletters::Cause::Terminated {
            reason: Some("bad total".into()),
        },
        time: app.now,
        original: None,
    };
    update(
        &mut app,
        Action::DeadLettersListed {
            result: Ok((vec![letter.clone()], false)),
        },
    );
    key(&mut app, KeyCode::Char('r'));
    let plan = plan_on_top(&app);
    assert_eq!(plan.letters, [letter.clone()]);
    assert_eq!(plan.kept.len(), 1);
    assert_eq!(plan.kept[0].sequence, 8);
    // Discard has nothing to delete.
    key(&mut app, KeyCode::Esc);
    assert!(key(&mut app, KeyCode::Char('x')).is_empty());
    assert!(app.status.as_ref().unwrap().error);
    // Once retried, the kept copy is dropped.
    letter.original = None;
    update(
        &mut app,
        Action::DeadLettersDone {
            op: DeadLetterOp::Retry,
            summary: "1 retried".into(),
            ok: true,
            copied: vec![letter.target()],
        },
    );
    assert!(app.held_log.kept("ORDERS", 8).is_none());
}

/// A bucket's or an object store's stream sorts before ORDERS (`KV_`, `OBJ_`), but K and
/// O show those: the first selection is a message stream.
#[test]
fn a_message_stream_is_chosen_before_bucket_and_store_streams() {
    let mut streams = vec![
        fixtures::stream("KV_settings", &["$KV.settings.>"], 5, 5, 0, 0.0),
        fixtures::stream("OBJ_assets", &["$O.assets.>"], 6, 6, 0, 0.0),
    ];
    streams.extend(fixtures::streams());
    let app = fixtures::app_with(streams);
    assert_eq!(app.selected_stream.as_deref(), Some("ORDERS"));
}
