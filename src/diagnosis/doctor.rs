//! `jetdeck doctor`: the diagnosis of every consumer (or one stream's, or one), headless.
//! Findings grouped by stream, or JSON; the exit status is 1 when any finding is a
//! problem, so it fits a cron job or a CI step.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, SystemTime};

use async_nats::jetstream::{consumer, stream};
use futures::{StreamExt, TryStreamExt};

use super::{ConsumerFacts, Finding, History, Severity, collect, dead_letter_counts, diagnose};
use crate::broker::{ApiError, Broker, ServerVersion};
use crate::deadletters::{DeadLetterError, Filter};

/// Nothing is a problem; some finding is a problem; the diagnosis could not be made.
pub const EXIT_OK: u8 = 0;
pub const EXIT_PROBLEM: u8 = 1;
pub const EXIT_FAILED: u8 = 2;

/// Streams whose consumers are listed at once.
const LISTING_CONCURRENCY: usize = 16;

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub stream: Option<String>,
    pub consumer: Option<String>,
    pub json: bool,
    /// Time between the two looks (rates, redeliveries); zero: one look.
    pub interval: Duration,
    /// The dead-letter capture stream to count MAX_DELIVERIES from (when it exists).
    pub capture: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("{0}")]
    DeadLetters(#[from] DeadLetterError),
    #[error("{0}")]
    Connect(String),
}

/// One consumer's diagnosis, as printed and as JSON.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Diagnosis {
    pub stream: String,
    pub consumer: String,
    /// The column word of the worst finding.
    pub marker: &'static str,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub consumers: Vec<Diagnosis>,
    pub problems: usize,
    pub warnings: usize,
    /// Whether MAX_DELIVERIES counts came from a capture stream.
    pub dead_letters_known: bool,
    /// What the diagnosis could not look at, in plain words.
    pub notes: Vec<String>,
}

impl Report {
    pub fn exit_status(&self) -> u8 {
        if self.problems > 0 {
            EXIT_PROBLEM
        } else {
            EXIT_OK
        }
    }
}

/// Connects, diagnoses, prints to `out` (problems to `err`), disconnects; the exit status.
pub async fn run(
    broker: &Broker,
    options: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let report = match broker.connect().await {
        Ok(()) => examine(broker, options).await,
        Err(e) => Err(DoctorError::Connect(e.to_string())),
    };
    let _ = broker.disconnect().await;
    match report {
        Ok(report) => {
            if options.json {
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                let _ = write!(out, "{}", text(&report));
            }
            report.exit_status()
        }
        Err(e) => {
            let _ = writeln!(err, "jetdeck doctor: {e}");
            EXIT_FAILED
        }
    }
}

type Listing = Vec<(stream::Info, Vec<consumer::Info>)>;

/// Every chosen stream with its chosen consumers.
async fn listing(broker: &Broker, options: &Options) -> Result<Listing, ApiError> {
    let streams = match &options.stream {
        Some(name) => vec![broker.stream_info(name).await?],
        None => broker.list_streams().await?,
    };
    futures::stream::iter(streams.into_iter().map(|s| async move {
        let mut consumers = broker.list_consumers(&s.config.name).await?;
        if let Some(only) = &options.consumer {
            consumers.retain(|c| &c.name == only);
        }
        Ok::<_, ApiError>((s, consumers))
    }))
    .buffered(LISTING_CONCURRENCY)
    .try_filter(|(_, consumers)| futures::future::ready(!consumers.is_empty()))
    .try_collect()
    .await
}

/// The diagnosis of every chosen consumer: one look, or two `interval` apart.
pub async fn examine(broker: &Broker, options: &Options) -> Result<Report, DoctorError> {
    let filter = Filter {
        stream: options.stream.clone(),
        consumer: options.consumer.clone(),
    };
    let (dead, notes) = what_is_known(broker, options, &filter).await;
    let mut histories: BTreeMap<(String, String), History> = BTreeMap::new();
    if !options.interval.is_zero() {
        let taken_at = SystemTime::now();
        for (s, consumers) in listing(broker, options).await? {
            for c in &consumers {
                let facts = ConsumerFacts::from_info(&s, c, None, taken_at);
                histories
                    .entry((s.config.name.clone(), c.name.clone()))
                    .or_default()
                    .push(facts.sample());
            }
        }
        tokio::time::sleep(options.interval).await;
    }
    let mut consumers = Vec::new();
    for (s, infos) in listing(broker, options).await? {
        for c in &infos {
            let facts = collect(broker, &s, c, dead.as_ref()).await?;
            let history = histories
                .remove(&(facts.stream.clone(), facts.consumer.clone()))
                .unwrap_or_default();
            let findings = diagnose(&facts, &history, facts.taken_at);
            consumers.push(Diagnosis {
                stream: facts.stream,
                consumer: facts.consumer,
                marker: super::marker(&findings).unwrap_or("healthy"),
                findings,
            });
        }
    }
    let count = |severity| {
        consumers
            .iter()
            .flat_map(|d| &d.findings)
            .filter(|f| f.severity == severity)
            .count()
    };
    Ok(Report {
        problems: count(Severity::Problem),
        warnings: count(Severity::Warning),
        dead_letters_known: dead.is_some(),
        notes,
        consumers,
    })
}

type DeadCounts = BTreeMap<(String, String), u64>;

/// The dead-letter counts (when a capture stream can be read), and notes on what the
/// diagnosis cannot look at.
async fn what_is_known(
    broker: &Broker,
    options: &Options,
    filter: &Filter,
) -> (Option<DeadCounts>, Vec<String>) {
    let mut notes = Vec::new();
    // Without the capture stream (or leave to read it) the rest is still worth saying.
    let dead = match dead_letter_counts(broker, &options.capture, filter).await {
        Ok(Some(counts)) => Some(counts),
        Ok(None) => {
            notes.push(format!("Messages out of deliveries are not counted: no capture stream {} (`jetdeck dead-letters capture` makes it).", options.capture));
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "doctor: reading the capture stream failed");
            notes.push(format!("Messages out of deliveries are not counted: {e}"));
            None
        }
    };
    let version = broker
        .server_info()
        .and_then(|i| ServerVersion::of(&i).ok());
    if let Some(v) = version.as_ref().filter(|v| !v.supports_consumer_pause()) {
        notes.push(format!(
            "This server ({}.{}.{}) cannot pause consumers (2.11+), so none is said to be paused.",
            v.major, v.minor, v.patch
        ));
    }
    (dead, notes)
}

/// The findings grouped by stream, for a person.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for d in &report.consumers {
        if current != Some(d.stream.as_str()) {
            if current.is_some() {
                out.push('\n');
            }
            out.push_str(&format!("Stream {}\n", d.stream));
            current = Some(&d.stream);
        }
        for f in &d.findings {
            out.push_str(&format!(
                "  {:<20} {:<13} {:<7}  {}\n",
                d.consumer,
                f.kind.word(),
                f.severity.word(),
                f.sentence
            ));
            if let Some(action) = &f.action {
                out.push_str(&format!("  {:<20} {:<13} {:<7}  -> {action}\n", "", "", ""));
            }
        }
    }
    if report.consumers.is_empty() {
        out.push_str("No consumers to diagnose.\n");
    }
    out.push_str(&format!(
        "\n{}: {}, {}.\n",
        counted(report.consumers.len(), "consumer"),
        counted(report.problems, "problem"),
        counted(report.warnings, "warning"),
    ));
    for note in &report.notes {
        out.push_str(note);
        out.push('\n');
    }
    out
}

/// "1 problem", "2 problems".
fn counted(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
