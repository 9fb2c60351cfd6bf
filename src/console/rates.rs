//! Turns cumulative counters into rates between two looks, and keeps a minute of history.
//! Counters can go backwards (a stream purged or recreated), so differences saturate at
//! zero; a zero interval keeps the previous rate instead of dividing by zero.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::model::ConsumerAlert;

/// Rate of a counter that went from `before` to `now` over `interval`.
pub fn rate(before: u64, now: u64, interval: Duration) -> Option<f64> {
    let secs = interval.as_secs_f64();
    (secs > 0.0).then(|| now.saturating_sub(before) as f64 / secs)
}

#[derive(Debug, Clone)]
struct StreamSample {
    at: Instant,
    last_seq: u64,
    rate: f64,
    history: VecDeque<f64>,
}

#[derive(Debug, Clone)]
struct ConsumerSample {
    at: Instant,
    delivered: u64,
    acked: u64,
    ack_pending: u64,
    redelivered: u64,
    delivered_rate: f64,
    acked_rate: f64,
    alert: ConsumerAlert,
    alert_until: Option<Instant>,
}

/// What the rate book says about a consumer now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConsumerRates {
    pub delivered: f64,
    pub acked: f64,
    pub alert: ConsumerAlert,
}

/// Previous samples per stream and per consumer.
#[derive(Debug)]
pub struct RateBook {
    history_len: usize,
    /// Looks closer together than this keep the previous rates (a rate over a few
    /// milliseconds says nothing).
    min_interval: Duration,
    /// How long a consumer stays marked after its counts last climbed.
    alert_hold: Duration,
    streams: HashMap<String, StreamSample>,
    consumers: HashMap<(String, String), ConsumerSample>,
}

impl RateBook {
    /// `refresh` sets how many samples make a minute of history.
    pub fn new(refresh: Duration) -> Self {
        let per_minute = (60.0 / refresh.as_secs_f64().max(0.05)).ceil() as usize;
        Self {
            history_len: per_minute.clamp(2, 1200),
            min_interval: refresh / 2,
            alert_hold: Duration::from_secs(5).max(refresh * 3),
            streams: HashMap::new(),
            consumers: HashMap::new(),
        }
    }

    /// Records a stream's last sequence at `at`; returns its rate and history.
    pub fn stream(&mut self, name: &str, last_seq: u64, at: Instant) -> (f64, VecDeque<f64>) {
        let history_len = self.history_len;
        match self.streams.get_mut(name) {
            Some(prev) => {
                if let Some(r) = rate(
                    prev.last_seq,
                    last_seq,
                    at.saturating_duration_since(prev.at),
                ) {
                    prev.rate = r;
                    prev.at = at;
                    prev.last_seq = last_seq;
                    prev.history.push_back(r);
                    while prev.history.len() > history_len {
                        prev.history.pop_front();
                    }
                }
                (prev.rate, prev.history.clone())
            }
            None => {
                self.streams.insert(
                    name.to_string(),
                    StreamSample {
                        at,
                        last_seq,
                        rate: 0.0,
                        history: VecDeque::new(),
                    },
                );
                (0.0, VecDeque::new())
            }
        }
    }

    /// Records a consumer's counters at `at`.
    pub fn consumer(
        &mut self,
        stream: &str,
        name: &str,
        counts: ConsumerCounts,
        at: Instant,
    ) -> ConsumerRates {
        let key = (stream.to_string(), name.to_string());
        let hold = self.alert_hold;
        let min_interval = self.min_interval;
        let sample = self.consumers.entry(key).or_insert(ConsumerSample {
            at,
            delivered: counts.delivered,
            acked: counts.acked,
            ack_pending: counts.ack_pending,
            redelivered: counts.redelivered,
            delivered_rate: 0.0,
            acked_rate: 0.0,
            alert: ConsumerAlert::None,
            alert_until: None,
        });
        let interval = at.saturating_duration_since(sample.at);
        if interval < min_interval {
            return ConsumerRates {
                delivered: sample.delivered_rate,
                acked: sample.acked_rate,
                alert: sample.alert,
            };
        }
        if let (Some(d), Some(a)) = (
            rate(sample.delivered, counts.delivered, interval),
            rate(sample.acked, counts.acked, interval),
        ) {
            sample.delivered_rate = d;
            sample.acked_rate = a;
            let climbing = if counts.redelivered > sample.redelivered {
                ConsumerAlert::Redelivering
            } else if counts.ack_pending > sample.ack_pending {
                ConsumerAlert::AckPendingRising
            } else {
                ConsumerAlert::None
            };
            if climbing != ConsumerAlert::None {
                sample.alert = climbing;
                sample.alert_until = Some(at + hold);
            } else if sample.alert_until.is_some_and(|until| at >= until) {
                sample.alert = ConsumerAlert::None;
                sample.alert_until = None;
            }
            sample.at = at;
            sample.delivered = counts.delivered;
            sample.acked = counts.acked;
            sample.ack_pending = counts.ack_pending;
            sample.redelivered = counts.redelivered;
        }
        ConsumerRates {
            delivered: sample.delivered_rate,
            acked: sample.acked_rate,
            alert: sample.alert,
        }
    }

    /// Drops samples of streams no longer on the server.
    /// Forgets streams not in `alive` (sorted, as the server lists them).
    pub fn retain_streams(&mut self, alive: &[String]) {
        let alive = |name: &String| alive.binary_search(name).is_ok();
        self.streams.retain(|name, _| alive(name));
        self.consumers.retain(|(stream, _), _| alive(stream));
    }

    /// Forgets the consumers of every other stream: coming back to one later starts its
    /// rates afresh instead of averaging over the time away.
    pub fn keep_consumers_of(&mut self, stream: &str) {
        self.consumers.retain(|(s, _), _| s == stream);
    }

    /// Drops samples of a stream's consumers no longer on the server.
    pub fn retain_consumers(&mut self, stream: &str, alive: &[&str]) {
        self.consumers
            .retain(|(s, c), _| s != stream || alive.contains(&c.as_str()));
    }
}

/// The cumulative consumer counters the book follows.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConsumerCounts {
    /// Consumer sequence of the last delivery (counts redeliveries too).
    pub delivered: u64,
    /// Consumer sequence of the ack floor.
    pub acked: u64,
    pub ack_pending: u64,
    pub redelivered: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_saturate_and_guard_zero_intervals() {
        assert_eq!(rate(10, 30, Duration::from_secs(2)), Some(10.0));
        assert_eq!(rate(30, 10, Duration::from_secs(2)), Some(0.0));
        assert_eq!(rate(1, 2, Duration::ZERO), None);
    }

    #[test]
    fn stream_history_is_a_bounded_minute() {
        let mut book = RateBook::new(Duration::from_secs(1));
        let t0 = Instant::now();
        assert_eq!(book.stream("S", 0, t0).0, 0.0);
        for i in 1..=100u64 {
            let (r, history) = book.stream("S", i * 5, t0 + Duration::from_secs(i));
            assert_eq!(r, 5.0);
            assert_eq!(history.len(), i.min(60) as usize);
        }
        // Same instant again: the rate stays, no sample is added.
        let (r, history) = book.stream("S", 999, t0 + Duration::from_secs(100));
        assert_eq!((r, history.len()), (5.0, 60));
    }

    #[test]
    fn climbing_redeliveries_raise_an_alert_that_fades() {
        let mut book = RateBook::new(Duration::from_secs(1));
        let t0 = Instant::now();
        let at = |s| t0 + Duration::from_secs(s);
        let counts = |delivered, acked, ack_pending, redelivered| ConsumerCounts {
            delivered,
            acked,
            ack_pending,
            redelivered,
        };
        book.consumer("S", "c", counts(0, 0, 0, 0), at(0));
        let r = book.consumer("S", "c", counts(10, 8, 2, 0), at(1));
        assert_eq!((r.delivered, r.acked), (10.0, 8.0));
        assert_eq!(r.alert, ConsumerAlert::AckPendingRising);
        let r = book.consumer("S", "c", counts(12, 8, 2, 1), at(2));
        assert_eq!(r.alert, ConsumerAlert::Redelivering);
        // Nothing climbs any more: the mark holds a while, then goes.
        assert_eq!(
            book.consumer("S", "c", counts(12, 12, 0, 1), at(3)).alert,
            ConsumerAlert::Redelivering
        );
        assert_eq!(
            book.consumer("S", "c", counts(12, 12, 0, 1), at(8)).alert,
            ConsumerAlert::None
        );
    }

    #[test]
    fn looks_too_close_together_keep_the_last_rates() {
        let mut book = RateBook::new(Duration::from_secs(1));
        let t0 = Instant::now();
        let counts = |delivered| ConsumerCounts {
            delivered,
            ..Default::default()
        };
        book.consumer("S", "c", counts(0), t0);
        assert_eq!(
            book.consumer("S", "c", counts(2), t0 + Duration::from_secs(1))
                .delivered,
            2.0
        );
        // 100 ms later one more delivery: not 10/s.
        let r = book.consumer("S", "c", counts(3), t0 + Duration::from_millis(1100));
        assert_eq!(r.delivered, 2.0);
        book.keep_consumers_of("OTHER");
        assert_eq!(
            book.consumer("S", "c", counts(100), t0 + Duration::from_secs(60))
                .delivered,
            0.0
        );
    }

    #[test]
    fn forgotten_streams_start_over() {
        let mut book = RateBook::new(Duration::from_secs(1));
        let t0 = Instant::now();
        book.stream("GONE", 100, t0);
        book.retain_streams(&["KEPT".to_string()]);
        assert_eq!(book.stream("GONE", 200, t0 + Duration::from_secs(1)).0, 0.0);
    }
}
