//! Browsing a stream by sequence, without a consumer: pages of stored messages, each run
//! of deleted sequences between them one row (`… 14 deleted`). With a filter (a subject, a start time: `nats stream view
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

/// Stored messages read per page.
pub const PAGE: u64 = 20;

#[derive(Debug, Clone)]
pub enum BrowseRow {
    Stored(StoredMessage),
    /// Sequences `first..=last` are gone: deleted, or consumed from a WorkQueue.
    Deleted {
        first: u64,
        last: u64,
    },
}

impl BrowseRow {
    /// The row's (first) sequence.
    pub fn sequence(&self) -> u64 {
        match self {
            BrowseRow::Stored(m) => m.sequence,
            BrowseRow::Deleted { first, .. } => *first,
        }
    }

    /// The last sequence the row stands for.
    pub fn last(&self) -> u64 {
        match self {
            BrowseRow::Stored(m) => m.sequence,
            BrowseRow::Deleted { last, .. } => *last,
        }
    }

    pub fn message(&self) -> Option<&StoredMessage> {
        match self {
            BrowseRow::Stored(m) => Some(m),
            BrowseRow::Deleted { .. } => None,
        }
    }
}

/// Where reading one message at a time stops: a read past the last stored message is an
/// API error the server counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// The last stored sequence, known.
    Stored(u64),
    /// Not known yet: the last message on this subject (the stream's only one) says.
    AskLastOn(String),
    /// Nothing to ask without risk (several subjects): the stream's last sequence, which
    /// may be a deleted one (one API error at the very end of the stream, then).
    Last,
}

/// A page the unfiltered browser read, and the last stored sequence when it was asked.
#[derive(Debug, Clone)]
pub struct BrowsePage {
    pub rows: Vec<BrowseRow>,
    pub bound: Option<u64>,
}

/// The rows of a page read from `from`: the messages, and a row for each run of
/// sequences between them that is gone; with `end` (the page reached the end of the
/// stream), also the run after the last message up to `end`.
pub fn page_rows(from: u64, messages: Vec<StoredMessage>, end: Option<u64>) -> Vec<BrowseRow> {
    let mut rows = Vec::with_capacity(messages.len() * 2 + 1);
    let mut next = from;
    for m in messages {
        if m.sequence > next {
            rows.push(BrowseRow::Deleted {
                first: next,
                last: m.sequence - 1,
            });
        }
        next = m.sequence + 1;
        rows.push(BrowseRow::Stored(m));
    }
    if let Some(end) = end.filter(|end| *end >= next) {
        rows.push(BrowseRow::Deleted {
            first: next,
            last: end,
        });
    }
    rows
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
    /// Starts of the pages turned past, for going back.
    pub history: Vec<u64>,
    /// The stream allows direct get (a page is one batched request on 2.11+).
    pub direct: bool,
    /// Where reading one message at a time stops (the last sequence may be deleted).
    pub bound: Bound,
    /// Messages stored from the first sequence on, when known (the stream's count).
    pub stored: Option<u64>,
    /// Messages stored from a page's start on, when known (`stored` less the pages
    /// turned past): reading that many one at a time cannot go past the end, so no
    /// request for the bound is needed.
    pub ahead: Option<(u64, u64)>,
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
            direct: false,
            bound: Bound::Last,
            stored: None,
            ahead: None,
        }
    }

    /// The browser on a stream as its info describes it: with no deleted sequence, the
    /// last one is stored, so no request is needed to find where reading stops.
    pub fn of(info: &async_nats::jetstream::stream::Info) -> Self {
        let state = &info.state;
        let mut browse = Self::new(&info.config.name, state.first_sequence, state.last_sequence);
        browse.direct = info.config.allow_direct;
        browse.stored = Some(state.messages);
        browse.bound = if state.deleted_count.unwrap_or(0) == 0 {
            Bound::Stored(state.last_sequence)
        } else {
            match crate::broker::last_stored_subject(info) {
                ">" => Bound::Last,
                one => Bound::AskLastOn(one.to_string()),
            }
        };
        browse
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
            direct: w.direct,
        });
    }

    /// Turns a filtered page: forward past the last row shown, back to the page before.
    fn turn_window(&mut self, forward: bool, effects: &mut Vec<Effect>) {
        let Some(w) = self.window.clone() else { return };
        if forward {
            let Some(next) = self.rows.last().map(|r| r.last() + 1) else {
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

    /// Turns a page: forward past the last row shown (gaps included), back to the page
    /// turned from, or without one to the sequences just before.
    fn turn(&mut self, forward: bool, effects: &mut Vec<Effect>) {
        let from = if forward {
            match self.rows.last().map(|r| r.last() + 1) {
                Some(next) if next <= self.last_seq && !self.loading => {
                    self.history.push(self.from);
                    let shown = self.rows.iter().filter(|r| r.message().is_some()).count();
                    self.ahead = self
                        .ahead_of(self.from)
                        .map(|n| (next, n.saturating_sub(shown as u64)));
                    next
                }
                _ => return,
            }
        } else {
            match self.history.pop() {
                Some(back) => back,
                None => self.from.saturating_sub(PAGE).max(self.first_seq),
            }
        };
        self.turn_to(from, effects);
    }

    /// The page that holds `sequence`, clamped to the stream.
    pub fn jump(&self, sequence: u64) -> u64 {
        sequence.clamp(self.first_seq, self.last_seq.max(self.first_seq))
    }

    pub fn last_page(&self) -> u64 {
        self.last_seq.saturating_sub(PAGE - 1).max(self.first_seq)
    }

    /// Messages known to be stored from `from` on.
    fn ahead_of(&self, from: u64) -> Option<u64> {
        if from == self.first_seq {
            return self.stored;
        }
        self.ahead.filter(|(at, _)| *at == from).map(|(_, n)| n)
    }

    /// Shows the page starting at `from`, loading.
    pub fn load(&mut self, from: u64, effects: &mut Vec<Effect>) {
        self.from = from;
        self.loading = true;
        effects.push(Effect::Browse {
            stream: self.stream.clone(),
            from,
            last: self.last_seq,
            bound: self.bound.clone(),
            direct: self.direct,
            ahead: self.ahead_of(from),
        });
    }

    /// Turns to the page at `from`, unless it is the one shown.
    fn turn_to(&mut self, from: u64, effects: &mut Vec<Effect>) {
        if from != self.from {
            self.selected = 0;
            self.load(from, effects);
        }
    }

    /// Shows `sequence` as deleted: in a filtered browse its row goes; otherwise it joins
    /// the runs of deleted sequences next to it.
    pub fn forget(&mut self, sequence: u64) {
        if !self.filter.is_empty() {
            self.rows.retain(|r| r.sequence() != sequence);
        } else if let Some(i) = self.rows.iter().position(|r| r.sequence() == sequence) {
            let mut run = (sequence, sequence);
            let mut at = i;
            if let Some(BrowseRow::Deleted { first, .. }) = i.checked_sub(1).map(|p| &self.rows[p])
            {
                run.0 = *first;
                at = i - 1;
            }
            if let Some(BrowseRow::Deleted { last, .. }) = self.rows.get(i + 1) {
                run.1 = *last;
            }
            let end = if run.1 > sequence { i + 2 } else { i + 1 };
            let row = BrowseRow::Deleted {
                first: run.0,
                last: run.1,
            };
            self.rows.splice(at..end, [row]);
            if self.selected >= end {
                self.selected -= end - at - 1;
            } else if self.selected > at {
                self.selected = at;
            }
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }

    /// The message selected, when the row holds one (not a gap).
    pub fn selected_message(&self) -> Option<&StoredMessage> {
        self.rows.get(self.selected).and_then(BrowseRow::message)
    }

    /// Jumps to `sequence`: the page holding it, or in a filtered browse the first match
    /// at or after it.
    pub fn jump_to(&mut self, sequence: u64, effects: &mut Vec<Effect>) {
        if self.filter.is_empty() {
            self.selected = 0;
            self.history.push(self.from);
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
            Some(Command::NextPage) => self.turn(true, effects),
            Some(Command::PrevPage) => self.turn(false, effects),
            Some(Command::First) => {
                self.history.clear();
                self.turn_to(self.first_seq, effects);
            }
            Some(Command::Last) => {
                self.history.clear();
                self.turn_to(self.last_page(), effects);
            }
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

    fn stored(sequence: u64) -> StoredMessage {
        StoredMessage {
            stream: "S".into(),
            subject: "s".into(),
            sequence,
            headers: Default::default(),
            body: Default::default(),
            time: SystemTime::UNIX_EPOCH,
        }
    }

    fn shape(rows: &[BrowseRow]) -> Vec<String> {
        rows.iter()
            .map(|r| match r {
                BrowseRow::Stored(m) => m.sequence.to_string(),
                BrowseRow::Deleted { first, last } => format!("{first}-{last} gone"),
            })
            .collect()
    }

    #[test]
    fn runs_of_deleted_sequences_are_one_row_each() {
        let rows = page_rows(3, [5, 6, 20].map(stored).to_vec(), Some(30));
        assert_eq!(
            shape(&rows),
            ["3-4 gone", "5", "6", "7-19 gone", "20", "21-30 gone"]
        );
        // A full page stops at its last message; the end is no gap.
        let rows = page_rows(5, [5, 6].map(stored).to_vec(), None);
        assert_eq!(shape(&rows), ["5", "6"]);
        // Nothing stored from `from` to the end: one row.
        assert_eq!(shape(&page_rows(8, Vec::new(), Some(9))), ["8-9 gone"]);
    }

    #[test]
    fn a_deleted_message_joins_the_runs_beside_it() {
        let mut b = BrowseState::new("S", 1, 9);
        b.rows = page_rows(1, [1, 3, 5, 6].map(stored).to_vec(), Some(9));
        b.selected = 5;
        b.forget(3);
        assert_eq!(shape(&b.rows), ["1", "2-4 gone", "5", "6", "7-9 gone"]);
        assert_eq!(b.selected, 3, "still on message 6");
        b.forget(6);
        assert_eq!(shape(&b.rows), ["1", "2-4 gone", "5", "6-9 gone"]);
        b.forget(1);
        assert_eq!(shape(&b.rows), ["1-4 gone", "5", "6-9 gone"]);
    }

    #[test]
    fn pages_turn_past_the_gaps_and_back_the_way_they_came() {
        let mut b = BrowseState::new("S", 5, 50);
        b.stored = Some(3);
        b.loading = false;
        b.rows = page_rows(5, [5, 30].map(stored).to_vec(), None);
        let mut effects = Vec::new();
        b.turn(true, &mut effects);
        assert_eq!(b.from, 31, "past the last message shown");
        // 3 stored, 2 shown: 1 ahead, read without asking where the end is.
        assert!(
            matches!(
                effects.as_slice(),
                [Effect::Browse {
                    from: 31,
                    ahead: Some(1),
                    ..
                }]
            ),
            "{effects:?}"
        );
        b.loading = false;
        b.rows = page_rows(31, Vec::new(), Some(50));
        effects.clear();
        b.turn(true, &mut effects);
        assert!(effects.is_empty(), "nothing after the last sequence");
        b.turn(false, &mut effects);
        assert_eq!(b.from, 5, "back to the page turned from");
        assert!(matches!(
            effects.last(),
            Some(Effect::Browse { ahead: Some(3), .. })
        ));
        b.from = 40;
        b.turn(false, &mut effects);
        assert_eq!(b.from, 20, "no page to go back to: the sequences before");
        assert_eq!(b.jump(1), 5);
        assert_eq!(b.jump(99), 50);
        assert_eq!(b.last_page(), 31);
        assert!(BrowseState::new("E", 0, 0).is_empty());
    }
}
