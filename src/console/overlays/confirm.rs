//! Confirmations: a yes or no before something that changes the server.

use super::Next;
use crate::console::app::{AfterCreate, App, Effect, StreamOffer};
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
}

impl Confirm {
    pub fn layer(&self) -> Layer {
        match self {
            Confirm::DeleteConsumer { .. } => Layer::ConfirmDelete,
            Confirm::CreateStream(_) => Layer::ConfirmCreate,
        }
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        match command {
            Some(Command::Yes) => self.yes(app, effects),
            Some(Command::No) => self.no(app),
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
        }
    }
}
