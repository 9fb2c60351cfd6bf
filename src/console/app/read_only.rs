//! `--read-only`: for leaving jetdeck open on production. Every command that would change
//! the server is refused where the key arrives, with a line saying so; as a second line of
//! defence, an effect that changes the server never leaves `update` in this mode, whatever
//! key or overlay asked for it. Attaching becomes browsing: it shows what the consumer
//! would get next, consuming nothing.

use super::actions::{DeadLetterOp, Effect};
use super::{App, Overlay, Pane};
use crate::console::keys::Command;
use crate::console::overlays::BrowseState;

/// Refuses `command` when the console is read-only and it would change the server.
/// Returns whether it was refused (the caller then does nothing more with it).
pub(super) fn refuse(app: &mut App, command: Command, effects: &mut Vec<Effect>) -> bool {
    if !app.session.read_only || !command.changes_server() {
        return false;
    }
    if command == Command::Attach && app.focus == Pane::Consumers {
        browse_instead_of_attach(app, effects);
        return true;
    }
    // The refusal first: a narrow terminal cuts the end of the line.
    app.complain(format!(
        "read-only, refused: {} (started with --read-only: restart without it to change \
         the server)",
        command.describe()
    ));
    true
}

/// Drops every effect that would change the server (none should reach here: the keys
/// that ask for them are refused first). Logged and said, since reaching this is a bug.
pub(super) fn guard(app: &mut App, effects: &mut Vec<Effect>) {
    if !app.session.read_only {
        return;
    }
    let before = effects.len();
    effects.retain(|e| !e.changes_server());
    let dropped = before - effects.len();
    if dropped > 0 {
        tracing::warn!(dropped, "read-only: changes to the server were not sent");
        app.complain("read-only: a change to the server was not sent (--read-only)");
    }
}

/// `s` on a consumer, read-only: browse its stream from the first message the consumer
/// has not had acknowledged, which is what an attach would be handed next.
fn browse_instead_of_attach(app: &mut App, effects: &mut Vec<Effect>) {
    let Some(stream) = app.selected_stream.clone() else {
        return;
    };
    let Some(stream_view) = app.stream(&stream) else {
        return;
    };
    let (first, last) = (
        stream_view.info.state.first_sequence,
        stream_view.info.state.last_sequence,
    );
    let Some(consumer) = app
        .selected_consumer
        .as_deref()
        .and_then(|name| app.consumer(&stream, name))
    else {
        return;
    };
    let name = consumer.name().to_string();
    let from = (consumer.info.ack_floor.stream_sequence + 1).max(first);
    let mut state = BrowseState::of(&stream_view.info);
    if state.is_empty() || from > last {
        app.say(format!(
            "read-only: attaching would take deliveries from {name}, so it is off; \
             {stream} has nothing after {name}'s ack floor to browse"
        ));
        return;
    }
    state.load(from, effects);
    app.open(Overlay::Browse(Box::new(state)));
    app.say(format!(
        "read-only: browsing {stream} from seq {from}, what {name} gets next, instead of \
         attaching (nothing is consumed)"
    ));
}

impl Effect {
    /// Whether the effect changes something on the server. Every variant is named, so a
    /// new one cannot be added without deciding.
    pub fn changes_server(&self) -> bool {
        match self {
            Effect::Publish(_)
            | Effect::Attach { .. }
            | Effect::CreateStreamThen(_)
            | Effect::AttachByTopic { .. }
            | Effect::Pull { .. }
            | Effect::Settle { .. }
            | Effect::StartAuto { .. }
            | Effect::SetFailEvery { .. }
            | Effect::DeleteConsumer { .. }
            | Effect::CreateCapture
            | Effect::DeleteMessage { .. }
            | Effect::Configure(_)
            // They publish on plain NATS: no stream changes, but something is sent.
            | Effect::TailAnswer { .. }
            | Effect::TailRequest { .. } => true,
            Effect::DeadLetters(plan) => !matches!(plan.op, DeadLetterOp::Export { .. }),
            // Previews of a purge or reset only read.
            Effect::Operate(request) => request.changes_server(),
            Effect::Kv(kv) => kv.changes_server(),
            Effect::Objects(o) => o.changes_server(),
            // Detach and StopAuto give back what an attach took (nak, so the messages
            // return at once); nothing is attached in read-only mode.
            Effect::WatchStream(_)
            | Effect::StopAuto { .. }
            | Effect::Detach { .. }
            | Effect::Browse { .. }
            | Effect::ReadMessage { .. }
            | Effect::ListDeadLetters { .. }
            | Effect::StoredSubjects(_)
            | Effect::BrowseLocate { .. }
            | Effect::BrowseWindow { .. }
            | Effect::ListSubjects { .. }
            | Effect::Outstanding { .. }
            // Local only: a file, the terminal's clipboard.
            | Effect::SaveBody { .. }
            | Effect::Clipboard(_)
            | Effect::Switch(_)
            // A core subscription takes nothing from any stream.
            | Effect::StartTail { .. }
            | Effect::StopTail => false,
        }
    }
}
