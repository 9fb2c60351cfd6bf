//! The key form (issue 16): a new value for a key, or a new key, as the publish form takes
//! a message: fields Key and Value (several lines), checked here with a message on the
//! field before anything reaches the server, then the change asked (y / n) with the
//! revision it expects. Editing a key, the put expects the revision the value was typed
//! over; creating one, the put expects the key not to exist.

use bytes::Bytes;
use ratatui::crossterm::event::{Event as TermEvent, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::publish::{DEFAULT_MAX_PAYLOAD, insert_at_cursor, insert_limited, one_line};
use super::{Next, Overlay, text_area};
use crate::broker::{KeyEntry, KeyOperation, validate_key};
use crate::console::app::{App, Effect, KeyChange, KeyChangeOp, KvEffect};
use crate::console::keys::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyField {
    Key,
    Value,
}

impl KeyField {
    pub fn label(self) -> &'static str {
        match self {
            KeyField::Key => "Key",
            KeyField::Value => "Value",
        }
    }
}

/// What the key held when the form opened (editing an existing key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedOver {
    /// The revision the put expects: the latest read when `p` was pressed.
    pub revision: u64,
    pub operation: KeyOperation,
    /// The value was not text: not prefilled, its size said.
    pub binary: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct KeyForm {
    pub bucket: String,
    pub key: Input,
    /// A new value types over this; `None`: a new key.
    pub over: Option<TypedOver>,
    /// The value, its line breaks included.
    pub value: Input,
    pub focus: KeyField,
    pub errors: Vec<(KeyField, String)>,
    /// The change checked and waiting for y / n (n goes back to the form).
    pub asking: Option<KeyChange>,
}

impl KeyForm {
    /// `p` in a key's view: its latest revision expected, its value prefilled when text.
    pub fn edit(bucket: &str, latest: &KeyEntry) -> Self {
        let text = (latest.operation == KeyOperation::Put)
            .then(|| std::str::from_utf8(&latest.value).ok())
            .flatten();
        let binary =
            (latest.operation == KeyOperation::Put && text.is_none()).then_some(latest.value.len());
        let value = text.unwrap_or("").to_string();
        let end = value.chars().count();
        Self {
            bucket: bucket.to_string(),
            key: Input::new(latest.key.clone()),
            over: Some(TypedOver {
                revision: latest.revision,
                operation: latest.operation,
                binary,
            }),
            value: Input::new(value).with_cursor(end),
            focus: KeyField::Value,
            errors: Vec::new(),
            asking: None,
        }
    }

    /// `p` in a bucket's keys: a new key, its name typed.
    pub fn create(bucket: &str) -> Self {
        Self {
            bucket: bucket.to_string(),
            key: Input::default(),
            over: None,
            value: Input::default(),
            focus: KeyField::Key,
            errors: Vec::new(),
            asking: None,
        }
    }

    pub fn input(&self, field: KeyField) -> &Input {
        match field {
            KeyField::Key => &self.key,
            KeyField::Value => &self.value,
        }
    }

    pub fn error(&self, field: KeyField) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }

    /// The key name is typed only for a new key.
    pub fn key_editable(&self) -> bool {
        self.over.is_none()
    }

    /// Checks both fields; the change to ask for, else a message per bad field. `held`
    /// is what the open keys view holds of the key typed (a new key that exists is
    /// refused here, before the server).
    pub fn validate(
        &self,
        max_payload: Option<usize>,
        held: Option<(u64, KeyOperation)>,
    ) -> Result<KeyChange, Vec<(KeyField, String)>> {
        let mut errors = Vec::new();
        let key = self.key.value().trim().to_string();
        if self.key_editable() {
            if let Err(e) = validate_key(&key) {
                errors.push((KeyField::Key, e));
            } else if let Some((revision, KeyOperation::Put)) = held {
                errors.push((
                    KeyField::Key,
                    format!("key {key} exists (revision {revision}): open it to put a new value"),
                ));
            }
        }
        let (max, whose) = limit(max_payload);
        let size = self.value.value().len();
        if size > max {
            errors.push((
                KeyField::Value,
                format!("the value is {size} bytes; {whose} is {max}"),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let value = Bytes::from(self.value.value().to_string());
        let (op, expected) = match &self.over {
            Some(over) => (KeyChangeOp::Put(value), over.revision),
            None => (KeyChangeOp::Create(value), 0),
        };
        Ok(KeyChange {
            bucket: self.bucket.clone(),
            key,
            op,
            expected,
        })
    }
}

/// The largest value taken, and whose limit it is.
fn limit(max_payload: Option<usize>) -> (usize, &'static str) {
    match max_payload {
        Some(max) => (max, "the server's max payload"),
        None => (DEFAULT_MAX_PAYLOAD, "NATS's default max payload"),
    }
}

/// What the keys view of `bucket` under the form holds of `key`.
fn held(app: &App, bucket: &str, key: &str) -> Option<(u64, KeyOperation)> {
    app.overlays.iter().rev().find_map(|o| match o {
        Overlay::Keys(k) if k.bucket == bucket => {
            k.keys.get(key).map(|r| (r.revision, r.operation))
        }
        _ => None,
    })
}

impl KeyForm {
    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        key: KeyEvent,
        effects: &mut Vec<Effect>,
    ) -> Next {
        if let Some(change) = self.asking.take() {
            match command {
                Some(Command::Yes) => {
                    app.say(format!("{}…", change.describe()));
                    effects.push(Effect::Kv(KvEffect::Change(change)));
                    return Next::Close;
                }
                Some(Command::No) => app.say("not sent: the form is as you left it (Esc cancels)"),
                _ => self.asking = Some(change),
            }
            return Next::Stay;
        }
        match command {
            Some(Command::Close) => {
                app.say("put cancelled: nothing sent");
                return Next::Close;
            }
            Some(Command::Submit) => self.submit(app),
            Some(Command::NewLine) => self.new_line(),
            Some(c @ (Command::NextField | Command::PrevField)) => {
                let up = c == Command::PrevField;
                let arrow = matches!(key.code, KeyCode::Up | KeyCode::Down);
                // ↑ ↓ move between the value's lines; past its first or last, to the key.
                if !(arrow
                    && self.focus == KeyField::Value
                    && text_area::move_line(&mut self.value, up))
                    && self.key_editable()
                {
                    self.focus = match self.focus {
                        KeyField::Key => KeyField::Value,
                        KeyField::Value => KeyField::Key,
                    };
                }
            }
            _ => self.type_key(key),
        }
        Next::Stay
    }

    fn submit(&mut self, app: &mut App) {
        let typed = self.key.value().trim().to_string();
        let held = held(app, &self.bucket, &typed);
        match self.validate(app.connection.max_payload, held) {
            Ok(change) => {
                self.errors.clear();
                self.asking = Some(change);
            }
            Err(errors) => {
                if let Some((field, _)) = errors.first() {
                    self.focus = *field;
                }
                self.errors = errors;
            }
        }
    }

    fn new_line(&mut self) {
        if self.focus == KeyField::Value {
            insert_at_cursor(&mut self.value, "\n");
            self.errors.retain(|(f, _)| *f != KeyField::Value);
        }
    }

    /// A key typed into the focused field (the key name only while it may change).
    fn type_key(&mut self, key: KeyEvent) {
        let field = self.focus;
        match (field, key.code) {
            (KeyField::Key, _) if !self.key_editable() => return,
            (KeyField::Value, KeyCode::Home) => text_area::line_edge(&mut self.value, false),
            (KeyField::Value, KeyCode::End) => text_area::line_edge(&mut self.value, true),
            (KeyField::Key, _) => {
                self.key.handle_event(&TermEvent::Key(key));
            }
            (KeyField::Value, _) => {
                self.value.handle_event(&TermEvent::Key(key));
            }
        }
        self.errors.retain(|(f, _)| *f != field);
    }

    /// A paste (or a burst of typed characters) at the cursor: whole, its line breaks kept
    /// in the value; one line in the key. A value past the size limit is refused on the
    /// field, the form left as it was.
    pub fn paste(&mut self, text: &str, max_payload: Option<usize>) {
        let field = self.focus;
        self.errors.retain(|(f, _)| *f != field);
        let result = match field {
            KeyField::Key if !self.key_editable() => Err("the key of a put is fixed".to_string()),
            KeyField::Key => insert_limited(&mut self.key, &one_line(text, " "), "the key"),
            KeyField::Value => {
                let text = text_area::clean(text);
                let (max, whose) = limit(max_payload);
                let size = self.value.value().len() + text.len();
                if size > max {
                    Err(format!(
                        "paste refused: the value would be {size} bytes; {whose} is {max} bytes"
                    ))
                } else {
                    insert_at_cursor(&mut self.value, &text);
                    Ok(())
                }
            }
        };
        if let Err(e) = result {
            self.errors.push((field, e));
        }
    }
}
