//! The throughput cases: publishing one at a time and pipelined, consuming in batches and
//! streaming, each run through the broker and through the bare async-nats client.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer, stream};
use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::Notify;

use super::progress::Progress;
use super::{BenchError, BenchOptions, CaseResult, Measure, Report, failed, percentiles, rate};
use crate::broker::{Broker, Message, SubscribeOptions};

/// Names for one case's streams: a topic for the broker, a stream and subject for raw.
struct Names {
    broker_topic: String,
    broker_stream: String,
    raw_stream: String,
    raw_subject: String,
}

fn names(case: &str) -> Names {
    let id = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let token = format!("bench-{case}-{id}");
    Names {
        broker_topic: format!("{token}-broker.msg"),
        broker_stream: crate::broker::stream_name_for_topic(&format!("{token}-broker")),
        raw_stream: format!("BENCH_{}_{}_RAW", case.to_uppercase(), id.to_uppercase()),
        raw_subject: format!("{token}-raw.msg"),
    }
}

async fn raw_stream(js: &jetstream::Context, n: &Names) -> Result<stream::Stream, String> {
    js.create_stream(stream::Config {
        name: n.raw_stream.clone(),
        subjects: vec![n.raw_subject.clone()],
        retention: stream::RetentionPolicy::WorkQueue,
        storage: stream::StorageType::File,
        ..Default::default()
    })
    .await
    .map_err(|e| e.to_string())
}

async fn cleanup(broker: &Broker, n: &Names) {
    for stream in [&n.broker_stream, &n.raw_stream] {
        if let Err(e) = broker.delete_stream(stream).await {
            tracing::debug!(stream, error = %e, "bench cleanup");
        }
    }
}

/// Runs every throughput case on `broker` (connected), printing progress to `progress`.
pub async fn throughput(
    broker: &Broker,
    options: &BenchOptions,
    progress: &mut dyn Write,
) -> Result<Report, BenchError> {
    let client = broker
        .client()
        .ok_or_else(|| BenchError::Connect("not connected".to_string()))?;
    let js = jetstream::new(client);
    let payload = Bytes::from(vec![b'x'; options.size]);
    let count = options.count;
    let mut cases = Vec::new();
    cases.push(publish_sync(broker, &js, &payload, count, progress).await?);
    cases.push(publish_pipelined(broker, &js, &payload, options, progress).await?);

    // Consuming what is stored: batch pulls, then streaming pulls.
    let batch = consume(broker, &js, &payload, options, false, progress).await?;
    let streaming = consume(broker, &js, &payload, options, true, progress).await?;
    let streaming_vs_batch = streaming.broker.msgs_per_sec / batch.broker.msgs_per_sec.max(1e-9);
    cases.push(batch);
    cases.push(streaming);
    Ok(Report {
        count,
        size: options.size,
        cases,
        streaming_vs_batch,
    })
}

/// One message at a time, each waiting for its PubAck.
async fn publish_sync(
    broker: &Broker,
    js: &jetstream::Context,
    payload: &Bytes,
    count: usize,
    progress: &mut dyn Write,
) -> Result<CaseResult, BenchError> {
    let case = "publish (sync)";
    let n = names("pub");
    let fail = failed(case);
    let result = async {
        let mut raw_lat = Vec::with_capacity(count);
        raw_stream(js, &n).await.map_err(&fail)?;
        let mut bar = Progress::new(progress, "publish raw", count);
        let start = Instant::now();
        for i in 0..count {
            let t = Instant::now();
            js.publish(n.raw_subject.clone(), payload.clone())
                .await
                .map_err(|e| fail(e.to_string()))?
                .await
                .map_err(|e| fail(e.to_string()))?;
            raw_lat.push(t.elapsed());
            bar.set(i + 1);
        }
        let raw = Measure {
            msgs_per_sec: rate(count, start.elapsed()),
            latency_us: Some(percentiles(raw_lat)),
        };
        broker
            .ensure_stream(&n.broker_topic)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let mut lat = Vec::with_capacity(count);
        let mut bar = Progress::new(progress, "publish broker", count);
        let start = Instant::now();
        for i in 0..count {
            let t = Instant::now();
            broker
                .publish(&n.broker_topic, Message::new(payload.clone()))
                .await
                .map_err(|e| fail(e.to_string()))?;
            lat.push(t.elapsed());
            bar.set(i + 1);
        }
        let ours = Measure {
            msgs_per_sec: rate(count, start.elapsed()),
            latency_us: Some(percentiles(lat)),
        };
        Ok(pair(case, ours, raw))
    }
    .await;
    // Streams go whatever happened, so a failed run leaves nothing behind.
    cleanup(broker, &n).await;
    result
}

/// Pipelined, `window` PubAcks outstanding.
async fn publish_pipelined(
    broker: &Broker,
    js: &jetstream::Context,
    payload: &Bytes,
    options: &BenchOptions,
    progress: &mut dyn Write,
) -> Result<CaseResult, BenchError> {
    let count = options.count;
    let case_name = format!("publish (pipelined, window {})", options.window);
    let n = names("pipe");
    let fail = failed(&case_name);
    let result = async {
        raw_stream(js, &n).await.map_err(&fail)?;
        let mut bar = Progress::new(progress, "pipelined raw", count);
        let start = Instant::now();
        let mut in_flight = VecDeque::with_capacity(options.window);
        for i in 0..count {
            if in_flight.len() >= options.window {
                let pending: jetstream::context::PublishAckFuture =
                    in_flight.pop_front().expect("full window");
                pending.await.map_err(|e| fail(e.to_string()))?;
            }
            in_flight.push_back(
                js.publish(n.raw_subject.clone(), payload.clone())
                    .await
                    .map_err(|e| fail(e.to_string()))?,
            );
            bar.set(i + 1);
        }
        for pending in in_flight {
            pending.await.map_err(|e| fail(e.to_string()))?;
        }
        let raw = Measure {
            msgs_per_sec: rate(count, start.elapsed()),
            latency_us: None,
        };
        broker
            .ensure_stream(&n.broker_topic)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let _ = writeln!(progress, "pipelined broker ({count} messages)");
        let start = Instant::now();
        broker
            .publish_pipelined(
                &n.broker_topic,
                (0..count).map(|_| Message::new(payload.clone())),
                options.window,
            )
            .await
            .map_err(|e| fail(e.to_string()))?;
        let ours = Measure {
            msgs_per_sec: rate(count, start.elapsed()),
            latency_us: None,
        };
        Ok(pair(&case_name, ours, raw))
    }
    .await;
    cleanup(broker, &n).await;
    result
}

fn pair(case: &str, broker: Measure, raw: Measure) -> CaseResult {
    CaseResult {
        case: case.to_string(),
        ratio: broker.msgs_per_sec / raw.msgs_per_sec.max(1e-9),
        broker,
        raw,
    }
}

async fn consume(
    broker: &Broker,
    js: &jetstream::Context,
    payload: &Bytes,
    options: &BenchOptions,
    streaming: bool,
    progress: &mut dyn Write,
) -> Result<CaseResult, BenchError> {
    let batch = if streaming {
        options.stream_batch
    } else {
        options.batch
    };
    let case = if streaming {
        format!("consume (streaming, {batch} buffered)")
    } else {
        format!("consume (batch of {batch})")
    };
    let n = names(if streaming { "stream" } else { "batch" });
    let result = consume_case(broker, js, payload, options, streaming, &case, &n, progress).await;
    cleanup(broker, &n).await;
    result
}

#[allow(clippy::too_many_arguments)]
async fn consume_case(
    broker: &Broker,
    js: &jetstream::Context,
    payload: &Bytes,
    options: &BenchOptions,
    streaming: bool,
    case: &str,
    n: &Names,
    progress: &mut dyn Write,
) -> Result<CaseResult, BenchError> {
    let count = options.count;
    let batch = if streaming {
        options.stream_batch
    } else {
        options.batch
    };
    let raw = fill(broker, js, payload, count, case, n).await?;
    let raw_measure = consume_raw(&raw, streaming, batch, count, case, progress).await?;
    let measure = consume_broker(broker, streaming, batch, count, case, n, progress).await?;
    Ok(pair(case, measure, raw_measure))
}

/// Fills both streams with `count` messages, pipelined; returns the raw stream.
async fn fill(
    broker: &Broker,
    js: &jetstream::Context,
    payload: &Bytes,
    count: usize,
    case: &str,
    n: &Names,
) -> Result<stream::Stream, BenchError> {
    let fail = failed(case);
    let raw = raw_stream(js, n).await.map_err(&fail)?;
    let mut in_flight = VecDeque::new();
    for _ in 0..count {
        if in_flight.len() >= 512 {
            let pending: jetstream::context::PublishAckFuture =
                in_flight.pop_front().expect("full");
            pending.await.map_err(|e| fail(e.to_string()))?;
        }
        in_flight.push_back(
            js.publish(n.raw_subject.clone(), payload.clone())
                .await
                .map_err(|e| fail(e.to_string()))?,
        );
    }
    for pending in in_flight {
        pending.await.map_err(|e| fail(e.to_string()))?;
    }
    broker
        .publish_pipelined(
            &n.broker_topic,
            (0..count).map(|_| Message::new(payload.clone())),
            512,
        )
        .await
        .map_err(|e| fail(e.to_string()))?;
    Ok(raw)
}

/// Raw: the same pulls and acks as the broker's, with the bare client.
async fn consume_raw(
    raw: &stream::Stream,
    streaming: bool,
    batch: usize,
    count: usize,
    case: &str,
    progress: &mut dyn Write,
) -> Result<Measure, BenchError> {
    let fail = failed(case);
    let puller = raw
        .create_consumer(consumer::pull::Config {
            durable_name: Some("bench".into()),
            ack_policy: consumer::AckPolicy::Explicit,
            ..Default::default()
        })
        .await
        .map_err(|e| fail(e.to_string()))?;
    let label = if streaming {
        "streaming raw"
    } else {
        "batch raw"
    };
    let mut bar = Progress::new(progress, label, count);
    let start = Instant::now();
    let mut done = 0;
    if streaming {
        let mut messages = puller
            .stream()
            .max_messages_per_batch(batch)
            .messages()
            .await
            .map_err(|e| fail(e.to_string()))?;
        while done < count {
            let m = messages
                .next()
                .await
                .ok_or_else(|| fail("stream ended".into()))?
                .map_err(|e| fail(e.to_string()))?;
            m.ack().await.map_err(|e| fail(e.to_string()))?;
            done += 1;
            bar.set(done);
        }
    } else {
        while done < count {
            let mut messages = puller
                .batch()
                .max_messages(batch)
                .expires(Duration::from_secs(1))
                .messages()
                .await
                .map_err(|e| fail(e.to_string()))?;
            while let Some(m) = messages.next().await {
                let m = m.map_err(|e| fail(e.to_string()))?;
                m.ack().await.map_err(|e| fail(e.to_string()))?;
                done += 1;
                bar.set(done);
            }
        }
    }
    Ok(Measure {
        msgs_per_sec: rate(count, start.elapsed()),
        latency_us: None,
    })
}

/// Broker: a subscription doing the same.
async fn consume_broker(
    broker: &Broker,
    streaming: bool,
    batch: usize,
    count: usize,
    case: &str,
    n: &Names,
    progress: &mut dyn Write,
) -> Result<Measure, BenchError> {
    let fail = failed(case);
    let handled = Arc::new(AtomicUsize::new(0));
    let all = Arc::new(Notify::new());
    let (counter, signal) = (handled.clone(), all.clone());
    let mut options_ = SubscribeOptions::queue("bench")
        .batch_size(batch)
        .fetch_wait(Duration::from_secs(1));
    if streaming {
        options_ = options_.streaming();
    }
    let label = if streaming {
        "streaming broker"
    } else {
        "batch broker"
    };
    let start = Instant::now();
    let sub = broker
        .subscribe(
            &n.broker_topic,
            move |_event| {
                if counter.fetch_add(1, Ordering::Relaxed) + 1 == count {
                    signal.notify_one();
                }
                std::future::ready(Ok(()))
            },
            options_,
        )
        .await
        .map_err(|e| fail(e.to_string()))?;
    let mut bar = Progress::new(progress, label, count);
    // Generous: a thousand messages a second would be far below anything seen.
    let deadline = Instant::now() + Duration::from_secs(60 + count as u64 / 1000);
    loop {
        tokio::select! {
            _ = all.notified() => break,
            _ = tokio::time::sleep(Duration::from_millis(100)) => {
                bar.set(handled.load(Ordering::Relaxed).min(count));
                if Instant::now() > deadline {
                    return Err(fail(format!(
                        "only {} of {count} handled in time",
                        handled.load(Ordering::Relaxed)
                    )));
                }
            }
        }
    }
    let took = start.elapsed();
    bar.set(count);
    sub.unsubscribe().await.map_err(|e| fail(e.to_string()))?;
    Ok(Measure {
        msgs_per_sec: rate(count, took),
        latency_us: None,
    })
}
