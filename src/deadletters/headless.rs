//! `jetdeck dead-letters`: the engine for scripts. List, retry, move, discard, export and
//! make the capture stream; changes are previewed and need `--yes` (or a "y" typed on a
//! terminal); the exit status is 0 only when everything asked for was done.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

use super::{
    BulkReport, CaptureConfig, DeadLetter, DeadLetterError, ExportRecord, Filter, bulk,
    capture_exists, capture_stream_config, discard, ensure_capture, export, list, move_to, retry,
};
use crate::broker::Broker;

/// Exit statuses: done; something failed; a change was not confirmed (nothing done).
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_UNCONFIRMED: u8 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    List,
    /// To each original's own subject, or to `to`.
    Retry {
        to: Option<String>,
    },
    Move {
        to: String,
    },
    Discard,
    Export {
        path: PathBuf,
    },
    Capture {
        max_bytes: i64,
        max_age: Duration,
    },
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub filter: Filter,
    /// The capture stream's name.
    pub capture: String,
    pub json: bool,
    /// Stream sequences to act on; empty: every listed dead letter still in its stream.
    pub sequences: Vec<u64>,
    pub yes: bool,
    /// Whether a person can be asked (stdin and stderr are terminals).
    pub interactive: bool,
}

/// Runs `action`; the broker is connected here. Results go to `out`, progress and
/// problems to `err`. Returns the exit status.
pub async fn run(
    broker: &Broker,
    action: &Action,
    options: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    if let Err(e) = broker.connect().await {
        let _ = writeln!(err, "jetdeck dead-letters: {e}");
        return EXIT_FAILED;
    }
    let status = match run_connected(broker, action, options, out, err).await {
        Ok(status) => status,
        Err(e) => {
            let _ = writeln!(err, "jetdeck dead-letters: {e}");
            EXIT_FAILED
        }
    };
    let _ = broker.disconnect().await;
    status
}

async fn run_connected(
    broker: &Broker,
    action: &Action,
    options: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, DeadLetterError> {
    if let Action::Capture { max_bytes, max_age } = action {
        let config = CaptureConfig {
            name: options.capture.clone(),
            max_bytes: *max_bytes,
            max_age: *max_age,
        };
        return make_capture(broker, &config, options.json, out).await;
    }
    let capture = if capture_exists(broker, &options.capture).await? {
        Some(options.capture.as_str())
    } else {
        let _ = writeln!(
            err,
            "No capture stream {}: dead letters are known only from it. Create it with `jetdeck dead-letters capture`.",
            options.capture
        );
        None
    };
    let letters = list(broker, &options.filter, capture, &[]).await?;
    if *action == Action::List {
        print_list(&letters, options.json, out);
        return Ok(EXIT_OK);
    }
    let chosen = match choose(&letters, action, options) {
        Ok(chosen) => chosen,
        Err(problem) => {
            let _ = writeln!(err, "jetdeck dead-letters: {problem}");
            return Ok(EXIT_FAILED);
        }
    };
    if let Action::Export { path } = action {
        let written = export(&chosen, path)?;
        let _ = writeln!(
            out,
            "Exported {} dead letters to {}",
            chosen.len(),
            written.display()
        );
        return Ok(EXIT_OK);
    }
    if !confirmed(action, &chosen, options, err) {
        return Ok(EXIT_UNCONFIRMED);
    }
    Ok(change(broker, action, &chosen, options.json, out, err).await)
}

/// Makes (or finds) the capture stream and prints its config.
async fn make_capture(
    broker: &Broker,
    config: &CaptureConfig,
    json: bool,
    out: &mut dyn Write,
) -> Result<u8, DeadLetterError> {
    let status = ensure_capture(broker, config).await?;
    let c = &status.config;
    if json {
        let shown = serde_json::json!({
            "stream": c.name,
            "created": status.created,
            "subjects": c.subjects,
            "max_bytes": c.max_bytes,
            "max_age_secs": c.max_age.as_secs(),
        });
        let _ = writeln!(out, "{shown}");
    } else {
        let verb = if status.created { "Created" } else { "Found" };
        let _ = writeln!(out, "{verb} capture stream {}", c.name);
        let _ = writeln!(out, "  subjects: {}", c.subjects.join(", "));
        let _ = writeln!(out, "  max bytes: {}", c.max_bytes);
        let _ = writeln!(out, "  max age: {}s", c.max_age.as_secs());
    }
    Ok(EXIT_OK)
}

fn when(time: std::time::SystemTime) -> String {
    time::OffsetDateTime::from(time)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The listing: one JSON array of export records, or a table.
fn print_list(letters: &[DeadLetter], json: bool, out: &mut dyn Write) {
    if json {
        let records: Vec<ExportRecord> = letters.iter().map(ExportRecord::from_letter).collect();
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&records).unwrap_or_default()
        );
        return;
    }
    let _ = writeln!(
        out,
        "{:<16} {:>8}  {:<24} {:<16} {:>10}  {:<24} {:<20} IN STREAM",
        "STREAM", "SEQ", "SUBJECT", "CONSUMER", "DELIVERIES", "CAUSE", "WHEN"
    );
    for l in letters {
        let _ = writeln!(
            out,
            "{:<16} {:>8}  {:<24} {:<16} {:>10}  {:<24} {:<20} {}",
            l.stream,
            l.sequence,
            l.subject().unwrap_or("-"),
            l.consumer,
            l.deliveries,
            l.cause.describe(),
            when(l.time),
            if l.in_stream() { "yes" } else { "no (gone)" }
        );
    }
    let _ = writeln!(out, "{} dead letters", letters.len());
}

/// The letters `--seq` names (each exactly one listed letter), else every listed one
/// still in its stream (every listed one for an export).
fn choose(
    letters: &[DeadLetter],
    action: &Action,
    options: &Options,
) -> Result<Vec<DeadLetter>, String> {
    if options.sequences.is_empty() {
        let export = matches!(action, Action::Export { .. });
        return Ok(letters
            .iter()
            .filter(|l| export || l.in_stream())
            .cloned()
            .collect());
    }
    let mut chosen = Vec::new();
    for &seq in &options.sequences {
        let found: Vec<&DeadLetter> = letters.iter().filter(|l| l.sequence == seq).collect();
        match found.as_slice() {
            [] => return Err(format!("seq {seq} is not a listed dead letter")),
            [one] => chosen.push((*one).clone()),
            several => {
                let streams: Vec<&str> = several.iter().map(|l| l.stream.as_str()).collect();
                return Err(format!(
                    "seq {seq} is a dead letter in several streams ({}); add --stream",
                    streams.join(", ")
                ));
            }
        }
    }
    Ok(chosen)
}

/// What a change will do, in words.
fn preview(action: &Action, chosen: &[DeadLetter]) -> String {
    let what = match action {
        Action::Retry { to: None } => {
            "retry (publish again to its own subject, then delete the original)".to_string()
        }
        Action::Retry { to: Some(to) } => format!("retry to {to} (then delete the original)"),
        Action::Move { to } => format!("move to {to} (then delete the original)"),
        Action::Discard => "discard (delete from its stream, for good)".to_string(),
        _ => String::new(),
    };
    let names: Vec<String> = chosen.iter().map(|l| l.target().to_string()).collect();
    format!(
        "Will {what}: {} dead letters: {}",
        chosen.len(),
        names.join(", ")
    )
}

/// `--yes`, or a "y" from a person at a terminal. Otherwise says how to confirm.
fn confirmed(
    action: &Action,
    chosen: &[DeadLetter],
    options: &Options,
    err: &mut dyn Write,
) -> bool {
    let _ = writeln!(err, "{}", preview(action, chosen));
    if options.yes {
        return true;
    }
    if !options.interactive {
        let _ = writeln!(err, "Nothing done: re-run with --yes to do it.");
        return false;
    }
    let _ = write!(err, "Proceed? [y/N] ");
    let _ = err.flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    let yes = matches!(answer.trim(), "y" | "Y" | "yes");
    if !yes {
        let _ = writeln!(err, "Nothing done.");
    }
    yes
}

/// Runs the change over `chosen`, progress on `err`, the report on `out`.
async fn change(
    broker: &Broker,
    action: &Action,
    chosen: &[DeadLetter],
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let mut progress = |p: &super::Progress| {
        let _ = writeln!(err, "[{}/{}] {}", p.finished, p.total, p.last);
    };
    let (verb, report): (&str, BulkReport<serde_json::Value>) = match action {
        Action::Retry { to } => (
            "retried",
            bulk(
                chosen,
                |l| async {
                    retry(broker, l, to.as_deref())
                        .await
                        .map(|d| serde_json::json!(d))
                },
                &mut progress,
            )
            .await,
        ),
        Action::Move { to } => (
            "moved",
            bulk(
                chosen,
                |l| async { move_to(broker, l, to).await.map(|d| serde_json::json!(d)) },
                &mut progress,
            )
            .await,
        ),
        _ => (
            "discarded",
            bulk(
                chosen,
                |l| async {
                    discard(broker, l)
                        .await
                        .map(|()| serde_json::json!(l.target()))
                },
                &mut progress,
            )
            .await,
        ),
    };
    print_report(verb, &report, json, out);
    if report.ok() { EXIT_OK } else { EXIT_FAILED }
}

fn print_report(
    verb: &str,
    report: &BulkReport<serde_json::Value>,
    json: bool,
    out: &mut dyn Write,
) {
    if json {
        let failed = report
            .failed
            .as_ref()
            .map(|(t, e)| serde_json::json!({"target": t, "error": e.to_string()}));
        let shown = serde_json::json!({
            "done": report.done,
            "failed": failed,
            "untouched": report.untouched,
        });
        let _ = writeln!(out, "{shown}");
    } else {
        let _ = writeln!(out, "{}", report.summary(verb));
    }
}

/// The stream config `capture` would create, for showing before it is made.
pub fn capture_preview(config: &CaptureConfig) -> String {
    let c = capture_stream_config(config);
    format!(
        "capture stream {}: {} (at most {} bytes, {}s)",
        c.name,
        c.subjects.join(", "),
        c.max_bytes,
        c.max_age.as_secs()
    )
}
