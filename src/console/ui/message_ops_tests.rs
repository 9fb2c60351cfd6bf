//! The subjects view and the filtered browser, drawn from fixed data; the keys that copy
//! and delete, and what they ask of the server (nothing, for a copy).

use std::collections::BTreeMap;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::broker::{BrowseWindow, Headers, StoredMessage};
use crate::console::app::{Action, App, Effect, update};
use crate::console::fixtures::{self, demo_app};
use crate::console::overlays::Overlay;
use crate::console::overlays::browse::{BrowseFilter, BrowseRow};
use crate::console::overlays::subjects::SubjectCounts;

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

fn stored(sequence: u64, subject: &str, body: &str) -> StoredMessage {
    StoredMessage {
        stream: "ORDERS".into(),
        subject: subject.into(),
        sequence,
        headers: Headers::new(),
        body: body.as_bytes().to_vec().into(),
        time: fixtures::now() - Duration::from_secs(120 - sequence),
    }
}

fn subjects_app(subjects: BTreeMap<String, u64>) -> App {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    let effects = press(&mut app, KeyCode::Char('u'));
    assert_eq!(
        effects,
        [Effect::ListSubjects {
            stream: "ORDERS".into()
        }]
    );
    update(
        &mut app,
        Action::SubjectsListed {
            stream: "ORDERS".into(),
            result: Ok(SubjectCounts::new(subjects)),
        },
    );
    app
}

#[test]
fn subjects_view_by_count() {
    let subjects = [
        ("orders.eu.created", 1_200),
        ("orders.us.created", 3_400),
        ("orders.eu.shipped", 75),
        ("orders.us.shipped", 75),
        ("orders.ap.created", 9),
    ]
    .into_iter()
    .map(|(s, n)| (s.to_string(), n))
    .collect();
    let mut app = subjects_app(subjects);
    let text = screen(&app, 120, 30);
    assert!(
        text.contains("Subjects of ORDERS · 5 subjects, 4,759 messages · by count"),
        "{text}"
    );
    insta::assert_snapshot!(text);
    // s: by name, the selection kept on the subject it was on.
    press(&mut app, KeyCode::Char('s'));
    let text = screen(&app, 120, 30);
    assert!(text.contains("by name"), "{text}");
    let selected = text
        .lines()
        .find(|l| l.contains('▶') && l.contains("3,400"));
    assert!(
        selected.is_some_and(|l| l.contains("orders.us.created")),
        "{text}"
    );
}

#[test]
fn enter_on_a_subject_browses_only_it() {
    let subjects = [("orders.a", 3), ("orders.b", 5)]
        .into_iter()
        .map(|(s, n)| (s.to_string(), n))
        .collect();
    let mut app = subjects_app(subjects);
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(
        effects,
        [Effect::BrowseLocate {
            stream: "ORDERS".into(),
            filter: BrowseFilter::subject("orders.b"),
            at_last: false,
        }]
    );
    assert!(matches!(app.overlay(), Some(Overlay::Browse(_))));
}

#[test]
fn a_million_subjects_are_counted_whole_and_drawn_quickly() {
    let subjects: BTreeMap<String, u64> = (0..1_000_000u64)
        .map(|i| (format!("sensor.{i:07}"), i % 97 + 1))
        .collect();
    let total: u64 = subjects.values().sum();
    let mut app = subjects_app(subjects);
    // Both orders come sorted: switching is a pass over indexes, not a sort.
    // Timed in this thread's CPU time: the wall clock also counts waiting for a core.
    let started = fixtures::thread_cpu_time();
    press(&mut app, KeyCode::Char('s'));
    press(&mut app, KeyCode::Char('s'));
    let switched = fixtures::thread_cpu_time() - started;
    assert!(switched < Duration::from_millis(500), "s took {switched:?}");
    let started = fixtures::thread_cpu_time();
    let text = screen(&app, 120, 30);
    let took = fixtures::thread_cpu_time() - started;
    assert!(
        text.contains(&format!(
            "1,000,000 subjects, {} messages",
            crate::console::ui::fmt_count(total)
        )),
        "{text}"
    );
    // A frame builds only the rows on screen: well under the 1 s refresh.
    assert!(took < Duration::from_millis(250), "one frame took {took:?}");
}

/// The browser on ORDERS with a subject and a start time set, its first page read.
fn filtered_browser() -> App {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Char('b'));
    press(&mut app, KeyCode::Char('/'));
    update(&mut app, Action::Paste("orders.eu.*".into()));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('T'));
    update(&mut app, Action::Paste("10m".into()));
    let effects = press(&mut app, KeyCode::Enter);
    let Some(Effect::BrowseLocate { filter, .. }) = effects.first() else {
        panic!("a locate, not {effects:?}");
    };
    assert_eq!(filter.subject.as_deref(), Some("orders.eu.*"));
    let rows = [
        (41, "orders.eu.created"),
        (44, "orders.eu.shipped"),
        (52, "orders.eu.created"),
    ]
    .into_iter()
    .map(|(seq, subject)| BrowseRow::Stored(stored(seq, subject, &format!("{{\"id\":{seq}}}"))))
    .collect();
    update(
        &mut app,
        Action::BrowseLocated {
            stream: "ORDERS".into(),
            filter: filter.clone(),
            at_last: false,
            result: Ok(Some((
                BrowseWindow {
                    first: 41,
                    last: 52,
                    count: None,
                    direct: false,
                },
                rows,
            ))),
        },
    );
    app
}

#[test]
fn browse_title_names_the_filters() {
    let app = filtered_browser();
    let text = screen(&app, 120, 30);
    assert!(
        text.contains("Browse ORDERS · subject orders.eu.* · since 10m · sequences 41–52"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn y_copies_the_selected_body_and_changes_nothing_on_the_server() {
    let mut app = filtered_browser();
    press(&mut app, KeyCode::Down);
    let effects = press(&mut app, KeyCode::Char('y'));
    assert_eq!(effects, [Effect::Clipboard("{\"id\":44}".into())]);
    // Esc clears the filters first (the browser stays), then closes.
    let effects = press(&mut app, KeyCode::Esc);
    assert!(
        matches!(effects.as_slice(), [Effect::Browse { .. }]),
        "{effects:?}"
    );
    assert!(matches!(app.overlay(), Some(Overlay::Browse(_))));
    press(&mut app, KeyCode::Esc);
    assert!(app.overlay().is_none());
}

#[test]
fn delete_asks_naming_stream_sequence_and_subject() {
    let mut app = filtered_browser();
    let effects = press(&mut app, KeyCode::Delete);
    assert!(effects.is_empty(), "nothing sent before the answer");
    let text = screen(&app, 120, 30);
    assert!(
        text.contains("Delete ORDERS seq 41 from the stream?"),
        "{text}"
    );
    assert!(text.contains("Subject orders.eu.created"), "{text}");
    insta::assert_snapshot!(text);
    let narrow = screen(&app, 80, 24);
    assert!(
        narrow.contains("y delete   e erase"),
        "wrapped, not cut:\n{narrow}"
    );
    let effects = press(&mut app, KeyCode::Char('e'));
    assert_eq!(
        effects,
        [Effect::DeleteMessage {
            stream: "ORDERS".into(),
            sequence: 41,
            erase: true,
        }]
    );
    update(
        &mut app,
        Action::MessageDeleted {
            stream: "ORDERS".into(),
            sequence: 41,
            erase: true,
            result: Ok(true),
        },
    );
    let status = app.status.clone().unwrap();
    assert_eq!(
        status.text,
        "ORDERS seq 41 erased (checked: no longer in the stream)"
    );
    let Some(Overlay::Browse(b)) = app.overlay() else {
        panic!("the browser")
    };
    assert!(
        b.rows.iter().all(|r| r.sequence() != 41),
        "gone from the page"
    );
}

#[test]
fn save_offers_a_name_by_content_and_asks_before_overwriting() {
    let mut app = filtered_browser();
    press(&mut app, KeyCode::Enter);
    let effects = press(&mut app, KeyCode::Char('y'));
    assert_eq!(effects, [Effect::Clipboard("{\"id\":41}".into())]);
    press(&mut app, KeyCode::Char('s'));
    let Some(Overlay::Prompt(p)) = app.overlay() else {
        panic!("the path prompt")
    };
    assert_eq!(p.input.value(), "./ORDERS-41.json");
    let effects = press(&mut app, KeyCode::Enter);
    let [
        Effect::SaveBody {
            overwrite: false, ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    update(
        &mut app,
        Action::Saved {
            path: "./ORDERS-41.json".into(),
            body: "{\"id\":41}".into(),
            result: Err(crate::console::app::SaveFailure::Exists),
        },
    );
    let effects = press(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::SaveBody {
                overwrite: true,
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn the_browser_shows_each_run_of_deleted_sequences_as_one_row() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    let effects = press(&mut app, KeyCode::Char('b'));
    let [Effect::Browse { from, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let from = *from;
    // Bodies stored 30 s ago (`stored` dates them by a sequence under 120).
    let messages = [from, from + 1, from + 6, from + 7]
        .map(|sequence| StoredMessage {
            sequence,
            time: fixtures::now() - Duration::from_secs(30),
            ..stored(1, "orders.created", &format!("{{\"id\":{sequence}}}"))
        })
        .to_vec();
    let last = from + 11;
    update(
        &mut app,
        Action::Browsed {
            stream: "ORDERS".into(),
            from,
            result: Ok(crate::console::overlays::browse::BrowsePage {
                rows: crate::console::overlays::browse::page_rows(from, messages, Some(last)),
                bound: None,
            }),
        },
    );
    let text = screen(&app, 120, 30);
    assert!(text.contains("… 4 deleted"), "{text}");
    assert!(
        text.contains(&format!("sequences {}–{last}", from + 8)),
        "{text}"
    );
    insta::assert_snapshot!(text);
}
