//! The tail on screen, driven by keys and batches as the console gets them.

use bytes::Bytes;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::broker::{Headers, TailBatch, TailedMessage};
use crate::console::app::{Action, App, Effect, Overlay, update};
use crate::console::effects::TailFeed;
use crate::console::fixtures::{self, demo_app};

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("test terminal");
    terminal
        .draw(|frame| crate::console::ui::render(frame, app))
        .expect("draw");
    terminal.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn message(n: usize, reply: bool) -> TailedMessage {
    let mut headers = Headers::new();
    headers.append("Trace", format!("t{n}"));
    TailedMessage {
        subject: format!("orders.eu.{n}"),
        reply: reply.then(|| format!("_INBOX.abc.{n}")),
        headers,
        payload: Bytes::from(format!("{{\"order\":{n},\"total\":12.5}}")),
        received: fixtures::now(),
    }
}

fn feed(app: &mut App, subject: &str, messages: Vec<TailedMessage>, dropped: u64) {
    let batch = TailBatch { messages, dropped };
    update(
        app,
        Action::TailBatch(TailFeed {
            subject: subject.to_string(),
            batch,
            permit: None,
        }),
    );
}

/// The demo console with `T`, `orders.>`, Enter pressed: the tail open.
fn tailing() -> App {
    let mut app = demo_app("nats://127.0.0.1:4222", true);
    press(&mut app, KeyCode::Char('T'));
    typed(&mut app, "orders.>");
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(
        effects,
        [Effect::StartTail {
            subject: "orders.>".into()
        }]
    );
    assert!(matches!(app.overlay(), Some(Overlay::Tail(_))));
    app
}

#[test]
fn the_tail_shows_messages_rate_and_what_pause_holds() {
    let mut app = tailing();
    feed(
        &mut app,
        "orders.>",
        (0..5).map(|n| message(n, n == 2)).collect(),
        0,
    );
    press(&mut app, KeyCode::Char(' '));
    feed(
        &mut app,
        "orders.>",
        (5..8).map(|n| message(n, false)).collect(),
        4,
    );
    // A batch for a tail no longer open is ignored.
    feed(&mut app, "other", vec![message(99, false)], 0);
    let text = screen(&app);
    assert!(text.contains("PAUSED, 3 held"), "{text}");
    assert!(text.contains("4 dropped"), "{text}");
    assert!(
        !text.contains("orders.eu.5"),
        "paused: held, not shown\n{text}"
    );
    insta::assert_snapshot!(text);
    press(&mut app, KeyCode::Char(' '));
    let text = screen(&app);
    assert!(
        text.contains("orders.eu.7") && !text.contains("PAUSED"),
        "{text}"
    );
}

#[test]
fn enter_opens_the_message_and_r_answers_its_reply_subject() {
    let mut app = tailing();
    feed(
        &mut app,
        "orders.>",
        vec![message(0, false), message(1, true)],
        0,
    );
    press(&mut app, KeyCode::Enter);
    let text = screen(&app);
    assert!(
        text.contains("_INBOX.abc.1") && text.contains("Trace"),
        "{text}"
    );
    insta::assert_snapshot!(text);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('r'));
    typed(&mut app, "ok");
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(
        effects,
        [Effect::TailAnswer {
            reply: "_INBOX.abc.1".into(),
            body: "ok".into()
        }]
    );
    // The older message asked for no answer.
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Char('r'));
    let status = app.status.as_ref().map(|s| s.text.clone()).unwrap();
    assert!(status.contains("no reply subject"), "{status}");
}

#[test]
fn capital_r_sends_a_request_to_a_subject_without_wildcards() {
    let mut app = tailing();
    press(&mut app, KeyCode::Char('R'));
    typed(&mut app, "svc.* now?");
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "a wildcard is refused"
    );
    for _ in 0.."svc.* now?".len() {
        press(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "svc.time now?");
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(
        effects,
        [Effect::TailRequest {
            subject: "svc.time".into(),
            body: "now?".into()
        }]
    );
    assert_eq!(press(&mut app, KeyCode::Esc), [Effect::StopTail]);
    assert!(app.overlay().is_none());
}
