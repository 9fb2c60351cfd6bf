//! The key-value views (issue 16), whole-console snapshots from fixed data, and the app's
//! side of the keys view: Enter starts a watch, changes fill the view, Esc stops it.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::broker::{KeyEntry, KeyOperation};
use crate::console::app::{Action, App, Effect, KvAction, KvEffect, Overlay, update};
use crate::console::fixtures;
use crate::console::model::StreamView;
use crate::console::overlays::kv::KeySeen;

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| super::render(frame, app))
        .expect("draw");
    terminal.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn bucket(name: &str, keys: u64, values: u64, history: i64, ttl: u64) -> StreamView {
    let subject = format!("$KV.{name}.>");
    let mut s = fixtures::stream(&format!("KV_{name}"), &[&subject], values, values, 0, 0.0);
    s.info.config.max_messages_per_subject = history;
    s.info.config.max_age = Duration::from_secs(ttl);
    s.info.state.subjects_count = keys;
    s
}

/// ORDERS and two buckets, connected.
fn kv_app() -> App {
    fixtures::app_with(vec![
        bucket("config", 4, 12, 5, 0),
        bucket("sessions", 1_200, 1_200, 1, 3_600),
        fixtures::stream("ORDERS", &["orders.>"], 1_234, 1_300, 2, 1.5),
    ])
}

fn entry(key: &str, revision: u64, op: KeyOperation, value: &'static [u8]) -> KeyEntry {
    KeyEntry {
        key: key.into(),
        revision,
        created: (fixtures::now() - Duration::from_secs((10 - revision) * 30)).into(),
        operation: op,
        value: bytes::Bytes::from_static(value),
    }
}

/// What the watch sends of one change: its row, without the value.
fn seen(watch: u64, entry: &KeyEntry) -> Action {
    let seen = vec![KeySeen::from(entry)];
    Action::Kv(KvAction::KeysChanged { watch, seen })
}

#[test]
fn buckets_view_lists_the_kv_streams_which_the_streams_pane_marks() {
    let mut app = kv_app();
    let streams = screen(&app, 120, 24);
    assert!(streams.contains("KV_config bucket"), "{streams}");
    assert!(!streams.contains("ORDERS bucket"), "{streams}");
    insta::assert_snapshot!("streams_pane_marks_the_buckets", streams);
    press(&mut app, KeyCode::Char('K'));
    assert!(matches!(app.overlays.last(), Some(Overlay::Buckets(_))));
    insta::assert_snapshot!(screen(&app, 120, 30));
}

#[test]
fn keys_view_fills_live_and_stops_its_watch_on_close() {
    let mut app = kv_app();
    press(&mut app, KeyCode::Char('K'));
    let effects = press(&mut app, KeyCode::Enter);
    let [Effect::Kv(KvEffect::Watch { bucket, watch })] = &effects[..] else {
        panic!("Enter should start a watch: {effects:?}");
    };
    assert_eq!(bucket, "config");
    let watch = *watch;
    let changes = [
        entry("app.theme", 1, KeyOperation::Put, b"\"dark\""),
        entry("app.limits", 2, KeyOperation::Put, b"{\"max\": 10}"),
        entry("feature.beta", 3, KeyOperation::Put, b"true"),
        entry("app.theme", 4, KeyOperation::Put, b"\"light\""),
        entry("feature.beta", 5, KeyOperation::Delete, b""),
        entry("old.key", 6, KeyOperation::Purge, b""),
    ];
    for entry in changes {
        update(&mut app, seen(watch, &entry));
    }
    // A change for an earlier view is not this one's.
    let stale = entry("stale", 9, KeyOperation::Put, b"x");
    update(&mut app, seen(watch + 1_000, &stale));
    insta::assert_snapshot!(screen(&app, 120, 30));

    let effects = press(&mut app, KeyCode::Esc);
    assert_eq!(effects, [Effect::Kv(KvEffect::StopWatch { watch })]);
    assert!(matches!(app.overlays.last(), Some(Overlay::Buckets(_))));
}

#[test]
fn keys_filter_by_pattern_through_the_prompt() {
    let mut app = kv_app();
    press(&mut app, KeyCode::Char('K'));
    let effects = press(&mut app, KeyCode::Enter);
    let [Effect::Kv(KvEffect::Watch { watch, .. })] = effects[..] else {
        panic!("a watch");
    };
    for key in ["app.a", "app.b", "feature.c"] {
        let entry = entry(key, 1, KeyOperation::Put, b"1");
        update(&mut app, seen(watch, &entry));
    }
    press(&mut app, KeyCode::Char('/'));
    for c in "app.*".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    let Some(Overlay::Keys(keys)) = app.overlays.last() else {
        panic!("the keys view is back on top");
    };
    let shown: Vec<&str> = keys.shown.iter().map(|k| &**k).collect();
    assert_eq!(shown, ["app.a", "app.b"]);
}

#[test]
fn a_key_shows_its_value_pretty_and_its_history_and_follows_its_changes() {
    let mut app = kv_app();
    press(&mut app, KeyCode::Char('K'));
    let effects = press(&mut app, KeyCode::Enter);
    let [Effect::Kv(KvEffect::Watch { watch, .. })] = effects[..] else {
        panic!("a watch");
    };
    let latest = entry(
        "app.limits",
        3,
        KeyOperation::Put,
        b"{\"max\":10,\"burst\":[1,2]}",
    );
    update(&mut app, seen(watch, &latest));
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(
        effects,
        [Effect::Kv(KvEffect::ReadKey {
            bucket: "config".into(),
            key: "app.limits".into()
        })]
    );
    let history = vec![
        entry("app.limits", 1, KeyOperation::Put, b"{\"max\":5}"),
        entry("app.limits", 2, KeyOperation::Delete, b""),
        latest,
    ];
    update(
        &mut app,
        Action::Kv(KvAction::KeyRead {
            bucket: "config".into(),
            key: "app.limits".into(),
            result: Ok(history),
        }),
    );
    insta::assert_snapshot!(screen(&app, 120, 36));

    // A change seen by the watch beneath reads the history again.
    let next = entry("app.limits", 4, KeyOperation::Put, b"1");
    let effects = update(&mut app, seen(watch, &next));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Kv(KvEffect::ReadKey { key, .. }) if key == "app.limits")),
        "{effects:?}"
    );
}
