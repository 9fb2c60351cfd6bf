use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::parse;
use crate::console::app::{Action, App, Overlay, typing, update};
use crate::console::fixtures::demo_app;

fn press(app: &mut App, code: KeyCode) -> Vec<crate::console::app::Effect> {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn form(app: &App) -> &super::ConfigForm {
    match app.overlay() {
        Some(Overlay::ConfigForm(f)) => f,
        other => panic!("expected the config form, got {other:?}"),
    }
}

#[test]
fn sizes_durations_and_limits_read_as_an_operator_writes_them() {
    assert_eq!(parse::size("1GiB"), Ok(1 << 30));
    assert_eq!(parse::size("512MB"), Ok(512_000_000));
    assert_eq!(parse::size(" 1048576 "), Ok(1 << 20));
    assert_eq!(parse::size(""), Ok(-1), "empty: unlimited");
    assert!(parse::size("-1").unwrap_err().contains("negative"));
    assert_eq!(parse::duration("1h30m"), Ok(Duration::from_secs(5400)));
    assert_eq!(parse::duration("0"), Ok(Duration::ZERO));
    assert!(
        parse::duration("5x")
            .unwrap_err()
            .contains("not a duration")
    );
    assert_eq!(parse::number("", 1, -1), Ok(-1));
    assert!(parse::number("-3", 1, -1).unwrap_err().contains("negative"));
    assert_eq!(
        parse::durations("1s, 2s 4s"),
        Ok([1, 2, 4].map(Duration::from_secs).to_vec())
    );
    assert_eq!(
        parse::subjects("orders.*, refunds.>  audit"),
        Ok(vec!["orders.*".into(), "refunds.>".into(), "audit".into()])
    );
    assert!(parse::subject("a.>.b", true).is_err());
    assert!(parse::subject("a.*", false).is_err());
    // Shown the way they are typed, so an untouched field is no change.
    assert_eq!(parse::show_size(1 << 30), "1GiB");
    assert_eq!(parse::show_size(512_000_000), "512MB");
    assert_eq!(parse::show_size(1000), "1KB");
    assert_eq!(parse::show_size(1500), "1500");
    assert_eq!(parse::show_duration(Duration::from_secs(5400)), "1h30m");
    assert_eq!(parse::show_limit(-1), "");
}

#[test]
fn choices_cycle_and_text_fields_type() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(form(&app).focused().unwrap().key, "name");
    assert!(typing(&app), "a text field takes letters");
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Left);
    assert_eq!(
        form(&app).get("name"),
        " ",
        "Space types, ← moves the cursor"
    );
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    assert_eq!(form(&app).focused().unwrap().key, "retention");
    assert!(!typing(&app), "a choice takes no letters");
    press(&mut app, KeyCode::Right);
    assert_eq!(form(&app).get("retention"), "interest");
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(form(&app).get("retention"), "workqueue");
    press(&mut app, KeyCode::Right);
    assert_eq!(form(&app).get("retention"), "limits", "round again");
    press(&mut app, KeyCode::Left);
    assert_eq!(form(&app).get("retention"), "workqueue");
    // A paste goes whole into a text field.
    press(&mut app, KeyCode::BackTab);
    update(&mut app, Action::Paste("orders.>,\nrefunds.>".into()));
    assert_eq!(form(&app).get("subjects"), "orders.>, refunds.>");
    // Esc: closed, nothing sent.
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    assert!(app.overlay().is_none());
}

#[test]
fn on_edit_what_the_server_cannot_change_is_never_focused() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    // ORDERS is a WorkQueue stream: name, retention and storage are fixed.
    press(&mut app, KeyCode::Char('e'));
    let f = form(&app);
    let fixed: Vec<&str> = f.fields.iter().filter(|f| f.fixed).map(|f| f.key).collect();
    assert_eq!(fixed, ["name", "retention", "storage"]);
    let mut seen = Vec::new();
    for _ in 0..f.fields.len() * 2 {
        seen.push(form(&app).focused().unwrap().key);
        press(&mut app, KeyCode::Tab);
    }
    assert!(!seen.iter().any(|k| fixed.contains(k)), "{seen:?}");
    press(&mut app, KeyCode::Esc);
    // Consumers: the name, pull or push, the policies and max waiting are fixed.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('e'));
    let fixed: Vec<&str> = form(&app)
        .fields
        .iter()
        .filter(|f| f.fixed)
        .map(|f| f.key)
        .collect();
    assert_eq!(
        fixed,
        [
            "durable",
            "kind",
            "deliver_policy",
            "start",
            "ack_policy",
            "max_waiting"
        ]
    );
}

#[test]
fn a_limits_stream_may_swap_to_interest_but_never_to_workqueue() {
    let config = async_nats::jetstream::stream::Config {
        name: "EVENTS".into(),
        subjects: vec!["events.>".into()],
        ..Default::default()
    };
    let f = crate::console::overlays::stream_form::edit(&config);
    let retention = f.field("retention").unwrap();
    assert!(!retention.fixed);
    match &retention.value {
        super::Value::Choice { options, .. } => assert_eq!(options, &["limits", "interest"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn push_shows_the_deliver_subject_and_hides_max_waiting() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('c'));
    assert!(!form(&app).shown_key("deliver_subject"));
    assert!(form(&app).shown_key("max_waiting"));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char(' '));
    assert_eq!(form(&app).get("kind"), "push");
    assert!(form(&app).shown_key("deliver_subject"));
    assert!(!form(&app).shown_key("max_waiting"));
    press(&mut app, KeyCode::Tab);
    assert_eq!(form(&app).focused().unwrap().key, "deliver_subject");
}

#[test]
fn the_deliver_start_is_a_sequence_or_a_time() {
    use async_nats::jetstream::consumer::DeliverPolicy;
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('c'));
    let start = |app: &mut App, policy: &str, start: &str| {
        let Some(Overlay::ConfigForm(f)) = app.overlays.last_mut() else {
            panic!("the form is open");
        };
        f.fields = f
            .fields
            .drain(..)
            .map(|mut field| {
                match (field.key, &mut field.value) {
                    ("durable", super::Value::Text(i)) => *i = "audit".to_string().into(),
                    ("deliver_policy", super::Value::Choice { options, index }) => {
                        *index = options.iter().position(|o| *o == policy).unwrap()
                    }
                    ("start", super::Value::Text(i)) => *i = start.to_string().into(),
                    _ => {}
                }
                field
            })
            .collect();
        match f.plan() {
            Ok(super::ConfigPlan::CreateConsumer { config, .. }) => Ok(config.deliver_policy),
            Ok(other) => panic!("{other:?}"),
            Err(errors) => Err(errors),
        }
    };
    assert_eq!(
        start(&mut app, "by_start_sequence", "42"),
        Ok(DeliverPolicy::ByStartSequence { start_sequence: 42 })
    );
    let at = time::OffsetDateTime::from(crate::console::fixtures::now());
    assert_eq!(
        start(&mut app, "by_start_time", "2027-01-15T08:00:00Z"),
        Ok(DeliverPolicy::ByStartTime { start_time: at })
    );
    match start(&mut app, "by_start_time", "10m") {
        Ok(DeliverPolicy::ByStartTime { start_time }) => {
            let ago = time::OffsetDateTime::now_utc() - start_time;
            assert!(
                ago.whole_seconds() >= 600 && ago.whole_seconds() < 660,
                "{ago}"
            );
        }
        other => panic!("{other:?}"),
    }
    let errors = start(&mut app, "by_start_time", "yesterday").unwrap_err();
    assert_eq!(errors[0].0, "start");
    // Not asked for with another policy: the start is neither shown nor checked.
    assert_eq!(start(&mut app, "new", "nonsense"), Ok(DeliverPolicy::New));
}

#[test]
fn an_unlimited_ack_pending_left_empty_is_no_change() {
    let config = async_nats::jetstream::consumer::Config {
        durable_name: Some("all-in".into()),
        max_ack_pending: -1,
        max_deliver: -1,
        ack_wait: Duration::from_secs(30),
        ..Default::default()
    };
    let f = crate::console::overlays::consumer_form::edit("ORDERS", &config);
    assert_eq!(f.get("max_ack_pending"), "");
    let plan = f.plan().unwrap();
    assert!(plan.changes().is_empty(), "{:?}", plan.changes());
}
