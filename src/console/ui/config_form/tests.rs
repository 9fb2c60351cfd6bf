//! The config forms and the preview, whole-console, from fixed data.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::console::app::{Action, App, update};
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

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

#[test]
fn the_stream_form_with_a_bad_field() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Char('c'));
    type_text(&mut app, "PAY MENTS");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "payments.>");
    press(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24);
    assert!(text.contains("no space in a stream name"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_stream_edit_form_greys_what_cannot_change() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Char('e'));
    let text = screen(&app, 100, 30);
    assert!(text.contains("Edit stream ORDERS"), "{text}");
    assert!(text.contains("(cannot change)"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_consumer_form() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('c'));
    type_text(&mut app, "audit");
    let text = screen(&app, 100, 30);
    assert!(text.contains("Create consumer on ORDERS"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_diff_preview_names_the_changed_fields() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Char('e'));
    // Name, retention (WorkQueue) and storage are fixed: focus starts on subjects.
    for _ in 0..4 {
        press(&mut app, KeyCode::Down);
    }
    type_text(&mut app, "2h");
    press(&mut app, KeyCode::Enter);
    let text = screen(&app, 100, 30);
    assert!(text.contains("max_age"), "{text}");
    assert!(text.contains("unlimited -> 2h"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_long_form_scrolls_to_keep_the_focused_field_in_view() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('c'));
    press(&mut app, KeyCode::Enter); // every field checked: the name is missing
    let focused = |app: &App| match app.overlay() {
        Some(crate::console::app::Overlay::ConfigForm(f)) => f.focused().unwrap().label,
        _ => panic!("the form is open"),
    };
    for _ in 0..14 {
        press(&mut app, KeyCode::Tab);
        let text = screen(&app, 80, 16);
        let label = focused(&app);
        assert!(
            text.contains(&format!("▶{label}")),
            "{label} in view:\n{text}"
        );
    }
    while focused(&app) != "Description" {
        press(&mut app, KeyCode::Tab);
    }
    let text = screen(&app, 80, 16);
    insta::assert_snapshot!(text);
}
