//! The key-value scenario: a bucket of many keys opened in the console's keys view, fed by
//! the real watch as the console feeds it: how long until every key is in, the longest
//! turn of the loop meanwhile, what a key and a frame cost once it is full, and what the
//! memory did.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use serde::Serialize;
use tokio::sync::{mpsc, watch};

use super::{BenchError, failed, rss_mb};
use crate::broker::Broker;
use crate::console::app::{self, Action, App, Effect, KvEffect, Overlay, next_watch};
use crate::console::effects::EffectRunner;
use crate::console::overlays::kv::KeysState;

/// The bucket the scenario makes (and deletes afterwards).
const BUCKET: &str = "jetdeck-bench-keys";

#[derive(Debug, Clone, Serialize)]
pub struct KvReport {
    pub keys: usize,
    pub value_size: usize,
    /// Keys the view holds at the end, and those it counted but did not keep.
    pub kept: usize,
    pub not_kept: u64,
    /// From opening the view until every key is in it.
    pub load_s: f64,
    /// The longest turn of the loop while keys arrived: batches handled, then a frame.
    pub load_turn_ms_max: f64,
    /// The same turn's work: the loop thread's CPU time (wall time also counts waiting
    /// for a core, on a loaded machine most of it).
    pub load_turn_cpu_ms_max: f64,
    /// Handling a key (PgDn, j, G, g, k) and drawing a 160x45 frame, the view full.
    pub key_frame_ms_p50: f64,
    pub key_frame_ms_max: f64,
    pub presses: usize,
    pub rss_before_mb: f64,
    pub rss_peak_mb: f64,
    pub rss_after_mb: f64,
    /// After the allocator gave back its free memory: what the view and the app hold.
    pub rss_settled_mb: f64,
}

/// Puts `count` keys of `size` bytes into a fresh bucket, PubAcks pipelined.
async fn fill(client: async_nats::Client, count: usize, size: usize) -> Result<(), String> {
    let js = async_nats::jetstream::new(client);
    let _ = js.delete_key_value(BUCKET).await;
    js.create_key_value(async_nats::jetstream::kv::Config {
        bucket: BUCKET.into(),
        history: 1,
        ..Default::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let value = Bytes::from(vec![b'v'; size]);
    let js = &js;
    let mut acks = futures::stream::iter(0..count)
        .map(|i| {
            let value = value.clone();
            async move {
                let subject = format!("$KV.{BUCKET}.key.{:06}.of.the.bench", (i * 7919) % count);
                js.publish(subject, value).await?.await.map(|_| ())
            }
        })
        .buffer_unordered(256);
    while let Some(ack) = acks.next().await {
        ack.map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The keys view's counts: kept, not kept.
fn counts(app: &App) -> (usize, u64) {
    app.overlays
        .iter()
        .find_map(|o| match o {
            Overlay::Keys(k) => Some((k.keys.len(), k.not_kept)),
            _ => None,
        })
        .unwrap_or_default()
}

/// The keys view of the bench's bucket, its watch started.
fn open_view(app: &mut App, runner: &EffectRunner) {
    let view = KeysState::new(BUCKET, next_watch());
    runner.run(Effect::Kv(KvEffect::Watch {
        bucket: BUCKET.into(),
        watch: view.watch,
    }));
    app.open(Overlay::Keys(Box::new(view)));
}

/// The keys pressed once the view is full: pages up and down, a row, the ends.
fn bench_key(i: usize) -> KeyCode {
    match i % 50 {
        0 => KeyCode::End,
        25 => KeyCode::Home,
        n if n < 25 => KeyCode::PageUp,
        n if n % 2 == 0 => KeyCode::PageDown,
        _ => KeyCode::Down,
    }
}

/// Fills a bucket of `count` keys, opens its keys view and measures it.
pub async fn kv_keys(broker: &Broker, count: usize, size: usize) -> Result<KvReport, BenchError> {
    let fail = failed("kv-keys");
    let client = broker
        .client()
        .ok_or_else(|| BenchError::Connect("not connected".to_string()))?;
    fill(client.clone(), count, size).await.map_err(&fail)?;
    let rss_before = settled_rss_mb();
    let (actions_tx, mut actions) = mpsc::unbounded_channel();
    let runner = EffectRunner::new(broker.clone(), actions_tx, watch::channel(None).0);
    let mut app = App::new(super::scale::bench_session(), std::time::SystemTime::now());
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 45))
        .map_err(|e| fail(e.to_string()))?;
    let mut draw = |app: &App| {
        terminal
            .draw(|f| crate::console::ui::render(f, app))
            .map(|_| ())
            .map_err(|e| fail(e.to_string()))
    };
    open_view(&mut app, &runner);

    let started = Instant::now();
    let (mut turn_max, mut turn_cpu_max, mut rss_peak) =
        (Duration::ZERO, Duration::ZERO, rss_before);
    loop {
        let (kept, not_kept) = counts(&app);
        if kept + not_kept as usize >= count {
            break;
        }
        let first = tokio::time::timeout(Duration::from_secs(30), actions.recv())
            .await
            .map_err(|_| fail(format!("{kept} keys in after 30 s; no more came")))?
            .ok_or_else(|| fail("the effects stopped".into()))?;
        let (turn, cpu) = (Instant::now(), thread_cpu_time());
        app::update(&mut app, first);
        while let Ok(action) = actions.try_recv() {
            app::update(&mut app, action);
        }
        draw(&app)?;
        turn_max = turn_max.max(turn.elapsed());
        turn_cpu_max = turn_cpu_max.max(thread_cpu_time().saturating_sub(cpu));
        rss_peak = rss_peak.max(rss_mb());
    }
    let load = started.elapsed();

    let mut key_frame = Vec::new();
    for i in 0..200 {
        let t = Instant::now();
        for effect in app::update(&mut app, Action::Key(KeyEvent::from(bench_key(i)))) {
            runner.run(effect);
        }
        draw(&app)?;
        key_frame.push(t.elapsed());
    }
    let rss_after = rss_mb();
    let rss_settled = settled_rss_mb();
    let (kept, not_kept) = counts(&app);
    let _ = async_nats::jetstream::new(client)
        .delete_key_value(BUCKET)
        .await;
    key_frame.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    Ok(KvReport {
        keys: count,
        value_size: size,
        kept,
        not_kept,
        load_s: load.as_secs_f64(),
        load_turn_ms_max: ms(turn_max),
        load_turn_cpu_ms_max: ms(turn_cpu_max),
        key_frame_ms_p50: ms(key_frame[key_frame.len() / 2]),
        key_frame_ms_max: key_frame.last().copied().map_or(0.0, ms),
        presses: key_frame.len(),
        rss_before_mb: rss_before,
        rss_peak_mb: rss_peak.max(rss_after),
        rss_after_mb: rss_after,
        rss_settled_mb: rss_settled,
    })
}

/// CPU time the calling thread has used.
fn thread_cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes only the timespec it is given.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    if status != 0 {
        return Duration::ZERO;
    }
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// The resident memory once the allocator has given back what it keeps for reuse: what
/// the view holds, without what passed through on the way (the client's buffered
/// messages, the batches in the channel).
fn settled_rss_mb() -> f64 {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
    rss_mb()
}

pub fn kv_table(r: &KvReport) -> String {
    format!(
        "kv-keys: a bucket's keys view, fed by the watch\n\
         keys                        {} of {} bytes ({} kept, {} counted, not kept)\n\
         all keys in the view        {:.2} s (longest loop turn {:.2} ms, {:.2} ms of CPU)\n\
         key + frame (p50 / max)     {:.2} / {:.2} ms over {} keys\n\
         resident memory             {:.1} MB before, {:.1} MB peak, {:.1} MB after, {:.1} MB settled\n",
        r.keys,
        r.value_size,
        r.kept,
        r.not_kept,
        r.load_s,
        r.load_turn_ms_max,
        r.load_turn_cpu_ms_max,
        r.key_frame_ms_p50,
        r.key_frame_ms_max,
        r.presses,
        r.rss_before_mb,
        r.rss_peak_mb,
        r.rss_after_mb,
        r.rss_settled_mb,
    )
}
