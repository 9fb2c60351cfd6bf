//! The config forms against a real server: the console's own update and effects (keys
//! in, effects run through the real broker, results back), and the server read back by
//! a separate client. One pty test drives the binary.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use async_nats::jetstream::{self, consumer, stream};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::{mpsc, watch};

use jetdeck::broker::Broker;
use jetdeck::console::app::{Action, App, Effect, Overlay, update};
use jetdeck::console::effects::EffectRunner;
use jetdeck::console::model::{ConsumerView, ConsumersView, SessionInfo, Snapshot, StreamView};
use jetdeck::server::NatsServer;

use crate::common::{broker_for, raw};
use crate::pty::Console;

const ANSWER: Duration = Duration::from_secs(10);

/// The console's state driven by keys, its effects run by the real effect runner.
struct Harness {
    app: App,
    runner: EffectRunner,
    actions: mpsc::UnboundedReceiver<Action>,
    broker: Broker,
    _selected: watch::Receiver<Option<String>>,
}

impl Harness {
    async fn on(server: &NatsServer) -> Self {
        let broker = broker_for(&server.url());
        broker.connect().await.expect("connect");
        let (tx, actions) = mpsc::unbounded_channel();
        let (selected, _selected) = watch::channel(None);
        let runner = EffectRunner::new(broker.clone(), tx, selected);
        let session = SessionInfo {
            servers: server.url(),
            context: None,
            embedded: None,
            log_file: PathBuf::from("/dev/null"),
            read_only: false,
        };
        let mut h = Self {
            app: App::new(session, SystemTime::now()),
            runner,
            actions,
            broker,
            _selected,
        };
        h.refresh().await;
        h
    }

    /// What the collector would send: every stream, the selected one's consumers.
    async fn refresh(&mut self) {
        let streams: Vec<StreamView> = self
            .broker
            .list_streams()
            .await
            .unwrap()
            .into_iter()
            .map(|info| StreamView {
                info,
                rate: 0.0,
                history: Default::default(),
                read_at: SystemTime::now(),
            })
            .collect();
        let selected = self
            .app
            .selected_stream
            .clone()
            .or_else(|| streams.first().map(|s| s.info.config.name.clone()));
        let mut consumers = ConsumersView {
            stream: selected.clone(),
            rows: Vec::new(),
        };
        if let Some(stream) = &selected {
            consumers.rows = self
                .broker
                .list_consumers(stream)
                .await
                .unwrap()
                .into_iter()
                .map(|info| ConsumerView {
                    info,
                    delivered_rate: 0.0,
                    acked_rate: 0.0,
                    alert: Default::default(),
                })
                .collect();
        }
        let snapshot = Snapshot {
            taken: SystemTime::now(),
            account: None,
            stream_names: streams.iter().map(|s| s.info.config.name.clone()).collect(),
            streams,
            streams_complete: true,
            streams_listed: true,
            denied: Vec::new(),
            consumers,
            metrics: Default::default(),
            requests: 0,
        };
        update(&mut self.app, Action::Snapshot(Box::new(snapshot)));
    }

    /// Presses keys: `\t` Tab, `\r` Enter, `\x1b` Esc, `\x7f` Backspace, `→` `←` `↓`.
    fn keys(&mut self, keys: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for c in keys.chars() {
            let code = match c {
                '\t' => KeyCode::Tab,
                '\r' => KeyCode::Enter,
                '\x1b' => KeyCode::Esc,
                '\x7f' => KeyCode::Backspace,
                '→' => KeyCode::Right,
                '←' => KeyCode::Left,
                '↓' => KeyCode::Down,
                c => KeyCode::Char(c),
            };
            let key = KeyEvent::new(code, KeyModifiers::NONE);
            effects.extend(update(&mut self.app, Action::Key(key)));
        }
        effects
    }

    /// Tabs to the field `key` of the open form, and clears it.
    fn field(&mut self, key: &str) {
        for _ in 0..30 {
            if form(&self.app).focused().map(|f| f.key) == Some(key) {
                let len = form(&self.app).get(key).chars().count();
                self.keys(&"\x7f".repeat(len));
                return;
            }
            self.keys("\t");
        }
        panic!("no focusable field {key}");
    }

    /// Sets field `key` to `text`.
    fn set(&mut self, key: &str, text: &str) {
        self.field(key);
        assert!(self.keys(text).is_empty(), "typing sends nothing");
    }

    /// Runs the config effects and feeds their results back, until none is left.
    async fn run(&mut self, effects: Vec<Effect>) {
        let mut queue = effects;
        while let Some(effect) = queue.pop() {
            if !matches!(effect, Effect::Configure(_)) {
                continue;
            }
            self.runner.run(effect);
            let action = tokio::time::timeout(ANSWER, self.actions.recv())
                .await
                .expect("the server answers")
                .expect("the runner is alive");
            queue.extend(update(&mut self.app, action));
        }
    }

    fn status(&self) -> String {
        self.app
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }

    fn requests(&self) -> u64 {
        self.broker.metrics().api_requests
    }
}

fn form(app: &App) -> &jetdeck::console::overlays::config_form::ConfigForm {
    app.overlays
        .iter()
        .rev()
        .find_map(|o| match o {
            Overlay::ConfigForm(f) => Some(f.as_ref()),
            _ => None,
        })
        .expect("a config form is open")
}

fn preview_lines(app: &App) -> Vec<(String, String)> {
    match app.overlay() {
        Some(Overlay::ConfigPreview(p)) => p.lines.clone(),
        other => panic!("expected the preview, got {other:?}"),
    }
}

async fn stream_config(js: &jetstream::Context, name: &str) -> stream::Config {
    js.get_stream(name)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .config
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_made_in_the_form_holds_every_field_on_the_server() {
    let server = NatsServer::start().await.unwrap();
    let mut h = Harness::on(&server).await;
    assert!(h.keys("c").is_empty());
    h.set("name", "ORDERS");
    h.set("subjects", "orders.*, refunds.>");
    h.field("retention");
    h.keys("→"); // interest
    h.field("storage");
    h.keys(" ←"); // memory and back: file
    h.set("replicas", "1");
    h.set("max_msgs", "1000");
    h.set("max_bytes", "1GiB");
    h.set("max_age", "1h");
    h.set("max_msg_size", "512KB");
    h.field("discard");
    h.keys("→"); // new
    h.set("duplicate_window", "1m");
    h.field("allow_direct");
    h.keys(" "); // yes
    let before = h.requests();
    assert!(h.keys("\r").is_empty(), "the preview first");
    assert_eq!(h.requests(), before, "nothing sent by the preview");
    let lines = preview_lines(&h.app);
    assert!(
        lines.contains(&("max_age".into(), "1h".into())),
        "{lines:?}"
    );
    let effects = h.keys("y");
    h.run(effects).await;
    let status = h.status();
    assert!(
        status.starts_with("stream ORDERS created: subjects orders.*, refunds.>"),
        "{status}"
    );
    assert!(status.ends_with("(checked on the server)"), "{status}");
    assert!(h.app.overlays.is_empty(), "the form closed");

    let c = stream_config(&raw(&server).await, "ORDERS").await;
    let mut subjects = c.subjects.clone();
    subjects.sort();
    assert_eq!(subjects, ["orders.*", "refunds.>"]);
    assert_eq!(c.retention, stream::RetentionPolicy::Interest);
    assert_eq!(c.storage, stream::StorageType::File);
    assert_eq!(c.num_replicas, 1);
    assert_eq!(c.max_messages, 1000);
    assert_eq!(c.max_bytes, 1 << 30);
    assert_eq!(c.max_age, Duration::from_secs(3600));
    assert_eq!(c.max_message_size, 512_000);
    assert_eq!(c.discard, stream::DiscardPolicy::New);
    assert_eq!(c.duplicate_window, Duration::from_secs(60));
    assert!(c.allow_direct);
}

async fn orders_stream(js: &jetstream::Context, name: &str, subject: &str) {
    js.create_stream(stream::Config {
        name: name.into(),
        subjects: vec![subject.into()],
        max_age: Duration::from_secs(3600),
        ..Default::default()
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_of_max_age_names_exactly_max_age_and_the_server_holds_it() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    orders_stream(&js, "ORDERS", "orders.>").await;
    let mut h = Harness::on(&server).await;
    h.keys("e");
    h.set("max_age", "2h");
    h.keys("\r");
    assert_eq!(
        preview_lines(&h.app),
        [("max_age".to_string(), "1h -> 2h".to_string())]
    );
    // n goes back to the form with the input kept; Enter previews again.
    h.keys("n");
    assert_eq!(form(&h.app).get("max_age"), "2h");
    h.keys("\r");
    let effects = h.keys("y");
    h.run(effects).await;
    assert_eq!(
        h.status(),
        "stream ORDERS updated: max_age 1h -> 2h (checked on the server)"
    );
    let c = stream_config(&js, "ORDERS").await;
    assert_eq!(c.max_age, Duration::from_secs(7200));
    assert_eq!(c.subjects, ["orders.>"], "nothing else changed");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_that_changes_nothing_sends_nothing() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    orders_stream(&js, "ORDERS", "orders.>").await;
    let mut h = Harness::on(&server).await;
    let before = h.requests();
    h.keys("e");
    // Retyped as it was: still no change.
    h.set("max_age", "1h");
    assert!(h.keys("\r").is_empty());
    assert_eq!(h.status(), "stream ORDERS: nothing changed, nothing sent");
    assert!(
        matches!(h.app.overlay(), Some(Overlay::ConfigForm(_))),
        "no preview"
    );
    assert_eq!(h.requests(), before, "no request reached the server");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_servers_refusal_is_shown_in_its_words_and_the_form_kept() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    orders_stream(&js, "A", "a.>").await;
    orders_stream(&js, "B", "b.>").await;
    let mut h = Harness::on(&server).await;
    h.keys("j"); // B
    assert_eq!(h.app.selected_stream.as_deref(), Some("B"));
    h.keys("e");
    h.set("subjects", "a.>");
    h.keys("\r");
    assert_eq!(
        preview_lines(&h.app),
        [("subjects".to_string(), "b.> -> a.>".to_string())]
    );
    let effects = h.keys("y");
    h.run(effects).await;
    let status = h.status();
    assert!(
        status.starts_with("stream B not updated: subjects overlap with an existing stream"),
        "{status}"
    );
    assert!(h.app.status.as_ref().unwrap().error);
    let f = form(&h.app);
    assert_eq!(f.get("subjects"), "a.>", "what was typed is kept");
    assert!(
        f.server_error
            .as_deref()
            .unwrap()
            .contains("subjects overlap")
    );
    assert!(!f.pending);
    assert_eq!(stream_config(&js, "B").await.subjects, ["b.>"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_made_meanwhile_by_someone_else_is_not_overwritten() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    orders_stream(&js, "ORDERS", "orders.>").await;
    let mut h = Harness::on(&server).await;
    h.keys("e");
    h.set("max_age", "2h");
    h.keys("\r");
    // Between the preview and the yes, another operator changes max_msgs.
    let mut theirs = stream_config(&js, "ORDERS").await;
    theirs.max_messages = 50;
    js.update_stream(&theirs).await.unwrap();
    let effects = h.keys("y");
    h.run(effects).await;
    let status = h.status();
    assert!(
        status.contains("changed on the server since the form was filled (max_msgs unlimited -> 50); nothing sent"),
        "{status}"
    );
    assert_eq!(form(&h.app).get("max_age"), "2h", "the form is kept");
    let c = stream_config(&js, "ORDERS").await;
    assert_eq!((c.max_age, c.max_messages), (Duration::from_secs(3600), 50));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_in_each_stream_field_is_refused_under_it_and_nothing_is_sent() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    orders_stream(&js, "WORK", "work.>").await;
    let mut h = Harness::on(&server).await;
    let before = h.requests();
    let streams: &[(&str, &str, &str)] = &[
        ("name", "or.ders", "no '.' in a stream name"),
        ("name", "or ders", "no space in a stream name"),
        ("name", "orders*", "no '*' in a stream name"),
        ("name", "", "give the stream a name"),
        ("subjects", "orders..new", "empty token"),
        ("subjects", "orders.>.x", "'>' the whole last token"),
        ("replicas", "0", "at least 1"),
        ("max_msgs", "-5", "-5 is negative"),
        ("max_bytes", "-1GiB", "is negative"),
        ("max_bytes", "lots", "not a size"),
        ("max_age", "5x", "\"5x\" is not a duration"),
        ("max_msg_size", "-1", "is negative"),
        ("duplicate_window", "soon", "not a duration"),
    ];
    for (field, text, want) in streams {
        h.keys("c");
        h.set("name", "GOOD");
        h.set("subjects", "good.>");
        h.set(field, text);
        assert!(h.keys("\r").is_empty(), "{field}={text:?}: nothing sent");
        let f = form(&h.app);
        let error = f.field(field).unwrap().error.clone().unwrap_or_default();
        assert!(error.contains(want), "{field}={text:?}: {error:?}");
        assert_eq!(f.focused().unwrap().key, *field, "the bad field is focused");
        h.keys("\x1b");
    }
    assert_eq!(h.requests(), before, "not one API request was sent");
    assert_eq!(h.broker.stream_names(None).await.unwrap(), ["WORK"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_in_each_consumer_field_is_refused_under_it_and_nothing_is_sent() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    orders_stream(&js, "WORK", "work.>").await;
    let mut h = Harness::on(&server).await;
    let before = h.requests();
    // The consumers pane, on WORK.
    h.keys("\t");
    let consumers: &[(&str, &str, &str)] = &[
        ("durable", "bill.ing", "no '.' in a consumer name"),
        ("filter", "work. eu", "empty token"),
        ("ack_wait", "5x", "not a duration"),
        ("max_deliver", "-2", "-2 is negative"),
        ("backoff", "1s, 5x", "not a duration"),
        ("max_ack_pending", "-1", "negative"),
        ("inactive_threshold", "1 fortnight", "not a duration"),
    ];
    for (field, text, want) in consumers {
        h.keys("c");
        h.set("durable", "billing");
        h.set(field, text);
        assert!(h.keys("\r").is_empty(), "{field}={text:?}: nothing sent");
        let error = form(&h.app)
            .field(field)
            .unwrap()
            .error
            .clone()
            .unwrap_or_default();
        assert!(error.contains(want), "{field}={text:?}: {error:?}");
        h.keys("\x1b");
    }
    // Push: a deliver subject with a space; by start sequence: a start that is no number;
    // more backoff steps than deliveries.
    h.keys("c");
    h.set("durable", "billing");
    h.field("kind");
    h.keys(" ");
    h.set("deliver_subject", "deliver here");
    h.field("deliver_policy");
    h.keys("→→→"); // by_start_sequence
    h.set("start", "first");
    h.set("max_deliver", "2");
    h.set("backoff", "1s 2s 3s");
    assert!(h.keys("\r").is_empty());
    let f = form(&h.app);
    let error = |key: &str| f.field(key).unwrap().error.clone().unwrap_or_default();
    assert!(
        error("deliver_subject").contains("cannot contain spaces"),
        "{}",
        error("deliver_subject")
    );
    assert!(
        error("start").contains("not a whole number"),
        "{}",
        error("start")
    );
    assert!(
        error("backoff").contains("3 steps, but max deliver is 2"),
        "{}",
        error("backoff")
    );
    h.keys("\x1b");

    assert_eq!(h.requests(), before, "not one API request was sent");
    let names = h.broker.stream_names(None).await.unwrap();
    assert_eq!(names, ["WORK"]);
    assert!(h.broker.list_consumers("WORK").await.unwrap().is_empty());
}

/// Consumer `billing` on WORK, made in the form: checked on the server.
async fn create_billing(h: &mut Harness, js: &jetstream::Context) {
    h.keys("\tc");
    h.set("durable", "billing");
    h.set("filter", "work.eu");
    h.set("ack_wait", "45s");
    h.set("max_deliver", "5");
    h.set("backoff", "1s, 2s, 4s");
    h.set("max_ack_pending", "100");
    h.set("description", "bills the EU");
    h.keys("\r");
    let lines = preview_lines(&h.app);
    assert!(
        lines.contains(&("durable_name".into(), "billing".into())),
        "{lines:?}"
    );
    let effects = h.keys("y");
    h.run(effects).await;
    // With a backoff the server takes its first step as the ack wait, and says so.
    let status = h.status();
    assert!(
        status.starts_with("consumer billing of WORK created: filter_subject work.eu"),
        "{status}"
    );
    assert!(
        status.contains("but ack_wait is 1s (asked 45s)"),
        "{status}"
    );
    let work = js.get_stream("WORK").await.unwrap();
    let info = |name: &'static str| {
        let work = work.clone();
        async move { work.clone().consumer_info(name).await.unwrap().config }
    };
    let c: consumer::Config = info("billing").await;
    assert_eq!(c.filter_subject, "work.eu");
    assert_eq!(c.ack_wait, Duration::from_secs(1));
    assert_eq!(c.max_deliver, 5);
    assert_eq!(c.backoff, [1, 2, 4].map(Duration::from_secs));
    assert_eq!(c.max_ack_pending, 100);
    assert_eq!(c.description.as_deref(), Some("bills the EU"));
    assert!(c.deliver_subject.is_none(), "pull");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_created_in_the_form_is_so_on_the_server() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    orders_stream(&js, "WORK", "work.>").await;
    let mut h = Harness::on(&server).await;
    create_billing(&mut h, &js).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_consumer_edited_and_copied_in_the_form_is_so_on_the_server() {
    let server = NatsServer::start().await.unwrap();
    let js = raw(&server).await;
    orders_stream(&js, "WORK", "work.>").await;
    let mut h = Harness::on(&server).await;
    create_billing(&mut h, &js).await;
    let work = js.get_stream("WORK").await.unwrap();
    let info = |name: &'static str| {
        let work = work.clone();
        async move { work.clone().consumer_info(name).await.unwrap().config }
    };
    // Edit: ack wait, max deliver, no backoff; the diff names exactly those.
    h.refresh().await;
    assert_eq!(h.app.selected_consumer.as_deref(), Some("billing"));
    h.keys("e");
    h.set("ack_wait", "90s");
    h.set("max_deliver", "6");
    h.set("backoff", "");
    h.keys("\r");
    assert_eq!(
        preview_lines(&h.app),
        [
            ("ack_wait".to_string(), "1s -> 1m30s".to_string()),
            ("max_deliver".to_string(), "5 -> 6".to_string()),
            ("backoff".to_string(), "1s, 2s, 4s -> none".to_string()),
        ]
    );
    let effects = h.keys("y");
    h.run(effects).await;
    assert_eq!(
        h.status(),
        "consumer billing of WORK updated: ack_wait 1s -> 1m30s, max_deliver 5 -> 6, backoff 1s, 2s, 4s -> none (checked on the server)"
    );
    let c = info("billing").await;
    assert_eq!((c.ack_wait, c.max_deliver), (Duration::from_secs(90), 6));
    assert!(c.backoff.is_empty());
    assert_eq!(c.filter_subject, "work.eu", "the rest kept");

    // Copy: the same config under a new name.
    h.refresh().await;
    h.keys("C");
    assert_eq!(
        form(&h.app).get("durable"),
        "",
        "the new name is the operator's"
    );
    assert_eq!(form(&h.app).focused().unwrap().key, "durable");
    h.keys("billing-2\r");
    let effects = h.keys("y");
    h.run(effects).await;
    assert!(
        h.status().starts_with("consumer billing-2 of WORK created"),
        "{}",
        h.status()
    );
    let copy = info("billing-2").await;
    assert_eq!(copy.filter_subject, "work.eu");
    assert_eq!(copy.ack_wait, Duration::from_secs(90));
    assert_eq!(copy.max_deliver, 6);
    assert!(copy.backoff.is_empty());
    assert_eq!(copy.description.as_deref(), Some("bills the EU"));
    assert_eq!(copy.durable_name.as_deref(), Some("billing-2"));
}

#[tokio::test(flavor = "multi_thread")]
async fn c_in_the_streams_pane_makes_a_stream_on_the_server() {
    let server = NatsServer::start().await.unwrap();
    let mut console = Console::start(&["--server", &server.url(), "--refresh", "300ms"]);
    console.wait_for(ANSWER, "connected", |s| s.contains("● connected"));
    console.press("c");
    console.wait_for(ANSWER, "the form", |s| s.contains(" Create stream "));
    console.press("PAYMENTS\tpayments.>\r");
    console.wait_for(ANSWER, "the preview", |s| {
        s.contains("Create stream PAYMENTS?") && s.contains("payments.>")
    });
    console.press("y");
    console.wait_for(ANSWER, "the server's word", |s| {
        s.contains("stream PAYMENTS created: subjects payments.>")
            && s.contains("(checked on the server)")
    });
    let broker = broker_for(&server.url());
    broker.connect().await.unwrap();
    let info = broker.stream_info("PAYMENTS").await.unwrap();
    assert_eq!(info.config.subjects, ["payments.>"]);
    assert_eq!(info.config.retention, stream::RetentionPolicy::Limits);
    console.press("q");
    assert_eq!(console.exit_code(ANSWER), 0);
}
