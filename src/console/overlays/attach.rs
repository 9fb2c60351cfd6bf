//! The form behind `S`: attach by topic and queue; the stream and consumer are made
//! when missing (the stream only after the operator says yes).

use ratatui::crossterm::event::{Event as TermEvent, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::Next;
use crate::broker::{validate_queue_name, validate_topic};
use crate::console::app::{App, Effect};
use crate::console::keys::Command;

#[derive(Debug, Clone, Default)]
pub struct AttachForm {
    pub topic: Input,
    pub queue: Input,
    /// 0: topic, 1: queue.
    pub focus: usize,
    pub error: Option<String>,
}

impl AttachForm {
    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        key: KeyEvent,
        effects: &mut Vec<Effect>,
    ) -> Next {
        match command {
            Some(Command::Close) => return Next::Close,
            // Two fields: forward and back are the same move.
            Some(Command::NextField | Command::PrevField) => self.focus = 1 - self.focus,
            Some(Command::Submit) => match self.checked() {
                Ok((topic, queue)) => {
                    let id = app.new_attach_id();
                    let stream = crate::broker::stream_name_for_topic(&topic);
                    app.push_attached(id, &stream, &queue);
                    effects.push(Effect::AttachByTopic { id, topic, queue });
                    return Next::Close;
                }
                Err(e) => self.error = Some(e),
            },
            _ => {
                let input = if self.focus == 0 {
                    &mut self.topic
                } else {
                    &mut self.queue
                };
                input.handle_event(&TermEvent::Key(key));
                self.error = None;
            }
        }
        Next::Stay
    }

    /// The topic and queue, checked with the broker's rules.
    fn checked(&self) -> Result<(String, String), String> {
        let topic = self.topic.value().trim().to_string();
        let queue = self.queue.value().trim().to_string();
        validate_topic(&topic).map_err(|e| e.to_string())?;
        validate_queue_name(&queue).map_err(|e| e.to_string())?;
        Ok((topic, queue))
    }
}
