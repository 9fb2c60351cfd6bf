//! update() tests of issue 15's keys: `X` (switch to a context or a configured server)
//! and `Y` (copy the equivalent `nats` command).

use ratatui::crossterm::event::KeyCode;

use super::tests::{app, key};
use super::*;
use crate::console::overlays::contexts::ContextsState;

fn contexts(active: &str) -> ContextsState {
    ContextsState {
        names: vec!["alpha".into(), "beta".into(), "gamma".into()],
        active: Some(active.into()),
        ..Default::default()
    }
}

fn server(name: &str, url: &str) -> crate::config::ConfiguredServer {
    crate::config::ConfiguredServer {
        name: name.into(),
        url: crate::config::ServerUrl::new(url).expect("a good URL"),
        creds: None,
        nkey: None,
        line: 1,
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
    assert_eq!(
        effects,
        [Effect::Switch(SwitchTarget::Context("beta".into()))]
    );
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
fn the_configured_servers_follow_the_contexts_and_enter_switches_to_one() {
    let mut app = app();
    app.session.context = None;
    app.servers = vec![
        server("alpha", "nats://alpha.example:4222"),
        server("prod", "nats://ops:hunter2@prod.example:4222"),
    ]
    .into();
    app.on_start = false;
    // As `X` reads them: the contexts (none here), then the servers, the cursor on the
    // active one.
    let mut state = ContextsState::read(&app);
    state.names = vec!["alpha".into(), "beta".into()];
    state.cursor = 0;
    app.open(Overlay::Contexts(Box::new(state)));
    for _ in 0..5 {
        key(&mut app, KeyCode::Down);
    }
    // Past the last row it stays there: the server `prod`.
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::Switch(SwitchTarget::Server(chosen))] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(chosen.name, "prod");
    assert_eq!(chosen.url.expose(), "nats://ops:hunter2@prod.example:4222");
    let status = &app.status.as_ref().unwrap().text;
    assert!(
        status.contains("switching to server prod (nats://ops:***@prod.example:4222)"),
        "{status}"
    );
    assert!(!format!("{effects:?}").contains("hunter2"), "{effects:?}");
    // On prod now: the server `alpha` is not the context `alpha`.
    app.on_server = Some("prod".into());
    app.open(Overlay::Contexts(Box::new(ContextsState::read(&app))));
    let Some(Overlay::Contexts(state)) = app.overlay() else {
        panic!("open");
    };
    let cursor = state.cursor;
    assert!(
        state.is_active(cursor)
            && matches!(state.row(cursor), Some(crate::console::overlays::contexts::Row::Server(s)) if s.name == "prod"),
        "the cursor starts on the active server"
    );
    key(&mut app, KeyCode::Up);
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(effects.as_slice(), [Effect::Switch(SwitchTarget::Server(s))] if s.name == "alpha"),
        "{effects:?}"
    );
}

#[test]
fn a_switch_is_allowed_read_only() {
    assert!(!Effect::Switch(SwitchTarget::Context("beta".into())).changes_server());
    let to_server = Effect::Switch(SwitchTarget::Server(server("s", "nats://s:4222")));
    assert!(!to_server.changes_server());
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
    app.servers = vec![server("s", "nats://s:4222")].into();
    app.on_server = Some("s".into());
    let fresh = app.for_another_server(session, app.now);
    assert!(std::sync::Arc::ptr_eq(&fresh.servers, &app.servers));
    assert_eq!(fresh.on_server, None, "the switch says which it is on");
    assert_eq!(fresh.refresh_every, Duration::from_secs(5));
    assert_eq!(fresh.events_kept, 42);
    assert_eq!(fresh.theme, app.theme);
    assert!(std::sync::Arc::ptr_eq(&fresh.keys, &app.keys));
    assert!(fresh.status.is_none() && fresh.events.is_empty());
    assert_eq!(fresh.session.context.as_deref(), Some("beta"));
}

#[test]
fn enter_on_the_start_row_switches_back_where_the_console_started() {
    let mut app = app();
    app.on_start = false;
    let state = ContextsState {
        start: Some("nats://127.0.0.1:4222".into()),
        names: vec!["alpha".into()],
        ..Default::default()
    };
    assert_eq!(state.len(), 2);
    app.open(Overlay::Contexts(Box::new(state)));
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(effects, [Effect::Switch(SwitchTarget::Start)]);
    assert!(!Effect::Switch(SwitchTarget::Start).changes_server());
    let said = &app.status.as_ref().unwrap().text;
    assert!(said.contains("where jetdeck started"), "{said}");
}

#[test]
fn a_fresh_state_remembers_where_the_console_started() {
    let app = app();
    assert!(app.on_start, "a new console is where it started");
    let mut elsewhere = app.session.clone();
    elsewhere.servers = "nats://elsewhere:4222".into();
    let moved = app.for_another_server(elsewhere, app.now);
    assert!(!moved.on_start);
    assert_eq!(moved.started.servers, app.session.servers);
}

#[test]
fn y_copies_the_nats_command_of_the_store_views_too() {
    use crate::console::overlays::{objects::ObjectsState, tail::TailState};
    let cases = [
        (
            Overlay::Tail(Box::new(TailState::new("orders.>"))),
            "nats sub 'orders.>'",
        ),
        (
            Overlay::Objects(Box::new(ObjectsState::new("assets"))),
            "nats object ls assets",
        ),
    ];
    for (overlay, command) in cases {
        // Copied, but not drawn over the status line, which says what the view did.
        assert!(!crate::console::overlays::nats_equivalent::drawn(&overlay));
        let mut app = app();
        app.open(overlay);
        let effects = key(&mut app, KeyCode::Char('Y'));
        assert_eq!(effects, [Effect::Clipboard(bytes::Bytes::from(command))]);
    }
}

#[test]
fn enter_on_the_active_row_changes_nothing() {
    let mut app = app();
    app.open(Overlay::Contexts(Box::new(contexts("alpha"))));
    // The cursor is on alpha, the active one.
    let effects = key(&mut app, KeyCode::Enter);
    assert!(effects.is_empty(), "{effects:?}");
    assert!(app.overlay().is_none());
    let said = &app.status.as_ref().unwrap().text;
    assert!(said.contains("already connected there"), "{said}");
}
