//! The publish form: its fields, demo templates, and validation. Bad input is stopped
//! here, with a message for the field, before anything reaches the server.

use ratatui::crossterm::event::{Event as TermEvent, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::Next;
use crate::broker::{Headers, validate_topic};
use crate::console::app::{App, Effect};
use crate::console::keys::Command;

/// Most messages one submit may publish.
pub const MAX_COUNT: u32 = 10_000;

/// The largest body taken while the server's limit is unknown: NATS's default max payload.
pub const DEFAULT_MAX_PAYLOAD: usize = 1024 * 1024;

/// Most characters a one-line field other than the body takes (a subject, a header list,
/// a queue name, a prompt's answer): far past any real use, short enough to draw quickly.
pub const MAX_LINE: usize = 4096;

/// Body templates from `assets/templates`; `{n}` is the message's index (from 1) and
/// `{uuid}` a fresh UUID.
pub const TEMPLATES: [(&str, &str); 3] = [
    (
        "order",
        include_str!("../../../assets/templates/order.json"),
    ),
    (
        "user event",
        include_str!("../../../assets/templates/user-event.json"),
    ),
    (
        "test message",
        include_str!("../../../assets/templates/test-message.txt"),
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Subject,
    Headers,
    Body,
    Count,
}

impl Field {
    pub const ALL: [Field; 4] = [Field::Subject, Field::Headers, Field::Body, Field::Count];

    pub fn label(self) -> &'static str {
        match self {
            Field::Subject => "Subject",
            Field::Headers => "Headers",
            Field::Body => "Body",
            Field::Count => "Count",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PublishForm {
    pub subject: Input,
    pub headers: Input,
    pub body: Input,
    pub count: Input,
    pub focus: Field,
    /// Index into TEMPLATES, used when the body is left empty.
    pub template: Option<usize>,
    pub errors: Vec<(Field, String)>,
}

impl Default for PublishForm {
    fn default() -> Self {
        Self {
            subject: Input::default(),
            headers: Input::default(),
            body: Input::default(),
            count: Input::new("1".to_string()),
            focus: Field::Subject,
            template: None,
            errors: Vec::new(),
        }
    }
}

/// A checked publish: what the effect sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishRequest {
    pub subject: String,
    pub headers: Headers,
    /// The body, with `{n}` and `{uuid}` still in it.
    pub body: String,
    pub count: u32,
}

impl PublishForm {
    /// A form with the subject filled in (from the selected stream, say).
    pub fn with_subject(subject: &str) -> Self {
        Self {
            subject: Input::new(subject.to_string()),
            ..Self::default()
        }
    }

    pub fn input(&self, field: Field) -> &Input {
        match field {
            Field::Subject => &self.subject,
            Field::Headers => &self.headers,
            Field::Body => &self.body,
            Field::Count => &self.count,
        }
    }

    pub fn input_mut(&mut self, field: Field) -> &mut Input {
        match field {
            Field::Subject => &mut self.subject,
            Field::Headers => &mut self.headers,
            Field::Body => &mut self.body,
            Field::Count => &mut self.count,
        }
    }

    pub fn error(&self, field: Field) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, e)| e.as_str())
    }

    pub fn next_field(&mut self, forward: bool) {
        let i = Field::ALL
            .iter()
            .position(|f| *f == self.focus)
            .unwrap_or(0);
        let n = Field::ALL.len();
        self.focus = Field::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    /// Cycles none -> order -> user event -> test message -> none.
    pub fn cycle_template(&mut self) {
        self.template = match self.template {
            None => Some(0),
            Some(i) if i + 1 < TEMPLATES.len() => Some(i + 1),
            Some(_) => None,
        };
    }

    /// The body that will be sent: what was typed, else the template's.
    pub fn body_text(&self) -> String {
        match (self.body.value(), self.template) {
            ("", Some(t)) => TEMPLATES[t].1.trim_end().to_string(),
            (typed, _) => typed.to_string(),
        }
    }

    /// Checks every field; on success the request to send, else a message per bad field.
    pub fn validate(
        &self,
        max_payload: Option<usize>,
    ) -> Result<PublishRequest, Vec<(Field, String)>> {
        let mut errors = Vec::new();
        let subject = self.subject.value().trim().to_string();
        if let Err(e) = validate_topic(&subject) {
            errors.push((Field::Subject, e.to_string()));
        }
        let headers = match parse_headers(self.headers.value()) {
            Ok(h) => h,
            Err(e) => {
                errors.push((Field::Headers, e));
                Headers::new()
            }
        };
        let count = match self.count.value().trim().parse::<u32>() {
            Ok(n) if (1..=MAX_COUNT).contains(&n) => n,
            _ => {
                errors.push((
                    Field::Count,
                    format!("count must be a whole number from 1 to {MAX_COUNT}"),
                ));
                1
            }
        };
        let body = self.body_text();
        if let Some(max) = max_payload {
            let message = crate::broker::Message {
                body: expand(&body, count as usize).into(),
                headers: headers.clone(),
            };
            let size = message.wire_size();
            if size > max {
                errors.push((
                    Field::Body,
                    format!(
                        "message is {size} bytes with headers; the server's max payload is {max}"
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(PublishRequest {
                subject,
                headers,
                body,
                count,
            })
        } else {
            Err(errors)
        }
    }
}

impl PublishForm {
    pub fn on_key(
        &mut self,
        app: &mut App,
        command: Option<Command>,
        key: KeyEvent,
        effects: &mut Vec<Effect>,
    ) -> Next {
        match command {
            Some(Command::Close) => {
                app.say("publish cancelled");
                return Next::Close;
            }
            Some(Command::NextField) => self.next_field(true),
            Some(Command::PrevField) => self.next_field(false),
            Some(Command::Template) => self.cycle_template(),
            Some(Command::Submit) => match self.validate(app.connection.max_payload) {
                Ok(request) => {
                    app.say(format!(
                        "publishing {} to {}…",
                        request.count, request.subject
                    ));
                    effects.push(Effect::Publish(request));
                    return Next::Close;
                }
                Err(errors) => {
                    if let Some((field, _)) = errors.first() {
                        self.focus = *field;
                    }
                    self.errors = errors;
                }
            },
            _ => {
                let field = self.focus;
                self.input_mut(field).handle_event(&TermEvent::Key(key));
                self.errors.retain(|(f, _)| *f != field);
            }
        }
        Next::Stay
    }
}

impl PublishForm {
    /// Inserts pasted (or quickly typed) `text` at the cursor of the focused field, whole.
    /// The fields are one line: line breaks become spaces, or `; ` between headers. A body
    /// that would outgrow the server's max payload is refused, with both sizes, on the
    /// field; the form is left as it was.
    pub fn paste(&mut self, text: &str, max_payload: Option<usize>) -> Result<(), String> {
        let field = self.focus;
        let joint = if field == Field::Headers { "; " } else { " " };
        let text = one_line(text, joint);
        let result = if field == Field::Body {
            let (max, whose) = match max_payload {
                Some(max) => (max, "the server's max payload"),
                None => (DEFAULT_MAX_PAYLOAD, "NATS's default max payload"),
            };
            let size = self.body.value().len() + text.len();
            if size > max {
                Err(format!(
                    "paste refused: the body would be {size} bytes; {whose} is {max} bytes"
                ))
            } else {
                insert_at_cursor(&mut self.body, &text);
                Ok(())
            }
        } else {
            insert_limited(self.input_mut(field), &text, field.label())
        };
        self.errors.retain(|(f, _)| *f != field);
        if let Err(e) = &result {
            self.errors.push((field, e.clone()));
        }
        result
    }
}

/// `text` on one line: each line break (`\r\n`, `\r` or `\n`) becomes `joint`, a tab a
/// space, and other control characters are dropped (they would garble the screen).
pub fn one_line(text: &str, joint: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str(joint);
            }
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Inserts `text` (already one line) into a short field, refusing to pass MAX_LINE.
pub fn insert_limited(input: &mut Input, text: &str, name: &str) -> Result<(), String> {
    let chars = input.value().chars().count() + text.chars().count();
    if chars > MAX_LINE {
        return Err(format!(
            "paste refused: {name} would be {chars} characters; it takes at most {MAX_LINE}"
        ));
    }
    insert_at_cursor(input, text);
    Ok(())
}

/// Inserts `text` at the cursor in one step: the input's own per-character insert walks
/// the whole value each time, which is quadratic over a long paste.
pub fn insert_at_cursor(input: &mut Input, text: &str) {
    if text.is_empty() {
        return;
    }
    let cursor = input.cursor();
    let value = input.value();
    let at = value
        .char_indices()
        .nth(cursor)
        .map_or(value.len(), |(i, _)| i);
    let mut joined = String::with_capacity(value.len() + text.len());
    joined.push_str(&value[..at]);
    joined.push_str(text);
    joined.push_str(&value[at..]);
    *input = Input::new(joined).with_cursor(cursor + text.chars().count());
}

/// Parses `Key: value` pairs separated by `;` or new lines; a key may repeat.
pub fn parse_headers(text: &str) -> Result<Headers, String> {
    let mut headers = Headers::new();
    for (i, part) in text.split([';', '\n']).enumerate() {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let Some((key, value)) = part.split_once(':') else {
            return Err(format!("header {} ({part:?}) is not `Key: value`", i + 1));
        };
        let key = key.trim();
        if !crate::broker::valid_header_name(key) {
            return Err(format!(
                "header {} has no valid key ({key:?}): one word of printable ASCII, no ':'",
                i + 1
            ));
        }
        headers.append(key, value.trim());
    }
    Ok(headers)
}

/// The body of message `n` (from 1): `{n}` and `{uuid}` filled in.
pub fn expand(body: &str, n: usize) -> String {
    let mut out = body.replace("{n}", &n.to_string());
    while out.contains("{uuid}") {
        out = out.replacen("{uuid}", &uuid::Uuid::new_v4().to_string(), 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(subject: &str, headers: &str, body: &str, count: &str) -> PublishForm {
        PublishForm {
            subject: Input::new(subject.into()),
            headers: Input::new(headers.into()),
            body: Input::new(body.into()),
            count: Input::new(count.into()),
            ..PublishForm::default()
        }
    }

    #[test]
    fn every_bad_input_gets_its_message_on_its_field() {
        let table: [(PublishForm, Field, &str); 11] = [
            (form("", "", "x", "1"), Field::Subject, "topic is empty"),
            (
                form("orders new", "", "x", "1"),
                Field::Subject,
                "whitespace",
            ),
            (
                form("orders.*", "", "x", "1"),
                Field::Subject,
                "wildcard '*'",
            ),
            (
                form("orders.>", "", "x", "1"),
                Field::Subject,
                "wildcard '>'",
            ),
            (form("a..b", "", "x", "1"), Field::Subject, "empty token"),
            (
                form("a.b", "no colon here", "x", "1"),
                Field::Headers,
                "header 1 (\"no colon here\") is not `Key: value`",
            ),
            (
                form("a.b", "ok: 1; bad key: 2", "x", "1"),
                Field::Headers,
                "header 2 has no valid key",
            ),
            (
                form("a.b", "Größe: 1", "x", "1"),
                Field::Headers,
                "header 1 has no valid key",
            ),
            (form("a.b", "", "x", "0"), Field::Count, "from 1 to 10000"),
            (form("a.b", "", "x", "many"), Field::Count, "whole number"),
            (
                form("a.b", "", &"x".repeat(2000), "1"),
                Field::Body,
                "max payload is 1024",
            ),
        ];
        for (form, field, expected) in table {
            let errors = form.validate(Some(1024)).expect_err(expected);
            let message = errors
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, m)| m.as_str())
                .unwrap_or_else(|| panic!("no {field:?} error, got {errors:?}"));
            assert!(message.contains(expected), "{field:?}: {message}");
        }
    }

    #[test]
    fn a_good_form_becomes_a_request() {
        let req = form(
            " orders.created ",
            "type: order; tag: a\ntag: b",
            "{\"n\":{n}}",
            "3",
        )
        .validate(Some(1024 * 1024))
        .unwrap();
        assert_eq!(req.subject, "orders.created");
        assert_eq!(req.count, 3);
        assert_eq!(req.headers.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(expand(&req.body, 2), "{\"n\":2}");
    }

    #[test]
    fn a_paste_goes_in_at_the_cursor_on_one_line() {
        let mut f = form("orders.x", "", "ab", "1");
        f.focus = Field::Body;
        f.body = Input::new("ab".into()).with_cursor(1);
        f.paste("1\r\n2\n3\t4\x1b", Some(1024)).unwrap();
        assert_eq!(f.body.value(), "a1 2 3 4b");
        assert_eq!(f.body.cursor(), 8, "the cursor follows the pasted text");
        f.focus = Field::Headers;
        f.paste("a: 1\nb: 2", Some(1024)).unwrap();
        assert_eq!(f.headers.value(), "a: 1; b: 2");
        assert_eq!(f.validate(Some(1024)).unwrap().headers.get("b"), Some("2"));
    }

    #[test]
    fn a_body_past_the_max_payload_is_refused_with_both_sizes() {
        let mut f = form("orders.x", "", "", "1");
        f.focus = Field::Body;
        let big = "x".repeat(2 * 1024 * 1024);
        // Refused at once: timed in this thread's CPU time, not the loaded machine's clock.
        let started = crate::console::fixtures::thread_cpu_time();
        let err = f.paste(&big, Some(1024 * 1024)).unwrap_err();
        let took = crate::console::fixtures::thread_cpu_time() - started;
        assert!(took < std::time::Duration::from_secs(1), "{took:?}");
        assert_eq!(
            err,
            "paste refused: the body would be 2097152 bytes; the server's max payload is 1048576 bytes"
        );
        assert_eq!(f.body.value(), "", "nothing inserted");
        assert_eq!(f.error(Field::Body), Some(err.as_str()));
        // Unknown limit: NATS's default.
        let err = f.paste(&big, None).unwrap_err();
        assert!(err.contains("default max payload is 1048576"), "{err}");
        // Within the limit: taken whole, in one step.
        f.paste(&"y".repeat(100_000), Some(1024 * 1024)).unwrap();
        assert_eq!(f.body.value().len(), 100_000);
        assert_eq!(f.error(Field::Body), None);
        f.focus = Field::Subject;
        let err = f.paste(&"s".repeat(5000), None).unwrap_err();
        assert!(err.contains("Subject would be 5008 characters"), "{err}");
    }

    #[test]
    fn update_puts_a_paste_into_the_focused_field_and_nowhere_else() {
        use crate::console::app::{Action, App, Overlay, typing, update};
        use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let press = |app: &mut App, code| {
            update(app, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        };
        let mut app = crate::console::fixtures::demo_app("nats://127.0.0.1:4222", false);
        // No field open: dropped, so pasted letters never run as commands.
        update(&mut app, Action::Paste("q?p".into()));
        assert!(!app.quit && app.overlay().is_none() && !typing(&app));
        press(&mut app, KeyCode::Char('p'));
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        assert!(typing(&app));
        update(&mut app, Action::Paste("{\"a\":\n 1}".into()));
        let body = |app: &App| match app.overlay() {
            Some(Overlay::Publish(form)) => (
                form.body.value().to_string(),
                form.error(Field::Body).map(str::to_string),
            ),
            _ => panic!("the form is open"),
        };
        assert_eq!(body(&app), ("{\"a\":  1}".to_string(), None));
        // Past the server's max payload (1 MiB in the fixture): refused, body unchanged.
        update(&mut app, Action::Paste("x".repeat(2 * 1024 * 1024)));
        let (value, error) = body(&app);
        assert_eq!(value, "{\"a\":  1}");
        assert!(error.unwrap().contains("max payload is 1048576 bytes"));
    }

    #[test]
    fn templates_fill_an_empty_body() {
        let mut f = form("orders.created", "", "", "1");
        f.cycle_template();
        assert!(f.body_text().contains("{uuid}"));
        let a = expand(&f.body_text(), 7);
        let b = expand(&f.body_text(), 7);
        assert!(a.contains("\"number\": 7"), "{a}");
        assert_ne!(a, b, "each message gets its own uuid");
        serde_json::from_str::<serde_json::Value>(&a).expect("the order template is JSON");
        f.cycle_template();
        f.cycle_template();
        assert_eq!(expand(&f.body_text(), 4), "Test message 4");
        f.cycle_template();
        assert_eq!(f.template, None);
    }
}
