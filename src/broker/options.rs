//! Broker and subscription options, with the seed broker's defaults.

use std::time::Duration;

use async_nats::jetstream::stream;

pub const DEFAULT_ADDR: &str = "nats://127.0.0.1:4222";
pub const DEFAULT_BATCH_SIZE: usize = 10;
pub const DEFAULT_FETCH_WAIT: Duration = Duration::from_secs(5);
/// Shortest fetch wait: an idle pull shorter than this would make the worker spin.
pub const MIN_FETCH_WAIT: Duration = Duration::from_millis(100);
/// How long `disconnect` waits for running handlers, and then for the drain.
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// How a broker connects and pulls. Built with chained setters from `default()`.
#[derive(Clone)]
pub struct BrokerOptions {
    pub(crate) addrs: Vec<String>,
    pub(crate) batch_size: usize,
    pub(crate) fetch_wait: Duration,
    pub(crate) client_name: String,
    pub(crate) nats_options: Option<async_nats::ConnectOptions>,
    pub(crate) stream_config: Option<stream::Config>,
    pub(crate) drain_timeout: Duration,
    pub(crate) js_domain: Option<String>,
    pub(crate) js_api_prefix: Option<String>,
}

impl Default for BrokerOptions {
    fn default() -> Self {
        Self {
            addrs: vec![DEFAULT_ADDR.to_string()],
            batch_size: DEFAULT_BATCH_SIZE,
            fetch_wait: DEFAULT_FETCH_WAIT,
            client_name: default_client_name(),
            nats_options: None,
            stream_config: None,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
            js_domain: None,
            js_api_prefix: None,
        }
    }
}

/// `jetdeck-{hostname}`.
pub fn default_client_name() -> String {
    format!("jetdeck-{}", gethostname::gethostname().to_string_lossy())
}

impl BrokerOptions {
    /// Server URLs: one server or a cluster's seed list.
    pub fn addrs<I, S>(mut self, addrs: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.addrs = addrs.into_iter().map(Into::into).collect();
        self
    }

    /// Messages asked for in one pull request (at least 1).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// How long one pull request waits for messages (at least 100 ms).
    pub fn fetch_wait(mut self, fetch_wait: Duration) -> Self {
        self.fetch_wait = fetch_wait.max(MIN_FETCH_WAIT);
        self
    }

    /// The NATS connection name the server shows for this client.
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = name.into();
        self
    }

    /// async-nats connect options for authentication and TLS (user/password, token,
    /// creds, nkey, CA, client certificate). The broker sets the connection name and its
    /// own event callback on top of them (to track the connection state), replacing any
    /// callback set here.
    pub fn nats_options(mut self, options: async_nats::ConnectOptions) -> Self {
        self.nats_options = Some(options);
        self
    }

    /// Template for auto-created streams. The broker always sets the name and subjects;
    /// everything else (retention, storage, limits, replicas) comes from the template.
    pub fn stream_config(mut self, config: stream::Config) -> Self {
        self.stream_config = Some(config);
        self
    }

    /// Bound on each phase of `disconnect`: waiting for running handlers, then the drain.
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// JetStream in another domain, or imported under an API prefix (the domain wins
    /// when both are given).
    pub fn jetstream(mut self, domain: Option<String>, api_prefix: Option<String>) -> Self {
        self.js_domain = domain;
        self.js_api_prefix = api_prefix;
        self
    }

    pub fn get_addrs(&self) -> &[String] {
        &self.addrs
    }
    pub fn get_batch_size(&self) -> usize {
        self.batch_size
    }
    pub fn get_fetch_wait(&self) -> Duration {
        self.fetch_wait
    }
    pub fn get_client_name(&self) -> &str {
        &self.client_name
    }
}

// Connect options carry secrets, so Debug shows only whether they were given.
impl std::fmt::Debug for BrokerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerOptions")
            .field(
                "addrs",
                &self.addrs.iter().map(|a| mask_url(a)).collect::<Vec<_>>(),
            )
            .field("batch_size", &self.batch_size)
            .field("fetch_wait", &self.fetch_wait)
            .field("client_name", &self.client_name)
            .field("nats_options", &self.nats_options.as_ref().map(|_| "<set>"))
            .field(
                "stream_config",
                &self.stream_config.as_ref().map(|c| &c.name),
            )
            .field("drain_timeout", &self.drain_timeout)
            .finish()
    }
}

/// A server URL fit to show: any password or token in it replaced by `***`.
/// `nats://user:secret@host:4222` -> `nats://user:***@host:4222`,
/// `nats://token@host` -> `nats://***@host`.
pub fn mask_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let masked = match rest.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => format!("***@{host}"),
        },
        None => rest.to_string(),
    };
    match scheme {
        Some(scheme) => format!("{scheme}://{masked}"),
        None => masked,
    }
}

/// How a subscription's durable consumer is made and pulled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeOptions {
    pub(crate) queue: String,
    pub(crate) ack_wait: Option<Duration>,
    pub(crate) max_deliver: Option<i64>,
    pub(crate) batch_size: Option<usize>,
    pub(crate) fetch_wait: Option<Duration>,
    pub(crate) max_bytes: usize,
    pub(crate) streaming: bool,
}

impl SubscribeOptions {
    /// The queue name: the durable consumer's name, shared by every subscriber that
    /// should split the work.
    pub fn queue(name: impl Into<String>) -> Self {
        Self {
            queue: name.into(),
            ack_wait: None,
            max_deliver: None,
            batch_size: None,
            fetch_wait: None,
            max_bytes: 0,
            streaming: false,
        }
    }

    /// Ack wait of a consumer this subscription creates (server default 30 s).
    pub fn ack_wait(mut self, ack_wait: Duration) -> Self {
        self.ack_wait = Some(ack_wait);
        self
    }

    /// Max deliveries of a consumer this subscription creates (server default unlimited).
    pub fn max_deliver(mut self, max_deliver: i64) -> Self {
        self.max_deliver = Some(max_deliver);
        self
    }

    /// Batch size for this subscription, instead of the broker's.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = Some(batch_size.max(1));
        self
    }

    /// Fetch wait for this subscription, instead of the broker's (at least 100 ms).
    pub fn fetch_wait(mut self, fetch_wait: Duration) -> Self {
        self.fetch_wait = Some(fetch_wait.max(MIN_FETCH_WAIT));
        self
    }

    /// At most this many bytes per pull (the server stops a batch there).
    pub fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Streaming pull: pulls keep flowing with heartbeats and a bounded buffer of
    /// `batch_size` messages, instead of one batch, handle, next batch. Same handler,
    /// same ack/nak/panic/backoff rules.
    pub fn streaming(mut self) -> Self {
        self.streaming = true;
        self
    }

    pub fn get_queue(&self) -> &str {
        &self.queue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_seed() {
        let o = BrokerOptions::default();
        assert_eq!(o.addrs, ["nats://127.0.0.1:4222"]);
        assert_eq!(o.batch_size, 10);
        assert_eq!(o.fetch_wait, Duration::from_secs(5));
        assert!(o.client_name.starts_with("jetdeck-"));
        assert!(o.client_name.len() > "jetdeck-".len());
    }

    #[test]
    fn urls_are_masked() {
        assert_eq!(
            mask_url("nats://user:s3cret@host:4222"),
            "nats://user:***@host:4222"
        );
        assert_eq!(mask_url("nats://tok3n@host:4222"), "nats://***@host:4222");
        assert_eq!(mask_url("nats://host:4222"), "nats://host:4222");
        assert_eq!(mask_url("u:p@host"), "u:***@host");
    }

    #[test]
    fn debug_hides_connect_options() {
        let o = BrokerOptions::default()
            .addrs(["nats://a:pw123@h:1"])
            .nats_options(async_nats::ConnectOptions::with_user_and_password(
                "a".into(),
                "pw123".into(),
            ));
        let text = format!("{o:?}");
        assert!(!text.contains("pw123"), "{text}");
        assert!(text.contains("<set>"));
    }
}
