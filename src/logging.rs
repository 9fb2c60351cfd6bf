//! Logs go to a file (never the terminal), created readable by its owner only.

use std::fs::{File, OpenOptions};
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
    #[error(
        "log file {path} is a symbolic link; jetdeck does not follow links for its log (the target could be anyone's file): pass --log-file with the real path, or remove the link"
    )]
    Symlink { path: String },
    #[error(
        "log file {path} is readable by others (mode {mode:o}) and could not be made 0600: {source}; fix its mode or pass --log-file with another path"
    )]
    Mode {
        path: String,
        mode: u32,
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
    let file = open_log(path)?;
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

/// Opens `path` for appending, owner-only: created 0600, an existing file set to 0600,
/// and a symbolic link refused rather than followed (it could point at any file).
pub fn open_log(path: &Path) -> Result<File, LogError> {
    let shown = || path.display().to_string();
    let open_err = |source| LogError::Open {
        path: shown(),
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
        open.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let file = match open.open(path) {
        Ok(file) => file,
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(LogError::Symlink { path: shown() });
        }
        Err(e) => return Err(open_err(e)),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode given at open applies only to a new file; an old one keeps its own.
        let mode = file.metadata().map_err(open_err)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(|source| LogError::Mode {
                    path: shown(),
                    mode,
                    source,
                })?;
        }
    }
    Ok(file)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_symlinked_log_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("someone-elses.txt");
        std::fs::write(&target, "theirs\n").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("jetdeck.log");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = open_log(&link).expect_err("a link is refused").to_string();
        assert!(err.contains("is a symbolic link"), "{err}");
        assert!(err.contains("--log-file"), "{err}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "theirs\n");
        assert_eq!(mode(&target), 0o644, "the target keeps its mode");
    }

    #[test]
    fn an_existing_open_log_is_made_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jetdeck.log");
        std::fs::write(&path, "old line\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut file = open_log(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        std::io::Write::write_all(&mut file, b"new line\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "old line\nnew line\n",
            "appended, not truncated"
        );
        let fresh = dir.path().join("sub").join("new.log");
        open_log(&fresh).unwrap();
        assert_eq!(mode(&fresh), 0o600);
    }
}
