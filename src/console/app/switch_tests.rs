//! update() tests of issue 15's keys: `X` (switch context) and `Y` (copy the equivalent
//! `nats` command).

use ratatui::crossterm::event::KeyCode;

use super::tests::{app, key};
use super::*;
use crate::console::overlays::contexts::ContextsState;

fn contexts(active: &str) -> ContextsState {
    ContextsState {
        names: vec!["alpha".into(), "beta".into(), "gamma".into()],
        active: Some(active.into()),
        selected_by_nats: None,
        cursor: 0,
    }
}

#[test]
fn x_opens_the_contexts_from_any_pane() {
    for pane_presses in 0..4 {
        let mut app = app();
        for _ in 0..pane_presses {
            key(&mut app, KeyCode::Tab);
        }
        assert!(key(&mut app, KeyCode::Char('X')).is_empty());
        assert!(
            matches!(app.overlay(), Some(Overlay::Contexts(_))),
            "after {pane_presses} Tab"
        );
        key(&mut app, KeyCode::Esc);
        assert!(app.overlay().is_none());
    }
}

#[test]
fn enter_on_a_context_asks_the_console_to_switch() {
    let mut app = app();
    app.open(Overlay::Contexts(Box::new(contexts("alpha"))));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Up);
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(effects, [Effect::SwitchContext("beta".into())]);
    assert!(app.overlay().is_none(), "closed");
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("switching to context beta")
    );
}

#[test]
fn a_switch_is_allowed_read_only() {
    assert!(!Effect::SwitchContext("beta".into()).changes_server());
    assert!(!crate::console::keys::Command::SwitchContext.changes_server());
}

#[test]
fn y_copies_the_nats_command_of_the_details() {
    let mut app = app();
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.overlay(), Some(Overlay::StreamDetail { .. })));
    let effects = key(&mut app, KeyCode::Char('Y'));
    assert_eq!(
        effects,
        [Effect::Clipboard(bytes::Bytes::from(
            "nats stream info ORDERS"
        ))]
    );
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("copied: nats stream info ORDERS")
    );
}

#[test]
fn another_server_starts_empty_but_keeps_the_operators_settings() {
    let mut app = app();
    app.refresh_every = Duration::from_secs(5);
    app.events_kept = 42;
    app.theme = crate::console::ui::theme::Theme::light();
    let keys = crate::console::keys::KeyMap::default();
    app.keys = std::sync::Arc::new(keys);
    app.say("old server's news");
    let mut session = app.session.clone();
    session.context = Some("beta".into());
    let fresh = app.for_another_server(session, app.now);
    assert_eq!(fresh.refresh_every, Duration::from_secs(5));
    assert_eq!(fresh.events_kept, 42);
    assert_eq!(fresh.theme, app.theme);
    assert!(std::sync::Arc::ptr_eq(&fresh.keys, &app.keys));
    assert!(fresh.status.is_none() && fresh.events.is_empty());
    assert_eq!(fresh.session.context.as_deref(), Some("beta"));
}
