//! Shared helpers: start a server and a connected broker, a raw client for independent
//! checks, and waiting on a condition with a deadline.

use std::future::Future;
use std::time::Duration;

use jetdeck::broker::{Broker, BrokerOptions};
use jetdeck::server::NatsServer;

/// Short pulls keep tests quick; the contract's defaults are tested on their own.
pub const TEST_FETCH_WAIT: Duration = Duration::from_millis(500);

pub fn broker_for(url: &str) -> Broker {
    Broker::new(
        BrokerOptions::default()
            .addrs([url])
            .fetch_wait(TEST_FETCH_WAIT)
            .client_name("jetdeck-tests"),
    )
}

/// A fresh server and a broker connected to it.
pub async fn start() -> (NatsServer, Broker) {
    let server = NatsServer::start().await.expect("start nats-server");
    let broker = broker_for(&server.url());
    broker.connect().await.expect("connect");
    (server, broker)
}

/// A plain async-nats JetStream context on the same server, to check what the broker did
/// from outside it.
pub async fn raw(server: &NatsServer) -> async_nats::jetstream::Context {
    let client = async_nats::connect(server.url())
        .await
        .expect("raw connect");
    async_nats::jetstream::new(client)
}

/// Stream WORK on `work.>` with the durable pull consumer `ops` (the given ack wait),
/// made from outside the broker; returns the raw context for publishing and checking.
#[cfg(feature = "console")]
pub async fn work_stream(
    server: &NatsServer,
    ack_wait: Duration,
) -> async_nats::jetstream::Context {
    use async_nats::jetstream::{consumer, stream};
    let js = raw(server).await;
    let work = js
        .create_stream(stream::Config {
            name: "WORK".into(),
            subjects: vec!["work.>".into()],
            ..Default::default()
        })
        .await
        .expect("create WORK");
    work.create_consumer(consumer::pull::Config {
        durable_name: Some("ops".into()),
        ack_wait,
        ..Default::default()
    })
    .await
    .expect("create ops");
    js
}

/// Polls `check` until it returns Some, or panics after `within` naming `what`.
pub async fn eventually<T, F, Fut>(within: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {within:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Receives `n` items from `rx`, failing after `within`.
pub async fn recv_n<T>(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<T>,
    n: usize,
    within: Duration,
) -> Vec<T> {
    let deadline = tokio::time::Instant::now() + within;
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(item)) => got.push(item),
            Ok(None) => panic!("channel closed after {} of {n} items", got.len()),
            Err(_) => panic!("timed out after {within:?} with {} of {n} items", got.len()),
        }
    }
    got
}

/// Subscribes a handler that acks everything and sends `pick(&event)` to the returned
/// receiver.
pub async fn forward<T, P>(
    broker: &jetdeck::broker::Broker,
    topic: &str,
    options: jetdeck::broker::SubscribeOptions,
    pick: P,
) -> (
    jetdeck::broker::Subscription,
    tokio::sync::mpsc::UnboundedReceiver<T>,
)
where
    T: Send + 'static,
    P: Fn(&jetdeck::broker::Event) -> T + Send + Sync + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let sub = broker
        .subscribe(
            topic,
            move |event| {
                let _ = tx.send(pick(&event));
                async { Ok(()) }
            },
            options,
        )
        .await
        .expect("subscribe");
    (sub, rx)
}

/// The body of an event as text.
pub fn body(event: &jetdeck::broker::Event) -> String {
    String::from_utf8_lossy(&event.message().body).into_owned()
}

/// A user who may read stream infos and names, but neither make consumers nor publish or
/// subscribe outside its inbox; `admin` may do anything.
const VIEWER: &str = r#"
accounts {
  APP: {
    jetstream: enabled
    users: [
      { user: admin, password: admin-pw }
      { user: viewer, password: viewer-pw, permissions: {
          publish: { allow: ["$JS.API.INFO", "$JS.API.STREAM.INFO.>", "$JS.API.STREAM.NAMES"] }
          subscribe: { allow: ["_INBOX.>"] }
      } }
    ]
  }
}
"#;

/// A server with the [`VIEWER`] users: admin's JetStream context (to set things up) and
/// a broker connected as the viewer.
pub async fn viewer_server() -> (
    jetdeck::server::NatsServer,
    async_nats::jetstream::Context,
    jetdeck::broker::Broker,
) {
    use jetdeck::broker::{Broker, BrokerOptions};
    use jetdeck::server::{NatsServer, ServerOptions};
    let server = NatsServer::start_with(ServerOptions {
        extra_config: Some(VIEWER.to_string()),
        ..Default::default()
    })
    .await
    .unwrap();
    let admin =
        async_nats::ConnectOptions::with_user_and_password("admin".into(), "admin-pw".into())
            .connect(server.url())
            .await
            .unwrap();
    let url = format!("nats://viewer:viewer-pw@127.0.0.1:{}", server.port());
    let broker = Broker::new(BrokerOptions::default().addrs([url]));
    broker.connect().await.unwrap();
    (server, async_nats::jetstream::new(admin), broker)
}

/// A server whose only user, `viewer`, may publish anything but subscribe only to its
/// inbox and advisories; and that user's URL.
pub async fn subscribe_limited_server() -> (jetdeck::server::NatsServer, String) {
    use jetdeck::server::{NatsServer, ServerOptions};
    let config = r#"
accounts {
  APP: {
    jetstream: enabled
    users: [
      { user: viewer, password: viewer-pw, permissions: {
          publish: { allow: [">"] }
          subscribe: { allow: ["_INBOX.>", "$JS.EVENT.>"] }
      } }
    ]
  }
}
"#;
    let server = NatsServer::start_with(ServerOptions {
        extra_config: Some(config.to_string()),
        ..Default::default()
    })
    .await
    .unwrap();
    let url = format!("nats://viewer:viewer-pw@127.0.0.1:{}", server.port());
    (server, url)
}
