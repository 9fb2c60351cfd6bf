//! Rebinding from a configuration file, through the whole console: what a key does
//! (update), and what the hint bar and the help overlay show.

use std::path::Path;
use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::console::app::{Action, App, Pane, update};
use crate::console::fixtures::demo_app;
use crate::console::overlays::Overlay;

const CONFIG: &str = r#"
[keys.streams]
help = "H"

[keys.panes]
next-pane = "L"

[keys.messages]
ack = "A"
"#;

fn rebound_app() -> App {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    let loaded = crate::config::parse(Path::new("config.toml"), CONFIG).expect("a good file");
    app.keys = Arc::new(loaded.keys);
    app
}

fn press(app: &mut App, code: KeyCode) {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| crate::console::ui::render(frame, app))
        .expect("draw");
    terminal.backend().to_string()
}

fn help_open(app: &App) -> bool {
    matches!(app.overlays.last(), Some(Overlay::Help { .. }))
}

#[test]
fn a_rebound_key_does_the_command_and_the_old_one_no_longer_does() {
    let mut app = rebound_app();
    press(&mut app, KeyCode::Char('?'));
    assert!(!help_open(&app), "? is not help in streams any more");
    press(&mut app, KeyCode::Char('H'));
    assert!(help_open(&app), "H opens help in streams");
    press(&mut app, KeyCode::Esc);
    assert!(app.overlays.is_empty());
    // Tab no longer changes pane; L does, in every pane.
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Streams);
    press(&mut app, KeyCode::Char('L'));
    assert_eq!(app.focus, Pane::Consumers);
    // In consumers, ? is still help (only streams rebound it).
    press(&mut app, KeyCode::Char('?'));
    assert!(help_open(&app));
}

#[test]
fn the_hint_bar_shows_the_keys_in_effect() {
    let app = rebound_app();
    let text = screen(&app, 160, 45);
    let bar = text
        .lines()
        .find(|l| l.contains("q quit"))
        .unwrap_or_default()
        .to_string();
    assert!(
        bar.contains("H help") && bar.contains("L pane") && !bar.contains("? help"),
        "{bar}"
    );
}

#[test]
fn help_shows_the_keys_in_effect() {
    let mut app = rebound_app();
    press(&mut app, KeyCode::Char('H'));
    let text = screen(&app, 120, 60);
    for must in [
        "A / n",
        "H  in streams",
        "L / Shift-Tab",
        "Keys as the configuration file rebinds them (3 rebound)",
    ] {
        assert!(text.contains(must), "help lacks {must:?}:\n{text}");
    }
    assert!(!text.contains("a / n") && !text.contains("Tab / Shift-Tab"));
    insta::assert_snapshot!(text);
}
