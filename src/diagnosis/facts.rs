//! The collected numbers: plain data, filled from consumer info and stream info (what the
//! console polls anyway) plus optional extras, so the diagnosis is a pure function of it.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use async_nats::jetstream::{consumer, stream};

use crate::broker::ServerVersion;

/// A consumer replica as the leader sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Replica {
    pub name: String,
    pub current: bool,
    pub offline: bool,
    /// Operations behind the leader, when the server says.
    pub lag: Option<u64>,
}

/// Everything the diagnosis of one consumer looks at.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConsumerFacts {
    pub stream: String,
    pub consumer: String,
    /// When these numbers were read.
    pub taken_at: SystemTime,
    pub created: SystemTime,
    pub durable: bool,
    /// A push consumer (it has a deliver subject).
    pub push: bool,
    /// A push consumer with a subscriber on its deliver subject.
    pub push_bound: bool,
    /// The consumer's filter subjects (empty: the whole stream).
    pub filter_subjects: Vec<String>,
    pub num_pending: u64,
    pub num_ack_pending: u64,
    /// -1 or 0: no limit.
    pub max_ack_pending: i64,
    pub num_waiting: u64,
    pub num_redelivered: u64,
    pub delivered_consumer_seq: u64,
    pub delivered_stream_seq: u64,
    pub last_delivery: Option<SystemTime>,
    pub ack_floor_consumer_seq: u64,
    pub ack_floor_stream_seq: u64,
    pub last_ack: Option<SystemTime>,
    pub ack_wait: Duration,
    /// -1 or 0: unlimited.
    pub max_deliver: i64,
    /// Ephemeral consumers are deleted after this long without interest.
    pub inactive_threshold: Option<Duration>,
    /// Paused until then (servers 2.11+).
    pub paused_until: Option<SystemTime>,
    /// Consumer cluster: the leader's name (empty when none), and the other replicas.
    /// `None` on a single server.
    pub leader: Option<String>,
    pub replicas: Vec<Replica>,
    pub stream_messages: u64,
    pub stream_retention: String,
    /// The server's version (decides what it can do, e.g. pause).
    #[serde(skip)]
    pub server_version: Option<ServerVersion>,
    /// Extra: messages stored per subject (all subjects when the filter matched none),
    /// when asked for.
    pub stored_subjects: Option<BTreeMap<String, u64>>,
    /// Extra: messages of this consumer that ran out of deliveries (advisories, capture).
    pub max_deliveries_hit: Option<u64>,
    /// Extra: nak advisories seen over the redelivery window, when watched.
    pub naks_recent: Option<u64>,
}

fn system(dt: impl Into<SystemTime>) -> SystemTime {
    dt.into()
}

impl ConsumerFacts {
    /// The facts in a consumer's info and its stream's info; extras left unknown.
    pub fn from_info(
        stream: &stream::Info,
        info: &consumer::Info,
        server_version: Option<ServerVersion>,
        taken_at: SystemTime,
    ) -> Self {
        let config = &info.config;
        let mut filter_subjects = config.filter_subjects.clone();
        if !config.filter_subject.is_empty() {
            filter_subjects.push(config.filter_subject.clone());
        }
        let (leader, replicas) = match &info.cluster {
            Some(cluster) if !cluster.replicas.is_empty() || cluster.leader.is_some() => (
                Some(cluster.leader.clone().unwrap_or_default()),
                cluster
                    .replicas
                    .iter()
                    .map(|p| Replica {
                        name: p.name.clone(),
                        current: p.current,
                        offline: p.offline,
                        lag: p.lag,
                    })
                    .collect(),
            ),
            _ => (None, Vec::new()),
        };
        let paused_until = if info.paused {
            config
                .pause_until
                .map(system)
                .or_else(|| info.pause_remaining.map(|left| taken_at + left))
        } else {
            None
        };
        Self {
            stream: stream.config.name.clone(),
            consumer: info.name.clone(),
            taken_at,
            created: system(info.created),
            durable: config.durable_name.is_some(),
            push: config.deliver_subject.is_some(),
            push_bound: info.push_bound,
            filter_subjects,
            num_pending: info.num_pending,
            num_ack_pending: info.num_ack_pending as u64,
            max_ack_pending: config.max_ack_pending,
            num_waiting: info.num_waiting as u64,
            num_redelivered: info.num_redelivered as u64,
            delivered_consumer_seq: info.delivered.consumer_sequence,
            delivered_stream_seq: info.delivered.stream_sequence,
            last_delivery: info.delivered.last_active.map(system),
            ack_floor_consumer_seq: info.ack_floor.consumer_sequence,
            ack_floor_stream_seq: info.ack_floor.stream_sequence,
            last_ack: info.ack_floor.last_active.map(system),
            ack_wait: config.ack_wait,
            max_deliver: config.max_deliver,
            inactive_threshold: (!config.inactive_threshold.is_zero())
                .then_some(config.inactive_threshold),
            paused_until,
            leader,
            replicas,
            stream_messages: stream.state.messages,
            stream_retention: format!("{:?}", stream.config.retention),
            server_version,
            stored_subjects: None,
            max_deliveries_hit: None,
            naks_recent: None,
        }
    }

    /// Whether a filter subject may match nothing stored: the consumer has a filter,
    /// never delivered anything and has nothing pending while the stream holds messages.
    /// Only then is the one extra request (per-subject counts) worth asking.
    pub fn filter_may_match_nothing(&self) -> bool {
        !self.filter_subjects.is_empty()
            && self.stream_messages > 0
            && self.num_pending == 0
            && self.num_ack_pending == 0
            && self.delivered_stream_seq == 0
    }

    /// Whether max ack pending is set and reached.
    pub fn at_max_ack_pending(&self) -> bool {
        self.max_ack_pending > 0 && self.num_ack_pending >= self.max_ack_pending as u64
    }

    /// The sample of these facts that later diagnoses compare against.
    pub fn sample(&self) -> Sample {
        Sample {
            at: self.taken_at,
            delivered_consumer_seq: self.delivered_consumer_seq,
            delivered_stream_seq: self.delivered_stream_seq,
            ack_floor_consumer_seq: self.ack_floor_consumer_seq,
            ack_floor_stream_seq: self.ack_floor_stream_seq,
            num_ack_pending: self.num_ack_pending,
            at_max_ack_pending: self.at_max_ack_pending(),
        }
    }
}

/// What an earlier look at the consumer saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Sample {
    pub at: SystemTime,
    pub delivered_consumer_seq: u64,
    pub delivered_stream_seq: u64,
    pub ack_floor_consumer_seq: u64,
    pub ack_floor_stream_seq: u64,
    pub num_ack_pending: u64,
    pub at_max_ack_pending: bool,
}

/// Earlier samples of one consumer, oldest first, kept for `keep` (rates, "since when").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub samples: Vec<Sample>,
}

/// How long a history keeps samples: a little more than the redelivery window.
const KEEP: Duration = Duration::from_secs(300);

impl History {
    /// Adds a sample, forgetting those older than five minutes before it.
    pub fn push(&mut self, sample: Sample) {
        self.samples
            .retain(|s| sample.at.duration_since(s.at).unwrap_or_default() <= KEEP);
        self.samples.push(sample);
    }

    /// The oldest sample taken at or after `since`.
    pub fn oldest_since(&self, since: SystemTime) -> Option<&Sample> {
        self.samples.iter().find(|s| s.at >= since)
    }

    /// When the consumer was first seen at max ack pending, in the unbroken run of such
    /// samples that reaches the newest.
    pub fn stalled_since(&self) -> Option<SystemTime> {
        self.samples
            .iter()
            .rev()
            .take_while(|s| s.at_max_ack_pending)
            .last()
            .map(|s| s.at)
    }
}
