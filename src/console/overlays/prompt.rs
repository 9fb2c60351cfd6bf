//! One-line prompts: a nak's delay, a term's reason, the batch size, the failure ratio,
//! a sequence to jump to in the browser.

use ratatui::crossterm::event::{Event as TermEvent, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{Next, Overlay};
use crate::console::app::{App, DeadLetterOp, Effect, Settle};
use crate::console::attached::MessageKey;
use crate::console::keys::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    NakDelay,
    TermReason,
    BatchSize,
    FailEvery,
    JumpTo,
    /// Dead letters: the subject to move them to.
    MoveTo,
    /// Dead letters: the file to export them to.
    ExportPath,
    /// The browser's subject filter (wildcards allowed; empty clears it).
    BrowseSubject,
    /// The browser's start time (`10m` ago, or RFC 3339; empty clears it).
    BrowseSince,
    /// The subjects view's filter.
    SubjectsFilter,
    /// The file to save the open message's body to.
    SavePath,
    /// The keys view's filter (issue 16).
    KeysFilter,
    /// The name of a bucket to create.
    NewBucket,
    /// The bucket's name, typed to confirm its deletion.
    DeleteBucket,
    /// `T`: the subject or wildcard to tail.
    TailSubject,
    /// `r` in the tail: the body answered to the message's reply subject.
    TailAnswer,
    /// `R` in the tail: a request's subject and body.
    TailRequest,
    /// The objects view's filter.
    ObjectsFilter,
    /// The file to save the selected object to.
    SaveObjectPath,
    /// The file to put as an object.
    PutObjectPath,
    /// The name the file is put as.
    PutObjectName,
}

impl PromptKind {
    pub fn question(self) -> &'static str {
        match self {
            PromptKind::NakDelay => "Nak, redeliver after (e.g. 10s, 1m)",
            PromptKind::TermReason => "Term, reason (optional)",
            PromptKind::BatchSize => "Messages per pull (1-1000)",
            PromptKind::FailEvery => "Fail every Nth message (0 = never)",
            PromptKind::JumpTo => "Jump to sequence",
            PromptKind::MoveTo => "Move to the dead-letter subject",
            PromptKind::ExportPath => "Export to the file (JSON Lines)",
            PromptKind::BrowseSubject => "Only the subject (wildcards * >; empty: every subject)",
            PromptKind::BrowseSince => "From a time: 10m (ago) or RFC 3339 (empty: the start)",
            PromptKind::SubjectsFilter => "Subjects containing (or matching * >)",
            PromptKind::SavePath => "Save the body to the file",
            PromptKind::KeysFilter => "Keys containing (or matching * >)",
            PromptKind::NewBucket => "New bucket's name (letters, digits, - and _)",
            PromptKind::DeleteBucket => "Delete the bucket and every key: type its name",
            PromptKind::TailSubject => "Tail the subject (wildcards * >; plain NATS)",
            PromptKind::TailAnswer => "Answer with the body",
            PromptKind::TailRequest => "Request: subject, a space, then the body",
            PromptKind::ObjectsFilter => "Objects containing (or matching * >)",
            PromptKind::SaveObjectPath => "Save the object to the file",
            PromptKind::PutObjectPath => "Put the file (its path)",
            PromptKind::PutObjectName => "As the object named",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Prompt {
    pub kind: PromptKind,
    /// The message a nak-with-delay or term is for, fixed when the prompt opened.
    pub target: Option<MessageKey>,
    pub input: Input,
    pub error: Option<String>,
}

impl Prompt {
    pub fn new(kind: PromptKind, target: Option<MessageKey>) -> Self {
        Self {
            kind,
            target,
            input: Input::default(),
            error: None,
        }
    }

    /// The same, its answer filled in (to edit what is set now).
    pub fn with_value(mut self, value: &str) -> Self {
        self.input = Input::new(value.to_string());
        self
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        key: KeyEvent,
        effects: &mut Vec<Effect>,
    ) -> Next {
        match command {
            Some(Command::Close) => return Next::Close,
            Some(Command::Submit) => {
                let text = self.input.value().trim().to_string();
                match self.answer(app, &text, effects) {
                    Ok(()) => return Next::Close,
                    Err(e) => self.error = Some(e),
                }
            }
            _ => {
                self.input.handle_event(&TermEvent::Key(key));
                self.error = None;
            }
        }
        Next::Stay
    }

    /// Acts on the answer; Err keeps the prompt open with the message.
    fn answer(&self, app: &mut App, text: &str, effects: &mut Vec<Effect>) -> Result<(), String> {
        let current = app.current().map(|a| (a.id, self.target));
        match self.kind {
            PromptKind::NakDelay => {
                let delay = humantime::parse_duration(text)
                    .map_err(|e| format!("{text:?} is not a duration ({e}); try 10s or 1m"))?;
                let (id, key) = current.ok_or("no subscription")?;
                app.settle(id, key, Settle::Nak(Some(delay)), effects);
            }
            PromptKind::TermReason => {
                let (id, key) = current.ok_or("no subscription")?;
                let reason = (!text.is_empty()).then(|| text.to_string());
                app.settle(id, key, Settle::Term(reason), effects);
            }
            PromptKind::BatchSize => {
                let n: usize = text
                    .parse()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or("a batch is 1 to 1000 messages")?;
                if let Some(a) = app.current_mut() {
                    a.batch_size = n;
                }
                app.say(format!("f now pulls up to {n}"));
            }
            PromptKind::FailEvery => {
                let n: u64 = text
                    .parse()
                    .map_err(|_| "a whole number: 0 never fails, 3 fails every third")?;
                if let Some(a) = app.current_mut() {
                    a.fail_every = n;
                    effects.push(Effect::SetFailEvery {
                        id: a.id,
                        fail_every: n,
                    });
                }
                app.say(if n == 0 {
                    "auto: every message acked".to_string()
                } else {
                    format!("auto: every {n}th message fails (nak) and is redelivered")
                });
            }
            PromptKind::JumpTo => {
                let seq: u64 = text.parse().map_err(|_| "a stream sequence number")?;
                // The browser that opened this prompt is right under it.
                if let Some(Overlay::Browse(state)) = app.overlays.last_mut() {
                    state.jump_to(seq, effects);
                }
            }
            PromptKind::BrowseSubject
            | PromptKind::BrowseSince
            | PromptKind::SubjectsFilter
            | PromptKind::SavePath => app.answer_message_prompt(self.kind, text, effects)?,
            PromptKind::KeysFilter
            | PromptKind::NewBucket
            | PromptKind::DeleteBucket
            | PromptKind::TailSubject
            | PromptKind::TailAnswer
            | PromptKind::TailRequest
            | PromptKind::ObjectsFilter
            | PromptKind::SaveObjectPath
            | PromptKind::PutObjectPath
            | PromptKind::PutObjectName => answer_stores(self.kind, app, text, effects)?,
            PromptKind::MoveTo => {
                crate::broker::validate_topic(text).map_err(|e| e.to_string())?;
                let to = text.to_string();
                preview(app, DeadLetterOp::Move { to });
            }
            PromptKind::ExportPath => {
                if text.is_empty() {
                    return Err("a file path".into());
                }
                let path = text.to_string();
                preview(app, DeadLetterOp::Export { path });
            }
        }
        Ok(())
    }
}

/// The answers of the key-value and tail prompts.
fn answer_stores(
    kind: PromptKind,
    app: &mut App,
    text: &str,
    effects: &mut Vec<Effect>,
) -> Result<(), String> {
    match kind {
        PromptKind::KeysFilter => {
            if let Some(Overlay::Keys(keys)) = app.overlays.last_mut() {
                keys.set_filter(text);
            }
        }
        PromptKind::NewBucket | PromptKind::DeleteBucket => {
            let Some(Overlay::Buckets(view)) = app.overlays.last_mut() else {
                return Err("the buckets view is closed".into());
            };
            view.answer(kind, text, effects)?;
        }
        PromptKind::TailSubject => {
            crate::broker::validate_tail_subject(text).map_err(|e| e.to_string())?;
            app.open_tail(text, effects);
        }
        PromptKind::TailAnswer | PromptKind::TailRequest => {
            super::tail::answer_prompt(app, kind, text, effects)?
        }
        PromptKind::ObjectsFilter
        | PromptKind::SaveObjectPath
        | PromptKind::PutObjectPath
        | PromptKind::PutObjectName => {
            let Some(Overlay::Objects(view)) = app.overlays.last_mut() else {
                return Err("the objects view is closed".into());
            };
            if let Some(next) = view.answer(kind, text, effects)? {
                app.open(next);
            }
        }
        other => unreachable!("{other:?} is answered in answer"),
    }
    Ok(())
}

/// Opens the preview of a dead-letter operation over the view under the prompt.
fn preview(app: &mut App, op: DeadLetterOp) {
    let Some(state) = app.dead_letters_mut().map(|d| d.clone()) else {
        return;
    };
    if let Next::Open(confirm) = state.plan(app, op) {
        app.open(confirm);
    }
}
