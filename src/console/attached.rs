//! Attached pull subscriptions as the console holds them: the messages pulled by hand and
//! what became of each, or the stream of messages an automatic worker handled.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::broker::{Delivery, Headers, StoredMessage};
use crate::deadletters::TimelineEntry;

/// Messages an automatic subscription keeps on screen (older ones scroll away).
pub const AUTO_WINDOW: usize = 200;

/// Identifies one delivery of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageKey {
    pub stream_sequence: u64,
    pub delivered: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Nothing is settled without the operator.
    Manual,
    /// The broker's worker acks every message (or fails every Nth).
    Auto,
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowState {
    /// Held, waiting for the operator.
    Held,
    /// A settlement was sent; waiting for the result.
    Settling(&'static str),
    Acked,
    Naked(Option<Duration>),
    Termed,
    /// Settling failed (the text says why); still held.
    Failed(String),
    /// Auto mode: the handler failed it on purpose (nak'd).
    AutoFailed,
}

/// One delivered message, as the messages pane shows it.
#[derive(Debug, Clone)]
pub struct MessageRow {
    pub subject: String,
    pub delivery: Delivery,
    pub headers: Headers,
    pub body: Bytes,
    /// When the ack-wait clock last started: delivery, or the last in-progress.
    pub clock_start: SystemTime,
    pub state: RowState,
}

impl MessageRow {
    /// The row for a delivered event; its ack-wait clock started when it arrived.
    pub fn from_event(event: &crate::broker::Event, state: RowState) -> Self {
        Self {
            subject: event.topic().to_string(),
            delivery: event.delivery().clone(),
            headers: event.message().headers.clone(),
            body: event.message().body.clone(),
            clock_start: event.received(),
            state,
        }
    }

    pub fn key(&self) -> MessageKey {
        MessageKey {
            stream_sequence: self.delivery.stream_sequence,
            delivered: self.delivery.delivered,
        }
    }

    /// Time left before the server redelivers, while held.
    pub fn remaining(&self, now: SystemTime, ack_wait: Duration) -> Option<Duration> {
        matches!(
            self.state,
            RowState::Held | RowState::Failed(_) | RowState::Settling(_)
        )
        .then(|| {
            (self.clock_start + ack_wait)
                .duration_since(now)
                .unwrap_or_default()
        })
    }

    /// Held past its ack wait: the server will hand it out again.
    pub fn expired(&self, now: SystemTime, ack_wait: Duration) -> bool {
        self.remaining(now, ack_wait)
            .is_some_and(|left| left.is_zero())
    }

    /// The first line of the body, for the list.
    pub fn first_line(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        text.lines().next().unwrap_or_default().to_string()
    }
}

#[derive(Debug, Clone)]
pub struct Attached {
    pub id: u64,
    pub stream: String,
    pub consumer: String,
    pub filter: String,
    pub ack_wait: Duration,
    pub mode: Mode,
    pub batch_size: usize,
    /// Auto mode: fail every Nth message (0: never).
    pub fail_every: u64,
    pub rows: VecDeque<MessageRow>,
    pub selected: usize,
    /// Auto mode: messages handled since attaching.
    pub handled: u64,
    pub pulling: bool,
}

impl Attached {
    pub fn label(&self) -> String {
        format!("{}/{}", self.stream, self.consumer)
    }

    pub fn selected_row(&self) -> Option<&MessageRow> {
        self.rows.get(self.selected)
    }

    /// A pulled batch arrives: settled rows make room, a redelivered message replaces its
    /// earlier delivery, new ones are added.
    pub fn add_pulled(&mut self, pulled: Vec<MessageRow>) {
        // The selection follows its message, not its position.
        let selected = self.selected_row().map(MessageRow::key);
        self.rows.retain(|r| {
            matches!(
                r.state,
                RowState::Held | RowState::Failed(_) | RowState::Settling(_)
            )
        });
        for row in pulled {
            self.rows
                .retain(|r| r.delivery.stream_sequence != row.delivery.stream_sequence);
            self.rows.push_back(row);
        }
        self.selected = selected
            .and_then(|key| self.rows.iter().position(|r| r.key() == key))
            .unwrap_or(self.selected)
            .min(self.rows.len().saturating_sub(1));
    }

    /// Auto mode: newest first, bounded.
    pub fn add_auto(&mut self, row: MessageRow) {
        self.handled += 1;
        self.rows.push_front(row);
        // Old handled rows scroll away; messages still held by hand never do.
        while self.rows.len() > AUTO_WINDOW {
            match self.rows.iter().rposition(|r| !is_held(r)) {
                Some(oldest) => {
                    self.rows.remove(oldest);
                }
                None => break,
            }
        }
        if self.selected > 0 {
            self.selected = (self.selected + 1).min(self.rows.len() - 1);
        }
    }

    pub fn row_mut(&mut self, key: MessageKey) -> Option<&mut MessageRow> {
        self.rows.iter_mut().find(|r| r.key() == key)
    }

    /// Moves the selection to the next row waiting for the operator (held, or its
    /// settlement failed), after the selected one and then from the top; stays when none.
    pub fn select_next_held(&mut self) {
        let n = self.rows.len();
        let waiting = |r: &MessageRow| matches!(r.state, RowState::Held | RowState::Failed(_));
        if let Some(i) = (1..n)
            .map(|step| (self.selected + step) % n)
            .find(|i| waiting(&self.rows[*i]))
        {
            self.selected = i;
        }
    }

    /// Rows still waiting for a settlement.
    pub fn held(&self) -> impl Iterator<Item = &MessageRow> {
        self.rows.iter().filter(|r| is_held(r))
    }
}

fn is_held(row: &MessageRow) -> bool {
    matches!(
        row.state,
        RowState::Held | RowState::Failed(_) | RowState::Settling(_)
    )
}

/// Bodies of messages jetdeck termed that it keeps, newest last: a term on a WorkQueue
/// (or Interest) stream removes the message, and this copy is then the only one left to
/// retry or move from. Bounded: at most this many, the oldest dropped first...
pub const KEPT_BODIES: usize = 100;
/// ...and at most this many bytes of bodies and headers in all.
pub const KEPT_BYTES: usize = 16 * 1024 * 1024;
/// The settles jetdeck sent that its timelines show, newest last (oldest dropped).
pub const SETTLES_KEPT: usize = 2000;

/// What jetdeck did itself to messages it held: the settles it sent (for timelines) and
/// the bodies of those it termed (to retry from when the stream removed them).
#[derive(Debug, Default)]
pub struct HeldLog {
    kept: VecDeque<StoredMessage>,
    kept_bytes: usize,
    settles: VecDeque<(String, u64, TimelineEntry)>,
}

fn size_of(message: &StoredMessage) -> usize {
    let headers: usize = message.headers.iter().map(|(k, v)| k.len() + v.len()).sum();
    message.body.len() + headers + message.subject.len()
}

impl HeldLog {
    /// Keeps `message` (replacing an earlier copy of the same sequence), dropping the
    /// oldest kept ones past [`KEPT_BODIES`] or [`KEPT_BYTES`]. A message larger than
    /// the byte bound alone is not kept.
    pub fn keep(&mut self, message: StoredMessage) {
        self.forget(&message.stream, message.sequence);
        let size = size_of(&message);
        if size > KEPT_BYTES {
            tracing::info!(stream = %message.stream, seq = message.sequence, size, "termed body too large to keep");
            return;
        }
        self.kept_bytes += size;
        self.kept.push_back(message);
        while self.kept.len() > KEPT_BODIES || self.kept_bytes > KEPT_BYTES {
            let Some(dropped) = self.kept.pop_front() else {
                break;
            };
            self.kept_bytes -= size_of(&dropped);
        }
    }

    /// The kept copy of `stream` seq `sequence`.
    pub fn kept(&self, stream: &str, sequence: u64) -> Option<&StoredMessage> {
        self.kept
            .iter()
            .find(|m| m.stream == stream && m.sequence == sequence)
    }

    /// Drops the kept copy (retried or moved: the copy is stored elsewhere now).
    pub fn forget(&mut self, stream: &str, sequence: u64) {
        if let Some(i) = self
            .kept
            .iter()
            .position(|m| m.stream == stream && m.sequence == sequence)
            && let Some(gone) = self.kept.remove(i)
        {
            self.kept_bytes -= size_of(&gone);
        }
    }

    pub fn kept_count(&self) -> usize {
        self.kept.len()
    }

    /// Records a settle that reached the server.
    pub fn record(&mut self, stream: &str, sequence: u64, entry: TimelineEntry) {
        self.settles
            .push_back((stream.to_string(), sequence, entry));
        while self.settles.len() > SETTLES_KEPT {
            self.settles.pop_front();
        }
    }

    /// The stream sequences of `stream` that jetdeck nak'd on `consumer`.
    pub fn naks_sent(&self, stream: &str, consumer: &str) -> Vec<u64> {
        self.settles
            .iter()
            .filter(|(s, _, e)| {
                s == stream
                    && e.consumer.as_deref() == Some(consumer)
                    && matches!(e.step, crate::deadletters::Step::NakSent { .. })
            })
            .map(|(_, seq, _)| *seq)
            .collect()
    }

    /// The settles recorded for `stream` seq `sequence`, oldest first.
    pub fn settles_of<'a>(
        &'a self,
        stream: &'a str,
        sequence: u64,
    ) -> impl Iterator<Item = &'a TimelineEntry> + 'a {
        self.settles
            .iter()
            .filter(move |(s, q, _)| s == stream && *q == sequence)
            .map(|(_, _, e)| e)
    }
}

impl MessageRow {
    /// The row as the stream stored it (for keeping its body after a term).
    pub fn stored(&self) -> StoredMessage {
        StoredMessage {
            stream: self.delivery.stream.clone(),
            subject: self.subject.clone(),
            sequence: self.delivery.stream_sequence,
            headers: self.headers.clone(),
            body: self.body.clone(),
            time: self.delivery.published,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn row(seq: u64, delivered: u64, clock_start: SystemTime) -> MessageRow {
        MessageRow {
            subject: "orders.created".into(),
            delivery: Delivery {
                stream: "ORDERS".into(),
                consumer: "c".into(),
                stream_sequence: seq,
                consumer_sequence: seq,
                delivered,
                pending: 0,
                published: clock_start,
            },
            headers: Headers::new(),
            body: Bytes::from_static(b"{\"id\":1}\nsecond line"),
            clock_start,
            state: RowState::Held,
        }
    }

    fn attached() -> Attached {
        Attached {
            id: 1,
            stream: "ORDERS".into(),
            consumer: "c".into(),
            filter: "orders.>".into(),
            ack_wait: Duration::from_secs(30),
            mode: Mode::Manual,
            batch_size: 10,
            fail_every: 0,
            rows: VecDeque::new(),
            selected: 0,
            handled: 0,
            pulling: false,
        }
    }

    #[test]
    fn the_ack_deadline_counts_down_and_expires() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        let r = row(1, 1, t0);
        let wait = Duration::from_secs(30);
        assert_eq!(
            r.remaining(t0 + Duration::from_secs(10), wait),
            Some(Duration::from_secs(20))
        );
        assert!(!r.expired(t0 + Duration::from_secs(29), wait));
        assert!(r.expired(t0 + Duration::from_secs(31), wait));
        let mut acked = r.clone();
        acked.state = RowState::Acked;
        assert_eq!(acked.remaining(t0, wait), None);
        assert_eq!(r.first_line(), "{\"id\":1}");
    }

    #[test]
    fn a_redelivery_replaces_the_earlier_delivery_and_settled_rows_go() {
        let t0 = SystemTime::UNIX_EPOCH;
        let mut a = attached();
        a.add_pulled(vec![row(1, 1, t0), row(2, 1, t0), row(3, 1, t0)]);
        a.row_mut(MessageKey {
            stream_sequence: 3,
            delivered: 1,
        })
        .unwrap()
        .state = RowState::Acked;
        a.add_pulled(vec![row(1, 2, t0)]);
        let keys: Vec<_> = a
            .rows
            .iter()
            .map(|r| (r.delivery.stream_sequence, r.delivery.delivered))
            .collect();
        assert_eq!(keys, [(2, 1), (1, 2)]);
    }

    #[test]
    fn auto_mode_keeps_a_bounded_window_but_never_drops_held_rows() {
        let mut a = attached();
        a.add_pulled(vec![row(u64::MAX, 1, SystemTime::UNIX_EPOCH)]);
        for i in 0..(AUTO_WINDOW as u64 + 100) {
            let mut handled = row(i, 1, SystemTime::UNIX_EPOCH);
            handled.state = RowState::Acked;
            a.add_auto(handled);
        }
        assert_eq!(a.rows.len(), AUTO_WINDOW);
        assert_eq!(a.handled, AUTO_WINDOW as u64 + 100);
        assert_eq!(a.held().count(), 1, "the held row survived");
        assert_eq!(a.rows[0].delivery.stream_sequence, AUTO_WINDOW as u64 + 99);
        assert_eq!(a.rows.back().unwrap().delivery.stream_sequence, u64::MAX);
    }

    fn stored(seq: u64, body: usize) -> StoredMessage {
        let mut r = row(seq, 1, SystemTime::UNIX_EPOCH);
        r.body = Bytes::from(vec![b'x'; body]);
        r.stored()
    }

    #[test]
    fn kept_bodies_are_bounded_in_number_and_bytes_oldest_dropped() {
        let mut log = HeldLog::default();
        for seq in 0..(KEPT_BODIES as u64 + 5) {
            log.keep(stored(seq, 10));
        }
        assert_eq!(log.kept_count(), KEPT_BODIES);
        assert!(log.kept("ORDERS", 4).is_none(), "the oldest went first");
        assert!(log.kept("ORDERS", 5).is_some());
        log.keep(stored(1000, KEPT_BYTES / 2));
        log.keep(stored(1001, KEPT_BYTES / 2));
        assert!(log.kept_bytes <= KEPT_BYTES);
        assert!(log.kept("ORDERS", 1001).is_some());
        assert!(log.kept("ORDERS", 1000).is_none(), "dropped for bytes");
        log.keep(stored(2000, KEPT_BYTES + 1));
        assert!(log.kept("ORDERS", 2000).is_none(), "too large alone");
        log.forget("ORDERS", 1001);
        assert!(log.kept("ORDERS", 1001).is_none());
        assert_eq!(log.kept_bytes, 0);
    }

    #[test]
    fn recorded_settles_are_bounded_oldest_dropped() {
        use crate::deadletters::Step;
        let mut log = HeldLog::default();
        for seq in 0..(SETTLES_KEPT as u64 + 10) {
            let entry = TimelineEntry {
                time: SystemTime::UNIX_EPOCH,
                consumer: Some("c".into()),
                step: Step::AckSent { delivery: 1 },
            };
            log.record("ORDERS", seq, entry);
        }
        assert_eq!(log.settles.len(), SETTLES_KEPT);
        assert_eq!(log.settles_of("ORDERS", 9).count(), 0, "the oldest went");
        assert_eq!(log.settles_of("ORDERS", 10).count(), 1);
    }
}
