//! `X`: the natscli contexts, then the servers of the configuration file, the active one
//! marked; Enter reconnects to the chosen one (the console owner does it: it holds the
//! connection, the collector and the runner).

use super::Next;
use crate::config::ConfiguredServer;
use crate::console::app::{App, Effect, SwitchTarget};
use crate::console::keys::Command;

#[derive(Debug, Clone, Default)]
pub struct ContextsState {
    /// Where the console started, as shown (first row), when known.
    pub start: Option<String>,
    /// Whether it is connected there now.
    pub on_start: bool,
    pub names: Vec<String>,
    /// The context this console is connected through, if any.
    pub active: Option<String>,
    /// The one `context.txt` selects (natscli's default).
    pub selected_by_nats: Option<String>,
    /// The configuration file's `[servers]`, listed after the contexts.
    pub servers: Vec<ConfiguredServer>,
    /// The configured server this console is connected to, if any.
    pub active_server: Option<String>,
    /// Over the contexts, then the servers.
    pub cursor: usize,
}

/// One row of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row<'a> {
    /// Where the console started.
    Start(&'a str),
    Context(&'a str),
    Server(&'a ConfiguredServer),
}

impl ContextsState {
    /// The contexts where natscli keeps them and the configured servers, the cursor on
    /// the active one.
    pub fn read(app: &App) -> Self {
        let (names, selected_by_nats) =
            crate::connect::context_names(&|name| std::env::var(name).ok());
        // Started through a context, its row leads back; otherwise a row of its own.
        let started = &app.started;
        let start = match (&started.context, &started.embedded) {
            (Some(_), _) => None,
            (None, Some(_)) => Some(format!("{}  (embedded)", started.servers)),
            (None, None) => Some(started.servers.clone()),
        };
        let mut state = Self {
            start,
            on_start: app.on_start,
            names,
            active: app.session.context.clone(),
            selected_by_nats,
            servers: app.servers.to_vec(),
            active_server: app.on_server.clone(),
            cursor: 0,
        };
        state.cursor = (0..state.len()).find(|&i| state.is_active(i)).unwrap_or(0);
        state
    }

    /// How many rows: where it started, contexts and servers.
    pub fn len(&self) -> usize {
        usize::from(self.start.is_some()) + self.names.len() + self.servers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`: where it started, a context, or past them a server.
    pub fn row(&self, i: usize) -> Option<Row<'_>> {
        let i = match (&self.start, i) {
            (Some(start), 0) => return Some(Row::Start(start)),
            (Some(_), i) => i - 1,
            (None, i) => i,
        };
        match self.names.get(i) {
            Some(name) => Some(Row::Context(name)),
            None => self.servers.get(i - self.names.len()).map(Row::Server),
        }
    }

    /// Whether row `i` is what this console is connected to.
    pub fn is_active(&self, i: usize) -> bool {
        match self.row(i) {
            Some(Row::Start(_)) => self.on_start,
            Some(Row::Context(name)) => self.active.as_deref() == Some(name),
            Some(Row::Server(s)) => self.active_server.as_deref() == Some(s.name.as_str()),
            None => false,
        }
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        let last = self.len().saturating_sub(1);
        match command {
            Some(Command::Close) => return Next::Close,
            Some(Command::Down) => self.cursor = (self.cursor + 1).min(last),
            Some(Command::Up) => self.cursor = self.cursor.saturating_sub(1),
            // Already there: a reconnect would detach everything for nothing.
            Some(Command::Submit) if self.is_active(self.cursor) => {
                app.say("already connected there: nothing changed");
                return Next::Close;
            }
            Some(Command::Submit) => {
                let target = match self.row(self.cursor) {
                    Some(Row::Start(shown)) => {
                        app.say(format!(
                            "switching back to where jetdeck started ({shown})…"
                        ));
                        SwitchTarget::Start
                    }
                    Some(Row::Context(name)) => {
                        app.say(format!("switching to context {name}…"));
                        SwitchTarget::Context(name.to_string())
                    }
                    Some(Row::Server(server)) => {
                        app.say(format!(
                            "switching to server {} ({})…",
                            server.name,
                            server.url.shown()
                        ));
                        SwitchTarget::Server(server.clone())
                    }
                    None => return Next::Close,
                };
                effects.push(Effect::Switch(target));
                return Next::Close;
            }
            _ => {}
        }
        Next::Stay
    }
}
