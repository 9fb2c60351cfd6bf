//! One key of a bucket (issue 16): its value, shown as the message view shows a body (JSON
//! pretty, text, or hex), and its history, every revision the bucket keeps with time and
//! operation. ↑↓ choose a revision: its value shows. The history is read again when the
//! open keys view sees the key change.

use super::Next;
use crate::broker::KeyEntry;
use crate::console::app::App;
use crate::console::keys::Command;

#[derive(Debug, Clone)]
pub struct KeyViewState {
    pub bucket: String,
    pub key: String,
    /// Every revision kept, oldest first; `None` while it is read.
    pub history: Option<Vec<KeyEntry>>,
    /// Index into `history` of the revision shown (the latest when opened).
    pub selected: usize,
    pub error: Option<String>,
}

impl KeyViewState {
    pub fn new(bucket: &str, key: &str) -> Self {
        Self {
            bucket: bucket.to_string(),
            key: key.to_string(),
            history: None,
            selected: 0,
            error: None,
        }
    }

    /// The history read from the server; the latest revision is selected, unless an
    /// earlier one was chosen and is still kept.
    pub fn read(&mut self, result: Result<Vec<KeyEntry>, String>) {
        match result {
            Ok(history) => {
                let chosen = self
                    .shown()
                    .map(|e| e.revision)
                    .filter(|_| !self.on_latest());
                self.selected = chosen
                    .and_then(|r| history.iter().position(|e| e.revision == r))
                    .unwrap_or(history.len().saturating_sub(1));
                self.history = Some(history);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn on_latest(&self) -> bool {
        self.history
            .as_ref()
            .is_none_or(|h| self.selected + 1 >= h.len())
    }

    /// The revision whose value shows.
    pub fn shown(&self) -> Option<&KeyEntry> {
        self.history.as_ref()?.get(self.selected)
    }

    /// The key's latest revision, as read.
    pub fn latest(&self) -> Option<&KeyEntry> {
        self.history.as_ref()?.last()
    }

    pub fn on_key(&mut self, _app: &mut App, command: Option<Command>) -> Next {
        let last = self
            .history
            .as_ref()
            .map_or(0, |h| h.len().saturating_sub(1));
        match command {
            Some(Command::Close) => return Next::Close,
            Some(Command::Down) => self.selected = (self.selected + 1).min(last),
            Some(Command::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Command::First) => self.selected = 0,
            Some(Command::Last) => self.selected = last,
            _ => {}
        }
        Next::Stay
    }
}
