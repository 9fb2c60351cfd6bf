//! `jetdeck bench`: the broker against the bare async-nats client, side by side on one
//! server in one run (absolute numbers move from machine to machine; the ratio is the
//! figure), and the console's cost on a server with many streams.

use std::time::Duration;

use serde::Serialize;
use thiserror::Error;

mod kv;
mod progress;
mod scale;
mod tail;
mod throughput;

pub use kv::{KvReport, kv_keys, kv_table};
pub use scale::{ScaleReport, console_scale, rss_mb, scale_table};
pub use tail::{TailReport, tail_firehose, tail_table};
pub use throughput::throughput;

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
