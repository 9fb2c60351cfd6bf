//! `NO_COLOR`: not one coloured cell anywhere, and every state still said in words or
//! symbols.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;

use super::theme::Theme;
use crate::broker::ConnectionState;
use crate::console::app::{Action, App, update};
use crate::console::attached::{Attached, MessageRow, Mode, RowState};
use crate::console::fixtures::{self, demo_app};
use crate::console::model::{ConnectionView, ConsumerAlert};

fn draw(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| super::render(frame, app))
        .expect("draw");
    terminal.backend().buffer().clone()
}

fn text(buffer: &Buffer) -> String {
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

/// Cells drawn with a colour (foreground, background or underline).
fn coloured(buffer: &Buffer) -> Vec<(u16, u16)> {
    let mut found = Vec::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let c = &buffer[(x, y)];
            if c.fg != Color::Reset || c.bg != Color::Reset || c.underline_color != Color::Reset {
                found.push((x, y));
            }
        }
    }
    found
}

fn press(app: &mut App, code: KeyCode) {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn message(seq: u64, state: RowState) -> MessageRow {
    MessageRow {
        subject: format!("orders.job{seq}"),
        delivery: crate::broker::Delivery {
            stream: "ORDERS".into(),
            consumer: "ops".into(),
            stream_sequence: seq,
            consumer_sequence: seq + 10,
            delivered: 1,
            pending: 0,
            published: fixtures::now() - Duration::from_secs(12),
        },
        headers: Default::default(),
        body: bytes::Bytes::from(format!("{{\"job\":{seq}}}")),
        clock_start: fixtures::now() - Duration::from_secs(10),
        state,
    }
}

/// Every state the console colours at once: a redelivering and a climbing consumer,
/// stale stream rows, held / acked / nak'd / termed / failed messages, read-only, alerts
/// in the counters.
fn every_state(theme: Theme) -> App {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    app.theme = theme;
    app.session.read_only = true;
    let mut consumers = fixtures::orders_consumers();
    consumers.rows.push(fixtures::consumer(
        "ORDERS",
        "climber",
        "orders.climb",
        5,
        4,
        0,
        ConsumerAlert::AckPendingRising,
    ));
    update(&mut app, Action::Consumers(consumers));
    // A refresh newer than every row read: all their figures are older.
    app.last_refresh = Some(fixtures::now() + Duration::from_secs(5));
    app.attached.push(Attached {
        id: 1,
        stream: "ORDERS".into(),
        consumer: "ops".into(),
        filter: "orders.>".into(),
        ack_wait: Duration::from_secs(30),
        mode: Mode::Manual,
        batch_size: 10,
        fail_every: 0,
        rows: [
            message(7, RowState::Held),
            message(8, RowState::Acked),
            message(9, RowState::Naked(None)),
            message(10, RowState::Termed),
            message(11, RowState::Failed("timed out".into())),
        ]
        .into_iter()
        .collect(),
        selected: 0,
        handled: 0,
        pulling: false,
    });
    app
}

#[test]
fn no_color_draws_no_colour_and_keeps_every_state_word() {
    let app = every_state(Theme::resolve("default", [], true).expect("theme"));
    let buffer = draw(&app, 170, 60);
    let screen = text(&buffer);
    assert_eq!(coloured(&buffer), [], "{screen}");
    for word in [
        "READ-ONLY",
        "● connected",
        "redelivering",
        "acks rising",
        "7↑",
        "~ORDERS",
        "!handler errors",
        "!fetch errors",
        "held",
        "acked",
        "nak'd",
        "termed",
        "failed: timed out",
        "MSG_TERMINATED",
    ] {
        assert!(
            screen.contains(word),
            "`{word}` missing without colour:\n{screen}"
        );
    }
    // The selection still shows, by the marker and reverse video.
    assert!(
        screen.contains("▶ ORDERS") || screen.contains("▶ ~ORDERS"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn the_same_screen_in_the_default_theme_is_coloured() {
    // The check above would pass on a blank screen: the default theme does colour it.
    let buffer = draw(&every_state(Theme::default()), 170, 60);
    assert!(coloured(&buffer).len() > 100);
}

#[test]
fn no_color_overlays_and_disconnected_header_have_no_colour() {
    let colorless = Theme::resolve("light", [("accent", "red")], true).expect("theme");
    // The diagnosis, with its severity as a symbol.
    let mut app = every_state(colorless);
    app.attached.clear();
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Char('i'));
    let buffer = draw(&app, 160, 45);
    assert_eq!(coloured(&buffer), [], "{}", text(&buffer));
    assert!(text(&buffer).contains("Diagnosis"), "{}", text(&buffer));
    // Help, and a disconnected header.
    let mut app = App::new(
        fixtures::session("nats://127.0.0.1:4222", false),
        fixtures::now(),
    );
    app.theme = colorless;
    update(
        &mut app,
        Action::Connection(ConnectionView {
            state: ConnectionState::NotConnected,
            last_error: Some("connection refused".into()),
            ..Default::default()
        }),
    );
    press(&mut app, KeyCode::Char('?'));
    let buffer = draw(&app, 120, 40);
    let screen = text(&buffer);
    assert_eq!(coloured(&buffer), [], "{screen}");
    assert!(
        screen.contains("○ disconnected") && screen.contains("last error"),
        "{screen}"
    );
}

#[test]
fn light_and_high_contrast_themes_draw_their_own_colours() {
    for theme in [Theme::light(), Theme::high_contrast()] {
        let buffer = draw(&every_state(theme), 170, 60);
        let used = |c: Color| {
            (0..buffer.area.height).any(|y| (0..buffer.area.width).any(|x| buffer[(x, y)].fg == c))
        };
        assert!(used(theme.accent) && used(theme.problem) && used(theme.ok));
        // Every colour on screen is one of the theme's: none is hard-coded.
        let roles = [
            theme.accent,
            theme.muted,
            theme.label,
            theme.warning,
            theme.problem,
            theme.danger,
            theme.ok,
            theme.special,
            theme.emphasis,
            theme.on_accent,
            theme.border,
            theme.selection,
            Color::Reset,
        ];
        for y in 0..buffer.area.height {
            for x in 0..buffer.area.width {
                let cell = &buffer[(x, y)];
                assert!(
                    roles.contains(&cell.fg) && roles.contains(&cell.bg),
                    "({x}, {y}) {:?} on {:?} is not a colour of the theme",
                    cell.fg,
                    cell.bg
                );
            }
        }
    }
}
