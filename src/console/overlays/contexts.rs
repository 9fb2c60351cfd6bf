//! `X`: the natscli contexts, the active one marked; Enter reconnects to the chosen one
//! (the console owner does it: it holds the connection, the collector and the runner).

use super::Next;
use crate::console::app::{App, Effect};
use crate::console::keys::Command;

#[derive(Debug, Clone, Default)]
pub struct ContextsState {
    pub names: Vec<String>,
    /// The context this console is connected through, if any.
    pub active: Option<String>,
    /// The one `context.txt` selects (natscli's default).
    pub selected_by_nats: Option<String>,
    pub cursor: usize,
}

impl ContextsState {
    /// The contexts where natscli keeps them, the cursor on the active one.
    pub fn read(active: Option<String>) -> Self {
        let (names, selected_by_nats) =
            crate::connect::context_names(&|name| std::env::var(name).ok());
        let cursor = active
            .as_ref()
            .and_then(|a| names.iter().position(|n| n == a))
            .unwrap_or(0);
        Self {
            names,
            active,
            selected_by_nats,
            cursor,
        }
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        let last = self.names.len().saturating_sub(1);
        match command {
            Some(Command::Close) => return Next::Close,
            Some(Command::Down) => self.cursor = (self.cursor + 1).min(last),
            Some(Command::Up) => self.cursor = self.cursor.saturating_sub(1),
            Some(Command::Submit) => {
                let Some(name) = self.names.get(self.cursor).cloned() else {
                    return Next::Close;
                };
                app.say(format!("switching to context {name}…"));
                effects.push(Effect::SwitchContext(name));
                return Next::Close;
            }
            _ => {}
        }
        Next::Stay
    }
}
