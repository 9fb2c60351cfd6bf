//! The `jetdeck` command: parse the command line, set up logging, run a command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use jetdeck::broker::{Broker, BrokerOptions};
use jetdeck::connect::{ConnectFlags, Settings};
use jetdeck::console::model::{EmbeddedInfo, SessionInfo};
use jetdeck::console::{self, ConsoleOptions, Exit};
use jetdeck::server::{NatsServer, ServerOptions};
use jetdeck::validate::{self, ValidateOptions};
use tokio::signal::unix::{Signal, SignalKind, signal};

mod dead_letters_cli;
mod shell;

use dead_letters_cli::{DeadLettersCommand, run_dead_letters};

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
    #[command(flatten)]
    settings: jetdeck::config::SettingFlags,
    /// Configuration file (default: config.toml in ~/.config/jetdeck, the platform's
    /// config directory) [env: JETDECK_CONFIG]
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log file (logs never go to the screen). Default: ~/.local/state/jetdeck/jetdeck.log
    #[arg(long, global = true, value_name = "FILE")]
    log_file: Option<PathBuf>,
    /// Log filter, e.g. info, debug, jetdeck=trace (default: RUST_LOG, else info)
    #[arg(long, global = true, value_name = "LEVEL")]
    log_level: Option<String>,
    #[command(flatten)]
    looks: LooksArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// How the console looks and takes input (the config file's `theme`, `[colors]` and
/// `mouse` feed the same `ConsoleOptions` fields).
#[derive(Args, Clone)]
struct LooksArgs {
    /// Colour theme: default, light (for a white background) or high-contrast. NO_COLOR
    /// set and not empty turns colour off whatever the theme. [default: default]
    #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(jetdeck::console::ui::theme::THEMES))]
    theme: Option<String>,
    /// Leave the mouse to the terminal (text selection) instead of clicking panes and rows
    #[arg(long)]
    no_mouse: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run the broker's validation flow: subscribe, publish N messages, check every one is
    /// received and acknowledged. Exit 0 only then.
    Validate(ValidateArgs),
    /// Measure the broker against the bare async-nats client on one server (msgs/s,
    /// latency, ratio), or the console's cost with many streams (--scenario console-scale)
    Bench(BenchArgs),
    /// Messages that ran out of deliveries or were terminated: list them, put them back
    /// into flow (retry, move), discard or export them. Changes need --yes (or a "y" on a
    /// terminal); exit 0 only when all was done, 2 when a change was not confirmed.
    #[command(subcommand)]
    DeadLetters(DeadLettersCommand),
    /// Print the configuration in effect and where each value came from (default, the
    /// configuration file, the environment, a flag). Exit 2 when it cannot be used.
    Config(ConfigArgs),
    /// Diagnose consumers in plain words (stalled, nobody pulling, paused, filter matching
    /// nothing, out of deliveries, redelivering...), each with what to do, grouped by
    /// stream. Exit 1 when any finding is a problem, 2 when the diagnosis failed.
    Doctor(DoctorArgs),
    /// Print a shell completion script, e.g. `jetdeck completions bash >
    /// ~/.local/share/bash-completion/completions/jetdeck`
    Completions {
        #[arg(value_enum)]
        shell: shell::Shell,
    },
    /// Print the man page (roff), e.g. `jetdeck man > ~/.local/share/man/man1/jetdeck.1`
    Man,
}

#[derive(Args)]
struct ConfigArgs {
    #[command(flatten)]
    settings: jetdeck::config::SettingFlags,
    /// natscli context [env: NATS_CONTEXT]
    #[arg(long, value_name = "NAME")]
    context: Option<String>,
    /// Configuration file (default: ~/.config/jetdeck/config.toml) [env: JETDECK_CONFIG]
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Args)]
struct DoctorArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    /// Only the consumers of this stream
    #[arg(long)]
    stream: Option<String>,
    /// Only consumers of this name
    #[arg(long)]
    consumer: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
    /// Time between the two looks that give rates and redeliveries (0s: one look)
    #[arg(long, default_value = "1s", value_parser = humantime::parse_duration)]
    interval: Duration,
    /// The dead-letter capture stream to count messages out of deliveries from
    #[arg(long, value_name = "STREAM", default_value = jetdeck::deadletters::CAPTURE_STREAM)]
    capture_stream: String,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Scenario {
    /// Publish (sync, pipelined) and consume (batch, streaming), broker vs raw
    Throughput,
    /// Many streams and consumers: requests per refresh, key-to-frame time, memory
    ConsoleScale,
    /// A firehose (--count messages of --size) into the subject tail on `>` while keys are
    /// pressed: key + frame time, shown vs dropped, memory
    Tail,
    /// A bucket of --count keys (values of --size) in the keys view, fed by the watch:
    /// load time, key + frame time, memory
    KvKeys,
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
    // Generated text only: no log file, no runtime.
    match cli.command {
        Some(Command::Completions { shell }) => return shell::completions(shell),
        Some(Command::Man) => return shell::man(),
        _ => {}
    }
    let effective = match &cli.command {
        None => {
            let context = cli.connect.flags.context.clone();
            match effective_config(&cli.settings, context, cli.config.clone()) {
                Ok(effective) => Some(effective),
                Err(code) => return code,
            }
        }
        Some(Command::Config(args)) => {
            let context = args.context.clone();
            return match effective_config(&args.settings, context, args.config.clone()) {
                Ok(effective) => {
                    print!("{}", effective.report());
                    ExitCode::SUCCESS
                }
                Err(code) => code,
            };
        }
        Some(_) => None,
    };
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
    let mut signals = match runtime.block_on(async { Terminations::listen() }) {
        Ok(signals) => signals,
        Err(e) => {
            eprintln!("jetdeck: cannot listen for termination signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Some(Command::Validate(args)) => {
            runtime.block_on(signals.stop(run_validate(args, &log_file)))
        }
        Some(Command::Bench(args)) => runtime.block_on(signals.stop(run_bench(args, &log_file))),
        Some(Command::DeadLetters(command)) => {
            runtime.block_on(signals.stop(run_dead_letters(command, &log_file)))
        }
        Some(Command::Doctor(args)) => runtime.block_on(signals.stop(run_doctor(args, &log_file))),
        Some(Command::Completions { .. } | Command::Man | Command::Config(_)) => {
            unreachable!("answered before logging starts")
        }
        None => runtime.block_on(run_console(
            cli.connect,
            cli.demo,
            effective.expect("read for the console"),
            &cli.looks,
            &log_file,
            &mut signals,
        )),
    }
}

/// SIGTERM, SIGHUP (the terminal closed) and SIGINT: each ends jetdeck the orderly way
/// (terminal restored, held messages given back, an embedded server stopped and its
/// temporary store removed) with the conventional status, 128 + the signal. Listened
/// for from the start, so none is lost while a server starts.
struct Terminations {
    term: Signal,
    hup: Signal,
    int: Signal,
}

impl Terminations {
    fn listen() -> std::io::Result<Self> {
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// The number of the next termination signal.
    async fn recv(&mut self) -> i32 {
        tokio::select! {
            _ = self.term.recv() => libc::SIGTERM,
            _ = self.hup.recv() => libc::SIGHUP,
            _ = self.int.recv() => libc::SIGINT,
        }
    }

    /// Runs `work` unless a termination signal comes first; then `work` is dropped, and
    /// with it the embedded server it started (stopped, its temporary store removed).
    async fn stop(&mut self, work: impl Future<Output = ExitCode>) -> ExitCode {
        tokio::select! {
            code = work => code,
            signal = self.recv() => {
                tracing::info!(signal, "termination signal: stopping");
                signal_exit(signal)
            }
        }
    }
}

/// The status a shell reports for a process ended by `signal`: 128 + its number.
fn signal_exit(signal: i32) -> ExitCode {
    ExitCode::from(u8::try_from(128 + signal).unwrap_or(u8::MAX))
}

/// The configuration in effect (flags, environment, file, defaults), or the exit status
/// after saying on stderr why it cannot be used.
fn effective_config(
    settings: &jetdeck::config::SettingFlags,
    context: Option<String>,
    file: Option<PathBuf>,
) -> Result<jetdeck::config::Effective, ExitCode> {
    jetdeck::config::from_env(&settings.flags(file, context)).map_err(|e| {
        eprintln!("jetdeck: {e}");
        ExitCode::from(2)
    })
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
    // Stores that SIGKILL left behind; the temporary directories of live processes stay.
    let removed = jetdeck::server::remove_stale_stores();
    if !removed.is_empty() {
        tracing::info!(count = removed.len(), "removed stale embedded stores");
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

/// The colours and the mouse: the flags over the configuration file (`theme`, `[colors]`,
/// `mouse`); NO_COLOR over both.
fn looks_of(
    looks: &LooksArgs,
    config: &jetdeck::config::Effective,
) -> Result<(jetdeck::console::ui::theme::Theme, bool), String> {
    use jetdeck::console::ui::theme::{Theme, no_color_env};
    let name = looks
        .theme
        .as_deref()
        .or(config.theme.value.as_deref())
        .unwrap_or("default");
    let overrides = config
        .colors
        .value
        .iter()
        .map(|(role, colour)| (role.as_str(), colour.as_str()));
    let theme =
        Theme::resolve(name, overrides, no_color_env()).map_err(|e| match &config.file {
            jetdeck::config::FileUse::Read { path, .. } => {
                format!("configuration file {}: {e}", path.display())
            }
            jetdeck::config::FileUse::None(_) => e.to_string(),
        })?;
    Ok((theme, !looks.no_mouse && config.mouse.value))
}

async fn run_console(
    mut args: ConnectArgs,
    demo: bool,
    config: jetdeck::config::Effective,
    looks: &LooksArgs,
    log_file: &Path,
    signals: &mut Terminations,
) -> ExitCode {
    // The configuration's context, when neither --context nor NATS_CONTEXT names one.
    if matches!(config.context.source, jetdeck::config::Source::File(_)) && !args.embedded {
        args.flags.context = config.context.value.clone();
    }
    let read_only = config.read_only.value;
    let (theme, mouse) = match looks_of(looks, &config) {
        Ok(looks) => looks,
        Err(e) => {
            eprintln!("jetdeck: {e}");
            return ExitCode::from(2);
        }
    };
    tracing::info!(file = ?config.file, rebound = config.keys.rebound(), "configuration");
    let target = tokio::select! {
        found = target_for(&args) => found,
        signal = signals.recv() => return signal_exit(signal),
    };
    let target = match target {
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
        read_only,
    };
    let options = ConsoleOptions {
        session,
        refresh: config.refresh.value,
        demo,
        keys: std::sync::Arc::new(config.keys),
        events_kept: config.events_kept.value,
        servers: config.servers,
        theme,
        mouse,
    };
    // Quitting should not wait long on a server that went away.
    let broker = Broker::new(target.options.drain_timeout(Duration::from_secs(2)));
    let result = console::run(broker, options, signals.recv()).await;
    // Stopped, and its temporary store removed, before the exit status is given.
    drop(server);
    match result {
        Ok(Exit::Quit) => ExitCode::SUCCESS,
        Ok(Exit::Signal(signal)) => signal_exit(signal),
        Err(e) => {
            tracing::error!(error = %e, "console failed");
            failure("jetdeck", log_file, e)
        }
    }
}

/// Says what failed and where the log is, on stderr.
fn failure(prefix: &str, log_file: &Path, what: impl std::fmt::Display) -> ExitCode {
    use std::io::Write;
    // Not eprintln: with the terminal gone, writing fails, and that must not panic.
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{prefix}: {what}");
    let _ = writeln!(stderr, "Log file: {}", log_file.display());
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
        Scenario::Tail => jetdeck::bench::tail_firehose(&broker, args.count as usize, args.size)
            .await
            .map(|r| {
                if args.json {
                    serde_json::to_string_pretty(&r).unwrap_or_default()
                } else {
                    jetdeck::bench::tail_table(&r)
                }
            }),
        Scenario::KvKeys => jetdeck::bench::kv_keys(&broker, args.count as usize, args.size)
            .await
            .map(|r| {
                if args.json {
                    serde_json::to_string_pretty(&r).unwrap_or_default()
                } else {
                    jetdeck::bench::kv_table(&r)
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

/// `jetdeck doctor`: the diagnosis engine's headless runner.
async fn run_doctor(args: DoctorArgs, log_file: &Path) -> ExitCode {
    use jetdeck::diagnosis::doctor;
    let target = match target_for(&args.connect).await {
        Ok(found) => found,
        Err(e) => {
            failure("jetdeck doctor", log_file, e);
            return ExitCode::from(doctor::EXIT_FAILED);
        }
    };
    let _server = target.server;
    let broker = Broker::new(target.options);
    let options = doctor::Options {
        stream: args.stream,
        consumer: args.consumer,
        json: args.json,
        interval: args.interval,
        capture: args.capture_stream,
    };
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    ExitCode::from(doctor::run(&broker, &options, &mut out, &mut err).await)
}
