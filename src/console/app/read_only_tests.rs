//! `--read-only`: every binding that changes the server, pressed everywhere it applies,
//! is refused with a line saying so and asks for nothing that changes the server.

use ratatui::crossterm::event::{KeyEvent, KeyModifiers};

use super::tests::{app, key};
use super::*;
use crate::console::fixtures;
use crate::console::keys::{BINDINGS, Layer, Place};
use crate::console::overlays::BrowseState;

fn stored() -> crate::broker::StoredMessage {
    crate::broker::StoredMessage {
        stream: "ORDERS".into(),
        subject: "orders.new".into(),
        sequence: 3,
        headers: Default::default(),
        body: "{}".into(),
        time: fixtures::now(),
    }
}

fn read_only_app() -> App {
    let mut app = app();
    app.session.read_only = true;
    app
}

/// The console at `place`, or None where this test cannot put it yet (the test then
/// fails for any binding there that changes the server: extend this).
fn app_at(place: Place) -> Option<App> {
    let mut app = read_only_app();
    match place {
        Place::Pane(pane) => app.focus = pane,
        Place::Layer(Layer::DeadLetters) => {
            app.open(Overlay::DeadLetters(Box::default()));
        }
        Place::Layer(Layer::Browse) => {
            app.open(Overlay::Browse(Box::new(BrowseState::new("ORDERS", 1, 9))));
        }
        Place::Layer(Layer::Help) => app.open(Overlay::Help { scroll: 0 }),
        Place::Layer(Layer::Message) => app.open(Overlay::Message {
            view: Box::new(MessageView::stored(&stored())),
            scroll: 0,
        }),
        Place::Layer(Layer::ConfirmMessageDelete) => {
            app.open(Overlay::Confirm(Confirm::DeleteMessage(Box::new(
                crate::console::app::MessageDelete {
                    stream: "ORDERS".into(),
                    sequence: 3,
                    subject: "orders.new".into(),
                    held_by: None,
                },
            ))));
        }
        Place::Layer(Layer::Buckets) => app.open(Overlay::Buckets(Box::default())),
        Place::Layer(Layer::Keys) => app.open(Overlay::Keys(Box::new(
            crate::console::overlays::kv::KeysState::new("config", 1),
        ))),
        Place::Layer(Layer::Key) => app.open(Overlay::Key(Box::new(
            crate::console::overlays::kv_key::KeyViewState::new("config", "k"),
        ))),
        Place::Layer(Layer::Tail) => {
            let mut tail = crate::console::overlays::tail::TailState::new("svc.>");
            let asked = crate::broker::TailedMessage {
                subject: "svc.time".into(),
                reply: Some("_INBOX.a.b".into()),
                headers: Default::default(),
                payload: "now?".into(),
                received: fixtures::now(),
            };
            let batch = crate::broker::TailBatch {
                messages: vec![asked],
                dropped: 0,
            };
            tail.on_batch(batch, std::time::Instant::now());
            app.open(Overlay::Tail(Box::new(tail)));
        }
        Place::Layer(Layer::ObjectStores) => app.open(Overlay::ObjectStores(Box::default())),
        Place::Layer(Layer::Objects) => app.open(Overlay::Objects(Box::new(
            crate::console::overlays::objects::ObjectsState::new("assets"),
        ))),
        _ => return None,
    }
    (app.place() == place).then_some(app)
}

#[test]
fn every_key_that_changes_the_server_is_refused_everywhere_it_applies() {
    let mut pressed = 0;
    for binding in BINDINGS.iter().filter(|b| b.command.changes_server()) {
        for place in Place::all()
            .into_iter()
            .filter(|p| binding.scope.covers(*p))
        {
            for k in binding.keys {
                let mut app = app_at(place).unwrap_or_else(|| {
                    panic!("put the console at {} to test {:?}", place.name(), k.name())
                });
                let modifiers = if k.ctrl {
                    KeyModifiers::CONTROL
                } else {
                    KeyModifiers::NONE
                };
                let effects = update(&mut app, Action::Key(KeyEvent::new(k.code, modifiers)));
                let what = format!("{} at {}", k.name(), place.name());
                assert!(
                    effects.iter().all(|e| !e.changes_server()),
                    "{what}: {effects:?}"
                );
                let status = app.status.as_ref().map(|s| s.text.as_str());
                assert!(
                    status.is_some_and(|s| s.starts_with("read-only")),
                    "{what}: {status:?}"
                );
                pressed += 1;
            }
        }
    }
    // The dead-letter actions, publish, attach, delete, the settle keys at least.
    assert!(pressed >= 18, "only {pressed} keys pressed");
}

#[test]
fn attach_on_a_consumer_browses_what_it_would_get_next_instead() {
    let mut app = read_only_app();
    app.focus = Pane::Consumers;
    let effects = key(&mut app, ratatui::crossterm::event::KeyCode::Char('s'));
    assert!(
        matches!(effects.as_slice(), [Effect::Browse { .. }]),
        "{effects:?}"
    );
    assert!(matches!(app.overlay(), Some(Overlay::Browse(_))));
    assert!(app.attached.is_empty());
    let status = &app.status.as_ref().unwrap().text;
    assert!(status.contains("instead of attaching"), "{status}");
}

#[test]
fn an_effect_that_changes_the_server_never_leaves_update_in_read_only_mode() {
    let mut app = read_only_app();
    let effects = update(
        &mut app,
        Action::Run(Effect::DeleteConsumer {
            stream: "ORDERS".into(),
            consumer: "flaky-billing".into(),
        }),
    );
    assert!(effects.is_empty(), "{effects:?}");
    assert!(app.status.as_ref().unwrap().text.starts_with("read-only"));
    // Reading is still allowed.
    let effects = update(
        &mut app,
        Action::Run(Effect::Browse {
            stream: "ORDERS".into(),
            from: 1,
            last: 5,
            bound: crate::console::overlays::browse::Bound::Last,
            direct: false,
            ahead: None,
        }),
    );
    assert_eq!(effects.len(), 1);
}

#[test]
fn without_read_only_the_same_keys_work() {
    let mut app = app();
    key(&mut app, ratatui::crossterm::event::KeyCode::Char('p'));
    assert!(matches!(app.overlay(), Some(Overlay::Publish(_))));
}
