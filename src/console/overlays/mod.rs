//! The overlays: one file each for its state and its key handling. They stack: opening
//! pushes, closing pops, keys go to the top one, drawing walks them bottom to top. A
//! handler gets the command the key table found (None: a key to type, in a form) and
//! says what happens next.

pub mod attach;
pub mod browse;
pub mod config_form;
pub mod config_preview;
pub mod confirm;
pub mod consumer_form;
pub mod contexts;
pub mod deadletters;
pub mod kv;
pub mod kv_form;
pub mod kv_key;
pub mod message;
pub mod nats_equivalent;
pub mod objects;
pub mod operate;
pub mod outstanding;
pub mod prompt;
pub mod publish;
pub mod stream_form;
pub mod subjects;
pub mod tail;
pub mod text_area;

use ratatui::crossterm::event::KeyEvent;

use super::app::{App, Effect};
use super::keys::{Command, Layer};

pub use attach::AttachForm;
pub use browse::BrowseState;
pub use confirm::Confirm;
pub use message::MessageView;
pub use prompt::Prompt;
pub use publish::PublishForm;

#[derive(Debug, Clone)]
pub enum Overlay {
    Help {
        scroll: u16,
    },
    StreamDetail {
        stream: String,
        scroll: u16,
    },
    ConsumerDetail {
        stream: String,
        consumer: String,
        scroll: u16,
    },
    Publish(Box<PublishForm>),
    /// Attach by topic and queue (made when missing).
    AttachForm(Box<AttachForm>),
    /// One line of input for an action on the messages pane or the browser.
    Prompt(Box<Prompt>),
    /// A yes or no before something that changes the server.
    Confirm(Confirm),
    Browse(Box<BrowseState>),
    /// Dead letters, and what to do with them.
    DeadLetters(Box<deadletters::DeadLettersState>),
    /// A stream's subjects with their message counts.
    Subjects(Box<subjects::SubjectsState>),
    /// A consumer's outstanding messages, a page at a time.
    Outstanding(Box<outstanding::OutstandingState>),
    /// One message, whole.
    Message {
        view: Box<MessageView>,
        scroll: u16,
    },
    /// Purge, delete a stream, pause or reset a consumer: what and how far, asked.
    Operate(Box<operate::OperateForm>),
    /// A stream's or a consumer's config, to create or edit.
    ConfigForm(Box<config_form::ConfigForm>),
    /// What a config form will change, before it is sent.
    ConfigPreview(Box<config_preview::Preview>),
    /// `X`: the natscli contexts and the configured servers, to reconnect to one.
    Contexts(Box<contexts::ContextsState>),
    /// `K`: the key-value buckets.
    Buckets(Box<kv::BucketsState>),
    /// A bucket's keys, live.
    Keys(Box<kv::KeysState>),
    /// One key: its value and history.
    Key(Box<kv_key::KeyViewState>),
    /// `O`: the object stores.
    ObjectStores(Box<objects::StoresState>),
    /// A store's objects.
    Objects(Box<objects::ObjectsState>),
    /// A key's new value, or a new key: the form, then y / n.
    KeyForm(Box<kv_form::KeyForm>),
    /// `T`: a subject tailed on plain NATS.
    Tail(Box<tail::TailState>),
}

/// What an overlay's key handler wants next.
#[derive(Debug)]
pub enum Next {
    Stay,
    /// Pop it: what was under it shows again.
    Close,
    /// Keep it, and open another over it.
    Open(Overlay),
}

impl Overlay {
    /// The overlay as a place keys apply.
    pub fn layer(&self) -> Layer {
        match self {
            Overlay::Help { .. } => Layer::Help,
            Overlay::StreamDetail { .. } | Overlay::ConsumerDetail { .. } => Layer::Details,
            Overlay::Publish(_) => Layer::Publish,
            Overlay::AttachForm(_) => Layer::AttachForm,
            Overlay::Prompt(_) => Layer::Prompt,
            Overlay::Confirm(c) => c.layer(),
            Overlay::Browse(_) => Layer::Browse,
            Overlay::Message { .. } => Layer::Message,
            Overlay::DeadLetters(_) => Layer::DeadLetters,
            // Typed like a prompt: Enter, Tab, Esc, and the rest is text.
            Overlay::Operate(_) => Layer::Prompt,
            Overlay::Subjects(_) => Layer::Subjects,
            Overlay::ConfigForm(_) => Layer::ConfigForm,
            Overlay::ConfigPreview(_) => Layer::ConfirmAction,
            Overlay::Outstanding(_) => Layer::Outstanding,
            Overlay::Contexts(_) => Layer::Contexts,
            Overlay::Buckets(b) if b.asking.is_some() => Layer::ConfirmAction,
            Overlay::Buckets(_) => Layer::Buckets,
            Overlay::Keys(_) => Layer::Keys,
            // A delete, purge or revert asks y / n.
            Overlay::Key(k) if k.asking.is_some() => Layer::ConfirmAction,
            Overlay::Key(_) => Layer::Key,
            Overlay::KeyForm(f) if f.asking.is_some() => Layer::ConfirmAction,
            Overlay::KeyForm(_) => Layer::KeyForm,
            Overlay::Tail(_) => Layer::Tail,
            Overlay::ObjectStores(_) => Layer::ObjectStores,
            // A save over a file, a put or a delete asks y / n.
            Overlay::Objects(o) if o.asking.is_some() => Layer::ConfirmAction,
            Overlay::Objects(_) => Layer::Objects,
        }
    }
}

/// Hands a key to `overlay` (taken off the stack meanwhile, so it may change `app`).
pub fn on_key(
    overlay: &mut Overlay,
    app: &mut App,
    command: Option<Command>,
    key: KeyEvent,
    effects: &mut Vec<Effect>,
) -> Next {
    if command == Some(Command::CopyNatsCommand) {
        match nats_equivalent::of(overlay) {
            Some(equivalent) => {
                app.say(format!("copied: {}", equivalent.command));
                effects.push(Effect::Clipboard(equivalent.command.into()));
            }
            None => app.complain("no nats command does what this shows"),
        }
        return Next::Stay;
    }
    match overlay {
        Overlay::Message { view, scroll } => match command {
            Some(Command::CopyBody | Command::SaveBody | Command::DeleteMessage) => {
                app.on_open_message(view, command, effects)
            }
            _ => scrolled(scroll, command),
        },
        Overlay::ConsumerDetail {
            stream, consumer, ..
        } if command == Some(Command::Outstanding) => Next::Open(Overlay::Outstanding(Box::new(
            outstanding::OutstandingState::open(app, stream, consumer, effects),
        ))),
        Overlay::StreamDetail { .. } if command == Some(Command::Outstanding) => {
            app.complain("o lists a consumer's outstanding messages: open a consumer's details");
            Next::Stay
        }
        Overlay::Help { scroll }
        | Overlay::StreamDetail { scroll, .. }
        | Overlay::ConsumerDetail { scroll, .. } => scrolled(scroll, command),
        Overlay::Publish(form) => form.on_key(app, command, key, effects),
        Overlay::AttachForm(form) => form.on_key(app, command, key, effects),
        Overlay::Prompt(prompt) => prompt.on_key(app, command, key, effects),
        Overlay::Confirm(confirm) => confirm.on_key(app, command, effects),
        Overlay::Browse(state) => state.on_key(app, command, effects),
        Overlay::DeadLetters(state) => state.on_key(app, command, effects),
        Overlay::Operate(form) => form.on_key(app, command, key, effects),
        Overlay::Subjects(state) => state.on_key(app, command, effects),
        Overlay::ConfigForm(form) => form.on_key(app, command, key),
        Overlay::ConfigPreview(preview) => preview.on_key(app, command, effects),
        Overlay::Outstanding(state) => state.on_key(app, command, effects),
        Overlay::Contexts(state) => state.on_key(app, command, effects),
        Overlay::Buckets(state) => state.on_key(app, command, effects),
        Overlay::Keys(state) => state.on_key(app, command, effects),
        Overlay::Key(state) => state.on_key(app, command, effects),
        Overlay::KeyForm(form) => form.on_key(app, command, key, effects),
        Overlay::Tail(state) => state.on_key(app, command, effects),
        Overlay::ObjectStores(state) => state.on_key(app, command, effects),
        Overlay::Objects(state) => state.on_key(app, command, effects),
    }
}

/// Help, details and a message: text to scroll, and close.
/// Moves a list's cursor (`selected`, over rows up to `last`) for a movement command:
/// ↑↓, a page of ten, first, last. False for any other command, which is the caller's.
pub(crate) fn move_cursor(selected: &mut usize, last: usize, command: Option<Command>) -> bool {
    const PAGE: usize = 10; // as PgDn and PgUp move in the panes
    *selected = match command {
        Some(Command::Down) => (*selected + 1).min(last),
        Some(Command::Up) => selected.saturating_sub(1),
        Some(Command::PageDown) => (*selected + PAGE).min(last),
        Some(Command::PageUp) => selected.saturating_sub(PAGE),
        Some(Command::First) => 0,
        Some(Command::Last) => last,
        _ => return false,
    };
    true
}

fn scrolled(scroll: &mut u16, command: Option<Command>) -> Next {
    *scroll = match command {
        Some(Command::Close) => return Next::Close,
        Some(Command::Down) => scroll.saturating_add(1),
        Some(Command::Up) => scroll.saturating_sub(1),
        Some(Command::PageDown) => scroll.saturating_add(10),
        Some(Command::PageUp) => scroll.saturating_sub(10),
        Some(Command::First) => 0,
        _ => *scroll,
    };
    Next::Stay
}

/// Puts a paste into the overlay's field being typed in; false when it has none.
pub fn paste(overlay: &mut Overlay, text: &str, max_payload: Option<usize>) -> bool {
    use publish::{insert_limited, one_line};
    match overlay {
        Overlay::Publish(form) => {
            let _ = form.paste(text, max_payload); // a refusal shows on the field
        }
        Overlay::AttachForm(form) => {
            let (input, name) = if form.focus == 0 {
                (&mut form.topic, "the topic")
            } else {
                (&mut form.queue, "the queue name")
            };
            form.error = insert_limited(input, &one_line(text, " "), name).err();
        }
        Overlay::Prompt(prompt) => {
            prompt.error =
                insert_limited(&mut prompt.input, &one_line(text, " "), "the answer").err();
        }
        Overlay::Operate(form) => form.paste(text),
        Overlay::ConfigForm(form) => form.paste(text),
        Overlay::KeyForm(form) if form.asking.is_none() => form.paste(text, max_payload),
        _ => return false,
    }
    true
}
