use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::console::attached::{MessageKey, MessageRow, RowState};
use crate::console::fixtures::{self, demo_app};
use crate::console::model::ConsumerAlert;

pub(super) fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub(super) fn app() -> App {
    demo_app("nats://127.0.0.1:4222", false)
}

#[test]
fn the_first_snapshot_selects_the_first_stream_and_watches_it() {
    let mut app = App::new(fixtures::session("x", false), fixtures::now());
    let effects = update(
        &mut app,
        Action::Snapshot(Box::new(fixtures::snapshot(
            fixtures::streams(),
            ConsumersView::default(),
        ))),
    );
    assert_eq!(app.selected_stream.as_deref(), Some("ORDERS"));
    assert_eq!(effects, [Effect::WatchStream(Some("ORDERS".into()))]);
}

#[test]
fn moving_through_streams_watches_the_new_one() {
    let mut app = app();
    assert_eq!(
        key(&mut app, KeyCode::Down),
        [Effect::WatchStream(Some("TEST".into()))]
    );
    assert_eq!(
        key(&mut app, KeyCode::Char('j')),
        [Effect::WatchStream(Some("USER_EVENTS".into()))]
    );
    // At the end: no move, no effect.
    assert!(key(&mut app, KeyCode::Down).is_empty());
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(app.selected_stream.as_deref(), Some("ORDERS"));
    key(&mut app, KeyCode::Char('G'));
    assert_eq!(app.selected_stream.as_deref(), Some("USER_EVENTS"));
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(app.selected_stream.as_deref(), Some("TEST"));
    // The consumers shown belong to ORDERS, not to the stream now selected.
    assert!(app.visible_consumers().is_empty());
}

#[test]
fn tab_cycles_panes_both_ways_and_keys_act_on_the_focused_one() {
    let mut app = app();
    assert_eq!(app.focus, Pane::Streams);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Consumers);
    assert_eq!(app.selected_consumer.as_deref(), Some("flaky-billing"));
    key(&mut app, KeyCode::Down);
    assert_eq!(app.selected_consumer.as_deref(), Some("order-processor"));
    assert_eq!(
        app.selected_stream.as_deref(),
        Some("ORDERS"),
        "streams untouched"
    );
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Events);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Streams);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.focus, Pane::Events);
}

#[test]
fn the_selection_follows_the_name_across_refreshes_and_moves_when_it_goes() {
    let mut app = app();
    key(&mut app, KeyCode::Down); // TEST
    // A new stream sorts before TEST: the selection stays on TEST.
    let mut streams = fixtures::streams();
    streams.insert(
        1,
        fixtures::stream("PAYMENTS", &["payments.>"], 1, 1, 0, 0.0),
    );
    let effects = update(
        &mut app,
        Action::Snapshot(Box::new(fixtures::snapshot(
            streams,
            ConsumersView::default(),
        ))),
    );
    assert!(effects.is_empty());
    assert_eq!(app.selected_stream.as_deref(), Some("TEST"));
    assert_eq!(app.stream_index(), Some(2));
    // TEST is deleted: it disappears and the selection moves on.
    let streams = fixtures::streams()
        .into_iter()
        .filter(|s| s.name() != "TEST")
        .collect();
    let effects = update(
        &mut app,
        Action::Snapshot(Box::new(fixtures::snapshot(
            streams,
            ConsumersView::default(),
        ))),
    );
    assert_eq!(app.streams.len(), 2);
    assert_eq!(app.selected_stream.as_deref(), Some("ORDERS"));
    assert_eq!(effects, [Effect::WatchStream(Some("ORDERS".into()))]);
}

#[test]
fn a_consumer_that_disappears_is_removed() {
    let mut app = app();
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Down);
    let mut consumers = fixtures::orders_consumers();
    consumers.rows.retain(|c| c.name() != "order-processor");
    update(&mut app, Action::Consumers(consumers));
    assert_eq!(app.visible_consumers().len(), 1);
    assert_eq!(app.selected_consumer.as_deref(), Some("flaky-billing"));
}

#[test]
fn filter_typing_narrows_streams_and_esc_clears_it() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    assert!(app.editing_filter());
    // While typing, q is a letter, not quit.
    for c in "use".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Char('q'));
    assert!(!app.quit);
    key(&mut app, KeyCode::Backspace);
    assert_eq!(app.stream_filter.text(), "use");
    let names: Vec<_> = app.visible_streams().iter().map(|s| s.name).collect();
    assert_eq!(names, ["USER_EVENTS"]);
    assert_eq!(app.selected_stream.as_deref(), Some("USER_EVENTS"));
    key(&mut app, KeyCode::Enter);
    assert!(!app.editing_filter());
    assert_eq!(app.visible_streams().len(), 1, "the filter stays applied");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.visible_streams().len(), 3);
}

#[test]
fn enter_opens_details_and_esc_closes_them() {
    let mut app = app();
    key(&mut app, KeyCode::Enter);
    assert!(matches!(
        app.overlay(),
        Some(Overlay::StreamDetail { stream, scroll: 0 }) if stream == "ORDERS"
    ));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    assert!(matches!(
        app.overlay(),
        Some(Overlay::StreamDetail { scroll: 2, .. })
    ));
    // Keys go to the overlay, not the list behind it.
    assert_eq!(app.selected_stream.as_deref(), Some("ORDERS"));
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay().is_none());
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Enter);
    assert!(matches!(
        app.overlay(),
        Some(Overlay::ConsumerDetail { consumer, .. }) if consumer == "flaky-billing"
    ));
    key(&mut app, KeyCode::Char('?'));
    assert!(app.overlay().is_none());
    key(&mut app, KeyCode::Char('?'));
    assert!(matches!(app.overlay(), Some(Overlay::Help { scroll: 0 })));
}

#[test]
fn q_and_ctrl_c_quit() {
    let mut app = app();
    key(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
    let mut app = app_in_filter();
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(app.quit, "Ctrl-C quits even while typing a filter");
}

fn app_in_filter() -> App {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    app
}

#[test]
fn events_are_newest_first_and_bounded() {
    let mut app = app();
    for i in 0..(EVENTS_KEPT + 50) {
        update(
            &mut app,
            Action::Advisory(fixtures::advisory(
                crate::console::model::AdvisoryKind::Naked,
                "ORDERS",
                Some("c"),
                &format!("seq {i}"),
                0,
            )),
        );
    }
    assert_eq!(app.events.len(), EVENTS_KEPT);
    assert_eq!(app.events[0].detail, format!("seq {}", EVENTS_KEPT + 49));
}

#[test]
fn a_failed_refresh_shows_until_the_next_success() {
    let mut app = app();
    update(
        &mut app,
        Action::RefreshFailed(crate::broker::ApiError::Timeout {
            what: "INFO".into(),
        }),
    );
    assert_eq!(
        app.connection.last_error.as_deref(),
        Some("the JetStream API did not answer in time (INFO)")
    );
    update(
        &mut app,
        Action::Snapshot(Box::new(fixtures::snapshot(
            fixtures::streams(),
            fixtures::orders_consumers(),
        ))),
    );
    assert_eq!(app.connection.last_error, None);
    assert_eq!(
        app.consumer("ORDERS", "flaky-billing").map(|c| c.alert),
        Some(ConsumerAlert::Redelivering)
    );
}

pub(super) fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(key(app, KeyCode::Char(c)));
    }
    effects
}

pub(super) fn pulled_row(seq: u64, delivered: u64) -> MessageRow {
    MessageRow {
        subject: "orders.billing".into(),
        delivery: crate::broker::Delivery {
            stream: "ORDERS".into(),
            consumer: "flaky-billing".into(),
            stream_sequence: seq,
            consumer_sequence: seq,
            delivered,
            pending: 0,
            published: fixtures::now(),
        },
        headers: Default::default(),
        body: bytes::Bytes::from_static(b"{}"),
        clock_start: fixtures::now(),
        state: RowState::Held,
    }
}

/// ORDERS/flaky-billing attached (manual) with two messages pulled.
pub(super) fn attached_app() -> (App, u64) {
    let mut app = app();
    key(&mut app, KeyCode::Tab);
    let effects = key(&mut app, KeyCode::Char('s'));
    let Some(Effect::Attach {
        id,
        stream,
        consumer,
    }) = effects.first().cloned()
    else {
        panic!("expected an attach effect, got {effects:?}");
    };
    assert_eq!(
        (stream.as_str(), consumer.as_str()),
        ("ORDERS", "flaky-billing")
    );
    update(
        &mut app,
        Action::Attached {
            id,
            result: Ok(AttachedInfo {
                stream,
                consumer,
                filter: "orders.billing".into(),
                ack_wait: Duration::from_secs(30),
            }),
        },
    );
    assert_eq!(app.focus, Pane::Messages);
    let effects = key(&mut app, KeyCode::Char('f'));
    assert!(
        matches!(effects.as_slice(), [Effect::Pull { batch: 10, .. }]),
        "{effects:?}"
    );
    update(
        &mut app,
        Action::Pulled {
            id,
            result: Ok(vec![pulled_row(7, 1), pulled_row(8, 3)]),
        },
    );
    (app, id)
}

#[test]
fn the_publish_form_refuses_bad_input_and_sends_good() {
    let mut app = app();
    key(&mut app, KeyCode::Char('p'));
    let Some(Overlay::Publish(form)) = app.overlay() else {
        panic!("no form");
    };
    assert_eq!(
        form.subject.value(),
        "orders",
        "starts from the stream's subject"
    );
    type_text(&mut app, ".*");
    assert!(
        key(&mut app, KeyCode::Enter).is_empty(),
        "nothing published"
    );
    let Some(Overlay::Publish(form)) = app.overlay() else {
        panic!("the form stays open");
    };
    assert!(
        form.error(crate::console::overlays::publish::Field::Subject)
            .is_some()
    );
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    type_text(&mut app, ".created");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::Publish(r)] if r.subject == "orders.created" && r.count == 1),
        "{effects:?}"
    );
    assert!(app.overlay().is_none());
    update(
        &mut app,
        Action::Published(Ok((
            crate::broker::PubAck {
                stream: "ORDERS".into(),
                sequence: 131,
                duplicate: false,
            },
            1,
        ))),
    );
    assert_eq!(
        app.status.as_ref().map(|s| s.text.as_str()),
        Some("published to ORDERS at sequence 131")
    );
}

#[test]
fn settling_held_messages() {
    let (mut app, id) = attached_app();
    assert_eq!(app.current().unwrap().rows.len(), 2);
    let effects = key(&mut app, KeyCode::Char('a'));
    let k7 = MessageKey {
        stream_sequence: 7,
        delivered: 1,
    };
    assert_eq!(
        effects,
        [Effect::Settle {
            id,
            key: k7,
            how: Settle::Ack
        }]
    );
    assert_eq!(
        app.current().unwrap().rows[0].state,
        RowState::Settling("ack")
    );
    assert_eq!(app.current().unwrap().selected, 1, "on to the next held");
    update(
        &mut app,
        Action::Settled {
            id,
            key: k7,
            how: Settle::Ack,
            result: Ok(()),
        },
    );
    assert_eq!(app.current().unwrap().rows[0].state, RowState::Acked);
    // A settled message is not settled again.
    key(&mut app, KeyCode::Up);
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('N'));
    type_text(&mut app, "soon");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    let Some(Overlay::Prompt(prompt)) = app.overlay() else {
        panic!("the prompt stays with its error");
    };
    assert!(prompt.error.as_deref().unwrap().contains("not a duration"));
    for _ in 0..4 {
        key(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "10s");
    let k8 = MessageKey {
        stream_sequence: 8,
        delivered: 3,
    };
    assert_eq!(
        key(&mut app, KeyCode::Enter),
        [Effect::Settle {
            id,
            key: k8,
            how: Settle::Nak(Some(Duration::from_secs(10)))
        }]
    );
    // A failed settlement keeps the message held, with the reason.
    update(
        &mut app,
        Action::Settled {
            id,
            key: k8,
            how: Settle::Nak(None),
            result: Err("connection closed".into()),
        },
    );
    assert_eq!(
        app.current().unwrap().rows[1].state,
        RowState::Failed("connection closed".into())
    );
    assert!(app.status.as_ref().unwrap().error);
}

#[test]
fn modes_detach_and_a_refused_attach() {
    let (mut app, id) = attached_app();
    assert!(matches!(
        key(&mut app, KeyCode::Char('m')).as_slice(),
        [Effect::StartAuto { .. }]
    ));
    key(&mut app, KeyCode::Char('F'));
    type_text(&mut app, "3");
    assert_eq!(
        key(&mut app, KeyCode::Enter),
        [Effect::SetFailEvery { id, fail_every: 3 }]
    );
    assert_eq!(key(&mut app, KeyCode::Char('m')), [Effect::StopAuto { id }]);
    assert_eq!(key(&mut app, KeyCode::Char('x')), [Effect::Detach { id }]);
    assert!(app.attached.is_empty());
    assert_eq!(app.focus, Pane::Consumers);

    // By topic and queue: the queue is checked before anything is sent.
    key(&mut app, KeyCode::Char('S'));
    type_text(&mut app, "orders.audit");
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "my.queue");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    let Some(Overlay::AttachForm(form)) = app.overlay() else {
        panic!("form stays");
    };
    assert!(
        form.error
            .as_deref()
            .unwrap()
            .contains("period at position 2")
    );
    for _ in 0..6 {
        key(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "_audit");
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::AttachByTopic { id, topic, queue }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        (topic.as_str(), queue.as_str()),
        ("orders.audit", "my_audit")
    );
    update(
        &mut app,
        Action::Attached {
            id: *id,
            result: Err("cannot create durable consumer my_audit: WorkQueue".into()),
        },
    );
    assert!(
        app.attached.is_empty(),
        "a refused attach leaves nothing behind"
    );
    assert!(app.status.as_ref().unwrap().text.contains("WorkQueue"));
}

#[test]
fn delete_asks_and_detaches_first() {
    let (mut app, id) = attached_app();
    app.focus = Pane::Consumers;
    key(&mut app, KeyCode::Char('d'));
    assert!(matches!(
        app.overlay(),
        Some(Overlay::Confirm(Confirm::DeleteConsumer { consumer, ack_pending: 2, pending: 3, .. })) if consumer == "flaky-billing"
    ));
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(app.attached.len(), 1);
    key(&mut app, KeyCode::Char('d'));
    let effects = key(&mut app, KeyCode::Char('y'));
    assert_eq!(
        effects,
        [
            Effect::Detach { id },
            Effect::DeleteConsumer {
                stream: "ORDERS".into(),
                consumer: "flaky-billing".into()
            }
        ]
    );
    update(
        &mut app,
        Action::ConsumerDeleted {
            stream: "ORDERS".into(),
            consumer: "flaky-billing".into(),
            result: Ok(()),
        },
    );
    assert!(app.consumer("ORDERS", "flaky-billing").is_none());
}

#[test]
fn a_server_that_connects_and_never_answers_is_silent_from_the_connection() {
    let start = fixtures::now();
    let mut app = App::new(fixtures::session("x", false), start);
    update(&mut app, Action::Connection(fixtures::connected()));
    // 1 s refreshes: overdue after two of them and a second of grace.
    update(&mut app, Action::Tick(start + Duration::from_secs(3)));
    assert_eq!(app.silent_for(), None);
    update(&mut app, Action::Tick(start + Duration::from_secs(4)));
    assert_eq!(app.silent_for(), Some(Duration::from_secs(4)));
}

#[test]
fn after_a_reconnect_silence_counts_from_the_reconnection() {
    let start = fixtures::now();
    let mut app = App::new(fixtures::session("x", false), start);
    update(&mut app, Action::Connection(fixtures::connected()));
    update(
        &mut app,
        Action::Snapshot(Box::new(fixtures::snapshot(
            fixtures::streams(),
            ConsumersView::default(),
        ))),
    );
    let lost = ConnectionView {
        state: crate::broker::ConnectionState::Reconnecting,
        ..fixtures::connected()
    };
    update(&mut app, Action::Connection(lost));
    let back = app.last_refresh.unwrap() + Duration::from_secs(30);
    update(&mut app, Action::Tick(back));
    update(&mut app, Action::Connection(fixtures::connected()));
    update(&mut app, Action::Tick(back + Duration::from_secs(1)));
    assert_eq!(
        app.silent_for(),
        None,
        "just reconnected, not silent for 31 s"
    );
    update(&mut app, Action::Tick(back + Duration::from_secs(5)));
    assert_eq!(app.silent_for(), Some(Duration::from_secs(5)));
}
