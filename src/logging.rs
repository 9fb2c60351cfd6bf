//! Logs go to a file (never the terminal), created readable by its owner only.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use thiserror::Error;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Error)]
pub enum LogError {
    #[error("cannot open log file {path}: {source}; pass --log-file with a writable path")]
    Open {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("log level {level:?} is not valid: {reason} (try info, debug or jetdeck=trace)")]
    Level { level: String, reason: String },
}

/// `$XDG_STATE_HOME/jetdeck/jetdeck.log` (`~/.local/state/...`), or the platform's local
/// data directory, or the temp directory.
pub fn default_log_file() -> PathBuf {
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .unwrap_or_else(std::env::temp_dir)
        .join("jetdeck")
        .join("jetdeck.log")
}

/// Sends `tracing` output to `path` (appending). The level comes from `level`, else
/// `RUST_LOG`, else `info`. Keep the guard alive: dropping it flushes the file.
pub fn init(path: &Path, level: Option<&str>) -> Result<WorkerGuard, LogError> {
    let open_err = |source| LogError::Open {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(open_err)?;
    }
    let mut open = OpenOptions::new();
    open.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(0o600);
    }
    let file = open.open(path).map_err(open_err)?;
    let filter = match level {
        Some(level) => EnvFilter::try_new(level).map_err(|e| LogError::Level {
            level: level.to_string(),
            reason: e.to_string(),
        })?,
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
    };
    let (writer, guard) = tracing_appender::non_blocking(file);
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok(guard)
}
