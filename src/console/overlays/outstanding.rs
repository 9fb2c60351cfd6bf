//! The outstanding messages of a consumer (`o` in its details): the messages between its
//! ack floor and its last delivered sequence still in the stream, read by sequence
//! (nothing consumed), a page at a time, each with what jetdeck knows of it.

use std::collections::BTreeMap;

use super::Next;
use crate::console::app::{App, Effect};
use crate::console::keys::Command;
use crate::diagnosis::{Known, OutstandingPage};

/// Messages read per page.
pub const PAGE: usize = 20;

#[derive(Debug, Clone)]
pub struct OutstandingState {
    pub stream: String,
    pub consumer: String,
    /// Where the page shown starts (None: just after the ack floor).
    pub from: Option<u64>,
    /// Where the earlier pages started, for `p`.
    pub earlier: Vec<Option<u64>>,
    pub page: Option<OutstandingPage>,
    pub selected: usize,
    pub loading: bool,
    pub error: Option<String>,
}

impl OutstandingState {
    /// The view, with its first page asked for.
    pub fn open(app: &App, stream: &str, consumer: &str, effects: &mut Vec<Effect>) -> Self {
        let state = Self {
            stream: stream.to_string(),
            consumer: consumer.to_string(),
            from: None,
            earlier: Vec::new(),
            page: None,
            selected: 0,
            loading: true,
            error: None,
        };
        state.read(app, effects);
        state
    }

    fn read(&self, app: &App, effects: &mut Vec<Effect>) {
        effects.push(Effect::Outstanding {
            stream: self.stream.clone(),
            consumer: self.consumer.clone(),
            from: self.from,
            known: app.known_of(&self.stream, &self.consumer),
        });
    }

    /// A page came back (only the one last asked for is taken).
    pub fn read_done(&mut self, from: Option<u64>, result: Result<OutstandingPage, String>) {
        if from != self.from {
            return;
        }
        self.loading = false;
        match result {
            Ok(page) => {
                self.selected = self.selected.min(page.messages.len().saturating_sub(1));
                self.page = Some(page);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        let shown = self.page.as_ref().map_or(0, |p| p.messages.len());
        let last = shown.saturating_sub(1);
        match command {
            Some(Command::Close) => return Next::Close,
            _ if super::move_cursor(&mut self.selected, last, command) => {}
            Some(Command::NextPage) => match self.page.as_ref().and_then(|p| p.next) {
                Some(next) if !self.loading => {
                    self.earlier.push(self.from);
                    self.go(app, Some(next), effects);
                }
                _ => app.say("no more outstanding messages after this page"),
            },
            Some(Command::PrevPage) => match self.earlier.pop() {
                Some(from) if !self.loading => self.go(app, from, effects),
                _ => app.say("this is the first page"),
            },
            Some(Command::OpenMessage) => self.open_message(app, effects),
            _ => {}
        }
        Next::Stay
    }

    fn go(&mut self, app: &App, from: Option<u64>, effects: &mut Vec<Effect>) {
        self.from = from;
        self.selected = 0;
        self.loading = true;
        self.read(app, effects);
    }

    /// Enter: the message with its timeline, read again by sequence.
    fn open_message(&self, app: &mut App, effects: &mut Vec<Effect>) {
        let Some(m) = self
            .page
            .as_ref()
            .and_then(|p| p.messages.get(self.selected))
        else {
            return;
        };
        let (stream, sequence) = (m.message.stream.clone(), m.message.sequence);
        let seen = app.seen_of(&stream, sequence);
        effects.push(Effect::ReadMessage {
            stream,
            sequence,
            seen,
        });
    }
}

/// What jetdeck knows per stream sequence of `consumer`'s messages, from what it holds
/// (`held`), the nak, term and max-deliveries advisories it saw and the naks it sent
/// (`naked`, `out_of_deliveries`). A message naked, not held here and not out of
/// deliveries is awaiting redelivery.
pub fn known_from(
    held: &[u64],
    naked: &[u64],
    out_of_deliveries: &[u64],
) -> BTreeMap<u64, Vec<Known>> {
    let mut known: BTreeMap<u64, Vec<Known>> = BTreeMap::new();
    for seq in held {
        known.entry(*seq).or_default().push(Known::HeldHere);
    }
    for seq in naked {
        let what = known.entry(*seq).or_default();
        if !what.contains(&Known::Naked) {
            what.push(Known::Naked);
        }
    }
    for seq in out_of_deliveries {
        let what = known.entry(*seq).or_default();
        if !what.contains(&Known::OutOfDeliveries) {
            what.push(Known::OutOfDeliveries);
        }
    }
    for what in known.values_mut() {
        if what.contains(&Known::Naked)
            && !what.contains(&Known::HeldHere)
            && !what.contains(&Known::OutOfDeliveries)
        {
            what.push(Known::AwaitingRedelivery);
        }
    }
    known
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naked_and_not_held_is_awaiting_redelivery_unless_out_of_deliveries() {
        let known = known_from(&[3], &[3, 4, 5, 5], &[5]);
        assert_eq!(known[&3], [Known::HeldHere, Known::Naked]);
        assert_eq!(known[&4], [Known::Naked, Known::AwaitingRedelivery]);
        assert_eq!(known[&5], [Known::Naked, Known::OutOfDeliveries]);
        assert!(!known.contains_key(&6));
    }
}
