//! The config forms from the panes (`c`, `e` on streams; `c`, `e`, `C` on consumers), and
//! what the server says after an apply: the config read back, in words on the status
//! line, or its refusal on the form (which stays open, nothing typed lost).

use async_nats::jetstream::{consumer, stream};

use super::config_diff::{diff, set_fields, value_of};
use super::{App, Effect, Overlay};
use crate::console::error::ActionError;
use crate::console::keys::Command;
use crate::console::overlays::config_preview::{ConfigPlan, form_mut};
use crate::console::overlays::{consumer_form, stream_form};

/// A config as the server holds it after an apply (read back with an INFO request).
#[derive(Debug, Clone)]
pub enum ServerConfig {
    Stream(Box<stream::Config>),
    Consumer(Box<consumer::Config>),
}

/// Opens the form a pane command asks for.
pub(super) fn open_form(app: &mut App, command: Command) {
    let form = match command {
        Command::CreateStream => Some(stream_form::create()),
        Command::EditStream => match app.selected_stream.as_deref().and_then(|s| app.stream(s)) {
            Some(s) => Some(stream_form::edit(&s.info.config)),
            None => return app.complain("select a stream to edit"),
        },
        Command::CreateConsumer => match app.selected_stream.as_deref() {
            Some(stream) => Some(consumer_form::create(stream)),
            None => return app.complain("select the stream to create a consumer on"),
        },
        Command::EditConsumer | Command::CopyConsumer => {
            let (Some(stream), Some(name)) = (&app.selected_stream, &app.selected_consumer) else {
                return app.complain("select a consumer first");
            };
            let Some(c) = app.consumer(stream, name) else {
                return app.complain("select a consumer first");
            };
            Some(if command == Command::EditConsumer {
                consumer_form::edit(stream, &c.info.config)
            } else {
                consumer_form::copy(stream, &c.info.config)
            })
        }
        _ => None,
    };
    if let Some(form) = form {
        app.open(Overlay::ConfigForm(Box::new(form)));
    }
}

/// The server's answer to an apply: what it now holds, or why it refused.
pub(super) fn on_configured(
    app: &mut App,
    plan: &ConfigPlan,
    result: Result<ServerConfig, ActionError>,
    effects: &mut Vec<Effect>,
) {
    let held = match result {
        Ok(held) => held,
        Err(e) => {
            let verb = if plan.is_edit() { "updated" } else { "created" };
            app.complain(format!("{} not {verb}: {e}", plan.what()));
            if let Some(form) = form_mut(app) {
                form.pending = false;
                form.server_error = Some(e.to_string());
            }
            return;
        }
    };
    // Applied: the form has done its work.
    if let Some(i) = app
        .overlays
        .iter()
        .rposition(|o| matches!(o, Overlay::ConfigForm(_)))
    {
        app.overlays.remove(i);
    }
    let text = held_text(plan, &held);
    app.say(text);
    if let ConfigPlan::CreateStream(c) = plan {
        app.selected_stream = Some(c.name.clone());
        app.stream_chosen = true;
        app.selected_consumer = None;
        effects.push(Effect::WatchStream(app.selected_stream.clone()));
    }
}

/// `stream ORDERS updated: max_age 1h -> 2h (checked on the server)`; a change asked for
/// that the server does not hold is named.
fn held_text(plan: &ConfigPlan, held: &ServerConfig) -> String {
    let what = plan.what();
    match (plan, held) {
        (ConfigPlan::UpdateStream { old, new }, ServerConfig::Stream(now)) => {
            updated_text(&what, old.as_ref(), new.as_ref(), now.as_ref())
        }
        (ConfigPlan::UpdateConsumer { old, new, .. }, ServerConfig::Consumer(now)) => {
            updated_text(&what, old.as_ref(), new.as_ref(), now.as_ref())
        }
        (ConfigPlan::CreateStream(asked), ServerConfig::Stream(now)) => created_text(
            &what,
            asked.as_ref(),
            now.as_ref(),
            &[
                "subjects",
                "retention",
                "storage",
                "num_replicas",
                "max_age",
            ],
        ),
        (ConfigPlan::CreateConsumer { config, .. }, ServerConfig::Consumer(now)) => created_text(
            &what,
            config.as_ref(),
            now.as_ref(),
            &[
                "filter_subject",
                "filter_subjects",
                "ack_policy",
                "ack_wait",
                "max_deliver",
            ],
        ),
        _ => format!("{what}: the server answered with another kind of config"),
    }
}

fn updated_text<T: serde::Serialize>(what: &str, old: &T, asked: &T, now: &T) -> String {
    let held = diff(old, now);
    let changed: Vec<String> = diff(old, asked).into_iter().map(|c| c.field).collect();
    let missing: Vec<String> = diff(asked, now)
        .into_iter()
        .filter(|c| changed.contains(&c.field))
        .map(|c| format!("{} is {} (asked {})", c.field, c.new, c.old))
        .collect();
    let mut text = if held.is_empty() {
        format!("{what}: the server holds no change")
    } else {
        let changes: Vec<String> = held.iter().map(ToString::to_string).collect();
        format!("{what} updated: {}", changes.join(", "))
    };
    if !missing.is_empty() {
        text.push_str(&format!("; but {}", missing.join(", ")));
    }
    text + " (checked on the server)"
}

/// `consumer billing of WORK created: filter_subject work.eu, ... (checked on the
/// server)`; a field asked for that the server holds otherwise is named.
fn created_text<T: serde::Serialize>(what: &str, asked: &T, now: &T, fields: &[&str]) -> String {
    let facts: Vec<String> = fields
        .iter()
        .map(|f| (f, value_of(now, f)))
        .filter(|(_, v)| v != "-")
        .map(|(f, v)| format!("{f} {v}"))
        .collect();
    let set = set_fields(asked);
    let otherwise: Vec<String> = diff(asked, now)
        .into_iter()
        .filter(|c| set.contains(&c.field))
        .map(|c| format!("{} is {} (asked {})", c.field, c.new, c.old))
        .collect();
    let mut text = format!("{what} created: {}", facts.join(", "));
    if !otherwise.is_empty() {
        text.push_str(&format!("; but {}", otherwise.join(", ")));
    }
    text + " (checked on the server)"
}
