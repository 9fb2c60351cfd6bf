//! The collector: a task that connects (and keeps trying), polls the server every refresh,
//! turns counters into rates and sends snapshots to the UI. Per refresh it makes a bounded
//! number of JetStream API requests: account info, the streams the screen shows (see
//! `catalog`: one request for an account of up to 256 streams, a few for any larger one)
//! and the consumer listing of the selected stream only (one per 256).

use std::time::{Duration, Instant, SystemTime};

use futures::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::advisories;
use super::app::Action;
use super::catalog::Catalog;
use super::model::{
    AccountView, ConnectionView, ConsumerView, ConsumersView, Snapshot, StreamView,
};
use super::rates::{ConsumerCounts, RateBook};
use crate::broker::{ApiError, ApiErrorKind, Broker, ConnectionState};

/// How long the selection must rest before its consumers are fetched.
const SELECTION_SETTLE: Duration = Duration::from_millis(150);

/// Longest wait between connection attempts.
const MAX_RETRY: Duration = Duration::from_secs(5);

pub struct Collector {
    pub broker: Broker,
    pub refresh: Duration,
    pub actions: mpsc::UnboundedSender<Action>,
    /// The stream whose consumers to poll (the UI's selection).
    pub selected: watch::Receiver<Option<String>>,
    /// The streams whose infos to read: the rows around the selection, selected first.
    pub around: watch::Receiver<Vec<String>>,
    pub cancel: CancellationToken,
}

/// The header's view of the broker's connection now.
pub fn connection_view(broker: &Broker, last_error: Option<String>) -> ConnectionView {
    let info = broker.server_info();
    ConnectionView {
        state: broker.connection_state(),
        last_error,
        server_name: info.as_ref().map(|i| i.server_name.clone()),
        version: info.as_ref().map(|i| i.version.clone()),
        connected_url: info.as_ref().map(|i| format!("{}:{}", i.host, i.port)),
        max_payload: info.as_ref().map(|i| i.max_payload),
    }
}

impl Collector {
    pub async fn run(mut self) {
        let mut book = RateBook::new(self.refresh);
        let mut catalog = Catalog::default();
        let mut interval = tokio::time::interval(self.refresh);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        self.forward_connection_changes();
        // A connection made before the collector started (a switch connects first) has
        // no change left to forward: say it once.
        if self.broker.connection_state() == ConnectionState::Connected {
            self.send(Action::Connection(connection_view(&self.broker, None)));
        }
        let mut retry = Duration::from_millis(500);
        let mut next_attempt = Instant::now();
        let mut advisories_started = false;
        loop {
            tokio::select! {
                _ = self.cancel.cancelled() => break,
                _ = interval.tick() => {}
                changed = self.selected.changed() => {
                    if changed.is_err() { break; }
                    // Let a run of key presses settle: one listing for where it stops.
                    tokio::time::sleep(SELECTION_SETTLE).await;
                    if self.broker.connection_state() == ConnectionState::Connected {
                        let stream = self.selected.borrow_and_update().clone();
                        if let Some(stream) = &stream {
                            book.keep_consumers_of(stream);
                        }
                        // A whole refresh: the rows around the new selection are read
                        // now, not at the next tick.
                        let around = self.around.borrow().clone();
                        let wanted = Wanted { selected: stream, around: &around };
                        match refresh(&self.broker, &mut catalog, wanted, &mut book).await {
                            Ok(snapshot) => self.send(Action::Snapshot(Box::new(snapshot))),
                            Err(e) => self.send(Action::RefreshFailed(e)),
                        }
                    }
                    continue;
                }
            }
            if matches!(
                self.broker.connection_state(),
                ConnectionState::NotConnected | ConnectionState::Closed
            ) {
                if Instant::now() < next_attempt {
                    continue;
                }
                match self.broker.connect().await {
                    Ok(()) => {
                        retry = Duration::from_millis(500);
                        self.send(Action::Connection(connection_view(&self.broker, None)));
                    }
                    Err(e) => {
                        tracing::info!(error = %e, "console could not connect; will retry");
                        next_attempt = Instant::now() + retry;
                        retry = (retry * 2).min(MAX_RETRY);
                        self.send(Action::Connection(connection_view(
                            &self.broker,
                            Some(e.to_string()),
                        )));
                        continue;
                    }
                }
            }
            if !advisories_started {
                advisories_started = self.start_advisories().await;
            }
            let selected = self.selected.borrow_and_update().clone();
            let around = self.around.borrow().clone();
            let wanted = Wanted {
                selected,
                around: &around,
            };
            match refresh(&self.broker, &mut catalog, wanted, &mut book).await {
                Ok(snapshot) => self.send(Action::Snapshot(Box::new(snapshot))),
                Err(e) => self.send(Action::RefreshFailed(e)),
            }
        }
    }

    /// Connection changes reach the header at once, even while a refresh is waiting on
    /// a server that stopped answering.
    fn forward_connection_changes(&self) {
        let mut state = self.broker.watch_connection();
        let (broker, actions, cancel) = (
            self.broker.clone(),
            self.actions.clone(),
            self.cancel.clone(),
        );
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = cancel.cancelled() => break,
                    changed = state.changed() => {
                        if changed.is_err()
                            || actions.send(Action::Connection(connection_view(&broker, None))).is_err()
                        {
                            break;
                        }
                    }
                }
            }
        });
    }

    fn send(&self, action: Action) {
        // The UI is gone only when the console is closing.
        let _ = self.actions.send(action);
    }

    /// Forwards advisories to the UI; async-nats re-subscribes after a reconnect.
    async fn start_advisories(&self) -> bool {
        let Some(client) = self.broker.client() else {
            return false;
        };
        let mut subscription = match client.subscribe(advisories::ADVISORY_SUBJECT).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "cannot subscribe to advisories");
                return false;
            }
        };
        let actions = self.actions.clone();
        let cancel = self.cancel.clone();
        tokio::spawn(async move {
            loop {
                let message = tokio::select! {
                    _ = cancel.cancelled() => break,
                    m = subscription.next() => match m { Some(m) => m, None => break },
                };
                if let Some(advisory) = advisories::parse(&message.payload, SystemTime::now())
                    && actions.send(Action::Advisory(advisory)).is_err()
                {
                    break;
                }
            }
        });
        true
    }
}

/// What the screen wants this refresh: the selected stream (its consumers) and the
/// streams around it (their infos).
#[derive(Debug, Clone)]
pub struct Wanted<'a> {
    pub selected: Option<String>,
    pub around: &'a [String],
}

/// One refresh: account, streams, and the consumers of the selected one. Its cost in
/// requests is in the snapshot. A request this user may not make is left out and named
/// in the snapshot; any other failure fails the refresh.
pub async fn refresh(
    broker: &Broker,
    catalog: &mut Catalog,
    wanted: Wanted<'_>,
    book: &mut RateBook,
) -> Result<Snapshot, ApiError> {
    let requests_before = broker.metrics().api_requests;
    let mut denied = Vec::new();
    let account = permitted(broker.account_info().await, &mut denied)?;
    let count = account.as_ref().map(|a| a.streams);
    let mut around: Vec<String> = wanted.selected.iter().cloned().collect();
    around.extend(wanted.around.iter().cloned());
    let read = permitted(
        catalog.read(broker, count, &around, Instant::now()).await,
        &mut denied,
    )?;
    let streams_listed = read.is_some();
    let read = read.unwrap_or_default();
    let now = Instant::now();
    let taken = SystemTime::now();
    book.retain_streams(&read.names);
    let streams = read
        .infos
        .into_iter()
        .map(|info| {
            let (rate, history) = book.stream(&info.config.name, info.state.last_sequence, now);
            StreamView {
                info,
                rate,
                history,
                read_at: taken,
            }
        })
        .collect();
    let consumers = permitted(
        consumers_of(broker, wanted.selected.clone(), book).await,
        &mut denied,
    )?
    .unwrap_or(ConsumersView {
        stream: wanted.selected,
        rows: Vec::new(),
    });
    let metrics = broker.metrics();
    Ok(Snapshot {
        taken,
        account: account.map(|account| AccountView {
            memory: account.memory,
            storage: account.storage,
            streams: account.streams,
            consumers: account.consumers,
            api_total: account.requests.total,
            api_errors: account.requests.errors,
        }),
        stream_names: read.names,
        streams,
        streams_complete: read.complete,
        streams_listed,
        denied,
        consumers,
        requests: (metrics.api_requests - requests_before) as usize,
        metrics,
    })
}

/// A refused request becomes "not shown" (its subject noted); other failures stay failures.
fn permitted<T>(
    result: Result<T, ApiError>,
    denied: &mut Vec<String>,
) -> Result<Option<T>, ApiError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(ApiError::PermissionDenied { subject }) => {
            denied.push(subject);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The consumers of `stream`, with their rates.
pub async fn consumers_of(
    broker: &Broker,
    stream: Option<String>,
    book: &mut RateBook,
) -> Result<ConsumersView, crate::broker::ApiError> {
    let Some(stream) = stream else {
        return Ok(ConsumersView::default());
    };
    let infos = match broker.list_consumers(&stream).await {
        Ok(infos) => infos,
        // Deleted since the listing: it has no consumers to show.
        Err(e) if e.kind() == ApiErrorKind::StreamNotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    let now = Instant::now();
    let names: Vec<&str> = infos.iter().map(|i| i.name.as_str()).collect();
    book.retain_consumers(&stream, &names);
    let rows = infos
        .into_iter()
        .map(|info| {
            let rates = book.consumer(
                &stream,
                &info.name,
                ConsumerCounts {
                    delivered: info.delivered.consumer_sequence,
                    acked: info.ack_floor.consumer_sequence,
                    ack_pending: info.num_ack_pending as u64,
                    redelivered: info.num_redelivered as u64,
                },
                now,
            );
            ConsumerView {
                info,
                delivered_rate: rates.delivered,
                acked_rate: rates.acked,
                alert: rates.alert,
            }
        })
        .collect();
    Ok(ConsumersView {
        stream: Some(stream),
        rows,
    })
}
