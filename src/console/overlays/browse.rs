//! Browsing a stream by sequence, without a consumer: pages of stored messages, deleted
//! sequences shown as gaps. With a filter (a subject, a start time: `nats stream view
//! --subject --since`) the pages are the matching messages only, read in order.

use std::time::SystemTime;

use super::prompt::{Prompt, PromptKind};
use super::{MessageView, Next, Overlay};
use crate::broker::{BrowseWindow, StoredMessage};
use crate::console::app::{App, Effect};
use crate::console::keys::Command;

/// What a filtered browse reads: a subject (wildcards allowed) and a start time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrowseFilter {
    pub subject: Option<String>,
    /// The start time, and how the operator wrote it (`10m`).
    pub since: Option<(SystemTime, String)>,
}

impl BrowseFilter {
    pub fn is_empty(&self) -> bool {
        self.subject.is_none() && self.since.is_none()
    }

    pub fn subject(subject: &str) -> Self {
        Self {
            subject: Some(subject.to_string()),
            since: None,
        }
    }

    /// The filter in words, for the title: `subject orders.* · since 10m`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = &self.subject {
            parts.push(format!("subject {s}"));
        }
        if let Some((_, typed)) = &self.since {
            parts.push(format!("since {typed}"));
        }
        parts.join(" · ")
    }
}

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
    pub filter: BrowseFilter,
    /// The window the filter selects, once found (None: not yet, or nothing matches).
    pub window: Option<BrowseWindow>,
    /// Starts of the filtered pages turned past, for going back.
    pub history: Vec<u64>,
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
            filter: BrowseFilter::default(),
            window: None,
            history: Vec::new(),
        }
    }

    /// Sets the filter and looks for its window (`at_last`: show its last message).
    pub fn refilter(&mut self, filter: BrowseFilter, at_last: bool, effects: &mut Vec<Effect>) {
        self.filter = filter;
        self.window = None;
        self.history.clear();
        self.selected = 0;
        self.loading = true;
        self.error = None;
        // No rows of another filter under this one's title while it is read.
        if !(self.filter.is_empty() && at_last) {
            self.rows.clear();
        }
        if self.filter.is_empty() && !at_last {
            self.load(self.first_seq, effects);
            return;
        }
        effects.push(Effect::BrowseLocate {
            stream: self.stream.clone(),
            filter: self.filter.clone(),
            at_last,
        });
    }

    /// Reads the filtered page at `from` (inside the window).
    fn load_window(&mut self, from: u64, effects: &mut Vec<Effect>) {
        let Some(w) = &self.window else { return };
        self.from = from.clamp(w.first, w.last);
        self.loading = true;
        self.selected = 0;
        effects.push(Effect::BrowseWindow {
            stream: self.stream.clone(),
            filter: self.filter.clone(),
            from: self.from,
            last: w.last,
        });
    }

    /// Turns a filtered page: forward past the last row shown, back to the page before.
    fn turn_window(&mut self, forward: bool, effects: &mut Vec<Effect>) {
        let Some(w) = self.window.clone() else { return };
        if forward {
            let Some(next) = self.rows.last().map(|r| r.sequence + 1) else {
                return;
            };
            if next <= w.last {
                self.history.push(self.from);
                self.load_window(next, effects);
            }
        } else if let Some(back) = self.history.pop() {
            self.load_window(back, effects);
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

    /// The message selected, when the row holds one (not a gap).
    pub fn selected_message(&self) -> Option<&StoredMessage> {
        self.rows
            .get(self.selected)
            .and_then(|r| r.message.as_ref())
    }

    /// Jumps to `sequence`: the page holding it, or in a filtered browse the first match
    /// at or after it.
    pub fn jump_to(&mut self, sequence: u64, effects: &mut Vec<Effect>) {
        if self.filter.is_empty() {
            self.selected = 0;
            self.load(self.jump(sequence), effects);
        } else {
            self.history.push(self.from);
            self.load_window(sequence, effects);
        }
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        let filtered = !self.filter.is_empty();
        match command {
            // Esc clears the filter first, then closes.
            Some(Command::Close) if filtered => {
                self.refilter(BrowseFilter::default(), false, effects);
                app.say(format!("{}: filter cleared, every sequence", self.stream));
            }
            Some(Command::Close) => return Next::Close,
            Some(Command::Down) => {
                self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1))
            }
            Some(Command::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Command::NextPage) if filtered => self.turn_window(true, effects),
            Some(Command::PrevPage) if filtered => self.turn_window(false, effects),
            Some(Command::First) if filtered => {
                self.history.clear();
                let first = self.window.as_ref().map(|w| w.first);
                if let Some(first) = first {
                    self.load_window(first, effects);
                }
            }
            Some(Command::Last) if filtered => self.refilter(self.filter.clone(), true, effects),
            Some(Command::NextPage) => self.turn_to(self.turn(true), effects),
            Some(Command::PrevPage) => self.turn_to(self.turn(false), effects),
            Some(Command::First) => self.turn_to(self.first_seq, effects),
            Some(Command::Last) => self.turn_to(self.last_page(), effects),
            Some(Command::LastOfSubject) => self.refilter(self.filter.clone(), true, effects),
            Some(Command::Jump) => return prompt(PromptKind::JumpTo, None),
            Some(Command::FilterSubject) => {
                return prompt(PromptKind::BrowseSubject, self.filter.subject.as_deref());
            }
            Some(Command::Since) => {
                let typed = self.filter.since.as_ref().map(|(_, t)| t.as_str());
                return prompt(PromptKind::BrowseSince, typed);
            }
            Some(Command::OpenMessage) => {
                if let Some(m) = self.selected_message() {
                    return Next::Open(Overlay::Message {
                        view: Box::new(MessageView::stored(m)),
                        scroll: 0,
                    });
                }
            }
            Some(Command::CopyBody) => match self.selected_message().map(MessageView::stored) {
                Some(view) => app.copy_body(&view, effects),
                None => app.complain("select a message to copy (a deleted sequence has none)"),
            },
            Some(Command::DeleteMessage) => match self.selected_message() {
                Some(m) => return app.confirm_message_delete(&m.stream, m.sequence, &m.subject),
                None => app.complain("select a message to delete (this sequence is gone)"),
            },
            _ => {}
        }
        Next::Stay
    }
}

/// A prompt over the browser, filled with what is set now.
fn prompt(kind: PromptKind, value: Option<&str>) -> Next {
    let prompt = Prompt::new(kind, None).with_value(value.unwrap_or_default());
    Next::Open(Overlay::Prompt(Box::new(prompt)))
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
