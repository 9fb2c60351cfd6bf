//! The dead-letters side of the console's state: what jetdeck itself saw of a message
//! (for its timeline), the settles it sent and the bodies it kept, and the dead letters
//! the events pane's advisories name.

use super::{App, Settle};
use crate::console::attached::MessageKey;
use crate::deadletters::{AdvisoryEvent, Step, TimelineEntry};

impl App {
    /// The message advisories jetdeck saw while running, oldest first, as the engine
    /// takes them.
    pub fn seen_advisories(&self) -> Vec<AdvisoryEvent> {
        self.events
            .iter()
            .rev()
            .filter_map(|a| a.as_event())
            .collect()
    }

    /// What jetdeck saw of `stream` seq `sequence` itself: the advisories in the events
    /// pane and the deliveries its attached subscriptions hold.
    pub fn seen_of(&self, stream: &str, sequence: u64) -> Vec<TimelineEntry> {
        let mut seen: Vec<TimelineEntry> = self
            .seen_advisories()
            .iter()
            .filter(|e| e.stream == stream && e.stream_seq == sequence)
            .map(TimelineEntry::from_advisory)
            .collect();
        for a in &self.attached {
            let rows = a
                .rows
                .iter()
                .filter(|r| r.delivery.stream == stream && r.delivery.stream_sequence == sequence);
            seen.extend(rows.map(|r| TimelineEntry {
                time: r.clock_start,
                consumer: Some(r.delivery.consumer.clone()),
                step: Step::Delivered {
                    delivered: r.delivery.delivered,
                },
            }));
        }
        seen.extend(self.held_log.settles_of(stream, sequence).cloned());
        seen
    }

    /// A settle of subscription `id` reached the server: it goes into the message's
    /// timeline, and a term keeps the body (the stream may remove the message).
    pub(super) fn record_settle(&mut self, id: u64, key: MessageKey, how: &Settle) {
        let now = self.now;
        let Some(row) = self
            .attached
            .iter()
            .find(|a| a.id == id)
            .and_then(|a| a.rows.iter().find(|r| r.key() == key))
        else {
            return;
        };
        let (stream, sequence) = (row.delivery.stream.clone(), key.stream_sequence);
        let entry = TimelineEntry {
            time: now,
            consumer: Some(row.delivery.consumer.clone()),
            step: Step::sent(how, key.delivered),
        };
        let kept = matches!(how, Settle::Term(_)).then(|| row.stored());
        self.held_log.record(&stream, sequence, entry);
        if let Some(message) = kept {
            self.held_log.keep(message);
        }
    }
}
