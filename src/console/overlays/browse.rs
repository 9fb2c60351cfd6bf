//! Browsing a stream by sequence, without a consumer: pages of stored messages, deleted
//! sequences shown as gaps.

use super::prompt::{Prompt, PromptKind};
use super::{MessageView, Next, Overlay};
use crate::broker::StoredMessage;
use crate::console::app::Effect;
use crate::console::keys::Command;

/// Sequences read per page.
pub const PAGE: u64 = 20;

#[derive(Debug, Clone)]
pub struct BrowseRow {
    pub sequence: u64,
    /// None: the sequence was deleted (or consumed from a WorkQueue).
    pub message: Option<StoredMessage>,
}

#[derive(Debug, Clone)]
pub struct BrowseState {
    pub stream: String,
    pub first_seq: u64,
    pub last_seq: u64,
    /// First sequence of the page shown (or loading).
    pub from: u64,
    pub rows: Vec<BrowseRow>,
    pub selected: usize,
    pub loading: bool,
    pub error: Option<String>,
}

impl BrowseState {
    pub fn new(stream: &str, first_seq: u64, last_seq: u64) -> Self {
        Self {
            stream: stream.to_string(),
            first_seq: first_seq.max(1),
            last_seq,
            from: first_seq.max(1),
            rows: Vec::new(),
            selected: 0,
            loading: true,
            error: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.last_seq < self.first_seq
    }

    /// Sequences to read for the page starting at `from`.
    pub fn page_len(&self, from: u64) -> u64 {
        if from > self.last_seq {
            0
        } else {
            (self.last_seq - from + 1).min(PAGE)
        }
    }

    /// Start of the page after (or before) this one, clamped to the stream.
    pub fn turn(&self, forward: bool) -> u64 {
        if forward {
            let next = self.from + PAGE;
            if next > self.last_seq {
                self.from
            } else {
                next
            }
        } else {
            self.from.saturating_sub(PAGE).max(self.first_seq)
        }
    }

    /// The page that holds `sequence`, clamped to the stream.
    pub fn jump(&self, sequence: u64) -> u64 {
        sequence.clamp(self.first_seq, self.last_seq.max(self.first_seq))
    }

    pub fn last_page(&self) -> u64 {
        self.last_seq.saturating_sub(PAGE - 1).max(self.first_seq)
    }

    /// Shows the page starting at `from`, loading.
    pub fn load(&mut self, from: u64, effects: &mut Vec<Effect>) {
        self.from = from;
        self.loading = true;
        effects.push(Effect::Browse {
            stream: self.stream.clone(),
            from,
            count: self.page_len(from),
        });
    }

    /// Turns to the page at `from`, unless it is the one shown.
    fn turn_to(&mut self, from: u64, effects: &mut Vec<Effect>) {
        if from != self.from {
            self.selected = 0;
            self.load(from, effects);
        }
    }

    pub fn on_key(&mut self, command: Option<Command>, effects: &mut Vec<Effect>) -> Next {
        match command {
            Some(Command::Close) => return Next::Close,
            Some(Command::Down) => {
                self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1))
            }
            Some(Command::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Command::NextPage) => self.turn_to(self.turn(true), effects),
            Some(Command::PrevPage) => self.turn_to(self.turn(false), effects),
            Some(Command::First) => self.turn_to(self.first_seq, effects),
            Some(Command::Last) => self.turn_to(self.last_page(), effects),
            Some(Command::Jump) => {
                let prompt = Prompt::new(PromptKind::JumpTo, None);
                return Next::Open(Overlay::Prompt(Box::new(prompt)));
            }
            Some(Command::OpenMessage) => {
                if let Some(m) = self
                    .rows
                    .get(self.selected)
                    .and_then(|r| r.message.as_ref())
                {
                    return Next::Open(Overlay::Message {
                        view: Box::new(MessageView::stored(m)),
                        scroll: 0,
                    });
                }
            }
            _ => {}
        }
        Next::Stay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_stay_inside_the_stream() {
        let b = BrowseState::new("S", 5, 50);
        assert_eq!(b.page_len(5), 20);
        assert_eq!(b.page_len(45), 6);
        assert_eq!(b.turn(false), 5);
        let mut b2 = b.clone();
        b2.from = 45;
        assert_eq!(b2.turn(true), 45, "no page past the last sequence");
        b2.from = 25;
        assert_eq!(b2.turn(true), 45);
        assert_eq!(b2.turn(false), 5);
        assert_eq!(b.jump(1), 5);
        assert_eq!(b.jump(99), 50);
        assert_eq!(b.last_page(), 31);
        assert!(BrowseState::new("E", 0, 0).is_empty());
    }
}
