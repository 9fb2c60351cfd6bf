//! Before a config form's create or edit reaches the server: what will change, field by
//! field (old -> new), or the new config summarised. `y` applies; `n` or Esc goes back to
//! the form with everything typed still there.

use async_nats::jetstream::{consumer, stream};

use super::Next;
use super::config_form::ConfigForm;
use crate::console::app::config_diff::{Change, diff, summary};
use crate::console::app::{App, Effect};
use crate::console::keys::Command;

/// A create or an edit, as previewed and confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigPlan {
    CreateStream(Box<stream::Config>),
    UpdateStream {
        old: Box<stream::Config>,
        new: Box<stream::Config>,
    },
    CreateConsumer {
        stream: String,
        config: Box<consumer::Config>,
    },
    UpdateConsumer {
        stream: String,
        old: Box<consumer::Config>,
        new: Box<consumer::Config>,
    },
}

impl ConfigPlan {
    pub fn is_edit(&self) -> bool {
        matches!(
            self,
            ConfigPlan::UpdateStream { .. } | ConfigPlan::UpdateConsumer { .. }
        )
    }

    /// `stream ORDERS`, `consumer billing of ORDERS`.
    pub fn what(&self) -> String {
        match self {
            ConfigPlan::CreateStream(c) => format!("stream {}", c.name),
            ConfigPlan::UpdateStream { new, .. } => format!("stream {}", new.name),
            ConfigPlan::CreateConsumer { stream, config } => {
                format!("consumer {} of {stream}", consumer_name(config))
            }
            ConfigPlan::UpdateConsumer { stream, new, .. } => {
                format!("consumer {} of {stream}", consumer_name(new))
            }
        }
    }

    /// An edit's changed fields (empty for a create).
    pub fn changes(&self) -> Vec<Change> {
        match self {
            ConfigPlan::UpdateStream { old, new } => diff(old.as_ref(), new.as_ref()),
            ConfigPlan::UpdateConsumer { old, new, .. } => diff(old.as_ref(), new.as_ref()),
            _ => Vec::new(),
        }
    }

    /// A create's fields worth showing (empty for an edit).
    pub fn summary(&self) -> Vec<(String, String)> {
        match self {
            ConfigPlan::CreateStream(c) => summary(c.as_ref()),
            ConfigPlan::CreateConsumer { config, .. } => summary(config.as_ref()),
            _ => Vec::new(),
        }
    }
}

pub fn consumer_name(c: &consumer::Config) -> String {
    c.durable_name
        .clone()
        .or(c.name.clone())
        .unwrap_or_default()
}

/// The preview of a plan, over its form.
#[derive(Debug, Clone)]
pub struct Preview {
    pub plan: ConfigPlan,
    /// `field  old -> new` for an edit, `field  value` for a create.
    pub lines: Vec<(String, String)>,
}

impl Preview {
    pub fn new(plan: ConfigPlan) -> Self {
        let lines = if plan.is_edit() {
            plan.changes()
                .into_iter()
                .map(|c| (c.field, format!("{} -> {}", c.old, c.new)))
                .collect()
        } else {
            plan.summary()
        };
        Self { plan, lines }
    }

    /// The question on its title.
    pub fn title(&self) -> String {
        let verb = if self.plan.is_edit() {
            "Update"
        } else {
            "Create"
        };
        format!("{verb} {}?", self.plan.what())
    }

    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        effects: &mut Vec<Effect>,
    ) -> Next {
        match command {
            Some(Command::Yes) => {
                if let Some(form) = form_mut(app) {
                    form.pending = true;
                    form.server_error = None;
                }
                let doing = if self.plan.is_edit() {
                    "updating"
                } else {
                    "creating"
                };
                app.say(format!("{doing} {}…", self.plan.what()));
                effects.push(Effect::Configure(Box::new(self.plan.clone())));
                Next::Close
            }
            Some(Command::No) => {
                app.say(format!(
                    "back to the form: nothing sent to {}",
                    self.plan.what()
                ));
                Next::Close
            }
            _ => Next::Stay,
        }
    }
}

/// The config form, wherever it is in the stack (under its preview).
pub fn form_mut(app: &mut App) -> Option<&mut ConfigForm> {
    app.overlays.iter_mut().rev().find_map(|o| match o {
        super::Overlay::ConfigForm(f) => Some(f.as_mut()),
        _ => None,
    })
}
