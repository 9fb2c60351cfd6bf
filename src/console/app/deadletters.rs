//! The dead-letters side of the console's state: what jetdeck itself saw of a message
//! (for its timeline), and the dead letters the events pane's advisories name.

use super::App;
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
        seen
    }
}
