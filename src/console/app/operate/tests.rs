//! The operation keys, from the key to the effect: what is asked, what is refused before
//! anything is sent, and what yes sends.

use std::time::Duration;

use ratatui::crossterm::event::KeyCode;

use super::super::tests::{app, attached_app, key, type_text};
use super::*;
use crate::console::app::{Action, Pane, update};

#[test]
fn delete_stream_needs_the_exact_name_and_detaches_first() {
    let (mut app, id) = attached_app();
    app.focus = Pane::Streams;
    key(&mut app, KeyCode::Char('d'));
    assert!(matches!(app.overlay(), Some(Overlay::Operate(_))));
    type_text(&mut app, "ORDER");
    assert!(
        key(&mut app, KeyCode::Enter).is_empty(),
        "a wrong name sends nothing"
    );
    let Some(Overlay::Operate(form)) = app.overlay() else {
        panic!("the confirmation stays open");
    };
    let OperateForm::DeleteStream { error, .. } = form.as_ref() else {
        panic!("not the delete form");
    };
    assert!(
        error
            .as_deref()
            .unwrap()
            .contains("\"ORDER\" is not the stream's name: nothing deleted"),
        "{error:?}"
    );
    type_text(&mut app, "S");
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(
        effects,
        [
            Effect::Detach { id },
            Effect::Operate(OpRequest::DeleteStream {
                stream: "ORDERS".into(),
                goes: "12 messages (1.4 KiB) and 2 consumers".into(),
            }),
        ]
    );
    assert!(app.overlay().is_none() && app.attached.is_empty());
}

#[test]
fn old_servers_are_refused_before_anything_is_asked() {
    let mut app = app();
    app.connection.version = Some("2.10.26".into());
    key(&mut app, KeyCode::Tab);
    for (k, needs) in [('P', "2.11"), ('U', "2.11"), ('R', "2.14")] {
        assert!(key(&mut app, KeyCode::Char(k)).is_empty());
        assert!(app.overlay().is_none(), "{k}: nothing opens");
        let status = app.status.clone().unwrap();
        assert!(status.error, "{k}");
        assert!(
            status.text.contains(&format!(
                "needs nats-server {needs} or newer; this server is 2.10.26, so nothing was sent"
            )),
            "{k}: {}",
            status.text
        );
    }
    // 2.12 pauses but does not reset.
    app.connection.version = Some("2.12.1".into());
    key(&mut app, KeyCode::Char('R'));
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("resetting a consumer needs nats-server 2.14")
    );
    key(&mut app, KeyCode::Char('P'));
    assert!(matches!(app.overlay(), Some(Overlay::Operate(_))));
}

#[test]
fn pause_asks_until_when_then_confirms() {
    let mut app = app();
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('P'));
    type_text(&mut app, "soon");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(
        matches!(app.overlay(), Some(Overlay::Operate(_))),
        "bad input keeps it open"
    );
    for _ in 0..4 {
        key(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "10m");
    assert!(
        key(&mut app, KeyCode::Enter).is_empty(),
        "asks before sending"
    );
    let until = app.now + Duration::from_secs(600);
    let Some(Overlay::Confirm(Confirm::Operate(plan))) = app.overlay() else {
        panic!("a confirmation");
    };
    assert_eq!(
        **plan,
        OpPlan::Pause {
            stream: "ORDERS".into(),
            consumer: "flaky-billing".into(),
            until
        }
    );
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        [Effect::Operate(OpRequest::Pause {
            stream: "ORDERS".into(),
            consumer: "flaky-billing".into(),
            until
        })]
    );
    // Resume asks too, even when the last refresh showed it unpaused (it may be stale).
    key(&mut app, KeyCode::Char('U'));
    assert!(matches!(
        app.overlay(),
        Some(Overlay::Confirm(Confirm::Operate(plan))) if matches!(**plan, OpPlan::Resume { paused_until: None, .. })
    ));
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        [Effect::Operate(OpRequest::Resume {
            stream: "ORDERS".into(),
            consumer: "flaky-billing".into(),
        })]
    );
}

#[test]
fn purge_chooses_counts_confirms_then_sends() {
    let mut app = app();
    key(&mut app, KeyCode::Char('P'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    type_text(&mut app, "5");
    let preview = key(&mut app, KeyCode::Enter);
    assert_eq!(
        preview,
        [Effect::Operate(OpRequest::PreviewPurge {
            stream: "ORDERS".into(),
            scope: PurgeScope::KeepNewest(5),
        })]
    );
    let plan = OpPlan::Purge {
        stream: "ORDERS".into(),
        scope: PurgeScope::KeepNewest(5),
        estimate: PurgeEstimate {
            count: 7,
            exact: true,
        },
        holds: 12,
    };
    update(
        &mut app,
        Action::Operated(Operated::Preview(Ok(plan.clone()))),
    );
    assert_eq!(key(&mut app, KeyCode::Char('n')), []);
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "cancelled: nothing purged from ORDERS"
    );
    update(&mut app, Action::Operated(Operated::Preview(Ok(plan))));
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        [Effect::Operate(OpRequest::Purge {
            stream: "ORDERS".into(),
            scope: PurgeScope::KeepNewest(5),
        })]
    );
    // Nothing to take: said, and no confirmation.
    update(
        &mut app,
        Action::Operated(Operated::Preview(Ok(OpPlan::Purge {
            stream: "ORDERS".into(),
            scope: PurgeScope::Subject("orders.none".into()),
            estimate: PurgeEstimate {
                count: 0,
                exact: true,
            },
            holds: 12,
        }))),
    );
    assert!(app.overlay().is_none());
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "ORDERS: no messages to purge on orders.none (nothing sent)"
    );
    // Up from the first choice wraps to the last; a sequence of 0 is refused there.
    key(&mut app, KeyCode::Char('P'));
    key(&mut app, KeyCode::Up);
    type_text(&mut app, "0");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    key(&mut app, KeyCode::Esc);
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "cancelled: nothing sent to the server"
    );
}

#[test]
fn reset_previews_where_delivery_starts() {
    let mut app = app();
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('R'));
    type_text(&mut app, "120");
    assert_eq!(
        key(&mut app, KeyCode::Enter),
        [Effect::Operate(OpRequest::PreviewReset {
            stream: "ORDERS".into(),
            consumer: "flaky-billing".into(),
            target: ResetTarget::Sequence(120),
        })]
    );
}

#[test]
fn previews_only_read_and_the_rest_change_the_server() {
    let preview = OpRequest::PreviewPurge {
        stream: "S".into(),
        scope: PurgeScope::All,
    };
    assert!(!preview.changes_server());
    let purge = OpRequest::Purge {
        stream: "S".into(),
        scope: PurgeScope::All,
    };
    assert!(purge.changes_server());
    let resume = OpRequest::Resume {
        stream: "S".into(),
        consumer: "c".into(),
    };
    assert!(resume.changes_server());
}
