//! Whole-console snapshots on ratatui's TestBackend, from fixed data.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;

use crate::broker::{ConnectionState, mask_url};
use crate::console::app::{Action, App, update};
use crate::console::fixtures::{self, demo_app};
use crate::console::model::{ConnectionView, ConsumersView};

fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| super::render(frame, app))
        .expect("draw");
    terminal
}

fn screen(app: &App, width: u16, height: u16) -> String {
    draw(app, width, height).backend().to_string()
}

fn press(app: &mut App, code: KeyCode) {
    update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

#[test]
fn wide_console_with_demo_data() {
    let app = demo_app("nats://127.0.0.1:4222", true);
    insta::assert_snapshot!(screen(&app, 160, 45));
}

#[test]
fn narrow_80x24_keeps_the_important_columns() {
    let app = demo_app("nats://127.0.0.1:4222", false);
    let text = screen(&app, 80, 24);
    for must in [
        "ORDERS",
        "Msgs",
        "flaky-billing",
        "Pending",
        "Health",
        "redelivering",
        "q quit",
    ] {
        assert!(text.contains(must), "{must} missing at 80x24:\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn a_password_in_the_url_is_masked() {
    let app = demo_app(&mask_url("nats://admin:s3cret@nats.prod:4222"), false);
    let text = screen(&app, 120, 30);
    assert!(!text.contains("s3cret"));
    assert!(text.contains("nats://admin:***@nats.prod:4222"));
    insta::assert_snapshot!(text);
}

#[test]
fn empty_and_disconnected_says_how_to_connect() {
    let mut app = App::new(
        fixtures::session("nats://127.0.0.1:4222", false),
        fixtures::now(),
    );
    update(
        &mut app,
        Action::Connection(ConnectionView {
            state: ConnectionState::NotConnected,
            last_error: Some(
                "could not connect to nats://127.0.0.1:4222: connection refused".into(),
            ),
            ..Default::default()
        }),
    );
    let text = screen(&app, 120, 30);
    assert!(text.contains("jetdeck --embedded"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn connected_with_no_streams() {
    let mut app = App::new(
        fixtures::session("nats://127.0.0.1:4222", false),
        fixtures::now(),
    );
    update(&mut app, Action::Connection(fixtures::connected()));
    update(
        &mut app,
        Action::Snapshot(Box::new(fixtures::snapshot(
            Vec::new(),
            ConsumersView::default(),
        ))),
    );
    insta::assert_snapshot!(screen(&app, 120, 30));
}

#[test]
fn long_names_are_cut_not_wrapped() {
    let mut app = App::new(
        fixtures::session("nats://127.0.0.1:4222", false),
        fixtures::now(),
    );
    update(&mut app, Action::Connection(fixtures::connected()));
    let long = "A_VERY_LONG_STREAM_NAME_FROM_A_TEAM_THAT_LIKES_DESCRIPTIVE_NAMES";
    let subjects = [
        "a-very-long-stream-name-from-a-team.>",
        "another.very.long.subject.tree.>",
    ];
    update(
        &mut app,
        Action::Snapshot(Box::new(fixtures::snapshot(
            vec![fixtures::stream(long, &subjects, 5, 5, 0, 0.0)],
            ConsumersView::default(),
        ))),
    );
    insta::assert_snapshot!(screen(&app, 100, 24));
}

#[test]
fn stream_detail_overlay() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Enter);
    let text = screen(&app, 120, 40);
    assert!(text.contains("Stream ORDERS"));
    assert!(
        text.contains("duplicate_window") && text.contains("2m"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn consumer_detail_overlay() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Enter);
    let text = screen(&app, 120, 40);
    assert!(text.contains("Consumer ORDERS / flaky-billing"), "{text}");
    assert!(text.contains("ack_wait") && text.contains("30s"));
    insta::assert_snapshot!(text);
}

#[test]
fn help_overlay_lists_every_key() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Char('?'));
    // Tall enough for every line without scrolling.
    let text = screen(&app, 120, 70);
    for (key, _) in super::help::entries(&app.keys)
        .iter()
        .filter(|(k, _)| !k.is_empty())
    {
        assert!(text.contains(key), "help lacks {key}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn filtering_streams_by_name() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Char('/'));
    for c in "user".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let text = screen(&app, 120, 30);
    assert!(
        text.contains("USER_EVENTS") && !text.contains("TEST "),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn a_redelivering_consumer_stands_out_in_red() {
    let app = demo_app("nats://127.0.0.1:4222", false);
    let terminal = draw(&app, 160, 45);
    let buffer = terminal.backend().buffer();
    let row = (0..buffer.area.height)
        .find(|&y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .contains("orders.billing")
        })
        .expect("flaky-billing row");
    let name_x = (0..buffer.area.width)
        .find(|&x| buffer[(x, row)].symbol() == "f")
        .expect("name cell");
    assert_eq!(buffer[(name_x, row)].fg, Color::LightRed);
    let calm = (0..buffer.area.height)
        .find(|&y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .contains("orders.created")
        })
        .expect("order-processor row");
    assert_ne!(buffer[(name_x, calm)].fg, Color::LightRed);
}

#[test]
fn a_thousand_streams_scroll_to_the_selection() {
    let mut app = App::new(
        fixtures::session("nats://127.0.0.1:4222", false),
        fixtures::now(),
    );
    let streams = (0..1000)
        .map(|i| fixtures::stream(&format!("S{i:04}"), &[&format!("s{i:04}.>")], 1, 1, 0, 0.0))
        .collect();
    update(
        &mut app,
        Action::Snapshot(Box::new(fixtures::snapshot(
            streams,
            ConsumersView::default(),
        ))),
    );
    let text = screen(&app, 120, 30);
    assert!(text.contains("S0000") && !text.contains("S0999"));
    press(&mut app, KeyCode::Char('G'));
    let text = screen(&app, 120, 30);
    assert!(text.contains("▶ S0999"), "{text}");
    assert!(!text.contains("S0000"));
    for _ in 0..3 {
        press(&mut app, KeyCode::Up);
    }
    assert!(screen(&app, 120, 30).contains("▶ S0996"));
}

#[test]
fn held_messages_show_their_countdown() {
    use crate::console::attached::{Attached, Mode, RowState};
    use std::time::Duration;
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    let row = |seq: u64, delivered: u64, state: RowState| crate::console::attached::MessageRow {
        subject: format!("orders.job{seq}"),
        delivery: crate::broker::Delivery {
            stream: "ORDERS".into(),
            consumer: "ops".into(),
            stream_sequence: seq,
            consumer_sequence: seq + 10,
            delivered,
            pending: 0,
            published: fixtures::now() - Duration::from_secs(12),
        },
        headers: Default::default(),
        body: bytes::Bytes::from(format!("{{\"job\":{seq}}}")),
        clock_start: fixtures::now() - Duration::from_secs(10),
        state,
    };
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
            row(7, 1, RowState::Held),
            row(8, 2, RowState::Held),
            row(9, 1, RowState::Naked(Some(Duration::from_secs(10)))),
        ]
        .into_iter()
        .collect(),
        selected: 0,
        handled: 0,
        pulling: false,
    });
    let text = screen(&app, 140, 45);
    assert!(
        text.contains("orders.job7") && text.contains("20s"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn a_clustered_stream_shows_its_leader_and_lagging_replicas() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    let cluster: async_nats::jetstream::stream::ClusterInfo =
        serde_json::from_value(serde_json::json!({
            "name": "east",
            "leader": "n1",
            "replicas": [
                {"name": "n2", "current": true, "active": 1000, "lag": 0},
                {"name": "n3", "current": false, "active": 1000, "lag": 42}
            ]
        }))
        .unwrap();
    app.streams[0].info.cluster = Some(cluster);
    let text = screen(&app, 160, 45);
    assert!(text.contains("Leader"), "{text}");
    assert!(text.contains("n1 +1 lag"), "{text}");
}

#[test]
fn tiny_terminals_never_panic() {
    let overlays = [
        KeyCode::Char('?'),
        KeyCode::Enter,
        KeyCode::Char('p'),
        KeyCode::Char('S'),
        KeyCode::Char('b'),
    ];
    for (w, h) in [(1, 1), (10, 3), (20, 5), (40, 10), (79, 23)] {
        let app = demo_app("nats://127.0.0.1:4222", true);
        draw(&app, w, h);
        for key in overlays {
            let mut app = demo_app("nats://127.0.0.1:4222", true);
            press(&mut app, key);
            draw(&app, w, h);
        }
        let mut app = demo_app("nats://127.0.0.1:4222", true);
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Char('d'));
        draw(&app, w, h);
    }
}

#[test]
fn a_prompt_over_the_browser_draws_both() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    press(&mut app, KeyCode::Char('b'));
    press(&mut app, KeyCode::Char(':'));
    let text = screen(&app, 120, 40);
    assert!(text.contains("Browse ORDERS"), "{text}");
    assert!(text.contains("Jump to sequence"), "{text}");
}

/// The demo's two dead letters listed (seq 80 still in its stream, seq 90 gone), the
/// first marked, no capture stream yet (the offer shows).
fn dead_letters_app() -> App {
    let mut app = demo_app("nats://127.0.0.1:4222", true);
    press(&mut app, KeyCode::Char('D'));
    let filter = crate::deadletters::Filter::default();
    let mut letters = crate::deadletters::dead_letters_from(&app.seen_advisories(), &filter);
    letters[0].original = Some(crate::broker::StoredMessage {
        stream: "ORDERS".into(),
        subject: "orders.billing".into(),
        sequence: 80,
        headers: Default::default(),
        body: bytes::Bytes::from_static(b"{\"order\":80}"),
        time: fixtures::now(),
    });
    let result = Ok((letters, false));
    update(&mut app, Action::DeadLettersListed { result });
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Up);
    app
}

#[test]
fn dead_letters_overlay_160x45() {
    let app = dead_letters_app();
    let text = screen(&app, 160, 45);
    for must in [
        "orders.billing",
        "gone",
        "terminated: bad json",
        "c creates",
    ] {
        assert!(text.contains(must), "{must} missing:\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn dead_letters_overlay_80x24() {
    let app = dead_letters_app();
    let text = screen(&app, 80, 24);
    assert!(text.contains("80"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn dead_letters_retry_preview() {
    let mut app = dead_letters_app();
    press(&mut app, KeyCode::Char('r'));
    let text = screen(&app, 160, 45);
    assert!(text.contains("Retry 1 dead letter?"), "{text}");
    assert!(text.contains("ORDERS seq 80"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn capture_stream_offer_shows_its_limits() {
    let mut app = dead_letters_app();
    press(&mut app, KeyCode::Char('c'));
    let text = screen(&app, 160, 45);
    assert!(
        text.contains("64.0 MiB") || text.contains("64 MiB"),
        "{text}"
    );
    assert!(text.contains("7 days"), "{text}");
    insta::assert_snapshot!(text);
}

/// The demo's ORDERS with `worker` stalled at its max ack pending (2 of 2), `i` pressed
/// on it.
fn diagnosed_stalled_worker() -> App {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    let mut stalled = fixtures::consumer(
        "ORDERS",
        "worker",
        "orders.created",
        5,
        2,
        0,
        crate::console::model::ConsumerAlert::None,
    );
    stalled.info.config.max_ack_pending = 2;
    let mut consumers = fixtures::orders_consumers();
    consumers.rows.push(stalled);
    update(&mut app, Action::Consumers(consumers));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::End);
    press(&mut app, KeyCode::Char('i'));
    app
}

#[test]
fn the_diagnosis_of_a_stalled_consumer_160x45() {
    let app = diagnosed_stalled_worker();
    let text = screen(&app, 160, 45);
    assert!(text.contains("Consumer ORDERS / worker"), "{text}");
    assert!(
        text.contains("Diagnosis") && text.contains("stalled"),
        "{text}"
    );
    assert!(text.contains("what to do"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_diagnosis_of_a_stalled_consumer_80x24() {
    let app = diagnosed_stalled_worker();
    let text = screen(&app, 80, 24);
    assert!(text.contains("stalled"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_health_column_says_stalled() {
    let mut app = diagnosed_stalled_worker();
    press(&mut app, KeyCode::Esc);
    let text = screen(&app, 160, 45);
    let line = text
        .lines()
        .find(|l| l.contains("worker"))
        .unwrap_or_default();
    assert!(line.contains("stalled"), "{text}");
}

#[test]
fn a_large_account_lists_every_name_and_greys_figures_older_than_the_refresh() {
    let mut app = demo_app("nats://127.0.0.1:4222", false);
    let later = fixtures::now() + std::time::Duration::from_secs(1);
    // 1,003 streams: the three of the demo and a thousand more, of which only ORDERS
    // was read this refresh (the others' figures are older or were never read).
    let mut names: Vec<String> = (0..1_000).map(|i| format!("BULK_{i:04}")).collect();
    names.extend(["ORDERS", "TEST", "USER_EVENTS"].map(String::from));
    names.sort();
    let mut orders = fixtures::streams().remove(0);
    orders.read_at = later;
    let mut snapshot = fixtures::snapshot(vec![orders], fixtures::orders_consumers());
    snapshot.taken = later;
    snapshot.stream_names = names.into();
    snapshot.streams_complete = false;
    if let Some(account) = snapshot.account.as_mut() {
        account.streams = 1_003;
    }
    update(&mut app, Action::Snapshot(Box::new(snapshot)));
    // Kept from the earlier refresh, now older than this one.
    assert!(app.stream("TEST").is_some_and(|s| s.read_at < later));
    assert!(app.stream("BULK_0000").is_none());
    // The selection on the last row, so ORDERS and TEST show above it.
    press(&mut app, KeyCode::Char('G'));
    let terminal = draw(&app, 160, 30);
    let text = terminal.backend().to_string();
    assert!(text.contains("Streams (1,003)"), "{text}");
    assert!(text.contains("read around the selection; grey ~: older than the refresh"));
    // Totals over streams not all read are said to be at least that much.
    let tall = screen(&app, 160, 45);
    assert!(tall.contains("≥52 │"), "{tall}");
    // TEST (kept, older) is grey and marked `~` (readable without colour); ORDERS (read
    // now) is neither.
    assert!(text.contains("~TEST "), "{text}");
    assert!(!text.contains("~ORDERS"), "{text}");
    let buffer = terminal.backend().buffer();
    let row_of = |name: &str| {
        (0..buffer.area.height)
            .find(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, *y)].symbol())
                    .collect::<String>()
                    .contains(name)
            })
            .unwrap()
    };
    let fg_at = |y: u16| buffer[(60, y)].fg;
    assert_eq!(fg_at(row_of("~TEST ")), Color::DarkGray);
    assert_ne!(fg_at(row_of("ORDERS ")), Color::DarkGray);
    // The filter covers every name, read or not.
    press(&mut app, KeyCode::Char('/'));
    for c in "BULK_09".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.visible_streams().len(), 100);
    insta::assert_snapshot!(screen(&app, 160, 30));
}
