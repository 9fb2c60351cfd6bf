//! The key form (issue 16) through `update`: a new value typed over a key's latest revision,
//! a new key, each checked on its field before anything is sent, asked (y / n), and Esc
//! sending nothing; and a snapshot of the form.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::broker::{KeyEntry, KeyOperation};
use crate::console::app::{Action, App, Effect, KeyChangeOp, KvAction, KvEffect, Overlay, update};
use crate::console::fixtures;
use crate::console::model::ConsumersView;
use crate::console::overlays::kv::{KeySeen, KeysState};
use crate::console::overlays::kv_form::{KeyField, KeyForm};

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| super::render(frame, app))
        .expect("draw");
    terminal.backend().to_string()
}

fn key_with(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
    update(app, Action::Key(KeyEvent::new(code, modifiers)))
}

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    key_with(app, code, KeyModifiers::NONE)
}

fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(press(app, KeyCode::Char(c)));
    }
    effects
}

fn entry(key: &str, revision: u64, op: KeyOperation, value: &'static [u8]) -> KeyEntry {
    KeyEntry {
        key: key.into(),
        revision,
        created: (fixtures::now() - Duration::from_secs(60)).into(),
        operation: op,
        value: bytes::Bytes::from_static(value),
    }
}

/// The keys view of bucket `config` open, holding `app.theme` (put) and `gone` (deleted).
fn keys_open() -> (App, u64) {
    let mut app = App::new(
        fixtures::session("nats://127.0.0.1:4222", false),
        fixtures::now(),
    );
    update(&mut app, Action::Connection(fixtures::connected()));
    let bucket = fixtures::stream("KV_config", &["$KV.config.>"], 3, 3, 0, 0.0);
    update(
        &mut app,
        Action::Snapshot(Box::new(fixtures::snapshot(
            vec![bucket],
            ConsumersView::default(),
        ))),
    );
    press(&mut app, KeyCode::Char('K'));
    let effects = press(&mut app, KeyCode::Enter);
    let [Effect::Kv(KvEffect::Watch { watch, .. })] = effects[..] else {
        panic!("a watch: {effects:?}");
    };
    let seen = [
        entry("app.theme", 2, KeyOperation::Put, b"dark"),
        entry("gone", 3, KeyOperation::Delete, b""),
    ]
    .iter()
    .map(KeySeen::from)
    .collect();
    update(&mut app, Action::Kv(KvAction::KeysChanged { watch, seen }));
    (app, watch)
}

/// Key `app.theme` open, its history read (latest: revision 7, `latest`), `p` pressed.
fn put_form(latest: &'static [u8]) -> App {
    let (mut app, _) = keys_open();
    press(&mut app, KeyCode::Enter);
    let history = vec![
        entry("app.theme", 2, KeyOperation::Put, b"dark"),
        entry("app.theme", 7, KeyOperation::Put, latest),
    ];
    update(
        &mut app,
        Action::Kv(KvAction::KeyRead {
            bucket: "config".into(),
            key: "app.theme".into(),
            result: Ok(history),
        }),
    );
    assert!(press(&mut app, KeyCode::Char('p')).is_empty());
    app
}

fn form(app: &App) -> &KeyForm {
    match app.overlay() {
        Some(Overlay::KeyForm(form)) => form,
        other => panic!("the key form is on top, not {other:?}"),
    }
}

#[test]
fn a_put_types_over_the_text_value_on_several_lines_and_asks_before_sending() {
    let mut app = put_form(b"{\"mode\": \"dark\"}");
    let f = form(&app);
    assert_eq!(f.value.value(), "{\"mode\": \"dark\"}", "prefilled");
    assert_eq!(f.focus, KeyField::Value);
    insta::assert_snapshot!(screen(&app, 100, 32));
    // The key's name is fixed: Tab stays on the value, typing changes nothing there.
    press(&mut app, KeyCode::Tab);
    assert_eq!(form(&app).focus, KeyField::Value);
    // Ctrl-J breaks the line; Enter checks and asks, nothing sent yet.
    key_with(&mut app, KeyCode::Char('j'), KeyModifiers::CONTROL);
    assert!(type_text(&mut app, "  more").is_empty());
    assert_eq!(form(&app).value.value(), "{\"mode\": \"dark\"}\n  more");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let asked = screen(&app, 100, 32);
    assert!(
        asked.contains("Put 23 bytes at key app.theme of config (expecting revision 7)?"),
        "{asked}"
    );
    // n: back to the form as it was.
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert!(form(&app).asking.is_none());
    assert_eq!(form(&app).value.value(), "{\"mode\": \"dark\"}\n  more");
    press(&mut app, KeyCode::Enter);
    let effects = press(&mut app, KeyCode::Char('y'));
    let [Effect::Kv(KvEffect::Change(change))] = &effects[..] else {
        panic!("y sends the change: {effects:?}");
    };
    assert_eq!(change.expected, 7);
    assert_eq!(
        change.op,
        KeyChangeOp::Put("{\"mode\": \"dark\"}\n  more".into())
    );
    assert!(
        matches!(app.overlay(), Some(Overlay::Key(_))),
        "the form closed"
    );
}

#[test]
fn esc_cancels_the_form_and_sends_nothing() {
    let mut app = put_form(b"dark");
    type_text(&mut app, "er");
    let effects = press(&mut app, KeyCode::Esc);
    assert!(effects.is_empty(), "{effects:?}");
    assert!(matches!(app.overlay(), Some(Overlay::Key(_))));
    let status = app.status.as_ref().unwrap().text.clone();
    assert!(status.contains("nothing sent"), "{status}");
}

#[test]
fn a_binary_value_is_not_prefilled_and_the_form_says_so() {
    let app = put_form(b"\xff\x00\x01");
    assert_eq!(form(&app).value.value(), "");
    let shown = screen(&app, 120, 32);
    assert!(
        shown.contains("the value is binary (3 B): not shown here"),
        "{shown}"
    );
}

#[test]
fn up_and_down_move_between_the_values_lines_then_leave_it() {
    let (mut app, _) = keys_open();
    press(&mut app, KeyCode::Char('p'));
    press(&mut app, KeyCode::Tab);
    update(&mut app, Action::Paste("one\r\ntwo\nthree".into()));
    assert_eq!(
        form(&app).value.value(),
        "one\ntwo\nthree",
        "line breaks kept"
    );
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Home);
    type_text(&mut app, ">");
    assert_eq!(form(&app).value.value(), "one\n>two\nthree");
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    assert_eq!(
        form(&app).focus,
        KeyField::Key,
        "past the first line: the key"
    );
}

#[test]
fn a_new_key_is_checked_on_its_fields_before_anything_is_asked() {
    let (mut app, _) = keys_open();
    press(&mut app, KeyCode::Char('p'));
    assert!(form(&app).key_editable());
    let refused = |app: &mut App, name: &str, says: &str| {
        if let Some(Overlay::KeyForm(f)) = app.overlays.last_mut() {
            **f = KeyForm::create("config");
        }
        type_text(app, name);
        assert!(press(app, KeyCode::Enter).is_empty());
        let f = form(app);
        let error = f.error(KeyField::Key).unwrap_or_default().to_string();
        assert!(error.contains(says), "{name:?}: {error}");
        assert!(f.asking.is_none(), "{name:?}: nothing asked");
    };
    refused(&mut app, "", "a key name is needed");
    refused(&mut app, "bad key", "' ' is not taken");
    refused(&mut app, ".hidden", "start or end with '.'");
    refused(&mut app, "a.*", "'*' is not taken");
    refused(
        &mut app,
        "app.theme",
        "key app.theme exists (revision 2): open it to put a new value",
    );
    // A deleted key may be created again; the value goes in as typed.
    if let Some(Overlay::KeyForm(f)) = app.overlays.last_mut() {
        **f = KeyForm::create("config");
    }
    type_text(&mut app, "gone");
    press(&mut app, KeyCode::Tab);
    update(&mut app, Action::Paste("a\nb".into()));
    press(&mut app, KeyCode::Enter);
    let asked = screen(&app, 120, 32);
    assert!(
        asked.contains("Create key gone of config with 3 bytes (expecting it not to exist)?"),
        "{asked}"
    );
    let effects = press(&mut app, KeyCode::Char('y'));
    let [Effect::Kv(KvEffect::Change(change))] = &effects[..] else {
        panic!("y sends the create: {effects:?}");
    };
    assert_eq!(
        (change.key.as_str(), &change.op, change.expected),
        ("gone", &KeyChangeOp::Create("a\nb".into()), 0)
    );
}

#[test]
fn a_value_past_the_max_payload_is_refused_on_its_field() {
    let (mut app, _) = keys_open();
    press(&mut app, KeyCode::Char('p'));
    type_text(&mut app, "big");
    press(&mut app, KeyCode::Tab);
    // The fixture's server takes 1 MiB.
    update(&mut app, Action::Paste("x".repeat(2 * 1024 * 1024)));
    let error = form(&app).error(KeyField::Value).unwrap().to_string();
    assert!(error.contains("max payload is 1048576 bytes"), "{error}");
    assert_eq!(form(&app).value.value(), "", "nothing inserted");
}

#[test]
fn pages_move_ten_keys_and_the_title_says_which_rows_show() {
    let (mut app, watch) = keys_open();
    let seen: Vec<KeySeen> = (0..100)
        .map(|i| KeySeen::from(&entry(&format!("k{i:03}"), 10 + i, KeyOperation::Put, b"v")))
        .collect();
    update(&mut app, Action::Kv(KvAction::KeysChanged { watch, seen }));
    press(&mut app, KeyCode::PageDown);
    press(&mut app, KeyCode::PageDown);
    press(&mut app, KeyCode::PageUp);
    let Some(Overlay::Keys(keys)) = app.overlay() else {
        panic!("the keys view");
    };
    let keys: &KeysState = keys;
    assert_eq!(keys.selected, 10);
    press(&mut app, KeyCode::End);
    let shown = screen(&app, 120, 30);
    // 102 keys; the window ends at the last one.
    assert!(
        shown.contains("config · keys 82–102 of 102 · live"),
        "{shown}"
    );
}
