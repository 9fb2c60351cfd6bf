//! Connect and disconnect: server addresses and the credentials in them, the client's
//! events, and the connection state the broker reports.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_nats::jetstream;
use async_nats::{ConnectErrorKind, ServerAddr};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::api::Api;
use super::error::{ConnectError, DisconnectError};
use super::options::{BrokerOptions, mask_url};
use super::streams::StreamRegistry;
use super::{Broker, Connection};

/// The connection as the broker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// Never connected, or disconnected on purpose.
    NotConnected,
    Connected,
    /// The connection dropped; the client is reconnecting on its own.
    Reconnecting,
    /// Closed after a drain.
    Closed,
}

impl std::fmt::Display for ConnectionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ConnectionState::NotConnected => "not connected",
            ConnectionState::Connected => "connected",
            ConnectionState::Reconnecting => "reconnecting",
            ConnectionState::Closed => "closed",
        })
    }
}

impl Broker {
    /// The connection state now.
    pub fn connection_state(&self) -> ConnectionState {
        *self.shared.state.borrow()
    }

    /// A receiver that sees every connection state change.
    pub fn watch_connection(&self) -> watch::Receiver<ConnectionState> {
        self.shared.state.subscribe()
    }

    /// The server this connection is on now (name, version, URL ...), when connected.
    pub fn server_info(&self) -> Option<async_nats::ServerInfo> {
        self.connection().map(|c| c.client.server_info())
    }

    /// The underlying async-nats client, when connected (for subscriptions to plain
    /// subjects such as advisories).
    pub fn client(&self) -> Option<async_nats::Client> {
        self.connection().map(|c| c.client.clone())
    }

    /// Connects to the servers in the options. Connecting when connected does nothing.
    pub async fn connect(&self) -> Result<(), ConnectError> {
        let _lifecycle = self.shared.lifecycle.lock().await;
        if let Some(conn) = self.connection() {
            if !*conn.closed.borrow() {
                return Ok(());
            }
            // The client gave up (closed by the server or out of reconnects): start over.
            conn.workers_cancel.cancel();
            self.shared
                .conn
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .take();
        }
        let options = &self.shared.options;
        let parsed = parse_addrs(&options.addrs)?;
        let shown = options
            .addrs
            .iter()
            .map(|a| mask_url(a))
            .collect::<Vec<_>>()
            .join(",");
        let (closed_tx, closed) = watch::channel(false);
        let client = self
            .client_options(closed_tx, parsed.credentials)
            .connect(parsed.addrs)
            .await
            .map_err(|e| connect_error(&shown, e))?;
        let js = match (&options.js_domain, &options.js_api_prefix) {
            (Some(domain), _) => jetstream::with_domain(client.clone(), domain),
            (None, Some(prefix)) => jetstream::with_prefix(client.clone(), prefix),
            (None, None) => jetstream::new(client.clone()),
        };
        let now = match client.connection_state() {
            async_nats::connection::State::Connected => ConnectionState::Connected,
            _ => ConnectionState::Reconnecting,
        };
        let max_payload = client.server_info().max_payload;
        let connection = Connection {
            client,
            api: Api::new(
                js.clone(),
                self.shared.counters.clone(),
                api_prefix(options),
                self.shared.denials.clone(),
            ),
            js,
            streams: StreamRegistry::new(options.stream_config.clone()),
            workers_cancel: CancellationToken::new(),
            workers: TaskTracker::new(),
            closing: AtomicBool::new(false),
            closed,
            max_payload,
        };
        *self.shared.conn.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(connection));
        self.shared.state.send_replace(now);
        tracing::info!(servers = %shown, name = %options.client_name, "connected");
        Ok(())
    }

    /// The client's connect options: the user's NATS options with the client name, an
    /// event callback that reports this client's connection state (and `closed_tx` when it
    /// has closed), and the credentials taken out of the URLs.
    fn client_options(
        &self,
        closed_tx: watch::Sender<bool>,
        credentials: Option<Credentials>,
    ) -> async_nats::ConnectOptions {
        let options = &self.shared.options;
        // Events of an older client (one still draining) must not touch the state.
        let generation = self.shared.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let shared = Arc::downgrade(&self.shared);
        let denials = self.shared.denials.clone();
        let nats_options = options
            .nats_options
            .clone()
            .unwrap_or_default()
            .name(&options.client_name)
            .event_callback(move |event| {
                let shared = shared.clone();
                let closed_tx = closed_tx.clone();
                let denials = denials.clone();
                async move {
                    if matches!(event, async_nats::Event::Closed) {
                        closed_tx.send_replace(true);
                    }
                    if let async_nats::Event::ServerError(async_nats::ServerError::Other(text)) =
                        &event
                    {
                        denials.record(text);
                    }
                    // Until connect() has stored this connection it reports the state
                    // itself: nobody may see "connected" before the broker can be used.
                    if let Some(shared) = shared.upgrade()
                        && shared.generation.load(Ordering::SeqCst) == generation
                        && shared
                            .conn
                            .read()
                            .unwrap_or_else(|e| e.into_inner())
                            .is_some()
                    {
                        on_client_event(&shared.state, event);
                    }
                }
            });
        // Credentials travel in the connect options, not in the URLs, so that no log
        // line of the client's can carry them.
        match credentials {
            Some(Credentials::UserPassword(user, password)) => {
                nats_options.user_and_password(user, password)
            }
            Some(Credentials::Token(token)) => nats_options.token(token),
            None => nats_options,
        }
    }

    /// Stops every worker (running handlers finish and their acks are sent), then drains
    /// and closes the connection, each phase bounded by the drain timeout. Disconnecting
    /// when not connected does nothing.
    pub async fn disconnect(&self) -> Result<(), DisconnectError> {
        let _lifecycle = self.shared.lifecycle.lock().await;
        let Some(conn) = self.connection() else {
            return Ok(());
        };
        let bound = self.shared.options.drain_timeout;
        // The connection stays usable while running handlers finish (they may publish);
        // only new subscriptions are refused.
        conn.closing.store(true, Ordering::SeqCst);
        conn.workers_cancel.cancel();
        conn.workers.close();
        let mut outcome = Ok(());
        if tokio::time::timeout(bound, conn.workers.wait())
            .await
            .is_err()
        {
            tracing::warn!(?bound, "workers still busy at disconnect");
            outcome = Err(DisconnectError::WorkersTimedOut(bound));
        }
        self.shared
            .conn
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        // From here the old client's events no longer speak for the broker.
        let reachable = self.connection_state() == ConnectionState::Connected;
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
        if !reachable {
            // No server to drain to: unsent acks are lost and those messages come back
            // after their ack wait.
            tracing::warn!("disconnecting while the server is unreachable; nothing to drain");
            self.shared
                .state
                .send_replace(ConnectionState::NotConnected);
            return outcome;
        }
        let mut closed = conn.closed.clone();
        let drained = async {
            // Flush first so every ack the workers sent is on the wire, then drain.
            let _ = conn.client.flush().await;
            if conn.client.drain().await.is_ok() {
                let _ = closed.wait_for(|closed| *closed).await;
            }
        };
        if tokio::time::timeout(bound, drained).await.is_err() {
            tracing::warn!(?bound, "drain did not finish");
            outcome = outcome.and(Err(DisconnectError::DrainTimedOut(bound)));
        }
        self.shared
            .state
            .send_replace(ConnectionState::NotConnected);
        tracing::info!("disconnected");
        outcome
    }
}

/// The JetStream API's subject prefix, as the server names it in a permission violation.
fn api_prefix(options: &BrokerOptions) -> String {
    match (&options.js_domain, &options.js_api_prefix) {
        (Some(domain), _) => format!("$JS.{domain}.API"),
        (None, Some(prefix)) => prefix.trim_end_matches('.').to_string(),
        (None, None) => "$JS.API".to_string(),
    }
}

fn on_client_event(state: &watch::Sender<ConnectionState>, event: async_nats::Event) {
    let next = match event {
        async_nats::Event::Connected => Some(ConnectionState::Connected),
        async_nats::Event::Disconnected => Some(ConnectionState::Reconnecting),
        async_nats::Event::Closed => Some(ConnectionState::Closed),
        _ => None,
    };
    match next {
        Some(next) => {
            tracing::info!(%event, "connection event");
            state.send_replace(next);
        }
        None => match event {
            async_nats::Event::ServerError(_) | async_nats::Event::ClientError(_) => {
                tracing::warn!(%event, "connection event")
            }
            _ => tracing::info!(%event, "connection event"),
        },
    }
}

/// Credentials found in a server URL.
enum Credentials {
    UserPassword(String, String),
    Token(String),
}

struct ParsedAddrs {
    addrs: Vec<ServerAddr>,
    credentials: Option<Credentials>,
}

/// Splits `scheme://userinfo@host` into the URL without userinfo and the credentials.
fn split_userinfo(url: &str) -> (String, Option<Credentials>) {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    match rest.rsplit_once('@') {
        Some((userinfo, host)) => {
            let credentials = match userinfo.split_once(':') {
                Some((user, password)) => {
                    Credentials::UserPassword(user.to_string(), password.to_string())
                }
                None => Credentials::Token(userinfo.to_string()),
            };
            (format!("{scheme}{host}"), Some(credentials))
        }
        None => (url.to_string(), None),
    }
}

fn parse_addrs(addrs: &[String]) -> Result<ParsedAddrs, ConnectError> {
    let addrs: Vec<&str> = addrs
        .iter()
        .flat_map(|a| a.split(','))
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    if addrs.is_empty() {
        return Err(ConnectError::NoAddress);
    }
    let mut credentials = None;
    let mut parsed = Vec::with_capacity(addrs.len());
    for addr in addrs {
        let (bare, found) = split_userinfo(addr);
        super::address::check_address(&bare).map_err(|reason| ConnectError::InvalidAddress {
            address: mask_url(addr),
            reason,
        })?;
        credentials = credentials.or(found);
        parsed.push(
            ServerAddr::from_str(&bare).map_err(|e| ConnectError::InvalidAddress {
                address: mask_url(addr),
                reason: e.to_string(),
            })?,
        );
    }
    Ok(ParsedAddrs {
        addrs: parsed,
        credentials,
    })
}

fn connect_error(servers: &str, e: async_nats::ConnectError) -> ConnectError {
    let reason = e.to_string();
    // rustls reports an untrusted certificate as an I/O error.
    let tls_trouble = ["certificate", "UnknownIssuer", "tls", "TLS", "handshake"]
        .iter()
        .any(|hint| reason.contains(hint));
    // rustls reading a plain NATS INFO line as a TLS record.
    let not_tls = ["InvalidContentType", "corrupt message"]
        .iter()
        .any(|hint| reason.contains(hint));
    if not_tls {
        return ConnectError::NotTls {
            servers: servers.to_string(),
        };
    }
    match e.kind() {
        ConnectErrorKind::AuthorizationViolation | ConnectErrorKind::Authentication => {
            ConnectError::Authorization
        }
        ConnectErrorKind::Tls => ConnectError::Tls {
            servers: servers.to_string(),
            reason,
        },
        ConnectErrorKind::Io if tls_trouble => ConnectError::Tls {
            servers: servers.to_string(),
            reason,
        },
        _ => ConnectError::Unreachable {
            servers: servers.to_string(),
            reason,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_leave_the_urls() {
        let parsed = parse_addrs(&["nats://u:p4ss@h1:4222, nats://h2:4222".to_string()]).unwrap();
        assert!(
            matches!(parsed.credentials, Some(Credentials::UserPassword(ref u, ref p)) if u == "u" && p == "p4ss")
        );
        let shown: Vec<String> = parsed.addrs.iter().map(|a| format!("{a:?}")).collect();
        assert!(shown.iter().all(|a| !a.contains("p4ss")), "{shown:?}");
        assert_eq!(parsed.addrs.len(), 2);
        let parsed = parse_addrs(&["nats://s3cr3t@h:4222".to_string()]).unwrap();
        assert!(matches!(parsed.credentials, Some(Credentials::Token(ref t)) if t == "s3cr3t"));
        assert!(matches!(
            parse_addrs(&[" ".to_string()]),
            Err(ConnectError::NoAddress)
        ));
        let err = parse_addrs(&["nats://u:pw@[bad".to_string()])
            .err()
            .unwrap();
        assert!(!err.to_string().contains("pw@"), "{err}");
    }
}
