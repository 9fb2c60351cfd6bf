//! The broker's own counters, readable at any time.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of the counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Messages stored by JetStream (PubAck received).
    pub published: u64,
    /// Messages handed to a handler (every delivery counts, redeliveries too).
    pub consumed: u64,
    /// Handler calls that returned an error (the message was nak'd).
    pub handler_errors: u64,
    /// Handler calls that panicked (caught; the message was nak'd).
    pub handler_panics: u64,
    /// Pull requests that failed (server gone, consumer deleted, ...).
    pub fetch_errors: u64,
    /// Subscriptions whose worker is running now.
    pub active_subscriptions: u64,
    /// JetStream API requests made by the inspection and set-up calls (not publishes).
    pub api_requests: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub published: AtomicU64,
    pub consumed: AtomicU64,
    pub handler_errors: AtomicU64,
    pub handler_panics: AtomicU64,
    pub fetch_errors: AtomicU64,
    pub active_subscriptions: AtomicU64,
    pub api_requests: AtomicU64,
}

impl Counters {
    pub fn incr(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Metrics {
        Metrics {
            published: self.published.load(Ordering::Relaxed),
            consumed: self.consumed.load(Ordering::Relaxed),
            handler_errors: self.handler_errors.load(Ordering::Relaxed),
            handler_panics: self.handler_panics.load(Ordering::Relaxed),
            fetch_errors: self.fetch_errors.load(Ordering::Relaxed),
            active_subscriptions: self.active_subscriptions.load(Ordering::Relaxed),
            api_requests: self.api_requests.load(Ordering::Relaxed),
        }
    }
}
