//! One key of a bucket (issue 16): its value, shown as the message view shows a body (JSON
//! pretty, text, or hex), and its history, every revision the bucket keeps with time and
//! operation. ↑↓ choose a revision: its value shows. The history is read again when the
//! open keys view sees the key change.

use super::kv_form::KeyForm;
use super::{Next, Overlay};
use crate::broker::{KeyEntry, KeyOperation};
use crate::console::app::{App, Effect, KeyChange, KeyChangeOp, KvEffect};
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
    /// A delete, purge or revert waiting for y / n (the view is then a confirmation).
    pub asking: Option<KeyChange>,
}

impl KeyViewState {
    pub fn new(bucket: &str, key: &str) -> Self {
        Self {
            bucket: bucket.to_string(),
            key: key.to_string(),
            history: None,
            selected: 0,
            error: None,
            asking: None,
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

    /// The change `op` would make, expecting the latest revision read.
    pub fn change(&self, op: KeyChangeOp) -> Option<KeyChange> {
        let expected = self.latest()?.revision;
        Some(KeyChange {
            bucket: self.bucket.clone(),
            key: self.key.clone(),
            op,
            expected,
        })
    }

    /// d, P, r: the change to confirm; p: the form a new value is typed in, over the
    /// latest revision read (which the put expects).
    fn ask(&mut self, app: &mut App, command: Command) -> Next {
        let op = match command {
            Command::DeleteKey => KeyChangeOp::Delete,
            Command::PurgeKey => KeyChangeOp::Purge,
            Command::RevertKey => match self.shown() {
                Some(e) if e.operation == KeyOperation::Put => KeyChangeOp::Revert {
                    to: e.revision,
                    value: e.value.clone(),
                },
                _ => {
                    app.complain("revert: choose (↑↓) a revision that holds a value");
                    return Next::Stay;
                }
            },
            _ => {
                let Some(latest) = self.latest() else {
                    app.complain("the key's revisions are not read yet");
                    return Next::Stay;
                };
                let form = KeyForm::edit(&self.bucket, latest);
                return Next::Open(Overlay::KeyForm(Box::new(form)));
            }
        };
        match self.change(op) {
            Some(change) => self.asking = Some(change),
            None => app.complain("the key's revisions are not read yet"),
        }
        Next::Stay
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        if let Some(change) = self.asking.take() {
            if command == Some(Command::Yes) {
                effects.push(Effect::Kv(KvEffect::Change(change)));
            } else if command != Some(Command::No) {
                self.asking = Some(change);
            }
            return Next::Stay;
        }
        if let Some(
            c @ (Command::PutKey | Command::DeleteKey | Command::PurgeKey | Command::RevertKey),
        ) = command
        {
            return self.ask(app, c);
        }
        let last = self
            .history
            .as_ref()
            .map_or(0, |h| h.len().saturating_sub(1));
        match command {
            Some(Command::Close) => return Next::Close,
            _ if super::move_cursor(&mut self.selected, last, command) => {}
            _ => {}
        }
        Next::Stay
    }
}
