//! The dead-letters view: every message that hit its consumer's max deliveries or was
//! terminated (from the capture stream when present, plus the advisories jetdeck saw),
//! marks, and the operations on the selected or marked ones, each previewed and asked.

use std::collections::BTreeSet;

use super::prompt::{Prompt, PromptKind};
use super::{Confirm, MessageView, Next, Overlay};
use crate::console::app::{App, DeadLetterOp, DeadLetterPlan, Effect};
use crate::console::keys::Command;
use crate::deadletters::{AdvisoryEvent, DeadLetter, Filter, Target};

#[derive(Debug, Clone, Default)]
pub struct DeadLettersState {
    /// Whose dead letters: all, or one consumer's.
    pub filter: Filter,
    pub letters: Vec<DeadLetter>,
    pub selected: usize,
    pub marked: BTreeSet<Target>,
    /// A listing is on its way.
    pub loading: bool,
    pub error: Option<String>,
    /// Whether the capture stream exists (None: not known yet).
    pub capture: Option<bool>,
    /// A bulk operation's progress: (finished, total).
    pub progress: Option<(usize, usize)>,
}

impl DeadLettersState {
    pub fn new(filter: Filter) -> Self {
        Self {
            filter,
            loading: true,
            ..Self::default()
        }
    }

    /// Asks for the list again (the capture stream plus what jetdeck saw).
    pub fn load(&mut self, seen: Vec<AdvisoryEvent>, effects: &mut Vec<Effect>) {
        self.loading = true;
        effects.push(Effect::ListDeadLetters {
            filter: self.filter.clone(),
            seen,
        });
    }

    /// A new listing: marks and the selection stay on letters still listed.
    pub fn listed(&mut self, letters: Vec<DeadLetter>, capture: bool) {
        let selected = self.letters.get(self.selected).map(DeadLetter::target);
        self.marked
            .retain(|t| letters.iter().any(|l| &l.target() == t));
        self.selected = selected
            .and_then(|t| letters.iter().position(|l| l.target() == t))
            .unwrap_or(self.selected)
            .min(letters.len().saturating_sub(1));
        self.letters = letters;
        self.capture = Some(capture);
        self.loading = false;
        self.error = None;
    }

    /// The marked letters, or else the selected one.
    pub fn targets(&self) -> Vec<DeadLetter> {
        if self.marked.is_empty() {
            return self
                .letters
                .get(self.selected)
                .cloned()
                .into_iter()
                .collect();
        }
        self.letters
            .iter()
            .filter(|l| self.marked.contains(&l.target()))
            .cloned()
            .collect()
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        let last = self.letters.len().saturating_sub(1);
        match command {
            Some(Command::Close) => return Next::Close,
            _ if super::move_cursor(&mut self.selected, last, command) => {}
            Some(Command::Mark) => self.toggle_mark(),
            Some(Command::OpenMessage) => return self.open(app, effects),
            Some(Command::Retry) => return self.plan(app, DeadLetterOp::Retry),
            Some(Command::Discard) => return self.plan(app, DeadLetterOp::Discard),
            Some(Command::MoveTo) => return self.ask(app, PromptKind::MoveTo, ""),
            Some(Command::Export) => {
                let path = default_export_path(app.now);
                return self.ask(app, PromptKind::ExportPath, &path);
            }
            Some(Command::CreateCapture) => return self.offer_capture(app),
            _ => {}
        }
        Next::Stay
    }

    fn toggle_mark(&mut self) {
        let Some(letter) = self.letters.get(self.selected) else {
            return;
        };
        let target = letter.target();
        if !self.marked.remove(&target) {
            self.marked.insert(target);
        }
        self.selected = (self.selected + 1).min(self.letters.len().saturating_sub(1));
    }

    /// Enter: the message with its timeline, read again by sequence; a message the
    /// stream removed but jetdeck kept opens from the kept copy.
    fn open(&self, app: &mut App, effects: &mut Vec<Effect>) -> Next {
        let Some(letter) = self.letters.get(self.selected) else {
            return Next::Stay;
        };
        if !letter.in_stream()
            && let Some(kept) = app.held_log.kept(&letter.stream, letter.sequence).cloned()
        {
            let seen = app.seen_of(&letter.stream, letter.sequence);
            app.say(format!(
                "{}: gone from the stream; the body jetdeck kept when it termed it",
                letter.target()
            ));
            let view = MessageView::stored(&kept).with_timeline(&seen);
            return Next::Open(Overlay::Message {
                view: Box::new(view),
                scroll: 0,
            });
        }
        if !letter.in_stream() {
            app.complain(format!(
                "{} is no longer in the stream: nothing to open",
                letter.target()
            ));
            return Next::Stay;
        }
        let (stream, sequence) = (letter.stream.clone(), letter.sequence);
        let seen = app.seen_of(&stream, sequence);
        effects.push(Effect::ReadMessage {
            stream,
            sequence,
            seen,
        });
        Next::Stay
    }

    /// The letters an operation would take, or None (said why) when there are none.
    fn chosen(&self, app: &mut App, op: &DeadLetterOp) -> Option<Vec<DeadLetter>> {
        let all = self.targets();
        // Export takes a letter whose original is gone (it has the facts); retry and
        // move one whose body jetdeck kept; discard only what is still there.
        let kept = |l: &DeadLetter| app.held_log.kept(&l.stream, l.sequence).is_some();
        let letters: Vec<DeadLetter> = match op {
            DeadLetterOp::Export { .. } => all,
            DeadLetterOp::Retry | DeadLetterOp::Move { .. } => all
                .into_iter()
                .filter(|l| l.in_stream() || kept(l))
                .collect(),
            DeadLetterOp::Discard => all.into_iter().filter(DeadLetter::in_stream).collect(),
        };
        if letters.is_empty() {
            app.complain(format!(
                "nothing to {}: no dead letter still in its stream is selected or marked",
                op.verb()
            ));
            return None;
        }
        Some(letters)
    }

    /// Opens the preview of `op` on the chosen letters.
    pub fn plan(&self, app: &mut App, op: DeadLetterOp) -> Next {
        let Some(letters) = self.chosen(app, &op) else {
            return Next::Stay;
        };
        let kept = letters
            .iter()
            .filter(|l| !l.in_stream())
            .filter_map(|l| app.held_log.kept(&l.stream, l.sequence).cloned())
            .collect();
        Next::Open(Overlay::Confirm(Confirm::DeadLetters(Box::new(
            DeadLetterPlan { op, letters, kept },
        ))))
    }

    fn ask(&self, app: &mut App, kind: PromptKind, start: &str) -> Next {
        let op = match kind {
            PromptKind::MoveTo => DeadLetterOp::Move { to: String::new() },
            _ => DeadLetterOp::Export {
                path: String::new(),
            },
        };
        if self.chosen(app, &op).is_none() {
            return Next::Stay;
        }
        let mut prompt = Prompt::new(kind, None);
        prompt.input = start.into();
        Next::Open(Overlay::Prompt(Box::new(prompt)))
    }

    fn offer_capture(&self, app: &mut App) -> Next {
        if self.capture == Some(true) {
            app.say("the capture stream exists already: dead letters are recorded");
            return Next::Stay;
        }
        Next::Open(Overlay::Confirm(Confirm::CreateCapture))
    }
}

/// `./jetdeck-dead-letters-20261127T101500Z.jsonl`, in the current directory.
pub fn default_export_path(now: std::time::SystemTime) -> String {
    let t = time::OffsetDateTime::from(now);
    format!(
        "jetdeck-dead-letters-{:04}{:02}{:02}T{:02}{:02}{:02}Z.jsonl",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
