//! `jetdeck dead-letters ...`: the command line of the dead-letters engine.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use jetdeck::broker::Broker;

use crate::{ConnectArgs, failure, target_for};

#[derive(Subcommand)]
pub(crate) enum DeadLettersCommand {
    /// List dead letters (from the capture stream): stream, seq, subject, consumer,
    /// deliveries, cause, when, whether the original is still in its stream
    List(DeadLetterArgs),
    /// Publish each original again (to its own subject, or --to), then delete it; the
    /// copy carries Jetdeck-Retry-* headers and a Nats-Msg-Id, so a repeated retry is not
    /// stored twice
    Retry {
        #[command(flatten)]
        common: DeadLetterArgs,
        #[command(flatten)]
        change: ChangeArgs,
        /// Publish to this subject instead of the original's (a stream must listen there)
        #[arg(long, value_name = "SUBJECT")]
        to: Option<String>,
    },
    /// Move each original to a dead-letter subject (a stream must listen there), then
    /// delete it
    Move {
        #[command(flatten)]
        common: DeadLetterArgs,
        #[command(flatten)]
        change: ChangeArgs,
        /// The dead-letter subject
        #[arg(long, value_name = "SUBJECT")]
        to: String,
    },
    /// Delete each original from its stream, for good
    Discard {
        #[command(flatten)]
        common: DeadLetterArgs,
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Write dead letters to a JSON Lines file (bodies as text, or base64 when not UTF-8)
    Export {
        #[command(flatten)]
        common: DeadLetterArgs,
        /// Only these stream sequences (repeatable); default: every listed one
        #[arg(long = "seq", value_name = "N")]
        sequences: Vec<u64>,
        /// The file to write
        #[arg(long, short, value_name = "FILE")]
        output: PathBuf,
    },
    /// Create the capture stream that records MAX_DELIVERIES, MSG_TERMINATED and
    /// MSG_NAKED advisories (bounded; oldest dropped first), or show the one there
    Capture {
        #[command(flatten)]
        connect: ConnectArgs,
        /// The capture stream's name
        #[arg(long, value_name = "STREAM", default_value = jetdeck::deadletters::CAPTURE_STREAM)]
        capture_stream: String,
        /// Most bytes it keeps
        #[arg(long, default_value_t = jetdeck::deadletters::DEFAULT_CAPTURE_MAX_BYTES)]
        max_bytes: i64,
        /// Oldest advisory it keeps
        #[arg(long, default_value = "7d", value_parser = humantime::parse_duration)]
        max_age: Duration,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub(crate) struct DeadLetterArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    /// Only dead letters of this stream
    #[arg(long)]
    stream: Option<String>,
    /// Only dead letters of this consumer
    #[arg(long)]
    consumer: Option<String>,
    /// The capture stream to read
    #[arg(long, value_name = "STREAM", default_value = jetdeck::deadletters::CAPTURE_STREAM)]
    capture_stream: String,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub(crate) struct ChangeArgs {
    /// Only these stream sequences (repeatable); default: every listed one still in its
    /// stream
    #[arg(long = "seq", value_name = "N")]
    sequences: Vec<u64>,
    /// Do it without asking (needed when not on a terminal)
    #[arg(long)]
    yes: bool,
}

/// `jetdeck dead-letters ...`: the engine's headless runner with the command line's
/// choices.
pub(crate) async fn run_dead_letters(command: DeadLettersCommand, log_file: &Path) -> ExitCode {
    use jetdeck::deadletters::Filter;
    use jetdeck::deadletters::headless::{self, Action, Options};
    use std::io::IsTerminal;
    let no_change = ChangeArgs {
        sequences: Vec::new(),
        yes: false,
    };
    let (connect, capture, json, filter, change, action) = match command {
        DeadLettersCommand::Capture {
            connect,
            capture_stream,
            max_bytes,
            max_age,
            json,
        } => {
            let action = Action::Capture { max_bytes, max_age };
            (
                connect,
                capture_stream,
                json,
                Filter::default(),
                no_change,
                action,
            )
        }
        DeadLettersCommand::List(common) => split(common, no_change, Action::List),
        DeadLettersCommand::Retry { common, change, to } => {
            split(common, change, Action::Retry { to })
        }
        DeadLettersCommand::Move { common, change, to } => {
            split(common, change, Action::Move { to })
        }
        DeadLettersCommand::Discard { common, change } => split(common, change, Action::Discard),
        DeadLettersCommand::Export {
            common,
            sequences,
            output,
        } => {
            let change = ChangeArgs {
                sequences,
                yes: false,
            };
            split(common, change, Action::Export { path: output })
        }
    };
    let target = match target_for(&connect).await {
        Ok(found) => found,
        Err(e) => return failure("jetdeck dead-letters", log_file, e),
    };
    let _server = target.server;
    let broker = Broker::new(target.options);
    let options = Options {
        filter,
        capture,
        json,
        sequences: change.sequences,
        yes: change.yes,
        interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
    };
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let status = headless::run(&broker, &action, &options, &mut out, &mut err).await;
    ExitCode::from(status)
}

type DeadLetterRun = (
    ConnectArgs,
    String,
    bool,
    jetdeck::deadletters::Filter,
    ChangeArgs,
    jetdeck::deadletters::headless::Action,
);

fn split(
    common: DeadLetterArgs,
    change: ChangeArgs,
    action: jetdeck::deadletters::headless::Action,
) -> DeadLetterRun {
    let filter = jetdeck::deadletters::Filter {
        stream: common.stream,
        consumer: common.consumer,
    };
    (
        common.connect,
        common.capture_stream,
        common.json,
        filter,
        change,
        action,
    )
}
