//! The subject tail on the app's side: opening it, and what its subscription reports.

use std::time::Instant;

use super::actions::Effect;
use super::{App, Overlay};
use crate::console::effects::TailFeed;
use crate::console::overlays::tail::TailState;

impl App {
    /// Opens the tail on `subject` (one at a time: a tail open already is replaced).
    pub(crate) fn open_tail(&mut self, subject: &str, effects: &mut Vec<Effect>) {
        self.overlays.retain(|o| !matches!(o, Overlay::Tail(_)));
        effects.push(Effect::StartTail {
            subject: subject.to_string(),
        });
        self.open(Overlay::Tail(Box::new(TailState::new(subject))));
    }

    /// The tail, wherever it is in the stack (under a message or a prompt).
    pub(crate) fn tail_mut(&mut self) -> Option<&mut TailState> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Tail(t) => Some(t.as_mut()),
            _ => None,
        })
    }

    pub(crate) fn on_tail_started(&mut self, result: Result<String, String>) {
        match result {
            Ok(subject) => self.say(format!("tailing {subject} (plain NATS)")),
            Err(e) => {
                self.overlays.retain(|o| !matches!(o, Overlay::Tail(_)));
                self.complain(e);
            }
        }
    }

    /// A batch from the tail's subscription; its permit is released when `feed` drops.
    pub(crate) fn on_tail_batch(&mut self, feed: TailFeed) {
        let TailFeed { subject, batch, .. } = feed;
        if let Some(tail) = self.tail_mut().filter(|t| t.subject == subject) {
            tail.on_batch(batch, Instant::now());
        }
    }
}
