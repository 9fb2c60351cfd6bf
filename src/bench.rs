//! `jetdeck bench`: the broker against the bare async-nats client, side by side on one
//! server in one run (absolute numbers move from machine to machine; the ratio is the
//! figure), and the console's cost on a server with many streams.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer, stream};
use bytes::Bytes;
use futures::StreamExt;
use serde::Serialize;
use thiserror::Error;
use tokio::sync::Notify;

use crate::broker::{Broker, Message, SubscribeOptions};

#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub count: usize,
    pub size: usize,
    /// Messages per pull in batch mode (10 is the seed broker's).
    pub batch: usize,
    /// Messages per pull in streaming mode.
    pub stream_batch: usize,
    /// PubAcks outstanding in pipelined publish.
    pub window: usize,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            count: 100_000,
            size: 128,
            batch: 10,
            stream_batch: 1000,
            window: 256,
        }
    }
}

#[derive(Debug, Error)]
pub enum BenchError {
    #[error("bench needs a connection: {0}")]
    Connect(String),
    #[error("{case}: {reason}{}", server_says(.server_log))]
    Case {
        case: String,
        reason: String,
        /// The server's own warnings and errors, when its log is known (`--embedded`).
        server_log: Vec<String>,
    },
}

/// How many of the server's last warnings and errors a failed case quotes.
const SERVER_LINES: usize = 5;

impl BenchError {
    /// Adds the last warnings and errors from the server's log: the server answers some
    /// failures only with a fixed sentence ("error creating store for stream", code 500)
    /// and writes their cause to its log.
    pub fn with_server_log(mut self, log: &std::path::Path) -> Self {
        if let BenchError::Case { server_log, .. } = &mut self {
            *server_log = crate::server::log_problems(log, SERVER_LINES);
        }
        self
    }
}

fn server_says(lines: &[String]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    format!("\nthe server's log ends with:\n  {}", lines.join("\n  "))
}

fn failed(case: &str) -> impl Fn(String) -> BenchError + '_ {
    move |reason| BenchError::Case {
        case: case.to_string(),
        reason,
        server_log: Vec::new(),
    }
}

/// One side of a case.
#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    pub msgs_per_sec: f64,
    /// p50, p90, p99 in microseconds, for one-at-a-time publishing.
    pub latency_us: Option<[f64; 3]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub case: String,
    pub broker: Measure,
    pub raw: Measure,
    pub ratio: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub count: usize,
    pub size: usize,
    pub cases: Vec<CaseResult>,
    /// Broker streaming consume / broker batch consume.
    pub streaming_vs_batch: f64,
}

/// Progress on stderr, at most a hundred updates a case.
struct Progress<'a> {
    out: &'a mut dyn Write,
    label: String,
    total: usize,
    shown: usize,
}

impl<'a> Progress<'a> {
    fn new(out: &'a mut dyn Write, label: &str, total: usize) -> Self {
        Self {
            out,
            label: label.to_string(),
            total,
            shown: usize::MAX,
        }
    }

    fn set(&mut self, done: usize) {
        let percent = done * 100 / self.total.max(1);
        if percent != self.shown {
            self.shown = percent;
            let bar = "#".repeat(percent / 5);
            let _ = write!(self.out, "\r{:<28} [{bar:<20}] {percent:>3}%", self.label);
            if done >= self.total {
                let _ = writeln!(self.out);
            }
            let _ = self.out.flush();
        }
    }
}

fn percentiles(mut samples: Vec<Duration>) -> [f64; 3] {
    samples.sort_unstable();
    let at = |p: f64| {
        let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
        samples.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e6)
    };
    [at(0.50), at(0.90), at(0.99)]
}

fn rate(count: usize, took: Duration) -> f64 {
    count as f64 / took.as_secs_f64().max(1e-9)
}

/// Names for one case's streams: a topic for the broker, a stream and subject for raw.
struct Names {
    broker_topic: String,
    broker_stream: String,
    raw_stream: String,
    raw_subject: String,
}

fn names(case: &str) -> Names {
    let id = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let token = format!("bench-{case}-{id}");
    Names {
        broker_topic: format!("{token}-broker.msg"),
        broker_stream: crate::broker::stream_name_for_topic(&format!("{token}-broker")),
        raw_stream: format!("BENCH_{}_{}_RAW", case.to_uppercase(), id.to_uppercase()),
        raw_subject: format!("{token}-raw.msg"),
    }
}

async fn raw_stream(js: &jetstream::Context, n: &Names) -> Result<stream::Stream, String> {
    js.create_stream(stream::Config {
        name: n.raw_stream.clone(),
        subjects: vec![n.raw_subject.clone()],
        retention: stream::RetentionPolicy::WorkQueue,
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await
    .map_err(|e| e.to_string())
}

async fn cleanup(broker: &Broker, n: &Names) {
    for stream in [&n.broker_stream, &n.raw_stream] {
        if let Err(e) = broker.delete_stream(stream).await {
            tracing::debug!(stream, error = %e, "bench cleanup");
        }
    }
}

/// Runs every throughput case on `broker` (connected), printing progress to `progress`.
pub async fn throughput(
    broker: &Broker,
    options: &BenchOptions,
    progress: &mut dyn Write,
) -> Result<Report, BenchError> {
    let client = broker
        .client()
        .ok_or_else(|| BenchError::Connect("not connected".to_string()))?;
    let js = jetstream::new(client);
    let payload = Bytes::from(vec![b'x'; options.size]);
    let count = options.count;
    let mut cases = Vec::new();

    // One message at a time, each waiting for its PubAck.
    let case = "publish (sync)";
    let n = names("pub");
    let fail = failed(case);
    let result = async {
        let mut raw_lat = Vec::with_capacity(count);
        raw_stream(&js, &n).await.map_err(&fail)?;
        let mut bar = Progress::new(progress, "publish raw", count);
        let start = Instant::now();
        for i in 0..count {
            let t = Instant::now();
            js.publish(n.raw_subject.clone(), payload.clone())
                .await
                .map_err(|e| fail(e.to_string()))?
                .await
                .map_err(|e| fail(e.to_string()))?;
            raw_lat.push(t.elapsed());
            bar.set(i + 1);
        }
        let raw = Measure {
            msgs_per_sec: rate(count, start.elapsed()),
            latency_us: Some(percentiles(raw_lat)),
        };
        broker
            .ensure_stream(&n.broker_topic)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let mut lat = Vec::with_capacity(count);
        let mut bar = Progress::new(progress, "publish broker", count);
        let start = Instant::now();
        for i in 0..count {
            let t = Instant::now();
            broker
                .publish(&n.broker_topic, Message::new(payload.clone()))
                .await
                .map_err(|e| fail(e.to_string()))?;
            lat.push(t.elapsed());
            bar.set(i + 1);
        }
        let ours = Measure {
            msgs_per_sec: rate(count, start.elapsed()),
            latency_us: Some(percentiles(lat)),
        };
        Ok(pair(case, ours, raw))
    }
    .await;
    // Streams go whatever happened, so a failed run leaves nothing behind.
    cleanup(broker, &n).await;
    cases.push(result?);

    // Pipelined, `window` PubAcks outstanding.
    let case_name = format!("publish (pipelined, window {})", options.window);
    let n = names("pipe");
    let fail = failed(&case_name);
    let result = async {
        raw_stream(&js, &n).await.map_err(&fail)?;
        let mut bar = Progress::new(progress, "pipelined raw", count);
        let start = Instant::now();
        let mut in_flight = VecDeque::with_capacity(options.window);
        for i in 0..count {
            if in_flight.len() >= options.window {
                let pending: jetstream::context::PublishAckFuture =
                    in_flight.pop_front().expect("full window");
                pending.await.map_err(|e| fail(e.to_string()))?;
            }
            in_flight.push_back(
                js.publish(n.raw_subject.clone(), payload.clone())
                    .await
                    .map_err(|e| fail(e.to_string()))?,
            );
            bar.set(i + 1);
        }
        for pending in in_flight {
            pending.await.map_err(|e| fail(e.to_string()))?;
        }
        let raw = Measure {
            msgs_per_sec: rate(count, start.elapsed()),
            latency_us: None,
        };
        broker
            .ensure_stream(&n.broker_topic)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let _ = writeln!(progress, "pipelined broker ({count} messages)");
        let start = Instant::now();
        broker
            .publish_pipelined(
                &n.broker_topic,
                (0..count).map(|_| Message::new(payload.clone())),
                options.window,
            )
            .await
            .map_err(|e| fail(e.to_string()))?;
        let ours = Measure {
            msgs_per_sec: rate(count, start.elapsed()),
            latency_us: None,
        };
        Ok(pair(&case_name, ours, raw))
    }
    .await;
    cleanup(broker, &n).await;
    cases.push(result?);

    // Consuming what is stored: batch pulls, then streaming pulls.
    let batch = consume(broker, &js, &payload, options, false, progress).await?;
    let streaming = consume(broker, &js, &payload, options, true, progress).await?;
    let streaming_vs_batch = streaming.broker.msgs_per_sec / batch.broker.msgs_per_sec.max(1e-9);
    cases.push(batch);
    cases.push(streaming);
    Ok(Report {
        count,
        size: options.size,
        cases,
        streaming_vs_batch,
    })
}

fn pair(case: &str, broker: Measure, raw: Measure) -> CaseResult {
    CaseResult {
        case: case.to_string(),
        ratio: broker.msgs_per_sec / raw.msgs_per_sec.max(1e-9),
        broker,
        raw,
    }
}

async fn consume(
    broker: &Broker,
    js: &jetstream::Context,
    payload: &Bytes,
    options: &BenchOptions,
    streaming: bool,
    progress: &mut dyn Write,
) -> Result<CaseResult, BenchError> {
    let batch = if streaming {
        options.stream_batch
    } else {
        options.batch
    };
    let case = if streaming {
        format!("consume (streaming, {batch} buffered)")
    } else {
        format!("consume (batch of {batch})")
    };
    let n = names(if streaming { "stream" } else { "batch" });
    let result = consume_case(broker, js, payload, options, streaming, &case, &n, progress).await;
    cleanup(broker, &n).await;
    result
}

#[allow(clippy::too_many_arguments)]
async fn consume_case(
    broker: &Broker,
    js: &jetstream::Context,
    payload: &Bytes,
    options: &BenchOptions,
    streaming: bool,
    case: &str,
    n: &Names,
    progress: &mut dyn Write,
) -> Result<CaseResult, BenchError> {
    let count = options.count;
    let batch = if streaming {
        options.stream_batch
    } else {
        options.batch
    };
    let fail = failed(case);
    // Fill both streams first, pipelined.
    let raw = raw_stream(js, n).await.map_err(&fail)?;
    let mut in_flight = VecDeque::new();
    for _ in 0..count {
        if in_flight.len() >= 512 {
            let pending: jetstream::context::PublishAckFuture =
                in_flight.pop_front().expect("full");
            pending.await.map_err(|e| fail(e.to_string()))?;
        }
        in_flight.push_back(
            js.publish(n.raw_subject.clone(), payload.clone())
                .await
                .map_err(|e| fail(e.to_string()))?,
        );
    }
    for pending in in_flight {
        pending.await.map_err(|e| fail(e.to_string()))?;
    }
    broker
        .publish_pipelined(
            &n.broker_topic,
            (0..count).map(|_| Message::new(payload.clone())),
            512,
        )
        .await
        .map_err(|e| fail(e.to_string()))?;

    // Raw: the same pulls and acks with the bare client.
    let puller = raw
        .create_consumer(consumer::pull::Config {
            durable_name: Some("bench".into()),
            ack_policy: consumer::AckPolicy::Explicit,
            ..Default::default()
        })
        .await
        .map_err(|e| fail(e.to_string()))?;
    let label = if streaming {
        "streaming raw"
    } else {
        "batch raw"
    };
    let mut bar = Progress::new(progress, label, count);
    let start = Instant::now();
    let mut done = 0;
    if streaming {
        let mut messages = puller
            .stream()
            .max_messages_per_batch(batch)
            .messages()
            .await
            .map_err(|e| fail(e.to_string()))?;
        while done < count {
            let m = messages
                .next()
                .await
                .ok_or_else(|| fail("stream ended".into()))?
                .map_err(|e| fail(e.to_string()))?;
            m.ack().await.map_err(|e| fail(e.to_string()))?;
            done += 1;
            bar.set(done);
        }
    } else {
        while done < count {
            let mut messages = puller
                .batch()
                .max_messages(batch)
                .expires(Duration::from_secs(1))
                .messages()
                .await
                .map_err(|e| fail(e.to_string()))?;
            while let Some(m) = messages.next().await {
                let m = m.map_err(|e| fail(e.to_string()))?;
                m.ack().await.map_err(|e| fail(e.to_string()))?;
                done += 1;
                bar.set(done);
            }
        }
    }
    let raw_measure = Measure {
        msgs_per_sec: rate(count, start.elapsed()),
        latency_us: None,
    };

    // Broker: a subscription doing the same.
    let handled = Arc::new(AtomicUsize::new(0));
    let all = Arc::new(Notify::new());
    let (counter, signal) = (handled.clone(), all.clone());
    let mut options_ = SubscribeOptions::queue("bench")
        .batch_size(batch)
        .fetch_wait(Duration::from_secs(1));
    if streaming {
        options_ = options_.streaming();
    }
    let label = if streaming {
        "streaming broker"
    } else {
        "batch broker"
    };
    let start = Instant::now();
    let sub = broker
        .subscribe(
            &n.broker_topic,
            move |_event| {
                if counter.fetch_add(1, Ordering::Relaxed) + 1 == count {
                    signal.notify_one();
                }
                std::future::ready(Ok(()))
            },
            options_,
        )
        .await
        .map_err(|e| fail(e.to_string()))?;
    let mut bar = Progress::new(progress, label, count);
    // Generous: a thousand messages a second would be far below anything seen.
    let deadline = Instant::now() + Duration::from_secs(60 + count as u64 / 1000);
    loop {
        tokio::select! {
            _ = all.notified() => break,
            _ = tokio::time::sleep(Duration::from_millis(100)) => {
                bar.set(handled.load(Ordering::Relaxed).min(count));
                if Instant::now() > deadline {
                    return Err(fail(format!(
                        "only {} of {count} handled in time",
                        handled.load(Ordering::Relaxed)
                    )));
                }
            }
        }
    }
    let took = start.elapsed();
    bar.set(count);
    sub.unsubscribe().await.map_err(|e| fail(e.to_string()))?;
    Ok(pair(
        case,
        Measure {
            msgs_per_sec: rate(count, took),
            latency_us: None,
        },
        raw_measure,
    ))
}

/// The report as a table.
pub fn table(report: &Report) -> String {
    let mut out = format!(
        "{} messages of {} bytes; broker and raw async-nats on the same server and connection\n\n",
        report.count, report.size
    );
    out.push_str(&format!(
        "{:<36} {:>14} {:>14} {:>8}   {}\n",
        "case", "broker msg/s", "raw msg/s", "ratio", "latency p50/p90/p99 µs (broker | raw)"
    ));
    for c in &report.cases {
        let lat = match (&c.broker.latency_us, &c.raw.latency_us) {
            (Some(b), Some(r)) => format!(
                "{:.0}/{:.0}/{:.0} | {:.0}/{:.0}/{:.0}",
                b[0], b[1], b[2], r[0], r[1], r[2]
            ),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{:<36} {:>14.0} {:>14.0} {:>8.2}   {lat}\n",
            c.case, c.broker.msgs_per_sec, c.raw.msgs_per_sec, c.ratio
        ));
    }
    out.push_str(&format!(
        "\nbroker streaming consume / broker batch consume: {:.1}x\n",
        report.streaming_vs_batch
    ));
    out
}

/// What the console costs on a server with many streams.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleReport {
    pub streams: usize,
    pub consumers: usize,
    /// JetStream API requests one refresh makes.
    pub requests_per_refresh: usize,
    pub refresh_ms_p50: f64,
    /// Handling a key and drawing a 160x45 frame, with every stream loaded.
    pub key_to_frame_ms_p50: f64,
    pub key_to_frame_ms_max: f64,
    /// Resident memory of this process with everything loaded.
    pub rss_mb: f64,
    /// Rows an auto subscription holds after a million messages.
    pub auto_window_rows: usize,
    pub rss_growth_after_million_mb: f64,
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
    use crate::console::{app, collector, rates::RateBook, ui};
    let fail = failed("console-scale");
    let client = broker
        .client()
        .ok_or_else(|| BenchError::Connect("not connected".to_string()))?;
    let js = jetstream::new(client);
    let prefix = format!(
        "SCALE_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..6].to_uppercase()
    );
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
    let selected = Some(format!("{prefix}_0000"));
    let mut book = RateBook::new(Duration::from_secs(1));
    let mut times = Vec::new();
    let mut snapshot = None;
    let mut requests = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let s = collector::refresh(broker, selected.clone(), &mut book)
            .await
            .map_err(|e| fail(e.to_string()))?;
        times.push(t.elapsed());
        requests = s.requests;
        snapshot = Some(s);
    }
    let snapshot = snapshot.expect("five refreshes");
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
    let rss = rss_mb();
    // A million messages through an automatic subscription's window.
    let mut attached = bench_attached();
    for i in 0..1_000_000u64 {
        attached.add_auto(bench_row(i));
    }
    let growth = rss_mb() - rss;
    let mut bar = Progress::new(progress, "removing streams", streams);
    for (i, chunk) in (0..streams).collect::<Vec<_>>().chunks(50).enumerate() {
        let deletes = chunk.iter().map(|i| {
            let name = format!("{prefix}_{i:04}");
            async move { broker.delete_stream(&name).await }
        });
        futures::future::join_all(deletes).await;
        bar.set(((i + 1) * 50).min(streams));
    }
    key_times.sort_unstable();
    times.sort_unstable();
    Ok(ScaleReport {
        streams,
        consumers: streams * per_stream,
        requests_per_refresh: requests,
        refresh_ms_p50: times[times.len() / 2].as_secs_f64() * 1e3,
        key_to_frame_ms_p50: key_times[key_times.len() / 2].as_secs_f64() * 1e3,
        key_to_frame_ms_max: key_times.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        rss_mb: rss,
        auto_window_rows: attached.rows.len(),
        rss_growth_after_million_mb: growth,
    })
}

pub fn scale_table(r: &ScaleReport) -> String {
    format!(
        "console scale: {} streams, {} consumers\n\
         requests per refresh        {}\n\
         refresh time (p50)          {:.1} ms\n\
         key + frame (p50 / max)     {:.2} / {:.2} ms\n\
         resident memory             {:.1} MB\n\
         auto window after 1,000,000 {} rows (+{:.1} MB)\n",
        r.streams,
        r.consumers,
        r.requests_per_refresh,
        r.refresh_ms_p50,
        r.key_to_frame_ms_p50,
        r.key_to_frame_ms_max,
        r.rss_mb,
        r.auto_window_rows,
        r.rss_growth_after_million_mb
    )
}

fn bench_session() -> crate::console::model::SessionInfo {
    crate::console::model::SessionInfo {
        servers: "bench".to_string(),
        context: None,
        embedded: None,
        log_file: std::path::PathBuf::from("bench.log"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_case_quotes_the_servers_warnings() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("nats-server.log");
        std::fs::write(
            &log,
            "[1] [INF] Server is ready\n[1] [WRN] Stream create failed for '$G > S': no such file or directory (10077)\n",
        )
        .unwrap();
        let err = failed("consume (batch of 10)")(
            "error creating store for stream (code 500, error code 10049)".into(),
        );
        assert!(!err.to_string().contains("server's log"), "{err}");
        let text = err.with_server_log(&log).to_string();
        assert!(
            text.starts_with("consume (batch of 10): error creating store"),
            "{text}"
        );
        assert!(
            text.contains("the server's log ends with:\n  [1] [WRN] Stream create failed"),
            "{text}"
        );
        assert!(!text.contains("[INF]"), "{text}");
    }
}
