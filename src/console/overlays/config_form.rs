//! A form of many fields for a stream's or a consumer's config: text fields and choices
//! (cycled with ← → or Space). Each field is checked before anything is sent, its
//! message shown under it; fields the server cannot change on edit are shown but cannot
//! be focused. What the form is for (and how its fields become a config) is in
//! `stream_form.rs` and `consumer_form.rs`.

use std::time::Duration;

use async_nats::jetstream::{consumer, stream};
use ratatui::crossterm::event::{Event as TermEvent, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::config_preview::{ConfigPlan, Preview};
use super::publish::{insert_limited, one_line};
use super::{Next, Overlay};
use crate::console::app::App;
use crate::console::keys::Command;

/// A field's value: typed, or one of a few options.
#[derive(Debug, Clone)]
pub enum Value {
    Text(Input),
    Choice {
        options: Vec<&'static str>,
        index: usize,
    },
}

#[derive(Debug, Clone)]
pub struct FormField {
    /// How the form's builder finds it.
    pub key: &'static str,
    pub label: &'static str,
    pub value: Value,
    /// The server cannot change it on edit: shown greyed, never focused.
    pub fixed: bool,
    /// Shown only while the choice `.0` is one of `.1` (a push consumer's deliver subject).
    pub when: Option<(&'static str, &'static [&'static str])>,
    /// What it takes, shown at the foot of the form while it is focused.
    pub help: &'static str,
    pub error: Option<String>,
}

impl FormField {
    pub fn text(key: &'static str, label: &'static str, value: &str, help: &'static str) -> Self {
        Self {
            key,
            label,
            value: Value::Text(Input::new(value.to_string())),
            fixed: false,
            when: None,
            help,
            error: None,
        }
    }

    /// A choice of `options`, starting on `current` (the first when it is not one).
    pub fn choice(
        key: &'static str,
        label: &'static str,
        options: &[&'static str],
        current: &str,
        help: &'static str,
    ) -> Self {
        let index = options.iter().position(|o| *o == current).unwrap_or(0);
        Self {
            value: Value::Choice {
                options: options.to_vec(),
                index,
            },
            ..Self::text(key, label, "", help)
        }
    }

    pub fn fixed(mut self, fixed: bool) -> Self {
        self.fixed = fixed;
        self
    }

    pub fn when(mut self, choice: &'static str, values: &'static [&'static str]) -> Self {
        self.when = Some((choice, values));
        self
    }

    /// The text typed, or the option chosen.
    pub fn get(&self) -> &str {
        match &self.value {
            Value::Text(input) => input.value(),
            Value::Choice { options, index } => options[*index],
        }
    }
}

/// What the form makes, and from what it started.
#[derive(Debug, Clone)]
pub enum FormKind {
    /// A new stream (`base` is the empty config) or an edit of `base`.
    Stream {
        base: Box<stream::Config>,
        edit: bool,
    },
    /// A new consumer on `stream` (`base` empty, or the one copied) or an edit of `base`.
    Consumer {
        stream: String,
        base: Box<consumer::Config>,
        edit: bool,
    },
}

#[derive(Debug, Clone)]
pub struct ConfigForm {
    pub title: String,
    pub kind: FormKind,
    pub fields: Vec<FormField>,
    pub focus: usize,
    /// The server's refusal of the last apply, in its words (the input is kept).
    pub server_error: Option<String>,
    /// Applied, and waiting for the server's answer.
    pub pending: bool,
}

/// A field's bad input: its key and why.
pub type FieldErrors = Vec<(&'static str, String)>;

impl ConfigForm {
    pub fn new(title: String, kind: FormKind, fields: Vec<FormField>) -> Self {
        let mut form = Self {
            title,
            kind,
            fields,
            focus: 0,
            server_error: None,
            pending: false,
        };
        if !form.focusable(0) {
            form.move_focus(true);
        }
        form
    }

    pub fn field(&self, key: &str) -> Option<&FormField> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The value of field `key` (empty when there is none).
    pub fn get(&self, key: &str) -> &str {
        self.field(key).map_or("", FormField::get)
    }

    /// Whether field `i` is shown now (its `when` holds).
    pub fn shown(&self, i: usize) -> bool {
        match self.fields[i].when {
            Some((choice, values)) => values.contains(&self.get(choice)),
            None => true,
        }
    }

    /// Whether field `key` is shown now: a hidden one is neither checked nor sent.
    pub fn shown_key(&self, key: &str) -> bool {
        self.fields
            .iter()
            .position(|f| f.key == key)
            .is_some_and(|i| self.shown(i))
    }

    fn focusable(&self, i: usize) -> bool {
        i < self.fields.len() && !self.fields[i].fixed && self.shown(i)
    }

    pub fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        for step in 1..=n {
            let i = if forward {
                (self.focus + step) % n
            } else {
                (self.focus + n * step - step) % n
            };
            if self.focusable(i) {
                self.focus = i;
                return;
            }
        }
    }

    pub fn focused(&self) -> Option<&FormField> {
        self.fields.get(self.focus)
    }

    /// Whether keys go into a text field now (so a run of letters is typed, not run).
    pub fn typing(&self) -> bool {
        matches!(self.focused().map(|f| &f.value), Some(Value::Text(_)))
    }

    /// Puts the errors on their fields and focuses the first.
    pub fn set_errors(&mut self, errors: FieldErrors) {
        for f in &mut self.fields {
            f.error = None;
        }
        let mut first = None;
        for (key, message) in errors {
            if let Some(i) = self.fields.iter().position(|f| f.key == key) {
                first.get_or_insert(i);
                self.fields[i].error = Some(message);
            }
        }
        if let Some(i) = first.filter(|i| self.focusable(*i)) {
            self.focus = i;
        }
    }

    fn cycle(&mut self, forward: bool) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        if let Value::Choice { options, index } = &mut field.value {
            let n = options.len();
            *index = if forward {
                (*index + 1) % n
            } else {
                (*index + n - 1) % n
            };
            field.error = None;
        }
    }

    /// Types `key` into the focused text field.
    fn type_key(&mut self, key: KeyEvent) {
        if let Some(field) = self.fields.get_mut(self.focus)
            && let Value::Text(input) = &mut field.value
        {
            input.handle_event(&TermEvent::Key(key));
            field.error = None;
        }
    }

    /// A paste goes whole, on one line, into the focused text field.
    pub fn paste(&mut self, text: &str) {
        if let Some(field) = self.fields.get_mut(self.focus)
            && let Value::Text(input) = &mut field.value
        {
            field.error = insert_limited(input, &one_line(text, " "), field.label).err();
        }
    }

    pub fn on_key(&mut self, app: &mut App, command: Option<Command>, key: KeyEvent) -> Next {
        match command {
            Some(Command::Close) => {
                app.say(format!("{}: cancelled, nothing sent", self.title));
                return Next::Close;
            }
            Some(Command::NextField) => self.move_focus(true),
            Some(Command::PrevField) => self.move_focus(false),
            Some(Command::NextChoice | Command::PrevChoice) if self.typing() => self.type_key(key),
            Some(Command::NextChoice) => self.cycle(true),
            Some(Command::PrevChoice) => self.cycle(false),
            Some(Command::Submit) => return self.submit(app),
            _ => self.type_key(key),
        }
        Next::Stay
    }

    /// Checks every field; with none wrong, shows the preview (nothing is sent yet). An
    /// edit that changes nothing sends nothing and says so.
    fn submit(&mut self, app: &mut App) -> Next {
        if self.pending {
            app.complain("still waiting for the server's answer to the last apply");
            return Next::Stay;
        }
        self.server_error = None;
        let plan = match self.plan() {
            Ok(plan) => plan,
            Err(errors) => {
                let n = errors.len();
                self.set_errors(errors);
                app.complain(format!(
                    "{}: {n} field{} to correct; nothing sent",
                    self.title,
                    if n == 1 { "" } else { "s" }
                ));
                return Next::Stay;
            }
        };
        self.set_errors(Vec::new());
        if plan.is_edit() && plan.changes().is_empty() {
            app.say(format!("{}: nothing changed, nothing sent", plan.what()));
            return Next::Stay;
        }
        Next::Open(Overlay::ConfigPreview(Box::new(Preview::new(plan))))
    }

    /// The plan the fields describe, or what is wrong with them.
    pub fn plan(&self) -> Result<ConfigPlan, FieldErrors> {
        Ok(match &self.kind {
            FormKind::Stream { base, edit } => {
                let new = super::stream_form::build(self, base)?;
                if *edit {
                    ConfigPlan::UpdateStream {
                        old: base.clone(),
                        new: Box::new(new),
                    }
                } else {
                    ConfigPlan::CreateStream(Box::new(new))
                }
            }
            FormKind::Consumer { stream, base, edit } => {
                let new = super::consumer_form::build(self, base, *edit)?;
                let stream = stream.clone();
                if *edit {
                    ConfigPlan::UpdateConsumer {
                        stream,
                        old: base.clone(),
                        new: Box::new(new),
                    }
                } else {
                    ConfigPlan::CreateConsumer {
                        stream,
                        config: Box::new(new),
                    }
                }
            }
        })
    }
}

/// Field checks shared by the stream and consumer forms. Each returns the message shown
/// under the field.
pub mod parse {
    use super::Duration;

    /// A stream or consumer name: the server puts it in subjects, so no `.`, space,
    /// wildcard or path separator.
    pub fn name(text: &str, what: &str) -> Result<String, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(format!("give the {what} a name"));
        }
        if let Some(c) = text.chars().find(|c| {
            matches!(c, '.' | '*' | '>' | '/' | '\\') || c.is_whitespace() || c.is_control()
        }) {
            let shown = if c.is_whitespace() {
                "space".to_string()
            } else {
                format!("'{c}'")
            };
            return Err(format!(
                "no {shown} in a {what} name (nor '.', wildcards, slashes)"
            ));
        }
        if text.chars().count() > 255 {
            return Err(format!("a {what} name takes at most 255 characters"));
        }
        Ok(text.to_string())
    }

    /// One subject; with `wildcards`, `*` tokens and a last `>` are allowed.
    pub fn subject(text: &str, wildcards: bool) -> Result<String, String> {
        if text.is_empty() {
            return Err("the subject is empty".into());
        }
        if text.chars().any(char::is_whitespace) {
            return Err(format!("subject {text:?} cannot contain spaces"));
        }
        let tokens: Vec<&str> = text.split('.').collect();
        for (i, token) in tokens.iter().enumerate() {
            if token.is_empty() {
                return Err(format!(
                    "subject {text:?} has an empty token (a leading, trailing or double '.')"
                ));
            }
            let wild = token.contains('*') || token.contains('>');
            if wild && !wildcards {
                return Err(format!("subject {text:?} cannot hold a wildcard here"));
            }
            if wild && *token != "*" && !(*token == ">" && i + 1 == tokens.len()) {
                return Err(format!(
                    "subject {text:?}: '*' must be a whole token, '>' the whole last token"
                ));
            }
        }
        Ok(text.to_string())
    }

    /// Subjects separated by commas or spaces (wildcards allowed).
    pub fn subjects(text: &str) -> Result<Vec<String>, String> {
        text.split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| subject(s, true))
            .collect()
    }

    /// A whole number of at least `min`; empty is `empty`.
    pub fn number(text: &str, min: i64, empty: i64) -> Result<i64, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(empty);
        }
        match text.parse::<i64>() {
            Ok(n) if n < 0 => Err(format!("{n} is negative; leave it empty for no limit")),
            Ok(n) if n < min => Err(format!("at least {min}")),
            Ok(n) => Ok(n),
            Err(_) => Err(format!("{text:?} is not a whole number")),
        }
    }

    /// A size in bytes (`1GiB`, `512MB`, `1048576`); empty is no limit (-1).
    pub fn size(text: &str) -> Result<i64, String> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(-1);
        }
        if text.starts_with('-') {
            return Err(format!("{text} is negative; leave it empty for no limit"));
        }
        let parsed: Result<bytesize::ByteSize, _> = text.parse();
        match parsed {
            Ok(size) => i64::try_from(size.as_u64()).map_err(|_| format!("{text} is too large")),
            Err(_) => Err(format!("{text:?} is not a size (1GiB, 512MB, 1048576)")),
        }
    }

    /// A duration (`30s`, `1h30m`, `2d`); empty or `0` is none.
    pub fn duration(text: &str) -> Result<Duration, String> {
        let text = text.trim();
        if text.is_empty() || text == "0" {
            return Ok(Duration::ZERO);
        }
        if text.starts_with('-') {
            return Err(format!("{text} is negative"));
        }
        humantime::parse_duration(text)
            .map_err(|_| format!("{text:?} is not a duration (500ms, 30s, 5m, 1h30m, 2d)"))
    }

    /// Durations separated by commas or spaces (a backoff list).
    pub fn durations(text: &str) -> Result<Vec<Duration>, String> {
        text.split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| match duration(s)? {
                d if d.is_zero() => Err("a backoff step must be longer than 0".to_string()),
                d => Ok(d),
            })
            .collect()
    }

    /// A duration as the forms show it (`1h30m`); none is empty.
    pub fn show_duration(d: Duration) -> String {
        if d.is_zero() {
            String::new()
        } else {
            humantime::format_duration(d).to_string().replace(' ', "")
        }
    }

    /// A size as the forms show it: the largest unit it is a whole number of (`1GiB`,
    /// `512MB`); none is empty.
    pub fn show_size(n: i64) -> String {
        const UNITS: [(i64, &str); 6] = [
            (1 << 30, "GiB"),
            (1_000_000_000, "GB"),
            (1 << 20, "MiB"),
            (1_000_000, "MB"),
            (1 << 10, "KiB"),
            (1_000, "KB"),
        ];
        if n <= 0 {
            return String::new();
        }
        UNITS
            .iter()
            .filter(|(unit, _)| n % unit == 0)
            .min_by_key(|(unit, _)| n / unit)
            .map_or_else(
                || n.to_string(),
                |(unit, name)| format!("{}{name}", n / unit),
            )
    }

    /// A limit as the forms show it; none (-1 or 0) is empty.
    pub fn show_limit(n: i64) -> String {
        if n <= 0 { String::new() } else { n.to_string() }
    }
}

#[cfg(test)]
mod tests;
