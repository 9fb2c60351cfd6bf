//! Confirmations: a yes or no before something that changes the server.

use super::Next;
use crate::console::app::{AfterCreate, App, DeadLetterPlan, Effect, OpPlan, StreamOffer};
use crate::console::keys::{Command, Layer};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    /// `d` on a consumer.
    DeleteConsumer {
        stream: String,
        consumer: String,
        ack_pending: u64,
        pending: u64,
    },
    /// No stream listens on the subject the operator typed: create one?
    CreateStream(Box<StreamOffer>),
    /// Retry, move, discard or export these dead letters.
    DeadLetters(Box<DeadLetterPlan>),
    /// Create the capture stream with the default limits (shown).
    CreateCapture,
    /// Purge a stream, pause, resume or reset a consumer, as previewed.
    Operate(Box<OpPlan>),
    /// Delete (or erase) one message from its stream.
    DeleteMessage(Box<crate::console::app::MessageDelete>),
    /// Save a body over a file that is there already.
    Overwrite { path: String, body: bytes::Bytes },
}

impl Confirm {
    pub fn layer(&self) -> Layer {
        match self {
            Confirm::DeleteConsumer { .. } => Layer::ConfirmDelete,
            Confirm::CreateStream(_) => Layer::ConfirmCreate,
            Confirm::DeadLetters(_)
            | Confirm::CreateCapture
            | Confirm::Operate(_)
            | Confirm::Overwrite { .. } => Layer::ConfirmAction,
            Confirm::DeleteMessage(_) => Layer::ConfirmMessageDelete,
        }
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        match (command, &*self) {
            (Some(Command::Yes), Confirm::DeleteMessage(d)) => d.go(app, false, effects),
            (Some(Command::Erase), Confirm::DeleteMessage(d)) => d.go(app, true, effects),
            (Some(Command::Yes), _) => self.yes(app, effects),
            (Some(Command::No), _) => self.no(app),
            _ => return Next::Stay,
        }
        Next::Close
    }

    fn yes(&self, app: &mut App, effects: &mut Vec<Effect>) {
        match self {
            Confirm::DeleteConsumer {
                stream, consumer, ..
            } => {
                // A subscription working this consumer is detached first.
                let ids: Vec<u64> = app
                    .attached
                    .iter()
                    .filter(|a| &a.stream == stream && &a.consumer == consumer)
                    .map(|a| a.id)
                    .collect();
                for id in ids {
                    if let Some(i) = app.attached.iter().position(|a| a.id == id) {
                        app.selected_attached = i;
                        app.detach_current(effects);
                    }
                }
                effects.push(Effect::DeleteConsumer {
                    stream: stream.clone(),
                    consumer: consumer.clone(),
                });
                app.say(format!("deleting consumer {consumer} of {stream}…"));
            }
            Confirm::CreateStream(offer) => {
                app.say(format!("creating stream {}…", offer.stream));
                effects.push(Effect::CreateStreamThen(offer.then.clone()));
            }
            Confirm::DeadLetters(plan) => {
                let n = plan.letters.len();
                if let Some(view) = app.dead_letters_mut() {
                    view.progress = Some((0, n));
                }
                app.say(format!("{}: 0 of {n}…", plan.op.verb()));
                effects.push(Effect::DeadLetters(plan.clone()));
            }
            Confirm::CreateCapture => {
                app.say(format!(
                    "creating capture stream {}…",
                    crate::deadletters::CAPTURE_STREAM
                ));
                effects.push(Effect::CreateCapture);
            }
            Confirm::Operate(plan) => app.confirmed(plan, effects),
            Confirm::DeleteMessage(d) => d.go(app, false, effects),
            Confirm::Overwrite { path, body } => {
                app.say(format!("saving over {path}…"));
                effects.push(Effect::SaveBody {
                    path: path.clone(),
                    body: body.clone(),
                    overwrite: true,
                });
            }
        }
    }

    fn no(&self, app: &mut App) {
        match self {
            Confirm::DeleteConsumer { consumer, .. } => {
                app.say(format!("kept consumer {consumer}"));
            }
            Confirm::CreateStream(offer) => {
                if let AfterCreate::Attach { id, .. } = offer.then {
                    app.forget_attached(id);
                }
                app.say(format!(
                    "cancelled: no stream created, nothing sent to {}",
                    offer.subject
                ));
            }
            Confirm::DeadLetters(plan) => {
                app.say(format!("cancelled: nothing {}", plan.op.done_word()));
            }
            Confirm::CreateCapture => app.say("cancelled: no capture stream created"),
            Confirm::Operate(plan) => app.say(plan.cancelled()),
            Confirm::DeleteMessage(d) => app.say(format!(
                "kept {} seq {}: nothing deleted",
                d.stream, d.sequence
            )),
            Confirm::Overwrite { path, .. } => app.say(format!("not saved: {path} left as it was")),
        }
    }
}
