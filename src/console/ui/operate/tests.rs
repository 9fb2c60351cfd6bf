//! Whole-console snapshots of the operation overlays, from the demo data.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::broker::{PurgeEstimate, PurgeScope};
use crate::console::app::{Action, App, OpPlan, Operated, update};
use crate::console::fixtures::demo_app;

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| crate::console::ui::render(frame, app))
        .expect("draw");
    terminal.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

#[test]
fn purge_chooser_on_one_subject() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Char('P'));
    press(&mut app, KeyCode::Tab);
    typed(&mut app, "orders.billing");
    let text = screen(&app, 120, 30);
    assert!(
        text.contains("Purge stream ORDERS (holds 12 messages)"),
        "{text}"
    );
    assert!(text.contains("▶ (•) one subject"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn purge_confirmation_names_how_many_go() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    update(
        &mut app,
        Action::Operated(Operated::Preview(Ok(OpPlan::Purge {
            stream: "ORDERS".into(),
            scope: PurgeScope::BelowSequence(125),
            estimate: PurgeEstimate {
                count: 6,
                exact: false,
            },
            holds: 12,
        }))),
    );
    let text = screen(&app, 120, 30);
    assert!(
        text.contains("Purge about 6 messages of ORDERS below sequence 125?"),
        "{text}"
    );
    assert!(text.contains("It holds 12; about 6 stay."), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn delete_stream_asks_for_its_typed_name() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Char('d'));
    typed(&mut app, "orders");
    press(&mut app, KeyCode::Enter);
    let text = screen(&app, 120, 30);
    assert!(
        text.contains("removes 12 messages (1.4 KiB) and 2 consumers"),
        "{text}"
    );
    assert!(
        text.contains("\"orders\" is not the stream's name"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn reset_confirmation_names_what_is_delivered_again() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    let at = crate::console::fixtures::now() - std::time::Duration::from_secs(300);
    update(
        &mut app,
        Action::Operated(Operated::Preview(Ok(OpPlan::Reset {
            stream: "ORDERS".into(),
            consumer: "flaky-billing".into(),
            target: crate::broker::ResetTarget::Sequence(125),
            sequence: 125,
            from_time: Some(at),
            again: PurgeEstimate {
                count: 6,
                exact: false,
            },
            filter: Some("orders.billing".into()),
            ack_floor: 127,
            ack_pending: 2,
        }))),
    );
    let text = screen(&app, 120, 30);
    assert!(
        text.contains("Delivered again: about 6 messages from sequence 125 on, only those on its"),
        "{text}"
    );
    assert!(
        text.contains("moves from 127 to 124; the 2 awaiting ack"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}
