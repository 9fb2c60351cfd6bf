//! The object-store views (issue 16): whole-console snapshots from fixed data, and the
//! app's side of every key: what each asks, what it sends, and what read-only refuses.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::broker::ObjectSummary;
use crate::console::app::{Action, App, Effect, ObjectAction, ObjectEffect, Overlay, update};
use crate::console::fixtures;
use crate::console::model::StreamView;
use crate::console::overlays::objects::{ObjectAsk, ObjectsState};

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

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn store(name: &str, bytes: u64, description: Option<&str>, sealed: bool) -> StreamView {
    let subjects = [format!("$O.{name}.C.>"), format!("$O.{name}.M.>")];
    let subjects: Vec<&str> = subjects.iter().map(String::as_str).collect();
    let mut s = fixtures::stream(&format!("OBJ_{name}"), &subjects, 12, 12, 0, 0.0);
    s.info.state.bytes = bytes;
    s.info.config.description = description.map(str::to_string);
    s.info.config.sealed = sealed;
    s
}

/// ORDERS, a bucket and two object stores, connected.
fn objects_app() -> App {
    fixtures::app_with(vec![
        store("assets", 10_600_000, Some("demo files"), false),
        store("backups", 2_048, None, true),
        fixtures::stream("ORDERS", &["orders.>"], 1_234, 1_300, 2, 1.5),
    ])
}

fn object(name: &str, size: usize, age: u64) -> ObjectSummary {
    ObjectSummary {
        name: name.into(),
        size,
        chunks: size.div_ceil(128 * 1024),
        modified: Some(fixtures::now() - Duration::from_secs(age)),
        digest: Some("SHA-256=Zm9vYmFyYmF6cXV4X19fX19fX19fX19fX19fX19fX18=".into()),
        description: (name == "logo.svg").then(|| "the logo".to_string()),
    }
}

fn listing() -> Vec<ObjectSummary> {
    vec![
        object("readme.txt", 1_200, 90),
        object("big.bin", 10 * 1024 * 1024, 30),
        object("logo.svg", 5_400, 7_200),
    ]
}

/// The objects view of `assets`, listed.
fn opened() -> App {
    let mut app = objects_app();
    press(&mut app, KeyCode::Char('O'));
    let effects = press(&mut app, KeyCode::Enter);
    assert_eq!(
        effects,
        [Effect::Objects(ObjectEffect::List {
            store: "assets".into()
        })]
    );
    let listed = ObjectAction::Listed {
        store: "assets".into(),
        result: Ok(listing()),
    };
    update(&mut app, Action::Objects(listed));
    app
}

fn view(app: &App) -> &ObjectsState {
    app.overlays
        .iter()
        .rev()
        .find_map(|o| match o {
            Overlay::Objects(v) => Some(&**v),
            _ => None,
        })
        .expect("the objects view is open")
}

fn status(app: &App) -> &str {
    app.status.as_ref().map_or("", |s| s.text.as_str())
}

#[test]
fn stores_view_lists_the_obj_streams_which_the_streams_pane_marks() {
    let mut app = objects_app();
    // An object store's stream holds chunks: the first choice is a message stream.
    assert_eq!(app.selected_stream.as_deref(), Some("ORDERS"));
    let streams = screen(&app, 120, 24);
    assert!(streams.contains("OBJ_assets objects"), "{streams}");
    assert!(!streams.contains("ORDERS objects"), "{streams}");
    press(&mut app, KeyCode::Char('O'));
    assert!(matches!(
        app.overlays.last(),
        Some(Overlay::ObjectStores(_))
    ));
    let shown = screen(&app, 120, 30);
    assert!(
        shown.contains("demo files") && shown.contains("sealed"),
        "{shown}"
    );
    insta::assert_snapshot!(shown);
}

#[test]
fn objects_view_lists_by_name_and_the_store_counts_them() {
    let mut app = opened();
    let names: Vec<_> = view(&app)
        .shown
        .iter()
        .map(|i| view(&app).objects.as_ref().unwrap()[*i].name.clone())
        .collect();
    assert_eq!(names, ["big.bin", "logo.svg", "readme.txt"]);
    let shown = screen(&app, 120, 30);
    assert!(shown.contains("SHA-256=Zm9vYmFy…"), "{shown}");
    assert!(shown.contains("10.0 MiB"), "{shown}");
    insta::assert_snapshot!(shown);
    press(&mut app, KeyCode::Esc);
    let stores = screen(&app, 120, 30);
    let assets = stores.lines().find(|l| l.contains("assets")).unwrap();
    assert!(assets.contains(" 3 "), "{assets}");
}

#[test]
fn filter_and_moves_choose_the_object() {
    let mut app = opened();
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(view(&app).selected_object().unwrap().name, "readme.txt");
    press(&mut app, KeyCode::Char('g'));
    press(&mut app, KeyCode::Down);
    assert_eq!(view(&app).selected_object().unwrap().name, "logo.svg");
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "READ");
    press(&mut app, KeyCode::Enter);
    assert_eq!(view(&app).shown.len(), 1);
    assert_eq!(view(&app).selected_object().unwrap().name, "readme.txt");
    // Esc clears the filter first, then closes.
    press(&mut app, KeyCode::Esc);
    assert_eq!(view(&app).shown.len(), 3);
    assert_eq!(
        press(&mut app, KeyCode::Char('R')),
        [Effect::Objects(ObjectEffect::List {
            store: "assets".into()
        })]
    );
}

#[test]
fn save_offers_a_sanitised_path_shows_progress_and_asks_before_overwriting() {
    let mut app = opened();
    let listed = ObjectAction::Listed {
        store: "assets".into(),
        result: Ok(vec![object("reports/2024 q1.pdf", 10 * 1024 * 1024, 5)]),
    };
    update(&mut app, Action::Objects(listed));
    press(&mut app, KeyCode::Char('s'));
    let Some(Overlay::Prompt(prompt)) = app.overlays.last() else {
        panic!("s opens the save prompt");
    };
    assert_eq!(prompt.input.value(), "./reports_2024_q1.pdf");
    let effects = press(&mut app, KeyCode::Enter);
    let [
        Effect::Objects(ObjectEffect::Save {
            store,
            name,
            path,
            overwrite: false,
            transfer,
        }),
    ] = &effects[..]
    else {
        panic!("Enter saves: {effects:?}");
    };
    assert_eq!(
        (store.as_str(), name.as_str()),
        ("assets", "reports/2024 q1.pdf")
    );
    assert_eq!(path, "./reports_2024_q1.pdf");
    let transfer = *transfer;
    let total = 10 * 1024 * 1024;
    let progress = ObjectAction::Progress {
        store: "assets".into(),
        transfer,
        done: 4 * 1024 * 1024,
        total,
    };
    update(&mut app, Action::Objects(progress));
    let shown = screen(&app, 120, 30);
    assert!(shown.contains("4.0 MiB of 10.0 MiB (40%)"), "{shown}");
    insta::assert_snapshot!("save_in_progress", shown);
    // The file exists: asked, and y saves over it.
    let exists = ObjectAction::SaveExists {
        store: "assets".into(),
        name: name.clone(),
        path: path.clone(),
    };
    update(&mut app, Action::Objects(exists));
    assert!(matches!(
        view(&app).asking,
        Some(ObjectAsk::Overwrite { .. })
    ));
    let effects = press(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(
            &effects[..],
            [Effect::Objects(ObjectEffect::Save {
                overwrite: true,
                ..
            })]
        ),
        "{effects:?}"
    );
    let transfer = view(&app).transfer.as_ref().unwrap().id;
    let done = ObjectAction::Finished {
        store: "assets".into(),
        transfer: Some(transfer),
        result: Ok("saved it".into()),
        reread: false,
    };
    assert!(update(&mut app, Action::Objects(done)).is_empty());
    assert!(view(&app).transfer.is_none());
    assert_eq!(status(&app), "saved it");
}

#[test]
fn put_asks_for_a_file_then_a_name_and_says_when_it_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("logo.svg");
    std::fs::write(&file, b"<svg/>").unwrap();
    let mut app = opened();
    press(&mut app, KeyCode::Char('u'));
    type_text(&mut app, &file.display().to_string());
    press(&mut app, KeyCode::Enter);
    let Some(Overlay::Prompt(prompt)) = app.overlays.last() else {
        panic!("the name is asked next");
    };
    assert_eq!(prompt.input.value(), "logo.svg");
    assert!(press(&mut app, KeyCode::Enter).is_empty(), "asked first");
    let Some(ObjectAsk::Put { replaces, size, .. }) = &view(&app).asking else {
        panic!("the put is asked");
    };
    assert_eq!(replaces.as_ref().map(|o| o.size), Some(5_400));
    assert_eq!(*size, 6);
    let shown = screen(&app, 120, 30);
    assert!(shown.contains("REPLACES the object logo.svg"), "{shown}");
    let effects = press(&mut app, KeyCode::Char('y'));
    let [Effect::Objects(ObjectEffect::Put { name, path, .. })] = &effects[..] else {
        panic!("y puts: {effects:?}");
    };
    assert_eq!((name.as_str(), path), ("logo.svg", &file));
    // After the put the objects are read again.
    let transfer = view(&app).transfer.as_ref().unwrap().id;
    let done = ObjectAction::Finished {
        store: "assets".into(),
        transfer: Some(transfer),
        result: Ok("put".into()),
        reread: true,
    };
    assert_eq!(
        update(&mut app, Action::Objects(done)),
        [Effect::Objects(ObjectEffect::List {
            store: "assets".into()
        })]
    );
}

#[test]
fn a_missing_file_is_refused_in_the_prompt() {
    let mut app = opened();
    press(&mut app, KeyCode::Char('u'));
    type_text(&mut app, "/no/such/file");
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    let Some(Overlay::Prompt(prompt)) = app.overlays.last() else {
        panic!("the prompt stays");
    };
    assert!(prompt.error.as_deref().unwrap().contains("/no/such/file"));
}

#[test]
fn delete_asks_with_the_name_and_size_and_n_leaves_it() {
    let mut app = opened();
    assert!(press(&mut app, KeyCode::Char('d')).is_empty());
    let shown = screen(&app, 120, 30);
    assert!(
        shown.contains("Delete big.bin (10.0 MiB) from assets?"),
        "{shown}"
    );
    insta::assert_snapshot!("delete_asks", shown);
    assert!(press(&mut app, KeyCode::Char('n')).is_empty());
    assert!(view(&app).asking.is_none());
    press(&mut app, KeyCode::Char('d'));
    assert_eq!(
        press(&mut app, KeyCode::Char('y')),
        [Effect::Objects(ObjectEffect::Delete {
            store: "assets".into(),
            name: "big.bin".into()
        })]
    );
}

#[test]
fn read_only_saves_but_refuses_put_and_delete() {
    let mut app = opened();
    app.session.read_only = true;
    for code in [KeyCode::Char('u'), KeyCode::Char('d')] {
        assert!(press(&mut app, code).is_empty());
        assert!(
            status(&app).starts_with("read-only, refused"),
            "{}",
            status(&app)
        );
        assert!(matches!(app.overlays.last(), Some(Overlay::Objects(_))));
    }
    press(&mut app, KeyCode::Char('s'));
    let effects = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::Objects(ObjectEffect::Save { .. })]),
        "{effects:?}"
    );
}
