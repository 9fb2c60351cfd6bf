//! `jetdeck validate`: the seed broker's validation flow, headless. Connect, subscribe with
//! a durable consumer, publish N messages, and pass only when every one of them was
//! received and its ack is on the server.

use std::io::Write;
use std::time::Duration;

use thiserror::Error;
use tokio::sync::mpsc;

use crate::broker::{
    ApiError, Broker, ConnectError, Message, PublishError, SubscribeError, SubscribeOptions,
    Subscription,
};

/// Header that marks this run's messages, so leftovers of earlier runs are not counted.
pub const RUN_HEADER: &str = "Jetdeck-Validation-Run";

#[derive(Debug, Clone)]
pub struct ValidateOptions {
    pub topic: String,
    pub queue: String,
    pub count: usize,
    /// How long to wait for every message to be received and acked.
    pub timeout: Duration,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        Self {
            topic: "test.messages".to_string(),
            queue: "validation-queue".to_string(),
            count: 5,
            timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Error)]
pub enum ValidateError {
    #[error("connect failed: {0}")]
    Connect(#[from] ConnectError),
    #[error("stream set-up failed: {0}")]
    Stream(PublishError),
    #[error("subscribe failed: {0}")]
    Subscribe(#[from] SubscribeError),
    #[error("publish of message {index} failed: {source}")]
    Publish {
        index: usize,
        #[source]
        source: PublishError,
    },
    #[error("only {received} of {expected} messages received within {timeout:?}")]
    Missing {
        received: usize,
        expected: usize,
        timeout: Duration,
    },
    #[error(
        "all {expected} messages received, but the server has not recorded their acks within {timeout:?} (ack floor at {ack_floor}, last published {last})"
    )]
    Unacked {
        expected: usize,
        timeout: Duration,
        ack_floor: u64,
        last: u64,
    },
    #[error("could not read consumer state: {0}")]
    Inspect(#[from] ApiError),
    #[error("cannot write the report: {0}")]
    Output(#[from] std::io::Error),
}

/// Runs the flow on `broker` (not yet connected), writing the report lines to `out`.
/// `shown_url` is the server as the report names it (secrets masked).
pub async fn run(
    broker: &Broker,
    shown_url: &str,
    options: &ValidateOptions,
    out: &mut (impl Write + Send),
) -> Result<(), ValidateError> {
    broker.connect().await?;
    writeln!(out, "Connected to NATS at {shown_url}")?;
    let result = run_connected(broker, options, out).await;
    if let Err(e) = broker.disconnect().await {
        tracing::warn!(error = %e, "disconnect after validation");
    }
    result
}

async fn run_connected(
    broker: &Broker,
    options: &ValidateOptions,
    out: &mut (impl Write + Send),
) -> Result<(), ValidateError> {
    let topic = options.topic.as_str();
    let stream = broker
        .ensure_stream(topic)
        .await
        .map_err(ValidateError::Stream)?;
    let verb = if stream.created {
        "Created"
    } else {
        "Using existing"
    };
    writeln!(out, "{verb} stream {} for topic {topic}", stream.name)?;

    let run_id = uuid::Uuid::new_v4().to_string();
    let (subscription, mut received_rx) = subscribe_to_run(broker, options, &run_id).await?;
    writeln!(
        out,
        "Subscribed to topic {topic} with durable consumer {}",
        options.queue
    )?;

    writeln!(out, "Publishing test messages...")?;
    let mut tally = Tally::default();
    let mut last_sequence = 0;
    for index in 1..=options.count {
        let message =
            Message::new(format!("Test message {index}")).with_header(RUN_HEADER, run_id.as_str());
        let ack = broker
            .publish(topic, message)
            .await
            .map_err(|source| ValidateError::Publish { index, source })?;
        last_sequence = ack.sequence;
        writeln!(out, "Published message {index}")?;
        while let Ok(body) = received_rx.try_recv() {
            tally.take(body, out)?;
        }
    }

    let deadline = tokio::time::Instant::now() + options.timeout;
    while tally.received < options.count {
        match tokio::time::timeout_at(deadline, received_rx.recv()).await {
            Ok(Some(body)) => tally.take(body, out)?,
            _ => {
                return Err(ValidateError::Missing {
                    received: tally.received,
                    expected: options.count,
                    timeout: options.timeout,
                });
            }
        }
    }
    // Received is not enough: the acks must be on the server.
    subscription.unsubscribe().await.ok();
    wait_acked(broker, options, &stream.name, last_sequence, deadline).await?;
    writeln!(
        out,
        "Validation passed: {} of {} messages received and acknowledged",
        tally.received, options.count
    )?;
    Ok(())
}

/// Bodies received, each counted once (a redelivered copy is not counted twice).
#[derive(Default)]
struct Tally {
    seen: std::collections::HashSet<String>,
    received: usize,
}

impl Tally {
    fn take(&mut self, body: String, out: &mut impl Write) -> std::io::Result<()> {
        if self.seen.insert(body.clone()) {
            self.received += 1;
            writeln!(out, "Received message: {body}")?;
        }
        Ok(())
    }
}

/// Subscribes with the validation queue; bodies of this run's messages arrive on the
/// receiver, messages left by an earlier run are acked and logged.
async fn subscribe_to_run(
    broker: &Broker,
    options: &ValidateOptions,
    run_id: &str,
) -> Result<(Subscription, mpsc::UnboundedReceiver<String>), ValidateError> {
    let (received_tx, received_rx) = mpsc::unbounded_channel::<String>();
    let run_id = run_id.to_string();
    let subscription = broker
        .subscribe(
            &options.topic,
            move |event| {
                let received = received_tx.clone();
                let ours = event.message().header(RUN_HEADER) == Some(run_id.as_str());
                async move {
                    let body = String::from_utf8_lossy(&event.message().body).into_owned();
                    if ours {
                        let _ = received.send(body);
                    } else {
                        tracing::info!(%body, "acked a message left by an earlier run");
                    }
                    Ok(())
                }
            },
            SubscribeOptions::queue(&options.queue),
        )
        .await?;
    Ok((subscription, received_rx))
}

/// Waits until the consumer's ack floor reaches `last`: it passes the last sequence only
/// when every message up to it is acknowledged on the server.
async fn wait_acked(
    broker: &Broker,
    options: &ValidateOptions,
    stream: &str,
    last: u64,
    deadline: tokio::time::Instant,
) -> Result<(), ValidateError> {
    let mut ack_floor = 0;
    while tokio::time::Instant::now() < deadline {
        let info = broker.consumer_info(stream, &options.queue).await?;
        ack_floor = info.ack_floor.stream_sequence;
        if ack_floor >= last {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(ValidateError::Unacked {
        expected: options.count,
        timeout: options.timeout,
        ack_floor,
        last,
    })
}
