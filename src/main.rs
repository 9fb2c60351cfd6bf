//! The `jetdeck` command: parse the command line, set up logging, run a command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use jetdeck::broker::{Broker, BrokerOptions};
use jetdeck::connect::{ConnectFlags, Settings};
use jetdeck::console::model::{EmbeddedInfo, SessionInfo};
use jetdeck::console::{self, ConsoleOptions};
use jetdeck::server::{NatsServer, ServerOptions};
use jetdeck::validate::{self, ValidateOptions};

#[derive(Parser)]
#[command(
    name = "jetdeck",
    version,
    about = "An operations console for NATS JetStream",
    long_about = "An operations console for NATS JetStream.\n\nWith no subcommand, jetdeck opens the console: streams, durable consumers, counters and JetStream events, live. `jetdeck validate` runs the broker's validation flow headless.\n\nConnection settings come from the flags, then the environment (NATS_URL, NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_NKEY, NATS_CERT, NATS_KEY, NATS_CA), then a natscli context (--context, NATS_CONTEXT, or the one selected in ~/.config/nats/context.txt; XDG_CONFIG_HOME is honoured), then nats://127.0.0.1:4222. Passwords and tokens are never shown or logged.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(flatten)]
    connect: ConnectArgs,
    /// Also create demo streams, consumers and a gentle flow of messages (needs --embedded)
    #[arg(long, requires = "embedded")]
    demo: bool,
    /// How often the console refreshes from the server
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_refresh)]
    refresh: Duration,
    /// Log file (logs never go to the screen). Default: ~/.local/state/jetdeck/jetdeck.log
    #[arg(long, global = true, value_name = "FILE")]
    log_file: Option<PathBuf>,
    /// Log filter, e.g. info, debug, jetdeck=trace (default: RUST_LOG, else info)
    #[arg(long, global = true, value_name = "LEVEL")]
    log_level: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the broker's validation flow: subscribe, publish N messages, check every one is
    /// received and acknowledged. Exit 0 only then.
    Validate(ValidateArgs),
    /// Measure the broker against the bare async-nats client on one server (msgs/s,
    /// latency, ratio), or the console's cost with many streams (--scenario console-scale)
    Bench(BenchArgs),
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Scenario {
    /// Publish (sync, pipelined) and consume (batch, streaming), broker vs raw
    Throughput,
    /// Many streams and consumers: requests per refresh, key-to-frame time, memory
    ConsoleScale,
}

#[derive(Args)]
struct BenchArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    #[arg(long, value_enum, default_value = "throughput")]
    scenario: Scenario,
    /// Messages per case
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    count: u64,
    /// Message size in bytes
    #[arg(long, default_value_t = 128)]
    size: usize,
    /// Messages per pull in batch mode (10 is the seed broker's)
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    batch: u64,
    /// Messages per pull in streaming mode
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    stream_batch: u64,
    /// PubAcks outstanding in pipelined publish (at most 1024)
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=1024))]
    window: u64,
    /// Streams for console-scale
    #[arg(long, default_value_t = 1000)]
    streams: usize,
    /// Consumers per stream for console-scale
    #[arg(long, default_value_t = 5)]
    consumers_per_stream: usize,
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
}

/// Where to connect: the natscli-style flags, or a private server.
#[derive(Args)]
struct ConnectArgs {
    #[command(flatten)]
    flags: ConnectFlags,
    /// Start a private nats-server (random loopback port, stopped on exit) instead
    #[arg(long, conflicts_with_all = ["server", "context"])]
    embedded: bool,
    /// Store directory of the embedded server (default: a temporary one)
    #[arg(long, value_name = "DIR", requires = "embedded")]
    store_dir: Option<PathBuf>,
}

#[derive(Args)]
struct ValidateArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    /// Messages to publish
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    count: u64,
    /// Topic to publish and subscribe on
    #[arg(long, default_value = "test.messages")]
    topic: String,
    /// Queue name (the durable consumer)
    #[arg(long, default_value = "validation-queue")]
    queue: String,
    /// How long to wait for every message to arrive and be acked
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    timeout: Duration,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log_file = cli
        .log_file
        .clone()
        .unwrap_or_else(jetdeck::logging::default_log_file);
    let _log_guard = match jetdeck::logging::init(&log_file, cli.log_level.as_deref()) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("jetdeck: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("jetdeck: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Some(Command::Validate(args)) => runtime.block_on(run_validate(args, &log_file)),
        Some(Command::Bench(args)) => runtime.block_on(run_bench(args, &log_file)),
        None => runtime.block_on(run_console(cli.connect, cli.demo, cli.refresh, &log_file)),
    }
}

fn parse_refresh(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if d < Duration::from_millis(100) {
        return Err("refresh must be at least 100ms".to_string());
    }
    Ok(d)
}

/// Where the command connects: its broker options, the servers as shown, the context in
/// use, and the private server when `--embedded` (kept alive by the returned handle).
struct Target {
    options: BrokerOptions,
    shown: String,
    context: Option<String>,
    server: Option<NatsServer>,
}

async fn target_for(args: &ConnectArgs) -> Result<Target, String> {
    if !args.embedded {
        let settings = Settings::from_env(&args.flags).map_err(|e| e.to_string())?;
        let options = settings.broker_options().await.map_err(|e| e.to_string())?;
        return Ok(Target {
            options,
            shown: settings.display_servers(),
            context: settings.context.map(|c| c.name),
            server: None,
        });
    }
    let server = NatsServer::start_with(ServerOptions {
        store_dir: args.store_dir.clone(),
        server_name: Some("jetdeck-embedded".to_string()),
        ..Default::default()
    })
    .await
    .map_err(|e| format!("cannot start the embedded server: {e}"))?;
    tracing::info!(url = %server.url(), store = %server.store_dir().display(), log = %server.log_file().display(), "embedded nats-server started");
    Ok(Target {
        options: BrokerOptions::default().addrs([server.url()]),
        shown: server.url(),
        context: None,
        server: Some(server),
    })
}

async fn run_console(
    args: ConnectArgs,
    demo: bool,
    refresh: Duration,
    log_file: &Path,
) -> ExitCode {
    let target = match target_for(&args).await {
        Ok(found) => found,
        Err(e) => {
            eprintln!("jetdeck: {e}");
            return ExitCode::FAILURE;
        }
    };
    let server = target.server;
    let session = SessionInfo {
        servers: target.shown,
        context: target.context,
        embedded: server.as_ref().map(|s| EmbeddedInfo {
            store_dir: s.store_dir().to_path_buf(),
            log_file: s.log_file(),
        }),
        log_file: log_file.to_path_buf(),
    };
    let options = ConsoleOptions {
        session,
        refresh,
        demo,
    };
    // Quitting should not wait long on a server that went away.
    let broker = Broker::new(target.options.drain_timeout(Duration::from_secs(2)));
    let result = console::run(broker, options).await;
    drop(server);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "console failed");
            failure("jetdeck", log_file, e)
        }
    }
}

/// Says what failed and where the log is, on stderr.
fn failure(prefix: &str, log_file: &Path, what: impl std::fmt::Display) -> ExitCode {
    eprintln!("{prefix}: {what}");
    eprintln!("Log file: {}", log_file.display());
    ExitCode::FAILURE
}

async fn run_validate(args: ValidateArgs, log_file: &Path) -> ExitCode {
    let fail = |what: String| failure("Validation failed", log_file, what);
    let target = match target_for(&args.connect).await {
        Ok(found) => found,
        Err(e) => return fail(e),
    };
    let _server = target.server;
    let broker = Broker::new(target.options);
    let options = ValidateOptions {
        topic: args.topic,
        queue: args.queue,
        count: args.count as usize,
        timeout: args.timeout,
    };
    let mut stdout = std::io::stdout();
    match validate::run(&broker, &target.shown, &options, &mut stdout).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "validation failed");
            fail(e.to_string())
        }
    }
}

async fn run_bench(args: BenchArgs, log_file: &Path) -> ExitCode {
    let fail = |what: String| failure("jetdeck bench", log_file, what);
    let target = match target_for(&args.connect).await {
        Ok(found) => found,
        Err(e) => return fail(e),
    };
    let server = target.server;
    let broker = Broker::new(target.options);
    if let Err(e) = broker.connect().await {
        return fail(e.to_string());
    }
    let mut progress = std::io::stderr();
    let printed = match args.scenario {
        Scenario::Throughput => {
            let options = jetdeck::bench::BenchOptions {
                count: args.count as usize,
                size: args.size,
                batch: args.batch as usize,
                stream_batch: args.stream_batch as usize,
                window: args.window as usize,
            };
            jetdeck::bench::throughput(&broker, &options, &mut progress)
                .await
                .map(|r| {
                    if args.json {
                        serde_json::to_string_pretty(&r).unwrap_or_default()
                    } else {
                        jetdeck::bench::table(&r)
                    }
                })
        }
        Scenario::ConsoleScale => jetdeck::bench::console_scale(
            &broker,
            args.streams,
            args.consumers_per_stream,
            &mut progress,
        )
        .await
        .map(|r| {
            if args.json {
                serde_json::to_string_pretty(&r).unwrap_or_default()
            } else {
                jetdeck::bench::scale_table(&r)
            }
        }),
    };
    let _ = broker.disconnect().await;
    match printed {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => match &server {
            Some(server) => fail(e.with_server_log(&server.log_file()).to_string()),
            None => fail(e.to_string()),
        },
    }
}
