//! The attached subscriptions: attaching, the messages pane's commands (pull, settle,
//! modes), and detaching.

use std::collections::VecDeque;
use std::time::Duration;

use super::actions::{Effect, Settle};
use super::{App, DetachNote, Overlay, Pane, time_of_day};
use crate::console::attached::{Attached, MessageKey, Mode, RowState};
use crate::console::keys::Command;
use crate::console::overlays::prompt::{Prompt, PromptKind};

impl App {
    /// `s` on a consumer: attach to it, or show it when already attached.
    pub(crate) fn attach_selected(&mut self, effects: &mut Vec<Effect>) {
        let (Some(stream), Some(consumer)) =
            (self.selected_stream.clone(), self.selected_consumer.clone())
        else {
            self.complain("select a consumer to attach to");
            return;
        };
        if let Some(i) = self
            .attached
            .iter()
            .position(|a| a.stream == stream && a.consumer == consumer)
        {
            self.selected_attached = i;
            self.focus = Pane::Messages;
            self.say(format!("already attached to {stream}/{consumer}"));
            return;
        }
        let id = self.new_attach_id();
        self.push_attached(id, &stream, &consumer);
        effects.push(Effect::Attach {
            id,
            stream,
            consumer,
        });
    }

    pub(crate) fn push_attached(&mut self, id: u64, stream: &str, consumer: &str) {
        let batch = self.default_batch();
        self.attached.push(Attached {
            id,
            stream: stream.to_string(),
            consumer: consumer.to_string(),
            filter: String::new(),
            ack_wait: Duration::from_secs(30),
            mode: Mode::Manual,
            batch_size: batch,
            fail_every: 0,
            rows: VecDeque::new(),
            selected: 0,
            handled: 0,
            pulling: false,
        });
        self.selected_attached = self.attached.len() - 1;
        self.say(format!("attaching to {stream}/{consumer}…"));
    }

    /// Drops a subscription that never came to be (refused, or its stream not made).
    pub(crate) fn forget_attached(&mut self, id: u64) {
        self.attached.retain(|a| a.id != id);
        self.selected_attached = self
            .selected_attached
            .min(self.attached.len().saturating_sub(1));
        if self.attached.is_empty() && self.focus == Pane::Messages {
            self.focus = Pane::Consumers;
        }
    }

    /// Marks the message as being settled and asks for it.
    pub(crate) fn settle(
        &mut self,
        id: u64,
        key: Option<MessageKey>,
        how: Settle,
        effects: &mut Vec<Effect>,
    ) {
        let Some(key) = key else {
            self.complain("select a held message first (f pulls some)");
            return;
        };
        let moves_on = !matches!(how, Settle::InProgress);
        if let Some(a) = self.attached_mut(id) {
            if let Some(row) = a.row_mut(key) {
                row.state = RowState::Settling(how.name());
            }
            // `a a n a` works through a batch: a settled message leaves the operator on
            // the next one still held (in progress keeps it held, so stays on it).
            if moves_on {
                a.select_next_held();
            }
        }
        effects.push(Effect::Settle { id, key, how });
    }

    /// Stops the subscription shown; its held messages are given back.
    pub(crate) fn detach_current(&mut self, effects: &mut Vec<Effect>) {
        if self.current().is_none() {
            return;
        }
        let a = self.attached.remove(self.selected_attached);
        self.selected_attached = self
            .selected_attached
            .min(self.attached.len().saturating_sub(1));
        if self.attached.is_empty() {
            self.focus = Pane::Consumers;
        }
        let held = a.held().count();
        effects.push(Effect::Detach { id: a.id });
        if held == 0 {
            self.say(format!(
                "detached from {}; the durable consumer stays",
                a.label()
            ));
            return;
        }
        // What happened to the held messages is said when the naks have (or have not)
        // reached the server.
        let returns_by = a.held().map(|r| r.clock_start + a.ack_wait).max();
        self.detaching.insert(
            a.id,
            DetachNote {
                label: a.label(),
                returns_by,
            },
        );
        self.say(format!(
            "detaching from {}: giving back {held} held messages…",
            a.label()
        ));
    }

    /// A detach's naks reached the server (or did not): says what became of them.
    pub(crate) fn detached(&mut self, id: u64, held: usize, naked: usize) {
        let Some(note) = self.detaching.remove(&id) else {
            return;
        };
        let by = note
            .returns_by
            .map(|t| format!(", by {}", time_of_day(t)))
            .unwrap_or_default();
        if naked == held {
            self.say(format!(
                "detached from {}; the durable consumer stays, {held} held messages nak'd",
                note.label
            ));
        } else if naked == 0 {
            self.complain(format!(
                "detached from {}, but the naks were not sent (no connection): the server redelivers its {held} held messages after their ack wait{by}",
                note.label
            ));
        } else {
            self.complain(format!(
                "detached from {}: {naked} of {held} held messages nak'd; the server redelivers the rest after their ack wait{by}",
                note.label
            ));
        }
    }
}

/// A command in the messages pane, on the subscription shown.
pub(super) fn on_command(app: &mut App, command: Command, effects: &mut Vec<Effect>) {
    let Some(a) = app.current() else {
        return;
    };
    let (id, mode) = (a.id, a.mode);
    let held_key = a
        .selected_row()
        .filter(|r| matches!(r.state, RowState::Held | RowState::Failed(_)))
        .map(|r| r.key());
    let prompt = |kind| Overlay::Prompt(Box::new(Prompt::new(kind, held_key)));
    match command {
        Command::Pull if mode == Mode::Manual => pull(app, effects),
        Command::Ack => app.settle(id, held_key, Settle::Ack, effects),
        Command::Nak => app.settle(id, held_key, Settle::Nak(None), effects),
        Command::InProgress => app.settle(id, held_key, Settle::InProgress, effects),
        Command::NakLater if held_key.is_some() => app.open(prompt(PromptKind::NakDelay)),
        Command::Term if held_key.is_some() => app.open(prompt(PromptKind::TermReason)),
        Command::NakLater | Command::Term => app.complain("select a held message first"),
        Command::BatchSize => app.open(prompt(PromptKind::BatchSize)),
        Command::FailEvery => app.open(prompt(PromptKind::FailEvery)),
        Command::ToggleMode => toggle_mode(app, effects),
        Command::Detach => app.detach_current(effects),
        Command::PrevSubscription => {
            app.selected_attached = app.selected_attached.saturating_sub(1);
        }
        Command::NextSubscription => {
            app.selected_attached = (app.selected_attached + 1).min(app.attached.len() - 1);
        }
        _ => {}
    }
}

fn pull(app: &mut App, effects: &mut Vec<Effect>) {
    if let Some(a) = app.current_mut() {
        a.pulling = true;
        effects.push(Effect::Pull {
            id: a.id,
            stream: a.stream.clone(),
            consumer: a.consumer.clone(),
            batch: a.batch_size,
        });
    }
    app.say("pulling…");
}

fn toggle_mode(app: &mut App, effects: &mut Vec<Effect>) {
    let Some(a) = app.current_mut() else {
        return;
    };
    let id = a.id;
    match a.mode {
        Mode::Manual => {
            a.mode = Mode::Auto;
            effects.push(Effect::StartAuto {
                id,
                stream: a.stream.clone(),
                consumer: a.consumer.clone(),
                fail_every: a.fail_every,
            });
            let held = a.held().count();
            let note = if held > 0 {
                format!("; {held} held messages stay yours to settle")
            } else {
                String::new()
            };
            app.say(format!(
                "auto: the worker acks as messages arrive (F sets a failure ratio){note}"
            ));
        }
        Mode::Auto => {
            a.mode = Mode::Manual;
            effects.push(Effect::StopAuto { id });
            app.say("manual: nothing is settled without you; f pulls");
        }
    }
}
