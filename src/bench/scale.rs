//! The console-scale scenario: what the console costs on a server with many streams.

use std::collections::VecDeque;
use std::io::Write;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer, stream};
use bytes::Bytes;
use serde::Serialize;

use super::progress::Progress;
use super::{BenchError, failed};
use crate::broker::Broker;
use crate::console::model::Snapshot;

/// What the console costs on a server with many streams.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleReport {
    pub streams: usize,
    pub consumers: usize,
    /// JetStream API requests one refresh makes.
    pub requests_per_refresh: usize,
    pub refresh_ms_p50: f64,
    /// The first refresh, names listing included: what opening the console waits for.
    pub first_refresh_ms: f64,
    /// Handling a key and drawing a 160x45 frame, with every stream loaded.
    pub key_to_frame_ms_p50: f64,
    pub key_to_frame_ms_max: f64,
    /// Resident memory of this process with everything loaded.
    pub rss_mb: f64,
    /// Rows an auto subscription holds after a million messages.
    pub auto_window_rows: usize,
    pub rss_growth_after_million_mb: f64,
    /// `jetdeck doctor` over every consumer, one look (its bound: 1,000 in under 10 s).
    pub doctor_ms: f64,
    pub doctor_consumers: usize,
}

/// Resident set size, from /proc (0 where there is none).
pub fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Creates `streams` streams with `per_stream` consumers each, measures the console's
/// refresh and key handling against them, and removes them.
pub async fn console_scale(
    broker: &Broker,
    streams: usize,
    per_stream: usize,
    progress: &mut dyn Write,
) -> Result<ScaleReport, BenchError> {
    let client = broker
        .client()
        .ok_or_else(|| BenchError::Connect("not connected".to_string()))?;
    let js = jetstream::new(client);
    let prefix = format!(
        "SCALE_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..6].to_uppercase()
    );
    create_streams(&js, &prefix, streams, per_stream, progress).await?;
    let (mut times, requests, snapshot) = refreshes(broker, &prefix).await?;
    let mut key_times = keys_to_frames(snapshot)?;
    let rss = rss_mb();
    // A million messages through an automatic subscription's window.
    let mut attached = bench_attached();
    for i in 0..1_000_000u64 {
        attached.add_auto(bench_row(i));
    }
    let growth = rss_mb() - rss;
    let (doctor_ms, doctor_consumers) = doctor(broker).await?;
    remove_streams(broker, &prefix, streams, progress).await;
    key_times.sort_unstable();
    let first_refresh = times[0];
    times.sort_unstable();
    Ok(ScaleReport {
        streams,
        consumers: streams * per_stream,
        requests_per_refresh: requests,
        refresh_ms_p50: times[times.len() / 2].as_secs_f64() * 1e3,
        first_refresh_ms: first_refresh.as_secs_f64() * 1e3,
        key_to_frame_ms_p50: key_times[key_times.len() / 2].as_secs_f64() * 1e3,
        key_to_frame_ms_max: key_times.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        rss_mb: rss,
        auto_window_rows: attached.rows.len(),
        rss_growth_after_million_mb: growth,
        doctor_ms,
        doctor_consumers,
    })
}

/// Times the doctor's diagnosis of every consumer on the server, the same code the
/// command runs (one look: no interval).
async fn doctor(broker: &Broker) -> Result<(f64, usize), BenchError> {
    let options = crate::diagnosis::doctor::Options {
        stream: None,
        consumer: None,
        json: false,
        interval: std::time::Duration::ZERO,
        capture: crate::deadletters::CAPTURE_STREAM.to_string(),
    };
    let started = std::time::Instant::now();
    let report = crate::diagnosis::doctor::examine(broker, &options)
        .await
        .map_err(|e| failed("doctor")(e.to_string()))?;
    Ok((
        started.elapsed().as_secs_f64() * 1e3,
        report.consumers.len(),
    ))
}

/// Creates the streams `{prefix}_0000`... fifty at a time, `per_stream` consumers each.
async fn create_streams(
    js: &jetstream::Context,
    prefix: &str,
    streams: usize,
    per_stream: usize,
    progress: &mut dyn Write,
) -> Result<(), BenchError> {
    let fail = failed("console-scale");
    let mut bar = Progress::new(progress, "creating streams", streams);
    let mut made = 0;
    for chunk in (0..streams).collect::<Vec<_>>().chunks(50) {
        let creates = chunk.iter().map(|i| {
            let js = js.clone();
            let name = format!("{prefix}_{i:04}");
            async move {
                let s = js
                    .create_stream(stream::Config {
                        name: name.clone(),
                        subjects: vec![format!("{}.>", name.to_lowercase())],
                        storage: stream::StorageType::Memory,
                        ..Default::default()
                    })
                    .await
                    .map_err(|e| e.to_string())?;
                for c in 0..per_stream {
                    s.create_consumer(consumer::pull::Config {
                        durable_name: Some(format!("c{c}")),
                        ..Default::default()
                    })
                    .await
                    .map_err(|e| e.to_string())?;
                }
                Ok::<_, String>(())
            }
        });
        for r in futures::future::join_all(creates).await {
            r.map_err(&fail)?;
        }
        made += chunk.len();
        bar.set(made);
    }
    Ok(())
}

/// Five console refreshes with the first stream selected: their times, the requests one
/// makes on average, and the last snapshot. Thirty refreshes: thirty seconds of a console
/// at the default refresh, so the average includes the names listing that a large
/// account's console makes once in that time (on its first refresh here).
async fn refreshes(
    broker: &Broker,
    prefix: &str,
) -> Result<(Vec<Duration>, usize, Snapshot), BenchError> {
    use crate::console::catalog::{AROUND, Catalog};
    use crate::console::{collector, rates::RateBook};
    let fail = failed("console-scale");
    let selected = Some(format!("{prefix}_0000"));
    // What a console with the first stream selected asks for: the rows after it.
    let around: Vec<String> = (0..AROUND).map(|i| format!("{prefix}_{i:04}")).collect();
    let mut book = RateBook::new(Duration::from_secs(1));
    let mut catalog = Catalog::default();
    let mut times = Vec::new();
    let mut snapshot = None;
    let mut requests = 0;
    const REFRESHES: usize = 30;
    for _ in 0..REFRESHES {
        let t = Instant::now();
        let wanted = collector::Wanted {
            selected: selected.clone(),
            around: &around,
        };
        let s = collector::refresh(broker, &mut catalog, wanted, &mut book)
            .await
            .map_err(|e| fail(e.to_string()))?;
        times.push(t.elapsed());
        requests += s.requests;
        snapshot = Some(s);
    }
    let snapshot = snapshot.expect("thirty refreshes");
    Ok((times, requests.div_ceil(REFRESHES), snapshot))
}

/// Two hundred arrow keys on the console holding `snapshot`, each handled and drawn on a
/// 160x45 frame: the time of each.
fn keys_to_frames(snapshot: Snapshot) -> Result<Vec<Duration>, BenchError> {
    use crate::console::{app, ui};
    let fail = failed("console-scale");
    let mut app = app::App::new(bench_session(), std::time::SystemTime::now());
    app::update(&mut app, app::Action::Snapshot(Box::new(snapshot)));
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 45))
        .map_err(|e| fail(e.to_string()))?;
    let mut key_times = Vec::new();
    for i in 0..200 {
        let code = if i % 50 < 25 {
            ratatui::crossterm::event::KeyCode::Down
        } else {
            ratatui::crossterm::event::KeyCode::Up
        };
        let t = Instant::now();
        app::update(
            &mut app,
            app::Action::Key(ratatui::crossterm::event::KeyEvent::from(code)),
        );
        terminal
            .draw(|f| ui::render(f, &app))
            .map_err(|e| fail(e.to_string()))?;
        key_times.push(t.elapsed());
    }
    Ok(key_times)
}

/// Deletes the streams `create_streams` made, fifty at a time.
async fn remove_streams(broker: &Broker, prefix: &str, streams: usize, progress: &mut dyn Write) {
    let mut bar = Progress::new(progress, "removing streams", streams);
    for (i, chunk) in (0..streams).collect::<Vec<_>>().chunks(50).enumerate() {
        let deletes = chunk.iter().map(|i| {
            let name = format!("{prefix}_{i:04}");
            async move { broker.delete_stream(&name).await }
        });
        futures::future::join_all(deletes).await;
        bar.set(((i + 1) * 50).min(streams));
    }
}

pub fn scale_table(r: &ScaleReport) -> String {
    format!(
        "console scale: {} streams, {} consumers\n\
         requests per refresh        {}\n\
         refresh time (p50)          {:.1} ms\n\
         first refresh (opening)     {:.1} ms\n\
         key + frame (p50 / max)     {:.2} / {:.2} ms\n\
         resident memory             {:.1} MB\n\
         auto window after 1,000,000 {} rows (+{:.1} MB)\n\
         doctor, every consumer      {:.0} ms for {}\n",
        r.streams,
        r.consumers,
        r.requests_per_refresh,
        r.refresh_ms_p50,
        r.first_refresh_ms,
        r.key_to_frame_ms_p50,
        r.key_to_frame_ms_max,
        r.rss_mb,
        r.auto_window_rows,
        r.rss_growth_after_million_mb,
        r.doctor_ms,
        r.doctor_consumers
    )
}

pub(super) fn bench_session() -> crate::console::model::SessionInfo {
    crate::console::model::SessionInfo {
        servers: "bench".to_string(),
        context: None,
        embedded: None,
        log_file: std::path::PathBuf::from("bench.log"),
        read_only: false,
    }
}

fn bench_attached() -> crate::console::attached::Attached {
    crate::console::attached::Attached {
        id: 1,
        stream: "BENCH".into(),
        consumer: "auto".into(),
        filter: ">".into(),
        ack_wait: Duration::from_secs(30),
        mode: crate::console::attached::Mode::Auto,
        batch_size: 10,
        fail_every: 0,
        rows: VecDeque::new(),
        selected: 0,
        handled: 0,
        pulling: false,
    }
}

fn bench_row(seq: u64) -> crate::console::attached::MessageRow {
    crate::console::attached::MessageRow {
        subject: "bench.msg".into(),
        delivery: crate::broker::Delivery {
            stream: "BENCH".into(),
            consumer: "auto".into(),
            stream_sequence: seq,
            consumer_sequence: seq,
            delivered: 1,
            pending: 0,
            published: std::time::SystemTime::now(),
        },
        headers: Default::default(),
        body: Bytes::from(vec![b'x'; 128]),
        clock_start: std::time::SystemTime::now(),
        state: crate::console::attached::RowState::Acked,
    }
}
