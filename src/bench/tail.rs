//! The tail scenario: a firehose (one publisher, as fast as it goes) into the console's
//! subject tail on `>`, while keys are pressed and frames drawn as the console does:
//! what a key and a frame cost meanwhile, how many messages were shown and dropped, and
//! what the memory did.

use std::time::{Duration, Instant};

use bytes::Bytes;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use serde::Serialize;
use tokio::sync::{mpsc, watch};

use super::{BenchError, failed, rss_mb};
use crate::broker::Broker;
use crate::console::app::{self, Action, App, Overlay};
use crate::console::effects::EffectRunner;

/// What a firehose into the tail cost the console.
#[derive(Debug, Clone, Serialize)]
pub struct TailReport {
    pub published: u64,
    /// The publisher's rate: what the tail was offered.
    pub publish_msgs_per_sec: f64,
    /// Messages that reached the view, and those dropped on the way (counted).
    pub shown: u64,
    pub dropped: u64,
    /// Rows the view holds at the end (its bound).
    pub rows_kept: usize,
    pub keys: usize,
    /// Handling a key and drawing a 160x45 frame, with the firehose running.
    pub key_frame_ms_p50: f64,
    pub key_frame_ms_max: f64,
    /// A whole turn of the loop: the batches waiting handled, then a key and a frame.
    pub turn_ms_max: f64,
    pub rss_before_mb: f64,
    pub rss_peak_mb: f64,
    pub rss_after_mb: f64,
}

/// A turn of the console's loop: about a frame at 60 Hz.
const TURN: Duration = Duration::from_millis(16);

/// Publishes `count` messages of `size` bytes on `bench.tail.*` while the console tails `>`.
pub async fn tail_firehose(
    broker: &Broker,
    count: usize,
    size: usize,
) -> Result<TailReport, BenchError> {
    let fail = failed("tail");
    let client = broker
        .client()
        .ok_or_else(|| BenchError::Connect("not connected".to_string()))?;
    let rss_before = rss_mb();
    let (actions_tx, mut actions) = mpsc::unbounded_channel();
    let runner = EffectRunner::new(broker.clone(), actions_tx, watch::channel(None).0);
    let mut app = App::new(super::scale::bench_session(), std::time::SystemTime::now());
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 45))
        .map_err(|e| fail(e.to_string()))?;
    let press = |app: &mut App, code: KeyCode| {
        for effect in app::update(app, Action::Key(KeyEvent::from(code))) {
            runner.run(effect);
        }
    };
    press(&mut app, KeyCode::Char('T'));
    press(&mut app, KeyCode::Char('>'));
    press(&mut app, KeyCode::Enter);
    wait_started(&mut app, &mut actions).await?;

    let publisher = tokio::spawn(firehose(client, count, size));
    let (mut key_frame, mut turn_max, mut rss_peak) = (Vec::new(), Duration::ZERO, rss_before);
    let mut i = 0usize;
    while !publisher.is_finished() || i < 20 {
        let turn = Instant::now();
        while let Ok(action) = actions.try_recv() {
            app::update(&mut app, action);
        }
        // Mostly moving the selection; now and then a pause and a resume.
        let code = match i % 40 {
            10 | 30 => KeyCode::Char(' '),
            n if n < 20 => KeyCode::Up,
            _ => KeyCode::Down,
        };
        let t = Instant::now();
        press(&mut app, code);
        terminal
            .draw(|f| crate::console::ui::render(f, &app))
            .map_err(|e| fail(e.to_string()))?;
        key_frame.push(t.elapsed());
        turn_max = turn_max.max(turn.elapsed());
        rss_peak = rss_peak.max(rss_mb());
        i += 1;
        tokio::time::sleep(TURN.saturating_sub(turn.elapsed())).await;
    }
    let took = publisher
        .await
        .map_err(|e| fail(e.to_string()))?
        .map_err(fail)?;
    // What is still on its way reaches the view within a few flushes of the tail.
    while let Ok(Some(action)) =
        tokio::time::timeout(Duration::from_millis(300), actions.recv()).await
    {
        app::update(&mut app, action);
    }
    let (seen, dropped, rows) = tail_counts(&app);
    press(&mut app, KeyCode::Esc);
    key_frame.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    Ok(TailReport {
        published: count as u64,
        publish_msgs_per_sec: count as f64 / took.as_secs_f64().max(1e-9),
        shown: seen - dropped,
        dropped,
        rows_kept: rows,
        keys: key_frame.len(),
        key_frame_ms_p50: ms(key_frame[key_frame.len() / 2]),
        key_frame_ms_max: key_frame.last().copied().map_or(0.0, ms),
        turn_ms_max: ms(turn_max),
        rss_before_mb: rss_before,
        rss_peak_mb: rss_peak,
        rss_after_mb: rss_mb(),
    })
}

/// Waits for the tail's subscription to be in place.
async fn wait_started(
    app: &mut App,
    actions: &mut mpsc::UnboundedReceiver<Action>,
) -> Result<(), BenchError> {
    let fail = failed("tail");
    loop {
        match tokio::time::timeout(Duration::from_secs(10), actions.recv()).await {
            Ok(Some(Action::TailStarted(Ok(_)))) => return Ok(()),
            Ok(Some(Action::TailStarted(Err(e)))) => return Err(fail(e)),
            Ok(Some(other)) => {
                app::update(app, other);
            }
            Ok(None) | Err(_) => return Err(fail("the tail did not start".to_string())),
        }
    }
}

/// The view's counts: seen, dropped, rows kept.
fn tail_counts(app: &App) -> (u64, u64, usize) {
    app.overlays
        .iter()
        .find_map(|o| match o {
            Overlay::Tail(t) => Some((t.seen, t.dropped, t.rows.len())),
            _ => None,
        })
        .unwrap_or_default()
}

/// One publisher, as fast as it goes; returns how long it took.
async fn firehose(
    client: async_nats::Client,
    count: usize,
    size: usize,
) -> Result<Duration, String> {
    let body = Bytes::from(vec![b'x'; size]);
    let started = Instant::now();
    for n in 0..count {
        client
            .publish(format!("bench.tail.{}", n % 16), body.clone())
            .await
            .map_err(|e| e.to_string())?;
    }
    client.flush().await.map_err(|e| e.to_string())?;
    Ok(started.elapsed())
}

pub fn tail_table(r: &TailReport) -> String {
    format!(
        "tail: a firehose on > while keys are pressed\n\
         published                   {} messages at {:.0} msg/s (one publisher)\n\
         shown / dropped             {} / {} (rows kept {})\n\
         key + frame (p50 / max)     {:.2} / {:.2} ms over {} keys\n\
         loop turn (max)             {:.2} ms (batches handled + key + frame)\n\
         resident memory             {:.1} MB before, {:.1} MB peak, {:.1} MB after\n",
        r.published,
        r.publish_msgs_per_sec,
        r.shown,
        r.dropped,
        r.rows_kept,
        r.key_frame_ms_p50,
        r.key_frame_ms_max,
        r.keys,
        r.turn_ms_max,
        r.rss_before_mb,
        r.rss_peak_mb,
        r.rss_after_mb,
    )
}
