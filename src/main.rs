//! The `jetdeck` command: parse the command line, set up logging, run a command.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use jetdeck::broker::{Broker, BrokerOptions, mask_url};
use jetdeck::server::{NatsServer, ServerOptions};
use jetdeck::validate::{self, ValidateOptions};

#[derive(Parser)]
#[command(
    name = "jetdeck",
    version,
    about = "An operations console for NATS JetStream"
)]
struct Cli {
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
}

#[derive(Args)]
struct ValidateArgs {
    /// Server URL(s), comma-separated for a cluster seed list
    #[arg(
        short,
        long,
        value_name = "URL",
        default_value = "nats://127.0.0.1:4222"
    )]
    server: String,
    /// Start a private nats-server for this run (on a random loopback port)
    #[arg(long, conflicts_with = "server")]
    embedded: bool,
    /// Store directory of the embedded server (default: a temporary one)
    #[arg(long, value_name = "DIR", requires = "embedded")]
    store_dir: Option<PathBuf>,
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
        None => {
            eprintln!(
                "jetdeck: the console is not part of this build yet; run `jetdeck validate --embedded` (see --help)"
            );
            ExitCode::from(2)
        }
    }
}

async fn run_validate(args: ValidateArgs, log_file: &std::path::Path) -> ExitCode {
    let fail = |what: String| {
        eprintln!("Validation failed: {what}");
        eprintln!("Log file: {}", log_file.display());
        ExitCode::FAILURE
    };
    let _server;
    let url = if args.embedded {
        match NatsServer::start_with(ServerOptions {
            store_dir: args.store_dir.clone(),
            ..Default::default()
        })
        .await
        {
            Ok(server) => {
                tracing::info!(url = %server.url(), store = %server.store_dir().display(), log = %server.log_file().display(), "embedded nats-server started");
                let url = server.url();
                _server = server;
                url
            }
            Err(e) => return fail(format!("cannot start the embedded server: {e}")),
        }
    } else {
        args.server.clone()
    };
    let broker = Broker::new(BrokerOptions::default().addrs(url.split(',').map(str::trim)));
    let options = ValidateOptions {
        topic: args.topic,
        queue: args.queue,
        count: args.count as usize,
        timeout: args.timeout,
    };
    let mut stdout = std::io::stdout();
    match validate::run(&broker, &mask_url(&url), &options, &mut stdout).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "validation failed");
            fail(e.to_string())
        }
    }
}
